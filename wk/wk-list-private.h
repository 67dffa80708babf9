/* wk-list-private.h: Wk's one intrusive doubly linked list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A WkLink is the first member of what it links (an anchor's refs and
 * watches, the pending finalizers), so adding and removing allocates
 * nothing and removing is O(1). The list is a pointer to its newest
 * link; whoever owns the list's lock calls these.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WkLink WkLink;

struct _WkLink
{
  WkLink *prev;
  WkLink *next;
};

/* Adds @link first (newest first). */
static inline void
wk_list_push (WkLink **head,
              WkLink  *link)
{
  link->prev = NULL;
  link->next = *head;
  if (*head != NULL)
    (*head)->prev = link;
  *head = link;
}

static inline void
wk_list_remove (WkLink **head,
                WkLink  *link)
{
  if (link->prev != NULL)
    link->prev->next = link->next;
  else
    *head = link->next;
  if (link->next != NULL)
    link->next->prev = link->prev;
  link->prev = link->next = NULL;
}

/* Reverses a list linked through next only (prev is not kept). */
static inline WkLink *
wk_list_reverse (WkLink *link)
{
  WkLink *reversed = NULL;

  while (link != NULL)
    {
      WkLink *next = link->next;

      link->next = reversed;
      reversed = link;
      link = next;
    }
  return reversed;
}

G_END_DECLS
