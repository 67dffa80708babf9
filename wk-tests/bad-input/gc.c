/* gc.c: bad input to hold/release and the cycle collector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_object_hold (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();

  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  wk_object_hold (NULL, plain);
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  wk_object_hold ((WkObject *) plain, plain);
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  wk_object_hold ((WkObject *) pspec, plain);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_hold (object, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_hold (object, (GObject *) pspec);
  g_test_assert_expected_messages ();
  /* Nothing was taken by the failed calls. */
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 1);
  /* Twice is two references; self is allowed (a 1-cycle). */
  wk_object_hold (object, plain);
  wk_object_hold (object, plain);
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 3);
  wk_object_hold (object, G_OBJECT (object));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  g_assert_true (wk_object_release (object, G_OBJECT (object)));
  g_object_unref (object);
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 1);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void
case_object_release (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();

  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_false (wk_object_release (NULL, plain));
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_false (wk_object_release ((WkObject *) plain, plain));
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_false (wk_object_release ((WkObject *) pspec, plain));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_release (object, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_release (object, (GObject *) pspec));
  g_test_assert_expected_messages ();
  /* Not held: FALSE, quietly; held once: TRUE once. */
  g_assert_false (wk_object_release (object, plain));
  wk_object_hold (object, plain);
  g_assert_true (wk_object_release (object, plain));
  g_assert_false (wk_object_release (object, plain));
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 1);
  g_object_unref (object);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void
case_object_list_held (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();
  GPtrArray *held;

  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_null (wk_object_list_held (NULL));
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_null (wk_object_list_held ((WkObject *) plain));
  EXPECT_CRITICAL ("*WK_IS_OBJECT*");
  g_assert_null (wk_object_list_held ((WkObject *) pspec));
  g_test_assert_expected_messages ();
  held = wk_object_list_held (object);
  g_assert_cmpuint (held->len, ==, 0);
  wk_test_unref_all (held);
  wk_object_hold (object, plain);
  wk_object_hold (object, plain);
  held = wk_object_list_held (object);
  g_assert_cmpuint (held->len, ==, 2);
  g_assert_true (g_ptr_array_index (held, 0) == plain);
  wk_test_unref_all (held);
  g_object_unref (object);
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 1);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void case_gc_get_type (void) { check_object_type (wk_gc_get_type (), G_TYPE_OBJECT); }

static void
case_gc_debug_flags_get_type (void)
{
  GFlagsClass *klass;

  g_assert_true (G_TYPE_IS_FLAGS (wk_gc_debug_flags_get_type ()));
  klass = g_type_class_ref (wk_gc_debug_flags_get_type ());
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_DEBUG_STATS));
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_DEBUG_COLLECTABLE));
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_DEBUG_UNCOLLECTABLE));
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_DEBUG_SAVEALL));
  g_assert_null (g_flags_get_first_value (klass, 1 << 20));
  g_type_class_unref (klass);
}

static void
case_gc_auto_mode_get_type (void)
{
  GEnumClass *klass;

  g_assert_true (G_TYPE_IS_ENUM (wk_gc_auto_mode_get_type ()));
  klass = g_type_class_ref (wk_gc_auto_mode_get_type ());
  g_assert_nonnull (g_enum_get_value (klass, WK_GC_AUTO_IDLE));
  g_assert_nonnull (g_enum_get_value (klass, WK_GC_AUTO_ALLOC));
  g_assert_null (g_enum_get_value (klass, 1000));
  g_type_class_unref (klass);
}

static void
case_gc_get_default (void)
{
  WkGc *gc = wk_gc_get_default ();

  g_assert_true (WK_IS_GC (gc));
  g_assert_true (wk_gc_get_default () == gc);
}

/* A 2-cycle of WkObjects with no outside reference. */
static void
make_cycle (void)
{
  WkObject *a = wk_object_new ();
  WkObject *b = wk_object_new ();

  wk_object_hold (a, G_OBJECT (b));
  wk_object_hold (b, G_OBJECT (a));
  g_object_unref (a);
  g_object_unref (b);
}

static void
case_gc_collect (void)
{
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_cmpuint (wk_gc_collect (3), ==, 0);
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_cmpuint (wk_gc_collect (-2), ==, 0);
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_cmpuint (wk_gc_collect (G_MAXINT), ==, 0);
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_cmpuint (wk_gc_collect (G_MININT), ==, 0);
  g_test_assert_expected_messages ();
  /* Nothing to collect, in every generation; then one cycle. */
  g_assert_cmpuint (wk_gc_collect (0), ==, 0);
  g_assert_cmpuint (wk_gc_collect (2), ==, 0);
  make_cycle ();
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 0);
}

static void
case_gc_enable (void)
{
  wk_gc_enable ();
  wk_gc_enable ();
  g_assert_true (wk_gc_is_enabled ());
}

static void
case_gc_disable (void)
{
  wk_gc_disable ();
  wk_gc_disable ();
  g_assert_false (wk_gc_is_enabled ());
  /* An explicit collection still runs. */
  make_cycle ();
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  wk_gc_enable ();
}

static void
case_gc_is_enabled (void)
{
  g_assert_true (wk_gc_is_enabled ());
  wk_gc_disable ();
  g_assert_false (wk_gc_is_enabled ());
  wk_gc_enable ();
  g_assert_true (wk_gc_is_enabled ());
}

static void
case_gc_get_count (void)
{
  guint c0 = G_MAXUINT, c1 = G_MAXUINT, c2 = G_MAXUINT;

  /* Every out argument is optional. */
  wk_gc_get_count (NULL, NULL, NULL);
  wk_gc_get_count (&c0, NULL, NULL);
  wk_gc_get_count (NULL, &c1, &c2);
  g_assert_cmpuint (c0, !=, G_MAXUINT);
  g_assert_cmpuint (c1, !=, G_MAXUINT);
  g_assert_cmpuint (c2, !=, G_MAXUINT);
}

static void
case_gc_set_threshold (void)
{
  guint t0, t1, t2;

  /* No value is out of range: 0 turns automatic collection off. */
  wk_gc_set_threshold (0, 0, 0);
  wk_gc_get_threshold (&t0, &t1, &t2);
  g_assert_cmpuint (t0, ==, 0);
  g_assert_cmpuint (t2, ==, 0);
  wk_gc_set_threshold (G_MAXUINT, G_MAXUINT, G_MAXUINT);
  wk_gc_get_threshold (&t0, &t1, &t2);
  g_assert_cmpuint (t0, ==, G_MAXUINT);
  g_assert_cmpuint (t1, ==, G_MAXUINT);
  wk_gc_set_threshold (700, 10, 10);
}

static void
case_gc_get_threshold (void)
{
  guint t0 = 0, t1 = 0, t2 = 0;

  wk_gc_get_threshold (NULL, NULL, NULL);
  wk_gc_get_threshold (&t0, NULL, NULL);
  wk_gc_get_threshold (NULL, &t1, &t2);
  g_assert_cmpuint (t0, ==, 700);
  g_assert_cmpuint (t1, ==, 10);
  g_assert_cmpuint (t2, ==, 10);
}

static void
case_gc_get_objects (void)
{
  WkObject *object = wk_object_new ();
  GPtrArray *objects;

  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_null (wk_gc_get_objects (-2));
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_null (wk_gc_get_objects (3));
  EXPECT_CRITICAL ("*generation >= -1*");
  g_assert_null (wk_gc_get_objects (G_MININT));
  g_test_assert_expected_messages ();
  objects = wk_gc_get_objects (-1);
  g_assert_true (g_ptr_array_find (objects, object, NULL));
  wk_test_unref_all (objects);
  objects = wk_gc_get_objects (2);
  g_assert_false (g_ptr_array_find (objects, object, NULL));
  wk_test_unref_all (objects);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
}

static void
case_gc_get_referrers (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();
  GPtrArray *list;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_gc_get_referrers (NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_gc_get_referrers (pspec));
  g_test_assert_expected_messages ();
  list = wk_gc_get_referrers (plain);
  g_assert_cmpuint (list->len, ==, 0);
  wk_test_unref_all (list);
  wk_object_hold (object, plain);
  list = wk_gc_get_referrers (plain);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (g_ptr_array_index (list, 0) == object);
  wk_test_unref_all (list);
  g_object_unref (object);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void
case_gc_get_referents (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();
  GPtrArray *list;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_gc_get_referents (NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_gc_get_referents (pspec));
  g_test_assert_expected_messages ();
  /* Not a WkObject: nothing, quietly. */
  list = wk_gc_get_referents (plain);
  g_assert_cmpuint (list->len, ==, 0);
  wk_test_unref_all (list);
  wk_object_hold (object, plain);
  list = wk_gc_get_referents (object);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (g_ptr_array_index (list, 0) == plain);
  wk_test_unref_all (list);
  g_object_unref (object);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void
case_gc_is_tracked (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *plain = plain_new ();
  WkObject *object = wk_object_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_gc_is_tracked (NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_gc_is_tracked (pspec));
  g_test_assert_expected_messages ();
  g_assert_false (wk_gc_is_tracked (plain));
  g_assert_true (wk_gc_is_tracked (object));
  g_object_unref (object);
  g_object_unref (plain);
  g_param_spec_unref (pspec);
}

static void
case_gc_freeze (void)
{
  WkObject *object = wk_object_new ();
  guint frozen;

  wk_gc_freeze ();
  frozen = wk_gc_get_freeze_count ();
  g_assert_cmpuint (frozen, >=, 1);
  /* Twice: nothing more to freeze. */
  wk_gc_freeze ();
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, frozen);
  g_assert_true (wk_gc_is_tracked (object));
  /* A frozen object's finalize untracks it. */
  g_object_unref (object);
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, frozen - 1);
  wk_gc_unfreeze ();
}

static void
case_gc_unfreeze (void)
{
  WkObject *object = wk_object_new ();

  /* Without a freeze, and twice: nothing to do. */
  wk_gc_unfreeze ();
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, 0);
  wk_gc_freeze ();
  wk_gc_unfreeze ();
  wk_gc_unfreeze ();
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, 0);
  g_assert_true (wk_gc_is_tracked (object));
  g_object_unref (object);
}

static void
case_gc_get_freeze_count (void)
{
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, 0);
}

static void
case_gc_get_stats (void)
{
  GVariant *stats = wk_gc_get_stats ();

  g_assert_true (g_variant_is_of_type (stats, G_VARIANT_TYPE ("a(uuu)")));
  g_assert_cmpuint (g_variant_n_children (stats), ==, 3);
  g_assert_false (g_variant_is_floating (stats));
  g_variant_unref (stats);
}

static void
case_gc_set_debug (void)
{
  /* No check: the flags are stored as given. */
  wk_gc_set_debug (WK_GC_DEBUG_NONE);
  g_assert_cmpint (wk_gc_get_debug (), ==, WK_GC_DEBUG_NONE);
  wk_gc_set_debug (WK_GC_DEBUG_SAVEALL);
  g_assert_cmpint (wk_gc_get_debug (), ==, WK_GC_DEBUG_SAVEALL);
  wk_gc_set_debug (WK_GC_DEBUG_NONE);
}

static void
case_gc_get_debug (void)
{
  g_assert_cmpint (wk_gc_get_debug (), ==, WK_GC_DEBUG_NONE);
}

static void
case_gc_get_garbage (void)
{
  GPtrArray *garbage = wk_gc_get_garbage ();

  g_assert_cmpuint (garbage->len, ==, 0);
  wk_test_unref_all (garbage);
  /* SAVEALL keeps a collected cycle there. */
  wk_gc_set_debug (WK_GC_DEBUG_SAVEALL);
  make_cycle ();
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  wk_gc_set_debug (WK_GC_DEBUG_NONE);
  garbage = wk_gc_get_garbage ();
  g_assert_cmpuint (garbage->len, ==, 2);
  wk_test_unref_all (garbage);
}

static void
case_gc_set_auto_mode (void)
{
  EXPECT_CRITICAL ("*mode == WK_GC_AUTO_IDLE*");
  wk_gc_set_auto_mode ((WkGcAutoMode) 2);
  EXPECT_CRITICAL ("*mode == WK_GC_AUTO_IDLE*");
  wk_gc_set_auto_mode ((WkGcAutoMode) -1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (wk_gc_get_auto_mode (), ==, WK_GC_AUTO_IDLE);
  wk_gc_set_auto_mode (WK_GC_AUTO_ALLOC);
  g_assert_cmpint (wk_gc_get_auto_mode (), ==, WK_GC_AUTO_ALLOC);
  wk_gc_set_auto_mode (WK_GC_AUTO_IDLE);
}

static void
case_gc_get_auto_mode (void)
{
  g_assert_cmpint (wk_gc_get_auto_mode (), ==, WK_GC_AUTO_IDLE);
}

static void
case_gc_graph_flags_get_type (void)
{
  GFlagsClass *klass;

  g_assert_true (G_TYPE_IS_FLAGS (wk_gc_graph_flags_get_type ()));
  klass = g_type_class_ref (wk_gc_graph_flags_get_type ());
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_GRAPH_REFERENTS));
  g_assert_nonnull (g_flags_get_first_value (klass, WK_GC_GRAPH_REFERRERS));
  g_assert_null (g_flags_get_first_value (klass, 1 << 20));
  g_type_class_unref (klass);
}

static void
case_gc_get_census (void)
{
  WkObject *object = wk_object_new ();
  GVariant *census = wk_gc_get_census ();
  guint32 count = 0;

  g_assert_true (g_variant_is_of_type (census, G_VARIANT_TYPE ("a{su}")));
  g_assert_false (g_variant_is_floating (census));
  g_assert_true (g_variant_lookup (census, "WkObject", "u", &count));
  g_assert_cmpuint (count, ==, 1);
  g_variant_unref (census);
  g_object_unref (object);
}

static void
case_gc_census_diff (void)
{
  GVariant *census = wk_gc_get_census ();
  GVariant *wrong = g_variant_ref_sink (g_variant_new_parsed ("{'WkObject': 1}"));
  GVariant *string = g_variant_ref_sink (g_variant_new_string ("WkObject"));
  GVariant *diff;

  EXPECT_CRITICAL ("*before != NULL*");
  g_assert_null (wk_gc_census_diff (NULL, census));
  EXPECT_CRITICAL ("*after != NULL*");
  g_assert_null (wk_gc_census_diff (census, NULL));
  EXPECT_CRITICAL ("*before != NULL*");
  g_assert_null (wk_gc_census_diff (wrong, census));
  EXPECT_CRITICAL ("*after != NULL*");
  g_assert_null (wk_gc_census_diff (census, string));
  g_test_assert_expected_messages ();
  /* The same census twice: nothing changed. */
  diff = wk_gc_census_diff (census, census);
  g_assert_true (g_variant_is_of_type (diff, G_VARIANT_TYPE ("a{si}")));
  g_assert_cmpuint (g_variant_n_children (diff), ==, 0);
  g_variant_unref (diff);
  g_variant_unref (string);
  g_variant_unref (wrong);
  g_variant_unref (census);
}

static void
case_gc_write_graph (void)
{
  GParamSpec *pspec = not_an_object ();
  WkObject *object = wk_object_new ();
  GObject *roots[] = { G_OBJECT (object), NULL };
  GObject *bad_roots[] = { G_OBJECT (object), (GObject *) pspec };
  char *dir = g_dir_make_tmp ("wk-bad-input-XXXXXX", NULL);
  char *path = g_build_filename (dir, "graph.dot", NULL);
  char *missing = g_build_filename (dir, "no", "graph.dot", NULL);
  GError *error = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED, "set");

  EXPECT_CRITICAL ("*roots != NULL || n_roots == 0*");
  g_assert_false (wk_gc_write_graph (NULL, 1, 3, WK_GC_GRAPH_REFERENTS, path, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_gc_write_graph (roots, 2, 3, WK_GC_GRAPH_REFERENTS, path, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_gc_write_graph (bad_roots, 2, 3, WK_GC_GRAPH_REFERENTS, path, NULL));
  EXPECT_CRITICAL ("*flags & directions*");
  g_assert_false (wk_gc_write_graph (roots, 1, 3, 0, path, NULL));
  EXPECT_CRITICAL ("*flags & directions*");
  g_assert_false (wk_gc_write_graph (roots, 1, 3, WK_GC_GRAPH_REFERENTS | (1 << 7), path, NULL));
  EXPECT_CRITICAL ("*filename != NULL*");
  g_assert_false (wk_gc_write_graph (roots, 1, 3, WK_GC_GRAPH_REFERENTS, NULL, NULL));
  EXPECT_CRITICAL ("*filename != NULL*");
  g_assert_false (wk_gc_write_graph (roots, 1, 3, WK_GC_GRAPH_REFERENTS, "", NULL));
  EXPECT_CRITICAL ("*error == NULL || *error == NULL*");
  g_assert_false (wk_gc_write_graph (roots, 1, 3, WK_GC_GRAPH_REFERENTS, path, &error));
  g_test_assert_expected_messages ();
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A directory that is not there: a GError, no critical. */
  g_assert_false (wk_gc_write_graph (roots, 1, 3, WK_GC_GRAPH_REFERENTS, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  /* Nothing to draw is an empty graph; max_depth has no bad value. */
  g_assert_true (wk_gc_write_graph (NULL, 0, 0, WK_GC_GRAPH_REFERRERS, path, &error));
  g_assert_no_error (error);
  g_assert_true (wk_gc_write_graph (roots, 1, G_MAXUINT, WK_GC_GRAPH_REFERENTS, path, NULL));
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);

  g_free (missing);
  g_free (path);
  g_free (dir);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_gc_report_leaks (void)
{
  /* Nothing to report, then a cycle and a holder: no input to get wrong,
   * and nothing taken or freed. */
  wk_gc_report_leaks ();
  make_cycle ();
  wk_gc_report_leaks ();
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
}

const BadInputCase bad_input_gc_cases[] = {
  CASE (object_hold),
  CASE (object_release),
  CASE (object_list_held),
  CASE (gc_get_type),
  CASE (gc_debug_flags_get_type),
  CASE (gc_auto_mode_get_type),
  CASE (gc_get_default),
  CASE (gc_collect),
  CASE (gc_enable),
  CASE (gc_disable),
  CASE (gc_is_enabled),
  CASE (gc_get_count),
  CASE (gc_set_threshold),
  CASE (gc_get_threshold),
  CASE (gc_get_objects),
  CASE (gc_get_referrers),
  CASE (gc_get_referents),
  CASE (gc_is_tracked),
  CASE (gc_freeze),
  CASE (gc_unfreeze),
  CASE (gc_get_freeze_count),
  CASE (gc_get_stats),
  CASE (gc_set_debug),
  CASE (gc_get_debug),
  CASE (gc_get_garbage),
  CASE (gc_set_auto_mode),
  CASE (gc_get_auto_mode),
  CASE (gc_graph_flags_get_type),
  CASE (gc_get_census),
  CASE (gc_census_diff),
  CASE (gc_write_graph),
  CASE (gc_report_leaks),
};
BAD_INPUT_TABLE_LENGTH (gc)
