/* main.c: every public function, called with bad input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One table entry per exported symbol of libwk, in one file per area of
 * the API (bad-input.h). Each entry's case calls the function with NULL,
 * wrong-type instances (a plain GObject, a GParamSpec, a Wk object of
 * another type), dead referents, proxies and finalizers, and
 * out-of-range values, and checks the documented result: a
 * g_return_if_fail() critical, a GError, or the documented return value.
 * Every case runs in a subprocess, so a crash fails that case alone.
 * /bad-input/covers-every-export checks the tables against the list of
 * exported symbols that the build writes (exported-symbols.txt, from nm;
 * the path is the first argument, or found in G_TEST_BUILDDIR).
 */

#include "bad-input.h"

static const struct
{
  const BadInputCase *cases;
  const guint        *n_cases;
} tables[] = {
  { bad_input_versions_cases, &bad_input_versions_n_cases },
  { bad_input_object_cases, &bad_input_object_n_cases },
  { bad_input_gc_cases, &bad_input_gc_n_cases },
  { bad_input_ref_cases, &bad_input_ref_n_cases },
  { bad_input_proxy_cases, &bad_input_proxy_n_cases },
  { bad_input_weak_cases, &bad_input_weak_n_cases },
  { bad_input_finalizer_cases, &bad_input_finalizer_n_cases },
  { bad_input_registry_cases, &bad_input_registry_n_cases },
  { bad_input_signal_cases, &bad_input_signal_n_cases },
  { bad_input_weak_value_dict_cases, &bad_input_weak_value_dict_n_cases },
  { bad_input_weak_key_dict_cases, &bad_input_weak_key_dict_n_cases },
  { bad_input_weak_set_cases, &bad_input_weak_set_n_cases },
};

/* Every case of every table, in one array. */
static GPtrArray *
all_cases (void)
{
  GPtrArray *cases = g_ptr_array_new ();
  guint t, i;

  for (t = 0; t < G_N_ELEMENTS (tables); t++)
    for (i = 0; i < *tables[t].n_cases; i++)
      g_ptr_array_add (cases, (gpointer) &tables[t].cases[i]);
  return cases;
}

/* Checks beyond the one entry per function, under
 * /bad-input-more/<function>/<what>; not counted as table entries. */
typedef struct
{
  BadInputCase  entry;
  const char   *what;
} BadInputExtra;

static const BadInputExtra extras[] = {
  { { "wk_ref_new", case_ref_new_dying }, "dying-referent" },
};

/* Runs the case in a subprocess: a crash or a failed assertion there
 * fails this test alone (assertions are non-fatal in the parent). */
static void
run_case (gconstpointer data)
{
  const BadInputCase *entry = data;

  if (g_test_subprocess ())
    {
      n_calls = 0;
      entry->func ();
      g_test_assert_expected_messages ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- the table against the exports ----------------------------------- */

static const char *symbols_file;

/* Reads `nm -D --defined-only` output, filtered or not: the names of the
 * text (T) symbols that start with wk_. A line with a single word is
 * taken as a name. */
static GHashTable *
read_exports (const char *path)
{
  GHashTable *exports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GError *error = NULL;
  char *contents = NULL;
  char **lines;
  guint i;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("cannot read the list of exported symbols: %s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char **words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      guint n = 0;
      const char *name = NULL;

      while (words[n] != NULL)
        n++;
      if (n == 1 && words[0][0] != '\0')
        name = words[0];
      else if (n >= 2 && strcmp (words[n - 2], "T") == 0)
        name = words[n - 1];
      if (name != NULL && g_str_has_prefix (name, "wk_"))
        g_hash_table_add (exports, g_strdup (name));
      g_strfreev (words);
    }
  g_strfreev (lines);
  g_free (contents);
  return exports;
}

static void
test_covers_every_export (void)
{
  GHashTable *exports;
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *cases = all_cases ();
  GHashTableIter iter;
  gpointer name;
  guint i, missing = 0, extra = 0, duplicates = 0;
  char *path;

  path = symbols_file != NULL ? g_strdup (symbols_file)
                              : g_test_build_filename (G_TEST_BUILT, "exported-symbols.txt", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no exported-symbols.txt (pass its path as the first argument)");
      g_free (path);
      g_hash_table_unref (table);
      g_ptr_array_unref (cases);
      return;
    }
  exports = read_exports (path);

  for (i = 0; i < cases->len; i++)
    {
      const BadInputCase *entry = g_ptr_array_index (cases, i);

      if (!g_hash_table_add (table, (gpointer) entry->symbol))
        {
          g_test_message ("table names %s twice", entry->symbol);
          duplicates++;
        }
      if (!g_hash_table_contains (exports, entry->symbol))
        {
          g_test_message ("table names %s, which libwk does not export", entry->symbol);
          extra++;
        }
    }
  g_hash_table_iter_init (&iter, exports);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (table, name))
      {
        g_test_message ("libwk exports %s, which has no table entry", (const char *) name);
        missing++;
      }

  g_test_message ("bad-input table: %u entries; libwk exports %u wk_ functions (%s)",
                  cases->len, g_hash_table_size (exports), path);
  g_assert_cmpuint (duplicates, ==, 0);
  g_assert_cmpuint (missing, ==, 0);
  g_assert_cmpuint (extra, ==, 0);
  g_assert_cmpuint (cases->len, ==, g_hash_table_size (exports));

  g_ptr_array_unref (cases);
  g_hash_table_unref (exports);
  g_hash_table_unref (table);
  g_free (path);
}

int
main (int argc, char *argv[])
{
  GPtrArray *cases;
  guint i;

  g_test_init (&argc, &argv, NULL);
  /* What g_test_init() leaves is ours: the symbol list. */
  if (argc > 1)
    symbols_file = argv[1];
  else
    symbols_file = g_getenv ("WK_EXPORTED_SYMBOLS");

  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

  g_test_add_func ("/bad-input/covers-every-export", test_covers_every_export);
  cases = all_cases ();
  for (i = 0; i < cases->len; i++)
    {
      const BadInputCase *entry = g_ptr_array_index (cases, i);
      char *path = g_strconcat ("/bad-input/", entry->symbol, NULL);

      g_test_add_data_func (path, entry, run_case);
      g_free (path);
    }
  g_ptr_array_unref (cases);
  for (i = 0; i < G_N_ELEMENTS (extras); i++)
    {
      /* Not under /bad-input/<function>: -p would run it with that case. */
      char *path = g_strconcat ("/bad-input-more/", extras[i].entry.symbol, "/", extras[i].what, NULL);

      g_test_add_data_func (path, &extras[i].entry, run_case);
      g_free (path);
    }
  return g_test_run ();
}
