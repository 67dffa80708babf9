# _wk_refs.py: Wk.ref, KeyedRef, WeakMethod and the counting functions
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: weak references.

With the native module, ``Wk.ref`` is a small Python object of its own
(``_wk_native.RefBase``): no GObject per ref. Its referent's weak state
lives in one Wk anchor per object, as for C refs, and callbacks are Wk
light finalizers, so they keep the newest-first order of every callback
on the object. Without it, ``Wk.ref`` is ``Ref``: a ``Wk.Ref`` GObject
made through PyGObject.

``Ref`` is the override of the ``Wk.Ref`` GI class either way, so that a
``Wk.Ref`` made by C (and handed out by ``Wk.getweakrefs``) behaves as a
Python ref: callable, hashable, comparable.
"""

import weakref as _stdlib_weakref

from gi.repository import GObject

from ._wk_common import (
    MODULE, Wk, address, check_referent, native, refuse_pickling,
    report_unraisable, type_name)
from ._wk_proxy import python_face_of


def _callback_trampoline(callback):
    # Called by C with the WkRef; PyGObject hands us the Python object the
    # caller holds (or a fresh wrapper if only C held the ref).
    def trampoline(ref, *unused):
        try:
            callback(ref)
        except BaseException as exc:  # noqa: B902 - mirrors CPython
            report_unraisable(exc, callback)
    return trampoline


def _ref_repr(self, ob, name='Wk.ref'):
    if ob is None:
        return '<%s at %#x; dead>' % (name, id(self))
    return "<%s at %#x; to '%s' at %#x>" % (name, id(self), type_name(ob), address(ob))


class Ref(Wk.Ref):
    """A ``Wk.Ref`` as Python sees it: a :class:`Wk.ref` made by GI or by
    C, and, without the native module, ``Wk.ref`` itself.

    Calling the ref returns the referent, or None once it has died. The
    callback, if given, is called once with the ref when the referent dies
    (newest ref first), unless the ref itself has died before. Refs without
    a callback are shared: ``Wk.ref(o) is Wk.ref(o)``. Subclasses may add
    attributes, as with ``weakref.ref``.
    """

    __module__ = MODULE

    def __new__(cls, ob, callback=None, *args, **kwargs):
        # Extra arguments are for subclasses' __init__, as weakref.ref allows.
        check_referent(ob)
        if cls is Ref:
            if callback is None:
                # The shared ref: it gets the wrapper shortcut too (see
                # __call__), from whichever wrapper is alive now.
                self = Wk.Ref.new(ob, None)
                wrapper = self.__dict__.get('_wk_wrapper')
                if wrapper is None or wrapper() is None:
                    self._wk_wrapper = _stdlib_weakref.ref(ob)
                return self
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
        # The wrapper we were given, held weakly, lets a call answer
        # without C while that wrapper lives (see __call__).
        self._wk_wrapper = _stdlib_weakref.ref(ob)
        return self

    def __init__(self, ob, callback=None, *args, **kwargs):
        # Everything happened in __new__; subclasses call this as they
        # would call weakref.ref.__init__.
        pass

    def __call__(self):
        # While a wrapper of the referent lives, it holds a reference on
        # the GObject, so the referent is alive unless it was disposed,
        # which is_alive() reads without a lock.
        wrapper = self.__dict__.get('_wk_wrapper')
        if wrapper is not None:
            ob = wrapper()
            if ob is not None and self.is_alive():
                return ob
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

    # Refs are not ordered (PyGObject would compare the addresses).
    def __lt__(self, other):
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    __reduce_ex__ = refuse_pickling

    def __repr__(self):
        return _ref_repr(self, self.get())


if native is not None:
    # Wk.ref is the native type itself (a static type: its calls and its
    # construction take no argument tuple); its repr and its refusal to
    # be pickled come from here.
    ref = native.ref
    native.setup(ref_repr=lambda r: _ref_repr(r, native.referent_or_none(r)),
                 refuse_pickling=refuse_pickling)
    _base_eq = ref.__eq__
    _base_ne = ref.__ne__
else:
    ref = Ref
    _base_eq = Ref.__eq__
    _base_ne = Ref.__ne__

ReferenceType = ref


class KeyedRef(ref):
    """``Wk.KeyedRef(ob, callback, key)``: a :class:`Wk.ref` that also
    carries the key of the entry it was made for, like
    :class:`weakref.KeyedRef`; :meth:`WeakValueDictionary.valuerefs` and
    :meth:`WeakValueDictionary.itervaluerefs` return these.

    Unlike the stdlib, the dictionary does not need the ref's callback to
    drop dead entries (the C table does that), so the refs it hands out
    have no callback, and each call makes new refs.
    """

    __module__ = MODULE
    if native is not None:
        __slots__ = ('key',)

    def __new__(cls, ob, callback, key):
        return super().__new__(cls, ob, callback)

    def __init__(self, ob, callback, key):
        super().__init__(ob, callback)
        self.key = key


class WeakMethod(ref):
    """``Wk.WeakMethod(meth, callback=None)``: a :class:`Wk.ref` to a bound
    method of a GObject, like :class:`weakref.WeakMethod`.

    The instance (``meth.__self__``) is held through the Wk ref, so it
    follows the GObject: the WeakMethod stays alive while C holds the
    object, even after every Python wrapper is gone (where the stdlib's
    dies with the wrapper); the function is held with a
    :func:`weakref.ref`. Calling it returns a new bound method, or None
    once the instance or the function has died; @callback is called once
    with the WeakMethod when the first of them dies.
    """

    __module__ = MODULE
    if native is not None:
        __slots__ = ('_func_ref', '_meth_type', '_alive')

    def __new__(cls, meth, callback=None):
        try:
            obj = meth.__self__
            func = meth.__func__
        except AttributeError:
            raise TypeError('argument should be a bound method, not {}'
                            .format(type(meth))) from None

        def _cb(arg):
            # The weak self-reference avoids a cycle (ref -> callback ->
            # ref), as in the stdlib.
            self = self_wr()
            if self is not None and self._alive:
                self._alive = False
                if callback is not None:
                    callback(self)

        self = super().__new__(cls, obj, _cb)
        self._func_ref = _stdlib_weakref.ref(func, _cb)
        self._meth_type = type(meth)
        self._alive = True
        self_wr = _stdlib_weakref.ref(self)
        return self

    def __init__(self, meth, callback=None):
        pass

    def __call__(self):
        obj = super().__call__()
        func = self._func_ref()
        if obj is None or func is None:
            return None
        return self._meth_type(func, obj)

    def __eq__(self, other):
        if isinstance(other, WeakMethod):
            if not self._alive or not other._alive:
                return self is other
            return _base_eq(self, other) and self._func_ref == other._func_ref
        return NotImplemented

    def __ne__(self, other):
        if isinstance(other, WeakMethod):
            if not self._alive or not other._alive:
                return self is not other
            return _base_ne(self, other) or self._func_ref != other._func_ref
        return NotImplemented

    __hash__ = ref.__hash__

    def __repr__(self):
        return ref.__repr__(self).replace('<Wk.ref', '<Wk.WeakMethod', 1)


def getweakrefcount(obj):
    """The number of Wk refs and proxies to @obj, made in Python or in C
    (0 for anything that is not a GObject)."""
    if not isinstance(obj, GObject.Object):
        return 0
    count = Wk.get_weak_ref_count(obj)
    if native is not None:
        count += native.python_ref_count(obj)
    return count


def _python_ref(c_ref):
    # The Python face of a ref from C: the Python proxy of a C proxy.
    if isinstance(c_ref, Wk.Proxy):
        return python_face_of(c_ref)
    return c_ref


def getweakrefs(obj):
    """The Wk refs and proxies to @obj ([] for a non-GObject): those made
    in Python, newest first, then those made in C (``Wk.Ref.new`` and C
    code), newest first. A proxy appears as its Python proxy (a
    :class:`ProxyType` or :class:`CallableProxyType`); for a proxy that C
    made, a Python proxy is made on first use."""
    if not isinstance(obj, GObject.Object):
        return []
    refs = native.python_refs(obj) if native is not None else []
    refs.extend(_python_ref(c_ref) for c_ref in Wk.get_weak_refs(obj))
    return refs


def getrefcount(obj):
    """The GObject's strong reference count, not counting the reference
    that the Python wrapper itself holds."""
    if not isinstance(obj, GObject.Object):
        raise TypeError("getrefcount() needs a GObject, not '%s'"
                        % type(obj).__name__)
    return Wk.Object.get_ref_count(obj) - 1
