/* wk-fuzz-ops.h: the operation decoder shared by the fuzzer and the replay test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads @data as a sequence of operations on a small pool of objects,
 * refs, proxies, WkWeak slots, weak collections, finalizers, toggle refs
 * and a finalization registry, runs them, and checks every step against a
 * plain model. At the end everything is released and every counter is
 * checked (no leak, every destroy notify ran exactly once).
 *
 * Deterministic and single-threaded. Never calls wk_finalize_run_atexit().
 *
 * If @log is not %NULL, a line per operation is appended to it.
 *
 * Returns: %TRUE if Wk agreed with the model all along; %FALSE on the first
 * mismatch (then a message is printed with g_printerr(), and what the input
 * made is leaked on purpose, so that nothing runs later on freed model
 * memory). */
gboolean wk_fuzz_run (const guint8 *data,
                      gsize         size,
                      GString      *log);

/* The number of distinct operations (the op byte is taken modulo it). */
guint    wk_fuzz_n_ops (void);

G_END_DECLS
