# test_threads.py: Wk from several Python threads at once, with deaths
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each configuration runs lookup threads, setter threads and "killer"
# threads (1 to 4 of each) against one collection or kind of ref, for
# WK_TEST_THREADS_SECONDS seconds (default 0.15: a few seconds for the
# whole file; CI sets 10 or more). It fails on a hang (a watchdog dumps
# every thread's stack and ends the process) or on any wrong answer.
#
# The hang it is after (GLib < 2.80): a thread without the GIL (PyGObject
# drops it around every GI call) reads a weak reference to an object whose
# only reference is its wrapper's toggle reference, so g_weak_ref_get()
# runs PyGObject's toggle notify, which takes the GIL, under GLib's global
# weak-ref lock; meanwhile a thread holding the GIL drops an object with
# weak references, and waits for that lock in g_object_unref(). Objects
# get a toggle reference from any Python state: an attribute, or only a
# GObject.Property (PyGObject keeps its value in the wrapper's __dict__).

import faulthandler
import gc
import itertools
import os
import random
import sys
import threading

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402

import pytest  # noqa: E402

SECONDS = float(os.environ.get('WK_TEST_THREADS_SECONDS', '0.15'))
SLOTS = 48
# The watchdog: a configuration that has not ended by then has hung.
WATCHDOG = 20 + 3 * SECONDS


class AttrThing(Wk.Object):
    """Python state: an attribute."""

    def __init__(self, tag):
        super().__init__()
        self.tag = tag


class PropThing(Wk.Object):
    """Python state: only a GObject.Property."""

    tag = GObject.Property(type=str, default='')


def make_attr(tag):
    return AttrThing(tag)


def make_prop(tag):
    return PropThing(tag=tag)


def make_plain(tag):
    # No Python state: a C class whose C property carries the tag.
    return Gio.SimpleAction.new(tag, None)


def tag_of(o):
    if isinstance(o, Gio.SimpleAction):
        return o.get_name()
    if isinstance(o, PropThing):
        return o.props.tag
    return o.tag


MAKERS = {'attrs': make_attr, 'property': make_prop, 'plain': make_plain}


class Run:
    """The shared state of one configuration: slot i holds the object
    last set for key i (strongly, until a killer drops it)."""

    def __init__(self, make):
        self.make = make
        self.strong = [None] * SLOTS
        self.errors = []
        self.stop = threading.Event()
        self.counter = itertools.count()
        self.finalized = []
        self.finalizers_made = itertools.count()
        self.callbacks = []

    def new(self, i):
        return self.make('%d-%d' % (i, next(self.counter)))

    def fail(self, message):
        self.errors.append(message)
        self.stop.set()

    def slot(self, rng):
        return rng.randrange(SLOTS)


def key_of(i):
    return 'key-%d' % i


def slot_of_tag(tag):
    return int(tag.split('-')[0])


# What each kind of collection does in each role.

class ValueDictMix:
    def __init__(self, run):
        self.run = run
        # Half the keys are tuples, half str (two paths in the override).
        self.d = Wk.WeakValueDictionary()

    def key(self, i):
        return key_of(i) if i % 2 else (i, 'k')

    def set(self, rng):
        i = self.run.slot(rng)
        o = self.run.new(i)
        self.d[self.key(i)] = o
        self.run.strong[i] = o

    def lookup(self, rng):
        i = self.run.slot(rng)
        v = self.d.get(self.key(i))
        if v is not None and slot_of_tag(tag_of(v)) != i:
            self.run.fail('value dict: key %r gave %r' % (self.key(i), tag_of(v)))
        if rng.random() < 0.05:
            for k, v in self.d.items():
                j = k[0] if isinstance(k, tuple) else int(k.split('-')[1])
                if slot_of_tag(tag_of(v)) != j:
                    self.run.fail('value dict items: %r -> %r' % (k, tag_of(v)))
            len(self.d)
            # Calls through PyGObject, which drops the GIL, next to the
            # override's own.
            self.d.table.get_size()
            for v in self.d.copy().values():
                tag_of(v)


class KeyDictMix:
    def __init__(self, run):
        self.run = run
        self.d = Wk.WeakKeyDictionary()

    def set(self, rng):
        i = self.run.slot(rng)
        o = self.run.new(i)
        # Half the values are GObjects (stored as GObjects, for the
        # collector), half Python objects.
        tag = tag_of(o)
        self.d[o] = self.run.make(tag + '-v') if rng.random() < 0.5 else tag
        self.run.strong[i] = o

    def check(self, k, v):
        want = tag_of(k)
        got = v if isinstance(v, str) else tag_of(v)[:-2]
        if got != want:
            self.run.fail('key dict: %r gave %r' % (want, got))

    def lookup(self, rng):
        i = self.run.slot(rng)
        o = self.run.strong[i]
        if o is not None:
            v = self.d.get(o)
            if v is not None:
                self.check(o, v)
        if rng.random() < 0.2:
            for k, v in self.d.items():
                self.check(k, v)
            for k in self.d:
                pass
            for r in self.d.keyrefs():
                r()
        if o is not None and rng.random() < 0.2:
            # Through PyGObject (the GIL dropped around the call).
            found, v = self.d.table.lookup(o)
            if found:
                self.check(o, v)


class WeakSetMix:
    def __init__(self, run):
        self.run = run
        self.s = Wk.WeakSet()

    def set(self, rng):
        i = self.run.slot(rng)
        o = self.run.new(i)
        self.s.add(o)
        self.run.strong[i] = o

    def lookup(self, rng):
        i = self.run.slot(rng)
        o = self.run.strong[i]
        if o is not None and o not in self.s and self.run.strong[i] is o:
            # Set before it was stored: it is in the set unless it died,
            # and it lives while we hold it.
            self.run.fail('weak set: a live member is missing')
        if rng.random() < 0.1:
            for member in self.s:
                tag_of(member)
            len(self.s)
            for member in self.s.get_members():     # through PyGObject
                tag_of(member)


class RefMix:
    def __init__(self, run):
        self.run = run
        self.refs = [None] * SLOTS

    def set(self, rng):
        i = self.run.slot(rng)
        o = self.run.new(i)
        r = Wk.ref(o) if rng.random() < 0.5 else Wk.ref(o, self.run.callbacks.append)
        self.refs[i] = (r, tag_of(o))
        self.run.strong[i] = o

    def lookup(self, rng):
        entry = self.refs[self.run.slot(rng)]
        if entry is None:
            return
        r, tag = entry
        o = r()
        if o is not None and tag_of(o) != tag:
            self.run.fail('ref: %r gave %r' % (tag, tag_of(o)))
        hash(r)
        if o is not None and rng.random() < 0.1:
            if r not in Wk.getweakrefs(o):
                self.run.fail('ref: not among getweakrefs() of its live referent')
            Wk.getweakrefcount(o)


class MixedMix:
    """Refs with callbacks, proxies, finalizers and the collector."""

    def __init__(self, run):
        self.run = run
        self.proxies = [None] * SLOTS

    def set(self, rng):
        i = self.run.slot(rng)
        o = self.run.new(i)
        next(self.run.finalizers_made)
        Wk.finalize(o, self.run.finalized.append, tag_of(o))
        self.proxies[i] = (Wk.proxy(o), tag_of(o))
        Wk.ref(o, self.run.callbacks.append)
        self.run.strong[i] = o

    def lookup(self, rng):
        entry = self.proxies[self.run.slot(rng)]
        if entry is None:
            return
        p, tag = entry
        try:
            # Through the proxy's forwarding, as user code reads it.
            got = p.get_name() if hasattr(p, 'get_name') else p.tag
        except ReferenceError:
            return
        if got != tag:
            self.run.fail('proxy: %r gave %r' % (tag, got))
        if rng.random() < 0.02:
            Wk.gc.collect(0)


MIXES = {'value-dict': ValueDictMix, 'key-dict': KeyDictMix,
         'weak-set': WeakSetMix, 'ref': RefMix, 'mixed': MixedMix}


def worker(run, role, seed):
    rng = random.Random(seed)
    try:
        while not run.stop.is_set():
            role(rng)
    except BaseException as exc:  # noqa: B902 - reported by the test
        run.fail('%s: %s: %r' % (threading.current_thread().name, type(exc).__name__, exc))


def killer(run, seed):
    rng = random.Random(seed)
    try:
        while not run.stop.is_set():
            i = run.slot(rng)
            # The drop happens with the GIL held: a death with weak refs.
            run.strong[i] = None
            if rng.random() < 0.01:
                gc.collect()
    except BaseException as exc:  # noqa: B902
        run.fail('killer: %r' % (exc,))


# Every thread count from 1 to 4 comes up for each role across the
# configurations: (lookups, setters, killers).
COUNTS = [(1, 1, 1), (2, 1, 3), (4, 2, 1), (3, 4, 2), (1, 3, 4)]
CONFIGS = [(mix, obj, COUNTS[n % len(COUNTS)])
           for n, (mix, obj) in enumerate(itertools.product(MIXES, MAKERS))]


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(WATCHDOG, exit=True, file=sys.__stderr__)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.mark.parametrize('mix,obj,counts', CONFIGS,
                         ids=['%s-%s-%d.%d.%d' % ((m, o) + c) for m, o, c in CONFIGS])
def test_threads(mix, obj, counts):
    n_lookup, n_set, n_kill = counts
    run = Run(MAKERS[obj])
    m = MIXES[mix](run)
    # Start full, so that lookups hit from the first moment.
    rng = random.Random(1)
    for _ in range(SLOTS):
        m.set(rng)

    threads = []
    seeds = itertools.count(100)
    for n in range(n_lookup):
        threads.append(threading.Thread(target=worker, args=(run, m.lookup, next(seeds)),
                                        name='lookup-%d' % n))
    for n in range(n_set):
        threads.append(threading.Thread(target=worker, args=(run, m.set, next(seeds)),
                                        name='setter-%d' % n))
    for n in range(n_kill):
        threads.append(threading.Thread(target=killer, args=(run, next(seeds)),
                                        name='killer-%d' % n))
    for t in threads:
        t.start()
    run.stop.wait(SECONDS)
    run.stop.set()
    for t in threads:
        t.join()
    assert run.errors == []

    # Everything dies once dropped; each finalizer ran exactly once.
    run.strong = [None] * SLOTS
    if mix == 'mixed':
        m.proxies = [None] * SLOTS
    elif mix == 'ref':
        m.refs = [None] * SLOTS
    gc.collect()
    Wk.gc.collect()
    if mix == 'mixed':
        made = next(run.finalizers_made)
        assert len(run.finalized) == made
        assert len(set(run.finalized)) == made
    if mix == 'value-dict':
        assert len(m.d) == 0 and list(m.d) == []
    if mix == 'key-dict':
        assert len(m.d) == 0
    if mix == 'weak-set':
        assert len(m.s) == 0
