/* wk-toggle.h: toggle references with any number of holders
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
 * WkToggleNotify:
 * @data: (closure): the data given to [func@Wk.Object.add_toggle_ref]
 * @object: the object
 * @is_last_ref: %TRUE when only toggle references are left, %FALSE when
 *   another reference has appeared
 *
 * Told when the references to @object other than toggle references
 * appear or go away. See [func@Wk.Object.add_toggle_ref].
 */
typedef void (*WkToggleNotify) (gpointer  data,
                                GObject  *object,
                                gboolean  is_last_ref);

WK_AVAILABLE_IN_0_1
void     wk_object_add_toggle_ref    (GObject        *object,
                                      WkToggleNotify  notify,
                                      gpointer        data);
WK_AVAILABLE_IN_0_1
void     wk_object_remove_toggle_ref (GObject        *object,
                                      WkToggleNotify  notify,
                                      gpointer        data);

WK_AVAILABLE_IN_0_1
guint    wk_object_add_toggle_ref_full     (GObject        *object,
                                            WkToggleNotify  notify,
                                            gpointer        data,
                                            GDestroyNotify  destroy);
WK_AVAILABLE_IN_0_1
gboolean wk_object_remove_toggle_ref_by_id (GObject        *object,
                                            guint           id);

G_END_DECLS
