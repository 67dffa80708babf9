# Wk.py: the Python face of Wk, after the standard library's weakref module
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Weak references to GObjects with the names and behaviour of :mod:`weakref`.

A ``Wk.ref`` follows the GObject, not its Python wrapper: it stays alive
while C code (a ``Gio.ListStore``, a widget tree) holds the object, even
after every Python name and wrapper is gone, which is exactly where
``weakref.ref`` on a PyGObject wrapper reports the object dead.
"""

import sys

from gi.repository import GObject

from ..module import get_introspection_module
from ..overrides import override

Wk = get_introspection_module('Wk')

__all__ = []


def _unraisable_type():
    # sys.__unraisablehook__ accepts only its own argument type, which the
    # sys module does not export: catch one instance of it once.
    caught = []
    previous = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        class _Probe:
            def __del__(self):
                raise RuntimeError

        _Probe()
    finally:
        sys.unraisablehook = previous
    return type(caught[0])


_UnraisableHookArgs = _unraisable_type()


def _report_unraisable(exc, obj):
    """Hands @exc to sys.unraisablehook, as CPython does for exceptions
    raised by weakref callbacks, so they never reach unrelated code."""
    sys.unraisablehook(_UnraisableHookArgs(
        (type(exc), exc, exc.__traceback__, None, obj)))


def _type_name(obj):
    # 'Gtk.Button' for introspected classes (and their overrides), the bare
    # class name for Python subclasses, as CPython prints tp_name.
    cls = type(obj)
    info = cls.__dict__.get('__info__')
    if info is not None:
        return '%s.%s' % (info.get_namespace(), info.get_name())
    module = cls.__module__ or ''
    for prefix in ('gi.repository.', 'gi.overrides.'):
        if module.startswith(prefix):
            return '%s.%s' % (module[len(prefix):], cls.__name__)
    return cls.__qualname__


def _address(gobj):
    # PyGObject's hash of a wrapper is the address of its GObject.
    return GObject.Object.__hash__(gobj)


def _check_referent(ob):
    if not isinstance(ob, GObject.Object):
        raise TypeError("cannot create weak reference to '%s' object"
                        % type(ob).__name__)


def _callback_trampoline(callback):
    # Called by C with the WkRef; PyGObject hands us the Python object the
    # caller holds (or a fresh wrapper if only C held the ref).
    def trampoline(ref, *unused):
        try:
            callback(ref)
        except BaseException as exc:  # noqa: B902 - mirrors CPython
            _report_unraisable(exc, callback)
    return trampoline


class Ref(Wk.Ref):
    """``Wk.ref(obj, callback=None)``: a weak reference to a GObject.

    Calling the ref returns the referent, or None once it has died. The
    callback, if given, is called once with the ref when the referent dies
    (newest ref first), unless the ref itself has died before. Refs without
    a callback are shared: ``Wk.ref(o) is Wk.ref(o)``. Subclasses may add
    attributes, as with ``weakref.ref``.
    """

    def __new__(cls, ob, callback=None, *args, **kwargs):
        # Extra arguments are for subclasses' __init__, as weakref.ref allows.
        _check_referent(ob)
        if cls is Ref:
            if callback is None:
                return Wk.Ref.new(ob, None)
            self = Wk.Ref.new(ob, _callback_trampoline(callback))
        else:
            # A Python subclass is its own GType: construct it through
            # PyGObject so that the wrapper is the instance being made.
            self = GObject.Object.__new__(cls)
            GObject.Object.__init__(self, object=ob)
            if callback is not None:
                self.set_callback(_callback_trampoline(callback))
        if callback is not None:
            self._wk_callback = callback
        return self

    def __init__(self, ob, callback=None, *args, **kwargs):
        # Everything happened in __new__; subclasses call this as they
        # would call weakref.ref.__init__.
        pass

    def __call__(self):
        return self.get()

    @property
    def __callback__(self):
        if not self.is_alive():
            return None
        return self.__dict__.get('_wk_callback')

    def __hash__(self):
        # hash(r) == hash(referent), fixed the first time it is taken;
        # unlike CPython, a ref first hashed after its referent died does
        # not raise: it hashes by the C ref's identity hash.
        cached = self.__dict__.get('_wk_hash')
        if cached is None:
            ob = self.get()
            cached = hash(ob) if ob is not None else self.hash()
            self._wk_hash = cached
        return cached

    def __eq__(self, other):
        if not isinstance(other, Wk.Ref):
            return NotImplemented
        return self.equal(other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __repr__(self):
        ob = self.get()
        if ob is None:
            return '<Wk.ref at 0x%x; dead>' % _address(self)
        return "<Wk.ref at 0x%x; to '%s' at 0x%x>" % (
            _address(self), _type_name(ob), _address(ob))


Ref = override(Ref)
__all__.append('Ref')

ref = Ref
ReferenceType = Ref
__all__ += ['ref', 'ReferenceType']


def getweakrefcount(obj):
    """The number of Wk refs to @obj (0 for anything that is not a GObject)."""
    if not isinstance(obj, GObject.Object):
        return 0
    return Wk.get_weak_ref_count(obj)


def getweakrefs(obj):
    """The Wk refs to @obj, newest first ([] for a non-GObject)."""
    if not isinstance(obj, GObject.Object):
        return []
    return list(Wk.get_weak_refs(obj))


def getrefcount(obj):
    """The GObject's strong reference count, not counting the reference
    that the Python wrapper itself holds."""
    if not isinstance(obj, GObject.Object):
        raise TypeError("getrefcount() needs a GObject, not '%s'"
                        % type(obj).__name__)
    return Wk.Object.get_ref_count(obj) - 1


__all__ += ['getweakrefcount', 'getweakrefs', 'getrefcount']
