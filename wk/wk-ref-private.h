/* wk-ref-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "wk-ref.h"
#include "wk-anchor-private.h"

G_BEGIN_DECLS


G_END_DECLS
