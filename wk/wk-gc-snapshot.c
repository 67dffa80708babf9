/* wk-gc-snapshot.c: a snapshot of the tracked objects and of the
 * references between them, for the census, the graphs and the leak
 * report
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pass under the tracking lock reads each tracked object's type,
 * count and number of weak references, every reference its traverse
 * function reports, and every ephemeron entry (a weak key dict's
 * reference from a key to its value), as a collection sees them. No code
 * of the user's runs meanwhile and no reference is taken: an object is
 * read only while the lock keeps its memory there (a tracked object
 * cannot be finalized then) or inside the visit that reports it (its
 * holder holds it, under the lock that guards the reference). After the
 * lock the snapshot is plain data, and the addresses in it are names,
 * never dereferenced.
 */

#include "config.h"

#include <string.h>

#include "wk-gc-snapshot-private.h"
#include "wk-gc-collect-private.h"
#include "wk-gc-track-private.h"
#include "wk-anchor-private.h"

static void
node_free (gpointer data)
{
  WkGcNode *node = data;

  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->ephemerons, g_ptr_array_unref);
  g_clear_pointer (&node->parents, g_ptr_array_unref);
  g_free (node);
}

/* The live Wk weak references to @object: the anchor's own lock, and
 * nothing else run. The anchor is dropped with the snapshot, after the
 * tracking lock: a last unref of an anchor waits for the readers that
 * hold it, and one of those may be waiting for the tracking lock. */
static guint
count_weak_refs (WkGcSnapshot *snap,
                 GObject      *object)
{
  WkAnchor *anchor = wk_anchor_lookup (object);

  if (anchor == NULL)
    return 0;
  g_ptr_array_add (snap->anchors, anchor);
  return wk_anchor_is_alive (anchor) ? wk_anchor_count_refs (anchor) : 0;
}

WkGcNode *
_wk_gc_snapshot_node (WkGcSnapshot *snap,
                      GObject      *object)
{
  WkGcNode *node = g_hash_table_lookup (snap->nodes, object);

  if (node != NULL)
    return node;
  node = g_new0 (WkGcNode, 1);
  node->address = object;
  node->type_name = G_OBJECT_TYPE_NAME (object);
  node->ref_count = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_ACQUIRE);
  if (snap->weak_counts)
    node->weak_refs = count_weak_refs (snap, object);
  g_hash_table_insert (snap->nodes, object, node);
  g_ptr_array_add (snap->order, node);
  return node;
}

static void
node_add (GPtrArray **array,
          WkGcNode   *node)
{
  if (*array == NULL)
    *array = g_ptr_array_new ();
  g_ptr_array_add (*array, node);
}

/* Inside a traverse function, under the lock that guards the reference:
 * @child is alive until the visit returns. */
static void
visit_snapshot (GObject  *child,
                gpointer  data)
{
  WkGcSnapshot *snap = data;
  WkGcNode *node;

  if (child == NULL)
    return;
  node = _wk_gc_snapshot_node (snap, child);
  node->internal++;
  node_add (&snap->current->children, node);
}

static void
snapshot_tracked (GObject  *object,
                  gpointer  data)
{
  WkGcSnapshot *snap = data;
  WkGcNode *node = _wk_gc_snapshot_node (snap, object);

  node->tracked = TRUE;
  snap->current = node;
  WK_OBJECT_GET_CLASS (object)->traverse ((WkObject *) object, visit_snapshot, snap);
  snap->current = NULL;
}

/* An entry of a weak key dict, under the dict's lock. As for a
 * collection, it counts when both its key and its value are tracked. */
static void
snapshot_ephemeron (gpointer  key,
                    GObject  *value,
                    gpointer  data)
{
  WkGcSnapshot *snap = data;
  WkGcNode *knode = g_hash_table_lookup (snap->nodes, key);
  WkGcNode *vnode = g_hash_table_lookup (snap->nodes, value);

  if (knode == NULL || vnode == NULL || !knode->tracked || !vnode->tracked)
    return;
  vnode->internal++;
  node_add (&knode->ephemerons, vnode);
}

void
_wk_gc_snapshot_init (WkGcSnapshot *snap,
                      gboolean      weak_counts)
{
  memset (snap, 0, sizeof *snap);
  snap->nodes = g_hash_table_new_full (NULL, NULL, NULL, node_free);
  snap->order = g_ptr_array_new ();
  snap->anchors = g_ptr_array_new_with_free_func ((GDestroyNotify) wk_anchor_unref);
  snap->weak_counts = weak_counts;

  _wk_gc_track_lock ();
  _wk_gc_track_foreach_locked (snapshot_tracked, snap);
  _wk_gc_collect_scan_ephemerons (snapshot_ephemeron, snap);
  _wk_gc_track_unlock ();
}

void
_wk_gc_snapshot_clear (WkGcSnapshot *snap)
{
  g_ptr_array_unref (snap->anchors);
  g_ptr_array_unref (snap->order);
  g_hash_table_unref (snap->nodes);
}

void
_wk_gc_snapshot_ensure_parents (WkGcSnapshot *snap)
{
  guint i, j;

  if (snap->have_parents)
    return;
  for (i = 0; i < snap->order->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (snap->order, i);

      for (j = 0; node->children != NULL && j < node->children->len; j++)
        node_add (&((WkGcNode *) g_ptr_array_index (node->children, j))->parents, node);
      for (j = 0; node->ephemerons != NULL && j < node->ephemerons->len; j++)
        node_add (&((WkGcNode *) g_ptr_array_index (node->ephemerons, j))->parents, node);
    }
  snap->have_parents = TRUE;
}

void
_wk_gc_snapshot_reset_walk (WkGcSnapshot *snap)
{
  guint i;

  for (i = 0; i < snap->order->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (snap->order, i);

      node->seen = FALSE;
      node->depth = 0;
      node->via = NULL;
    }
}
