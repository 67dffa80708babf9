/* wk-gc.h: the cycle collector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

#include "wk-version-macros.h"

G_BEGIN_DECLS

/**
 * WkGcDebugFlags:
 * @WK_GC_DEBUG_NONE: no debugging
 * @WK_GC_DEBUG_STATS: print statistics of each collection on stderr
 * @WK_GC_DEBUG_COLLECTABLE: print the collectable objects found
 * @WK_GC_DEBUG_UNCOLLECTABLE: print the uncollectable objects found
 * @WK_GC_DEBUG_SAVEALL: keep every unreachable object in
 *   [func@Wk.Gc.get_garbage] instead of freeing it
 * @WK_GC_DEBUG_LEAK: %WK_GC_DEBUG_COLLECTABLE, %WK_GC_DEBUG_UNCOLLECTABLE
 *   and %WK_GC_DEBUG_SAVEALL, for finding leaks
 *
 * The debug flags of the collector, with the values of Python's `gc`
 * module.
 */
typedef enum /*< flags >*/ {
  WK_GC_DEBUG_NONE          = 0,
  WK_GC_DEBUG_STATS         = 1 << 0,
  WK_GC_DEBUG_COLLECTABLE   = 1 << 1,
  WK_GC_DEBUG_UNCOLLECTABLE = 1 << 2,
  WK_GC_DEBUG_SAVEALL       = 1 << 5,
  WK_GC_DEBUG_LEAK          = (1 << 1) | (1 << 2) | (1 << 5),
} WkGcDebugFlags;

/**
 * WkGcAutoMode:
 * @WK_GC_AUTO_IDLE: automatic collections run from an idle source on the
 *   default main context
 * @WK_GC_AUTO_ALLOC: automatic collections run at once, in the thread
 *   that creates the object that crossed the threshold (CPython's way)
 *
 * Where automatic collections run.
 */
typedef enum {
  WK_GC_AUTO_IDLE,
  WK_GC_AUTO_ALLOC,
} WkGcAutoMode;

/**
 * WkGcGraphFlags:
 * @WK_GC_GRAPH_REFERENTS: follow references forward: from each object
 *   to what its [vfunc@Wk.Object.traverse] visits (its referents)
 * @WK_GC_GRAPH_REFERRERS: follow references backward: from each object
 *   to the tracked objects whose traverse visits it (its referrers)
 *
 * Which way [func@Wk.Gc.write_graph] follows references from the objects
 * it is given. With both, it draws the union of the two graphs.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/ {
  WK_GC_GRAPH_REFERENTS = 1 << 0,
  WK_GC_GRAPH_REFERRERS = 1 << 1,
} WkGcGraphFlags;

#define WK_TYPE_GC (wk_gc_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkGc, wk_gc, WK, GC, GObject)

WK_AVAILABLE_IN_0_1
WkGc           *wk_gc_get_default       (void);

WK_AVAILABLE_IN_0_1
guint           wk_gc_collect           (int              generation);
WK_AVAILABLE_IN_0_1
void            wk_gc_enable            (void);
WK_AVAILABLE_IN_0_1
void            wk_gc_disable           (void);
WK_AVAILABLE_IN_0_1
gboolean        wk_gc_is_enabled        (void);
WK_AVAILABLE_IN_0_1
void            wk_gc_get_count         (guint           *count0,
                                         guint           *count1,
                                         guint           *count2);
WK_AVAILABLE_IN_0_1
void            wk_gc_set_threshold     (guint            threshold0,
                                         guint            threshold1,
                                         guint            threshold2);
WK_AVAILABLE_IN_0_1
void            wk_gc_get_threshold     (guint           *threshold0,
                                         guint           *threshold1,
                                         guint           *threshold2);
WK_AVAILABLE_IN_0_1
GPtrArray      *wk_gc_get_objects       (int              generation);
WK_AVAILABLE_IN_0_1
GPtrArray      *wk_gc_get_referrers     (gpointer         object);
WK_AVAILABLE_IN_0_1
GPtrArray      *wk_gc_get_referents     (gpointer         object);
WK_AVAILABLE_IN_0_1
gboolean        wk_gc_is_tracked        (gpointer         object);
WK_AVAILABLE_IN_0_1
void            wk_gc_freeze            (void);
WK_AVAILABLE_IN_0_1
void            wk_gc_unfreeze          (void);
WK_AVAILABLE_IN_0_1
guint           wk_gc_get_freeze_count  (void);
WK_AVAILABLE_IN_0_1
GVariant       *wk_gc_get_stats         (void);
WK_AVAILABLE_IN_0_1
void            wk_gc_set_debug         (WkGcDebugFlags   flags);
WK_AVAILABLE_IN_0_1
WkGcDebugFlags  wk_gc_get_debug         (void);
WK_AVAILABLE_IN_0_1
GPtrArray      *wk_gc_get_garbage       (void);
WK_AVAILABLE_IN_0_1
void            wk_gc_set_auto_mode     (WkGcAutoMode     mode);
WK_AVAILABLE_IN_0_1
WkGcAutoMode    wk_gc_get_auto_mode     (void);

WK_AVAILABLE_IN_0_2
GVariant       *wk_gc_get_census        (void);
WK_AVAILABLE_IN_0_2
GVariant       *wk_gc_census_diff       (GVariant        *before,
                                         GVariant        *after);
WK_AVAILABLE_IN_0_2
gboolean        wk_gc_write_graph       (GObject *const  *roots,
                                         guint            n_roots,
                                         guint            max_depth,
                                         WkGcGraphFlags   flags,
                                         const char      *filename,
                                         GError         **error);
WK_AVAILABLE_IN_0_2
void            wk_gc_report_leaks      (void);

G_END_DECLS
