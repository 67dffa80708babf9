# _wk_signal.py: Wk.connect_weak
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: signal handlers that hold their method's
instance weakly."""

import weakref as _stdlib_weakref

from gi.repository import GObject

from ._wk_common import Wk
from ._wk_refs import ref

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

    emitter_ref = ref(obj)
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
