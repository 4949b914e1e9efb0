/* ba-test-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <libsecret/secret.h>

#include "ba-certificate-private.h"
#include "ba-secret-store.h"
#include "ba-test-utils.h"

/* Fixtures live in tests/data; tests run with G_TEST_OPTION_ISOLATE_DIRS, so
 * the configuration path is a fresh, private directory for every test case. */

char *
ba_test_fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

char *
ba_test_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "backup-access", "configuration.json", NULL);
}

void
ba_test_write_config (const char *contents)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

void
ba_test_install_fixture (const char *name)
{
  g_autofree char *fixture = ba_test_fixture_path (name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fixture, &contents, NULL, &error);
  g_assert_no_error (error);
  ba_test_write_config (contents);
}

/* @text must be a JSON object. */
JsonObject *
ba_test_parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A scratch directory, without subdirectories: ba_test_remove_tmpdir()
 * removes it, its files and frees @dir. */
char *
ba_test_make_tmpdir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
ba_test_remove_tmpdir (char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  BaCertificate **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ba_certificate_generate_finish (result, &error);
  g_assert_no_error (error);
}

/* A self-signed certificate of a 2048-bit key, valid for a year. */
BaCertificate *
ba_test_generate_certificate (const char *common_name)
{
  BaCertificate *certificate = NULL;

  ba_certificate_generate_async (common_name, 2048, 1, NULL, generate_cb, &certificate);
  while (certificate == NULL)
    g_main_context_iteration (NULL, TRUE);

  return certificate;
}

/* An async callback for a GAsyncResult * slot (user_data); iterate the main
 * context until it is filled. */
void
ba_test_store_result_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

GAsyncResult *
ba_test_wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

/* The key store's passphrases and kept sign-ins go to the desktop keyring:
 * build-aux/test-session starts a gnome-keyring-daemon with an unlocked
 * login keyring in a private D-Bus session. */
void
ba_test_require_keyring (void)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  if (service == NULL)
    g_error ("No Secret Service (%s): run the tests inside build-aux/test-session", error->message);
}

/* Whether the keyring holds the passphrase of the key of @sha1. */
gboolean
ba_test_keyring_has_passphrase (const char *sha1)
{
  g_autoptr(GError) error = NULL;
  char *passphrase;

  passphrase = secret_password_lookup_sync (ba_secret_store_get_passphrase_schema (), NULL, &error,
                                            "sha1", sha1,
                                            NULL);
  g_assert_no_error (error);
  secret_password_free (passphrase);

  return passphrase != NULL;
}

/* One RSA key for the whole run: generating one per certificate would make
 * the tests slow, and each certificate still has its own thumbprint. */
gnutls_x509_privkey_t
ba_test_shared_key (void)
{
  static gnutls_x509_privkey_t key = NULL;

  if (key == NULL)
    {
      g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
      g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0), ==, 0);
    }

  return key;
}

/* A self-signed certificate in memory, valid for a year, of the run's
 * shared key: quick, where ba_test_generate_certificate() makes a key. */
BaCertificate *
ba_test_make_certificate (const char *common_name)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *certificate;
  guint8 serial[16];
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_cpy (key, ba_test_shared_key ()), ==, 0);

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

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), g_steal_pointer (&key),
                                          BA_KEY_LOCATION_MEMORY, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);

  return certificate;
}

/* Waits for the saves of @store started so far, before the test's folder
 * is removed under them. A synchronous save takes the lock they write
 * under, and once it has written, a save started earlier finds a newer
 * file on disk and writes nothing. Its own outcome does not matter: a
 * store that refuses to save writes nothing either. */
void
ba_test_store_settle (BaStore *store)
{
  if (store != NULL)
    ba_store_save (store, NULL);
}
