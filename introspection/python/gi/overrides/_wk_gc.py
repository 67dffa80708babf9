# _wk_gc.py: Wk.gc, Python's gc module for WkObjects
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: the collector's Python face."""

import operator
import os
import types

from gi.repository import GObject

from ._wk_common import Wk, address, report_unraisable

# Wk.gc is Python's gc module for WkObjects: a module object (so that
# `from gi.repository import Wk; Wk.gc.collect()` and `gc = Wk.gc` read as
# they do with the stdlib), whose functions are the collector's, Wk.Gc.*
# (gobject-introspection files the wk_gc_* functions under the WkGc class).
# It sees WkObjects only: get_objects() lists the tracked WkObjects, not
# every Python object, and get_referents() the objects a WkObject's
# traverse visits (by default, what it holds with Wk.Object.hold()).
#
# A Python subclass of Wk.Object whose wrapper has Python state (an
# attribute set on it, or a Python-side reference PyGObject must keep)
# is held by PyGObject with a GLib toggle reference; the collector counts
# that as a reference from outside the tracked objects, so a cycle of such
# objects is not collected (see introspection/tests/test_gc.py). Link
# objects without Python attributes, or break the cycle by hand.

_Gc = Wk.Gc
_N_GENERATIONS = 3


def _gc_int(value):
    # As CPython's gc: anything with __index__, bools included.
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError("'%s' object cannot be interpreted as an integer"
                        % type(value).__name__) from None


class _GcModule(types.ModuleType):
    """``Wk.gc``: the names and behaviour of :mod:`gc`, for WkObjects."""

    DEBUG_STATS = int(Wk.GcDebugFlags.STATS)
    DEBUG_COLLECTABLE = int(Wk.GcDebugFlags.COLLECTABLE)
    DEBUG_UNCOLLECTABLE = int(Wk.GcDebugFlags.UNCOLLECTABLE)
    DEBUG_SAVEALL = int(Wk.GcDebugFlags.SAVEALL)
    DEBUG_LEAK = int(Wk.GcDebugFlags.LEAK)

    AUTO_IDLE = Wk.GcAutoMode.IDLE
    AUTO_ALLOC = Wk.GcAutoMode.ALLOC

    def __init__(self):
        super().__init__('Wk.gc', _GcModule.__doc__)
        self.callbacks = []
        self._wk_handlers = None
        self._connect()

    def _connect(self):
        # Once, for the life of the process: the collector is a singleton.
        collector = _Gc.get_default()
        self._wk_handlers = (
            collector.connect('collect-start', self._on_start),
            collector.connect('collect-end', self._on_end),
        )

    def _run_callbacks(self, phase, info):
        # A copy: a callback may add or remove callbacks, as in CPython.
        for callback in list(self.callbacks):
            try:
                callback(phase, dict(info))
            except BaseException as exc:  # noqa: B902 - as CPython's gc
                report_unraisable(exc, callback)

    def _on_start(self, collector, generation):
        if self.callbacks:
            self._run_callbacks('start', {'generation': generation,
                                          'collected': 0, 'uncollectable': 0})

    def _on_end(self, collector, generation, collected, uncollectable):
        if self.callbacks:
            self._run_callbacks('stop', {'generation': generation,
                                         'collected': collected,
                                         'uncollectable': uncollectable})

    def __dir__(self):
        # The functions are the class's, not in the module's __dict__:
        # list them, as dir(gc) does, for tab completion.
        names = set(self.__dict__)
        names.update(name for name in dir(type(self)) if not name.startswith('_'))
        names.update(('__name__', '__doc__'))
        return sorted(names)

    # -- switching ---------------------------------------------------------

    def enable(self):
        """Turns automatic collection on."""
        _Gc.enable()

    def disable(self):
        """Turns automatic collection off; collect() still works."""
        _Gc.disable()

    def isenabled(self):
        """Whether automatic collection is on."""
        return bool(_Gc.is_enabled())

    def set_auto_mode(self, mode):
        """Where automatic collections run: AUTO_IDLE (an idle source on
        the default main context) or AUTO_ALLOC (at once, in the thread
        that creates the object crossing the threshold)."""
        _Gc.set_auto_mode(Wk.GcAutoMode(mode))

    def get_auto_mode(self):
        return _Gc.get_auto_mode()

    # -- collecting --------------------------------------------------------

    def collect(self, generation=2):
        """Collects generations 0 to @generation now, in this thread;
        returns how many unreachable objects it found."""
        generation = _gc_int(generation)
        if not 0 <= generation < _N_GENERATIONS:
            raise ValueError('invalid generation')
        return _Gc.collect(generation)

    def get_count(self):
        return tuple(_Gc.get_count())

    def get_threshold(self):
        return tuple(_Gc.get_threshold())

    def set_threshold(self, threshold0, threshold1=None, threshold2=None):
        """Sets the thresholds; the ones left out keep their values.
        threshold0 = 0 turns automatic collection off."""
        old = _Gc.get_threshold()
        new = [threshold0,
               old[1] if threshold1 is None else threshold1,
               old[2] if threshold2 is None else threshold2]
        for value in new:
            _gc_int(value)
        if any(value < 0 for value in new):
            raise ValueError('threshold must be non-negative')
        _Gc.set_threshold(*new)

    def get_stats(self):
        """A list of one dict per generation, as gc.get_stats()."""
        return [{'collections': collections, 'collected': collected,
                 'uncollectable': uncollectable}
                for collections, collected, uncollectable
                in _Gc.get_stats().unpack()]

    # -- inspecting --------------------------------------------------------

    def get_objects(self, generation=None):
        """The tracked WkObjects (of @generation, if given)."""
        if generation is None:
            return list(_Gc.get_objects(-1))
        generation = _gc_int(generation)
        if generation >= _N_GENERATIONS:
            raise ValueError('generation parameter must be less than the '
                             'number of available generations (%i)'
                             % _N_GENERATIONS)
        if generation < 0:
            raise ValueError('generation parameter cannot be negative')
        return list(_Gc.get_objects(generation))

    def is_tracked(self, obj):
        """Whether the collector tracks @obj: True for every live
        WkObject, False for anything else."""
        if not isinstance(obj, GObject.Object):
            return False
        return bool(_Gc.is_tracked(obj))

    def get_referrers(self, *objs):
        """The tracked objects whose traverse visits any of @objs."""
        result = []
        seen = set()
        for obj in objs:
            if not isinstance(obj, GObject.Object):
                continue
            for referrer in _Gc.get_referrers(obj):
                key = address(referrer)
                if key not in seen:
                    seen.add(key)
                    result.append(referrer)
        return result

    def get_referents(self, *objs):
        """The objects that the traverse of each of @objs visits."""
        result = []
        for obj in objs:
            if isinstance(obj, GObject.Object):
                result.extend(_Gc.get_referents(obj))
        return result

    def freeze(self):
        """Moves every tracked object to the permanent generation."""
        _Gc.freeze()

    def unfreeze(self):
        """Moves the permanent generation back into the oldest one."""
        _Gc.unfreeze()

    def get_freeze_count(self):
        return _Gc.get_freeze_count()

    # -- debugging ---------------------------------------------------------

    def set_debug(self, flags):
        _gc_int(flags)
        _Gc.set_debug(Wk.GcDebugFlags(flags))

    def get_debug(self):
        return int(_Gc.get_debug())

    # -- seeing what holds what --------------------------------------------

    def census(self):
        """The live tracked objects by type name, as a dict, most numerous
        first: ``{'MyNode': 120, 'WkObject': 3}``."""
        counts = _Gc.get_census().unpack()
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def census_diff(self, before, after):
        """What changed between two :meth:`census` results: type name to
        the change of its count, for the names whose count changed."""
        names = set(before) | set(after)
        return {name: after.get(name, 0) - before.get(name, 0) for name in sorted(names)
                if after.get(name, 0) != before.get(name, 0)}

    def _write_graph(self, objs, filename, max_depth, flags):
        if isinstance(objs, GObject.Object):
            objs = [objs]
        try:
            roots = list(objs)
        except TypeError:
            raise TypeError('expected a GObject or an iterable of GObjects, not %r'
                            % type(objs).__name__) from None
        for obj in roots:
            if not isinstance(obj, GObject.Object):
                raise TypeError('expected GObjects, not %r' % type(obj).__name__)
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError('filename must be a str or os.PathLike, not %r'
                            % type(filename).__name__)
        max_depth = _gc_int(max_depth)
        if max_depth < 0:
            raise ValueError('max_depth must be non-negative')
        return bool(_Gc.write_graph(roots, max_depth, flags, os.fsdecode(filename)))

    def show_refs(self, objs, filename, max_depth=3):
        """Writes a Graphviz graph of what @objs (a GObject or a list of
        them) reach along hold()/traverse edges, to @filename: DOT, or a
        .png/.svg rendered by Graphviz's ``dot`` when it is on PATH
        (otherwise GLib.Error, and the .dot is written next to it)."""
        return self._write_graph(objs, filename, max_depth, Wk.GcGraphFlags.REFERENTS)

    def show_backrefs(self, objs, filename, max_depth=3):
        """Like :meth:`show_refs`, following referrers: what holds @objs."""
        return self._write_graph(objs, filename, max_depth, Wk.GcGraphFlags.REFERRERS)

    def report_leaks(self):
        """Prints, on stderr, the census of live tracked objects and a
        referrer chain from a root for the largest groups."""
        _Gc.report_leaks()

    @property
    def garbage(self):
        """The objects found unreachable but not freed (all of them with
        DEBUG_SAVEALL): a new list on each read."""
        return list(_Gc.get_garbage())


gc = _GcModule()
