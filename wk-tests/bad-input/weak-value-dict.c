/* weak-value-dict.c: bad input to WkWeakValueDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_weak_value_dict_new (void)
{
  /* All NULL: direct hashing, nothing freed. */
  WkWeakValueDict *dict = wk_weak_value_dict_new (NULL, NULL, NULL);
  GObject *object = plain_new ();
  gpointer value;

  wk_weak_value_dict_insert (dict, GINT_TO_POINTER (7), object);
  value = wk_weak_value_dict_lookup (dict, GINT_TO_POINTER (7));
  g_assert_true (value == object);
  g_object_unref (value);
  g_object_unref (object);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_null (wk_weak_value_dict_lookup (dict, GINT_TO_POINTER (7)));
  g_object_unref (dict);
}

static void
case_weak_value_dict_new_for_variants (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();

  g_assert_true (WK_IS_WEAK_VALUE_DICT (dict));
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_null (wk_weak_value_dict_lookup_variant (dict, g_variant_new_string ("missing")));
  /* Its keys are GVariants: the C face, which would hash a key it cannot
   * read, is refused. */
  {
    GObject *object = plain_new ();
    gpointer stolen_key = NULL, stolen_value = NULL;

    EXPECT_CRITICAL ("*made_for_c*");
    wk_weak_value_dict_insert (dict, (gpointer) "str", object);
    EXPECT_CRITICAL ("*made_for_c*");
    g_assert_null (wk_weak_value_dict_lookup (dict, "str"));
    EXPECT_CRITICAL ("*made_for_c*");
    g_assert_false (wk_weak_value_dict_contains (dict, "str"));
    EXPECT_CRITICAL ("*made_for_c*");
    g_assert_false (wk_weak_value_dict_remove (dict, "str"));
    EXPECT_CRITICAL ("*made_for_c*");
    g_assert_false (wk_weak_value_dict_steal (dict, "str", &stolen_key, &stolen_value));
    g_test_assert_expected_messages ();
    g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
    g_object_unref (object);
  }
  g_object_unref (dict);
}

static void
case_weak_value_dict_insert (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert (NULL, "k", object);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert ((WkWeakValueDict *) object, "k", object);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert (dict, "k", NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert (dict, "k", pspec);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_object_unref (object);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

static void
case_weak_value_dict_lookup (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_lookup (NULL, "k"));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_lookup ((WkWeakValueDict *) object, "k"));
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_value_dict_lookup (dict, "missing"));
  /* A dead value. */
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  g_assert_null (wk_weak_value_dict_lookup (dict, "k"));
  g_object_unref (dict);
}

static void
case_weak_value_dict_contains (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_contains (NULL, "k"));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_contains ((WkWeakValueDict *) object, "k"));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_value_dict_contains (dict, "missing"));
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  g_assert_false (wk_weak_value_dict_contains (dict, "k"));
  g_object_unref (dict);
}

static void
case_weak_value_dict_remove (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_remove (NULL, "k"));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_remove ((WkWeakValueDict *) object, "k"));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_value_dict_remove (dict, "missing"));
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  g_assert_false (wk_weak_value_dict_remove (dict, "k"));
  g_object_unref (dict);
}

static void
case_weak_value_dict_steal (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();
  gpointer key = &key, value = &value;

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_steal (NULL, "k", &key, &value));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (wk_weak_value_dict_steal ((WkWeakValueDict *) object, "k", NULL, NULL));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_value_dict_steal (dict, "missing", NULL, NULL));
  g_assert_false (wk_weak_value_dict_steal (dict, "missing", &key, &value));
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  g_assert_false (wk_weak_value_dict_steal (dict, "k", NULL, NULL));
  g_object_unref (dict);
}

static void
case_weak_value_dict_get_size (void)
{
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_cmpuint (wk_weak_value_dict_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_cmpuint (wk_weak_value_dict_get_size ((WkWeakValueDict *) object), ==, 0);
  g_object_unref (object);
}

static void
case_weak_value_dict_remove_all (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_remove_all (NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_remove_all ((WkWeakValueDict *) object);
  g_test_assert_expected_messages ();
  wk_weak_value_dict_remove_all (dict);
  wk_weak_value_dict_remove_all (dict);
  g_object_unref (object);
  g_object_unref (dict);
}

static void
case_weak_value_dict_foreach (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_foreach (NULL, count_foreach3, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_foreach ((WkWeakValueDict *) object, count_foreach3, NULL);
  EXPECT_CRITICAL ("*func != NULL*");
  wk_weak_value_dict_foreach (dict, NULL, NULL);
  g_test_assert_expected_messages ();
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  wk_weak_value_dict_foreach (dict, count_foreach3, NULL);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (dict);
}

static void
case_weak_value_dict_get_keys (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();
  GPtrArray *keys;

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_keys (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_keys ((WkWeakValueDict *) object));
  g_test_assert_expected_messages ();
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  keys = wk_weak_value_dict_get_keys (dict);
  g_assert_cmpuint (keys->len, ==, 0);
  g_ptr_array_unref (keys);
  g_object_unref (dict);
}

static void
case_weak_value_dict_get_values (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();
  GPtrArray *values;

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_values (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_values ((WkWeakValueDict *) object));
  g_test_assert_expected_messages ();
  wk_weak_value_dict_insert (dict, "k", object);
  g_object_unref (object);
  values = wk_weak_value_dict_get_values (dict);
  g_assert_cmpuint (values->len, ==, 0);
  g_ptr_array_unref (values);
  g_object_unref (dict);
}

static void
case_weak_value_dict_insert_variant (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();
  GVariant *key = g_variant_ref_sink (g_variant_new_string ("k"));

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert_variant (NULL, key, object);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert_variant ((WkWeakValueDict *) object, key, object);
  EXPECT_CRITICAL ("*new_for_variants*");
  wk_weak_value_dict_insert_variant (plain, key, object);
  EXPECT_CRITICAL ("*key != NULL*");
  wk_weak_value_dict_insert_variant (dict, NULL, object);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert_variant (dict, key, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert_variant (dict, key, (GObject *) pspec);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpuint (wk_weak_value_dict_get_size (plain), ==, 0);
  g_variant_unref (key);
  g_object_unref (object);
  g_object_unref (plain);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

/* The four lookups of the binding face share their checks. */
typedef enum { V_LOOKUP, V_CONTAINS, V_REMOVE, V_STEAL } VariantOp;

static gboolean
variant_op (VariantOp op, WkWeakValueDict *dict, GVariant *key)
{
  GObject *object;

  switch (op)
    {
    case V_LOOKUP:
      object = wk_weak_value_dict_lookup_variant (dict, key);
      g_clear_object (&object);
      return object != NULL;
    case V_CONTAINS:
      return wk_weak_value_dict_contains_variant (dict, key);
    case V_REMOVE:
      return wk_weak_value_dict_remove_variant (dict, key);
    case V_STEAL:
    default:
      object = wk_weak_value_dict_steal_variant (dict, key);
      if (object != NULL)
        {
          g_object_unref (object);
          return TRUE;
        }
      return FALSE;
    }
}

static void
check_variant_op (VariantOp op)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();
  GVariant *key = g_variant_ref_sink (g_variant_new ("(si)", "k", 1));

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (variant_op (op, NULL, key));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (variant_op (op, (WkWeakValueDict *) object, key));
  EXPECT_CRITICAL ("*new_for_variants*");
  g_assert_false (variant_op (op, plain, key));
  EXPECT_CRITICAL ("*key != NULL*");
  g_assert_false (variant_op (op, dict, NULL));
  g_test_assert_expected_messages ();
  /* Missing, of another type, and dead. */
  g_assert_false (variant_op (op, dict, key));
  g_assert_false (variant_op (op, dict, g_variant_new_string ("k")));
  wk_weak_value_dict_insert_variant (dict, key, object);
  g_object_unref (object);
  g_assert_false (variant_op (op, dict, key));
  g_variant_unref (key);
  g_object_unref (plain);
  g_object_unref (dict);
}

static void case_weak_value_dict_lookup_variant (void) { check_variant_op (V_LOOKUP); }
static void case_weak_value_dict_contains_variant (void) { check_variant_op (V_CONTAINS); }
static void case_weak_value_dict_remove_variant (void) { check_variant_op (V_REMOVE); }
static void case_weak_value_dict_steal_variant (void) { check_variant_op (V_STEAL); }

/* The string keys: the same checks, plus a key that is not UTF-8. */
static gboolean
string_op (VariantOp op, WkWeakValueDict *dict, const char *key)
{
  GObject *object;

  switch (op)
    {
    case V_LOOKUP:
      object = wk_weak_value_dict_lookup_string (dict, key);
      g_clear_object (&object);
      return object != NULL;
    case V_CONTAINS:
      return wk_weak_value_dict_contains_string (dict, key);
    case V_REMOVE:
    default:
      return wk_weak_value_dict_remove_string (dict, key);
    }
}

static void
check_string_op (VariantOp op)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (string_op (op, NULL, "k"));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_false (string_op (op, (WkWeakValueDict *) object, "k"));
  EXPECT_CRITICAL ("*new_for_variants*");
  g_assert_false (string_op (op, plain, "k"));
  EXPECT_CRITICAL ("*key != NULL*");
  g_assert_false (string_op (op, dict, NULL));
  EXPECT_CRITICAL ("*g_utf8_validate*");
  g_assert_false (string_op (op, dict, "\xff"));
  g_test_assert_expected_messages ();
  /* Missing, stored under another type, and dead. */
  g_assert_false (string_op (op, dict, "k"));
  wk_weak_value_dict_insert_variant (dict, g_variant_new_bytestring ("k"), object);
  g_assert_false (string_op (op, dict, "k"));
  wk_weak_value_dict_insert_string (dict, "k", object);
  g_object_unref (object);
  g_assert_false (string_op (op, dict, "k"));
  g_object_unref (plain);
  g_object_unref (dict);
}

static void case_weak_value_dict_lookup_string (void) { check_string_op (V_LOOKUP); }
static void case_weak_value_dict_contains_string (void) { check_string_op (V_CONTAINS); }
static void case_weak_value_dict_remove_string (void) { check_string_op (V_REMOVE); }

static void
case_weak_value_dict_insert_string (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert_string (NULL, "k", object);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_insert_string ((WkWeakValueDict *) object, "k", object);
  EXPECT_CRITICAL ("*new_for_variants*");
  wk_weak_value_dict_insert_string (plain, "k", object);
  EXPECT_CRITICAL ("*key != NULL*");
  wk_weak_value_dict_insert_string (dict, NULL, object);
  EXPECT_CRITICAL ("*g_utf8_validate*");
  wk_weak_value_dict_insert_string (dict, "\xc3", object);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert_string (dict, "k", NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_value_dict_insert_string (dict, "k", (GObject *) pspec);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpuint (wk_weak_value_dict_get_size (plain), ==, 0);
  g_object_unref (object);
  g_object_unref (plain);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

static void
case_weak_value_dict_get_variant_keys (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();
  GPtrArray *keys;

  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_variant_keys (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  g_assert_null (wk_weak_value_dict_get_variant_keys ((WkWeakValueDict *) object));
  EXPECT_CRITICAL ("*new_for_variants*");
  g_assert_null (wk_weak_value_dict_get_variant_keys (plain));
  g_test_assert_expected_messages ();
  wk_weak_value_dict_insert_variant (dict, g_variant_new_int32 (1), object);
  g_object_unref (object);
  keys = wk_weak_value_dict_get_variant_keys (dict);
  g_assert_cmpuint (keys->len, ==, 0);
  g_ptr_array_unref (keys);
  g_object_unref (plain);
  g_object_unref (dict);
}

static void
case_weak_value_dict_get_variant_items (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  WkWeakValueDict *plain = plain_value_dict ();
  GObject *object = plain_new ();
  GPtrArray *keys = (GPtrArray *) &keys, *values = (GPtrArray *) &values;

  EXPECT_CRITICAL ("*keys != NULL*");
  wk_weak_value_dict_get_variant_items (dict, NULL, &values);
  EXPECT_CRITICAL ("*values != NULL*");
  wk_weak_value_dict_get_variant_items (dict, &keys, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_get_variant_items (NULL, &keys, &values);
  g_test_assert_expected_messages ();
  g_assert_null (keys);   /* the outs are cleared on failure */
  g_assert_null (values);
  keys = values = (GPtrArray *) &keys;
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_get_variant_items ((WkWeakValueDict *) object, &keys, &values);
  EXPECT_CRITICAL ("*new_for_variants*");
  wk_weak_value_dict_get_variant_items (plain, &keys, &values);
  g_test_assert_expected_messages ();
  g_assert_null (keys);
  g_assert_null (values);

  wk_weak_value_dict_insert_variant (dict, g_variant_new_int32 (1), object);
  g_object_unref (object);
  wk_weak_value_dict_get_variant_items (dict, &keys, &values);
  g_assert_cmpuint (keys->len, ==, 0);
  g_assert_cmpuint (values->len, ==, 0);
  g_ptr_array_unref (keys);
  g_ptr_array_unref (values);
  g_object_unref (plain);
  g_object_unref (dict);
}

static void
case_weak_value_dict_iter_init (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  WkWeakKeyDict *other = wk_weak_key_dict_new (NULL);
  WkWeakValueDictIter iter;

  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_value_dict_iter_init (NULL, dict);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_iter_init (&iter, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_VALUE_DICT*");
  wk_weak_value_dict_iter_init (&iter, (WkWeakValueDict *) other);
  g_test_assert_expected_messages ();
  wk_weak_value_dict_iter_init (&iter, dict);
  g_assert_false (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
  g_object_unref (other);
  g_object_unref (dict);
}

static void
case_weak_value_dict_iter_next (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  GObject *object = plain_new ();
  WkWeakValueDictIter iter, zeroed;
  gpointer key, value;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  g_assert_false (wk_weak_value_dict_iter_next (NULL, &key, &value));
  g_test_assert_expected_messages ();
  /* A zero-filled iterator, one past its end, one finished early. */
  g_assert_false (wk_weak_value_dict_iter_next (&zeroed, &key, &value));
  wk_weak_value_dict_insert (dict, "k", object);
  wk_weak_value_dict_iter_init (&iter, dict);
  g_assert_true (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
  g_assert_false (wk_weak_value_dict_iter_next (&iter, &key, &value));
  g_assert_false (wk_weak_value_dict_iter_next (&iter, &key, &value));
  wk_weak_value_dict_iter_init (&iter, dict);
  wk_weak_value_dict_iter_finish (&iter);
  g_assert_false (wk_weak_value_dict_iter_next (&iter, &key, &value));
  g_object_unref (object);
  g_object_unref (dict);
}

static void
case_weak_value_dict_iter_finish (void)
{
  WkWeakValueDict *dict = plain_value_dict ();
  WkWeakValueDictIter iter, zeroed;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_value_dict_iter_finish (NULL);
  g_test_assert_expected_messages ();
  wk_weak_value_dict_iter_finish (&zeroed);
  wk_weak_value_dict_iter_init (&iter, dict);
  g_assert_false (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
  wk_weak_value_dict_iter_finish (&iter);   /* after the end: nothing */
  wk_weak_value_dict_iter_finish (&iter);
  g_object_unref (dict);
}

const BadInputCase bad_input_weak_value_dict_cases[] = {
  CASE (weak_value_dict_new),
  CASE (weak_value_dict_new_for_variants),
  CASE (weak_value_dict_insert),
  CASE (weak_value_dict_lookup),
  CASE (weak_value_dict_contains),
  CASE (weak_value_dict_remove),
  CASE (weak_value_dict_steal),
  CASE (weak_value_dict_get_size),
  CASE (weak_value_dict_remove_all),
  CASE (weak_value_dict_foreach),
  CASE (weak_value_dict_get_keys),
  CASE (weak_value_dict_get_values),
  CASE (weak_value_dict_insert_variant),
  CASE (weak_value_dict_insert_string),
  CASE (weak_value_dict_lookup_string),
  CASE (weak_value_dict_contains_string),
  CASE (weak_value_dict_remove_string),
  CASE (weak_value_dict_lookup_variant),
  CASE (weak_value_dict_contains_variant),
  CASE (weak_value_dict_remove_variant),
  CASE (weak_value_dict_steal_variant),
  CASE (weak_value_dict_get_variant_keys),
  CASE (weak_value_dict_get_variant_items),
  CASE (weak_value_dict_iter_init),
  CASE (weak_value_dict_iter_next),
  CASE (weak_value_dict_iter_finish),
};
BAD_INPUT_TABLE_LENGTH (weak_value_dict)
