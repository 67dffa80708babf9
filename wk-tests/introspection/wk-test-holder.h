/* wk-test-holder.h: a C object that holds, drops and makes objects for
 * the Python and GJS lifetime tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WK_TEST_TYPE_HOLDER (wk_test_holder_get_type ())

G_DECLARE_FINAL_TYPE (WkTestHolder, wk_test_holder, WK_TEST, HOLDER, GObject)

WkTestHolder *wk_test_holder_new              (void);

void          wk_test_holder_store            (WkTestHolder *self,
                                               GObject      *object);
void          wk_test_holder_drop             (WkTestHolder *self,
                                               guint         index);
void          wk_test_holder_drop_all         (WkTestHolder *self);
GObject      *wk_test_holder_get              (WkTestHolder *self,
                                               guint         index);
GObject      *wk_test_holder_dup              (WkTestHolder *self,
                                               guint         index);
GObject      *wk_test_holder_steal            (WkTestHolder *self,
                                               guint         index);
guint         wk_test_holder_get_size         (WkTestHolder *self);

guint         wk_test_holder_ref_count        (GObject      *object);
GObject      *wk_test_holder_make_object      (GType         type);

void          wk_test_holder_add_toggle       (WkTestHolder *self,
                                               GObject      *object);
void          wk_test_holder_remove_toggle    (WkTestHolder *self,
                                               GObject      *object);
guint         wk_test_holder_get_n_toggles    (WkTestHolder *self);
char         *wk_test_holder_get_toggle_log   (WkTestHolder *self);
void          wk_test_holder_clear_toggle_log (WkTestHolder *self);

G_END_DECLS
