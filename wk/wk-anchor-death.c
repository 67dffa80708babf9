/* wk-anchor-death.c: the death of a referent, for its weak references
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The death of a referent runs in _wk_anchor_object_died(): the
 * GWeakNotify that GLib calls from GObject's dispose, or for a WkObject,
 * which registers nothing with GLib for its death, from WkObject's own
 * dispose (wk_anchor_object_disposed()):
 *
 *  1. the state becomes DEAD (weak references already read NULL since
 *     GLib cleared the anchor's GWeakRef, before dispose began);
 *  2. wk_hazard_wait() lets readers still inside wk_anchor_get() leave,
 *     after which nobody touches the object through the anchor;
 *  3. the anchor is detached from the object and closed, and the refs
 *     that have callbacks are taken, with a strong reference each;
 *  4. the early watches (Wk's tables) fire, then the callbacks run newest
 *     first, each once, then the late watches (registries), and the
 *     anchor drops the object's reference on itself.
 *
 * A collection runs the same four steps for all of its garbage at once
 * (wk-gc-collect.c), so that every weak reference to every garbage object
 * reads NULL before any callback runs.
 */

#include "config.h"

#include "wk-anchor-death-private.h"
#include "wk-finalizer.h"
#include "wk-object-private.h"

static void
fire_watches (WkLink *link)
{
  while (link != NULL)
    {
      /* The owner may free the watch once func runs: read next first. */
      WkLink *next = link->next;

      ((WkWatch *) link)->func ((WkWatch *) link);
      link = next;
    }
}

void
wk_anchor_kill (WkAnchor      *anchor,
                GObject       *object,
                WkAnchorDeath *death)
{
  __atomic_store_n (&anchor->state, WK_ANCHOR_DEAD, __ATOMIC_SEQ_CST);
  wk_hazard_wait (anchor);

  /* The anchor stays the object's until the deliveries are done, so that
   * a weak reference made meanwhile (by a callback, in any thread) finds
   * it dead and is born dead; wk_anchor_deliver_late() detaches it. */
  death->object = object;

  /* Close the anchor (no ref or watch can join it from now on) while
   * taking the refs to call back. */
  death->anchor = anchor;
  death->nodes = wk_anchor_close (anchor);
  wk_anchor_take_watches (anchor, &death->early, &death->late);

  /* GLib cleared it before dispose in the final unref; after
   * g_object_run_dispose() or for a collection it would only do so
   * later. */
  if (!wk_glib_weak_ref_is_cleared (&anchor->gweak))
    g_weak_ref_clear (&anchor->gweak);
}

void
wk_anchor_deliver_watches (WkAnchorDeath *death)
{
  fire_watches (death->early);
  death->early = NULL;
}

void
wk_anchor_deliver_callbacks (WkAnchorDeath *death)
{
  GPtrArray *nodes = g_steal_pointer (&death->nodes);
  guint i;

  for (i = 0; nodes != NULL && i < nodes->len; i++)
    {
      WkRefNode *node = g_ptr_array_index (nodes, i);
      GObject *owner = node->owner;
      gpointer user_data;
      GDestroyNotify destroy;
      WkRefCallback callback = wk_anchor_take_callback (death->anchor, node, &user_data, &destroy);

      if (owner == NULL)
        {
          /* A light finalizer: claimed, so only we take it out; without
           * a callback if an earlier callback removed it. */
          wk_anchor_unlink (death->anchor, node);
          if (callback != NULL)
            ((WkFinalizeFunc) (void (*) (void)) callback) (user_data);
          if (destroy != NULL)
            destroy (user_data);
          g_free (node);
          continue;
        }
      if (callback != NULL)
        callback ((WkRef *) owner, user_data);
      if (destroy != NULL)
        destroy (user_data);
      g_object_unref (owner);
    }
  g_clear_pointer (&nodes, g_ptr_array_unref);
}

void
wk_anchor_deliver_late (WkAnchorDeath *death)
{
  fire_watches (death->late);
  death->late = NULL;
  /* From now on new weak references to this object (if it lives on after
   * g_object_run_dispose(), or resurrected after a collection) get a
   * fresh anchor. */
  wk_anchor_detach (death->anchor, death->object);
  /* The object's reference. */
  wk_anchor_unref (death->anchor);
}

void
_wk_anchor_object_died (gpointer  data,
                        GObject  *where_the_object_was)
{
  WkAnchorDeath death;

  wk_anchor_kill (data, where_the_object_was, &death);
  /* Wk's tables drop their entries for this object before any user
   * callback runs. */
  wk_anchor_deliver_watches (&death);
  wk_anchor_deliver_callbacks (&death);
  wk_anchor_deliver_late (&death);
}

gboolean
wk_anchor_gc_mark (WkAnchor *anchor)
{
  gint expected = WK_ANCHOR_ALIVE;

  return __atomic_compare_exchange_n (&anchor->state, &expected, WK_ANCHOR_GC_PENDING, FALSE,
                                      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void
wk_anchor_gc_unmark (WkAnchor *anchor)
{
  gint expected = WK_ANCHOR_GC_PENDING;

  /* Only if nothing killed it meanwhile (the object's own death). */
  __atomic_compare_exchange_n (&anchor->state, &expected, WK_ANCHOR_ALIVE, FALSE,
                               __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void
wk_anchor_object_disposed (GObject *object)
{
  /* Whoever takes the anchor out of the slot processes its death: this
   * dispose, or a collection that found the object garbage
   * (wk_anchor_gc_disown()), never both. */
  WkAnchor *anchor = __atomic_exchange_n (_wk_object_anchor_slot (WK_OBJECT (object)), NULL,
                                          __ATOMIC_ACQ_REL);

  if (anchor != NULL)
    _wk_anchor_object_died (anchor, object);
}

gboolean
wk_anchor_gc_disown (WkAnchor *anchor,
                     GObject  *object)
{
  if (anchor->is_wk_object)
    {
      WkAnchor *expected = anchor;

      /* FALSE: the object's own dispose took it first, and processes the
       * death itself. */
      return __atomic_compare_exchange_n (_wk_object_anchor_slot (WK_OBJECT (object)),
                                          &expected, NULL, FALSE,
                                          __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
  /* The collection processes this death; the object's own death later
   * must not do it again. */
  g_object_weak_unref (object, _wk_anchor_object_died, anchor);
  return TRUE;
}
