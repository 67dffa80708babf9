/* wk-weak-key-dict-value.c: the binding face of WkWeakKeyDict (GValue
 * values), and its part in the cycle collector's ephemerons
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "wk-weak-key-dict-private.h"
#include "wk-weak-key-dict-value-private.h"
#include "wk-gc-collect-private.h"

/* The dicts with GValue values are the collector's ephemeron sources: a
 * value object is reachable through its entry only if its key is. */
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

static void
scan_ephemerons (gpointer        dict,
                 WkEphemeronFunc func,
                 gpointer        user_data)
{
  EphemeronScan scan = { func, user_data };

  wk_weak_table_scan (((WkWeakKeyDict *) dict)->table, scan_entry, &scan);
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

void
_wk_weak_key_dict_values_init (WkWeakKeyDict *self)
{
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_KEYS, NULL, NULL, NULL, free_gvalue);
  self->value_copy = copy_gvalue;
  self->gvalues = TRUE;
  _wk_gc_register_ephemeron_source (scan_ephemerons, self);
}

void
_wk_weak_key_dict_values_leave (WkWeakKeyDict *self)
{
  _wk_gc_unregister_ephemeron_source (scan_ephemerons, self);
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
