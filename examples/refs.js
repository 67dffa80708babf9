// refs.js: Wk from GJS: refs, a weak value dict, a finalization registry
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m examples/refs.js` (inside `meson devenv -C _build`).
// GJS cannot run JS while it collects garbage, and JS-owned objects die
// then; so the objects here die when C (a Gio.ListStore) lets go of them,
// and the registry delivers its cleanups from the main loop.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

// Objects without JS state, kept only by C.
const store = Gio.ListStore.new(GObject.Object);
for (let i = 0; i < 3; i++)
    store.append(new GObject.Object());
System.gc();

print('1. a Wk.Ref follows the GObject, not the JS wrapper');
const ref = Wk.Ref.new(store.get_item(0), () => print('   the ref\'s callback: item 0 died'));
System.gc();
print(`   alive while the store holds it: ${ref.is_alive()}`);

print('2. a weak value dict keyed by strings');
const cache = Wk.WeakValueDict.new_for_variants();
cache.insert(new GLib.Variant('s', 'second'), store.get_item(1));
print(`   entries: ${cache.get_size()}`);

print('3. a finalization registry that delivers on the main context');
const loop = new GLib.MainLoop(null, false);
const registry = Wk.FinalizationRegistry.new(held => {
    print(`   cleanup from the main loop, held value: ${held}`);
    loop.quit();
}, GLib.MainContext.default());
registry.register(store.get_item(2), 'the third item', null);
System.gc();

print('4. the store lets go: the deaths happen now, in C');
store.remove_all();
print(`   ref alive: ${ref.is_alive()}, dict entries: ${cache.get_size()}`);
loop.run();
