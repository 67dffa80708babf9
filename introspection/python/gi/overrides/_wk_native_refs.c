/* _wk_native_refs.c: Wk.ref and the proxies' weak part, and their anchors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "_wk_native.h"

/* ---- PyAnchor: one per referent ----------------------------------------
 *
 * Found from a wrapper through a *marker*: a weakref.ref subtype to the
 * wrapper that points back at the anchor. CPython keeps a wrapper's weak
 * references in a list in the wrapper itself, a few pointers away, where
 * GLib's qdata lookup (g_object_get_qdata()) costs more than the rest of
 * making a ref. The anchor owns its marker; the marker's pointer back is
 * borrowed, and cleared when the anchor lets the marker go. The marker
 * also tells a ref whether the wrapper it last handed out still lives
 * (see live_wrapper()). A GObject may outlive its wrapper and get a new
 * one; its anchor is then found through its qdata once, and marks the
 * new wrapper. */


typedef struct
{
  PyWeakReference  base;
  PyAnchor        *anchor;   /* (atomic) borrowed, NULL once let go */
} MarkerObject;

PyTypeObject Marker_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.WrapperMarker",
  .tp_basicsize = sizeof (MarkerObject),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Marks a wrapper with the Wk anchor of its GObject (private).",
};

static void
marker_let_go (PyObject *marker)
{
  g_atomic_pointer_set (&((MarkerObject *) marker)->anchor, NULL);
  release_python_object (marker);
}

void
py_anchor_unref (gpointer data)
{
  PyAnchor *a = data;

  if (g_atomic_int_dec_and_test (&a->ref_count))
    {
      if (a->marker != NULL)
        marker_let_go (a->marker);
      wk_weak_clear (&a->weak);
      g_free (a);
    }
}

static void
py_anchor_died (gpointer data)
{
  PyAnchor *a = data;

  g_atomic_int_set (&a->dead, 1);
}

gboolean
py_anchor_is_dead (PyAnchor *a)
{
  return g_atomic_int_get (&a->dead) != 0;
}

/* The live anchor that marks @wrapper (borrowed), or NULL. */
PyAnchor *
py_anchor_of_wrapper (PyObject *wrapper)
{
  Py_ssize_t offset = Py_TYPE (wrapper)->tp_weaklistoffset;
  PyWeakReference *wr;

  if (offset <= 0)
    return NULL;
  for (wr = *(PyWeakReference **) ((char *) wrapper + offset); wr != NULL; wr = wr->wr_next)
    if (Py_IS_TYPE ((PyObject *) wr, &Marker_Type))
      {
        PyAnchor *a = g_atomic_pointer_get (&((MarkerObject *) wr)->anchor);

        if (a != NULL && a->marker == (PyObject *) wr && !py_anchor_is_dead (a))
          return a;
      }
  return NULL;
}

/* Marks @wrapper (a wrapper of @a's object) with @a. */
static void
anchor_mark (PyAnchor *a,
             PyObject *wrapper)
{
  PyObject *marker;

  if (a->marker != NULL && PyWeakref_GET_OBJECT (a->marker) == wrapper)
    return;
  marker = PyObject_CallOneArg ((PyObject *) &Marker_Type, wrapper);
  if (marker == NULL)
    {
      PyErr_Clear ();
      return;
    }
  ((MarkerObject *) marker)->anchor = a;
  if (a->marker != NULL)
    {
      g_atomic_pointer_set (&((MarkerObject *) a->marker)->anchor, NULL);
      Py_DECREF (a->marker);
    }
  a->marker = marker;
}

/* The PyAnchor of the object of @wrapper, which the caller holds alive;
 * borrowed (the object's qdata holds it). A new one replaces one whose
 * object died and lives on (after g_object_run_dispose()), as Wk does
 * for anchors. */
static PyAnchor *
py_anchor_for (PyObject *wrapper)
{
  GObject *obj;
  PyAnchor *a = py_anchor_of_wrapper (wrapper);

  if (G_LIKELY (a != NULL))
    return a;

  obj = pygobject_get (wrapper);
  a = g_object_get_qdata (obj, anchor_quark);
  if (a == NULL || py_anchor_is_dead (a))
    {
      a = g_new0 (PyAnchor, 1);
      a->ref_count = 2;
      a->address = obj;
      wk_weak_init (&a->weak, obj);
      if (wk_finalize_add (obj, py_anchor_died, a, py_anchor_unref) == 0)
        a->dead = 1;   /* already dying; the destroy notify dropped its count */
      g_object_set_qdata_full (obj, anchor_quark, a, py_anchor_unref);
    }
  anchor_mark (a, wrapper);
  return a;
}

/* The PyAnchor of @wrapper's object if it has one (borrowed), or NULL. */
PyAnchor *
py_anchor_lookup (PyObject *wrapper)
{
  PyAnchor *a = py_anchor_of_wrapper (wrapper);

  if (a == NULL)
    a = g_object_get_qdata (pygobject_get (wrapper), anchor_quark);
  return a;
}

/* ---- WeakBase: refs and proxies ---------------------------------------- */

/* The user data of a ref's light finalizer: the finalizer's and the
 * ref's, each dropping its count when it lets go. */
typedef struct
{
  gint        ref_count;   /* (atomic) */
  WeakObject *self;        /* (GIL) NULL once the Python object has let go */
} Pending;

static void
pending_unref (gpointer data)
{
  Pending *p = data;

  if (g_atomic_int_dec_and_test (&p->ref_count))
    g_free (p);
}

struct _WeakObject
{
  PyObject_HEAD
  PyAnchor   *anchor;       /* (owned) NULL for the face of a C ref */
  GObject    *c_ref;        /* (owned) the C WkRef/WkProxy this is the face of */
  PyObject   *callback;
  Pending    *pending;      /* its light finalizer, while armed */
  gsize       pending_id;
  WeakObject *newer;
  WeakObject *older;
  Py_hash_t   hash;
  gboolean    death_hold;   /* (GIL) a reference the referent's death holds */
  PyObject   *weaklist;
  vectorcallfunc vectorcall;   /* r(): no argument tuple */
};


#define IS_WEAK(o) PyObject_TypeCheck ((o), &WeakBase_Type)

static void
anchor_link (PyAnchor   *a,
             WeakObject *w)
{
  w->newer = NULL;
  w->older = a->newest;
  if (a->newest != NULL)
    a->newest->newer = w;
  a->newest = w;
  a->n_refs++;
}

static void
anchor_unlink (PyAnchor   *a,
               WeakObject *w)
{
  if (w->newer != NULL)
    w->newer->older = w->older;
  else
    a->newest = w->older;
  if (w->older != NULL)
    w->older->newer = w->newer;
  w->newer = w->older = NULL;
  a->n_refs--;
  if (a->shared == w)
    a->shared = NULL;
}

/* The light finalizer of a ref with a callback: at the death of the
 * referent, in the thread that dropped the last reference. */
static void
pending_run (gpointer data)
{
  Pending *p = data;
  GilScope scope;
  WeakObject *self;

  if (!python_alive ())
    return;

  gil_enter (&scope);
  self = p->self;
  /* A ref that is being deallocated (a subclass's slots are cleared
   * before its base lets go of this) is not called back, as CPython's
   * weakrefs are not. */
  if (self != NULL && Py_REFCNT (self) > 0)
    {
      PyObject *callback = self->callback;
      PyAnchor *a = self->anchor;
      WeakObject *w;

      /* As CPython does, the death holds every ref it will call back
       * before the first callback runs (this one is the newest of
       * them): a callback that drops an older ref does not cancel that
       * ref's callback. Each lets go after its own callback. */
      if (a != NULL && !a->death_held)
        {
          a->death_held = TRUE;
          for (w = self->older; w != NULL; w = w->older)
            if (w->pending != NULL && !w->death_hold && Py_REFCNT (w) > 0)
              {
                w->death_hold = TRUE;
                Py_INCREF (w);
              }
        }

      p->self = NULL;
      self->pending = NULL;
      self->pending_id = 0;
      pending_unref (p);   /* the ref's count */
      self->callback = NULL;
      /* Every Python ref reads None from here on, even through the
       * wrapper of an object that lives on after g_object_run_dispose(). */
      if (self->anchor != NULL)
        g_atomic_int_set (&self->anchor->dead, 1);
      if (callback != NULL)
        {
          PyObject *res;

          Py_INCREF (self);
          res = PyObject_CallOneArg (callback, (PyObject *) self);
          if (res == NULL)
            PyErr_WriteUnraisable (callback);
          else
            Py_DECREF (res);
          Py_DECREF (callback);
          Py_DECREF (self);
        }
      if (self->death_hold)
        {
          self->death_hold = FALSE;
          Py_DECREF (self);
        }
    }
  gil_leave (&scope);
}

static PyObject *live_wrapper (WeakObject *self);

/* Takes back the light finalizer of @self, which will not call back. */
static void
weak_disarm (WeakObject *self)
{
  Pending *p = self->pending;
  GObject *obj;

  if (p == NULL)
    return;
  p->self = NULL;
  self->pending = NULL;
  pending_unref (p);   /* the ref's count; the finalizer still has its own */
  /* If the referent is dying, its death owns the finalizer and frees @p
   * (p->self is NULL: nothing runs); if not, take it out now. A live
   * wrapper holds the object: no reference to take then. */
  if (self->anchor != NULL && !py_anchor_is_dead (self->anchor) && live_wrapper (self) != NULL)
    wk_finalize_remove (self->anchor->address, self->pending_id);
  else if (self->anchor != NULL && (obj = wk_weak_get (&self->anchor->weak)) != NULL)
    {
      wk_finalize_remove (obj, self->pending_id);
      g_object_unref (obj);
    }
  self->pending_id = 0;
}

/* While the wrapper the anchor last marked lives, it holds the GObject:
 * the referent is alive unless its death has begun regardless (after
 * g_object_run_dispose()), which the dead flag says. Borrowed, or NULL. */
static PyObject *
live_wrapper (WeakObject *self)
{
  PyAnchor *a = self->anchor;
  PyObject *w;

  if (a->marker == NULL)
    return NULL;
  w = PyWeakref_GET_OBJECT (a->marker);
  if (w != Py_None && pygobject_get (w) == a->address)
    return w;
  return NULL;
}

/* A strong reference to the referent, or NULL. */
static GObject *
weak_dup_object (WeakObject *self)
{
  PyAnchor *a = self->anchor;

  if (a == NULL)
    return self->c_ref != NULL ? wk_ref_get (WK_REF (self->c_ref)) : NULL;
  if (py_anchor_is_dead (a))
    return NULL;
  if (live_wrapper (self) != NULL)
    return g_object_ref (a->address);
  return wk_weak_get (&a->weak);
}

/* A new reference to the referent's wrapper, or to None. */
static PyObject *
weak_referent (WeakObject *self)
{
  PyAnchor *a = self->anchor;
  GObject *obj;
  PyObject *w;

  if (a != NULL)
    {
      if (py_anchor_is_dead (a))
        Py_RETURN_NONE;
      w = live_wrapper (self);
      if (w != NULL)
        return Py_NewRef (w);
      obj = wk_weak_get (&a->weak);
    }
  else if (self->c_ref != NULL)
    obj = wk_ref_get (WK_REF (self->c_ref));
  else
    Py_RETURN_NONE;

  w = wrap_take (obj);
  if (w != NULL && w != Py_None && a != NULL)
    anchor_mark (a, w);
  return w;
}

/* Whether the referent is alive, without taking a reference (which
 * would notify toggle-ref holders): the dead flag, which the first of
 * the object's Python callbacks, Python finalizers, or its own death
 * finalizer sets. (A C callback that runs before them and calls into
 * Python may still read TRUE; r() is exact.) */
static gboolean
weak_is_alive (WeakObject *self)
{
  if (self->anchor == NULL)
    return self->c_ref != NULL && wk_ref_is_alive (WK_REF (self->c_ref));
  return !py_anchor_is_dead (self->anchor);
}

static PyObject *ref_vectorcall (PyObject *self, PyObject *const *args,
                                 size_t nargsf, PyObject *kwnames);

/* Makes a ref or proxy of @type to @ob. With @share, a plain ref is the
 * referent's shared one. */
static PyObject *
weak_new (PyTypeObject *type,
          PyObject     *ob,
          PyObject     *callback,
          gboolean      share)
{
  WeakObject *self;
  GObject *obj;
  PyAnchor *a;

  if (check_referent (ob) < 0)
    return NULL;
  if (callback == Py_None)
    callback = NULL;

  obj = pygobject_get (ob);
  a = py_anchor_for (ob);
  if (share && callback == NULL && a->shared != NULL && Py_REFCNT (a->shared) > 0)
    return Py_NewRef ((PyObject *) a->shared);

  self = (WeakObject *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;
  self->hash = -1;
  self->vectorcall = ref_vectorcall;
  self->anchor = a;
  g_atomic_int_inc (&a->ref_count);
  anchor_link (a, self);

  if (callback != NULL)
    {
      Pending *p = g_new (Pending, 1);
      gsize id;

      self->callback = Py_NewRef (callback);
      p->ref_count = 2;
      p->self = self;
      id = wk_finalize_add (obj, pending_run, p, pending_unref);
      if (id != 0)
        {
          self->pending = p;
          self->pending_id = id;
        }
      else
        pending_unref (p);   /* dying already: never called back */
    }
  else if (share)
    a->shared = self;
  return (PyObject *) self;
}

static int
weak_traverse (WeakObject *self,
               visitproc   visit,
               void       *arg)
{
  Py_VISIT (self->callback);
  return 0;
}

static int
weak_clear (WeakObject *self)
{
  /* A ref that is garbage itself is not called back, as in CPython. */
  weak_disarm (self);
  Py_CLEAR (self->callback);
  return 0;
}

static void
weak_dealloc (WeakObject *self)
{
  PyObject_GC_UnTrack (self);
  if (self->weaklist != NULL)
    PyObject_ClearWeakRefs ((PyObject *) self);
  weak_disarm (self);
  if (self->anchor != NULL)
    {
      anchor_unlink (self->anchor, self);
      py_anchor_unref (self->anchor);
      self->anchor = NULL;
    }
  Py_CLEAR (self->callback);
  g_clear_object (&self->c_ref);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

static PyObject *
weak_get_callback (WeakObject *self,
                   void       *closure)
{
  if (self->callback == NULL || !weak_is_alive (self))
    Py_RETURN_NONE;
  return Py_NewRef (self->callback);
}

static PyObject *
weak_is_alive_method (WeakObject *self,
                      PyObject   *unused)
{
  return PyBool_FromLong (weak_is_alive (self));
}


static PyGetSetDef weak_getset[] = {
  { "__callback__", (getter) weak_get_callback, NULL,
    "The callback given at creation, or None once the referent has died.", NULL },
  { NULL }
};

static PyMethodDef weak_methods[] = {
  { "is_alive", (PyCFunction) weak_is_alive_method, METH_NOARGS,
    "Whether the referent is alive, without taking a reference to it." },
  { NULL }
};

PyTypeObject WeakBase_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.WeakBase",
  .tp_basicsize = sizeof (WeakObject),
  .tp_dealloc = (destructor) weak_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "The weak part of Wk.ref and of Wk.proxy's proxies.",
  .tp_traverse = (traverseproc) weak_traverse,
  .tp_clear = (inquiry) weak_clear,
  .tp_weaklistoffset = offsetof (WeakObject, weaklist),
  .tp_methods = weak_methods,
  .tp_getset = weak_getset,
};

/* -- Wk.ref -- */

static PyObject *
ref_new (PyTypeObject *type,
         PyObject     *args,
         PyObject     *kwargs)
{
  Py_ssize_t n = PyTuple_GET_SIZE (args);
  PyObject *callback = Py_None;
  gboolean exact = type == &RefBase_Type;
  Py_ssize_t n_kw_used = 0;

  if (n < 1)
    {
      PyErr_SetString (PyExc_TypeError, "__new__ expected at least 1 argument, got 0");
      return NULL;
    }
  if (n >= 2)
    callback = PyTuple_GET_ITEM (args, 1);
  else if (kwargs != NULL)
    {
      PyObject *cb = PyDict_GetItemString (kwargs, "callback");

      if (cb != NULL)
        {
          callback = cb;
          n_kw_used = 1;
        }
    }
  /* Subclasses may take more arguments, for their __init__. */
  if (exact && (n > 2 || (kwargs != NULL && PyDict_GET_SIZE (kwargs) > n_kw_used)))
    {
      PyErr_SetString (PyExc_TypeError, "ref() takes the referent and an optional callback");
      return NULL;
    }
  return weak_new (type, PyTuple_GET_ITEM (args, 0), callback, exact);
}

static int
ref_init (PyObject *self,
          PyObject *args,
          PyObject *kwargs)
{
  /* Everything happened in __new__; subclasses call this as they would
   * call weakref.ref.__init__. */
  return 0;
}

static PyObject *
ref_vectorcall (PyObject         *self,
                PyObject *const  *args,
                size_t            nargsf,
                PyObject         *kwnames)
{
  if (PyVectorcall_NARGS (nargsf) != 0 || (kwnames != NULL && PyTuple_GET_SIZE (kwnames) != 0))
    {
      PyErr_SetString (PyExc_TypeError, "a ref takes no arguments");
      return NULL;
    }
  return weak_referent ((WeakObject *) self);
}

/* Wk.ref(ob, callback=None) itself, without an argument tuple or
 * __init__ (a subclass is made through __new__ and __init__). */
static PyObject *
ref_type_vectorcall (PyObject         *type,
                     PyObject *const  *args,
                     size_t            nargsf,
                     PyObject         *kwnames)
{
  Py_ssize_t n = PyVectorcall_NARGS (nargsf);
  PyObject *callback = Py_None;

  if (kwnames != NULL && PyTuple_GET_SIZE (kwnames) > 0)
    {
      if (PyTuple_GET_SIZE (kwnames) != 1 || n != 1 ||
          PyUnicode_CompareWithASCIIString (PyTuple_GET_ITEM (kwnames, 0), "callback") != 0)
        {
          PyErr_SetString (PyExc_TypeError, "ref() takes the referent and an optional callback");
          return NULL;
        }
      callback = args[1];
    }
  else if (n == 2)
    callback = args[1];
  else if (n != 1)
    {
      PyErr_Format (PyExc_TypeError, "ref() takes 1 or 2 arguments (%zd given)", n);
      return NULL;
    }
  return weak_new ((PyTypeObject *) type, args[0], callback, TRUE);
}

static Py_hash_t
ref_hash (WeakObject *self)
{
  PyObject *ob;
  Py_hash_t h;

  if (self->hash != -1)
    return self->hash;
  ob = weak_referent (self);
  if (ob == NULL)
    return -1;
  if (ob != Py_None)
    h = PyObject_Hash (ob);
  else if (self->anchor != NULL)
    h = identity_hash (self->anchor->address);
  else
    h = wk_ref_hash (self->c_ref);
  Py_DECREF (ob);
  if (h == -1)
    return -1;
  self->hash = h;
  return h;
}

/* A strong reference to the referent of @other (a Python ref, or the
 * wrapper of a C WkRef), or NULL; *@comparable FALSE for anything else. */
static GObject *
other_dup_object (PyObject *other,
                  gboolean *comparable)
{
  GObject *obj;

  *comparable = TRUE;
  if (PyObject_TypeCheck (other, &RefBase_Type))
    return weak_dup_object ((WeakObject *) other);
  obj = wrapper_object (other);
  if (obj != NULL && WK_IS_REF (obj))
    return wk_ref_get (WK_REF (obj));
  *comparable = FALSE;
  return NULL;
}

static PyObject *
ref_richcompare (PyObject *self,
                 PyObject *other,
                 int       op)
{
  GObject *a, *b;
  gboolean comparable, equal;

  if (op != Py_EQ && op != Py_NE)
    Py_RETURN_NOTIMPLEMENTED;
  if (self == other)
    equal = TRUE;
  else
    {
      b = other_dup_object (other, &comparable);
      if (!comparable)
        Py_RETURN_NOTIMPLEMENTED;
      a = weak_dup_object ((WeakObject *) self);
      equal = a != NULL && a == b;
      g_clear_object (&a);
      g_clear_object (&b);
    }
  return PyBool_FromLong (equal == (op == Py_EQ));
}

static PyObject *
ref_repr (PyObject *self)
{
  if (ref_repr_hook == NULL)
    return PyUnicode_FromFormat ("<Wk.ref at %p>", self);
  return PyObject_CallOneArg (ref_repr_hook, self);
}

static PyObject *
ref_copy (PyObject *self,
          PyObject *unused)
{
  return Py_NewRef (self);
}

static PyObject *
ref_reduce_ex (PyObject *self,
               PyObject *protocol)
{
  if (refuse_pickling_hook != NULL)
    return PyObject_CallFunctionObjArgs (refuse_pickling_hook, self, protocol, NULL);
  PyErr_SetString (PyExc_TypeError, "cannot pickle 'Wk.ref' object");
  return NULL;
}

static PyMethodDef ref_methods[] = {
  { "__copy__", (PyCFunction) ref_copy, METH_NOARGS, "The ref itself." },
  { "__deepcopy__", (PyCFunction) ref_copy, METH_O, "The ref itself." },
  { "__reduce_ex__", (PyCFunction) ref_reduce_ex, METH_O, "Refs cannot be pickled." },
  { "__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, "See PEP 585." },
  { NULL }
};

PyTypeObject RefBase_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides.Wk.ref",
  .tp_basicsize = sizeof (WeakObject),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC |
              Py_TPFLAGS_HAVE_VECTORCALL,
  .tp_doc =
    "ref(obj, callback=None): a weak reference to a GObject, like weakref.ref.\n\n"
    "Calling the ref returns the referent, or None once it has died. The ref\n"
    "follows the GObject, not its Python wrapper: it stays alive while C holds\n"
    "the object, and may then hand out a new wrapper of it. The callback, if\n"
    "given, is called once with the ref when the referent dies (newest ref or\n"
    "finalizer first, after every ref to it reads None), unless the ref itself\n"
    "has died before; its exceptions go to sys.unraisablehook. Refs without a\n"
    "callback are shared: Wk.ref(o) is Wk.ref(o). hash(r) is the referent's,\n"
    "fixed when first taken (and, unlike CPython, the ref's own identity hash\n"
    "if first taken after death); == compares referents while both live,\n"
    "identity otherwise; < raises TypeError. copy.copy and copy.deepcopy\n"
    "return the ref itself. Subclasses may add attributes, as with weakref.ref.",
  .tp_traverse = (traverseproc) weak_traverse,
  .tp_clear = (inquiry) weak_clear,
  .tp_new = ref_new,
  .tp_init = ref_init,
  .tp_call = PyVectorcall_Call,
  .tp_vectorcall_offset = offsetof (WeakObject, vectorcall),
  .tp_vectorcall = ref_type_vectorcall,
  .tp_repr = ref_repr,
  .tp_hash = (hashfunc) ref_hash,
  .tp_richcompare = ref_richcompare,
  .tp_methods = ref_methods,
};

/* -- proxies -- */

static PyObject *
proxy_referent (PyObject *self)
{
  PyObject *ob = weak_referent ((WeakObject *) self);

  if (ob == Py_None)
    {
      Py_DECREF (ob);
      PyErr_SetString (PyExc_ReferenceError, "weakly-referenced object no longer exists");
      return NULL;
    }
  return ob;
}

static gboolean
is_property_method (PyObject *name)
{
  if (!PyUnicode_Check (name) || PyUnicode_GET_LENGTH (name) != 12)
    return FALSE;
  return PyUnicode_Compare (name, str_get_property) == 0 ||
         PyUnicode_Compare (name, str_set_property) == 0;
}

static PyObject *
proxy_getattro (PyObject *self,
                PyObject *name)
{
  PyObject *ob, *res;

  /* Unlike CPython's, the proxy's own class: see the override. */
  if (PyUnicode_Check (name) && PyUnicode_CompareWithASCIIString (name, "__class__") == 0)
    return Py_NewRef ((PyObject *) Py_TYPE (self));
  ob = proxy_referent (self);
  if (ob == NULL)
    return NULL;
  if (property_hook != NULL && is_property_method (name))
    {
      res = PyObject_CallFunctionObjArgs (property_hook, self, ob, name, NULL);
      if (res != Py_None)
        {
          Py_DECREF (ob);
          return res;
        }
      Py_DECREF (res);
    }
  res = PyObject_GetAttr (ob, name);
  Py_DECREF (ob);
  return res;
}

static int
proxy_setattro (PyObject *self,
                PyObject *name,
                PyObject *value)
{
  PyObject *ob = proxy_referent (self);
  int res;

  if (ob == NULL)
    return -1;
  res = value != NULL ? PyObject_SetAttr (ob, name, value) : PyObject_DelAttr (ob, name);
  Py_DECREF (ob);
  return res;
}

static PyObject *
proxy_new (PyTypeObject *type,
           PyObject     *args,
           PyObject     *kwargs)
{
  PyErr_Format (PyExc_TypeError, "cannot create '%s' instances: use Wk.proxy()",
                _PyType_Name (type));
  return NULL;
}

PyTypeObject ProxyBase_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.ProxyBase",
  .tp_basicsize = sizeof (WeakObject),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "The native base of Wk.ProxyType and Wk.CallableProxyType.",
  .tp_traverse = (traverseproc) weak_traverse,
  .tp_clear = (inquiry) weak_clear,
  .tp_new = proxy_new,
  .tp_getattro = proxy_getattro,
  .tp_setattro = proxy_setattro,
  .tp_hash = PyObject_HashNotImplemented,
};

PyObject *
make_proxy (PyObject *module,
            PyObject *args)
{
  PyTypeObject *cls;
  PyObject *ob, *callback = Py_None;

  if (!PyArg_ParseTuple (args, "O!O|O:make_proxy", &PyType_Type, &cls, &ob, &callback))
    return NULL;
  if (!PyType_IsSubtype (cls, &ProxyBase_Type))
    {
      PyErr_SetString (PyExc_TypeError, "make_proxy() needs a proxy class");
      return NULL;
    }
  return weak_new (cls, ob, callback, FALSE);
}

/* The Python face of a proxy that C made (a WkProxy): no anchor, not
 * counted on the Python side (C counts the WkProxy). */
PyObject *
proxy_face (PyObject *module,
            PyObject *args)
{
  PyTypeObject *cls;
  PyObject *c_proxy;
  GObject *obj;
  WeakObject *self;

  if (!PyArg_ParseTuple (args, "O!O:proxy_face", &PyType_Type, &cls, &c_proxy))
    return NULL;
  obj = wrapper_object (c_proxy);
  if (!PyType_IsSubtype (cls, &ProxyBase_Type) || obj == NULL || !WK_IS_REF (obj))
    {
      PyErr_SetString (PyExc_TypeError, "proxy_face() needs a proxy class and a Wk.Proxy");
      return NULL;
    }
  self = (WeakObject *) cls->tp_alloc (cls, 0);
  if (self == NULL)
    return NULL;
  self->hash = -1;
  self->c_ref = g_object_ref (obj);
  return (PyObject *) self;
}

PyObject *
referent (PyObject *module,
          PyObject *weak)
{
  if (!IS_WEAK (weak))
    {
      PyErr_SetString (PyExc_TypeError, "referent() needs a Wk ref or proxy");
      return NULL;
    }
  return proxy_referent (weak);
}

PyObject *
c_ref_of (PyObject *module,
          PyObject *weak)
{
  if (!IS_WEAK (weak))
    {
      PyErr_SetString (PyExc_TypeError, "c_ref() needs a Wk ref or proxy");
      return NULL;
    }
  return wrap (((WeakObject *) weak)->c_ref);
}

PyObject *
referent_or_none (PyObject *module,
                  PyObject *weak)
{
  if (!IS_WEAK (weak))
    {
      PyErr_SetString (PyExc_TypeError, "referent_or_none() needs a Wk ref or proxy");
      return NULL;
    }
  return weak_referent ((WeakObject *) weak);
}

/* (count, [refs and proxies, newest first]) of the Python side. */
PyObject *
python_refs (PyObject *module,
             PyObject *ob)
{
  GObject *obj = wrapper_object (ob);
  PyAnchor *a;
  PyObject *list;
  WeakObject *w;
  GObject *alive;

  list = PyList_New (0);
  if (list == NULL || obj == NULL)
    return list;
  a = py_anchor_lookup (ob);
  if (a == NULL || py_anchor_is_dead (a))
    return list;
  /* Dead after g_object_run_dispose(): its refs read None. */
  alive = wk_weak_get (&a->weak);
  if (alive == NULL)
    return list;
  g_object_unref (alive);
  for (w = a->newest; w != NULL; w = w->older)
    if (Py_REFCNT (w) > 0 && PyList_Append (list, (PyObject *) w) < 0)
      {
        Py_DECREF (list);
        return NULL;
      }
  return list;
}

PyObject *
python_ref_count (PyObject *module,
                  PyObject *ob)
{
  GObject *obj = wrapper_object (ob);
  PyAnchor *a;
  GObject *alive;

  if (obj == NULL)
    return PyLong_FromLong (0);
  a = py_anchor_lookup (ob);
  if (a == NULL || py_anchor_is_dead (a))
    return PyLong_FromLong (0);
  alive = wk_weak_get (&a->weak);
  if (alive == NULL)
    return PyLong_FromLong (0);
  g_object_unref (alive);
  return PyLong_FromUnsignedLong (a->n_refs);
}
