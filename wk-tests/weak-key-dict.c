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

/* ---- Order ------------------------------------------------------------ */

/* Keys are objects named "a", "b"...; the order of each walk, which must
 * agree, as "a b c". */
static GObject *
named_key_new (const char *name)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data_full (object, "name", g_strdup (name), g_free);
  return object;
}

static void
append_name (GString    *s,
             const char *name)
{
  if (s->len > 0)
    g_string_append_c (s, ' ');
  g_string_append (s, name);
}

static void
append_foreach (GObject  *key,
                gpointer  value,
                gpointer  user_data)
{
  append_name (user_data, g_object_get_data (key, "name"));
}

static char *
order_of (WkWeakKeyDict *dict)
{
  GString *by_iter = g_string_new (NULL), *by_foreach = g_string_new (NULL);
  GString *by_keys = g_string_new (NULL), *by_values = g_string_new (NULL);
  WkWeakKeyDictIter iter;
  GPtrArray *keys, *values;
  gpointer key, value;
  guint i;

  wk_weak_key_dict_iter_init (&iter, dict);
  while (wk_weak_key_dict_iter_next (&iter, &key, &value))
    {
      g_assert_cmpstr (value, ==, g_object_get_data (key, "name"));
      append_name (by_iter, g_object_get_data (key, "name"));
    }
  wk_weak_key_dict_foreach (dict, append_foreach, by_foreach);
  keys = wk_weak_key_dict_get_keys (dict);
  for (i = 0; i < keys->len; i++)
    append_name (by_keys, g_object_get_data (g_ptr_array_index (keys, i), "name"));
  wk_test_unref_all (keys);
  values = wk_weak_key_dict_get_values (dict);
  for (i = 0; i < values->len; i++)
    append_name (by_values, g_ptr_array_index (values, i));
  g_ptr_array_unref (values);

  g_assert_cmpstr (by_foreach->str, ==, by_iter->str);
  g_assert_cmpstr (by_keys->str, ==, by_iter->str);
  g_assert_cmpstr (by_values->str, ==, by_iter->str);
  g_string_free (by_foreach, TRUE);
  g_string_free (by_keys, TRUE);
  g_string_free (by_values, TRUE);
  return g_string_free (by_iter, FALSE);
}

#define assert_order(dict, expected) \
  G_STMT_START { \
    char *order_ = order_of (dict); \
    g_assert_cmpstr (order_, ==, expected); \
    g_free (order_); \
  } G_STMT_END

static void
test_order (void)
{
  WkWeakKeyDict *dict = counted_dict_new ();
  const char *names[] = { "a", "b", "c", "d", "e" };
  GObject *keys[G_N_ELEMENTS (names)];
  gpointer value = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      keys[i] = named_key_new (names[i]);
      wk_weak_key_dict_insert (dict, keys[i], value_new (names[i]));
    }
  assert_order (dict, "a b c d e");

  /* A new value keeps the key's place. */
  wk_weak_key_dict_insert (dict, keys[2], value_new ("c"));
  assert_order (dict, "a b c d e");
  g_assert_cmpint (values_alive, ==, 5);

  /* Removed (or stolen) and set again: last. */
  g_assert_true (wk_weak_key_dict_remove (dict, keys[1]));
  wk_weak_key_dict_insert (dict, keys[1], value_new ("b"));
  assert_order (dict, "a c d e b");
  g_assert_true (wk_weak_key_dict_steal (dict, keys[0], &value));
  value_free (value);
  assert_order (dict, "c d e b");
  wk_weak_key_dict_insert (dict, keys[0], value_new ("a"));
  assert_order (dict, "c d e b a");

  /* A key that dies in the middle leaves the rest in order. */
  g_clear_object (&keys[3]);
  assert_order (dict, "c e b a");
  keys[3] = named_key_new ("d");
  wk_weak_key_dict_insert (dict, keys[3], value_new ("d"));
  assert_order (dict, "c e b a d");

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    g_clear_object (&keys[i]);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (dict);
}

/* ---- Values read safely: new_full and dup ------------------------------ */

static gint copies_made;

static gpointer
value_copy (gpointer value)
{
  g_atomic_int_inc (&copies_made);
  return value_new (value);
}

static void
test_dup (void)
{
  WkWeakKeyDict *dict;
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  GValue v = G_VALUE_INIT;
  GValue *copy;
  char *s;

  values_alive = 0;
  copies_made = 0;
  dict = wk_weak_key_dict_new_full (value_copy, value_free);
  wk_weak_key_dict_insert (dict, a, value_new ("for a"));
  wk_weak_key_dict_insert (dict, b, NULL);

  s = wk_weak_key_dict_dup (dict, a);
  g_assert_cmpstr (s, ==, "for a");
  g_assert_true (s != wk_weak_key_dict_lookup (dict, a));
  g_assert_cmpint (copies_made, ==, 1);
  g_assert_cmpint (values_alive, ==, 2);
  value_free (s);
  /* A NULL value, and no entry, are NULL (and copy nothing). */
  g_assert_null (wk_weak_key_dict_dup (dict, b));
  wk_weak_key_dict_remove (dict, b);
  g_assert_null (wk_weak_key_dict_dup (dict, b));
  g_assert_cmpint (copies_made, ==, 1);

  /* The copy is the caller's: it outlives the entry and the key. */
  s = wk_weak_key_dict_dup (dict, a);
  g_clear_object (&a);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_assert_cmpstr (s, ==, "for a");
  value_free (s);
  g_assert_cmpint (values_alive, ==, 0);
  g_object_unref (dict);

  /* The binding face's copy function is the GValue's. */
  dict = wk_weak_key_dict_new_for_values ();
  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, "text");
  wk_weak_key_dict_insert_value (dict, b, &v);
  g_value_unset (&v);
  copy = wk_weak_key_dict_dup (dict, b);
  g_assert_cmpstr (g_value_get_string (copy), ==, "text");
  g_boxed_free (G_TYPE_VALUE, copy);
  g_object_unref (dict);
  g_object_unref (b);
}

/* Threads read values with dup while others replace, remove, steal them
 * and kill their keys: a copy is always of a whole, live value (the
 * copy function checks the value it copies has not been freed; ASan
 * checks it better), and every value is freed exactly once. */
#define DUP_KEYS 8

typedef struct
{
  WkWeakKeyDict *dict;
  GObject       *keys[DUP_KEYS];   /* the writer's */
  WkWeak         weak[DUP_KEYS];   /* the same, for the readers */
  gint           stop;             /* (atomic) */
  gint           copies;           /* (atomic) */
} DupRace;

typedef struct
{
  gint   magic;
  gint   n;
} Counted;

#define COUNTED_MAGIC 0x5eed

static gint counted_alive;

static gpointer
counted_new (gint n)
{
  Counted *c = g_new (Counted, 1);

  c->magic = COUNTED_MAGIC;
  c->n = n;
  g_atomic_int_inc (&counted_alive);
  return c;
}

static gpointer
counted_copy (gpointer data)
{
  Counted *c = data;

  g_assert_cmpint (c->magic, ==, COUNTED_MAGIC);
  /* A slow copy, so that removals and steals meet it. */
  g_thread_yield ();
  g_assert_cmpint (c->magic, ==, COUNTED_MAGIC);
  return counted_new (c->n);
}

static void
counted_free (gpointer data)
{
  Counted *c = data;

  g_assert_cmpint (c->magic, ==, COUNTED_MAGIC);
  c->magic = 0;
  g_atomic_int_add (&counted_alive, -1);
  g_free (c);
}

static gpointer
dup_reader (gpointer data)
{
  DupRace *race = data;
  guint i = 0;

  while (!g_atomic_int_get (&race->stop))
    {
      GObject *key = wk_weak_get (&race->weak[i++ % DUP_KEYS]);
      Counted *c;

      /* The writer may drop its key at any time; the reader holds it for
       * the call, as a caller of lookup must. */
      if (key == NULL)
        continue;
      c = wk_weak_key_dict_dup (race->dict, key);
      if (c != NULL)
        {
          g_assert_cmpint (c->magic, ==, COUNTED_MAGIC);
          counted_free (c);
          g_atomic_int_inc (&race->copies);
        }
      g_object_unref (key);
    }
  return NULL;
}

static void
test_threads_dup (void)
{
  DupRace race = { wk_weak_key_dict_new_full (counted_copy, counted_free), { NULL, }, { WK_WEAK_INIT, }, 0, 0 };
  GThread *readers[2];
  gint rounds = wk_test_iterations (20000, 200000);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gint round;
  guint i;

  counted_alive = 0;
  for (i = 0; i < DUP_KEYS; i++)
    {
      race.keys[i] = g_object_new (G_TYPE_OBJECT, NULL);
      wk_weak_set (&race.weak[i], race.keys[i]);
      wk_weak_key_dict_insert (race.dict, race.keys[i], counted_new (i));
    }
  for (i = 0; i < G_N_ELEMENTS (readers); i++)
    readers[i] = g_thread_new ("dup", dup_reader, &race);

  /* Until the readers have met the writer often enough, too. */
  for (round = 0;
       round < rounds || (g_atomic_int_get (&race.copies) < MIN (rounds, 2000) &&
                          g_get_monotonic_time () < deadline);
       round++)
    {
      guint k = round % DUP_KEYS;
      GObject *key = race.keys[k];
      gpointer stolen = NULL;

      switch (round / DUP_KEYS % 4)
        {
        case 0:
          wk_weak_key_dict_insert (race.dict, key, counted_new (round));
          break;
        case 1:
          wk_weak_key_dict_remove (race.dict, key);
          wk_weak_key_dict_insert (race.dict, key, counted_new (round));
          break;
        case 2:
          if (wk_weak_key_dict_steal (race.dict, key, &stolen))
            counted_free (stolen);   /* no copy of it is under way */
          wk_weak_key_dict_insert (race.dict, key, counted_new (round));
          break;
        default:
          /* The key dies (here, or in a reader that holds it). */
          race.keys[k] = g_object_new (G_TYPE_OBJECT, NULL);
          wk_weak_set (&race.weak[k], race.keys[k]);
          g_object_unref (key);
          wk_weak_key_dict_insert (race.dict, race.keys[k], counted_new (round));
          break;
        }
    }
  g_atomic_int_set (&race.stop, 1);
  for (i = 0; i < G_N_ELEMENTS (readers); i++)
    g_thread_join (readers[i]);
  g_test_message ("%d copies made", race.copies);
  g_assert_cmpint (counted_alive, ==, (gint) wk_weak_key_dict_get_size (race.dict));
  for (i = 0; i < DUP_KEYS; i++)
    {
      wk_weak_clear (&race.weak[i]);
      g_clear_object (&race.keys[i]);
    }
  g_assert_cmpint (counted_alive, ==, 0);
  g_object_unref (race.dict);
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
  g_test_add_func ("/weak-key-dict/order", test_order);
  g_test_add_func ("/weak-key-dict/dup", test_dup);
  g_test_add_func ("/weak-key-dict/threads/dup", test_threads_dup);

  return g_test_run ();
}
