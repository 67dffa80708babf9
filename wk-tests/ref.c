/* ref.c: tests for WkRef
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

static void
test_ref_get (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GObject *got;

  g_assert_true (WK_IS_REF (ref));
  g_assert_true (wk_ref_is_alive (ref));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);

  got = wk_ref_get (ref);
  g_assert_true (got == object);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  got = wk_ref_get (ref);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 3);
  g_object_unref (got);
  g_object_unref (got);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);

  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_false (wk_ref_is_alive (ref));
  g_assert_null (wk_ref_get (ref));
  g_object_unref (ref);
}

typedef struct
{
  GPtrArray *order;        /* names, in callback order */
  WkRef     *all[3];       /* every ref, to check they all read NULL */
  WkWeak     weak;
  guint      destroyed;
} CallbackLog;

static void
log_callback (WkRef    *ref,
              gpointer  user_data)
{
  CallbackLog *log = g_object_get_data (G_OBJECT (ref), "log");
  guint i;

  /* Every weak reference reads NULL before any callback runs. */
  for (i = 0; i < G_N_ELEMENTS (log->all); i++)
    if (log->all[i] != NULL)
      {
        g_assert_false (wk_ref_is_alive (log->all[i]));
        g_assert_null (wk_ref_get (log->all[i]));
      }
  g_assert_null (wk_weak_get (&log->weak));
  g_ptr_array_add (log->order, user_data);
}

static guint n_destroyed;

static void
count_destroy (gpointer user_data)
{
  n_destroyed++;
}

static void
test_ref_callback_order (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  CallbackLog log = { g_ptr_array_new (), { NULL, }, WK_WEAK_INIT, 0 };
  static const char *names[] = { "first", "second", "third" };
  guint i;

  n_destroyed = 0;
  wk_weak_init (&log.weak, object);
  for (i = 0; i < 3; i++)
    {
      log.all[i] = wk_ref_new (object, log_callback, (gpointer) names[i], count_destroy);
      g_object_set_data (G_OBJECT (log.all[i]), "log", &log);
    }
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 3);

  g_object_unref (object);

  /* Newest first, once each, and every destroy notify has run. */
  g_assert_cmpuint (log.order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (log.order, 0), ==, "third");
  g_assert_cmpstr (g_ptr_array_index (log.order, 1), ==, "second");
  g_assert_cmpstr (g_ptr_array_index (log.order, 2), ==, "first");
  g_assert_cmpuint (n_destroyed, ==, 3);

  for (i = 0; i < 3; i++)
    g_object_unref (log.all[i]);
  g_assert_cmpuint (n_destroyed, ==, 3);
  wk_weak_clear (&log.weak);
  g_ptr_array_unref (log.order);
}

static guint n_called;

static void
count_callback (WkRef    *ref,
                gpointer  user_data)
{
  n_called++;
}

static void
test_ref_dropped_before_referent (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *ref = wk_ref_new (object, count_callback, NULL, count_destroy);

  n_called = 0;
  n_destroyed = 0;
  g_object_unref (ref);
  /* A ref finalized first never calls back; its destroy runs then. */
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 0);
  g_object_unref (object);
  g_assert_cmpuint (n_called, ==, 0);
  g_assert_cmpuint (n_destroyed, ==, 1);
}

static void
drop_own_ref (WkRef    *ref,
              gpointer  user_data)
{
  gint *finalized = user_data;

  g_assert_cmpint (*finalized, ==, 0);
  n_called++;
  g_object_unref (ref);
}

static void
mark_gone (gpointer  data,
           GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_ref_callback_drops_own_ref (gconstpointer data)
{
  gint ref_finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *ref = wk_ref_new (object, drop_own_ref, &ref_finalized, count_destroy);

  g_object_weak_ref (G_OBJECT (ref), mark_gone, &ref_finalized);
  n_called = 0;
  n_destroyed = 0;
  g_object_unref (object);
  g_assert_cmpuint (n_called, ==, 1);
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_assert_cmpint (ref_finalized, ==, 1);
}

typedef struct
{
  WkRef *other;
  guint  calls;
} DropOther;

static void
drop_other_ref (WkRef    *ref,
                gpointer  user_data)
{
  DropOther *d = user_data;

  d->calls++;
  g_clear_object (&d->other);
}

static void
test_ref_callback_drops_other_ref (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  DropOther d = { NULL, 0 };
  WkRef *older, *newer;

  n_called = 0;
  older = wk_ref_new (object, count_callback, NULL, NULL);
  newer = wk_ref_new (object, drop_other_ref, &d, NULL);
  d.other = older;

  /* The newer callback drops the only reference to the older ref: as in
   * CPython, the older ref was alive when the referent died, so its
   * callback still runs. */
  g_object_unref (object);
  g_assert_cmpuint (d.calls, ==, 1);
  g_assert_null (d.other);
  g_assert_cmpuint (n_called, ==, 1);
  g_object_unref (newer);
}

static void
test_ref_shared (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *a = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *b = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *c = wk_ref_new (object, count_callback, NULL, NULL);
  WkRef *d;

  g_assert_true (a == b);
  g_assert_true (a != c);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 2);
  g_object_unref (b);
  g_object_unref (a);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 1);

  /* Once the shared one is gone, the next callback-less ref is new and
   * shared in turn. */
  a = wk_ref_new (object, NULL, NULL, NULL);
  d = wk_ref_new (object, NULL, NULL, NULL);
  g_assert_true (a == d);
  g_assert_true (a != c);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 2);
  g_object_unref (d);
  g_object_unref (a);
  g_object_unref (c);
  g_object_unref (object);
}

static void
test_ref_destroy_without_callback (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  WkRef *ref;

  n_destroyed = 0;
  ref = wk_ref_new (object, NULL, NULL, count_destroy);
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_object_unref (ref);
  g_object_unref (object);
  g_assert_cmpuint (n_destroyed, ==, 1);
}

static void
test_ref_get_weak_refs (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *other = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *a = wk_ref_new (object, count_callback, NULL, NULL);
  WkRef *b = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *unrelated = wk_ref_new (other, NULL, NULL, NULL);
  GPtrArray *refs;
  WkWeak weak = WK_WEAK_INIT;

  wk_weak_set (&weak, object);
  refs = wk_get_weak_refs (object);
  g_assert_cmpuint (refs->len, ==, 2);
  g_assert_true (g_ptr_array_index (refs, 0) == b);
  g_assert_true (g_ptr_array_index (refs, 1) == a);
  /* The caller owns one reference per element. */
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 2);
  for (guint i = 0; i < refs->len; i++)
    g_object_unref (g_ptr_array_index (refs, i));
  g_ptr_array_unref (refs);
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 1);

  g_assert_cmpuint (wk_get_weak_ref_count (other), ==, 1);

  g_object_unref (object);
  g_assert_cmpuint (wk_get_weak_ref_count (other), ==, 1);
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (unrelated);
  g_object_unref (other);
  wk_weak_clear (&weak);
}

static void
test_ref_no_refs (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GPtrArray *refs = wk_get_weak_refs (object);

  g_assert_cmpuint (refs->len, ==, 0);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 0);
  /* Asking creates nothing: the object still has no Wk side data. */
  g_assert_null (g_object_get_data (object, "wk-anchor"));
  g_ptr_array_unref (refs);
  g_object_unref (object);
}

static void
test_ref_hash_equal (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *other = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *a = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *b = wk_ref_new (object, count_callback, NULL, NULL);
  WkRef *c = wk_ref_new (other, NULL, NULL, NULL);
  GHashTable *set = g_hash_table_new (wk_ref_hash, wk_ref_equal);
  guint hash_a = wk_ref_hash (a);

  g_assert_true (wk_ref_equal (a, b));
  g_assert_cmpuint (wk_ref_hash (a), ==, wk_ref_hash (b));
  g_assert_false (wk_ref_equal (a, c));
  g_hash_table_add (set, a);
  g_assert_true (g_hash_table_contains (set, b));
  g_assert_false (g_hash_table_contains (set, c));

  g_object_unref (object);
  /* Dead refs keep their hash and are equal only to themselves. */
  g_assert_cmpuint (wk_ref_hash (a), ==, hash_a);
  g_assert_true (wk_ref_equal (a, a));
  g_assert_false (wk_ref_equal (a, b));
  g_assert_true (g_hash_table_contains (set, a));
  g_assert_false (g_hash_table_contains (set, b));

  g_hash_table_unref (set);
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);
  g_object_unref (other);
}

/* dispose takes temporary references and reads the ref: the count is 2
 * or more there, yet dispose has begun, so the ref must read NULL. */
static void
read_ref_in_dispose (GObject  *object,
                     gpointer  data)
{
  WkRef *ref = data;
  gpointer got;

  g_object_ref (object);
  got = wk_ref_get (ref);
  g_assert_null (got);
  g_assert_false (wk_ref_is_alive (ref));
  g_object_unref (object);
}

static void
test_ref_reads_null_in_dispose (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);

  wk_test_probe (object)->dispose_hook = read_ref_in_dispose;
  wk_test_probe (object)->dispose_data = ref;
  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_object_unref (ref);
}

static void
test_ref_run_dispose (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkRef *ref = wk_ref_new (object, count_callback, NULL, NULL);
  WkRef *later;
  GObject *got;

  n_called = 0;
  g_object_run_dispose (object);
  /* Dispose is death for weak references, as for GWeakRef. */
  g_assert_cmpuint (n_called, ==, 1);
  g_assert_null (wk_ref_get (ref));
  g_assert_cmpint (finalized, ==, 0);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 0);

  /* The object lives on, and new refs to it work until it dies. */
  later = wk_ref_new (object, count_callback, NULL, NULL);
  got = wk_ref_get (later);
  g_assert_true (got == object);
  g_object_unref (got);
  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpuint (n_called, ==, 2);
  g_assert_null (wk_ref_get (later));
  g_object_unref (later);
  g_object_unref (ref);
}

typedef struct
{
  GPtrArray *events;
} ToggleLog;

static void
toggle_notify (gpointer  data,
               GObject  *object,
               gboolean  is_last_ref)
{
  ToggleLog *log = data;

  g_ptr_array_add (log->events, GINT_TO_POINTER (is_last_ref ? 'T' : 'F'));
}

static void
test_ref_toggle (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  ToggleLog log = { g_ptr_array_new () };
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GObject *got;

  /* As a binding does: hold a toggle reference, drop the normal one. */
  g_object_add_toggle_ref (object, toggle_notify, &log);
  g_object_unref (object);
  g_assert_cmpuint (log.events->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (log.events, 0)), ==, 'T');

  /* A get from 1 to 2 is a real reference: the holder hears of it. */
  got = wk_ref_get (ref);
  g_assert_true (got == object);
  g_assert_cmpuint (log.events->len, ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (log.events, 1)), ==, 'F');
  g_object_unref (got);
  g_assert_cmpuint (log.events->len, ==, 3);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (log.events, 2)), ==, 'T');

  g_object_remove_toggle_ref (object, toggle_notify, &log);
  g_assert_null (wk_ref_get (ref));
  g_object_unref (ref);
  g_ptr_array_unref (log.events);
}

static GObject *resurrected;

static void
resurrect_in_dispose (GObject  *object,
                      gpointer  data)
{
  resurrected = g_object_ref (object);
}

static void
test_ref_resurrection_in_dispose (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkRef *ref = wk_ref_new (object, count_callback, NULL, NULL);

  n_called = 0;
  wk_test_probe (object)->dispose_hook = resurrect_in_dispose;
  g_object_unref (object);
  /* Dispose ran and kept the object: weak references stay dead (as
   * GWeakRefs do) and their callbacks have run. */
  g_assert_nonnull (resurrected);
  g_assert_cmpint (finalized, ==, 0);
  g_assert_cmpuint (n_called, ==, 1);
  g_assert_null (wk_ref_get (ref));

  wk_test_probe (resurrected)->dispose_hook = NULL;
  g_clear_object (&resurrected);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpuint (n_called, ==, 1);
  g_object_unref (ref);
}

static void
test_ref_property (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *ref = g_object_new (WK_TYPE_REF, "object", object, NULL);
  WkRef *shared = wk_ref_new (object, NULL, NULL, NULL);
  GObject *got = NULL;

  /* Constructed with the property: alive, counted, never the shared one. */
  g_assert_true (wk_ref_is_alive (ref));
  g_assert_true (shared != ref);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 2);
  g_object_get (ref, "object", &got, NULL);
  g_assert_true (got == object);
  g_object_unref (got);

  n_called = 0;
  n_destroyed = 0;
  g_assert_true (wk_ref_set_callback (ref, count_callback, NULL, count_destroy));
  g_object_unref (object);
  g_assert_cmpuint (n_called, ==, 1);
  g_assert_cmpuint (n_destroyed, ==, 1);

  g_object_get (ref, "object", &got, NULL);
  g_assert_null (got);
  /* Too late now: the destroy notify runs at once. */
  g_assert_false (wk_ref_set_callback (ref, count_callback, NULL, count_destroy));
  g_assert_cmpuint (n_destroyed, ==, 2);
  g_assert_cmpuint (n_called, ==, 1);
  g_object_unref (ref);
  g_object_unref (shared);

  ref = g_object_new (WK_TYPE_REF, NULL);
  g_assert_false (wk_ref_is_alive (ref));
  g_assert_null (wk_ref_get (ref));
  g_object_unref (ref);
}

static void
test_ref_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      WkRef *shared = wk_ref_new (object, NULL, NULL, NULL);
      WkRef *with_cb = wk_ref_new (object, count_callback, NULL, NULL);

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_ref_new (NULL, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_ref_new (not_an_object, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_REF*");
      g_assert_null (wk_ref_get (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_REF*");
      g_assert_null (wk_ref_get ((WkRef *) object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_REF*");
      g_assert_false (wk_ref_is_alive (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_REF*");
      g_assert_cmpuint (wk_ref_hash (NULL), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_REF*");
      g_assert_false (wk_ref_equal (shared, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_cmpuint (wk_get_weak_ref_count (NULL), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_get_weak_refs (not_an_object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
      g_assert_false (wk_ref_set_callback (with_cb, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*shared*");
      g_assert_false (wk_ref_set_callback (shared, count_callback, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*callback == NULL*");
      g_assert_false (wk_ref_set_callback (with_cb, count_callback, NULL, NULL));
      g_test_assert_expected_messages ();

      g_object_unref (shared);
      g_object_unref (with_cb);
      g_object_unref (object);
      g_param_spec_unref (not_an_object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Weak references made while their referent is dying: in its finalize
 * (any object), or in its dispose (a WkObject; a plain GObject that
 * already had a weak reference). They read NULL from the start, their
 * callbacks never run, their destroy notifies run once, and GLib is not
 * asked to register anything on the dying object (no criticals). */
typedef struct
{
  gboolean  earlier_ref;   /* the object had a weak ref before it died */
  WkRef    *ref;
  WkWeak    weak;
  gboolean  read_alive;
  gint      called;
  gint      destroyed;
} MadeWhileDying;

static void
dying_callback (WkRef    *ref,
                gpointer  data)
{
  ((MadeWhileDying *) data)->called++;
}

static void
dying_destroy (gpointer data)
{
  ((MadeWhileDying *) data)->destroyed++;
}

static void
make_refs_while_dying (GObject  *object,
                       gpointer  data)
{
  MadeWhileDying *m = data;
  GObject *got_ref, *got_weak;

  m->ref = wk_ref_new (object, dying_callback, m, dying_destroy);
  wk_weak_init (&m->weak, object);
  got_ref = wk_ref_get (m->ref);
  got_weak = wk_weak_get (&m->weak);
  m->read_alive = wk_ref_is_alive (m->ref) || got_ref != NULL || got_weak != NULL;
  /* Not unreffed: that would dispose the object again, or (in finalize)
   * touch a count of 0. The assertions below say they are NULL. */
}

static void
check_made_while_dying (GType    type,
                        gboolean in_finalize,
                        gboolean earlier_ref)
{
  MadeWhileDying m = { .earlier_ref = earlier_ref };
  gint finalized = 0;
  GObject *object = wk_test_object_new (type, &finalized);
  WkRef *earlier = earlier_ref ? wk_ref_new (object, NULL, NULL, NULL) : NULL;

  if (in_finalize)
    {
      wk_test_probe (object)->finalize_hook = make_refs_while_dying;
      wk_test_probe (object)->finalize_data = &m;
    }
  else
    {
      wk_test_probe (object)->dispose_hook = make_refs_while_dying;
      wk_test_probe (object)->dispose_data = &m;
    }
  g_object_unref (object);

  g_assert_cmpint (finalized, ==, 1);
  g_assert_false (m.read_alive);
  g_assert_false (wk_ref_is_alive (m.ref));
  g_assert_null (wk_ref_get (m.ref));
  g_assert_null (wk_weak_get (&m.weak));
  g_assert_cmpint (m.called, ==, 0);
  g_assert_cmpint (m.destroyed, ==, 0);
  g_object_unref (m.ref);
  g_assert_cmpint (m.destroyed, ==, 1);
  wk_weak_clear (&m.weak);
  g_clear_object (&earlier);
}

static void
test_ref_made_in_finalize (gconstpointer data)
{
  check_made_while_dying ((GType) GPOINTER_TO_SIZE (data), TRUE, FALSE);
  check_made_while_dying ((GType) GPOINTER_TO_SIZE (data), TRUE, TRUE);
}

static void
test_ref_made_in_dispose (gconstpointer data)
{
  GType type = (GType) GPOINTER_TO_SIZE (data);

  check_made_while_dying (type, FALSE, TRUE);
  /* Without an earlier weak ref, only a WkObject can tell that its
   * dispose has begun; a plain GObject's case is pinned below. */
  if (type == WK_TEST_TYPE_WK_OBJECT)
    check_made_while_dying (type, FALSE, FALSE);
}

/* The documented limit: a plain GObject that had no weak reference when
 * its final unref began gives Wk no sign that its dispose runs (GLib has
 * none), so a ref made there reads the object until GLib's weak notifies
 * run at the end of GObject's own dispose; its callback then runs, once.
 * The same on every supported GLib. */
static void
make_refs_while_dying_no_get (GObject  *object,
                              gpointer  data)
{
  MadeWhileDying *m = data;

  /* A get would return a reference here, resurrecting the object. */
  m->ref = wk_ref_new (object, dying_callback, m, dying_destroy);
  wk_weak_init (&m->weak, object);
  m->read_alive = wk_ref_is_alive (m->ref);
}

static void
test_ref_made_in_dispose_plain_limit (void)
{
  MadeWhileDying m = { 0, };
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);

  wk_test_probe (object)->dispose_hook = make_refs_while_dying_no_get;
  wk_test_probe (object)->dispose_data = &m;
  g_object_unref (object);

  g_assert_cmpint (finalized, ==, 1);
  g_assert_true (m.read_alive);
  g_assert_cmpint (m.called, ==, 1);
  g_assert_cmpint (m.destroyed, ==, 1);
  g_assert_false (wk_ref_is_alive (m.ref));
  g_assert_null (wk_ref_get (m.ref));
  g_assert_null (wk_weak_get (&m.weak));
  g_object_unref (m.ref);
  wk_weak_clear (&m.weak);
}

/* A weak reference made while the death is delivered (here, by a ref
 * callback) is born dead, for a plain GObject too: its anchor stays the
 * object's, dead, until the deliveries are done. */
typedef struct
{
  GObject *object;   /* not a reference: the callback runs during its death */
  WkRef   *made;
  WkWeak   weak;
  gboolean read_alive;
  gint     made_called;
  gint     callbacks;
} MadeInCallback;

static void
made_in_callback_called (WkRef    *ref,
                         gpointer  data)
{
  ((MadeInCallback *) data)->made_called++;
}

static void
callback_makes_refs (WkRef    *ref,
                     gpointer  data)
{
  MadeInCallback *m = data;
  gpointer got;

  m->callbacks++;
  m->made = wk_ref_new (m->object, made_in_callback_called, m, NULL);
  wk_weak_init (&m->weak, m->object);
  got = wk_ref_get (m->made);
  m->read_alive = got != NULL || wk_ref_is_alive (m->made);
  g_clear_object (&got);
  got = wk_weak_get (&m->weak);
  m->read_alive |= got != NULL;
  g_clear_object (&got);
}

static void
test_ref_made_in_callback (gconstpointer data)
{
  GType type = (GType) GPOINTER_TO_SIZE (data);
  MadeInCallback m = { 0, };
  gint finalized = 0;
  WkRef *maker;

  m.object = wk_test_object_new (type, &finalized);
  maker = wk_ref_new (m.object, callback_makes_refs, &m, NULL);
  g_object_unref (m.object);

  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpint (m.callbacks, ==, 1);
  g_assert_false (m.read_alive);
  g_assert_cmpint (m.made_called, ==, 0);
  g_assert_false (wk_ref_is_alive (m.made));
  g_assert_null (wk_weak_get (&m.weak));
  g_object_unref (m.made);
  wk_weak_clear (&m.weak);
  g_object_unref (maker);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/ref/get", test_ref_get);
  wk_test_add_for_types ("/ref/callback/order", test_ref_callback_order);
  wk_test_add_for_types ("/ref/callback/dropped-before-referent", test_ref_dropped_before_referent);
  wk_test_add_for_types ("/ref/callback/drops-own-ref", test_ref_callback_drops_own_ref);
  wk_test_add_for_types ("/ref/callback/drops-other-ref", test_ref_callback_drops_other_ref);
  g_test_add_func ("/ref/callback/destroy-without-callback", test_ref_destroy_without_callback);
  wk_test_add_for_types ("/ref/shared", test_ref_shared);
  wk_test_add_for_types ("/ref/get-weak-refs", test_ref_get_weak_refs);
  g_test_add_func ("/ref/get-weak-refs/none", test_ref_no_refs);
  wk_test_add_for_types ("/ref/hash-equal", test_ref_hash_equal);
  wk_test_add_for_types ("/ref/death/reads-null-in-dispose", test_ref_reads_null_in_dispose);
  wk_test_add_for_types ("/ref/death/run-dispose", test_ref_run_dispose);
  wk_test_add_for_types ("/ref/death/resurrection-in-dispose", test_ref_resurrection_in_dispose);
  wk_test_add_for_types ("/ref/death/made-in-finalize", test_ref_made_in_finalize);
  wk_test_add_for_types ("/ref/death/made-in-dispose", test_ref_made_in_dispose);
  wk_test_add_for_types ("/ref/death/made-in-callback", test_ref_made_in_callback);
  g_test_add_func ("/ref/death/made-in-dispose/gobject-without-earlier-ref",
                   test_ref_made_in_dispose_plain_limit);
  wk_test_add_for_types ("/ref/toggle", test_ref_toggle);
  wk_test_add_for_types ("/ref/property", test_ref_property);
  g_test_add_func ("/ref/bad-input", test_ref_bad_input);

  return g_test_run ();
}
