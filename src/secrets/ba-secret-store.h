/* ba-secret-store.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* The passphrases that encrypt our key files, one per certificate, found by
 * the certificate's SHA-1 thumbprint (attribute "sha1", uppercase hex).
 *
 * The sync calls block on D-Bus: call them from a worker thread. Errors are
 * libsecret's and GDBus's own (G_IO_ERROR_CANCELLED on cancellation): the
 * caller turns them into a message for people. A passphrase returned here is
 * freed with ba_secret_store_free_passphrase(), which wipes it. */

#define BA_SECRET_STORE_PASSPHRASE_SCHEMA "io.github.backupaccess.BackupAccess.KeyPassphrase"

const SecretSchema *ba_secret_store_get_passphrase_schema (void);

gboolean            ba_secret_store_store_passphrase       (const char          *sha1,
                                                            const char          *common_name,
                                                            const char          *passphrase,
                                                            GCancellable        *cancellable,
                                                            GError             **error);
void                ba_secret_store_store_passphrase_async (const char          *sha1,
                                                            const char          *common_name,
                                                            const char          *passphrase,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            ba_secret_store_store_passphrase_finish (GAsyncResult       *result,
                                                             GError            **error);

/* NULL without @error set when there is no such entry. */
char               *ba_secret_store_lookup_passphrase      (const char          *sha1,
                                                            GCancellable        *cancellable,
                                                            GError             **error);
void                ba_secret_store_lookup_passphrase_async (const char         *sha1,
                                                             GCancellable       *cancellable,
                                                             GAsyncReadyCallback callback,
                                                             gpointer            user_data);
char               *ba_secret_store_lookup_passphrase_finish (GAsyncResult      *result,
                                                              GError           **error);

/* Succeeds when there was nothing to remove; @removed (may be NULL) tells. */
gboolean            ba_secret_store_clear_passphrase       (const char          *sha1,
                                                            gboolean            *removed,
                                                            GCancellable        *cancellable,
                                                            GError             **error);
void                ba_secret_store_clear_passphrase_async (const char          *sha1,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            ba_secret_store_clear_passphrase_finish (GAsyncResult       *result,
                                                             gboolean           *removed,
                                                             GError            **error);

void                ba_secret_store_free_passphrase        (char                *passphrase);

/* Refresh tokens of sessions kept with "stay signed in", one per cloud
 * (its nick), tenant (GUID) and sign-in client id; account (the UPN) only
 * labels the entry. A token returned here is freed with
 * ba_secret_store_free_passphrase(), which wipes it. */

#define BA_SECRET_STORE_REFRESH_TOKEN_SCHEMA "io.github.backupaccess.BackupAccess.RefreshToken"

const SecretSchema *ba_secret_store_get_refresh_token_schema (void);

void                ba_secret_store_store_refresh_token_async  (const char          *cloud,
                                                                const char          *tenant,
                                                                const char          *client_id,
                                                                const char          *account,
                                                                const char          *token,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean            ba_secret_store_store_refresh_token_finish (GAsyncResult        *result,
                                                                GError             **error);

/* tenant NULL finds the most recently stored entry of the cloud and client
 * id; found_tenant (may be NULL) says whose it is. NULL without @error set
 * when there is none. */
void                ba_secret_store_lookup_refresh_token_async  (const char          *cloud,
                                                                 const char          *tenant,
                                                                 const char          *client_id,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
char               *ba_secret_store_lookup_refresh_token_finish (GAsyncResult        *result,
                                                                 char               **found_tenant,
                                                                 GError             **error);

void                ba_secret_store_clear_refresh_token_async  (const char          *cloud,
                                                                const char          *tenant,
                                                                const char          *client_id,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean            ba_secret_store_clear_refresh_token_finish (GAsyncResult        *result,
                                                                gboolean            *removed,
                                                                GError             **error);

G_END_DECLS
