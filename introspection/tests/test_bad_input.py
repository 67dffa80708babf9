# test_bad_input.py: bad input from Python raises, never crashes
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python face of wk-tests/bad-input/. The override raises what
# docs/reference/bindings.md and the weakref module document (TypeError
# for non-GObject referents and bad keys, ReferenceError for a dead
# proxy, ...); the raw GI functions get
# TypeError from PyGObject for wrong types and None before C is reached.
# Calls that do reach a g_return_if_fail() run in a child interpreter
# without G_DEBUG=fatal-criticals (the suite's setting), which must report
# the critical and the documented return value and exit cleanly.

import gc
import os
import subprocess
import sys
import textwrap

import gi
gi.require_version('Wk', '1.0')
from gi.module import get_introspection_module  # noqa: E402
from gi.repository import GLib, GObject, Wk  # noqa: E402

import pytest  # noqa: E402

# The classes and functions as GI makes them, without the override.
RawWk = get_introspection_module('Wk')

NOT_OBJECTS = [1, 1.5, 'text', b'bytes', None, [], {}, (1,), object()]


class Target(GObject.Object):
    level = GObject.Property(type=int, default=0, minimum=0, maximum=10)


def cannot_ref(value):
    return "cannot create weak reference to '%s' object" % type(value).__name__


# ---- the override: documented exceptions ------------------------------

@pytest.mark.parametrize('value', NOT_OBJECTS, ids=repr)
@pytest.mark.parametrize('make', [
    lambda v: Wk.ref(v),
    lambda v: Wk.ref(v, print),
    lambda v: Wk.proxy(v),
    lambda v: Wk.proxy(v, print),
    lambda v: Wk.finalize(v, print),
    lambda v: Wk.WeakSet().add(v),
    lambda v: Wk.WeakKeyDictionary().__setitem__(v, 1),
    lambda v: Wk.WeakValueDictionary().__setitem__('key', v),
    lambda v: Wk.WeakSet([v]),
    lambda v: Wk.WeakKeyDictionary([(v, 1)]),
    lambda v: Wk.WeakValueDictionary(key=v),
], ids=['ref', 'ref-callback', 'proxy', 'proxy-callback', 'finalize', 'WeakSet.add',
        'WeakKeyDictionary[]=', 'WeakValueDictionary[]=', 'WeakSet()',
        'WeakKeyDictionary()', 'WeakValueDictionary()'])
def test_non_gobject_referent_is_type_error(make, value):
    with pytest.raises(TypeError) as info:
        make(value)
    assert str(info.value) == cannot_ref(value)


def test_int_referent_message_is_exact():
    with pytest.raises(TypeError, match=r"^cannot create weak reference to 'int' object$"):
        Wk.ref(1)


@pytest.mark.parametrize('value', [1, 'text', None, object()], ids=repr)
def test_lookups_with_non_gobject_keys(value):
    d = Wk.WeakKeyDictionary()
    # As in the stdlib: get() and [] raise TypeError, `in` says False.
    with pytest.raises(TypeError):
        d.get(value)
    with pytest.raises(TypeError):
        d[value]
    assert (value in d) is False
    s = Wk.WeakSet()
    assert (value in s) is False
    with pytest.raises(TypeError):
        s.remove(value)
    assert len(d) == 0 and len(s) == 0


@pytest.mark.parametrize('key', [[1], {'a': 1}, {1}, object(), GObject.Object(), (1, [2]),
                                 Wk.WeakSet()], ids=repr)
def test_bad_weak_value_dictionary_keys(key):
    d = Wk.WeakValueDictionary()
    value = GObject.Object()
    with pytest.raises(TypeError):
        d[key] = value
    with pytest.raises(TypeError):
        d.get(key)
    with pytest.raises(TypeError):
        d[key]
    with pytest.raises(TypeError):
        key in d
    with pytest.raises(TypeError):
        del d[key]
    with pytest.raises(TypeError):
        d.pop(key, None)
    assert len(d) == 0


@pytest.mark.parametrize('key', ['s', 1, -2**70, 1.5, True, b'b', None, (1, ('a', None))],
                         ids=repr)
def test_good_weak_value_dictionary_keys_missing(key):
    d = Wk.WeakValueDictionary()
    assert d.get(key) is None
    with pytest.raises(KeyError):
        d[key]
    with pytest.raises(KeyError):
        del d[key]


def test_dead_proxy_raises_reference_error():
    o = Target()
    p = Wk.proxy(o)
    del o
    gc.collect()
    for use in [lambda: p.level, lambda: setattr(p, 'level', 1), lambda: p.props,
                lambda: p.get_property('level'), lambda: p.set_property('level', 1),
                lambda: str(p), lambda: bool(p), lambda: p == 1]:
        with pytest.raises(ReferenceError):
            use()


def test_hash_of_proxy_is_type_error():
    o = GObject.Object()
    p = Wk.proxy(o)
    with pytest.raises(TypeError):
        hash(p)
    del o
    gc.collect()
    with pytest.raises(TypeError):
        hash(p)


def test_proxy_types_cannot_be_instantiated():
    for cls in Wk.ProxyTypes:
        with pytest.raises(TypeError):
            cls()


def test_proxy_property_errors():
    o = Target()
    p = Wk.proxy(o)
    with pytest.raises(TypeError):
        p.set_property('no-such-property', 1)
    with pytest.raises((TypeError, GLib.Error)):
        p.set_property('level', 'not an int')
    with pytest.raises((ValueError, TypeError, GLib.Error)):
        p.set_property('level', 11)   # out of range
    assert o.level == 0


def test_dead_ref_and_finalize_return_documented_values():
    o = GObject.Object()
    r = Wk.ref(o)
    f = Wk.finalize(o, lambda: None)
    del o
    gc.collect()
    assert r() is None
    assert f.alive is False
    assert f() is None
    assert f.detach() is None
    assert f.peek() is None
    hash(r)   # no TypeError in Wk, unlike CPython


def test_getrefcount_needs_a_gobject():
    with pytest.raises(TypeError):
        Wk.getrefcount(1)


def test_getweakref_helpers_on_non_gobjects_match_stdlib():
    # weakref.getweakrefcount(1) == 0, weakref.getweakrefs(1) == []
    assert Wk.getweakrefcount(1) == 0
    assert Wk.getweakrefs(1) == []


def test_weak_method_and_connect_weak_need_bound_methods():
    with pytest.raises(TypeError):
        Wk.WeakMethod(print)
    with pytest.raises(TypeError):
        Wk.WeakMethod(lambda: None)
    with pytest.raises(TypeError):
        Wk.connect_weak(GObject.Object(), 'notify', print)

    class Handler:
        def on(self, *args):
            pass
    h = Handler()
    with pytest.raises(TypeError):
        Wk.connect_weak(1, 'notify', h.on)


# ---- raw GI: PyGObject's TypeError before C is reached ---------------

def _raw_calls():
    o = GObject.Object()
    ref = RawWk.Ref.new(o, None)
    proxy = RawWk.Proxy.new(o, None)
    fin = RawWk.Finalizer.new(o, lambda *a: None)
    fr = RawWk.FinalizationRegistry.new(lambda *a: None)
    wvd = RawWk.WeakValueDict.new_for_variants()
    wkd = RawWk.WeakKeyDict.new_for_values()
    ws = RawWk.WeakSet.new()
    key = GLib.Variant('s', 'k')
    calls = {
        'Ref.new(int)': lambda: RawWk.Ref.new(1, None),
        'Ref.new(None)': lambda: RawWk.Ref.new(None, None),
        'Ref.get(int)': lambda: RawWk.Ref.get(1),
        'Ref.get(GObject)': lambda: RawWk.Ref.get(o),
        'Ref.get(None)': lambda: RawWk.Ref.get(None),
        'Ref.is_alive(GObject)': lambda: RawWk.Ref.is_alive(o),
        'Ref.hash(GObject)': lambda: RawWk.Ref.hash(o),
        'Ref.equal(ref, int)': lambda: RawWk.Ref.equal(ref, 1),
        'Ref.set_callback(ref, int)': lambda: RawWk.Ref.set_callback(ref, 1),
        'Proxy.new(str)': lambda: RawWk.Proxy.new('x', None),
        'Proxy.dup_target(ref)': lambda: RawWk.Proxy.dup_target(ref),
        'Proxy.dup_target_property(None)': lambda: proxy.dup_target_property(None),
        'Proxy.dup_target_property(int)': lambda: proxy.dup_target_property(1),
        'Proxy.set_target_property(None)': lambda: proxy.set_target_property(None, 1),
        'get_weak_ref_count(int)': lambda: RawWk.get_weak_ref_count(1),
        'get_weak_refs(None)': lambda: RawWk.get_weak_refs(None),
        'Object.get_ref_count(int)': lambda: RawWk.Object.get_ref_count(1),
        'Object.add_toggle_ref(int)': lambda: RawWk.Object.add_toggle_ref(1, lambda *a: None),
        'Object.add_toggle_ref(None notify)': lambda: RawWk.Object.add_toggle_ref(o, None),
        'Object.remove_toggle_ref(str)': lambda: RawWk.Object.remove_toggle_ref(o, 'x'),
        'Finalizer.new(int)': lambda: RawWk.Finalizer.new(1, lambda *a: None),
        'Finalizer.new(None func)': lambda: RawWk.Finalizer.new(o, None),
        'Finalizer.call(GObject)': lambda: RawWk.Finalizer.call(o),
        'Finalizer.detach(ref)': lambda: RawWk.Finalizer.detach(ref),
        'Finalizer.dup_object(None)': lambda: RawWk.Finalizer.dup_object(None),
        'Finalizer.set_atexit(GObject)': lambda: RawWk.Finalizer.set_atexit(o, True),
        'FinalizationRegistry.new(None)': lambda: RawWk.FinalizationRegistry.new(None),
        'FinalizationRegistry.register(int)': lambda: fr.register(1, 1, None),
        'FinalizationRegistry.unregister(int)': lambda: fr.unregister(1),
        'FinalizationRegistry.get_size(GObject)': lambda: RawWk.FinalizationRegistry.get_size(o),
        'WeakValueDict.insert(int key)': lambda: wvd.insert(1, o),
        'WeakValueDict.insert(None key)': lambda: wvd.insert(None, o),
        'WeakValueDict.insert(int value)': lambda: wvd.insert(key, 1),
        'WeakValueDict.lookup(str)': lambda: wvd.lookup('k'),
        'WeakValueDict.get_size(ws)': lambda: RawWk.WeakValueDict.get_size(ws),
        'WeakKeyDict.insert(int key)': lambda: wkd.insert(1, 1),
        'WeakKeyDict.lookup(None)': lambda: wkd.lookup(None),
        'WeakKeyDict.get_size(wvd)': lambda: RawWk.WeakKeyDict.get_size(wvd),
        'WeakSet.get_size(wkd)': lambda: RawWk.WeakSet.get_size(wkd),
        'WeakSet.get_members(None)': lambda: RawWk.WeakSet.get_members(None),
        'signal_connect_closure_weak(int)':
            lambda: RawWk.signal_connect_closure_weak(1, 'notify', lambda *a: None, o, False),
        'signal_connect_closure_weak(None signal)':
            lambda: RawWk.signal_connect_closure_weak(o, None, lambda *a: None, o, False),
        'check_version(str)': lambda: RawWk.check_version('1', 0, 0),
    }
    return calls, (o, ref, proxy, fin, fr, wvd, wkd, ws)


_CALLS, _KEEP = _raw_calls()


@pytest.mark.parametrize('name', sorted(_CALLS))
def test_raw_gi_wrong_types_are_type_errors(name):
    with pytest.raises(TypeError):
        _CALLS[name]()


@pytest.mark.parametrize('args', [(-1, 0, 0), (0, -1, 0), (2**32, 0, 0), (0, 0, 2**40)])
def test_raw_check_version_out_of_range(args):
    with pytest.raises((OverflowError, ValueError, TypeError)):
        RawWk.check_version(*args)


def test_raw_check_version_in_range():
    major = RawWk.get_major_version()
    assert RawWk.check_version(major, RawWk.get_minor_version(), RawWk.get_micro_version()) is None
    assert RawWk.check_version(major + 1, 0, 0) is not None
    assert RawWk.check_version(2**32 - 1, 2**32 - 1, 2**32 - 1) is not None


def test_raw_dead_proxy_raises_glib_error():
    o = Target()
    p = RawWk.Proxy.new(o, None)
    del o
    gc.collect()
    for call in [lambda: p.dup_target(), lambda: p.dup_target_property('level'),
                 lambda: p.set_target_property('level', 1)]:
        with pytest.raises(GLib.Error) as info:
            call()
        assert info.value.matches(RawWk.ref_error_quark(), RawWk.RefError.DEAD)


def test_raw_proxy_property_errors():
    o = Target()
    p = RawWk.Proxy.new(o, None)
    with pytest.raises(GLib.Error) as info:
        p.dup_target_property('no-such-property')
    assert info.value.matches(RawWk.ref_error_quark(), RawWk.RefError.UNKNOWN_PROPERTY)
    value = GObject.Value(int, 11)
    with pytest.raises(GLib.Error) as info:
        p.set_target_property('level', value)
    assert info.value.matches(RawWk.ref_error_quark(), RawWk.RefError.INVALID_VALUE)
    assert o.level == 0


def test_raw_unknown_ids_and_tokens_are_false():
    o = GObject.Object()
    assert RawWk.Object.remove_toggle_ref(o, 12345) is False
    fr = RawWk.FinalizationRegistry.new(lambda *a: None)
    assert fr.unregister(GObject.Object()) is False
    assert fr.get_size() == 0


# ---- calls that reach g_return_if_fail(): in a child interpreter ------

def run_child(code):
    env = dict(os.environ)
    env.pop('G_DEBUG', None)
    prologue = textwrap.dedent('''\
        import gi
        gi.require_version('Wk', '1.0')
        from gi.module import get_introspection_module
        from gi.repository import GLib, GObject
        Wk = get_introspection_module('Wk')
        ''')
    return subprocess.run([sys.executable, '-c', prologue + textwrap.dedent(code)],
                          env=env, capture_output=True, text=True, timeout=60)


CRITICAL_CASES = {
    'registry made by GObject() alone: register': ('''
        fr = Wk.FinalizationRegistry()
        fr.register(GObject.Object(), 1, None)
        print('ok')
        ''', 'core != NULL'),
    'registry made by GObject() alone: get_size': ('''
        print('ok' if Wk.FinalizationRegistry().get_size() == 0 else 'bad')
        ''', 'core != NULL'),
    'registry made by GObject() alone: unregister': ('''
        print('ok' if Wk.FinalizationRegistry().unregister(GObject.Object()) is False else 'bad')
        ''', 'core != NULL'),
    'registry: held value is the target': ('''
        fr = Wk.FinalizationRegistry.new(lambda *a: None)
        o = GObject.Object()
        fr.register(o, o, None)
        print('ok' if fr.get_size() == 0 else 'bad')
        ''', 'target'),
    'remove_toggle_ref id 0': ('''
        print('ok' if Wk.Object.remove_toggle_ref(GObject.Object(), 0) is False else 'bad')
        ''', 'id != 0'),
    'set_callback on the shared ref': ('''
        o = GObject.Object()
        r = Wk.Ref.new(o, None)
        print('ok' if r.set_callback(lambda *a: None) is False else 'bad')
        ''', 'shared'),
    'set_callback twice': ('''
        o = GObject.Object()
        r = Wk.Ref.new(o, lambda *a: None)
        print('ok' if r.set_callback(lambda *a: None) is False else 'bad')
        ''', 'callback == NULL'),
}


@pytest.mark.parametrize('name', sorted(CRITICAL_CASES))
def test_critical_reaches_c_cleanly(name):
    code, pattern = CRITICAL_CASES[name]
    result = run_child(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == 'ok', result.stdout + result.stderr
    assert 'CRITICAL' in result.stderr and pattern in result.stderr, result.stderr


def test_fatal_criticals_are_on_here():
    # The checks above rely on the child running without them.
    assert 'fatal-criticals' in os.environ.get('G_DEBUG', 'fatal-criticals')
