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
import weakref as _stdlib_weakref

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
        # which is_alive() reads without a lock. Answering here skips the
        # C call; above all it skips GLib's g_weak_ref_get() on a referent
        # whose only reference is PyGObject's toggle reference, which on
        # GLib 2.74 runs PyGObject's toggle notify (taking the GIL) under
        # GLib's global weak-ref lock and can deadlock with a thread that
        # holds the GIL and drops another object.
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
    """The Wk refs and proxies to @obj, newest first ([] for a
    non-GObject). A proxy appears as its Python proxy (a
    :class:`ProxyType` or :class:`CallableProxyType`); for a C proxy that
    has none (one made by C), a new Python proxy is made."""
    if not isinstance(obj, GObject.Object):
        return []
    return [_python_ref(ref) for ref in Wk.get_weak_refs(obj)]


def getrefcount(obj):
    """The GObject's strong reference count, not counting the reference
    that the Python wrapper itself holds."""
    if not isinstance(obj, GObject.Object):
        raise TypeError("getrefcount() needs a GObject, not '%s'"
                        % type(obj).__name__)
    return Wk.Object.get_ref_count(obj) - 1


__all__ += ['getweakrefcount', 'getweakrefs', 'getrefcount']


# ---------------------------------------------------------------------------
# Weak collections: WeakValueDictionary, WeakKeyDictionary, WeakSet
#
# Each is backed by one of the C tables (WkWeakValueDict, WkWeakKeyDict,
# WkWeakSet), so an entry follows the GObject and not its Python wrapper,
# and the same table can be shared with C. Python never keeps a list of
# refs of its own: the C table is the only state.

import collections.abc as _abc  # noqa: E402
import copy as _copy  # noqa: E402
import types as _types  # noqa: E402

from gi.repository import GLib  # noqa: E402

# The raw GI classes, captured before the overrides below shadow a name.
_WkWeakValueDict = Wk.WeakValueDict
_WkWeakKeyDict = Wk.WeakKeyDict
_WkWeakSet = Wk.WeakSet

_MISSING = object()


class KeyedRef(Ref):
    """``Wk.KeyedRef(ob, callback, key)``: a :class:`Wk.ref` that also
    carries the key of the entry it was made for, like
    :class:`weakref.KeyedRef`; :meth:`WeakValueDictionary.valuerefs` and
    :meth:`WeakValueDictionary.itervaluerefs` return these.

    Unlike the stdlib, the dictionary does not need the ref's callback to
    drop dead entries (the C table does that), so the refs it hands out
    have no callback, and each call makes new refs.
    """

    def __new__(cls, ob, callback, key):
        return super().__new__(cls, ob, callback)

    def __init__(self, ob, callback, key):
        super().__init__(ob, callback)
        self.key = key


__all__.append('KeyedRef')


# WeakValueDictionary keys are stored as GVariants. Keys that are equal in
# Python must map to one GVariant, and keys read back from the table must
# convert back to the Python key they came from:
#
#   bool, int in int64 range, integral float  -> 'x'  (1 == 1.0 == True)
#   other float (fractional, inf, nan)         -> 'd'
#   str                                        -> 's'
#   bytes                                      -> 'ay'
#   None                                       -> 'mv' Nothing
#   tuple                                      -> a GVariant tuple of the
#                                                 converted items, nested
#   int outside int64 (integral floats too)    -> 'v' holding 's' hex(n),
#                                                 e.g. '0x10000000000000000'
#                                                 or '-0x8000000000000001'
#                                                 (hex: str(n) is limited
#                                                 to 4300 digits)
#   str that 's' cannot hold (NUL, lone
#   surrogates)                                -> 'v' holding 'ay', its
#                                                 UTF-8 ('surrogatepass')
#   GLib.Variant                               -> itself, unchanged
#
# No other conversion makes a bare 'v', so the two escapes cannot meet a
# converted key. A key that C put in the table in some other form (an 'i',
# an 'as', a 'd' holding 2.0) has no Python key that converts to it: it
# reads back as the GLib.Variant itself, which works as a key again.

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_NOTHING = GLib.Variant('mv', None)
_BYTES_TYPE = GLib.VariantType.new('ay')
_KEY_TYPES = 'str, int, float, bool, bytes, None, GLib.Variant or tuples of these'


class _NotCanonical(Exception):
    """A stored GVariant that no Python key converts to."""


def _bytes_variant(data):
    return GLib.Variant.new_from_bytes(_BYTES_TYPE, GLib.Bytes.new(data), True)


def _variant_bytes(variant):
    return variant.get_data_as_bytes().get_data() or b''


def _str_needs_escape(text):
    # 's' is NUL-terminated UTF-8: PyGObject would cut the string at a NUL
    # (making 'a\0b' the key 'a'), and cannot encode lone surrogates.
    if '\0' in text:
        return True
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return True
    return False


def _plain_str(key):
    """Whether @key is a str that the table stores as an 's' holding it
    (see above), and that the table's _string calls take as it is: the
    common key, which then costs no GLib.Variant (in PyGObject making one
    costs more than the lookup). Other strs take the general path."""
    return type(key) is str and key.isascii() and '\0' not in key


def _variant_key(key):
    """The GVariant that stands for @key in the table (see above)."""
    if isinstance(key, str):
        if _str_needs_escape(key):
            return GLib.Variant.new_variant(
                _bytes_variant(key.encode('utf-8', 'surrogatepass')))
        return GLib.Variant.new_string(key)
    if isinstance(key, int):
        key = int(key)          # bool and int subclasses (IntEnum)
        if _INT64_MIN <= key <= _INT64_MAX:
            return GLib.Variant.new_int64(key)
        # hex() has no length limit, unlike str() (sys.int_info).
        return GLib.Variant.new_variant(GLib.Variant.new_string(hex(key)))
    if isinstance(key, float):
        if key.is_integer():    # 1.0 == 1; also -0.0 == 0
            return _variant_key(int(key))
        return GLib.Variant.new_double(key)
    if isinstance(key, bytes):
        return _bytes_variant(bytes(key))
    if key is None:
        return _NOTHING
    if isinstance(key, tuple):
        return GLib.Variant.new_tuple(*[_variant_key(item) for item in key])
    if isinstance(key, GLib.Variant):
        return key
    raise TypeError("unsupported key type: '%s' (Wk.WeakValueDictionary keys "
                    "are %s)" % (type(key).__name__, _KEY_TYPES))


def _decode_key(variant):
    type_string = variant.get_type_string()
    if type_string == 'x':
        return variant.get_int64()
    if type_string == 's':
        return variant.get_string()
    if type_string == 'd':
        value = variant.get_double()
        if value.is_integer():
            raise _NotCanonical
        return value
    if type_string == 'ay':
        return _variant_bytes(variant)
    if type_string == 'mv':
        if variant.n_children() == 0:
            return None
        raise _NotCanonical
    if type_string.startswith('('):
        return tuple(_decode_key(variant.get_child_value(i))
                     for i in range(variant.n_children()))
    if type_string == 'v':
        inner = variant.get_variant()
        inner_type = inner.get_type_string()
        if inner_type == 's':
            text = inner.get_string()
            try:
                value = int(text, 16)
            except ValueError:
                raise _NotCanonical from None
            if hex(value) == text and not _INT64_MIN <= value <= _INT64_MAX:
                return value
        elif inner_type == 'ay':
            try:
                text = _variant_bytes(inner).decode('utf-8', 'surrogatepass')
            except UnicodeDecodeError:
                raise _NotCanonical from None
            if _str_needs_escape(text):
                return text
    raise _NotCanonical


def _python_key(variant):
    """The Python key for a GVariant read from the table: the value it was
    converted from, or the GLib.Variant itself if it is not in the form a
    conversion makes (a key put there by C)."""
    try:
        return _decode_key(variant)
    except _NotCanonical:
        return variant


class _WeakMapping(_abc.MutableMapping):
    """What both weak dictionaries share with the stdlib's: keys(),
    values() and items() as iterators over a snapshot taken when they are
    called (each class supplies _snapshot and the _iter_* generators), the
    dict union operators of Python 3.9, and the repr."""

    def keys(self):
        """An iterator over the keys of the live entries."""
        return self._iter_keys(self._snapshot())

    def values(self):
        """An iterator over the values of the live entries."""
        return self._iter_values(self._snapshot())

    def items(self):
        """An iterator over the (key, value) pairs of the live entries."""
        return self._iter_items(self._snapshot())

    def __or__(self, other):
        if isinstance(other, _abc.Mapping):
            c = self.copy()
            c.update(other)
            return c
        return NotImplemented

    def __ror__(self, other):
        if isinstance(other, _abc.Mapping):
            c = self.__class__()
            c.update(other)
            c.update(self)
            return c
        return NotImplemented

    def __ior__(self, other):
        self.update(other)
        return self

    def __repr__(self):
        return '<%s at %#x>' % (_type_name(self), id(self))


class WeakValueDictionary(_WeakMapping):
    """``Wk.WeakValueDictionary(other=(), /, **kwargs)``: a mapping whose
    values are GObjects held weakly, like :class:`weakref.WeakValueDictionary`.

    An entry goes away when its value dies. The value is the GObject, not
    its Python wrapper: an object that C still holds (in a
    ``Gio.ListStore``, a widget tree) keeps its entry after every Python
    name for it is gone, and reads back as a (possibly new) wrapper of the
    same GObject. Values must be GObjects (anything else raises
    ``TypeError: cannot create weak reference to 'int' object``).

    The entries live in a C ``Wk.WeakValueDict`` made with
    ``new_for_variants()``, available as :attr:`table`. To use a table made
    elsewhere (by C, or by GI calls), pass it as the only positional
    argument: ``Wk.WeakValueDictionary(table)`` wraps that table (it does
    not copy it), so changes show on both sides; keyword arguments are
    then inserted into it. The table must have GVariant keys (made with
    ``Wk.WeakValueDict.new_for_variants()``, not C's
    ``wk_weak_value_dict_new()``): the C library gives no way to check
    this, and calls on any other table fail with a critical.

    Differences from the stdlib:

    * Keys are limited to str, int, float, bool, bytes, None, GLib.Variant
      and (nested) tuples of these, since they are stored as GVariants; any
      other key raises TypeError in every operation, lookups included (a
      GLib.Variant key is used as it is: ``GLib.Variant('x', 1)`` is the
      key ``1``). Keys
      are normalized: keys equal in Python are one entry (``1``, ``1.0``
      and ``True`` are one key), and come back normalized (``d[True] = o``
      then ``list(d) == [1]``); all NaNs with the same bits are one key.
      A key that C stored in a form no Python key converts to comes back
      as the GLib.Variant, which works as a key.
    * Iteration (``iter``, ``keys``, ``values``, ``items``,
      ``itervaluerefs``) runs over a snapshot of the keys taken when it
      starts, so the dictionary may change during the loop (no
      RuntimeError); each entry is looked up again as it comes, so dead and
      removed entries are never yielded. ``keys()``, ``values()`` and
      ``items()`` return iterators, as in the stdlib, not views.
    * ``valuerefs()`` and ``itervaluerefs()`` make new :class:`Wk.KeyedRef`
      objects without a callback on each call.
    * ``popitem()`` takes a snapshot of the keys: O(n).
    * A value that refers back to the dictionary makes a cycle through C
      that Python's garbage collector cannot see.
    """

    def __init__(self, other=(), /, **kwargs):
        if isinstance(other, _WkWeakValueDict):
            self._table = other
            other = None
        else:
            self._table = _WkWeakValueDict.new_for_variants()
        self.update(other, **kwargs)

    @property
    def table(self):
        """The C ``Wk.WeakValueDict`` that holds the entries."""
        return self._table

    def _insert(self, variant, value):
        self._table.insert(variant, value)

    def _steal(self, variant):
        return self._table.steal(variant)

    def _snapshot(self):
        return self._table.get_keys()

    # The mapping protocol.

    def _lookup(self, key):
        if _plain_str(key):
            return self._table.lookup_string(key)
        return self._table.lookup(_variant_key(key))

    def __getitem__(self, key):
        value = self._lookup(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        _check_referent(value)
        if _plain_str(key):
            self._table.insert_string(key, value)
        else:
            self._insert(_variant_key(key), value)

    def __delitem__(self, key):
        if _plain_str(key):
            removed = self._table.remove_string(key)
        else:
            removed = self._table.remove(_variant_key(key))
        if not removed:
            raise KeyError(key)

    def __contains__(self, key):
        if _plain_str(key):
            return self._table.contains_string(key)
        return self._table.contains(_variant_key(key))

    def __len__(self):
        return self._table.get_size()

    def __iter__(self):
        return self._iter_keys(self._snapshot())

    def _iter_keys(self, variants):
        contains = self._table.contains
        for variant in variants:
            if contains(variant):
                yield _python_key(variant)

    def _iter_items(self, variants):
        lookup = self._table.lookup
        for variant in variants:
            value = lookup(variant)
            if value is not None:
                yield _python_key(variant), value

    def _iter_values(self, variants):
        lookup = self._table.lookup
        for variant in variants:
            value = lookup(variant)
            if value is not None:
                yield value


    def itervaluerefs(self):
        """An iterator over :class:`Wk.KeyedRef` refs to the values, whose
        ``key`` is the entry's key. A ref that is handed out does not keep
        its value alive, as in the stdlib, so check ``r()`` when using it."""
        return self._iter_valuerefs(self._snapshot())

    def _iter_valuerefs(self, variants):
        lookup = self._table.lookup
        for variant in variants:
            value = lookup(variant)
            if value is not None:
                ref = KeyedRef(value, None, _python_key(variant))
                # Not held by the suspended generator.
                del value
                yield ref

    def valuerefs(self):
        """A list of :class:`Wk.KeyedRef` refs to the values."""
        return list(self.itervaluerefs())

    def get(self, key, default=None):
        value = self._lookup(key)
        return default if value is None else value

    def pop(self, key, default=_MISSING):
        # steal removes and returns in one step; None is a missing key or
        # a value that has started to die, both missing for Python.
        value = self._steal(_variant_key(key))
        if value is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return value

    def popitem(self):
        for variant in self._snapshot():
            value = self._steal(variant)
            if value is not None:
                return _python_key(variant), value
        raise KeyError('popitem(): dictionary is empty')

    def setdefault(self, key, default=None):
        value = self._lookup(key)
        if value is None:
            self[key] = default
            return default
        return value

    def update(self, other=None, /, **kwargs):
        if other is not None:
            if hasattr(other, 'items'):
                other = other.items()
            for key, value in other:
                self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def clear(self):
        self._table.remove_all()

    def _copy_into(self, new):
        # Straight from table to table: no key conversion, and keys are
        # immutable, so a deep copy shares them too.
        variants, values = self._table.get_variant_items()
        for variant, value in zip(variants, values):
            new._insert(variant, value)
        return new

    def copy(self):
        """A new WeakValueDictionary (with a table of its own) holding the
        same live entries; like the stdlib, always of this base class."""
        return self._copy_into(WeakValueDictionary())

    __copy__ = copy

    def __deepcopy__(self, memo):
        # As in the stdlib, the values are not copied (they are weak: a
        # copy would die at once); keys are immutable.
        return self._copy_into(self.__class__())



__all__.append('WeakValueDictionary')


def _key_dict_gvalue(value):
    return GObject.Value(GObject.TYPE_PYOBJECT, value)


def _key_dict_lookup(table, key):
    """(whether @key has an entry, its value) for a checked key. Values
    stored by C as plain GValues arrive converted by PyGObject."""
    return _WkWeakKeyDict.lookup(table, key)


def _key_dict_steal(table, key):
    """Removes the entry of @key: (whether it had one, its value)."""
    return _WkWeakKeyDict.steal(table, key)


class WeakKeyDictionary(_WeakMapping):
    """``Wk.WeakKeyDictionary(dict=None, /, **kwargs)``: a mapping whose
    keys are GObjects held weakly and compared by identity, like
    :class:`weakref.WeakKeyDictionary`; values are any Python objects.

    An entry (and its value) goes away when its key dies. The key is the
    GObject, not its Python wrapper: an object that C still holds keeps
    its entry after every Python name for it is gone, and any wrapper of
    it finds the entry. Keys must be GObjects (anything else raises
    ``TypeError: cannot create weak reference to 'int' object``, except
    that ``in`` answers False, as in the stdlib).

    The entries live in a C ``Wk.WeakKeyDict`` made with
    ``new_for_values()``, available as :attr:`table`; Python stores each
    value as a ``GObject.TYPE_PYOBJECT`` GValue. To use a table made
    elsewhere, pass it as the
    first argument: ``Wk.WeakKeyDictionary(table)`` wraps that table (it
    does not copy it). Values stored by C as plain GValues (``G_TYPE_INT``
    and so on) read back converted by PyGObject; a GValue holding NULL
    reads back as None. The table must have GValue values (made with
    ``Wk.WeakKeyDict.new_for_values()``, not C's ``wk_weak_key_dict_new()``);
    calls on any other table fail with a critical.

    Differences from the stdlib:

    * Keys are compared by GObject identity, never with ``__eq__``.
    * Iteration runs over a snapshot of the keys (as weak refs) taken
      when it starts, so the dictionary may change during the loop; dead
      and removed entries are never yielded. ``keys()``, ``values()`` and
      ``items()`` return iterators, as in the stdlib.
    * ``popitem()`` takes a snapshot of the keys: O(n).
    * A value that refers back to its own key keeps the key alive, as in
      the stdlib; worse than the stdlib, a value that refers back to the
      dictionary makes a cycle through C that Python's garbage collector
      cannot see.
    """

    def __init__(self, dict=None, /, **kwargs):
        if isinstance(dict, _WkWeakKeyDict):
            self._table = dict
            dict = None
        else:
            self._table = _WkWeakKeyDict.new_for_values()
        self.update(dict, **kwargs)

    @property
    def table(self):
        """The C ``Wk.WeakKeyDict`` that holds the entries."""
        return self._table

    def _insert(self, key, value):
        self._table.insert(key, _key_dict_gvalue(value))

    def _steal(self, key):
        return _key_dict_steal(self._table, key)

    def _snapshot(self):
        keys = self._table.get_keys()
        # Weak from here on: the loop must not keep keys alive.
        return [Ref(key) for key in keys]

    def _get(self, key, default):
        # For a checked key.
        found, value = _key_dict_lookup(self._table, key)
        return value if found else default

    def __getitem__(self, key):
        _check_referent(key)
        value = self._get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        _check_referent(key)
        self._insert(key, value)

    def __delitem__(self, key):
        _check_referent(key)
        if not self._table.remove(key):
            raise KeyError(key)

    def __contains__(self, key):
        return isinstance(key, GObject.Object) and self._table.contains(key)

    def __len__(self):
        return self._table.get_size()

    def __iter__(self):
        return self._iter_keys(self._snapshot())

    def _iter_keys(self, refs):
        contains = self._table.contains
        for ref in refs:
            key = ref()
            if key is not None and contains(key):
                yield key

    def _iter_items(self, refs):
        for ref in refs:
            key = ref()
            if key is not None:
                value = self._get(key, _MISSING)
                if value is not _MISSING:
                    yield key, value

    def _iter_values(self, refs):
        for key, value in self._iter_items(refs):
            del key     # not held by the suspended generator
            yield value


    def keyrefs(self):
        """A list of :class:`Wk.ref` refs to the keys."""
        return self._snapshot()

    def get(self, key, default=None):
        _check_referent(key)
        return self._get(key, default)

    def pop(self, key, default=_MISSING):
        _check_referent(key)
        found, value = self._steal(key)
        if not found:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return value

    def popitem(self):
        keys = self._table.get_keys()
        for key in keys:
            found, value = self._steal(key)
            if found:
                return key, value
        raise KeyError('popitem(): dictionary is empty')

    def setdefault(self, key, default=None):
        _check_referent(key)
        value = self._get(key, _MISSING)
        if value is _MISSING:
            self._insert(key, default)
            return default
        return value

    def update(self, dict=None, /, **kwargs):
        if dict is not None:
            if hasattr(dict, 'items'):
                dict = dict.items()
            for key, value in dict:
                self[key] = value
        if kwargs:
            # str keys: TypeError, as in the stdlib.
            self.update(kwargs)

    def clear(self):
        self._table.remove_all()

    def copy(self):
        """A new WeakKeyDictionary (with a table of its own) holding the
        same live entries, sharing their values; like the stdlib, always of
        this base class."""
        new = WeakKeyDictionary()
        for key, value in self.items():
            new[key] = value
        return new

    __copy__ = copy

    def __deepcopy__(self, memo):
        # As in the stdlib: values are copied, keys (weak) are not.
        new = self.__class__()
        for key, value in self.items():
            new[key] = _copy.deepcopy(value, memo)
        return new



__all__.append('WeakKeyDictionary')


def _members_and_ids(iterable):
    """The GObjects of @iterable (TypeError for anything else, as
    weakref.ref would raise) and the set of their identities. The list
    keeps them alive while the identities are compared."""
    members = list(iterable)
    for member in members:
        _check_referent(member)
    return members, {_address(member) for member in members}


class WeakSet(_WkWeakSet):
    """``Wk.WeakSet(data=None)``: a set of GObjects held weakly and
    compared by identity, like :class:`weakref.WeakSet`, with all its set
    algebra (which, as in the stdlib, takes any iterable of GObjects).

    A member leaves the set when it dies. The member is the GObject, not
    its Python wrapper: an object that C still holds stays in the set after
    every Python name for it is gone. Members must be GObjects (anything
    else raises ``TypeError: cannot create weak reference to 'int'
    object``, except that ``in`` answers False, as in the stdlib).

    Unlike the two dictionaries, this class *is* the C ``Wk.WeakSet``
    (the GI class with the Python set protocol added), since both have the
    same name: every WkWeakSet, whether made by ``Wk.WeakSet()``,
    ``Wk.WeakSet.new()`` or returned by C, behaves as a Python set and can
    be passed to C as it is. ``Wk.WeakSet(other_set)`` therefore copies,
    as the stdlib's does. The GI methods ``contains``, ``get_size``,
    ``get_members`` and ``remove_all`` are still there; ``add`` and
    ``remove`` follow Python (``add`` returns None, ``remove`` raises
    KeyError); the C ones are ``Wk.WeakSet.add``/``remove`` of the
    introspection module.

    Differences from the stdlib:

    * Members are compared by GObject identity, never with ``__eq__``.
    * Iteration runs over a snapshot (as weak refs) taken when it starts:
      the set may change during the loop; dead and removed members are
      never yielded.
    * ``pop()`` takes a snapshot of the members: O(n).
    * ``copy.copy`` and ``copy.deepcopy`` copy a subclass instance's
      attributes (deep-copied for ``deepcopy``), as the stdlib's
      ``__reduce__`` does, but ``deepcopy`` does not copy the members: a
      deep copy of a weakly held object would die at once.
    * Subclasses share the final GType ``WkWeakSet`` (they cannot have one
      of their own); their instances are WkWeakSets wrapped by the
      subclass, so they cannot add GObject properties or signals.
    """

    # A set: equality by members, so not hashable (as the stdlib's).
    __hash__ = None
    __class_getitem__ = classmethod(_types.GenericAlias)

    def __init_subclass__(cls, **kwargs):
        # WkWeakSet is final: PyGObject would try to register a GType for
        # a Python subclass and fail. A class that has __gtype__ in its
        # own dict is not registered, and its instances are made as that
        # GType and wrapped by the subclass.
        if '__gtype__' not in cls.__dict__:
            cls.__gtype__ = _WkWeakSet.__gtype__
        super().__init_subclass__(**kwargs)

    def __init__(self, data=None):
        super().__init__()
        if data is not None:
            self.update(data)

    def _snapshot(self):
        return self.get_members()

    def _weak_snapshot(self):
        return [Ref(member) for member in self._snapshot()]

    def _add(self, item):
        _WkWeakSet.add(self, item)

    def _discard(self, item):
        return _WkWeakSet.remove(self, item)

    # The set protocol.

    def __iter__(self):
        return self._iter(self._weak_snapshot())

    def _iter(self, refs):
        contains = self.contains
        for ref in refs:
            member = ref()
            if member is not None and contains(member):
                yield member

    def __len__(self):
        return self.get_size()

    def __contains__(self, item):
        return isinstance(item, GObject.Object) and self.contains(item)

    def add(self, item):
        _check_referent(item)
        self._add(item)

    def discard(self, item):
        _check_referent(item)
        self._discard(item)

    def remove(self, item):
        _check_referent(item)
        if not self._discard(item):
            raise KeyError(item)

    def pop(self):
        for member in self._snapshot():
            if self._discard(member):
                return member
        raise KeyError('pop from empty WeakSet')

    def clear(self):
        self.remove_all()

    def copy(self):
        return self.__class__(self)

    def _instance_state(self):
        # Attributes of a subclass instance, as the stdlib's __reduce__
        # hands them to the copy module.
        return dict(self.__dict__)

    def __copy__(self):
        new = self.copy()
        new.__dict__.update(self._instance_state())
        return new

    def __deepcopy__(self, memo):
        new = self.copy()
        memo[id(self)] = new
        new.__dict__.update(_copy.deepcopy(self._instance_state(), memo))
        return new

    def update(self, other):
        for element in other:
            self.add(element)

    def __ior__(self, other):
        self.update(other)
        return self

    def difference(self, other):
        newset = self.copy()
        newset.difference_update(other)
        return newset

    __sub__ = difference

    def difference_update(self, other):
        self.__isub__(other)

    def __isub__(self, other):
        if self is other:
            self.clear()
        else:
            for item in other:
                self.discard(item)
        return self

    def intersection(self, other):
        return self.__class__(item for item in other if item in self)

    __and__ = intersection

    def intersection_update(self, other):
        self.__iand__(other)

    def __iand__(self, other):
        # @keep holds the objects while their identities are compared
        # (an identity is an address, free for reuse once its object dies).
        keep, keep_ids = _members_and_ids(other)
        for member in self._snapshot():
            if _address(member) not in keep_ids:
                self._discard(member)
        del keep
        return self

    def _compare(self, other, op):
        # As in __iand__, the lists hold the objects during the comparison.
        mine, my_ids = _members_and_ids(self._snapshot())
        theirs, their_ids = _members_and_ids(other)
        result = op(my_ids, their_ids)
        del mine, theirs
        return result

    def issubset(self, other):
        return self._compare(other, set.__le__)

    __le__ = issubset

    def __lt__(self, other):
        return self._compare(other, set.__lt__)

    def issuperset(self, other):
        return self._compare(other, set.__ge__)

    __ge__ = issuperset

    def __gt__(self, other):
        return self._compare(other, set.__gt__)

    def __eq__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return self._compare(other, set.__eq__)

    def __ne__(self, other):
        # Defined because GObject's own comparison (identity) would
        # otherwise answer !=.
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def symmetric_difference(self, other):
        newset = self.copy()
        newset.symmetric_difference_update(other)
        return newset

    __xor__ = symmetric_difference

    def symmetric_difference_update(self, other):
        self.__ixor__(other)

    def __ixor__(self, other):
        if self is other:
            self.clear()
            return self
        # Each object once, however often @other has it, as with a set.
        unique = {}
        for item in other:
            _check_referent(item)
            unique.setdefault(_address(item), item)
        for item in unique.values():
            if not self._discard(item):
                self._add(item)
        return self

    def union(self, other):
        return self.__class__(e for s in (self, other) for e in s)

    __or__ = union

    def isdisjoint(self, other):
        return len(self.intersection(other)) == 0

    def __repr__(self):
        # The stdlib shows its set of refs.
        refs = [repr(Ref(member)) for member in self._snapshot()]
        return '{%s}' % ', '.join(refs) if refs else 'set()'


WeakSet = override(WeakSet)
_abc.MutableSet.register(WeakSet)
__all__.append('WeakSet')


# ---------------------------------------------------------------------------
# Proxies: proxy, ProxyType, CallableProxyType
#
# A Python proxy is a small pure-Python object holding a C Wk.Proxy (a
# WkRef subclass) that does the weak part: death order, callbacks, and
# the counts of getweakrefcount(). Everything else forwards to the live
# referent, as CPython's proxy does: attribute access and the special
# methods, unwrapping a proxy on the other side of a binary operation.

import operator as _operator  # noqa: E402
import types as _types_mod  # noqa: E402

_WkProxy = Wk.Proxy
_proxy_new = Wk.Proxy.new
_ref_get = Wk.Ref.get
_ref_is_alive = Wk.Ref.is_alive
_proxy_c_get_property = Wk.Proxy.get_property
_proxy_c_set_property = Wk.Proxy.set_property
_REF_ERROR = Wk.ref_error_quark()
_DEAD_MESSAGE = 'weakly-referenced object no longer exists'

# GObject's own property accessors: a referent whose class has these (any
# GObject that does not define methods of those names) has its
# get_property/set_property reached through the C proxy, which reports
# what GObject would only warn about.
_GOBJECT_PROPERTY_METHODS = {
    'get_property': GObject.Object.get_property,
    'set_property': GObject.Object.set_property,
}

# The Python proxy of each live C proxy, by the C proxy's address, for
# getweakrefs(); the entry goes away with the Python proxy, which holds the
# C proxy, so an address in here is never one that was reused.
_python_proxies = _stdlib_weakref.WeakValueDictionary()


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
            # Unlike CPython, not the referent's: PyGObject's comparison
            # (obj == proxy) takes any object whose __class__ is a GObject
            # class for a GObject wrapper and compares its memory as one,
            # answering False; with the proxy's own class it defers to the
            # proxy's __eq__, which compares the referent. So
            # isinstance(proxy, GObject.Object) is False.
            return type(self)
        ob = _referent(self)
        if name in _GOBJECT_PROPERTY_METHODS and (
                getattr(type(ob), name, None)
                is _GOBJECT_PROPERTY_METHODS[name]):
            return _types_mod.MethodType(_PROXY_PROPERTY_METHODS[name], self)
        return getattr(ob, name)

    def __setattr__(self, name, value):
        setattr(_referent(self), name, value)

    def __delattr__(self, name):
        delattr(_referent(self), name)

    def __dir__(self):
        # What CPython's proxy lists, through its forwarded __class__.
        return dir(_referent(self))

    def __repr__(self):
        ob = _referent_or_none(self)
        if ob is None:
            return '<weakproxy at %#x; dead>' % id(self)
        return "<weakproxy at %#x; to '%s' at %#x>" % (
            id(self), _type_name(ob), _address(ob))

    # Like CPython's proxies: a proxy hashes neither as itself (it
    # compares as its referent) nor as its referent (which may die).
    __hash__ = None

    def __next__(self):
        ob = _referent(self)
        if not hasattr(type(ob), '__next__'):
            raise TypeError("Weakref proxy referenced a non-iterator '%s' "
                            "object" % _type_name(ob))
        return next(ob)

    def __pow__(self, other, modulo=None):
        if modulo is None:
            return pow(_referent(self), _unwrap(other))
        return pow(_referent(self), _unwrap(other), _unwrap(modulo))

    def __rpow__(self, other, modulo=None):
        if modulo is None:
            return pow(_unwrap(other), _referent(self))
        return pow(_unwrap(other), _referent(self), _unwrap(modulo))

    def __ipow__(self, other):
        return _operator.ipow(_referent(self), _unwrap(other))


_get_proxy = _ProxyBase._wk_proxy.__get__
_set_proxy = _ProxyBase._wk_proxy.__set__
_get_wrapper = _ProxyBase._wk_wrapper.__get__
_set_wrapper = _ProxyBase._wk_wrapper.__set__


def _referent_or_none(proxy):
    # The fast path of Ref.__call__, for the same reasons: while the
    # wrapper we were made with lives, it holds the GObject, which is alive
    # unless disposed; this skips g_weak_ref_get() and the GLib 2.74
    # toggle-notify deadlock that comment describes.
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


def _unwrap(other):
    # A proxy on the other side of an operation stands for its referent,
    # as in CPython.
    if isinstance(other, _ProxyBase):
        return _referent(other)
    return other


def _property_error(error):
    """The Python exception for a GLib.Error of the C property accessors:
    ReferenceError once dead, TypeError for an unknown property (as
    PyGObject raises), the GLib.Error itself otherwise."""
    if error.domain == GLib.quark_to_string(_REF_ERROR):
        if error.code == Wk.RefError.DEAD:
            return ReferenceError(_DEAD_MESSAGE)
        if error.code == Wk.RefError.UNKNOWN_PROPERTY:
            return TypeError(error.message)
    return error


def _proxy_get_property(self, name):
    """The referent's property @name, read by wk_proxy_get_property()."""
    try:
        ok, value = _proxy_c_get_property(_get_proxy(self), name)
    except GLib.Error as error:
        exc = _property_error(error)
        if exc is error:
            raise
        raise exc from error
    return value


def _proxy_set_property(self, name, value):
    """Sets the referent's property @name with wk_proxy_set_property(),
    which raises GLib.Error (Wk.RefError.PROPERTY_ACCESS, INVALID_VALUE)
    where GObject would only warn."""
    if not isinstance(value, GObject.Value):
        # PyGObject would guess the GValue type from the Python value (an
        # int as gint64, so never an enum); convert to the property's own
        # type instead, as GObject.Object.set_property does.
        pspec = type(_referent(self)).find_property(name)
        if pspec is not None:
            value = GObject.Value(pspec.value_type, value)
    try:
        _proxy_c_set_property(_get_proxy(self), name, value)
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


for _name, _op in [
        ('str', str), ('bytes', bytes), ('bool', bool), ('len', len),
        ('iter', iter), ('reversed', reversed),
        ('neg', _operator.neg), ('pos', _operator.pos),
        ('abs', _operator.abs), ('invert', _operator.invert),
        ('index', _operator.index), ('int', int), ('float', float)]:
    setattr(_ProxyBase, '__%s__' % _name, _forward_unary(_op))

for _name, _op in [
        ('contains', _operator.contains), ('getitem', _operator.getitem),
        ('setitem', _operator.setitem), ('delitem', _operator.delitem)]:
    setattr(_ProxyBase, '__%s__' % _name, _forward_args(_op))

for _name in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
    # The reflected comparison is the swapped one, which Python picks.
    setattr(_ProxyBase, '__%s__' % _name,
            _forward_binary(getattr(_operator, _name)))

for _name, _op in [
        ('add', _operator.add), ('sub', _operator.sub),
        ('mul', _operator.mul), ('matmul', _operator.matmul),
        ('truediv', _operator.truediv), ('floordiv', _operator.floordiv),
        ('mod', _operator.mod), ('divmod', divmod),
        ('lshift', _operator.lshift), ('rshift', _operator.rshift),
        ('and', _operator.and_), ('or', _operator.or_),
        ('xor', _operator.xor)]:
    setattr(_ProxyBase, '__%s__' % _name, _forward_binary(_op))
    setattr(_ProxyBase, '__r%s__' % _name, _forward_reflected(_op))
    if _name != 'divmod':
        # As in CPython, the result of the in-place operation on the
        # referent, which the name is then bound to.
        setattr(_ProxyBase, '__i%s__' % _name,
                _forward_binary(getattr(_operator, 'i' + _name.rstrip('_'))))

del _name, _op


class ProxyType(_ProxyBase):
    """The type of :func:`Wk.proxy` proxies to objects that are not
    callable."""
    __slots__ = ()


class CallableProxyType(_ProxyBase):
    """The type of :func:`Wk.proxy` proxies to callable objects."""
    __slots__ = ()

    def __call__(self, *args, **kwargs):
        return _referent(self)(*args, **kwargs)


ProxyTypes = (ProxyType, CallableProxyType)


def _proxy_callback_trampoline(proxy_ref, callback):
    # Called by C with the C proxy; the callback gets the Python proxy,
    # which the trampoline holds weakly: holding it strongly would make a
    # cycle through C (Python proxy -> C proxy -> callback -> Python proxy)
    # that keeps the proxy until its referent dies.
    def trampoline(c_proxy, *unused):
        proxy = proxy_ref()
        if proxy is None:
            return
        try:
            callback(proxy)
        except BaseException as exc:  # noqa: B902 - mirrors CPython
            _report_unraisable(exc, callback)
    return trampoline


def _make_python_proxy(c_proxy, ob, callback=None):
    cls = CallableProxyType if callable(ob) else ProxyType
    self = object.__new__(cls)
    if callback is not None:
        c_proxy.set_callback(_proxy_callback_trampoline(
            _stdlib_weakref.ref(self), callback))
    _set_proxy(self, c_proxy)
    _set_wrapper(self, _stdlib_weakref.ref(ob))
    _python_proxies[_address(c_proxy)] = self
    return self


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

    ``get_property()`` and ``set_property()`` on a proxy run the C
    proxy's ``wk_proxy_get_property()`` / ``wk_proxy_set_property()``
    (unless @ob's class has methods of its own by those names), which
    raise ``GLib.Error`` (``Wk.RefError.PROPERTY_ACCESS``,
    ``INVALID_VALUE``) where GObject would only log a warning; an unknown
    property raises TypeError as with PyGObject.

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
    _check_referent(ob)
    c_proxy = _proxy_new(ob, None)
    return _make_python_proxy(c_proxy, ob, callback)


__all__ += ['proxy', 'ProxyType', 'CallableProxyType', 'ProxyTypes']


def _python_ref(ref):
    # The Python face of a ref from C: the Python proxy of a C proxy,
    # made now for one that C created (or whose Python proxy has died
    # while C still held the C proxy).
    if not isinstance(ref, _WkProxy):
        return ref
    face = _python_proxies.get(_address(ref))
    if face is None:
        ob = ref.get()
        if ob is None:
            return ref
        face = _make_python_proxy(ref, ob)
    return face


# ---------------------------------------------------------------------------
# WeakMethod

class WeakMethod(Ref):
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

    def __new__(cls, meth, callback=None):
        try:
            obj = meth.__self__
            func = meth.__func__
        except AttributeError:
            raise TypeError('argument should be a bound method, not {}'
                            .format(type(meth))) from None

        def _cb(arg):
            # The weak self-reference avoids a cycle through C (ref ->
            # callback -> ref), as in the stdlib.
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
            return Ref.__eq__(self, other) and self._func_ref == other._func_ref
        return NotImplemented

    def __ne__(self, other):
        if isinstance(other, WeakMethod):
            if not self._alive or not other._alive:
                return self is not other
            return Ref.__ne__(self, other) or self._func_ref != other._func_ref
        return NotImplemented

    __hash__ = Ref.__hash__

    def __repr__(self):
        return Ref.__repr__(self).replace('<Wk.ref', '<Wk.WeakMethod', 1)


__all__.append('WeakMethod')


# ---------------------------------------------------------------------------
# connect_weak

_signal_connect_closure_weak = Wk.signal_connect_closure_weak


def _bound_method_parts(method):
    try:
        return method.__self__, method.__func__
    except AttributeError:
        raise TypeError('connect_weak() needs a bound method, not {}'
                        .format(type(method))) from None


def connect_weak(obj, detailed_signal, method, *args):
    """``Wk.connect_weak(obj, detailed_signal, method, *args)``: connects
    the bound @method to a signal of the GObject @obj like
    ``obj.connect(detailed_signal, method, *args)``, but holding the
    method's instance weakly: the handler does not keep it alive, and is
    disconnected as soon as it dies (or, as any handler, when @obj dies).
    Returns the handler id.

    This breaks the classic leak of a view connecting its own methods to
    the signals of the widgets it holds: with ``obj.connect`` the widget
    holds the view through the bound method, and a view held by its
    widgets (which a container holds) never dies.

    If the instance is a GObject, the handler is connected in C with
    ``Wk.signal_connect_closure_weak()``, which disconnects it when the
    instance starts to die, from any thread, and holds the instance for
    the duration of each call. Any other instance must be weakly
    referenceable by :func:`weakref.ref`; the handler then disconnects from
    that ref's callback, holding @obj through a :class:`Wk.ref`.
    """
    instance, func = _bound_method_parts(method)
    if not isinstance(obj, GObject.Object):
        raise TypeError('connect_weak() needs a GObject to connect to, not %s'
                        % type(obj).__name__)
    try:
        GObject.signal_parse_name(detailed_signal, obj, True)
    except ValueError as error:
        # As obj.connect() reports it.
        raise TypeError(str(error)) from None

    if isinstance(instance, GObject.Object):
        def gobject_handler(*values):
            # The signal's values, then the instance that C added.
            return func(values[-1], *values[:-1], *args)

        return _signal_connect_closure_weak(obj, detailed_signal,
                                            gobject_handler, instance, False)

    emitter_ref = Ref(obj)
    handler_ids = []

    def disconnect(unused):
        emitter = emitter_ref()
        if emitter is not None and handler_ids and \
                GObject.signal_handler_is_connected(emitter, handler_ids[0]):
            emitter.disconnect(handler_ids[0])

    instance_ref = _stdlib_weakref.ref(instance, disconnect)
    del instance

    def python_handler(*values):
        inst = instance_ref()
        if inst is None:
            return None
        return func(inst, *values, *args)

    handler_id = obj.connect(detailed_signal, python_handler)
    handler_ids.append(handler_id)
    return handler_id


__all__.append('connect_weak')


# ---------------------------------------------------------------------------
# finalize
#
# Each Python finalize is a C WkFinalizer, whose registry keeps it (and the
# PyGObject closure of its function) alive until it runs or is detached:
# the Python object may be dropped at once. The closure is one module
# function, with the state as its user data, a list [func, args, kwargs]
# that whoever claims the finalizer in C (death, call, detach, exit)
# empties, so that func and its arguments are freed as soon as it has run,
# as with the stdlib's registry.

import atexit as _atexit  # noqa: E402

_finalize_new = Wk.finalize_new
_finalizer_detach = Wk.Finalizer.detach
_finalizer_peek = Wk.Finalizer.peek
_finalizer_is_alive = Wk.Finalizer.is_alive

# Set once the exit hook below has run; from then on, as with the stdlib,
# no Python finalizer runs (and none is left for the C atexit handler,
# which would call into a finalized interpreter).
_shutdown = False


def _run_finalizer(state):
    # The C finalizer's function: at the object's death, or at exit.
    # call() and detach() claim in C without running this.
    try:
        func, args, kwargs = state
    except ValueError:
        return
    state.clear()
    if _shutdown:
        return
    try:
        func(*args, **(kwargs or {}))
    except BaseException as exc:  # noqa: B902 - as a weakref callback's
        _report_unraisable(exc, func)


class finalize:
    """``Wk.finalize(obj, func, /, *args, **kwargs)``: calls
    ``func(*args, **kwargs)`` once, when the GObject @obj dies, like
    :class:`weakref.finalize`.

    The finalizer is *alive* until the first of: @obj's death; a call
    ``f()``, which runs func now and returns its result (None if dead);
    ``f.detach()``; the exit of the interpreter, if :attr:`atexit` is
    true (the default), where the pending finalizers run newest first.
    The function runs at most once. The finalizer does not keep @obj
    alive, and is kept alive by Wk until it has run or been detached, so
    the returned object may be dropped.

    It is a C ``Wk.Finalizer`` (:attr:`finalizer`): C and Python
    finalizers share one newest-first order at exit (Python's atexit
    runs ``Wk.finalize_run_atexit()``), and @obj is followed as a GObject,
    so the finalizer also waits while only C holds the object.

    Exceptions raised by func at death or at exit go to
    ``sys.unraisablehook`` (which prints the traceback by default); from
    ``f()`` they propagate. As in the stdlib, once the exit hook has run
    no finalizer runs any more: the ones made after it have ``atexit``
    false and ignore deaths.
    """

    __slots__ = ('_wk_finalizer', '_wk_state', '__weakref__')

    def __init__(self, obj, func, /, *args, **kwargs):
        _check_referent(obj)
        state = [func, args, kwargs or None]
        finalizer = _finalize_new(obj, _run_finalizer, state)
        if _shutdown:
            finalizer.set_atexit(False)
        self._wk_finalizer = finalizer
        self._wk_state = state

    def __call__(self, _=None):
        """Runs the finalizer now if it is alive, returning the result of
        func; None if it was dead."""
        if _finalizer_detach(self._wk_finalizer) and not _shutdown:
            state = self._wk_state
            func, args, kwargs = state
            state.clear()
            return func(*args, **(kwargs or {}))
        return None

    def detach(self):
        """Kills the finalizer if it and the object are alive, returning
        ``(obj, func, args, kwargs)``; None otherwise (and if the object
        has died, the finalizer is left as it was, as in the stdlib)."""
        obj = _finalizer_peek(self._wk_finalizer)
        if obj is not None and _finalizer_detach(self._wk_finalizer):
            state = self._wk_state
            func, args, kwargs = state
            state.clear()
            return (obj, func, args, kwargs or {})
        return None

    def peek(self):
        """``(obj, func, args, kwargs)`` if the finalizer and the object
        are alive, else None."""
        obj = _finalizer_peek(self._wk_finalizer)
        if obj is not None:
            # Another thread may claim it meanwhile.
            state = tuple(self._wk_state)
            if state:
                func, args, kwargs = state
                return (obj, func, args, kwargs or {})
        return None

    @property
    def alive(self):
        """Whether the finalizer is still to run."""
        return _finalizer_is_alive(self._wk_finalizer)

    @property
    def atexit(self):
        """Whether the finalizer runs at exit if still alive (the C
        ``atexit`` property). After the exit hook has run it stays false."""
        return self._wk_finalizer.get_atexit()

    @atexit.setter
    def atexit(self, value):
        if _shutdown:
            return
        self._wk_finalizer.set_atexit(bool(value))

    @property
    def finalizer(self):
        """The C ``Wk.Finalizer``."""
        return self._wk_finalizer

    def __repr__(self):
        obj = _finalizer_peek(self._wk_finalizer)
        if obj is None:
            return '<%s object at %#x; dead>' % (type(self).__name__, id(self))
        return "<%s object at %#x; for '%s' at %#x>" % (
            type(self).__name__, id(self), _type_name(obj), _address(obj))


def _exit_hook():
    # Runs the atexit finalizers, C and Python, while Python is whole.
    global _shutdown
    try:
        Wk.finalize_run_atexit()
    finally:
        _shutdown = True


_atexit.register(_exit_hook)

__all__.append('finalize')


# ---------------------------------------------------------------------------
# gc
#
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

import types as _types  # noqa: E402

_Gc = Wk.Gc
_N_GENERATIONS = 3


def _gc_int(value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("'%s' object cannot be interpreted as an integer"
                        % type(value).__name__)
    return value


class _GcModule(_types.ModuleType):
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
                _report_unraisable(exc, callback)

    def _on_start(self, collector, generation):
        if self.callbacks:
            self._run_callbacks('start', {'generation': generation,
                                          'collected': 0, 'uncollectable': 0})

    def _on_end(self, collector, generation, collected, uncollectable):
        if self.callbacks:
            self._run_callbacks('stop', {'generation': generation,
                                         'collected': collected,
                                         'uncollectable': uncollectable})

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
                address = _address(referrer)
                if address not in seen:
                    seen.add(address)
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

    @property
    def garbage(self):
        """The objects found unreachable but not freed (all of them with
        DEBUG_SAVEALL): a new list on each read."""
        return list(_Gc.get_garbage())


gc = _GcModule()

__all__.append('gc')
