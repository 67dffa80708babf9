/* replay.c: replays the fuzzing corpus as a plain GTest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One test per file of wk-tests/fuzz/corpus, /fuzz/replay/<file>. Each
 * file is decoded and checked by wk_fuzz_run(), the same code the fuzzer
 * runs. With --verbose (or G_TEST_VERBOSE... see g_test_verbose()), the
 * decoded operations are printed.
 */

#include <glib.h>

#include "wk-fuzz-ops.h"

static void
test_replay (gconstpointer data)
{
  const char *path = data;
  GError *error = NULL;
  char *contents = NULL;
  gsize length = 0;
  GString *log = g_string_new (NULL);
  gboolean ok;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  ok = wk_fuzz_run ((const guint8 *) contents, length, log);
  if (!ok || g_test_verbose ())
    g_test_message ("%s", log->str);
  g_assert_true (ok);
  g_string_free (log, TRUE);
  g_free (contents);
}

static gint
cmp_names (gconstpointer a,
           gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

int
main (int    argc,
      char **argv)
{
  char *dir_path;
  GDir *dir;
  GError *error = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint i;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* g_test_get_filename() only works inside a test case. */
  dir_path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", NULL);
  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, cmp_names);
  if (names->len == 0)
    g_test_message ("no corpus files in %s", dir_path);

  for (i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      char *test_path = g_strconcat ("/fuzz/replay/", file, NULL);

      /* The path lives as long as the test program. */
      g_test_add_data_func_full (test_path, g_build_filename (dir_path, file, NULL),
                                 test_replay, g_free);
      g_free (test_path);
    }
  ret = g_test_run ();
  g_ptr_array_unref (names);
  g_free (dir_path);
  return ret;
}
