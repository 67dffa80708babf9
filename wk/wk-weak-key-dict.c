/* wk-weak-key-dict.c: a hash table whose keys are weak
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
 * [ctor@Wk.WeakKeyDict.new]. The binding face,
 * [ctor@Wk.WeakKeyDict.new_for_values], stores a copy of a [struct@GObject.Value] and is
 * what bindings use under the plain names (`insert`, `lookup`).
 *
 * Threads and iteration follow the rules of [class@Wk.WeakValueDict]:
 * calls lock the dict, keys may die in any thread, iterators survive
 * deaths and removals, and a new key cannot be added during an
 * iteration.
 *
 * A value that refers back to its own key keeps the key alive for now,
 * as in CPython; the planned cycle collector is what will break that (see
 * [Ephemerons](ephemerons.html)).
 */

#include "config.h"

#include <pthread.h>

#include "wk-weak-key-dict.h"
#include "wk-weak-table-private.h"
#include "wk-gc-private.h"

struct _WkWeakKeyDict
{
  GObject       parent_instance;
  WkWeakTable  *table;
  gboolean      gvalues;
};

G_DEFINE_FINAL_TYPE (WkWeakKeyDict, wk_weak_key_dict, G_TYPE_OBJECT)

/* The dicts with GValue values, for the collector's ephemerons: a value
 * object is reachable through its entry only if its key is. */
static pthread_mutex_t  gvalue_dicts_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable      *gvalue_dicts;

static void
gvalue_dicts_add (WkWeakKeyDict *self)
{
  pthread_mutex_lock (&gvalue_dicts_lock);
  if (gvalue_dicts == NULL)
    gvalue_dicts = g_hash_table_new (NULL, NULL);
  g_hash_table_add (gvalue_dicts, self);
  pthread_mutex_unlock (&gvalue_dicts_lock);
}

static void
gvalue_dicts_remove (WkWeakKeyDict *self)
{
  pthread_mutex_lock (&gvalue_dicts_lock);
  if (gvalue_dicts != NULL)
    g_hash_table_remove (gvalue_dicts, self);
  pthread_mutex_unlock (&gvalue_dicts_lock);
}

typedef struct
{
  WkEphemeronFunc  func;
  gpointer         user_data;
} EphemeronScan;

static void
scan_entry (gpointer key,
            gpointer value,
            gpointer data)
{
  EphemeronScan *scan = data;
  const GValue *gvalue = value;

  if (gvalue != NULL && G_VALUE_HOLDS_OBJECT (gvalue) && g_value_get_object (gvalue) != NULL)
    scan->func (key, g_value_get_object (gvalue), scan->user_data);
}

void
_wk_weak_key_dicts_scan (WkEphemeronFunc func,
                         gpointer        user_data)
{
  EphemeronScan scan = { func, user_data };
  GHashTableIter iter;
  gpointer dict;

  pthread_mutex_lock (&gvalue_dicts_lock);
  if (gvalue_dicts != NULL)
    {
      g_hash_table_iter_init (&iter, gvalue_dicts);
      while (g_hash_table_iter_next (&iter, &dict, NULL))
        wk_weak_table_scan (((WkWeakKeyDict *) dict)->table, scan_entry, &scan);
    }
  pthread_mutex_unlock (&gvalue_dicts_lock);
}

G_STATIC_ASSERT (sizeof (WkWeakKeyDictIter) >= sizeof (WkWeakTableIter));

static void
wk_weak_key_dict_finalize (GObject *object)
{
  WkWeakKeyDict *self = WK_WEAK_KEY_DICT (object);

  if (self->gvalues)
    gvalue_dicts_remove (self);
  g_clear_pointer (&self->table, wk_weak_table_free);

  G_OBJECT_CLASS (wk_weak_key_dict_parent_class)->finalize (object);
}

static void
wk_weak_key_dict_class_init (WkWeakKeyDictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wk_weak_key_dict_finalize;
}

static void free_gvalue (gpointer value);

/* g_object_new() alone (what bindings do for `Wk.WeakKeyDict()`) gives
 * the binding face; wk_weak_key_dict_new() swaps in its own table. */
static void
wk_weak_key_dict_init (WkWeakKeyDict *self)
{
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_KEYS, NULL, NULL, NULL, free_gvalue);
  self->gvalues = TRUE;
  gvalue_dicts_add (self);
}

/**
 * wk_weak_key_dict_new: (skip)
 * @value_destroy: (nullable): frees a value when its entry goes
 *
 * Creates a dict with `gpointer` values.
 *
 * Returns: (transfer full): a new, empty dict
 */
WkWeakKeyDict *
wk_weak_key_dict_new (GDestroyNotify value_destroy)
{
  WkWeakKeyDict *self = g_object_new (WK_TYPE_WEAK_KEY_DICT, NULL);

  gvalue_dicts_remove (self);
  wk_weak_table_free (self->table);
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_KEYS, NULL, NULL, NULL, value_destroy);
  self->gvalues = FALSE;
  return self;
}

static void
free_gvalue (gpointer value)
{
  g_boxed_free (G_TYPE_VALUE, value);
}

static gpointer
copy_gvalue (gpointer value)
{
  return g_boxed_copy (G_TYPE_VALUE, value);
}

/**
 * wk_weak_key_dict_new_for_values:
 *
 * Creates a dict whose values are [struct@GObject.Value]s. This is the dict that
 * bindings use, and what g_object_new() alone makes.
 *
 * Returns: (transfer full): a new, empty dict
 */
WkWeakKeyDict *
wk_weak_key_dict_new_for_values (void)
{
  return g_object_new (WK_TYPE_WEAK_KEY_DICT, NULL);
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
 * Returns: (nullable) (transfer none): the value of @key, borrowed:
 *   valid while the entry stays; %NULL if there is none
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
 * @value: (out) (optional): the value, borrowed
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

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, &keys, NULL);
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

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, NULL, &values);
  return values;
}

/* Moves a heap GValue into the caller's uninitialized @out (or drops it).
 * Without a value, @out holds a NULL pointer, which bindings read as
 * null/None rather than failing on an invalid GValue. */
static void
hand_over_gvalue (GValue *copy,
                  GValue *out)
{
  if (out != NULL)
    {
      if (copy != NULL)
        *out = *copy;   /* takes over the contents */
      else
        {
          g_value_init (out, G_TYPE_POINTER);
          g_value_set_pointer (out, NULL);
        }
    }
  else if (copy != NULL)
    g_value_unset (copy);
  g_free (copy);
}

/* The binding face needs a dict made for GValues. */
static gboolean
check_gvalues (WkWeakKeyDict *self,
               const char    *func)
{
  if (G_UNLIKELY (!WK_IS_WEAK_KEY_DICT (self)))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, func, "WK_IS_WEAK_KEY_DICT (self)");
      return FALSE;
    }
  if (G_UNLIKELY (!self->gvalues))
    {
      g_critical ("%s: this WkWeakKeyDict was not made with "
                  "wk_weak_key_dict_new_for_values()", func);
      return FALSE;
    }
  return TRUE;
}

/**
 * wk_weak_key_dict_insert_value: (rename-to wk_weak_key_dict_insert)
 * @self: a dict made with [ctor@Wk.WeakKeyDict.new_for_values]
 * @key: the key, held weakly
 * @value: the value, copied
 *
 * Maps @key to a copy of @value, replacing any value it had.
 */
void
wk_weak_key_dict_insert_value (WkWeakKeyDict *self,
                               GObject       *key,
                               const GValue  *value)
{
  if (!check_gvalues (self, G_STRFUNC))
    return;
  g_return_if_fail (G_IS_OBJECT (key));
  g_return_if_fail (G_IS_VALUE (value));

  wk_weak_table_insert (self->table, NULL, key, copy_gvalue ((gpointer) value), FALSE);
}

/**
 * wk_weak_key_dict_lookup_value: (rename-to wk_weak_key_dict_lookup)
 * @self: a dict made with [ctor@Wk.WeakKeyDict.new_for_values]
 * @key: a key
 * @value: (out caller-allocates) (optional): an uninitialized [struct@GObject.Value] that
 *   receives a copy of the value (a %NULL pointer if there is none)
 *
 * Looks up the value of @key. (An out [struct@GObject.Value] rather than a returned
 * one: PyGObject 3.42 never frees a returned [struct@GObject.Value].)
 *
 * Returns: whether @key has an entry
 */
gboolean
wk_weak_key_dict_lookup_value (WkWeakKeyDict *self,
                               GObject       *key,
                               GValue        *value)
{
  GValue *copy;
  gboolean found;

  if (!check_gvalues (self, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);
  g_return_val_if_fail (value == NULL || !G_IS_VALUE (value), FALSE);

  copy = wk_weak_table_lookup_value (self->table, key, copy_gvalue, &found);
  hand_over_gvalue (copy, value);
  return found;
}

/**
 * wk_weak_key_dict_steal_value: (rename-to wk_weak_key_dict_steal)
 * @self: a dict made with [ctor@Wk.WeakKeyDict.new_for_values]
 * @key: a key
 * @value: (out caller-allocates) (optional): an uninitialized [struct@GObject.Value] that
 *   receives the value (a %NULL pointer if there was none)
 *
 * Removes the entry of @key and hands over its value: what Python's
 * `dict.pop()` needs in one step.
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_key_dict_steal_value (WkWeakKeyDict *self,
                              GObject       *key,
                              GValue        *value)
{
  gpointer copy = NULL;
  gboolean found;

  if (!check_gvalues (self, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (G_IS_OBJECT (key), FALSE);
  g_return_val_if_fail (value == NULL || !G_IS_VALUE (value), FALSE);

  /* A copy, not the stored GValue: a snapshot in another thread may be
   * copying it at this moment. */
  found = wk_weak_table_pop (self->table, key, NULL, copy_gvalue, &copy);
  hand_over_gvalue (copy, value);
  return found;
}

/**
 * wk_weak_key_dict_dup_value:
 * @self: a dict made with [ctor@Wk.WeakKeyDict.new_for_values]
 * @key: a key
 *
 * Like [method@Wk.WeakKeyDict.lookup_value], returning a new [struct@GObject.Value].
 * This is the shape GJS 1.74 handles without a leak (it never unsets a
 * caller-allocated out [struct@GObject.Value]), while PyGObject 3.42 leaks this one and
 * not the other: each binding has the call it can use.
 *
 * Returns: (transfer full) (nullable): a copy of the value of @key, or
 *   %NULL if there is no entry
 */
GValue *
wk_weak_key_dict_dup_value (WkWeakKeyDict *self,
                            GObject       *key)
{
  if (!check_gvalues (self, G_STRFUNC))
    return NULL;
  g_return_val_if_fail (G_IS_OBJECT (key), NULL);

  return wk_weak_table_lookup_value (self->table, key, copy_gvalue, NULL);
}

/**
 * wk_weak_key_dict_pop_value:
 * @self: a dict made with [ctor@Wk.WeakKeyDict.new_for_values]
 * @key: a key
 *
 * Like [method@Wk.WeakKeyDict.steal_value], returning a new [struct@GObject.Value] (see
 * [method@Wk.WeakKeyDict.dup_value] for why both exist).
 *
 * Returns: (transfer full) (nullable): the value of @key, or %NULL if
 *   there was no entry
 */
GValue *
wk_weak_key_dict_pop_value (WkWeakKeyDict *self,
                            GObject       *key)
{
  gpointer copy = NULL;

  if (!check_gvalues (self, G_STRFUNC))
    return NULL;
  g_return_val_if_fail (G_IS_OBJECT (key), NULL);

  wk_weak_table_pop (self->table, key, NULL, copy_gvalue, &copy);
  return copy;
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
