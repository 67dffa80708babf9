/* wk-weak-table-walk-private.h: iterations, snapshots and scans of a
 * WkWeakTable (wk-weak-table-walk.c), in insertion order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-weak-table-private.h"

G_BEGIN_DECLS

/* Calls during foreach: @key, @object (the weak side, borrowed and alive
 * for the call) and @value (weak-keys tables only). */
typedef void (*WkWeakTableFunc) (gpointer key,
                                 gpointer object,
                                 gpointer value,
                                 gpointer user_data);

/* The state of an iteration, inside the public iterator structures. */
typedef struct
{
  WkWeakTable  *table;
  GObject      *current;    /* (owned) kept alive until the next step */
  guint         pos;        /* the next position to look at */
  guint         end;        /* the dense length when the iteration began */
  gboolean      running;
} WkWeakTableIter;

void         wk_weak_table_foreach      (WkWeakTable     *table,
                                         WkWeakTableFunc  func,
                                         gpointer         user_data);
/* Snapshots of the live entries, in insertion order. @keys gets the keys
 * (each through @copy_key under the lock, or borrowed when NULL; the
 * copies of entries found dead meanwhile go to @free_key_copy),
 * @objects a strong reference to each weak-side object, @values the
 * values (through @copy_value outside the lock, or borrowed); any of
 * them may be NULL. */
void         wk_weak_table_snapshot     (WkWeakTable     *table,
                                         GBoxedCopyFunc   copy_key,
                                         GDestroyNotify   free_key_copy,
                                         GBoxedCopyFunc   copy_value,
                                         GPtrArray      **keys,
                                         GPtrArray      **objects,
                                         GPtrArray      **values);

/* For the collector: @func gets each live entry's key and value, under
 * the table's lock; it must only look at pointers. */
typedef void (*WkWeakTableScan) (gpointer key,
                                 gpointer value,
                                 gpointer user_data);
void         wk_weak_table_scan         (WkWeakTable     *table,
                                         WkWeakTableScan  func,
                                         gpointer         user_data);

void         wk_weak_table_iter_init    (WkWeakTableIter *iter,
                                         WkWeakTable     *table);
gboolean     wk_weak_table_iter_next    (WkWeakTableIter *iter,
                                         gpointer        *key,
                                         gpointer        *object,
                                         gpointer        *value);
void         wk_weak_table_iter_finish  (WkWeakTableIter *iter);

G_END_DECLS
