/* cycle.c: a reference cycle, leaked by plain GObjects, freed by Wk's
 * cycle collector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three objects, A -> B -> C -> A, each holding a strong reference to the
 * next. Once the program drops its own references, nothing outside the
 * cycle uses them, but each still has a reference count of one, so
 * reference counting never frees them.
 *
 * With plain GObjects (the link stored with g_object_set_data_full) the
 * cycle leaks: a weak reference to A stays alive for good.
 *
 * With WkObjects (the link stored with wk_object_hold, which the
 * collector can see and break), wk_gc_collect finds the three objects
 * unreachable, kills their weak references, runs the callbacks, and
 * frees them.
 */

#include <wk/wk.h>

static void
on_dead (WkRef    *ref,
         gpointer  user_data)
{
  g_print ("  (weak ref callback: %s is dead)\n", (const char *) user_data);
}

static void
on_collect_end (WkGc  *gc,
                int    generation,
                guint  collected,
                guint  uncollectable,
                gpointer user_data)
{
  g_print ("  (collect-end: generation %d, %u collected, %u uncollectable)\n",
           generation, collected, uncollectable);
}

static void
plain_gobjects (void)
{
  GObject *a = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *b = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *c = g_object_new (G_TYPE_OBJECT, NULL);
  WkRef *ref;

  g_print ("Plain GObjects, A -> B -> C -> A with g_object_set_data_full:\n");
  g_object_set_data_full (a, "next", g_object_ref (b), g_object_unref);
  g_object_set_data_full (b, "next", g_object_ref (c), g_object_unref);
  g_object_set_data_full (c, "next", g_object_ref (a), g_object_unref);
  ref = wk_ref_new (a, NULL, NULL, NULL);

  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);
  g_print ("  dropped our references: A is %s (ref count %u)\n",
           wk_ref_is_alive (ref) ? "alive" : "dead", wk_object_get_ref_count (a));
  g_print ("  wk_gc_collect (-1) found %u unreachable objects "
           "(plain GObjects are not tracked)\n", wk_gc_collect (-1));
  g_print ("  A is still %s: the cycle leaks\n\n",
           wk_ref_is_alive (ref) ? "alive" : "dead");
  g_object_unref (ref);
}

static void
wk_objects (void)
{
  WkObject *a = wk_object_new ();
  WkObject *b = wk_object_new ();
  WkObject *c = wk_object_new ();
  WkRef *ref_a, *ref_b, *ref_c;
  gulong handler;
  guint found;

  g_print ("WkObjects, A -> B -> C -> A with wk_object_hold:\n");
  wk_object_hold (a, G_OBJECT (b));
  wk_object_hold (b, G_OBJECT (c));
  wk_object_hold (c, G_OBJECT (a));
  ref_a = wk_ref_new (a, on_dead, (gpointer) "A", NULL);
  ref_b = wk_ref_new (b, on_dead, (gpointer) "B", NULL);
  ref_c = wk_ref_new (c, on_dead, (gpointer) "C", NULL);

  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);
  g_print ("  dropped our references: A is %s (ref count %u)\n",
           wk_ref_is_alive (ref_a) ? "alive" : "dead", wk_object_get_ref_count (a));

  handler = g_signal_connect (wk_gc_get_default (), "collect-end",
                              G_CALLBACK (on_collect_end), NULL);
  g_print ("  wk_gc_collect (-1):\n");
  found = wk_gc_collect (-1);
  g_signal_handler_disconnect (wk_gc_get_default (), handler);
  g_print ("  found %u unreachable objects: A is %s, B is %s, C is %s\n", found,
           wk_ref_is_alive (ref_a) ? "alive" : "dead",
           wk_ref_is_alive (ref_b) ? "alive" : "dead",
           wk_ref_is_alive (ref_c) ? "alive" : "dead");
  g_object_unref (ref_a);
  g_object_unref (ref_b);
  g_object_unref (ref_c);
}

int
main (void)
{
  plain_gobjects ();
  wk_objects ();
  return 0;
}
