/* wk-signal.h: signal handlers that hold their target weakly
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

WK_AVAILABLE_IN_0_1
gulong wk_signal_connect_weak         (gpointer        instance,
                                       const char     *detailed_signal,
                                       GCallback       c_handler,
                                       gpointer        target,
                                       GConnectFlags   connect_flags);
WK_AVAILABLE_IN_0_1
gulong wk_signal_connect_closure_weak (gpointer        instance,
                                       const char     *detailed_signal,
                                       GClosure       *closure,
                                       gpointer        target,
                                       gboolean        after);

G_END_DECLS
