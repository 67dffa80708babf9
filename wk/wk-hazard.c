/* wk-hazard.c: per-thread hazard slots
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "wk-hazard-private.h"
#include "wk-sync-private.h"

__thread WkHazard *_wk_hazard_self __attribute__ ((tls_model ("initial-exec")));

/* Every slot ever made, newest first. Slots are never freed: a thread that
 * exits gives its slot back for the next new thread to take. */
static WkHazard *hazard_list;

static void
hazard_release (gpointer data)
{
  WkHazard *h = data;

  __atomic_store_n (&h->ptr, NULL, __ATOMIC_RELEASE);
  if (_wk_hazard_self == h)
    _wk_hazard_self = NULL;
  __atomic_store_n (&h->in_use, 0, __ATOMIC_RELEASE);
}

static GPrivate hazard_key = G_PRIVATE_INIT (hazard_release);

WkHazard *
_wk_hazard_acquire (void)
{
  WkHazard *h;
  WkHazard *head;

  for (h = __atomic_load_n (&hazard_list, __ATOMIC_ACQUIRE); h != NULL; h = h->next)
    {
      gint expected = 0;

      if (__atomic_load_n (&h->in_use, __ATOMIC_RELAXED) == 0 &&
          __atomic_compare_exchange_n (&h->in_use, &expected, 1, FALSE,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        goto found;
    }

  h = g_aligned_alloc0 (1, sizeof (WkHazard), 64);
  h->in_use = 1;
  head = __atomic_load_n (&hazard_list, __ATOMIC_RELAXED);
  do
    h->next = head;
  while (!__atomic_compare_exchange_n (&hazard_list, &head, h, TRUE,
                                       __ATOMIC_RELEASE, __ATOMIC_RELAXED));

found:
  _wk_hazard_self = h;
  g_private_set (&hazard_key, h);
  return h;
}

void
wk_hazard_wait (gconstpointer ptr)
{
  WkHazard *h;

  for (h = __atomic_load_n (&hazard_list, __ATOMIC_ACQUIRE); h != NULL; h = h->next)
    {
      guint spins = 0;

      while (__atomic_load_n (&h->ptr, __ATOMIC_SEQ_CST) == ptr)
        wk_spin_pause (&spins);
    }
}
