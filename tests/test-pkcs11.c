/* test-pkcs11.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

#include "ba-certificate-private.h"
#include "ba-certificate-store.h"
#include "ba-pkcs11.h"
#include "ba-secret-store.h"
#include "ba-test-utils.h"

/* PKCS#11 on a SoftHSM2 token that main() makes for the run: a key and its
 * certificate imported with p11tool (the key CKA_PRIVATE, so listing needs
 * the PIN), and a certificate without a key, which must not be listed.
 *
 * GnuTLS starts PKCS#11 once per process and a token stays logged in while
 * a session is open, so every test that talks to the token runs in a
 * subprocess of its own: a fresh start, the module added before anything
 * is listed, and no login left over from another test. The machine's own
 * p11-kit modules are loaded too, as in the application. */

#define TOKEN_LABEL "ba-test"
#define TOKEN_URI "pkcs11:token=" TOKEN_LABEL
#define USER_PIN "1234"
#define SO_PIN "5678"
#define IMPORTED_LABEL "ba-imported"
#define IMPORTED_KEY_URI TOKEN_URI ";id=%01;type=private"
#define DATA "Signed on the token"

typedef struct
{
  GMutex lock;
  /* The answer to each attempt, NULL-terminated: past the end, cancel. */
  const char * const *answers;
  GCancellable *cancel_when_asked;
  GPtrArray *labels;
  GArray *attempts;
  GPtrArray *retry_messages;
} PinScript;

static const char *skip_reason;
static char *softhsm_module;

static const char * const good_pin[] = { USER_PIN, NULL };
static const char * const cancel_pin[] = { NULL };
static const char * const wrong_then_cancel[] = { "0000", NULL };
static const char * const wrong_twice[] = { "0000", "0000", NULL };

/* ------------------------------------------------------------------------
 * Setting the token up (parent process)
 * ------------------------------------------------------------------------ */

static void
write_pem_pair (const char              *directory,
                const char              *name,
                const char              *common_name,
                gnutls_x509_privkey_t   *key_out)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t out = { NULL, 0 };
  g_autofree char *key_name = g_strconcat (name, ".key.pem", NULL);
  g_autofree char *crt_name = g_strconcat (name, ".crt.pem", NULL);
  g_autofree char *key_path = g_build_filename (directory, key_name, NULL);
  g_autofree char *crt_path = g_build_filename (directory, crt_name, NULL);
  guint8 serial[16];
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0), ==, 0);

  g_assert_cmpint (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), ==, 0);
  serial[0] = (serial[0] & 0x7f) | 0x01;

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 365 * 24 * 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  common_name, strlen (common_name)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);

  g_assert_cmpint (gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  g_assert_true (g_file_set_contents_full (key_path, (const char *) out.data, out.size,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  gnutls_free (out.data);

  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  g_assert_true (g_file_set_contents (crt_path, (const char *) out.data, out.size, NULL));
  gnutls_free (out.data);

  if (key_out != NULL)
    *key_out = g_steal_pointer (&key);
}

static void
run (const char * const *argv)
{
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "GNUTLS_PIN", USER_PIN, TRUE);
  g_autofree char *standard_output = NULL;
  g_autofree char *standard_error = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &standard_output, &standard_error, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s\n%s", argv[0], error->message, standard_output, standard_error);
}

static char *
setup_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *crt_pem = NULL;
  g_autofree char *no_key_pem = NULL;
  char *directory;

  directory = g_dir_make_tmp ("ba-test-pkcs11-XXXXXX", &error);
  g_assert_no_error (error);

  tokens = g_build_filename (directory, "tokens", NULL);
  g_assert_cmpint (g_mkdir (tokens, 0700), ==, 0);

  /* Both our module and p11-kit's copy of SoftHSM2, if the machine has one
   * configured, read this file: neither touches the machine's tokens. */
  conf = g_build_filename (directory, "softhsm2.conf", NULL);
  conf_text = g_strdup_printf ("directories.tokendir = %s\n"
                               "objectstore.backend = file\n"
                               "log.level = ERROR\n"
                               "slots.removable = false\n",
                               tokens);
  g_assert_true (g_file_set_contents (conf, conf_text, -1, NULL));
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);

  run ((const char *[]) { "softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
                          "--pin", USER_PIN, "--so-pin", SO_PIN, NULL });

  write_pem_pair (directory, "imported", "Imported To Token", NULL);
  write_pem_pair (directory, "no-key", "Certificate Without Key", NULL);
  key_pem = g_build_filename (directory, "imported.key.pem", NULL);
  crt_pem = g_build_filename (directory, "imported.crt.pem", NULL);
  no_key_pem = g_build_filename (directory, "no-key.crt.pem", NULL);

  run ((const char *[]) { "p11tool", "--provider", softhsm_module, "--login", "--write",
                          "--load-privkey", key_pem, "--label", IMPORTED_LABEL, "--id", "01",
                          TOKEN_URI, NULL });
  run ((const char *[]) { "p11tool", "--provider", softhsm_module, "--login", "--write",
                          "--load-certificate", crt_pem, "--label", IMPORTED_LABEL, "--id", "01",
                          TOKEN_URI, NULL });
  run ((const char *[]) { "p11tool", "--provider", softhsm_module, "--login", "--write",
                          "--load-certificate", no_key_pem, "--label", "ba-no-key", "--id", "02",
                          TOKEN_URI, NULL });

  /* The private key is no longer needed in clear. */
  g_assert_cmpint (g_unlink (key_pem), ==, 0);

  return directory;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static const char *
find_softhsm (void)
{
  const char *candidates[] = {
    g_getenv ("BA_TEST_SOFTHSM_MODULE"),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_EXISTS))
        return candidates[i];
    }

  return NULL;
}

/* ------------------------------------------------------------------------
 * Helpers for the subprocesses
 * ------------------------------------------------------------------------ */

static gboolean
start (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return FALSE;
    }

  if (g_test_subprocess ())
    return TRUE;

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  return FALSE;
}

static char *
script_pin_func (const char *token_label,
                 guint       attempt,
                 const char *retry_message,
                 gpointer    user_data)
{
  PinScript *script = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&script->lock);
  const char *answer = NULL;
  guint n_answers = 0;

  g_ptr_array_add (script->labels, g_strdup (token_label));
  g_array_append_val (script->attempts, attempt);
  g_ptr_array_add (script->retry_messages, g_strdup (retry_message));

  if (script->cancel_when_asked != NULL)
    g_cancellable_cancel (script->cancel_when_asked);

  /* Never a PIN for a token of the machine's. */
  if (g_strcmp0 (token_label, TOKEN_LABEL) != 0)
    return NULL;

  while (script->answers[n_answers] != NULL)
    n_answers++;

  if (attempt - 1 < n_answers)
    answer = script->answers[attempt - 1];

  return g_strdup (answer);
}

static PinScript *
pin_script_new (const char * const *answers)
{
  PinScript *script = g_new0 (PinScript, 1);

  g_mutex_init (&script->lock);
  script->answers = answers;
  script->labels = g_ptr_array_new_with_free_func (g_free);
  script->attempts = g_array_new (FALSE, FALSE, sizeof (guint));
  script->retry_messages = g_ptr_array_new_with_free_func (g_free);

  ba_pkcs11_set_pin_func (script_pin_func, script, NULL);

  return script;
}

static void
pin_script_free (PinScript *script)
{
  ba_pkcs11_set_pin_func (NULL, NULL, NULL);
  g_ptr_array_unref (script->labels);
  g_array_unref (script->attempts);
  g_ptr_array_unref (script->retry_messages);
  g_mutex_clear (&script->lock);
  g_free (script);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PinScript, pin_script_free)

static void
assert_only_our_token_asked (PinScript *script)
{
  g_assert_cmpuint (script->labels->len, >, 0);
  for (guint i = 0; i < script->labels->len; i++)
    g_assert_cmpstr (g_ptr_array_index (script->labels, i), ==, TOKEN_LABEL);
}

static BaCertificate *
load_pem (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("BA_TEST_HSM_DIR"), name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  BaCertificate *certificate;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  certificate = ba_certificate_new_from_data (bytes, &error);
  g_assert_no_error (error);

  return certificate;
}

/* The imported certificate with its key's URI, made without listing, so
 * that nothing has logged in yet. */
static BaCertificate *
imported_on_token (void)
{
  g_autoptr(BaCertificate) from_file = load_pem ("imported.crt.pem");
  g_autoptr(GBytes) der = ba_certificate_get_der (from_file);
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t datum;
  gsize size;
  BaCertificate *certificate;

  datum.data = (unsigned char *) g_bytes_get_data (der, &size);
  datum.size = size;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), NULL, BA_KEY_LOCATION_PKCS11,
                                          IMPORTED_KEY_URI, &error);
  g_assert_no_error (error);
  _ba_certificate_set_token_label (certificate, TOKEN_LABEL);

  return certificate;
}

static BaCertificate *
find_in (GPtrArray  *certificates,
         const char *sha1)
{
  for (guint i = 0; i < certificates->len; i++)
    {
      BaCertificate *certificate = g_ptr_array_index (certificates, i);

      if (g_strcmp0 (ba_certificate_get_sha1_thumbprint (certificate), sha1) == 0)
        return certificate;
    }

  return NULL;
}

static void
add_softhsm (void)
{
  g_autoptr(GError) error = NULL;

  /* BA_PKCS11_MODULES names it too (set by main()); adding it again is
   * harmless, and is what a caller without the variable does. */
  g_assert_true (ba_pkcs11_init (&error));
  g_assert_no_error (error);
  g_assert_true (ba_pkcs11_add_module (softhsm_module, &error));
  g_assert_no_error (error);
}

static BaCertificate *
list_imported (void)
{
  g_autoptr(BaCertificate) expected = load_pem ("imported.crt.pem");
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *found;

  listed = ba_pkcs11_list_certificates (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (listed);

  found = find_in (listed, ba_certificate_get_sha1_thumbprint (expected));
  g_assert_nonnull (found);

  return g_object_ref (found);
}

static void
assert_signature_valid (BaCertificate     *certificate,
                        BaSignatureScheme  scheme,
                        GBytes            *data,
                        GBytes            *signature)
{
  g_auto(gnutls_pubkey_t) public_key = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t data_datum;
  gnutls_datum_t signature_datum;
  gnutls_sign_algorithm_t algorithm;
  gsize size;

  algorithm = scheme == BA_SIGNATURE_RSA_PSS_SHA256 ? GNUTLS_SIGN_RSA_PSS_RSAE_SHA256 : GNUTLS_SIGN_RSA_SHA256;

  g_assert_cmpint (gnutls_pubkey_init (&public_key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (public_key, _ba_certificate_get_crt (certificate), 0), ==, 0);

  data_datum.data = (unsigned char *) g_bytes_get_data (data, &size);
  data_datum.size = size;
  signature_datum.data = (unsigned char *) g_bytes_get_data (signature, &size);
  signature_datum.size = size;

  g_assert_cmpint (gnutls_pubkey_verify_data2 (public_key, algorithm, 0, &data_datum, &signature_datum), >=, 0);
  data_datum.size--;
  g_assert_cmpint (gnutls_pubkey_verify_data2 (public_key, algorithm, 0, &data_datum, &signature_datum), <, 0);
  data_datum.size++;

  g_assert_true (ba_certificate_verify (certificate, scheme, data, signature, &error));
  g_assert_no_error (error);
}

static const GError *
find_token_error (GPtrArray *token_errors,
                  int        code)
{
  for (guint i = 0; i < token_errors->len; i++)
    {
      const GError *token_error = g_ptr_array_index (token_errors, i);

      if (g_error_matches (token_error, BA_CERT_ERROR, code))
        return token_error;
    }

  return NULL;
}

static guint
count_private_keys (const char *label)
{
  g_autofree char *escaped = g_uri_escape_string (label, NULL, FALSE);
  g_autofree char *uri = g_strdup_printf ("%s;object=%s", TOKEN_URI, escaped);
  gnutls_pkcs11_obj_t *objects = NULL;
  unsigned int n_objects = 0;

  g_assert_cmpint (gnutls_pkcs11_obj_list_import_url4 (&objects, &n_objects, uri,
                                                       GNUTLS_PKCS11_OBJ_FLAG_PRIVKEY |
                                                       GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  for (unsigned int i = 0; i < n_objects; i++)
    gnutls_pkcs11_obj_deinit (objects[i]);
  gnutls_free (objects);

  return n_objects;
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
test_add_module (void)
{
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();

  g_assert_false (ba_pkcs11_add_module ("/nonexistent/libno-such-module.so", &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN);
}

static void
test_list (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) expected = NULL;
  g_autoptr(BaCertificate) no_key = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *found;
  const char *key_uri;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  expected = load_pem ("imported.crt.pem");
  no_key = load_pem ("no-key.crt.pem");

  listed = ba_pkcs11_list_certificates_full (NULL, &token_errors, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (token_errors->len, ==, 0);

  found = find_in (listed, ba_certificate_get_sha1_thumbprint (expected));
  g_assert_nonnull (found);
  g_assert_cmpint (ba_certificate_get_key_location (found), ==, BA_KEY_LOCATION_PKCS11);
  g_assert_true (ba_certificate_has_private_key (found));
  g_assert_cmpstr (ba_certificate_get_token_label (found), ==, TOKEN_LABEL);
  g_assert_cmpstr (ba_certificate_get_friendly_name (found), ==, IMPORTED_LABEL);
  g_assert_cmpstr (ba_certificate_get_common_name (found), ==, "Imported To Token");
  g_assert_null (_ba_certificate_get_x509_key (found));

  key_uri = ba_certificate_get_key_uri (found);
  g_assert_true (g_str_has_prefix (key_uri, "pkcs11:"));
  g_assert_nonnull (strstr (key_uri, "type=private"));
  g_assert_nonnull (strstr (key_uri, "id=%01"));
  g_assert_nonnull (strstr (key_uri, "token=" TOKEN_LABEL));

  /* A certificate without a key on the token is not offered. */
  g_assert_null (find_in (listed, ba_certificate_get_sha1_thumbprint (no_key)));

  /* The key is CKA_PRIVATE: the PIN was asked, for our token, once, as a
   * first attempt. */
  assert_only_our_token_asked (script);
  g_assert_cmpuint (script->attempts->len, ==, 1);
  g_assert_cmpuint (g_array_index (script->attempts, guint, 0), ==, 1);
  g_assert_null (g_ptr_array_index (script->retry_messages, 0));
}

static void
test_list_from_environment (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) found = NULL;

  if (!start ())
    return;

  /* No ba_pkcs11_add_module(): BA_PKCS11_MODULES alone brings SoftHSM2. */
  g_assert_cmpstr (g_getenv ("BA_PKCS11_MODULES"), ==, softhsm_module);
  script = pin_script_new (good_pin);
  found = list_imported ();
  g_assert_cmpstr (ba_certificate_get_token_label (found), ==, TOKEN_LABEL);
}

static void
test_list_cancelled_pin (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) expected = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (cancel_pin);
  expected = load_pem ("imported.crt.pem");

  listed = ba_pkcs11_list_certificates_full (NULL, &token_errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (listed);
  g_assert_null (find_in (listed, ba_certificate_get_sha1_thumbprint (expected)));
  g_assert_nonnull (find_token_error (token_errors, BA_CERT_ERROR_PIN_REQUIRED));
  assert_only_our_token_asked (script);
  g_assert_cmpuint (script->attempts->len, ==, 1);

  /* The simple call fails with the token's reason when nothing could be
   * listed at all. */
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = ba_pkcs11_list_certificates (NULL, &error);
  if (listed == NULL)
    g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  else
    g_assert_null (find_in (listed, ba_certificate_get_sha1_thumbprint (expected)));
}

static void
test_list_without_pin_func (void)
{
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();

  listed = ba_pkcs11_list_certificates_full (NULL, &token_errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_token_error (token_errors, BA_CERT_ERROR_PIN_REQUIRED));
}

static void
test_list_wrong_pin (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) expected = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (wrong_then_cancel);
  expected = load_pem ("imported.crt.pem");

  listed = ba_pkcs11_list_certificates_full (NULL, &token_errors, &error);
  g_assert_no_error (error);
  g_assert_null (find_in (listed, ba_certificate_get_sha1_thumbprint (expected)));
  g_assert_nonnull (find_token_error (token_errors, BA_CERT_ERROR_PIN_INCORRECT));

  /* Asked again after the wrong PIN, told why. */
  assert_only_our_token_asked (script);
  g_assert_cmpuint (script->attempts->len, ==, 2);
  g_assert_cmpuint (g_array_index (script->attempts, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (script->attempts, guint, 1), ==, 2);
  g_assert_null (g_ptr_array_index (script->retry_messages, 0));
  g_assert_nonnull (g_ptr_array_index (script->retry_messages, 1));
}

/* The same refused PIN given again is not sent: a prompt that answers by
 * itself would lock a card. */
static void
test_list_repeated_pin (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (wrong_twice);

  listed = ba_pkcs11_list_certificates_full (NULL, &token_errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_token_error (token_errors, BA_CERT_ERROR_PIN_INCORRECT));
  g_assert_cmpuint (script->attempts->len, ==, 2);
}

static void
test_list_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  g_cancellable_cancel (cancellable);

  listed = ba_pkcs11_list_certificates (cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (listed);
}

static void
test_sign_rs256 (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  certificate = list_imported ();

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 256);
  assert_signature_valid (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature);
  assert_only_our_token_asked (script);
}

static void
test_sign_ps256 (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_reason == NULL && !g_test_subprocess ())
    {
      /* Asked of the token in this process: it logs in nowhere. */
      ba_pkcs11_init (NULL);
      if (!gnutls_pkcs11_token_check_mechanism (TOKEN_URI, CKM_RSA_PKCS_PSS, NULL, 0, 0))
        {
          g_test_skip ("The SoftHSM2 token has no RSA-PSS (CKM_RSA_PKCS_PSS): PS256 on a token is not tested");
          return;
        }
    }

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  certificate = list_imported ();

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  assert_signature_valid (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, signature);
}

static void
test_sign_cancelled_pin (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (cancel_pin);
  certificate = imported_on_token ();

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  g_assert_null (signature);
  assert_only_our_token_asked (script);
}

static void
test_sign_wrong_pin (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (wrong_then_cancel);
  certificate = imported_on_token ();

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_INCORRECT);
  g_assert_null (signature);
  g_assert_cmpuint (script->attempts->len, ==, 2);
  g_assert_nonnull (g_ptr_array_index (script->retry_messages, 1));
}

/* A URI of our own making, without listing first, signs too. */
static void
test_sign_by_uri (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  certificate = imported_on_token ();

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  assert_signature_valid (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature);
}

static void
test_generate (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  GDateTime *not_before;
  GDateTime *not_after;
  g_autoptr(GError) error = NULL;
  gnutls_pkcs11_obj_t key = NULL;
  unsigned int flags = 0;
  BaCertificate *found;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);

  certificate = ba_pkcs11_generate (TOKEN_URI, "Generated On Token", 2048, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);

  /* One PIN for the whole generation, not one per step. */
  g_assert_cmpuint (script->attempts->len, ==, 1);

  g_assert_cmpstr (ba_certificate_get_common_name (certificate), ==, "Generated On Token");
  g_assert_cmpint (ba_certificate_get_key_location (certificate), ==, BA_KEY_LOCATION_PKCS11);
  g_assert_cmpstr (ba_certificate_get_token_label (certificate), ==, TOKEN_LABEL);
  g_assert_cmpstr (ba_certificate_get_key_algorithm (certificate), ==, "RSA");
  g_assert_cmpuint (ba_certificate_get_key_bits (certificate), ==, 2048);
  g_assert_true (g_str_has_prefix (ba_certificate_get_key_uri (certificate), "pkcs11:"));
  g_assert_nonnull (strstr (ba_certificate_get_key_uri (certificate), "type=private"));
  g_assert_null (_ba_certificate_get_x509_key (certificate));
  g_assert_cmpstr (ba_certificate_get_subject (certificate), ==, ba_certificate_get_issuer (certificate));

  not_before = ba_certificate_get_not_before (certificate);
  not_after = ba_certificate_get_not_after (certificate);
  g_assert_cmpint (g_date_time_difference (not_after, not_before) / G_TIME_SPAN_DAY, >=, 2 * 365);
  g_assert_cmpint (g_date_time_difference (not_after, not_before) / G_TIME_SPAN_DAY, <=, 2 * 366);

  /* The key stays on the token: sensitive, private, never extractable. */
  g_assert_cmpint (gnutls_pkcs11_obj_init (&key), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_obj_import_url (key, ba_certificate_get_key_uri (certificate),
                                                 GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_obj_get_flags (key, &flags), ==, 0);
  gnutls_pkcs11_obj_deinit (key);
  g_assert_true (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE);
  g_assert_true (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE);
  g_assert_false (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_EXTRACTABLE);

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  assert_signature_valid (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature);

  /* The certificate went to the token, next to its key. */
  listed = ba_pkcs11_list_certificates (NULL, &error);
  g_assert_no_error (error);
  found = find_in (listed, ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_nonnull (found);
  g_assert_cmpstr (ba_certificate_get_key_uri (found), ==, ba_certificate_get_key_uri (certificate));
  g_assert_cmpstr (ba_certificate_get_friendly_name (found), ==, "Generated On Token");

  g_assert_cmpint (gnutls_pkcs11_delete_url (ba_certificate_get_key_uri (certificate),
                                             GNUTLS_PKCS11_OBJ_FLAG_LOGIN), >=, 0);
}

/* Cancelled once the key exists: the key is deleted again. */
static void
test_generate_cancelled (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  /* The PIN prompt comes when the token logs in to generate: cancelling
   * there stops the generation after the key is made. */
  script->cancel_when_asked = cancellable;

  certificate = ba_pkcs11_generate (TOKEN_URI, "Cancelled On Token", 2048, 1, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (certificate);

  script->cancel_when_asked = NULL;
  g_assert_cmpuint (count_private_keys ("Cancelled On Token"), ==, 0);
}

static void
test_generate_invalid (void)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (!start ())
    return;

  add_softhsm ();

  certificate = ba_pkcs11_generate (TOKEN_URI, "Too Small", 1024, 2, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (certificate);
  g_clear_error (&error);

  certificate = ba_pkcs11_generate ("token=" TOKEN_LABEL, "Not A URI", 2048, 2, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (certificate);
  g_clear_error (&error);

  /* Without a PIN, nothing is made. */
  certificate = ba_pkcs11_generate (TOKEN_URI, "No PIN", 2048, 2, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  g_assert_null (certificate);
}

static BaCertificate *
make_ours (const char *common_name)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *certificate;
  time_t now = time (NULL);
  guint8 serial[16];

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  g_assert_cmpint (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), ==, 0);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 24 * 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  common_name, strlen (common_name)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), g_steal_pointer (&key),
                                          BA_KEY_LOCATION_MEMORY, NULL, &error);
  g_assert_no_error (error);

  return certificate;
}

static void
test_store_read_only (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) expected = NULL;
  g_autoptr(BaCertificate) ours = NULL;
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *on_token;
  guint n_items;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (good_pin);
  expected = load_pem ("imported.crt.pem");

  store = ba_certificate_store_new (NULL, TRUE);
  ours = make_ours ("Ours Next To A Token");
  stored = ba_certificate_store_add (store, ours, &error);
  g_assert_no_error (error);

  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);
  g_assert_null (ba_certificate_store_get_token_error (store));

  on_token = ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (expected));
  g_assert_nonnull (on_token);
  g_assert_cmpint (ba_certificate_get_key_location (on_token), ==, BA_KEY_LOCATION_PKCS11);
  g_assert_nonnull (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (ours)));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_assert_false (ba_certificate_store_delete (store, on_token, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_READ_ONLY);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_items);
  g_assert_nonnull (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (expected)));
  g_clear_error (&error);

  g_assert_true (ba_certificate_store_delete (store, stored, &error));
  g_assert_no_error (error);
}

/* A token that cannot be read (PIN cancelled) hides its own certificates
 * only; the store says why. */
static void
test_store_token_failure (void)
{
  g_autoptr(PinScript) script = NULL;
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) expected = NULL;
  g_autoptr(BaCertificate) ours = NULL;
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const GError *token_error;

  if (!start ())
    return;

  add_softhsm ();
  script = pin_script_new (cancel_pin);
  expected = load_pem ("imported.crt.pem");

  store = ba_certificate_store_new (NULL, TRUE);
  ours = make_ours ("Ours Despite The Token");
  stored = ba_certificate_store_add (store, ours, &error);
  g_assert_no_error (error);

  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);

  token_error = ba_certificate_store_get_token_error (store);
  g_assert_nonnull (token_error);
  g_assert_true (g_error_matches (token_error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED));
  g_assert_nonnull (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (ours)));
  g_assert_null (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (expected)));

  g_assert_true (ba_certificate_store_delete (store, stored, &error));
  g_assert_no_error (error);
}

static gpointer
error_mapping_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  /* A thread where no PIN was ever asked. */
  _ba_pkcs11_set_error (&error, GNUTLS_E_PKCS11_PIN_ERROR, "Card");
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  g_clear_error (&error);

  _ba_pkcs11_set_error (&error, GNUTLS_E_PKCS11_PIN_LOCKED, "Card");
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_LOCKED);
  g_clear_error (&error);

  _ba_pkcs11_set_error (&error, GNUTLS_E_PKCS11_TOKEN_ERROR, NULL);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN);
  g_clear_error (&error);

  _ba_pkcs11_set_error (&error, GNUTLS_E_PKCS11_DEVICE_ERROR, "");
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN);

  return NULL;
}

static void
test_error_mapping (void)
{
  GThread *thread = g_thread_new ("error-mapping", error_mapping_thread, NULL);

  g_thread_join (thread);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *hsm_directory = NULL;
  g_autofree char *softhsm2_util = NULL;
  g_autofree char *p11tool = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  softhsm_module = g_strdup (find_softhsm ());
  if (softhsm_module == NULL)
    skip_reason = "SoftHSM2 is not installed (libsofthsm2.so): PKCS#11 is not tested";
  else if ((softhsm2_util = g_find_program_in_path ("softhsm2-util")) == NULL ||
           (p11tool = g_find_program_in_path ("p11tool")) == NULL)
    skip_reason = "softhsm2-util or p11tool is missing: PKCS#11 is not tested";

  /* The token is made once, by the parent; the subprocesses find it
   * through the environment they inherit. */
  if (skip_reason == NULL && !g_test_subprocess ())
    {
      hsm_directory = setup_token ();
      g_setenv ("BA_TEST_HSM_DIR", hsm_directory, TRUE);
      g_setenv ("BA_PKCS11_MODULES", softhsm_module, TRUE);
    }

  g_test_add_func ("/ba/pkcs11/add-module", test_add_module);
  g_test_add_func ("/ba/pkcs11/list", test_list);
  g_test_add_func ("/ba/pkcs11/list-from-environment", test_list_from_environment);
  g_test_add_func ("/ba/pkcs11/list-cancelled-pin", test_list_cancelled_pin);
  g_test_add_func ("/ba/pkcs11/list-without-pin-func", test_list_without_pin_func);
  g_test_add_func ("/ba/pkcs11/list-wrong-pin", test_list_wrong_pin);
  g_test_add_func ("/ba/pkcs11/list-repeated-pin", test_list_repeated_pin);
  g_test_add_func ("/ba/pkcs11/list-cancelled", test_list_cancelled);
  g_test_add_func ("/ba/pkcs11/sign-rs256", test_sign_rs256);
  g_test_add_func ("/ba/pkcs11/sign-ps256", test_sign_ps256);
  g_test_add_func ("/ba/pkcs11/sign-cancelled-pin", test_sign_cancelled_pin);
  g_test_add_func ("/ba/pkcs11/sign-wrong-pin", test_sign_wrong_pin);
  g_test_add_func ("/ba/pkcs11/sign-by-uri", test_sign_by_uri);
  g_test_add_func ("/ba/pkcs11/generate", test_generate);
  g_test_add_func ("/ba/pkcs11/generate-cancelled", test_generate_cancelled);
  g_test_add_func ("/ba/pkcs11/generate-invalid", test_generate_invalid);
  g_test_add_func ("/ba/pkcs11/store-read-only", test_store_read_only);
  g_test_add_func ("/ba/pkcs11/store-token-failure", test_store_token_failure);
  g_test_add_func ("/ba/pkcs11/error-mapping", test_error_mapping);

  status = g_test_run ();

  if (hsm_directory != NULL)
    remove_tree (hsm_directory);
  g_free (softhsm_module);

  return status;
}
