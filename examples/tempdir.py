#!/usr/bin/python3
# tempdir.py: the temporary-directory finalizer of the weakref docs, with Wk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The weakref documentation's TempDir, word for word except that the
# object is a GObject (a Wk.Object subclass) and the finalizer is
# Wk.finalize. The finalizer refers only to shutil.rmtree and the path,
# never to the object. Because Wk.finalize follows the GObject and not its
# Python wrapper, the directory also survives while only C code (here a
# Gio.ListStore) holds the object.

import gc
import os
import shutil
import tempfile

import gi

gi.require_version('Wk', '1.0')
from gi.repository import Gio, GObject, Wk  # noqa: E402


class TempDir(Wk.Object):
    def __init__(self):
        super().__init__()
        self.name = tempfile.mkdtemp(prefix='wk-tempdir-')
        with open(os.path.join(self.name, 'data.txt'), 'w') as f:
            f.write('some data\n')
        self._finalizer = Wk.finalize(self, shutil.rmtree, self.name)

    def remove(self):
        self._finalizer()

    @property
    def removed(self):
        return not self._finalizer.alive


def exists(path):
    return 'exists' if os.path.isdir(path) else 'is gone'


print('1. the object dies: its finalizer removes the directory')
d = TempDir()
name = d.name
print('   before del:', name, exists(name))
del d
print('   after:     ', name, exists(name))

print('2. remove() runs the finalizer early, once')
d = TempDir()
d.remove()
d.remove()
print('   removed:', d.removed, '-', d.name, exists(d.name))
del d

print('3. held only by C: the directory stays until C lets go')
store = Gio.ListStore.new(GObject.Object)
d = TempDir()
name = d.name
store.append(d)
del d
gc.collect()
print('   no Python reference left:', name, exists(name))
store.remove_all()
print('   the store let go:        ', name, exists(name))

print('4. still alive at exit: Python\'s atexit runs the finalizer')
keep = TempDir()
print('   at the end of the script:', keep.name, exists(keep.name))
# Newest first: this one runs just before the removal.
Wk.finalize(keep, print, '   at exit, removing', keep.name)
