/* wk-finalizer.h: finalizers, Python's weakref.finalize for GObjects
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
 * WkFinalizeFunc:
 * @user_data: (closure): the data given to [ctor@Wk.Finalizer.new] or
 *   wk_finalize_add()
 *
 * The function of a finalizer: called at most once, when the object dies,
 * or for a [class@Wk.Finalizer], when [method@Wk.Finalizer.call] is
 * called or at exit.
 */
typedef void (*WkFinalizeFunc) (gpointer user_data);

#define WK_TYPE_FINALIZER (wk_finalizer_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WkFinalizer, wk_finalizer, WK, FINALIZER, GObject)

WK_AVAILABLE_IN_0_2
WkFinalizer *wk_finalizer_new         (gpointer         object,
                                       WkFinalizeFunc   func,
                                       gpointer         user_data,
                                       GDestroyNotify   destroy);
WK_DEPRECATED_IN_0_2_FOR (wk_finalizer_new)
WkFinalizer *wk_finalize_new          (gpointer         object,
                                       WkFinalizeFunc   func,
                                       gpointer         user_data,
                                       GDestroyNotify   destroy);
WK_AVAILABLE_IN_0_1
gboolean     wk_finalizer_call        (WkFinalizer     *self);
WK_AVAILABLE_IN_0_1
gboolean     wk_finalizer_detach      (WkFinalizer     *self);
WK_AVAILABLE_IN_0_2
gpointer     wk_finalizer_dup_object  (WkFinalizer     *self);
WK_DEPRECATED_IN_0_2_FOR (wk_finalizer_dup_object)
gpointer     wk_finalizer_peek        (WkFinalizer     *self);
WK_AVAILABLE_IN_0_1
gboolean     wk_finalizer_is_alive    (WkFinalizer     *self);
WK_AVAILABLE_IN_0_1
gboolean     wk_finalizer_get_atexit  (WkFinalizer     *self);
WK_AVAILABLE_IN_0_1
void         wk_finalizer_set_atexit  (WkFinalizer     *self,
                                       gboolean         atexit);

WK_AVAILABLE_IN_0_1
void         wk_finalize_run_atexit   (void);

WK_AVAILABLE_IN_0_2
gsize        wk_finalize_add          (gpointer         object,
                                       WkFinalizeFunc   func,
                                       gpointer         user_data,
                                       GDestroyNotify   destroy);
WK_AVAILABLE_IN_0_2
gboolean     wk_finalize_remove       (gpointer         object,
                                       gsize            id);

G_END_DECLS
