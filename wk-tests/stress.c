/* stress.c: weak references racing the death of their referent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test counts what it checked and fails on any resurrection (a get
 * returning an object whose dispose had begun), double or lost callback,
 * double finalization or leak. Iterations: the default run is short;
 * `-m thorough` runs ten times more; WK_TEST_ITERATIONS overrides both.
 */

#include <wk/wk.h>

#include "wk-test-util.h"

/* Spins before yielding in wait_for(). */
#define WAIT_SPINS 2000

static void
wait_for (gint *counter,
          gint  value)
{
  wk_test_wait_for (counter, value, WAIT_SPINS);
}

typedef enum {
  VIA_REF,
  VIA_WEAK,
} Via;

typedef enum {
  OWNER_PLAIN,       /* one normal reference, dropped */
  OWNER_TEMP_REFS,   /* dispose takes and drops temporary references */
  OWNER_TOGGLE,      /* a GLib toggle reference, as a binding holds */
} Owner;

typedef struct
{
  const char *name;
  GType       type;
  Via         via;
  Owner       owner;
} RaceCase;

typedef struct
{
  const RaceCase *c;
  gint            iterations;

  WkRef          *ref;
  WkWeak          weak;
  gint            go;            /* (atomic) iteration the reader may run */
  gint            reader_done;   /* (atomic) */

  gint            finalized;     /* (atomic) per iteration */
  gint            disposed;      /* (atomic) per iteration */
  gint            callbacks;     /* (atomic) per iteration */

  guint64         derefs;
  guint64         hits;
  guint64         resurrections;
} Race;

static void
race_dispose_hook (GObject  *object,
                   gpointer  data)
{
  Race *race = data;

  g_atomic_int_inc (&race->disposed);
  if (race->c->owner == OWNER_TEMP_REFS)
    {
      /* Temporary references in dispose put the count at 2 while the
       * object is dying: the lock-free path must still say NULL. */
      g_object_ref (object);
      g_thread_yield ();
      g_object_unref (object);
    }
}

static void
race_callback (WkRef    *ref,
               gpointer  data)
{
  Race *race = data;

  g_atomic_int_inc (&race->callbacks);
}

static void
race_toggle (gpointer  data,
             GObject  *object,
             gboolean  is_last_ref)
{
}

static gpointer
race_reader (gpointer data)
{
  Race *race = data;
  gint iter;

  for (iter = 1; iter <= race->iterations; iter++)
    {
      guint k;

      wait_for (&race->go, iter);

      for (k = 0; k < 64; k++)
        {
          GObject *object = race->c->via == VIA_REF ? wk_ref_get (race->ref)
                                                    : wk_weak_get (&race->weak);

          race->derefs++;
          if (object == NULL)
            break;
          race->hits++;
          if (g_atomic_int_get (&wk_test_probe (object)->dispose_count) != 0)
            race->resurrections++;
          g_object_unref (object);
        }
      g_atomic_int_set (&race->reader_done, iter);
    }
  return NULL;
}

/* One run of @iterations objects; adds to the counts in @race. */
static void
race_run (Race     *race,
          gint      iterations,
          guint64  *extra_disposes)
{
  const RaceCase *c = race->c;
  GRand *rand = g_rand_new_with_seed (0x5eed + race->hits);
  GThread *reader;
  gint iter;

  race->iterations = iterations;
  g_atomic_int_set (&race->go, 0);
  g_atomic_int_set (&race->reader_done, 0);
  reader = g_thread_new ("reader", race_reader, race);

  for (iter = 1; iter <= iterations; iter++)
    {
      GObject *object;
      guint delay, i;

      g_atomic_int_set (&race->finalized, 0);
      g_atomic_int_set (&race->disposed, 0);
      g_atomic_int_set (&race->callbacks, 0);

      object = wk_test_object_new (c->type, &race->finalized);
      wk_test_probe (object)->dispose_hook = race_dispose_hook;
      wk_test_probe (object)->dispose_data = race;
      if (c->via == VIA_REF)
        race->ref = wk_ref_new (object, race_callback, race, NULL);
      else
        wk_weak_init (&race->weak, object);
      if (c->owner == OWNER_TOGGLE)
        {
          g_object_add_toggle_ref (object, race_toggle, NULL);
          g_object_unref (object);
        }

      g_atomic_int_set (&race->go, iter);
      delay = g_rand_int_range (rand, 0, 400);
      for (i = 0; i < delay; i++)
        wk_test_cpu_relax ();

      if (c->owner == OWNER_TOGGLE)
        g_object_remove_toggle_ref (object, race_toggle, NULL);
      else
        g_object_unref (object);

      wait_for (&race->reader_done, iter);

      /* The reader has let go of everything it got. */
      g_assert_cmpint (g_atomic_int_get (&race->finalized), ==, 1);
      if (c->via == VIA_REF)
        {
          g_assert_cmpint (g_atomic_int_get (&race->callbacks), ==, 1);
          g_assert_false (wk_ref_is_alive (race->ref));
          g_clear_object (&race->ref);
        }
      else
        {
          g_assert_null (wk_weak_get (&race->weak));
          wk_weak_clear (&race->weak);
        }
      /* An object whose dispose takes temporary references may be
       * disposed twice when a get races that dispose (GObject allows it;
       * see wk-anchor-private.h); anything else is disposed once. */
      if (c->owner == OWNER_TEMP_REFS)
        *extra_disposes += g_atomic_int_get (&race->disposed) - 1;
      else
        g_assert_cmpint (g_atomic_int_get (&race->disposed), ==, 1);
    }

  g_thread_join (reader);
  g_rand_free (rand);
}

static void
test_deref_vs_final_unref (gconstpointer data)
{
  const RaceCase *c = data;
  Race race = { 0, };
  guint64 extra_disposes = 0;
  gint iterations = wk_test_iterations (100000, 1000000);
  gint objects = 0, runs;

  race.c = c;
  /* A run in which the reader never got the object did not exercise the
   * race: its thread was not running while the object lived, which a
   * loaded machine (other tests, a sanitizer) can make last a whole run.
   * Then a few more runs. */
  for (runs = 0; runs < 4 && (runs == 0 || race.hits == 0); runs++)
    {
      race_run (&race, iterations, &extra_disposes);
      objects += iterations;
    }

  g_test_message ("%s: %d objects, %" G_GUINT64_FORMAT " gets, %" G_GUINT64_FORMAT
                  " got the object, %" G_GUINT64_FORMAT " resurrections, %"
                  G_GUINT64_FORMAT " extra disposes",
                  c->name, objects, race.derefs, race.hits,
                  race.resurrections, extra_disposes);
  g_assert_cmpuint (race.resurrections, ==, 0);
  /* Under ThreadSanitizer (the tsan test setup sets WK_TEST_SLOW_THREADS)
   * the timing is so different that no run may race; it is then
   * reported. */
  if (race.hits == 0 && g_getenv ("WK_TEST_SLOW_THREADS") != NULL)
    g_test_message ("%s: no get won the race in this run", c->name);
  else
    g_assert_cmpuint (race.hits, >, 0);
}

/* Threads create and drop refs (with callbacks) and WkWeaks on one object
 * while its last owner lets go. Every ref's destroy runs exactly once;
 * its callback runs at most once, before the destroy, and never for a
 * ref made after the death. */
typedef struct
{
  gint called;      /* (atomic) */
  gint destroyed;   /* (atomic) */
  gint after_death; /* made when the source already read NULL */
} Tracker;

typedef struct
{
  GType      type;
  WkWeak     source;
  gint       go;          /* (atomic) round */
  gint       done;        /* (atomic) workers finished this round */
  gint       rounds;
  GPtrArray *trackers[2];
  guint64    made;
} Churn;

static void
tracker_callback (WkRef    *ref,
                  gpointer  data)
{
  Tracker *t = data;

  g_assert_cmpint (g_atomic_int_get (&t->destroyed), ==, 0);
  g_atomic_int_inc (&t->called);
}

static void
tracker_destroy (gpointer data)
{
  Tracker *t = data;

  g_atomic_int_inc (&t->destroyed);
}

static gpointer
churn_worker (gpointer data)
{
  Churn *churn = ((gpointer *) data)[0];
  guint index = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  GPtrArray *kept = g_ptr_array_new_with_free_func (g_object_unref);
  gint round;

  for (round = 1; round <= churn->rounds; round++)
    {
      guint k;

      wait_for (&churn->go, round);
      /* Refs kept over from the last round: their referent is dead, and
       * each has called back once by now. */
      g_ptr_array_set_size (kept, 0);

      for (k = 0; k < 64; k++)
        {
          GObject *object = wk_weak_get (&churn->source);
          Tracker *t = g_new0 (Tracker, 1);
          WkRef *ref;
          WkWeak weak;

          g_ptr_array_add (churn->trackers[index], t);
          if (object == NULL)
            {
              /* The object is gone; nothing to make refs to. */
              t->after_death = TRUE;
              t->destroyed = 1;
              break;
            }
          ref = wk_ref_new (object, tracker_callback, t, tracker_destroy);
          wk_weak_init (&weak, object);
          g_object_unref (object);
          if (k % 2 == 0)
            g_object_unref (ref);   /* dropped while the object may live */
          else
            g_ptr_array_add (kept, ref);
          wk_weak_clear (&weak);
        }
      g_atomic_int_inc (&churn->done);
    }
  g_ptr_array_unref (kept);
  return NULL;
}

static void
test_create_clear_while_dying (gconstpointer data)
{
  Churn churn = { 0, };
  gpointer args[2][2];
  GThread *workers[2];
  gint round;
  guint i, w;
  guint64 called = 0;

  churn.type = (GType) GPOINTER_TO_SIZE (data);
  churn.rounds = wk_test_iterations (2000, 20000);
  for (w = 0; w < 2; w++)
    {
      churn.trackers[w] = g_ptr_array_new_with_free_func (g_free);
      args[w][0] = &churn;
      args[w][1] = GUINT_TO_POINTER (w);
      workers[w] = g_thread_new ("churn", churn_worker, args[w]);
    }

  for (round = 1; round <= churn.rounds; round++)
    {
      gint finalized = 0;
      GObject *object = wk_test_object_new (churn.type, &finalized);

      wk_weak_init (&churn.source, object);
      g_atomic_int_set (&churn.go, round);
      for (i = 0; i < (guint) (round % 64) * 8; i++)
        wk_test_cpu_relax ();
      g_object_unref (object);
      wait_for (&churn.done, round * 2);
      g_assert_cmpint (finalized, ==, 1);
      wk_weak_clear (&churn.source);
    }
  for (w = 0; w < 2; w++)
    g_thread_join (workers[w]);

  for (w = 0; w < 2; w++)
    for (i = 0; i < churn.trackers[w]->len; i++)
      {
        Tracker *t = g_ptr_array_index (churn.trackers[w], i);

        g_assert_cmpint (t->destroyed, ==, 1);
        g_assert_cmpint (t->called, <=, 1);
        if (t->after_death)
          g_assert_cmpint (t->called, ==, 0);
        churn.made++;
        called += t->called;
      }
  g_test_message ("%d objects, %" G_GUINT64_FORMAT " refs made, %" G_GUINT64_FORMAT
                  " callbacks", churn.rounds, churn.made, called);
  for (w = 0; w < 2; w++)
    g_ptr_array_unref (churn.trackers[w]);
}

/* Threads make and drop the shared callback-less ref of one live object
 * and read through it (Python's Wk.ref (o) does this): the ref being
 * finalized in one thread must never be handed to another. Then the
 * same with refs that have callbacks and with wk_get_weak_refs(), which
 * also hand out refs found through the object. */
typedef enum {
  SHARE_NEW_SHARED,     /* wk_ref_new (o, NULL, …) */
  SHARE_LIST_REFS,      /* wk_get_weak_refs (o) while refs come and go */
} ShareOp;

typedef struct
{
  GObject  *object;
  ShareOp   op;
  gint      stop;      /* (atomic) */
  gint      loops;     /* (atomic) */
} Share;

static void
share_callback (WkRef    *ref,
                gpointer  data)
{
  /* The object outlives the test's refs: never called. */
  g_assert_not_reached ();
}

static gpointer
share_worker (gpointer data)
{
  Share *share = data;
  gint loops = 0;

  while (!g_atomic_int_get (&share->stop))
    {
      WkRef *r = wk_ref_new (share->object, NULL, NULL, NULL);
      GObject *o = wk_ref_get (r);

      g_assert_true (o == share->object);
      g_object_unref (o);
      if (share->op == SHARE_LIST_REFS)
        {
          WkRef *with_callback = wk_ref_new (share->object, share_callback, NULL, NULL);
          GPtrArray *refs = wk_get_weak_refs (share->object);
          guint i;

          g_assert_cmpuint (refs->len, >=, 1);
          for (i = 0; i < refs->len; i++)
            {
              o = wk_ref_get (g_ptr_array_index (refs, i));
              g_assert_true (o == share->object);
              g_object_unref (o);
              g_object_unref (g_ptr_array_index (refs, i));
            }
          g_ptr_array_unref (refs);
          g_object_unref (with_callback);
        }
      g_object_unref (r);
      loops++;
    }
  g_atomic_int_add (&share->loops, loops);
  return NULL;
}

static void
test_shared_ref_threads (gconstpointer data)
{
  const ShareOp *ops = data;
  Share share = { 0, };
  GThread *workers[3];
  gint finalized = 0;
  guint w;
  gint64 end;

  share.object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, &finalized);
  share.op = *ops;
  for (w = 0; w < G_N_ELEMENTS (workers); w++)
    workers[w] = g_thread_new ("share", share_worker, &share);
  end = g_get_monotonic_time () + (g_test_thorough () ? 20 : 2) * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    g_usleep (10000);
  g_atomic_int_set (&share.stop, 1);
  for (w = 0; w < G_N_ELEMENTS (workers); w++)
    g_thread_join (workers[w]);

  g_assert_cmpuint (wk_get_weak_ref_count (share.object), ==, 0);
  g_object_unref (share.object);
  g_assert_cmpint (finalized, ==, 1);
  g_test_message ("%d loops in 3 threads", share.loops);
}

static const RaceCase race_cases[] = {
  { "gobject/ref", 0, VIA_REF, OWNER_PLAIN },
  { "gobject/weak", 0, VIA_WEAK, OWNER_PLAIN },
  { "gobject/temp-refs-in-dispose", 0, VIA_REF, OWNER_TEMP_REFS },
  { "gobject/toggle", 0, VIA_WEAK, OWNER_TOGGLE },
  { "wkobject/ref", 1, VIA_REF, OWNER_PLAIN },
  { "wkobject/weak", 1, VIA_WEAK, OWNER_PLAIN },
  { "wkobject/temp-refs-in-dispose", 1, VIA_REF, OWNER_TEMP_REFS },
  { "wkobject/toggle", 1, VIA_WEAK, OWNER_TOGGLE },
};

int
main (int argc, char *argv[])
{
  static RaceCase cases[G_N_ELEMENTS (race_cases)];
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (race_cases); i++)
    {
      char *path;

      cases[i] = race_cases[i];
      cases[i].type = race_cases[i].type ? WK_TEST_TYPE_WK_OBJECT : WK_TEST_TYPE_GOBJECT;
      path = g_strconcat ("/stress/deref-vs-final-unref/", cases[i].name, NULL);
      g_test_add_data_func (path, &cases[i], test_deref_vs_final_unref);
      g_free (path);
    }
  wk_test_add_for_types ("/stress/create-clear-while-dying", test_create_clear_while_dying);
  {
    static const ShareOp new_shared = SHARE_NEW_SHARED, list_refs = SHARE_LIST_REFS;

    g_test_add_data_func ("/stress/shared-ref-threads/new-get-unref", &new_shared,
                          test_shared_ref_threads);
    g_test_add_data_func ("/stress/shared-ref-threads/list-refs", &list_refs,
                          test_shared_ref_threads);
  }

  return g_test_run ();
}
