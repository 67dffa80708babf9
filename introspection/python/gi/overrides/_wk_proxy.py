# _wk_proxy.py: Wk.proxy, ProxyType, CallableProxyType
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: proxies.

A proxy forwards to its live referent, as CPython's does: attribute
access (the native module's getattro, or __getattribute__ here without
it) and the special methods below, unwrapping a proxy on the other side
of a binary operation. Its weak part is a native WeakBase (the same as a
Wk.ref's: counted by getweakrefcount, called back in the newest-first
order of every Wk callback), or, without the native module, a C
``Wk.Proxy`` (a WkRef subclass).

A proxy that C made (a ``Wk.Proxy``, handed out by ``Wk.getweakrefs``)
gets a Python face on first use, which lasts as long as it is used.
"""

import operator
import types
import weakref as _stdlib_weakref

from gi.repository import GLib, GObject

from ._wk_common import (
    MODULE, Wk, address, check_referent, native, report_unraisable,
    type_name)

_DEAD_MESSAGE = 'weakly-referenced object no longer exists'
_REF_ERROR = GLib.quark_to_string(Wk.ref_error_quark())

# GObject's own property accessors: a referent whose class has these (any
# GObject that does not define methods of those names) has its
# get_property/set_property reached through a C proxy, which reports
# what GObject would only warn about.
_GOBJECT_PROPERTY_METHODS = {
    'get_property': GObject.Object.get_property,
    'set_property': GObject.Object.set_property,
}

# The Python face of each live C proxy, by the C proxy's address, for
# getweakrefs(); the entry goes away with the face, which holds the C
# proxy, so an address in here is never one that was reused.
_python_faces = _stdlib_weakref.WeakValueDictionary()


if native is not None:
    _referent = native.referent
    _referent_or_none = native.referent_or_none

    class _ProxyBase(native.ProxyBase):
        # Nothing but the native weak part: every attribute is the
        # referent's (the native getattro forwards all but __class__).
        __slots__ = ()

    def _c_proxy(proxy):
        """A C Wk.Proxy to the referent, for the property accessors: the
        one this proxy is the face of, or a new one for the call."""
        c_proxy = native.c_ref(proxy)
        if c_proxy is None:
            c_proxy = Wk.Proxy.new(_referent(proxy), None)
        return c_proxy

    def _property_hook(proxy, ob, name):
        # Called by the native getattro for 'get_property'/'set_property'.
        if getattr(type(ob), name, None) is _GOBJECT_PROPERTY_METHODS[name]:
            return types.MethodType(_PROXY_PROPERTY_METHODS[name], proxy)
        return None

else:
    _proxy_new = Wk.Proxy.new
    _ref_get = Wk.Ref.get
    _ref_is_alive = Wk.Ref.is_alive

    class _ProxyBase:
        # Nothing but slots: every other attribute is the referent's. The
        # slots are reached through their descriptors (below), since
        # __getattribute__ and __setattr__ forward.
        __slots__ = ('_wk_proxy', '_wk_wrapper', '__weakref__')

        def __new__(cls, *args, **kwargs):
            raise TypeError("cannot create '%s' instances: use Wk.proxy()"
                            % cls.__name__)

        def __getattribute__(self, name):
            if name == '__class__':
                # Unlike CPython, not the referent's: see ProxyType.
                return type(self)
            ob = _referent(self)
            if name in _GOBJECT_PROPERTY_METHODS and (
                    getattr(type(ob), name, None)
                    is _GOBJECT_PROPERTY_METHODS[name]):
                return types.MethodType(_PROXY_PROPERTY_METHODS[name], self)
            return getattr(ob, name)

        def __setattr__(self, name, value):
            setattr(_referent(self), name, value)

        def __delattr__(self, name):
            delattr(_referent(self), name)

    _get_proxy = _ProxyBase._wk_proxy.__get__
    _set_proxy = _ProxyBase._wk_proxy.__set__
    _get_wrapper = _ProxyBase._wk_wrapper.__get__
    _set_wrapper = _ProxyBase._wk_wrapper.__set__

    def _referent_or_none(proxy):
        # While the wrapper we were made with lives, it holds the GObject,
        # which is alive unless disposed: no g_weak_ref_get() then.
        c_proxy = _get_proxy(proxy)
        ob = _get_wrapper(proxy)()
        if ob is not None and _ref_is_alive(c_proxy):
            return ob
        return _ref_get(c_proxy)

    def _referent(proxy):
        ob = _referent_or_none(proxy)
        if ob is None:
            raise ReferenceError(_DEAD_MESSAGE)
        return ob

    def _c_proxy(proxy):
        return _get_proxy(proxy)


def _unwrap(other):
    # A proxy on the other side of an operation stands for its referent,
    # as in CPython.
    if isinstance(other, _ProxyBase):
        return _referent(other)
    return other


def _proxy_repr(self):
    ob = _referent_or_none(self)
    if ob is None:
        return '<weakproxy at %#x; dead>' % id(self)
    return "<weakproxy at %#x; to '%s' at %#x>" % (id(self), type_name(ob), address(ob))


def _proxy_dir(self):
    # What CPython's proxy lists, through its forwarded __class__.
    return dir(_referent(self))


def _proxy_next(self):
    ob = _referent(self)
    if not hasattr(type(ob), '__next__'):
        raise TypeError("Weakref proxy referenced a non-iterator '%s' "
                        "object" % type_name(ob))
    return next(ob)


def _proxy_pow(self, other, modulo=None):
    if modulo is None:
        return pow(_referent(self), _unwrap(other))
    return pow(_referent(self), _unwrap(other), _unwrap(modulo))


def _proxy_rpow(self, other, modulo=None):
    if modulo is None:
        return pow(_unwrap(other), _referent(self))
    return pow(_unwrap(other), _referent(self), _unwrap(modulo))


def _proxy_ipow(self, other):
    return operator.ipow(_referent(self), _unwrap(other))


def _property_error(error):
    """The Python exception for a GLib.Error of the C property accessors:
    ReferenceError once dead, TypeError for an unknown property (as
    PyGObject raises), the GLib.Error itself otherwise."""
    if error.domain == _REF_ERROR:
        if error.code == Wk.RefError.DEAD:
            return ReferenceError(_DEAD_MESSAGE)
        if error.code == Wk.RefError.UNKNOWN_PROPERTY:
            return TypeError(error.message)
    return error


def _proxy_get_property(self, name):
    """The referent's property @name, read by the C proxy's
    wk_proxy_get_target_property()."""
    try:
        ok, value = _c_proxy(self).get_target_property(name)
    except GLib.Error as error:
        exc = _property_error(error)
        if exc is error:
            raise
        raise exc from error
    return value


def _proxy_set_property(self, name, value):
    """Sets the referent's property @name with the C proxy's
    wk_proxy_set_target_property(), which raises GLib.Error
    (Wk.RefError.PROPERTY_ACCESS, INVALID_VALUE) where GObject would only
    warn."""
    if not isinstance(value, GObject.Value):
        # PyGObject would guess the GValue type from the Python value (an
        # int as gint64, so never an enum); convert to the property's own
        # type instead, as GObject.Object.set_property does.
        pspec = type(_referent(self)).find_property(name)
        if pspec is not None:
            value = GObject.Value(pspec.value_type, value)
    try:
        _c_proxy(self).set_target_property(name, value)
    except GLib.Error as error:
        exc = _property_error(error)
        if exc is error:
            raise
        raise exc from error


_PROXY_PROPERTY_METHODS = {
    'get_property': _proxy_get_property,
    'set_property': _proxy_set_property,
}


def _forward_unary(op):
    def method(self):
        return op(_referent(self))
    return method


def _forward_binary(op):
    def method(self, other):
        return op(_referent(self), _unwrap(other))
    return method


def _forward_reflected(op):
    def method(self, other):
        return op(_unwrap(other), _referent(self))
    return method


def _forward_args(op):
    # Keys, items and values are passed as they are, as in CPython.
    def method(self, *args):
        return op(_referent(self), *args)
    return method


def _install_forwarding(cls):
    cls.__repr__ = _proxy_repr
    cls.__dir__ = _proxy_dir
    cls.__next__ = _proxy_next
    cls.__pow__ = _proxy_pow
    cls.__rpow__ = _proxy_rpow
    cls.__ipow__ = _proxy_ipow
    # Like CPython's proxies: a proxy hashes neither as itself (it
    # compares as its referent) nor as its referent (which may die).
    cls.__hash__ = None
    for name, op in [
            ('str', str), ('bytes', bytes), ('bool', bool), ('len', len),
            ('iter', iter), ('reversed', reversed),
            ('neg', operator.neg), ('pos', operator.pos),
            ('abs', operator.abs), ('invert', operator.invert),
            ('index', operator.index), ('int', int), ('float', float)]:
        setattr(cls, '__%s__' % name, _forward_unary(op))
    for name, op in [
            ('contains', operator.contains), ('getitem', operator.getitem),
            ('setitem', operator.setitem), ('delitem', operator.delitem)]:
        setattr(cls, '__%s__' % name, _forward_args(op))
    for name in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
        # The reflected comparison is the swapped one, which Python picks.
        setattr(cls, '__%s__' % name, _forward_binary(getattr(operator, name)))
    for name, op in [
            ('add', operator.add), ('sub', operator.sub),
            ('mul', operator.mul), ('matmul', operator.matmul),
            ('truediv', operator.truediv), ('floordiv', operator.floordiv),
            ('mod', operator.mod), ('divmod', divmod),
            ('lshift', operator.lshift), ('rshift', operator.rshift),
            ('and', operator.and_), ('or', operator.or_),
            ('xor', operator.xor)]:
        setattr(cls, '__%s__' % name, _forward_binary(op))
        setattr(cls, '__r%s__' % name, _forward_reflected(op))
        if name != 'divmod':
            # As in CPython, the result of the in-place operation on the
            # referent, which the name is then bound to.
            setattr(cls, '__i%s__' % name,
                    _forward_binary(getattr(operator, 'i' + name.rstrip('_'))))


_install_forwarding(_ProxyBase)


class ProxyType(_ProxyBase):
    """The type of :func:`Wk.proxy` proxies to objects that are not
    callable."""
    __slots__ = ()
    __module__ = MODULE


class CallableProxyType(_ProxyBase):
    """The type of :func:`Wk.proxy` proxies to callable objects."""
    __slots__ = ()
    __module__ = MODULE

    def __call__(self, *args, **kwargs):
        return _referent(self)(*args, **kwargs)


ProxyTypes = (ProxyType, CallableProxyType)


def _proxy_class(ob):
    return CallableProxyType if callable(ob) else ProxyType


if native is not None:
    native.setup(property_hook=_property_hook)

    def _make_proxy(ob, callback):
        return native.make_proxy(_proxy_class(ob), ob, callback)

    def _make_face(c_proxy, ob):
        return native.proxy_face(_proxy_class(ob), c_proxy)

else:
    def _proxy_callback_trampoline(proxy_ref, callback):
        # Called by C with the C proxy; the callback gets the Python proxy,
        # which the trampoline holds weakly: holding it strongly would make
        # a cycle through C (Python proxy -> C proxy -> callback -> Python
        # proxy) that keeps the proxy until its referent dies.
        def trampoline(c_proxy, *unused):
            proxy = proxy_ref()
            if proxy is None:
                return
            try:
                callback(proxy)
            except BaseException as exc:  # noqa: B902 - mirrors CPython
                report_unraisable(exc, callback)
        return trampoline

    def _make_face(c_proxy, ob, callback=None):
        self = object.__new__(_proxy_class(ob))
        if callback is not None:
            c_proxy.set_callback(_proxy_callback_trampoline(
                _stdlib_weakref.ref(self), callback))
        _set_proxy(self, c_proxy)
        _set_wrapper(self, _stdlib_weakref.ref(ob))
        _python_faces[address(c_proxy)] = self
        return self

    def _make_proxy(ob, callback):
        return _make_face(_proxy_new(ob, None), ob, callback)


def python_face_of(c_proxy):
    """The Python proxy for a C proxy (a Wk.Proxy) from wk_get_weak_refs():
    the one made for it before if it still lives, else a new one (or the
    C proxy itself if its referent has died)."""
    face = _python_faces.get(address(c_proxy))
    if face is None:
        ob = c_proxy.get()
        if ob is None:
            return c_proxy
        face = _make_face(c_proxy, ob)
        _python_faces[address(c_proxy)] = face
    return face


def proxy(ob, callback=None):
    """``Wk.proxy(ob, callback=None)``: a weak proxy to the GObject @ob,
    like :func:`weakref.proxy`.

    The proxy stands for @ob while it lives: attribute reads, writes and
    deletes, method calls, ``props`` and the special methods (str, bool,
    len, iteration, ``in``, item access, comparisons, arithmetic, and
    calls for a :class:`CallableProxyType`) go to @ob. Once @ob has died,
    any of these raises ``ReferenceError``. Like CPython's, a proxy is not
    hashable, and compares as its referent (a proxy on the other side is
    unwrapped too). @callback, if given, is called once with the proxy
    when @ob dies, in the same newest-first order as Wk refs, unless the
    proxy has died before; its exceptions go to ``sys.unraisablehook``.

    ``get_property()`` and ``set_property()`` on a proxy go through a C
    proxy's ``wk_proxy_get_target_property()`` /
    ``wk_proxy_set_target_property()`` (unless @ob's class has methods of
    its own by those names), which raise ``GLib.Error``
    (``Wk.RefError.PROPERTY_ACCESS``, ``INVALID_VALUE``) where GObject
    would only log a warning; an unknown property raises TypeError as
    with PyGObject.

    Differences from the stdlib:

    * Proxies are never shared: each call makes a new one (CPython shares
      the proxies without a callback).
    * The proxy follows the GObject, not its Python wrapper: it stays alive
      while C holds the object, and may then hand out a new wrapper.
    * ``reversed(proxy)`` is ``reversed(referent)``, which also works for
      a sequence without ``__reversed__``.
    * ``proxy.__class__`` is the proxy's type, not the referent's, so
      ``isinstance(proxy, GObject.Object)`` is False: PyGObject's
      comparison would otherwise take the proxy for a GObject wrapper and
      answer ``obj == proxy`` wrongly. ``dir(proxy)`` is the referent's.
    * A proxy cannot be passed where GI expects a GObject (PyGObject
      checks the type): pass the referent.
    """
    check_referent(ob)
    return _make_proxy(ob, callback)
