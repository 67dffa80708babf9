// testRef.js: Wk.Ref from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP through harness.js.

import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, diesInC, run, test} from './harness.js';

const Thing = GObject.registerClass(
class Thing extends Wk.Object {
    _init(params) {
        super._init(params);
        this.note = 'js state';
    }
});

test('get returns the referent while it lives', () => {
    const store = Gio.ListStore.new(GObject.Object);
    let obj = new GObject.Object();
    const ref = Wk.Ref.new(obj, null);
    assert(ref.get() === obj, 'get() is the same wrapper');
    assert(ref.is_alive(), 'alive');
    store.append(obj);
    obj = null;
    System.gc();
    assert(ref.get() !== null, 'alive while the store holds it');
    store.remove_all();
    System.gc();
    assert(ref.get() === null, 'dead once the store let go');
    assert(!ref.is_alive(), 'not alive');
});

// GJS refuses to run JS code while it collects garbage, and a JS-wrapped
// object usually dies exactly then: so that the callbacks below run, the
// objects die in C instead (see diesInC() in harness.js).

test('callback-less refs are shared, refs with callbacks are not', () => {
    const store = diesInC();
    let obj = store.get_item(0);
    const a = Wk.Ref.new(obj, null);
    const b = Wk.Ref.new(obj, null);
    let called = 0;
    const c = Wk.Ref.new(obj, () => called++);
    assert(a === b, 'shared');
    assert(a !== c, 'not shared with a callback');
    assertEqual(Wk.get_weak_ref_count(obj), 2, 'weak ref count');
    const refs = Wk.get_weak_refs(obj);
    assertEqual(refs.length, 2, 'get_weak_refs length');
    assert(refs[0] === c && refs[1] === a, 'newest first, same wrappers');
    obj = null;
    System.gc();
    store.remove_all();
    assertEqual(called, 1, 'the callback ran');
});

test('callbacks run once, newest first, after every ref reads null', () => {
    const store = diesInC();
    const order = [];
    const refs = [];
    for (const name of ['first', 'second', 'third']) {
        refs.push(Wk.Ref.new(store.get_item(0), ref => {
            assert(refs.every(r => r.get() === null), 'all refs read null');
            assert(refs.includes(ref), 'the callback gets its ref');
            order.push(name);
        }));
    }
    System.gc();
    assertEqual(order.length, 0, 'nothing yet');
    store.remove_all();
    assertEqual(order.join(','), 'third,second,first', 'order');
    store.remove_all();
    assertEqual(order.length, 3, 'once each');
});

test('a Wk.Object subclass keeps its JS state while C holds it', () => {
    const store = Gio.ListStore.new(GObject.Object);
    let obj = new Thing();
    const ref = Wk.Ref.new(obj, null);
    store.append(obj);
    obj = null;
    System.gc();
    assertEqual(ref.get().note, 'js state', 'state through the ref');
    assert(store.get_item(0) === ref.get(), 'the same wrapper');
});

test('Wk.Object reference counts across the boundary', () => {
    const obj = new Wk.Object();
    const store = Gio.ListStore.new(GObject.Object);
    const before = Wk.Object.get_ref_count(obj);
    store.append(obj);
    assertEqual(Wk.Object.get_ref_count(obj), before + 1, 'the store holds one');
    store.remove_all();
    assertEqual(Wk.Object.get_ref_count(obj), before, 'and gives it back');
});

test('hash and equal', () => {
    const store = diesInC();
    const a = Wk.Ref.new(store.get_item(0), null);
    const b = Wk.Ref.new(store.get_item(0), () => {});
    assert(a.equal(b), 'same referent');
    assertEqual(a.hash(), b.hash(), 'same hash');
    System.gc();
    store.remove_all();
    assert(!a.equal(b), 'dead refs equal only themselves');
    assert(a.equal(a), 'itself');
});

run();
