/* weak-value-dict.c: tests for WkWeakValueDict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <wk/wk.h>

#include "wk-test-util.h"

/* Keys are counted strings: the test checks each is destroyed once. */
static gint keys_alive;

static char *
key_new (const char *text)
{
  g_atomic_int_inc (&keys_alive);
  return g_strdup (text);
}

static void
key_free (gpointer key)
{
  g_atomic_int_add (&keys_alive, -1);
  g_free (key);
}

static WkWeakValueDict *
string_dict_new (void)
{
  keys_alive = 0;
  return wk_weak_value_dict_new (g_str_hash, g_str_equal, key_free);
}

static GObject *
lookup (WkWeakValueDict *dict,
        const char      *key)
{
  GObject *value = wk_weak_value_dict_lookup (dict, key);

  /* The caller only compares pointers; give the reference back. */
  if (value != NULL)
    g_object_unref (value);
  return value;
}

static void
test_basic (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (WK_TYPE_OBJECT, NULL);

  wk_weak_value_dict_insert (dict, key_new ("a"), a);
  wk_weak_value_dict_insert (dict, key_new ("b"), b);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 2);
  g_assert_true (lookup (dict, "a") == a);
  g_assert_true (lookup (dict, "b") == b);
  g_assert_null (lookup (dict, "c"));
  g_assert_true (wk_weak_value_dict_contains (dict, "a"));
  g_assert_false (wk_weak_value_dict_contains (dict, "c"));
  /* The dict holds no strong reference. */
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 1);

  g_assert_true (wk_weak_value_dict_remove (dict, "a"));
  g_assert_false (wk_weak_value_dict_remove (dict, "a"));
  g_assert_cmpint (keys_alive, ==, 1);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);

  g_object_unref (b);
  /* Its value died: the entry is gone, its key destroyed once. */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_null (lookup (dict, "b"));
  g_assert_cmpint (keys_alive, ==, 0);

  g_object_unref (a);
  g_object_unref (dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

static void
test_replace_then_old_dies (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *old = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *new = g_object_new (G_TYPE_OBJECT, NULL);

  wk_weak_value_dict_insert (dict, key_new ("k"), old);
  wk_weak_value_dict_insert (dict, key_new ("k"), new);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);
  /* Replaced as g_hash_table_replace() does: the old key went. */
  g_assert_cmpint (keys_alive, ==, 1);

  /* The old value's death must not remove the newer entry. */
  g_object_unref (old);
  g_assert_true (lookup (dict, "k") == new);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);

  g_object_unref (new);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

static void
test_dict_dies_first (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);

  wk_weak_value_dict_insert (dict, key_new ("a"), a);
  g_object_unref (dict);
  g_assert_cmpint (keys_alive, ==, 0);
  /* The value's death later touches nothing of the dict. */
  g_object_unref (a);
}

static void
test_steal (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  gpointer key = NULL, value = NULL;

  wk_weak_value_dict_insert (dict, key_new ("a"), a);
  g_assert_true (wk_weak_value_dict_steal (dict, "a", &key, &value));
  g_assert_cmpstr (key, ==, "a");
  g_assert_true (value == a);
  g_assert_cmpint (keys_alive, ==, 1);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_false (wk_weak_value_dict_steal (dict, "a", NULL, NULL));
  key_free (key);
  g_object_unref (value);
  g_object_unref (a);
  g_object_unref (dict);
}

static void
count_entry (gpointer key,
             gpointer value,
             gpointer user_data)
{
  g_assert_true (G_IS_OBJECT (value));
  (*(guint *) user_data)++;
}

static void
test_snapshots_and_foreach (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *objects[4];
  GPtrArray *keys, *values;
  guint i, n = 0;

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "k%u", i);
      objects[i] = g_object_new (G_TYPE_OBJECT, NULL);
      wk_weak_value_dict_insert (dict, key_new (name), objects[i]);
    }
  g_clear_object (&objects[1]);

  keys = wk_weak_value_dict_get_keys (dict);
  values = wk_weak_value_dict_get_values (dict);
  g_assert_cmpuint (keys->len, ==, 3);
  g_assert_cmpuint (values->len, ==, 3);
  for (i = 0; i < values->len; i++)
    {
      /* A strong snapshot: one reference per value. */
      g_assert_cmpuint (wk_object_get_ref_count (g_ptr_array_index (values, i)), ==, 2);
      g_object_unref (g_ptr_array_index (values, i));
    }
  g_ptr_array_unref (values);
  g_ptr_array_unref (keys);

  wk_weak_value_dict_foreach (dict, count_entry, &n);
  g_assert_cmpuint (n, ==, 3);

  wk_weak_value_dict_remove_all (dict);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    g_clear_object (&objects[i]);
  g_object_unref (dict);
}

/* Iteration survives deaths and removals made by the loop body. */
static void
test_iteration_survives_deaths (void)
{
  const guint n = 64;
  WkWeakValueDict *dict = string_dict_new ();
  GPtrArray *objects = g_ptr_array_new ();
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  WkWeakValueDictIter iter;
  gpointer key, value;
  guint i, yielded = 0;

  for (i = 0; i < n; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "k%u", i);
      g_ptr_array_add (objects, g_object_new (G_TYPE_OBJECT, NULL));
      wk_weak_value_dict_insert (dict, key_new (name), g_ptr_array_index (objects, i));
    }

  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      g_assert_true (G_IS_OBJECT (value));
      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, g_strdup (key));
      yielded++;
      /* Kill every other value not yet seen, remove one entry, and
       * replace the value of the current key. */
      for (i = 0; i < n; i += 2)
        {
          GObject *object = g_ptr_array_index (objects, i);

          if (object != NULL && object != value)
            {
              g_object_unref (object);
              g_ptr_array_index (objects, i) = NULL;
            }
        }
      wk_weak_value_dict_remove (dict, "k3");
      wk_weak_value_dict_insert (dict, key_new (key), value);
      /* The key handed out stays valid through the step. */
      g_assert_true (g_str_has_prefix (key, "k"));
    }

  /* Half died, one was removed; the current value at the first step
   * survived the killing. */
  g_assert_cmpuint (yielded, >=, n / 2 - 1);
  g_assert_cmpuint (yielded, <=, n / 2 + 1);
  /* The odd ones live, but k3, removed at the first step. */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, n / 2 - 1);
  g_assert_false (wk_weak_value_dict_contains (dict, "k3"));
  g_hash_table_unref (seen);

  for (i = 0; i < n; i++)
    g_clear_object ((GObject **) &g_ptr_array_index (objects, i));
  g_ptr_array_unref (objects);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
}

static void
test_iteration_finish_early (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  WkWeakValueDictIter iter;

  wk_weak_value_dict_insert (dict, key_new ("a"), a);
  wk_weak_value_dict_insert (dict, key_new ("b"), b);
  wk_weak_value_dict_iter_init (&iter, dict);
  g_assert_true (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
  g_object_unref (a);
  g_object_unref (b);
  /* The iterator keeps its current value alive; the other one is gone
   * from the view, its key waiting for the iteration's end. */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);
  g_assert_cmpint (keys_alive, ==, 2);
  wk_weak_value_dict_iter_finish (&iter);
  wk_weak_value_dict_iter_finish (&iter);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  /* New keys are welcome again. */
  a = g_object_new (G_TYPE_OBJECT, NULL);
  wk_weak_value_dict_insert (dict, key_new ("new"), a);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);
  g_object_unref (a);
  g_object_unref (dict);
}

static void
test_iteration_adds_new_keys (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  WkWeakValueDictIter iter;
  gpointer key;
  guint yielded = 0;

  wk_weak_value_dict_insert (dict, key_new ("a"), a);
  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, NULL))
    {
      yielded++;
      g_assert_cmpstr (key, ==, "a");
      /* A new key during the iteration: visible at once, not visited by
       * this iteration, and never refused (another thread may be the one
       * adding it). */
      wk_weak_value_dict_insert (dict, key_new ("b"), b);
      g_assert_true (lookup (dict, "b") == b);
      g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 2);
      /* Removing and replacing it during the iteration works too. */
      g_assert_true (wk_weak_value_dict_remove (dict, "b"));
      wk_weak_value_dict_insert (dict, key_new ("b"), a);
      wk_weak_value_dict_insert (dict, key_new ("b"), b);
    }
  g_assert_cmpuint (yielded, ==, 1);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 2);
  g_assert_true (lookup (dict, "b") == b);
  g_assert_cmpint (keys_alive, ==, 2);

  /* After the iteration the new key is an entry like any other. */
  g_object_unref (b);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);
  g_assert_cmpint (keys_alive, ==, 1);
  g_object_unref (a);
  g_object_unref (dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

static void
test_iteration_refuses_c_steal (void)
{
  if (g_test_subprocess ())
    {
      WkWeakValueDict *dict = string_dict_new ();
      GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
      WkWeakValueDictIter iter;
      gpointer key, value;

      wk_weak_value_dict_insert (dict, key_new ("a"), a);
      wk_weak_value_dict_iter_init (&iter, dict);
      g_assert_true (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
      /* The iteration may have handed out this key. */
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*being iterated*");
      g_assert_false (wk_weak_value_dict_steal (dict, "a", &key, &value));
      g_test_assert_expected_messages ();
      g_assert_false (wk_weak_value_dict_iter_next (&iter, NULL, NULL));
      g_assert_true (wk_weak_value_dict_steal (dict, "a", &key, &value));
      key_free (key);
      g_object_unref (value);
      g_object_unref (dict);
      g_assert_cmpint (keys_alive, ==, 0);
      g_object_unref (a);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
insert_self_in_dispose (GObject  *object,
                        gpointer  data)
{
  wk_weak_value_dict_insert (data, key_new ("dying"), object);
}

static void
test_insert_dying_value (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GObject *old = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *dying = wk_test_object_new (WK_TEST_TYPE_GOBJECT, NULL);

  wk_weak_value_dict_insert (dict, key_new ("dying"), old);
  wk_test_probe (dying)->dispose_hook = insert_self_in_dispose;
  wk_test_probe (dying)->dispose_data = dict;
  g_object_unref (dying);
  /* The key maps to nothing now: not to the old value either. */
  g_assert_null (lookup (dict, "dying"));
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (old);
  g_object_unref (dict);
}

static void
test_variant_keys (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  GVariantBuilder builder;
  GVariant *dict_key, *again;
  GObject *got;
  GPtrArray *keys, *values;

  wk_weak_value_dict_insert_variant (dict, g_variant_new ("(sx)", "a", (gint64) 1), a);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "w", g_variant_new_int32 (2));
  g_variant_builder_add (&builder, "{sv}", "h", g_variant_new_strv ((const char *[]) { "x", NULL }, -1));
  dict_key = g_variant_ref_sink (g_variant_builder_end (&builder));
  wk_weak_value_dict_insert_variant (dict, dict_key, b);

  /* Equal variants built anew find the entries. */
  got = wk_weak_value_dict_lookup_variant (dict, g_variant_new ("(sx)", "a", (gint64) 1));
  g_assert_true (got == a);
  g_object_unref (got);
  again = g_variant_new_parsed ("{'w': <int32 2>, 'h': <['x']>}");
  g_assert_true (wk_weak_value_dict_contains_variant (dict, again));
  g_assert_false (wk_weak_value_dict_contains_variant (dict, g_variant_new ("(sx)", "a", (gint64) 2)));
  g_assert_false (wk_weak_value_dict_contains_variant (dict, g_variant_new ("(si)", "a", 1)));

  wk_weak_value_dict_get_variant_items (dict, &keys, &values);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpuint (values->len, ==, 2);
  g_ptr_array_foreach (keys, (GFunc) (void (*) (void)) g_variant_unref, NULL);
  g_ptr_array_foreach (values, (GFunc) (void (*) (void)) g_object_unref, NULL);
  g_ptr_array_unref (keys);
  g_ptr_array_unref (values);

  got = wk_weak_value_dict_steal_variant (dict, g_variant_new ("(sx)", "a", (gint64) 1));
  g_assert_true (got == a);
  g_object_unref (got);
  g_assert_true (wk_weak_value_dict_remove_variant (dict, dict_key));
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);

  g_variant_unref (dict_key);
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (dict);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      WkWeakValueDict *plain = string_dict_new ();
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_WEAK_VALUE_DICT*");
      g_assert_cmpuint (wk_weak_value_dict_get_size (NULL), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_weak_value_dict_insert (plain, "static key", not_an_object);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*new_for_variants*");
      g_assert_null (wk_weak_value_dict_lookup_variant (plain, g_variant_new_string ("a")));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_WEAK_VALUE_DICT*");
      g_assert_null (wk_weak_value_dict_get_variant_keys (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
      wk_weak_value_dict_foreach (plain, NULL, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*iter != NULL*");
      g_assert_false (wk_weak_value_dict_iter_next (NULL, NULL, NULL));
      g_test_assert_expected_messages ();
      g_param_spec_unref (not_an_object);
      g_object_unref (plain);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A randomized differential test against a plain model: the dict must
 * answer like a table of (key -> object index) where killed objects drop
 * out. The seed is printed so that a failure can be replayed with
 * WK_TEST_SEED. */
#define N_KEYS    24
#define N_OBJECTS 16

static void
test_differential (void)
{
  guint32 seed = g_getenv ("WK_TEST_SEED") ? (guint32) g_ascii_strtoull (g_getenv ("WK_TEST_SEED"), NULL, 10)
                                            : (guint32) g_test_rand_int ();
  GRand *rand = g_rand_new_with_seed (seed);
  gint steps = wk_test_iterations (20000, 200000);
  WkWeakValueDict *dict = string_dict_new ();
  GObject *objects[N_OBJECTS] = { NULL, };
  gint model[N_KEYS];
  gint step, i;

  g_test_message ("seed %u (replay with WK_TEST_SEED=%u)", seed, seed);
  for (i = 0; i < N_KEYS; i++)
    model[i] = -1;

  for (step = 0; step < steps; step++)
    {
      gint k = g_rand_int_range (rand, 0, N_KEYS);
      gint o = g_rand_int_range (rand, 0, N_OBJECTS);
      char name[8];
      guint live = 0;

      g_snprintf (name, sizeof name, "%d", k);
      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:   /* insert (making the object if it is dead) */
          if (objects[o] == NULL)
            objects[o] = g_object_new (g_rand_boolean (rand) ? WK_TYPE_OBJECT : G_TYPE_OBJECT, NULL);
          wk_weak_value_dict_insert (dict, key_new (name), objects[o]);
          model[k] = o;
          break;
        case 1:   /* remove */
          g_assert_cmpint (wk_weak_value_dict_remove (dict, name), ==, model[k] >= 0);
          model[k] = -1;
          break;
        case 2:   /* kill an object */
          if (objects[o] != NULL)
            {
              g_clear_object (&objects[o]);
              for (i = 0; i < N_KEYS; i++)
                if (model[i] == o)
                  model[i] = -1;
            }
          break;
        case 3:   /* iterate, killing the object of the first entry */
          {
            WkWeakValueDictIter iter;
            gpointer key, value;
            guint n = 0;
            gboolean killed = FALSE;

            wk_weak_value_dict_iter_init (&iter, dict);
            while (wk_weak_value_dict_iter_next (&iter, &key, &value))
              {
                gint ki = atoi (key);

                g_assert_cmpint (model[ki], >=, 0);
                g_assert_true (objects[model[ki]] == value);
                n++;
                if (!killed && g_rand_boolean (rand))
                  {
                    gint victim = model[ki];

                    /* The iterator keeps the current value alive. */
                    g_clear_object (&objects[victim]);
                    for (i = 0; i < N_KEYS; i++)
                      if (model[i] == victim)
                        model[i] = -1;
                    killed = TRUE;
                  }
              }
            (void) n;
          }
          break;
        default:  /* look up */
          {
            GObject *got = wk_weak_value_dict_lookup (dict, name);

            g_assert_true (got == (model[k] >= 0 ? objects[model[k]] : NULL));
            g_clear_object (&got);
          }
          break;
        }

      for (i = 0; i < N_KEYS; i++)
        if (model[i] >= 0)
          live++;
      g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, live);
    }

  for (i = 0; i < N_OBJECTS; i++)
    g_clear_object (&objects[i]);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
  g_rand_free (rand);
}

/* One thread uses the dict while the values die in another. The handoff
 * queue uses pthreads so that thread sanitizers can follow it. */
typedef struct
{
  WkWeakValueDict *dict;
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  GQueue           doomed;
  gboolean         done;
} DeathRace;

static void
doom (DeathRace *race,
      GObject   *object)
{
  pthread_mutex_lock (&race->lock);
  if (object != NULL)
    g_queue_push_tail (&race->doomed, object);
  else
    race->done = TRUE;
  pthread_cond_signal (&race->cond);
  pthread_mutex_unlock (&race->lock);
}

static gpointer
killer (gpointer data)
{
  DeathRace *race = data;

  for (;;)
    {
      GObject *object;

      pthread_mutex_lock (&race->lock);
      while (g_queue_is_empty (&race->doomed) && !race->done)
        pthread_cond_wait (&race->cond, &race->lock);
      object = g_queue_pop_head (&race->doomed);
      pthread_mutex_unlock (&race->lock);
      if (object == NULL)
        return NULL;
      g_object_unref (object);
    }
}

static void
test_values_die_in_other_thread (void)
{
  DeathRace race = { string_dict_new (), PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                     G_QUEUE_INIT, FALSE };
  GThread *thread = g_thread_new ("killer", killer, &race);
  gint rounds = wk_test_iterations (20000, 200000);
  gint i, hits = 0;

  for (i = 0; i < rounds; i++)
    {
      char name[16];
      GObject *object = g_object_new (i % 2 ? WK_TYPE_OBJECT : G_TYPE_OBJECT, NULL);
      GObject *got;

      g_snprintf (name, sizeof name, "%d", i % 97);
      wk_weak_value_dict_insert (race.dict, key_new (name), object);
      doom (&race, object);   /* dies over there */
      got = wk_weak_value_dict_lookup (race.dict, name);
      if (got != NULL)
        {
          /* Never a value that has begun to die. */
          g_assert_true (G_IS_OBJECT (got));
          hits++;
          g_object_unref (got);
        }
      if (i % 64 == 0)
        {
          WkWeakValueDictIter iter;
          gpointer value;

          wk_weak_value_dict_iter_init (&iter, race.dict);
          while (wk_weak_value_dict_iter_next (&iter, NULL, &value))
            g_assert_true (G_IS_OBJECT (value));
        }
    }
  doom (&race, NULL);
  g_thread_join (thread);
  g_test_message ("%d rounds, %d lookups found the value alive", rounds, hits);
  g_assert_cmpuint (wk_weak_value_dict_get_size (race.dict), ==, 0);
  g_object_unref (race.dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

/* Iterations and snapshots in one thread never cost another thread an
 * insert. */
typedef struct
{
  WkWeakValueDict *dict;
  gint             stop;
  guint            passes;
} Walker;

static gpointer
walker (gpointer data)
{
  Walker *w = data;

  while (!g_atomic_int_get (&w->stop))
    {
      WkWeakValueDictIter iter;
      GPtrArray *values = wk_weak_value_dict_get_values (w->dict);
      guint i;

      for (i = 0; i < values->len; i++)
        g_object_unref (g_ptr_array_index (values, i));
      g_ptr_array_unref (values);
      wk_weak_value_dict_iter_init (&iter, w->dict);
      while (wk_weak_value_dict_iter_next (&iter, NULL, NULL))
        ;
      w->passes++;
    }
  return NULL;
}

static void
test_inserts_while_other_thread_iterates (void)
{
  const guint n = 4000;
  Walker w = { string_dict_new (), 0, 0 };
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);
  GThread *thread;
  guint i;

  thread = g_thread_new ("walker", walker, &w);
  for (i = 0; i < n; i++)
    {
      char name[16];
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

      g_snprintf (name, sizeof name, "%u", i);
      g_ptr_array_add (objects, object);
      wk_weak_value_dict_insert (w.dict, key_new (name), object);
      if (i % 3 == 0)
        {
          g_snprintf (name, sizeof name, "%u", i / 2);
          wk_weak_value_dict_remove (w.dict, name);
        }
    }
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  g_test_message ("%u passes over the dict meanwhile", w.passes);
  /* Every insert landed, every removal too. */
  for (i = 0; i < n; i++)
    {
      char name[16];
      gboolean removed = FALSE;
      guint j;

      g_snprintf (name, sizeof name, "%u", i);
      for (j = 0; j < n; j += 3)
        if (j / 2 == i && j >= i)
          removed = TRUE;
      g_assert_cmpint (wk_weak_value_dict_contains (w.dict, name), ==, !removed);
    }
  g_ptr_array_unref (objects);
  g_assert_cmpuint (wk_weak_value_dict_get_size (w.dict), ==, 0);
  g_object_unref (w.dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

/* The same value made in different ways (tree form or serialized,
 * trusted or not, small enough for GLib 2.84 to keep inline or not) is
 * one key: the dict's hash agrees with g_variant_equal(). Small
 * bytestrings are the case GLib 2.84's g_variant_get_child_value() cannot
 * take (GLib issue 3863); the hash must not need it. */
static GVariant *
untrusted_copy (GVariant *variant)
{
  GVariant *normal = g_variant_get_normal_form (variant);
  GBytes *bytes = g_bytes_new (g_variant_get_data (normal), g_variant_get_size (normal));
  GVariant *copy = g_variant_ref_sink (g_variant_new_from_bytes (g_variant_get_type (normal), bytes, FALSE));

  g_bytes_unref (bytes);
  g_variant_unref (normal);
  return copy;
}

/* Printed, then parsed back. */
static GVariant *
reparsed_copy (GVariant *variant)
{
  char *text = g_variant_print (variant, TRUE);
  GVariant *copy = g_variant_ref_sink (g_variant_new_parsed (text));

  g_free (text);
  return copy;
}

/* Built child by child with a GVariantBuilder (tree form). Arrays of
 * bytes are read with g_variant_get_fixed_array(): their children are
 * what GLib 2.84 cannot hand out for small bytestrings. */
static GVariant *
tree_form_copy (GVariant *variant)
{
  GVariantIter iter;
  GVariant *child;
  GVariantBuilder builder;

  if (!g_variant_is_container (variant))
    return reparsed_copy (variant);
  g_variant_builder_init (&builder, g_variant_get_type (variant));
  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_BYTESTRING))
    {
      gsize i, n;
      const guint8 *bytes = g_variant_get_fixed_array (variant, &n, 1);

      for (i = 0; i < n; i++)
        g_variant_builder_add_value (&builder, g_variant_new_byte (bytes[i]));
      return g_variant_ref_sink (g_variant_builder_end (&builder));
    }
  g_variant_iter_init (&iter, variant);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      GVariant *copy = tree_form_copy (child);

      g_variant_builder_add_value (&builder, copy);
      g_variant_unref (copy);
      g_variant_unref (child);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
test_variant_key_forms (void)
{
  static const gint32 ints[] = { 1, -2, 3 };
  static const gint16 shorts[] = { -1, 2 };
  static const double doubles[] = { 0.5, -3.0, 1e300 };
  char *long_text = g_strnfill (200, 'x');
  /* Longer than what a lookup serialises on its stack. */
  char *longer_text = g_strnfill (1000, 'z');
  GVariant *keys[] = {
    g_variant_new_bytestring ("c"),
    g_variant_new_bytestring (""),
    g_variant_new_bytestring (long_text),
    g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "xyz", 3, 1),
    g_variant_new_string ("s"),
    g_variant_new_string (long_text),
    g_variant_new_object_path ("/a/b"),
    g_variant_new_signature ("a{sv}"),
    g_variant_new_boolean (TRUE),
    g_variant_new_byte (200),
    g_variant_new_int16 (-5),
    g_variant_new_uint16 (65535),
    g_variant_new_int32 (-7),
    g_variant_new_uint32 (G_MAXUINT32),
    g_variant_new_int64 (G_MININT64),
    g_variant_new_uint64 (G_MAXUINT64),
    g_variant_new_handle (3),
    g_variant_new_double (-0.0),
    g_variant_new_double (2.5),
    g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, ints, G_N_ELEMENTS (ints), sizeof ints[0]),
    g_variant_new_fixed_array (G_VARIANT_TYPE_INT16, shorts, G_N_ELEMENTS (shorts), sizeof shorts[0]),
    g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, doubles, G_N_ELEMENTS (doubles), sizeof doubles[0]),
    g_variant_new_parsed ("[true, false]"),
    g_variant_new_parsed ("@ai []"),
    g_variant_new_parsed ("(b'ab', [b'c', b''], <b'd'>, @may nothing, just b'e')"),
    g_variant_new_parsed ("{'k': <(int16 1, b'f')>}"),
    g_variant_new_parsed ("@mi nothing"),
    g_variant_new_parsed ("['x', 'y']"),
    g_variant_new_variant (g_variant_new_bytestring ("g")),
    g_variant_new_string (longer_text),
    g_variant_new ("(sxs)", longer_text, (gint64) 5, "t"),
    g_variant_new_parsed ("()"),
  };
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);
  gsize i, j;

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

      g_variant_ref_sink (keys[i]);
      g_ptr_array_add (objects, object);
      wk_weak_value_dict_insert_variant (dict, keys[i], object);
    }
  /* Distinct values, distinct entries. */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, G_N_ELEMENTS (keys));

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GVariant *forms[] = {
        untrusted_copy (keys[i]),
        tree_form_copy (keys[i]),
        g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (keys[i]),
                                                     g_variant_get_data (keys[i]),
                                                     g_variant_get_size (keys[i]),
                                                     TRUE, NULL, NULL)),
        reparsed_copy (keys[i]),
      };

      for (j = 0; j < G_N_ELEMENTS (forms); j++)
        {
          GObject *found;

          g_assert_true (g_variant_equal (keys[i], forms[j]));
          found = wk_weak_value_dict_lookup_variant (dict, forms[j]);
          if (found != objects->pdata[i])
            g_error ("key %s, form %" G_GSIZE_FORMAT ": not found",
                     g_variant_get_type_string (keys[i]), j);
          g_object_unref (found);
          /* The key as a member of a container, too: a tuple of one. */
          wk_weak_value_dict_insert_variant (dict, g_variant_new_tuple (&keys[i], 1), objects->pdata[i]);
          g_assert_true (wk_weak_value_dict_contains_variant (dict, g_variant_new_tuple (&forms[j], 1)));
          g_assert_true (wk_weak_value_dict_remove_variant (dict, g_variant_new_tuple (&forms[j], 1)));
          g_variant_unref (forms[j]);
        }
      /* The _string calls find exactly the 's' keys. */
      if (g_variant_is_of_type (keys[i], G_VARIANT_TYPE_STRING))
        g_assert_true (wk_weak_value_dict_contains_string (dict, g_variant_get_string (keys[i], NULL)));
    }
  g_assert_true (wk_weak_value_dict_contains_string (dict, long_text));
  g_assert_false (wk_weak_value_dict_contains_string (dict, "c"));   /* only the 'ay' b'c' */
  g_assert_false (wk_weak_value_dict_contains_string (dict, "/a/b"));   /* only an 'o' */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, G_N_ELEMENTS (keys));

  /* 0.0 and -0.0 are different keys (g_variant_equal compares them so),
   * as are the same bytes under two types. */
  g_assert_false (wk_weak_value_dict_contains_variant (dict, g_variant_new_double (0.0)));
  g_assert_false (wk_weak_value_dict_contains_variant (dict, g_variant_new_uint16 ((guint16) -5)));
  g_assert_false (wk_weak_value_dict_contains_variant (dict, g_variant_new_string ("c")));

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    g_variant_unref (keys[i]);
  g_ptr_array_unref (objects);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
  g_free (long_text);
  g_free (longer_text);
}

/* The C calls that hand out borrowed keys (the iterator, foreach,
 * get_keys) hand out GVariants on a dict made for variants, whatever call
 * stored the key, and each stays valid while its entry stays. */
static void
collect_foreach_key (gpointer key,
                     gpointer value,
                     gpointer user_data)
{
  g_ptr_array_add (user_data, g_variant_ref (key));
}

static void
test_variant_keys_borrowed (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  GVariant *tuple = g_variant_ref_sink (g_variant_new ("(xs)", (gint64) 7, "seven"));
  GVariant *text = g_variant_ref_sink (g_variant_new_string ("text"));
  WkWeakValueDictIter iter;
  GPtrArray *keys, *seen = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  gpointer key, value, first = NULL;
  guint n = 0;

  wk_weak_value_dict_insert_string (dict, "text", a);
  wk_weak_value_dict_insert_variant (dict, tuple, b);

  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      g_assert_true (g_variant_equal (key, n == 0 ? text : tuple));
      g_assert_true (value == (n == 0 ? a : b));
      if (n == 0)
        first = key;
      n++;
    }
  g_assert_cmpuint (n, ==, 2);

  /* The same borrowed key again, still valid. */
  keys = wk_weak_value_dict_get_keys (dict);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_true (keys->pdata[0] == first);
  g_assert_cmpstr (g_variant_get_string (keys->pdata[0], NULL), ==, "text");
  g_assert_true (g_variant_equal (keys->pdata[1], tuple));
  g_ptr_array_unref (keys);

  wk_weak_value_dict_foreach (dict, collect_foreach_key, seen);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_true (g_variant_equal (seen->pdata[1], tuple));

  /* A value nested deeper than GLib takes type strings for (128 levels)
   * is a key too, and is handed out again. */
  {
    GVariant *deep = g_variant_new_string ("leaf"), *deep_key;
    int level;

    for (level = 0; level < 129; level++)
      deep = g_variant_new_tuple (&deep, 1);
    deep_key = g_variant_ref_sink (deep);
    wk_weak_value_dict_insert_variant (dict, deep_key, a);
    keys = wk_weak_value_dict_get_variant_keys (dict);
    g_assert_cmpuint (keys->len, ==, 3);
    g_assert_true (g_variant_equal (keys->pdata[2], deep_key));
    g_ptr_array_foreach (keys, (GFunc) (void (*) (void)) g_variant_unref, NULL);
    g_ptr_array_unref (keys);
    g_assert_true (wk_weak_value_dict_remove_variant (dict, deep_key));
    g_variant_unref (deep_key);
  }

  /* Replacing a value, with another object or the same one, keeps the
   * entry and so its borrowed key. */
  keys = wk_weak_value_dict_get_keys (dict);
  wk_weak_value_dict_insert_string (dict, "text", b);
  wk_weak_value_dict_insert_variant (dict, tuple, b);
  wk_weak_value_dict_insert_variant (dict, g_variant_new ("(xs)", (gint64) 7, "seven"), a);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 2);
  g_assert_cmpstr (g_variant_get_string (keys->pdata[0], NULL), ==, "text");
  g_assert_true (g_variant_equal (keys->pdata[1], tuple));
  {
    /* The very same borrowed keys: the stored ones stayed. */
    GPtrArray *again = wk_weak_value_dict_get_keys (dict);

    g_assert_true (again->pdata[0] == keys->pdata[0] && again->pdata[1] == keys->pdata[1]);
    g_ptr_array_unref (again);
  }
  g_ptr_array_unref (keys);
  wk_weak_value_dict_insert_string (dict, "text", a);
  wk_weak_value_dict_insert_variant (dict, tuple, b);

  /* A key kept with a reference outlives its entry. */
  g_assert_true (wk_weak_value_dict_remove_string (dict, "text"));
  g_assert_cmpstr (g_variant_get_string (seen->pdata[0], NULL), ==, "text");

  g_ptr_array_unref (seen);
  g_variant_unref (tuple);
  g_variant_unref (text);
  g_object_unref (dict);
  g_object_unref (a);
  g_object_unref (b);
}

/* The string calls are the variant calls with an 's' key: each finds
 * what the other stored, and nothing stored under another type. */
static void
test_string_keys (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *found;

  wk_weak_value_dict_insert_variant (dict, g_variant_new_string ("a"), a);
  wk_weak_value_dict_insert_string (dict, "b", b);
  wk_weak_value_dict_insert_variant (dict, g_variant_new_bytestring ("c"), a);
  wk_weak_value_dict_insert_string (dict, "\xc3\xa9t\xc3\xa9", b);   /* "été" */
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 4);

  found = wk_weak_value_dict_lookup_string (dict, "a");
  g_assert_true (found == a);
  g_object_unref (found);
  found = wk_weak_value_dict_lookup_variant (dict, g_variant_new_string ("b"));
  g_assert_true (found == b);
  g_object_unref (found);
  found = wk_weak_value_dict_lookup_variant (dict, g_variant_new_string ("\xc3\xa9t\xc3\xa9"));
  g_assert_true (found == b);
  g_object_unref (found);
  g_assert_null (wk_weak_value_dict_lookup_string (dict, "c"));   /* an 'ay' key */
  g_assert_null (wk_weak_value_dict_lookup_string (dict, "missing"));
  g_assert_true (wk_weak_value_dict_contains_string (dict, "b"));
  g_assert_false (wk_weak_value_dict_contains_string (dict, "c"));

  /* Replacing through one face, removing through the other. */
  wk_weak_value_dict_insert_string (dict, "a", b);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 4);
  found = wk_weak_value_dict_lookup_variant (dict, g_variant_new_string ("a"));
  g_assert_true (found == b);
  g_object_unref (found);
  g_assert_true (wk_weak_value_dict_remove_string (dict, "a"));
  g_assert_false (wk_weak_value_dict_remove_string (dict, "a"));
  g_assert_true (wk_weak_value_dict_remove_variant (dict, g_variant_new_string ("b")));
  g_assert_false (wk_weak_value_dict_remove_string (dict, "b"));

  /* A value that dies takes its string-keyed entry with it. */
  g_object_unref (b);
  g_assert_false (wk_weak_value_dict_contains_string (dict, "\xc3\xa9t\xc3\xa9"));
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 1);
  g_object_unref (a);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
}

/* ---- Order ------------------------------------------------------------ */

/* Values carry the name of their key, so that a snapshot of values can
 * be read as a list of keys. */
static GObject *
named_new (const char *name)
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
append_foreach (gpointer key,
                gpointer value,
                gpointer user_data)
{
  append_name (user_data, key);
}

/* The dict's keys, in the order of each way of walking it, which must
 * agree; returned as "a b c". */
static char *
order_of (WkWeakValueDict *dict)
{
  GString *by_iter = g_string_new (NULL), *by_foreach = g_string_new (NULL);
  GString *by_keys = g_string_new (NULL), *by_values = g_string_new (NULL);
  WkWeakValueDictIter iter;
  GPtrArray *keys, *values;
  gpointer key, value;
  guint i;

  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      g_assert_cmpstr (key, ==, g_object_get_data (value, "name"));
      append_name (by_iter, key);
    }
  wk_weak_value_dict_foreach (dict, append_foreach, by_foreach);
  keys = wk_weak_value_dict_get_keys (dict);
  for (i = 0; i < keys->len; i++)
    append_name (by_keys, g_ptr_array_index (keys, i));
  values = wk_weak_value_dict_get_values (dict);
  for (i = 0; i < values->len; i++)
    append_name (by_values, g_object_get_data (g_ptr_array_index (values, i), "name"));
  wk_test_unref_all (values);
  g_ptr_array_unref (keys);

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

/* Objects by name, for a test to set and drop. */
static GHashTable *
named_objects_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
set_named (WkWeakValueDict *dict,
           GHashTable      *objects,
           const char      *name)
{
  GObject *object = named_new (name);

  wk_weak_value_dict_insert (dict, key_new (name), object);
  g_hash_table_replace (objects, g_strdup (name), object);
}

static void
test_order_insertion (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GHashTable *objects = named_objects_new ();
  const char *names[] = { "a", "b", "c", "d", "e" };
  GObject *c;
  guint i;

  assert_order (dict, "");
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    set_named (dict, objects, names[i]);
  assert_order (dict, "a b c d e");

  /* Re-setting a present key keeps its place, with a new value or the
   * same one. */
  set_named (dict, objects, "c");
  assert_order (dict, "a b c d e");
  c = g_hash_table_lookup (objects, "c");
  wk_weak_value_dict_insert (dict, key_new ("c"), c);
  assert_order (dict, "a b c d e");
  g_assert_cmpint (keys_alive, ==, 5);

  /* Removing and setting again puts it last. */
  g_assert_true (wk_weak_value_dict_remove (dict, "b"));
  assert_order (dict, "a c d e");
  set_named (dict, objects, "b");
  assert_order (dict, "a c d e b");

  /* So does the death of its value, in the middle. */
  g_hash_table_remove (objects, "d");
  assert_order (dict, "a c e b");
  set_named (dict, objects, "d");
  assert_order (dict, "a c e b d");

  /* The first and the last. */
  g_hash_table_remove (objects, "a");
  g_hash_table_remove (objects, "d");
  assert_order (dict, "c e b");
  set_named (dict, objects, "a");
  assert_order (dict, "c e b a");

  /* A steal leaves the order of the rest. */
  {
    gpointer key = NULL, value = NULL;

    g_assert_true (wk_weak_value_dict_steal (dict, "e", &key, &value));
    key_free (key);
    g_object_unref (value);
  }
  assert_order (dict, "c b a");

  wk_weak_value_dict_remove_all (dict);
  assert_order (dict, "");
  set_named (dict, objects, "z");
  set_named (dict, objects, "c");
  assert_order (dict, "z c");

  g_hash_table_unref (objects);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
}

/* Many entries, holes and rebuilds: the order is the order of the last
 * insertion of each key, whatever the table did meanwhile. */
static void
test_order_through_rebuilds (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GHashTable *objects = named_objects_new ();
  GString *expected = g_string_new (NULL);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  const guint n = 600;
  guint i, round;
  char *got;

  for (i = 0; i < n; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "k%u", i);
      set_named (dict, objects, name);
      g_array_append_val (order, i);
    }
  for (round = 0; round < 3; round++)
    {
      guint kept = 0;

      /* Remove some, kill some, re-set some in place, and set the removed
       * and the dead again, last, in a mixed order. */
      for (i = 0; i < order->len; i++)
        {
          guint k = g_array_index (order, guint, i);
          char name[16];

          g_snprintf (name, sizeof name, "k%u", k);
          if ((k + round) % 3 == 0)
            g_assert_true (wk_weak_value_dict_remove (dict, name));
          else if ((k + round) % 5 == 1)
            g_hash_table_remove (objects, name);
          else
            {
              if ((k + round) % 7 == 2)
                set_named (dict, objects, name);
              g_array_index (order, guint, kept++) = k;
            }
        }
      for (i = 0; i < n; i++)
        {
          guint k = (i * 7 + round) % n;
          char name[16];

          g_snprintf (name, sizeof name, "k%u", k);
          if (!wk_weak_value_dict_contains (dict, name))
            {
              set_named (dict, objects, name);
              g_array_index (order, guint, kept++) = k;
            }
        }
      g_assert_cmpuint (kept, ==, n);
      g_array_set_size (order, kept);
      g_string_truncate (expected, 0);
      for (i = 0; i < order->len; i++)
        {
          char name[16];

          g_snprintf (name, sizeof name, "k%u", g_array_index (order, guint, i));
          append_name (expected, name);
        }
      got = order_of (dict);
      g_assert_cmpstr (got, ==, expected->str);
      g_free (got);
      g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, n);
    }

  g_hash_table_unref (objects);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
  g_array_unref (order);
  g_string_free (expected, TRUE);
}

/* An iteration that makes the table grow (and so rebuild it) goes on
 * over the keys it began with, in order, and visits none of the new ones;
 * after it they come last, in their order. */
static void
test_order_iteration_while_growing (void)
{
  WkWeakValueDict *dict = string_dict_new ();
  GHashTable *objects = named_objects_new ();
  GString *seen = g_string_new (NULL), *expected = g_string_new (NULL);
  WkWeakValueDictIter iter;
  gpointer key;
  guint i, added = 0;
  char *got;

  for (i = 0; i < 8; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "old%u", i);
      set_named (dict, objects, name);
      if (i != 5)
        append_name (expected, name);
    }
  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, NULL))
    {
      append_name (seen, key);
      for (i = 0; i < 50; i++, added++)
        {
          char name[16];

          g_snprintf (name, sizeof name, "new%u", added);
          set_named (dict, objects, name);
        }
      /* A death and a removal ahead of the iteration. */
      g_hash_table_remove (objects, "old5");
      wk_weak_value_dict_remove (dict, "new3");
    }
  g_assert_cmpstr (seen->str, ==, expected->str);
  for (i = 0; i < added; i++)
    {
      char name[16];

      if (i == 3)
        continue;
      g_snprintf (name, sizeof name, "new%u", i);
      append_name (expected, name);
    }
  got = order_of (dict);
  g_assert_cmpstr (got, ==, expected->str);
  g_free (got);

  g_hash_table_unref (objects);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
  g_string_free (seen, TRUE);
  g_string_free (expected, TRUE);
}

static void
test_order_variants (void)
{
  WkWeakValueDict *dict = wk_weak_value_dict_new_for_variants ();
  GHashTable *objects = named_objects_new ();
  const char *names[] = { "x", "b", "m", "a" };
  GPtrArray *keys, *values;
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GObject *object = named_new (names[i]);

      wk_weak_value_dict_insert_string (dict, names[i], object);
      g_hash_table_replace (objects, g_strdup (names[i]), object);
    }
  wk_weak_value_dict_insert_variant (dict, g_variant_new_string ("b"), g_hash_table_lookup (objects, "a"));
  g_assert_true (wk_weak_value_dict_remove_string (dict, "x"));
  wk_weak_value_dict_insert_string (dict, "x", g_hash_table_lookup (objects, "x"));

  keys = wk_weak_value_dict_get_variant_keys (dict);
  for (i = 0; i < keys->len; i++)
    {
      append_name (s, g_variant_get_string (g_ptr_array_index (keys, i), NULL));
      g_variant_unref (g_ptr_array_index (keys, i));
    }
  g_ptr_array_unref (keys);
  g_assert_cmpstr (s->str, ==, "b m a x");

  wk_weak_value_dict_get_variant_items (dict, &keys, &values);
  g_string_truncate (s, 0);
  for (i = 0; i < keys->len; i++)
    {
      append_name (s, g_variant_get_string (g_ptr_array_index (keys, i), NULL));
      append_name (s, g_object_get_data (g_ptr_array_index (values, i), "name"));
      g_variant_unref (g_ptr_array_index (keys, i));
    }
  g_ptr_array_unref (keys);
  wk_test_unref_all (values);
  g_assert_cmpstr (s->str, ==, "b a m m a a x x");

  g_hash_table_unref (objects);
  g_object_unref (dict);
  g_string_free (s, TRUE);
}

/* One thread iterates, again and again, while others insert (new keys,
 * and keys removed before, which go last) and kill values. Each value
 * carries the number of its insertion: an iteration yields values whose
 * numbers only grow (the table keeps insertion order), all alive, none
 * inserted after it began. */
#define ORDER_KEYS 256

typedef struct
{
  WkWeakValueDict *dict;
  pthread_mutex_t  insert_lock;   /* numbers insertions in their order */
  gint             seq;           /* (atomic) insertions numbered so far */
  gint             stop;          /* (atomic) */
} OrderRace;

typedef struct
{
  OrderRace *race;
  guint      index;
} OrderWriter;

static gpointer
order_writer (gpointer data)
{
  OrderWriter *writer = data;
  OrderRace *race = writer->race;
  GObject *held[ORDER_KEYS / 2] = { NULL, };
  GRand *rand = g_rand_new_with_seed (writer->index);
  guint base = writer->index * (ORDER_KEYS / 2), k;

  while (!g_atomic_int_get (&race->stop))
    {
      char name[16];

      k = g_rand_int_range (rand, 0, ORDER_KEYS / 2);
      g_snprintf (name, sizeof name, "k%u", base + k);
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
        case 1:
          if (held[k] == NULL)
            {
              /* It goes last, after every insertion numbered before. (A
               * value we dropped may live on in the iterator's hands, and
               * its entry with it: out first, not replaced in place.) */
              GObject *object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, NULL);

              pthread_mutex_lock (&race->insert_lock);
              wk_weak_value_dict_remove (race->dict, name);
              /* In the probe, not in qdata (see model_value_new()). */
              wk_test_probe (object)->dispose_data =
                GINT_TO_POINTER (g_atomic_int_add (&race->seq, 1) + 1);
              wk_weak_value_dict_insert (race->dict, key_new (name), object);
              pthread_mutex_unlock (&race->insert_lock);
              held[k] = object;
            }
          break;
        case 2:
          if (held[k] != NULL)
            wk_weak_value_dict_remove (race->dict, name);
          g_clear_object (&held[k]);
          break;
        default:
          g_clear_object (&held[k]);   /* the value dies here */
          break;
        }
    }
  for (k = 0; k < G_N_ELEMENTS (held); k++)
    g_clear_object (&held[k]);
  g_rand_free (rand);
  return NULL;
}

static void
test_threads_order_while_inserting_and_killing (void)
{
  OrderRace race = { string_dict_new (), PTHREAD_MUTEX_INITIALIZER, 0, 0 };
  OrderWriter writers[2];
  GThread *threads[2];
  gint64 until = g_get_monotonic_time () + (g_test_thorough () ? 5 : 1) * G_USEC_PER_SEC;
  guint i, yielded = 0, iterations = 0;

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      writers[i].race = &race;
      writers[i].index = i;
      threads[i] = g_thread_new ("writer", order_writer, &writers[i]);
    }

  while (g_get_monotonic_time () < until || iterations < 10)
    {
      WkWeakValueDictIter iter;
      gpointer key, value;
      gint last = 0, bound;

      wk_weak_value_dict_iter_init (&iter, race.dict);
      /* Anything numbered after this was inserted after the iteration
       * began. */
      bound = g_atomic_int_get (&race.seq);
      while (wk_weak_value_dict_iter_next (&iter, &key, &value))
        {
          gint seq = GPOINTER_TO_INT (wk_test_probe (value)->dispose_data);

          /* Alive, not even begun to die, and kept so until the next step. */
          g_assert_cmpint (g_atomic_int_get (&wk_test_probe (value)->dispose_count), ==, 0);
          g_assert_cmpint (seq, >, last);
          g_assert_cmpint (seq, <=, bound);
          g_assert_true (g_str_has_prefix (key, "k"));
          last = seq;
          yielded++;
        }
      iterations++;
    }
  g_atomic_int_set (&race.stop, 1);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_test_message ("%u iterations, %u entries yielded", iterations, yielded);
  g_assert_cmpuint (wk_weak_value_dict_get_size (race.dict), ==, 0);
  g_object_unref (race.dict);
  g_assert_cmpint (keys_alive, ==, 0);
}

/* ---- A model under threads -------------------------------------------- */

/* Each thread owns some keys and keeps a model of them: which are in the
 * dict, with which value, in which order. It inserts (replacing in place
 * or adding last), removes, drops values so that they die in its thread
 * or hands them to a killer thread, and checks lookups, iterations and
 * snapshots against the model, while the other threads do the same to
 * their keys. A value it let go of may live on a little in another
 * thread's iteration or snapshot, and its entry with it, so the key is in
 * doubt until the value has been finalized (after its death has been
 * processed); then its entry must be gone. */
#define MODEL_THREADS  3
#define MODEL_KEYS     40

typedef struct
{
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  GQueue           queue;   /* GObject */
  gboolean         done;
} KillQueue;

static void
kill_queue_push (KillQueue *kq,
                 GObject   *object)
{
  pthread_mutex_lock (&kq->lock);
  if (object != NULL)
    g_queue_push_tail (&kq->queue, object);
  else
    kq->done = TRUE;
  pthread_cond_signal (&kq->cond);
  pthread_mutex_unlock (&kq->lock);
}

static gpointer
kill_queue_thread (gpointer data)
{
  KillQueue *kq = data;

  for (;;)
    {
      GObject *object;

      pthread_mutex_lock (&kq->lock);
      while (g_queue_is_empty (&kq->queue) && !kq->done)
        pthread_cond_wait (&kq->cond, &kq->lock);
      object = g_queue_pop_head (&kq->queue);
      pthread_mutex_unlock (&kq->lock);
      if (object == NULL)
        return NULL;
      g_object_unref (object);
    }
}

typedef struct
{
  GObject   *object;     /* the value, held; NULL if none */
  gint      *flag;       /* the value's finalize counter */
  gpointer   doomed;     /* a value let go of (compared, never used) */
  gint      *finalized;  /* (atomic) the doomed value's counter */
  gboolean   in_dict;
  guint64    rank;       /* when it was put last */
} ModelSlot;

typedef struct
{
  WkWeakValueDict *dict;
  KillQueue       *kq;
  guint            index;
  gint             ops;
  ModelSlot        slots[MODEL_KEYS];
  GPtrArray       *flags;   /* every value's counter, freed at the end */
  guint64          clock;
  guint            checks;
  guint            doubts;
} ModelThread;

static void
model_name (ModelThread *t,
            guint        k,
            char        *name,
            gsize        size)
{
  g_snprintf (name, size, "t%u-%u", t->index, k);
}

/* The values' names, for the whole test: a value carries a pointer to
 * its name in its probe, not in qdata, which its finalize frees in
 * whichever thread drops the last reference, with an ordering inside
 * GLib that ThreadSanitizer cannot see. */
static char model_names[MODEL_THREADS][MODEL_KEYS][16];

/* Its name and its finalize counter are set before any other thread can
 * see the value (through the dict, whose ordering TSan sees). */
static GObject *
model_value_new (ModelThread *t,
                 guint        k,
                 gint       **flag)
{
  GObject *object;

  *flag = g_new0 (gint, 1);
  g_ptr_array_add (t->flags, *flag);
  object = wk_test_object_new (WK_TEST_TYPE_GOBJECT, *flag);
  wk_test_probe (object)->dispose_data = model_names[t->index][k];
  return object;
}

static const char *
model_value_name (gpointer value)
{
  return wk_test_probe (value)->dispose_data;
}

/* The value of @slot, in the dict, is let go of: in doubt until it is
 * finalized, by whichever thread drops its last reference. */
static void
model_doom (ModelThread *t,
            ModelSlot   *slot,
            gboolean     elsewhere)
{
  GObject *object = g_steal_pointer (&slot->object);

  slot->doomed = object;
  slot->finalized = slot->flag;
  if (elsewhere)
    kill_queue_push (t->kq, object);
  else
    g_object_unref (object);
}

/* Whether @slot is in doubt, after settling it if its value is gone. */
static gboolean
model_in_doubt (ModelSlot *slot)
{
  if (slot->finalized == NULL)
    return FALSE;
  if (g_atomic_int_get (slot->finalized) == 0)
    return TRUE;
  slot->finalized = NULL;
  slot->doomed = NULL;
  slot->in_dict = FALSE;
  return FALSE;
}

/* The model's keys in order, but those in doubt, as "t0-3 t0-1". */
static char *
model_order (ModelThread *t)
{
  GString *s = g_string_new (NULL);
  guint64 last = 0;

  for (;;)
    {
      guint k, best = MODEL_KEYS;
      char name[16];

      for (k = 0; k < MODEL_KEYS; k++)
        if (t->slots[k].in_dict && t->slots[k].finalized == NULL && t->slots[k].rank > last &&
            (best == MODEL_KEYS || t->slots[k].rank < t->slots[best].rank))
          best = k;
      if (best == MODEL_KEYS)
        return g_string_free (s, FALSE);
      last = t->slots[best].rank;
      model_name (t, best, name, sizeof name);
      append_name (s, name);
    }
}

/* Whether @key is one of @t's keys not in doubt. */
static gboolean
model_owns (ModelThread *t,
            const char  *key)
{
  char prefix[16];
  guint k;

  g_snprintf (prefix, sizeof prefix, "t%u-", t->index);
  if (!g_str_has_prefix (key, prefix))
    return FALSE;
  k = (guint) g_ascii_strtoull (key + strlen (prefix), NULL, 10);
  g_assert_cmpuint (k, <, MODEL_KEYS);
  return t->slots[k].finalized == NULL;
}

static void
model_check_walks (ModelThread *t)
{
  GString *by_iter = g_string_new (NULL), *by_values = g_string_new (NULL);
  WkWeakValueDictIter iter;
  GPtrArray *values;
  gpointer key, value;
  char *expected;
  guint i;

  for (i = 0; i < MODEL_KEYS; i++)
    model_in_doubt (&t->slots[i]);
  expected = model_order (t);
  wk_weak_value_dict_iter_init (&iter, t->dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      /* Every thread's entries pair keys and values right, and none is
       * dead. */
      g_assert_cmpstr (key, ==, model_value_name (value));
      g_assert_cmpint (g_atomic_int_get (&wk_test_probe (value)->dispose_count), ==, 0);
      if (model_owns (t, key))
        append_name (by_iter, key);
    }
  values = wk_weak_value_dict_get_values (t->dict);
  for (i = 0; i < values->len; i++)
    {
      const char *name = model_value_name (g_ptr_array_index (values, i));

      if (model_owns (t, name))
        append_name (by_values, name);
    }
  wk_test_unref_all (values);
  g_assert_cmpstr (by_iter->str, ==, expected);
  g_assert_cmpstr (by_values->str, ==, expected);
  g_string_free (by_iter, TRUE);
  g_string_free (by_values, TRUE);
  g_free (expected);
  t->checks++;
}

static gpointer
model_thread (gpointer data)
{
  ModelThread *t = data;
  GRand *rand = g_rand_new_with_seed (t->index * 7919 + 1);
  gint op;

  for (op = 0; op < t->ops; op++)
    {
      guint k = g_rand_int_range (rand, 0, MODEL_KEYS);
      ModelSlot *slot = &t->slots[k];
      char name[16];
      GObject *got;

      model_name (t, k, name, sizeof name);
      if (model_in_doubt (slot))
        {
          /* A lookup finds the doomed value or nothing. */
          got = wk_weak_value_dict_lookup (t->dict, name);
          g_assert_true (got == NULL || got == slot->doomed);
          g_clear_object (&got);
          t->doubts++;
          g_thread_yield ();
          continue;
        }

      switch (g_rand_int_range (rand, 0, 10))
        {
        case 0:
        case 1:
        case 2:
          {
            gint *flag;
            GObject *object = model_value_new (t, k, &flag);

            wk_weak_value_dict_insert (t->dict, key_new (name), object);
            if (!slot->in_dict)
              slot->rank = ++t->clock;
            slot->in_dict = TRUE;
            /* The old value dies now or a little later, and must not take
             * the new entry with it. */
            g_clear_object (&slot->object);
            slot->object = object;
            slot->flag = flag;
          }
          break;
        case 3:
          g_assert_cmpint (wk_weak_value_dict_remove (t->dict, name), ==, slot->in_dict);
          slot->in_dict = FALSE;
          if (g_rand_boolean (rand))
            g_clear_object (&slot->object);
          break;
        case 4:
        case 5:
          if (slot->in_dict)
            model_doom (t, slot, g_rand_boolean (rand));
          else
            g_clear_object (&slot->object);
          break;
        case 6:
          g_assert_cmpint (wk_weak_value_dict_contains (t->dict, name), ==, slot->in_dict);
          break;
        case 7:
          if (g_rand_int_range (rand, 0, 8) == 0)
            {
              model_check_walks (t);
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          got = wk_weak_value_dict_lookup (t->dict, name);
          g_assert_true (got == (slot->in_dict ? slot->object : NULL));
          g_clear_object (&got);
          break;
        }
    }
  g_rand_free (rand);
  return NULL;
}

static void
test_threads_model (void)
{
  KillQueue kq = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, G_QUEUE_INIT, FALSE };
  WkWeakValueDict *dict = string_dict_new ();
  ModelThread threads[MODEL_THREADS];
  GThread *handles[MODEL_THREADS], *killer_thread;
  guint i, k, in_dict = 0, checks = 0, doubts = 0;

  for (i = 0; i < MODEL_THREADS; i++)
    for (k = 0; k < MODEL_KEYS; k++)
      g_snprintf (model_names[i][k], sizeof model_names[i][k], "t%u-%u", i, k);
  killer_thread = g_thread_new ("killer", kill_queue_thread, &kq);
  for (i = 0; i < MODEL_THREADS; i++)
    {
      memset (&threads[i], 0, sizeof threads[i]);
      threads[i].dict = dict;
      threads[i].kq = &kq;
      threads[i].index = i;
      threads[i].ops = wk_test_iterations (20000, 400000);
      threads[i].flags = g_ptr_array_new_with_free_func (g_free);
      handles[i] = g_thread_new ("model", model_thread, &threads[i]);
    }
  for (i = 0; i < MODEL_THREADS; i++)
    g_thread_join (handles[i]);
  kill_queue_push (&kq, NULL);
  g_thread_join (killer_thread);

  /* Everything has settled: the dict is the models, exactly. */
  for (i = 0; i < MODEL_THREADS; i++)
    {
      ModelThread *t = &threads[i];

      for (k = 0; k < MODEL_KEYS; k++)
        g_assert_false (model_in_doubt (&t->slots[k]));
      model_check_walks (t);
      checks += t->checks;
      doubts += t->doubts;
      for (k = 0; k < MODEL_KEYS; k++)
        in_dict += t->slots[k].in_dict;
    }
  g_test_message ("%u entries at the end, %u walks checked, %u steps on keys in doubt",
                  in_dict, checks, doubts);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, in_dict);
  g_assert_cmpint (keys_alive, ==, in_dict);
  for (i = 0; i < MODEL_THREADS; i++)
    for (k = 0; k < MODEL_KEYS; k++)
      g_clear_object (&threads[i].slots[k].object);
  g_assert_cmpuint (wk_weak_value_dict_get_size (dict), ==, 0);
  g_assert_cmpint (keys_alive, ==, 0);
  g_object_unref (dict);
  for (i = 0; i < MODEL_THREADS; i++)
    g_ptr_array_unref (threads[i].flags);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/weak-value-dict/basic", test_basic);
  g_test_add_func ("/weak-value-dict/replace-then-old-dies", test_replace_then_old_dies);
  g_test_add_func ("/weak-value-dict/dict-dies-first", test_dict_dies_first);
  g_test_add_func ("/weak-value-dict/steal", test_steal);
  g_test_add_func ("/weak-value-dict/snapshots-and-foreach", test_snapshots_and_foreach);
  g_test_add_func ("/weak-value-dict/iteration/survives-deaths", test_iteration_survives_deaths);
  g_test_add_func ("/weak-value-dict/iteration/finish-early", test_iteration_finish_early);
  g_test_add_func ("/weak-value-dict/iteration/adds-new-keys", test_iteration_adds_new_keys);
  g_test_add_func ("/weak-value-dict/iteration/refuses-c-steal", test_iteration_refuses_c_steal);
  g_test_add_func ("/weak-value-dict/insert-dying-value", test_insert_dying_value);
  g_test_add_func ("/weak-value-dict/variant-keys", test_variant_keys);
  g_test_add_func ("/weak-value-dict/variant-key-forms", test_variant_key_forms);
  g_test_add_func ("/weak-value-dict/string-keys", test_string_keys);
  g_test_add_func ("/weak-value-dict/variant-keys-borrowed", test_variant_keys_borrowed);
  g_test_add_func ("/weak-value-dict/bad-input", test_bad_input);
  g_test_add_func ("/weak-value-dict/differential", test_differential);
  g_test_add_func ("/weak-value-dict/threads/values-die-elsewhere", test_values_die_in_other_thread);
  g_test_add_func ("/weak-value-dict/threads/inserts-while-iterated", test_inserts_while_other_thread_iterates);
  g_test_add_func ("/weak-value-dict/order/insertion", test_order_insertion);
  g_test_add_func ("/weak-value-dict/order/through-rebuilds", test_order_through_rebuilds);
  g_test_add_func ("/weak-value-dict/order/iteration-while-growing", test_order_iteration_while_growing);
  g_test_add_func ("/weak-value-dict/order/variants", test_order_variants);
  g_test_add_func ("/weak-value-dict/threads/order-while-inserting-and-killing",
                   test_threads_order_while_inserting_and_killing);
  g_test_add_func ("/weak-value-dict/threads/model", test_threads_model);

  return g_test_run ();
}
