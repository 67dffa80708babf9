/* weak.c: tests for WkWeak
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

static void
test_weak_basic (gconstpointer data)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (TYPE_OF (data), &finalized);
  WkWeak weak;
  GObject *got;

  wk_weak_init (&weak, object);
  /* is_alive takes no reference. */
  g_assert_true (wk_weak_is_alive (&weak));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  got = wk_weak_get (&weak);
  g_assert_true (got == object);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  g_object_unref (got);

  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_false (wk_weak_is_alive (&weak));
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
  g_assert_false (wk_weak_is_alive (&weak));
  g_assert_null (wk_weak_get (&weak));
}

static void
test_weak_zero_filled (void)
{
  WkWeak *weak = g_new0 (WkWeak, 1);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *got;

  g_assert_cmpuint (sizeof (WkWeak), <=, 16);
  g_assert_null (wk_weak_get (weak));
  wk_weak_set (weak, object);
  got = wk_weak_get (weak);
  g_assert_true (got == object);
  g_object_unref (got);
  wk_weak_clear (weak);
  g_assert_null (wk_weak_get (weak));
  /* Cleared storage is empty and reusable. */
  wk_weak_set (weak, object);
  wk_weak_set (weak, NULL);
  g_assert_null (wk_weak_get (weak));
  wk_weak_init (weak, NULL);
  g_assert_null (wk_weak_get (weak));
  g_free (weak);
  g_object_unref (object);
}

static void
test_weak_set (gconstpointer data)
{
  gint finalized_a = 0, finalized_b = 0;
  GObject *a = wk_test_object_new (TYPE_OF (data), &finalized_a);
  GObject *b = wk_test_object_new (TYPE_OF (data), &finalized_b);
  WkWeak weak = WK_WEAK_INIT;
  GObject *got;

  wk_weak_set (&weak, a);
  wk_weak_set (&weak, b);
  got = wk_weak_get (&weak);
  g_assert_true (got == b);
  g_object_unref (got);

  /* The old referent is not held, and its death does not touch us. */
  g_object_unref (a);
  g_assert_cmpint (finalized_a, ==, 1);
  got = wk_weak_get (&weak);
  g_assert_true (got == b);
  g_object_unref (got);

  g_object_unref (b);
  g_assert_cmpint (finalized_b, ==, 1);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
}

static void
test_weak_many (gconstpointer data)
{
  const guint n = 10000;
  GObject *object = wk_test_object_new (TYPE_OF (data), NULL);
  WkWeak *weaks = g_new0 (WkWeak, n);
  GObject *got;
  guint i;

  for (i = 0; i < n; i++)
    wk_weak_init (&weaks[i], object);
  /* Clear the oldest and make new ones, as a cache does. */
  for (i = 0; i < n; i++)
    {
      wk_weak_clear (&weaks[i]);
      wk_weak_init (&weaks[i], object);
    }
  for (i = 0; i < n; i += 997)
    {
      got = wk_weak_get (&weaks[i]);
      g_assert_true (got == object);
      g_object_unref (got);
    }
  g_object_unref (object);
  for (i = 0; i < n; i++)
    {
      g_assert_null (wk_weak_get (&weaks[i]));
      wk_weak_clear (&weaks[i]);
    }
  g_free (weaks);
}

/* Several threads set and get one WkWeak while its referents die. */
typedef struct
{
  WkWeak    weak;
  GType     type;
  gint      stop;
  gint      gets;
  gint      hits;
} SharedWeak;

static gpointer
setter_thread (gpointer data)
{
  SharedWeak *s = data;

  while (!g_atomic_int_get (&s->stop))
    {
      GObject *object = wk_test_object_new (s->type, NULL);

      wk_weak_set (&s->weak, object);
      g_object_unref (object);
    }
  return NULL;
}

static gpointer
getter_thread (gpointer data)
{
  SharedWeak *s = data;

  while (!g_atomic_int_get (&s->stop))
    {
      GObject *got = wk_weak_get (&s->weak);

      g_atomic_int_inc (&s->gets);
      if (got != NULL)
        {
          /* Never an object whose dispose has begun. */
          g_assert_cmpint (g_atomic_int_get (&wk_test_probe (got)->dispose_count), ==, 0);
          g_atomic_int_inc (&s->hits);
          g_object_unref (got);
        }
    }
  return NULL;
}

static void
test_weak_threads (gconstpointer data)
{
  SharedWeak s = { WK_WEAK_INIT, TYPE_OF (data), 0, 0, 0 };
  GThread *threads[4];
  guint i;

  threads[0] = g_thread_new ("setter", setter_thread, &s);
  threads[1] = g_thread_new ("setter", setter_thread, &s);
  threads[2] = g_thread_new ("getter", getter_thread, &s);
  threads[3] = g_thread_new ("getter", getter_thread, &s);
  g_usleep (G_USEC_PER_SEC / 4);
  g_atomic_int_set (&s.stop, 1);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_test_message ("%d gets, %d hits", s.gets, s.hits);
  g_assert_cmpint (s.gets, >, 0);
  wk_weak_clear (&s.weak);
}

static void
test_weak_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);
      WkWeak weak = WK_WEAK_INIT;

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*weak != NULL*");
      wk_weak_init (NULL, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_weak_init (&weak, not_an_object);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_weak_set (&weak, not_an_object);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*weak != NULL*");
      g_assert_null (wk_weak_get (NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*weak != NULL*");
      wk_weak_clear (NULL);
      g_test_assert_expected_messages ();
      /* Nothing was stored. */
      g_assert_null (wk_weak_get (&weak));
      g_param_spec_unref (not_an_object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/weak/basic", test_weak_basic);
  g_test_add_func ("/weak/zero-filled", test_weak_zero_filled);
  wk_test_add_for_types ("/weak/set", test_weak_set);
  wk_test_add_for_types ("/weak/many", test_weak_many);
  wk_test_add_for_types ("/weak/threads", test_weak_threads);
  g_test_add_func ("/weak/bad-input", test_weak_bad_input);

  return g_test_run ();
}
