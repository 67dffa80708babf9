/* wk-ref.c: weak references with callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkRef:
 *
 * A weak reference to any GObject, with an optional callback run when the
 * referent dies: Python's `weakref.ref` for GObjects.
 *
 * [method@Wk.Ref.get] returns a new strong reference to the referent, or
 * %NULL once the referent has started to die. It is safe against the last
 * g_object_unref() running in another thread at the same time: the result
 * is either a live object or %NULL, never an object whose dispose has
 * begun, never freed memory.
 *
 * While the referent has two strong references or more, a get takes no
 * lock and touches no memory shared with gets of other objects, so it
 * scales with threads. When the referent has a single owner, taking the
 * count from 1 to 2 could race that owner's final unref, which GLib
 * decides without any per-object synchronization; Wk then uses GLib's
 * own [struct@GObject.WeakRef] path, which on GLib 2.74 takes a global lock (GLib 2.80
 * made it per object).
 *
 * ## Death order
 *
 * When the referent dies (its last reference is dropped, or
 * g_object_run_dispose() is called on it):
 *
 * 1. every weak reference to it reads %NULL, from before its dispose code
 *    runs;
 * 2. the callbacks of the refs that are still alive run, newest ref
 *    first, each exactly once, in the thread that dropped the last
 *    reference, before that g_object_unref() returns; each callback's
 *    destroy notify runs right after it. A callback may drop the last
 *    reference to its own ref.
 *
 * A ref that is finalized before its referent dies never runs its
 * callback; its destroy notify runs when the ref is finalized. No Wk lock
 * is held while a callback runs, so it may use Wk freely.
 *
 * ## Sharing
 *
 * Like CPython, [ctor@Wk.Ref.new] without a callback returns the existing
 * callback-less ref to the same object, if there is one.
 */

#include "config.h"

#include "wk-ref-private.h"

typedef struct
{
  WkAnchor   *anchor;    /* (owned) (nullable): NULL for a ref to nothing */
  guint       hash;
  WkRefNode   node;
  GObject    *construct_object;
} WkRefPrivate;

enum {
  PROP_0,
  PROP_OBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (WkRef, wk_ref, G_TYPE_OBJECT)

/* Attaches a fresh ref to @object. Returns @self, or the shared ref that
 * won a race (then @self is dropped). Takes the caller's reference on
 * @anchor. */
static WkRef *
wk_ref_attach (WkRef          *self,
               GObject        *object,
               WkAnchor       *anchor,
               WkRefCallback   callback,
               gpointer        user_data,
               GDestroyNotify  destroy,
               gboolean        shared)
{
  WkRefPrivate *priv = wk_ref_get_instance_private (self);
  WkRef *winner;

  priv->anchor = anchor;
  priv->hash = wk_identity_hash (object);
  priv->node.is_ref = TRUE;
  priv->node.callback = callback;
  priv->node.user_data = user_data;
  priv->node.destroy = destroy;
  priv->node.shared = shared;

  winner = wk_anchor_link (anchor, &priv->node);
  if (winner != NULL)
    {
      g_object_unref (self);
      return winner;
    }
  return self;
}

WkRef *
_wk_ref_attach_unshared (WkRef          *self,
                         GObject        *object,
                         WkRefCallback   callback,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  return wk_ref_attach (self, object, wk_anchor_obtain (object),
                        callback, user_data, destroy, FALSE);
}

static void
wk_ref_constructed (GObject *gobject)
{
  WkRef *self = WK_REF (gobject);
  WkRefPrivate *priv = wk_ref_get_instance_private (self);

  G_OBJECT_CLASS (wk_ref_parent_class)->constructed (gobject);

  /* Made with g_object_new() and an "object": never the shared ref. */
  if (priv->construct_object != NULL)
    {
      GObject *object = g_steal_pointer (&priv->construct_object);

      wk_ref_attach (self, object, wk_anchor_obtain (object), NULL, NULL, NULL, FALSE);
      g_object_unref (object);
    }
}

static void
wk_ref_dispose (GObject *gobject)
{
  WkRefPrivate *priv = wk_ref_get_instance_private (WK_REF (gobject));

  if (priv->anchor != NULL)
    wk_anchor_unlink_disposed (priv->anchor, &priv->node);

  G_OBJECT_CLASS (wk_ref_parent_class)->dispose (gobject);
}

static void
wk_ref_finalize (GObject *gobject)
{
  WkRefPrivate *priv = wk_ref_get_instance_private (WK_REF (gobject));

  g_clear_object (&priv->construct_object);
  if (priv->anchor != NULL)
    {
      gpointer user_data;
      GDestroyNotify destroy;

      /* Only a subclass that does not chain up dispose gets here linked. */
      if (priv->node.linked)
        wk_anchor_unlink_disposed (priv->anchor, &priv->node);
      wk_anchor_take_callback (priv->anchor, &priv->node, &user_data, &destroy);
      if (destroy != NULL)
        destroy (user_data);
      g_clear_pointer (&priv->anchor, wk_anchor_unref);
    }
  g_weak_ref_clear (&priv->node.owner_weak);

  G_OBJECT_CLASS (wk_ref_parent_class)->finalize (gobject);
}

static void
wk_ref_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  WkRef *self = WK_REF (object);

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_value_take_object (value, wk_ref_get (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wk_ref_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  WkRefPrivate *priv = wk_ref_get_instance_private (WK_REF (object));

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_set_object (&priv->construct_object, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wk_ref_class_init (WkRefClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = wk_ref_constructed;
  object_class->dispose = wk_ref_dispose;
  object_class->finalize = wk_ref_finalize;
  object_class->get_property = wk_ref_get_property;
  object_class->set_property = wk_ref_set_property;

  /**
   * WkRef:object:
   *
   * The referent. Reading it gives a strong reference, or %NULL once the
   * referent has died. Set it only at construction, when a binding
   * subclasses `WkRef`; in C use [ctor@Wk.Ref.new].
   */
  properties[PROP_OBJECT] =
    g_param_spec_object ("object", NULL, NULL,
                         G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wk_ref_init (WkRef *self)
{
  WkRefPrivate *priv = wk_ref_get_instance_private (self);

  /* Lookups (the shared ref, wk_get_weak_refs(), callbacks at the
   * referent's death) take a ref's count from 1 through this, in order
   * with its final unref (see owner_dup_fast() in wk-anchor.c). */
  priv->node.owner = G_OBJECT (self);
  priv->node.weak_owner = TRUE;
  g_weak_ref_init (&priv->node.owner_weak, self);
}

/**
 * wk_ref_new: (constructor)
 * @object: (type GObject.Object): the referent, any GObject
 * @callback: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   called once when @object dies, if the ref is still alive then
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, after @callback ran or when the
 *   ref is finalized without it having run
 *
 * Creates a weak reference to @object.
 *
 * Without a callback this may return the existing callback-less ref to
 * @object instead of a new one (one shared ref per object, as in
 * CPython); @destroy, if given, is then called on @user_data at once.
 * Refs with a callback are never shared.
 *
 * A ref made while @object is already dying reads %NULL and never runs
 * its callback.
 *
 * Returns: (transfer full): a weak reference to @object
 */
WkRef *
wk_ref_new (gpointer        object,
            WkRefCallback   callback,
            gpointer        user_data,
            GDestroyNotify  destroy)
{
  WkAnchor *anchor;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  anchor = wk_anchor_obtain (object);

  if (callback == NULL)
    {
      WkRef *shared = wk_anchor_dup_shared (anchor);

      if (destroy != NULL)
        destroy (user_data);
      if (shared != NULL)
        {
          wk_anchor_unref (anchor);
          return shared;
        }
      return wk_ref_attach (g_object_new (WK_TYPE_REF, NULL), object, anchor,
                            NULL, NULL, NULL, TRUE);
    }

  return wk_ref_attach (g_object_new (WK_TYPE_REF, NULL), object, anchor,
                        callback, user_data, destroy, FALSE);
}

/**
 * wk_ref_get:
 * @self: a weak reference
 *
 * Gets a strong reference to the referent, if it is still alive.
 *
 * A call racing the last g_object_unref() of the referent in another
 * thread returns either a live object, whose reference the caller then
 * owns, or %NULL. Taking the count from 1 to 2 is a real reference:
 * toggle-reference holders are told as for any other.
 *
 * Returns: (transfer full) (nullable) (type GObject.Object): the
 *   referent, or %NULL once it has started to die
 */
gpointer
wk_ref_get (WkRef *self)
{
  WkRefPrivate *priv;
  WkHazard *hazard;

  g_return_val_if_fail (WK_IS_REF (self), NULL);

  priv = wk_ref_get_instance_private (self);
  if (G_UNLIKELY (priv->anchor == NULL))
    return NULL;

  hazard = wk_hazard_get ();
  wk_hazard_publish (hazard, priv->anchor);
  return wk_anchor_get (priv->anchor, hazard);
}

/**
 * wk_ref_is_alive:
 * @self: a weak reference
 *
 * Tells whether the referent is still alive. Another thread may drop the
 * last reference right after this returns %TRUE; use [method@Wk.Ref.get]
 * to keep the referent.
 *
 * Returns: %FALSE once the referent has started to die
 */
gboolean
wk_ref_is_alive (WkRef *self)
{
  WkRefPrivate *priv;

  g_return_val_if_fail (WK_IS_REF (self), FALSE);

  priv = wk_ref_get_instance_private (self);
  return priv->anchor != NULL && wk_anchor_is_alive (priv->anchor);
}

/**
 * wk_ref_set_callback:
 * @self: a weak reference without a callback, made with g_object_new()
 * @callback: (scope notified) (closure user_data) (destroy destroy): called
 *   once when the referent dies
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data
 *
 * Gives a callback to a ref that was constructed with g_object_new() and
 * the [property@Wk.Ref:object] property, which is how bindings make
 * subclasses of `WkRef`. It cannot replace a callback, and the shared
 * callback-less ref returned by [ctor@Wk.Ref.new] cannot get one.
 *
 * If the referent has already died, the callback will never run: @destroy
 * is called at once and %FALSE returned.
 *
 * Returns: %TRUE if the callback was set
 */
gboolean
wk_ref_set_callback (WkRef          *self,
                     WkRefCallback   callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  WkRefPrivate *priv;

  g_return_val_if_fail (WK_IS_REF (self), FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);

  priv = wk_ref_get_instance_private (self);
  g_return_val_if_fail (!priv->node.shared, FALSE);
  g_return_val_if_fail (priv->node.callback == NULL, FALSE);

  if (priv->anchor != NULL &&
      wk_anchor_set_callback (priv->anchor, &priv->node, callback, user_data, destroy))
    return TRUE;

  if (destroy != NULL)
    destroy (user_data);
  return FALSE;
}

/**
 * wk_ref_hash:
 * @ref: (type Wk.Ref): a weak reference
 *
 * A hash function for refs, for use with [struct@GLib.HashTable]: the identity hash
 * of the referent, fixed when the ref was made, so it stays valid after
 * the referent died (CPython raises TypeError there).
 *
 * Returns: the hash
 */
guint
wk_ref_hash (gconstpointer ref)
{
  WkRefPrivate *priv;

  g_return_val_if_fail (WK_IS_REF ((gpointer) ref), 0);

  priv = wk_ref_get_instance_private ((WkRef *) ref);
  return priv->hash;
}

/**
 * wk_ref_equal:
 * @a: (type Wk.Ref): a weak reference
 * @b: (type Wk.Ref): another weak reference
 *
 * Equality for refs, for use with [struct@GLib.HashTable]: while both referents live,
 * two refs are equal when they refer to the same object; otherwise a ref
 * is only equal to itself.
 *
 * Returns: whether @a and @b are equal
 */
gboolean
wk_ref_equal (gconstpointer a,
              gconstpointer b)
{
  WkRefPrivate *pa, *pb;

  g_return_val_if_fail (WK_IS_REF ((gpointer) a), FALSE);
  g_return_val_if_fail (WK_IS_REF ((gpointer) b), FALSE);

  if (a == b)
    return TRUE;
  pa = wk_ref_get_instance_private ((WkRef *) a);
  pb = wk_ref_get_instance_private ((WkRef *) b);
  return pa->anchor != NULL && pa->anchor == pb->anchor &&
         wk_anchor_is_alive (pa->anchor);
}

/**
 * wk_get_weak_ref_count:
 * @object: (type GObject.Object): any GObject
 *
 * Counts the [class@Wk.Ref]s to @object that are alive (have not been
 * disposed). [struct@Wk.Weak] slots are not counted.
 *
 * Returns: the number of refs, 0 once @object has died
 */
guint
wk_get_weak_ref_count (gpointer object)
{
  WkAnchor *anchor;
  guint n;

  g_return_val_if_fail (G_IS_OBJECT (object), 0);

  anchor = wk_anchor_lookup (object);
  if (anchor == NULL)
    return 0;
  n = wk_anchor_is_alive (anchor) ? wk_anchor_count_refs (anchor) : 0;
  wk_anchor_unref (anchor);
  return n;
}

/**
 * wk_get_weak_refs:
 * @object: (type GObject.Object): any GObject
 *
 * Lists the [class@Wk.Ref]s to @object, newest first.
 *
 * Returns: (transfer full) (element-type Wk.Ref): a new array holding a
 *   reference to each ref; it has no element free function, so the
 *   caller unrefs each element and then the array
 */
GPtrArray *
wk_get_weak_refs (gpointer object)
{
  WkAnchor *anchor;
  GPtrArray *refs;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  anchor = wk_anchor_lookup (object);
  if (anchor == NULL)
    return g_ptr_array_new ();
  if (wk_anchor_is_alive (anchor))
    refs = wk_anchor_dup_refs (anchor);
  else
    refs = g_ptr_array_new ();
  wk_anchor_unref (anchor);
  return refs;
}
