/* test-app-sign-in.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ba-app-sign-in.h"
#include "ba-certificate.h"
#include "ba-cloud.h"
#include "ba-graph-emulator.h"
#include "ba-session.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

/* Generated once: RSA keys take a moment. */
static BaCertificate *registered_certificate;
static BaCertificate *other_certificate;

typedef struct
{
  BaGraphEmulator *emulator;
  BaCloud *cloud;
} Fixture;

static char *
add_application (Fixture            *fixture,
                 BaCertificate      *certificate,
                 gboolean            with_service_principal,
                 const char * const *roles)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);

  return ba_graph_emulator_add_application (fixture->emulator, "Backup app", der,
                                            with_service_principal, roles);
}

static BaAppSignIn *
verify (Fixture            *fixture,
        const char         *app_id,
        BaCertificate      *certificate,
        const char         *sharepoint_url,
        BaSignatureScheme   scheme,
        GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_app_sign_in_verify_with_scheme_async (fixture->cloud,
                                           ba_graph_emulator_get_tenant_id (fixture->emulator),
                                           app_id, certificate, sharepoint_url, scheme,
                                           NULL, ba_test_store_result_cb, &result);
  return ba_app_sign_in_verify_finish (ba_test_wait_for_result (&result), error);
}

static JsonObject *
decode_jwt_part (const char *jwt,
                 guint       part)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autoptr(GString) text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *decoded = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  text = g_string_new (parts[part]);
  g_strdelimit (text->str, "-", '+');
  g_strdelimit (text->str, "_", '/');
  while (text->len % 4 != 0)
    g_string_append_c (text, '=');
  decoded = g_base64_decode (text->str, &len);
  g_assert_true (json_parser_load_from_data (parser, (const char *) decoded, len, &error));
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const BaEmulatorRequest *
last_token_request (Fixture *fixture)
{
  g_autofree char *path = g_strconcat ("/", ba_graph_emulator_get_tenant_id (fixture->emulator),
                                       "/oauth2/v2.0/token", NULL);

  return ba_graph_emulator_last_request (fixture->emulator, "POST", path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->emulator = ba_test_emulator_new (&fixture->cloud);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);
  g_unsetenv ("BA_AUTHORITY_URL");
  g_unsetenv ("BA_GRAPH_URL");
}

static void
test_success (Fixture       *fixture,
              gconstpointer  data)
{
  BaSignatureScheme scheme = GPOINTER_TO_UINT (data);
  static const char * const roles[] = { "Sites.FullControl.All", "User.Read.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, roles);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *audience = NULL;
  g_auto(GStrv) property_roles = NULL;
  const BaEmulatorRequest *token_request;
  const BaEmulatorRequest *proof;
  const char * const *got;

  sign_in = verify (fixture, app_id, registered_certificate, NULL, scheme, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sign_in);

  g_assert_cmpstr (ba_app_sign_in_get_app_id (sign_in), ==, app_id);
  g_assert_cmpstr (ba_app_sign_in_get_tenant_id (sign_in), ==, ba_graph_emulator_get_tenant_id (fixture->emulator));
  got = ba_app_sign_in_get_roles (sign_in);
  g_assert_true (g_strv_contains (got, "Sites.FullControl.All"));
  g_assert_true (g_strv_contains (got, "User.Read.All"));
  g_assert_true (ba_app_sign_in_get_graph_proven (sign_in));
  g_assert_false (ba_app_sign_in_get_sharepoint_proven (sign_in));
  g_assert_nonnull (ba_app_sign_in_get_verified_at (sign_in));
  g_assert_cmpint (g_date_time_difference (now, ba_app_sign_in_get_verified_at (sign_in)), <=, 0);
  g_object_get (sign_in, "roles", &property_roles, NULL);
  g_assert_cmpuint (g_strv_length (property_roles), ==, g_strv_length ((char **) got));

  /* The token request as reference §10.1 has it. */
  token_request = last_token_request (fixture);
  g_assert_nonnull (token_request);
  g_assert_nonnull (token_request->form);
  g_assert_cmpstr (g_hash_table_lookup (token_request->form, "grant_type"), ==, "client_credentials");
  g_assert_cmpstr (g_hash_table_lookup (token_request->form, "client_id"), ==, app_id);
  g_assert_cmpstr (g_hash_table_lookup (token_request->form, "scope"), ==, "https://graph.microsoft.com/.default");
  g_assert_cmpstr (g_hash_table_lookup (token_request->form, "client_assertion_type"),
                   ==, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");

  header = decode_jwt_part (g_hash_table_lookup (token_request->form, "client_assertion"), 0);
  claims = decode_jwt_part (g_hash_table_lookup (token_request->form, "client_assertion"), 1);
  if (scheme == BA_SIGNATURE_RSA_PSS_SHA256)
    {
      g_assert_cmpstr (json_object_get_string_member (header, "alg"), ==, "PS256");
      g_assert_true (json_object_has_member (header, "x5t#S256"));
    }
  else
    {
      g_assert_cmpstr (json_object_get_string_member (header, "alg"), ==, "RS256");
      g_assert_true (json_object_has_member (header, "x5t"));
    }
  audience = g_strconcat (ba_graph_emulator_get_url (fixture->emulator), "/",
                          ba_graph_emulator_get_tenant_id (fixture->emulator), "/oauth2/v2.0/token", NULL);
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, audience);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, app_id);

  /* The proof call went with the app's own token, not a delegated one. */
  proof = ba_graph_emulator_last_request (fixture->emulator, "GET", "/v1.0/sites/root");
  g_assert_nonnull (proof);
  g_assert_cmpuint (proof->status, ==, 200);
  g_assert_cmpstr (proof->query, ==, "$select=webUrl");
  g_assert_true (g_str_has_prefix (proof->authorization, "Bearer "));
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", NULL), ==, 1);
}

static void
test_wrong_certificate (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char * const roles[] = { "Sites.FullControl.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, roles);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  sign_in = verify (fixture, app_id, other_certificate, NULL, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CERTIFICATE_REJECTED);
  g_assert_null (sign_in);
  g_assert_nonnull (strstr (error->message, "certificate"));
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/sites/root"), ==, 0);
}

static void
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

/* A certificate that expired: Entra ID refuses the assertion it signs
 * (AADSTS700027), and the message names the certificate. */
static void
test_expired_certificate (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char * const roles[] = { "Sites.FullControl.All", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ba-expired-XXXXXX", &error);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *tmpl = g_build_filename (dir, "expired.tmpl", NULL);
  g_autofree char *crt = g_build_filename (dir, "expired.crt", NULL);
  g_autofree char *pfx = g_build_filename (dir, "expired.pfx", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(BaCertificate) expired = NULL;
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autofree char *app_id = NULL;
  gsize length = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (tmpl,
                                      "cn = \"Expired backup app\"\n"
                                      "serial = 9\n"
                                      "activation_date = \"2019-01-01 00:00:00\"\n"
                                      "expiration_date = \"2020-01-01 00:00:00\"\n"
                                      "signing_key\n", -1, NULL));
  run_tool ((const char * const[]) { "certtool", "--generate-privkey", "--rsa", "--bits", "2048",
                                     "--outfile", key, NULL });
  run_tool ((const char * const[]) { "certtool", "--generate-self-signed", "--load-privkey", key,
                                     "--template", tmpl, "--outfile", crt, NULL });
  run_tool ((const char * const[]) { "openssl", "pkcs12", "-export", "-inkey", key, "-in", crt,
                                     "-passout", "pass:pw", "-out", pfx, NULL });
  g_assert_true (g_file_get_contents (pfx, &contents, &length, NULL));
  bytes = g_bytes_new (contents, length);
  expired = ba_certificate_import_pkcs12 (bytes, "pw", &error);
  g_assert_no_error (error);

  app_id = add_application (fixture, expired, TRUE, roles);
  sign_in = verify (fixture, app_id, expired, NULL, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CERTIFICATE_REJECTED);
  g_assert_null (sign_in);
  g_assert_nonnull (strstr (error->message, "certificate"));

  g_unlink (key);
  g_unlink (tmpl);
  g_unlink (crt);
  g_unlink (pfx);
  g_rmdir (dir);
}

static void
test_unknown_application (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  sign_in = verify (fixture, "0b5a0c2e-1111-4222-8333-444455556666", registered_certificate, NULL,
                    BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND);
  g_assert_null (sign_in);
}

static void
test_no_service_principal (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const roles[] = { "Sites.FullControl.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, FALSE, roles);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  sign_in = verify (fixture, app_id, registered_certificate, NULL, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND);
  g_assert_null (sign_in);
  g_assert_nonnull (strstr (error->message, "service principal"));
}

static void
test_no_roles (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, NULL);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  sign_in = verify (fixture, app_id, registered_certificate, NULL, BA_SIGNATURE_RSA_PSS_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION);
  g_assert_null (sign_in);
  g_assert_nonnull (strstr (error->message, "Sites.Read.All"));
  /* The token had no role for the proof call, so it was not made. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/sites/root"), ==, 0);
}

static void
test_role_without_sites (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char * const roles[] = { "User.Read.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, roles);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  sign_in = verify (fixture, app_id, registered_certificate, NULL, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION);
  g_assert_null (sign_in);
}

static void
test_proof_forbidden (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const roles[] = { "Sites.Read.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, roles);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/sites/root", 403,
                                        "Authorization_RequestDenied", 1);
  sign_in = verify (fixture, app_id, registered_certificate, NULL, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
  g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION);
  g_assert_null (sign_in);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/sites/root"), ==, 1);
}

static void
test_bad_tenant (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  ba_app_sign_in_verify_async (fixture->cloud, "organizations", "0b5a0c2e-1111-4222-8333-444455556666",
                               registered_certificate, NULL, NULL, ba_test_store_result_cb, &result);
  sign_in = ba_app_sign_in_verify_finish (ba_test_wait_for_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (sign_in);
  g_assert_cmpuint (ba_graph_emulator_get_requests (fixture->emulator)->len, ==, 0);
}

/* A SharePoint stand-in: the emulator does not serve /_api/web. */
typedef struct
{
  guint calls;
  guint status;
  char *accept;
  char *query;
  gboolean authorized;
} SharePoint;

static void
sharepoint_handler (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  SharePoint *sharepoint = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  static const char body[] = "{\"Title\":\"Communication site\"}";

  sharepoint->calls++;
  g_free (sharepoint->accept);
  sharepoint->accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  g_free (sharepoint->query);
  sharepoint->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (message)));
  sharepoint->authorized = authorization != NULL && g_str_has_prefix (authorization, "Bearer ");

  if (g_strcmp0 (path, "/_api/web") != 0)
    {
      soup_server_message_set_status (message, 404, NULL);
      return;
    }

  soup_server_message_set_status (message, sharepoint->status, NULL);
  if (sharepoint->status == 200)
    soup_server_message_set_response (message, "application/json;odata=nometadata",
                                      SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_sharepoint (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const roles[] = { "Sites.FullControl.All", NULL };
  g_autofree char *app_id = add_application (fixture, registered_certificate, TRUE, roles);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *scope = NULL;
  SharePoint sharepoint = { 0, 200, NULL, NULL, FALSE };
  GSList *uris;

  soup_server_add_handler (server, NULL, sharepoint_handler, &sharepoint, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  {
    g_autoptr(BaAppSignIn) sign_in = NULL;
    g_autofree char *with_slash = g_strconcat (url, "/", NULL);

    sign_in = verify (fixture, app_id, registered_certificate, with_slash, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
    g_assert_no_error (error);
    g_assert_true (ba_app_sign_in_get_graph_proven (sign_in));
    g_assert_true (ba_app_sign_in_get_sharepoint_proven (sign_in));
  }

  g_assert_cmpuint (sharepoint.calls, ==, 1);
  g_assert_true (sharepoint.authorized);
  g_assert_cmpstr (sharepoint.accept, ==, "application/json;odata=nometadata");
  g_assert_cmpstr (sharepoint.query, ==, "$select=Title");
  scope = g_strconcat (url, "/.default", NULL);
  g_assert_cmpstr (g_hash_table_lookup (last_token_request (fixture)->form, "scope"), ==, scope);
  /* One assertion per token: a new jti each. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", NULL), ==, 2);

  /* SharePoint refuses the app: its permission is named. */
  sharepoint.status = 403;
  {
    g_autoptr(BaAppSignIn) sign_in = NULL;

    sign_in = verify (fixture, app_id, registered_certificate, url, BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
    g_assert_error (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION);
    g_assert_null (sign_in);
    g_assert_nonnull (strstr (error->message, "SharePoint"));
    g_clear_error (&error);
  }

  /* Plain http to a host that is not this machine is refused. */
  {
    g_autoptr(BaAppSignIn) sign_in = NULL;

    sign_in = verify (fixture, app_id, registered_certificate, "http://contoso.sharepoint.com",
                      BA_SIGNATURE_RSA_PKCS1_SHA256, &error);
    g_assert_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INSECURE_URL);
    g_assert_null (sign_in);
  }

  soup_server_disconnect (server);
  g_free (sharepoint.accept);
  g_free (sharepoint.query);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* The desktop's proxy resolver reads GNOME's proxy settings, whose
   * schema the tests do not have; the emulator is on loopback anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  registered_certificate = ba_test_generate_certificate ("Registered backup app");
  other_certificate = ba_test_generate_certificate ("Some other certificate");

#define ADD(path, func, data) \
  g_test_add ("/ba/app-sign-in/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("success-rs256", test_success, GUINT_TO_POINTER (BA_SIGNATURE_RSA_PKCS1_SHA256));
  ADD ("success-ps256", test_success, GUINT_TO_POINTER (BA_SIGNATURE_RSA_PSS_SHA256));
  ADD ("wrong-certificate", test_wrong_certificate, NULL);
  ADD ("expired-certificate", test_expired_certificate, NULL);
  ADD ("unknown-application", test_unknown_application, NULL);
  ADD ("no-service-principal", test_no_service_principal, NULL);
  ADD ("no-roles", test_no_roles, NULL);
  ADD ("role-without-sites", test_role_without_sites, NULL);
  ADD ("proof-forbidden", test_proof_forbidden, NULL);
  ADD ("bad-tenant", test_bad_tenant, NULL);
  ADD ("sharepoint", test_sharepoint, NULL);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&registered_certificate);
  g_clear_object (&other_certificate);

  return ret;
}
