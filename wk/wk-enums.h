/* wk-enums.h: enumerations and error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include "wk-version-macros.h"

G_BEGIN_DECLS

/**
 * WK_REF_ERROR:
 *
 * The error domain of weak-reference failures, [error@Wk.RefError].
 */
#define WK_REF_ERROR (wk_ref_error_quark ())

/**
 * WkRefError:
 * @WK_REF_ERROR_DEAD: the referent has died (or started to die)
 * @WK_REF_ERROR_UNKNOWN_PROPERTY: the referent has no property of that name
 * @WK_REF_ERROR_PROPERTY_ACCESS: the property cannot be read, or cannot be
 *   written (read-only or construct-only)
 * @WK_REF_ERROR_INVALID_VALUE: the value cannot be converted to the
 *   property's type, or is out of the property's range
 *
 * Errors of the %WK_REF_ERROR domain.
 */
typedef enum {
  WK_REF_ERROR_DEAD,
  WK_REF_ERROR_UNKNOWN_PROPERTY,
  WK_REF_ERROR_PROPERTY_ACCESS,
  WK_REF_ERROR_INVALID_VALUE,
} WkRefError;

WK_AVAILABLE_IN_0_1
GQuark wk_ref_error_quark (void);

G_END_DECLS
