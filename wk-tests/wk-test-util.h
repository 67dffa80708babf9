/* wk-test-util.h: probe objects shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <wk/wk.h>

G_BEGIN_DECLS

typedef void (*WkTestDisposeHook) (GObject *object, gpointer data);

/* What a probe object records about its own life. A test reads these
 * fields only while it holds a reference. */
typedef struct
{
  gint               dispose_count;   /* (atomic) */
  gint              *finalized;       /* (atomic) (nullable): incremented at finalize */
  WkTestDisposeHook  dispose_hook;    /* runs at the start of dispose */
  gpointer           dispose_data;
  WkTestDisposeHook  finalize_hook;   /* runs at the start of finalize */
  gpointer           finalize_data;
} WkTestProbe;

/* A plain GObject subclass and a WkObject subclass with the same probe. */
#define WK_TEST_TYPE_GOBJECT (wk_test_gobject_get_type ())
G_DECLARE_FINAL_TYPE (WkTestGObject, wk_test_gobject, WK_TEST, GOBJECT, GObject)

#define WK_TEST_TYPE_WK_OBJECT (wk_test_wk_object_get_type ())
G_DECLARE_FINAL_TYPE (WkTestWkObject, wk_test_wk_object, WK_TEST, WK_OBJECT, WkObject)

WkTestProbe *wk_test_probe      (gpointer object);
gpointer     wk_test_object_new (GType type, gint *finalized);

/* Registers a test once per probe type, as "<path>/gobject" and
 * "<path>/wkobject", with the GType as test data. */
void         wk_test_add_for_types (const char *path, GTestDataFunc func);

gint         wk_test_iterations (gint quick, gint thorough);

/* A pause for spin loops (the CPU's pause instruction where there is one). */
static inline void
wk_test_cpu_relax (void)
{
#if defined (__x86_64__) || defined (__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Spins until *@counter reaches @value, yielding after @spins pauses:
 * the tests may run more threads than the machine has cores. */
void         wk_test_wait_for   (gint *counter, gint value, guint spins);

/* Frees an array of wk_gc_get_*() or wk_object_list_held(): it holds a
 * reference per element and has no element free function. */
void         wk_test_unref_all  (GPtrArray *array);

G_END_DECLS
