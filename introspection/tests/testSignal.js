// testSignal.js: handlers that hold their target weakly, from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The pattern for GJS: Wk.signal_connect_closure_weak() hands the target
// to the handler as its last argument, so the handler need not capture
// it, and disconnects the handler (in C) when the target dies.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, diesInC, run, test} from './harness.js';

// A view whose button lives on in C (a store stands for the widget tree).
// The weak handler is made outside _init(): SpiderMonkey gives all the
// closures of one function call one environment, so a handler made next
// to an arrow function that uses `this` would keep the view alive too.
function onActivate(button, parameter, view) {
    view.clicks++;
}

const View = GObject.registerClass(
class View extends GObject.Object {
    _init(store, weak) {
        super._init();
        this.clicks = 0;
        this.button = new Gio.SimpleAction({name: 'button'});
        store.append(this.button);
        if (weak)
            this.handlerId = Wk.signal_connect_closure_weak(this.button, 'activate', onActivate, this, false);
        else
            this.handlerId = this.button.connect('activate', () => this.clicks++);
    }
});

// Makes a view and returns what outlives it, so that no local variable
// keeps the view itself.
function makeView(store, weak) {
    const view = new View(store, weak);
    view.button.activate(null);
    view.button.activate(null);
    assertEqual(view.clicks, 2, 'the handler ran');
    return [Wk.Ref.new(view, null), view.handlerId];
}

test('a weak handler does not keep its view alive, and goes with it', () => {
    const store = Gio.ListStore.new(GObject.Object);
    const [ref, handlerId] = makeView(store, true);
    System.gc();
    assert(!ref.is_alive(), 'the view died');
    const button = store.get_item(0);
    assert(!GObject.signal_handler_is_connected(button, handlerId), 'the handler is disconnected');
    button.activate(null);
});

test('a plain handler closing over its view keeps it alive (the leak)', () => {
    const store = Gio.ListStore.new(GObject.Object);
    const [ref, handlerId] = makeView(store, false);
    System.gc();
    assert(ref.is_alive(), 'the view lives on through the button held in C');
    const button = store.get_item(0);
    GObject.signal_handler_disconnect(button, handlerId);
});

test('the handler gets the signal arguments, then the target', () => {
    const action = new Gio.SimpleAction({name: 'a'});
    const targets = diesInC();
    const seen = [];
    const id = Wk.signal_connect_closure_weak(action, 'activate',
        (emitter, parameter, got) => seen.push(emitter === action && got === targets.get_item(0)),
        targets.get_item(0), false);
    assert(id > 0, 'connected');
    action.activate(null);
    assertEqual(seen.join(), 'true', 'one call, with the emitter first and the target last');
    System.gc();
    targets.remove_all();
    assert(!GObject.signal_handler_is_connected(action, id), 'disconnected at the target\'s death');
    action.activate(null);
    assertEqual(seen.length, 1, 'not called after');
});

// A bad signal name: Wk's own critical and 0 on every GLib (GLib itself
// warns up to 2.74 and logs a critical from 2.76 on; Wk checks the name
// first, so GLib says nothing). In a child gjs, without the suite's
// G_DEBUG=fatal-criticals.
function runChild(code) {
    let env = GLib.get_environ();
    env = GLib.environ_unsetenv(env, 'G_DEBUG');
    const prologue = "const {Gio, GObject, Wk} = imports.gi;\n";
    const [, out, err, status] = GLib.spawn_sync(null, ['gjs', '-c', prologue + code], env,
        GLib.SpawnFlags.SEARCH_PATH, null);
    const decoder = new TextDecoder();
    return [decoder.decode(out), decoder.decode(err), status];
}

for (const name of ['no-such-signal', 'activate::detail', 'activate::']) {
    test(`a bad signal name is Wk's critical: '${name}'`, () => {
        const [out, err, status] = runChild(
            "const action = new Gio.SimpleAction({name: 'a'}); const target = new GObject.Object();\n" +
            `const id = Wk.signal_connect_closure_weak(action, '${name}', () => {}, target, false);\n` +
            "print(id === 0 && Wk.get_weak_ref_count(target) === 0 ? 'ok' : 'bad');");
        assertEqual(status, 0, `exit status (stderr: ${err})`);
        assertEqual(out.trim().split('\n').pop(), 'ok', `result (stderr: ${err})`);
        assert(err.includes('Wk-CRITICAL') &&
               err.includes(`wk_signal_connect_closure_weak: signal '${name}' is invalid`),
        `Wk's critical in: ${err}`);
        assert(!err.includes('GLib-GObject'), `nothing from GLib in: ${err}`);
    });
}

run();
