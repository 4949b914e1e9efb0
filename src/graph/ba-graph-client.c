/* ba-graph-client.c
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
#include "ba-random.h"

#define DEFAULT_MAX_RETRIES 5
#define DEFAULT_BASE_DELAY_MS 1000
#define DEFAULT_MAX_DELAY_MS 30000
/* Graph sends seconds; anything longer than this is a server mistake, and
 * no one waits longer in front of a window anyway. */
#define MAX_RETRY_AFTER_SECONDS 120
#define REQUEST_TIMEOUT_SECONDS 60
/* A collection that pages on beyond this is broken, not large. */
#define MAX_PAGES 100000
/* libsoup 3.2 has no name for RFC 6585 status 429. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _BaGraphClient
{
  GObject parent_instance;

  /* Owned */
  BaCloud *cloud;
  BaSession *session;
  SoupSession *soup;
  char *base_url;
  BaGraphFailure *last_failure;

  guint max_retries;
  guint base_delay_ms;
  guint max_delay_ms;

  /* The shared 429/503 gate: no request of this client is sent before
   * this monotonic time (µs). */
  gint64 gate_until;
};

G_DEFINE_FINAL_TYPE (BaGraphClient, ba_graph_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-graph-error-quark, ba_graph_error)

G_DEFINE_BOXED_TYPE (BaGraphFailure, ba_graph_failure, ba_graph_failure_copy, ba_graph_failure_free)

enum {
  PROP_0,
  PROP_CLOUD,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One request, across its retries. */
typedef struct
{
  char *method;
  char *url;
  GBytes *body;
  GHashTable *extra_headers;
  char *client_request_id;
  SoupMessage *message;
  GSource *timeout_source;
  GSource *cancel_source;
  guint retries;
  guint refreshed : 1;
  guint force_refresh : 1;
} Request;

/* One ba_graph_client_get_all_async () run. */
typedef struct
{
  GHashTable *extra_headers;
  BaGraphPageFunc page_func;
  gpointer page_data;
  JsonArray *items;
  char *current_url;
  guint pages;
} GetAll;

static void request_start (GTask *task);

static void
clear_wait (Request *request)
{
  if (request->timeout_source != NULL)
    {
      g_source_destroy (request->timeout_source);
      g_clear_pointer (&request->timeout_source, g_source_unref);
    }

  if (request->cancel_source != NULL)
    {
      g_source_destroy (request->cancel_source);
      g_clear_pointer (&request->cancel_source, g_source_unref);
    }
}

static void
request_free (gpointer data)
{
  Request *request = data;

  clear_wait (request);
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->url, g_free);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->extra_headers, g_hash_table_unref);
  g_clear_pointer (&request->client_request_id, g_free);
  g_clear_object (&request->message);
  g_free (request);
}

static void
get_all_free (gpointer data)
{
  GetAll *state = data;

  g_clear_pointer (&state->extra_headers, g_hash_table_unref);
  g_clear_pointer (&state->items, json_array_unref);
  g_clear_pointer (&state->current_url, g_free);
  g_free (state);
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

/* The URL without its query, for logs: queries hold no secrets in Graph,
 * but they may hold people's names from a search. */
static char *
url_for_log (const char *url)
{
  const char *query = strchr (url, '?');

  return query != NULL ? g_strndup (url, query - url) : g_strdup (url);
}

static char *
resolve_url (BaGraphClient  *self,
             const char     *path,
             GError        **error)
{
  gsize base_len;

  if (path[0] == '/')
    return g_strconcat (self->base_url, path, NULL);

  if (strstr (path, "://") == NULL)
    return g_strconcat (self->base_url, "/", path, NULL);

  /* An absolute URL is an @odata.nextLink: the token goes with it, so it
   * must stay on the Graph host and version. */
  base_len = strlen (self->base_url);
  if (g_ascii_strncasecmp (path, self->base_url, base_len) == 0 &&
      (path[base_len] == '/' || path[base_len] == '?' || path[base_len] == '\0'))
    return g_strdup (path);

  {
    g_autoptr(GUri) uri = g_uri_parse (path, G_URI_FLAGS_NONE, NULL);

    g_debug ("%s(): refusing a link to host %s outside %s", G_STRFUNC,
             uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "(invalid)",
             self->base_url);
  }

  g_set_error_literal (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                       _("Microsoft Graph sent a link to another site, which was not followed. Try again later."));
  return NULL;
}

static const char *
error_message_for_code (BaGraphError code)
{
  switch (code)
    {
    case BA_GRAPH_ERROR_BAD_REQUEST:
      return _("Microsoft Graph rejected the request. If this keeps happening, report it with the request ID from the details.");

    case BA_GRAPH_ERROR_UNAUTHORIZED:
      return _("Microsoft Graph no longer accepts your sign-in. Sign in again.");

    case BA_GRAPH_ERROR_FORBIDDEN:
      return _("You are not allowed to do this in the tenant. Sign in with an account that holds the needed administrator role, or ask an administrator for it.");

    case BA_GRAPH_ERROR_NOT_FOUND:
      return _("The object was not found in the tenant. It may have been deleted; refresh and try again.");

    case BA_GRAPH_ERROR_CONFLICT:
      return _("The object already exists or was changed at the same time. Refresh and try again.");

    case BA_GRAPH_ERROR_THROTTLED:
      return _("Microsoft Graph is limiting the number of requests. Wait a few minutes and try again.");

    case BA_GRAPH_ERROR_UNAVAILABLE:
      return _("Microsoft Graph cannot be reached right now. Check the network connection and try again later.");

    case BA_GRAPH_ERROR_INVALID_RESPONSE:
      return _("Microsoft Graph sent an answer that could not be read. Try again later.");

    case BA_GRAPH_ERROR_NO_BACKING_APPLICATION:
      return _("The new application is not visible everywhere in the tenant yet. Wait a minute and try again.");

    case BA_GRAPH_ERROR_FAILED:
    default:
      return _("Microsoft Graph could not complete the request. Try again later.");
    }
}

static BaGraphError
error_code_for_status (guint    status,
                       gboolean no_backing_application)
{
  if (status == SOUP_STATUS_BAD_REQUEST && no_backing_application)
    return BA_GRAPH_ERROR_NO_BACKING_APPLICATION;

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      return BA_GRAPH_ERROR_BAD_REQUEST;

    case SOUP_STATUS_UNAUTHORIZED:
      return BA_GRAPH_ERROR_UNAUTHORIZED;

    case SOUP_STATUS_FORBIDDEN:
      return BA_GRAPH_ERROR_FORBIDDEN;

    case SOUP_STATUS_NOT_FOUND:
      return BA_GRAPH_ERROR_NOT_FOUND;

    case SOUP_STATUS_CONFLICT:
      return BA_GRAPH_ERROR_CONFLICT;

    case STATUS_TOO_MANY_REQUESTS:
      return BA_GRAPH_ERROR_THROTTLED;

    default:
      if (status >= 500 && status < 600)
        return BA_GRAPH_ERROR_UNAVAILABLE;
      return BA_GRAPH_ERROR_FAILED;
    }
}

/* innerError or innererror: the Graph documentation uses both. */
static JsonObject *
object_get_object_nocase (JsonObject *object,
                          const char *member)
{
  g_autoptr(GList) members = NULL;

  if (object == NULL)
    return NULL;

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (g_ascii_strcasecmp (l->data, member) == 0)
        {
          JsonNode *node = json_object_get_member (object, l->data);

          if (JSON_NODE_HOLDS_OBJECT (node))
            return json_node_get_object (node);
        }
    }

  return NULL;
}

static gboolean
mentions_no_backing_application (const char *text)
{
  return text != NULL &&
         (strstr (text, "NoBackingApplicationObject") != NULL ||
          strstr (text, "does not reference a valid application object") != NULL);
}

static gboolean
error_has_no_backing_application (JsonObject *error_object)
{
  JsonNode *details;

  if (error_object == NULL)
    return FALSE;

  if (mentions_no_backing_application (ba_json_get_string (error_object, "code")) ||
      mentions_no_backing_application (ba_json_get_string (error_object, "message")))
    return TRUE;

  details = json_object_get_member (error_object, "details");
  if (details != NULL && JSON_NODE_HOLDS_ARRAY (details))
    {
      JsonArray *array = json_node_get_array (details);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element) &&
              (mentions_no_backing_application (ba_json_get_string (json_node_get_object (element), "code")) ||
               mentions_no_backing_application (ba_json_get_string (json_node_get_object (element), "message"))))
            return TRUE;
        }
    }

  return FALSE;
}

#define FAILURE_KEY "ba-graph-failure"

/* The failure travels with its task and becomes the client's "last
 * failure" only when its caller finishes it: with several requests in
 * flight, a caller reading ba_graph_client_get_last_failure () right after
 * its _finish () sees its own, not another request's. */
static void
attach_failure (GTask          *task,
                BaGraphFailure *failure)
{
  g_object_set_data_full (G_OBJECT (task), FAILURE_KEY, failure,
                          (GDestroyNotify) ba_graph_failure_free);
}

static void
pass_failure_on (GAsyncResult *from,
                 GTask        *to)
{
  BaGraphFailure *failure = g_object_get_data (G_OBJECT (from), FAILURE_KEY);

  if (failure != NULL)
    attach_failure (to, ba_graph_failure_copy (failure));
}

static void
publish_failure (BaGraphClient *self,
                 GAsyncResult  *result)
{
  BaGraphFailure *failure = g_object_get_data (G_OBJECT (result), FAILURE_KEY);

  if (failure == NULL || g_task_had_error (G_TASK (result)) == FALSE)
    return;

  g_clear_pointer (&self->last_failure, ba_graph_failure_free);
  self->last_failure = ba_graph_failure_copy (failure);
}

/* A failure without an HTTP answer: a dropped connection, a truncated or
 * unreadable body, a refused link. Takes the task and the error. */
static void
fail_without_answer (GTask        *task_in,
                     guint         status,
                     GError       *error)
{
  g_autoptr(GTask) task = task_in;
  Request *request = g_task_get_task_data (task);
  BaGraphFailure *failure = g_new0 (BaGraphFailure, 1);
  g_autofree char *log_url = url_for_log (request->url);

  failure->status = status;
  failure->client_request_id = g_strdup (request->client_request_id);
  if (request->message != NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);

      failure->request_id = g_strdup (soup_message_headers_get_one (headers, "request-id"));
      failure->date = g_strdup (soup_message_headers_get_one (headers, "Date"));
    }
  attach_failure (task, failure);

  g_debug ("%s(): %s %s failed (HTTP %u, client-request-id %s, request-id %s): %s",
           G_STRFUNC, request->method, log_url, status,
           failure->client_request_id ? failure->client_request_id : "-",
           failure->request_id ? failure->request_id : "-",
           error->message);

  g_task_return_error (task, error);
}

/* Maps a Graph error answer; the body is read, never logged. Takes the
 * task. */
static void
fail_with_answer (GTask  *task_in,
                  guint   status,
                  GBytes *body)
{
  g_autoptr(GTask) task = task_in;
  Request *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *log_url = url_for_log (request->url);
  BaGraphFailure *failure = g_new0 (BaGraphFailure, 1);
  JsonObject *error_object = NULL;
  JsonObject *inner = NULL;
  gboolean no_backing = FALSE;
  BaGraphError code;
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (data != NULL && size > 0 &&
      json_parser_load_from_data (parser, data, size, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonNode *error_node = json_object_get_member (json_node_get_object (root), "error");

          if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
            error_object = json_node_get_object (error_node);
        }
    }

  inner = object_get_object_nocase (error_object, "innerError");
  no_backing = error_has_no_backing_application (error_object);

  failure->status = status;
  failure->code = g_strdup (ba_json_get_string (error_object, "code"));
  failure->message = g_strdup (ba_json_get_string (error_object, "message"));

  failure->request_id = g_strdup (soup_message_headers_get_one (headers, "request-id"));
  if (failure->request_id == NULL)
    failure->request_id = g_strdup (ba_json_get_string (inner, "request-id"));

  failure->client_request_id = g_strdup (ba_json_get_string (inner, "client-request-id"));
  if (failure->client_request_id == NULL)
    failure->client_request_id = g_strdup (soup_message_headers_get_one (headers, "client-request-id"));
  if (failure->client_request_id == NULL)
    failure->client_request_id = g_strdup (request->client_request_id);

  failure->date = g_strdup (ba_json_get_string (inner, "date"));
  if (failure->date == NULL)
    failure->date = g_strdup (soup_message_headers_get_one (headers, "Date"));

  code = error_code_for_status (status, no_backing);

  g_debug ("%s(): %s %s: HTTP %u, code %s, request-id %s, client-request-id %s",
           G_STRFUNC, request->method, log_url, status,
           failure->code ? failure->code : "-",
           failure->request_id ? failure->request_id : "-",
           failure->client_request_id ? failure->client_request_id : "-");

  attach_failure (task, failure);

  g_task_return_new_error (task, BA_GRAPH_ERROR, code, "%s", error_message_for_code (code));
}

/* Retry-After in seconds or as an HTTP-date, clamped; FALSE when absent
 * or unreadable. */
static gboolean
parse_retry_after (SoupMessage *message,
                   gint64      *delay_us)
{
  const char *value;
  g_autofree char *text = NULL;
  guint64 seconds = 0;
  gint64 delay;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  if (value == NULL)
    return FALSE;

  text = g_strstrip (g_strdup (value));
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &seconds, NULL))
    {
      delay = (gint64) seconds * G_USEC_PER_SEC;
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (text);
      g_autoptr(GDateTime) now = NULL;

      if (date == NULL)
        return FALSE;

      now = g_date_time_new_now_utc ();
      delay = MAX (0, g_date_time_difference (date, now));
    }

  *delay_us = CLAMP (delay, 0, (gint64) MAX_RETRY_AFTER_SECONDS * G_USEC_PER_SEC);
  return TRUE;
}

/* Exponential backoff with "equal jitter": half the step is fixed, half
 * random, so that requests that failed together do not return together. */
static gint64
backoff_delay_us (BaGraphClient *self,
                  guint          retries)
{
  guint64 delay_ms = self->base_delay_ms;
  guint64 half;

  for (guint i = 1; i < retries && delay_ms < self->max_delay_ms; i++)
    delay_ms *= 2;
  delay_ms = MIN (delay_ms, self->max_delay_ms);

  half = delay_ms / 2;
  delay_ms = half + (half > 0 ? ba_random_uint32 () % (half + 1) : 0);

  return (gint64) delay_ms * 1000;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  Request *request = g_task_get_task_data (task);

  clear_wait (request);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static gboolean
wait_done_cb (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  Request *request = g_task_get_task_data (task);

  clear_wait (request);
  request_start (g_steal_pointer (&task));

  return G_SOURCE_REMOVE;
}

/* Waits, cancellably, then starts the request again (takes the task). */
static void
request_wait (GTask  *task,
              gint64  delay_us)
{
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GMainContext *context = g_task_get_context (task);
  guint delay_ms = (guint) MIN ((delay_us + 999) / 1000, G_MAXUINT);

  g_assert (request->timeout_source == NULL);

  request->timeout_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (request->timeout_source, wait_done_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (request->timeout_source, context);

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (request->cancel_source, context);
    }

  g_object_unref (task);
}

/* Whether another attempt may follow; counts it. */
static gboolean
request_may_retry (GTask *task)
{
  BaGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (request->retries >= self->max_retries)
    return FALSE;

  request->retries++;
  return TRUE;
}

static gboolean
is_create (Request *request)
{
  return g_str_equal (request->method, "POST");
}

static gboolean
is_transient_transport_error (const GError *error)
{
  if (error->domain != G_IO_ERROR)
    return FALSE;

  switch (error->code)
    {
    case G_IO_ERROR_CANCELLED:
    case G_IO_ERROR_NOT_SUPPORTED:
    case G_IO_ERROR_INVALID_ARGUMENT:
      return FALSE;

    default:
      return TRUE;
    }
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  guint status;
  gint64 delay_us = 0;
  gsize size = 0;
  const char *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  status = soup_message_get_status (request->message);

  if (body == NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        return;

      /* The answer started, then the body broke off: a truncated answer. */
      if (status >= 200 && status < 300)
        {
          g_debug ("%s(): body ended early: %s", G_STRFUNC, error->message);
          fail_without_answer (g_steal_pointer (&task), status,
                               g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                                    error_message_for_code (BA_GRAPH_ERROR_INVALID_RESPONSE)));
          return;
        }

      /* A POST whose answer never came may have created its object:
       * sending it again could make a twin, so its caller decides. */
      if (is_transient_transport_error (error) && !is_create (request) && request_may_retry (task))
        {
          g_debug ("%s(): %s, retry %u", G_STRFUNC, error->message, request->retries);
          request_wait (g_steal_pointer (&task), backoff_delay_us (self, request->retries));
          return;
        }

      g_debug ("%s(): %s", G_STRFUNC, error->message);
      fail_without_answer (g_steal_pointer (&task), 0,
                           g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAVAILABLE,
                                                error_message_for_code (BA_GRAPH_ERROR_UNAVAILABLE)));
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED && !request->refreshed)
    {
      g_debug ("%s(): HTTP 401, refreshing the token once", G_STRFUNC);
      request->refreshed = TRUE;
      request->force_refresh = TRUE;
      request_start (g_steal_pointer (&task));
      return;
    }

  if (status == STATUS_TOO_MANY_REQUESTS || (status >= 500 && status < 600))
    {
      gboolean has_retry_after = parse_retry_after (request->message, &delay_us);
      /* 429 and 503 say the request was not done; other 5xx leave a POST's
       * outcome unknown (see above). */
      gboolean refused = status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE;

      if ((refused || !is_create (request)) && request_may_retry (task))
        {
          if (has_retry_after &&
              (status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE))
            {
              /* Every request of this client waits behind the gate. */
              self->gate_until = MAX (self->gate_until, g_get_monotonic_time () + delay_us);
              g_debug ("%s(): HTTP %u, Retry-After %" G_GINT64_FORMAT " ms, retry %u",
                       G_STRFUNC, status, delay_us / 1000, request->retries);
              request_start (g_steal_pointer (&task));
            }
          else
            {
              gint64 backoff = backoff_delay_us (self, request->retries);

              if (has_retry_after)
                backoff = MAX (backoff, delay_us);
              g_debug ("%s(): HTTP %u, backoff %" G_GINT64_FORMAT " ms, retry %u",
                       G_STRFUNC, status, backoff / 1000, request->retries);
              request_wait (g_steal_pointer (&task), backoff);
            }
          return;
        }

      fail_with_answer (g_steal_pointer (&task), status, body);
      return;
    }

  if (status < 200 || status >= 300)
    {
      fail_with_answer (g_steal_pointer (&task), status, body);
      return;
    }

  data = g_bytes_get_data (body, &size);
  if (status == SOUP_STATUS_NO_CONTENT || size == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, &error) ||
      json_parser_get_root (parser) == NULL)
    {
      const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (request->message), NULL);

      g_debug ("%s(): HTTP %u with a body that is not JSON (%" G_GSIZE_FORMAT " bytes, %s)",
               G_STRFUNC, status, size, type != NULL ? type : "no type");
      fail_without_answer (g_steal_pointer (&task), status,
                           g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                                error_message_for_code (BA_GRAPH_ERROR_INVALID_RESPONSE)));
      return;
    }

  g_task_return_pointer (task, json_parser_steal_root (parser), (GDestroyNotify) json_node_unref);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(BaWipedString) token = NULL;
  g_autoptr(BaWipedString) authorization = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;
  GHashTableIter iter;
  gpointer key, value;

  token = ba_session_get_access_token_finish (BA_SESSION (object), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  g_clear_object (&request->message);
  request->message = soup_message_new (request->method, request->url);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The address of a Microsoft Graph request is not valid."));
      return;
    }

  headers = soup_message_get_request_headers (request->message);
  authorization = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (request->client_request_id != NULL)
    {
      soup_message_headers_replace (headers, "client-request-id", request->client_request_id);
      soup_message_headers_replace (headers, "return-client-request-id", "true");
    }

  if (request->extra_headers != NULL)
    {
      g_hash_table_iter_init (&iter, request->extra_headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        soup_message_headers_replace (headers, key, value);
    }

  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->message, "application/json", request->body);

  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (self->soup,
                                    request->message,
                                    G_PRIORITY_DEFAULT,
                                    cancellable,
                                    send_cb,
                                    g_steal_pointer (&task));
}

/* Starts (or restarts) an attempt: behind the gate, then with a token.
 * Takes the task. */
static void
request_start (GTask *task)
{
  BaGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  gint64 now = g_get_monotonic_time ();
  gboolean force_refresh;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (self->gate_until > now)
    {
      request_wait (task, self->gate_until - now);
      return;
    }

  force_refresh = request->force_refresh;
  request->force_refresh = FALSE;

  ba_session_get_access_token_async (self->session,
                                     force_refresh,
                                     g_task_get_cancellable (task),
                                     token_cb,
                                     task);
}

static void
get_all_page_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BaGraphClient *self = BA_GRAPH_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  GetAll *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *page;
  JsonNode *value;
  JsonNode *next;
  JsonArray *items;
  GCancellable *cancellable;
  const char *next_link = NULL;

  node = ba_graph_client_request_finish (self, result, &error);
  if (node == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                     error_message_for_code (BA_GRAPH_ERROR_INVALID_RESPONSE));
      pass_failure_on (result, task);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (value = json_object_get_member (json_node_get_object (node), "value")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_debug ("%s(): page %u of a collection has no value array", G_STRFUNC, state->pages + 1);
      g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                               "%s", error_message_for_code (BA_GRAPH_ERROR_INVALID_RESPONSE));
      return;
    }

  page = json_node_get_object (node);
  items = json_node_get_array (value);
  state->pages++;

  next = json_object_get_member (page, "@odata.nextLink");
  if (next != NULL && !JSON_NODE_HOLDS_NULL (next))
    {
      if (!JSON_NODE_HOLDS_VALUE (next) || json_node_get_value_type (next) != G_TYPE_STRING ||
          g_strcmp0 (json_node_get_string (next), state->current_url) == 0 ||
          state->pages >= MAX_PAGES)
        {
          g_debug ("%s(): page %u has an unusable @odata.nextLink", G_STRFUNC, state->pages);
          g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                   "%s", error_message_for_code (BA_GRAPH_ERROR_INVALID_RESPONSE));
          return;
        }
      next_link = json_node_get_string (next);
    }

  if (state->page_func != NULL)
    state->page_func (items, state->page_data);

  for (guint i = 0; i < json_array_get_length (items); i++)
    json_array_add_element (state->items, json_node_copy (json_array_get_element (items, i)));

  if (g_task_return_error_if_cancelled (task))
    return;

  if (next_link == NULL)
    {
      g_task_return_pointer (task, json_array_ref (state->items), (GDestroyNotify) json_array_unref);
      return;
    }

  g_free (state->current_url);
  state->current_url = g_strdup (next_link);

  cancellable = g_task_get_cancellable (task);
  ba_graph_client_request_async (self,
                                 "GET",
                                 state->current_url,
                                 NULL,
                                 state->extra_headers,
                                 cancellable,
                                 get_all_page_cb,
                                 g_steal_pointer (&task));
}

static void
ba_graph_client_dispose (GObject *object)
{
  BaGraphClient *self = (BaGraphClient *)object;

  if (self->soup != NULL)
    soup_session_abort (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->session);
  g_clear_object (&self->cloud);

  G_OBJECT_CLASS (ba_graph_client_parent_class)->dispose (object);
}

static void
ba_graph_client_finalize (GObject *object)
{
  BaGraphClient *self = (BaGraphClient *)object;

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->last_failure, ba_graph_failure_free);

  G_OBJECT_CLASS (ba_graph_client_parent_class)->finalize (object);
}

static void
ba_graph_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BaGraphClient *self = BA_GRAPH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CLOUD:
      g_value_set_object (value, self->cloud);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_graph_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BaGraphClient *self = BA_GRAPH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CLOUD:
      self->cloud = g_value_dup_object (value);
      break;

    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_graph_client_constructed (GObject *object)
{
  BaGraphClient *self = (BaGraphClient *)object;

  G_OBJECT_CLASS (ba_graph_client_parent_class)->constructed (object);

  g_assert (BA_IS_CLOUD (self->cloud));
  g_assert (BA_IS_SESSION (self->session));

  self->base_url = g_strconcat (ba_cloud_get_graph_url (self->cloud), "/v1.0", NULL);
}

static void
ba_graph_client_class_init (BaGraphClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ba_graph_client_constructed;
  object_class->dispose = ba_graph_client_dispose;
  object_class->finalize = ba_graph_client_finalize;
  object_class->get_property = ba_graph_client_get_property;
  object_class->set_property = ba_graph_client_set_property;

  properties[PROP_CLOUD] =
    g_param_spec_object ("cloud", NULL, NULL,
                         BA_TYPE_CLOUD,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         BA_TYPE_SESSION,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_graph_client_init (BaGraphClient *self)
{
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->max_delay_ms = DEFAULT_MAX_DELAY_MS;

  /* libsoup's default of 2 connections per host would cap the
   * provisioner's concurrency at 2. */
  self->soup = soup_session_new_with_options ("max-conns-per-host", 16,
                                              "max-conns", 32,
                                              NULL);
  soup_session_set_timeout (self->soup, REQUEST_TIMEOUT_SECONDS);
  soup_session_set_user_agent (self->soup, "BackupAccess/" PACKAGE_VERSION);
}

BaGraphFailure *
ba_graph_failure_copy (const BaGraphFailure *failure)
{
  BaGraphFailure *copy;

  g_return_val_if_fail (failure != NULL, NULL);

  copy = g_new0 (BaGraphFailure, 1);
  copy->status = failure->status;
  copy->code = g_strdup (failure->code);
  copy->message = g_strdup (failure->message);
  copy->request_id = g_strdup (failure->request_id);
  copy->client_request_id = g_strdup (failure->client_request_id);
  copy->date = g_strdup (failure->date);

  return copy;
}

void
ba_graph_failure_free (BaGraphFailure *failure)
{
  if (failure == NULL)
    return;

  g_free (failure->code);
  g_free (failure->message);
  g_free (failure->request_id);
  g_free (failure->client_request_id);
  g_free (failure->date);
  g_free (failure);
}

BaGraphClient *
ba_graph_client_new (BaCloud   *cloud,
                     BaSession *session)
{
  g_return_val_if_fail (BA_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (BA_IS_SESSION (session), NULL);

  return g_object_new (BA_TYPE_GRAPH_CLIENT,
                       "cloud", cloud,
                       "session", session,
                       NULL);
}

BaCloud *
ba_graph_client_get_cloud (BaGraphClient *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);

  return self->cloud;
}

BaSession *
ba_graph_client_get_session (BaGraphClient *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);

  return self->session;
}

/**
 * ba_graph_client_set_retry_policy:
 * @self: a #BaGraphClient
 * @max_retries: retries after the first attempt (0 for none)
 * @base_delay_ms: the first backoff step
 * @max_delay_ms: the largest backoff step
 *
 * Bounds the retries on 429, 5xx and dropped connections. A Retry-After
 * the server sends is honoured whatever the delays.
 */
void
ba_graph_client_set_retry_policy (BaGraphClient *self,
                                  guint          max_retries,
                                  guint          base_delay_ms,
                                  guint          max_delay_ms)
{
  g_return_if_fail (BA_IS_GRAPH_CLIENT (self));

  self->max_retries = max_retries;
  self->base_delay_ms = base_delay_ms;
  self->max_delay_ms = MAX (base_delay_ms, max_delay_ms);
}

/**
 * ba_graph_client_request_async:
 * @self: a #BaGraphClient
 * @method: "GET", "POST", "PATCH", "DELETE"…
 * @path: a path below /v1.0 ("/applications"), or an @odata.nextLink
 * @body: (nullable): the JSON to send
 * @extra_headers: (nullable) (element-type utf8 utf8): more headers
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends one Graph request with the session's token, retrying as the
 * retry policy allows.
 */
void
ba_graph_client_request_async (BaGraphClient       *self,
                               const char          *method,
                               const char          *path,
                               JsonNode            *body,
                               GHashTable          *extra_headers,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  g_return_if_fail (BA_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_graph_client_request_async);

  request = g_new0 (Request, 1);
  request->method = g_ascii_strup (method, -1);
  /* The header is optional: without a GUID the request goes without it. */
  request->client_request_id = ba_random_guid (NULL);
  if (extra_headers != NULL)
    request->extra_headers = g_hash_table_ref (extra_headers);
  if (body != NULL)
    {
      gsize length = 0;
      char *text = json_to_string (body, FALSE);

      length = strlen (text);
      request->body = g_bytes_new_take (text, length);
    }
  g_task_set_task_data (task, request, request_free);

  request->url = resolve_url (self, path, &error);
  if (request->url == NULL)
    {
      request->url = g_strdup ("(refused)");
      fail_without_answer (g_steal_pointer (&task), 0, g_steal_pointer (&error));
      return;
    }

  request_start (g_steal_pointer (&task));
}

/**
 * ba_graph_client_request_finish:
 * @self: a #BaGraphClient
 * @result: the result
 * @error: return location for a #BA_GRAPH_ERROR, #BA_IDENTITY_ERROR or
 *   #G_IO_ERROR
 *
 * Returns: (transfer full) (nullable): the answer, or %NULL for an empty
 *   answer (then @error is not set) or an error
 */
JsonNode *
ba_graph_client_request_finish (BaGraphClient  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_graph_client_request_async, NULL);

  publish_failure (self, result);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      pass_failure_on (result, task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

void
ba_graph_client_get_async (BaGraphClient       *self,
                           const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_GRAPH_CLIENT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_graph_client_get_async);

  ba_graph_client_request_async (self, "GET", path, NULL, NULL, cancellable,
                                 get_cb, g_steal_pointer (&task));
}

JsonNode *
ba_graph_client_get_finish (BaGraphClient  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  publish_failure (self, result);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_graph_client_get_all_async (BaGraphClient       *self,
                               const char          *path,
                               GHashTable          *extra_headers,
                               BaGraphPageFunc      page_func,
                               gpointer             page_data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GetAll *state;

  g_return_if_fail (BA_IS_GRAPH_CLIENT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_graph_client_get_all_async);

  state = g_new0 (GetAll, 1);
  if (extra_headers != NULL)
    state->extra_headers = g_hash_table_ref (extra_headers);
  state->page_func = page_func;
  state->page_data = page_data;
  state->items = json_array_new ();
  state->current_url = g_strdup (path);
  g_task_set_task_data (task, state, get_all_free);

  ba_graph_client_request_async (self, "GET", path, NULL, extra_headers, cancellable,
                                 get_all_page_cb, g_steal_pointer (&task));
}

/**
 * ba_graph_client_get_all_finish:
 * @self: a #BaGraphClient
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): every item of every page, or %NULL
 */
JsonArray *
ba_graph_client_get_all_finish (BaGraphClient  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  publish_failure (self, result);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const BaGraphFailure *
ba_graph_client_get_last_failure (BaGraphClient *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), NULL);

  return self->last_failure;
}

typedef struct
{
  char *tenant_id;
  char *display_name;
} OrganizationInfo;

static void
organization_info_free (OrganizationInfo *info)
{
  g_free (info->tenant_id);
  g_free (info->display_name);
  g_free (info);
}

static void
get_organization_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  OrganizationInfo *info;
  JsonObject *first = NULL;

  node = ba_graph_client_get_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "value"))
    {
      JsonNode *value = json_object_get_member (json_node_get_object (node), "value");

      if (JSON_NODE_HOLDS_ARRAY (value) && json_array_get_length (json_node_get_array (value)) > 0)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (value), 0);

          if (JSON_NODE_HOLDS_OBJECT (element))
            first = json_node_get_object (element);
        }
    }

  if (first == NULL || !json_object_has_member (first, "id") ||
      json_object_get_string_member (first, "id") == NULL)
    {
      g_debug ("%s(): /organization without an organization", G_STRFUNC);
      g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                               _("Microsoft Graph did not say which organization this is. Try again later."));
      return;
    }

  info = g_new0 (OrganizationInfo, 1);
  info->tenant_id = g_strdup (json_object_get_string_member (first, "id"));
  if (json_object_has_member (first, "displayName"))
    info->display_name = g_strdup (json_object_get_string_member (first, "displayName"));
  g_task_return_pointer (task, info, (GDestroyNotify) organization_info_free);
}

/**
 * ba_graph_client_get_organization_async:
 * @self: a #BaGraphClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the signed-in tenant's ID and display name (GET /organization).
 */
void
ba_graph_client_get_organization_async (BaGraphClient       *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_GRAPH_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_graph_client_get_organization_async);
  ba_graph_client_get_async (self, "/organization?$select=id,displayName", cancellable,
                             get_organization_cb, g_steal_pointer (&task));
}

/**
 * ba_graph_client_get_organization_finish:
 * @self: a #BaGraphClient
 * @result: the result
 * @tenant_id: (out) (optional): the tenant ID
 * @display_name: (out) (optional) (nullable): the organization's name
 * @error: return location for an error
 *
 * Returns: %TRUE when the organization was read
 */
gboolean
ba_graph_client_get_organization_finish (BaGraphClient  *self,
                                         GAsyncResult   *result,
                                         char          **tenant_id,
                                         char          **display_name,
                                         GError        **error)
{
  OrganizationInfo *info;

  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  info = g_task_propagate_pointer (G_TASK (result), error);
  if (info == NULL)
    return FALSE;

  if (tenant_id != NULL)
    *tenant_id = g_steal_pointer (&info->tenant_id);
  if (display_name != NULL)
    *display_name = g_steal_pointer (&info->display_name);
  organization_info_free (info);

  return TRUE;
}
