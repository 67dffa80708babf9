#!/usr/bin/python3
# bench_dicts.py: Wk's weak dicts from Python, next to the weakref module's
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Times Wk's WeakValueDictionary and WeakKeyDictionary with GObjects
against weakref.WeakValueDictionary and weakref.WeakKeyDictionary with
plain Python objects, doing the same work: 10^5 str keys, set / get / del
/ value death, and set / get for the key dicts.

The structure is bench-dicts.c's: every variant runs once per round, round
after round, so that drifts of the machine spread over all of them; a
figure is the median over the rounds, a ratio the median of the per-round
ratios; passes per round are calibrated once to about target_ms of timed
work. Making the objects and filled dicts is not timed. The cyclic garbage
collector is off during the timed loops (as timeit does), so that a
collection triggered by one variant's setup cannot land in another's loop.

If the Wk.WeakValueDictionary / Wk.WeakKeyDictionary override classes are
missing, the raw introspected tables are timed instead
(Wk.WeakValueDict.new_for_variants() with a GLib.Variant('s', key) made for
every call, Wk.WeakKeyDict.new_for_values()), and the output says so.

Timings never make the program fail: the exit status is 0 whatever they
say.

Run inside the build tree:
    meson devenv -C _build /usr/bin/python3 bench/bench_dicts.py [--quick]
"""

import argparse
import ctypes
import gc
import platform
import statistics
import sys
import time
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import GLib, GObject, Wk  # noqa: E402

from bench_system import add_run_options, print_system, rounds_of  # noqa: E402

DEFAULT_ROUNDS = 7
QUICK_ROUNDS = 3
DEFAULT_TARGET_MS = 100     # timed work per variant per round
QUICK_TARGET_MS = 10
DEFAULT_ENTRIES = 100000
QUICK_ENTRIES = 5000


class Plain:
    """The stdlib side's values and keys: the smallest object that can be
    weakly referenced."""
    __slots__ = ('__weakref__',)


# --------------------------------------------------------------------------
# The dicts under test, each with its own timed loops
#
# Each face writes out its own loops (value faces: set, get, delete; key
# faces: set, get), so that no face pays for an indirection another does
# not have; value death is one loop for all (kill_all). A loop takes the
# keys (str, or objects for the key dicts) and the values, and returns
# nothing; the caller times it.

class MappingValueFace:
    """A dict with the mapping protocol: weakref's, or Wk's override."""

    def __init__(self, name, factory, new_value, string_calls=False):
        self.name = name
        self.new = factory
        self.new_value = new_value
        # Whether the face passes str keys to the table's _string calls
        # (else it makes a GLib.Variant for each).
        self.string_calls = string_calls

    @staticmethod
    def set_all(d, keys, values):
        for k, v in zip(keys, values):
            d[k] = v

    @staticmethod
    def get_all(d, keys):
        for k in keys:
            d[k]

    @staticmethod
    def del_all(d, keys):
        for k in keys:
            del d[k]

    @staticmethod
    def check(d, keys, values):
        return len(d) == len(keys) and all(d[k] is v for k, v in zip(keys, values))

    @staticmethod
    def size(d):
        return len(d)


class RawWkValueFace:
    """Wk.WeakValueDict made for variants, called as introspected."""

    name = 'Wk.WeakValueDict.new_for_variants() (raw GI, Variant keys)'
    string_calls = False

    @staticmethod
    def new():
        return Wk.WeakValueDict.new_for_variants()

    new_value = GObject.Object

    # Making the key's Variant is part of each call: it is what a caller
    # with str keys has to do, and what an override would do for it.
    @staticmethod
    def set_all(d, keys, values):
        insert, variant = d.insert, GLib.Variant
        for k, v in zip(keys, values):
            insert(variant('s', k), v)

    @staticmethod
    def get_all(d, keys):
        lookup, variant = d.lookup, GLib.Variant
        for k in keys:
            lookup(variant('s', k))

    @staticmethod
    def del_all(d, keys):
        remove, variant = d.remove, GLib.Variant
        for k in keys:
            remove(variant('s', k))

    @staticmethod
    def check(d, keys, values):
        return (d.get_size() == len(keys) and
                all(d.lookup(GLib.Variant('s', k)) is v for k, v in zip(keys, values)))

    @staticmethod
    def size(d):
        return d.get_size()


class MappingKeyFace:
    """A key dict with the mapping protocol: weakref's, or Wk's override."""

    def __init__(self, name, factory, new_key):
        self.name = name
        self.new = factory
        self.new_key = new_key

    @staticmethod
    def set_all(d, keys, values):
        for k, v in zip(keys, values):
            d[k] = v

    @staticmethod
    def get_all(d, keys):
        for k in keys:
            d[k]

    @staticmethod
    def check(d, keys, values):
        return len(d) == len(keys) and all(d[k] == v for k, v in zip(keys, values))


class RawWkKeyFace:
    """Wk.WeakKeyDict made for GValues, called as introspected."""

    name = 'Wk.WeakKeyDict.new_for_values() (raw GI, GValue values)'

    @staticmethod
    def new():
        return Wk.WeakKeyDict.new_for_values()

    new_key = GObject.Object

    @staticmethod
    def set_all(d, keys, values):
        insert = d.insert
        for k, v in zip(keys, values):
            insert(k, v)

    @staticmethod
    def get_all(d, keys):
        lookup = d.lookup
        for k in keys:
            lookup(k)

    @staticmethod
    def check(d, keys, values):
        return (d.get_size() == len(keys) and
                all(d.lookup(k) == v for k, v in zip(keys, values)))


def kill_all(values):
    """Drops the only reference to each value: its entry goes by itself,
    in both weakref's dicts and Wk's."""
    for i in range(len(values)):
        values[i] = None


def wk_value_face():
    cls = getattr(Wk, 'WeakValueDictionary', None)
    if cls is None:
        return RawWkValueFace, False
    # The override passes ASCII str keys to the _string calls as they are.
    return MappingValueFace('Wk.WeakValueDictionary (override)', cls, GObject.Object,
                            string_calls=True), True


def wk_key_face():
    cls = getattr(Wk, 'WeakKeyDictionary', None)
    if cls is None:
        return RawWkKeyFace, False
    return MappingKeyFace('Wk.WeakKeyDictionary (override)', cls, GObject.Object), True


STD_VALUE_FACE = MappingValueFace('weakref.WeakValueDictionary', weakref.WeakValueDictionary, Plain)
STD_KEY_FACE = MappingKeyFace('weakref.WeakKeyDictionary', weakref.WeakKeyDictionary, Plain)


# --------------------------------------------------------------------------
# Variants: one pass each over all entries, only the op itself timed

class Bench:
    def __init__(self, n):
        self.n = n
        self.keys = ['key-%d' % i for i in range(n)]
        self.small_values = ['v%d' % i for i in range(n)]

    def _filled(self, face):
        d = face.new()
        values = [face.new_value() for _ in range(self.n)]
        face.set_all(d, self.keys, values)
        return d, values

    def run_set(self, face, passes):
        timed = 0
        for _ in range(passes):
            d = face.new()
            values = [face.new_value() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            face.set_all(d, self.keys, values)
            timed += time.perf_counter_ns() - t0
            assert face.size(d) == self.n
            del d, values
        return timed, passes * self.n

    def run_get(self, face, passes):
        # One dict for all the passes: a lookup changes nothing.
        d, values = self._filled(face)
        assert face.check(d, self.keys, values)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            face.get_all(d, self.keys)
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n

    def run_del(self, face, passes):
        timed = 0
        for _ in range(passes):
            d, values = self._filled(face)
            t0 = time.perf_counter_ns()
            face.del_all(d, self.keys)
            timed += time.perf_counter_ns() - t0
            assert face.size(d) == 0
            del d, values
        return timed, passes * self.n

    def run_death(self, face, passes):
        timed = 0
        for _ in range(passes):
            d, values = self._filled(face)
            t0 = time.perf_counter_ns()
            kill_all(values)
            timed += time.perf_counter_ns() - t0
            assert face.size(d) == 0
            del d, values
        return timed, passes * self.n

    def run_death_floor(self, face, passes):
        # The last unref of GObjects that nothing refers to weakly, through
        # their wrappers: what PyGObject and GObject cost before any dict.
        timed = 0
        for _ in range(passes):
            values = [GObject.Object() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            kill_all(values)
            timed += time.perf_counter_ns() - t0
        return timed, passes * self.n

    def run_floor(self, face, passes):
        # The interpreter's own share of a get loop: a plain dict, same loop.
        d = dict.fromkeys(self.keys)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            MappingValueFace.get_all(d, self.keys)
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n

    # What PyGObject itself costs, to read the Wk rows against: one
    # introspected call with a str key (what the face makes of a key: the
    # _string call itself, on an empty table, or the GLib.Variant), and the
    # cheapest introspected method call.
    def run_variant_floor(self, face, passes):
        keys = self.keys
        t0 = time.perf_counter_ns()
        if face.string_calls:
            contains = Wk.WeakValueDict.new_for_variants().contains_string
            for _ in range(passes):
                for k in keys:
                    contains(k)
        else:
            variant = GLib.Variant
            for _ in range(passes):
                for k in keys:
                    variant('s', k)
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n

    def run_call_floor(self, face, passes):
        size = Wk.WeakValueDict.new_for_variants().get_size
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            for k in self.keys:
                size()
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n

    def run_tuple_get(self, face, passes):
        # The same lookups with (int, str) tuple keys: the general key
        # path (a GVariant tuple for each), against the str path above.
        d = face.new()
        keys = [(i, 'k') for i in range(self.n)]
        values = [face.new_value() for _ in range(self.n)]
        face.set_all(d, keys, values)
        assert face.check(d, keys, values)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            face.get_all(d, keys)
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n

    def run_key_set(self, face, passes):
        timed = 0
        for _ in range(passes):
            d = face.new()
            keys = [face.new_key() for _ in range(self.n)]
            t0 = time.perf_counter_ns()
            face.set_all(d, keys, self.small_values)
            timed += time.perf_counter_ns() - t0
            del d, keys
        return timed, passes * self.n

    def run_key_get(self, face, passes):
        d = face.new()
        keys = [face.new_key() for _ in range(self.n)]
        face.set_all(d, keys, self.small_values)
        assert face.check(d, keys, self.small_values)
        t0 = time.perf_counter_ns()
        for _ in range(passes):
            face.get_all(d, keys)
        timed = time.perf_counter_ns() - t0
        return timed, passes * self.n


def native_module():
    try:
        from gi.overrides import _wk_common
    except ImportError:
        return None
    return _wk_common.native


class CFloors:
    """The C calls behind the override's hot paths, looped in C by the
    native module (_c_floor) on tables filled the same way: what Wk's C
    library costs, in the same run, under the Python figures."""

    def __init__(self, bench, native):
        self.b = bench
        self.native = native

    def _filled_values(self):
        d = Wk.WeakValueDictionary()
        values = [GObject.Object() for _ in range(self.b.n)]
        for k, v in zip(self.b.keys, values):
            d[k] = v
        return d, values

    def run_get(self, face, passes):
        d, values = self._filled_values()
        ns = sum(self.native._c_floor('value-lookup', d.table, self.b.keys)
                 for _ in range(passes))
        return ns * self.b.n, passes * self.b.n

    def run_set(self, face, passes):
        ns = 0
        for _ in range(passes):
            d = Wk.WeakValueDictionary()
            values = [GObject.Object() for _ in range(self.b.n)]
            ns += self.native._c_floor('value-insert', d.table, self.b.keys, values)
            del d, values
        return ns * self.b.n, passes * self.b.n

    def run_del(self, face, passes):
        ns = 0
        for _ in range(passes):
            d, values = self._filled_values()
            ns += self.native._c_floor('value-remove', d.table, self.b.keys)
            del d, values
        return ns * self.b.n, passes * self.b.n

    def run_key_get(self, face, passes):
        d = Wk.WeakKeyDictionary()
        keys = [GObject.Object() for _ in range(self.b.n)]
        for k, v in zip(keys, self.b.small_values):
            d[k] = v
        ns = sum(self.native._c_floor('key-lookup', d.table, keys) for _ in range(passes))
        return ns * self.b.n, passes * self.b.n

    def run_key_set(self, face, passes):
        ns = 0
        for _ in range(passes):
            d = Wk.WeakKeyDictionary()
            keys = [GObject.Object() for _ in range(self.b.n)]
            ns += self.native._c_floor('key-insert', d.table, keys)
            del d, keys
        return ns * self.b.n, passes * self.b.n


class Variant:
    def __init__(self, label, run, face):
        self.label = label
        self.run = run
        self.face = face
        self.passes = 1
        self.ns = []

    def sample(self, passes):
        # Whatever the previous variant left for the collector goes now,
        # untimed, and none of it during this one's loops.
        gc.collect()
        gc.disable()
        try:
            timed, ops = self.run(self.face, passes)
        finally:
            gc.enable()
        return max(timed, 1) / max(ops, 1)

    @property
    def median(self):
        return statistics.median(self.ns)


def paired_ratio(a, b):
    return statistics.median(x / y for x, y in zip(a.ns, b.ns))


# --------------------------------------------------------------------------
# Report

def glib_runtime_version():
    # The library this process runs with; GLib.MAJOR_VERSION and friends
    # are what the typelib was made from.
    try:
        lib = ctypes.CDLL('libglib-2.0.so.0')
        parts = [ctypes.c_uint.in_dll(lib, 'glib_%s_version' % p).value
                 for p in ('major', 'minor', 'micro')]
        return '%d.%d.%d' % tuple(parts)
    except (OSError, ValueError):
        return '%d.%d.%d (typelib)' % (GLib.MAJOR_VERSION, GLib.MINOR_VERSION,
                                       GLib.MICRO_VERSION)


def override_kind():
    """Which Python override this process runs: with its native module,
    or pure Python (not built, or WK_PYTHON_NATIVE=0)."""
    try:
        from gi.overrides import _wk_common
    except ImportError:
        return 'an override without _wk_common (an older Wk)'
    if _wk_common.native is not None:
        return 'override with its native module (%s)' % _wk_common.native.__file__
    return 'pure-Python override (no native module)'


def print_system_and_versions(title):
    """The start of a Python benchmark's header: the machine, then the
    versions of Python, PyGObject, GLib and Wk this process runs with."""
    print_system(title)
    print('python:  %s %s, PyGObject %s' % (platform.python_implementation(),
                                            platform.python_version(), gi.__version__))
    print('glib:    %s' % glib_runtime_version())
    print('wk:      %d.%d.%d' % (Wk.get_major_version(), Wk.get_minor_version(),
                                 Wk.get_micro_version()))
    print('binding: %s' % override_kind())


def print_header(args, rounds, target_ms, n, value_face, key_face):
    print_system_and_versions('bench_dicts.py: Wk weak dicts vs weakref, from Python')
    print('entries: %d per dict; keys "key-%%d", values GObject.Object (Wk) / '
          'Plain with __slots__ = (\'__weakref__\',) (weakref)' % n)
    print('rounds:  %d%s, interleaved, ~%d ms of timed work per variant per round; '
          'figures are medians over the rounds' % (rounds, ' (--quick)' if args.quick else '',
                                                   target_ms))
    print('value:   Wk side is %s' % value_face.name)
    print('key:     Wk side is %s' % key_face.name)
    print()


def ns_cell(ns):
    return ('%.1f' if ns < 100 else '%.0f') % ns


def write_rows(rows, path):
    """--rows: the table, tab-separated, for run_bench.py (as the C
    programs write it)."""
    def cell(c):
        return '-' if c is None else str(c).replace('\t', ' ').replace('\n', ' ')

    with open(path, 'w') as f:
        f.write('#measurement\tWk\tweakref\tratio\ttarget\tmet\n')
        for what, wk, std, ratio, target, met in rows:
            f.write('\t'.join([cell(what), cell(wk), cell(std),
                               '' if ratio is None else '%.4f' % ratio, cell(target),
                               '-' if met is None else ('yes' if met else 'no')]) + '\n')


def print_rows(rows, rows_file=None):
    if rows_file:
        write_rows(rows, rows_file)
    heads = ('measurement', 'Wk', 'weakref', 'ratio', 'target', 'met?')
    cells = [heads] + [
        (what, wk or '-', std or '-', '-' if ratio is None else '%.2fx' % ratio,
         target or '-', '-' if met is None else ('yes' if met else 'no'))
        for what, wk, std, ratio, target, met in rows]
    w = [max(len(row[j]) for row in cells) for j in range(len(heads))]
    w[3] = max(w[3], 7)

    def line(row):
        return '%-*s | %*s | %*s | %*s | %-*s | %s' % (
            w[0], row[0], w[1], row[1], w[2], row[2], w[3], row[3], w[4], row[4], row[5])

    print(line(heads))
    print('|'.join('-' * (w[j] + (1 if j == 0 else 2)) for j in range(len(heads) - 1)) +
          '|' + '-' * (len(heads[-1]) + 2))
    for row in cells[1:]:
        print(line(row))


def main():
    parser = argparse.ArgumentParser(description='Wk weak-dict benchmark, from Python')
    add_run_options(parser, DEFAULT_ROUNDS, QUICK_ROUNDS,
                    '3 short rounds on small dicts, for smoke tests',
                    "also list every variant's passes and per-round figures")
    parser.add_argument('--entries', type=int, default=0,
                        help='entries per dict (default %d; %d with --quick)'
                        % (DEFAULT_ENTRIES, QUICK_ENTRIES))
    args = parser.parse_args()

    rounds = rounds_of(args, DEFAULT_ROUNDS, QUICK_ROUNDS)
    n = args.entries or (QUICK_ENTRIES if args.quick else DEFAULT_ENTRIES)
    if rounds < 1 or n < 1:
        parser.error('--rounds and --entries must be positive')
    target_ms = QUICK_TARGET_MS if args.quick else DEFAULT_TARGET_MS

    value_face, value_override = wk_value_face()
    key_face, key_override = wk_key_face()
    b = Bench(n)

    # Each Wk variant right before the weakref one it is compared with.
    v = {}
    order = [
        ('set_wk', 'value set Wk', b.run_set, value_face),
        ('set_std', 'value set weakref', b.run_set, STD_VALUE_FACE),
        ('get_floor', 'get floor (plain dict)', b.run_floor, None),
        ('get_wk', 'value get Wk', b.run_get, value_face),
        ('get_std', 'value get weakref', b.run_get, STD_VALUE_FACE),
        ('tget_wk', 'value get, tuple keys, Wk', b.run_tuple_get, value_face),
        ('del_wk', 'value del Wk', b.run_del, value_face),
        ('del_std', 'value del weakref', b.run_del, STD_VALUE_FACE),
        ('death_floor', 'death floor (GObject)', b.run_death_floor, None),
        ('death_wk', 'value death Wk', b.run_death, value_face),
        ('death_std', 'value death weakref', b.run_death, STD_VALUE_FACE),
        ('variant_floor', 'str key to GLib.Variant', b.run_variant_floor, value_face),
        ('call_floor', 'GI call floor (get_size)', b.run_call_floor, None),
        ('kset_wk', 'key set Wk', b.run_key_set, key_face),
        ('kset_std', 'key set weakref', b.run_key_set, STD_KEY_FACE),
        ('kget_wk', 'key get Wk', b.run_key_get, key_face),
        ('kget_std', 'key get weakref', b.run_key_get, STD_KEY_FACE),
    ]
    native = native_module()
    if native is not None and value_override and key_override:
        floors = CFloors(b, native)
        order += [
            ('cset', 'C floor: insert_string', floors.run_set, None),
            ('cget', 'C floor: lookup_string', floors.run_get, None),
            ('cdel', 'C floor: remove_string', floors.run_del, None),
            ('ckset', 'C floor: key insert_value', floors.run_key_set, None),
            ('ckget', 'C floor: key lookup_value', floors.run_key_get, None),
        ]
    variants = []
    for name, label, run, face in order:
        v[name] = Variant(label, run, face)
        variants.append(v[name])

    print_header(args, rounds, target_ms, n, value_face, key_face)
    sys.stdout.flush()

    print('calibrating...', file=sys.stderr)
    for var in variants:
        # One pass, which doubles as warm-up, then as many as fill the target.
        ns_per_op = var.sample(1)
        var.passes = max(1, min(10000, int(target_ms * 1e6 / (ns_per_op * n))))

    for r in range(rounds):
        print('round %d/%d' % (r + 1, rounds), file=sys.stderr)
        for var in variants:
            var.ns.append(var.sample(var.passes))

    value_what = 'WeakValueDictionary' if value_override else 'WeakValueDict (raw GI)'
    key_what = 'WeakKeyDictionary' if key_override else 'WeakKeyDict (raw GI)'
    rows = []

    def timed_row(what, wk, std, target=None, std_cell=None):
        ratio = paired_ratio(wk, std)
        rows.append((what, ns_cell(wk.median),
                     std_cell if std_cell is not None else ns_cell(std.median), ratio,
                     None if target is None else '<= %.2fx' % target,
                     None if target is None else ratio <= target))

    timed_row('%s set, ns/op' % value_what, v['set_wk'], v['set_std'], 1.5)
    rows.append(('get floor: plain dict get in the same loop, ns/op', None,
                 ns_cell(v['get_floor'].median), None, '(floor)', None))
    timed_row('%s get (hit), ns/op' % value_what, v['get_wk'], v['get_std'], 2.0)
    timed_row('%s get, tuple keys / Wk str keys, ns/op' % value_what, v['tget_wk'],
              v['get_wk'], 3.0, std_cell='(Wk str: %s)' % ns_cell(v['get_wk'].median))
    timed_row('%s del, ns/op' % value_what, v['del_wk'], v['del_std'], 2.0)
    rows.append(('death floor: drop a GObject without weak refs, ns/op',
                 ns_cell(v['death_floor'].median), None, None, '(floor)', None))
    timed_row('%s value death (entry purged), ns/op' % value_what,
              v['death_wk'], v['death_std'])
    rows.append(('GI floor: %s, ns/op'
                 % ('a call with a str key, table.contains_string(key) on an empty table'
                    if value_face.string_calls else "str key to GLib.Variant('s', key) alone"),
                 ns_cell(v['variant_floor'].median), None, None, '(floor)', None))
    rows.append(('GI floor: one introspected call, d.get_size(), ns/op',
                 ns_cell(v['call_floor'].median), None, None, '(floor)', None))
    timed_row('%s set, ns/op' % key_what, v['kset_wk'], v['kset_std'], 3.0)
    timed_row('%s get, ns/op' % key_what, v['kget_wk'], v['kget_std'], 2.0)
    if 'cget' in v:
        for name, std, what in [
                ('cset', 'set_std', 'WeakValueDict insert_string, C alone (fresh values)'),
                ('cget', 'get_std', 'WeakValueDict lookup_string + unref, C alone'),
                ('cdel', 'del_std', 'WeakValueDict remove_string, C alone'),
                ('ckset', 'kset_std', 'WeakKeyDict insert_value, C alone (fresh keys)'),
                ('ckget', 'kget_std', 'WeakKeyDict lookup_value, C alone')]:
            rows.append(('C floor: %s / weakref, ns/op' % what, ns_cell(v[name].median),
                         ns_cell(v[std].median), paired_ratio(v[name], v[std]),
                         '(floor)', None))
    print_rows(rows, args.rows)

    print()
    print('notes:')
    print('- ns/op: median over the rounds; ratio: median of the per-round Wk/weakref ratios;'
          ' targets are the Python binding\'s, as same-run ratios (the tuple-key row: to the'
          ' Wk str-key get of the same run)')
    if not value_override:
        print('- Wk.WeakValueDictionary does not exist (yet): the Wk value rows time the raw'
              ' introspected table, with a GLib.Variant(\'s\', key) made in every call')
    if not key_override:
        print('- Wk.WeakKeyDictionary does not exist (yet): the Wk key rows time the raw'
              ' introspected table (insert/lookup, the str value passed as a GValue)')
    print('- GI floors: every Wk op makes at least one introspected call (the value dict\'s'
          ' with the str key as it is, since the _string calls; a non-ASCII key still becomes a'
          ' GLib.Variant); what is left is the override\'s Python code, the value\'s wrapper,'
          ' and Wk itself (see bench-dicts for the C costs)')
    print('- value death: the loop drops the only Python reference to each value'
          ' (values[i] = None); both dicts lose the entry by themselves')
    print('- the Wk values are GObjects whose only strong ref is their Python wrapper,'
          ' so Wk lookups take its count-1 path (GLib\'s lock; see the README)')
    print('- C floor rows: the libwk calls that the override\'s native module makes for that'
          ' row, looped in C (no Python): the part of the Wk figure that is Wk\'s C library;'
          ' the ratio is to the same weakref row')
    print('- the cyclic GC is off during timed loops and runs between variants')
    print_noise(variants, args.verbose, 28)
    return 0


def print_noise(variants, verbose, label_width):
    """The last notes: the noisiest variants, and with @verbose every
    round of every variant."""
    spreads = sorted(((max(var.ns) - min(var.ns)) / var.median, var.label) for var in variants)
    print('- noisiest variants, (max-min)/median over the rounds: ' +
          ', '.join('%s %.0f%%' % (label, 100 * s) for s, label in reversed(spreads[-3:])))

    if verbose:
        print()
        print('per round (ns/op), in the order each round ran them:')
        for var in variants:
            print('  %-*s passes=%-5d median %8.1f : %s' % (
                label_width, var.label, var.passes, var.median,
                ' '.join('%.1f' % x for x in var.ns)))


if __name__ == '__main__':
    sys.exit(main())
