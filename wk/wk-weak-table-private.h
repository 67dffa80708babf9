/* wk-weak-table-private.h: the hash table behind Wk's weak collections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One implementation serves WkWeakValueDict (weak values), WkWeakKeyDict
 * (weak keys) and WkWeakSet (weak keys, no values). A GHashTable holds
 * the entries themselves (as a set, hashed by their key), so the table
 * stores one pointer and one hash per slot. Each entry watches the
 * anchor of its weak side (see wk-anchor-private.h): when that object
 * dies, the entry leaves the table, its key and value destroy notifies
 * run exactly once, and no lookup, size or iteration sees it from the
 * moment the death is processed.
 *
 * Locking: one mutex per table, never held while user code runs (destroy
 * notifies, foreach callbacks, g_object_unref of values). Deaths come
 * from any thread.
 *
 * Iteration: while an iteration (iterator, foreach) is under way, nothing
 * leaves the main GHashTable structurally: dead or removed entries are
 * only marked gone, kept on a pending list, and removed (with their
 * destroy notifies) when the last iteration ends. A new key added then
 * goes to a side table that lookups consult too and that joins the main
 * table at the end; running iterations do not visit it. So no call is
 * ever refused because another thread iterates, except a C-face steal of
 * an entry the iteration may still hand out. Snapshots do not count as
 * iterations: they copy what they need under the lock.
 *
 * Lifetime: an entry is reference counted, one for being in the
 * GHashTable and one for its watch until the watch is taken out or has
 * fired; each entry holds a reference on the table, so a death in another
 * thread may finish after the collection object itself is gone.
 */

#pragma once

#include "wk-anchor-private.h"

G_BEGIN_DECLS

typedef struct _WkWeakTable WkWeakTable;
typedef struct _WkWeakEntry WkWeakEntry;

typedef enum {
  WK_WEAK_TABLE_WEAK_VALUES,
  WK_WEAK_TABLE_WEAK_KEYS,
} WkWeakTableKind;

/* Calls during foreach: @key, @object (the weak side, borrowed and alive
 * for the call) and @value (weak-keys tables only). */
typedef void (*WkWeakTableFunc) (gpointer key,
                                 gpointer object,
                                 gpointer value,
                                 gpointer user_data);

/* The state of an iteration, inside the public iterator structures. */
typedef struct
{
  WkWeakTable    *table;
  GHashTableIter  iter;
  GObject        *current;    /* (owned) kept alive until the next step */
  gboolean        running;
} WkWeakTableIter;

WkWeakTable *wk_weak_table_new          (WkWeakTableKind  kind,
                                         GHashFunc        key_hash,
                                         GEqualFunc       key_equal,
                                         GDestroyNotify   key_destroy,
                                         GDestroyNotify   value_destroy);
/* The owner lets go: every entry leaves, with its destroy notifies. */
void         wk_weak_table_free         (WkWeakTable     *table);

/* Weak values: @key is owned by the table, @object is the weak value.
 * Weak keys: @object is the weak key, @value is owned by the table. The
 * entry replaces any present one with an equal key, unless @only_new.
 * Returns FALSE (and destroys the new key and value) if the object is
 * already dying, or with @only_new if a live entry was there. */
gboolean     wk_weak_table_insert       (WkWeakTable     *table,
                                         gpointer         key,
                                         GObject         *object,
                                         gpointer         value,
                                         gboolean         only_new);
/* Weak values: a strong reference to the value of @key, or NULL. */
gpointer     wk_weak_table_dup_object   (WkWeakTable     *table,
                                         gconstpointer    key);
/* Weak keys: the value of the object @key, with @found: borrowed, or
 * with @copy a copy made outside the lock. */
gpointer     wk_weak_table_lookup_value (WkWeakTable     *table,
                                         gconstpointer    key,
                                         GBoxedCopyFunc   copy,
                                         gboolean        *found);
gboolean     wk_weak_table_contains     (WkWeakTable     *table,
                                         gconstpointer    key);
gboolean     wk_weak_table_remove       (WkWeakTable     *table,
                                         gconstpointer    key);
/* Removes the entry of @key, handing out a strong reference to its weak
 * side (if still alive) and a copy of its value (made with @copy_value
 * outside the lock); the entry's own key and value are destroyed as on a
 * removal. Never refused. */
gboolean     wk_weak_table_pop          (WkWeakTable     *table,
                                         gconstpointer    key,
                                         gpointer        *object,
                                         GBoxedCopyFunc   copy_value,
                                         gpointer        *value);
/* Removes the entry without destroying its key and value, which go to
 * the caller (for weak values, @object gets a strong reference to the
 * value if it still lives). Refused, with a critical, while an iteration
 * may still hand the entry out. */
gboolean     wk_weak_table_steal        (WkWeakTable     *table,
                                         gconstpointer    key,
                                         gpointer        *stolen_key,
                                         gpointer        *object,
                                         gpointer        *stolen_value);
void         wk_weak_table_remove_all   (WkWeakTable     *table);
guint        wk_weak_table_get_size     (WkWeakTable     *table);

void         wk_weak_table_foreach      (WkWeakTable     *table,
                                         WkWeakTableFunc  func,
                                         gpointer         user_data);
/* Snapshots of the live entries. @keys gets the keys (each through
 * @copy_key under the lock, or borrowed when NULL), @objects a strong
 * reference to each weak-side object, @values the values (through
 * @copy_value outside the lock, or borrowed); any of them may be NULL. */
void         wk_weak_table_snapshot     (WkWeakTable     *table,
                                         GBoxedCopyFunc   copy_key,
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

/* A hash for any GVariant, containers included (g_variant_hash() takes
 * basic types only), consistent with g_variant_equal(). */
guint        wk_variant_hash            (gconstpointer    variant);
/* The same hash as wk_variant_hash (g_variant_new_string (@string)). */
guint        wk_variant_string_hash     (const char      *string);

G_END_DECLS
