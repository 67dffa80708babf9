/* wk-weak-value-dict.c: a hash table whose values are weak (the C face)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkWeakValueDict:
 *
 * A hash table from strong keys to weak GObject values: Python's
 * `weakref.WeakValueDictionary` for GObjects, the cache of the weakref
 * documentation (file name to a large image that the cache must not keep
 * alive).
 *
 * An entry disappears when its value dies: its key destroy notify runs
 * exactly once, [method@Wk.WeakValueDict.get_size] stops counting it and
 * lookups stop finding it from the moment the death is processed (a
 * lookup already returns %NULL once the value has started to die). If a
 * newer value has replaced the dead one under the same key, the entry
 * stays.
 *
 * It has two faces. The C face takes `gpointer` keys with the
 * [callback@GLib.HashFunc], [callback@GLib.EqualFunc] and [callback@GLib.DestroyNotify] given to
 * [ctor@Wk.WeakValueDict.new], like [struct@GLib.HashTable] (inserting a present key
 * replaces the key and the value, as g_hash_table_replace() does). The
 * binding face, [ctor@Wk.WeakValueDict.new_for_variants], takes [struct@GLib.Variant]
 * keys of any type, containers included; bindings see its methods under
 * the plain names (`insert`, `lookup`, ...). Two keys are the same key
 * when g_variant_equal() says so. The binding face keeps a copy of a
 * key's value, not the GVariant it was given (it holds no reference on
 * it), in one block with the key's bytes in normal form; the keys it
 * hands out are GVariants equal to the ones inserted, not the same
 * instances. The C calls that hand out borrowed keys (the iterator,
 * [method@Wk.WeakValueDict.foreach], [method@Wk.WeakValueDict.get_keys])
 * hand out a GVariant for each key on a dict made for variants too, valid
 * while its entry stays in the dict.
 *
 * ## Order
 *
 * Iteration ([struct@Wk.WeakValueDictIter], [method@Wk.WeakValueDict.foreach])
 * and the snapshots ([method@Wk.WeakValueDict.get_keys],
 * [method@Wk.WeakValueDict.get_values], [method@Wk.WeakValueDict.get_variant_keys],
 * [method@Wk.WeakValueDict.get_variant_items]) go in insertion order, as
 * CPython's dict-backed `WeakValueDictionary` does: inserting a key that
 * is present replaces its value in place, and it keeps its place;
 * removing a key, or the death of its value, and inserting it again puts
 * it last.
 *
 * ## Threads
 *
 * Several threads may call it at once, and values may die in any thread.
 * Lookups take no lock (see [Thread safety](thread-safety.html)); the
 * other calls lock the dict for a short step. No lock is held while user
 * code runs (destroy notifies, foreach callbacks, value unrefs). The hash
 * function runs first, the equal function during the step or the lookup:
 * as with a [struct@GLib.HashTable], they must not call into the dict.
 *
 * ## Iteration
 *
 * [struct@Wk.WeakValueDictIter] and [method@Wk.WeakValueDict.foreach]
 * stay valid while values die or entries are removed during the
 * iteration, from the loop body or from other threads, and never hand
 * out a dead entry: the value they hand out is kept alive until the next
 * step. Entries that leave during an iteration keep their keys until the
 * last iteration ends, when their destroy notifies run. Keys added
 * during an iteration, from the loop body or from other threads, are
 * visible to lookups at once and are not visited by the iterations that
 * are running (they come after their end); replacing the value of a
 * present key is fine, and a running iteration that has not reached the
 * key yet visits the new value. An iteration ends when `next` returns
 * %FALSE, or with [method@Wk.WeakValueDictIter.finish].
 */

#include "config.h"

#include "wk-weak-value-dict-private.h"
#include "wk-weak-value-dict-variant-private.h"

G_DEFINE_FINAL_TYPE (WkWeakValueDict, wk_weak_value_dict, G_TYPE_OBJECT)

G_STATIC_ASSERT (sizeof (WkWeakValueDictIter) >= sizeof (WkWeakTableIter));

static void
wk_weak_value_dict_finalize (GObject *object)
{
  WkWeakValueDict *self = WK_WEAK_VALUE_DICT (object);

  g_clear_pointer (&self->table, wk_weak_table_free);

  G_OBJECT_CLASS (wk_weak_value_dict_parent_class)->finalize (object);
}

static void
wk_weak_value_dict_class_init (WkWeakValueDictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wk_weak_value_dict_finalize;
}

/* g_object_new() alone (what bindings do for `Wk.WeakValueDict()`) gives
 * the binding face; wk_weak_value_dict_new() swaps in its own table. */
static void
wk_weak_value_dict_init (WkWeakValueDict *self)
{
  self->table = _wk_weak_value_dict_variant_table_new ();
  self->variants = TRUE;
}

/**
 * wk_weak_value_dict_new: (skip)
 * @hash_func: (nullable): hashes keys (g_direct_hash() if %NULL)
 * @key_equal_func: (nullable): compares keys (g_direct_equal() if %NULL)
 * @key_destroy_func: (nullable): frees a key when its entry goes
 *
 * Creates a dict with `gpointer` keys, like g_hash_table_new_full().
 *
 * Returns: (transfer full): a new, empty dict
 */
WkWeakValueDict *
wk_weak_value_dict_new (GHashFunc      hash_func,
                        GEqualFunc     key_equal_func,
                        GDestroyNotify key_destroy_func)
{
  WkWeakValueDict *self = g_object_new (WK_TYPE_WEAK_VALUE_DICT, NULL);

  wk_weak_table_free (self->table);
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_VALUES, hash_func, key_equal_func,
                                   key_destroy_func, NULL);
  self->variants = FALSE;
  return self;
}

/**
 * wk_weak_value_dict_new_for_variants:
 *
 * Creates a dict whose keys are [struct@GLib.Variant]s of any type, compared with
 * g_variant_equal(). This is the dict that bindings use, and what
 * g_object_new() alone makes.
 *
 * Returns: (transfer full): a new, empty dict
 */
WkWeakValueDict *
wk_weak_value_dict_new_for_variants (void)
{
  return g_object_new (WK_TYPE_WEAK_VALUE_DICT, NULL);
}

/* The C face's calls hash and compare their keys with the dict's own
 * functions: a dict made for the binding face (GVariant keys) is refused
 * with a critical rather than handed a key it would misread. */
static inline gboolean
made_for_c (WkWeakValueDict *self)
{
  return !self->variants;
}

/**
 * wk_weak_value_dict_insert: (skip)
 * @self: a dict
 * @key: the key; the dict owns it from now on
 * @value: (type GObject.Object): the value, held weakly
 *
 * Maps @key to @value, replacing any entry with an equal key (key and
 * value). If @value has already started to die, the key ends up mapped
 * to nothing and is destroyed at once.
 */
void
wk_weak_value_dict_insert (WkWeakValueDict *self,
                           gpointer         key,
                           gpointer         value)
{
  g_return_if_fail (WK_IS_WEAK_VALUE_DICT (self));
  g_return_if_fail (made_for_c (self));
  g_return_if_fail (G_IS_OBJECT (value));

  wk_weak_table_insert (self->table, key, value, NULL, FALSE);
}

/**
 * wk_weak_value_dict_lookup: (skip)
 * @self: a dict
 * @key: a key
 *
 * Looks up the value of @key and takes a strong reference to it, if it
 * is alive.
 *
 * Returns: (transfer full) (nullable) (type GObject.Object): a new
 *   reference to the value of @key, or %NULL if there is none or it has
 *   started to die
 */
gpointer
wk_weak_value_dict_lookup (WkWeakValueDict *self,
                           gconstpointer    key)
{
  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), NULL);
  g_return_val_if_fail (made_for_c (self), NULL);

  return wk_weak_table_dup_object (self->table, key);
}

/**
 * wk_weak_value_dict_contains: (skip)
 * @self: a dict
 * @key: a key
 *
 * Tells whether @key maps to a value that is alive.
 *
 * Returns: whether @key maps to a live value
 */
gboolean
wk_weak_value_dict_contains (WkWeakValueDict *self,
                             gconstpointer    key)
{
  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), FALSE);
  g_return_val_if_fail (made_for_c (self), FALSE);

  return wk_weak_table_contains (self->table, key);
}

/**
 * wk_weak_value_dict_remove: (skip)
 * @self: a dict
 * @key: a key
 *
 * Removes the entry of @key; its key destroy notify runs (at the end of
 * the iteration if one is running).
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_value_dict_remove (WkWeakValueDict *self,
                           gconstpointer    key)
{
  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), FALSE);
  g_return_val_if_fail (made_for_c (self), FALSE);

  return wk_weak_table_remove (self->table, key);
}

/**
 * wk_weak_value_dict_steal: (skip)
 * @self: a dict
 * @key: a key
 * @stolen_key: (out) (optional): the stored key, now owned by the caller
 * @value: (out) (optional) (transfer full) (type GObject.Object): a
 *   reference to the value, or %NULL if it has started to die
 *
 * Removes the entry of @key without destroying its key, which goes to
 * the caller. Refused (with a critical) during an iteration.
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_value_dict_steal (WkWeakValueDict *self,
                          gconstpointer    key,
                          gpointer        *stolen_key,
                          gpointer        *value)
{
  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), FALSE);
  g_return_val_if_fail (made_for_c (self), FALSE);

  return wk_weak_table_steal (self->table, key, stolen_key, value, NULL);
}

/**
 * wk_weak_value_dict_get_size:
 * @self: a dict
 *
 * Counts the entries of the dict.
 *
 * Returns: the number of entries, never counting one whose value's death
 *   has been processed
 */
guint
wk_weak_value_dict_get_size (WkWeakValueDict *self)
{
  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), 0);

  return wk_weak_table_get_size (self->table);
}

/**
 * wk_weak_value_dict_remove_all:
 * @self: a dict
 *
 * Removes every entry.
 */
void
wk_weak_value_dict_remove_all (WkWeakValueDict *self)
{
  g_return_if_fail (WK_IS_WEAK_VALUE_DICT (self));

  wk_weak_table_remove_all (self->table);
}

typedef struct
{
  WkWeakValueDictForeachFunc func;
  gpointer                   user_data;
} ForeachData;

static void
foreach_adapter (gpointer key,
                 gpointer object,
                 gpointer value,
                 gpointer user_data)
{
  ForeachData *data = user_data;

  data->func (key, object, data->user_data);
}

/**
 * wk_weak_value_dict_foreach: (skip)
 * @self: a dict
 * @func: called for each live entry, with no lock held
 * @user_data: data for @func
 *
 * Calls @func for each entry whose value lives; the value is kept alive
 * during the call. @func may remove entries and drop values.
 */
void
wk_weak_value_dict_foreach (WkWeakValueDict            *self,
                            WkWeakValueDictForeachFunc  func,
                            gpointer                    user_data)
{
  ForeachData data = { func, user_data };

  g_return_if_fail (WK_IS_WEAK_VALUE_DICT (self));
  g_return_if_fail (func != NULL);

  wk_weak_table_foreach (self->table, foreach_adapter, &data);
}

/**
 * wk_weak_value_dict_get_keys: (skip)
 * @self: a dict
 *
 * Lists the keys of the entries whose values live.
 *
 * Returns: (transfer container): the keys of the live entries, borrowed:
 *   valid while their entries stay in the dict
 */
GPtrArray *
wk_weak_value_dict_get_keys (WkWeakValueDict *self)
{
  GPtrArray *keys;

  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), NULL);

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, &keys, NULL, NULL);
  return keys;
}

/**
 * wk_weak_value_dict_get_values:
 * @self: a dict
 *
 * Takes a snapshot of the live values.
 *
 * Returns: (transfer full) (element-type GObject.Object): a strong
 *   reference to each live value; the array has no element free function
 */
GPtrArray *
wk_weak_value_dict_get_values (WkWeakValueDict *self)
{
  GPtrArray *values;

  g_return_val_if_fail (WK_IS_WEAK_VALUE_DICT (self), NULL);

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, NULL, &values, NULL);
  return values;
}

/**
 * wk_weak_value_dict_iter_init: (skip)
 * @iter: an uninitialized iterator
 * @dict: the dict to iterate
 *
 * Starts an iteration over the live entries of @dict. It lasts until
 * [method@Wk.WeakValueDictIter.next] returns %FALSE or
 * [method@Wk.WeakValueDictIter.finish] is called; see the iteration
 * rules of [class@Wk.WeakValueDict].
 */
void
wk_weak_value_dict_iter_init (WkWeakValueDictIter *iter,
                              WkWeakValueDict     *dict)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (WK_IS_WEAK_VALUE_DICT (dict));

  wk_weak_table_iter_init ((WkWeakTableIter *) iter, dict->table);
}

/**
 * wk_weak_value_dict_iter_next: (skip)
 * @iter: an iterator
 * @key: (out) (optional): the key, borrowed
 * @value: (out) (optional) (type GObject.Object): the value, borrowed:
 *   the iterator keeps it alive until the next step
 *
 * Advances @iter to the next live entry.
 *
 * Returns: %FALSE at the end (the iteration is then over)
 */
gboolean
wk_weak_value_dict_iter_next (WkWeakValueDictIter *iter,
                              gpointer            *key,
                              gpointer            *value)
{
  g_return_val_if_fail (iter != NULL, FALSE);

  return wk_weak_table_iter_next ((WkWeakTableIter *) iter, key, value, NULL);
}

/**
 * wk_weak_value_dict_iter_finish: (skip)
 * @iter: an iterator
 *
 * Ends an iteration before `next` has returned %FALSE. Calling it after
 * the end does nothing.
 */
void
wk_weak_value_dict_iter_finish (WkWeakValueDictIter *iter)
{
  g_return_if_fail (iter != NULL);

  wk_weak_table_iter_finish ((WkWeakTableIter *) iter);
}
