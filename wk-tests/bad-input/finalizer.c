/* finalizer.c: bad input to finalizers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_finalizer_new (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_finalizer_new (NULL, count_finalize, NULL, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_finalizer_new (pspec, count_finalize, NULL, NULL));
  EXPECT_CRITICAL ("*func != NULL*");
  g_assert_null (wk_finalizer_new (object, NULL, NULL, NULL));
  g_test_assert_expected_messages ();
  g_object_unref (object);
  g_assert_cmpint (n_calls, ==, 0);
  g_param_spec_unref (pspec);
}

/* A finalizer that has run (its object died). */
static WkFinalizer *
dead_finalizer_new (void)
{
  GObject *object = plain_new ();
  WkFinalizer *finalizer = wk_finalizer_new (object, count_finalize, NULL, NULL);

  g_object_unref (object);
  g_assert_cmpint (n_calls, ==, 1);
  n_calls = 0;
  return finalizer;
}

static void
case_finalizer_call (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();
  WkFinalizer *detached = wk_finalizer_new (object, count_finalize, NULL, NULL);

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_call (NULL));
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_call ((WkFinalizer *) object));
  g_test_assert_expected_messages ();
  g_assert_false (wk_finalizer_call (dead));
  g_assert_true (wk_finalizer_detach (detached));
  g_assert_false (wk_finalizer_call (detached));
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (dead);
  g_object_unref (detached);
  g_object_unref (object);
}

static void
case_finalizer_detach (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();
  WkFinalizer *called = wk_finalizer_new (object, count_finalize, NULL, NULL);

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_detach (NULL));
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_detach ((WkFinalizer *) object));
  g_test_assert_expected_messages ();
  g_assert_false (wk_finalizer_detach (dead));
  g_assert_true (wk_finalizer_call (called));
  g_assert_false (wk_finalizer_detach (called));
  g_assert_false (wk_finalizer_detach (called));
  g_assert_cmpint (n_calls, ==, 1);
  g_object_unref (dead);
  g_object_unref (called);
  g_object_unref (object);
}

static void
case_finalizer_dup_object (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();
  WkFinalizer *detached = wk_finalizer_new (object, count_finalize, NULL, NULL);

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_null (wk_finalizer_dup_object (NULL));
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_null (wk_finalizer_dup_object ((WkFinalizer *) object));
  g_test_assert_expected_messages ();
  g_assert_null (wk_finalizer_dup_object (dead));
  wk_finalizer_detach (detached);
  g_assert_null (wk_finalizer_dup_object (detached));   /* object alive, finalizer dead */
  g_object_unref (dead);
  g_object_unref (detached);
  g_object_unref (object);
}

/* The deprecated names still work (and warn when compiled, which this
 * file silences): they are the new functions. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
case_finalize_new (void)
{
  GObject *object = plain_new ();
  WkFinalizer *finalizer;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_finalize_new (NULL, count_finalize, NULL, NULL));
  g_test_assert_expected_messages ();
  finalizer = wk_finalize_new (object, count_finalize, NULL, NULL);
  g_assert_true (WK_IS_FINALIZER (finalizer));
  g_object_unref (object);
  g_assert_cmpint (n_calls, ==, 1);
  g_object_unref (finalizer);
}

static void
case_finalizer_peek (void)
{
  GObject *object = plain_new ();
  WkFinalizer *finalizer = wk_finalizer_new (object, count_finalize, NULL, NULL);
  gpointer got;

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_null (wk_finalizer_peek (NULL));
  g_test_assert_expected_messages ();
  got = wk_finalizer_peek (finalizer);
  g_assert_true (got == object);
  g_object_unref (got);
  g_assert_true (wk_finalizer_detach (finalizer));
  g_assert_null (wk_finalizer_peek (finalizer));
  g_object_unref (finalizer);
  g_object_unref (object);
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void
count_destroy (gpointer data)
{
  (*(gint *) data)++;
}

static void
case_finalize_add (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  gint destroyed = 0;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_finalize_add (NULL, count_finalize, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_finalize_add (pspec, count_finalize, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*func != NULL*");
  g_assert_cmpuint (wk_finalize_add (object, NULL, &destroyed, count_destroy), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpint (destroyed, ==, 0);
  g_assert_cmpuint (wk_finalize_add (object, count_finalize, &destroyed, count_destroy), !=, 0);
  g_object_unref (object);
  g_assert_cmpint (n_calls, ==, 1);
  g_assert_cmpint (destroyed, ==, 1);
  g_param_spec_unref (pspec);
}

static void
case_finalize_remove (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  GObject *other = plain_new ();
  gint destroyed = 0;
  gsize id = wk_finalize_add (object, count_finalize, &destroyed, count_destroy);

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalize_remove (NULL, id));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalize_remove (pspec, id));
  g_test_assert_expected_messages ();
  /* 0 (what add returns for a dying object), not this object's, or
   * unknown: FALSE, quietly. */
  g_assert_false (wk_finalize_remove (object, 0));
  g_assert_false (wk_finalize_remove (other, id));
  g_assert_false (wk_finalize_remove (object, id + 1000));
  g_assert_cmpint (destroyed, ==, 0);
  g_assert_true (wk_finalize_remove (object, id));
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (wk_finalize_remove (object, id));
  g_object_unref (object);
  g_object_unref (other);
  g_assert_cmpint (n_calls, ==, 0);
  g_assert_cmpint (destroyed, ==, 1);
  g_param_spec_unref (pspec);
}

static void
case_finalizer_is_alive (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_is_alive (NULL));
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_is_alive ((WkFinalizer *) object));
  g_test_assert_expected_messages ();
  g_assert_false (wk_finalizer_is_alive (dead));
  g_object_unref (dead);
  g_object_unref (object);
}

static void
case_finalizer_get_atexit (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_get_atexit (NULL));
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  g_assert_false (wk_finalizer_get_atexit ((WkFinalizer *) object));
  g_test_assert_expected_messages ();
  g_assert_true (wk_finalizer_get_atexit (dead));   /* the default, dead or not */
  g_object_unref (dead);
  g_object_unref (object);
}

static void
case_finalizer_set_atexit (void)
{
  GObject *object = plain_new ();
  WkFinalizer *dead = dead_finalizer_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  wk_finalizer_set_atexit (NULL, FALSE);
  EXPECT_CRITICAL ("*WK_IS_FINALIZER*");
  wk_finalizer_set_atexit ((WkFinalizer *) object, FALSE);
  g_test_assert_expected_messages ();
  /* A gboolean out of {0, 1} reads back as TRUE. */
  wk_finalizer_set_atexit (dead, FALSE);
  g_assert_false (wk_finalizer_get_atexit (dead));
  wk_finalizer_set_atexit (dead, 42);
  g_assert_cmpint (wk_finalizer_get_atexit (dead), ==, TRUE);
  g_object_unref (dead);
  g_object_unref (object);
}

static void
case_finalize_run_atexit (void)
{
  GObject *object = plain_new ();
  WkFinalizer *pending = wk_finalizer_new (object, count_finalize, NULL, NULL);
  WkFinalizer *skipped = wk_finalizer_new (object, count_finalize, NULL, NULL);

  wk_finalizer_set_atexit (skipped, FALSE);
  /* Called again and again, and with nothing pending. */
  wk_finalize_run_atexit ();
  wk_finalize_run_atexit ();
  g_assert_cmpint (n_calls, ==, 1);
  g_assert_false (wk_finalizer_is_alive (pending));
  g_assert_true (wk_finalizer_is_alive (skipped));
  g_assert_true (wk_finalizer_detach (skipped));
  wk_finalize_run_atexit ();
  g_assert_cmpint (n_calls, ==, 1);
  g_object_unref (pending);
  g_object_unref (skipped);
  g_object_unref (object);
}

const BadInputCase bad_input_finalizer_cases[] = {
  CASE (finalizer_new),
  CASE (finalize_new),
  CASE (finalizer_dup_object),
  CASE (finalize_add),
  CASE (finalize_remove),
  CASE (finalizer_call),
  CASE (finalizer_detach),
  CASE (finalizer_peek),
  CASE (finalizer_is_alive),
  CASE (finalizer_get_atexit),
  CASE (finalizer_set_atexit),
  CASE (finalize_run_atexit),
};
BAD_INPUT_TABLE_LENGTH (finalizer)
