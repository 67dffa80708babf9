/* weak-key-dict.c: tests for WkWeakKeyDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

/* Values are counted strings: each must be destroyed exactly once. */
static gint values_alive;

static char *
value_new (const char *text)
{
  g_atomic_int_inc (&values_alive);
  return g_strdup (text);
}

static void
value_free (gpointer value)
{
  g_atomic_int_add (&values_alive, -1);
  g_free (value);
}

static WkWeakKeyDict *
counted_dict_new (void)
{
  values_alive = 0;
  return wk_weak_key_dict_new (value_free);
}

static void
test_basic (gconstpointer data)
{
  GType type = (GType) GPOINTER_TO_SIZE (data);
  WkWeakKeyDict *dict = counted_dict_new ();
  GObject *a = g_object_new (type, NULL);
  GObject *b = g_object_new (type, NULL);
  gpointer value = NULL;

  wk_weak_key_dict_insert (dict, a, value_new ("for a"));
  wk_weak_key_dict_insert (dict, b, value_new ("for b"));
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 2);
  g_assert_cmpstr (wk_weak_key_dict_lookup (dict, a), ==, "for a");
  g_assert_true (wk_weak_key_dict_contains (dict, b));
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 1);

  /* Replacing destroys the old value. */
  wk_weak_key_dict_insert (dict, a, value_new ("again"));
  g_assert_cmpint (values_alive, ==, 2);
  g_assert_cmpstr (wk_weak_key_dict_lookup (dict, a), ==, "again");

  /* A NULL value is an entry too. */
  wk_weak_key_dict_insert (dict, b, NULL);
  g_assert_cmpint (values_alive, ==, 1);
  g_assert_true (wk_weak_key_dict_lookup_extended (dict, b, &value));
  g_assert_null (value);

  /* A key's death destroys its value, once. */
  g_object_unref (a);
  g_assert_cmpint (values_alive, ==, 0);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 1);

  g_assert_true (wk_weak_key_dict_remove (dict, b));
  g_assert_false (wk_weak_key_dict_remove (dict, b));
  wk_weak_key_dict_insert (dict, b, value_new ("b"));
  g_assert_true (wk_weak_key_dict_steal (dict, b, &value));
  g_assert_cmpstr (value, ==, "b");
  value_free (value);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (b);
  g_object_unref (dict);
}

static void
test_dict_dies_first (void)
{
  WkWeakKeyDict *dict = counted_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);

  wk_weak_key_dict_insert (dict, a, value_new ("v"));
  g_object_unref (dict);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (a);
}

static void
test_iteration (void)
{
  WkWeakKeyDict *dict = counted_dict_new ();
  GObject *objects[8];
  WkWeakKeyDictIter iter;
  gpointer key, value;
  GPtrArray *keys;
  guint i, yielded = 0;

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      objects[i] = g_object_new (WK_TYPE_OBJECT, NULL);
      wk_weak_key_dict_insert (dict, objects[i], value_new ("v"));
    }
  wk_weak_key_dict_iter_init (&iter, dict);
  while (wk_weak_key_dict_iter_next (&iter, &key, &value))
    {
      g_assert_true (G_IS_OBJECT (key));
      g_assert_cmpstr (value, ==, "v");
      yielded++;
      /* Keys die under the loop; the current one is kept alive. */
      for (i = 0; i < G_N_ELEMENTS (objects); i++)
        if (objects[i] != NULL && objects[i] != key && i % 2 == 0)
          g_clear_object (&objects[i]);
    }
  g_assert_cmpuint (yielded, <=, 5);
  keys = wk_weak_key_dict_get_keys (dict);
  g_assert_cmpuint (keys->len, ==, wk_weak_key_dict_get_size (dict));
  for (i = 0; i < keys->len; i++)
    g_object_unref (g_ptr_array_index (keys, i));
  g_ptr_array_unref (keys);

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    g_clear_object (&objects[i]);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (dict);
}

static void
test_gvalues (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GValue value = G_VALUE_INIT;
  GValue got = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "text");
  wk_weak_key_dict_insert_value (dict, a, &value);
  g_value_unset (&value);

  g_assert_true (wk_weak_key_dict_lookup_value (dict, a, &got));
  g_assert_cmpstr (g_value_get_string (&got), ==, "text");
  g_value_unset (&got);
  g_assert_true (wk_weak_key_dict_lookup_value (dict, a, NULL));

  g_assert_true (wk_weak_key_dict_steal_value (dict, a, &got));
  g_assert_cmpstr (g_value_get_string (&got), ==, "text");
  g_value_unset (&got);
  /* No entry: a NULL pointer, which bindings read as null/None. */
  g_assert_false (wk_weak_key_dict_lookup_value (dict, a, &got));
  g_assert_true (G_VALUE_HOLDS_POINTER (&got));
  g_assert_null (g_value_get_pointer (&got));
  g_value_unset (&got);

  g_object_unref (a);
  g_object_unref (dict);
}

static void
test_plain_constructors (void)
{
  /* What bindings do: g_object_new() alone gives the binding face. */
  WkWeakKeyDict *keys = g_object_new (WK_TYPE_WEAK_KEY_DICT, NULL);
  WkWeakValueDict *values = g_object_new (WK_TYPE_WEAK_VALUE_DICT, NULL);
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_INT);
  g_value_set_int (&v, 7);
  wk_weak_key_dict_insert_value (keys, a, &v);
  wk_weak_value_dict_insert_variant (values, g_variant_new_int32 (7), a);
  g_assert_cmpuint (wk_weak_key_dict_get_size (keys), ==, 1);
  g_assert_cmpuint (wk_weak_value_dict_get_size (values), ==, 1);
  g_object_unref (a);
  g_assert_cmpuint (wk_weak_key_dict_get_size (keys), ==, 0);
  g_assert_cmpuint (wk_weak_value_dict_get_size (values), ==, 0);
  g_object_unref (keys);
  g_object_unref (values);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      WkWeakKeyDict *plain = counted_dict_new ();
      GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
      GValue v = G_VALUE_INIT;

      g_value_init (&v, G_TYPE_INT);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_weak_key_dict_insert (plain, NULL, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*new_for_values*");
      wk_weak_key_dict_insert_value (plain, a, &v);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_WEAK_KEY_DICT*");
      g_assert_false (wk_weak_key_dict_contains (NULL, a));
      g_test_assert_expected_messages ();
      g_object_unref (a);
      g_object_unref (plain);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Randomized against a model: which objects live and which have a value. */
#define N_OBJECTS 16

static void
test_differential (void)
{
  guint32 seed = g_getenv ("WK_TEST_SEED") ? (guint32) g_ascii_strtoull (g_getenv ("WK_TEST_SEED"), NULL, 10)
                                            : (guint32) g_test_rand_int ();
  GRand *rand = g_rand_new_with_seed (seed);
  gint steps = wk_test_iterations (20000, 200000);
  WkWeakKeyDict *dict = counted_dict_new ();
  GObject *objects[N_OBJECTS] = { NULL, };
  gboolean has[N_OBJECTS] = { FALSE, };
  gint step, i;

  g_test_message ("seed %u (replay with WK_TEST_SEED=%u)", seed, seed);
  for (step = 0; step < steps; step++)
    {
      gint o = g_rand_int_range (rand, 0, N_OBJECTS);
      guint live = 0;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          if (objects[o] == NULL)
            objects[o] = g_object_new (g_rand_boolean (rand) ? WK_TYPE_OBJECT : G_TYPE_OBJECT, NULL);
          wk_weak_key_dict_insert (dict, objects[o], value_new ("v"));
          has[o] = TRUE;
          break;
        case 1:
          if (objects[o] != NULL)
            g_assert_cmpint (wk_weak_key_dict_remove (dict, objects[o]), ==, has[o]);
          has[o] = FALSE;
          break;
        case 2:
          g_clear_object (&objects[o]);
          has[o] = FALSE;
          break;
        default:
          if (objects[o] != NULL)
            g_assert_cmpint (wk_weak_key_dict_contains (dict, objects[o]), ==, has[o]);
          break;
        }
      for (i = 0; i < N_OBJECTS; i++)
        live += has[i];
      g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, live);
      g_assert_cmpint (values_alive, ==, (gint) live);
    }
  for (i = 0; i < N_OBJECTS; i++)
    g_clear_object (&objects[i]);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (dict);
  g_rand_free (rand);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/weak-key-dict/basic", test_basic);
  g_test_add_func ("/weak-key-dict/dict-dies-first", test_dict_dies_first);
  g_test_add_func ("/weak-key-dict/iteration", test_iteration);
  g_test_add_func ("/weak-key-dict/gvalues", test_gvalues);
  g_test_add_func ("/weak-key-dict/plain-constructors", test_plain_constructors);
  g_test_add_func ("/weak-key-dict/bad-input", test_bad_input);
  g_test_add_func ("/weak-key-dict/differential", test_differential);

  return g_test_run ();
}
