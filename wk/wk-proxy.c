/* wk-proxy.c: weak proxies that forward to their referent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * WkProxy:
 *
 * A weak reference that stands for its referent: Python's
 * `weakref.proxy` for GObjects.
 *
 * A proxy is a [class@Wk.Ref] (it dies, reads %NULL and runs its callback
 * in the same [death order](death-order.html), and
 * [func@Wk.get_weak_ref_count] counts it), whose accessors fail with
 * %WK_REF_ERROR_DEAD once the referent is gone instead of returning
 * %NULL: [method@Wk.Proxy.dup_target], and the property forwarding of
 * [method@Wk.Proxy.get_property] and [method@Wk.Proxy.set_property].
 *
 * Proxies are never shared: each [ctor@Wk.Proxy.new] makes a new one. The
 * Python binding builds `Wk.proxy` on this type, forwarding attribute
 * access, method calls and the special methods of the referent.
 */

#include "config.h"

#include "wk-proxy.h"
#include "wk-enums.h"
#include "wk-ref-private.h"

struct _WkProxy
{
  WkRef parent_instance;
};

G_DEFINE_FINAL_TYPE (WkProxy, wk_proxy, WK_TYPE_REF)

static void
wk_proxy_class_init (WkProxyClass *klass)
{
}

static void
wk_proxy_init (WkProxy *self)
{
}

/**
 * wk_proxy_new: (constructor)
 * @object: (type GObject.Object): the referent, any GObject
 * @callback: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   called once with the proxy when @object dies, if the proxy is still
 *   alive then
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, after @callback ran or when the
 *   proxy is finalized without it having run
 *
 * Creates a weak proxy for @object. A proxy made while @object is already
 * dying is dead from the start and never runs its callback.
 *
 * Returns: (transfer full): a new proxy
 */
WkProxy *
wk_proxy_new (gpointer        object,
              WkRefCallback   callback,
              gpointer        user_data,
              GDestroyNotify  destroy)
{
  WkRef *self;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  self = g_object_new (WK_TYPE_PROXY, NULL);
  return WK_PROXY (_wk_ref_attach_unshared (self, object, callback, user_data, destroy));
}

/**
 * wk_proxy_dup_target:
 * @self: a proxy
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets a strong reference to the referent, failing once it is gone. This
 * is [method@Wk.Ref.get] with an error instead of %NULL.
 *
 * Returns: (transfer full) (type GObject.Object): the referent, or %NULL
 *   with %WK_REF_ERROR_DEAD set once it has started to die
 */
gpointer
wk_proxy_dup_target (WkProxy  *self,
                     GError  **error)
{
  gpointer target;

  g_return_val_if_fail (WK_IS_PROXY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  target = wk_ref_get (WK_REF (self));
  if (target == NULL)
    g_set_error_literal (error, WK_REF_ERROR, WK_REF_ERROR_DEAD,
                         "The proxy's referent no longer exists");
  return target;
}

/* The live referent and its @name property, checked for @flags; NULL with
 * @error set otherwise. */
static GObject *
dup_target_property (WkProxy      *self,
                     const char   *name,
                     GParamFlags   flags,
                     GParamSpec  **pspec_out,
                     GError      **error)
{
  GObject *target = wk_proxy_dup_target (self, error);
  GParamSpec *pspec;

  if (target == NULL)
    return NULL;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), name);
  if (pspec == NULL)
    {
      g_set_error (error, WK_REF_ERROR, WK_REF_ERROR_UNKNOWN_PROPERTY,
                   "Object of type '%s' has no property named '%s'",
                   G_OBJECT_TYPE_NAME (target), name);
      g_object_unref (target);
      return NULL;
    }

  if ((pspec->flags & flags) != flags ||
      ((flags & G_PARAM_WRITABLE) && (pspec->flags & G_PARAM_CONSTRUCT_ONLY)))
    {
      g_set_error (error, WK_REF_ERROR, WK_REF_ERROR_PROPERTY_ACCESS,
                   "Property '%s' of type '%s' is not %s",
                   pspec->name, G_OBJECT_TYPE_NAME (target),
                   (flags & G_PARAM_WRITABLE) ? "writable after construction" : "readable");
      g_object_unref (target);
      return NULL;
    }

  *pspec_out = pspec;
  return target;
}

/**
 * wk_proxy_get_target_property:
 * @self: a proxy
 * @name: the name of a property of the referent
 * @value: (out caller-allocates): where to store the value: a zero-filled
 *   [struct@GObject.Value], which is initialized to the property's type, or one
 *   initialized to a type the property's value can be transformed into
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a property of the live referent, as g_object_get_property() does,
 * but reports problems as errors: %WK_REF_ERROR_DEAD once the referent is
 * gone, %WK_REF_ERROR_UNKNOWN_PROPERTY, %WK_REF_ERROR_PROPERTY_ACCESS for
 * a property that is not readable, %WK_REF_ERROR_INVALID_VALUE when the
 * value cannot be transformed into @value's type.
 *
 * Returns: %TRUE on success; on failure @value is left as it was
 */
gboolean
wk_proxy_get_target_property (WkProxy     *self,
                              const char  *name,
                              GValue      *value,
                              GError     **error)
{
  GParamSpec *pspec = NULL;
  GObject *target;

  g_return_val_if_fail (WK_IS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  target = dup_target_property (self, name, G_PARAM_READABLE, &pspec, error);
  if (target == NULL)
    return FALSE;

  if (G_VALUE_TYPE (value) == G_TYPE_INVALID)
    g_value_init (value, pspec->value_type);
  else if (!g_value_type_transformable (pspec->value_type, G_VALUE_TYPE (value)))
    {
      g_set_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE,
                   "Property '%s' of type '%s' cannot be read as '%s'",
                   pspec->name, g_type_name (pspec->value_type),
                   G_VALUE_TYPE_NAME (value));
      g_object_unref (target);
      return FALSE;
    }

  g_object_get_property (target, pspec->name, value);
  g_object_unref (target);
  return TRUE;
}

/**
 * wk_proxy_dup_target_property:
 * @self: a proxy
 * @name: the name of a property of the referent
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a property of the live referent into a new [struct@GObject.Value] of the
 * property's type, failing as [method@Wk.Proxy.get_target_property] does. This
 * is the form for bindings that cannot pass a caller-allocated [struct@GObject.Value]
 * (GJS 1.74 converts the out value before it looks at the error).
 *
 * Returns: (transfer full): the value, freed with g_value_unset() and
 *   g_free() in C, or %NULL with @error set
 */
GValue *
wk_proxy_dup_target_property (WkProxy     *self,
                              const char  *name,
                              GError     **error)
{
  GValue *value;

  g_return_val_if_fail (WK_IS_PROXY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = g_new0 (GValue, 1);
  if (!wk_proxy_get_target_property (self, name, value, error))
    g_clear_pointer (&value, g_free);
  return value;
}

/**
 * wk_proxy_set_target_property:
 * @self: a proxy
 * @name: the name of a property of the referent
 * @value: the new value, of the property's type or one that transforms
 *   into it
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets a property of the live referent, as g_object_set_property() does,
 * but reports problems as errors instead of warnings:
 * %WK_REF_ERROR_DEAD, %WK_REF_ERROR_UNKNOWN_PROPERTY,
 * %WK_REF_ERROR_PROPERTY_ACCESS for a property that is not writable or
 * construct-only, %WK_REF_ERROR_INVALID_VALUE for a value that cannot be
 * transformed into the property's type or is out of its range.
 *
 * Returns: %TRUE if the property was set
 */
gboolean
wk_proxy_set_target_property (WkProxy       *self,
                              const char    *name,
                              const GValue  *value,
                              GError       **error)
{
  GValue converted = G_VALUE_INIT;
  GParamSpec *pspec = NULL;
  GObject *target;
  gboolean ok = FALSE;

  g_return_val_if_fail (WK_IS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  target = dup_target_property (self, name, G_PARAM_WRITABLE, &pspec, error);
  if (target == NULL)
    return FALSE;

  /* GObject would only warn about these; check them first, on a copy. */
  g_value_init (&converted, pspec->value_type);
  if (!g_value_transform (value, &converted))
    g_set_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE,
                 "A value of type '%s' cannot be stored in property '%s' of type '%s'",
                 G_VALUE_TYPE_NAME (value), pspec->name, g_type_name (pspec->value_type));
  else if (g_param_value_validate (pspec, &converted) && !(pspec->flags & G_PARAM_LAX_VALIDATION))
    g_set_error (error, WK_REF_ERROR, WK_REF_ERROR_INVALID_VALUE,
                 "The value is out of the range of property '%s' of type '%s'",
                 pspec->name, G_OBJECT_TYPE_NAME (target));
  else
    {
      g_object_set_property (target, pspec->name, &converted);
      ok = TRUE;
    }

  g_value_unset (&converted);
  g_object_unref (target);
  return ok;
}

/* The old names, which shadowed GObject's get_property() and
 * set_property() in Python and JavaScript (GJS warned "Too many
 * arguments" at callers of GObject's form): kept for C callers, hidden
 * from bindings. */

/**
 * wk_proxy_get_property: (skip)
 * @self: a proxy
 * @name: the name of a property of the referent
 * @value: where to store the value
 * @error: return location for a [struct@GLib.Error]
 *
 * The old name of [method@Wk.Proxy.get_target_property], hidden from bindings,
 * where it shadowed GObject's own.
 *
 * Returns: %TRUE on success
 *
 * Deprecated: 0.2: Use [method@Wk.Proxy.get_target_property].
 */
gboolean
wk_proxy_get_property (WkProxy     *self,
                       const char  *name,
                       GValue      *value,
                       GError     **error)
{
  return wk_proxy_get_target_property (self, name, value, error);
}

/**
 * wk_proxy_dup_property: (skip)
 * @self: a proxy
 * @name: the name of a property of the referent
 * @error: return location for a [struct@GLib.Error]
 *
 * The old name of [method@Wk.Proxy.dup_target_property], hidden from bindings,
 * where it shadowed GObject's own.
 *
 * Returns: (transfer full): the value, or %NULL with @error set
 *
 * Deprecated: 0.2: Use [method@Wk.Proxy.dup_target_property].
 */
GValue *
wk_proxy_dup_property (WkProxy     *self,
                       const char  *name,
                       GError     **error)
{
  return wk_proxy_dup_target_property (self, name, error);
}

/**
 * wk_proxy_set_property: (skip)
 * @self: a proxy
 * @name: the name of a property of the referent
 * @value: the new value
 * @error: return location for a [struct@GLib.Error]
 *
 * The old name of [method@Wk.Proxy.set_target_property], hidden from bindings,
 * where it shadowed GObject's own.
 *
 * Returns: %TRUE if the property was set
 *
 * Deprecated: 0.2: Use [method@Wk.Proxy.set_target_property].
 */
gboolean
wk_proxy_set_property (WkProxy       *self,
                       const char    *name,
                       const GValue  *value,
                       GError       **error)
{
  return wk_proxy_set_target_property (self, name, value, error);
}
