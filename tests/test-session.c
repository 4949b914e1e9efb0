/* test-session.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <libsecret/secret.h>

#include "ba-device-code-flow.h"
#include "ba-graph-emulator.h"
#include "ba-secret-store.h"
#include "ba-session.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

/* BaSession against the emulator: refresh, invalid_grant, shared
 * refreshes, roles, and "stay signed in" against the real desktop keyring
 * (build-aux/test-session runs a gnome-keyring-daemon in a private D-Bus
 * session). */


typedef struct
{
  BaGraphEmulator *emulator;
  BaCloud         *cloud;
  char            *token_path;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->emulator = ba_test_emulator_new (&fixture->cloud);
  fixture->token_path = g_strdup_printf ("/%s/oauth2/v2.0/token",
                                         ba_graph_emulator_get_tenant_id (fixture->emulator));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);
  g_clear_pointer (&fixture->token_path, g_free);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A real sign-in through the device code flow. */
static BaSession *
sign_in (Fixture *fixture)
{
  g_autoptr(BaDeviceCodeFlow) flow = ba_device_code_flow_new (fixture->cloud, BA_TEST_CLIENT_ID, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BaSession *session;

  _ba_device_code_flow_set_interval_ms (flow, 10);
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_device_code_flow_run_async (flow, NULL, ba_test_store_result_cb, &result);
  session = ba_device_code_flow_run_finish (flow, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  ba_graph_emulator_clear_requests (fixture->emulator);

  return session;
}

static char *
get_token (BaSession *session,
           gboolean   force,
           GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_session_get_access_token_async (session, force, NULL, ba_test_store_result_cb, &result);
  return ba_session_get_access_token_finish (session, ba_test_wait_for_result (&result), error);
}

static char *
lookup_kept (Fixture    *fixture,
             const char *tenant)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;
  char *copy;

  ba_secret_store_lookup_refresh_token_async ("global", tenant, BA_TEST_CLIENT_ID, NULL, ba_test_store_result_cb, &result);
  token = ba_secret_store_lookup_refresh_token_finish (ba_test_wait_for_result (&result), NULL, &error);
  g_assert_no_error (error);

  /* Secure memory: copied for the g_autofree of the tests. */
  copy = g_strdup (token);
  ba_secret_store_free_passphrase (token);

  return copy;
}

static BaSession *
restore (Fixture    *fixture,
         const char *tenant,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_session_restore_async (fixture->cloud, BA_TEST_CLIENT_ID, tenant, NULL, ba_test_store_result_cb, &result);
  return ba_session_restore_finish (ba_test_wait_for_result (&result), error);
}

static void
sign_out (BaSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ba_session_sign_out_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_sign_out_finish (session, ba_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

static char *
make_jwt_part (const char *json)
{
  g_autofree char *base64 = g_base64_encode ((const guchar *) json, strlen (json));
  GString         *out = g_string_new (NULL);

  for (const char *p = base64; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_'
                                                        : *p);

  return g_string_free (out, FALSE);
}

static void
test_token_response (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(BaSession) session = ba_session_new (fixture->cloud, BA_TEST_CLIENT_ID);
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = make_jwt_part ("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
  /* "Jörg" and a "?" make base64url differ from base64. */
  g_autofree char *claims = make_jwt_part ("{\"tid\":\"11111111-2222-3333-4444-555555555555\","
                                           "\"oid\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\","
                                           "\"preferred_username\":\"jorg@fabrikam.com\","
                                           "\"name\":\"J\xc3\xb6rg Admin???\"}");
  g_autofree char *json = NULL;
  g_autofree char *token = NULL;
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;

  json = g_strdup_printf ("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"at-1\","
                          "\"refresh_token\":\"rt-1\",\"id_token\":\"%s.%s.sig\"}",
                          header, claims);
  response = ba_test_parse_object (json);

  g_assert_true (ba_session_take_token_response (session, response, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ba_session_get_tenant_id (session), ==, "11111111-2222-3333-4444-555555555555");
  g_assert_cmpstr (ba_session_get_user_id (session), ==, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  g_assert_cmpstr (ba_session_get_upn (session), ==, "jorg@fabrikam.com");
  g_assert_cmpstr (ba_session_get_display_name (session), ==, "J\xc3\xb6rg Admin???");
  g_assert_cmpint (ba_session_get_expires_at (session), >=, now + 3599);
  g_assert_cmpint (ba_session_get_expires_at (session), <=, now + 3601);

  /* Valid for long enough: the token held, without a request. */
  token = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "at-1");
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, NULL, NULL), ==, 0);

  bad = ba_test_parse_object ("{\"token_type\":\"Bearer\",\"expires_in\":3599}");
  g_assert_false (ba_session_take_token_response (session, bad, &error));
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_FAILED);
}

static void
check_mapping (const char     *json,
               BaIdentityError code)
{
  g_autoptr(JsonObject) response = ba_test_parse_object (json);
  g_autoptr(GError) error = ba_identity_error_from_response (response);

  g_assert_error (error, BA_IDENTITY_ERROR, (int) code);
  g_assert_cmpstr (error->message, !=, "");
  /* Entra's trace lines never reach people. */
  g_assert_null (strstr (error->message, "Trace ID"));
}

static void
test_error_mapping (Fixture      *fixture,
                    gconstpointer data)
{
  check_mapping ("{\"error\":\"invalid_grant\",\"error_codes\":[53003],"
                 "\"error_description\":\"AADSTS53003: Access has been blocked by Conditional Access policies.\\r\\nTrace ID: 1\\r\\nCorrelation ID: 2\","
                 "\"trace_id\":\"1\",\"correlation_id\":\"2\"}",
                 BA_IDENTITY_ERROR_POLICY_BLOCKED);
  check_mapping ("{\"error\":\"invalid_grant\",\"error_codes\":[50199]}", BA_IDENTITY_ERROR_INTERACTION_REQUIRED);
  check_mapping ("{\"error\":\"invalid_client\",\"error_codes\":[7000218]}", BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC);
  check_mapping ("{\"error\":\"invalid_grant\",\"error_codes\":[65001]}", BA_IDENTITY_ERROR_CONSENT_REQUIRED);
  check_mapping ("{\"error\":\"invalid_grant\",\"error_codes\":[65002]}", BA_IDENTITY_ERROR_CONSENT_REQUIRED);
  check_mapping ("{\"error\":\"unauthorized_client\",\"error_codes\":[700016]}", BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND);
  check_mapping ("{\"error\":\"invalid_client\",\"error_codes\":[700027]}", BA_IDENTITY_ERROR_CERTIFICATE_REJECTED);
  check_mapping ("{\"error\":\"invalid_client\",\"error_codes\":[7000215]}", BA_IDENTITY_ERROR_INVALID_CREDENTIAL);
  check_mapping ("{\"error\":\"invalid_grant\",\"error_codes\":[50173]}", BA_IDENTITY_ERROR_INVALID_GRANT);
  check_mapping ("{\"error\":\"authorization_declined\"}", BA_IDENTITY_ERROR_DECLINED);
  check_mapping ("{\"error\":\"access_denied\"}", BA_IDENTITY_ERROR_DECLINED);
  check_mapping ("{\"error\":\"expired_token\"}", BA_IDENTITY_ERROR_EXPIRED);
  check_mapping ("{\"error\":\"bad_verification_code\"}", BA_IDENTITY_ERROR_BAD_VERIFICATION_CODE);
  check_mapping ("{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS70011: bad scope\\r\\nTrace ID: 3\"}",
                 BA_IDENTITY_ERROR_FAILED);
  /* The code is read from the description when error_codes is missing. */
  check_mapping ("{\"error\":\"invalid_request\",\"error_description\":\"AADSTS7000218: The request body must contain client_assertion.\"}",
                 BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC);
}

static void
test_refresh_forced (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(BaSession) session = sign_in (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char         *first = NULL;
  g_autofree char         *second = NULL;
  g_autofree char         *third = NULL;
  g_autofree char         *first_rt = NULL;
  const BaEmulatorRequest *request;

  first = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, NULL, NULL), ==, 0);

  /* After a 401: refresh at the tenant's GUID, not "organizations". */
  second = get_token (session, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 1);
  request = ba_graph_emulator_last_request (fixture->emulator, "POST", fixture->token_path);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (g_hash_table_lookup (request->form, "client_id"), ==, BA_TEST_CLIENT_ID);
  g_assert_nonnull (g_hash_table_lookup (request->form, "scope"));
  first_rt = g_strdup (g_hash_table_lookup (request->form, "refresh_token"));
  g_assert_nonnull (first_rt);

  /* The refresh token is replaced each time. */
  third = get_token (session, TRUE, &error);
  g_assert_no_error (error);
  request = ba_graph_emulator_last_request (fixture->emulator, "POST", fixture->token_path);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "refresh_token"), !=, first_rt);
  g_assert_cmpstr (ba_session_get_upn (session), ==, "admin@contoso.onmicrosoft.com");
}

static void
test_refresh_near_expiry (Fixture      *fixture,
                          gconstpointer data)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  /* Four minutes: inside the five-minute margin. */
  ba_graph_emulator_set_token_lifetime (fixture->emulator, 240);
  session = sign_in (fixture);

  first = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 1);

  ba_graph_emulator_set_token_lifetime (fixture->emulator, 3599);
  second = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 2);
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpint (ba_session_get_expires_at (session), >, g_get_real_time () / G_USEC_PER_SEC + 3000);

  third = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, ==, second);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 2);
}

static void
test_refresh_shared (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(BaSession) session = sign_in (fixture);
  GAsyncResult *results[4] = {
    NULL,
  };
  g_autofree char *tokens[G_N_ELEMENTS (results)] = {
    NULL,
  };

  ba_graph_emulator_set_latency (fixture->emulator, 100);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    ba_session_get_access_token_async (session, TRUE, NULL, ba_test_store_result_cb, &results[i]);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;

      tokens[i] = ba_session_get_access_token_finish (session, ba_test_wait_for_result (&results[i]), &error);
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }

  /* Four requests that got a 401 at once: one refresh for all. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 1);
  for (guint i = 1; i < G_N_ELEMENTS (results); i++)
    g_assert_cmpstr (tokens[i], ==, tokens[0]);

  ba_graph_emulator_set_latency (fixture->emulator, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    g_clear_pointer (&tokens[i], g_free);
}

static void
test_invalid_grant (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr(BaSession) session = sign_in (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  ba_graph_emulator_revoke_refresh_tokens (fixture->emulator);
  token = get_token (session, TRUE, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT);
  g_assert_null (token);
  g_clear_error (&error);
  g_assert_cmpint (ba_session_get_expires_at (session), ==, 0);

  /* The tokens are gone: nothing more is sent. */
  token = get_token (session, FALSE, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 1);
}

static void
test_refresh_retry_after (Fixture      *fixture,
                          gconstpointer data)
{
  g_autoptr(BaSession) session = sign_in (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char         *token = NULL;
  GPtrArray               *requests;
  const BaEmulatorRequest *first;
  const BaEmulatorRequest *second;

  ba_graph_emulator_inject_status (fixture->emulator, fixture->token_path, 429, 1, 1);
  token = get_token (session, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);

  requests = ba_graph_emulator_get_requests (fixture->emulator);
  g_assert_cmpuint (requests->len, ==, 2);
  first = g_ptr_array_index (requests, 0);
  second = g_ptr_array_index (requests, 1);
  g_assert_cmpuint (first->status, ==, 429);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_cmpint (second->time_us - first->time_us, >=, G_USEC_PER_SEC);
}

static void
test_not_kept (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *kept = NULL;

  ba_test_require_keyring ();
  session = sign_in (fixture);
  g_assert_false (ba_session_get_stay_signed_in (session));
  token = get_token (session, TRUE, &error);
  g_assert_no_error (error);

  /* Give any (wrong) background store time to land. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    ba_session_save_async (session, NULL, ba_test_store_result_cb, &result);
    g_assert_true (ba_session_save_finish (session, ba_test_wait_for_result (&result), &error));
    g_assert_no_error (error);
  }

  kept = lookup_kept (fixture, ba_session_get_tenant_id (session));
  g_assert_null (kept);
}

static void
test_stay_signed_in (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaSession) restored = NULL;
  g_autoptr(BaSession) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char         *kept = NULL;
  g_autofree char         *kept_after = NULL;
  g_autofree char         *token = NULL;
  g_autofree char         *tenant = NULL;
  const BaEmulatorRequest *request;

  ba_test_require_keyring ();
  session = sign_in (fixture);
  tenant = g_strdup (ba_session_get_tenant_id (session));

  ba_session_set_stay_signed_in (session, TRUE);
  ba_session_save_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (session, ba_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  kept = lookup_kept (fixture, tenant);
  g_assert_nonnull (kept);

  /* A new session, as the CLI or the window would make it: most recent of
   * the cloud, the refresh at the tenant, the entry replaced. */
  restored = restore (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);
  g_assert_true (ba_session_get_stay_signed_in (restored));
  g_assert_cmpstr (ba_session_get_tenant_id (restored), ==, tenant);
  g_assert_cmpstr (ba_session_get_upn (restored), ==, "admin@contoso.onmicrosoft.com");
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", fixture->token_path), ==, 1);
  request = ba_graph_emulator_last_request (fixture->emulator, "POST", fixture->token_path);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "refresh_token"), ==, kept);

  token = get_token (restored, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);

  ba_session_save_async (restored, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (restored, ba_test_wait_for_result (&result), &error));
  g_clear_object (&result);
  kept_after = lookup_kept (fixture, tenant);
  g_assert_nonnull (kept_after);
  g_assert_cmpstr (kept_after, !=, kept);

  /* By tenant too; its refresh stores the new token, done before the
   * sign-out below removes it. */
  again = restore (fixture, tenant, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  ba_session_save_async (again, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (again, ba_test_wait_for_result (&result), &error));
  g_clear_object (&result);
  g_clear_object (&again);

  /* Signing out deletes the entry: nothing to restore any more. */
  sign_out (restored);
  g_assert_false (ba_session_get_stay_signed_in (restored));
  g_clear_pointer (&token, g_free);
  token = get_token (restored, FALSE, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);
  g_clear_pointer (&kept_after, g_free);
  kept_after = lookup_kept (fixture, tenant);
  g_assert_null (kept_after);

  again = restore (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN);
  g_assert_null (again);
}

static void
test_restore_invalid_grant (Fixture      *fixture,
                            gconstpointer data)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaSession) restored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *tenant = NULL;

  ba_test_require_keyring ();
  session = sign_in (fixture);
  tenant = g_strdup (ba_session_get_tenant_id (session));
  ba_session_set_stay_signed_in (session, TRUE);
  ba_session_save_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (session, ba_test_wait_for_result (&result), &error));

  ba_graph_emulator_revoke_refresh_tokens (fixture->emulator);
  restored = restore (fixture, tenant, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT);
  g_assert_null (restored);

  kept = lookup_kept (fixture, tenant);
  g_assert_null (kept);
}

static void
test_stay_signed_in_off (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *tenant = NULL;

  ba_test_require_keyring ();
  session = sign_in (fixture);
  tenant = g_strdup (ba_session_get_tenant_id (session));
  ba_session_set_stay_signed_in (session, TRUE);
  ba_session_save_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (session, ba_test_wait_for_result (&result), &error));
  g_clear_object (&result);

  /* Turning it off removes the entry; a save (which then does nothing)
   * returns after the session's earlier keyring work. */
  ba_session_set_stay_signed_in (session, FALSE);
  ba_session_save_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_save_finish (session, ba_test_wait_for_result (&result), &error));
  kept = lookup_kept (fixture, tenant);
  g_assert_null (kept);
}

static void
test_roles (Fixture      *fixture,
            gconstpointer data)
{
  static const char * const limited[] = { "Application Administrator", NULL };
  static const char * const privileged[] = { "Application Administrator", "Privileged Role Administrator", NULL };
  g_autoptr(BaSession) session = sign_in (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *roles;

  g_assert_false (ba_session_can_grant_graph_roles (session));

  ba_session_load_roles_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_load_roles_finish (session, ba_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  roles = ba_session_get_roles (session);
  g_assert_nonnull (roles);
  g_assert_true (g_strv_contains (roles, "Global Administrator"));
  g_assert_true (ba_session_can_grant_graph_roles (session));

  ba_graph_emulator_set_admin (fixture->emulator, "admin@contoso.onmicrosoft.com", "Admin", limited);
  ba_session_load_roles_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_load_roles_finish (session, ba_test_wait_for_result (&result), &error));
  g_clear_object (&result);
  g_assert_true (g_strv_contains (ba_session_get_roles (session), "Application Administrator"));
  g_assert_false (ba_session_can_grant_graph_roles (session));

  ba_graph_emulator_set_admin (fixture->emulator, "admin@contoso.onmicrosoft.com", "Admin", privileged);
  ba_session_load_roles_async (session, NULL, ba_test_store_result_cb, &result);
  g_assert_true (ba_session_load_roles_finish (session, ba_test_wait_for_result (&result), &error));
  g_assert_true (ba_session_can_grant_graph_roles (session));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("token-response", test_token_response);
  ADD ("error-mapping", test_error_mapping);
  ADD ("refresh-forced", test_refresh_forced);
  ADD ("refresh-near-expiry", test_refresh_near_expiry);
  ADD ("refresh-shared", test_refresh_shared);
  ADD ("invalid-grant", test_invalid_grant);
  ADD ("refresh-retry-after", test_refresh_retry_after);
  ADD ("not-kept", test_not_kept);
  ADD ("stay-signed-in", test_stay_signed_in);
  ADD ("stay-signed-in-off", test_stay_signed_in_off);
  ADD ("restore-invalid-grant", test_restore_invalid_grant);
  ADD ("roles", test_roles);

#undef ADD

  return g_test_run ();
}
