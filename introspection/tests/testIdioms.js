// testIdioms.js: what Wk's GJS override adds to the introspected API
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The override (introspection/gjs/overrides/Wk.js) is found through
// GJS_PATH here, as imports.overrides.Wk; installed, through
// ${datadir}/gjs-1.0/overrides. Objects whose callbacks must run die in C
// (diesInC() in harness.js).

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, diesInC, run, test} from './harness.js';

const V = (type, value) => new GLib.Variant(type, value);

const Image = GObject.registerClass(
class Image extends GObject.Object {
    _init(name) {
        super._init();
        this.name = name;
    }
});

function isRefError(e, code) {
    return e instanceof GLib.Error && e.matches(Wk.ref_error_quark(), code);
}

// A child gjs, with @env changes ([name, value or null to unset]); the
// suite's G_DEBUG=fatal-criticals is dropped.
function runChild(code, changes = [], argv = ['gjs', '-c']) {
    let env = GLib.environ_unsetenv(GLib.get_environ(), 'G_DEBUG');
    for (const [name, value] of changes) {
        env = value === null ? GLib.environ_unsetenv(env, name)
            : GLib.environ_setenv(env, name, value, true);
    }
    const [, out, err, status] = GLib.spawn_sync(null, [...argv, code], env,
        GLib.SpawnFlags.SEARCH_PATH, null);
    const decoder = new TextDecoder();
    return [decoder.decode(out), decoder.decode(err), status];
}

// ---- optional trailing arguments, deref() ----

test('Wk.Ref.new(obj) needs no callback', () => {
    const store = diesInC();
    const ref = Wk.Ref.new(store.get_item(0));
    assert(ref.get() === store.get_item(0), 'get');
    assert(Wk.Ref.new(store.get_item(0)) === ref, 'the shared callback-less ref');
    assert(Wk.Ref.new(store.get_item(0), null) === ref, 'as with an explicit null');
    assert(Wk.Ref.new(store.get_item(0), undefined) === ref, 'or undefined');
    let called = null;
    const withCallback = Wk.Ref.new(store.get_item(0), r => {
        called = r;
    });
    assert(withCallback !== ref, 'a callback still makes a new ref');
    System.gc();
    store.remove_all();
    assert(called === withCallback, 'and it runs');
    assertEqual(ref.get(), null, 'dead');
    assertThrows(() => Wk.Ref.new(null), /null/, 'a null referent still throws');
});

test('Wk.Proxy.new(obj) needs no callback', () => {
    const action = new Gio.SimpleAction({name: 'open'});
    const proxy = Wk.Proxy.new(action);
    assert(proxy instanceof Wk.Proxy && proxy.dup_target() === action, 'a proxy');
    assertEqual(Wk.get_weak_ref_count(action), 1, 'counted');
});

test('ref.deref() is a JS WeakRef deref(): the referent, then undefined', () => {
    const store = diesInC();
    const ref = Wk.Ref.new(store.get_item(0));
    const proxy = Wk.Proxy.new(store.get_item(0));
    assert(ref.deref() === store.get_item(0), 'the referent');
    assert(proxy.deref() === store.get_item(0), 'a proxy is a ref');
    System.gc();
    store.remove_all();
    assertEqual(ref.deref(), undefined, 'undefined once dead');
    assertEqual(proxy.deref(), undefined, 'the proxy too');
    assertEqual(ref.get(), null, 'get() still says null');
});

test('registry.register(target, held) needs no token', () => {
    const seen = [];
    const registry = Wk.FinalizationRegistry.new(held => seen.push(held), null);
    const store = diesInC(2);
    registry.register(store.get_item(0), 'no token');
    registry.register(store.get_item(1), 'explicit null', null);
    assertEqual(registry.get_size(), 2, 'both registered');
    System.gc();
    store.remove_all();
    assertEqual(seen.sort().join(','), 'explicit null,no token', 'both delivered');
});

test('signal_connect_closure_weak: after is optional', () => {
    const action = new Gio.SimpleAction({name: 'a'});
    const order = [];
    const targets = diesInC();
    action.connect('activate', () => order.push('plain'));
    const id = Wk.signal_connect_closure_weak(action, 'activate', (a, param, target) => {
        order.push(target === targets.get_item(0) ? 'weak' : 'wrong target');
    }, targets.get_item(0));
    assert(id > 0, 'connected');
    action.activate(null);
    assertEqual(order.join(','), 'plain,weak', 'run in connection order: not after');
    System.gc();
    targets.remove_all();
    action.activate(null);
    assertEqual(order.join(','), 'plain,weak,plain', 'gone with its target');
});

// ---- one shape for lookups ----

test('WeakKeyDict.lookup and steal return the value, or null', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const key = new GObject.Object();
    const nothing = new GObject.Object();
    const value = {any: 'JS value'};
    dict.insert(key, value);
    assert(dict.lookup(key) === value, 'lookup: the value itself');
    assertEqual(dict.lookup(nothing), null, 'lookup: null without an entry');
    dict.insert(nothing, null);
    assertEqual(dict.lookup(nothing), null, 'a null value: null as well...');
    assert(dict.contains(nothing), '...and contains() tells');
    assert(dict.steal(key) === value, 'steal: the value');
    assertEqual(dict.steal(key), null, 'then null');
    assert(!dict.contains(key), 'stolen');
    assertEqual(dict.lookup(key), null, 'gone');
    const obj = new Image('cat.png');
    dict.insert(key, obj);
    assertEqual(dict.lookup(key).name, 'cat.png', 'a GObject value, with its JS state');

    // WeakValueDict's, for comparison: the same shape.
    const values = Wk.WeakValueDict.new_for_variants();
    values.insert(V('s', 'k'), obj);
    assert(values.lookup(V('s', 'k')) === obj, 'WeakValueDict.lookup: the value');
    assertEqual(values.lookup(V('s', 'nothing')), null, 'WeakValueDict.lookup: null');
    assert(values.steal(V('s', 'k')) === obj, 'WeakValueDict.steal: the value');
    assertEqual(values.steal(V('s', 'k')), null, 'then null');
});

// ---- iteration ----

test('for…of a WeakSet yields its members', () => {
    const set = Wk.WeakSet.new();
    const a = new GObject.Object();
    const b = new Image('b.png');
    const c = new Wk.Object();
    for (const member of [a, b, c])
        set.add(member);
    const seen = [];
    for (const member of set)
        seen.push(member);
    assertEqual(seen.length, 3, 'three');
    assert(seen.every((m, i) => m === set.get_members()[i]), 'in get_members() order');
    assert(seen.find(m => m instanceof Image).name === 'b.png', 'the same wrappers');
    assertEqual(new Set(set).size, 3, 'new Set(weakSet)');
    assertEqual([...set.values()].length, 3, 'values()');
    assertEqual([...Wk.WeakSet.new()].length, 0, 'an empty set');
    const [first] = set;
    assert(set.contains(first) && set.get_size() === 3, 'leaving a loop early is harmless');
});

test('for…of a WeakSet: members that leave meanwhile are skipped', () => {
    const set = Wk.WeakSet.new();
    const members = [0, 1, 2, 3].map(() => new GObject.Object());
    members.forEach(m => set.add(m));
    const order = set.get_members();
    const late = new GObject.Object();
    const seen = [];
    for (const member of set) {
        seen.push(member);
        if (seen.length === 1) {
            set.remove(order[2]);
            set.add(late);
        }
    }
    assertEqual(seen.length, 3, 'one removed, the added one not visited');
    assert(!seen.includes(order[2]) && !seen.includes(late), 'which ones');
    assertEqual(set.get_size(), 4, 'the set itself');
});

test('for…of a WeakSet never yields a member that died before the loop', () => {
    const set = Wk.WeakSet.new();
    const store = diesInC(3);
    for (let i = 0; i < 3; i++)
        set.add(store.get_item(i));
    System.gc();
    store.remove(1);
    assertEqual([...set].length, 2, 'the two left');
    System.gc();
    store.remove_all();
    assertEqual([...set].length, 0, 'none');
});

test('for…of a WeakValueDict yields [key, value], keys as GLib.Variants', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const a = new GObject.Object();
    const b = new Image('b.png');
    dict.insert(V('s', 'a'), a);
    dict.insert(V('(si)', ['b', 2]), b);
    const pairs = [...dict];
    assertEqual(pairs.length, 2, 'two pairs');
    for (const [key, value] of dict) {
        assert(key instanceof GLib.Variant, 'a variant key');
        assert(dict.lookup(key) === value, 'lookup(key) gives the value');
    }
    const map = new Map([...dict].map(([k, v]) => [k.print(true), v]));
    assert(map.get("'a'") === a && map.get("('b', 2)") === b, 'keys and values match');
    assertEqual(map.get("('b', 2)").name, 'b.png', 'JS state');
    assertEqual(new Map(dict).size, 2, 'new Map(dict)');
    assertEqual([...dict.entries()].length, 2, 'entries()');
    assertEqual([...dict.keys()].map(k => k.print(true)).sort().join(' '),
        "'a' ('b', 2)", 'keys()');
    const values = [...dict.values()];
    assert(values.length === 2 && values.includes(a) && values.includes(b), 'values()');
    assert([...dict.keys()].every((k, i) => k.equal(dict.get_keys()[i])), 'get_keys() order');
    assertEqual([...Wk.WeakValueDict.new_for_variants()].length, 0, 'an empty dict');
});

test('for…of a WeakValueDict: values that die in the loop are skipped', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const store = diesInC(3);
    for (let i = 0; i < 3; i++)
        dict.insert(V('i', i), store.get_item(i));
    System.gc();
    const seen = [];
    for (const [key, value] of dict) {
        seen.push([key, value]);
        store.remove_all();   // the others die now, in C: the loop holds none
    }
    assertEqual(seen.length, 1, 'only the first');
    assertEqual(dict.get_size(), 1, 'the loop variable keeps the first alive');
    assert(dict.lookup(seen[0][0]) === seen[0][1], 'still there');

    dict.insert(V('s', 'x'), new GObject.Object());
    dict.insert(V('s', 'y'), seen[0][1]);
    const visited = [];
    for (const [key] of dict) {
        visited.push(key.print(true));
        dict.remove_all();
    }
    assertEqual(visited.length, 1, 'entries removed in the loop are skipped');
});

test('for…of a WeakKeyDict yields [key, value]', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const a = new GObject.Object();
    const b = new Image('b.png');
    const c = new Wk.Object();
    const note = {camera: 'X100'};
    dict.insert(a, 'A');
    dict.insert(b, note);
    dict.insert(c, null);
    const map = new Map(dict);
    assertEqual(map.size, 3, 'new Map(dict)');
    assertEqual(map.get(a), 'A', 'a string value');
    assert(map.get(b) === note, 'the same JS object');
    assert(map.has(c) && map.get(c) === null, 'a null value is an entry');
    const keys = [...dict.keys()];
    assert(keys.every((k, i) => k === dict.get_keys()[i]), 'get_keys() order, same wrappers');
    assert(keys.find(k => k instanceof Image).name === 'b.png', 'JS state of a key');
    assertEqual([...dict.values()].filter(v => v === note).length, 1, 'values()');
    assertEqual([...dict.entries()].length, 3, 'entries()');
    assertEqual([...Wk.WeakKeyDict.new_for_values()].length, 0, 'an empty dict');

    const seen = [];
    for (const [key, value] of dict) {
        seen.push(value);
        if (seen.length === 1) {
            dict.remove(keys[2]);
            dict.insert(keys[1], 'changed');
        }
    }
    assertEqual(seen.length, 2, 'a removed entry is skipped');
    assertEqual(seen[1], 'changed', 'a value is read when its turn comes');
});

test('for…of a WeakKeyDict never yields an entry whose key died', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const store = diesInC(2);
    dict.insert(store.get_item(0), 'first');
    dict.insert(store.get_item(1), 'second');
    System.gc();
    store.remove(0);
    assertEqual([...dict.values()].join(), 'second', 'the live one');
    System.gc();
    store.remove_all();
    assertEqual([...dict].length, 0, 'none');
});

// ---- the proxy's own GObject methods ----

test("a proxy's get_property and set_property are GObject's", () => {
    const action = new Gio.SimpleAction({name: 'open', enabled: true});
    // A proxy to a ref: both have an `object` property, so GObject's
    // get_property (the proxy's own) and get_target_property (its
    // referent's) read different objects.
    const inner = Wk.Ref.new(action);
    const proxy = Wk.Proxy.new(inner);
    assert(proxy.get_property === GObject.Object.prototype.get_property, 'get_property');
    assert(proxy.set_property === GObject.Object.prototype.set_property, 'set_property');
    const own = new GObject.Value();
    own.init(GObject.TYPE_OBJECT);
    proxy.get_property('object', own);
    assert(own.get_object() === inner, "GObject's: the proxy's own property");
    assert(proxy.object === inner, 'as proxy.object');
    assert(proxy.get_target_property('object') === action, 'get_target_property: the target\'s');
    assert(proxy.dup_target_property('object') === action, 'dup_target_property');
});

test('the target forms of a proxy', () => {
    const action = new Gio.SimpleAction({name: 'open', enabled: true});
    const proxy = Wk.Proxy.new(action);
    assertEqual(proxy.get_target_property('name'), 'open', 'get_target_property: the value');
    assertEqual(proxy.get_target_property('enabled'), true, 'a boolean');
    proxy.set_target_property('enabled', false);
    assertEqual(action.enabled, false, 'set_target_property');
    assertEqual(proxy.get_target_property('enabled'), false, 'read back');
    try {
        proxy.get_target_property('no-such');
        throw new Error('did not throw');
    } catch (e) {
        assert(isRefError(e, Wk.RefError.UNKNOWN_PROPERTY), `unknown property: ${e}`);
    }

    const store = diesInC();
    const dead = Wk.Proxy.new(store.get_item(0));
    System.gc();
    store.remove_all();
    for (const access of [() => dead.get_target_property('x'),
        () => dead.dup_target_property('x'), () => dead.set_target_property('x', 1)]) {
        try {
            access();
            throw new Error('did not throw');
        } catch (e) {
            assert(isRefError(e, Wk.RefError.DEAD), `dead: ${e}`);
        }
    }
});

test("GObject's get_property on a proxy: no warning, in a child gjs", () => {
    const [out, err, status] = runChild(`
        const {Gio, GObject, Wk} = imports.gi;
        const action = new Gio.SimpleAction({name: 'open'});
        const proxy = Wk.Proxy.new(action);
        const value = new GObject.Value();
        value.init(GObject.TYPE_OBJECT);
        proxy.get_property('object', value);
        proxy.set_target_property('enabled', false);
        print(value.get_object() === action && proxy.get_target_property('name') === 'open' &&
              proxy.dup_target_property('name') === 'open' && !action.enabled ? 'ok' : 'bad');`);
    assertEqual(status, 0, `exit status (stderr: ${err})`);
    assertEqual(out.trim(), 'ok', `result (stderr: ${err})`);
    assert(!/Too many arguments/.test(err), `no "Too many arguments" in: ${err}`);
    assertEqual(err.trim(), '', 'nothing on stderr');
});

// ---- how GJS finds the override ----

function overrideFile() {
    for (const dir of (GLib.getenv('GJS_PATH') ?? '').split(':')) {
        const file = GLib.build_filenamev([dir, 'overrides', 'Wk.js']);
        if (dir && GLib.file_test(file, GLib.FileTest.EXISTS))
            return file;
    }
    throw new Error('GJS_PATH has no overrides/Wk.js');
}

const probe = "print(typeof Wk.Ref.prototype.deref === 'function' ? 'override' : 'plain');";

test('the override is loaded for gi://Wk and imports.gi.Wk alike', () => {
    assertEqual(typeof Wk.Ref.prototype.deref, 'function', 'here: gi://Wk in a module');
    const [out, err, status] = runChild(`const {Wk} = imports.gi; ${probe}`);
    assertEqual(status, 0, `exit status (stderr: ${err})`);
    assertEqual(out.trim(), 'override', 'imports.gi.Wk in a script');
});

test('installed: found as $XDG_DATA_DIRS/gjs-1.0/overrides/Wk.js', () => {
    // The layout `meson install` makes under ${datadir}, without GJS_PATH.
    const share = GLib.dir_make_tmp('wk-gjs-XXXXXX');
    try {
        const dir = GLib.build_filenamev([share, 'gjs-1.0', 'overrides']);
        GLib.mkdir_with_parents(dir, 0o755);
        const [, contents] = GLib.file_get_contents(overrideFile());
        GLib.file_set_contents(GLib.build_filenamev([dir, 'Wk.js']), contents);
        const module = GLib.build_filenamev([share, 'probe.js']);
        GLib.file_set_contents(module, `import Wk from 'gi://Wk'; ${probe}`);

        let [out, err] = runChild(`const {Wk} = imports.gi; ${probe}`,
            [['GJS_PATH', null], ['XDG_DATA_DIRS', share]]);
        assertEqual(out.trim(), 'override', `a script (stderr: ${err})`);
        [out, err] = runChild(module, [['GJS_PATH', null], ['XDG_DATA_DIRS', share]],
            ['gjs', '-m']);
        assertEqual(out.trim(), 'override', `a module, gi://Wk (stderr: ${err})`);

        // Without it: the plain introspected API, unless a Wk override is
        // installed in GJS's own datadir on this machine.
        [out, err] = runChild(`const {Gio, Wk} = imports.gi;
            const installed = imports.overrides.searchPath.some(dir =>
                Gio.File.new_for_commandline_arg(\`\${dir}/Wk.js\`).query_exists(null));
            if (installed) print('# an installed Wk override is in', imports.overrides.searchPath);
            print(installed ? 'override' : 'plain');
            ${probe}`,
        [['GJS_PATH', null], ['XDG_DATA_DIRS', GLib.build_filenamev([share, 'none'])]]);
        const [expected, got] = out.trim().split('\n').filter(l => !l.startsWith('#'));
        assertEqual(got, expected, `without the override (stderr: ${err})`);

        GLib.unlink(module);
        GLib.unlink(GLib.build_filenamev([dir, 'Wk.js']));
        for (const d of [dir, GLib.path_get_dirname(dir)])
            GLib.rmdir(d);
    } finally {
        GLib.rmdir(share);
    }
});

run();
