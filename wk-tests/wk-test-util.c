/* wk-test-util.c: probe objects shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

struct _WkTestGObject
{
  GObject      parent_instance;
  WkTestProbe  probe;
};

struct _WkTestWkObject
{
  WkObject     parent_instance;
  WkTestProbe  probe;
};

G_DEFINE_FINAL_TYPE (WkTestGObject, wk_test_gobject, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (WkTestWkObject, wk_test_wk_object, WK_TYPE_OBJECT)

WkTestProbe *
wk_test_probe (gpointer object)
{
  if (WK_TEST_IS_GOBJECT (object))
    return &WK_TEST_GOBJECT (object)->probe;
  g_assert_true (WK_TEST_IS_WK_OBJECT (object));
  return &WK_TEST_WK_OBJECT (object)->probe;
}

static void
probe_dispose (GObject *object)
{
  WkTestProbe *probe = wk_test_probe (object);

  g_atomic_int_inc (&probe->dispose_count);
  if (probe->dispose_hook != NULL)
    probe->dispose_hook (object, probe->dispose_data);
}

static void
probe_finalize (GObject *object)
{
  WkTestProbe *probe = wk_test_probe (object);

  if (probe->finalize_hook != NULL)
    probe->finalize_hook (object, probe->finalize_data);
  if (probe->finalized != NULL)
    g_atomic_int_inc (probe->finalized);
}

static void
wk_test_gobject_dispose (GObject *object)
{
  probe_dispose (object);
  G_OBJECT_CLASS (wk_test_gobject_parent_class)->dispose (object);
}

static void
wk_test_gobject_finalize (GObject *object)
{
  probe_finalize (object);
  G_OBJECT_CLASS (wk_test_gobject_parent_class)->finalize (object);
}

static void
wk_test_gobject_class_init (WkTestGObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wk_test_gobject_dispose;
  G_OBJECT_CLASS (klass)->finalize = wk_test_gobject_finalize;
}

static void
wk_test_gobject_init (WkTestGObject *self)
{
}

static void
wk_test_wk_object_dispose (GObject *object)
{
  probe_dispose (object);
  G_OBJECT_CLASS (wk_test_wk_object_parent_class)->dispose (object);
}

static void
wk_test_wk_object_finalize (GObject *object)
{
  probe_finalize (object);
  G_OBJECT_CLASS (wk_test_wk_object_parent_class)->finalize (object);
}

static void
wk_test_wk_object_class_init (WkTestWkObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wk_test_wk_object_dispose;
  G_OBJECT_CLASS (klass)->finalize = wk_test_wk_object_finalize;
}

static void
wk_test_wk_object_init (WkTestWkObject *self)
{
}

gpointer
wk_test_object_new (GType  type,
                    gint  *finalized)
{
  gpointer object = g_object_new (type, NULL);

  wk_test_probe (object)->finalized = finalized;
  return object;
}

void
wk_test_add_for_types (const char    *path,
                       GTestDataFunc  func)
{
  char *gpath = g_strconcat (path, "/gobject", NULL);
  char *wpath = g_strconcat (path, "/wkobject", NULL);

  g_test_add_data_func (gpath, GSIZE_TO_POINTER (WK_TEST_TYPE_GOBJECT), func);
  g_test_add_data_func (wpath, GSIZE_TO_POINTER (WK_TEST_TYPE_WK_OBJECT), func);
  g_free (gpath);
  g_free (wpath);
}

gint
wk_test_iterations (gint quick,
                    gint thorough)
{
  const char *env = g_getenv ("WK_TEST_ITERATIONS");

  if (env != NULL && *env != '\0')
    return (gint) g_ascii_strtoll (env, NULL, 10);
  return g_test_thorough () ? thorough : quick;
}

void
wk_test_wait_for (gint  *counter,
                  gint   value,
                  guint  spins)
{
  guint n = 0;

  while (g_atomic_int_get (counter) < value)
    {
      if (++n < spins)
        wk_test_cpu_relax ();
      else
        g_thread_yield ();
    }
}

void
wk_test_unref_all (GPtrArray *array)
{
  guint i;

  for (i = 0; i < array->len; i++)
    g_object_unref (g_ptr_array_index (array, i));
  g_ptr_array_unref (array);
}
