/* wk-version-macros.h: symbol visibility
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib.h>

#include "wk-version.h"

#ifndef _WK_EXTERN
# if defined (WK_COMPILATION) && defined (__GNUC__)
#  define _WK_EXTERN __attribute__((visibility ("default"))) extern
# else
#  define _WK_EXTERN extern
# endif
#endif

/**
 * WK_VERSION_0_1:
 *
 * The encoded version 0.1 of Wk, for %WK_VERSION_MIN_REQUIRED and
 * %WK_VERSION_MAX_ALLOWED.
 */
#define WK_VERSION_0_1 (WK_ENCODE_VERSION (0, 1, 0))

/**
 * WK_VERSION_0_2:
 *
 * The encoded version 0.2 of Wk, for %WK_VERSION_MIN_REQUIRED and
 * %WK_VERSION_MAX_ALLOWED.
 */
#define WK_VERSION_0_2 (WK_ENCODE_VERSION (0, 2, 0))

/**
 * WK_VERSION_CUR_STABLE:
 *
 * The encoded version of the Wk headers, without the micro version.
 */
#define WK_VERSION_CUR_STABLE (WK_ENCODE_VERSION (WK_MAJOR_VERSION, WK_MINOR_VERSION, 0))

/**
 * WK_VERSION_MIN_REQUIRED:
 *
 * Define it, before including `<wk/wk.h>`, to the oldest Wk version the
 * code must build with: functions deprecated after that version do not
 * warn. Defaults to %WK_VERSION_CUR_STABLE, so deprecated functions warn.
 */
#ifndef WK_VERSION_MIN_REQUIRED
# define WK_VERSION_MIN_REQUIRED (WK_VERSION_CUR_STABLE)
#endif

/**
 * WK_VERSION_MAX_ALLOWED:
 *
 * Define it, before including `<wk/wk.h>`, to the newest Wk version the
 * code may use: functions added after that version warn. Defaults to
 * %WK_VERSION_CUR_STABLE.
 */
#ifndef WK_VERSION_MAX_ALLOWED
# define WK_VERSION_MAX_ALLOWED (WK_VERSION_CUR_STABLE)
#endif

#if defined (WK_DISABLE_DEPRECATION_WARNINGS) || defined (WK_COMPILATION)
# define _WK_DEPRECATED            _WK_EXTERN
# define _WK_DEPRECATED_FOR(f)     _WK_EXTERN
# define _WK_UNAVAILABLE(maj,min)  _WK_EXTERN
#else
# define _WK_DEPRECATED            G_DEPRECATED _WK_EXTERN
# define _WK_DEPRECATED_FOR(f)     G_DEPRECATED_FOR (f) _WK_EXTERN
# define _WK_UNAVAILABLE(maj,min)  G_UNAVAILABLE (maj, min) _WK_EXTERN
#endif

/* Every public symbol is marked with the version that introduced it, and
 * a deprecated one also with the version that deprecated it: */

/**
 * WK_AVAILABLE_IN_0_1:
 *
 * Marks a symbol of Wk's first release, 0.1.
 */
#define WK_AVAILABLE_IN_0_1 _WK_EXTERN

/**
 * WK_AVAILABLE_IN_0_2:
 *
 * Marks a symbol added in Wk 0.2: using it warns when
 * %WK_VERSION_MAX_ALLOWED is older.
 */

#if WK_VERSION_MAX_ALLOWED < WK_VERSION_0_2
# define WK_AVAILABLE_IN_0_2 _WK_UNAVAILABLE (0, 2)
#else
# define WK_AVAILABLE_IN_0_2 _WK_EXTERN
#endif

/**
 * WK_DEPRECATED_IN_0_2:
 *
 * Marks a symbol deprecated in Wk 0.2: using it warns unless
 * %WK_VERSION_MIN_REQUIRED is older.
 */

/**
 * WK_DEPRECATED_IN_0_2_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol deprecated in Wk 0.2 in favour of @f: using it warns,
 * naming @f, unless %WK_VERSION_MIN_REQUIRED is older.
 */
#if WK_VERSION_MIN_REQUIRED >= WK_VERSION_0_2
# define WK_DEPRECATED_IN_0_2          _WK_DEPRECATED
# define WK_DEPRECATED_IN_0_2_FOR(f)   _WK_DEPRECATED_FOR (f)
#else
# define WK_DEPRECATED_IN_0_2          _WK_EXTERN
# define WK_DEPRECATED_IN_0_2_FOR(f)   _WK_EXTERN
#endif
