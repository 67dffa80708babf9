/* wk-gc-private.h: what WkObject and the collector share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-object.h"

G_BEGIN_DECLS

typedef struct _WkGcHead WkGcHead;

/* A tracked object's place in the collector's lists; in the WkObject's
 * instance. Every field is under the collector's tracking lock. */
struct _WkGcHead
{
  WkGcHead  *prev;
  WkGcHead  *next;
  GObject   *object;
  gssize     gc_refs;      /* a collection's scratch count */
  gboolean   tracked;      /* on one of the lists; which list is the
                            * generation (or the permanent one) */
  guint      flags;        /* a collection's marks */
};

void      _wk_gc_track   (WkGcHead *head,
                          GObject  *object);
void      _wk_gc_untrack (WkGcHead *head);

WkGcHead *_wk_object_gc_head (WkObject *self);

/* Ephemerons: every (key, value object) entry of the weak key dicts with
 * GValue values, under their locks; @func only looks at pointers. */
typedef void (*WkEphemeronFunc) (gpointer  key,
                                 GObject  *value,
                                 gpointer  user_data);
void      _wk_weak_key_dicts_scan (WkEphemeronFunc func,
                                   gpointer        user_data);

G_END_DECLS
