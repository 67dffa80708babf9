/* fuzz-wk.c: the libFuzzer target
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build with -Dfuzzing=true (clang), run as documented in docs/fuzzing.md.
 * Set WK_FUZZ_LOG=1 to print the decoded operations of each input (use it
 * when replaying one crash file, not while fuzzing).
 */

#include <stdlib.h>

#include <glib.h>

#include "wk-fuzz-ops.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean verbose;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical from Wk (a g_return_if_fail) is a finding too. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);
  verbose = g_getenv ("WK_FUZZ_LOG") != NULL;
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GString *log = verbose ? g_string_new (NULL) : NULL;
  gboolean ok = wk_fuzz_run (data, size, log);

  if (log != NULL)
    {
      g_printerr ("%s", log->str);
      g_string_free (log, TRUE);
    }
  if (!ok)
    abort ();
  return 0;
}
