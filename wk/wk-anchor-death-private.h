/* wk-anchor-death-private.h: the death of a referent, for its weak
 * references
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-anchor-private.h"

G_BEGIN_DECLS

/* An object's death in steps, so that a collection can make every weak
 * reference to every garbage object read NULL before any callback runs:
 * kill each, then deliver the watches of all, then the callbacks of all,
 * then the late watches of all. A plain death does the four in a row. */
typedef struct
{
  WkAnchor   *anchor;
  GObject    *object;     /* alive until wk_anchor_deliver_late() returns */
  GPtrArray  *nodes;
  WkLink     *early;
  WkLink     *late;
} WkAnchorDeath;

void       wk_anchor_kill              (WkAnchor      *anchor,
                                        GObject       *object,
                                        WkAnchorDeath *death);
void       wk_anchor_deliver_watches   (WkAnchorDeath *death);
void       wk_anchor_deliver_callbacks (WkAnchorDeath *death);
void       wk_anchor_deliver_late      (WkAnchorDeath *death);

/* For collections: mark makes readers of a live object wait (FALSE if it
 * is not alive); unmark lets them go on; disown claims the death of an
 * object that the collection found garbage, taking the object's own
 * death notification away: FALSE if the object's own death claimed it
 * first (then the collection leaves this anchor alone). */
gboolean   wk_anchor_gc_mark           (WkAnchor  *anchor);
void       wk_anchor_gc_unmark         (WkAnchor  *anchor);
/* From WkObject's dispose: processes the death of its anchor, if any. */
void       wk_anchor_object_disposed   (GObject   *object);
gboolean   wk_anchor_gc_disown         (WkAnchor  *anchor,
                                        GObject   *object);

/* The GWeakNotify of a plain GObject's anchor. */
void       _wk_anchor_object_died      (gpointer   data,
                                        GObject   *where_the_object_was);

G_END_DECLS
