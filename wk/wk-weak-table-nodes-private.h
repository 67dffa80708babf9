/* wk-weak-table-nodes-private.h: the table's lifetime, its watch nodes,
 * and what leaves it (wk-weak-table-nodes.c), for wk-weak-table.c and
 * wk-weak-table-walk.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything named _locked runs under the table's lock. What leaves the
 * table (keys and values to destroy, references on the table to drop)
 * goes to a Trash, which the caller empties once it has unlocked: no
 * user code runs under the lock.
 */

#pragma once

#include "wk-weak-table-private.h"

#ifndef WK_WEAK_TABLE_COMPILATION
# error "For wk-weak-table*.c only."
#endif

G_BEGIN_DECLS

WkWeakTable *_wk_weak_table_ref                 (WkWeakTable *table);
void         _wk_weak_table_unref               (WkWeakTable *table);

/* @key and @value, those with a destroy notify, to be destroyed after
 * the unlock; with @defer, when the last iteration, snapshot or copy
 * ends if one is under way (it may have handed them out, or be reading
 * them). */
void         _wk_weak_table_trash_add           (WkWeakTable *table,
                                                 Trash       *trash,
                                                 gpointer     key,
                                                 gpointer     value,
                                                 gboolean     defer);
/* What @entry owns, leaving the table (deferred). */
void         _wk_weak_table_trash_entry         (WkWeakTable *table,
                                                 Trash       *trash,
                                                 Entry       *entry);
/* The end of an iteration, snapshot or copy: what waited goes to @trash. */
void         _wk_weak_table_undefer_locked      (WkWeakTable *table,
                                                 Trash       *trash);
/* After the unlock: destroys, then drops the table references @trash
 * holds. The table may be gone when this returns. */
void         _wk_weak_table_trash_empty         (WkWeakTable *table,
                                                 Trash       *trash);

/* A node watching @anchor, whose death calls @died; NONE if the object's
 * death has been processed already. */
guint32      _wk_weak_table_node_watch_locked   (WkWeakTable *table,
                                                 WkAnchor    *anchor,
                                                 WkWatchFunc  died,
                                                 Trash       *trash);
void         _wk_weak_table_node_free_locked    (WkWeakTable *table,
                                                 guint32      number,
                                                 Trash       *trash);
/* The node's entry left the table: its watch goes too, unless its death
 * is firing (then the death handler frees the node), and the node,
 * unless a copy holds it. @anchor is the entry's: alive, since a node
 * that watches keeps its anchor until the death handler has run, which
 * needs the lock. */
void         _wk_weak_table_node_detach_locked  (WkWeakTable *table,
                                                 guint32      number,
                                                 WkAnchor    *anchor,
                                                 Trash       *trash);
/* A hold on the node @number ends: a copy of its value is done. */
void         _wk_weak_table_unhold_locked       (WkWeakTable *table,
                                                 guint32      number,
                                                 Trash       *trash);

G_END_DECLS
