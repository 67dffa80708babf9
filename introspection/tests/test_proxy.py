# test_proxy.py: Wk.proxy, ProxyType and CallableProxyType from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import operator
import re
import sys
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GLib, GObject, Wk  # noqa: E402

import pytest  # noqa: E402


DEAD = 'weakly-referenced object no longer exists'



class Thing(Wk.Object):
    """A Python GObject with properties of several kinds and Python state."""

    value = GObject.Property(type=int, default=0, minimum=0, maximum=10)
    kind = GObject.Property(type=Gio.FileType, default=Gio.FileType.UNKNOWN)
    fixed = GObject.Property(type=str, default='fixed',
                             flags=GObject.ParamFlags.READABLE)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.note = 'python attribute'

    def twice(self, x):
        return 2 * x


class Number(GObject.Object):
    """A GObject with arithmetic on an int: the operations return ints,
    the in-place ones change the object and return it."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def __index__(self):
        return self.n

    def __int__(self):
        return self.n

    def __float__(self):
        return float(self.n)

    def __neg__(self):
        return -self.n

    def __pos__(self):
        return +self.n

    def __abs__(self):
        return abs(self.n)

    def __invert__(self):
        return ~self.n

    def __pow__(self, other, modulo=None):
        return pow(self.n, other, modulo)

    def __rpow__(self, other):
        return pow(other, self.n)

    def __iadd__(self, other):
        self.n += other
        return self

    def __eq__(self, other):
        return isinstance(other, Number) and self.n == other.n or self.n == other

    def __lt__(self, other):
        return self.n < (other.n if isinstance(other, Number) else other)

    def __gt__(self, other):
        return self.n > (other.n if isinstance(other, Number) else other)

    def __le__(self, other):
        return not self > other

    def __ge__(self, other):
        return not self < other

    __hash__ = GObject.Object.__hash__


# Alive for the whole run: the live side of an operation with a dead proxy.
ONE = Number(1)

BINARY = ['add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'lshift',
          'rshift', 'and', 'or', 'xor']


def _binary(op):
    def method(self, other):
        return op(self.n, other.n if isinstance(other, Number) else other)
    return method


def _reflected(op):
    def method(self, other):
        return op(other, self.n)
    return method


for _name in BINARY:
    _op = getattr(operator, _name + '_' if _name in ('and', 'or') else _name)
    setattr(Number, '__%s__' % _name, _binary(_op))
    setattr(Number, '__r%s__' % _name, _reflected(_op))
Number.__divmod__ = _binary(divmod)
Number.__rdivmod__ = _reflected(divmod)
Number.__matmul__ = _binary(lambda a, b: ('matmul', a, b))
Number.__rmatmul__ = _reflected(lambda a, b: ('matmul', a, b))


class Doubler(GObject.Object):
    def __call__(self, x, *, plus=0):
        return 2 * x + plus


class Countdown(GObject.Object):
    """A GObject that is its own iterator."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return self.n


class catch_unraisable:
    """Installed inside the test body: pytest puts its own hook in place
    around each test call."""

    def __enter__(self):
        self.caught = []
        self.previous = sys.unraisablehook
        sys.unraisablehook = self.caught.append
        return self.caught

    def __exit__(self, *exc):
        sys.unraisablehook = self.previous


def collect():
    gc.collect()


# Creation and types

def test_proxy_types():
    assert Wk.ProxyTypes == (Wk.ProxyType, Wk.CallableProxyType)
    p = Wk.proxy(GObject.Object())
    assert type(p) is Wk.ProxyType
    assert type(Wk.proxy(Doubler())) is Wk.CallableProxyType
    assert isinstance(p, Wk.ProxyTypes)
    assert not isinstance(p, Wk.CallableProxyType)
    assert not issubclass(Wk.CallableProxyType, Wk.ProxyType)
    # The proxy's own class, not the referent's (see the docstring).
    assert p.__class__ is Wk.ProxyType


def test_bad_referent_raises_type_error():
    for bad in (5, 'text', None, object(), print):
        with pytest.raises(TypeError, match="cannot create weak reference to '%s' object"
                           % type(bad).__name__):
            Wk.proxy(bad)


def test_types_cannot_be_instantiated():
    with pytest.raises(TypeError):
        Wk.ProxyType(GObject.Object())
    with pytest.raises(TypeError):
        Wk.CallableProxyType(Doubler())


def test_proxies_are_not_shared_and_are_counted():
    o = GObject.Object()
    p1 = Wk.proxy(o)
    p2 = Wk.proxy(o)
    assert p1 is not p2
    r = Wk.ref(o)
    assert Wk.getweakrefcount(o) == 3
    refs = Wk.getweakrefs(o)
    # Newest first; proxies come back as the Python proxies themselves.
    assert len(refs) == 3
    assert refs[0] is r
    assert refs[1] is p2
    assert refs[2] is p1
    del p1, refs
    collect()
    assert Wk.getweakrefcount(o) == 2
    refs = Wk.getweakrefs(o)
    assert len(refs) == 2 and refs[0] is r and refs[1] is p2


def test_getweakrefs_wraps_a_proxy_made_in_c():
    o = GObject.Object()
    c_proxy = Wk.Proxy.new(o, None)     # as C would make it
    refs = Wk.getweakrefs(o)
    assert len(refs) == 1
    assert type(refs[0]) is Wk.ProxyType
    assert refs[0] == o
    # The same Python proxy while it lives.
    assert Wk.getweakrefs(o)[0] is refs[0]
    del c_proxy


def test_no_cycle_keeps_a_proxy_with_callback():
    # The callback must not hold the Python proxy (a cycle through C).
    o = GObject.Object()
    p = Wk.proxy(o, lambda proxy: None)
    watch = weakref.ref(p)
    del p
    assert watch() is None
    collect()
    assert Wk.getweakrefcount(o) == 0


# Forwarding to a live referent

def test_attributes_and_methods():
    t = Thing()
    p = Wk.proxy(t)
    assert p.note == 'python attribute'
    assert p.twice(21) == 42
    assert p.props.value == 0
    p.props.value = 3
    assert t.props.value == 3
    p.extra = 'set through the proxy'
    assert t.extra == 'set through the proxy'
    del p.extra
    assert not hasattr(t, 'extra')
    with pytest.raises(AttributeError):
        p.missing
    with pytest.raises(AttributeError):
        del p.missing
    assert 'twice' in dir(p)


def test_introspected_methods():
    action = Gio.SimpleAction.new('act', None)
    p = Wk.proxy(action)
    assert p.get_name() == 'act'
    p.set_enabled(False)
    assert not action.get_enabled()


def test_get_property_goes_through_c():
    t = Thing(value=4)
    p = Wk.proxy(t)
    assert p.get_property('value') == 4
    assert p.get_property('fixed') == 'fixed'
    assert p.get_property('kind') == Gio.FileType.UNKNOWN
    # An unknown property: TypeError, as GObject.Object.get_property.
    with pytest.raises(TypeError, match="no property named 'nope'") as info:
        p.get_property('nope')
    assert isinstance(info.value.__cause__, GLib.Error)
    assert info.value.__cause__.code == Wk.RefError.UNKNOWN_PROPERTY


def test_set_property_goes_through_c():
    t = Thing()
    p = Wk.proxy(t)
    p.set_property('value', 7)
    assert t.props.value == 7
    # Converted to the property's type: PyGObject alone would make an
    # int a gint64 GValue, which does not transform into an enum.
    p.set_property('kind', Gio.FileType.DIRECTORY)
    assert t.props.kind == Gio.FileType.DIRECTORY
    p.set_property('value', GObject.Value(GObject.TYPE_INT, 2))
    assert t.props.value == 2

    # What GObject would only warn about is an error here.
    with pytest.raises(GLib.Error) as info:
        p.set_property('value', 11)     # out of range
    assert info.value.matches(Wk.ref_error_quark(), Wk.RefError.INVALID_VALUE)
    assert t.props.value == 2
    with pytest.raises(GLib.Error) as info:
        p.set_property('fixed', 'changed')
    assert info.value.matches(Wk.ref_error_quark(), Wk.RefError.PROPERTY_ACCESS)
    with pytest.raises(GLib.Error) as info:
        p.set_property('value', GObject.Value(GObject.TYPE_STRING, 'x'))
    assert info.value.matches(Wk.ref_error_quark(), Wk.RefError.INVALID_VALUE)
    with pytest.raises(TypeError, match="no property named 'nope'"):
        p.set_property('nope', 1)


def test_property_methods_of_the_referent_win():
    # A referent whose class has get_property/set_property of its own
    # gets its own methods called, not the C proxy's.
    class Own(GObject.Object):
        def get_property(self, name):
            return ('own', name)

        def set_property(self, name, value):
            self.last_set = (name, value)

    o = Own()
    p = Wk.proxy(o)
    assert p.get_property('anything') == ('own', 'anything')
    p.set_property('x', 1)
    assert o.last_set == ('x', 1)


def test_str_repr_bool():
    t = Thing()
    p = Wk.proxy(t)
    assert str(p) == str(t)
    assert re.fullmatch(r"<weakproxy at 0x[0-9a-f]+; to 'Thing' at 0x[0-9a-f]+>",
                        repr(p))
    assert ('at %#x>' % GObject.Object.__hash__(t)) in repr(p)
    action = Gio.SimpleAction.new('a', None)
    assert "; to 'Gio.SimpleAction' at" in repr(Wk.proxy(action))
    assert bool(p) is True
    store = Gio.ListStore()
    assert bool(Wk.proxy(store)) is False     # len 0


def test_hash_raises_type_error():
    o = GObject.Object()
    p = Wk.proxy(o)
    with pytest.raises(TypeError, match='unhashable'):
        hash(p)
    with pytest.raises(TypeError, match='unhashable'):
        {p}


def test_container_protocol():
    store = Gio.ListStore()
    items = [GObject.Object() for _ in range(3)]
    for item in items:
        store.append(item)
    p = Wk.proxy(store)
    assert len(p) == 3
    assert list(p) == items
    assert list(reversed(p)) == items[::-1]
    assert items[1] in p
    assert GObject.Object() not in p
    assert p[0] == items[0]
    new = GObject.Object()
    p[1] = new
    assert store[1] == new
    del p[0]
    assert len(store) == 2
    with pytest.raises(IndexError):
        p[10]


def test_iterator_protocol():
    c = Countdown(3)
    p = Wk.proxy(c)
    assert next(p) == 2
    assert list(iter(p)) == [1, 0]
    o = GObject.Object()
    with pytest.raises(TypeError, match='non-iterator'):
        next(Wk.proxy(o))


def test_comparisons_unwrap_both_sides():
    o = GObject.Object()
    p = Wk.proxy(o)
    assert p == o
    assert o == p       # reflected: the proxy compares its referent
    assert not (p != o)
    assert not (o != p)
    assert p == Wk.proxy(o)
    assert p != GObject.Object()

    a, b = Number(1), Number(2)
    pa, pb = Wk.proxy(a), Wk.proxy(b)
    assert pa < pb and pa <= pb and pb > pa and pb >= pa
    assert pa < 2 and 0 < pa
    assert not (pb < pa)
    assert pa == 1 and 1 == pa


@pytest.mark.parametrize('name', BINARY)
def test_binary_arithmetic(name):
    op = getattr(operator, name + '_' if name in ('and', 'or') else name)
    n = Number(12)
    p = Wk.proxy(n)
    assert op(p, 5) == op(12, 5)
    assert op(29, p) == op(29, 12)          # reflected
    five = Number(5)
    assert op(p, Wk.proxy(five)) == op(12, 5)


def test_other_arithmetic():
    n = Number(7)
    p = Wk.proxy(n)
    assert divmod(p, 2) == (3, 1)
    assert divmod(30, p) == (4, 2)
    assert p ** 2 == 49
    assert pow(p, 2, 5) == 4
    assert 2 ** p == 128
    assert p @ 3 == ('matmul', 7, 3)
    assert 3 @ p == ('matmul', 3, 7)
    negative = Number(-3)
    assert -p == -7 and +p == 7 and abs(Wk.proxy(negative)) == 3
    assert ~p == ~7
    assert int(p) == 7 and float(p) == 7.0
    assert operator.index(p) == 7
    assert [0, 1, 2, 3, 4, 5, 6, 7, 8][p] == 7   # __index__
    assert hex(p) == '0x7'


def test_in_place_operations_bind_to_the_result():
    n = Number(1)
    p = Wk.proxy(n)
    q = p
    q += 2
    # As in CPython: the result of n += 2, which is n itself here.
    assert q is n
    assert n.n == 3
    other = Number(1)
    m = Wk.proxy(other)
    with pytest.raises(TypeError):
        m -= GObject.Object()


def test_unsupported_operations_raise_type_error():
    o = GObject.Object()
    p = Wk.proxy(o)
    with pytest.raises(TypeError):
        p + 1
    with pytest.raises(TypeError):
        len(p)
    with pytest.raises(TypeError):
        iter(p)
    with pytest.raises(TypeError):
        p[0]
    with pytest.raises(TypeError):
        p < 1
    with pytest.raises(TypeError):
        int(p)


def test_callable_proxy():
    d = Doubler()
    p = Wk.proxy(d)
    assert p(4) == 8
    assert p(4, plus=1) == 9
    o = GObject.Object()
    with pytest.raises(TypeError, match='not callable'):
        Wk.proxy(o)()


# The callback

def test_callback_gets_the_python_proxy_once():
    o = GObject.Object()
    got = []
    p = Wk.proxy(o, got.append)
    del o
    collect()
    assert len(got) == 1
    assert got[0] is p


def test_callbacks_run_newest_first_with_refs():
    o = GObject.Object()
    order = []
    r1 = Wk.ref(o, lambda ref: order.append('ref 1'))
    p = Wk.proxy(o, lambda proxy: order.append('proxy'))
    r2 = Wk.ref(o, lambda ref: order.append('ref 2'))
    del o
    collect()
    assert order == ['ref 2', 'proxy', 'ref 1']
    del r1, r2, p


def test_callback_sees_the_proxy_dead():
    o = GObject.Object()
    seen = []

    def callback(proxy):
        with pytest.raises(ReferenceError):
            proxy.props
        seen.append(repr(proxy))

    p = Wk.proxy(o, callback)
    del o
    collect()
    assert len(seen) == 1 and seen[0].endswith('; dead>')
    del p


def test_callback_not_called_when_proxy_dies_first():
    o = GObject.Object()
    got = []
    p = Wk.proxy(o, got.append)
    del p
    collect()
    del o
    collect()
    assert got == []


def test_callback_exception_goes_to_unraisablehook():
    o = GObject.Object()

    def callback(proxy):
        raise ValueError('from the callback')

    p = Wk.proxy(o, callback)
    with catch_unraisable() as unraisable:
        del o
        collect()
    assert len(unraisable) == 1
    assert unraisable[0].exc_type is ValueError
    assert unraisable[0].object is callback
    del p


def test_proxy_follows_the_gobject_not_the_wrapper():
    store = Gio.ListStore()
    t = Thing()
    store.append(t)
    p = Wk.proxy(t)
    # A plain weakref to the wrapper would die now; the proxy does not.
    del t
    collect()
    assert p.twice(2) == 4
    assert p == store[0]
    store.remove_all()
    collect()
    with pytest.raises(ReferenceError):
        p.twice


# Dead proxies

def _accesses():
    def set_attr(p):
        p.note = 1

    def del_attr(p):
        del p.note

    def set_item(p):
        p[0] = 1

    def del_item(p):
        del p[0]

    def in_place(p):
        p += 1

    return {
        'getattr': lambda p: p.note,
        'method': lambda p: p.twice(1),
        'props': lambda p: p.props,
        'setattr': set_attr,
        'delattr': del_attr,
        'get_property': lambda p: p.get_property('value'),
        'set_property': lambda p: p.set_property('value', 1),
        'str': str,
        'bool': bool,
        'len': len,
        'iter': iter,
        'next': next,
        'reversed': reversed,
        'contains': lambda p: 1 in p,
        'getitem': lambda p: p[0],
        'setitem': set_item,
        'delitem': del_item,
        'eq': lambda p: p == 1,
        'ne': lambda p: p != 1,
        'lt': lambda p: p < 1,
        'reflected eq': lambda p: GObject.Object() == p,
        'add': lambda p: p + 1,
        'radd': lambda p: 1 + p,
        'iadd': in_place,
        'pow': lambda p: p ** 2,
        'neg': operator.neg,
        'invert': operator.invert,
        'int': int,
        'float': float,
        'index': operator.index,
        'dir': dir,
        'call': lambda p: p(),
        'other side': lambda p: Wk.proxy(ONE) + p,
    }


@pytest.mark.parametrize('access', sorted(_accesses()))
@pytest.mark.parametrize('make', [Thing, Doubler])
def test_dead_proxy_raises_reference_error(make, access):
    o = make()
    p = Wk.proxy(o)
    del o
    collect()
    if access == 'call' and not callable(make()):
        # Not a CallableProxyType: not callable, dead or alive.
        with pytest.raises(TypeError, match='not callable'):
            p()
        return
    with pytest.raises(ReferenceError, match=DEAD):
        _accesses()[access](p)


def test_dead_proxy_repr_and_hash():
    o = GObject.Object()
    p = Wk.proxy(o)
    del o
    collect()
    assert re.fullmatch(r'<weakproxy at 0x[0-9a-f]+; dead>', repr(p))
    assert ('%#x' % id(p)) in repr(p)
    with pytest.raises(TypeError):
        hash(p)
    # The type still answers.
    assert isinstance(p, Wk.ProxyType)


def test_disposed_referent_is_dead():
    # A wrapper that outlives the object's dispose does not keep the
    # proxy alive (the shortcut checks is_alive()).
    o = GObject.Object()
    p = Wk.proxy(o)
    o.run_dispose()
    with pytest.raises(ReferenceError):
        p.props
