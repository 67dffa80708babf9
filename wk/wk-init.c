/* wk-init.c: run-time version checks and the error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "wk.h"

/**
 * wk_get_major_version:
 *
 * Gets the major version of the Wk library loaded at run time, which may
 * differ from %WK_MAJOR_VERSION, the version the program was compiled
 * against.
 *
 * Returns: the major version of the Wk library the program runs with
 */
guint
wk_get_major_version (void)
{
  return WK_MAJOR_VERSION;
}

/**
 * wk_get_minor_version:
 *
 * Gets the minor version of the Wk library loaded at run time (compare
 * %WK_MINOR_VERSION).
 *
 * Returns: the minor version of the Wk library the program runs with
 */
guint
wk_get_minor_version (void)
{
  return WK_MINOR_VERSION;
}

/**
 * wk_get_micro_version:
 *
 * Gets the micro version of the Wk library loaded at run time (compare
 * %WK_MICRO_VERSION).
 *
 * Returns: the micro version of the Wk library the program runs with
 */
guint
wk_get_micro_version (void)
{
  return WK_MICRO_VERSION;
}

/**
 * wk_check_version:
 * @required_major: the required major version
 * @required_minor: the required minor version
 * @required_micro: the required micro version
 *
 * Checks that the Wk library in use is compatible with the given version:
 * the same major version, and at least the given minor and micro version.
 *
 * Returns: (nullable): %NULL if the library is compatible, otherwise a
 *   string (owned by Wk) that says why not
 */
const char *
wk_check_version (guint required_major,
                  guint required_minor,
                  guint required_micro)
{
  if (required_major != WK_MAJOR_VERSION)
    return required_major > WK_MAJOR_VERSION ? "Wk version too old (major mismatch)"
                                              : "Wk version too new (major mismatch)";
  if (required_minor > WK_MINOR_VERSION)
    return "Wk version too old (minor mismatch)";
  if (required_minor == WK_MINOR_VERSION && required_micro > WK_MICRO_VERSION)
    return "Wk version too old (micro mismatch)";
  return NULL;
}

/**
 * wk_ref_error_quark:
 *
 * The error quark of [error@Wk.RefError], also available as
 * %WK_REF_ERROR.
 *
 * Returns: the error quark
 */
G_DEFINE_QUARK (wk-ref-error-quark, wk_ref_error)
