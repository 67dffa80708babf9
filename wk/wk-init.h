/* wk-init.h: run-time version checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include "wk-version-macros.h"

G_BEGIN_DECLS

WK_AVAILABLE_IN_0_1
guint        wk_get_major_version (void);
WK_AVAILABLE_IN_0_1
guint        wk_get_minor_version (void);
WK_AVAILABLE_IN_0_1
guint        wk_get_micro_version (void);
WK_AVAILABLE_IN_0_1
const char  *wk_check_version     (guint required_major,
                                   guint required_minor,
                                   guint required_micro);

G_END_DECLS
