/* registry.c: bad input to WkFinalizationRegistry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_finalization_registry_new (void)
{
  EXPECT_CRITICAL ("*cleanup != NULL*");
  g_assert_null (wk_finalization_registry_new (NULL, NULL, NULL, NULL));
}

static void
case_finalization_registry_register (void)
{
  GParamSpec *pspec = not_an_object ();
  WkFinalizationRegistry *registry = wk_finalization_registry_new (count_cleanup, NULL, NULL, NULL);
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *target = plain_new ();
  GValue held = G_VALUE_INIT, unset = G_VALUE_INIT, self_held = G_VALUE_INIT;

  g_value_init (&held, G_TYPE_INT);
  g_value_init (&self_held, G_TYPE_OBJECT);
  g_value_set_object (&self_held, target);

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  wk_finalization_registry_register (NULL, target, &held, NULL);
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  wk_finalization_registry_register ((WkFinalizationRegistry *) target, target, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  wk_finalization_registry_register (registry, NULL, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  wk_finalization_registry_register (registry, pspec, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_finalization_registry_register (registry, target, NULL, NULL);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_finalization_registry_register (registry, target, &unset, NULL);
  EXPECT_CRITICAL ("*== target*");
  wk_finalization_registry_register (registry, target, &self_held, NULL);
  EXPECT_CRITICAL ("*unregister_token*");
  wk_finalization_registry_register (registry, target, &held, (GObject *) pspec);
  /* Made by g_object_new() alone: no cleanup, refused. */
  EXPECT_CRITICAL ("*core != NULL*");
  wk_finalization_registry_register (bare, target, &held, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);

  g_value_unset (&self_held);
  g_object_unref (target);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (bare);
  g_object_unref (registry);
  g_param_spec_unref (pspec);
}

static void
case_finalization_registry_unregister (void)
{
  GParamSpec *pspec = not_an_object ();
  WkFinalizationRegistry *registry = wk_finalization_registry_new (count_cleanup, NULL, NULL, NULL);
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *token = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_false (wk_finalization_registry_unregister (NULL, token));
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_false (wk_finalization_registry_unregister ((WkFinalizationRegistry *) token, token));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalization_registry_unregister (registry, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalization_registry_unregister (registry, (GObject *) pspec));
  EXPECT_CRITICAL ("*core != NULL*");
  g_assert_false (wk_finalization_registry_unregister (bare, token));
  g_test_assert_expected_messages ();
  /* A token never used: FALSE, quietly. */
  g_assert_false (wk_finalization_registry_unregister (registry, token));
  g_object_unref (token);
  g_object_unref (bare);
  g_object_unref (registry);
  g_param_spec_unref (pspec);
}

static void
case_finalization_registry_get_size (void)
{
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_cmpuint (wk_finalization_registry_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_cmpuint (wk_finalization_registry_get_size ((WkFinalizationRegistry *) object), ==, 0);
  EXPECT_CRITICAL ("*core != NULL*");
  g_assert_cmpuint (wk_finalization_registry_get_size (bare), ==, 0);
  g_test_assert_expected_messages ();
  g_object_unref (object);
  g_object_unref (bare);
}

const BadInputCase bad_input_registry_cases[] = {
  CASE (finalization_registry_new),
  CASE (finalization_registry_register),
  CASE (finalization_registry_unregister),
  CASE (finalization_registry_get_size),
};
BAD_INPUT_TABLE_LENGTH (registry)
