/* test-graph-emulator.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-certificate.h"
#include "ba-client-assertion.h"
#include "ba-graph-emulator.h"
#include "ba-test-utils.h"

#define CLIENT_ID "14d82eec-204b-4c2f-b7e8-296a70dab67e"
#define SCOPE "openid profile offline_access User.Read Application.ReadWrite.All"
#define SHAREPOINT_SP "5a0f5c1e-0000-4000-8000-00000000a002"
#define SITES_FULL_CONTROL "678536fe-1083-478a-9c59-b99265e6b0d3"

static BaCertificate *certificate;
static BaCertificate *other_certificate;

/* -------------------------------------------------------------------------
 * HTTP with a plain SoupSession
 * ------------------------------------------------------------------------- */

typedef struct
{
  BaGraphEmulator *emulator;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->emulator = ba_graph_emulator_new ();
  /* No proxies: the default resolver would read the desktop's proxy
   * settings, whose schema the test environment does not have. */
  fixture->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->emulator);
}

typedef struct
{
  SoupMessage *msg;
  GBytes *body;
  GError *error;
  guint status;
  gint64 elapsed_us;
} Response;

static void
response_free (Response *response)
{
  g_clear_object (&response->msg);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_error (&response->error);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Response *response = user_data;

  response->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &response->error);
  if (response->body == NULL)
    response->body = g_bytes_new (NULL, 0);
}

static Response *
send_message (Fixture     *fixture,
              SoupMessage *msg)
{
  Response *response = g_new0 (Response, 1);
  gint64 start = g_get_monotonic_time ();

  response->msg = msg;
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, response);
  while (response->body == NULL)
    g_main_context_iteration (NULL, TRUE);
  response->status = soup_message_get_status (msg);
  response->elapsed_us = g_get_monotonic_time () - start;

  return response;
}

/* @path is relative to the emulator's URL, or absolute. */
static Response *
http (Fixture    *fixture,
      const char *method,
      const char *path,
      const char *token,
      const char *json)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path)
                                                          : g_strconcat (ba_graph_emulator_get_url (fixture->emulator), path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }

  return send_message (fixture, msg);
}

static Response *
post_form (Fixture    *fixture,
           const char *path,
           ...) G_GNUC_NULL_TERMINATED;

static Response *
post_form (Fixture    *fixture,
           const char *path,
           ...)
{
  g_autofree char *url = g_strconcat (ba_graph_emulator_get_url (fixture->emulator), path, NULL);
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;
  const char *name;
  char *encoded;

  va_start (args, path);
  while ((name = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (form, (gpointer) name, va_arg (args, char *));
  va_end (args);
  encoded = soup_form_encode_hash (form);

  return send_message (fixture, soup_message_new_from_encoded_form ("POST", url, encoded));
}

static JsonObject *
response_json (Response *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_no_error (response->error);
  json_parser_load_from_data (parser, g_bytes_get_data (response->body, NULL),
                              g_bytes_get_size (response->body), &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
jwt_payload (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autoptr(GString) b64 = NULL;
  g_autofree guchar *data = NULL;
  gsize len = 0;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  b64 = g_string_new (parts[1]);
  g_strdelimit (b64->str, "-", '+');
  g_strdelimit (b64->str, "_", '/');
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  data = g_base64_decode (b64->str, &len);
  json_parser_load_from_data (parser, (const char *) data, len, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_token_error (Response   *response,
                    guint       status,
                    const char *error,
                    gint64      aadsts)
{
  g_autoptr(JsonObject) body = response_json (response);
  g_autofree char *prefix = g_strdup_printf ("AADSTS%" G_GINT64_FORMAT ": ", aadsts);

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (body, "error"), ==, error);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (body, "error_description"), prefix));
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (body, "error_codes"), 0), ==, aadsts);
  g_assert_nonnull (json_object_get_string_member (body, "trace_id"));
  g_assert_nonnull (json_object_get_string_member (body, "correlation_id"));
  g_assert_nonnull (json_object_get_string_member (body, "timestamp"));
}

static void
assert_graph_error (Response   *response,
                    guint       status,
                    const char *code)
{
  g_autoptr(JsonObject) body = response_json (response);
  JsonObject *error = json_object_get_object_member (body, "error");
  JsonObject *inner = json_object_get_object_member (error, "innerError");
  const char *request_id = soup_message_headers_get_one (soup_message_get_response_headers (response->msg), "request-id");

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_nonnull (request_id);
  g_assert_cmpstr (json_object_get_string_member (inner, "request-id"), ==, request_id);
  g_assert_nonnull (json_object_get_string_member (inner, "date"));
}

static char *
token_path (Fixture    *fixture,
            const char *tenant)
{
  return g_strdup_printf ("/%s/oauth2/v2.0/token", tenant != NULL ? tenant : ba_graph_emulator_get_tenant_id (fixture->emulator));
}

/* Signs in by device code; returns the token response. */
static JsonObject *
sign_in (Fixture *fixture)
{
  g_autoptr(Response) code = NULL;
  g_autoptr(Response) poll = NULL;
  g_autoptr(JsonObject) code_body = NULL;

  code = post_form (fixture, "/organizations/oauth2/v2.0/devicecode", "client_id", CLIENT_ID, "scope", SCOPE, NULL);
  g_assert_cmpuint (code->status, ==, 200);
  code_body = response_json (code);
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  poll = post_form (fixture, "/organizations/oauth2/v2.0/token",
                    "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                    "client_id", CLIENT_ID,
                    "device_code", json_object_get_string_member (code_body, "device_code"),
                    NULL);
  g_assert_cmpuint (poll->status, ==, 200);

  return response_json (poll);
}

/* -------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------- */

static void
test_device_code (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(Response) code = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *device_code = NULL;
  g_autofree char *verification = g_strconcat (ba_graph_emulator_get_url (fixture->emulator), "/devicelogin", NULL);
  const BaEmulatorPoll expected[] = { BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_SLOW_DOWN, BA_EMULATOR_POLL_PENDING };
  const char *errors[] = { "authorization_pending", "slow_down", "authorization_pending" };
  const char *user_code;

  ba_graph_emulator_set_device_code_times (fixture->emulator, 600, 0);
  code = post_form (fixture, "/organizations/oauth2/v2.0/devicecode", "client_id", CLIENT_ID, "scope", SCOPE, NULL);
  g_assert_cmpuint (code->status, ==, 200);
  body = response_json (code);
  user_code = json_object_get_string_member (body, "user_code");
  g_assert_cmpuint (strlen (user_code), ==, 9);
  g_assert_cmpstr (user_code, ==, ba_graph_emulator_get_last_user_code (fixture->emulator));
  g_assert_cmpstr (json_object_get_string_member (body, "verification_uri"), ==, verification);
  g_assert_cmpint (json_object_get_int_member (body, "expires_in"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (body, "interval"), ==, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (body, "message"), user_code));
  device_code = g_strdup (json_object_get_string_member (body, "device_code"));

  /* PENDING, SLOW_DOWN, then an empty script answers pending */
  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_SLOW_DOWN, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(Response) poll = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                            "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                                            "client_id", CLIENT_ID, "device_code", device_code, NULL);

      assert_token_error (poll, 400, errors[i], expected[i] == BA_EMULATOR_POLL_SLOW_DOWN ? 70016 : 70016);
    }

  ba_graph_emulator_script_polls (fixture->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  {
    g_autoptr(Response) poll = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                          "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                                          "client_id", CLIENT_ID, "device_code", device_code, NULL);

    g_assert_cmpuint (poll->status, ==, 200);
    tokens = response_json (poll);
  }
  g_assert_cmpstr (json_object_get_string_member (tokens, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (tokens, "expires_in"), ==, 3599);
  g_assert_nonnull (json_object_get_string_member (tokens, "access_token"));
  g_assert_nonnull (json_object_get_string_member (tokens, "refresh_token"));
  g_assert_true (strstr (json_object_get_string_member (tokens, "scope"), "Application.ReadWrite.All") != NULL);
  g_assert_null (strstr (json_object_get_string_member (tokens, "scope"), "offline_access"));
  claims = jwt_payload (json_object_get_string_member (tokens, "id_token"));
  g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));
  g_assert_cmpstr (json_object_get_string_member (claims, "preferred_username"), ==, "admin@contoso.onmicrosoft.com");
  g_assert_nonnull (json_object_get_string_member (claims, "oid"));
  g_assert_nonnull (json_object_get_string_member (claims, "name"));

  /* A redeemed code cannot be used again; an unknown one is not recognised */
  {
    g_autoptr(Response) again = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                           "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                                           "client_id", CLIENT_ID, "device_code", device_code, NULL);
    g_autoptr(Response) unknown = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                             "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                                             "client_id", CLIENT_ID, "device_code", "nope", NULL);

    assert_token_error (again, 400, "invalid_grant", 54005);
    assert_token_error (unknown, 400, "bad_verification_code", 70019);
  }

  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/organizations/oauth2/v2.0/token"), ==, 6);
}

static void
test_device_code_outcomes (Fixture       *fixture,
                           gconstpointer  data)
{
  struct { BaEmulatorPoll poll; const char *error; gint64 aadsts; } cases[] = {
    { BA_EMULATOR_POLL_DECLINED, "authorization_declined", 70000 },
    { BA_EMULATOR_POLL_EXPIRED, "expired_token", 70020 },
    { BA_EMULATOR_POLL_BAD_CODE, "bad_verification_code", 70019 },
    { BA_EMULATOR_POLL_AADSTS, "invalid_grant", 53003 },
  };
  g_autoptr(Response) code = NULL;
  g_autoptr(JsonObject) body = NULL;

  ba_graph_emulator_set_poll_aadsts (fixture->emulator, 53003, "invalid_grant");
  code = post_form (fixture, "/organizations/oauth2/v2.0/devicecode", "client_id", CLIENT_ID, "scope", SCOPE, NULL);
  body = response_json (code);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) poll = NULL;

      ba_graph_emulator_script_polls (fixture->emulator, cases[i].poll, NULL);
      poll = post_form (fixture, "/organizations/oauth2/v2.0/token",
                        "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", CLIENT_ID,
                        "device_code", json_object_get_string_member (body, "device_code"), NULL);
      assert_token_error (poll, 400, cases[i].error, cases[i].aadsts);
    }

  /* Real expiry, without a script */
  ba_graph_emulator_expire_device_codes (fixture->emulator);
  {
    g_autoptr(Response) poll = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                          "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", CLIENT_ID,
                                          "device_code", json_object_get_string_member (body, "device_code"), NULL);

    assert_token_error (poll, 400, "expired_token", 70020);
  }

  /* Blocked client, unknown tenant, credentials sent by a public client */
  ba_graph_emulator_block_client (fixture->emulator, "31359c7f-bd7e-475c-86db-fdb8c937548e");
  {
    g_autoptr(Response) blocked = post_form (fixture, "/organizations/oauth2/v2.0/devicecode",
                                             "client_id", "31359c7f-bd7e-475c-86db-fdb8c937548e", "scope", SCOPE, NULL);
    g_autoptr(Response) tenant = post_form (fixture, "/fabrikam.com/oauth2/v2.0/devicecode",
                                            "client_id", CLIENT_ID, "scope", SCOPE, NULL);
    g_autoptr(Response) secret = post_form (fixture, "/organizations/oauth2/v2.0/token",
                                            "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", CLIENT_ID,
                                            "device_code", "x", "client_secret", "s", NULL);

    assert_token_error (blocked, 400, "unauthorized_client", 700016);
    assert_token_error (tenant, 400, "invalid_request", 90002);
    assert_token_error (secret, 401, "invalid_client", 700025);
  }
}

static void
test_refresh (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  g_autofree char *path = token_path (fixture, NULL);
  g_autoptr(Response) refreshed = NULL;
  g_autoptr(JsonObject) new_tokens = NULL;
  g_autoptr(Response) me = NULL;
  g_autoptr(Response) revoked = NULL;
  g_autoptr(Response) sharepoint = NULL;
  g_autoptr(JsonObject) sp_tokens = NULL;
  g_autoptr(JsonObject) sp_claims = NULL;
  g_autoptr(Response) me_sp = NULL;

  refreshed = post_form (fixture, path, "grant_type", "refresh_token", "client_id", CLIENT_ID,
                         "refresh_token", json_object_get_string_member (tokens, "refresh_token"),
                         "scope", SCOPE, NULL);
  g_assert_cmpuint (refreshed->status, ==, 200);
  new_tokens = response_json (refreshed);
  g_assert_cmpstr (json_object_get_string_member (new_tokens, "access_token"), !=,
                   json_object_get_string_member (tokens, "access_token"));
  g_assert_cmpstr (json_object_get_string_member (new_tokens, "refresh_token"), !=,
                   json_object_get_string_member (tokens, "refresh_token"));
  me = http (fixture, "GET", "/v1.0/me", json_object_get_string_member (new_tokens, "access_token"), NULL);
  g_assert_cmpuint (me->status, ==, 200);

  /* A token for another resource does not work on Graph */
  sharepoint = post_form (fixture, path, "grant_type", "refresh_token", "client_id", CLIENT_ID,
                          "refresh_token", json_object_get_string_member (new_tokens, "refresh_token"),
                          "scope", "https://contoso.sharepoint.com/AllSites.FullControl", NULL);
  g_assert_cmpuint (sharepoint->status, ==, 200);
  sp_tokens = response_json (sharepoint);
  sp_claims = jwt_payload (json_object_get_string_member (sp_tokens, "access_token"));
  g_assert_cmpstr (json_object_get_string_member (sp_claims, "aud"), ==, "https://contoso.sharepoint.com");
  me_sp = http (fixture, "GET", "/v1.0/me", json_object_get_string_member (sp_tokens, "access_token"), NULL);
  assert_graph_error (me_sp, 401, "InvalidAuthenticationToken");

  ba_graph_emulator_revoke_refresh_tokens (fixture->emulator);
  revoked = post_form (fixture, path, "grant_type", "refresh_token", "client_id", CLIENT_ID,
                       "refresh_token", json_object_get_string_member (new_tokens, "refresh_token"),
                       "scope", SCOPE, NULL);
  assert_token_error (revoked, 400, "invalid_grant", 50173);
}

static void
test_expired_access_token (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(Response) before = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_autoptr(Response) after = NULL;
  g_autoptr(Response) none = NULL;
  g_autoptr(Response) short_lived = NULL;
  g_autoptr(JsonObject) second = NULL;

  g_assert_cmpuint (before->status, ==, 200);
  ba_graph_emulator_expire_access_tokens (fixture->emulator);
  after = http (fixture, "GET", "/v1.0/me", access, NULL);
  assert_graph_error (after, 401, "InvalidAuthenticationToken");
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (after->msg), "WWW-Authenticate"));
  none = http (fixture, "GET", "/v1.0/organization", NULL, NULL);
  assert_graph_error (none, 401, "InvalidAuthenticationToken");

  /* A lifetime of 0 gives tokens that are expired at once */
  ba_graph_emulator_set_token_lifetime (fixture->emulator, 0);
  second = sign_in (fixture);
  g_assert_cmpint (json_object_get_int_member (second, "expires_in"), ==, 0);
  short_lived = http (fixture, "GET", "/v1.0/me", json_object_get_string_member (second, "access_token"), NULL);
  assert_graph_error (short_lived, 401, "InvalidAuthenticationToken");
}

static char *
sign_assertion (BaCertificate     *cert,
                const char        *client_id,
                const char        *audience,
                BaSignatureScheme  scheme)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (cert, client_id, audience);
  g_autoptr(GError) error = NULL;
  char *jwt;

  ba_client_assertion_set_scheme (assertion, scheme);
  jwt = ba_client_assertion_sign (assertion, NULL, &error);
  g_assert_no_error (error);

  return jwt;
}

static Response *
client_credentials (Fixture    *fixture,
                    const char *app_id,
                    const char *assertion,
                    const char *scope)
{
  g_autofree char *path = token_path (fixture, NULL);

  return post_form (fixture, path, "grant_type", "client_credentials", "client_id", app_id,
                    "scope", scope,
                    "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion", assertion, NULL);
}

static void
test_client_credentials (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GBytes) der = NULL;
  g_autofree char *b64 = ba_certificate_get_base64 (certificate);
  g_autofree char *app_id = NULL;
  g_autofree char *audience = NULL;
  const char *roles[] = { "Sites.FullControl.All", NULL };
  BaSignatureScheme schemes[] = { BA_SIGNATURE_RSA_PKCS1_SHA256, BA_SIGNATURE_RSA_PSS_SHA256 };
  guchar *raw;
  gsize len;

  raw = g_base64_decode (b64, &len);
  der = g_bytes_new_take (raw, len);
  app_id = ba_graph_emulator_add_application (fixture->emulator, "Backup app", der, TRUE, roles);
  g_assert_nonnull (ba_graph_emulator_lookup_application (fixture->emulator, app_id));
  audience = g_strdup_printf ("%s/%s/oauth2/v2.0/token", ba_graph_emulator_get_url (fixture->emulator),
                              ba_graph_emulator_get_tenant_id (fixture->emulator));

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autofree char *jwt = sign_assertion (certificate, app_id, audience, schemes[i]);
      g_autoptr(Response) response = client_credentials (fixture, app_id, jwt, "https://graph.microsoft.com/.default");
      g_autoptr(JsonObject) body = response_json (response);
      g_autoptr(JsonObject) claims = NULL;
      g_autoptr(Response) site = NULL;
      g_autoptr(JsonObject) site_body = NULL;
      g_autoptr(Response) me = NULL;
      JsonArray *token_roles;

      g_assert_cmpuint (response->status, ==, 200);
      g_assert_false (json_object_has_member (body, "refresh_token"));
      claims = jwt_payload (json_object_get_string_member (body, "access_token"));
      g_assert_cmpstr (json_object_get_string_member (claims, "appid"), ==, app_id);
      g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));
      token_roles = json_object_get_array_member (claims, "roles");
      g_assert_cmpuint (json_array_get_length (token_roles), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (token_roles, 0), ==, "Sites.FullControl.All");

      site = http (fixture, "GET", "/v1.0/sites/root?$select=webUrl", json_object_get_string_member (body, "access_token"), NULL);
      g_assert_cmpuint (site->status, ==, 200);
      site_body = response_json (site);
      g_assert_cmpstr (json_object_get_string_member (site_body, "webUrl"), ==, "https://contoso.sharepoint.com");
      g_assert_false (json_object_has_member (site_body, "displayName"));
      me = http (fixture, "GET", "/v1.0/me", json_object_get_string_member (body, "access_token"), NULL);
      assert_graph_error (me, 400, "BadRequest");
    }

  /* Signed by another key */
  {
    g_autofree char *jwt = sign_assertion (other_certificate, app_id, audience, BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_autoptr(Response) response = client_credentials (fixture, app_id, jwt, "https://graph.microsoft.com/.default");

    assert_token_error (response, 401, "invalid_client", 700027);
  }

  /* Right key, tampered payload: the signature does not match */
  {
    g_autofree char *jwt = sign_assertion (certificate, app_id, audience, BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_autofree char *other = sign_assertion (certificate, app_id, audience, BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_auto(GStrv) a = g_strsplit (jwt, ".", -1);
    g_auto(GStrv) b = g_strsplit (other, ".", -1);
    g_autofree char *mixed = g_strjoin (".", a[0], b[1], a[2], NULL);
    g_autoptr(Response) response = client_credentials (fixture, app_id, mixed, "https://graph.microsoft.com/.default");

    /* Two assertions differ in jti, so their payloads differ */
    g_assert_cmpstr (a[1], !=, b[1]);
    assert_token_error (response, 401, "invalid_client", 700027);
  }

  /* Wrong audience; unknown application; scope without /.default */
  {
    g_autofree char *wrong_aud = sign_assertion (certificate, app_id, "https://login.microsoftonline.com/x/oauth2/v2.0/token",
                                                 BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_autofree char *jwt = sign_assertion (certificate, app_id, audience, BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_autoptr(Response) aud = client_credentials (fixture, app_id, wrong_aud, "https://graph.microsoft.com/.default");
    g_autoptr(Response) unknown = client_credentials (fixture, "0b5e0f8f-0000-4000-8000-000000000000", jwt,
                                                      "https://graph.microsoft.com/.default");
    g_autoptr(Response) scope = client_credentials (fixture, app_id, jwt, "https://graph.microsoft.com/Sites.Read.All");

    assert_token_error (aud, 401, "invalid_client", 700027);
    assert_token_error (unknown, 400, "unauthorized_client", 700016);
    assert_token_error (scope, 400, "invalid_scope", 1002012);
  }

  /* An application without a service principal */
  {
    g_autofree char *bare = ba_graph_emulator_add_application (fixture->emulator, "No SP", der, FALSE, NULL);
    g_autofree char *jwt = sign_assertion (certificate, bare, audience, BA_SIGNATURE_RSA_PKCS1_SHA256);
    g_autoptr(Response) response = client_credentials (fixture, bare, jwt, "https://graph.microsoft.com/.default");

    assert_token_error (response, 401, "invalid_client", 7000229);
  }
}

static void
test_app_role_grant_in_token (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autofree char *b64 = ba_certificate_get_base64 (certificate);
  g_autofree char *app_json = g_strdup_printf ("{\"displayName\":\"Backup 01\",\"signInAudience\":\"AzureADMyOrg\","
                                               "\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"%s\"}]}",
                                               b64);
  g_autoptr(Response) created = http (fixture, "POST", "/v1.0/applications", access, app_json);
  g_autoptr(JsonObject) app = response_json (created);
  const char *app_id = json_object_get_string_member (app, "appId");
  g_autofree char *sp_json = g_strdup_printf ("{\"appId\":\"%s\"}", app_id);
  g_autoptr(Response) sp_created = http (fixture, "POST", "/v1.0/servicePrincipals", access, sp_json);
  g_autoptr(JsonObject) sp = response_json (sp_created);
  g_autofree char *grant = g_strdup_printf ("{\"principalId\":\"%s\",\"resourceId\":\"%s\",\"appRoleId\":\"%s\"}",
                                            json_object_get_string_member (sp, "id"), SHAREPOINT_SP, SITES_FULL_CONTROL);
  g_autoptr(Response) granted = http (fixture, "POST", "/v1.0/servicePrincipals/" SHAREPOINT_SP "/appRoleAssignedTo", access, grant);
  g_autoptr(Response) duplicate = http (fixture, "POST", "/v1.0/servicePrincipals/" SHAREPOINT_SP "/appRoleAssignedTo", access, grant);
  g_autofree char *audience = g_strdup_printf ("%s/%s/oauth2/v2.0/token", ba_graph_emulator_get_url (fixture->emulator),
                                               ba_graph_emulator_get_tenant_id (fixture->emulator));
  g_autofree char *jwt = sign_assertion (certificate, app_id, audience, BA_SIGNATURE_RSA_PSS_SHA256);
  g_autoptr(Response) spo = client_credentials (fixture, app_id, jwt, "https://contoso.sharepoint.com/.default");
  g_autoptr(Response) graph = client_credentials (fixture, app_id, jwt, "https://graph.microsoft.com/.default");
  g_autoptr(JsonObject) spo_body = response_json (spo);
  g_autoptr(JsonObject) graph_body = response_json (graph);
  g_autoptr(JsonObject) spo_claims = jwt_payload (json_object_get_string_member (spo_body, "access_token"));
  g_autoptr(JsonObject) graph_claims = jwt_payload (json_object_get_string_member (graph_body, "access_token"));
  g_autoptr(Response) site = NULL;

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_array_get_object_element (json_object_get_array_member (app, "keyCredentials"), 0), "key")));
  g_assert_cmpuint (sp_created->status, ==, 201);
  g_assert_cmpuint (granted->status, ==, 201);
  assert_graph_error (duplicate, 400, "Request_BadRequest");
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (fixture->emulator, json_object_get_string_member (sp, "id")), ==, 1);
  g_assert_cmpuint (spo->status, ==, 200);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (spo_claims, "roles"), 0), ==, "Sites.FullControl.All");
  /* The SharePoint role is not a Graph role: no roles claim at all */
  g_assert_false (json_object_has_member (graph_claims, "roles"));
  site = http (fixture, "GET", "/v1.0/sites/root", json_object_get_string_member (graph_body, "access_token"), NULL);
  assert_graph_error (site, 403, "Authorization_RequestDenied");
}

static void
test_pkce (Fixture       *fixture,
           gconstpointer  data)
{
  const char *verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const char *challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  const char *redirect = "http://127.0.0.1:1234/";
  g_autofree char *authorize = g_strdup_printf ("/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code"
                                                "&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A1234%%2F&scope=openid%%20offline_access%%20User.Read"
                                                "&state=xyz&code_challenge=%s&code_challenge_method=S256",
                                                CLIENT_ID, challenge);
  g_autofree char *url = g_strconcat (ba_graph_emulator_get_url (fixture->emulator), authorize, NULL);
  SoupMessage *msg = soup_message_new ("GET", url);
  g_autoptr(Response) response = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(Response) wrong = NULL;
  g_autoptr(Response) right = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autofree char *code = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  response = send_message (fixture, msg);
  g_assert_cmpuint (response->status, ==, 302);
  location = g_uri_parse (soup_message_headers_get_one (soup_message_get_response_headers (response->msg), "Location"),
                          G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (location);
  g_assert_cmpint (g_uri_get_port (location), ==, 1234);
  params = soup_form_decode (g_uri_get_query (location));
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "xyz");
  code = g_strdup (g_hash_table_lookup (params, "code"));
  g_assert_nonnull (code);

  wrong = post_form (fixture, "/organizations/oauth2/v2.0/token", "grant_type", "authorization_code", "client_id", CLIENT_ID,
                     "code", code, "redirect_uri", redirect, "code_verifier", "not-the-verifier-at-all-not-the-verifier", NULL);
  assert_token_error (wrong, 400, "invalid_grant", 501481);
  right = post_form (fixture, "/organizations/oauth2/v2.0/token", "grant_type", "authorization_code", "client_id", CLIENT_ID,
                     "code", code, "redirect_uri", redirect, "code_verifier", verifier, NULL);
  g_assert_cmpuint (right->status, ==, 200);
  tokens = response_json (right);
  g_assert_nonnull (json_object_get_string_member (tokens, "refresh_token"));
  g_assert_nonnull (json_object_get_string_member (tokens, "id_token"));
  again = post_form (fixture, "/organizations/oauth2/v2.0/token", "grant_type", "authorization_code", "client_id", CLIENT_ID,
                     "code", code, "redirect_uri", redirect, "code_verifier", verifier, NULL);
  assert_token_error (again, 400, "invalid_grant", 70008);

  /* Deny, then a wrong state */
  for (guint i = 0; i < 2; i++)
    {
      SoupMessage *m = soup_message_new ("GET", url);
      g_autoptr(Response) r = NULL;
      g_autoptr(GUri) loc = NULL;
      g_autoptr(GHashTable) p = NULL;

      ba_graph_emulator_set_authorize_outcome (fixture->emulator, i == 0, i == 1 ? "evil" : NULL);
      soup_message_add_flags (m, SOUP_MESSAGE_NO_REDIRECT);
      r = send_message (fixture, m);
      g_assert_cmpuint (r->status, ==, 302);
      loc = g_uri_parse (soup_message_headers_get_one (soup_message_get_response_headers (r->msg), "Location"), G_URI_FLAGS_NONE, NULL);
      p = soup_form_decode (g_uri_get_query (loc));
      if (i == 0)
        {
          g_assert_cmpstr (g_hash_table_lookup (p, "error"), ==, "access_denied");
          g_assert_null (g_hash_table_lookup (p, "code"));
          g_assert_cmpstr (g_hash_table_lookup (p, "state"), ==, "xyz");
        }
      else
        {
          g_assert_nonnull (g_hash_table_lookup (p, "code"));
          g_assert_cmpstr (g_hash_table_lookup (p, "state"), ==, "evil");
        }
    }
}

static void
test_me_organization (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *roles[] = { "Global Administrator", "Privileged Role Administrator", NULL };
  g_autoptr(JsonObject) tokens = NULL;
  const char *access;
  g_autoptr(Response) me = NULL;
  g_autoptr(Response) org = NULL;
  g_autoptr(Response) member_of = NULL;
  g_autoptr(Response) cast = NULL;
  g_autoptr(JsonObject) me_body = NULL;
  g_autoptr(JsonObject) org_body = NULL;
  g_autoptr(JsonObject) member_body = NULL;
  g_autoptr(JsonObject) cast_body = NULL;
  JsonObject *tenant;
  JsonArray *value;

  ba_graph_emulator_set_admin (fixture->emulator, "ops@contoso.com", "Ops Admin", roles);
  tokens = sign_in (fixture);
  access = json_object_get_string_member (tokens, "access_token");

  me = http (fixture, "GET", "/v1.0/me?$select=id,displayName,userPrincipalName", access, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  me_body = response_json (me);
  g_assert_cmpstr (json_object_get_string_member (me_body, "userPrincipalName"), ==, "ops@contoso.com");
  g_assert_cmpstr (json_object_get_string_member (me_body, "displayName"), ==, "Ops Admin");
  g_assert_false (json_object_has_member (me_body, "surname"));
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (me->msg), "request-id"));

  org = http (fixture, "GET", "/v1.0/organization", access, NULL);
  org_body = response_json (org);
  value = json_object_get_array_member (org_body, "value");
  g_assert_cmpuint (json_array_get_length (value), ==, 1);
  tenant = json_array_get_object_element (value, 0);
  g_assert_cmpstr (json_object_get_string_member (tenant, "id"), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));
  g_assert_cmpstr (json_object_get_string_member (tenant, "displayName"), ==, "Contoso");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tenant, "verifiedDomains")), ==, 2);

  member_of = http (fixture, "GET", "/v1.0/me/memberOf", access, NULL);
  member_body = response_json (member_of);
  value = json_object_get_array_member (member_body, "value");
  g_assert_cmpuint (json_array_get_length (value), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (value, 0), "roleTemplateId"), ==,
                   "62e90394-69f5-4237-9190-012177145e10");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (value, 1), "roleTemplateId"), ==,
                   "e8611ab8-c189-46e8-94e1-60213ab1f814");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (value, 1), "@odata.type"), ==,
                   "#microsoft.graph.directoryRole");
  cast = http (fixture, "GET", "/v1.0/me/memberOf/microsoft.graph.directoryRole?$select=displayName,roleTemplateId", access, NULL);
  cast_body = response_json (cast);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cast_body, "value")), ==, 2);
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autofree char *next = g_strdup ("/v1.0/groups?$filter=securityEnabled%20eq%20true%20and%20mailEnabled%20eq%20false&$select=id,displayName");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint pages = 0;
  char *group_id = NULL;

  ba_graph_emulator_add_groups (fixture->emulator, 25, 3);
  ba_graph_emulator_set_page_size (fixture->emulator, 10);

  while (next != NULL)
    {
      g_autoptr(Response) page = http (fixture, "GET", next, access, NULL);
      g_autoptr(JsonObject) body = response_json (page);
      JsonArray *value = json_object_get_array_member (body, "value");

      g_assert_cmpuint (page->status, ==, 200);
      pages++;
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          JsonObject *group = json_array_get_object_element (value, i);

          g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (group, "id"))));
          g_assert_false (json_object_has_member (group, "description"));
          if (group_id == NULL)
            group_id = g_strdup (json_object_get_string_member (group, "id"));
        }
      g_clear_pointer (&next, g_free);
      if (json_object_has_member (body, "@odata.nextLink"))
        {
          next = g_strdup (json_object_get_string_member (body, "@odata.nextLink"));
          g_assert_true (g_str_has_prefix (next, ba_graph_emulator_get_url (fixture->emulator)));
          g_assert_nonnull (strstr (next, "$skiptoken="));
          g_assert_cmpuint (json_array_get_length (value), ==, 10);
        }
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 25);

  /* $top below the page size wins */
  {
    g_autoptr(Response) top = http (fixture, "GET", "/v1.0/groups?$top=4", access, NULL);
    g_autoptr(JsonObject) body = response_json (top);
    g_autoptr(Response) search = http (fixture, "GET", "/v1.0/groups?$search=%22displayName:group%20007%22", access, NULL);
    g_autofree char *members_path = g_strdup_printf ("/v1.0/groups/%s/members", group_id);
    g_autofree char *users_path = g_strdup_printf ("/v1.0/groups/%s/members/microsoft.graph.user?$count=true", group_id);
    g_autoptr(Response) members = http (fixture, "GET", members_path, access, NULL);
    g_autoptr(Response) users = http (fixture, "GET", users_path, access, NULL);
    g_autoptr(JsonObject) members_body = response_json (members);
    g_autoptr(JsonObject) users_body = response_json (users);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "value")), ==, 4);
    g_assert_true (json_object_has_member (body, "@odata.nextLink"));
    assert_graph_error (search, 400, "Request_UnsupportedQuery");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (members_body, "value")), ==, 4);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (users_body, "value")), ==, 3);
    g_assert_cmpint (json_object_get_int_member (users_body, "@odata.count"), ==, 3);
  }

  g_free (group_id);
}

static void
test_knobs (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(Response) throttled = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(Response) dropped = NULL;
  g_autoptr(Response) after_drop = NULL;
  g_autoptr(Response) truncated = NULL;
  g_autoptr(Response) html = NULL;
  g_autoptr(Response) forbidden = NULL;
  g_autoptr(Response) other_path = NULL;
  g_autoptr(Response) token_busy = NULL;
  g_autoptr(Response) slow = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const BaEmulatorRequest *last;
  guint before_drop;

  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/me", 429, 2, 1);
  other_path = http (fixture, "GET", "/v1.0/organization", access, NULL);
  g_assert_cmpuint (other_path->status, ==, 200);
  throttled = http (fixture, "GET", "/v1.0/me", access, NULL);
  assert_graph_error (throttled, 429, "TooManyRequests");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (throttled->msg), "Retry-After"), ==, "2");
  ok = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_assert_cmpuint (ok->status, ==, 200);

  ba_graph_emulator_inject_status (fixture->emulator, "/organizations/", 503, 0, 1);
  token_busy = post_form (fixture, "/organizations/oauth2/v2.0/devicecode", "client_id", CLIENT_ID, "scope", SCOPE, NULL);
  assert_token_error (token_busy, 503, "temporarily_unavailable", 90033);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (token_busy->msg), "Retry-After"));

  /* libsoup resends once when a kept-alive connection closes before any
   * answer, so it takes two drops for the client to see the failure. */
  ba_graph_emulator_drop_connections (fixture->emulator, NULL, 2);
  before_drop = ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/me");
  dropped = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_assert_nonnull (dropped->error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/me"), ==, before_drop + 2);
  last = ba_graph_emulator_last_request (fixture->emulator, "GET", "/v1.0/me");
  g_assert_cmpuint (last->status, ==, 0);
  after_drop = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_assert_no_error (after_drop->error);
  g_assert_cmpuint (after_drop->status, ==, 200);

  ba_graph_emulator_inject_garbage (fixture->emulator, "/v1.0/", TRUE, 1);
  ba_graph_emulator_inject_garbage (fixture->emulator, "/v1.0/", FALSE, 1);
  truncated = http (fixture, "GET", "/v1.0/me", access, NULL);
  html = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_assert_cmpuint (truncated->status, ==, 200);
  g_assert_false (json_parser_load_from_data (parser, g_bytes_get_data (truncated->body, NULL), g_bytes_get_size (truncated->body), NULL));
  g_assert_cmpuint (html->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (soup_message_get_response_headers (html->msg), NULL), "text/html"));

  ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/applications", 403, "Authorization_RequestDenied", 1);
  forbidden = http (fixture, "GET", "/v1.0/applications", access, NULL);
  assert_graph_error (forbidden, 403, "Authorization_RequestDenied");

  ba_graph_emulator_set_latency (fixture->emulator, 150);
  slow = http (fixture, "GET", "/v1.0/me", access, NULL);
  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpint (slow->elapsed_us, >=, 150 * 1000);
}

static void
test_replication_delay (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(Response) created = NULL;
  g_autoptr(JsonObject) app = NULL;
  g_autofree char *app_path = NULL;
  g_autofree char *sp_json = NULL;
  g_autofree char *grant = NULL;
  g_autoptr(Response) read_early = NULL;
  g_autoptr(Response) sp_early = NULL;
  g_autoptr(Response) read_late = NULL;
  g_autoptr(Response) sp_late = NULL;
  g_autoptr(Response) grant_early = NULL;
  g_autoptr(Response) grant_late = NULL;
  g_autoptr(JsonObject) sp = NULL;
  g_autoptr(JsonObject) sp_body = NULL;

  ba_graph_emulator_set_replication_delay (fixture->emulator, 300);
  created = http (fixture, "POST", "/v1.0/applications", access, "{\"displayName\":\"Backup 02\"}");
  g_assert_cmpuint (created->status, ==, 201);
  app = response_json (created);
  app_path = g_strdup_printf ("/v1.0/applications/%s", json_object_get_string_member (app, "id"));
  sp_json = g_strdup_printf ("{\"appId\":\"%s\"}", json_object_get_string_member (app, "appId"));

  read_early = http (fixture, "GET", app_path, access, NULL);
  assert_graph_error (read_early, 404, "Request_ResourceNotFound");
  sp_early = http (fixture, "POST", "/v1.0/servicePrincipals", access, sp_json);
  assert_graph_error (sp_early, 400, "Request_BadRequest");
  {
    g_autoptr(JsonObject) body = response_json (sp_early);
    JsonObject *detail = json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (body, "error"), "details"), 0);

    g_assert_cmpstr (json_object_get_string_member (detail, "code"), ==, "NoBackingApplicationObject");
  }

  g_usleep (320 * 1000);
  read_late = http (fixture, "GET", app_path, access, NULL);
  g_assert_cmpuint (read_late->status, ==, 200);
  sp_late = http (fixture, "POST", "/v1.0/servicePrincipals", access, sp_json);
  g_assert_cmpuint (sp_late->status, ==, 201);
  sp = response_json (sp_late);

  grant = g_strdup_printf ("{\"principalId\":\"%s\",\"resourceId\":\"%s\",\"appRoleId\":\"%s\"}",
                           json_object_get_string_member (sp, "id"), SHAREPOINT_SP, SITES_FULL_CONTROL);
  grant_early = http (fixture, "POST", "/v1.0/servicePrincipals/" SHAREPOINT_SP "/appRoleAssignedTo", access, grant);
  assert_graph_error (grant_early, 400, "Request_BadRequest");
  g_usleep (320 * 1000);
  grant_late = http (fixture, "POST", "/v1.0/servicePrincipals/" SHAREPOINT_SP "/appRoleAssignedTo", access, grant);
  g_assert_cmpuint (grant_late->status, ==, 201);

  /* The upsert of an existing SP is a 204 */
  {
    g_autofree char *upsert = g_strdup_printf ("/v1.0/servicePrincipals(appId='%s')", json_object_get_string_member (app, "appId"));
    SoupMessage *msg = NULL;
    g_autofree char *url = g_strconcat (ba_graph_emulator_get_url (fixture->emulator), upsert, NULL);
    g_autofree char *auth = g_strconcat ("Bearer ", access, NULL);
    g_autoptr(GBytes) body = g_bytes_new_static ("{\"displayName\":\"Backup 02\"}", strlen ("{\"displayName\":\"Backup 02\"}"));
    g_autoptr(Response) response = NULL;
    g_autoptr(Response) get = NULL;

    msg = soup_message_new ("PATCH", url);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Prefer", "create-if-missing");
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
    response = send_message (fixture, msg);
    g_assert_cmpuint (response->status, ==, 204);
    get = http (fixture, "GET", upsert, access, NULL);
    sp_body = response_json (get);
    g_assert_cmpstr (json_object_get_string_member (sp_body, "id"), ==, json_object_get_string_member (sp, "id"));
  }
}

static void
test_applications (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autofree char *b64 = ba_certificate_get_base64 (certificate);
  g_autofree char *b64_other = ba_certificate_get_base64 (other_certificate);
  g_autoptr(Response) created = http (fixture, "POST", "/v1.0/applications", access, "{\"displayName\":\"Backup 03\"}");
  g_autoptr(JsonObject) app = response_json (created);
  g_autofree char *path = g_strdup_printf ("/v1.0/applications/%s", json_object_get_string_member (app, "id"));
  g_autofree char *select = g_strdup_printf ("%s?$select=id,keyCredentials", path);
  g_autofree char *patch = g_strdup_printf ("{\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"%s\"},"
                                            "{\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"%s\"}]}",
                                            b64, b64_other);
  g_autoptr(Response) patched = http (fixture, "PATCH", path, access, patch);
  g_autoptr(Response) bad_patch = http (fixture, "PATCH", path, access, "{\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"AAAA\"}]}");
  g_autoptr(Response) with_keys = http (fixture, "GET", select, access, NULL);
  g_autoptr(JsonObject) with_keys_body = response_json (with_keys);
  g_autoptr(Response) list = http (fixture, "GET", "/v1.0/applications?$filter=displayName%20eq%20'Backup%2003'", access, NULL);
  g_autoptr(JsonObject) list_body = response_json (list);
  g_autofree char *alt = g_strdup_printf ("/v1.0/applications(appId='%s')", json_object_get_string_member (app, "appId"));
  g_autoptr(Response) by_app_id = http (fixture, "GET", alt, access, NULL);
  g_autoptr(Response) deleted = NULL;
  g_autoptr(Response) gone = NULL;
  JsonArray *keys;
  JsonObject *listed;

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpuint (patched->status, ==, 204);
  g_assert_cmpuint (g_bytes_get_size (patched->body), ==, 0);
  assert_graph_error (bad_patch, 400, "KeyCredentialsInvalidValue");
  keys = json_object_get_array_member (with_keys_body, "keyCredentials");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "key"), ==, b64);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "customKeyIdentifier"), ==,
                   ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_nonnull (json_object_get_string_member (json_array_get_object_element (keys, 1), "keyId"));
  g_assert_false (json_object_has_member (with_keys_body, "displayName"));

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list_body, "value")), ==, 1);
  listed = json_array_get_object_element (json_object_get_array_member (list_body, "value"), 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_array_get_object_element (json_object_get_array_member (listed, "keyCredentials"), 0), "key")));
  g_assert_cmpuint (by_app_id->status, ==, 200);
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, 1);

  deleted = http (fixture, "DELETE", path, access, NULL);
  g_assert_cmpuint (deleted->status, ==, 204);
  gone = http (fixture, "GET", path, access, NULL);
  assert_graph_error (gone, 404, "Request_ResourceNotFound");
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, 0);
}

static void
test_record (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fixture);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(Response) me = NULL;
  g_autoptr(Response) post = NULL;
  GPtrArray *requests;
  const BaEmulatorRequest *token_request;
  const BaEmulatorRequest *me_request;
  const BaEmulatorRequest *post_request;
  g_autofree char *auth = g_strconcat ("Bearer ", access, NULL);

  me = http (fixture, "GET", "/v1.0/me?$select=id", access, NULL);
  post = http (fixture, "POST", "/v1.0/applications", access, "{\"displayName\":\"Recorded\"}");
  requests = ba_graph_emulator_get_requests (fixture->emulator);
  g_assert_cmpuint (requests->len, ==, 4);

  token_request = ba_graph_emulator_last_request (fixture->emulator, "POST", "/organizations/oauth2/v2.0/token");
  g_assert_nonnull (token_request->form);
  g_assert_cmpstr (g_hash_table_lookup (token_request->form, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (token_request->content_type, ==, "application/x-www-form-urlencoded");
  g_assert_cmpuint (token_request->status, ==, 200);

  me_request = ba_graph_emulator_last_request (fixture->emulator, "GET", "/v1.0/me");
  g_assert_cmpstr (me_request->path, ==, "/v1.0/me");
  g_assert_cmpstr (me_request->query, ==, "$select=id");
  g_assert_cmpstr (me_request->authorization, ==, auth);
  g_assert_cmpuint (g_bytes_get_size (me_request->body), ==, 0);
  g_assert_null (me_request->form);
  g_assert_cmpuint (me_request->status, ==, 200);
  g_assert_cmpint (me_request->time_us, >=, token_request->time_us);

  post_request = ba_graph_emulator_last_request (fixture->emulator, "POST", "/v1.0/");
  g_assert_cmpuint (post_request->status, ==, 201);
  g_assert_cmpstr ((const char *) g_bytes_get_data (post_request->body, NULL), ==, "{\"displayName\":\"Recorded\"}");
  g_assert_null (post_request->query);

  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, NULL, "/v1.0/"), ==, 2);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", NULL), ==, 3);
  g_assert_null (ba_graph_emulator_last_request (fixture->emulator, "DELETE", NULL));
  ba_graph_emulator_clear_requests (fixture->emulator);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, NULL, NULL), ==, 0);
}

static void
generated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BaCertificate **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ba_certificate_generate_finish (result, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ba_certificate_generate_async ("Emulator test", 2048, 1, NULL, generated_cb, &certificate);
  ba_certificate_generate_async ("Emulator test other", 2048, 1, NULL, generated_cb, &other_certificate);
  while (certificate == NULL || other_certificate == NULL)
    g_main_context_iteration (NULL, TRUE);

#define ADD(name, func) g_test_add ("/ba/graph-emulator/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("device-code", test_device_code);
  ADD ("device-code-outcomes", test_device_code_outcomes);
  ADD ("refresh", test_refresh);
  ADD ("expired-access-token", test_expired_access_token);
  ADD ("client-credentials", test_client_credentials);
  ADD ("app-role-grant-in-token", test_app_role_grant_in_token);
  ADD ("pkce", test_pkce);
  ADD ("me-organization", test_me_organization);
  ADD ("paging", test_paging);
  ADD ("knobs", test_knobs);
  ADD ("replication-delay", test_replication_delay);
  ADD ("applications", test_applications);
  ADD ("record", test_record);
#undef ADD

  ret = g_test_run ();

  g_clear_object (&certificate);
  g_clear_object (&other_certificate);

  return ret;
}
