/* ba-browser-sign-in.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ba-browser-sign-in.h"
#include "ba-certificate.h"
#include "ba-random.h"
#include "ba-session-private.h"

/* Authorization code with PKCE (RFC 7636, S256) and a loopback redirect
 * (RFC 8252 §7.3), for tenants whose Conditional Access blocks the device
 * code flow. The listener takes only 127.0.0.1 (and ::1 on the same port,
 * since browsers may resolve localhost to either); the redirect URI is
 * http://localhost:PORT, which Entra accepts for public clients with any
 * port. The verifier, the state and the code are never logged. */

#define VERIFIER_BYTES 32
#define STATE_BYTES 16

struct _BaBrowserSignIn
{
  GObject parent_instance;

  /* Owned */
  BaCloud      *cloud;
  char         *client_id;
  char         *tenant;
  char         *scope;
  SoupSession  *soup;
  SoupServer   *server;
  char         *authorize_uri;
  char         *redirect_uri;
  char         *verifier;
  char         *state;
  GTask        *task;
  GCancellable *run_cancellable;

  /* Borrowed */
  GCancellable *user_cancellable;

  gulong cancelled_id;
  guint  messages_in_flight;
  guint  stop_id;
  guint  exchanging : 1;
};

G_DEFINE_FINAL_TYPE (BaBrowserSignIn, ba_browser_sign_in, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AUTHORIZE_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wipe_string (char **string)
{
  if (*string != NULL)
    {
      explicit_bzero (*string, strlen (*string));
      g_clear_pointer (string, g_free);
    }
}

/* BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 §4.2 */
static char *
make_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize  len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);

  return ba_base64url_encode (digest, len);
}

static void
stop_server (BaBrowserSignIn *self)
{
  if (self->server == NULL)
    return;

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

static gboolean
stop_server_cb (gpointer user_data)
{
  BaBrowserSignIn *self = user_data;

  self->stop_id = 0;
  if (self->task == NULL && self->messages_in_flight == 0)
    stop_server (self);

  return G_SOURCE_REMOVE;
}

/* The listener stays until the browser has its page; it stops from an
 * idle, never inside a signal of one of its messages. */
static void
maybe_stop_server (BaBrowserSignIn *self)
{
  if (self->task != NULL || self->server == NULL || self->stop_id != 0 ||
      self->messages_in_flight > 0)
    return;

  self->stop_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, stop_server_cb,
                                   g_object_ref (self), g_object_unref);
}

static void
finish_run (BaBrowserSignIn *self,
            BaSession       *session,
            GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(GCancellable) run_cancellable = g_steal_pointer (&self->run_cancellable);

  g_assert (task != NULL);
  g_assert ((session == NULL) != (error == NULL));

  if (self->cancelled_id != 0)
    {
      /* Not g_cancellable_disconnect (): this may run inside the handler. */
      g_signal_handler_disconnect (self->user_cancellable, self->cancelled_id);
      self->cancelled_id = 0;
    }
  self->user_cancellable = NULL;
  self->exchanging = FALSE;
  g_cancellable_cancel (run_cancellable);
  wipe_string (&self->verifier);
  wipe_string (&self->state);

  if (self->messages_in_flight == 0)
    stop_server (self);

  if (session != NULL)
    g_task_return_pointer (task, g_object_ref (session), g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
respond (BaBrowserSignIn   *self,
         SoupServerMessage *message,
         guint              status,
         const char        *title,
         const char        *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *html = NULL;

  html = g_strdup_printf ("<!DOCTYPE html>\n"
                          "<html><head><meta charset=\"utf-8\"><title>%s</title>"
                          "<style>body{font-family:sans-serif;margin:4em auto;max-width:36em;padding:0 1em}</style>"
                          "</head><body><h1>%s</h1><p>%s</p></body></html>\n",
                          escaped_title, escaped_title, escaped_text);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (message, "text/html; charset=utf-8",
                                    SOUP_MEMORY_COPY, html, strlen (html));
}

static void
respond_failure (BaBrowserSignIn   *self,
                 SoupServerMessage *message,
                 const GError      *error)
{
  g_autofree char *text = NULL;

  /* Translators: %s says what went wrong and what to do */
  text = g_strdup_printf (_("%s You can close this window and return to Backup Access."), error->message);
  respond (self, message, SOUP_STATUS_OK, _("Sign-in failed"), text);
}

static void
exchange_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaBrowserSignIn *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;

  response = _ba_identity_post_form_finish (result, NULL, &error);

  if (self->task != task)
    return;

  if (response == NULL)
    {
      finish_run (self, NULL, g_steal_pointer (&error));
      return;
    }

  if (json_object_has_member (response, "error"))
    {
      finish_run (self, NULL, ba_identity_error_from_response (response));
      return;
    }

  session = ba_session_new (self->cloud, self->client_id);
  _ba_session_set_request (session, self->tenant, self->scope);
  if (!ba_session_take_token_response (session, response, &error))
    finish_run (self, NULL, g_steal_pointer (&error));
  else
    finish_run (self, session, NULL);
}

static void
exchange_code (BaBrowserSignIn *self,
               const char      *code)
{
  g_autofree char *uri = NULL;
  char            *form;

  uri = _ba_identity_endpoint_uri (self->cloud, self->tenant, "token");
  form = soup_form_encode ("grant_type", "authorization_code",
                           "client_id", self->client_id,
                           "code", code,
                           "redirect_uri", self->redirect_uri,
                           "code_verifier", self->verifier,
                           "scope", self->scope,
                           NULL);

  self->exchanging = TRUE;
  _ba_identity_post_form_async (self->soup, uri, form, 3, self->run_cancellable,
                                exchange_cb, g_object_ref (self->task));
}

static void
on_message_finished_cb (SoupServerMessage *message,
                        BaBrowserSignIn   *self)
{
  g_assert (self->messages_in_flight > 0);

  self->messages_in_flight--;
  maybe_stop_server (self);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  BaBrowserSignIn *self = user_data;
  const char      *state;
  const char      *code;
  const char      *error_string;

  if (g_strcmp0 (soup_server_message_get_method (message), SOUP_METHOD_GET) != 0 ||
      g_strcmp0 (path, "/") != 0)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  self->messages_in_flight++;
  g_signal_connect_object (message, "finished", G_CALLBACK (on_message_finished_cb), self, 0);

  if (self->task == NULL || self->exchanging)
    {
      respond (self, message, SOUP_STATUS_OK, _("Sign-in"), _("This sign-in has already ended. You can close this window and return to Backup Access."));
      return;
    }

  state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  error_string = query != NULL ? g_hash_table_lookup (query, "error") : NULL;

  if (code == NULL && error_string == NULL)
    {
      /* Not the redirect (a browser probing the address): keep waiting. */
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (state == NULL || g_strcmp0 (state, self->state) != 0)
    {
      GError *error = g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_STATE_MISMATCH,
                                           ba_identity_error_advice (BA_IDENTITY_ERROR_STATE_MISMATCH));

      g_debug ("%s(): the redirect's state does not match this sign-in", G_STRFUNC);
      respond_failure (self, message, error);
      finish_run (self, NULL, error);
      return;
    }

  if (error_string != NULL)
    {
      g_autoptr(JsonObject) response = json_object_new ();
      const char *description = g_hash_table_lookup (query, "error_description");
      GError     *error;

      json_object_set_string_member (response, "error", error_string);
      if (description != NULL)
        json_object_set_string_member (response, "error_description", description);

      error = ba_identity_error_from_response (response);
      respond_failure (self, message, error);
      finish_run (self, NULL, error);
      return;
    }

  respond (self, message, SOUP_STATUS_OK, _("Signed in"), _("Backup Access is finishing the sign-in. You can close this window and return to Backup Access."));
  exchange_code (self, code);
}

static void
on_cancellable_cancelled_cb (GCancellable    *cancellable,
                             BaBrowserSignIn *self)
{
  g_debug ("%s(): cancelled", G_STRFUNC);

  if (self->task != NULL)
    finish_run (self, NULL,
                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled.")));
}

static gboolean
start_listening (BaBrowserSignIn *self,
                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInetAddress) loopback6 = NULL;
  g_autoptr(GSocketAddress) address6 = NULL;
  GSList *uris;
  guint   port;

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);

  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &local_error))
    {
      g_debug ("%s(): cannot listen on 127.0.0.1: %s", G_STRFUNC, local_error->message);
      g_clear_object (&self->server);
      g_set_error_literal (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                           _("Could not wait for the browser’s answer on this computer. Sign in with a code instead."));
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* Best effort: browsers may try ::1 first for localhost. */
  loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  address6 = g_inet_socket_address_new (loopback6, port);
  if (!soup_server_listen (self->server, address6, 0, &local_error))
    g_debug ("%s(): not listening on [::1]:%u: %s", G_STRFUNC, port, local_error->message);

  self->redirect_uri = g_strdup_printf ("http://localhost:%u", port);
  g_debug ("%s(): waiting for the browser on port %u", G_STRFUNC, port);

  return TRUE;
}

static void
ba_browser_sign_in_dispose (GObject *object)
{
  BaBrowserSignIn *self = (BaBrowserSignIn *) object;

  g_assert (self->task == NULL);

  g_clear_handle_id (&self->stop_id, g_source_remove);
  stop_server (self);
  g_clear_object (&self->soup);
  g_clear_object (&self->cloud);

  G_OBJECT_CLASS (ba_browser_sign_in_parent_class)->dispose (object);
}

static void
ba_browser_sign_in_finalize (GObject *object)
{
  BaBrowserSignIn *self = (BaBrowserSignIn *) object;

  wipe_string (&self->verifier);
  wipe_string (&self->state);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->tenant, g_free);
  g_clear_pointer (&self->scope, g_free);
  g_clear_pointer (&self->authorize_uri, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);

  G_OBJECT_CLASS (ba_browser_sign_in_parent_class)->finalize (object);
}

static void
ba_browser_sign_in_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BaBrowserSignIn *self = BA_BROWSER_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_AUTHORIZE_URI:
      g_value_set_string (value, self->authorize_uri);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_browser_sign_in_class_init (BaBrowserSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_browser_sign_in_dispose;
  object_class->finalize = ba_browser_sign_in_finalize;
  object_class->get_property = ba_browser_sign_in_get_property;

  properties[PROP_AUTHORIZE_URI] =
    g_param_spec_string ("authorize-uri", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_browser_sign_in_init (BaBrowserSignIn *self)
{
  self->soup = _ba_identity_soup_session_new ();
}

/**
 * ba_browser_sign_in_new:
 * @cloud: the cloud to sign in to
 * @client_id: the public client to sign in with
 * @tenant: (nullable): the tenant segment, `organizations` when %NULL
 * @scopes: (nullable) (array zero-terminated=1): the scopes, the default
 *   ones when %NULL
 *
 * Returns: (transfer full): a #BaBrowserSignIn
 */
BaBrowserSignIn *
ba_browser_sign_in_new (BaCloud            *cloud,
                        const char         *client_id,
                        const char         *tenant,
                        const char * const *scopes)
{
  BaBrowserSignIn *self;

  g_return_val_if_fail (BA_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  self = g_object_new (BA_TYPE_BROWSER_SIGN_IN, NULL);
  self->cloud = g_object_ref (cloud);
  self->client_id = g_strdup (client_id);
  self->tenant = g_strdup (tenant != NULL && *tenant != '\0' ? tenant : "organizations");
  self->scope = _ba_identity_join_scopes (scopes);

  return self;
}

const char *
ba_browser_sign_in_get_authorize_uri (BaBrowserSignIn *self)
{
  g_return_val_if_fail (BA_IS_BROWSER_SIGN_IN (self), NULL);

  return self->authorize_uri;
}

/**
 * ba_browser_sign_in_run_async:
 * @self: a #BaBrowserSignIn
 * @cancellable: (nullable): cancelling stops the listener at once
 * @callback: called when signed in or failed
 * @user_data: data for @callback
 *
 * Starts the listener, sets "authorize-uri" for the caller to open, and
 * waits for the browser's redirect; then redeems its code.
 */
void
ba_browser_sign_in_run_async (BaBrowserSignIn    *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (BA_IS_BROWSER_SIGN_IN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_browser_sign_in_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("A sign-in is already in progress."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  /* A listener of an earlier run still answering its browser. */
  g_clear_handle_id (&self->stop_id, g_source_remove);
  stop_server (self);
  self->messages_in_flight = 0;
  g_clear_pointer (&self->redirect_uri, g_free);

  wipe_string (&self->verifier);
  wipe_string (&self->state);
  self->verifier = ba_random_base64url (VERIFIER_BYTES, &error);
  if (self->verifier != NULL)
    self->state = ba_random_base64url (STATE_BYTES, &error);
  if (self->state == NULL || !start_listening (self, &error))
    {
      wipe_string (&self->verifier);
      wipe_string (&self->state);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  challenge = make_challenge (self->verifier);
  endpoint = _ba_identity_endpoint_uri (self->cloud, self->tenant, "authorize");
  query = soup_form_encode ("client_id", self->client_id,
                            "response_type", "code",
                            "redirect_uri", self->redirect_uri,
                            "scope", self->scope,
                            "state", self->state,
                            "code_challenge", challenge,
                            "code_challenge_method", "S256",
                            "prompt", "select_account",
                            NULL);

  self->task = g_object_ref (task);
  self->exchanging = FALSE;
  self->run_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->user_cancellable = cancellable;
      self->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                             G_CALLBACK (on_cancellable_cancelled_cb), self);
    }

  g_free (self->authorize_uri);
  self->authorize_uri = g_strdup_printf ("%s?%s", endpoint, query);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTHORIZE_URI]);
}

BaSession *
ba_browser_sign_in_run_finish (BaBrowserSignIn *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (BA_IS_BROWSER_SIGN_IN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
