# _wk_common.py: what the modules of the Wk override share
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override (gi/overrides/Wk.py and its _wk_*.py
siblings): the introspection module, the native hot paths if they were
built, and small helpers.

The native module, _wk_native (a CPython extension built next to these
files when python3-dev and pygobject-3.0 are there), calls libwk with the
GIL held; without it, every module falls back to calling Wk through
PyGObject. WK_PYTHON_NATIVE=0 in the environment forces the fallback (the
test suite runs both ways).
"""

import atexit
import ctypes
import os
import sys

from gi.repository import GObject

from ..module import get_introspection_module

Wk = get_introspection_module('Wk')

# The public classes of the siblings read as Wk's in reprs, errors and
# pickling refusals: Wk.WeakValueDictionary, not _wk_collections.*.
MODULE = 'gi.overrides.Wk'

MISSING = object()


def _load_native():
    if os.environ.get('WK_PYTHON_NATIVE', '1') == '0':
        return None
    try:
        from . import _wk_native
    except ImportError:
        return None
    return _wk_native


native = _load_native()


def _register_toggle_lock_with_ctypes():
    """Without the native module (which registers the GIL itself), gives
    wk_binding_set_toggle_lock() PyGILState_Ensure/Release through ctypes,
    so that Wk takes the GIL before its count-1 reads on GLib < 2.80 (see
    the native module). PyGILState_STATE is an int returned in the
    register a pointer would be, and handed back as it came."""
    register = None
    # GI has loaded the library (libwk-1.so.0) already: find its symbol.
    for name in ('libwk-1.so.0', None):
        try:
            register = ctypes.CDLL(name).wk_binding_set_toggle_lock
            break
        except (AttributeError, OSError):
            continue
    if register is None:
        return False
    register.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    register.restype = None
    ensure = ctypes.cast(ctypes.pythonapi.PyGILState_Ensure, ctypes.c_void_p)
    release = ctypes.cast(ctypes.pythonapi.PyGILState_Release, ctypes.c_void_p)
    register(ensure, release)
    # Unregistered before the interpreter goes: a GObject dying in a C
    # thread after that must not call into it.
    atexit.register(register, None, None)
    return True


if native is None:
    _register_toggle_lock_with_ctypes()


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


def report_unraisable(exc, obj):
    """Hands @exc to sys.unraisablehook, as CPython does for exceptions
    raised by weakref callbacks, so they never reach unrelated code."""
    sys.unraisablehook(_UnraisableHookArgs(
        (type(exc), exc, exc.__traceback__, None, obj)))


def type_name(obj_or_class):
    """'Gtk.Button' for introspected classes (and their overrides), the
    bare class name for Python subclasses, as CPython prints tp_name."""
    cls = obj_or_class if isinstance(obj_or_class, type) else type(obj_or_class)
    info = cls.__dict__.get('__info__')
    if info is not None:
        return '%s.%s' % (info.get_namespace(), info.get_name())
    module = cls.__module__ or ''
    for prefix in ('gi.repository.', 'gi.overrides.'):
        if module.startswith(prefix):
            return '%s.%s' % (module[len(prefix):], cls.__name__)
    return cls.__qualname__


def address(gobj):
    """The address of a wrapper's GObject (PyGObject's hash of a wrapper)."""
    return GObject.Object.__hash__(gobj)


def check_referent(ob):
    if not isinstance(ob, GObject.Object):
        raise TypeError("cannot create weak reference to '%s' object"
                        % type(ob).__name__)


def refuse_pickling(self, protocol=None):
    """__reduce_ex__ of the Wk types that cannot be pickled (weak
    references to objects of this process), naming the type as Python
    shows it."""
    raise TypeError("cannot pickle '%s' object" % type_name(self))
