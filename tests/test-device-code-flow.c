/* test-device-code-flow.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-device-code-flow.h"
#include "ba-graph-emulator.h"
#include "ba-test-emulator-utils.h"

/* The device code flow against the emulator, over real HTTP on loopback.
 * The poll interval comes from the test seam in milliseconds, so nothing
 * waits the server's seconds. */

#define TOKEN_PATH "/organizations/oauth2/v2.0/token"
#define DEVICECODE_PATH "/organizations/oauth2/v2.0/devicecode"

typedef struct
{
  BaGraphEmulator  *emulator;
  BaCloud          *cloud;
  BaDeviceCodeFlow *flow;
  GAsyncResult     *result;
  GArray           *states;
  GArray           *seconds_left;
  gint64            waiting_since;
  GCancellable     *cancel_on_first_poll;
} Fixture;

static void
on_flow_state_cb (BaDeviceCodeFlow *flow,
                  GParamSpec       *pspec,
                  Fixture          *fixture)
{
  BaSignInState state = ba_device_code_flow_get_state (flow);

  g_array_append_val (fixture->states, state);
  if (state == BA_SIGN_IN_STATE_WAITING)
    fixture->waiting_since = g_get_monotonic_time ();
}

static void
on_flow_seconds_left_cb (BaDeviceCodeFlow *flow,
                         GParamSpec       *pspec,
                         Fixture          *fixture)
{
  guint left = ba_device_code_flow_get_seconds_left (flow);

  g_array_append_val (fixture->seconds_left, left);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->emulator = ba_test_emulator_new (&fixture->cloud);

  fixture->flow = ba_device_code_flow_new (fixture->cloud, BA_TEST_CLIENT_ID, NULL, NULL);
  _ba_device_code_flow_set_interval_ms (fixture->flow, 20);
  fixture->states = g_array_new (FALSE, FALSE, sizeof (BaSignInState));
  fixture->seconds_left = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (fixture->flow, "notify::state", G_CALLBACK (on_flow_state_cb), fixture);
  g_signal_connect (fixture->flow, "notify::seconds-left", G_CALLBACK (on_flow_seconds_left_cb), fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->flow);
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);
  g_clear_pointer (&fixture->states, g_array_unref);
  g_clear_pointer (&fixture->seconds_left, g_array_unref);

  /* Let pending sources of the emulator and libsoup finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

static BaSession *
run_flow (Fixture      *fixture,
          GCancellable *cancellable,
          GError      **error)
{
  g_clear_object (&fixture->result);
  ba_device_code_flow_run_async (fixture->flow, cancellable, run_cb, fixture);
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ba_device_code_flow_run_finish (fixture->flow, fixture->result, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static const BaEmulatorRequest *
nth_request (Fixture    *fixture,
             const char *path,
             guint       n)
{
  GPtrArray *requests = ba_graph_emulator_get_requests (fixture->emulator);
  guint      seen = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *request = g_ptr_array_index (requests, i);

      if (g_strcmp0 (request->path, path) == 0 && seen++ == n)
        return request;
    }

  g_assert_not_reached ();
  return NULL;
}

static void
test_approved (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  const BaEmulatorRequest *request;
  g_auto(GStrv) scopes = NULL;
  BaSignInState expected[] = {
    BA_SIGN_IN_STATE_REQUESTING,
    BA_SIGN_IN_STATE_WAITING,
    BA_SIGN_IN_STATE_SIGNED_IN,
  };

  ba_graph_emulator_script_polls (fixture->emulator,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_APPROVED,
                                  NULL);

  session = run_flow (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (BA_IS_SESSION (session));
  g_assert_true (ba_device_code_flow_get_session (fixture->flow) == session);
  g_assert_cmpint (ba_device_code_flow_get_state (fixture->flow), ==, BA_SIGN_IN_STATE_SIGNED_IN);
  g_assert_null (ba_device_code_flow_get_error (fixture->flow));

  g_assert_cmpuint (fixture->states->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (fixture->states, BaSignInState, i), ==, expected[i]);

  g_assert_cmpstr (ba_device_code_flow_get_user_code (fixture->flow), ==,
                   ba_graph_emulator_get_last_user_code (fixture->emulator));
  g_assert_true (g_str_has_suffix (ba_device_code_flow_get_verification_uri (fixture->flow), "/devicelogin"));
  g_assert_nonnull (ba_device_code_flow_get_message (fixture->flow));
  g_assert_cmpuint (ba_device_code_flow_get_interval (fixture->flow), ==, 5);

  g_assert_cmpstr (ba_session_get_upn (session), ==, "admin@contoso.onmicrosoft.com");
  g_assert_cmpstr (ba_session_get_tenant_id (session), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));
  g_assert_nonnull (ba_session_get_user_id (session));
  g_assert_nonnull (ba_session_get_display_name (session));
  g_assert_cmpint (ba_session_get_expires_at (session), >, g_get_real_time () / G_USEC_PER_SEC + 3000);

  /* One code, then a poll per script entry; the form is what §2.1/§2.3 say. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", DEVICECODE_PATH), ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 3);

  request = ba_graph_emulator_last_request (fixture->emulator, "POST", DEVICECODE_PATH);
  g_assert_cmpstr (request->content_type, ==, "application/x-www-form-urlencoded");
  g_assert_cmpstr (g_hash_table_lookup (request->form, "client_id"), ==, BA_TEST_CLIENT_ID);
  scopes = g_strsplit (g_hash_table_lookup (request->form, "scope"), " ", -1);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "offline_access"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "openid"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "Application.ReadWrite.All"));

  request = ba_graph_emulator_last_request (fixture->emulator, "POST", TOKEN_PATH);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "grant_type"), ==,
                   "urn:ietf:params:oauth:grant-type:device_code");
  g_assert_cmpstr (g_hash_table_lookup (request->form, "client_id"), ==, BA_TEST_CLIENT_ID);
  g_assert_nonnull (g_hash_table_lookup (request->form, "device_code"));
  g_assert_false (g_hash_table_contains (request->form, "client_secret"));
}

static void
test_slow_down (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  gint64 first_gap;
  gint64 second_gap;

  /* A 1 s server interval scaled to 50 ms: after slow_down the interval
   * is 6 s, scaled to 300 ms, for the rest of the run. */
  ba_graph_emulator_set_device_code_times (fixture->emulator, 900, 1);
  _ba_device_code_flow_set_interval_ms (fixture->flow, 50);
  ba_graph_emulator_script_polls (fixture->emulator,
                                  BA_EMULATOR_POLL_SLOW_DOWN,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_APPROVED,
                                  NULL);

  session = run_flow (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpuint (ba_device_code_flow_get_interval (fixture->flow), ==, 6);

  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 3);
  first_gap = nth_request (fixture, TOKEN_PATH, 0)->time_us - nth_request (fixture, DEVICECODE_PATH, 0)->time_us;
  second_gap = nth_request (fixture, TOKEN_PATH, 1)->time_us - nth_request (fixture, TOKEN_PATH, 0)->time_us;
  g_assert_cmpint (second_gap, >=, 300 * 1000);
  g_assert_cmpint (first_gap, <, second_gap);
  /* Permanently: the wait after pending stays long too. */
  g_assert_cmpint (nth_request (fixture, TOKEN_PATH, 2)->time_us - nth_request (fixture, TOKEN_PATH, 1)->time_us,
                   >=, 300 * 1000);
}

static void
check_failure (Fixture        *fixture,
               BaEmulatorPoll  poll,
               BaIdentityError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  const GError *flow_error;

  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_PENDING, poll, NULL);

  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, (int) code);
  g_assert_null (session);
  g_assert_cmpstr (error->message, !=, "");

  g_assert_cmpint (ba_device_code_flow_get_state (fixture->flow), ==, BA_SIGN_IN_STATE_FAILED);
  flow_error = ba_device_code_flow_get_error (fixture->flow);
  g_assert_nonnull (flow_error);
  g_assert_true (g_error_matches (flow_error, BA_IDENTITY_ERROR, code));
  g_assert_null (ba_device_code_flow_get_session (fixture->flow));

  /* A final answer ends polling. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 2);
  spin (100);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 2);
}

static void
test_declined (Fixture      *fixture,
               gconstpointer data)
{
  check_failure (fixture, BA_EMULATOR_POLL_DECLINED, BA_IDENTITY_ERROR_DECLINED);
}

static void
test_expired_server (Fixture      *fixture,
                     gconstpointer data)
{
  check_failure (fixture, BA_EMULATOR_POLL_EXPIRED, BA_IDENTITY_ERROR_EXPIRED);
}

static void
test_bad_code (Fixture      *fixture,
               gconstpointer data)
{
  check_failure (fixture, BA_EMULATOR_POLL_BAD_CODE, BA_IDENTITY_ERROR_BAD_VERIFICATION_CODE);
}

static void
test_policy_blocked (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;

  ba_graph_emulator_set_poll_aadsts (fixture->emulator, 53003, "invalid_grant");
  check_failure (fixture, BA_EMULATOR_POLL_AADSTS, BA_IDENTITY_ERROR_POLICY_BLOCKED);

  /* The advice names the way out: the browser sign-in. */
  g_assert_true (g_str_has_prefix (ba_device_code_flow_get_error (fixture->flow)->message,
                                   ba_identity_error_advice (BA_IDENTITY_ERROR_POLICY_BLOCKED)));

  /* Other known codes end with their own code, not as invalid_grant. */
  ba_graph_emulator_set_poll_aadsts (fixture->emulator, 7000218, "invalid_client");
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_AADSTS, NULL);
  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC);
  g_clear_error (&error);

  ba_graph_emulator_set_poll_aadsts (fixture->emulator, 65001, "invalid_grant");
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_AADSTS, NULL);
  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CONSENT_REQUIRED);
  g_clear_error (&error);

  ba_graph_emulator_set_poll_aadsts (fixture->emulator, 50199, "interaction_required");
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_AADSTS, NULL);
  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INTERACTION_REQUIRED);
  g_assert_null (session);
}

static void
test_expired_local (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  gint64 waited;

  /* Every answer takes 600 ms, so the server's expired_token could not
   * arrive before 2.6 s after the code: the flow stops on its own clock
   * at 2 s, counting down each second on the way. */
  ba_graph_emulator_set_device_code_times (fixture->emulator, 2, 1);
  ba_graph_emulator_set_latency (fixture->emulator, 600);
  _ba_device_code_flow_set_interval_ms (fixture->flow, 50);

  session = run_flow (fixture, NULL, &error);
  waited = g_get_monotonic_time () - fixture->waiting_since;
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_EXPIRED);
  g_assert_null (session);
  g_assert_cmpint (ba_device_code_flow_get_state (fixture->flow), ==, BA_SIGN_IN_STATE_FAILED);
  g_assert_cmpint (waited, >=, 1900 * 1000);
  g_assert_cmpint (waited, <, 2500 * 1000);

  g_assert_cmpuint (ba_device_code_flow_get_seconds_left (fixture->flow), ==, 0);
  /* 2, then each second down (the seconds timer is coarse), 0 last. */
  g_assert_cmpuint (fixture->seconds_left->len, >=, 2);
  g_assert_cmpuint (g_array_index (fixture->seconds_left, guint, 0), ==, 2);
  for (guint i = 1; i < fixture->seconds_left->len; i++)
    g_assert_cmpuint (g_array_index (fixture->seconds_left, guint, i), <,
                      g_array_index (fixture->seconds_left, guint, i - 1));
  g_assert_cmpuint (g_array_index (fixture->seconds_left, guint, fixture->seconds_left->len - 1), ==, 0);

  ba_graph_emulator_set_latency (fixture->emulator, 0);
}

static gboolean
cancel_when_polled_cb (gpointer user_data)
{
  Fixture *fixture = user_data;

  if (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH) < 1)
    return G_SOURCE_CONTINUE;

  g_cancellable_cancel (fixture->cancel_on_first_poll);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  guint polls;

  _ba_device_code_flow_set_interval_ms (fixture->flow, 100);
  fixture->cancel_on_first_poll = cancellable;
  g_timeout_add (5, cancel_when_polled_cb, fixture);

  session = run_flow (fixture, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (session);
  g_assert_cmpint (ba_device_code_flow_get_state (fixture->flow), ==, BA_SIGN_IN_STATE_CANCELLED);
  g_assert_null (ba_device_code_flow_get_error (fixture->flow));

  /* No request after the cancel: five intervals later, still the same. */
  polls = ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH);
  g_assert_cmpuint (polls, ==, 1);
  spin (500);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, polls);
}

static void
test_retry_after (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  const BaEmulatorRequest *throttled;
  const BaEmulatorRequest *next;

  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_graph_emulator_inject_status (fixture->emulator, TOKEN_PATH, 503, 1, 1);

  session = run_flow (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 2);
  throttled = nth_request (fixture, TOKEN_PATH, 0);
  next = nth_request (fixture, TOKEN_PATH, 1);
  g_assert_cmpuint (throttled->status, ==, 503);
  g_assert_cmpint (next->time_us - throttled->time_us, >=, 1000 * 1000);
}

static void
test_new_code (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autofree char *first_code = NULL;

  /* Refresh after a failure: a new run asks for a new code. */
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_DECLINED, NULL);
  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_DECLINED);
  g_clear_error (&error);
  first_code = g_strdup (ba_device_code_flow_get_user_code (fixture->flow));

  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  session = run_flow (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_null (ba_device_code_flow_get_error (fixture->flow));
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", DEVICECODE_PATH), ==, 2);
  g_assert_cmpstr (ba_device_code_flow_get_user_code (fixture->flow), ==,
                   ba_graph_emulator_get_last_user_code (fixture->emulator));
  g_assert_cmpstr (ba_device_code_flow_get_user_code (fixture->flow), !=, first_code);
}

static void
test_unknown_client (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;

  ba_graph_emulator_block_client (fixture->emulator, BA_TEST_CLIENT_ID);
  session = run_flow (fixture, NULL, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND);
  g_assert_null (session);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", TOKEN_PATH), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/device-code-flow/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("approved", test_approved);
  ADD ("slow-down", test_slow_down);
  ADD ("declined", test_declined);
  ADD ("expired-server", test_expired_server);
  ADD ("expired-local", test_expired_local);
  ADD ("bad-code", test_bad_code);
  ADD ("policy-blocked", test_policy_blocked);
  ADD ("cancel", test_cancel);
  ADD ("retry-after", test_retry_after);
  ADD ("new-code", test_new_code);
  ADD ("unknown-client", test_unknown_client);

#undef ADD

  return g_test_run ();
}
