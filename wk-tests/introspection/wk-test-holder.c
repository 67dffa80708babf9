/* wk-test-holder.c: a C object that holds, drops and makes objects for
 * the Python and GJS lifetime tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkTestHolder:
 *
 * A C-side owner for tests of object lifetime across languages.
 *
 * A binding test cannot otherwise make C code take or drop a reference at
 * a moment of its choosing. A `WkTestHolder` stores objects with a strong
 * reference each ([method@WkTest.Holder.store]), hands them back borrowed
 * ([method@WkTest.Holder.get]) or owned ([method@WkTest.Holder.dup],
 * [method@WkTest.Holder.steal]) and drops them on request
 * ([method@WkTest.Holder.drop]). Separately it can hold Wk multi-holder
 * toggle references ([method@WkTest.Holder.add_toggle]) and records each
 * notification it receives, in order, as a string
 * ([method@WkTest.Holder.get_toggle_log]).
 *
 * [func@WkTest.Holder.ref_count] and [func@WkTest.Holder.make_object] let
 * a test read the raw reference count and have C create an instance of
 * any object type, for instance a Python or JavaScript subclass of
 * [class@Wk.Object].
 */

#include <wk/wk.h>

#include "wk-test-holder.h"

struct _WkTestHolder
{
  GObject    parent_instance;

  GPtrArray *objects;      /* (owned) (element-type GObject) */
  GPtrArray *toggled;      /* (owned) (element-type GObject): each entry is one Wk toggle ref */
  GString   *toggle_log;   /* (owned) */
};

G_DEFINE_FINAL_TYPE (WkTestHolder, wk_test_holder, G_TYPE_OBJECT)

static void
wk_test_holder_toggle_notify (gpointer  data,
                              GObject  *object,
                              gboolean  is_last_ref)
{
  WkTestHolder *self = data;

  if (self->toggle_log->len > 0)
    g_string_append_c (self->toggle_log, ' ');
  g_string_append_c (self->toggle_log, is_last_ref ? 'T' : 'F');
}

static void
wk_test_holder_dispose (GObject *object)
{
  WkTestHolder *self = WK_TEST_HOLDER (object);

  /* One at a time, and off the array first: a removal or a drop may run
   * the object's dispose, which may call back into this holder. */
  while (self->toggled->len > 0)
    {
      GObject *toggled = g_ptr_array_steal_index (self->toggled, self->toggled->len - 1);

      wk_object_remove_toggle_ref (toggled, wk_test_holder_toggle_notify, self);
    }
  wk_test_holder_drop_all (self);

  G_OBJECT_CLASS (wk_test_holder_parent_class)->dispose (object);
}

static void
wk_test_holder_finalize (GObject *object)
{
  WkTestHolder *self = WK_TEST_HOLDER (object);

  g_ptr_array_unref (self->objects);
  g_ptr_array_unref (self->toggled);
  g_string_free (self->toggle_log, TRUE);

  G_OBJECT_CLASS (wk_test_holder_parent_class)->finalize (object);
}

static void
wk_test_holder_class_init (WkTestHolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wk_test_holder_dispose;
  object_class->finalize = wk_test_holder_finalize;
}

static void
wk_test_holder_init (WkTestHolder *self)
{
  self->objects = g_ptr_array_new ();
  self->toggled = g_ptr_array_new ();
  self->toggle_log = g_string_new (NULL);
}

/**
 * wk_test_holder_new:
 *
 * Creates an empty holder.
 *
 * Returns: (transfer full): a new holder
 */
WkTestHolder *
wk_test_holder_new (void)
{
  return g_object_new (WK_TEST_TYPE_HOLDER, NULL);
}

/**
 * wk_test_holder_store:
 * @self: a holder
 * @object: the object to keep
 *
 * Appends @object to the holder, which takes a strong reference to it.
 * The same object may be stored more than once; each entry holds its own
 * reference.
 */
void
wk_test_holder_store (WkTestHolder *self,
                      GObject      *object)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));
  g_return_if_fail (G_IS_OBJECT (object));

  g_ptr_array_add (self->objects, g_object_ref (object));
}

/**
 * wk_test_holder_drop:
 * @self: a holder
 * @index: the position of the entry, below [method@WkTest.Holder.get_size]
 *
 * Removes the entry at @index and drops its reference, in C: if that was
 * the last reference, the object dies inside this call. Later entries
 * move down by one.
 */
void
wk_test_holder_drop (WkTestHolder *self,
                     guint         index)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));
  g_return_if_fail (index < self->objects->len);

  g_object_unref (g_ptr_array_steal_index (self->objects, index));
}

/**
 * wk_test_holder_drop_all:
 * @self: a holder
 *
 * Drops every stored entry, newest first. The toggle references added with
 * [method@WkTest.Holder.add_toggle] are not affected.
 */
void
wk_test_holder_drop_all (WkTestHolder *self)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));

  while (self->objects->len > 0)
    wk_test_holder_drop (self, self->objects->len - 1);
}

/**
 * wk_test_holder_get:
 * @self: a holder
 * @index: the position of the entry, below [method@WkTest.Holder.get_size]
 *
 * Returns the object at @index without a new reference.
 *
 * Returns: (transfer none): the stored object
 */
GObject *
wk_test_holder_get (WkTestHolder *self,
                    guint         index)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), NULL);
  g_return_val_if_fail (index < self->objects->len, NULL);

  return g_ptr_array_index (self->objects, index);
}

/**
 * wk_test_holder_dup:
 * @self: a holder
 * @index: the position of the entry, below [method@WkTest.Holder.get_size]
 *
 * Returns the object at @index with a new reference; the entry keeps its
 * own.
 *
 * Returns: (transfer full): the stored object
 */
GObject *
wk_test_holder_dup (WkTestHolder *self,
                    guint         index)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), NULL);
  g_return_val_if_fail (index < self->objects->len, NULL);

  return g_object_ref (g_ptr_array_index (self->objects, index));
}

/**
 * wk_test_holder_steal:
 * @self: a holder
 * @index: the position of the entry, below [method@WkTest.Holder.get_size]
 *
 * Removes the entry at @index and hands its reference to the caller.
 * Later entries move down by one.
 *
 * Returns: (transfer full): the object that was stored
 */
GObject *
wk_test_holder_steal (WkTestHolder *self,
                      guint         index)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), NULL);
  g_return_val_if_fail (index < self->objects->len, NULL);

  return g_ptr_array_steal_index (self->objects, index);
}

/**
 * wk_test_holder_get_size:
 * @self: a holder
 *
 * Counts the stored entries.
 *
 * Returns: the number of entries
 */
guint
wk_test_holder_get_size (WkTestHolder *self)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), 0);

  return self->objects->len;
}

/**
 * wk_test_holder_ref_count:
 * @object: any object
 *
 * Reads the raw strong reference count of @object, every reference
 * included: those of bindings' wrappers, toggle references, and the one
 * the binding may take for the duration of this call.
 *
 * Returns: the reference count
 */
guint
wk_test_holder_ref_count (GObject *object)
{
  g_return_val_if_fail (G_IS_OBJECT (object), 0);

  return g_atomic_int_get ((gint *) &object->ref_count);
}

/**
 * wk_test_holder_make_object:
 * @type: an instantiatable, non-abstract subtype of #GObject, for
 *   instance a Python or JavaScript class registered with GType
 *
 * Creates an instance of @type from C, with g_object_new() and no
 * properties, so that the object exists before any binding has seen it.
 * A floating reference is sunk.
 *
 * Returns: (transfer full): the new object
 */
GObject *
wk_test_holder_make_object (GType type)
{
  GObject *object;

  g_return_val_if_fail (g_type_is_a (type, G_TYPE_OBJECT), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (type), NULL);

  object = g_object_new (type, NULL);
  /* Sinking takes no new reference only when the object is floating. */
  if (g_object_is_floating (object))
    g_object_ref_sink (object);

  return object;
}

/**
 * wk_test_holder_add_toggle:
 * @self: a holder
 * @object: the object
 *
 * Adds a Wk toggle reference to @object with
 * [func@Wk.Object.add_toggle_ref], owned by @self. Each notification it
 * receives is recorded (see [method@WkTest.Holder.get_toggle_log]). The
 * reference lasts until [method@WkTest.Holder.remove_toggle] or until
 * @self is disposed. Adding twice holds two toggle references.
 */
void
wk_test_holder_add_toggle (WkTestHolder *self,
                           GObject      *object)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));
  g_return_if_fail (G_IS_OBJECT (object));

  g_ptr_array_add (self->toggled, object);
  wk_object_add_toggle_ref (object, wk_test_holder_toggle_notify, self);
}

/**
 * wk_test_holder_remove_toggle:
 * @self: a holder
 * @object: an object given to [method@WkTest.Holder.add_toggle]
 *
 * Removes one toggle reference that @self holds on @object, with
 * [func@Wk.Object.remove_toggle_ref]. If that was the last reference, the
 * object dies inside this call.
 */
void
wk_test_holder_remove_toggle (WkTestHolder *self,
                              GObject      *object)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));
  g_return_if_fail (G_IS_OBJECT (object));

  if (!g_ptr_array_remove (self->toggled, object))
    {
      g_critical ("%s: holder %p has no toggle reference to %s %p",
                  G_STRFUNC, (gpointer) self, G_OBJECT_TYPE_NAME (object), (gpointer) object);
      return;
    }
  wk_object_remove_toggle_ref (object, wk_test_holder_toggle_notify, self);
}

/**
 * wk_test_holder_get_n_toggles:
 * @self: a holder
 *
 * Counts the toggle references that @self holds.
 *
 * Returns: the number of toggle references
 */
guint
wk_test_holder_get_n_toggles (WkTestHolder *self)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), 0);

  return self->toggled->len;
}

/**
 * wk_test_holder_get_toggle_log:
 * @self: a holder
 *
 * Returns the notifications that the toggle references of @self received
 * since it was created or the log was last cleared, oldest first: `T` for
 * `is_last_ref` %TRUE, `F` for %FALSE, separated by single spaces, for
 * instance `"T F T"`. An empty string means no notification.
 *
 * Returns: (transfer full): the log
 */
char *
wk_test_holder_get_toggle_log (WkTestHolder *self)
{
  g_return_val_if_fail (WK_TEST_IS_HOLDER (self), NULL);

  return g_strndup (self->toggle_log->str, self->toggle_log->len);
}

/**
 * wk_test_holder_clear_toggle_log:
 * @self: a holder
 *
 * Empties the log of toggle notifications.
 */
void
wk_test_holder_clear_toggle_log (WkTestHolder *self)
{
  g_return_if_fail (WK_TEST_IS_HOLDER (self));

  g_string_truncate (self->toggle_log, 0);
}
