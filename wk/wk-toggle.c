/* wk-toggle.c: toggle references with any number of holders
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * wk_object_add_toggle_ref: (skip)
 * @object: (type GObject.Object): any GObject
 * @notify: told when the references other than toggle references come
 *   and go
 * @data: data for @notify
 *
 * Adds a toggle reference to @object, as g_object_add_toggle_ref() does,
 * except that any number of holders may have one at the same time and
 * each of them is told: @notify gets `is_last_ref` %TRUE when the only
 * references left are toggle references, and %FALSE when another
 * reference appears. GLib notifies nobody once two toggle references
 * exist, so an object shared by two runtimes (two language bindings, or a
 * binding and a C plugin) that both use GLib's toggle references can
 * never be released.
 *
 * Use it as GLib's: take a toggle reference while you hold a normal one,
 * then drop the normal one; [func@Wk.Object.remove_toggle_ref] gives the
 * toggle reference back. The holders share one reference on @object:
 * Wk holds one GLib toggle reference for all of them while there is at
 * least one, so "only toggle references left" means a count of one.
 *
 * ## Threads
 *
 * References may come and go in any thread. The holders are told the
 * state that follows each change, one notification at a time and in the
 * order of the changes: consecutive notifications always alternate, and
 * the last one matches the count once the changes stop. A change that is
 * undone before it could be told (a reference taken and dropped in
 * another thread meanwhile) may be told as nothing at all. The
 * notification may run in the thread that made the change or in one that
 * was telling the holders about an earlier change at the time; no Wk
 * lock is held while it runs, so it may add and remove toggle references.
 * Once remove_toggle_ref() has returned in one thread, that holder is not
 * told anything more: if that holder's notify runs in another thread at
 * the time, remove_toggle_ref() waits for it to return (so a notify must
 * not wait for a thread that removes its own holder), and for nothing
 * else. Any holder may remove the last toggle reference while other
 * threads still drop references to @object: Wk gives its reference back
 * only once GLib's calls about those drops have all arrived, so @object
 * may be finalized a moment later, in the thread that dropped its last
 * other reference (see [Toggle references](toggle-refs.html)).
 *
 * ## With GLib's own toggle references
 *
 * A binding that calls g_object_add_toggle_ref() itself (PyGObject for a
 * wrapper with Python state, GJS for every JS object) adds a second GLib
 * toggle reference next to Wk's, and then GLib notifies neither: Wk's
 * holders are told nothing until the binding's toggle reference is gone,
 * and both the binding's reference and Wk's behave as plain strong
 * references meanwhile. Bindings and plugins break a cross-runtime cycle
 * only when all of them use this function instead of GLib's.
 */

/**
 * wk_object_add_toggle_ref_full: (rename-to wk_object_add_toggle_ref)
 * @object: (type GObject.Object): any GObject
 * @notify: (scope notified) (closure data) (destroy destroy): told when
 *   the references other than toggle references come and go
 * @data: data for @notify
 * @destroy: (nullable): frees @data once the toggle reference is removed
 *
 * Adds a toggle reference as [func@Wk.Object.add_toggle_ref] does, and
 * returns an id that [func@Wk.Object.remove_toggle_ref_by_id] takes to
 * remove it: the form for bindings, which cannot hand the same @notify
 * and @data to a second call.
 *
 * Returns: the id of the toggle reference, never 0 (0 on bad input)
 */

/**
 * wk_object_remove_toggle_ref_by_id: (rename-to wk_object_remove_toggle_ref)
 * @object: (type GObject.Object): an object with a toggle reference from
 *   [func@Wk.Object.add_toggle_ref_full]
 * @id: the id it returned
 *
 * Removes a toggle reference by the id that
 * [func@Wk.Object.add_toggle_ref_full] returned, then calls its destroy
 * notify. When it was the last one, Wk gives its reference on @object
 * back, which may finalize @object.
 *
 * Returns: %TRUE if there was such a toggle reference
 */

/**
 * wk_object_remove_toggle_ref: (skip)
 * @object: (type GObject.Object): an object with a toggle reference from
 *   [func@Wk.Object.add_toggle_ref]
 * @notify: the notify given to add_toggle_ref()
 * @data: the data given to add_toggle_ref()
 *
 * Removes a toggle reference added with [func@Wk.Object.add_toggle_ref]
 * (the oldest one with this @notify and @data). When it was the last one,
 * Wk gives its reference on @object back, which may finalize @object.
 */

#include "config.h"

#include <pthread.h>

#include "wk-toggle.h"
#include "wk-glib-private.h"

/* One toggle reference. The struct lives while the set or a delivery
 * holds it (@ref_count); the user's @data until @destroy runs, once,
 * when the holder is removed and no notify of it runs. */
typedef struct
{
  gint            ref_count;   /* (atomic) */
  guint           id;
  WkToggleNotify  notify;
  gpointer        data;
  GDestroyNotify  destroy;
  /* Under the set's lock: */
  gboolean        removed;
  gboolean        destroy_on_return;   /* removed by its own notify */
  GThread        *calling;             /* the thread running its notify */
} Holder;

static guint last_id;   /* (atomic) */

/* The holders of one object, in its qdata until it is finalized.
 *
 * A g_object_unref() from 2 to 1 in one thread decides to call Wk's
 * toggle notify (2.80 and later read the notify and its data under the
 * object's lock, before the decrement; 2.74 reads them after it) and
 * calls it after the decrement. Wk gives its toggle reference back only
 * once such calls have all arrived (toggle_release()), so the object is
 * not finalized under one. As a second line, should a call still come
 * late (an object unreffed once too often, a rule broken elsewhere),
 * sets are type-stable: never returned to the allocator, their lock and
 * condition initialized once and never destroyed, the set of a finalized
 * object kept on a free list for another object. Each set says, under
 * its lock, which object it serves (@object); a call for another object
 * is stale and touches nothing else. A call for an object that died and
 * whose address and set both went to a new object is taken for one of the
 * new object's own: it reads the new count (under Wk's toggle reference)
 * and tells the holders only what is true, so it is at most a spurious
 * delivery (see toggle_deliver()).
 *
 * Invariants, under @lock: @holders is non-empty only with @has_toggle
 * (holders are added with Wk's toggle reference, which is given back only
 * once they are all gone); @has_toggle means that Wk's one GLib toggle
 * reference is held, which keeps @object alive; @releasing means that a
 * thread took the last holder and decides whether to give that reference
 * back, and nobody else gives it back meanwhile; a holder whose notify
 * runs (@calling) stays in @holders until it returns, unless it removes
 * itself, so the object lives through every notify of a holder that has
 * not removed itself. */
typedef struct _ToggleSet ToggleSet;

struct _ToggleSet
{
  pthread_mutex_t  lock;        /* never destroyed: stale calls take it */
  pthread_cond_t   returned;    /* a notify returned; never destroyed */
  GObject         *object;      /* the object served, NULL while free */
  guint            users;       /* the qdata's, and each running delivery's */
  GPtrArray       *holders;     /* Holder, oldest first; kept while free */
  gboolean         has_toggle;  /* Wk's GLib toggle reference is held */
  gboolean         releasing;   /* a remove may give it back */
  gboolean         last;        /* the state the holders were told last */
  gboolean         dirty;       /* GLib notified since the count was read */
  guint            n_true;      /* GLib's calls since has_toggle, by */
  guint            n_false;     /* is_last_ref (see toggle_release()) */
  gboolean         release_wanted; /* no holders: give Wk's reference back
                                    * once GLib's calls are all in */
  GThread         *delivering;  /* the thread telling the holders, or NULL */
  ToggleSet       *next_free;   /* (under free_sets_lock) */
};

/* The sets that no object uses, oldest first. First in, first out: GLib
 * gives a new object the memory of the one finalized last, and that one's
 * set goes to the back, so that a late call seldom finds both its object's
 * address and its set reused together. */
static pthread_mutex_t free_sets_lock = PTHREAD_MUTEX_INITIALIZER;
static ToggleSet *free_sets;        /* (under free_sets_lock) */
static ToggleSet *free_sets_last;   /* (under free_sets_lock) */

static Holder *
holder_ref (Holder *holder)
{
  __atomic_fetch_add (&holder->ref_count, 1, __ATOMIC_RELAXED);
  return holder;
}

static void
holder_unref (gpointer data)
{
  Holder *holder = data;

  if (__atomic_sub_fetch (&holder->ref_count, 1, __ATOMIC_ACQ_REL) == 0)
    g_free (holder);
}

static void
holder_destroy (Holder *holder)
{
  if (holder->destroy != NULL)
    holder->destroy (holder->data);
}

static GQuark
toggle_set_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wk-toggle-set");
  return quark;
}

/* A set for @object (users 1: the qdata's), from the free list or new. */
static ToggleSet *
toggle_set_take (GObject *object)
{
  ToggleSet *set;

  pthread_mutex_lock (&free_sets_lock);
  set = free_sets;
  if (set != NULL)
    {
      free_sets = set->next_free;
      if (free_sets == NULL)
        free_sets_last = NULL;
    }
  pthread_mutex_unlock (&free_sets_lock);

  if (set == NULL)
    {
      set = g_new0 (ToggleSet, 1);
      pthread_mutex_init (&set->lock, NULL);
      pthread_cond_init (&set->returned, NULL);
      set->holders = g_ptr_array_new_with_free_func (holder_unref);
    }

  /* A stale call may hold the lock a moment; after this, it sees @object. */
  pthread_mutex_lock (&set->lock);
  g_assert (set->object == NULL && set->users == 0 && set->delivering == NULL);
  set->object = object;
  set->users = 1;
  set->has_toggle = FALSE;
  set->releasing = FALSE;
  set->last = FALSE;
  set->dirty = FALSE;
  set->n_true = set->n_false = 0;
  set->release_wanted = FALSE;
  pthread_mutex_unlock (&set->lock);
  return set;
}

/* The last user let go: the set may serve another object. */
static void
toggle_set_put (ToggleSet *set)
{
  pthread_mutex_lock (&free_sets_lock);
  set->next_free = NULL;
  if (free_sets_last != NULL)
    free_sets_last->next_free = set;
  else
    free_sets = set;
  free_sets_last = set;
  pthread_mutex_unlock (&free_sets_lock);
}

/* The qdata's destroy notify: the object is being finalized (or lost the
 * race to publish its first set). From here on, every call for it is
 * stale; the set goes to the free list once no delivery runs on it. */
static void
toggle_set_detach (gpointer data)
{
  ToggleSet *set = data;
  GPtrArray *left = NULL;
  gboolean free_it;
  guint i;

  pthread_mutex_lock (&set->lock);
  set->object = NULL;
  /* Holders keep Wk's toggle reference, and that keeps the object: none
   * is left unless the object was unreffed once too often. */
  if (G_UNLIKELY (set->holders->len > 0))
    {
      left = g_ptr_array_new_with_free_func (holder_unref);
      for (i = 0; i < set->holders->len; i++)
        {
          Holder *holder = g_ptr_array_index (set->holders, i);

          holder->removed = TRUE;
          g_ptr_array_add (left, holder);
        }
      g_ptr_array_set_free_func (set->holders, NULL);
      g_ptr_array_set_size (set->holders, 0);
      g_ptr_array_set_free_func (set->holders, holder_unref);
    }
  set->has_toggle = FALSE;
  free_it = --set->users == 0;
  pthread_mutex_unlock (&set->lock);

  if (left != NULL)
    {
      for (i = 0; i < left->len; i++)
        holder_destroy (g_ptr_array_index (left, i));
      g_ptr_array_unref (left);
    }
  if (free_it)
    toggle_set_put (set);
}

static ToggleSet *
toggle_set_obtain (GObject *object)
{
  for (;;)
    {
      ToggleSet *set = g_object_get_qdata (object, toggle_set_quark ());

      if (set != NULL)
        return set;

      /* @object is set before the set is published: GLib never calls
       * with a set that does not know its object yet. */
      set = toggle_set_take (object);
      if (g_object_replace_qdata (object, toggle_set_quark (), NULL, set,
                                  toggle_set_detach, NULL))
        return set;
      toggle_set_detach (set);
    }
}

/* GLib's toggle notify for Wk's one toggle reference. GLib calls it after
 * the count has changed and without a lock, so two calls may arrive in
 * any order: the count, read here under the set's lock, says what the
 * state is, and one thread at a time tells the holders.
 *
 * The call may be late: the object it names may be finalized and its set
 * free, or serving another object (see ToggleSet). Nothing is touched
 * then but the set's lock and @object field. If a new object was made at
 * the same address and took the same set, the call cannot be told from
 * one of its own: it runs as a delivery for the new object, which reads
 * that object's count and tells its holders the state that the count
 * says if they were told otherwise last, exactly what the new object's
 * own call for that change does (that call then finds nothing to tell).
 * So a holder hears nothing false, and alternation holds.
 *
 * A holder's notify may remove toggle references, the last one included,
 * which gives Wk's reference on the object back and may finalize it: the
 * delivery keeps the set (@users) and its holders' structs (their refs),
 * and reads the object's count only while Wk's toggle reference
 * (has_toggle, under the set's lock) keeps the object. */
static void
toggle_deliver (gpointer  data,
                GObject  *object)
{
  ToggleSet *set = data;
  GThread *self = g_thread_self ();
  gboolean free_it;

  pthread_mutex_lock (&set->lock);
  if (set->object != object)
    {
      /* Stale: the object is gone, and the set free or someone else's. */
      pthread_mutex_unlock (&set->lock);
      return;
    }
  set->dirty = TRUE;
  if (set->delivering != NULL)
    {
      /* That thread reads the count again before it stops. */
      pthread_mutex_unlock (&set->lock);
      return;
    }
  set->delivering = self;
  /* While the set serves @object its qdata is a user: never from 0. */
  set->users++;

  while (set->dirty)
    {
      gboolean last;
      GPtrArray *holders;
      guint i;

      set->dirty = FALSE;
      /* Without it, the object may be finalized (set->object NULL) or
       * only be kept by a reference it cannot see. */
      if (!set->has_toggle)
        continue;
      last = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_ACQUIRE) == 1;
      if (last == set->last)
        continue;
      set->last = last;

      holders = g_ptr_array_new_full (set->holders->len, holder_unref);
      for (i = 0; i < set->holders->len; i++)
        g_ptr_array_add (holders, holder_ref (g_ptr_array_index (set->holders, i)));

      /* One notify at a time, each marked (@calling) while it runs: a
       * remove of that holder in another thread waits for it to return,
       * and a removed one is not called. So a holder that is called stays
       * registered, and Wk's toggle reference keeps the object through
       * the call, unless the notify removes its own holder. */
      for (i = 0; i < holders->len; i++)
        {
          Holder *holder = g_ptr_array_index (holders, i);
          gboolean destroy;

          if (holder->removed)
            continue;
          holder->calling = self;
          pthread_mutex_unlock (&set->lock);

          holder->notify (holder->data, object, last);

          pthread_mutex_lock (&set->lock);
          holder->calling = NULL;
          destroy = holder->destroy_on_return;
          pthread_cond_broadcast (&set->returned);
          if (destroy)
            {
              pthread_mutex_unlock (&set->lock);
              holder_destroy (holder);
              pthread_mutex_lock (&set->lock);
            }
        }
      pthread_mutex_unlock (&set->lock);
      g_ptr_array_unref (holders);
      pthread_mutex_lock (&set->lock);
    }

  set->delivering = NULL;
  free_it = --set->users == 0;
  pthread_mutex_unlock (&set->lock);
  if (free_it)
    toggle_set_put (set);
}

/* GLib's toggle notify for Wk's one toggle reference. Before GLib 2.80,
 * g_weak_ref_get() calls it under GLib's global weak-reference lock, where
 * a holder that touched any GWeakRef (a Wk weak reference to a new
 * object, a final unref of an object with weak references) would
 * deadlock: when Wk's own read is the caller, the holders are told once
 * that lock is released, before the read returns (wk-glib-private.h).
 * A deferred call may be stale by then, as any other. */
static void toggle_release (ToggleSet *set,
                            GObject   *object);

static void
toggle_notify (gpointer  data,
               GObject  *object,
               gboolean  is_last_ref)
{
  ToggleSet *set = data;
  gboolean release = FALSE;

  pthread_mutex_lock (&set->lock);
  if (set->object == object && set->has_toggle)
    {
      if (is_last_ref)
        set->n_true++;
      else
        set->n_false++;
      /* The call that brings the tally level with a count of one (see
       * toggle_release()) gives back the reference that no holder wants
       * any more, from inside GLib's call: GLib touches @object no more
       * once this returns. */
      if (is_last_ref && set->release_wanted && !set->releasing &&
          set->holders->len == 0 && set->n_true == set->n_false + 1)
        {
          set->release_wanted = FALSE;
          release = set->releasing = TRUE;
        }
    }
  pthread_mutex_unlock (&set->lock);
  if (release)
    {
      toggle_release (set, object);
      return;
    }

  if (!wk_glib_defer_toggle_notify (toggle_deliver, data, object))
    toggle_deliver (data, object);
}

static guint
add_holder (GObject        *object,
            WkToggleNotify  notify,
            gpointer        data,
            GDestroyNotify  destroy)
{
  ToggleSet *set;
  Holder *holder;
  guint id;

  holder = g_new0 (Holder, 1);
  holder->ref_count = 1;
  holder->notify = notify;
  holder->data = data;
  holder->destroy = destroy;
  do
    id = __atomic_add_fetch (&last_id, 1, __ATOMIC_RELAXED);
  while (G_UNLIKELY (id == 0));
  holder->id = id;

  /* The caller's reference keeps the object, and so the set. */
  set = toggle_set_obtain (object);
  pthread_mutex_lock (&set->lock);
  if (set->has_toggle)
    {
      g_ptr_array_add (set->holders, holder);
      pthread_mutex_unlock (&set->lock);
      return id;
    }
  pthread_mutex_unlock (&set->lock);

  /* A temporary reference, taken without the lock (it may run the
   * notifies of other toggle references), keeps the count at 2 or more
   * while GLib's toggle reference is added under the lock, so that GLib
   * calls nobody meanwhile. */
  g_object_ref (object);
  pthread_mutex_lock (&set->lock);
  g_ptr_array_add (set->holders, holder);
  if (!set->has_toggle)
    {
      set->has_toggle = TRUE;
      set->last = FALSE;
      set->n_true = set->n_false = 0;
      set->release_wanted = FALSE;
      g_object_add_toggle_ref (object, toggle_notify, set);
    }
  pthread_mutex_unlock (&set->lock);
  g_object_unref (object);
  return id;
}

void
wk_object_add_toggle_ref (GObject        *object,
                          WkToggleNotify  notify,
                          gpointer        data)
{
  g_return_if_fail (G_IS_OBJECT (object));
  g_return_if_fail (notify != NULL);
  g_return_if_fail (__atomic_load_n ((gint *) &object->ref_count, __ATOMIC_RELAXED) > 0);

  add_holder (object, notify, data, NULL);
}

guint
wk_object_add_toggle_ref_full (GObject        *object,
                               WkToggleNotify  notify,
                               gpointer        data,
                               GDestroyNotify  destroy)
{
  g_return_val_if_fail (G_IS_OBJECT (object), 0);
  g_return_val_if_fail (notify != NULL, 0);
  g_return_val_if_fail (__atomic_load_n ((gint *) &object->ref_count, __ATOMIC_RELAXED) > 0, 0);

  return add_holder (object, notify, data, destroy);
}

/* Gives Wk's GLib toggle reference back, the last holder gone (the
 * caller set @releasing: nobody else gives it back meanwhile, so it
 * keeps the object alive for the temporary reference below).
 *
 * Not while a call of GLib's is still on its way. A g_object_unref()
 * from 2 to 1 calls after its decrement (GLib 2.74 even reads the
 * object's toggle data again then), so a release at that moment could
 * finalize the object under that call. Each change of the count between
 * 1 and 2 while Wk's toggle reference exists makes exactly one call, and
 * the count can cross only by such a change; so with the temporary
 * reference held (a count of 2 or more: no new crossing down can begin),
 * every call has arrived exactly when the calls that said "last" number
 * as many as those that did not. Otherwise the release waits: the call
 * that levels the tally at a count of one does it (toggle_notify()), in
 * the thread GLib called, after which GLib reads nothing. A holder added
 * meanwhile keeps Wk's reference. Dropping the temporary reference may
 * finalize the object (and detach the set). */
static void
toggle_release (ToggleSet *set,
                GObject   *object)
{
  g_object_ref (object);
  pthread_mutex_lock (&set->lock);
  set->releasing = FALSE;
  if (set->holders->len == 0 && set->has_toggle)
    {
      if (set->n_true == set->n_false)
        {
          set->has_toggle = FALSE;
          g_object_remove_toggle_ref (object, toggle_notify, set);
        }
      else
        set->release_wanted = TRUE;
    }
  pthread_mutex_unlock (&set->lock);
  g_object_unref (object);
}

/* Removes the oldest holder that @match accepts; FALSE if none. */
static gboolean
remove_holder (GObject  *object,
               gboolean (*match) (Holder *holder, gconstpointer a, gconstpointer b),
               gconstpointer a,
               gconstpointer b)
{
  ToggleSet *set;
  Holder *holder = NULL;
  gboolean release = FALSE, destroy = TRUE;
  guint i;

  /* The caller's holder keeps the object, and so the set. */
  set = g_object_get_qdata (object, toggle_set_quark ());
  if (set == NULL)
    return FALSE;

  pthread_mutex_lock (&set->lock);
  for (i = 0; i < set->holders->len; i++)
    {
      Holder *h = g_ptr_array_index (set->holders, i);

      if (match (h, a, b))
        {
          holder = g_ptr_array_steal_index (set->holders, i);
          holder->removed = TRUE;
          break;
        }
    }
  if (holder == NULL)
    {
      pthread_mutex_unlock (&set->lock);
      return FALSE;
    }
  /* After we return, this holder hears nothing more, and its data may go:
   * if its notify runs in another thread, let it return first. Removed
   * by its own notify, its destroy notify runs once that returns. */
  if (holder->calling == g_thread_self ())
    {
      holder->destroy_on_return = TRUE;
      destroy = FALSE;
    }
  else
    while (holder->calling != NULL)
      pthread_cond_wait (&set->returned, &set->lock);
  /* The last holder: this thread decides whether Wk's reference goes
   * back, and until it has, nobody else gives it back, so that it keeps
   * the object alive for the temporary reference below. */
  if (set->holders->len == 0 && set->has_toggle && !set->releasing)
    release = set->releasing = TRUE;
  pthread_mutex_unlock (&set->lock);

  if (destroy)
    holder_destroy (holder);
  holder_unref (holder);
  if (release)
    toggle_release (set, object);
  return TRUE;
}

static gboolean
match_notify (Holder        *holder,
              gconstpointer  notify,
              gconstpointer  data)
{
  return holder->notify == (WkToggleNotify) notify && holder->data == data;
}

void
wk_object_remove_toggle_ref (GObject        *object,
                             WkToggleNotify  notify,
                             gpointer        data)
{
  g_return_if_fail (G_IS_OBJECT (object));
  g_return_if_fail (notify != NULL);

  if (!remove_holder (object, match_notify, notify, data))
    g_critical ("%s: no toggle reference %p(%p) on object %p of type %s",
                G_STRFUNC, notify, data, object, G_OBJECT_TYPE_NAME (object));
}

static gboolean
match_id (Holder        *holder,
          gconstpointer  id,
          gconstpointer  unused)
{
  return holder->id == GPOINTER_TO_UINT (id);
}

gboolean
wk_object_remove_toggle_ref_by_id (GObject *object,
                                   guint    id)
{
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  return remove_holder (object, match_id, GUINT_TO_POINTER (id), NULL);
}
