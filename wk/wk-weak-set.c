/* wk-weak-set.c: a set of weakly held objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkWeakSet:
 *
 * A set of GObjects, held weakly and compared by identity: Python's
 * `weakref.WeakSet` for GObjects. A member leaves the set when it dies.
 * Threads and iteration follow the rules of [class@Wk.WeakValueDict].
 *
 * Iteration, [method@Wk.WeakSet.foreach] and
 * [method@Wk.WeakSet.get_members] go in insertion order (where CPython's
 * `WeakSet` has set order, Wk's is deterministic): adding a member again
 * keeps its place; removing it, or its death, and adding it again puts
 * it last.
 */

#include "config.h"

#include "wk-weak-set.h"
#include "wk-weak-table-walk-private.h"

struct _WkWeakSet
{
  GObject       parent_instance;
  WkWeakTable  *table;
};

G_DEFINE_FINAL_TYPE (WkWeakSet, wk_weak_set, G_TYPE_OBJECT)

G_STATIC_ASSERT (sizeof (WkWeakSetIter) >= sizeof (WkWeakTableIter));

static void
wk_weak_set_finalize (GObject *object)
{
  WkWeakSet *self = WK_WEAK_SET (object);

  g_clear_pointer (&self->table, wk_weak_table_free);

  G_OBJECT_CLASS (wk_weak_set_parent_class)->finalize (object);
}

static void
wk_weak_set_class_init (WkWeakSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wk_weak_set_finalize;
}

static void
wk_weak_set_init (WkWeakSet *self)
{
  self->table = wk_weak_table_new (WK_WEAK_TABLE_WEAK_KEYS, NULL, NULL, NULL, NULL);
}

/**
 * wk_weak_set_new:
 *
 * Creates an empty [class@Wk.WeakSet].
 *
 * Returns: (transfer full): a new, empty set
 */
WkWeakSet *
wk_weak_set_new (void)
{
  return g_object_new (WK_TYPE_WEAK_SET, NULL);
}

/**
 * wk_weak_set_add:
 * @self: a set
 * @member: the object to add, held weakly
 *
 * Adds @member to the set, without keeping it alive: it leaves the set
 * when it dies.
 *
 * Returns: %TRUE if @member was added: it was not in the set before, and
 *   it has not started to die
 */
gboolean
wk_weak_set_add (WkWeakSet *self,
                 GObject   *member)
{
  g_return_val_if_fail (WK_IS_WEAK_SET (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (member), FALSE);

  return wk_weak_table_insert (self->table, NULL, member, NULL, TRUE);
}

/**
 * wk_weak_set_remove:
 * @self: a set
 * @member: an object
 *
 * Removes @member from the set.
 *
 * Returns: whether @member was in the set
 */
gboolean
wk_weak_set_remove (WkWeakSet *self,
                    GObject   *member)
{
  g_return_val_if_fail (WK_IS_WEAK_SET (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (member), FALSE);

  return wk_weak_table_remove (self->table, member);
}

/**
 * wk_weak_set_contains:
 * @self: a set
 * @member: an object
 *
 * Tells whether @member is in the set.
 *
 * Returns: whether @member is in the set
 */
gboolean
wk_weak_set_contains (WkWeakSet *self,
                      GObject   *member)
{
  g_return_val_if_fail (WK_IS_WEAK_SET (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (member), FALSE);

  return wk_weak_table_contains (self->table, member);
}

/**
 * wk_weak_set_get_size:
 * @self: a set
 *
 * Counts the members of the set.
 *
 * Returns: the number of members, never counting one whose death has
 *   been processed
 */
guint
wk_weak_set_get_size (WkWeakSet *self)
{
  g_return_val_if_fail (WK_IS_WEAK_SET (self), 0);

  return wk_weak_table_get_size (self->table);
}

/**
 * wk_weak_set_remove_all:
 * @self: a set
 *
 * Empties the set.
 */
void
wk_weak_set_remove_all (WkWeakSet *self)
{
  g_return_if_fail (WK_IS_WEAK_SET (self));

  wk_weak_table_remove_all (self->table);
}

static void
foreach_adapter (gpointer key,
                 gpointer object,
                 gpointer value,
                 gpointer user_data)
{
  gpointer *data = user_data;

  ((GFunc) data[0]) (object, data[1]);
}

/**
 * wk_weak_set_foreach: (skip)
 * @self: a set
 * @func: called with each live member (kept alive for the call) and
 *   @user_data, with no lock held
 * @user_data: data for @func
 *
 * Calls @func for each member; @func may remove members and drop them.
 */
void
wk_weak_set_foreach (WkWeakSet *self,
                     GFunc      func,
                     gpointer   user_data)
{
  gpointer data[2] = { func, user_data };

  g_return_if_fail (WK_IS_WEAK_SET (self));
  g_return_if_fail (func != NULL);

  wk_weak_table_foreach (self->table, foreach_adapter, data);
}

/**
 * wk_weak_set_get_members:
 * @self: a set
 *
 * Takes a snapshot of the live members.
 *
 * Returns: (transfer full) (element-type GObject.Object): a strong
 *   reference to each live member; the array has no element free function
 */
GPtrArray *
wk_weak_set_get_members (WkWeakSet *self)
{
  GPtrArray *members;

  g_return_val_if_fail (WK_IS_WEAK_SET (self), NULL);

  wk_weak_table_snapshot (self->table, NULL, NULL, NULL, NULL, &members, NULL);
  return members;
}

/**
 * wk_weak_set_iter_init: (skip)
 * @iter: an uninitialized iterator
 * @set: the set to iterate
 *
 * Starts an iteration over the live members. It lasts until
 * [method@Wk.WeakSetIter.next] returns %FALSE or
 * [method@Wk.WeakSetIter.finish] is called.
 */
void
wk_weak_set_iter_init (WkWeakSetIter *iter,
                       WkWeakSet     *set)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (WK_IS_WEAK_SET (set));

  wk_weak_table_iter_init ((WkWeakTableIter *) iter, set->table);
}

/**
 * wk_weak_set_iter_next: (skip)
 * @iter: an iterator
 * @member: (out) (optional) (type GObject.Object): the member, borrowed:
 *   the iterator keeps it alive until the next step
 *
 * Advances @iter to the next live member.
 *
 * Returns: %FALSE at the end (the iteration is then over)
 */
gboolean
wk_weak_set_iter_next (WkWeakSetIter *iter,
                       gpointer      *member)
{
  g_return_val_if_fail (iter != NULL, FALSE);

  return wk_weak_table_iter_next ((WkWeakTableIter *) iter, NULL, member, NULL);
}

/**
 * wk_weak_set_iter_finish: (skip)
 * @iter: an iterator
 *
 * Ends an iteration before `next` has returned %FALSE.
 */
void
wk_weak_set_iter_finish (WkWeakSetIter *iter)
{
  g_return_if_fail (iter != NULL);

  wk_weak_table_iter_finish ((WkWeakTableIter *) iter);
}
