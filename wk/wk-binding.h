/* wk-binding.h: for language bindings
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
 * WkBindingLockFunc:
 *
 * Takes a binding's interpreter lock (Python's GIL), re-entrantly.
 *
 * Returns: (nullable): what [callback@Wk.BindingUnlockFunc] needs to release it
 */
typedef gpointer (*WkBindingLockFunc)   (void);

/**
 * WkBindingUnlockFunc:
 * @state: (nullable): what the [callback@Wk.BindingLockFunc] returned
 *
 * Releases what a [callback@Wk.BindingLockFunc] took.
 */
typedef void     (*WkBindingUnlockFunc) (gpointer state);

WK_AVAILABLE_IN_0_2
void wk_binding_set_toggle_lock (WkBindingLockFunc   lock,
                                 WkBindingUnlockFunc unlock);

G_END_DECLS
