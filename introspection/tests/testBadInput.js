// testBadInput.js: bad input from GJS throws, never crashes
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS face of wk-tests/bad-input/. GJS checks types and nulls
// before calling C and throws; a call that does reach a
// g_return_if_fail() runs in a child gjs without G_DEBUG=fatal-criticals
// (the suite's setting), which must log the critical, get the
// documented return value and exit cleanly. Run with `gjs -m`.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, diesInC, run, test} from './harness.js';

const Target = GObject.registerClass({
    Properties: {
        'level': GObject.ParamSpec.int('level', null, null,
            GObject.ParamFlags.READWRITE, 0, 10, 0),
    },
}, class Target extends GObject.Object {
    get level() {
        return this._level ?? 0;
    }

    set level(v) {
        this._level = v;
    }
});

const NULL = /may not be null|null|not a subclass|cannot convert/;
const WRONG = /Expected|not a subclass|cannot convert|out of range|type/;

const o = new GObject.Object();
const ref = Wk.Ref.new(o, null);
const proxy = Wk.Proxy.new(o, null);
const registry = Wk.FinalizationRegistry.new(() => {}, null);
const wvd = Wk.WeakValueDict.new_for_variants();
const wkd = Wk.WeakKeyDict.new_for_values();
const ws = Wk.WeakSet.new();
const key = new GLib.Variant('s', 'k');

// [name, call, pattern]: each must throw, matching pattern.
const throwing = [
    ['Ref.new(null)', () => Wk.Ref.new(null, null), NULL],
    ['Ref.new(number)', () => Wk.Ref.new(1, null), WRONG],
    ['Ref.new(plain JS object)', () => Wk.Ref.new({}, null), WRONG],
    ['Ref.get on a GObject', () => Wk.Ref.prototype.get.call(o), WRONG],
    ['Ref.is_alive on a GObject', () => Wk.Ref.prototype.is_alive.call(o), WRONG],
    ['Ref.equal(ref, number)', () => ref.equal(1), WRONG],
    ['Ref.hash on a WeakSet', () => Wk.Ref.prototype.hash.call(ws), WRONG],
    ['Proxy.new(string)', () => Wk.Proxy.new('x', null), WRONG],
    ['Proxy.dup_target on a plain ref', () => Wk.Proxy.prototype.dup_target.call(ref), WRONG],
    ['Proxy.dup_target_property(null)', () => proxy.dup_target_property(null), NULL],
    ['Proxy.set_target_property(null)', () => proxy.set_target_property(null, 1), NULL],
    ['get_weak_ref_count(null)', () => Wk.get_weak_ref_count(null), NULL],
    ['get_weak_ref_count(number)', () => Wk.get_weak_ref_count(1), WRONG],
    ['get_weak_refs(string)', () => Wk.get_weak_refs('x'), WRONG],
    ['Object.get_ref_count(number)', () => Wk.Object.get_ref_count(1), WRONG],
    ['Object.add_toggle_ref(null)', () => Wk.Object.add_toggle_ref(null, () => {}), NULL],
    ['Object.add_toggle_ref(o, null)', () => Wk.Object.add_toggle_ref(o, null), /null|function|callback/],
    ['Object.remove_toggle_ref(o, -1)', () => Wk.Object.remove_toggle_ref(o, -1), WRONG],
    ['Finalizer.new(number)', () => Wk.Finalizer.new(1, () => {}), WRONG],
    ['Finalizer.new(o, null)', () => Wk.Finalizer.new(o, null), /function|null/],
    ['Finalizer.call on a GObject', () => Wk.Finalizer.prototype.call.call(o), WRONG],
    ['Finalizer.peek on a ref', () => Wk.Finalizer.prototype.dup_object.call(ref), WRONG],
    ['FinalizationRegistry.new(null)', () => Wk.FinalizationRegistry.new(null), /argument|null|function/i],
    ['FinalizationRegistry.register(number)', () => registry.register(1, 1, null), WRONG],
    ['FinalizationRegistry.unregister(string)', () => registry.unregister('x'), WRONG],
    ['FinalizationRegistry.get_size on a GObject',
        () => Wk.FinalizationRegistry.prototype.get_size.call(o), WRONG],
    ['WeakValueDict.insert(number key)', () => wvd.insert(1, o), WRONG],
    ['WeakValueDict.insert(null key)', () => wvd.insert(null, o), NULL],
    ['WeakValueDict.insert(key, number)', () => wvd.insert(key, 1), WRONG],
    ['WeakValueDict.lookup(string)', () => wvd.lookup('k'), WRONG],
    ['WeakValueDict.get_size on a WeakSet', () => Wk.WeakValueDict.prototype.get_size.call(ws), WRONG],
    ['WeakKeyDict.insert(number key)', () => wkd.insert(1, 1), WRONG],
    ['WeakKeyDict.dup_value(null)', () => wkd.dup_value(null), NULL],
    ['WeakKeyDict.get_size on a WeakValueDict',
        () => Wk.WeakKeyDict.prototype.get_size.call(wvd), WRONG],
    ['WeakSet.add(null)', () => ws.add(null), NULL],
    ['WeakSet.add(string)', () => ws.add('x'), WRONG],
    ['WeakSet.contains(number)', () => ws.contains(1), WRONG],
    ['WeakSet.get_size on a WeakKeyDict', () => Wk.WeakSet.prototype.get_size.call(wkd), WRONG],
    ['signal_connect_closure_weak(number)',
        () => Wk.signal_connect_closure_weak(1, 'notify', () => {}, o, false), WRONG],
    ['signal_connect_closure_weak(o, null)',
        () => Wk.signal_connect_closure_weak(o, null, () => {}, o, false), NULL],
    ['check_version(-1)', () => Wk.check_version(-1, 0, 0), WRONG],
    ['check_version(2 ** 32)', () => Wk.check_version(2 ** 32, 0, 0), WRONG],
];

for (const [name, call, pattern] of throwing)
    test(`throws: ${name}`, () => assertThrows(call, pattern, name));

test('check_version in range', () => {
    const major = Wk.get_major_version();
    assertEqual(Wk.check_version(major, Wk.get_minor_version(), Wk.get_micro_version()), null,
        'this version');
    assert(Wk.check_version(major + 1, 0, 0) !== null, 'next major');
    assert(Wk.check_version(2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1) !== null, 'largest');
});

test('error quark and enum', () => {
    assert(Wk.ref_error_quark() !== 0, 'quark');
    assertEqual(GLib.quark_to_string(Wk.ref_error_quark()), 'wk-ref-error-quark', 'quark name');
    assert(Wk.RefError.DEAD !== undefined, 'enum');
});

test('dead proxy: GLib.Error DEAD from every call', () => {
    const store = diesInC(1);
    const p = Wk.Proxy.new(store.get_item(0), null);
    store.remove_all();
    System.gc();
    for (const call of [() => p.dup_target(), () => p.dup_target_property('level')]) {
        let caught = null;
        try {
            call();
        } catch (e) {
            caught = e;
        }
        assert(caught instanceof GLib.Error, `GLib.Error, got ${caught}`);
        assert(caught.matches(Wk.ref_error_quark(), Wk.RefError.DEAD), `DEAD, got ${caught}`);
    }
});

test('proxy property errors', () => {
    const t = new Target();
    const p = Wk.Proxy.new(t, null);
    assertThrows(() => p.dup_target_property('no-such-property'), /no property/, 'unknown property');
    assertThrows(() => p.set_target_property('level', 11), /range/, 'out of range');
    assertEqual(t.level, 0, 'unchanged');
});

test('dead ref, finalizer: documented values', () => {
    const store = diesInC(1);
    const r = Wk.Ref.new(store.get_item(0), null);
    let runs = 0;
    const f = Wk.Finalizer.new(store.get_item(0), () => runs++);
    System.gc();   // the wrapper first: the object then dies in C, outside a GC
    store.remove_all();
    assertEqual(runs, 1, 'ran at death');
    assertEqual(r.get(), null, 'get');
    assertEqual(r.is_alive(), false, 'is_alive');
    assertEqual(f.is_alive(), false, 'finalizer alive');
    assertEqual(f.call(), false, 'call');
    assertEqual(f.detach(), false, 'detach');
    assertEqual(f.dup_object(), null, 'dup_object');
});

test('unknown ids and tokens are false, quietly', () => {
    assertEqual(Wk.Object.remove_toggle_ref(o, 12345), false, 'toggle id');
    assertEqual(registry.unregister(new GObject.Object()), false, 'token');
    assertEqual(wkd.lookup(new GObject.Object()), null, 'missing key');
    assertEqual(wkd.contains(new GObject.Object()), false, 'not contained');
    assertEqual(wvd.lookup(key), null, 'missing variant key');
});

// Calls that reach g_return_if_fail(): a child gjs, fatal-criticals off.
function runChild(code) {
    let env = GLib.get_environ();
    env = GLib.environ_unsetenv(env, 'G_DEBUG');
    const prologue = "const {GLib, GObject, Wk} = imports.gi;\n";
    const [, out, err, status] = GLib.spawn_sync(null, ['gjs', '-c', prologue + code], env,
        GLib.SpawnFlags.SEARCH_PATH, null);
    const decoder = new TextDecoder();
    return [decoder.decode(out), decoder.decode(err), status];
}

const criticalCases = [
    ['remove_toggle_ref id 0',
        "print(Wk.Object.remove_toggle_ref(new GObject.Object(), 0) === false ? 'ok' : 'bad');",
        'id != 0'],
    ['registry made by GObject alone: get_size',
        "print(new Wk.FinalizationRegistry().get_size() === 0 ? 'ok' : 'bad');",
        'core != NULL'],
    ['registry made by GObject alone: unregister',
        "print(new Wk.FinalizationRegistry().unregister(new GObject.Object()) === false ? 'ok' : 'bad');",
        'core != NULL'],
    ['set_callback on the shared ref',
        "const o = new GObject.Object(); const r = Wk.Ref.new(o, null);\n" +
        "print(r.set_callback(() => {}) === false ? 'ok' : 'bad');",
        'shared'],
];

for (const [name, code, pattern] of criticalCases) {
    test(`critical, no crash: ${name}`, () => {
        const [out, err, status] = runChild(code);
        assertEqual(status, 0, `exit status (stderr: ${err})`);
        assertEqual(out.trim().split('\n').pop(), 'ok', `result (stderr: ${err})`);
        assert(err.includes('CRITICAL') && err.includes(pattern), `critical '${pattern}' in: ${err}`);
    });
}

run();
