/* A program built against an installed Wk, through pkg-config only. */
#include <wk/wk.h>

static void
count (gpointer data)
{
  (*(int *) data)++;
}

int
main (void)
{
  GObject *object = g_object_new (WK_TYPE_OBJECT, NULL);
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GObject *got = wk_ref_get (ref);
  int ok = got == object && wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, 0) == NULL;
  WkObject *a = wk_object_new (), *b = wk_object_new ();
  int finalized = 0;

  g_object_unref (got);
  g_object_unref (object);
  ok = ok && wk_ref_get (ref) == NULL;
  g_object_unref (ref);

  /* A cycle, with a finalizer: only the collector frees it. */
  wk_object_hold (a, G_OBJECT (b));
  wk_object_hold (b, G_OBJECT (a));
  g_object_unref (wk_finalizer_new (a, count, &finalized, NULL));
  g_object_unref (a);
  g_object_unref (b);
  ok = ok && finalized == 0 && wk_gc_collect (-1) == 2 && finalized == 1;

  g_print ("consumer: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
