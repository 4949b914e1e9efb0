/* test-key-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "ba-certificate-private.h"
#include "ba-key-store.h"
#include "ba-secret-store.h"
#include "ba-test-utils.h"

/* The key store against the real desktop keyring: these tests run inside
 * build-aux/test-session, which starts a gnome-keyring-daemon with an
 * unlocked login keyring in a private D-Bus session. */

#define DATA "The quick brown fox signs a JWT"

typedef struct
{
  BaKeyStoreStep step;
  gboolean fail;
  GCancellable *cancellable;
  guint calls;
} StepBreaker;

typedef struct
{
  GAsyncResult *result;
} AsyncWait;

static char *
keyring_lookup (const char *sha1)
{
  g_autoptr(GError) error = NULL;
  char *passphrase;

  passphrase = secret_password_lookup_sync (ba_secret_store_get_passphrase_schema (), NULL, &error,
                                            "sha1", sha1,
                                            NULL);
  g_assert_no_error (error);

  return passphrase;
}


static char *
file_in (BaKeyStore *store,
         const char *sha1,
         const char *extension)
{
  g_autofree char *name = g_strconcat (sha1, extension, NULL);

  return g_build_filename (ba_key_store_get_directory (store), name, NULL);
}

static guint
count_files (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* Checks a signature with the certificate's public key, through GnuTLS
 * directly rather than through the code under test. */
static void
assert_signature_valid (BaCertificate     *certificate,
                        BaSignatureScheme  scheme,
                        GBytes            *data,
                        GBytes            *signature)
{
  g_auto(gnutls_pubkey_t) public_key = NULL;
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

  /* And a signature of something else must not pass. */
  data_datum.size--;
  g_assert_cmpint (gnutls_pubkey_verify_data2 (public_key, algorithm, 0, &data_datum, &signature_datum), <, 0);
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

static BaCertificate *
save (BaKeyStore    *store,
      BaCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  BaCertificate *stored;

  stored = ba_key_store_save (store, certificate, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  return stored;
}

static void
assert_nothing_left (BaKeyStore *store,
                     const char *sha1)
{
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *crt_path = file_in (store, sha1, ".crt");

  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (crt_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));
}

static void
async_wait_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
async_wait (AsyncWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&wait->result);
}

static gboolean
break_at_step (BaKeyStore      *store,
               BaKeyStoreStep   step,
               gpointer         user_data,
               GError         **error)
{
  StepBreaker *breaker = user_data;

  breaker->calls++;

  if (step != breaker->step)
    return TRUE;

  if (breaker->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Injected failure");
      return FALSE;
    }

  g_cancellable_cancel (breaker->cancellable);
  return TRUE;
}

static void
test_default_directory (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "backup-access", "keys", NULL);
  g_autofree char *from_function = ba_key_store_get_default_directory ();
  g_autofree char *from_property = NULL;

  g_assert_cmpstr (ba_key_store_get_directory (store), ==, expected);
  g_assert_cmpstr (from_function, ==, expected);

  g_object_get (store, "directory", &from_property, NULL);
  g_assert_cmpstr (from_property, ==, expected);

  /* Nothing is created until something is saved. */
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
}

static void
test_round_trip (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaKeyStore) other = NULL;
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Round Trip");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) rs256 = NULL;
  g_autoptr(GBytes) ps256 = NULL;
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(BaCertificate) reimported = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  BaCertificate *loaded;

  ba_test_require_keyring ();

  stored = save (store, certificate);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (stored), ==, sha1);
  g_assert_cmpint (ba_certificate_get_key_location (stored), ==, BA_KEY_LOCATION_KEY_STORE);
  g_assert_cmpstr (ba_certificate_get_key_uri (stored), ==, key_path);
  g_assert_true (ba_certificate_has_private_key (stored));

  /* A new store on the same folder, as after a restart. */
  other = ba_key_store_new (ba_key_store_get_directory (store));
  listed = ba_key_store_list (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  loaded = g_ptr_array_index (listed, 0);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (loaded), ==, sha1);
  g_assert_cmpstr (ba_certificate_get_common_name (loaded), ==, "Round Trip");
  g_assert_cmpint (ba_certificate_get_key_location (loaded), ==, BA_KEY_LOCATION_KEY_STORE);
  g_assert_cmpstr (ba_certificate_get_key_uri (loaded), ==, key_path);
  g_assert_true (ba_certificate_has_private_key (loaded));
  g_assert_null (_ba_certificate_get_x509_key (loaded));

  rs256 = ba_certificate_sign (loaded, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  assert_signature_valid (loaded, BA_SIGNATURE_RSA_PKCS1_SHA256, data, rs256);

  ps256 = ba_certificate_sign (loaded, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  assert_signature_valid (loaded, BA_SIGNATURE_RSA_PSS_SHA256, data, ps256);

  /* Exporting needs the key too: it comes through the same loader. */
  pfx = ba_certificate_export (loaded, BA_CERTIFICATE_FORMAT_PFX, "export password", &error);
  g_assert_no_error (error);
  reimported = ba_certificate_import_pkcs12 (pfx, "export password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (reimported), ==, sha1);

  /* Lookup by thumbprint, any case. */
  {
    g_autofree char *lower = g_ascii_strdown (sha1, -1);
    g_autoptr(BaCertificate) found = ba_key_store_lookup (store, lower, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (found), ==, sha1);
  }

  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_file_modes (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("File Modes");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *crt_path = file_in (store, sha1, ".crt");
  GStatBuf st;

  ba_test_require_keyring ();

  /* A folder made too open by someone else is closed again. */
  g_assert_cmpint (g_mkdir_with_parents (ba_key_store_get_directory (store), 0755), ==, 0);
  g_assert_cmpint (g_chmod (ba_key_store_get_directory (store), 0755), ==, 0);

  stored = save (store, certificate);

  g_assert_cmpint (g_stat (ba_key_store_get_directory (store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (crt_path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Only the two files, no temporary file left over. */
  g_assert_cmpuint (count_files (ba_key_store_get_directory (store)), ==, 2);

  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_new_directory_mode (void)
{
  g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "nested", "keys", NULL);
  g_autoptr(BaKeyStore) store = ba_key_store_new (directory);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("New Folder");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  ba_test_require_keyring ();

  stored = save (store, certificate);
  g_assert_cmpint (g_stat (directory, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (certificate), NULL, &error));
  g_assert_no_error (error);
}

static void
test_key_file_encrypted (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Encrypted");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *contents = NULL;
  g_autofree guchar *raw = NULL;
  char *passphrase = NULL;
  gnutls_datum_t datum;
  unsigned int schema = 0;
  unsigned int cipher = 0;
  guint8 salt[64];
  unsigned int salt_size = sizeof salt;
  unsigned int iterations = 0;
  char *oid = NULL;
  guint8 id_stored[64];
  guint8 id_original[64];
  size_t id_stored_size = sizeof id_stored;
  size_t id_original_size = sizeof id_original;
  gsize length = 0;
  gsize raw_length = 0;

  ba_test_require_keyring ();

  stored = save (store, certificate);

  g_assert_true (g_file_get_contents (key_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  g_assert_null (strstr (contents, "-----BEGIN PRIVATE KEY-----"));
  g_assert_null (strstr (contents, "-----BEGIN RSA PRIVATE KEY-----"));

  datum.data = (unsigned char *) contents;
  datum.size = length;

  /* Not readable as a plaintext key, whichever way one tries. */
  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0), <, 0);
  g_assert_cmpint (gnutls_x509_privkey_import (key, &datum, GNUTLS_X509_FMT_PEM), <, 0);
  g_assert_cmpint (gnutls_x509_privkey_import_pkcs8 (key, &datum, GNUTLS_X509_FMT_PEM, NULL,
                                                     GNUTLS_PKCS_PLAIN), <, 0);
  g_assert_cmpint (gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_PEM, "", 0), <, 0);

  /* PBES2 with AES-256. */
  g_assert_cmpint (gnutls_pkcs8_info (&datum, GNUTLS_X509_FMT_PEM, &schema, &cipher, salt, &salt_size,
                                      &iterations, &oid), >=, 0);
  gnutls_free (oid);
  g_assert_cmpuint (schema, ==, GNUTLS_PKCS_PBES2_AES_256);
  g_assert_cmpuint (cipher, ==, GNUTLS_CIPHER_AES_256_CBC);
  g_assert_cmpuint (iterations, >, 0);

  /* The passphrase in the keyring is 32 random bytes, and it opens the
   * file to the very key we gave. */
  passphrase = keyring_lookup (sha1);
  g_assert_nonnull (passphrase);
  raw = g_base64_decode (passphrase, &raw_length);
  g_assert_cmpuint (raw_length, ==, 32);
  g_assert_cmpint (gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_PEM, passphrase, 0), ==, 0);
  secret_password_free (passphrase);

  g_assert_cmpint (gnutls_x509_privkey_get_key_id (key, GNUTLS_KEYID_USE_SHA256, id_stored, &id_stored_size), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_get_key_id (ba_test_shared_key (), GNUTLS_KEYID_USE_SHA256, id_original,
                                                   &id_original_size), ==, 0);
  g_assert_cmpmem (id_stored, id_stored_size, id_original, id_original_size);

  /* No plaintext key anywhere in the folder. */
  {
    g_autoptr(GDir) dir = g_dir_open (ba_key_store_get_directory (store), 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (ba_key_store_get_directory (store), name, NULL);
        g_autofree char *text = NULL;

        g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
        g_assert_null (strstr (text, "-----BEGIN PRIVATE KEY-----"));
        g_assert_null (strstr (text, "-----BEGIN RSA PRIVATE KEY-----"));
      }
  }

  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_keyring_entry (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Keyring Entry");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autolist(SecretRetrievable) items = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *label = NULL;

  ba_test_require_keyring ();

  g_assert_false (ba_test_keyring_has_passphrase (sha1));
  stored = save (store, certificate);
  g_assert_true (ba_test_keyring_has_passphrase (sha1));

  items = secret_password_search_sync (ba_secret_store_get_passphrase_schema (), SECRET_SEARCH_ALL,
                                       NULL, &error,
                                       "sha1", sha1,
                                       NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Backup Access key passphrase for Keyring Entry");

  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
  assert_nothing_left (store, sha1);

  listed = ba_key_store_list (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);

  /* Deleting again: nothing there. */
  g_assert_false (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND);
}

static void
test_save_twice (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Saved Twice");
  g_autoptr(BaCertificate) first = NULL;
  g_autoptr(BaCertificate) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *key_before = NULL;
  g_autofree char *key_after = NULL;
  char *passphrase_before;
  char *passphrase_after;

  ba_test_require_keyring ();

  first = save (store, certificate);
  passphrase_before = keyring_lookup (sha1);
  g_assert_true (g_file_get_contents (key_path, &key_before, NULL, NULL));

  /* The second save finds the first, and changes nothing: a new passphrase
   * would orphan the key file. */
  second = save (store, certificate);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (second), ==, sha1);
  g_assert_cmpint (ba_certificate_get_key_location (second), ==, BA_KEY_LOCATION_KEY_STORE);
  passphrase_after = keyring_lookup (sha1);
  g_assert_cmpstr (passphrase_before, ==, passphrase_after);
  g_assert_true (g_file_get_contents (key_path, &key_after, NULL, NULL));
  g_assert_cmpstr (key_before, ==, key_after);
  g_assert_cmpuint (count_files (ba_key_store_get_directory (store)), ==, 2);

  /* A stored certificate (no key in memory) saved again is found too. */
  g_clear_object (&second);
  second = save (store, first);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (second), ==, sha1);

  secret_password_free (passphrase_before);
  secret_password_free (passphrase_after);

  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_no_key (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Public Only");
  g_autoptr(BaCertificate) public_only = NULL;
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autoptr(GError) error = NULL;

  public_only = ba_certificate_new_from_data (der, &error);
  g_assert_no_error (error);

  stored = ba_key_store_save (store, public_only, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY);
  g_assert_null (stored);
  g_assert_cmpuint (count_files (ba_key_store_get_directory (store)), ==, 0);
}

/* Listing reads files only: it works with no keyring at all, and a key
 * whose passphrase is gone fails clearly when it is used. */
static void
test_passphrase_missing (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Lost Passphrase");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (DATA, strlen (DATA));
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  BaCertificate *loaded;

  ba_test_require_keyring ();

  stored = save (store, certificate);
  g_assert_true (secret_password_clear_sync (ba_secret_store_get_passphrase_schema (), NULL, &error,
                                             "sha1", sha1,
                                             NULL));
  g_assert_no_error (error);

  listed = ba_key_store_list (store, NULL, &error);
  g_assert_no_error (error);
  loaded = find_in (listed, sha1);
  g_assert_nonnull (loaded);
  g_assert_true (ba_certificate_has_private_key (loaded));

  signature = ba_certificate_sign (loaded, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (signature);
  g_clear_error (&error);

  pfx = ba_certificate_export (loaded, BA_CERTIFICATE_FORMAT_PFX, "password", &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (pfx);
  g_clear_error (&error);

  /* It can still be deleted. */
  g_assert_true (ba_key_store_delete (store, sha1, NULL, &error));
  g_assert_no_error (error);
  assert_nothing_left (store, sha1);
}

static void
test_list_without_keyring (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(BaKeyStore) store = ba_key_store_new (g_getenv ("BA_TEST_KEY_DIRECTORY"));
      g_autoptr(GPtrArray) listed = NULL;
      g_autoptr(GError) error = NULL;

      /* No D-Bus at all. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ba-test-bus", TRUE);

      listed = ba_key_store_list (store, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (listed->len, ==, 1);
      g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (g_ptr_array_index (listed, 0)), ==,
                       g_getenv ("BA_TEST_SHA1"));
      return;
    }
  else
    {
      g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
      g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("No Keyring Needed");
      g_autoptr(BaCertificate) stored = NULL;
      g_autoptr(GError) error = NULL;

      ba_test_require_keyring ();
      stored = save (store, certificate);

      g_setenv ("BA_TEST_KEY_DIRECTORY", ba_key_store_get_directory (store), TRUE);
      g_setenv ("BA_TEST_SHA1", ba_certificate_get_sha1_thumbprint (certificate), TRUE);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();

      g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (certificate),
                                          NULL, &error));
      g_assert_no_error (error);
    }
}

/* The keyring step fails (no Secret Service at all): no file is written. */
static void
test_keyring_failure_writes_nothing (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "keys", NULL);
      g_autoptr(BaKeyStore) store = ba_key_store_new (directory);
      g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Keyring Down");
      g_autoptr(BaCertificate) stored = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ba-test-bus", TRUE);

      stored = ba_key_store_save (store, certificate, NULL, &error);
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
      g_assert_null (stored);
      g_assert_cmpuint (count_files (directory), ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The certificate file cannot be written (a folder is in its way, which
 * stops root too): the key file and the keyring entry are rolled back. */
static void
test_file_failure_rolls_back (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Blocked File");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *crt_path = file_in (store, sha1, ".crt");

  ba_test_require_keyring ();

  g_assert_cmpint (g_mkdir_with_parents (crt_path, 0700), ==, 0);

  stored = ba_key_store_save (store, certificate, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (stored);

  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));
  /* What was there before is left alone. */
  g_assert_true (g_file_test (crt_path, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (count_files (ba_key_store_get_directory (store)), ==, 1);

  g_assert_cmpint (g_rmdir (crt_path), ==, 0);
}

static void
test_key_file_failure_rolls_back (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Blocked Key");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = file_in (store, sha1, ".key");
  g_autofree char *crt_path = file_in (store, sha1, ".crt");

  ba_test_require_keyring ();

  g_assert_cmpint (g_mkdir_with_parents (key_path, 0700), ==, 0);

  stored = ba_key_store_save (store, certificate, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (stored);

  g_assert_false (g_file_test (crt_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));
  g_assert_true (g_file_test (key_path, G_FILE_TEST_IS_DIR));

  g_assert_cmpint (g_rmdir (key_path), ==, 0);
}

/* A failure or a cancellation before each step leaves nothing behind. */
static void
test_break_every_step (void)
{
  const BaKeyStoreStep steps[] = {
    BA_KEY_STORE_STEP_KEYRING,
    BA_KEY_STORE_STEP_KEY_FILE,
    BA_KEY_STORE_STEP_CERTIFICATE,
    BA_KEY_STORE_STEP_DONE,
  };

  ba_test_require_keyring ();

  for (guint fail = 0; fail < 2; fail++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
        {
          g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
          g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Broken Save");
          g_autoptr(BaCertificate) stored = NULL;
          g_autoptr(GCancellable) cancellable = g_cancellable_new ();
          g_autoptr(GPtrArray) listed = NULL;
          g_autoptr(GError) error = NULL;
          StepBreaker breaker = { steps[i], fail, cancellable, 0 };

          g_test_message ("%s before step %u", fail ? "failing" : "cancelling", steps[i]);

          _ba_key_store_set_step_func (store, break_at_step, &breaker);
          stored = ba_key_store_save (store, certificate, cancellable, &error);
          if (fail)
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
          else
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_null (stored);
          g_assert_cmpuint (breaker.calls, ==, i + 1);

          assert_nothing_left (store, ba_certificate_get_sha1_thumbprint (certificate));
          g_assert_cmpuint (count_files (ba_key_store_get_directory (store)), ==, 0);

          g_clear_error (&error);
          listed = ba_key_store_list (store, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (listed->len, ==, 0);
        }
    }
}

static void
test_cancelled_before_start (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Cancelled Early");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  ba_test_require_keyring ();

  g_cancellable_cancel (cancellable);
  stored = ba_key_store_save (store, certificate, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (stored);
  assert_nothing_left (store, ba_certificate_get_sha1_thumbprint (certificate));
}

static void
test_skips_incomplete_and_foreign_files (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) first = ba_test_make_certificate ("Complete");
  g_autoptr(BaCertificate) second = ba_test_make_certificate ("Incomplete");
  g_autoptr(BaCertificate) third = ba_test_make_certificate ("Damaged");
  g_autoptr(BaCertificate) stored_first = NULL;
  g_autoptr(BaCertificate) stored_second = NULL;
  g_autoptr(BaCertificate) stored_third = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *second_key = NULL;
  g_autofree char *third_crt = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *lower_path = NULL;
  g_autofree char *first_crt = NULL;
  g_autofree char *pem = NULL;

  ba_test_require_keyring ();

  stored_first = save (store, first);
  stored_second = save (store, second);
  stored_third = save (store, third);

  /* A certificate without its key file is not offered. */
  second_key = file_in (store, ba_certificate_get_sha1_thumbprint (second), ".key");
  g_assert_cmpint (g_unlink (second_key), ==, 0);

  /* A damaged certificate file does not hide the others. */
  third_crt = file_in (store, ba_certificate_get_sha1_thumbprint (third), ".crt");
  g_assert_true (g_file_set_contents (third_crt, "garbage", -1, NULL));

  /* Files that are not ours by name are ignored: a copy under a lowercase
   * name, and another file. */
  first_crt = file_in (store, ba_certificate_get_sha1_thumbprint (first), ".crt");
  g_assert_true (g_file_get_contents (first_crt, &pem, NULL, NULL));
  lower = g_ascii_strdown (ba_certificate_get_sha1_thumbprint (first), -1);
  lower_path = file_in (store, lower, ".crt");
  g_assert_true (g_file_set_contents (lower_path, pem, -1, NULL));
  foreign = g_build_filename (ba_key_store_get_directory (store), "notes.crt", NULL);
  g_assert_true (g_file_set_contents (foreign, pem, -1, NULL));

  listed = ba_key_store_list (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (g_ptr_array_index (listed, 0)), ==,
                   ba_certificate_get_sha1_thumbprint (first));

  g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (first), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (second), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (third), NULL, &error));
  g_assert_no_error (error);
}

static void
test_sorted_by_name (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  const char *names[] = { "Charlie", "alpha", "Bravo" };
  g_autoptr(GPtrArray) certificates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;

  ba_test_require_keyring ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(BaCertificate) certificate = ba_test_make_certificate (names[i]);
      g_autoptr(BaCertificate) stored = save (store, certificate);

      g_ptr_array_add (certificates, g_steal_pointer (&certificate));
    }

  listed = ba_key_store_list (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i + 1 < listed->len; i++)
    g_assert_cmpint (g_utf8_collate (ba_certificate_get_common_name (g_ptr_array_index (listed, i)),
                                     ba_certificate_get_common_name (g_ptr_array_index (listed, i + 1))), <=, 0);

  for (guint i = 0; i < certificates->len; i++)
    {
      g_assert_true (ba_key_store_delete (store, ba_certificate_get_sha1_thumbprint (g_ptr_array_index (certificates, i)),
                                          NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_delete_refuses_bad_thumbprints (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) found = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
    "../../../../etc/passwd",
    "0123456789ABCDEF0123456789ABCDEF0123456/",
    "0123456789abcdef",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (ba_key_store_delete (store, bad[i], NULL, &error));
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND);
      g_clear_error (&error);

      found = ba_key_store_lookup (store, bad[i], &error);
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND);
      g_assert_null (found);
      g_clear_error (&error);
    }
}

static void
test_async (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Async");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  AsyncWait wait = { NULL };

  ba_test_require_keyring ();

  ba_key_store_save_async (store, certificate, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  stored = ba_key_store_save_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (stored), ==, sha1);
  g_clear_object (&result);

  ba_key_store_list_async (store, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  listed = ba_key_store_list_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_in (listed, sha1));
  g_clear_object (&result);

  ba_key_store_delete_async (store, sha1, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  g_assert_true (ba_key_store_delete_finish (store, result, &error));
  g_assert_no_error (error);
  assert_nothing_left (store, sha1);
}

/* Cancelled while the save runs in its thread: the result is what really
 * happened, and a stopped save leaves nothing. */
static void
test_async_cancel (void)
{
  g_autoptr(BaKeyStore) store = ba_key_store_new (NULL);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Async Cancel");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  StepBreaker breaker = { BA_KEY_STORE_STEP_KEY_FILE, FALSE, cancellable, 0 };
  AsyncWait wait = { NULL };

  ba_test_require_keyring ();

  _ba_key_store_set_step_func (store, break_at_step, &breaker);
  ba_key_store_save_async (store, certificate, cancellable, async_wait_cb, &wait);
  result = async_wait (&wait);
  stored = ba_key_store_save_finish (store, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (stored);
  assert_nothing_left (store, ba_certificate_get_sha1_thumbprint (certificate));
}

static void
test_secret_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *sha1 = "00112233445566778899AABBCCDDEEFF00112233";
  gboolean removed = FALSE;
  AsyncWait wait = { NULL };
  char *passphrase;

  ba_test_require_keyring ();

  g_assert_true (ba_secret_store_store_passphrase (sha1, "Secret Store", "s3cret", NULL, &error));
  g_assert_no_error (error);

  /* Any case finds it. */
  passphrase = ba_secret_store_lookup_passphrase ("00112233445566778899aabbccddeeff00112233", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passphrase, ==, "s3cret");
  ba_secret_store_free_passphrase (passphrase);

  /* Storing again replaces it. */
  ba_secret_store_store_passphrase_async (sha1, "Secret Store", "other", NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  g_assert_true (ba_secret_store_store_passphrase_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ba_secret_store_lookup_passphrase_async (sha1, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  passphrase = ba_secret_store_lookup_passphrase_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passphrase, ==, "other");
  ba_secret_store_free_passphrase (passphrase);
  g_clear_object (&result);

  ba_secret_store_clear_passphrase_async (sha1, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  g_assert_true (ba_secret_store_clear_passphrase_finish (result, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);
  g_clear_object (&result);

  passphrase = ba_secret_store_lookup_passphrase (sha1, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (passphrase);

  /* Clearing what is not there is no error. */
  g_assert_true (ba_secret_store_clear_passphrase (sha1, &removed, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (removed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/key-store/default-directory", test_default_directory);
  g_test_add_func ("/ba/key-store/round-trip", test_round_trip);
  g_test_add_func ("/ba/key-store/file-modes", test_file_modes);
  g_test_add_func ("/ba/key-store/new-directory-mode", test_new_directory_mode);
  g_test_add_func ("/ba/key-store/key-file-encrypted", test_key_file_encrypted);
  g_test_add_func ("/ba/key-store/keyring-entry", test_keyring_entry);
  g_test_add_func ("/ba/key-store/save-twice", test_save_twice);
  g_test_add_func ("/ba/key-store/no-key", test_no_key);
  g_test_add_func ("/ba/key-store/passphrase-missing", test_passphrase_missing);
  g_test_add_func ("/ba/key-store/list-without-keyring", test_list_without_keyring);
  g_test_add_func ("/ba/key-store/keyring-failure-writes-nothing", test_keyring_failure_writes_nothing);
  g_test_add_func ("/ba/key-store/file-failure-rolls-back", test_file_failure_rolls_back);
  g_test_add_func ("/ba/key-store/key-file-failure-rolls-back", test_key_file_failure_rolls_back);
  g_test_add_func ("/ba/key-store/break-every-step", test_break_every_step);
  g_test_add_func ("/ba/key-store/cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/ba/key-store/skips-incomplete-and-foreign-files", test_skips_incomplete_and_foreign_files);
  g_test_add_func ("/ba/key-store/sorted-by-name", test_sorted_by_name);
  g_test_add_func ("/ba/key-store/delete-refuses-bad-thumbprints", test_delete_refuses_bad_thumbprints);
  g_test_add_func ("/ba/key-store/async", test_async);
  g_test_add_func ("/ba/key-store/async-cancel", test_async_cancel);
  g_test_add_func ("/ba/key-store/secret-store", test_secret_store);

  return g_test_run ();
}
