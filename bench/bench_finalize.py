#!/usr/bin/python3
# bench_finalize.py: Wk.finalize and Wk.ref from Python, next to weakref's
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Times Wk.finalize against weakref.finalize, on a plain Python object and
on a GObject wrapper (which the stdlib can weakly reference too): create +
detach(), and the death of an object with one finalizer (make the object
and its finalizer, drop the object: the function runs). Wk.ref create and
deref against weakref.ref are there for reference, and the floors show
what PyGObject itself costs: making a GObject, the raw introspected
Wk.finalize_new() + Wk.Finalizer.detach() calls that the override makes.

The method is bench_dicts.py's, whose Variant, paired_ratio and report
helpers this reuses: every variant runs once per round, round after round;
a figure is the median over the rounds, a ratio the median of the
per-round ratios; passes are calibrated once to about target_ms of timed
work; the cyclic collector is off in the timed loops.

Timings never make the program fail: the exit status is 0.

Run inside the build tree:
    meson devenv -C _build /usr/bin/python3 bench/bench_finalize.py [--quick]
"""

import argparse
import sys
import time
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import GObject, Wk  # noqa: E402

from bench_system import add_run_options, rounds_of  # noqa: E402
from bench_dicts import (  # noqa: E402 - the shared method and report
    Plain, Variant, ns_cell, paired_ratio, print_system_and_versions,
    print_noise, print_rows)

DEFAULT_ROUNDS = 7
QUICK_ROUNDS = 5
DEFAULT_TARGET_MS = 100
QUICK_TARGET_MS = 10
DEFAULT_N = 20000
QUICK_N = 2000


def nothing(*args):
    pass


def wk_finalize_raw_pieces():
    # The C finalizer Wk.finalize stands for, called through PyGObject:
    # what the override costs without its native module.
    raw = gi.module.get_introspection_module('Wk')
    return raw.Finalizer.new, raw.Finalizer.detach


class Bench:
    def __init__(self, n):
        self.n = n

    # Each loop takes (face, passes) and returns (timed ns, ops).

    def _create_detach(self, make_object, finalize, passes):
        timed = 0
        for _ in range(passes):
            objects = [make_object() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            for o in objects:
                finalize(o, nothing).detach()
            timed += time.perf_counter_ns() - t0
            del objects
        return timed, passes * self.n

    def run_wk_detach(self, face, passes):
        return self._create_detach(GObject.Object, Wk.finalize, passes)

    def run_std_detach_plain(self, face, passes):
        return self._create_detach(Plain, weakref.finalize, passes)

    def run_std_detach_gobject(self, face, passes):
        return self._create_detach(GObject.Object, weakref.finalize, passes)

    def run_raw_detach(self, face, passes):
        new, detach = wk_finalize_raw_pieces()
        timed = 0
        for _ in range(passes):
            objects = [GObject.Object() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            for o in objects:
                detach(new(o, nothing, None))
            timed += time.perf_counter_ns() - t0
            del objects
        return timed, passes * self.n

    def _death(self, make_object, finalize, passes):
        n = self.n
        calls = []
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for _ in range(n):
                o = make_object()
                finalize(o, calls.append, None)
                del o
        timed = time.perf_counter_ns() - t0
        assert len(calls) == passes * n
        return timed, passes * n

    def run_wk_death(self, face, passes):
        return self._death(GObject.Object, Wk.finalize, passes)

    def run_std_death_plain(self, face, passes):
        return self._death(Plain, weakref.finalize, passes)

    def run_std_death_gobject(self, face, passes):
        return self._death(GObject.Object, weakref.finalize, passes)

    def _make_floor(self, make_object, passes):
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for _ in range(self.n):
                o = make_object()
                del o
        return time.perf_counter_ns() - t0, passes * self.n

    def run_gobject_floor(self, face, passes):
        return self._make_floor(GObject.Object, passes)

    def run_plain_floor(self, face, passes):
        return self._make_floor(Plain, passes)

    def _ref_objects(self, make_object, ref):
        # Objects that have been weakly referenced once (the ref is gone):
        # Wk keeps its per-object state (the object's anchor) from then on,
        # CPython keeps nothing; the first ref is the "first ref" row.
        objects = [make_object() for _ in range(self.n)]
        for o in objects:
            ref(o)
        return objects

    def _ref_create(self, make_object, ref, passes):
        # With a callback, so that neither side shares its refs.
        objects = self._ref_objects(make_object, ref)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for o in objects:
                ref(o, nothing)
        return time.perf_counter_ns() - t0, passes * self.n

    def run_wk_ref_create(self, face, passes):
        return self._ref_create(GObject.Object, Wk.ref, passes)

    def run_std_ref_create(self, face, passes):
        return self._ref_create(Plain, weakref.ref, passes)

    def _ref_create_plain(self, make_object, ref, passes):
        # Without a callback: each ref is made and freed (nothing else
        # holds one that could be shared).
        objects = self._ref_objects(make_object, ref)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for o in objects:
                ref(o)
        return time.perf_counter_ns() - t0, passes * self.n

    def run_wk_ref_create_plain(self, face, passes):
        return self._ref_create_plain(GObject.Object, Wk.ref, passes)

    def run_std_ref_create_plain(self, face, passes):
        return self._ref_create_plain(Plain, weakref.ref, passes)

    def _ref_first(self, make_object, ref, passes):
        # The first ref an object ever gets, made and freed: for Wk, the
        # object's anchor (a GWeakRef and a weak notify in GLib) and the
        # binding's per-object state are made here.
        timed = 0
        for _ in range(passes):
            objects = [make_object() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            for o in objects:
                ref(o)
            timed += time.perf_counter_ns() - t0
            del objects
        return timed, passes * self.n

    def run_wk_ref_first(self, face, passes):
        return self._ref_first(GObject.Object, Wk.ref, passes)

    def run_std_ref_first(self, face, passes):
        return self._ref_first(Plain, weakref.ref, passes)

    def _ref_deref(self, make_object, ref, passes):
        objects = [make_object() for _ in range(self.n)]
        refs = [ref(o) for o in objects]
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for r in refs:
                r()
        return time.perf_counter_ns() - t0, passes * self.n

    def run_wk_ref_deref(self, face, passes):
        return self._ref_deref(GObject.Object, Wk.ref, passes)

    def run_std_ref_deref(self, face, passes):
        return self._ref_deref(Plain, weakref.ref, passes)


def print_header(args, rounds, target_ms, n):
    print_system_and_versions('bench_finalize.py: Wk.finalize and Wk.ref vs weakref, from Python')
    print('ops:     %d per pass; objects GObject.Object (Wk) / Plain with '
          "__slots__ = ('__weakref__',) or GObject.Object (weakref)" % n)
    print('rounds:  %d%s, interleaved, ~%d ms of timed work per variant per round; '
          'figures are medians over the rounds' % (rounds, ' (--quick)' if args.quick else '',
                                                   target_ms))
    print()


def main():
    parser = argparse.ArgumentParser(description='Wk.finalize benchmark, from Python')
    add_run_options(parser, DEFAULT_ROUNDS, QUICK_ROUNDS,
                    'short rounds on few objects, for smoke tests',
                    'also list the per-round figures')
    args = parser.parse_args()

    rounds = rounds_of(args, DEFAULT_ROUNDS, QUICK_ROUNDS)
    n = QUICK_N if args.quick else DEFAULT_N
    if rounds < 1:
        parser.error('--rounds must be positive')
    target_ms = QUICK_TARGET_MS if args.quick else DEFAULT_TARGET_MS
    b = Bench(n)

    order = [
        ('detach_wk', 'finalize+detach Wk', b.run_wk_detach),
        ('detach_std', 'finalize+detach weakref', b.run_std_detach_plain),
        ('detach_std_g', 'finalize+detach weakref (GObject)', b.run_std_detach_gobject),
        ('detach_raw', 'finalize_new+detach raw GI', b.run_raw_detach),
        ('floor_g', 'make GObject', b.run_gobject_floor),
        ('floor_p', 'make Plain', b.run_plain_floor),
        ('death_wk', 'death Wk', b.run_wk_death),
        ('death_std', 'death weakref', b.run_std_death_plain),
        ('death_std_g', 'death weakref (GObject)', b.run_std_death_gobject),
        ('ref_wk', 'ref create Wk', b.run_wk_ref_create),
        ('ref_std', 'ref create weakref', b.run_std_ref_create),
        ('pref_wk', 'ref create (no callback) Wk', b.run_wk_ref_create_plain),
        ('pref_std', 'ref create (no callback) weakref', b.run_std_ref_create_plain),
        ('fref_wk', 'first ref to a fresh object Wk', b.run_wk_ref_first),
        ('fref_std', 'first ref to a fresh object weakref', b.run_std_ref_first),
        ('deref_wk', 'ref deref Wk', b.run_wk_ref_deref),
        ('deref_std', 'ref deref weakref', b.run_std_ref_deref),
    ]
    v = {}
    variants = []
    for name, label, run in order:
        v[name] = Variant(label, run, None)
        variants.append(v[name])

    print_header(args, rounds, target_ms, n)
    sys.stdout.flush()

    print('calibrating...', file=sys.stderr)
    for var in variants:
        ns_per_op = var.sample(1)
        var.passes = max(1, min(10000, int(target_ms * 1e6 / (ns_per_op * n))))
    for r in range(rounds):
        print('round %d/%d' % (r + 1, rounds), file=sys.stderr)
        for var in variants:
            var.ns.append(var.sample(var.passes))

    rows = []

    def timed_row(what, wk, std, target=None):
        ratio = paired_ratio(wk, std)
        rows.append((what, ns_cell(wk.median), ns_cell(std.median), ratio,
                     None if target is None else '<= %.2fx' % target,
                     None if target is None else ratio <= target))

    def floor_row(what, var, wk_side=True):
        cell = ns_cell(var.median)
        rows.append((what, cell if wk_side else None, None if wk_side else cell,
                     None, '(floor)', None))

    timed_row('finalize(o, f) + detach(), Plain (weakref), ns/op',
              v['detach_wk'], v['detach_std'], 2.0)
    timed_row('finalize(o, f) + detach(), GObject on both sides, ns/op',
              v['detach_wk'], v['detach_std_g'])
    floor_row('raw GI: Wk.Finalizer.new() + detach(), ns/op', v['detach_raw'])
    floor_row('make and drop a GObject.Object, ns/op', v['floor_g'])
    floor_row('make and drop a Plain, ns/op', v['floor_p'], wk_side=False)
    timed_row('death with one finalizer (make, finalize, drop), Plain, ns/op',
              v['death_wk'], v['death_std'])
    timed_row('death with one finalizer, GObject on both sides, ns/op',
              v['death_wk'], v['death_std_g'])
    timed_row('ref(o) create and drop (no callback), ns/op', v['pref_wk'], v['pref_std'], 5.0)
    timed_row('first ref(o) to a fresh object, create and drop, ns/op', v['fref_wk'], v['fref_std'])
    timed_row('ref(o, callback) create and drop, ns/op', v['ref_wk'], v['ref_std'], 8.0)
    timed_row('r() on a live referent, ns/op', v['deref_wk'], v['deref_std'], 3.0)
    print_rows(rows, args.rows)

    print()
    print('notes:')
    print('- ns/op: median over the rounds; ratio: median of the per-round Wk/weakref ratios')
    print('- "death" rows include making the object (see the floors): Wk and the GObject'
          ' weakref rows make a GObject.Object, the Plain row a Plain')
    print('- raw GI: the C finalizer that Wk.finalize stands for, made and detached through'
          ' PyGObject (what the override costs without its native module)')
    print('- ref create rows: on objects that have had a weak ref before (made and dropped,'
          ' untimed), so that Wk\'s one-time per-object state (the anchor) is not in them; the'
          ' "first ref" row is that one-time cost')
    print('- targets: the Python binding\'s, as same-run ratios to CPython\'s weakref on'
          ' plain Python objects')
    print_noise(variants, args.verbose, 36)
    return 0


if __name__ == '__main__':
    sys.exit(main())
