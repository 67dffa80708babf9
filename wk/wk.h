/* wk.h: the one header users include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WK_INSIDE
# include "wk-version.h"
# include "wk-version-macros.h"
# include "wk-types.h"
# include "wk-enums.h"
# include "wk-enum-types.h"
# include "wk-init.h"
# include "wk-binding.h"
# include "wk-object.h"
# include "wk-ref.h"
# include "wk-proxy.h"
# include "wk-finalizer.h"
# include "wk-finalization-registry.h"
# include "wk-signal.h"
# include "wk-toggle.h"
# include "wk-gc.h"
# include "wk-weak.h"
# include "wk-weak-key-dict.h"
# include "wk-weak-set.h"
# include "wk-weak-value-dict.h"
#undef WK_INSIDE

G_END_DECLS
