/* wk-anchor.c: the per-object side data behind every Wk weak reference
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-anchor-private.h for the model. The death of a referent runs in
 * anchor_object_died(), the GWeakNotify that GLib calls from dispose:
 *
 *  1. the state becomes DEAD (weak references already read NULL since
 *     GLib cleared the anchor's GWeakRef, before dispose began);
 *  2. wk_hazard_wait() lets readers still inside wk_anchor_get() leave,
 *     after which nobody touches the object through the anchor;
 *  3. the anchor is detached from the object and closed, and the refs
 *     that have callbacks are taken, with a strong reference each;
 *  4. their callbacks run newest first, each once, then the anchor drops
 *     the object's reference on itself.
 *
 * No lock is held while user code runs. The anchor's bit lock protects
 * its list of refs and is only ever held for a few instructions.
 */

#include "config.h"

#include "wk-anchor-private.h"
#include "wk-object-private.h"
#include "wk-ref-private.h"

/* GLib keeps "has a toggle reference" as flag 0x1 of the object's qdata
 * pointer (OBJECT_HAS_TOGGLE_REF_FLAG, unchanged from 2.8 to 2.86). */
#define WK_GLIB_TOGGLE_FLAG 0x1

static GQuark
wk_anchor_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wk-anchor");
  return quark;
}

static void
backoff (guint *spins)
{
  if (++*spins < 64)
    {
#if defined (__x86_64__) || defined (__i386__)
      __builtin_ia32_pause ();
#endif
    }
  else
    g_thread_yield ();
}

/* A one-word spin lock rather than g_bit_lock(): the critical sections
 * are a few instructions, no user code runs inside them, and thread
 * sanitizers see the atomics (GLib's own locks are invisible to them when
 * GLib is not instrumented). */
static inline void
anchor_lock (WkAnchor *anchor)
{
  guint spins = 0;

  while (__atomic_exchange_n (&anchor->lock, 1, __ATOMIC_ACQUIRE) != 0)
    do
      backoff (&spins);
    while (__atomic_load_n (&anchor->lock, __ATOMIC_RELAXED) != 0);
}

static inline void
anchor_unlock (WkAnchor *anchor)
{
  __atomic_store_n (&anchor->lock, 0, __ATOMIC_RELEASE);
}

/* The two intrusive lists: push at the head (newest first), remove in
 * O(1). The anchor's lock is held. */
static void
link_push (WkLink **head,
           WkLink  *link)
{
  link->prev = NULL;
  link->next = *head;
  if (*head != NULL)
    (*head)->prev = link;
  *head = link;
}

static void
link_remove (WkLink **head,
             WkLink  *link)
{
  if (link->prev != NULL)
    link->prev->next = link->next;
  else
    *head = link->next;
  if (link->next != NULL)
    link->next->prev = link->prev;
  link->prev = link->next = NULL;
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

static void anchor_object_died (gpointer  data,
                                GObject  *where_the_object_was);

static WkAnchor *
anchor_new (GObject  *object,
            gboolean  is_wk_object)
{
  WkAnchor *anchor = g_new0 (WkAnchor, 1);

  anchor->ref_count = 2;   /* the object's and the caller's */
  anchor->object = object;
  anchor->is_wk_object = is_wk_object;
  g_weak_ref_init (&anchor->gweak, object);
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
   * only while the object's reference on it is held: a plain increment. */
  return data ? wk_anchor_ref (data) : NULL;
}

WkAnchor *
wk_anchor_lookup (GObject *object)
{
  if (WK_IS_OBJECT (object))
    return dup_from_slot (_wk_object_anchor_slot (WK_OBJECT (object)));
  return g_object_dup_qdata (object, wk_anchor_quark (), dup_qdata_anchor, NULL);
}

WkAnchor *
wk_anchor_obtain (GObject *object)
{
  for (;;)
    {
      WkAnchor *anchor = wk_anchor_lookup (object);
      gboolean installed;

      if (anchor != NULL)
        return anchor;

      if (WK_IS_OBJECT (object))
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
          g_object_weak_ref (object, anchor_object_died, anchor);
          return anchor;
        }
      anchor_discard (anchor);
    }
}

/* An owner's dispose waits for its node's pins, so a g_object_ref() of a
 * pinned node's owner, made outside the lock, always reaches an object
 * that has not finished its dispose: if it was in its final unref, the
 * reference resurrects it before dispose decides anything. */
static inline gboolean
pin_locked (WkRefNode *node)
{
  if (__atomic_load_n ((gint *) &node->owner->ref_count, __ATOMIC_SEQ_CST) <= 0)
    return FALSE;
  node->pins++;
  return TRUE;
}

/* Takes a strong reference to the owner of each pinned node, then unpins
 * them; the nodes stay valid while their owners are held. */
static void
ref_and_unpin (WkAnchor   *anchor,
               WkRefNode **nodes,
               guint       n)
{
  guint i;

  for (i = 0; i < n; i++)
    g_object_ref (nodes[i]->owner);
  anchor_lock (anchor);
  for (i = 0; i < n; i++)
    nodes[i]->pins--;
  anchor_unlock (anchor);
}

/* The nodes for which @want returns TRUE, newest first, each with a
 * strong reference held on its owner; NULL when there are none. With
 * @close, no callback will be set or linked after this. */
static GPtrArray *
anchor_dup_nodes_where (WkAnchor *anchor,
                        gboolean (*want) (WkRefNode *node),
                        gboolean  close)
{
  GPtrArray *nodes = NULL;
  WkRefNode *node;

  anchor_lock (anchor);
  for (node = (WkRefNode *) anchor->refs; node != NULL; node = (WkRefNode *) node->link.next)
    if (want (node) && pin_locked (node))
      {
        if (nodes == NULL)
          nodes = g_ptr_array_sized_new (anchor->n_refs + 1);
        g_ptr_array_add (nodes, node);
      }
  if (close)
    anchor->closed = TRUE;
  anchor_unlock (anchor);

  if (nodes != NULL)
    ref_and_unpin (anchor, (WkRefNode **) nodes->pdata, nodes->len);
  return nodes;
}

static gboolean
node_has_callback (WkRefNode *node)
{
  return node->callback != NULL;
}

static gboolean
node_is_ref (WkRefNode *node)
{
  return node->is_ref;
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
  WkRefNode *node;
  gpointer shared;

  anchor_lock (anchor);
  node = anchor->shared;
  if (node != NULL && !pin_locked (node))
    node = NULL;
  anchor_unlock (anchor);
  if (node == NULL)
    return NULL;

  ref_and_unpin (anchor, &node, 1);
  shared = node->owner;
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
      if (!node->shared || anchor->shared == NULL)
        break;
      anchor_unlock (anchor);

      /* Another shared ref won the race; it may vanish before we pin it,
       * in which case ours becomes the shared one. */
      winner = wk_anchor_dup_shared (anchor);
      if (winner != NULL)
        return winner;
    }

  link_push (&anchor->refs, &node->link);
  node->linked = TRUE;
  if (node->is_ref)
    anchor->n_refs++;
  if (node->shared)
    anchor->shared = node;
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
      link_push (&anchor->refs, &node->link);
      node->linked = TRUE;
      if (node->is_ref)
        anchor->n_refs++;
    }
  anchor_unlock (anchor);
  return linked;
}

static void
unlink_locked (WkAnchor  *anchor,
               WkRefNode *node)
{
  link_remove (&anchor->refs, &node->link);
  node->linked = FALSE;
  if (node->is_ref)
    anchor->n_refs--;
  if (anchor->shared == node)
    anchor->shared = NULL;
}

/* From the ref's dispose (and finalize, for subclasses that do not chain
 * up dispose). Unlinks only when the ref is really going away: if a
 * lookup pinned it and took a reference meanwhile, it stays. */
void
wk_anchor_unlink_disposed (WkAnchor  *anchor,
                           WkRefNode *node)
{
  guint spins = 0;

  anchor_lock (anchor);
  while (node->pins > 0)
    {
      anchor_unlock (anchor);
      backoff (&spins);
      anchor_lock (anchor);
    }
  if (node->linked &&
      __atomic_load_n ((gint *) &node->owner->ref_count, __ATOMIC_SEQ_CST) <= 1)
    unlink_locked (anchor, node);
  anchor_unlock (anchor);
}

gboolean
wk_anchor_unlink (WkAnchor  *anchor,
                  WkRefNode *node)
{
  gboolean was_linked;

  anchor_lock (anchor);
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
      link_push (&anchor->watches, &watch->link);
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
      link_remove (&anchor->watches, &watch->link);
      watch->linked = FALSE;
    }
  anchor_unlock (anchor);
  return was_linked;
}

/* Reverses a singly used (next only) list. */
static WkLink *
link_reverse (WkLink *link)
{
  WkLink *reversed = NULL;

  while (link != NULL)
    {
      WkLink *next = link->next;

      link->next = reversed;
      reversed = link;
      link = next;
    }
  return reversed;
}

/* Takes every watch off the (closed) anchor, split into the early and
 * the late ones, each list newest first and linked through next only. */
static void
take_watches (WkAnchor  *anchor,
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
  *early = link_reverse (*early);
  *late = link_reverse (*late);
}

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

  /* From now on new weak references to this object (if it lives on after
   * g_object_run_dispose(), or resurrected after a collection) get a
   * fresh anchor. */
  if (anchor->is_wk_object)
    {
      WkAnchor *expected = anchor;

      __atomic_compare_exchange_n (_wk_object_anchor_slot (WK_OBJECT (object)),
                                   &expected, NULL, FALSE,
                                   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
  else
    g_object_replace_qdata (object, wk_anchor_quark (), anchor, NULL, NULL, NULL);

  /* Close the anchor (no ref or watch can join it from now on) while
   * taking the refs to call back. */
  death->anchor = anchor;
  death->nodes = anchor_dup_nodes_where (anchor, node_has_callback, TRUE);
  take_watches (anchor, &death->early, &death->late);

  /* GLib cleared it before dispose in the final unref; after
   * g_object_run_dispose() or for a collection it would only do so
   * later. */
  if (!_wk_gweak_cleared (&anchor->gweak))
    g_weak_ref_clear (&anchor->gweak);
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
  /* The object's reference. */
  wk_anchor_unref (death->anchor);
}

static void
anchor_object_died (gpointer  data,
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
  __atomic_store_n (&anchor->state, WK_ANCHOR_ALIVE, __ATOMIC_SEQ_CST);
}

void
wk_anchor_gc_disown (WkAnchor *anchor,
                     GObject  *object)
{
  /* The collection processes this death; the object's own death later
   * must not do it again. */
  g_object_weak_unref (object, anchor_object_died, anchor);
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
    backoff (&spins);
  alive = __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_ALIVE;
  if (alive)
    wk_hazard_publish (hazard, anchor);
  wk_anchor_unref (anchor);
  return alive;
}

gpointer
_wk_anchor_get_slow (WkAnchor *anchor,
                     WkHazard *hazard,
                     gboolean  anchor_held)
{
  GObject *object;

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
   * taken by g_weak_ref_get(), orders us with it. That call may run a
   * toggle notify, so no hazard slot is held across it, and it is user
   * code that may drop whatever held the anchor for the caller (even
   * when @anchor_held): our own reference keeps it. */
  if (!anchor_try_ref (anchor))
    {
      wk_hazard_clear (hazard);
      return NULL;
    }
  wk_hazard_clear (hazard);
  object = g_weak_ref_get (&anchor->gweak);
  /* After g_object_run_dispose(), our death handler runs before GLib
   * clears the GWeakRef. */
  if (object != NULL &&
      __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) != WK_ANCHOR_ALIVE)
    g_clear_object (&object);
  wk_anchor_unref (anchor);
  return object;
}
