/* refs.c: a tour of Wk weak references, in C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shows what a WkRef gives: the referent while it lives, NULL once it
 * has started to die, callbacks in a fixed order, and a reference that
 * follows the GObject wherever it is held (here, in a GListStore).
 */

#include <gio/gio.h>
#include <wk/wk.h>

static WkRef *refs[3];

static void
on_death (WkRef    *ref,
          gpointer  user_data)
{
  guint i, dead = 0, n = 0;

  for (i = 0; i < G_N_ELEMENTS (refs); i++)
    if (refs[i] != NULL)
      {
        n++;
        if (!wk_ref_is_alive (refs[i]))
          dead++;
      }
  g_print ("  callback of the %s ref: %u of %u refs already read NULL\n",
           (const char *) user_data, dead, n);
}

static void
say_freed (gpointer user_data)
{
  g_print ("  destroy notify of the %s ref\n", (const char *) user_data);
}

static void
death_order (void)
{
  WkObject *thing = wk_object_new ();
  static const char *names[] = { "first", "second", "third" };
  GObject *got;
  guint i;

  g_print ("== Death order ==\n");
  for (i = 0; i < 3; i++)
    refs[i] = wk_ref_new (thing, on_death, (gpointer) names[i], say_freed);
  g_print ("3 refs with callbacks; wk_get_weak_ref_count = %u\n",
           wk_get_weak_ref_count (thing));

  got = wk_ref_get (refs[0]);
  g_print ("wk_ref_get gives %p (the object is %p), ref count now %u\n",
           (gpointer) got, (gpointer) thing, wk_object_get_ref_count (thing));
  g_object_unref (got);

  g_print ("dropping the last reference:\n");
  g_object_unref (thing);
  g_print ("after the unref: wk_ref_get gives %p\n", wk_ref_get (refs[0]));
  for (i = 0; i < 3; i++)
    g_clear_object (&refs[i]);
  g_print ("\n");
}

static void
shared_refs (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  WkRef *a = wk_ref_new (object, NULL, NULL, NULL);
  WkRef *b = wk_ref_new (object, NULL, NULL, NULL);

  g_print ("== Shared refs ==\n");
  g_print ("two callback-less refs to one object are %s (as in CPython)\n",
           a == b ? "the same ref" : "different refs");
  g_print ("wk_ref_equal = %d, same hash = %d\n",
           wk_ref_equal (a, b), wk_ref_hash (a) == wk_ref_hash (b));
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (object);
  g_print ("\n");
}

static void
list_store (void)
{
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  WkRef *ref = wk_ref_new (object, on_death, "store's", NULL);
  GObject *got;

  g_print ("== A ref follows the object, wherever it is held ==\n");
  g_list_store_append (store, object);
  g_object_unref (object);
  got = wk_ref_get (ref);
  g_print ("our reference dropped, the store holds it: wk_ref_get = %s\n",
           got != NULL ? "the object" : "NULL");
  g_clear_object (&got);
  refs[0] = ref;
  g_print ("the store lets go:\n");
  g_list_store_remove_all (store);
  g_print ("wk_ref_get = %s\n", wk_ref_get (ref) != NULL ? "the object" : "NULL");
  refs[0] = NULL;
  g_object_unref (ref);
  g_object_unref (store);
  g_print ("\n");
}

typedef struct
{
  WkWeak  weak;
  gint    ready;
  gint    go;
  guint   hits;
  guint   misses;
} Race;

static gpointer
reader (gpointer data)
{
  Race *race = data;

  g_atomic_int_set (&race->ready, 1);
  while (!g_atomic_int_get (&race->go))
    ;
  for (;;)
    {
      GObject *got = wk_weak_get (&race->weak);

      if (got == NULL)
        {
          race->misses++;
          return NULL;
        }
      race->hits++;
      g_object_unref (got);
    }
}

static void
threads (void)
{
  guint round, hits = 0;

  g_print ("== Another thread reads a WkWeak while the last unref happens ==\n");
  for (round = 0; round < 1000; round++)
    {
      Race race = { WK_WEAK_INIT, 0, 0, 0, 0 };
      GObject *object = g_object_new (WK_TYPE_OBJECT, NULL);
      GThread *thread;
      volatile guint spin;

      wk_weak_init (&race.weak, object);
      thread = g_thread_new ("reader", reader, &race);
      while (!g_atomic_int_get (&race.ready))
        ;
      g_atomic_int_set (&race.go, 1);
      for (spin = 0; spin < 2000; spin++)
        ;
      g_object_unref (object);
      g_thread_join (thread);
      hits += race.hits;
      wk_weak_clear (&race.weak);
    }
  g_print ("1000 races: the reader got a live object %u times in all, then NULL each time;\n"
           "never an object in dispose, never freed memory (see wk-tests/stress.c)\n",
           hits);
}

int
main (void)
{
  g_print ("Wk %s on GLib %u.%u.%u\n\n", WK_VERSION_S,
           glib_major_version, glib_minor_version, glib_micro_version);
  death_order ();
  shared_refs ();
  list_store ();
  threads ();
  return 0;
}
