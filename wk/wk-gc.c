/* wk-gc.c: the cycle collector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkGc:
 *
 * The cycle collector: Python's `gc` module for [class@Wk.Object]s.
 *
 * Reference counting never frees a cycle (A holds B, B holds A). Every
 * [class@Wk.Object] is tracked from its construction; the objects it
 * holds are what its [vfunc@Wk.Object.traverse] visits (by default, the
 * objects of [method@Wk.Object.hold]). [func@Wk.Gc.collect] finds the
 * objects that only the tracked objects themselves keep alive, makes
 * every weak reference to them read %NULL, runs their callbacks and
 * finalizers, and then breaks the cycles with [vfunc@Wk.Object.clear],
 * after which reference counting frees them.
 *
 * The singleton, [func@Wk.Gc.get_default], emits
 * [signal@Wk.Gc::collect-start] and [signal@Wk.Gc::collect-end] around
 * each collection.
 *
 * To see what keeps objects alive: [func@Wk.Gc.get_census] counts the
 * live tracked objects by type (and [func@Wk.Gc.census_diff] compares
 * two counts), [func@Wk.Gc.write_graph] draws what given objects
 * reach or what reaches them, and [func@Wk.Gc.report_leaks] prints the
 * census and a chain of references for the largest groups, as the
 * environment variable `WK_DEBUG=leaks` does at exit.
 *
 * ## Threads
 *
 * Other threads may take and drop references, read weak references and
 * hold and release objects while a collection runs. A collection
 *
 * 1. copies the reference counts of the generations it collects and
 *    subtracts the references their traverse functions find among them;
 * 2. takes what is left at zero and not reachable from the rest as
 *    candidates, and makes every Wk weak reference to a candidate wait
 *    (a reader of one waits until the collection has decided);
 * 3. reads the counts again: if any changed (a reference the collection
 *    could not see, for instance a GWeakRef or a borrowed pointer made
 *    strong), it gives up on all the candidates of this collection;
 * 4. otherwise kills their weak references, runs the callbacks, and
 *    clears what is still garbage after them.
 *
 * While it traverses, it holds the tracking lock, so no tracked object is
 * finalized meanwhile (its finalize waits); a traverse function may run
 * while another thread disposes the object, so it reads the references
 * under the lock that guards them, and dispose clears them.
 */

#include "config.h"

#include <stdlib.h>

#include "wk-gc.h"
#include "wk-gc-private.h"
#include "wk-object-private.h"
#include "wk-gc-collect-private.h"
#include "wk-gc-census-private.h"
#include "wk-gc-track-private.h"
#include "wk-enum-types.h"

static gint  gc_enabled = TRUE;   /* (atomic) */
static gint  gc_debug;            /* (atomic) WkGcDebugFlags */
static gint  gc_auto_mode;        /* (atomic) WkGcAutoMode */
static gint  idle_pending;        /* (atomic) */

struct _WkGc
{
  GObject parent_instance;
};

enum {
  SIGNAL_COLLECT_START,
  SIGNAL_COLLECT_END,
  N_SIGNALS
};

static guint signals[N_SIGNALS];
static WkGc *default_gc;   /* (atomic) */

G_DEFINE_FINAL_TYPE (WkGc, wk_gc, G_TYPE_OBJECT)

static void
wk_gc_class_init (WkGcClass *klass)
{
  /**
   * WkGc::collect-start:
   * @self: the collector
   * @generation: the oldest generation collected
   *
   * Emitted in the collecting thread before a collection.
   */
  signals[SIGNAL_COLLECT_START] =
    g_signal_new ("collect-start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  /**
   * WkGc::collect-end:
   * @self: the collector
   * @generation: the oldest generation collected
   * @collected: how many unreachable objects the collection found
   * @uncollectable: how many of them it could not free
   *
   * Emitted in the collecting thread after a collection.
   */
  signals[SIGNAL_COLLECT_END] =
    g_signal_new ("collect-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
wk_gc_init (WkGc *self)
{
}

/**
 * wk_gc_get_default:
 *
 * Gets the collector, for its signals.
 *
 * Returns: (transfer none): the collector
 */
WkGc *
wk_gc_get_default (void)
{
  WkGc *gc = __atomic_load_n (&default_gc, __ATOMIC_ACQUIRE);

  if (G_UNLIKELY (gc == NULL))
    {
      WkGc *expected = NULL;

      gc = g_object_new (WK_TYPE_GC, NULL);
      if (!__atomic_compare_exchange_n (&default_gc, &expected, gc, FALSE,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        {
          g_object_unref (gc);
          gc = expected;
        }
    }
  return gc;
}

/* ---------------------------------------------------------------------- */
/* Collections, automatic ones, and tracking                              */

/* A collection in this thread, between the signals. @wait: wait for one
 * running in another thread (otherwise skip it). */
static guint
collect (gint     generation,
         gboolean wait)
{
  WkGc *gc;
  guint found, uncollectable = 0;

  if (!_wk_gc_collect_begin (wait))
    return 0;

  gc = __atomic_load_n (&default_gc, __ATOMIC_ACQUIRE);
  if (gc != NULL)
    g_signal_emit (gc, signals[SIGNAL_COLLECT_START], 0, generation);
  found = _wk_gc_collect_run (generation, wk_gc_get_debug (), &uncollectable);
  _wk_gc_collect_end ();

  if (gc != NULL)
    g_signal_emit (gc, signals[SIGNAL_COLLECT_END], 0, generation, found, uncollectable);
  return found;
}

static gint
generation_to_collect (void)
{
  gint generation;

  _wk_gc_track_lock ();
  generation = _wk_gc_track_generation_to_collect ();
  _wk_gc_track_unlock ();
  return generation;
}

static gboolean
idle_collect (gpointer data)
{
  gint generation;

  __atomic_store_n (&idle_pending, 0, __ATOMIC_RELEASE);
  generation = generation_to_collect ();
  if (generation >= 0 && wk_gc_is_enabled ())
    collect (generation, FALSE);
  return G_SOURCE_REMOVE;
}

/* A new object crossed generation 0's threshold. */
static void
collect_automatically (void)
{
  if (__atomic_load_n (&gc_auto_mode, __ATOMIC_RELAXED) == WK_GC_AUTO_ALLOC)
    {
      gint generation = generation_to_collect ();

      if (generation >= 0)
        collect (generation, FALSE);
    }
  else if (__atomic_exchange_n (&idle_pending, 1, __ATOMIC_ACQ_REL) == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, idle_collect, NULL, NULL);
}

void
_wk_gc_track (WkGcHead *head,
              GObject  *object)
{
  gboolean may_collect = !_wk_gc_collect_in_progress () && wk_gc_is_enabled ();

  if (G_LIKELY (_wk_gc_track_add (head, object, may_collect)))
    return;

  /* Before the new object joins: a collection in its own constructor
   * must not traverse it half made. */
  collect_automatically ();
  _wk_gc_track_join (head);
}

void
_wk_gc_untrack (WkGcHead *head)
{
  _wk_gc_track_remove (head);
}

/* ---------------------------------------------------------------------- */
/* WK_DEBUG                                                               */

enum {
  WK_DEBUG_LEAKS = 1 << 16,   /* above the WkGcDebugFlags bits */
};

static const GDebugKey wk_debug_keys[] = {
  { "leaks",            WK_DEBUG_LEAKS },
  { "gc-stats",         WK_GC_DEBUG_STATS },
  { "gc-collectable",   WK_GC_DEBUG_COLLECTABLE },
  { "gc-uncollectable", WK_GC_DEBUG_UNCOLLECTABLE },
};

static void
report_leaks_at_exit (void)
{
  _wk_gc_census_report_leaks (TRUE);
}

/* WK_DEBUG is read once, when the library is loaded (as GLib reads
 * G_DEBUG when it starts), so that `WK_DEBUG=help` lists the keys in any
 * program that loads Wk, and the exit report is arranged before any
 * object exists. g_parse_debug_string() prints the list for "help". */
__attribute__ ((constructor)) static void
read_wk_debug (void)
{
  const char *value = getenv ("WK_DEBUG");
  guint flags;

  if (value == NULL || value[0] == '\0')
    return;
  flags = g_parse_debug_string (value, wk_debug_keys, G_N_ELEMENTS (wk_debug_keys));
  if (flags & ~WK_DEBUG_LEAKS)
    __atomic_fetch_or (&gc_debug, flags & ~WK_DEBUG_LEAKS, __ATOMIC_RELAXED);
  if (flags & WK_DEBUG_LEAKS)
    atexit (report_leaks_at_exit);
}

/* ---------------------------------------------------------------------- */
/* The public API                                                         */

/**
 * wk_gc_collect:
 * @generation: the oldest generation to collect (0 to 2), or -1 for all
 *
 * Runs a collection now, in this thread, whatever
 * [func@Wk.Gc.is_enabled] says. Called from a callback of a collection
 * running in this thread, it does nothing and returns 0.
 *
 * Returns: how many unreachable objects it found
 */
guint
wk_gc_collect (int generation)
{
  g_return_val_if_fail (generation >= -1 && generation < WK_GC_N_GENERATIONS, 0);

  return collect (generation < 0 ? WK_GC_N_GENERATIONS - 1 : generation, TRUE);
}

/**
 * wk_gc_enable:
 *
 * Turns automatic collection on (the default).
 */
void
wk_gc_enable (void)
{
  __atomic_store_n (&gc_enabled, TRUE, __ATOMIC_RELAXED);
}

/**
 * wk_gc_disable:
 *
 * Turns automatic collection off; [func@Wk.Gc.collect] still works.
 */
void
wk_gc_disable (void)
{
  __atomic_store_n (&gc_enabled, FALSE, __ATOMIC_RELAXED);
}

/**
 * wk_gc_is_enabled:
 *
 * Tells whether automatic collection is on.
 *
 * Returns: whether automatic collection is on
 */
gboolean
wk_gc_is_enabled (void)
{
  return __atomic_load_n (&gc_enabled, __ATOMIC_RELAXED);
}

/* One guint field of each generation, at @offset, into the non-NULL
 * outs. */
static void
read_generations (glong  offset,
                  guint *out0,
                  guint *out1,
                  guint *out2)
{
  guint *out[WK_GC_N_GENERATIONS] = { out0, out1, out2 };
  guint i;

  _wk_gc_track_lock ();
  for (i = 0; i < WK_GC_N_GENERATIONS; i++)
    if (out[i] != NULL)
      *out[i] = G_STRUCT_MEMBER (guint, _wk_gc_track_generation (i), offset);
  _wk_gc_track_unlock ();
}

/**
 * wk_gc_get_count:
 * @count0: (out) (optional): objects created since the last collection
 * @count1: (out) (optional): generation 0 collections since the last
 *   collection of generation 1
 * @count2: (out) (optional): generation 1 collections since the last
 *   collection of generation 2
 *
 * Gets the counts that the thresholds are compared with.
 */
void
wk_gc_get_count (guint *count0,
                 guint *count1,
                 guint *count2)
{
  read_generations (G_STRUCT_OFFSET (WkGcGeneration, count), count0, count1, count2);
}

/**
 * wk_gc_set_threshold:
 * @threshold0: objects created before generation 0 is collected (0 turns
 *   automatic collection off)
 * @threshold1: generation 0 collections before generation 1 is
 * @threshold2: generation 1 collections before generation 2 is
 *
 * Sets the thresholds (default 700, 10, 10).
 */
void
wk_gc_set_threshold (guint threshold0,
                     guint threshold1,
                     guint threshold2)
{
  _wk_gc_track_lock ();
  _wk_gc_track_generation (0)->threshold = threshold0;
  _wk_gc_track_generation (1)->threshold = threshold1;
  _wk_gc_track_generation (2)->threshold = threshold2;
  _wk_gc_track_unlock ();
}

/**
 * wk_gc_get_threshold:
 * @threshold0: (out) (optional): the threshold of generation 0
 * @threshold1: (out) (optional): the threshold of generation 1
 * @threshold2: (out) (optional): the threshold of generation 2
 *
 * Gets the thresholds.
 */
void
wk_gc_get_threshold (guint *threshold0,
                     guint *threshold1,
                     guint *threshold2)
{
  read_generations (G_STRUCT_OFFSET (WkGcGeneration, threshold), threshold0, threshold1, threshold2);
}

/**
 * wk_gc_get_objects:
 * @generation: a generation (0 to 2), or -1 for every tracked object
 *   (frozen ones included)
 *
 * Lists the tracked objects of @generation.
 *
 * Returns: (transfer full) (element-type Wk.Object): a new array holding
 *   a reference to each object; it has no element free function
 */
GPtrArray *
wk_gc_get_objects (int generation)
{
  g_return_val_if_fail (generation >= -1 && generation < WK_GC_N_GENERATIONS, NULL);

  return _wk_gc_track_dup_objects (generation);
}

static void
traverse (GObject     *object,
          WkVisitFunc  visit,
          gpointer     data)
{
  WK_OBJECT_GET_CLASS (object)->traverse ((WkObject *) object, visit, data);
}

typedef struct
{
  GObject  *target;
  gboolean  found;
} Search;

static void
visit_search (GObject  *child,
              gpointer  data)
{
  Search *search = data;

  if (child == search->target)
    search->found = TRUE;
}

/**
 * wk_gc_get_referrers:
 * @object: (type GObject.Object): any GObject
 *
 * Lists the tracked objects whose traverse function visits @object.
 *
 * Returns: (transfer full) (element-type Wk.Object): a new array holding
 *   a reference to each; it has no element free function
 */
GPtrArray *
wk_gc_get_referrers (gpointer object)
{
  GPtrArray *all, *referrers;
  guint i;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  all = _wk_gc_track_dup_objects (-1);
  referrers = g_ptr_array_new ();
  for (i = 0; i < all->len; i++)
    {
      Search search = { object, FALSE };
      GObject *candidate = g_ptr_array_index (all, i);

      traverse (candidate, visit_search, &search);
      if (search.found)
        g_ptr_array_add (referrers, candidate);
      else
        g_object_unref (candidate);
    }
  g_ptr_array_unref (all);
  return referrers;
}

static void
visit_collect (GObject  *child,
               gpointer  data)
{
  g_ptr_array_add (data, g_object_ref (child));
}

/**
 * wk_gc_get_referents:
 * @object: (type GObject.Object): any GObject
 *
 * Lists what the traverse function of @object visits (nothing for an
 * object that is not a [class@Wk.Object]).
 *
 * Returns: (transfer full) (element-type GObject.Object): a new array
 *   holding a reference to each; it has no element free function
 */
GPtrArray *
wk_gc_get_referents (gpointer object)
{
  GPtrArray *referents;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  referents = g_ptr_array_new ();
  if (WK_IS_OBJECT (object))
    traverse (object, visit_collect, referents);
  return referents;
}

/**
 * wk_gc_is_tracked:
 * @object: (type GObject.Object): any GObject
 *
 * Tells whether the collector tracks @object.
 *
 * Returns: whether the collector tracks @object (every live
 *   [class@Wk.Object] is tracked)
 */
gboolean
wk_gc_is_tracked (gpointer object)
{
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  if (!WK_IS_OBJECT (object))
    return FALSE;
  return _wk_gc_track_is_tracked (_wk_object_gc_head (object));
}

/**
 * wk_gc_freeze:
 *
 * Moves every tracked object to a permanent generation that collections
 * ignore, as Python's `gc.freeze()`.
 */
void
wk_gc_freeze (void)
{
  guint g;

  _wk_gc_track_lock ();
  for (g = 0; g < WK_GC_N_GENERATIONS; g++)
    {
      wk_gc_list_merge (&_wk_gc_track_generation (g)->list, _wk_gc_track_permanent ());
      _wk_gc_track_generation (g)->count = 0;
    }
  _wk_gc_track_unlock ();
}

/**
 * wk_gc_unfreeze:
 *
 * Moves the frozen objects back into the oldest generation.
 */
void
wk_gc_unfreeze (void)
{
  _wk_gc_track_lock ();
  wk_gc_list_merge (_wk_gc_track_permanent (), &_wk_gc_track_generation (WK_GC_N_GENERATIONS - 1)->list);
  _wk_gc_track_unlock ();
}

/**
 * wk_gc_get_freeze_count:
 *
 * Counts the objects that [func@Wk.Gc.freeze] moved to the permanent
 * generation and that are still alive.
 *
 * Returns: the number of frozen objects
 */
guint
wk_gc_get_freeze_count (void)
{
  guint n;

  _wk_gc_track_lock ();
  n = wk_gc_list_length (_wk_gc_track_permanent ());
  _wk_gc_track_unlock ();
  return n;
}

/**
 * wk_gc_get_stats:
 *
 * Gets, per generation, how many collections ran, how many unreachable
 * objects they found and how many of those were uncollectable.
 *
 * Returns: (transfer full): a variant of type `a(uuu)`, one element per
 *   generation: (collections, collected, uncollectable)
 */
GVariant *
wk_gc_get_stats (void)
{
  GVariantBuilder builder;
  guint g;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(uuu)"));
  _wk_gc_track_lock ();
  for (g = 0; g < WK_GC_N_GENERATIONS; g++)
    {
      WkGcGeneration *generation = _wk_gc_track_generation (g);

      g_variant_builder_add (&builder, "(uuu)", generation->collections,
                             generation->collected, generation->uncollectable);
    }
  _wk_gc_track_unlock ();
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * wk_gc_set_debug:
 * @flags: the debug flags
 *
 * Sets the debug flags.
 */
void
wk_gc_set_debug (WkGcDebugFlags flags)
{
  __atomic_store_n (&gc_debug, flags, __ATOMIC_RELAXED);
}

/**
 * wk_gc_get_debug:
 *
 * Gets the debug flags set with [func@Wk.Gc.set_debug].
 *
 * Returns: the debug flags
 */
WkGcDebugFlags
wk_gc_get_debug (void)
{
  return __atomic_load_n (&gc_debug, __ATOMIC_RELAXED);
}

/**
 * wk_gc_get_garbage:
 *
 * Lists the objects kept because of %WK_GC_DEBUG_SAVEALL, and those a
 * collection could not free.
 *
 * Returns: (transfer full) (element-type GObject.Object): a new array
 *   holding a reference to each; it has no element free function
 */
GPtrArray *
wk_gc_get_garbage (void)
{
  return _wk_gc_collect_dup_garbage ();
}

/**
 * wk_gc_set_auto_mode:
 * @mode: where automatic collections run
 *
 * Sets where automatic collections run (default %WK_GC_AUTO_IDLE).
 */
void
wk_gc_set_auto_mode (WkGcAutoMode mode)
{
  g_return_if_fail (mode == WK_GC_AUTO_IDLE || mode == WK_GC_AUTO_ALLOC);

  __atomic_store_n (&gc_auto_mode, mode, __ATOMIC_RELAXED);
}

/**
 * wk_gc_get_auto_mode:
 *
 * Gets where automatic collections run.
 *
 * Returns: where automatic collections run
 */
WkGcAutoMode
wk_gc_get_auto_mode (void)
{
  return __atomic_load_n (&gc_auto_mode, __ATOMIC_RELAXED);
}
