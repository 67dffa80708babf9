/* wk-gc-track-private.h: the tracked objects and their generations
 * (wk-gc-track.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every tracked object is on exactly one list: a generation, the
 * permanent generation (frozen objects) or the list of a collection's
 * garbage. The lists, the generations' counts and thresholds, and the
 * head of every tracked object are guarded by the tracking lock.
 *
 * Under the tracking lock no tracked object is finalized (its finalize
 * untracks it first, and waits), so its memory may be read; and no code
 * of the user's runs: no toggle notify, no dispose, no GObject made. A
 * reference to an object on a list is taken under it only from a count
 * of 2 or more (wk_glib_try_ref_from_2()); a count-1 object is read
 * through its anchor once the lock is released.
 */

#pragma once

#include "wk-object.h"

G_BEGIN_DECLS

#define WK_GC_N_GENERATIONS 3

typedef struct _WkGcHead WkGcHead;

/* A tracked object's place in the collector's lists; in the WkObject's
 * instance. Every field but moved is under the tracking lock. */
struct _WkGcHead
{
  WkGcHead  *prev;
  WkGcHead  *next;
  GObject   *object;
  gssize     gc_refs;      /* a collection's scratch count */
  gboolean   tracked;      /* on one of the lists; which list is the
                            * generation (or the permanent one) */
  guint      flags;        /* a collection's marks */
  gint       count;        /* a collection's: the count it read, which
                            * gc_refs started from */
  guint      moved;        /* (atomic) the epoch of the collection during
                            * which a holder last let go of a reference
                            * to this object (_wk_gc_mark_unheld()) */
  guint      pins;         /* listings reading the object outside the
                            * lock; its untrack waits for them */
};

typedef struct
{
  WkGcHead  list;          /* sentinel */
  guint     count;         /* allocations (gen 0) or collections below */
  guint     threshold;
  guint     collections;
  guint     collected;
  guint     uncollectable;
} WkGcGeneration;

/* The tracking lock; taking it also sets the lists up the first time. */
void            _wk_gc_track_lock             (void);
void            _wk_gc_track_unlock           (void);

/* Under the tracking lock. */
WkGcGeneration *_wk_gc_track_generation       (guint        generation);
WkGcHead       *_wk_gc_track_permanent        (void);
WkGcHead       *_wk_gc_track_collecting       (void);
/* The oldest generation over its threshold, or -1. */
gint            _wk_gc_track_generation_to_collect (void);

/* Counts a new object toward generation 0 and puts it on its list,
 * unless that crosses generation 0's threshold and @may_collect: then it
 * returns FALSE without listing the object, and the caller collects
 * before _wk_gc_track_join() (a collection must not traverse an object
 * that its constructor is still making). */
gboolean        _wk_gc_track_add              (WkGcHead    *head,
                                               GObject     *object,
                                               gboolean     may_collect);
void            _wk_gc_track_join             (WkGcHead    *head);
void            _wk_gc_track_remove           (WkGcHead    *head);
gboolean        _wk_gc_track_is_tracked       (WkGcHead    *head);

/* Calls @func, under the tracking lock, with every tracked object whose
 * count is above 0, on whichever list (frozen ones and a running
 * collection's garbage included). @func must only read. */
typedef void (*WkGcTrackedFunc) (GObject  *object,
                                 gpointer  user_data);
void            _wk_gc_track_foreach_locked   (WkGcTrackedFunc func,
                                               gpointer        user_data);

/* Strong references to the tracked objects of @generation (-1: every
 * list but a running collection's garbage); see the top of this file for
 * how they are taken. The array has no element free function. */
GPtrArray      *_wk_gc_track_dup_objects      (gint         generation);

/* The lists: circular, with a sentinel; under the tracking lock. Not
 * the list of wk-list-private.h, which is headed by a pointer: an object
 * leaves its list from its finalize without knowing which generation it
 * is in, and a collection splices whole generations in O(1), which only
 * a sentinel allows (CPython's gc lists are made the same way). */

static inline void
wk_gc_list_init (WkGcHead *list)
{
  list->prev = list->next = list;
}

static inline gboolean
wk_gc_list_is_empty (WkGcHead *list)
{
  return list->next == list;
}

static inline void
wk_gc_list_append (WkGcHead *list,
                   WkGcHead *head)
{
  head->prev = list->prev;
  head->next = list;
  list->prev->next = head;
  list->prev = head;
}

static inline void
wk_gc_list_remove (WkGcHead *head)
{
  head->prev->next = head->next;
  head->next->prev = head->prev;
  head->prev = head->next = NULL;
}

/* Moves everything of @from to the end of @to. */
static inline void
wk_gc_list_merge (WkGcHead *from,
                  WkGcHead *to)
{
  if (wk_gc_list_is_empty (from))
    return;
  from->next->prev = to->prev;
  to->prev->next = from->next;
  from->prev->next = to;
  to->prev = from->prev;
  wk_gc_list_init (from);
}

static inline guint
wk_gc_list_length (WkGcHead *list)
{
  guint n = 0;

  for (WkGcHead *h = list->next; h != list; h = h->next)
    n++;
  return n;
}

G_END_DECLS
