/* ba-key-store.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-certificate.h"

G_BEGIN_DECLS

#define BA_TYPE_KEY_STORE (ba_key_store_get_type ())

/* Our own keys: <SHA1>.key (PKCS#8, AES-256 PBES2, PEM) and <SHA1>.crt (the
 * certificate, PEM) in one directory, each key under a random passphrase
 * kept in the desktop keyring. The sync calls block on the disk, GnuTLS and
 * D-Bus: call them from a worker thread, or use the _async variants. */
G_DECLARE_FINAL_TYPE (BaKeyStore, ba_key_store, BA, KEY_STORE, GObject)

/* Where a save stands, for tests that break or cancel it between steps. */
typedef enum
{
  BA_KEY_STORE_STEP_KEYRING,      /* before the passphrase goes to the keyring */
  BA_KEY_STORE_STEP_KEY_FILE,     /* before <SHA1>.key is written */
  BA_KEY_STORE_STEP_CERTIFICATE,  /* before <SHA1>.crt is written */
  BA_KEY_STORE_STEP_DONE,         /* everything written, not yet returned */
} BaKeyStoreStep;

/* Called before each step of a save, in the saving thread; returning FALSE
 * with @error set fails the save there. Tests only. */
typedef gboolean (*BaKeyStoreStepFunc) (BaKeyStore      *self,
                                        BaKeyStoreStep   step,
                                        gpointer         user_data,
                                        GError         **error);

/* $XDG_DATA_HOME/backup-access/keys */
char          *ba_key_store_get_default_directory (void);

/* @directory NULL means the default directory. */
BaKeyStore    *ba_key_store_new             (const char          *directory);
const char    *ba_key_store_get_directory   (BaKeyStore          *self);

/* Every certificate with both files, sorted by common name. Never touches
 * the keyring: the key is decrypted only when it is used. */
GPtrArray     *ba_key_store_list            (BaKeyStore          *self,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           ba_key_store_list_async      (BaKeyStore          *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray     *ba_key_store_list_finish     (BaKeyStore          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* NULL with BA_CERT_ERROR_NOT_FOUND when the key store has no such
 * certificate. */
BaCertificate *ba_key_store_lookup          (BaKeyStore          *self,
                                             const char          *sha1,
                                             GError             **error);

/* Saves a certificate whose key is in memory. Returns the stored
 * certificate (BA_KEY_LOCATION_KEY_STORE), or the one already stored with
 * the same thumbprint. On failure or cancellation nothing is left behind:
 * no file, no keyring entry. */
BaCertificate *ba_key_store_save            (BaKeyStore          *self,
                                             BaCertificate       *certificate,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           ba_key_store_save_async      (BaKeyStore          *self,
                                             BaCertificate       *certificate,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
BaCertificate *ba_key_store_save_finish     (BaKeyStore          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Removes the keyring entry, then both files. BA_CERT_ERROR_NOT_FOUND when
 * there was nothing to remove. */
gboolean       ba_key_store_delete          (BaKeyStore          *self,
                                             const char          *sha1,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           ba_key_store_delete_async    (BaKeyStore          *self,
                                             const char          *sha1,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       ba_key_store_delete_finish   (BaKeyStore          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Tests only. */
void           _ba_key_store_set_step_func  (BaKeyStore          *self,
                                             BaKeyStoreStepFunc   func,
                                             gpointer             user_data);

G_END_DECLS
