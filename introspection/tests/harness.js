// harness.js: the small TAP harness of the GJS tests
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// GJS has no test framework of its own outside its source tree; the test
// files import this and call run() last.

import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import System from 'system';

const tests = [];

export function test(name, fn) {
    tests.push([name, fn]);
}

export function assert(condition, message) {
    if (!condition)
        throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
    if (actual !== expected)
        throw new Error(`${message}: expected ${expected}, got ${actual}`);
}

export function assertThrows(fn, pattern, message) {
    try {
        fn();
    } catch (e) {
        if (!pattern.test(`${e}`))
            throw new Error(`${message}: threw ${e}, expected ${pattern}`);
        return;
    }
    throw new Error(`${message}: did not throw`);
}

// GJS refuses to run JS code while it collects garbage, and a JS-wrapped
// object usually dies exactly then. For a death at a known moment, outside
// a collection: a store holding @n plain objects whose wrappers are gone
// (plain GObjects without JS state hold no toggle reference); they die in
// C when the store lets go of them.
export function diesInC(n = 1) {
    const store = Gio.ListStore.new(GObject.Object);
    for (let i = 0; i < n; i++)
        store.append(new GObject.Object());
    System.gc();
    return store;
}

// Runs the tests in order, prints TAP, exits non-zero on any failure.
export function run() {
    let failed = 0;
    print(`1..${tests.length}`);
    tests.forEach(([name, fn], i) => {
        try {
            fn();
            print(`ok ${i + 1} ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} ${name}`);
            for (const line of `${e}\n${e.stack}`.split('\n'))
                print(`# ${line}`);
        }
    });
    System.exit(failed ? 1 : 0);
}
