/* bench-gc.c: the cycle collector next to CPython's, and the cost of
 * tracking
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What wk_gc_collect() costs per object it frees, on N WkObjects in
 * 2-cycles (pairs that hold each other with wk_object_hold(), then
 * unreffed), and per live object on a collection that finds nothing (a
 * chain of WkObjects reachable from one outside reference); next to the
 * same shapes in CPython, timed inside a python3 subprocess that each
 * round starts in its turn. Also what tracking adds to an object's life:
 * WkObject new+unref against GObject new+unref.
 *
 * Only the collect call is timed: the objects are made before it and,
 * for the chain, freed after it, untimed. Automatic collections are off
 * throughout (wk_gc_disable(); the default idle mode would also need a
 * main loop, which this program never runs), and every round frees all
 * it made: each run checks that no tracked object is left.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <wk/wk.h>

#include "bench-common.h"

#define N_SMALL   100000
#define N_LARGE   1000000
#define N_LIVE    100000

enum {
  V_WK_PAIRS_SMALL,     /* wk_gc_collect (-1) on N_SMALL objects in 2-cycles */
  V_PY_PAIRS_SMALL,     /* gc.collect () on the same, in CPython */
  V_WK_FREE_SMALL,      /* the floor: refcounting frees N_SMALL WkObjects in pairs */
  V_WK_PAIRS_LARGE,
  V_PY_PAIRS_LARGE,
  V_WK_LIVE,            /* wk_gc_collect (-1) with N_LIVE live objects, no garbage */
  V_PY_LIVE,
  V_WK_OBJECT,          /* wk_object_new + unref, in chunks alternating with
                         * g_object_new + unref ones (their ns in aux) */
  V_G_OBJECT,           /* g_object_new (G_TYPE_OBJECT) + unref */
  N_VARIANTS
};

static const char *labels[N_VARIANTS] = {
  [V_WK_PAIRS_SMALL] = "wk collect 1e5 in pairs",
  [V_PY_PAIRS_SMALL] = "cpython collect 1e5 in pairs",
  [V_WK_FREE_SMALL]  = "wk refcount frees 1e5 in pairs",
  [V_WK_PAIRS_LARGE] = "wk collect 1e6 in pairs",
  [V_PY_PAIRS_LARGE] = "cpython collect 1e6 in pairs",
  [V_WK_LIVE]        = "wk collect, 1e5 live",
  [V_PY_LIVE]        = "cpython collect, 1e5 live",
  [V_WK_OBJECT]      = "WkObject new+unref",
  [V_G_OBJECT]       = "GObject new+unref",
};

/* The CPython side: argv[1] is "pairs" or "chain", argv[2] N. Prints the
 * ns of the one timed gc.collect() and what it returned. The objects of
 * the interpreter itself are frozen first, so that the collection sees
 * only the N objects, as Wk's does. */
static const char *python_script =
  "import gc, sys, time\n"
  "class C:\n"
  "    pass\n"
  "mode, n = sys.argv[1], int(sys.argv[2])\n"
  "gc.collect()\n"
  "gc.freeze()\n"
  "gc.disable()\n"
  "if mode == 'pairs':\n"
  "    for i in range(n // 2):\n"
  "        a = C(); b = C(); a.o = b; b.o = a\n"
  "    del a, b\n"
  "else:\n"
  "    root = p = C()\n"
  "    for i in range(n - 1):\n"
  "        q = C(); p.o = q; p = q\n"
  "    del p, q\n"
  "t0 = time.perf_counter_ns()\n"
  "k = gc.collect()\n"
  "t1 = time.perf_counter_ns()\n"
  "print(t1 - t0, k)\n";

static const char *python = "/usr/bin/python3";
static BenchResult results[N_VARIANTS];

static void
check_nothing_left (void)
{
  GPtrArray *left = wk_gc_get_objects (-1);

  if (left->len != 0)
    g_error ("%u tracked objects left after a run", left->len);
  g_ptr_array_unref (left);
}

static BenchSample
run_wk_pairs (guint64 n)
{
  gint64 t0, t1;
  guint64 i;
  guint found;

  for (i = 0; i < n / 2; i++)
    {
      WkObject *a = wk_object_new ();
      WkObject *b = wk_object_new ();

      wk_object_hold (a, G_OBJECT (b));
      wk_object_hold (b, G_OBJECT (a));
      g_object_unref (a);
      g_object_unref (b);
    }
  t0 = bench_now_ns ();
  found = wk_gc_collect (-1);
  t1 = bench_now_ns ();
  if (found != n)
    g_error ("collected %u of %" G_GUINT64_FORMAT, found, n);
  check_nothing_left ();
  return bench_sample_make (t1 - t0, n);
}

/* The same objects and edges as run_wk_pairs() but one: b holds a, a
 * holds nothing, so dropping b frees both by refcounting alone. Timed:
 * the drops. What any collection of these objects costs at least. */
static BenchSample
run_wk_free (guint64 n)
{
  WkObject **held_by = g_new (WkObject *, n / 2);
  gint64 t0, t1;
  guint64 i;

  for (i = 0; i < n / 2; i++)
    {
      WkObject *a = wk_object_new ();
      WkObject *b = wk_object_new ();

      wk_object_hold (b, G_OBJECT (a));
      g_object_unref (a);
      held_by[i] = b;
    }
  t0 = bench_now_ns ();
  for (i = 0; i < n / 2; i++)
    g_object_unref (held_by[i]);
  t1 = bench_now_ns ();
  g_free (held_by);
  check_nothing_left ();
  return bench_sample_make (t1 - t0, n);
}

/* WkObject new+unref in chunks, each followed by a chunk of GObject
 * new+unref: the two share the machine's state of the moment far more
 * closely than two runs 100 ms apart (the aux figure is GObject's ns). */
#define OBJECT_CHUNK 1000

static BenchSample
run_objects_interleaved (guint64 n)
{
  gint64 wk_ns = 0, g_ns = 0;
  guint64 done = 0;
  BenchSample s;

  while (done < n)
    {
      guint64 chunk = MIN (OBJECT_CHUNK, n - done), i;
      gint64 t0, t1, t2;

      t0 = bench_now_ns ();
      for (i = 0; i < chunk; i++)
        g_object_unref (wk_object_new ());
      t1 = bench_now_ns ();
      for (i = 0; i < chunk; i++)
        g_object_unref (g_object_new (G_TYPE_OBJECT, NULL));
      t2 = bench_now_ns ();
      wk_ns += t1 - t0;
      g_ns += t2 - t1;
      done += chunk;
    }
  s = bench_sample_make (wk_ns, n);
  s.aux = (double) g_ns / (double) n;
  return s;
}

static BenchSample
run_wk_live (guint64 n)
{
  WkObject **chain = g_new (WkObject *, n);
  gint64 t0, t1;
  guint64 i;
  guint found;

  /* Only chain[0] has an outside reference; each holds the next. */
  chain[0] = wk_object_new ();
  for (i = 1; i < n; i++)
    {
      chain[i] = wk_object_new ();
      wk_object_hold (chain[i - 1], G_OBJECT (chain[i]));
      g_object_unref (chain[i]);
    }
  t0 = bench_now_ns ();
  found = wk_gc_collect (-1);
  t1 = bench_now_ns ();
  if (found != 0)
    g_error ("collected %u of a live chain", found);
  /* From the tail: no dispose recursion down the chain. */
  for (i = n - 1; i > 0; i--)
    wk_object_release (chain[i - 1], G_OBJECT (chain[i]));
  g_object_unref (chain[0]);
  g_free (chain);
  check_nothing_left ();
  return bench_sample_make (t1 - t0, n);
}

static BenchSample
run_python (const char *mode,
            guint64     n)
{
  g_autofree char *n_arg = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  const char *argv[] = { python, "-c", python_script, mode, n_arg, NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  gint64 ns = 0;
  guint64 found = 0;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", python, error->message);
  if (sscanf (out, "%" G_GINT64_FORMAT " %" G_GUINT64_FORMAT, &ns, &found) != 2)
    g_error ("%s printed '%s'", python, out);
  if (found != (strcmp (mode, "pairs") == 0 ? n : 0))
    g_error ("cpython collected %" G_GUINT64_FORMAT " (%s, %" G_GUINT64_FORMAT ")", found, mode, n);
  return bench_sample_make (ns, n);
}

static BenchSample
run_variant (guint   v,
             guint64 n)
{
  gint64 t0, t1;
  guint64 i;

  switch (v)
    {
    case V_WK_PAIRS_SMALL:
    case V_WK_PAIRS_LARGE:
      return run_wk_pairs (n);
    case V_PY_PAIRS_SMALL:
    case V_PY_PAIRS_LARGE:
      return run_python ("pairs", n);
    case V_WK_FREE_SMALL:
      return run_wk_free (n);
    case V_WK_LIVE:
      return run_wk_live (n);
    case V_PY_LIVE:
      return run_python ("chain", n);
    case V_WK_OBJECT:
      return run_objects_interleaved (n);
    case V_G_OBJECT:
      t0 = bench_now_ns ();
      for (i = 0; i < n; i++)
        g_object_unref (g_object_new (G_TYPE_OBJECT, NULL));
      t1 = bench_now_ns ();
      return bench_sample_make (t1 - t0, n);
    default:
      g_assert_not_reached ();
    }
}

/* The median over the rounds of WkObject's ns over GObject's in the same
 * chunks. */
static double
object_ratio (guint rounds)
{
  double r[BENCH_MAX_ROUNDS];
  guint i;

  for (i = 0; i < rounds; i++)
    r[i] = results[V_WK_OBJECT].ns[i] / results[V_WK_OBJECT].aux[i];
  return bench_median (r, rounds);
}

static gint
met (double ratio,
     double target)
{
  return isnan (ratio) ? -1 : ratio <= target;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions opts = { 0 };
  const GOptionEntry entries[] = {
    BENCH_OPTION_ENTRIES (opts),
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python,
      "The CPython to compare with (default /usr/bin/python3)", "PATH" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GArray) rows = NULL;
  g_autofree char *py_version = NULL;
  const char *version_argv[3];
  double r;
  guint i;

  if (!bench_parse_options (&opts, "- Wk cycle collector benchmark", entries, &argc, &argv))
    return 2;

  /* No automatic collection inside the timed loops, nor between them. */
  wk_gc_disable ();

  version_argv[0] = python;
  version_argv[1] = "--version";
  version_argv[2] = NULL;
  if (!g_spawn_sync (NULL, (char **) version_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &py_version, NULL, NULL, NULL))
    py_version = g_strdup ("?");

  bench_print_system ("bench-gc: Wk's cycle collector vs CPython's gc");
  printf ("python:  %s (%s)\n", python, g_strstrip (py_version));
  bench_print_rounds_line (&opts);
  printf ("\n");
  fflush (stdout);

  for (i = 0; i < N_VARIANTS; i++)
    results[i].label = labels[i];
  results[V_WK_PAIRS_SMALL].n = results[V_PY_PAIRS_SMALL].n = results[V_WK_FREE_SMALL].n = N_SMALL;
  results[V_WK_PAIRS_LARGE].n = results[V_PY_PAIRS_LARGE].n = N_LARGE;
  results[V_WK_LIVE].n = results[V_PY_LIVE].n = N_LIVE;

  g_printerr ("calibrating...\n");
  /* The collections have a fixed size: one warm-up run each. */
  for (i = V_WK_PAIRS_SMALL; i <= V_PY_LIVE; i++)
    run_variant (i, results[i].n);
  results[V_WK_OBJECT].n = bench_calibrate (run_variant, V_WK_OBJECT, opts.target_ms * 1000000);
  results[V_G_OBJECT].n = bench_calibrate (run_variant, V_G_OBJECT, opts.target_ms * 1000000);
  bench_run_rounds (results, N_VARIANTS, opts.rounds, run_variant);

  rows = bench_rows_new ();
  r = bench_ratio (V_WK_PAIRS_SMALL, V_WK_FREE_SMALL);
  bench_add_row (rows, "1. collect 1e5 objects in 2-cycles / refcounting frees them, ns/object",
                 bench_med_cell (V_WK_PAIRS_SMALL), bench_med_cell (V_WK_FREE_SMALL),
                 r, g_strdup ("<= 1.15x"), met (r, 1.15));
  r = bench_ratio (V_WK_PAIRS_SMALL, V_PY_PAIRS_SMALL);
  bench_add_row (rows, "1. the same collection / CPython's, ns/object",
                 bench_med_cell (V_WK_PAIRS_SMALL), bench_med_cell (V_PY_PAIRS_SMALL),
                 r, g_strdup ("(info)"), -1);
  r = bench_ratio (V_WK_FREE_SMALL, V_PY_PAIRS_SMALL);
  bench_add_row (rows, "1. floor: refcounting frees the same 1e5 WkObjects / CPython's collection, ns/object",
                 bench_med_cell (V_WK_FREE_SMALL), bench_med_cell (V_PY_PAIRS_SMALL),
                 r, g_strdup ("(floor)"), -1);
  r = bench_ratio (V_WK_PAIRS_LARGE, V_PY_PAIRS_LARGE);
  bench_add_row (rows, "2. collect 1e6 objects in 2-cycles / CPython's, ns/object",
                 bench_med_cell (V_WK_PAIRS_LARGE), bench_med_cell (V_PY_PAIRS_LARGE),
                 r, g_strdup ("(info)"), -1);
  r = bench_ratio (V_WK_LIVE, V_PY_LIVE);
  bench_add_row (rows, "3. full collection, no garbage, ns/live object (1e5 chain) / CPython's",
                 bench_med_cell (V_WK_LIVE), bench_med_cell (V_PY_LIVE),
                 r, g_strdup ("<= 1.00x"), met (r, 1.00));
  r = object_ratio (opts.rounds);
  bench_add_row (rows, "4. new+unref: WkObject / GObject, ns",
                 bench_med_cell (V_WK_OBJECT), bench_ns_cell (results[V_WK_OBJECT].aux_median),
                 r, g_strdup ("<= 1.25x"), met (r, 1.25));
  bench_add_row (rows, "4. the same, tracking and WkObject overhead, ns",
                 bench_ns_cell (bench_med (V_WK_OBJECT) - results[V_WK_OBJECT].aux_median), NULL,
                 NAN, NULL, -1);
  bench_add_row (rows, "   (GObject new+unref alone, its own 100 ms run), ns",
                 NULL, bench_med_cell (V_G_OBJECT), NAN, NULL, -1);
  bench_print_rows (rows, "Wk ns", "reference ns");

  printf ("\nnotes:\n");
  printf ("- reference: the refcounting floor (below) for the first row of 1; CPython (%s)"
          " for the other rows of 1-3, timed with perf_counter_ns around the one gc.collect()"
          " in a subprocess that each round starts in its turn; GObject for 4\n", python);
  printf ("- 1-3 time only the collect call: Wk's includes the clears and the finalization of"
          " the garbage, as CPython's includes the deallocation\n");
  printf ("- CPython: instances of a plain class (`a.o = b; b.o = a`), gc.disable() and"
          " gc.freeze() of the interpreter's own objects first, then del; 1 object per instance"
          " (3.11 keeps the attributes inline)\n");
  printf ("- Wk: automatic collection off (wk_gc_disable); every run checks that no tracked"
          " object is left\n");
  printf ("- 1 floor: the same objects with one edge fewer (b holds a), so that dropping b"
          " frees both by refcounting; timed: the drops. No collection of these objects can"
          " cost less, whatever its algorithm\n");
  printf ("- 4: WkObject and GObject new+unref alternate in chunks of %d objects within each"
          " round, and the ratio is the median of the per-round ratios of those\n", OBJECT_CHUNK);
  printf ("- ratio: median of the per-round ratios\n");
  bench_print_noisiest ();
  if (opts.verbose)
    bench_print_rounds ("n", 9);
  return 0;
}
