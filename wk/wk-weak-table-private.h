/* wk-weak-table-private.h: the table behind Wk's weak collections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One implementation serves WkWeakValueDict (weak values), WkWeakKeyDict
 * (weak keys) and WkWeakSet (weak keys, no values). It is laid out as
 * CPython's compact dict: the entries sit in a dense array in insertion
 * order (hash, key, the weak side's anchor, and for weak keys the value),
 * and a small open-addressed index (one word per slot, 2, 4 or 8 bytes
 * wide by the table's size, holding a tag byte of the hash and the
 * entry's position) maps a hash to its entry. A removed entry leaves a hole in the dense array
 * until the next rebuild, which closes the holes. So iteration goes in
 * insertion order: replacing the value of a present key keeps its place,
 * removing it (or the death of its weak side) and inserting it again
 * puts it last.
 *
 * Each entry watches the anchor of its weak side (see
 * wk-anchor-private.h): when that object dies, the entry leaves the
 * table, its key and value destroy notifies run exactly once, and no
 * lookup, size or iteration sees it from the moment the death is
 * processed. A newer value under the same key is never removed by the
 * old value's death: the old watch is taken out when the value is
 * replaced, or, if it is firing already, cut off from the entry. The
 * watches live in a slab of the table's own (they must not move, while
 * the entries do), and reach their entry through its position, which a
 * rebuild updates.
 *
 * Locking: lookups (dup_object, contains, lookup_value without a copy)
 * take no lock: a lookup publishes the table's index in its thread's
 * hazard slot (see wk-hazard-private.h) and hands over to the entry's
 * anchor for the read of the object; whoever takes an entry out waits,
 * before the entry's watch, anchor or key can go, until no slot holds
 * the index (wk-weak-table.c, "Reading without the lock"). Every other
 * call takes the table's mutex for a few hundred instructions at most,
 * never while user code runs (destroy notifies, foreach callbacks, value
 * copies, g_object_unref of values); the hash function runs before the
 * lock, the equal function under it or under a lookup's hazard slot, as
 * in a GHashTable (it must not call into the table). Deaths come from any
 * thread.
 *
 * Iteration: an iterator walks the dense array by position, up to the
 * length it had when the iteration began, so it survives deaths and
 * removals (they only make holes), never yields a dead entry, and does
 * not visit keys added meanwhile (they go after its end), which lookups
 * see at once. While an iteration runs the table grows without closing
 * holes, so positions hold. What leaves the table while an iteration, a
 * snapshot or a value copy is under way keeps its key and value until
 * the last of them ends (a borrowed key or value handed out stays
 * valid), and then has its destroy notifies run. No call is refused
 * because another thread iterates, except a C-face steal of an entry the
 * iteration may still hand out.
 *
 * Lifetime: the owner's reference, one per running iterator, and one
 * while any watch node is in use keep the table; so a death in another
 * thread may finish after the collection object itself is gone.
 *
 * Files: wk-weak-table.c (the index, lookups, insert and removals),
 * wk-weak-table-nodes.c (the table's lifetime, the watch nodes, what
 * leaves the table), wk-weak-table-walk.c (iterations, snapshots, the
 * collector's scans).
 */

#pragma once

#include "wk-anchor-private.h"

G_BEGIN_DECLS

typedef struct _WkWeakTable WkWeakTable;

typedef enum {
  WK_WEAK_TABLE_WEAK_VALUES,
  WK_WEAK_TABLE_WEAK_KEYS,
} WkWeakTableKind;

WkWeakTable *wk_weak_table_new          (WkWeakTableKind  kind,
                                         GHashFunc        key_hash,
                                         GEqualFunc       key_equal,
                                         GDestroyNotify   key_destroy,
                                         GDestroyNotify   value_destroy);
/* What the C calls that hand out borrowed keys (iterations, foreach,
 * the borrowed snapshots) hand out for a stored key, when the table stores
 * its keys in another form than its users know them; called under the
 * table's lock, so it must not call user code. The result must stay valid
 * while the key is stored. */
typedef gpointer (*WkWeakTableKeyExpose) (gpointer stored_key);

void         wk_weak_table_set_key_expose (WkWeakTable          *table,
                                           WkWeakTableKeyExpose  expose);

/* Weak values: with @keep, inserting a key that is present keeps the
 * stored key and destroys the new one (g_hash_table_insert()), where by
 * default the new key replaces it (g_hash_table_replace()): for a table
 * whose equal keys are the same value, so that a key handed out borrowed
 * stays valid while its entry stays. */
void         wk_weak_table_set_keep_keys  (WkWeakTable          *table,
                                           gboolean              keep);

/* The owner lets go: every entry leaves, with its destroy notifies. */
void         wk_weak_table_free         (WkWeakTable     *table);

/* Weak values: @key is owned by the table, @object is the weak value.
 * Weak keys: @object is the weak key, @value is owned by the table. The
 * entry replaces any present one with an equal key, in its place, unless
 * @only_new. Returns FALSE (and destroys the new key and value) if the
 * object is already dying (then no entry is left for the key), or with
 * @only_new if a live entry was there. */
gboolean     wk_weak_table_insert       (WkWeakTable     *table,
                                         gpointer         key,
                                         GObject         *object,
                                         gpointer         value,
                                         gboolean         only_new);
/* Weak values: a strong reference to the value of @key, or NULL. */
gpointer     wk_weak_table_dup_object   (WkWeakTable     *table,
                                         gconstpointer    key);
/* Weak keys: the value of the object @key, with @found: borrowed, or
 * with @copy a copy made outside the lock while the entry is held (its
 * value is not destroyed, nor stolen, until the copy is done). */
gpointer     wk_weak_table_lookup_value (WkWeakTable     *table,
                                         gconstpointer    key,
                                         GBoxedCopyFunc   copy,
                                         gboolean        *found);
gboolean     wk_weak_table_contains     (WkWeakTable     *table,
                                         gconstpointer    key);
gboolean     wk_weak_table_remove       (WkWeakTable     *table,
                                         gconstpointer    key);
/* Removes the entry of @key, handing out a strong reference to its weak
 * side (if still alive) and a copy of its value (made with @copy_value
 * outside the lock); the entry's own key and value are destroyed as on a
 * removal. Never refused. */
gboolean     wk_weak_table_pop          (WkWeakTable     *table,
                                         gconstpointer    key,
                                         gpointer        *object,
                                         GBoxedCopyFunc   copy_value,
                                         gpointer        *value);
/* Removes the entry without destroying its key and value, which go to
 * the caller (for weak values, @object gets a strong reference to the
 * value if it still lives), once no other thread is copying its value.
 * Refused, with a critical, while an iteration may still hand the entry
 * out. */
gboolean     wk_weak_table_steal        (WkWeakTable     *table,
                                         gconstpointer    key,
                                         gpointer        *stolen_key,
                                         gpointer        *object,
                                         gpointer        *stolen_value);
void         wk_weak_table_remove_all   (WkWeakTable     *table);
guint        wk_weak_table_get_size     (WkWeakTable     *table);


#ifdef WK_WEAK_TABLE_COMPILATION
/* ---------------------------------------------------------------------- */
/* The layout, for wk-weak-table.c and wk-weak-table-walk.c only          */

#include <pthread.h>

/* An entry of the dense array: 32 bytes, so that no entry straddles two
 * cache lines. A lookup reads hash, key and anchor; lookups that take no
 * lock read them while the lock's holder may change key, anchor and
 * value, so those are written atomically. */
typedef struct
{
  guint32    hash;
  guint32    node;     /* its watch (see Node) */
  gpointer   key;      /* weak values: the key; weak keys: the object */
  WkAnchor  *anchor;   /* of the weak side; NULL in a hole */
  union {
    gpointer value;    /* weak keys */
    gpointer hint;     /* weak values: the object, only ever prefetched */
  };
} Entry;

G_STATIC_ASSERT (sizeof (Entry) == 32);

/* An index slot is one word: a tag in its low byte (empty, a removed
 * entry's, or 0x80 and 7 bits of the mixed hash, so that a probe reads an
 * entry only when its tag matches) and the entry's position above it.
 * Words are 2 bytes while positions fit a byte, 4 while they fit 24
 * bits, 8 beyond. */
#define TAG_EMPTY  0
#define TAG_DUMMY  1
#define TAG_FULL   0x80

/* The index and the dense array, in one allocation, replaced as a whole
 * when the table is rebuilt. A table holds at most four fifths of its
 * slots' worth of entries, holes included, so a probe always meets an
 * empty slot. */
typedef struct
{
  guint     shift;      /* log2 of the number of slots */
  guint     width;      /* bytes per slot: 2, 4 or 8 */
  guint     capacity;   /* entries the dense array holds */
  gpointer  slots;
  Entry    *dense;      /* 64-byte aligned */
} Block;

#define MIN_SHIFT  3

/* A watch, with what its death handler needs to find its entry. They
 * live in 4 KiB chunks, aligned so that a node finds its chunk (and so
 * its table) from its own address, and never move: the anchor links
 * them. */
typedef enum {
  NODE_FREE,
  NODE_ATTACHED,   /* its entry is at pos */
  NODE_DETACHED,   /* its entry left; a firing death or a hold keeps it */
} NodeState;

typedef struct
{
  WkWatch  watch;      /* first */
  guint32  pos;        /* attached: its entry; free: the next free node */
  guint16  holds;      /* value copies in progress (lookup_value) */
  guint8   state;      /* NodeState */
  guint8   watching;   /* linked on the anchor, or its death handler is due */
} Node;

#define CHUNK_SIZE       4096
#define NODES_PER_CHUNK  ((CHUNK_SIZE - 16) / sizeof (Node))

typedef struct
{
  WkWeakTable  *table;
  guint32       first;    /* number of nodes[0] */
  Node          nodes[NODES_PER_CHUNK];
} NodeChunk;

G_STATIC_ASSERT (sizeof (NodeChunk) <= CHUNK_SIZE);

#define NONE G_MAXUINT32

/* What leaves the table: its key and value, destroyed outside the lock. */
typedef struct
{
  gpointer key;
  gpointer value;
} Doomed;

struct _WkWeakTable
{
  pthread_mutex_t  lock;
  Block           *block;        /* (atomic) NULL until the first insert */
  GHashFunc        key_hash;
  GEqualFunc       key_equal;    /* NULL: identity */
  gint             ref_count;    /* (atomic) the owner's, one per iterator,
                                  * one while any node is allocated */
  WkWeakTableKind  kind;
  guint            n_used;       /* dense positions taken, holes included */
  guint            n_live;       /* (atomic for readers) entries, not holes */
  guint            iterating;    /* running iterations */
  guint            horizon;      /* the largest end of a running iteration */
  guint            deferring;    /* iterations, snapshots, value copies */
  guint32          free_node;
  guint            n_nodes;
  GArray          *pending;      /* Doomed, destroyed when deferring ends */
  GPtrArray       *chunks;       /* NodeChunk */
  GDestroyNotify   key_destroy;
  GDestroyNotify   value_destroy;
  WkWeakTableKeyExpose key_expose; /* NULL: keys are handed out as stored */
  gboolean         keep_keys;    /* a replacement keeps the stored key */
};

/* A stored key as the C calls hand it out (see WkWeakTableKeyExpose). */
static inline gpointer
exposed_key (WkWeakTable *table,
             gpointer     key)
{
  return table->key_expose != NULL ? table->key_expose (key) : key;
}

/* What a call does once it has unlocked. It holds the destroy notifies
 * itself: a death handler owns no reference on the table, which another
 * thread may free as soon as the lock is released. */
typedef struct
{
  Doomed          few[2];
  guint           n_few;
  GArray         *more;          /* Doomed */
  GDestroyNotify  key_destroy;
  GDestroyNotify  value_destroy;
  guint           unrefs;        /* of the table: its last node went */
} Trash;

#define TRASH_INIT { { { NULL, NULL } }, 0, NULL, NULL, NULL, 0 }

static inline void
table_lock (WkWeakTable *table)
{
  pthread_mutex_lock (&table->lock);
}

static inline void
table_unlock (WkWeakTable *table)
{
  pthread_mutex_unlock (&table->lock);
}

/* Under the lock. */
static inline Entry *
entry_at (const WkWeakTable *table,
          guint              pos)
{
  return &table->block->dense[pos];
}

static inline Node *
node_at (WkWeakTable *table,
         guint32      number)
{
  NodeChunk *chunk = g_ptr_array_index (table->chunks, number / NODES_PER_CHUNK);

  return &chunk->nodes[number % NODES_PER_CHUNK];
}

/* Under the lock, for the live entry at @pos: publishes its anchor in
 * this thread's hazard slot. A live entry's anchor lives until its death
 * handler has run, which needs the lock; from the slot on, the anchor is
 * protected without it, for the wk_anchor_get() that follows the unlock
 * (the get may run toggle notifies, so it must not run under the lock). */
static inline WkAnchor *
publish_anchor_locked (WkWeakTable  *table,
                       guint         pos,
                       WkHazard    **hazard)
{
  WkAnchor *anchor = entry_at (table, pos)->anchor;

  *hazard = wk_hazard_get ();
  wk_hazard_publish (*hazard, anchor);
  return anchor;
}

#endif /* WK_WEAK_TABLE_COMPILATION */

G_END_DECLS
