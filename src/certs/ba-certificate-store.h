/* ba-certificate-store.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-certificate.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_STORE (ba_certificate_store_get_type ())

/* A GListModel of BaCertificate: everything usable for signing, ours (the
 * key store) and the PKCS#11 tokens'. */
G_DECLARE_FINAL_TYPE (BaCertificateStore, ba_certificate_store, BA, CERTIFICATE_STORE, GObject)

/* @key_directory NULL means $XDG_DATA_HOME/backup-access/keys. */
BaCertificateStore *ba_certificate_store_new            (const char          *key_directory,
                                                         gboolean             include_tokens);
const char         *ba_certificate_store_get_key_directory (BaCertificateStore *self);

void                ba_certificate_store_refresh_async  (BaCertificateStore  *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            ba_certificate_store_refresh_finish (BaCertificateStore  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
gboolean            ba_certificate_store_refresh        (BaCertificateStore  *self,
                                                         GError             **error);

/* By SHA-1 or SHA-256 thumbprint, hex, any case; transfer none. */
BaCertificate      *ba_certificate_store_lookup         (BaCertificateStore  *self,
                                                         const char          *thumbprint);

/* Saves a generated or imported certificate (key in memory) into our key
 * store: encrypted key file + passphrase in the keyring. Nothing is left
 * behind if it fails or is cancelled. Returns the stored certificate. */
void                ba_certificate_store_add_async      (BaCertificateStore  *self,
                                                         BaCertificate       *certificate,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
BaCertificate      *ba_certificate_store_add_finish     (BaCertificateStore  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
BaCertificate      *ba_certificate_store_add            (BaCertificateStore  *self,
                                                         BaCertificate       *certificate,
                                                         GError             **error);

/* Ours only: removes the key files and the keyring entry. A token's
 * certificate is refused with BA_CERT_ERROR_READ_ONLY. */
void                ba_certificate_store_delete_async   (BaCertificateStore  *self,
                                                         BaCertificate       *certificate,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            ba_certificate_store_delete_finish  (BaCertificateStore  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
gboolean            ba_certificate_store_delete         (BaCertificateStore  *self,
                                                         BaCertificate       *certificate,
                                                         GError             **error);

/* Whether the tokens' certificates are listed (construct-only). */
gboolean            ba_certificate_store_get_include_tokens (BaCertificateStore *self);

/* Why a token's certificates are missing from the last refresh (a PIN
 * cancelled or refused, a token failing), or NULL. Our own certificates are
 * listed regardless. Notified as "token-error". */
const GError       *ba_certificate_store_get_token_error (BaCertificateStore *self);

G_END_DECLS
