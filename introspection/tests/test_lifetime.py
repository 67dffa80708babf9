# test_lifetime.py: object lifetime across Python and C
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# WkTest.Holder (wk-tests/introspection) is C code that stores, drops and
# creates objects when told to, so that these tests choose where the last
# reference goes. Counts are checked at every step, as libpeas does:
# Wk.getrefcount() leaves out the wrapper's own reference,
# WkTest.Holder.ref_count() is the raw count (the wrapper's reference, or
# PyGObject's toggle reference, included).

import gc
import weakref

import gi
gi.require_version('Wk', '1.0')
gi.require_version('WkTest', '1.0')
from gi.repository import Gio, GObject, Wk, WkTest  # noqa: E402

import pytest  # noqa: E402

raw = WkTest.Holder.ref_count


class X(Wk.Object):
    """A Wk.Object subclass with Python state: an attribute and a property."""

    value = GObject.Property(type=int, default=0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.note = 'python attribute'


class Bare(Wk.Object):
    """A Wk.Object subclass that sets no attribute of its own."""


def collect():
    gc.collect()


class Watch:
    """Every Wk tool that can watch one object, and what each saw."""

    def __init__(self, obj):
        self.events = []
        self.ref = Wk.ref(obj, lambda ref: self.events.append('ref'))
        self.values = Wk.WeakValueDictionary()
        self.values['key'] = obj
        self.keys = Wk.WeakKeyDictionary()
        self.keys[obj] = 'value'
        self.members = Wk.WeakSet()
        self.members.add(obj)
        self.finalizer = Wk.finalize(obj, self.events.append, 'finalize')

    def alive(self):
        return self.ref() is not None

    def check_alive(self):
        assert self.events == []
        assert self.finalizer.alive
        assert 'key' in self.values
        assert len(self.keys) == 1 and len(self.members) == 1
        assert self.alive()

    def check_dead(self):
        assert sorted(self.events) == ['finalize', 'ref']
        assert not self.finalizer.alive
        assert 'key' not in self.values
        assert len(self.values) == 0
        assert len(self.keys) == 0 and len(self.members) == 0
        assert self.ref() is None


# --- reference counts, step by step ----------------------------------------

@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Bare, X])
def test_counts_through_the_holder(make):
    o = make()
    assert raw(o) == 1 and Wk.getrefcount(o) == 0
    holder = WkTest.Holder()
    holder.store(o)
    assert raw(o) == 2 and Wk.getrefcount(o) == 1
    assert holder.get_size() == 1
    # get (transfer none) and dup (transfer full) give back the same
    # wrapper; PyGObject drops the reference dup hands over, as the
    # wrapper already has one.
    assert holder.get(0) is o
    assert holder.dup(0) is o
    assert raw(o) == 2
    holder.store(o)
    assert raw(o) == 3 and Wk.getrefcount(o) == 2
    holder.drop(1)
    assert raw(o) == 2
    # steal: the holder's reference goes to Python, which already had one.
    assert holder.steal(0) is o
    assert holder.get_size() == 0
    assert raw(o) == 1 and Wk.getrefcount(o) == 0


def test_counts_when_c_holds_a_wrapperless_object():
    o = GObject.Object()
    holder = WkTest.Holder()
    holder.store(o)
    r = Wk.ref(o)
    del o
    collect()
    # Only the holder's reference is left; reading the count makes a
    # wrapper again, which takes one of its own for the call.
    assert raw(holder.get(0)) == 2
    assert Wk.getrefcount(holder.get(0)) == 1
    back = r()
    assert Wk.getrefcount(back) == 1
    del back
    collect()
    holder.drop(0)
    assert r() is None


# --- the last reference dropped in Python or in C --------------------------

@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Bare, X])
def test_death_in_python(make):
    o = make()
    watch = Watch(o)
    watch.check_alive()
    del o
    collect()
    watch.check_dead()


@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Bare, X])
def test_death_in_c(make):
    o = make()
    watch = Watch(o)
    holder = WkTest.Holder()
    holder.store(o)
    del o
    collect()
    watch.check_alive()
    assert raw(watch.ref()) == 2
    holder.drop(0)
    # Inside drop(), with no Python collection: the same events as above.
    watch.check_dead()


@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Bare, X])
def test_death_in_c_by_holder_disposal(make):
    o = make()
    watch = Watch(o)
    holder = WkTest.Holder()
    holder.store(o)
    holder.store(o)
    del o
    collect()
    watch.check_alive()
    del holder
    watch.check_dead()


def test_no_leak_when_c_never_saw_the_object():
    o = X(value=3)
    watch = Watch(o)
    stdlib = weakref.ref(o)
    assert raw(o) == 1
    del o
    collect()
    watch.check_dead()
    assert stdlib() is None


# --- Wk.ref against stdlib weakref when only C holds the object ------------

@pytest.mark.parametrize('where', ['holder', 'list store'])
@pytest.mark.parametrize('make', [GObject.Object, Bare, X])
def test_wk_ref_survives_losing_every_wrapper(make, where):
    o = make()
    if where == 'holder':
        keeper = WkTest.Holder()
        keeper.store(o)
        get = keeper.get
    else:
        keeper = Gio.ListStore.new(GObject.Object)
        keeper.append(o)
        get = keeper.get_item
    r = Wk.ref(o)
    stdlib = weakref.ref(o)
    address = hash(o)
    del o
    collect()
    back = r()
    assert back is not None and hash(back) == address
    assert get(0) is back
    if make is X:
        # PyGObject switched the wrapper to a toggle reference when it got
        # an instance dict, and keeps it alive while C holds the object:
        # the very same wrapper comes back.
        assert stdlib() is back
    else:
        # No Python state, no toggle reference: the wrapper died with its
        # last name and a new one was made. The stdlib ref saw a death
        # that did not happen; the Wk.ref did not.
        assert stdlib() is None
    assert type(back) is make
    del back
    collect()
    keeper.remove_all() if where == 'list store' else keeper.drop_all()
    assert r() is None


def test_python_state_survives_the_round_trip_through_c():
    o = X(value=7)
    o.extra = [1, 2]
    holder = WkTest.Holder()
    holder.store(o)
    r = Wk.ref(o)
    del o
    collect()
    back = holder.steal(0)
    assert back.note == 'python attribute'
    assert back.extra == [1, 2]
    assert back.props.value == 7 and back.value == 7
    assert raw(back) == 1 and Wk.getrefcount(back) == 0
    del back
    collect()
    assert r() is None


def test_state_set_later_makes_the_wrapper_persistent():
    o = Bare()
    holder = WkTest.Holder()
    holder.store(o)
    stdlib = weakref.ref(o)
    del o
    collect()
    assert stdlib() is None            # no state yet: the wrapper went
    back = holder.get(0)
    back.attribute = 'set on a new wrapper'
    stdlib = weakref.ref(back)
    del back
    collect()
    assert stdlib() is not None        # now PyGObject keeps it
    assert holder.get(0).attribute == 'set on a new wrapper'
    holder.drop(0)
    collect()
    assert stdlib() is None


# --- objects that C creates from a Python type ------------------------------

@pytest.mark.parametrize('gtype', [X, X.__gtype__])
def test_c_creates_a_python_subclass(gtype):
    o = WkTest.Holder.make_object(gtype)
    # g_object_new() from C makes the wrapper and runs the Python
    # __init__, so the Python state exists before Python ever saw it.
    assert type(o) is X
    assert o.note == 'python attribute'
    assert o.props.value == 0
    assert raw(o) == 1 and Wk.getrefcount(o) == 0
    watch = Watch(o)
    holder = WkTest.Holder()
    holder.store(o)
    o.props.value = 4
    del o
    collect()
    watch.check_alive()
    assert holder.get(0).props.value == 4
    assert holder.get(0).note == 'python attribute'
    holder.drop(0)
    watch.check_dead()


@pytest.mark.parametrize('make', [GObject.Object, Wk.Object, Bare])
def test_c_creates_objects_without_python_state(make):
    o = WkTest.Holder.make_object(make)
    assert type(o) is make
    assert raw(o) == 1 and Wk.getrefcount(o) == 0
    watch = Watch(o)
    del o
    collect()
    watch.check_dead()


# --- Wk toggle references held by C -----------------------------------------
#
# A WkTest.Holder adds a Wk multi-holder toggle reference from C and logs
# what it is told: "T" for is_last_ref TRUE, "F" for FALSE. Wk holds one
# GLib toggle reference for all its holders.

def test_toggle_on_a_plain_object_every_holder_is_told():
    o = GObject.Object()
    r = Wk.ref(o)
    first, second = WkTest.Holder(), WkTest.Holder()
    first.add_toggle(o)
    second.add_toggle(o)
    assert raw(o) == 2                 # the wrapper's and Wk's one
    assert first.get_toggle_log() == '' and second.get_toggle_log() == ''
    del o
    collect()
    # Only Wk's toggle reference left: both holders are told, where GLib
    # alone could tell at most one.
    assert first.get_toggle_log() == 'T'
    assert second.get_toggle_log() == 'T'
    back = r()                         # a real ref, from 1 to 2
    assert first.get_toggle_log() == 'T F'
    assert second.get_toggle_log() == 'T F'
    del back
    collect()
    assert first.get_toggle_log() == 'T F T'
    # Only toggle references keep it alive.
    assert r() is not None
    first.clear_toggle_log()
    second.clear_toggle_log()
    back = r()
    first.remove_toggle(back)
    assert first.get_n_toggles() == 0
    del back
    collect()
    assert first.get_toggle_log() == 'F'        # nothing after the removal
    assert second.get_toggle_log() == 'F T'
    assert r.is_alive()                # unlike r(), takes no reference
    assert second.get_toggle_log() == 'F T'
    back = r()
    second.remove_toggle(back)
    assert raw(back) == 1
    del back
    collect()
    assert second.get_toggle_log() == 'F T F'
    assert r() is None


@pytest.mark.parametrize('make', [X, Bare])
def test_toggle_on_a_python_object_with_state_is_told_nothing(make):
    o = make()
    o.extra = 'python state'           # PyGObject now holds a GLib toggle ref
    r = Wk.ref(o)
    stdlib = weakref.ref(o)
    holder = WkTest.Holder()
    holder.add_toggle(o)
    assert raw(o) == 2                 # PyGObject's toggle ref and Wk's
    del o
    collect()
    # Two GLib toggle references: GLib tells neither, so Wk has nothing to
    # dispatch. Both act as strong references: the object and its wrapper
    # stay alive, because PyGObject still keeps the wrapper it was never
    # told to release.
    assert holder.get_toggle_log() == ''
    assert stdlib() is not None
    back = r()
    assert back.extra == 'python state'
    assert holder.get_toggle_log() == ''
    del back
    collect()
    assert holder.get_toggle_log() == '' and r() is not None
    # For a Python object shared with a C plugin, this means: a plugin
    # that holds it with a Wk toggle reference is never told that only
    # toggle references remain, so it can never use that to let go, and
    # a cycle between the plugin's side and the Python object is never
    # freed by toggling. Removing the Wk toggle reference explicitly is
    # what frees it: GLib then tells PyGObject, which drops the wrapper.
    holder.remove_toggle(stdlib())
    collect()
    assert holder.get_toggle_log() == ''
    assert r() is None and stdlib() is None


def test_toggle_notifications_stop_when_python_state_appears():
    o = Bare()
    r = Wk.ref(o)
    holder = WkTest.Holder()
    holder.add_toggle(o)
    del o
    collect()
    assert holder.get_toggle_log() == 'T'   # a Bare wrapper has no toggle ref
    back = r()
    assert holder.get_toggle_log() == 'T F'
    back.attribute = 1                       # PyGObject adds its toggle ref
    del back
    collect()
    assert holder.get_toggle_log() == 'T F'  # and from here on, silence
    assert r().attribute == 1
    holder.remove_toggle(r())
    collect()
    assert r() is None


def test_toggle_on_an_object_c_created_from_python():
    o = WkTest.Holder.make_object(X)
    holder = WkTest.Holder()
    holder.add_toggle(o)
    r = Wk.ref(o)
    del o
    collect()
    # X.__init__ set an attribute from inside g_object_new(): PyGObject's
    # toggle reference was there first, so the Wk holder is never told.
    assert holder.get_toggle_log() == ''
    assert r().note == 'python attribute'
    holder.remove_toggle(r())
    collect()
    assert r() is None


def test_toggle_holder_disposal_releases_the_object():
    o = GObject.Object()
    r = Wk.ref(o)
    holder = WkTest.Holder()
    holder.add_toggle(o)
    holder.add_toggle(o)
    assert holder.get_n_toggles() == 2
    del o
    collect()
    # Each toggle reference is told, even two with the same notify and data.
    assert holder.get_toggle_log() == 'T T'
    assert r.is_alive()
    del holder
    assert r() is None
