/* bench-finalize.c: finalizers, proxies and the finalization registry
 * next to GLib's weak notifies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a WkFinalizer costs against the GLib way of running code at an
 * object's death, g_object_weak_ref(): making one and detaching it again
 * on a live object (the anchor already exists), and an object's death
 * with one of each. Also, without a GLib counterpart: a proxy's create +
 * unref, and a finalization registry's register + unregister.
 */

#include <math.h>
#include <stdio.h>

#include <wk/wk.h>

#include "bench-common.h"

static volatile guintptr sink;

static void
count_run (gpointer data)
{
  sink++;
}

static void
count_notify (gpointer  data,
              GObject  *where_the_object_was)
{
  sink++;
}

static void
count_cleanup (const GValue *held,
               gpointer      data)
{
  sink++;
}

enum {
  V_OBJECT,            /* g_object_new + unref: the cost inside the deaths */
  V_WEAK_REF_PAIR,     /* g_object_weak_ref + g_object_weak_unref */
  V_FINALIZER_PAIR,    /* wk_finalizer_new + detach + unref */
  V_LIGHT_PAIR,        /* wk_finalize_add + wk_finalize_remove */
  V_DEATH_NOTIFY,      /* new, g_object_weak_ref, final unref */
  V_DEATH_FINALIZER,   /* new, wk_finalizer_new, final unref */
  V_DEATH_LIGHT,       /* new, wk_finalize_add, final unref */
  V_PROXY,             /* wk_proxy_new + unref */
  V_REGISTRY_PAIR,     /* register + unregister */
  N_VARIANTS
};

static const char *labels[N_VARIANTS] = {
  [V_OBJECT]          = "object new+unref",
  [V_WEAK_REF_PAIR]   = "g_object_weak_ref+weak_unref",
  [V_FINALIZER_PAIR]  = "finalizer create+detach",
  [V_LIGHT_PAIR]      = "light finalizer add+remove",
  [V_DEATH_NOTIFY]    = "death with one weak notify",
  [V_DEATH_FINALIZER] = "death with one finalizer",
  [V_DEATH_LIGHT]     = "death with one light finalizer",
  [V_PROXY]           = "proxy create+unref",
  [V_REGISTRY_PAIR]   = "registry register+unregister",
};

static GObject *live;                      /* the object of the pairs */
static WkFinalizationRegistry *registry;
static BenchResult results[N_VARIANTS];

static BenchSample
run_variant (guint   v,
             guint64 n)
{
  GValue held = G_VALUE_INIT;
  gint64 t0, t1;
  guint64 i;

  g_value_init (&held, G_TYPE_INT);
  t0 = bench_now_ns ();
  switch (v)
    {
    case V_OBJECT:
      for (i = 0; i < n; i++)
        g_object_unref (g_object_new (G_TYPE_OBJECT, NULL));
      break;
    case V_WEAK_REF_PAIR:
      for (i = 0; i < n; i++)
        {
          g_object_weak_ref (live, count_notify, NULL);
          g_object_weak_unref (live, count_notify, NULL);
        }
      break;
    case V_FINALIZER_PAIR:
      for (i = 0; i < n; i++)
        {
          WkFinalizer *finalizer = wk_finalizer_new (live, count_run, NULL, NULL);

          wk_finalizer_detach (finalizer);
          g_object_unref (finalizer);
        }
      break;
    case V_LIGHT_PAIR:
      for (i = 0; i < n; i++)
        wk_finalize_remove (live, wk_finalize_add (live, count_run, NULL, NULL));
      break;
    case V_DEATH_LIGHT:
      for (i = 0; i < n; i++)
        {
          GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

          wk_finalize_add (object, count_run, NULL, NULL);
          g_object_unref (object);
        }
      break;
    case V_DEATH_NOTIFY:
      for (i = 0; i < n; i++)
        {
          GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

          g_object_weak_ref (object, count_notify, NULL);
          g_object_unref (object);
        }
      break;
    case V_DEATH_FINALIZER:
      for (i = 0; i < n; i++)
        {
          GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

          g_object_unref (wk_finalizer_new (object, count_run, NULL, NULL));
          g_object_unref (object);
        }
      break;
    case V_PROXY:
      for (i = 0; i < n; i++)
        g_object_unref (wk_proxy_new (live, NULL, NULL, NULL));
      break;
    case V_REGISTRY_PAIR:
      for (i = 0; i < n; i++)
        {
          wk_finalization_registry_register (registry, live, &held, live);
          wk_finalization_registry_unregister (registry, live);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  t1 = bench_now_ns ();
  return bench_sample_make (t1 - t0, n);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions opts = { 0 };
  const GOptionEntry entries[] = {
    BENCH_OPTION_ENTRIES (opts),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GArray) rows = NULL;
  WkFinalizer *keep;
  guint i;

  if (!bench_parse_options (&opts, "- Wk finalizer benchmark", entries, &argc, &argv))
    return 2;

  live = g_object_new (G_TYPE_OBJECT, NULL);
  /* The object of the pairs has its anchor already, as any object with a
   * weak reference does; one finalizer stays on it throughout. */
  keep = wk_finalizer_new (live, count_run, NULL, NULL);
  registry = wk_finalization_registry_new (count_cleanup, NULL, NULL, NULL);

  bench_print_system ("bench-finalize: Wk finalizers vs GLib weak notifies");
  bench_print_rounds_line (&opts);
  printf ("\n");
  fflush (stdout);

  g_printerr ("calibrating...\n");
  for (i = 0; i < N_VARIANTS; i++)
    {
      results[i].label = labels[i];
      results[i].n = bench_calibrate (run_variant, i, opts.target_ms * 1000000);
    }
  bench_run_rounds (results, N_VARIANTS, opts.rounds, run_variant);

  rows = bench_rows_new ();
  bench_add_row (rows, "1. add+remove: light C finalizer / g_object_weak_ref+weak_unref",
                 bench_med_cell (V_LIGHT_PAIR), bench_med_cell (V_WEAK_REF_PAIR),
                 bench_ratio (V_LIGHT_PAIR, V_WEAK_REF_PAIR), g_strdup ("<= 1.50x"),
                 bench_ratio (V_LIGHT_PAIR, V_WEAK_REF_PAIR) <= 1.5);
  bench_add_row (rows, "1. create+detach: WkFinalizer / g_object_weak_ref+weak_unref",
                 bench_med_cell (V_FINALIZER_PAIR), bench_med_cell (V_WEAK_REF_PAIR),
                 bench_ratio (V_FINALIZER_PAIR, V_WEAK_REF_PAIR), g_strdup ("<= 3.00x"),
                 bench_ratio (V_FINALIZER_PAIR, V_WEAK_REF_PAIR) <= 3.0);
  /* A WkFinalizer is a GObject: most of its cost is the instance. */
  bench_add_row (rows, "1. the same, net of one g_object_new+unref",
                 bench_ns_cell (bench_med (V_FINALIZER_PAIR) - bench_med (V_OBJECT)),
                 bench_med_cell (V_WEAK_REF_PAIR),
                 (bench_med (V_FINALIZER_PAIR) - bench_med (V_OBJECT)) / bench_med (V_WEAK_REF_PAIR),
                 NULL, -1);
  bench_add_row (rows, "2. new + one notifier + final unref: finalizer / weak notify",
                 bench_med_cell (V_DEATH_FINALIZER), bench_med_cell (V_DEATH_NOTIFY),
                 bench_ratio (V_DEATH_FINALIZER, V_DEATH_NOTIFY), NULL, -1);
  bench_add_row (rows, "2. new + one light finalizer + final unref / weak notify",
                 bench_med_cell (V_DEATH_LIGHT), bench_med_cell (V_DEATH_NOTIFY),
                 bench_ratio (V_DEATH_LIGHT, V_DEATH_NOTIFY), NULL, -1);
  bench_add_row (rows, "2. the same (WkFinalizer), net of g_object_new+unref",
                 bench_ns_cell (bench_med (V_DEATH_FINALIZER) - bench_med (V_OBJECT)),
                 bench_ns_cell (bench_med (V_DEATH_NOTIFY) - bench_med (V_OBJECT)),
                 (bench_med (V_DEATH_FINALIZER) - bench_med (V_OBJECT)) /
                 (bench_med (V_DEATH_NOTIFY) - bench_med (V_OBJECT)), NULL, -1);
  bench_add_row (rows, "3. proxy create+unref", bench_med_cell (V_PROXY), NULL, NAN, NULL, -1);
  bench_add_row (rows, "4. registry register+unregister", bench_med_cell (V_REGISTRY_PAIR),
                 NULL, NAN, NULL, -1);
  bench_add_row (rows, "   (g_object_new+unref, for scale)", NULL, bench_med_cell (V_OBJECT),
                 NAN, NULL, -1);
  bench_print_rows (rows, "Wk ns/op", "GLib ns/op");

  printf ("\nnotes:\n");
  printf ("- ns/op: median over the rounds; ratio: median of the per-round ratios, except the net row\n");
  printf ("- 1: on one live object that already has its Wk anchor (one finalizer stays on it);"
          " a finalizer is a GObject, so its floor is one g_object_new+unref\n");
  printf ("- 2: a finalizer runs at death with the object's other weak-reference callbacks;"
          " a weak notify runs from GObject's dispose\n");
  bench_print_noisiest ();
  if (opts.verbose)
    bench_print_rounds ("n", 9);

  wk_finalizer_detach (keep);
  g_object_unref (keep);
  g_object_unref (registry);
  g_object_unref (live);
  return 0;
}
