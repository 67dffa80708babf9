/* wk-weak-value-dict-variant.c: the binding face of WkWeakValueDict
 * (GVariant keys, and strings for the bindings that have no GVariant)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "wk-weak-value-dict-private.h"
#include "wk-weak-value-dict-variant-private.h"

/* The hash of a GVariant, defined here from its type string and its value
 * as GVariant's documented accessors read it: never g_variant_hash(),
 * whose values are GLib's own business (a string probe must hash exactly
 * as the variant would), and never anything of GVariant's layout.
 * g_variant_equal() says equal only for the same type and the same value,
 * so equal variants hash alike; the hash is coarser than the equality only
 * where that is harmless (0.0 and -0.0, NaNs).
 *
 * - a basic value: mix (type, value) — strings, object paths and
 *   signatures by their bytes (g_str_hash), numbers by their value;
 * - a container: its type mixed with its children's hashes, in order (an
 *   empty container, or a maybe without a value: its type alone).
 *
 * Arrays of fixed-size basic elements are read with
 * g_variant_get_fixed_array(), never child by child: besides being faster,
 * GLib 2.84's g_variant_get_child_value() fails on small arrays made by
 * g_variant_new_bytestring() (`g_bytes_ref: assertion 'bytes != NULL'
 * failed`; GLib issue 3863, fixed in 2.87.2). */

#define WK_HASH_MIX(hash, value) ((guint) (hash) * 31u + (guint) (value))

static inline guint
hash_u64 (guint64 value)
{
  return (guint) (value ^ (value >> 32));
}

static inline guint
hash_double (double value)
{
  guint64 bits;

  if (value == 0.0)        /* 0.0 and -0.0 */
    return 0;
  if (value != value)      /* every NaN */
    return 0x7ff80000u;
  memcpy (&bits, &value, sizeof bits);
  return hash_u64 (bits);
}

static inline guint
hash_string_value (guint       type_hash,
                   const char *string)
{
  return WK_HASH_MIX (type_hash, g_str_hash (string));
}

/* The hash of a basic value of the one-letter type @code (whose type
 * string hashes to @type_hash), read from @data, an element of what
 * g_variant_get_fixed_array() hands out: the same as variant_hash() of
 * that element as a GVariant of its own. */
static guint
hash_fixed_element (char          code,
                    guint         type_hash,
                    gconstpointer data)
{
  switch (code)
    {
    case 'b':
      return WK_HASH_MIX (type_hash, *(const guint8 *) data != 0);
    case 'y':
      return WK_HASH_MIX (type_hash, *(const guint8 *) data);
    case 'n':
    case 'q':
      {
        guint16 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, code == 'n' ? (guint) (gint) (gint16) v : v);
      }
    case 'i':
    case 'u':
    case 'h':
      {
        guint32 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, v);
      }
    case 'x':
    case 't':
      {
        guint64 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, hash_u64 (v));
      }
    case 'd':
      {
        double v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, hash_double (v));
      }
    default:
      g_assert_not_reached ();
    }
}

/* The size of an element of an array of @code, when it is a fixed-size
 * basic type (g_variant_get_fixed_array() takes those); 0 otherwise. */
static gsize
fixed_element_size (char code)
{
  switch (code)
    {
    case 'b': case 'y':           return 1;
    case 'n': case 'q':           return 2;
    case 'i': case 'u': case 'h': return 4;
    case 'x': case 't': case 'd': return 8;
    default:                      return 0;
    }
}

/* variant_hash (g_variant_new_string (string)), without the GVariant:
 * for lookups with a string key. */
static guint
variant_string_hash (const char *string)
{
  return hash_string_value (g_str_hash ("s"), string);
}

static guint
variant_hash (gconstpointer data)
{
  GVariant *variant = (GVariant *) data;
  guint hash = g_str_hash (g_variant_get_type_string (variant));
  gsize i, n;

  switch (g_variant_classify (variant))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      return WK_HASH_MIX (hash, g_variant_get_boolean (variant) != FALSE);
    case G_VARIANT_CLASS_BYTE:
      return WK_HASH_MIX (hash, g_variant_get_byte (variant));
    case G_VARIANT_CLASS_INT16:
      return WK_HASH_MIX (hash, (gint) g_variant_get_int16 (variant));
    case G_VARIANT_CLASS_UINT16:
      return WK_HASH_MIX (hash, g_variant_get_uint16 (variant));
    case G_VARIANT_CLASS_INT32:
      return WK_HASH_MIX (hash, (guint32) g_variant_get_int32 (variant));
    case G_VARIANT_CLASS_UINT32:
      return WK_HASH_MIX (hash, g_variant_get_uint32 (variant));
    case G_VARIANT_CLASS_HANDLE:
      return WK_HASH_MIX (hash, (guint32) g_variant_get_handle (variant));
    case G_VARIANT_CLASS_INT64:
      return WK_HASH_MIX (hash, hash_u64 ((guint64) g_variant_get_int64 (variant)));
    case G_VARIANT_CLASS_UINT64:
      return WK_HASH_MIX (hash, hash_u64 (g_variant_get_uint64 (variant)));
    case G_VARIANT_CLASS_DOUBLE:
      return WK_HASH_MIX (hash, hash_double (g_variant_get_double (variant)));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return hash_string_value (hash, g_variant_get_string (variant, NULL));

    case G_VARIANT_CLASS_VARIANT:
      {
        GVariant *inner = g_variant_get_variant (variant);

        hash = WK_HASH_MIX (hash, variant_hash (inner));
        g_variant_unref (inner);
        return hash;
      }

    case G_VARIANT_CLASS_ARRAY:
      {
        char code = g_variant_get_type_string (variant)[1];
        gsize size = fixed_element_size (code);

        if (size != 0)
          {
            const char element_type[2] = { code, '\0' };
            guint element_hash = g_str_hash (element_type);
            const guint8 *elements = g_variant_get_fixed_array (variant, &n, size);

            for (i = 0; i < n; i++)
              hash = WK_HASH_MIX (hash, hash_fixed_element (code, element_hash, elements + i * size));
            return hash;
          }
      }
      G_GNUC_FALLTHROUGH;
    case G_VARIANT_CLASS_MAYBE:
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      n = g_variant_n_children (variant);
      for (i = 0; i < n; i++)
        {
          GVariant *child = g_variant_get_child_value (variant, i);

          hash = WK_HASH_MIX (hash, variant_hash (child));
          g_variant_unref (child);
        }
      return hash;
    }
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
 * (variant_hash() defines it for every GVariant from its type string
 * and its value as the accessors read it, and variant_string_hash()
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

  return string != NULL ? variant_string_hash (string) : variant_hash (key);
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
WkWeakTable *
_wk_weak_value_dict_variant_table_new (void)
{
  return wk_weak_table_new (WK_WEAK_TABLE_WEAK_VALUES, variant_key_hash, variant_key_equal,
                            (GDestroyNotify) g_variant_unref, NULL);
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
