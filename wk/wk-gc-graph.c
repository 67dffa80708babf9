/* wk-gc-graph.c: Graphviz graphs of what keeps objects alive
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * From a snapshot (wk-gc-snapshot.c): the objects a given number of
 * references away from the ones asked about, forward or backward, and
 * every reference among them, as DOT text, rendered by Graphviz's dot
 * when the file name asks for a picture.
 */

#include "config.h"

#include <string.h>

#include "wk-gc.h"
#include "wk-gc-snapshot-private.h"

/* Marks as drawn what is at most @max_depth references from the start
 * nodes, forward (referents) or backward (referrers), breadth first;
 * appends each newly drawn node to @drawn. */
static void
walk (WkGcSnapshot *snap,
      GPtrArray    *starts,
      guint         max_depth,
      gboolean      forward,
      GPtrArray    *drawn)
{
  GPtrArray *queue = g_ptr_array_new ();
  guint i, j, head = 0;

  _wk_gc_snapshot_reset_walk (snap);
  for (i = 0; i < starts->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (starts, i);

      if (!node->seen)
        {
          node->seen = TRUE;
          g_ptr_array_add (queue, node);
        }
    }
  while (head < queue->len)
    {
      WkGcNode *node = g_ptr_array_index (queue, head++);
      GPtrArray *lists[2] = { forward ? node->children : node->parents,
                              forward ? node->ephemerons : NULL };

      if (!node->drawn)
        {
          node->drawn = TRUE;
          g_ptr_array_add (drawn, node);
        }
      if (node->depth >= max_depth)
        continue;
      for (i = 0; i < G_N_ELEMENTS (lists); i++)
        for (j = 0; lists[i] != NULL && j < lists[i]->len; j++)
          {
            WkGcNode *next = g_ptr_array_index (lists[i], j);

            if (!next->seen)
              {
                next->seen = TRUE;
                next->depth = node->depth + 1;
                g_ptr_array_add (queue, next);
              }
          }
    }
  g_ptr_array_unref (queue);
}

static gboolean
all_drawn (GPtrArray *nodes)
{
  guint i;

  for (i = 0; nodes != NULL && i < nodes->len; i++)
    if (!((WkGcNode *) g_ptr_array_index (nodes, i))->drawn)
      return FALSE;
  return TRUE;
}

static void
append_node_name (GString  *dot,
                  WkGcNode *node)
{
  g_string_append_printf (dot, "o%" G_GINTPTR_MODIFIER "x", (guintptr) node->address);
}

/* A DOT string's contents: quotes and backslashes escaped. */
static void
append_escaped (GString    *dot,
                const char *text)
{
  for (; *text != '\0'; text++)
    {
      if (*text == '"' || *text == '\\')
        g_string_append_c (dot, '\\');
      g_string_append_c (dot, *text);
    }
}

static void
append_node (GString        *dot,
             WkGcNode       *node,
             WkGcGraphFlags  flags)
{
  gboolean root = wk_gc_node_is_root (node);
  gboolean cut = ((flags & WK_GC_GRAPH_REFERENTS) &&
                  !(all_drawn (node->children) && all_drawn (node->ephemerons))) ||
                 ((flags & WK_GC_GRAPH_REFERRERS) && !all_drawn (node->parents));

  g_string_append (dot, "  ");
  append_node_name (dot, node);
  g_string_append (dot, " [label=\"");
  append_escaped (dot, node->type_name);
  g_string_append_printf (dot, "\\n%p\\nrefs %d", node->address, node->ref_count);
  if (root)
    g_string_append_printf (dot, " (%d from outside)", wk_gc_node_from_outside (node));
  g_string_append_printf (dot, ", weak refs %u\"", node->weak_refs);
  /* Tracked objects are rounded boxes, other GObjects ellipses; roots
   * orange, what only tracked objects hold blue. */
  if (!node->tracked)
    g_string_append (dot, ", shape=ellipse");
  g_string_append_printf (dot, ", style=\"%s%s\"",
                          node->tracked ? "rounded,filled" : "filled", cut ? ",dashed" : "");
  if (root)
    g_string_append (dot, ", fillcolor=\"#ffd8a8\", color=\"#d9480f\", penwidth=2");
  else if (node->tracked)
    g_string_append (dot, ", fillcolor=\"#d0ebff\", color=\"#1864ab\"");
  else
    g_string_append (dot, ", fillcolor=\"#f1f3f5\", color=\"#868e96\"");
  if (node->start)
    g_string_append (dot, ", peripheries=2");
  g_string_append (dot, "];\n");
}

/* One edge per pair of drawn nodes, whatever the number of references
 * (a label says how many if more than one). */
static void
append_edges (GString    *dot,
              WkGcNode   *from,
              GPtrArray  *targets,
              const char *extra)
{
  guint i, j;

  for (i = 0; targets != NULL && i < targets->len; i++)
    {
      WkGcNode *to = g_ptr_array_index (targets, i);
      guint n = 0;
      gboolean first = TRUE;

      if (!to->drawn)
        continue;
      for (j = 0; j < targets->len; j++)
        if (g_ptr_array_index (targets, j) == to)
          {
            first = first && j >= i;
            n++;
          }
      if (!first)
        continue;
      g_string_append (dot, "  ");
      append_node_name (dot, from);
      g_string_append (dot, " -> ");
      append_node_name (dot, to);
      if (n > 1 || extra != NULL)
        {
          g_string_append (dot, " [");
          if (n > 1)
            g_string_append_printf (dot, "label=\"%u refs\"%s", n, extra != NULL ? ", " : "");
          if (extra != NULL)
            g_string_append (dot, extra);
          g_string_append (dot, "]");
        }
      g_string_append (dot, ";\n");
    }
}

static char *
graph_to_dot (GPtrArray      *drawn,
              guint           n_starts,
              guint           max_depth,
              WkGcGraphFlags  flags)
{
  GString *dot = g_string_new (NULL);
  const char *what = (flags & WK_GC_GRAPH_REFERENTS) && (flags & WK_GC_GRAPH_REFERRERS)
                       ? "referents and referrers"
                       : (flags & WK_GC_GRAPH_REFERENTS) ? "referents" : "referrers";
  char *distance = max_depth == G_MAXUINT ? g_strdup ("any number of references")
                   : g_strdup_printf ("at most %u reference%s", max_depth, max_depth == 1 ? "" : "s");
  guint i;

  g_string_append_printf (dot,
    "/* wk_gc_write_graph (): the %s of %u object%s, %s away.\n"
    " * Render it with: dot -Tsvg -o graph.svg THIS-FILE */\n",
    what, n_starts, n_starts == 1 ? "" : "s", distance);
  g_string_append (dot, "digraph wk_gc {\n");
  /* The legend, left-aligned lines under the graph. */
  g_string_append_printf (dot,
    "  graph [fontname=\"sans-serif\", fontsize=9, labeljust=l, label=\""
    "Wk: the %s of %u object%s (double border), %s away\\l"
    "orange: referenced from outside the tracked objects, a root of the collector\\l"
    "blue: held by tracked objects only\\l"
    "ellipse: not tracked; dashed border: has references not drawn\\l\"];\n",
    what, n_starts, n_starts == 1 ? "" : "s", distance);
  g_free (distance);
  g_string_append (dot, "  node [shape=box, fontname=\"sans-serif\", fontsize=10];\n");
  g_string_append (dot, "  edge [color=\"#495057\", fontname=\"sans-serif\", fontsize=9];\n");
  for (i = 0; i < drawn->len; i++)
    append_node (dot, g_ptr_array_index (drawn, i), flags);
  for (i = 0; i < drawn->len; i++)
    {
      WkGcNode *node = g_ptr_array_index (drawn, i);

      append_edges (dot, node, node->children, NULL);
      append_edges (dot, node, node->ephemerons, "style=dashed, label=\"ephemeron\"");
    }
  g_string_append (dot, "}\n");
  return g_string_free (dot, FALSE);
}

/* "png" or "svg" if @filename ends with one (in any case), else NULL. */
static const char *
render_format (const char *filename)
{
  const char *dot = strrchr (filename, '.');

  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return NULL;
  if (g_ascii_strcasecmp (dot, ".svg") == 0)
    return "svg";
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    return "png";
  return NULL;
}

static gboolean
render (const char  *dot_file,
        const char  *format,
        const char  *filename,
        GError     **error)
{
  char *dot = g_find_program_in_path ("dot");
  char *type = g_strconcat ("-T", format, NULL);
  char *errors = NULL;
  const char *argv[] = { dot, type, "-o", filename, dot_file, NULL };
  GError *local_error = NULL;
  gint status;
  gboolean ok = FALSE;

  if (dot == NULL)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                   "Cannot render %s: Graphviz's dot program is not on PATH (install graphviz); "
                   "the graph is in %s", filename, dot_file);
      goto out;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &errors, &status, &local_error))
    {
      g_set_error (error, G_SPAWN_ERROR, local_error->code,
                   "Cannot render %s: cannot run %s: %s; the graph is in %s",
                   filename, dot, local_error->message, dot_file);
      g_error_free (local_error);
      goto out;
    }
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "Cannot render %s: %s failed (%s): %s; the graph is in %s",
                   filename, dot, local_error->message,
                   errors != NULL ? g_strstrip (errors) : "", dot_file);
      g_error_free (local_error);
      goto out;
    }
  ok = TRUE;

out:
  g_free (errors);
  g_free (type);
  g_free (dot);
  return ok;
}

/**
 * wk_gc_write_graph:
 * @roots: (array length=n_roots) (nullable): the objects to start from
 * @n_roots: the number of objects in @roots
 * @max_depth: how many references away from @roots to go (0 draws
 *   @roots alone, %G_MAXUINT everything they lead to)
 * @flags: which way to follow references, [flags@Wk.GcGraphFlags]
 * @filename: (type filename): where to write the graph: a `.svg` or
 *   `.png` file is rendered with Graphviz, anything else gets the DOT
 *   text itself
 * @error: return location for a #GError, or %NULL
 *
 * Draws what keeps objects alive, as objgraph's `show_refs()` and
 * `show_backrefs()` do for Python objects: a [Graphviz](https://graphviz.org)
 * graph of the objects at most @max_depth references away from @roots,
 * following the references that traverse functions report (those of
 * [method@Wk.Object.hold]) forward with %WK_GC_GRAPH_REFERENTS or
 * backward with %WK_GC_GRAPH_REFERRERS, and every such reference among
 * them; a weak key dict's entry whose key and value are both tracked is
 * a dashed edge from the key to the value.
 *
 * Each node shows the object's type, address, reference count and
 * number of [class@Wk.Ref]s. A node whose count is higher than the
 * number of references tracked objects report is referenced from outside
 * them, a root of the collector, and is drawn orange (with how many such
 * references it has); blue nodes are held by tracked objects only, and
 * where no orange node leads to them, a collection frees them. The
 * references @roots themselves take count: pass borrowed pointers to
 * see a cycle as the collector sees it. Objects that are not tracked are
 * ellipses, the objects of @roots have a double border, and a dashed
 * border says that the object has references that @max_depth left out.
 *
 * With a @filename ending in `.svg` or `.png`, the DOT text goes to the
 * same name with the extension `.dot`, and Graphviz's `dot` program
 * renders it into @filename. Without `dot` on `PATH`, or if it fails,
 * the `.dot` file is still written and @error is set
 * (%G_SPAWN_ERROR_NOENT, %G_SPAWN_ERROR_FAILED). Writing may fail with a
 * %G_FILE_ERROR.
 *
 * The graph is a snapshot, read in one pass over every tracked object
 * under the tracking lock, like a collection's; no reference is taken,
 * and nothing of the caller's runs meanwhile. Any thread may call it.
 *
 * Returns: %TRUE if the graph was written (and rendered, for `.svg` or
 *   `.png`), %FALSE with @error set otherwise
 *
 * Since: 0.2
 */
gboolean
wk_gc_write_graph (GObject *const  *roots,
                   guint            n_roots,
                   guint            max_depth,
                   WkGcGraphFlags   flags,
                   const char      *filename,
                   GError         **error)
{
  const WkGcGraphFlags directions = WK_GC_GRAPH_REFERENTS | WK_GC_GRAPH_REFERRERS;
  const char *format;
  WkGcSnapshot snap;
  GPtrArray *starts, *drawn;
  char *dot, *dot_file;
  gboolean ok;
  guint i;

  g_return_val_if_fail (roots != NULL || n_roots == 0, FALSE);
  for (i = 0; i < n_roots; i++)
    g_return_val_if_fail (G_IS_OBJECT (roots[i]), FALSE);
  g_return_val_if_fail ((flags & directions) != 0 && (flags & ~directions) == 0, FALSE);
  g_return_val_if_fail (filename != NULL && filename[0] != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _wk_gc_snapshot_init (&snap, TRUE);
  starts = g_ptr_array_new ();
  for (i = 0; i < n_roots; i++)
    {
      /* One the snapshot read, or (an object no tracked one holds, not
       * tracked itself) read now, through the caller's reference. */
      WkGcNode *node = _wk_gc_snapshot_node (&snap, roots[i]);

      node->start = TRUE;
      g_ptr_array_add (starts, node);
    }
  if (flags & WK_GC_GRAPH_REFERRERS)
    _wk_gc_snapshot_ensure_parents (&snap);

  drawn = g_ptr_array_new ();
  if (flags & WK_GC_GRAPH_REFERENTS)
    walk (&snap, starts, max_depth, TRUE, drawn);
  if (flags & WK_GC_GRAPH_REFERRERS)
    walk (&snap, starts, max_depth, FALSE, drawn);
  dot = graph_to_dot (drawn, n_roots, max_depth, flags);
  g_ptr_array_unref (drawn);
  g_ptr_array_unref (starts);
  _wk_gc_snapshot_clear (&snap);

  format = render_format (filename);
  if (format != NULL)
    {
      const char *extension = strrchr (filename, '.');

      dot_file = g_strdup_printf ("%.*s.dot", (int) (extension - filename), filename);
    }
  else
    dot_file = g_strdup (filename);

  ok = g_file_set_contents (dot_file, dot, -1, error);
  if (ok && format != NULL)
    ok = render (dot_file, format, filename, error);
  g_free (dot_file);
  g_free (dot);
  return ok;
}
