# test_collections.py: Wk.WeakValueDictionary, Wk.WeakKeyDictionary and
# Wk.WeakSet from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Modelled on CPython's Lib/test/test_weakref.py (mapping tests) and
# Lib/test/test_weakset.py, with GObjects as the weakly held objects, plus
# what is particular to Wk: entries follow the GObject rather than its
# Python wrapper, and the tables are C objects that C can share.

import collections
import collections.abc
import contextlib
import copy
import enum
import gc
import re
import string
import sys
import threading
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.module import get_introspection_module  # noqa: E402
from gi.repository import Gio, GLib, GObject, Wk  # noqa: E402

import pytest  # noqa: E402

# The GI classes as C sees them, without the Python protocol: the
# override's Wk.WeakSet shadows the C methods add and remove.
WkC = get_introspection_module('Wk')


class Item(Wk.Object):
    """A GObject with Python state, named for readable failures."""

    def __init__(self, name='', **kwargs):
        super().__init__(**kwargs)
        self.name = name

    def __repr__(self):
        return '<Item %r>' % self.name


class AlwaysEqual(GObject.Object):
    """Equal to everything in Python: the collections must not care."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def collect():
    gc.collect()


def make_objects(n=10):
    return [Item(str(i)) for i in range(n)]


def store_holding(*objects):
    store = Gio.ListStore.new(GObject.Object)
    for ob in objects:
        store.append(ob)
    return store


NOT_WEAKREFABLE = (1, 'text', None, 2.5, [1], object())


# ---------------------------------------------------------------------------
# WeakValueDictionary


def make_weak_valued_dict():
    objects = make_objects()
    d = Wk.WeakValueDictionary({ob.name: ob for ob in objects})
    return d, objects


def check_iters(d):
    # As CPython's check_iters: each iterator touches every entry once.
    items = list(d.items())
    for item in d.items():
        items.remove(item)
    assert not items, 'items() did not touch all items'

    keys = list(d.keys())
    for k in d:
        keys.remove(k)
    assert not keys, '__iter__() did not touch all keys'

    keys = list(d.keys())
    for k in d.keys():
        keys.remove(k)
    assert not keys, 'keys() did not touch all keys'

    values = list(d.values())
    for v in d.values():
        values.remove(v)
    assert not values, 'values() did not touch all values'


def test_weak_values():
    d, objects = make_weak_valued_dict()
    for ob in objects:
        assert d[ob.name] is ob
        assert d.get(ob.name) is ob
        assert ob.name in d
    assert len(d) == len(objects)
    assert sorted(d) == sorted(ob.name for ob in objects)
    del ob
    objects.pop()
    collect()
    assert len(d) == len(objects)
    del objects[0]
    collect()
    assert len(d) == len(objects)
    del objects[:]
    collect()
    assert len(d) == 0
    assert list(d.items()) == []
    with pytest.raises(KeyError):
        d['0']
    assert d.get('0') is None
    assert d.get('0', 'default') == 'default'


def test_weak_valued_size_never_counts_dead_entries():
    d = Wk.WeakValueDictionary()
    objects = make_objects(50)
    for i, ob in enumerate(objects):
        d[i] = ob
    del ob
    for n in range(50, 0, -7):
        del objects[:7]
        collect()
        assert len(d) == len(objects)
        assert len(list(d)) == len(objects)
        assert len(d.table.get_keys()) == len(objects)
    assert d.table.get_size() == len(d)


def test_weak_valued_values_must_be_gobjects():
    d = Wk.WeakValueDictionary()
    for bad in NOT_WEAKREFABLE:
        with pytest.raises(TypeError, match="cannot create weak reference to '%s' object"
                           % type(bad).__name__):
            d['k'] = bad
    with pytest.raises(TypeError, match="cannot create weak reference to 'NoneType' object"):
        d.setdefault('k')
    with pytest.raises(TypeError, match="cannot create weak reference to 'int' object"):
        d.update({'k': 3})
    with pytest.raises(TypeError, match="cannot create weak reference to 'int' object"):
        Wk.WeakValueDictionary(k=3)
    assert len(d) == 0


@pytest.mark.parametrize('bad', [[1], {}, set(), bytearray(b'x'), object(), 1j,
                                 GObject.Object(), (1, [2]), ((1, 2), {3})],
                         ids=lambda bad: type(bad).__name__)
def test_weak_valued_unsupported_keys_raise_type_error(bad):
    d = Wk.WeakValueDictionary()
    ob = GObject.Object()
    inner = bad[-1] if isinstance(bad, tuple) else bad
    message = "unsupported key type: '%s'" % type(inner).__name__
    for call in (lambda: d[bad], lambda: d.__setitem__(bad, ob),
                 lambda: d.__delitem__(bad), lambda: bad in d,
                 lambda: d.get(bad), lambda: d.pop(bad), lambda: d.pop(bad, None),
                 lambda: d.setdefault(bad, ob), lambda: d.update([(bad, ob)])):
        with pytest.raises(TypeError, match=re.escape(message)):
            call()
    assert len(d) == 0


def test_weak_valued_key_normalization():
    d = Wk.WeakValueDictionary()
    a, b = GObject.Object(), GObject.Object()
    d[1] = a
    assert d[1.0] is a and d[True] is a
    assert 1.0 in d and True in d
    d[True] = b                         # replaces: one key
    assert len(d) == 1 and d[1] is b
    assert list(d) == [1] and type(list(d)[0]) is int
    d[0.0] = a
    assert d[0] is a and d[False] is a and d[-0.0] is a
    assert len(d) == 2
    d[2.5] = a
    assert 2 not in d and d[2.5] is a
    assert sorted(d) == [0, 1, 2.5]


class Colour(enum.IntEnum):
    RED = 1


Point = collections.namedtuple('Point', 'x y')

# (key, the key as it reads back)
KEYS = [
    ('text', 'text'), ('', ''), ('\u00e9t\u00e9 \U0001f600', '\u00e9t\u00e9 \U0001f600'),
    ('a\0b', 'a\0b'), ('\0', '\0'), ('\ud800', '\ud800'),
    (b'bytes', b'bytes'), (b'', b''), (b'a\0b', b'a\0b'),
    (None, None), ((), ()),
    (0, 0), (-5, -5), (2**63 - 1, 2**63 - 1), (-2**63, -2**63),
    (2**63, 2**63), (-2**63 - 1, -2**63 - 1), (2**64, 2**64), (10**5000, 10**5000),
    (-(10**30), -(10**30)), (1e300, int(1e300)), (2.0, 2),
    (0.5, 0.5), (-1.25, -1.25), (float('inf'), float('inf')), (float('-inf'), float('-inf')),
    (True, 1), (Colour.RED, 1), (Point(1, 2), (1, 2)),
    ((1, ('two', (3.0, None)), b'4'), (1, ('two', (3, None)), b'4')),
    ((None,), (None,)), (((),), ((),)),
]


def key_id(key):
    # repr() of a 5000-digit int exceeds sys.get_int_max_str_digits().
    if isinstance(key, int) and key.bit_length() > 128:
        return 'int of %d bits' % key.bit_length()
    return repr(key)[:40]


@pytest.mark.parametrize('key,back', KEYS, ids=key_id)
def test_weak_valued_keys_read_back(key, back):
    d = Wk.WeakValueDictionary()
    ob = GObject.Object()
    d[key] = ob
    assert d[key] is ob
    assert d[back] is ob
    assert key in d and back in d
    (got,) = list(d)
    assert got == back and type(got) is type(back)
    assert list(d.items()) == [(back, ob)]
    assert d.popitem() == (back, ob)
    assert len(d) == 0


def test_weak_valued_distinct_keys_stay_distinct():
    # Keys unequal in Python never share an entry.
    keys = ['a', b'a', 'a\0b', 'a\0', 'a', ('a',), (('a',),), None, (None,), (),
            0, 0.5, 2**63, 2**64, -2**63 - 1, hex(2**64), '\ud800', b'\xed\xa0\x80',
            (1, 2), (1, (2,)), ((1, 2),), float('inf'), float('-inf')]
    unique = list(dict.fromkeys(keys))
    d = Wk.WeakValueDictionary()
    objects = {}
    for key in unique:
        objects[key] = d[key] = GObject.Object()
    assert len(d) == len(unique)
    for key in unique:
        assert d[key] is objects[key]
    assert sorted(map(repr, d)) == sorted(map(repr, unique))


def test_weak_valued_nan_key():
    # All NaNs with the same bits are one key (Python tells NaN objects
    # apart by identity).
    d = Wk.WeakValueDictionary()
    ob = GObject.Object()
    d[float('nan')] = ob
    assert d[float('nan')] is ob
    (key,) = list(d)
    assert key != key


def test_weak_valued_key_encoding_in_the_table():
    # The GVariant forms are what C sees: part of the interface.
    d = Wk.WeakValueDictionary()
    ob = GObject.Object()
    d.update([(1, ob), (2.5, ob), ('s', ob), (b'b', ob), (None, ob), ((1, 'x'), ob),
              (2**64, ob), ('n\0l', ob)])
    table = d.table
    assert isinstance(table, Wk.WeakValueDict)
    assert table.lookup(GLib.Variant('x', 1)) is ob
    assert table.lookup(GLib.Variant('d', 2.5)) is ob
    assert table.lookup(GLib.Variant('s', 's')) is ob
    assert table.lookup(GLib.Variant('ay', b'b')) is ob
    assert table.lookup(GLib.Variant('mv', None)) is ob
    assert table.lookup(GLib.Variant('(xs)', (1, 'x'))) is ob
    assert table.lookup(GLib.Variant('v', GLib.Variant('s', hex(2**64)))) is ob
    assert table.lookup(GLib.Variant('v', GLib.Variant('ay', b'n\0l'))) is ob
    assert sorted(k.get_type_string() for k in table.get_keys()) == \
        sorted(['x', 'd', 's', 'ay', 'mv', '(xs)', 'v', 'v'])


def test_weak_valued_str_keys_both_paths():
    # ASCII strs take the table's _string calls, other strs (and str
    # subclasses) a GLib.Variant: both are the same 's' key, whichever
    # path stored it and whichever looks it up.
    class S(str):
        pass

    d = Wk.WeakValueDictionary()
    a, b, c = GObject.Object(), GObject.Object(), GObject.Object()
    d['key'] = a
    d['\u00e9t\u00e9'] = b
    d[S('sub')] = c
    table = d.table
    assert table.lookup(GLib.Variant('s', 'key')) is a
    assert table.lookup_string('\u00e9t\u00e9') is b
    assert table.lookup_string('sub') is c
    assert d[S('key')] is a and d['sub'] is c
    assert 'key' in d and S('key') in d and '\u00e9t\u00e9' in d
    assert d.get('missing', 7) == 7 and 'missing' not in d
    # What C stored under a str key, Python finds through either path.
    table.insert(GLib.Variant('s', 'from-c'), a)
    assert d['from-c'] is a and d[S('from-c')] is a
    # A key with a NUL is not an 's': the fast path must not take it.
    d['n\0l'] = b
    assert table.lookup_string('n') is None
    assert d['n\0l'] is b
    assert sorted(k for k in d if isinstance(k, str)) == \
        sorted(['key', '\u00e9t\u00e9', 'sub', 'from-c', 'n\0l'])
    del d['key']
    assert 'key' not in d
    with pytest.raises(KeyError):
        del d['key']
    assert d.setdefault('key', c) is c and d['key'] is c
    del c
    gc.collect()
    assert 'sub' not in d


def test_weak_valued_iters():
    d, objects = make_weak_valued_dict()
    check_iters(d)
    # Each iterator is an iterator, as in the stdlib.
    for it in (iter(d), d.keys(), d.values(), d.items(), d.itervaluerefs()):
        assert iter(it) is it


def test_weak_valued_delitem():
    d = Wk.WeakValueDictionary()
    o1, o2 = Item('1'), Item('2')
    d['something'] = o1
    d['something else'] = o2
    assert len(d) == 2
    del d['something']
    assert len(d) == 1
    assert list(d.items()) == [('something else', o2)]
    with pytest.raises(KeyError):
        del d['something']
    with pytest.raises(KeyError):
        del d['never there']


def test_weak_valued_get_pop_popitem():
    d = Wk.WeakValueDictionary()
    o1, o2 = Item('1'), Item('2')
    d['key1'] = o1
    d['key2'] = o2
    assert len(d) == 2
    k, v = d.popitem()
    assert len(d) == 1
    assert (k, v) in (('key1', o1), ('key2', o2))
    k, v = d.popitem()
    assert len(d) == 0
    with pytest.raises(KeyError, match='popitem'):
        d.popitem()
    d['key'] = o1
    assert d.pop('key') is o1
    assert 'key' not in d
    with pytest.raises(KeyError):
        d.pop('key')
    assert d.pop('key', 'default') == 'default'
    assert d.pop('key', None) is None
    with pytest.raises(TypeError):
        d.pop('key', 1, 2)


def test_weak_valued_pop_and_popitem_skip_dead_values():
    d = Wk.WeakValueDictionary()
    dying = Item('dying')
    d['dead'] = dying
    del dying
    collect()
    with pytest.raises(KeyError):
        d.pop('dead')
    with pytest.raises(KeyError):
        d.popitem()


def test_weak_valued_setdefault():
    # CPython's check_setdefault.
    d = Wk.WeakValueDictionary()
    value1, value2 = Item('1'), Item('2')
    o = d.setdefault('key', value1)
    assert o is value1
    assert 'key' in d
    assert d.get('key') is value1
    assert d['key'] is value1
    o = d.setdefault('key', value2)
    assert o is value1
    assert d['key'] is value1


def check_update(klass, source):
    # CPython's check_update.
    weakdict = klass()
    weakdict.update(source)
    assert len(weakdict) == len(source)
    for k in weakdict.keys():
        assert k in source
        v = source.get(k)
        assert v is weakdict[k]
        assert v is weakdict.get(k)
    for k in source.keys():
        assert k in weakdict
        v = source[k]
        assert v is weakdict[k]
        assert v is weakdict.get(k)


def test_weak_valued_update():
    objects = make_objects(3)
    check_update(Wk.WeakValueDictionary, {1: objects[0], 'a': objects[1], (2, 'b'): objects[2]})
    check_update(Wk.WeakValueDictionary, Wk.WeakValueDictionary({1: objects[0]}))
    d = Wk.WeakValueDictionary()
    d.update([('pair', objects[0])], kw=objects[1])       # iterable of pairs and kwargs
    assert d['pair'] is objects[0] and d['kw'] is objects[1]
    d.update(None)
    d.update()
    assert len(d) == 2
    with pytest.raises(ValueError):
        d.update([('a', objects[0], 'extra')])


def test_weak_valued_init():
    o = Item('o')
    # Like dict(): a mapping, pairs, keywords, and all keyword names.
    assert Wk.WeakValueDictionary({'a': o})['a'] is o
    assert Wk.WeakValueDictionary([('a', o)])['a'] is o
    for kw in ('self', 'other', 'dict', 'iterable'):
        d = Wk.WeakValueDictionary(**{kw: o})
        assert list(d.items()) == [(kw, o)]
    d = Wk.WeakValueDictionary({'a': o}, b=o)
    assert sorted(d) == ['a', 'b']
    with pytest.raises(TypeError):
        Wk.WeakValueDictionary.__init__()
    with pytest.raises(TypeError):
        Wk.WeakValueDictionary({}, {})
    with pytest.raises(TypeError):
        Wk.WeakValueDictionary((), ())
    assert isinstance(d, collections.abc.MutableMapping)
    assert Wk.WeakValueDictionary[str, GObject.Object] is not None


def test_weak_valued_copy():
    o1, o2, o3 = Item('1'), Item('2'), Item('3')
    d = Wk.WeakValueDictionary({'a': o1, ('t', 1): o2, None: o3})
    for d2 in (d.copy(), copy.copy(d), copy.deepcopy(d)):
        assert type(d2) is Wk.WeakValueDictionary
        assert d2 is not d and d2.table is not d.table
        assert dict(d2) == dict(d)
        assert d2['a'] is o1          # the values are not copied: weak
    d2 = d.copy()
    del d['a']
    assert d2['a'] is o1              # independent tables
    del o2
    collect()
    assert ('t', 1) not in d2 and ('t', 1) not in d
    assert len(d2) == 2


def test_weak_valued_copy_of_subclass():
    class Sub(Wk.WeakValueDictionary):
        pass

    o = Item('o')
    s = Sub({'a': o})
    assert type(s.copy()) is Wk.WeakValueDictionary      # as in the stdlib
    assert type(copy.deepcopy(s)) is Sub
    assert dict(copy.deepcopy(s)) == {'a': o}
    assert re.fullmatch(r'<.*Sub at 0x[0-9a-f]+>', repr(s))


def test_weak_valued_union_operators():
    # CPython's test_weak_valued_union_operators.
    a, b, c = Item('a'), Item('b'), Item('c')
    wvd1 = Wk.WeakValueDictionary({1: a})
    wvd2 = Wk.WeakValueDictionary({1: b, 2: a})
    wvd3 = wvd1.copy()
    d1 = {1: c, 3: b}
    pairs = [(5, c), (6, b)]

    tmp1 = wvd1 | wvd2  # between two WeakValueDictionaries
    assert dict(tmp1) == dict(wvd1) | dict(wvd2)
    assert type(tmp1) is Wk.WeakValueDictionary
    wvd1 |= wvd2
    assert wvd1 == tmp1

    tmp2 = wvd2 | d1  # between a WeakValueDictionary and a mapping
    assert dict(tmp2) == dict(wvd2) | d1
    assert type(tmp2) is Wk.WeakValueDictionary
    wvd2 |= d1
    assert wvd2 == tmp2

    tmp3 = wvd3.copy()  # with an iterable of pairs
    tmp3 |= pairs
    assert dict(tmp3) == dict(wvd3) | dict(pairs)
    assert type(tmp3) is Wk.WeakValueDictionary

    tmp4 = d1 | wvd3  # __ror__
    assert dict(tmp4) == d1 | dict(wvd3)
    assert type(tmp4) is Wk.WeakValueDictionary

    with pytest.raises(TypeError):
        wvd3 | pairs
    with pytest.raises(TypeError):
        pairs | wvd3

    del a
    collect()
    assert 2 not in tmp1
    assert 2 not in tmp2
    assert 1 not in tmp3
    assert 1 not in tmp4


def test_weak_valued_repr():
    d = Wk.WeakValueDictionary()
    assert re.fullmatch(r'<Wk\.WeakValueDictionary at 0x[0-9a-f]+>', repr(d))
    assert repr(d) == '<Wk.WeakValueDictionary at %#x>' % id(d)


def test_weak_valued_clear_and_equality():
    o = Item('o')
    d = Wk.WeakValueDictionary({'a': o, 'b': o})
    assert d == {'a': o, 'b': o}
    assert d != {'a': o}
    d.clear()
    assert len(d) == 0 and d == {}


def test_weak_valued_valuerefs():
    objects = make_objects(3)
    d = Wk.WeakValueDictionary({ob.name: ob for ob in objects})
    refs = d.valuerefs()
    assert isinstance(refs, list) and len(refs) == 3
    for r in refs:
        assert isinstance(r, Wk.KeyedRef) and isinstance(r, Wk.ref)
        assert r() is d[r.key]
    assert sorted(r.key for r in refs) == ['0', '1', '2']
    it = d.itervaluerefs()
    first = next(it)
    assert first() is d[first.key]
    assert len(list(it)) == 2
    # The refs do not keep the values alive.
    del objects[:]
    collect()
    assert all(r() is None for r in refs) and first() is None
    assert d.valuerefs() == []


def test_keyed_ref():
    o = GObject.Object()
    got = []
    r = Wk.KeyedRef(o, got.append, ('the', 'key'))
    assert r.key == ('the', 'key') and r() is o
    assert r.__callback__ == got.append
    del o
    collect()
    assert got == [r] and r() is None


def test_weak_valued_replacing_then_old_value_dies():
    d = Wk.WeakValueDictionary()
    old, new = Item('old'), Item('new')
    d['k'] = old
    d['k'] = new
    assert len(d) == 1
    del old
    collect()
    assert d['k'] is new
    assert len(d) == 1
    assert list(d.items()) == [('k', new)]


def check_weak_destroy_while_iterating(d, objects, iter_name):
    # CPython's check_weak_destroy_while_iterating.
    n = len(d)
    it = iter(getattr(d, iter_name)())
    next(it)
    del objects[-1]
    collect()
    # Either the first consumed entry went, or another one.
    assert len(list(it)) in (len(objects), len(objects) - 1)
    del it
    collect()
    assert len(d) == n - 1


@pytest.mark.parametrize('iter_name', ['keys', 'values', 'items', '__iter__', 'itervaluerefs'])
def test_weak_values_destroy_while_iterating(iter_name):
    d, objects = make_weak_valued_dict()
    check_weak_destroy_while_iterating(d, objects, iter_name)


@pytest.mark.parametrize('iter_name', ['keys', 'values', 'items', 'itervaluerefs'])
def test_weak_values_die_in_the_loop_body(iter_name):
    # Every other value dies in the first step's body: the iteration goes
    # on and yields no dead entry.
    d, objects = make_weak_valued_dict()
    by_name = {ob.name: ob for ob in objects}
    del objects[:]
    yielded = []
    for thing in getattr(d, iter_name)():
        yielded.append(thing)
        if len(yielded) == 1:
            current = thing[0] if iter_name == 'items' else thing
            if iter_name == 'values':
                current = current.name
            elif iter_name == 'itervaluerefs':
                current = current.key
            for name in list(by_name):
                if name != current:
                    del by_name[name]
            del thing
            collect()
            assert len(d) == 1
    assert len(yielded) == 1


def test_weak_valued_mutation_during_iteration():
    # No RuntimeError: the iteration runs over a snapshot, and sees
    # neither new entries nor removed ones.
    d, objects = make_weak_valued_dict()
    extra = make_objects(len(objects))
    seen = []
    for i, key in enumerate(d):
        seen.append(key)
        d['new%d' % i] = extra[i]
    assert sorted(seen) == sorted(ob.name for ob in objects)
    assert len(d) == 2 * len(objects)
    seen = []
    for key in d:
        seen.append(key)
        for other in list(d):
            if other != key:
                del d[other]
    assert len(seen) == 1 and list(d) == seen


def test_weak_valued_value_kept_alive_by_c():
    # The point of Wk: the stdlib loses the entry with the wrapper.
    o = GObject.Object()
    address = GObject.Object.__hash__(o)
    store = store_holding(o)
    d = Wk.WeakValueDictionary({'k': o})
    std = weakref.WeakValueDictionary({'k': o})
    del o
    collect()
    assert 'k' not in std               # the wrapper died...
    assert 'k' in d and len(d) == 1     # ...the GObject did not
    back = d['k']
    assert GObject.Object.__hash__(back) == address
    assert store.get_item(0) is back
    assert list(d.items()) == [('k', back)]
    del back
    collect()
    store.remove_all()
    collect()
    assert 'k' not in d and len(d) == 0


def test_weak_valued_python_state_kept_by_c():
    t = Item('state')
    store = store_holding(t)
    d = Wk.WeakValueDictionary(k=t)
    del t
    collect()
    assert d['k'].name == 'state'
    store.remove_all()
    collect()
    assert len(d) == 0


def test_weak_valued_wraps_c_table():
    raw = Wk.WeakValueDict.new_for_variants()
    a, b, c = Item('a'), Item('b'), Item('c')
    # Inserted through the C interface, in the forms a C caller would use.
    raw.insert(GLib.Variant('s', 'a'), a)
    raw.insert(GLib.Variant('x', 7), b)
    raw.insert(GLib.Variant('i', 3), c)             # no Python key makes an 'i'
    raw.insert(GLib.Variant('as', ['x', 'y']), c)
    d = Wk.WeakValueDictionary(raw)
    assert d.table is raw
    assert len(d) == 4
    assert d['a'] is a and d[7] is b and d[7.0] is b
    assert 3 not in d                               # 'x' 3 is not 'i' 3
    keys = list(d)
    assert 'a' in keys and 7 in keys
    foreign = [k for k in keys if isinstance(k, GLib.Variant)]
    assert sorted(k.get_type_string() for k in foreign) == ['as', 'i']
    for k in foreign:
        assert d[k] is c                            # they work as keys again
    # Python writes are seen by C, C writes by Python, on one table.
    d['py'] = a
    assert raw.lookup(GLib.Variant('s', 'py')) is a
    raw.remove(GLib.Variant('s', 'a'))
    assert 'a' not in d
    assert Wk.WeakValueDictionary(raw)['py'] is a   # a second wrapper
    del c, foreign, keys
    collect()
    assert len(d) == len(raw.get_keys()) == 2
    # A wrapper with keywords adds them to the table.
    d2 = Wk.WeakValueDictionary(raw, kw=b)
    assert raw.lookup(GLib.Variant('s', 'kw')) is b and d['kw'] is b
    assert sorted(map(str, d2)) == ['7', 'kw', 'py']


def test_weak_valued_threads_iterate_while_others_insert():
    # A snapshot in one thread must not make an insert or a pop in another
    # fail (C refuses new keys and steals while a table is iterated).
    # Every object is also held by C for the whole test: with only
    # PyGObject's toggle reference, Wk's get may deadlock against a last
    # unref in a thread holding the GIL (a C-layer bug, not tested here).
    d = Wk.WeakValueDictionary()
    keep = make_objects(300)
    new = make_objects(1500)
    store = store_holding(*keep, *new)
    for i, ob in enumerate(keep):
        d[i] = ob
    stop = threading.Event()
    errors = []

    def reader():
        try:
            while not stop.is_set():
                for key, value in d.items():
                    if value is None:
                        errors.append(key)
                list(d.values())
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i, ob in enumerate(new):
            d[1000 + i] = ob
            assert d[1000 + i] is ob
            if i % 2:
                assert d.pop(1000 + i) is ob
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(d) == len(keep) + len(new) // 2
    store.remove_all()


def test_threaded_weak_valued_setdefault():
    # After CPython's test_threaded_weak_valued_setdefault: values die
    # while another thread collects; setdefault never returns None.
    d = Wk.WeakValueDictionary()
    stop = threading.Event()
    # No garbage GObjects for the collector to free meanwhile, and plain
    # GObject.Object values (no toggle reference): see the note in the
    # test above.
    collect()

    def collector():
        # CPython's collect_in_thread: collect, then sleep a little.
        while not stop.wait(0.0001):
            gc.collect()

    t = threading.Thread(target=collector)
    t.start()
    try:
        for i in range(1000):
            x = d.setdefault(10, GObject.Object())
            assert x is not None
            del x
    finally:
        stop.set()
        t.join()


# ---------------------------------------------------------------------------
# WeakKeyDictionary


def make_weak_keyed_dict():
    objects = make_objects()
    d = Wk.WeakKeyDictionary({ob: ob.name for ob in objects})
    return d, objects


def test_weak_keys():
    d, objects = make_weak_keyed_dict()
    for ob in objects:
        assert d[ob] == ob.name
        assert ob in d
        assert d.get(ob) == ob.name
    assert len(d) == len(objects)
    del ob
    del objects[0]
    collect()
    assert len(d) == len(objects)
    del objects[:]
    collect()
    assert len(d) == 0
    assert list(d.items()) == []


def test_weak_keyed_size_never_counts_dead_entries():
    d = Wk.WeakKeyDictionary()
    objects = make_objects(30)
    for i, ob in enumerate(objects):
        d[ob] = i
    del ob
    while objects:
        del objects[:4]
        collect()
        assert len(d) == len(objects) == len(list(d)) == d.table.get_size()


def test_weak_keyed_any_value():
    o = Item('o')
    d = Wk.WeakKeyDictionary()
    for value in (None, (None,), 0, '', [1, 2], {'a': 1}, o, GObject.Value(GObject.TYPE_INT, 3)):
        d[o] = value
        assert d[o] is value
        assert d.get(o, 'default') is value
        assert o in d
    d[o] = None
    assert d.pop(o) is None
    assert o not in d
    assert d.setdefault(o) is None and o in d and d[o] is None
    assert list(d.items()) == [(o, None)]
    assert list(d.values()) == [None]


def test_weak_keyed_identity_not_equality():
    a, b = AlwaysEqual(), AlwaysEqual()
    assert a == b and hash(a) == hash(b)
    d = Wk.WeakKeyDictionary([(a, 'a'), (b, 'b')])   # a dict would merge them
    assert len(d) == 2 and d[a] == 'a' and d[b] == 'b'


def test_weak_keyed_bad_keys():
    # CPython's test_weak_keyed_bad_delitem, and the rest of the API.
    d = Wk.WeakKeyDictionary()
    o = Item('1')
    with pytest.raises(KeyError):
        del d[o]
    with pytest.raises(KeyError):
        d[o]
    with pytest.raises(KeyError):
        d.pop(o)
    assert d.pop(o, 'default') == 'default'
    for bad in NOT_WEAKREFABLE:
        message = "cannot create weak reference to '%s' object" % type(bad).__name__
        for call in (lambda: d[bad], lambda: d.__setitem__(bad, 1), lambda: d.__delitem__(bad),
                     lambda: d.get(bad), lambda: d.pop(bad), lambda: d.pop(bad, None),
                     lambda: d.setdefault(bad, 1), lambda: d.update([(bad, 1)])):
            with pytest.raises(TypeError, match=re.escape(message)):
                call()
        assert bad not in d    # like the stdlib: no TypeError from `in`
    with pytest.raises(TypeError):
        d.update(a=1)         # keyword keys are str
    with pytest.raises(TypeError):
        Wk.WeakKeyDictionary(a=1)
    assert len(d) == 0


def test_weak_keyed_iters():
    d, objects = make_weak_keyed_dict()
    check_iters(d)
    for it in (iter(d), d.keys(), d.values(), d.items()):
        assert iter(it) is it


@pytest.mark.parametrize('iter_name', ['keys', 'values', 'items', '__iter__'])
def test_weak_keys_destroy_while_iterating(iter_name):
    d, objects = make_weak_keyed_dict()
    check_weak_destroy_while_iterating(d, objects, iter_name)


@pytest.mark.parametrize('iter_name', ['keys', 'items', '__iter__'])
def test_weak_keys_die_in_the_loop_body(iter_name):
    d, objects = make_weak_keyed_dict()
    yielded = []
    for thing in getattr(d, iter_name)():
        yielded.append(thing)
        if len(yielded) == 1:
            current = thing[0] if iter_name == 'items' else thing
            objects[:] = [current]
            del thing, current
            collect()
            assert len(d) == 1
    assert len(yielded) == 1


def test_weak_keyed_delitem():
    d = Wk.WeakKeyDictionary()
    o1, o2 = Item('1'), Item('2')
    d[o1] = 'something'
    d[o2] = 'something'
    assert len(d) == 2
    del d[o1]
    assert len(d) == 1
    assert list(d.keys()) == [o2]


def test_weak_keyed_popitem_and_setdefault():
    d = Wk.WeakKeyDictionary()
    key1, key2 = Item('1'), Item('2')
    d[key1] = 'value1'
    d[key2] = 'value2'
    k, v = d.popitem()
    assert len(d) == 1
    assert (k, v) in ((key1, 'value1'), (key2, 'value2'))
    d.popitem()
    with pytest.raises(KeyError, match='popitem'):
        d.popitem()
    # CPython's check_setdefault.
    value1, value2 = object(), object()
    o = d.setdefault(key1, value1)
    assert o is value1
    assert key1 in d
    assert d.get(key1) is value1
    assert d[key1] is value1
    o = d.setdefault(key1, value2)
    assert o is value1
    assert d[key1] is value1


def test_weak_keyed_update_and_init():
    objects = make_objects(3)
    check_update(Wk.WeakKeyDictionary, {ob: ob.name for ob in objects})
    d = Wk.WeakKeyDictionary([(objects[0], 1)])
    d.update([(objects[1], 2)])
    d.update(Wk.WeakKeyDictionary({objects[2]: 3}))
    assert sorted(d.values()) == [1, 2, 3]
    d.update(None)
    d.update()
    assert len(d) == 3
    with pytest.raises(TypeError):
        Wk.WeakKeyDictionary({}, {})
    assert isinstance(d, collections.abc.MutableMapping)


def test_weak_keyed_keyrefs():
    d, objects = make_weak_keyed_dict()
    refs = d.keyrefs()
    assert len(refs) == len(objects)
    assert all(isinstance(r, Wk.ref) for r in refs)
    assert {r().name for r in refs} == {ob.name for ob in objects}
    del objects[:]
    collect()
    assert all(r() is None for r in refs)      # they keep nothing alive
    assert d.keyrefs() == []


def test_weak_keyed_copy_and_deepcopy():
    o1, o2 = Item('1'), Item('2')
    value = ['mutable']
    d = Wk.WeakKeyDictionary({o1: value, o2: 'two'})
    for d2 in (d.copy(), copy.copy(d)):
        assert type(d2) is Wk.WeakKeyDictionary and d2.table is not d.table
        assert d2[o1] is value                  # shallow: the same value
    deep = copy.deepcopy(d)
    assert deep[o1] == value and deep[o1] is not value
    assert set(deep) == {o1, o2}                # the keys are not copied
    d2 = d.copy()
    del d[o1]
    assert o1 in d2
    del o2
    collect()
    assert len(d2) == 1 and len(deep) == 1 and len(d) == 0


def test_weak_keyed_union_operators():
    # CPython's test_weak_keyed_union_operators.
    o1, o2, o3 = Item('1'), Item('2'), Item('3')
    wkd1 = Wk.WeakKeyDictionary({o1: 1, o2: 2})
    wkd2 = Wk.WeakKeyDictionary({o3: 3, o1: 4})
    wkd3 = wkd1.copy()
    d1 = {o2: '5', o3: '6'}
    pairs = [(o2, 7), (o3, 8)]

    tmp1 = wkd1 | wkd2
    assert dict(tmp1) == dict(wkd1) | dict(wkd2)
    assert type(tmp1) is Wk.WeakKeyDictionary
    wkd1 |= wkd2
    assert wkd1 == tmp1

    tmp2 = wkd2 | d1
    assert dict(tmp2) == dict(wkd2) | d1
    assert type(tmp2) is Wk.WeakKeyDictionary
    wkd2 |= d1
    assert wkd2 == tmp2

    tmp3 = wkd3.copy()
    tmp3 |= pairs
    assert dict(tmp3) == dict(wkd3) | dict(pairs)
    assert type(tmp3) is Wk.WeakKeyDictionary

    tmp4 = d1 | wkd3
    assert dict(tmp4) == d1 | dict(wkd3)
    assert type(tmp4) is Wk.WeakKeyDictionary

    with pytest.raises(TypeError):
        wkd3 | pairs

    del o1
    collect()
    assert 4 not in tmp1.values()
    assert 4 not in tmp2.values()
    assert 1 not in tmp3.values()
    assert 1 not in tmp4.values()


def test_weak_keyed_repr():
    d = Wk.WeakKeyDictionary()
    assert repr(d) == '<Wk.WeakKeyDictionary at %#x>' % id(d)


def test_weak_keyed_values_referring_to_other_objects():
    # A value is dropped with its key, and with it what it refers to.
    key = Item('key')
    other = Item('other')
    held = GObject.Object()
    other_ref, held_ref = Wk.ref(other), Wk.ref(held)
    d = Wk.WeakKeyDictionary()
    d[key] = {'other': other, 'list': [held]}
    del other, held
    collect()
    assert other_ref() is not None and held_ref() is not None   # held by the value
    assert d[key]['other'] is other_ref()
    del key
    collect()
    assert len(d) == 0
    assert other_ref() is None and held_ref() is None


def test_weak_keyed_value_may_be_a_value_dict_entry():
    # Values referring to other weakly held things do not keep them.
    key, target = Item('key'), Item('target')
    d = Wk.WeakKeyDictionary({key: Wk.ref(target)})
    assert d[key]() is target
    del target
    collect()
    assert d[key]() is None and len(d) == 1


def test_weak_keyed_key_kept_alive_by_c():
    o = GObject.Object()
    address = GObject.Object.__hash__(o)
    store = store_holding(o)
    d = Wk.WeakKeyDictionary({o: 'value'})
    std = weakref.WeakKeyDictionary({o: 'value'})
    del o
    collect()
    assert len(std) == 0
    assert len(d) == 1
    back = store.get_item(0)
    assert GObject.Object.__hash__(back) == address
    assert d[back] == 'value'              # a new wrapper finds the entry
    assert list(d) == [back]
    del back
    collect()
    store.remove_all()
    collect()
    assert len(d) == 0


def test_weak_keyed_wraps_c_table_with_plain_gvalues():
    raw = Wk.WeakKeyDict.new_for_values()
    a, b, c, e, f = (Item(n) for n in 'abcef')
    # Values as C would store them: plain GValues.
    raw.insert(a, GObject.Value(GObject.TYPE_INT, 5))
    raw.insert(b, GObject.Value(GObject.TYPE_STRING, 'text'))
    raw.insert(c, GObject.Value(GObject.TYPE_STRING, None))      # NULL: reads as None
    raw.insert(e, GObject.Value(GObject.TYPE_OBJECT, a))
    raw.insert(f, GObject.Value(GObject.TYPE_PYOBJECT, ('a', 'tuple')))
    d = Wk.WeakKeyDictionary(raw)
    assert d.table is raw
    assert len(d) == 5
    assert d[a] == 5 and d[b] == 'text' and d[e] is a and d[f] == ('a', 'tuple')
    assert d[c] is None and c in d and d.get(c, 'default') is None
    assert dict(d.items()) == {a: 5, b: 'text', c: None, e: a, f: ('a', 'tuple')}
    assert d.pop(c) is None                 # present with NULL, not missing
    with pytest.raises(KeyError):
        d.pop(c)
    # Python writes go into the same table.
    d[c] = None
    assert raw.contains(c) and raw.get_size() == 5
    assert Wk.WeakKeyDictionary(raw)[c] is None
    del a
    collect()
    assert len(d) == 5                      # e's value holds a
    del e
    collect()
    assert len(d) == 3 and raw.get_size() == 3


def test_weak_keyed_threads_iterate_while_others_insert():
    # As for WeakValueDictionary, with every key also held by C.
    d = Wk.WeakKeyDictionary()
    keep = make_objects(200)
    new = make_objects(1500)
    store = store_holding(*keep, *new)
    for ob in keep:
        d[ob] = ob.name
    stop = threading.Event()
    errors = []

    def reader():
        try:
            while not stop.is_set():
                for key, value in d.items():
                    if value != key.name:
                        errors.append((key, value))
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i, ob in enumerate(new):
            d[ob] = ob.name
            assert d[ob] == ob.name
            if i % 2:
                assert d.pop(ob) == ob.name
    finally:
        stop.set()
        t.join()
    assert errors == []
    assert len(d) == len(keep) + len(new) // 2
    store.remove_all()


# ---------------------------------------------------------------------------
# WeakSet, after CPython's test_weakset


class SetData:
    """CPython's setUp, with GObjects standing for the strings."""

    def __init__(self):
        self.objects = {c: Item(c) for c in string.ascii_letters}
        self.items = [self.obj(c) for c in ('a', 'b', 'c')]
        self.items2 = [self.obj(c) for c in ('x', 'y', 'z')]
        self.ab_items = [self.obj(c) for c in 'ab']
        self.abcde_items = [self.obj(c) for c in 'abcde']
        self.def_items = [self.obj(c) for c in 'def']
        self.ab_weakset = Wk.WeakSet(self.ab_items)
        self.abcde_weakset = Wk.WeakSet(self.abcde_items)
        self.def_weakset = Wk.WeakSet(self.def_items)
        self.letters = [self.obj(c) for c in string.ascii_letters]
        self.s = Wk.WeakSet(self.items)
        self.d = dict.fromkeys(self.items)
        self.fs_obj = Item('F')
        self.fs = Wk.WeakSet([self.fs_obj])

    def obj(self, c):
        return self.objects[c]

    def pop_items2(self):
        # CPython's `self.items2.pop(); gc.collect()`: here the object must
        # also leave the other lists that hold it.
        gone = self.items2.pop()
        del self.objects[gone.name]
        self.letters.remove(gone)
        del gone
        collect()


@pytest.fixture
def sd():
    return SetData()


def test_set_methods():
    weaksetmethods = dir(Wk.WeakSet)
    for method in dir(set):
        if method.startswith('_'):
            continue
        assert method in weaksetmethods, method


def test_set_new_or_init():
    with pytest.raises(TypeError):
        Wk.WeakSet([], 2)


def test_set_len(sd):
    assert len(sd.s) == len(sd.d)
    assert len(sd.fs) == 1
    del sd.fs_obj
    collect()
    assert len(sd.fs) == 0
    assert not sd.fs and bool(sd.s)


def test_set_contains(sd):
    for c in sd.letters:
        assert (c in sd.s) == (c in sd.d)
    for bad in NOT_WEAKREFABLE:
        assert bad not in sd.s      # the TypeError is caught by __contains__
    assert sd.fs_obj in sd.fs
    del sd.fs_obj
    collect()
    assert len(sd.fs) == 0


def test_set_union(sd):
    u = sd.s.union(sd.items2)
    for c in sd.letters:
        assert (c in u) == (c in sd.d or c in sd.items2)
    assert sd.s == Wk.WeakSet(sd.items)
    assert type(u) is Wk.WeakSet
    with pytest.raises(TypeError):
        sd.s.union([[]])
    for C in set, frozenset, dict.fromkeys, list, tuple:
        x = Wk.WeakSet(sd.items + sd.items2)
        c = C(sd.items2)
        assert sd.s.union(c) == x
        del c
    assert len(u) == len(sd.items) + len(sd.items2)
    sd.pop_items2()
    assert len(u) == len(sd.items) + len(sd.items2)


def test_set_or(sd):
    i = sd.s.union(sd.items2)
    assert sd.s | set(sd.items2) == i
    assert sd.s | frozenset(sd.items2) == i
    assert sd.s | sd.items2 == i      # any iterable, as in the stdlib


def test_set_intersection(sd):
    s = Wk.WeakSet(sd.letters)
    i = s.intersection(sd.items2)
    for c in sd.letters:
        assert (c in i) == (c in sd.items2 and c in sd.letters)
    assert s == Wk.WeakSet(sd.letters)
    assert type(i) is Wk.WeakSet
    for C in set, frozenset, dict.fromkeys, list, tuple:
        x = Wk.WeakSet([])
        assert i.intersection(C(sd.items)) == x
    assert len(i) == len(sd.items2)
    sd.pop_items2()
    assert len(i) == len(sd.items2)


def test_set_isdisjoint(sd):
    assert sd.s.isdisjoint(Wk.WeakSet(sd.items2))
    assert not sd.s.isdisjoint(Wk.WeakSet(sd.letters))
    assert sd.s.isdisjoint(sd.items2)


def test_set_and(sd):
    i = sd.s.intersection(sd.items2)
    assert sd.s & set(sd.items2) == i
    assert sd.s & frozenset(sd.items2) == i


def test_set_difference(sd):
    i = sd.s.difference(sd.items2)
    for c in sd.letters:
        assert (c in i) == (c in sd.d and c not in sd.items2)
    assert sd.s == Wk.WeakSet(sd.items)
    assert type(i) is Wk.WeakSet
    with pytest.raises(TypeError):
        sd.s.difference([[]])


def test_set_sub(sd):
    i = sd.s.difference(sd.items2)
    assert sd.s - set(sd.items2) == i
    assert sd.s - frozenset(sd.items2) == i


def test_set_symmetric_difference(sd):
    i = sd.s.symmetric_difference(sd.items2)
    for c in sd.letters:
        assert (c in i) == ((c in sd.d) ^ (c in sd.items2))
    assert sd.s == Wk.WeakSet(sd.items)
    assert type(i) is Wk.WeakSet
    with pytest.raises(TypeError):
        sd.s.symmetric_difference([[]])
    assert len(i) == len(sd.items) + len(sd.items2)
    sd.pop_items2()
    assert len(i) == len(sd.items) + len(sd.items2)


def test_set_xor(sd):
    i = sd.s.symmetric_difference(sd.items2)
    assert sd.s ^ set(sd.items2) == i
    assert sd.s ^ frozenset(sd.items2) == i


def test_set_sub_and_super(sd):
    assert sd.ab_weakset <= sd.abcde_weakset
    assert sd.abcde_weakset <= sd.abcde_weakset
    assert sd.abcde_weakset >= sd.ab_weakset
    assert not sd.abcde_weakset <= sd.def_weakset
    assert not sd.abcde_weakset >= sd.def_weakset
    a, b, c, s = (sd.obj(x) for x in 'abcs')
    assert Wk.WeakSet([a]).issubset([a, b, c])
    assert Wk.WeakSet([a, b, c]).issuperset([a])
    assert not Wk.WeakSet([a]).issubset([c, b, s])
    assert not Wk.WeakSet([c, b, s]).issuperset([a])
    with pytest.raises(TypeError):
        sd.s.issubset([1])


def test_set_lt(sd):
    assert sd.ab_weakset < sd.abcde_weakset
    assert not sd.abcde_weakset < sd.def_weakset
    assert not sd.ab_weakset < sd.ab_weakset
    assert not Wk.WeakSet() < Wk.WeakSet()


def test_set_gt(sd):
    assert sd.abcde_weakset > sd.ab_weakset
    assert not sd.abcde_weakset > sd.def_weakset
    assert not sd.ab_weakset > sd.ab_weakset
    assert not Wk.WeakSet() > Wk.WeakSet()


def test_set_subclass_with_custom_hash():
    # CPython's issue #8107, and: subclasses work although WkWeakSet is a
    # final GType.
    class H(Wk.WeakSet):
        def __hash__(self):
            return int(id(self) & 0x7fffffff)

    s = H()
    f = set()
    f.add(s)
    assert s in f
    f.remove(s)
    f.add(s)
    f.discard(s)
    o = Item('o')
    h = H([o])
    assert isinstance(h, Wk.WeakSet) and h.__gtype__ == Wk.WeakSet.__gtype__
    assert type(h.copy()) is H and o in h.copy()
    assert type(h | [Item('p')]) is H


def test_set_init(sd):
    s = Wk.WeakSet()
    s.__init__(sd.items)
    assert s == sd.s
    s.__init__(sd.items2)
    assert s == Wk.WeakSet(sd.items + sd.items2)
    with pytest.raises(TypeError):
        s.__init__(s, 2)
    with pytest.raises(TypeError):
        s.__init__(1)


def test_set_constructor_identity(sd):
    t = Wk.WeakSet(sd.s)
    assert t is not sd.s
    assert t == sd.s


def test_set_hash(sd):
    with pytest.raises(TypeError):
        hash(sd.s)


def test_set_clear(sd):
    sd.s.clear()
    assert sd.s == Wk.WeakSet([])
    assert len(sd.s) == 0


def test_set_copy(sd):
    dup = sd.s.copy()
    assert sd.s == dup
    assert dup is not sd.s


def test_set_add(sd):
    x = Item('Q')
    sd.s.add(x)
    assert x in sd.s
    dup = sd.s.copy()
    assert sd.s.add(x) is None
    assert sd.s == dup
    with pytest.raises(TypeError, match="cannot create weak reference to 'list' object"):
        sd.s.add([])
    sd.fs.add(Item('temporary'))
    collect()
    assert len(sd.fs) == 1
    sd.fs.add(sd.fs_obj)
    assert len(sd.fs) == 1


def test_set_remove(sd):
    x = sd.obj('a')
    sd.s.remove(x)
    assert x not in sd.s
    with pytest.raises(KeyError):
        sd.s.remove(x)
    with pytest.raises(TypeError):
        sd.s.remove([])


def test_set_discard(sd):
    a, q = sd.obj('a'), Item('Q')
    sd.s.discard(a)
    assert a not in sd.s
    sd.s.discard(q)
    with pytest.raises(TypeError):
        sd.s.discard([])


def test_set_pop(sd):
    for i in range(len(sd.s)):
        elem = sd.s.pop()
        assert elem not in sd.s
    with pytest.raises(KeyError, match='pop from empty WeakSet'):
        sd.s.pop()


def test_set_update(sd):
    retval = sd.s.update(sd.items2)
    assert retval is None
    for c in sd.items + sd.items2:
        assert c in sd.s
    with pytest.raises(TypeError):
        sd.s.update([[]])


def test_set_update_set(sd):
    sd.s.update(set(sd.items2))
    for c in sd.items + sd.items2:
        assert c in sd.s


def test_set_ior(sd):
    sd.s |= set(sd.items2)
    for c in sd.items + sd.items2:
        assert c in sd.s


def test_set_intersection_update(sd):
    retval = sd.s.intersection_update(sd.items2)
    assert retval is None
    for c in sd.items + sd.items2:
        if c in sd.items2 and c in sd.items:
            assert c in sd.s
        else:
            assert c not in sd.s
    with pytest.raises(TypeError):
        sd.s.intersection_update([[]])


def test_set_iand(sd):
    sd.s &= set(sd.items2)
    for c in sd.items + sd.items2:
        if c in sd.items2 and c in sd.items:
            assert c in sd.s
        else:
            assert c not in sd.s


def test_set_difference_update(sd):
    retval = sd.s.difference_update(sd.items2)
    assert retval is None
    for c in sd.items + sd.items2:
        if c in sd.items and c not in sd.items2:
            assert c in sd.s
        else:
            assert c not in sd.s
    with pytest.raises(TypeError):
        sd.s.difference_update([[]])
    with pytest.raises(TypeError):
        sd.s.symmetric_difference_update([[]])


def test_set_isub(sd):
    sd.s -= set(sd.items2)
    for c in sd.items + sd.items2:
        if c in sd.items and c not in sd.items2:
            assert c in sd.s
        else:
            assert c not in sd.s


def test_set_symmetric_difference_update(sd):
    retval = sd.s.symmetric_difference_update(sd.items2)
    assert retval is None
    for c in sd.items + sd.items2:
        if (c in sd.items) ^ (c in sd.items2):
            assert c in sd.s
        else:
            assert c not in sd.s
    with pytest.raises(TypeError):
        sd.s.symmetric_difference_update([[]])


def test_set_ixor(sd):
    sd.s ^= set(sd.items2)
    for c in sd.items + sd.items2:
        if (c in sd.items) ^ (c in sd.items2):
            assert c in sd.s
        else:
            assert c not in sd.s
    # Duplicates in the operand count once, as with a set.
    a = sd.obj('a')
    sd.s ^= [a, a]
    assert a not in sd.s


def test_set_inplace_on_self(sd):
    t = sd.s.copy()
    t |= t
    assert t == sd.s
    t &= t
    assert t == sd.s
    t -= t
    assert t == Wk.WeakSet()
    t = sd.s.copy()
    t ^= t
    assert t == Wk.WeakSet()


def test_set_eq(sd):
    # CPython's issue 5964.
    assert sd.s == sd.s
    assert sd.s == Wk.WeakSet(sd.items)
    assert not sd.s == set(sd.items)
    assert not sd.s == list(sd.items)
    assert not sd.s == tuple(sd.items)
    assert not sd.s == Wk.WeakSet([Item('Foo')])
    assert not sd.s == 1


def test_set_ne(sd):
    assert sd.s != set(sd.items)
    s1 = Wk.WeakSet()
    s2 = Wk.WeakSet()
    assert not s1 != s2
    assert s1 != sd.s


def test_set_weak_destroy_while_iterating():
    # CPython's issue #7105.
    items = [Item(c) for c in string.ascii_letters]
    s = Wk.WeakSet(items)
    it = iter(s)
    next(it)
    del items[-1]
    collect()
    assert len(list(it)) in (len(items), len(items) - 1)
    del it
    collect()
    assert len(s) == len(items)


def test_set_weak_destroy_and_mutate_while_iterating():
    # CPython's test of the same name: mutating while an iterator is alive
    # and an item has died.
    items = [Item(c) for c in string.ascii_letters]
    s = Wk.WeakSet(items)

    @contextlib.contextmanager
    def testcontext():
        try:
            it = iter(s)
            yielded = next(it)
            # Drop an item, and make an object with its name.
            u = Item(items.pop().name)
            if yielded.name == u.name:
                next(it)
            collect()
            yield u
        finally:
            it = None

    with testcontext() as u:
        assert u not in s
    with testcontext() as u:
        with pytest.raises(KeyError):
            s.remove(u)
    assert u not in s
    with testcontext() as u:
        s.add(u)
    assert u in s
    t = s.copy()
    with testcontext() as u:
        s.update(t)
    assert len(s) == len(t)
    with testcontext() as u:
        s.clear()
    assert len(s) == 0


def test_set_members_die_in_the_loop_body():
    items = make_objects(20)
    s = Wk.WeakSet(items)
    yielded = []
    for member in s:
        yielded.append(member)
        if len(yielded) == 1:
            items[:] = [member]
            del member
            collect()
            assert len(s) == 1
    assert len(yielded) == 1


def test_set_size_never_counts_dead_members():
    items = make_objects(25)
    s = Wk.WeakSet(items)
    while items:
        del items[:6]
        collect()
        assert len(s) == len(items) == len(list(s)) == s.get_size()


def test_set_repr(sd):
    assert repr(Wk.WeakSet()) == 'set()'
    a = sd.obj('a')
    assert re.fullmatch(r"\{<Wk\.ref at 0x[0-9a-f]+; to 'Item' at 0x[0-9a-f]+>\}",
                        repr(Wk.WeakSet([a])))
    assert repr(sd.s).count('<Wk.ref at') == 3


def test_set_abc(sd):
    assert isinstance(sd.s, collections.abc.Set)
    assert isinstance(sd.s, collections.abc.MutableSet)
    assert Wk.WeakSet[Item] is not None


def test_set_copying(sd):
    class WithAttributes(Wk.WeakSet):
        pass

    for cls in Wk.WeakSet, WithAttributes:
        s = cls(sd.items)
        s.x = ['x']
        dup = copy.copy(s)
        assert isinstance(dup, cls)
        assert dup == s and dup is not s
        assert dup.x is s.x
        dup = copy.deepcopy(s)
        assert isinstance(dup, cls)
        assert dup == s and dup is not s   # the members are not copied
        assert dup.x == s.x and dup.x is not s.x
        assert not hasattr(dup, '_wk_lock') or dup._wk_lock is not s._wk_lock


def test_set_member_kept_alive_by_c():
    o = GObject.Object()
    address = GObject.Object.__hash__(o)
    store = store_holding(o)
    s = Wk.WeakSet([o])
    std = weakref.WeakSet([o])
    del o
    collect()
    assert len(std) == 0
    assert len(s) == 1
    (back,) = list(s)
    assert GObject.Object.__hash__(back) == address and back is store.get_item(0)
    assert back in s
    del back
    collect()
    store.remove_all()
    collect()
    assert len(s) == 0


def test_set_identity_not_equality():
    a, b = AlwaysEqual(), AlwaysEqual()
    s = Wk.WeakSet([a, b])
    assert len(s) == 2
    s.remove(a)
    assert b in s and a not in s


def test_set_is_the_c_set():
    # Made by the GI constructor and filled through the C interface, it
    # is a Python set; and the Python set is a WkWeakSet C can use.
    a, b = Item('a'), Item('b')
    s = Wk.WeakSet.new()
    assert isinstance(s, Wk.WeakSet) and isinstance(s, collections.abc.MutableSet)
    assert WkC.WeakSet.add(s, a) is True
    assert WkC.WeakSet.add(s, a) is False
    assert WkC.WeakSet.add(s, b) is True
    assert len(s) == 2 and set(s) == {a, b}
    s.remove(a)
    assert not s.contains(a) and s.get_size() == 1
    assert WkC.WeakSet.remove(s, b) is True and len(s) == 0
    p = Wk.WeakSet([a])
    assert p.__gtype__.name == 'WkWeakSet'
    assert p.contains(a) and p.get_members() == [a]
    # A Wk.WeakSet is also a GObject, so Wk.ref works on it.
    r = Wk.ref(p)
    del p
    collect()
    assert r() is None


def test_set_threads_iterate_while_others_add():
    # As for WeakValueDictionary, with every member also held by C.
    keep = make_objects(200)
    new = make_objects(1500)
    store = store_holding(*keep, *new)
    s = Wk.WeakSet(keep)
    stop = threading.Event()
    errors = []

    def reader():
        try:
            while not stop.is_set():
                for member in s:
                    if not isinstance(member, Item):
                        errors.append(member)
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i, ob in enumerate(new):
            s.add(ob)
            assert ob in s
            if i % 2:
                s.remove(ob)
    finally:
        stop.set()
        t.join()
    assert errors == []
    assert len(s) == len(keep) + len(new) // 2
    store.remove_all()


if __name__ == '__main__':
    sys.exit(pytest.main([__file__, '-q']))


# Behaving like weakref: what CPython's weak collections do

def test_key_dict_key_error_carries_a_ref_to_the_key():
    # CPython's WeakKeyDictionary raises KeyError(weakref.ref(key)).
    d = Wk.WeakKeyDictionary()
    k = GObject.Object()
    for action in (lambda: d[k], lambda: d.__delitem__(k), lambda: d.pop(k)):
        with pytest.raises(KeyError) as info:
            action()
        (arg,) = info.value.args
        assert isinstance(arg, Wk.ReferenceType) and arg() is k


def test_value_dict_key_error_carries_the_key():
    d = Wk.WeakValueDictionary()
    for key in ('missing', (1, 'x'), 2.5):
        with pytest.raises(KeyError) as info:
            d[key]
        assert info.value.args == (key,)


# Iteration order: insertion order, kept by the C tables (the override
# keeps no order of its own).

def test_value_dict_iterates_in_insertion_order():
    objects = make_objects(5)
    d = Wk.WeakValueDictionary()
    keys = ['e', 3, ('t', 1), 'a', b'bytes']
    for k, o in zip(keys, objects):
        d[k] = o
    assert list(d) == keys
    assert list(d.keys()) == keys
    assert [v for v in d.values()] == objects
    assert [k for k, v in d.items()] == keys
    # Setting an existing key again keeps its place...
    d[3] = objects[0]
    assert list(d) == keys
    # ...deleting it and setting it again moves it last.
    del d[3]
    d[3] = objects[1]
    assert list(d) == ['e', ('t', 1), 'a', b'bytes', 3]
    # A dead entry leaves the order of the others alone.
    o = GObject.Object()
    d['dies'] = o
    d['z'] = objects[2]
    del o
    collect()
    assert list(d) == ['e', ('t', 1), 'a', b'bytes', 3, 'z']
    assert list(d.copy()) == list(d)


def test_key_dict_iterates_in_insertion_order():
    objects = make_objects(6)
    d = Wk.WeakKeyDictionary()
    for n, o in enumerate(objects):
        d[o] = n
    assert list(d) == objects
    assert list(d.values()) == list(range(6))
    d[objects[2]] = 'again'
    assert list(d) == objects
    del d[objects[2]]
    d[objects[2]] = 'moved'
    assert list(d) == objects[:2] + objects[3:] + objects[2:3]
    assert list(d.items())[-1] == (objects[2], 'moved')


def test_weak_set_iterates_in_insertion_order():
    objects = make_objects(6)
    s = Wk.WeakSet()
    for o in reversed(objects):
        s.add(o)
    assert list(s) == objects[::-1]
    s.add(objects[0])                 # already there: keeps its place
    assert list(s) == objects[::-1]
    s.remove(objects[3])
    s.add(objects[3])
    assert list(s) == [objects[5], objects[4], objects[2], objects[1], objects[0], objects[3]]


# Ephemerons: a WeakKeyDictionary value that refers to its key does not
# keep the key alive once the collector has run. Values that are GObjects
# are stored as GObjects, which the collector sees.

class Node(Wk.Object):
    """No Python attributes, so no toggle reference: what hold() holds is
    all the collector needs to see."""


def test_ephemeron_value_holding_its_key_directly():
    d = Wk.WeakKeyDictionary()
    key, value = Node(), Node()
    value.hold(key)
    d[key] = value
    key_ref, value_ref = Wk.ref(key), Wk.ref(value)
    del key, value
    collect()
    # Reference counting alone cannot free it: the value holds the key.
    assert key_ref() is not None and len(d) == 1
    Wk.gc.collect()
    assert key_ref() is None and value_ref() is None
    assert len(d) == 0


def test_ephemeron_value_holding_its_key_through_a_chain():
    d = Wk.WeakKeyDictionary()
    key, value = Node(), Node()
    middle, last = Node(), Node()
    value.hold(middle)
    middle.hold(last)
    last.hold(key)
    d[key] = value
    refs = [Wk.ref(x) for x in (key, value, middle, last)]
    del key, value, middle, last
    collect()
    assert all(r() is not None for r in refs)
    Wk.gc.collect()
    assert all(r() is None for r in refs)
    assert len(d) == 0


def test_ephemeron_value_keeps_nothing_it_does_not_hold():
    # A live key keeps its value; a value held elsewhere stays.
    d = Wk.WeakKeyDictionary()
    key, value = Node(), Node()
    value.hold(key)
    d[key] = value
    value_ref = Wk.ref(value)
    del value
    Wk.gc.collect()
    assert value_ref() is not None and d[key] is value_ref()
    # The value read back is the same GObject (a GObject value, not a
    # Python object in a GValue).
    assert isinstance(d[key], Node)


def test_key_dict_values_keep_their_python_identity():
    d = Wk.WeakKeyDictionary()
    k = GObject.Object()
    for value in (Item('x'), [1, 2], None, 'text', 3, GObject.Object()):
        d[k] = value
        assert d[k] is value


# The native module's key conversion is the Python one's.

KEY_SAMPLES = [
    '', 'plain', 'caf\u00e9', 'a\0b', '\udcff lone', 0, 1, -1, True, False,
    2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 200, 1.0, -0.0, 0.5,
    float('inf'), float('-inf'), float('nan'), b'', b'\0bytes', None, (),
    (1, 'a', (None, b'x')), ((),), (2 ** 70, 'a\0'),
    GLib.Variant('i', 7), GLib.Variant('as', ['x']),
    # Tuples, which the native module serializes itself: fixed and
    # variable items, nesting, padding, and framing offsets of 1, 2 and 4
    # bytes.
    (1,), ('a',), (1.5, 2), (1, 2.5, 3), ('a', 1), (1, 'a'), ('a', 'b', 'c'),
    ((1, 2), 'x', (3,)), ((), (), 1), (None, 1, None, 'z'), (b'', 1, b'ab'),
    ((1, ('a', (2.5, None))), b'\x00\xff', True), ('x' * 300, 1, 'y' * 10),
    ('x' * 70000, 'y'), (2 ** 64, 'a', -2 ** 70), ('a\0b', 1, '\udc80'),
    (1.0, -0.0, 2.0 ** 70), (('a',), ('b', 'c'), ()),
    (GLib.Variant('i', 1), 'a'),
]


def test_native_key_conversion_matches_the_python_one():
    from gi.overrides import _wk_common, _wk_keycodec
    native = _wk_common.native
    if native is None:
        pytest.skip('the native module was not built (or WK_PYTHON_NATIVE=0)')
    for key in KEY_SAMPLES:
        python = _wk_keycodec.variant_key(key)
        ours = native.encode_key(key)
        assert ours.get_type_string() == python.get_type_string(), key
        assert ours.equal(python), key
        # Byte for byte GLib's normal form (the table compares bytes).
        assert (ours.get_data_as_bytes().get_data() ==
                python.get_data_as_bytes().get_data()), key
        back_python = _wk_keycodec.python_key(python)
        back_ours = native.decode_key(ours)
        if isinstance(back_python, GLib.Variant):
            assert isinstance(back_ours, GLib.Variant) and back_ours.equal(back_python)
        else:
            assert type(back_ours) is type(back_python), key
            assert back_ours == back_python or (back_ours != back_ours and
                                                back_python != back_python), key
    for bad in ([1], {}, object(), (1, [2])):
        with pytest.raises(TypeError):
            native.encode_key(bad)
        with pytest.raises(TypeError):
            _wk_keycodec.variant_key(bad)


def random_key(rng, depth=0):
    kind = rng.randrange(8 if depth < 3 else 6)
    if kind == 0:
        return rng.choice(['', 'a', 'caf\u00e9', 'x' * rng.randrange(300), 'a\0b'])
    if kind == 1:
        return rng.choice([0, 1, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 63, True,
                           rng.randrange(-2 ** 40, 2 ** 40)])
    if kind == 2:
        return rng.choice([0.5, -0.0, 3.0, float('inf'), float('nan'), 1e300, -2.25])
    if kind == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(12)))
    if kind == 4:
        return None
    if kind == 5:
        return 'k%d' % rng.randrange(1000)
    return tuple(random_key(rng, depth + 1) for _ in range(rng.randrange(6)))


def test_native_fast_key_bytes_are_glibs():
    # The native module writes the bytes of common keys itself, for the
    # lookups: they must be exactly GLib's normal form of the GVariant the
    # key converts to, type string included, or the table would not find
    # what another path stored.
    import random
    from gi.overrides import _wk_common
    native = _wk_common.native
    if native is None:
        pytest.skip('the native module was not built (or WK_PYTHON_NATIVE=0)')
    rng = random.Random(1234)
    samples = KEY_SAMPLES + [random_key(rng) for _ in range(3000)]
    taken = 0
    for key in samples:
        fast = native._fast_key_bytes(key)
        if fast is None:
            continue
        taken += 1
        variant = native.encode_key(key)
        normal = variant.get_normal_form()
        assert fast[0] == normal.get_type_string(), key
        assert fast[1] == normal.get_data_as_bytes().get_data(), key
    assert taken > 2000
    # The common tuples are taken.
    for key in [(1, 'a'), ('a', 1), (None, b'x', 2.5), ((), ('a', (1,)))]:
        assert native._fast_key_bytes(key) is not None, key


def test_weak_valued_deep_and_long_tuple_keys():
    # Nested deeper than GLib takes type strings for (128), and long:
    # stored, found and read back; deeper than Python's recursion limit: a
    # RecursionError, as the pure-Python conversion gives, not a crash.
    o = GObject.Object()
    for depth in (128, 129, 300):
        k = 'leaf'
        for _ in range(depth):
            k = (k,)
        d = Wk.WeakValueDictionary()
        d[k] = o
        assert k in d and d[k] is o
        assert list(d) == [k] and list(d.items()) == [(k, o)]
        assert d.popitem() == (k, o)
    k = 'leaf'
    for _ in range(100000):
        k = (k,)
    d = Wk.WeakValueDictionary()
    with pytest.raises(RecursionError):
        d[k] = o
    assert len(d) == 0
    long_key = tuple(range(200000))
    d[long_key] = o
    assert d[long_key] is o and list(d) == [long_key]


def test_tuple_keys_meet_keys_made_by_glib():
    # Keys the native module serializes itself find the entries of keys
    # GLib built (and the other way round), through the shared table.
    objects = make_objects(4)
    d = Wk.WeakValueDictionary()
    keys = [(1, 'a'), ('x' * 300, 2, (None, b'z')), ((), 1.5), (2 ** 70, 'big')]
    for k, o in zip(keys, objects):
        d[k] = o
    from gi.overrides import _wk_keycodec
    for k, o in zip(keys, objects):
        assert d.table.lookup(_wk_keycodec.variant_key(k)) is o
        assert d[k] is o
    other = Wk.WeakValueDictionary()
    for k, o in zip(keys, objects):
        other.table.insert(_wk_keycodec.variant_key(k), o)
    assert [other[k] for k in keys] == objects
    assert sorted(map(repr, other)) == sorted(map(repr, keys))


def test_popitem_takes_the_newest_entry_as_the_stdlib():
    obs = [GObject.Object() for _ in range(3)]
    for wk_cls, std_cls in ((Wk.WeakValueDictionary, weakref.WeakValueDictionary),):
        d, s = wk_cls(), std_cls()
        for i, ob in enumerate(obs):
            d[i] = ob
            s[i] = ob
        assert d.popitem() == s.popitem() == (2, obs[2])
        assert d.popitem() == s.popitem() == (1, obs[1])
    d, s = Wk.WeakKeyDictionary(), weakref.WeakKeyDictionary()
    for i, ob in enumerate(obs):
        d[ob] = i
        s[ob] = i
    assert d.popitem() == s.popitem() == (obs[2], 2)
    assert list(d.keys()) == list(s.keys()) == obs[:2]


def test_weak_set_remove_missing_raises_key_error_with_a_ref():
    ob = GObject.Object()
    with pytest.raises(KeyError) as wk_info:
        Wk.WeakSet().remove(ob)
    with pytest.raises(KeyError) as std_info:
        weakref.WeakSet().remove(ob)
    assert type(std_info.value.args[0]) is weakref.ref
    assert wk_info.value.args[0] == Wk.ref(ob)
    assert wk_info.value.args[0]() is ob
