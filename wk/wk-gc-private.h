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

G_END_DECLS
