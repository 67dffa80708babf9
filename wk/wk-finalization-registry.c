/* wk-finalization-registry.c: JavaScript's FinalizationRegistry for GObjects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkFinalizationRegistry:
 *
 * Calls a cleanup function after registered objects die: JavaScript's
 * `FinalizationRegistry` for GObjects, with a choice of delivery.
 *
 * [method@Wk.FinalizationRegistry.register] adds a target, held weakly
 * (the registry never keeps it alive), with a held value given to the
 * cleanup when the target dies, and an optional unregister token, also
 * held weakly, that [method@Wk.FinalizationRegistry.unregister] takes to
 * cancel the cleanup. The target and the token may be the same object;
 * several targets may share a token.
 *
 * ## Delivery
 *
 * With no context, the cleanup runs synchronously at the target's death,
 * in the thread that dropped its last reference, after every weak
 * reference to it reads %NULL and after the callbacks of its
 * [class@Wk.Ref]s. With a [struct@GLib.MainContext], the death only queues the
 * registration, and an idle source attached to that context calls the
 * cleanup later, in the thread iterating it; until then,
 * [method@Wk.FinalizationRegistry.unregister] still cancels it. If the
 * context is never iterated, nothing is delivered.
 *
 * The held value is copied at registration and freed after delivery or
 * on unregistration. It must not be the target itself: that would keep
 * the target alive forever.
 *
 * ## Threads and lifetime
 *
 * Registering, unregistering and counting are safe from any thread while
 * targets die in others; no lock is held while the cleanup, the destroy
 * notify or a held value's free function runs.
 *
 * Once the registry is finalized, no cleanup runs any more (one already
 * running may finish); dispose and finalize drop every pending
 * registration and queued delivery, and the idle source. The destroy
 * notify of the cleanup's data runs once, when the last cleanup that had
 * started has returned.
 *
 * Make registries with [ctor@Wk.FinalizationRegistry.new]; one made with
 * g_object_new() has no cleanup and refuses every call.
 */

#include "config.h"

#include <pthread.h>

#include "wk-finalization-registry.h"
#include "wk-anchor-private.h"

/* How it works.
 *
 * The registry object is a thin handle on a reference counted core (the
 * lock, the cleanup and its data, the context, the lists), which every
 * registration and the idle source hold a reference on, so that a death
 * firing in another thread never outlives what it touches. The cleanup's
 * destroy notify runs when the last reference on the core goes, hence
 * never while a cleanup runs.
 *
 * A registration is a late watch on its target's anchor. Its state,
 * under the core's lock, says who owns it:
 *
 *  - WATCHING: on core->watching (and on its token's list); the watch is
 *    linked, or its func is about to take the lock.
 *  - QUEUED: the target died and the registry has a context; on
 *    core->queue (and its token's list), waiting for the idle source.
 *  - DELIVERING: taken off every list by whoever runs the cleanup (the
 *    watch func, or the idle source), who frees it afterwards.
 *  - CANCELLED: unregistered, or cancelled by the registry's dispose or
 *    finalize, while the watch could not be taken out (wk_anchor_unwatch()
 *    returned FALSE: the func runs in another thread and waits for the
 *    lock). Off every list; the func comes second and frees it.
 *
 * Whoever takes a registration off the lists while its watch is unlinked
 * for good (unwatch returned TRUE, or the func has run) frees it, once
 * the lock is released: freeing unsets the held value and drops a core
 * reference, either of which may run user code.
 *
 * The watch is linked under the core's lock, in the same critical section
 * that puts the registration on the lists, so the func always finds it
 * there. Lock order: core, then anchor (the anchor's lock is never held
 * while a watch func runs).
 */

typedef struct _Core         Core;
typedef struct _Registration Registration;

typedef enum {
  REG_WATCHING,
  REG_QUEUED,
  REG_DELIVERING,
  REG_CANCELLED,
} RegState;

struct _Registration
{
  WkWatch    watch;       /* first: the watch is the registration */
  Core      *core;        /* (owned) */
  WkAnchor  *target;      /* (owned) the target's anchor */
  WkAnchor  *token;       /* (owned) (nullable) the token's anchor */
  GValue     held;
  GList      link;        /* on core->watching or core->queue */
  GList      token_link;  /* on the token's queue in core->by_token */
  RegState   state;       /* under the core's lock */
};

struct _Core
{
  pthread_mutex_t          lock;
  gint            ref_count;   /* (atomic) */
  WkCleanupFunc   cleanup;
  gpointer        user_data;
  GDestroyNotify  destroy;
  GMainContext   *context;     /* (owned) (nullable) */
  GQueue          watching;    /* Registrations whose targets live */
  GQueue          queue;       /* dead targets waiting for the idle source */
  GHashTable     *by_token;    /* token WkAnchor -> GQueue of token_links */
  GSource        *source;      /* (owned) (nullable) the idle source */
  gboolean        closed;      /* the registry is finalized */
};

struct _WkFinalizationRegistry
{
  GObject  parent_instance;
  Core    *core;
};

G_DEFINE_FINAL_TYPE (WkFinalizationRegistry, wk_finalization_registry, G_TYPE_OBJECT)

static Core *
core_ref (Core *core)
{
  __atomic_fetch_add (&core->ref_count, 1, __ATOMIC_RELAXED);
  return core;
}

static void
core_unref (gpointer data)
{
  Core *core = data;

  if (__atomic_sub_fetch (&core->ref_count, 1, __ATOMIC_ACQ_REL) != 0)
    return;

  /* Every registration and the source held a reference: all are gone. */
  g_assert (core->watching.length == 0 && core->queue.length == 0);
  g_assert (core->source == NULL);
  g_hash_table_unref (core->by_token);
  g_clear_pointer (&core->context, g_main_context_unref);
  pthread_mutex_destroy (&core->lock);
  if (core->destroy != NULL)
    core->destroy (core->user_data);
  g_free (core);
}

/* Outside the lock: may run user code. */
static void
registration_free (Registration *reg)
{
  g_value_unset (&reg->held);
  wk_anchor_unref (reg->target);
  g_clear_pointer (&reg->token, wk_anchor_unref);
  core_unref (reg->core);
  g_free (reg);
}

static void
free_all (GSList *regs)
{
  g_slist_free_full (regs, (GDestroyNotify) registration_free);
}

/* Under the lock: @reg leaves its token's list. */
static void
untoken_locked (Core         *core,
                Registration *reg)
{
  GQueue *list;

  if (reg->token == NULL)
    return;
  list = g_hash_table_lookup (core->by_token, reg->token);
  g_queue_unlink (list, &reg->token_link);
  if (list->length == 0)
    g_hash_table_remove (core->by_token, reg->token);
}

/* Under the lock, for a registration that has not started delivery:
 * takes it off every list. Returns @reg when the caller frees it once
 * unlocked, NULL when its watch func, running in another thread, will. */
static Registration *
cancel_locked (Core         *core,
               Registration *reg)
{
  untoken_locked (core, reg);
  if (reg->state == REG_QUEUED)
    {
      g_queue_unlink (&core->queue, &reg->link);
      reg->state = REG_CANCELLED;
      return reg;
    }

  g_assert (reg->state == REG_WATCHING);
  g_queue_unlink (&core->watching, &reg->link);
  reg->state = REG_CANCELLED;
  if (wk_anchor_unwatch (reg->target, &reg->watch))
    return reg;
  return NULL;
}

static gboolean
deliver_queued (gpointer data)
{
  Core *core = data;
  GSource *current = g_main_current_source ();
  GSource *stolen = NULL;

  pthread_mutex_lock (&core->lock);
  for (;;)
    {
      Registration *reg;

      if (core->closed || core->queue.length == 0)
        break;

      reg = core->queue.head->data;
      g_queue_unlink (&core->queue, &reg->link);
      untoken_locked (core, reg);
      reg->state = REG_DELIVERING;
      pthread_mutex_unlock (&core->lock);

      core->cleanup (&reg->held, core->user_data);
      registration_free (reg);

      pthread_mutex_lock (&core->lock);
    }
  /* A new death queues again and makes a new source. */
  if (core->source == current)
    stolen = g_steal_pointer (&core->source);
  pthread_mutex_unlock (&core->lock);

  g_clear_pointer (&stolen, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Under the lock, with a context: makes sure an idle source will come. */
static void
schedule_locked (Core *core)
{
  GSource *source;

  if (core->source != NULL || core->closed)
    return;

  /* Attaching takes the context's lock, which GLib never holds while it
   * calls back into us (dispatch and destroy notifies run unlocked). */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (source, "[wk] WkFinalizationRegistry");
  g_source_set_callback (source, deliver_queued, core_ref (core), core_unref);
  g_source_attach (source, core->context);
  core->source = source;
}

static void
registration_died (WkWatch *watch)
{
  Registration *reg = (Registration *) watch;
  Core *core = reg->core;

  pthread_mutex_lock (&core->lock);
  if (reg->state == REG_CANCELLED)
    {
      /* Cancelled while this func was on its way: we come second. */
      pthread_mutex_unlock (&core->lock);
      registration_free (reg);
      return;
    }

  g_assert (reg->state == REG_WATCHING);
  g_queue_unlink (&core->watching, &reg->link);

  if (core->context != NULL)
    {
      reg->state = REG_QUEUED;
      g_queue_push_tail_link (&core->queue, &reg->link);
      schedule_locked (core);
      pthread_mutex_unlock (&core->lock);
      return;
    }

  untoken_locked (core, reg);
  reg->state = REG_DELIVERING;
  pthread_mutex_unlock (&core->lock);

  core->cleanup (&reg->held, core->user_data);
  registration_free (reg);
}

/* Cancels every pending registration and queued delivery, and the idle
 * source; with @close, nothing is delivered from now on. */
static void
core_cancel_all (Core     *core,
                 gboolean  close)
{
  GSList *to_free = NULL;
  GSource *source;

  pthread_mutex_lock (&core->lock);
  if (close)
    core->closed = TRUE;
  while (core->watching.length > 0 || core->queue.length > 0)
    {
      GList *link = core->queue.head != NULL ? core->queue.head : core->watching.head;
      Registration *reg = cancel_locked (core, link->data);

      if (reg != NULL)
        to_free = g_slist_prepend (to_free, reg);
    }
  source = g_steal_pointer (&core->source);
  pthread_mutex_unlock (&core->lock);

  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  free_all (to_free);
}

static void
wk_finalization_registry_dispose (GObject *object)
{
  WkFinalizationRegistry *self = WK_FINALIZATION_REGISTRY (object);

  /* Drops the held values, which may hold cycles back to us. */
  if (self->core != NULL)
    core_cancel_all (self->core, FALSE);

  G_OBJECT_CLASS (wk_finalization_registry_parent_class)->dispose (object);
}

static void
wk_finalization_registry_finalize (GObject *object)
{
  WkFinalizationRegistry *self = WK_FINALIZATION_REGISTRY (object);

  if (self->core != NULL)
    {
      core_cancel_all (self->core, TRUE);
      g_clear_pointer (&self->core, core_unref);
    }

  G_OBJECT_CLASS (wk_finalization_registry_parent_class)->finalize (object);
}

static void
wk_finalization_registry_class_init (WkFinalizationRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wk_finalization_registry_dispose;
  object_class->finalize = wk_finalization_registry_finalize;
}

static void
wk_finalization_registry_init (WkFinalizationRegistry *self)
{
}

/**
 * wk_finalization_registry_new: (constructor)
 * @cleanup: (scope notified) (closure user_data) (destroy destroy): called
 *   with the held value of each registered target that died and was not
 *   unregistered
 * @user_data: data for @cleanup
 * @destroy: (nullable): frees @user_data, once the registry is finalized
 *   and no cleanup runs any more
 * @context: (nullable): where to deliver: %NULL to call @cleanup
 *   synchronously at each death, in the thread that dropped the last
 *   reference; otherwise from an idle source attached to @context
 *
 * Creates a finalization registry.
 *
 * Returns: (transfer full): a new registry
 */
WkFinalizationRegistry *
wk_finalization_registry_new (WkCleanupFunc   cleanup,
                              gpointer        user_data,
                              GDestroyNotify  destroy,
                              GMainContext   *context)
{
  WkFinalizationRegistry *self;
  Core *core;

  g_return_val_if_fail (cleanup != NULL, NULL);

  core = g_new0 (Core, 1);
  pthread_mutex_init (&core->lock, NULL);
  core->ref_count = 1;
  core->cleanup = cleanup;
  core->user_data = user_data;
  core->destroy = destroy;
  core->context = context != NULL ? g_main_context_ref (context) : NULL;
  g_queue_init (&core->watching);
  g_queue_init (&core->queue);
  core->by_token = g_hash_table_new_full (wk_identity_hash, g_direct_equal,
                                          NULL, (GDestroyNotify) g_queue_free);

  self = g_object_new (WK_TYPE_FINALIZATION_REGISTRY, NULL);
  self->core = core;
  return self;
}

/**
 * wk_finalization_registry_register:
 * @self: a registry
 * @target: (type GObject.Object): the object to watch, held weakly
 * @held: the value to give the cleanup when @target dies; it is copied,
 *   and must not be @target itself
 * @unregister_token: (nullable): an object to give
 *   [method@Wk.FinalizationRegistry.unregister] to cancel the cleanup,
 *   held weakly; it may be @target
 *
 * Registers @target: when it dies, the cleanup runs with @held, unless
 * @unregister_token was used to unregister it first. Once the token has
 * died, the registration can no longer be cancelled.
 *
 * A target whose death has already been processed when it is registered
 * (another thread dropped its last reference meanwhile) is not
 * registered: the cleanup never runs for it, and @held is freed at once.
 */
void
wk_finalization_registry_register (WkFinalizationRegistry *self,
                                   gpointer                target,
                                   const GValue           *held,
                                   GObject                *unregister_token)
{
  Core *core;
  Registration *reg;
  gboolean watching;

  g_return_if_fail (WK_IS_FINALIZATION_REGISTRY (self));
  g_return_if_fail (G_IS_OBJECT (target));
  g_return_if_fail (G_IS_VALUE (held));
  g_return_if_fail (!(G_VALUE_HOLDS_OBJECT (held) && g_value_get_object (held) == target));
  g_return_if_fail (unregister_token == NULL || G_IS_OBJECT (unregister_token));
  g_return_if_fail (self->core != NULL);

  core = self->core;
  reg = g_new0 (Registration, 1);
  reg->core = core_ref (core);
  reg->target = wk_anchor_obtain (target);
  if (unregister_token != NULL)
    reg->token = wk_anchor_obtain (unregister_token);
  g_value_init (&reg->held, G_VALUE_TYPE (held));
  g_value_copy (held, &reg->held);
  reg->link.data = reg;
  reg->token_link.data = reg;
  reg->state = REG_WATCHING;
  reg->watch.late = TRUE;

  pthread_mutex_lock (&core->lock);
  watching = wk_anchor_watch (reg->target, &reg->watch, registration_died);
  if (watching)
    {
      g_queue_push_tail_link (&core->watching, &reg->link);
      if (reg->token != NULL)
        {
          GQueue *list = g_hash_table_lookup (core->by_token, reg->token);

          if (list == NULL)
            {
              list = g_queue_new ();
              g_hash_table_insert (core->by_token, reg->token, list);
            }
          g_queue_push_tail_link (list, &reg->token_link);
        }
    }
  pthread_mutex_unlock (&core->lock);

  /* Dying already: its death has been processed. */
  if (!watching)
    registration_free (reg);
}

/**
 * wk_finalization_registry_unregister:
 * @self: a registry
 * @unregister_token: the token given to
 *   [method@Wk.FinalizationRegistry.register]
 *
 * Cancels every registration made with @unregister_token whose cleanup
 * has not started: those whose targets live, and those whose targets
 * died but whose delivery, on the registry's context, has not come yet.
 * Their held values are freed.
 *
 * Returns: %TRUE if at least one registration was cancelled
 */
gboolean
wk_finalization_registry_unregister (WkFinalizationRegistry *self,
                                     GObject                *unregister_token)
{
  Core *core;
  WkAnchor *token;
  GQueue *list;
  GSList *to_free = NULL;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (WK_IS_FINALIZATION_REGISTRY (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (unregister_token), FALSE);
  g_return_val_if_fail (self->core != NULL, FALSE);

  /* A token with no anchor was never given to any registry. */
  token = wk_anchor_lookup (unregister_token);
  if (token == NULL)
    return FALSE;

  core = self->core;
  pthread_mutex_lock (&core->lock);
  while ((list = g_hash_table_lookup (core->by_token, token)) != NULL)
    {
      Registration *reg = cancel_locked (core, list->head->data);

      if (reg != NULL)
        to_free = g_slist_prepend (to_free, reg);
      cancelled = TRUE;
    }
  pthread_mutex_unlock (&core->lock);

  free_all (to_free);
  wk_anchor_unref (token);
  return cancelled;
}

/**
 * wk_finalization_registry_get_size:
 * @self: a registry
 *
 * Counts the registrations not yet delivered or unregistered: those
 * whose targets live, and those whose targets died and whose delivery is
 * queued on the registry's context.
 *
 * Returns: the number of pending registrations
 */
guint
wk_finalization_registry_get_size (WkFinalizationRegistry *self)
{
  Core *core;
  guint n;

  g_return_val_if_fail (WK_IS_FINALIZATION_REGISTRY (self), 0);
  g_return_val_if_fail (self->core != NULL, 0);

  core = self->core;
  pthread_mutex_lock (&core->lock);
  n = core->watching.length + core->queue.length;
  pthread_mutex_unlock (&core->lock);
  return n;
}
