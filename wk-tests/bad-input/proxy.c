/* proxy.c: bad input to WkProxy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_proxy_new (void)
{
  GParamSpec *pspec = not_an_object ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_proxy_new (NULL, NULL, NULL, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_proxy_new (pspec, count_ref_callback, NULL, NULL));
  g_param_spec_unref (pspec);
}

static void
case_proxy_dup_target (void)
{
  GObject *object = plain_new ();
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target (NULL, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target ((WkProxy *) ref, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target ((WkProxy *) object, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_null (wk_proxy_dup_target (dead, &error));
  assert_error_dead (&error);
  g_assert_null (wk_proxy_dup_target (dead, NULL));

  /* An error already set. */
  g_set_error_literal (&error, g_quark_from_static_string ("bad-input-test"), 1, "earlier");
  EXPECT_CRITICAL ("*error == NULL*");
  g_assert_null (wk_proxy_dup_target (live, &error));
  g_test_assert_expected_messages ();
  g_clear_error (&error);

  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (ref);
  g_object_unref (object);
}

static void
case_proxy_get_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_target_property (NULL, "level", &value, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_target_property ((WkProxy *) ref, "level", &value, &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_false (wk_proxy_get_target_property (live, NULL, &value, &error));
  EXPECT_CRITICAL ("*value != NULL*");
  g_assert_false (wk_proxy_get_target_property (live, "level", NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_false (wk_proxy_get_target_property (dead, "level", &value, &error));
  assert_error_dead (&error);
  g_assert_false (wk_proxy_get_target_property (live, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_get_target_property (live, "", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_get_target_property (live, "write-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (G_IS_VALUE (&value));   /* left as it was */

  g_value_init (&value, G_TYPE_OBJECT);   /* an int cannot be read as an object */
  g_assert_false (wk_proxy_get_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_true (G_VALUE_HOLDS_OBJECT (&value));
  g_value_unset (&value);

  g_object_unref (ref);
  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

static void
case_proxy_dup_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target_property (NULL, "level", &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target_property ((WkProxy *) object, "level", &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_null (wk_proxy_dup_target_property (live, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_null (wk_proxy_dup_target_property (dead, "level", &error));
  assert_error_dead (&error);
  g_assert_null (wk_proxy_dup_target_property (live, "no-such-property", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_null (wk_proxy_dup_target_property (live, "write-only", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);

  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

static void
case_proxy_set_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GValue value = G_VALUE_INIT, unset = G_VALUE_INIT, string = G_VALUE_INIT;
  GError *error = NULL;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 5);
  g_value_init (&string, G_TYPE_STRING);
  g_value_set_static_string (&string, "five");

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_target_property (NULL, "level", &value, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_target_property ((WkProxy *) object, "level", &value, &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_false (wk_proxy_set_target_property (live, NULL, &value, &error));
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  g_assert_false (wk_proxy_set_target_property (live, "level", NULL, &error));
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  g_assert_false (wk_proxy_set_target_property (live, "level", &unset, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_false (wk_proxy_set_target_property (dead, "level", &value, &error));
  assert_error_dead (&error);
  g_assert_false (wk_proxy_set_target_property (live, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "read-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "construct-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "level", &string, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  /* Out of the property's range, either side. */
  g_value_set_int (&value, 11);
  g_assert_false (wk_proxy_set_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_value_set_int (&value, -1);
  g_assert_false (wk_proxy_set_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpint (BAD_TARGET (object)->level, ==, 0);

  g_value_unset (&string);
  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

const BadInputCase bad_input_proxy_cases[] = {
  CASE (proxy_new),
  CASE (proxy_dup_target),
  CASE (proxy_get_target_property),
  CASE (proxy_dup_target_property),
  CASE (proxy_set_target_property),
};
BAD_INPUT_TABLE_LENGTH (proxy)
