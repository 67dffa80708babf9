/* wk-binding-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-binding.h"

G_BEGIN_DECLS

/* Whether a binding's interpreter lock must be held around a read that
 * may raise a count from 1 (a binding registered one); and taking and
 * releasing it: enter returns what leave takes. */
extern gint _wk_binding_lock_registered;   /* (atomic) */

static inline gboolean
_wk_binding_lock_needed (void)
{
  return G_UNLIKELY (__atomic_load_n (&_wk_binding_lock_registered, __ATOMIC_ACQUIRE));
}

gpointer _wk_binding_lock_enter  (void);
void     _wk_binding_lock_leave  (gpointer state);

G_END_DECLS
