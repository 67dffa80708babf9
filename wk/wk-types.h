/* wk-types.h: forward declarations and callback types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _WkObject WkObject;
typedef struct _WkRef    WkRef;
typedef struct _WkWeak   WkWeak;

/**
 * WkRefCallback:
 * @ref: the weak reference whose referent died
 * @user_data: the data given when the callback was set
 *
 * Called once when the referent of @ref dies, after every weak reference
 * to it already reads %NULL. It runs in the thread that dropped the last
 * strong reference, with no Wk lock held; it may drop the last reference
 * to @ref itself.
 */
typedef void (*WkRefCallback) (WkRef    *ref,
                               gpointer  user_data);

G_END_DECLS
