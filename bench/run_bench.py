#!/usr/bin/python3
# run_bench.py: every Wk benchmark, one table
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs the benchmark programs one after the other (each interleaves its
# own variants round by round, A B A B ..., and reports medians), has
# each write its table with --rows, and prints one table of them all:
# area, measurement, Wk, the reference (GLib, or CPython for the Python
# binding and the collector), ratio, target, met or not. Each program's
# full report, with its notes, goes to a log next to it.
#
# Timings never make this fail: only a program that crashes or writes no
# table does (exit status 1), because then the table would be incomplete.
#
# Usage: run_bench.py --build-dir BUILD/bench [--quick] [--rounds N]
#                     [--only AREA,...] [--markdown FILE]
# `meson test -C _build --benchmark --verbose` and `make bench` run it.

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_system import print_system  # noqa: E402

# The Python benchmarks need Debian's interpreter, the one with gi.
GI_PYTHON = '/usr/bin/python3'

# area, program, how to run it (C executable or Python script), what the
# reference column is in that program's table
PROGRAMS = [
    ('ref', 'bench-ref', 'c', 'GLib (GWeakRef, or the g_object_ref+unref floor)'),
    ('dicts', 'bench-dicts', 'c', 'the GLib idioms (GHashTable + GWeakRef / weak notify)'),
    ('finalize', 'bench-finalize', 'c', 'GLib (g_object_weak_ref)'),
    ('gc', 'bench-gc', 'c', 'CPython gc.collect() (rows 1-3), GObject (row 4)'),
    ('dicts-python', 'bench_dicts.py', 'python', "CPython's weakref dicts"),
    ('finalize-python', 'bench_finalize.py', 'python', "CPython's weakref.finalize and ref"),
]


def python_env(build_dir):
    """The environment of the Python programs: the override's native
    module, when the build made one, is in BUILD/introspection/python
    (the .py files come from the source tree, through the PYTHONPATH the
    build's benchmark environment sets)."""
    env = dict(os.environ)
    native_dir = os.path.join(os.path.dirname(os.path.abspath(build_dir)),
                              'introspection', 'python')
    if os.path.isdir(native_dir):
        env['PYTHONPATH'] = os.pathsep.join(
            [native_dir] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    return env


def python_has_wk():
    """Whether the Python benchmarks can run: Debian's python3 with gi and
    the Wk typelib on GI_TYPELIB_PATH."""
    if not os.path.exists(GI_PYTHON):
        return False, '%s not found' % GI_PYTHON
    probe = ("import gi; gi.require_version('Wk', '1.0'); "
             "from gi.repository import Wk; print(gi.__version__)")
    r = subprocess.run([GI_PYTHON, '-c', probe], capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ['?'])[-1]
        return False, 'no Wk typelib for %s (%s)' % (GI_PYTHON, last)
    return True, r.stdout.strip()


def read_rows(path):
    """The program's --rows file: a header line, then one row per line."""
    rows = []
    with open(path) as f:
        for line in f:
            cells = line.rstrip('\n').split('\t')
            if line.startswith('#'):
                continue
            if len(cells) != 6:
                continue
            what, wk, ref, ratio, target, met = cells
            rows.append({
                'what': what,
                'wk': wk,
                'ref': ref,
                'ratio': float(ratio) if ratio not in ('', '-') else None,
                'target': target,
                'met': met,
            })
    return rows


def header_value(log, key):
    m = re.search(r'^%s:\s*(.*)$' % re.escape(key), log, re.M)
    return m.group(1).strip() if m else None


def run_program(area, program, kind, args, log_dir):
    rows_file = tempfile.NamedTemporaryFile(prefix='wk-bench-%s-' % area, suffix='.tsv',
                                            delete=False)
    rows_file.close()
    extra = []
    if args.quick:
        extra.append('--quick')
    if args.rounds:
        extra.append('--rounds=%d' % args.rounds)
    extra.append('--rows=%s' % rows_file.name)
    env = None
    if kind == 'c':
        argv = [os.path.join(args.build_dir, program)] + extra
    else:
        argv = [GI_PYTHON, os.path.join(HERE, program)] + extra
        env = python_env(args.build_dir)
    log_path = os.path.join(log_dir, '%s.txt' % area)
    print('== %s: %s' % (area, ' '.join(argv)), file=sys.stderr, flush=True)
    with open(log_path, 'w') as log:
        # Progress (stderr) goes through; the report goes to the log.
        status = subprocess.call(argv, stdout=log, env=env)
    with open(log_path) as log:
        text = log.read()
    try:
        rows = read_rows(rows_file.name)
    finally:
        os.unlink(rows_file.name)
    if status != 0 or not rows:
        print('%s failed (exit status %d, %d rows); its report: %s'
              % (program, status, len(rows), log_path), file=sys.stderr)
        return None, text, log_path
    return rows, text, log_path


def cell_ratio(r):
    return '-' if r is None else '%.2fx' % r


def print_table(sections, out, markdown=False):
    heads = ('area', 'measurement', 'Wk', 'reference', 'ratio', 'target', 'met?')
    lines = []
    for area, ref_name, rows in sections:
        for r in rows:
            lines.append((area, r['what'], r['wk'], r['ref'], cell_ratio(r['ratio']),
                          r['target'], r['met']))
    if markdown:
        out.write('| ' + ' | '.join(heads) + ' |\n')
        out.write('|' + '|'.join(['---', '---', '--:', '--:', '--:', '---', '---']) + '|\n')
        for line in lines:
            out.write('| ' + ' | '.join(c.replace('|', '\\|') for c in line) + ' |\n')
        return
    w = [max([len(heads[j])] + [len(line[j]) for line in lines]) for j in range(len(heads))]
    fmt = '%-*s | %-*s | %*s | %*s | %*s | %-*s | %s\n'

    def emit(cells):
        out.write(fmt % (w[0], cells[0], w[1], cells[1], w[2], cells[2], w[3], cells[3],
                         w[4], cells[4], w[5], cells[5], cells[6]))

    emit(heads)
    out.write('|'.join('-' * (w[j] + (1 if j == 0 else 2)) for j in range(len(heads) - 1)) +
              '|' + '-' * (len(heads[-1]) + 2) + '\n')
    previous = None
    for line in lines:
        if previous is not None and line[0] != previous:
            out.write('\n')
        previous = line[0]
        emit(line)


def main():
    parser = argparse.ArgumentParser(description='Every Wk benchmark, one table')
    parser.add_argument('--build-dir', default=os.environ.get('WK_BENCH_BUILD_DIR'),
                        help='where the C benchmark programs are (BUILD/bench)')
    parser.add_argument('--quick', action='store_true',
                        help='3 short rounds in every program, for smoke tests')
    parser.add_argument('--rounds', type=int, default=0,
                        help='rounds per program (default: each program\'s, 7)')
    parser.add_argument('--only', default='',
                        help='comma-separated areas to run: ' +
                        ', '.join(p[0] for p in PROGRAMS))
    parser.add_argument('--log-dir', default=None,
                        help='where the programs\' full reports go (default BUILD/bench/logs)')
    parser.add_argument('--markdown', default=None, metavar='FILE',
                        help='also write the table as Markdown to FILE')
    args = parser.parse_args()

    if not args.build_dir:
        parser.error('--build-dir is needed (or WK_BENCH_BUILD_DIR)')
    if args.rounds < 0:
        parser.error('--rounds must be positive')
    only = [a for a in args.only.split(',') if a]
    known = [p[0] for p in PROGRAMS]
    for a in only:
        if a not in known:
            parser.error('unknown area %r (known: %s)' % (a, ', '.join(known)))
    log_dir = args.log_dir or os.path.join(args.build_dir, 'logs')
    os.makedirs(log_dir, exist_ok=True)

    has_py, py_info = python_has_wk()
    sections = []
    skipped = []
    failed = []
    glib = wk = None
    for area, program, kind, ref_name in PROGRAMS:
        if only and area not in only:
            continue
        if kind == 'python' and not has_py:
            skipped.append('%s (%s)' % (area, py_info))
            continue
        rows, text, log_path = run_program(area, program, kind, args, log_dir)
        glib = glib or header_value(text, 'glib')
        wk = wk or header_value(text, 'wk')
        if rows is None:
            failed.append('%s (see %s)' % (area, log_path))
            continue
        sections.append((area, ref_name, rows))

    print_system('Wk benchmarks: every program, one table')
    print('glib:    %s' % (glib or '?'))
    print('wk:      %s' % (wk or '?'))
    print('python:  %s %s%s' % (platform.python_implementation(), platform.python_version(),
                                 ', PyGObject %s' % py_info if has_py else ''))
    print('rounds:  %s, each program interleaves its variants round by round (A B A B ...);'
          ' figures are medians over the rounds, ratios medians of the per-round ratios'
          % ('3 (--quick)' if args.quick else str(args.rounds) if args.rounds else '7'))
    print('reports: %s/<area>.txt (each program\'s notes: what every row measures)' % log_dir)
    print('reference, by area:')
    for area, ref_name, _ in sections:
        print('  %-15s %s' % (area, ref_name))
    print()
    print_table(sections, sys.stdout)

    targets = [(area, r) for area, _, rows in sections for r in rows if r['met'] in ('yes', 'no')]
    missed = [(area, r) for area, r in targets if r['met'] == 'no']
    print()
    print('targets met: %d of %d' % (len(targets) - len(missed), len(targets)))
    for area, r in missed:
        print('  missed: %s: %s (%s, target %s)' % (area, r['what'], cell_ratio(r['ratio'])
                                                     if r['ratio'] is not None else r['wk'],
                                                     r['target']))
    for s in skipped:
        print('skipped: %s' % s)
    for f in failed:
        print('FAILED: %s' % f)

    if args.markdown:
        with open(args.markdown, 'w') as out:
            print_table(sections, out, markdown=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
