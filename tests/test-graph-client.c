/* test-graph-client.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <libsoup/soup.h>

#include "ba-cloud.h"
#include "ba-graph-client.h"
#include "ba-graph-emulator.h"
#include "ba-identifiers.h"
#include "ba-session.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"


typedef struct
{
  BaGraphEmulator *emulator;
  BaCloud *cloud;
  BaSession *session;
  BaGraphClient *client;
} Fixture;

static gboolean
quit_loop_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_loop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->emulator = ba_test_emulator_new (&fixture->cloud);

  fixture->session = ba_test_emulator_sign_in (fixture->emulator, fixture->cloud);
  fixture->client = ba_graph_client_new (fixture->cloud, fixture->session);
  ba_graph_client_set_retry_policy (fixture->client, 5, 10, 40);
  ba_graph_emulator_clear_requests (fixture->emulator);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);
  g_unsetenv ("BA_AUTHORITY_URL");
  g_unsetenv ("BA_GRAPH_URL");
}

static guint
count_status (BaGraphEmulator *emulator,
              const char      *path,
              guint            status)
{
  GPtrArray *requests = ba_graph_emulator_get_requests (emulator);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      if (g_strcmp0 (r->path, path) == 0 && r->status == status)
        n++;
    }

  return n;
}

static void
test_round_trips (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) patched = NULL;
  g_autoptr(JsonNode) reread = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  g_autoptr(JsonNode) gone = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) patch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  const BaEmulatorRequest *recorded;
  const char *id;

  ba_graph_client_get_async (fixture->client, "/me", NULL, ba_test_store_result_cb, &result);
  me = ba_graph_client_get_finish (fixture->client, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (me));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (me), "userPrincipalName"),
                   ==, "admin@contoso.onmicrosoft.com");

  recorded = ba_graph_emulator_last_request (fixture->emulator, "GET", "/v1.0/me");
  g_assert_nonnull (recorded);
  g_assert_nonnull (recorded->authorization);
  g_assert_true (g_str_has_prefix (recorded->authorization, "Bearer "));
  g_assert_null (ba_graph_client_get_last_failure (fixture->client));

  body = json_from_string ("{\"displayName\":\"Backup Access test\",\"signInAudience\":\"AzureADMyOrg\"}", &error);
  g_assert_no_error (error);
  created = ba_test_graph_request (fixture->client, "POST", "/applications", body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (created);
  id = json_object_get_string_member (json_node_get_object (created), "id");
  g_assert_nonnull (id);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (created), "displayName"),
                   ==, "Backup Access test");
  recorded = ba_graph_emulator_last_request (fixture->emulator, "POST", "/v1.0/applications");
  g_assert_nonnull (recorded);
  g_assert_true (g_str_has_prefix (recorded->content_type, "application/json"));
  g_assert_cmpuint (recorded->status, ==, 201);

  path = g_strconcat ("/applications/", id, NULL);
  patch = json_from_string ("{\"displayName\":\"Renamed\"}", &error);
  g_assert_no_error (error);
  patched = ba_test_graph_request (fixture->client, "PATCH", path, patch, &error);
  g_assert_no_error (error);
  g_assert_null (patched);

  reread = ba_test_graph_request (fixture->client, "GET", path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reread), "displayName"),
                   ==, "Renamed");

  deleted = ba_test_graph_request (fixture->client, "DELETE", path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (deleted);

  gone = ba_test_graph_request (fixture->client, "GET", path, NULL, &error);
  g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_assert_cmpuint (ba_graph_client_get_last_failure (fixture->client)->status, ==, 404);
}

typedef struct
{
  GPtrArray *ids;
  GArray *sizes;
} Pages;

static void
collect_page (JsonArray *page,
              gpointer   user_data)
{
  Pages *pages = user_data;
  guint len = json_array_get_length (page);

  g_array_append_val (pages->sizes, len);
  for (guint i = 0; i < len; i++)
    g_ptr_array_add (pages->ids,
                     g_strdup (json_object_get_string_member (json_array_get_object_element (page, i), "id")));
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  Pages pages = { ids, sizes };
  guint expected_pages;

  ba_graph_emulator_add_groups (fixture->emulator, 25, 0);
  ba_graph_emulator_set_page_size (fixture->emulator, 4);
  g_hash_table_insert (headers, (char *) "ConsistencyLevel", (char *) "eventual");

  ba_graph_client_get_all_async (fixture->client, "/groups?$select=id,displayName", headers,
                                 collect_page, &pages, NULL, ba_test_store_result_cb, &result);
  items = ba_graph_client_get_all_finish (fixture->client, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (items);

  g_assert_cmpuint (json_array_get_length (items), >=, 25);
  expected_pages = (json_array_get_length (items) + 3) / 4;
  g_assert_cmpuint (sizes->len, ==, expected_pages);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/groups"), ==, expected_pages);
  for (guint i = 0; i + 1 < sizes->len; i++)
    g_assert_cmpuint (g_array_index (sizes, guint, i), ==, 4);

  /* The pages came in order and the collection is their concatenation,
   * without duplicates. */
  g_assert_cmpuint (ids->len, ==, json_array_get_length (items));
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (items, i), "id");

      g_assert_cmpstr (id, ==, g_ptr_array_index (ids, i));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (char *) id);
    }
}

static guint
count_token_requests (BaGraphEmulator *emulator,
                      const char      *grant_type)
{
  GPtrArray *requests = ba_graph_emulator_get_requests (emulator);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      if (g_str_has_suffix (r->path, "/oauth2/v2.0/token") && r->form != NULL &&
          g_strcmp0 (g_hash_table_lookup (r->form, "grant_type"), grant_type) == 0)
        n++;
    }

  return n;
}

static void
test_unauthorized_refresh (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(JsonNode) again = NULL;

  ba_graph_emulator_expire_access_tokens (fixture->emulator);
  me = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);

  g_assert_cmpuint (count_status (fixture->emulator, "/v1.0/me", 401), ==, 1);
  g_assert_cmpuint (count_status (fixture->emulator, "/v1.0/me", 200), ==, 1);
  g_assert_cmpuint (count_token_requests (fixture->emulator, "refresh_token"), ==, 1);

  /* Still 401 after the refresh: one refresh, one retry, then stop. */
  ba_graph_emulator_clear_requests (fixture->emulator);
  ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/me", 401, "InvalidAuthenticationToken", 5);
  again = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
  g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAUTHORIZED);
  g_assert_null (again);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/me"), ==, 2);
  g_assert_cmpuint (count_token_requests (fixture->emulator, "refresh_token"), ==, 1);
  g_assert_cmpstr (ba_graph_client_get_last_failure (fixture->client)->code, ==, "InvalidAuthenticationToken");
}

static void
test_throttle_gate (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) first = NULL;
  GAsyncResult *others[3] = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  GPtrArray *requests;
  gint64 throttled_at = 0;
  guint after = 0;

  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/organization", 429, 1, 1);

  ba_graph_client_request_async (fixture->client, "GET", "/organization", NULL, NULL, NULL,
                                 ba_test_store_result_cb, &first);
  while (count_status (fixture->emulator, "/v1.0/organization", 429) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Let the client read the 429 and close its gate. */
  run_for_ms (100);
  g_assert_null (first);

  /* Requests to other paths wait behind the same gate. */
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    ba_graph_client_request_async (fixture->client, "GET", "/me", NULL, NULL, NULL,
                                   ba_test_store_result_cb, &others[i]);

  node = ba_graph_client_request_finish (fixture->client, ba_test_wait_for_result (&first), &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr(JsonNode) me = NULL;

      me = ba_graph_client_request_finish (fixture->client, ba_test_wait_for_result (&others[i]), &error);
      g_assert_no_error (error);
      g_assert_nonnull (me);
      g_clear_object (&others[i]);
    }

  requests = ba_graph_emulator_get_requests (fixture->emulator);
  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      if (r->status == 429)
        {
          throttled_at = r->time_us;
          continue;
        }

      if (throttled_at != 0 && g_str_has_prefix (r->path, "/v1.0/"))
        {
          g_assert_cmpint (r->time_us - throttled_at, >=, G_USEC_PER_SEC);
          after++;
        }
    }

  g_assert_cmpint (throttled_at, !=, 0);
  g_assert_cmpuint (after, ==, 1 + G_N_ELEMENTS (others));
}

static void
test_unavailable_retried (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/me", 503, 0, 2);
  node = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (count_status (fixture->emulator, "/v1.0/me", 503), ==, 2);
  g_assert_cmpuint (count_status (fixture->emulator, "/v1.0/me", 200), ==, 1);
}

static void
test_retries_bounded (Fixture       *fixture,
                      gconstpointer  data)
{
  static const struct {
    guint status;
    int code;
  } cases[] = {
    { 429, BA_GRAPH_ERROR_THROTTLED },
    { 503, BA_GRAPH_ERROR_UNAVAILABLE },
    { 500, BA_GRAPH_ERROR_UNAVAILABLE },
    { 502, BA_GRAPH_ERROR_UNAVAILABLE },
  };

  ba_graph_client_set_retry_policy (fixture->client, 2, 5, 10);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      const BaGraphFailure *failure;

      ba_graph_emulator_clear_requests (fixture->emulator);
      ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/me", cases[i].status, 0, 3);
      node = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
      g_assert_error (error, BA_GRAPH_ERROR, cases[i].code);
      g_assert_null (node);
      /* The first attempt and two retries. */
      g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/me"), ==, 3);
      failure = ba_graph_client_get_last_failure (fixture->client);
      g_assert_nonnull (failure);
      g_assert_cmpuint (failure->status, ==, cases[i].status);
    }
}

static void
test_dropped_connection (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) failed = NULL;
  const BaGraphFailure *failure;

  ba_graph_emulator_drop_connections (fixture->emulator, "/v1.0/me", 2);
  node = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (count_status (fixture->emulator, "/v1.0/me", 200), ==, 1);

  ba_graph_client_set_retry_policy (fixture->client, 1, 5, 10);
  ba_graph_emulator_drop_connections (fixture->emulator, "/v1.0/me", 10);
  failed = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
  g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAVAILABLE);
  g_assert_null (failed);
  failure = ba_graph_client_get_last_failure (fixture->client);
  g_assert_nonnull (failure);
  g_assert_cmpuint (failure->status, ==, 0);
  g_assert_true (ba_identifier_is_guid (failure->client_request_id));
}

static void
test_error_mapping (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct {
    guint status;
    const char *code;
    int error;
  } cases[] = {
    { 400, "Request_BadRequest", BA_GRAPH_ERROR_BAD_REQUEST },
    { 400, "Request_UnsupportedQuery", BA_GRAPH_ERROR_BAD_REQUEST },
    { 400, "NoBackingApplicationObject", BA_GRAPH_ERROR_NO_BACKING_APPLICATION },
    { 403, "Authorization_RequestDenied", BA_GRAPH_ERROR_FORBIDDEN },
    { 404, "Request_ResourceNotFound", BA_GRAPH_ERROR_NOT_FOUND },
    { 409, "Request_MultipleObjectsWithSameKeyValue", BA_GRAPH_ERROR_CONFLICT },
    { 418, "Teapot", BA_GRAPH_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      const BaGraphFailure *failure;

      ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/organization",
                                            cases[i].status, cases[i].code, 1);
      node = ba_test_graph_request (fixture->client, "GET", "/organization", NULL, &error);
      g_assert_error (error, BA_GRAPH_ERROR, cases[i].error);
      g_assert_null (node);
      g_assert_nonnull (error->message);
      g_assert_cmpstr (error->message, !=, "");

      failure = ba_graph_client_get_last_failure (fixture->client);
      g_assert_nonnull (failure);
      g_assert_cmpuint (failure->status, ==, cases[i].status);
      g_assert_cmpstr (failure->code, ==, cases[i].code);
      g_assert_nonnull (failure->message);
      g_assert_nonnull (failure->request_id);
      g_assert_cmpstr (failure->request_id, !=, "");
      g_assert_true (ba_identifier_is_guid (failure->client_request_id));

      /* The boxed copy keeps everything. */
      {
        g_autoptr(BaGraphFailure) copy = g_boxed_copy (BA_TYPE_GRAPH_FAILURE, failure);

        g_assert_cmpuint (copy->status, ==, failure->status);
        g_assert_cmpstr (copy->code, ==, failure->code);
        g_assert_cmpstr (copy->request_id, ==, failure->request_id);
        g_assert_cmpstr (copy->client_request_id, ==, failure->client_request_id);
      }
    }

  /* Each request has its own client-request-id. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *first_id = NULL;

    first_id = g_strdup (ba_graph_client_get_last_failure (fixture->client)->client_request_id);
    ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/organization", 404,
                                          "Request_ResourceNotFound", 1);
    node = ba_test_graph_request (fixture->client, "GET", "/organization", NULL, &error);
    g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND);
    g_assert_cmpstr (ba_graph_client_get_last_failure (fixture->client)->client_request_id, !=, first_id);
  }
}

static void
test_invalid_response (Fixture       *fixture,
                       gconstpointer  data)
{
  for (guint truncate = 0; truncate <= 1; truncate++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) all_error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonArray) items = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      ba_graph_emulator_inject_garbage (fixture->emulator, "/v1.0/me", truncate, 1);
      node = ba_test_graph_request (fixture->client, "GET", "/me", NULL, &error);
      g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE);
      g_assert_null (node);

      ba_graph_emulator_inject_garbage (fixture->emulator, "/v1.0/groups", truncate, 1);
      ba_graph_client_get_all_async (fixture->client, "/groups", NULL, NULL, NULL, NULL,
                                     ba_test_store_result_cb, &result);
      items = ba_graph_client_get_all_finish (fixture->client, ba_test_wait_for_result (&result), &all_error);
      g_assert_error (all_error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE);
      g_assert_null (items);
    }

  /* A JSON answer that is not a collection is no page either. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonArray) items = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    ba_graph_client_get_all_async (fixture->client, "/me", NULL, NULL, NULL, NULL,
                                   ba_test_store_result_cb, &result);
    items = ba_graph_client_get_all_finish (fixture->client, ba_test_wait_for_result (&result), &error);
    g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE);
    g_assert_null (items);
  }
}

static void
test_cancel_during_retry_after (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 start = g_get_monotonic_time ();

  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/me", 429, 30, 1);
  ba_graph_client_request_async (fixture->client, "GET", "/me", NULL, NULL, cancellable,
                                 ba_test_store_result_cb, &result);
  while (count_status (fixture->emulator, "/v1.0/me", 429) == 0)
    g_main_context_iteration (NULL, TRUE);
  run_for_ms (200);
  g_assert_null (result);

  g_cancellable_cancel (cancellable);
  node = ba_graph_client_request_finish (fixture->client, ba_test_wait_for_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (node);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/me"), ==, 1);
}

/* A Graph stand-in for what the emulator does not do: foreign links,
 * HTTP-date Retry-After, and a record of the headers of every page. */
typedef struct
{
  SoupServer *server;
  char *url;
  int port;
  GPtrArray *paths;
  guint consistency_headers;
  guint authorized;
  guint throttled;
  gint64 throttled_at;
  gint64 retried_at;
} MiniGraph;

static void
mini_graph_handler (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  MiniGraph *mini = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (message);
  g_autofree char *body = NULL;

  g_ptr_array_add (mini->paths, g_strdup (path));
  if (g_strcmp0 (soup_message_headers_get_one (request_headers, "ConsistencyLevel"), "eventual") == 0)
    mini->consistency_headers++;
  if (g_str_has_prefix (soup_message_headers_get_one (request_headers, "Authorization") != NULL
                          ? soup_message_headers_get_one (request_headers, "Authorization") : "",
                        "Bearer "))
    mini->authorized++;

  if (g_strcmp0 (path, "/v1.0/pages") == 0)
    {
      const char *page_text = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
      gboolean foreign = query != NULL && g_hash_table_contains (query, "foreign");
      guint page = page_text != NULL ? (guint) g_ascii_strtoull (page_text, NULL, 10) : 0;
      g_autofree char *next = NULL;

      if (page < 2)
        next = g_strdup_printf (",\"@odata.nextLink\":\"%s/v1.0/pages?page=%u%s\"",
                                mini->url, page + 1, foreign ? "&foreign=1" : "");
      else if (foreign)
        next = g_strdup_printf (",\"@odata.nextLink\":\"http://localhost:%d/v1.0/pages?page=9\"",
                                mini->port);

      body = g_strdup_printf ("{\"value\":[{\"id\":\"%u-a\"},{\"id\":\"%u-b\"}]%s}",
                              page, page, next != NULL ? next : "");
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
      soup_server_message_set_status (message, 200, NULL);
      return;
    }

  if (g_strcmp0 (path, "/v1.0/throttled") == 0)
    {
      if (mini->throttled++ == 0)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 2);
          g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

          mini->throttled_at = g_get_monotonic_time ();
          soup_message_headers_replace (soup_server_message_get_response_headers (message), "Retry-After", date);
          soup_server_message_set_status (message, 429, NULL);
          return;
        }

      mini->retried_at = g_get_monotonic_time ();
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      soup_server_message_set_status (message, 200, NULL);
      return;
    }

  if (g_strcmp0 (path, "/v1.0/lowercase") == 0)
    {
      static const char error_body[] =
        "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Bad.\","
        "\"details\":[{\"code\":\"NoBackingApplicationObject\",\"message\":\"Not yet.\"}],"
        "\"innererror\":{\"date\":\"2026-01-01T10:00:00\",\"request-id\":\"inner-request\","
        "\"client-request-id\":\"inner-client-request\"}}}";

      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        error_body, strlen (error_body));
      soup_server_message_set_status (message, 400, NULL);
      return;
    }

  soup_server_message_set_status (message, 404, NULL);
}

static void
mini_graph_free (MiniGraph *mini)
{
  soup_server_disconnect (mini->server);
  g_clear_object (&mini->server);
  g_clear_pointer (&mini->url, g_free);
  g_clear_pointer (&mini->paths, g_ptr_array_unref);
  g_free (mini);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MiniGraph, mini_graph_free)

static MiniGraph *
mini_graph_new (void)
{
  MiniGraph *mini = g_new0 (MiniGraph, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  mini->paths = g_ptr_array_new_with_free_func (g_free);
  mini->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (mini->server, NULL, mini_graph_handler, mini, NULL);
  g_assert_true (soup_server_listen_local (mini->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (mini->server);
  mini->port = g_uri_get_port (uris->data);
  mini->url = g_strdup_printf ("http://127.0.0.1:%d", mini->port);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return mini;
}

/* A client whose Graph is the stand-in; tokens still come from the
 * emulator's identity platform. */
static BaGraphClient *
mini_graph_client (Fixture   *fixture,
                   MiniGraph *mini)
{
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(GError) error = NULL;
  BaGraphClient *client;

  g_setenv ("BA_GRAPH_URL", mini->url, TRUE);
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, NULL, &error);
  g_assert_no_error (error);

  client = ba_graph_client_new (cloud, fixture->session);
  ba_graph_client_set_retry_policy (client, 3, 10, 20);
  return client;
}

static void
test_next_link_headers (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MiniGraph) mini = mini_graph_new ();
  g_autoptr(BaGraphClient) client = mini_graph_client (fixture, mini);
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = NULL;

  g_hash_table_insert (headers, (char *) "ConsistencyLevel", (char *) "eventual");
  ba_graph_client_get_all_async (client, "/pages?page=0", headers, NULL, NULL, NULL,
                                 ba_test_store_result_cb, &result);
  items = ba_graph_client_get_all_finish (client, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (items), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 5), "id"), ==, "2-b");

  /* Every page had the token and the extra header again. */
  g_assert_cmpuint (mini->paths->len, ==, 3);
  g_assert_cmpuint (mini->consistency_headers, ==, 3);
  g_assert_cmpuint (mini->authorized, ==, 3);
}

static void
test_next_link_foreign (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MiniGraph) mini = mini_graph_new ();
  g_autoptr(BaGraphClient) client = mini_graph_client (fixture, mini);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) direct = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *lookalike = NULL;

  /* The third page links to the same server under another host name:
   * the token must not follow it. */
  ba_graph_client_get_all_async (client, "/pages?page=0&foreign=1", NULL, NULL, NULL, NULL,
                                 ba_test_store_result_cb, &result);
  items = ba_graph_client_get_all_finish (client, ba_test_wait_for_result (&result), &error);
  g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE);
  g_assert_null (items);
  g_assert_cmpuint (mini->paths->len, ==, 3);

  /* Nor a URL that only starts like the Graph base. */
  lookalike = g_strconcat (mini->url, "/v1.0.evil.example/pages", NULL);
  ba_graph_client_request_async (client, "GET", lookalike, NULL, NULL, NULL, ba_test_store_result_cb, &direct);
  node = ba_graph_client_request_finish (client, ba_test_wait_for_result (&direct), &direct_error);
  g_assert_error (direct_error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE);
  g_assert_null (node);
  g_assert_cmpuint (mini->paths->len, ==, 3);
}

static void
test_retry_after_date (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(MiniGraph) mini = mini_graph_new ();
  g_autoptr(BaGraphClient) client = mini_graph_client (fixture, mini);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = ba_test_graph_request (client, "GET", "/throttled", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (mini->throttled, ==, 2);
  /* HTTP-dates have whole seconds: "now + 2 s" is at least 1 s away. */
  g_assert_cmpint (mini->retried_at - mini->throttled_at, >=, G_USEC_PER_SEC);
}

/* innererror in lower case, no request-id header, and the replication
 * code only in details[]. */
static void
test_error_body_variants (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(MiniGraph) mini = mini_graph_new ();
  g_autoptr(BaGraphClient) client = mini_graph_client (fixture, mini);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  const BaGraphFailure *failure;

  node = ba_test_graph_request (client, "POST", "/lowercase", NULL, &error);
  g_assert_error (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NO_BACKING_APPLICATION);
  g_assert_null (node);

  failure = ba_graph_client_get_last_failure (client);
  g_assert_cmpuint (failure->status, ==, 400);
  g_assert_cmpstr (failure->code, ==, "Request_BadRequest");
  g_assert_cmpstr (failure->message, ==, "Bad.");
  g_assert_cmpstr (failure->request_id, ==, "inner-request");
  g_assert_cmpstr (failure->client_request_id, ==, "inner-client-request");
  g_assert_cmpstr (failure->date, ==, "2026-01-01T10:00:00");
}

static void
test_insecure_endpoint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaCloud) cloud = NULL;
  g_autofree char *normalized = NULL;

  normalized = ba_cloud_normalize_endpoint ("http://graph.example.com", &error);
  g_assert_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INSECURE_URL);
  g_assert_null (normalized);
  g_clear_error (&error);

  g_setenv ("BA_GRAPH_URL", "http://graph.example.com", TRUE);
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, NULL, &error);
  g_assert_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INSECURE_URL);
  g_assert_null (cloud);
  g_unsetenv ("BA_GRAPH_URL");
}

int
main (int   argc,
      char *argv[])
{
  /* The desktop's proxy resolver reads GNOME's proxy settings, whose
   * schema the tests do not have; the emulator is on loopback anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/graph-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("round-trips", test_round_trips);
  ADD ("paging", test_paging);
  ADD ("unauthorized-refresh", test_unauthorized_refresh);
  ADD ("throttle-gate", test_throttle_gate);
  ADD ("unavailable-retried", test_unavailable_retried);
  ADD ("retries-bounded", test_retries_bounded);
  ADD ("dropped-connection", test_dropped_connection);
  ADD ("error-mapping", test_error_mapping);
  ADD ("invalid-response", test_invalid_response);
  ADD ("cancel-during-retry-after", test_cancel_during_retry_after);
  ADD ("next-link-headers", test_next_link_headers);
  ADD ("next-link-foreign", test_next_link_foreign);
  ADD ("retry-after-date", test_retry_after_date);
  ADD ("error-body-variants", test_error_body_variants);
  g_test_add_func ("/ba/graph-client/insecure-endpoint", test_insecure_endpoint);

#undef ADD

  return g_test_run ();
}
