# _wk_finalize.py: Wk.finalize
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: finalizers.

Each Python finalize is a C WkFinalizer, whose registry keeps it (and the
state of the Python function) alive until it runs or is detached: the
Python object may be dropped at once. The state is [func, args, kwargs],
which whoever claims the finalizer (death, call, detach, exit) empties,
so that func and its arguments are freed as soon as it has run, as with
the stdlib's registry. With the native module, the WkFinalizer is made
and called from C with the GIL held (_wk_native.finalize); without
it, through PyGObject.
"""

import atexit

from ._wk_common import (
    MODULE, Wk, address, check_referent, native, refuse_pickling,
    report_unraisable, type_name)

_DOC = """``Wk.finalize(obj, func, /, *args, **kwargs)``: calls
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
    finalizers share one newest-first order at death and at exit
    (Python's atexit runs ``Wk.finalize_run_atexit()``), and @obj is
    followed as a GObject, so the finalizer also waits while only C holds
    the object.

    Exceptions raised by func at death or at exit go to
    ``sys.unraisablehook`` (which prints the traceback by default); from
    ``f()`` they propagate. As in the stdlib, once the exit hook has run
    no finalizer runs any more: the ones made after it have ``atexit``
    false and ignore deaths.
    """


def _repr(self, obj):
    if obj is None:
        return '<%s object at %#x; dead>' % (type(self).__name__, id(self))
    return "<%s object at %#x; for '%s' at %#x>" % (
        type(self).__name__, id(self), type_name(obj), address(obj))


if native is not None:
    # The native type itself (construction without an argument tuple
    # through type.__call__, nor an __init__); its repr and its refusal
    # to be pickled come from here.
    finalize = native.finalize

    def _native_repr(self):
        info = self.peek()
        return _repr(self, info[0] if info is not None else None)

    native.setup(finalize_repr=_native_repr, refuse_pickling=refuse_pickling)

    def _shut_down():
        native.set_shutdown()

else:
    _finalizer_new = Wk.Finalizer.new
    _finalizer_detach = Wk.Finalizer.detach
    _finalizer_dup_object = Wk.Finalizer.dup_object
    _finalizer_is_alive = Wk.Finalizer.is_alive

    # Set once the exit hook below has run; from then on, as with the
    # stdlib, no Python finalizer runs (and none is left for the C atexit
    # handler, which would call into a finalized interpreter).
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
            report_unraisable(exc, func)

    class finalize:
        __doc__ = _DOC
        __slots__ = ('_wk_finalizer', '_wk_state', '__weakref__')
        __module__ = MODULE

        def __init__(self, obj, func, /, *args, **kwargs):
            check_referent(obj)
            state = [func, args, kwargs or None]
            finalizer = _finalizer_new(obj, _run_finalizer, state)
            if _shutdown:
                finalizer.set_atexit(False)
            self._wk_finalizer = finalizer
            self._wk_state = state

        def __call__(self, _=None):
            """Runs the finalizer now if it is alive, returning the result
            of func; None if it was dead."""
            if _finalizer_detach(self._wk_finalizer) and not _shutdown:
                state = self._wk_state
                func, args, kwargs = state
                state.clear()
                return func(*args, **(kwargs or {}))
            return None

        def detach(self):
            """Kills the finalizer if it and the object are alive,
            returning ``(obj, func, args, kwargs)``; None otherwise (and if
            the object has died, the finalizer is left as it was, as in the
            stdlib)."""
            obj = _finalizer_dup_object(self._wk_finalizer)
            if obj is not None and _finalizer_detach(self._wk_finalizer):
                state = self._wk_state
                func, args, kwargs = state
                state.clear()
                return (obj, func, args, kwargs or {})
            return None

        def peek(self):
            """``(obj, func, args, kwargs)`` if the finalizer and the object
            are alive, else None."""
            obj = _finalizer_dup_object(self._wk_finalizer)
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
            ``atexit`` property). After the exit hook has run it stays
            false."""
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
            return _repr(self, _finalizer_dup_object(self._wk_finalizer))

        __reduce_ex__ = refuse_pickling

    def _shut_down():
        global _shutdown
        _shutdown = True


def _exit_hook():
    # Runs the atexit finalizers, C and Python, while Python is whole.
    try:
        Wk.finalize_run_atexit()
    finally:
        _shut_down()


atexit.register(_exit_hook)
