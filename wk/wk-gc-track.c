/* wk-gc-track.c: the tracked objects and their generations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The lists of tracked objects, one per generation plus the permanent
 * one and a collection's garbage, with the counts the thresholds are
 * compared with. See wk-gc-track-private.h for the locking rules, and
 * wk-gc-collect.c for what a collection does with the lists.
 */

#include "config.h"

#include <pthread.h>

#include "wk-gc-track-private.h"
#include "wk-anchor-private.h"
#include "wk-object-private.h"
#include "wk-sync-private.h"

static pthread_mutex_t  track_lock = PTHREAD_MUTEX_INITIALIZER;

static WkGcGeneration   generations[WK_GC_N_GENERATIONS];
static WkGcHead         permanent;       /* frozen objects */
static WkGcHead         collecting;      /* garbage being processed */
static gboolean         lists_ready;

static void
ensure_lists_locked (void)
{
  static const guint thresholds[WK_GC_N_GENERATIONS] = { 700, 10, 10 };
  guint i;

  if (G_LIKELY (lists_ready))
    return;
  for (i = 0; i < WK_GC_N_GENERATIONS; i++)
    {
      wk_gc_list_init (&generations[i].list);
      generations[i].threshold = thresholds[i];
    }
  wk_gc_list_init (&permanent);
  wk_gc_list_init (&collecting);
  lists_ready = TRUE;
}

void
_wk_gc_track_lock (void)
{
  pthread_mutex_lock (&track_lock);
  ensure_lists_locked ();
}

void
_wk_gc_track_unlock (void)
{
  pthread_mutex_unlock (&track_lock);
}

WkGcGeneration *
_wk_gc_track_generation (guint generation)
{
  g_assert (generation < WK_GC_N_GENERATIONS);
  return &generations[generation];
}

WkGcHead *
_wk_gc_track_permanent (void)
{
  return &permanent;
}

WkGcHead *
_wk_gc_track_collecting (void)
{
  return &collecting;
}

gint
_wk_gc_track_generation_to_collect (void)
{
  gint g;

  for (g = WK_GC_N_GENERATIONS - 1; g >= 0; g--)
    if (generations[g].threshold > 0 && generations[g].count > generations[g].threshold)
      return g;
  return -1;
}

/* One lock and unlock in the common case: this runs for every WkObject
 * made. */
gboolean
_wk_gc_track_add (WkGcHead *head,
                  GObject  *object,
                  gboolean  may_collect)
{
  gboolean crossed;

  head->object = object;

  _wk_gc_track_lock ();
  generations[0].count++;
  crossed = may_collect && generations[0].threshold > 0 &&
            generations[0].count > generations[0].threshold;
  if (G_LIKELY (!crossed))
    {
      wk_gc_list_append (&generations[0].list, head);
      head->tracked = TRUE;
    }
  _wk_gc_track_unlock ();
  return !crossed;
}

void
_wk_gc_track_join (WkGcHead *head)
{
  _wk_gc_track_lock ();
  wk_gc_list_append (&generations[0].list, head);
  head->tracked = TRUE;
  _wk_gc_track_unlock ();
}

void
_wk_gc_track_remove (WkGcHead *head)
{
  _wk_gc_track_lock ();
  if (head->tracked)
    {
      /* As CPython's: an object that goes counts against generation 0's
       * allocations, whichever list it was on. */
      wk_gc_list_remove (head);
      if (generations[0].count > 0)
        generations[0].count--;
      head->tracked = FALSE;
    }
  /* A listing may still read this object's guard (see
   * _wk_gc_track_dup_objects()): its memory stays until it is done. */
  while (G_UNLIKELY (head->pins > 0))
    {
      guint spins = 0;

      _wk_gc_track_unlock ();
      wk_spin_pause (&spins);
      _wk_gc_track_lock ();
    }
  _wk_gc_track_unlock ();
}

gboolean
_wk_gc_track_is_tracked (WkGcHead *head)
{
  gboolean tracked;

  _wk_gc_track_lock ();
  tracked = head->tracked;
  _wk_gc_track_unlock ();
  return tracked;
}

static void
foreach_in_list_locked (WkGcHead        *list,
                        WkGcTrackedFunc  func,
                        gpointer         user_data)
{
  for (WkGcHead *h = list->next; h != list; h = h->next)
    if (__atomic_load_n ((gint *) &h->object->ref_count, __ATOMIC_ACQUIRE) > 0)
      func (h->object, user_data);
}

void
_wk_gc_track_foreach_locked (WkGcTrackedFunc func,
                             gpointer        user_data)
{
  guint g;

  for (g = 0; g < WK_GC_N_GENERATIONS; g++)
    foreach_in_list_locked (&generations[g].list, func, user_data);
  foreach_in_list_locked (&permanent, func, user_data);
  foreach_in_list_locked (&collecting, func, user_data);
}

/* Strong references to the objects of @list. Those with a count of 2 or
 * more can be taken under the lock without running any toggle notify.
 * One with a count of 1 may be in its final unref in another thread,
 * past GLib's look for weak references and before its dispose: a weak
 * reference made now (a new anchor) would bring it back with its dispose
 * already decided, which would then run twice. So it is read through the
 * GWeakRef every WkObject has had since its init (wk-object.c), which
 * GLib clears before that dispose, once the lock is gone (the read may
 * run toggle notifies); a pin keeps its memory until then. */
static void
dup_list_locked (WkGcHead  *list,
                 GPtrArray *strong,
                 GPtrArray *pinned)
{
  for (WkGcHead *h = list->next; h != list; h = h->next)
    {
      if (wk_glib_try_ref_from_2 (h->object))
        g_ptr_array_add (strong, h->object);
      else if (__atomic_load_n ((gint *) &h->object->ref_count, __ATOMIC_RELAXED) == 1)
        {
          h->pins++;
          g_ptr_array_add (pinned, h);
        }
    }
}

GPtrArray *
_wk_gc_track_dup_objects (gint generation)
{
  GPtrArray *strong = g_ptr_array_new ();
  GPtrArray *pinned = g_ptr_array_new ();
  gint g;
  guint i;

  _wk_gc_track_lock ();
  for (g = 0; g < WK_GC_N_GENERATIONS; g++)
    if (generation < 0 || generation == g)
      dup_list_locked (&generations[g].list, strong, pinned);
  if (generation < 0)
    dup_list_locked (&permanent, strong, pinned);
  _wk_gc_track_unlock ();

  for (i = 0; i < pinned->len; i++)
    {
      WkGcHead *h = g_ptr_array_index (pinned, i);
      GObject *object = _wk_object_guard_get ((WkObject *) h->object);

      if (object != NULL)
        g_ptr_array_add (strong, object);
    }
  if (pinned->len > 0)
    {
      _wk_gc_track_lock ();
      for (i = 0; i < pinned->len; i++)
        ((WkGcHead *) g_ptr_array_index (pinned, i))->pins--;
      _wk_gc_track_unlock ();
    }
  g_ptr_array_unref (pinned);
  return strong;
}
