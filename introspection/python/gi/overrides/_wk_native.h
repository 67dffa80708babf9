/* _wk_native.h: what the files of the native module share (private)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifndef WK_NATIVE_MAIN
# define NO_IMPORT_PYGOBJECT
#endif
#include <pygobject.h>

#include <wk/wk.h>

#define WKPY G_GNUC_INTERNAL

/* _wk_native.c: the module, small helpers */

WKPY extern GType       py_object_gtype;      /* PyGObject's boxed "PyObject" */
WKPY extern GQuark      anchor_quark;
WKPY extern PyObject   *variant_class;        /* GLib.Variant */
WKPY extern PyObject   *key_error_factory;    /* makes what a WeakKeyDictionary KeyError carries */
WKPY extern PyObject   *property_hook;        /* get_property/set_property of a proxy */
WKPY extern PyObject   *ref_repr_hook;        /* repr() of a Wk.ref */
WKPY extern PyObject   *refuse_pickling_hook; /* __reduce_ex__ of a Wk.ref, Wk.finalize */
WKPY extern PyObject   *finalize_repr_hook;   /* repr() of a Wk.finalize */
WKPY extern PyObject   *str_get_property, *str_set_property;
WKPY extern int         shutting_down;        /* (GIL) Python's exit hook has run */
WKPY extern const char  KEY_TYPES[];

WKPY gboolean   python_alive          (void);
WKPY GObject   *wrapper_object        (PyObject *ob);
WKPY int        check_referent        (PyObject *ob);
WKPY PyObject  *wrap                  (GObject  *obj);
WKPY PyObject  *wrap_take             (GObject  *obj);
WKPY void       set_key_error         (PyObject *key);
WKPY Py_hash_t  identity_hash         (gconstpointer address);
WKPY void       release_python_object (PyObject *obj);

/* For code that Wk calls from any thread: the GIL, with any exception
 * that is set put aside meanwhile. */
typedef struct
{
  PyGILState_STATE  gil;
  PyObject         *type, *value, *traceback;
} GilScope;

WKPY void gil_enter (GilScope *scope);
WKPY void gil_leave (GilScope *scope);

/* _wk_native_refs.c: anchors, refs, proxies */

typedef struct _WeakObject WeakObject;

typedef struct
{
  gint        ref_count;   /* (atomic) the object's qdata, the death finalizer, each WeakObject */
  gint        dead;        /* (atomic) set at the object's death */
  WkWeak      weak;
  gpointer    address;     /* the object, never dereferenced after its death */
  PyObject   *marker;      /* (GIL) (owned) the marker on the current wrapper */
  guint       n_refs;      /* (GIL) */
  WeakObject *newest;      /* (GIL) */
  WeakObject *shared;      /* (GIL) the plain Wk.ref, borrowed */
  gboolean    death_held;  /* (GIL) the death holds the refs to call back */
} PyAnchor;

WKPY void       py_anchor_unref   (gpointer  data);
WKPY gboolean   py_anchor_is_dead (PyAnchor *a);
WKPY PyAnchor  *py_anchor_lookup  (PyObject *wrapper);
WKPY PyAnchor  *py_anchor_of_wrapper (PyObject *wrapper);

WKPY extern PyTypeObject Marker_Type, WeakBase_Type, RefBase_Type, ProxyBase_Type;

WKPY PyObject  *make_proxy        (PyObject *module, PyObject *args);
WKPY PyObject  *proxy_face        (PyObject *module, PyObject *args);
WKPY PyObject  *referent          (PyObject *module, PyObject *weak);
WKPY PyObject  *c_ref_of          (PyObject *module, PyObject *weak);
WKPY PyObject  *referent_or_none  (PyObject *module, PyObject *weak);
WKPY PyObject  *python_refs       (PyObject *module, PyObject *ob);
WKPY PyObject  *python_ref_count  (PyObject *module, PyObject *ob);

/* _wk_native_keys.c: WeakValueDictionary keys as GVariants */

WKPY gboolean   plain_str         (PyObject *key, const char **utf8);
WKPY GVariant  *encode_key_sunk   (PyObject *key);

/* Room for encode_key_for_call(): the type string and bytes of a key it
 * serialises itself, on the caller's stack. */
#define KEY_SCRATCH_BYTES 448
typedef struct
{
  guint64 data_space[KEY_SCRATCH_BYTES / 8];   /* the bytes, 8-aligned */
  gsize   size;
  char    type[64];
  gsize   type_len;
} KeyScratch;

WKPY GVariant  *encode_key_for_call (PyObject *key, KeyScratch *scratch);
WKPY PyObject  *fast_key_bytes_py (PyObject *module, PyObject *key);
WKPY PyObject  *python_key        (GVariant *variant);
WKPY PyObject  *encode_key_py     (PyObject *module, PyObject *key);
WKPY PyObject  *decode_key_py     (PyObject *module, PyObject *key);

/* _wk_native_collections.c: the weak dicts and WeakSet */

WKPY extern PyTypeObject Iter_Type, ValueDictCore_Type, KeyDictCore_Type;
WKPY extern PyMethodDef  set_function_defs[];

/* _wk_native_finalize.c: finalize, and the benchmarks' C floors */

WKPY extern PyTypeObject FinalizeBase_Type;

WKPY PyObject  *c_floor           (PyObject *module, PyObject *args);
