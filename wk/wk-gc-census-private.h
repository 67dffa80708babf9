/* wk-gc-census-private.h: the census and the leak report
 * (wk-gc-census.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* wk_gc_report_leaks(); @at_exit says so in the report's first line
 * (WK_DEBUG=leaks). */
void _wk_gc_census_report_leaks (gboolean at_exit);

G_END_DECLS
