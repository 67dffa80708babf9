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

GPtrArray *
_wk_gc_track_dup_objects (gint generation)
{
  GPtrArray *strong = g_ptr_array_new ();
  GPtrArray *weak = g_ptr_array_new_with_free_func ((GDestroyNotify) wk_anchor_unref);
  gint g;
  guint i;

  _wk_gc_track_lock ();
  for (g = 0; g < WK_GC_N_GENERATIONS; g++)
    if (generation < 0 || generation == g)
      dup_list_locked (&generations[g].list, strong, weak);
  if (generation < 0)
    dup_list_locked (&permanent, strong, weak);
  _wk_gc_track_unlock ();

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
