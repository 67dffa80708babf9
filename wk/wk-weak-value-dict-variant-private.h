/* wk-weak-value-dict-variant-private.h: what wk-weak-value-dict-variant.c
 * gives the C face of WkWeakValueDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-weak-table-private.h"

G_BEGIN_DECLS

/* The table of the binding face: GVariant keys (and string probes), as
 * g_object_new() alone makes it. */
WkWeakTable *_wk_weak_value_dict_variant_table_new (void);

G_END_DECLS
