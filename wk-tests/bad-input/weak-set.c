/* weak-set.c: bad input to WkWeakSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_weak_set_new (void)
{
  WkWeakSet *set = wk_weak_set_new ();

  g_assert_true (WK_IS_WEAK_SET (set));
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (set);
}

typedef enum { S_ADD, S_REMOVE, S_CONTAINS } SetOp;

static gboolean
set_op (SetOp op, WkWeakSet *set, GObject *member)
{
  switch (op)
    {
    case S_ADD:
      return wk_weak_set_add (set, member);
    case S_REMOVE:
      return wk_weak_set_remove (set, member);
    case S_CONTAINS:
    default:
      return wk_weak_set_contains (set, member);
    }
}

static void
check_set_op (SetOp op)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakKeyDict *other = wk_weak_key_dict_new (NULL);
  GObject *member = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_false (set_op (op, NULL, member));
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_false (set_op (op, (WkWeakSet *) other, member));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (set_op (op, set, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (set_op (op, set, (GObject *) pspec));
  g_test_assert_expected_messages ();
  if (op != S_ADD)
    g_assert_false (set_op (op, set, member));   /* not a member */
  g_assert_true (wk_weak_set_add (set, member));
  g_object_unref (member);                        /* dead */
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (other);
  g_object_unref (set);
  g_param_spec_unref (pspec);
}

static void case_weak_set_add (void) { check_set_op (S_ADD); }
static void case_weak_set_remove (void) { check_set_op (S_REMOVE); }
static void case_weak_set_contains (void) { check_set_op (S_CONTAINS); }

static void
case_weak_set_get_size (void)
{
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_cmpuint (wk_weak_set_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_cmpuint (wk_weak_set_get_size ((WkWeakSet *) object), ==, 0);
  g_object_unref (object);
}

static void
case_weak_set_remove_all (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_remove_all (NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_remove_all ((WkWeakSet *) object);
  g_test_assert_expected_messages ();
  wk_weak_set_remove_all (set);
  wk_weak_set_remove_all (set);
  g_object_unref (object);
  g_object_unref (set);
}

static void
case_weak_set_foreach (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_foreach (NULL, count_foreach2, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_foreach ((WkWeakSet *) object, count_foreach2, NULL);
  EXPECT_CRITICAL ("*func != NULL*");
  wk_weak_set_foreach (set, NULL, NULL);
  g_test_assert_expected_messages ();
  wk_weak_set_add (set, object);
  g_object_unref (object);
  wk_weak_set_foreach (set, count_foreach2, NULL);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (set);
}

static void
case_weak_set_get_members (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();
  GPtrArray *members;

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_null (wk_weak_set_get_members (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_null (wk_weak_set_get_members ((WkWeakSet *) object));
  g_test_assert_expected_messages ();
  wk_weak_set_add (set, object);
  g_object_unref (object);
  members = wk_weak_set_get_members (set);
  g_assert_cmpuint (members->len, ==, 0);
  g_ptr_array_unref (members);
  g_object_unref (set);
}

static void
case_weak_set_iter_init (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakValueDict *other = plain_value_dict ();
  WkWeakSetIter iter;

  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_set_iter_init (NULL, set);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_iter_init (&iter, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_iter_init (&iter, (WkWeakSet *) other);
  g_test_assert_expected_messages ();
  wk_weak_set_iter_init (&iter, set);
  g_assert_false (wk_weak_set_iter_next (&iter, NULL));
  g_object_unref (other);
  g_object_unref (set);
}

static void
case_weak_set_iter_next (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();
  WkWeakSetIter iter, zeroed;
  gpointer member;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  g_assert_false (wk_weak_set_iter_next (NULL, &member));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_set_iter_next (&zeroed, &member));
  wk_weak_set_add (set, object);
  wk_weak_set_iter_init (&iter, set);
  g_assert_true (wk_weak_set_iter_next (&iter, NULL));
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  wk_weak_set_iter_init (&iter, set);
  wk_weak_set_iter_finish (&iter);
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  g_object_unref (object);
  g_object_unref (set);
}

static void
case_weak_set_iter_finish (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakSetIter iter, zeroed;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_set_iter_finish (NULL);
  g_test_assert_expected_messages ();
  wk_weak_set_iter_finish (&zeroed);
  wk_weak_set_iter_init (&iter, set);
  g_assert_false (wk_weak_set_iter_next (&iter, NULL));
  wk_weak_set_iter_finish (&iter);
  wk_weak_set_iter_finish (&iter);
  g_object_unref (set);
}

const BadInputCase bad_input_weak_set_cases[] = {
  CASE (weak_set_new),
  CASE (weak_set_add),
  CASE (weak_set_remove),
  CASE (weak_set_contains),
  CASE (weak_set_get_size),
  CASE (weak_set_remove_all),
  CASE (weak_set_foreach),
  CASE (weak_set_get_members),
  CASE (weak_set_iter_init),
  CASE (weak_set_iter_next),
  CASE (weak_set_iter_finish),
};
BAD_INPUT_TABLE_LENGTH (weak_set)
