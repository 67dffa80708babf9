/* wk-ref.h: weak references with callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

#include "wk-types.h"
#include "wk-version-macros.h"

G_BEGIN_DECLS

#define WK_TYPE_REF (wk_ref_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_DERIVABLE_TYPE (WkRef, wk_ref, WK, REF, GObject)

/**
 * WkRefClass:
 * @parent_class: the parent class
 *
 * The class structure of [class@Wk.Ref]. Bindings subclass it to add
 * data to a reference, as Python's `weakref.ref` allows.
 */
struct _WkRefClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer _wk_padding[8];
};

WK_AVAILABLE_IN_0_1
WkRef      *wk_ref_new             (gpointer        object,
                                    WkRefCallback   callback,
                                    gpointer        user_data,
                                    GDestroyNotify  destroy);
WK_AVAILABLE_IN_0_1
gpointer    wk_ref_get             (WkRef          *self);
WK_AVAILABLE_IN_0_1
gboolean    wk_ref_is_alive        (WkRef          *self);
WK_AVAILABLE_IN_0_1
gboolean    wk_ref_set_callback    (WkRef          *self,
                                    WkRefCallback   callback,
                                    gpointer        user_data,
                                    GDestroyNotify  destroy);
WK_AVAILABLE_IN_0_1
guint       wk_ref_hash            (gconstpointer   ref);
WK_AVAILABLE_IN_0_1
gboolean    wk_ref_equal           (gconstpointer   a,
                                    gconstpointer   b);

WK_AVAILABLE_IN_0_1
guint       wk_get_weak_ref_count  (gpointer        object);
WK_AVAILABLE_IN_0_1
GPtrArray  *wk_get_weak_refs       (gpointer        object);

G_END_DECLS
