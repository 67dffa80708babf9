/* collector-graphs.c: draws the figures of collector.md with
 * wk_gc_write_graph (), the cycle of examples/cycle.c before and after a
 * collection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The SVG files are committed; to make them again (Graphviz's dot on
 * PATH, a build in _build), from the source root:
 *
 *   meson devenv -C _build sh -c 'cc -o collector-graphs \
 *     ../docs/reference/collector-graphs.c $(pkg-config --cflags --libs wk-1) \
 *     && ./collector-graphs ../docs/reference'
 *
 * It writes collector-cycle-before.svg and collector-cycle-after.svg
 * into the directory it is given (and removes the .dot files next to
 * them). The addresses in the labels change from run to run.
 */

#include <glib/gstdio.h>
#include <wk/wk.h>

/* A WkObject subclass per node, so that each label says which it is. */
static WkObject *
node_new (const char *type_name)
{
  GType type = g_type_register_static_simple (WK_TYPE_OBJECT, g_intern_string (type_name),
                                              sizeof (WkObjectClass), NULL,
                                              sizeof (WkObject), NULL, 0);

  return g_object_new (type, NULL);
}

static void
on_dead (WkRef    *ref,
         gpointer  user_data)
{
  g_print ("  weak ref callback: %s is dead\n", (const char *) user_data);
}

static gboolean
draw (GObject    *start,
      const char *dir,
      const char *name)
{
  char *svg = g_strdup_printf ("%s/%s.svg", dir, name);
  char *dot = g_strdup_printf ("%s/%s.dot", dir, name);
  GError *error = NULL;
  gboolean ok;

  /* A borrowed pointer: a reference of our own would show as one from
   * outside the tracked objects. */
  ok = wk_gc_write_graph (&start, 1, G_MAXUINT, WK_GC_GRAPH_REFERENTS, svg, &error);
  if (ok)
    g_print ("  wrote %s\n", svg);
  else
    {
      g_printerr ("collector-graphs: %s\n", error->message);
      g_error_free (error);
    }
  g_remove (dot);
  g_free (dot);
  g_free (svg);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = argc > 1 ? argv[1] : ".";
  WkObject *a, *b, *c;
  WkRef *refs[3];
  GPtrArray *garbage;
  guint i, found;
  gboolean ok;

  /* Collections only when asked for. */
  wk_gc_disable ();

  a = node_new ("NodeA");
  b = node_new ("NodeB");
  c = node_new ("NodeC");
  wk_object_hold (a, G_OBJECT (b));
  wk_object_hold (b, G_OBJECT (c));
  wk_object_hold (c, G_OBJECT (a));
  refs[0] = wk_ref_new (a, on_dead, (gpointer) "A", NULL);
  refs[1] = wk_ref_new (b, on_dead, (gpointer) "B", NULL);
  refs[2] = wk_ref_new (c, on_dead, (gpointer) "C", NULL);
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);

  g_print ("A -> B -> C -> A, the program's own references dropped:\n");
  ok = draw (G_OBJECT (a), dir, "collector-cycle-before");

  /* SAVEALL keeps the garbage, in the garbage list, so that it can be
   * drawn after the collection: its weak references are dead, and the
   * list's reference is one from outside. */
  wk_gc_set_debug (WK_GC_DEBUG_SAVEALL);
  g_print ("wk_gc_collect (-1) with WK_GC_DEBUG_SAVEALL:\n");
  found = wk_gc_collect (-1);
  g_print ("  %u unreachable objects\n", found);
  ok = draw (G_OBJECT (a), dir, "collector-cycle-after") && ok && found == 3;

  garbage = wk_gc_get_garbage ();
  for (i = 0; i < garbage->len; i++)
    g_object_unref (g_ptr_array_index (garbage, i));
  g_ptr_array_unref (garbage);
  for (i = 0; i < G_N_ELEMENTS (refs); i++)
    g_object_unref (refs[i]);
  return ok ? 0 : 1;
}
