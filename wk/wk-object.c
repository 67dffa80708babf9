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
 * it is the class that later Wk features (cycle collection, multi-holder
 * toggle references) build on.
 *
 * Subclass it like any GObject: `G_DECLARE_DERIVABLE_TYPE (MyThing, my_thing,
 * MY, THING, WkObject)` in C, `class MyThing(Wk.Object)` in Python,
 * `GObject.registerClass(class MyThing extends Wk.Object {})` in GJS.
 */

#include "config.h"

#include "wk-object-private.h"

typedef struct
{
  WkAnchor *anchor;   /* (atomic) (nullable) */
} WkObjectPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WkObject, wk_object, G_TYPE_OBJECT)

static void
wk_object_class_init (WkObjectClass *klass)
{
}

static void
wk_object_init (WkObject *self)
{
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
