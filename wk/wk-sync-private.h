/* wk-sync-private.h: Wk's one spin/back-off helper, and its rules for
 * atomics and locks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Atomics: the compiler's __atomic builtins, everywhere, rather than
 * g_atomic_*(). Each access says its memory order: most of Wk's hot reads
 * are relaxed or acquire, where g_atomic_int_get() is always a full
 * barrier, and the hazard and final-unref protocols name the sequentially
 * consistent accesses they depend on. (GLib's own macros are these
 * builtins underneath.)
 *
 * Locks that may be held while Wk waits or allocates: pthread_mutex_t,
 * rather than GMutex, because ThreadSanitizer intercepts pthread's mutexes
 * and cannot see GMutex's futexes inside an uninstrumented GLib.
 *
 * Spin locks and spin waits: only around a few instructions that run no
 * user code (an anchor's lists, a WkObject's held children), or while
 * waiting for another thread to leave such a section (hazard slots, pins,
 * a collection deciding). They back off with wk_spin_pause().
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One step of a spin wait: the CPU's pause instruction for the first
 * rounds, then a yield, since the thread waited for may not be running
 * (there may be more threads than cores). */
static inline void
wk_spin_pause (guint *spins)
{
  if (++*spins < 64)
    {
#if defined (__x86_64__) || defined (__i386__)
      __builtin_ia32_pause ();
#elif defined (__aarch64__)
      __asm__ __volatile__ ("yield");
#endif
    }
  else
    g_thread_yield ();
}

G_END_DECLS
