/* toggle.c: tests for toggle references with many holders
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

/* What one holder was told, as "T" and "F" in order. */
typedef struct
{
  GString *told;
  gint     calls;     /* (atomic) */
  gint     last;      /* (atomic) the last is_last_ref, -1 before any */
  gint     repeats;   /* (atomic) the same value twice in a row */
} Log;

static void
log_init (Log *log)
{
  log->told = g_string_new (NULL);
  log->calls = 0;
  log->last = -1;
  log->repeats = 0;
}

static void
log_notify (gpointer  data,
            GObject  *object,
            gboolean  is_last_ref)
{
  Log *log = data;

  g_assert_true (G_IS_OBJECT (object));
  if (log->told != NULL)
    g_string_append_c (log->told, is_last_ref ? 'T' : 'F');
  if (__atomic_exchange_n (&log->last, is_last_ref, __ATOMIC_ACQ_REL) == is_last_ref)
    __atomic_fetch_add (&log->repeats, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add (&log->calls, 1, __ATOMIC_RELAXED);
}

static char *
log_take (Log *log)
{
  char *told = g_strdup (log->told->str);

  g_string_truncate (log->told, 0);
  return told;
}

#define assert_told(log, expected) G_STMT_START { \
    char *told_ = log_take (log);                 \
    g_assert_cmpstr (told_, ==, expected);        \
    g_free (told_);                               \
  } G_STMT_END

static void
test_toggle_one_holder (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  Log log;

  log_init (&log);
  wk_object_add_toggle_ref (object, log_notify, &log);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  assert_told (&log, "");

  g_object_unref (object);              /* only the toggle reference left */
  assert_told (&log, "T");
  g_object_ref (object);
  assert_told (&log, "F");
  g_object_unref (object);
  assert_told (&log, "T");
  g_assert_cmpint (finalized, ==, 0);

  wk_object_remove_toggle_ref (object, log_notify, &log);
  g_assert_cmpint (finalized, ==, 1);
  assert_told (&log, "");
  g_string_free (log.told, TRUE);
}

static void
test_toggle_many_holders (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  Log a, b, c;

  log_init (&a);
  log_init (&b);
  log_init (&c);
  /* The holders share one reference. */
  wk_object_add_toggle_ref (object, log_notify, &a);
  wk_object_add_toggle_ref (object, log_notify, &b);
  wk_object_add_toggle_ref (object, log_notify, &c);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);

  g_object_unref (object);
  assert_told (&a, "T");
  assert_told (&b, "T");
  assert_told (&c, "T");

  /* A Wk ref deref from count 1 is a real reference: everybody is told. */
  {
    WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
    GObject *got = wk_ref_get (ref);

    g_assert_true (got == object);
    assert_told (&a, "F");
    assert_told (&b, "F");
    assert_told (&c, "F");
    g_object_unref (got);
    assert_told (&a, "T");
    assert_told (&b, "T");
    assert_told (&c, "T");
    g_object_unref (ref);
  }

  /* Removing a holder that is not the last changes no count. */
  wk_object_remove_toggle_ref (object, log_notify, &b);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_ref (object);
  assert_told (&a, "F");
  assert_told (&b, "");
  assert_told (&c, "F");
  g_object_unref (object);
  assert_told (&a, "T");
  assert_told (&c, "T");

  wk_object_remove_toggle_ref (object, log_notify, &a);
  g_assert_cmpint (finalized, ==, 0);
  wk_object_remove_toggle_ref (object, log_notify, &c);
  g_assert_cmpint (finalized, ==, 1);
  g_string_free (a.told, TRUE);
  g_string_free (b.told, TRUE);
  g_string_free (c.told, TRUE);
}

static void
glib_notify (gpointer  data,
             GObject  *object,
             gboolean  is_last_ref)
{
  log_notify (data, object, is_last_ref);
}

/* What a binding's own g_object_add_toggle_ref() does to Wk's holders:
 * GLib then has two toggle references and notifies neither. */
static void
test_toggle_with_glib_toggle (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  Log binding, holder;

  log_init (&binding);
  log_init (&holder);
  g_object_add_toggle_ref (object, glib_notify, &binding);
  g_object_unref (object);
  assert_told (&binding, "T");

  /* Wk's reference is another one, which the binding is told about; then
   * the count never falls to 1 again while both toggle references
   * exist, and nobody hears anything. */
  wk_object_add_toggle_ref (object, log_notify, &holder);
  assert_told (&binding, "F");
  g_object_ref (object);
  g_object_unref (object);
  assert_told (&binding, "");
  assert_told (&holder, "");
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);

  /* Once the binding lets go, Wk's holder is told again. */
  g_object_remove_toggle_ref (object, glib_notify, &binding);
  assert_told (&holder, "T");
  g_object_ref (object);
  assert_told (&holder, "F");
  g_object_unref (object);
  assert_told (&holder, "T");

  wk_object_remove_toggle_ref (object, log_notify, &holder);
  g_assert_cmpint (finalized, ==, 1);
  g_string_free (binding.told, TRUE);
  g_string_free (holder.told, TRUE);
}

static void
count_destroy (gpointer data)
{
  (*(gint *) data)++;
}

static void
counting_notify (gpointer  data,
                 GObject  *object,
                 gboolean  is_last_ref)
{
  (*(gint *) data) += 10;
}

static void
test_toggle_by_id (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  gint counter = 0;
  guint id, other;

  id = wk_object_add_toggle_ref_full (object, counting_notify, &counter, count_destroy);
  other = wk_object_add_toggle_ref_full (object, counting_notify, &counter, count_destroy);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (other, !=, id);
  g_object_unref (object);
  g_assert_cmpint (counter, ==, 20);   /* both told */

  g_assert_true (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_cmpint (counter, ==, 21);   /* destroyed */
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_true (wk_object_remove_toggle_ref_by_id (object, other));
  g_assert_cmpint (counter, ==, 22);
  g_assert_cmpint (finalized, ==, 1);
}

/* A holder that removes itself, and adds another, from its notify. */
typedef struct
{
  Log      log;
  gboolean done;
} SelfRemoving;

static void
self_removing_notify (gpointer  data,
                      GObject  *object,
                      gboolean  is_last_ref)
{
  SelfRemoving *self = data;

  log_notify (&self->log, object, is_last_ref);
  if (!is_last_ref && !self->done)
    {
      self->done = TRUE;
      wk_object_add_toggle_ref (object, log_notify, &self->log);
      wk_object_remove_toggle_ref (object, self_removing_notify, self);
    }
}

static void
test_toggle_reentrant (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  SelfRemoving self = { { 0 }, FALSE };

  log_init (&self.log);
  wk_object_add_toggle_ref (object, self_removing_notify, &self);
  g_object_unref (object);
  assert_told (&self.log, "T");
  g_object_ref (object);        /* F: it swaps itself for log_notify */
  assert_told (&self.log, "F");
  g_object_unref (object);
  assert_told (&self.log, "T");
  wk_object_remove_toggle_ref (object, log_notify, &self.log);
  g_assert_cmpint (finalized, ==, 1);
  g_string_free (self.log.told, TRUE);
}

/* Threads take and drop references; each holder's notifications must
 * alternate, and the last one must say "only toggle references" once
 * every thread is done. */
typedef struct
{
  GObject *object;
  gint     iterations;
} Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;
  gint i;

  for (i = 0; i < churn->iterations; i++)
    {
      g_object_ref (churn->object);
      if (i % 7 == 0)
        g_thread_yield ();
      g_object_unref (churn->object);
    }
  return NULL;
}

static void
test_toggle_threads (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  Churn churn = { object, wk_test_iterations (20000, 500000) };
  GThread *threads[3];
  Log a, b;
  guint i;

  a = (Log) { NULL, 0, -1, 0 };
  b = (Log) { NULL, 0, -1, 0 };
  wk_object_add_toggle_ref (object, log_notify, &a);
  wk_object_add_toggle_ref (object, log_notify, &b);
  g_object_unref (object);
  g_assert_cmpint (a.last, ==, TRUE);

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("churn", churn_thread, &churn);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (a.repeats, ==, 0);
  g_assert_cmpint (b.repeats, ==, 0);
  g_assert_cmpint (a.last, ==, TRUE);
  g_assert_cmpint (b.last, ==, TRUE);
  g_assert_cmpint (a.calls, ==, b.calls);
  g_test_message ("%d threads x %d ref/unref: %d notifications per holder",
                  (gint) G_N_ELEMENTS (threads), churn.iterations, a.calls);

  wk_object_remove_toggle_ref (object, log_notify, &a);
  wk_object_remove_toggle_ref (object, log_notify, &b);
  g_assert_cmpint (finalized, ==, 1);
}

static void
test_toggle_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      Log log;

      log_init (&log);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_object_add_toggle_ref (NULL, log_notify, &log);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*notify != NULL*");
      wk_object_add_toggle_ref (object, NULL, &log);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*no toggle reference*");
      wk_object_remove_toggle_ref (object, log_notify, &log);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_cmpuint (wk_object_add_toggle_ref_full (NULL, log_notify, NULL, NULL), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*id != 0*");
      g_assert_false (wk_object_remove_toggle_ref_by_id (object, 0));
      g_test_assert_expected_messages ();
      g_assert_false (wk_object_remove_toggle_ref_by_id (object, 12345));
      g_object_unref (object);
      g_string_free (log.told, TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A holder told that its object is wanted again (a Wk read took the
 * count from 1 to 2) does weak-reference work on other objects: points a
 * WkWeak at a new object and drops a new object that has a weak ref.
 * Before GLib 2.80 that notification came from inside g_weak_ref_get(),
 * under GLib's global weak-reference lock, and this deadlocked; the
 * holder must be told after the lock is released, before the read
 * returns. Run in a subprocess, so that a deadlock fails the test. */
typedef struct
{
  Log      log;
  WkWeak   other;
  gint     worked;
} Reentrant;

static void
weak_work_notify (gpointer  data,
                  GObject  *object,
                  gboolean  is_last_ref)
{
  Reentrant *r = data;

  log_notify (&r->log, object, is_last_ref);
  if (!is_last_ref)
    {
      GObject *fresh = g_object_new (G_TYPE_OBJECT, NULL);
      GObject *dropped = g_object_new (G_TYPE_OBJECT, NULL);
      WkWeak on_dropped = WK_WEAK_INIT;

      wk_weak_set (&r->other, fresh);              /* a new GWeakRef */
      wk_weak_set (&on_dropped, dropped);
      g_object_unref (dropped);                    /* a final unref with one */
      g_assert_null (wk_weak_get (&on_dropped));
      wk_weak_clear (&on_dropped);
      g_object_unref (fresh);
      r->worked++;
    }
}

static void
test_toggle_notify_weak_work (void)
{
  if (g_test_subprocess ())
    {
      Reentrant r = { 0, };
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      WkWeak weak = WK_WEAK_INIT;
      GObject *got;

      log_init (&r.log);
      wk_weak_init (&weak, object);
      wk_object_add_toggle_ref (object, weak_work_notify, &r);
      g_object_unref (object);                     /* only the toggle ref */
      assert_told (&r.log, "T");

      got = wk_weak_get (&weak);                   /* 1 -> 2: told "F" */
      g_assert_true (got == object);
      /* Told before the get returned. */
      assert_told (&r.log, "F");
      g_assert_cmpint (r.worked, ==, 1);
      g_assert_null (wk_weak_get (&r.other));

      g_object_unref (got);
      assert_told (&r.log, "T");
      wk_object_remove_toggle_ref (object, weak_work_notify, &r);
      g_assert_null (wk_weak_get (&weak));
      wk_weak_clear (&weak);
      wk_weak_clear (&r.other);
      g_string_free (r.log.told, TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A holder's notify removes the last toggle reference, its own: Wk's
 * reference on the object goes, and the object (and Wk's holder set with
 * it) is finalized inside the notify. The delivery that called it must
 * not touch either afterwards (it did: a use-after-free under ASan). */
static gint self_removed;

static void
remove_self_notify (gpointer  data,
                    GObject  *object,
                    gboolean  is_last_ref)
{
  if (is_last_ref)
    {
      wk_object_remove_toggle_ref (object, remove_self_notify, data);
      self_removed++;
    }
}

static void
test_toggle_notify_removes_last (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkWeak weak = WK_WEAK_INIT;

  self_removed = 0;
  wk_weak_init (&weak, object);
  wk_object_add_toggle_ref (object, remove_self_notify, NULL);
  g_object_unref (object);          /* count 2 -> 1: told TRUE, removes itself */
  g_assert_cmpint (self_removed, ==, 1);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/toggle/one-holder", test_toggle_one_holder);
  wk_test_add_for_types ("/toggle/many-holders", test_toggle_many_holders);
  g_test_add_func ("/toggle/with-glib-toggle", test_toggle_with_glib_toggle);
  g_test_add_func ("/toggle/by-id", test_toggle_by_id);
  g_test_add_func ("/toggle/reentrant", test_toggle_reentrant);
  g_test_add_func ("/toggle/notify-does-weak-work", test_toggle_notify_weak_work);
  wk_test_add_for_types ("/toggle/notify-removes-last", test_toggle_notify_removes_last);
  g_test_add_func ("/toggle/threads", test_toggle_threads);
  g_test_add_func ("/toggle/bad-input", test_toggle_bad_input);

  return g_test_run ();
}
