/* bench-common.h: what bench-ref.c and bench-dicts.c do the same way
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both programs run their variants in interleaved rounds and print one
 * table of medians and per-round ratios under the same header. What each
 * measures, how it calibrates and what its notes say stays in the program;
 * the clock, the rounds, the medians, the table, the header and the
 * command line are here, so that the two report alike.
 */

#pragma once

#include <time.h>

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_MAX_ROUNDS         101
#define BENCH_DEFAULT_ROUNDS     7
#define BENCH_QUICK_ROUNDS       3
#define BENCH_DEFAULT_TARGET_MS  100   /* timed work per variant per round */
#define BENCH_QUICK_TARGET_MS    10

/* Inline: the timed loops read the clock at their ends, and in chunked
 * loops within, where a call into another unit would be timed too. */
static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* ---------------------------------------------------------------------- */
/* Command line                                                           */

/* The options both programs have. A program's GOptionEntry table points
 * into this (in its own order, with its own help texts) and may add
 * options of its own. */
typedef struct
{
  gint      rounds_arg;   /* --rounds as given; 0 when not given */
  gboolean  quick;
  gboolean  verbose;
  char     *rows_file;    /* --rows: where to write the table as TSV */

  /* Set by bench_parse_options() */
  guint     rounds;
  gint64    target_ms;    /* timed work per variant per round */
} BenchOptions;

/* --rounds, --quick and --verbose, for an entries table over the
 * BenchOptions @opts (a variable, not a pointer). */
#define BENCH_OPTION_ENTRIES(opts) \
    { "rounds", 0, 0, G_OPTION_ARG_INT, &(opts).rounds_arg, \
      "Number of rounds (default 7; 3 with --quick)", "N" }, \
    { "quick", 0, 0, G_OPTION_ARG_NONE, &(opts).quick, \
      "3 short rounds, for smoke tests", NULL }, \
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &(opts).verbose, \
      "Also list every variant's iterations and per-round figures", NULL }, \
    BENCH_ROWS_ENTRY (opts)

/* --rows FILE, for the runner (bench/run_bench.py) that gathers every
 * program's table into one. */
#define BENCH_ROWS_ENTRY(opts) \
    { "rows", 0, 0, G_OPTION_ARG_FILENAME, &(opts).rows_file, \
      "Also write the table to FILE, tab-separated, for bench/run_bench.py", "FILE" }

gboolean bench_parse_options (BenchOptions        *opts,
                              const char          *summary,
                              const GOptionEntry  *entries,
                              int                 *argc,
                              char              ***argv);

/* ---------------------------------------------------------------------- */
/* Rounds                                                                 */

typedef struct
{
  gint64   ns;          /* timed wall-clock time */
  guint64  ops;
  double   aux;         /* a side figure some variants report, or NAN */
} BenchSample;

BenchSample bench_sample_make (gint64  ns,
                               guint64 ops);

/* One variant's figures over the rounds. The program fills in label and
 * n before bench_run_rounds(), which fills in the rest. */
typedef struct
{
  const char  *label;
  guint64      n;                       /* iterations or passes per round */
  double       ns[BENCH_MAX_ROUNDS];    /* ns per op, one per round */
  double       aux[BENCH_MAX_ROUNDS];
  double       median;
  double       aux_median;
} BenchResult;

/* Runs variant @v once, with the n it was calibrated to. */
typedef BenchSample (*BenchRunVariant) (guint   v,
                                        guint64 n);

/* Grows n until variant @v takes a quarter of @target_ns, then scales it
 * to the target; the runs double as warm-up. For variants whose ns is
 * proportional to n. */
guint64 bench_calibrate      (BenchRunVariant  run,
                              guint            v,
                              gint64           target_ns);
void   bench_run_rounds      (BenchResult     *results,
                              guint            n_variants,
                              guint            rounds,
                              BenchRunVariant  run);
double bench_median          (const double    *values,
                              guint            n);

/* These read the results of the last bench_run_rounds(): a program has
 * one set, and its table and notes are made of them. */
double bench_med             (guint            v);
char  *bench_med_cell        (guint            v);
double bench_ratio           (guint            a,
                              guint            b);
void   bench_print_noisiest  (void);
void   bench_print_rounds    (const char      *n_name,
                              int              n_width);

/* ---------------------------------------------------------------------- */
/* Report                                                                 */

void bench_print_system      (const char         *title);
void bench_print_rounds_line (const BenchOptions *opts);

/* One line of the table; the program names the Wk and GLib columns. */
typedef struct
{
  char   *what;
  char   *wk;       /* (nullable) */
  char   *glib;     /* (nullable) */
  double  ratio;    /* NAN when none */
  char   *target;   /* (nullable) */
  gint    met;      /* 1, 0, or -1 when there is no target */
} BenchRow;

GArray *bench_rows_new   (void);
void    bench_add_row    (GArray     *rows,
                          const char *what,
                          char       *wk,
                          char       *glib,
                          double      ratio,
                          char       *target,
                          gint        met);
void    bench_print_rows (GArray     *rows,
                          const char *wk_head,
                          const char *glib_head);
char   *bench_ns_cell    (double      ns);

/* ---------------------------------------------------------------------- */
/* Memory                                                                 */

/* Heap bytes in use, malloc chunk headers included (mallinfo2()), or -1
 * where the C library has no mallinfo2(). */
gint64      bench_heap_in_use       (void);
/* Whether g_slice_alloc() goes to malloc (G_SLICE=always-malloc), so that
 * bench_heap_in_use() sees every slice. */
gboolean    bench_slice_is_malloc   (void);
/* Runs this program again with G_SLICE=always-malloc, --memory-child and
 * @args, and returns what it printed as "name value" lines: a table of
 * name to (double *). NULL, with a message, if the run failed. */
GHashTable *bench_run_memory_child  (const char *const *args);
double      bench_memory_figure     (GHashTable *figures,
                                     const char *name);

G_END_DECLS
