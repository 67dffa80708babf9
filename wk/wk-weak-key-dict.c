/* wk-weak-key-dict.c: a hash table whose keys are weak (the C face)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkWeakKeyDict:
 *
 * A hash table from weak GObject keys, compared by identity, to strong
 * values: Python's `weakref.WeakKeyDictionary` for GObjects, for data
 * attached to objects one does not own.
 *
 * An entry disappears when its key dies, and its value destroy notify
 * runs exactly once then (or when the entry is removed or replaced).
 *
 * The C face stores `gpointer` values with the [callback@GLib.DestroyNotify] given to
 * [ctor@Wk.WeakKeyDict.new], or with a copy function as well,
 * wk_weak_key_dict_new_full(). wk_weak_key_dict_lookup()
 * hands out the stored value borrowed, for code where no other thread
 * can remove or replace the entry meanwhile; wk_weak_key_dict_dup()
 * hands out a copy made while the entry is held, which any thread may
 * use. The binding face, [ctor@Wk.WeakKeyDict.new_for_values], stores a
 * copy of a [struct@GObject.Value] and is what bindings use under the
 * plain names (`insert`, `lookup`); it always copies values out.
 *
 * Iteration and the snapshots go in insertion order, as CPython's
 * dict-backed `WeakKeyDictionary` does: inserting a key that is present
 * replaces its value in place, and it keeps its place; removing a key, or
 * its death, and inserting it again puts it last.
 *
 * Threads and iteration follow the rules of [class@Wk.WeakValueDict]:
 * lookups take no lock and other calls lock the dict briefly, keys may
 * die in any thread, iterators survive deaths and removals, and keys
 * added during an iteration are found at once but not visited by it.
 *
 * In a dict of the binding face, a value that refers back to its own key
 * does not keep the key alive: the cycle collector takes each entry whose
 * key and value object are both [class@Wk.Object]s as an ephemeron, and
 * frees such a pair at its next collection (see
 * [Ephemerons](ephemerons.html)). The C face's values are opaque to it:
 * there, as in CPython, such a value keeps its key alive.
 */

#include "config.h"

#include "wk-weak-key-dict-private.h"
#include "wk-weak-key-dict-value-private.h"

G_DEFINE_FINAL_TYPE (WkWeakKeyDict, wk_weak_key_dict, G_TYPE_OBJECT)

G_STATIC_ASSERT (sizeof (WkWeakKeyDictIter) >= sizeof (WkWeakTableIter));

static void
wk_weak_key_dict_finalize (GObject *object)
{
  WkWeakKeyDict *self = WK_WEAK_KEY_DICT (object);

  if (self->gvalues)
    _wk_weak_key_dict_values_leave (self);
  g_clear_pointer (&self->table, wk_weak_table_free);

  G_OBJECT_CLASS (wk_weak_key_dict_parent_class)->finalize (object);
}

static void
wk_weak_key_dict_class_init (WkWeakKeyDictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wk_weak_key_dict_finalize;
}

/* g_object_new() alone (what bindings do for `Wk.WeakKeyDict()`) gives
 * the binding face; the C constructors swap in their own table. */
static void
wk_weak_key_dict_init (WkWeakKeyDict *self)
{
  _wk_weak_key_dict_values_init (self);
}

/**
 * wk_weak_key_dict_new: (skip)
 * @value_destroy: (nullable): frees a value when its entry goes
 *
 * Creates a dict with `gpointer` values. Its values can be read with
 * [method@Wk.WeakKeyDict.lookup] only (borrowed); see
 * wk_weak_key_dict_new_full() for a dict that copies them out.
 *
 * Returns: (transfer full): a new, empty dict
 */
WkWeakKeyDict *
wk_weak_key_dict_new (GDestroyNotify value_destroy)
{
  return wk_weak_key_dict_new_full (NULL, value_destroy);
}

/**
 * wk_weak_key_dict_new_full: (skip)
 * @value_copy: (nullable): copies a value, for wk_weak_key_dict_dup()
 * @value_destroy: (nullable): frees a value when its entry goes (and a
 *   copy, for the caller of wk_weak_key_dict_dup())
 *
 * Creates a dict with `gpointer` values that wk_weak_key_dict_dup()
 * copies out with @value_copy (g_strdup(), g_object_ref(), a boxed
 * type's copy function), so that threads can read values that other
 * threads may remove or replace meanwhile.
 *
 * Returns: (transfer full): a new, empty dict
 *
 * Since: 0.2
 */
WkWeakKeyDict *
wk_weak_key_dict_new_full (GBoxedCopyFunc value_copy,
                           GDestroyNotify value_destroy)
{
  WkWeakKeyDict *self = g_object_new (WK_TYPE_WEAK_KEY_DICT, NULL);

  _wk_weak_key_dict_values_leave (self);
  wk_weak_table_free (self->table);
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_KEYS, NULL, NULL, NULL, value_destroy);
  self->value_copy = value_copy;
  self->gvalues = FALSE;
  return self;
}

/**
 * wk_weak_key_dict_insert: (skip)
 * @self: a dict
 * @key: the key, held weakly
 * @value: the value; the dict owns it from now on
 *
 * Maps @key to @value, replacing (and destroying) any value it had. If
 * @key has already started to die, @value is destroyed at once.
 */
void
wk_weak_key_dict_insert (WkWeakKeyDict *self,
                         GObject       *key,
                         gpointer       value)
{
  g_return_if_fail (WK_IS_WEAK_KEY_DICT (self));
  g_return_if_fail (!self->gvalues);
  g_return_if_fail (G_IS_OBJECT (key));

  wk_weak_table_insert (self->table, NULL, key, value, FALSE);
}

/**
 * wk_weak_key_dict_lookup: (skip)
 * @self: a dict
 * @key: a key
 *
 * Looks up the value of @key. A %NULL value and no entry look the same
 * here; [method@Wk.WeakKeyDict.lookup_extended] tells them apart.
 *
 * The value is borrowed: the dict owns it, and it stays valid only while
 * no other thread can remove or replace the entry (one thread uses the
 * dict, or the caller's own lock orders the calls). The key's death
 * removes the entry too, so the caller should hold @key meanwhile. From
 * several threads, use wk_weak_key_dict_dup() on a dict made with
 * wk_weak_key_dict_new_full() and a copy function: the copy is made
 * while the entry is held.
 *
 * Returns: (nullable) (transfer none): the value of @key, borrowed (see
 *   above); %NULL if there is none
 */
gpointer
wk_weak_key_dict_lookup (WkWeakKeyDict *self,
                         GObject       *key)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), NULL);
  g_return_val_if_fail (G_IS_OBJECT (key), NULL);

  return wk_weak_table_lookup_value (self->table, key, NULL, NULL);
}

/**
 * wk_weak_key_dict_lookup_extended: (skip)
 * @self: a dict
 * @key: a key
 * @value: (out) (optional): the value, borrowed, under the same rule as
 *   [method@Wk.WeakKeyDict.lookup]'s
 *
 * Like [method@Wk.WeakKeyDict.lookup], telling a %NULL value from no entry.
 *
 * Returns: whether @key has an entry
 */
gboolean
wk_weak_key_dict_lookup_extended (WkWeakKeyDict *self,
                                  GObject       *key,
                                  gpointer      *value)
{
  gboolean found;
  gpointer v;

  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);

  v = wk_weak_table_lookup_value (self->table, key, NULL, &found);
  if (value != NULL)
    *value = v;
  return found;
}

/**
 * wk_weak_key_dict_dup: (skip)
 * @self: a dict made with wk_weak_key_dict_new_full() and a copy
 *   function (or [ctor@Wk.WeakKeyDict.new_for_values])
 * @key: a key
 *
 * Looks up the value of @key and returns a copy of it, made with the
 * dict's copy function while the entry is held: another thread that
 * removes or replaces the entry meanwhile, or whose key dies, does not
 * destroy the value before the copy is done, and a steal of the entry
 * waits for it. The copy runs with no lock held. This is how to read a
 * value when other threads use the dict too; for a dict of the binding
 * face, the copy is a new [struct@GObject.Value], as from
 * [method@Wk.WeakKeyDict.dup_value].
 *
 * Calling it on a dict without a copy function is a programming error
 * (a critical).
 *
 * Returns: (nullable) (transfer full): a copy of the value of @key, or
 *   %NULL if there is no entry (or its value is %NULL)
 *
 * Since: 0.2
 */
gpointer
wk_weak_key_dict_dup (WkWeakKeyDict *self,
                      GObject       *key)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), NULL);
  g_return_val_if_fail (G_IS_OBJECT (key), NULL);
  if (G_UNLIKELY (self->value_copy == NULL))
    {
      g_critical ("%s: this WkWeakKeyDict has no copy function "
                  "(make it with wk_weak_key_dict_new_full())", G_STRFUNC);
      return NULL;
    }

  return wk_weak_table_lookup_value (self->table, key, self->value_copy, NULL);
}

/**
 * wk_weak_key_dict_contains:
 * @self: a dict
 * @key: a key
 *
 * Tells whether @key has an entry.
 *
 * Returns: whether @key has an entry
 */
gboolean
wk_weak_key_dict_contains (WkWeakKeyDict *self,
                           GObject       *key)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);

  return wk_weak_table_contains (self->table, key);
}

/**
 * wk_weak_key_dict_remove:
 * @self: a dict
 * @key: a key
 *
 * Removes the entry of @key; its value destroy notify runs (at the end
 * of the iteration if one is running).
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_key_dict_remove (WkWeakKeyDict *self,
                         GObject       *key)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);

  return wk_weak_table_remove (self->table, key);
}

/**
 * wk_weak_key_dict_steal: (skip)
 * @self: a dict
 * @key: a key
 * @value: (out) (optional): the value, now owned by the caller
 *
 * Removes the entry of @key without destroying its value. Refused (with a
 * critical) during an iteration.
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_key_dict_steal (WkWeakKeyDict *self,
                        GObject       *key,
                        gpointer      *value)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);

  return wk_weak_table_steal (self->table, key, NULL, NULL, value);
}

/**
 * wk_weak_key_dict_get_size:
 * @self: a dict
 *
 * Counts the entries of the dict.
 *
 * Returns: the number of entries, never counting one whose key's death
 *   has been processed
 */
guint
wk_weak_key_dict_get_size (WkWeakKeyDict *self)
{
  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), 0);

  return wk_weak_table_get_size (self->table);
}

/**
 * wk_weak_key_dict_remove_all:
 * @self: a dict
 *
 * Removes every entry.
 */
void
wk_weak_key_dict_remove_all (WkWeakKeyDict *self)
{
  g_return_if_fail (WK_IS_WEAK_KEY_DICT (self));

  wk_weak_table_remove_all (self->table);
}

typedef struct
{
  WkWeakKeyDictForeachFunc func;
  gpointer                 user_data;
} ForeachData;

static void
foreach_adapter (gpointer key,
                 gpointer object,
                 gpointer value,
                 gpointer user_data)
{
  ForeachData *data = user_data;

  data->func (object, value, data->user_data);
}

/**
 * wk_weak_key_dict_foreach: (skip)
 * @self: a dict
 * @func: called for each live entry, with no lock held
 * @user_data: data for @func
 *
 * Calls @func for each entry whose key lives; the key is kept alive
 * during the call. @func may remove entries and drop keys.
 */
void
wk_weak_key_dict_foreach (WkWeakKeyDict            *self,
                          WkWeakKeyDictForeachFunc  func,
                          gpointer                  user_data)
{
  ForeachData data = { func, user_data };

  g_return_if_fail (WK_IS_WEAK_KEY_DICT (self));
  g_return_if_fail (func != NULL);

  wk_weak_table_foreach (self->table, foreach_adapter, &data);
}

/**
 * wk_weak_key_dict_get_keys:
 * @self: a dict
 *
 * Takes a snapshot of the live keys.
 *
 * Returns: (transfer full) (element-type GObject.Object): a strong
 *   reference to each live key; the array has no element free function
 */
GPtrArray *
wk_weak_key_dict_get_keys (WkWeakKeyDict *self)
{
  GPtrArray *keys;

  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), NULL);

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, NULL, &keys, NULL);
  return keys;
}

/**
 * wk_weak_key_dict_get_values: (skip)
 * @self: a dict
 *
 * Lists the values of the entries whose keys live.
 *
 * Returns: (transfer container): the values of the live entries,
 *   borrowed: valid while their entries stay
 */
GPtrArray *
wk_weak_key_dict_get_values (WkWeakKeyDict *self)
{
  GPtrArray *values;

  g_return_val_if_fail (WK_IS_WEAK_KEY_DICT (self), NULL);

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, NULL, NULL, &values);
  return values;
}

/**
 * wk_weak_key_dict_iter_init: (skip)
 * @iter: an uninitialized iterator
 * @dict: the dict to iterate
 *
 * Starts an iteration over the live entries of @dict. It lasts until
 * [method@Wk.WeakKeyDictIter.next] returns %FALSE or
 * [method@Wk.WeakKeyDictIter.finish] is called.
 */
void
wk_weak_key_dict_iter_init (WkWeakKeyDictIter *iter,
                            WkWeakKeyDict     *dict)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (WK_IS_WEAK_KEY_DICT (dict));

  wk_weak_table_iter_init ((WkWeakTableIter *) iter, dict->table);
}

/**
 * wk_weak_key_dict_iter_next: (skip)
 * @iter: an iterator
 * @key: (out) (optional) (type GObject.Object): the key, borrowed: the
 *   iterator keeps it alive until the next step
 * @value: (out) (optional): the value, borrowed
 *
 * Advances @iter to the next live entry.
 *
 * Returns: %FALSE at the end (the iteration is then over)
 */
gboolean
wk_weak_key_dict_iter_next (WkWeakKeyDictIter *iter,
                            gpointer          *key,
                            gpointer          *value)
{
  g_return_val_if_fail (iter != NULL, FALSE);

  return wk_weak_table_iter_next ((WkWeakTableIter *) iter, NULL, key, value);
}

/**
 * wk_weak_key_dict_iter_finish: (skip)
 * @iter: an iterator
 *
 * Ends an iteration before `next` has returned %FALSE.
 */
void
wk_weak_key_dict_iter_finish (WkWeakKeyDictIter *iter)
{
  g_return_if_fail (iter != NULL);

  wk_weak_table_iter_finish ((WkWeakTableIter *) iter);
}
