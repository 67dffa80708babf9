/* wk-gc-collect.c: a collection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * CPython's algorithm over the lists of wk-gc-track.c, with Wk's weak
 * references and other threads in mind. A collection of generation g
 *
 * 1. takes the objects of generations 0 to g as the set, copies their
 *    counts, and subtracts one for every reference that the traverse
 *    functions of the set (and the ephemeron sources) report to another
 *    member of it (find_reachable());
 * 2. marks as reachable what is left above zero and what those reach;
 *    the rest are the candidates, and every Wk weak reference to one of
 *    them is made to wait (a reader of one waits until the collection has
 *    decided) (take_garbage_locked());
 * 3. reads the counts of the candidates again: if any is not the count
 *    that step 1 read (a reference the collection could not see, for
 *    instance a GWeakRef or a borrowed pointer made strong), or a holder
 *    let go of one of them meanwhile, it gives up on all of them;
 * 4. otherwise kills their weak references and runs the callbacks
 *    (kill_anchored()), keeps what a callback made reachable again
 *    (find_survivors()), and clears the rest (clear_garbage()).
 *
 * 1 to 3 run under the tracking lock, so no tracked object is finalized
 * meanwhile, and no user code runs; 4 runs outside it, since callbacks,
 * clears and the disposes they cause are user code.
 *
 * Other threads go on meanwhile, and the counts and the traverses are
 * not read at one instant. What step 3 must rule out is a reference that
 * moved: one that a traverse reported in step 1 and that is somewhere
 * else by step 2 (wk_object_list_held() and wk_object_release() from a
 * reachable holder: the count is the same, and nothing reaches the
 * object any more). Counts cannot show it; the holder's side does
 * (wk-gc-private.h): from before step 1 to the end of step 3 the
 * collection publishes its phase, and a WkObject that lets go of a held
 * reference meanwhile (release, dispose, clear) marks the object with
 * the collection's epoch, under the lock that its traverse takes. So a
 * reference that the first traverse of the holder reported and the
 * second did not find has its mark made before the second traverse, and
 * step 3 sees it. An object so marked, one whose count is not the one
 * step 1 read, and one whose death has begun, are taken as reachable
 * with what they reach, before any anchor is marked (what stays
 * unreachable is still closed: every reference to it was counted, from
 * objects that stay unreachable); a change seen after that makes the
 * collection give up on all of them. A reference that reaches an object
 * while the collection looks (a weak read, a list_held()) shows in its
 * count; one that arrives after step 3 can only come from a weak read,
 * which waits for the decision, or from another garbage object, which
 * nobody outside holds. A reference that a custom traverse reported and
 * its owner's own code moved elsewhere is beyond what Wk can see
 * (collector.md, Limits).
 *
 * The same marks guard the count the collection raises on each object of
 * the garbage in step 3: GLib runs dispose at a count of 1, and before
 * 2.80 an object re-referenced in its dispose is not safe
 * (wk-glib-private.h, fact 3). While the counts are raised (the raising
 * phase), a holder that let go during the collection waits before it
 * drops the references, so a dispose that the drop would begin cannot
 * have begun; one that dropped before read the phase before the raising
 * began, after its marks, which step 3 then sees.
 */

#include "config.h"

#include <pthread.h>
#include <stdio.h>

#include "wk-gc-collect-private.h"
#include "wk-gc-track-private.h"
#include "wk-gc-private.h"
#include "wk-anchor-private.h"
#include "wk-object-private.h"
#include "wk-ref.h"
#include "wk-sync-private.h"

enum {
  FLAG_REACHABLE = 1 << 0,
  FLAG_IN_SET    = 1 << 1,
};

/* One collection at a time. in_collection is read for every WkObject
 * made (_wk_gc_collect_in_progress ()): initial-exec TLS, no call. */
static pthread_mutex_t   collect_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread gboolean in_collection __attribute__ ((tls_model ("initial-exec")));

/* The phase of the running collection, for the holders that let go of
 * objects (wk-gc-private.h): 0 when no collection is deciding, else its
 * epoch (never 0) shifted left by one, with bit 0 set while it raises
 * the counts of its garbage. Written under the collection lock and the
 * tracking lock. */
gint          _wk_gc_phase;
static guint  epoch_counter;   /* under the collection lock */
static gint   marks_made;      /* (atomic) how many holders marked */

#define PHASE_LOOKING(epoch)  ((gint) ((epoch) << 1))
#define PHASE_RAISING(epoch)  ((gint) ((epoch) << 1 | 1))
#define PHASE_EPOCH(phase)    ((guint) (phase) >> 1)

static guint
next_epoch (void)
{
  epoch_counter = (epoch_counter + 1) & 0x3fffffff;
  if (epoch_counter == 0)
    epoch_counter = 1;
  return epoch_counter;
}

static void
set_phase (gint phase)
{
  __atomic_store_n (&_wk_gc_phase, phase, __ATOMIC_SEQ_CST);
}

void
_wk_gc_mark_unheld_slow (GObject *child,
                         gint     phase)
{
  /* The caller holds @child (the reference it takes out), and the lock
   * that guarded it in its holder. */
  if (_wk_is_object (child))
    {
      __atomic_store_n (&_wk_object_gc_head ((WkObject *) child)->moved, PHASE_EPOCH (phase),
                        __ATOMIC_SEQ_CST);
      /* For take_garbage_locked(): there are marks to look at again. */
      __atomic_fetch_add (&marks_made, 1, __ATOMIC_SEQ_CST);
    }
}

void
_wk_gc_unheld_wait_slow (void)
{
  gint phase = __atomic_load_n (&_wk_gc_phase, __ATOMIC_SEQ_CST);
  guint spins = 0;

  /* A collection that is raising counts may have looked at the marks
   * before they were made: the references stay until it has decided, so
   * that a count it raised never belongs to an object whose dispose the
   * drop began (one that raises its counts later sees the marks first). */
  if (phase & 1)
    while (__atomic_load_n (&_wk_gc_phase, __ATOMIC_SEQ_CST) == phase)
      wk_spin_pause (&spins);
}

/* What SAVEALL kept and what the clears could not free; under the
 * tracking lock. */
static GPtrArray *gc_garbage;

static GPtrArray *
garbage_list_locked (void)
{
  if (gc_garbage == NULL)
    gc_garbage = g_ptr_array_new_with_free_func (g_object_unref);
  return gc_garbage;
}

GPtrArray *
_wk_gc_collect_dup_garbage (void)
{
  GPtrArray *list = g_ptr_array_new ();
  GPtrArray *kept;
  guint i;

  _wk_gc_track_lock ();
  kept = garbage_list_locked ();
  /* Each has a reference from the list, so this takes it from 2 at
   * least: no toggle notify runs under the lock. */
  for (i = 0; i < kept->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (kept, i)));
  _wk_gc_track_unlock ();
  return list;
}

/* ---------------------------------------------------------------------- */
/* Ephemeron sources                                                      */

/* Source -> its scan function. The lock is taken under the tracking
 * lock (by a scan), and before a source's own lock. */
static pthread_mutex_t  sources_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable      *sources;

void
_wk_gc_register_ephemeron_source (WkGcEphemeronScanFunc scan,
                                  gpointer              source)
{
  pthread_mutex_lock (&sources_lock);
  if (sources == NULL)
    sources = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (sources, source, scan);
  pthread_mutex_unlock (&sources_lock);
}

void
_wk_gc_unregister_ephemeron_source (WkGcEphemeronScanFunc scan,
                                    gpointer              source)
{
  pthread_mutex_lock (&sources_lock);
  if (sources != NULL && g_hash_table_lookup (sources, source) == scan)
    g_hash_table_remove (sources, source);
  pthread_mutex_unlock (&sources_lock);
}

void
_wk_gc_collect_scan_ephemerons (WkEphemeronFunc func,
                                gpointer        user_data)
{
  GHashTableIter iter;
  gpointer source, scan;

  pthread_mutex_lock (&sources_lock);
  if (sources != NULL)
    {
      g_hash_table_iter_init (&iter, sources);
      while (g_hash_table_iter_next (&iter, &source, &scan))
        ((WkGcEphemeronScanFunc) scan) (source, func, user_data);
    }
  pthread_mutex_unlock (&sources_lock);
}

/* ---------------------------------------------------------------------- */
/* Reachability (steps 1 and 2)                                           */

typedef struct
{
  GPtrArray   *heads;       /* WkGcHead, the set being examined */
  GPtrArray   *stack;       /* WkGcHead, for reachability */
  GPtrArray   *ephemerons;  /* WkGcHead pairs: key, value */
} Set;

/* Whether @object's death has begun: in finalize (count 0), or in
 * dispose, which GLib runs at a count of 1 (WkObject marks it). */
static inline gboolean
object_is_dying (GObject *object,
                 gint     count)
{
  return count <= 0 || _wk_object_is_disposing ((WkObject *) object);
}

/* The scratch arrays of a collection are kept for the next one
 * (collections run one at a time, under collect_lock): freeing arrays of
 * the set's size at the end of each collection made glibc consolidate its
 * free lists there, a fifth of the time of a collection of 10^5 objects.
 * Arrays longer than SCRATCH_KEEP entries are freed all the same. */
#define SCRATCH_KEEP (1u << 18)

static GPtrArray *scratch_ptrs[3];
static GArray    *scratch_garbage;

static GPtrArray *
scratch_take (guint which)
{
  GPtrArray *array = g_steal_pointer (&scratch_ptrs[which]);

  return array != NULL ? array : g_ptr_array_new ();
}

static void
scratch_give (guint      which,
              GPtrArray *array)
{
  if (array->len <= SCRATCH_KEEP && scratch_ptrs[which] == NULL)
    {
      g_ptr_array_set_size (array, 0);
      scratch_ptrs[which] = array;
    }
  else
    g_ptr_array_unref (array);
}

/* The set is marked in the heads themselves (FLAG_IN_SET), as CPython
 * marks its young generation: one collection at a time. In the same pass
 * (each pass over the set is a cache miss per object), the count is read
 * (into count, for step 3) and gc_refs starts as the count minus @own,
 * the references the collection holds itself. */
static void
set_init (Set      *set,
          WkGcHead *list,
          gint      own)
{
  set->heads = scratch_take (0);
  set->stack = scratch_take (1);
  set->ephemerons = scratch_take (2);
  for (WkGcHead *h = list->next; h != list; h = h->next)
    {
      gint count = __atomic_load_n ((gint *) &h->object->ref_count, __ATOMIC_SEQ_CST);

      /* An object in dispose or finalize is on its way out already: its
       * dying thread holds it. */
      h->count = count;
      h->gc_refs = !object_is_dying (h->object, count) ? count - own : 1;
      h->flags = FLAG_IN_SET;
      g_ptr_array_add (set->heads, h);
    }
}

/* Once the marks are gone. */
static void
set_free (Set *set)
{
  scratch_give (0, g_steal_pointer (&set->heads));
  scratch_give (1, g_steal_pointer (&set->stack));
  scratch_give (2, g_steal_pointer (&set->ephemerons));
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

  if (G_UNLIKELY (child == NULL) || !_wk_is_object (child))
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

/* propagate(), then the ephemerons: a value is reachable through its
 * entry once its key is; to a fixed point. */
static void
propagate_all (Set *set)
{
  propagate (set);
  for (;;)
    {
      gboolean more = FALSE;
      guint i;

      for (i = 0; i + 1 < set->ephemerons->len; i += 2)
        {
          WkGcHead *key = g_ptr_array_index (set->ephemerons, i);
          WkGcHead *value = g_ptr_array_index (set->ephemerons, i + 1);

          if ((key->flags & FLAG_REACHABLE) &&
              (value->flags & (FLAG_IN_SET | FLAG_REACHABLE)) == FLAG_IN_SET)
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
  _wk_gc_collect_scan_ephemerons (visit_ephemeron, set);

  for (i = 0; i < set->heads->len; i++)
    {
      WkGcHead *head = g_ptr_array_index (set->heads, i);

      if (head->gc_refs > 0 && !(head->flags & FLAG_REACHABLE))
        {
          head->flags |= FLAG_REACHABLE;
          g_ptr_array_add (set->stack, head);
        }
    }
  propagate_all (set);
}

/* Whether an object of the set was touched since set_init() read its
 * count: a holder let go of it during this look (@epoch, see
 * _wk_gc_mark_unheld_slow()), its death began, or its count is no longer
 * the one read. */
static inline gboolean
head_touched (WkGcHead *head,
              guint     epoch)
{
  GObject *object = head->object;
  gint count = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_SEQ_CST);

  return __atomic_load_n (&head->moved, __ATOMIC_SEQ_CST) == epoch ||
         count != head->count || object_is_dying (object, count);
}

/* After find_reachable(), for the unreachable objects among @heads: one
 * that was touched meanwhile is taken as referenced from outside, with
 * what it reaches; to a fixed point. What stays unreachable is still
 * closed: every reference to it was counted, from objects that stay
 * unreachable (one from a touched object's closure would have made it
 * reachable), and none of them moved. Reachable objects outside @heads
 * may have lost their marks already (they are outside the set then). */
static void
reach_from_touched (Set       *set,
                    GPtrArray *heads,
                    guint      epoch)
{
  gboolean more = TRUE;
  guint i;

  while (more)
    {
      more = FALSE;
      for (i = 0; i < heads->len; i++)
        {
          WkGcHead *head = g_ptr_array_index (heads, i);

          if (!(head->flags & FLAG_REACHABLE) && head_touched (head, epoch))
            {
              head->flags |= FLAG_REACHABLE;
              g_ptr_array_add (set->stack, head);
              more = TRUE;
            }
        }
      if (more)
        propagate_all (set);
    }
}

/* ---------------------------------------------------------------------- */
/* The garbage (steps 2 to 4)                                             */

/* An object found unreachable. */
typedef struct
{
  WkGcHead  *head;
  gint       count;      /* its count then */
  gboolean   raised;     /* the collection holds a reference */
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
  gboolean        claimed;  /* the collection runs its death */
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

/* @head, unreachable, is taken as reachable (touched), with what it
 * will reach; @touched keeps it, for its marks to go at the end. */
static void
touch (Set        *set,
       GPtrArray **touched,
       WkGcHead   *head)
{
  if (*touched == NULL)
    *touched = g_ptr_array_new ();
  head->flags |= FLAG_REACHABLE;
  g_ptr_array_add (set->stack, head);
  g_ptr_array_add (*touched, head);
}

/* After touch(): what the touched reach leaves the garbage (and loses
 * its mark of GC_PENDING), and so does what is found touched among the
 * rest, to a fixed point. Rare: only when another thread acted on the
 * garbage while the collection looked. */
static void
settle (Set        *set,
        guint       epoch,
        GPtrArray **touched,
        GArray     *garbage,
        GArray     *anchored)
{
  gboolean more = TRUE;
  guint i, kept;

  while (more)
    {
      propagate_all (set);
      more = FALSE;
      for (i = 0, kept = 0; i < garbage->len; i++)
        {
          Garbage *item = &g_array_index (garbage, Garbage, i);

          if (!(item->head->flags & FLAG_REACHABLE) && head_touched (item->head, epoch))
            {
              touch (set, touched, item->head);
              more = TRUE;
            }
          if (item->head->flags & FLAG_REACHABLE)
            g_ptr_array_add (*touched, item->head);   /* its mark goes at the end */
          else
            g_array_index (garbage, Garbage, kept++) = *item;
        }
      g_array_set_size (garbage, kept);
    }
  for (i = 0, kept = 0; i < anchored->len; i++)
    {
      Anchored *a = &g_array_index (anchored, Anchored, i);

      if (_wk_object_gc_head ((WkObject *) a->object)->flags & FLAG_REACHABLE)
        {
          wk_anchor_gc_unmark (a->anchor);
          wk_anchor_unref (a->anchor);
        }
      else
        g_array_index (anchored, Anchored, kept++) = *a;
    }
  g_array_set_size (anchored, kept);
}

/* Under the tracking lock, once the set's marks are made, with the
 * collection in its looking phase (@epoch): takes the unreachable
 * objects of @set out into @garbage, with a reference to each (their
 * anchors, marked GC_PENDING, into @anchored) and clears every mark.
 *
 * An object touched meanwhile (head_touched()) is taken as reachable,
 * with what it reaches; @marks_before is marks_made as the collection
 * began to look. Once the counts are raised, a change makes it
 * give up on all of them: it returns FALSE, with both arrays empty and
 * nothing marked; the objects whose last reference it then holds are in
 * @unref_later, for the caller to drop once the lock is released. Leaves
 * the collection in its raising phase if there was garbage; the caller
 * ends it. */
static gboolean
take_garbage_locked (Set       *set,
                     guint      epoch,
                     gint       marks_before,
                     GArray    *garbage,
                     GArray    *anchored,
                     GPtrArray *unref_later)
{
  GPtrArray *touched = NULL;
  gboolean changed = FALSE;
  guint i;

  /* The last pass over the whole set. The marks of the reachable go
   * (outside the set now, they are not looked at again); each
   * unreachable object is touched, or garbage whose weak readers wait
   * from here on. */
  for (i = 0; i < set->heads->len; i++)
    {
      WkGcHead *head = g_ptr_array_index (set->heads, i);
      Garbage item = { head, head->count, FALSE, FALSE };
      WkAnchor *anchor;

      if (head->flags & FLAG_REACHABLE)
        {
          head->flags = 0;
          continue;
        }
      if (head_touched (head, epoch))
        {
          touch (set, &touched, head);
          continue;
        }
      g_array_append_val (garbage, item);
      anchor = wk_anchor_lookup (head->object);
      if (anchor != NULL)
        {
          Anchored a = { anchor, head->object, FALSE, { 0 } };

          g_array_append_val (anchored, a);
          if (!wk_anchor_gc_mark (anchor))
            changed = TRUE;
        }
    }
  if (touched != NULL)
    settle (set, epoch, &touched, garbage, anchored);

  if (garbage->len > 0)
    {
      /* From here on a holder that lets go of one of them waits for the
       * decision, and one that did before had marked it before it read
       * the phase: nothing of the garbage begins to die from a holder's
       * drop while its count is raised. A mark made after the first look
       * is looked for again. */
      set_phase (PHASE_RAISING (epoch));
      if (__atomic_load_n (&marks_made, __ATOMIC_SEQ_CST) != marks_before)
        {
          gboolean more = FALSE;

          for (i = 0; i < garbage->len; i++)
            {
              WkGcHead *head = g_array_index (garbage, Garbage, i).head;

              if (!(head->flags & FLAG_REACHABLE) &&
                  __atomic_load_n (&head->moved, __ATOMIC_SEQ_CST) == epoch)
                {
                  touch (set, &touched, head);
                  more = TRUE;
                }
            }
          if (more)
            settle (set, epoch, &touched, garbage, anchored);
        }
    }
  if (touched != NULL)
    {
      for (i = 0; i < touched->len; i++)
        ((WkGcHead *) g_ptr_array_index (touched, i))->flags = 0;
      g_ptr_array_unref (touched);
    }

  /* A reader that passed the check before the mark has finished taking
   * its reference, and shows in the counts. */
  for (i = 0; i < anchored->len && !changed; i++)
    wk_hazard_wait (g_array_index (anchored, Anchored, i).anchor);

  /* The collection's reference on each, raised from the count the
   * analysis used: a count that changed since (a reference the
   * collection cannot see came or went) gives up on all of them. A
   * compare-and-swap, not a check and then g_object_ref(): a reachable
   * holder may release one of them at any moment. No toggle reference
   * can be among their references: those are outside references, and
   * these objects have none. Then, once it is raised, a death that
   * began without a word to Wk (GLib decided a final unref before the
   * dispose said so; it clears the GWeakRefs first): not ours. The
   * garbage's marks go in the same pass. */
  for (i = 0; i < garbage->len; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);
      gint count = item->count;

      item->head->flags = 0;
      if (changed)
        continue;
      if (__atomic_compare_exchange_n ((gint *) &item->head->object->ref_count, &count, count + 1,
                                       FALSE, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        {
          item->raised = TRUE;
          changed = _wk_object_is_disposing ((WkObject *) item->head->object);
        }
      else
        changed = TRUE;
    }
  for (i = 0; i < anchored->len && !changed; i++)
    changed = wk_glib_weak_ref_is_cleared (&g_array_index (anchored, Anchored, i).anchor->gweak);

  if (changed)
    {
      for (i = 0; i < anchored->len; i++)
        {
          Anchored *a = &g_array_index (anchored, Anchored, i);

          wk_anchor_gc_unmark (a->anchor);
          wk_anchor_unref (a->anchor);
        }
      /* The references taken go back: by a decrement while another one
       * is left (a holder that let go waits meanwhile), otherwise (the
       * last is ours: a reference the collection could not see went)
       * with g_object_unref() once the lock is released. */
      for (i = 0; i < garbage->len; i++)
        {
          Garbage *item = &g_array_index (garbage, Garbage, i);
          gint *ref_count = (gint *) &item->head->object->ref_count;
          gint count = __atomic_load_n (ref_count, __ATOMIC_RELAXED);

          if (!item->raised)
            continue;
          while (count >= 2 &&
                 !__atomic_compare_exchange_n (ref_count, &count, count - 1,
                                               TRUE, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            ;
          if (count < 2)
            g_ptr_array_add (unref_later, item->head->object);
        }
      g_array_set_size (anchored, 0);
      g_array_set_size (garbage, 0);
      return FALSE;
    }

  for (i = 0; i < garbage->len; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      wk_gc_list_remove (item->head);
      wk_gc_list_append (_wk_gc_track_collecting (), item->head);
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
      /* The object's own death may have claimed it meanwhile: then it
       * runs the sequence, not the collection. */
      a->claimed = wk_anchor_gc_disown (a->anchor, a->object);
      if (a->claimed)
        wk_anchor_kill (a->anchor, a->object, &a->death);
    }
  for (i = 0; i < anchored->len; i++)
    if (g_array_index (anchored, Anchored, i).claimed)
      wk_anchor_deliver_watches (&g_array_index (anchored, Anchored, i).death);
  for (i = 0; i < anchored->len; i++)
    if (g_array_index (anchored, Anchored, i).claimed)
      wk_anchor_deliver_callbacks (&g_array_index (anchored, Anchored, i).death);
  for (i = 0; i < anchored->len; i++)
    {
      Anchored *a = &g_array_index (anchored, Anchored, i);

      if (a->claimed)
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
  guint epoch;
  Set set;
  guint i;

  for (i = 0; i < garbage->len && !recheck; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      recheck = __atomic_load_n ((gint *) &item->head->object->ref_count, __ATOMIC_ACQUIRE) != item->count + 1;
    }
  if (!recheck)
    return;

  /* The same analysis as steps 1 and 2, with the same guard against a
   * reference that moves out of a holder meanwhile (a survivor's
   * list_held() and release()): what it would leave unreachable while a
   * thread holds it. An object touched so survives, with what it
   * reaches. */
  _wk_gc_track_lock ();
  epoch = next_epoch ();
  set_phase (PHASE_LOOKING (epoch));
  set_init (&set, _wk_gc_track_collecting (), 1);
  find_reachable (&set);
  reach_from_touched (&set, set.heads, epoch);
  set_phase (0);
  wk_gc_list_init (&resurrected);
  for (i = 0; i < garbage->len; i++)
    {
      Garbage *item = &g_array_index (garbage, Garbage, i);

      if (item->head->flags & FLAG_REACHABLE)
        {
          item->survives = TRUE;
          wk_gc_list_remove (item->head);
          wk_gc_list_append (&resurrected, item->head);
        }
    }
  wk_gc_list_merge (&resurrected, &_wk_gc_track_generation (WK_GC_N_GENERATIONS - 1)->list);
  set_clear (&set);
  _wk_gc_track_unlock ();
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
      _wk_gc_track_lock ();
      for (i = 0; i < garbage->len; i++)
        if (!g_array_index (garbage, Garbage, i).survives)
          g_ptr_array_add (garbage_list_locked (), g_object_ref (g_array_index (garbage, Garbage, i).head->object));
      _wk_gc_track_unlock ();
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
              _wk_gc_track_lock ();
              g_ptr_array_add (garbage_list_locked (), g_object_ref (object));
              _wk_gc_track_unlock ();
            }
        }
    }

  for (i = 0; i < garbage->len; i++)
    g_object_unref (g_array_index (garbage, Garbage, i).head->object);

  /* What lives on (kept by SAVEALL, or uncollectable) is tracked in the
   * oldest generation, as CPython keeps gc.garbage. */
  _wk_gc_track_lock ();
  wk_gc_list_merge (_wk_gc_track_collecting (), &_wk_gc_track_generation (WK_GC_N_GENERATIONS - 1)->list);
  _wk_gc_track_unlock ();
  return uncollectable;
}

/* ---------------------------------------------------------------------- */
/* A collection                                                           */

gboolean
_wk_gc_collect_begin (gboolean wait)
{
  if (in_collection)
    return FALSE;
  if (wait)
    pthread_mutex_lock (&collect_lock);
  else if (pthread_mutex_trylock (&collect_lock) != 0)
    return FALSE;
  in_collection = TRUE;
  return TRUE;
}

void
_wk_gc_collect_end (void)
{
  in_collection = FALSE;
  pthread_mutex_unlock (&collect_lock);
}

gboolean
_wk_gc_collect_in_progress (void)
{
  return in_collection;
}

guint
_wk_gc_collect_run (gint            generation,
                    WkGcDebugFlags  debug,
                    guint          *uncollectable_out)
{
  WkGcHead young;
  GArray *garbage, *anchored;
  GPtrArray *unref_later;
  GHashTable *garbage_refs = NULL;
  Set set;
  guint found = 0, uncollectable = 0, epoch;
  gboolean changed;
  gint g, marks;

  g_assert (in_collection);

  garbage = scratch_garbage != NULL ? g_steal_pointer (&scratch_garbage)
                                    : g_array_new (FALSE, FALSE, sizeof (Garbage));
  anchored = g_array_new (FALSE, FALSE, sizeof (Anchored));
  unref_later = g_ptr_array_new_with_free_func (g_object_unref);

  /* Steps 1 to 3, under the tracking lock. */
  _wk_gc_track_lock ();
  wk_gc_list_init (&young);
  for (g = 0; g <= generation; g++)
    wk_gc_list_merge (&_wk_gc_track_generation (g)->list, &young);

  /* Before the first count is read: holders that let go of an object
   * from now on mark it. */
  epoch = next_epoch ();
  set_phase (PHASE_LOOKING (epoch));
  marks = __atomic_load_n (&marks_made, __ATOMIC_SEQ_CST);
  set_init (&set, &young, 0);
  find_reachable (&set);
  changed = !take_garbage_locked (&set, epoch, marks, garbage, anchored, unref_later);
  /* Decided: holders waiting in _wk_gc_unheld_wait_slow() go on. */
  set_phase (0);
  if (anchored->len > 0)
    garbage_refs = count_garbage_refs_locked (garbage);

  /* The survivors move one generation up: the lists are the generations,
   * so that is one splice. */
  if (generation < WK_GC_N_GENERATIONS - 1)
    {
      wk_gc_list_merge (&young, &_wk_gc_track_generation (generation + 1)->list);
      _wk_gc_track_generation (generation + 1)->count++;
    }
  else
    wk_gc_list_merge (&young, &_wk_gc_track_generation (generation)->list);
  for (g = 0; g <= generation; g++)
    _wk_gc_track_generation (g)->count = 0;
  _wk_gc_track_generation (generation)->collections++;
  set_free (&set);
  _wk_gc_track_unlock ();
  /* Objects a collection that gave up held last die here. */
  g_ptr_array_unref (unref_later);

  found = garbage->len;
  if (found > 0 && (debug & WK_GC_DEBUG_COLLECTABLE))
    debug_print ("collectable", garbage);

  /* Step 4, outside it: user code runs. */
  if (found > 0)
    {
      kill_anchored (anchored, garbage_refs);
      g_clear_pointer (&garbage_refs, g_hash_table_unref);
      find_survivors (garbage, anchored->len > 0);
      uncollectable = clear_garbage (garbage, debug);
    }

  _wk_gc_track_lock ();
  _wk_gc_track_generation (generation)->collected += found;
  _wk_gc_track_generation (generation)->uncollectable += uncollectable;
  _wk_gc_track_unlock ();

  if (debug & WK_GC_DEBUG_STATS)
    g_printerr ("wk-gc: generation %d: %u unreachable, %u uncollectable%s\n",
                generation, found, uncollectable,
                changed ? " (gave up: counts changed during the collection)" : "");

  g_array_unref (anchored);
  if (garbage->len <= SCRATCH_KEEP)
    {
      g_array_set_size (garbage, 0);
      scratch_garbage = garbage;
    }
  else
    g_array_unref (garbage);
  *uncollectable_out = uncollectable;
  return found;
}
