// testCollections.js: Wk.WeakValueDict, Wk.WeakKeyDict and Wk.WeakSet from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP through harness.js.
//
// GJS refuses to run JS code while it collects garbage, and a JS-wrapped
// object usually dies exactly then; the collections run no JS code when an
// entry goes, but to check what happens at the moment of a death the
// objects below mostly die in C: a Gio.ListStore holds them, their
// wrappers are collected first, then the store lets go.
//
// What GJS makes of the GValues of Wk.WeakKeyDict (insert takes a
// `const GValue *`, lookup and steal return a new GValue):
//  - a JS value is turned into a GValue of a guessed type: an int32 number
//    becomes gint, any other number gdouble, a BigInt gint64 (guint64 past
//    2^63; read back as a Number, rounded past 2^53), null a NULL
//    gpointer, strings, booleans, GObjects, boxed types and GVariants
//    their own types, and any other JS object a GJS "JSObject" boxed that
//    keeps the very object;
//  - undefined, arrays, typed arrays, functions and symbols cannot be
//    guessed: insert throws "Could not guess unspecified GValue type";
//  - a GObject.Value passes through with its own type (gint64, guint,
//    gfloat, guchar, GType, enums, flags, ...); every kind reads back as
//    the plain JS value, so the GValue type itself is not visible;
//  - boxed values come back as new wrappers of copies, GVariants as new
//    wrappers (equal, not ===); GObjects and JSObjects come back as the
//    same wrapper;
//  - a GStrv GValue cannot be filled from JS (GObject.Value.set_boxed()
//    turns an array into NULL), so string arrays cannot round-trip as
//    GStrv: store them as a GLib.Variant('as', ...) instead.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Wk from 'gi://Wk';
import System from 'system';

import {assert, assertEqual, assertThrows, diesInC, run, test} from './harness.js';

const Image = GObject.registerClass(
class Image extends Wk.Object {
    _init(name) {
        super._init();
        this.name = name;
        this.pixels = new Uint8Array(1024).fill(name.length);
    }
});

// A plain object that nothing but a Wk.Ref sees die: a Wk.Ref without a
// callback, to be asked after the wrappers have been collected.
function watch(obj) {
    return Wk.Ref.new(obj, null);
}

const V = (type, value) => new GLib.Variant(type, value);

// Variant keys of many types; each pair is [a key, an equal key made anew].
function variantKeys() {
    const make = () => [
        V('s', 'a'),
        V('s', ''),
        V('o', '/a'),
        V('i', 1),
        V('u', 1),
        V('x', -(2 ** 40)),
        V('t', 2 ** 40),
        V('y', 255),
        V('b', true),
        V('d', 1.5),
        V('(si)', ['a', 1]),
        V('()', []),
        V('as', ['q', 'r']),
        V('as', []),
        V('ai', [3, 1, 2]),
        V('mi', null),
        V('mi', 7),
        V('v', V('s', 'a')),
        V('a{sv}', {x: V('i', 1), y: V('s', 'z')}),
        V('a{sv}', {}),
        V('(a{si}(bv))', [{k: 1}, [false, V('ay', [0, 1])]]),
    ];
    return [make(), make()];
}

test('WeakValueDict: variant keys of many types, containers included', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const [keys, again] = variantKeys();
    const objects = keys.map(() => new GObject.Object());
    keys.forEach((key, i) => dict.insert(key, objects[i]));
    assertEqual(dict.get_size(), keys.length, 'one entry per key (no two keys are equal)');
    again.forEach((key, i) => {
        const shown = key.print(true);
        assert(dict.contains(key), `contains ${shown}`);
        assert(dict.lookup(key) === objects[i], `lookup ${shown} gives the same wrapper`);
    });
    assert(!dict.contains(V('s', 'b')), 'no other string');
    assert(dict.lookup(V('n', 1)) === null, 'int16 1 is not int32 1');
    assert(dict.lookup(V('(is)', [1, 'a'])) === null, 'no other tuple');
    // A GVariant dictionary is an array of entries: the order counts.
    assert(dict.lookup(V('a{sv}', {y: V('s', 'z'), x: V('i', 1)})) === null,
        'a{sv} with the same entries in another order is another key');
    assert(dict.lookup(V('ai', [1, 2, 3])) === null, 'array order counts');
});

test('WeakValueDict: string keys without a GLib.Variant', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const a = new GObject.Object();
    const b = new GObject.Object();
    dict.insert_string('k', a);
    dict.insert(V('s', '\u00e9t\u00e9'), b);
    assert(dict.lookup(V('s', 'k')) === a, 'insert_string stores an s');
    assert(dict.lookup_string('\u00e9t\u00e9') === b, 'lookup_string finds an s');
    assert(dict.contains_string('k'), 'contains_string');
    assert(dict.lookup_string('missing') === null, 'missing');
    dict.insert(V('ay', [107]), b);
    assertEqual(dict.get_size(), 3, 'an ay key is another key');
    assert(dict.remove_string('k'), 'remove_string');
    assert(!dict.contains(V('s', 'k')), 'gone for both faces');
});

test('WeakValueDict: insert replaces, the dict holds no reference', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const a = new Wk.Object();
    const b = new Wk.Object();
    const before = Wk.Object.get_ref_count(a);
    dict.insert(V('(si)', ['k', 1]), a);
    assertEqual(Wk.Object.get_ref_count(a), before, 'no strong reference taken');
    dict.insert(V('(si)', ['k', 1]), b);
    assertEqual(dict.get_size(), 1, 'still one entry');
    assert(dict.lookup(V('(si)', ['k', 1])) === b, 'the new value');
    dict.insert(V('(si)', ['k', 2]), a);
    assertEqual(dict.get_size(), 2, 'another key');
});

test('WeakValueDict: get_keys, get_values, get_variant_items', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const [keys] = variantKeys();
    const objects = keys.map(() => new GObject.Object());
    keys.forEach((key, i) => dict.insert(key, objects[i]));

    const gotKeys = dict.get_keys();
    assertEqual(gotKeys.length, keys.length, 'get_keys length');
    assert(gotKeys.every(k => k instanceof GLib.Variant), 'keys are variants');
    const printed = new Set(keys.map(k => k.print(true)));
    assert(gotKeys.every(k => printed.has(k.print(true))), 'the keys inserted');

    const values = dict.get_values();
    assertEqual(values.length, objects.length, 'get_values length');
    assert(objects.every(o => values.includes(o)), 'the same wrappers');

    const [itemKeys, itemValues] = dict.get_variant_items();
    assertEqual(itemKeys.length, keys.length, 'items: keys');
    assertEqual(itemValues.length, keys.length, 'items: values');
    itemKeys.forEach((key, i) => {
        const j = keys.findIndex(k => k.equal(key));
        assert(j >= 0, `item key ${key.print(true)} is a key`);
        assert(itemValues[i] === objects[j], `item ${key.print(true)} pairs with its value`);
    });
    const [dict_, [flag, bytes]] = itemKeys
        .find(k => k.get_type_string() === '(a{si}(bv))').recursiveUnpack();
    assert(dict_.k === 1 && flag === false && bytes.join(',') === '0,1',
        'a nested key unpacks');

    dict.remove_all();
    assertEqual(dict.get_keys().length, 0, 'no keys left');
    const [k0, v0] = dict.get_variant_items();
    assertEqual(k0.length + v0.length, 0, 'no items left');
});

test('WeakValueDict: remove, steal, remove_all', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const objects = [new GObject.Object(), new GObject.Object(), new GObject.Object()];
    const keys = [V('s', 'a'), V('(si)', ['a', 1]), V('a{sv}', {a: V('b', true)})];
    keys.forEach((key, i) => dict.insert(key, objects[i]));

    assert(dict.remove(V('s', 'a')), 'remove finds the entry');
    assert(!dict.remove(V('s', 'a')), 'and only once');
    assert(!dict.contains(V('s', 'a')), 'gone');
    assertEqual(dict.get_size(), 2, 'two left');

    assert(dict.steal(V('(si)', ['a', 1])) === objects[1], 'steal returns the value');
    assert(dict.steal(V('(si)', ['a', 1])) === null, 'then null');
    assert(dict.lookup(V('(si)', ['a', 1])) === null, 'gone');
    assertEqual(dict.get_size(), 1, 'one left');

    dict.remove_all();
    assertEqual(dict.get_size(), 0, 'empty');
    assert(!dict.contains(V('a{sv}', {a: V('b', true)})), 'nothing left');
    assert(!dict.remove(V('s', 'nothing')), 'remove from an empty dict');
    assert(dict.steal(V('s', 'nothing')) === null, 'steal from an empty dict');
});

test('WeakValueDict: entries leave when their values die in C', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const store = diesInC(3);
    const keys = [V('s', 'first'), V('(si)', ['second', 2]), V('a{sv}', {third: V('i', 3)})];
    keys.forEach((key, i) => dict.insert(key, store.get_item(i)));
    const refs = [0, 1, 2].map(i => watch(store.get_item(i)));
    System.gc();
    assertEqual(dict.get_size(), 3, 'the store keeps them alive');

    store.remove(1);   // the second dies now
    assert(refs[1].get() === null, 'the second object died');
    assertEqual(dict.get_size(), 2, 'its entry left');
    assert(!dict.contains(V('(si)', ['second', 2])), 'not contained');
    assert(dict.lookup(V('(si)', ['second', 2])) === null, 'not found');
    assert(dict.steal(V('(si)', ['second', 2])) === null, 'not stolen');
    assert(!dict.remove(V('(si)', ['second', 2])), 'not removed');
    assertEqual(dict.get_keys().map(k => k.print(true)).sort().join(' '),
        "'first' {'third': <3>}", 'get_keys has the others');
    assertEqual(dict.get_values().length, 2, 'two values');
    System.gc();

    store.remove_all();
    assertEqual(dict.get_size(), 0, 'every entry left');
    assertEqual(dict.get_keys().length, 0, 'no keys');
    const [k, v] = dict.get_variant_items();
    assertEqual(k.length + v.length, 0, 'no items');

    // A key whose value died can be used again.
    const obj = new GObject.Object();
    dict.insert(V('(si)', ['second', 2]), obj);
    assert(dict.lookup(V('(si)', ['second', 2])) === obj, 'reused');
});

test('WeakValueDict: a JS subclass value keeps its state while C holds it', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const store = Gio.ListStore.new(GObject.Object);
    let img = new Image('cat.png');
    dict.insert(V('s', 'cat.png'), img);
    store.append(img);
    img = null;
    System.gc();

    const got = dict.lookup(V('s', 'cat.png'));
    assert(got instanceof Image, 'the JS class');
    assertEqual(got.name, 'cat.png', 'JS state');
    assertEqual(got.pixels.length, 1024, 'JS payload');
    assert(got === store.get_item(0), 'the same wrapper as the store gives');
    assert(dict.get_values()[0] === got, 'get_values too');
});

test('WeakValueDict: a JS subclass value leaves once GJS collects it', () => {
    const dict = Wk.WeakValueDict.new_for_variants();
    const store = Gio.ListStore.new(GObject.Object);
    store.append(new Image('dog.png'));
    dict.insert(V('s', 'dog.png'), store.get_item(0));
    System.gc();
    assertEqual(dict.lookup(V('s', 'dog.png')).name, 'dog.png', 'alive in the store');
    System.gc();
    // Its wrapper carries JS state: with the store gone only the wrapper
    // holds the object, until the collector takes it.
    store.remove_all();
    System.gc();
    assertEqual(dict.get_size(), 0, 'gone after a collection');
    assert(dict.lookup(V('s', 'dog.png')) === null, 'not found');
});

// The introspected lookup() and steal() of WeakKeyDict fill a
// caller-allocated GValue, which GJS 1.74 never unsets (each call would
// leak the value); Wk's GJS override makes lookup() and steal() call
// dup_value() and pop_value(), which return one (testIdioms.js). The tests
// here call those two directly.
function lookupValue(dict, key) {
    return dict.dup_value(key);
}
function stealValue(dict, key) {
    return dict.pop_value(key);
}

test('WeakKeyDict: JS values round-trip through GValue', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const key = new GObject.Object();
    const roundTrip = value => {
        dict.insert(key, value);
        return lookupValue(dict, key);
    };
    const same = [0, 1, -7, 2 ** 31, 2 ** 40, -(2 ** 53), 0.5, -1e300, Infinity,
        '', 'str', 'ünï €😀', true, false, null];
    for (const value of same)
        assert(Object.is(roundTrip(value), value), `${typeof value} ${value}`);
    assert(Number.isNaN(roundTrip(NaN)), 'NaN');
    assert(Object.is(roundTrip(-0), -0), '-0');

    const obj = new GObject.Object();
    assert(roundTrip(obj) === obj, 'a GObject: the same wrapper');
    const img = new Image('cat.png');
    assert(roundTrip(img) === img && lookupValue(dict, key).name === 'cat.png',
        'a JS subclass with its state');
    const plain = {a: 1, nested: [1, 2]};
    assert(roundTrip(plain) === plain, 'a plain JS object: the same object');
    const file = Gio.File.new_for_path('/tmp');
    assert(roundTrip(file).get_path() === '/tmp', 'an interface-typed object');

    const variant = V('(sa{sv})', ['x', {y: V('i', 1)}]);
    const gotVariant = roundTrip(variant);
    assert(gotVariant instanceof GLib.Variant && gotVariant.equal(variant),
        'a GVariant: an equal one');
    const strings = V('as', ['a', 'b']);
    assertEqual(roundTrip(strings).deepUnpack().join(','), 'a,b', 'strings, as a variant');
    const date = GLib.DateTime.new_utc(2024, 2, 29, 12, 0, 0);
    const gotDate = roundTrip(date);
    assert(gotDate !== date && gotDate.equal(date), 'a boxed: an equal copy');
    const bytes = new GLib.Bytes([1, 2, 3]);
    assertEqual(roundTrip(bytes).toArray().join(','), '1,2,3', 'GLib.Bytes');

    assert(roundTrip(10n) === 10n, 'a BigInt comes back as the BigInt');
    assert(roundTrip(-(2n ** 62n)) === -(2n ** 62n), 'a big BigInt, exact');
});

test('WeakKeyDict: typed GObject.Values', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const key = new GObject.Object();
    const typed = (gtype, setter, value) => {
        const gvalue = new GObject.Value();
        gvalue.init(gtype);
        gvalue[setter](value);
        dict.insert(key, gvalue);
        return lookupValue(dict, key);
    };
    assertEqual(typed(GObject.TYPE_INT64, 'set_int64', -(2 ** 53)), -(2 ** 53), 'gint64');
    assertEqual(typed(GObject.TYPE_UINT64, 'set_uint64', 2 ** 53), 2 ** 53, 'guint64');
    assertEqual(typed(GObject.TYPE_UINT, 'set_uint', 4000000000), 4000000000, 'guint');
    assertEqual(typed(GObject.TYPE_LONG, 'set_long', -9), -9, 'glong');
    assertEqual(typed(GObject.TYPE_UCHAR, 'set_uchar', 200), 200, 'guchar');
    assertEqual(typed(GObject.TYPE_CHAR, 'set_schar', -65), -65, 'gchar');
    assertEqual(typed(GObject.TYPE_FLOAT, 'set_float', 0.5), 0.5, 'gfloat');
    assertEqual(typed(GObject.TYPE_FLOAT, 'set_float', 0.1), Math.fround(0.1),
        'gfloat rounds to single precision');
    assertEqual(typed(GObject.TYPE_DOUBLE, 'set_double', 3), 3, 'gdouble');
    assertEqual(typed(GObject.TYPE_BOOLEAN, 'set_boolean', true), true, 'gboolean');
    assertEqual(typed(GObject.TYPE_STRING, 'set_string', 'hi'), 'hi', 'gchararray');
    assertEqual(typed(GObject.TYPE_STRING, 'set_string', null), null, 'NULL gchararray');
    assertEqual(typed(GObject.TYPE_GTYPE, 'set_gtype', Image.$gtype), Image.$gtype, 'GType');
    assertEqual(typed(Gio.FileType.$gtype, 'set_enum', Gio.FileType.DIRECTORY),
        Gio.FileType.DIRECTORY, 'an enum');
    assertEqual(typed(Gio.FileQueryInfoFlags.$gtype, 'set_flags',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS),
    Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, 'flags');
    const obj = new GObject.Object();
    assert(typed(GObject.TYPE_OBJECT, 'set_object', obj) === obj, 'GObject');
    assert(typed(GObject.TYPE_OBJECT, 'set_object', null) === null, 'NULL GObject');
    // A GStrv cannot be filled from JS: set_boxed() stores NULL.
    const strv = typed(GObject.type_from_name('GStrv'), 'set_boxed', ['a', 'b']);
    assert(Array.isArray(strv) && strv.length === 0, 'GStrv from JS comes back empty');
});

test('WeakKeyDict: any JS value, kept alive by its entry', () => {
    // GJS cannot put these in a GValue by itself, and would not keep a
    // plain object alive in one: the override carries them.
    const dict = Wk.WeakKeyDict.new_for_values();
    const keys = [];
    const fn = () => 1;
    const sym = Symbol('s');
    const kinds = [undefined, [1, 2], new Uint8Array(2), fn, sym];
    kinds.forEach(value => {
        const key = new GObject.Object();
        keys.push(key);
        dict.insert(key, value);
    });
    for (let i = 0; i < 200; i++) {
        const key = new GObject.Object();
        keys.push(key);
        dict.insert(key, {i, list: [i, 'x'], big: BigInt(i)});
    }
    System.gc();
    for (let j = 0; j < 50000; j++)
        void {j, garbage: [j]};
    System.gc();
    assert(dict.contains(keys[0]) && dict.lookup(keys[0]) === undefined, 'undefined');
    assertEqual(dict.lookup(keys[1]).join(','), '1,2', 'an array');
    assertEqual(dict.lookup(keys[2]).length, 2, 'a typed array');
    assert(dict.lookup(keys[3]) === fn && dict.lookup(keys[4]) === sym, 'a function, a symbol');
    for (let i = 0; i < 200; i++) {
        const got = dict.lookup(keys[5 + i]);
        assert(got.i === i && got.list[0] === i && got.big === BigInt(i),
            `plain object ${i} after garbage collections`);
    }
    let seen = 0;
    for (const [, value] of dict) {
        if (value?.list !== undefined)
            seen++;
    }
    assertEqual(seen, 200, 'iteration gives the objects');
    assertEqual(dict.steal(keys[5]).i, 0, 'steal gives the object');
    assert(!dict.contains(keys[5]), 'and takes the entry');

    // Strings that a C string cannot hold, and an object whose own
    // `constructor` property names a boxed type.
    const key = new GObject.Object();
    for (const value of ['a\0b', '\uD800x', 'x\uDC00', '\uD83D\uDE00 ok', 'plain']) {
        dict.insert(key, value);
        assert(dict.lookup(key) === value, `the string ${JSON.stringify(value)}`);
    }
    const impostor = {constructor: GLib.Variant, x: 1};
    dict.insert(key, impostor);
    assert(dict.lookup(key) === impostor, 'an object with a constructor property');
});

test('WeakKeyDict: contains, remove, steal, get_keys, remove_all', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const a = new GObject.Object();
    const b = new Image('b.png');
    const c = new Wk.Object();
    dict.insert(a, 'a');
    dict.insert(b, 2);
    dict.insert(c, null);
    assertEqual(dict.get_size(), 3, 'three entries');
    assert(dict.contains(c) && lookupValue(dict, c) === null, 'a null value is an entry');
    assert(dict.lookup(c) === null && dict.lookup(new GObject.Object()) === null,
        'lookup: null for a null value and for no entry');
    assert(!dict.contains(new GObject.Object()) &&
        lookupValue(dict, new GObject.Object()) === null, 'no entry: null too; contains tells');

    dict.insert(a, 'A');
    assertEqual(lookupValue(dict, a), 'A', 'insert replaces');
    assertEqual(dict.get_size(), 3, 'still three');

    const keys = dict.get_keys();
    assertEqual(keys.length, 3, 'get_keys length');
    assert([a, b, c].every(k => keys.includes(k)), 'the same wrappers');
    assert(keys.find(k => k instanceof Image).name === 'b.png', 'JS state of a key');

    assert(dict.remove(a), 'remove');
    assert(!dict.remove(a), 'once');
    assertEqual(stealValue(dict, b), 2, 'steal returns the value');
    assertEqual(stealValue(dict, b), null, 'then null');
    assert(!dict.contains(b), 'stolen');
    assertEqual(dict.get_size(), 1, 'one left');
    dict.remove_all();
    assertEqual(dict.get_size(), 0, 'empty');
    assertEqual(dict.get_keys().length, 0, 'no keys');
});

test('WeakKeyDict: an entry and its value go when the key dies in C', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const store = diesInC(2);
    const keyRef = watch(store.get_item(0));
    // The value is a GObject that only the dict holds.
    const value = diesInC();
    const valueRef = watch(value.get_item(0));
    dict.insert(store.get_item(0), value.get_item(0));
    dict.insert(store.get_item(1), 'second');
    value.remove_all();
    System.gc();
    assert(valueRef.get() !== null, 'the dict holds its value');
    assertEqual(lookupValue(dict, store.get_item(0)), valueRef.get(), 'and gives it');
    System.gc();

    store.remove(0);
    assert(keyRef.get() === null, 'the key died');
    assert(valueRef.get() === null, 'its value was released at once');
    assertEqual(dict.get_size(), 1, 'its entry left');
    assertEqual(lookupValue(dict, store.get_item(0)), 'second', 'the other stays');
    System.gc();
    store.remove_all();
    assertEqual(dict.get_size(), 0, 'all gone');
    assertEqual(dict.get_keys().length, 0, 'no keys');
});

test('WeakKeyDict: a JS subclass key with a JS value, collected by GJS', () => {
    const dict = Wk.WeakKeyDict.new_for_values();
    const store = Gio.ListStore.new(GObject.Object);
    let img = new Image('cat.png');
    const note = {camera: 'X100'};
    dict.insert(img, note);
    store.append(img);
    img = null;
    System.gc();
    let key = store.get_item(0);
    assert(lookupValue(dict, key) === note, 'the same JS object while C holds the key');
    assertEqual(key.name, 'cat.png', 'the key keeps its JS state');
    key = null;
    System.gc();
    store.remove_all();
    System.gc();
    assertEqual(dict.get_size(), 0, 'the entry left when GJS collected the key');
    assertEqual(note.camera, 'X100', 'our own reference to the value is intact');
});

test('WeakKeyDict: a value that holds its own key keeps it alive', () => {
    // Documented: "A value that refers back to its own key keeps the key
    // alive for now, as in CPython".
    const dict = Wk.WeakKeyDict.new_for_values();
    const store = diesInC();
    const ref = watch(store.get_item(0));
    dict.insert(store.get_item(0), store.get_item(0));
    System.gc();
    store.remove_all();
    assert(ref.get() !== null, 'alive through its own value');
    assertEqual(dict.get_size(), 1, 'the entry stays');
    System.gc();
    dict.remove_all();
    assert(ref.get() === null, 'removing the entry frees it');
    assertEqual(dict.get_size(), 0, 'empty');
});

test('WeakSet: add, contains, remove, get_members, remove_all', () => {
    const set = new Wk.WeakSet();
    const a = new GObject.Object();
    const b = new Image('b.png');
    assert(set.add(a), 'add a new member');
    assert(!set.add(a), 'not twice');
    assert(set.add(b), 'a JS subclass');
    assertEqual(set.get_size(), 2, 'two members');
    assert(set.contains(a) && set.contains(b), 'contains');
    assert(!set.contains(new GObject.Object()), 'not another object');
    const members = set.get_members();
    assertEqual(members.length, 2, 'get_members length');
    assert(members.includes(a) && members.includes(b), 'the same wrappers');
    assert(members.find(m => m instanceof Image).name === 'b.png', 'JS state');
    assert(set.remove(a), 'remove');
    assert(!set.remove(a), 'once');
    assert(!set.contains(a), 'gone');
    assert(set.add(a), 'and back');
    set.remove_all();
    assertEqual(set.get_size(), 0, 'empty');
    assertEqual(set.get_members().length, 0, 'no members');
    assert(Wk.WeakSet.new().get_size() === 0, 'Wk.WeakSet.new()');
});

test('WeakSet: members leave when they die in C', () => {
    const set = Wk.WeakSet.new();
    const store = diesInC(3);
    for (let i = 0; i < 3; i++)
        set.add(store.get_item(i));
    const refs = [0, 1, 2].map(i => watch(store.get_item(i)));
    System.gc();
    assertEqual(set.get_size(), 3, 'the store keeps them');
    store.remove(0);
    assert(refs[0].get() === null, 'the first died');
    assertEqual(set.get_size(), 2, 'it left the set');
    assertEqual(set.get_members().length, 2, 'two members');
    System.gc();
    store.remove_all();
    assertEqual(set.get_size(), 0, 'all left');
    assertEqual(set.get_members().length, 0, 'no members');
});

test('the collections hold no strong reference', () => {
    const obj = new Wk.Object();
    const before = Wk.Object.get_ref_count(obj);
    const values = Wk.WeakValueDict.new_for_variants();
    const keys = Wk.WeakKeyDict.new_for_values();
    const set = Wk.WeakSet.new();
    values.insert(V('s', 'k'), obj);
    keys.insert(obj, 1);
    set.add(obj);
    assertEqual(Wk.Object.get_ref_count(obj), before, 'ref count unchanged');
    assertEqual(Wk.get_weak_ref_count(obj), 0, 'entries are not Wk.Refs');
});

run();
