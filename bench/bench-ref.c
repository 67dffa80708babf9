/* bench-ref.c: what Wk's weak references cost, next to GLib's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every variant runs once per round, round after round (A B C ... A B C
 * ...), in one process, so that slow drifts of the machine (clock
 * frequency, other load) spread over all variants instead of favouring
 * whichever ran first. A variant's figure is its median over the rounds;
 * a ratio is the median of its per-round ratios. Iteration counts are calibrated once, before the first round, so that
 * each variant does about target_ms of timed work per round; setup and
 * teardown (making objects and rings of weak refs) are not timed.
 *
 * The timed loops call into libgobject and libwk, which the compiler
 * cannot see through, and fold the pointers they get into a volatile sink
 * so that nothing can be dropped even with LTO.
 *
 * Timings never make the program fail: targets are printed with a yes/no
 * next to them and the exit status is 0 whatever they say.
 *
 * Usage: bench-ref [--rounds N] [--quick] [--verbose]
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <wk/wk.h>

#include "bench-common.h"

#define RING_K           10000   /* the "many weak refs" case of measurement 5 */
#define FINAL_N_WEAKS    100     /* weak refs on each object of measurement 6 */
#define FINAL_BATCH      256     /* objects made, then unreffed in one timed go */
#define CHURN_N_OBJECTS  16      /* objects the churn thread of measurement 4 cycles */

/* Objects hammered by different threads must be at least this far apart:
 * a cache line plus the neighbour some CPUs prefetch with it. */
#define APART_BYTES      256

static volatile guintptr sink;

/* Timed work per variant per round, set from the command line. */
static gint64 target_ns;

static inline void
cpu_relax (void)
{
#if defined (__x86_64__) || defined (__i386__)
  __builtin_ia32_pause ();
#elif defined (__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

/* Spinning keeps the start of a phase tight, but the machine may have no
 * more cores than we have threads, so give the CPU away after a while. */
static void
spin_backoff (guint *spins)
{
  if (++*spins < 4096)
    cpu_relax ();
  else
    g_thread_yield ();
}

/* ---------------------------------------------------------------------- */
/* The weak pointers under test, behind one face                          */

typedef enum {
  PTR_WK_REF,
  PTR_WK_WEAK,
  PTR_G_WEAK,
  PTR_STRONG,   /* no weak pointer: the floor's g_object_ref + unref */
} PtrKind;

typedef struct
{
  PtrKind   kind;
  gpointer  strong;
  WkRef    *ref;
  WkWeak    weak;
  GWeakRef  gweak;
} WeakPtr;

static void
weak_ptr_init (WeakPtr  *ptr,
               PtrKind   kind,
               gpointer  object)
{
  memset (ptr, 0, sizeof *ptr);
  ptr->kind = kind;
  switch (kind)
    {
    case PTR_WK_REF:
      /* Callback-less: the deref path does not care whether it is shared. */
      ptr->ref = wk_ref_new (object, NULL, NULL, NULL);
      break;
    case PTR_WK_WEAK:
      wk_weak_init (&ptr->weak, object);
      break;
    case PTR_G_WEAK:
      g_weak_ref_init (&ptr->gweak, object);
      break;
    case PTR_STRONG:
      ptr->strong = object;
      break;
    }
}

static void
weak_ptr_clear (WeakPtr *ptr)
{
  switch (ptr->kind)
    {
    case PTR_WK_REF:
      g_clear_object (&ptr->ref);
      break;
    case PTR_WK_WEAK:
      wk_weak_clear (&ptr->weak);
      break;
    case PTR_G_WEAK:
      g_weak_ref_clear (&ptr->gweak);
      break;
    case PTR_STRONG:
      ptr->strong = NULL;
      break;
    }
}

/* n times deref + unref. One loop per kind, so that the timed loop carries
 * no switch that the floor loop does not have. The referent is alive
 * throughout, so the result is never NULL. */
static guintptr
weak_ptr_deref_loop (WeakPtr *ptr,
                     guint64  n)
{
  guintptr acc = 0;
  guint64 i;

  switch (ptr->kind)
    {
    case PTR_WK_REF:
      for (i = 0; i < n; i++)
        {
          gpointer object = wk_ref_get (ptr->ref);

          acc += (guintptr) object;
          g_object_unref (object);
        }
      break;
    case PTR_WK_WEAK:
      for (i = 0; i < n; i++)
        {
          gpointer object = wk_weak_get (&ptr->weak);

          acc += (guintptr) object;
          g_object_unref (object);
        }
      break;
    case PTR_G_WEAK:
      for (i = 0; i < n; i++)
        {
          gpointer object = g_weak_ref_get (&ptr->gweak);

          acc += (guintptr) object;
          g_object_unref (object);
        }
      break;
    case PTR_STRONG:
      for (i = 0; i < n; i++)
        {
          acc += (guintptr) g_object_ref (ptr->strong);
          g_object_unref (ptr->strong);
        }
      break;
    }
  return acc;
}

static gpointer
new_referent (gboolean wk_object)
{
  if (wk_object)
    return wk_object_new ();
  return g_object_new (G_TYPE_OBJECT, NULL);
}

/* GSlice hands out 32-byte GObjects right next to each other, so two
 * objects made in a row may share a cache line, and two threads each
 * working on "their own" object would measure false sharing instead of
 * Wk. Keep drawing until an object lies far from all in @taken; the
 * rejects go to @spares (which owns them) and stay alive until the phase
 * ends, so that they are not handed out again meanwhile. */
static gpointer
new_referent_apart (gboolean   wk_object,
                    GPtrArray *taken,
                    GPtrArray *spares)
{
  for (;;)
    {
      gpointer object = new_referent (wk_object);
      gboolean apart = TRUE;
      guint i;

      for (i = 0; i < taken->len && apart; i++)
        {
          gintptr d = (gintptr) object - (gintptr) g_ptr_array_index (taken, i);

          apart = d >= APART_BYTES || d <= -APART_BYTES;
        }
      if (apart)
        {
          g_ptr_array_add (taken, object);
          return object;
        }
      g_ptr_array_add (spares, object);
    }
}

/* ---------------------------------------------------------------------- */
/* Variants                                                               */

typedef struct
{
  PtrKind   kind;
  gboolean  wk_object;  /* the referent is a WkObject, not a plain GObject */
  guint     count;      /* strong references its owners hold */
  guint     threads;
  guint     k;          /* other weak references on the referent */
} Params;

typedef BenchSample (*RunFunc) (const Params *p,
                                guint64       n);

/* 1. The floor: what any strong-reference round trip costs. */
static BenchSample
run_floor (const Params *p G_GNUC_UNUSED,
           guint64       n)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  guintptr acc = 0;
  gint64 t0, t1;
  guint64 i;

  t0 = bench_now_ns ();
  for (i = 0; i < n; i++)
    {
      acc += (guintptr) g_object_ref (object);
      g_object_unref (object);
    }
  t1 = bench_now_ns ();

  sink += acc;
  g_object_unref (object);
  return bench_sample_make (t1 - t0, n);
}

/* 2. Deref a live referent and drop what it gave, single thread. */
static BenchSample
run_deref (const Params *p,
           guint64       n)
{
  gpointer object = new_referent (p->wk_object);
  WeakPtr ptr;
  guintptr acc;
  gint64 t0, t1;

  if (p->count == 2)
    g_object_ref (object);
  weak_ptr_init (&ptr, p->kind, object);

  /* Untimed: the first deref of a thread allocates its hazard slot. */
  acc = weak_ptr_deref_loop (&ptr, 16);
  g_assert (acc == 16 * (guintptr) object);

  t0 = bench_now_ns ();
  acc += weak_ptr_deref_loop (&ptr, n);
  t1 = bench_now_ns ();

  sink += acc;
  weak_ptr_clear (&ptr);
  if (p->count == 2)
    g_object_unref (object);
  g_object_unref (object);
  return bench_sample_make (t1 - t0, n);
}

/* Threads start together: each waits at the gate (spinning, so that it
 * reacts at once), and the main thread opens it and takes the start time
 * once all are there. */
typedef struct
{
  gint ready;   /* (atomic) threads at the gate */
  gint open;    /* (atomic) */
} Gate;

static void
gate_pass (Gate *gate)
{
  guint spins = 0;

  __atomic_add_fetch (&gate->ready, 1, __ATOMIC_SEQ_CST);
  while (!__atomic_load_n (&gate->open, __ATOMIC_ACQUIRE))
    spin_backoff (&spins);
}

static gint64
gate_open (Gate *gate,
           gint  n_threads)
{
  gint64 t0;

  while (__atomic_load_n (&gate->ready, __ATOMIC_ACQUIRE) < n_threads)
    g_thread_yield ();
  t0 = bench_now_ns ();
  __atomic_store_n (&gate->open, 1, __ATOMIC_RELEASE);
  return t0;
}

/* One deref thread. Aligned so that a worker writing its results cannot
 * disturb another that is still running. */
typedef struct
{
  Gate      *gate;
  gpointer   object;
  PtrKind    kind;
  guint64    n;
  gint64     budget_ns;   /* stop early after this long; 0: never */
  guint64    done;
  gint64     end_ns;
  guintptr   acc;
} __attribute__ ((aligned (64))) Worker;

/* Derefs in chunks, so that the clock is read once per chunk only. */
#define BUDGET_CHUNK 1024

static gpointer
deref_worker (gpointer data)
{
  Worker *w = data;
  WeakPtr ptr;
  guintptr acc;

  /* The weak pointer, and for Wk the anchor it allocates and the hazard
   * slot, come from this thread (its own stack and malloc arena), as
   * they would in a program whose threads own their objects. */
  weak_ptr_init (&ptr, w->kind, w->object);
  acc = weak_ptr_deref_loop (&ptr, 16);

  gate_pass (w->gate);
  if (w->budget_ns == 0)
    {
      acc += weak_ptr_deref_loop (&ptr, w->n);
      w->done = w->n;
      w->end_ns = bench_now_ns ();
    }
  else
    {
      gint64 deadline = bench_now_ns () + w->budget_ns;
      gint64 end;
      guint64 done = 0;

      do
        {
          acc += weak_ptr_deref_loop (&ptr, BUDGET_CHUNK);
          done += BUDGET_CHUNK;
          end = bench_now_ns ();
        }
      while (done < w->n && end < deadline);
      w->done = done;
      w->end_ns = end;
    }

  w->acc = acc;
  weak_ptr_clear (&ptr);
  return NULL;
}

/* 3. p->threads threads, each with its own object and weak pointer. The
 * time runs from the gate opening to the last thread's end. */
static BenchSample
run_disjoint (const Params *p,
              guint64       n)
{
  GPtrArray *taken = g_ptr_array_new ();
  GPtrArray *spares = g_ptr_array_new_with_free_func (g_object_unref);
  Worker *workers = g_aligned_alloc0 (p->threads, sizeof (Worker), 64);
  GThread **threads = g_new0 (GThread *, p->threads);
  Gate gate = { 0, 0 };
  gint64 t0, end = 0;
  guint i;

  for (i = 0; i < p->threads; i++)
    {
      workers[i].gate = &gate;
      workers[i].object = new_referent_apart (FALSE, taken, spares);
      workers[i].kind = p->kind;
      workers[i].n = n;
      if (p->count == 2)
        g_object_ref (workers[i].object);
    }
  for (i = 0; i < p->threads; i++)
    threads[i] = g_thread_new ("bench-deref", deref_worker, &workers[i]);

  t0 = gate_open (&gate, p->threads);
  for (i = 0; i < p->threads; i++)
    {
      g_thread_join (threads[i]);
      end = MAX (end, workers[i].end_ns);
      sink += workers[i].acc;
    }

  for (i = 0; i < p->threads; i++)
    {
      if (p->count == 2)
        g_object_unref (workers[i].object);
      g_object_unref (workers[i].object);
    }
  g_ptr_array_unref (spares);
  g_ptr_array_unref (taken);
  g_free (threads);
  g_aligned_free (workers);
  return bench_sample_make (end - t0, n * p->threads);
}

/* The other thread of measurement 4: makes and drops weak references to
 * objects the deref thread never touches, as fast as it can. */
typedef struct
{
  PtrKind    kind;
  GObject  **objects;
  gint       stop;    /* (atomic) */
  guint64    ops;     /* (atomic) init+clear pairs so far */
} __attribute__ ((aligned (64))) Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *c = data;
  guint64 ops = 0;
  guint i = 0;

  if (c->kind == PTR_WK_WEAK)
    {
      WkWeak weak = WK_WEAK_INIT;

      while (!__atomic_load_n (&c->stop, __ATOMIC_RELAXED))
        {
          wk_weak_init (&weak, c->objects[i]);
          wk_weak_clear (&weak);
          if (++i == CHURN_N_OBJECTS)
            i = 0;
          __atomic_store_n (&c->ops, ++ops, __ATOMIC_RELAXED);
        }
    }
  else
    {
      GWeakRef gweak;

      while (!__atomic_load_n (&c->stop, __ATOMIC_RELAXED))
        {
          g_weak_ref_init (&gweak, c->objects[i]);
          g_weak_ref_clear (&gweak);
          if (++i == CHURN_N_OBJECTS)
            i = 0;
          __atomic_store_n (&c->ops, ++ops, __ATOMIC_RELAXED);
        }
    }
  return NULL;
}

/* 4. Deref (count 2) while another thread churns weak refs elsewhere.
 * It runs as many derefs as the uncontended variant before it, unless
 * contention makes that take more than twice the target. The side figure is how many init+clear pairs the churn thread managed
 * per microsecond meanwhile: it shows whether it really ran (a reader-
 * preferring lock can starve it). */
static BenchSample
run_contended (const Params *p,
               guint64       n)
{
  GPtrArray *taken = g_ptr_array_new ();
  GPtrArray *spares = g_ptr_array_new_with_free_func (g_object_unref);
  GObject *churn_objects[CHURN_N_OBJECTS];
  Churn *churn = g_aligned_alloc0 (1, sizeof (Churn), 64);
  Worker *worker = g_aligned_alloc0 (1, sizeof (Worker), 64);
  Gate gate = { 0, 0 };
  GThread *churner, *derefer;
  guint64 churn0, churn1;
  gint64 t0;
  BenchSample s;
  guint i;

  worker->gate = &gate;
  worker->object = new_referent_apart (FALSE, taken, spares);
  worker->kind = p->kind;
  worker->n = n;
  worker->budget_ns = 2 * target_ns;
  g_object_ref (worker->object);
  for (i = 0; i < CHURN_N_OBJECTS; i++)
    churn_objects[i] = new_referent_apart (FALSE, taken, spares);

  churn->kind = p->kind;
  churn->objects = churn_objects;
  churner = g_thread_new ("bench-churn", churn_thread, churn);
  /* Let it reach its steady state (for Wk: every object has its anchor). */
  while (__atomic_load_n (&churn->ops, __ATOMIC_RELAXED) < 1000)
    g_thread_yield ();

  derefer = g_thread_new ("bench-deref", deref_worker, worker);
  t0 = gate_open (&gate, 1);
  churn0 = __atomic_load_n (&churn->ops, __ATOMIC_RELAXED);
  g_thread_join (derefer);
  churn1 = __atomic_load_n (&churn->ops, __ATOMIC_RELAXED);
  __atomic_store_n (&churn->stop, 1, __ATOMIC_RELAXED);
  g_thread_join (churner);

  s = bench_sample_make (worker->end_ns - t0, worker->done);
  s.aux = (double) (churn1 - churn0) * 1000.0 / (double) s.ns;
  sink += worker->acc;

  g_object_unref (worker->object);
  g_object_unref (worker->object);
  for (i = 0; i < CHURN_N_OBJECTS; i++)
    g_object_unref (churn_objects[i]);
  g_ptr_array_unref (spares);
  g_ptr_array_unref (taken);
  g_aligned_free (worker);
  g_aligned_free (churn);
  return s;
}

/* 5. Create + clear one weak pointer on an object that has p->k others.
 * The object carries a ring of k+1 of them and each op clears the oldest
 * and makes it again: the way a cache recycles its entries, and GLib's
 * worst case, since it keeps them newest first and walks to the oldest.
 * With k = 0 the ring is the one pointer itself. For Wk, the setup makes
 * the object's anchor, which stays as long as the object: the steady
 * state of an object that has had weak refs. */
static BenchSample
run_weak_cycle (const Params *p,
                guint64       n)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  guint len = p->k + 1;
  guint slot = 0;
  gint64 t0, t1;
  guint64 i;
  guint j;

  if (p->kind == PTR_WK_WEAK)
    {
      WkWeak *ring = g_new0 (WkWeak, len);

      for (j = 0; j < len; j++)
        wk_weak_init (&ring[j], object);
      t0 = bench_now_ns ();
      for (i = 0; i < n; i++)
        {
          wk_weak_clear (&ring[slot]);
          wk_weak_init (&ring[slot], object);
          if (++slot == len)
            slot = 0;
        }
      t1 = bench_now_ns ();
      for (j = 0; j < len; j++)
        wk_weak_clear (&ring[j]);
      g_object_unref (object);
      g_free (ring);
    }
  else
    {
      GWeakRef *ring = g_new0 (GWeakRef, len);

      for (j = 0; j < len; j++)
        g_weak_ref_init (&ring[j], object);
      t0 = bench_now_ns ();
      for (i = 0; i < n; i++)
        {
          g_weak_ref_clear (&ring[slot]);
          g_weak_ref_init (&ring[slot], object);
          if (++slot == len)
            slot = 0;
        }
      t1 = bench_now_ns ();
      /* Clearing 10000 live GWeakRefs oldest first is quadratic; after the
       * object's death each clear is O(1). */
      g_object_unref (object);
      for (j = 0; j < len; j++)
        g_weak_ref_clear (&ring[j]);
      g_free (ring);
    }
  return bench_sample_make (t1 - t0, n);
}

static void
dummy_callback (WkRef    *ref G_GNUC_UNUSED,
                gpointer  user_data G_GNUC_UNUSED)
{
}

/* 5. The same ring with WkRefs: unref the oldest, make a new one. The
 * callback keeps wk_ref_new() from handing back the shared ref. */
static BenchSample
run_ref_cycle (const Params *p,
               guint64       n)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  guint len = p->k + 1;
  WkRef **ring = g_new0 (WkRef *, len);
  guintptr acc = 0;
  guint slot = 0;
  gint64 t0, t1;
  guint64 i;
  guint j;

  for (j = 0; j < len; j++)
    ring[j] = wk_ref_new (object, dummy_callback, NULL, NULL);
  t0 = bench_now_ns ();
  for (i = 0; i < n; i++)
    {
      g_object_unref (ring[slot]);
      ring[slot] = wk_ref_new (object, dummy_callback, NULL, NULL);
      acc += (guintptr) ring[slot];
      if (++slot == len)
        slot = 0;
    }
  t1 = bench_now_ns ();

  sink += acc;
  for (j = 0; j < len; j++)
    g_object_unref (ring[j]);
  g_object_unref (object);
  g_free (ring);
  return bench_sample_make (t1 - t0, n);
}

/* 6. The final unref of objects that each have p->k weak pointers. Objects are made in batches and unreffed in one timed loop,
 * which keeps the clock's own cost out of the figure. */
static BenchSample
run_final_unref (const Params *p,
                 guint64       n)
{
  GObject *objects[FINAL_BATCH];
  guint n_weaks = p->k;
  WkWeak *weaks = NULL;
  GWeakRef *gweaks = NULL;
  WkRef **refs = NULL;
  gint64 timed = 0;
  guint64 done = 0;

  if (p->kind == PTR_WK_WEAK)
    weaks = g_new0 (WkWeak, FINAL_BATCH * n_weaks);
  else if (p->kind == PTR_WK_REF)
    refs = g_new0 (WkRef *, FINAL_BATCH * n_weaks);
  else
    gweaks = g_new0 (GWeakRef, FINAL_BATCH * n_weaks);

  while (done < n)
    {
      guint batch = (guint) MIN ((guint64) FINAL_BATCH, n - done);
      gint64 t0;
      guint b, j;

      for (b = 0; b < batch; b++)
        {
          objects[b] = g_object_new (p->wk_object ? WK_TYPE_OBJECT : G_TYPE_OBJECT, NULL);
          for (j = 0; j < n_weaks; j++)
            if (weaks != NULL)
              wk_weak_init (&weaks[b * n_weaks + j], objects[b]);
            else if (refs != NULL)
              refs[b * n_weaks + j] = wk_ref_new (objects[b], dummy_callback, NULL, NULL);
            else
              g_weak_ref_init (&gweaks[b * n_weaks + j], objects[b]);
        }

      t0 = bench_now_ns ();
      for (b = 0; b < batch; b++)
        g_object_unref (objects[b]);
      timed += bench_now_ns () - t0;

      /* Untimed: check the objects really died, then let the slots go. */
      if (weaks != NULL)
        {
          g_assert (wk_weak_get (&weaks[(batch - 1) * n_weaks]) == NULL);
          for (j = 0; j < batch * n_weaks; j++)
            wk_weak_clear (&weaks[j]);
        }
      else if (refs != NULL)
        {
          g_assert (wk_ref_get (refs[(batch - 1) * n_weaks]) == NULL);
          for (j = 0; j < batch * n_weaks; j++)
            g_object_unref (refs[j]);
        }
      else
        {
          g_assert (g_weak_ref_get (&gweaks[(batch - 1) * n_weaks]) == NULL);
          for (j = 0; j < batch * n_weaks; j++)
            g_weak_ref_clear (&gweaks[j]);
        }
      done += batch;
    }

  g_free (weaks);
  g_free (refs);
  g_free (gweaks);
  return bench_sample_make (timed, n);
}

/* ---------------------------------------------------------------------- */
/* The list of variants, in the order each round runs them                 */

typedef struct
{
  const char  *label;
  RunFunc      run;
  Params       p;
  gboolean     reuse_prev_n;   /* same n as the variant before, not calibrated */
} Variant;

/* In the order each round runs them (the table has its own order). On a
 * shared or frequency-scaling machine the speed drifts within a round, so
 * variants that are compared run close together: the floor amid the
 * derefs it is the floor of, each contended deref and each 2-thread
 * phase right after the uncontended or 1-thread phase whose n it reuses,
 * the K=0 cycles between their K=10000 ones. */
enum {
  V_DEREF_GWEAK_1, V_DEREF_WEAK_W1, V_DEREF_REF_W1, V_DEREF_WEAK_G1, V_DEREF_REF_G1,
  V_FLOOR,
  V_DEREF_REF_G2, V_DEREF_REF_W2, V_DEREF_WEAK_W2,
  V_DEREF_WEAK_G2, V_CONT_WEAK,
  V_DEREF_GWEAK_2, V_CONT_GWEAK,

  V_MT_FLOOR_T1, V_MT_FLOOR_T2,
  V_MT_WEAK_C2_T1, V_MT_WEAK_C2_T2, V_MT_GWEAK_C2_T1, V_MT_GWEAK_C2_T2,
  V_MT_WEAK_C1_T1, V_MT_WEAK_C1_T2, V_MT_GWEAK_C1_T1, V_MT_GWEAK_C1_T2,

  V_CYCLE_WEAK_KN, V_CYCLE_WEAK_K0, V_CYCLE_GWEAK_K0, V_CYCLE_GWEAK_KN,
  V_CYCLE_REF_K0, V_CYCLE_REF_KN,

  V_FINAL_WEAK, V_FINAL_GWEAK,
  V_FINAL1_GWEAK, V_FINAL1_WEAK, V_FINAL1_REF, V_FINAL1_WEAK_W,

  N_VARIANTS
};

#define DEREF(kind_, wk_object_, count_) \
  run_deref, { (kind_), (wk_object_), (count_), 1, 0 }, FALSE
#define DISJOINT(kind_, count_, threads_) \
  run_disjoint, { (kind_), FALSE, (count_), (threads_), 0 }, (threads_) > 1

static const Variant variants[N_VARIANTS] = {
  [V_FLOOR]          = { "floor g_object_ref+unref", run_floor, { PTR_STRONG, FALSE, 1, 1, 0 }, FALSE },

  [V_DEREF_REF_G1]   = { "deref WkRef GObject c1",     DEREF (PTR_WK_REF, FALSE, 1) },
  [V_DEREF_WEAK_G1]  = { "deref WkWeak GObject c1",    DEREF (PTR_WK_WEAK, FALSE, 1) },
  [V_DEREF_REF_W1]   = { "deref WkRef WkObject c1",    DEREF (PTR_WK_REF, TRUE, 1) },
  [V_DEREF_WEAK_W1]  = { "deref WkWeak WkObject c1",   DEREF (PTR_WK_WEAK, TRUE, 1) },
  [V_DEREF_GWEAK_1]  = { "deref GWeakRef c1",          DEREF (PTR_G_WEAK, FALSE, 1) },
  [V_DEREF_REF_G2]   = { "deref WkRef GObject c2",     DEREF (PTR_WK_REF, FALSE, 2) },
  [V_DEREF_WEAK_G2]  = { "deref WkWeak GObject c2",    DEREF (PTR_WK_WEAK, FALSE, 2) },
  [V_DEREF_REF_W2]   = { "deref WkRef WkObject c2",    DEREF (PTR_WK_REF, TRUE, 2) },
  [V_DEREF_WEAK_W2]  = { "deref WkWeak WkObject c2",   DEREF (PTR_WK_WEAK, TRUE, 2) },
  [V_DEREF_GWEAK_2]  = { "deref GWeakRef c2",          DEREF (PTR_G_WEAK, FALSE, 2) },

  /* What the machine itself allows: the floor has nothing to share. */
  [V_MT_FLOOR_T1]    = { "disjoint floor 1t",          DISJOINT (PTR_STRONG, 1, 1) },
  [V_MT_FLOOR_T2]    = { "disjoint floor 2t",          DISJOINT (PTR_STRONG, 1, 2) },
  [V_MT_WEAK_C2_T1]  = { "disjoint WkWeak c2 1t",      DISJOINT (PTR_WK_WEAK, 2, 1) },
  [V_MT_WEAK_C2_T2]  = { "disjoint WkWeak c2 2t",      DISJOINT (PTR_WK_WEAK, 2, 2) },
  [V_MT_GWEAK_C2_T1] = { "disjoint GWeakRef c2 1t",    DISJOINT (PTR_G_WEAK, 2, 1) },
  [V_MT_GWEAK_C2_T2] = { "disjoint GWeakRef c2 2t",    DISJOINT (PTR_G_WEAK, 2, 2) },
  [V_MT_WEAK_C1_T1]  = { "disjoint WkWeak c1 1t",      DISJOINT (PTR_WK_WEAK, 1, 1) },
  [V_MT_WEAK_C1_T2]  = { "disjoint WkWeak c1 2t",      DISJOINT (PTR_WK_WEAK, 1, 2) },
  [V_MT_GWEAK_C1_T1] = { "disjoint GWeakRef c1 1t",    DISJOINT (PTR_G_WEAK, 1, 1) },
  [V_MT_GWEAK_C1_T2] = { "disjoint GWeakRef c1 2t",    DISJOINT (PTR_G_WEAK, 1, 2) },

  /* Calibrating these would be a lottery when GLib's churn thread starves
   * in some runs and not in others: they take the uncontended n. */
  [V_CONT_WEAK]      = { "contended WkWeak",   run_contended, { PTR_WK_WEAK, FALSE, 2, 2, 0 }, TRUE },
  [V_CONT_GWEAK]     = { "contended GWeakRef", run_contended, { PTR_G_WEAK, FALSE, 2, 2, 0 }, TRUE },

  [V_CYCLE_WEAK_K0]  = { "cycle WkWeak K=0",       run_weak_cycle, { PTR_WK_WEAK, FALSE, 1, 1, 0 }, FALSE },
  [V_CYCLE_WEAK_KN]  = { "cycle WkWeak K=10000",   run_weak_cycle, { PTR_WK_WEAK, FALSE, 1, 1, RING_K }, FALSE },
  [V_CYCLE_GWEAK_K0] = { "cycle GWeakRef K=0",     run_weak_cycle, { PTR_G_WEAK, FALSE, 1, 1, 0 }, FALSE },
  [V_CYCLE_GWEAK_KN] = { "cycle GWeakRef K=10000", run_weak_cycle, { PTR_G_WEAK, FALSE, 1, 1, RING_K }, FALSE },
  [V_CYCLE_REF_K0]   = { "cycle WkRef K=0",        run_ref_cycle, { PTR_WK_REF, FALSE, 1, 1, 0 }, FALSE },
  [V_CYCLE_REF_KN]   = { "cycle WkRef K=10000",    run_ref_cycle, { PTR_WK_REF, FALSE, 1, 1, RING_K }, FALSE },

  [V_FINAL_WEAK]     = { "final unref WkWeak x100",   run_final_unref, { PTR_WK_WEAK, FALSE, 1, 1, FINAL_N_WEAKS }, FALSE },
  [V_FINAL_GWEAK]    = { "final unref GWeakRef x100", run_final_unref, { PTR_G_WEAK, FALSE, 1, 1, FINAL_N_WEAKS }, FALSE },
  [V_FINAL1_GWEAK]   = { "final unref GWeakRef x1",   run_final_unref, { PTR_G_WEAK, FALSE, 1, 1, 1 }, FALSE },
  [V_FINAL1_WEAK]    = { "final unref WkWeak x1",     run_final_unref, { PTR_WK_WEAK, FALSE, 1, 1, 1 }, FALSE },
  [V_FINAL1_REF]     = { "final unref WkRef x1",      run_final_unref, { PTR_WK_REF, FALSE, 1, 1, 1 }, FALSE },
  [V_FINAL1_WEAK_W]  = { "final unref WkWeak x1, WkObject", run_final_unref, { PTR_WK_WEAK, TRUE, 1, 1, 1 }, FALSE },
};

/* n is iterations per round (per thread). */
static BenchResult results[N_VARIANTS];

/* Grows n until a run takes a quarter of the target, then scales it to
 * the target. The runs double as warm-up. */
static guint64
calibrate (const Variant *v)
{
  guint64 n = 16;

  for (;;)
    {
      BenchSample s = v->run (&v->p, n);
      /* Per thread: a phase with more threads does the same per thread. */
      double ns_per_iter = (double) s.ns / (double) n;

      if (s.ns >= target_ns / 4 || n >= G_MAXUINT64 / 64)
        return MAX ((guint64) 1, (guint64) (target_ns / ns_per_iter));
      n *= s.ns < target_ns / 64 ? 16 : 2;
    }
}

/* ---------------------------------------------------------------------- */
/* Report                                                                 */

/* ---------------------------------------------------------------------- */
/* Memory per weak pointer, in a child run with G_SLICE=always-malloc     */

#define MEM_N_OBJECTS  100000

typedef enum {
  MEM_WK_WEAK,      /* one WkWeak per object: its 16 B plus the anchor */
  MEM_WK_REF,       /* one callback-less WkRef per object */
  MEM_G_WEAK,       /* one GWeakRef per object: its 8 B plus GLib's list */
  MEM_WK_WEAK_2ND,  /* a second WkWeak on objects that have one already */
  MEM_G_WEAK_2ND,   /* a second GWeakRef on objects that have one already */
  N_MEM_KINDS
} MemKind;

static const char *const mem_names[N_MEM_KINDS] = {
  "wkweak", "wkref", "gweakref", "wkweak2", "gweakref2",
};

/* Heap bytes per object that one weak pointer of @kind costs, the
 * pointer's own storage included: objects of @type are made before the
 * baseline, the array of pointers and whatever they add after it. */
static double
measure_weak_memory (MemKind kind,
                     GType   type)
{
  GObject **objects = g_new (GObject *, MEM_N_OBJECTS);
  WkWeak *first = NULL;
  GWeakRef *first_g = NULL;
  gpointer storage = NULL;
  gint64 base, used;
  guint i;

  for (i = 0; i < MEM_N_OBJECTS; i++)
    objects[i] = g_object_new (type, NULL);
  if (kind == MEM_WK_WEAK_2ND)
    {
      first = g_new0 (WkWeak, MEM_N_OBJECTS);
      for (i = 0; i < MEM_N_OBJECTS; i++)
        wk_weak_init (&first[i], objects[i]);
    }
  else if (kind == MEM_G_WEAK_2ND)
    {
      first_g = g_new0 (GWeakRef, MEM_N_OBJECTS);
      for (i = 0; i < MEM_N_OBJECTS; i++)
        g_weak_ref_init (&first_g[i], objects[i]);
    }

  base = bench_heap_in_use ();
  switch (kind)
    {
    case MEM_WK_WEAK:
    case MEM_WK_WEAK_2ND:
      storage = g_new0 (WkWeak, MEM_N_OBJECTS);
      for (i = 0; i < MEM_N_OBJECTS; i++)
        wk_weak_init (&((WkWeak *) storage)[i], objects[i]);
      break;
    case MEM_WK_REF:
      storage = g_new0 (WkRef *, MEM_N_OBJECTS);
      for (i = 0; i < MEM_N_OBJECTS; i++)
        ((WkRef **) storage)[i] = wk_ref_new (objects[i], NULL, NULL, NULL);
      break;
    case MEM_G_WEAK:
    case MEM_G_WEAK_2ND:
      storage = g_new0 (GWeakRef, MEM_N_OBJECTS);
      for (i = 0; i < MEM_N_OBJECTS; i++)
        g_weak_ref_init (&((GWeakRef *) storage)[i], objects[i]);
      break;
    case N_MEM_KINDS:
      g_assert_not_reached ();
    }
  used = bench_heap_in_use () - base;

  for (i = 0; i < MEM_N_OBJECTS; i++)
    {
      switch (kind)
        {
        case MEM_WK_WEAK:
        case MEM_WK_WEAK_2ND:
          wk_weak_clear (&((WkWeak *) storage)[i]);
          break;
        case MEM_WK_REF:
          g_object_unref (((WkRef **) storage)[i]);
          break;
        case MEM_G_WEAK:
        case MEM_G_WEAK_2ND:
          g_weak_ref_clear (&((GWeakRef *) storage)[i]);
          break;
        case N_MEM_KINDS:
          break;
        }
      if (first != NULL)
        wk_weak_clear (&first[i]);
      if (first_g != NULL)
        g_weak_ref_clear (&first_g[i]);
      g_object_unref (objects[i]);
    }
  g_free (storage);
  g_free (first);
  g_free (first_g);
  g_free (objects);
  return (double) used / MEM_N_OBJECTS;
}

/* Heap bytes per object of @type, made and kept. */
static double
measure_instance_memory (GType type)
{
  GObject **objects = g_new (GObject *, MEM_N_OBJECTS);
  gint64 base, used;
  guint i;

  base = bench_heap_in_use ();
  for (i = 0; i < MEM_N_OBJECTS; i++)
    objects[i] = g_object_new (type, NULL);
  used = bench_heap_in_use () - base;
  for (i = 0; i < MEM_N_OBJECTS; i++)
    g_object_unref (objects[i]);
  g_free (objects);
  /* The array of pointers is not the objects' cost. */
  return (double) (used - (gint64) (MEM_N_OBJECTS * sizeof (GObject *))) / MEM_N_OBJECTS;
}

/* The child's side: "name value" lines for the parent. The first round
 * of every kind is a warm-up (types, classes, quarks, hazard slots). */
static int
memory_child (void)
{
  const GType types[2] = { G_TYPE_OBJECT, WK_TYPE_OBJECT };
  guint k, t;

  for (k = 0; k < N_MEM_KINDS; k++)
    for (t = 0; t < 2; t++)
      {
        GObject *o = g_object_new (types[t], NULL);
        WkWeak w;
        GWeakRef g;
        WkRef *r = wk_ref_new (o, NULL, NULL, NULL);

        wk_weak_init (&w, o);
        g_weak_ref_init (&g, o);
        g_weak_ref_clear (&g);
        wk_weak_clear (&w);
        g_object_unref (r);
        g_object_unref (o);
      }

  printf ("slice_is_malloc %d\n", bench_slice_is_malloc ());
  for (t = 0; t < 2; t++)
    printf ("instance_%s %.2f\n", t == 0 ? "gobject" : "wkobject",
            measure_instance_memory (types[t]));
  for (k = 0; k < N_MEM_KINDS; k++)
    for (t = 0; t < 2; t++)
      {
        if ((k == MEM_G_WEAK || k == MEM_G_WEAK_2ND) && t == 1)
          continue;
        printf ("%s_%s %.2f\n", mem_names[k], t == 0 ? "gobject" : "wkobject",
                measure_weak_memory (k, types[t]));
      }
  return 0;
}

static char *
bytes_cell (double bytes)
{
  return isnan (bytes) ? NULL : g_strdup_printf ("%.1f B", bytes);
}

/* The memory rows: one weak pointer per object, each kind on a GObject
 * and on a WkObject, against one GWeakRef per GObject. */
static void
add_memory_rows (GArray     *rows,
                 GHashTable *mem)
{
  /* The first weak pointer to a plain GObject against the first GWeakRef
   * (limit: a ratio); on a WkObject, for information. */
  static const struct { MemKind kind; MemKind glib; const char *what; double limit; } kinds[] = {
    { MEM_WK_WEAK, MEM_G_WEAK, "WkWeak", 1.5 },
    { MEM_WK_REF, MEM_G_WEAK, "WkRef", 2.5 },
    { MEM_WK_WEAK_2ND, MEM_G_WEAK_2ND, "a second WkWeak", 0 },
  };
  double instance_g = bench_memory_figure (mem, "instance_gobject");
  double instance_w = bench_memory_figure (mem, "instance_wkobject");
  guint k, t;

  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (t = 0; t < 2; t++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%s", mem_names[kinds[k].kind],
                                                 t == 0 ? "gobject" : "wkobject");
        g_autofree char *what = g_strdup_printf ("7. memory, one weak pointer per object, B: %s, %s",
                                                 kinds[k].what, t == 0 ? "GObject" : "WkObject");
        g_autofree char *glib_name = g_strdup_printf ("%s_gobject", mem_names[kinds[k].glib]);
        double b = bench_memory_figure (mem, name);
        double gweak = bench_memory_figure (mem, glib_name);
        gboolean judged = kinds[k].limit > 0 && t == 0;
        char *target = judged ? g_strdup_printf ("<= %.1fx", kinds[k].limit) : g_strdup ("(info)");

        bench_add_row (rows, what, bytes_cell (b), t == 0 ? bytes_cell (gweak) : NULL,
                       t == 0 ? b / gweak : NAN, target,
                       judged && !isnan (b) ? b / gweak <= kinds[k].limit : -1);
      }

  bench_add_row (rows, "7. memory, one instance, B: WkObject / GObject",
                 bytes_cell (instance_w), bytes_cell (instance_g),
                 instance_w / instance_g, g_strdup ("<= +32 B"),
                 !isnan (instance_w) ? instance_w - instance_g <= 32 : -1);
}

static void
print_header (const BenchOptions *opts)
{
  bench_print_system ("bench-ref: Wk weak references vs GLib");
  bench_print_rounds_line (opts);
  if (g_get_num_processors () < 2)
    printf ("warning: one CPU only, the two-thread figures mean nothing\n");
  else if (g_get_num_processors () == 2)
    printf ("note:    2 CPUs: the two-thread phases use all of them\n");
  printf ("\n");
}

typedef enum {
  GOAL_NONE,
  GOAL_AT_MOST,
  GOAL_AT_LEAST,
} Goal;

/* Takes @wk and @glib. */
static void
add_row (GArray     *rows,
         const char *what,
         char       *wk,
         char       *glib,
         double      ratio,
         Goal        goal,
         double      limit,
         const char *reference)
{
  char *target = NULL;
  gint met = -1;

  switch (goal)
    {
    case GOAL_AT_MOST:
      target = g_strdup_printf ("<= %.2fx", limit);
      met = ratio <= limit;
      break;
    case GOAL_AT_LEAST:
      target = g_strdup_printf (">= %.2fx", limit);
      met = ratio >= limit;
      break;
    case GOAL_NONE:
      target = g_strdup (reference);
      break;
    }
  bench_add_row (rows, what, wk, glib, ratio, target, met);
}

static char *
threads_cell (double ns_1t,
              double ns_2t)
{
  return g_strdup_printf ("1t %.1f, 2t %.1f", ns_1t, ns_2t);
}

static void
build_rows (GArray *rows)
{
  static const struct { guint ref_g, weak_g, ref_w, weak_w, gweak; } deref[2] = {
    { V_DEREF_REF_G1, V_DEREF_WEAK_G1, V_DEREF_REF_W1, V_DEREF_WEAK_W1, V_DEREF_GWEAK_1 },
    { V_DEREF_REF_G2, V_DEREF_WEAK_G2, V_DEREF_REF_W2, V_DEREF_WEAK_W2, V_DEREF_GWEAK_2 },
  };
  static const struct { guint count, wk1, wk2, g1, g2; } mt[2] = {
    { 2, V_MT_WEAK_C2_T1, V_MT_WEAK_C2_T2, V_MT_GWEAK_C2_T1, V_MT_GWEAK_C2_T2 },
    { 1, V_MT_WEAK_C1_T1, V_MT_WEAK_C1_T2, V_MT_GWEAK_C1_T1, V_MT_GWEAK_C1_T2 },
  };
  double floor_ns = bench_med (V_FLOOR);
  char what[128];
  guint c;

  add_row (rows, "1. floor: g_object_ref + g_object_unref",
           NULL, bench_ns_cell (floor_ns), NAN, GOAL_NONE, 0, NULL);

  for (c = 0; c < 2; c++)
    {
      const struct { const char *name; guint v; } wk[] = {
        { "WkRef, GObject", deref[c].ref_g },
        { "WkWeak, GObject", deref[c].weak_g },
        { "WkRef, WkObject", deref[c].ref_w },
        { "WkWeak, WkObject", deref[c].weak_w },
      };
      guint i;

      /* One owner: what only g_weak_ref_get() can do safely, against
       * g_weak_ref_get() itself. Two owners: against the floor. */
      for (i = 0; i < G_N_ELEMENTS (wk); i++)
        if (c == 0)
          {
            g_snprintf (what, sizeof what, "2. deref+unref / GWeakRef's, count 1: %s", wk[i].name);
            add_row (rows, what, bench_med_cell (wk[i].v), bench_med_cell (deref[c].gweak),
                     bench_ratio (wk[i].v, deref[c].gweak), GOAL_AT_MOST, 1.1, NULL);
          }
        else
          {
            g_snprintf (what, sizeof what, "2. deref+unref / floor, count 2: %s", wk[i].name);
            add_row (rows, what, bench_med_cell (wk[i].v), bench_ns_cell (floor_ns),
                     bench_ratio (wk[i].v, V_FLOOR), GOAL_AT_MOST, 1.2, NULL);
          }
      g_snprintf (what, sizeof what, "2. deref+unref / floor, count %u: GWeakRef", c + 1);
      add_row (rows, what, NULL, bench_med_cell (deref[c].gweak),
               bench_ratio (deref[c].gweak, V_FLOOR), GOAL_NONE, 0, "(GLib)");
    }

  for (c = 0; c < 2; c++)
    {
      /* ns per op is wall time over all ops, so the ops/s ratio of the
       * two phases is the inverse ratio of their ns per op. */
      if (c == 0)
        add_row (rows, "3. disjoint 2t/1t ops/s: floor (ref+unref, no weak ptr)",
                 NULL, threads_cell (bench_med (V_MT_FLOOR_T1), bench_med (V_MT_FLOOR_T2)),
                 bench_ratio (V_MT_FLOOR_T1, V_MT_FLOOR_T2), GOAL_NONE, 0, "(machine limit)");
      g_snprintf (what, sizeof what, "3. disjoint 2t/1t ops/s, count %u: WkWeak", mt[c].count);
      add_row (rows, what, threads_cell (bench_med (mt[c].wk1), bench_med (mt[c].wk2)), NULL,
               bench_ratio (mt[c].wk1, mt[c].wk2), GOAL_AT_LEAST, 1.8, NULL);
      g_snprintf (what, sizeof what, "3. disjoint 2t/1t ops/s, count %u: GWeakRef", mt[c].count);
      add_row (rows, what, NULL, threads_cell (bench_med (mt[c].g1), bench_med (mt[c].g2)),
               bench_ratio (mt[c].g1, mt[c].g2), GOAL_NONE, 0, "(GLib, ~0.8x)");
    }

  add_row (rows, "4. deref, other thread churns / uncontended: WkWeak",
           bench_med_cell (V_CONT_WEAK), NULL,
           bench_ratio (V_CONT_WEAK, V_DEREF_WEAK_G2), GOAL_AT_MOST, 2.0, NULL);
  /* GLib's lock prefers readers: the deref loop can shut the churn thread
   * out, and then "contended" means nothing. */
  add_row (rows, "4. deref, other thread churns / uncontended: GWeakRef",
           NULL, bench_med_cell (V_CONT_GWEAK),
           bench_ratio (V_CONT_GWEAK, V_DEREF_GWEAK_2), GOAL_NONE, 0,
           results[V_CONT_GWEAK].aux_median < 0.01 ? "(GLib; churn starved)" : "(GLib)");

  add_row (rows, "5. create+clear, K=0: WkWeak / GWeakRef",
           bench_med_cell (V_CYCLE_WEAK_K0), bench_med_cell (V_CYCLE_GWEAK_K0),
           bench_ratio (V_CYCLE_WEAK_K0, V_CYCLE_GWEAK_K0), GOAL_AT_MOST, 0.6, NULL);
  add_row (rows, "5. create+clear, K=10000 / K=0: WkWeak",
           bench_med_cell (V_CYCLE_WEAK_KN), NULL,
           bench_ratio (V_CYCLE_WEAK_KN, V_CYCLE_WEAK_K0), GOAL_AT_MOST, 2.0, NULL);
  add_row (rows, "5. create+clear, K=10000 / K=0: GWeakRef",
           NULL, bench_med_cell (V_CYCLE_GWEAK_KN),
           bench_ratio (V_CYCLE_GWEAK_KN, V_CYCLE_GWEAK_K0), GOAL_NONE, 0, "(GLib, O(K))");
  add_row (rows, "5. create+unref, K=0: WkRef with callback / GWeakRef init+clear",
           bench_med_cell (V_CYCLE_REF_K0), bench_med_cell (V_CYCLE_GWEAK_K0),
           bench_ratio (V_CYCLE_REF_K0, V_CYCLE_GWEAK_K0), GOAL_AT_MOST, 2.0, NULL);
  add_row (rows, "5. create+unref, K=10000 / K=0: WkRef",
           bench_med_cell (V_CYCLE_REF_KN), NULL,
           bench_ratio (V_CYCLE_REF_KN, V_CYCLE_REF_K0), GOAL_AT_MOST, 2.0, NULL);

  add_row (rows, "6. final unref, 100 weak refs: WkWeak / GWeakRef",
           bench_med_cell (V_FINAL_WEAK), bench_med_cell (V_FINAL_GWEAK),
           bench_ratio (V_FINAL_WEAK, V_FINAL_GWEAK), GOAL_AT_MOST, 0.25, NULL);
  add_row (rows, "6. final unref, one weak pointer: WkWeak / GWeakRef",
           bench_med_cell (V_FINAL1_WEAK), bench_med_cell (V_FINAL1_GWEAK),
           bench_ratio (V_FINAL1_WEAK, V_FINAL1_GWEAK), GOAL_AT_MOST, 1.1, NULL);
  add_row (rows, "6. final unref, one weak pointer: WkRef / GWeakRef",
           bench_med_cell (V_FINAL1_REF), bench_med_cell (V_FINAL1_GWEAK),
           bench_ratio (V_FINAL1_REF, V_FINAL1_GWEAK), GOAL_AT_MOST, 1.1, NULL);
  add_row (rows, "6. final unref, one weak pointer: WkWeak on a WkObject / GWeakRef",
           bench_med_cell (V_FINAL1_WEAK_W), bench_med_cell (V_FINAL1_GWEAK),
           bench_ratio (V_FINAL1_WEAK_W, V_FINAL1_GWEAK), GOAL_NONE, 0, NULL);
}

/* The 2t/1t scaling of the variant whose 1-thread phase is @t1 (its
 * 2-thread phase follows it), over the floor's scaling in the same round:
 * what is left once the machine's own limit is divided out. */
static double
scaling_vs_floor (guint t1,
                  guint rounds)
{
  double r[BENCH_MAX_ROUNDS];
  guint i;

  g_assert (variants[t1 + 1].reuse_prev_n);
  for (i = 0; i < rounds; i++)
    r[i] = (results[t1].ns[i] / results[t1 + 1].ns[i]) /
           (results[V_MT_FLOOR_T1].ns[i] / results[V_MT_FLOOR_T2].ns[i]);
  return bench_median (r, rounds);
}

/* What does not fit the table: what the figures mean, whether the churn
 * thread of measurement 4 really ran, and how noisy the rounds were. */
static void
print_notes (guint rounds)
{
  printf ("\nnotes:\n");
  printf ("- ns/op: median over the rounds; ratio: median of the per-round ratios\n");
  printf ("- 1t/2t: wall time from the start gate to the last thread's end, over all ops;"
          " the floor row is what this machine allows\n");
  printf ("- 3: scaling relative to the floor's, per round: WkWeak %.2fx (count 2), %.2fx (count 1);"
          " GWeakRef %.2fx, %.2fx\n",
          scaling_vs_floor (V_MT_WEAK_C2_T1, rounds), scaling_vs_floor (V_MT_WEAK_C1_T1, rounds),
          scaling_vs_floor (V_MT_GWEAK_C2_T1, rounds), scaling_vs_floor (V_MT_GWEAK_C1_T1, rounds));
  printf ("- 4: uncontended = the count 2 rows of 2; meanwhile the churn thread did"
          " %.2f (WkWeak) / %.3f (GWeakRef) init+clear pairs per us\n",
          results[V_CONT_WEAK].aux_median, results[V_CONT_GWEAK].aux_median);
  printf ("- 5: K = other weak refs on the object; ring of K+1, each op clears the oldest"
          " and makes it again\n");
  printf ("- 6: ns per final g_object_unref; the clears afterwards are untimed\n");
  printf ("- 7: mallinfo2() bytes (chunks with their headers) per object for %d objects, in a"
          " child run with G_SLICE=always-malloc; the pointer's own storage counts (WkWeak 16 B,"
          " GWeakRef 8 B, a WkRef pointer 8 B) and so does the side data it makes the object carry"
          " (Wk: the anchor and the GWeakRef and weak notify inside it; GLib: the weak-location"
          " list and its qdata); CPython's weakref is 80 B (sys.getsizeof 72 + GC header)\n",
          MEM_N_OBJECTS);

  bench_print_noisiest ();
}

/* One run of variant @v, for bench_run_rounds(). */
static BenchSample
run_variant (guint   v,
             guint64 n)
{
  return variants[v].run (&variants[v].p, n);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions opts = { 0 };
  gboolean opt_memory_child = FALSE;
  const GOptionEntry entries[] = {
    BENCH_OPTION_ENTRIES (opts),
    { "memory-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_memory_child,
      "Only measure memory, for the parent to read", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GArray) rows = NULL;
  g_autoptr (GHashTable) mem = NULL;
  guint i;

  if (!bench_parse_options (&opts, "- Wk weak-reference benchmark", entries, &argc, &argv))
    return 2;
  target_ns = opts.target_ms * 1000000;
  if (opt_memory_child)
    return memory_child ();

  print_header (&opts);
  fflush (stdout);

  g_printerr ("measuring memory...\n");
  mem = bench_run_memory_child (NULL);

  g_printerr ("calibrating...\n");
  for (i = 0; i < N_VARIANTS; i++)
    {
      results[i].label = variants[i].label;
      if (variants[i].reuse_prev_n)
        results[i].n = results[i - 1].n;
      else
        results[i].n = calibrate (&variants[i]);
    }
  bench_run_rounds (results, N_VARIANTS, opts.rounds, run_variant);

  rows = bench_rows_new ();
  build_rows (rows);
  add_memory_rows (rows, mem);
  bench_print_rows (rows, "Wk ns/op", "GLib ns/op (or floor)");
  print_notes (opts.rounds);
  if (opts.verbose)
    bench_print_rounds ("n", 9);
  return 0;
}
