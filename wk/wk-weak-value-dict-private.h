/* wk-weak-value-dict-private.h: what the two faces of WkWeakValueDict
 * share (wk-weak-value-dict.c, wk-weak-value-dict-variant.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-weak-value-dict.h"
#include "wk-weak-table-walk-private.h"

G_BEGIN_DECLS

struct _WkWeakValueDict
{
  GObject       parent_instance;
  WkWeakTable  *table;
  gboolean      variants;   /* made for the binding face */
};

G_END_DECLS
