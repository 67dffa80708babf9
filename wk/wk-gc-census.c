/* wk-gc-census.c: the census of the tracked objects, and the leak
 * report
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The census counts the live tracked objects by type name, in one pass
 * under the tracking lock. The leak report prints it, and for the
 * largest groups the shortest chain of references from a root (an object
 * referenced from outside the tracked objects) to one of their objects,
 * from a snapshot (wk-gc-snapshot.c).
 */

#include "config.h"

#include <string.h>

#include "wk-gc.h"
#include "wk-gc-census-private.h"
#include "wk-gc-snapshot-private.h"
#include "wk-gc-track-private.h"

/* How much the leak report prints. */
#define REPORT_MAX_TYPES   20   /* lines of census */
#define REPORT_MAX_CHAINS   5   /* groups explained with a chain */
#define REPORT_MAX_LINKS   32   /* links of a chain */

typedef struct
{
  const char *type_name;
  gint64      count;
} TypeCount;

static gint
compare_type_counts (gconstpointer a,
                     gconstpointer b)
{
  const TypeCount *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->type_name, y->type_name);
}

static void
census_count (GObject  *object,
              gpointer  data)
{
  GHashTable *counts = data;
  const char *name = G_OBJECT_TYPE_NAME (object);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

/* @counts (type name -> count) as an array of TypeCount, most numerous
 * first, then by name. */
static GArray *
sorted_counts (GHashTable *counts)
{
  GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (TypeCount), g_hash_table_size (counts));
  GHashTableIter iter;
  gpointer name, count;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &name, &count))
    {
      TypeCount item = { name, GPOINTER_TO_INT (count) };

      g_array_append_val (sorted, item);
    }
  g_array_sort (sorted, compare_type_counts);
  return sorted;
}

/**
 * wk_gc_get_census:
 *
 * Counts the live tracked objects by type, as objgraph's `typestats()`
 * does for Python objects: for each type name, how many tracked objects
 * of exactly that type are alive (frozen ones included).
 *
 * The variant is a dictionary of type `a{su}`, most numerous type first
 * (then by name). Take two and compare them with
 * [func@Wk.Gc.census_diff] to see what grew in between.
 *
 * Like [func@Wk.Gc.get_objects] it reads every tracked object, under the
 * tracking lock, but it takes no reference to any.
 *
 * Returns: (transfer full): a new, non-floating variant of type `a{su}`
 *   mapping type names to numbers of objects
 *
 * Since: 0.2
 */
GVariant *
wk_gc_get_census (void)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantBuilder builder;
  GArray *sorted;
  guint i;

  _wk_gc_track_lock ();
  _wk_gc_track_foreach_locked (census_count, counts);
  _wk_gc_track_unlock ();

  sorted = sorted_counts (counts);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{su}"));
  for (i = 0; i < sorted->len; i++)
    {
      TypeCount *item = &g_array_index (sorted, TypeCount, i);

      g_variant_builder_add (&builder, "{su}", item->type_name, (guint32) item->count);
    }
  g_array_unref (sorted);
  g_hash_table_unref (counts);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * wk_gc_census_diff:
 * @before: a census of type `a{su}`, as [func@Wk.Gc.get_census] returns
 * @after: a later census of the same type
 *
 * Compares two censuses, as objgraph's `show_growth()` does: for each type
 * whose number of live objects changed, by how much. Types that grew come
 * first, the most grown first; then those that shrank, the least shrunk
 * first; types equal in both are left out.
 *
 * ```c
 * g_autoptr (GVariant) before = wk_gc_get_census ();
 * do_something ();
 * g_autoptr (GVariant) after = wk_gc_get_census ();
 * g_autoptr (GVariant) growth = wk_gc_census_diff (before, after);
 * g_autofree char *text = g_variant_print (growth, FALSE);
 * g_print ("%s\n", text);   // {'MyView': 1, 'MyImage': -2}
 * ```
 *
 * Returns: (transfer full): a new, non-floating variant of type `a{si}`
 *   mapping type names to the change in their number of objects
 *
 * Since: 0.2
 */
GVariant *
wk_gc_census_diff (GVariant *before,
                   GVariant *after)
{
  GHashTable *delta;
  GVariantBuilder builder;
  GVariantIter iter;
  GHashTableIter hiter;
  GArray *sorted;
  const char *name;
  gpointer key, value;
  guint32 count;
  guint i;

  g_return_val_if_fail (before != NULL && g_variant_is_of_type (before, G_VARIANT_TYPE ("a{su}")), NULL);
  g_return_val_if_fail (after != NULL && g_variant_is_of_type (after, G_VARIANT_TYPE ("a{su}")), NULL);

  /* Type name (borrowed from the variants) -> gint64 change. */
  delta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_variant_iter_init (&iter, after);
  while (g_variant_iter_next (&iter, "{&su}", &name, &count))
    {
      gint64 *change = g_hash_table_lookup (delta, name);

      if (change == NULL)
        {
          change = g_new0 (gint64, 1);
          g_hash_table_insert (delta, (gpointer) name, change);
        }
      *change += count;
    }
  g_variant_iter_init (&iter, before);
  while (g_variant_iter_next (&iter, "{&su}", &name, &count))
    {
      gint64 *change = g_hash_table_lookup (delta, name);

      if (change == NULL)
        {
          change = g_new0 (gint64, 1);
          g_hash_table_insert (delta, (gpointer) name, change);
        }
      *change -= count;
    }

  sorted = g_array_new (FALSE, FALSE, sizeof (TypeCount));
  g_hash_table_iter_init (&hiter, delta);
  while (g_hash_table_iter_next (&hiter, &key, &value))
    {
      TypeCount item = { key, *(gint64 *) value };

      if (item.count != 0)
        g_array_append_val (sorted, item);
    }
  g_array_sort (sorted, compare_type_counts);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{si}"));
  for (i = 0; i < sorted->len; i++)
    {
      TypeCount *item = &g_array_index (sorted, TypeCount, i);

      g_variant_builder_add (&builder, "{si}", item->type_name,
                             (gint32) CLAMP (item->count, G_MININT32, G_MAXINT32));
    }
  g_array_unref (sorted);
  g_hash_table_unref (delta);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* ---------------------------------------------------------------------- */
/* The leak report                                                        */

/* The shortest chain of referrers from a root to @target: fills in the
 * via fields from the root on, and returns the root, or NULL if no root
 * leads to @target (only garbage does: a collection frees it). */
static WkGcNode *
find_root_chain (WkGcSnapshot *snap,
                 WkGcNode     *target)
{
  GPtrArray *queue = g_ptr_array_new ();
  WkGcNode *root = NULL;
  guint i, head = 0;

  _wk_gc_snapshot_ensure_parents (snap);
  _wk_gc_snapshot_reset_walk (snap);
  target->seen = TRUE;
  g_ptr_array_add (queue, target);
  while (head < queue->len && root == NULL)
    {
      WkGcNode *node = g_ptr_array_index (queue, head++);

      if (wk_gc_node_is_root (node))
        {
          root = node;
          break;
        }
      for (i = 0; node->parents != NULL && i < node->parents->len; i++)
        {
          WkGcNode *parent = g_ptr_array_index (node->parents, i);

          if (!parent->seen)
            {
              parent->seen = TRUE;
              parent->via = node;
              g_ptr_array_add (queue, parent);
            }
        }
    }
  g_ptr_array_unref (queue);
  return root;
}

static void
print_node (const char *indent,
            WkGcNode   *node)
{
  if (wk_gc_node_is_root (node))
    g_printerr ("wk-gc: %s%s %p (refs %d, %d from outside the tracked objects)\n",
                indent, node->type_name, node->address, node->ref_count, wk_gc_node_from_outside (node));
  else
    g_printerr ("wk-gc: %s%s %p (refs %d)\n", indent, node->type_name, node->address, node->ref_count);
}

/* For the example of one type: the object itself if nothing outside
 * holds it directly; the chain from a root otherwise. */
static void
print_chain (WkGcSnapshot *snap,
             WkGcNode     *example,
             guint         n_of_type)
{
  WkGcNode *root;
  guint links = 0;

  g_printerr ("wk-gc: what keeps a %s alive (%p, one of %u):\n",
              example->type_name, example->address, n_of_type);
  root = find_root_chain (snap, example);
  if (root == NULL)
    {
      g_printerr ("wk-gc:   nothing outside the tracked objects: it is garbage, in a cycle "
                  "that the next collection frees\n");
      return;
    }
  print_node ("  ", root);
  if (root == example)
    g_printerr ("wk-gc:   (a root: held by something other than the tracked objects, "
                "such as a pointer in C, a container or a binding's wrapper)\n");
  for (WkGcNode *node = root->via; node != NULL; node = node->via)
    {
      if (++links > REPORT_MAX_LINKS)
        {
          g_printerr ("wk-gc:     ... (the chain goes on)\n");
          break;
        }
      print_node ("  -> ", node);
    }
}

/* The example of a type: one held only by tracked objects if there is
 * one (its chain says more), the first found otherwise. */
static WkGcNode *
find_example (WkGcSnapshot *snap,
              const char   *type_name)
{
  WkGcNode *first = NULL;
  guint i;

  for (i = 0; i < snap->order->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (snap->order, i);

      if (!node->tracked || strcmp (node->type_name, type_name) != 0)
        continue;
      if (!wk_gc_node_is_root (node))
        return node;
      if (first == NULL)
        first = node;
    }
  return first;
}

void
_wk_gc_census_report_leaks (gboolean at_exit)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);
  WkGcSnapshot snap;
  GArray *sorted;
  guint i, total = 0;

  _wk_gc_snapshot_init (&snap, FALSE);
  for (i = 0; i < snap.order->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (snap.order, i);

      if (node->tracked)
        {
          g_hash_table_insert (counts, (gpointer) node->type_name,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, node->type_name)) + 1));
          total++;
        }
    }
  sorted = sorted_counts (counts);

  if (total == 0)
    g_printerr ("wk-gc: no tracked objects alive%s\n", at_exit ? " at exit (WK_DEBUG=leaks)" : "");
  else
    g_printerr ("wk-gc: %u tracked object%s alive%s, by type:\n", total, total == 1 ? "" : "s",
                at_exit ? " at exit (WK_DEBUG=leaks)" : "");
  for (i = 0; i < sorted->len && i < REPORT_MAX_TYPES; i++)
    {
      TypeCount *item = &g_array_index (sorted, TypeCount, i);

      g_printerr ("wk-gc: %8u  %s\n", (guint) item->count, item->type_name);
    }
  if (sorted->len > REPORT_MAX_TYPES)
    g_printerr ("wk-gc: (and %u more types)\n", sorted->len - REPORT_MAX_TYPES);
  for (i = 0; i < sorted->len && i < REPORT_MAX_CHAINS; i++)
    {
      TypeCount *item = &g_array_index (sorted, TypeCount, i);

      print_chain (&snap, find_example (&snap, item->type_name), (guint) item->count);
    }

  g_array_unref (sorted);
  g_hash_table_unref (counts);
  _wk_gc_snapshot_clear (&snap);
}

/**
 * wk_gc_report_leaks:
 *
 * Prints on stderr what tracked objects are alive: how many of each type
 * ([func@Wk.Gc.get_census]), and for each of the largest groups one
 * object and the shortest chain of references that keeps it alive, from
 * an object referenced from outside the tracked objects (a root of the
 * collector) through what tracked objects hold. An object that no root
 * leads to is garbage that the next collection frees.
 *
 * With the environment variable `WK_DEBUG=leaks` (read when the library
 * is loaded), Wk prints this report at process exit. `WK_DEBUG` takes a
 * list of keys separated by commas, as `G_DEBUG` does: `leaks`,
 * `gc-stats`, `gc-collectable` and `gc-uncollectable` (the last three set
 * the [flags@Wk.GcDebugFlags] of their names), `all`, and `help`, which
 * lists them.
 *
 * It reads the objects as [func@Wk.Gc.write_graph] does; any thread may
 * call it.
 *
 * Since: 0.2
 */
void
wk_gc_report_leaks (void)
{
  _wk_gc_census_report_leaks (FALSE);
}
