/* wk-weak-table-nodes.c: the lifetime of the table behind Wk's weak
 * collections, its watch nodes, and what leaves it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-weak-table-private.h for the model and wk-weak-table-nodes-private.h
 * for what these are for.
 */

#include "config.h"

#define WK_WEAK_TABLE_COMPILATION
#include "wk-weak-table-private.h"
#include "wk-weak-table-nodes-private.h"

/* ---------------------------------------------------------------------- */
/* The table's lifetime                                                   */

WkWeakTable *
_wk_weak_table_ref (WkWeakTable *table)
{
  __atomic_fetch_add (&table->ref_count, 1, __ATOMIC_RELAXED);
  return table;
}

void
_wk_weak_table_unref (WkWeakTable *table)
{
  guint i;

  if (__atomic_sub_fetch (&table->ref_count, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  g_assert (table->n_nodes == 0 && table->deferring == 0);
  for (i = 0; i < table->chunks->len; i++)
    g_aligned_free (g_ptr_array_index (table->chunks, i));
  g_ptr_array_unref (table->chunks);
  g_clear_pointer (&table->pending, g_array_unref);
  g_free (table->block);
  pthread_mutex_destroy (&table->lock);
  g_free (table);
}

/* ---------------------------------------------------------------------- */
/* Destroying what left, outside the lock                                 */

/* @key and @value, if they have destroy notifies, and @defer: to be
 * destroyed after the unlock, or when the last iteration, snapshot or
 * copy ends if one is under way (it may have handed them out, or be
 * reading them). */
void
_wk_weak_table_trash_add (WkWeakTable *table,
                          Trash       *trash,
                          gpointer     key,
                          gpointer     value,
                          gboolean     defer)
{
  Doomed doomed = { NULL, NULL };

  if (key != NULL && table->key_destroy != NULL)
    doomed.key = key;
  if (value != NULL && table->value_destroy != NULL)
    doomed.value = value;
  if (doomed.key == NULL && doomed.value == NULL)
    return;

  trash->key_destroy = table->key_destroy;
  trash->value_destroy = table->value_destroy;
  if (defer && table->deferring > 0)
    {
      if (table->pending == NULL)
        table->pending = g_array_new (FALSE, FALSE, sizeof (Doomed));
      g_array_append_val (table->pending, doomed);
    }
  else if (trash->n_few < G_N_ELEMENTS (trash->few))
    trash->few[trash->n_few++] = doomed;
  else
    {
      if (trash->more == NULL)
        trash->more = g_array_new (FALSE, FALSE, sizeof (Doomed));
      g_array_append_val (trash->more, doomed);
    }
}

/* What entry @entry owns, leaving the table. */
void
_wk_weak_table_trash_entry (WkWeakTable *table,
                            Trash       *trash,
                            Entry       *entry)
{
  if (table->kind == WK_WEAK_TABLE_WEAK_VALUES)
    _wk_weak_table_trash_add (table, trash, entry->key, NULL, TRUE);
  else
    _wk_weak_table_trash_add (table, trash, NULL, entry->value, TRUE);
}

/* The end of an iteration, snapshot or copy: what waited goes. */
void
_wk_weak_table_undefer_locked (WkWeakTable *table,
                               Trash       *trash)
{
  if (--table->deferring > 0 || table->pending == NULL)
    return;
  trash->key_destroy = table->key_destroy;
  trash->value_destroy = table->value_destroy;
  if (trash->more == NULL)
    trash->more = g_steal_pointer (&table->pending);
  else
    {
      g_array_append_vals (trash->more, table->pending->data, table->pending->len);
      g_clear_pointer (&table->pending, g_array_unref);
    }
}

static void
destroy_doomed (const Trash  *trash,
                const Doomed *doomed)
{
  if (doomed->key != NULL)
    trash->key_destroy (doomed->key);
  if (doomed->value != NULL)
    trash->value_destroy (doomed->value);
}

/* After the unlock. It touches the table only to drop the references the
 * call let go of, last: the table may be gone when this returns. */
void
_wk_weak_table_trash_empty (WkWeakTable *table,
                            Trash       *trash)
{
  guint i;

  for (i = 0; i < trash->n_few; i++)
    destroy_doomed (trash, &trash->few[i]);
  if (trash->more != NULL)
    {
      for (i = 0; i < trash->more->len; i++)
        destroy_doomed (trash, &g_array_index (trash->more, Doomed, i));
      g_array_unref (trash->more);
    }
  while (trash->unrefs-- > 0)
    _wk_weak_table_unref (table);
}

/* ---------------------------------------------------------------------- */
/* Nodes                                                                  */

static guint32
node_alloc_locked (WkWeakTable *table)
{
  guint32 number;
  Node *node;

  if (table->free_node == NONE)
    {
      NodeChunk *chunk = g_aligned_alloc0 (1, CHUNK_SIZE, CHUNK_SIZE);
      guint i;

      chunk->table = table;
      chunk->first = table->chunks->len * NODES_PER_CHUNK;
      g_ptr_array_add (table->chunks, chunk);
      for (i = NODES_PER_CHUNK; i-- > 0;)
        {
          chunk->nodes[i].pos = table->free_node;
          table->free_node = chunk->first + i;
        }
    }
  number = table->free_node;
  node = node_at (table, number);
  table->free_node = node->pos;
  if (table->n_nodes++ == 0)
    _wk_weak_table_ref (table);
  node->holds = 0;
  node->watching = FALSE;
  node->state = NODE_DETACHED;
  return number;
}

void
_wk_weak_table_node_free_locked (WkWeakTable *table,
                                 guint32      number,
                                 Trash       *trash)
{
  Node *node = node_at (table, number);

  node->state = NODE_FREE;
  node->pos = table->free_node;
  table->free_node = number;
  if (--table->n_nodes == 0)
    trash->unrefs++;
}

/* The node's entry left the table: its watch goes too, unless its death
 * is firing (then the handler frees it), and the node, unless a copy
 * holds it. @anchor is alive: while a node watches, its anchor lives on
 * until the death handler has run, which needs the lock. */
void
_wk_weak_table_node_detach_locked (WkWeakTable *table,
                                   guint32      number,
                                   WkAnchor    *anchor,
                                   Trash       *trash)
{
  Node *node = node_at (table, number);

  node->state = NODE_DETACHED;
  if (node->watching && wk_anchor_unwatch (anchor, &node->watch))
    node->watching = FALSE;
  if (!node->watching && node->holds == 0)
    _wk_weak_table_node_free_locked (table, number, trash);
}

/* A node watching @anchor, or NONE if its object's death has begun or
 * been processed. */
guint32
_wk_weak_table_node_watch_locked (WkWeakTable *table,
                                  WkAnchor    *anchor,
                                  WkWatchFunc  died,
                                  Trash       *trash)
{
  guint32 number = node_alloc_locked (table);
  Node *node = node_at (table, number);

  if (!wk_anchor_watch (anchor, &node->watch, died))
    {
      _wk_weak_table_node_free_locked (table, number, trash);
      return NONE;
    }
  node->watching = TRUE;
  return number;
}

void
_wk_weak_table_unhold_locked (WkWeakTable *table,
                              guint32      number,
                              Trash       *trash)
{
  Node *node = node_at (table, number);

  if (--node->holds == 0 && node->state == NODE_DETACHED && !node->watching)
    _wk_weak_table_node_free_locked (table, number, trash);
}
