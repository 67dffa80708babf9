/* wk-weak-key-dict-value-private.h: what wk-weak-key-dict-value.c gives
 * the C face of WkWeakKeyDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-weak-key-dict.h"

G_BEGIN_DECLS

/* Gives a dict the binding face's table (GValue values) and registers it
 * with the collector as an ephemeron source, as g_object_new() alone
 * makes it. */
void _wk_weak_key_dict_values_init  (WkWeakKeyDict *self);
/* Unregisters it, before its table goes (finalize, or a C constructor
 * swapping in its own table). */
void _wk_weak_key_dict_values_leave (WkWeakKeyDict *self);

G_END_DECLS
