# Wk.py: the Python face of Wk, after the standard library's weakref module
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Weak references to GObjects with the names and behaviour of :mod:`weakref`.

A ``Wk.ref`` follows the GObject, not its Python wrapper: it stays alive
while C code (a ``Gio.ListStore``, a widget tree) holds the object, even
after every Python name and wrapper is gone, which is exactly where
``weakref.ref`` on a PyGObject wrapper reports the object dead.

This module only gathers the names; the code is in its private siblings:

- ``_wk_common``: shared helpers, and the native module if it was built
  (``_wk_native``, C with the GIL held: the hot paths, and Python's GIL
  registered as Wk's binding toggle lock);
- ``_wk_refs``: ``ref``, ``KeyedRef``, ``WeakMethod``, ``getweakrefcount``,
  ``getweakrefs``, ``getrefcount``;
- ``_wk_proxy``: ``proxy``, ``ProxyType``, ``CallableProxyType``;
- ``_wk_keycodec``: ``WeakValueDictionary`` keys as GVariants;
- ``_wk_collections``: ``WeakValueDictionary``, ``WeakKeyDictionary``,
  ``WeakSet``;
- ``_wk_finalize``: ``finalize``;
- ``_wk_signal``: ``connect_weak``;
- ``_wk_gc``: ``gc``.
"""

from ..overrides import override
from ._wk_collections import WeakKeyDictionary, WeakSet, WeakValueDictionary
from ._wk_finalize import finalize
from ._wk_gc import gc
from ._wk_proxy import CallableProxyType, ProxyType, ProxyTypes, proxy
from ._wk_refs import (
    KeyedRef, Ref, ReferenceType, WeakMethod, getrefcount, getweakrefcount,
    getweakrefs, ref)
from ._wk_signal import connect_weak

# The GI classes whose Python face these are: any WkRef or WkWeakSet, made
# by C or by Python, is wrapped by them.
Ref = override(Ref)
WeakSet = override(WeakSet)

__all__ = [
    'Ref', 'ref', 'ReferenceType', 'KeyedRef', 'WeakMethod',
    'getweakrefcount', 'getweakrefs', 'getrefcount',
    'proxy', 'ProxyType', 'CallableProxyType', 'ProxyTypes',
    'WeakValueDictionary', 'WeakKeyDictionary', 'WeakSet',
    'finalize', 'connect_weak', 'gc',
]
