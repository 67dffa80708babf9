/* glib.c: pins what Wk relies on in GObject beyond its documented API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * wk/wk-glib-private.h lists the facts, with the GLib source lines they
 * come from; each test here checks one on the GLib it runs with, so that
 * a GLib that changes one fails here, by name, rather than somewhere in
 * Wk. Fact 3 (before 2.80, a re-reference during dispose is not safe) can
 * only be observed as a use-after-free; it changed in 2.80 together with
 * the toggle-notify fact, which /glib/toggle-notify-under-lock pins.
 */

#include <wk/wk.h>

#include "wk-glib-private.h"
#include "wk-test-util.h"

/* ---- fact 1: GWeakRefs read NULL before dispose ------------------------ */

typedef struct
{
  GWeakRef  gweak;
  gboolean  read_null_in_dispose;
  gboolean  word_cleared_in_dispose;
} InDispose;

static void
check_gweak_in_dispose (GObject  *object,
                        gpointer  data)
{
  InDispose *d = data;
  GObject *got = g_weak_ref_get (&d->gweak);

  d->read_null_in_dispose = got == NULL;
  d->word_cleared_in_dispose = wk_glib_weak_ref_is_cleared (&d->gweak);
  if (got != NULL)
    {
      /* Not unreffed: that would dispose the object again; the test
       * fails on read_null_in_dispose anyway. */
    }
}

static void
test_cleared_before_dispose (gconstpointer data)
{
  InDispose d = { 0, };
  gint finalized = 0;
  GObject *object = wk_test_object_new ((GType) GPOINTER_TO_SIZE (data), &finalized);

  g_weak_ref_init (&d.gweak, object);
  wk_test_probe (object)->dispose_hook = check_gweak_in_dispose;
  wk_test_probe (object)->dispose_data = &d;
  g_object_unref (object);
  g_assert_true (d.read_null_in_dispose);
  g_assert_true (d.word_cleared_in_dispose);
  g_assert_cmpint (finalized, ==, 1);
  g_weak_ref_clear (&d.gweak);
}

/* ---- fact 2: the word of a GWeakRef ----------------------------------- */

static void
test_weak_ref_word (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GWeakRef gweak;

  g_weak_ref_init (&gweak, NULL);
  g_assert_true (wk_glib_weak_ref_is_cleared (&gweak));
  g_weak_ref_set (&gweak, object);
  g_assert_false (wk_glib_weak_ref_is_cleared (&gweak));
  /* The word is the object, give or take GLib's lock bits. */
  g_assert_true (((guintptr) gweak.priv.p & ~(guintptr) 7) == (guintptr) object);
  g_weak_ref_set (&gweak, NULL);
  g_assert_true (wk_glib_weak_ref_is_cleared (&gweak));
  g_weak_ref_set (&gweak, object);
  g_object_unref (object);
  g_assert_true (wk_glib_weak_ref_is_cleared (&gweak));
  g_weak_ref_clear (&gweak);
}

/* ---- fact 4: when weak notifies run ---------------------------------- */

typedef struct
{
  GString  *order;
  gboolean  chain_up;
} Timing;

typedef struct { GObject parent_instance; Timing *timing; } Timed;
typedef struct { GObjectClass parent_class; } TimedClass;
static GType timed_get_type (void);
G_DEFINE_TYPE (Timed, timed, G_TYPE_OBJECT)

static void
timed_dispose (GObject *object)
{
  Timing *timing = ((Timed *) object)->timing;

  g_string_append (timing->order, "dispose ");
  if (timing->chain_up)
    G_OBJECT_CLASS (timed_parent_class)->dispose (object);
  g_string_append (timing->order, "dispose-end ");
}

static void
timed_finalize (GObject *object)
{
  g_string_append (((Timed *) object)->timing->order, "finalize");
  G_OBJECT_CLASS (timed_parent_class)->finalize (object);
}

static void timed_class_init (TimedClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = timed_dispose;
  G_OBJECT_CLASS (klass)->finalize = timed_finalize;
}
static void timed_init (Timed *self) { }

static void
note_weak_notify (gpointer  data,
                  GObject  *where_the_object_was)
{
  g_string_append (((Timing *) data)->order, "notify ");
}

static void
test_weak_notify_timing (void)
{
  const struct { gboolean chain_up; const char *expected; } cases[] = {
    { TRUE, "dispose notify dispose-end finalize" },
    { FALSE, "dispose dispose-end notify finalize" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Timing timing = { g_string_new (NULL), cases[i].chain_up };
      Timed *object = g_object_new (timed_get_type (), NULL);

      object->timing = &timing;
      g_object_weak_ref (G_OBJECT (object), note_weak_notify, &timing);
      g_object_unref (object);
      g_assert_cmpstr (timing.order->str, ==, cases[i].expected);
      g_string_free (timing.order, TRUE);
    }
}

/* ---- the toggle-notify fact ------------------------------------------ */

/* A toggle notify that g_weak_ref_get() triggers takes a GWeakRef for
 * writing. Before GLib 2.80 it runs under GLib's global weak-reference
 * lock, and this deadlocks; from 2.80 it runs after the lock is released.
 * Wk defers its own toggle notifications for that reason. */
static void
weak_ref_work_in_toggle (gpointer  data,
                         GObject  *object,
                         gboolean  is_last_ref)
{
  if (!is_last_ref)
    {
      GObject *other = g_object_new (G_TYPE_OBJECT, NULL);
      GWeakRef gweak;

      g_weak_ref_init (&gweak, other);
      g_weak_ref_clear (&gweak);
      g_object_unref (other);
      (*(gint *) data)++;
    }
}

static void
test_toggle_notify_under_lock (void)
{
  gboolean runs_locked = glib_check_version (2, 80, 0) != NULL;

  if (g_test_subprocess ())
    {
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      GWeakRef gweak;
      GObject *got;
      gint worked = 0;

      g_weak_ref_init (&gweak, object);
      g_object_add_toggle_ref (object, weak_ref_work_in_toggle, &worked);
      g_object_unref (object);
      got = g_weak_ref_get (&gweak);   /* 1 -> 2: the toggle notify runs */
      g_assert_true (got == object);
      g_assert_cmpint (worked, ==, 1);
      g_object_unref (got);
      g_object_remove_toggle_ref (object, weak_ref_work_in_toggle, &worked);
      g_weak_ref_clear (&gweak);
      return;
    }

  g_test_trap_subprocess (NULL, 5 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  if (runs_locked)
    {
      /* The deadlock: the child never finishes. */
      g_test_message ("GLib %u.%u: the toggle notify runs under GLib's lock",
                      glib_major_version, glib_minor_version);
      g_test_trap_assert_failed ();
    }
  else
    g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/glib/cleared-before-dispose", test_cleared_before_dispose);
  g_test_add_func ("/glib/weak-ref-word", test_weak_ref_word);
  g_test_add_func ("/glib/weak-notify-timing", test_weak_notify_timing);
  g_test_add_func ("/glib/toggle-notify-under-lock", test_toggle_notify_under_lock);

  return g_test_run ();
}
