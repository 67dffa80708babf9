/* _wk_native_collections.c: the weak dicts' mapping protocol and the WeakSet operations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "_wk_native.h"

/* ---- Iterators over snapshots ------------------------------------------ */

typedef enum
{
  YIELD_KEYS,
  YIELD_VALUES,
  YIELD_ITEMS,
} YieldKind;

typedef struct
{
  PyObject_HEAD
  GObject    *table;       /* (owned) the dict or set */
  gboolean    value_dict;  /* keys are GVariants: WkWeakValueDict */
  YieldKind   kind;
  GPtrArray  *variants;    /* value dict: the keys */
  WkWeak     *weaks;       /* key dict, set: the keys/members, weakly */
  guint       n;
  guint       next;
} IterObject;


static void
iter_free_snapshot (IterObject *self)
{
  guint i;

  if (self->variants != NULL)
    {
      for (i = self->next; i < self->variants->len; i++)
        g_variant_unref (g_ptr_array_index (self->variants, i));
      g_ptr_array_unref (self->variants);
      self->variants = NULL;
    }
  if (self->weaks != NULL)
    {
      for (i = 0; i < self->n; i++)
        wk_weak_clear (&self->weaks[i]);
      g_free (self->weaks);
      self->weaks = NULL;
    }
}

static void
iter_dealloc (IterObject *self)
{
  iter_free_snapshot (self);
  g_clear_object (&self->table);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

/* Holds the members of a snapshot weakly. */
static PyObject *
iter_new_weak (GObject   *table,
               GPtrArray *strong,
               YieldKind  kind)
{
  IterObject *self = PyObject_New (IterObject, &Iter_Type);
  guint i;

  if (self == NULL)
    {
      for (i = 0; i < strong->len; i++)
        g_object_unref (g_ptr_array_index (strong, i));
      g_ptr_array_unref (strong);
      return NULL;
    }
  self->table = g_object_ref (table);
  self->value_dict = FALSE;
  self->kind = kind;
  self->variants = NULL;
  self->n = strong->len;
  self->next = 0;
  self->weaks = g_new0 (WkWeak, MAX (strong->len, 1));
  for (i = 0; i < strong->len; i++)
    wk_weak_init (&self->weaks[i], g_ptr_array_index (strong, i));
  /* Dropping them may be a last reference: a death here, as anywhere. */
  for (i = 0; i < strong->len; i++)
    g_object_unref (g_ptr_array_index (strong, i));
  g_ptr_array_unref (strong);
  return (PyObject *) self;
}

static PyObject *
iter_new_variants (WkWeakValueDict *table,
                   YieldKind        kind)
{
  GPtrArray *keys = wk_weak_value_dict_get_variant_keys (table);
  IterObject *self;
  guint i;

  if (keys == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "not a table with GVariant keys");
      return NULL;
    }
  self = PyObject_New (IterObject, &Iter_Type);
  if (self == NULL)
    {
      for (i = 0; i < keys->len; i++)
        g_variant_unref (g_ptr_array_index (keys, i));
      g_ptr_array_unref (keys);
      return NULL;
    }
  self->table = g_object_ref (G_OBJECT (table));
  self->value_dict = TRUE;
  self->kind = kind;
  self->variants = keys;
  self->weaks = NULL;
  self->n = keys->len;
  self->next = 0;
  return (PyObject *) self;
}

static PyObject *gvalue_to_python (GValue *value);

static PyObject *
iter_next_value_dict (IterObject *self)
{
  WkWeakValueDict *table = (WkWeakValueDict *) self->table;

  while (self->next < self->n)
    {
      GVariant *variant = g_ptr_array_index (self->variants, self->next);
      PyObject *key, *value, *item;

      self->next++;
      if (self->kind == YIELD_KEYS)
        {
          gboolean in = wk_weak_value_dict_contains_variant (table, variant);

          key = in ? python_key (variant) : NULL;
          g_variant_unref (variant);
          if (in)
            return key;
          continue;
        }
      value = wrap_take (wk_weak_value_dict_lookup_variant (table, variant));
      if (value == NULL || value == Py_None)
        {
          g_variant_unref (variant);
          if (value == NULL)
            return NULL;
          Py_DECREF (value);
          continue;
        }
      if (self->kind == YIELD_VALUES)
        {
          g_variant_unref (variant);
          return value;
        }
      key = python_key (variant);
      g_variant_unref (variant);
      if (key == NULL)
        {
          Py_DECREF (value);
          return NULL;
        }
      item = PyTuple_Pack (2, key, value);
      Py_DECREF (key);
      Py_DECREF (value);
      return item;
    }
  return NULL;
}

static PyObject *
iter_next_weak (IterObject *self)
{
  while (self->next < self->n)
    {
      GObject *obj = wk_weak_get (&self->weaks[self->next]);
      PyObject *key, *value, *item;
      GValue gvalue = G_VALUE_INIT;
      gboolean found;

      wk_weak_clear (&self->weaks[self->next]);
      self->next++;
      if (obj == NULL)
        continue;

      if (WK_IS_WEAK_SET (self->table))
        found = wk_weak_set_contains (WK_WEAK_SET (self->table), obj);
      else if (self->kind == YIELD_KEYS)
        found = wk_weak_key_dict_contains (WK_WEAK_KEY_DICT (self->table), obj);
      else
        found = wk_weak_key_dict_lookup_value (WK_WEAK_KEY_DICT (self->table), obj, &gvalue);

      if (!found)
        {
          if (G_IS_VALUE (&gvalue))
            g_value_unset (&gvalue);
          g_object_unref (obj);
          continue;
        }
      if (self->kind == YIELD_KEYS)
        return wrap_take (obj);
      value = gvalue_to_python (&gvalue);
      if (self->kind == YIELD_VALUES || value == NULL)
        {
          /* Not held by the iterator. */
          g_object_unref (obj);
          return value;
        }
      key = wrap_take (obj);
      if (key == NULL)
        {
          Py_DECREF (value);
          return NULL;
        }
      item = PyTuple_Pack (2, key, value);
      Py_DECREF (key);
      Py_DECREF (value);
      return item;
    }
  return NULL;
}

static PyObject *
iter_next (IterObject *self)
{
  PyObject *item = self->value_dict ? iter_next_value_dict (self) : iter_next_weak (self);

  if (item == NULL && !PyErr_Occurred ())
    iter_free_snapshot (self);
  return item;
}

static PyObject *
iter_length_hint (IterObject *self,
                  PyObject   *unused)
{
  return PyLong_FromUnsignedLong (self->n - MIN (self->next, self->n));
}

static PyMethodDef iter_methods[] = {
  { "__length_hint__", (PyCFunction) iter_length_hint, METH_NOARGS, NULL },
  { NULL }
};

PyTypeObject Iter_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.Iterator",
  .tp_basicsize = sizeof (IterObject),
  .tp_dealloc = (destructor) iter_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "An iterator over a snapshot of a Wk collection, taken when it began.",
  .tp_iter = PyObject_SelfIter,
  .tp_iternext = (iternextfunc) iter_next,
  .tp_methods = iter_methods,
};

/* ---- GValues of WeakKeyDictionary --------------------------------------- */

/* GObjects as G_TYPE_OBJECT (the collector sees them: ephemerons),
 * anything else in PyGObject's PyObject boxed type. */
static void
python_to_gvalue (PyObject *ob,
                  GValue   *value)
{
  GObject *obj = wrapper_object (ob);

  if (obj != NULL)
    {
      g_value_init (value, G_TYPE_OBJECT);
      g_value_set_object (value, obj);
    }
  else
    {
      /* Our reference moves into the GValue: no boxed copy (which takes
       * the GIL state again) on this side. */
      g_value_init (value, py_object_gtype);
      g_value_take_boxed (value, Py_NewRef (ob));
    }
}

/* Converts and unsets @value. */
static PyObject *
gvalue_to_python (GValue *value)
{
  PyObject *result;

  if (G_VALUE_TYPE (value) == py_object_gtype)
    {
      PyObject *boxed = g_value_get_boxed (value);

      if (boxed == NULL)
        result = Py_NewRef (Py_None);
      else if (value->data[1].v_uint & G_VALUE_NOCOPY_CONTENTS)
        result = Py_NewRef (boxed);
      else
        {
          /* The copy's reference becomes ours: the unset below then has
           * nothing to free (no boxed free, which takes the GIL state). */
          result = boxed;
          value->data[0].v_pointer = NULL;
        }
    }
  else if (G_VALUE_HOLDS_OBJECT (value))
    result = wrap (g_value_get_object (value));
  else if (G_VALUE_HOLDS_POINTER (value) && g_value_get_pointer (value) == NULL)
    result = Py_NewRef (Py_None);
  else
    result = pyg_value_as_pyobject (value, TRUE);
  g_value_unset (value);
  return result;
}

/* ---- ValueDictCore ------------------------------------------------------ */

typedef struct
{
  PyObject_HEAD
  GObject *table;   /* (owned) */
} CoreObject;

#define VTABLE(self) ((WkWeakValueDict *) ((CoreObject *) (self))->table)
#define KTABLE(self) ((WkWeakKeyDict *) ((CoreObject *) (self))->table)

static void
core_dealloc (CoreObject *self)
{
  g_clear_object (&self->table);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

static PyObject *
core_get_table (CoreObject *self,
                void       *closure)
{
  return wrap (self->table);
}

static PyObject *
core_attach (CoreObject *self,
             PyObject   *table,
             GType       type)
{
  GObject *obj;

  if (table == Py_None)
    Py_RETURN_NONE;
  obj = wrapper_object (table);
  if (obj == NULL || !G_TYPE_CHECK_INSTANCE_TYPE (obj, type))
    {
      PyErr_Format (PyExc_TypeError, "expected a %s", g_type_name (type));
      return NULL;
    }
  g_object_ref (obj);
  g_clear_object (&self->table);
  self->table = obj;
  Py_RETURN_NONE;
}

static PyGetSetDef core_getset[] = {
  { "table", (getter) core_get_table, NULL,
    "The C table that holds the entries.", NULL },
  { NULL }
};

static PyObject *
vcore_new (PyTypeObject *type,
           PyObject     *args,
           PyObject     *kwargs)
{
  CoreObject *self = (CoreObject *) type->tp_alloc (type, 0);

  if (self != NULL)
    self->table = G_OBJECT (wk_weak_value_dict_new_for_variants ());
  return (PyObject *) self;
}

static PyObject *
vcore_attach (CoreObject *self,
              PyObject   *table)
{
  return core_attach (self, table, WK_TYPE_WEAK_VALUE_DICT);
}

/* The value of @key: a new reference to its wrapper, Py_None (a new
 * reference) if there is none, NULL on error. */
static PyObject *
vcore_lookup (PyObject *self,
              PyObject *key)
{
  const char *utf8;
  KeyScratch scratch;
  GVariant *variant;
  GObject *obj;

  if (plain_str (key, &utf8))
    obj = wk_weak_value_dict_lookup_string (VTABLE (self), utf8);
  else
    {
      variant = encode_key_for_call (key, &scratch);
      if (variant == NULL)
        return NULL;
      obj = wk_weak_value_dict_lookup_variant (VTABLE (self), variant);
      g_variant_unref (variant);
    }
  return wrap_take (obj);
}

static PyObject *
vcore_subscript (PyObject *self,
                 PyObject *key)
{
  PyObject *value = vcore_lookup (self, key);

  if (value == Py_None)
    {
      Py_DECREF (value);
      set_key_error (key);
      return NULL;
    }
  return value;
}

static int
vcore_ass_subscript (PyObject *self,
                     PyObject *key,
                     PyObject *value)
{
  const char *utf8;
  KeyScratch scratch;
  GVariant *variant;
  gboolean removed;

  if (value != NULL)
    {
      GObject *obj;

      if (check_referent (value) < 0)
        return -1;
      obj = pygobject_get (value);
      if (plain_str (key, &utf8))
        wk_weak_value_dict_insert_string (VTABLE (self), utf8, obj);
      else
        {
          variant = encode_key_for_call (key, &scratch);
          if (variant == NULL)
            return -1;
          wk_weak_value_dict_insert_variant (VTABLE (self), variant, obj);
          g_variant_unref (variant);
        }
      return 0;
    }

  if (plain_str (key, &utf8))
    removed = wk_weak_value_dict_remove_string (VTABLE (self), utf8);
  else
    {
      variant = encode_key_for_call (key, &scratch);
      if (variant == NULL)
        return -1;
      removed = wk_weak_value_dict_remove_variant (VTABLE (self), variant);
      g_variant_unref (variant);
    }
  if (!removed)
    {
      set_key_error (key);
      return -1;
    }
  return 0;
}

static int
vcore_contains (PyObject *self,
                PyObject *key)
{
  const char *utf8;
  KeyScratch scratch;
  GVariant *variant;
  gboolean in;

  if (plain_str (key, &utf8))
    return wk_weak_value_dict_contains_string (VTABLE (self), utf8);
  variant = encode_key_for_call (key, &scratch);
  if (variant == NULL)
    return -1;
  in = wk_weak_value_dict_contains_variant (VTABLE (self), variant);
  g_variant_unref (variant);
  return in;
}

static Py_ssize_t
vcore_length (PyObject *self)
{
  return wk_weak_value_dict_get_size (VTABLE (self));
}

static PyObject *
vcore_iter (PyObject *self)
{
  return iter_new_variants (VTABLE (self), YIELD_KEYS);
}

static PyObject *
vcore_get (PyObject         *self,
           PyObject *const  *args,
           Py_ssize_t        nargs)
{
  PyObject *value;

  if (nargs < 1 || nargs > 2)
    {
      PyErr_SetString (PyExc_TypeError, "get() takes a key and an optional default");
      return NULL;
    }
  value = vcore_lookup (self, args[0]);
  if (value == Py_None && nargs == 2)
    {
      Py_DECREF (value);
      return Py_NewRef (args[1]);
    }
  return value;
}

/* Removes @key's entry and returns its value (None if there was none or
 * its value has started to die). */
static PyObject *
vcore_steal (PyObject *self,
             PyObject *key)
{
  KeyScratch scratch;
  GVariant *variant = encode_key_for_call (key, &scratch);
  GObject *obj;

  if (variant == NULL)
    return NULL;
  obj = wk_weak_value_dict_steal_variant (VTABLE (self), variant);
  g_variant_unref (variant);
  return wrap_take (obj);
}

static PyObject *
vcore_iter_keys (PyObject *self, PyObject *unused)
{
  return iter_new_variants (VTABLE (self), YIELD_KEYS);
}

static PyObject *
vcore_iter_values (PyObject *self, PyObject *unused)
{
  return iter_new_variants (VTABLE (self), YIELD_VALUES);
}

static PyObject *
vcore_iter_items (PyObject *self, PyObject *unused)
{
  return iter_new_variants (VTABLE (self), YIELD_ITEMS);
}

static PyObject *
vcore_clear (PyObject *self, PyObject *unused)
{
  wk_weak_value_dict_remove_all (VTABLE (self));
  Py_RETURN_NONE;
}

static PyMethodDef vcore_methods[] = {
  { "_wk_attach", (PyCFunction) vcore_attach, METH_O,
    "Uses @table (a Wk.WeakValueDict with GVariant keys), or keeps the new one for None." },
  { "get", (PyCFunction) (void (*) (void)) vcore_get, METH_FASTCALL,
    "D.get(k[,d]) -> D[k] if k in D, else d.  d defaults to None." },
  { "_steal", (PyCFunction) vcore_steal, METH_O, NULL },
  { "_iter_keys", (PyCFunction) vcore_iter_keys, METH_NOARGS, NULL },
  { "_iter_values", (PyCFunction) vcore_iter_values, METH_NOARGS, NULL },
  { "_iter_items", (PyCFunction) vcore_iter_items, METH_NOARGS, NULL },
  { "clear", (PyCFunction) vcore_clear, METH_NOARGS, "Removes every entry." },
  { NULL }
};

static PyMappingMethods vcore_as_mapping = {
  .mp_length = vcore_length,
  .mp_subscript = vcore_subscript,
  .mp_ass_subscript = vcore_ass_subscript,
};

static PySequenceMethods vcore_as_sequence = {
  .sq_length = vcore_length,
  .sq_contains = vcore_contains,
};

PyTypeObject ValueDictCore_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.ValueDictCore",
  .tp_basicsize = sizeof (CoreObject),
  .tp_dealloc = (destructor) core_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = "The mapping protocol of Wk.WeakValueDictionary, over a Wk.WeakValueDict.",
  .tp_new = vcore_new,
  .tp_iter = vcore_iter,
  .tp_as_mapping = &vcore_as_mapping,
  .tp_as_sequence = &vcore_as_sequence,
  .tp_methods = vcore_methods,
  .tp_getset = core_getset,
};

/* ---- KeyDictCore -------------------------------------------------------- */

static PyObject *
kcore_new (PyTypeObject *type,
           PyObject     *args,
           PyObject     *kwargs)
{
  CoreObject *self = (CoreObject *) type->tp_alloc (type, 0);

  if (self != NULL)
    self->table = G_OBJECT (wk_weak_key_dict_new_for_values ());
  return (PyObject *) self;
}

static PyObject *
kcore_attach (CoreObject *self,
              PyObject   *table)
{
  return core_attach (self, table, WK_TYPE_WEAK_KEY_DICT);
}

/* What a KeyError for @key carries: a ref to it, as CPython's does. */
static void
key_error (PyObject *key)
{
  PyObject *arg = key_error_factory != NULL
                  ? PyObject_CallOneArg (key_error_factory, key) : Py_NewRef (key);

  if (arg == NULL)
    return;
  set_key_error (arg);
  Py_DECREF (arg);
}

/* The value of @key (a new reference), or NULL: with an exception, or
 * none for a missing key. */
static PyObject *
kcore_lookup (PyObject *self,
              PyObject *key)
{
  GValue value = G_VALUE_INIT;

  if (check_referent (key) < 0)
    return NULL;
  if (!wk_weak_key_dict_lookup_value (KTABLE (self), pygobject_get (key), &value))
    {
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
      return NULL;
    }
  return gvalue_to_python (&value);
}

static PyObject *
kcore_subscript (PyObject *self,
                 PyObject *key)
{
  PyObject *value = kcore_lookup (self, key);

  if (value == NULL && !PyErr_Occurred ())
    key_error (key);
  return value;
}

static int
kcore_ass_subscript (PyObject *self,
                     PyObject *key,
                     PyObject *value)
{
  if (check_referent (key) < 0)
    return -1;
  if (value != NULL)
    {
      GValue gvalue = G_VALUE_INIT;

      python_to_gvalue (value, &gvalue);
      wk_weak_key_dict_insert_value (KTABLE (self), pygobject_get (key), &gvalue);
      g_value_unset (&gvalue);
      return 0;
    }
  if (!wk_weak_key_dict_remove (KTABLE (self), pygobject_get (key)))
    {
      key_error (key);
      return -1;
    }
  return 0;
}

static int
kcore_contains (PyObject *self,
                PyObject *key)
{
  GObject *obj = wrapper_object (key);

  return obj != NULL && wk_weak_key_dict_contains (KTABLE (self), obj);
}

static Py_ssize_t
kcore_length (PyObject *self)
{
  return wk_weak_key_dict_get_size (KTABLE (self));
}

static PyObject *
kcore_iterate (PyObject  *self,
               YieldKind  kind)
{
  return iter_new_weak (((CoreObject *) self)->table,
                        wk_weak_key_dict_get_keys (KTABLE (self)), kind);
}

static PyObject *
kcore_iter (PyObject *self)
{
  return kcore_iterate (self, YIELD_KEYS);
}

static PyObject *
kcore_get (PyObject         *self,
           PyObject *const  *args,
           Py_ssize_t        nargs)
{
  PyObject *value;

  if (nargs < 1 || nargs > 2)
    {
      PyErr_SetString (PyExc_TypeError, "get() takes a key and an optional default");
      return NULL;
    }
  value = kcore_lookup (self, args[0]);
  if (value == NULL && !PyErr_Occurred ())
    return Py_NewRef (nargs == 2 ? args[1] : Py_None);
  return value;
}

/* (found, value): removes @key's entry. */
static PyObject *
kcore_steal (PyObject *self,
             PyObject *key)
{
  GValue value = G_VALUE_INIT;
  gboolean found;
  PyObject *py_value, *result;

  if (check_referent (key) < 0)
    return NULL;
  found = wk_weak_key_dict_steal_value (KTABLE (self), pygobject_get (key), &value);
  if (!found)
    {
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
      return Py_BuildValue ("(OO)", Py_False, Py_None);
    }
  py_value = gvalue_to_python (&value);
  if (py_value == NULL)
    return NULL;
  result = PyTuple_Pack (2, Py_True, py_value);
  Py_DECREF (py_value);
  return result;
}

static PyObject *
kcore_iter_keys (PyObject *self, PyObject *unused)
{
  return kcore_iterate (self, YIELD_KEYS);
}

static PyObject *
kcore_iter_values (PyObject *self, PyObject *unused)
{
  return kcore_iterate (self, YIELD_VALUES);
}

static PyObject *
kcore_iter_items (PyObject *self, PyObject *unused)
{
  return kcore_iterate (self, YIELD_ITEMS);
}

static PyObject *
kcore_clear (PyObject *self, PyObject *unused)
{
  wk_weak_key_dict_remove_all (KTABLE (self));
  Py_RETURN_NONE;
}

static PyMethodDef kcore_methods[] = {
  { "_wk_attach", (PyCFunction) kcore_attach, METH_O,
    "Uses @table (a Wk.WeakKeyDict with GValue values), or keeps the new one for None." },
  { "get", (PyCFunction) (void (*) (void)) kcore_get, METH_FASTCALL,
    "D.get(k[,d]) -> D[k] if k in D, else d.  d defaults to None." },
  { "_steal", (PyCFunction) kcore_steal, METH_O, NULL },
  { "_iter_keys", (PyCFunction) kcore_iter_keys, METH_NOARGS, NULL },
  { "_iter_values", (PyCFunction) kcore_iter_values, METH_NOARGS, NULL },
  { "_iter_items", (PyCFunction) kcore_iter_items, METH_NOARGS, NULL },
  { "clear", (PyCFunction) kcore_clear, METH_NOARGS, "Removes every entry." },
  { NULL }
};

static PyMappingMethods kcore_as_mapping = {
  .mp_length = kcore_length,
  .mp_subscript = kcore_subscript,
  .mp_ass_subscript = kcore_ass_subscript,
};

static PySequenceMethods kcore_as_sequence = {
  .sq_length = kcore_length,
  .sq_contains = kcore_contains,
};

PyTypeObject KeyDictCore_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._wk_native.KeyDictCore",
  .tp_basicsize = sizeof (CoreObject),
  .tp_dealloc = (destructor) core_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = "The mapping protocol of Wk.WeakKeyDictionary, over a Wk.WeakKeyDict.",
  .tp_new = kcore_new,
  .tp_iter = kcore_iter,
  .tp_as_mapping = &kcore_as_mapping,
  .tp_as_sequence = &kcore_as_sequence,
  .tp_methods = kcore_methods,
  .tp_getset = core_getset,
};

/* ---- WeakSet operations ------------------------------------------------- */

/* The WkWeakSet of a Wk.WeakSet wrapper, or NULL with an exception. */
static WkWeakSet *
set_of (PyObject *self)
{
  GObject *obj = wrapper_object (self);

  if (obj == NULL || !WK_IS_WEAK_SET (obj))
    {
      PyErr_SetString (PyExc_TypeError, "expected a Wk.WeakSet");
      return NULL;
    }
  return WK_WEAK_SET (obj);
}

static PyObject *
set_add (PyObject *module,
         PyObject *const *args,
         Py_ssize_t nargs)
{
  WkWeakSet *set;

  if (nargs != 2)
    {
      PyErr_SetString (PyExc_TypeError, "add() takes exactly one argument");
      return NULL;
    }
  if ((set = set_of (args[0])) == NULL || check_referent (args[1]) < 0)
    return NULL;
  wk_weak_set_add (set, pygobject_get (args[1]));
  Py_RETURN_NONE;
}

static PyObject *
set_discard (PyObject *module,
             PyObject *const *args,
             Py_ssize_t nargs)
{
  WkWeakSet *set;

  if (nargs != 2)
    {
      PyErr_SetString (PyExc_TypeError, "discard() takes exactly one argument");
      return NULL;
    }
  if ((set = set_of (args[0])) == NULL || check_referent (args[1]) < 0)
    return NULL;
  wk_weak_set_remove (set, pygobject_get (args[1]));
  Py_RETURN_NONE;
}

static PyObject *
set_remove (PyObject *module,
            PyObject *const *args,
            Py_ssize_t nargs)
{
  WkWeakSet *set;

  if (nargs != 2)
    {
      PyErr_SetString (PyExc_TypeError, "remove() takes exactly one argument");
      return NULL;
    }
  if ((set = set_of (args[0])) == NULL || check_referent (args[1]) < 0)
    return NULL;
  if (!wk_weak_set_remove (set, pygobject_get (args[1])))
    {
      key_error (args[1]);
      return NULL;
    }
  Py_RETURN_NONE;
}

static PyObject *
set_contains (PyObject *module,
              PyObject *const *args,
              Py_ssize_t nargs)
{
  WkWeakSet *set;
  GObject *obj;

  if (nargs != 2)
    {
      PyErr_SetString (PyExc_TypeError, "__contains__() takes exactly one argument");
      return NULL;
    }
  if ((set = set_of (args[0])) == NULL)
    return NULL;
  obj = wrapper_object (args[1]);
  return PyBool_FromLong (obj != NULL && wk_weak_set_contains (set, obj));
}

static PyObject *
set_len (PyObject *module,
         PyObject *self)
{
  WkWeakSet *set = set_of (self);

  return set != NULL ? PyLong_FromUnsignedLong (wk_weak_set_get_size (set)) : NULL;
}

static PyObject *
set_iter (PyObject *module,
          PyObject *self)
{
  WkWeakSet *set = set_of (self);

  if (set == NULL)
    return NULL;
  return iter_new_weak (G_OBJECT (set), wk_weak_set_get_members (set), YIELD_KEYS);
}

PyMethodDef set_function_defs[] = {
  { "add", (PyCFunction) (void (*) (void)) set_add, METH_FASTCALL,
    "Adds a GObject to the set, held weakly." },
  { "discard", (PyCFunction) (void (*) (void)) set_discard, METH_FASTCALL,
    "Removes a GObject from the set if it is a member." },
  { "remove", (PyCFunction) (void (*) (void)) set_remove, METH_FASTCALL,
    "Removes a member; KeyError if it is not one." },
  { "__contains__", (PyCFunction) (void (*) (void)) set_contains, METH_FASTCALL, NULL },
  { "__len__", (PyCFunction) set_len, METH_O, NULL },
  { "__iter__", (PyCFunction) set_iter, METH_O, NULL },
  { NULL }
};

