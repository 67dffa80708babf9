/* weak-key-dict.c: bad input to WkWeakKeyDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_weak_key_dict_new (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  GObject *key = plain_new ();

  wk_weak_key_dict_insert (dict, key, "static value");
  g_assert_cmpstr (wk_weak_key_dict_lookup (dict, key), ==, "static value");
  g_object_unref (key);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
}

static void
case_weak_key_dict_new_for_values (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  GObject *key = plain_new ();

  g_assert_true (WK_IS_WEAK_KEY_DICT (dict));
  g_assert_null (wk_weak_key_dict_dup_value (dict, key));
  /* Its values are GValues: the C face's insert would store a pointer
   * that dup_value() then reads as one. */
  EXPECT_CRITICAL ("*!self->gvalues*");
  wk_weak_key_dict_insert (dict, key, "not a GValue");
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_key_dict_contains (dict, key));
  g_object_unref (key);
  g_object_unref (dict);
}

static void
case_weak_key_dict_new_full (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new_full (NULL, NULL);
  GObject *key = plain_new ();

  /* Without a copy function it is the dict of wk_weak_key_dict_new(). */
  wk_weak_key_dict_insert (dict, key, "static value");
  g_assert_cmpstr (wk_weak_key_dict_lookup (dict, key), ==, "static value");
  EXPECT_CRITICAL ("*no copy function*");
  g_assert_null (wk_weak_key_dict_dup (dict, key));
  g_test_assert_expected_messages ();
  g_object_unref (key);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
}

static void
case_weak_key_dict_dup (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakKeyDict *dict = wk_weak_key_dict_new_full ((GBoxedCopyFunc) g_strdup, g_free);
  WkWeakKeyDict *plain = wk_weak_key_dict_new (NULL);
  WkWeakSet *other = wk_weak_set_new ();
  GObject *key = plain_new ();
  char *copy;

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_null (wk_weak_key_dict_dup (NULL, key));
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_null (wk_weak_key_dict_dup ((WkWeakKeyDict *) other, key));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_weak_key_dict_dup (dict, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_weak_key_dict_dup (dict, (GObject *) pspec));
  EXPECT_CRITICAL ("*no copy function*");
  g_assert_null (wk_weak_key_dict_dup (plain, key));
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_key_dict_dup (dict, key));   /* missing */
  wk_weak_key_dict_insert (dict, key, g_strdup ("v"));
  copy = wk_weak_key_dict_dup (dict, key);
  g_assert_cmpstr (copy, ==, "v");
  g_assert_true (copy != wk_weak_key_dict_lookup (dict, key));
  g_free (copy);
  g_object_unref (key);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (other);
  g_object_unref (plain);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

/* The C-face calls that take (self, key): NULL and wrong-type self, NULL
 * and wrong-type key, a missing key and a dead one. */
typedef enum { K_INSERT, K_LOOKUP, K_LOOKUP_EXTENDED, K_CONTAINS, K_REMOVE, K_STEAL } KeyOp;

static gboolean
key_op (KeyOp op, WkWeakKeyDict *dict, GObject *key)
{
  gpointer value = &value;

  switch (op)
    {
    case K_INSERT:
      wk_weak_key_dict_insert (dict, key, "v");
      return FALSE;
    case K_LOOKUP:
      return wk_weak_key_dict_lookup (dict, key) != NULL;
    case K_LOOKUP_EXTENDED:
      return wk_weak_key_dict_lookup_extended (dict, key, &value);
    case K_CONTAINS:
      return wk_weak_key_dict_contains (dict, key);
    case K_REMOVE:
      return wk_weak_key_dict_remove (dict, key);
    case K_STEAL:
    default:
      return wk_weak_key_dict_steal (dict, key, &value);
    }
}

static void
check_key_op (KeyOp op)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  WkWeakSet *other = wk_weak_set_new ();
  GObject *key = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_false (key_op (op, NULL, key));
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_false (key_op (op, (WkWeakKeyDict *) other, key));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (key_op (op, dict, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (key_op (op, dict, (GObject *) pspec));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  if (op != K_INSERT)
    g_assert_false (key_op (op, dict, key));   /* missing */
  wk_weak_key_dict_insert (dict, key, "v");
  g_object_unref (key);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (other);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

static void case_weak_key_dict_insert (void) { check_key_op (K_INSERT); }
static void case_weak_key_dict_lookup (void) { check_key_op (K_LOOKUP); }
static void case_weak_key_dict_lookup_extended (void) { check_key_op (K_LOOKUP_EXTENDED); }
static void case_weak_key_dict_contains (void) { check_key_op (K_CONTAINS); }
static void case_weak_key_dict_remove (void) { check_key_op (K_REMOVE); }
static void case_weak_key_dict_steal (void) { check_key_op (K_STEAL); }

static void
case_weak_key_dict_get_size (void)
{
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_cmpuint (wk_weak_key_dict_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_cmpuint (wk_weak_key_dict_get_size ((WkWeakKeyDict *) object), ==, 0);
  g_object_unref (object);
}

static void
case_weak_key_dict_remove_all (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_remove_all (NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_remove_all ((WkWeakKeyDict *) object);
  g_test_assert_expected_messages ();
  wk_weak_key_dict_remove_all (dict);
  wk_weak_key_dict_remove_all (dict);
  g_object_unref (object);
  g_object_unref (dict);
}

static void
case_weak_key_dict_foreach (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_foreach (NULL, (WkWeakKeyDictForeachFunc) count_foreach3, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_foreach ((WkWeakKeyDict *) object, (WkWeakKeyDictForeachFunc) count_foreach3, NULL);
  EXPECT_CRITICAL ("*func != NULL*");
  wk_weak_key_dict_foreach (dict, NULL, NULL);
  g_test_assert_expected_messages ();
  wk_weak_key_dict_insert (dict, object, "v");
  g_object_unref (object);
  wk_weak_key_dict_foreach (dict, (WkWeakKeyDictForeachFunc) count_foreach3, NULL);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (dict);
}

static void
check_key_array (GPtrArray *(*get) (WkWeakKeyDict *))
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  GObject *object = plain_new ();
  GPtrArray *array;

  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_null (get (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_null (get ((WkWeakKeyDict *) object));
  g_test_assert_expected_messages ();
  wk_weak_key_dict_insert (dict, object, "v");
  g_object_unref (object);
  array = get (dict);
  g_assert_cmpuint (array->len, ==, 0);
  g_ptr_array_unref (array);
  g_object_unref (dict);
}

static void case_weak_key_dict_get_keys (void) { check_key_array (wk_weak_key_dict_get_keys); }
static void case_weak_key_dict_get_values (void) { check_key_array (wk_weak_key_dict_get_values); }

static void
case_weak_key_dict_insert_value (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  WkWeakKeyDict *plain = wk_weak_key_dict_new (NULL);
  GObject *key = plain_new ();
  GValue value = G_VALUE_INIT, unset = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_insert_value (NULL, key, &value);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_insert_value ((WkWeakKeyDict *) key, key, &value);
  EXPECT_CRITICAL ("*new_for_values*");
  wk_weak_key_dict_insert_value (plain, key, &value);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_key_dict_insert_value (dict, NULL, &value);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_key_dict_insert_value (dict, (GObject *) pspec, &value);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_weak_key_dict_insert_value (dict, key, NULL);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_weak_key_dict_insert_value (dict, key, &unset);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_assert_cmpuint (wk_weak_key_dict_get_size (plain), ==, 0);
  g_object_unref (key);
  g_object_unref (plain);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

/* The binding-face reads: lookup_value, steal_value, dup_value, pop_value. */
typedef enum { G_LOOKUP, G_STEAL, G_DUP, G_POP } GValueOp;

static gboolean
gvalue_op (GValueOp op, WkWeakKeyDict *dict, GObject *key)
{
  GValue value = G_VALUE_INIT;
  GValue *dup;
  gboolean found;

  switch (op)
    {
    case G_LOOKUP:
    case G_STEAL:
      found = op == G_LOOKUP ? wk_weak_key_dict_lookup_value (dict, key, &value)
                             : wk_weak_key_dict_steal_value (dict, key, &value);
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
      /* The value is optional. */
      found |= op == G_LOOKUP ? wk_weak_key_dict_lookup_value (dict, key, NULL)
                              : wk_weak_key_dict_steal_value (dict, key, NULL);
      return found;
    case G_DUP:
    case G_POP:
    default:
      dup = op == G_DUP ? wk_weak_key_dict_dup_value (dict, key)
                        : wk_weak_key_dict_pop_value (dict, key);
      if (dup == NULL)
        return FALSE;
      g_boxed_free (G_TYPE_VALUE, dup);
      return TRUE;
    }
}

static void
check_gvalue_op (GValueOp op)
{
  /* lookup and steal make two calls, each with its critical. */
  guint n = (op == G_LOOKUP || op == G_STEAL) ? 2 : 1;
  GParamSpec *pspec = not_an_object ();
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  WkWeakKeyDict *plain = wk_weak_key_dict_new (NULL);
  GObject *key = plain_new ();
  GValue value = G_VALUE_INIT;
  guint i;

  for (i = 0; i < n; i++)
    EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_false (gvalue_op (op, NULL, key));
  for (i = 0; i < n; i++)
    EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  g_assert_false (gvalue_op (op, (WkWeakKeyDict *) key, key));
  for (i = 0; i < n; i++)
    EXPECT_CRITICAL ("*new_for_values*");
  g_assert_false (gvalue_op (op, plain, key));
  for (i = 0; i < n; i++)
    EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (gvalue_op (op, dict, NULL));
  for (i = 0; i < n; i++)
    EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (gvalue_op (op, dict, (GObject *) pspec));
  g_test_assert_expected_messages ();
  g_assert_false (gvalue_op (op, dict, key));   /* missing */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "v");
  wk_weak_key_dict_insert_value (dict, key, &value);
  g_value_unset (&value);
  g_object_unref (key);                         /* dead */
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (plain);
  g_object_unref (dict);
  g_param_spec_unref (pspec);
}

static void case_weak_key_dict_lookup_value (void) { check_gvalue_op (G_LOOKUP); }
static void case_weak_key_dict_steal_value (void) { check_gvalue_op (G_STEAL); }
static void case_weak_key_dict_dup_value (void) { check_gvalue_op (G_DUP); }
static void case_weak_key_dict_pop_value (void) { check_gvalue_op (G_POP); }

static void
case_weak_key_dict_iter_init (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  WkWeakValueDict *other = plain_value_dict ();
  WkWeakKeyDictIter iter;

  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_key_dict_iter_init (NULL, dict);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_iter_init (&iter, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_KEY_DICT*");
  wk_weak_key_dict_iter_init (&iter, (WkWeakKeyDict *) other);
  g_test_assert_expected_messages ();
  wk_weak_key_dict_iter_init (&iter, dict);
  g_assert_false (wk_weak_key_dict_iter_next (&iter, NULL, NULL));
  g_object_unref (other);
  g_object_unref (dict);
}

static void
case_weak_key_dict_iter_next (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  GObject *object = plain_new ();
  WkWeakKeyDictIter iter, zeroed;
  gpointer key, value;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  g_assert_false (wk_weak_key_dict_iter_next (NULL, &key, &value));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_key_dict_iter_next (&zeroed, &key, &value));
  wk_weak_key_dict_insert (dict, object, "v");
  wk_weak_key_dict_iter_init (&iter, dict);
  g_assert_true (wk_weak_key_dict_iter_next (&iter, NULL, NULL));
  g_assert_false (wk_weak_key_dict_iter_next (&iter, &key, &value));
  g_assert_false (wk_weak_key_dict_iter_next (&iter, &key, &value));
  wk_weak_key_dict_iter_init (&iter, dict);
  wk_weak_key_dict_iter_finish (&iter);
  g_assert_false (wk_weak_key_dict_iter_next (&iter, &key, &value));
  g_object_unref (object);
  g_object_unref (dict);
}

static void
case_weak_key_dict_iter_finish (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new (NULL);
  WkWeakKeyDictIter iter, zeroed;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_key_dict_iter_finish (NULL);
  g_test_assert_expected_messages ();
  wk_weak_key_dict_iter_finish (&zeroed);
  wk_weak_key_dict_iter_init (&iter, dict);
  g_assert_false (wk_weak_key_dict_iter_next (&iter, NULL, NULL));
  wk_weak_key_dict_iter_finish (&iter);
  wk_weak_key_dict_iter_finish (&iter);
  g_object_unref (dict);
}

const BadInputCase bad_input_weak_key_dict_cases[] = {
  CASE (weak_key_dict_new),
  CASE (weak_key_dict_new_for_values),
  CASE (weak_key_dict_new_full),
  CASE (weak_key_dict_dup),
  CASE (weak_key_dict_insert),
  CASE (weak_key_dict_lookup),
  CASE (weak_key_dict_lookup_extended),
  CASE (weak_key_dict_contains),
  CASE (weak_key_dict_remove),
  CASE (weak_key_dict_steal),
  CASE (weak_key_dict_get_size),
  CASE (weak_key_dict_remove_all),
  CASE (weak_key_dict_foreach),
  CASE (weak_key_dict_get_keys),
  CASE (weak_key_dict_get_values),
  CASE (weak_key_dict_insert_value),
  CASE (weak_key_dict_lookup_value),
  CASE (weak_key_dict_steal_value),
  CASE (weak_key_dict_dup_value),
  CASE (weak_key_dict_pop_value),
  CASE (weak_key_dict_iter_init),
  CASE (weak_key_dict_iter_next),
  CASE (weak_key_dict_iter_finish),
};
BAD_INPUT_TABLE_LENGTH (weak_key_dict)
