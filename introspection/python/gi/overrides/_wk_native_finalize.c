/* _wk_native_finalize.c: Wk.finalize over a WkFinalizer, and the C floors of bench_dicts.py
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "_wk_native.h"

#include <string.h>

/* ---- finalize ----------------------------------------------------------- */

typedef struct
{
  gint      ref_count;   /* (atomic) the Python object's and the WkFinalizer's */
  PyAnchor *anchor;      /* (owned) the object's, to mark it dead */
  PyObject *func;        /* (GIL) all three NULL once claimed */
  PyObject *args;
  PyObject *kwargs;      /* or NULL */
} FinState;

typedef struct
{
  PyObject_HEAD
  WkFinalizer *finalizer;  /* (owned) */
  FinState    *state;
  PyObject    *wrapper;    /* a weakref.ref to the wrapper given, or NULL */
  PyObject    *weaklist;
} FinalizeObject;

/* A new reference to the wrapper of the finalizer's object while that
 * lives, or NULL. The wrapper we were given holds the object while it
 * lives: no reference to take through Wk then (a count-1 read). Whether
 * the object has died meanwhile all the same (g_object_run_dispose()),
 * the finalizer's own state says: its death ran the finalizer. */
static PyObject *
finalize_dup_wrapper (FinalizeObject *self)
{
  if (self->wrapper != NULL)
    {
      PyObject *w = PyWeakref_GET_OBJECT (self->wrapper);

      if (w != Py_None && pygobject_get (w) != NULL)
        return Py_NewRef (w);
    }
  if (self->finalizer == NULL)
    return NULL;
  return wrap_take (wk_finalizer_dup_object (self->finalizer));
}

/* Takes func, args and kwargs out of @state: (func, args, kwargs) with
 * the references, or FALSE if it was claimed before. */
static gboolean
fin_state_claim (FinState  *state,
                 PyObject **func,
                 PyObject **args,
                 PyObject **kwargs)
{
  if (state->func == NULL)
    return FALSE;
  *func = state->func;
  *args = state->args;
  *kwargs = state->kwargs;
  state->func = state->args = state->kwargs = NULL;
  return TRUE;
}

static void
fin_state_unref (gpointer data)
{
  FinState *state = data;

  if (!g_atomic_int_dec_and_test (&state->ref_count))
    return;
  if (state->anchor != NULL)
    py_anchor_unref (state->anchor);
  if (state->func != NULL && python_alive ())
    {
      GilScope scope;

      gil_enter (&scope);
      Py_CLEAR (state->func);
      Py_CLEAR (state->args);
      Py_CLEAR (state->kwargs);
      gil_leave (&scope);
    }
  g_free (state);
}

static PyObject *
fin_call (PyObject *func,
          PyObject *args,
          PyObject *kwargs)
{
  PyObject *res = PyObject_Call (func, args, kwargs);

  Py_DECREF (func);
  Py_DECREF (args);
  Py_XDECREF (kwargs);
  return res;
}

/* The WkFinalizer's function: at the object's death, or at exit. */
static void
fin_run (gpointer data)
{
  FinState *state = data;
  PyObject *func, *args, *kwargs;
  GilScope scope;

  if (!python_alive ())
    return;
  gil_enter (&scope);
  /* At the object's death (not at exit): Python refs read dead from now
   * on, as they would after the object's own death finalizer. */
  if (state->anchor != NULL && !py_anchor_is_dead (state->anchor))
    {
      GObject *obj = wk_weak_get (&state->anchor->weak);

      if (obj == NULL)
        g_atomic_int_set (&state->anchor->dead, 1);
      else
        g_object_unref (obj);
    }
  if (fin_state_claim (state, &func, &args, &kwargs))
    {
      if (shutting_down)
        {
          Py_DECREF (func);
          Py_DECREF (args);
          Py_XDECREF (kwargs);
        }
      else
        {
          PyObject *res;

          Py_INCREF (func);
          res = fin_call (func, args, kwargs);
          if (res == NULL)
            PyErr_WriteUnraisable (func);
          else
            Py_DECREF (res);
          Py_DECREF (func);
        }
    }
  gil_leave (&scope);
}

static PyObject *
finalize_new (PyTypeObject *type,
              PyObject     *args,
              PyObject     *kwargs)
{
  FinalizeObject *self;
  FinState *state;
  PyObject *ob;

  if (PyTuple_GET_SIZE (args) < 2)
    {
      PyErr_SetString (PyExc_TypeError, "finalize() needs an object and a function");
      return NULL;
    }
  ob = PyTuple_GET_ITEM (args, 0);
  if (check_referent (ob) < 0)
    return NULL;

  self = (FinalizeObject *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;
  state = g_new0 (FinState, 1);
  state->ref_count = 2;
  /* The Python refs made before this finalizer must read dead when it
   * runs at the object's death (the later ones are called back, or die,
   * before it): their anchor, found through the wrapper's marker. (An
   * anchor that only the object's qdata knows, because the object's
   * wrapper changed since, is not worth a qdata lookup on every
   * finalizer: its refs' r() is exact anyway, only their is_alive()
   * would read TRUE inside this finalizer.) */
  state->anchor = py_anchor_of_wrapper (ob);
  if (state->anchor != NULL)
    g_atomic_int_inc (&state->anchor->ref_count);
  state->func = Py_NewRef (PyTuple_GET_ITEM (args, 1));
  state->args = PyTuple_GetSlice (args, 2, PyTuple_GET_SIZE (args));
  state->kwargs = kwargs != NULL && PyDict_GET_SIZE (kwargs) > 0 ? PyDict_Copy (kwargs) : NULL;
  self->state = state;
  if (state->args == NULL || (kwargs != NULL && PyDict_GET_SIZE (kwargs) > 0 && state->kwargs == NULL))
    {
      g_atomic_int_dec_and_test (&state->ref_count);
      Py_DECREF (self);
      return NULL;
    }
  self->wrapper = PyWeakref_NewRef (ob, NULL);
  if (self->wrapper == NULL)
    PyErr_Clear ();
  self->finalizer = wk_finalizer_new (pygobject_get (ob), fin_run, state, fin_state_unref);
  if (shutting_down)
    wk_finalizer_set_atexit (self->finalizer, FALSE);
  return (PyObject *) self;
}

static void
finalize_dealloc (FinalizeObject *self)
{
  if (self->weaklist != NULL)
    PyObject_ClearWeakRefs ((PyObject *) self);
  g_clear_object (&self->finalizer);
  Py_CLEAR (self->wrapper);
  if (self->state != NULL)
    fin_state_unref (self->state);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

static PyObject *
finalize_call (FinalizeObject *self,
               PyObject       *args,
               PyObject       *kwargs)
{
  PyObject *func, *fargs, *fkwargs;

  if (self->finalizer != NULL && wk_finalizer_detach (self->finalizer) && !shutting_down &&
      fin_state_claim (self->state, &func, &fargs, &fkwargs))
    return fin_call (func, fargs, fkwargs);
  Py_RETURN_NONE;
}

static PyObject *
finalize_detach (FinalizeObject *self,
                 PyObject       *unused)
{
  PyObject *func, *args, *kwargs, *result;
  PyObject *wrapper = finalize_dup_wrapper (self);

  if (wrapper == NULL || wrapper == Py_None)
    {
      Py_XDECREF (wrapper);
      if (PyErr_Occurred ())
        return NULL;
      Py_RETURN_NONE;
    }
  if (!wk_finalizer_detach (self->finalizer) ||
      !fin_state_claim (self->state, &func, &args, &kwargs))
    {
      Py_DECREF (wrapper);
      Py_RETURN_NONE;
    }
  if (kwargs == NULL)
    kwargs = PyDict_New ();
  result = wrapper != NULL && kwargs != NULL ? PyTuple_Pack (4, wrapper, func, args, kwargs) : NULL;
  Py_XDECREF (wrapper);
  Py_DECREF (func);
  Py_DECREF (args);
  Py_XDECREF (kwargs);
  return result;
}

static PyObject *
finalize_peek (FinalizeObject *self,
               PyObject       *unused)
{
  FinState *state = self->state;
  PyObject *kwargs, *result;
  PyObject *wrapper = finalize_dup_wrapper (self);

  if (wrapper == NULL || wrapper == Py_None || state->func == NULL ||
      self->finalizer == NULL || !wk_finalizer_is_alive (self->finalizer))
    {
      Py_XDECREF (wrapper);
      if (PyErr_Occurred ())
        return NULL;
      Py_RETURN_NONE;
    }
  kwargs = state->kwargs != NULL ? Py_NewRef (state->kwargs) : PyDict_New ();
  result = kwargs != NULL ? PyTuple_Pack (4, wrapper, state->func, state->args, kwargs) : NULL;
  Py_DECREF (wrapper);
  Py_XDECREF (kwargs);
  return result;
}

static PyObject *
finalize_get_alive (FinalizeObject *self,
                    void           *closure)
{
  return PyBool_FromLong (self->finalizer != NULL && wk_finalizer_is_alive (self->finalizer));
}

static PyObject *
finalize_get_atexit (FinalizeObject *self,
                     void           *closure)
{
  return PyBool_FromLong (self->finalizer != NULL && wk_finalizer_get_atexit (self->finalizer));
}

static int
finalize_set_atexit (FinalizeObject *self,
                     PyObject       *value,
                     void           *closure)
{
  int truth;

  if (value == NULL)
    {
      PyErr_SetString (PyExc_AttributeError, "cannot delete atexit");
      return -1;
    }
  truth = PyObject_IsTrue (value);
  if (truth < 0)
    return -1;
  if (!shutting_down && self->finalizer != NULL)
    wk_finalizer_set_atexit (self->finalizer, truth);
  return 0;
}

static PyObject *
finalize_get_finalizer (FinalizeObject *self,
                        void           *closure)
{
  return wrap (G_OBJECT (self->finalizer));
}

static PyObject *finalize_reduce_ex (PyObject *self, PyObject *protocol);

static PyMethodDef finalize_methods[] = {
  { "__reduce_ex__", (PyCFunction) finalize_reduce_ex, METH_O, "Finalizers cannot be pickled." },
  { "detach", (PyCFunction) finalize_detach, METH_NOARGS,
    "Kills the finalizer if it and the object are alive, returning "
    "(obj, func, args, kwargs); None otherwise." },
  { "peek", (PyCFunction) finalize_peek, METH_NOARGS,
    "(obj, func, args, kwargs) if the finalizer and the object are alive, else None." },
  { NULL }
};

static PyGetSetDef finalize_getset[] = {
  { "alive", (getter) finalize_get_alive, NULL, "Whether the finalizer is still to run.", NULL },
  { "atexit", (getter) finalize_get_atexit, (setter) finalize_set_atexit,
    "Whether the finalizer runs at exit if still alive.", NULL },
  { "finalizer", (getter) finalize_get_finalizer, NULL, "The C Wk.Finalizer.", NULL },
  { NULL }
};

static PyObject *
finalize_repr (PyObject *self)
{
  if (finalize_repr_hook == NULL)
    return PyUnicode_FromFormat ("<finalize object at %p>", self);
  return PyObject_CallOneArg (finalize_repr_hook, self);
}

static PyObject *
finalize_reduce_ex (PyObject *self,
                    PyObject *protocol)
{
  if (refuse_pickling_hook != NULL)
    return PyObject_CallFunctionObjArgs (refuse_pickling_hook, self, protocol, NULL);
  PyErr_SetString (PyExc_TypeError, "cannot pickle 'Wk.finalize' object");
  return NULL;
}

/* Wk.finalize itself, the static type: its construction takes no
 * argument tuple through type.__call__ and no __init__. */
PyTypeObject FinalizeBase_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides.Wk.finalize",
  .tp_basicsize = sizeof (FinalizeObject),
  .tp_dealloc = (destructor) finalize_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc =
    "finalize(obj, func, /, *args, **kwargs): calls func(*args, **kwargs)\n"
    "once, when the GObject obj dies, like weakref.finalize.\n\n"
    "The finalizer is alive until the first of: obj's death; a call f(),\n"
    "which runs func now and returns its result (None if dead); f.detach();\n"
    "the exit of the interpreter, if atexit is true (the default), where the\n"
    "pending finalizers run newest first. The function runs at most once. The\n"
    "finalizer does not keep obj alive, and is kept alive by Wk until it has\n"
    "run or been detached, so the returned object may be dropped.\n\n"
    "It is a C Wk.Finalizer (the finalizer attribute): C and Python\n"
    "finalizers share one newest-first order at death and at exit (Python's\n"
    "atexit runs Wk.finalize_run_atexit()), and obj is followed as a GObject,\n"
    "so the finalizer also waits while only C holds the object.\n\n"
    "Exceptions raised by func at death or at exit go to sys.unraisablehook;\n"
    "from f() they propagate. As in the stdlib, once the exit hook has run no\n"
    "finalizer runs any more: the ones made after it have atexit false and\n"
    "ignore deaths.",
  .tp_new = finalize_new,
  .tp_call = (ternaryfunc) finalize_call,
  .tp_repr = finalize_repr,
  .tp_weaklistoffset = offsetof (FinalizeObject, weaklist),
  .tp_methods = finalize_methods,
  .tp_getset = finalize_getset,
};

/* ---- Benchmark floors --------------------------------------------------- */

/* _c_floor(what, table, keys, values=None): ns per op of the C calls that
 * the weak dicts' hot paths make, looped in C with no Python in between,
 * for bench_dicts.py to report next to the Python figures of the same run.
 * @keys are str keys (value dicts) or GObjects (key dicts); the C strings
 * and objects are taken out before the clock starts. */
PyObject *
c_floor (PyObject *module,
         PyObject *args)
{
  const char *what;
  PyObject *table_wrapper, *keys, *values = Py_None;
  GObject *table;
  Py_ssize_t i, n;
  gpointer *items, *objects = NULL;
  gint64 start, end;

  if (!PyArg_ParseTuple (args, "sOO!|O:_c_floor", &what, &table_wrapper,
                         &PyList_Type, &keys, &values))
    return NULL;
  table = wrapper_object (table_wrapper);
  if (table == NULL)
    {
      PyErr_SetString (PyExc_TypeError, "_c_floor() needs a table");
      return NULL;
    }
  n = PyList_GET_SIZE (keys);
  if (n == 0)
    return PyFloat_FromDouble (0.0);
  items = g_new (gpointer, n);
  for (i = 0; i < n; i++)
    {
      PyObject *key = PyList_GET_ITEM (keys, i);

      items[i] = PyUnicode_Check (key) ? (gpointer) PyUnicode_AsUTF8 (key) : wrapper_object (key);
      if (items[i] == NULL)
        {
          g_free (items);
          if (!PyErr_Occurred ())
            PyErr_SetString (PyExc_TypeError, "keys must be str or GObjects");
          return NULL;
        }
    }
  if (values != Py_None)
    {
      if (!PyList_Check (values) || PyList_GET_SIZE (values) != n)
        {
          g_free (items);
          PyErr_SetString (PyExc_TypeError, "values must be a list as long as keys");
          return NULL;
        }
      objects = g_new (gpointer, n);
      for (i = 0; i < n; i++)
        objects[i] = wrapper_object (PyList_GET_ITEM (values, i));
    }

  start = g_get_monotonic_time ();
  if (strcmp (what, "value-lookup") == 0 && WK_IS_WEAK_VALUE_DICT (table))
    for (i = 0; i < n; i++)
      {
        GObject *obj = wk_weak_value_dict_lookup_string (WK_WEAK_VALUE_DICT (table), items[i]);
        g_clear_object (&obj);
      }
  else if (strcmp (what, "value-insert") == 0 && WK_IS_WEAK_VALUE_DICT (table) && objects != NULL)
    for (i = 0; i < n; i++)
      wk_weak_value_dict_insert_string (WK_WEAK_VALUE_DICT (table), items[i], objects[i]);
  else if (strcmp (what, "value-remove") == 0 && WK_IS_WEAK_VALUE_DICT (table))
    for (i = 0; i < n; i++)
      wk_weak_value_dict_remove_string (WK_WEAK_VALUE_DICT (table), items[i]);
  else if (strcmp (what, "key-lookup") == 0 && WK_IS_WEAK_KEY_DICT (table))
    for (i = 0; i < n; i++)
      {
        GValue value = G_VALUE_INIT;

        wk_weak_key_dict_lookup_value (WK_WEAK_KEY_DICT (table), items[i], &value);
        if (G_IS_VALUE (&value))
          g_value_unset (&value);
      }
  else if (strcmp (what, "key-insert") == 0 && WK_IS_WEAK_KEY_DICT (table))
    for (i = 0; i < n; i++)
      {
        GValue value = G_VALUE_INIT;

        g_value_init (&value, G_TYPE_INT);
        g_value_set_int (&value, (gint) i);
        wk_weak_key_dict_insert_value (WK_WEAK_KEY_DICT (table), items[i], &value);
        g_value_unset (&value);
      }
  else
    {
      g_free (items);
      g_free (objects);
      PyErr_Format (PyExc_ValueError, "_c_floor(): unknown floor %s for this table", what);
      return NULL;
    }
  end = g_get_monotonic_time ();
  g_free (items);
  g_free (objects);
  return PyFloat_FromDouble ((double) (end - start) * 1000.0 / n);
}
