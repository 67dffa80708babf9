/* _wk_native_keys.c: WeakValueDictionary keys, Python <-> GVariant
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "_wk_native.h"

#include <math.h>
#include <string.h>

/* ---- Keys of WeakValueDictionary: Python <-> GVariant ------------------ */

/* Sets *@utf8 when @key is a str that the table's _string calls take as
 * it is: no NUL, no lone surrogate. */
gboolean
plain_str (PyObject    *key,
           const char **utf8)
{
  Py_ssize_t n;
  const char *s;

  if (!PyUnicode_CheckExact (key))
    return FALSE;
  if (PyUnicode_IS_ASCII (key))
    {
      s = (const char *) PyUnicode_DATA (key);
      n = PyUnicode_GET_LENGTH (key);
    }
  else
    {
      s = PyUnicode_AsUTF8AndSize (key, &n);
      if (s == NULL)
        {
          PyErr_Clear ();
          return FALSE;
        }
    }
  if ((Py_ssize_t) strlen (s) != n)
    return FALSE;
  *utf8 = s;
  return TRUE;
}

static GVariant *
bytes_variant (const char *data,
               Py_ssize_t  n)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, n, 1);
}


static GVariant *encode_key (PyObject *key);

static GVariant *
encode_int (PyObject *key)
{
  int overflow;
  long long v = PyLong_AsLongLongAndOverflow (key, &overflow);
  PyObject *hex;
  GVariant *variant;

  if (v == -1 && PyErr_Occurred ())
    return NULL;
  if (!overflow)
    return g_variant_new_int64 (v);
  /* hex() has no length limit, unlike str(). */
  hex = PyNumber_ToBase (key, 16);
  if (hex == NULL)
    return NULL;
  variant = g_variant_new_variant (g_variant_new_string (PyUnicode_AsUTF8 (hex)));
  Py_DECREF (hex);
  return variant;
}

/* A floating GVariant for @key, or NULL with an exception. */
static GVariant *
encode_key (PyObject *key)
{
  if (PyUnicode_Check (key))
    {
      const char *utf8;
      PyObject *bytes;
      GVariant *variant;

      if (plain_str (key, &utf8))
        return g_variant_new_string (utf8);
      if (!PyUnicode_CheckExact (key))
        {
          Py_ssize_t n;

          utf8 = PyUnicode_AsUTF8AndSize (key, &n);
          if (utf8 != NULL && (Py_ssize_t) strlen (utf8) == n)
            return g_variant_new_string (utf8);
          PyErr_Clear ();
        }
      /* NUL or lone surrogates: 'v' holding its UTF-8 ('surrogatepass'). */
      bytes = PyUnicode_AsEncodedString (key, "utf-8", "surrogatepass");
      if (bytes == NULL)
        return NULL;
      variant = g_variant_new_variant (bytes_variant (PyBytes_AS_STRING (bytes),
                                                      PyBytes_GET_SIZE (bytes)));
      Py_DECREF (bytes);
      return variant;
    }
  if (PyLong_Check (key))
    return encode_int (key);
  if (PyFloat_Check (key))
    {
      double d = PyFloat_AS_DOUBLE (key);

      if (isfinite (d) && floor (d) == d)
        {
          /* 1.0 == 1; also -0.0 == 0 */
          PyObject *i = PyLong_FromDouble (d);
          GVariant *variant;

          if (i == NULL)
            return NULL;
          variant = encode_int (i);
          Py_DECREF (i);
          return variant;
        }
      return g_variant_new_double (d);
    }
  if (PyBytes_Check (key))
    return bytes_variant (PyBytes_AS_STRING (key), PyBytes_GET_SIZE (key));
  if (key == Py_None)
    return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
  if (PyTuple_Check (key))
    {
      Py_ssize_t i, n = PyTuple_GET_SIZE (key);
      GVariant *few[16], **children = n <= 16 ? few : g_new (GVariant *, n);
      GVariant *variant = NULL;

      /* Nested as deep as Python's recursion limit allows, as the
       * pure-Python conversion (RecursionError beyond). */
      if (Py_EnterRecursiveCall (" while converting a key"))
        n = -1;
      for (i = 0; i < n; i++)
        {
          children[i] = encode_key (PyTuple_GET_ITEM (key, i));
          if (children[i] == NULL)
            {
              while (i-- > 0)
                g_variant_unref (g_variant_ref_sink (children[i]));
              break;
            }
        }
      if (n >= 0)
        {
          Py_LeaveRecursiveCall ();
          if (i == n)
            variant = g_variant_new_tuple (children, n);
        }
      if (children != few)
        g_free (children);
      return variant;
    }
  if (variant_class != NULL)
    {
      int is = PyObject_IsInstance (key, variant_class);

      if (is < 0)
        return NULL;
      if (is)
        {
          GValue value = G_VALUE_INIT;
          GVariant *variant;

          g_value_init (&value, G_TYPE_VARIANT);
          if (pyg_value_from_pyobject (&value, key) < 0 ||
              (variant = g_value_get_variant (&value)) == NULL)
            {
              g_value_unset (&value);
              if (!PyErr_Occurred ())
                PyErr_SetString (PyExc_TypeError, "an empty GLib.Variant is not a key");
              return NULL;
            }
          g_variant_ref (variant);
          g_value_unset (&value);
          return variant;
        }
    }
  PyErr_Format (PyExc_TypeError,
                "unsupported key type: '%s' (Wk.WeakValueDictionary keys are %s)",
                _PyType_Name (Py_TYPE (key)), KEY_TYPES);
  return NULL;
}

/* Sinks the floating reference of a new key. */
GVariant *
encode_key_sunk (PyObject *key)
{
  GVariant *variant = encode_key (key);

  return variant != NULL ? g_variant_ref_sink (variant) : NULL;
}

/* ---- The common keys, serialised without GVariants ----------------------
 *
 * A lookup with a tuple key through encode_key() makes a GVariant for the
 * tuple and one for each member, each with its own blocks and GLib's
 * type lookups, and the table then serialises the tuple to compare it
 * with its stored keys: most of such a lookup. For the keys made only of
 * plain str, int (64-bit), float, bytes, None and tuples of them, this
 * writes the type string and the serialised bytes in normal form
 * directly (GVariant's documented format, exactly as g_variant_store()
 * writes the GVariant encode_key() makes: a Python test compares the two
 * on many keys), for one GVariant over the caller's buffer. Anything else,
 * or a key too large for the buffers, takes encode_key(). */

#define SCRATCH_DATA(k) ((guint8 *) (k)->data_space)

/* What the serialiser knows of a value it wrote: its alignment mask and,
 * for a fixed-size type, its size (0 for a variable-size one). */
typedef struct
{
  gsize align;
  gsize fixed;
} Shape;

enum { FAST_OK = 1, FAST_NO = 0, FAST_ERROR = -1 };

static gboolean
put_type (KeyScratch  *k,
          const char  *type)
{
  gsize n = strlen (type);

  if (k->type_len + n >= sizeof k->type)
    return FALSE;
  memcpy (k->type + k->type_len, type, n + 1);
  k->type_len += n;
  return TRUE;
}

static gboolean
put_bytes (KeyScratch   *k,
           gconstpointer  data,
           gsize          n)
{
  if (n > sizeof k->data_space - k->size)
    return FALSE;
  if (n > 0)
    memcpy (SCRATCH_DATA (k) + k->size, data, n);
  k->size += n;
  return TRUE;
}

/* Zero bytes up to a multiple of @align + 1 from the buffer's start. */
static gboolean
put_padding (KeyScratch  *k,
             gsize        align)
{
  static const guint8 zeros[8] = { 0 };

  return put_bytes (k, zeros, (-k->size) & align);
}

static int fast_key (KeyScratch  *k, PyObject *key, Shape *shape);

static int
fast_int (KeyScratch  *k,
          PyObject    *key,
          Shape       *shape)
{
  int overflow;
  long long v = PyLong_AsLongLongAndOverflow (key, &overflow);
  gint64 x = (gint64) v;

  if (v == -1 && PyErr_Occurred ())
    return FAST_ERROR;
  if (overflow)
    return FAST_NO;   /* 'v' holding its hex: encode_key() */
  shape->align = 7;
  shape->fixed = 8;
  return put_type (k, "x") && put_bytes (k, &x, sizeof x) ? FAST_OK : FAST_NO;
}

/* The alignment mask of what fast_key() writes for @key (where it takes
 * it at all): 8 bytes for int, float and None ('mv': a variant's), 1 for
 * str and bytes, a tuple its members' largest. */
static gsize
key_align (PyObject *key,
           guint     depth)
{
  Py_ssize_t i;
  gsize align = 0;

  if (PyUnicode_Check (key) || PyBytes_Check (key))
    return 0;
  if (!PyTuple_Check (key))
    return 7;
  /* Deeper than the type buffer holds, the key goes to encode_key()
   * anyway: no need to look further (nor to recurse without a bound). */
  if (depth > G_SIZEOF_MEMBER (KeyScratch, type) / 2)
    return 0;
  for (i = 0; i < PyTuple_GET_SIZE (key) && align != 7; i++)
    align |= key_align (PyTuple_GET_ITEM (key, i), depth + 1);
  return align;
}

static int
fast_tuple (KeyScratch  *k,
            PyObject    *key,
            Shape       *shape)
{
  static const guint8 zeros[8] = { 0 };
  Py_ssize_t i, n = PyTuple_GET_SIZE (key);
  gsize start = k->size, ends[16], n_ends = 0, body, offset_size, j;
  gboolean fixed = TRUE;

  /* The tuple starts aligned to its alignment (its parent or the
   * buffer's start saw to it), so padding each member to its own
   * alignment from the buffer's start pads it from the tuple's. */
  shape->align = 0;
  if (!put_type (k, "("))
    return FAST_NO;
  for (i = 0; i < n; i++)
    {
      PyObject *item = PyTuple_GET_ITEM (key, i);
      Shape member;
      int r;

      if (!put_padding (k, key_align (item, 0)))
        return FAST_NO;
      r = fast_key (k, item, &member);
      if (r != FAST_OK)
        return r;
      shape->align |= member.align;
      if (member.fixed == 0)
        {
          fixed = FALSE;
          if (i + 1 < n)
            {
              if (n_ends == G_N_ELEMENTS (ends))
                return FAST_NO;
              ends[n_ends++] = k->size - start;
            }
        }
    }
  if (!put_type (k, ")"))
    return FAST_NO;

  body = k->size - start;
  if (fixed)
    {
      /* A fixed-size tuple is padded to its alignment; the unit tuple is
       * one zero byte. */
      gsize size = body == 0 ? 1 : (body + shape->align) & ~shape->align;

      shape->fixed = size;
      return put_bytes (k, zeros, size - body) ? FAST_OK : FAST_NO;
    }

  /* The end offsets of the variable-size members but the last, from the
   * end of the tuple backwards, little-endian, each as wide as the
   * tuple's total size needs (1 byte up to 255, 2 up to 65535). */
  shape->fixed = 0;
  if (body + n_ends <= G_MAXUINT8)
    offset_size = 1;
  else if (body + 2 * n_ends <= G_MAXUINT16)
    offset_size = 2;
  else
    return FAST_NO;
  for (j = n_ends; j-- > 0;)
    {
      guint8 le[2] = { ends[j] & 0xff, (ends[j] >> 8) & 0xff };

      if (!put_bytes (k, le, offset_size))
        return FAST_NO;
    }
  return FAST_OK;
}

/* Writes @key's type and bytes, as encode_key() would make them; FAST_NO
 * for a key it leaves to encode_key(). */
static int
fast_key (KeyScratch  *k,
          PyObject    *key,
          Shape       *shape)
{
  if (PyUnicode_Check (key))
    {
      const char *utf8;

      if (!plain_str (key, &utf8))
        return FAST_NO;
      shape->align = 0;
      shape->fixed = 0;
      return put_type (k, "s") && put_bytes (k, utf8, strlen (utf8) + 1) ? FAST_OK : FAST_NO;
    }
  if (PyLong_Check (key))
    return fast_int (k, key, shape);
  if (PyFloat_Check (key))
    {
      double d = PyFloat_AS_DOUBLE (key);

      if (isfinite (d) && floor (d) == d)
        {
          /* 1.0 == 1; also -0.0 == 0: as encode_key(), an int */
          PyObject *i = PyLong_FromDouble (d);
          int r;

          if (i == NULL)
            return FAST_ERROR;
          r = fast_int (k, i, shape);
          Py_DECREF (i);
          return r;
        }
      shape->align = 7;
      shape->fixed = 8;
      return put_type (k, "d") && put_bytes (k, &d, sizeof d) ? FAST_OK : FAST_NO;
    }
  if (PyBytes_Check (key))
    {
      shape->align = 0;
      shape->fixed = 0;
      return put_type (k, "ay") && put_bytes (k, PyBytes_AS_STRING (key), PyBytes_GET_SIZE (key))
             ? FAST_OK : FAST_NO;
    }
  if (key == Py_None)
    {
      /* 'mv', nothing: no bytes; aligned as a variant. */
      shape->align = 7;
      shape->fixed = 0;
      return put_type (k, "mv") ? FAST_OK : FAST_NO;
    }
  if (PyTuple_Check (key))
    return fast_tuple (k, key, shape);
  return FAST_NO;
}

/* The type string and serialised bytes of @key when the fast path takes
 * it: FAST_OK, FAST_NO (use encode_key()), or FAST_ERROR. */
static int
fast_key_bytes (PyObject    *key,
                KeyScratch  *k)
{
  Shape shape;

  k->type_len = 0;
  k->type[0] = '\0';
  k->size = 0;
  return fast_key (k, key, &shape);
}

/* A GVariant for @key for the length of one libwk call, which keeps no
 * reference past it: over @scratch's buffer when the fast path takes the
 * key, else encode_key()'s. NULL with an exception. */
GVariant *
encode_key_for_call (PyObject   *key,
                     KeyScratch *scratch)
{
  KeyScratch *k = scratch;
  int r = fast_key_bytes (key, k);

  if (r == FAST_ERROR)
    return NULL;
  if (r == FAST_OK)
    return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (k->type), SCRATCH_DATA (k),
                                                        k->size, TRUE, NULL, NULL));
  return encode_key_sunk (key);
}

/* For the tests: (type, bytes) of the fast path, or None where it leaves
 * the key to encode_key(). */
PyObject *
fast_key_bytes_py (PyObject *module,
                   PyObject *key)
{
  KeyScratch scratch;
  KeyScratch *k = &scratch;
  int r = fast_key_bytes (key, k);

  if (r == FAST_ERROR)
    return NULL;
  if (r == FAST_NO)
    Py_RETURN_NONE;
  return Py_BuildValue ("(sy#)", k->type, (const char *) SCRATCH_DATA (k), (Py_ssize_t) k->size);
}

static gboolean
str_needs_escape (PyObject *text)
{
  PyObject *utf8;

  if (PyUnicode_FindChar (text, 0, 0, PyUnicode_GET_LENGTH (text), 1) >= 0)
    return TRUE;
  utf8 = PyUnicode_AsUTF8String (text);
  if (utf8 == NULL)
    {
      PyErr_Clear ();
      return TRUE;
    }
  Py_DECREF (utf8);
  return FALSE;
}

#define NOT_CANONICAL Py_NotImplemented

/* The Python key a stored GVariant was converted from; NOT_CANONICAL
 * (borrowed) for one that no Python key converts to; NULL on error. */
static PyObject *
decode_key (GVariant *variant)
{
  const GVariantType *type = g_variant_get_type (variant);

  if (g_variant_type_equal (type, G_VARIANT_TYPE_INT64))
    return PyLong_FromLongLong (g_variant_get_int64 (variant));
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
    {
      gsize n;
      const char *s = g_variant_get_string (variant, &n);

      return PyUnicode_DecodeUTF8 (s, n, NULL);
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE))
    {
      double d = g_variant_get_double (variant);

      if (isfinite (d) && floor (d) == d)
        return NOT_CANONICAL;
      return PyFloat_FromDouble (d);
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING))
    {
      gsize n;
      const char *data = g_variant_get_fixed_array (variant, &n, 1);

      return PyBytes_FromStringAndSize (n > 0 ? data : "", n);
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE ("mv")))
    {
      if (g_variant_n_children (variant) == 0)
        Py_RETURN_NONE;
      return NOT_CANONICAL;
    }
  if (g_variant_type_is_tuple (type))
    {
      gsize i, n = g_variant_n_children (variant);
      PyObject *tuple = PyTuple_New (n);

      if (tuple == NULL)
        return NULL;
      if (Py_EnterRecursiveCall (" while converting a key"))
        {
          Py_DECREF (tuple);
          return NULL;
        }
      for (i = 0; i < n; i++)
        {
          GVariant *child = g_variant_get_child_value (variant, i);
          PyObject *item = decode_key (child);

          g_variant_unref (child);
          if (item == NULL || item == NOT_CANONICAL)
            {
              Py_LeaveRecursiveCall ();
              Py_DECREF (tuple);
              return item;
            }
          PyTuple_SET_ITEM (tuple, i, item);
        }
      Py_LeaveRecursiveCall ();
      return tuple;
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *inner = g_variant_get_variant (variant);
      PyObject *result = NOT_CANONICAL;

      if (g_variant_is_of_type (inner, G_VARIANT_TYPE_STRING))
        {
          const char *text = g_variant_get_string (inner, NULL);
          PyObject *value = PyLong_FromString (text, NULL, 16);

          if (value == NULL)
            PyErr_Clear ();
          else
            {
              PyObject *canonical = PyNumber_ToBase (value, 16);
              int overflow = 0;

              PyLong_AsLongLongAndOverflow (value, &overflow);
              if (canonical != NULL && overflow != 0 &&
                  PyUnicode_CompareWithASCIIString (canonical, text) == 0)
                result = Py_NewRef (value);
              PyErr_Clear ();
              Py_XDECREF (canonical);
              Py_DECREF (value);
            }
        }
      else if (g_variant_is_of_type (inner, G_VARIANT_TYPE_BYTESTRING))
        {
          gsize n;
          const char *data = g_variant_get_fixed_array (inner, &n, 1);
          PyObject *text = PyUnicode_DecodeUTF8 (n > 0 ? data : "", n, "surrogatepass");

          if (text == NULL)
            PyErr_Clear ();
          else if (str_needs_escape (text))
            result = text;
          else
            Py_DECREF (text);
        }
      g_variant_unref (inner);
      return result;
    }
  return NOT_CANONICAL;
}

/* The Python key for a GVariant read from the table: what it was
 * converted from, or the GLib.Variant itself (a key that C stored). */
/* A GLib.Variant for @variant (not consumed), or NULL with an exception. */
static PyObject *
variant_as_python (GVariant *variant)
{
  GValue value = G_VALUE_INIT;
  PyObject *result;

  g_value_init (&value, G_TYPE_VARIANT);
  g_value_set_variant (&value, variant);
  result = pyg_value_as_pyobject (&value, TRUE);
  g_value_unset (&value);
  return result;
}

PyObject *
python_key (GVariant *variant)
{
  PyObject *key = decode_key (variant);

  return key == NOT_CANONICAL ? variant_as_python (variant) : key;
}

PyObject *
encode_key_py (PyObject *module,
               PyObject *key)
{
  GVariant *variant = encode_key_sunk (key);
  PyObject *result;

  if (variant == NULL)
    return NULL;
  result = variant_as_python (variant);
  g_variant_unref (variant);
  return result;
}

PyObject *
decode_key_py (PyObject *module,
               PyObject *key)
{
  GValue value = G_VALUE_INIT;
  PyObject *result;
  GVariant *variant;

  g_value_init (&value, G_TYPE_VARIANT);
  if (pyg_value_from_pyobject (&value, key) < 0 || g_value_get_variant (&value) == NULL)
    {
      g_value_unset (&value);
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_TypeError, "decode_key() needs a GLib.Variant");
      return NULL;
    }
  variant = g_value_get_variant (&value);
  result = python_key (variant);
  g_value_unset (&value);
  return result;
}
