/* wk-anchor.c: the per-object side data behind every Wk weak reference
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-anchor-private.h for the model: making and finding an
 * object's anchor, reading through it, and its lists of refs, light
 * finalizers and watches. The death of a referent is in
 * wk-anchor-death.c.
 *
 * No lock is held while user code runs. The anchor's spin lock protects
 * its lists and is only ever held for a few instructions.
 */

#include "config.h"

#include "wk-anchor-private.h"
#include "wk-binding-private.h"
#include "wk-finalizer.h"
#include "wk-object-private.h"
#include "wk-ref-private.h"

static GQuark
wk_anchor_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wk-anchor");
  return quark;
}

/* A one-word spin lock rather than g_bit_lock(): the critical sections
 * are a few instructions and no user code runs inside them (see
 * wk-sync-private.h). */
static inline void
anchor_lock (WkAnchor *anchor)
{
  guint spins = 0;

  while (__atomic_exchange_n (&anchor->lock, 1, __ATOMIC_ACQUIRE) != 0)
    do
      wk_spin_pause (&spins);
    while (__atomic_load_n (&anchor->lock, __ATOMIC_RELAXED) != 0);
}

static inline void
anchor_unlock (WkAnchor *anchor)
{
  __atomic_store_n (&anchor->lock, 0, __ATOMIC_RELEASE);
}

WkAnchor *
wk_anchor_ref (WkAnchor *anchor)
{
  __atomic_fetch_add (&anchor->ref_count, 1, __ATOMIC_RELAXED);
  return anchor;
}

/* A reference for someone who reached @anchor without owning one (under a
 * hazard slot): fails once the count has reached zero. */
static gboolean
anchor_try_ref (WkAnchor *anchor)
{
  gint count = __atomic_load_n (&anchor->ref_count, __ATOMIC_RELAXED);
  while (count > 0)
    if (__atomic_compare_exchange_n (&anchor->ref_count, &count, count + 1, TRUE,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return TRUE;
  return FALSE;
}

void
wk_anchor_unref (WkAnchor *anchor)
{
  if (__atomic_sub_fetch (&anchor->ref_count, 1, __ATOMIC_ACQ_REL) == 0)
    {
      /* The object's own reference is gone, so the object's death has been
       * processed and GLib no longer knows our GWeakRef. Readers that got
       * here through a WkWeak may still hold the address. */
      wk_hazard_wait (anchor);
      g_free (anchor);
    }
}

gboolean
wk_anchor_is_alive (WkAnchor *anchor)
{
  return _wk_anchor_state_alive (anchor);
}

static WkAnchor *
anchor_new (GObject  *object,
            gboolean  is_wk_object)
{
  WkAnchor *anchor = g_new0 (WkAnchor, 1);

  anchor->object = object;
  anchor->is_wk_object = is_wk_object;
  g_weak_ref_init (&anchor->gweak, object);
  /* The object's and the caller's. Last, and a release: a thread that
   * finds the anchor in the qdata (published under GLib's qdata lock,
   * which ThreadSanitizer cannot see) takes its reference with an acquire
   * on this count (dup_qdata_anchor()), so it sees the fields above. */
  __atomic_store_n (&anchor->ref_count, 2, __ATOMIC_RELEASE);
  return anchor;
}

static void
anchor_discard (WkAnchor *anchor)
{
  g_weak_ref_clear (&anchor->gweak);
  g_free (anchor);
}

static WkAnchor *
dup_from_slot (WkAnchor **slot)
{
  WkHazard *hazard = wk_hazard_get ();

  for (;;)
    {
      WkAnchor *anchor = __atomic_load_n (slot, __ATOMIC_ACQUIRE);
      gboolean ok;

      if (anchor == NULL)
        return NULL;
      wk_hazard_publish (hazard, anchor);
      if (__atomic_load_n (slot, __ATOMIC_SEQ_CST) != anchor)
        continue;
      ok = anchor_try_ref (anchor);
      wk_hazard_clear (hazard);
      if (ok)
        return anchor;
      /* Its count reached zero after the object let go, so the slot has
       * been cleared meanwhile: look again. */
    }
}

static gpointer
dup_qdata_anchor (gpointer data,
                  gpointer user_data)
{
  /* Runs under the object's qdata lock, and the anchor stays in the qdata
   * only while the object's reference on it is held: an increment, with
   * an acquire for anchor_new()'s release. */
  if (data != NULL)
    __atomic_fetch_add (&((WkAnchor *) data)->ref_count, 1, __ATOMIC_ACQUIRE);
  return data;
}

WkAnchor *
wk_anchor_lookup (GObject *object)
{
  if (_wk_is_object (object))
    return dup_from_slot (_wk_object_anchor_slot (WK_OBJECT (object)));
  return g_object_dup_qdata (object, wk_anchor_quark (), dup_qdata_anchor, NULL);
}

/* The anchor of an object that is already dying: it never reads the
 * object, refuses every ref and watch, and is nobody's but the caller's. */
static WkAnchor *
anchor_new_dead (void)
{
  WkAnchor *anchor = g_new0 (WkAnchor, 1);

  anchor->ref_count = 1;
  anchor->state = WK_ANCHOR_DEAD;
  anchor->closed = TRUE;
  return anchor;
}

/* Whether weak references made to @object now must read NULL: in
 * finalize (its count is 0), or, for a WkObject, once its dispose has
 * begun (wk-object.c marks it before the most derived dispose runs). A
 * plain GObject's dispose cannot be seen before GLib clears the anchor's
 * GWeakRef, which it does before dispose only for an object that already
 * had one (see docs/reference/death-order.md). */
static inline gboolean
object_is_dying (GObject *object)
{
  return __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_ACQUIRE) <= 0 ||
         (_wk_is_object (object) && _wk_object_is_disposing (WK_OBJECT (object)));
}

/* TRUE when @anchor is alive, after waiting for a collection that is
 * deciding about it. */
static gboolean
anchor_alive_after_gc (WkAnchor *anchor)
{
  guint spins = 0;

  while (__atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_GC_PENDING)
    wk_spin_pause (&spins);
  return _wk_anchor_state_alive (anchor);
}

WkAnchor *
wk_anchor_obtain (GObject *object)
{
  for (;;)
    {
      WkAnchor *anchor;
      gboolean installed;

      if (G_UNLIKELY (object_is_dying (object)))
        return anchor_new_dead ();

      anchor = wk_anchor_lookup (object);
      if (anchor != NULL)
        {
          if (G_LIKELY (_wk_anchor_state_alive (anchor)) || anchor_alive_after_gc (anchor))
            return anchor;
          /* The object's final unref has begun (GLib cleared the
           * GWeakRef) or its death was processed: new refs are born
           * dead, and never called back. */
          wk_anchor_unref (anchor);
          return anchor_new_dead ();
        }

      if (_wk_is_object (object))
        {
          WkAnchor *expected = NULL;

          anchor = anchor_new (object, TRUE);
          installed = __atomic_compare_exchange_n (_wk_object_anchor_slot (WK_OBJECT (object)),
                                                   &expected, anchor, FALSE,
                                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
        }
      else
        {
          anchor = anchor_new (object, FALSE);
          installed = g_object_replace_qdata (object, wk_anchor_quark (),
                                              NULL, anchor, NULL, NULL);
        }

      if (installed)
        {
          /* A WkObject reports its death itself. */
          if (!anchor->is_wk_object)
            g_object_weak_ref (object, _wk_anchor_object_died, anchor);
          return anchor;
        }
      anchor_discard (anchor);
    }
}

static void
unlink_locked (WkAnchor  *anchor,
               WkRefNode *node)
{
  wk_list_remove (&anchor->refs, &node->link);
  node->linked = FALSE;
  if (node->is_ref)
    anchor->n_refs--;
  if (anchor->shared == node)
    __atomic_store_n (&anchor->shared, NULL, __ATOMIC_RELAXED);   /* read without the lock */
}

/* A pin keeps a linked node's memory (inside its owner) valid outside
 * the lock: the owner's dispose waits for its node's pins to go. A pin
 * does not keep the owner alive; owner_dup() then takes a reference. */
static inline gboolean
pin_locked (WkRefNode *node)
{
  if (node->owner == NULL)
    {
      /* A light finalizer: nobody but a death delivers it, and once
       * claimed, wk_anchor_remove_light() leaves it to the death. */
      node->claimed = TRUE;
      return TRUE;
    }
  if (__atomic_load_n ((gint *) &node->owner->ref_count, __ATOMIC_SEQ_CST) <= 0)
    return FALSE;
  node->pins++;
  return TRUE;
}

static void
unpin (WkAnchor   *anchor,
       WkRefNode **nodes,
       guint       n)
{
  guint i;

  anchor_lock (anchor);
  for (i = 0; i < n; i++)
    if (nodes[i]->owner != NULL)
      nodes[i]->pins--;
  anchor_unlock (anchor);
}

/* A strong reference to the owner of a pinned node without GLib's lock,
 * or NULL with *@slow set when only g_weak_ref_get() on the owner can
 * say (its count is 1), or NULL when the owner is dying. A ref's count
 * is raised from 1 only through its GWeakRef on itself, which GLib
 * orders with its final unref: a reference raised from 1 while another
 * thread is in that final unref resurrects the ref, which GLib before
 * 2.80 does not survive (wk-glib-private.h, fact 3). A finalizer's count
 * is Wk's to drop (wk-finalizer.c unlinks, waiting for pins, before it
 * drops the registry's reference), so it is raised directly. */
static GObject *
owner_dup_fast (WkRefNode *node,
                gboolean  *slow)
{
  GObject *owner = node->owner;

  *slow = FALSE;
  if (owner == NULL)
    return NULL;
  if (!node->weak_owner)
    return g_object_ref (owner);
  if (wk_glib_try_ref_from_2 (owner))
    {
      if (G_LIKELY (!wk_glib_weak_ref_is_cleared (&node->owner_weak)))
        return owner;
      wk_glib_drop_raised (owner);
      return NULL;
    }
  *slow = !wk_glib_weak_ref_is_cleared (&node->owner_weak);
  return NULL;
}

/* The linked nodes for which @want returns TRUE, newest first, each
 * with a strong reference held on its owner (owners that are dying are
 * left out); NULL when there are none. With @close, no callback will be
 * set or linked after this. */
static GPtrArray *
anchor_dup_nodes_where (WkAnchor *anchor,
                        gboolean (*want) (WkAnchor *anchor, WkRefNode *node),
                        gboolean  close)
{
  gboolean binding_locked = FALSE;
  gpointer binding_state = NULL;
  GPtrArray *nodes;

  for (;;)
    {
      WkRefNode *node;
      GObject **owners;
      gboolean *slow, *light;
      guint i, n_slow = 0, kept;

      nodes = NULL;
      anchor_lock (anchor);
      for (node = (WkRefNode *) anchor->refs; node != NULL; node = (WkRefNode *) node->link.next)
        if (want (anchor, node) && pin_locked (node))
          {
            if (nodes == NULL)
              nodes = g_ptr_array_sized_new (anchor->n_refs + 1);
            g_ptr_array_add (nodes, node);
          }
      if (close)
        anchor->closed = TRUE;
      anchor_unlock (anchor);
      if (nodes == NULL)
        break;

      owners = g_newa (GObject *, nodes->len);
      slow = g_newa (gboolean, nodes->len);
      light = g_newa (gboolean, nodes->len);
      for (i = 0; i < nodes->len; i++)
        {
          WkRefNode *n = g_ptr_array_index (nodes, i);

          light[i] = n->owner == NULL;
          owners[i] = owner_dup_fast (n, &slow[i]);
          n_slow += slow[i];
        }

      if (n_slow > 0 && !binding_locked && _wk_binding_lock_needed ())
        {
          /* A binding's interpreter lock must come first, and never
           * while we hold pins (the owner's dispose waits for them, and
           * its thread may hold that lock): let go, take it, start over. */
          unpin (anchor, (WkRefNode **) nodes->pdata, nodes->len);
          for (i = 0; i < nodes->len; i++)
            g_clear_object (&owners[i]);
          g_ptr_array_unref (nodes);
          binding_state = _wk_binding_lock_enter ();
          binding_locked = TRUE;
          continue;
        }

      for (i = 0; i < nodes->len; i++)
        if (slow[i])
          owners[i] = wk_glib_weak_ref_get (&((WkRefNode *) g_ptr_array_index (nodes, i))->owner_weak,
                                            FALSE);
      unpin (anchor, (WkRefNode **) nodes->pdata, nodes->len);

      /* Keep the nodes whose owner we hold (they stay valid while it
       * lives), and the light ones, which are the death's now. A node
       * whose owner we do not hold may be gone once unpinned: not read
       * again. */
      for (i = 0, kept = 0; i < nodes->len; i++)
        if (owners[i] != NULL || light[i])
          nodes->pdata[kept++] = nodes->pdata[i];
      g_ptr_array_set_size (nodes, kept);
      if (kept == 0)
        g_clear_pointer (&nodes, g_ptr_array_unref);
      break;
    }

  if (binding_locked)
    _wk_binding_lock_leave (binding_state);
  return nodes;
}

static gboolean
node_has_callback (WkAnchor  *anchor,
                   WkRefNode *node)
{
  return node->callback != NULL;
}


static gboolean
node_is_ref (WkAnchor  *anchor,
             WkRefNode *node)
{
  return node->is_ref;
}

static gboolean
node_is_shared (WkAnchor  *anchor,
                WkRefNode *node)
{
  return node == anchor->shared;
}

GPtrArray *
wk_anchor_dup_refs (WkAnchor *anchor)
{
  GPtrArray *nodes = anchor_dup_nodes_where (anchor, node_is_ref, FALSE);
  guint i;

  if (nodes == NULL)
    return g_ptr_array_new ();
  /* The owners' references move to the array handed out. */
  for (i = 0; i < nodes->len; i++)
    nodes->pdata[i] = ((WkRefNode *) nodes->pdata[i])->owner;
  return nodes;
}

WkRef *
wk_anchor_dup_shared (WkAnchor *anchor)
{
  GPtrArray *nodes;
  WkRef *shared;

  if (__atomic_load_n (&anchor->shared, __ATOMIC_RELAXED) == NULL)
    return NULL;

  nodes = anchor_dup_nodes_where (anchor, node_is_shared, FALSE);
  if (nodes == NULL)
    return NULL;
  shared = (WkRef *) ((WkRefNode *) g_ptr_array_index (nodes, 0))->owner;
  g_ptr_array_unref (nodes);
  return shared;
}

guint
wk_anchor_count_refs (WkAnchor *anchor)
{
  guint n;

  anchor_lock (anchor);
  n = anchor->n_refs;
  anchor_unlock (anchor);
  return n;
}

gboolean
wk_anchor_add_light (WkAnchor    *anchor,
                     WkLightNode *light)
{
  gboolean linked;

  anchor_lock (anchor);
  linked = !anchor->closed;
  if (linked)
    {
      wk_list_push (&anchor->refs, &light->node.link);
      light->node.linked = TRUE;
    }
  anchor_unlock (anchor);
  return linked;
}

gboolean
wk_anchor_remove_light (WkAnchor       *anchor,
                        gsize           id,
                        gpointer       *user_data,
                        GDestroyNotify *destroy)
{
  WkRefNode *found = NULL;
  gboolean removed = FALSE;
  WkLink *link;

  anchor_lock (anchor);
  for (link = anchor->refs; link != NULL; link = link->next)
    {
      WkRefNode *node = (WkRefNode *) link;

      if (node->owner == NULL && ((WkLightNode *) node)->id == id)
        {
          /* Pending, or claimed by a death that has not called it yet
           * (an earlier callback of the same death removes it): the
           * callback is taken, and a death skips a node without one. */
          removed = node->callback != NULL;
          *user_data = node->user_data;
          *destroy = node->destroy;
          node->callback = NULL;
          node->user_data = NULL;
          node->destroy = NULL;
          if (!node->claimed)
            {
              unlink_locked (anchor, node);
              found = node;
            }
          break;
        }
    }
  anchor_unlock (anchor);
  /* Unclaimed, it is ours now; claimed, the death frees it. */
  g_free (found);
  return removed;
}

WkRef *
wk_anchor_link (WkAnchor  *anchor,
                WkRefNode *node)
{
  for (;;)
    {
      WkRef *winner;

      anchor_lock (anchor);
      if (anchor->closed)
        {
          /* Born dead: the referent's death has already been processed. */
          anchor_unlock (anchor);
          return NULL;
        }
      /* A shared ref that is dying (its final unref has begun) stays
       * listed until its dispose, but ours takes its place. */
      if (!node->shared || anchor->shared == NULL ||
          wk_glib_weak_ref_is_cleared (&anchor->shared->owner_weak))
        break;
      anchor_unlock (anchor);

      /* Another shared ref won the race; it may start to die before we
       * hold it, and then ours becomes the shared one. */
      winner = wk_anchor_dup_shared (anchor);
      if (winner != NULL)
        return winner;
    }

  wk_list_push (&anchor->refs, &node->link);
  node->linked = TRUE;
  if (node->is_ref)
    anchor->n_refs++;
  if (node->shared)
    __atomic_store_n (&anchor->shared, node, __ATOMIC_RELAXED);   /* read without the lock */
  anchor_unlock (anchor);
  return NULL;
}

gboolean
wk_anchor_link_unshared (WkAnchor  *anchor,
                         WkRefNode *node)
{
  gboolean linked;

  g_assert (!node->shared);
  anchor_lock (anchor);
  linked = !anchor->closed;
  if (linked)
    {
      wk_list_push (&anchor->refs, &node->link);
      node->linked = TRUE;
      if (node->is_ref)
        anchor->n_refs++;
    }
  anchor_unlock (anchor);
  return linked;
}


/* From the owner's dispose (and finalize, for subclasses that do not
 * chain up dispose): once the pins are gone, the node leaves the list
 * and loses its callback, whatever the owner's count. Dispose is where
 * the owner's death becomes final for Wk, because it is the last point
 * Wk is sure to see: a pinner (a lookup of the shared ref, a death
 * delivering callbacks) that took a reference meanwhile resurrects the
 * owner, but that reference may be dropped again before GLib looks at
 * the count after dispose, and then the owner is finalized without
 * another dispose. So a node must not stay findable past its owner's
 * dispose: a resurrected owner lives on as a ref that is no longer
 * listed, shared or called back (its destroy notify still runs once,
 * from whoever takes it: a delivery that pinned the node before, or the
 * owner's finalize). */
void
wk_anchor_unlink_disposed (WkAnchor  *anchor,
                           WkRefNode *node)
{
  guint spins = 0;

  anchor_lock (anchor);
  while (node->pins > 0)
    {
      anchor_unlock (anchor);
      wk_spin_pause (&spins);
      anchor_lock (anchor);
    }
  if (node->linked)
    unlink_locked (anchor, node);
  node->callback = NULL;
  anchor_unlock (anchor);
}

/* Unlinks @node whatever its owner's count, once no lookup holds it
 * pinned (so that the owner's reference a lookup took is not the last
 * one when the caller drops its own); FALSE if it was not linked (the
 * referent's death took it). */
gboolean
wk_anchor_unlink (WkAnchor  *anchor,
                  WkRefNode *node)
{
  guint spins = 0;
  gboolean was_linked;

  anchor_lock (anchor);
  while (node->pins > 0)
    {
      anchor_unlock (anchor);
      wk_spin_pause (&spins);
      anchor_lock (anchor);
    }
  was_linked = node->linked;
  if (was_linked)
    unlink_locked (anchor, node);
  anchor_unlock (anchor);
  return was_linked;
}

gboolean
wk_anchor_set_callback (WkAnchor       *anchor,
                        WkRefNode      *node,
                        WkRefCallback   callback,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  gboolean ok;

  anchor_lock (anchor);
  ok = node->linked && !anchor->closed && node->callback == NULL && !node->shared;
  if (ok)
    {
      node->callback = callback;
      node->user_data = user_data;
      node->destroy = destroy;
    }
  anchor_unlock (anchor);
  return ok;
}

/* Takes the callback away from @node (so that it runs at most once) and
 * returns it; the caller runs it and its destroy notify. */
WkRefCallback
wk_anchor_take_callback (WkAnchor       *anchor,
                         WkRefNode      *node,
                         gpointer       *user_data,
                         GDestroyNotify *destroy)
{
  WkRefCallback callback;

  anchor_lock (anchor);
  callback = node->callback;
  *user_data = node->user_data;
  *destroy = node->destroy;
  node->callback = NULL;
  node->user_data = NULL;
  node->destroy = NULL;
  anchor_unlock (anchor);
  return callback;
}

/* Fails (FALSE) when the referent's death has already been processed. */
gboolean
wk_anchor_watch (WkAnchor    *anchor,
                 WkWatch     *watch,
                 WkWatchFunc  func)
{
  gboolean ok;

  watch->func = func;
  anchor_lock (anchor);
  ok = !anchor->closed;
  if (ok)
    {
      wk_list_push (&anchor->watches, &watch->link);
      watch->linked = TRUE;
    }
  anchor_unlock (anchor);
  return ok;
}

/* TRUE: the watch was taken out and will not fire. FALSE: it fires, or
 * has fired, or was never in. */
gboolean
wk_anchor_unwatch (WkAnchor *anchor,
                   WkWatch  *watch)
{
  gboolean was_linked;

  anchor_lock (anchor);
  was_linked = watch->linked;
  if (was_linked)
    {
      wk_list_remove (&anchor->watches, &watch->link);
      watch->linked = FALSE;
    }
  anchor_unlock (anchor);
  return was_linked;
}

void
wk_anchor_detach (WkAnchor *anchor,
                  GObject  *object)
{
  if (anchor->is_wk_object)
    {
      WkAnchor *expected = anchor;

      __atomic_compare_exchange_n (_wk_object_anchor_slot (WK_OBJECT (object)),
                                   &expected, NULL, FALSE,
                                   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
  else
    g_object_replace_qdata (object, wk_anchor_quark (), anchor, NULL, NULL, NULL);
}

GPtrArray *
wk_anchor_close (WkAnchor *anchor)
{
  return anchor_dup_nodes_where (anchor, node_has_callback, TRUE);
}

/* Takes every watch off the (closed) anchor, split into the early and
 * the late ones, each list newest first and linked through next only. */
void
wk_anchor_take_watches (WkAnchor  *anchor,
                        WkLink   **early,
                        WkLink   **late)
{
  WkLink *link, *next;

  *early = *late = NULL;
  anchor_lock (anchor);
  link = anchor->watches;
  anchor->watches = NULL;
  for (; link != NULL; link = next)
    {
      WkWatch *watch = (WkWatch *) link;
      WkLink **list = watch->late ? late : early;

      next = link->next;
      watch->linked = FALSE;
      link->prev = NULL;
      link->next = *list;
      *list = link;
    }
  anchor_unlock (anchor);
  *early = wk_list_reverse (*early);
  *late = wk_list_reverse (*late);
}

/* For a collection, before wk_anchor_kill(): the refs to this (garbage)
 * object that are garbage themselves, all of whose strong references
 * are the ones @visits counted from garbage objects (a table of owner to
 * count), lose their callbacks, as CPython does not call the callback of
 * a weak reference that is part of the garbage. Their destroy notifies
 * still run, when they are freed. A ref that a lookup is taking (pinned)
 * keeps its callback. */
void
wk_anchor_gc_drop_garbage_callbacks (WkAnchor   *anchor,
                                     GHashTable *visits)
{
  WkRefNode *node;

  anchor_lock (anchor);
  for (node = (WkRefNode *) anchor->refs; node != NULL; node = (WkRefNode *) node->link.next)
    {
      guint n;

      if (!node->is_ref || node->callback == NULL || node->pins > 0)
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (visits, node->owner));
      if (n > 0 && (guint) __atomic_load_n (&node->owner->ref_count, __ATOMIC_ACQUIRE) == n)
        node->callback = NULL;
    }
  anchor_unlock (anchor);
}

/* A reader found the anchor of an object that a collection is deciding
 * about: wait, without a hazard slot (the collector waits for those),
 * until it is decided. TRUE if the object lives on. */
static gboolean
wait_for_gc (WkAnchor *anchor,
             WkHazard *hazard)
{
  guint spins = 0;
  gboolean alive;

  if (!anchor_try_ref (anchor))
    {
      wk_hazard_clear (hazard);
      return FALSE;
    }
  wk_hazard_clear (hazard);
  while (__atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_GC_PENDING)
    wk_spin_pause (&spins);
  alive = __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_ALIVE;
  if (alive)
    wk_hazard_publish (hazard, anchor);
  wk_anchor_unref (anchor);
  return alive;
}

/* The count-1 read when a binding's interpreter lock must be taken first
 * (wk-binding.c): no hazard slot may be held while waiting for it, so a
 * reference on the anchor keeps it. */
static gpointer
get_count_1_binding_locked (WkAnchor *anchor,
                            WkHazard *hazard)
{
  GObject *object;

  if (!anchor_try_ref (anchor))
    {
      wk_hazard_clear (hazard);
      return NULL;
    }
  wk_hazard_clear (hazard);
  object = wk_glib_weak_ref_get (&anchor->gweak, TRUE);
  if (object != NULL &&
      __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) != WK_ANCHOR_ALIVE)
    g_clear_object (&object);
  wk_anchor_unref (anchor);
  return object;
}

gpointer
_wk_anchor_get_slow (WkAnchor *anchor,
                     WkHazard *hazard)
{
  GObject *object;
  gboolean alive;

  for (;;)
    {
      gint count;

      if (__atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_GC_PENDING)
        {
          if (!wait_for_gc (anchor, hazard))
            return NULL;
          continue;
        }
      if (!_wk_anchor_state_alive (anchor))
        {
          wk_hazard_clear (hazard);
          return NULL;
        }

      object = anchor->object;
      count = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_RELAXED);
      if (count == 1)
        break;
      if (count <= 0)
        {
          wk_hazard_clear (hazard);
          return NULL;
        }
      if (__atomic_compare_exchange_n ((gint *) &object->ref_count, &count, count + 1,
                                       FALSE, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        return _wk_anchor_check_got (anchor, object, hazard);
    }

  /* Count 1: the owner may be inside its final g_object_unref(), which
   * GLib decides with a plain read of the count; only GLib's own lock,
   * taken by g_weak_ref_get(), orders us with it (wk-glib-private.h,
   * fact 1). */
  if (G_UNLIKELY (_wk_binding_lock_needed ()))
    return get_count_1_binding_locked (anchor, hazard);

  /* The hazard slot stays published across g_weak_ref_get(), and nobody
   * waits for it meanwhile: what waits for a slot is the death of this
   * very object (kill) or the anchor's free, which comes after that
   * death, and a g_weak_ref_get() racing the death returns NULL without
   * calling anyone. Toggle notifies run inside it only when it returns
   * the object, and Wk's own wait for wk_glib_defer_end(), after the
   * slot is clear. */
  wk_glib_defer_begin ();
  object = g_weak_ref_get (&anchor->gweak);
  /* After g_object_run_dispose(), our death handler runs before GLib
   * clears the GWeakRef. */
  alive = object == NULL ||
          __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_ALIVE;
  wk_hazard_clear (hazard);
  wk_glib_defer_end ();
  if (G_UNLIKELY (!alive))
    g_clear_object (&object);
  return object;
}
