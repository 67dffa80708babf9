/* wk-anchor-private.h: the per-object side data behind every Wk weak reference
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An object gets an anchor the first time anything takes a Wk weak
 * reference to it, and keeps it until it dies; an object that never gets
 * one pays nothing. The anchor is reference counted: the object holds one
 * reference until its death has been processed, and every WkRef and WkWeak
 * pointing at it holds one. A WkObject keeps its anchor in its instance,
 * any other GObject in qdata.
 *
 * The anchor registers one GWeakRef on the object. GLib clears it, on
 * every supported version, when the last g_object_unref() has decided
 * that the object dies and before dispose runs, so from that moment every
 * Wk weak reference reads NULL.
 *
 * Reading a reference (wk_anchor_get) takes no lock while the referent
 * has two strong references or more: it publishes the anchor in the
 * thread's hazard slot, checks that the anchor is alive and the GWeakRef
 * still set, raises the count with a compare-and-swap from at least 2,
 * and checks again (a dispose that takes temporary references puts the
 * count at 2 while the object is dying; the GWeakRef is already clear
 * then). Going from 1 to 2 is different: GLib decides a final unref with
 * a plain read of the count, so nothing per object orders a lock-free
 * increment with it; that case goes through g_weak_ref_get() on the
 * anchor's GWeakRef, which GLib orders with the final unref under its own
 * lock (global on GLib 2.74, per object from 2.80).
 *
 * A read that raised the count and then finds the object dying gives its
 * reference back. If the object is a dispose that took temporary
 * references, GLib may see that reference after dispose, take the object
 * for resurrected, and let our unref run dispose a second time; GObject
 * requires dispose to cope with that, and nothing else can happen: the
 * object is finalized once, and no reader ever returns it.
 */

#pragma once

#include "wk-types.h"
#include "wk-hazard-private.h"
#include "wk-glib-private.h"
#include "wk-list-private.h"
#include "wk-sync-private.h"

G_BEGIN_DECLS

typedef enum {
  WK_ANCHOR_ALIVE = 0,
  WK_ANCHOR_DEAD = 1,
  WK_ANCHOR_GC_PENDING = 2,   /* a collection decides: readers wait */
} WkAnchorState;

typedef struct _WkAnchor  WkAnchor;
typedef struct _WkRefNode WkRefNode;
typedef struct _WkWatch   WkWatch;

/* A light death notification for Wk's own tables: no GObject, no pins.
 * The anchor's list holds a watch from wk_anchor_watch() until either
 * wk_anchor_unwatch() takes it out (it returns TRUE then, and the watch
 * never fires) or the referent dies, when @func runs once, outside any
 * lock, after every weak reference reads NULL. An early watch (the
 * tables' entries) fires before the callbacks of WkRefs, a late one
 * (finalization registries, which run user code) after them. Whoever
 * owns the watch's memory keeps it until one of the two. */
typedef void (*WkWatchFunc) (WkWatch *watch);

struct _WkWatch
{
  WkLink       link;     /* first */
  WkWatchFunc  func;
  guint        linked : 1;  /* under the anchor's lock */
  guint        late : 1;    /* set before wk_anchor_watch() */
};

/* What the anchor's list of refs holds: the part of a WkRef (or of a
 * WkFinalizer, which is not a ref but dies the same way) that the anchor
 * owns. All fields but owner_weak are protected by the anchor's lock. */
struct _WkRefNode
{
  WkLink          link;        /* first */
  GObject        *owner;       /* the WkRef or WkFinalizer holding the node */
  WkRefCallback   callback;    /* called with the owner */
  gpointer        user_data;
  GDestroyNotify  destroy;
  gint            pins;        /* lookups reading the node outside the lock */
  guint           linked : 1;
  guint           shared : 1;
  guint           is_ref : 1;  /* counted and listed as a weak reference */
  guint           weak_owner : 1;  /* owner_weak is set: see owner_dup_fast() */
  guint           claimed : 1;     /* a light node that a death is delivering */
  /* A GWeakRef on the owner itself (refs only), so that a lookup can take
   * the owner's count from 1 in order with the owner's final unref. */
  GWeakRef        owner_weak;
};

struct _WkAnchor
{
  /* What every weak read looks at comes first, in the first 24 bytes: a
   * read of a cold anchor then costs one cache miss, not two. */
  gint        state;       /* (atomic) WkAnchorState */
  gint        ref_count;   /* (atomic) */
  GObject    *object;      /* the referent; not to be touched once DEAD */
  GWeakRef    gweak;       /* cleared by GLib before dispose */
  gint        lock;        /* (atomic) see anchor_lock() */
  guint       is_wk_object : 1;
  guint       closed : 1;  /* death processed: no more callbacks */
  guint       n_refs;      /* linked nodes that are refs (is_ref) */
  WkLink     *refs;        /* WkRefNodes, newest first */
  WkRefNode  *shared;      /* the shared callback-less ref, if any */
  WkLink     *watches;     /* WkWatches */
};

/* A light finalizer (wk_finalize_add()): a node with no owner, whose
 * callback is the WkFinalizeFunc; the anchor's list owns it until a death
 * delivers it or wk_anchor_remove_light() takes it out. */
typedef struct
{
  WkRefNode  node;   /* first; owner NULL */
  gsize      id;
} WkLightNode;

WkAnchor  *wk_anchor_obtain          (GObject   *object);
WkAnchor  *wk_anchor_lookup          (GObject   *object);
WkAnchor  *wk_anchor_ref             (WkAnchor  *anchor);
void       wk_anchor_unref           (WkAnchor  *anchor);
gboolean   wk_anchor_is_alive        (WkAnchor  *anchor);

/* Strong reference to the shared callback-less ref, or NULL. */
WkRef     *wk_anchor_dup_shared      (WkAnchor  *anchor);
/* Links @node; for a shared node, returns (a strong reference to) the
 * shared ref that won a race instead of linking, or NULL when linked. */
WkRef     *wk_anchor_link            (WkAnchor  *anchor,
                                      WkRefNode *node);
/* Links a node that is not shared; FALSE if the referent's death has
 * already been processed (then it is not linked). */
gboolean   wk_anchor_link_unshared   (WkAnchor  *anchor,
                                      WkRefNode *node);
void       wk_anchor_unlink_disposed (WkAnchor  *anchor,
                                      WkRefNode *node);
/* Unlinks @node whatever its owner's count; FALSE if it was not linked
 * (the referent's death took it). */
gboolean   wk_anchor_unlink          (WkAnchor  *anchor,
                                      WkRefNode *node);
gboolean   wk_anchor_set_callback    (WkAnchor       *anchor,
                                      WkRefNode      *node,
                                      WkRefCallback   callback,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy);
WkRefCallback wk_anchor_take_callback (WkAnchor       *anchor,
                                      WkRefNode      *node,
                                      gpointer       *user_data,
                                      GDestroyNotify *destroy);
guint      wk_anchor_count_refs      (WkAnchor  *anchor);
/* Links a light node; FALSE if the referent's death has already been
 * processed (it is then not linked). */
gboolean   wk_anchor_add_light       (WkAnchor    *anchor,
                                      WkLightNode *light);
/* Removes the light node @id before its callback runs (also from an
 * earlier callback of the death that delivers it): TRUE with its
 * user_data and destroy notify for the caller to run; FALSE if there is
 * no such node or its callback has been called or is being called. */
gboolean   wk_anchor_remove_light    (WkAnchor       *anchor,
                                      gsize           id,
                                      gpointer       *user_data,
                                      GDestroyNotify *destroy);
gboolean   wk_anchor_watch           (WkAnchor    *anchor,
                                      WkWatch     *watch,
                                      WkWatchFunc  func);
gboolean   wk_anchor_unwatch         (WkAnchor  *anchor,
                                      WkWatch   *watch);
GPtrArray *wk_anchor_dup_refs        (WkAnchor  *anchor);

/* For the death (wk-anchor-death.c): takes the anchor out of its
 * object; closes it (no ref or watch joins it any more) and returns the
 * nodes to call back, each with a strong reference on its owner (NULL
 * if none); takes its watches, early and late, newest first, linked
 * through next only. */
void       wk_anchor_detach          (WkAnchor  *anchor,
                                      GObject   *object);
GPtrArray *wk_anchor_close           (WkAnchor  *anchor);
void       wk_anchor_take_watches    (WkAnchor  *anchor,
                                      WkLink   **early,
                                      WkLink   **late);
/* For a collection, before wk_anchor_kill(): see wk-anchor.c. */
void       wk_anchor_gc_drop_garbage_callbacks (WkAnchor   *anchor,
                                                GHashTable *visits);

gpointer   _wk_anchor_get_slow       (WkAnchor  *anchor,
                                      WkHazard  *hazard);

/* A hash of an object's address, mixed so that the alignment zeros and
 * the allocator's patterns do not cluster GHashTable buckets. */
static inline guint
wk_identity_hash (gconstpointer object)
{
  guint64 x = (guintptr) object;

  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  return (guint) x;
}

static inline gboolean
_wk_anchor_state_alive (WkAnchor *anchor)
{
  return __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_ALIVE &&
         !wk_glib_weak_ref_is_cleared (&anchor->gweak);
}

/* We raised the count: keep the reference only if the object had not
 * begun to die. A collection that marked the anchor meanwhile (GC
 * PENDING) waits for this thread's hazard slot before it reads the
 * counts again, so it sees our reference and keeps the object: the
 * reference stays. */
static inline gpointer
_wk_anchor_check_got (WkAnchor *anchor,
                      GObject  *object,
                      WkHazard *hazard)
{
  gboolean alive = __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) != WK_ANCHOR_DEAD &&
                   !wk_glib_weak_ref_is_cleared (&anchor->gweak);

  wk_hazard_clear (hazard);
  if (G_LIKELY (alive))
    return object;
  wk_glib_drop_raised (object);
  return NULL;
}

/* Returns a new strong reference to the referent, or NULL. The caller has
 * published @anchor in @hazard; the slot is clear when this returns. */
static inline gpointer
wk_anchor_get (WkAnchor *anchor,
               WkHazard *hazard)
{
  GObject *object;

  if (G_UNLIKELY (!_wk_anchor_state_alive (anchor)))
    return _wk_anchor_get_slow (anchor, hazard);

  object = anchor->object;
  if (wk_glib_try_ref_from_2 (object))
    return _wk_anchor_check_got (anchor, object, hazard);

  return _wk_anchor_get_slow (anchor, hazard);
}

G_END_DECLS

/* What the death of a referent does with its anchor; declared apart, and
 * here for the files that use both. */
#include "wk-anchor-death-private.h"
