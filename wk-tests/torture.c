/* torture.c: a randomized, model-checked, many-thread test of all of Wk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Several threads (4 by default) run random operations, drawn from every
 * part of Wk, on shared pools: objects (plain GObject and WkObject
 * subclasses, made and dropped all the time), WkRefs (shared and with
 * callbacks), WkWeak slots, the weak collections (both faces of each),
 * finalizers (WkFinalizer and the light ones), toggle-reference holders,
 * hold() edges and collections (wk_gc_collect() from any thread, and
 * automatic ones at allocation or from the main context). User code
 * re-enters Wk from everywhere it can run: ref callbacks, destroy
 * notifies, finalizer functions, toggle notifies, dispose and finalize;
 * so the last reference of an object is dropped in any thread, from any
 * of those. A few hot objects get a third of the traffic, and bursts
 * repeat one short pattern of user code on them in a tight loop (the
 * shared-ref crash of three threads looping wk_ref_new/get/unref on one
 * object is such a pattern): narrow races need many tries close together.
 *
 * A model is kept alongside (see "The model" below) and checked
 *
 *  - at every read: a weak read (WkRef, WkWeak, finalizer, lookup,
 *    iteration, listing) never returns an object whose dispose has begun
 *    (a flag set first thing in dispose, read after the read returned),
 *    never another object than the referent, and never a live object
 *    after a read of the same referent returned NULL; a read of a weak
 *    reference to an object the reader holds returns that object;
 *  - at every step of the thread-owned ("precise") collections, which
 *    only their owner changes: contents as the owner's mirror says;
 *  - in the private-death operation, where one thread owns an object and
 *    everything watching it: the exact death order of death-order.md
 *    (dispose, entries leave, callbacks and finalizers newest first,
 *    each followed by its destroy notify, finalize), for a final unref
 *    and for a collection; and what death-order.md says of weak
 *    references made by a dying object to itself;
 *  - at the end of each round, once the threads have stopped: collection
 *    contents and sizes against the mirrors, toggle holders last told
 *    what the count says; then, with everything dropped and collected:
 *    every object finalized exactly once (nothing leaked), every ref
 *    callback and finalizer function run exactly once or never as the
 *    contract says, every destroy notify (refs, finalizers, dict keys and
 *    values) exactly once, every toggle holder removed, every WkRef,
 *    WkFinalizer and collection freed.
 *
 * Criticals and warnings are failures too. A failure prints what failed,
 * the stack, the seed and how to replay, and aborts (a core dump or the
 * sanitizer then shows the threads). A watchdog reports a deadlock.
 *
 * Running it:
 *
 *   torture                   quick: 4 x 10^6 operations or 12 s, whichever
 *                             comes first (the default, in `meson test`)
 *   torture -m thorough       10^7 operations, no time limit
 *
 * Environment:
 *
 *   WK_TORTURE_SEED=N         the seed (random by default; printed)
 *   WK_TORTURE_OPS=N          total operations
 *   WK_TORTURE_THREADS=N      worker threads (default 4)
 *   WK_TORTURE_ROUND_OPS=N    operations per thread per round (quick 10^4,
 *                             thorough 2.5 x 10^4)
 *   WK_TORTURE_SECONDS=S      stop after S seconds (quick: 12; thorough: none)
 *   WK_TORTURE_DISABLE=a,b    leave out groups of operations, to explore
 *                             past a known failure (an unknown name lists
 *                             the groups; see also the table `groups`)
 *   WK_TORTURE_STALL=S        report a deadlock after S seconds without
 *                             progress (default 120)
 *
 * A seed replays each thread's choices, not the thread interleaving; a
 * failure that depends on timing needs a few runs.
 *
 * Under ThreadSanitizer (the tsan setup), which cannot see GLib's own
 * locks and atomics: unrefs here tell it that the reference count orders
 * the last user with the finalize, plain GObjects get their Wk side data
 * before other threads can see them, and __tsan_default_suppressions()
 * adds two GLib lock entries (see there).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wk/wk.h>

#include "wk-test-util.h"

/* pthread mutexes rather than GMutex: ThreadSanitizer sees them (GLib's
 * own locks are invisible to it when GLib is not instrumented). */
typedef pthread_mutex_t Lock;

static inline void lock_init (Lock *l) { pthread_mutex_init (l, NULL); }
static inline void lock_clear (Lock *l) { pthread_mutex_destroy (l); }
static inline void lock (Lock *l) { pthread_mutex_lock (l); }
static inline void unlock (Lock *l) { pthread_mutex_unlock (l); }

/* ThreadSanitizer does not see GLib's atomic reference counts (GLib is
 * not instrumented): every unref here releases, and the dispose of the
 * last one (a weak notify, see track_instance(), or the dispose hook of
 * the test objects) acquires, so that it knows that the count orders
 * what each owner did before its unref with the finalize, as GLib's
 * atomic decrement does. */
#if defined (__SANITIZE_THREAD__)
# define TORTURE_TSAN 1
#elif defined (__has_feature)
# if __has_feature (thread_sanitizer)
#  define TORTURE_TSAN 1
# endif
#endif
#ifdef TORTURE_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
void AnnotateIgnoreReadsBegin (const char *file, int line);
#endif

#ifdef TORTURE_TSAN
/* Races that ThreadSanitizer reports because GLib is not instrumented,
 * on top of data/tsan.supp (the tsan test setup): where GLib's own
 * locks order two threads. Wk publishes the anchor of a plain GObject
 * in its qdata, which GLib guards with a bit lock (g_pointer_bit_lock(),
 * atomics and a futex in libglib): a first weak reference to an object
 * from two threads at once is reported without these. */
const char *__tsan_default_suppressions (void);

const char *
__tsan_default_suppressions (void)
{
  return "race:g_datalist_id_dup_data\n"
         "race:g_datalist_id_replace_data\n";
}
#endif

static inline void
obj_unref (gpointer object)
{
#ifdef TORTURE_TSAN
  __tsan_release (object);
  __tsan_acquire (object);
#endif
  g_object_unref (object);
}

#define obj_clear(pp) \
  G_STMT_START { \
    gpointer _obj_clear_p = *(pp); \
    *(pp) = NULL; \
    if (_obj_clear_p != NULL) \
      obj_unref (_obj_clear_p); \
  } G_STMT_END

/* For the arrays of wk_get_weak_refs() and the like: a reference per
 * element, no element free function. */
static void
unref_all (GPtrArray *array)
{
  guint i;

  for (i = 0; i < array->len; i++)
    obj_unref (g_ptr_array_index (array, i));
  g_ptr_array_unref (array);
}

/* Pool sizes. Small pools give contention: several threads on one object,
 * ref, slot or entry at once. */
#define N_OBJ_SLOTS     40
#define N_REF_SLOTS     64
#define N_WEAK_SLOTS    16
#define N_FIN_SLOTS     32
#define N_HOLDER_SLOTS  24
#define N_LIGHT_SLOTS   16
#define HAND_SIZE       4
#define N_HOT_SLOTS     4      /* the first object slots: most traffic */
#define NS_KEYS         16     /* keys per thread in the precise value dicts */
#define CHAOS_KEYS      40
#define MAX_DEPTH       3      /* nesting of user code re-entering Wk */
#define MAX_THREADS     64

/* ------------------------------------------------------------------ */
/* Operation kinds, counted and printed                                 */

#define KINDS(X) \
  X (OBJ_NEW,          "object new") \
  X (OBJ_DROP,         "object drop (pool)") \
  X (OBJ_HAND,         "object take/drop (hand)") \
  X (WEAK_INIT,        "WkWeak init (private)") \
  X (WEAK_SET,         "WkWeak set (shared slot)") \
  X (WEAK_GET,         "WkWeak get (shared slot)") \
  X (WEAK_CLEAR,       "WkWeak clear (shared slot)") \
  X (REF_NEW_SHARED,   "wk_ref_new shared") \
  X (REF_NEW_CB,       "wk_ref_new with callback") \
  X (REF_GET,          "wk_ref_get") \
  X (REF_IS_ALIVE,     "wk_ref_is_alive") \
  X (REF_DROP,         "WkRef unref") \
  X (REF_LIST,         "wk_get_weak_refs") \
  X (REF_COUNT,        "wk_get_weak_ref_count") \
  X (READ_BURST,       "read bursts (one ref or WkWeak again and again)") \
  X (BURST,            "bursts (one pattern repeated on a hot object)") \
  X (VD_INSERT,        "value dict (C) insert") \
  X (VD_LOOKUP,        "value dict (C) lookup") \
  X (VD_CONTAINS,      "value dict (C) contains") \
  X (VD_REMOVE,        "value dict (C) remove") \
  X (VD_SIZE,          "value dict (C) get_size") \
  X (VD_ITER,          "value dict (C) iterate") \
  X (VD_OTHER,         "value dict (C) remove_all/replace/values") \
  X (VDV_INSERT,       "value dict (variant) insert") \
  X (VDV_LOOKUP,       "value dict (variant) lookup") \
  X (VDV_CONTAINS,     "value dict (variant) contains") \
  X (VDV_REMOVE,       "value dict (variant) remove") \
  X (VDV_SIZE,         "value dict (variant) get_size") \
  X (VDV_ITER,         "value dict (variant) iterate") \
  X (VDV_OTHER,        "value dict (variant) remove_all/replace/keys") \
  X (KD_INSERT,        "key dict (C) insert") \
  X (KD_LOOKUP,        "key dict (C) lookup") \
  X (KD_CONTAINS,      "key dict (C) contains") \
  X (KD_REMOVE,        "key dict (C) remove") \
  X (KD_SIZE,          "key dict (C) get_size") \
  X (KD_ITER,          "key dict (C) iterate") \
  X (KD_OTHER,         "key dict (C) remove_all/replace/keys") \
  X (KDV_INSERT,       "key dict (GValue) insert") \
  X (KDV_LOOKUP,       "key dict (GValue) lookup/dup") \
  X (KDV_CONTAINS,     "key dict (GValue) contains") \
  X (KDV_REMOVE,       "key dict (GValue) remove") \
  X (KDV_SIZE,         "key dict (GValue) get_size") \
  X (KDV_ITER,         "key dict (GValue) iterate") \
  X (KDV_EPHEMERON,    "key dict (GValue) value holding its key") \
  X (SET_ADD,          "weak set add") \
  X (SET_CONTAINS,     "weak set contains") \
  X (SET_REMOVE,       "weak set remove") \
  X (SET_SIZE,         "weak set get_size") \
  X (SET_ITER,         "weak set iterate") \
  X (SET_OTHER,        "weak set remove_all/replace/members") \
  X (ITER_STEP,        "iteration steps (all collections)") \
  X (FIN_NEW,          "finalizer new") \
  X (FIN_CALL,         "wk_finalizer_call") \
  X (FIN_DETACH,       "wk_finalizer_detach") \
  X (FIN_PEEK,         "finalizer peek/is_alive") \
  X (FIN_DROP,         "finalizer unref") \
  X (FIN_LIGHT,        "wk_finalize_add/remove") \
  X (TOGGLE_ADD,       "wk_object_add_toggle_ref") \
  X (TOGGLE_REMOVE,    "wk_object_remove_toggle_ref") \
  X (TOGGLE_NOTIFY,    "toggle notifies received") \
  X (HOLD,             "wk_object_hold") \
  X (RELEASE,          "wk_object_release/list_held") \
  X (GC_COLLECT,       "wk_gc_collect") \
  X (PRIVATE_DEATH,    "private death (exact order, final unref)") \
  X (PRIVATE_GC,       "private death (exact order, collection)") \
  X (PRIVATE_LIMIT,    "private death (plain GObject, ref made in dispose)") \
  X (CALLBACK,         "ref callbacks run") \
  X (DESTROY,          "ref destroy notifies run") \
  X (FIN_RUN,          "finalizer functions run") \
  X (DISPOSE,          "disposes") \
  X (FINALIZE,         "finalizes") \
  X (REENTER,          "re-entrant Wk calls from user code") \
  X (READ_ALIVE,       "weak reads that returned an object") \
  X (READ_NULL,        "weak reads that returned NULL")

#define KIND_ENUM(name, text) K_##name,
typedef enum { KINDS (KIND_ENUM) N_KINDS } Kind;
#undef KIND_ENUM

#define KIND_TEXT(name, text) text,
static const char *const kind_names[N_KINDS] = { KINDS (KIND_TEXT) };
#undef KIND_TEXT

/* Groups that WK_TORTURE_DISABLE can leave out, to explore past a known
 * failure. The test is only complete with none left out. */
#define GROUPS(X) \
  X (WEAK,               "weak",               "WkWeak slots") \
  X (REF,                "ref",                "WkRefs with callbacks, reads, listing") \
  X (SHARED_REF,         "shared-ref",         "the shared callback-less WkRef") \
  X (VD,                 "vd",                 "WkWeakValueDict, C face") \
  X (VDV,                "vdv",                "WkWeakValueDict, variant face") \
  X (KD,                 "kd",                 "WkWeakKeyDict, C face") \
  X (KDV,                "kdv",                "WkWeakKeyDict, GValue face and ephemerons") \
  X (SET,                "set",                "WkWeakSet") \
  X (ITER,               "iter",               "iterations (all collections)") \
  X (FIN,                "fin",                "finalizers") \
  X (TOGGLE,             "toggle",             "toggle references") \
  X (TOGGLE_SELF_REMOVE, "toggle-self-remove", "a toggle notify removing its own toggle ref") \
  X (TOGGLE_REENTER,     "toggle-reenter",     "toggle notifies calling Wk") \
  X (HOLD,               "hold",               "hold/release") \
  X (GC,                 "gc",                 "wk_gc_collect and automatic collections") \
  X (PRIVATE,            "private",            "the exact death-order operation") \
  X (REENTER,            "reenter",            "callbacks, destroy notifies and dispose calling Wk") \
  X (DISPOSE_TEMP_REF,   "dispose-temp-ref",   "dispose taking temporary references to itself") \
  X (DISPOSE_SELF_REF,   "dispose-self-ref",   "dispose making weak refs to its own object") \
  X (FINALIZE_SELF_REF,  "finalize-self-ref",  "finalize making weak refs to its own object")

#define GROUP_ENUM(name, text, help) G_##name,
typedef enum { GROUPS (GROUP_ENUM) N_GROUPS } Group;
#undef GROUP_ENUM

typedef struct
{
  const char *name;
  const char *help;
} GroupInfo;

#define GROUP_INFO(name, text, help) { text, help },
static const GroupInfo groups[N_GROUPS] = { GROUPS (GROUP_INFO) };
#undef GROUP_INFO

/* ------------------------------------------------------------------ */
/* Configuration and global state                                       */

typedef struct
{
  guint    threads;
  guint64  ops_total;
  guint64  round_ops;        /* per thread */
  guint64  seed;
  gdouble  seconds;          /* 0: no time limit */
  gdouble  stall_seconds;
  guint64  disabled;         /* bit per Group */
} Config;

static Config config;
static guint  current_round;
static gint   tearing_down;      /* (atomic) user code stops re-entering */
static gint   checking;          /* (atomic) the quiescent checks run: user code
                                  * called by their reads changes nothing */
static gint   stop_now;          /* (atomic) the time limit is reached */
static gint64 progress;          /* (atomic) operations done, for the watchdog */
static gint   watchdog_quit;     /* (atomic) */

static gboolean
enabled (Group group)
{
  return (config.disabled & (G_GUINT64_CONSTANT (1) << group)) == 0;
}

/* Light finalizers (wk_finalize_add/remove) and the new finalizer names
 * are in the contract but may not be exported yet: found at run time. */
typedef WkFinalizer *(*FinalizerNewFunc) (gpointer, WkFinalizeFunc, gpointer, GDestroyNotify);
typedef gpointer (*FinalizerDupFunc) (WkFinalizer *);
typedef gsize (*FinalizeAddFunc) (gpointer, WkFinalizeFunc, gpointer, GDestroyNotify);
typedef gboolean (*FinalizeRemoveFunc) (gpointer, gsize);

static FinalizerNewFunc   finalizer_new;
static FinalizerDupFunc   finalizer_dup_object;
static FinalizeAddFunc    finalize_add;
static FinalizeRemoveFunc finalize_remove;

/* ------------------------------------------------------------------ */
/* Failures                                                             */

typedef struct _Worker Worker;
static Worker *worker_self (void);

static void check_failed (const char *file,
                          int         line,
                          const char *cond,
                          const char *format,
                          ...) G_GNUC_PRINTF (4, 5) G_GNUC_NORETURN;

#define CHECK(cond, ...) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      check_failed (__FILE__, __LINE__, #cond, __VA_ARGS__); \
  } G_STMT_END

/* ------------------------------------------------------------------ */
/* The model                                                            */

/* What the test knows of one object. Lives until the end of its round,
 * after the object. */
typedef struct _PrivateCtx PrivateCtx;

typedef struct
{
  gpointer     object;      /* identity only: never dereferenced */
  guint64      serial;
  guint        flags;       /* OBJ_* */
  gboolean     is_wk;
  gint         died;        /* (atomic) set first thing in dispose */
  gint         disposes;    /* (atomic) */
  gint         finalized;   /* (atomic) */
  gint         seen_dead;   /* (atomic) a read that can only be NULL once
                             * the object died returned NULL */
  PrivateCtx  *ctx;         /* for OBJ_PRIVATE objects */
  guint        ctx_index;
  WkWeak       keeper;      /* OBJ_DISPOSE_SELF plain GObjects: a weak reference
                             * held from creation to finalize (see
                             * object_new_full()) */
} ObjInfo;

enum {
  OBJ_TEMP_REF        = 1 << 0,  /* dispose takes and drops references to itself */
  OBJ_DISPOSE_SELF    = 1 << 1,  /* dispose makes weak refs to itself */
  OBJ_DISPOSE_REENTER = 1 << 2,  /* dispose calls Wk, drops other objects */
  OBJ_FINALIZE_SELF   = 1 << 3,  /* finalize makes weak refs to itself */
  OBJ_PRIVATE         = 1 << 4,  /* logs its dispose and finalize to its ctx */
  OBJ_DISPOSE_LIMIT   = 1 << 5,  /* plain GObject without weak refs: dispose makes one */
};

/* A WkRef with a callback (or, with RT_SHARED, a shared one we made). */
typedef struct
{
  ObjInfo     *target;
  guint        flags;       /* RT_* */
  gint         called;      /* (atomic) */
  gint         destroyed;   /* (atomic) */
  gint         must_call;   /* set at teardown: alive when its referent died */
  WkRef       *owned;       /* (atomic) RT_SELF_OWNED: the callback drops it */
  PrivateCtx  *ctx;
  guint        ctx_index;
} RefTracker;

enum {
  RT_BORN_DEAD      = 1 << 0,  /* made while its referent was dying */
  RT_REENTER        = 1 << 1,  /* the callback calls Wk */
  RT_DESTROY_REENTER= 1 << 2,  /* the destroy notify calls Wk */
  RT_SELF_OWNED     = 1 << 3,  /* only the tracker holds the ref; the callback drops it */
};

typedef struct
{
  ObjInfo     *target;
  guint        flags;       /* RT_BORN_DEAD, RT_REENTER, RT_DESTROY_REENTER */
  gint         ran;         /* (atomic) */
  gint         destroyed;   /* (atomic) */
  gint         called_ok;   /* (atomic) wk_finalizer_call() returned TRUE */
  gint         detached_ok; /* (atomic) wk_finalizer_detach() (or remove) returned TRUE */
  gboolean     light;
  PrivateCtx  *ctx;
  guint        ctx_index;
} FinTracker;

#define KEY_MAGIC 0x6b657921u
#define VAL_MAGIC 0x76616c21u

/* A key of the C-face value dicts: equal by (ns, n). */
typedef struct
{
  guint32      magic;
  guint32      ns;
  guint32      n;
  gint         destroyed;   /* (atomic) */
  PrivateCtx  *ctx;
  guint        ctx_index;
} Key;

/* A value of the C-face key dicts. */
typedef struct
{
  guint32      magic;
  gint         destroyed;   /* (atomic) */
  ObjInfo     *key;
  PrivateCtx  *ctx;
  guint        ctx_index;
} Val;

enum { H_REGISTERED, H_REMOVING, H_REMOVED };

/* A toggle-reference holder. Its toggle reference keeps @object alive
 * while it is registered. */
typedef struct
{
  ObjInfo   *target;
  GObject   *object;
  guint      flags;       /* H_* */
  gint       state;       /* (atomic) H_REGISTERED, H_REMOVING, H_REMOVED */
  gint       last;        /* (atomic) -1: not told yet; else the last is_last_ref */
  gint       notifies;    /* (atomic) */
} Holder;

enum {
  H_SELF_REMOVE = 1 << 0,   /* removes its own toggle ref when told TRUE */
  H_REENTER     = 1 << 1,   /* its notify calls Wk */
};

/* The private-death operation: one thread's object and its watchers, with
 * the events of its death in order. */
enum {
  EV_DISPOSE = 1,
  EV_FINALIZE,
  EV_CALLBACK,
  EV_DESTROY,
  EV_FIN_RUN,
  EV_FIN_DESTROY,
  EV_KEY_DESTROY,
  EV_VAL_DESTROY,
};

struct _PrivateCtx
{
  Lock            lock;
  GArray           *events;     /* guint32: kind << 16 | index */
  WkWeakValueDict  *vd;
  WkWeakKeyDict    *kd;
  WkWeakSet        *set;
  WkWeak            weak;
  WkRef            *limit_ref;     /* op_private_limit() */
  RefTracker       *limit_tracker;
  gboolean          limit_read_alive;
};

#define EVENT(kind, index) ((guint32) (kind) << 16 | (guint32) (index))

/* ------------------------------------------------------------------ */
/* Threads                                                              */

struct _Worker
{
  guint         index;
  guint64       rng;
  guint64       counts[N_KINDS];
  gint          depth;          /* nesting of user code calling Wk */
  gint          in_toggle;      /* nesting of toggle notifies in this thread */
  const char   *volatile op;    /* for the watchdog */

  /* What this thread made during the round, checked and freed at its end. */
  GPtrArray    *objs;
  GPtrArray    *refs;
  GPtrArray    *fins;
  GPtrArray    *keys;
  GPtrArray    *vals;
  GPtrArray    *holders;
  GPtrArray    *ctxs;

  /* Objects this thread holds for a while (main loop only changes them). */
  GObject      *hand[HAND_SIZE];

  /* Mirrors of the collections only this thread changes. */
  ObjInfo      *vd_mirror[NS_KEYS];
  ObjInfo      *vdv_mirror[NS_KEYS];
  GHashTable   *kd_mirror;      /* ObjInfo -> Val */
  GHashTable   *set_mirror;     /* ObjInfo set */

  guint64       ops;
};

static Worker    *workers[MAX_THREADS + 1];   /* the last one: the main thread */
static Lock     strays_lock;
static GPtrArray *strays;                     /* workers of threads we did not start */
static __thread Worker *self_worker;

static Worker *
worker_new (guint index)
{
  Worker *w = g_new0 (Worker, 1);

  w->index = index;
  w->objs = g_ptr_array_new ();
  w->refs = g_ptr_array_new ();
  w->fins = g_ptr_array_new ();
  w->keys = g_ptr_array_new ();
  w->vals = g_ptr_array_new ();
  w->holders = g_ptr_array_new ();
  w->ctxs = g_ptr_array_new ();
  w->kd_mirror = g_hash_table_new (NULL, NULL);
  w->set_mirror = g_hash_table_new (NULL, NULL);
  return w;
}

static Worker *
worker_self (void)
{
  if (G_LIKELY (self_worker != NULL))
    return self_worker;
  /* User code run in a thread we did not start (none is expected). */
  self_worker = worker_new (1000);
  lock (&strays_lock);
  if (strays == NULL)
    strays = g_ptr_array_new ();
  g_ptr_array_add (strays, self_worker);
  unlock (&strays_lock);
  return self_worker;
}

static inline guint64
rnd (Worker *w)
{
  /* xorshift64* */
  w->rng ^= w->rng >> 12;
  w->rng ^= w->rng << 25;
  w->rng ^= w->rng >> 27;
  return w->rng * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

static inline guint
rnd_n (Worker *w,
       guint   n)
{
  return (guint) (((rnd (w) >> 32) * (guint64) n) >> 32);
}

static inline gboolean
chance (Worker *w,
        guint   percent)
{
  return rnd_n (w, 100) < percent;
}

static inline void
count (Worker *w,
       Kind    kind)
{
  w->counts[kind]++;
}

/* The sanitizers' symbolizing stack printer, when one is linked in. */
extern void __sanitizer_print_stack_trace (void) __attribute__ ((weak));

static void
print_stack (void)
{
  if (__sanitizer_print_stack_trace != NULL)
    __sanitizer_print_stack_trace ();
  else
    {
      void *frames[64];
      int n = backtrace (frames, G_N_ELEMENTS (frames));

      g_printerr ("  stack of this thread (gdb or a core dump shows all threads):\n");
      backtrace_symbols_fd (frames, n, 2);
    }
}

static void print_replay (void);

/* A critical or a warning (GLib's, or Wk's own g_return_if_fail) is a
 * failure too (g_test_init() makes them fatal): print where, and how to
 * replay, before GLib aborts. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      const char *message = NULL;
      gsize i;

      for (i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
          message = fields[i].value;
      fflush (stdout);
      g_printerr ("\ntorture: FAILED: %s\n", message ? message : "a critical or a warning");
      print_replay ();
      print_stack ();
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
check_failed (const char *file,
              int         line,
              const char *cond,
              const char *format,
              ...)
{
  char *message;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fflush (stdout);
  g_printerr ("\ntorture: FAILED: %s\n"
              "  check:  %s (%s:%d)\n", message, cond, file, line);
  g_free (message);
  print_replay ();
  print_stack ();
  abort ();
}

static void
print_replay (void)
{
  Worker *w = self_worker;

  g_printerr ("  thread: %s %u, operation '%s', depth %d, round %u\n"
              "  replay: WK_TORTURE_SEED=%" G_GUINT64_FORMAT " WK_TORTURE_THREADS=%u%s%s (a seed "
              "replays each thread's choices, not the interleaving)\n",
              w == NULL ? "unknown" : (w->index == config.threads ? "main" : "worker"),
              w == NULL ? 0 : w->index, w == NULL || w->op == NULL ? "?" : w->op,
              w == NULL ? 0 : w->depth, current_round,
              config.seed, config.threads,
              g_getenv ("WK_TORTURE_DISABLE") ? " WK_TORTURE_DISABLE=" : "",
              g_getenv ("WK_TORTURE_DISABLE") ? g_getenv ("WK_TORTURE_DISABLE") : "");
}

/* ------------------------------------------------------------------ */
/* Shared pools                                                         */

typedef struct
{
  Lock    lock;
  GObject  *object;       /* (owned) (nullable) */
} ObjSlot;

typedef struct
{
  Lock       lock;
  WkRef       *ref;       /* (owned) (nullable) */
  ObjInfo     *target;
  RefTracker  *tracker;   /* (nullable): a shared or listed ref */
} RefSlot;

/* A shared WkWeak. In the first half of the slots, sets take a lock (the
 * reads do not), and the version and the writer count let a reader tell
 * that no set overlapped its read, so that two reads are of the same
 * referent. In the other half, sets race each other too, and reads are
 * only checked for what they return. */
typedef struct
{
  WkWeak   weak;
  Lock   set_lock;
  gint     version;       /* (atomic) incremented after each set */
  gint     writers;       /* (atomic) sets in progress */
  gint     null_version;  /* (atomic) a version a stable read found NULL */
} WeakSlot;

#define WEAK_SLOT_VERSIONED(i) ((i) < N_WEAK_SLOTS / 2)

typedef struct
{
  Lock        lock;
  WkFinalizer  *fin;      /* (owned) (nullable) */
  FinTracker   *tracker;
} FinSlot;

typedef struct
{
  Lock   lock;
  Holder  *holder;        /* (nullable) */
} HolderSlot;

/* A collection that any thread may change, and another thread replace. */
typedef struct
{
  Lock    lock;
  GObject  *dict;         /* (owned) */
} DictSlot;

static ObjSlot     obj_slots[N_OBJ_SLOTS];
static RefSlot     ref_slots[N_REF_SLOTS];
static WeakSlot    weak_slots[N_WEAK_SLOTS];
static FinSlot     fin_slots[N_FIN_SLOTS];
static HolderSlot  holder_slots[N_HOLDER_SLOTS];

/* Precise collections: fixed for the round, changed only by their owner
 * (the value dicts: each thread only changes its own keys). */
static WkWeakValueDict *vd_precise;
static WkWeakValueDict *vdv_precise;
static WkWeakKeyDict   *kd_own[MAX_THREADS];
static WkWeakSet       *set_own[MAX_THREADS];

/* Chaos collections: everybody changes them; weaker checks. */
static DictSlot vd_chaos, vdv_chaos, kd_chaos, kdv_chaos, set_chaos;

/* WkRef and WkFinalizer instances made and not yet freed: they must all
 * be freed at the end of a round. */
static gint refs_alive;     /* (atomic) */
static gint fins_alive;     /* (atomic) */
static gint dicts_alive;    /* (atomic) */
static GQuark torture_quark;

static guint64 next_serial; /* (atomic) */

/* ------------------------------------------------------------------ */
/* Test objects                                                         */

#define TORTURE_TYPE_OBJECT (torture_object_get_type ())
G_DECLARE_FINAL_TYPE (TortureObject, torture_object, TORTURE, OBJECT, GObject)

#define TORTURE_TYPE_WK_OBJECT (torture_wk_object_get_type ())
G_DECLARE_FINAL_TYPE (TortureWkObject, torture_wk_object, TORTURE, WK_OBJECT, WkObject)

struct _TortureObject
{
  GObject   parent_instance;
  ObjInfo  *info;
};

struct _TortureWkObject
{
  WkObject  parent_instance;
  ObjInfo  *info;
};

G_DEFINE_FINAL_TYPE (TortureObject, torture_object, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (TortureWkObject, torture_wk_object, WK_TYPE_OBJECT)

/* The model of an object that a read returned: it must be a test
 * object. */
static ObjInfo *
obj_info (gpointer object)
{
  CHECK (object != NULL, "no object");
  if (TORTURE_IS_OBJECT (object))
    return TORTURE_OBJECT (object)->info;
  CHECK (TORTURE_IS_WK_OBJECT (object), "a read returned %p, which is not a test object "
         "(freed memory, or another type: %s)", object,
         G_IS_OBJECT (object) ? G_OBJECT_TYPE_NAME (object) : "not a GObject");
  return TORTURE_WK_OBJECT (object)->info;
}

/* Every object a weak read returns goes through here: it must not have
 * begun to die. The reader holds a strong reference, so a dispose that
 * began after the read took it cannot be. */
static ObjInfo *
check_read_alive (Worker      *w,
                  gpointer     object,
                  const char  *what)
{
  ObjInfo *info = obj_info (object);

  count (w, K_READ_ALIVE);
  CHECK (!g_atomic_int_get (&info->died),
         "%s returned object #%" G_GUINT64_FORMAT " (%s) whose dispose has begun "
         "(disposes %d, finalized %d)", what, info->serial,
         info->is_wk ? "WkObject" : "GObject",
         g_atomic_int_get (&info->disposes), g_atomic_int_get (&info->finalized));
  CHECK (wk_object_get_ref_count (object) >= 1, "%s returned an object with count 0", what);
  return info;
}

static void private_log (PrivateCtx *ctx,
                         guint       kind,
                         guint       index);
static void self_refs_in_death (Worker   *w,
                                GObject  *object,
                                ObjInfo  *info,
                                gboolean  in_finalize);
static void reenter (Worker *w,
                     guint   n);

static void dispose_limit_ref (GObject *object,
                               ObjInfo *info);

static void
object_dispose_hook (GObject *object,
                     ObjInfo *info)
{
  Worker *w;

#ifdef TORTURE_TSAN
  __tsan_acquire (object);
#endif
  /* First of all: from here on, no read may return this object. */
  g_atomic_int_set (&info->died, 1);
  g_atomic_int_inc (&info->disposes);

  w = worker_self ();
  count (w, K_DISPOSE);
  if (info->flags & OBJ_PRIVATE)
    private_log (info->ctx, EV_DISPOSE, info->ctx_index);

  if ((info->flags & OBJ_TEMP_REF) && enabled (G_DISPOSE_TEMP_REF))
    {
      /* Puts the count at 2 while dying: a lock-free read must still say
       * NULL, and the read racing this may make GLib dispose twice. */
      guint spins = rnd_n (w, 3000);

      g_object_ref (object);
      while (spins-- > 0)
        wk_test_cpu_relax ();
      if (chance (w, 30))
        g_thread_yield ();
      obj_unref (object);
    }
  if ((info->flags & OBJ_DISPOSE_SELF) && enabled (G_DISPOSE_SELF_REF))
    self_refs_in_death (w, object, info, FALSE);
  if (info->flags & OBJ_DISPOSE_LIMIT)
    dispose_limit_ref (object, info);
  if ((info->flags & OBJ_DISPOSE_REENTER) && enabled (G_REENTER))
    reenter (w, 1 + rnd_n (w, 3));
}

static void
object_finalize_hook (GObject *object,
                      ObjInfo *info)
{
  Worker *w = worker_self ();
  gint before = g_atomic_int_add (&info->finalized, 1);

  count (w, K_FINALIZE);
  CHECK (before == 0, "object #%" G_GUINT64_FORMAT " finalized twice", info->serial);
  CHECK (g_atomic_int_get (&info->died), "object #%" G_GUINT64_FORMAT " finalized without dispose",
         info->serial);
  if ((info->flags & OBJ_FINALIZE_SELF) && enabled (G_FINALIZE_SELF_REF))
    self_refs_in_death (w, object, info, TRUE);
  CHECK (wk_weak_get (&info->keeper) == NULL, "a WkWeak reads an object in its finalize");
  wk_weak_clear (&info->keeper);
  if (info->flags & OBJ_PRIVATE)
    private_log (info->ctx, EV_FINALIZE, info->ctx_index);
}

static void
torture_object_dispose (GObject *object)
{
  object_dispose_hook (object, TORTURE_OBJECT (object)->info);
  G_OBJECT_CLASS (torture_object_parent_class)->dispose (object);
}

static void
torture_object_finalize (GObject *object)
{
  object_finalize_hook (object, TORTURE_OBJECT (object)->info);
  G_OBJECT_CLASS (torture_object_parent_class)->finalize (object);
}

static void
torture_object_class_init (TortureObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = torture_object_dispose;
  G_OBJECT_CLASS (klass)->finalize = torture_object_finalize;
}

static void
torture_object_init (TortureObject *self)
{
}

static void
torture_wk_object_dispose (GObject *object)
{
  object_dispose_hook (object, TORTURE_WK_OBJECT (object)->info);
  G_OBJECT_CLASS (torture_wk_object_parent_class)->dispose (object);
}

static void
torture_wk_object_finalize (GObject *object)
{
  object_finalize_hook (object, TORTURE_WK_OBJECT (object)->info);
  G_OBJECT_CLASS (torture_wk_object_parent_class)->finalize (object);
}

static void
torture_wk_object_class_init (TortureWkObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = torture_wk_object_dispose;
  G_OBJECT_CLASS (klass)->finalize = torture_wk_object_finalize;
}

static void
torture_wk_object_init (TortureWkObject *self)
{
}

#ifdef TORTURE_TSAN
static void
tsan_toggle (gpointer  data,
             GObject  *object,
             gboolean  is_last_ref)
{
}
#endif

/* A new object (the caller owns it), registered in @w's model. */
static GObject *
object_new_full (Worker      *w,
                 gboolean     wk,
                 guint        flags,
                 PrivateCtx  *ctx,
                 guint        ctx_index)
{
  ObjInfo *info = g_new0 (ObjInfo, 1);
  GObject *object;

  info->ctx = ctx;
  info->ctx_index = ctx_index;

  info->serial = __atomic_add_fetch (&next_serial, 1, __ATOMIC_RELAXED);
  info->flags = flags;
  info->is_wk = wk;
  g_ptr_array_add (w->objs, info);

  /* With WK_GC_AUTO_ALLOC, making a WkObject may run a collection here,
   * with its callbacks. */
  object = g_object_new (wk ? TORTURE_TYPE_WK_OBJECT : TORTURE_TYPE_OBJECT, NULL);
  info->object = object;
  if (wk)
    TORTURE_WK_OBJECT (object)->info = info;
  else
    TORTURE_OBJECT (object)->info = info;
  /* death-order.md: a weak reference made in the dispose of a plain
   * GObject is born dead if the object had a Wk weak reference when its
   * final unref began (a WkObject's always is). So the plain GObjects
   * whose dispose makes weak references to themselves keep one all
   * their life; the one case Wk cannot see (no weak reference before) is
   * op_private_limit()'s. */
  if (!wk && (flags & OBJ_DISPOSE_SELF))
    wk_weak_set (&info->keeper, object);
#ifdef TORTURE_TSAN
  /* Wk keeps its side data (the anchor, the toggle holders) of a plain
   * GObject in its qdata, which GLib guards with a lock that
   * ThreadSanitizer cannot see: with two threads making the first weak
   * reference to an object at once, it would then report every later
   * use of the anchor. Under ThreadSanitizer only, they are made here,
   * before other threads can see the object (the other builds race
   * them). */
  if (!wk && !(flags & OBJ_PRIVATE) && !(flags & OBJ_DISPOSE_LIMIT))
    {
      WkWeak weak = WK_WEAK_INIT;

      wk_weak_set (&weak, object);
      wk_weak_clear (&weak);
      wk_object_add_toggle_ref (object, tsan_toggle, NULL);
      wk_object_remove_toggle_ref (object, tsan_toggle, NULL);
    }
#endif
  count (w, K_OBJ_NEW);
  return object;
}

static GObject *
object_new (Worker   *w,
            gboolean  wk,
            guint     flags)
{
  return object_new_full (w, wk, flags, NULL, 0);
}

static guint
random_object_flags (Worker *w)
{
  guint flags = 0;

  if (chance (w, 20))
    flags |= OBJ_TEMP_REF;
  if (chance (w, 15))
    flags |= OBJ_DISPOSE_SELF;
  if (chance (w, 25))
    flags |= OBJ_DISPOSE_REENTER;
  if (chance (w, 5))
    flags |= OBJ_FINALIZE_SELF;
  return flags;
}

/* Counts WkRef, WkFinalizer and dict instances, so that a leak of one
 * shows at the end of the round. Only the first call on an instance
 * counts (a shared ref comes back many times). */
static void
instance_freed (gpointer data)
{
  g_atomic_int_add ((gint *) data, -1);
}

#ifdef TORTURE_TSAN
/* Runs in the thread of the last unref, once the count was seen at 1: the
 * other side of obj_unref()'s release. */
static void
tsan_acquire_at_dispose (gpointer  data,
                         GObject  *where_the_object_was)
{
  __tsan_acquire (where_the_object_was);
}
#endif

static void
track_instance (gpointer  instance,
                gint     *counter)
{
  if (g_object_replace_qdata (instance, torture_quark, NULL, counter, instance_freed, NULL))
    {
      g_atomic_int_inc (counter);
#ifdef TORTURE_TSAN
      g_object_weak_ref (instance, tsan_acquire_at_dispose, NULL);
#endif
    }
}

/* ------------------------------------------------------------------ */
/* Pools                                                                */

/* A third of the traffic goes to a few hot slots, so that objects die
 * while other threads read, list and watch them. */
static guint
random_obj_slot (Worker *w)
{
  return chance (w, 33) ? rnd_n (w, N_HOT_SLOTS) : rnd_n (w, N_OBJ_SLOTS);
}

/* A strong reference to a random object of the pool (or of the hand), or
 * NULL. Taken under the slot's lock: the slot's reference keeps the count
 * at 1 or more, and a Wk toggle holder adds its own, so this never takes
 * the count from 1 to 2 and never runs a toggle notify under our lock. */
static GObject *
grab_object (Worker *w)
{
  ObjSlot *slot;
  GObject *object;

  if (chance (w, 25))
    {
      GObject *held = w->hand[rnd_n (w, HAND_SIZE)];

      if (held != NULL)
        return g_object_ref (held);
    }
  slot = &obj_slots[random_obj_slot (w)];
  lock (&slot->lock);
  object = slot->object != NULL ? g_object_ref (slot->object) : NULL;
  unlock (&slot->lock);
  return object;
}

static GObject *
grab_wk_object (Worker *w)
{
  guint i;

  for (i = 0; i < 4; i++)
    {
      GObject *object = grab_object (w);

      if (object == NULL || WK_IS_OBJECT (object))
        return object;
      obj_unref (object);
    }
  return NULL;
}

/* Puts @object (transfer full, nullable) into slot @i; the old one is
 * dropped outside the lock, which may be its last reference. */
static void
obj_slot_put (guint    i,
              GObject *object)
{
  ObjSlot *slot = &obj_slots[i];
  GObject *old;

  lock (&slot->lock);
  old = slot->object;
  slot->object = object;
  unlock (&slot->lock);
  if (old != NULL)
    obj_unref (old);
}

static void
ref_slot_put (guint        i,
              WkRef       *ref,
              ObjInfo     *target,
              RefTracker  *tracker)
{
  RefSlot *slot = &ref_slots[i];
  WkRef *old;

  lock (&slot->lock);
  old = slot->ref;
  slot->ref = ref;
  slot->target = target;
  slot->tracker = tracker;
  unlock (&slot->lock);
  if (old != NULL)
    obj_unref (old);
}

static WkRef *
ref_slot_take (guint        i,
               ObjInfo    **target,
               RefTracker **tracker)
{
  RefSlot *slot = &ref_slots[i];
  WkRef *ref;

  lock (&slot->lock);
  ref = slot->ref != NULL ? g_object_ref (slot->ref) : NULL;
  *target = slot->target;
  *tracker = slot->tracker;
  unlock (&slot->lock);
  return ref;
}

static void
fin_slot_put (guint         i,
              WkFinalizer  *fin,
              FinTracker   *tracker)
{
  FinSlot *slot = &fin_slots[i];
  WkFinalizer *old;

  lock (&slot->lock);
  old = slot->fin;
  slot->fin = fin;
  slot->tracker = tracker;
  unlock (&slot->lock);
  if (old != NULL)
    obj_unref (old);
}

static WkFinalizer *
fin_slot_take (guint         i,
               FinTracker  **tracker)
{
  FinSlot *slot = &fin_slots[i];
  WkFinalizer *fin;

  lock (&slot->lock);
  fin = slot->fin != NULL ? g_object_ref (slot->fin) : NULL;
  *tracker = slot->tracker;
  unlock (&slot->lock);
  return fin;
}

static gpointer
dict_take (DictSlot *slot)
{
  gpointer dict;

  lock (&slot->lock);
  dict = slot->dict != NULL ? g_object_ref (slot->dict) : NULL;
  unlock (&slot->lock);
  return dict;
}

static void
dict_put (DictSlot *slot,
          gpointer  dict)
{
  GObject *old;

  if (dict != NULL)
    track_instance (dict, &dicts_alive);
  lock (&slot->lock);
  old = slot->dict;
  slot->dict = dict;
  unlock (&slot->lock);
  if (old != NULL)
    obj_unref (old);
}

/* ------------------------------------------------------------------ */
/* User code: callbacks, destroy notifies, toggle notifies              */

static void
private_log (PrivateCtx *ctx,
             guint       kind,
             guint       index)
{
  guint32 event = EVENT (kind, index);

  lock (&ctx->lock);
  g_array_append_val (ctx->events, event);
  unlock (&ctx->lock);
}

/* User code may call Wk unless the round is being torn down, and not
 * deeper than MAX_DEPTH. */
static gboolean
may_reenter (Worker *w)
{
  return enabled (G_REENTER) && !g_atomic_int_get (&tearing_down) && !g_atomic_int_get (&checking) &&
         w->depth < MAX_DEPTH;
}

/* Only a worker thread's main loop changes its own collections. */
static gboolean
owns_state (Worker *w)
{
  return w->depth == 0 && w->index < config.threads;
}

static RefTracker *
ref_tracker_new (Worker  *w,
                 ObjInfo *target,
                 guint    flags)
{
  RefTracker *t = g_new0 (RefTracker, 1);

  t->target = target;
  t->flags = flags;
  g_ptr_array_add (w->refs, t);
  return t;
}

static void
ref_callback (WkRef    *ref,
              gpointer  data)
{
  RefTracker *t = data;
  Worker *w = worker_self ();
  gpointer got;
  WkRef *owned;

  count (w, K_CALLBACK);
  CHECK (!(t->flags & RT_BORN_DEAD),
         "the callback of a ref made while its referent (#%" G_GUINT64_FORMAT ") was dying ran",
         t->target->serial);
  CHECK (g_atomic_int_add (&t->called, 1) == 0, "a ref callback ran twice (referent #%"
         G_GUINT64_FORMAT ")", t->target->serial);
  CHECK (g_atomic_int_get (&t->destroyed) == 0, "a ref callback ran after its destroy notify");
  /* Every weak reference reads NULL before any callback runs. */
  got = wk_ref_get (ref);
  CHECK (got == NULL, "wk_ref_get() in the ref's own callback returned object #%" G_GUINT64_FORMAT,
         obj_info (got)->serial);
  CHECK (!wk_ref_is_alive (ref), "wk_ref_is_alive() is TRUE in the ref's own callback");
  g_atomic_int_set (&t->target->seen_dead, 1);

  if (t->ctx != NULL)
    {
      PrivateCtx *ctx = t->ctx;

      private_log (ctx, EV_CALLBACK, t->ctx_index);
      /* The collections dropped the dying object's entries before any
       * callback. */
      got = wk_weak_get (&ctx->weak);
      CHECK (got == NULL, "a WkWeak to a dying object reads alive in a ref callback");
      CHECK (wk_weak_value_dict_get_size (ctx->vd) == 0,
             "a value dict still counts an entry of the dying object in a ref callback");
      CHECK (wk_weak_key_dict_get_size (ctx->kd) == 0,
             "a key dict still counts an entry of the dying object in a ref callback");
      CHECK (wk_weak_set_get_size (ctx->set) == 0,
             "a weak set still counts the dying object in a ref callback");
    }

  if ((t->flags & RT_REENTER) && may_reenter (w))
    reenter (w, 1 + rnd_n (w, 2));

  /* A callback may drop the last reference to its own ref. */
  owned = __atomic_exchange_n (&t->owned, NULL, __ATOMIC_ACQ_REL);
  if (owned != NULL)
    {
      CHECK (owned == ref, "a self-owned ref's callback got another ref");
      obj_unref (owned);
    }
}

static void
ref_destroy (gpointer data)
{
  RefTracker *t = data;
  Worker *w = worker_self ();

  count (w, K_DESTROY);
  CHECK (g_atomic_int_add (&t->destroyed, 1) == 0,
         "the destroy notify of a ref (referent #%" G_GUINT64_FORMAT ") ran twice", t->target->serial);
  if (t->ctx != NULL)
    private_log (t->ctx, EV_DESTROY, t->ctx_index);
  if ((t->flags & RT_DESTROY_REENTER) && may_reenter (w))
    reenter (w, 1);
}

static void
count_destroy (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static FinTracker *
fin_tracker_new (Worker  *w,
                 ObjInfo *target,
                 guint    flags)
{
  FinTracker *t = g_new0 (FinTracker, 1);

  t->target = target;
  t->flags = flags;
  g_ptr_array_add (w->fins, t);
  return t;
}

static void
fin_func (gpointer data)
{
  FinTracker *t = data;
  Worker *w = worker_self ();

  count (w, K_FIN_RUN);
  CHECK (!(t->flags & RT_BORN_DEAD), "a finalizer made while its object was dying ran");
  CHECK (g_atomic_int_add (&t->ran, 1) == 0, "a finalizer ran twice (object #%" G_GUINT64_FORMAT ")",
         t->target->serial);
  CHECK (g_atomic_int_get (&t->destroyed) == 0, "a finalizer ran after its destroy notify");
  CHECK (g_atomic_int_get (&t->detached_ok) == 0, "a detached finalizer ran");
  if (t->ctx != NULL)
    private_log (t->ctx, EV_FIN_RUN, t->ctx_index);
  if ((t->flags & RT_REENTER) && may_reenter (w))
    reenter (w, 1 + rnd_n (w, 2));
}

static void
fin_destroy (gpointer data)
{
  FinTracker *t = data;
  Worker *w = worker_self ();

  CHECK (g_atomic_int_add (&t->destroyed, 1) == 0,
         "a finalizer's destroy notify ran twice (object #%" G_GUINT64_FORMAT ")", t->target->serial);
  if (t->ctx != NULL)
    private_log (t->ctx, EV_FIN_DESTROY, t->ctx_index);
  if ((t->flags & RT_DESTROY_REENTER) && may_reenter (w))
    reenter (w, 1);
}

static Key *
key_new (Worker *w,
         guint32 ns,
         guint32 n)
{
  Key *key = g_new0 (Key, 1);

  key->magic = KEY_MAGIC;
  key->ns = ns;
  key->n = n;
  g_ptr_array_add (w->keys, key);
  return key;
}

static guint
key_hash (gconstpointer data)
{
  const Key *key = data;

  CHECK (key->magic == KEY_MAGIC, "a value dict hashed something that is not a key");
  return key->ns * 7919u + key->n;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *ka = a, *kb = b;

  CHECK (ka->magic == KEY_MAGIC && kb->magic == KEY_MAGIC, "a value dict compared a non-key");
  return ka->ns == kb->ns && ka->n == kb->n;
}

static void
key_destroy (gpointer data)
{
  Key *key = data;

  CHECK (key->magic == KEY_MAGIC, "a value dict destroyed something that is not a key");
  CHECK (g_atomic_int_add (&key->destroyed, 1) == 0,
         "a value dict destroyed key (%u, %u) twice", key->ns, key->n);
  if (key->ctx != NULL)
    private_log (key->ctx, EV_KEY_DESTROY, key->ctx_index);
}

static Val *
val_new (Worker  *w,
         ObjInfo *key)
{
  Val *val = g_new0 (Val, 1);

  val->magic = VAL_MAGIC;
  val->key = key;
  g_ptr_array_add (w->vals, val);
  return val;
}

static void
val_destroy (gpointer data)
{
  Val *val = data;

  CHECK (val->magic == VAL_MAGIC, "a key dict destroyed something that is not a value");
  CHECK (g_atomic_int_add (&val->destroyed, 1) == 0, "a key dict destroyed a value twice");
  if (val->ctx != NULL)
    private_log (val->ctx, EV_VAL_DESTROY, val->ctx_index);
}

static gboolean
holder_claim (Holder *h)
{
  gint expected = H_REGISTERED;

  return __atomic_compare_exchange_n (&h->state, &expected, H_REMOVING, FALSE,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void toggle_notify (gpointer  data,
                           GObject  *object,
                           gboolean  is_last_ref);

/* Removes a claimed holder's toggle reference (may finalize its object). */
static void
holder_remove (Worker *w,
               Holder *h)
{
  count (w, K_TOGGLE_REMOVE);
  wk_object_remove_toggle_ref (h->object, toggle_notify, h);
  /* From here on it must hear nothing. */
  g_atomic_int_set (&h->state, H_REMOVED);
}

static void
toggle_notify (gpointer  data,
               GObject  *object,
               gboolean  is_last_ref)
{
  Holder *h = data;
  Worker *w = worker_self ();
  gint last;

  count (w, K_TOGGLE_NOTIFY);
  g_atomic_int_inc (&h->notifies);
  CHECK (g_atomic_int_get (&h->state) != H_REMOVED,
         "a toggle holder was notified after wk_object_remove_toggle_ref() returned");
  CHECK (object == h->object, "a toggle notify got another object");
  last = g_atomic_int_get (&h->last);
  CHECK (last != (is_last_ref ? 1 : 0),
         "a toggle holder was told is_last_ref=%s twice in a row (object #%" G_GUINT64_FORMAT ")",
         is_last_ref ? "TRUE" : "FALSE", h->target->serial);
  g_atomic_int_set (&h->last, is_last_ref ? 1 : 0);

  if (is_last_ref && (h->flags & H_SELF_REMOVE) && enabled (G_TOGGLE_SELF_REMOVE) &&
      !g_atomic_int_get (&tearing_down) && !g_atomic_int_get (&checking) && holder_claim (h))
    {
      /* As a binding letting its wrapper go: this may be the object's
       * last reference, so it may die inside its own toggle notify. */
      holder_remove (w, h);
      return;
    }
  if ((h->flags & H_REENTER) && enabled (G_TOGGLE_REENTER) && may_reenter (w))
    {
      w->in_toggle++;
      reenter (w, 1);
      w->in_toggle--;
    }
}

/* ------------------------------------------------------------------ */
/* Weak references made by a dying object to itself                    */

/* From dispose (or finalize) of @object: every weak reference made now
 * reads NULL, a ref made now never calls back (its destroy notify runs
 * once), an entry made now maps to nothing, a finalizer made now never
 * runs. */
static void
self_refs_in_death (Worker   *w,
                    GObject  *object,
                    ObjInfo  *info,
                    gboolean  in_finalize)
{
  const char *where = in_finalize ? "finalize" : "dispose";
  RefTracker *t;
  WkRef *ref, *shared;
  WkWeak weak = WK_WEAK_INIT;
  gpointer got;
  gint shared_destroyed = 0;

  t = ref_tracker_new (w, info, RT_BORN_DEAD);
  ref = wk_ref_new (object, ref_callback, t, ref_destroy);
  track_instance (ref, &refs_alive);
  got = wk_ref_get (ref);
  CHECK (got == NULL, "a WkRef made in %s of its referent (#%" G_GUINT64_FORMAT ") reads alive",
         where, info->serial);
  CHECK (!wk_ref_is_alive (ref), "a WkRef made in %s of its referent is alive", where);

  if (enabled (G_SHARED_REF))
    {
      shared = wk_ref_new (object, NULL, &shared_destroyed, count_destroy);
      CHECK (shared_destroyed == 1, "wk_ref_new() without a callback did not destroy its data at once");
      track_instance (shared, &refs_alive);
      got = wk_ref_get (shared);
      CHECK (got == NULL, "a shared WkRef got in %s of its referent (#%" G_GUINT64_FORMAT ") reads alive",
             where, info->serial);
      obj_unref (shared);
    }

  wk_weak_set (&weak, object);
  got = wk_weak_get (&weak);
  CHECK (got == NULL, "a WkWeak set in %s of its referent (#%" G_GUINT64_FORMAT ") reads alive",
         where, info->serial);
  wk_weak_clear (&weak);

  if (!in_finalize && enabled (G_FIN))
    {
      FinTracker *ft = fin_tracker_new (w, info, RT_BORN_DEAD);
      WkFinalizer *fin = finalizer_new (object, fin_func, ft, fin_destroy);

      track_instance (fin, &fins_alive);
      CHECK (!wk_finalizer_call (fin), "a finalizer made in dispose of its object ran on call()");
      obj_unref (fin);
    }

  if (!in_finalize && enabled (G_VD))
    {
      WkWeakValueDict *dict = dict_take (&vd_chaos);

      if (dict != NULL)
        {
          Key *key = key_new (w, 0xdead0000u + w->index, (guint32) info->serial);
          Key probe = { KEY_MAGIC, key->ns, key->n, 0, NULL, 0 };

          wk_weak_value_dict_insert (dict, key, object);
          got = wk_weak_value_dict_lookup (dict, &probe);
          CHECK (got == NULL, "a value dict entry made in dispose of its value reads alive");
          obj_unref (dict);
        }
    }

  /* Sometimes the ref outlives the object, in the pool. */
  if (!g_atomic_int_get (&tearing_down) && chance (w, 50))
    ref_slot_put (rnd_n (w, N_REF_SLOTS), ref, info, t);
  else
    obj_unref (ref);
}

/* ------------------------------------------------------------------ */
/* Operations: objects                                                  */

static void
op_obj_new (Worker *w)
{
  GObject *object = object_new (w, chance (w, 50), random_object_flags (w));

  if (w->depth == 0 && chance (w, 15))
    {
      guint i = rnd_n (w, HAND_SIZE);
      GObject *old = w->hand[i];

      w->hand[i] = object;
      if (old != NULL)
        obj_unref (old);
    }
  else
    obj_slot_put (random_obj_slot (w), object);
}

static void
op_obj_drop (Worker *w)
{
  count (w, K_OBJ_DROP);
  obj_slot_put (random_obj_slot (w), NULL);
}

static void
op_obj_hand (Worker *w)
{
  guint i = rnd_n (w, HAND_SIZE);
  GObject *old = w->hand[i];

  count (w, K_OBJ_HAND);
  w->hand[i] = chance (w, 60) ? grab_object (w) : NULL;
  if (old != NULL)
    obj_unref (old);
}

/* ------------------------------------------------------------------ */
/* Operations: WkWeak                                                   */

/* Reads a shared WkWeak. A read that no set overlapped reads the
 * referent of the version it saw: once such a read of a version found
 * NULL, no later read of that version may find an object. */
/* Returns whether it read an object. */
static gboolean
weak_read (Worker *w,
           guint   i)
{
  WeakSlot *slot = &weak_slots[i];
  gint v1, w1, nv, w2, v2;
  gpointer got;
  gboolean stable;

  count (w, K_WEAK_GET);
  v1 = g_atomic_int_get (&slot->version);
  w1 = g_atomic_int_get (&slot->writers);
  nv = g_atomic_int_get (&slot->null_version);
  got = wk_weak_get (&slot->weak);
  w2 = g_atomic_int_get (&slot->writers);
  v2 = g_atomic_int_get (&slot->version);
  stable = WEAK_SLOT_VERSIONED (i) && v1 == v2 && w1 == 0 && w2 == 0;

  if (got != NULL)
    {
      check_read_alive (w, got, "wk_weak_get()");
      CHECK (!stable || nv != v1, "a WkWeak read alive after a read of the same referent returned NULL");
      obj_unref (got);
      return TRUE;
    }
  count (w, K_READ_NULL);
  if (stable)
    g_atomic_int_set (&slot->null_version, v1);
  return FALSE;
}

static void
op_weak_get (Worker *w)
{
  (void) weak_read (w, rnd_n (w, N_WEAK_SLOTS));
}

static void
op_weak_set (Worker *w,
             gboolean clear)
{
  guint i = rnd_n (w, N_WEAK_SLOTS);
  WeakSlot *slot = &weak_slots[i];
  GObject *object = clear ? NULL : grab_object (w);
  gint mine, v1, w1, w2, v2;
  gpointer got;

  count (w, clear ? K_WEAK_CLEAR : K_WEAK_SET);
  if (WEAK_SLOT_VERSIONED (i))
    lock (&slot->set_lock);
  g_atomic_int_inc (&slot->writers);
  if (clear)
    wk_weak_clear (&slot->weak);
  else
    wk_weak_set (&slot->weak, object);
  mine = g_atomic_int_add (&slot->version, 1) + 1;
  g_atomic_int_add (&slot->writers, -1);
  if (WEAK_SLOT_VERSIONED (i))
    unlock (&slot->set_lock);

  /* Read back: if no other set came in between, it is what we set, and
   * we hold it, so it must be there. */
  v1 = g_atomic_int_get (&slot->version);
  w1 = g_atomic_int_get (&slot->writers);
  got = wk_weak_get (&slot->weak);
  w2 = g_atomic_int_get (&slot->writers);
  v2 = g_atomic_int_get (&slot->version);
  if (WEAK_SLOT_VERSIONED (i) && v1 == mine && v2 == mine && w1 == 0 && w2 == 0)
    CHECK (got == object, "a WkWeak just set to a held object #%" G_GUINT64_FORMAT " reads %s",
           object ? obj_info (object)->serial : 0, got == NULL ? "NULL" : "another object");
  if (got != NULL)
    {
      check_read_alive (w, got, "wk_weak_get() after set");
      obj_unref (got);
    }
  obj_clear (&object);
}

static void
op_weak_init (Worker *w)
{
  GObject *object = grab_object (w);
  WkWeak weak;
  gpointer got;

  count (w, K_WEAK_INIT);
  /* Zero-filled storage is an empty WkWeak. */
  memset (&weak, 0, sizeof weak);
  CHECK (wk_weak_get (&weak) == NULL, "a zero-filled WkWeak reads an object");
  wk_weak_init (&weak, object);
  got = wk_weak_get (&weak);
  CHECK (got == object, "a WkWeak initialized to a held object reads %s",
         got == NULL ? "NULL" : "another object");
  obj_clear (&got);
  if (object != NULL && chance (w, 50))
    {
      /* Let go of the object first (in the pool it may die meanwhile). */
      obj_clear (&object);
      got = wk_weak_get (&weak);
      if (got != NULL)
        {
          check_read_alive (w, got, "wk_weak_get() (private)");
          obj_unref (got);
        }
    }
  wk_weak_clear (&weak);
  CHECK (wk_weak_get (&weak) == NULL, "a cleared WkWeak reads an object");
  obj_clear (&object);
}

/* ------------------------------------------------------------------ */
/* Operations: WkRef                                                    */

static gboolean
array_contains (GPtrArray *array,
                gpointer   item)
{
  guint i;

  for (i = 0; i < array->len; i++)
    if (g_ptr_array_index (array, i) == item)
      return TRUE;
  return FALSE;
}

static void
op_ref_new_shared (Worker *w)
{
  GObject *object = grab_object (w);
  gint destroyed = 0;
  WkRef *ref, *again;
  gpointer got;
  ObjInfo *info;

  if (object == NULL)
    return;
  count (w, K_REF_NEW_SHARED);
  info = obj_info (object);
  ref = wk_ref_new (object, NULL, &destroyed, count_destroy);
  CHECK (destroyed == 1, "wk_ref_new() without a callback did not call destroy at once");
  track_instance (ref, &refs_alive);

  got = wk_ref_get (ref);
  CHECK (got == object, "a shared ref to a held object #%" G_GUINT64_FORMAT " reads %s",
         info->serial, got == NULL ? "NULL" : "another object");
  obj_clear (&got);
  CHECK (wk_ref_is_alive (ref), "a shared ref to a held object is not alive");

  again = wk_ref_new (object, NULL, NULL, NULL);
  track_instance (again, &refs_alive);
  got = wk_ref_get (again);
  CHECK (got == object, "a second shared ref to a held object reads %s",
         got == NULL ? "NULL" : "another object");
  obj_clear (&got);
  if (chance (w, 50))
    {
      /* This may be its last reference, racing other threads taking it. */
      obj_unref (again);
      again = NULL;
    }

  if (chance (w, 40))
    ref_slot_put (rnd_n (w, N_REF_SLOTS), ref, info, NULL);
  else
    obj_unref (ref);   /* often the shared ref's last reference */
  obj_unref (object);
  obj_clear (&again);
}

static guint
random_tracker_flags (Worker *w)
{
  guint flags = 0;

  if (chance (w, 25))
    flags |= RT_REENTER;
  if (chance (w, 15))
    flags |= RT_DESTROY_REENTER;
  return flags;
}

static void
op_ref_new_callback (Worker *w)
{
  GObject *object = grab_object (w);
  RefTracker *t;
  WkRef *ref;
  gpointer got;
  GPtrArray *refs;
  ObjInfo *info;
  guint fate;

  if (object == NULL)
    return;
  count (w, K_REF_NEW_CB);
  info = obj_info (object);
  fate = rnd_n (w, 10);
  /* What the callback reads (in any thread) is set before the ref
   * exists. */
  t = ref_tracker_new (w, info, random_tracker_flags (w) | (fate < 3 ? RT_SELF_OWNED : 0));
  ref = wk_ref_new (object, ref_callback, t, ref_destroy);
  track_instance (ref, &refs_alive);

  got = wk_ref_get (ref);
  CHECK (got == object, "a new ref to a held object #%" G_GUINT64_FORMAT " reads %s",
         info->serial, got == NULL ? "NULL" : "another object");
  obj_clear (&got);
  if (chance (w, 30))
    {
      refs = wk_get_weak_refs (object);
      count (w, K_REF_LIST);
      CHECK (array_contains (refs, ref), "wk_get_weak_refs() of a held object misses a live ref to it");
      unref_all (refs);
    }

  switch (fate)
    {
    case 0: case 1: case 2:
      /* Only the tracker holds it; its callback will drop it. */
      __atomic_store_n (&t->owned, ref, __ATOMIC_RELEASE);
      break;
    case 3: case 4: case 5:
      /* Dropped while its referent lives: never calls back, destroy runs
       * once (possibly in another thread that listed it meanwhile). */
      count (w, K_REF_DROP);
      obj_unref (ref);
      break;
    default:
      ref_slot_put (rnd_n (w, N_REF_SLOTS), ref, info, t);
      break;
    }
  obj_unref (object);
}

/* Reads a ref of the pool: never an object in dispose, never another
 * object, never alive after any read of a ref to the same referent
 * returned NULL, never alive after is_alive said FALSE. */
static void
op_ref_get (Worker *w)
{
  ObjInfo *target;
  RefTracker *t;
  WkRef *ref = ref_slot_take (rnd_n (w, N_REF_SLOTS), &target, &t);
  gboolean alive_before, seen_dead;
  gpointer got;

  if (ref == NULL)
    return;
  count (w, K_REF_GET);
  seen_dead = g_atomic_int_get (&target->seen_dead);
  alive_before = wk_ref_is_alive (ref);
  got = wk_ref_get (ref);
  if (got != NULL)
    {
      ObjInfo *info = check_read_alive (w, got, "wk_ref_get()");

      CHECK (info == target, "wk_ref_get() returned object #%" G_GUINT64_FORMAT
             " instead of its referent #%" G_GUINT64_FORMAT, info->serial, target->serial);
      CHECK (!seen_dead, "wk_ref_get() returned object #%" G_GUINT64_FORMAT
             " after a read of a ref to it returned NULL", info->serial);
      CHECK (alive_before, "wk_ref_get() returned object #%" G_GUINT64_FORMAT
             " after wk_ref_is_alive() said FALSE", info->serial);
      obj_unref (got);
    }
  else
    {
      count (w, K_READ_NULL);
      g_atomic_int_set (&target->seen_dead, 1);
      CHECK (!wk_ref_is_alive (ref), "wk_ref_is_alive() is TRUE after wk_ref_get() returned NULL");
    }
  /* The pool may have let go of it meanwhile: this may be its last
   * reference, in this thread. */
  obj_unref (ref);
}

/* Reads one ref or WkWeak of the pools again and again, as a reader
 * racing the final unref in another thread would. */
static void
op_read_burst (Worker *w)
{
  guint n = 1 + rnd_n (w, 48), i;

  count (w, K_READ_BURST);
  if (chance (w, 50) && enabled (G_WEAK))
    {
      guint slot = rnd_n (w, N_WEAK_SLOTS);

      for (i = 0; i < n && weak_read (w, slot); i++)
        ;
      return;
    }
  if (enabled (G_REF))
    {
      ObjInfo *target;
      RefTracker *t;
      WkRef *ref = ref_slot_take (rnd_n (w, N_REF_SLOTS), &target, &t);

      if (ref == NULL)
        return;
      for (i = 0; i < n; i++)
        {
          gboolean seen_dead = g_atomic_int_get (&target->seen_dead);
          gpointer got = wk_ref_get (ref);

          if (got == NULL)
            {
              count (w, K_READ_NULL);
              g_atomic_int_set (&target->seen_dead, 1);
              break;
            }
          CHECK (check_read_alive (w, got, "wk_ref_get() (burst)") == target,
                 "wk_ref_get() returned another object than its referent");
          CHECK (!seen_dead, "wk_ref_get() returned an object after a read of it returned NULL");
          obj_unref (got);
        }
      obj_unref (ref);
    }
}

static void
op_ref_is_alive (Worker *w)
{
  ObjInfo *target;
  RefTracker *t;
  WkRef *ref = ref_slot_take (rnd_n (w, N_REF_SLOTS), &target, &t);

  if (ref == NULL)
    return;
  count (w, K_REF_IS_ALIVE);
  if (!wk_ref_is_alive (ref))
    {
      g_atomic_int_set (&target->seen_dead, 1);
      CHECK (wk_ref_get (ref) == NULL, "wk_ref_get() returned an object after wk_ref_is_alive() said FALSE");
    }
  /* Equality and hashing must work whatever the state. */
  CHECK (wk_ref_equal (ref, ref), "a ref is not equal to itself");
  (void) wk_ref_hash (ref);
  obj_unref (ref);
}

static void
op_ref_drop (Worker *w)
{
  count (w, K_REF_DROP);
  ref_slot_put (rnd_n (w, N_REF_SLOTS), NULL, NULL, NULL);
}

/* Lists the refs to a held object: each must read that object. One of
 * them may go to the pool. */
static void
op_ref_list (Worker *w)
{
  GObject *object = grab_object (w);
  GPtrArray *refs;
  guint i;

  if (object == NULL)
    return;
  if (chance (w, 40))
    {
      count (w, K_REF_COUNT);
      (void) wk_get_weak_ref_count (object);
      obj_unref (object);
      return;
    }
  count (w, K_REF_LIST);
  refs = wk_get_weak_refs (object);
  for (i = 0; i < refs->len; i++)
    {
      gpointer ref = g_ptr_array_index (refs, i);
      gpointer got;

      CHECK (WK_IS_REF (ref), "wk_get_weak_refs() returned something that is not a ref");
      got = wk_ref_get (ref);
      CHECK (got == object, "a ref listed by wk_get_weak_refs() of a held object reads %s",
             got == NULL ? "NULL" : "another object");
      obj_clear (&got);
    }
  if (refs->len > 0 && chance (w, 30))
    {
      WkRef *ref = g_ptr_array_index (refs, rnd_n (w, refs->len));

      ref_slot_put (rnd_n (w, N_REF_SLOTS), g_object_ref (ref), obj_info (object), NULL);
    }
  /* Our references may be the last ones to some of them. */
  if (chance (w, 50))
    obj_clear (&object);
  unref_all (refs);
  obj_clear (&object);
}

/* ------------------------------------------------------------------ */
/* Operations: collections                                              */

#define NS_CHAOS 0x7fff0000u

static GVariant *chaos_variant_key (Worker *w,
                                   guint   n);

/* What a loop body does to the world while an iteration runs: drops
 * objects (members die under the iterator), changes entries (of the same
 * collection too: new keys and removals during the iteration), reads. */
static void
iteration_body (Worker   *w,
                GObject  *dict)
{
  count (w, K_ITER_STEP);
  if (!chance (w, 35))
    return;
  switch (rnd_n (w, 6))
    {
    case 0:
      op_obj_drop (w);
      break;
    case 1:
      {
        guint i = rnd_n (w, HAND_SIZE);
        GObject *old = w->hand[i];

        w->hand[i] = NULL;
        obj_clear (&old);
      }
      break;
    case 2:
      /* An entry in the collection being iterated, if it is a chaos one:
       * a new key or a replaced value during the iteration. */
      {
        GObject *object = grab_object (w);
        gpointer chaos;

        if (object == NULL)
          break;
        if ((chaos = dict_take (&vd_chaos)) == dict)
          wk_weak_value_dict_insert (chaos, key_new (w, NS_CHAOS, rnd_n (w, CHAOS_KEYS)), object);
        obj_clear (&chaos);
        if ((chaos = dict_take (&vdv_chaos)) == dict)
          wk_weak_value_dict_insert_variant (chaos, chaos_variant_key (w, rnd_n (w, CHAOS_KEYS)), object);
        obj_clear (&chaos);
        if ((chaos = dict_take (&kd_chaos)) == dict)
          wk_weak_key_dict_insert (chaos, object, val_new (w, obj_info (object)));
        obj_clear (&chaos);
        if ((chaos = dict_take (&set_chaos)) == dict)
          wk_weak_set_add (chaos, object);
        obj_clear (&chaos);
        obj_unref (object);
      }
      break;
    case 3:
      if (may_reenter (w))
        reenter (w, 1);
      break;
    case 4:
      op_ref_get (w);
      break;
    default:
      op_weak_get (w);
      break;
    }
}

/* Picks a value dict to iterate or read: the precise one or the chaos
 * one; a reference the caller drops. */
static WkWeakValueDict *
pick_vd (Worker   *w,
         gboolean  variants,
         gboolean *precise)
{
  WkWeakValueDict *dict;

  *precise = chance (w, 50);
  if (*precise)
    return g_object_ref (variants ? vdv_precise : vd_precise);
  dict = dict_take (variants ? &vdv_chaos : &vd_chaos);
  return dict;
}

static WkWeakValueDict *
vd_new (gboolean variants)
{
  if (variants)
    return wk_weak_value_dict_new_for_variants ();
  return wk_weak_value_dict_new (key_hash, key_equal, key_destroy);
}

/* A chaos key of the variant face: several shapes, containers too. */
static GVariant *
chaos_variant_key (Worker *w,
                   guint   n)
{
  switch (n % 4)
    {
    case 0:
      return g_variant_new ("(uu)", NS_CHAOS, n);
    case 1:
      {
        char s[32];

        g_snprintf (s, sizeof s, "key-%u", n);
        return g_variant_new_string (s);
      }
    case 2:
      return g_variant_new ("(sa{sv}x)", "nested", NULL, (gint64) n);
    default:
      return g_variant_new ("ax", NULL);   /* n % 4 == 3: all equal: contention */
    }
}

static void
iterate_vd (Worker          *w,
            WkWeakValueDict *dict,
            gboolean         precise,
            gboolean         variants)
{
  WkWeakValueDictIter iter;
  gpointer key, value;
  guint steps = 0;

  count (w, variants ? K_VDV_ITER : K_VD_ITER);
  wk_weak_value_dict_iter_init (&iter, dict);
  while (wk_weak_value_dict_iter_next (&iter, &key, &value))
    {
      ObjInfo *info = check_read_alive (w, value, "a value dict iteration");

      if (!variants)
        {
          Key *k = key;

          CHECK (k->magic == KEY_MAGIC, "a value dict iteration handed out a key that is not one");
          CHECK (g_atomic_int_get (&k->destroyed) == 0,
                 "a value dict iteration handed out a destroyed key (%u, %u)", k->ns, k->n);
          if (precise && k->ns == w->index)
            CHECK (w->vd_mirror[k->n] == info, "a value dict iteration handed out object #%"
                   G_GUINT64_FORMAT " for key (%u, %u), which maps to another",
                   info->serial, k->ns, k->n);
        }
      else
        {
          GVariant *k = key;

          CHECK (g_variant_get_type_string (k) != NULL, "a variant dict key without a type");
          if (precise && g_variant_is_of_type (k, G_VARIANT_TYPE ("(uu)")))
            {
              guint32 ns, n;

              g_variant_get (k, "(uu)", &ns, &n);
              if (ns == w->index)
                CHECK (n < NS_KEYS && w->vdv_mirror[n] == info,
                       "a variant dict iteration handed out object #%" G_GUINT64_FORMAT
                       " for key (%u, %u), which maps to another", info->serial, ns, n);
            }
        }
      iteration_body (w, (GObject *) dict);
      /* Still alive: the iterator holds it until the next step. */
      CHECK (!g_atomic_int_get (&info->died), "an iterator let its current value die");
      if (++steps > 8 && chance (w, 10))
        {
          wk_weak_value_dict_iter_finish (&iter);
          break;
        }
    }
}

static void
op_vd (Worker   *w,
       gboolean  variants)
{
  gboolean precise;
  WkWeakValueDict *dict;
  ObjInfo **mirror = variants ? w->vdv_mirror : w->vd_mirror;
  guint sub = rnd_n (w, 100);

  if (sub < 8 && enabled (G_ITER) && w->depth == 0)
    {
      dict = pick_vd (w, variants, &precise);
      if (dict != NULL)
        iterate_vd (w, dict, precise, variants);
      obj_clear (&dict);
      return;
    }

  precise = owns_state (w) && chance (w, 55);
  if (precise)
    {
      guint n = rnd_n (w, NS_KEYS);
      ObjInfo *target = mirror[n];
      Key probe = { KEY_MAGIC, w->index, n, 0, NULL, 0 };
      GVariant *vkey = g_variant_ref_sink (g_variant_new ("(uu)", w->index, n));
      gconstpointer pkey = variants ? (gconstpointer) vkey : (gconstpointer) &probe;
      gpointer got;

      dict = variants ? vdv_precise : vd_precise;
      if (sub < 40)
        {
          GObject *object = grab_object (w);

          if (object != NULL)
            {
              count (w, variants ? K_VDV_INSERT : K_VD_INSERT);
              if (variants)
                wk_weak_value_dict_insert_variant (dict, vkey, object);
              else
                wk_weak_value_dict_insert (dict, key_new (w, w->index, n), object);
              mirror[n] = obj_info (object);
              got = variants ? (gpointer) wk_weak_value_dict_lookup_variant (dict, vkey)
                             : wk_weak_value_dict_lookup (dict, pkey);
              CHECK (got == object, "a value dict lookup of a key just mapped to a held object reads %s",
                     got == NULL ? "NULL" : "another object");
              obj_clear (&got);
              CHECK (variants ? wk_weak_value_dict_contains_variant (dict, vkey)
                              : wk_weak_value_dict_contains (dict, pkey),
                     "a value dict does not contain a key just mapped to a held object");
              obj_unref (object);
            }
        }
      else if (sub < 70)
        {
          gboolean seen_dead = target != NULL && g_atomic_int_get (&target->seen_dead);

          count (w, variants ? K_VDV_LOOKUP : K_VD_LOOKUP);
          got = variants ? (gpointer) wk_weak_value_dict_lookup_variant (dict, vkey)
                         : wk_weak_value_dict_lookup (dict, pkey);
          if (got != NULL)
            {
              ObjInfo *info = check_read_alive (w, got, "a value dict lookup");

              CHECK (info == target, "a value dict lookup of a key of this thread returned object #%"
                     G_GUINT64_FORMAT ", not the one it maps to", info->serial);
              CHECK (!seen_dead, "a value dict lookup returned object #%" G_GUINT64_FORMAT
                     " after a read of it returned NULL", info->serial);
              obj_unref (got);
            }
          else
            {
              count (w, K_READ_NULL);
              if (target != NULL)
                g_atomic_int_set (&target->seen_dead, 1);
            }
        }
      else if (sub < 80)
        {
          gboolean has;

          count (w, variants ? K_VDV_CONTAINS : K_VD_CONTAINS);
          has = variants ? wk_weak_value_dict_contains_variant (dict, vkey)
                         : wk_weak_value_dict_contains (dict, pkey);
          CHECK (target != NULL || !has, "a value dict contains a key this thread never mapped");
        }
      else if (sub < 93)
        {
          gboolean removed;

          count (w, variants ? K_VDV_REMOVE : K_VD_REMOVE);
          removed = variants ? wk_weak_value_dict_remove_variant (dict, vkey)
                             : wk_weak_value_dict_remove (dict, pkey);
          CHECK (target != NULL || !removed, "a value dict removed a key this thread never mapped");
          mirror[n] = NULL;
          got = variants ? (gpointer) wk_weak_value_dict_lookup_variant (dict, vkey)
                         : wk_weak_value_dict_lookup (dict, pkey);
          CHECK (got == NULL, "a value dict lookup finds a key just removed");
        }
      else
        {
          count (w, variants ? K_VDV_SIZE : K_VD_SIZE);
          CHECK (wk_weak_value_dict_get_size (dict) <= NS_KEYS * config.threads,
                 "a precise value dict counts more entries than there are keys");
        }
      g_variant_unref (vkey);
      return;
    }

  /* The chaos dict. */
  dict = dict_take (variants ? &vdv_chaos : &vd_chaos);
  if (dict == NULL)
    return;
  {
    guint n = rnd_n (w, CHAOS_KEYS);
    GVariant *vkey = variants ? g_variant_ref_sink (chaos_variant_key (w, n)) : NULL;
    Key probe = { KEY_MAGIC, NS_CHAOS, n, 0, NULL, 0 };
    gpointer got;

    if (sub < 40)
      {
        GObject *object = grab_object (w);

        if (object != NULL)
          {
            count (w, variants ? K_VDV_INSERT : K_VD_INSERT);
            if (variants)
              wk_weak_value_dict_insert_variant (dict, vkey, object);
            else
              wk_weak_value_dict_insert (dict, key_new (w, NS_CHAOS, n), object);
            obj_unref (object);
          }
      }
    else if (sub < 65)
      {
        count (w, variants ? K_VDV_LOOKUP : K_VD_LOOKUP);
        if (variants && g_variant_is_of_type (vkey, G_VARIANT_TYPE_STRING) && chance (w, 50))
          got = wk_weak_value_dict_lookup_string (dict, g_variant_get_string (vkey, NULL));
        else
          got = variants ? (gpointer) wk_weak_value_dict_lookup_variant (dict, vkey)
                         : wk_weak_value_dict_lookup (dict, &probe);
        if (got != NULL)
          {
            check_read_alive (w, got, "a value dict lookup");
            obj_unref (got);
          }
        else
          count (w, K_READ_NULL);
      }
    else if (sub < 75)
      {
        count (w, variants ? K_VDV_CONTAINS : K_VD_CONTAINS);
        (void) (variants ? wk_weak_value_dict_contains_variant (dict, vkey)
                         : wk_weak_value_dict_contains (dict, &probe));
      }
    else if (sub < 88)
      {
        count (w, variants ? K_VDV_REMOVE : K_VD_REMOVE);
        (void) (variants ? wk_weak_value_dict_remove_variant (dict, vkey)
                         : wk_weak_value_dict_remove (dict, &probe));
      }
    else if (sub < 93)
      {
        count (w, variants ? K_VDV_SIZE : K_VD_SIZE);
        CHECK (wk_weak_value_dict_get_size (dict) <= CHAOS_KEYS + 16384,
               "a value dict's size is absurd");
      }
    else
      {
        count (w, variants ? K_VDV_OTHER : K_VD_OTHER);
        if (sub < 95 && w->depth == 0)
          {
            /* Replaced: the old one dies when its last user lets go,
             * with its entries. */
            dict_put (variants ? &vdv_chaos : &vd_chaos, vd_new (variants));
          }
        else if (sub < 96)
          wk_weak_value_dict_remove_all (dict);
        else
          {
            GPtrArray *values = wk_weak_value_dict_get_values (dict);
            guint i;

            for (i = 0; i < values->len; i++)
              check_read_alive (w, g_ptr_array_index (values, i), "wk_weak_value_dict_get_values()");
            unref_all (values);
            if (variants)
              {
                GPtrArray *keys = wk_weak_value_dict_get_variant_keys (dict);

                g_ptr_array_set_free_func (keys, (GDestroyNotify) g_variant_unref);
                g_ptr_array_unref (keys);
              }
          }
      }
    g_clear_pointer (&vkey, g_variant_unref);
  }
  obj_unref (dict);
}

/* WkWeakKeyDict, C face: this thread's own dict (precise: only it
 * changes it; others read and iterate it), or the chaos one. */
static void
iterate_kd (Worker        *w,
            WkWeakKeyDict *dict,
            gboolean       own,
            gboolean       gvalues)
{
  WkWeakKeyDictIter iter;
  gpointer key, value;
  guint steps = 0;

  count (w, gvalues ? K_KDV_ITER : K_KD_ITER);
  wk_weak_key_dict_iter_init (&iter, dict);
  while (wk_weak_key_dict_iter_next (&iter, &key, &value))
    {
      ObjInfo *info = check_read_alive (w, key, "a key dict iteration");

      if (!gvalues)
        {
          Val *val = value;

          CHECK (val->magic == VAL_MAGIC, "a key dict iteration handed out a value that is not one");
          CHECK (g_atomic_int_get (&val->destroyed) == 0,
                 "a key dict iteration handed out a destroyed value");
          if (own)
            CHECK (g_hash_table_lookup (w->kd_mirror, info) == val,
                   "a key dict iteration handed out a value that key #%" G_GUINT64_FORMAT
                   " does not map to", info->serial);
        }
      else
        {
          GValue *gvalue = value;

          CHECK (G_IS_VALUE (gvalue), "a GValue key dict handed out a value that is not a GValue");
          if (G_VALUE_HOLDS_OBJECT (gvalue) && g_value_get_object (gvalue) != NULL)
            CHECK (!g_atomic_int_get (&obj_info (g_value_get_object (gvalue))->died),
                   "a GValue key dict holds a value object whose dispose has begun");
        }
      iteration_body (w, (GObject *) dict);
      CHECK (!g_atomic_int_get (&info->died), "an iterator let its current key die");
      if (++steps > 8 && chance (w, 10))
        {
          wk_weak_key_dict_iter_finish (&iter);
          break;
        }
    }
}

/* The rarer operations on a chaos collection (@sub 95 to 99): replace it
 * with a new one, empty it, or list what it holds (every object listed
 * must be alive). */
static void
chaos_other (Worker      *w,
             guint        sub,
             DictSlot    *slot,
             gpointer   (*make) (void),
             void       (*remove_all) (gpointer),
             GPtrArray *(*list) (gpointer),
             const char  *what)
{
  gpointer collection;

  if (w->depth == 0 && sub < 97)
    dict_put (slot, make ());
  else if ((collection = dict_take (slot)) != NULL)
    {
      if (sub == 97)
        remove_all (collection);
      else
        {
          GPtrArray *objects = list (collection);
          guint i;

          for (i = 0; i < objects->len; i++)
            check_read_alive (w, g_ptr_array_index (objects, i), what);
          unref_all (objects);
        }
      obj_unref (collection);
    }
}

static gpointer
new_chaos_kd (void)
{
  return wk_weak_key_dict_new (val_destroy);
}

static void
op_kd (Worker *w)
{
  guint sub = rnd_n (w, 100);
  gboolean own = owns_state (w) && chance (w, 55);
  WkWeakKeyDict *dict;
  GObject *object;

  if (sub < 8 && enabled (G_ITER) && w->depth == 0)
    {
      guint t = rnd_n (w, config.threads + 1);

      if (t < config.threads)
        dict = g_object_ref (kd_own[t]);
      else
        dict = dict_take (&kd_chaos);
      if (dict != NULL)
        iterate_kd (w, dict, t < config.threads && t == w->index, FALSE);
      obj_clear (&dict);
      return;
    }

  if (sub >= 95)
    {
      count (w, K_KD_OTHER);
      chaos_other (w, sub, &kd_chaos, new_chaos_kd, (void (*) (gpointer)) wk_weak_key_dict_remove_all,
                   (GPtrArray *(*) (gpointer)) wk_weak_key_dict_get_keys, "wk_weak_key_dict_get_keys()");
      return;
    }

  object = grab_object (w);
  if (object == NULL)
    return;
  dict = own ? g_object_ref (kd_own[w->index]) : dict_take (&kd_chaos);
  if (dict == NULL)
    {
      obj_unref (object);
      return;
    }

  if (own)
    {
      ObjInfo *info = obj_info (object);
      Val *expected = g_hash_table_lookup (w->kd_mirror, info);
      Val *got;

      /* The key is held: its entry is there exactly when the mirror
       * says so. */
      if (sub < 35)
        {
          Val *val = val_new (w, info);

          count (w, K_KD_INSERT);
          wk_weak_key_dict_insert (dict, object, val);
          g_hash_table_insert (w->kd_mirror, info, val);
          got = wk_weak_key_dict_lookup (dict, object);
          CHECK (got == val, "a key dict lookup of a held key just inserted reads %s",
                 got == NULL ? "nothing" : "another value");
        }
      else if (sub < 65)
        {
          count (w, K_KD_LOOKUP);
          got = wk_weak_key_dict_lookup (dict, object);
          CHECK (got == expected, "a key dict lookup of held key #%" G_GUINT64_FORMAT " found %s",
                 info->serial, got == NULL ? "nothing" : expected == NULL ? "a value never inserted"
                                                      : "another value");
          CHECK (got == NULL || g_atomic_int_get (&got->destroyed) == 0,
                 "a key dict lookup returned a destroyed value");
        }
      else if (sub < 75)
        {
          count (w, K_KD_CONTAINS);
          CHECK (wk_weak_key_dict_contains (dict, object) == (expected != NULL),
                 "a key dict's contains() of a held key disagrees with what was inserted");
        }
      else if (sub < 90)
        {
          count (w, K_KD_REMOVE);
          CHECK (wk_weak_key_dict_remove (dict, object) == (expected != NULL),
                 "a key dict's remove() of a held key disagrees with what was inserted");
          g_hash_table_remove (w->kd_mirror, info);
          CHECK (!wk_weak_key_dict_contains (dict, object), "a key dict contains a key just removed");
        }
      else
        {
          count (w, K_KD_SIZE);
          CHECK (wk_weak_key_dict_get_size (dict) <= g_hash_table_size (w->kd_mirror),
                 "a key dict counts more entries than were inserted");
        }
    }
  else
    {
      gpointer got;

      if (sub < 35)
        {
          count (w, K_KD_INSERT);
          wk_weak_key_dict_insert (dict, object, val_new (w, obj_info (object)));
        }
      else if (sub < 65)
        {
          count (w, K_KD_LOOKUP);
          got = wk_weak_key_dict_lookup (dict, object);
          CHECK (got == NULL || ((Val *) got)->magic == VAL_MAGIC, "a key dict lookup returned a non-value");
          CHECK (got == NULL || ((Val *) got)->key == obj_info (object),
                 "a key dict lookup returned the value of another key");
        }
      else if (sub < 75)
        {
          count (w, K_KD_CONTAINS);
          (void) wk_weak_key_dict_contains (dict, object);
        }
      else if (sub < 90)
        {
          count (w, K_KD_REMOVE);
          (void) wk_weak_key_dict_remove (dict, object);
        }
      else
        {
          count (w, K_KD_SIZE);
          (void) wk_weak_key_dict_get_size (dict);
        }
    }
  obj_unref (dict);
  obj_unref (object);
}

/* WkWeakKeyDict, GValue face: the ephemeron dict. Object values are only
 * put under WkObject keys: an entry whose value holds a plain GObject key
 * is a cycle through an untracked object, which the collector does not
 * claim to find. */
static void
op_kdv (Worker *w)
{
  guint sub = rnd_n (w, 100);
  WkWeakKeyDict *dict;
  GObject *key;
  GValue value = G_VALUE_INIT;

  if (sub < 8 && enabled (G_ITER) && w->depth == 0)
    {
      if ((dict = dict_take (&kdv_chaos)) != NULL)
        iterate_kd (w, dict, FALSE, TRUE);
      obj_clear (&dict);
      return;
    }
  if (sub >= 97 && w->depth == 0)
    {
      count (w, K_KDV_SIZE);
      dict_put (&kdv_chaos, wk_weak_key_dict_new_for_values ());
      return;
    }

  dict = dict_take (&kdv_chaos);
  if (dict == NULL)
    return;
  key = grab_object (w);
  if (key == NULL)
    {
      obj_unref (dict);
      return;
    }

  if (sub < 20 && WK_IS_OBJECT (key))
    {
      /* A value that holds its key: only the collector's ephemeron rule
       * lets the pair go once the key is otherwise unreachable. */
      GObject *holder = object_new (w, TRUE, random_object_flags (w));

      count (w, K_KDV_EPHEMERON);
      wk_object_hold (WK_OBJECT (holder), key);
      g_value_init (&value, G_TYPE_OBJECT);
      g_value_take_object (&value, holder);
      wk_weak_key_dict_insert_value (dict, key, &value);
      g_value_unset (&value);
    }
  else if (sub < 40)
    {
      count (w, K_KDV_INSERT);
      switch (rnd_n (w, 3))
        {
        case 0:
          g_value_init (&value, G_TYPE_INT);
          g_value_set_int (&value, (gint) rnd_n (w, 1000));
          break;
        case 1:
          g_value_init (&value, G_TYPE_STRING);
          g_value_take_string (&value, g_strdup_printf ("value %u", rnd_n (w, 1000)));
          break;
        default:
          {
            GObject *other = WK_IS_OBJECT (key) ? grab_object (w) : NULL;

            g_value_init (&value, G_TYPE_OBJECT);
            g_value_take_object (&value, other);
          }
          break;
        }
      wk_weak_key_dict_insert_value (dict, key, &value);
      g_value_unset (&value);
    }
  else if (sub < 65)
    {
      GValue *dup;

      count (w, K_KDV_LOOKUP);
      if (chance (w, 50))
        {
          if (wk_weak_key_dict_lookup_value (dict, key, &value))
            {
              CHECK (G_IS_VALUE (&value), "a found GValue is not initialized");
              if (G_VALUE_HOLDS_OBJECT (&value) && g_value_get_object (&value) != NULL)
                check_read_alive (w, g_value_get_object (&value), "a GValue key dict lookup (value)");
              g_value_unset (&value);
            }
        }
      else if ((dup = wk_weak_key_dict_dup_value (dict, key)) != NULL)
        {
          if (G_VALUE_HOLDS_OBJECT (dup) && g_value_get_object (dup) != NULL)
            check_read_alive (w, g_value_get_object (dup), "a GValue key dict dup (value)");
          g_value_unset (dup);
          g_free (dup);
        }
    }
  else if (sub < 75)
    {
      count (w, K_KDV_CONTAINS);
      (void) wk_weak_key_dict_contains (dict, key);
    }
  else if (sub < 90)
    {
      count (w, K_KDV_REMOVE);
      (void) wk_weak_key_dict_remove (dict, key);
    }
  else
    {
      count (w, K_KDV_SIZE);
      (void) wk_weak_key_dict_get_size (dict);
    }
  obj_unref (key);
  obj_unref (dict);
}

static void
iterate_set (Worker    *w,
             WkWeakSet *set,
             gboolean   own)
{
  WkWeakSetIter iter;
  gpointer member;
  guint steps = 0;

  count (w, K_SET_ITER);
  wk_weak_set_iter_init (&iter, set);
  while (wk_weak_set_iter_next (&iter, &member))
    {
      ObjInfo *info = check_read_alive (w, member, "a weak set iteration");

      if (own)
        CHECK (g_hash_table_contains (w->set_mirror, info),
               "a weak set iteration handed out object #%" G_GUINT64_FORMAT ", never added",
               info->serial);
      iteration_body (w, (GObject *) set);
      CHECK (!g_atomic_int_get (&info->died), "an iterator let its current member die");
      if (++steps > 8 && chance (w, 10))
        {
          wk_weak_set_iter_finish (&iter);
          break;
        }
    }
}

static void
op_set (Worker *w)
{
  guint sub = rnd_n (w, 100);
  gboolean own = owns_state (w) && chance (w, 55);
  WkWeakSet *set;
  GObject *object;

  if (sub < 8 && enabled (G_ITER) && w->depth == 0)
    {
      guint t = rnd_n (w, config.threads + 1);

      set = t < config.threads ? g_object_ref (set_own[t]) : dict_take (&set_chaos);
      if (set != NULL)
        iterate_set (w, set, t < config.threads && t == w->index);
      obj_clear (&set);
      return;
    }
  if (sub >= 95)
    {
      count (w, K_SET_OTHER);
      chaos_other (w, sub, &set_chaos, (gpointer (*) (void)) wk_weak_set_new,
                   (void (*) (gpointer)) wk_weak_set_remove_all,
                   (GPtrArray *(*) (gpointer)) wk_weak_set_get_members, "wk_weak_set_get_members()");
      return;
    }

  object = grab_object (w);
  if (object == NULL)
    return;
  set = own ? g_object_ref (set_own[w->index]) : dict_take (&set_chaos);
  if (set == NULL)
    {
      obj_unref (object);
      return;
    }
  if (own)
    {
      ObjInfo *info = obj_info (object);
      gboolean has = g_hash_table_contains (w->set_mirror, info);

      if (sub < 35)
        {
          count (w, K_SET_ADD);
          CHECK (wk_weak_set_add (set, object) == !has,
                 "wk_weak_set_add() of a held object disagrees with what was added");
          g_hash_table_add (w->set_mirror, info);
          CHECK (wk_weak_set_contains (set, object), "a weak set does not contain a held object just added");
        }
      else if (sub < 70)
        {
          count (w, K_SET_CONTAINS);
          CHECK (wk_weak_set_contains (set, object) == has,
                 "wk_weak_set_contains() of a held object disagrees with what was added");
        }
      else if (sub < 88)
        {
          count (w, K_SET_REMOVE);
          CHECK (wk_weak_set_remove (set, object) == has,
                 "wk_weak_set_remove() of a held object disagrees with what was added");
          g_hash_table_remove (w->set_mirror, info);
          CHECK (!wk_weak_set_contains (set, object), "a weak set contains an object just removed");
        }
      else
        {
          count (w, K_SET_SIZE);
          CHECK (wk_weak_set_get_size (set) <= g_hash_table_size (w->set_mirror),
                 "a weak set counts more members than were added");
        }
    }
  else
    {
      if (sub < 35)
        {
          count (w, K_SET_ADD);
          (void) wk_weak_set_add (set, object);
        }
      else if (sub < 70)
        {
          count (w, K_SET_CONTAINS);
          (void) wk_weak_set_contains (set, object);
        }
      else if (sub < 88)
        {
          count (w, K_SET_REMOVE);
          (void) wk_weak_set_remove (set, object);
        }
      else
        {
          count (w, K_SET_SIZE);
          (void) wk_weak_set_get_size (set);
        }
    }
  obj_unref (set);
  obj_unref (object);
}

/* ------------------------------------------------------------------ */
/* Operations: finalizers                                               */

static void
op_fin (Worker *w)
{
  guint sub = rnd_n (w, 100);
  FinTracker *t;
  WkFinalizer *fin;

  if (sub < 30)
    {
      GObject *object = grab_object (w);
      gpointer got;

      if (object == NULL)
        return;
      count (w, K_FIN_NEW);
      t = fin_tracker_new (w, obj_info (object), random_tracker_flags (w));
      fin = finalizer_new (object, fin_func, t, fin_destroy);
      track_instance (fin, &fins_alive);
      CHECK (wk_finalizer_is_alive (fin), "a new finalizer of a held object is not alive");
      got = finalizer_dup_object (fin);
      CHECK (got == object, "a new finalizer of a held object peeks %s",
             got == NULL ? "NULL" : "another object");
      obj_clear (&got);
      obj_unref (object);
      if (chance (w, 60))
        fin_slot_put (rnd_n (w, N_FIN_SLOTS), fin, t);
      else
        obj_unref (fin);   /* the registry keeps it until it runs */
      return;
    }
  if (sub < 40)
    {
      count (w, K_FIN_DROP);
      fin_slot_put (rnd_n (w, N_FIN_SLOTS), NULL, NULL);
      return;
    }
  if (sub < 48 && finalize_add != NULL)
    {
      /* The light finalizer: an id instead of an object. */
      GObject *object = grab_object (w);
      gsize id;

      if (object == NULL)
        return;
      count (w, K_FIN_LIGHT);
      t = fin_tracker_new (w, obj_info (object), random_tracker_flags (w));
      t->light = TRUE;
      id = finalize_add (object, fin_func, t, fin_destroy);
      CHECK (id > 0, "wk_finalize_add() returned 0");
      if (chance (w, 40))
        {
          CHECK (finalize_remove (object, id), "wk_finalize_remove() of a pending finalizer of a held "
                 "object returned FALSE");
          g_atomic_int_inc (&t->detached_ok);
          CHECK (g_atomic_int_get (&t->destroyed) == 1, "wk_finalize_remove() did not destroy at once");
        }
      obj_unref (object);
      return;
    }

  fin = fin_slot_take (rnd_n (w, N_FIN_SLOTS), &t);
  if (fin == NULL)
    return;
  if (sub < 62)
    {
      count (w, K_FIN_CALL);
      if (wk_finalizer_call (fin))
        {
          g_atomic_int_inc (&t->called_ok);
          CHECK (g_atomic_int_get (&t->ran) == 1, "wk_finalizer_call() returned TRUE without running it");
          CHECK (g_atomic_int_get (&t->destroyed) == 1, "wk_finalizer_call() returned before destroy");
        }
      CHECK (!wk_finalizer_is_alive (fin), "a finalizer is alive after call()");
    }
  else if (sub < 74)
    {
      count (w, K_FIN_DETACH);
      if (wk_finalizer_detach (fin))
        {
          g_atomic_int_inc (&t->detached_ok);
          CHECK (g_atomic_int_get (&t->destroyed) == 1, "wk_finalizer_detach() returned before destroy");
        }
      CHECK (!wk_finalizer_is_alive (fin), "a finalizer is alive after detach()");
    }
  else
    {
      gboolean seen_dead = g_atomic_int_get (&t->target->seen_dead);
      gboolean alive = wk_finalizer_is_alive (fin);
      gpointer got;

      count (w, K_FIN_PEEK);
      got = finalizer_dup_object (fin);
      if (got != NULL)
        {
          ObjInfo *info = check_read_alive (w, got, "wk_finalizer_peek()");

          CHECK (info == t->target, "wk_finalizer_peek() returned another object");
          CHECK (!seen_dead, "wk_finalizer_peek() returned object #%" G_GUINT64_FORMAT
                 " after a read of it returned NULL", info->serial);
          CHECK (alive, "wk_finalizer_peek() returned an object after is_alive() said FALSE");
          obj_unref (got);
        }
      else
        count (w, K_READ_NULL);
    }
  /* This may be the finalizer's last reference. */
  obj_unref (fin);
}

/* ------------------------------------------------------------------ */
/* Operations: toggle references                                        */

static void
holder_slot_put (Worker *w,
                 guint   i,
                 Holder *holder)
{
  HolderSlot *slot = &holder_slots[i];
  Holder *old;

  lock (&slot->lock);
  old = slot->holder;
  slot->holder = holder;
  unlock (&slot->lock);
  if (old != NULL && holder_claim (old))
    holder_remove (w, old);
}

static void
op_toggle (Worker *w)
{
  GObject *object;
  guint n, i;

  if (chance (w, 45))
    {
      holder_slot_put (w, rnd_n (w, N_HOLDER_SLOTS), NULL);
      return;
    }
  object = grab_object (w);
  if (object == NULL)
    return;
  /* Several holders on one object, each with its toggle reference taken
   * while we hold a normal one. */
  n = 1 + rnd_n (w, 3);
  for (i = 0; i < n; i++)
    {
      Holder *h = g_new0 (Holder, 1);

      h->target = obj_info (object);
      h->object = object;
      h->last = -1;
      if (chance (w, 30))
        h->flags |= H_SELF_REMOVE;
      if (chance (w, 30))
        h->flags |= H_REENTER;
      g_ptr_array_add (w->holders, h);
      count (w, K_TOGGLE_ADD);
      wk_object_add_toggle_ref (object, toggle_notify, h);
      holder_slot_put (w, rnd_n (w, N_HOLDER_SLOTS), h);
    }
  /* Dropping ours may leave only toggle references: every holder is told. */
  obj_unref (object);
}

/* ------------------------------------------------------------------ */
/* Operations: hold, release, collect                                   */

static void
op_hold (Worker *w)
{
  GObject *parent = grab_wk_object (w);
  GObject *child;

  if (parent == NULL)
    return;
  if (chance (w, 40))
    {
      GPtrArray *held = wk_object_list_held (WK_OBJECT (parent));
      guint i;

      count (w, K_RELEASE);
      for (i = 0; i < held->len; i++)
        check_read_alive (w, g_ptr_array_index (held, i), "wk_object_list_held()");
      if (held->len > 0)
        (void) wk_object_release (WK_OBJECT (parent), g_ptr_array_index (held, rnd_n (w, held->len)));
      /* Ours may be the last references now. */
      unref_all (held);
      obj_unref (parent);
      return;
    }
  child = chance (w, 10) ? g_object_ref (parent) : grab_object (w);
  if (child != NULL)
    {
      count (w, K_HOLD);
      wk_object_hold (WK_OBJECT (parent), child);
      obj_unref (child);
    }
  obj_unref (parent);
}

static void
op_gc (Worker *w)
{
  count (w, K_GC_COLLECT);
  (void) wk_gc_collect ((int) rnd_n (w, 4) - 1);
}

/* ------------------------------------------------------------------ */
/* The private death: exact order                                       */

typedef struct
{
  guint        index;
  RefTracker  *ref;       /* a callback ref, or */
  FinTracker  *fin;       /* a finalizer */
  gboolean     pending;   /* still to run at the death */
} Watcher;

static const char *
event_name (guint32 event)
{
  static const char *const names[] = {
    "?", "dispose", "finalize", "callback", "destroy", "finalizer-run",
    "finalizer-destroy", "key-destroy", "value-destroy",
  };
  guint kind = event >> 16;

  return kind < G_N_ELEMENTS (names) ? names[kind] : "?";
}

static char *
events_to_string (const guint32 *events,
                  guint          n)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (s, "%s%s:%u", i ? " " : "", event_name (events[i]), events[i] & 0xffff);
  return g_string_free (s, FALSE);
}

/* Checks the events of a death against death-order.md: @entries (in any
 * order) and @calls (exactly in this order), with the disposes and
 * finalizes of the @n_objects private objects first and last (@gc:
 * last, after the callbacks, as a collection kills before it clears). */
static void
check_death_order (PrivateCtx *ctx,
                   guint       start,
                   GArray     *entries,
                   GArray     *calls,
                   guint       n_objects,
                   gboolean    gc)
{
  guint32 *ev;
  guint n, i, pos = 0;
  char *got_text = NULL, *want_text;
  gboolean ok = TRUE;
  GArray *seen_entries;

  lock (&ctx->lock);
  n = ctx->events->len - start;
  ev = g_memdup2 (&g_array_index (ctx->events, guint32, start), n * sizeof (guint32));
  unlock (&ctx->lock);

  {
    char *calls_text = events_to_string ((guint32 *) (gpointer) calls->data, calls->len);

    want_text = g_strdup_printf ("%s%u entries, then %s, then %s",
                                 gc ? "" : "dispose:0, then ", entries->len, calls_text,
                                 gc ? "disposes and finalizes" : "finalize:0");
    g_free (calls_text);
  }
  if (!gc)
    {
      ok = n > 0 && ev[pos] == EVENT (EV_DISPOSE, 0);
      pos++;
    }
  seen_entries = g_array_new (FALSE, FALSE, sizeof (guint32));
  while (ok && pos < n && ((ev[pos] >> 16) == EV_KEY_DESTROY || (ev[pos] >> 16) == EV_VAL_DESTROY))
    g_array_append_val (seen_entries, ev[pos++]);
  if (ok)
    {
      ok = seen_entries->len == entries->len;
      for (i = 0; ok && i < entries->len; i++)
        {
          guint j;
          gboolean found = FALSE;

          for (j = 0; j < seen_entries->len && !found; j++)
            found = g_array_index (seen_entries, guint32, j) == g_array_index (entries, guint32, i);
          ok = found;
        }
    }
  for (i = 0; ok && i < calls->len; i++, pos++)
    ok = pos < n && ev[pos] == g_array_index (calls, guint32, i);
  if (ok && !gc)
    ok = pos + 1 == n && ev[pos] == EVENT (EV_FINALIZE, 0);
  else if (ok)
    {
      /* What is left: a dispose and then a finalize of each object. */
      guint disposed = 0, finalized = 0;

      ok = n - pos == 2 * n_objects;
      for (; ok && pos < n; pos++)
        {
          guint kind = ev[pos] >> 16, index = ev[pos] & 0xffff;

          if (kind == EV_DISPOSE && index < n_objects && !(disposed & (1u << index)))
            disposed |= 1u << index;
          else if (kind == EV_FINALIZE && (disposed & (1u << index)) && !(finalized & (1u << index)))
            finalized |= 1u << index;
          else
            ok = FALSE;
        }
    }
  if (!ok)
    got_text = events_to_string (ev, n);
  CHECK (ok, "the death of a private object%s ran in the wrong order:\n    got:  %s\n    want: %s",
         gc ? " (collected)" : "", got_text, want_text);
  g_free (want_text);
  g_array_unref (seen_entries);
  g_free (ev);
}

static void
op_private (Worker   *w,
            gboolean  gc)
{
  PrivateCtx *ctx = g_new0 (PrivateCtx, 1);
  GObject *x, *y = NULL;
  ObjInfo *xi, *yi = NULL;
  GArray *watchers = g_array_new (FALSE, FALSE, sizeof (Watcher));
  GPtrArray *kept = g_ptr_array_new ();     /* refs and finalizers we hold over the death */
  GPtrArray *live_keys = g_ptr_array_new ();
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (guint32));
  GArray *calls = g_array_new (FALSE, FALSE, sizeof (guint32));
  Val *kd_val = NULL;
  guint n, i, start, after;
  guint flags = OBJ_PRIVATE;

  count (w, gc ? K_PRIVATE_GC : K_PRIVATE_DEATH);
  lock_init (&ctx->lock);
  ctx->events = g_array_new (FALSE, FALSE, sizeof (guint32));
  ctx->vd = wk_weak_value_dict_new (key_hash, key_equal, key_destroy);
  ctx->kd = wk_weak_key_dict_new (val_destroy);
  ctx->set = wk_weak_set_new ();
  g_ptr_array_add (w->ctxs, ctx);

  /* Nobody else can reach it, so nobody reads it while it dies: its
   * dispose may take temporary references without being run twice. */
  if (chance (w, 30))
    flags |= OBJ_TEMP_REF;
  if (chance (w, 30))
    flags |= OBJ_DISPOSE_REENTER;
  x = object_new_full (w, gc || chance (w, 50), flags, ctx, 0);
  xi = obj_info (x);
  if (gc)
    {
      y = object_new_full (w, TRUE, OBJ_PRIVATE, ctx, 1);
      yi = obj_info (y);
      wk_object_hold (WK_OBJECT (x), y);
      wk_object_hold (WK_OBJECT (y), x);
    }
  wk_weak_set (&ctx->weak, x);

  n = 1 + rnd_n (w, 8);
  for (i = 1; i <= n; i++)
    {
      Watcher watcher = { i, NULL, NULL, FALSE };

      switch (rnd_n (w, 9))
        {
        case 0: case 1: case 2:
          {
            guint what = rnd_n (w, 10);
            RefTracker *t = ref_tracker_new (w, xi, random_tracker_flags (w) |
                                                    (what >= 2 && what < 4 ? RT_SELF_OWNED : 0));
            WkRef *ref;

            t->ctx = ctx;
            t->ctx_index = i;
            ref = wk_ref_new (x, ref_callback, t, ref_destroy);
            track_instance (ref, &refs_alive);
            watcher.ref = t;
            watcher.pending = TRUE;
            if (what < 2)
              {
                /* Dropped before the death: its destroy runs now, its
                 * callback never. */
                obj_unref (ref);
                CHECK (g_atomic_int_get (&t->destroyed) == 1,
                       "the destroy notify of a ref dropped while its referent lives did not run");
                watcher.pending = FALSE;
              }
            else if (what < 4)
              __atomic_store_n (&t->owned, ref, __ATOMIC_RELEASE);
            else
              g_ptr_array_add (kept, ref);
          }
          break;
        case 3: case 4:
          {
            FinTracker *t = fin_tracker_new (w, xi, random_tracker_flags (w));
            WkFinalizer *fin;
            guint what = rnd_n (w, 10);

            t->ctx = ctx;
            t->ctx_index = i;
            fin = finalizer_new (x, fin_func, t, fin_destroy);
            track_instance (fin, &fins_alive);
            watcher.fin = t;
            watcher.pending = TRUE;
            if (what < 2)
              {
                CHECK (wk_finalizer_detach (fin), "detach() of a pending finalizer returned FALSE");
                CHECK (g_atomic_int_get (&t->destroyed) == 1 && g_atomic_int_get (&t->ran) == 0,
                       "detach() did not destroy without running");
                g_atomic_int_inc (&t->detached_ok);
                watcher.pending = FALSE;
              }
            else if (what < 4)
              {
                CHECK (wk_finalizer_call (fin), "call() of a pending finalizer returned FALSE");
                CHECK (g_atomic_int_get (&t->destroyed) == 1 && g_atomic_int_get (&t->ran) == 1,
                       "call() did not run and destroy");
                g_atomic_int_inc (&t->called_ok);
                watcher.pending = FALSE;
              }
            if (chance (w, 50))
              g_ptr_array_add (kept, fin);
            else
              obj_unref (fin);     /* the registry keeps it */
          }
          break;
        case 5: case 6:
          {
            Key *key = key_new (w, 0x70000000u + w->index, i);

            key->ctx = ctx;
            key->ctx_index = i;
            wk_weak_value_dict_insert (ctx->vd, key, x);
            if (chance (w, 25))
              {
                /* Replaced: the first key goes now, the second at the
                 * death. */
                Key *again = key_new (w, key->ns, key->n);

                again->ctx = ctx;
                again->ctx_index = i;
                wk_weak_value_dict_insert (ctx->vd, again, x);
                CHECK (g_atomic_int_get (&key->destroyed) == 1,
                       "a value dict did not destroy a replaced key at once");
                key = again;
              }
            g_ptr_array_add (live_keys, key);
          }
          break;
        case 7:
          {
            Val *val = val_new (w, xi);

            val->ctx = ctx;
            val->ctx_index = i;
            wk_weak_key_dict_insert (ctx->kd, x, val);
            if (kd_val != NULL)
              CHECK (g_atomic_int_get (&kd_val->destroyed) == 1,
                     "a key dict did not destroy a replaced value at once");
            kd_val = val;
          }
          break;
        default:
          {
            WkRef *shared;

            wk_weak_set_add (ctx->set, x);
            if (enabled (G_SHARED_REF))
              {
                shared = wk_ref_new (x, NULL, NULL, NULL);
                track_instance (shared, &refs_alive);
                g_ptr_array_add (kept, shared);
              }
          }
          break;
        }
      g_array_append_val (watchers, watcher);
    }

  for (i = 0; i < live_keys->len; i++)
    {
      Key *key = g_ptr_array_index (live_keys, i);
      guint32 event = EVENT (EV_KEY_DESTROY, key->ctx_index);

      g_array_append_val (entries, event);
    }
  if (kd_val != NULL)
    {
      guint32 event = EVENT (EV_VAL_DESTROY, kd_val->ctx_index);

      g_array_append_val (entries, event);
    }
  /* Newest first, each followed by its destroy notify. */
  for (i = watchers->len; i-- > 0;)
    {
      Watcher *watcher = &g_array_index (watchers, Watcher, i);
      guint32 event;

      if (!watcher->pending)
        continue;
      event = EVENT (watcher->ref ? EV_CALLBACK : EV_FIN_RUN, watcher->index);
      g_array_append_val (calls, event);
      event = EVENT (watcher->ref ? EV_DESTROY : EV_FIN_DESTROY, watcher->index);
      g_array_append_val (calls, event);
    }

  lock (&ctx->lock);
  start = ctx->events->len;
  unlock (&ctx->lock);

  if (!gc)
    {
      /* The only reference: everything has happened when this returns. */
      obj_unref (x);
      CHECK (g_atomic_int_get (&xi->finalized) == 1,
             "a private object's only reference was dropped and it is not finalized");
    }
  else
    {
      guint tries;

      obj_unref (x);
      obj_unref (y);
      /* A collection in another thread may take them, or give up when a
       * count changes; collect until they are gone. */
      for (tries = 0; tries < 2000; tries++)
        {
          if (g_atomic_int_get (&xi->finalized) && g_atomic_int_get (&yi->finalized))
            break;
          count (w, K_GC_COLLECT);
          (void) wk_gc_collect (-1);
          if (tries > 10)
            g_usleep (1000);
        }
      CHECK (g_atomic_int_get (&xi->finalized) && g_atomic_int_get (&yi->finalized),
             "a private cycle of two WkObjects was not collected after %u collections", tries);
    }
  check_death_order (ctx, start, entries, calls, gc ? 2 : 1, gc);

  /* After the death, everything reads NULL and is empty. */
  CHECK (wk_weak_get (&ctx->weak) == NULL, "a WkWeak reads a dead object");
  CHECK (wk_weak_value_dict_get_size (ctx->vd) == 0, "a value dict counts a dead value");
  CHECK (wk_weak_key_dict_get_size (ctx->kd) == 0, "a key dict counts a dead key");
  CHECK (wk_weak_set_get_size (ctx->set) == 0, "a weak set counts a dead member");
  for (i = 0; i < kept->len; i++)
    {
      gpointer item = g_ptr_array_index (kept, i);

      if (WK_IS_REF (item))
        {
          CHECK (wk_ref_get (item) == NULL, "a ref reads a dead object");
          CHECK (!wk_ref_is_alive (item), "a ref to a dead object is alive");
        }
      else
        CHECK (!wk_finalizer_is_alive (item), "a finalizer of a dead object is alive");
    }
  for (i = 0; i < watchers->len; i++)
    {
      Watcher *watcher = &g_array_index (watchers, Watcher, i);

      if (watcher->ref != NULL)
        CHECK (g_atomic_int_get (&watcher->ref->called) == (watcher->pending ? 1 : 0),
               "a ref callback ran %d times", g_atomic_int_get (&watcher->ref->called));
      else if (watcher->fin != NULL)
        CHECK (g_atomic_int_get (&watcher->fin->ran) == (watcher->pending ? 1 : 0) +
               g_atomic_int_get (&watcher->fin->called_ok),
               "a finalizer ran %d times", g_atomic_int_get (&watcher->fin->ran));
    }

  /* Letting go of the rest runs nothing more. */
  lock (&ctx->lock);
  after = ctx->events->len;
  unlock (&ctx->lock);
  g_ptr_array_set_free_func (kept, obj_unref);
  g_ptr_array_set_size (kept, 0);
  wk_weak_clear (&ctx->weak);
  obj_clear (&ctx->vd);
  obj_clear (&ctx->kd);
  obj_clear (&ctx->set);
  lock (&ctx->lock);
  CHECK (ctx->events->len == after, "dropping the refs of a dead object ran %s",
         event_name (g_array_index (ctx->events, guint32, after)));
  unlock (&ctx->lock);

  g_ptr_array_unref (kept);
  g_ptr_array_unref (live_keys);
  g_array_unref (watchers);
  g_array_unref (entries);
  g_array_unref (calls);
}

/* death-order.md's one case Wk cannot see: a plain GObject that had no
 * Wk weak reference when its final unref began, whose dispose makes one.
 * It may read the object until GObject's dispose runs the weak notifies;
 * then it dies, and its callback runs once, followed by its destroy
 * notify, before the unref returns. */
static void
dispose_limit_ref (GObject *object,
                   ObjInfo *info)
{
  PrivateCtx *ctx = info->ctx;
  Worker *w = worker_self ();
  gpointer got;

  ctx->limit_tracker = ref_tracker_new (w, info, 0);
  ctx->limit_ref = wk_ref_new (object, ref_callback, ctx->limit_tracker, ref_destroy);
  track_instance (ctx->limit_ref, &refs_alive);
  got = wk_ref_get (ctx->limit_ref);
  CHECK (got == NULL || got == object, "a ref made in dispose reads another object");
  ctx->limit_read_alive = got != NULL;
  obj_clear (&got);
}

static void
op_private_limit (Worker *w)
{
  PrivateCtx *ctx = g_new0 (PrivateCtx, 1);
  GObject *x;
  ObjInfo *xi;

  count (w, K_PRIVATE_LIMIT);
  lock_init (&ctx->lock);
  ctx->events = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_ptr_array_add (w->ctxs, ctx);
  x = object_new_full (w, FALSE, OBJ_DISPOSE_LIMIT, ctx, 0);
  xi = obj_info (x);
  obj_unref (x);
  CHECK (g_atomic_int_get (&xi->finalized) == 1, "a private object's only reference was dropped "
         "and it is not finalized");
  /* Read alive in dispose: then it died at GObject's dispose and called
   * back once. Born dead (NULL from the start): it never calls back. */
  CHECK (g_atomic_int_get (&ctx->limit_tracker->called) == (ctx->limit_read_alive ? 1 : 0),
         "the callback of a ref made in the dispose of a plain GObject without weak references, "
         "which read %s there, ran %d times (death-order.md: %s)",
         ctx->limit_read_alive ? "the object" : "NULL", g_atomic_int_get (&ctx->limit_tracker->called),
         ctx->limit_read_alive ? "once, at GObject's dispose" : "never, as a ref born dead");
  CHECK (g_atomic_int_get (&ctx->limit_tracker->destroyed) == (ctx->limit_read_alive ? 1 : 0),
         "the destroy notify of a ref made in dispose ran %d times before the ref was dropped",
         g_atomic_int_get (&ctx->limit_tracker->destroyed));
  CHECK (wk_ref_get (ctx->limit_ref) == NULL, "a ref reads a finalized object");
  if (ctx->limit_read_alive)
    ctx->limit_tracker->flags |= RT_SELF_OWNED;   /* for the end of round: it called back */
  else
    ctx->limit_tracker->flags |= RT_BORN_DEAD;
  count (w, ctx->limit_read_alive ? K_READ_ALIVE : K_READ_NULL);
  obj_clear (&ctx->limit_ref);
}

/* ------------------------------------------------------------------ */
/* Bursts                                                               */

/* A strong reference to one of the hot objects, or NULL. */
static GObject *
grab_hot_object (Worker *w)
{
  ObjSlot *slot = &obj_slots[rnd_n (w, N_HOT_SLOTS)];
  GObject *object;

  lock (&slot->lock);
  object = slot->object != NULL ? g_object_ref (slot->object) : NULL;
  unlock (&slot->lock);
  return object;
}

/* One short pattern of user code, repeated in a tight loop on one of the
 * few hot objects, as several threads of a program do on one object at
 * once: narrow races need many tries close together. The objects of the
 * hot slots are dropped and replaced all the time meanwhile. */
static void
op_burst (Worker *w)
{
  GObject *object = grab_hot_object (w);
  guint n = 8 + rnd_n (w, 120), pattern = rnd_n (w, 9), i;
  ObjInfo *info;

  if (object == NULL)
    return;
  count (w, K_BURST);
  info = obj_info (object);
  for (i = 0; i < n; i++)
    switch (pattern)
      {
      case 0:
        if (enabled (G_SHARED_REF))
          {
            /* The shared ref, made and dropped by every thread: each
             * drop may be its last reference while another thread looks
             * it up. */
            WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
            gpointer got;

            count (w, K_REF_NEW_SHARED);
            track_instance (ref, &refs_alive);
            got = wk_ref_get (ref);
            count (w, K_REF_GET);
            CHECK (got == object, "a shared ref to a held object reads %s",
                   got == NULL ? "NULL" : "another object");
            obj_unref (got);
            obj_unref (ref);
          }
        break;
      case 1:
        if (enabled (G_REF))
          {
            RefTracker *t = ref_tracker_new (w, info, 0);
            WkRef *ref = wk_ref_new (object, ref_callback, t, ref_destroy);
            gpointer got;

            count (w, K_REF_NEW_CB);
            track_instance (ref, &refs_alive);
            got = wk_ref_get (ref);
            CHECK (got == object, "a ref to a held object reads %s", got == NULL ? "NULL" : "another object");
            obj_unref (got);
            obj_unref (ref);
          }
        break;
      case 2:
        if (enabled (G_WEAK))
          {
            WkWeak weak;
            gpointer got;

            count (w, K_WEAK_INIT);
            wk_weak_init (&weak, object);
            got = wk_weak_get (&weak);
            CHECK (got == object, "a WkWeak to a held object reads %s", got == NULL ? "NULL" : "another object");
            obj_unref (got);
            wk_weak_clear (&weak);
          }
        break;
      case 3:
        if (enabled (G_VD))
          {
            WkWeakValueDict *dict = dict_take (&vd_chaos);
            Key probe = { KEY_MAGIC, NS_CHAOS + 1, 0, 0, NULL, 0 };
            gpointer got;

            if (dict == NULL)
              break;
            count (w, K_VD_INSERT);
            wk_weak_value_dict_insert (dict, key_new (w, NS_CHAOS + 1, 0), object);
            got = wk_weak_value_dict_lookup (dict, &probe);
            if (got != NULL)
              {
                check_read_alive (w, got, "a value dict lookup (burst)");
                obj_unref (got);
              }
            if (chance (w, 50))
              (void) wk_weak_value_dict_remove (dict, &probe);
            obj_unref (dict);
          }
        break;
      case 4:
        if (enabled (G_KD))
          {
            WkWeakKeyDict *dict = dict_take (&kd_chaos);

            if (dict == NULL)
              break;
            count (w, K_KD_INSERT);
            wk_weak_key_dict_insert (dict, object, val_new (w, info));
            if (chance (w, 50))
              (void) wk_weak_key_dict_remove (dict, object);
            obj_unref (dict);
          }
        break;
      case 5:
        if (enabled (G_SET))
          {
            WkWeakSet *set = dict_take (&set_chaos);

            if (set == NULL)
              break;
            count (w, K_SET_ADD);
            (void) wk_weak_set_add (set, object);
            (void) wk_weak_set_contains (set, object);
            if (chance (w, 50))
              (void) wk_weak_set_remove (set, object);
            obj_unref (set);
          }
        break;
      case 6:
        if (enabled (G_FIN))
          {
            FinTracker *t = fin_tracker_new (w, info, 0);
            WkFinalizer *fin = finalizer_new (object, fin_func, t, fin_destroy);

            count (w, K_FIN_NEW);
            track_instance (fin, &fins_alive);
            switch (rnd_n (w, 3))
              {
              case 0:
                if (wk_finalizer_call (fin))
                  g_atomic_int_inc (&t->called_ok);
                break;
              case 1:
                if (wk_finalizer_detach (fin))
                  g_atomic_int_inc (&t->detached_ok);
                break;
              default:
                break;   /* pending: runs at the object's death */
              }
            obj_unref (fin);
          }
        break;
      case 7:
        if (enabled (G_REF))
          {
            GPtrArray *refs = wk_get_weak_refs (object);

            count (w, K_REF_LIST);
            unref_all (refs);   /* may be the last reference of some */
          }
        break;
      default:
        if (enabled (G_TOGGLE))
          {
            Holder *h = g_new0 (Holder, 1);

            h->target = info;
            h->object = object;
            h->last = -1;
            g_ptr_array_add (w->holders, h);
            count (w, K_TOGGLE_ADD);
            wk_object_add_toggle_ref (object, toggle_notify, h);
            if (holder_claim (h))
              holder_remove (w, h);
          }
        break;
      }
  obj_unref (object);
}

/* ------------------------------------------------------------------ */
/* User code calling Wk                                                 */

/* What callbacks, destroy notifies, toggle notifies and disposes do:
 * any of the operations that need no thread-owned state, on the shared
 * pools and the chaos collections. They may drop the last reference of
 * other objects (deaths inside deaths), make refs and entries, collect. */
static void
reenter (Worker *w,
         guint   n)
{
  const char *saved = w->op;
  guint i;

  if (!may_reenter (w))
    return;
  w->depth++;
  for (i = 0; i < n; i++)
    {
      count (w, K_REENTER);
      switch (rnd_n (w, 20))
        {
        case 0: case 1:
          w->op = "re-entrant object new";
          op_obj_new (w);
          break;
        case 2: case 3:
          w->op = "re-entrant object drop";
          op_obj_drop (w);
          break;
        case 4:
          w->op = "re-entrant ref new";
          if (enabled (G_REF))
            op_ref_new_callback (w);
          break;
        case 5:
          w->op = "re-entrant shared ref new";
          if (enabled (G_SHARED_REF))
            op_ref_new_shared (w);
          break;
        case 6:
          w->op = "re-entrant ref drop";
          if (enabled (G_REF))
            op_ref_drop (w);
          break;
        case 7:
          w->op = "re-entrant ref get";
          if (enabled (G_REF))
            op_ref_get (w);
          break;
        case 8:
          w->op = "re-entrant WkWeak set";
          if (enabled (G_WEAK))
            op_weak_set (w, chance (w, 20));
          break;
        case 9:
          w->op = "re-entrant WkWeak get";
          if (enabled (G_WEAK))
            op_weak_get (w);
          break;
        case 10:
          w->op = "re-entrant value dict";
          if (enabled (G_VD))
            op_vd (w, FALSE);
          break;
        case 11:
          w->op = "re-entrant variant dict";
          if (enabled (G_VDV))
            op_vd (w, TRUE);
          break;
        case 12:
          w->op = "re-entrant key dict";
          if (enabled (G_KD))
            op_kd (w);
          break;
        case 13:
          w->op = "re-entrant GValue key dict";
          if (enabled (G_KDV))
            op_kdv (w);
          break;
        case 14:
          w->op = "re-entrant weak set";
          if (enabled (G_SET))
            op_set (w);
          break;
        case 15:
          w->op = "re-entrant finalizer";
          if (enabled (G_FIN))
            op_fin (w);
          break;
        case 16:
          w->op = "re-entrant hold/release";
          if (enabled (G_HOLD))
            op_hold (w);
          break;
        /* Not from a toggle notify (nor from what it calls): removing
         * another holder's toggle reference, or wk_gc_collect(), may
         * wait for another thread, and toggle-refs.md says a notify must
         * not: remove_toggle_ref() waits for that holder's notify when
         * it runs in another thread, so two notifies removing each
         * other's holders, or a notify collecting while a collection in
         * another thread removes its holder from a dispose, deadlock. */
        case 17:
          w->op = "re-entrant toggle ref";
          if (enabled (G_TOGGLE) && chance (w, 30) && w->in_toggle == 0)
            op_toggle (w);
          break;
        case 18:
          w->op = "re-entrant collect";
          if (enabled (G_GC) && chance (w, 10) && w->in_toggle == 0)
            op_gc (w);
          break;
        default:
          w->op = "re-entrant ref list";
          if (enabled (G_REF))
            op_ref_list (w);
          break;
        }
    }
  w->depth--;
  w->op = saved;
}

/* ------------------------------------------------------------------ */
/* The operation table                                                  */

static void op_weak_set_any (Worker *w) { op_weak_set (w, FALSE); }
static void op_weak_clear (Worker *w) { op_weak_set (w, TRUE); }
static void op_vd_c (Worker *w) { op_vd (w, FALSE); }
static void op_vd_variant (Worker *w) { op_vd (w, TRUE); }
static void op_private_unref (Worker *w) { op_private (w, FALSE); }
static void op_private_gc (Worker *w) { op_private (w, TRUE); }

typedef struct
{
  guint        weight;    /* tenths */
  Group        group;     /* N_GROUPS: always */
  void       (*func) (Worker *w);
  const char  *name;
} OpEntry;

static const OpEntry op_table[] = {
  {  60, N_GROUPS,     op_obj_new,          "object new" },
  {  40, N_GROUPS,     op_obj_drop,         "object drop" },
  {  30, N_GROUPS,     op_obj_hand,         "object hand" },
  {  30, G_WEAK,       op_weak_set_any,     "WkWeak set" },
  {  10, G_WEAK,       op_weak_clear,       "WkWeak clear" },
  {  40, G_WEAK,       op_weak_get,         "WkWeak get" },
  {  10, G_WEAK,       op_weak_init,        "WkWeak init" },
  {  30, G_SHARED_REF, op_ref_new_shared,   "shared ref new" },
  {  40, G_REF,        op_ref_new_callback, "ref new" },
  {  50, G_REF,        op_ref_get,          "ref get" },
  {  10, G_REF,        op_ref_is_alive,     "ref is_alive" },
  {  40, N_GROUPS,     op_read_burst,       "read burst" },
  {  30, N_GROUPS,     op_burst,            "burst" },
  {  20, G_REF,        op_ref_drop,         "ref drop" },
  {  20, G_REF,        op_ref_list,         "ref list" },
  {  60, G_VD,         op_vd_c,             "value dict (C)" },
  {  40, G_VDV,        op_vd_variant,       "value dict (variant)" },
  {  50, G_KD,         op_kd,               "key dict (C)" },
  {  30, G_KDV,        op_kdv,              "key dict (GValue)" },
  {  50, G_SET,        op_set,              "weak set" },
  {  50, G_FIN,        op_fin,              "finalizer" },
  {  30, G_TOGGLE,     op_toggle,           "toggle ref" },
  {  30, G_HOLD,       op_hold,             "hold/release" },
  {   2, G_GC,         op_gc,               "collect" },
  {  10, G_PRIVATE,    op_private_unref,    "private death" },
  {   3, G_GC,         op_private_gc,       "private death (collected)" },
  {   3, G_DISPOSE_SELF_REF, op_private_limit, "private death (ref made in dispose)" },
};

static guint op_weight_total;

static const OpEntry *
pick_op (Worker *w)
{
  for (;;)
    {
      guint r = rnd_n (w, op_weight_total), i;

      for (i = 0; i < G_N_ELEMENTS (op_table); i++)
        {
          if (r < op_table[i].weight)
            {
              if (op_table[i].group == N_GROUPS || enabled (op_table[i].group))
                return &op_table[i];
              break;
            }
          r -= op_table[i].weight;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

static guint64 totals[N_KINDS];
static gint    workers_done;      /* (atomic) */

static void
bump_progress (void)
{
  __atomic_fetch_add (&progress, 1, __ATOMIC_RELAXED);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  guint64 i;

  self_worker = w;
  for (i = 0; i < config.round_ops && !g_atomic_int_get (&stop_now); i++)
    {
      const OpEntry *entry = pick_op (w);

      w->op = entry->name;
      entry->func (w);
      w->op = "between operations";
      w->ops++;
      bump_progress ();
    }
  w->op = "finished its round";
  g_atomic_int_inc (&workers_done);
  return NULL;
}

static void
round_setup (guint round)
{
  Worker *m = workers[config.threads];
  guint t, i;

  current_round = round;
  for (t = 0; t <= config.threads; t++)
    workers[t]->rng = (config.seed ^ (G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) * (t + 1)) ^
                       ((guint64) round << 40)) | 1;

  /* Where collections run this round: never on their own, at once in the
   * allocating thread (with a threshold from small to the default), or
   * from the default main context, which the main thread iterates. */
  switch (enabled (G_GC) ? rnd_n (m, 4) : 3)
    {
    case 0:
      wk_gc_set_auto_mode (WK_GC_AUTO_IDLE);
      wk_gc_set_threshold (100 + rnd_n (m, 600), 10, 10);
      wk_gc_enable ();
      break;
    case 1:
      wk_gc_set_auto_mode (WK_GC_AUTO_ALLOC);
      wk_gc_set_threshold (10 + rnd_n (m, 90), 5, 5);
      wk_gc_enable ();
      break;
    case 2:
      wk_gc_set_auto_mode (WK_GC_AUTO_ALLOC);
      wk_gc_set_threshold (700, 10, 10);
      wk_gc_enable ();
      break;
    default:
      wk_gc_disable ();
      break;
    }

  vd_precise = vd_new (FALSE);
  vdv_precise = vd_new (TRUE);
  track_instance (vd_precise, &dicts_alive);
  track_instance (vdv_precise, &dicts_alive);
  for (t = 0; t < config.threads; t++)
    {
      kd_own[t] = wk_weak_key_dict_new (val_destroy);
      set_own[t] = wk_weak_set_new ();
      track_instance (kd_own[t], &dicts_alive);
      track_instance (set_own[t], &dicts_alive);
    }
  dict_put (&vd_chaos, vd_new (FALSE));
  dict_put (&vdv_chaos, vd_new (TRUE));
  dict_put (&kd_chaos, wk_weak_key_dict_new (val_destroy));
  dict_put (&kdv_chaos, wk_weak_key_dict_new_for_values ());
  dict_put (&set_chaos, wk_weak_set_new ());
  for (i = 0; i < N_WEAK_SLOTS; i++)
    {
      memset (&weak_slots[i].weak, 0, sizeof (WkWeak));   /* zero-filled: empty */
      weak_slots[i].version = 0;
      weak_slots[i].writers = 0;
      weak_slots[i].null_version = -1;
    }
}

static GPtrArray *
all_workers (void)
{
  GPtrArray *all = g_ptr_array_new ();
  guint t;

  for (t = 0; t <= config.threads; t++)
    g_ptr_array_add (all, workers[t]);
  lock (&strays_lock);
  if (strays != NULL)
    for (t = 0; t < strays->len; t++)
      g_ptr_array_add (all, g_ptr_array_index (strays, t));
  unlock (&strays_lock);
  return all;
}

static gboolean
holder_of (ObjInfo *info)
{
  guint i;

  for (i = 0; i < N_HOLDER_SLOTS; i++)
    if (holder_slots[i].holder != NULL && holder_slots[i].holder->target == info &&
        g_atomic_int_get (&holder_slots[i].holder->state) == H_REGISTERED)
      return TRUE;
  return FALSE;
}

/* With every thread stopped: the precise collections hold exactly what
 * their mirrors say for the objects alive, and nothing for the dead; the
 * toggle holders were last told what the count says. */
static void
quiescent_checks (void)
{
  GPtrArray *all = all_workers ();
  guint vd_live = 0, vdv_live = 0;
  guint t, n, i;

  workers[config.threads]->op = "checks with the threads stopped";
  /* The checks read objects, and a read may notify a toggle holder: what
   * it notifies must not change what is being counted. */
  g_atomic_int_set (&checking, 1);
  for (i = 0; i < all->len; i++)
    {
      Worker *w = g_ptr_array_index (all, i);
      guint j;

      for (j = 0; j < w->objs->len; j++)
        {
          ObjInfo *info = g_ptr_array_index (w->objs, j);

          /* A death, once begun, has finished when the threads stop. */
          CHECK (!g_atomic_int_get (&info->died) || g_atomic_int_get (&info->finalized) == 1,
                 "object #%" G_GUINT64_FORMAT " (%s, flags 0x%x) has begun to dispose but is not "
                 "finalized (disposes %d, finalized %d, count %u, %s) with every thread stopped",
                 info->serial, info->is_wk ? "WkObject" : "GObject", info->flags,
                 g_atomic_int_get (&info->disposes), g_atomic_int_get (&info->finalized),
                 wk_object_get_ref_count (info->object),
                 holder_of (info) ? "a toggle holder holds it" : "no toggle holder");
        }
    }

  for (t = 0; t < config.threads; t++)
    {
      Worker *w = workers[t];
      GHashTableIter hiter;
      gpointer k, v;
      guint live;

      for (n = 0; n < NS_KEYS; n++)
        {
          Key probe = { KEY_MAGIC, t, n, 0, NULL, 0 };
          GVariant *vkey = g_variant_ref_sink (g_variant_new ("(uu)", t, n));
          ObjInfo *target;
          gpointer got;

          target = w->vd_mirror[n];
          got = wk_weak_value_dict_lookup (vd_precise, &probe);
          if (target != NULL && !g_atomic_int_get (&target->died))
            {
              CHECK (got != NULL && obj_info (got) == target,
                     "the entry of a live object (#%" G_GUINT64_FORMAT ") in a value dict reads %s",
                     target->serial, got == NULL ? "NULL" : "another object");
              vd_live++;
            }
          else
            CHECK (got == NULL, "a value dict maps a key to an object that should be dead or absent");
          obj_clear (&got);

          target = w->vdv_mirror[n];
          got = wk_weak_value_dict_lookup_variant (vdv_precise, vkey);
          if (target != NULL && !g_atomic_int_get (&target->died))
            {
              CHECK (got != NULL && obj_info (got) == target,
                     "the entry of a live object (#%" G_GUINT64_FORMAT ") in a variant dict reads %s",
                     target->serial, got == NULL ? "NULL" : "another object");
              vdv_live++;
            }
          else
            CHECK (got == NULL, "a variant dict maps a key to an object that should be dead or absent");
          obj_clear (&got);
          g_variant_unref (vkey);
        }

      live = 0;
      g_hash_table_iter_init (&hiter, w->kd_mirror);
      while (g_hash_table_iter_next (&hiter, &k, &v))
        {
          ObjInfo *info = k;

          if (g_atomic_int_get (&info->died))
            continue;
          live++;
          CHECK (wk_weak_key_dict_lookup (kd_own[t], info->object) == v,
                 "a key dict does not map live key #%" G_GUINT64_FORMAT " to its value", info->serial);
        }
      CHECK (wk_weak_key_dict_get_size (kd_own[t]) == live,
             "a key dict counts %u entries; %u keys live", wk_weak_key_dict_get_size (kd_own[t]), live);

      live = 0;
      g_hash_table_iter_init (&hiter, w->set_mirror);
      while (g_hash_table_iter_next (&hiter, &k, NULL))
        {
          ObjInfo *info = k;

          if (g_atomic_int_get (&info->died))
            continue;
          live++;
          CHECK (wk_weak_set_contains (set_own[t], info->object),
                 "a weak set lost live member #%" G_GUINT64_FORMAT, info->serial);
        }
      CHECK (wk_weak_set_get_size (set_own[t]) == live,
             "a weak set counts %u members; %u live", wk_weak_set_get_size (set_own[t]), live);
      {
        WkWeakSetIter iter;
        gpointer member;
        guint seen = 0;

        wk_weak_set_iter_init (&iter, set_own[t]);
        while (wk_weak_set_iter_next (&iter, &member))
          {
            CHECK (g_hash_table_contains (w->set_mirror, obj_info (member)),
                   "a weak set iteration handed out an object never added");
            seen++;
          }
        CHECK (seen == live, "a weak set iteration handed out %u members; %u live", seen, live);
      }
    }
  CHECK (wk_weak_value_dict_get_size (vd_precise) == vd_live,
         "a value dict counts %u entries; %u values live", wk_weak_value_dict_get_size (vd_precise), vd_live);
  CHECK (wk_weak_value_dict_get_size (vdv_precise) == vdv_live,
         "a variant dict counts %u entries; %u values live", wk_weak_value_dict_get_size (vdv_precise),
         vdv_live);
  {
    WkWeakValueDictIter iter;
    gpointer key, value;
    guint seen = 0;

    wk_weak_value_dict_iter_init (&iter, vd_precise);
    while (wk_weak_value_dict_iter_next (&iter, &key, &value))
      {
        Key *k = key;

        CHECK (k->ns < config.threads && workers[k->ns]->vd_mirror[k->n] == obj_info (value),
               "a value dict iteration handed out an entry that its owner did not make");
        seen++;
      }
    CHECK (seen == vd_live, "a value dict iteration handed out %u entries; %u live", seen, vd_live);
  }

  /* Toggle holders: the last notification matches the count. */
  for (i = 0; i < N_HOLDER_SLOTS; i++)
    {
      Holder *h = holder_slots[i].holder;
      guint ref_count;
      gint told;

      if (h == NULL || g_atomic_int_get (&h->state) != H_REGISTERED)
        continue;
      ref_count = wk_object_get_ref_count (h->object);
      told = g_atomic_int_get (&h->last);
      CHECK ((told == 1) == (ref_count == 1),
             "a toggle holder of object #%" G_GUINT64_FORMAT " was last told is_last_ref=%s "
             "(%d notifications), but the count is %u", h->target->serial,
             told < 0 ? "nothing" : told ? "TRUE" : "FALSE", g_atomic_int_get (&h->notifies), ref_count);
    }
  g_ptr_array_unref (all);
  g_atomic_int_set (&checking, 0);
}

static void
print_leaks (GPtrArray *all)
{
  guint i, j, shown = 0, leaked = 0;

  for (i = 0; i < all->len; i++)
    {
      Worker *w = g_ptr_array_index (all, i);

      for (j = 0; j < w->objs->len; j++)
        {
          ObjInfo *info = g_ptr_array_index (w->objs, j);

          if (g_atomic_int_get (&info->finalized) == 1)
            continue;
          leaked++;
          if (shown++ < 10)
            {
              gboolean in_garbage = FALSE, in_kdv = FALSE;
              guint referrers = 0;

              if (g_atomic_int_get (&info->finalized) == 0)
                {
                  GPtrArray *garbage = wk_gc_get_garbage ();
                  GPtrArray *values = kdv_chaos.dict ? wk_weak_key_dict_get_values ((gpointer) kdv_chaos.dict) : NULL;
                  guint k;

                  in_garbage = array_contains (garbage, info->object);
                  unref_all (garbage);
                  for (k = 0; values != NULL && k < values->len; k++)
                    {
                      GValue *v = g_ptr_array_index (values, k);

                      if (G_VALUE_HOLDS_OBJECT (v) && g_value_get_object (v) == info->object)
                        in_kdv = TRUE;
                    }
                  if (values != NULL)
                    g_ptr_array_unref (values);
                  if (info->is_wk)
                    {
                      GPtrArray *r = wk_gc_get_referrers (info->object);

                      referrers = r->len;
                      unref_all (r);
                    }
                }
              g_printerr ("torture: object #%" G_GUINT64_FORMAT " (%s, flags 0x%x) not finalized: "
                          "disposes %d, finalized %d, count %u, %s, %u weak refs, %u tracked referrers%s%s\n",
                          info->serial, info->is_wk ? "WkObject" : "GObject", info->flags,
                          g_atomic_int_get (&info->disposes), g_atomic_int_get (&info->finalized),
                          g_atomic_int_get (&info->finalized) == 0 ? wk_object_get_ref_count (info->object) : 0,
                          info->is_wk && wk_gc_is_tracked (info->object) ? "tracked" : "untracked",
                          wk_get_weak_ref_count (info->object), referrers,
                          in_garbage ? ", in wk_gc_get_garbage()" : "",
                          in_kdv ? ", a value of the GValue key dict" : "");
            }
        }
    }
  CHECK (leaked == 0, "%u objects leaked (or finalized more than once) at the end of the round", leaked);
}

static void
teardown (void)
{
  Worker *m = workers[config.threads];
  GPtrArray *all;
  guint t, i, j;

  g_atomic_int_set (&tearing_down, 1);

  m->op = "teardown: removing toggle holders";
  for (i = 0; i < N_HOLDER_SLOTS; i++)
    holder_slot_put (m, i, NULL);
  bump_progress ();

  m->op = "teardown: dropping the hands and the pool";
  for (t = 0; t <= config.threads; t++)
    for (i = 0; i < HAND_SIZE; i++)
      obj_clear (&workers[t]->hand[i]);
  for (i = 0; i < N_OBJ_SLOTS; i++)
    obj_slot_put (i, NULL);
  bump_progress ();

  /* Cycles, and ephemeron pairs of the GValue key dict. */
  m->op = "teardown: collecting";
  for (i = 0; i < 20; i++)
    {
      guint found = wk_gc_collect (-1);

      bump_progress ();
      if (found == 0 && i >= 1)
        break;
    }

  all = all_workers ();
  m->op = "teardown: checking for leaks";
  print_leaks (all);

  /* Refs in the pool: their referents are all dead now. One that was
   * alive when its referent died (all of these, but those made while it
   * was dying) has called back. */
  m->op = "teardown: refs";
  for (i = 0; i < N_REF_SLOTS; i++)
    {
      RefSlot *slot = &ref_slots[i];

      if (slot->ref == NULL)
        continue;
      CHECK (wk_ref_get (slot->ref) == NULL, "a ref reads an object after every object died");
      CHECK (!wk_ref_is_alive (slot->ref), "a ref is alive after every object died");
      if (slot->tracker != NULL && !(slot->tracker->flags & RT_BORN_DEAD))
        {
          slot->tracker->must_call = TRUE;
          CHECK (g_atomic_int_get (&slot->tracker->called) == 1,
                 "a ref alive when its referent (#%" G_GUINT64_FORMAT ") died has called back %d times",
                 slot->target->serial, g_atomic_int_get (&slot->tracker->called));
        }
      ref_slot_put (i, NULL, NULL, NULL);
    }
  m->op = "teardown: finalizers";
  for (i = 0; i < N_FIN_SLOTS; i++)
    {
      if (fin_slots[i].fin != NULL)
        CHECK (!wk_finalizer_is_alive (fin_slots[i].fin), "a finalizer is alive after every object died");
      fin_slot_put (i, NULL, NULL);
    }
  m->op = "teardown: WkWeak slots";
  for (i = 0; i < N_WEAK_SLOTS; i++)
    {
      CHECK (wk_weak_get (&weak_slots[i].weak) == NULL, "a WkWeak reads an object after every object died");
      wk_weak_clear (&weak_slots[i].weak);
    }
  bump_progress ();

  m->op = "teardown: collections";
  CHECK (wk_weak_value_dict_get_size (vd_precise) == 0, "a value dict counts dead entries");
  CHECK (wk_weak_value_dict_get_size (vdv_precise) == 0, "a variant dict counts dead entries");
  obj_clear (&vd_precise);
  obj_clear (&vdv_precise);
  for (t = 0; t < config.threads; t++)
    {
      CHECK (wk_weak_key_dict_get_size (kd_own[t]) == 0, "a key dict counts dead keys");
      CHECK (wk_weak_set_get_size (set_own[t]) == 0, "a weak set counts dead members");
      obj_clear (&kd_own[t]);
      obj_clear (&set_own[t]);
    }
  {
    DictSlot *chaos[] = { &vd_chaos, &vdv_chaos, &kd_chaos, &kdv_chaos, &set_chaos };

    for (i = 0; i < G_N_ELEMENTS (chaos); i++)
      {
        GObject *dict = chaos[i]->dict;
        guint size = WK_IS_WEAK_VALUE_DICT (dict) ? wk_weak_value_dict_get_size ((gpointer) dict)
                   : WK_IS_WEAK_KEY_DICT (dict) ? wk_weak_key_dict_get_size ((gpointer) dict)
                   : wk_weak_set_get_size ((gpointer) dict);

        CHECK (size == 0, "a %s counts %u dead entries", G_OBJECT_TYPE_NAME (dict), size);
        dict_put (chaos[i], NULL);
      }
  }
  bump_progress ();

  m->op = "teardown: checking the model";
  CHECK (g_atomic_int_get (&refs_alive) == 0, "%d WkRefs leaked", g_atomic_int_get (&refs_alive));
  CHECK (g_atomic_int_get (&fins_alive) == 0, "%d WkFinalizers leaked", g_atomic_int_get (&fins_alive));
  CHECK (g_atomic_int_get (&dicts_alive) == 0, "%d collections leaked", g_atomic_int_get (&dicts_alive));
  for (i = 0; i < all->len; i++)
    {
      Worker *w = g_ptr_array_index (all, i);

      for (j = 0; j < w->refs->len; j++)
        {
          RefTracker *rt = g_ptr_array_index (w->refs, j);
          gint called = g_atomic_int_get (&rt->called), destroyed = g_atomic_int_get (&rt->destroyed);

          CHECK (destroyed == 1, "the destroy notify of a ref (referent #%" G_GUINT64_FORMAT
                 ", flags 0x%x, callback ran %d times) ran %d times", rt->target->serial,
                 rt->flags, called, destroyed);
          CHECK (called <= 1, "a ref callback ran %d times", called);
          if (rt->flags & RT_BORN_DEAD)
            CHECK (called == 0, "the callback of a ref made during its referent's death ran");
          if (rt->flags & RT_SELF_OWNED)
            CHECK (called == 1, "a ref that only its callback could drop was freed without calling back");
        }
      for (j = 0; j < w->fins->len; j++)
        {
          FinTracker *ft = g_ptr_array_index (w->fins, j);
          gint ran = g_atomic_int_get (&ft->ran), detached = g_atomic_int_get (&ft->detached_ok);

          CHECK (g_atomic_int_get (&ft->destroyed) == 1,
                 "the destroy notify of a %sfinalizer (object #%" G_GUINT64_FORMAT ") ran %d times "
                 "(function ran %d times, detached %d)", ft->light ? "light " : "",
                 ft->target->serial, g_atomic_int_get (&ft->destroyed), ran, detached);
          if (ft->flags & RT_BORN_DEAD)
            CHECK (ran == 0 && detached == 0, "a finalizer made during its object's death ran or detached");
          else
            CHECK (ran + detached == 1, "a %sfinalizer of a dead object ran %d times and was detached %d times",
                   ft->light ? "light " : "", ran, detached);
          CHECK (g_atomic_int_get (&ft->called_ok) <= ran, "call() returned TRUE without running");
        }
      for (j = 0; j < w->keys->len; j++)
        {
          Key *key = g_ptr_array_index (w->keys, j);

          CHECK (g_atomic_int_get (&key->destroyed) == 1, "value dict key (%u, %u) destroyed %d times",
                 key->ns, key->n, g_atomic_int_get (&key->destroyed));
        }
      for (j = 0; j < w->vals->len; j++)
        {
          Val *val = g_ptr_array_index (w->vals, j);

          CHECK (g_atomic_int_get (&val->destroyed) == 1, "key dict value destroyed %d times",
                 g_atomic_int_get (&val->destroyed));
        }
      for (j = 0; j < w->holders->len; j++)
        {
          Holder *h = g_ptr_array_index (w->holders, j);

          CHECK (g_atomic_int_get (&h->state) == H_REMOVED, "a toggle holder was never removed");
        }
    }

  /* Nothing may be pending: each finalizer ran at its object's death or
   * was detached. This would run any left (and the model saw them). */
  wk_finalize_run_atexit ();
  for (i = 0; i < all->len; i++)
    {
      Worker *w = g_ptr_array_index (all, i);

      for (j = 0; j < w->fins->len; j++)
        {
          FinTracker *ft = g_ptr_array_index (w->fins, j);

          CHECK (g_atomic_int_get (&ft->ran) + g_atomic_int_get (&ft->detached_ok) <= 1,
                 "wk_finalize_run_atexit() ran a finalizer of a dead object");
        }
    }

  /* Free the round's model. */
  for (i = 0; i < all->len; i++)
    {
      Worker *w = g_ptr_array_index (all, i);
      GPtrArray *lists[] = { w->objs, w->refs, w->fins, w->keys, w->vals, w->holders };

      for (j = 0; j < G_N_ELEMENTS (lists); j++)
        {
          g_ptr_array_set_free_func (lists[j], g_free);
          g_ptr_array_set_size (lists[j], 0);
          g_ptr_array_set_free_func (lists[j], NULL);
        }
      for (j = 0; j < w->ctxs->len; j++)
        {
          PrivateCtx *ctx = g_ptr_array_index (w->ctxs, j);

          g_array_unref (ctx->events);
          lock_clear (&ctx->lock);
          g_free (ctx);
        }
      g_ptr_array_set_size (w->ctxs, 0);
      memset (w->vd_mirror, 0, sizeof w->vd_mirror);
      memset (w->vdv_mirror, 0, sizeof w->vdv_mirror);
      g_hash_table_remove_all (w->kd_mirror);
      g_hash_table_remove_all (w->set_mirror);
      for (j = 0; j < N_KINDS; j++)
        {
          totals[j] += w->counts[j];
          w->counts[j] = 0;
        }
    }
  g_ptr_array_unref (all);
  g_atomic_int_set (&tearing_down, 0);
  m->op = "between rounds";
}

/* ------------------------------------------------------------------ */
/* Watchdog                                                             */

static gpointer
watchdog_thread (gpointer data)
{
  gint64 last = -1;
  gint64 since = g_get_monotonic_time ();

  while (!g_atomic_int_get (&watchdog_quit))
    {
      gint64 now = __atomic_load_n (&progress, __ATOMIC_RELAXED);

      g_usleep (200 * 1000);
      if (now != last)
        {
          last = now;
          since = g_get_monotonic_time ();
          continue;
        }
      if ((g_get_monotonic_time () - since) / 1e6 > config.stall_seconds)
        {
          guint t;

#ifdef TORTURE_TSAN
          /* What the threads last wrote about themselves, without
           * synchronization: this is a diagnosis, not a race to report. */
          AnnotateIgnoreReadsBegin (__FILE__, __LINE__);
#endif
          g_printerr ("\ntorture: FAILED: no progress for %.0f s: a deadlock (or a livelock). "
                      "What each thread is doing:\n", config.stall_seconds);
          for (t = 0; t <= config.threads; t++)
            g_printerr ("  %s %u: %s (depth %d, %" G_GUINT64_FORMAT " operations)\n",
                        t == config.threads ? "main" : "worker", t,
                        workers[t]->op ? workers[t]->op : "?", workers[t]->depth, workers[t]->ops);
          g_printerr ("  replay: WK_TORTURE_SEED=%" G_GUINT64_FORMAT " WK_TORTURE_THREADS=%u "
                      "(a core dump or gdb shows the stacks)\n", config.seed, config.threads);
          abort ();
        }
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */

static guint64
env_uint (const char *name,
          guint64     fallback)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    return fallback;
  return g_ascii_strtoull (value, NULL, 0);
}

static void
parse_config (void)
{
  const char *disable = g_getenv ("WK_TORTURE_DISABLE");
  const char *seconds = g_getenv ("WK_TORTURE_SECONDS");
  const char *stall = g_getenv ("WK_TORTURE_STALL");
  gboolean thorough = g_test_thorough ();

  config.threads = CLAMP (env_uint ("WK_TORTURE_THREADS", 4), 1, MAX_THREADS);
  config.ops_total = env_uint ("WK_TORTURE_OPS", thorough ? 10000000 : 4000000);
  config.round_ops = env_uint ("WK_TORTURE_ROUND_OPS", thorough ? 25000 : 10000);
  config.round_ops = MAX (1, MIN (config.round_ops, config.ops_total / config.threads));
  if (g_getenv ("WK_TORTURE_SEED") != NULL)
    config.seed = env_uint ("WK_TORTURE_SEED", 0);
  else
    config.seed = ((guint64) g_random_int () << 32) | g_random_int ();
  config.seconds = seconds != NULL ? g_ascii_strtod (seconds, NULL) : thorough ? 0 : 12;
  config.stall_seconds = stall != NULL ? g_ascii_strtod (stall, NULL) : 120;

  if (disable != NULL)
    {
      char **names = g_strsplit (disable, ",", -1);
      guint i, g;

      for (i = 0; names[i] != NULL; i++)
        {
          char *name = g_strstrip (names[i]);

          if (*name == '\0')
            continue;
          for (g = 0; g < N_GROUPS; g++)
            if (g_str_equal (name, groups[g].name))
              break;
          if (g == N_GROUPS)
            {
              g_printerr ("WK_TORTURE_DISABLE: unknown group '%s'; the groups are:\n", name);
              for (g = 0; g < N_GROUPS; g++)
                g_printerr ("  %-20s %s\n", groups[g].name, groups[g].help);
              exit (2);
            }
          config.disabled |= G_GUINT64_CONSTANT (1) << g;
        }
      g_strfreev (names);
    }
}

/* GLib allocates some of its global locks (the weak-reference lock, the
 * toggle-reference lock, ...) at their first use, through atomics that
 * ThreadSanitizer cannot see in an uninstrumented GLib: use each once in
 * the main thread, before the workers start, so that a first use in two
 * workers at once is not reported as a race. */
static void
warm_up_toggle (gpointer  data,
                GObject  *object,
                gboolean  is_last_ref)
{
}

static void
warm_up (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  WkObject *wk = wk_object_new ();
  WkRef *ref = wk_ref_new (object, NULL, NULL, NULL);
  WkWeak weak = WK_WEAK_INIT;
  GWeakRef gweak;
  gpointer got;
  WkFinalizer *fin;
  WkWeakValueDict *vd = wk_weak_value_dict_new_for_variants ();
  WkWeakKeyDict *kd = wk_weak_key_dict_new_for_values ();
  GValue value = G_VALUE_INIT;
  gint destroyed = 0;

  g_weak_ref_init (&gweak, object);
  got = g_weak_ref_get (&gweak);
  obj_clear (&got);
  g_weak_ref_clear (&gweak);
  wk_weak_set (&weak, wk);
  got = wk_weak_get (&weak);
  obj_clear (&got);
  wk_weak_clear (&weak);
  got = wk_ref_get (ref);
  obj_clear (&got);
  wk_object_add_toggle_ref (object, warm_up_toggle, NULL);
  wk_object_remove_toggle_ref (object, warm_up_toggle, NULL);
  fin = finalizer_new (object, count_destroy, &destroyed, NULL);
  obj_unref (fin);
  wk_weak_value_dict_insert_variant (vd, g_variant_new_string ("warm"), object);
  wk_weak_value_dict_insert_variant (vd, g_variant_new ("(uu)", 1, 2), object);
  wk_weak_value_dict_insert_variant (vd, g_variant_new ("(sa{sv}x)", "nested", NULL, (gint64) 1), object);
  wk_weak_value_dict_insert_variant (vd, g_variant_new ("ax", NULL), object);
  g_value_init (&value, G_TYPE_INT);
  wk_weak_key_dict_insert_value (kd, object, &value);
  wk_object_hold (wk, object);
  obj_unref (ref);
  obj_unref (object);
  obj_unref (wk);
  (void) wk_gc_collect (-1);
  obj_unref (vd);
  obj_unref (kd);
  g_assert_cmpint (destroyed, ==, 1);
  (void) wk_gc_get_default ();
}

static void
test_torture (void)
{
  GThread *threads[MAX_THREADS];
  GThread *watchdog;
  guint64 ops = 0;
  gint64 start = g_get_monotonic_time ();
  guint round = 0, t, k;
  gboolean timed_out = FALSE;
  gdouble elapsed;
  GString *disabled = g_string_new (NULL);

  for (k = 0; k < N_GROUPS; k++)
    if (!enabled (k))
      g_string_append_printf (disabled, "%s%s", disabled->len ? "," : "", groups[k].name);

  g_test_message ("seed %" G_GUINT64_FORMAT " (WK_TORTURE_SEED), %u threads, %" G_GUINT64_FORMAT
                  " operations in rounds of %" G_GUINT64_FORMAT " per thread, time limit %s%s%s",
                  config.seed, config.threads, config.ops_total, config.round_ops,
                  config.seconds > 0 ? "set" : "none",
                  disabled->len ? ", LEFT OUT: " : "", disabled->str);
  if (config.seconds > 0)
    g_test_message ("time limit %.0f s (WK_TORTURE_SECONDS)", config.seconds);
  if (finalize_add == NULL)
    g_test_message ("wk_finalize_add() is not exported: light finalizers not tested");
  fflush (stdout);

  for (t = 0; t <= config.threads; t++)
    workers[t] = worker_new (t);
  self_worker = workers[config.threads];
  for (k = 0; k < G_N_ELEMENTS (op_table); k++)
    op_weight_total += op_table[k].weight;

  warm_up ();
  watchdog = g_thread_new ("torture-watchdog", watchdog_thread, NULL);

  /* Round 0: every kind of operation once or more in the main thread
   * alone (what GLib sets up at first use is then set up before any
   * worker runs), checked as any round. */
  round_setup (0);
  {
    Worker *m = workers[config.threads];
    guint i;

    for (i = 0; i < G_N_ELEMENTS (op_table); i++)
      if (op_table[i].group == N_GROUPS || enabled (op_table[i].group))
        for (k = 0; k < 20; k++)
          {
            m->op = op_table[i].name;
            op_table[i].func (m);
          }
    for (i = 0; i < 2000; i++)
      {
        const OpEntry *entry = pick_op (m);

        m->op = entry->name;
        entry->func (m);
        ops++;
      }
  }
  quiescent_checks ();
  teardown ();

  while (ops < config.ops_total && !timed_out)
    {
      round_setup (++round);
      g_atomic_int_set (&workers_done, 0);
      for (t = 0; t < config.threads; t++)
        {
          char name[32];

          g_snprintf (name, sizeof name, "torture-%u", t);
          threads[t] = g_thread_new (name, worker_thread, workers[t]);
        }
      /* The main thread runs the default main context meanwhile, where
       * WK_GC_AUTO_IDLE collections happen. */
      workers[config.threads]->op = "iterating the default main context";
      while ((guint) g_atomic_int_get (&workers_done) < config.threads)
        {
          while (g_main_context_iteration (NULL, FALSE))
            ;
          if (config.seconds > 0 && (g_get_monotonic_time () - start) / 1e6 > config.seconds)
            {
              g_atomic_int_set (&stop_now, 1);
              timed_out = TRUE;
            }
          g_usleep (2000);
        }
      for (t = 0; t < config.threads; t++)
        {
          g_thread_join (threads[t]);
          ops += workers[t]->ops;
          workers[t]->ops = 0;
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      quiescent_checks ();
      teardown ();
    }

  g_atomic_int_set (&watchdog_quit, 1);
  g_thread_join (watchdog);
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  for (k = 0; k < N_KINDS; k++)
    g_test_message ("%12" G_GUINT64_FORMAT "  %s", totals[k], kind_names[k]);
  g_test_message ("seed %" G_GUINT64_FORMAT ", %u threads, %u rounds, %" G_GUINT64_FORMAT
                  " operations in %.1f s (%.0f/s)%s", config.seed, config.threads, round, ops, elapsed,
                  ops / MAX (elapsed, 0.001),
                  timed_out ? ", stopped by the time limit" : "");
  g_string_free (disabled, TRUE);
  /* Every kind of operation ran (unless left out). */
  g_assert_cmpuint (ops, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  parse_config ();

  torture_quark = g_quark_from_static_string ("wk-torture-instance");
  finalizer_new = (FinalizerNewFunc) dlsym (RTLD_DEFAULT, "wk_finalizer_new");
  if (finalizer_new == NULL)
    finalizer_new = (FinalizerNewFunc) dlsym (RTLD_DEFAULT, "wk_finalize_new");
  finalizer_dup_object = (FinalizerDupFunc) dlsym (RTLD_DEFAULT, "wk_finalizer_dup_object");
  if (finalizer_dup_object == NULL)
    finalizer_dup_object = (FinalizerDupFunc) dlsym (RTLD_DEFAULT, "wk_finalizer_peek");
  finalize_add = (FinalizeAddFunc) dlsym (RTLD_DEFAULT, "wk_finalize_add");
  finalize_remove = (FinalizeRemoveFunc) dlsym (RTLD_DEFAULT, "wk_finalize_remove");
  if (finalize_add == NULL || finalize_remove == NULL)
    finalize_add = NULL, finalize_remove = NULL;
  g_assert_nonnull (finalizer_new);
  g_assert_nonnull (finalizer_dup_object);

  g_test_add_func ("/torture/random", test_torture);
  return g_test_run ();
}
