/* wk-gc-snapshot-private.h: a snapshot of the tracked objects and of the
 * references between them (wk-gc-snapshot.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _WkGcNode WkGcNode;

/* An object as the snapshot read it. */
struct _WkGcNode
{
  gconstpointer  address;     /* a name, once the snapshot is made */
  const char    *type_name;   /* g_type_name (): lives as long as the type */
  gint           ref_count;
  guint          internal;    /* references from tracked objects and entries */
  guint          weak_refs;
  guint          tracked : 1;
  guint          start : 1;   /* a graph's: one of the objects asked about */
  guint          drawn : 1;   /* a graph's */
  guint          seen : 1;    /* scratch, for a walk */
  guint          depth;       /* scratch, for a walk */
  WkGcNode      *via;         /* scratch: the next node on a chain */
  GPtrArray     *children;    /* WkGcNode *: one per reference traverse reports */
  GPtrArray     *ephemerons;  /* WkGcNode *: values of the entries this keys */
  GPtrArray     *parents;     /* WkGcNode *: the reverse of both, once built */
};

typedef struct
{
  GHashTable *nodes;          /* address -> WkGcNode (owned) */
  GPtrArray  *order;          /* WkGcNode *, as found: tracked objects in list order */
  WkGcNode   *current;        /* the tracked object being traversed */
  GPtrArray  *anchors;        /* WkAnchor (owned): dropped with the snapshot */
  gboolean    weak_counts;    /* read the weak-reference counts too */
  gboolean    have_parents;
} WkGcSnapshot;

/* Reads every tracked object and reference (and, with @weak_counts, the
 * number of Wk weak references to each object found), under the
 * tracking lock. _wk_gc_snapshot_clear() frees it, outside the lock. */
void      _wk_gc_snapshot_init           (WkGcSnapshot *snap,
                                          gboolean      weak_counts);
void      _wk_gc_snapshot_clear          (WkGcSnapshot *snap);
/* The node of @object, made from the object itself the first time: only
 * while @object's memory is certainly there (the caller holds a
 * reference, or the tracking lock for a tracked object). */
WkGcNode *_wk_gc_snapshot_node           (WkGcSnapshot *snap,
                                          GObject      *object);
/* Each node's referrers: the reverse of its referents and ephemerons. */
void      _wk_gc_snapshot_ensure_parents (WkGcSnapshot *snap);
/* Clears the scratch fields of every node, for a new walk. */
void      _wk_gc_snapshot_reset_walk     (WkGcSnapshot *snap);

/* An object's references from outside the tracked objects, counted as
 * CPython's collector counts them: its count minus the references that
 * tracked objects (and ephemeron entries) report. An object with some is
 * a root; what no root leads to is garbage that a collection frees. */
static inline gint
wk_gc_node_from_outside (WkGcNode *node)
{
  return node->ref_count - (gint) node->internal;
}

static inline gboolean
wk_gc_node_is_root (WkGcNode *node)
{
  return wk_gc_node_from_outside (node) > 0;
}

G_END_DECLS
