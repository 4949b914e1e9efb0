/* ba-cloud.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ba-cloud.h"
#include "ba-enum-types.h"

/* The endpoints of each Microsoft cloud, from the national-cloud deployment
 * pages. The device login page is only ever used for help text: the page a
 * user must visit always comes from the devicecode response. */
typedef struct
{
  const char *authority;
  const char *graph;
  const char *device_login;
} CloudEndpoints;

static const CloudEndpoints cloud_endpoints[] = {
  [BA_CLOUD_KIND_GLOBAL] = { "https://login.microsoftonline.com", "https://graph.microsoft.com", "https://microsoft.com/devicelogin" },
  [BA_CLOUD_KIND_US_GOV_L4] = { "https://login.microsoftonline.us", "https://graph.microsoft.us", "https://microsoft.com/deviceloginus" },
  [BA_CLOUD_KIND_US_GOV_L5] = { "https://login.microsoftonline.us", "https://dod-graph.microsoft.us", "https://microsoft.com/deviceloginus" },
  [BA_CLOUD_KIND_CHINA] = { "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn", "https://microsoft.com/deviceloginchina" },
};

struct _BaCloud
{
  GObject parent_instance;

  BaCloudKind kind;
  char *authority_url;
  char *graph_url;
  guint authority_overridden : 1;
  guint graph_overridden : 1;
};

G_DEFINE_FINAL_TYPE (BaCloud, ba_cloud, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-cloud-error-quark, ba_cloud_error)

enum {
  PROP_0,
  PROP_KIND,
  PROP_AUTHORITY_URL,
  PROP_GRAPH_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * ba_cloud_normalize_endpoint:
 * @url: an endpoint as an admin typed it
 * @error: return location for a #BA_CLOUD_ERROR
 *
 * Checks an endpoint override. Tokens travel to these hosts, so plain http is
 * accepted only when it cannot leave the machine (a loopback host, as for the
 * tests' emulator); everything else must be https, whose verification is
 * never switched off.
 *
 * Returns: (transfer full): the URL without a trailing slash, or %NULL
 */
char *
ba_cloud_normalize_endpoint (const char  *url,
                             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = NULL;
  const char *scheme;
  const char *host;
  gsize len;

  g_return_val_if_fail (url != NULL, NULL);

  trimmed = g_strstrip (g_strdup (url));
  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INVALID_URL,
                   _("“%s” is not a valid address. Enter a full address such as https://login.example.com."),
                   trimmed);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INVALID_URL,
                   _("“%s” is not a web address. Enter an address that starts with https://."),
                   trimmed);
      return NULL;
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INVALID_URL,
                   _("“%s” must not contain a user name, a query or a fragment. Enter only the scheme, host, port and path."),
                   trimmed);
      return NULL;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback_host (host))
    {
      g_set_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INSECURE_URL,
                   _("“%s” is not encrypted. Use https://, or http:// only for an address on this computer (localhost)."),
                   trimmed);
      return NULL;
    }

  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  return g_steal_pointer (&trimmed);
}

gboolean
ba_cloud_kind_from_nick (const char  *nick,
                         BaCloudKind *kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (BA_TYPE_CLOUD_KIND);
  GEnumValue *value;

  g_return_val_if_fail (kind != NULL, FALSE);

  if (nick == NULL)
    return FALSE;

  value = g_enum_get_value_by_nick (klass, nick);
  if (value == NULL)
    return FALSE;

  *kind = value->value;
  return TRUE;
}

const char *
ba_cloud_kind_to_nick (BaCloudKind kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (BA_TYPE_CLOUD_KIND);
  GEnumValue *value = g_enum_get_value (klass, kind);

  g_return_val_if_fail (value != NULL, NULL);

  /* Enum classes are never unloaded, so the nick outlives the reference. */
  return value->value_nick;
}

static void
ba_cloud_finalize (GObject *object)
{
  BaCloud *self = (BaCloud *)object;

  g_clear_pointer (&self->authority_url, g_free);
  g_clear_pointer (&self->graph_url, g_free);

  G_OBJECT_CLASS (ba_cloud_parent_class)->finalize (object);
}

static void
ba_cloud_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  BaCloud *self = BA_CLOUD (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_AUTHORITY_URL:
      g_value_set_string (value, self->authority_url);
      break;

    case PROP_GRAPH_URL:
      g_value_set_string (value, self->graph_url);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_cloud_class_init (BaCloudClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_cloud_finalize;
  object_class->get_property = ba_cloud_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       BA_TYPE_CLOUD_KIND, BA_CLOUD_KIND_GLOBAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHORITY_URL] =
    g_param_spec_string ("authority-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRAPH_URL] =
    g_param_spec_string ("graph-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_cloud_init (BaCloud *self)
{
}

BaCloud *
ba_cloud_new (BaCloudKind kind)
{
  BaCloud *self;

  g_return_val_if_fail (kind <= BA_CLOUD_KIND_CHINA, NULL);

  self = g_object_new (BA_TYPE_CLOUD, NULL);
  self->kind = kind;
  self->authority_url = g_strdup (cloud_endpoints[kind].authority);
  self->graph_url = g_strdup (cloud_endpoints[kind].graph);

  return self;
}

static gboolean
apply_override (char       **target,
                const char  *value,
                gboolean    *overridden,
                GError     **error)
{
  g_autofree char *normalized = NULL;

  if (value == NULL || *value == '\0')
    return TRUE;

  normalized = ba_cloud_normalize_endpoint (value, error);
  if (normalized == NULL)
    return FALSE;

  g_free (*target);
  *target = g_steal_pointer (&normalized);
  *overridden = TRUE;
  return TRUE;
}

/**
 * ba_cloud_new_from_settings:
 * @kind: the cloud
 * @settings: (nullable): the application settings
 * @error: return location for a #BA_CLOUD_ERROR
 *
 * The cloud's endpoints with the admin's overrides applied: first the
 * `authority-url` and `graph-url` settings, then the `BA_AUTHORITY_URL` and
 * `BA_GRAPH_URL` environment variables, which win so that a test run or a
 * one-off proxy never has to touch the saved preferences.
 *
 * Returns: (transfer full): a #BaCloud, or %NULL if an override is not
 *   acceptable
 */
BaCloud *
ba_cloud_new_from_settings (BaCloudKind   kind,
                            GSettings    *settings,
                            GError      **error)
{
  g_autoptr(BaCloud) self = ba_cloud_new (kind);
  gboolean authority_overridden = FALSE;
  gboolean graph_overridden = FALSE;

  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  if (settings != NULL)
    {
      g_autofree char *authority = g_settings_get_string (settings, "authority-url");
      g_autofree char *graph = g_settings_get_string (settings, "graph-url");

      if (!apply_override (&self->authority_url, authority, &authority_overridden, error) ||
          !apply_override (&self->graph_url, graph, &graph_overridden, error))
        return NULL;
    }

  if (!apply_override (&self->authority_url, g_getenv ("BA_AUTHORITY_URL"), &authority_overridden, error) ||
      !apply_override (&self->graph_url, g_getenv ("BA_GRAPH_URL"), &graph_overridden, error))
    return NULL;

  self->authority_overridden = authority_overridden;
  self->graph_overridden = graph_overridden;

  return g_steal_pointer (&self);
}

BaCloudKind
ba_cloud_get_kind (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), BA_CLOUD_KIND_GLOBAL);

  return self->kind;
}

const char *
ba_cloud_get_authority_url (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), NULL);

  return self->authority_url;
}

const char *
ba_cloud_get_graph_url (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), NULL);

  return self->graph_url;
}

const char *
ba_cloud_get_device_login_url (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), NULL);

  return cloud_endpoints[self->kind].device_login;
}

gboolean
ba_cloud_get_authority_overridden (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), FALSE);

  return self->authority_overridden;
}

gboolean
ba_cloud_get_graph_overridden (BaCloud *self)
{
  g_return_val_if_fail (BA_IS_CLOUD (self), FALSE);

  return self->graph_overridden;
}
