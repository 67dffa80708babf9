/* gc-graph.c: tests for what the collector shows: the census, the
 * Graphviz graphs of referents and referrers, and the leak report
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The graph tests parse the DOT text that wk_gc_write_graph() writes and
 * compare its nodes and edges with the graph they built; with Graphviz
 * installed (Debian: graphviz), they also render it with dot -Tsvg.
 */

#include <string.h>

#include <glib/gstdio.h>
#include <wk/wk.h>

#include "wk-test-util.h"

/* A WkObject subclass of a given name, so that each test counts objects
 * of its own types only. */
static GType
test_type (const char *name)
{
  GType type = g_type_from_name (name);

  if (type == 0)
    type = g_type_register_static_simple (WK_TYPE_OBJECT, g_intern_string (name),
                                          sizeof (WkObjectClass), NULL,
                                          sizeof (WkObject), NULL, 0);
  return type;
}

static WkObject *
object_of (const char *type_name)
{
  return g_object_new (test_type (type_name), NULL);
}

/* The count of @type_name in a census, 0 if absent. */
static guint
census_count (GVariant   *census,
              const char *type_name)
{
  guint32 count = 0;

  g_assert_true (g_variant_lookup (census, type_name, "u", &count) || count == 0);
  return count;
}

static gint
diff_of (GVariant   *diff,
         const char *type_name)
{
  gint32 change = 0;

  g_variant_lookup (diff, type_name, "i", &change);
  return change;
}

static void
test_census (void)
{
  GVariant *before, *census, *after, *diff;
  GPtrArray *keep = g_ptr_array_new_with_free_func (g_object_unref);
  const char *previous_name = NULL;
  guint32 previous = G_MAXUINT32;
  GVariantIter iter;
  const char *name;
  guint32 count;
  guint i;

  before = wk_gc_get_census ();
  g_assert_true (g_variant_is_of_type (before, G_VARIANT_TYPE ("a{su}")));
  g_assert_false (g_variant_is_floating (before));
  g_assert_cmpuint (census_count (before, "TestCensusMany"), ==, 0);

  for (i = 0; i < 5; i++)
    g_ptr_array_add (keep, object_of ("TestCensusMany"));
  for (i = 0; i < 2; i++)
    g_ptr_array_add (keep, object_of ("TestCensusFew"));
  /* Untracked objects are not counted. */
  g_ptr_array_add (keep, g_object_new (G_TYPE_OBJECT, NULL));

  census = wk_gc_get_census ();
  g_assert_cmpuint (census_count (census, "TestCensusMany"), ==, 5);
  g_assert_cmpuint (census_count (census, "TestCensusFew"), ==, 2);
  g_assert_cmpuint (census_count (census, "GObject"), ==, 0);

  /* Most numerous first, then by name. */
  g_variant_iter_init (&iter, census);
  while (g_variant_iter_next (&iter, "{&su}", &name, &count))
    {
      g_assert_cmpuint (count, >, 0);
      g_assert_cmpuint (count, <=, previous);
      if (count == previous)
        g_assert_cmpint (strcmp (previous_name, name), <, 0);
      previous = count;
      previous_name = name;
    }

  /* Frozen objects count; dead ones do not. */
  wk_gc_freeze ();
  g_ptr_array_remove_index (keep, 0);
  after = wk_gc_get_census ();
  wk_gc_unfreeze ();
  g_assert_cmpuint (census_count (after, "TestCensusMany"), ==, 4);

  diff = wk_gc_census_diff (before, after);
  g_assert_true (g_variant_is_of_type (diff, G_VARIANT_TYPE ("a{si}")));
  g_assert_false (g_variant_is_floating (diff));
  g_assert_cmpint (diff_of (diff, "TestCensusMany"), ==, 4);
  g_assert_cmpint (diff_of (diff, "TestCensusFew"), ==, 2);
  g_variant_unref (diff);

  /* Shrinking is negative, growth comes first, and what did not change
   * is left out. */
  diff = wk_gc_census_diff (census, after);
  g_assert_cmpuint (g_variant_n_children (diff), ==, 1);
  g_assert_cmpint (diff_of (diff, "TestCensusMany"), ==, -1);
  g_variant_unref (diff);
  diff = wk_gc_census_diff (after, census);
  g_assert_cmpuint (g_variant_n_children (diff), ==, 1);
  g_assert_cmpint (diff_of (diff, "TestCensusMany"), ==, 1);
  g_variant_unref (diff);
  {
    GVariant *x = g_variant_ref_sink (g_variant_new_parsed ("{'A': uint32 1, 'B': 5, 'C': 7}"));
    GVariant *y = g_variant_ref_sink (g_variant_new_parsed ("{'B': uint32 9, 'C': 7, 'D': 2, 'E': 1}"));
    char *text;

    diff = wk_gc_census_diff (x, y);
    text = g_variant_print (diff, FALSE);
    g_assert_cmpstr (text, ==, "{'B': 4, 'D': 2, 'E': 1, 'A': -1}");
    g_free (text);
    g_variant_unref (diff);
    g_variant_unref (x);
    g_variant_unref (y);
  }

  g_ptr_array_unref (keep);
  g_variant_unref (after);
  g_variant_unref (census);
  after = wk_gc_get_census ();
  g_assert_cmpuint (census_count (after, "TestCensusMany"), ==, 0);
  g_assert_cmpuint (census_count (after, "TestCensusFew"), ==, 0);
  g_variant_unref (after);
  g_variant_unref (before);
}

/* ---- reading our own DOT ---------------------------------------------- */

typedef struct
{
  GHashTable *letters;   /* node name ("o<address>") -> letter, given by the test */
  GHashTable *nodes;     /* letter -> attributes */
  GPtrArray  *edges;     /* "X->Y" or "X->Y[attributes]", letters */
} Graph;

static char *
node_name (gpointer object)
{
  return g_strdup_printf ("o%" G_GINTPTR_MODIFIER "x", (guintptr) object);
}

static Graph *
graph_new (void)
{
  Graph *graph = g_new0 (Graph, 1);

  graph->letters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  graph->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  graph->edges = g_ptr_array_new_with_free_func (g_free);
  return graph;
}

/* The test's name for @object in what graph_parse() reports. */
static void
graph_name (Graph      *graph,
            gpointer    object,
            const char *letter)
{
  g_hash_table_insert (graph->letters, node_name (object), g_strdup (letter));
}

static void
graph_free (Graph *graph)
{
  g_hash_table_unref (graph->letters);
  g_hash_table_unref (graph->nodes);
  g_ptr_array_unref (graph->edges);
  g_free (graph);
}

static const char *
letter_of (Graph      *graph,
           const char *name)
{
  const char *letter = g_hash_table_lookup (graph->letters, name);

  if (letter == NULL)
    g_error ("the graph has a node the test did not make: %s", name);
  return letter;
}

/* Every statement of the file is one line: a node, an edge, or the
 * graph's own lines. */
static void
graph_parse (Graph      *graph,
             const char *path)
{
  GRegex *node_re = g_regex_new ("^  (o[0-9a-f]+) \\[(.*)\\];$", 0, 0, NULL);
  GRegex *edge_re = g_regex_new ("^  (o[0-9a-f]+) -> (o[0-9a-f]+)( \\[(.*)\\])?;$", 0, 0, NULL);
  char *text = NULL;
  char **lines;
  guint i;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "/*"));
  g_assert_nonnull (strstr (text, "\ndigraph wk_gc {\n"));
  g_assert_true (g_str_has_suffix (text, "\n}\n"));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      GMatchInfo *match;

      if (g_regex_match (node_re, lines[i], 0, &match))
        {
          char *name = g_match_info_fetch (match, 1);
          const char *letter = letter_of (graph, name);

          g_assert_false (g_hash_table_contains (graph->nodes, letter));
          g_hash_table_insert (graph->nodes, g_strdup (letter), g_match_info_fetch (match, 2));
          g_free (name);
        }
      else
        {
          g_match_info_free (match);
          if (g_regex_match (edge_re, lines[i], 0, &match))
            {
              char *from = g_match_info_fetch (match, 1);
              char *to = g_match_info_fetch (match, 2);
              char *attributes = g_match_info_fetch (match, 4);

              g_ptr_array_add (graph->edges,
                               g_strdup_printf ("%s->%s%s%s%s", letter_of (graph, from), letter_of (graph, to),
                                                *attributes != '\0' ? "[" : "", attributes,
                                                *attributes != '\0' ? "]" : ""));
              g_free (from);
              g_free (to);
              g_free (attributes);
            }
        }
      g_match_info_free (match);
    }
  g_strfreev (lines);
  g_free (text);
  g_regex_unref (node_re);
  g_regex_unref (edge_re);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The nodes, sorted, comma-separated. */
static char *
graph_nodes (Graph *graph)
{
  GPtrArray *letters = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer letter;
  char *joined;

  g_hash_table_iter_init (&iter, graph->nodes);
  while (g_hash_table_iter_next (&iter, &letter, NULL))
    g_ptr_array_add (letters, letter);

  g_ptr_array_sort (letters, compare_strings);
  g_ptr_array_add (letters, NULL);
  joined = g_strjoinv (",", (char **) letters->pdata);
  g_ptr_array_unref (letters);
  return joined;
}

static char *
graph_edges (Graph *graph)
{
  GPtrArray *edges = g_ptr_array_new ();
  char *joined;
  guint i;

  for (i = 0; i < graph->edges->len; i++)
    g_ptr_array_add (edges, g_ptr_array_index (graph->edges, i));

  g_ptr_array_sort (edges, compare_strings);
  g_ptr_array_add (edges, NULL);
  joined = g_strjoinv (",", (char **) edges->pdata);
  g_ptr_array_unref (edges);
  return joined;
}

#define assert_graph(graph, expected_nodes, expected_edges) G_STMT_START {  \
  char *nodes_ = graph_nodes (graph), *edges_ = graph_edges (graph);        \
  g_assert_cmpstr (nodes_, ==, (expected_nodes));                           \
  g_assert_cmpstr (edges_, ==, (expected_edges));                           \
  g_free (nodes_);                                                          \
  g_free (edges_);                                                          \
} G_STMT_END

static gboolean
node_has (Graph      *graph,
          const char *letter,
          const char *attribute)
{
  const char *attributes = g_hash_table_lookup (graph->nodes, letter);

  g_assert_nonnull (attributes);
  return strstr (attributes, attribute) != NULL;
}

#define ROOT_STYLE   "fillcolor=\"#ffd8a8\""
#define HELD_STYLE   "fillcolor=\"#d0ebff\""
#define PLAIN_STYLE  "shape=ellipse"
#define START_STYLE  "peripheries=2"

/* The graph of the tests:
 *
 *   D -> A -> B -> C -> A,   C -> P twice,   W: a WkRef to B
 *
 * A, B, C and D are WkObjects, P a plain GObject. The test keeps a
 * reference to A and D only, so A is referenced from outside (a root),
 * and D too; B, C and P are held by tracked objects only. */
typedef struct
{
  WkObject *a, *b, *c, *d;
  GObject  *p;
  WkRef    *w;
  char     *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->a = object_of ("TestGraphNode");
  f->b = object_of ("TestGraphNode");
  f->c = object_of ("TestGraphNode");
  f->d = object_of ("TestGraphHolder");
  f->p = g_object_new (G_TYPE_OBJECT, NULL);
  wk_object_hold (f->d, G_OBJECT (f->a));
  wk_object_hold (f->a, G_OBJECT (f->b));
  wk_object_hold (f->b, G_OBJECT (f->c));
  wk_object_hold (f->c, G_OBJECT (f->a));
  wk_object_hold (f->c, f->p);
  wk_object_hold (f->c, f->p);
  f->w = wk_ref_new (f->b, NULL, NULL, NULL);
  g_object_unref (f->b);
  g_object_unref (f->c);
  g_object_unref (f->p);
  f->dir = g_dir_make_tmp ("wk-gc-graph-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GDir *dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
      g_free (path);
    }
  g_dir_close (dir);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);

  g_object_unref (f->d);
  g_object_unref (f->a);
  g_assert_true (wk_ref_is_alive (f->w));   /* the cycle */
  g_assert_cmpuint (wk_gc_collect (-1), ==, 3);
  g_assert_false (wk_ref_is_alive (f->w));
  g_object_unref (f->w);
}

static Graph *
fixture_graph (Fixture *f)
{
  Graph *graph = graph_new ();

  graph_name (graph, f->a, "A");
  graph_name (graph, f->b, "B");
  graph_name (graph, f->c, "C");
  graph_name (graph, f->d, "D");
  graph_name (graph, f->p, "P");
  return graph;
}

static char *
fixture_path (Fixture    *f,
              const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
test_graph_referents (Fixture       *f,
                      gconstpointer  data)
{
  char *path = fixture_path (f, "referents.dot");
  Graph *graph = fixture_graph (f);
  GError *error = NULL;

  g_assert_true (wk_gc_write_graph ((GObject **) &f->a, 1, G_MAXUINT, WK_GC_GRAPH_REFERENTS, path, &error));
  g_assert_no_error (error);
  graph_parse (graph, path);
  /* D holds A, but is not a referent of it. */
  assert_graph (graph, "A,B,C,P", "A->B,B->C,C->A,C->P[label=\"2 refs\"]");

  /* Types, addresses, counts, weak refs. */
  g_assert_true (node_has (graph, "A", "label=\"TestGraphNode\\n0x"));
  g_assert_true (node_has (graph, "A", "refs 3 (1 from outside), weak refs 0\""));
  g_assert_true (node_has (graph, "B", "refs 1, weak refs 1\""));
  g_assert_true (node_has (graph, "P", "label=\"GObject\\n0x"));
  g_assert_true (node_has (graph, "P", "refs 2, weak refs 0\""));
  /* The root, what only tracked objects hold, what is not tracked, and
   * the object asked about. */
  g_assert_true (node_has (graph, "A", ROOT_STYLE));
  g_assert_true (node_has (graph, "B", HELD_STYLE));
  g_assert_true (node_has (graph, "C", HELD_STYLE));
  g_assert_true (node_has (graph, "P", PLAIN_STYLE));
  g_assert_false (node_has (graph, "B", PLAIN_STYLE));
  g_assert_true (node_has (graph, "A", START_STYLE));
  g_assert_false (node_has (graph, "B", START_STYLE));
  /* Nothing left out. */
  g_assert_false (node_has (graph, "A", "dashed"));
  g_assert_false (node_has (graph, "C", "dashed"));

  graph_free (graph);
  g_free (path);
}

static void
test_graph_referrers (Fixture       *f,
                      gconstpointer  data)
{
  char *path = fixture_path (f, "referrers.gv");
  Graph *graph = fixture_graph (f);

  g_assert_true (wk_gc_write_graph ((GObject **) &f->c, 1, G_MAXUINT, WK_GC_GRAPH_REFERRERS, path, NULL));
  graph_parse (graph, path);
  /* P is a referent of C, not a referrer. */
  assert_graph (graph, "A,B,C,D", "A->B,B->C,C->A,D->A");
  g_assert_true (node_has (graph, "C", START_STYLE));
  g_assert_true (node_has (graph, "D", ROOT_STYLE));
  g_assert_true (node_has (graph, "D", "label=\"TestGraphHolder\\n"));
  graph_free (graph);

  /* Both ways from B: the union. */
  graph = fixture_graph (f);
  g_assert_true (wk_gc_write_graph ((GObject **) &f->b, 1, G_MAXUINT,
                                    WK_GC_GRAPH_REFERENTS | WK_GC_GRAPH_REFERRERS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "A,B,C,D,P", "A->B,B->C,C->A,C->P[label=\"2 refs\"],D->A");
  graph_free (graph);

  /* Two objects asked about; a plain GObject nobody tracked holds. */
  graph = fixture_graph (f);
  {
    GObject *lone = g_object_new (G_TYPE_OBJECT, NULL);
    GObject *roots[] = { G_OBJECT (f->d), lone };

    graph_name (graph, lone, "L");
    g_assert_true (wk_gc_write_graph (roots, 2, 0, WK_GC_GRAPH_REFERRERS, path, NULL));
    graph_parse (graph, path);
    assert_graph (graph, "D,L", "");
    g_assert_true (node_has (graph, "L", PLAIN_STYLE));
    g_assert_true (node_has (graph, "L", START_STYLE));
    g_assert_true (node_has (graph, "L", "refs 1 (1 from outside), weak refs 0"));
    g_object_unref (lone);
  }
  graph_free (graph);
  g_free (path);
}

static void
test_graph_max_depth (Fixture       *f,
                      gconstpointer  data)
{
  char *path = fixture_path (f, "depth.dot");
  Graph *graph = fixture_graph (f);

  g_assert_true (wk_gc_write_graph ((GObject **) &f->a, 1, 1, WK_GC_GRAPH_REFERENTS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "A,B", "A->B");
  g_assert_false (node_has (graph, "A", "dashed"));
  g_assert_true (node_has (graph, "B", "dashed"));   /* B -> C is left out */
  graph_free (graph);

  /* Depth 2: C's edge back to A closes the cycle, though A -> B -> C is
   * as far as it goes; P is left out. */
  graph = fixture_graph (f);
  g_assert_true (wk_gc_write_graph ((GObject **) &f->a, 1, 2, WK_GC_GRAPH_REFERENTS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "A,B,C", "A->B,B->C,C->A");
  g_assert_true (node_has (graph, "C", "dashed"));
  graph_free (graph);

  /* Depth 0: the objects alone. */
  graph = fixture_graph (f);
  g_assert_true (wk_gc_write_graph ((GObject **) &f->a, 1, 0, WK_GC_GRAPH_REFERRERS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "A", "");
  g_assert_true (node_has (graph, "A", "dashed"));
  graph_free (graph);

  /* Referrers, depth 1 from B: A only. */
  graph = fixture_graph (f);
  g_assert_true (wk_gc_write_graph ((GObject **) &f->b, 1, 1, WK_GC_GRAPH_REFERRERS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "A,B", "A->B");
  g_assert_true (node_has (graph, "A", "dashed"));
  g_assert_false (node_has (graph, "B", "dashed"));
  graph_free (graph);

  /* Nothing asked about: an empty graph. */
  graph = fixture_graph (f);
  g_assert_true (wk_gc_write_graph (NULL, 0, 3, WK_GC_GRAPH_REFERENTS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "", "");
  graph_free (graph);
  g_free (path);
}

/* What the collector sees of a cycle nobody else holds: no root. */
static void
test_graph_garbage (void)
{
  WkObject *a = object_of ("TestGraphNode");
  WkObject *b = object_of ("TestGraphNode");
  char *dir = g_dir_make_tmp ("wk-gc-graph-XXXXXX", NULL);
  char *path = g_build_filename (dir, "garbage.dot", NULL);
  Graph *graph = graph_new ();

  wk_object_hold (a, G_OBJECT (b));
  wk_object_hold (b, G_OBJECT (a));
  g_object_unref (b);
  g_object_unref (a);
  /* A borrowed pointer: the cycle keeps it alive, nothing collects it
   * meanwhile (no automatic collection in this program). */
  g_assert_true (wk_gc_write_graph ((GObject **) &a, 1, 5, WK_GC_GRAPH_REFERENTS, path, NULL));
  graph_name (graph, a, "A");
  graph_name (graph, b, "B");
  graph_parse (graph, path);
  assert_graph (graph, "A,B", "A->B,B->A");
  g_assert_true (node_has (graph, "A", HELD_STYLE));
  g_assert_true (node_has (graph, "B", HELD_STYLE));
  g_assert_true (node_has (graph, "A", "refs 1, weak refs 0"));
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);

  graph_free (graph);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (path);
  g_free (dir);
}

/* A weak key dict's entry, key -> value, is an ephemeron edge; the
 * dict's reference on the value is not one from outside. */
static void
test_graph_ephemeron (void)
{
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  WkObject *key = object_of ("TestGraphNode");
  WkObject *value = object_of ("TestGraphNode");
  char *dir = g_dir_make_tmp ("wk-gc-graph-XXXXXX", NULL);
  char *path = g_build_filename (dir, "ephemeron.dot", NULL);
  Graph *graph = graph_new ();
  GValue gvalue = G_VALUE_INIT;

  g_value_init (&gvalue, WK_TYPE_OBJECT);
  g_value_set_object (&gvalue, value);
  wk_weak_key_dict_insert_value (dict, G_OBJECT (key), &gvalue);
  g_value_unset (&gvalue);
  g_object_unref (value);

  graph_name (graph, key, "K");
  graph_name (graph, value, "V");
  g_assert_true (wk_gc_write_graph ((GObject **) &key, 1, 3, WK_GC_GRAPH_REFERENTS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "K,V", "K->V[style=dashed, label=\"ephemeron\"]");
  g_assert_true (node_has (graph, "V", HELD_STYLE));
  graph_free (graph);

  graph = graph_new ();
  graph_name (graph, key, "K");
  graph_name (graph, value, "V");
  g_assert_true (wk_gc_write_graph ((GObject **) &value, 1, 3, WK_GC_GRAPH_REFERRERS, path, NULL));
  graph_parse (graph, path);
  assert_graph (graph, "K,V", "K->V[style=dashed, label=\"ephemeron\"]");
  graph_free (graph);

  g_object_unref (key);
  g_object_unref (dict);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (path);
  g_free (dir);
}

/* With Graphviz: the file is an SVG with one node per object. */
static void
test_graph_render (Fixture       *f,
                   gconstpointer  data)
{
  char *dot = g_find_program_in_path ("dot");
  char *svg_path = fixture_path (f, "cycle.svg");
  char *dot_path = fixture_path (f, "cycle.dot");
  char *png_path = fixture_path (f, "cycle.PNG");
  GObject *objects[] = { G_OBJECT (f->a), G_OBJECT (f->b), G_OBJECT (f->c), G_OBJECT (f->d), f->p };
  GError *error = NULL;
  char *svg = NULL;
  guint i;

  if (dot == NULL)
    {
      g_test_skip ("Graphviz's dot is not installed (Debian: graphviz)");
      goto out;
    }
  g_assert_true (wk_gc_write_graph ((GObject **) &f->d, 1, 10, WK_GC_GRAPH_REFERENTS, svg_path, &error));
  g_assert_no_error (error);
  /* The DOT text is next to it. */
  g_assert_true (g_file_test (dot_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
  g_assert_nonnull (strstr (svg, "<svg"));
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      char *name = node_name (objects[i]);
      char *title = g_strdup_printf ("<title>%s</title>", name);

      g_assert_nonnull (strstr (svg, title));
      g_free (title);
      g_free (name);
    }
  g_free (svg);

  g_assert_true (wk_gc_write_graph ((GObject **) &f->d, 1, 10, WK_GC_GRAPH_REFERENTS, png_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png_path, &svg, NULL, NULL));
  g_assert_true (memcmp (svg, "\x89PNG", 4) == 0);
  g_free (svg);

out:
  g_free (png_path);
  g_free (dot_path);
  g_free (svg_path);
  g_free (dot);
}

/* Without dot on PATH: an error that says so, and the DOT file anyway. */
static void
test_graph_no_dot (Fixture       *f,
                   gconstpointer  data)
{
  char *svg_path = fixture_path (f, "nodot.svg");
  char *dot_path = fixture_path (f, "nodot.dot");
  char *old_path = g_strdup (g_getenv ("PATH"));
  Graph *graph = fixture_graph (f);
  GError *error = NULL;

  g_setenv ("PATH", "", TRUE);
  g_assert_false (wk_gc_write_graph ((GObject **) &f->a, 1, 1, WK_GC_GRAPH_REFERENTS, svg_path, &error));
  if (old_path != NULL)
    g_setenv ("PATH", old_path, TRUE);
  else
    g_unsetenv ("PATH");
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "dot"));
  g_assert_nonnull (strstr (error->message, "not on PATH"));
  g_assert_nonnull (strstr (error->message, dot_path));
  g_clear_error (&error);
  g_assert_false (g_file_test (svg_path, G_FILE_TEST_EXISTS));
  graph_parse (graph, dot_path);
  assert_graph (graph, "A,B", "A->B");

  /* A file that cannot be written: a GFileError. */
  {
    char *bad = g_build_filename (f->dir, "no", "such", "dir.dot", NULL);

    g_assert_false (wk_gc_write_graph ((GObject **) &f->a, 1, 1, WK_GC_GRAPH_REFERENTS, bad, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error (&error);
    g_free (bad);
  }

  graph_free (graph);
  g_free (old_path);
  g_free (dot_path);
  g_free (svg_path);
}

/* ---- the leak report -------------------------------------------------- */

static WkObject *leak_root;   /* a forgotten reference */

static void
leak_something (void)
{
  WkObject *leaked = object_of ("TestLeaked");

  leak_root = object_of ("TestLeakRoot");
  wk_object_hold (leak_root, G_OBJECT (leaked));
  g_object_unref (leaked);
}

static void
test_leak_report (void)
{
  if (g_test_subprocess ())
    {
      WkObject *a = object_of ("TestLeakCycle");
      WkObject *b = object_of ("TestLeakCycle");

      leak_something ();
      /* Garbage nobody collected yet: no root leads to it. */
      wk_object_hold (a, G_OBJECT (b));
      wk_object_hold (b, G_OBJECT (a));
      g_object_unref (a);
      g_object_unref (b);
      wk_gc_report_leaks ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Leading and trailing globs: a memcheck run (meson test --setup
   * valgrind) adds its own banner and summary. */
  g_test_trap_assert_stderr ("*wk-gc: 4 tracked objects alive, by type:\n"
                             "wk-gc:        2  TestLeakCycle\n"
                             "wk-gc:        1  TestLeakRoot\n"
                             "wk-gc:        1  TestLeaked\n"
                             "wk-gc: what keeps a TestLeakCycle alive (0x*, one of 2):\n"
                             "wk-gc:   nothing outside the tracked objects: it is garbage*"
                             "wk-gc: what keeps a TestLeakRoot alive (0x*, one of 1):\n"
                             "wk-gc:   TestLeakRoot 0x* (refs 1, 1 from outside the tracked objects)\n"
                             "wk-gc:   (a root: held by something other than the tracked objects*)\n"
                             "wk-gc: what keeps a TestLeaked alive (0x*, one of 1):\n"
                             "wk-gc:   TestLeakRoot 0x* (refs 1, 1 from outside the tracked objects)\n"
                             "wk-gc:   -> TestLeaked 0x* (refs 1)\n*");
}

/* WK_DEBUG=leaks: the same report at exit. */
static void
test_leak_report_at_exit (void)
{
  if (g_test_subprocess ())
    {
      leak_something ();
      return;
    }
  g_setenv ("WK_DEBUG", "leaks", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("WK_DEBUG");
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*wk-gc: 2 tracked objects alive at exit (WK_DEBUG=leaks), by type:\n"
                             "*TestLeakRoot*TestLeaked*"
                             "wk-gc: what keeps a TestLeaked alive (0x*, one of 1):\n"
                             "wk-gc:   TestLeakRoot 0x* (refs 1, 1 from outside the tracked objects)\n"
                             "wk-gc:   -> TestLeaked 0x* (refs 1)\n*");
}

/* WK_DEBUG=help lists the keys, as G_DEBUG=help does; other keys set
 * the debug flags. */
static void
test_wk_debug_keys (void)
{
  if (g_test_subprocess ())
    {
      if (g_strcmp0 (g_getenv ("WK_DEBUG"), "gc-stats,gc-collectable") == 0)
        g_assert_cmpint (wk_gc_get_debug (), ==, WK_GC_DEBUG_STATS | WK_GC_DEBUG_COLLECTABLE);
      return;
    }
  g_setenv ("WK_DEBUG", "help", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*leaks*gc-stats*gc-collectable*gc-uncollectable*");
  g_setenv ("WK_DEBUG", "gc-stats,gc-collectable", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("WK_DEBUG");
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*wk-gc:*");
}

/* ---- threads ----------------------------------------------------------- */

typedef struct
{
  gint stop;   /* (atomic) */
} Churn;

/* Makes, links and drops objects, and now and then a cycle for the
 * collections (not always: the snapshots would grow without end). */
static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;
  guint i;

  for (i = 0; !__atomic_load_n (&churn->stop, __ATOMIC_ACQUIRE); i++)
    {
      WkObject *a = object_of ("TestChurn");
      WkObject *b = object_of ("TestChurn");
      GObject *p = g_object_new (G_TYPE_OBJECT, NULL);
      WkRef *ref = wk_ref_new (p, NULL, NULL, NULL);

      wk_object_hold (a, G_OBJECT (b));
      wk_object_hold (b, p);
      wk_object_hold (b, G_OBJECT (a));
      g_object_unref (p);
      wk_object_release (b, p);
      if (i % 64 != 0)
        wk_object_release (b, G_OBJECT (a));
      g_object_unref (ref);
      g_object_unref (b);
      g_object_unref (a);
    }
  return NULL;
}

static void
test_threads (void)
{
  gint n = wk_test_iterations (200, 5000);
  char *dir = g_dir_make_tmp ("wk-gc-graph-XXXXXX", NULL);
  char *path = g_build_filename (dir, "threads.dot", NULL);
  WkObject *anchor = object_of ("TestChurn");
  Churn churn = { 0 };
  GThread *threads[3];
  guint i;
  gint k;

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("churn", churn_thread, &churn);
  for (k = 0; k < n; k++)
    {
      GVariant *census = wk_gc_get_census ();

      g_assert_cmpuint (census_count (census, "TestChurn"), >=, 1);
      g_variant_unref (census);
      g_assert_true (wk_gc_write_graph ((GObject **) &anchor, 1, G_MAXUINT,
                                        WK_GC_GRAPH_REFERENTS | WK_GC_GRAPH_REFERRERS, path, NULL));
      if (k % 16 == 0)
        wk_gc_collect (-1);
    }
  __atomic_store_n (&churn.stop, TRUE, __ATOMIC_RELEASE);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  wk_gc_collect (-1);
  g_object_unref (anchor);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (path);
  g_free (dir);
}

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Collections only when a test asks for one. */
  wk_gc_disable ();

  g_test_add_func ("/gc-graph/census", test_census);
  ADD_FIXTURE_TEST ("/gc-graph/referents", test_graph_referents);
  ADD_FIXTURE_TEST ("/gc-graph/referrers", test_graph_referrers);
  ADD_FIXTURE_TEST ("/gc-graph/max-depth", test_graph_max_depth);
  g_test_add_func ("/gc-graph/garbage", test_graph_garbage);
  g_test_add_func ("/gc-graph/ephemeron", test_graph_ephemeron);
  ADD_FIXTURE_TEST ("/gc-graph/render", test_graph_render);
  ADD_FIXTURE_TEST ("/gc-graph/no-dot", test_graph_no_dot);
  g_test_add_func ("/gc-graph/leak-report", test_leak_report);
  g_test_add_func ("/gc-graph/leak-report-at-exit", test_leak_report_at_exit);
  g_test_add_func ("/gc-graph/wk-debug-keys", test_wk_debug_keys);
  g_test_add_func ("/gc-graph/threads", test_threads);

  return g_test_run ();
}
