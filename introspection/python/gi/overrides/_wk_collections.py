# _wk_collections.py: WeakValueDictionary, WeakKeyDictionary, WeakSet
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: the weak collections.

Each is backed by one of the C tables (WkWeakValueDict, WkWeakKeyDict,
WkWeakSet), so an entry follows the GObject and not its Python wrapper,
and the same table can be shared with C. Python never keeps a list of
refs or an order of its own: the C table is the only state, and
iteration follows its order (insertion order).

The mapping protocol of the dicts is a *core* base class: the native
module's (_wk_native.ValueDictCore, KeyDictCore), which calls the table
with the GIL held, or the pure-Python one below, which calls it through
PyGObject. The classes here add the rest of the API on top. WeakSet is
the GI class itself, with the native set operations bound to it when
they were built.
"""

import collections.abc as _abc
import copy as _copy
import types

from gi.repository import GLib, GObject

from ._wk_common import (
    MISSING, MODULE, Wk, address, check_referent, native, refuse_pickling,
    type_name)
from ._wk_keycodec import plain_str, python_key, variant_key
from ._wk_refs import KeyedRef, ref

# The raw GI classes, captured before the overrides below shadow a name.
_WkWeakValueDict = Wk.WeakValueDict
_WkWeakKeyDict = Wk.WeakKeyDict
_WkWeakSet = Wk.WeakSet


# ---------------------------------------------------------------------------
# The pure-Python cores, for when the native module was not built. Their
# interface is the native ones': the mapping protocol, get(), clear(),
# _wk_attach(table), table, _steal(key), _iter_keys/_values/_items().

class _PyCore:
    # What the pure cores share: a C table of their own until
    # _wk_attach() gives them another.
    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._wk_table = cls._wk_new_table()
        return self

    def _wk_attach(self, table):
        if table is not None:
            self._wk_table = table

    @property
    def table(self):
        """The C table (``Wk.WeakValueDict`` or ``Wk.WeakKeyDict``) that
        holds the entries."""
        return self._wk_table


class _PyValueDictCore(_PyCore):
    @staticmethod
    def _wk_new_table():
        return _WkWeakValueDict.new_for_variants()

    def _lookup(self, key):
        if plain_str(key):
            return self._wk_table.lookup_string(key)
        return self._wk_table.lookup(variant_key(key))

    def __getitem__(self, key):
        value = self._lookup(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        check_referent(value)
        if plain_str(key):
            self._wk_table.insert_string(key, value)
        else:
            self._wk_table.insert(variant_key(key), value)

    def __delitem__(self, key):
        if plain_str(key):
            removed = self._wk_table.remove_string(key)
        else:
            removed = self._wk_table.remove(variant_key(key))
        if not removed:
            raise KeyError(key)

    def __contains__(self, key):
        if plain_str(key):
            return self._wk_table.contains_string(key)
        return self._wk_table.contains(variant_key(key))

    def __len__(self):
        return self._wk_table.get_size()

    def __iter__(self):
        return self._iter_keys()

    def get(self, key, default=None):
        value = self._lookup(key)
        return default if value is None else value

    def clear(self):
        self._wk_table.remove_all()

    def _steal(self, key):
        # steal removes and returns in one step; None is a missing key or
        # a value that has started to die, both missing for Python.
        return self._wk_table.steal(variant_key(key))

    # Over a snapshot of the keys, each looked up again as it comes.
    def _iter_keys(self):
        contains = self._wk_table.contains
        for variant in self._wk_table.get_keys():
            if contains(variant):
                yield python_key(variant)

    def _iter_items(self):
        lookup = self._wk_table.lookup
        for variant in self._wk_table.get_keys():
            value = lookup(variant)
            if value is not None:
                yield python_key(variant), value

    def _iter_values(self):
        lookup = self._wk_table.lookup
        for variant in self._wk_table.get_keys():
            value = lookup(variant)
            if value is not None:
                yield value


def _key_dict_gvalue(value):
    # A GObject as a GObject, which the collector sees (ephemerons);
    # anything else as a Python object.
    if isinstance(value, GObject.Object):
        return GObject.Value(GObject.TYPE_OBJECT, value)
    return GObject.Value(GObject.TYPE_PYOBJECT, value)


class _PyKeyDictCore(_PyCore):
    @staticmethod
    def _wk_new_table():
        return _WkWeakKeyDict.new_for_values()

    def _lookup(self, key):
        # (whether @key has an entry, its value); values stored by C as
        # plain GValues arrive converted by PyGObject.
        check_referent(key)
        return _WkWeakKeyDict.lookup(self._wk_table, key)

    def __getitem__(self, key):
        found, value = self._lookup(key)
        if not found:
            raise KeyError(ref(key))
        return value

    def __setitem__(self, key, value):
        check_referent(key)
        self._wk_table.insert(key, _key_dict_gvalue(value))

    def __delitem__(self, key):
        check_referent(key)
        if not self._wk_table.remove(key):
            raise KeyError(ref(key))

    def __contains__(self, key):
        return isinstance(key, GObject.Object) and self._wk_table.contains(key)

    def __len__(self):
        return self._wk_table.get_size()

    def __iter__(self):
        return self._iter_keys()

    def get(self, key, default=None):
        found, value = self._lookup(key)
        return value if found else default

    def clear(self):
        self._wk_table.remove_all()

    def _steal(self, key):
        """(whether @key had an entry, its value), removing it."""
        check_referent(key)
        return _WkWeakKeyDict.steal(self._wk_table, key)

    def _weak_keys(self):
        # Weak from here on: the loop must not keep keys alive.
        return [ref(key) for key in self._wk_table.get_keys()]

    def _iter_keys(self):
        contains = self._wk_table.contains
        for key_ref in self._weak_keys():
            key = key_ref()
            if key is not None and contains(key):
                yield key

    def _iter_items(self):
        for key_ref in self._weak_keys():
            key = key_ref()
            if key is not None:
                found, value = _WkWeakKeyDict.lookup(self._wk_table, key)
                if found:
                    yield key, value

    def _iter_values(self):
        for key, value in self._iter_items():
            del key     # not held by the suspended generator
            yield value


if native is not None:
    _ValueDictCore = native.ValueDictCore
    _KeyDictCore = native.KeyDictCore
    # A WeakKeyDictionary's KeyError carries Wk.ref(key), as CPython's
    # carries weakref.ref(key).
    native.setup(variant_class=GLib.Variant, key_error_factory=ref)
else:
    _ValueDictCore = _PyValueDictCore
    _KeyDictCore = _PyKeyDictCore


# ---------------------------------------------------------------------------
# The API layer

class _WeakMapping(_abc.MutableMapping):
    """What both weak dictionaries share with the stdlib's: keys(),
    values() and items() as iterators over a snapshot taken when they are
    called, the dict union operators of Python 3.9, and the repr."""

    __module__ = MODULE

    def keys(self):
        """An iterator over the keys of the live entries."""
        return self._iter_keys()

    def values(self):
        """An iterator over the values of the live entries."""
        return self._iter_values()

    def items(self):
        """An iterator over the (key, value) pairs of the live entries."""
        return self._iter_items()

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
        return '<%s at %#x>' % (type_name(self), id(self))

    __reduce_ex__ = refuse_pickling


class WeakValueDictionary(_ValueDictCore, _WeakMapping):
    """``Wk.WeakValueDictionary(other=(), /, **kwargs)``: a mapping whose
    values are GObjects held weakly, like :class:`weakref.WeakValueDictionary`.

    An entry goes away when its value dies. The value is the GObject, not
    its Python wrapper: an object that C still holds (in a
    ``Gio.ListStore``, a widget tree) keeps its entry after every Python
    name for it is gone, and reads back as a (possibly new) wrapper of the
    same GObject. Values must be GObjects (anything else raises
    ``TypeError: cannot create weak reference to 'int' object``).
    Iteration is in insertion order, as with a dict: setting an existing
    key again keeps its place; deleting it and setting it again moves it
    last.

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
      key ``1``). Keys are normalized: keys equal in Python are one entry
      (``1``, ``1.0`` and ``True`` are one key), and come back normalized
      (``d[True] = o`` then ``list(d) == [1]``); all NaNs with the same
      bits are one key. A key that C stored in a form no Python key
      converts to comes back as the GLib.Variant, which works as a key.
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

    __module__ = MODULE

    def __init__(self, other=(), /, **kwargs):
        if isinstance(other, _WkWeakValueDict):
            self._wk_attach(other)
            other = None
        self.update(other, **kwargs)

    def itervaluerefs(self):
        """An iterator over :class:`Wk.KeyedRef` refs to the values, whose
        ``key`` is the entry's key. A ref that is handed out does not keep
        its value alive, as in the stdlib, so check ``r()`` when using it."""
        for key, value in self._iter_items():
            keyed = KeyedRef(value, None, key)
            # Not held by the suspended generator.
            del value
            yield keyed

    def valuerefs(self):
        """A list of :class:`Wk.KeyedRef` refs to the values."""
        return list(self.itervaluerefs())

    def pop(self, key, default=MISSING):
        value = self._steal(key)
        if value is None:
            if default is MISSING:
                raise KeyError(key)
            return default
        return value

    def popitem(self):
        # The newest entry, as dict.popitem() (and so the stdlib's) takes.
        for key in reversed(list(self._iter_keys())):
            value = self._steal(key)
            if value is not None:
                return key, value
        raise KeyError('popitem(): dictionary is empty')

    def setdefault(self, key, default=None):
        value = self.get(key)
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

    def _copy_into(self, new):
        # Straight from table to table: no key conversion, and keys are
        # immutable, so a deep copy shares them too.
        variants, values = self.table.get_variant_items()
        insert = new.table.insert
        for variant, value in zip(variants, values):
            insert(variant, value)
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


class WeakKeyDictionary(_KeyDictCore, _WeakMapping):
    """``Wk.WeakKeyDictionary(dict=None, /, **kwargs)``: a mapping whose
    keys are GObjects held weakly and compared by identity, like
    :class:`weakref.WeakKeyDictionary`; values are any Python objects.

    An entry (and its value) goes away when its key dies. The key is the
    GObject, not its Python wrapper: an object that C still holds keeps
    its entry after every Python name for it is gone, and any wrapper of
    it finds the entry. Keys must be GObjects (anything else raises
    ``TypeError: cannot create weak reference to 'int' object``, except
    that ``in`` answers False, as in the stdlib). Iteration is in
    insertion order. A KeyError carries ``Wk.ref(key)``, as CPython's
    carries ``weakref.ref(key)``.

    Entries are ephemerons: a value that is a GObject is stored as a
    GObject (anything else as a Python object), so that the collector
    sees it, and a value that refers back to its key through
    ``Wk.Object.hold()`` or ``traverse`` edges, directly or through other
    objects, does not keep the key alive once ``Wk.gc.collect()`` has run.

    The entries live in a C ``Wk.WeakKeyDict`` made with
    ``new_for_values()``, available as :attr:`table`. To use a table made
    elsewhere, pass it as the first argument: ``Wk.WeakKeyDictionary(table)``
    wraps that table (it does not copy it). Values stored by C as plain
    GValues (``G_TYPE_INT`` and so on) read back converted by PyGObject; a
    GValue holding NULL reads back as None. The table must have GValue
    values (made with ``Wk.WeakKeyDict.new_for_values()``, not C's
    ``wk_weak_key_dict_new()``); calls on any other table fail with a
    critical.

    Differences from the stdlib:

    * Keys are compared by GObject identity, never with ``__eq__``.
    * Iteration runs over a snapshot of the keys (held weakly) taken when
      it starts, so the dictionary may change during the loop; dead and
      removed entries are never yielded. ``keys()``, ``values()`` and
      ``items()`` return iterators, as in the stdlib.
    * ``popitem()`` takes a snapshot of the keys: O(n).
    * A value with Python state (a Python object, or a GObject whose
      wrapper has Python attributes) that refers back to its own key
      keeps the key alive, as in the stdlib: the collector cannot see
      through Python. A value that refers back to the dictionary makes a
      cycle through C that Python's garbage collector cannot see.
    """

    __module__ = MODULE

    def __init__(self, dict=None, /, **kwargs):
        if isinstance(dict, _WkWeakKeyDict):
            self._wk_attach(dict)
            dict = None
        self.update(dict, **kwargs)

    def keyrefs(self):
        """A list of :class:`Wk.ref` refs to the keys."""
        return [ref(key) for key in self.table.get_keys()]

    def pop(self, key, default=MISSING):
        found, value = self._steal(key)
        if not found:
            if default is MISSING:
                raise KeyError(ref(key))
            return default
        return value

    def popitem(self):
        # The newest entry, as dict.popitem() (and so the stdlib's) takes.
        for key in reversed(list(self._iter_keys())):
            found, value = self._steal(key)
            if found:
                return key, value
        raise KeyError('popitem(): dictionary is empty')

    def setdefault(self, key, default=None):
        value = self.get(key, MISSING)
        if value is MISSING:
            self[key] = default
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


# ---------------------------------------------------------------------------
# WeakSet

def _members_and_ids(iterable):
    """The GObjects of @iterable (TypeError for anything else, as
    weakref.ref would raise) and the set of their identities. The list
    keeps them alive while the identities are compared."""
    members = list(iterable)
    for member in members:
        check_referent(member)
    return members, {address(member) for member in members}


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
    * Iteration is in insertion order (the stdlib's is set order), over a
      snapshot (held weakly) taken when it starts: the set may change
      during the loop; dead and removed members are never yielded.
    * ``pop()`` takes a snapshot of the members: O(n).
    * ``copy.copy`` and ``copy.deepcopy`` copy a subclass instance's
      attributes (deep-copied for ``deepcopy``), as the stdlib's
      ``__reduce__`` does, but ``deepcopy`` does not copy the members: a
      deep copy of a weakly held object would die at once.
    * Subclasses share the final GType ``WkWeakSet`` (they cannot have one
      of their own); their instances are WkWeakSets wrapped by the
      subclass, so they cannot add GObject properties or signals.
    """

    __module__ = MODULE

    # A set: equality by members, so not hashable (as the stdlib's).
    __hash__ = None
    __class_getitem__ = classmethod(types.GenericAlias)

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

    def _add(self, item):
        _WkWeakSet.add(self, item)

    def _discard(self, item):
        return _WkWeakSet.remove(self, item)

    # The set protocol (replaced by the native operations when built).

    def __iter__(self):
        contains = self.contains
        for member_ref in [ref(member) for member in self._snapshot()]:
            member = member_ref()
            if member is not None and contains(member):
                yield member

    def __len__(self):
        return self.get_size()

    def __contains__(self, item):
        return isinstance(item, GObject.Object) and self.contains(item)

    def add(self, item):
        check_referent(item)
        self._add(item)

    def discard(self, item):
        check_referent(item)
        self._discard(item)

    def remove(self, item):
        check_referent(item)
        if not self._discard(item):
            # As the stdlib's WeakSet: the missing key is a ref to it.
            raise KeyError(ref(item))

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

    __reduce_ex__ = refuse_pickling

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
            if address(member) not in keep_ids:
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
            check_referent(item)
            unique.setdefault(address(item), item)
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
        refs = [repr(ref(member)) for member in self._snapshot()]
        return '{%s}' % ', '.join(refs) if refs else 'set()'


if native is not None:
    for _name, _method in native.set_methods.items():
        setattr(WeakSet, _name, _method)
    del _name, _method

_abc.MutableSet.register(WeakSet)
