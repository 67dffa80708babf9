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

G_END_DECLS
