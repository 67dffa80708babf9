/* wk-version-macros.h: symbol visibility
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib.h>

#ifndef _WK_EXTERN
# if defined (WK_COMPILATION) && defined (__GNUC__)
#  define _WK_EXTERN __attribute__((visibility ("default"))) extern
# else
#  define _WK_EXTERN extern
# endif
#endif

/* Every public symbol of API version 1 is marked with this. */
#define WK_AVAILABLE_IN_ALL _WK_EXTERN
