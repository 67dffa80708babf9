/* wk-weak-set.h: a set of weakly held objects
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

#define WK_TYPE_WEAK_SET (wk_weak_set_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkWeakSet, wk_weak_set, WK, WEAK_SET, GObject)

typedef struct _WkWeakSetIter WkWeakSetIter;

/**
 * WkWeakSetIter:
 *
 * An iterator over a [class@Wk.WeakSet], used like [struct@GLib.HashTableIter].
 * C only.
 */
struct _WkWeakSetIter
{
  /*< private >*/
  gpointer _wk_private[10];
};

WK_AVAILABLE_IN_0_1
WkWeakSet *wk_weak_set_new          (void);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_set_add          (WkWeakSet *self,
                                     GObject   *member);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_set_remove       (WkWeakSet *self,
                                     GObject   *member);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_set_contains     (WkWeakSet *self,
                                     GObject   *member);
WK_AVAILABLE_IN_0_1
guint      wk_weak_set_get_size     (WkWeakSet *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_set_remove_all   (WkWeakSet *self);
WK_AVAILABLE_IN_0_1
void       wk_weak_set_foreach      (WkWeakSet *self,
                                     GFunc      func,
                                     gpointer   user_data);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_weak_set_get_members  (WkWeakSet *self);

WK_AVAILABLE_IN_0_1
void       wk_weak_set_iter_init    (WkWeakSetIter  *iter,
                                     WkWeakSet      *set);
WK_AVAILABLE_IN_0_1
gboolean   wk_weak_set_iter_next    (WkWeakSetIter  *iter,
                                     gpointer       *member);
WK_AVAILABLE_IN_0_1
void       wk_weak_set_iter_finish  (WkWeakSetIter  *iter);

G_END_DECLS
