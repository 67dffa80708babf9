/* bad-input.c: every public function, called with bad input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One table entry per exported symbol of libwk. Each entry's case calls
 * the function with NULL, wrong-type instances (a plain GObject, a
 * GParamSpec, a Wk object of another type), dead referents, proxies and
 * finalizers, and out-of-range values, and checks the documented result:
 * a g_return_if_fail() critical, a GError, or the documented return
 * value. Every case runs in a subprocess, so a crash fails that case
 * alone. /bad-input/covers-every-export checks the table against the
 * list of exported symbols that the build writes (exported-symbols.txt,
 * from nm; the path is the first argument, or found in G_TEST_BUILDDIR).
 */

#include <string.h>

#include <wk/wk.h>

#include "wk-test-util.h"

#define EXPECT_CRITICAL(pattern) \
  g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, (pattern))

/* ---- fixtures ---------------------------------------------------------- */

/* A GTypeInstance that is not a GObject. */
static GParamSpec *
not_an_object (void)
{
  return g_param_spec_ref_sink (g_param_spec_int ("x", NULL, NULL, 0, 1, 0, G_PARAM_READWRITE));
}

/* An object whose last reference is gone: what the pointer pointed at is
 * freed, so the cases only keep Wk handles to it. */
static GObject *
plain_new (void)
{
  return g_object_new (G_TYPE_OBJECT, NULL);
}

/* A referent with properties of every access kind, for the proxy cases. */
#define BAD_TYPE_TARGET (bad_target_get_type ())
G_DECLARE_FINAL_TYPE (BadTarget, bad_target, BAD, TARGET, GObject)

struct _BadTarget
{
  GObject parent_instance;
  gint    level;
};

G_DEFINE_FINAL_TYPE (BadTarget, bad_target, G_TYPE_OBJECT)

enum { PROP_0, PROP_LEVEL, PROP_READ_ONLY, PROP_WRITE_ONLY, PROP_CONSTRUCT_ONLY, N_PROPS };

static void
bad_target_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  BadTarget *self = BAD_TARGET (object);

  switch (id)
    {
    case PROP_LEVEL:
    case PROP_READ_ONLY:
    case PROP_CONSTRUCT_ONLY:
      g_value_set_int (value, self->level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
bad_target_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  BadTarget *self = BAD_TARGET (object);

  switch (id)
    {
    case PROP_LEVEL:
    case PROP_WRITE_ONLY:
    case PROP_CONSTRUCT_ONLY:
      self->level = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
bad_target_class_init (BadTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = bad_target_get_property;
  object_class->set_property = bad_target_set_property;
  g_object_class_install_property (object_class, PROP_LEVEL,
    g_param_spec_int ("level", NULL, NULL, 0, 10, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_READ_ONLY,
    g_param_spec_int ("read-only", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_WRITE_ONLY,
    g_param_spec_int ("write-only", NULL, NULL, 0, 10, 0, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_CONSTRUCT_ONLY,
    g_param_spec_int ("construct-only", NULL, NULL, 0, 10, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
}

static void
bad_target_init (BadTarget *self)
{
}

/* A signal to connect to. */
#define BAD_TYPE_EMITTER (bad_emitter_get_type ())
G_DECLARE_FINAL_TYPE (BadEmitter, bad_emitter, BAD, EMITTER, GObject)

struct _BadEmitter
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (BadEmitter, bad_emitter, G_TYPE_OBJECT)

static void
bad_emitter_class_init (BadEmitterClass *klass)
{
  g_signal_new ("poke", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bad_emitter_init (BadEmitter *self)
{
}

static gint n_calls;

static void
count_ref_callback (WkRef *ref, gpointer data)
{
  n_calls++;
}

static void
count_toggle (gpointer data, GObject *object, gboolean is_last_ref)
{
  n_calls++;
}

static void
count_finalize (gpointer data)
{
  n_calls++;
}

static void
count_cleanup (const GValue *held, gpointer data)
{
  n_calls++;
}

static void
count_foreach3 (gpointer a, gpointer b, gpointer data)
{
  n_calls++;
}

static void
count_foreach2 (gpointer a, gpointer data)
{
  n_calls++;
}

static void
on_poke (gpointer instance, gpointer data)
{
  n_calls++;
}

/* A ref, a proxy and a finalizer whose referent has died. */
static WkRef *
dead_ref_new (void)
{
  GObject *object = plain_new ();
  WkRef *ref = wk_ref_new (object, count_ref_callback, NULL, NULL);

  g_object_unref (object);
  return ref;
}

static WkProxy *
dead_proxy_new (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);

  g_object_unref (object);
  return proxy;
}

static void
assert_error_dead (GError **error)
{
  g_assert_error (*error, WK_REF_ERROR, WK_REF_ERROR_DEAD);
  g_clear_error (error);
}

/* ---- version and type functions -------------------------------------- */

static void
case_get_major_version (void)
{
  g_assert_cmpuint (wk_get_major_version (), ==, WK_MAJOR_VERSION);
}

static void
case_get_minor_version (void)
{
  g_assert_cmpuint (wk_get_minor_version (), ==, WK_MINOR_VERSION);
}

static void
case_get_micro_version (void)
{
  g_assert_cmpuint (wk_get_micro_version (), ==, WK_MICRO_VERSION);
}

static void
case_check_version (void)
{
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, WK_MICRO_VERSION));
  g_assert_null (wk_check_version (WK_MAJOR_VERSION, 0, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION + 1, 0, 0));
  g_assert_nonnull (wk_check_version (G_MAXUINT, G_MAXUINT, G_MAXUINT));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, G_MAXUINT, 0));
  g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, G_MAXUINT));
  if (WK_MAJOR_VERSION > 0)
    g_assert_nonnull (wk_check_version (WK_MAJOR_VERSION - 1, G_MAXUINT, G_MAXUINT));
}

/* Only both or neither. */
static gpointer
fake_lock (void)
{
  n_calls++;
  return NULL;
}

static void
fake_unlock (gpointer state)
{
}

static void
case_binding_set_toggle_lock (void)
{
  EXPECT_CRITICAL ("*lock == NULL*");
  wk_binding_set_toggle_lock (fake_lock, NULL);
  EXPECT_CRITICAL ("*lock == NULL*");
  wk_binding_set_toggle_lock (NULL, fake_unlock);
  g_test_assert_expected_messages ();
  wk_binding_set_toggle_lock (fake_lock, fake_unlock);
  wk_binding_set_toggle_lock (NULL, NULL);
  g_assert_cmpint (n_calls, ==, 0);
}

static void
case_ref_error_quark (void)
{
  g_assert_cmpuint (wk_ref_error_quark (), !=, 0);
  g_assert_cmpuint (wk_ref_error_quark (), ==, WK_REF_ERROR);
  g_assert_cmpstr (g_quark_to_string (wk_ref_error_quark ()), ==, "wk-ref-error-quark");
}

static void
case_ref_error_get_type (void)
{
  GEnumClass *klass;

  g_assert_true (G_TYPE_IS_ENUM (wk_ref_error_get_type ()));
  klass = g_type_class_ref (wk_ref_error_get_type ());
  g_assert_nonnull (g_enum_get_value (klass, WK_REF_ERROR_DEAD));
  g_assert_nonnull (g_enum_get_value (klass, WK_REF_ERROR_INVALID_VALUE));
  g_assert_null (g_enum_get_value (klass, 1000));
  g_type_class_unref (klass);
}

static void
check_object_type (GType type, GType parent)
{
  g_assert_true (G_TYPE_IS_OBJECT (type));
  g_assert_true (g_type_is_a (type, parent));
  g_assert_cmpuint (type, ==, g_type_from_name (g_type_name (type)));
}

static void case_object_get_type (void) { check_object_type (wk_object_get_type (), G_TYPE_OBJECT); }
static void case_ref_get_type (void) { check_object_type (wk_ref_get_type (), G_TYPE_OBJECT); }
static void case_proxy_get_type (void) { check_object_type (wk_proxy_get_type (), WK_TYPE_REF); }
static void case_finalizer_get_type (void) { check_object_type (wk_finalizer_get_type (), G_TYPE_OBJECT); }
static void case_finalization_registry_get_type (void) { check_object_type (wk_finalization_registry_get_type (), G_TYPE_OBJECT); }
static void case_weak_key_dict_get_type (void) { check_object_type (wk_weak_key_dict_get_type (), G_TYPE_OBJECT); }
static void case_weak_value_dict_get_type (void) { check_object_type (wk_weak_value_dict_get_type (), G_TYPE_OBJECT); }
static void case_weak_set_get_type (void) { check_object_type (wk_weak_set_get_type (), G_TYPE_OBJECT); }

/* ---- WkObject and toggle references ---------------------------------- */

static void
case_object_new (void)
{
  WkObject *object = wk_object_new ();

  g_assert_true (WK_IS_OBJECT (object));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
}

static void
case_object_get_ref_count (void)
{
  GParamSpec *pspec = not_an_object ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_get_ref_count (NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_get_ref_count (pspec), ==, 0);
  g_param_spec_unref (pspec);
}

static void
case_object_add_toggle_ref (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_add_toggle_ref (NULL, count_toggle, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_add_toggle_ref ((GObject *) pspec, count_toggle, NULL);
  EXPECT_CRITICAL ("*notify != NULL*");
  wk_object_add_toggle_ref (object, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_add_toggle_ref_full (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full (NULL, count_toggle, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full ((GObject *) pspec, count_toggle, NULL, NULL), ==, 0);
  EXPECT_CRITICAL ("*notify != NULL*");
  g_assert_cmpuint (wk_object_add_toggle_ref_full (object, NULL, NULL, NULL), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_remove_toggle_ref (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_remove_toggle_ref (NULL, count_toggle, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_object_remove_toggle_ref ((GObject *) pspec, count_toggle, NULL);
  EXPECT_CRITICAL ("*notify != NULL*");
  wk_object_remove_toggle_ref (object, NULL, NULL);
  /* Never added, and added once but removed twice. */
  EXPECT_CRITICAL ("*no toggle reference*");
  wk_object_remove_toggle_ref (object, count_toggle, NULL);
  wk_object_add_toggle_ref (object, count_toggle, &n_calls);
  wk_object_remove_toggle_ref (object, count_toggle, &n_calls);
  EXPECT_CRITICAL ("*no toggle reference*");
  wk_object_remove_toggle_ref (object, count_toggle, &n_calls);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

static void
case_object_remove_toggle_ref_by_id (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  guint id;

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_remove_toggle_ref_by_id (NULL, 1));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_object_remove_toggle_ref_by_id ((GObject *) pspec, 1));
  EXPECT_CRITICAL ("*id != 0*");
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, 0));
  g_test_assert_expected_messages ();
  /* Unknown ids, and an id removed twice: FALSE, quietly. */
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, G_MAXUINT));
  id = wk_object_add_toggle_ref_full (object, count_toggle, NULL, NULL);
  g_assert_cmpuint (id, !=, 0);
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, id + 1000));
  g_assert_true (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_false (wk_object_remove_toggle_ref_by_id (object, id));
  g_assert_cmpuint (wk_object_get_ref_count (object), ==, 1);
  g_object_unref (object);
  g_param_spec_unref (pspec);
}

/* ---- hold/release and the cycle collector ----------------------------- */

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

/* ---- WkRef ------------------------------------------------------------ */

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
static void
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

/* ---- WkProxy ---------------------------------------------------------- */

static void
case_proxy_new (void)
{
  GParamSpec *pspec = not_an_object ();

  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_proxy_new (NULL, NULL, NULL, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_null (wk_proxy_new (pspec, count_ref_callback, NULL, NULL));
  g_param_spec_unref (pspec);
}

static void
case_proxy_dup_target (void)
{
  GObject *object = plain_new ();
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target (NULL, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target ((WkProxy *) ref, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target ((WkProxy *) object, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_null (wk_proxy_dup_target (dead, &error));
  assert_error_dead (&error);
  g_assert_null (wk_proxy_dup_target (dead, NULL));

  /* An error already set. */
  g_set_error_literal (&error, g_quark_from_static_string ("bad-input-test"), 1, "earlier");
  EXPECT_CRITICAL ("*error == NULL*");
  g_assert_null (wk_proxy_dup_target (live, &error));
  g_test_assert_expected_messages ();
  g_clear_error (&error);

  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (ref);
  g_object_unref (object);
}

static void
case_proxy_get_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_target_property (NULL, "level", &value, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_target_property ((WkProxy *) ref, "level", &value, &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_false (wk_proxy_get_target_property (live, NULL, &value, &error));
  EXPECT_CRITICAL ("*value != NULL*");
  g_assert_false (wk_proxy_get_target_property (live, "level", NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_false (wk_proxy_get_target_property (dead, "level", &value, &error));
  assert_error_dead (&error);
  g_assert_false (wk_proxy_get_target_property (live, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_get_target_property (live, "", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_get_target_property (live, "write-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (G_IS_VALUE (&value));   /* left as it was */

  g_value_init (&value, G_TYPE_OBJECT);   /* an int cannot be read as an object */
  g_assert_false (wk_proxy_get_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_true (G_VALUE_HOLDS_OBJECT (&value));
  g_value_unset (&value);

  g_object_unref (ref);
  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

static void
case_proxy_dup_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target_property (NULL, "level", &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_target_property ((WkProxy *) object, "level", &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_null (wk_proxy_dup_target_property (live, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_null (wk_proxy_dup_target_property (dead, "level", &error));
  assert_error_dead (&error);
  g_assert_null (wk_proxy_dup_target_property (live, "no-such-property", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_null (wk_proxy_dup_target_property (live, "write-only", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);

  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

static void
case_proxy_set_target_property (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *live = wk_proxy_new (object, NULL, NULL, NULL);
  WkProxy *dead = dead_proxy_new ();
  GValue value = G_VALUE_INIT, unset = G_VALUE_INIT, string = G_VALUE_INIT;
  GError *error = NULL;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 5);
  g_value_init (&string, G_TYPE_STRING);
  g_value_set_static_string (&string, "five");

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_target_property (NULL, "level", &value, &error));
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_target_property ((WkProxy *) object, "level", &value, &error));
  EXPECT_CRITICAL ("*name != NULL*");
  g_assert_false (wk_proxy_set_target_property (live, NULL, &value, &error));
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  g_assert_false (wk_proxy_set_target_property (live, "level", NULL, &error));
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  g_assert_false (wk_proxy_set_target_property (live, "level", &unset, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_false (wk_proxy_set_target_property (dead, "level", &value, &error));
  assert_error_dead (&error);
  g_assert_false (wk_proxy_set_target_property (live, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "read-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "construct-only", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS);
  g_clear_error (&error);
  g_assert_false (wk_proxy_set_target_property (live, "level", &string, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  /* Out of the property's range, either side. */
  g_value_set_int (&value, 11);
  g_assert_false (wk_proxy_set_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_value_set_int (&value, -1);
  g_assert_false (wk_proxy_set_target_property (live, "level", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpint (BAD_TARGET (object)->level, ==, 0);

  g_value_unset (&string);
  g_object_unref (dead);
  g_object_unref (live);
  g_object_unref (object);
}

/* ---- WkWeak ----------------------------------------------------------- */

static void
case_weak_init (void)
{
  GParamSpec *pspec = not_an_object ();
  WkWeak weak = WK_WEAK_INIT;

  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_init (NULL, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_init (&weak, pspec);
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&weak));
  wk_weak_init (&weak, NULL);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
  g_param_spec_unref (pspec);
}

static void
case_weak_set (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *object = plain_new ();
  WkWeak weak = WK_WEAK_INIT;

  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_set (NULL, object);
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  wk_weak_set (&weak, pspec);
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&weak));
  /* A referent that dies while set. */
  wk_weak_set (&weak, object);
  g_object_unref (object);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_set (&weak, NULL);
  wk_weak_set (&weak, NULL);
  g_assert_null (wk_weak_get (&weak));
  g_param_spec_unref (pspec);
}

static void
case_weak_get (void)
{
  WkWeak zeroed;
  WkWeak weak = WK_WEAK_INIT;
  GObject *object = plain_new ();

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*weak != NULL*");
  g_assert_null (wk_weak_get (NULL));
  g_test_assert_expected_messages ();
  g_assert_null (wk_weak_get (&zeroed));
  wk_weak_init (&weak, object);
  g_object_unref (object);
  g_assert_null (wk_weak_get (&weak));
  wk_weak_clear (&weak);
}

static void
case_weak_clear (void)
{
  WkWeak zeroed;
  WkWeak weak = WK_WEAK_INIT;
  GObject *object = plain_new ();

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*weak != NULL*");
  wk_weak_clear (NULL);
  g_test_assert_expected_messages ();
  wk_weak_clear (&zeroed);
  wk_weak_clear (&zeroed);
  wk_weak_init (&weak, object);
  g_object_unref (object);   /* dead, then cleared */
  wk_weak_clear (&weak);
  wk_weak_clear (&weak);
  g_assert_null (wk_weak_get (&weak));
}

/* The old names still work: they are the new functions. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
case_proxy_get_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_get_property (NULL, "level", &value, &error));
  g_test_assert_expected_messages ();
  g_assert_false (wk_proxy_get_property (proxy, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

static void
case_proxy_dup_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GError *error = NULL;

  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_null (wk_proxy_dup_property (NULL, "level", &error));
  g_test_assert_expected_messages ();
  g_assert_null (wk_proxy_dup_property (proxy, "no-such-property", &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

static void
case_proxy_set_property (void)
{
  GObject *object = plain_new ();
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_value_init (&value, G_TYPE_INT);
  EXPECT_CRITICAL ("*WK_IS_PROXY*");
  g_assert_false (wk_proxy_set_property (NULL, "level", &value, &error));
  g_test_assert_expected_messages ();
  g_assert_false (wk_proxy_set_property (proxy, "no-such-property", &value, &error));
  g_assert_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY);
  g_clear_error (&error);
  g_object_unref (proxy);
  g_object_unref (object);
}

G_GNUC_END_IGNORE_DEPRECATIONS

/* ---- finalizers ------------------------------------------------------- */

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
  EXPECT_CRITICAL ("*id != 0*");
  g_assert_false (wk_finalize_remove (object, 0));
  g_test_assert_expected_messages ();
  /* Not this object's, or unknown: FALSE, quietly. */
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

/* ---- WkFinalizationRegistry ------------------------------------------ */

static void
case_finalization_registry_new (void)
{
  EXPECT_CRITICAL ("*cleanup != NULL*");
  g_assert_null (wk_finalization_registry_new (NULL, NULL, NULL, NULL));
}

static void
case_finalization_registry_register (void)
{
  GParamSpec *pspec = not_an_object ();
  WkFinalizationRegistry *registry = wk_finalization_registry_new (count_cleanup, NULL, NULL, NULL);
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *target = plain_new ();
  GValue held = G_VALUE_INIT, unset = G_VALUE_INIT, self_held = G_VALUE_INIT;

  g_value_init (&held, G_TYPE_INT);
  g_value_init (&self_held, G_TYPE_OBJECT);
  g_value_set_object (&self_held, target);

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  wk_finalization_registry_register (NULL, target, &held, NULL);
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  wk_finalization_registry_register ((WkFinalizationRegistry *) target, target, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  wk_finalization_registry_register (registry, NULL, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  wk_finalization_registry_register (registry, pspec, &held, NULL);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_finalization_registry_register (registry, target, NULL, NULL);
  EXPECT_CRITICAL ("*G_IS_VALUE*");
  wk_finalization_registry_register (registry, target, &unset, NULL);
  EXPECT_CRITICAL ("*== target*");
  wk_finalization_registry_register (registry, target, &self_held, NULL);
  EXPECT_CRITICAL ("*unregister_token*");
  wk_finalization_registry_register (registry, target, &held, (GObject *) pspec);
  /* Made by g_object_new() alone: no cleanup, refused. */
  EXPECT_CRITICAL ("*core != NULL*");
  wk_finalization_registry_register (bare, target, &held, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);

  g_value_unset (&self_held);
  g_object_unref (target);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (bare);
  g_object_unref (registry);
  g_param_spec_unref (pspec);
}

static void
case_finalization_registry_unregister (void)
{
  GParamSpec *pspec = not_an_object ();
  WkFinalizationRegistry *registry = wk_finalization_registry_new (count_cleanup, NULL, NULL, NULL);
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *token = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_false (wk_finalization_registry_unregister (NULL, token));
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_false (wk_finalization_registry_unregister ((WkFinalizationRegistry *) token, token));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalization_registry_unregister (registry, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (wk_finalization_registry_unregister (registry, (GObject *) pspec));
  EXPECT_CRITICAL ("*core != NULL*");
  g_assert_false (wk_finalization_registry_unregister (bare, token));
  g_test_assert_expected_messages ();
  /* A token never used: FALSE, quietly. */
  g_assert_false (wk_finalization_registry_unregister (registry, token));
  g_object_unref (token);
  g_object_unref (bare);
  g_object_unref (registry);
  g_param_spec_unref (pspec);
}

static void
case_finalization_registry_get_size (void)
{
  WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_cmpuint (wk_finalization_registry_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_FINALIZATION_REGISTRY*");
  g_assert_cmpuint (wk_finalization_registry_get_size ((WkFinalizationRegistry *) object), ==, 0);
  EXPECT_CRITICAL ("*core != NULL*");
  g_assert_cmpuint (wk_finalization_registry_get_size (bare), ==, 0);
  g_test_assert_expected_messages ();
  g_object_unref (object);
  g_object_unref (bare);
}

/* ---- signals ---------------------------------------------------------- */

static void
case_signal_connect_weak (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *emitter = g_object_new (BAD_TYPE_EMITTER, NULL);
  GObject *target = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_weak (NULL, "poke", G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_weak (pspec, "poke", G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*detailed_signal != NULL*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, NULL, G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*c_handler != NULL*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", NULL, target, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), NULL, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), pspec, 0), ==, 0);
  g_test_assert_expected_messages ();
  /* A signal the instance does not have, or a detail on a signal without
   * G_SIGNAL_DETAILED: Wk's own critical and 0, on every GLib (GLib's
   * own report, a warning up to 2.74 and a critical from 2.76 on, never
   * comes: Wk checks the name first). */
  EXPECT_CRITICAL ("*wk_signal_connect_weak: signal 'no-such-signal' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "no-such-signal", G_CALLBACK (on_poke), target, 0), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
  g_signal_emit_by_name (emitter, "poke");
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (target);
  g_object_unref (emitter);
  g_param_spec_unref (pspec);
}

static void
case_signal_connect_closure_weak (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *emitter = g_object_new (BAD_TYPE_EMITTER, NULL);
  GObject *target = plain_new ();
  GClosure *closure = g_cclosure_new (G_CALLBACK (on_poke), NULL, NULL);

  g_closure_ref (closure);
  g_closure_sink (closure);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (NULL, "poke", closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (pspec, "poke", closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*detailed_signal != NULL*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, NULL, closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*closure != NULL*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", NULL, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", closure, NULL, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", closure, pspec, TRUE), ==, 0);
  g_test_assert_expected_messages ();
  EXPECT_CRITICAL ("*wk_signal_connect_closure_weak: signal 'no-such-signal' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "no-such-signal", closure, target, FALSE), ==, 0);
  g_test_assert_expected_messages ();
  g_signal_emit_by_name (emitter, "poke");
  g_assert_cmpint (n_calls, ==, 0);
  g_closure_unref (closure);
  g_object_unref (target);
  g_object_unref (emitter);
  g_param_spec_unref (pspec);
}

/* ---- WkWeakValueDict -------------------------------------------------- */

/* The C face, with string keys that the dict does not own. */
static WkWeakValueDict *
plain_value_dict (void)
{
  return wk_weak_value_dict_new (g_str_hash, g_str_equal, NULL);
}

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
  EXPECT_CRITICAL ("*wk_signal_connect_weak: signal 'poke::detail' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke::detail", G_CALLBACK (on_poke), target, 0), ==, 0);
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
  EXPECT_CRITICAL ("*wk_signal_connect_closure_weak: signal 'poke::detail' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke::detail", closure, target, FALSE), ==, 0);
  wk_weak_value_dict_insert (dict, "k", object);
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
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

/* ---- WkWeakKeyDict ---------------------------------------------------- */

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
  g_object_unref (key);
  g_object_unref (dict);
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

/* ---- WkWeakSet -------------------------------------------------------- */

static void
case_weak_set_new (void)
{
  WkWeakSet *set = wk_weak_set_new ();

  g_assert_true (WK_IS_WEAK_SET (set));
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (set);
}

typedef enum { S_ADD, S_REMOVE, S_CONTAINS } SetOp;

static gboolean
set_op (SetOp op, WkWeakSet *set, GObject *member)
{
  switch (op)
    {
    case S_ADD:
      return wk_weak_set_add (set, member);
    case S_REMOVE:
      return wk_weak_set_remove (set, member);
    case S_CONTAINS:
    default:
      return wk_weak_set_contains (set, member);
    }
}

static void
check_set_op (SetOp op)
{
  GParamSpec *pspec = not_an_object ();
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakKeyDict *other = wk_weak_key_dict_new (NULL);
  GObject *member = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_false (set_op (op, NULL, member));
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_false (set_op (op, (WkWeakSet *) other, member));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (set_op (op, set, NULL));
  EXPECT_CRITICAL ("*G_IS_OBJECT*");
  g_assert_false (set_op (op, set, (GObject *) pspec));
  g_test_assert_expected_messages ();
  if (op != S_ADD)
    g_assert_false (set_op (op, set, member));   /* not a member */
  g_assert_true (wk_weak_set_add (set, member));
  g_object_unref (member);                        /* dead */
  g_assert_cmpuint (wk_weak_set_get_size (set), ==, 0);
  g_object_unref (other);
  g_object_unref (set);
  g_param_spec_unref (pspec);
}

static void case_weak_set_add (void) { check_set_op (S_ADD); }
static void case_weak_set_remove (void) { check_set_op (S_REMOVE); }
static void case_weak_set_contains (void) { check_set_op (S_CONTAINS); }

static void
case_weak_set_get_size (void)
{
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_cmpuint (wk_weak_set_get_size (NULL), ==, 0);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_cmpuint (wk_weak_set_get_size ((WkWeakSet *) object), ==, 0);
  g_object_unref (object);
}

static void
case_weak_set_remove_all (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_remove_all (NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_remove_all ((WkWeakSet *) object);
  g_test_assert_expected_messages ();
  wk_weak_set_remove_all (set);
  wk_weak_set_remove_all (set);
  g_object_unref (object);
  g_object_unref (set);
}

static void
case_weak_set_foreach (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_foreach (NULL, count_foreach2, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_foreach ((WkWeakSet *) object, count_foreach2, NULL);
  EXPECT_CRITICAL ("*func != NULL*");
  wk_weak_set_foreach (set, NULL, NULL);
  g_test_assert_expected_messages ();
  wk_weak_set_add (set, object);
  g_object_unref (object);
  wk_weak_set_foreach (set, count_foreach2, NULL);
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (set);
}

static void
case_weak_set_get_members (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();
  GPtrArray *members;

  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_null (wk_weak_set_get_members (NULL));
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  g_assert_null (wk_weak_set_get_members ((WkWeakSet *) object));
  g_test_assert_expected_messages ();
  wk_weak_set_add (set, object);
  g_object_unref (object);
  members = wk_weak_set_get_members (set);
  g_assert_cmpuint (members->len, ==, 0);
  g_ptr_array_unref (members);
  g_object_unref (set);
}

static void
case_weak_set_iter_init (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakValueDict *other = plain_value_dict ();
  WkWeakSetIter iter;

  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_set_iter_init (NULL, set);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_iter_init (&iter, NULL);
  EXPECT_CRITICAL ("*WK_IS_WEAK_SET*");
  wk_weak_set_iter_init (&iter, (WkWeakSet *) other);
  g_test_assert_expected_messages ();
  wk_weak_set_iter_init (&iter, set);
  g_assert_false (wk_weak_set_iter_next (&iter, NULL));
  g_object_unref (other);
  g_object_unref (set);
}

static void
case_weak_set_iter_next (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  GObject *object = plain_new ();
  WkWeakSetIter iter, zeroed;
  gpointer member;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  g_assert_false (wk_weak_set_iter_next (NULL, &member));
  g_test_assert_expected_messages ();
  g_assert_false (wk_weak_set_iter_next (&zeroed, &member));
  wk_weak_set_add (set, object);
  wk_weak_set_iter_init (&iter, set);
  g_assert_true (wk_weak_set_iter_next (&iter, NULL));
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  wk_weak_set_iter_init (&iter, set);
  wk_weak_set_iter_finish (&iter);
  g_assert_false (wk_weak_set_iter_next (&iter, &member));
  g_object_unref (object);
  g_object_unref (set);
}

static void
case_weak_set_iter_finish (void)
{
  WkWeakSet *set = wk_weak_set_new ();
  WkWeakSetIter iter, zeroed;

  memset (&zeroed, 0, sizeof zeroed);
  EXPECT_CRITICAL ("*iter != NULL*");
  wk_weak_set_iter_finish (NULL);
  g_test_assert_expected_messages ();
  wk_weak_set_iter_finish (&zeroed);
  wk_weak_set_iter_init (&iter, set);
  g_assert_false (wk_weak_set_iter_next (&iter, NULL));
  wk_weak_set_iter_finish (&iter);
  wk_weak_set_iter_finish (&iter);
  g_object_unref (set);
}

/* ---- the table -------------------------------------------------------- */

typedef struct
{
  const char *symbol;
  void      (*func) (void);
} BadInputCase;

#define CASE(name) { "wk_" #name, case_##name }

static const BadInputCase cases[] = {
  /* versions, types, error domain */
  CASE (get_major_version),
  CASE (get_minor_version),
  CASE (get_micro_version),
  CASE (check_version),
  CASE (ref_error_quark),
  CASE (ref_error_get_type),
  CASE (object_get_type),
  CASE (ref_get_type),
  CASE (proxy_get_type),
  CASE (finalizer_get_type),
  CASE (finalization_registry_get_type),
  CASE (weak_key_dict_get_type),
  CASE (binding_set_toggle_lock),
  CASE (weak_value_dict_get_type),
  CASE (weak_set_get_type),
  /* WkObject, toggle references */
  CASE (object_new),
  CASE (object_get_ref_count),
  CASE (object_add_toggle_ref),
  CASE (object_add_toggle_ref_full),
  CASE (object_remove_toggle_ref),
  CASE (object_remove_toggle_ref_by_id),
  CASE (object_hold),
  CASE (object_release),
  CASE (object_list_held),
  /* the cycle collector */
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
  /* WkRef */
  CASE (ref_new),
  CASE (ref_get),
  CASE (ref_is_alive),
  CASE (ref_set_callback),
  CASE (ref_hash),
  CASE (ref_equal),
  CASE (get_weak_ref_count),
  CASE (get_weak_refs),
  /* WkProxy */
  CASE (proxy_new),
  CASE (proxy_dup_target),
  CASE (proxy_get_property),
  CASE (proxy_dup_property),
  CASE (proxy_set_property),
  /* WkWeak */
  CASE (weak_init),
  CASE (weak_set),
  CASE (weak_get),
  CASE (weak_clear),
  CASE (proxy_get_target_property),
  CASE (proxy_dup_target_property),
  CASE (proxy_set_target_property),
  /* finalizers */
  CASE (finalize_new),
  CASE (finalizer_call),
  CASE (finalizer_detach),
  CASE (finalizer_peek),
  CASE (finalizer_is_alive),
  CASE (finalizer_get_atexit),
  CASE (finalizer_set_atexit),
  CASE (finalize_run_atexit),
  CASE (finalizer_new),
  /* WkFinalizationRegistry */
  CASE (finalizer_dup_object),
  CASE (finalize_add),
  CASE (finalize_remove),
  CASE (finalization_registry_new),
  CASE (finalization_registry_register),
  CASE (finalization_registry_unregister),
  CASE (finalization_registry_get_size),
  /* signals */
  CASE (signal_connect_weak),
  CASE (signal_connect_closure_weak),
  /* WkWeakValueDict */
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
  /* WkWeakKeyDict */
  CASE (weak_key_dict_new),
  CASE (weak_key_dict_new_for_values),
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
  /* WkWeakSet */
  CASE (weak_set_new),
  CASE (weak_set_add),
  CASE (weak_set_remove),
  CASE (weak_set_contains),
  CASE (weak_set_get_size),
  CASE (weak_set_remove_all),
  CASE (weak_set_foreach),
  CASE (weak_set_get_members),
  CASE (weak_set_iter_init),
  CASE (weak_set_iter_next),
  CASE (weak_set_iter_finish),
};

/* Checks beyond the one entry per function, under
 * /bad-input-more/<function>/<what>; not counted as table entries. */
typedef struct
{
  BadInputCase  entry;
  const char   *what;
} BadInputExtra;

static const BadInputExtra extras[] = {
  { { "wk_ref_new", case_ref_new_dying }, "dying-referent" },
};

/* Runs the case in a subprocess: a crash or a failed assertion there
 * fails this test alone (assertions are non-fatal in the parent). */
static void
run_case (gconstpointer data)
{
  const BadInputCase *entry = data;

  if (g_test_subprocess ())
    {
      n_calls = 0;
      entry->func ();
      g_test_assert_expected_messages ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- the table against the exports ----------------------------------- */

static const char *symbols_file;

/* Reads `nm -D --defined-only` output, filtered or not: the names of the
 * text (T) symbols that start with wk_. A line with a single word is
 * taken as a name. */
static GHashTable *
read_exports (const char *path)
{
  GHashTable *exports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GError *error = NULL;
  char *contents = NULL;
  char **lines;
  guint i;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("cannot read the list of exported symbols: %s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char **words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      guint n = 0;
      const char *name = NULL;

      while (words[n] != NULL)
        n++;
      if (n == 1 && words[0][0] != '\0')
        name = words[0];
      else if (n >= 2 && strcmp (words[n - 2], "T") == 0)
        name = words[n - 1];
      if (name != NULL && g_str_has_prefix (name, "wk_"))
        g_hash_table_add (exports, g_strdup (name));
      g_strfreev (words);
    }
  g_strfreev (lines);
  g_free (contents);
  return exports;
}

static void
test_covers_every_export (void)
{
  GHashTable *exports;
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer name;
  guint i, missing = 0, extra = 0, duplicates = 0;
  char *path;

  path = symbols_file != NULL ? g_strdup (symbols_file)
                              : g_test_build_filename (G_TEST_BUILT, "exported-symbols.txt", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no exported-symbols.txt (pass its path as the first argument)");
      g_free (path);
      g_hash_table_unref (table);
      return;
    }
  exports = read_exports (path);

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (!g_hash_table_add (table, (gpointer) cases[i].symbol))
        {
          g_test_message ("table names %s twice", cases[i].symbol);
          duplicates++;
        }
      if (!g_hash_table_contains (exports, cases[i].symbol))
        {
          g_test_message ("table names %s, which libwk does not export", cases[i].symbol);
          extra++;
        }
    }
  g_hash_table_iter_init (&iter, exports);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (table, name))
      {
        g_test_message ("libwk exports %s, which has no table entry", (const char *) name);
        missing++;
      }

  g_test_message ("bad-input table: %u entries; libwk exports %u wk_ functions (%s)",
                  (guint) G_N_ELEMENTS (cases), g_hash_table_size (exports), path);
  g_assert_cmpuint (duplicates, ==, 0);
  g_assert_cmpuint (missing, ==, 0);
  g_assert_cmpuint (extra, ==, 0);
  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, g_hash_table_size (exports));

  g_hash_table_unref (exports);
  g_hash_table_unref (table);
  g_free (path);
}

int
main (int argc, char *argv[])
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  /* What g_test_init() leaves is ours: the symbol list. */
  if (argc > 1)
    symbols_file = argv[1];
  else
    symbols_file = g_getenv ("WK_EXPORTED_SYMBOLS");

  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

  g_test_add_func ("/bad-input/covers-every-export", test_covers_every_export);
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strconcat ("/bad-input/", cases[i].symbol, NULL);

      g_test_add_data_func (path, &cases[i], run_case);
      g_free (path);
    }
  for (i = 0; i < G_N_ELEMENTS (extras); i++)
    {
      /* Not under /bad-input/<function>: -p would run it with that case. */
      char *path = g_strconcat ("/bad-input-more/", extras[i].entry.symbol, "/", extras[i].what, NULL);

      g_test_add_data_func (path, &extras[i].entry, run_case);
      g_free (path);
    }
  return g_test_run ();
}
