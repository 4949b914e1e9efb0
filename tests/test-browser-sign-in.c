/* test-browser-sign-in.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <libsoup/soup.h>

#include "ba-browser-sign-in.h"
#include "ba-graph-emulator.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

/* The authorization code + PKCE sign-in against the emulator. The
 * "browser" is a SoupSession that opens the authorize URI and follows the
 * emulator's 302 to the loopback listener, as a real browser would. */

#define TOKEN_PATH "/organizations/oauth2/v2.0/token"

typedef struct
{
  BaGraphEmulator *emulator;
  BaCloud         *cloud;
  BaBrowserSignIn *sign_in;
  SoupSession     *browser;
  GAsyncResult    *result;
  GAsyncResult    *page_result;
  SoupMessage     *page;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->emulator = ba_test_emulator_new (&fixture->cloud);
  fixture->sign_in = ba_browser_sign_in_new (fixture->cloud, BA_TEST_CLIENT_ID, NULL, NULL);
  fixture->browser = soup_session_new ();
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->page_result);
  g_clear_object (&fixture->page);
  g_clear_object (&fixture->sign_in);
  g_clear_object (&fixture->browser);
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
start (Fixture *fixture)
{
  ba_browser_sign_in_run_async (fixture->sign_in, NULL, ba_test_store_result_cb, &fixture->result);
  g_assert_nonnull (ba_browser_sign_in_get_authorize_uri (fixture->sign_in));
}

/* The browser opens a URI and follows redirects; returns the final body. */
static GBytes *
browse (Fixture    *fixture,
        const char *uri,
        GError    **error)
{
  GBytes *body;

  g_clear_object (&fixture->page);
  g_clear_object (&fixture->page_result);
  fixture->page = soup_message_new ("GET", uri);
  soup_session_send_and_read_async (fixture->browser, fixture->page, G_PRIORITY_DEFAULT, NULL,
                                    ba_test_store_result_cb, &fixture->page_result);
  while (fixture->page_result == NULL)
    g_main_context_iteration (NULL, TRUE);

  body = soup_session_send_and_read_finish (fixture->browser, fixture->page_result, error);
  return body;
}

static BaSession *
finish (Fixture *fixture,
        GError **error)
{
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ba_browser_sign_in_run_finish (fixture->sign_in, fixture->result, error);
}

static GHashTable *
authorize_query (Fixture *fixture)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;

  uri = g_uri_parse (ba_browser_sign_in_get_authorize_uri (fixture->sign_in), G_URI_FLAGS_ENCODED_QUERY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/organizations/oauth2/v2.0/authorize");

  return soup_form_decode (g_uri_get_query (uri));
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8           digest[32];
  gsize            len = sizeof digest;
  g_autofree char *base64 = NULL;
  GString         *out = g_string_new (NULL);

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  base64 = g_base64_encode (digest, len);
  for (const char *p = base64; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_'
                                                        : *p);

  return g_string_free (out, FALSE);
}

static void
test_round_trip (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autofree char         *favicon = NULL;
  g_autofree char         *challenge = NULL;
  g_autofree char         *second_state = NULL;
  const BaEmulatorRequest *request;
  const char              *redirect_uri;
  const char              *verifier;

  start (fixture);
  query = authorize_query (fixture);
  g_assert_cmpstr (g_hash_table_lookup (query, "client_id"), ==, BA_TEST_CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (query, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (query, "code_challenge_method"), ==, "S256");
  g_assert_cmpstr (g_hash_table_lookup (query, "prompt"), ==, "select_account");
  g_assert_nonnull (strstr (g_hash_table_lookup (query, "scope"), "offline_access"));
  g_assert_cmpuint (strlen (g_hash_table_lookup (query, "state")), >=, 22);
  redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  g_assert_true (g_str_has_prefix (redirect_uri, "http://localhost:"));

  /* Something else than the redirect does not end the sign-in. */
  favicon = g_strconcat (redirect_uri, "/favicon.ico", NULL);
  probe = browse (fixture, favicon, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (fixture->page), ==, 404);
  g_assert_null (fixture->result);

  page = browse (fixture, ba_browser_sign_in_get_authorize_uri (fixture->sign_in), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (fixture->page), ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (soup_message_get_response_headers (fixture->page), NULL),
                                   "text/html"));
  g_assert_cmpuint (g_bytes_get_size (page), >, 0);

  session = finish (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpstr (ba_session_get_upn (session), ==, "admin@contoso.onmicrosoft.com");
  g_assert_cmpstr (ba_session_get_tenant_id (session), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));

  /* The code was redeemed with the verifier of the challenge. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 1);
  request = ba_graph_emulator_last_request (fixture->emulator, "POST", TOKEN_PATH);
  g_assert_cmpuint (request->status, ==, 200);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "grant_type"), ==, "authorization_code");
  g_assert_cmpstr (g_hash_table_lookup (request->form, "redirect_uri"), ==, redirect_uri);
  verifier = g_hash_table_lookup (request->form, "code_verifier");
  g_assert_nonnull (verifier);
  g_assert_cmpuint (strlen (verifier), >=, 43);
  challenge = s256 (verifier);
  g_assert_cmpstr (challenge, ==, g_hash_table_lookup (query, "code_challenge"));

  /* A new run has a new state and verifier. */
  g_clear_object (&fixture->result);
  start (fixture);
  {
    g_autoptr(GHashTable) second = authorize_query (fixture);

    second_state = g_strdup (g_hash_table_lookup (second, "state"));
    g_assert_cmpstr (second_state, !=, g_hash_table_lookup (query, "state"));
    g_assert_cmpstr (g_hash_table_lookup (second, "code_challenge"), !=, g_hash_table_lookup (query, "code_challenge"));
  }
  {
    g_autoptr(BaSession) none = NULL;

    g_clear_pointer (&page, g_bytes_unref);
    page = browse (fixture, ba_browser_sign_in_get_authorize_uri (fixture->sign_in), &error);
    g_assert_no_error (error);
    none = finish (fixture, &error);
    g_assert_no_error (error);
    g_assert_nonnull (none);
  }
}

static void
test_state_mismatch (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;

  ba_graph_emulator_set_authorize_outcome (fixture->emulator, FALSE, "forged-state");
  start (fixture);
  page = browse (fixture, ba_browser_sign_in_get_authorize_uri (fixture->sign_in), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (fixture->page), ==, 200);

  session = finish (fixture, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_STATE_MISMATCH);
  g_assert_null (session);
  /* The code of a foreign answer is never redeemed. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 0);
}

static void
test_declined (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;

  ba_graph_emulator_set_authorize_outcome (fixture->emulator, TRUE, NULL);
  start (fixture);
  page = browse (fixture, ba_browser_sign_in_get_authorize_uri (fixture->sign_in), &error);
  g_assert_no_error (error);

  session = finish (fixture, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_DECLINED);
  g_assert_null (session);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 0);
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GUri) redirect = NULL;
  g_autofree char *direct = NULL;

  ba_browser_sign_in_run_async (fixture->sign_in, cancellable, ba_test_store_result_cb, &fixture->result);
  query = authorize_query (fixture);
  redirect = g_uri_parse (g_hash_table_lookup (query, "redirect_uri"), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  session = finish (fixture, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (session);
  g_clear_error (&error);

  /* The listener is gone. */
  direct = g_strdup_printf ("http://127.0.0.1:%d/?code=x&state=y", g_uri_get_port (redirect));
  page = browse (fixture, direct, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/browser-sign-in/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("round-trip", test_round_trip);
  ADD ("state-mismatch", test_state_mismatch);
  ADD ("declined", test_declined);
  ADD ("cancel", test_cancel);

#undef ADD

  return g_test_run ();
}
