/* ref.c: bad input to WkRef
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static gboolean alive_in_dispose;

static void
ref_while_dying (GObject *object, gpointer data)
{
  gpointer got;

  *(WkRef **) data = wk_ref_new (object, count_ref_callback, NULL, NULL);
  got = wk_ref_get (*(WkRef **) data);
  alive_in_dispose = wk_ref_is_alive (*(WkRef **) data) || got != NULL;
  /* Not g_object_unref (got): it would run dispose again. */
}

static void
case_ref_new (void)
{
  GParamSpec *pspec = not_an_object ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_ref_new (NULL, NULL, NULL, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_ref_new (pspec, count_ref_callback, NULL, NULL));
  g_test_assert_expected_messages ();

  g_param_spec_unref (pspec);
}

/* Documented: "A ref made while @object is already dying reads %NULL and
 * never runs its callback": here in the dispose of a WkObject that had no
 * weak ref before (wk-tests/ref.c has the other cases, and pins the
 * limit for a plain GObject). */
void
case_ref_new_dying (void)
{
  gint finalized = 0;
  GObject *object;
  WkRef *ref = NULL;

  object = wk_test_object_new (WK_TEST_TYPE_WK_OBJECT, &finalized);
  wk_test_probe (object)->dispose_hook = ref_while_dying;
  wk_test_probe (object)->dispose_data = &ref;
  g_object_unref (object);
  g_assert_nonnull (ref);
  g_assert_false (alive_in_dispose);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_false (wk_ref_is_alive (ref));
  g_assert_null (wk_ref_get (ref));
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (ref);
}

static void
case_ref_get (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  WkRef *dead = dead_ref_new ();

  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_null (wk_ref_get (NULL));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_null (wk_ref_get ((WkRef *) object));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_null (wk_ref_get ((WkRef *) pspec));
  g_test_assert_expected_messages ();
  g_assert_null (wk_ref_get (dead));
  g_object_unref (dead);
  dead = WK_REF (dead_proxy_new ());
  g_assert_null (wk_ref_get (dead));
  g_object_unref (dead);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_ref_is_alive (void)
{
  GObject *object = plain_new ();
  WkRef *dead = dead_ref_new ();

  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_is_alive (NULL));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_is_alive ((WkRef *) object));
  g_test_assert_expected_messages ();
  g_assert_false (wk_ref_is_alive (dead));
  g_object_unref (dead);
  g_object_unref (object);
}

static void
case_ref_set_callback (void)
{
  GObject *object = plain_new ();
  WkRef *shared = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *with_cb = wk_ref_new (object, count_ref_callback, NULL, NULL);
  WkRef *dead = dead_ref_new ();

  /* A ref whose callback has run: it has none now, and gets FALSE. */
  g_assert_cmpint (n_calls, ==, 1);
  n_calls = 0;
  g_assert_false (wk_ref_set_callback (dead, count_ref_callback, NULL, NULL));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_set_callback (NULL, count_ref_callback, NULL, NULL));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_set_callback ((WkRef *) object, count_ref_callback, NULL, NULL));
  EXPECT_CRITICAL ("*callback != NULL*");
  g_assert_false (wk_ref_set_callback (with_cb, NULL, NULL, NULL));
  EXPECT_CRITICAL ("*shared*");
  g_assert_false (wk_ref_set_callback (shared, count_ref_callback, NULL, NULL));
  EXPECT_CRITICAL ("*callback == NULL*");
  g_assert_false (wk_ref_set_callback (with_cb, count_ref_callback, NULL, NULL));
  g_test_assert_expected_messages ();
  g_object_unref (dead);

  /* Documented: a bindings-style ref whose referent has died, or that
   * never had one, gets FALSE and its destroy notify at once. */
  {
    GObject *doomed = plain_new ();
    WkRef *bare = g_object_new (WK_TYPE_REF, "object", doomed, NULL);
    WkRef *empty = g_object_new (WK_TYPE_REF, NULL);

    g_object_unref (doomed);
    g_assert_false (wk_ref_set_callback (bare, count_ref_callback, NULL, count_finalize));
    g_assert_cmpint (n_calls, ==, 1);
    g_assert_false (wk_ref_set_callback (empty, count_ref_callback, NULL, count_finalize));
    g_assert_cmpint (n_calls, ==, 2);
    g_object_unref (bare);
    g_object_unref (empty);
  }
  g_object_unref (shared);
  g_object_unref (with_cb);
  g_object_unref (object);
}

static void
case_ref_hash (void)
{
  GObject *object = plain_new ();
  WkRef *ref = wk_ref_new (object, count_ref_callback, NULL, NULL);
  guint hash = wk_ref_hash (ref);

  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_cmpuint (wk_ref_hash (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_cmpuint (wk_ref_hash (object), ==, 0);
  g_test_assert_expected_messages ();
  /* The hash stays valid after death (no TypeError in C). */
  g_object_unref (object);
  g_assert_false (wk_ref_is_alive (ref));
  g_assert_cmpuint (wk_ref_hash (ref), ==, hash);
  g_object_unref (ref);
}

static void
case_ref_equal (void)
{
  GObject *object = plain_new ();
  WkRef *a = wk_ref_new (object, count_ref_callback, NULL, NULL);
  WkRef *b = wk_ref_new (object, count_ref_callback, NULL, NULL);

  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_equal (NULL, a));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_equal (a, NULL));
  EXPECT_CRITICAL ("*WK_IS_REF*");
  g_assert_false (wk_ref_equal (a, object));
  g_test_assert_expected_messages ();
  g_assert_true (wk_ref_equal (a, b));
  /* Dead: equal only to itself. */
  g_object_unref (object);
  g_assert_false (wk_ref_equal (a, b));
  g_assert_true (wk_ref_equal (a, a));
  g_object_unref (a);
  g_object_unref (b);
}

static void
case_get_weak_ref_count (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_get_weak_ref_count (NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_get_weak_ref_count (pspec), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_get_weak_ref_count (object), ==, 0);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_get_weak_refs (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  GPtrArray *refs;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_get_weak_refs (NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_get_weak_refs (pspec));
  g_test_assert_expected_messages ();
  refs = wk_get_weak_refs (object);
  g_assert_cmpuint (refs->len, ==, 0);
  g_ptr_array_unref (refs);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

const BadInputCase bad_input_ref_cases[] = {
  CASE (ref_new),
  CASE (ref_get),
  CASE (ref_is_alive),
  CASE (ref_set_callback),
  CASE (ref_hash),
  CASE (ref_equal),
  CASE (get_weak_ref_count),
  CASE (get_weak_refs),
};
BAD_INPUT_TABLE_LENGTH (ref)
