# test_signal.py: Wk.WeakMethod and Wk.connect_weak from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import re
import threading
import types
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GLib, GObject, Wk  # noqa: E402

import pytest  # noqa: E402


class Emitter(GObject.Object):
    """A button of sorts, with a signal that has arguments and one that
    returns a value."""

    __gsignals__ = {
        'clicked': (GObject.SignalFlags.RUN_LAST, None, (int, str)),
        'ask': (GObject.SignalFlags.RUN_LAST, int, (int,)),
    }


class Receiver(GObject.Object):
    """A GObject with methods and no instance attributes: its wrapper dies
    with its last Python name even while C holds the object."""

    def answer(self):
        return 'answered by %x' % GObject.Object.__hash__(self)

    def on_clicked(self, emitter, n, text, *extra):
        CALLS.append((self, emitter, n, text) + extra)

    def on_ask(self, emitter, n):
        return n + 1


class PyReceiver:
    """A plain Python object with handler methods."""

    def on_clicked(self, emitter, n, text, *extra):
        CALLS.append((self, emitter, n, text) + extra)

    def on_ask(self, emitter, n):
        return n * 10


CALLS = []


@pytest.fixture(autouse=True)
def clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def collect():
    gc.collect()


# WeakMethod

def test_weak_method_calls_back_a_bound_method():
    r = Receiver()
    wm = Wk.WeakMethod(r.answer)
    assert isinstance(wm, Wk.ref)
    m = wm()
    assert isinstance(m, types.MethodType)
    assert m.__self__ is r
    assert m.__func__ is Receiver.answer
    assert m() == r.answer()
    assert re.fullmatch(r"<Wk.WeakMethod at 0x[0-9a-f]+; to 'Receiver' at 0x[0-9a-f]+>",
                        repr(wm))


def test_weak_method_dies_with_the_instance():
    r = Receiver()
    got = []
    wm = Wk.WeakMethod(r.answer, got.append)
    del r
    collect()
    assert wm() is None
    assert got == [wm]


def test_weak_method_dies_with_the_function():
    r = Receiver()
    got = []

    def func(self):
        return 'func'

    wm = Wk.WeakMethod(types.MethodType(func, r), got.append)
    assert wm()() == 'func'
    del func
    collect()
    assert wm() is None
    assert got == [wm]
    # Once only, although the instance dies later.
    del r
    collect()
    assert got == [wm]


def test_weak_method_follows_the_gobject():
    store = Gio.ListStore()
    r = Receiver()
    address = GObject.Object.__hash__(r)
    store.append(r)
    wm = Wk.WeakMethod(r.answer)
    std = weakref.WeakMethod(r.answer)
    del r
    collect()
    # The stdlib's followed the wrapper, which is gone.
    assert std() is None
    m = wm()
    assert m is not None
    assert GObject.Object.__hash__(m.__self__) == address
    assert m.__self__ == store[0]
    assert m() == 'answered by %x' % address
    del m
    store.remove_all()
    collect()
    assert wm() is None


def test_weak_method_needs_a_bound_method_of_a_gobject():
    def func():
        pass

    for bad in (func, Receiver.answer, print, 5, [].append):
        with pytest.raises(TypeError, match='argument should be a bound method'):
            Wk.WeakMethod(bad)
    with pytest.raises(TypeError, match="cannot create weak reference to 'PyReceiver'"):
        Wk.WeakMethod(PyReceiver().on_ask)


def test_weak_method_equality_and_hash():
    r1, r2 = Receiver(), Receiver()
    a = Wk.WeakMethod(r1.answer)
    b = Wk.WeakMethod(r1.answer)
    c = Wk.WeakMethod(r2.answer)
    d = Wk.WeakMethod(r1.on_ask)
    assert a == b and not (a != b)
    assert hash(a) == hash(b)
    assert a != c and a != d
    assert not (a == c)
    assert a != object()
    del r1
    collect()
    # Dead: equal only to itself.
    assert a == a
    assert a != b
    assert not (a == b)
    assert hash(a) == hash(a)


# connect_weak

def test_connect_weak_calls_the_method_with_extra_arguments():
    e, r = Emitter(), Receiver()
    handler_id = Wk.connect_weak(e, 'clicked', r.on_clicked, 'x', 'y')
    assert handler_id > 0
    e.emit('clicked', 3, 'three')
    assert CALLS == [(r, e, 3, 'three', 'x', 'y')]


@pytest.mark.parametrize('make', [Receiver, PyReceiver])
def test_connect_weak_returns_the_handler_value(make):
    e, r = Emitter(), make()
    Wk.connect_weak(e, 'ask', r.on_ask)
    assert e.emit('ask', 4) == r.on_ask(e, 4)


@pytest.mark.parametrize('make', [Receiver, PyReceiver])
def test_connect_weak_disconnects_when_the_instance_dies(make):
    e, r = Emitter(), make()
    handler_id = Wk.connect_weak(e, 'clicked', r.on_clicked)
    watch = weakref.ref(r)
    e.emit('clicked', 1, 'one')
    assert len(CALLS) == 1
    CALLS.clear()
    del r
    # Not kept alive by the handler: gone without a collection.
    assert watch() is None
    assert not GObject.signal_handler_is_connected(e, handler_id)
    e.emit('clicked', 2, 'two')
    assert CALLS == []


@pytest.mark.parametrize('make', [Receiver, PyReceiver])
def test_connect_weak_does_not_keep_the_emitter(make):
    e, r = Emitter(), make()
    Wk.connect_weak(e, 'clicked', r.on_clicked)
    watch = Wk.ref(e)
    del e
    collect()
    assert watch() is None
    del r       # its ref's callback finds no emitter: no error


def test_connect_weak_python_instance_holds_the_emitter_weakly():
    e, r = Emitter(), PyReceiver()
    handler_id = Wk.connect_weak(e, 'clicked', r.on_clicked, 'extra')
    e.emit('clicked', 5, 'five')
    assert CALLS == [(r, e, 5, 'five', 'extra')]
    CALLS.clear()
    del r
    assert not GObject.signal_handler_is_connected(e, handler_id)


def test_connect_weak_target_dies_in_another_thread():
    e, r = Emitter(), Receiver()
    handler_id = Wk.connect_weak(e, 'clicked', r.on_clicked)
    holder = [r]
    del r
    t = threading.Thread(target=holder.clear)
    t.start()
    t.join()
    assert not GObject.signal_handler_is_connected(e, handler_id)


def test_connect_weak_bad_arguments():
    e = Emitter()

    def plain(*args):
        pass

    for bad in (plain, Receiver.on_clicked, print, 5, [].append):
        with pytest.raises(TypeError, match='bound method'):
            Wk.connect_weak(e, 'clicked', bad)
    r = Receiver()
    with pytest.raises(TypeError, match='unknown signal name'):
        Wk.connect_weak(e, 'no-such-signal', r.on_clicked)
    with pytest.raises(TypeError, match='GObject'):
        Wk.connect_weak(PyReceiver(), 'clicked', r.on_clicked)

    class Slotted:
        __slots__ = ()

        def method(self, *args):
            pass

    with pytest.raises(TypeError):
        Wk.connect_weak(e, 'clicked', Slotted().method)
    # Nothing was left connected by the failures.
    assert GObject.signal_handler_find(
        e, GObject.SignalMatchType.ID,
        GObject.signal_lookup('clicked', Emitter), 0, None, None, None) == 0


# The classic leak: a view connecting its own methods to the signals of a
# button it holds, while something in C (a container; here a ListStore)
# holds the button too. PyGObject can only collect the cycle through the
# button's closures while the wrapper holds the button's only reference.

class View(Wk.Object):
    def __init__(self, container, weak):
        super().__init__()
        self.button = Emitter()
        container.append(self.button)
        if weak:
            self.handler_id = Wk.connect_weak(self.button, 'clicked', self.on_clicked)
        else:
            self.handler_id = self.button.connect('clicked', self.on_clicked)

    def on_clicked(self, button, n, text):
        CALLS.append(('view', n))


def test_plain_connect_leaks_the_view():
    container = Gio.ListStore()
    view = View(container, weak=False)
    watch = Wk.ref(view)
    del view
    collect()
    # The button (held by the container) holds the view through its
    # handler: it never dies.
    assert watch() is not None
    container[0].emit('clicked', 1, 'one')
    assert CALLS == [('view', 1)]
    # Break it for the other tests.
    leaked = watch()
    leaked.button.disconnect(leaked.handler_id)
    del leaked


def test_connect_weak_lets_the_view_die():
    container = Gio.ListStore()
    view = View(container, weak=True)
    watch = Wk.ref(view)
    handler_id = view.handler_id
    view.button.emit('clicked', 1, 'one')
    assert CALLS == [('view', 1)]
    del view
    # At once, without a collection.
    assert watch() is None
    button = container[0]
    assert not GObject.signal_handler_is_connected(button, handler_id)
    button.emit('clicked', 2, 'two')
    assert CALLS == [('view', 1)]


def _run_child(code):
    """Runs @code in a child Python without G_DEBUG=fatal-criticals (the
    suite's setting), with the raw Wk module as ``Wk``."""
    import os
    import subprocess
    import sys
    import textwrap

    env = dict(os.environ)
    env.pop('G_DEBUG', None)
    prologue = textwrap.dedent('''\
        import gi
        gi.require_version('Wk', '1.0')
        from gi.module import get_introspection_module
        from gi.repository import Gio, GObject
        Wk = get_introspection_module('Wk')
        ''')
    return subprocess.run([sys.executable, '-c', prologue + textwrap.dedent(code)],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('name', ['no-such-signal', 'activate::detail', 'activate::', 'notify:x'])
def test_raw_connect_bad_signal_name_is_wks_critical(name):
    # The same on every GLib: Wk's own critical and 0 (GLib itself warns
    # up to 2.74 and logs a critical from 2.76 on; Wk checks first, so
    # GLib says nothing).
    result = _run_child('''
        action = Gio.SimpleAction(name='a')
        target = GObject.Object()
        handler_id = Wk.signal_connect_closure_weak(action, %r, lambda *a: None, target, False)
        print('ok' if handler_id == 0 and Wk.get_weak_ref_count(target) == 0 else 'bad')
        ''' % name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == 'ok', result.stdout + result.stderr
    assert re.search(r"Wk-CRITICAL.*wk_signal_connect_closure_weak: signal '%s' is invalid"
                     r".*GSimpleAction" % re.escape(name), result.stderr), result.stderr
    assert 'GLib-GObject' not in result.stderr, result.stderr


def test_raw_connect_detailed_signal():
    action = Gio.SimpleAction(name='a', state=GLib.Variant('b', False))
    target = GObject.Object()
    watch = Wk.ref(target)
    seen = []
    # The handler must not capture the target: it reaches it through the
    # weak ref only.
    handler_id = Wk.signal_connect_closure_weak(
        action, 'notify::state', lambda action_, pspec, got: seen.append(got is watch()),
        target, False)
    assert handler_id > 0
    action.set_state(GLib.Variant('b', True))
    action.set_enabled(False)            # another property: not for us
    assert seen == [True]
    del target
    collect()
    assert watch() is None
    assert not GObject.signal_handler_is_connected(action, handler_id)
