/* wk-object-private.h: what the rest of Wk needs from WkObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-object.h"

G_BEGIN_DECLS

typedef struct _WkAnchor WkAnchor;

/* WK_IS_OBJECT (@instance) for the hot paths (the first weak reference
 * to an object, a light finalizer, the collector's visits): the macro's
 * exact-type test passes only for WkObject itself, and for any other type
 * (a plain GObject, a subclass made in Python or JS) it asks the type
 * system each time. This remembers the answer per type in a small
 * direct-mapped cache of words: the type with the answer in its low bit
 * (a GType is a multiple of 4), one atomic word, so no reader sees a type
 * with another type's answer. */
#define WK_IS_OBJECT_CACHE_SIZE 64
extern gsize _wk_is_object_cache[WK_IS_OBJECT_CACHE_SIZE];

gboolean   _wk_is_object_slow (GType type);

static inline gboolean
_wk_is_object (gconstpointer instance)
{
  GType type;
  gsize word;

  if (G_UNLIKELY (instance == NULL))
    return FALSE;
  type = G_TYPE_FROM_INSTANCE (instance);
  word = __atomic_load_n (&_wk_is_object_cache[(type >> 3) % WK_IS_OBJECT_CACHE_SIZE],
                          __ATOMIC_RELAXED);
  if (G_LIKELY ((word & ~(gsize) 1) == type))
    return word & 1;
  return _wk_is_object_slow (type);
}

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
