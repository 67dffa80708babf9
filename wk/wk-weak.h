/* wk-weak.h: embedded weak pointers for hot paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (WK_INSIDE) && !defined (WK_COMPILATION)
# error "Only <wk/wk.h> can be included directly."
#endif

#include <glib-object.h>

#include "wk-types.h"
#include "wk-version-macros.h"

G_BEGIN_DECLS

/**
 * WkWeak:
 *
 * Caller-owned storage for a weak pointer, like [struct@GObject.WeakRef]: embed it in a
 * structure, or put it on the stack. A zero-filled `WkWeak` is a valid
 * empty one, and [method@Wk.Weak.set] and [method@Wk.Weak.get] on the same
 * `WkWeak` may run in several threads at once.
 *
 * While the referent has two strong references or more, reading it takes
 * no lock: one compare-and-swap on the referent's reference count and an
 * uncontended exchange on a thread-local cache line. With a single owner
 * it goes through GLib's [struct@GObject.WeakRef] lock, for the reasons given in
 * [class@Wk.Ref] and [thread safety](thread-safety.html). Setting or clearing it is O(1) however many weak
 * references the object has (a [struct@GObject.WeakRef] clear is O(n)); only the first
 * weak reference an object ever gets takes GLib's lock, once, to register
 * Wk's side data. It has no callback; use [class@Wk.Ref] for that. `WkWeak`s are
 * not counted by [func@Wk.get_weak_ref_count].
 *
 * Initialize it with [method@Wk.Weak.init] or `WK_WEAK_INIT`, point it
 * at an object with [method@Wk.Weak.set], read it with
 * [method@Wk.Weak.get], and empty it with [method@Wk.Weak.clear] before
 * its storage goes away.
 *
 * C only.
 */
struct _WkWeak
{
  /*< private >*/
  gpointer priv[2];
};

#define WK_WEAK_INIT { { NULL, NULL } }

WK_AVAILABLE_IN_0_1
void      wk_weak_init  (WkWeak   *weak,
                         gpointer  object);
WK_AVAILABLE_IN_0_1
void      wk_weak_set   (WkWeak   *weak,
                         gpointer  object);
WK_AVAILABLE_IN_0_1
gpointer  wk_weak_get   (WkWeak   *weak);
WK_AVAILABLE_IN_0_1
void      wk_weak_clear (WkWeak   *weak);
WK_AVAILABLE_IN_0_2
gboolean  wk_weak_is_alive (WkWeak *weak);

G_END_DECLS
