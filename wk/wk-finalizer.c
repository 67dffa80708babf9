/* wk-finalizer.c: finalizers, Python's weakref.finalize for GObjects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkFinalizer:
 *
 * A function to call once when an object dies: Python's
 * `weakref.finalize` for GObjects.
 *
 * [ctor@Wk.Finalizer.new] returns a finalizer that does not keep its
 * object alive, while Wk keeps the finalizer itself alive until it has
 * run or been detached: the caller may drop its reference at once and the
 * function still runs. A finalizer is *alive* until the first of
 *
 * - the object's death: the function runs in the thread that dropped the
 *   last reference, in the [death order](death-order.html) of
 *   the object's weak references (it counts as the newest ref at the time
 *   it was made, although [func@Wk.get_weak_ref_count] does not count it);
 * - [method@Wk.Finalizer.call]: the function runs now;
 * - [method@Wk.Finalizer.detach]: it never runs;
 * - process exit, if [property@Wk.Finalizer:atexit] is set:
 *   [func@Wk.finalize_run_atexit] runs the pending finalizers, newest
 *   first.
 *
 * Whichever comes first wins, also between threads: the function runs at
 * most once, and its destroy notify exactly once, right after it ran or
 * when the finalizer was detached.
 *
 * Unlike a [class@Wk.Ref] callback, which a ref that dies first never runs,
 * a finalizer runs even when nothing but Wk holds it — that is its point,
 * as in the temporary-directory example of the `weakref` documentation:
 *
 * ```c
 * static void
 * remove_directory (gpointer path)
 * {
 *   // remove the directory and everything in it
 * }
 *
 * self->path = g_dir_make_tmp ("cache-XXXXXX", NULL);
 * g_object_unref (wk_finalizer_new (self, remove_directory,
 *                                   g_strdup (self->path), g_free));
 * ```
 */

#include "config.h"

#include <pthread.h>

#include "wk-finalizer.h"
#include "wk-anchor-private.h"
#include "wk-ref.h"

typedef enum {
  FINALIZER_PENDING = 0,
  FINALIZER_DONE = 1,
} FinalizerState;

struct _WkFinalizer
{
  GObject          parent_instance;

  WkAnchor        *anchor;     /* (owned) */
  WkRefNode        node;       /* callback: finalizer_object_died */
  gint             state;      /* (atomic) FinalizerState */
  gint             atexit;     /* (atomic) */
  WkLink           pending;    /* in pending_finalizers, under pending_lock */

  /* Set at creation, then touched only by whoever moved state to DONE. */
  WkFinalizeFunc   func;
  gpointer         user_data;
  GDestroyNotify   destroy;
};

enum {
  PROP_0,
  PROP_ATEXIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WkFinalizer, wk_finalizer, G_TYPE_OBJECT)

/* Every pending finalizer, newest first, each holding a reference: the
 * registry that keeps finalizers alive until they run or are detached. */
static pthread_mutex_t  pending_lock = PTHREAD_MUTEX_INITIALIZER;
static WkLink *pending_finalizers;

#define FINALIZER_OF_PENDING(link) \
  ((WkFinalizer *) ((guint8 *) (link) - G_STRUCT_OFFSET (WkFinalizer, pending)))


/* Moves a pending finalizer to DONE and out of the registry, whose
 * reference the caller then owns. FALSE if someone else did it first. */
static gboolean
finalizer_claim (WkFinalizer *self)
{
  gint expected = FINALIZER_PENDING;

  if (!__atomic_compare_exchange_n (&self->state, &expected, FINALIZER_DONE, FALSE,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return FALSE;

  pthread_mutex_lock (&pending_lock);
  wk_list_remove (&pending_finalizers, &self->pending);
  pthread_mutex_unlock (&pending_lock);
  return TRUE;
}

/* After a successful claim: runs the function if @call, then the destroy
 * notify, then drops the registry's reference. */
static void
finalizer_finish (WkFinalizer *self,
                  gboolean     call)
{
  WkFinalizeFunc func = g_steal_pointer (&self->func);
  gpointer user_data = g_steal_pointer (&self->user_data);
  GDestroyNotify destroy = g_steal_pointer (&self->destroy);

  /* The object's death no longer needs us. */
  if (self->anchor != NULL)
    wk_anchor_unlink (self->anchor, &self->node);

  if (call && func != NULL)
    func (user_data);
  if (destroy != NULL)
    destroy (user_data);

  g_object_unref (self);
}

static void
finalizer_object_died (WkRef    *owner,
                       gpointer  unused)
{
  WkFinalizer *self = (WkFinalizer *) owner;

  if (finalizer_claim (self))
    finalizer_finish (self, TRUE);
}

static void
wk_finalizer_dispose (GObject *object)
{
  WkFinalizer *self = WK_FINALIZER (object);

  /* Waits until a death that found the node has taken its reference. */
  if (self->anchor != NULL)
    wk_anchor_unlink_disposed (self->anchor, &self->node);

  G_OBJECT_CLASS (wk_finalizer_parent_class)->dispose (object);
}

static void
wk_finalizer_finalize (GObject *object)
{
  WkFinalizer *self = WK_FINALIZER (object);

  /* Only a born-dead finalizer still has them: nothing runs it. */
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_clear_pointer (&self->anchor, wk_anchor_unref);

  G_OBJECT_CLASS (wk_finalizer_parent_class)->finalize (object);
}

static void
wk_finalizer_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WkFinalizer *self = WK_FINALIZER (object);

  switch (prop_id)
    {
    case PROP_ATEXIT:
      g_value_set_boolean (value, wk_finalizer_get_atexit (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wk_finalizer_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WkFinalizer *self = WK_FINALIZER (object);

  switch (prop_id)
    {
    case PROP_ATEXIT:
      wk_finalizer_set_atexit (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wk_finalizer_class_init (WkFinalizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wk_finalizer_dispose;
  object_class->finalize = wk_finalizer_finalize;
  object_class->get_property = wk_finalizer_get_property;
  object_class->set_property = wk_finalizer_set_property;

  /**
   * WkFinalizer:atexit:
   *
   * Whether [func@Wk.finalize_run_atexit] runs the finalizer if it is
   * still alive at process exit.
   */
  properties[PROP_ATEXIT] =
    g_param_spec_boolean ("atexit", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wk_finalizer_init (WkFinalizer *self)
{
  self->atexit = TRUE;
  self->state = FINALIZER_DONE;
  self->node.owner = G_OBJECT (self);
  self->node.callback = finalizer_object_died;
}

static void
run_atexit_at_exit (void)
{
  wk_finalize_run_atexit ();
}

static void
arrange_atexit (void)
{
  static gsize arranged = 0;

  if (g_once_init_enter (&arranged))
    {
      atexit (run_atexit_at_exit);
      g_once_init_leave (&arranged, 1);
    }
}

/**
 * wk_finalizer_new: (constructor)
 * @object: (type GObject.Object): the object to watch, any GObject
 * @func: (scope notified) (closure user_data) (destroy destroy): called once
 *   when @object dies, unless the finalizer is called or detached first
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once, after @func ran or when the
 *   finalizer was detached
 *
 * Creates a finalizer for @object. Wk holds a reference on the finalizer
 * until it has run or been detached, so the caller may drop the returned
 * one at once. The finalizer does not keep @object alive.
 *
 * A finalizer made while @object is already dying is dead from the start:
 * @func never runs and @destroy is called when the finalizer is
 * finalized.
 *
 * Returns: (transfer full): the finalizer
 */
WkFinalizer *
wk_finalizer_new (gpointer        object,
                  WkFinalizeFunc  func,
                  gpointer        user_data,
                  GDestroyNotify  destroy)
{
  WkFinalizer *self;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  arrange_atexit ();

  self = g_object_new (WK_TYPE_FINALIZER, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->anchor = wk_anchor_obtain (object);

  /* In the registry first, so that a death right after the link finds a
   * pending finalizer with the registry's reference. */
  self->state = FINALIZER_PENDING;
  g_object_ref (self);
  pthread_mutex_lock (&pending_lock);
  wk_list_push (&pending_finalizers, &self->pending);
  pthread_mutex_unlock (&pending_lock);

  if (!wk_anchor_link_unshared (self->anchor, &self->node) && finalizer_claim (self))
    {
      /* Born dead: the object's death has already been processed. */
      g_object_unref (self);
    }

  return self;
}

/**
 * wk_finalizer_call:
 * @self: a finalizer
 *
 * Runs the finalizer now if it is still alive; it is dead afterwards.
 *
 * Returns: %TRUE if this call ran it, %FALSE if it had already run or
 *   been detached
 */
gboolean
wk_finalizer_call (WkFinalizer *self)
{
  g_return_val_if_fail (WK_IS_FINALIZER (self), FALSE);

  if (!finalizer_claim (self))
    return FALSE;
  finalizer_finish (self, TRUE);
  return TRUE;
}

/**
 * wk_finalizer_detach:
 * @self: a finalizer
 *
 * Kills the finalizer without running it, if it is still alive: its
 * function never runs, and its destroy notify runs now.
 *
 * Returns: %TRUE if this call detached it, %FALSE if it had already run
 *   or been detached
 */
gboolean
wk_finalizer_detach (WkFinalizer *self)
{
  g_return_val_if_fail (WK_IS_FINALIZER (self), FALSE);

  if (!finalizer_claim (self))
    return FALSE;
  finalizer_finish (self, FALSE);
  return TRUE;
}

/**
 * wk_finalize_new:
 * @object: (type GObject.Object): the object to watch, any GObject
 * @func: (scope notified) (closure user_data) (destroy destroy): called once
 *   when @object dies, unless the finalizer is called or detached first
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once
 *
 * The old name of [ctor@Wk.Finalizer.new], which bindings showed as a
 * free function rather than as a constructor.
 *
 * Returns: (transfer full): the finalizer
 *
 * Deprecated: 0.2: Use [ctor@Wk.Finalizer.new].
 */
WkFinalizer *
wk_finalize_new (gpointer        object,
                 WkFinalizeFunc  func,
                 gpointer        user_data,
                 GDestroyNotify  destroy)
{
  return wk_finalizer_new (object, func, user_data, destroy);
}

/**
 * wk_finalizer_dup_object:
 * @self: a finalizer
 *
 * Gets a new reference to the object, while the finalizer is alive and
 * the object too.
 *
 * Returns: (transfer full) (nullable) (type GObject.Object): the object,
 *   or %NULL once it has started to die or the finalizer is dead
 */
gpointer
wk_finalizer_dup_object (WkFinalizer *self)
{
  WkHazard *hazard;

  g_return_val_if_fail (WK_IS_FINALIZER (self), NULL);

  if (!wk_finalizer_is_alive (self))
    return NULL;

  hazard = wk_hazard_get ();
  wk_hazard_publish (hazard, self->anchor);
  return wk_anchor_get (self->anchor, hazard);
}

/**
 * wk_finalizer_peek:
 * @self: a finalizer
 *
 * The old name of [method@Wk.Finalizer.dup_object]: it returns a new
 * reference, which GLib's naming calls `dup`, not `peek`.
 *
 * Returns: (transfer full) (nullable) (type GObject.Object): the object,
 *   or %NULL once it has started to die or the finalizer is dead
 *
 * Deprecated: 0.2: Use [method@Wk.Finalizer.dup_object].
 */
gpointer
wk_finalizer_peek (WkFinalizer *self)
{
  return wk_finalizer_dup_object (self);
}

/**
 * wk_finalizer_is_alive:
 * @self: a finalizer
 *
 * Tells whether the finalizer is still to run: it has not run, and has
 * not been detached. Another thread may make it run right after this
 * returns %TRUE.
 *
 * Returns: whether the finalizer is alive
 */
gboolean
wk_finalizer_is_alive (WkFinalizer *self)
{
  g_return_val_if_fail (WK_IS_FINALIZER (self), FALSE);

  return __atomic_load_n (&self->state, __ATOMIC_ACQUIRE) == FINALIZER_PENDING;
}

/**
 * wk_finalizer_get_atexit:
 * @self: a finalizer
 *
 * Gets [property@Wk.Finalizer:atexit].
 *
 * Returns: whether the finalizer runs at exit if still alive
 */
gboolean
wk_finalizer_get_atexit (WkFinalizer *self)
{
  g_return_val_if_fail (WK_IS_FINALIZER (self), FALSE);

  return __atomic_load_n (&self->atexit, __ATOMIC_RELAXED);
}

/**
 * wk_finalizer_set_atexit:
 * @self: a finalizer
 * @atexit: whether to run the finalizer at exit if it is still alive
 *
 * Sets [property@Wk.Finalizer:atexit].
 */
void
wk_finalizer_set_atexit (WkFinalizer *self,
                         gboolean     atexit)
{
  g_return_if_fail (WK_IS_FINALIZER (self));

  atexit = !!atexit;
  if (__atomic_exchange_n (&self->atexit, atexit, __ATOMIC_RELAXED) != atexit)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATEXIT]);
}

/* The newest pending finalizer with atexit set that we could claim, or
 * NULL. */
static WkFinalizer *
claim_newest_atexit (void)
{
  WkLink *link;

  pthread_mutex_lock (&pending_lock);
  for (link = pending_finalizers; link != NULL; link = link->next)
    {
      WkFinalizer *self = FINALIZER_OF_PENDING (link);
      gint expected = FINALIZER_PENDING;

      /* One that someone else has claimed waits for our lock to leave
       * the list: skip it. */
      if (__atomic_load_n (&self->atexit, __ATOMIC_RELAXED) &&
          __atomic_compare_exchange_n (&self->state, &expected, FINALIZER_DONE, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        {
          wk_list_remove (&pending_finalizers, link);
          pthread_mutex_unlock (&pending_lock);
          return self;
        }
    }
  pthread_mutex_unlock (&pending_lock);
  return NULL;
}

/**
 * wk_finalize_run_atexit:
 *
 * Runs every alive finalizer whose [property@Wk.Finalizer:atexit] is set,
 * newest first, each at most once, including those that the functions
 * run here create. Wk calls this at process exit (from atexit()); the
 * Python binding calls it from Python's `atexit` instead, so that Python
 * functions run while the interpreter is still whole. Calling it earlier
 * is allowed, for example before tearing down a plugin.
 */
void
wk_finalize_run_atexit (void)
{
  WkFinalizer *self;

  while ((self = claim_newest_atexit ()) != NULL)
    finalizer_finish (self, TRUE);
}

/* The ids of light finalizers: unique in the process (a gsize does not
 * wrap in practice), never 0. Each thread takes them from the shared
 * counter in blocks, so that adding a finalizer writes no shared word. */
#define LIGHT_ID_BLOCK 256

static gsize
light_id_next (void)
{
  static gsize last_block;   /* (atomic) */
  static __thread gsize next __attribute__ ((tls_model ("initial-exec")));
  static __thread gsize end __attribute__ ((tls_model ("initial-exec")));

  if (G_UNLIKELY (next == end))
    {
      end = __atomic_add_fetch (&last_block, LIGHT_ID_BLOCK, __ATOMIC_RELAXED);
      next = end - LIGHT_ID_BLOCK;
      if (next == 0)
        next++;
    }
  return next++;
}

/**
 * wk_finalize_add: (skip)
 * @object: (type GObject.Object): the object to watch, any GObject
 * @func: called once when @object dies, unless removed first
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, once: after @func ran, or when
 *   the finalizer is removed
 *
 * Adds a light finalizer to @object: the C form of [class@Wk.Finalizer]
 * without a GObject, for code that makes many of them (a cache's
 * entries, a binding's objects). It runs as a [class@Wk.Ref]'s callback
 * does: once, at the object's death, in the thread that dropped the last
 * reference, newest first among the object's callbacks and finalizers,
 * after every weak reference to the object reads %NULL. It has no
 * `atexit` and is not counted as a weak reference.
 *
 * A finalizer added while @object is already dying never runs: @destroy
 * is called at once and 0 returned.
 *
 * Returns: an id for [func@Wk.finalize_remove], never 0 for a finalizer
 *   that will run (0 on bad input or a dying @object)
 */
gsize
wk_finalize_add (gpointer        object,
                 WkFinalizeFunc  func,
                 gpointer        user_data,
                 GDestroyNotify  destroy)
{
  WkLightNode *light;
  WkAnchor *anchor;

  g_return_val_if_fail (G_IS_OBJECT (object), 0);
  g_return_val_if_fail (func != NULL, 0);

  light = g_new0 (WkLightNode, 1);
  light->node.callback = (WkRefCallback) (void (*) (void)) func;
  light->node.user_data = user_data;
  light->node.destroy = destroy;
  light->id = light_id_next ();

  anchor = wk_anchor_obtain (object);
  if (!wk_anchor_add_light (anchor, light))
    {
      wk_anchor_unref (anchor);
      g_free (light);
      if (destroy != NULL)
        destroy (user_data);
      return 0;
    }
  /* The object's own reference keeps the anchor while the node is in it. */
  wk_anchor_unref (anchor);
  return light->id;
}

/**
 * wk_finalize_remove: (skip)
 * @object: (type GObject.Object): the object given to [func@Wk.finalize_add]
 * @id: the id it returned
 *
 * Removes a light finalizer before it runs, and calls its destroy
 * notify. Safe against the object's death in another thread: either the
 * finalizer runs there, or it is removed here, never both. During the
 * object's death, a callback (of a [class@Wk.Ref], a [class@Wk.Finalizer]
 * or another light finalizer) may remove a light finalizer that has not
 * run yet, which then does not run, as [method@Wk.Finalizer.detach] does
 * for a finalizer. An @id of 0, what wk_finalize_add() returns for an
 * object that is already dying, is no finalizer: %FALSE.
 *
 * Returns: %TRUE if the finalizer was still pending and is now removed;
 *   %FALSE if it has run, is running, or there is no such finalizer
 */
gboolean
wk_finalize_remove (gpointer object,
                    gsize    id)
{
  gpointer user_data = NULL;
  GDestroyNotify destroy = NULL;
  WkAnchor *anchor;
  gboolean removed;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  if (id == 0)
    return FALSE;
  anchor = wk_anchor_lookup (object);
  if (anchor == NULL)
    return FALSE;
  removed = wk_anchor_remove_light (anchor, id, &user_data, &destroy);
  wk_anchor_unref (anchor);
  if (removed && destroy != NULL)
    destroy (user_data);
  return removed;
}
