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

/**
 * WkVisitFunc:
 * @child: an object that the visited object holds a strong reference on
 * @user_data: the data given to the traverse function
 *
 * Called by a [vfunc@Wk.Object.traverse] implementation once for each
 * strong reference the object holds.
 */
typedef void (*WkVisitFunc) (GObject  *child,
                             gpointer  user_data);

#define WK_TYPE_OBJECT (wk_object_get_type ())

WK_AVAILABLE_IN_0_1
G_DECLARE_DERIVABLE_TYPE (WkObject, wk_object, WK, OBJECT, GObject)

/**
 * WkObjectClass:
 * @parent_class: the parent class
 * @traverse: visits every object this one holds a strong reference on,
 *   for the cycle collector; the default visits the objects of
 *   [method@Wk.Object.hold]. It may run in the collector's thread while
 *   other threads use the object: read the references under the lock that
 *   guards them, and clear them in dispose.
 * @clear: drops the strong references that @traverse visits, to break a
 *   cycle the collector found; the default releases the objects of
 *   [method@Wk.Object.hold]. Chain up.
 *
 * The class structure of [class@Wk.Object]. Subclasses override
 * GObject's vfuncs as usual and chain up.
 */
struct _WkObjectClass
{
  GObjectClass parent_class;

  void (*traverse) (WkObject    *self,
                    WkVisitFunc  visit,
                    gpointer     user_data);
  void (*clear)    (WkObject    *self);

  /*< private >*/
  void     (*_wk_dispose) (GObject *object);
  gpointer _wk_padding[13];
};

WK_AVAILABLE_IN_0_1
WkObject *wk_object_new           (void);

WK_AVAILABLE_IN_0_1
guint     wk_object_get_ref_count (gpointer object);

WK_AVAILABLE_IN_0_1
void       wk_object_hold          (WkObject *self,
                                    GObject  *child);
WK_AVAILABLE_IN_0_1
gboolean   wk_object_release       (WkObject *self,
                                    GObject  *child);
WK_AVAILABLE_IN_0_1
GPtrArray *wk_object_list_held     (WkObject *self);

G_END_DECLS
