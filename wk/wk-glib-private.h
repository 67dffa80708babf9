/* wk-glib-private.h: what Wk relies on in GObject beyond its documented API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Wk is built on GObject's public API, but four facts about how GObject
 * ends an object's life are not in its documentation, and Wk needs them
 * to make weak references safe under threads. This header and
 * wk-glib.c are the only place that knows them; wk-tests/glib.c pins
 * each one on the GLib it runs with, so a GLib that changes one fails
 * that test instead of Wk failing quietly. The citations are to
 * gobject/gobject.c of GLib 2.74.6 (Debian 12) and 2.84.4 (Debian 13).
 *
 * 1. The final g_object_unref() clears every GWeakRef to the object
 *    before dispose runs, and decides that the count is 1 under the same
 *    lock g_weak_ref_get() takes, so a GWeakRef read racing the final
 *    unref returns the object with its count raised (the unref sees 2
 *    and only decrements) or NULL. 2.74: g_object_unref() takes
 *    weak_locations_lock for writing, re-checks ref_count == 1 and clears
 *    the weak locations (lines 3826-3850) before dispose (line 3867);
 *    2.84: _object_unref_clear_weak_locations() (lines 4274-4330),
 *    called at line 4415, before dispose (line 4438). This is documented behaviour of
 *    GWeakRef ("the weak reference is cleared before dispose") except for
 *    the object's count being decided under the same lock, which is what
 *    makes a count-1 read race-free: Wk's count-1 reads go through
 *    g_weak_ref_get() for that reason.
 *
 * 2. Whether a GWeakRef has been cleared can be read from its word: the
 *    object pointer while set, zero once cleared; from 2.80 bit 0 is a
 *    lock bit (2.84: WEAK_REF_LOCK_BIT and _weak_ref_lock(), lines 5466-5490).
 *    Wk reads it, without GLib's lock, to fail fast on a dying object
 *    (wk_glib_weak_ref_is_cleared()); a stale answer only sends the
 *    reader to g_weak_ref_get().
 *
 * 3. Before 2.80, GObject is not safe against an object that another
 *    thread re-references while it is in its final unref's dispose: after
 *    dispose, 2.74 decrements the count and only then thaws the notify
 *    queue of the (possibly already freed) object (lines 3870-3882). So
 *    Wk never raises the count of an object from 1 outside
 *    g_weak_ref_get() (fact 1), and gives back a reference it raised on
 *    an object that turned out to be dying with a decrement that cannot
 *    be the last one whenever it can (wk_glib_drop_raised()). 2.80
 *    thaws before the decrement (2.84: lines 4447-4454), which makes such a
 *    re-reference safe.
 *
 * 4. A weak notify (g_object_weak_ref()) runs from GObject's own dispose,
 *    where a class chains up (2.74: g_object_real_dispose(), line 1364;
 *    2.84: line 1778), and otherwise after dispose (2.74: line 3896;
 *    2.84: line 4506), before finalize either way. Wk processes the death
 *    of a plain GObject's weak references there (wk-anchor.c); a WkObject
 *    reports its own. No GLib lock is held while weak notifies run.
 *
 * And one fact that Wk works around: before 2.80, g_weak_ref_get() takes
 * the new reference with g_object_ref() while it holds GLib's global
 * weak-reference lock (2.74: g_weak_ref_get(), lines 4962-4978), so a toggle notify that
 * the 1 -> 2 step triggers runs under that lock, and deadlocks if it
 * takes a GWeakRef for writing (g_weak_ref_init/set, or a final unref of
 * an object with weak references). 2.80 calls the toggle notify after
 * unlocking (2.84: g_weak_ref_get(), lines 5800-5824).
 * Wk defers its own toggle notifications past the lock (wk-toggle.c) and
 * lets a binding take its interpreter lock first (wk-binding.c).
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Fact 2: TRUE once GLib has cleared @gweak. */
static inline gboolean
wk_glib_weak_ref_is_cleared (GWeakRef *gweak)
{
  guintptr word = (guintptr) __atomic_load_n (&gweak->priv.p, __ATOMIC_SEQ_CST);

  return (word & ~(guintptr) 7) == 0;
}

/* Fact 3: gives back a reference that the caller raised from 2 or more
 * on an object it then found dying: with a decrement from 2 or more when
 * the count allows it (the dying thread's reference is then still
 * there, and its unref decides), else with g_object_unref(). */
void     wk_glib_drop_raised               (GObject *object);

/* Raises the count of @object from 2 or more; FALSE (and nothing done)
 * if it is 1 or less. Safe against a final unref (fact 1: GLib decides
 * it at 1). */
static inline gboolean
wk_glib_try_ref_from_2 (GObject *object)
{
  gint count = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_RELAXED);

  while (count >= 2)
    if (__atomic_compare_exchange_n ((gint *) &object->ref_count, &count, count + 1,
                                     TRUE, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return TRUE;
  return FALSE;
}

/* g_weak_ref_get() for Wk's own reads. Wk's toggle notifications that the
 * call triggers (wk-toggle.c asks wk_glib_defer_toggle_notify()) run
 * after GLib's lock is released and before this returns, in the order
 * GLib triggered them. With @take_binding_lock, a binding's interpreter
 * lock (wk_binding_set_toggle_lock()) is taken around the call when the
 * running GLib needs it; the caller must hold no Wk lock and no pin. */
gpointer wk_glib_weak_ref_get              (GWeakRef *gweak,
                                            gboolean  take_binding_lock);

/* The same in two halves, for a caller that must look at the result
 * before the deferred notifications run: everything that a
 * g_weak_ref_get() between the two triggers waits for the end. */
extern __thread guint   _wk_glib_defer_depth __attribute__ ((tls_model ("initial-exec")));
extern __thread GArray *_wk_glib_deferred __attribute__ ((tls_model ("initial-exec")));
void     _wk_glib_run_deferred             (void);

static inline void
wk_glib_defer_begin (void)
{
  _wk_glib_defer_depth++;
}

static inline void
wk_glib_defer_end (void)
{
  if (--_wk_glib_defer_depth == 0 && G_UNLIKELY (_wk_glib_deferred != NULL))
    _wk_glib_run_deferred ();
}

typedef void (*WkGlibDeferredFunc) (gpointer data,
                                    GObject  *object);

/* From a toggle notify: if this thread is inside wk_glib_weak_ref_get(),
 * queues @func (@data, @object) to run when GLib's lock is released and
 * returns TRUE; otherwise returns FALSE and the caller goes on at once.
 * @object is kept alive by the reference the get returns. */
gboolean wk_glib_defer_toggle_notify       (WkGlibDeferredFunc func,
                                            gpointer           data,
                                            GObject           *object);

G_END_DECLS
