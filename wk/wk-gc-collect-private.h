/* wk-gc-collect-private.h: a collection, and the ephemeron sources it
 * scans (wk-gc-collect.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-gc.h"
#include "wk-object.h"

G_BEGIN_DECLS

/* Ephemerons. A source (a weak key dict with GValue values) registers a
 * scan function; the collector calls it with the tracking lock held, and
 * it calls @func with every (key, value object) entry of the source,
 * under the source's own lock, so that both are alive meanwhile. @func
 * only looks at pointers. A source unregisters before it goes away;
 * unregistering waits for a scan of it that is running. */
typedef void (*WkEphemeronFunc) (gpointer  key,
                                 GObject  *value,
                                 gpointer  user_data);
typedef void (*WkGcEphemeronScanFunc) (gpointer         source,
                                       WkEphemeronFunc  func,
                                       gpointer         user_data);

void       _wk_gc_register_ephemeron_source   (WkGcEphemeronScanFunc  scan,
                                               gpointer               source);
void       _wk_gc_unregister_ephemeron_source (WkGcEphemeronScanFunc  scan,
                                               gpointer               source);
/* Every entry of every source, for the tracking lock's holder. */
void       _wk_gc_collect_scan_ephemerons     (WkEphemeronFunc        func,
                                               gpointer               user_data);

/* One collection at a time: begin takes the collection lock (waiting
 * for it, or with @wait FALSE giving up if another thread has it) and
 * returns FALSE, with nothing to end, if it did not, or if this thread
 * is inside a collection already (a callback's). */
gboolean   _wk_gc_collect_begin               (gboolean               wait);
/* Collects generations 0 to @generation; returns how many unreachable
 * objects it found, and in @uncollectable how many of them stay. */
guint      _wk_gc_collect_run                 (gint                   generation,
                                               WkGcDebugFlags         debug,
                                               guint                 *uncollectable);
void       _wk_gc_collect_end                 (void);
/* Whether this thread is inside a collection. */
gboolean   _wk_gc_collect_in_progress         (void);

/* The objects kept by %WK_GC_DEBUG_SAVEALL or found uncollectable: a new
 * array holding a reference to each, with no element free function. */
GPtrArray *_wk_gc_collect_dup_garbage         (void);

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
