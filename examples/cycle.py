#!/usr/bin/python3
# cycle.py: a reference cycle, leaked by GObjects, collected by Wk.gc
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Three objects, A -> B -> C -> A. Python's gc collects cycles of Python
# objects, but not cycles of GObjects: their references live in C, where
# it cannot look. In the first half plain GObjects (Gio.ListStores, a C
# container) hold each other, and the cycle leaks: a weak reference to A
# stays alive.
#
# With Wk.Object and hold(), Wk.gc.collect() finds the cycle and frees it,
# as gc.collect() would for Python objects. The nodes carry no Python
# attributes: a wrapper with Python state is held by PyGObject through a
# toggle reference, which the collector treats as a reference from outside,
# so such a cycle stays (see introspection/tests/test_gc.py).

import gc

import gi

gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402


def state(ref):
    return 'alive' if ref() is not None else 'dead'


print('Plain GObjects, A -> B -> C -> A through Gio.ListStore links:')
a, b, c = (Gio.ListStore.new(GObject.Object) for _ in range(3))
a.append(b)
b.append(c)
c.append(a)
ref = Wk.ref(a)
del a, b, c
print('  dropped our names:', 'A is', state(ref))
print('  gc.collect() found', gc.collect(), 'Python objects;',
      'Wk.gc.collect() found', Wk.gc.collect(), '(ListStores are not tracked)')
print('  A is still', state(ref) + ': the cycle leaks')
print()


class Node(Wk.Object):
    """A Wk.Object subclass with no Python attributes."""


def on_gc(phase, info):
    print('  (Wk.gc callback: %s %s)' % (phase, info))


print('Wk.Objects, A -> B -> C -> A with hold():')
a, b, c = Node(), Node(), Node()
a.hold(b)
b.hold(c)
c.hold(a)
refs = {name: Wk.ref(node, lambda r, name=name: print('  (weak ref callback:', name, 'is dead)'))
        for name, node in zip('ABC', (a, b, c))}
Wk.finalize(a, print, '  (finalizer of A runs)')
del a, b, c
print('  dropped our names:', 'A is', state(refs['A']),
      '(ref count %d)' % Wk.getrefcount(refs['A']()))
Wk.gc.callbacks.append(on_gc)
print('  Wk.gc.collect():')
found = Wk.gc.collect()
Wk.gc.callbacks.remove(on_gc)
print('  found', found, 'unreachable objects:',
      ', '.join('%s is %s' % (name, state(r)) for name, r in refs.items()))
