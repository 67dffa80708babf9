/* A program built against an installed Wk, through pkg-config only. */
#include <wk/wk.h>

int
main (void)
{
  GObject *object = g_object_new (WK_TYPE_OBJECT, NULL);
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  GObject *got = wk_ref_get (ref);
  int ok = got == object && wk_check_version (WK_MAJOR_VERSION, WK_MINOR_VERSION, 0) == NULL;

  g_object_unref (got);
  g_object_unref (object);
  ok = ok && wk_ref_get (ref) == NULL;
  g_object_unref (ref);
  g_print ("consumer: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
