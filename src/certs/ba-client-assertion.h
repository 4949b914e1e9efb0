/* ba-client-assertion.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-certificate.h"

G_BEGIN_DECLS

#define BA_TYPE_CLIENT_ASSERTION (ba_client_assertion_get_type ())

/* A JWT client assertion (RFC 7523) with which a backup application proves
 * it holds its certificate's key: header alg RS256 + x5t, or PS256 +
 * x5t#S256; claims aud, iss = sub = client id, jti (random GUID from
 * gnutls_rnd), nbf (a minute in the past, for clock skew), iat, exp. */
G_DECLARE_FINAL_TYPE (BaClientAssertion, ba_client_assertion, BA, CLIENT_ASSERTION, GObject)

BaClientAssertion *ba_client_assertion_new          (BaCertificate       *certificate,
                                                     const char          *client_id,
                                                     const char          *audience);
void               ba_client_assertion_set_scheme   (BaClientAssertion   *self,
                                                     BaSignatureScheme    scheme);
BaSignatureScheme  ba_client_assertion_get_scheme   (BaClientAssertion   *self);
/* Seconds from iat to exp; at most 600 (default 600). */
void               ba_client_assertion_set_lifetime (BaClientAssertion   *self,
                                                     guint                seconds);
guint              ba_client_assertion_get_lifetime (BaClientAssertion   *self);

/* @now NULL means the current time. */
char              *ba_client_assertion_sign         (BaClientAssertion   *self,
                                                     GDateTime           *now,
                                                     GError             **error);
void               ba_client_assertion_sign_async   (BaClientAssertion   *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char              *ba_client_assertion_sign_finish  (BaClientAssertion   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
