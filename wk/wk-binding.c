/* wk-binding.c: what language bindings register with Wk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "wk-binding-private.h"
#include "wk-glib-private.h"

static WkBindingLockFunc   binding_lock;     /* (atomic) */
static WkBindingUnlockFunc binding_unlock;

gint _wk_binding_lock_registered;

gpointer
_wk_binding_lock_enter (void)
{
  WkBindingLockFunc lock = __atomic_load_n (&binding_lock, __ATOMIC_ACQUIRE);

  return lock != NULL ? lock () : NULL;
}

void
_wk_binding_lock_leave (gpointer state)
{
  if (binding_unlock != NULL)
    binding_unlock (state);
}

/**
 * wk_binding_set_toggle_lock: (skip)
 * @lock: (nullable): takes the binding's interpreter lock (and returns a
 *   value for @unlock), or %NULL to unregister
 * @unlock: (nullable): releases what @lock took
 *
 * For language bindings whose toggle notify takes an interpreter lock,
 * as PyGObject's takes Python's GIL. Wk then takes that lock before each
 * of its reads that takes a count from 1 to 2 (through g_weak_ref_get()),
 * and never while it holds a lock of its own. Two things need it:
 *
 * - Before GLib 2.80, g_weak_ref_get() runs the toggle notify of such an
 *   object while it holds GLib's global weak-reference lock. A thread
 *   doing so without the interpreter lock waits for it under GLib's lock,
 *   while a thread holding the interpreter lock may be waiting for GLib's
 *   lock (a final unref of any object with weak references takes it): a
 *   deadlock.
 * - On every GLib, the binding decides under its interpreter lock that
 *   the wrapper of an object whose only reference is the binding's
 *   toggle reference dies, and the wrapper's state (a Python object's
 *   attributes) with it. A read that raises the count meanwhile, without
 *   that lock, can keep the object alive past the death of its wrapper,
 *   which then comes back without its state. Under the lock, the read
 *   comes either before that decision (and keeps the wrapper) or after
 *   it (and finds the object gone).
 *
 * With the lock registered, neither can happen through Wk. Reads at a
 * count of 2 or more never take it.
 *
 * Call it once, before threads use Wk; the Python binding does.
 */
void
wk_binding_set_toggle_lock (WkBindingLockFunc   lock,
                            WkBindingUnlockFunc unlock)
{
  g_return_if_fail ((lock == NULL) == (unlock == NULL));

  binding_unlock = unlock;
  __atomic_store_n (&binding_lock, lock, __ATOMIC_RELEASE);
  __atomic_store_n (&_wk_binding_lock_registered, lock != NULL, __ATOMIC_RELEASE);
}

