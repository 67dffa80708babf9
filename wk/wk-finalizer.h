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
 * @user_data: (closure): the data given to [func@Wk.finalize_new]
 *
 * The function of a [class@Wk.Finalizer]: called at most once, when the
 * object dies, when [method@Wk.Finalizer.call] is called, or at exit.
 */
typedef void (*WkFinalizeFunc) (gpointer user_data);

#define WK_TYPE_FINALIZER (wk_finalizer_get_type ())

WK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WkFinalizer, wk_finalizer, WK, FINALIZER, GObject)

WK_AVAILABLE_IN_ALL
WkFinalizer *wk_finalize_new          (gpointer         object,
                                       WkFinalizeFunc   func,
                                       gpointer         user_data,
                                       GDestroyNotify   destroy);
WK_AVAILABLE_IN_ALL
gboolean     wk_finalizer_call        (WkFinalizer     *self);
WK_AVAILABLE_IN_ALL
gboolean     wk_finalizer_detach      (WkFinalizer     *self);
WK_AVAILABLE_IN_ALL
gpointer     wk_finalizer_peek        (WkFinalizer     *self);
WK_AVAILABLE_IN_ALL
gboolean     wk_finalizer_is_alive    (WkFinalizer     *self);
WK_AVAILABLE_IN_ALL
gboolean     wk_finalizer_get_atexit  (WkFinalizer     *self);
WK_AVAILABLE_IN_ALL
void         wk_finalizer_set_atexit  (WkFinalizer     *self,
                                       gboolean         atexit);

WK_AVAILABLE_IN_ALL
void         wk_finalize_run_atexit   (void);

G_END_DECLS
