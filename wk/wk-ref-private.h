/* wk-ref-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-ref.h"
#include "wk-anchor-private.h"

G_BEGIN_DECLS

/* For subclasses (WkProxy): attaches @self, made with g_object_new() and
 * no "object", to @object with a callback; never the shared ref. */
WkRef *_wk_ref_attach_unshared (WkRef          *self,
                                GObject        *object,
                                WkRefCallback   callback,
                                gpointer        user_data,
                                GDestroyNotify  destroy);

G_END_DECLS
