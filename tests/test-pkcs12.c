/* test-pkcs12.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ba-certificate-private.h"
#include "ba-test-utils.h"

/* Every PFX here is made at test time by OpenSSL 3 or GnuTLS's certtool,
 * the way admins make them, into a directory of our own. */

#define PASSWORD "Secret-1"
#define WINDOWS_NAME "te-BackupAccess-6f1c2e54-8d8b-4b4e-9f0e-0c7d2f7a9d31"
#define UNICODE_NAME "Backup Access — Ünïcode ✓"

static char *fixtures;
static gboolean have_tools;

/* -------------------------------------------------------------------------
 * Making the fixtures
 * ------------------------------------------------------------------------- */

static void
run_argv (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (fixtures, (char **) argv, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

#define run(...) run_argv ((const char * const []) { __VA_ARGS__, NULL })

static void
write_fixture (const char *name,
               const char *contents)
{
  g_autofree char *path = g_build_filename (fixtures, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
concatenate (const char *output,
             const char *first,
             const char *second)
{
  g_autofree char *first_path = g_build_filename (fixtures, first, NULL);
  g_autofree char *second_path = g_build_filename (fixtures, second, NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *both = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (first_path, &a, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (second_path, &b, NULL, &error);
  g_assert_no_error (error);
  both = g_strconcat (a, b, NULL);
  write_fixture (output, both);
}

static void
make_key (const char *name)
{
  run ("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name);
}

static void
export_pfx (const char *output,
            const char *crt,
            const char *key,
            const char *password,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("openssl"));
  g_ptr_array_add (argv, g_strdup ("pkcs12"));
  g_ptr_array_add (argv, g_strdup ("-export"));
  g_ptr_array_add (argv, g_strdup ("-in"));
  g_ptr_array_add (argv, g_strdup (crt));
  if (key != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-inkey"));
      g_ptr_array_add (argv, g_strdup (key));
    }
  g_ptr_array_add (argv, g_strdup ("-passout"));
  g_ptr_array_add (argv, g_strdup_printf ("pass:%s", password));
  g_ptr_array_add (argv, g_strdup ("-out"));
  g_ptr_array_add (argv, g_strdup (output));

  va_start (args, password);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);

  g_ptr_array_add (argv, NULL);
  run_argv ((const char * const *) argv->pdata);
}

static void
make_fixtures (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *certtool = g_find_program_in_path ("certtool");

  have_tools = openssl != NULL && certtool != NULL;
  if (!have_tools)
    return;

  fixtures = g_dir_make_tmp ("ba-pkcs12-XXXXXX", &error);
  g_assert_no_error (error);

  /* Keys and certificates. */
  make_key ("a.key");
  make_key ("b.key");
  make_key ("ca.key");
  run ("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key");

  run ("openssl", "req", "-x509", "-new", "-key", "a.key", "-subj", "/CN=Alpha", "-days", "30",
       "-sha256", "-out", "a.crt");
  run ("openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Test CA", "-days", "365",
       "-sha256", "-out", "ca.crt");
  run ("openssl", "req", "-new", "-key", "b.key", "-subj", "/CN=Leaf", "-out", "leaf.csr");
  run ("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
       "-CAcreateserial", "-days", "30", "-sha256", "-out", "leaf.crt");
  run ("openssl", "req", "-x509", "-new", "-key", "ec.key", "-subj", "/CN=Elliptic", "-days", "30",
       "-out", "ec.crt");

  write_fixture ("expired.tmpl",
                 "cn = \"Expired\"\n"
                 "serial = 7\n"
                 "activation_date = \"2019-01-01 00:00:00\"\n"
                 "expiration_date = \"2020-01-01 00:00:00\"\n"
                 "signing_key\n");
  run ("certtool", "--generate-self-signed", "--load-privkey", "a.key", "--template", "expired.tmpl",
       "--outfile", "expired.crt");
  write_fixture ("future.tmpl",
                 "cn = \"Future\"\n"
                 "serial = 8\n"
                 "activation_date = \"2090-01-01 00:00:00\"\n"
                 "expiration_date = \"2092-01-01 00:00:00\"\n"
                 "signing_key\n");
  run ("certtool", "--generate-self-signed", "--load-privkey", "a.key", "--template", "future.tmpl",
       "--outfile", "future.crt");

  /* The CA comes first in this file, so the leaf is not the first bag. */
  concatenate ("ca-then-leaf.pem", "ca.crt", "leaf.crt");

  /* OpenSSL 3's defaults: PBES2, PBKDF2, AES-256-CBC, SHA-256 MAC. */
  export_pfx ("default.pfx", "a.crt", "a.key", PASSWORD, NULL);
  /* What Windows writes: "TripleDES-SHA1" and "AES256-SHA256", with a
   * GUID-like friendly name, a CSP name and the local machine key set. */
  export_pfx ("windows-3des.pfx", "a.crt", "a.key", PASSWORD,
              "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1",
              "-CSP", "Microsoft Enhanced RSA and AES Cryptographic Provider", "-LMK",
              "-name", WINDOWS_NAME, NULL);
  export_pfx ("windows-aes.pfx", "a.crt", "a.key", PASSWORD,
              "-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256",
              "-CSP", "Microsoft Software Key Storage Provider", "-name", WINDOWS_NAME, NULL);
  /* Legacy: 3DES keys, RC2-40 certificates, SHA-1 MAC. */
  export_pfx ("legacy.pfx", "a.crt", "a.key", PASSWORD, "-legacy", NULL);
  export_pfx ("rc2-40.pfx", "a.crt", "a.key", PASSWORD,
              "-provider", "legacy", "-provider", "default",
              "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-RC2-40", "-macalg", "sha1", NULL);
  /* Without a password, in each of its forms. */
  export_pfx ("empty-password.pfx", "a.crt", "a.key", "", NULL);
  export_pfx ("unencrypted.pfx", "a.crt", "a.key", "", "-keypbe", "NONE", "-certpbe", "NONE", NULL);
  export_pfx ("no-mac.pfx", "a.crt", "a.key", "", "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", NULL);
  export_pfx ("no-mac-encrypted.pfx", "a.crt", "a.key", PASSWORD, "-nomac", NULL);
  /* Chains. */
  export_pfx ("chain.pfx", "leaf.crt", "b.key", PASSWORD,
              "-certfile", "ca.crt", "-name", "Leaf name", "-caname", "CA name", NULL);
  run ("certtool", "--to-p12", "--load-certificate", "ca-then-leaf.pem", "--load-privkey", "b.key",
       "--password", PASSWORD, "--p12-name", "GnuTLS chain", "--outder", "--outfile", "chain-ca-first.pfx");
  /* Friendly names. */
  export_pfx ("friendly.pfx", "a.crt", "a.key", PASSWORD, "-name", UNICODE_NAME, NULL);
  /* Broken ones. */
  export_pfx ("no-key.pfx", "a.crt", NULL, PASSWORD, "-nokeys", NULL);
  export_pfx ("key-only.pfx", "a.crt", "a.key", PASSWORD, "-nocerts", NULL);
  /* OpenSSL refuses to pair a certificate with someone else's key;
   * certtool does not check. */
  run ("certtool", "--to-p12", "--load-certificate", "a.crt", "--load-privkey", "b.key",
       "--password", PASSWORD, "--p12-name", "mismatch", "--outder", "--outfile", "mismatch.pfx");
  export_pfx ("ec.pfx", "ec.crt", "ec.key", PASSWORD, NULL);
  /* GnuTLS cannot decrypt Camellia. */
  export_pfx ("camellia.pfx", "a.crt", "a.key", PASSWORD,
              "-keypbe", "CAMELLIA-256-CBC", "-certpbe", "CAMELLIA-256-CBC", NULL);
  /* Dates. */
  export_pfx ("expired.pfx", "expired.crt", "a.key", PASSWORD, NULL);
  export_pfx ("future.pfx", "future.crt", "a.key", PASSWORD, NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_remove (path);
}

/* -------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static GBytes *
read_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (fixtures, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

/* The SHA-1 thumbprint of a PEM certificate fixture, computed without the
 * engine. */
static char *
thumbprint_of (const char *crt_name)
{
  g_autoptr(GBytes) pem = read_fixture (crt_name);
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  guint8 digest[20];
  size_t size = sizeof digest;
  GString *hex = g_string_new (NULL);
  guint i;

  datum.data = (unsigned char *) g_bytes_get_data (pem, NULL);
  datum.size = g_bytes_get_size (pem);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA1, digest, &size), ==, 0);
  gnutls_x509_crt_deinit (crt);

  for (i = 0; i < size; i++)
    g_string_append_printf (hex, "%02X", digest[i]);

  return g_string_free (hex, FALSE);
}

static gboolean
skip_without_tools (void)
{
  if (!have_tools)
    g_test_skip ("openssl and certtool are needed to make the PFX files");

  return !have_tools;
}

static void
assert_key_signs (BaCertificate *certificate)
{
  g_autoptr(GBytes) data = g_bytes_new_static ("header.payload", 14);
  g_autoptr(GError) error = NULL;
  BaSignatureScheme schemes[] = { BA_SIGNATURE_RSA_PKCS1_SHA256, BA_SIGNATURE_RSA_PSS_SHA256 };
  guint i;

  g_assert_true (ba_certificate_has_private_key (certificate));
  g_assert_cmpint (ba_certificate_get_key_location (certificate), ==, BA_KEY_LOCATION_MEMORY);
  g_assert_nonnull (_ba_certificate_get_x509_key (certificate));

  for (i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autoptr(GBytes) signature = ba_certificate_sign (certificate, schemes[i], data, &error);

      g_assert_no_error (error);
      g_assert_true (ba_certificate_verify (certificate, schemes[i], data, signature, &error));
      g_assert_no_error (error);
    }
}

static BaCertificate *
import_fixture (const char  *name,
                const char  *password,
                GError     **error)
{
  g_autoptr(GBytes) data = read_fixture (name);

  return ba_certificate_import_pkcs12 (data, password, error);
}

static void
assert_imports (const char *name,
                const char *password,
                const char *crt_name,
                const char *common_name,
                const char *friendly_name)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thumbprint = thumbprint_of (crt_name);

  g_test_message ("%s with %s%s%s", name,
                  password != NULL ? "“" : "", password != NULL ? password : "no password",
                  password != NULL ? "”" : "");

  certificate = import_fixture (name, password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (certificate), ==, thumbprint);
  g_assert_cmpstr (ba_certificate_get_common_name (certificate), ==, common_name);
  g_assert_cmpstr (ba_certificate_get_key_algorithm (certificate), ==, "RSA");
  g_assert_cmpuint (ba_certificate_get_key_bits (certificate), ==, 2048);
  g_assert_cmpstr (ba_certificate_get_friendly_name (certificate), ==, friendly_name);
  assert_key_signs (certificate);
}

static void
assert_refused (const char  *name,
                const char  *password,
                BaCertError  code)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  g_test_message ("%s with %s", name, password != NULL ? password : "no password");

  certificate = import_fixture (name, password, &error);
  g_assert_error (error, BA_CERT_ERROR, (int) code);
  g_assert_null (certificate);
  g_assert_cmpstr (error->message, !=, "");
}

/* -------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------- */

static void
test_openssl_default (void)
{
  if (skip_without_tools ())
    return;

  assert_imports ("default.pfx", PASSWORD, "a.crt", "Alpha", NULL);
}

static void
test_windows (void)
{
  if (skip_without_tools ())
    return;

  assert_imports ("windows-3des.pfx", PASSWORD, "a.crt", "Alpha", WINDOWS_NAME);
  assert_imports ("windows-aes.pfx", PASSWORD, "a.crt", "Alpha", WINDOWS_NAME);
}

static void
test_legacy (void)
{
  if (skip_without_tools ())
    return;

  assert_imports ("legacy.pfx", PASSWORD, "a.crt", "Alpha", NULL);
  assert_imports ("rc2-40.pfx", PASSWORD, "a.crt", "Alpha", NULL);
}

static void
test_no_password (void)
{
  if (skip_without_tools ())
    return;

  /* NULL and "" both mean none. */
  assert_imports ("empty-password.pfx", NULL, "a.crt", "Alpha", NULL);
  assert_imports ("empty-password.pfx", "", "a.crt", "Alpha", NULL);
  assert_imports ("unencrypted.pfx", NULL, "a.crt", "Alpha", NULL);
  assert_imports ("unencrypted.pfx", "", "a.crt", "Alpha", NULL);
  assert_imports ("no-mac.pfx", NULL, "a.crt", "Alpha", NULL);

  /* A password where there is none is a wrong password. */
  assert_refused ("empty-password.pfx", "not this", BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("unencrypted.pfx", "not this", BA_CERT_ERROR_WRONG_PASSWORD);
}

static void
test_no_mac (void)
{
  if (skip_without_tools ())
    return;

  /* Without a MAC only decryption can tell a wrong password. */
  assert_imports ("no-mac-encrypted.pfx", PASSWORD, "a.crt", "Alpha", NULL);
  assert_refused ("no-mac-encrypted.pfx", "wrong", BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("no-mac-encrypted.pfx", NULL, BA_CERT_ERROR_WRONG_PASSWORD);
}

static void
test_chain (void)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_tools ())
    return;

  assert_imports ("chain.pfx", PASSWORD, "leaf.crt", "Leaf", "Leaf name");
  assert_imports ("chain-ca-first.pfx", PASSWORD, "leaf.crt", "Leaf", "GnuTLS chain");

  certificate = import_fixture ("chain-ca-first.pfx", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_issuer (certificate), ==, "CN=Test CA");
  g_assert_cmpstr (ba_certificate_get_subject (certificate), ==, "CN=Leaf");
}

static void
test_friendly_name (void)
{
  if (skip_without_tools ())
    return;

  assert_imports ("friendly.pfx", PASSWORD, "a.crt", "Alpha", UNICODE_NAME);
}

static void
test_wrong_password (void)
{
  if (skip_without_tools ())
    return;

  assert_refused ("default.pfx", "secret-1", BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("default.pfx", NULL, BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("default.pfx", "", BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("legacy.pfx", "wrong", BA_CERT_ERROR_WRONG_PASSWORD);
  assert_refused ("windows-3des.pfx", "wrong", BA_CERT_ERROR_WRONG_PASSWORD);
}

static void
test_no_private_key (void)
{
  if (skip_without_tools ())
    return;

  assert_refused ("no-key.pfx", PASSWORD, BA_CERT_ERROR_NO_PRIVATE_KEY);
}

static void
test_key_mismatch (void)
{
  if (skip_without_tools ())
    return;

  assert_refused ("mismatch.pfx", PASSWORD, BA_CERT_ERROR_KEY_MISMATCH);
  assert_refused ("key-only.pfx", PASSWORD, BA_CERT_ERROR_KEY_MISMATCH);
}

static void
test_corrupt (void)
{
  g_autoptr(GBytes) valid = NULL;
  g_autoptr(GBytes) pem = NULL;
  guint8 garbage[2048];
  const char *text = "This is not a PFX file.\n";
  GBytes *inputs[6];
  guint i;

  if (skip_without_tools ())
    return;

  valid = read_fixture ("default.pfx");
  pem = read_fixture ("a.crt");
  for (i = 0; i < sizeof garbage; i++)
    garbage[i] = (guint8) (i * 7919 + 13);

  inputs[0] = g_bytes_new_static (garbage, sizeof garbage);
  inputs[1] = g_bytes_new_static (text, strlen (text));
  inputs[2] = g_bytes_new_static ("", 0);
  inputs[3] = g_bytes_new_from_bytes (valid, 0, g_bytes_get_size (valid) / 2);
  inputs[4] = g_bytes_new_from_bytes (valid, 0, g_bytes_get_size (valid) - 1);
  inputs[5] = g_bytes_ref (pem);

  for (i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(BaCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("input %u", i);
      certificate = ba_certificate_import_pkcs12 (inputs[i], PASSWORD, &error);
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT);
      g_assert_null (certificate);
      g_clear_error (&error);

      certificate = ba_certificate_import_pkcs12 (inputs[i], NULL, &error);
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT);
      g_assert_null (certificate);

      g_bytes_unref (inputs[i]);
    }
}

static void
test_unsupported (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaCertificate) certificate = NULL;

  if (skip_without_tools ())
    return;

  /* Entra applications sign with RSA; an EC key is refused with a reason. */
  assert_refused ("ec.pfx", PASSWORD, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM);
  certificate = import_fixture ("ec.pfx", PASSWORD, &error);
  g_assert_nonnull (strstr (error->message, "RSA"));
  g_clear_error (&error);

  /* The password is right (the MAC checks), the cipher unknown to GnuTLS. */
  assert_refused ("camellia.pfx", PASSWORD, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM);
  assert_refused ("camellia.pfx", "wrong", BA_CERT_ERROR_WRONG_PASSWORD);
}

static void
test_dates (void)
{
  g_autoptr(BaCertificate) expired = NULL;
  g_autoptr(BaCertificate) future = NULL;
  g_autoptr(GDateTime) in_2019 = g_date_time_new_utc (2019, 6, 1, 12, 0, 0);
  g_autoptr(GDateTime) in_2091 = g_date_time_new_utc (2091, 6, 1, 12, 0, 0);
  g_autoptr(GError) error = NULL;

  if (skip_without_tools ())
    return;

  /* They import; the caller tells the person. */
  expired = import_fixture ("expired.pfx", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_false (ba_certificate_is_valid_at (expired, NULL));
  g_assert_true (ba_certificate_is_valid_at (expired, in_2019));
  g_assert_cmpint (g_date_time_get_year (ba_certificate_get_not_after (expired)), ==, 2020);
  assert_key_signs (expired);

  future = import_fixture ("future.pfx", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_false (ba_certificate_is_valid_at (future, NULL));
  g_assert_true (ba_certificate_is_valid_at (future, in_2091));
  g_assert_cmpint (g_date_time_get_year (ba_certificate_get_not_before (future)), ==, 2090);
}

static void
import_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *password = g_strdup (PASSWORD);
  g_autofree char *thumbprint = NULL;

  if (skip_without_tools ())
    return;

  data = read_fixture ("default.pfx");
  thumbprint = thumbprint_of ("a.crt");

  /* The caller may wipe its password at once: the task keeps a copy. */
  ba_certificate_import_pkcs12_async (data, password, NULL, import_cb, &result);
  memset (password, 'x', strlen (password));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  certificate = ba_certificate_import_pkcs12_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (certificate), ==, thumbprint);
  g_clear_object (&result);
  g_clear_object (&certificate);

  ba_certificate_import_pkcs12_async (data, "wrong", NULL, import_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  certificate = ba_certificate_import_pkcs12_finish (result, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD);
  g_assert_null (certificate);
  g_clear_error (&error);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  ba_certificate_import_pkcs12_async (data, PASSWORD, cancellable, import_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  certificate = ba_certificate_import_pkcs12_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (certificate);
}

static void
test_round_trip (void)
{
  g_autoptr(BaCertificate) imported = NULL;
  g_autoptr(BaCertificate) again = NULL;
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("round trip", 10);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_tools ())
    return;

  /* A legacy file comes out as AES-256 and goes back in the same. */
  imported = import_fixture ("windows-3des.pfx", PASSWORD, &error);
  g_assert_no_error (error);
  pfx = ba_certificate_export (imported, BA_CERTIFICATE_FORMAT_PFX, "another password", &error);
  g_assert_no_error (error);

  again = ba_certificate_import_pkcs12 (pfx, "another password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha256_thumbprint (again), ==, ba_certificate_get_sha256_thumbprint (imported));
  g_assert_cmpstr (ba_certificate_get_friendly_name (again), ==, WINDOWS_NAME);

  signature = ba_certificate_sign (again, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (imported, BA_SIGNATURE_RSA_PSS_SHA256, data, signature, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  make_fixtures ();

  g_test_add_func ("/ba/pkcs12/openssl-default", test_openssl_default);
  g_test_add_func ("/ba/pkcs12/windows", test_windows);
  g_test_add_func ("/ba/pkcs12/legacy", test_legacy);
  g_test_add_func ("/ba/pkcs12/no-password", test_no_password);
  g_test_add_func ("/ba/pkcs12/no-mac", test_no_mac);
  g_test_add_func ("/ba/pkcs12/chain", test_chain);
  g_test_add_func ("/ba/pkcs12/friendly-name", test_friendly_name);
  g_test_add_func ("/ba/pkcs12/wrong-password", test_wrong_password);
  g_test_add_func ("/ba/pkcs12/no-private-key", test_no_private_key);
  g_test_add_func ("/ba/pkcs12/key-mismatch", test_key_mismatch);
  g_test_add_func ("/ba/pkcs12/corrupt", test_corrupt);
  g_test_add_func ("/ba/pkcs12/unsupported", test_unsupported);
  g_test_add_func ("/ba/pkcs12/dates", test_dates);
  g_test_add_func ("/ba/pkcs12/async", test_async);
  g_test_add_func ("/ba/pkcs12/round-trip", test_round_trip);

  ret = g_test_run ();

  if (fixtures != NULL)
    remove_tree (fixtures);
  g_clear_pointer (&fixtures, g_free);

  return ret;
}
