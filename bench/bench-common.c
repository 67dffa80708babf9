/* bench-common.c: what bench-ref.c and bench-dicts.c do the same way
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing here runs inside a timed region: the rounds only call the
 * variants, bench_sample_make() runs once the clock has stopped, and the
 * rest is the report. The clock itself is the inline bench_now_ns() of
 * the header.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#if defined (__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
# include <malloc.h>
# define HAVE_MALLINFO2 1
#endif

#include <wk/wk.h>

#include "bench-common.h"

/* What the last bench_run_rounds() filled in. */
static const BenchResult *run_results;
static guint run_n_variants;
static guint run_rounds;

/* --rows, kept by bench_parse_options() for bench_print_rows(). */
static const char *rows_path;

/* ---------------------------------------------------------------------- */
/* Command line                                                           */

/* Parses with @entries, which point into @opts, and works out the rounds
 * and the target. Says what is wrong and returns FALSE when the command
 * line makes no sense. */
gboolean
bench_parse_options (BenchOptions        *opts,
                     const char          *summary,
                     const GOptionEntry  *entries,
                     int                 *argc,
                     char              ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (summary);
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  opts->rounds = opts->rounds_arg > 0 ? (guint) opts->rounds_arg
                 : opts->quick ? BENCH_QUICK_ROUNDS : BENCH_DEFAULT_ROUNDS;
  if (opts->rounds_arg < 0 || opts->rounds > BENCH_MAX_ROUNDS)
    {
      g_printerr ("--rounds must be between 1 and %d\n", BENCH_MAX_ROUNDS);
      return FALSE;
    }
  opts->target_ms = opts->quick ? BENCH_QUICK_TARGET_MS : BENCH_DEFAULT_TARGET_MS;
  rows_path = opts->rows_file;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Rounds                                                                 */

/* At least 1 ns and 1 op, so that no figure divides by zero. */
BenchSample
bench_sample_make (gint64  ns,
                   guint64 ops)
{
  BenchSample s = { MAX (ns, 1), MAX (ops, 1), NAN };

  return s;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* @n is at most BENCH_MAX_ROUNDS. */
double
bench_median (const double *values,
              guint         n)
{
  double sorted[BENCH_MAX_ROUNDS];

  memcpy (sorted, values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  if (n % 2 == 1)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* Every variant once per round, round after round, so that slow drifts of
 * the machine spread over all of them; then each one's medians. */
guint64
bench_calibrate (BenchRunVariant  run,
                 guint            v,
                 gint64           target_ns)
{
  guint64 n = 16;

  for (;;)
    {
      BenchSample s = run (v, n);

      if (s.ns >= target_ns / 4 || n >= G_MAXUINT64 / 64)
        return MAX ((guint64) 1, (guint64) ((double) target_ns * (double) n / (double) s.ns));
      n *= s.ns < target_ns / 64 ? 16 : 2;
    }
}

void
bench_run_rounds (BenchResult     *results,
                  guint            n_variants,
                  guint            rounds,
                  BenchRunVariant  run)
{
  guint r, i;

  for (r = 0; r < rounds; r++)
    {
      g_printerr ("round %u/%u\n", r + 1, rounds);
      for (i = 0; i < n_variants; i++)
        {
          BenchSample s = run (i, results[i].n);

          results[i].ns[r] = (double) s.ns / (double) s.ops;
          results[i].aux[r] = s.aux;
        }
    }

  for (i = 0; i < n_variants; i++)
    {
      results[i].median = bench_median (results[i].ns, rounds);
      results[i].aux_median = bench_median (results[i].aux, rounds);
    }

  run_results = results;
  run_n_variants = n_variants;
  run_rounds = rounds;
}

double
bench_med (guint v)
{
  return run_results[v].median;
}

/* The table's cell for variant @v's median. */
char *
bench_med_cell (guint v)
{
  return bench_ns_cell (run_results[v].median);
}

/* The median over the rounds of a/b, each pair from the same round: two
 * runs a few hundred ms apart share the machine's state of the moment
 * far better than two medians do. */
double
bench_ratio (guint a,
             guint b)
{
  double r[BENCH_MAX_ROUNDS];
  guint i;

  for (i = 0; i < run_rounds; i++)
    r[i] = run_results[a].ns[i] / run_results[b].ns[i];
  return bench_median (r, run_rounds);
}

/* The notes' line on how noisy the rounds were: the three variants whose
 * rounds lie furthest apart (fewer if there are fewer). */
void
bench_print_noisiest (void)
{
  g_autofree double *spread = g_new (double, run_n_variants);
  g_autofree gboolean *shown = g_new0 (gboolean, run_n_variants);
  guint i, j, k;

  for (i = 0; i < run_n_variants; i++)
    {
      double lo = run_results[i].ns[0], hi = run_results[i].ns[0];

      for (j = 1; j < run_rounds; j++)
        {
          lo = MIN (lo, run_results[i].ns[j]);
          hi = MAX (hi, run_results[i].ns[j]);
        }
      spread[i] = (hi - lo) / run_results[i].median;
    }

  printf ("- noisiest variants, (max-min)/median over the rounds:");
  for (k = 0; k < MIN (3, run_n_variants); k++)
    {
      guint worst = run_n_variants;

      for (i = 0; i < run_n_variants; i++)
        if (!shown[i] && (worst == run_n_variants || spread[i] > spread[worst]))
          worst = i;
      shown[worst] = TRUE;
      printf ("%s %s %.0f%%", k > 0 ? "," : "", run_results[worst].label, 100 * spread[worst]);
    }
  printf ("\n");
}

/* --verbose: every round's figure. @n_name and @n_width label the count
 * each variant was calibrated to, which each program calls its own. */
void
bench_print_rounds (const char *n_name,
                    int         n_width)
{
  guint i, r;

  printf ("\nper round (ns/op), in the order each round ran them:\n");
  for (i = 0; i < run_n_variants; i++)
    {
      printf ("  %-28s %s=%-*" G_GUINT64_FORMAT " median %8.1f :", run_results[i].label,
              n_name, n_width, run_results[i].n, run_results[i].median);
      for (r = 0; r < run_rounds; r++)
        printf (" %.1f", run_results[i].ns[r]);
      printf ("\n");
    }
}

/* ---------------------------------------------------------------------- */
/* Report                                                                 */

static char *
cpu_model (void)
{
  static const char *const keys[] = { "model name", "Model", "Hardware", "cpu model", "Processor" };
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint k, i;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (contents, "\n", -1);
  for (k = 0; k < G_N_ELEMENTS (keys); k++)
    for (i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], keys[k]) && strchr (lines[i], ':') != NULL)
        return g_strstrip (g_strdup (strchr (lines[i], ':') + 1));
  return g_strdup ("unknown");
}

/* The start of the header: @title, then what the figures were taken on. */
void
bench_print_system (const char *title)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M:%S %z");
  g_autofree char *cpu = cpu_model ();
  struct utsname u;

  if (uname (&u) != 0)
    memset (&u, 0, sizeof u);

  printf ("# %s\n", title);
  printf ("date:    %s\n", date);
  printf ("system:  %s %s %s\n", u.sysname, u.release, u.machine);
  printf ("cpu:     %s\n", cpu);
  printf ("nproc:   %u\n", g_get_num_processors ());
  printf ("glib:    %u.%u.%u (built against %d.%d.%d)\n",
          glib_major_version, glib_minor_version, glib_micro_version,
          GLIB_MAJOR_VERSION, GLIB_MINOR_VERSION, GLIB_MICRO_VERSION);
  printf ("wk:      %s (library %u.%u.%u)\n", WK_VERSION_S,
          wk_get_major_version (), wk_get_minor_version (), wk_get_micro_version ());
}

void
bench_print_rounds_line (const BenchOptions *opts)
{
  printf ("rounds:  %u%s, interleaved, ~%" G_GINT64_FORMAT " ms of timed work"
          " per variant per round; figures are medians over the rounds\n",
          opts->rounds, opts->quick ? " (--quick)" : "", opts->target_ms);
}

static const char *
or_dash (const char *s)
{
  return s != NULL ? s : "-";
}

static void
row_clear (gpointer data)
{
  BenchRow *r = data;

  g_free (r->what);
  g_free (r->wk);
  g_free (r->glib);
  g_free (r->target);
}

/* An array of BenchRow that frees what its rows own. */
GArray *
bench_rows_new (void)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (BenchRow));

  g_array_set_clear_func (rows, row_clear);
  return rows;
}

/* Takes @wk, @glib and @target. */
void
bench_add_row (GArray     *rows,
               const char *what,
               char       *wk,
               char       *glib,
               double      ratio,
               char       *target,
               gint        met)
{
  BenchRow row = { g_strdup (what), wk, glib, ratio, target, met };

  g_array_append_val (rows, row);
}

/* A cell of the TSV: tabs and newlines would break the format. */
static char *
tsv_cell (const char *s)
{
  char *cell = g_strdup (or_dash (s));

  g_strdelimit (cell, "\t\n", ' ');
  return cell;
}

/* --rows: the heads, then one line per row, with the ratio as a plain
 * number (empty when there is none) and met as yes, no or -. */
static void
write_rows_file (GArray     *rows,
                 const char *wk_head,
                 const char *glib_head)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *wk_cell = tsv_cell (wk_head);
  g_autofree char *glib_cell = tsv_cell (glib_head);
  guint i;

  g_string_append_printf (out, "#measurement\t%s\t%s\tratio\ttarget\tmet\n", wk_cell, glib_cell);
  for (i = 0; i < rows->len; i++)
    {
      BenchRow *r = &g_array_index (rows, BenchRow, i);
      g_autofree char *what = tsv_cell (r->what);
      g_autofree char *wk = tsv_cell (r->wk);
      g_autofree char *glib = tsv_cell (r->glib);
      g_autofree char *target = tsv_cell (r->target);
      char ratio[G_ASCII_DTOSTR_BUF_SIZE] = "";

      if (!isnan (r->ratio))
        g_ascii_formatd (ratio, sizeof ratio, "%.4f", r->ratio);
      g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\t%s\n", what, wk, glib, ratio, target,
                              r->met < 0 ? "-" : r->met ? "yes" : "no");
    }
  if (!g_file_set_contents (rows_path, out->str, (gssize) out->len, &error))
    g_printerr ("--rows: %s\n", error->message);
}

void
bench_print_rows (GArray     *rows,
                  const char *wk_head,
                  const char *glib_head)
{
  const char *const heads[] = {
    "measurement", wk_head, glib_head, "ratio", "target", "met?"
  };
  int w[G_N_ELEMENTS (heads)];
  char ratio[32];
  guint i, j;

  for (j = 0; j < G_N_ELEMENTS (heads); j++)
    w[j] = (int) strlen (heads[j]);
  for (i = 0; i < rows->len; i++)
    {
      BenchRow *r = &g_array_index (rows, BenchRow, i);

      w[0] = MAX (w[0], (int) strlen (r->what));
      w[1] = MAX (w[1], (int) strlen (or_dash (r->wk)));
      w[2] = MAX (w[2], (int) strlen (or_dash (r->glib)));
      w[4] = MAX (w[4], (int) strlen (or_dash (r->target)));
    }
  w[3] = MAX (w[3], 7);

  printf ("%-*s | %*s | %*s | %*s | %-*s | %s\n",
          w[0], heads[0], w[1], heads[1], w[2], heads[2],
          w[3], heads[3], w[4], heads[4], heads[5]);
  for (j = 0; j < G_N_ELEMENTS (heads); j++)
    {
      int k;

      for (k = 0; k < w[j] + (j == 0 ? 1 : 2); k++)
        putchar ('-');
      if (j + 1 < G_N_ELEMENTS (heads))
        putchar ('|');
    }
  putchar ('\n');

  for (i = 0; i < rows->len; i++)
    {
      BenchRow *r = &g_array_index (rows, BenchRow, i);

      if (isnan (r->ratio))
        g_strlcpy (ratio, "-", sizeof ratio);
      else
        g_snprintf (ratio, sizeof ratio, "%.2fx", r->ratio);
      printf ("%-*s | %*s | %*s | %*s | %-*s | %s\n",
              w[0], r->what, w[1], or_dash (r->wk), w[2], or_dash (r->glib),
              w[3], ratio, w[4], or_dash (r->target),
              r->met < 0 ? "-" : r->met ? "yes" : "no");
    }

  if (rows_path != NULL)
    write_rows_file (rows, wk_head, glib_head);
}

char *
bench_ns_cell (double ns)
{
  return g_strdup_printf (ns < 100 ? "%.1f" : "%.0f", ns);
}

/* ---------------------------------------------------------------------- */
/* Memory                                                                 */

/* The small chunks (uordblks) and the big arrays malloc maps on their own
 * (hblkhd), such as the slot arrays of a large GHashTable. */
gint64
bench_heap_in_use (void)
{
#ifdef HAVE_MALLINFO2
  struct mallinfo2 mi = mallinfo2 ();

  return (gint64) (mi.uordblks + mi.hblkhd);
#else
  return -1;
#endif
}

/* With G_SLICE=always-malloc, 1000 slices of 64 bytes take at least 64 kB
 * of malloc'd chunks; GSlice's magazines would take none or a page. */
gboolean
bench_slice_is_malloc (void)
{
  gpointer blocks[1000];
  gint64 base = bench_heap_in_use (), used;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (blocks); i++)
    blocks[i] = g_slice_alloc (64);
  used = bench_heap_in_use () - base;
  for (i = 0; i < G_N_ELEMENTS (blocks); i++)
    g_slice_free1 (64, blocks[i]);
  return base >= 0 && used >= (gint64) (64 * G_N_ELEMENTS (blocks));
}

GHashTable *
bench_run_memory_child (const char *const *args)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "G_SLICE", "always-malloc", TRUE);
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GHashTable *figures;
  gint status = 0;
  guint i;

  if (bench_heap_in_use () < 0)
    {
      g_printerr ("memory: this C library has no mallinfo2()\n");
      return NULL;
    }
  if (self == NULL)
    {
      g_printerr ("memory: cannot find this program\n");
      return NULL;
    }
  g_ptr_array_add (argv, self);
  g_ptr_array_add (argv, (gpointer) "--memory-child");
  for (i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("memory run failed: %s\n", error->message);
      return NULL;
    }

  figures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (out, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char name[64];
      double value;

      if (sscanf (lines[i], "%63s %lf", name, &value) == 2)
        g_hash_table_insert (figures, g_strdup (name), g_memdup2 (&value, sizeof value));
    }
  return figures;
}

/* The figure @name of a bench_run_memory_child() table, or NAN. */
double
bench_memory_figure (GHashTable *figures,
                     const char *name)
{
  const double *value = figures != NULL ? g_hash_table_lookup (figures, name) : NULL;

  return value != NULL ? *value : NAN;
}
