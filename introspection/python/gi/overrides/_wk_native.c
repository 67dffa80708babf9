/* _wk_native.c: the hot paths of the Python binding, in C, with the GIL held
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The override (Wk.py and its _wk_*.py siblings) is the API layer; this
 * module gives it base types and functions that call libwk directly,
 * without PyGObject's invoke machinery, which drops the GIL around every
 * call. Everything here runs with the GIL held from start to end, and
 * registers Python's GIL as Wk's binding toggle lock
 * (wk_binding_set_toggle_lock()), so that on GLib < 2.80 a count-1 read
 * that runs PyGObject's toggle notify under GLib's global weak-ref lock
 * has taken the GIL first, never the other way round.
 *
 * What is here:
 *
 *  - WeakBase, the weak part of Wk.ref (the type itself) and of the
 *    Python proxies: no GObject per ref. Each referent gets one PyAnchor (qdata on the
 *    GObject, and a marker on its wrapper to find it fast): a WkWeak to
 *    it, the list of its Python refs and proxies (newest first, for
 *    getweakrefcount/getweakrefs), the shared callback-less ref, and a
 *    "dead" flag that a light finalizer (wk_finalize_add()) sets at the
 *    object's death. A ref with a callback adds a light finalizer of its
 *    own, so callbacks keep the newest-first order of every Wk callback
 *    on the object.
 *  - ValueDictCore, KeyDictCore: the mapping protocol of the weak dicts
 *    over WkWeakValueDict (GVariant keys, converted here) and
 *    WkWeakKeyDict (GValue values: GObjects as G_TYPE_OBJECT, which the
 *    collector sees, anything else as PyGObject's PyObject boxed type).
 *  - The WeakSet operations, as methods that bind to Wk.WeakSet.
 *  - Wk.finalize: over a WkFinalizer, called directly.
 *
 * A PyAnchor may be freed in any thread, with or without the GIL (its
 * qdata is dropped when the GObject is finalized); the one Python object
 * it owns, its marker, is then released through a pending call. The
 * fields marked (GIL) are only touched with the GIL held.
 *
 * The files: _wk_native.c (the module, the GIL as Wk's binding lock,
 * helpers), _wk_native_refs.c (anchors, refs, proxies),
 * _wk_native_keys.c (dict keys as GVariants), _wk_native_collections.c
 * (the dicts, their iterators, the WeakSet operations) and
 * _wk_native_finalize.c (finalize, and the benchmarks' C floors).
 */

#define WK_NATIVE_MAIN
#include "_wk_native.h"

#include <math.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030D0000
# define python_finalizing() Py_IsFinalizing ()
#else
# define python_finalizing() _Py_IsFinalizing ()
#endif

/* Python may be gone when a GObject dies in another thread at exit. */
gboolean
python_alive (void)
{
  return Py_IsInitialized () && !python_finalizing ();
}

GType       py_object_gtype;      /* PyGObject's boxed "PyObject" */
GQuark      anchor_quark;
PyObject   *variant_class;        /* GLib.Variant */
PyObject   *key_error_factory;    /* makes what a WeakKeyDictionary KeyError carries */
PyObject   *property_hook;        /* get_property/set_property of a proxy */
PyObject   *ref_repr_hook;
PyObject   *refuse_pickling_hook;
PyObject   *finalize_repr_hook;
PyObject   *str_get_property, *str_set_property;
int         shutting_down;        /* (GIL) Python's exit hook has run */

const char KEY_TYPES[] =
  "str, int, float, bool, bytes, None, GLib.Variant or tuples of these";

/* ---- The GIL as Wk's binding toggle lock ------------------------------- */

static gpointer
gil_lock (void)
{
  if (!python_alive ())
    return NULL;
  return GINT_TO_POINTER ((gint) PyGILState_Ensure () + 1);
}

static void
gil_unlock (gpointer state)
{
  gint v = GPOINTER_TO_INT (state);

  if (v > 0)
    PyGILState_Release ((PyGILState_STATE) (v - 1));
}

/* ---- Small helpers ----------------------------------------------------- */

GObject *
wrapper_object (PyObject *ob)
{
  if (PyObject_TypeCheck (ob, &PyGObject_Type))
    return pygobject_get (ob);
  return NULL;
}

int
check_referent (PyObject *ob)
{
  if (wrapper_object (ob) != NULL)
    return 0;
  PyErr_Format (PyExc_TypeError, "cannot create weak reference to '%s' object",
                _PyType_Name (Py_TYPE (ob)));
  return -1;
}

/* A new reference to the wrapper of @obj (which may be NULL: None). */
PyObject *
wrap (GObject *obj)
{
  if (obj == NULL)
    Py_RETURN_NONE;
  return pygobject_new (obj);
}

/* Like wrap(), dropping the caller's reference on @obj. */
PyObject *
wrap_take (GObject *obj)
{
  PyObject *w;

  if (obj == NULL)
    Py_RETURN_NONE;
  w = pygobject_new (obj);
  g_object_unref (obj);
  return w;
}

/* KeyError(@key), also for a tuple key (which PyErr_SetObject would
 * take for the arguments). */
void
set_key_error (PyObject *key)
{
  PyObject *args = PyTuple_Pack (1, key);

  if (args != NULL)
    {
      PyErr_SetObject (PyExc_KeyError, args);
      Py_DECREF (args);
    }
}

Py_hash_t
identity_hash (gconstpointer address)
{
  guint64 x = (guintptr) address;
  Py_hash_t h;

  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  h = (Py_hash_t) (guint) x;
  return h == -1 ? -2 : h;
}


void
gil_enter (GilScope *scope)
{
  scope->gil = PyGILState_Ensure ();
  PyErr_Fetch (&scope->type, &scope->value, &scope->traceback);
}

void
gil_leave (GilScope *scope)
{
  PyErr_Restore (scope->type, scope->value, scope->traceback);
  PyGILState_Release (scope->gil);
}

/* ---- Python objects released outside the GIL ----------------------------
 *
 * A PyAnchor may be freed in any thread (when its GObject is finalized),
 * with or without the GIL; what it owns on the Python side is released
 * at once with the GIL, else from a pending call (Py_AddPendingCall()
 * needs no thread state), in whichever thread Python runs next. */

static GMutex     deferred_lock;
static GPtrArray *deferred_decrefs;     /* (deferred_lock) */
static gboolean   deferred_scheduled;   /* (deferred_lock) */

static int
drain_deferred (void *unused)
{
  GPtrArray *list;
  guint i;

  g_mutex_lock (&deferred_lock);
  list = g_steal_pointer (&deferred_decrefs);
  deferred_scheduled = FALSE;
  g_mutex_unlock (&deferred_lock);
  for (i = 0; list != NULL && i < list->len; i++)
    Py_DECREF ((PyObject *) g_ptr_array_index (list, i));
  if (list != NULL)
    g_ptr_array_unref (list);
  return 0;
}

void
release_python_object (PyObject *obj)
{
  gboolean schedule;

  if (!python_alive ())
    return;   /* the interpreter is going: leave it */
  if (PyGILState_Check ())
    {
      Py_DECREF (obj);
      return;
    }
  g_mutex_lock (&deferred_lock);
  if (deferred_decrefs == NULL)
    deferred_decrefs = g_ptr_array_new ();
  g_ptr_array_add (deferred_decrefs, obj);
  schedule = !deferred_scheduled;
  deferred_scheduled = TRUE;
  g_mutex_unlock (&deferred_lock);
  if (schedule && Py_AddPendingCall (drain_deferred, NULL) < 0)
    {
      g_mutex_lock (&deferred_lock);
      deferred_scheduled = FALSE;   /* the next release tries again */
      g_mutex_unlock (&deferred_lock);
    }
}

/* ---- Module ------------------------------------------------------------- */

static PyObject *
set_shutdown (PyObject *module,
              PyObject *unused)
{
  shutting_down = 1;
  Py_RETURN_NONE;
}

static PyObject *
setup (PyObject *module,
       PyObject *args,
       PyObject *kwargs)
{
  static char *names[] = { "variant_class", "key_error_factory", "property_hook",
                           "ref_repr", "refuse_pickling", "finalize_repr", NULL };
  PyObject *values[6] = { NULL, };
  PyObject **slots[6] = { &variant_class, &key_error_factory, &property_hook,
                          &ref_repr_hook, &refuse_pickling_hook, &finalize_repr_hook };
  guint i;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|$OOOOOO:setup", names,
                                    &values[0], &values[1], &values[2], &values[3],
                                    &values[4], &values[5]))
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] != NULL)
      Py_XSETREF (*slots[i], Py_NewRef (values[i]));
  Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
  { "setup", (PyCFunction) (void (*) (void)) setup, METH_VARARGS | METH_KEYWORDS,
    "Gives the module what it needs from the override." },
  { "set_shutdown", (PyCFunction) set_shutdown, METH_NOARGS,
    "From Python's exit hook: no finalizer runs any more." },
  { "make_proxy", (PyCFunction) make_proxy, METH_VARARGS,
    "make_proxy(cls, ob, callback=None): a new proxy of class cls to ob." },
  { "proxy_face", (PyCFunction) proxy_face, METH_VARARGS,
    "proxy_face(cls, c_proxy): a Python proxy for a Wk.Proxy made in C." },
  { "referent", (PyCFunction) referent, METH_O,
    "The referent of a ref or proxy; ReferenceError once dead." },
  { "referent_or_none", (PyCFunction) referent_or_none, METH_O,
    "The referent of a ref or proxy, or None." },
  { "c_ref", (PyCFunction) c_ref_of, METH_O,
    "The C ref or proxy that a Python proxy is the face of, or None." },
  { "python_refs", (PyCFunction) python_refs, METH_O,
    "The Python refs and proxies to a GObject, newest first." },
  { "python_ref_count", (PyCFunction) python_ref_count, METH_O,
    "How many Python refs and proxies a GObject has." },
  { "_c_floor", (PyCFunction) c_floor, METH_VARARGS,
    "_c_floor(what, table, keys, values=None): ns per op of the C calls alone (benchmarks)." },
  { "_fast_key_bytes", (PyCFunction) fast_key_bytes_py, METH_O,
    "_fast_key_bytes(key): (type, bytes) as the dicts serialise key without GVariants, or None (tests)." },
  { "encode_key", (PyCFunction) encode_key_py, METH_O,
    "The GLib.Variant that stands for a WeakValueDictionary key." },
  { "decode_key", (PyCFunction) decode_key_py, METH_O,
    "The Python key for a GLib.Variant read from a table." },
  { NULL }
};

static struct PyModuleDef native_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "gi.overrides._wk_native",
  .m_doc = "The hot paths of Wk's Python binding (see Wk.py).",
  .m_size = -1,
  .m_methods = module_methods,
};

static int
add_type (PyObject     *module,
          PyTypeObject *type,
          const char   *name)
{
  if (PyType_Ready (type) < 0)
    return -1;
  Py_INCREF (type);
  if (PyModule_AddObject (module, name, (PyObject *) type) < 0)
    {
      Py_DECREF (type);
      return -1;
    }
  return 0;
}

/* The WeakSet operations, as functions that bind as methods when set
 * on the class (instancemethod), in a dict. */
static PyObject *
set_methods_dict (PyObject *module)
{
  PyObject *dict = PyDict_New ();
  PyMethodDef *def;

  if (dict == NULL)
    return NULL;
  for (def = set_function_defs; def->ml_name != NULL; def++)
    {
      PyObject *func = PyCFunction_NewEx (def, module, NULL);
      PyObject *method = func != NULL ? PyInstanceMethod_New (func) : NULL;

      Py_XDECREF (func);
      if (method == NULL || PyDict_SetItemString (dict, def->ml_name, method) < 0)
        {
          Py_XDECREF (method);
          Py_DECREF (dict);
          return NULL;
        }
      Py_DECREF (method);
    }
  return dict;
}

PyMODINIT_FUNC PyInit__wk_native (void);

PyMODINIT_FUNC
PyInit__wk_native (void)
{
  PyObject *module, *set_methods;

  if (pygobject_init (3, 0, 0) == NULL)
    return NULL;
  py_object_gtype = g_type_from_name ("PyObject");
  if (py_object_gtype == 0)
    {
      PyErr_SetString (PyExc_ImportError, "PyGObject has not registered its PyObject type");
      return NULL;
    }
  anchor_quark = g_quark_from_static_string ("wk-python-anchor");
  str_get_property = PyUnicode_InternFromString ("get_property");
  str_set_property = PyUnicode_InternFromString ("set_property");
  if (str_get_property == NULL || str_set_property == NULL)
    return NULL;

  RefBase_Type.tp_base = &WeakBase_Type;
  Marker_Type.tp_base = &_PyWeakref_RefType;
  Marker_Type.tp_traverse = _PyWeakref_RefType.tp_traverse;
  Marker_Type.tp_clear = _PyWeakref_RefType.tp_clear;
  ProxyBase_Type.tp_base = &WeakBase_Type;

  module = PyModule_Create (&native_module);
  if (module == NULL)
    return NULL;
  if (add_type (module, &WeakBase_Type, "WeakBase") < 0 ||
      add_type (module, &RefBase_Type, "ref") < 0 ||
      add_type (module, &ProxyBase_Type, "ProxyBase") < 0 ||
      add_type (module, &Iter_Type, "Iterator") < 0 ||
      add_type (module, &Marker_Type, "WrapperMarker") < 0 ||
      add_type (module, &ValueDictCore_Type, "ValueDictCore") < 0 ||
      add_type (module, &KeyDictCore_Type, "KeyDictCore") < 0 ||
      add_type (module, &FinalizeBase_Type, "finalize") < 0)
    goto fail;
  set_methods = set_methods_dict (module);
  if (set_methods == NULL || PyModule_AddObject (module, "set_methods", set_methods) < 0)
    {
      Py_XDECREF (set_methods);
      goto fail;
    }

  /* From here on, Wk takes the GIL before each of its count-1 reads
   * (GLib < 2.80): see the top of this file. */
  wk_binding_set_toggle_lock (gil_lock, gil_unlock);
  return module;

fail:
  Py_DECREF (module);
  return NULL;
}
