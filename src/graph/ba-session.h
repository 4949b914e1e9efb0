/* ba-session.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ba-cloud.h"

G_BEGIN_DECLS

#define BA_IDENTITY_ERROR (ba_identity_error_quark ())

/* Failures of sign-in and token requests. Each has its own translated
 * message that says what to do (ba_identity_error_advice ()). */
typedef enum
{
  BA_IDENTITY_ERROR_FAILED,
  BA_IDENTITY_ERROR_DECLINED,              /* authorization_declined, access_denied */
  BA_IDENTITY_ERROR_EXPIRED,               /* expired_token, or the local deadline */
  BA_IDENTITY_ERROR_BAD_VERIFICATION_CODE, /* bad_verification_code */
  BA_IDENTITY_ERROR_POLICY_BLOCKED,        /* AADSTS53003 Conditional Access */
  BA_IDENTITY_ERROR_INTERACTION_REQUIRED,  /* AADSTS50199 */
  BA_IDENTITY_ERROR_CLIENT_NOT_PUBLIC,     /* AADSTS7000218 */
  BA_IDENTITY_ERROR_CONSENT_REQUIRED,      /* AADSTS65001, 65002 */
  BA_IDENTITY_ERROR_INSUFFICIENT_ROLE,     /* the account lacks an admin role */
  BA_IDENTITY_ERROR_INVALID_GRANT,         /* refresh token revoked or expired */
  BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND, /* AADSTS700016 */
  BA_IDENTITY_ERROR_CERTIFICATE_REJECTED,  /* AADSTS700027 */
  BA_IDENTITY_ERROR_INVALID_CREDENTIAL,    /* AADSTS7000215 */
  BA_IDENTITY_ERROR_MISSING_PERMISSION,    /* app-only token lacks a needed role */
  BA_IDENTITY_ERROR_STATE_MISMATCH,        /* PKCE redirect with another state */
  BA_IDENTITY_ERROR_NOT_SIGNED_IN,         /* no session kept */
} BaIdentityError;

#define BA_TYPE_SESSION (ba_session_get_type ())

G_DECLARE_FINAL_TYPE (BaSession, ba_session, BA, SESSION, GObject)

GQuark        ba_identity_error_quark            (void);

/* An admin signed in to one tenant of one cloud. Properties (all
 * EXPLICIT_NOTIFY, read-only but stay-signed-in): "upn", "display-name",
 * "tenant-id", "user-id", "roles" (GStrv of directory role names),
 * "expires-at" (unix seconds of the access token), "stay-signed-in". */
BaSession    *ba_session_new                     (BaCloud              *cloud,
                                                  const char           *client_id);
BaCloud      *ba_session_get_cloud               (BaSession            *self);
const char   *ba_session_get_client_id           (BaSession            *self);
const char   *ba_session_get_upn                 (BaSession            *self);
const char   *ba_session_get_display_name        (BaSession            *self);
const char   *ba_session_get_tenant_id           (BaSession            *self);
const char   *ba_session_get_user_id             (BaSession            *self);
const char * const *ba_session_get_roles         (BaSession            *self);
gint64        ba_session_get_expires_at          (BaSession            *self);
gboolean      ba_session_get_stay_signed_in      (BaSession            *self);
/* TRUE keeps the refresh token in the desktop keyring (per cloud, tenant
 * and client id): stored at once in the background and after every token
 * response; FALSE deletes the entry. */
void          ba_session_set_stay_signed_in      (BaSession            *self,
                                                  gboolean              stay_signed_in);

/* Takes a token endpoint's success response (access_token, refresh_token,
 * id_token, expires_in, scope): reads tid, oid, preferred_username, name
 * from the id_token. Used by the sign-in flows. */
gboolean      ba_session_take_token_response     (BaSession            *self,
                                                  JsonObject           *response,
                                                  GError              **error);

/* A valid access token for Graph, refreshed before expiry (5 minutes
 * ahead) or when force_refresh (a 401). Concurrent callers share one
 * refresh. */
void          ba_session_get_access_token_async  (BaSession            *self,
                                                  gboolean              force_refresh,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char         *ba_session_get_access_token_finish (BaSession            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Stores the refresh token in the keyring now and says when it is there
 * (for the CLI, which exits right after). Succeeds doing nothing unless
 * stay-signed-in is set and there is a refresh token and a tenant. */
void          ba_session_save_async              (BaSession            *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      ba_session_save_finish             (BaSession            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Reads the signed-in admin's directory roles from Graph (GET
 * /me/memberOf/microsoft.graph.directoryRole) into "roles". */
void          ba_session_load_roles_async        (BaSession            *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      ba_session_load_roles_finish       (BaSession            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Whether the roles allow granting Graph app roles (Global Administrator
 * or Privileged Role Administrator). */
gboolean      ba_session_can_grant_graph_roles   (BaSession            *self);

/* A session kept with "stay signed in": tenant NULL takes the most recent
 * one of the cloud. Fails with BA_IDENTITY_ERROR_NOT_SIGNED_IN when there
 * is none, INVALID_GRANT when its refresh token no longer works (the entry
 * is then deleted). */
void          ba_session_restore_async           (BaCloud              *cloud,
                                                  const char           *client_id,
                                                  const char           *tenant,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
BaSession    *ba_session_restore_finish          (GAsyncResult         *result,
                                                  GError              **error);

/* Deletes a kept session's keyring entry without signing in first (no
 * network): tenant NULL takes the most recent one of the cloud. Finishes
 * with the tenant whose entry was deleted, or NULL without an error when
 * nothing was kept. */
void          ba_session_forget_async            (BaCloud              *cloud,
                                                  const char           *client_id,
                                                  const char           *tenant,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char         *ba_session_forget_finish           (GAsyncResult         *result,
                                                  GError              **error);

/* Drops the tokens and deletes the keyring entry. */
void          ba_session_sign_out_async          (BaSession            *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      ba_session_sign_out_finish         (BaSession            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Maps a token endpoint error response (error, error_description,
 * error_codes) to a BA_IDENTITY_ERROR with a translated message that says
 * what to do; logs trace_id and correlation_id at debug level. */
GError       *ba_identity_error_from_response    (JsonObject           *response);
/* The translated sentence that says what to do about a BA_IDENTITY_ERROR
 * code (the message of errors without the server's own text). */
const char   *ba_identity_error_advice           (BaIdentityError       code);

/* The scopes an admin sign-in asks for (reference §4), NULL-terminated. */
const char * const *ba_session_default_scopes    (void);

G_END_DECLS
