/* finalizer.c: tests for WkFinalizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

typedef struct
{
  GPtrArray *order;       /* names, in the order things ran */
  gint       ran;         /* (atomic) */
  gint       destroyed;   /* (atomic) */
} Log;

typedef struct
{
  Log        *log;
  const char *name;
  GObject    *object;     /* (nullable) checked to read NULL */
} Entry;

static Entry *
entry_new (Log        *log,
           const char *name)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->log = log;
  entry->name = name;
  return entry;
}

static void
entry_run (gpointer data)
{
  Entry *entry = data;

  __atomic_fetch_add (&entry->log->ran, 1, __ATOMIC_RELAXED);
  if (entry->log->order != NULL)
    g_ptr_array_add (entry->log->order, (gpointer) entry->name);
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  __atomic_fetch_add (&entry->log->destroyed, 1, __ATOMIC_RELAXED);
  g_free (entry);
}

static void
log_ref_callback (WkRef    *ref,
                  gpointer  user_data)
{
  Entry *entry = user_data;

  g_ptr_array_add (entry->log->order, (gpointer) entry->name);
}

static char *
joined (GPtrArray *order)
{
  g_ptr_array_add (order, NULL);
  return g_strjoinv (" ", (char **) order->pdata);
}

static void
test_finalizer_runs_at_death (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  Log log = { 0 };
  WkFinalizer *finalizer = wk_finalizer_new (object, entry_run, entry_new (&log, "f"), entry_free);

  /* Does not keep the object alive, and does not count as a weak ref. */
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 0);
  g_assert_true (wk_finalizer_is_alive (finalizer));
  g_assert_true (wk_finalizer_get_atexit (finalizer));

  /* Wk keeps it alive: dropping ours changes nothing. */
  g_object_add_weak_pointer (G_OBJECT (finalizer), (gpointer *) &finalizer);
  g_object_unref (finalizer);
  g_assert_nonnull (finalizer);

  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 1);
  /* And lets it go once it has run. */
  g_assert_null (finalizer);
}

static void
test_finalizer_death_order (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  Log log = { g_ptr_array_new (), 0, 0 };
  Entry *a = entry_new (&log, "ref-a"), *b = entry_new (&log, "ref-b");
  WkRef *ref_a = wk_ref_new (object, log_ref_callback, a, g_free);
  WkFinalizer *finalizer = wk_finalizer_new (object, entry_run, entry_new (&log, "finalizer"), entry_free);
  WkRef *ref_b = wk_ref_new (object, log_ref_callback, b, g_free);
  char *order;

  g_object_unref (finalizer);
  g_object_unref (object);
  order = joined (log.order);
  /* Newest first, the finalizer counting as registered between the refs. */
  g_assert_cmpstr (order, ==, "ref-b finalizer ref-a");
  g_free (order);
  g_ptr_array_unref (log.order);
  g_object_unref (ref_a);
  g_object_unref (ref_b);
}

static void
test_finalizer_call_detach (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  Log log = { 0 };
  WkFinalizer *called = wk_finalizer_new (object, entry_run, entry_new (&log, "called"), entry_free);
  WkFinalizer *detached = wk_finalizer_new (object, entry_run, entry_new (&log, "detached"), entry_free);
  GObject *peeked;

  peeked = wk_finalizer_dup_object (called);
  g_assert_true (peeked == object);
  g_object_unref (peeked);

  g_assert_true (wk_finalizer_call (called));
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_assert_false (wk_finalizer_is_alive (called));
  g_assert_false (wk_finalizer_call (called));
  g_assert_false (wk_finalizer_detach (called));
  g_assert_null (wk_finalizer_dup_object (called));

  g_assert_true (wk_finalizer_detach (detached));
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 2);
  g_assert_false (wk_finalizer_is_alive (detached));
  g_assert_false (wk_finalizer_detach (detached));
  g_assert_false (wk_finalizer_call (detached));
  g_assert_null (wk_finalizer_dup_object (detached));

  /* The object's death runs neither again. */
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 2);
  g_object_unref (called);
  g_object_unref (detached);
}

static void
test_finalizer_after_death (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  Log log = { 0 };
  WkFinalizer *finalizer = wk_finalizer_new (object, entry_run, entry_new (&log, "f"), entry_free);

  g_object_unref (object);
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_false (wk_finalizer_is_alive (finalizer));
  g_assert_null (wk_finalizer_dup_object (finalizer));
  g_assert_false (wk_finalizer_call (finalizer));
  g_assert_false (wk_finalizer_detach (finalizer));
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_object_unref (finalizer);
}

static void
test_finalizer_run_dispose (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  Log log = { g_ptr_array_new (), 0, 0 };
  WkFinalizer *first = wk_finalizer_new (object, entry_run, entry_new (&log, "first"), entry_free);
  WkFinalizer *second;
  char *order;

  /* g_object_run_dispose() is a death for weak references: the first
   * runs; one made afterwards follows the object that lives on. */
  g_object_run_dispose (object);
  g_assert_cmpint (log.ran, ==, 1);
  second = wk_finalizer_new (object, entry_run, entry_new (&log, "second"), entry_free);
  g_assert_true (wk_finalizer_is_alive (second));
  g_object_unref (object);
  order = joined (log.order);
  g_assert_cmpstr (order, ==, "first second");
  g_free (order);
  g_ptr_array_unref (log.order);
  g_object_unref (first);
  g_object_unref (second);
}

static void
test_finalizer_atexit_property (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  Log log = { 0 };
  WkFinalizer *finalizer = wk_finalizer_new (object, entry_run, entry_new (&log, "f"), entry_free);
  gboolean atexit = TRUE;

  wk_finalizer_set_atexit (finalizer, FALSE);
  g_object_get (finalizer, "atexit", &atexit, NULL);
  g_assert_false (atexit);
  g_object_set (finalizer, "atexit", TRUE, NULL);
  g_assert_true (wk_finalizer_get_atexit (finalizer));
  wk_finalizer_detach (finalizer);
  g_object_unref (finalizer);
  g_object_unref (object);
}

static void
print_name (gpointer data)
{
  printf ("ran %s\n", (const char *) data);
}

static GObject *exit_object;

static void
make_more (gpointer data)
{
  printf ("ran %s\n", (const char *) data);
  /* Made while finalizers run at exit: it runs too. */
  g_object_unref (wk_finalizer_new (exit_object, print_name, "late", NULL));
}

/* The child leaves three atexit finalizers, one that is not, one that is
 * detached and one that already ran; exit() runs the atexit ones, newest
 * first, each once. */
static void
test_finalizer_at_exit (void)
{
  if (g_test_subprocess ())
    {
      GObject *dead = g_object_new (G_TYPE_OBJECT, NULL);
      WkFinalizer *no_exit, *detached;

      exit_object = g_object_new (G_TYPE_OBJECT, NULL);
      g_object_unref (wk_finalizer_new (exit_object, print_name, "first", NULL));
      g_object_unref (wk_finalizer_new (exit_object, make_more, "second", NULL));
      no_exit = wk_finalizer_new (exit_object, print_name, "not-at-exit", NULL);
      wk_finalizer_set_atexit (no_exit, FALSE);
      g_object_unref (no_exit);
      detached = wk_finalizer_new (exit_object, print_name, "detached", NULL);
      wk_finalizer_detach (detached);
      g_object_unref (detached);
      g_object_unref (wk_finalizer_new (dead, print_name, "at-death", NULL));
      g_object_unref (dead);
      g_object_unref (wk_finalizer_new (exit_object, print_name, "third", NULL));
      printf ("exiting\n");
      /* exit_object stays alive: only the exit can run them. */
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("ran at-death\nexiting\nran third\nran second\nran late\nran first\n");
}

/* Threads race the object's death against call() or detach(): each
 * finalizer runs at most once and is destroyed exactly once. */
typedef struct
{
  GObject     *object;
  WkFinalizer *finalizer;
  gboolean     detach;
  gint         won;   /* call() or detach() returned TRUE */
  gint         spins; /* how long this side waits after the start */
  gint         ready; /* (atomic) */
  gint         go;    /* (atomic) */
} Race;

static void
spin (gint n)
{
  static gint sink;

  while (n-- > 0)
    __atomic_fetch_add (&sink, 1, __ATOMIC_RELAXED);
}

static gpointer
race_thread (gpointer data)
{
  Race *race = data;

  __atomic_store_n (&race->ready, 1, __ATOMIC_RELEASE);
  while (__atomic_load_n (&race->go, __ATOMIC_ACQUIRE) == 0)
    ;
  spin (race->spins);
  race->won = race->detach ? wk_finalizer_detach (race->finalizer)
                           : wk_finalizer_call (race->finalizer);
  return NULL;
}

static void
test_finalizer_race (void)
{
  gint n = wk_test_iterations (400, 50000);
  gint calls_won = 0, detaches_won = 0;
  Log log = { 0 };
  gint i;

  for (i = 0; i < n; i++)
    {
      Race race = { g_object_new (G_TYPE_OBJECT, NULL), NULL, i % 2, 0, (i / 2) % 200, 0, 0 };
      GThread *thread;

      race.finalizer = wk_finalizer_new (race.object, entry_run, entry_new (&log, "r"), entry_free);
      thread = g_thread_new ("race", race_thread, &race);
      while (__atomic_load_n (&race.ready, __ATOMIC_ACQUIRE) == 0)
        ;
      __atomic_store_n (&race.go, 1, __ATOMIC_RELEASE);
      spin (100);
      g_object_unref (race.object);
      g_thread_join (thread);
      if (race.won)
        (race.detach ? &detaches_won : &calls_won)[0]++;
      g_assert_false (wk_finalizer_is_alive (race.finalizer));
      g_object_unref (race.finalizer);
    }

  /* Everything ran once, except what detach() won. */
  g_assert_cmpint (log.destroyed, ==, n);
  g_assert_cmpint (log.ran, ==, n - detaches_won);
  g_test_message ("%d races: call won %d, detach won %d, death won %d",
                  n, calls_won, detaches_won, n - calls_won - detaches_won);
}

static void
test_finalizer_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_finalizer_new (NULL, print_name, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_finalizer_new (not_an_object, print_name, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
      g_assert_null (wk_finalizer_new (object, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      g_assert_false (wk_finalizer_call (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      g_assert_false (wk_finalizer_detach ((WkFinalizer *) object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      g_assert_null (wk_finalizer_dup_object (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      g_assert_false (wk_finalizer_is_alive (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      g_assert_false (wk_finalizer_get_atexit (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZER*");
      wk_finalizer_set_atexit (NULL, TRUE);
      g_test_assert_expected_messages ();

      g_object_unref (object);
      g_param_spec_unref (not_an_object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- light finalizers (wk_finalize_add) ------------------------------ */

typedef struct
{
  Log     *log;
  WkWeak  *weak;     /* must read NULL when the finalizer runs */
  WkRef   *ref;
} Watched;

static void
light_checks_refs (gpointer data)
{
  Entry *entry = data;

  /* Every weak reference to the object reads NULL by now. */
  g_assert_null (entry->object);
  entry_run (data);
}

static void
test_light_runs_at_death (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  Log log = { g_ptr_array_new (), 0, 0 };
  Entry *a = entry_new (&log, "ref-a"), *b = entry_new (&log, "ref-b");
  WkRef *ref_a = wk_ref_new (object, log_ref_callback, a, g_free);
  gsize light = wk_finalize_add (object, light_checks_refs, entry_new (&log, "light"), entry_free);
  WkRef *ref_b = wk_ref_new (object, log_ref_callback, b, g_free);
  gsize removed = wk_finalize_add (object, entry_run, entry_new (&log, "removed"), entry_free);
  WkWeak weak = WK_WEAK_INIT;
  char *order;

  g_assert_cmpuint (light, !=, 0);
  g_assert_cmpuint (removed, !=, 0);
  g_assert_cmpuint (light, !=, removed);
  /* Not a weak ref, and does not keep the object alive. */
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 2);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);

  g_assert_true (wk_finalize_remove (object, removed));
  g_assert_cmpint (log.destroyed, ==, 1);
  g_assert_false (wk_finalize_remove (object, removed));

  wk_weak_init (&weak, object);
  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  order = joined (log.order);
  g_assert_cmpstr (order, ==, "ref-b light ref-a");
  g_free (order);
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 2);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
  g_ptr_array_unref (log.order);
  g_object_unref (ref_a);
  g_object_unref (ref_b);
}

static void
test_light_after_death (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  Log log = { 0 };
  gsize id = wk_finalize_add (object, entry_run, entry_new (&log, "f"), entry_free);

  g_object_unref (object);
  g_assert_cmpint (log.ran, ==, 1);
  g_assert_cmpint (log.destroyed, ==, 1);
  (void) id;
}

/* Added from the object's own finalize: never runs, destroy at once. */
static void
add_light_in_finalize (GObject  *object,
                       gpointer  data)
{
  Log *log = data;

  g_assert_cmpuint (wk_finalize_add (object, entry_run, entry_new (log, "late"), entry_free), ==, 0);
}

static void
test_light_while_dying (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  Log log = { 0 };

  wk_test_probe (object)->finalize_hook = add_light_in_finalize;
  wk_test_probe (object)->finalize_data = &log;
  g_object_unref (object);
  g_assert_cmpint (log.ran, ==, 0);
  g_assert_cmpint (log.destroyed, ==, 1);
}

/* A finalizer that removes another one of the same object, and one
 * that drops the last reference to a second object with its own. */
typedef struct
{
  GObject *object;
  gsize    other;
  gboolean removed;
  GObject *to_drop;
} Reentry;

static void
light_reenters (gpointer data)
{
  Reentry *r = data;

  /* The other one is older, so it has not run yet: removed here, it
   * does not run (as a detached WkFinalizer, or CPython's finalize). */
  r->removed = wk_finalize_remove (r->object, r->other);
  g_clear_object (&r->to_drop);
}

static void
test_light_reentrant (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *second = g_object_new (G_TYPE_OBJECT, NULL);
  Log log = { 0 };
  Reentry r = { object, 0, TRUE, second };

  r.other = wk_finalize_add (object, entry_run, entry_new (&log, "other"), entry_free);
  wk_finalize_add (object, light_reenters, &r, NULL);
  wk_finalize_add (second, entry_run, entry_new (&log, "second"), entry_free);
  g_object_unref (object);
  g_assert_true (r.removed);
  g_assert_null (r.to_drop);
  g_assert_cmpint (log.ran, ==, 1);         /* "second" only */
  g_assert_cmpint (log.destroyed, ==, 2);   /* "other" by remove(), "second" */
}

/* remove() in one thread (which reaches the object through a weak
 * pointer, as it must hold it while it calls), the last unref in another:
 * exactly one wins, and the destroy notify runs once either way. */
typedef struct
{
  WkWeak   weak;
  gsize    id;
  gint     ready;
  gint     go;
  gint     delay;
  gboolean removed;
} LightRace;

static gpointer
light_race_thread (gpointer data)
{
  LightRace *race = data;
  GObject *object;

  __atomic_store_n (&race->ready, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n (&race->go, __ATOMIC_ACQUIRE))
    wk_test_cpu_relax ();
  spin (race->delay);
  object = wk_weak_get (&race->weak);
  if (object != NULL)
    {
      race->removed = wk_finalize_remove (object, race->id);
      g_object_unref (object);
    }
  return NULL;
}

static void
test_light_race (void)
{
  gint n = wk_test_iterations (2000, 100000);
  gint removed = 0;
  Log log = { 0 };
  gint i;

  for (i = 0; i < n; i++)
    {
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      LightRace race = { WK_WEAK_INIT, 0, 0, 0, (i / 2) % 200, FALSE };
      GThread *thread;

      wk_weak_init (&race.weak, object);
      race.id = wk_finalize_add (object, entry_run, entry_new (&log, "r"), entry_free);
      thread = g_thread_new ("light-race", light_race_thread, &race);
      while (!__atomic_load_n (&race.ready, __ATOMIC_ACQUIRE))
        wk_test_cpu_relax ();
      __atomic_store_n (&race.go, 1, __ATOMIC_RELEASE);
      spin (i % 2 ? 100 : 0);
      g_object_unref (object);
      g_thread_join (thread);
      wk_weak_clear (&race.weak);
      removed += race.removed;
    }
  g_assert_cmpint (log.destroyed, ==, n);
  g_assert_cmpint (log.ran, ==, n - removed);
  g_test_message ("%d races: remove won %d, death won %d", n, removed, n - removed);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/finalizer/runs-at-death", test_finalizer_runs_at_death);
  wk_test_add_for_types ("/finalizer/death-order", test_finalizer_death_order);
  wk_test_add_for_types ("/finalizer/call-detach", test_finalizer_call_detach);
  wk_test_add_for_types ("/finalizer/after-death", test_finalizer_after_death);
  wk_test_add_for_types ("/finalizer/run-dispose", test_finalizer_run_dispose);
  g_test_add_func ("/finalizer/atexit-property", test_finalizer_atexit_property);
  g_test_add_func ("/finalizer/at-exit", test_finalizer_at_exit);
  g_test_add_func ("/finalizer/race", test_finalizer_race);
  g_test_add_func ("/finalizer/bad-input", test_finalizer_bad_input);
  wk_test_add_for_types ("/finalizer/light/runs-at-death", test_light_runs_at_death);
  g_test_add_func ("/finalizer/light/after-death", test_light_after_death);
  wk_test_add_for_types ("/finalizer/light/while-dying", test_light_while_dying);
  g_test_add_func ("/finalizer/light/reentrant", test_light_reentrant);
  g_test_add_func ("/finalizer/light/race", test_light_race);

  return g_test_run ();
}
