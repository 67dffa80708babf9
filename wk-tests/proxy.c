/* proxy.c: tests for WkProxy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

/* A referent with one property of each access kind. */
#define TEST_TYPE_GADGET (test_gadget_get_type ())
G_DECLARE_FINAL_TYPE (TestGadget, test_gadget, TEST, GADGET, GObject)

struct _TestGadget
{
  GObject  parent_instance;
  gint     level;
  char    *label;
  gint     sealed;
};

enum {
  PROP_0,
  PROP_LEVEL,
  PROP_LABEL,
  PROP_SEALED,
  PROP_SECRET,
  PROP_SERIAL,
};

G_DEFINE_FINAL_TYPE (TestGadget, test_gadget, G_TYPE_OBJECT)

static void
test_gadget_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TestGadget *self = TEST_GADGET (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      g_value_set_int (value, self->level);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_SEALED:
      g_value_set_int (value, self->sealed);
      break;
    case PROP_SERIAL:
      g_value_set_uint (value, 7);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_gadget_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TestGadget *self = TEST_GADGET (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      self->level = g_value_get_int (value);
      break;
    case PROP_LABEL:
      g_free (self->label);
      self->label = g_value_dup_string (value);
      break;
    case PROP_SEALED:
      self->sealed = g_value_get_int (value);
      break;
    case PROP_SECRET:
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_gadget_finalize (GObject *object)
{
  g_free (TEST_GADGET (object)->label);
  G_OBJECT_CLASS (test_gadget_parent_class)->finalize (object);
}

static void
test_gadget_class_init (TestGadgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_gadget_get_property;
  object_class->set_property = test_gadget_set_property;
  object_class->finalize = test_gadget_finalize;

  g_object_class_install_property (object_class, PROP_LEVEL,
    g_param_spec_int ("level", NULL, NULL, 0, 10, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SEALED,
    g_param_spec_int ("sealed", NULL, NULL, 0, 10, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SECRET,
    g_param_spec_int ("secret", NULL, NULL, 0, 10, 0, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SERIAL,
    g_param_spec_uint ("serial", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
test_gadget_init (TestGadget *self)
{
}

static guint n_callbacks;

static void
count_callback (WkRef    *ref,
                gpointer  user_data)
{
  g_assert_true (WK_IS_PROXY (ref));
  g_assert_false (wk_ref_is_alive (ref));
  n_callbacks++;
}

static void
test_proxy_dup_target (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *other = wk_proxy_new (object, NULL, NULL, NULL);
  GError *error = NULL;
  GObject *got;

  g_assert_true (WK_IS_REF (proxy));
  g_assert_true (proxy != other);   /* never shared */
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 2);

  got = wk_proxy_dup_target (proxy, &error);
  g_assert_no_error (error);
  g_assert_true (got == object);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  g_object_unref (got);

  g_object_unref (other);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 1);

  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_null (wk_proxy_dup_target (proxy, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_DEAD);
  g_clear_error (&error);
  /* NULL error is allowed. */
  g_assert_null (wk_proxy_dup_target (proxy, NULL));
  g_object_unref (proxy);
}

static void
test_proxy_callback (gconstpointer data)
{
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkProxy *proxy = wk_proxy_new (object, count_callback, NULL, NULL);
  WkProxy *dropped = wk_proxy_new (object, count_callback, NULL, NULL);
  GPtrArray *refs;

  refs = wk_get_weak_refs (object);
  g_assert_cmpuint (refs->len, ==, 2);
  g_assert_true (g_ptr_array_index (refs, 0) == dropped);   /* newest first */
  g_assert_true (g_ptr_array_index (refs, 1) == proxy);
  g_ptr_array_set_free_func (refs, g_object_unref);
  g_ptr_array_unref (refs);

  g_object_unref (dropped);
  n_callbacks = 0;
  g_object_unref (object);
  g_assert_cmpuint (n_callbacks, ==, 1);
  g_object_unref (proxy);
}

static void
test_proxy_properties (void)
{
  TestGadget *gadget = g_object_new (TEST_TYPE_GADGET, "level", 3, "label", "one", NULL);
  WkProxy *proxy = wk_proxy_new (gadget, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  /* Zero-filled: initialized to the property's type. */
  g_assert_true (wk_proxy_get_target_property (proxy, "level", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 3);
  g_value_unset (&value);

  /* Initialized to a type the value transforms into. */
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (wk_proxy_get_target_property (proxy, "level", &value, &error));
  g_assert_cmpstr (g_value_get_string (&value), ==, "3");
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "two");
  g_assert_true (wk_proxy_set_target_property (proxy, "label", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gadget->label, ==, "two");
  g_value_unset (&value);

  /* Transformed on the way in. */
  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, 9);
  g_assert_true (wk_proxy_set_target_property (proxy, "level", &value, &error));
  g_assert_cmpint (gadget->level, ==, 9);

  /* Out of range: an error, no warning, nothing changed. */
  g_value_set_uint (&value, 11);
  g_assert_false (wk_proxy_set_target_property (proxy, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpint (gadget->level, ==, 9);
  g_value_unset (&value);

  /* A type that does not transform. */
  g_value_init (&value, G_TYPE_OBJECT);
  g_assert_false (wk_proxy_set_target_property (proxy, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (wk_proxy_get_target_property (proxy, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_value_unset (&value);

  /* Unknown and inaccessible properties. */
  g_assert_false (wk_proxy_get_target_property (proxy, "no-such", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (G_IS_VALUE (&value));
  g_assert_false (wk_proxy_get_target_property (proxy, "secret", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_value_init (&value, G_TYPE_INT);
  g_assert_false (wk_proxy_set_target_property (proxy, "serial", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (proxy, "sealed", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_true (wk_proxy_set_target_property (proxy, "secret", &value, &error));
  g_value_unset (&value);

  /* The binding form. */
  {
    GValue *dup = wk_proxy_dup_target_property (proxy, "label", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (g_value_get_string (dup), ==, "two");
    g_value_unset (dup);
    g_free (dup);
    g_assert_null (wk_proxy_dup_target_property (proxy, "no-such", &error));
    g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
    g_clear_error (&error);
  }

  /* Dead. */
  g_object_unref (gadget);
  g_assert_false (wk_proxy_get_target_property (proxy, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_DEAD);
  g_clear_error (&error);
  g_value_init (&value, G_TYPE_INT);
  g_assert_false (wk_proxy_set_target_property (proxy, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_DEAD);
  g_clear_error (&error);
  g_value_unset (&value);

  g_object_unref (proxy);
}

static void
test_proxy_construct_property (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  WkProxy *proxy = g_object_new (WK_TYPE_PROXY, "object", object, NULL);
  GObject *got = wk_proxy_dup_target (proxy, NULL);

  g_assert_true (got == object);
  g_object_unref (got);
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 1);
  g_object_unref (object);
  g_assert_false (wk_ref_is_alive (WK_REF (proxy)));
  g_object_unref (proxy);
}

static void
test_proxy_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
      WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
      GValue value = G_VALUE_INIT;
      GError *error = NULL;

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_null (wk_proxy_new (NULL, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_PROXY*");
      g_assert_null (wk_proxy_dup_target (NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_PROXY*");
      g_assert_null (wk_proxy_dup_target ((WkProxy *) ref, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
      g_assert_false (wk_proxy_get_target_property (proxy, NULL, &value, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*value != NULL*");
      g_assert_false (wk_proxy_get_target_property (proxy, "x", NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_PROXY*");
      g_assert_null (wk_proxy_dup_target_property (NULL, "x", NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
      g_assert_null (wk_proxy_dup_target_property (proxy, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_VALUE*");
      g_assert_false (wk_proxy_set_target_property (proxy, "x", &value, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_PROXY*");
      g_assert_false (wk_proxy_set_target_property (NULL, "x", &value, NULL));
      error = g_error_new_literal (WK_REF_ERROR, WK_REF_ERROR_DEAD, "set");
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*error == NULL*");
      g_assert_null (wk_proxy_dup_target (proxy, &error));
      g_test_assert_expected_messages ();

      g_error_free (error);
      g_object_unref (proxy);
      g_object_unref (ref);
      g_object_unref (object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/proxy/dup-target", test_proxy_dup_target);
  wk_test_add_for_types ("/proxy/callback", test_proxy_callback);
  g_test_add_func ("/proxy/properties", test_proxy_properties);
  g_test_add_func ("/proxy/construct-property", test_proxy_construct_property);
  g_test_add_func ("/proxy/bad-input", test_proxy_bad_input);

  return g_test_run ();
}
