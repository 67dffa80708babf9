/* wk-object.h: the base class of objects that Wk manages
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

#define WK_TYPE_OBJECT (wk_object_get_type ())

WK_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WkObject, wk_object, WK, OBJECT, GObject)

/**
 * WkObjectClass:
 * @parent_class: the parent class
 *
 * The class structure of [class@Wk.Object]. Subclasses override
 * GObject's vfuncs as usual and chain up.
 */
struct _WkObjectClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer _wk_padding[16];
};

WK_AVAILABLE_IN_ALL
WkObject *wk_object_new           (void);

WK_AVAILABLE_IN_ALL
guint     wk_object_get_ref_count (gpointer object);

G_END_DECLS
