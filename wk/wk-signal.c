/* wk-signal.c: signal handlers that hold their target weakly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * wk_signal_connect_weak: (skip)
 * @instance: (type GObject.Object): the object whose signal to connect to
 * @detailed_signal: a string of the form "signal-name::detail"
 * @c_handler: the handler, called with @target as its data
 * @target: (type GObject.Object): the object the handler works on, held
 *   weakly
 * @connect_flags: %G_CONNECT_AFTER and/or %G_CONNECT_SWAPPED
 *
 * Connects @c_handler to a signal of @instance, with @target as the data
 * it receives (as its first argument with %G_CONNECT_SWAPPED), holding
 * @target weakly: the handler is disconnected as soon as @target starts
 * to die, and does not keep it alive.
 *
 * This is g_signal_connect_object() done the Wk way. The differences:
 *
 * - **Threads.** Each emission gets its strong reference to @target
 *   through a [class@Wk.Ref], which returns a live object or nothing, so
 *   @target dying in another thread meanwhile is safe.
 *   g_signal_connect_object() guards the handler with a plain
 *   g_object_ref() of the target, so an emission racing the target's
 *   last unref in another thread can take a reference on an object that
 *   is already being disposed or finalized.
 * - **When it stops.** The handler is not called again from the moment
 *   @target starts to die (every Wk weak reference reads %NULL before its
 *   dispose runs), and it is really disconnected then: its handler id is
 *   gone from @instance. g_signal_connect_object() invalidates the
 *   closure at the end of the target's dispose (in GObject's own dispose,
 *   after the subclasses' code has run), so the handler can still run
 *   during the target's own dispose code.
 * - **Bindings.** [func@Wk.signal_connect_closure_weak] does the same
 *   for a [struct@GObject.Closure], which Python and JavaScript can pass; it hands the
 *   target to the closure as its last argument so that the closure
 *   itself need not capture it (which would keep it alive).
 *
 * The handler is also dropped, as any other, when @instance is finalized.
 *
 * @detailed_signal must name a signal of @instance's type (with a detail
 * only if the signal is %G_SIGNAL_DETAILED): otherwise Wk logs a critical
 * and returns 0, whichever GLib it runs on (GLib itself warns up to 2.74
 * and logs a critical from 2.76 on; Wk checks the name before GLib sees
 * it).
 *
 * Returns: the handler id, or 0 if @detailed_signal is not a signal of
 *   @instance (after a critical) or @target is already dying
 */

/**
 * wk_signal_connect_closure_weak:
 * @instance: (type GObject.Object): the object whose signal to connect to
 * @detailed_signal: a string of the form "signal-name::detail"
 * @closure: the handler; it receives the signal's arguments followed by
 *   @target (held strongly for the duration of the call)
 * @target: (type GObject.Object): the object the handler works on, held
 *   weakly
 * @after: whether to run the handler after the default handler
 *
 * Connects @closure to a signal of @instance, disconnecting it as soon as
 * @target starts to die, like [func@Wk.signal_connect_weak]. The closure
 * gets @target as an extra last argument, so that a handler written in
 * Python or JavaScript reaches its target without capturing it:
 *
 * ```js
 * Wk.signal_connect_closure_weak(button, 'clicked',
 *     (button_, view) => view.reload(), view, false);
 * ```
 *
 * An invalid @detailed_signal is reported as by
 * [func@Wk.signal_connect_weak]: a critical and 0; a floating @closure is
 * consumed either way.
 *
 * Returns: the handler id, or 0 if @detailed_signal is not a signal of
 *   @instance (after a critical) or @target is already dying
 */

#include "config.h"

#include "wk-signal.h"
#include "wk-ref.h"
#include "wk-weak.h"

/* What the connection and the target's ref callback share; refcounted,
 * since the instance and the target may die in either order, in any two
 * threads. */
typedef struct
{
  gint    ref_count;       /* (atomic) */
  WkWeak  instance;
  gulong  handler_id;      /* (atomic) 0 until connected */
  gint    disconnecting;   /* (atomic) set once, by whoever disconnects */
} WeakHandler;

typedef struct
{
  GClosure      closure;
  GClosure     *inner;       /* (owned) */
  WkRef        *target_ref;  /* (owned) its callback disconnects */
  WeakHandler  *handler;     /* (owned) */
  gboolean      pass_target;
  gint          ready;       /* (atomic) the fields above are set */
  gint          running;     /* (atomic) emissions inside the marshal */
} WeakClosure;

static WeakHandler *
weak_handler_ref (WeakHandler *handler)
{
  __atomic_fetch_add (&handler->ref_count, 1, __ATOMIC_RELAXED);
  return handler;
}

static void
weak_handler_unref (gpointer data)
{
  WeakHandler *handler = data;

  if (__atomic_sub_fetch (&handler->ref_count, 1, __ATOMIC_ACQ_REL) == 0)
    {
      wk_weak_clear (&handler->instance);
      g_free (handler);
    }
}

/* Disconnects once, whichever of the target's death and the connecting
 * thread gets here second with a handler id. */
static void
weak_handler_disconnect (WeakHandler *handler)
{
  gulong id = __atomic_load_n (&handler->handler_id, __ATOMIC_ACQUIRE);
  gpointer instance;

  if (id == 0 || __atomic_exchange_n (&handler->disconnecting, TRUE, __ATOMIC_ACQ_REL))
    return;

  instance = wk_weak_get (&handler->instance);
  if (instance == NULL)
    return;
  if (g_signal_handler_is_connected (instance, id))
    g_signal_handler_disconnect (instance, id);
  g_object_unref (instance);
}

static void
target_died (WkRef    *ref,
             gpointer  data)
{
  weak_handler_disconnect (data);
}

static void
weak_closure_marshal (GClosure     *closure,
                      GValue       *return_value,
                      guint         n_param_values,
                      const GValue *param_values,
                      gpointer      invocation_hint,
                      gpointer      marshal_data)
{
  WeakClosure *self = (WeakClosure *) closure;
  GObject *target;

  /* GLib orders the connection with the emissions in other threads, and
   * the emissions with the closure's finalization (it holds the closure
   * while invoking it); ready and running make both orders visible to
   * thread sanitizers, which do not see GLib's own locks and atomics. */
  if (!__atomic_load_n (&self->ready, __ATOMIC_ACQUIRE))
    return;
  __atomic_fetch_add (&self->running, 1, __ATOMIC_RELAXED);
  target = wk_ref_get (self->target_ref);
  if (target == NULL)
    {
      __atomic_fetch_sub (&self->running, 1, __ATOMIC_RELEASE);
      return;
    }

  if (self->pass_target)
    {
      GValue *params = g_newa0 (GValue, n_param_values + 1);
      guint i;

      /* Shallow copies: the emission owns the values. */
      for (i = 0; i < n_param_values; i++)
        params[i] = param_values[i];
      g_value_init (&params[n_param_values], G_TYPE_OBJECT);
      g_value_set_object (&params[n_param_values], target);
      g_closure_invoke (self->inner, return_value, n_param_values + 1, params, invocation_hint);
      g_value_unset (&params[n_param_values]);
    }
  else
    g_closure_invoke (self->inner, return_value, n_param_values, param_values, invocation_hint);

  g_object_unref (target);
  __atomic_fetch_sub (&self->running, 1, __ATOMIC_RELEASE);
}

static void
weak_closure_finalize (gpointer  data,
                       GClosure *closure)
{
  WeakClosure *self = (WeakClosure *) closure;

  /* Always 0 here (GLib finalizes a closure only after its last
   * invocation); the acquire pairs with the marshal's release. */
  g_warn_if_fail (__atomic_load_n (&self->running, __ATOMIC_ACQUIRE) == 0);

  /* If the target still lives, its ref dies here and its callback never
   * runs; its destroy notify drops the handler's other reference. */
  g_clear_object (&self->target_ref);
  g_clear_pointer (&self->inner, g_closure_unref);
  g_clear_pointer (&self->handler, weak_handler_unref);
}

static gulong
connect_weak (gpointer     instance,
              const char  *detailed_signal,
              GClosure    *inner,
              gpointer     target,
              gboolean     after,
              gboolean     pass_target)
{
  WeakHandler *handler;
  WeakClosure *self;
  GClosure *closure;
  gulong id;

  handler = g_new0 (WeakHandler, 1);
  handler->ref_count = 1;
  wk_weak_init (&handler->instance, instance);

  closure = g_closure_new_simple (sizeof (WeakClosure), NULL);
  self = (WeakClosure *) closure;
  self->inner = g_closure_ref (inner);
  g_closure_sink (inner);
  if (inner->marshal == NULL)
    g_closure_set_marshal (inner, g_cclosure_marshal_generic);
  self->handler = handler;
  self->pass_target = pass_target;
  self->target_ref = wk_ref_new (target, target_died,
                                 weak_handler_ref (handler), weak_handler_unref);
  g_closure_set_marshal (closure, weak_closure_marshal);
  g_closure_add_finalize_notifier (closure, NULL, weak_closure_finalize);
  __atomic_store_n (&self->ready, TRUE, __ATOMIC_RELEASE);

  g_closure_ref (closure);
  g_closure_sink (closure);
  if (!wk_ref_is_alive (self->target_ref))
    id = 0;
  else
    id = g_signal_connect_closure (instance, detailed_signal, closure, after);
  g_closure_unref (closure);

  if (id != 0)
    {
      __atomic_store_n (&handler->handler_id, id, __ATOMIC_RELEASE);
      /* The target may have died before the id was known. */
      if (!wk_ref_is_alive (self->target_ref))
        {
          weak_handler_disconnect (handler);
          id = 0;
        }
    }
  return id;
}

/* Whether @detailed_signal names a signal of @instance ("name" or
 * "name::detail", the detail only on a detailed signal), checked with
 * g_signal_parse_name() before g_signal_connect_closure() sees it: GLib
 * reports a bad name with g_warning() up to 2.74 and with g_critical()
 * from 2.76 on, and Wk reports it the same way on every version, with a
 * critical of its own. The detail's quark is made here as
 * g_signal_connect_closure() would make it. */
static gboolean
check_signal_name (gpointer     instance,
                   const char  *detailed_signal,
                   const char  *func)
{
  if (G_LIKELY (g_signal_parse_name (detailed_signal, G_TYPE_FROM_INSTANCE (instance),
                                     NULL, NULL, TRUE)))
    return TRUE;
  g_critical ("%s: signal '%s' is invalid for instance '%p' of type '%s'",
              func, detailed_signal, instance, G_OBJECT_TYPE_NAME (instance));
  return FALSE;
}

gulong
wk_signal_connect_weak (gpointer       instance,
                        const char    *detailed_signal,
                        GCallback      c_handler,
                        gpointer       target,
                        GConnectFlags  connect_flags)
{
  GClosure *inner;

  g_return_val_if_fail (G_IS_OBJECT (instance), 0);
  g_return_val_if_fail (detailed_signal != NULL, 0);
  g_return_val_if_fail (c_handler != NULL, 0);
  g_return_val_if_fail (G_IS_OBJECT (target), 0);
  if (!check_signal_name (instance, detailed_signal, G_STRFUNC))
    return 0;

  /* The data is the bare pointer: the closure only runs while the
   * emission holds the target. */
  if (connect_flags & G_CONNECT_SWAPPED)
    inner = g_cclosure_new_swap (c_handler, target, NULL);
  else
    inner = g_cclosure_new (c_handler, target, NULL);

  return connect_weak (instance, detailed_signal, inner, target,
                       (connect_flags & G_CONNECT_AFTER) != 0, FALSE);
}

gulong
wk_signal_connect_closure_weak (gpointer     instance,
                                const char  *detailed_signal,
                                GClosure    *closure,
                                gpointer     target,
                                gboolean     after)
{
  g_return_val_if_fail (G_IS_OBJECT (instance), 0);
  g_return_val_if_fail (detailed_signal != NULL, 0);
  g_return_val_if_fail (closure != NULL, 0);
  g_return_val_if_fail (G_IS_OBJECT (target), 0);
  if (!check_signal_name (instance, detailed_signal, G_STRFUNC))
    {
      /* A floating closure is consumed, as by a connection that ends
       * at once; a caller's reference is left alone. */
      g_closure_ref (closure);
      g_closure_sink (closure);
      g_closure_unref (closure);
      return 0;
    }

  return connect_weak (instance, detailed_signal, closure, target, after, TRUE);
}
