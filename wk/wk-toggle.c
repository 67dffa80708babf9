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
 * told anything more.
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

typedef struct
{
  gint            ref_count;   /* (atomic) */
  gint            removed;     /* (atomic) */
  guint           id;
  WkToggleNotify  notify;
  gpointer        data;
  GDestroyNotify  destroy;
} Holder;

static guint last_id;   /* (atomic) */

/* The holders of one object, in its qdata until it is finalized. */
typedef struct
{
  gint                 ref_count;   /* (atomic) the qdata's, and each delivery's */
  pthread_mutex_t      lock;
  pthread_cond_t       delivered;
  GPtrArray  *holders;       /* Holder, oldest first */
  gboolean    has_toggle;    /* Wk's GLib toggle reference is held */
  gboolean    last;          /* the state the holders were told last */
  gboolean    dirty;         /* GLib notified since the count was read */
  GThread    *delivering;    /* the thread telling the holders, or NULL */
} ToggleSet;

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
    {
      if (holder->destroy != NULL)
        holder->destroy (holder->data);
      g_free (holder);
    }
}

static GQuark
toggle_set_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wk-toggle-set");
  return quark;
}

static void
toggle_set_unref (gpointer data)
{
  ToggleSet *set = data;

  if (__atomic_sub_fetch (&set->ref_count, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  g_ptr_array_unref (set->holders);
  pthread_cond_destroy (&set->delivered);
  pthread_mutex_destroy (&set->lock);
  g_free (set);
}

static ToggleSet *
toggle_set_obtain (GObject *object)
{
  for (;;)
    {
      ToggleSet *set = g_object_get_qdata (object, toggle_set_quark ());

      if (set != NULL)
        return set;

      set = g_new0 (ToggleSet, 1);
      set->ref_count = 1;
      pthread_mutex_init (&set->lock, NULL);
      pthread_cond_init (&set->delivered, NULL);
      set->holders = g_ptr_array_new_with_free_func (holder_unref);
      if (g_object_replace_qdata (object, toggle_set_quark (), NULL, set,
                                  toggle_set_unref, NULL))
        return set;
      toggle_set_unref (set);
    }
}

/* GLib's toggle notify for Wk's one toggle reference. GLib calls it after
 * the count has changed and without a lock, so two calls may arrive in
 * any order: the count, read here under the set's lock, says what the
 * state is, and one thread at a time tells the holders.
 *
 * A holder's notify may remove the last toggle reference, its own or the
 * last other one, which gives Wk's reference on the object back and may
 * finalize it, and the set with it: the delivery keeps the set, and reads
 * the object's count only while Wk's toggle reference (has_toggle, under
 * the set's lock) keeps the object. */
static void
toggle_deliver (gpointer  data,
                GObject  *object)
{
  ToggleSet *set = data;

  pthread_mutex_lock (&set->lock);
  set->dirty = TRUE;
  if (set->delivering != NULL)
    {
      /* That thread reads the count again before it stops. */
      pthread_mutex_unlock (&set->lock);
      return;
    }
  set->delivering = g_thread_self ();
  __atomic_fetch_add (&set->ref_count, 1, __ATOMIC_RELAXED);

  while (set->dirty)
    {
      gboolean last;
      GPtrArray *holders;
      guint i;

      set->dirty = FALSE;
      if (!set->has_toggle)
        continue;
      last = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_ACQUIRE) == 1;
      if (last == set->last)
        continue;
      set->last = last;

      holders = g_ptr_array_new_full (set->holders->len, holder_unref);
      for (i = 0; i < set->holders->len; i++)
        g_ptr_array_add (holders, holder_ref (g_ptr_array_index (set->holders, i)));
      pthread_mutex_unlock (&set->lock);

      for (i = 0; i < holders->len; i++)
        {
          Holder *holder = g_ptr_array_index (holders, i);

          if (!__atomic_load_n (&holder->removed, __ATOMIC_ACQUIRE))
            holder->notify (holder->data, object, last);
        }
      g_ptr_array_unref (holders);

      pthread_mutex_lock (&set->lock);
    }

  set->delivering = NULL;
  pthread_cond_broadcast (&set->delivered);
  pthread_mutex_unlock (&set->lock);
  toggle_set_unref (set);
}

/* GLib's toggle notify for Wk's one toggle reference. Before GLib 2.80,
 * g_weak_ref_get() calls it under GLib's global weak-reference lock, where
 * a holder that touched any GWeakRef (a Wk weak reference to a new
 * object, a final unref of an object with weak references) would
 * deadlock: when Wk's own read is the caller, the holders are told once
 * that lock is released, before the read returns (wk-glib-private.h). */
static void
toggle_notify (gpointer  data,
               GObject  *object,
               gboolean  unused)
{
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

/* Removes the oldest holder that @match accepts; FALSE if none. */
static gboolean
remove_holder (GObject  *object,
               gboolean (*match) (Holder *holder, gconstpointer a, gconstpointer b),
               gconstpointer a,
               gconstpointer b)
{
  ToggleSet *set;
  Holder *holder = NULL;
  gboolean now_empty = FALSE;
  guint i;

  set = g_object_get_qdata (object, toggle_set_quark ());
  if (set != NULL)
    {
      pthread_mutex_lock (&set->lock);
      /* After we return, this holder hears nothing more: let a delivery
       * in another thread finish first. */
      while (set->delivering != NULL && set->delivering != g_thread_self ())
        pthread_cond_wait (&set->delivered, &set->lock);
      for (i = 0; i < set->holders->len; i++)
        {
          Holder *h = g_ptr_array_index (set->holders, i);

          if (match (h, a, b))
            {
              holder = g_ptr_array_steal_index (set->holders, i);
              __atomic_store_n (&holder->removed, TRUE, __ATOMIC_RELEASE);
              break;
            }
        }
      now_empty = set->holders->len == 0;
      pthread_mutex_unlock (&set->lock);
    }

  if (holder == NULL)
    return FALSE;
  holder_unref (holder);
  if (!now_empty)
    return TRUE;

  /* The last holder: give Wk's reference back. As in add, a temporary
   * reference keeps GLib from calling anybody under the lock; dropping it
   * may finalize the object and the set with it. */
  g_object_ref (object);
  pthread_mutex_lock (&set->lock);
  if (set->holders->len == 0 && set->has_toggle)
    {
      set->has_toggle = FALSE;
      g_object_remove_toggle_ref (object, toggle_notify, set);
    }
  pthread_mutex_unlock (&set->lock);
  g_object_unref (object);
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
