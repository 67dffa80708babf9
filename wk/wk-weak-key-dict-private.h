/* wk-weak-key-dict-private.h: what the two faces of WkWeakKeyDict share
 * (wk-weak-key-dict.c, wk-weak-key-dict-value.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-weak-key-dict.h"
#include "wk-weak-table-walk-private.h"

G_BEGIN_DECLS

struct _WkWeakKeyDict
{
  GObject         parent_instance;
  WkWeakTable    *table;
  GBoxedCopyFunc  value_copy;   /* for wk_weak_key_dict_dup(), or NULL */
  gboolean        gvalues;      /* made for the binding face */
};

G_END_DECLS
