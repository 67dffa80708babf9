/* toggle.c: tests for toggle references with many holders
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <pthread.h>

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

/* remove_toggle_ref() in one thread while a notify runs in another: it
 * waits for that notify only if it is the notify of the holder it
 * removes. Holder A's notify blocks until the main thread has removed
 * holder B: waiting for the whole delivery (as Wk did) deadlocked there,
 * with any lock that A's notify needs and the remover holds (a
 * collection's, say). Then removing A waits until A's notify returns, and
 * A's destroy notify runs after it. In a subprocess, so that a deadlock
 * fails the test. */
typedef struct
{
  gint  entered;    /* (atomic) */
  gint  go_on;      /* (atomic) */
  gint  returned;   /* (atomic) */
  gint  destroyed;  /* (atomic) 1: after the notify returned; -1: before */
} Blocker;

static void
blocker_notify (gpointer  data,
                GObject  *object,
                gboolean  is_last_ref)
{
  Blocker *b = data;

  g_assert_true (G_IS_OBJECT (object));
  __atomic_store_n (&b->entered, 1, __ATOMIC_RELEASE);
  wk_test_wait_for (&b->go_on, 1, 100);
  __atomic_store_n (&b->returned, 1, __ATOMIC_RELEASE);
}

static void
blocker_destroy (gpointer data)
{
  Blocker *b = data;

  __atomic_store_n (&b->destroyed, __atomic_load_n (&b->returned, __ATOMIC_ACQUIRE) ? 1 : -1,
                    __ATOMIC_RELEASE);
}

static gpointer
unref_thread (gpointer data)
{
  g_object_unref (data);      /* 2 -> 1: tells A, then B */
  return NULL;
}

typedef struct
{
  GObject  *object;
  guint     id;
  gint      done;   /* (atomic) */
} Remover;

static gpointer
remove_thread (gpointer data)
{
  Remover *r = data;

  g_assert_true (wk_object_remove_toggle_ref_by_id (r->object, r->id));
  __atomic_store_n (&r->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static void
test_toggle_remove_waits_for_own_notify (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      gint finalized = 0;
      GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
      Blocker a = { 0, };
      Log b;
      Remover r = { object, 0, 0 };
      GThread *dropper, *remover;

      log_init (&b);
      r.id = wk_object_add_toggle_ref_full (object, blocker_notify, &a, blocker_destroy);
      wk_object_add_toggle_ref (object, log_notify, &b);

      dropper = g_thread_new ("unref", unref_thread, object);
      wk_test_wait_for (&a.entered, 1, 100);

      /* A's notify runs in the other thread: B goes at once, and is not
       * told what A is being told. */
      wk_object_remove_toggle_ref (object, log_notify, &b);

      /* Removing A waits for A's notify. */
      remover = g_thread_new ("remove", remove_thread, &r);
      g_usleep (50000);
      g_assert_cmpint (__atomic_load_n (&r.done, __ATOMIC_ACQUIRE), ==, 0);
      g_assert_cmpint (__atomic_load_n (&a.destroyed, __ATOMIC_ACQUIRE), ==, 0);
      __atomic_store_n (&a.go_on, 1, __ATOMIC_RELEASE);
      g_thread_join (remover);
      g_thread_join (dropper);

      g_assert_cmpint (a.destroyed, ==, 1);
      assert_told (&b, "");
      g_assert_cmpint (finalized, ==, 1);     /* A was the last */
      g_string_free (b.told, TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A notify that removes its own holder: the destroy notify runs once the
 * notify returns, not under it. */
static gint self_destroy_state;   /* 0, 1: in the notify, 2: returned, 3: destroyed after */

static void
self_destroy_notify (gpointer  data,
                     GObject  *object,
                     gboolean  is_last_ref)
{
  self_destroy_state = 1;
  g_assert_true (wk_object_remove_toggle_ref_by_id (object, *(guint *) data));
  g_assert_cmpint (self_destroy_state, ==, 1);   /* not destroyed yet */
  self_destroy_state = 2;
}

static void
self_destroy_destroy (gpointer data)
{
  g_assert_cmpint (self_destroy_state, ==, 2);
  self_destroy_state = 3;
}

static void
test_toggle_self_remove_destroy (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  guint id;

  self_destroy_state = 0;
  id = wk_object_add_toggle_ref_full (object, self_destroy_notify, &id, self_destroy_destroy);
  g_object_unref (object);          /* told TRUE: removes itself, the last */
  g_assert_cmpint (self_destroy_state, ==, 3);
  g_assert_cmpint (finalized, ==, 1);
}

/* Drops of normal references race the removal of the last holder. The
 * drop that takes the count from 2 to 1 makes GLib call Wk's toggle
 * notify after the decrement (2.84 reads which notify under its lock
 * before it, 2.74 after it); by then another thread may have removed the
 * last holder, given Wk's toggle reference back and finalized the object.
 * Wk must take that late call as stale: it locked the freed holder set
 * (a hang, or a use-after-free under ASan).
 *
 * Each round has one new object. In a "pair" round, one thread drops the
 * only normal reference while another removes the only holder. In a
 * "mixed" round, each thread holds a normal reference and 0 to 2
 * holders, and gives them all back in a random order; some add and
 * remove one more holder while they still hold their normal reference,
 * some take and drop a few references meanwhile. The threads of a round
 * start together, each step after a random pause, so that across rounds
 * the steps meet at every offset. The last to let go finalizes the
 * object, in any thread. Every holder must be told alternately, never
 * after its removal returned, and with its own object; the object must
 * be finalized once per round. */
#define RACE_THREADS      4
#define RACE_MAX_HOLDERS  2

typedef struct _Race Race;

typedef struct
{
  Race     *race;
  guint     id;
  gint      removed;   /* (atomic) its remove returned */
  gint      last;      /* (atomic) the last is_last_ref, -1 before any */
} RaceHolder;

/* What one thread does in a round (set by the main thread before). */
typedef struct
{
  Race        *race;
  GThread     *thread;
  guint32      rng;
  gboolean     active;        /* does anything this round */
  gboolean     has_ref;       /* holds a normal reference */
  guint        n_holders;
  gboolean     extra;         /* adds and removes one more holder */
  gboolean     churn;         /* refs and unrefs a few times */
  RaceHolder   holders[RACE_MAX_HOLDERS + 1];   /* the last: the extra one */
} RaceWorker;

struct _Race
{
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  gint         round;         /* (under lock) the round the workers may run */
  gint         done;          /* (under lock) workers done with it */
  gboolean     stop;          /* (under lock) */
  gint         n_active;      /* workers active this round */
  gint         arrived;       /* (atomic) active workers ready to start */
  guint        jitter;        /* the longest pause, in pauses */
  GObject     *object;        /* this round's */
  gint         finalized;     /* (atomic) */
  gint         told;          /* (atomic) notifications, all holders */
  gint         late;          /* (atomic) told after remove returned */
  gint         repeats;       /* (atomic) told the same twice in a row */
  gint         wrong;         /* (atomic) told with another object */
  RaceWorker   workers[RACE_THREADS];
};

static guint32
race_random (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

static void
race_notify (gpointer  data,
             GObject  *object,
             gboolean  is_last_ref)
{
  RaceHolder *holder = data;
  Race *race = holder->race;

  __atomic_fetch_add (&race->told, 1, __ATOMIC_RELAXED);
  if (__atomic_load_n (&holder->removed, __ATOMIC_ACQUIRE))
    __atomic_fetch_add (&race->late, 1, __ATOMIC_RELAXED);
  if (object != race->object)
    __atomic_fetch_add (&race->wrong, 1, __ATOMIC_RELAXED);
  if (__atomic_exchange_n (&holder->last, is_last_ref, __ATOMIC_ACQ_REL) == is_last_ref)
    __atomic_fetch_add (&race->repeats, 1, __ATOMIC_RELAXED);
}

static void
race_holder_add (RaceHolder *holder,
                 Race       *race,
                 GObject    *object)
{
  holder->race = race;
  holder->removed = FALSE;
  holder->last = -1;
  holder->id = wk_object_add_toggle_ref_full (object, race_notify, holder, NULL);
  g_assert_cmpuint (holder->id, !=, 0);
}

static void
race_holder_remove (RaceHolder *holder,
                    GObject    *object)
{
  g_assert_true (wk_object_remove_toggle_ref_by_id (object, holder->id));
  __atomic_store_n (&holder->removed, TRUE, __ATOMIC_RELEASE);
}

enum { RACE_DROP, RACE_EXTRA, RACE_CHURN, RACE_REMOVE };

/* The steps of @worker's round, in a random order, except that the extra
 * holder and the churn come while the normal reference is still held. */
static guint
race_plan (RaceWorker *worker,
           guint      *ops)
{
  guint n_ops = 0, i, drop_at;

  for (i = 0; i < worker->n_holders; i++)
    ops[n_ops++] = RACE_REMOVE + i;
  if (!worker->has_ref)
    return n_ops;
  if (worker->extra)
    ops[n_ops++] = RACE_EXTRA;
  if (worker->churn)
    ops[n_ops++] = RACE_CHURN;
  for (i = n_ops; i > 1; i--)
    {
      guint j = race_random (&worker->rng) % i, t = ops[i - 1];

      ops[i - 1] = ops[j];
      ops[j] = t;
    }
  drop_at = race_random (&worker->rng) % (n_ops + 1);
  for (i = 0; i < n_ops; i++)
    if (ops[i] == RACE_EXTRA || ops[i] == RACE_CHURN)
      drop_at = MAX (drop_at, i + 1);
  for (i = n_ops; i > drop_at; i--)
    ops[i] = ops[i - 1];
  ops[drop_at] = RACE_DROP;
  return n_ops + 1;
}

static void
race_run (RaceWorker *worker)
{
  Race *race = worker->race;
  GObject *object = race->object;
  guint ops[RACE_MAX_HOLDERS + 3];
  guint n_ops = race_plan (worker, ops), i, k;

  /* Start together with the other active threads. */
  __atomic_fetch_add (&race->arrived, 1, __ATOMIC_ACQ_REL);
  wk_test_wait_for (&race->arrived, race->n_active, 4000);

  for (i = 0; i < n_ops; i++)
    {
      for (k = race_random (&worker->rng) % race->jitter; k > 0; k--)
        wk_test_cpu_relax ();
      switch (ops[i])
        {
        case RACE_DROP:
          g_object_unref (object);
          break;
        case RACE_EXTRA:
          race_holder_add (&worker->holders[RACE_MAX_HOLDERS], race, object);
          if (race_random (&worker->rng) % 4 == 0)
            g_thread_yield ();
          race_holder_remove (&worker->holders[RACE_MAX_HOLDERS], object);
          break;
        case RACE_CHURN:
          for (k = 1 + race_random (&worker->rng) % 3; k > 0; k--)
            {
              g_object_ref (object);
              g_object_unref (object);
            }
          break;
        default:
          race_holder_remove (&worker->holders[ops[i] - RACE_REMOVE], object);
          break;
        }
    }
}

static gpointer
race_thread (gpointer data)
{
  RaceWorker *worker = data;
  Race *race = worker->race;
  gint round;

  for (round = 1; ; round++)
    {
      gboolean stop;

      pthread_mutex_lock (&race->lock);
      while (race->round < round)
        pthread_cond_wait (&race->cond, &race->lock);
      stop = race->stop;
      pthread_mutex_unlock (&race->lock);
      if (stop)
        break;

      if (worker->active)
        race_run (worker);

      pthread_mutex_lock (&race->lock);
      if (++race->done == RACE_THREADS)
        pthread_cond_broadcast (&race->cond);
      pthread_mutex_unlock (&race->lock);
    }
  return NULL;
}

static void
test_toggle_drop_while_last_removed (gconstpointer data)
{
  Race *race = g_new0 (Race, 1);
  gint rounds = wk_test_iterations (25000, 500000);
  guint32 rng = g_test_rand_int () | 1;
  gint round, n_holders = 0;
  guint i;

  if (g_getenv ("WK_TEST_SLOW_THREADS") != NULL)
    rounds /= 5;
  pthread_mutex_init (&race->lock, NULL);
  pthread_cond_init (&race->cond, NULL);
  for (i = 0; i < RACE_THREADS; i++)
    {
      race->workers[i].race = race;
      race->workers[i].rng = g_test_rand_int () | 1;
      race->workers[i].thread = g_thread_new ("race", race_thread, &race->workers[i]);
    }

  for (round = 1; round <= rounds; round++)
    {
      GObject *object = wk_test_object_new (TYPE_OF (data), &race->finalized);
      gboolean pair = race_random (&rng) % 4 != 0;
      guint total = 0;

      race->finalized = 0;
      race->object = object;
      race->arrived = 0;
      race->n_active = 0;
      /* Pauses before each step: up to about 0.4 µs (pair) or 6 µs
       * (mixed) at 25 ns a pause. */
      race->jitter = pair ? 16 : 256;
      for (i = 0; i < RACE_THREADS; i++)
        {
          RaceWorker *worker = &race->workers[i];
          guint32 r = race_random (&rng);
          guint k;

          if (pair)
            {
              worker->active = i < 2;
              worker->has_ref = i == 0;
              worker->n_holders = i == 1;
              worker->extra = worker->churn = FALSE;
            }
          else
            {
              worker->active = worker->has_ref = TRUE;
              worker->n_holders = r % (RACE_MAX_HOLDERS + 1);
              worker->extra = (r >> 8) % 3 == 0;
              worker->churn = (r >> 12) % 3 == 0;
              if (i == RACE_THREADS - 1 && total == 0)
                worker->n_holders = MAX (worker->n_holders, 1);
            }
          race->n_active += worker->active;
          if (worker->has_ref)
            g_object_ref (object);
          for (k = 0; k < worker->n_holders; k++)
            race_holder_add (&worker->holders[k], race, object);
          total += worker->n_holders;
        }
      n_holders += total;
      /* Only the workers' references and Wk's toggle reference are left. */
      g_object_unref (object);

      pthread_mutex_lock (&race->lock);
      race->done = 0;
      race->round = round;
      pthread_cond_broadcast (&race->cond);
      while (race->done < RACE_THREADS)
        pthread_cond_wait (&race->cond, &race->lock);
      pthread_mutex_unlock (&race->lock);

      g_assert_cmpint (__atomic_load_n (&race->finalized, __ATOMIC_ACQUIRE), ==, 1);
      g_assert_cmpint (__atomic_load_n (&race->late, __ATOMIC_RELAXED), ==, 0);
      g_assert_cmpint (__atomic_load_n (&race->repeats, __ATOMIC_RELAXED), ==, 0);
      g_assert_cmpint (__atomic_load_n (&race->wrong, __ATOMIC_RELAXED), ==, 0);
    }

  pthread_mutex_lock (&race->lock);
  race->stop = TRUE;
  race->round = rounds + 1;
  pthread_cond_broadcast (&race->cond);
  pthread_mutex_unlock (&race->lock);
  for (i = 0; i < RACE_THREADS; i++)
    g_thread_join (race->workers[i].thread);
  g_test_message ("%d rounds, %d holders, %d notifications", rounds, n_holders, race->told);
  pthread_cond_destroy (&race->cond);
  pthread_mutex_destroy (&race->lock);
  g_free (race);
}

/* In a subprocess: what failed here was a hang (a lock in freed memory). */
static void
test_toggle_drop_race (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      test_toggle_drop_while_last_removed (data);
      return;
    }
  g_test_trap_subprocess (NULL, 100 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
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
  wk_test_add_for_types ("/toggle/remove-waits-for-own-notify", test_toggle_remove_waits_for_own_notify);
  g_test_add_func ("/toggle/self-remove-destroy", test_toggle_self_remove_destroy);
  wk_test_add_for_types ("/toggle/drop-while-last-removed", test_toggle_drop_race);
  g_test_add_func ("/toggle/bad-input", test_toggle_bad_input);

  return g_test_run ();
}
