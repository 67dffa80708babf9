/* wk-glib.c: what Wk relies on in GObject beyond its documented API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-glib-private.h for the facts and their sources.
 */

#include "config.h"

#include "wk-glib-private.h"
#include "wk-binding-private.h"

void
wk_glib_drop_raised (GObject *object)
{
  gint count = __atomic_load_n ((gint *) &object->ref_count, __ATOMIC_RELAXED);

  while (count >= 2)
    if (__atomic_compare_exchange_n ((gint *) &object->ref_count, &count, count - 1,
                                     TRUE, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return;

  /* Ours is the only reference left: the dying thread has finished its
   * dispose, taken ours for a resurrection and dropped its own. Before
   * GLib 2.80 it may still be thawing the notify queue (fact 3); nothing
   * Wk can do makes that window observable, so this is the one place Wk
   * can meet it, and only when a dispose takes temporary references
   * while another thread reads a weak reference to the object. */
  g_object_unref (object);
}

/* ---- Deferred toggle notifications ------------------------------------ */

typedef struct
{
  WkGlibDeferredFunc  func;
  gpointer            data;
  GObject            *object;
} Deferred;

/* Per thread: how deep in wk_glib_weak_ref_get() it is, and what waits
 * for the outermost call to return. */
__thread guint   _wk_glib_defer_depth __attribute__ ((tls_model ("initial-exec")));
__thread GArray *_wk_glib_deferred __attribute__ ((tls_model ("initial-exec")));

gboolean
wk_glib_defer_toggle_notify (WkGlibDeferredFunc  func,
                             gpointer            data,
                             GObject            *object)
{
  Deferred d = { func, data, object };

  if (_wk_glib_defer_depth == 0)
    return FALSE;
  if (_wk_glib_deferred == NULL)
    _wk_glib_deferred = g_array_new (FALSE, FALSE, sizeof (Deferred));
  g_array_append_val (_wk_glib_deferred, d);
  return TRUE;
}

void
_wk_glib_run_deferred (void)
{
  GArray *list = g_steal_pointer (&_wk_glib_deferred);
  guint i;

  /* Each runs with no GLib lock held, and may read weak references
   * itself (a new list collects what those defer). */
  for (i = 0; i < list->len; i++)
    {
      Deferred *d = &g_array_index (list, Deferred, i);

      d->func (d->data, d->object);
    }
  g_array_unref (list);
}

gpointer
wk_glib_weak_ref_get (GWeakRef *gweak,
                      gboolean  take_binding_lock)
{
  gboolean locked = take_binding_lock && _wk_binding_lock_needed ();
  gpointer state = locked ? _wk_binding_lock_enter () : NULL;
  gpointer object;

  wk_glib_defer_begin ();
  object = g_weak_ref_get (gweak);
  wk_glib_defer_end ();

  if (locked)
    _wk_binding_lock_leave (state);
  return object;
}
