/* wk-weak-value-dict.h: a hash table whose values are weak
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

#include "wk-version-macros.h"

G_BEGIN_DECLS

#define WK_TYPE_WEAK_VALUE_DICT (wk_weak_value_dict_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkWeakValueDict, wk_weak_value_dict, WK, WEAK_VALUE_DICT, GObject)

typedef struct _WkWeakValueDictIter WkWeakValueDictIter;

/**
 * WkWeakValueDictIter:
 *
 * An iterator over a [class@Wk.WeakValueDict], used like [struct@GLib.HashTableIter].
 * C only.
 */
struct _WkWeakValueDictIter
{
  /*< private >*/
  gpointer _wk_private[10];
};

/**
 * WkWeakValueDictForeachFunc:
 * @key: a key
 * @value: (type GObject.Object): its value, alive for the call
 * @user_data: the data given to [method@Wk.WeakValueDict.foreach]
 *
 * Called for each live entry by [method@Wk.WeakValueDict.foreach].
 */
typedef void (*WkWeakValueDictForeachFunc) (gpointer key,
                                            gpointer value,
                                            gpointer user_data);

WK_AVAILABLE_IN_0_1
WkWeakValueDict *wk_weak_value_dict_new              (GHashFunc        hash_func,
                                                      GEqualFunc       key_equal_func,
                                                      GDestroyNotify   key_destroy_func);
WK_AVAILABLE_IN_0_1
WkWeakValueDict *wk_weak_value_dict_new_for_variants (void);

WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_insert        (WkWeakValueDict  *self,
                                             gpointer          key,
                                             gpointer          value);
WK_AVAILABLE_IN_0_1
gpointer   wk_weak_value_dict_lookup        (WkWeakValueDict  *self,
                                             gconstpointer     key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_contains      (WkWeakValueDict  *self,
                                             gconstpointer     key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_remove        (WkWeakValueDict  *self,
                                             gconstpointer     key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_steal         (WkWeakValueDict  *self,
                                             gconstpointer     key,
                                             gpointer         *stolen_key,
                                             gpointer         *value);
WK_AVAILABLE_IN_0_1
guint      wk_weak_value_dict_get_size      (WkWeakValueDict  *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_remove_all    (WkWeakValueDict  *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_foreach       (WkWeakValueDict            *self,
                                             WkWeakValueDictForeachFunc  func,
                                             gpointer                    user_data);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_value_dict_get_keys      (WkWeakValueDict  *self);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_value_dict_get_values    (WkWeakValueDict  *self);

WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_insert_variant   (WkWeakValueDict  *self,
                                                GVariant         *key,
                                                GObject          *value);
WK_AVAILABLE_IN_0_1
GObject   *wk_weak_value_dict_lookup_variant   (WkWeakValueDict  *self,
                                                GVariant         *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_contains_variant (WkWeakValueDict  *self,
                                                GVariant         *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_remove_variant   (WkWeakValueDict  *self,
                                                GVariant         *key);
WK_AVAILABLE_IN_0_1
GObject   *wk_weak_value_dict_steal_variant    (WkWeakValueDict  *self,
                                                GVariant         *key);
WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_insert_string    (WkWeakValueDict  *self,
                                                const char       *key,
                                                GObject          *value);
WK_AVAILABLE_IN_0_1
GObject   *wk_weak_value_dict_lookup_string    (WkWeakValueDict  *self,
                                                const char       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_contains_string  (WkWeakValueDict  *self,
                                                const char       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_remove_string    (WkWeakValueDict  *self,
                                                const char       *key);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_value_dict_get_variant_keys (WkWeakValueDict  *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_get_variant_items (WkWeakValueDict  *self,
                                                 GPtrArray       **keys,
                                                 GPtrArray       **values);

WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_iter_init     (WkWeakValueDictIter  *iter,
                                             WkWeakValueDict      *dict);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_value_dict_iter_next     (WkWeakValueDictIter  *iter,
                                             gpointer             *key,
                                             gpointer             *value);
WK_AVAILABLE_IN_0_1
void       wk_weak_value_dict_iter_finish   (WkWeakValueDictIter  *iter);

G_END_DECLS
