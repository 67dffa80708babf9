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

#include <pthread.h>
#include <stdio.h>

#include "wk-gc.h"
#include "wk-gc-private.h"
#include "wk-anchor-private.h"
#include "wk-object-private.h"
#include "wk-enum-types.h"
#include "wk-ref.h"

#define N_GENERATIONS 3

enum {
  FLAG_REACHABLE = 1 << 0,
  FLAG_IN_SET    = 1 << 1,
};

typedef struct
{
  WkGcHead  list;          /* sentinel */
  guint     count;         /* allocations (gen 0) or collections below */
  guint     threshold;
  guint     collections;
  guint     collected;
  guint     uncollectable;
} Generation;

/* Tracking: the lists and counts. Collections: one at a time. */
static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;

static Generation  generations[N_GENERATIONS];
static WkGcHead    permanent;       /* frozen objects */
static WkGcHead    collecting;      /* garbage being processed */
static gboolean    lists_ready;

static gint            gc_enabled = TRUE;   /* (atomic) */
static gint            gc_debug;            /* (atomic) WkGcDebugFlags */
static gint            gc_auto_mode;        /* (atomic) WkGcAutoMode */
static gint            idle_pending;        /* (atomic) */
static GPtrArray      *gc_garbage;          /* under track_lock */
static __thread gboolean in_collection;

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
/* Lists (circular, with a sentinel), under track_lock                    */

static void
list_init (WkGcHead *list)
{
  list->prev = list->next = list;
}

static gboolean
list_is_empty (WkGcHead *list)
{
  return list->next == list;
}

static void
list_append (WkGcHead *list,
             WkGcHead *head)
{
  head->prev = list->prev;
  head->next = list;
  list->prev->next = head;
  list->prev = head;
}

static void
list_remove (WkGcHead *head)
{
  head->prev->next = head->next;
  head->next->prev = head->prev;
  head->prev = head->next = NULL;
}

/* Moves everything of @from to the end of @to. */
static void
list_merge (WkGcHead *from,
            WkGcHead *to)
{
  if (list_is_empty (from))
    return;
  from->next->prev = to->prev;
  to->prev->next = from->next;
  from->prev->next = to;
  to->prev = from->prev;
  list_init (from);
}

static guint
list_length (WkGcHead *list)
{
  guint n = 0;

  for (WkGcHead *h = list->next; h != list; h = h->next)
    n++;
  return n;
}

static void
ensure_lists_locked (void)
{
  static const guint thresholds[N_GENERATIONS] = { 700, 10, 10 };
  guint i;

  if (G_LIKELY (lists_ready))
    return;
  for (i = 0; i < N_GENERATIONS; i++)
    {
      list_init (&generations[i].list);
      generations[i].threshold = thresholds[i];
    }
  list_init (&permanent);
  list_init (&collecting);
  gc_garbage = g_ptr_array_new_with_free_func (g_object_unref);
  lists_ready = TRUE;
}

/* The oldest generation over its threshold, or -1. */
static gint
generation_to_collect_locked (void)
{
  gint g;

  for (g = N_GENERATIONS - 1; g >= 0; g--)
    if (generations[g].threshold > 0 && generations[g].count > generations[g].threshold)
      return g;
  return -1;
}

static guint collect_generation (gint generation, gboolean wait);

static gboolean
idle_collect (gpointer data)
{
  gint generation;

  __atomic_store_n (&idle_pending, 0, __ATOMIC_RELEASE);
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  generation = generation_to_collect_locked ();
  pthread_mutex_unlock (&track_lock);
  if (generation >= 0 && wk_gc_is_enabled ())
    collect_generation (generation, FALSE);
  return G_SOURCE_REMOVE;
}

/* A new object crossed generation 0's threshold. */
static void
collect_automatically (void)
{
  if (__atomic_load_n (&gc_auto_mode, __ATOMIC_RELAXED) == WK_GC_AUTO_ALLOC)
    {
      gint generation;

      pthread_mutex_lock (&track_lock);
      generation = generation_to_collect_locked ();
      pthread_mutex_unlock (&track_lock);
      if (generation >= 0)
        collect_generation (generation, FALSE);
    }
  else if (__atomic_exchange_n (&idle_pending, 1, __ATOMIC_ACQ_REL) == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, idle_collect, NULL, NULL);
}

void
_wk_gc_track (WkGcHead *head,
              GObject  *object)
{
  gboolean crossed;

  head->object = object;

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  generations[0].count++;
  crossed = generations[0].threshold > 0 && generations[0].count > generations[0].threshold &&
            !in_collection && wk_gc_is_enabled ();
  if (G_LIKELY (!crossed))
    {
      list_append (&generations[0].list, head);
      head->tracked = TRUE;
      pthread_mutex_unlock (&track_lock);
      return;
    }
  pthread_mutex_unlock (&track_lock);

  /* Before the new object joins: a collection in its own constructor
   * must not traverse it half made. */
  collect_automatically ();

  pthread_mutex_lock (&track_lock);
  list_append (&generations[0].list, head);
  head->tracked = TRUE;
  pthread_mutex_unlock (&track_lock);
}

void
_wk_gc_untrack (WkGcHead *head)
{
  pthread_mutex_lock (&track_lock);
  if (head->tracked)
    {
      /* As CPython's: an object that goes counts against generation 0's
       * allocations, whichever list it was on. */
      list_remove (head);
      if (generations[0].count > 0)
        generations[0].count--;
      head->tracked = FALSE;
    }
  pthread_mutex_unlock (&track_lock);
}

/* ---------------------------------------------------------------------- */
/* Collection                                                             */

typedef struct
{
  GPtrArray   *heads;       /* WkGcHead, the set being examined */
  GPtrArray   *stack;       /* WkGcHead, for reachability */
  GPtrArray   *ephemerons;  /* WkGcHead pairs: key, value */
} Set;

/* The set is marked in the heads themselves (FLAG_IN_SET), as CPython
 * marks its young generation: one collection at a time. In the same pass
 * (each pass over the set is a cache miss per object), gc_refs starts as
 * the count minus @own, the references the collection holds itself. */
static void
set_init (Set      *set,
          WkGcHead *list,
          gint      own)
{
  set->heads = g_ptr_array_new ();
  set->stack = g_ptr_array_new ();
  set->ephemerons = g_ptr_array_new ();
  for (WkGcHead *h = list->next; h != list; h = h->next)
    {
      gint count = __atomic_load_n ((gint *) &h->object->ref_count, __ATOMIC_ACQUIRE);

      /* An object in dispose or finalize is on its way out already. */
      h->gc_refs = count > 0 ? count - own : 1;
      h->flags = FLAG_IN_SET;
      g_ptr_array_add (set->heads, h);
    }
}

/* Once the marks are gone. */
static void
set_free (Set *set)
{
  g_ptr_array_unref (set->heads);
  g_ptr_array_unref (set->stack);
  g_ptr_array_unref (set->ephemerons);
}

static void
set_clear (Set *set)
{
  guint i;

  for (i = 0; i < set->heads->len; i++)
    ((WkGcHead *) g_ptr_array_index (set->heads, i))->flags = 0;
  set_free (set);
}

/* The head of @child if it is in the set. @child is what a traverse
 * function visits: an object it holds a strong reference on, under the
 * lock that guards it, so its memory is there to look at. */
static inline WkGcHead *
set_find (GObject *child)
{
  WkGcHead *head;

  if (G_UNLIKELY (child == NULL) || !WK_IS_OBJECT (child))
    return NULL;
  head = _wk_object_gc_head ((WkObject *) child);
  return (head->flags & FLAG_IN_SET) ? head : NULL;
}

static void
visit_decref (GObject  *child,
              gpointer  data)
{
  WkGcHead *head = set_find (child);

  if (head != NULL)
    head->gc_refs--;
}

static void
visit_reach (GObject  *child,
             gpointer  data)
{
  Set *set = data;
  WkGcHead *head = set_find (child);

  if (head != NULL && !(head->flags & FLAG_REACHABLE))
    {
      head->flags |= FLAG_REACHABLE;
      g_ptr_array_add (set->stack, head);
    }
}

static void traverse_head (WkGcHead    *head,
                           WkVisitFunc  visit,
                           gpointer     data);

/* An entry of a weak key dict whose key and value are both in the set:
 * the dict's reference on the value counts as one from the key. The key
 * and value are alive: their deaths wait for the dict's lock, held
 * meanwhile. */
static void
visit_ephemeron (gpointer  key,
                 GObject  *value,
                 gpointer  data)
{
  Set *set = data;
  WkGcHead *khead = set_find (key);
  WkGcHead *vhead = khead != NULL ? set_find (value) : NULL;

  if (vhead == NULL)
    return;
  vhead->gc_refs--;
  g_ptr_array_add (set->ephemerons, khead);
  g_ptr_array_add (set->ephemerons, vhead);
}

static void
propagate (Set *set)
{
  while (set->stack->len > 0)
    {
      WkGcHead *head = g_ptr_array_steal_index_fast (set->stack, set->stack->len - 1);

      traverse_head (head, visit_reach, set);
    }
}

static void
traverse (GObject     *object,
          WkVisitFunc  visit,
          gpointer     data)
{
  WK_OBJECT_GET_CLASS (object)->traverse ((WkObject *) object, visit, data);
}

static void
traverse_head (WkGcHead    *head,
               WkVisitFunc  visit,
               gpointer     data)
{
  traverse (head->object, visit, data);
}

/* gc_refs (as set_init() left it) minus the references from inside the
 * set; then marks what is reachable from the objects left above zero. */
static void
find_reachable (Set *set)
{
  guint i;

  for (i = 0; i < set->heads->len; i++)
    traverse_head (g_ptr_array_index (set->heads, i), visit_decref, set);
  _wk_weak_key_dicts_scan (visit_ephemeron, set);

  for (i = 0; i < set->heads->len; i++)
    {
      WkGcHead *head = g_ptr_array_index (set->heads, i);

      if (head->gc_refs > 0 && !(head->flags & FLAG_REACHABLE))
        {
          head->flags |= FLAG_REACHABLE;
          g_ptr_array_add (set->stack, head);
        }
    }
  propagate (set);

  /* Ephemerons: a value is reachable through its entry once its key is;
   * to a fixed point. */
  for (;;)
    {
      gboolean more = FALSE;

      for (i = 0; i + 1 < set->ephemerons->len; i += 2)
        {
          WkGcHead *key = g_ptr_array_index (set->ephemerons, i);
          WkGcHead *value = g_ptr_array_index (set->ephemerons, i + 1);

          if ((key->flags & FLAG_REACHABLE) && !(value->flags & FLAG_REACHABLE))
            {
              value->flags |= FLAG_REACHABLE;
              g_ptr_array_add (set->stack, value);
              more = TRUE;
            }
        }
      if (!more)
        break;
      propagate (set);
    }
}

/* An object found unreachable. */
typedef struct
{
  WkGcHead  *head;
  gint       count;      /* its count then */
  gboolean   survives;   /* a callback made it reachable again */
} Garbage;

/* One of them with an anchor: weak references that must read NULL and
 * callbacks that must run before anything is cleared. Kept apart, so
 * that the passes over the anchors skip the (usually many) objects that
 * have none. */
typedef struct
{
  WkAnchor       *anchor;   /* (owned) marked GC_PENDING */
  GObject        *object;
  WkAnchorDeath   death;
} Anchored;

static void
debug_print (const char *what,
             GArray     *garbage)
{
  guint i;

  for (i = 0; i < garbage->len; i++)
    {
      Garbage *g = &g_array_index (garbage, Garbage, i);

      g_printerr ("wk-gc: %s <%s %p>\n", what, G_OBJECT_TYPE_NAME (g->head->object), g->head->object);
    }
}

/* Under the tracking lock, once the set's marks are made: takes the
 * unreachable objects of @set out into @garbage (their anchors, marked
 * GC_PENDING, into @anchored) and clears every mark. Returns FALSE,
 * with both arrays empty and nothing marked, if a count changed since
 * it was read, or an anchor was found dying: a reference the collection
 * cannot see, so not this time. */
static gboolean
take_garbage_locked (Set    *set,
                     GArray *garbage,
                     GArray *anchored)
{
  gboolean changed = FALSE;
  guint i;

  /* The last pass over the whole set: its marks go as it looks. */
  for (i = 0; i < set->heads->len; i++)
    {
      WkGcHead *head = g_ptr_array_index (set->heads, i);
      gboolean reachable = (head->flags & FLAG_REACHABLE) != 0;
      Garbage item = { head, 0, FALSE };
      WkAnchor *anchor;

      head->flags = 0;
      if (reachable)
        continue;
      item.count = __atomic_load_n ((gint *) &head->object->ref_count, __ATOMIC_ACQUIRE);
      g_array_append_val (garbage, item);
      /* Readers of its weak references wait from here on. */
      anchor = wk_anchor_lookup (head->object);
      if (anchor != NULL)
        {
          Anchored a = { anchor, head->object, { 0 } };

          if (!wk_anchor_gc_mark (anchor))
            changed = TRUE;
          g_array_append_val (anchored, a);
        }
    }
  if (garbage->len == 0)
    return TRUE;

  /* A reader that passed the check before the mark has finished taking
   * its reference, and shows in the counts. */
  for (i = 0; i < anchored->len; i++)
    wk_hazard_wait (g_array_index (anchored, Anchored, i).anchor);
  for (i = 0; i < garbage->len && !changed; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      if (__atomic_load_n ((gint *) &item->head->object->ref_count, __ATOMIC_ACQUIRE) != item->count)
        changed = TRUE;
    }

  if (changed)
    {
      for (i = 0; i < anchored->len; i++)
        {
          Anchored *a = &g_array_index (anchored, Anchored, i);

          wk_anchor_gc_unmark (a->anchor);
          wk_anchor_unref (a->anchor);
        }
      g_array_set_size (anchored, 0);
      g_array_set_size (garbage, 0);
      return FALSE;
    }

  for (i = 0; i < garbage->len; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      /* No toggle reference can be among their references: those are
       * outside references, and these objects have none. */
      g_object_ref (item->head->object);
      list_remove (item->head);
      list_append (&collecting, item->head);
    }
  return TRUE;
}

static void
visit_count_ref (GObject  *child,
                 gpointer  data)
{
  GHashTable *visits = data;

  if (child != NULL && WK_IS_REF (child))
    g_hash_table_insert (visits, child,
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (visits, child)) + 1));
}

/* Under the tracking lock: how many times the garbage holds each WkRef
 * it holds, or NULL if it holds none. A ref whose every strong reference
 * is among these is garbage too. */
static GHashTable *
count_garbage_refs_locked (GArray *garbage)
{
  GHashTable *visits = g_hash_table_new (NULL, NULL);
  guint i;

  for (i = 0; i < garbage->len; i++)
    traverse_head (g_array_index (garbage, Garbage, i).head, visit_count_ref, visits);
  if (g_hash_table_size (visits) == 0)
    g_clear_pointer (&visits, g_hash_table_unref);
  return visits;
}

/* Every weak reference to every garbage object reads NULL, then the
 * tables drop their entries, then the callbacks and finalizers run
 * (newest first for each object; not those of refs that are garbage
 * themselves, as in CPython), then the late watches. */
static void
kill_anchored (GArray     *anchored,
               GHashTable *garbage_refs)
{
  guint i;

  for (i = 0; i < anchored->len; i++)
    {
      Anchored *a = &g_array_index (anchored, Anchored, i);

      if (garbage_refs != NULL)
        wk_anchor_gc_drop_garbage_callbacks (a->anchor, garbage_refs);
      wk_anchor_gc_disown (a->anchor, a->object);
      wk_anchor_kill (a->anchor, a->object, &a->death);
    }
  for (i = 0; i < anchored->len; i++)
    wk_anchor_deliver_watches (&g_array_index (anchored, Anchored, i).death);
  for (i = 0; i < anchored->len; i++)
    wk_anchor_deliver_callbacks (&g_array_index (anchored, Anchored, i).death);
  for (i = 0; i < anchored->len; i++)
    {
      Anchored *a = &g_array_index (anchored, Anchored, i);

      wk_anchor_deliver_late (&a->death);
      g_clear_pointer (&a->anchor, wk_anchor_unref);
    }
}

/* After the callbacks: what a callback made reachable again survives, in
 * the oldest generation. Without anchors no callback ran, and unchanged
 * counts (plus the collection's own reference) show that nothing else
 * took a reference either: then there is nothing to look at again. */
static void
find_survivors (GArray   *garbage,
                gboolean  callbacks_ran)
{
  WkGcHead resurrected;
  gboolean recheck = callbacks_ran;
  Set set;
  guint i;

  for (i = 0; i < garbage->len && !recheck; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      recheck = __atomic_load_n ((gint *) &item->head->object->ref_count, __ATOMIC_ACQUIRE) != item->count + 1;
    }
  if (!recheck)
    return;

  pthread_mutex_lock (&track_lock);
  set_init (&set, &collecting, 1);
  find_reachable (&set);
  list_init (&resurrected);
  for (i = 0; i < garbage->len; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      if (item->head->flags & FLAG_REACHABLE)
        {
          item->survives = TRUE;
          list_remove (item->head);
          list_append (&resurrected, item->head);
        }
    }
  list_merge (&resurrected, &generations[N_GENERATIONS - 1].list);
  set_clear (&set);
  pthread_mutex_unlock (&track_lock);
}

/* Clears the garbage (or with SAVEALL keeps it), then drops the
 * collection's references, so that it dies here, in this thread. Returns
 * how many the clears did not free. */
static guint
clear_garbage (GArray         *garbage,
               WkGcDebugFlags  debug)
{
  guint uncollectable = 0;
  guint i;

  if (debug & WK_GC_DEBUG_SAVEALL)
    {
      pthread_mutex_lock (&track_lock);
      for (i = 0; i < garbage->len; i++)
        if (!g_array_index (garbage, Garbage, i).survives)
          g_ptr_array_add (gc_garbage, g_object_ref (g_array_index (garbage, Garbage, i).head->object));
      pthread_mutex_unlock (&track_lock);
    }
  else
    {
      for (i = 0; i < garbage->len; i++)
        {
          Garbage *item = &g_array_index (garbage, Garbage, i);
          WkObject *object = (WkObject *) item->head->object;

          if (!item->survives)
            WK_OBJECT_GET_CLASS (object)->clear (object);
        }

      /* What the clears did not free (references the traverse functions
       * did not report) stays, in the garbage list. */
      for (i = 0; i < garbage->len; i++)
        {
          Garbage *item = &g_array_index (garbage, Garbage, i);
          GObject *object = item->head->object;

          if (!item->survives && __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_ACQUIRE) > 1)
            {
              uncollectable++;
              if (debug & WK_GC_DEBUG_UNCOLLECTABLE)
                g_printerr ("wk-gc: uncollectable <%s %p>\n", G_OBJECT_TYPE_NAME (object), object);
              pthread_mutex_lock (&track_lock);
              g_ptr_array_add (gc_garbage, g_object_ref (object));
              pthread_mutex_unlock (&track_lock);
            }
        }
    }

  for (i = 0; i < garbage->len; i++)
    g_object_unref (g_array_index (garbage, Garbage, i).head->object);

  /* What lives on (kept by SAVEALL, or uncollectable) is tracked in the
   * oldest generation, as CPython keeps gc.garbage. */
  pthread_mutex_lock (&track_lock);
  list_merge (&collecting, &generations[N_GENERATIONS - 1].list);
  pthread_mutex_unlock (&track_lock);
  return uncollectable;
}

static guint
collect_generation (gint     generation,
                    gboolean wait)
{
  WkGc *gc = __atomic_load_n (&default_gc, __ATOMIC_ACQUIRE);
  WkGcDebugFlags debug = __atomic_load_n (&gc_debug, __ATOMIC_RELAXED);
  WkGcHead young;
  GArray *garbage, *anchored;
  GHashTable *garbage_refs = NULL;
  Set set;
  guint found = 0, uncollectable = 0;
  gboolean changed;
  gint g;

  if (in_collection)
    return 0;
  if (wait)
    pthread_mutex_lock (&collect_lock);
  else if (pthread_mutex_trylock (&collect_lock) != 0)
    return 0;
  in_collection = TRUE;

  if (gc != NULL)
    g_signal_emit (gc, signals[SIGNAL_COLLECT_START], 0, generation);

  garbage = g_array_new (FALSE, FALSE, sizeof (Garbage));
  anchored = g_array_new (FALSE, FALSE, sizeof (Anchored));

  /* 1-3 under the tracking lock: nothing tracked is finalized meanwhile. */
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  list_init (&young);
  for (g = 0; g <= generation; g++)
    list_merge (&generations[g].list, &young);

  set_init (&set, &young, 0);
  find_reachable (&set);
  changed = !take_garbage_locked (&set, garbage, anchored);
  if (anchored->len > 0)
    garbage_refs = count_garbage_refs_locked (garbage);

  /* The survivors move one generation up: the lists are the generations,
   * so that is one splice. */
  if (generation < N_GENERATIONS - 1)
    {
      list_merge (&young, &generations[generation + 1].list);
      generations[generation + 1].count++;
    }
  else
    list_merge (&young, &generations[generation].list);
  for (g = 0; g <= generation; g++)
    generations[g].count = 0;
  generations[generation].collections++;
  set_free (&set);
  pthread_mutex_unlock (&track_lock);

  found = garbage->len;
  if (found > 0 && (debug & WK_GC_DEBUG_COLLECTABLE))
    debug_print ("collectable", garbage);

  /* 4-6 outside it: user code runs. */
  if (found > 0)
    {
      kill_anchored (anchored, garbage_refs);
      g_clear_pointer (&garbage_refs, g_hash_table_unref);
      find_survivors (garbage, anchored->len > 0);
      uncollectable = clear_garbage (garbage, debug);
    }

  pthread_mutex_lock (&track_lock);
  generations[generation].collected += found;
  generations[generation].uncollectable += uncollectable;
  pthread_mutex_unlock (&track_lock);

  if (debug & WK_GC_DEBUG_STATS)
    g_printerr ("wk-gc: generation %d: %u unreachable, %u uncollectable%s\n",
                generation, found, uncollectable,
                changed ? " (gave up: counts changed during the collection)" : "");

  g_array_unref (anchored);
  g_array_unref (garbage);
  in_collection = FALSE;
  pthread_mutex_unlock (&collect_lock);

  if (gc != NULL)
    g_signal_emit (gc, signals[SIGNAL_COLLECT_END], 0, generation, found, uncollectable);
  return found;
}

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
  g_return_val_if_fail (generation >= -1 && generation < N_GENERATIONS, 0);

  return collect_generation (generation < 0 ? N_GENERATIONS - 1 : generation, TRUE);
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
  guint *out[N_GENERATIONS] = { out0, out1, out2 };
  guint i;

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  for (i = 0; i < N_GENERATIONS; i++)
    if (out[i] != NULL)
      *out[i] = G_STRUCT_MEMBER (guint, &generations[i], offset);
  pthread_mutex_unlock (&track_lock);
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
  read_generations (G_STRUCT_OFFSET (Generation, count), count0, count1, count2);
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
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  generations[0].threshold = threshold0;
  generations[1].threshold = threshold1;
  generations[2].threshold = threshold2;
  pthread_mutex_unlock (&track_lock);
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
  read_generations (G_STRUCT_OFFSET (Generation, threshold), threshold0, threshold1, threshold2);
}

/* Strong references to the objects of @list (those with a count of 2 or
 * more can be taken under the lock without running any toggle notify;
 * for the others, a Wk weak read does it safely once the lock is gone). */
static void
dup_list_locked (WkGcHead  *list,
                 GPtrArray *strong,
                 GPtrArray *weak)
{
  for (WkGcHead *h = list->next; h != list; h = h->next)
    {
      if (wk_glib_try_ref_from_2 (h->object))
        g_ptr_array_add (strong, h->object);
      else if (__atomic_load_n ((gint *) &h->object->ref_count, __ATOMIC_RELAXED) == 1)
        /* The anchor layer itself: no GObject made, nothing of the
         * caller's run, under the lock. */
        g_ptr_array_add (weak, wk_anchor_obtain (h->object));
    }
}

static GPtrArray *
dup_objects (gint generation)
{
  GPtrArray *strong = g_ptr_array_new ();
  GPtrArray *weak = g_ptr_array_new_with_free_func ((GDestroyNotify) wk_anchor_unref);
  gint g;
  guint i;

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  for (g = 0; g < N_GENERATIONS; g++)
    if (generation < 0 || generation == g)
      dup_list_locked (&generations[g].list, strong, weak);
  if (generation < 0)
    dup_list_locked (&permanent, strong, weak);
  pthread_mutex_unlock (&track_lock);

  for (i = 0; i < weak->len; i++)
    {
      WkAnchor *anchor = g_ptr_array_index (weak, i);
      WkHazard *hazard = wk_hazard_get ();
      GObject *object;

      wk_hazard_publish (hazard, anchor);
      object = wk_anchor_get (anchor, hazard);

      if (object != NULL)
        g_ptr_array_add (strong, object);
    }
  g_ptr_array_unref (weak);
  return strong;
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
  g_return_val_if_fail (generation >= -1 && generation < N_GENERATIONS, NULL);

  return dup_objects (generation);
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

  all = dup_objects (-1);
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
  gboolean tracked;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  if (!WK_IS_OBJECT (object))
    return FALSE;
  pthread_mutex_lock (&track_lock);
  tracked = _wk_object_gc_head (object)->tracked;
  pthread_mutex_unlock (&track_lock);
  return tracked;
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
  gint g;

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  for (g = 0; g < N_GENERATIONS; g++)
    {
      list_merge (&generations[g].list, &permanent);
      generations[g].count = 0;
    }
  pthread_mutex_unlock (&track_lock);
}

/**
 * wk_gc_unfreeze:
 *
 * Moves the frozen objects back into the oldest generation.
 */
void
wk_gc_unfreeze (void)
{
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  list_merge (&permanent, &generations[N_GENERATIONS - 1].list);
  pthread_mutex_unlock (&track_lock);
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

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  n = list_length (&permanent);
  pthread_mutex_unlock (&track_lock);
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
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  for (g = 0; g < N_GENERATIONS; g++)
    g_variant_builder_add (&builder, "(uuu)", generations[g].collections,
                           generations[g].collected, generations[g].uncollectable);
  pthread_mutex_unlock (&track_lock);
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
  GPtrArray *list = g_ptr_array_new ();
  guint i;

  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
  for (i = 0; i < gc_garbage->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (gc_garbage, i)));
  pthread_mutex_unlock (&track_lock);
  return list;
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
