/* finalization-registry.c: tests for WkFinalizationRegistry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wk/wk.h>

#include "wk-test-util.h"

#define TYPE_OF(data) ((GType) GPOINTER_TO_SIZE (data))

/* What the cleanup saw: a copy of each held value, in delivery order,
 * and the thread it ran in. */
typedef struct
{
  GArray   *held;        /* GValue */
  GThread  *thread;      /* of the last delivery */
  gint      calls;       /* (atomic) */
  gint      destroyed;   /* (atomic) */
  WkFinalizationRegistry *registry;   /* for the cleanups that use it */
  GObject  *token;       /* to unregister from a cleanup */
  gboolean  unregistered;
} Log;

static void
log_init (Log *log)
{
  memset (log, 0, sizeof *log);
  log->held = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (log->held, (GDestroyNotify) g_value_unset);
}

static void
log_clear (Log *log)
{
  g_array_unref (log->held);
}

static void
log_cleanup (const GValue *held,
             gpointer      user_data)
{
  Log *log = user_data;
  GValue copy = G_VALUE_INIT;

  g_value_init (&copy, G_VALUE_TYPE (held));
  g_value_copy (held, &copy);
  g_array_append_val (log->held, copy);
  log->thread = g_thread_self ();
  g_atomic_int_inc (&log->calls);
}

static void
log_destroy (gpointer user_data)
{
  Log *log = user_data;

  g_atomic_int_inc (&log->destroyed);
}

static void
register_int (WkFinalizationRegistry *registry,
              gpointer                target,
              gint                    value,
              GObject                *token)
{
  GValue held = G_VALUE_INIT;

  g_value_init (&held, G_TYPE_INT);
  g_value_set_int (&held, value);
  wk_finalization_registry_register (registry, target, &held, token);
  g_value_unset (&held);
}

static gint
held_int (Log   *log,
          guint  i)
{
  g_assert_cmpuint (i, <, log->held->len);
  return g_value_get_int (&g_array_index (log->held, GValue, i));
}

static void
iterate (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

static void
test_sync_held_values (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  GObject *targets[3];
  GObject *payload = g_object_new (G_TYPE_OBJECT, NULL);
  GValue held = G_VALUE_INIT;
  gint finalized = 0;
  guint i;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  for (i = 0; i < G_N_ELEMENTS (targets); i++)
    targets[i] = wk_test_object_new (TYPE_OF (data), &finalized);

  register_int (registry, targets[0], 42, NULL);

  g_value_init (&held, G_TYPE_STRING);
  g_value_set_string (&held, "hello");
  wk_finalization_registry_register (registry, targets[1], &held, NULL);
  g_value_unset (&held);

  g_value_init (&held, G_TYPE_OBJECT);
  g_value_set_object (&held, payload);
  wk_finalization_registry_register (registry, targets[2], &held, NULL);
  g_value_unset (&held);
  /* The registry holds its copy of the held object. */
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 2);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 3);

  /* Delivery is synchronous: each cleanup has run when unref returns. */
  g_object_unref (targets[1]);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpstr (g_value_get_string (&g_array_index (log.held, GValue, 0)), ==, "hello");
  g_assert_true (log.thread == g_thread_self ());
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 2);

  g_object_unref (targets[0]);
  g_assert_cmpint (log.calls, ==, 2);
  g_assert_cmpint (held_int (&log, 1), ==, 42);

  g_object_unref (targets[2]);
  g_assert_cmpint (log.calls, ==, 3);
  g_assert_true (g_value_get_object (&g_array_index (log.held, GValue, 2)) == payload);
  g_assert_cmpint (finalized, ==, 3);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);

  /* The registry's copy went after delivery; only the log's is left. */
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 2);
  g_array_set_size (log.held, 0);
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 1);

  g_assert_cmpint (log.destroyed, ==, 0);
  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_assert_cmpint (log.calls, ==, 3);
  g_object_unref (payload);
  log_clear (&log);
}

static void
test_target_not_kept_alive (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  gint finalized = 0;
  GObject *target = wk_test_object_new (TYPE_OF (data), &finalized);
  GObject *token = g_object_new (G_TYPE_OBJECT, NULL);

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  register_int (registry, target, 1, token);
  register_int (registry, target, 2, target);
  g_assert_cmpuint (wk_object_get_ref_count (target), ==, 1);
  g_assert_cmpuint (wk_object_get_ref_count (token), ==, 1);
  g_assert_cmpuint (wk_object_get_ref_count (registry), ==, 1);

  g_object_unref (target);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpint (log.calls, ==, 2);
  g_assert_cmpuint (wk_object_get_ref_count (token), ==, 1);
  /* Delivered: nothing left to unregister. */
  g_assert_false (wk_finalization_registry_unregister (registry, token));

  g_object_unref (token);
  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  log_clear (&log);
}

static void
test_unregister_before_death (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  gint finalized = 0;
  GObject *target = wk_test_object_new (TYPE_OF (data), &finalized);
  GObject *token = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *payload = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *stranger = g_object_new (G_TYPE_OBJECT, NULL);
  GValue held = G_VALUE_INIT;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  g_value_init (&held, G_TYPE_OBJECT);
  g_value_set_object (&held, payload);
  wk_finalization_registry_register (registry, target, &held, token);
  g_value_unset (&held);
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 2);

  g_assert_false (wk_finalization_registry_unregister (registry, stranger));
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 1);
  g_assert_true (wk_finalization_registry_unregister (registry, token));
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);
  /* The held value is freed on unregistration. */
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 1);
  g_assert_false (wk_finalization_registry_unregister (registry, token));

  g_object_unref (target);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpint (log.calls, ==, 0);

  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_object_unref (token);
  g_object_unref (payload);
  g_object_unref (stranger);
  log_clear (&log);
}

static void
test_unregister_after_death (gconstpointer data)
{
  Log log;
  GMainContext *context = g_main_context_new ();
  WkFinalizationRegistry *registry;
  GObject *target = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *other = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *token = g_object_new (G_TYPE_OBJECT, NULL);

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, context);
  register_int (registry, target, 1, token);
  register_int (registry, other, 2, NULL);

  g_object_unref (target);
  g_object_unref (other);
  g_assert_cmpint (log.calls, ==, 0);
  /* Dead but queued: still counted, and still cancellable. */
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 2);
  g_assert_true (wk_finalization_registry_unregister (registry, token));
  g_assert_false (wk_finalization_registry_unregister (registry, token));
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 1);

  iterate (context);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (held_int (&log, 0), ==, 2);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);

  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_object_unref (token);
  g_main_context_unref (context);
  log_clear (&log);
}

static void
test_token_is_target (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  gint finalized = 0;
  GObject *a = wk_test_object_new (TYPE_OF (data), &finalized);
  GObject *b = wk_test_object_new (TYPE_OF (data), &finalized);

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  register_int (registry, a, 1, a);
  register_int (registry, b, 2, b);
  g_assert_cmpuint (wk_object_get_ref_count (a), ==, 1);

  g_assert_true (wk_finalization_registry_unregister (registry, a));
  g_assert_false (wk_finalization_registry_unregister (registry, a));
  g_object_unref (a);
  g_assert_cmpint (log.calls, ==, 0);

  g_object_unref (b);
  g_assert_cmpint (finalized, ==, 2);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (held_int (&log, 0), ==, 2);

  g_object_unref (registry);
  log_clear (&log);
}

static void
test_token_dies_first (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  gint token_finalized = 0;
  GObject *target = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *token = wk_test_object_new (TYPE_OF (data), &token_finalized);
  GObject *later;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  register_int (registry, target, 7, token);

  /* The token is held weakly: it dies, and the registration stays. */
  g_object_unref (token);
  g_assert_cmpint (token_finalized, ==, 1);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 1);

  /* A new object (maybe at the token's old address) is not the token. */
  later = wk_test_object_new (TYPE_OF (data), NULL);
  g_assert_false (wk_finalization_registry_unregister (registry, later));
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 1);

  g_object_unref (target);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (held_int (&log, 0), ==, 7);

  g_object_unref (later);
  g_object_unref (registry);
  log_clear (&log);
}

static void
test_token_several_targets (gconstpointer data)
{
  Log log;
  WkFinalizationRegistry *registry;
  GObject *targets[4];
  GObject *token = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *other_token = g_object_new (G_TYPE_OBJECT, NULL);
  guint i;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  for (i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      targets[i] = wk_test_object_new (TYPE_OF (data), NULL);
      register_int (registry, targets[i], i, i < 3 ? token : other_token);
    }
  /* The same target twice, with the same token. */
  register_int (registry, targets[0], 10, token);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 5);

  /* One target dies first: the others keep the token usable. */
  g_object_unref (targets[1]);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (held_int (&log, 0), ==, 1);

  g_assert_true (wk_finalization_registry_unregister (registry, token));
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 1);
  g_assert_false (wk_finalization_registry_unregister (registry, token));

  g_object_unref (targets[0]);
  g_object_unref (targets[2]);
  g_assert_cmpint (log.calls, ==, 1);
  g_object_unref (targets[3]);
  g_assert_cmpint (log.calls, ==, 2);
  g_assert_cmpint (held_int (&log, 1), ==, 3);

  g_object_unref (registry);
  g_object_unref (token);
  g_object_unref (other_token);
  log_clear (&log);
}

static void
test_context_delivery (gconstpointer data)
{
  Log log;
  GMainContext *context = g_main_context_new ();
  WkFinalizationRegistry *registry;
  gint finalized = 0;
  GObject *targets[3];
  guint i;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, context);
  for (i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      targets[i] = wk_test_object_new (TYPE_OF (data), &finalized);
      register_int (registry, targets[i], i, NULL);
    }
  for (i = 0; i < G_N_ELEMENTS (targets); i++)
    g_object_unref (targets[i]);
  g_assert_cmpint (finalized, ==, 3);
  /* The default context knows nothing of it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (log.calls, ==, 0);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 3);

  iterate (context);
  g_assert_cmpint (log.calls, ==, 3);
  for (i = 0; i < G_N_ELEMENTS (targets); i++)
    g_assert_cmpint (held_int (&log, i), ==, i);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);
  /* Nothing left to dispatch. */
  g_assert_false (g_main_context_pending (context));

  /* A later death makes a new source. */
  targets[0] = wk_test_object_new (TYPE_OF (data), NULL);
  register_int (registry, targets[0], 9, NULL);
  g_object_unref (targets[0]);
  g_assert_cmpint (log.calls, ==, 3);
  iterate (context);
  g_assert_cmpint (log.calls, ==, 4);
  g_assert_cmpint (held_int (&log, 3), ==, 9);

  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_main_context_unref (context);
  log_clear (&log);
}

static gpointer
drop_in_thread (gpointer data)
{
  g_object_unref (data);
  return g_thread_self ();
}

static void
test_context_thread (gconstpointer data)
{
  Log log;
  GMainContext *context = g_main_context_new ();
  WkFinalizationRegistry *sync_registry, *registry;
  Log sync_log;
  GObject *target = wk_test_object_new (TYPE_OF (data), NULL);
  GThread *worker;
  gpointer worker_self;

  log_init (&log);
  log_init (&sync_log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, context);
  sync_registry = wk_finalization_registry_new (log_cleanup, &sync_log, log_destroy, NULL);
  register_int (registry, target, 5, NULL);
  register_int (sync_registry, target, 6, NULL);

  worker = g_thread_new ("dropper", drop_in_thread, target);
  worker_self = g_thread_join (worker);

  /* Synchronous: in the thread that dropped the last reference. */
  g_assert_cmpint (sync_log.calls, ==, 1);
  g_assert_true ((gpointer) sync_log.thread == worker_self);
  /* With a context: in the thread iterating it. */
  g_assert_cmpint (log.calls, ==, 0);
  g_main_context_push_thread_default (context);
  iterate (context);
  g_main_context_pop_thread_default (context);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_true (log.thread == g_thread_self ());
  g_assert_cmpint (held_int (&log, 0), ==, 5);

  g_object_unref (registry);
  g_object_unref (sync_registry);
  g_main_context_unref (context);
  log_clear (&log);
  log_clear (&sync_log);
}

static void
test_finalized_with_pending (gconstpointer data)
{
  Log log;
  GMainContext *context = g_main_context_new ();
  WkFinalizationRegistry *registry, *sync_registry;
  GObject *queued = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *watched = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *payload = g_object_new (G_TYPE_OBJECT, NULL);
  GValue held = G_VALUE_INIT;
  gint finalized = 0;

  log_init (&log);
  registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, context);
  sync_registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  wk_test_probe (watched)->finalized = &finalized;

  g_value_init (&held, G_TYPE_OBJECT);
  g_value_set_object (&held, payload);
  wk_finalization_registry_register (registry, queued, &held, NULL);
  wk_finalization_registry_register (registry, watched, &held, queued);
  wk_finalization_registry_register (sync_registry, watched, &held, NULL);
  g_value_unset (&held);
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 4);

  g_object_unref (queued);
  g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 2);

  /* One delivery queued, one target alive: neither ever runs. */
  g_object_unref (registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  g_object_unref (sync_registry);
  g_assert_cmpint (log.destroyed, ==, 2);
  g_assert_cmpuint (wk_object_get_ref_count (payload), ==, 1);

  iterate (context);
  g_object_unref (watched);
  g_assert_cmpint (finalized, ==, 1);
  iterate (context);
  g_assert_cmpint (log.calls, ==, 0);
  g_assert_cmpint (log.destroyed, ==, 2);

  g_object_unref (payload);
  g_main_context_unref (context);
  log_clear (&log);
}

/* A cleanup that unregisters another, queued, registration. */
static void
unregistering_cleanup (const GValue *held,
                       gpointer      user_data)
{
  Log *log = user_data;

  log_cleanup (held, user_data);
  log->unregistered = wk_finalization_registry_unregister (log->registry, log->token);
}

static void
test_cleanup_unregisters_queued (gconstpointer data)
{
  Log log;
  GMainContext *context = g_main_context_new ();
  GObject *first = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *second = wk_test_object_new (TYPE_OF (data), NULL);
  GObject *token = g_object_new (G_TYPE_OBJECT, NULL);

  log_init (&log);
  log.registry = wk_finalization_registry_new (unregistering_cleanup, &log, log_destroy, context);
  log.token = token;
  register_int (log.registry, first, 1, NULL);
  register_int (log.registry, second, 2, token);
  g_object_unref (first);
  g_object_unref (second);
  g_assert_cmpuint (wk_finalization_registry_get_size (log.registry), ==, 2);

  iterate (context);
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (held_int (&log, 0), ==, 1);
  g_assert_true (log.unregistered);
  g_assert_cmpuint (wk_finalization_registry_get_size (log.registry), ==, 0);

  g_object_unref (log.registry);
  g_object_unref (token);
  g_main_context_unref (context);
  log_clear (&log);
}

/* A cleanup that drops the last reference on its registry. */
static void
dropping_cleanup (const GValue *held,
                  gpointer      user_data)
{
  Log *log = user_data;

  log_cleanup (held, user_data);
  g_clear_object (&log->registry);
  /* The data outlives a running cleanup. */
  g_assert_cmpint (log->destroyed, ==, 0);
}

static void
test_cleanup_drops_registry (gconstpointer data)
{
  GMainContext *contexts[2] = { NULL, g_main_context_new () };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (contexts); i++)
    {
      Log log;
      GObject *first = wk_test_object_new (TYPE_OF (data), NULL);
      GObject *second = wk_test_object_new (TYPE_OF (data), NULL);

      log_init (&log);
      log.registry = wk_finalization_registry_new (dropping_cleanup, &log, log_destroy,
                                                   contexts[i]);
      register_int (log.registry, first, 1, NULL);
      register_int (log.registry, second, 2, NULL);
      g_object_unref (first);
      if (contexts[i] != NULL)
        {
          g_object_unref (second);
          second = NULL;
          iterate (contexts[i]);
        }
      /* The first cleanup finalized the registry: the second never runs. */
      g_assert_cmpint (log.calls, ==, 1);
      g_assert_null (log.registry);
      g_assert_cmpint (log.destroyed, ==, 1);
      g_clear_object (&second);
      g_assert_cmpint (log.calls, ==, 1);
      log_clear (&log);
    }
  g_main_context_unref (contexts[1]);
}

/* From a WkRef callback the target's death is being processed; a
 * registration made then watches the object's fresh anchor. Whether GLib
 * then notifies again depends on its version: at most one delivery, and
 * nothing leaks. */
static void
register_while_dying (WkRef    *ref,
                      gpointer  user_data)
{
  Log *log = user_data;
  GObject *target = log->token;

  register_int (log->registry, target, 3, NULL);
}

static void
test_register_while_dying (gconstpointer data)
{
  Log log;
  GObject *target = wk_test_object_new (TYPE_OF (data), NULL);
  WkRef *ref;

  log_init (&log);
  log.registry = wk_finalization_registry_new (log_cleanup, &log, log_destroy, NULL);
  log.token = target;
  ref = wk_ref_new (target, register_while_dying, &log, NULL);
  g_object_unref (target);
  g_assert_cmpint (log.calls, <=, 1);
  g_test_message ("delivered: %d", log.calls);
  g_assert_cmpuint (wk_finalization_registry_get_size (log.registry), ==, 0);

  g_object_unref (ref);
  g_object_unref (log.registry);
  g_assert_cmpint (log.destroyed, ==, 1);
  log_clear (&log);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      GParamSpec *not_an_object = g_param_spec_int ("x", NULL, NULL, 0, 1, 0, 0);
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      WkFinalizationRegistry *registry = wk_finalization_registry_new (log_cleanup, NULL, NULL, NULL);
      WkFinalizationRegistry *bare = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
      GValue held = G_VALUE_INIT;

      g_value_init (&held, G_TYPE_INT);

      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*cleanup != NULL*");
      g_assert_null (wk_finalization_registry_new (NULL, NULL, NULL, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZATION_REGISTRY*");
      wk_finalization_registry_register (NULL, object, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZATION_REGISTRY*");
      wk_finalization_registry_register ((gpointer) object, object, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_finalization_registry_register (registry, NULL, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_finalization_registry_register (registry, not_an_object, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_VALUE*");
      wk_finalization_registry_register (registry, object, NULL, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      wk_finalization_registry_register (registry, object, &held, (GObject *) not_an_object);
      g_value_unset (&held);
      g_value_init (&held, G_TYPE_OBJECT);
      g_value_set_object (&held, object);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*target*");
      wk_finalization_registry_register (registry, object, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZATION_REGISTRY*");
      g_assert_false (wk_finalization_registry_unregister (NULL, object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_false (wk_finalization_registry_unregister (registry, NULL));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_false (wk_finalization_registry_unregister (registry, (GObject *) not_an_object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*WK_IS_FINALIZATION_REGISTRY*");
      g_assert_cmpuint (wk_finalization_registry_get_size (NULL), ==, 0);
      g_value_unset (&held);
      g_value_init (&held, G_TYPE_INT);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*core != NULL*");
      wk_finalization_registry_register (bare, object, &held, NULL);
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*core != NULL*");
      g_assert_false (wk_finalization_registry_unregister (bare, object));
      g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, "*core != NULL*");
      g_assert_cmpuint (wk_finalization_registry_get_size (bare), ==, 0);
      g_test_assert_expected_messages ();

      g_assert_cmpuint (wk_finalization_registry_get_size (registry), ==, 0);
      g_value_unset (&held);
      g_object_unref (bare);
      g_object_unref (registry);
      g_object_unref (object);
      g_param_spec_unref (not_an_object);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Stress: each lane's leader registers a fresh target, then the leader
 * drops it while a partner thread unregisters its token; with a context,
 * the leader iterates it afterwards. Each registration must end exactly
 * once: delivered, or unregistered (TRUE). */

/* Few spins before yielding: the lanes run twice as many threads as the
 * tests' usual machines have cores. */
#define WAIT_SPINS 100

static void
wait_for (gint *counter,
          gint  value)
{
  wk_test_wait_for (counter, value, WAIT_SPINS);
}

typedef struct
{
  GType                    type;
  gboolean                 use_context;
  gint                     iterations;
  WkFinalizationRegistry  *registry;
  GMainContext            *context;
  GObject                 *token;       /* this iteration's */
  gint                     go;          /* (atomic) iteration the partner may run */
  gint                     done;        /* (atomic) iteration the partner finished */
  gint                     delivered;   /* (atomic) cleanups, in total */
  gint                     last_held;   /* (atomic) */
  gboolean                 unregistered;
  guint                    n_unregistered;
  guint                    n_delivered;
  guint                    errors;
  gboolean                 destroyed;
} Lane;

static void
lane_destroy (gpointer user_data)
{
  Lane *lane = user_data;

  g_assert_false (lane->destroyed);
  lane->destroyed = TRUE;
}

static void
lane_cleanup (const GValue *held,
              gpointer      user_data)
{
  Lane *lane = user_data;

  g_atomic_int_set (&lane->last_held, g_value_get_int (held));
  g_atomic_int_inc (&lane->delivered);
}

static gpointer
lane_partner (gpointer data)
{
  Lane *lane = data;
  gint iter;

  for (iter = 1; iter <= lane->iterations; iter++)
    {
      wait_for (&lane->go, iter);
      if (iter % 3 == 0)
        g_thread_yield ();
      /* With a context, deliver what is queued now, racing the death. */
      if (lane->context != NULL && iter % 2 == 0)
        iterate (lane->context);
      lane->unregistered = wk_finalization_registry_unregister (lane->registry, lane->token);
      (void) wk_finalization_registry_get_size (lane->registry);
      g_atomic_int_set (&lane->done, iter);
    }
  return NULL;
}

static gpointer
lane_leader (gpointer data)
{
  Lane *lane = data;
  GThread *partner = g_thread_new ("unregisterer", lane_partner, lane);
  gint iter;

  for (iter = 1; iter <= lane->iterations; iter++)
    {
      GObject *target = g_object_new (lane->type, NULL);
      gint before = g_atomic_int_get (&lane->delivered);
      gint after;

      lane->token = g_object_new (G_TYPE_OBJECT, NULL);
      register_int (lane->registry, target, iter, lane->token);
      g_atomic_int_set (&lane->go, iter);
      if (iter % 2 == 0)
        g_thread_yield ();
      g_object_unref (target);
      wait_for (&lane->done, iter);
      if (lane->context != NULL)
        iterate (lane->context);

      after = g_atomic_int_get (&lane->delivered);
      if ((after - before) + (lane->unregistered ? 1 : 0) != 1)
        lane->errors++;
      if (after != before && g_atomic_int_get (&lane->last_held) != iter)
        lane->errors++;
      if (lane->unregistered)
        lane->n_unregistered++;
      else
        lane->n_delivered++;
      g_clear_object (&lane->token);
    }
  g_thread_join (partner);
  return NULL;
}

static void
test_stress (gconstpointer data)
{
  gboolean use_context = GPOINTER_TO_INT (data) & 1;
  GType type = GPOINTER_TO_INT (data) & 2 ? WK_TEST_TYPE_WK_OBJECT : WK_TEST_TYPE_GOBJECT;
  Lane lanes[4];
  GThread *threads[G_N_ELEMENTS (lanes)];
  guint i, n_delivered = 0, n_unregistered = 0;

  for (i = 0; i < G_N_ELEMENTS (lanes); i++)
    {
      Lane *lane = &lanes[i];

      memset (lane, 0, sizeof *lane);
      lane->type = type;
      lane->iterations = wk_test_iterations (10000, 100000);
      lane->context = use_context ? g_main_context_new () : NULL;
      lane->registry = wk_finalization_registry_new (lane_cleanup, lane, lane_destroy,
                                                     lane->context);
    }

  for (i = 0; i < G_N_ELEMENTS (lanes); i++)
    threads[i] = g_thread_new ("lane", lane_leader, &lanes[i]);
  for (i = 0; i < G_N_ELEMENTS (lanes); i++)
    {
      Lane *lane = &lanes[i];

      g_thread_join (threads[i]);
      g_assert_cmpuint (lane->errors, ==, 0);
      g_assert_cmpint (lane->delivered, ==, lane->n_delivered);
      g_assert_cmpuint (lane->n_delivered + lane->n_unregistered, ==, lane->iterations);
      g_assert_cmpuint (wk_finalization_registry_get_size (lane->registry), ==, 0);
      n_delivered += lane->n_delivered;
      n_unregistered += lane->n_unregistered;
      g_object_unref (lane->registry);
      g_assert_true (lane->destroyed);
      g_clear_pointer (&lane->context, g_main_context_unref);
    }
  g_test_message ("%u delivered, %u unregistered", n_delivered, n_unregistered);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  wk_test_add_for_types ("/finalization-registry/sync/held-values", test_sync_held_values);
  wk_test_add_for_types ("/finalization-registry/target-not-kept-alive", test_target_not_kept_alive);
  wk_test_add_for_types ("/finalization-registry/unregister/before-death", test_unregister_before_death);
  wk_test_add_for_types ("/finalization-registry/unregister/after-death-before-delivery",
                         test_unregister_after_death);
  wk_test_add_for_types ("/finalization-registry/token/is-target", test_token_is_target);
  wk_test_add_for_types ("/finalization-registry/token/dies-first", test_token_dies_first);
  wk_test_add_for_types ("/finalization-registry/token/several-targets", test_token_several_targets);
  wk_test_add_for_types ("/finalization-registry/context/delivery", test_context_delivery);
  wk_test_add_for_types ("/finalization-registry/context/thread", test_context_thread);
  wk_test_add_for_types ("/finalization-registry/finalized-with-pending", test_finalized_with_pending);
  wk_test_add_for_types ("/finalization-registry/cleanup/unregisters-queued",
                         test_cleanup_unregisters_queued);
  wk_test_add_for_types ("/finalization-registry/cleanup/drops-registry", test_cleanup_drops_registry);
  wk_test_add_for_types ("/finalization-registry/register-while-dying", test_register_while_dying);
  g_test_add_func ("/finalization-registry/bad-input", test_bad_input);
  g_test_add_data_func ("/finalization-registry/stress/drop-vs-unregister/sync/gobject",
                        GINT_TO_POINTER (0), test_stress);
  g_test_add_data_func ("/finalization-registry/stress/drop-vs-unregister/sync/wkobject",
                        GINT_TO_POINTER (2), test_stress);
  g_test_add_data_func ("/finalization-registry/stress/drop-vs-unregister/context/gobject",
                        GINT_TO_POINTER (1), test_stress);
  g_test_add_data_func ("/finalization-registry/stress/drop-vs-unregister/context/wkobject",
                        GINT_TO_POINTER (3), test_stress);

  return g_test_run ();
}
