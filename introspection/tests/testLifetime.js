// testLifetime.js: object lifetime across JavaScript and C
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP through harness.js. WkTest.Holder
// (wk-tests/introspection) is C code that stores, drops and creates objects
// when told to. WkTest.Holder.ref_count() is the raw count, the wrapper's
// reference (or GJS's toggle reference) included.
//
// GJS cannot run JS code while it collects garbage. An object whose
// wrapper GJS holds through a toggle reference (any instance of a JS
// subclass, and any wrapper given JS state) dies in a collection even when
// C drops the last other reference, so the tests of such deaths watch them
// with Wk tools that run no JS code: callback-less refs and the weak
// collections.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import WkTest from 'gi://WkTest';
import System from 'system';

import {assert, assertEqual, run, test} from './harness.js';

const raw = WkTest.Holder.ref_count;

const X = GObject.registerClass({
    Properties: {
        value: GObject.ParamSpec.int('value', 'Value', 'A number',
            GObject.ParamFlags.READWRITE, 0, 100, 0),
    },
}, class X extends Wk.Object {
    _init(params) {
        super._init(params);
        this.note = 'js state';
    }
});

const Bare = GObject.registerClass(class Bare extends Wk.Object {});

const kinds = [
    ['GObject.Object', () => new GObject.Object(), false],
    ['Wk.Object', () => new Wk.Object(), false],
    ['Bare', () => new Bare(), true],
    ['X', () => new X({value: 5}), true],
];

// Weak tools that run no JS code when the object dies.
class Watch {
    constructor(obj) {
        this.ref = Wk.Ref.new(obj, null);
        this.values = Wk.WeakValueDict.new_for_variants();
        this.values.insert(new GLib.Variant('s', 'key'), obj);
        this.keys = Wk.WeakKeyDict.new_for_values();
        this.keys.insert(obj, 1);
        this.set = Wk.WeakSet.new();
        this.set.add(obj);
    }

    checkAlive(what) {
        assert(this.ref.is_alive(), `${what}: ref alive`);
        assertEqual(this.values.get_size(), 1, `${what}: value entry`);
        assertEqual(this.keys.get_size(), 1, `${what}: key entry`);
        assertEqual(this.set.get_size(), 1, `${what}: set member`);
    }

    checkDead(what) {
        assert(!this.ref.is_alive(), `${what}: ref dead`);
        assert(this.ref.get() === null, `${what}: get() is null`);
        assertEqual(this.values.get_size(), 0, `${what}: no value entry`);
        assertEqual(this.keys.get_size(), 0, `${what}: no key entry`);
        assertEqual(this.set.get_size(), 0, `${what}: no set member`);
    }
}

for (const [name, make] of kinds) {
    test(`${name}: reference counts through the holder`, () => {
        let obj = make();
        assertEqual(raw(obj), 1, 'new');
        const holder = new WkTest.Holder();
        holder.store(obj);
        assertEqual(raw(obj), 2, 'stored');
        assert(holder.get(0) === obj, 'get gives the same wrapper');
        assert(holder.dup(0) === obj, 'dup gives the same wrapper');
        assertEqual(raw(obj), 2, 'GJS dropped the reference dup handed over');
        assert(holder.steal(0) === obj, 'steal gives the same wrapper');
        assertEqual(holder.get_size(), 0, 'stolen');
        assertEqual(raw(obj), 1, 'the wrapper\'s reference only');
        obj = null;
        System.gc();
    });
}

for (const [name, make] of kinds.filter(k => !k[2])) {
    test(`${name}: the last reference dropped in C, callbacks included`, () => {
        let obj = make();
        const watch = new Watch(obj);
        const events = [];
        const ref = Wk.Ref.new(obj, () => events.push('ref'));
        Wk.Finalizer.new(obj, () => events.push('finalize'));
        const holder = new WkTest.Holder();
        holder.store(obj);
        obj = null;
        System.gc();
        watch.checkAlive('wrapper gone, C holds it');
        assertEqual(raw(holder.get(0)), 2, 'the holder and the new wrapper');
        System.gc();
        assertEqual(events.length, 0, 'no event yet');
        holder.drop(0);
        // No toggle reference: it dies inside drop(), JS callbacks run there.
        watch.checkDead('after drop');
        assertEqual(events.sort().join(','), 'finalize,ref', 'both callbacks ran');
        assert(ref.get() === null, 'the callback ref is dead too');
    });
}

for (const [name, make] of kinds.filter(k => k[2])) {
    test(`${name}: the last reference dropped in C, death at the next GC`, () => {
        let obj = make();
        const watch = new Watch(obj);
        const holder = new WkTest.Holder();
        holder.store(obj);
        obj = null;
        System.gc();
        watch.checkAlive('wrapper unreachable, C holds it');
        holder.drop(0);
        // GJS's toggle reference keeps the object until the wrapper is
        // collected: not dead inside drop(), unlike the plain objects.
        watch.checkAlive('after drop, before GC');
        System.gc();
        watch.checkDead('after drop and GC');
    });
}

for (const [name, make, persistent] of kinds) {
    for (const where of ['holder', 'list store']) {
        test(`${name}: a Wk.Ref survives losing every wrapper (${where})`, () => {
            let obj = make();
            let keeper, get, clear;
            if (where === 'holder') {
                keeper = new WkTest.Holder();
                keeper.store(obj);
                get = () => keeper.get(0);
                clear = () => keeper.drop_all();
            } else {
                keeper = Gio.ListStore.new(GObject.Object);
                keeper.append(obj);
                get = () => keeper.get_item(0);
                clear = () => keeper.remove_all();
            }
            const ref = Wk.Ref.new(obj, null);
            obj = null;
            System.gc();
            assert(ref.is_alive(), 'alive while C holds it');
            const back = ref.get();
            assert(back !== null && back === get(), 'the same wrapper from C and from the ref');
            assert(back instanceof Wk.Object || !persistent, 'the JS class comes back');
            if (name === 'X') {
                assertEqual(back.note, 'js state', 'JS state survived');
                assertEqual(back.value, 5, 'property survived');
            }
            clear();
            System.gc();
            assert(ref.is_alive(), 'alive while JS holds it');
        });
    }
}

test('JS state survives the round trip through C', () => {
    let obj = new X({value: 9});
    obj.extra = [1, 2];
    const holder = new WkTest.Holder();
    holder.store(obj);
    const watch = new Watch(obj);
    obj = null;
    System.gc();
    System.gc();
    let back = holder.steal(0);
    assertEqual(back.note, 'js state', '_init state');
    assertEqual(back.extra.join(','), '1,2', 'expando property');
    assertEqual(back.value, 9, 'GObject property');
    assertEqual(raw(back), 1, 'one reference: GJS\'s toggle reference');
    back = null;
    System.gc();
    watch.checkDead('after JS let go');
});

test('JS state set later on a plain object also survives', () => {
    const holder = new WkTest.Holder();
    holder.store(new GObject.Object());
    System.gc();
    holder.get(0).extra = 'set later';
    System.gc();
    assertEqual(holder.get(0).extra, 'set later', 'expando kept while C holds it');
    const watch = new Watch(holder.get(0));
    holder.drop(0);
    System.gc();
    watch.checkDead('after drop and GC');
});

test('no leak when JS drops an object that C never saw', () => {
    let obj = new X();
    const watch = new Watch(obj);
    assertEqual(raw(obj), 1, 'only GJS\'s reference');
    obj = null;
    System.gc();
    watch.checkDead('after GC');
});

for (const type of [X, Bare, GObject.Object]) {
    test(`C creates a ${type.name} from its GType`, () => {
        let obj = WkTest.Holder.make_object(type);
        assert(obj instanceof type, 'the JS class');
        assertEqual(raw(obj), 1, 'only the wrapper\'s reference');
        if (type === X)
            assertEqual(obj.note, 'js state', '_init ran inside g_object_new()');
        const holder = new WkTest.Holder();
        holder.store(obj);
        const watch = new Watch(obj);
        obj = null;
        System.gc();
        watch.checkAlive('C holds it');
        if (type === X)
            assertEqual(holder.get(0).note, 'js state', 'state survived');
        holder.drop(0);
        System.gc();
        watch.checkDead('after drop and GC');
    });
}

// Wk toggle references from C. A holder logs "T" for is_last_ref TRUE and
// "F" for FALSE. Wk holds one GLib toggle reference for all its holders.

test('toggle: every holder of a plain object is told', () => {
    let obj = new GObject.Object();
    const ref = Wk.Ref.new(obj, null);
    const first = new WkTest.Holder();
    const second = new WkTest.Holder();
    first.add_toggle(obj);
    second.add_toggle(obj);
    assertEqual(raw(obj), 2, 'the wrapper\'s and Wk\'s');
    assertEqual(first.get_toggle_log(), '', 'nothing on add');
    obj = null;
    System.gc();
    assertEqual(first.get_toggle_log(), 'T', 'first told: only toggles left');
    assertEqual(second.get_toggle_log(), 'T', 'second told too');
    let back = ref.get();
    assertEqual(first.get_toggle_log(), 'T F', 'a new wrapper is another reference');
    assertEqual(second.get_toggle_log(), 'T F', 'told to both');
    back = null;
    System.gc();
    assertEqual(first.get_toggle_log(), 'T F T', 'wrapper collected');
    assert(ref.is_alive(), 'toggle references keep it');
    back = ref.get();
    first.remove_toggle(back);
    second.remove_toggle(back);
    assertEqual(raw(back), 1, 'the wrapper only');
    back = null;
    System.gc();
    assertEqual(first.get_toggle_log(), 'T F T F', 'nothing after removal');
    assert(!ref.is_alive(), 'dead');
});

for (const [name, make] of kinds.filter(k => k[2])) {
    test(`toggle: a holder of a ${name} (GJS's own toggle ref) is told nothing`, () => {
        let obj = make();
        const ref = Wk.Ref.new(obj, null);
        const holder = new WkTest.Holder();
        holder.add_toggle(obj);
        assertEqual(raw(obj), 2, 'GJS\'s toggle reference and Wk\'s');
        obj = null;
        System.gc();
        // Two GLib toggle references: GLib tells neither. Both act as
        // strong references, and GJS keeps the wrapper reachable.
        assertEqual(holder.get_toggle_log(), '', 'nothing');
        assert(ref.is_alive(), 'alive');
        assertEqual(ref.get().constructor.name, name, 'the wrapper kept its class');
        System.gc();
        assertEqual(holder.get_toggle_log(), '', 'still nothing');
        holder.remove_toggle(ref.get());
        // GLib now tells GJS, which lets the wrapper be collected.
        System.gc();
        assert(!ref.is_alive(), 'dead after removal and GC');
        assertEqual(holder.get_toggle_log(), '', 'never told');
    });
}

test('toggle: notifications stop once a plain wrapper gets JS state', () => {
    const holder = new WkTest.Holder();
    let obj = new GObject.Object();
    const ref = Wk.Ref.new(obj, null);
    holder.add_toggle(obj);
    obj = null;
    System.gc();
    assertEqual(holder.get_toggle_log(), 'T', 'told while no JS state');
    let back = ref.get();
    assertEqual(holder.get_toggle_log(), 'T F', 'told of the new wrapper');
    back.extra = 1;     // GJS adds its own GLib toggle reference
    back = null;
    System.gc();
    assertEqual(holder.get_toggle_log(), 'T F', 'silence from here on');
    assertEqual(ref.get().extra, 1, 'the wrapper was kept');
    holder.remove_toggle(ref.get());
    System.gc();
    assert(!ref.is_alive(), 'dead after removal and GC');
});

// Last: a JS WeakRef keeps its target, so these objects stay alive for
// the rest of the run.

test('JS WeakRef on a wrapper in a ListStore (observed in GJS 1.74)', () => {
    const store = Gio.ListStore.new(GObject.Object);
    let obj = new GObject.Object();
    store.append(obj);
    const ref = Wk.Ref.new(obj, null);
    const weak = new WeakRef(obj);
    obj = null;
    System.gc();
    // GJS 1.74 never clears the [[KeptAlive]] list that WeakRef creation
    // and deref() add to, so the target wrapper is never collected: the
    // WeakRef acts as a strong reference to the wrapper, and through it to
    // the GObject.
    assert(weak.deref() !== undefined, 'WeakRef still has the wrapper');
    assert(weak.deref() === store.get_item(0), 'and it is the same wrapper');
    store.remove_all();
    System.gc();
    assert(weak.deref() !== undefined, 'WeakRef kept it after the store let go');
    assert(ref.is_alive(), 'so the GObject did not die either');
    let plain = {a: 1};
    const weakPlain = new WeakRef(plain);
    plain = null;
    System.gc();
    assert(weakPlain.deref() !== undefined, 'the same for a plain JS object');
});

test('JS WeakRef is not cleared by a main loop turn either (GJS 1.74)', () => {
    let plain = {a: 1};
    let weak = null;
    const loop = new GLib.MainLoop(null, false);
    GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
        weak = new WeakRef(plain);
        plain = null;
        return GLib.SOURCE_REMOVE;
    });
    GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => {
        System.gc();
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    loop.run();
    System.gc();
    assert(weak !== null && weak.deref() !== undefined, 'target kept');
});

run();
