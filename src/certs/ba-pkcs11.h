/* ba-pkcs11.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-certificate.h"

G_BEGIN_DECLS

/* Asked for a token's PIN. Called from a worker thread: a UI must answer it
 * on its main thread and block this call until the person has answered.
 * Returns a newly allocated PIN (freed with g_free after wiping), or NULL
 * when the person cancelled. @attempt counts from 1; @retry_message is NULL
 * on the first attempt, else why the last PIN was refused. */
typedef char *(*BaPinFunc) (const char *token_label,
                            guint       attempt,
                            const char *retry_message,
                            gpointer    user_data);

void       ba_pkcs11_set_pin_func          (BaPinFunc       func,
                                            gpointer        user_data,
                                            GDestroyNotify  destroy);

/* Loads every module p11-kit knows (idempotent). Extra modules, e.g. a
 * test's SoftHSM2, are named in BA_PKCS11_MODULES (colon-separated paths)
 * or added with ba_pkcs11_add_module(). */
gboolean   ba_pkcs11_init                  (GError        **error);
gboolean   ba_pkcs11_add_module            (const char     *module_path,
                                            GError        **error);

/* Certificates that have a matching private key on a token. */
GPtrArray *ba_pkcs11_list_certificates     (GCancellable   *cancellable,
                                            GError        **error);

/* Like ba_pkcs11_list_certificates(), but a token that cannot be read (its
 * PIN cancelled, refused or locked, the token failing) does not stop the
 * others: its error, which names the token, is added to @token_errors
 * (element-type GError, may be NULL) and listing goes on. Fails only when
 * cancelled. ba_pkcs11_list_certificates() returns what could be listed,
 * and fails with the first token's error only when that is nothing. */
GPtrArray *ba_pkcs11_list_certificates_full (GCancellable   *cancellable,
                                             GPtrArray     **token_errors,
                                             GError        **error);

/* For the engine (ba-certificate.c), after a GnuTLS call on a token failed
 * in this thread: sets BA_CERT_ERROR_PIN_REQUIRED when the PIN prompt was
 * cancelled (or there is none), PIN_INCORRECT when a PIN was refused,
 * PIN_LOCKED, or TOKEN; G_IO_ERROR_CANCELLED is not its business. */
void       _ba_pkcs11_set_error            (GError        **error,
                                            int             gnutls_result,
                                            const char     *token_label);

/* Generate an RSA key and self-signed certificate on a token: the key never
 * leaves it. */
BaCertificate *ba_pkcs11_generate          (const char     *token_uri,
                                            const char     *name,
                                            guint           bits,
                                            guint           years,
                                            GCancellable   *cancellable,
                                            GError        **error);

G_END_DECLS
