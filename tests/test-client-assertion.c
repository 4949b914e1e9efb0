/* test-client-assertion.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <json-glib/json-glib.h>

#include "ba-certificate-private.h"
#include "ba-client-assertion.h"
#include "ba-enum-types.h"
#include "ba-test-utils.h"

#define CLIENT_ID "6731de76-14a6-49ae-97bc-6eba6914391e"
#define AUDIENCE "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/oauth2/v2.0/token"
#define GUID_PATTERN "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

static BaCertificate *certificate;

/* -------------------------------------------------------------------------
 * An independent reading of the JWT
 * ------------------------------------------------------------------------- */

static gboolean
is_base64url (const char *text)
{
  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isalnum (*text) && *text != '-' && *text != '_')
        return FALSE;
    }

  return TRUE;
}

static GBytes *
base64url_decode (const char *text)
{
  g_autoptr(GString) standard = g_string_new (text);
  guchar *data;
  gsize length = 0;
  gsize i;

  g_assert_true (is_base64url (text));
  /* Unpadded base64 never leaves a single character over. */
  g_assert_cmpuint (standard->len % 4, !=, 1);

  for (i = 0; i < standard->len; i++)
    {
      if (standard->str[i] == '-')
        standard->str[i] = '+';
      else if (standard->str[i] == '_')
        standard->str[i] = '/';
    }
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');

  data = g_base64_decode (standard->str, &length);

  return g_bytes_new_take (data, length);
}

static JsonObject *
decode_json_part (const char *part)
{
  g_autoptr(GBytes) bytes = base64url_decode (part);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

typedef struct
{
  char **parts;
  JsonObject *header;
  JsonObject *claims;
  GBytes *signature;
  char *signing_input;
} Jwt;

static void
jwt_free (Jwt *jwt)
{
  g_strfreev (jwt->parts);
  g_clear_pointer (&jwt->header, json_object_unref);
  g_clear_pointer (&jwt->claims, json_object_unref);
  g_clear_pointer (&jwt->signature, g_bytes_unref);
  g_clear_pointer (&jwt->signing_input, g_free);
  g_free (jwt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Jwt, jwt_free)

static Jwt *
jwt_parse (const char *text)
{
  Jwt *jwt = g_new0 (Jwt, 1);

  jwt->parts = g_strsplit (text, ".", -1);
  g_assert_cmpuint (g_strv_length (jwt->parts), ==, 3);
  g_assert_cmpstr (jwt->parts[0], !=, "");
  g_assert_cmpstr (jwt->parts[1], !=, "");
  g_assert_cmpstr (jwt->parts[2], !=, "");

  jwt->header = decode_json_part (jwt->parts[0]);
  jwt->claims = decode_json_part (jwt->parts[1]);
  jwt->signature = base64url_decode (jwt->parts[2]);
  jwt->signing_input = g_strconcat (jwt->parts[0], ".", jwt->parts[1], NULL);

  return jwt;
}

/* Checks the signature with GnuTLS and the certificate's DER, not with the
 * engine that made it. */
static gboolean
signature_holds (Jwt                     *jwt,
                 gnutls_sign_algorithm_t  algorithm)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  gnutls_datum_t input;
  gnutls_datum_t signature;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = g_bytes_get_size (der);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (pubkey, crt, 0), ==, 0);

  input.data = (unsigned char *) jwt->signing_input;
  input.size = strlen (jwt->signing_input);
  signature.data = (unsigned char *) g_bytes_get_data (jwt->signature, NULL);
  signature.size = g_bytes_get_size (jwt->signature);
  ret = gnutls_pubkey_verify_data2 (pubkey, algorithm, 0, &input, &signature);

  gnutls_pubkey_deinit (pubkey);
  gnutls_x509_crt_deinit (crt);

  return ret >= 0;
}

static char *
expected_thumbprint (GChecksumType type)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  guint8 digest[32];
  gsize length = sizeof digest;
  g_autoptr(GString) text = NULL;
  g_autofree char *base64 = NULL;

  g_checksum_update (checksum, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  g_checksum_get_digest (checksum, digest, &length);
  base64 = g_base64_encode (digest, length);
  text = g_string_new (base64);
  g_string_replace (text, "+", "-", 0);
  g_string_replace (text, "/", "_", 0);
  g_string_replace (text, "=", "", 0);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_claims (Jwt    *jwt,
               gint64  now,
               guint   lifetime)
{
  JsonObject *claims = jwt->claims;

  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, AUDIENCE);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, CLIENT_ID);
  g_assert_true (g_regex_match_simple (GUID_PATTERN, json_object_get_string_member (claims, "jti"), 0, 0));
  g_assert_cmpint (json_object_get_int_member (claims, "iat"), ==, now);
  g_assert_cmpint (json_object_get_int_member (claims, "nbf"), ==, now - 60);
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), ==, now + lifetime);
  g_assert_cmpint (json_object_get_int_member (claims, "exp") - json_object_get_int_member (claims, "iat"), <=, 600);
  g_assert_cmpuint (json_object_get_size (claims), ==, 7);
}

/* -------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);

  g_assert_cmpint (ba_client_assertion_get_scheme (assertion), ==, BA_SIGNATURE_RSA_PKCS1_SHA256);
  g_assert_cmpuint (ba_client_assertion_get_lifetime (assertion), ==, 600);
}

static void
test_rs256 (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 3, 14, 15, 9, 26);
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autofree char *text = NULL;
  g_autofree char *x5t = expected_thumbprint (G_CHECKSUM_SHA1);

  text = ba_client_assertion_sign (assertion, now, &error);
  g_assert_no_error (error);
  g_assert_null (strpbrk (text, "+/= \n"));

  jwt = jwt_parse (text);
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "typ"), ==, "JWT");
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "x5t"), ==, x5t);
  g_assert_cmpuint (strlen (x5t), ==, 27);
  g_assert_false (json_object_has_member (jwt->header, "x5t#S256"));
  g_assert_cmpuint (json_object_get_size (jwt->header), ==, 3);

  assert_claims (jwt, g_date_time_to_unix (now), 600);

  g_assert_cmpuint (g_bytes_get_size (jwt->signature), ==, 256);
  g_assert_true (signature_holds (jwt, GNUTLS_SIGN_RSA_SHA256));
  g_assert_false (signature_holds (jwt, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256));
}

static void
test_ps256 (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 8, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autofree char *text = NULL;
  g_autofree char *x5t_s256 = expected_thumbprint (G_CHECKSUM_SHA256);

  ba_client_assertion_set_scheme (assertion, BA_SIGNATURE_RSA_PSS_SHA256);
  text = ba_client_assertion_sign (assertion, now, &error);
  g_assert_no_error (error);

  jwt = jwt_parse (text);
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "alg"), ==, "PS256");
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "typ"), ==, "JWT");
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "x5t#S256"), ==, x5t_s256);
  g_assert_cmpuint (strlen (x5t_s256), ==, 43);
  g_assert_false (json_object_has_member (jwt->header, "x5t"));

  assert_claims (jwt, g_date_time_to_unix (now), 600);

  g_assert_true (signature_holds (jwt, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256));
  g_assert_false (signature_holds (jwt, GNUTLS_SIGN_RSA_SHA256));
}

static void
test_tampered (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autoptr(Jwt) forged = NULL;
  g_autofree char *text = NULL;
  g_autofree char *other_claims = NULL;
  g_autofree char *forged_text = NULL;
  const char *claims = "{\"aud\":\"" AUDIENCE "\",\"iss\":\"someone-else\"}";

  text = ba_client_assertion_sign (assertion, NULL, &error);
  g_assert_no_error (error);
  jwt = jwt_parse (text);
  g_assert_true (signature_holds (jwt, GNUTLS_SIGN_RSA_SHA256));

  /* Other claims under the same signature do not verify. */
  other_claims = ba_base64url_encode ((const guint8 *) claims, strlen (claims));
  forged_text = g_strjoin (".", jwt->parts[0], other_claims, jwt->parts[2], NULL);
  forged = jwt_parse (forged_text);
  g_assert_false (signature_holds (forged, GNUTLS_SIGN_RSA_SHA256));
}

static void
test_now (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autofree char *text = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  gint64 after;
  gint64 iat;

  text = ba_client_assertion_sign (assertion, NULL, &error);
  g_assert_no_error (error);
  after = g_get_real_time () / G_USEC_PER_SEC;

  jwt = jwt_parse (text);
  iat = json_object_get_int_member (jwt->claims, "iat");
  g_assert_cmpint (iat, >=, before);
  g_assert_cmpint (iat, <=, after);
  assert_claims (jwt, iat, 600);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_lifetime (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autoptr(Jwt) clamped = NULL;
  g_autofree char *text = NULL;
  g_autofree char *clamped_text = NULL;
  guint lifetime_notifies = 0;
  guint scheme_notifies = 0;
  guint lifetime = 0;

  g_signal_connect (assertion, "notify::lifetime", G_CALLBACK (count_notify_cb), &lifetime_notifies);
  g_signal_connect (assertion, "notify::scheme", G_CALLBACK (count_notify_cb), &scheme_notifies);

  ba_client_assertion_set_lifetime (assertion, 300);
  ba_client_assertion_set_lifetime (assertion, 300);
  g_assert_cmpuint (lifetime_notifies, ==, 1);
  g_object_get (assertion, "lifetime", &lifetime, NULL);
  g_assert_cmpuint (lifetime, ==, 300);

  text = ba_client_assertion_sign (assertion, now, &error);
  g_assert_no_error (error);
  jwt = jwt_parse (text);
  assert_claims (jwt, g_date_time_to_unix (now), 300);

  /* More than ten minutes is held to ten. */
  ba_client_assertion_set_lifetime (assertion, 3600);
  g_assert_cmpuint (ba_client_assertion_get_lifetime (assertion), ==, 600);
  g_assert_cmpuint (lifetime_notifies, ==, 2);
  clamped_text = ba_client_assertion_sign (assertion, now, &error);
  g_assert_no_error (error);
  clamped = jwt_parse (clamped_text);
  assert_claims (clamped, g_date_time_to_unix (now), 600);

  ba_client_assertion_set_scheme (assertion, BA_SIGNATURE_RSA_PSS_SHA256);
  ba_client_assertion_set_scheme (assertion, BA_SIGNATURE_RSA_PSS_SHA256);
  g_assert_cmpuint (scheme_notifies, ==, 1);
}

static void
test_jti_unique (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint i;

  for (i = 0; i < 8; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(Jwt) jwt = NULL;
      g_autofree char *text = ba_client_assertion_sign (assertion, now, &error);
      const char *jti;

      g_assert_no_error (error);
      jwt = jwt_parse (text);
      jti = json_object_get_string_member (jwt->claims, "jti");
      g_assert_true (g_regex_match_simple (GUID_PATTERN, jti, 0, 0));
      g_assert_false (g_hash_table_contains (seen, jti));
      g_hash_table_add (seen, g_strdup (jti));
    }
}

static void
sign_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autoptr(BaClientAssertion) assertion = ba_client_assertion_new (certificate, CLIENT_ID, AUDIENCE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Jwt) jwt = NULL;
  g_autofree char *text = NULL;

  ba_client_assertion_set_scheme (assertion, BA_SIGNATURE_RSA_PSS_SHA256);
  ba_client_assertion_sign_async (assertion, NULL, sign_cb, &result);
  /* Changed after the call: the signature uses what was asked for. */
  ba_client_assertion_set_scheme (assertion, BA_SIGNATURE_RSA_PKCS1_SHA256);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  text = ba_client_assertion_sign_finish (assertion, result, &error);
  g_assert_no_error (error);
  jwt = jwt_parse (text);
  g_assert_cmpstr (json_object_get_string_member (jwt->header, "alg"), ==, "PS256");
  g_assert_true (signature_holds (jwt, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256));
  assert_claims (jwt, json_object_get_int_member (jwt->claims, "iat"), 600);

  g_clear_object (&result);
  g_clear_pointer (&text, g_free);
  g_cancellable_cancel (cancellable);
  ba_client_assertion_sign_async (assertion, cancellable, sign_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  text = ba_client_assertion_sign_finish (assertion, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (text);
}

static void
test_errors (void)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autoptr(BaCertificate) public_only = NULL;
  g_autoptr(BaClientAssertion) no_key = NULL;
  g_autoptr(BaClientAssertion) no_client = NULL;
  g_autoptr(BaClientAssertion) no_audience = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  public_only = ba_certificate_new_from_data (der, &error);
  g_assert_no_error (error);

  no_key = ba_client_assertion_new (public_only, CLIENT_ID, AUDIENCE);
  text = ba_client_assertion_sign (no_key, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY);
  g_assert_null (text);
  g_clear_error (&error);

  no_client = ba_client_assertion_new (certificate, "", AUDIENCE);
  text = ba_client_assertion_sign (no_client, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (text);
  g_clear_error (&error);

  no_audience = ba_client_assertion_new (certificate, CLIENT_ID, "");
  text = ba_client_assertion_sign (no_audience, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (text);
}

static void
generated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ba_certificate_generate_async ("Client assertion test", 2048, 1, NULL, generated_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  certificate = ba_certificate_generate_finish (result, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ba/client-assertion/defaults", test_defaults);
  g_test_add_func ("/ba/client-assertion/rs256", test_rs256);
  g_test_add_func ("/ba/client-assertion/ps256", test_ps256);
  g_test_add_func ("/ba/client-assertion/tampered", test_tampered);
  g_test_add_func ("/ba/client-assertion/now", test_now);
  g_test_add_func ("/ba/client-assertion/lifetime", test_lifetime);
  g_test_add_func ("/ba/client-assertion/jti-unique", test_jti_unique);
  g_test_add_func ("/ba/client-assertion/async", test_async);
  g_test_add_func ("/ba/client-assertion/errors", test_errors);

  ret = g_test_run ();

  g_clear_object (&certificate);

  return ret;
}
