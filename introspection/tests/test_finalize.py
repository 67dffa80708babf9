# test_finalize.py: Wk.finalize from Python, and its order at exit
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import re
import subprocess
import sys
import textwrap
import threading
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402

import pytest  # noqa: E402


class Token:
    """Something to pass to a finalizer and watch with a weakref."""


class catch_unraisable:
    def __enter__(self):
        self.caught = []
        self.previous = sys.unraisablehook
        sys.unraisablehook = self.caught.append
        return self.caught

    def __exit__(self, *exc):
        sys.unraisablehook = self.previous


def collect():
    gc.collect()


def test_runs_once_at_death_with_arguments():
    o = GObject.Object()
    calls = []
    f = Wk.finalize(o, lambda *a, **k: calls.append((a, k)), 1, 2, key='v')
    assert f.alive
    del o
    collect()
    assert calls == [((1, 2), {'key': 'v'})]
    assert not f.alive
    assert f() is None
    assert calls == [((1, 2), {'key': 'v'})]


def test_runs_when_the_python_object_was_dropped():
    o = GObject.Object()
    calls = []
    f = Wk.finalize(o, calls.append, 'ran')
    watch = weakref.ref(f)
    del f
    # Not kept alive by a cycle: the C registry keeps the C finalizer.
    assert watch() is None
    del o
    collect()
    assert calls == ['ran']


def test_call_returns_the_result_once():
    o = GObject.Object()
    calls = []

    def func(x):
        calls.append(x)
        return x * 2

    f = Wk.finalize(o, func, 21)
    assert f() == 42
    assert not f.alive
    assert f() is None          # twice: nothing
    del o
    collect()
    assert calls == [21]        # and not again at death


def test_call_propagates_exceptions():
    o = GObject.Object()

    def func():
        raise ValueError('from f()')

    f = Wk.finalize(o, func)
    with pytest.raises(ValueError, match='from f'):
        f()
    assert not f.alive


def test_detach():
    o = GObject.Object()
    calls = []
    func = calls.append
    f = Wk.finalize(o, func, 1, k=2)
    assert f.detach() == (o, func, (1,), {'k': 2})
    assert not f.alive
    assert f.detach() is None
    assert f.peek() is None
    assert f() is None
    del o
    collect()
    assert calls == []


def test_detach_after_it_ran_returns_none():
    o = GObject.Object()
    f = Wk.finalize(o, lambda: None)
    f()
    assert f.detach() is None
    o2 = GObject.Object()
    g = Wk.finalize(o2, lambda: None)
    del o2
    collect()
    assert g.detach() is None
    assert g.peek() is None


def test_peek():
    o = GObject.Object()
    f = Wk.finalize(o, print)
    assert f.peek() == (o, print, (), {})
    assert f.peek()[0] is o
    assert f.alive      # peek does not kill it
    f.detach()


def test_atexit_property_is_the_c_property():
    o = GObject.Object()
    f = Wk.finalize(o, print)
    assert f.atexit is True
    assert f.finalizer.props.atexit is True
    f.atexit = False
    assert f.atexit is False
    assert f.finalizer.get_atexit() is False
    f.finalizer.set_atexit(True)
    assert f.atexit is True
    f.detach()


def test_repr():
    o = GObject.Object()
    f = Wk.finalize(o, print)
    assert re.fullmatch(r"<finalize object at 0x[0-9a-f]+; for 'GObject.Object' "
                        r"at 0x[0-9a-f]+>", repr(f))
    assert repr(f).endswith('at %#x>' % GObject.Object.__hash__(o))
    f.detach()
    assert re.fullmatch(r'<finalize object at %#x; dead>' % id(f), repr(f))


def test_bad_referent_raises_type_error():
    for bad in (1, 'text', None, Token()):
        with pytest.raises(TypeError, match="cannot create weak reference to '%s' object"
                           % type(bad).__name__):
            Wk.finalize(bad, print)


def test_exception_at_death_goes_to_unraisablehook():
    o = GObject.Object()
    calls = []

    def func():
        raise ValueError('at death')

    f = Wk.finalize(o, func)
    Wk.finalize(o, calls.append, 'older one still runs')
    with catch_unraisable() as unraisable:
        del o
        collect()
    assert len(unraisable) == 1
    assert unraisable[0].exc_type is ValueError
    assert unraisable[0].object is func
    assert calls == ['older one still runs']
    assert not f.alive


@pytest.mark.parametrize('how', ['death', 'call', 'detach'])
def test_function_and_arguments_are_freed(how):
    o = GObject.Object()
    token = Token()

    def func(arg):
        pass

    f = Wk.finalize(o, func, token)
    watch_token = weakref.ref(token)
    watch_func = weakref.ref(func)
    del token, func
    assert watch_token() is not None
    if how == 'death':
        del o
    elif how == 'call':
        f()
    else:
        assert f.detach() is not None   # the tuple is dropped at once
    collect()
    assert watch_token() is None
    assert watch_func() is None
    # The Python finalize object is not kept either.
    watch = weakref.ref(f)
    del f
    assert watch() is None


def test_follows_the_gobject_not_the_wrapper():
    store = Gio.ListStore()
    o = GObject.Object()
    store.append(o)
    calls = []
    f = Wk.finalize(o, calls.append, 'died')
    del o
    collect()
    assert calls == []
    assert f.alive
    assert f.peek()[0] == store[0]
    store.remove_all()
    collect()
    assert calls == ['died']


def test_order_with_refs_at_death():
    o = GObject.Object()
    order = []
    r1 = Wk.ref(o, lambda r: order.append('ref 1'))
    Wk.finalize(o, order.append, 'finalizer')
    r2 = Wk.ref(o, lambda r: order.append('ref 2'))
    del o
    collect()
    assert order == ['ref 2', 'finalizer', 'ref 1']
    del r1, r2


def test_death_in_another_thread():
    o = GObject.Object()
    ran_in = []
    f = Wk.finalize(o, lambda: ran_in.append(threading.get_ident()))
    holder = [o]
    del o

    def drop():
        holder.clear()
        collect()

    t = threading.Thread(target=drop)
    t.start()
    t.join()
    assert ran_in == [t.ident]
    assert not f.alive


def test_run_atexit_runs_pending_newest_first():
    # Wk.finalize_run_atexit() may be called early; atexit=False ones stay.
    objects = [GObject.Object() for _ in range(3)]
    order = []
    fs = [Wk.finalize(o, order.append, i) for i, o in enumerate(objects)]
    fs[1].atexit = False
    Wk.finalize_run_atexit()
    assert order == [2, 0]
    assert fs[1].alive
    assert fs[1].detach()[0] is objects[1]


# Exit, in a child interpreter

def run_script(script):
    # The child inherits meson's environment (typelib, library and
    # override paths, G_DEBUG=fatal-criticals).
    return subprocess.run([sys.executable, '-c', textwrap.dedent(script)],
                          env=dict(os.environ), capture_output=True,
                          text=True, timeout=60)


EXIT_SCRIPT = '''
    import gi
    gi.require_version('Wk', '1.0')
    from gi.repository import GObject, Wk

    def say(what):
        print(what, flush=True)

    def boom():
        raise ValueError('boom at exit')

    keep = [GObject.Object() for _ in range(7)]
    Wk.finalize(keep[0], say, 'first')
    off = Wk.finalize(keep[1], say, 'not at exit')
    off.atexit = False
    Wk.finalize(keep[2], say, 'second')
    Wk.finalize(keep[3], say, 'detached').detach()
    called = Wk.finalize(keep[4], say, 'called')
    called()
    Wk.finalize(keep[5], boom)
    Wk.finalize(keep[6], say, 'last')
    say('end of script')
'''


def test_exit_order():
    result = run_script(EXIT_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'called', 'end of script', 'last', 'second', 'first']
    # The failing one printed its traceback, and the others still ran.
    assert 'Traceback' in result.stderr
    assert 'ValueError: boom at exit' in result.stderr


def test_exit_order_with_a_c_finalizer():
    # A finalizer whose function is C (libc's puts, through ctypes) shares
    # the newest-first order with the Python ones at exit.
    result = run_script('''
        import ctypes
        import gi
        gi.require_version('Wk', '1.0')
        from gi.repository import GObject, Wk

        libc = ctypes.CDLL(None)
        # Unbuffered C stdout, so that puts() and print() interleave.
        libc.setvbuf(ctypes.c_void_p.in_dll(libc, 'stdout'), None, 2, 0)
        libwk = ctypes.CDLL('libwk-1.so.0')
        libwk.wk_finalize_new.restype = ctypes.c_void_p
        libwk.wk_finalize_new.argtypes = [ctypes.c_void_p] * 4

        keep = [GObject.Object() for _ in range(3)]
        text = ctypes.create_string_buffer(b'C finalizer')
        Wk.finalize(keep[0], print, 'python, older', flush=True)
        libwk.wk_finalize_new(hash(keep[1]),
                              ctypes.cast(libc.puts, ctypes.c_void_p),
                              ctypes.addressof(text), None)
        Wk.finalize(keep[2], print, 'python, newer', flush=True)
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'python, newer', 'C finalizer', 'python, older']


def test_finalizers_made_after_the_exit_hook_never_run():
    # An atexit hook registered before Wk's runs after it (LIFO): a
    # finalizer it makes must not be left for the C atexit handler.
    result = run_script('''
        import atexit

        def late():
            f = Wk.finalize(keep, print, 'late finalizer ran', flush=True)
            print('late atexit', f.atexit, f.alive, flush=True)
            f.atexit = True     # refused after shutdown
            print('still', f.atexit, flush=True)

        atexit.register(late)

        import gi
        gi.require_version('Wk', '1.0')
        from gi.repository import GObject, Wk

        keep = GObject.Object()
        Wk.finalize(keep, print, 'normal finalizer', flush=True)
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'normal finalizer', 'late atexit False True', 'still False']
