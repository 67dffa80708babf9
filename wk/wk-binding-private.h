/* wk-binding-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-binding.h"

G_BEGIN_DECLS

/* Whether a binding's interpreter lock must be held around a
 * g_weak_ref_get() that may raise a count from 1 (a binding registered
 * one, and the running GLib runs toggle notifies under its lock); and
 * taking and releasing it: enter returns what leave takes. */
gboolean _wk_binding_lock_needed (void);
gpointer _wk_binding_lock_enter  (void);
void     _wk_binding_lock_leave  (gpointer state);

G_END_DECLS
