/* wk-proxy.h: weak proxies that forward to their referent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

#include "wk-ref.h"
#include "wk-types.h"
#include "wk-version-macros.h"

G_BEGIN_DECLS

#define WK_TYPE_PROXY (wk_proxy_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkProxy, wk_proxy, WK, PROXY, WkRef)

WK_AVAILABLE_IN_0_1
WkProxy  *wk_proxy_new           (gpointer        object,
                                  WkRefCallback   callback,
                                  gpointer        user_data,
                                  GDestroyNotify  destroy);
WK_AVAILABLE_IN_0_1
gpointer  wk_proxy_dup_target    (WkProxy        *self,
                                  GError        **error);
WK_AVAILABLE_IN_0_2
gboolean  wk_proxy_get_target_property (WkProxy        *self,
                                        const char     *name,
                                        GValue         *value,
                                        GError        **error);
WK_AVAILABLE_IN_0_2
GValue   *wk_proxy_dup_target_property (WkProxy        *self,
                                        const char     *name,
                                        GError        **error);
WK_AVAILABLE_IN_0_2
gboolean  wk_proxy_set_target_property (WkProxy        *self,
                                        const char     *name,
                                        const GValue   *value,
                                        GError        **error);

WK_DEPRECATED_IN_0_2_FOR (wk_proxy_get_target_property)
gboolean  wk_proxy_get_property        (WkProxy        *self,
                                        const char     *name,
                                        GValue         *value,
                                        GError        **error);
WK_DEPRECATED_IN_0_2_FOR (wk_proxy_dup_target_property)
GValue   *wk_proxy_dup_property        (WkProxy        *self,
                                        const char     *name,
                                        GError        **error);
WK_DEPRECATED_IN_0_2_FOR (wk_proxy_set_target_property)
gboolean  wk_proxy_set_property        (WkProxy        *self,
                                        const char     *name,
                                        const GValue   *value,
                                        GError        **error);

G_END_DECLS
