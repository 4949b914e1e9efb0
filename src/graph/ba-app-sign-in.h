/* ba-app-sign-in.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-certificate.h"
#include "ba-cloud.h"

G_BEGIN_DECLS

#define BA_TYPE_APP_SIGN_IN (ba_app_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (BaAppSignIn, ba_app_sign_in, BA, APP_SIGN_IN, GObject)

/* Proof that a backup application works: a client-credentials token for
 * Graph with a BaClientAssertion from its certificate (reference §10), its
 * `roles` claim read, and a cheap call (GET /sites/root) that needs them;
 * for SharePoint too when sharepoint_url is given. Failures are
 * BA_IDENTITY_ERROR (APPLICATION_NOT_FOUND, CERTIFICATE_REJECTED,
 * INVALID_CREDENTIAL, MISSING_PERMISSION, …) with a message that names
 * the problem. The result (read-only properties, EXPLICIT_NOTIFY):
 * "app-id", "tenant-id" (the tenant ID from the token's tid, also when
 * asked by domain), "roles" (GStrv), "graph-proven",
 * "sharepoint-proven", "verified-at" (GDateTime). */
void         ba_app_sign_in_verify_async      (BaCloud              *cloud,
                                               const char           *tenant_id,
                                               const char           *app_id,
                                               BaCertificate        *certificate,
                                               const char           *sharepoint_url,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* The same with a chosen assertion signature: RS256 + x5t (what
 * ba_app_sign_in_verify_async () uses, any RSA key can make it) or PS256 +
 * x5t#S256. Finish with ba_app_sign_in_verify_finish (). */
void         ba_app_sign_in_verify_with_scheme_async (BaCloud              *cloud,
                                                      const char           *tenant_id,
                                                      const char           *app_id,
                                                      BaCertificate        *certificate,
                                                      const char           *sharepoint_url,
                                                      BaSignatureScheme     scheme,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
BaAppSignIn *ba_app_sign_in_verify_finish     (GAsyncResult         *result,
                                               GError              **error);

const char  *ba_app_sign_in_get_app_id        (BaAppSignIn          *self);
const char  *ba_app_sign_in_get_tenant_id     (BaAppSignIn          *self);
const char * const *ba_app_sign_in_get_roles  (BaAppSignIn          *self);
gboolean     ba_app_sign_in_get_graph_proven  (BaAppSignIn          *self);
gboolean     ba_app_sign_in_get_sharepoint_proven (BaAppSignIn      *self);
GDateTime   *ba_app_sign_in_get_verified_at   (BaAppSignIn          *self);

G_END_DECLS
