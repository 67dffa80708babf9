/* versions.c: bad input to versions, types, the error domain, binding hooks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_get_major_version (void)
{
  g_assert_cmpuint (wk_get_major_version (), ==, WK_MAJOR_VERSION);
}

static void
case_get_minor_version (void)
{
  g_assert_cmpuint (wk_get_minor_version (), ==, WK_MINOR_VERSION);
}

static void
case_get_micro_version (void)
{
  g_assert_cmpuint (wk_get_micro_version (), ==, WK_MICRO_VERSION);
}

static void
case_check_version (void)
{
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION));
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, 0, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION + 1, 0, 0));
  g_assert_nonnull (wk_check_version (G_MAXUINT, G_MAXUINT, G_MAXUINT));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, G_MAXUINT, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, G_MAXUINT));
  if (WK_MAJOR_VERSION > 0)
    g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION - 1, G_MAXUINT, G_MAXUINT));
}

/* Only both or neither. */
static gpointer
fake_lock (void)
{
  n_calls++;
  return NULL;
}

static void
fake_unlock (gpointer state)
{
}

static void
case_binding_set_toggle_lock (void)
{
  EXPECT_CRITICAL ("*lock == NULL*");
  wk_binding_set_toggle_lock (fake_lock, NULL);
  EXPECT_CRITICAL ("*lock == NULL*");
  wk_binding_set_toggle_lock (NULL, fake_unlock);
  g_test_assert_expected_messages ();
  wk_binding_set_toggle_lock (fake_lock, fake_unlock);
  wk_binding_set_toggle_lock (NULL, NULL);
  g_assert_cmpint (n_calls, ==, 0);
}

static void
case_ref_error_quark (void)
{
  g_assert_cmpuint (wk_ref_error_quark (), !=, 0);
  g_assert_cmpuint (wk_ref_error_quark (), ==, WK_REF_ERROR);
  g_assert_cmpstr (g_quark_to_string (wk_ref_error_quark ()), ==, "wk-ref-error-quark");
}

static void
case_ref_error_get_type (void)
{
  GEnumClass *klass;

  g_assert_true (G_TYPE_IS_ENUM (wk_ref_error_get_type ()));
  klass = g_type_class_ref (wk_ref_error_get_type ());
  g_assert_nonnull (g_enum_get_value (klass, WK_REF_ERROR_DEAD));
  g_assert_nonnull (g_enum_get_value (klass, WK_REF_ERROR_INVALID_VALUE));
  g_assert_null (g_enum_get_value (klass, 1000));
  g_type_class_unref (klass);
}

static void case_object_get_type (void) { check_object_type (wk_object_get_type (), G_TYPE_OBJECT); }
static void case_ref_get_type (void) { check_object_type (wk_ref_get_type (), G_TYPE_OBJECT); }
static void case_proxy_get_type (void) { check_object_type (wk_proxy_get_type (), WK_TYPE_REF); }
static void case_finalizer_get_type (void) { check_object_type (wk_finalizer_get_type (), G_TYPE_OBJECT); }
static void case_finalization_registry_get_type (void) { check_object_type (wk_finalization_registry_get_type (), G_TYPE_OBJECT); }
static void case_weak_key_dict_get_type (void) { check_object_type (wk_weak_key_dict_get_type (), G_TYPE_OBJECT); }
static void case_weak_value_dict_get_type (void) { check_object_type (wk_weak_value_dict_get_type (), G_TYPE_OBJECT); }
static void case_weak_set_get_type (void) { check_object_type (wk_weak_set_get_type (), G_TYPE_OBJECT); }

const BadInputCase bad_input_versions_cases[] = {
  CASE (get_major_version),
  CASE (get_minor_version),
  CASE (get_micro_version),
  CASE (check_version),
  CASE (binding_set_toggle_lock),
  CASE (ref_error_quark),
  CASE (ref_error_get_type),
  CASE (object_get_type),
  CASE (ref_get_type),
  CASE (proxy_get_type),
  CASE (finalizer_get_type),
  CASE (finalization_registry_get_type),
  CASE (weak_key_dict_get_type),
  CASE (weak_value_dict_get_type),
  CASE (weak_set_get_type),
};
BAD_INPUT_TABLE_LENGTH (versions)
