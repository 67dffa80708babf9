/* fixtures.c: what the bad-input cases share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

/* A GTypeInstance that is not a GObject. */
GParamSpec *
not_an_object (void)
{
  return g_param_spec_ref_sink (g_param_spec_int ("x", NULL, NULL, 0, 1, 0, G_PARAM_READWRITE));
}

/* An object whose last reference is gone: what the pointer pointed at is
 * freed, so the cases only keep Wk handles to it. */
GObject *
plain_new (void)
{
  return g_object_new (G_TYPE_OBJECT, NULL);
}

/* A referent with properties of every access kind, for the proxy cases. */

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

gint n_calls;

void
count_ref_callback (WkRef *ref, gpointer data)
{
  n_calls++;
}

void
count_toggle (gpointer data, GObject *object, gboolean is_last_ref)
{
  n_calls++;
}

void
count_finalize (gpointer data)
{
  n_calls++;
}

void
count_cleanup (const GValue *held, gpointer data)
{
  n_calls++;
}

void
count_foreach3 (gpointer a, gpointer b, gpointer data)
{
  n_calls++;
}

void
count_foreach2 (gpointer a, gpointer data)
{
  n_calls++;
}

void
on_poke (gpointer instance, gpointer data)
{
  n_calls++;
}

/* A ref, a proxy and a finalizer whose referent has died. */
WkRef *
dead_ref_new (void)
{
  GObject *object = plain_new ();
  WkRef *ref = wk_ref_new (object, count_ref_callback, NULL, NULL);

  g_object_unref (object);
  return ref;
}

WkProxy *
dead_proxy_new (void)
{
  GObject *object = g_object_new (BAD_TYPE_TARGET, NULL);
  WkProxy *proxy = wk_proxy_new (object, NULL, NULL, NULL);

  g_object_unref (object);
  return proxy;
}

void
assert_error_dead (GError **error)
{
  g_assert_error (*error, WK_REF_ERROR, WK_REF_ERROR_DEAD);
  g_clear_error (error);
}

void
check_object_type (GType type, GType parent)
{
  g_assert_true (G_TYPE_IS_OBJECT (type));
  g_assert_true (g_type_is_a (type, parent));
  g_assert_cmpuint (type, ==, g_type_from_name (g_type_name (type)));
}

WkWeakValueDict *
plain_value_dict (void)
{
  return wk_weak_value_dict_new (g_str_hash, g_str_equal, NULL);
}
