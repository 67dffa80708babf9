/* wk-weak.c: embedded weak pointers for hot paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A WkWeak holds a reference on the referent's anchor in priv[0] (priv[1]
 * is reserved). wk_weak_get() may race wk_weak_set() on the same WkWeak,
 * which swaps the anchor out and may free it, so the reader protects the
 * anchor with its hazard slot before looking inside.
 */

#include "config.h"

#include "wk.h"
#include "wk-anchor-private.h"

G_STATIC_ASSERT (sizeof (WkWeak) <= 16);

/**
 * wk_weak_init: (skip)
 * @weak: uninitialized or zero-filled storage
 * @object: (type GObject.Object) (nullable): the referent
 *
 * Initializes @weak to point weakly at @object.
 */
void
wk_weak_init (WkWeak   *weak,
              gpointer  object)
{
  g_return_if_fail (weak != NULL);
  g_return_if_fail (object == NULL || G_IS_OBJECT (object));

  weak->priv[0] = object != NULL ? wk_anchor_obtain (object) : NULL;
  weak->priv[1] = NULL;
}

/**
 * wk_weak_set: (skip)
 * @weak: an initialized or zero-filled [struct@Wk.Weak]
 * @object: (type GObject.Object) (nullable): the new referent
 *
 * Points @weak at @object (or at nothing). Safe to call while other
 * threads read or set the same @weak.
 */
void
wk_weak_set (WkWeak   *weak,
             gpointer  object)
{
  WkAnchor *anchor, *old;

  g_return_if_fail (weak != NULL);
  g_return_if_fail (object == NULL || G_IS_OBJECT (object));

  anchor = object != NULL ? wk_anchor_obtain (object) : NULL;
  old = __atomic_exchange_n ((WkAnchor **) &weak->priv[0], anchor, __ATOMIC_SEQ_CST);
  if (old != NULL)
    wk_anchor_unref (old);
}

/* The anchor of @weak, published in this thread's hazard slot (*@hazard),
 * or NULL (slot clear) for an empty @weak: a wk_weak_set() in another
 * thread may drop the anchor as soon as it is read, so it is read again
 * once published. */
static inline WkAnchor *
publish_anchor (WkWeak    *weak,
                WkHazard **hazard)
{
  WkAnchor *anchor = __atomic_load_n ((WkAnchor **) &weak->priv[0], __ATOMIC_ACQUIRE);

  if (anchor == NULL)
    return NULL;

  *hazard = wk_hazard_get ();
  for (;;)
    {
      WkAnchor *again;

      wk_hazard_publish (*hazard, anchor);
      again = __atomic_load_n ((WkAnchor **) &weak->priv[0], __ATOMIC_SEQ_CST);
      if (G_LIKELY (again == anchor))
        return anchor;
      anchor = again;
      if (anchor == NULL)
        {
          wk_hazard_clear (*hazard);
          return NULL;
        }
    }
}

/**
 * wk_weak_get: (skip)
 * @weak: an initialized or zero-filled [struct@Wk.Weak]
 *
 * Gets a strong reference to the referent of @weak, if it is alive. The
 * same guarantees as [method@Wk.Ref.get] hold.
 *
 * Returns: (transfer full) (nullable) (type GObject.Object): the referent
 *   or %NULL
 */
gpointer
wk_weak_get (WkWeak *weak)
{
  WkHazard *hazard;
  WkAnchor *anchor;

  g_return_val_if_fail (weak != NULL, NULL);

  anchor = publish_anchor (weak, &hazard);
  if (anchor == NULL)
    return NULL;
  return wk_anchor_get (anchor, hazard);
}

/**
 * wk_weak_clear: (skip)
 * @weak: an initialized or zero-filled [struct@Wk.Weak]
 *
 * Empties @weak and releases what it held. Call it before the storage
 * goes away; a cleared `WkWeak` may be used again.
 */
void
wk_weak_clear (WkWeak *weak)
{
  wk_weak_set (weak, NULL);
}

/**
 * wk_weak_is_alive: (skip)
 * @weak: an initialized or zero-filled [struct@Wk.Weak]
 *
 * Tells whether the referent of @weak is still alive, without taking a
 * reference to it (so without a count change, a toggle notification or
 * GLib's lock). Another thread may drop the last reference right after
 * this returns %TRUE; use [method@Wk.Weak.get] to keep the referent.
 *
 * Returns: %FALSE once the referent has started to die, or for an empty
 *   @weak
 */
gboolean
wk_weak_is_alive (WkWeak *weak)
{
  WkHazard *hazard;
  WkAnchor *anchor;
  gboolean alive;

  g_return_val_if_fail (weak != NULL, FALSE);

  anchor = publish_anchor (weak, &hazard);
  if (anchor == NULL)
    return FALSE;
  alive = wk_anchor_is_alive (anchor);
  wk_hazard_clear (hazard);
  return alive;
}
