/* signal.c: bad input to weak signal handlers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bad-input.h"

static void
case_signal_connect_weak (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *emitter = g_object_new (BAD_TYPE_EMITTER, NULL);
  GObject *target = plain_new ();

  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_weak (NULL, "poke", G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_weak (pspec, "poke", G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*detailed_signal != NULL*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, NULL, G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*c_handler != NULL*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", NULL, target, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), NULL, 0), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke", G_CALLBACK (on_poke), pspec, 0), ==, 0);
  g_test_assert_expected_messages ();
  /* A signal the instance does not have, or a detail on a signal without
   * G_SIGNAL_DETAILED: Wk's own critical and 0, on every GLib (GLib's
   * own report, a warning up to 2.74 and a critical from 2.76 on, never
   * comes: Wk checks the name first). */
  EXPECT_CRITICAL ("*wk_signal_connect_weak: signal 'no-such-signal' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "no-such-signal", G_CALLBACK (on_poke), target, 0), ==, 0);
  EXPECT_CRITICAL ("*wk_signal_connect_weak: signal 'poke::detail' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_weak (emitter, "poke::detail", G_CALLBACK (on_poke), target, 0), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
  g_signal_emit_by_name (emitter, "poke");
  g_assert_cmpint (n_calls, ==, 0);
  g_object_unref (target);
  g_object_unref (emitter);
  g_param_spec_unref (pspec);
}

static void
case_signal_connect_closure_weak (void)
{
  GParamSpec *pspec = not_an_object ();
  GObject *emitter = g_object_new (BAD_TYPE_EMITTER, NULL);
  GObject *target = plain_new ();
  GClosure *closure = g_cclosure_new (G_CALLBACK (on_poke), NULL, NULL);

  g_closure_ref (closure);
  g_closure_sink (closure);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (NULL, "poke", closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (instance)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (pspec, "poke", closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*detailed_signal != NULL*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, NULL, closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*closure != NULL*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", NULL, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", closure, NULL, FALSE), ==, 0);
  EXPECT_CRITICAL ("*G_IS_OBJECT (target)*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke", closure, pspec, TRUE), ==, 0);
  g_test_assert_expected_messages ();
  EXPECT_CRITICAL ("*wk_signal_connect_closure_weak: signal 'no-such-signal' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "no-such-signal", closure, target, FALSE), ==, 0);
  EXPECT_CRITICAL ("*wk_signal_connect_closure_weak: signal 'poke::detail' is invalid*BadEmitter*");
  g_assert_cmpuint (wk_signal_connect_closure_weak (emitter, "poke::detail", closure, target, FALSE), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wk_get_weak_ref_count (target), ==, 0);
  g_signal_emit_by_name (emitter, "poke");
  g_assert_cmpint (n_calls, ==, 0);
  g_closure_unref (closure);
  g_object_unref (target);
  g_object_unref (emitter);
  g_param_spec_unref (pspec);
}

const BadInputCase bad_input_signal_cases[] = {
  CASE (signal_connect_weak),
  CASE (signal_connect_closure_weak),
};
BAD_INPUT_TABLE_LENGTH (signal)
