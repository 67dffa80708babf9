/* wk-weak-value-dict.c: a hash table whose values are weak
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
 * the plain names (`insert`, `lookup`, ...).
 *
 * ## Threads
 *
 * Every call locks the dict, and values may die in any thread. Several
 * threads may call it at once; no lock is held while user code runs
 * (destroy notifies, foreach callbacks, value unrefs).
 *
 * ## Iteration
 *
 * [struct@Wk.WeakValueDictIter] and [method@Wk.WeakValueDict.foreach]
 * stay valid while values die or entries are removed during the
 * iteration, from the loop body or from other threads, and never hand
 * out a dead entry: the value they hand out is kept alive until the next
 * step. Entries that leave during an iteration keep their keys until the
 * last iteration ends, when their destroy notifies run. Adding a *new*
 * key during an iteration is refused with a critical (it would resize the
 * table); replacing the value of a present key is fine. An iteration
 * ends when `next` returns %FALSE, or with
 * [method@Wk.WeakValueDictIter.finish].
 */

#include "config.h"

#include <string.h>

#include "wk-weak-value-dict.h"
#include "wk-weak-table-private.h"

struct _WkWeakValueDict
{
  GObject       parent_instance;
  WkWeakTable  *table;
  gboolean      variants;
};

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

/* The keys of the binding face are GVariants, but a string the _string
 * calls look up stays a string: it goes in as a tagged pointer to a
 * StringProbe (a GVariant pointer is aligned, so its low bit is clear),
 * which hashes and compares as g_variant_new_string() of it would, and
 * costs no GVariant (making one is most of such a lookup in C, and more
 * than all of it in PyGObject). A probe is only ever looked up with, never
 * stored.
 *
 * Both sides rest on documented GVariant API only: the hash is Wk's own
 * (wk_variant_hash() defines it for every GVariant from its type string
 * and its value as the accessors read it, and wk_variant_string_hash()
 * computes the same for an 's' from the string's bytes, never asking
 * g_variant_hash() what it returns for a string), and a probe equals a
 * variant of type 's' whose g_variant_get_string() is the same string,
 * which is what g_variant_equal() says of g_variant_new_string(). */
typedef struct
{
  const char *string;
} StringProbe;

static inline const char *
probe_string (gconstpointer key)
{
  if (((guintptr) key & 1) == 0)
    return NULL;
  return ((const StringProbe *) ((guintptr) key & ~(guintptr) 1))->string;
}

static inline gconstpointer
string_probe_key (const StringProbe *probe)
{
  return (gconstpointer) ((guintptr) probe | 1);
}

static guint
variant_key_hash (gconstpointer key)
{
  const char *string = probe_string (key);

  return string != NULL ? wk_variant_string_hash (string) : wk_variant_hash (key);
}

static gboolean
variant_key_equal (gconstpointer a,
                   gconstpointer b)
{
  const char *sa = probe_string (a), *sb = probe_string (b);
  GVariant *variant;

  if (sa == NULL && sb == NULL)
    return g_variant_equal (a, b);
  if (sa != NULL && sb != NULL)
    return strcmp (sa, sb) == 0;
  variant = (GVariant *) (sa != NULL ? b : a);
  return g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING) &&
         strcmp (g_variant_get_string (variant, NULL), sa != NULL ? sa : sb) == 0;
}

/* g_object_new() alone (what bindings do for `Wk.WeakValueDict()`) gives
 * the binding face; wk_weak_value_dict_new() swaps in its own table. */
static WkWeakTable *
variant_table_new (void)
{
  return wk_weak_table_new (WK_WEAK_TABLE_WEAK_VALUES, variant_key_hash, variant_key_equal,
                            (GDestroyNotify) g_variant_unref, NULL);
}

static void
wk_weak_value_dict_init (WkWeakValueDict *self)
{
  self->table = variant_table_new ();
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

  wk_weak_table_snapshot (self->table, NULL, NULL, &keys, NULL, NULL);
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

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, &values, NULL);
  return values;
}

/* The binding face needs a dict made for variants. On failure a floating
 * @key is consumed all the same, as on success. */
static gboolean
check_variants (WkWeakValueDict *self,
                GVariant        *key,
                const char      *func)
{
  if (G_UNLIKELY (!WK_IS_WEAK_VALUE_DICT (self)))
    g_return_if_fail_warning (G_LOG_DOMAIN, func, "WK_IS_WEAK_VALUE_DICT (self)");
  else if (G_UNLIKELY (!self->variants))
    g_critical ("%s: this WkWeakValueDict was not made with "
                "wk_weak_value_dict_new_for_variants()", func);
  else
    return TRUE;

  if (key != NULL && g_variant_is_floating (key))
    g_variant_unref (g_variant_ref_sink (key));
  return FALSE;
}

/**
 * wk_weak_value_dict_insert_variant: (rename-to wk_weak_value_dict_insert)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: the key (a floating reference is sunk)
 * @value: the value, held weakly
 *
 * Maps @key to @value, replacing any entry with an equal key.
 */
void
wk_weak_value_dict_insert_variant (WkWeakValueDict *self,
                                   GVariant        *key,
                                   GObject         *value)
{
  if (!check_variants (self, key, G_STRFUNC))
    return;
  g_return_if_fail (key != NULL);
  g_return_if_fail (G_IS_OBJECT (value));

  wk_weak_table_insert (self->table, g_variant_ref_sink (key), value, NULL, FALSE);
}

/**
 * wk_weak_value_dict_lookup_variant: (rename-to wk_weak_value_dict_lookup)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a key
 *
 * Looks up the value of @key, as [method@Wk.WeakValueDict.lookup] does
 * for the C face.
 *
 * Returns: (transfer full) (nullable): the value of @key, or %NULL if
 *   there is none or it has started to die
 */
GObject *
wk_weak_value_dict_lookup_variant (WkWeakValueDict *self,
                                   GVariant        *key)
{
  GObject *value;

  if (!check_variants (self, key, G_STRFUNC))
    return NULL;
  g_return_val_if_fail (key != NULL, NULL);

  g_variant_ref_sink (key);
  value = wk_weak_table_dup_object (self->table, key);
  g_variant_unref (key);
  return value;
}

/**
 * wk_weak_value_dict_contains_variant: (rename-to wk_weak_value_dict_contains)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a key
 *
 * Tells whether @key maps to a value that is alive.
 *
 * Returns: whether @key maps to a live value
 */
gboolean
wk_weak_value_dict_contains_variant (WkWeakValueDict *self,
                                     GVariant        *key)
{
  gboolean contains;

  if (!check_variants (self, key, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (key != NULL, FALSE);

  g_variant_ref_sink (key);
  contains = wk_weak_table_contains (self->table, key);
  g_variant_unref (key);
  return contains;
}

/**
 * wk_weak_value_dict_remove_variant: (rename-to wk_weak_value_dict_remove)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a key
 *
 * Removes the entry of @key; the dict drops its reference on the key (at
 * the end of the iteration if one is running).
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_value_dict_remove_variant (WkWeakValueDict *self,
                                   GVariant        *key)
{
  gboolean removed;

  if (!check_variants (self, key, G_STRFUNC))
    return FALSE;
  g_return_val_if_fail (key != NULL, FALSE);

  g_variant_ref_sink (key);
  removed = wk_weak_table_remove (self->table, key);
  g_variant_unref (key);
  return removed;
}

/**
 * wk_weak_value_dict_steal_variant: (rename-to wk_weak_value_dict_steal)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a key
 *
 * Removes the entry of @key and returns its value: what Python's
 * `dict.pop()` needs in one step.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if there was
 *   no entry or its value has started to die
 */
GObject *
wk_weak_value_dict_steal_variant (WkWeakValueDict *self,
                                  GVariant        *key)
{
  gpointer value = NULL;

  if (!check_variants (self, key, G_STRFUNC))
    return NULL;
  g_return_val_if_fail (key != NULL, NULL);

  g_variant_ref_sink (key);
  wk_weak_table_pop (self->table, key, &value, NULL, NULL);
  g_variant_unref (key);
  return value;
}

/* The string keys of the binding face: what the _variant calls do with
 * the key g_variant_new_string (@key), without a GVariant for the lookups
 * (see StringProbe). */
static gboolean
check_string_key (WkWeakValueDict *self,
                  const char      *key,
                  const char      *func)
{
  if (!check_variants (self, NULL, func))
    return FALSE;
  if (G_UNLIKELY (key == NULL))
    g_return_if_fail_warning (G_LOG_DOMAIN, func, "key != NULL");
  else if (G_UNLIKELY (!g_utf8_validate (key, -1, NULL)))
    g_return_if_fail_warning (G_LOG_DOMAIN, func, "g_utf8_validate (key, -1, NULL)");
  else
    return TRUE;
  return FALSE;
}

/**
 * wk_weak_value_dict_insert_string:
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: the key, a UTF-8 string
 * @value: the value, held weakly
 *
 * Maps the key `g_variant_new_string (key)` to @value, as
 * [method@Wk.WeakValueDict.insert_variant] would: for bindings, which can
 * pass a string key without making a GVariant first.
 */
void
wk_weak_value_dict_insert_string (WkWeakValueDict *self,
                                  const char      *key,
                                  GObject         *value)
{
  if (!check_string_key (self, key, G_STRFUNC))
    return;
  g_return_if_fail (G_IS_OBJECT (value));

  wk_weak_table_insert (self->table, g_variant_ref_sink (g_variant_new_string (key)), value,
                        NULL, FALSE);
}

/**
 * wk_weak_value_dict_lookup_string:
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a UTF-8 string
 *
 * Looks up the value of the key `g_variant_new_string (key)`, as
 * [method@Wk.WeakValueDict.lookup_variant] would.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if there is
 *   none or it has started to die
 */
GObject *
wk_weak_value_dict_lookup_string (WkWeakValueDict *self,
                                  const char      *key)
{
  StringProbe probe = { key };

  if (!check_string_key (self, key, G_STRFUNC))
    return NULL;

  return wk_weak_table_dup_object (self->table, string_probe_key (&probe));
}

/**
 * wk_weak_value_dict_contains_string:
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a UTF-8 string
 *
 * Tells whether the key `g_variant_new_string (key)` maps to a value that
 * is alive.
 *
 * Returns: whether it does
 */
gboolean
wk_weak_value_dict_contains_string (WkWeakValueDict *self,
                                    const char      *key)
{
  StringProbe probe = { key };

  if (!check_string_key (self, key, G_STRFUNC))
    return FALSE;

  return wk_weak_table_contains (self->table, string_probe_key (&probe));
}

/**
 * wk_weak_value_dict_remove_string:
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a UTF-8 string
 *
 * Removes the entry of the key `g_variant_new_string (key)`, as
 * [method@Wk.WeakValueDict.remove_variant] would.
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_value_dict_remove_string (WkWeakValueDict *self,
                                  const char      *key)
{
  StringProbe probe = { key };

  if (!check_string_key (self, key, G_STRFUNC))
    return FALSE;

  return wk_weak_table_remove (self->table, string_probe_key (&probe));
}

static gpointer
copy_variant (gpointer variant)
{
  return g_variant_ref (variant);
}

/**
 * wk_weak_value_dict_get_variant_keys: (rename-to wk_weak_value_dict_get_keys)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 *
 * Takes a snapshot of the keys of the entries whose values live.
 *
 * Returns: (transfer full) (element-type GVariant): the keys of the live
 *   entries, one reference each; the array has no element free function
 */
GPtrArray *
wk_weak_value_dict_get_variant_keys (WkWeakValueDict *self)
{
  GPtrArray *keys;

  if (!check_variants (self, NULL, G_STRFUNC))
    return NULL;

  wk_weak_table_snapshot (self->table, copy_variant, NULL, &keys, NULL, NULL);
  return keys;
}

/**
 * wk_weak_value_dict_get_variant_items:
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @keys: (out) (transfer full) (element-type GVariant): the keys
 * @values: (out) (transfer full) (element-type GObject.Object): their
 *   values, in the same order
 *
 * Takes a snapshot of the live entries, as two arrays of the same length.
 * Neither array has an element free function.
 */
void
wk_weak_value_dict_get_variant_items (WkWeakValueDict  *self,
                                      GPtrArray       **keys,
                                      GPtrArray       **values)
{
  g_return_if_fail (keys != NULL && values != NULL);
  *keys = *values = NULL;
  if (!check_variants (self, NULL, G_STRFUNC))
    return;

  wk_weak_table_snapshot (self->table, copy_variant, NULL, keys, values, NULL);
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
