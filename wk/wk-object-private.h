/* wk-object-private.h: what the rest of Wk needs from WkObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-object.h"

G_BEGIN_DECLS

typedef struct _WkAnchor WkAnchor;

/* The slot where a WkObject keeps its anchor (instead of qdata). */
WkAnchor **_wk_object_anchor_slot (WkObject *self);

/* TRUE from the start of the most derived dispose of @self to the end of
 * WkObject's own (new weak references are then born dead). */
gboolean   _wk_object_is_disposing (WkObject *self);

/* The collector's header in @self (see wk-gc-track-private.h). */
struct _WkGcHead *_wk_object_gc_head (WkObject *self);

/* A new reference to @self through the GWeakRef it has had since its
 * init, or NULL once its final unref has begun (GLib clears it before
 * dispose). The caller keeps @self's memory valid. */
GObject   *_wk_object_guard_get (WkObject *self);

G_END_DECLS
