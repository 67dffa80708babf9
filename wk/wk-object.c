/* wk-object.c: the base class of objects that Wk manages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkObject:
 *
 * The base class for objects whose lifetime Wk manages.
 *
 * Any GObject can be the referent of a [class@Wk.Ref] or a [struct@Wk.Weak].
 * A `WkObject` keeps the side data that weak references need in its own
 * instance instead of in qdata, so making and finding it is cheaper, and
 * the cycle collector tracks every `WkObject` from its construction: the
 * objects it holds through [method@Wk.Object.hold] (or reports in its
 * [vfunc@Wk.Object.traverse]) are edges that [func@Wk.Gc.collect]
 * follows, and a cycle of them that nothing else references is freed.
 *
 * Subclass it like any GObject: `G_DECLARE_DERIVABLE_TYPE (MyThing, my_thing,
 * MY, THING, WkObject)` in C, `class MyThing(Wk.Object)` in Python,
 * `GObject.registerClass(class MyThing extends Wk.Object {})` in GJS.
 */

#include "config.h"

#include "wk-object-private.h"
#include "wk-gc-private.h"
#include "wk-gc-collect-private.h"
#include "wk-anchor-private.h"
#include "wk-sync-private.h"

typedef struct
{
  WkAnchor  *anchor;   /* (atomic) (nullable) */
  /* While dispose runs: the class whose dispose runs now (see
   * dispose_trampoline()); NULL otherwise. Read by other threads only to
   * tell NULL from not NULL. */
  WkObjectClass *disposing;
  WkGcHead   gc;
  gint       held_lock;  /* (atomic) a spin lock for what follows */
  /* The objects of hold(), each (owned), oldest first: the first in
   * held_one, so that one child costs no allocation and the collector's
   * traverse no extra cache miss; the rest, if any, in held_more. */
  GObject   *held_one;   /* (nullable) (atomic) for holds_anything() */
  GPtrArray *held_more;  /* (nullable) (atomic) for holds_anything() */
  /* To @self from its init on, so that GLib's final unref always finds a
   * weak reference to clear before dispose: then a listing of the
   * collector's objects in another thread can read an object that has a
   * single reference without bringing it back from that unref (see
   * dup_list_locked() in wk-gc-track.c). */
  GWeakRef   guard;
} WkObjectPrivate;

/* Under the held lock, but read without it by holds_anything(). */
#define SET_HELD(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)

/* What steal_held() takes out, for drop_held(); with the collector's
 * phase read when it was taken out (see wk-gc-private.h). */
typedef struct
{
  GObject   *one;
  GPtrArray *more;
  gint       gc_phase;
} Held;

G_DEFINE_TYPE_WITH_PRIVATE (WkObject, wk_object, G_TYPE_OBJECT)

gsize _wk_is_object_cache[WK_IS_OBJECT_CACHE_SIZE];

gboolean
_wk_is_object_slow (GType type)
{
  gboolean is = g_type_is_a (type, WK_TYPE_OBJECT);

  __atomic_store_n (&_wk_is_object_cache[(type >> 3) % WK_IS_OBJECT_CACHE_SIZE],
                    type | (is ? 1 : 0), __ATOMIC_RELAXED);
  return is;
}

static inline void
held_lock (WkObjectPrivate *priv)
{
  guint spins = 0;

  while (__atomic_exchange_n (&priv->held_lock, 1, __ATOMIC_ACQUIRE) != 0)
    while (__atomic_load_n (&priv->held_lock, __ATOMIC_RELAXED) != 0)
      wk_spin_pause (&spins);
}

static inline void
held_unlock (WkObjectPrivate *priv)
{
  __atomic_store_n (&priv->held_lock, 0, __ATOMIC_RELEASE);
}

static void
wk_object_real_traverse (WkObject    *self,
                         WkVisitFunc  visit,
                         gpointer     user_data)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);
  guint i;

  /* The collector's visit only compares pointers: no user code runs
   * under the spin lock. */
  held_lock (priv);
  if (priv->held_one != NULL)
    visit (priv->held_one, user_data);
  for (i = 0; priv->held_more != NULL && i < priv->held_more->len; i++)
    visit (g_ptr_array_index (priv->held_more, i), user_data);
  held_unlock (priv);
}

/* Takes every held object out; the caller drops them. */
static Held
steal_held (WkObjectPrivate *priv)
{
  Held held;

  held_lock (priv);
  held.one = priv->held_one;
  held.more = priv->held_more;
  SET_HELD (priv->held_one, NULL);
  SET_HELD (priv->held_more, NULL);
  held.gc_phase = held.one != NULL || held.more != NULL ? _wk_gc_unheld_begin () : 0;
  if (G_UNLIKELY (held.gc_phase != 0))
    {
      guint i;

      if (held.one != NULL)
        _wk_gc_mark_unheld (held.one, held.gc_phase);
      for (i = 0; held.more != NULL && i < held.more->len; i++)
        _wk_gc_mark_unheld (g_ptr_array_index (held.more, i), held.gc_phase);
    }
  held_unlock (priv);
  return held;
}

/* Dropping what an object holds may finish other objects, whose dispose
 * drops what they hold: a chain of 100,000 objects would recurse 100,000
 * deep. As CPython's "trashcan" does, past DROP_MAX_DEPTH nested drops a
 * thread queues the objects instead, and its outermost drop empties the
 * queue, in a loop. Only the order in which the objects deep in such a
 * chain die changes: each still dies once nothing holds it. */
#define DROP_MAX_DEPTH 50

static __thread guint drop_depth __attribute__ ((tls_model ("initial-exec")));
static __thread GPtrArray *drop_queue __attribute__ ((tls_model ("initial-exec")));   /* (owned) of (owned) objects */

static void
drop_held (Held held)
{
  guint i;

  if (held.one == NULL && held.more == NULL)
    return;
  /* A collection that saw them leave (steal_held()) decides first. */
  _wk_gc_unheld_wait (held.gc_phase);
  if (drop_depth >= DROP_MAX_DEPTH)
    {
      if (drop_queue == NULL)
        drop_queue = g_ptr_array_new ();
      if (held.one != NULL)
        g_ptr_array_add (drop_queue, held.one);
      for (i = 0; held.more != NULL && i < held.more->len; i++)
        g_ptr_array_add (drop_queue, g_ptr_array_index (held.more, i));
      if (held.more != NULL)
        g_ptr_array_free (held.more, TRUE);
      return;
    }

  drop_depth++;
  g_clear_object (&held.one);
  if (held.more != NULL)
    {
      for (i = 0; i < held.more->len; i++)
        g_object_unref (g_ptr_array_index (held.more, i));
      g_ptr_array_free (held.more, TRUE);
    }
  if (drop_depth == 1 && drop_queue != NULL)
    {
      while (drop_queue->len > 0)
        g_object_unref (g_ptr_array_steal_index (drop_queue, drop_queue->len - 1));
      /* Nothing is left for the thread's exit to leak. */
      g_clear_pointer (&drop_queue, g_ptr_array_unref);
    }
  drop_depth--;
}

static void
wk_object_real_clear (WkObject *self)
{
  drop_held (steal_held (wk_object_get_instance_private (self)));
}

/* Whether @priv holds anything. Without the lock: a hold() that races
 * with this is one that comes just after it. */
static inline gboolean
holds_anything (WkObjectPrivate *priv)
{
  return __atomic_load_n (&priv->held_one, __ATOMIC_RELAXED) != NULL ||
         __atomic_load_n (&priv->held_more, __ATOMIC_RELAXED) != NULL;
}

/* dispose, finalize and init are called with an instance of this type:
 * plain casts, without the checked casts' type lookups, on the path every
 * WkObject takes. */
static void
wk_object_dispose (GObject *object)
{
  WkObjectPrivate *priv = wk_object_get_instance_private ((WkObject *) object);

  if (holds_anything (priv))
    drop_held (steal_held (priv));
  /* Where GObject's dispose would run a weak notify: Wk registers none
   * for a WkObject. */
  wk_anchor_object_disposed (object);

  G_OBJECT_CLASS (wk_object_parent_class)->dispose (object);
}

static void
wk_object_finalize (GObject *object)
{
  WkObjectPrivate *priv = wk_object_get_instance_private ((WkObject *) object);

  /* First: a collection in another thread may be reading this instance
   * until the untrack returns. After it nobody else can see the object,
   * so what a dispose left to hold needs no lock. */
  _wk_gc_untrack (&priv->gc);
  g_weak_ref_clear (&priv->guard);
  if (holds_anything (priv))
    {
      /* Untracked: no collection can be looking at these references. */
      Held held = { g_steal_pointer (&priv->held_one), g_steal_pointer (&priv->held_more), 0 };

      drop_held (held);
    }

  G_OBJECT_CLASS (wk_object_parent_class)->finalize (object);
}

/* Weak references made to a WkObject once its dispose has begun must be
 * born dead, and GObject has no hook before the most derived dispose. So
 * the dispose slot of every class from WkObject down to the class of a
 * constructed object holds dispose_trampoline(), and the class's own
 * dispose moves to WkObjectClass._wk_dispose (install_trampolines(), the
 * first time an object of the class is constructed). A chain-up calls
 * the parent class's slot, which is the trampoline again: the instance
 * remembers whose dispose runs, so the trampoline can tell which class's
 * dispose the chain-up meant (the parent of the class that defined the
 * running function). */
static void dispose_trampoline (GObject *object);

static inline WkObjectClass *
parent_class_of (WkObjectClass *klass)
{
  return g_type_class_peek_parent (klass);
}

static void
install_trampolines (WkObjectClass *klass)
{
  WkObjectClass *levels[64];
  guint n = 0;

  /* The classes below WkObject whose slot is not the trampoline yet,
   * then installed from the top down, so that a slot holding the
   * trampoline means every class above it has one too. */
  for (WkObjectClass *k = klass; k != wk_object_parent_class && n < G_N_ELEMENTS (levels);
       k = parent_class_of (k))
    {
      if (__atomic_load_n (&G_OBJECT_CLASS (k)->dispose, __ATOMIC_ACQUIRE) == dispose_trampoline)
        break;
      levels[n++] = k;
    }
  while (n-- > 0)
    {
      GObjectClass *object_class = G_OBJECT_CLASS (levels[n]);
      void (*own) (GObject *) = __atomic_load_n (&object_class->dispose, __ATOMIC_ACQUIRE);

      if (own == dispose_trampoline)
        continue;
      /* Two threads may do this at once: they store the same values. */
      __atomic_store_n (&levels[n]->_wk_dispose, own, __ATOMIC_RELEASE);
      __atomic_compare_exchange_n (&object_class->dispose, &own, dispose_trampoline, FALSE,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
}

static void
dispose_trampoline (GObject *object)
{
  WkObjectPrivate *priv = wk_object_get_instance_private ((WkObject *) object);
  WkObjectClass *running = priv->disposing;
  WkObjectClass *next;

  if (running == NULL)
    next = WK_OBJECT_GET_CLASS (object);
  else
    {
      /* The running function chained up: to the parent of the highest
       * class that has it as its own. */
      void (*func) (GObject *) = running->_wk_dispose;

      next = parent_class_of (running);
      while (next != wk_object_parent_class && next->_wk_dispose == func)
        next = parent_class_of (next);
      g_return_if_fail (next != wk_object_parent_class);
    }

  __atomic_store_n (&priv->disposing, next, __ATOMIC_RELEASE);
  next->_wk_dispose (object);
  if (running == NULL)
    {
      /* WkObject's dispose processes the death of the object's weak
       * references; this does it for a subclass that did not chain up
       * (GLib runs weak notifies even then). */
      wk_anchor_object_disposed (object);
    }
  __atomic_store_n (&priv->disposing, running, __ATOMIC_RELEASE);
}

static void
wk_object_constructed (GObject *object)
{
  WkObjectClass *klass = WK_OBJECT_GET_CLASS (object);

  if (G_UNLIKELY (__atomic_load_n (&G_OBJECT_CLASS (klass)->dispose, __ATOMIC_ACQUIRE) !=
                  dispose_trampoline))
    install_trampolines (klass);

  G_OBJECT_CLASS (wk_object_parent_class)->constructed (object);
}

gboolean
_wk_object_is_disposing (WkObject *self)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);

  return __atomic_load_n (&priv->disposing, __ATOMIC_ACQUIRE) != NULL;
}

static void
wk_object_class_init (WkObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dispose_trampoline;
  klass->_wk_dispose = wk_object_dispose;
  object_class->constructed = wk_object_constructed;
  object_class->finalize = wk_object_finalize;
  klass->traverse = wk_object_real_traverse;
  klass->clear = wk_object_real_clear;
}

static void
wk_object_init (WkObject *self)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);

  g_weak_ref_init (&priv->guard, self);
  _wk_gc_track (&priv->gc, (GObject *) self);
}

GObject *
_wk_object_guard_get (WkObject *self)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);

  return g_weak_ref_get (&priv->guard);
}

WkGcHead *
_wk_object_gc_head (WkObject *self)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);

  return &priv->gc;
}

WkAnchor **
_wk_object_anchor_slot (WkObject *self)
{
  WkObjectPrivate *priv = wk_object_get_instance_private (self);

  return &priv->anchor;
}

/**
 * wk_object_new:
 *
 * Creates a plain [class@Wk.Object].
 *
 * Returns: (transfer full): a new object
 */
WkObject *
wk_object_new (void)
{
  return g_object_new (WK_TYPE_OBJECT, NULL);
}

/**
 * wk_object_get_ref_count:
 * @object: (type GObject.Object): any GObject
 *
 * Reads the strong reference count of @object. The value is a snapshot
 * for inspection and tests: other threads may change it at any time.
 *
 * Returns: the reference count
 */
guint
wk_object_get_ref_count (gpointer object)
{
  g_return_val_if_fail (G_IS_OBJECT (object), 0);

  return __atomic_load_n (&G_OBJECT (object)->ref_count, __ATOMIC_RELAXED);
}

/**
 * wk_object_hold:
 * @self: an object
 * @child: (type GObject.Object): an object for @self to hold
 *
 * Takes a strong reference on @child on behalf of @self, one that the
 * cycle collector can see (the default [vfunc@Wk.Object.traverse] visits
 * it) and break (the default [vfunc@Wk.Object.clear] releases it). Holding
 * the same child twice takes two references. Python and JavaScript
 * subclasses use this for the objects they keep, so that cycles through
 * them can be collected.
 */
void
wk_object_hold (WkObject *self,
                GObject  *child)
{
  WkObjectPrivate *priv;

  g_return_if_fail (WK_IS_OBJECT (self));
  g_return_if_fail (G_IS_OBJECT (child));

  priv = wk_object_get_instance_private (self);
  g_object_ref (child);
  held_lock (priv);
  if (priv->held_one == NULL && priv->held_more == NULL)
    SET_HELD (priv->held_one, child);
  else
    {
      if (priv->held_more == NULL)
        SET_HELD (priv->held_more, g_ptr_array_new ());
      g_ptr_array_add (priv->held_more, child);
    }
  held_unlock (priv);
}

/**
 * wk_object_release:
 * @self: an object
 * @child: (type GObject.Object): an object that @self holds
 *
 * Drops one reference that [method@Wk.Object.hold] took on @child.
 *
 * Returns: %TRUE if @self held @child
 */
gboolean
wk_object_release (WkObject *self,
                   GObject  *child)
{
  WkObjectPrivate *priv;
  gboolean found = FALSE;
  gint gc_phase = 0;
  guint i;

  g_return_val_if_fail (WK_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (child), FALSE);

  priv = wk_object_get_instance_private (self);
  held_lock (priv);
  if (priv->held_one == child)
    {
      /* The oldest of the rest takes its place. */
      SET_HELD (priv->held_one, priv->held_more != NULL && priv->held_more->len > 0
                                ? g_ptr_array_steal_index (priv->held_more, 0) : NULL);
      found = TRUE;
    }
  for (i = 0; !found && priv->held_more != NULL && i < priv->held_more->len; i++)
    if (g_ptr_array_index (priv->held_more, i) == child)
      {
        g_ptr_array_steal_index (priv->held_more, i);
        found = TRUE;
      }
  if (priv->held_more != NULL && priv->held_more->len == 0)
    {
      g_ptr_array_unref (priv->held_more);
      SET_HELD (priv->held_more, NULL);
    }
  if (found)
    {
      /* A collection deciding meanwhile sees that the reference left. */
      gc_phase = _wk_gc_unheld_begin ();
      _wk_gc_mark_unheld (child, gc_phase);
    }
  held_unlock (priv);

  /* Outside the lock: the child's dispose may run here, once a
   * collection that saw the reference leave has decided. */
  if (found)
    {
      _wk_gc_unheld_wait (gc_phase);
      g_object_unref (child);
    }
  return found;
}

/**
 * wk_object_list_held:
 * @self: an object
 *
 * Lists the objects that @self holds with [method@Wk.Object.hold], once
 * per reference, oldest first.
 *
 * Returns: (transfer full) (element-type GObject.Object): a new array
 *   holding a reference to each; it has no element free function, so the
 *   caller unrefs each element and then the array
 */
GPtrArray *
wk_object_list_held (WkObject *self)
{
  WkObjectPrivate *priv;
  GPtrArray *list;
  guint i;

  g_return_val_if_fail (WK_IS_OBJECT (self), NULL);

  priv = wk_object_get_instance_private (self);
  list = g_ptr_array_new ();
  held_lock (priv);
  if (priv->held_one != NULL)
    g_ptr_array_add (list, g_object_ref (priv->held_one));
  for (i = 0; priv->held_more != NULL && i < priv->held_more->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (priv->held_more, i)));
  held_unlock (priv);
  return list;
}
