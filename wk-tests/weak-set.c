/* weak-set.c: tests for WkWeakSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

static void
count_member (gpointer member,
              gpointer user_data)
{
  g_assert_true (G_IS_OBJECT (member));
  (*(guint *) user_data)++;
}

static void
test_basic (gconstpointer data)
{
  GType type = (GType) GPOINTER_TO_SIZE (data);
  WkWeakSet *set = wk_weak_set_new ();
  GObject *a = g_object_new (type, NULL);
  GObject *b = g_object_new (type, NULL);
  GPtrArray *members;
  guint n = 0;

  g_assert_true (wk_weak_set_add (set, a));
  g_assert_false (wk_weak_set_add (set, a));
  g_assert_true (wk_weak_set_add (set, b));
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 2);
  g_assert_true (wk_weak_set_contains (set, a));
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 1);

  members = wk_weak_set_get_members (set);
  g_assert_cmpuint (members->len, ==, 2);
  g_object_unref (g_ptr_array_index (members, 0));
  g_object_unref (g_ptr_array_index (members, 1));
  g_ptr_array_unref (members);

  wk_weak_set_foreach (set, count_member, &n);
  g_assert_cmpuint (n, ==, 2);

  g_object_unref (a);
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 1);
  g_assert_true (wk_weak_set_remove (set, b));
  g_assert_false (wk_weak_set_remove (set, b));
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  wk_weak_set_add (set, b);
  wk_weak_set_remove_all (set);
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (b);
  g_object_unref (set);
}

static void
test_iteration (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *objects[6];
  WkWeakSetIter iter;
  gpointer member;
  guint i, yielded = 0;

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      objects[i] = g_object_new (G_TYPE_OBJECT, NULL);
      wk_weak_set_add (set, objects[i]);
    }
  wk_weak_set_iter_init (&iter, set);
  while (wk_weak_set_iter_next (&iter, &member))
    {
      g_assert_true (G_IS_OBJECT (member));
      yielded++;
      for (i = 0; i < G_N_ELEMENTS (objects); i++)
        if (objects[i] != member)
          g_clear_object (&objects[i]);
    }
  /* Everything else died at the first step. */
  g_assert_cmpuint (yielded, ==, 1);
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    g_clear_object (&objects[i]);
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (set);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/weak-set/basic", test_basic);
  g_test_add_func ("/weak-set/iteration", test_iteration);

  return g_test_run ();
}
