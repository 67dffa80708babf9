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

static void
append_member (gpointer member,
               gpointer user_data)
{
  GString *s = user_data;

  if (s->len > 0)
    g_string_append_c (s, ' ');
  g_string_append (s, g_object_get_data (member, "name"));
}

/* The members in the order of each walk, which must agree, as "a b c". */
static char *
order_of (WkWeakSet *set)
{
  GString *by_iter = g_string_new (NULL), *by_foreach = g_string_new (NULL);
  GString *by_members = g_string_new (NULL);
  WkWeakSetIter iter;
  GPtrArray *members;
  gpointer member;
  guint i;

  wk_weak_set_iter_init (&iter, set);
  while (wk_weak_set_iter_next (&iter, &member))
    append_member (member, by_iter);
  wk_weak_set_foreach (set, append_member, by_foreach);
  members = wk_weak_set_get_members (set);
  for (i = 0; i < members->len; i++)
    append_member (g_ptr_array_index (members, i), by_members);
  wk_test_unref_all (members);
  g_assert_cmpstr (by_foreach->str, ==, by_iter->str);
  g_assert_cmpstr (by_members->str, ==, by_iter->str);
  g_string_free (by_foreach, TRUE);
  g_string_free (by_members, TRUE);
  return g_string_free (by_iter, FALSE);
}

#define assert_order(set, expected) \
  G_STMT_START { \
    char *order_ = order_of (set); \
    g_assert_cmpstr (order_, ==, expected); \
    g_free (order_); \
  } G_STMT_END

/* Insertion order, as WkWeakValueDict's: adding a member again keeps its
 * place; removing it (or its death) and adding it again puts it last. */
static void
test_order (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  const char *names[] = { "a", "b", "c", "d", "e" };
  GObject *members[G_N_ELEMENTS (names)];
  guint i, round;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      members[i] = g_object_new (G_TYPE_OBJECT, NULL);
      g_object_set_data (members[i], "name", (gpointer) names[i]);
      g_assert_true (wk_weak_set_add (set, members[i]));
    }
  assert_order (set, "a b c d e");
  g_assert_false (wk_weak_set_add (set, members[0]));
  assert_order (set, "a b c d e");
  g_assert_true (wk_weak_set_remove (set, members[0]));
  g_assert_true (wk_weak_set_add (set, members[0]));
  assert_order (set, "b c d e a");
  g_clear_object (&members[2]);
  assert_order (set, "b d e a");
  members[2] = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (members[2], "name", (gpointer) "c");
  wk_weak_set_add (set, members[2]);
  assert_order (set, "b d e a c");

  /* Through many holes and rebuilds. */
  for (round = 0; round < 200; round++)
    {
      g_assert_true (wk_weak_set_remove (set, members[round % 5]));
      g_assert_true (wk_weak_set_add (set, members[round % 5]));
    }
  assert_order (set, "a b c d e");

  for (i = 0; i < G_N_ELEMENTS (members); i++)
    g_clear_object (&members[i]);
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (set);
}


int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/weak-set/basic", test_basic);
  g_test_add_func ("/weak-set/iteration", test_iteration);
  g_test_add_func ("/weak-set/order", test_order);

  return g_test_run ();
}
