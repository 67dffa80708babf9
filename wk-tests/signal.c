/* signal.c: tests for wk_signal_connect_weak() and its closure variant
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

/* An object with one signal, "poke (int)". */
#define TEST_TYPE_EMITTER (test_emitter_get_type ())
G_DECLARE_FINAL_TYPE (TestEmitter, test_emitter, TEST, EMITTER, GObject)

struct _TestEmitter
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (TestEmitter, test_emitter, G_TYPE_OBJECT)

static guint poke_signal;

static void
test_emitter_class_init (TestEmitterClass *klass)
{
  poke_signal = g_signal_new ("poke", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                              0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
test_emitter_init (TestEmitter *self)
{
}

static void
poke (gpointer emitter,
      gint     value)
{
  g_signal_emit (emitter, poke_signal, 0, value);
}

typedef struct
{
  gpointer  expected_emitter;
  gpointer  expected_target;
  gint      sum;
  gint      calls;   /* (atomic) */
} Seen;

static Seen seen;

static void
on_poke (gpointer emitter,
         gint     value,
         gpointer target)
{
  g_assert_true (emitter == seen.expected_emitter);
  g_assert_true (target == seen.expected_target);
  /* The emission holds the target. */
  g_assert_cmpuint (wk_object_get_ref_count (target), >=, 2);
  seen.sum += value;
  __atomic_fetch_add (&seen.calls, 1, __ATOMIC_RELAXED);
}

static void
on_poke_swapped (gpointer target,
                 gint     value,
                 gpointer emitter)
{
  on_poke (emitter, value, target);
}

static void
test_signal_target_dies (gconstpointer data)
{
  gint finalized = 0;
  GObject *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  GObject *target = wk_test_object_new (TYPE_OF (data), &finalized);
  gulong id, swapped;

  id = wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), target, 0);
  swapped = wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke_swapped), target,
                                    G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (swapped, !=, 0);
  /* Held weakly. */
  g_assert_cmpuint (wk_object_get_ref_count (target), ==, 1);

  memset (&seen, 0, sizeof seen);
  seen.expected_emitter = emitter;
  seen.expected_target = target;
  poke (emitter, 5);
  g_assert_cmpint (seen.calls, ==, 2);
  g_assert_cmpint (seen.sum, ==, 10);

  g_object_unref (target);
  g_assert_cmpint (finalized, ==, 1);
  /* Disconnected, not only invalidated. */
  g_assert_false (g_signal_handler_is_connected (emitter, id));
  g_assert_false (g_signal_handler_is_connected (emitter, swapped));
  poke (emitter, 1);
  g_assert_cmpint (seen.calls, ==, 2);
  g_object_unref (emitter);
}

static void
test_signal_emitter_dies (gconstpointer data)
{
  GObject *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  GObject *target = wk_test_object_new (TYPE_OF (data), NULL);

  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), target, 0), !=, 0);
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 1);
  g_object_unref (emitter);
  /* The connection, and its weak ref to the target, are gone. */
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
  g_object_unref (target);
}

static void
on_poke_closure (gpointer emitter,
                 gint     value,
                 gpointer target,
                 gpointer user_data)
{
  g_assert_true (user_data == &seen);
  on_poke (emitter, value, target);
}

static void
test_signal_closure (void)
{
  GObject *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  GObject *target = g_object_new (G_TYPE_OBJECT, NULL);
  GClosure *closure = g_cclosure_new (G_CALLBACK (on_poke_closure), &seen, NULL);
  gulong id;

  /* Floating: the connection takes it. */
  id = wk_signal_connect_closure_weak (emitter, "poke::detail", closure, target, FALSE);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (wk_object_get_ref_count (target), ==, 1);

  memset (&seen, 0, sizeof seen);
  seen.expected_emitter = emitter;
  seen.expected_target = target;
  poke (emitter, 3);   /* another detail (none): not for us */
  g_assert_cmpint (seen.calls, ==, 0);
  g_signal_emit (emitter, poke_signal, g_quark_from_static_string ("detail"), 3);
  g_assert_cmpint (seen.calls, ==, 1);
  g_assert_cmpint (seen.sum, ==, 3);

  g_object_unref (target);
  g_assert_false (g_signal_handler_is_connected (emitter, id));
  g_object_unref (emitter);
}

/* A name that is not a signal of the instance: Wk's own critical and 0,
 * on every GLib (GLib warns up to 2.74 and logs a critical from 2.76 on;
 * Wk checks the name first, so GLib says nothing), and nothing left
 * behind. */
static void
test_signal_unknown (void)
{
  if (g_test_subprocess ())
    {
      GObject *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
      GObject *target = g_object_new (G_TYPE_OBJECT, NULL);
      const char *const bad_names[] = {
        "no-such",           /* no such signal */
        "no-such::detail",   /* nor with a detail */
        "poke::",            /* an empty detail */
        "poke:detail",       /* one colon */
        "",
      };
      gsize i;

      /* Wk's critical, and only Wk's: GLib's own would be unexpected. */
      for (i = 0; i < G_N_ELEMENTS (bad_names); i++)
        {
          GClosure *closure = g_cclosure_new (G_CALLBACK (on_poke_closure), &seen, NULL);
          char *pattern = g_strdup_printf ("*wk_signal_connect_weak: signal '%s' is invalid for instance*TestEmitter*",
                                           bad_names[i]);

          g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, pattern);
          g_assert_cmpuint (wk_signal_connect_weak (emitter, bad_names[i], G_CALLBACK (on_poke), target, 0), ==, 0);
          g_test_assert_expected_messages ();
          g_free (pattern);

          /* The floating closure is consumed (a leak checker sees it). */
          pattern = g_strdup_printf ("*wk_signal_connect_closure_weak: signal '%s' is invalid*", bad_names[i]);
          g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, pattern);
          g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, bad_names[i], closure, target, FALSE), ==, 0);
          g_test_assert_expected_messages ();
          g_free (pattern);
        }

      /* Nothing is left behind, and a detailed name is fine. */
      g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
      g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke::a-new-detail", G_CALLBACK (on_poke), target, 0), !=, 0);
      g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 1);
      g_object_unref (emitter);
      g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
      g_object_unref (target);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Exactly one critical per bad call, and none from GLib. */
  g_test_trap_assert_stderr_unmatched ("*GLib-GObject*");
}

static void
test_signal_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GObject *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
      GObject *target = g_object_new (G_TYPE_OBJECT, NULL);
      GClosure *closure = g_cclosure_new (G_CALLBACK (on_poke_closure), NULL, NULL);
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);

      g_closure_ref (closure);
      g_closure_sink (closure);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT (instance)*");
      g_assert_cmpuint (wk_signal_connect_weak (NULL, "poke", G_CALLBACK (on_poke), target, 0), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT (instance)*");
      g_assert_cmpuint (wk_signal_connect_closure_weak (not_an_object, "poke", closure, target, FALSE), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*detailed_signal != NULL*");
      g_assert_cmpuint (wk_signal_connect_weak (emitter, NULL, G_CALLBACK (on_poke), target, 0), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*c_handler != NULL*");
      g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", NULL, target, 0), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT (target)*");
      g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), NULL, 0), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*closure != NULL*");
      g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", NULL, target, FALSE), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT (target)*");
      g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", closure, not_an_object, FALSE), ==, 0);
      g_test_assert_expected_messages ();
      g_closure_unref (closure);
      g_param_spec_unref (not_an_object);
      g_object_unref (emitter);
      g_object_unref (target);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* One thread emits while another drops the target: the handler always
 * sees a live target (it checks the count), and the handler is gone
 * afterwards. */
typedef struct
{
  GObject *emitter;
  gint     stop;   /* (atomic) */
} Emitting;

static void
on_poke_check (gpointer emitter,
               gint     value,
               gpointer target)
{
  /* The emission's reference may be the only one left, but the target
   * has not begun to die. */
  g_assert_cmpuint (wk_object_get_ref_count (target), >=, 1);
  g_assert_cmpint (g_atomic_int_get (&wk_test_probe (target)->dispose_count), ==, 0);
  __atomic_fetch_add (&seen.calls, 1, __ATOMIC_RELAXED);
}

static gpointer
emit_thread (gpointer data)
{
  Emitting *emitting = data;

  while (!__atomic_load_n (&emitting->stop, __ATOMIC_ACQUIRE))
    poke (emitting->emitter, 1);
  return NULL;
}

static void
test_signal_race (gconstpointer data)
{
  gint n = wk_test_iterations (2000, 50000);
  Emitting emitting = { g_object_new (TEST_TYPE_EMITTER, NULL), 0 };
  GThread *thread;
  gint i;

  seen.calls = 0;
  thread = g_thread_new ("emit", emit_thread, &emitting);
  for (i = 0; i < n; i++)
    {
      gint finalized = 0;
      GObject *target = wk_test_object_new (TYPE_OF (data), &finalized);
      gulong id = wk_signal_connect_weak (emitting.emitter, "poke", G_CALLBACK (on_poke_check), target, 0);

      g_thread_yield ();
      g_object_unref (target);
      /* The emitting thread may hold the last reference for a moment. */
      while (__atomic_load_n (&finalized, __ATOMIC_ACQUIRE) == 0)
        g_thread_yield ();
      g_assert_false (g_signal_handler_is_connected (emitting.emitter, id));
    }
  __atomic_store_n (&emitting.stop, 1, __ATOMIC_RELEASE);
  g_thread_join (thread);
  g_test_message ("%d targets died while emitting; %d calls", n, seen.calls);
  g_object_unref (emitting.emitter);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/signal/target-dies", test_signal_target_dies);
  wk_test_add_for_types ("/signal/emitter-dies", test_signal_emitter_dies);
  g_test_add_func ("/signal/closure", test_signal_closure);
  g_test_add_func ("/signal/unknown", test_signal_unknown);
  g_test_add_func ("/signal/bad-input", test_signal_bad_input);
  wk_test_add_for_types ("/signal/race", test_signal_race);

  return g_test_run ();
}
