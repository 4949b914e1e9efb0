/* ba-session.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ba-graph-client.h"
#include "ba-json-utils.h"
#include "ba-secret-store.h"
#include "ba-session-private.h"

/* An admin's sign-in: the access token in memory, the refresh token in
 * memory and, with "stay signed in", in the desktop keyring. Nothing of a
 * token, a code or a response body is ever logged here; identifiers
 * (tenant, trace_id, correlation_id, request-id) are. */

/* Refresh this long before the access token expires (reference §2.5). */
#define REFRESH_MARGIN_SECONDS (5 * 60)
/* Token requests are retried this often on 429 and 5xx. */
#define TOKEN_MAX_RETRIES 3
/* A Retry-After longer than this is not waited for in full. */
#define MAX_RETRY_AFTER_SECONDS 120

#define GLOBAL_ADMINISTRATOR_TEMPLATE "62e90394-69f5-4237-9190-012177145e10"
#define PRIVILEGED_ROLE_ADMINISTRATOR_TEMPLATE "e8611ab8-c189-46e8-94e1-60213ab1f814"

struct _BaSession
{
  GObject parent_instance;

  /* Owned */
  BaCloud      *cloud;
  char         *client_id;
  char         *upn;
  char         *display_name;
  char         *tenant_id;
  char         *user_id;
  GStrv         roles;
  GStrv         role_template_ids;
  char         *access_token;
  char         *refresh_token;
  char         *request_tenant;
  char         *request_scope;
  SoupSession  *soup;
  GPtrArray    *refresh_waiters;
  GCancellable *cancellable;
  GQueue        keyring_queue;

  gint64 expires_at;
  guint  refreshing : 1;
  guint  stay_signed_in : 1;
  guint  keyring_busy : 1;
};

G_DEFINE_FINAL_TYPE (BaSession, ba_session, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-identity-error-quark, ba_identity_error)

enum {
  PROP_0,
  PROP_UPN,
  PROP_DISPLAY_NAME,
  PROP_TENANT_ID,
  PROP_USER_ID,
  PROP_ROLES,
  PROP_EXPIRES_AT,
  PROP_STAY_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const default_scopes[] = {
  "openid",
  "profile",
  "offline_access",
  "User.Read",
  "Application.ReadWrite.All",
  "AppRoleAssignment.ReadWrite.All",
  "GroupMember.Read.All",
  NULL
};

/* The AADSTS codes with their own advice (reference §2.7, §2.8, §10). */
static const struct
{
  guint           aadsts;
  BaIdentityError code;
} aadsts_codes[] = {
  { 53003, BA_IDENTITY_ERROR_POLICY_BLOCKED },
  { 50199, BA_IDENTITY_ERROR_INTERACTION_REQUIRED },
  { 7000218, BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC },
  { 65001, BA_IDENTITY_ERROR_CONSENT_REQUIRED },
  { 65002, BA_IDENTITY_ERROR_CONSENT_REQUIRED },
  { 90094, BA_IDENTITY_ERROR_CONSENT_REQUIRED },
  { 50105, BA_IDENTITY_ERROR_INSUFFICIENT_ROLE },
  { 700016, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND },
  { 700027, BA_IDENTITY_ERROR_CERTIFICATE_REJECTED },
  { 7000215, BA_IDENTITY_ERROR_INVALID_CREDENTIAL },
  { 70008, BA_IDENTITY_ERROR_INVALID_GRANT },
  { 70043, BA_IDENTITY_ERROR_INVALID_GRANT },
  { 700082, BA_IDENTITY_ERROR_INVALID_GRANT },
};

/* The error strings of the token endpoint that end a request with their
 * own advice (reference §2.4). */
static const struct
{
  const char     *error;
  BaIdentityError code;
} error_strings[] = {
  { "authorization_declined", BA_IDENTITY_ERROR_DECLINED },
  { "access_denied", BA_IDENTITY_ERROR_DECLINED },
  { "expired_token", BA_IDENTITY_ERROR_EXPIRED },
  { "bad_verification_code", BA_IDENTITY_ERROR_BAD_VERIFICATION_CODE },
  { "invalid_grant", BA_IDENTITY_ERROR_INVALID_GRANT },
  { "interaction_required", BA_IDENTITY_ERROR_INTERACTION_REQUIRED },
  { "consent_required", BA_IDENTITY_ERROR_CONSENT_REQUIRED },
};

typedef struct
{
  SoupSession *session;
  SoupMessage *message;
  char        *uri;
  char        *form;
  guint        retries_left;
  guint        attempt;
  guint        status;
} PostData;

typedef struct
{
  BaGraphClient *client;
} LoadRolesData;

typedef struct
{
  BaSession *session;
} RestoreData;

static void send_form (GTask *task);

static void
wipe_string (char **string)
{
  if (*string != NULL)
    {
      explicit_bzero (*string, strlen (*string));
      g_clear_pointer (string, g_free);
    }
}

static void
wipe_free (gpointer string)
{
  wipe_string ((char **) &string);
}

static void
post_data_free (PostData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->message);
  g_free (data->uri);
  wipe_string (&data->form);
  g_free (data);
}

static void
load_roles_data_free (LoadRolesData *data)
{
  g_clear_object (&data->client);
  g_free (data);
}

static void
restore_data_free (RestoreData *data)
{
  g_clear_object (&data->session);
  g_free (data);
}

static gboolean
set_string (char      **target,
            const char *value)
{
  if (g_strcmp0 (*target, value) == 0)
    return FALSE;

  g_free (*target);
  *target = g_strdup (value);
  return TRUE;
}

/* The description's first line: Entra appends trace and correlation IDs
 * and a timestamp on lines of their own. */
static char *
first_line (const char *text)
{
  if (text == NULL)
    return NULL;

  return g_strstrip (g_strndup (text, strcspn (text, "\r\n")));
}

static guint
retry_after_seconds (SoupMessage *message,
                     guint        attempt)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char         *value = soup_message_headers_get_one (headers, "Retry-After");
  gint64              seconds = -1;

  if (value != NULL)
    {
      char   *end;
      guint64 number = g_ascii_strtoull (value, &end, 10);

      if (end != value && *end == '\0')
        {
          seconds = (gint64) MIN (number, (guint64) G_MAXINT);
        }
      else
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);

          if (when != NULL)
            {
              g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

              seconds = MAX (0, g_date_time_difference (when, now) / G_USEC_PER_SEC);
            }
        }
    }

  /* Without Retry-After: at least 5 s, then doubling (reference §2.9). */
  if (seconds < 0)
    seconds = 5 << MIN (attempt, 4u);

  return (guint) MIN (seconds, MAX_RETRY_AFTER_SECONDS);
}

static gboolean
retry_form_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  send_form (g_object_ref (task));
  return G_SOURCE_REMOVE;
}

/* Waits, but returns as soon as the task's cancellable is cancelled. */
static void
retry_form_later (GTask *task,
                  guint  seconds)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  /* Not g_timeout_source_new_seconds (): it may fire early. */
  g_autoptr(GSource) source = g_timeout_source_new (seconds * 1000);

  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (source, cancelled);
    }

  g_source_set_callback (source, retry_form_cb, task, g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static void
send_form_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *path = NULL;
  JsonNode        *root;
  const char      *request_id;
  gboolean         transient;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  path = g_uri_to_string_partial (soup_message_get_uri (data->message), G_URI_HIDE_QUERY);
  if (bytes == NULL)
    {
      g_debug ("%s(): POST %s: %s", G_STRFUNC, path, error->message);
      transient = TRUE;
    }
  else
    {
      data->status = soup_message_get_status (data->message);
      request_id = soup_message_headers_get_one (soup_message_get_response_headers (data->message),
                                                 "x-ms-request-id");
      if (request_id == NULL)
        request_id = soup_message_headers_get_one (soup_message_get_response_headers (data->message),
                                                   "request-id");
      g_debug ("%s(): POST %s: HTTP %u, request-id %s", G_STRFUNC, path, data->status,
               request_id != NULL ? request_id : "(none)");
      transient = data->status == 429 || data->status >= 500;
    }

  if (transient && data->retries_left > 0)
    {
      guint seconds = bytes != NULL ? retry_after_seconds (data->message, data->attempt) : 1u << data->attempt;

      g_debug ("%s(): trying again in %u s", G_STRFUNC, seconds);
      data->retries_left--;
      data->attempt++;
      retry_form_later (g_steal_pointer (&task), seconds);
      return;
    }

  if (bytes == NULL)
    {
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                               _("Could not reach the Microsoft sign-in service. Check the network connection and try again."));
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("%s(): the answer is not a JSON object", G_STRFUNC);
      if (transient)
        g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                                 _("The Microsoft sign-in service is busy. Try again in a few minutes."));
      else
        g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                                 _("The Microsoft sign-in service sent an answer that Backup Access does not understand. Try again later."));
      return;
    }

  g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                         (GDestroyNotify) json_object_unref);
}

static void
send_form (GTask *task)
{
  PostData *data = g_task_get_task_data (task);

  g_clear_object (&data->message);
  data->message = soup_message_new_from_encoded_form ("POST", data->uri, g_strdup (data->form));
  if (data->message == NULL)
    {
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                               _("The sign-in address is not valid. Check the sign-in service in the preferences."));
      g_object_unref (task);
      return;
    }

  soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                "Accept", "application/json");

  soup_session_send_and_read_async (data->session, data->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), send_form_cb, task);
}

static void
notify (BaSession *self,
        guint      prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* The id_token's payload: base64url JSON, read for display only (no
 * signature check is needed for that, reference §2.5). */
static JsonObject *
decode_id_token (const char *id_token)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char   *payload = NULL;
  g_autofree guchar *decoded = NULL;
  const char        *start;
  const char        *end;
  gsize              len;
  gsize              decoded_len;
  JsonNode          *root;

  start = strchr (id_token, '.');
  if (start == NULL)
    return NULL;
  start++;
  end = strchr (start, '.');
  if (end == NULL)
    return NULL;

  len = end - start;
  payload = g_malloc (len + 4);
  for (gsize i = 0; i < len; i++)
    payload[i] = start[i] == '-' ? '+' : start[i] == '_' ? '/'
                                                         : start[i];
  while (len % 4 != 0)
    payload[len++] = '=';
  payload[len] = '\0';

  decoded = g_base64_decode (payload, &decoded_len);
  if (decoded == NULL || decoded_len == 0)
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) decoded, decoded_len, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

/* Keyring operations of a session run one after the other, so that a
 * sign-out's removal cannot be overtaken by an earlier store, and a
 * caller of ba_session_save_async () knows every earlier store landed.
 * A store takes the refresh token held when it starts. */
typedef enum {
  KEYRING_SAVE,
  KEYRING_CLEAR,
} KeyringOp;

static void keyring_next (BaSession *self);

static void
keyring_op_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaSession *self = g_task_get_source_object (task);
  KeyringOp  op = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError    *error = NULL;

  if (op == KEYRING_SAVE)
    ba_secret_store_store_refresh_token_finish (result, &error);
  else
    ba_secret_store_clear_refresh_token_finish (result, NULL, &error);

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s(): could not %s the sign-in in the keyring: %s", G_STRFUNC,
                   op == KEYRING_SAVE ? "keep" : "remove", error->message);
      g_task_return_error (task, error);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
    }

  keyring_next (self);
}

static void
keyring_next (BaSession *self)
{
  GTask      *task = g_queue_pop_head (&self->keyring_queue);
  KeyringOp   op;
  const char *cloud;

  self->keyring_busy = task != NULL;
  if (task == NULL)
    return;

  op = GPOINTER_TO_INT (g_task_get_task_data (task));
  cloud = ba_cloud_kind_to_nick (ba_cloud_get_kind (self->cloud));

  if (self->tenant_id == NULL ||
      (op == KEYRING_SAVE && (!self->stay_signed_in || self->refresh_token == NULL)))
    {
      /* Nothing to keep, or nothing that could have been kept. */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      keyring_next (self);
      return;
    }

  if (op == KEYRING_SAVE)
    ba_secret_store_store_refresh_token_async (cloud, self->tenant_id, self->client_id, self->upn,
                                               self->refresh_token, g_task_get_cancellable (task),
                                               keyring_op_cb, task);
  else
    ba_secret_store_clear_refresh_token_async (cloud, self->tenant_id, self->client_id,
                                               g_task_get_cancellable (task),
                                               keyring_op_cb, task);
}

/* task NULL: in the background. */
static void
keyring_enqueue (BaSession *self,
                 KeyringOp  op,
                 GTask     *task)
{
  if (task == NULL)
    task = g_task_new (self, op == KEYRING_SAVE ? self->cancellable : NULL, NULL, NULL);

  g_task_set_task_data (task, GINT_TO_POINTER (op), NULL);
  g_queue_push_tail (&self->keyring_queue, task);

  if (!self->keyring_busy)
    keyring_next (self);
}

static void
keyring_save (BaSession *self,
              GTask     *task)
{
  keyring_enqueue (self, KEYRING_SAVE, task);
}

/* Not cancelled with the session: a sign-out must remove the entry. */
static void
keyring_clear (BaSession    *self,
               GCancellable *cancellable,
               GTask        *task)
{
  g_assert (task == NULL || g_task_get_cancellable (task) == cancellable);

  keyring_enqueue (self, KEYRING_CLEAR, task);
}

static void
drop_tokens (BaSession *self)
{
  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);

  if (self->expires_at != 0)
    {
      self->expires_at = 0;
      notify (self, PROP_EXPIRES_AT);
    }
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaSession) self = user_data;
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;

  waiters = g_steal_pointer (&self->refresh_waiters);
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->refreshing = FALSE;

  response = _ba_identity_post_form_finish (result, NULL, &error);
  if (response != NULL && json_object_has_member (response, "error"))
    error = ba_identity_error_from_response (response);
  else if (response != NULL)
    ba_session_take_token_response (self, response, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Signed out while refreshing. */
      g_clear_error (&error);
      g_set_error_literal (&error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN,
                           ba_identity_error_advice (BA_IDENTITY_ERROR_NOT_SIGNED_IN));
    }
  else if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT))
    {
      g_debug ("%s(): the refresh token of tenant %s no longer works", G_STRFUNC,
               self->tenant_id != NULL ? self->tenant_id : "(unknown)");
      drop_tokens (self);
      if (self->stay_signed_in)
        keyring_clear (self, NULL, NULL);
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_pointer (waiter, g_strdup (self->access_token), wipe_free);
    }
}

static void
start_refresh (BaSession *self)
{
  g_autofree char *uri = NULL;
  g_autofree char *scope = NULL;
  const char      *tenant;
  char            *form;

  g_assert (!self->refreshing);
  g_assert (self->refresh_token != NULL);

  /* After the first sign-in, the tenant's GUID (reference §2.6). */
  tenant = self->tenant_id != NULL        ? self->tenant_id
           : self->request_tenant != NULL ? self->request_tenant
                                          : "organizations";
  uri = _ba_identity_endpoint_uri (self->cloud, tenant, "token");
  scope = self->request_scope != NULL ? g_strdup (self->request_scope) : _ba_identity_join_scopes (NULL);
  form = soup_form_encode ("grant_type", "refresh_token",
                           "client_id", self->client_id,
                           "refresh_token", self->refresh_token,
                           "scope", scope,
                           NULL);

  g_debug ("%s(): refreshing the access token for tenant %s", G_STRFUNC, tenant);

  self->refreshing = TRUE;
  _ba_identity_post_form_async (self->soup, uri, form, TOKEN_MAX_RETRIES, self->cancellable,
                                refresh_cb, g_object_ref (self));
}

static void
load_roles_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaSession *self = g_task_get_source_object (task);
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) templates = g_strv_builder_new ();
  GError *error = NULL;
  g_auto(GStrv) new_roles = NULL;

  items = ba_graph_client_get_all_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (items == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode   *node = json_array_get_element (items, i);
      JsonObject *role;
      const char *name;
      const char *template_id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      role = json_node_get_object (node);
      name = ba_json_get_string (role, "displayName");
      template_id = ba_json_get_string (role, "roleTemplateId");
      if (name != NULL)
        g_strv_builder_add (names, name);
      if (template_id != NULL)
        g_strv_builder_add (templates, template_id);
    }

  new_roles = g_strv_builder_end (names);
  g_strfreev (self->role_template_ids);
  self->role_template_ids = g_strv_builder_end (templates);

  if (self->roles == NULL || !g_strv_equal ((const char * const *) self->roles,
                                            (const char * const *) new_roles))
    {
      g_strfreev (self->roles);
      self->roles = g_steal_pointer (&new_roles);
      notify (self, PROP_ROLES);
    }

  g_task_return_boolean (task, TRUE);
}

static void
restore_clear_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) clear_error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &clear_error))
    g_warning ("%s(): could not remove the sign-in from the keyring: %s", G_STRFUNC, clear_error->message);

  g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT, "%s",
                           ba_identity_error_advice (BA_IDENTITY_ERROR_INVALID_GRANT));
}

static void
restore_refresh_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData     *data = g_task_get_task_data (task);
  BaSession       *session = BA_SESSION (object);
  g_autofree char *token = NULL;
  GError          *error = NULL;

  token = ba_session_get_access_token_finish (session, result, &error);
  wipe_string (&token);

  if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT))
    {
      /* The entry is useless now: remove it (after the removal the
       * failed refresh queued) before saying so. */
      g_clear_error (&error);
      keyring_clear (session, NULL, g_task_new (session, NULL, restore_clear_cb, g_steal_pointer (&task)));
      return;
    }

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->session), g_object_unref);
}

static void
restore_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData     *data = g_task_get_task_data (task);
  g_autofree char *tenant = NULL;
  GCancellable    *cancellable;
  GError          *error = NULL;
  char            *token;

  token = ba_secret_store_lookup_refresh_token_finish (result, &tenant, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (token == NULL)
    {
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN, "%s",
                               ba_identity_error_advice (BA_IDENTITY_ERROR_NOT_SIGNED_IN));
      return;
    }

  g_debug ("%s(): found a kept sign-in for tenant %s", G_STRFUNC, tenant);

  data->session->refresh_token = g_strdup (token);
  ba_secret_store_free_passphrase (token);
  data->session->tenant_id = g_steal_pointer (&tenant);
  data->session->stay_signed_in = TRUE;

  cancellable = g_task_get_cancellable (task);
  ba_session_get_access_token_async (data->session, TRUE, cancellable,
                                     restore_refresh_cb, g_steal_pointer (&task));
}

static void
ba_session_dispose (GObject *object)
{
  BaSession *self = (BaSession *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->soup);
  g_clear_object (&self->cloud);

  G_OBJECT_CLASS (ba_session_parent_class)->dispose (object);
}

static void
ba_session_finalize (GObject *object)
{
  BaSession *self = (BaSession *) object;

  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->upn, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->tenant_id, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->roles, g_strfreev);
  g_clear_pointer (&self->role_template_ids, g_strfreev);
  g_clear_pointer (&self->request_tenant, g_free);
  g_clear_pointer (&self->request_scope, g_free);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_session_parent_class)->finalize (object);
}

static void
ba_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BaSession *self = BA_SESSION (object);

  switch (prop_id)
    {
    case PROP_UPN:
      g_value_set_string (value, self->upn);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_TENANT_ID:
      g_value_set_string (value, self->tenant_id);
      break;

    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;

    case PROP_ROLES:
      g_value_set_boxed (value, self->roles);
      break;

    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;

    case PROP_STAY_SIGNED_IN:
      g_value_set_boolean (value, self->stay_signed_in);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BaSession *self = BA_SESSION (object);

  switch (prop_id)
    {
    case PROP_STAY_SIGNED_IN:
      ba_session_set_stay_signed_in (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_session_class_init (BaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_session_dispose;
  object_class->finalize = ba_session_finalize;
  object_class->get_property = ba_session_get_property;
  object_class->set_property = ba_session_set_property;

  properties[PROP_UPN] =
    g_param_spec_string ("upn", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_TENANT_ID] =
    g_param_spec_string ("tenant-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_ROLES] =
    g_param_spec_boxed ("roles", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READABLE |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));
  properties[PROP_STAY_SIGNED_IN] =
    g_param_spec_boolean ("stay-signed-in", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_session_init (BaSession *self)
{
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->soup = _ba_identity_soup_session_new ();
}

/**
 * ba_session_new:
 * @cloud: the cloud signed in to
 * @client_id: the public client the admin signs in with
 *
 * An empty session; the sign-in flows fill it with
 * ba_session_take_token_response().
 *
 * Returns: (transfer full): a #BaSession
 */
BaSession *
ba_session_new (BaCloud    *cloud,
                const char *client_id)
{
  BaSession *self;

  g_return_val_if_fail (BA_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  self = g_object_new (BA_TYPE_SESSION, NULL);
  self->cloud = g_object_ref (cloud);
  self->client_id = g_strdup (client_id);

  return self;
}

BaCloud *
ba_session_get_cloud (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->cloud;
}

const char *
ba_session_get_client_id (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->client_id;
}

const char *
ba_session_get_upn (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->upn;
}

const char *
ba_session_get_display_name (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->display_name;
}

const char *
ba_session_get_tenant_id (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->tenant_id;
}

const char *
ba_session_get_user_id (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->user_id;
}

const char * const *
ba_session_get_roles (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return (const char * const *) self->roles;
}

gint64
ba_session_get_expires_at (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), 0);

  return self->expires_at;
}

gboolean
ba_session_get_stay_signed_in (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);

  return self->stay_signed_in;
}

/**
 * ba_session_set_stay_signed_in:
 * @self: a #BaSession
 * @stay_signed_in: whether to keep the sign-in in the keyring
 *
 * %TRUE stores the refresh token in the desktop keyring now (in the
 * background; ba_session_save_async() to wait for it) and after every
 * token response; %FALSE removes the entry.
 */
void
ba_session_set_stay_signed_in (BaSession *self,
                               gboolean   stay_signed_in)
{
  g_return_if_fail (BA_IS_SESSION (self));

  stay_signed_in = !!stay_signed_in;
  if (self->stay_signed_in == stay_signed_in)
    return;

  self->stay_signed_in = stay_signed_in;
  if (stay_signed_in)
    keyring_save (self, NULL);
  else
    keyring_clear (self, NULL, NULL);

  notify (self, PROP_STAY_SIGNED_IN);
}

/**
 * ba_session_take_token_response:
 * @self: a #BaSession
 * @response: a token endpoint's success response
 * @error: return location for a #BA_IDENTITY_ERROR
 *
 * Keeps the tokens of @response (the refresh token replaces the one held)
 * and reads the admin's identity from its id_token.
 *
 * Returns: %TRUE if @response held an access token
 */
gboolean
ba_session_take_token_response (BaSession  *self,
                                JsonObject *response,
                                GError    **error)
{
  const char *access_token;
  const char *refresh_token;
  const char *id_token;
  gint64      expires_in;
  gint64      expires_at;

  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  access_token = ba_json_get_string (response, "access_token");
  if (access_token == NULL || *access_token == '\0')
    {
      g_debug ("%s(): the token response holds no access token", G_STRFUNC);
      g_set_error_literal (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                           _("The Microsoft sign-in service sent an answer that Backup Access does not understand. Try again later."));
      return FALSE;
    }

  wipe_string (&self->access_token);
  self->access_token = g_strdup (access_token);

  refresh_token = ba_json_get_string (response, "refresh_token");
  if (refresh_token != NULL && *refresh_token != '\0')
    {
      wipe_string (&self->refresh_token);
      self->refresh_token = g_strdup (refresh_token);
    }

  id_token = ba_json_get_string (response, "id_token");
  if (id_token != NULL)
    {
      g_autoptr(JsonObject) claims = decode_id_token (id_token);

      if (claims == NULL)
        {
          g_debug ("%s(): the id_token cannot be read", G_STRFUNC);
        }
      else
        {
          const char *upn = ba_json_get_string (claims, "preferred_username");

          if (upn == NULL)
            upn = ba_json_get_string (claims, "upn");

          g_object_freeze_notify (G_OBJECT (self));
          if (set_string (&self->tenant_id, ba_json_get_string (claims, "tid")))
            notify (self, PROP_TENANT_ID);
          if (set_string (&self->user_id, ba_json_get_string (claims, "oid")))
            notify (self, PROP_USER_ID);
          if (set_string (&self->upn, upn))
            notify (self, PROP_UPN);
          if (set_string (&self->display_name, ba_json_get_string (claims, "name")))
            notify (self, PROP_DISPLAY_NAME);
          g_object_thaw_notify (G_OBJECT (self));
        }
    }

  expires_in = ba_json_get_int (response, "expires_in", 3600);
  expires_at = g_get_real_time () / G_USEC_PER_SEC + MAX (expires_in, 0);
  if (expires_at != self->expires_at)
    {
      self->expires_at = expires_at;
      notify (self, PROP_EXPIRES_AT);
    }

  g_debug ("%s(): signed in to tenant %s, the token expires in %" G_GINT64_FORMAT " s",
           G_STRFUNC, self->tenant_id != NULL ? self->tenant_id : "(unknown)", expires_in);

  if (self->stay_signed_in)
    keyring_save (self, NULL);

  return TRUE;
}

/**
 * ba_session_get_access_token_async:
 * @self: a #BaSession
 * @force_refresh: refresh even if the token held looks valid (after a 401)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the token
 * @user_data: data for @callback
 *
 * Gets a valid access token, refreshing it first when it expires within 5
 * minutes or when @force_refresh. Callers arriving while a refresh runs
 * wait for that one.
 */
void
ba_session_get_access_token_async (BaSession          *self,
                                   gboolean            force_refresh,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 now;

  g_return_if_fail (BA_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_get_access_token_async);

  now = g_get_real_time () / G_USEC_PER_SEC;

  if (!force_refresh && self->access_token != NULL &&
      (self->expires_at - now > REFRESH_MARGIN_SECONDS ||
       (self->refresh_token == NULL && self->expires_at > now)))
    {
      g_task_return_pointer (task, g_strdup (self->access_token), wipe_free);
      return;
    }

  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (task, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN, "%s",
                               ba_identity_error_advice (BA_IDENTITY_ERROR_NOT_SIGNED_IN));
      return;
    }

  g_ptr_array_add (self->refresh_waiters, g_steal_pointer (&task));
  if (!self->refreshing)
    start_refresh (self);
}

/**
 * ba_session_get_access_token_finish:
 * @self: a #BaSession
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the access token; wipe it when done
 */
char *
ba_session_get_access_token_finish (BaSession    *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_session_load_roles_async (BaSession          *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadRolesData *data;

  g_return_if_fail (BA_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_load_roles_async);

  /* The client holds the session, so the session does not hold it. */
  data = g_new0 (LoadRolesData, 1);
  data->client = ba_graph_client_new (self->cloud, self);
  g_task_set_task_data (task, data, (GDestroyNotify) load_roles_data_free);

  ba_graph_client_get_all_async (data->client,
                                 "/me/memberOf/microsoft.graph.directoryRole?$select=displayName,roleTemplateId",
                                 NULL, NULL, NULL, cancellable,
                                 load_roles_cb, g_steal_pointer (&task));
}

gboolean
ba_session_load_roles_finish (BaSession    *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ba_session_can_grant_graph_roles (BaSession *self)
{
  static const char * const names[] = { "Global Administrator", "Privileged Role Administrator" };

  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);

  if (self->role_template_ids != NULL &&
      (g_strv_contains ((const char * const *) self->role_template_ids, GLOBAL_ADMINISTRATOR_TEMPLATE) ||
       g_strv_contains ((const char * const *) self->role_template_ids, PRIVILEGED_ROLE_ADMINISTRATOR_TEMPLATE)))
    return TRUE;

  /* Activated roles carry their template ID; the names are the fallback. */
  for (guint i = 0; self->roles != NULL && i < G_N_ELEMENTS (names); i++)
    {
      if (g_strv_contains ((const char * const *) self->roles, names[i]))
        return TRUE;
    }

  return FALSE;
}

/**
 * ba_session_restore_async:
 * @cloud: the cloud
 * @client_id: the sign-in client
 * @tenant: (nullable): the tenant's GUID, or %NULL for the most recent
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the session
 * @user_data: data for @callback
 *
 * Finds a sign-in kept with "stay signed in" and refreshes its token, so
 * that the session is known to work.
 */
void
ba_session_restore_async (BaCloud            *cloud,
                          const char         *client_id,
                          const char         *tenant,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  RestoreData *data;

  g_return_if_fail (BA_IS_CLOUD (cloud));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_restore_async);

  data = g_new0 (RestoreData, 1);
  data->session = ba_session_new (cloud, client_id);
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);

  ba_secret_store_lookup_refresh_token_async (ba_cloud_kind_to_nick (ba_cloud_get_kind (cloud)),
                                              tenant, client_id, cancellable,
                                              restore_lookup_cb, g_steal_pointer (&task));
}

/**
 * ba_session_restore_finish:
 * @result: the result
 * @error: return location for a #BA_IDENTITY_ERROR
 *
 * Returns: (transfer full): the session, with stay-signed-in set
 */
BaSession *
ba_session_restore_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_session_restore_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
forget_clear_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE;

  if (!ba_secret_store_clear_refresh_token_finish (result, &removed, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, removed ? g_strdup (g_task_get_task_data (task)) : NULL, g_free);
}

static void
forget_clear (GTask      *task,
              const char *tenant)
{
  BaCloud *cloud = g_object_get_data (G_OBJECT (task), "cloud");
  const char *client_id = g_object_get_data (G_OBJECT (task), "client-id");

  g_task_set_task_data (task, g_strdup (tenant), g_free);
  ba_secret_store_clear_refresh_token_async (ba_cloud_kind_to_nick (ba_cloud_get_kind (cloud)),
                                             tenant, client_id,
                                             g_task_get_cancellable (task),
                                             forget_clear_cb, task);
}

static void
forget_lookup_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *found_tenant = NULL;
  char *token;

  /* Only whose entry it is matters here; the token is wiped at once. */
  token = ba_secret_store_lookup_refresh_token_finish (result, &found_tenant, &error);
  ba_secret_store_free_passphrase (token);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (found_tenant == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  forget_clear (g_steal_pointer (&task), found_tenant);
}

void
ba_session_forget_async (BaCloud             *cloud,
                         const char          *client_id,
                         const char          *tenant,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_CLOUD (cloud));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_forget_async);
  g_object_set_data_full (G_OBJECT (task), "cloud", g_object_ref (cloud), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "client-id", g_strdup (client_id), g_free);

  if (tenant != NULL)
    {
      forget_clear (g_steal_pointer (&task), tenant);
      return;
    }

  ba_secret_store_lookup_refresh_token_async (ba_cloud_kind_to_nick (ba_cloud_get_kind (cloud)),
                                              NULL, client_id, cancellable,
                                              forget_lookup_cb, g_steal_pointer (&task));
}

char *
ba_session_forget_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_session_forget_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_session_save_async:
 * @self: a #BaSession
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the keyring has the entry
 * @user_data: data for @callback
 *
 * Stores the refresh token in the keyring now, for a program that exits
 * right after signing in (the CLI). Does nothing, successfully, unless
 * stay-signed-in is set and the session has a refresh token and a tenant.
 */
void
ba_session_save_async (BaSession          *self,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_save_async);

  keyring_save (self, g_steal_pointer (&task));
}

gboolean
ba_session_save_finish (BaSession    *self,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_session_sign_out_async:
 * @self: a #BaSession
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the keyring entry is gone
 * @user_data: data for @callback
 *
 * Drops the tokens (a refresh under way fails with
 * %BA_IDENTITY_ERROR_NOT_SIGNED_IN), clears stay-signed-in and deletes
 * the keyring entry of this cloud, tenant and client.
 */
void
ba_session_sign_out_async (BaSession          *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_session_sign_out_async);

  g_debug ("%s(): signing out of tenant %s", G_STRFUNC,
           self->tenant_id != NULL ? self->tenant_id : "(unknown)");

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  drop_tokens (self);
  if (self->stay_signed_in)
    {
      self->stay_signed_in = FALSE;
      notify (self, PROP_STAY_SIGNED_IN);
    }

  keyring_clear (self, cancellable, g_steal_pointer (&task));
}

gboolean
ba_session_sign_out_finish (BaSession    *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_identity_error_advice:
 * @code: a #BaIdentityError
 *
 * Returns: the translated sentence that says what to do about @code
 */
const char *
ba_identity_error_advice (BaIdentityError code)
{
  switch (code)
    {
    case BA_IDENTITY_ERROR_DECLINED:
      return _("The sign-in was declined. Start again and approve the sign-in request.");

    case BA_IDENTITY_ERROR_EXPIRED:
      return _("The code has expired. Get a new code and sign in before the time runs out.");

    case BA_IDENTITY_ERROR_BAD_VERIFICATION_CODE:
      return _("Microsoft did not recognize the sign-in code. Get a new code and try again.");

    case BA_IDENTITY_ERROR_POLICY_BLOCKED:
      return _("A Conditional Access policy of your organization blocks this way of signing in. "
               "Sign in with the browser instead, or ask the administrator who manages Conditional Access to allow it.");

    case BA_IDENTITY_ERROR_INTERACTION_REQUIRED:
      return _("Microsoft needs you to confirm this sign-in in the browser. Sign in with the browser instead.");

    case BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC:
      return _("The sign-in application is not a public client. Turn on “Allow public client flows” "
               "in its app registration, or use the default sign-in application.");

    case BA_IDENTITY_ERROR_CONSENT_REQUIRED:
      return _("The sign-in application does not have consent for the permissions Backup Access needs. "
               "Ask a Global Administrator to grant admin consent to it, then sign in again.");

    case BA_IDENTITY_ERROR_INSUFFICIENT_ROLE:
      return _("Your account does not have the administrator role this needs. Sign in as a Global "
               "Administrator or Privileged Role Administrator, or ask one to give you the role.");

    case BA_IDENTITY_ERROR_INVALID_GRANT:
      return _("Your sign-in has expired or was revoked. Sign in again.");

    case BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND:
      return _("The application was not found in this organization. Check the application ID and the "
               "organization, or wait a few minutes if the application was just created.");

    case BA_IDENTITY_ERROR_CERTIFICATE_REJECTED:
      return _("The application’s certificate was not accepted. Check that the certificate is registered "
               "for the application and has not expired.");

    case BA_IDENTITY_ERROR_INVALID_CREDENTIAL:
      return _("The application’s credential was not accepted. Check that its certificate is registered "
               "for the application.");

    case BA_IDENTITY_ERROR_MISSING_PERMISSION:
      return _("The application lacks a permission it needs. Grant the permission with admin consent, "
               "then try again.");

    case BA_IDENTITY_ERROR_STATE_MISMATCH:
      return _("The browser returned an answer that does not belong to this sign-in. Start the sign-in again.");

    case BA_IDENTITY_ERROR_NOT_SIGNED_IN:
      return _("You are not signed in. Sign in to continue.");

    case BA_IDENTITY_ERROR_FAILED:
    default:
      return _("The sign-in failed. Try again later.");
    }
}

/**
 * ba_identity_error_from_response:
 * @response: a token endpoint's error response
 *
 * Maps the response by its AADSTS code first, then by its `error`, to a
 * #BA_IDENTITY_ERROR whose message says what to do. Logs `error`, the
 * code, `trace_id` and `correlation_id` at debug level.
 *
 * Returns: (transfer full): the error
 */
GError *
ba_identity_error_from_response (JsonObject *response)
{
  g_autofree char *line = NULL;
  const char      *error_string;
  const char      *description;
  const char      *trace_id;
  const char      *correlation_id;
  BaIdentityError  code = BA_IDENTITY_ERROR_FAILED;
  gboolean         known = FALSE;
  guint            aadsts;

  g_return_val_if_fail (response != NULL, NULL);

  error_string = ba_json_get_string (response, "error");
  description = ba_json_get_string (response, "error_description");
  trace_id = ba_json_get_string (response, "trace_id");
  correlation_id = ba_json_get_string (response, "correlation_id");
  aadsts = (guint) _ba_identity_error_aadsts (response);

  g_debug ("%s(): error %s, AADSTS%u, trace_id %s, correlation_id %s", G_STRFUNC,
           error_string != NULL ? error_string : "(none)", aadsts,
           trace_id != NULL ? trace_id : "(none)",
           correlation_id != NULL ? correlation_id : "(none)");

  for (guint i = 0; !known && i < G_N_ELEMENTS (aadsts_codes); i++)
    {
      if (aadsts_codes[i].aadsts == aadsts)
        {
          code = aadsts_codes[i].code;
          known = TRUE;
        }
    }

  for (guint i = 0; !known && error_string != NULL && i < G_N_ELEMENTS (error_strings); i++)
    {
      if (g_strcmp0 (error_strings[i].error, error_string) == 0)
        {
          code = error_strings[i].code;
          known = TRUE;
        }
    }

  line = first_line (description);
  if (line != NULL && *line == '\0')
    g_clear_pointer (&line, g_free);

  /* The server's text, English, helps for a policy block and for what has
   * no advice of its own (reference §2.4, §2.8). */
  if (code == BA_IDENTITY_ERROR_POLICY_BLOCKED && line != NULL)
    return g_error_new (BA_IDENTITY_ERROR, code, "%s\n%s", ba_identity_error_advice (code), line);

  if (!known)
    {
      const char *detail = line != NULL ? line : error_string;

      if (detail != NULL)
        /* Translators: %s is Microsoft's own explanation, in English */
        return g_error_new (BA_IDENTITY_ERROR, code, _("The sign-in failed: %s"), detail);
    }

  return g_error_new_literal (BA_IDENTITY_ERROR, code, ba_identity_error_advice (code));
}

const char * const *
ba_session_default_scopes (void)
{
  return default_scopes;
}

void
_ba_session_set_request (BaSession  *self,
                         const char *tenant,
                         const char *scope)
{
  g_return_if_fail (BA_IS_SESSION (self));

  set_string (&self->request_tenant, tenant);
  set_string (&self->request_scope, scope);
}

char *
_ba_identity_join_scopes (const char * const *scopes)
{
  if (scopes == NULL)
    scopes = default_scopes;

  return g_strjoinv (" ", (char **) scopes);
}

char *
_ba_identity_endpoint_uri (BaCloud    *cloud,
                           const char *tenant,
                           const char *endpoint)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (BA_IS_CLOUD (cloud), NULL);

  escaped = g_uri_escape_string (tenant != NULL ? tenant : "organizations", NULL, FALSE);

  return g_strdup_printf ("%s/%s/oauth2/v2.0/%s", ba_cloud_get_authority_url (cloud), escaped, endpoint);
}

SoupSession *
_ba_identity_soup_session_new (void)
{
  return soup_session_new_with_options ("user-agent", "backup-access/" PACKAGE_VERSION " ",
                                        "timeout", 60,
                                        NULL);
}

void
_ba_identity_post_form_async (SoupSession        *session,
                              const char         *uri,
                              char               *encoded_form,
                              guint               max_retries,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask    *task;
  PostData *data;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (encoded_form != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _ba_identity_post_form_async);

  data = g_new0 (PostData, 1);
  data->session = g_object_ref (session);
  data->uri = g_strdup (uri);
  data->form = encoded_form;
  data->retries_left = max_retries;
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);

  send_form (task);
}

JsonObject *
_ba_identity_post_form_finish (GAsyncResult *result,
                               guint        *status,
                               GError      **error)
{
  PostData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _ba_identity_post_form_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (status != NULL)
    *status = data->status;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The first AADSTS code of a token error: error_codes[0], else the number
 * after "AADSTS" in error_description ("AADSTS53003: …"); 0 when neither. */
gint64
_ba_identity_error_aadsts (JsonObject *response)
{
  JsonNode   *node = json_object_get_member (response, "error_codes");
  const char *description;
  const char *found;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *codes = json_node_get_array (node);

      if (json_array_get_length (codes) > 0)
        {
          JsonNode *first = json_array_get_element (codes, 0);

          if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_INT64)
            return json_node_get_int (first);
        }
    }

  description = ba_json_get_string (response, "error_description");
  if (description != NULL && (found = strstr (description, "AADSTS")) != NULL)
    return g_ascii_strtoll (found + strlen ("AADSTS"), NULL, 10);

  return 0;
}
