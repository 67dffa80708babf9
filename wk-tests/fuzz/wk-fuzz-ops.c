/* wk-fuzz-ops.c: a byte string read as operations on Wk, checked against a model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each operation is one byte (taken modulo the number of operations)
 * followed by its operands, one byte each, taken modulo the size of the
 * pool they index. Operands past the end read as 0. An operation whose
 * operands make no sense (a get on an empty slot, a create on a full one)
 * is skipped.
 *
 * The model knows, for every object, how many strong references the
 * harness holds on it and how many toggle references; an object dies
 * when both reach zero, or has a "death for weak references" when
 * g_object_run_dispose() is called on it. Each such death ends an
 * *epoch* of the object: every weak thing (ref, proxy, WkWeak, collection
 * entry, finalizer, registration, token) belongs to the epoch it was made
 * in, and dies with it. After g_object_run_dispose() the object lives on
 * in a new epoch.
 *
 * After every operation a sweep compares everything that can be observed
 * without taking references: is_alive of every ref, proxy and finalizer,
 * collection sizes, registry size, reference counts, dispose counts, and
 * the counters of every callback, destroy notify, finalizer function,
 * cleanup and finalize made so far against what the model expects.
 */

#include <string.h>

#include <wk/wk.h>

#include "wk-test-util.h"
#include "wk-fuzz-ops.h"

#define N_OBJ     8
#define N_REF    16
#define N_PROXY   8
#define N_WEAK    8
#define N_FIN     8
#define N_TOGGLE  8
#define N_KEY    16

typedef struct _Model Model;

typedef struct
{
  gint   finalized;       /* written by the probe */
  gint   exp_finalized;
  guint  disposes;        /* g_object_run_dispose() calls so far */
} ObjRec;

typedef struct
{
  GObject *obj;           /* NULL: empty slot */
  guint    strong;        /* normal references the harness holds */
  guint    toggles;       /* toggle references the harness holds */
  guint    epoch;
  ObjRec  *rec;
} ObjSlot;

typedef struct
{
  guint8   obj;           /* slot index */
  gboolean alive;
} Epoch;

/* A ref or proxy callback. */
typedef struct
{
  Model    *m;
  guint     seq;          /* creation order */
  guint     epoch;
  gboolean  drop_self;    /* the callback drops the harness's reference */
  gpointer  slot;         /* RefSlot * holding it, while held */
  gint      called;
  gint      exp_called;
  gint      destroyed;
  gint      exp_destroyed;
  guint64   order;        /* m->clock when called */
} CbRec;

typedef struct
{
  WkRef   *ref;           /* a WkRef or a WkProxy */
  guint    epoch;
  guint    hash;
  CbRec   *cb;            /* (nullable) */
} RefSlot;

typedef struct
{
  Model   *m;
  guint    epoch;
  gboolean pending;
  gint     called;
  gint     exp_called;
  gint     destroyed;
  gint     exp_destroyed;
} FinRec;

typedef struct
{
  WkFinalizer *fin;
  FinRec      *rec;
} FinSlot;

typedef struct
{
  WkWeak   weak;
  guint    epoch;         /* 0: empty */
} WeakSlot;

typedef struct
{
  Model   *m;
  GObject *obj;
  gint     n_notified;
  gboolean last;
} TogRec;

typedef struct
{
  gint     obj;           /* slot index, -1: empty */
  TogRec  *rec;
} TogSlot;

typedef struct
{
  Model *m;
  guint  id;
  gint   destroyed;
  gint   exp_destroyed;
} ValRec;

typedef struct
{
  guint    id;
  guint    registry;      /* which registry (generation) */
  guint    target_epoch;
  guint    token_epoch;   /* 0: none */
  gboolean pending;
  gint     delivered;
  gint     exp_delivered;
} RegRec;

struct _Model
{
  const guint8 *data;
  gsize         size, pos;
  GString      *log;
  GString      *err;
  gboolean      failed;
  guint         op_index;
  guint64       clock;
  guint         seq;

  GArray       *epochs;   /* Epoch, [0] unused */
  GPtrArray    *objrecs, *cbrecs, *finrecs, *togrecs, *valrecs, *regrecs;

  ObjSlot       objs[N_OBJ];
  RefSlot       refs[N_REF];
  RefSlot       proxies[N_PROXY];
  WeakSlot      weaks[N_WEAK];
  FinSlot       fins[N_FIN];
  TogSlot       toggles[N_TOGGLE];

  /* the weak value dict: key -> epoch of the value (0: no entry) */
  WkWeakValueDict *vd;
  guint         vd_epoch[N_KEY];
  /* the weak key dict: per object slot, the epoch of its key and value */
  WkWeakKeyDict *kd;
  guint         kd_epoch[N_OBJ];
  ValRec       *kd_val[N_OBJ];        /* NULL value when kd_null[] */
  gboolean      kd_null[N_OBJ];
  /* the weak set: per object slot, the epoch it was added in */
  WkWeakSet    *set;
  guint         set_epoch[N_OBJ];
  /* the registry */
  WkFinalizationRegistry *reg;
  guint         reg_gen;
  gint          reg_destroyed;
  gint          exp_reg_destroyed;

  gint          wk_alive;             /* Wk objects not yet finalized */
  guint         dying_epoch;          /* epoch dying now, 0 if none */
  GPtrArray    *expect_order;         /* CbRec, newest first */
};

#define LOG(...) G_STMT_START { if (m->log != NULL) { \
      g_string_append_printf (m->log, "%4u: ", m->op_index); \
      g_string_append_printf (m->log, __VA_ARGS__); \
      g_string_append_c (m->log, '\n'); } } G_STMT_END

#define FAIL(...) G_STMT_START { \
      if (!m->failed) { \
        g_string_append_printf (m->err, "wk-fuzz: mismatch at op %u (%s:%d): ", \
                                m->op_index, __FILE__, __LINE__); \
        g_string_append_printf (m->err, __VA_ARGS__); \
        g_string_append_c (m->err, '\n'); } \
      m->failed = TRUE; } G_STMT_END

#define CHECK(cond, ...) G_STMT_START { if (!(cond)) FAIL (__VA_ARGS__); } G_STMT_END

/* ---- decoding ---- */

static guint8
next_byte (Model *m)
{
  if (m->pos < m->size)
    return m->data[m->pos++];
  m->pos++;
  return 0;
}

static guint
operand (Model *m,
         guint  n)
{
  return next_byte (m) % n;
}

/* ---- epochs ---- */

static guint
epoch_new (Model *m,
           guint  obj)
{
  Epoch e = { (guint8) obj, TRUE };

  g_array_append_val (m->epochs, e);
  return m->epochs->len - 1;
}

static gboolean
epoch_alive (Model *m,
             guint  epoch)
{
  return epoch != 0 && g_array_index (m->epochs, Epoch, epoch).alive;
}

static GObject *
epoch_object (Model *m,
              guint  epoch)
{
  if (!epoch_alive (m, epoch))
    return NULL;
  return m->objs[g_array_index (m->epochs, Epoch, epoch).obj].obj;
}

/* ---- tracking Wk objects until they are finalized ---- */

static void
wk_gone (gpointer  data,
         GObject  *where)
{
  Model *m = data;

  m->wk_alive--;
}

static gpointer
track (Model    *m,
       gpointer  object)
{
  g_object_weak_ref (object, wk_gone, m);
  m->wk_alive++;
  return object;
}

/* ---- callbacks ---- */

static void
check_epoch_reads_null (Model *m,
                        guint  epoch)
{
  guint i;

  for (i = 0; i < N_REF; i++)
    if (m->refs[i].ref != NULL && m->refs[i].epoch == epoch)
      CHECK (!wk_ref_is_alive (m->refs[i].ref), "ref %u alive in a callback of its death", i);
  for (i = 0; i < N_PROXY; i++)
    if (m->proxies[i].ref != NULL && m->proxies[i].epoch == epoch)
      CHECK (!wk_ref_is_alive (m->proxies[i].ref), "proxy %u alive in a callback of its death", i);
  for (i = 0; i < N_WEAK; i++)
    if (m->weaks[i].epoch == epoch)
      {
        gpointer got = wk_weak_get (&m->weaks[i].weak);

        CHECK (got == NULL, "WkWeak %u not NULL in a callback of its death", i);
        g_clear_object (&got);
      }
}

static void
ref_callback (WkRef    *ref,
              gpointer  user_data)
{
  CbRec *cb = user_data;
  Model *m = cb->m;
  gpointer got;

  cb->called++;
  cb->order = ++m->clock;
  CHECK (m->dying_epoch != 0 && cb->epoch == m->dying_epoch,
         "callback %u ran outside the death of its epoch", cb->seq);
  got = wk_ref_get (ref);
  CHECK (got == NULL, "ref %u reads its referent in its own callback", cb->seq);
  g_clear_object (&got);
  check_epoch_reads_null (m, cb->epoch);
  if (cb->drop_self && cb->slot != NULL)
    {
      RefSlot *slot = cb->slot;

      CHECK (slot->ref == ref, "callback %u: slot does not hold its ref", cb->seq);
      slot->ref = NULL;
      slot->cb = NULL;
      cb->slot = NULL;
      g_object_unref (ref);
    }
}

static void
cb_destroy (gpointer data)
{
  CbRec *cb = data;

  cb->destroyed++;
}

static void
fin_func (gpointer data)
{
  FinRec *f = data;

  f->called++;
}

static void
fin_destroy (gpointer data)
{
  FinRec *f = data;

  f->destroyed++;
}

static void
val_destroy (gpointer data)
{
  ValRec *v = data;

  /* NULL values are entries too; GHashTable may pass them here. */
  if (v != NULL)
    v->destroyed++;
}

static void
toggle_notify (gpointer  data,
               GObject  *object,
               gboolean  is_last_ref)
{
  TogRec *t = data;
  Model *m = t->m;

  CHECK (object == t->obj, "toggle notify for the wrong object");
  t->n_notified++;
  t->last = is_last_ref;
}

static void
reg_cleanup (const GValue *held,
             gpointer      user_data)
{
  Model *m = user_data;
  guint id;

  if (!G_VALUE_HOLDS_UINT (held))
    {
      FAIL ("cleanup got a held value of type %s", G_VALUE_TYPE_NAME (held));
      return;
    }
  id = g_value_get_uint (held);
  if (id >= m->regrecs->len)
    {
      FAIL ("cleanup got an unknown held value %u", id);
      return;
    }
  ((RegRec *) g_ptr_array_index (m->regrecs, id))->delivered++;
  CHECK (m->dying_epoch != 0, "cleanup %u ran outside a death", id);
}

static void
reg_destroy (gpointer data)
{
  Model *m = data;

  m->reg_destroyed++;
}

/* ---- containers ---- */

static void
make_vd (Model *m)
{
  m->vd = track (m, wk_weak_value_dict_new (g_direct_hash, g_direct_equal, NULL));
  memset (m->vd_epoch, 0, sizeof m->vd_epoch);
}

static void
make_kd (Model *m)
{
  m->kd = track (m, wk_weak_key_dict_new (val_destroy));
  memset (m->kd_epoch, 0, sizeof m->kd_epoch);
  memset (m->kd_val, 0, sizeof m->kd_val);
  memset (m->kd_null, 0, sizeof m->kd_null);
}

static void
make_set (Model *m)
{
  m->set = track (m, wk_weak_set_new ());
  memset (m->set_epoch, 0, sizeof m->set_epoch);
}

static void
make_reg (Model *m)
{
  m->reg = track (m, wk_finalization_registry_new (reg_cleanup, m, reg_destroy, NULL));
  m->reg_gen++;
  m->exp_reg_destroyed++;        /* expected once it is released */
}

/* The model's side of dropping the key dict's entry for @o. */
static void
kd_forget (Model *m,
           guint  o)
{
  if (m->kd_epoch[o] != 0 && m->kd_val[o] != NULL)
    m->kd_val[o]->exp_destroyed++;
  m->kd_epoch[o] = 0;
  m->kd_val[o] = NULL;
  m->kd_null[o] = FALSE;
}

static void
release_kd (Model *m)
{
  guint o;

  for (o = 0; o < N_OBJ; o++)
    if (epoch_alive (m, m->kd_epoch[o]))
      kd_forget (m, o);
  g_clear_object (&m->kd);
}

static void
release_reg (Model *m)
{
  guint i;

  for (i = 0; i < m->regrecs->len; i++)
    {
      RegRec *r = g_ptr_array_index (m->regrecs, i);

      if (r->registry == m->reg_gen)
        r->pending = FALSE;
    }
  g_clear_object (&m->reg);
}

/* ---- death ---- */

static gint
cmp_newest_first (gconstpointer a,
                  gconstpointer b)
{
  const CbRec *ca = *(const CbRec **) a, *cb = *(const CbRec **) b;

  return ca->seq < cb->seq ? 1 : ca->seq > cb->seq ? -1 : 0;
}

static void
expect_slot_death (Model   *m,
                   RefSlot *slots,
                   guint    n,
                   guint    epoch)
{
  guint i;

  for (i = 0; i < n; i++)
    if (slots[i].ref != NULL && slots[i].epoch == epoch && slots[i].cb != NULL)
      {
        CbRec *cb = slots[i].cb;

        cb->exp_called++;
        cb->exp_destroyed++;
        /* a drop_self callback also empties the slot */
        g_ptr_array_add (m->expect_order, cb);
      }
}

/* The model's side of the death of object slot @o's current epoch, to be
 * called just before the call that causes it. @final: the object is
 * finalized too (not g_object_run_dispose()). */
static void
model_death (Model    *m,
             guint     o,
             gboolean  final)
{
  ObjSlot *s = &m->objs[o];
  guint e = s->epoch;
  guint i;

  g_array_index (m->epochs, Epoch, e).alive = FALSE;
  g_ptr_array_set_size (m->expect_order, 0);
  expect_slot_death (m, m->refs, N_REF, e);
  expect_slot_death (m, m->proxies, N_PROXY, e);
  g_ptr_array_sort (m->expect_order, cmp_newest_first);

  for (i = 0; i < N_KEY; i++)
    if (m->vd_epoch[i] == e)
      m->vd_epoch[i] = 0;
  if (m->kd_epoch[o] == e)
    kd_forget (m, o);
  if (m->set_epoch[o] == e)
    m->set_epoch[o] = 0;
  for (i = 0; i < m->finrecs->len; i++)
    {
      FinRec *f = g_ptr_array_index (m->finrecs, i);

      if (f->pending && f->epoch == e)
        {
          f->pending = FALSE;
          f->exp_called++;
          f->exp_destroyed++;
        }
    }
  for (i = 0; i < m->regrecs->len; i++)
    {
      RegRec *r = g_ptr_array_index (m->regrecs, i);

      if (r->pending && r->target_epoch == e)
        {
          r->pending = FALSE;
          r->exp_delivered++;
        }
    }
  m->dying_epoch = e;

  if (final)
    {
      s->rec->exp_finalized++;
      s->obj = NULL;
      s->rec = NULL;
      s->epoch = 0;
    }
  else
    {
      s->rec->disposes++;
      s->epoch = epoch_new (m, o);
    }
}

/* After the call that caused a death: the callbacks ran newest first,
 * and those that drop their ref did. */
static void
verify_death (Model *m)
{
  guint i;

  for (i = 0; i < m->expect_order->len; i++)
    {
      CbRec *cb = g_ptr_array_index (m->expect_order, i);

      CHECK (cb->called == cb->exp_called, "callback %u ran %d times, expected %d",
             cb->seq, cb->called, cb->exp_called);
      if (i > 0)
        {
          CbRec *prev = g_ptr_array_index (m->expect_order, i - 1);

          CHECK (prev->order < cb->order, "callback %u (newer) ran after callback %u",
                 prev->seq, cb->seq);
        }
      if (cb->drop_self)
        CHECK (cb->slot == NULL, "callback %u did not drop its ref", cb->seq);
    }
  g_ptr_array_set_size (m->expect_order, 0);
  m->dying_epoch = 0;
}

/* Drops one harness reference on @o (a toggle one if @toggle_slot >= 0). */
static void
drop_one (Model *m,
          guint  o,
          gint   toggle_slot)
{
  ObjSlot *s = &m->objs[o];
  GObject *obj = s->obj;
  gboolean dies = s->strong + s->toggles == 1;

  if (toggle_slot >= 0)
    s->toggles--;
  else
    s->strong--;
  if (dies)
    model_death (m, o, TRUE);
  if (toggle_slot >= 0)
    {
      TogSlot *t = &m->toggles[toggle_slot];

      wk_object_remove_toggle_ref (obj, toggle_notify, t->rec);
      t->obj = -1;
      t->rec = NULL;
    }
  else
    g_object_unref (obj);
  if (dies)
    verify_death (m);
}

static void
obj_kill (Model *m,
      guint  o)
{
  guint i;

  for (i = 0; i < N_TOGGLE && m->objs[o].obj != NULL; i++)
    if (m->toggles[i].obj == (gint) o)
      drop_one (m, o, i);
  while (m->objs[o].obj != NULL)
    drop_one (m, o, -1);
}

static void
run_dispose (Model *m,
             guint  o)
{
  GObject *obj = m->objs[o].obj;

  model_death (m, o, FALSE);
  g_object_run_dispose (obj);
  verify_death (m);
}

/* ---- the sweep ---- */

static void
sweep_refs (Model      *m,
            RefSlot    *slots,
            guint       n,
            const char *what)
{
  guint i;

  for (i = 0; i < n; i++)
    if (slots[i].ref != NULL)
      CHECK (wk_ref_is_alive (slots[i].ref) == epoch_alive (m, slots[i].epoch),
             "%s %u: is_alive %d, model %d", what, i,
             wk_ref_is_alive (slots[i].ref), epoch_alive (m, slots[i].epoch));
}

static void
sweep (Model *m)
{
  guint i, n;

  for (i = 0; i < N_OBJ; i++)
    {
      ObjSlot *s = &m->objs[i];

      if (s->obj == NULL)
        continue;
      if (s->toggles == 0)
        CHECK (wk_object_get_ref_count (s->obj) == s->strong,
               "object %u: ref count %u, model %u", i,
               wk_object_get_ref_count (s->obj), s->strong);
      CHECK ((guint) wk_test_probe (s->obj)->dispose_count == s->rec->disposes,
             "object %u: disposed %d times, model %u", i,
             wk_test_probe (s->obj)->dispose_count, s->rec->disposes);
    }
  for (i = 0; i < m->objrecs->len; i++)
    {
      ObjRec *r = g_ptr_array_index (m->objrecs, i);

      CHECK (r->finalized == r->exp_finalized, "object #%u finalized %d times, model %d",
             i, r->finalized, r->exp_finalized);
    }
  sweep_refs (m, m->refs, N_REF, "ref");
  sweep_refs (m, m->proxies, N_PROXY, "proxy");
  for (i = 0; i < m->cbrecs->len; i++)
    {
      CbRec *cb = g_ptr_array_index (m->cbrecs, i);

      CHECK (cb->called == cb->exp_called, "callback %u ran %d times, model %d",
             cb->seq, cb->called, cb->exp_called);
      CHECK (cb->destroyed == cb->exp_destroyed, "callback %u destroyed %d times, model %d",
             cb->seq, cb->destroyed, cb->exp_destroyed);
    }
  for (i = 0; i < N_FIN; i++)
    if (m->fins[i].fin != NULL)
      CHECK (wk_finalizer_is_alive (m->fins[i].fin) == m->fins[i].rec->pending,
             "finalizer %u: is_alive %d, model %d", i,
             wk_finalizer_is_alive (m->fins[i].fin), m->fins[i].rec->pending);
  for (i = 0; i < m->finrecs->len; i++)
    {
      FinRec *f = g_ptr_array_index (m->finrecs, i);

      CHECK (f->called == f->exp_called, "finalizer #%u ran %d times, model %d",
             i, f->called, f->exp_called);
      CHECK (f->destroyed == f->exp_destroyed, "finalizer #%u destroyed %d times, model %d",
             i, f->destroyed, f->exp_destroyed);
    }
  for (i = 0; i < m->valrecs->len; i++)
    {
      ValRec *v = g_ptr_array_index (m->valrecs, i);

      CHECK (v->destroyed == v->exp_destroyed, "key dict value %u destroyed %d times, model %d",
             v->id, v->destroyed, v->exp_destroyed);
    }
  for (i = 0; i < m->regrecs->len; i++)
    {
      RegRec *r = g_ptr_array_index (m->regrecs, i);

      CHECK (r->delivered == r->exp_delivered, "registration %u delivered %d times, model %d",
             r->id, r->delivered, r->exp_delivered);
    }
  for (i = 0; i < N_TOGGLE; i++)
    {
      TogSlot *t = &m->toggles[i];
      ObjSlot *s;

      if (t->obj < 0 || t->rec->n_notified == 0)
        continue;
      s = &m->objs[t->obj];
      CHECK (t->rec->last == (s->strong == 0),
             "toggle %u: last told is_last_ref=%d, model strong=%u toggles=%u",
             i, t->rec->last, s->strong, s->toggles);
    }

  if (m->vd != NULL)
    {
      for (i = 0, n = 0; i < N_KEY; i++)
        n += epoch_alive (m, m->vd_epoch[i]);
      CHECK (wk_weak_value_dict_get_size (m->vd) == n, "value dict size %u, model %u",
             wk_weak_value_dict_get_size (m->vd), n);
    }
  if (m->kd != NULL)
    {
      for (i = 0, n = 0; i < N_OBJ; i++)
        n += epoch_alive (m, m->kd_epoch[i]);
      CHECK (wk_weak_key_dict_get_size (m->kd) == n, "key dict size %u, model %u",
             wk_weak_key_dict_get_size (m->kd), n);
    }
  if (m->set != NULL)
    {
      for (i = 0, n = 0; i < N_OBJ; i++)
        n += epoch_alive (m, m->set_epoch[i]);
      CHECK (wk_weak_set_get_size (m->set) == n, "set size %u, model %u",
             wk_weak_set_get_size (m->set), n);
    }
  if (m->reg != NULL)
    {
      for (i = 0, n = 0; i < m->regrecs->len; i++)
        {
          RegRec *r = g_ptr_array_index (m->regrecs, i);

          n += r->pending && r->registry == m->reg_gen;
        }
      CHECK (wk_finalization_registry_get_size (m->reg) == n, "registry size %u, model %u",
             wk_finalization_registry_get_size (m->reg), n);
    }
}

/* ---- operations ---- */

typedef enum
{
  OP_OBJ_NEW,
  OP_OBJ_REF,
  OP_OBJ_UNREF,
  OP_OBJ_KILL,
  OP_OBJ_DISPOSE,
  OP_TOGGLE_ADD,
  OP_TOGGLE_REMOVE,
  OP_REF_NEW,
  OP_REF_GET,
  OP_REF_UNREF,
  OP_REF_EQUAL,
  OP_WEAK_REFS,
  OP_PROXY_NEW,
  OP_PROXY_DUP,
  OP_PROXY_PROP,
  OP_PROXY_UNREF,
  OP_WEAK_SET,
  OP_WEAK_GET,
  OP_WEAK_CLEAR,
  OP_VD_INSERT,
  OP_VD_LOOKUP,
  OP_VD_REMOVE,
  OP_VD_CONTAINS,
  OP_VD_ITER,
  OP_KD_INSERT,
  OP_KD_LOOKUP,
  OP_KD_REMOVE,
  OP_KD_ITER,
  OP_SET_ADD,
  OP_SET_REMOVE,
  OP_SET_CONTAINS,
  OP_SET_ITER,
  OP_FIN_NEW,
  OP_FIN_CALL,
  OP_FIN_DETACH,
  OP_FIN_PEEK,
  OP_FIN_UNREF,
  OP_REG_REGISTER,
  OP_REG_UNREGISTER,
  OP_RESET,
  N_OPS
} Op;

guint
wk_fuzz_n_ops (void)
{
  return N_OPS;
}

static GType
slot_type (guint o)
{
  return o % 2 == 0 ? WK_TEST_TYPE_GOBJECT : WK_TEST_TYPE_WK_OBJECT;
}

/* Checks a get-like result against the epoch's object, and drops it. */
static void
check_got (Model      *m,
           gpointer    got,
           guint       epoch,
           const char *what,
           guint       slot)
{
  GObject *expected = epoch_object (m, epoch);

  CHECK (got == expected, "%s %u: got %p, model %p", what, slot, got, (gpointer) expected);
  g_clear_object (&got);
}

static void
ref_new (Model   *m,
         RefSlot *slot,
         guint    o,
         guint    flags,
         gboolean proxy)
{
  ObjSlot *s = &m->objs[o];
  CbRec *cb = NULL;

  if (flags & 1)
    {
      cb = g_new0 (CbRec, 1);
      cb->m = m;
      cb->seq = ++m->seq;
      cb->epoch = s->epoch;
      cb->drop_self = (flags & 2) != 0;
      cb->slot = slot;
      g_ptr_array_add (m->cbrecs, cb);
    }
  if (proxy)
    slot->ref = (WkRef *) wk_proxy_new (s->obj, cb ? ref_callback : NULL, cb, cb ? cb_destroy : NULL);
  else
    slot->ref = wk_ref_new (s->obj, cb ? ref_callback : NULL, cb, cb ? cb_destroy : NULL);
  track (m, slot->ref);
  slot->epoch = s->epoch;
  slot->cb = cb;
  slot->hash = wk_ref_hash (slot->ref);
}

static void
ref_unref (Model   *m,
           RefSlot *slot)
{
  CbRec *cb = slot->cb;
  WkRef *ref = slot->ref;

  /* A ref with a callback is never shared: it is finalized now, and its
   * destroy notify runs, unless it already ran at its referent's death. */
  if (cb != NULL)
    {
      if (epoch_alive (m, slot->epoch))
        cb->exp_destroyed++;
      cb->slot = NULL;
    }
  slot->ref = NULL;
  slot->cb = NULL;
  slot->epoch = 0;
  g_object_unref (ref);
}

/* The model's entries of a collection, as a set of (key, object) pairs
 * with key an int; for sets and key dicts the key is the object slot. */
typedef struct
{
  gint     key;
  gpointer obj;
  gboolean seen;
} Entry;

static GArray *
model_entries (Model *m,
               guint  which)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Entry));
  guint i;

  if (which == 0)
    {
      for (i = 0; i < N_KEY; i++)
        if (epoch_alive (m, m->vd_epoch[i]))
          {
            Entry e = { (gint) i, epoch_object (m, m->vd_epoch[i]), FALSE };
            g_array_append_val (a, e);
          }
    }
  else
    {
      guint *epochs = which == 1 ? m->kd_epoch : m->set_epoch;

      for (i = 0; i < N_OBJ; i++)
        if (epoch_alive (m, epochs[i]))
          {
            Entry e = { (gint) i, m->objs[i].obj, FALSE };
            g_array_append_val (a, e);
          }
    }
  return a;
}

static Entry *
find_entry (GArray   *a,
            guint     which,
            gpointer  key,
            gpointer  obj)
{
  guint i;

  for (i = 0; i < a->len; i++)
    {
      Entry *e = &g_array_index (a, Entry, i);

      if (e->obj == obj && (which != 0 || GINT_TO_POINTER (e->key) == key))
        return e;
    }
  return NULL;
}

typedef union
{
  WkWeakValueDictIter vd;
  WkWeakKeyDictIter   kd;
  WkWeakSetIter       set;
} AnyIter;

static gboolean
any_iter_next (Model    *m,
               AnyIter  *it,
               guint     which,
               gpointer *key,
               gpointer *obj,
               gpointer *value)
{
  *key = *obj = *value = NULL;
  switch (which)
    {
    case 0:
      return wk_weak_value_dict_iter_next (&it->vd, key, obj);
    case 1:
      if (!wk_weak_key_dict_iter_next (&it->kd, obj, value))
        return FALSE;
      *key = *obj;
      return TRUE;
    default:
      if (!wk_weak_set_iter_next (&it->set, obj))
        return FALSE;
      *key = *obj;
      return TRUE;
    }
}

/* Iterates collection @which (0 value dict, 1 key dict, 2 set).
 * mode 0: to the end; 1: stop after @arg items and finish; 2: kill object
 * slot @arg after the first item, unless it is the current one; 3: the
 * snapshot array (get_values, get_keys, get_members). */
static void
op_iter (Model *m,
         guint  which,
         guint  mode,
         guint  arg)
{
  GArray *before = model_entries (m, which);
  GArray *after;
  AnyIter it;
  gpointer key, obj, value;
  guint n = 0, i;
  gboolean finished = FALSE;
  static const char *const names[] = { "value dict", "key dict", "set" };

  if ((which == 0 && m->vd == NULL) || (which == 1 && m->kd == NULL) ||
      (which == 2 && m->set == NULL))
    goto out;
  if (mode == 3)
    {
      GPtrArray *arr = which == 0 ? wk_weak_value_dict_get_values (m->vd)
                     : which == 1 ? wk_weak_key_dict_get_keys (m->kd)
                     : wk_weak_set_get_members (m->set);

      CHECK (arr->len == before->len, "%s snapshot has %u items, model %u",
             names[which], arr->len, before->len);
      for (i = 0; i < arr->len; i++)
        {
          gpointer o = g_ptr_array_index (arr, i);
          Entry *e;

          for (e = NULL, n = 0; n < before->len; n++)
            if (g_array_index (before, Entry, n).obj == o && !g_array_index (before, Entry, n).seen)
              {
                e = &g_array_index (before, Entry, n);
                break;
              }
          CHECK (e != NULL, "%s snapshot has an object not in the model", names[which]);
          if (e != NULL)
            e->seen = TRUE;
          g_object_unref (o);
        }
      g_ptr_array_unref (arr);
      goto out;
    }

  switch (which)
    {
    case 0: wk_weak_value_dict_iter_init (&it.vd, m->vd); break;
    case 1: wk_weak_key_dict_iter_init (&it.kd, m->kd); break;
    default: wk_weak_set_iter_init (&it.set, m->set); break;
    }
  while (any_iter_next (m, &it, which, &key, &obj, &value))
    {
      Entry *e = find_entry (before, which, key, obj);

      CHECK (G_IS_OBJECT (obj), "%s iteration handed out a non-object", names[which]);
      CHECK (e != NULL, "%s iteration handed out an entry not in the model", names[which]);
      if (e != NULL)
        {
          CHECK (!e->seen, "%s iteration handed out an entry twice", names[which]);
          e->seen = TRUE;
          if (which == 1)
            {
              guint o = e->key;
              gpointer expected = m->kd_null[o] ? NULL : m->kd_val[o];

              /* the model's entry may be gone if it died under the loop */
              if (epoch_alive (m, m->kd_epoch[o]))
                CHECK (value == expected, "key dict iteration: wrong value for key %u", o);
            }
        }
      n++;
      if (mode == 1 && n >= arg)
        {
          switch (which)
            {
            case 0: wk_weak_value_dict_iter_finish (&it.vd); break;
            case 1: wk_weak_key_dict_iter_finish (&it.kd); break;
            default: wk_weak_set_iter_finish (&it.set); break;
            }
          finished = TRUE;
          break;
        }
      if (mode == 2 && n == 1 && m->objs[arg].obj != NULL && m->objs[arg].obj != obj)
        {
          LOG ("  kill object %u under the %s iterator", arg, names[which]);
          obj_kill (m, arg);
        }
      if (m->failed)
        break;
    }
  if (m->failed && !finished)
    goto out;
  if (!finished)
    {
      /* Every entry still in the model was handed out. */
      after = model_entries (m, which);
      for (i = 0; i < after->len; i++)
        {
          Entry *a = &g_array_index (after, Entry, i);
          Entry *e = find_entry (before, which, GINT_TO_POINTER (a->key), a->obj);

          CHECK (e != NULL && e->seen, "%s iteration missed the entry %d", names[which], a->key);
        }
      g_array_unref (after);
    }
out:
  g_array_unref (before);
}

static void
op_reset (Model *m,
          guint  which)
{
  guint i;

  switch (which)
    {
    case 0:
      g_clear_object (&m->vd);
      make_vd (m);
      break;
    case 1:
      release_kd (m);
      make_kd (m);
      break;
    case 2:
      g_clear_object (&m->set);
      make_set (m);
      break;
    case 3:
      release_reg (m);
      make_reg (m);
      break;
    case 4:
      wk_weak_value_dict_remove_all (m->vd);
      memset (m->vd_epoch, 0, sizeof m->vd_epoch);
      break;
    case 5:
      for (i = 0; i < N_OBJ; i++)
        if (epoch_alive (m, m->kd_epoch[i]))
          kd_forget (m, i);
      wk_weak_key_dict_remove_all (m->kd);
      break;
    default:
      wk_weak_set_remove_all (m->set);
      memset (m->set_epoch, 0, sizeof m->set_epoch);
      break;
    }
}

static void
run_op (Model *m)
{
  guint op = next_byte (m) % N_OPS;

  switch ((Op) op)
    {
    case OP_OBJ_NEW:
      {
        guint o = operand (m, N_OBJ);
        ObjSlot *s = &m->objs[o];

        if (s->obj != NULL)
          break;
        s->rec = g_new0 (ObjRec, 1);
        g_ptr_array_add (m->objrecs, s->rec);
        s->obj = wk_test_object_new (slot_type (o), &s->rec->finalized);
        s->strong = 1;
        s->toggles = 0;
        s->epoch = epoch_new (m, o);
        LOG ("object %u = new %s (epoch %u)", o, g_type_name (slot_type (o)), s->epoch);
        break;
      }
    case OP_OBJ_REF:
      {
        guint o = operand (m, N_OBJ);

        if (m->objs[o].obj == NULL)
          break;
        LOG ("ref object %u", o);
        g_object_ref (m->objs[o].obj);
        m->objs[o].strong++;
        break;
      }
    case OP_OBJ_UNREF:
      {
        guint o = operand (m, N_OBJ);

        if (m->objs[o].obj == NULL || m->objs[o].strong == 0)
          break;
        LOG ("unref object %u (strong %u toggles %u)", o, m->objs[o].strong, m->objs[o].toggles);
        drop_one (m, o, -1);
        break;
      }
    case OP_OBJ_KILL:
      {
        guint o = operand (m, N_OBJ);

        if (m->objs[o].obj == NULL)
          break;
        LOG ("kill object %u", o);
        obj_kill (m, o);
        break;
      }
    case OP_OBJ_DISPOSE:
      {
        guint o = operand (m, N_OBJ);

        if (m->objs[o].obj == NULL)
          break;
        LOG ("run_dispose object %u (epoch %u)", o, m->objs[o].epoch);
        run_dispose (m, o);
        break;
      }
    case OP_TOGGLE_ADD:
      {
        guint t = operand (m, N_TOGGLE);
        guint o = operand (m, N_OBJ);
        TogRec *rec;

        if (m->toggles[t].obj >= 0 || m->objs[o].obj == NULL)
          break;
        LOG ("toggle %u = add on object %u", t, o);
        rec = g_new0 (TogRec, 1);
        rec->m = m;
        rec->obj = m->objs[o].obj;
        g_ptr_array_add (m->togrecs, rec);
        m->toggles[t].obj = o;
        m->toggles[t].rec = rec;
        m->objs[o].toggles++;
        wk_object_add_toggle_ref (m->objs[o].obj, toggle_notify, rec);
        break;
      }
    case OP_TOGGLE_REMOVE:
      {
        guint t = operand (m, N_TOGGLE);

        if (m->toggles[t].obj < 0)
          break;
        LOG ("toggle %u removed from object %d", t, m->toggles[t].obj);
        drop_one (m, m->toggles[t].obj, t);
        break;
      }
    case OP_REF_NEW:
    case OP_PROXY_NEW:
      {
        gboolean proxy = op == OP_PROXY_NEW;
        guint r = operand (m, proxy ? N_PROXY : N_REF);
        guint o = operand (m, N_OBJ);
        guint flags = next_byte (m);
        RefSlot *slot = proxy ? &m->proxies[r] : &m->refs[r];

        if (slot->ref != NULL || m->objs[o].obj == NULL)
          break;
        ref_new (m, slot, o, flags, proxy);
        LOG ("%s %u = new on object %u (epoch %u)%s%s", proxy ? "proxy" : "ref", r, o,
             slot->epoch, (flags & 1) ? " with callback" : "",
             (flags & 3) == 3 ? " that drops its ref" : "");
        break;
      }
    case OP_REF_GET:
      {
        guint r = operand (m, N_REF);

        if (m->refs[r].ref == NULL)
          break;
        LOG ("get ref %u", r);
        check_got (m, wk_ref_get (m->refs[r].ref), m->refs[r].epoch, "ref", r);
        break;
      }
    case OP_REF_UNREF:
    case OP_PROXY_UNREF:
      {
        gboolean proxy = op == OP_PROXY_UNREF;
        guint r = operand (m, proxy ? N_PROXY : N_REF);
        RefSlot *slot = proxy ? &m->proxies[r] : &m->refs[r];

        if (slot->ref == NULL)
          break;
        LOG ("unref %s %u", proxy ? "proxy" : "ref", r);
        ref_unref (m, slot);
        break;
      }
    case OP_REF_EQUAL:
      {
        guint a = operand (m, N_REF + N_PROXY);
        guint b = operand (m, N_REF + N_PROXY);
        RefSlot *sa = a < N_REF ? &m->refs[a] : &m->proxies[a - N_REF];
        RefSlot *sb = b < N_REF ? &m->refs[b] : &m->proxies[b - N_REF];
        gboolean expected;

        if (sa->ref == NULL || sb->ref == NULL)
          break;
        LOG ("equal refs %u %u", a, b);
        if (epoch_alive (m, sa->epoch) && epoch_alive (m, sb->epoch))
          expected = epoch_object (m, sa->epoch) == epoch_object (m, sb->epoch);
        else
          expected = sa->ref == sb->ref;
        CHECK (wk_ref_equal (sa->ref, sb->ref) == expected, "wk_ref_equal (%u, %u) != %d", a, b, expected);
        CHECK (wk_ref_hash (sa->ref) == sa->hash, "hash of ref %u changed", a);
        CHECK (wk_ref_hash (sb->ref) == sb->hash, "hash of ref %u changed", b);
        if (expected)
          CHECK (sa->hash == sb->hash, "equal refs %u %u hash differently", a, b);
        break;
      }
    case OP_WEAK_REFS:
      {
        guint o = operand (m, N_OBJ);
        GPtrArray *got, *model;
        guint i;

        if (m->objs[o].obj == NULL)
          break;
        LOG ("weak refs of object %u", o);
        model = g_ptr_array_new ();
        for (i = 0; i < N_REF + N_PROXY; i++)
          {
            RefSlot *s = i < N_REF ? &m->refs[i] : &m->proxies[i - N_REF];

            if (s->ref != NULL && s->epoch == m->objs[o].epoch &&
                !g_ptr_array_find (model, s->ref, NULL))
              g_ptr_array_add (model, s->ref);
          }
        CHECK (wk_get_weak_ref_count (m->objs[o].obj) == model->len,
               "object %u: weak ref count %u, model %u", o,
               wk_get_weak_ref_count (m->objs[o].obj), model->len);
        got = wk_get_weak_refs (m->objs[o].obj);
        CHECK (got->len == model->len, "object %u: %u weak refs, model %u", o, got->len, model->len);
        for (i = 0; i < got->len; i++)
          {
            CHECK (g_ptr_array_find (model, g_ptr_array_index (got, i), NULL),
                   "object %u: wk_get_weak_refs has a ref the model does not know", o);
            g_object_unref (g_ptr_array_index (got, i));
          }
        g_ptr_array_unref (got);
        g_ptr_array_unref (model);
        break;
      }
    case OP_PROXY_DUP:
      {
        guint p = operand (m, N_PROXY);
        GError *error = NULL;
        gpointer got;

        if (m->proxies[p].ref == NULL)
          break;
        LOG ("dup_target proxy %u", p);
        got = wk_proxy_dup_target ((WkProxy *) m->proxies[p].ref, &error);
        if (got == NULL)
          CHECK (g_error_matches (error, WK_REF_ERROR, WK_REF_ERROR_DEAD),
                 "proxy %u: dup_target failed without WK_REF_ERROR_DEAD", p);
        else
          CHECK (error == NULL, "proxy %u: dup_target set an error and returned the target", p);
        g_clear_error (&error);
        check_got (m, got, m->proxies[p].epoch, "proxy", p);
        break;
      }
    case OP_PROXY_PROP:
      {
        guint p = operand (m, N_PROXY);
        GError *error = NULL;
        GValue value = G_VALUE_INIT;
        gboolean ok;
        gboolean alive;

        if (m->proxies[p].ref == NULL)
          break;
        LOG ("get_property proxy %u", p);
        alive = epoch_alive (m, m->proxies[p].epoch);
        ok = wk_proxy_get_target_property ((WkProxy *) m->proxies[p].ref, "no-such-property", &value, &error);
        CHECK (!ok, "proxy %u: got a property that does not exist", p);
        CHECK (g_error_matches (error, WK_REF_ERROR,
                                alive ? WK_REF_ERROR_UNKNOWN_PROPERTY : WK_REF_ERROR_DEAD),
               "proxy %u: get_property error %s, referent %s", p,
               error ? error->message : "(none)", alive ? "alive" : "dead");
        g_clear_error (&error);
        if (G_IS_VALUE (&value))
          g_value_unset (&value);
        break;
      }
    case OP_WEAK_SET:
      {
        guint w = operand (m, N_WEAK);
        guint o = operand (m, N_OBJ);

        LOG ("WkWeak %u = set to object %u%s", w, o, m->objs[o].obj ? "" : " (empty: NULL)");
        wk_weak_set (&m->weaks[w].weak, m->objs[o].obj);
        m->weaks[w].epoch = m->objs[o].epoch;       /* 0 when empty */
        break;
      }
    case OP_WEAK_GET:
      {
        guint w = operand (m, N_WEAK);

        LOG ("get WkWeak %u", w);
        check_got (m, wk_weak_get (&m->weaks[w].weak), m->weaks[w].epoch, "WkWeak", w);
        break;
      }
    case OP_WEAK_CLEAR:
      {
        guint w = operand (m, N_WEAK);

        LOG ("clear WkWeak %u", w);
        wk_weak_clear (&m->weaks[w].weak);
        m->weaks[w].epoch = 0;
        break;
      }
    case OP_VD_INSERT:
      {
        guint k = operand (m, N_KEY);
        guint o = operand (m, N_OBJ);

        if (m->objs[o].obj == NULL)
          break;
        LOG ("value dict [%u] = object %u", k, o);
        wk_weak_value_dict_insert (m->vd, GINT_TO_POINTER (k), m->objs[o].obj);
        m->vd_epoch[k] = m->objs[o].epoch;
        break;
      }
    case OP_VD_LOOKUP:
      {
        guint k = operand (m, N_KEY);

        LOG ("value dict lookup [%u]", k);
        check_got (m, wk_weak_value_dict_lookup (m->vd, GINT_TO_POINTER (k)),
                   m->vd_epoch[k], "value dict key", k);
        break;
      }
    case OP_VD_REMOVE:
      {
        guint k = operand (m, N_KEY);
        gboolean expected = epoch_alive (m, m->vd_epoch[k]);

        LOG ("value dict remove [%u]", k);
        CHECK (wk_weak_value_dict_remove (m->vd, GINT_TO_POINTER (k)) == expected,
               "value dict remove [%u] != %d", k, expected);
        m->vd_epoch[k] = 0;
        break;
      }
    case OP_VD_CONTAINS:
      {
        guint k = operand (m, N_KEY);
        gboolean expected = epoch_alive (m, m->vd_epoch[k]);

        LOG ("value dict contains [%u]", k);
        CHECK (wk_weak_value_dict_contains (m->vd, GINT_TO_POINTER (k)) == expected,
               "value dict contains [%u] != %d", k, expected);
        break;
      }
    case OP_VD_ITER:
    case OP_KD_ITER:
    case OP_SET_ITER:
      {
        guint which = op == OP_VD_ITER ? 0 : op == OP_KD_ITER ? 1 : 2;
        guint mode = next_byte (m) % 4;
        guint arg = next_byte (m);

        if (mode == 1)
          arg = arg % 4 + 1;
        else if (mode == 2)
          arg %= N_OBJ;
        LOG ("iterate collection %u, mode %u, arg %u", which, mode, arg);
        op_iter (m, which, mode, arg);
        break;
      }
    case OP_KD_INSERT:
      {
        guint o = operand (m, N_OBJ);
        gboolean null_value = next_byte (m) % 4 == 0;
        ValRec *v = NULL;

        if (m->objs[o].obj == NULL)
          break;
        LOG ("key dict [object %u] = %s", o, null_value ? "NULL" : "value");
        if (!null_value)
          {
            v = g_new0 (ValRec, 1);
            v->m = m;
            v->id = m->valrecs->len;
            g_ptr_array_add (m->valrecs, v);
          }
        if (epoch_alive (m, m->kd_epoch[o]))
          kd_forget (m, o);               /* the old value is destroyed */
        wk_weak_key_dict_insert (m->kd, m->objs[o].obj, v);
        m->kd_epoch[o] = m->objs[o].epoch;
        m->kd_val[o] = v;
        m->kd_null[o] = null_value;
        break;
      }
    case OP_KD_LOOKUP:
      {
        guint o = operand (m, N_OBJ);
        gboolean present;
        gpointer value = GINT_TO_POINTER (1);

        if (m->objs[o].obj == NULL)
          break;
        LOG ("key dict lookup [object %u]", o);
        present = epoch_alive (m, m->kd_epoch[o]);
        CHECK (wk_weak_key_dict_lookup_extended (m->kd, m->objs[o].obj, &value) == present,
               "key dict lookup_extended [object %u] != %d", o, present);
        if (present)
          CHECK (value == (gpointer) m->kd_val[o], "key dict [object %u]: wrong value", o);
        CHECK (wk_weak_key_dict_lookup (m->kd, m->objs[o].obj) == (present ? (gpointer) m->kd_val[o] : NULL),
               "key dict lookup [object %u]: wrong value", o);
        CHECK (wk_weak_key_dict_contains (m->kd, m->objs[o].obj) == present,
               "key dict contains [object %u] != %d", o, present);
        break;
      }
    case OP_KD_REMOVE:
      {
        guint o = operand (m, N_OBJ);
        gboolean present;

        if (m->objs[o].obj == NULL)
          break;
        LOG ("key dict remove [object %u]", o);
        present = epoch_alive (m, m->kd_epoch[o]);
        if (present)
          kd_forget (m, o);
        CHECK (wk_weak_key_dict_remove (m->kd, m->objs[o].obj) == present,
               "key dict remove [object %u] != %d", o, present);
        break;
      }
    case OP_SET_ADD:
      {
        guint o = operand (m, N_OBJ);
        gboolean present;

        if (m->objs[o].obj == NULL)
          break;
        LOG ("set add object %u", o);
        present = epoch_alive (m, m->set_epoch[o]);
        CHECK (wk_weak_set_add (m->set, m->objs[o].obj) == !present,
               "set add object %u != %d", o, !present);
        m->set_epoch[o] = m->objs[o].epoch;
        break;
      }
    case OP_SET_REMOVE:
    case OP_SET_CONTAINS:
      {
        guint o = operand (m, N_OBJ);
        gboolean present;

        if (m->objs[o].obj == NULL)
          break;
        present = epoch_alive (m, m->set_epoch[o]);
        if (op == OP_SET_REMOVE)
          {
            LOG ("set remove object %u", o);
            CHECK (wk_weak_set_remove (m->set, m->objs[o].obj) == present,
                   "set remove object %u != %d", o, present);
            m->set_epoch[o] = 0;
          }
        else
          {
            LOG ("set contains object %u", o);
            CHECK (wk_weak_set_contains (m->set, m->objs[o].obj) == present,
                   "set contains object %u != %d", o, present);
          }
        break;
      }
    case OP_FIN_NEW:
      {
        guint f = operand (m, N_FIN);
        guint o = operand (m, N_OBJ);
        FinRec *rec;

        if (m->fins[f].fin != NULL || m->objs[o].obj == NULL)
          break;
        LOG ("finalizer %u = new on object %u (epoch %u)", f, o, m->objs[o].epoch);
        rec = g_new0 (FinRec, 1);
        rec->m = m;
        rec->epoch = m->objs[o].epoch;
        rec->pending = TRUE;
        g_ptr_array_add (m->finrecs, rec);
        m->fins[f].rec = rec;
        m->fins[f].fin = track (m, wk_finalizer_new (m->objs[o].obj, fin_func, rec, fin_destroy));
        break;
      }
    case OP_FIN_CALL:
    case OP_FIN_DETACH:
      {
        guint f = operand (m, N_FIN);
        FinRec *rec = m->fins[f].rec;
        gboolean pending;

        if (m->fins[f].fin == NULL)
          break;
        pending = rec->pending;
        if (pending)
          {
            rec->pending = FALSE;
            rec->exp_destroyed++;
            if (op == OP_FIN_CALL)
              rec->exp_called++;
          }
        if (op == OP_FIN_CALL)
          {
            LOG ("call finalizer %u", f);
            CHECK (wk_finalizer_call (m->fins[f].fin) == pending, "finalizer %u: call != %d", f, pending);
          }
        else
          {
            LOG ("detach finalizer %u", f);
            CHECK (wk_finalizer_detach (m->fins[f].fin) == pending, "finalizer %u: detach != %d", f, pending);
          }
        break;
      }
    case OP_FIN_PEEK:
      {
        guint f = operand (m, N_FIN);
        FinRec *rec = m->fins[f].rec;

        if (m->fins[f].fin == NULL)
          break;
        LOG ("peek finalizer %u", f);
        check_got (m, wk_finalizer_dup_object (m->fins[f].fin), rec->pending ? rec->epoch : 0,
                   "finalizer", f);
        break;
      }
    case OP_FIN_UNREF:
      {
        guint f = operand (m, N_FIN);

        if (m->fins[f].fin == NULL)
          break;
        LOG ("unref finalizer %u%s", f, m->fins[f].rec->pending ? " (pending: Wk keeps it)" : "");
        g_clear_object (&m->fins[f].fin);
        m->fins[f].rec = NULL;
        break;
      }
    case OP_REG_REGISTER:
      {
        guint o = operand (m, N_OBJ);
        guint tok = next_byte (m);
        guint t = (tok / 3) % N_OBJ;
        GObject *token = NULL;
        GValue held = G_VALUE_INIT;
        RegRec *r;

        if (m->objs[o].obj == NULL)
          break;
        r = g_new0 (RegRec, 1);
        r->id = m->regrecs->len;
        r->registry = m->reg_gen;
        r->target_epoch = m->objs[o].epoch;
        r->pending = TRUE;
        if (tok % 3 == 1)
          t = o;
        if (tok % 3 != 0 && m->objs[t].obj != NULL)
          {
            token = m->objs[t].obj;
            r->token_epoch = m->objs[t].epoch;
          }
        g_ptr_array_add (m->regrecs, r);
        LOG ("register object %u as #%u, token %s%d", o, r->id,
             token ? "object " : "none ", token ? (gint) t : -1);
        g_value_init (&held, G_TYPE_UINT);
        g_value_set_uint (&held, r->id);
        wk_finalization_registry_register (m->reg, m->objs[o].obj, &held, token);
        g_value_unset (&held);
        break;
      }
    case OP_REG_UNREGISTER:
      {
        guint t = operand (m, N_OBJ);
        gboolean expected = FALSE;
        guint i;

        if (m->objs[t].obj == NULL)
          break;
        for (i = 0; i < m->regrecs->len; i++)
          {
            RegRec *r = g_ptr_array_index (m->regrecs, i);

            if (r->pending && r->registry == m->reg_gen && r->token_epoch == m->objs[t].epoch)
              {
                r->pending = FALSE;
                expected = TRUE;
              }
          }
        LOG ("unregister token object %u", t);
        CHECK (wk_finalization_registry_unregister (m->reg, m->objs[t].obj) == expected,
               "unregister token object %u != %d", t, expected);
        break;
      }
    case OP_RESET:
      {
        guint which = next_byte (m) % 7;

        LOG ("reset collection %u", which);
        op_reset (m, which);
        break;
      }
    case N_OPS:
      g_assert_not_reached ();
    }
}

/* ---- the whole input ---- */

static void
release_all (Model    *m,
             gboolean  objects_first)
{
  guint i;

  /* No finalizer may outlive the input: detach what we still hold;
   * those we dropped run when their objects die below. */
  for (i = 0; i < N_FIN; i++)
    if (m->fins[i].fin != NULL)
      {
        FinRec *rec = m->fins[i].rec;
        gboolean pending = rec->pending;

        if (!objects_first && pending)
          {
            rec->pending = FALSE;
            rec->exp_destroyed++;
            CHECK (wk_finalizer_detach (m->fins[i].fin), "finalizer %u: detach at the end failed", i);
          }
      }
  if (objects_first)
    for (i = 0; i < N_OBJ; i++)
      if (m->objs[i].obj != NULL)
        obj_kill (m, i);
  for (i = 0; i < N_FIN; i++)
    {
      g_clear_object (&m->fins[i].fin);
      m->fins[i].rec = NULL;
    }
  for (i = 0; i < N_REF; i++)
    if (m->refs[i].ref != NULL)
      ref_unref (m, &m->refs[i]);
  for (i = 0; i < N_PROXY; i++)
    if (m->proxies[i].ref != NULL)
      ref_unref (m, &m->proxies[i]);
  for (i = 0; i < N_WEAK; i++)
    {
      wk_weak_clear (&m->weaks[i].weak);
      m->weaks[i].epoch = 0;
    }
  if (objects_first)
    {
      g_clear_object (&m->vd);
      release_kd (m);
      g_clear_object (&m->set);
      release_reg (m);
    }
  else
    {
      /* The registry goes last, so that it sees the deaths. */
      g_clear_object (&m->vd);
      release_kd (m);
      g_clear_object (&m->set);
      for (i = 0; i < N_OBJ; i++)
        if (m->objs[i].obj != NULL)
          obj_kill (m, i);
      release_reg (m);
    }
  sweep (m);
  CHECK (m->wk_alive == 0, "%d Wk objects (refs, finalizers, collections) were not finalized",
         m->wk_alive);
  CHECK (m->reg_destroyed == m->exp_reg_destroyed, "registry destroy notify ran %d times, expected %d",
         m->reg_destroyed, m->exp_reg_destroyed);
  for (i = 0; i < m->cbrecs->len; i++)
    {
      CbRec *cb = g_ptr_array_index (m->cbrecs, i);

      CHECK (cb->destroyed == 1, "callback %u destroyed %d times at the end", cb->seq, cb->destroyed);
      CHECK (cb->called <= 1, "callback %u ran %d times", cb->seq, cb->called);
    }
  for (i = 0; i < m->finrecs->len; i++)
    {
      FinRec *f = g_ptr_array_index (m->finrecs, i);

      CHECK (f->destroyed == 1, "finalizer #%u destroyed %d times at the end", i, f->destroyed);
      CHECK (f->called <= 1, "finalizer #%u ran %d times", i, f->called);
    }
  for (i = 0; i < m->valrecs->len; i++)
    {
      ValRec *v = g_ptr_array_index (m->valrecs, i);

      CHECK (v->destroyed == 1, "key dict value %u destroyed %d times at the end", i, v->destroyed);
    }
  for (i = 0; i < m->objrecs->len; i++)
    {
      ObjRec *r = g_ptr_array_index (m->objrecs, i);

      CHECK (r->finalized == 1, "object #%u finalized %d times at the end", i, r->finalized);
    }
}

static void
model_free (Model *m)
{
  g_array_unref (m->epochs);
  g_ptr_array_unref (m->objrecs);
  g_ptr_array_unref (m->cbrecs);
  g_ptr_array_unref (m->finrecs);
  g_ptr_array_unref (m->togrecs);
  g_ptr_array_unref (m->valrecs);
  g_ptr_array_unref (m->regrecs);
  g_ptr_array_unref (m->expect_order);
  g_string_free (m->err, TRUE);
  g_free (m);
}

gboolean
wk_fuzz_run (const guint8 *data,
             gsize         size,
             GString      *log)
{
  Model *m = g_new0 (Model, 1);
  Epoch none = { 0, FALSE };
  guint i;

  m->data = data;
  m->size = size;
  m->log = log;
  m->err = g_string_new (NULL);
  m->epochs = g_array_new (FALSE, TRUE, sizeof (Epoch));
  g_array_append_val (m->epochs, none);
  m->objrecs = g_ptr_array_new_with_free_func (g_free);
  m->cbrecs = g_ptr_array_new_with_free_func (g_free);
  m->finrecs = g_ptr_array_new_with_free_func (g_free);
  m->togrecs = g_ptr_array_new_with_free_func (g_free);
  m->valrecs = g_ptr_array_new_with_free_func (g_free);
  m->regrecs = g_ptr_array_new_with_free_func (g_free);
  m->expect_order = g_ptr_array_new ();
  for (i = 0; i < N_TOGGLE; i++)
    m->toggles[i].obj = -1;
  make_vd (m);
  make_kd (m);
  make_set (m);
  make_reg (m);

  while (m->pos < m->size && !m->failed)
    {
      m->op_index++;
      run_op (m);
      if (!m->failed)
        sweep (m);
    }
  if (!m->failed)
    {
      m->op_index++;
      LOG ("release everything (%s first)", size % 2 ? "objects" : "weak side");
      release_all (m, size % 2 == 1);
    }

  if (m->failed)
    {
      g_printerr ("%s", m->err->str);
      if (log != NULL)
        g_string_append (log, m->err->str);
      /* Leak the model and what it made: a finalizer left pending may
       * still run at exit and must find its record. */
      return FALSE;
    }
  model_free (m);
  return TRUE;
}
