/* wk-weak-table.c: the hash table behind Wk's weak collections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See wk-weak-table-private.h for the model.
 */

#include "config.h"

#include <pthread.h>

#include "wk-weak-table-private.h"

struct _WkWeakEntry
{
  WkWatch       watch;       /* first: the watch is the entry */
  WkAnchor     *anchor;      /* of the weak side; not owned; NULL once the
                              * entry stopped watching or its object died */
  gpointer      key;         /* weak values: the key; weak keys: the object */
  gpointer      value;       /* weak keys: the value */
  WkWeakTable  *table;       /* (owned) */
  gint          ref_count;   /* (atomic) */
  guint         in_main : 1;    /* the rest under the table lock */
  guint         in_added : 1;   /* in the side table of keys added while iterating */
  guint         gone : 1;       /* logically absent: dead or removed */
  guint         pending : 1;    /* on table->pending */
};

struct _WkWeakTable
{
  /* A pthread mutex rather than a GMutex: thread sanitizers see it. */
  pthread_mutex_t  lock;
  gint             ref_count;     /* (atomic) the owner's and one per entry */
  WkWeakTableKind  kind;
  GHashTable      *entries;       /* WkWeakEntry set, hashed by key */
  GHashTable      *added;         /* new keys while iterating */
  GPtrArray       *pending;       /* gone entries kept during iterations */
  guint            n_live;
  guint            iterating;
  GHashFunc        key_hash;
  GEqualFunc       key_equal;
  GDestroyNotify   key_destroy;
  GDestroyNotify   value_destroy;
};

static WkWeakTable *
table_ref (WkWeakTable *table)
{
  g_atomic_int_inc (&table->ref_count);
  return table;
}

static void
table_unref (WkWeakTable *table)
{
  if (!g_atomic_int_dec_and_test (&table->ref_count))
    return;
  g_hash_table_unref (table->entries);
  g_hash_table_unref (table->added);
  g_ptr_array_unref (table->pending);
  pthread_mutex_destroy (&table->lock);
  g_free (table);
}

static void
entry_unref (WkWeakEntry *entry)
{
  WkWeakTable *table = entry->table;

  if (!g_atomic_int_dec_and_test (&entry->ref_count))
    return;
  if (entry->key != NULL && table->key_destroy != NULL)
    table->key_destroy (entry->key);
  if (entry->value != NULL && table->value_destroy != NULL)
    table->value_destroy (entry->value);
  g_slice_free (WkWeakEntry, entry);
  table_unref (table);
}

static void
entry_unref_n (WkWeakEntry *entry,
               guint        n)
{
  while (n-- > 0)
    entry_unref (entry);
}

static void
unref_all (GPtrArray *entries)
{
  guint i;

  if (entries == NULL)
    return;
  for (i = 0; i < entries->len; i++)
    entry_unref (g_ptr_array_index (entries, i));
  g_ptr_array_unref (entries);
}

/* Entries are hashed and compared by their key; for weak keys the key is
 * the object, compared by identity. */
static guint
entry_hash (gconstpointer data)
{
  const WkWeakEntry *entry = data;

  return entry->table->key_hash (entry->key);
}

static gboolean
entry_equal (gconstpointer a,
             gconstpointer b)
{
  const WkWeakEntry *ea = a, *eb = b;

  return ea->table->key_equal (ea->key, eb->key);
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
  table->entries = g_hash_table_new (entry_hash, entry_equal);
  table->added = g_hash_table_new (entry_hash, entry_equal);
  table->pending = g_ptr_array_new ();
  if (kind == WK_WEAK_TABLE_WEAK_KEYS)
    {
      table->key_hash = wk_identity_hash;
      table->key_equal = g_direct_equal;
    }
  else
    {
      table->key_hash = key_hash != NULL ? key_hash : g_direct_hash;
      table->key_equal = key_equal != NULL ? key_equal : g_direct_equal;
      table->key_destroy = key_destroy;
    }
  table->value_destroy = value_destroy;
  return table;
}

/* The entry with a key equal to @key, as stored (gone or not). */
static WkWeakEntry *
find_locked (WkWeakTable   *table,
             gconstpointer  key)
{
  WkWeakEntry probe = { .key = (gpointer) key, .table = table };
  gpointer stored = NULL;

  if (g_hash_table_lookup_extended (table->entries, &probe, &stored, NULL))
    return stored;
  if (g_hash_table_size (table->added) > 0 &&
      g_hash_table_lookup_extended (table->added, &probe, &stored, NULL))
    return stored;
  return NULL;
}

static WkWeakEntry *
find_live_locked (WkWeakTable   *table,
                  gconstpointer  key)
{
  WkWeakEntry *entry = find_locked (table, key);

  return entry != NULL && !entry->gone ? entry : NULL;
}

/* Takes @entry out of the logical view. Returns TRUE when it also left
 * its GHashTable, whose reference the caller then drops; an entry of the
 * main table stays there, pending, while an iteration runs. */
static gboolean
make_gone_locked (WkWeakTable *table,
                  WkWeakEntry *entry)
{
  /* Not (or no longer) in a table: an insert not done yet, or an entry
   * replaced in place. Such an entry is not counted. */
  if (!entry->in_main && !entry->in_added)
    {
      entry->gone = TRUE;
      return FALSE;
    }
  if (!entry->gone)
    {
      entry->gone = TRUE;
      table->n_live--;
    }
  if (entry->in_added)
    {
      g_hash_table_remove (table->added, entry);
      entry->in_added = FALSE;
      return TRUE;
    }
  if (table->iterating > 0)
    {
      if (!entry->pending)
        {
          entry->pending = TRUE;
          g_ptr_array_add (table->pending, entry);
        }
      return FALSE;
    }
  g_hash_table_remove (table->entries, entry);
  entry->in_main = FALSE;
  return TRUE;
}

/* Under the table lock, for an entry that left the logical view: takes
 * its watch out. TRUE when the caller must drop the watch's reference;
 * otherwise the death handler has the watch and drops it. The anchor is
 * alive here: it goes only after entry_died(), which needs this lock. */
static gboolean
unwatch_locked (WkWeakEntry *entry)
{
  WkAnchor *anchor = entry->anchor;

  if (anchor == NULL)
    return FALSE;
  entry->anchor = NULL;
  return wk_anchor_unwatch (anchor, &entry->watch);
}

/* Under the lock: @entry (live) leaves the logical view. Returns how many
 * references the caller drops once unlocked. */
static guint
remove_locked (WkWeakTable *table,
               WkWeakEntry *entry)
{
  guint drops = 0;

  if (make_gone_locked (table, entry))
    drops++;
  if (unwatch_locked (entry))
    drops++;
  return drops;
}

/* When the last iteration ends: pending entries leave the main table and
 * the keys added meanwhile join it. Returns the entries to unref outside
 * the lock. */
static GPtrArray *
end_iteration_locked (WkWeakTable *table)
{
  GPtrArray *flushed = NULL;
  GHashTableIter iter;
  gpointer stored;
  guint i;

  if (table->iterating > 0)
    return NULL;

  if (table->pending->len > 0)
    {
      flushed = table->pending;
      table->pending = g_ptr_array_new ();
      for (i = 0; i < flushed->len; i++)
        {
          WkWeakEntry *entry = g_ptr_array_index (flushed, i);

          /* Replaced entries left the main table already. */
          if (entry->in_main)
            g_hash_table_remove (table->entries, entry);
          entry->in_main = FALSE;
          entry->pending = FALSE;
        }
    }

  /* No key of the side table is in the main one: an insert finds and
   * replaces an equal entry wherever it is. */
  g_hash_table_iter_init (&iter, table->added);
  while (g_hash_table_iter_next (&iter, &stored, NULL))
    {
      WkWeakEntry *entry = stored;

      g_hash_table_add (table->entries, entry);
      entry->in_added = FALSE;
      entry->in_main = TRUE;
    }
  g_hash_table_remove_all (table->added);
  return flushed;
}

static void
entry_died (WkWatch *watch)
{
  WkWeakEntry *entry = (WkWeakEntry *) watch;
  WkWeakTable *table = entry->table;
  gboolean left;

  pthread_mutex_lock (&table->lock);
  /* The anchor goes away after this; nobody may look at it any more. */
  entry->anchor = NULL;
  left = make_gone_locked (table, entry);
  pthread_mutex_unlock (&table->lock);

  if (left)
    entry_unref (entry);
  entry_unref (entry);   /* the watch's */
}

gboolean
wk_weak_table_insert (WkWeakTable *table,
                      gpointer     key,
                      GObject     *object,
                      gpointer     value,
                      gboolean     only_new)
{
  WkWeakEntry *entry = g_slice_new0 (WkWeakEntry);
  WkWeakEntry *old;
  WkAnchor *anchor = wk_anchor_obtain (object);
  gboolean added = FALSE, keep_old = FALSE;
  guint entry_drops = 0, old_drops = 0;

  entry->anchor = anchor;
  entry->key = table->kind == WK_WEAK_TABLE_WEAK_KEYS ? (gpointer) object : key;
  entry->value = value;
  entry->table = table_ref (table);
  entry->ref_count = 2;   /* the GHashTable's and the watch's */

  if (!wk_anchor_is_alive (anchor) ||
      !wk_anchor_watch (anchor, &entry->watch, entry_died))
    {
      entry->anchor = NULL;
      entry->ref_count = 1;
    }
  /* The watch keeps the anchor: it lives until the object's death has
   * been processed, which is when the watch fires. */
  wk_anchor_unref (anchor);

  pthread_mutex_lock (&table->lock);
  old = find_locked (table, entry->key);
  if (old != NULL && old->gone)
    {
      /* Only a pending entry can be gone and still found. */
    }
  else if (old != NULL && only_new)
    {
      entry_drops = unwatch_locked (entry) ? 2 : 1;
      old = NULL;
      goto out;
    }

  if (entry->anchor == NULL)
    {
      /* Dying already, or died since we watched it (its handler has run):
       * the key maps to nothing now, not to an old value. */
      entry_drops = 1;
      if (old != NULL && !old->gone)
        old_drops = remove_locked (table, old);
      else
        old = NULL;
      goto out;
    }

  if (old != NULL)
    {
      /* Replace in place: the slot keeps its place, so running iterations
       * stay valid; the old entry leaves the view at once, but during an
       * iteration its key may be in the caller's hands, so it stays
       * (pending) until the end. */
      GHashTable *home = old->in_added ? table->added : table->entries;

      if (!old->gone)
        table->n_live--;
      old->gone = TRUE;
      if (unwatch_locked (old))
        old_drops++;
      g_hash_table_add (home, entry);
      entry->in_main = old->in_main;
      entry->in_added = old->in_added;
      old->in_main = old->in_added = FALSE;
      if (table->iterating > 0 && entry->in_main)
        {
          if (!old->pending)
            {
              old->pending = TRUE;
              g_ptr_array_add (table->pending, old);
            }
          keep_old = TRUE;
        }
      else if (old->pending)
        keep_old = TRUE;
      if (!keep_old)
        old_drops++;
    }
  else if (table->iterating > 0)
    {
      g_hash_table_add (table->added, entry);
      entry->in_added = TRUE;
    }
  else
    {
      g_hash_table_add (table->entries, entry);
      entry->in_main = TRUE;
    }
  table->n_live++;
  added = TRUE;

out:
  pthread_mutex_unlock (&table->lock);

  if (old != NULL)
    entry_unref_n (old, old_drops);
  entry_unref_n (entry, entry_drops);
  return added;
}

/* Under the lock, for a live entry: publishes its anchor in this thread's
 * hazard slot. A live entry's anchor lives until its death handler has
 * run, which needs the lock; from the slot on, the anchor is protected
 * without it, for the wk_anchor_get() that follows the unlock (the get
 * may run toggle notifies, so it must not run under the lock). */
static WkAnchor *
publish_anchor_locked (WkWeakEntry  *entry,
                       WkHazard    **hazard)
{
  *hazard = wk_hazard_get ();
  wk_hazard_publish (*hazard, entry->anchor);
  return entry->anchor;
}

/* Under the lock, for a live entry: a strong reference to its weak side,
 * with the lock dropped for the get; NULL if the object has started to
 * die. The caller keeps a reference on @entry if it needs it after this. */
static GObject *
dup_weak_side_unlocked (WkWeakTable *table,
                        WkWeakEntry *entry)
{
  WkHazard *hazard;
  WkAnchor *anchor = publish_anchor_locked (entry, &hazard);
  GObject *object;

  pthread_mutex_unlock (&table->lock);
  object = wk_anchor_get (anchor, hazard);
  pthread_mutex_lock (&table->lock);
  return object;
}

gpointer
wk_weak_table_dup_object (WkWeakTable   *table,
                          gconstpointer  key)
{
  WkWeakEntry *entry;
  WkHazard *hazard;
  WkAnchor *anchor;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  if (entry == NULL)
    {
      pthread_mutex_unlock (&table->lock);
      return NULL;
    }
  anchor = publish_anchor_locked (entry, &hazard);
  pthread_mutex_unlock (&table->lock);
  return wk_anchor_get (anchor, hazard);
}

gpointer
wk_weak_table_lookup_value (WkWeakTable    *table,
                            gconstpointer   key,
                            GBoxedCopyFunc  copy,
                            gboolean       *found)
{
  WkWeakEntry *entry;
  gpointer value = NULL;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  if (entry != NULL)
    {
      value = entry->value;
      if (copy != NULL)
        g_atomic_int_inc (&entry->ref_count);
    }
  pthread_mutex_unlock (&table->lock);

  if (found != NULL)
    *found = entry != NULL;
  if (entry != NULL && copy != NULL)
    {
      /* The copy may run user code (a boxed copy, a Python incref that
       * takes the GIL): outside the lock, with the entry (and so its
       * value) kept by the reference. */
      value = value != NULL ? copy (value) : NULL;
      entry_unref (entry);
    }
  return value;
}

gboolean
wk_weak_table_contains (WkWeakTable   *table,
                        gconstpointer  key)
{
  WkWeakEntry *entry;
  gboolean contains;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  /* A value that has started to die reads NULL already, though its
   * death has not been processed yet. */
  contains = entry != NULL && wk_anchor_is_alive (entry->anchor);
  pthread_mutex_unlock (&table->lock);
  return contains;
}

gboolean
wk_weak_table_remove (WkWeakTable   *table,
                      gconstpointer  key)
{
  WkWeakEntry *entry;
  guint drops = 0;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  if (entry != NULL)
    drops = remove_locked (table, entry);
  pthread_mutex_unlock (&table->lock);

  if (entry == NULL)
    return FALSE;
  entry_unref_n (entry, drops);
  return TRUE;
}

gboolean
wk_weak_table_pop (WkWeakTable    *table,
                   gconstpointer   key,
                   gpointer       *object,
                   GBoxedCopyFunc  copy_value,
                   gpointer       *value)
{
  WkWeakEntry *entry;
  GObject *strong = NULL;
  gboolean popped = FALSE;
  guint drops = 0;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  if (entry != NULL)
    {
      /* Keep the entry (and its value) past the removal. */
      g_atomic_int_inc (&entry->ref_count);
      if (object != NULL)
        strong = dup_weak_side_unlocked (table, entry);
      /* The lock was dropped for the get: whoever removed the entry
       * meanwhile popped it, not us. */
      popped = !entry->gone;
      if (popped)
        drops = remove_locked (table, entry);
    }
  pthread_mutex_unlock (&table->lock);

  if (entry == NULL)
    return FALSE;
  if (popped)
    {
      if (object != NULL)
        *object = g_steal_pointer (&strong);
      if (value != NULL)
        *value = entry->value != NULL && copy_value != NULL ? copy_value (entry->value) : NULL;
    }
  g_clear_object (&strong);
  entry_unref_n (entry, drops + 1);
  return popped;
}

gboolean
wk_weak_table_steal (WkWeakTable   *table,
                     gconstpointer  key,
                     gpointer      *stolen_key,
                     gpointer      *object,
                     gpointer      *stolen_value)
{
  WkWeakEntry *entry;
  WkHazard *hazard = NULL;
  WkAnchor *anchor = NULL;
  guint drops = 0;

  pthread_mutex_lock (&table->lock);
  entry = find_live_locked (table, key);
  if (entry != NULL && entry->in_main && table->iterating > 0)
    {
      pthread_mutex_unlock (&table->lock);
      g_critical ("cannot steal from a Wk weak collection while it is being iterated");
      return FALSE;
    }
  if (entry != NULL)
    {
      if (object != NULL)
        anchor = publish_anchor_locked (entry, &hazard);
      /* Out of the GHashTable first: it hashes the key. */
      drops = remove_locked (table, entry);
      if (stolen_key != NULL)
        *stolen_key = g_steal_pointer (&entry->key);
      if (stolen_value != NULL)
        *stolen_value = g_steal_pointer (&entry->value);
    }
  pthread_mutex_unlock (&table->lock);

  if (entry == NULL)
    return FALSE;
  /* The anchor may have lost its watch, but the hazard slot holds it. */
  if (object != NULL)
    *object = wk_anchor_get (anchor, hazard);
  entry_unref_n (entry, drops);
  return TRUE;
}

static void
gone_all_in (WkWeakTable *table,
             GHashTable  *home,
             GPtrArray   *drops)
{
  GHashTableIter iter;
  gpointer stored;

  g_hash_table_iter_init (&iter, home);
  while (g_hash_table_iter_next (&iter, &stored, NULL))
    {
      WkWeakEntry *entry = stored;

      if (entry->gone)
        continue;
      entry->gone = TRUE;
      table->n_live--;
      if (unwatch_locked (entry))
        g_ptr_array_add (drops, entry);
      if (home == table->entries && table->iterating > 0)
        {
          entry->pending = TRUE;
          g_ptr_array_add (table->pending, entry);
        }
      else
        {
          entry->in_main = entry->in_added = FALSE;
          g_hash_table_iter_remove (&iter);
          g_ptr_array_add (drops, entry);
        }
    }
}

void
wk_weak_table_remove_all (WkWeakTable *table)
{
  GPtrArray *drops = g_ptr_array_new ();

  pthread_mutex_lock (&table->lock);
  gone_all_in (table, table->entries, drops);
  gone_all_in (table, table->added, drops);
  pthread_mutex_unlock (&table->lock);

  unref_all (drops);
}

guint
wk_weak_table_get_size (WkWeakTable *table)
{
  guint n;

  pthread_mutex_lock (&table->lock);
  n = table->n_live;
  pthread_mutex_unlock (&table->lock);
  return n;
}

void
wk_weak_table_iter_init (WkWeakTableIter *iter,
                         WkWeakTable     *table)
{
  iter->table = table_ref (table);
  iter->current = NULL;
  iter->running = TRUE;
  pthread_mutex_lock (&table->lock);
  table->iterating++;
  g_hash_table_iter_init (&iter->iter, table->entries);
  pthread_mutex_unlock (&table->lock);
}

gboolean
wk_weak_table_iter_next (WkWeakTableIter *iter,
                         gpointer        *key,
                         gpointer        *object,
                         gpointer        *value)
{
  WkWeakTable *table = iter->table;
  gpointer stored;

  /* Let go of the previous object first: if that was its last reference,
   * it dies now and its entries are not handed out below. */
  g_clear_object (&iter->current);
  if (!iter->running)
    return FALSE;

  pthread_mutex_lock (&table->lock);
  while (g_hash_table_iter_next (&iter->iter, &stored, NULL))
    {
      WkWeakEntry *entry = stored;
      GObject *strong;
      gboolean gone;

      if (entry->gone)
        continue;
      /* Nothing leaves the main table structurally during an iteration,
       * so the iterator survives the unlocked get; an entry replaced in
       * place meanwhile does leave, hence the reference. */
      g_atomic_int_inc (&entry->ref_count);
      strong = dup_weak_side_unlocked (table, entry);
      gone = entry->gone;
      if (strong != NULL && !gone)
        {
          if (key != NULL)
            *key = entry->key;
          if (object != NULL)
            *object = strong;
          if (value != NULL)
            *value = entry->value;
          iter->current = strong;
        }
      pthread_mutex_unlock (&table->lock);
      /* Still in the table (pending if removed) unless replaced; then its
       * key and value went with it and are not handed out. */
      entry_unref (entry);
      if (strong != NULL && !gone)
        return TRUE;
      g_clear_object (&strong);
      pthread_mutex_lock (&table->lock);
    }
  pthread_mutex_unlock (&table->lock);

  wk_weak_table_iter_finish (iter);
  return FALSE;
}

void
wk_weak_table_iter_finish (WkWeakTableIter *iter)
{
  WkWeakTable *table = iter->table;
  GPtrArray *flushed;

  if (!iter->running)
    return;
  iter->running = FALSE;
  g_clear_object (&iter->current);

  pthread_mutex_lock (&table->lock);
  table->iterating--;
  flushed = end_iteration_locked (table);
  pthread_mutex_unlock (&table->lock);

  unref_all (flushed);
  table_unref (table);
}

void
wk_weak_table_foreach (WkWeakTable     *table,
                       WkWeakTableFunc  func,
                       gpointer         user_data)
{
  WkWeakTableIter iter;
  gpointer key, object, value;

  wk_weak_table_iter_init (&iter, table);
  while (wk_weak_table_iter_next (&iter, &key, &object, &value))
    func (key, object, value, user_data);
}

/* What a snapshot keeps of an entry between its two locked passes. */
typedef struct
{
  WkWeakEntry *entry;
  WkAnchor    *anchor;   /* (owned) */
  gpointer     key;      /* copied or borrowed */
} Shot;

static void
shoot_all_in (GHashTable     *home,
              GBoxedCopyFunc  copy_key,
              GArray         *shots)
{
  GHashTableIter iter;
  gpointer stored;

  g_hash_table_iter_init (&iter, home);
  while (g_hash_table_iter_next (&iter, &stored, NULL))
    {
      WkWeakEntry *entry = stored;
      Shot shot;

      if (entry->gone)
        continue;
      g_atomic_int_inc (&entry->ref_count);
      shot.entry = entry;
      shot.anchor = wk_anchor_ref (entry->anchor);
      shot.key = copy_key != NULL ? copy_key (entry->key) : entry->key;
      g_array_append_val (shots, shot);
    }
}

void
wk_weak_table_snapshot (WkWeakTable     *table,
                        GBoxedCopyFunc   copy_key,
                        GBoxedCopyFunc   copy_value,
                        GPtrArray      **keys,
                        GPtrArray      **objects,
                        GPtrArray      **values)
{
  GArray *shots = g_array_new (FALSE, FALSE, sizeof (Shot));
  guint i;

  /* One pass under the lock takes a reference on each live entry and its
   * anchor (and copies keys, which takes no user code: g_variant_ref);
   * the gets and value copies, which may run user code, come after. */
  pthread_mutex_lock (&table->lock);
  shoot_all_in (table->entries, copy_key, shots);
  shoot_all_in (table->added, copy_key, shots);
  pthread_mutex_unlock (&table->lock);

  if (keys != NULL)
    *keys = g_ptr_array_sized_new (shots->len);
  if (objects != NULL)
    *objects = g_ptr_array_sized_new (shots->len);
  if (values != NULL)
    *values = g_ptr_array_sized_new (shots->len);

  for (i = 0; i < shots->len; i++)
    {
      Shot *shot = &g_array_index (shots, Shot, i);
      WkHazard *hazard = wk_hazard_get ();
      GObject *strong;

      wk_hazard_publish (hazard, shot->anchor);
      strong = wk_anchor_get (shot->anchor, hazard);
      if (strong != NULL)
        {
          /* The value stays with the entry we hold; a copy may run user
           * code, so it comes outside the lock. */
          if (keys != NULL)
            g_ptr_array_add (*keys, shot->key);
          if (values != NULL)
            g_ptr_array_add (*values, copy_value != NULL && shot->entry->value != NULL
                                      ? copy_value (shot->entry->value)
                                      : shot->entry->value);
          if (objects != NULL)
            g_ptr_array_add (*objects, strong);
          else
            g_object_unref (strong);
        }
      else if (copy_key != NULL && table->key_destroy != NULL)
        table->key_destroy (shot->key);   /* the copy of a dead entry's key */
      wk_anchor_unref (shot->anchor);
      entry_unref (shot->entry);
    }
  g_array_unref (shots);
}

void
wk_weak_table_free (WkWeakTable *table)
{
  wk_weak_table_remove_all (table);
  table_unref (table);
}

/* The hash of a GVariant, defined here from its type string and its value
 * as GVariant's documented accessors read it: never g_variant_hash(),
 * whose values are GLib's own business (a string probe must hash exactly
 * as the variant would), and never anything of GVariant's layout.
 * g_variant_equal() says equal only for the same type and the same value,
 * so equal variants hash alike; the hash is coarser than the equality only
 * where that is harmless (0.0 and -0.0, NaNs).
 *
 * - a basic value: mix (type, value) — strings, object paths and
 *   signatures by their bytes (g_str_hash), numbers by their value;
 * - a container: its type mixed with its children's hashes, in order (an
 *   empty container, or a maybe without a value: its type alone).
 *
 * Arrays of fixed-size basic elements are read with
 * g_variant_get_fixed_array(), never child by child: besides being faster,
 * GLib 2.84's g_variant_get_child_value() fails on small arrays made by
 * g_variant_new_bytestring() (`g_bytes_ref: assertion 'bytes != NULL'
 * failed`; GLib issue 3863, fixed in 2.87.2). */

#define WK_HASH_MIX(hash, value) ((guint) (hash) * 31u + (guint) (value))

static inline guint
hash_u64 (guint64 value)
{
  return (guint) (value ^ (value >> 32));
}

static inline guint
hash_double (double value)
{
  guint64 bits;

  if (value == 0.0)        /* 0.0 and -0.0 */
    return 0;
  if (value != value)      /* every NaN */
    return 0x7ff80000u;
  memcpy (&bits, &value, sizeof bits);
  return hash_u64 (bits);
}

static inline guint
hash_string_value (guint       type_hash,
                   const char *string)
{
  return WK_HASH_MIX (type_hash, g_str_hash (string));
}

/* The hash of a basic value of the one-letter type @code (whose type
 * string hashes to @type_hash), read from @data, an element of what
 * g_variant_get_fixed_array() hands out: the same as wk_variant_hash() of
 * that element as a GVariant of its own. */
static guint
hash_fixed_element (char          code,
                    guint         type_hash,
                    gconstpointer data)
{
  switch (code)
    {
    case 'b':
      return WK_HASH_MIX (type_hash, *(const guint8 *) data != 0);
    case 'y':
      return WK_HASH_MIX (type_hash, *(const guint8 *) data);
    case 'n':
    case 'q':
      {
        guint16 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, code == 'n' ? (guint) (gint) (gint16) v : v);
      }
    case 'i':
    case 'u':
    case 'h':
      {
        guint32 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, v);
      }
    case 'x':
    case 't':
      {
        guint64 v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, hash_u64 (v));
      }
    case 'd':
      {
        double v;

        memcpy (&v, data, sizeof v);
        return WK_HASH_MIX (type_hash, hash_double (v));
      }
    default:
      g_assert_not_reached ();
    }
}

/* The size of an element of an array of @code, when it is a fixed-size
 * basic type (g_variant_get_fixed_array() takes those); 0 otherwise. */
static gsize
fixed_element_size (char code)
{
  switch (code)
    {
    case 'b': case 'y':           return 1;
    case 'n': case 'q':           return 2;
    case 'i': case 'u': case 'h': return 4;
    case 'x': case 't': case 'd': return 8;
    default:                      return 0;
    }
}

/* wk_variant_hash (g_variant_new_string (string)), without the GVariant:
 * for lookups with a string key. */
guint
wk_variant_string_hash (const char *string)
{
  return hash_string_value (g_str_hash ("s"), string);
}

guint
wk_variant_hash (gconstpointer data)
{
  GVariant *variant = (GVariant *) data;
  guint hash = g_str_hash (g_variant_get_type_string (variant));
  gsize i, n;

  switch (g_variant_classify (variant))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      return WK_HASH_MIX (hash, g_variant_get_boolean (variant) != FALSE);
    case G_VARIANT_CLASS_BYTE:
      return WK_HASH_MIX (hash, g_variant_get_byte (variant));
    case G_VARIANT_CLASS_INT16:
      return WK_HASH_MIX (hash, (gint) g_variant_get_int16 (variant));
    case G_VARIANT_CLASS_UINT16:
      return WK_HASH_MIX (hash, g_variant_get_uint16 (variant));
    case G_VARIANT_CLASS_INT32:
      return WK_HASH_MIX (hash, (guint32) g_variant_get_int32 (variant));
    case G_VARIANT_CLASS_UINT32:
      return WK_HASH_MIX (hash, g_variant_get_uint32 (variant));
    case G_VARIANT_CLASS_HANDLE:
      return WK_HASH_MIX (hash, (guint32) g_variant_get_handle (variant));
    case G_VARIANT_CLASS_INT64:
      return WK_HASH_MIX (hash, hash_u64 ((guint64) g_variant_get_int64 (variant)));
    case G_VARIANT_CLASS_UINT64:
      return WK_HASH_MIX (hash, hash_u64 (g_variant_get_uint64 (variant)));
    case G_VARIANT_CLASS_DOUBLE:
      return WK_HASH_MIX (hash, hash_double (g_variant_get_double (variant)));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return hash_string_value (hash, g_variant_get_string (variant, NULL));

    case G_VARIANT_CLASS_VARIANT:
      {
        GVariant *inner = g_variant_get_variant (variant);

        hash = WK_HASH_MIX (hash, wk_variant_hash (inner));
        g_variant_unref (inner);
        return hash;
      }

    case G_VARIANT_CLASS_ARRAY:
      {
        char code = g_variant_get_type_string (variant)[1];
        gsize size = fixed_element_size (code);

        if (size != 0)
          {
            const char element_type[2] = { code, '\0' };
            guint element_hash = g_str_hash (element_type);
            const guint8 *elements = g_variant_get_fixed_array (variant, &n, size);

            for (i = 0; i < n; i++)
              hash = WK_HASH_MIX (hash, hash_fixed_element (code, element_hash, elements + i * size));
            return hash;
          }
      }
      G_GNUC_FALLTHROUGH;
    case G_VARIANT_CLASS_MAYBE:
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      n = g_variant_n_children (variant);
      for (i = 0; i < n; i++)
        {
          GVariant *child = g_variant_get_child_value (variant, i);

          hash = WK_HASH_MIX (hash, wk_variant_hash (child));
          g_variant_unref (child);
        }
      return hash;
    }
}

static void
scan_in (GHashTable      *home,
         WkWeakTableScan  func,
         gpointer         user_data)
{
  GHashTableIter iter;
  gpointer stored;

  g_hash_table_iter_init (&iter, home);
  while (g_hash_table_iter_next (&iter, &stored, NULL))
    {
      WkWeakEntry *entry = stored;

      if (!entry->gone)
        func (entry->key, entry->value, user_data);
    }
}

void
wk_weak_table_scan (WkWeakTable     *table,
                    WkWeakTableScan  func,
                    gpointer         user_data)
{
  pthread_mutex_lock (&table->lock);
  scan_in (table->entries, func, user_data);
  scan_in (table->added, func, user_data);
  pthread_mutex_unlock (&table->lock);
}
