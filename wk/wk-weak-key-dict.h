/* wk-weak-key-dict.h: a hash table whose keys are weak
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

#define WK_TYPE_WEAK_KEY_DICT (wk_weak_key_dict_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkWeakKeyDict, wk_weak_key_dict, WK, WEAK_KEY_DICT, GObject)

typedef struct _WkWeakKeyDictIter WkWeakKeyDictIter;

/**
 * WkWeakKeyDictIter:
 *
 * An iterator over a [class@Wk.WeakKeyDict], used like [struct@GLib.HashTableIter].
 * C only.
 */
struct _WkWeakKeyDictIter
{
  /*< private >*/
  gpointer _wk_private[10];
};

/**
 * WkWeakKeyDictForeachFunc:
 * @key: a key, alive for the call
 * @value: its value
 * @user_data: the data given to [method@Wk.WeakKeyDict.foreach]
 *
 * Called for each live entry by [method@Wk.WeakKeyDict.foreach].
 */
typedef void (*WkWeakKeyDictForeachFunc) (GObject  *key,
                                          gpointer  value,
                                          gpointer  user_data);

WK_AVAILABLE_IN_0_1
WkWeakKeyDict *wk_weak_key_dict_new            (GDestroyNotify  value_destroy);
WK_AVAILABLE_IN_0_1
WkWeakKeyDict *wk_weak_key_dict_new_for_values (void);
WK_AVAILABLE_IN_0_2
WkWeakKeyDict *wk_weak_key_dict_new_full       (GBoxedCopyFunc  value_copy,
                                                GDestroyNotify  value_destroy);

WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_insert       (WkWeakKeyDict *self,
                                          GObject       *key,
                                          gpointer       value);
WK_AVAILABLE_IN_0_1
gpointer   wk_weak_key_dict_lookup       (WkWeakKeyDict *self,
                                          GObject       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_lookup_extended (WkWeakKeyDict *self,
                                             GObject       *key,
                                             gpointer      *value);
WK_AVAILABLE_IN_0_2
gpointer   wk_weak_key_dict_dup          (WkWeakKeyDict *self,
                                          GObject       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_contains     (WkWeakKeyDict *self,
                                          GObject       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_remove       (WkWeakKeyDict *self,
                                          GObject       *key);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_steal        (WkWeakKeyDict *self,
                                          GObject       *key,
                                          gpointer      *value);
WK_AVAILABLE_IN_0_1
guint      wk_weak_key_dict_get_size     (WkWeakKeyDict *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_remove_all   (WkWeakKeyDict *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_foreach      (WkWeakKeyDict            *self,
                                          WkWeakKeyDictForeachFunc  func,
                                          gpointer                  user_data);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_key_dict_get_keys     (WkWeakKeyDict *self);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_key_dict_get_values   (WkWeakKeyDict *self);

WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_insert_value (WkWeakKeyDict *self,
                                          GObject       *key,
                                          const GValue  *value);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_lookup_value (WkWeakKeyDict *self,
                                          GObject       *key,
                                          GValue        *value);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_steal_value  (WkWeakKeyDict *self,
                                          GObject       *key,
                                          GValue        *value);

WK_AVAILABLE_IN_0_1
GValue    *wk_weak_key_dict_dup_value    (WkWeakKeyDict *self,
                                          GObject       *key);
WK_AVAILABLE_IN_0_1
GValue    *wk_weak_key_dict_pop_value    (WkWeakKeyDict *self,
                                          GObject       *key);

WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_iter_init    (WkWeakKeyDictIter *iter,
                                          WkWeakKeyDict     *dict);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_key_dict_iter_next    (WkWeakKeyDictIter  *iter,
                                          gpointer           *key,
                                          gpointer           *value);
WK_AVAILABLE_IN_0_1
void       wk_weak_key_dict_iter_finish  (WkWeakKeyDictIter *iter);

G_END_DECLS
