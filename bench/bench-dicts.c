/* bench-dicts.c: what Wk's weak dicts cost, next to the GLib idioms they replace
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * WkWeakValueDict is measured against the hand-written GLib cache,
 * GHashTable<char *, GWeakRef *>, and WkWeakKeyDict against a GHashTable
 * keyed by object pointer with a g_object_weak_ref() notify that removes
 * the entry (how one attaches data to objects one does not own in GLib).
 * Keys of the value dicts are "key-%d" strings, values distinct plain
 * GObjects, each held by one strong reference that the benchmark owns.
 *
 * As in bench-ref.c, every variant runs once per round, round after round,
 * in one process (A B A B ...), so that drifts of the machine spread over
 * all variants; a figure is the median over the rounds and a ratio the
 * median of the per-round ratios. A variant does passes over all the
 * entries; how many passes per round is calibrated once, so that each
 * variant does about target_ms of timed work per round. Making objects,
 * keys and filled tables for a pass is not timed, nor is tearing them
 * down.
 *
 * Memory comes from a child run of this program with
 * G_SLICE=always-malloc, so that every allocation shows in mallinfo2();
 * the timings run with the allocator GLib uses by default.
 *
 * Timings never make the program fail: targets are printed with a yes/no
 * next to them and the exit status is 0 whatever they say.
 *
 * Usage: bench-dicts [--rounds N] [--entries N] [--quick] [--verbose]
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <wk/wk.h>

#include "bench-common.h"

#define DEFAULT_ENTRIES   100000
#define QUICK_ENTRIES     5000

/* The targets, as ratios to the GLib idiom in the same run (issue
 * text): set, a lookup of a value with one owner (whose floor is the
 * idiom's own g_weak_ref_get()), remove and a value's death at par, a
 * lookup of a value with two owners (Wk's lock-free read) well below,
 * and the bytes of a whole entry, anchor included, at par. */
#define TARGET_RATIO          1.0
#define TARGET_RATIO_COUNT2   0.6
#define TARGET_BYTES_RATIO    1.0
#define CPYTHON_BYTES     119     /* per weakref.WeakValueDictionary entry */
#define CPYTHON_KSET_NS   182     /* weakref.WeakKeyDictionary, this machine */
#define CPYTHON_KGET_NS   131

static volatile guintptr sink;

/* Timed work per variant per round, set from the command line. */
static gint64 target_ns;

/* Entries per table. */
static guint n_entries;

/* "key-%d" for every entry: the lookups and removals use these, never the
 * strings the tables own, as a caller would. */
static char **probe_keys;

/* ---------------------------------------------------------------------- */
/* The objects and keys of one pass                                       */

static GObject **
new_objects (guint n)
{
  GObject **objects = g_new (GObject *, n);
  guint i;

  for (i = 0; i < n; i++)
    objects[i] = g_object_new (G_TYPE_OBJECT, NULL);
  return objects;
}

static void
free_objects (GObject **objects,
              guint     n)
{
  guint i;

  for (i = 0; i < n; i++)
    g_clear_object (&objects[i]);
  g_free (objects);
}

/* Keys for a table to own, from the probes: the table frees them. */
static char **
new_keys (guint n)
{
  char **keys = g_new (char *, n);
  guint i;

  for (i = 0; i < n; i++)
    keys[i] = g_strdup (probe_keys[i]);
  return keys;
}

/* Small values for the key dicts to own. */
static char **
new_values (guint n)
{
  char **values = g_new (char *, n);
  guint i;

  for (i = 0; i < n; i++)
    values[i] = g_strdup_printf ("v%u", i);
  return values;
}

/* ---------------------------------------------------------------------- */
/* The two value tables, behind one face                                  */

typedef enum {
  IMPL_WK,
  IMPL_GLIB,
} Impl;

typedef struct
{
  Impl              impl;
  WkWeakValueDict  *wk;
  GHashTable       *glib;   /* char * -> GWeakRef * */
} ValueTable;

/* The GLib idiom's value destroy: removing an entry clears its GWeakRef. */
static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
value_table_init (ValueTable *t,
                  Impl        impl)
{
  memset (t, 0, sizeof *t);
  t->impl = impl;
  if (impl == IMPL_WK)
    t->wk = wk_weak_value_dict_new (g_str_hash, g_str_equal, g_free);
  else
    t->glib = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_weak_ref);
}

static void
value_table_clear (ValueTable *t)
{
  g_clear_object (&t->wk);
  g_clear_pointer (&t->glib, g_hash_table_unref);
}

static guint
value_table_size (ValueTable *t)
{
  if (t->impl == IMPL_WK)
    return wk_weak_value_dict_get_size (t->wk);
  return g_hash_table_size (t->glib);
}

/* The timed loops: one per implementation, so that neither carries a
 * switch the other does not have. */

/* Takes @keys (the array stays the caller's). */
static void
value_table_insert_all (ValueTable  *t,
                        char       **keys,
                        GObject    **objects,
                        guint        n)
{
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      wk_weak_value_dict_insert (t->wk, keys[i], objects[i]);
  else
    for (i = 0; i < n; i++)
      {
        GWeakRef *ref = g_new (GWeakRef, 1);

        g_weak_ref_init (ref, objects[i]);
        g_hash_table_insert (t->glib, keys[i], ref);
      }
}

/* Every lookup hits; a wrong answer aborts, which costs both sides one
 * compare. */
static guintptr
value_table_lookup_all (ValueTable  *t,
                        GObject    **objects,
                        guint        n)
{
  guintptr acc = 0;
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      {
        GObject *object = wk_weak_value_dict_lookup (t->wk, probe_keys[i]);

        if (G_UNLIKELY (object != objects[i]))
          g_error ("WkWeakValueDict lookup %u gave %p", i, (gpointer) object);
        acc += (guintptr) object;
        g_object_unref (object);
      }
  else
    for (i = 0; i < n; i++)
      {
        GWeakRef *ref = g_hash_table_lookup (t->glib, probe_keys[i]);
        GObject *object = g_weak_ref_get (ref);

        if (G_UNLIKELY (object != objects[i]))
          g_error ("GWeakRef lookup %u gave %p", i, (gpointer) object);
        acc += (guintptr) object;
        g_object_unref (object);
      }
  return acc;
}

static void
value_table_remove_all (ValueTable *t,
                        guint       n)
{
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      wk_weak_value_dict_remove (t->wk, probe_keys[i]);
  else
    for (i = 0; i < n; i++)
      g_hash_table_remove (t->glib, probe_keys[i]);
}

/* Drops the only strong reference to each value. Wk's entry leaves by
 * itself; the GLib idiom has no callback, so its entry stays until
 * someone finds it dead, which is what the lookup after the unref does. */
static void
value_table_kill_all (ValueTable  *t,
                      GObject    **objects,
                      guint        n)
{
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      g_object_unref (objects[i]);
  else
    for (i = 0; i < n; i++)
      {
        GWeakRef *ref;
        GObject *object;

        g_object_unref (objects[i]);
        ref = g_hash_table_lookup (t->glib, probe_keys[i]);
        object = g_weak_ref_get (ref);
        if (G_UNLIKELY (object != NULL))
          g_error ("value %u outlived its last reference", i);
        g_hash_table_remove (t->glib, probe_keys[i]);
      }
  memset (objects, 0, n * sizeof *objects);
}

/* ---------------------------------------------------------------------- */
/* Weak-reference side data that objects may carry already               */

/* What another user of the objects has put on them before the table under
 * test sees them: for Wk another WkWeakValueDict (so that each object has
 * its anchor), for GLib one GWeakRef each (so that each object has its
 * list of weak locations). */
typedef struct
{
  WkWeakValueDict  *wk;
  GWeakRef         *glib;
  guint             n;
} Warm;

static void
warm_init (Warm      *w,
           Impl       impl,
           GObject  **objects,
           guint      n)
{
  guint i;

  memset (w, 0, sizeof *w);
  w->n = n;
  if (impl == IMPL_WK)
    {
      w->wk = wk_weak_value_dict_new (g_direct_hash, g_direct_equal, NULL);
      for (i = 0; i < n; i++)
        wk_weak_value_dict_insert (w->wk, GUINT_TO_POINTER (i + 1), objects[i]);
    }
  else
    {
      w->glib = g_new (GWeakRef, n);
      for (i = 0; i < n; i++)
        g_weak_ref_init (&w->glib[i], objects[i]);
    }
}

static void
warm_clear (Warm *w)
{
  guint i;

  g_clear_object (&w->wk);
  if (w->glib != NULL)
    {
      for (i = 0; i < w->n; i++)
        g_weak_ref_clear (&w->glib[i]);
      g_clear_pointer (&w->glib, g_free);
    }
}

/* ---------------------------------------------------------------------- */
/* The two key tables                                                     */

typedef struct
{
  Impl            impl;
  WkWeakKeyDict  *wk;
  GHashTable     *glib;   /* GObject * -> char * */
} KeyTable;

/* The GLib idiom's weak notify: the key died, its entry goes. */
static void
key_died (gpointer  data,
          GObject  *where_the_object_was)
{
  g_hash_table_remove (data, where_the_object_was);
}

static void
key_table_init (KeyTable *t,
                Impl      impl)
{
  memset (t, 0, sizeof *t);
  t->impl = impl;
  if (impl == IMPL_WK)
    t->wk = wk_weak_key_dict_new (g_free);
  else
    t->glib = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
}

/* The GLib table must lose its weak notifies before it goes, and the
 * objects may outlive it. */
static void
key_table_clear (KeyTable  *t,
                 GObject  **objects,
                 guint      n)
{
  guint i;

  g_clear_object (&t->wk);
  if (t->glib != NULL)
    {
      for (i = 0; i < n; i++)
        if (objects[i] != NULL && g_hash_table_contains (t->glib, objects[i]))
          g_object_weak_unref (objects[i], key_died, t->glib);
      g_clear_pointer (&t->glib, g_hash_table_unref);
    }
}

/* Takes @values (the array stays the caller's). */
static void
key_table_insert_all (KeyTable  *t,
                      GObject  **objects,
                      char     **values,
                      guint      n)
{
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      wk_weak_key_dict_insert (t->wk, objects[i], values[i]);
  else
    for (i = 0; i < n; i++)
      {
        g_hash_table_insert (t->glib, objects[i], values[i]);
        g_object_weak_ref (objects[i], key_died, t->glib);
      }
}

static guintptr
key_table_lookup_all (KeyTable  *t,
                      GObject  **objects,
                      char     **values,
                      guint      n)
{
  guintptr acc = 0;
  guint i;

  if (t->impl == IMPL_WK)
    for (i = 0; i < n; i++)
      {
        char *value = wk_weak_key_dict_lookup (t->wk, objects[i]);

        if (G_UNLIKELY (value != values[i]))
          g_error ("WkWeakKeyDict lookup %u gave %p", i, (gpointer) value);
        acc += (guintptr) value;
      }
  else
    for (i = 0; i < n; i++)
      {
        char *value = g_hash_table_lookup (t->glib, objects[i]);

        if (G_UNLIKELY (value != values[i]))
          g_error ("GHashTable lookup %u gave %p", i, (gpointer) value);
        acc += (guintptr) value;
      }
  return acc;
}

/* ---------------------------------------------------------------------- */
/* Variants                                                               */

typedef enum {
  FLAG_WARM   = 1 << 0,   /* the values already carry weak-ref side data */
  FLAG_COUNT2 = 1 << 1,   /* each value has a second strong reference */
} Flags;

typedef struct
{
  Impl   impl;
  Flags  flags;
} Params;

typedef BenchSample (*RunFunc) (const Params *p,
                                guint         passes);

/* Set: insert every key into an empty table. */
static BenchSample
run_set (const Params *p,
         guint         passes)
{
  gint64 timed = 0;
  guint pass;

  for (pass = 0; pass < passes; pass++)
    {
      GObject **objects = new_objects (n_entries);
      char **keys = new_keys (n_entries);
      ValueTable t;
      Warm warm;
      gint64 t0;

      if (p->flags & FLAG_WARM)
        warm_init (&warm, p->impl, objects, n_entries);
      value_table_init (&t, p->impl);

      t0 = bench_now_ns ();
      value_table_insert_all (&t, keys, objects, n_entries);
      timed += bench_now_ns () - t0;

      g_assert (value_table_size (&t) == n_entries);
      value_table_clear (&t);
      if (p->flags & FLAG_WARM)
        warm_clear (&warm);
      g_free (keys);
      free_objects (objects, n_entries);
    }
  return bench_sample_make (timed, (guint64) passes * n_entries);
}

/* Lookup: every key, each a hit, and drop what it gave. One table for all
 * the passes: a lookup changes nothing. */
static BenchSample
run_lookup (const Params *p,
            guint         passes)
{
  GObject **objects = new_objects (n_entries);
  char **keys = new_keys (n_entries);
  guintptr acc = 0;
  ValueTable t;
  gint64 t0, t1;
  guint pass, i;

  if (p->flags & FLAG_COUNT2)
    for (i = 0; i < n_entries; i++)
      g_object_ref (objects[i]);
  value_table_init (&t, p->impl);
  value_table_insert_all (&t, keys, objects, n_entries);

  t0 = bench_now_ns ();
  for (pass = 0; pass < passes; pass++)
    acc += value_table_lookup_all (&t, objects, n_entries);
  t1 = bench_now_ns ();

  sink += acc;
  value_table_clear (&t);
  if (p->flags & FLAG_COUNT2)
    for (i = 0; i < n_entries; i++)
      g_object_unref (objects[i]);
  g_free (keys);
  free_objects (objects, n_entries);
  return bench_sample_make (t1 - t0, (guint64) passes * n_entries);
}

/* Remove: every key of a full table, while the values live. */
static BenchSample
run_remove (const Params *p,
            guint         passes)
{
  gint64 timed = 0;
  guint pass;

  for (pass = 0; pass < passes; pass++)
    {
      GObject **objects = new_objects (n_entries);
      char **keys = new_keys (n_entries);
      ValueTable t;
      gint64 t0;

      value_table_init (&t, p->impl);
      value_table_insert_all (&t, keys, objects, n_entries);

      t0 = bench_now_ns ();
      value_table_remove_all (&t, n_entries);
      timed += bench_now_ns () - t0;

      g_assert (value_table_size (&t) == 0);
      value_table_clear (&t);
      g_free (keys);
      free_objects (objects, n_entries);
    }
  return bench_sample_make (timed, (guint64) passes * n_entries);
}

/* Death: the last unref of every value of a full table, and for GLib what
 * it takes to purge the entry (see value_table_kill_all). */
static BenchSample
run_death (const Params *p,
           guint         passes)
{
  gint64 timed = 0;
  guint pass;

  for (pass = 0; pass < passes; pass++)
    {
      GObject **objects = new_objects (n_entries);
      char **keys = new_keys (n_entries);
      ValueTable t;
      gint64 t0;

      value_table_init (&t, p->impl);
      value_table_insert_all (&t, keys, objects, n_entries);

      t0 = bench_now_ns ();
      value_table_kill_all (&t, objects, n_entries);
      timed += bench_now_ns () - t0;

      g_assert (value_table_size (&t) == 0);
      value_table_clear (&t);
      g_free (keys);
      free_objects (objects, n_entries);
    }
  return bench_sample_make (timed, (guint64) passes * n_entries);
}

/* The floor under the deaths: the last unref of an object that nothing
 * refers to weakly. */
static BenchSample
run_death_floor (const Params *p G_GNUC_UNUSED,
                 guint         passes)
{
  gint64 timed = 0;
  guint pass, i;

  for (pass = 0; pass < passes; pass++)
    {
      GObject **objects = new_objects (n_entries);
      gint64 t0;

      t0 = bench_now_ns ();
      for (i = 0; i < n_entries; i++)
        g_object_unref (objects[i]);
      timed += bench_now_ns () - t0;

      g_free (objects);
    }
  return bench_sample_make (timed, (guint64) passes * n_entries);
}

/* Key dict set: attach a value to every object of a fresh set. */
static BenchSample
run_key_set (const Params *p,
             guint         passes)
{
  gint64 timed = 0;
  guint pass;

  for (pass = 0; pass < passes; pass++)
    {
      GObject **objects = new_objects (n_entries);
      char **values = new_values (n_entries);
      KeyTable t;
      gint64 t0;

      key_table_init (&t, p->impl);

      t0 = bench_now_ns ();
      key_table_insert_all (&t, objects, values, n_entries);
      timed += bench_now_ns () - t0;

      key_table_clear (&t, objects, n_entries);
      g_free (values);
      free_objects (objects, n_entries);
    }
  return bench_sample_make (timed, (guint64) passes * n_entries);
}

static BenchSample
run_key_lookup (const Params *p,
                guint         passes)
{
  GObject **objects = new_objects (n_entries);
  char **values = new_values (n_entries);
  guintptr acc = 0;
  KeyTable t;
  gint64 t0, t1;
  guint pass;

  key_table_init (&t, p->impl);
  key_table_insert_all (&t, objects, values, n_entries);

  t0 = bench_now_ns ();
  for (pass = 0; pass < passes; pass++)
    acc += key_table_lookup_all (&t, objects, values, n_entries);
  t1 = bench_now_ns ();

  sink += acc;
  key_table_clear (&t, objects, n_entries);
  g_free (values);
  free_objects (objects, n_entries);
  return bench_sample_make (t1 - t0, (guint64) passes * n_entries);
}

/* ---------------------------------------------------------------------- */
/* The list of variants, in the order each round runs them                 */

typedef struct
{
  const char  *label;
  RunFunc      run;
  Params       p;
} Variant;

/* Each Wk variant right before the GLib one it is compared with. */
enum {
  V_SET_WK, V_SET_GLIB,
  V_SET_WARM_WK, V_SET_WARM_GLIB,
  V_LOOKUP_WK, V_LOOKUP_GLIB,
  V_LOOKUP_C2_WK, V_LOOKUP_C2_GLIB,
  V_REMOVE_WK, V_REMOVE_GLIB,
  V_DEATH_FLOOR, V_DEATH_WK, V_DEATH_GLIB,
  V_KSET_WK, V_KSET_GLIB,
  V_KLOOKUP_WK, V_KLOOKUP_GLIB,

  N_VARIANTS
};

static const Variant variants[N_VARIANTS] = {
  [V_SET_WK]         = { "value set Wk",               run_set,         { IMPL_WK, 0 } },
  [V_SET_GLIB]       = { "value set GLib",             run_set,         { IMPL_GLIB, 0 } },
  [V_SET_WARM_WK]    = { "value set warm Wk",          run_set,         { IMPL_WK, FLAG_WARM } },
  [V_SET_WARM_GLIB]  = { "value set warm GLib",        run_set,         { IMPL_GLIB, FLAG_WARM } },
  [V_LOOKUP_WK]      = { "value lookup Wk",            run_lookup,      { IMPL_WK, 0 } },
  [V_LOOKUP_GLIB]    = { "value lookup GLib",          run_lookup,      { IMPL_GLIB, 0 } },
  [V_LOOKUP_C2_WK]   = { "value lookup c2 Wk",         run_lookup,      { IMPL_WK, FLAG_COUNT2 } },
  [V_LOOKUP_C2_GLIB] = { "value lookup c2 GLib",       run_lookup,      { IMPL_GLIB, FLAG_COUNT2 } },
  [V_REMOVE_WK]      = { "value remove Wk",            run_remove,      { IMPL_WK, 0 } },
  [V_REMOVE_GLIB]    = { "value remove GLib",          run_remove,      { IMPL_GLIB, 0 } },
  [V_DEATH_FLOOR]    = { "death floor (no weak refs)", run_death_floor, { IMPL_GLIB, 0 } },
  [V_DEATH_WK]       = { "value death Wk",             run_death,       { IMPL_WK, 0 } },
  [V_DEATH_GLIB]     = { "value death GLib",           run_death,       { IMPL_GLIB, 0 } },
  [V_KSET_WK]        = { "key set Wk",                 run_key_set,     { IMPL_WK, 0 } },
  [V_KSET_GLIB]      = { "key set GLib",               run_key_set,     { IMPL_GLIB, 0 } },
  [V_KLOOKUP_WK]     = { "key lookup Wk",              run_key_lookup,  { IMPL_WK, 0 } },
  [V_KLOOKUP_GLIB]   = { "key lookup GLib",            run_key_lookup,  { IMPL_GLIB, 0 } },
};

/* n is passes over all entries per round. */
static BenchResult results[N_VARIANTS];

/* One pass, then as many as come nearest the target. The pass doubles as
 * warm-up. */
static guint
calibrate (const Variant *v)
{
  BenchSample s = v->run (&v->p, 1);

  return (guint) CLAMP ((target_ns + s.ns / 2) / s.ns, 1, 10000);
}

/* ---------------------------------------------------------------------- */
/* Memory, in a child run with G_SLICE=always-malloc                      */

typedef struct
{
  gboolean  valid;
  gboolean  slice_is_malloc;   /* the child's sanity check of G_SLICE */
  double    value_fresh[2];    /* (a) B/entry, by Impl */
  double    value_warm[2];     /* (b) */
  double    key_fresh[2];
} Memory;

/* Whatever the first use of a table type allocates once (type and class
 * data, quarks, the thread's hazard slot) must not count. */
static void
memory_warm_up (void)
{
  GObject **objects = new_objects (4);
  ValueTable vt;
  KeyTable kt;
  Warm warm;
  Impl impl;

  for (impl = IMPL_WK; impl <= IMPL_GLIB; impl++)
    {
      char **keys = new_keys (4);
      char **values = new_values (4);

      warm_init (&warm, impl, objects, 4);
      warm_clear (&warm);
      value_table_init (&vt, impl);
      value_table_insert_all (&vt, keys, objects, 4);
      sink += value_table_lookup_all (&vt, objects, 4);
      value_table_clear (&vt);
      key_table_init (&kt, impl);
      key_table_insert_all (&kt, objects, values, 4);
      key_table_clear (&kt, objects, 4);
      g_free (keys);
      g_free (values);
    }
  free_objects (objects, 4);
}

/* Heap bytes per entry of a value table over n_entries values, fresh or
 * already carrying weak-ref side data (@warm). The objects, the keys and
 * the warming come before the baseline: only the table, its entries and
 * what they add to the objects count. */
static double
measure_value_table (Impl     impl,
                     gboolean warm)
{
  GObject **objects = new_objects (n_entries);
  char **keys = new_keys (n_entries);
  ValueTable t;
  Warm side;
  gint64 base, used;

  if (warm)
    warm_init (&side, impl, objects, n_entries);
  base = bench_heap_in_use ();
  value_table_init (&t, impl);
  value_table_insert_all (&t, keys, objects, n_entries);
  used = bench_heap_in_use () - base;

  value_table_clear (&t);
  if (warm)
    warm_clear (&side);
  g_free (keys);
  free_objects (objects, n_entries);
  return (double) used / n_entries;
}

static double
measure_key_table (Impl impl)
{
  GObject **objects = new_objects (n_entries);
  char **values = new_values (n_entries);
  KeyTable t;
  gint64 base, used;

  base = bench_heap_in_use ();
  key_table_init (&t, impl);
  key_table_insert_all (&t, objects, values, n_entries);
  used = bench_heap_in_use () - base;

  key_table_clear (&t, objects, n_entries);
  g_free (values);
  free_objects (objects, n_entries);
  return (double) used / n_entries;
}

/* The child's side: one "name value" line per figure. */
static int
memory_child (void)
{
  Impl impl;

  memory_warm_up ();
  printf ("slice_is_malloc %d\n", bench_slice_is_malloc ());
  for (impl = IMPL_WK; impl <= IMPL_GLIB; impl++)
    {
      printf ("value_fresh_%d %.2f\n", impl, measure_value_table (impl, FALSE));
      printf ("value_warm_%d %.2f\n", impl, measure_value_table (impl, TRUE));
      printf ("key_fresh_%d %.2f\n", impl, measure_key_table (impl));
    }
  return 0;
}

/* Runs this program again with G_SLICE=always-malloc and reads what its
 * memory_child() prints. */
static Memory
measure_memory (void)
{
  g_autofree char *entries_arg = g_strdup_printf ("--entries=%u", n_entries);
  const char *args[] = { entries_arg, NULL };
  g_autoptr (GHashTable) figures = bench_run_memory_child (args);
  Memory m;
  Impl impl;

  memset (&m, 0, sizeof m);
  if (figures == NULL)
    return m;
  m.valid = TRUE;
  m.slice_is_malloc = bench_memory_figure (figures, "slice_is_malloc") == 1;
  for (impl = IMPL_WK; impl <= IMPL_GLIB; impl++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "value_fresh_%d", impl);
      m.value_fresh[impl] = bench_memory_figure (figures, name);
      g_snprintf (name, sizeof name, "value_warm_%d", impl);
      m.value_warm[impl] = bench_memory_figure (figures, name);
      g_snprintf (name, sizeof name, "key_fresh_%d", impl);
      m.key_fresh[impl] = bench_memory_figure (figures, name);
      m.valid = m.valid && !isnan (m.value_fresh[impl]) && !isnan (m.value_warm[impl]) &&
                !isnan (m.key_fresh[impl]);
    }
  return m;
}

/* ---------------------------------------------------------------------- */
/* Report                                                                 */

static void
print_header (const BenchOptions *opts)
{
  const char *slice = g_getenv ("G_SLICE");

  bench_print_system ("bench-dicts: Wk weak dicts vs the GLib idioms");
  printf ("entries: %u per table; keys \"key-%%d\", values plain GObjects with one strong ref\n",
          n_entries);
  bench_print_rounds_line (opts);
  printf ("timings: G_SLICE=%s; memory: a child run with G_SLICE=always-malloc\n",
          slice != NULL ? slice : "(unset, GLib's default)");
  printf ("\n");
}

static char *
bytes_cell (double bytes)
{
  return g_strdup_printf ("%.1f B", bytes);
}

/* A Wk variant against its GLib idiom, with the ratio @target or, when
 * @reference is given, that text instead of a target. */
static void
add_timed_row (GArray     *rows,
               const char *what,
               guint       wk,
               guint       glib,
               const char *reference,
               double      target)
{
  double ratio = bench_ratio (wk, glib);

  if (reference != NULL)
    bench_add_row (rows, what, bench_med_cell (wk), bench_med_cell (glib), ratio,
                   g_strdup (reference), -1);
  else
    bench_add_row (rows, what, bench_med_cell (wk), bench_med_cell (glib), ratio,
                   g_strdup_printf ("<= %.2fx", target), ratio <= target);
}

/* The part of a set that a value's first weak reference costs: the
 * anchor for Wk (a GWeakRef registration, qdata and Wk's side data), the
 * weak-location list for GLib; the difference of the two set rows. */
static void
add_first_ref_row (GArray *rows)
{
  double wk = bench_med (V_SET_WK) - bench_med (V_SET_WARM_WK);
  double glib = bench_med (V_SET_GLIB) - bench_med (V_SET_WARM_GLIB);

  bench_add_row (rows, "  of which the value's first weak reference (set - set above), ns/op",
                 bench_ns_cell (wk), bench_ns_cell (glib), wk / glib, g_strdup ("(info: anchor)"), -1);
}

static void
build_rows (GArray       *rows,
            const Memory *mem)
{
  g_autofree char *kset_ref = g_strdup_printf ("(CPython ~%d ns)", CPYTHON_KSET_NS);
  g_autofree char *kget_ref = g_strdup_printf ("(CPython ~%d ns)", CPYTHON_KGET_NS);

  add_timed_row (rows, "WeakValueDict set, ns/op", V_SET_WK, V_SET_GLIB, NULL, TARGET_RATIO);
  add_timed_row (rows, "  the table's part: values already weakly referenced, ns/op",
                 V_SET_WARM_WK, V_SET_WARM_GLIB, "(info: table)", 0);
  add_first_ref_row (rows);
  add_timed_row (rows, "WeakValueDict lookup + unref, one owner (count 1), ns/op",
                 V_LOOKUP_WK, V_LOOKUP_GLIB, NULL, TARGET_RATIO);
  add_timed_row (rows, "WeakValueDict lookup + unref, two owners (count 2), ns/op",
                 V_LOOKUP_C2_WK, V_LOOKUP_C2_GLIB, NULL, TARGET_RATIO_COUNT2);
  add_timed_row (rows, "WeakValueDict remove, ns/op", V_REMOVE_WK, V_REMOVE_GLIB, NULL,
                 TARGET_RATIO);
  bench_add_row (rows, "WeakValueDict value death: floor, unref without weak refs, ns/op",
                 NULL, bench_med_cell (V_DEATH_FLOOR), NAN, g_strdup ("(floor)"), -1);
  add_timed_row (rows, "WeakValueDict value death (entry purged), ns/op",
                 V_DEATH_WK, V_DEATH_GLIB, NULL, TARGET_RATIO);

  if (mem->valid)
    {
      double wk_a = mem->value_fresh[IMPL_WK], glib_a = mem->value_fresh[IMPL_GLIB];
      double wk_b = mem->value_warm[IMPL_WK], glib_b = mem->value_warm[IMPL_GLIB];
      double ratio_a = wk_a / glib_a;

      bench_add_row (rows, "WeakValueDict memory (a) whole entry, fresh values, B/entry",
                     bytes_cell (wk_a), bytes_cell (glib_a), ratio_a,
                     g_strdup_printf ("<= %.2fx (CPython %d B)", TARGET_BYTES_RATIO, CPYTHON_BYTES),
                     ratio_a <= TARGET_BYTES_RATIO);
      bench_add_row (rows, "  (b) the table's part: values already weakly referenced, B/entry",
                     bytes_cell (wk_b), bytes_cell (glib_b), wk_b / glib_b,
                     g_strdup ("(info: table)"), -1);
      bench_add_row (rows, "  (a) - (b): the value's first weak reference, B/entry",
                     bytes_cell (wk_a - wk_b), bytes_cell (glib_a - glib_b),
                     (wk_a - wk_b) / (glib_a - glib_b), g_strdup ("(info: anchor)"), -1);
    }
  else
    bench_add_row (rows, "WeakValueDict memory, B/entry", NULL, NULL, NAN,
                   g_strdup ("(not measured)"), -1);

  add_timed_row (rows, "WeakKeyDict set, ns/op", V_KSET_WK, V_KSET_GLIB, kset_ref, 0);
  add_timed_row (rows, "WeakKeyDict lookup, ns/op", V_KLOOKUP_WK, V_KLOOKUP_GLIB, kget_ref, 0);
  if (mem->valid)
    bench_add_row (rows, "WeakKeyDict memory (a) whole, fresh objects, B/entry",
                   bytes_cell (mem->key_fresh[IMPL_WK]), bytes_cell (mem->key_fresh[IMPL_GLIB]),
                   mem->key_fresh[IMPL_WK] / mem->key_fresh[IMPL_GLIB],
                   g_strdup ("(info)"), -1);
}

static void
print_notes (const Memory *mem)
{
  printf ("\nnotes:\n");
  printf ("- ns/op: median over the rounds; ratio: median of the per-round Wk/GLib ratios\n");
  printf ("- GLib value idiom: GHashTable<char *, GWeakRef *> (g_new'd GWeakRef per entry,"
          " cleared by the value destroy); lookup = g_hash_table_lookup + g_weak_ref_get"
          " (+ unref)\n");
  printf ("- value death: the last g_object_unref of each value, after which Wk's entry is"
          " gone by itself; the GLib idiom has no callback, so its row is that unref plus the"
          " lookup that finds the GWeakRef NULL and the g_hash_table_remove that purges it\n");
  printf ("- \"the table's part\": for Wk each value is first put in another"
          " WkWeakValueDict (it has its anchor), for GLib it has one GWeakRef already; what"
          " a value's first weak reference costs (Wk's anchor: a GWeakRef registration,"
          " qdata, a weak-ref notify and Wk's side data) is the difference\n");
  printf ("- \"one owner\" / \"two owners\": the values have one strong ref (Wk's lookup"
          " then goes through g_weak_ref_get() on the anchor, as the idiom does: that row's"
          " floor is the idiom's own call) or two (Wk's lookup raises the count without a lock;"
          " see the README)\n");
  printf ("- every pass builds its objects and table in a heap that earlier passes have"
          " churned, as a long-running program does: consecutive entries do not sit next to"
          " each other, so the figures include the cache misses of following each entry's"
          " pointers\n");
  printf ("- GLib key idiom: GHashTable<GObject *, char *> + g_object_weak_ref notify that"
          " removes the entry; its lookup takes no lock and is not thread-safe; Wk's takes no"
          " lock either, and is (a hazard slot instead)\n");
  if (mem->valid)
    {
      printf ("- memory: mallinfo2() uordblks + hblkhd (malloc chunks with their headers),"
              " over %u entries; keys, key-dict values and the objects themselves are allocated"
              " before the baseline and not counted; (a) = table + entries + the per-object"
              " weak-ref data they create on fresh objects (Wk: anchor, its GWeakRef, qdata,"
              " weak-ref notify; GLib: the GWeakRef's weak-location list and qdata);"
              " (b) = what the table adds to objects that already have such data;"
              " the target line is (a)\n", n_entries);
      printf ("- memory: a malloc chunk is the request plus an 8-byte header, rounded up to"
              " 16; GSlice's default magazines (GLib 2.74) have no header, so slice-allocated"
              " blocks (GSList nodes) cost up to 8 B less each outside this measurement\n");
      if (!mem->slice_is_malloc)
        printf ("- warning: the memory child's GSlice did not allocate through malloc;"
                " slice-allocated data (GObjects, Wk's entries) is undercounted\n");
    }
  else
    printf ("- memory: not measured (needs glibc's mallinfo2 and a child run of this program)\n");

  bench_print_noisiest ();
}

static void
make_probe_keys (void)
{
  guint i;

  probe_keys = g_new0 (char *, n_entries + 1);
  for (i = 0; i < n_entries; i++)
    probe_keys[i] = g_strdup_printf ("key-%u", i);
}

/* One run of variant @v, for bench_run_rounds(); calibrate() keeps
 * passes well within a guint. */
static BenchSample
run_variant (guint   v,
             guint64 passes)
{
  return variants[v].run (&variants[v].p, (guint) passes);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions opts = { 0 };
  gint opt_entries = 0;
  gboolean opt_memory_child = FALSE;
  const GOptionEntry entries[] = {
    { "rounds", 0, 0, G_OPTION_ARG_INT, &opts.rounds_arg,
      "Number of rounds (default 7; 3 with --quick)", "N" },
    { "entries", 0, 0, G_OPTION_ARG_INT, &opt_entries,
      "Entries per table (default 100000; 5000 with --quick)", "N" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &opts.quick,
      "3 short rounds on small tables, for smoke tests", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts.verbose,
      "Also list every variant's passes and per-round figures", NULL },
    BENCH_ROWS_ENTRY (opts),
    { "memory-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_memory_child,
      "Only measure memory, for the parent to read", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GArray) rows = NULL;
  Memory mem;
  guint i;

  if (!bench_parse_options (&opts, "- Wk weak-dict benchmark", entries, &argc, &argv))
    return 2;
  if (opt_entries < 0)
    {
      g_printerr ("--entries must be positive\n");
      return 2;
    }
  n_entries = opt_entries > 0 ? (guint) opt_entries : opts.quick ? QUICK_ENTRIES : DEFAULT_ENTRIES;
  target_ns = opts.target_ms * 1000000;
  make_probe_keys ();

  if (opt_memory_child)
    return memory_child ();

  print_header (&opts);
  fflush (stdout);

  g_printerr ("measuring memory...\n");
  mem = measure_memory ();

  g_printerr ("calibrating...\n");
  for (i = 0; i < N_VARIANTS; i++)
    {
      results[i].label = variants[i].label;
      results[i].n = calibrate (&variants[i]);
    }
  bench_run_rounds (results, N_VARIANTS, opts.rounds, run_variant);

  rows = bench_rows_new ();
  build_rows (rows, &mem);
  bench_print_rows (rows, "Wk", "GLib");
  print_notes (&mem);
  if (opts.verbose)
    bench_print_rounds ("passes", 5);
  g_strfreev (probe_keys);
  return 0;
}
