/* wk-weak-table-walk.c: iterations, snapshots and scans of the table
 * behind Wk's weak collections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-weak-table-private.h for the model: they walk the dense array by
 * position, in insertion order.
 */

#include "config.h"

#define WK_WEAK_TABLE_COMPILATION
#include "wk-weak-table-private.h"
#include "wk-weak-table-nodes-private.h"
#include "wk-weak-table-walk-private.h"

void
wk_weak_table_iter_init (WkWeakTableIter *iter,
                         WkWeakTable     *table)
{
  iter->table = _wk_weak_table_ref (table);
  iter->current = NULL;
  iter->pos = 0;
  iter->running = TRUE;
  table_lock (table);
  table->iterating++;
  table->deferring++;
  iter->end = table->n_used;
  table->horizon = MAX (table->horizon, table->n_used);
  table_unlock (table);
}

gboolean
wk_weak_table_iter_next (WkWeakTableIter *iter,
                         gpointer        *key,
                         gpointer        *object,
                         gpointer        *value)
{
  WkWeakTable *table = iter->table;

  /* Let go of the previous object first: if that was its last reference,
   * it dies now and its entry is not handed out below. */
  g_clear_object (&iter->current);
  if (!iter->running)
    return FALSE;

  table_lock (table);
  while (iter->pos < iter->end)
    {
      guint pos = iter->pos;
      WkHazard *hazard;
      WkAnchor *anchor;
      GObject *strong;
      Entry *entry;

      if (entry_at (table, pos)->anchor == NULL)
        {
          iter->pos++;
          continue;
        }
      anchor = publish_anchor_locked (table, pos, &hazard);
      table_unlock (table);
      strong = wk_anchor_get (anchor, hazard);
      table_lock (table);

      /* Positions hold during an iteration, but the entry may have left,
       * or had its value replaced, while the lock was dropped. */
      entry = entry_at (table, pos);
      if (strong != NULL && entry->anchor == anchor)
        {
          if (key != NULL)
            *key = exposed_key (table, entry->key);
          if (object != NULL)
            *object = strong;
          if (value != NULL)
            *value = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? entry->value : NULL;
          iter->current = strong;
          iter->pos++;
          table_unlock (table);
          return TRUE;
        }
      /* Dying, or gone; a new live value is looked at again. */
      if (entry->anchor == NULL || entry->anchor == anchor || !wk_anchor_is_alive (entry->anchor))
        iter->pos++;
      if (strong != NULL)
        {
          table_unlock (table);
          g_object_unref (strong);
          table_lock (table);
        }
    }
  table_unlock (table);

  wk_weak_table_iter_finish (iter);
  return FALSE;
}

void
wk_weak_table_iter_finish (WkWeakTableIter *iter)
{
  WkWeakTable *table = iter->table;
  Trash trash = TRASH_INIT;

  if (!iter->running)
    return;
  iter->running = FALSE;
  g_clear_object (&iter->current);

  table_lock (table);
  if (--table->iterating == 0)
    table->horizon = 0;
  _wk_weak_table_undefer_locked (table, &trash);
  table_unlock (table);

  _wk_weak_table_trash_empty (table, &trash);
  _wk_weak_table_unref (table);
}

void
wk_weak_table_foreach (WkWeakTable     *table,
                       WkWeakTableFunc  func,
                       gpointer         user_data)
{
  WkWeakTableIter iter;
  gpointer key, object, value;

  wk_weak_table_iter_init (&iter, table);
  while (wk_weak_table_iter_next (&iter, &key, &object, &value))
    func (key, object, value, user_data);
}

/* What a snapshot keeps of an entry between its two locked passes. */
typedef struct
{
  WkAnchor  *anchor;   /* (owned) */
  gpointer   key;      /* copied or borrowed */
  gpointer   value;    /* borrowed: held, or its destroy deferred */
  guint32    node;     /* held when values are copied */
} Shot;

void
wk_weak_table_snapshot (WkWeakTable     *table,
                        GBoxedCopyFunc   copy_key,
                        GDestroyNotify   free_key_copy,
                        GBoxedCopyFunc   copy_value,
                        GPtrArray      **keys,
                        GPtrArray      **objects,
                        GPtrArray      **values)
{
  Trash trash = TRASH_INIT;
  GArray *shots;
  guint i, pos;

  /* One pass under the lock takes a reference on each live entry's anchor
   * (and copies keys, which takes no user code: a GVariant), and keeps
   * what leaves meanwhile from being destroyed; the gets and value
   * copies, which may run user code, come after. */
  table_lock (table);
  shots = g_array_sized_new (FALSE, FALSE, sizeof (Shot), table->n_live);
  for (pos = 0; pos < table->n_used; pos++)
    {
      Entry *entry = entry_at (table, pos);
      Shot shot;

      if (entry->anchor == NULL)
        continue;
      shot.anchor = wk_anchor_ref (entry->anchor);
      shot.key = copy_key != NULL ? copy_key (entry->key) : exposed_key (table, entry->key);
      shot.value = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? entry->value : NULL;
      shot.node = entry->node;
      if (copy_value != NULL)
        node_at (table, shot.node)->holds++;
      g_array_append_val (shots, shot);
    }
  table->deferring++;
  table_unlock (table);

  if (keys != NULL)
    *keys = g_ptr_array_sized_new (shots->len);
  if (objects != NULL)
    *objects = g_ptr_array_sized_new (shots->len);
  if (values != NULL)
    *values = g_ptr_array_sized_new (shots->len);

  for (i = 0; i < shots->len; i++)
    {
      Shot *shot = &g_array_index (shots, Shot, i);
      WkHazard *hazard = wk_hazard_get ();
      GObject *strong;

      wk_hazard_publish (hazard, shot->anchor);
      strong = wk_anchor_get (shot->anchor, hazard);
      if (strong != NULL)
        {
          if (keys != NULL)
            g_ptr_array_add (*keys, shot->key);
          if (values != NULL)
            g_ptr_array_add (*values, copy_value != NULL && shot->value != NULL
                                      ? copy_value (shot->value)
                                      : shot->value);
          if (objects != NULL)
            g_ptr_array_add (*objects, strong);
          else
            g_object_unref (strong);
        }
      else if (copy_key != NULL && free_key_copy != NULL)
        free_key_copy (shot->key);   /* the copy of a dead entry's key */
      wk_anchor_unref (shot->anchor);
    }

  table_lock (table);
  if (copy_value != NULL)
    for (i = 0; i < shots->len; i++)
      _wk_weak_table_unhold_locked (table, g_array_index (shots, Shot, i).node, &trash);
  _wk_weak_table_undefer_locked (table, &trash);
  table_unlock (table);
  _wk_weak_table_trash_empty (table, &trash);
  g_array_unref (shots);
}

void
wk_weak_table_scan (WkWeakTable     *table,
                    WkWeakTableScan  func,
                    gpointer         user_data)
{
  guint pos;

  table_lock (table);
  for (pos = 0; pos < table->n_used; pos++)
    {
      Entry *entry = entry_at (table, pos);

      if (entry->anchor != NULL)
        func (entry->key, table->kind == WK_WEAK_TABLE_WEAK_KEYS ? entry->value : NULL,
              user_data);
    }
  table_unlock (table);
}
