/* test-certificate-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "ba-certificate-private.h"
#include "ba-certificate-store.h"
#include "ba-key-store.h"
#include "ba-secret-store.h"
#include "ba-test-utils.h"

/* The certificate store as a GListModel over our key store. Runs inside
 * build-aux/test-session (a private keyring). Tokens are covered by
 * test-pkcs11.c, on a SoftHSM2 token. */

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  GArray *changes;
} ChangeLog;

typedef struct
{
  GAsyncResult *result;
} AsyncWait;

static char *
file_in (BaCertificateStore *store,
         const char         *sha1,
         const char         *extension)
{
  g_autofree char *name = g_strconcat (sha1, extension, NULL);

  return g_build_filename (ba_certificate_store_get_key_directory (store), name, NULL);
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     ChangeLog  *log)
{
  Change change = { position, removed, added };

  g_array_append_val (log->changes, change);
}

static void
change_log_init (ChangeLog          *log,
                 BaCertificateStore *store)
{
  log->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed_cb), log);
}

static void
change_log_clear (ChangeLog *log)
{
  g_array_set_size (log->changes, 0);
}

static void
assert_change (ChangeLog *log,
               guint      position,
               guint      removed,
               guint      added)
{
  Change *change;

  g_assert_cmpuint (log->changes->len, ==, 1);
  change = &g_array_index (log->changes, Change, 0);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
  change_log_clear (log);
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

/* Saves certificates into the key store behind the store's back, as
 * another process (the command line) would. */
static void
save_behind (BaCertificateStore *store,
             BaCertificate      *certificate)
{
  g_autoptr(BaKeyStore) key_store = ba_key_store_new (ba_certificate_store_get_key_directory (store));
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = ba_key_store_save (key_store, certificate, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
}

static void
assert_model_consistent (BaCertificateStore *store)
{
  GListModel *model = G_LIST_MODEL (store);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BaCertificate) item = g_list_model_get_item (model, i);

      g_assert_true (BA_IS_CERTIFICATE (item));
    }

  g_assert_null (g_list_model_get_item (model, n));
}

static void
test_model_type (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "backup-access", "keys", NULL);
  gboolean include_tokens = TRUE;

  g_assert_true (G_IS_LIST_MODEL (store));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == BA_TYPE_CERTIFICATE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpstr (ba_certificate_store_get_key_directory (store), ==, expected);
  g_assert_false (ba_certificate_store_get_include_tokens (store));
  g_assert_null (ba_certificate_store_get_token_error (store));

  g_object_get (store, "include-tokens", &include_tokens, NULL);
  g_assert_false (include_tokens);
}

static void
test_refresh_lists_ours (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) bravo = ba_test_make_certificate ("Bravo");
  g_autoptr(BaCertificate) alpha = ba_test_make_certificate ("Alpha");
  g_autoptr(BaCertificate) first = NULL;
  g_autoptr(BaCertificate) second = NULL;
  g_autoptr(GError) error = NULL;
  ChangeLog log;

  ba_test_require_keyring ();
  change_log_init (&log, store);

  /* Empty: no folder yet, no items, no signal. */
  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.changes->len, ==, 0);

  save_behind (store, bravo);
  save_behind (store, alpha);

  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);
  assert_change (&log, 0, 0, 2);
  assert_model_consistent (store);

  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  second = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_cmpstr (ba_certificate_get_common_name (first), ==, "Alpha");
  g_assert_cmpstr (ba_certificate_get_common_name (second), ==, "Bravo");
  g_assert_cmpint (ba_certificate_get_key_location (first), ==, BA_KEY_LOCATION_KEY_STORE);
  g_assert_true (ba_certificate_has_private_key (first));

  /* A second refresh is one swap, and keeps the objects that are still
   * there, so that a view's selection survives it. */
  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);
  assert_change (&log, 0, 2, 2);
  {
    g_autoptr(BaCertificate) again = g_list_model_get_item (G_LIST_MODEL (store), 0);

    g_assert_true (again == first);
  }

  g_assert_true (ba_certificate_store_delete (store, first, &error));
  g_assert_no_error (error);
  g_assert_true (ba_certificate_store_delete (store, second, &error));
  g_assert_no_error (error);

  g_array_unref (log.changes);
}

static void
test_refresh_async (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Async Refresh");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  ChangeLog log;

  ba_test_require_keyring ();
  change_log_init (&log, store);
  save_behind (store, certificate);

  ba_certificate_store_refresh_async (store, NULL, async_wait_cb, &wait);
  /* The model changes on this thread, when the listing is done. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  result = async_wait (&wait);
  g_assert_true (ba_certificate_store_refresh_finish (store, result, &error));
  g_assert_no_error (error);
  assert_change (&log, 0, 0, 1);
  g_assert_nonnull (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (certificate)));
  g_clear_object (&result);

  /* A cancelled refresh changes nothing. */
  g_cancellable_cancel (cancellable);
  ba_certificate_store_refresh_async (store, cancellable, async_wait_cb, &wait);
  result = async_wait (&wait);
  g_assert_false (ba_certificate_store_refresh_finish (store, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (log.changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  g_clear_error (&error);
  g_assert_true (ba_certificate_store_delete (store, ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (certificate)), &error));
  g_assert_no_error (error);

  g_array_unref (log.changes);
}

/* An add while a refresh lists must not be undone by the refresh's older
 * listing. */
static void
test_refresh_racing_add (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Raced");
  g_autoptr(BaCertificate) added = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };

  ba_test_require_keyring ();

  ba_certificate_store_refresh_async (store, NULL, async_wait_cb, &wait);
  added = ba_certificate_store_add (store, certificate, &error);
  g_assert_no_error (error);
  result = async_wait (&wait);
  g_assert_true (ba_certificate_store_refresh_finish (store, result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_nonnull (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (certificate)));

  g_assert_true (ba_certificate_store_delete (store, added, &error));
  g_assert_no_error (error);
}

static void
test_lookup (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Lookup");
  g_autoptr(BaCertificate) added = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  const char *sha256 = ba_certificate_get_sha256_thumbprint (certificate);
  g_autofree char *sha1_lower = g_ascii_strdown (sha1, -1);
  g_autofree char *sha256_lower = g_ascii_strdown (sha256, -1);
  g_autoptr(GString) with_colons = g_string_new (NULL);
  g_autofree char *wrong = g_strdup (sha1);

  ba_test_require_keyring ();

  added = ba_certificate_store_add (store, certificate, &error);
  g_assert_no_error (error);

  g_assert_true (ba_certificate_store_lookup (store, sha1) == added);
  g_assert_true (ba_certificate_store_lookup (store, sha1_lower) == added);
  g_assert_true (ba_certificate_store_lookup (store, sha256) == added);
  g_assert_true (ba_certificate_store_lookup (store, sha256_lower) == added);

  for (guint i = 0; sha1[i] != '\0'; i += 2)
    g_string_append_printf (with_colons, "%s%.2s", i > 0 ? ":" : "", sha1 + i);
  g_assert_true (ba_certificate_store_lookup (store, with_colons->str) == added);

  wrong[0] = wrong[0] == '0' ? '1' : '0';
  g_assert_null (ba_certificate_store_lookup (store, wrong));
  g_assert_null (ba_certificate_store_lookup (store, "not a thumbprint"));
  g_assert_null (ba_certificate_store_lookup (store, ""));
  /* A prefix is not a thumbprint. */
  g_assert_null (ba_certificate_store_lookup (store, "ABCD"));

  g_assert_true (ba_certificate_store_delete (store, added, &error));
  g_assert_no_error (error);
}

static void
test_add (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) zulu = ba_test_make_certificate ("Zulu");
  g_autoptr(BaCertificate) mike = ba_test_make_certificate ("Mike");
  g_autoptr(BaCertificate) stored_zulu = NULL;
  g_autoptr(BaCertificate) stored_mike = NULL;
  g_autoptr(BaCertificate) again = NULL;
  g_autoptr(BaCertificateStore) other = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (zulu);
  g_autofree char *key_path = NULL;
  g_autofree char *crt_path = NULL;
  ChangeLog log;

  ba_test_require_keyring ();
  change_log_init (&log, store);

  stored_zulu = ba_certificate_store_add (store, zulu, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (stored_zulu), ==, sha1);
  g_assert_cmpint (ba_certificate_get_key_location (stored_zulu), ==, BA_KEY_LOCATION_KEY_STORE);
  g_assert_true (ba_certificate_has_private_key (stored_zulu));
  assert_change (&log, 0, 0, 1);

  key_path = file_in (store, sha1, ".key");
  crt_path = file_in (store, sha1, ".crt");
  g_assert_true (g_file_test (key_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (crt_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (ba_test_keyring_has_passphrase (sha1));

  /* Sorted among ours by name. */
  stored_mike = ba_certificate_store_add (store, mike, &error);
  g_assert_no_error (error);
  assert_change (&log, 0, 0, 1);

  /* Adding one that is there returns it and changes nothing. */
  again = ba_certificate_store_add (store, zulu, &error);
  g_assert_no_error (error);
  g_assert_true (again == stored_zulu);
  g_assert_cmpuint (log.changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_clear_object (&again);

  /* Also when the store has not seen it yet: another store on the same
   * folder, not refreshed. */
  other = ba_certificate_store_new (ba_certificate_store_get_key_directory (store), FALSE);
  again = ba_certificate_store_add (other, zulu, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (again), ==, sha1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 1);

  g_assert_true (ba_certificate_store_delete (store, stored_zulu, &error));
  g_assert_no_error (error);
  g_assert_true (ba_certificate_store_delete (store, stored_mike, &error));
  g_assert_no_error (error);

  g_array_unref (log.changes);
}

static void
test_add_async (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Async Add");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(BaCertificate) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  ChangeLog log;

  ba_test_require_keyring ();
  change_log_init (&log, store);

  ba_certificate_store_add_async (store, certificate, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  stored = ba_certificate_store_add_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_certificate_get_key_location (stored), ==, BA_KEY_LOCATION_KEY_STORE);
  assert_change (&log, 0, 0, 1);
  g_assert_true (ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (certificate)) == stored);
  g_clear_object (&result);

  ba_certificate_store_add_async (store, certificate, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  again = ba_certificate_store_add_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_true (again == stored);
  g_assert_cmpuint (log.changes->len, ==, 0);
  g_clear_object (&result);

  ba_certificate_store_delete_async (store, stored, NULL, async_wait_cb, &wait);
  result = async_wait (&wait);
  g_assert_true (ba_certificate_store_delete_finish (store, result, &error));
  g_assert_no_error (error);
  assert_change (&log, 0, 1, 0);
  g_assert_false (ba_test_keyring_has_passphrase (ba_certificate_get_sha1_thumbprint (certificate)));

  g_array_unref (log.changes);
}

/* Cancelled before it started: nothing saved, nothing in the model. */
static void
test_add_cancelled (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Cancelled Add");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *key_path = NULL;
  AsyncWait wait = { NULL };

  ba_test_require_keyring ();

  g_cancellable_cancel (cancellable);
  ba_certificate_store_add_async (store, certificate, cancellable, async_wait_cb, &wait);
  result = async_wait (&wait);
  stored = ba_certificate_store_add_finish (store, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (stored);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  key_path = file_in (store, sha1, ".key");
  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));
}

static void
test_delete (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) alpha = ba_test_make_certificate ("Alpha");
  g_autoptr(BaCertificate) bravo = ba_test_make_certificate ("Bravo");
  g_autoptr(BaCertificate) stored_alpha = NULL;
  g_autoptr(BaCertificate) stored_bravo = NULL;
  g_autoptr(BaCertificate) never_stored = ba_test_make_certificate ("Never Stored");
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (bravo);
  g_autofree char *key_path = NULL;
  g_autofree char *crt_path = NULL;
  ChangeLog log;

  ba_test_require_keyring ();

  stored_alpha = ba_certificate_store_add (store, alpha, &error);
  g_assert_no_error (error);
  stored_bravo = ba_certificate_store_add (store, bravo, &error);
  g_assert_no_error (error);

  change_log_init (&log, store);

  g_assert_true (ba_certificate_store_delete (store, stored_bravo, &error));
  g_assert_no_error (error);
  assert_change (&log, 1, 1, 0);
  g_assert_null (ba_certificate_store_lookup (store, sha1));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  key_path = file_in (store, sha1, ".key");
  crt_path = file_in (store, sha1, ".crt");
  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (crt_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));

  /* The certificate the store was given (key in memory) deletes the stored
   * one too: that is how a wizard undoes what it saved. */
  g_assert_true (ba_certificate_store_delete (store, alpha, &error));
  g_assert_no_error (error);
  assert_change (&log, 0, 1, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  /* One that was never stored. */
  g_assert_false (ba_certificate_store_delete (store, never_stored, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND);
  g_assert_cmpuint (log.changes->len, ==, 0);

  g_array_unref (log.changes);
}

/* Files removed behind the store's back: a delete reports NOT_FOUND and the
 * model stops showing it. */
static void
test_delete_gone (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Gone");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(BaKeyStore) key_store = NULL;
  g_autoptr(GError) error = NULL;

  ba_test_require_keyring ();

  stored = ba_certificate_store_add (store, certificate, &error);
  g_assert_no_error (error);

  key_store = ba_key_store_new (ba_certificate_store_get_key_directory (store));
  g_assert_true (ba_key_store_delete (key_store, ba_certificate_get_sha1_thumbprint (certificate), NULL, &error));
  g_assert_no_error (error);

  g_assert_false (ba_certificate_store_delete (store, stored, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
}

static void
test_add_failure_leaves_nothing (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Blocked");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *crt_path = NULL;
  g_autofree char *key_path = NULL;
  ChangeLog log;

  ba_test_require_keyring ();
  change_log_init (&log, store);

  crt_path = file_in (store, sha1, ".crt");
  key_path = file_in (store, sha1, ".key");
  g_assert_cmpint (g_mkdir_with_parents (crt_path, 0700), ==, 0);

  stored = ba_certificate_store_add (store, certificate, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (stored);
  g_assert_cmpuint (log.changes->len, ==, 0);
  g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_test_keyring_has_passphrase (sha1));

  g_assert_cmpint (g_rmdir (crt_path), ==, 0);
  g_array_unref (log.changes);
}

/* With the machine's own PKCS#11 modules (p11-kit's configuration, which on
 * this machine may include SoftHSM2 and the trust store), listing tokens
 * must not fail nor hide ours. */
static void
test_machine_tokens_do_not_hide_ours (void)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, TRUE);
  g_autoptr(BaCertificate) certificate = ba_test_make_certificate ("Ours With Tokens");
  g_autoptr(GError) error = NULL;
  BaCertificate *found;

  ba_test_require_keyring ();

  g_assert_true (ba_certificate_store_get_include_tokens (store));
  save_behind (store, certificate);

  g_assert_true (ba_certificate_store_refresh (store, &error));
  g_assert_no_error (error);

  found = ba_certificate_store_lookup (store, ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_nonnull (found);
  g_assert_cmpint (ba_certificate_get_key_location (found), ==, BA_KEY_LOCATION_KEY_STORE);
  assert_model_consistent (store);

  /* Ours come first. */
  {
    g_autoptr(BaCertificate) first = g_list_model_get_item (G_LIST_MODEL (store), 0);

    g_assert_cmpint (ba_certificate_get_key_location (first), ==, BA_KEY_LOCATION_KEY_STORE);
  }

  g_assert_true (ba_certificate_store_delete (store, found, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/certificate-store/model-type", test_model_type);
  g_test_add_func ("/ba/certificate-store/refresh-lists-ours", test_refresh_lists_ours);
  g_test_add_func ("/ba/certificate-store/refresh-async", test_refresh_async);
  g_test_add_func ("/ba/certificate-store/refresh-racing-add", test_refresh_racing_add);
  g_test_add_func ("/ba/certificate-store/lookup", test_lookup);
  g_test_add_func ("/ba/certificate-store/add", test_add);
  g_test_add_func ("/ba/certificate-store/add-async", test_add_async);
  g_test_add_func ("/ba/certificate-store/add-cancelled", test_add_cancelled);
  g_test_add_func ("/ba/certificate-store/add-failure-leaves-nothing", test_add_failure_leaves_nothing);
  g_test_add_func ("/ba/certificate-store/delete", test_delete);
  g_test_add_func ("/ba/certificate-store/delete-gone", test_delete_gone);
  g_test_add_func ("/ba/certificate-store/machine-tokens-do-not-hide-ours", test_machine_tokens_do_not_hide_ours);

  return g_test_run ();
}
