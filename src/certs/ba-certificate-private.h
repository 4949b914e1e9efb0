/* ba-certificate-private.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "ba-certificate.h"

G_BEGIN_DECLS

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs12_t, gnutls_pkcs12_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs12_bag_t, gnutls_pkcs12_bag_deinit, NULL)

/* Loads the private key when it is first needed (our key store decrypts it
 * with the keyring's passphrase only for a signature). Called in a worker
 * thread; returns a new reference or NULL with @error set. */
typedef gnutls_privkey_t (*BaKeyLoader) (BaCertificate  *certificate,
                                         gpointer        user_data,
                                         GError        **error);

/* Takes ownership of @crt and of @key (either may carry no key: NULL). */
BaCertificate         *_ba_certificate_new_take        (gnutls_x509_crt_t       crt,
                                                        gnutls_x509_privkey_t   x509_key,
                                                        BaKeyLocation           location,
                                                        const char             *key_uri,
                                                        GError                **error);
gnutls_x509_crt_t      _ba_certificate_get_crt         (BaCertificate          *self);
/* The software key, when there is one in memory (generated, imported, or
 * loaded from our key store); NULL for tokens. Borrowed. */
gnutls_x509_privkey_t  _ba_certificate_get_x509_key    (BaCertificate          *self);
void                   _ba_certificate_set_key_location (BaCertificate         *self,
                                                         BaKeyLocation          location,
                                                         const char            *key_uri);
void                   _ba_certificate_set_key_loader  (BaCertificate          *self,
                                                        BaKeyLoader             loader,
                                                        gpointer                user_data,
                                                        GDestroyNotify          destroy);
void                   _ba_certificate_set_friendly_name (BaCertificate        *self,
                                                          const char           *friendly_name);
void                   _ba_certificate_set_token_label (BaCertificate          *self,
                                                        const char             *token_label);
/* Sets @error from a GnuTLS error code with a short translated message; the
 * GnuTLS text goes to g_debug only. */
gboolean               _ba_cert_set_gnutls_error       (GError                **error,
                                                        BaCertError             code,
                                                        int                     gnutls_result,
                                                        const char             *message);

G_END_DECLS
