/* wk-object-private.h: what the rest of Wk needs from WkObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-object.h"

G_BEGIN_DECLS

typedef struct _WkAnchor WkAnchor;

/* The slot where a WkObject keeps its anchor (instead of qdata). */
WkAnchor **_wk_object_anchor_slot (WkObject *self);

G_END_DECLS
