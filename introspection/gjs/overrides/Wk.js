// Wk.js: the GJS override of the Wk namespace
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// GJS runs the _init() of imports.overrides.Wk, with `this` the Wk
// namespace, the first time a program loads Wk, through `imports.gi.Wk` or
// `import Wk from 'gi://Wk'` alike. imports.overrides searches the
// overrides/ folder of every importer search path entry: the directories
// of $GJS_PATH and of `gjs -I`, GJS's own resource, $XDG_DATA_DIRS/gjs-1.0
// and GJS's own ${datadir}/gjs-1.0. Wk installs this file as
// ${datadir}/gjs-1.0/overrides/Wk.js; the build tree's `meson devenv` and
// the gjs test suite set GJS_PATH to the folder above this one.
//
// This is a legacy (non-ESM) module, as GJS requires of an override: only
// _init() is exported, and everything else lives inside it.
//
// What it adds (see the JavaScript section of docs/reference/bindings.md):
// - trailing nullable arguments are optional: Wk.Ref.new(obj),
//   Wk.Proxy.new(obj), registry.register(target, held),
//   Wk.signal_connect_closure_weak(instance, signal, handler, target);
// - ref.deref(), as a JS WeakRef: the referent or undefined;
// - for…of over Wk.WeakSet (members) and over Wk.WeakValueDict and
//   Wk.WeakKeyDict ([key, value] pairs, as a Map), with Map's entries(),
//   keys() and values();
// - WeakKeyDict.lookup(key) and steal(key) return the value, or null, as
//   WeakValueDict's do (the introspected ones fill an out GValue, which
//   GJS 1.74 leaks, and return [found, value]);
// - proxy.get_target_property(name) returns the value and throws a
//   GLib.Error, as dup_target_property() does (the introspected one fills
//   an out GValue, and converts it even when the call failed);
// - any JS value can be a WeakKeyDict value or a FinalizationRegistry held
//   value, and is kept alive as long as its entry or registration: see
//   box() below.
// Everything else is the introspected API, unchanged.

/* exported _init */

const {GObject} = imports.gi;

function _init() {
    const Wk = this;

    // GJS turns a plain JS object into a GValue that does not keep it
    // alive (the C side would hand back a collected object) and refuses
    // arrays, functions, symbols and undefined; a bigint would come back
    // as a number. Such a value goes to C inside a small GObject of a JS
    // class instead: GJS keeps the JS side of a JS-class instance, and so
    // the value it carries, alive while C holds a reference to it, which
    // the entry or registration does. Primitives, null, GObjects and GI
    // boxed values (GLib.Variant and the like) go as they are.
    const ValueBox = GObject.registerClass({GTypeName: 'WkJsValueBox'},
        class ValueBox extends GObject.Object {});

    // A GI boxed or variant value. GJS gives Object itself a $gtype (its
    // "JSObject" boxed, which does not keep the object), so that one is
    // not.
    function isBoxed(value) {
        // The prototype's constructor: an own `constructor` property of a
        // plain object says nothing.
        const ctor = Object.getPrototypeOf(value)?.constructor;
        const gtype = ctor?.$gtype;
        return gtype !== undefined && ctor !== Object &&
            (GObject.type_is_a(gtype, GObject.TYPE_BOXED) ||
             GObject.type_is_a(gtype, GObject.TYPE_VARIANT));
    }

    function box(value) {
        switch (typeof value) {
        case 'number':
        case 'boolean':
            return value;
        case 'string':
            // A C string ends at a NUL, and holds UTF-8, which a lone
            // surrogate has none of: such strings are carried.
            if (!/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
                return value;
            break;
        case 'object':
            if (value === null || value instanceof GObject.Object || isBoxed(value))
                return value;
            break;
        }
        const carrier = new ValueBox();
        carrier._wkValue = value;
        return carrier;
    }
    function unbox(value) {
        return value instanceof ValueBox ? value._wkValue : value;
    }

    // Nullable trailing arguments, optional. Only the arguments the
    // introspected call takes are passed on, so extra ones are not
    // reported as "Too many arguments" against a name the caller never
    // wrote.
    const refNew = Wk.Ref.new;
    Wk.Ref.new = function (object, callback = null) {
        return refNew.call(this, object, callback);
    };

    const proxyNew = Wk.Proxy.new;
    Wk.Proxy.new = function (object, callback = null) {
        return proxyNew.call(this, object, callback);
    };

    const register = Wk.FinalizationRegistry.prototype.register;
    Wk.FinalizationRegistry.prototype.register = function (target, held, unregisterToken = null) {
        return register.call(this, target, box(held), unregisterToken);
    };
    const registryNew = Wk.FinalizationRegistry.new;
    Wk.FinalizationRegistry.new = function (cleanup, context = null) {
        if (typeof cleanup !== 'function')
            return registryNew.call(this, cleanup, context);
        return registryNew.call(this, held => cleanup(unbox(held)), context);
    };

    const connectClosureWeak = Wk.signal_connect_closure_weak;
    Wk.signal_connect_closure_weak = function (instance, detailedSignal, handler, target,
        after = false) {
        return connectClosureWeak(instance, detailedSignal, handler, target, after);
    };

    // A JS WeakRef's deref(): undefined once the referent is gone.
    Wk.Ref.prototype.deref = function () {
        return this.get() ?? undefined;
    };

    // Reads that return the value, as everywhere else in Wk.
    const dupValue = Wk.WeakKeyDict.prototype.dup_value;
    const popValue = Wk.WeakKeyDict.prototype.pop_value;
    const insertValue = Wk.WeakKeyDict.prototype.insert;
    Wk.WeakKeyDict.prototype.insert = function (key, value) {
        return insertValue.call(this, key, box(value));
    };
    Wk.WeakKeyDict.prototype.dup_value = function (key) {
        return unbox(dupValue.call(this, key));
    };
    Wk.WeakKeyDict.prototype.pop_value = function (key) {
        return unbox(popValue.call(this, key));
    };
    Wk.WeakKeyDict.prototype.lookup = Wk.WeakKeyDict.prototype.dup_value;
    Wk.WeakKeyDict.prototype.steal = Wk.WeakKeyDict.prototype.pop_value;
    Wk.Proxy.prototype.get_target_property = function (name) {
        return this.dup_target_property(name);
    };

    // Iteration. Each loop walks a snapshot taken when it starts, as
    // get_members() or get_keys() make it, and checks each entry again
    // when its turn comes: an entry that left meanwhile (its object died,
    // or it was removed) is skipped, a dict entry gives its value of that
    // moment, and entries added during the loop are not visited. A slot of
    // the snapshot is dropped once visited.
    function* members(set) {
        const snapshot = set.get_members();
        for (let i = 0; i < snapshot.length; i++) {
            const member = snapshot[i];
            snapshot[i] = null;
            if (set.contains(member))
                yield member;
        }
    }
    Wk.WeakSet.prototype[Symbol.iterator] = function () {
        return members(this);
    };
    Wk.WeakSet.prototype.values = Wk.WeakSet.prototype[Symbol.iterator];

    // Keys are GLib.Variants, as lookup() and the others take them; the
    // values are looked up as the loop reaches them, so the snapshot holds
    // none.
    function* valueDictEntries(dict) {
        for (const key of dict.get_keys()) {
            const value = dict.lookup(key);
            if (value !== null)
                yield [key, value];
        }
    }

    // The keys are the snapshot; a value is copied when its turn comes.
    function* keyDictEntries(dict) {
        const snapshot = dict.get_keys();
        for (let i = 0; i < snapshot.length; i++) {
            const key = snapshot[i];
            snapshot[i] = null;
            if (dict.contains(key))
                yield [key, dict.dup_value(key)];
        }
    }

    function* firsts(pairs) {
        for (const [key] of pairs)
            yield key;
    }
    function* seconds(pairs) {
        for (const [, value] of pairs)
            yield value;
    }

    for (const [klass, entries] of [[Wk.WeakValueDict, valueDictEntries],
        [Wk.WeakKeyDict, keyDictEntries]]) {
        klass.prototype[Symbol.iterator] = function () {
            return entries(this);
        };
        klass.prototype.entries = klass.prototype[Symbol.iterator];
        klass.prototype.keys = function () {
            return firsts(entries(this));
        };
        klass.prototype.values = function () {
            return seconds(entries(this));
        };
    }
}
