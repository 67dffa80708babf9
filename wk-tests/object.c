/* object.c: tests for WkObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

static void
test_object_new (void)
{
  WkObject *object = wk_object_new ();
  GObject *plain = g_object_new (G_TYPE_OBJECT, NULL);

  g_assert_true (WK_IS_OBJECT (object));
  g_assert_true (G_IS_OBJECT (object));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_ref (object);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 2);
  g_object_unref (object);
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);

  /* Any GObject. */
  g_assert_cmpuint (wk_object_get_ref_count (plain), ==, 1);
  g_object_unref (plain);
}

/* Classes made at run time, each with its own dispose that logs its name
 * and chains up to its parent class, as hand-written C does. */
#define MAX_CLASSES 16

static GString *dispose_log;
static GObjectClass *logged_parent[MAX_CLASSES];
static const char *logged_name[MAX_CLASSES];
static guint n_logged;

static void
log_dispose (guint slot, GObject *object)
{
  g_string_append_printf (dispose_log, "%s%s", dispose_log->len ? "," : "", logged_name[slot]);
  logged_parent[slot]->dispose (object);
}

#define LOGGING_DISPOSE(n) \
  static void dispose_##n (GObject *object) { log_dispose (n, object); }
LOGGING_DISPOSE (0) LOGGING_DISPOSE (1) LOGGING_DISPOSE (2) LOGGING_DISPOSE (3)
LOGGING_DISPOSE (4) LOGGING_DISPOSE (5) LOGGING_DISPOSE (6) LOGGING_DISPOSE (7)
LOGGING_DISPOSE (8) LOGGING_DISPOSE (9) LOGGING_DISPOSE (10) LOGGING_DISPOSE (11)
LOGGING_DISPOSE (12) LOGGING_DISPOSE (13) LOGGING_DISPOSE (14) LOGGING_DISPOSE (15)

static void (*dispose_for_slot[MAX_CLASSES]) (GObject *) = {
  dispose_0, dispose_1, dispose_2, dispose_3, dispose_4, dispose_5, dispose_6, dispose_7,
  dispose_8, dispose_9, dispose_10, dispose_11, dispose_12, dispose_13, dispose_14, dispose_15,
};

static void
logging_class_init (gpointer klass,
                    gpointer class_data)
{
  guint slot = GPOINTER_TO_UINT (class_data);

  logged_parent[slot] = g_type_class_peek_parent (klass);
  G_OBJECT_CLASS (klass)->dispose = dispose_for_slot[slot];
}

/* A subclass of @parent; with @name it overrides dispose, otherwise it
 * inherits its parent's. */
static GType
make_class (GType       parent,
            const char *type_name,
            const char *name)
{
  GTypeQuery query;
  GTypeInfo info = { 0, };

  g_type_query (parent, &query);
  info.class_size = query.class_size;
  info.instance_size = query.instance_size;
  if (name != NULL)
    {
      g_assert_cmpuint (n_logged, <, MAX_CLASSES);
      logged_name[n_logged] = name;
      info.class_init = logging_class_init;
      info.class_data = GUINT_TO_POINTER (n_logged);
      n_logged++;
    }
  return g_type_register_static (parent, type_name, &info, 0);
}

static char *
dispose_of (GType type)
{
  GObject *object = g_object_new (type, NULL);

  g_string_truncate (dispose_log, 0);
  g_object_unref (object);
  return g_strdup (dispose_log->str);
}

#define assert_disposes(type, expected) G_STMT_START { \
  char *got = dispose_of (type);                        \
  g_assert_cmpstr (got, ==, expected);                  \
  g_free (got);                                         \
} G_STMT_END

static void
test_object_dispose_chain_leaf_first (void)
{
  GType base = make_class (WK_TYPE_OBJECT, "LeafFirstBase", "base");
  GType mid = make_class (base, "LeafFirstMid", NULL);
  GType leaf = make_class (mid, "LeafFirstLeaf", "leaf");

  /* The trampoline goes on each class when its first instance is made;
   * whatever the order, each dispose runs once, subclass first. */
  assert_disposes (leaf, "leaf,base");
  assert_disposes (base, "base");
  assert_disposes (mid, "base");
  assert_disposes (leaf, "leaf,base");
  assert_disposes (mid, "base");
}

static void
test_object_dispose_chain_base_first (void)
{
  GType base = make_class (WK_TYPE_OBJECT, "BaseFirstBase", "base");
  GType mid, leaf;

  assert_disposes (base, "base");
  /* Classes initialized after their parent got the trampoline. */
  mid = make_class (base, "BaseFirstMid", NULL);
  leaf = make_class (mid, "BaseFirstLeaf", "leaf");
  assert_disposes (mid, "base");
  assert_disposes (leaf, "leaf,base");
  assert_disposes (base, "base");
}

static void
test_object_dispose_chain_deep (void)
{
  GType a = make_class (WK_TYPE_OBJECT, "DeepA", "a");
  GType b = make_class (a, "DeepB", "b");
  GType c = make_class (b, "DeepC", NULL);
  GType d = make_class (c, "DeepD", "d");
  GType e = make_class (d, "DeepE", "e");

  assert_disposes (c, "b,a");
  assert_disposes (e, "e,d,b,a");
  assert_disposes (a, "a");
  assert_disposes (d, "d,b,a");
  assert_disposes (b, "b,a");
  assert_disposes (e, "e,d,b,a");
  assert_disposes (c, "b,a");
}

static void
test_object_run_dispose (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_WK_OBJECT, &finalized);
  WkTestProbe *probe = wk_test_probe (object);

  /* g_object_run_dispose() disposes a live object; the trampoline must
   * not mistake it for a resurrection. */
  g_object_run_dispose (object);
  g_assert_cmpint (probe->dispose_count, ==, 1);
  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
}

static void
test_object_run_dispose_with_ref (void)
{
  gint finalized = 0;
  GObject *object = wk_test_object_new (WK_TEST_TYPE_WK_OBJECT, &finalized);
  WkTestProbe *probe = wk_test_probe (object);
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);

  g_object_run_dispose (object);
  g_assert_cmpint (probe->dispose_count, ==, 1);
  g_assert_null (wk_ref_get (ref));
  g_object_unref (object);
  g_assert_cmpint (finalized, ==, 1);
  g_object_unref (ref);
}

typedef struct { WkObject parent_instance; } NoChain;
typedef struct { WkObjectClass parent_class; } NoChainClass;
static GType no_chain_get_type (void);
G_DEFINE_TYPE (NoChain, no_chain, WK_TYPE_OBJECT)

static guint no_chain_disposed;

static void
no_chain_dispose (GObject *object)
{
  /* Forgets to chain up. */
  no_chain_disposed++;
}

static void no_chain_class_init (NoChainClass *klass) { G_OBJECT_CLASS (klass)->dispose = no_chain_dispose; }
static void no_chain_init (NoChain *self) { }

static guint callbacks_run;

static void
count_callback (WkRef    *ref,
                gpointer  user_data)
{
  callbacks_run++;
}

static void
test_object_no_chain_up (void)
{
  GObject *object = g_object_new (no_chain_get_type (), NULL);
  WkRef *ref = wk_ref_new (object, count_callback, NULL, NULL);

  /* GLib still notifies weak references after dispose, so Wk refs die
   * and call back even when a subclass does not chain up. */
  g_object_unref (object);
  g_assert_cmpuint (no_chain_disposed, ==, 1);
  g_assert_cmpuint (callbacks_run, ==, 1);
  g_assert_null (wk_ref_get (ref));
  g_object_unref (ref);
}

static void
test_object_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_cmpuint (wk_object_get_ref_count (NULL), ==, 0);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_cmpuint (wk_object_get_ref_count (not_an_object), ==, 0);
      g_test_assert_expected_messages ();
      g_param_spec_unref (not_an_object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_object_version (void)
{
  g_assert_cmpuint (wk_get_major_version (), ==, WK_MAJOR_VERSION);
  g_assert_cmpuint (wk_get_minor_version (), ==, WK_MINOR_VERSION);
  g_assert_cmpuint (wk_get_micro_version (), ==, WK_MICRO_VERSION);
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION));
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, 0, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION + 1, 0, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION + 1, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION + 1));
  g_assert_true (WK_CHECK_VERSION (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION));
  g_assert_false (WK_CHECK_VERSION (WK_MAJOR_VERSION + 1, 0, 0));
  g_assert_true (WK_VERSION == WK_ENCODE_VERSION (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  dispose_log = g_string_new (NULL);

  g_test_add_func ("/object/new", test_object_new);
  g_test_add_func ("/object/version", test_object_version);
  g_test_add_func ("/object/dispose-chain/leaf-first", test_object_dispose_chain_leaf_first);
  g_test_add_func ("/object/dispose-chain/base-first", test_object_dispose_chain_base_first);
  g_test_add_func ("/object/dispose-chain/deep", test_object_dispose_chain_deep);
  g_test_add_func ("/object/dispose-chain/no-chain-up", test_object_no_chain_up);
  g_test_add_func ("/object/run-dispose", test_object_run_dispose);
  g_test_add_func ("/object/run-dispose/with-ref", test_object_run_dispose_with_ref);
  g_test_add_func ("/object/bad-input", test_object_bad_input);

  return g_test_run ();
}
