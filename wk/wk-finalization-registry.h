/* wk-finalization-registry.h: JavaScript's FinalizationRegistry for GObjects
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

/**
 * WkCleanupFunc:
 * @held: the value given when the target was registered
 * @user_data: (closure): the data given to [ctor@Wk.FinalizationRegistry.new]
 *
 * The cleanup callback of a [class@Wk.FinalizationRegistry], called once
 * for each registered target that died and was not unregistered.
 */
typedef void (*WkCleanupFunc) (const GValue *held,
                               gpointer      user_data);

#define WK_TYPE_FINALIZATION_REGISTRY (wk_finalization_registry_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkFinalizationRegistry, wk_finalization_registry, WK, FINALIZATION_REGISTRY, GObject)

WK_AVAILABLE_IN_0_1
WkFinalizationRegistry *wk_finalization_registry_new        (WkCleanupFunc           cleanup,
                                                             gpointer                user_data,
                                                             GDestroyNotify          destroy,
                                                             GMainContext           *context);
WK_AVAILABLE_IN_0_1
void                    wk_finalization_registry_register   (WkFinalizationRegistry *self,
                                                             gpointer                target,
                                                             const GValue           *held,
                                                             GObject                *unregister_token);
WK_AVAILABLE_IN_0_1
gboolean                wk_finalization_registry_unregister (WkFinalizationRegistry *self,
                                                             GObject                *unregister_token);
WK_AVAILABLE_IN_0_1
guint                   wk_finalization_registry_get_size   (WkFinalizationRegistry *self);

G_END_DECLS
