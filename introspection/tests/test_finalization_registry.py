# test_finalization_registry.py: Wk.FinalizationRegistry from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# From Python, new() is new(cleanup, user_data=None, context=None): the
# user data is passed to the cleanup after the held value, and a context
# must be given by keyword or after the user data. Held values are
# GValues: a Python int (32-bit range), str, float or bool becomes the
# matching GValue, a GObject an object GValue, and any other Python
# object a PyObject boxed value that the cleanup gets back as the same
# object. None cannot be a held value; a larger int needs an explicit
# GObject.Value(GObject.TYPE_INT64, ...).

import gc
import os
import subprocess
import sys
import textwrap
import threading

import gi
gi.require_version('Wk', '1.0')
from gi.repository import GLib, GObject, Wk  # noqa: E402

import pytest  # noqa: E402


class Log:
    def __init__(self):
        self.held = []
        self.threads = []

    def __call__(self, held, user_data=None):
        self.held.append(held)
        self.threads.append(threading.get_ident())


def iterate(context):
    while context.iteration(False):
        pass


def test_synchronous_delivery_with_held_values():
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    payload = GObject.Object()

    class Anything:
        pass

    anything = Anything()
    for held in [42, 'text', 1.5, True, anything, payload, [1, 2]]:
        target = GObject.Object()
        registry.register(target, held, None)
        assert registry.get_size() == 1
        del target
        assert registry.get_size() == 0
        assert log.held[-1] == held
    assert log.held[4] is anything
    assert log.held[5] is payload
    assert log.threads == [threading.get_ident()] * 7


def test_user_data_is_passed():
    got = []
    registry = Wk.FinalizationRegistry.new(lambda held, data: got.append((held, data)),
                                           'data')
    target = GObject.Object()
    registry.register(target, 1, None)
    del target
    assert got == [(1, 'data')]


def test_large_int_needs_an_explicit_value():
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    target = GObject.Object()
    with pytest.raises(OverflowError):
        registry.register(target, 2 ** 40, None)
    assert registry.get_size() == 0
    registry.register(target, GObject.Value(GObject.TYPE_INT64, 2 ** 40), None)
    del target
    assert log.held == [2 ** 40]


def test_none_is_not_a_held_value():
    registry = Wk.FinalizationRegistry.new(Log(), None)
    target = GObject.Object()
    with pytest.raises(TypeError):
        registry.register(target, None, None)
    assert registry.get_size() == 0


@pytest.mark.parametrize('make', [GObject.Object, Wk.Object])
def test_target_is_not_kept_alive(make):
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    target = make()
    token = GObject.Object()
    before = Wk.getrefcount(target)
    registry.register(target, 'a', token)
    registry.register(target, 'b', target)
    assert Wk.getrefcount(target) == before
    assert Wk.getrefcount(token) == 0
    ref = Wk.ref(target)
    del target
    assert ref() is None
    assert sorted(log.held) == ['a', 'b']
    assert not registry.unregister(token)


def test_held_value_is_released():
    registry = Wk.FinalizationRegistry.new(Log(), None)
    payload = GObject.Object()
    target = GObject.Object()
    token = GObject.Object()
    registry.register(target, payload, token)
    assert Wk.getrefcount(payload) == 1
    assert registry.unregister(token)
    assert Wk.getrefcount(payload) == 0


def test_unregister_before_death():
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    target = GObject.Object()
    token = GObject.Object()
    registry.register(target, 1, token)
    assert not registry.unregister(GObject.Object())
    assert registry.unregister(token)
    assert not registry.unregister(token)
    assert registry.get_size() == 0
    del target
    assert log.held == []


def test_token_shared_by_several_targets():
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    token = GObject.Object()
    targets = [GObject.Object() for _ in range(3)]
    for i, target in enumerate(targets):
        registry.register(target, i, token)
    other = GObject.Object()
    registry.register(other, 'other', None)
    assert registry.get_size() == 4
    assert registry.unregister(token)
    assert registry.get_size() == 1
    del targets, target, other
    assert log.held == ['other']


def test_token_dies_first():
    log = Log()
    registry = Wk.FinalizationRegistry.new(log, None)
    target = GObject.Object()
    token = GObject.Object()
    registry.register(target, 'x', token)
    token_ref = Wk.ref(token)
    del token
    assert token_ref() is None
    assert registry.get_size() == 1
    del target
    assert log.held == ['x']


def test_context_delivery():
    log = Log()
    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(log, None, context)
    targets = [GObject.Object() for _ in range(3)]
    for i, target in enumerate(targets):
        registry.register(target, i, None)
    del target
    while targets:
        targets.pop(0)
    assert log.held == []
    assert registry.get_size() == 3
    iterate(context)
    # In the order of the deaths.
    assert log.held == [0, 1, 2]
    assert registry.get_size() == 0


def test_context_by_keyword():
    log = Log()
    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(log, context=context)
    target = GObject.Object()
    registry.register(target, 'k', None)
    del target
    assert log.held == []
    iterate(context)
    assert log.held == ['k']


def test_unregister_after_death_before_delivery():
    log = Log()
    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(log, None, context)
    target = GObject.Object()
    registry.register(target, 'cancelled', target)
    other = GObject.Object()
    token = GObject.Object()
    registry.register(other, 'also cancelled', token)
    del other
    assert registry.get_size() == 2
    assert registry.unregister(token)
    assert not registry.unregister(token)
    # A token that is the target itself cannot be named after its death.
    del target
    assert registry.get_size() == 1
    iterate(context)
    assert log.held == ['cancelled']


def test_delivery_in_the_iterating_thread():
    log = Log()
    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(log, None, context)
    sync_log = Log()
    sync_registry = Wk.FinalizationRegistry.new(sync_log, None)
    box = [GObject.Object()]
    registry.register(box[0], 'threaded', None)
    sync_registry.register(box[0], 'sync', None)

    def drop():
        box.clear()
        drop.ident = threading.get_ident()

    worker = threading.Thread(target=drop)
    worker.start()
    worker.join()
    assert sync_log.held == ['sync']
    assert sync_log.threads == [drop.ident]
    assert log.held == []
    iterate(context)
    assert log.held == ['threaded']
    assert log.threads == [threading.get_ident()]


def test_registry_dropped_with_pending_registrations():
    log = Log()
    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(log, None, context)
    queued = GObject.Object()
    watched = GObject.Object()
    payload = GObject.Object()
    registry.register(queued, payload, None)
    registry.register(watched, payload, None)
    del queued
    assert Wk.getrefcount(payload) == 2
    del registry
    gc.collect()
    assert Wk.getrefcount(payload) == 0
    del watched
    iterate(context)
    assert log.held == []


def test_cleanup_closure_is_released():
    class Cleanup:
        def __call__(self, held, data):
            pass

    cleanup = Cleanup()
    before = sys.getrefcount(cleanup)
    registry = Wk.FinalizationRegistry.new(cleanup, None)
    assert sys.getrefcount(cleanup) > before
    del registry
    gc.collect()
    assert sys.getrefcount(cleanup) == before


def test_cleanup_exception_does_not_stop_delivery(capfd):
    held = []

    def cleanup(value, data):
        held.append(value)
        raise ValueError('boom')

    context = GLib.MainContext.new()
    registry = Wk.FinalizationRegistry.new(cleanup, None, context)
    targets = [GObject.Object() for _ in range(2)]
    for i, target in enumerate(targets):
        registry.register(target, i, None)
    del targets, target
    iterate(context)
    assert held == [0, 1]
    assert 'boom' in capfd.readouterr().err


def test_cleanup_unregisters_another():
    context = GLib.MainContext.new()
    token = GObject.Object()
    results = []

    def cleanup(value, data):
        results.append((value, registry.unregister(token)))

    registry = Wk.FinalizationRegistry.new(cleanup, None, context)
    first = GObject.Object()
    second = GObject.Object()
    registry.register(first, 'first', None)
    registry.register(second, 'second', token)
    del first, second
    iterate(context)
    assert results == [('first', True)]


def test_threads_race_unregister_against_death():
    delivered = []
    registry = Wk.FinalizationRegistry.new(lambda held, data: delivered.append(held), None)
    n = 2000
    unregistered = []
    tokens = [GObject.Object() for _ in range(n)]
    targets = [GObject.Object() for _ in range(n)]
    for i in range(n):
        registry.register(targets[i], i, tokens[i])

    def drop():
        while targets:
            targets.pop()

    def unregister():
        for i in reversed(range(n)):
            if registry.unregister(tokens[i]):
                unregistered.append(i)

    threads = [threading.Thread(target=drop), threading.Thread(target=unregister)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(delivered + unregistered) == list(range(n))
    assert registry.get_size() == 0


def test_bad_input_is_a_critical():
    # G_DEBUG=fatal-criticals is set for these tests; run the criticals in
    # a child without it.
    code = textwrap.dedent('''
        import gi
        gi.require_version('Wk', '1.0')
        from gi.repository import GObject, Wk
        registry = Wk.FinalizationRegistry.new(lambda *a: None, None)
        target = GObject.Object()
        registry.register(target, target, None)
        print('size', registry.get_size())
        bare = GObject.new(Wk.FinalizationRegistry)
        print('bare', bare.get_size())
    ''')
    env = dict(os.environ)
    env.pop('G_DEBUG', None)
    child = subprocess.run([sys.executable, '-c', code], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert 'size 0' in child.stdout
    assert 'bare 0' in child.stdout
    assert 'CRITICAL' in child.stderr
    assert 'g_value_get_object (held) == target' in child.stderr
    assert 'core != NULL' in child.stderr


def test_non_gobject_target_is_a_type_error():
    registry = Wk.FinalizationRegistry.new(Log(), None)
    with pytest.raises(TypeError):
        registry.register(object(), 1, None)
    with pytest.raises(TypeError):
        registry.register(None, 1, None)
    with pytest.raises(TypeError):
        registry.unregister(None)
