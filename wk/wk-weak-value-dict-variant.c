/* wk-weak-value-dict-variant.c: the binding face of WkWeakValueDict
 * (GVariant keys, and strings for the bindings that have no GVariant)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "wk-weak-value-dict-private.h"
#include "wk-weak-value-dict-variant-private.h"

/* The keys of the binding face
 *
 * A key stands for a GVariant, but what the table stores for it is a
 * KeyBlob: the key's type string and its serialised bytes in normal form,
 * in one allocation, with its hash. What the table looks up with is a
 * KeyProbe: the same three things on the caller's stack, pointing at the
 * string a _string call was given (whose bytes are those of the 's' it
 * stands for, NUL included) or at a GVariant's bytes stored in a buffer.
 * The two share one pointer type, told apart by the low bits (both are
 * aligned): 1 a probe, 2 a blob. A GVariant never reaches the table, and
 * a key leaves it as a GVariant made from its blob: a new one for the
 * face's snapshots (copy_variant()), and for the C calls that hand out
 * borrowed keys (the iterators, foreach, get_keys) one made at the first
 * such call and kept with the blob (blob_expose()).
 *
 * Two keys are equal when their type strings and their bytes are: that
 * is g_variant_equal()'s equality, which for trusted values compares the
 * serialised bytes, and for others their values (hence the normal form).
 * The hash is over the same type string and bytes, so equal keys hash
 * alike, and a string hashes and compares as its 's' without one being
 * made. Everything rests on GVariant's documented serialisation format,
 * written by g_variant_store() and read by g_variant_new_from_bytes():
 * never on g_variant_hash(), whose values are GLib's business, nor on any
 * of GVariant's layout.
 *
 * Why not keep the GVariants: a GVariant's bytes are a pointer or two away
 * from it (more for a tuple's children), g_variant_equal() serialises both
 * sides, and g_variant_new_string() makes three blocks. In a table of
 * 10^5 keys a lookup then misses the cache at every hop, and a removal
 * frees three blocks or more; a blob is one read and one free. */

typedef struct
{
  const char   *type;
  const guint8 *data;
  gsize         size;
  guint8       *heap;      /* data, when it did not fit the stack buffer */
  GVariant     *normal;    /* what data was stored from */
} KeyProbe;

typedef struct
{
  GVariant *variant;     /* (atomic) (owned) (nullable) the key as the C
                          * calls that borrow keys hand it out, made the
                          * first time one does (blob_expose()) */
  guint32 hash;
  guint32 size;          /* of the serialised value */
  guint32 type_length;   /* then the type string and its NUL, then the
                          * value at the next multiple of 8 */
  char    type[];
} KeyBlob;

#define KEY_PROBE   ((guintptr) 1)
#define KEY_BLOB    ((guintptr) 2)
#define KEY_TAGS    ((guintptr) 3)

/* Room on the stack for a probe's bytes: keys longer than this take an
 * allocation. */
#define PROBE_STACK_BYTES 256

typedef union
{
  guint64 align;
  guint8  bytes[PROBE_STACK_BYTES];
} ProbeBuffer;

/* FNV-1a over the type string, its NUL and the bytes. */
static guint32
key_hash_bytes (const char   *type,
                const guint8 *data,
                gsize         size)
{
  guint32 hash = 2166136261u;
  gsize i;

  for (; *type != '\0'; type++)
    hash = (hash ^ (guint8) *type) * 16777619u;
  hash *= 16777619u;
  for (i = 0; i < size; i++)
    hash = (hash ^ data[i]) * 16777619u;
  return hash;
}

static inline gsize
blob_data_offset (gsize type_length)
{
  return (G_STRUCT_OFFSET (KeyBlob, type) + type_length + 1 + 7) & ~(gsize) 7;
}

static inline const guint8 *
blob_data (const KeyBlob *blob)
{
  return (const guint8 *) blob + blob_data_offset (blob->type_length);
}

/* GLib keeps the type information of a container type (alignments,
 * members) only while a GVariant of the type lives, and builds it anew,
 * under its global type lock, for the next one. A stored key used to be
 * such a GVariant; a blob is not, so a binding that makes a probe of the
 * same tuple type for every lookup would have GLib rebuild that type's
 * information every time. The first stored key of each container type
 * therefore keeps an empty GVariant of its type, for the process's life,
 * up to KEPT_TYPES types. (Basic types' information is static in GLib.) */
#define KEPT_TYPES 256

static void
keep_type_info (GVariant *normal)
{
  static GHashTable *kept;   /* type string (the variant's) -> GVariant */
  G_LOCK_DEFINE_STATIC (kept);
  const char *type = g_variant_get_type_string (normal);

  if (type[0] == '\0' || type[1] == '\0')
    return;
  G_LOCK (kept);
  if (kept == NULL)
    kept = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_hash_table_size (kept) < KEPT_TYPES && !g_hash_table_contains (kept, type))
    {
      GVariant *empty = g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (normal),
                                                                     "", 0, FALSE, NULL, NULL));

      g_hash_table_insert (kept, (gpointer) g_variant_get_type_string (empty), empty);
    }
  G_UNLOCK (kept);
}

/* A new (sunk) trusted GVariant of @type over a copy of @size bytes
 * @data, serialised in normal form. */
static GVariant *
variant_over_copy (const GVariantType *type,
                   gconstpointer       data,
                   gsize               size)
{
  GBytes *bytes = g_bytes_new (data, size);
  GVariant *variant = g_variant_new_from_bytes (type, bytes, TRUE);

  g_bytes_unref (bytes);
  return g_variant_ref_sink (variant);
}

/* The stored key of @probe's bytes; NULL (after a critical) for a value
 * too large for a blob. */
static gpointer
blob_key_new (const KeyProbe *probe)
{
  gsize type_length = strlen (probe->type);
  KeyBlob *blob;

  g_return_val_if_fail (probe->size <= G_MAXUINT32, NULL);
  blob = g_malloc (blob_data_offset (type_length) + probe->size);
  blob->variant = NULL;
  blob->hash = key_hash_bytes (probe->type, probe->data, probe->size);
  blob->size = (guint32) probe->size;
  blob->type_length = (guint32) type_length;
  memcpy (blob->type, probe->type, type_length + 1);
  if (probe->size > 0)
    memcpy ((guint8 *) blob_data (blob), probe->data, probe->size);
  if (probe->normal != NULL)
    {
      keep_type_info (probe->normal);
      /* GLib builds values nested deeper than it takes type strings for
       * (128 levels): such a key could not be made again from its type
       * string, so the blob keeps a value of it, to hand out, made with
       * the caller's GVariant's type over a copy of the bytes (the
       * caller's may live in memory of its own). */
      if (G_UNLIKELY (!g_variant_type_string_is_valid (probe->type)))
        blob->variant = variant_over_copy (g_variant_get_type (probe->normal),
                                           probe->data, probe->size);
    }
  return (gpointer) ((guintptr) blob | KEY_BLOB);
}

static inline const KeyBlob *
key_blob (gconstpointer key)
{
  return (const KeyBlob *) ((guintptr) key & ~KEY_TAGS);
}

static inline const KeyProbe *
key_probe (gconstpointer key)
{
  return (const KeyProbe *) ((guintptr) key & ~KEY_TAGS);
}

/* A probe for the string @string of @length bytes: the bytes of its 's'
 * are its own, NUL included. */
static void
probe_init_string (KeyProbe   *probe,
                   const char *string,
                   gsize       length)
{
  probe->type = "s";
  probe->data = (const guint8 *) string;
  probe->size = length + 1;
  probe->heap = NULL;
  probe->normal = NULL;
}

/* A probe for @variant (a reference is held until probe_clear()). */
static void
probe_init_variant (KeyProbe    *probe,
                    GVariant    *variant,
                    ProbeBuffer *buffer)
{
  GVariant *normal = g_variant_get_normal_form (variant);
  gsize size = g_variant_get_size (normal);
  guint8 *data;

  probe->normal = normal;
  probe->type = g_variant_get_type_string (normal);
  probe->size = size;
  probe->heap = size > sizeof buffer->bytes ? g_malloc (size) : NULL;
  data = probe->heap != NULL ? probe->heap : buffer->bytes;
  g_variant_store (normal, data);
  probe->data = data;
}

static void
probe_clear (KeyProbe *probe)
{
  g_free (probe->heap);
  g_clear_pointer (&probe->normal, g_variant_unref);
}

static inline gconstpointer
probe_key (const KeyProbe *probe)
{
  return (gconstpointer) ((guintptr) probe | KEY_PROBE);
}

static guint
variant_key_hash (gconstpointer key)
{
  const KeyProbe *probe;

  if ((guintptr) key & KEY_BLOB)
    return key_blob (key)->hash;
  probe = key_probe (key);
  return key_hash_bytes (probe->type, probe->data, probe->size);
}

static inline void
key_bytes (gconstpointer   key,
           const char    **type,
           const guint8  **data,
           gsize          *size)
{
  if ((guintptr) key & KEY_BLOB)
    {
      const KeyBlob *blob = key_blob (key);

      *type = blob->type;
      *data = blob_data (blob);
      *size = blob->size;
    }
  else
    {
      const KeyProbe *probe = key_probe (key);

      *type = probe->type;
      *data = probe->data;
      *size = probe->size;
    }
}

static gboolean
variant_key_equal (gconstpointer a,
                   gconstpointer b)
{
  const char *ta, *tb;
  const guint8 *da, *db;
  gsize sa, sb;

  key_bytes (a, &ta, &da, &sa);
  key_bytes (b, &tb, &db, &sb);
  return sa == sb && strcmp (ta, tb) == 0 && (sa == 0 || memcmp (da, db, sa) == 0);
}

static void
variant_key_free (gpointer key)
{
  KeyBlob *blob = (KeyBlob *) key_blob (key);

  g_clear_pointer (&blob->variant, g_variant_unref);
  g_free (blob);
}

/* A new GVariant of @blob's value, over a copy of its bytes. */
static GVariant *
blob_to_variant (const KeyBlob *blob)
{
  return variant_over_copy (G_VARIANT_TYPE (blob->type), blob_data (blob), blob->size);
}

/* The stored key as the C calls that borrow keys (the iterators,
 * foreach, get_keys) hand it out: a GVariant, as the face's keys are,
 * made once and kept with the blob, so that it stays valid while the
 * entry stays in the dict. */
static gpointer
blob_expose (gpointer key)
{
  KeyBlob *blob = (KeyBlob *) key_blob (key);
  GVariant *variant = __atomic_load_n (&blob->variant, __ATOMIC_ACQUIRE), *made;

  if (variant != NULL)
    return variant;
  made = blob_to_variant (blob);
  if (__atomic_compare_exchange_n (&blob->variant, &variant, made, FALSE,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return made;
  g_variant_unref (made);
  return variant;
}

/* g_object_new() alone (what bindings do for `Wk.WeakValueDict()`) gives
 * the binding face; wk_weak_value_dict_new() swaps in its own table. */
WkWeakTable *
_wk_weak_value_dict_variant_table_new (void)
{
  WkWeakTable *table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_VALUES, variant_key_hash,
                                          variant_key_equal, variant_key_free, NULL);

  wk_weak_table_set_key_expose (table, blob_expose);
  /* Equal keys are the same bytes: a replacement keeps the stored blob
   * (and the GVariant a borrowing call may hold of it). */
  wk_weak_table_set_keep_keys (table, TRUE);
  return table;
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

/* The probe of @key, for the _variant calls: sinks a floating @key, as
 * they all do. Call probe_clear() after a TRUE return. */
static gboolean
check_variant_key (WkWeakValueDict *self,
                   GVariant        *key,
                   KeyProbe        *probe,
                   ProbeBuffer     *buffer,
                   const char      *func)
{
  if (!check_variants (self, key, func))
    return FALSE;
  if (G_UNLIKELY (key == NULL))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, func, "key != NULL");
      return FALSE;
    }
  g_variant_ref_sink (key);
  probe_init_variant (probe, key, buffer);
  g_variant_unref (key);
  return TRUE;
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
  ProbeBuffer buffer;
  KeyProbe probe;

  if (!check_variant_key (self, key, &probe, &buffer, G_STRFUNC))
    return;
  if (G_LIKELY (G_IS_OBJECT (value)))
    {
      gpointer stored = blob_key_new (&probe);

      if (stored != NULL)
        wk_weak_table_insert (self->table, stored, value, NULL, FALSE);
    }
  else
    g_return_if_fail_warning (G_LOG_DOMAIN, G_STRFUNC, "G_IS_OBJECT (value)");
  probe_clear (&probe);
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
  ProbeBuffer buffer;
  KeyProbe probe;
  GObject *value;

  if (!check_variant_key (self, key, &probe, &buffer, G_STRFUNC))
    return NULL;
  value = wk_weak_table_dup_object (self->table, probe_key (&probe));
  probe_clear (&probe);
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
  ProbeBuffer buffer;
  KeyProbe probe;
  gboolean contains;

  if (!check_variant_key (self, key, &probe, &buffer, G_STRFUNC))
    return FALSE;
  contains = wk_weak_table_contains (self->table, probe_key (&probe));
  probe_clear (&probe);
  return contains;
}

/**
 * wk_weak_value_dict_remove_variant: (rename-to wk_weak_value_dict_remove)
 * @self: a dict made with [ctor@Wk.WeakValueDict.new_for_variants]
 * @key: a key
 *
 * Removes the entry of @key (its stored key is freed at the end of the
 * iteration if one is running).
 *
 * Returns: whether there was an entry
 */
gboolean
wk_weak_value_dict_remove_variant (WkWeakValueDict *self,
                                   GVariant        *key)
{
  ProbeBuffer buffer;
  KeyProbe probe;
  gboolean removed;

  if (!check_variant_key (self, key, &probe, &buffer, G_STRFUNC))
    return FALSE;
  removed = wk_weak_table_remove (self->table, probe_key (&probe));
  probe_clear (&probe);
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
  ProbeBuffer buffer;
  KeyProbe probe;
  gpointer value = NULL;

  if (!check_variant_key (self, key, &probe, &buffer, G_STRFUNC))
    return NULL;
  wk_weak_table_pop (self->table, probe_key (&probe), &value, NULL, NULL);
  probe_clear (&probe);
  return value;
}

/* The string keys of the binding face: what the _variant calls do with
 * the key g_variant_new_string (@key), without a GVariant (see
 * KeyProbe). Fills in @probe for a valid key. */
static gboolean
check_string_key (WkWeakValueDict *self,
                  const char      *key,
                  KeyProbe        *probe,
                  const char      *func)
{
  const char *end;

  if (!check_variants (self, NULL, func))
    return FALSE;
  if (G_UNLIKELY (key == NULL))
    g_return_if_fail_warning (G_LOG_DOMAIN, func, "key != NULL");
  else if (G_UNLIKELY (!g_utf8_validate (key, -1, &end)))
    g_return_if_fail_warning (G_LOG_DOMAIN, func, "g_utf8_validate (key, -1, NULL)");
  else
    {
      probe_init_string (probe, key, end - key);
      return TRUE;
    }
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
  KeyProbe probe;

  if (!check_string_key (self, key, &probe, G_STRFUNC))
    return;
  g_return_if_fail (G_IS_OBJECT (value));

  wk_weak_table_insert (self->table, blob_key_new (&probe), value, NULL, FALSE);
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
  KeyProbe probe;

  if (!check_string_key (self, key, &probe, G_STRFUNC))
    return NULL;

  return wk_weak_table_dup_object (self->table, probe_key (&probe));
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
  KeyProbe probe;

  if (!check_string_key (self, key, &probe, G_STRFUNC))
    return FALSE;

  return wk_weak_table_contains (self->table, probe_key (&probe));
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
  KeyProbe probe;

  if (!check_string_key (self, key, &probe, G_STRFUNC))
    return FALSE;

  return wk_weak_table_remove (self->table, probe_key (&probe));
}

/* A stored key as the face's own snapshots hand it out: a new reference
 * to a GVariant of it (the one a borrowing call made, if any; else a new
 * one, not kept, so that a binding's iterations do not keep a GVariant
 * per key). */
static gpointer
copy_variant (gpointer key)
{
  const KeyBlob *blob = key_blob (key);
  GVariant *variant = __atomic_load_n (&blob->variant, __ATOMIC_ACQUIRE);

  return variant != NULL ? g_variant_ref (variant) : blob_to_variant (blob);
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

  wk_weak_table_snapshot (self->table, copy_variant, (GDestroyNotify) g_variant_unref, NULL,
                          &keys, NULL, NULL);
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

  wk_weak_table_snapshot (self->table, copy_variant, (GDestroyNotify) g_variant_unref, NULL,
                          keys, values, NULL);
}
