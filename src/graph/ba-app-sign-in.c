/* ba-app-sign-in.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-app-sign-in.h"
#include "ba-client-assertion.h"
#include "ba-json-utils.h"
#include "ba-session-private.h"

#define REQUEST_TIMEOUT_SECONDS 60

/* Graph permissions with which GET /sites/root works; the first is the
 * least one and is named when none is granted. */
static const char * const graph_site_roles[] = {
  "Sites.Read.All",
  "Sites.ReadWrite.All",
  "Sites.Manage.All",
  "Sites.FullControl.All",
  NULL
};

struct _BaAppSignIn
{
  GObject parent_instance;

  /* Owned */
  char *app_id;
  char *tenant_id;
  GStrv roles;
  GDateTime *verified_at;

  guint graph_proven : 1;
  guint sharepoint_proven : 1;
};

G_DEFINE_FINAL_TYPE (BaAppSignIn, ba_app_sign_in, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_TENANT_ID,
  PROP_ROLES,
  PROP_GRAPH_PROVEN,
  PROP_SHAREPOINT_PROVEN,
  PROP_VERIFIED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  RESOURCE_GRAPH,
  RESOURCE_SHAREPOINT,
} Resource;

typedef struct
{
  /* Owned */
  BaCloud *cloud;
  BaCertificate *certificate;
  SoupSession *soup;
  BaAppSignIn *result;
  char *token_url;
  char *sharepoint_url;
  BaSignatureScheme scheme;
  Resource resource;
} Verify;

static void verify_resource (GTask *task);

static void
verify_free (gpointer data)
{
  Verify *verify = data;

  g_clear_object (&verify->cloud);
  g_clear_object (&verify->certificate);
  if (verify->soup != NULL)
    soup_session_abort (verify->soup);
  g_clear_object (&verify->soup);
  g_clear_object (&verify->result);
  g_clear_pointer (&verify->token_url, g_free);
  g_clear_pointer (&verify->sharepoint_url, g_free);
  g_free (verify);
}

static void
wipe_string (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

typedef char BaWipedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaWipedString, wipe_string)

static const char *
resource_name (Resource resource)
{
  return resource == RESOURCE_GRAPH ? "Microsoft Graph" : "SharePoint";
}

/* Token endpoint errors in the words of an application check; the rest
 * as for any sign-in. */
static GError *
app_token_error (JsonObject *response)
{
  gint64 code = _ba_identity_error_aadsts (response);

  g_debug ("%s(): token error %s, AADSTS%" G_GINT64_FORMAT ", trace_id %s, correlation_id %s",
           G_STRFUNC,
           ba_json_get_string (response, "error") ? ba_json_get_string (response, "error") : "-",
           code,
           ba_json_get_string (response, "trace_id") ? ba_json_get_string (response, "trace_id") : "-",
           ba_json_get_string (response, "correlation_id") ? ba_json_get_string (response, "correlation_id") : "-");

  switch (code)
    {
    case 700027:
      return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CERTIFICATE_REJECTED,
                                  _("The certificate is not registered on this application, or it has expired. "
                                    "Add the certificate to the application, or choose the one that is registered."));

    case 7000215:
      return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_CREDENTIAL,
                                  _("The application did not accept this credential. "
                                    "Register the certificate on the application, then verify again."));

    case 700016:
      return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND,
                                  _("No application with this ID in the tenant. Check the application ID and "
                                    "the tenant; a new application can take a few minutes to appear."));

    case 7000229:
      return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND,
                                  _("The application has no service principal in this tenant, so it cannot sign in. "
                                    "Create it (for example by granting admin consent), then verify again."));

    default:
      return ba_identity_error_from_response (response);
    }
}

static GError *
missing_permission_error (Resource resource)
{
  if (resource == RESOURCE_SHAREPOINT)
    return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION,
                                _("The application lacks the SharePoint permission Sites.FullControl.All. "
                                  "Grant it with admin consent, then verify again."));

  return g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION,
                              _("The application lacks the Microsoft Graph permission Sites.Read.All "
                                "(or a wider one such as Sites.FullControl.All). "
                                "Grant it with admin consent, then verify again."));
}

static GError *
unreachable_error (SoupMessage  *message,
                   const GError *error)
{
  GUri *uri = soup_message_get_uri (message);

  g_debug ("%s(): %s: %s", G_STRFUNC, g_uri_get_host (uri), error->message);

  return g_error_new (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                      _("Could not reach %s. Check the network connection and try again."),
                      g_uri_get_host (uri));
}

/* The `roles` claim of an access token (a JWT whose payload we may read:
 * it is our own application's token, and this is a diagnostic), and its
 * `tid`: the tenant's ID when it was asked for by domain. */
static GStrv
roles_from_token (const char  *token,
                  char       **tenant_id)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) padded = NULL;
  g_autofree guint8 *payload = NULL;
  const char *start;
  const char *end;
  JsonNode *root;
  JsonNode *roles;
  gsize len = 0;

  start = strchr (token, '.');
  if (start == NULL)
    return g_strv_builder_end (builder);
  start++;
  end = strchr (start, '.');
  if (end == NULL)
    return g_strv_builder_end (builder);

  padded = g_string_new_len (start, end - start);
  for (gsize i = 0; i < padded->len; i++)
    {
      if (padded->str[i] == '-')
        padded->str[i] = '+';
      else if (padded->str[i] == '_')
        padded->str[i] = '/';
    }
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');

  payload = g_base64_decode (padded->str, &len);
  if (payload == NULL || len == 0 ||
      !json_parser_load_from_data (parser, (const char *) payload, len, NULL))
    {
      g_debug ("%s(): the access token is not a readable JWT", G_STRFUNC);
      return g_strv_builder_end (builder);
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strv_builder_end (builder);

  if (json_object_has_member (json_node_get_object (root), "tid"))
    {
      const char *tid = json_object_get_string_member (json_node_get_object (root), "tid");

      if (tid != NULL && *tid != '\0')
        *tenant_id = g_strdup (tid);
    }

  roles = json_object_get_member (json_node_get_object (root), "roles");
  if (roles != NULL && JSON_NODE_HOLDS_ARRAY (roles))
    {
      JsonArray *array = json_node_get_array (roles);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }

  return g_strv_builder_end (builder);
}

/* The token's audience is the cloud's Graph resource, whatever address
 * the requests go to: an overridden Graph URL (a proxy, the tests'
 * emulator) forwards to the same Graph, which only accepts tokens for
 * itself. */
static char *
graph_scope (BaCloud *cloud)
{
  g_autoptr(BaCloud) plain = ba_cloud_new (ba_cloud_get_kind (cloud));

  return g_strconcat (ba_cloud_get_graph_url (plain), "/.default", NULL);
}

static gboolean
has_any_role (const char * const *roles,
              const char * const *wanted)
{
  for (guint i = 0; wanted[i] != NULL; i++)
    if (g_strv_contains (roles, wanted[i]))
      return TRUE;

  return FALSE;
}

static void
proof_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *verify = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *request_id;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (body == NULL)
    {
      g_task_return_error (task, unreachable_error (message, error));
      return;
    }

  status = soup_message_get_status (message);
  request_id = soup_message_headers_get_one (soup_message_get_response_headers (message), "request-id");
  g_debug ("%s(): %s proof call: HTTP %u, request-id %s", G_STRFUNC,
           resource_name (verify->resource), status, request_id != NULL ? request_id : "-");

  if (status == SOUP_STATUS_FORBIDDEN || status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_task_return_error (task, missing_permission_error (verify->resource));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                               _("%s could not be reached as the application (error %u). Try again later."),
                               resource_name (verify->resource), status);
      return;
    }

  if (verify->resource == RESOURCE_GRAPH)
    {
      verify->result->graph_proven = TRUE;

      if (verify->sharepoint_url != NULL)
        {
          verify->resource = RESOURCE_SHAREPOINT;
          verify_resource (g_steal_pointer (&task));
          return;
        }
    }
  else
    {
      verify->result->sharepoint_proven = TRUE;
    }

  verify->result->verified_at = g_date_time_new_now_utc ();
  g_task_return_pointer (task, g_steal_pointer (&verify->result), g_object_unref);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *verify = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(SoupMessage) proof = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BaWipedString) token = NULL;
  g_autoptr(BaWipedString) authorization = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;
  JsonObject *response = NULL;
  JsonNode *root;
  gsize size = 0;
  const char *data;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (body == NULL)
    {
      g_task_return_error (task, unreachable_error (message, error));
      return;
    }

  status = soup_message_get_status (message);
  data = g_bytes_get_data (body, &size);
  if (size > 0 && json_parser_load_from_data (parser, data, size, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    response = json_node_get_object (root);

  if (response == NULL)
    {
      g_debug ("%s(): token endpoint answered HTTP %u without JSON", G_STRFUNC, status);
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                               _("The sign-in service sent an answer that could not be read (error %u). Try again later."),
                               status);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status) || ba_json_get_string (response, "error") != NULL)
    {
      g_task_return_error (task, app_token_error (response));
      return;
    }

  token = g_strdup (ba_json_get_string (response, "access_token"));
  if (token == NULL || *token == '\0')
    {
      g_debug ("%s(): token response without access_token", G_STRFUNC);
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                               _("The sign-in service sent no token. Try again later."));
      return;
    }

  if (verify->resource == RESOURCE_GRAPH)
    {
      g_autofree char *tid = NULL;
      g_auto(GStrv) roles = roles_from_token (token, &tid);

      if (tid != NULL)
        {
          g_free (verify->result->tenant_id);
          verify->result->tenant_id = g_steal_pointer (&tid);
        }

      g_debug ("%s(): app-only token for %s with %u roles", G_STRFUNC,
               verify->result->app_id, g_strv_length (roles));

      g_strfreev (verify->result->roles);
      verify->result->roles = g_steal_pointer (&roles);

      if (!has_any_role ((const char * const *) verify->result->roles, graph_site_roles))
        {
          g_task_return_error (task, missing_permission_error (RESOURCE_GRAPH));
          return;
        }

      url = g_strconcat (ba_cloud_get_graph_url (verify->cloud), "/v1.0/sites/root?$select=webUrl", NULL);
    }
  else
    {
      /* SharePoint says itself what it lacks: a 401 or 403 below. */
      url = g_strconcat (verify->sharepoint_url, "/_api/web?$select=Title", NULL);
    }

  proof = soup_message_new (SOUP_METHOD_GET, url);
  if (proof == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The address of %s is not valid."), resource_name (verify->resource));
      return;
    }

  headers = soup_message_get_request_headers (proof);
  authorization = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept",
                                verify->resource == RESOURCE_GRAPH
                                  ? "application/json"
                                  : "application/json;odata=nometadata");

  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (verify->soup,
                                    proof,
                                    G_PRIORITY_DEFAULT,
                                    cancellable,
                                    proof_cb,
                                    g_steal_pointer (&task));
}

static void
assertion_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *verify = g_task_get_task_data (task);
  g_autoptr(BaWipedString) assertion = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *form = NULL;
  GCancellable *cancellable;

  assertion = ba_client_assertion_sign_finish (BA_CLIENT_ASSERTION (object), result, &error);
  if (assertion == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (verify->resource == RESOURCE_GRAPH)
    scope = graph_scope (verify->cloud);
  else
    scope = g_strconcat (verify->sharepoint_url, "/.default", NULL);

  form = soup_form_encode ("client_id", verify->result->app_id,
                           "scope", scope,
                           "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                           "client_assertion", assertion,
                           "grant_type", "client_credentials",
                           NULL);
  /* The message takes the form; it held the assertion, which is only
   * valid for minutes and for this one endpoint. */
  message = soup_message_new_from_encoded_form (SOUP_METHOD_POST, verify->token_url, g_steal_pointer (&form));
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The address of the sign-in service is not valid."));
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");

  g_debug ("%s(): requesting an app-only token for %s (%s)", G_STRFUNC,
           verify->result->app_id, resource_name (verify->resource));

  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (verify->soup,
                                    message,
                                    G_PRIORITY_DEFAULT,
                                    cancellable,
                                    token_cb,
                                    g_steal_pointer (&task));
}

/* A new assertion (its jti must not be reused) and a token for the
 * current resource. Takes the task. */
static void
verify_resource (GTask *task)
{
  Verify *verify = g_task_get_task_data (task);
  g_autoptr(BaClientAssertion) assertion = NULL;

  assertion = ba_client_assertion_new (verify->certificate, verify->result->app_id, verify->token_url);
  ba_client_assertion_set_scheme (assertion, verify->scheme);
  ba_client_assertion_sign_async (assertion,
                                  g_task_get_cancellable (task),
                                  assertion_cb,
                                  task);
}

static void
ba_app_sign_in_finalize (GObject *object)
{
  BaAppSignIn *self = (BaAppSignIn *)object;

  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->tenant_id, g_free);
  g_clear_pointer (&self->roles, g_strfreev);
  g_clear_pointer (&self->verified_at, g_date_time_unref);

  G_OBJECT_CLASS (ba_app_sign_in_parent_class)->finalize (object);
}

static void
ba_app_sign_in_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaAppSignIn *self = BA_APP_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;

    case PROP_TENANT_ID:
      g_value_set_string (value, self->tenant_id);
      break;

    case PROP_ROLES:
      g_value_set_boxed (value, self->roles);
      break;

    case PROP_GRAPH_PROVEN:
      g_value_set_boolean (value, self->graph_proven);
      break;

    case PROP_SHAREPOINT_PROVEN:
      g_value_set_boolean (value, self->sharepoint_proven);
      break;

    case PROP_VERIFIED_AT:
      g_value_set_boxed (value, self->verified_at);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_app_sign_in_class_init (BaAppSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_app_sign_in_finalize;
  object_class->get_property = ba_app_sign_in_get_property;

  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TENANT_ID] =
    g_param_spec_string ("tenant-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ROLES] =
    g_param_spec_boxed ("roles", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_GRAPH_PROVEN] =
    g_param_spec_boolean ("graph-proven", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SHAREPOINT_PROVEN] =
    g_param_spec_boolean ("sharepoint-proven", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_VERIFIED_AT] =
    g_param_spec_boxed ("verified-at", NULL, NULL, G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_app_sign_in_init (BaAppSignIn *self)
{
}

/**
 * ba_app_sign_in_verify_async:
 * @cloud: the cloud
 * @tenant_id: the tenant GUID or domain (not "organizations")
 * @app_id: the backup application's appId
 * @certificate: its certificate, with a private key
 * @sharepoint_url: (nullable): the tenant's SharePoint, e.g.
 *   https://contoso.sharepoint.com, to prove that too
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs in as the application with an RS256 assertion, which any RSA key
 * can make (reference §10.2).
 */
void
ba_app_sign_in_verify_async (BaCloud             *cloud,
                             const char          *tenant_id,
                             const char          *app_id,
                             BaCertificate       *certificate,
                             const char          *sharepoint_url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ba_app_sign_in_verify_with_scheme_async (cloud, tenant_id, app_id, certificate, sharepoint_url,
                                           BA_SIGNATURE_RSA_PKCS1_SHA256,
                                           cancellable, callback, user_data);
}

/**
 * ba_app_sign_in_verify_with_scheme_async:
 * @scheme: the assertion's signature: RS256 + x5t, or PS256 + x5t#S256
 *
 * As ba_app_sign_in_verify_async(), with a chosen signature scheme.
 * Finish with ba_app_sign_in_verify_finish().
 */
void
ba_app_sign_in_verify_with_scheme_async (BaCloud             *cloud,
                                         const char          *tenant_id,
                                         const char          *app_id,
                                         BaCertificate       *certificate,
                                         const char          *sharepoint_url,
                                         BaSignatureScheme    scheme,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tenant_escaped = NULL;
  Verify *verify;

  g_return_if_fail (BA_IS_CLOUD (cloud));
  g_return_if_fail (tenant_id != NULL);
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_app_sign_in_verify_with_scheme_async);

  verify = g_new0 (Verify, 1);
  verify->cloud = g_object_ref (cloud);
  verify->certificate = g_object_ref (certificate);
  verify->scheme = scheme;
  verify->resource = RESOURCE_GRAPH;
  verify->result = g_object_new (BA_TYPE_APP_SIGN_IN, NULL);
  verify->result->app_id = g_strdup (app_id);
  verify->result->tenant_id = g_strdup (tenant_id);
  verify->result->roles = g_new0 (char *, 1);
  g_task_set_task_data (task, verify, verify_free);

  if (*tenant_id == '\0' || *app_id == '\0' ||
      g_ascii_strcasecmp (tenant_id, "organizations") == 0 ||
      g_ascii_strcasecmp (tenant_id, "common") == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("An application is verified in one tenant: enter its tenant ID or domain and the application ID."));
      return;
    }

  if (sharepoint_url != NULL && *sharepoint_url != '\0')
    {
      verify->sharepoint_url = ba_cloud_normalize_endpoint (sharepoint_url, &error);
      if (verify->sharepoint_url == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  tenant_escaped = g_uri_escape_string (tenant_id, NULL, FALSE);
  verify->token_url = g_strconcat (ba_cloud_get_authority_url (cloud), "/", tenant_escaped,
                                   "/oauth2/v2.0/token", NULL);

  verify->soup = soup_session_new ();
  soup_session_set_timeout (verify->soup, REQUEST_TIMEOUT_SECONDS);
  soup_session_set_user_agent (verify->soup, "BackupAccess/" PACKAGE_VERSION);

  verify_resource (g_steal_pointer (&task));
}

/**
 * ba_app_sign_in_verify_finish:
 * @result: the result
 * @error: return location for a #BA_IDENTITY_ERROR, #BA_CERT_ERROR (the
 *   key could not sign) or #G_IO_ERROR
 *
 * Returns: (transfer full): what was proven, or %NULL
 */
BaAppSignIn *
ba_app_sign_in_verify_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_app_sign_in_verify_with_scheme_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
ba_app_sign_in_get_app_id (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), NULL);

  return self->app_id;
}

const char *
ba_app_sign_in_get_tenant_id (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), NULL);

  return self->tenant_id;
}

const char * const *
ba_app_sign_in_get_roles (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), NULL);

  return (const char * const *) self->roles;
}

gboolean
ba_app_sign_in_get_graph_proven (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), FALSE);

  return self->graph_proven;
}

gboolean
ba_app_sign_in_get_sharepoint_proven (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), FALSE);

  return self->sharepoint_proven;
}

GDateTime *
ba_app_sign_in_get_verified_at (BaAppSignIn *self)
{
  g_return_val_if_fail (BA_IS_APP_SIGN_IN (self), NULL);

  return self->verified_at;
}
