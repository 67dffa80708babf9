/* wk-hazard-private.h: per-thread hazard slots
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A reader that is about to touch memory it holds no reference on (an
 * anchor reached through a WkWeak, or the referent's own ref_count)
 * publishes the anchor's address in its thread's slot first. Whoever is
 * about to make that memory go away (the referent's death, the anchor's
 * free) first makes the memory unreachable through a sequentially
 * consistent store and then calls wk_hazard_wait(), which returns once no
 * slot holds the address. The reader pays one uncontended exchange on a
 * cache line that only its own thread writes; nothing is shared between
 * readers of different objects.
 *
 * A slot is held only across a handful of instructions that run no user
 * code, so waiting for it is short.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WkHazard WkHazard;

struct _WkHazard
{
  gpointer   ptr;      /* (atomic) what this thread is reading, or NULL */
  WkHazard  *next;     /* immutable once the slot is on the list */
  gint       in_use;   /* (atomic) owned by a live thread */
} __attribute__ ((aligned (64)));

extern __thread WkHazard *_wk_hazard_self __attribute__ ((tls_model ("initial-exec")));

WkHazard *_wk_hazard_acquire (void);
void      wk_hazard_wait     (gconstpointer ptr);

static inline WkHazard *
wk_hazard_get (void)
{
  WkHazard *h = _wk_hazard_self;

  if (G_LIKELY (h != NULL))
    return h;
  return _wk_hazard_acquire ();
}

/* Publish @ptr; the exchange is a full barrier, so the loads that follow
 * are ordered after the publication (the other half of the Dekker pair is
 * the reclaimer's store followed by its scan). */
static inline void
wk_hazard_publish (WkHazard *h,
                   gpointer  ptr)
{
  (void) __atomic_exchange_n (&h->ptr, ptr, __ATOMIC_SEQ_CST);
}

static inline void
wk_hazard_clear (WkHazard *h)
{
  __atomic_store_n (&h->ptr, NULL, __ATOMIC_RELEASE);
}

G_END_DECLS
