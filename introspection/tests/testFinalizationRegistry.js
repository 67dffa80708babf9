// testFinalizationRegistry.js: Wk.FinalizationRegistry from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP through harness.js.
//
// From GJS, new() is new(cleanup, context): the user data is hidden.
// Held values are GValues guessed from the JS value: numbers, strings,
// booleans, GObjects, GI boxed values and null go as they are; any other
// JS value (objects, arrays, functions, undefined) is carried by the
// override, kept alive by its registration and given back as itself.
//
// GJS refuses to run JS code while it collects garbage, and a JS-wrapped
// object usually dies exactly then. A registry without a context calls
// its cleanup at the death itself, so its targets here die in C (see
// diesInC() in harness.js); a registry with a context only queues the
// death, and the cleanup runs when the test iterates the context, which
// is how GC-driven deaths are meant to be handled.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, diesInC, run, test} from './harness.js';

function iterate(context) {
    while (context.iteration(false))
        ;
}

test('synchronous delivery with held values', () => {
    const payload = new GObject.Object();
    const plain = {note: 'a JS object'};
    const values = [42, 'text', 1.5, true, payload, plain];
    const got = [];
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), null);
    const store = diesInC(values.length);
    values.forEach((held, i) => registry.register(store.get_item(i), held, null));
    System.gc();
    assertEqual(registry.get_size(), values.length, 'all pending');
    assertEqual(got.length, 0, 'nothing yet');
    store.remove_all();
    assertEqual(registry.get_size(), 0, 'all delivered');
    assertEqual(got.length, values.length, 'one cleanup each');
    values.forEach((held, i) => assert(got.includes(held), `held value ${i}: ${held}`));
});

test('any JS value is a held value, kept alive by its registration', () => {
    const got = [];
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), null);
    const n = 100;
    const store = diesInC(n + 2);
    for (let i = 0; i < n; i++)
        registry.register(store.get_item(i), {i, tag: `t${i}`}, null);
    registry.register(store.get_item(n), undefined, null);
    registry.register(store.get_item(n + 1), [1, 2], null);
    System.gc();
    for (let j = 0; j < 50000; j++)
        void {j, garbage: [j]};
    System.gc();
    store.remove_all();
    assertEqual(got.length, n + 2, 'one cleanup each');
    const objects = got.filter(held => held?.tag !== undefined);
    assertEqual(objects.length, n, 'the objects came back');
    assert(objects.every(held => held.tag === `t${held.i}`), 'with their contents');
    assert(got.includes(undefined), 'undefined');
    assert(got.some(held => Array.isArray(held) && held.join(',') === '1,2'), 'an array');
});

test('the target is not kept alive', () => {
    const got = [];
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), null);
    const store = diesInC();
    const token = new GObject.Object();
    let target = store.get_item(0);
    const before = Wk.Object.get_ref_count(target);
    registry.register(target, 'a', token);
    registry.register(target, 'b', target);
    assertEqual(Wk.Object.get_ref_count(target), before, 'no reference taken');
    const ref = Wk.Ref.new(target, null);
    target = null;
    System.gc();
    store.remove_all();
    assert(ref.get() === null, 'the target died');
    assertEqual(got.slice().sort().join(','), 'a,b', 'both delivered');
    assert(!registry.unregister(token), 'nothing left for the token');
});

test('unregister before death cancels', () => {
    const got = [];
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), null);
    const store = diesInC(2);
    const token = new GObject.Object();
    registry.register(store.get_item(0), 'cancelled', token);
    registry.register(store.get_item(1), 'kept', null);
    assert(!registry.unregister(new GObject.Object()), 'a stranger is no token');
    assert(registry.unregister(token), 'unregistered');
    assert(!registry.unregister(token), 'only once');
    assertEqual(registry.get_size(), 1, 'one left');
    System.gc();
    store.remove_all();
    assertEqual(got.join(','), 'kept', 'only the other one');
});

test('several targets per token', () => {
    const got = [];
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), null);
    const store = diesInC(4);
    const token = new GObject.Object();
    for (let i = 0; i < 3; i++)
        registry.register(store.get_item(i), i, token);
    registry.register(store.get_item(3), 3, null);
    assert(registry.unregister(token), 'unregistered');
    assertEqual(registry.get_size(), 1, 'one left');
    System.gc();
    store.remove_all();
    assertEqual(got.join(','), '3', 'only the untokened one');
});

test('delivery on a context, after a GC-driven death', () => {
    const got = [];
    const context = GLib.MainContext.new();
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), context);
    let target = new GObject.Object();
    const ref = Wk.Ref.new(target, null);
    registry.register(target, 'collected', null);
    target = null;
    System.gc();
    assert(ref.get() === null, 'the GC took the target');
    assertEqual(got.length, 0, 'queued, not delivered');
    assertEqual(registry.get_size(), 1, 'queued counts');
    iterate(context);
    assertEqual(got.join(','), 'collected', 'delivered by iterating');
    assertEqual(registry.get_size(), 0, 'done');
});

test('unregister after death but before delivery cancels', () => {
    const got = [];
    const context = GLib.MainContext.new();
    const registry = Wk.FinalizationRegistry.new(held => got.push(held), context);
    const store = diesInC(2);
    const token = new GObject.Object();
    registry.register(store.get_item(0), 'cancelled', token);
    registry.register(store.get_item(1), 'delivered', null);
    System.gc();
    store.remove_all();
    assertEqual(registry.get_size(), 2, 'both queued');
    assert(registry.unregister(token), 'unregistered while queued');
    iterate(context);
    assertEqual(got.join(','), 'delivered', 'only the other one');
});

test('a cleanup may unregister a queued delivery', () => {
    const got = [];
    const context = GLib.MainContext.new();
    const token = new GObject.Object();
    const registry = Wk.FinalizationRegistry.new(held => {
        got.push([held, registry.unregister(token)]);
    }, context);
    const store = diesInC(2);
    registry.register(store.get_item(0), 'first', null);
    registry.register(store.get_item(1), 'second', token);
    System.gc();
    // First dies first.
    store.remove(0);
    store.remove(0);
    assertEqual(registry.get_size(), 2, 'both queued');
    iterate(context);
    assertEqual(JSON.stringify(got), '[["first",true]]', 'the second was cancelled');
});

test('a dropped registry delivers nothing', () => {
    const got = [];
    const context = GLib.MainContext.new();
    let registry = Wk.FinalizationRegistry.new(held => got.push(held), context);
    const store = diesInC(2);
    const payload = new GObject.Object();
    const before = Wk.Object.get_ref_count(payload);
    registry.register(store.get_item(0), payload, null);
    registry.register(store.get_item(1), payload, null);
    assertEqual(Wk.Object.get_ref_count(payload), before + 2, 'two copies held');
    const ref = Wk.Ref.new(registry, null);
    System.gc();
    store.remove_all();
    assertEqual(registry.get_size(), 2, 'both queued');
    registry = null;
    System.gc();
    assert(ref.get() === null, 'the GC took the registry');
    assertEqual(Wk.Object.get_ref_count(payload), before, 'held values released');
    iterate(context);
    assertEqual(got.length, 0, 'no cleanup');
});

run();
