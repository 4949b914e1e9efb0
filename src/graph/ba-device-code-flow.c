/* ba-device-code-flow.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ba-device-code-flow.h"
#include "ba-enum-types.h"
#include "ba-json-utils.h"
#include "ba-session-private.h"

/* The device authorization grant (reference §2, §11.1). The device code is
 * a secret between us and the token endpoint: it is never shown, logged
 * or kept after the run. */

/* When the devicecode answer lacks them (MSAL's defaults, reference §2.2). */
#define DEFAULT_INTERVAL 5
#define DEFAULT_EXPIRES_IN 900
/* slow_down adds this to the interval for the rest of the run (§2.4). */
#define SLOW_DOWN_SECONDS 5
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct _BaDeviceCodeFlow
{
  GObject parent_instance;

  /* Owned */
  BaCloud      *cloud;
  char         *client_id;
  char         *tenant;
  char         *scope;
  SoupSession  *soup;
  char         *user_code;
  char         *verification_uri;
  char         *message;
  char         *device_code;
  GError       *error;
  BaSession    *session;
  GTask        *task;
  GCancellable *run_cancellable;

  /* Borrowed */
  GCancellable *user_cancellable;

  BaSignInState state;
  gint64        deadline;
  gulong        cancelled_id;
  guint         countdown_id;
  guint         deadline_id;
  guint         poll_id;
  guint         seconds_left;
  guint         interval;
  guint         server_interval;
  guint         interval_ms;
};

G_DEFINE_FINAL_TYPE (BaDeviceCodeFlow, ba_device_code_flow, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_USER_CODE,
  PROP_VERIFICATION_URI,
  PROP_MESSAGE,
  PROP_SECONDS_LEFT,
  PROP_INTERVAL,
  PROP_ERROR,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void poll (BaDeviceCodeFlow *self);

static void
notify (BaDeviceCodeFlow *self,
        guint             prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_state (BaDeviceCodeFlow *self,
           BaSignInState     state)
{
  if (self->state == state)
    return;

  self->state = state;
  notify (self, PROP_STATE);
}

static void
set_seconds_left (BaDeviceCodeFlow *self,
                  guint             seconds_left)
{
  if (self->seconds_left == seconds_left)
    return;

  self->seconds_left = seconds_left;
  notify (self, PROP_SECONDS_LEFT);
}

static void
set_string_property (BaDeviceCodeFlow *self,
                     char            **target,
                     const char       *value,
                     guint             prop_id)
{
  if (g_strcmp0 (*target, value) == 0)
    return;

  g_free (*target);
  *target = g_strdup (value);
  notify (self, prop_id);
}

static void
wipe_device_code (BaDeviceCodeFlow *self)
{
  if (self->device_code != NULL)
    {
      explicit_bzero (self->device_code, strlen (self->device_code));
      g_clear_pointer (&self->device_code, g_free);
    }
}

/* Ends the run: stops the countdown and any wait, cancels a request under
 * way (its answer is then ignored), and returns session or error. */
static void
finish_run (BaDeviceCodeFlow *self,
            BaSession        *session,
            GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(GCancellable) run_cancellable = g_steal_pointer (&self->run_cancellable);

  g_assert (task != NULL);
  g_assert ((session == NULL) != (error == NULL));

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->cancelled_id != 0)
    {
      /* Not g_cancellable_disconnect (): this may run inside the handler. */
      g_signal_handler_disconnect (self->user_cancellable, self->cancelled_id);
      self->cancelled_id = 0;
    }
  self->user_cancellable = NULL;
  g_cancellable_cancel (run_cancellable);
  wipe_device_code (self);

  g_object_freeze_notify (G_OBJECT (self));

  if (session != NULL)
    {
      g_set_object (&self->session, session);
      notify (self, PROP_SESSION);
      set_state (self, BA_SIGN_IN_STATE_SIGNED_IN);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_state (self, BA_SIGN_IN_STATE_CANCELLED);
    }
  else
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      notify (self, PROP_ERROR);
      set_state (self, BA_SIGN_IN_STATE_FAILED);
    }

  g_object_thaw_notify (G_OBJECT (self));

  if (session != NULL)
    g_task_return_pointer (task, g_object_ref (session), g_object_unref);
  else
    g_task_return_error (task, error);
}

static guint
wait_ms (BaDeviceCodeFlow *self)
{
  /* The test seam scales the server's interval, so that slow_down still
   * lengthens the wait in proportion. */
  if (self->interval_ms > 0)
    return (guint) ((guint64) self->interval_ms * self->interval / MAX (self->server_interval, 1u));

  return self->interval * 1000;
}

static gboolean
poll_cb (gpointer user_data)
{
  BaDeviceCodeFlow *self = user_data;

  self->poll_id = 0;
  poll (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_poll (BaDeviceCodeFlow *self)
{
  g_assert (self->poll_id == 0);

  self->poll_id = g_timeout_add (wait_ms (self), poll_cb, self);
}

/* The countdown only shows the time: g_timeout_add_seconds () is not
 * precise, so the deadline has its own timer. Rounded up, it reaches 0
 * only with the deadline. */
static gboolean
countdown_cb (gpointer user_data)
{
  BaDeviceCodeFlow *self = user_data;
  gint64            left_us = self->deadline - g_get_monotonic_time ();

  set_seconds_left (self, left_us > 0 ? (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0);

  return G_SOURCE_CONTINUE;
}

static void
expire (BaDeviceCodeFlow *self)
{
  set_seconds_left (self, 0);
  g_debug ("%s(): the code expired before the sign-in was finished", G_STRFUNC);
  finish_run (self, NULL,
              g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_EXPIRED,
                                   ba_identity_error_advice (BA_IDENTITY_ERROR_EXPIRED)));
}

static gboolean
deadline_cb (gpointer user_data)
{
  BaDeviceCodeFlow *self = user_data;

  self->deadline_id = 0;
  expire (self);

  return G_SOURCE_REMOVE;
}

static void
poll_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaDeviceCodeFlow *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *error_string;

  response = _ba_identity_post_form_finish (result, NULL, &error);

  /* Finished meanwhile (cancelled, expired): the answer is not wanted. */
  if (self->task != task)
    return;

  if (response == NULL)
    {
      finish_run (self, NULL, g_steal_pointer (&error));
      return;
    }

  /* Branch on error, never on the HTTP status (reference §2.4). */
  error_string = ba_json_get_string (response, "error");
  if (g_strcmp0 (error_string, "authorization_pending") == 0)
    {
      schedule_poll (self);
      return;
    }

  if (g_strcmp0 (error_string, "slow_down") == 0)
    {
      self->interval += SLOW_DOWN_SECONDS;
      g_debug ("%s(): slow_down: polling every %u s from now on", G_STRFUNC, self->interval);
      notify (self, PROP_INTERVAL);
      schedule_poll (self);
      return;
    }

  if (error_string != NULL || json_object_has_member (response, "error"))
    {
      finish_run (self, NULL, ba_identity_error_from_response (response));
    }
  else
    {
      g_autoptr(BaSession) session = ba_session_new (self->cloud, self->client_id);

      _ba_session_set_request (session, self->tenant, self->scope);
      if (!ba_session_take_token_response (session, response, &error))
        finish_run (self, NULL, g_steal_pointer (&error));
      else
        finish_run (self, session, NULL);
    }
}

static void
poll (BaDeviceCodeFlow *self)
{
  g_autofree char *uri = NULL;
  char            *form;

  g_assert (self->task != NULL);
  g_assert (self->device_code != NULL);

  if (g_get_monotonic_time () >= self->deadline)
    {
      expire (self);
      return;
    }

  uri = _ba_identity_endpoint_uri (self->cloud, self->tenant, "token");
  form = soup_form_encode ("grant_type", DEVICE_CODE_GRANT,
                           "client_id", self->client_id,
                           "device_code", self->device_code,
                           NULL);

  /* 429 and 5xx are retried by the helper as Retry-After says. */
  _ba_identity_post_form_async (self->soup, uri, form, 3, self->run_cancellable,
                                poll_done_cb, g_object_ref (self->task));
}

static void
device_code_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaDeviceCodeFlow *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *device_code;
  const char *user_code;
  const char *verification_uri;
  gint64      expires_in;
  gint64      interval;

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

  device_code = ba_json_get_string (response, "device_code");
  user_code = ba_json_get_string (response, "user_code");
  verification_uri = ba_json_get_string (response, "verification_uri");
  if (verification_uri == NULL)
    verification_uri = ba_json_get_string (response, "verification_url");

  if (device_code == NULL || user_code == NULL || verification_uri == NULL)
    {
      g_debug ("%s(): the devicecode answer lacks a field", G_STRFUNC);
      finish_run (self, NULL,
                  g_error_new_literal (BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED,
                                       _("The Microsoft sign-in service sent an answer that Backup Access does not understand. Try again later.")));
      return;
    }

  expires_in = ba_json_get_int (response, "expires_in", DEFAULT_EXPIRES_IN);
  interval = ba_json_get_int (response, "interval", DEFAULT_INTERVAL);
  expires_in = CLAMP (expires_in, 1, 24 * 3600);
  /* Never poll in a tight loop, whatever the server says. */
  interval = CLAMP (interval, 1, 600);

  self->device_code = g_strdup (device_code);
  self->server_interval = (guint) interval;
  self->deadline = g_get_monotonic_time () + expires_in * G_USEC_PER_SEC;

  g_debug ("%s(): got a code for tenant %s, valid %" G_GINT64_FORMAT " s, interval %" G_GINT64_FORMAT " s",
           G_STRFUNC, self->tenant, expires_in, interval);

  g_object_freeze_notify (G_OBJECT (self));
  set_string_property (self, &self->user_code, user_code, PROP_USER_CODE);
  set_string_property (self, &self->verification_uri, verification_uri, PROP_VERIFICATION_URI);
  set_string_property (self, &self->message, ba_json_get_string (response, "message"), PROP_MESSAGE);
  if (self->interval != (guint) interval)
    {
      self->interval = (guint) interval;
      notify (self, PROP_INTERVAL);
    }
  set_seconds_left (self, (guint) expires_in);
  set_state (self, BA_SIGN_IN_STATE_WAITING);
  g_object_thaw_notify (G_OBJECT (self));

  /* A handler of the notifications may have cancelled. */
  if (self->task != task)
    return;

  self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
  self->deadline_id = g_timeout_add ((guint) expires_in * 1000, deadline_cb, self);
  schedule_poll (self);
}

static void
on_cancellable_cancelled_cb (GCancellable     *cancellable,
                             BaDeviceCodeFlow *self)
{
  g_debug ("%s(): cancelled", G_STRFUNC);

  if (self->task != NULL)
    finish_run (self, NULL,
                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled.")));
}

static void
ba_device_code_flow_dispose (GObject *object)
{
  BaDeviceCodeFlow *self = (BaDeviceCodeFlow *) object;

  /* A run holds a reference through its task, so none is running here. */
  g_assert (self->task == NULL);

  g_clear_object (&self->soup);
  g_clear_object (&self->session);
  g_clear_object (&self->cloud);

  G_OBJECT_CLASS (ba_device_code_flow_parent_class)->dispose (object);
}

static void
ba_device_code_flow_finalize (GObject *object)
{
  BaDeviceCodeFlow *self = (BaDeviceCodeFlow *) object;

  wipe_device_code (self);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->tenant, g_free);
  g_clear_pointer (&self->scope, g_free);
  g_clear_pointer (&self->user_code, g_free);
  g_clear_pointer (&self->verification_uri, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ba_device_code_flow_parent_class)->finalize (object);
}

static void
ba_device_code_flow_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BaDeviceCodeFlow *self = BA_DEVICE_CODE_FLOW (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER_CODE:
      g_value_set_string (value, self->user_code);
      break;

    case PROP_VERIFICATION_URI:
      g_value_set_string (value, self->verification_uri);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    case PROP_SECONDS_LEFT:
      g_value_set_uint (value, self->seconds_left);
      break;

    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_device_code_flow_class_init (BaDeviceCodeFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_device_code_flow_dispose;
  object_class->finalize = ba_device_code_flow_finalize;
  object_class->get_property = ba_device_code_flow_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       BA_TYPE_SIGN_IN_STATE, BA_SIGN_IN_STATE_IDLE,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));
  properties[PROP_USER_CODE] =
    g_param_spec_string ("user-code", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_VERIFICATION_URI] =
    g_param_spec_string ("verification-uri", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_SECONDS_LEFT] =
    g_param_spec_uint ("seconds-left", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_INTERVAL,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         BA_TYPE_SESSION,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_device_code_flow_init (BaDeviceCodeFlow *self)
{
  self->state = BA_SIGN_IN_STATE_IDLE;
  self->interval = DEFAULT_INTERVAL;
  self->soup = _ba_identity_soup_session_new ();
}

/**
 * ba_device_code_flow_new:
 * @cloud: the cloud to sign in to
 * @client_id: the public client to sign in with
 * @tenant: (nullable): the tenant segment, `organizations` when %NULL
 * @scopes: (nullable) (array zero-terminated=1): the scopes, the default
 *   ones when %NULL
 *
 * Returns: (transfer full): a #BaDeviceCodeFlow
 */
BaDeviceCodeFlow *
ba_device_code_flow_new (BaCloud            *cloud,
                         const char         *client_id,
                         const char         *tenant,
                         const char * const *scopes)
{
  BaDeviceCodeFlow *self;

  g_return_val_if_fail (BA_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  self = g_object_new (BA_TYPE_DEVICE_CODE_FLOW, NULL);
  self->cloud = g_object_ref (cloud);
  self->client_id = g_strdup (client_id);
  self->tenant = g_strdup (tenant != NULL && *tenant != '\0' ? tenant : "organizations");
  self->scope = _ba_identity_join_scopes (scopes);

  return self;
}

BaSignInState
ba_device_code_flow_get_state (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), BA_SIGN_IN_STATE_IDLE);

  return self->state;
}

const char *
ba_device_code_flow_get_user_code (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);

  return self->user_code;
}

const char *
ba_device_code_flow_get_verification_uri (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);

  return self->verification_uri;
}

const char *
ba_device_code_flow_get_message (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);

  return self->message;
}

guint
ba_device_code_flow_get_seconds_left (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), 0);

  return self->seconds_left;
}

guint
ba_device_code_flow_get_interval (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), 0);

  return self->interval;
}

const GError *
ba_device_code_flow_get_error (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);

  return self->error;
}

BaSession *
ba_device_code_flow_get_session (BaDeviceCodeFlow *self)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);

  return self->session;
}

/**
 * ba_device_code_flow_run_async:
 * @self: a #BaDeviceCodeFlow
 * @cancellable: (nullable): cancelling stops polling at once
 * @callback: called when signed in or failed
 * @user_data: data for @callback
 *
 * Requests a new code (a run after one that ended starts afresh, as the
 * sign-in page's Refresh does) and polls until the sign-in ends.
 */
void
ba_device_code_flow_run_async (BaDeviceCodeFlow   *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *uri = NULL;
  char            *form;

  g_return_if_fail (BA_IS_DEVICE_CODE_FLOW (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_device_code_flow_run_async);
  /* finish_run () says cancelled itself, at once. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("A sign-in is already in progress."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  set_string_property (self, &self->user_code, NULL, PROP_USER_CODE);
  set_string_property (self, &self->verification_uri, NULL, PROP_VERIFICATION_URI);
  set_string_property (self, &self->message, NULL, PROP_MESSAGE);
  set_seconds_left (self, 0);
  if (self->error != NULL)
    {
      g_clear_error (&self->error);
      notify (self, PROP_ERROR);
    }
  if (self->session != NULL)
    {
      g_clear_object (&self->session);
      notify (self, PROP_SESSION);
    }
  set_state (self, BA_SIGN_IN_STATE_REQUESTING);
  g_object_thaw_notify (G_OBJECT (self));

  self->task = g_object_ref (task);
  self->run_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->user_cancellable = cancellable;
      self->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                             G_CALLBACK (on_cancellable_cancelled_cb), self);
    }

  uri = _ba_identity_endpoint_uri (self->cloud, self->tenant, "devicecode");
  form = soup_form_encode ("client_id", self->client_id,
                           "scope", self->scope,
                           NULL);

  _ba_identity_post_form_async (self->soup, uri, form, 3, self->run_cancellable,
                                device_code_cb, g_steal_pointer (&task));
}

BaSession *
ba_device_code_flow_run_finish (BaDeviceCodeFlow *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (BA_IS_DEVICE_CODE_FLOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_ba_device_code_flow_set_interval_ms (BaDeviceCodeFlow *self,
                                      guint             interval_ms)
{
  g_return_if_fail (BA_IS_DEVICE_CODE_FLOW (self));

  self->interval_ms = interval_ms;
}
