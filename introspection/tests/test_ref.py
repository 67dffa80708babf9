# test_ref.py: Wk.ref and friends from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import copy
import gc
import pickle
import re
import sys
import threading
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402

import pytest  # noqa: E402


class Thing(Wk.Object):
    """A Python subclass of Wk.Object with Python state."""

    value = GObject.Property(type=int, default=0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.note = 'python attribute'


def collect():
    gc.collect()


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


@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Thing])
def test_ref_follows_referent(make):
    o = make()
    r = Wk.ref(o)
    assert r() is o
    assert r.is_alive()
    del o
    collect()
    assert r() is None
    assert not r.is_alive()


def test_ref_is_shared_without_callback():
    o = GObject.Object()
    r = Wk.ref(o)
    assert Wk.ref(o) is r
    r2 = Wk.ref(o, lambda ref: None)
    assert r2 is not r
    assert Wk.ref(o, lambda ref: None) is not r2
    assert Wk.getweakrefcount(o) == 2


def test_types():
    assert Wk.ReferenceType is Wk.ref
    o = GObject.Object()
    assert isinstance(Wk.ref(o), Wk.ReferenceType)
    assert type(Wk.ref(o)) is Wk.ref
    # A Wk.Ref made by GI (as C would) is a Python ref too.
    c_ref = Wk.Ref.new(o, None)
    assert c_ref() is o and isinstance(c_ref, Wk.Ref)


def test_callback_gets_the_ref_once():
    o = GObject.Object()
    got = []
    r = Wk.ref(o, got.append)
    assert r.__callback__ == got.append
    del o
    collect()
    assert len(got) == 1
    assert got[0] is r
    # Like CPython, the callback is forgotten once the referent died.
    assert r.__callback__ is None


def test_callbacks_run_newest_first_after_all_refs_read_none():
    o = GObject.Object()
    order = []
    refs = []

    def make(name):
        def callback(ref):
            assert all(x() is None for x in refs)
            order.append(name)
        return callback

    refs.append(Wk.ref(o, make('first')))
    refs.append(Wk.ref(o, make('second')))
    refs.append(Wk.ref(o, make('third')))
    del o
    collect()
    assert order == ['third', 'second', 'first']


def test_callback_not_called_when_ref_dies_first():
    o = GObject.Object()
    got = []
    r = Wk.ref(o, got.append)
    del r
    collect()
    del o
    collect()
    assert got == []


def test_callback_exception_goes_to_unraisablehook():
    o = GObject.Object()

    def callback(ref):
        raise ValueError('from the callback')

    r = Wk.ref(o, callback)
    with catch_unraisable() as unraisable:
        del o   # must not raise here
        collect()
    assert r() is None
    assert len(unraisable) == 1
    assert unraisable[0].exc_type is ValueError
    assert unraisable[0].object is callback


def test_bad_referent_raises_type_error():
    for bad in (1, 'text', None, object(), [1]):
        with pytest.raises(TypeError, match="cannot create weak reference to '%s' object"
                           % type(bad).__name__):
            Wk.ref(bad)


def test_hash_and_equality():
    o = GObject.Object()
    other = GObject.Object()
    r1 = Wk.ref(o)
    r2 = Wk.ref(o, lambda ref: None)
    r3 = Wk.ref(other)
    assert hash(r1) == hash(o)
    assert r1 == r2
    assert hash(r1) == hash(r2)
    assert r1 != r3
    assert r1 != 'not a ref'
    h = hash(r1)
    table = {r1: 'value'}
    del o
    collect()
    # The hash survives the referent; dead refs equal only themselves.
    assert hash(r1) == h
    assert r1 == r1
    assert r1 != r2
    assert table[r1] == 'value'
    # First hashed when already dead: no TypeError (CPython raises).
    assert isinstance(hash(r2), int)


def test_repr():
    o = GObject.Object()
    r = Wk.ref(o)
    assert re.fullmatch(r"<Wk\.ref at 0x[0-9a-f]+; to 'GObject\.Object' at 0x[0-9a-f]+>",
                        repr(r))
    t = Thing()
    assert "to 'Thing' at" in repr(Wk.ref(t))
    store = Gio.ListStore.new(GObject.Object)
    assert "to 'Gio.ListStore' at" in repr(Wk.ref(store))
    del o
    collect()
    assert re.fullmatch(r'<Wk\.ref at 0x[0-9a-f]+; dead>', repr(r))


def test_subclass_with_annotations():
    # The weakref documentation's ExtendedRef, on Wk.ref.
    class ExtendedRef(Wk.ref):
        def __init__(self, ob, callback=None, /, **annotations):
            super().__init__(ob, callback)
            self.__counter = 0
            for k, v in annotations.items():
                setattr(self, k, v)

        def __call__(self):
            ob = super().__call__()
            if ob is not None:
                self.__counter += 1
                ob = (ob, self.__counter)
            return ob

    o = GObject.Object()
    got = []
    r = ExtendedRef(o, got.append, colour='blue')
    assert isinstance(r, Wk.ref)
    assert r.colour == 'blue'
    assert r() == (o, 1)
    assert r() == (o, 2)
    assert Wk.ref(o) is not r      # subclass instances are never shared
    assert r in Wk.getweakrefs(o)
    del o
    collect()
    assert got == [r]
    assert r() is None


def test_getweakrefcount_and_getweakrefs():
    o = GObject.Object()
    assert Wk.getweakrefcount(o) == 0
    assert Wk.getweakrefs(o) == []
    a = Wk.ref(o, lambda ref: None)
    b = Wk.ref(o)
    refs = Wk.getweakrefs(o)
    assert len(refs) == 2 and Wk.getweakrefcount(o) == 2
    # The very objects, newest first.
    assert refs[0] is b and refs[1] is a
    del refs
    del a
    collect()
    assert Wk.getweakrefcount(o) == 1
    # Anything else: like weakref, 0 and [].
    assert Wk.getweakrefcount(42) == 0
    assert Wk.getweakrefs('x') == []


def test_getrefcount_across_c():
    o = GObject.Object()
    assert Wk.getrefcount(o) == 0
    store = Gio.ListStore.new(GObject.Object)
    store.append(o)
    assert Wk.getrefcount(o) == 1
    store.remove_all()
    assert Wk.getrefcount(o) == 0
    with pytest.raises(TypeError):
        Wk.getrefcount(3)


@pytest.mark.parametrize('make', [GObject.Object, Thing])
def test_ref_survives_losing_every_wrapper_while_c_holds_it(make):
    # The case stdlib weakref gets wrong: the GObject lives in a
    # Gio.ListStore, but its wrapper is gone.
    o = make()
    store = Gio.ListStore.new(GObject.Object)
    store.append(o)
    r = Wk.ref(o)
    stdlib = weakref.ref(o)
    address = hash(o)
    del o
    collect()
    if make is GObject.Object:
        assert stdlib() is None    # the wrapper died with its last name...
    back = r()
    assert back is not None        # ...but the GObject is alive in C
    assert hash(back) == address
    assert store.get_item(0) is back
    del back
    collect()
    store.remove_all()
    collect()
    assert r() is None


def test_wk_object_subclass_keeps_python_state_through_c():
    t = Thing(value=7)
    store = Gio.ListStore.new(GObject.Object)
    store.append(t)
    r = Wk.ref(t)
    del t
    collect()
    back = r()
    assert back.note == 'python attribute'
    assert back.props.value == 7
    del back
    store.remove_all()
    collect()
    assert r() is None


def test_callback_from_death_in_c():
    o = GObject.Object()
    store = Gio.ListStore.new(GObject.Object)
    store.append(o)
    got = []
    r = Wk.ref(o, got.append)
    del o
    collect()
    assert got == []
    store.remove_all()       # the last reference goes in C
    assert got == [r]


def test_deref_from_threads():
    objects = [Wk.Object() for _ in range(8)]
    refs = [Wk.ref(o) for o in objects]
    errors = []

    def reader():
        try:
            for _ in range(2000):
                for r in refs:
                    ob = r()
                    if ob is not None and not isinstance(ob, Wk.Object):
                        errors.append(ob)
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    del objects[::2]
    collect()
    for t in threads:
        t.join()
    assert errors == []
    assert [r() is None for r in refs] == [True, False] * 4


# Behaving like weakref (or saying why not)

def test_refs_are_not_ordered():
    o, other = GObject.Object(), GObject.Object()
    r1, r2 = Wk.ref(o), Wk.ref(other)
    for compare in (lambda: r1 < r2, lambda: r1 <= r2, lambda: r1 > r2,
                    lambda: r1 >= r2, lambda: r1 < r1):
        with pytest.raises(TypeError):
            compare()
    # A ref made by GI (a Wk.Ref GObject) neither.
    c_ref = Wk.Ref.new(o, None)
    with pytest.raises(TypeError):
        c_ref < Wk.Ref.new(other, None)


@pytest.mark.parametrize('make', [lambda o: Wk.ref(o), lambda o: Wk.ref(o, print),
                                  lambda o: Wk.KeyedRef(o, None, 'key'),
                                  lambda o: Wk.Ref.new(o, None)])
def test_copy_and_deepcopy_return_the_ref(make):
    o = GObject.Object()
    r = make(o)
    assert copy.copy(r) is r
    assert copy.deepcopy(r) is r
    assert copy.deepcopy([r, r]) == [r, r]
    del o
    collect()
    assert copy.deepcopy(r) is r


def test_pickling_is_refused_with_the_python_name():
    o = GObject.Object()
    # Wk.ref is Wk.Ref without the native module.
    for obj, name in [(Wk.ref(o), 'Wk.' + Wk.ref.__name__),
                      (Wk.KeyedRef(o, None, 1), 'Wk.KeyedRef'),
                      (Wk.finalize(o, print), 'Wk.finalize'),
                      (Wk.WeakValueDictionary(), 'Wk.WeakValueDictionary'),
                      (Wk.WeakKeyDictionary(), 'Wk.WeakKeyDictionary'),
                      (Wk.WeakSet(), 'Wk.WeakSet')]:
        with pytest.raises(TypeError, match="cannot pickle '%s' object" % re.escape(name)):
            pickle.dumps(obj)


def test_callbacks_of_refs_proxies_and_finalizers_share_one_order():
    # Newest first, whatever made them: Python refs, proxies, finalizers,
    # and a ref made through GI (as C would).
    o = GObject.Object()
    order = []
    keep = [Wk.ref(o, lambda r: order.append('ref 1')),
            Wk.proxy(o, lambda p: order.append('proxy 2'))]
    Wk.finalize(o, order.append, 'finalize 3')
    keep.append(Wk.Ref.new(o, lambda *a: order.append('GI ref 4')))
    keep.append(Wk.ref(o, lambda r: order.append('ref 5')))
    Wk.finalize(o, order.append, 'finalize 6')
    del o
    collect()
    assert order == ['finalize 6', 'ref 5', 'GI ref 4', 'finalize 3', 'proxy 2', 'ref 1']


def test_getweakrefs_lists_refs_made_in_python_then_in_c():
    o = GObject.Object()
    a = Wk.ref(o, lambda r: None)
    c = Wk.Ref.new(o, lambda *args: None)     # as C would make it
    b = Wk.ref(o)
    assert Wk.getweakrefcount(o) == 3
    from gi.overrides import _wk_common
    if _wk_common.native is not None:
        expected = [b, a, c]    # Python's newest first, then C's
    else:
        expected = [b, c, a]    # all are C refs: newest first
    assert [x is y for x, y in zip(Wk.getweakrefs(o), expected)] == [True] * 3


def test_run_dispose_kills_refs_and_later_refs_live():
    # g_object_run_dispose() is a death for Wk, even though the object
    # lives on (its wrapper holds it): every ref reads None, and a ref
    # made afterwards follows the object again, as in C.
    o = Wk.Object()
    got = []
    r = Wk.ref(o)
    rc = Wk.ref(o, got.append)
    assert r.is_alive()
    o.run_dispose()
    assert got == [rc]
    assert r() is None and rc() is None
    assert not r.is_alive() and not rc.is_alive()
    later = Wk.ref(o)
    assert later is not r
    assert later() is o and later.is_alive()
    assert Wk.getweakrefs(o) == [later]


def test_is_alive_is_false_inside_a_finalizer():
    # A finalizer runs after every ref to its object reads dead, whatever
    # the order they were made in.
    o = GObject.Object()
    seen = []
    r = Wk.ref(o)
    Wk.finalize(o, lambda: seen.append((r(), r.is_alive())))
    del o
    collect()
    assert seen == [(None, False)]


def test_native_module_is_used_when_built():
    # The suite runs both ways (suites python and python-pure); this says
    # which one this is, and that Wk.ref is the fast one when built.
    from gi.overrides import _wk_common
    if _wk_common.native is None:
        assert Wk.ref is Wk.Ref
    else:
        assert Wk.ref is _wk_common.native.ref
        assert not isinstance(Wk.ref(GObject.Object()), GObject.Object)


def test_subclass_ref_holding_its_referent_dies_cleanly():
    # A ref subclass whose attribute is the only holder of its referent:
    # freeing the ref frees the referent while the ref is being freed;
    # the ref is not called back (as in CPython), and nothing breaks.
    class Holding(Wk.ref):
        pass

    got = []
    o = GObject.Object()
    r = Holding(o, got.append)
    r.held = o
    other = Wk.ref(o, got.append)
    del o
    assert r() is not None
    del r
    collect()
    assert got == [other]
    assert other() is None


def test_a_callback_dropping_an_older_ref_does_not_cancel_it():
    # CPython holds every ref it will call back before the first callback.
    def run(ref_type, make):
        order = []
        holder = {}
        ob = make()
        holder['old'] = ref_type(ob, lambda r: order.append('old'))

        def newest(r):
            order.append('new')
            del holder['old']
        holder['new'] = ref_type(ob, newest)
        del ob
        gc.collect()
        return order

    class Plain:
        pass
    assert run(weakref.ref, Plain) == ['new', 'old']
    assert run(Wk.ref, GObject.Object) == ['new', 'old']
