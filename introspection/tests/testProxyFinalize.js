// testProxyFinalize.js: Wk.Proxy and Wk.Finalizer from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// GJS blocks JS callbacks while it collects garbage and at shutdown, so
// the objects here die in C (diesInC()), and every JS finalizer has run
// or been detached before the program ends.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, diesInC, run, test} from './harness.js';

function isRefError(e, code) {
    return e instanceof GLib.Error && e.matches(Wk.ref_error_quark(), code);
}

test('a proxy reads and writes the properties of its referent', () => {
    const action = new Gio.SimpleAction({name: 'open', enabled: true});
    const proxy = Wk.Proxy.new(action, null);
    assert(proxy.dup_target() === action, 'dup_target');
    assert(proxy instanceof Wk.Ref, 'a proxy is a ref');
    assertEqual(Wk.get_weak_ref_count(action), 1, 'counted');
    assertEqual(proxy.dup_target_property('name'), 'open', 'dup_target_property');
    proxy.set_target_property('enabled', false);
    assertEqual(action.enabled, false, 'set_target_property');
    try {
        proxy.dup_target_property('no-such');
        throw new Error('did not throw');
    } catch (e) {
        assert(isRefError(e, Wk.RefError.UNKNOWN_PROPERTY), `unknown property: ${e}`);
    }
    try {
        proxy.set_target_property('name', 'sealed');
        throw new Error('did not throw');
    } catch (e) {
        assert(isRefError(e, Wk.RefError.PROPERTY_ACCESS), `construct-only: ${e}`);
    }
});

test('a dead proxy throws Wk.RefError.DEAD and ran its callback', () => {
    const store = diesInC();
    let called = null;
    const proxy = Wk.Proxy.new(store.get_item(0), p => {
        called = p;
    });
    System.gc();
    store.remove_all();
    assert(called === proxy, 'the callback got the proxy');
    for (const access of [() => proxy.dup_target(), () => proxy.dup_target_property('x')]) {
        try {
            access();
            throw new Error('did not throw');
        } catch (e) {
            assert(isRefError(e, Wk.RefError.DEAD), `dead: ${e}`);
        }
    }
});

test('a finalizer runs once at death, kept alive by Wk', () => {
    const store = diesInC();
    let runs = 0;
    let finalizer = Wk.Finalizer.new(store.get_item(0), () => runs++);
    assert(finalizer.is_alive(), 'alive');
    assert(finalizer.atexit, 'atexit by default');
    assert(finalizer.dup_object() === store.get_item(0), 'dup_object');
    finalizer = null;
    System.gc();
    store.remove_all();
    assertEqual(runs, 1, 'ran at death');
});

test('call() and detach() win once', () => {
    const object = new GObject.Object();
    let runs = 0;
    const called = Wk.Finalizer.new(object, () => runs++);
    const detached = Wk.Finalizer.new(object, () => runs++);
    assert(called.call(), 'call ran it');
    assert(!called.call(), 'not twice');
    assert(detached.detach(), 'detached');
    assert(!detached.detach(), 'not twice');
    assert(!detached.call(), 'a detached one does not run');
    assertEqual(runs, 1, 'one run');
    assert(detached.dup_object() === null, 'peek on a dead finalizer');
});

test('finalize_run_atexit runs the atexit ones, newest first', () => {
    const object = new GObject.Object();
    const order = [];
    Wk.Finalizer.new(object, () => order.push('first'));
    const skipped = Wk.Finalizer.new(object, () => order.push('not at exit'));
    skipped.atexit = false;
    Wk.Finalizer.new(object, () => order.push('second'));
    Wk.finalize_run_atexit();
    assertEqual(order.join(' '), 'second first', 'order');
    assert(skipped.is_alive(), 'the other one waits');
    assert(skipped.detach(), 'and can still be detached');
});

test('bad input throws', () => {
    assertThrows(() => Wk.Proxy.new(null, null), /./, 'null referent');
});

run();
