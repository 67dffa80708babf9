/* weak.c: bad input to WkWeak
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_weak_init (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeak weak = WK_WEAK_INIT;

  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_init (NULL, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_init (&weak, pspec);
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&weak));
  wk_weak_init (&weak, NULL);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
  g_param_spec_unref (pspec);
}

static void
case_weak_set (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  WkWeak weak = WK_WEAK_INIT;

  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_set (NULL, object);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_set (&weak, pspec);
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&weak));
  /* A referent that dies while set. */
  wk_weak_set (&weak, object);
  g_object_unref (object);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_set (&weak, NULL);
  wk_weak_set (&weak, NULL);
  g_assert_null (wk_weak_get (&weak));
  g_param_spec_unref (pspec);
}

static void
case_weak_get (void)
{
  WkWeak zeroed;
  WkWeak weak = WK_WEAK_INIT;
  GObject *object = plain_new ();

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*weak != NULL*");
  g_assert_null (wk_weak_get (NULL));
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&zeroed));
  wk_weak_init (&weak, object);
  g_object_unref (object);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
}

static void
case_weak_is_alive (void)
{
  WkWeak zeroed;
  WkWeak weak = WK_WEAK_INIT;
  GObject *object = plain_new ();

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*weak != NULL*");
  g_assert_false (wk_weak_is_alive (NULL));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_is_alive (&zeroed));
  wk_weak_init (&weak, object);
  g_assert_true (wk_weak_is_alive (&weak));
  g_object_unref (object);
  g_assert_false (wk_weak_is_alive (&weak));
  wk_weak_clear (&weak);
}

static void
case_weak_clear (void)
{
  WkWeak zeroed;
  WkWeak weak = WK_WEAK_INIT;
  GObject *object = plain_new ();

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_clear (NULL);
  g_test_assert_expected_messages ();
  wk_weak_clear (&zeroed);
  wk_weak_clear (&zeroed);
  wk_weak_init (&weak, object);
  g_object_unref (object);   /* dead, then cleared */
  wk_weak_clear (&weak);
  wk_weak_clear (&weak);
  g_assert_null (wk_weak_get (&weak));
}

/* The old names still work: they are the new functions. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
case_proxy_get_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_property (NULL, "level", &value, &error));
  g_test_assert_expected_messages ();
  g_assert_false (wk_proxy_get_property (proxy, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

static void
case_proxy_dup_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_property (NULL, "level", &error));
  g_test_assert_expected_messages ();
  g_assert_null (wk_proxy_dup_property (proxy, "no-such-property", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

static void
case_proxy_set_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_value_init (&value, G_TYPE_INT);
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_property (NULL, "level", &value, &error));
  g_test_assert_expected_messages ();
  g_assert_false (wk_proxy_set_property (proxy, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

G_GNUC_END_IGNORE_DEPRECATIONS

const BadInputCase bad_input_weak_cases[] = {
  CASE (proxy_get_property),
  CASE (proxy_dup_property),
  CASE (proxy_set_property),
  CASE (weak_init),
  CASE (weak_set),
  CASE (weak_get),
  CASE (weak_clear),
  CASE (weak_is_alive),
};
BAD_INPUT_TABLE_LENGTH (weak)
