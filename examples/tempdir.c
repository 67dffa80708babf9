/* tempdir.c: the temporary-directory finalizer of the weakref docs, in C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The weakref documentation shows why a finalizer beats a __del__ method:
 * a TempDir removes its directory when it dies, when asked to, or at
 * exit, whichever comes first, and the finalizer refers only to what the
 * cleanup needs (the path), never to the object. Here ExampleTempDir is a
 * WkObject; its WkFinalizer holds a copy of the path.
 *
 * Three directories: one removed by the object's death, one removed
 * early by the program, and one still alive at exit, which Wk's atexit
 * handler removes after main() returns.
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <wk/wk.h>

#define EXAMPLE_TYPE_TEMP_DIR (example_temp_dir_get_type ())
G_DECLARE_FINAL_TYPE (ExampleTempDir, example_temp_dir, EXAMPLE, TEMP_DIR, WkObject)

struct _ExampleTempDir
{
  WkObject     parent_instance;
  char        *name;
  WkFinalizer *finalizer;
};

G_DEFINE_FINAL_TYPE (ExampleTempDir, example_temp_dir, WK_TYPE_OBJECT)

/* The cleanup: removes the directory and the files in it. It gets the
 * path only; the object may be gone by now. */
static void
remove_tree (gpointer data)
{
  const char *path = data;
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      char *child = g_build_filename (path, entry, NULL);

      g_unlink (child);
      g_free (child);
    }
  g_clear_pointer (&dir, g_dir_close);
  g_rmdir (path);
  g_print ("    [removed %s]\n", path);
}

static void
example_temp_dir_finalize (GObject *object)
{
  ExampleTempDir *self = EXAMPLE_TEMP_DIR (object);

  g_clear_object (&self->finalizer);
  g_free (self->name);
  G_OBJECT_CLASS (example_temp_dir_parent_class)->finalize (object);
}

static void
example_temp_dir_class_init (ExampleTempDirClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = example_temp_dir_finalize;
}

static void
example_temp_dir_init (ExampleTempDir *self)
{
}

static ExampleTempDir *
example_temp_dir_new (GError **error)
{
  ExampleTempDir *self;
  char *name = g_dir_make_tmp ("wk-tempdir-XXXXXX", error);
  char *file;

  if (name == NULL)
    return NULL;
  self = g_object_new (EXAMPLE_TYPE_TEMP_DIR, NULL);
  self->name = name;
  /* The finalizer gets its own copy of the path: nothing of self. */
  self->finalizer = wk_finalizer_new (self, remove_tree, g_strdup (name), g_free);

  file = g_build_filename (name, "data.txt", NULL);
  g_file_set_contents (file, "some data\n", -1, NULL);
  g_free (file);
  return self;
}

static void
example_temp_dir_remove (ExampleTempDir *self)
{
  wk_finalizer_call (self->finalizer);
}

static gboolean
example_temp_dir_get_removed (ExampleTempDir *self)
{
  return !wk_finalizer_is_alive (self->finalizer);
}

static void
report (const char *what, const char *path)
{
  g_print ("%-40s %s %s\n", what, path,
           g_file_test (path, G_FILE_TEST_IS_DIR) ? "exists" : "is gone");
}

int
main (void)
{
  GError *error = NULL;
  ExampleTempDir *dies, *removed, *lives;
  char *dies_name;

  dies = example_temp_dir_new (&error);
  removed = dies != NULL ? example_temp_dir_new (&error) : NULL;
  lives = removed != NULL ? example_temp_dir_new (&error) : NULL;
  if (lives == NULL)
    {
      g_printerr ("cannot make a temporary directory: %s\n", error->message);
      return 1;
    }

  g_print ("1. the object dies: its finalizer removes the directory\n");
  dies_name = g_strdup (dies->name);
  report ("   before the last unref:", dies_name);
  g_object_unref (dies);
  report ("   after:", dies_name);

  g_print ("2. remove() runs the finalizer early, once\n");
  example_temp_dir_remove (removed);
  example_temp_dir_remove (removed);
  g_print ("   removed: %s\n", example_temp_dir_get_removed (removed) ? "yes" : "no");
  g_object_unref (removed);   /* nothing more to do */

  g_print ("3. still alive at exit: Wk removes it after main() returns\n");
  report ("   at the end of main():", lives->name);
  /* Leaked on purpose, as a program might: the atexit finalizer still
   * runs. */
  g_free (dies_name);
  return 0;
}
