/* object.c: bad input to WkObject and toggle references
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_object_new (void)
{
  WkObject *object = wk_object_new ();

  g_assert_true (WK_IS_OBJECT (object));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
}

static void
case_object_get_ref_count (void)
{
  GParamSpec *pspec = not_an_object ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_get_ref_count (NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_get_ref_count (pspec), ==, 0);
  g_param_spec_unref (pspec);
}

static void
case_object_add_toggle_ref (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_add_toggle_ref (NULL, count_toggle, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_add_toggle_ref ((GObject *) pspec, count_toggle, NULL);
  EXPECT_CRITICAL ("*notify != NULL*");
  wk_object_add_toggle_ref (object, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_add_toggle_ref_full (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full (NULL, count_toggle, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full ((GObject *) pspec, count_toggle, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*notify != NULL*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full (object, NULL, NULL, NULL), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_remove_toggle_ref (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_remove_toggle_ref (NULL, count_toggle, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_remove_toggle_ref ((GObject *) pspec, count_toggle, NULL);
  EXPECT_CRITICAL ("*notify != NULL*");
  wk_object_remove_toggle_ref (object, NULL, NULL);
  /* Never added, and added once but removed twice. */
  EXPECT_CRITICAL ("*no toggle reference*");
  wk_object_remove_toggle_ref (object, count_toggle, NULL);
  wk_object_add_toggle_ref (object, count_toggle, &n_calls);
  wk_object_remove_toggle_ref (object, count_toggle, &n_calls);
  EXPECT_CRITICAL ("*no toggle reference*");
  wk_object_remove_toggle_ref (object, count_toggle, &n_calls);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_remove_toggle_ref_by_id (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  guint id;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_remove_toggle_ref_by_id (NULL, 1));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_remove_toggle_ref_by_id ((GObject *) pspec, 1));
  EXPECT_CRITICAL ("*id != 0*");
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, 0));
  g_test_assert_expected_messages ();
  /* Unknown ids, and an id removed twice: FALSE, quietly. */
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, G_MAXUINT));
  id = wk_object_add_toggle_ref_full (object, count_toggle, NULL, NULL);
  g_assert_cmpuint (id, !=, 0);
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, id + 1000));
  g_assert_true (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

const BadInputCase bad_input_object_cases[] = {
  CASE (object_new),
  CASE (object_get_ref_count),
  CASE (object_add_toggle_ref),
  CASE (object_add_toggle_ref_full),
  CASE (object_remove_toggle_ref),
  CASE (object_remove_toggle_ref_by_id),
};
BAD_INPUT_TABLE_LENGTH (object)
