# _wk_keycodec.py: WeakValueDictionary keys, Python <-> GLib.Variant
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Private to the Wk override: how a WeakValueDictionary key is stored in
the C table (a GVariant) and read back. The native module has the same
conversion in C (encode_key, decode_key); this is the fallback, and the
reference the tests compare both against."""

from gi.repository import GLib

# WeakValueDictionary keys are stored as GVariants. Keys that are equal in
# Python must map to one GVariant, and keys read back from the table must
# convert back to the Python key they came from:
#
#   bool, int in int64 range, integral float  -> 'x'  (1 == 1.0 == True)
#   other float (fractional, inf, nan)         -> 'd'
#   str                                        -> 's'
#   bytes                                      -> 'ay'
#   None                                       -> 'mv' Nothing
#   tuple                                      -> a GVariant tuple of the
#                                                 converted items, nested
#   int outside int64 (integral floats too)    -> 'v' holding 's' hex(n),
#                                                 e.g. '0x10000000000000000'
#                                                 or '-0x8000000000000001'
#                                                 (hex: str(n) is limited
#                                                 to 4300 digits)
#   str that 's' cannot hold (NUL, lone
#   surrogates)                                -> 'v' holding 'ay', its
#                                                 UTF-8 ('surrogatepass')
#   GLib.Variant                               -> itself, unchanged
#
# No other conversion makes a bare 'v', so the two escapes cannot meet a
# converted key. A key that C put in the table in some other form (an 'i',
# an 'as', a 'd' holding 2.0) has no Python key that converts to it: it
# reads back as the GLib.Variant itself, which works as a key again.

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_NOTHING = GLib.Variant('mv', None)
_BYTES_TYPE = GLib.VariantType.new('ay')
KEY_TYPES = 'str, int, float, bool, bytes, None, GLib.Variant or tuples of these'


class _NotCanonical(Exception):
    """A stored GVariant that no Python key converts to."""


def _bytes_variant(data):
    return GLib.Variant.new_from_bytes(_BYTES_TYPE, GLib.Bytes.new(data), True)


def _variant_bytes(variant):
    return variant.get_data_as_bytes().get_data() or b''


def _str_needs_escape(text):
    # 's' is NUL-terminated UTF-8: PyGObject would cut the string at a NUL
    # (making 'a\0b' the key 'a'), and cannot encode lone surrogates.
    if '\0' in text:
        return True
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return True
    return False


def plain_str(key):
    """Whether @key is a str that the table stores as an 's' holding it
    (see above), and that the table's _string calls take as it is: the
    common key, which then costs no GLib.Variant (in PyGObject making one
    costs more than the lookup). Other strs take the general path."""
    return type(key) is str and key.isascii() and '\0' not in key


def variant_key(key):
    """The GVariant that stands for @key in the table (see above)."""
    if isinstance(key, str):
        if _str_needs_escape(key):
            return GLib.Variant.new_variant(
                _bytes_variant(key.encode('utf-8', 'surrogatepass')))
        return GLib.Variant.new_string(key)
    if isinstance(key, int):
        key = int(key)          # bool and int subclasses (IntEnum)
        if _INT64_MIN <= key <= _INT64_MAX:
            return GLib.Variant.new_int64(key)
        # hex() has no length limit, unlike str() (sys.int_info).
        return GLib.Variant.new_variant(GLib.Variant.new_string(hex(key)))
    if isinstance(key, float):
        if key.is_integer():    # 1.0 == 1; also -0.0 == 0
            return variant_key(int(key))
        return GLib.Variant.new_double(key)
    if isinstance(key, bytes):
        return _bytes_variant(bytes(key))
    if key is None:
        return _NOTHING
    if isinstance(key, tuple):
        return GLib.Variant.new_tuple(*[variant_key(item) for item in key])
    if isinstance(key, GLib.Variant):
        return key
    raise TypeError("unsupported key type: '%s' (Wk.WeakValueDictionary keys "
                    "are %s)" % (type(key).__name__, KEY_TYPES))


def _decode_key(variant):
    type_string = variant.get_type_string()
    if type_string == 'x':
        return variant.get_int64()
    if type_string == 's':
        return variant.get_string()
    if type_string == 'd':
        value = variant.get_double()
        if value.is_integer():
            raise _NotCanonical
        return value
    if type_string == 'ay':
        return _variant_bytes(variant)
    if type_string == 'mv':
        if variant.n_children() == 0:
            return None
        raise _NotCanonical
    if type_string.startswith('('):
        return tuple(_decode_key(variant.get_child_value(i))
                     for i in range(variant.n_children()))
    if type_string == 'v':
        inner = variant.get_variant()
        inner_type = inner.get_type_string()
        if inner_type == 's':
            text = inner.get_string()
            try:
                value = int(text, 16)
            except ValueError:
                raise _NotCanonical from None
            if hex(value) == text and not _INT64_MIN <= value <= _INT64_MAX:
                return value
        elif inner_type == 'ay':
            try:
                text = _variant_bytes(inner).decode('utf-8', 'surrogatepass')
            except UnicodeDecodeError:
                raise _NotCanonical from None
            if _str_needs_escape(text):
                return text
    raise _NotCanonical


def python_key(variant):
    """The Python key for a GVariant read from the table: the value it was
    converted from, or the GLib.Variant itself if it is not in the form a
    conversion makes (a key put there by C)."""
    try:
        return _decode_key(variant)
    except _NotCanonical:
        return variant
