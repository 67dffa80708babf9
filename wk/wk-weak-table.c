/* wk-weak-table.c: the table behind Wk's weak collections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-weak-table-private.h for the model.
 */

#include "config.h"

#include <pthread.h>
#include <string.h>

#define WK_WEAK_TABLE_COMPILATION
#include "wk-weak-table-private.h"
#include "wk-weak-table-nodes-private.h"

static inline void
live_add (WkWeakTable *table,
          gint         delta)
{
  __atomic_store_n (&table->n_live, table->n_live + delta, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------------- */
/* Index                                                                  */

static inline guint32
hash_mix (guint32 hash)
{
  return hash * 0x9e3779b1u;
}

static inline guint
hash_tag (guint32 mixed)
{
  return TAG_FULL | (mixed & 0x7f);
}

static inline gsize
slot_first (const Block *block,
            guint32      mixed)
{
  return mixed >> (32 - block->shift);
}

static inline gsize
slot_next (const Block *block,
           gsize        slot)
{
  return (slot + 1) & (((gsize) 1 << block->shift) - 1);
}

/* Slots are read by lookups that take no lock (see "Reading without the
 * lock"): sequentially consistent loads, plain moves on x86 and a load
 * acquire on ARM. A new entry is published by a release store of its
 * slot; a removal's store is sequentially consistent, so that a lookup
 * that publishes the block after the remover's grace scan cannot read
 * the slot as it was. */
static inline guint64
slot_get (const Block *block,
          gsize        slot)
{
  switch (block->width)
    {
    case 2:  return __atomic_load_n (&((guint16 *) block->slots)[slot], __ATOMIC_SEQ_CST);
    case 4:  return __atomic_load_n (&((guint32 *) block->slots)[slot], __ATOMIC_SEQ_CST);
    default: return __atomic_load_n (&((guint64 *) block->slots)[slot], __ATOMIC_SEQ_CST);
    }
}

static inline void
slot_set (Block   *block,
          gsize    slot,
          guint64  word,
          int      order)
{
  switch (block->width)
    {
    case 2:  __atomic_store_n (&((guint16 *) block->slots)[slot], word, order); break;
    case 4:  __atomic_store_n (&((guint32 *) block->slots)[slot], word, order); break;
    default: __atomic_store_n (&((guint64 *) block->slots)[slot], word, order); break;
    }
}

/* Points a free slot (empty or dummy) of @hash's probe at @pos. */
static void
index_add (Block   *block,
           guint32  hash,
           guint    pos)
{
  guint32 mixed = hash_mix (hash);
  gsize slot = slot_first (block, mixed);

  while ((slot_get (block, slot) & 0xff) >= TAG_FULL)
    slot = slot_next (block, slot);
  slot_set (block, slot, (guint64) pos << 8 | hash_tag (mixed), __ATOMIC_RELEASE);
}

static void
index_remove (Block   *block,
              guint32  hash,
              guint    pos)
{
  guint32 mixed = hash_mix (hash);
  guint64 word = (guint64) pos << 8 | hash_tag (mixed);
  gsize slot = slot_first (block, mixed);

  while (slot_get (block, slot) != word)
    {
      g_assert (slot_get (block, slot) != TAG_EMPTY);
      slot = slot_next (block, slot);
    }
  slot_set (block, slot, TAG_DUMMY, __ATOMIC_SEQ_CST);
}

static inline guint32
hash_key (WkWeakTable   *table,
          gconstpointer  key)
{
  return table->key_hash (key);
}

/* The position in @block of the entry of @key (hashing to @hash), or
 * NONE. Safe without the lock under the rules of "Reading without the
 * lock" below: the entry may be leaving, and its anchor NULL. */
static inline guint
probe (WkWeakTable   *table,
       const Block   *block,
       gconstpointer  key,
       guint32        hash)
{
  guint32 mixed = hash_mix (hash);
  guint tag = hash_tag (mixed);
  gsize slot;

  for (slot = slot_first (block, mixed);; slot = slot_next (block, slot))
    {
      guint64 word = slot_get (block, slot);

      if ((word & 0xff) == tag)
        {
          const Entry *entry = &block->dense[word >> 8];
          gpointer stored = __atomic_load_n (&entry->key, __ATOMIC_SEQ_CST);

          /* The anchor and the object (weak values: the hint; weak keys:
           * the key itself) come next in a lookup: load them while the
           * keys are compared. A prefetch of memory that is gone does
           * nothing. */
          __builtin_prefetch (__atomic_load_n (&entry->anchor, __ATOMIC_RELAXED));
          __builtin_prefetch (table->kind == WK_WEAK_TABLE_WEAK_VALUES
                              ? __atomic_load_n (&entry->hint, __ATOMIC_RELAXED) : stored, 1);

          if (__atomic_load_n (&entry->hash, __ATOMIC_RELAXED) == hash &&
              (stored == key ||
               (table->key_equal != NULL && table->key_equal (stored, key))))
            return (guint) (word >> 8);
        }
      else if (word == TAG_EMPTY)
        return NONE;
    }
}

static inline guint
find_locked (WkWeakTable   *table,
             gconstpointer  key,
             guint32        hash)
{
  return table->block != NULL ? probe (table, table->block, key, hash) : NONE;
}

/* ---------------------------------------------------------------------- */
/* Reading without the lock                                               */

/* A lookup publishes the table's block in its thread's hazard slot, finds
 * the entry there, reads its anchor and publishes the anchor instead, in
 * one exchange, for wk_anchor_get(). Whoever takes an entry out (a
 * removal, a replacement, a death) clears its anchor or slot first, and
 * then, still under the lock, waits until no hazard slot holds the block
 * (grace_locked) before it takes the watch out, returns from the death
 * handler (after which the anchor may be freed) or destroys the key; a
 * rebuild waits so before it frees the old block. So a lookup that saw
 * the entry holds the block until it holds the anchor: neither the block,
 * nor the key it compares, nor the anchor can go meanwhile. A lookup
 * racing a removal returns the value or nothing, as if it came before or
 * after. The equal function runs with the block published; like a
 * GHashTable's, it must not call into the table. */
static inline void
grace_locked (WkWeakTable *table)
{
  if (table->block != NULL)
    wk_hazard_wait (table->block);
}

/* Publishes @table's block in @hazard: NULL if the table has none. */
static inline Block *
publish_block (WkWeakTable *table,
               WkHazard    *hazard)
{
  for (;;)
    {
      Block *block = __atomic_load_n (&table->block, __ATOMIC_ACQUIRE);

      if (block == NULL)
        return NULL;
      wk_hazard_publish (hazard, block);
      if (__atomic_load_n (&table->block, __ATOMIC_SEQ_CST) == block)
        return block;
    }
}

/* The live entry of @key, or NULL, with @hazard holding the block (the
 * caller clears it, or publishes something else). */
static inline Entry *
read_find (WkWeakTable   *table,
           gconstpointer  key,
           guint32        hash,
           WkHazard      *hazard,
           WkAnchor     **anchor)
{
  Block *block = publish_block (table, hazard);
  Entry *entry;
  guint pos;

  if (block == NULL || (pos = probe (table, block, key, hash)) == NONE)
    return NULL;
  entry = &block->dense[pos];
  *anchor = __atomic_load_n (&entry->anchor, __ATOMIC_SEQ_CST);
  return *anchor != NULL ? entry : NULL;
}

/* ---------------------------------------------------------------------- */
/* Blocks                                                                 */

static Block *
block_new (guint shift)
{
  gsize slots = (gsize) 1 << shift;
  guint capacity = slots - (slots + 4) / 5;
  guint width = capacity <= 255 ? 2 : capacity < (1u << 24) ? 4 : 8;
  gsize slots_at = (sizeof (Block) + 7) & ~(gsize) 7;
  gsize dense_at = slots_at + slots * width;
  Block *block = g_malloc (dense_at + 63 + (gsize) capacity * sizeof (Entry));

  block->shift = shift;
  block->width = width;
  block->capacity = capacity;
  block->slots = (guint8 *) block + slots_at;
  block->dense = (Entry *) (((guintptr) block + dense_at + 63) & ~(guintptr) 63);
  memset (block->slots, TAG_EMPTY, slots * width);
  return block;
}

/* Makes room for one more entry: closes the holes unless an iteration
 * runs (its positions must hold), and sizes the block for twice the
 * entries kept, so that appends cost O(1) amortized and a table whose
 * entries left shrinks. */
static void
rebuild_locked (WkWeakTable *table)
{
  gboolean compact = table->iterating == 0;
  guint keep = compact ? table->n_live : table->n_used;
  guint want = MAX (keep * 2, 6);
  guint shift = MIN_SHIFT;
  Block *old = table->block, *block;
  guint p, q = 0;

  while (((gsize) 1 << shift) - (((gsize) 1 << shift) + 4) / 5 < want)
    shift++;
  block = block_new (shift);

  for (p = 0; old != NULL && p < table->n_used; p++)
    {
      Entry *from = &old->dense[p];

      if (from->anchor == NULL && compact)
        continue;
      block->dense[q] = *from;
      if (from->anchor != NULL)
        {
          node_at (table, from->node)->pos = q;
          index_add (block, from->hash, q);
        }
      q++;
    }
  table->n_used = q;
  __atomic_store_n (&table->block, block, __ATOMIC_SEQ_CST);
  if (old != NULL)
    wk_hazard_wait (old);
  g_free (old);
}

/* ---------------------------------------------------------------------- */
/* Entries                                                                */

/* Takes the entry at @pos out of the index and the count; it is a hole
 * from now on. Returns its anchor. */
static WkAnchor *
make_hole_locked (WkWeakTable *table,
                  guint        pos)
{
  Entry *entry = entry_at (table, pos);
  WkAnchor *anchor = entry->anchor;

  index_remove (table->block, entry->hash, pos);
  __atomic_store_n (&entry->anchor, NULL, __ATOMIC_SEQ_CST);
  live_add (table, -1);
  return anchor;
}

/* The entry at @pos leaves the table; with @keep, its key and value go
 * to the caller instead of being destroyed. */
static void
remove_entry_locked (WkWeakTable *table,
                     guint        pos,
                     gboolean     keep,
                     Trash       *trash)
{
  WkAnchor *anchor = make_hole_locked (table, pos);
  Entry *entry = entry_at (table, pos);

  grace_locked (table);
  _wk_weak_table_node_detach_locked (table, entry->node, anchor, trash);
  if (!keep)
    _wk_weak_table_trash_entry (table, trash, entry);
}

static void
entry_died (WkWatch *watch)
{
  Node *node = (Node *) watch;
  NodeChunk *chunk = (NodeChunk *) ((guintptr) node & ~(guintptr) (CHUNK_SIZE - 1));
  WkWeakTable *table = chunk->table;
  guint32 number = chunk->first + (guint32) (node - chunk->nodes);
  Trash trash = TRASH_INIT;

  table_lock (table);
  /* The anchor goes away after this; nobody may look at it any more. */
  node->watching = FALSE;
  if (node->state == NODE_ATTACHED)
    {
      Entry *entry = entry_at (table, node->pos);

      g_assert (entry->node == number && entry->anchor != NULL);
      make_hole_locked (table, node->pos);
      grace_locked (table);
      node->state = NODE_DETACHED;
      _wk_weak_table_trash_entry (table, &trash, entry);
    }
  if (node->holds == 0)
    _wk_weak_table_node_free_locked (table, number, &trash);
  table_unlock (table);

  _wk_weak_table_trash_empty (table, &trash);
}

/* Whether @anchor's object has begun to die. One that a collection is
 * deciding about (readers wait for it) is not: if it is garbage, its
 * death takes the entry out as any other. */
static inline gboolean
anchor_is_dying (WkAnchor *anchor)
{
  return __atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_DEAD ||
         wk_glib_weak_ref_is_cleared (&anchor->gweak);
}

WkWeakTable *
wk_weak_table_new (WkWeakTableKind  kind,
                   GHashFunc        key_hash,
                   GEqualFunc       key_equal,
                   GDestroyNotify   key_destroy,
                   GDestroyNotify   value_destroy)
{
  WkWeakTable *table = g_new0 (WkWeakTable, 1);

  pthread_mutex_init (&table->lock, NULL);
  table->ref_count = 1;
  table->kind = kind;
  table->chunks = g_ptr_array_new ();
  table->free_node = NONE;
  if (kind == WK_WEAK_TABLE_WEAK_KEYS)
    table->key_hash = wk_identity_hash;
  else
    {
      table->key_hash = key_hash != NULL ? key_hash : g_direct_hash;
      table->key_equal = key_equal != g_direct_equal ? key_equal : NULL;
      table->key_destroy = key_destroy;
    }
  table->value_destroy = value_destroy;
  return table;
}

void
wk_weak_table_set_key_expose (WkWeakTable          *table,
                              WkWeakTableKeyExpose  expose)
{
  table->key_expose = expose;
}

void
wk_weak_table_set_keep_keys (WkWeakTable *table,
                             gboolean     keep)
{
  table->keep_keys = keep;
}

/* @entry takes @entry_key, or with keep_keys keeps its own; @old (the
 * copy of @entry that goes to the trash) then holds the key to destroy. */
static inline void
replace_key_locked (WkWeakTable *table,
                    Entry       *entry,
                    Entry       *old,
                    gpointer     entry_key)
{
  if (table->keep_keys && table->kind == WK_WEAK_TABLE_WEAK_VALUES)
    old->key = entry_key;
  else
    __atomic_store_n (&entry->key, entry_key, __ATOMIC_SEQ_CST);
}

gboolean
wk_weak_table_insert (WkWeakTable *table,
                      gpointer     key,
                      GObject     *object,
                      gpointer     value,
                      gboolean     only_new)
{
  gpointer entry_key = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? (gpointer) object : key;
  guint32 hash = hash_key (table, entry_key);
  WkAnchor *anchor = wk_anchor_obtain (object);
  gboolean alive = !anchor_is_dying (anchor);
  Trash trash = TRASH_INIT;
  gboolean added = FALSE;
  guint32 number = NONE;
  Entry *entry, old;
  guint pos;

  table_lock (table);
  pos = find_locked (table, entry_key, hash);
  if (pos != NONE && only_new)
    goto refuse;
  if (pos != NONE && alive && entry_at (table, pos)->anchor == anchor)
    {
      /* The same object again: the entry keeps its watch. */
      entry = entry_at (table, pos);
      old = *entry;
      replace_key_locked (table, entry, &old, entry_key);
      if (table->kind == WK_WEAK_TABLE_WEAK_KEYS)
        __atomic_store_n (&entry->value, value, __ATOMIC_RELEASE);
      grace_locked (table);
      _wk_weak_table_trash_entry (table, &trash, &old);
      added = TRUE;
      goto out;
    }
  if (alive)
    number = _wk_weak_table_node_watch_locked (table, anchor, entry_died, &trash);
  if (number == NONE)
    {
      /* Dying already: the key maps to nothing now, not to an old value. */
      if (pos != NONE)
        remove_entry_locked (table, pos, FALSE, &trash);
      goto refuse;
    }

  if (pos != NONE)
    {
      /* Replaced in place, as CPython's dicts do: the key keeps its
       * place in the order. The old value's watch goes, so its death
       * cannot take the new entry. */
      entry = entry_at (table, pos);
      old = *entry;
      entry->node = number;
      replace_key_locked (table, entry, &old, entry_key);
      __atomic_store_n (&entry->value,
                        table->kind == WK_WEAK_TABLE_WEAK_KEYS ? value : (gpointer) object,
                        __ATOMIC_RELEASE);
      __atomic_store_n (&entry->anchor, anchor, __ATOMIC_SEQ_CST);
      grace_locked (table);
      _wk_weak_table_node_detach_locked (table, old.node, old.anchor, &trash);
      _wk_weak_table_trash_entry (table, &trash, &old);
    }
  else
    {
      if (table->block == NULL || table->n_used == table->block->capacity)
        rebuild_locked (table);
      pos = table->n_used++;
      entry = entry_at (table, pos);
      entry->hash = hash;
      entry->node = number;
      entry->key = entry_key;
      entry->anchor = anchor;
      entry->value = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? value : (gpointer) object;
      /* Published by the slot. */
      index_add (table->block, hash, pos);
      live_add (table, 1);
    }
  node_at (table, number)->pos = pos;
  node_at (table, number)->state = NODE_ATTACHED;
  added = TRUE;
  goto out;

refuse:
  /* Never in the table: nobody has seen them. */
  _wk_weak_table_trash_add (table, &trash, table->kind == WK_WEAK_TABLE_WEAK_VALUES ? key : NULL, value, FALSE);
out:
  table_unlock (table);

  /* The watch keeps the anchor: it lives until the object's death has
   * been processed, which is when the watch fires. */
  wk_anchor_unref (anchor);
  _wk_weak_table_trash_empty (table, &trash);
  return added;
}

/* wk_anchor_get() with the block, not the anchor, in the hazard slot, for
 * the lock-free case (a count of 2 or more): the block keeps the anchor
 * and the object as well as a published anchor would. The entry watched
 * the anchor when the lookup saw it, and its watch is taken out only
 * after a grace (so, after this lookup); until then the object's death,
 * in whatever thread and whatever way (a last unref, a collection),
 * fires the watch before the object or the anchor is freed, and the
 * death handler waits for this lookup in its grace. The other cases
 * publish the anchor and take wk_anchor_get()'s own slow path. */
static inline gpointer
get_under_block (WkAnchor *anchor,
                 WkHazard *hazard)
{
  GObject *object;

  if (G_LIKELY (_wk_anchor_state_alive (anchor)))
    {
      object = anchor->object;
      if (wk_glib_try_ref_from_2 (object))
        return _wk_anchor_check_got (anchor, object, hazard);
    }
  wk_hazard_publish (hazard, anchor);
  return _wk_anchor_get_slow (anchor, hazard);
}

gpointer
wk_weak_table_dup_object (WkWeakTable   *table,
                          gconstpointer  key)
{
  guint32 hash = hash_key (table, key);
  WkHazard *hazard = wk_hazard_get ();
  WkAnchor *anchor = NULL;
  Entry *entry = read_find (table, key, hash, hazard, &anchor);

  if (entry == NULL)
    {
      wk_hazard_clear (hazard);
      return NULL;
    }
  return get_under_block (anchor, hazard);
}

/* The value of @key, borrowed, and whether there is an entry. */
static gpointer
lookup_value_borrowed (WkWeakTable   *table,
                       gconstpointer  key,
                       gboolean      *found)
{
  guint32 hash = hash_key (table, key);
  gpointer value = NULL;
  WkHazard *hazard = wk_hazard_get ();
  WkAnchor *anchor;
  Entry *entry = read_find (table, key, hash, hazard, &anchor);

  /* An acquire for the release of a replaced value: what the value
   * points to was written before it was stored. */
  if (entry != NULL)
    value = __atomic_load_n (&entry->value, __ATOMIC_ACQUIRE);
  wk_hazard_clear (hazard);
  *found = entry != NULL;
  return value;
}

gpointer
wk_weak_table_lookup_value (WkWeakTable    *table,
                            gconstpointer   key,
                            GBoxedCopyFunc  copy,
                            gboolean       *found)
{
  guint32 hash;
  Trash trash = TRASH_INIT;
  gpointer value = NULL;
  guint32 number = NONE;
  guint pos;

  if (copy == NULL)
    {
      gboolean was_found;

      value = lookup_value_borrowed (table, key, &was_found);
      if (found != NULL)
        *found = was_found;
      return value;
    }

  hash = hash_key (table, key);
  table_lock (table);
  pos = find_locked (table, key, hash);
  if (pos != NONE)
    {
      Entry *entry = entry_at (table, pos);

      /* Held: neither destroyed nor stolen until the copy is done. */
      value = entry->value;
      number = entry->node;
      node_at (table, number)->holds++;
      table->deferring++;
    }
  table_unlock (table);

  if (found != NULL)
    *found = pos != NONE;
  if (number != NONE)
    {
      /* The copy may run user code (a boxed copy, a Python incref that
       * takes the GIL): outside the lock. */
      value = value != NULL ? copy (value) : NULL;
      table_lock (table);
      _wk_weak_table_unhold_locked (table, number, &trash);
      _wk_weak_table_undefer_locked (table, &trash);
      table_unlock (table);
      _wk_weak_table_trash_empty (table, &trash);
    }
  return value;
}

gboolean
wk_weak_table_contains (WkWeakTable   *table,
                        gconstpointer  key)
{
  guint32 hash = hash_key (table, key);
  gboolean contains;
  WkHazard *hazard = wk_hazard_get ();
  WkAnchor *anchor;

  contains = read_find (table, key, hash, hazard, &anchor) != NULL;
  if (contains)
    {
      /* A value that has started to die reads NULL already, though its
       * death has not been processed yet. */
      wk_hazard_publish (hazard, anchor);
      if (G_UNLIKELY (__atomic_load_n (&anchor->state, __ATOMIC_SEQ_CST) == WK_ANCHOR_GC_PENDING))
        {
          /* A collection decides about it: as a read would, wait. */
          GObject *object = wk_anchor_get (anchor, hazard);

          contains = object != NULL;
          g_clear_object (&object);
          return contains;
        }
      contains = !anchor_is_dying (anchor);
    }
  wk_hazard_clear (hazard);
  return contains;
}

gboolean
wk_weak_table_remove (WkWeakTable   *table,
                      gconstpointer  key)
{
  guint32 hash = hash_key (table, key);
  Trash trash = TRASH_INIT;
  guint pos;

  table_lock (table);
  pos = find_locked (table, key, hash);
  if (pos != NONE)
    remove_entry_locked (table, pos, FALSE, &trash);
  table_unlock (table);

  _wk_weak_table_trash_empty (table, &trash);
  return pos != NONE;
}

gboolean
wk_weak_table_pop (WkWeakTable    *table,
                   gconstpointer   key,
                   gpointer       *object,
                   GBoxedCopyFunc  copy_value,
                   gpointer       *value)
{
  guint32 hash = hash_key (table, key);
  Trash trash = TRASH_INIT;
  WkHazard *hazard = NULL;
  WkAnchor *anchor = NULL;
  gpointer stored;
  guint pos;

  table_lock (table);
  pos = find_locked (table, key, hash);
  if (pos == NONE)
    {
      table_unlock (table);
      return FALSE;
    }
  if (object != NULL)
    anchor = publish_anchor_locked (table, pos, &hazard);
  stored = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? entry_at (table, pos)->value : NULL;
  /* The value waits for our copy, whoever else reads it meanwhile. */
  table->deferring++;
  remove_entry_locked (table, pos, FALSE, &trash);
  table_unlock (table);

  /* The anchor may have lost its watch, but the hazard slot holds it. */
  if (object != NULL)
    *object = wk_anchor_get (anchor, hazard);
  if (value != NULL)
    *value = stored != NULL && copy_value != NULL ? copy_value (stored) : NULL;

  table_lock (table);
  _wk_weak_table_undefer_locked (table, &trash);
  table_unlock (table);
  _wk_weak_table_trash_empty (table, &trash);
  return TRUE;
}

gboolean
wk_weak_table_steal (WkWeakTable   *table,
                     gconstpointer  key,
                     gpointer      *stolen_key,
                     gpointer      *object,
                     gpointer      *stolen_value)
{
  guint32 hash = hash_key (table, key);
  Trash trash = TRASH_INIT;
  WkHazard *hazard = NULL;
  WkAnchor *anchor = NULL;
  guint spins = 0;
  Entry *entry;
  guint pos;

  table_lock (table);
  for (;;)
    {
      pos = find_locked (table, key, hash);
      if (pos == NONE)
        {
          table_unlock (table);
          return FALSE;
        }
      if (table->iterating > 0 && pos < table->horizon)
        {
          table_unlock (table);
          g_critical ("cannot steal from a Wk weak collection while it is being iterated");
          return FALSE;
        }
      /* The caller will own the value: wait for copies of it to end. */
      if (node_at (table, entry_at (table, pos)->node)->holds == 0)
        break;
      table_unlock (table);
      wk_spin_pause (&spins);
      table_lock (table);
    }
  entry = entry_at (table, pos);
  if (object != NULL)
    anchor = publish_anchor_locked (table, pos, &hazard);
  if (stolen_key != NULL)
    *stolen_key = entry->key;
  if (stolen_value != NULL)
    *stolen_value = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? entry->value : NULL;
  remove_entry_locked (table, pos, TRUE, &trash);
  table_unlock (table);

  if (object != NULL)
    *object = wk_anchor_get (anchor, hazard);
  _wk_weak_table_trash_empty (table, &trash);
  return TRUE;
}

void
wk_weak_table_remove_all (WkWeakTable *table)
{
  typedef struct { guint pos; WkAnchor *anchor; } Out;
  Trash trash = TRASH_INIT;
  GArray *out;
  guint pos, i;

  table_lock (table);
  /* Every entry out first, then one grace for them all. */
  out = g_array_sized_new (FALSE, FALSE, sizeof (Out), table->n_live);
  for (pos = 0; pos < table->n_used; pos++)
    if (entry_at (table, pos)->anchor != NULL)
      {
        Out o = { pos, make_hole_locked (table, pos) };

        g_array_append_val (out, o);
      }
  grace_locked (table);
  for (i = 0; i < out->len; i++)
    {
      Out *o = &g_array_index (out, Out, i);
      Entry *entry = entry_at (table, o->pos);

      _wk_weak_table_node_detach_locked (table, entry->node, o->anchor, &trash);
      _wk_weak_table_trash_entry (table, &trash, entry);
    }
  g_array_unref (out);
  if (table->iterating == 0)
    {
      /* All holes now: start again small. */
      Block *old = table->block;

      __atomic_store_n (&table->block, NULL, __ATOMIC_SEQ_CST);
      if (old != NULL)
        wk_hazard_wait (old);
      g_free (old);
      table->n_used = 0;
    }
  table_unlock (table);

  _wk_weak_table_trash_empty (table, &trash);
}

guint
wk_weak_table_get_size (WkWeakTable *table)
{
  return __atomic_load_n (&table->n_live, __ATOMIC_RELAXED);
}

void
wk_weak_table_free (WkWeakTable *table)
{
  wk_weak_table_remove_all (table);
  _wk_weak_table_unref (table);
}
