// testGc.js: the cycle collector from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP through harness.js.
//
// The cycles are made of plain Wk.Object.new() instances with no JS state:
// GJS toggles every instance of a JS class, and a plain wrapper too once
// an expando property is set on it, and a toggled object has an outside
// reference the collector respects. So no property is ever set on them.
// Their wrappers are dropped and System.gc() finalizes them (only the
// wrappers: the cycle keeps the objects), then Wk.Gc.collect() frees the
// objects, outside any JS garbage collection, so the callbacks it runs
// may be JS. (gobject-introspection puts the wk_gc_* functions on the
// WkGc class: Wk.gc_collect (-1) is Wk.Gc.collect(-1) here.)

import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, run, test} from './harness.js';

// Builds A -> B -> C -> A and returns weak refs to the three, holding no
// wrapper of them.
function makeCycle(callback = null) {
    let a = Wk.Object.new();
    let b = Wk.Object.new();
    let c = Wk.Object.new();
    a.hold(b);
    b.hold(c);
    c.hold(a);
    const refs = [a, b, c].map(o => Wk.Ref.new(o, callback));
    a = b = c = null;
    System.gc();
    return refs;
}

test('a three-object cycle leaks under refcounting, the collector frees it', () => {
    Wk.Gc.collect(-1);
    const refs = makeCycle();
    System.gc();
    assert(refs.every(r => r.is_alive()), 'alive after the wrappers are gone');
    assertEqual(Wk.Gc.collect(-1), 3, 'three unreachable');
    assert(refs.every(r => !r.is_alive()), 'dead after the collection');
    assert(refs.every(r => r.get() === null), 'get() is null');
    assertEqual(Wk.Gc.collect(-1), 0, 'nothing left');
});

test('weak ref callbacks run during the collection, between the signals', () => {
    Wk.Gc.collect(-1);
    const events = [];
    const collector = Wk.Gc.get_default();
    const ids = [
        collector.connect('collect-start', (_gc, generation) =>
            events.push(`start ${generation}`)),
        collector.connect('collect-end', (_gc, generation, collected, uncollectable) =>
            events.push(`end ${generation} ${collected} ${uncollectable}`)),
    ];
    try {
        const refs = makeCycle(ref => events.push(`ref dead: ${ref.get() === null}`));
        assertEqual(events.length, 0, 'nothing before the collection');
        assertEqual(Wk.Gc.collect(-1), 3, 'three unreachable');
        assertEqual(events.join(', '),
            'start 2, ref dead: true, ref dead: true, ref dead: true, end 2 3 0',
            'events');
        assert(refs.every(r => !r.is_alive()), 'dead');
    } finally {
        ids.forEach(id => collector.disconnect(id));
    }
});

test('a held object is a referent, its holder a referrer', () => {
    const a = Wk.Object.new();
    const b = Wk.Object.new();
    a.hold(b);
    const referents = Wk.Gc.get_referents(a);
    assertEqual(referents.length, 1, 'one referent');
    assert(referents[0] === b, 'the held object');
    const referrers = Wk.Gc.get_referrers(b);
    assertEqual(referrers.length, 1, 'one referrer');
    assert(referrers[0] === a, 'the holder');
    assert(Wk.Gc.is_tracked(a), 'a WkObject is tracked');
    assert(!Wk.Gc.is_tracked(new GObject.Object()), 'a plain GObject is not');
    assert(a.release(b), 'released');
});

test('frozen objects are not collected until unfrozen', () => {
    Wk.Gc.collect(-1);
    const refs = makeCycle();
    Wk.Gc.freeze();
    assert(Wk.Gc.get_freeze_count() >= 3, 'frozen');
    assertEqual(Wk.Gc.collect(-1), 0, 'not collected while frozen');
    assert(refs.every(r => r.is_alive()), 'alive');
    Wk.Gc.unfreeze();
    assertEqual(Wk.Gc.get_freeze_count(), 0, 'unfrozen');
    assertEqual(Wk.Gc.collect(-1), 3, 'collected');
    assert(refs.every(r => !r.is_alive()), 'dead');
});

test('thresholds, counts and stats', () => {
    const [t0, t1, t2] = Wk.Gc.get_threshold();
    assertEqual(`${[t0, t1, t2]}`, '700,10,10', 'default thresholds');
    Wk.Gc.set_threshold(100, 5, 3);
    assertEqual(`${Wk.Gc.get_threshold()}`, '100,5,3', 'set');
    Wk.Gc.set_threshold(t0, t1, t2);
    Wk.Gc.collect(-1);
    const keep = [Wk.Object.new(), Wk.Object.new()];
    assertEqual(Wk.Gc.get_count()[0], 2, 'two new objects');
    const before = Wk.Gc.get_stats().deepUnpack();
    makeCycle();
    assertEqual(Wk.Gc.collect(2), 3, 'collected');
    const after = Wk.Gc.get_stats().deepUnpack();
    assertEqual(after[2][0], before[2][0] + 1, 'one more collection');
    assertEqual(after[2][1], before[2][1] + 3, 'three more collected');
    assertEqual(Wk.Gc.get_count()[0], 0, 'count reset');
    assert(keep.length === 2, 'kept');
});

run();
