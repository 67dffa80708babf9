/* gc.c: tests for the cycle collector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <pthread.h>

#include <wk/wk.h>

#include "wk-test-util.h"

/* A WkObject that counts its clears and finalizations. */
#define TEST_TYPE_NODE (test_node_get_type ())
G_DECLARE_FINAL_TYPE (TestNode, test_node, TEST, NODE, WkObject)

typedef void (*NodeHook) (TestNode *node,
                          gpointer  data);

struct _TestNode
{
  WkObject  parent_instance;
  gint     *cleared;     /* (atomic) (nullable) */
  gint     *finalized;   /* (atomic) (nullable) */
  gboolean  reachable;   /* a test promises it is reachable: never clear */
  /* For the tests that stop a collection half way (see "Races" below):
   * called after each traverse (in the collector's thread, under the
   * tracking lock), and at the start of dispose. Set before the object
   * is shared. */
  NodeHook  traverse_hook;
  gpointer  traverse_data;
  NodeHook  dispose_hook;
  gpointer  dispose_data;
};

G_DEFINE_FINAL_TYPE (TestNode, test_node, WK_TYPE_OBJECT)

static void
test_node_traverse (WkObject    *object,
                    WkVisitFunc  visit,
                    gpointer     user_data)
{
  TestNode *self = TEST_NODE (object);

  WK_OBJECT_CLASS (test_node_parent_class)->traverse (object, visit, user_data);
  if (self->traverse_hook != NULL)
    self->traverse_hook (self, self->traverse_data);
}

static void
test_node_dispose (GObject *object)
{
  TestNode *self = TEST_NODE (object);

  if (self->dispose_hook != NULL)
    self->dispose_hook (self, self->dispose_data);
  G_OBJECT_CLASS (test_node_parent_class)->dispose (object);
}

static void
test_node_clear (WkObject *object)
{
  TestNode *self = TEST_NODE (object);

  g_assert_false (__atomic_load_n (&self->reachable, __ATOMIC_ACQUIRE));
  if (self->cleared != NULL)
    __atomic_fetch_add (self->cleared, 1, __ATOMIC_RELAXED);
  WK_OBJECT_CLASS (test_node_parent_class)->clear (object);
}

static void
test_node_finalize (GObject *object)
{
  TestNode *self = TEST_NODE (object);

  if (self->finalized != NULL)
    __atomic_fetch_add (self->finalized, 1, __ATOMIC_RELAXED);
  G_OBJECT_CLASS (test_node_parent_class)->finalize (object);
}

static void
test_node_class_init (TestNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_node_dispose;
  G_OBJECT_CLASS (klass)->finalize = test_node_finalize;
  WK_OBJECT_CLASS (klass)->traverse = test_node_traverse;
  WK_OBJECT_CLASS (klass)->clear = test_node_clear;
}

static void
test_node_init (TestNode *self)
{
}

static TestNode *
node_new (gint *cleared,
          gint *finalized)
{
  TestNode *node = g_object_new (TEST_TYPE_NODE, NULL);

  node->cleared = cleared;
  node->finalized = finalized;
  return node;
}

static GPtrArray *order;

static void
log_callback (WkRef    *ref,
              gpointer  data)
{
  GPtrArray *refs = g_object_get_data (G_OBJECT (ref), "all");
  guint i;

  /* Every weak reference to every garbage object reads NULL first. */
  for (i = 0; refs != NULL && i < refs->len; i++)
    g_assert_null (wk_ref_get (g_ptr_array_index (refs, i)));
  g_ptr_array_add (order, data);
}

static void
test_gc_two_cycle (void)
{
  gint cleared = 0, finalized = 0;
  TestNode *a = node_new (&cleared, &finalized);
  TestNode *b = node_new (&cleared, &finalized);
  GPtrArray *refs = g_ptr_array_new_with_free_func (g_object_unref);
  WkRef *ra, *rb;
  GPtrArray *held;

  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  held = wk_object_list_held (WK_OBJECT (a));
  g_assert_cmpuint (held->len, ==, 1);
  g_assert_true (g_ptr_array_index (held, 0) == b);
  g_object_unref (g_ptr_array_index (held, 0));
  g_ptr_array_unref (held);
  g_assert_true (wk_gc_is_tracked (a));

  ra = wk_ref_new (a, log_callback, "a", NULL);
  rb = wk_ref_new (b, log_callback, "b", NULL);
  g_ptr_array_add (refs, g_object_ref (ra));
  g_ptr_array_add (refs, g_object_ref (rb));
  g_object_set_data (G_OBJECT (ra), "all", refs);
  g_object_set_data (G_OBJECT (rb), "all", refs);
  order = g_ptr_array_new ();

  /* Reachable: nothing. */
  g_assert_cmpuint (wk_gc_collect (-1), ==, 0);
  g_assert_cmpint (cleared, ==, 0);

  g_object_unref (a);
  g_object_unref (b);
  g_assert_cmpint (finalized, ==, 0);   /* the leak refcounting cannot fix */

  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (cleared, ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_null (wk_ref_get (ra));
  g_assert_null (wk_ref_get (rb));

  g_ptr_array_unref (order);
  g_object_set_data (G_OBJECT (ra), "all", NULL);
  g_object_set_data (G_OBJECT (rb), "all", NULL);
  g_ptr_array_unref (refs);
  g_object_unref (ra);
  g_object_unref (rb);
}

static void
test_gc_reachable_cycle (void)
{
  gint cleared = 0, finalized = 0;
  TestNode *root = node_new (&cleared, &finalized);
  TestNode *a = node_new (&cleared, &finalized);
  TestNode *b = node_new (&cleared, &finalized);

  wk_object_hold (WK_OBJECT (root), G_OBJECT (a));
  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  g_object_unref (a);
  g_object_unref (b);

  g_assert_cmpuint (wk_gc_collect (-1), ==, 0);
  g_assert_cmpint (cleared, ==, 0);

  /* Once the root lets go, all of it is garbage. */
  g_assert_true (wk_object_release (WK_OBJECT (root), G_OBJECT (a)));
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_object_unref (root);
  g_assert_cmpint (finalized, ==, 3);
}

static void
test_gc_saveall (void)
{
  gint finalized = 0;
  TestNode *a = node_new (NULL, &finalized);
  GPtrArray *garbage;

  wk_object_hold (WK_OBJECT (a), G_OBJECT (a));   /* a.append(a) */
  g_object_unref (a);
  wk_gc_set_debug (WK_GC_DEBUG_SAVEALL);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 1);
  wk_gc_set_debug (WK_GC_DEBUG_NONE);
  garbage = wk_gc_get_garbage ();
  g_assert_cmpuint (garbage->len, >=, 1);
  g_assert_true (g_ptr_array_index (garbage, garbage->len - 1) == a);
  g_assert_cmpint (finalized, ==, 0);
  g_ptr_array_foreach (garbage, (GFunc) (void (*) (void)) g_object_unref, NULL);
  g_ptr_array_unref (garbage);
}

static void
test_gc_thresholds (void)
{
  guint t0, t1, t2, c0;
  GVariant *stats;
  guint collections_before, collections_after, collected, uncollectable;
  gint i, finalized = 0;

  wk_gc_get_threshold (&t0, &t1, &t2);
  g_assert_cmpuint (t0, ==, 700);
  g_assert_cmpuint (t1, ==, 10);
  g_assert_cmpuint (t2, ==, 10);

  stats = wk_gc_get_stats ();
  g_variant_get_child (stats, 0, "(uuu)", &collections_before, &collected, &uncollectable);
  g_variant_unref (stats);

  wk_gc_set_auto_mode (WK_GC_AUTO_ALLOC);
  wk_gc_set_threshold (10, 10, 10);
  for (i = 0; i < 50; i++)
    {
      TestNode *a = node_new (NULL, &finalized);

      wk_object_hold (WK_OBJECT (a), G_OBJECT (a));
      g_object_unref (a);
    }
  wk_gc_get_count (&c0, NULL, NULL);
  g_assert_cmpuint (c0, <=, 11);
  stats = wk_gc_get_stats ();
  g_variant_get_child (stats, 0, "(uuu)", &collections_after, &collected, &uncollectable);
  g_variant_unref (stats);
  g_assert_cmpuint (collections_after, >=, collections_before + 4);
  g_assert_cmpint (finalized, >=, 40);

  wk_gc_set_threshold (700, 10, 10);
  wk_gc_set_auto_mode (WK_GC_AUTO_IDLE);
  wk_gc_collect (-1);
  g_assert_cmpint (finalized, ==, 50);
}

static void
count_call (WkRef    *ref,
            gpointer  data)
{
  (*(gint *) data)++;
}

static void
count_destroy (gpointer data)
{
  (*(gint *) data) += 100;
}

/* As in CPython: a ref to a garbage object that is garbage itself (only
 * garbage holds it) is cleared without its callback; one held from
 * outside, or by garbage and from outside, has its callback run. The
 * destroy notifies run either way. */
static void
test_gc_garbage_refs_no_callback (void)
{
  gint finalized = 0, inside = 0, outside = 0, both = 0, to_live = 0;
  TestNode *a = node_new (NULL, &finalized);
  TestNode *b = node_new (NULL, &finalized);
  TestNode *live = node_new (NULL, &finalized);
  WkRef *r_inside = wk_ref_new (b, count_call, &inside, count_destroy);
  WkRef *r_outside = wk_ref_new (b, count_call, &outside, count_destroy);
  WkRef *r_both = wk_ref_new (a, count_call, &both, count_destroy);
  WkRef *r_live = wk_ref_new (live, count_call, &to_live, count_destroy);

  wk_gc_disable ();
  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  /* a holds r_inside (its only reference) and r_both; b holds r_live. */
  wk_object_hold (WK_OBJECT (a), G_OBJECT (r_inside));
  g_object_unref (r_inside);
  wk_object_hold (WK_OBJECT (a), G_OBJECT (r_both));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (r_live));
  g_object_unref (r_live);
  g_object_unref (a);
  g_object_unref (b);

  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_assert_cmpint (inside, ==, 100);    /* no callback; freed with a */
  g_assert_cmpint (outside, ==, 101);   /* callback, then destroy */
  g_assert_cmpint (both, ==, 101);
  g_assert_cmpint (to_live, ==, 100);   /* its referent lives: freed, no callback */
  g_assert_null (wk_ref_get (r_outside));
  g_assert_null (wk_ref_get (r_both));

  g_object_unref (r_outside);
  g_object_unref (r_both);
  g_object_unref (live);
  g_assert_cmpint (finalized, ==, 3);
  wk_gc_enable ();
}

static gboolean
array_has (GPtrArray *array,
           gpointer   item)
{
  return g_ptr_array_find (array, item, NULL);
}

/* The generations are the lists: a survivor moves up one per collection
 * of its generation, get_objects(gen) finds it where it is, freeze takes
 * everything out of reach and unfreeze puts it in the oldest generation;
 * generation 0's count is allocations minus deallocations. */
static void
test_gc_generations_and_freeze (void)
{
  TestNode *a, *b;
  GPtrArray *objects;
  guint c0, c1, c2, n_tracked;
  gint finalized = 0;

  wk_gc_disable ();
  wk_gc_collect (-1);
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, 0);

  a = node_new (NULL, &finalized);
  g_assert_true (wk_gc_is_tracked (a));
  wk_gc_get_count (&c0, &c1, &c2);
  g_assert_cmpuint (c0, ==, 1);

  objects = wk_gc_get_objects (0);
  g_assert_true (array_has (objects, a));
  wk_test_unref_all (objects);

  /* Collected twice, it goes up twice; an object made and dropped in
   * between leaves generation 0's count as it was. */
  g_assert_cmpuint (wk_gc_collect (0), ==, 0);
  wk_gc_get_count (&c0, &c1, &c2);
  g_assert_cmpuint (c0, ==, 0);
  g_assert_cmpuint (c1, ==, 1);
  objects = wk_gc_get_objects (1);
  g_assert_true (array_has (objects, a));
  wk_test_unref_all (objects);
  objects = wk_gc_get_objects (0);
  g_assert_false (array_has (objects, a));
  wk_test_unref_all (objects);

  b = node_new (NULL, &finalized);
  g_object_unref (b);
  g_assert_cmpint (finalized, ==, 1);
  wk_gc_get_count (&c0, NULL, NULL);
  g_assert_cmpuint (c0, ==, 0);

  g_assert_cmpuint (wk_gc_collect (1), ==, 0);
  objects = wk_gc_get_objects (2);
  g_assert_true (array_has (objects, a));
  wk_test_unref_all (objects);

  /* Frozen, a cycle through it is out of every collection's reach. */
  b = node_new (NULL, &finalized);
  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  g_object_unref (b);
  objects = wk_gc_get_objects (-1);
  n_tracked = objects->len;   /* what the other tests left, and the two */
  wk_test_unref_all (objects);
  wk_gc_freeze ();
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, n_tracked);
  objects = wk_gc_get_objects (2);
  g_assert_false (array_has (objects, a));
  wk_test_unref_all (objects);
  objects = wk_gc_get_objects (-1);
  g_assert_true (array_has (objects, a));
  wk_test_unref_all (objects);
  g_object_unref (a);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 0);
  g_assert_cmpint (finalized, ==, 1);

  /* Back in the oldest generation, the cycle is garbage. */
  wk_gc_unfreeze ();
  g_assert_cmpuint (wk_gc_get_freeze_count (), ==, 0);
  g_assert_cmpuint (wk_gc_collect (1), ==, 0);
  g_assert_cmpuint (wk_gc_collect (2), ==, 2);
  g_assert_cmpint (finalized, ==, 3);
  wk_gc_enable ();
}

/* Threads take and drop references to, and read weak references of, the
 * nodes of a reachable ring while collections run: none is ever cleared
 * (TestNode asserts it), and garbage made meanwhile is collected. */
typedef struct
{
  TestNode **ring;
  WkRef    **refs;
  guint      n;
  gint       stop;   /* (atomic) */
} Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;
  guint i = 0;

  while (!__atomic_load_n (&churn->stop, __ATOMIC_ACQUIRE))
    {
      GObject *got = wk_ref_get (churn->refs[i % churn->n]);

      g_assert_nonnull (got);
      wk_object_hold (WK_OBJECT (got), G_OBJECT (churn->ring[(i + 1) % churn->n]));
      wk_object_release (WK_OBJECT (got), G_OBJECT (churn->ring[(i + 1) % churn->n]));
      g_object_unref (got);
      i++;
    }
  return NULL;
}

static void
test_gc_threads (void)
{
  guint n = 64, i, rounds = wk_test_iterations (200, 5000);
  gint cleared = 0, finalized = 0, garbage_finalized = 0;
  Churn churn = { g_new0 (TestNode *, n), g_new0 (WkRef *, n), n, 0 };
  TestNode *root = node_new (&cleared, &finalized);
  GThread *threads[2];
  guint r;

  for (i = 0; i < n; i++)
    {
      churn.ring[i] = node_new (&cleared, &finalized);
      churn.ring[i]->reachable = TRUE;
      churn.refs[i] = wk_ref_new (churn.ring[i], NULL, NULL, NULL);
    }
  for (i = 0; i < n; i++)
    wk_object_hold (WK_OBJECT (churn.ring[i]), G_OBJECT (churn.ring[(i + 1) % n]));
  wk_object_hold (WK_OBJECT (root), G_OBJECT (churn.ring[0]));
  for (i = 0; i < n; i++)
    g_object_unref (churn.ring[i]);

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("churn", churn_thread, &churn);
  for (r = 0; r < rounds; r++)
    {
      TestNode *g = node_new (NULL, &garbage_finalized);

      wk_object_hold (WK_OBJECT (g), G_OBJECT (g));
      g_object_unref (g);
      wk_gc_collect (r % 3);
    }
  __atomic_store_n (&churn.stop, 1, __ATOMIC_RELEASE);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  wk_gc_collect (-1);
  g_test_message ("%u collections while 2 threads churned; %d of %u garbage nodes collected",
                  rounds, garbage_finalized, rounds);
  g_assert_cmpint (cleared, ==, 0);
  g_assert_cmpint (garbage_finalized, ==, (gint) rounds);

  /* Let the ring go. */
  for (i = 0; i < n; i++)
    __atomic_store_n (&churn.ring[i]->reachable, FALSE, __ATOMIC_RELEASE);
  wk_object_release (WK_OBJECT (root), G_OBJECT (churn.ring[0]));
  g_assert_cmpuint (wk_gc_collect (-1), ==, n);
  g_assert_cmpint (finalized, ==, (gint) n);
  for (i = 0; i < n; i++)
    g_object_unref (churn.refs[i]);
  g_object_unref (root);
  g_free (churn.ring);
  g_free (churn.refs);
}

/* A callback takes a reference on a garbage object (it kept a raw pointer
 * to it): the object, and what it reaches, survive the collection
 * uncleared; freed by a later one once let go. */
static TestNode *raw_b;
static GObject *resurrected;

static void
resurrect (WkRef    *ref,
           gpointer  data)
{
  resurrected = g_object_ref (G_OBJECT (raw_b));
}

static void
test_gc_resurrection (void)
{
  gint cleared = 0, finalized = 0;
  TestNode *a = node_new (&cleared, &finalized);
  TestNode *b = node_new (&cleared, &finalized);
  WkRef *ref;

  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  ref = wk_ref_new (a, resurrect, NULL, NULL);
  raw_b = b;
  g_object_unref (a);
  g_object_unref (b);

  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);   /* found unreachable... */
  g_assert_nonnull (resurrected);
  g_assert_cmpint (cleared, ==, 0);               /* ...but not cleared */
  g_assert_cmpint (finalized, ==, 0);
  g_assert_true (wk_gc_is_tracked (b));
  g_assert_null (wk_ref_get (ref));               /* its weak refs stay dead */

  /* Let go: the next collection frees both. */
  g_clear_object (&resurrected);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (cleared, ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_object_unref (ref);
}

/* CPython issue 88846: a value that refers to its own key keeps a
 * WeakKeyDictionary entry alive forever. Here the entry is an ephemeron:
 * the value is reachable through it only if the key is. */
static void
test_gc_ephemeron (void)
{
  gint finalized = 0;
  WkWeakKeyDict *dict = wk_weak_key_dict_new_for_values ();
  TestNode *key = node_new (NULL, &finalized);
  TestNode *value = node_new (NULL, &finalized);
  TestNode *kept_key = node_new (NULL, &finalized);
  TestNode *kept_value = node_new (NULL, &finalized);
  GValue gvalue = G_VALUE_INIT;

  wk_object_hold (WK_OBJECT (value), G_OBJECT (key));   /* value -> its key */
  g_value_init (&gvalue, G_TYPE_OBJECT);
  g_value_set_object (&gvalue, value);
  wk_weak_key_dict_insert_value (dict, G_OBJECT (key), &gvalue);
  g_value_unset (&gvalue);

  /* The same with a key that something outside holds. */
  wk_object_hold (WK_OBJECT (kept_value), G_OBJECT (kept_key));
  g_value_init (&gvalue, G_TYPE_OBJECT);
  g_value_set_object (&gvalue, kept_value);
  wk_weak_key_dict_insert_value (dict, G_OBJECT (kept_key), &gvalue);
  g_value_unset (&gvalue);

  g_object_unref (key);
  g_object_unref (value);
  g_object_unref (kept_value);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 2);
  g_assert_cmpint (finalized, ==, 0);   /* what leaks in CPython */

  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 1);
  g_assert_true (wk_weak_key_dict_contains (dict, G_OBJECT (kept_key)));

  g_object_unref (kept_key);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);   /* now the pair is garbage too */
  g_assert_cmpint (finalized, ==, 4);
  g_assert_cmpuint (wk_weak_key_dict_get_size (dict), ==, 0);
  g_object_unref (dict);
}

/* A chain of objects each held by the one before: dropping the head
 * frees all of them without recursing once per link (which would take
 * a stack of several MB for this many), and so does collecting the
 * chain once its tail holds its head. */
#define DEEP_N 200000

static TestNode *
deep_chain_new (gint      *finalized,
                TestNode **tail)
{
  TestNode *head = node_new (NULL, finalized), *prev = head;
  guint i;

  for (i = 1; i < DEEP_N; i++)
    {
      TestNode *node = node_new (NULL, finalized);

      wk_object_hold (WK_OBJECT (prev), G_OBJECT (node));
      g_object_unref (node);
      prev = node;
    }
  *tail = prev;
  return head;
}

static void
test_gc_deep_chain (void)
{
  gint finalized = 0;
  TestNode *tail;
  TestNode *head = deep_chain_new (&finalized, &tail);
  WkRef *tail_ref = wk_ref_new (tail, NULL, NULL, NULL);

  wk_gc_disable ();
  g_object_unref (head);
  g_assert_cmpint (finalized, ==, DEEP_N);
  g_assert_null (wk_ref_get (tail_ref));
  g_object_unref (tail_ref);

  /* The same chain closed into a ring: only the collector frees it. */
  finalized = 0;
  head = deep_chain_new (&finalized, &tail);
  wk_object_hold (WK_OBJECT (tail), G_OBJECT (head));
  g_object_unref (head);
  g_assert_cmpint (finalized, ==, 0);
  g_assert_cmpuint (wk_gc_collect (-1), ==, DEEP_N);
  g_assert_cmpint (finalized, ==, DEEP_N);
  wk_gc_enable ();
}


/* ---------------------------------------------------------------------- */
/* Races: a collection stopped half way while another thread changes the
 * graph. A TestNode's traverse hook runs in the collector's thread under
 * the tracking lock; it lets a helper thread go and waits for it, so the
 * helper's change lands between two steps of the collection. The helper
 * only makes calls that do not take the tracking lock (nothing of its
 * finalizes a tracked object meanwhile). */

/* pthread's lock and condition rather than GLib's: ThreadSanitizer sees
 * them (GLib's are invisible to it when GLib is not instrumented). */
typedef struct
{
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  gint             stage;
} Stage;

static void
stage_init (Stage *s)
{
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->cond, NULL);
  s->stage = 0;
}

static void
stage_clear (Stage *s)
{
  pthread_mutex_destroy (&s->lock);
  pthread_cond_destroy (&s->cond);
}

static void
stage_set (Stage *s,
           gint   stage)
{
  pthread_mutex_lock (&s->lock);
  s->stage = MAX (s->stage, stage);
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
}

static void
stage_wait (Stage *s,
            gint   stage)
{
  pthread_mutex_lock (&s->lock);
  while (s->stage < stage)
    pthread_cond_wait (&s->cond, &s->lock);
  pthread_mutex_unlock (&s->lock);
}

static gboolean
in_garbage_list (gpointer object)
{
  GPtrArray *garbage = wk_gc_get_garbage ();
  gboolean found = array_has (garbage, object);

  wk_test_unref_all (garbage);
  return found;
}

/* The helper's part, and where it runs. */
typedef struct
{
  Stage      stage;
  TestNode  *root;       /* whose traverse lets the helper go */
  guint      fire_at;    /* on its fire_at-th traverse (from 1), or */
  gint      *armed;      /* (nullable) (atomic) on the first one once *armed */
  guint      traverses;  /* under the tracking lock */
  gint       wait_for;   /* the stage the hook waits for */
  void     (*action) (gpointer data);
  gpointer   data;
} Race;

static void
race_hook (TestNode *node,
           gpointer  data)
{
  Race *race = data;

  if (race->armed != NULL)
    {
      if (!__atomic_load_n (race->armed, __ATOMIC_ACQUIRE) || race->traverses++ > 0)
        return;
    }
  else if (++race->traverses != race->fire_at)
    return;
  stage_set (&race->stage, 1);
  stage_wait (&race->stage, race->wait_for);
}

static gpointer
race_thread (gpointer data)
{
  Race *race = data;

  stage_wait (&race->stage, 1);
  race->action (race->data);
  if (race->wait_for == 2)
    stage_set (&race->stage, 2);
  return NULL;
}

static GThread *
race_start (Race      *race,
            TestNode  *root,
            guint      fire_at,
            void     (*action) (gpointer data),
            gpointer   data)
{
  stage_init (&race->stage);
  race->root = root;
  race->fire_at = fire_at;
  race->armed = NULL;
  race->traverses = 0;
  race->wait_for = 2;
  race->action = action;
  race->data = data;
  root->traverse_data = race;
  root->traverse_hook = race_hook;
  return g_thread_new ("race", race_thread, race);
}

static void
race_finish (Race    *race,
             GThread *thread)
{
  g_thread_join (thread);
  race->root->traverse_hook = NULL;
  race->root->traverse_data = NULL;
  stage_clear (&race->stage);
}

typedef struct
{
  TestNode  *holder;
  GObject   *taken;     /* (owned) */
} Move;

/* list_held() and release(): the reference moves from the holder to this
 * thread, the count of the object unchanged. */
static void
move_out (gpointer data)
{
  Move *move = data;
  GPtrArray *held = wk_object_list_held (WK_OBJECT (move->holder));

  g_assert_cmpuint (held->len, ==, 1);
  move->taken = g_ptr_array_steal_index (held, 0);
  g_ptr_array_unref (held);
  g_assert_true (wk_object_release (WK_OBJECT (move->holder), move->taken));
}

/* A reachable root holds a; once the collection has counted root's
 * reference to a (root's first traverse), another thread takes a out of
 * root (list_held, release) and keeps it. a's count is what the
 * collection read, and root no longer reaches it: a is not garbage (this
 * thread holds it), so its weak references must not die and its callback
 * must not run; nor may the collection keep it as uncollectable. */
static void
test_gc_race_move_out_of_holder (void)
{
  gint cleared = 0, finalized = 0, called = 0;
  TestNode *root = node_new (&cleared, &finalized);
  TestNode *a = node_new (&cleared, &finalized);
  WkRef *ref;
  Move move = { root, NULL };
  Race race;
  GThread *thread;
  GObject *got;

  wk_gc_disable ();
  wk_gc_collect (-1);
  wk_object_hold (WK_OBJECT (root), G_OBJECT (a));
  ref = wk_ref_new (a, count_call, &called, NULL);
  g_object_unref (a);

  thread = race_start (&race, root, 1, move_out, &move);
  wk_gc_collect (-1);
  race_finish (&race, thread);

  g_assert_true (move.taken == (GObject *) a);
  got = wk_ref_get (ref);
  g_assert_true (got == (GObject *) a);
  g_object_unref (got);
  g_assert_cmpint (called, ==, 0);
  g_assert_cmpint (cleared, ==, 0);
  g_assert_false (in_garbage_list (a));

  g_object_unref (move.taken);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_cmpint (called, ==, 1);
  g_object_unref (ref);
  g_object_unref (root);
  g_assert_cmpint (finalized, ==, 2);
  wk_gc_enable ();
}

typedef struct
{
  WkRef    *ref;
  GObject  *got;   /* (owned) */
} Read;

static void
read_ref (gpointer data)
{
  Read *read = data;

  read->got = wk_ref_get (read->ref);
  g_assert_nonnull (read->got);
}

/* A cycle a <-> b that nothing else holds: while the collection
 * subtracts the references inside the set, another thread reads a weak
 * reference to a and keeps what it read. a is referenced from outside
 * now: nothing of the cycle may die. Another cycle, c <-> d, that
 * nobody touches is garbage all the same, and collected. */
static void
test_gc_race_weak_read (void)
{
  gint cleared = 0, finalized = 0, called = 0, other_finalized = 0;
  TestNode *a = node_new (&cleared, &finalized);
  TestNode *b = node_new (&cleared, &finalized);
  TestNode *c = node_new (NULL, &other_finalized);
  TestNode *d = node_new (NULL, &other_finalized);
  Read read = { NULL, NULL };
  Race race;
  GThread *thread;
  GObject *got;

  wk_gc_disable ();
  wk_gc_collect (-1);
  wk_object_hold (WK_OBJECT (a), G_OBJECT (b));
  wk_object_hold (WK_OBJECT (b), G_OBJECT (a));
  read.ref = wk_ref_new (a, count_call, &called, NULL);
  g_object_unref (b);
  g_object_unref (a);
  wk_object_hold (WK_OBJECT (c), G_OBJECT (d));
  wk_object_hold (WK_OBJECT (d), G_OBJECT (c));
  g_object_unref (c);
  g_object_unref (d);

  thread = race_start (&race, a, 1, read_ref, &read);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  race_finish (&race, thread);
  g_assert_cmpint (other_finalized, ==, 2);

  got = wk_ref_get (read.ref);
  g_assert_true (got == (GObject *) a);
  g_object_unref (got);
  g_assert_cmpint (called, ==, 0);
  g_assert_cmpint (cleared, ==, 0);
  g_assert_false (in_garbage_list (a));

  /* Once let go, the cycle is garbage. */
  g_clear_object (&read.got);
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  g_assert_cmpint (finalized, ==, 2);
  g_assert_cmpint (called, ==, 1);
  g_object_unref (read.ref);
  wk_gc_enable ();
}

typedef struct
{
  Race     *race;
  TestNode *holder;
  TestNode *child;
} Dying;

/* The child's dispose tells the collector it has begun, and goes on once
 * the collection is over. */
static void
dying_hook (TestNode *node,
            gpointer  data)
{
  Race *race = data;

  stage_set (&race->stage, 2);
  stage_wait (&race->stage, 3);
}

static void
release_child (gpointer data)
{
  Dying *dying = data;

  /* The holder's reference was the child's last: its dispose runs here,
   * and waits in dying_hook(). */
  g_assert_true (wk_object_release (WK_OBJECT (dying->holder), G_OBJECT (dying->child)));
}

/* A reachable root holds a child, its only reference. Once the
 * collection has counted that reference, another thread releases it:
 * the child's final unref begins, and its dispose is still running when
 * the collection decides (GLib runs dispose at count 1). The collection
 * must not take the dying child for garbage: raising its count from 1
 * then resurrects it, and its dispose ends with the collection's
 * reference as the last one, which the collection then keeps as
 * uncollectable. The child dies once, by its final unref. */
static void
test_gc_race_release_into_dispose (void)
{
  gint cleared = 0, finalized = 0;
  TestNode *root = node_new (&cleared, &finalized);
  TestNode *child = node_new (&cleared, &finalized);
  Dying dying = { NULL, root, child };
  Race race;
  GThread *thread;

  wk_gc_disable ();
  wk_gc_collect (-1);
  wk_object_hold (WK_OBJECT (root), G_OBJECT (child));
  child->dispose_hook = dying_hook;
  child->dispose_data = &race;
  dying.race = &race;
  g_object_unref (child);

  thread = race_start (&race, root, 1, release_child, &dying);
  wk_gc_collect (-1);
  stage_set (&race.stage, 3);
  race_finish (&race, thread);

  g_assert_cmpint (cleared, ==, 0);
  g_assert_cmpint (finalized, ==, 1);
  g_assert_false (in_garbage_list (child));
  g_object_unref (root);
  g_assert_cmpint (finalized, ==, 2);
  wk_gc_enable ();
}

/* After the callbacks, a callback has resurrected garbage (root, which
 * holds a): while the collection looks again at what survives, another
 * thread takes a out of root (list_held, release) and keeps it. a is
 * referenced from outside: it survives, uncleared, as root does, and the
 * collection does not keep it as uncollectable. */
static TestNode *resurrect_root;
static GObject  *resurrected_root;
static gint      callbacks_done;

static void
resurrect_root_cb (WkRef    *ref,
                   gpointer  data)
{
  resurrected_root = g_object_ref (G_OBJECT (resurrect_root));
  __atomic_store_n (&callbacks_done, 1, __ATOMIC_RELEASE);
}

static void
test_gc_race_move_out_of_survivor (void)
{
  gint cleared = 0, finalized = 0;
  TestNode *root = node_new (&cleared, &finalized);
  TestNode *a = node_new (&cleared, &finalized);
  Move move = { root, NULL };
  WkRef *ref;
  Race race;
  GThread *thread;

  wk_gc_disable ();
  wk_gc_collect (-1);
  /* root <-> a, garbage; root's ref resurrects it. */
  wk_object_hold (WK_OBJECT (root), G_OBJECT (a));
  wk_object_hold (WK_OBJECT (a), G_OBJECT (root));
  ref = wk_ref_new (root, resurrect_root_cb, NULL, NULL);
  resurrect_root = root;
  callbacks_done = 0;
  g_object_unref (a);
  g_object_unref (root);

  thread = race_start (&race, root, 0, move_out, &move);
  race.armed = &callbacks_done;   /* the first traverse after the callbacks */
  g_assert_cmpuint (wk_gc_collect (-1), ==, 2);
  race_finish (&race, thread);

  g_assert_nonnull (resurrected_root);
  g_assert_true (move.taken == (GObject *) a);
  g_assert_cmpint (cleared, ==, 0);
  g_assert_cmpint (finalized, ==, 0);
  g_assert_false (in_garbage_list (a));
  g_assert_false (in_garbage_list (root));
  g_assert_null (wk_ref_get (ref));

  /* a holds root; let both go. */
  g_clear_object (&move.taken);
  g_clear_object (&resurrected_root);
  wk_gc_collect (-1);
  g_assert_cmpint (finalized, ==, 2);
  g_object_unref (ref);
  wk_gc_enable ();
}

/* wk_gc_get_objects() in one thread while others make WkObjects and drop
 * their only reference: an object at a count of 1 may be in its final
 * unref, past GLib's look for weak references, and must be neither handed
 * out once its dispose has begun nor brought back to have it run twice. */
typedef struct
{
  gint stop;
  gint made;
  gint finalized;
  gint errors;
} ListRace;

static gpointer
list_race_churn (gpointer data)
{
  ListRace *race = data;

  while (!g_atomic_int_get (&race->stop))
    {
      GObject *object = wk_test_object_new (WK_TEST_TYPE_WK_OBJECT, &race->finalized);

      g_atomic_int_inc (&race->made);
      g_object_unref (object);
    }
  return NULL;
}

static gpointer
list_race_list (gpointer data)
{
  ListRace *race = data;

  while (!g_atomic_int_get (&race->stop))
    {
      GPtrArray *objects = wk_gc_get_objects (-1);
      guint i;

      for (i = 0; i < objects->len; i++)
        {
          gpointer object = g_ptr_array_index (objects, i);

          if (WK_TEST_IS_WK_OBJECT (object) &&
              g_atomic_int_get (&wk_test_probe (object)->dispose_count) != 0)
            g_atomic_int_inc (&race->errors);
          /* The array has no element free function. */
          g_object_unref (object);
        }
      g_ptr_array_unref (objects);
    }
  return NULL;
}

static void
test_gc_race_list_while_dying (void)
{
  ListRace race = { 0, };
  GThread *threads[4];
  /* Half a second; 2.5 s with -m thorough, or with WK_TEST_ITERATIONS of
   * 50 or more (memcheck's setup sets 100: fewer rounds in more time). */
  gint64 end = g_get_monotonic_time () +
               MIN (wk_test_iterations (10, 50), 50) * G_USEC_PER_SEC / 20;
  guint i;

  threads[0] = g_thread_new ("churn", list_race_churn, &race);
  threads[1] = g_thread_new ("churn", list_race_churn, &race);
  threads[2] = g_thread_new ("list", list_race_list, &race);
  threads[3] = g_thread_new ("list", list_race_list, &race);
  while (g_get_monotonic_time () < end)
    g_usleep (10000);
  g_atomic_int_set (&race.stop, 1);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_test_message ("%d objects made", race.made);
  g_assert_cmpint (race.errors, ==, 0);
  /* Each finalized once: none brought back, none lost. */
  g_assert_cmpint (g_atomic_int_get (&race.finalized), ==, race.made);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gc/two-cycle", test_gc_two_cycle);
  g_test_add_func ("/gc/reachable-cycle", test_gc_reachable_cycle);
  g_test_add_func ("/gc/saveall", test_gc_saveall);
  g_test_add_func ("/gc/thresholds", test_gc_thresholds);
  g_test_add_func ("/gc/resurrection", test_gc_resurrection);
  g_test_add_func ("/gc/ephemeron", test_gc_ephemeron);
  g_test_add_func ("/gc/threads", test_gc_threads);
  g_test_add_func ("/gc/deep-chain", test_gc_deep_chain);
  g_test_add_func ("/gc/generations-and-freeze", test_gc_generations_and_freeze);
  g_test_add_func ("/gc/garbage-refs-no-callback", test_gc_garbage_refs_no_callback);
  g_test_add_func ("/gc/race/move-out-of-holder", test_gc_race_move_out_of_holder);
  g_test_add_func ("/gc/race/weak-read", test_gc_race_weak_read);
  g_test_add_func ("/gc/race/release-into-dispose", test_gc_race_release_into_dispose);
  g_test_add_func ("/gc/race/move-out-of-survivor", test_gc_race_move_out_of_survivor);
  g_test_add_func ("/gc/race/list-while-dying", test_gc_race_list_while_dying);

  return g_test_run ();
}
