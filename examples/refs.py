#!/usr/bin/python3
# refs.py: a tour of Wk weak references, in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Wk.ref reads like weakref.ref, but it follows the GObject, not its
# Python wrapper: the last section shows where the stdlib goes wrong.

import gc
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402


class Image(Wk.Object):
    """A model object with Python state."""

    def __init__(self, name):
        super().__init__()
        self.name = name

    def __repr__(self):
        return '<Image %s>' % self.name


print('== Refs and callbacks ==')
img = Image('cat.png')
r = Wk.ref(img)
print('r =', r)
print('r() is img:', r() is img, '| Wk.ref(img) is r:', Wk.ref(img) is r)


def make_callback(name):
    def callback(ref):
        print('  callback %s: every ref reads None already: %s'
              % (name, all(x() is None for x in callbacks)))
    return callback


callbacks = [Wk.ref(img, make_callback(n)) for n in ('first', 'second', 'third')]
print('Wk.getweakrefcount(img) =', Wk.getweakrefcount(img))
print('dropping the last reference (newest callback first):')
del img
gc.collect()
print('r() =', r(), '| r =', r)

print()
print('== The ListStore case: C holds the object, Python holds nothing ==')
store = Gio.ListStore.new(GObject.Object)
img = Image('dog.png')
store.append(img)
wk_ref = Wk.ref(img)
plain = GObject.Object()
store.append(plain)
std_ref = weakref.ref(plain)
wk_plain = Wk.ref(plain)
print('Wk.getrefcount(plain) =', Wk.getrefcount(plain), '(the store\'s)')
del img, plain
gc.collect()
print('every Python name is gone; the store still holds both objects')
print('  stdlib weakref.ref(plain)() =', std_ref(), ' <- wrong: the GObject lives')
print('  Wk.ref(plain)()             =', wk_plain())
print('  Wk.ref(dog)()               =', wk_ref(), 'with its Python state:', wk_ref().name)
print('the store lets go:')
store.remove_all()
gc.collect()
print('  Wk.ref(plain)() =', wk_plain(), '| Wk.ref(dog)() =', wk_ref())

print()
print('== Bad referents ==')
try:
    Wk.ref(42)
except TypeError as e:
    print('Wk.ref(42) -> TypeError:', e)
