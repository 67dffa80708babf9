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

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, run, test} from './harness.js';

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

// A subclass with its own type name, so that the census counts exactly
// the objects of these tests.
const Counted = GObject.registerClass({
    GTypeName: 'WkGjsTestCounted',
}, class Counted extends Wk.Object {});

test('the census counts live tracked objects by type name', () => {
    const before = Wk.Gc.get_census();
    assertEqual(before.get_type_string(), 'a{su}', 'a{su}');
    assertEqual(before.deepUnpack()['WkGjsTestCounted'], undefined, 'none yet');
    const keep = [new Counted(), new Counted(), new Counted(), Wk.Object.new()];
    const after = Wk.Gc.get_census();
    const counts = after.deepUnpack();
    assertEqual(counts['WkGjsTestCounted'], 3, 'three Counted');
    assert(counts['WkObject'] >= 1, 'a WkObject');
    // Most numerous first.
    const values = Object.values(counts);
    assert(values.every((v, i) => i === 0 || v <= values[i - 1]), 'sorted');
    const growth = Wk.Gc.census_diff(before, after);
    assertEqual(growth.get_type_string(), 'a{si}', 'a{si}');
    assertEqual(growth.deepUnpack()['WkGjsTestCounted'], 3, 'grew by three');
    assertEqual(Wk.Gc.census_diff(after, before).deepUnpack()['WkGjsTestCounted'], -3,
        'shrank by three the other way');
    assertEqual(Wk.Gc.census_diff(after, after).n_children(), 0, 'nothing changed');
    assert(keep.length === 4, 'kept');
});

// The node and edge lines of a DOT file that wk_gc_write_graph wrote.
function readGraph(path) {
    const [, bytes] = GLib.file_get_contents(path);
    const text = new TextDecoder().decode(bytes);
    assert(text.includes('digraph wk_gc {'), 'a digraph');
    const lines = text.split('\n');
    return {
        nodes: lines.filter(l => /^ {2}o[0-9a-f]+ \[label=/.test(l)),
        edges: lines.filter(l => /^ {2}o[0-9a-f]+ -> o[0-9a-f]+/.test(l)),
    };
}

// Runs fn in a new temporary directory, then removes it and the files
// named in the list.
function withTmpDir(names, fn) {
    const dir = GLib.dir_make_tmp('wk-gjs-graph-XXXXXX');
    try {
        fn(dir);
    } finally {
        for (const name of names)
            GLib.unlink(GLib.build_filenamev([dir, name]));
        assertEqual(GLib.rmdir(dir), 0, 'every file removed');
    }
}

test('write_graph draws a cycle, forward and backward, to a depth', () => {
    const a = Wk.Object.new();
    const b = Wk.Object.new();
    const c = Wk.Object.new();
    a.hold(b);
    b.hold(c);
    c.hold(a);
    withTmpDir(['cycle.dot'], dir => {
        const path = GLib.build_filenamev([dir, 'cycle.dot']);
        assert(Wk.Gc.write_graph([a], 10, Wk.GcGraphFlags.REFERENTS, path), 'written');
        let graph = readGraph(path);
        assertEqual(graph.nodes.length, 3, 'three nodes');
        assertEqual(graph.edges.length, 3, 'three edges: the cycle');
        assert(graph.nodes.every(l => l.includes('label="WkObject\\n0x')), 'labels');
        assertEqual(graph.nodes.filter(l => l.includes('peripheries=2')).length, 1, 'one asked about');

        assert(Wk.Gc.write_graph([a], 1, Wk.GcGraphFlags.REFERENTS, path), 'depth 1');
        graph = readGraph(path);
        assertEqual(graph.nodes.length, 2, 'a and b');
        assertEqual(graph.edges.length, 1, 'a -> b');

        assert(Wk.Gc.write_graph([b], 1, Wk.GcGraphFlags.REFERRERS, path), 'referrers');
        graph = readGraph(path);
        assertEqual(graph.nodes.length, 2, 'b and its holder a');
        assertEqual(graph.edges.length, 1, 'a -> b');

        assert(Wk.Gc.write_graph([], 3, Wk.GcGraphFlags.REFERENTS, path), 'nothing');
        assertEqual(readGraph(path).nodes.length, 0, 'an empty graph');
    });
    a.release(b);
});

test('write_graph renders an SVG with dot, and says so when dot is missing', () => {
    const a = Wk.Object.new();
    const b = Wk.Object.new();
    a.hold(b);
    withTmpDir(['graph.svg', 'graph.dot'], dir => {
        const svg = GLib.build_filenamev([dir, 'graph.svg']);
        const dot = GLib.build_filenamev([dir, 'graph.dot']);
        if (GLib.find_program_in_path('dot') !== null) {
            assert(Wk.Gc.write_graph([a], 3, Wk.GcGraphFlags.REFERENTS, svg), 'rendered');
            const [, bytes] = GLib.file_get_contents(svg);
            assert(new TextDecoder().decode(bytes).includes('<svg'), 'an SVG');
            assertEqual(GLib.unlink(svg), 0, 'removed');
        } else {
            print('# Graphviz dot is not installed: the rendering is not tested');
        }
        const path = GLib.getenv('PATH');
        GLib.setenv('PATH', '', true);
        try {
            assertThrows(() => Wk.Gc.write_graph([a], 3, Wk.GcGraphFlags.REFERENTS, svg),
                /dot program is not on PATH/, 'no dot');
        } finally {
            GLib.setenv('PATH', path, true);
        }
        assert(!GLib.file_test(svg, GLib.FileTest.EXISTS), 'no SVG');
        assertEqual(readGraph(dot).nodes.length, 2, 'the DOT file anyway');
    });
    a.release(b);
});

run();
