/* wk-gc-private.h: what WkObject calls in the collector (wk-gc.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-object.h"
#include "wk-gc-track-private.h"

G_BEGIN_DECLS

/* From a WkObject's instance init to the start of its finalize. Tracking
 * an object may run an automatic collection first (WK_GC_AUTO_ALLOC). */
void      _wk_gc_track   (WkGcHead *head,
                          GObject  *object);
void      _wk_gc_untrack (WkGcHead *head);

/* A holder letting go of the objects it held (wk_object_release(), and
 * the held lists that dispose and clear empty), while a collection may
 * be deciding about them (wk-gc-collect.c): a collection that counted
 * the holder's reference and then finds it gone must not take the
 * object for garbage, since whoever took the reference may keep it (a
 * reference taken with wk_object_list_held() and released: the count
 * is what the collection read, and the holder no longer reaches it);
 * and a collection must not raise the count of an object whose last
 * reference this was, once its dispose has begun.
 *
 * Under the lock that guards the held references, as they are taken out:
 * phase = _wk_gc_unheld_begin (), then _wk_gc_mark_unheld (child,
 * phase) for each of them. Then, with no lock held and before any of
 * them is dropped, _wk_gc_unheld_wait (phase). A collection takes that
 * lock to traverse the holder, so it sees either the references or the
 * marks; the wait lets one that is raising the counts of its garbage
 * decide first. */
extern gint _wk_gc_phase;   /* (atomic) see wk-gc-collect.c */

static inline gint
_wk_gc_unheld_begin (void)
{
  return __atomic_load_n (&_wk_gc_phase, __ATOMIC_SEQ_CST);
}

void      _wk_gc_mark_unheld_slow (GObject  *child,
                                   gint      phase);
void      _wk_gc_unheld_wait_slow (void);

static inline void
_wk_gc_mark_unheld (GObject *child,
                    gint     phase)
{
  if (G_UNLIKELY (phase != 0))
    _wk_gc_mark_unheld_slow (child, phase);
}

static inline void
_wk_gc_unheld_wait (gint phase)
{
  if (G_UNLIKELY (phase != 0))
    _wk_gc_unheld_wait_slow ();
}

G_END_DECLS
