/* bad-input.h: what the bad-input cases share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * wk-tests/bad-input/: one table entry per exported symbol of libwk, a
 * file of cases per area of the API (each with its table), the fixtures
 * the cases share (fixtures.c), and main.c, which runs every case in a
 * subprocess and checks the tables against the list of exported symbols
 * (see the top of main.c).
 */

#pragma once

#include <string.h>

#include <glib/gstdio.h>
#include <wk/wk.h>

#include "wk-test-util.h"

G_BEGIN_DECLS

#define EXPECT_CRITICAL(pattern) \
  g_test_expect_message ("Wk", G_LOG_LEVEL_CRITICAL, (pattern))

/* One case: the exported symbol, and what calls it with bad input. */
typedef struct
{
  const char *symbol;
  void      (*func) (void);
} BadInputCase;

#define CASE(name) { "wk_" #name, case_##name }

/* Each area's table: `const BadInputCase bad_input_<area>_cases[]` and
 * its length. */
#define BAD_INPUT_TABLE(area) \
  extern const BadInputCase bad_input_##area##_cases[]; \
  extern const guint bad_input_##area##_n_cases;
#define BAD_INPUT_TABLE_LENGTH(area) \
  const guint bad_input_##area##_n_cases = G_N_ELEMENTS (bad_input_##area##_cases);

/* ---- fixtures (fixtures.c) ------------------------------------------- */

/* Calls of the counting callbacks below; reset before each case. */
extern gint n_calls;

/* A GTypeInstance that is not a GObject. */
GParamSpec *not_an_object     (void);
GObject    *plain_new         (void);

/* A referent with properties of every access kind, for the proxy cases. */
#define BAD_TYPE_TARGET (bad_target_get_type ())
G_DECLARE_FINAL_TYPE (BadTarget, bad_target, BAD, TARGET, GObject)

struct _BadTarget
{
  GObject parent_instance;
  gint    level;
};

/* An object with a signal "poke". */
#define BAD_TYPE_EMITTER (bad_emitter_get_type ())
G_DECLARE_FINAL_TYPE (BadEmitter, bad_emitter, BAD, EMITTER, GObject)

void     count_ref_callback (WkRef *ref, gpointer data);
void     count_toggle       (gpointer data, GObject *object, gboolean is_last_ref);
void     count_finalize     (gpointer data);
void     count_cleanup      (const GValue *held, gpointer data);
void     count_foreach3     (gpointer a, gpointer b, gpointer data);
void     count_foreach2     (gpointer a, gpointer data);
void     on_poke            (gpointer instance, gpointer data);

/* A ref and a proxy whose referent has died. */
WkRef   *dead_ref_new       (void);
WkProxy *dead_proxy_new     (void);
void     assert_error_dead  (GError **error);
/* A C-face value dict with string keys that it does not own. */
WkWeakValueDict *plain_value_dict (void);
/* A type function's result: an object type, derived from @parent. */
void     check_object_type  (GType type, GType parent);

/* Cases of one area that main.c also runs under /bad-input-more/. */
void     case_ref_new_dying (void);

BAD_INPUT_TABLE (versions)
BAD_INPUT_TABLE (object)
BAD_INPUT_TABLE (gc)
BAD_INPUT_TABLE (ref)
BAD_INPUT_TABLE (proxy)
BAD_INPUT_TABLE (weak)
BAD_INPUT_TABLE (finalizer)
BAD_INPUT_TABLE (registry)
BAD_INPUT_TABLE (signal)
BAD_INPUT_TABLE (weak_value_dict)
BAD_INPUT_TABLE (weak_key_dict)
BAD_INPUT_TABLE (weak_set)

G_END_DECLS
