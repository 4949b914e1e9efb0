/* ba-graph-emulator.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An in-process Microsoft identity platform + Microsoft Graph on loopback
 * (SoupServer on 127.0.0.1, random port), running on the thread-default
 * main context of whoever made it. Point BaCloud at it with
 * BA_AUTHORITY_URL = BA_GRAPH_URL = ba_graph_emulator_get_url ().
 *
 * It speaks the documented subset (shared/reference/graph-and-identity.md):
 *   POST /{tenant}/oauth2/v2.0/devicecode
 *   POST /{tenant}/oauth2/v2.0/token   (device_code, refresh_token,
 *                                       authorization_code + PKCE,
 *                                       client_credentials + client_assertion)
 *   GET  /{tenant}/oauth2/v2.0/authorize (PKCE; auto-consent, redirects)
 *   GET  /v1.0/me, /v1.0/organization, /v1.0/me/memberOf
 *   /v1.0/applications[/{id}], /v1.0/applications(appId='…'), with
 *     $filter=tags/any(t:t eq '…')
 *   /v1.0/servicePrincipals[/{id}], /v1.0/servicePrincipals(appId='…'),
 *   /v1.0/servicePrincipals/{id}/appRoleAssignedTo
 *   /v1.0/groups, /v1.0/groups/{id}/members[/microsoft.graph.user]
 *   GET  /v1.0/sites/root
 * with real status codes and error bodies, paging by @odata.nextLink, and
 * a record of every request. One tenant, one directory. */

#define BA_TYPE_GRAPH_EMULATOR (ba_graph_emulator_get_type ())

G_DECLARE_FINAL_TYPE (BaGraphEmulator, ba_graph_emulator, BA, GRAPH_EMULATOR, GObject)

/* What the next device-code poll(s) answer; scripted per test. The values
 * start at 1 so that the NULL ending the list of
 * ba_graph_emulator_script_polls () is never taken for one of them. */
typedef enum
{
  BA_EMULATOR_POLL_PENDING = 1, /* authorization_pending */
  BA_EMULATOR_POLL_SLOW_DOWN, /* slow_down */
  BA_EMULATOR_POLL_DECLINED,  /* authorization_declined */
  BA_EMULATOR_POLL_EXPIRED,   /* expired_token */
  BA_EMULATOR_POLL_BAD_CODE,  /* bad_verification_code */
  BA_EMULATOR_POLL_APPROVED,  /* tokens */
  BA_EMULATOR_POLL_AADSTS,    /* invalid_grant with the AADSTS code set by
                               * ba_graph_emulator_set_poll_aadsts () */
} BaEmulatorPoll;

/* One recorded request. Secrets are recorded too: this is test code. */
typedef struct
{
  char *method;
  char *path;            /* without the query */
  char *query;           /* raw query string, or NULL */
  char *authorization;   /* the Authorization header, or NULL */
  char *content_type;
  GBytes *body;          /* the request body, never NULL */
  GHashTable *form;      /* parsed form body (x-www-form-urlencoded), or NULL */
  guint status;          /* what the emulator answered */
  gint64 time_us;        /* g_get_monotonic_time () when it arrived */
} BaEmulatorRequest;

void                ba_emulator_request_free                (BaEmulatorRequest *request);

BaGraphEmulator    *ba_graph_emulator_new                   (void);
/* "http://127.0.0.1:PORT", no trailing slash. */
const char         *ba_graph_emulator_get_url               (BaGraphEmulator  *self);

/* The tenant. Defaults: id "72f988bf-0000-4000-8000-00000000c0de", display
 * name "Contoso", domains contoso.com (default) and contoso.onmicrosoft.com
 * (initial), one admin "admin@contoso.onmicrosoft.com" holding Global
 * Administrator. */
const char         *ba_graph_emulator_get_tenant_id         (BaGraphEmulator  *self);
void                ba_graph_emulator_set_admin             (BaGraphEmulator  *self,
                                                             const char       *upn,
                                                             const char       *display_name,
                                                             const char * const *role_names);

/* Device code: each poll consumes the head of the script; when it is
 * empty, polls answer authorization_pending. */
void                ba_graph_emulator_script_polls          (BaGraphEmulator  *self,
                                                             BaEmulatorPoll    first,
                                                             ...) G_GNUC_NULL_TERMINATED;
void                ba_graph_emulator_set_poll_aadsts       (BaGraphEmulator  *self,
                                                             guint             aadsts,
                                                             const char       *error);
/* devicecode's expires_in and interval, in seconds (defaults 900 and 5;
 * tests use interval 0, or the client's _ba_device_code_flow_set_interval_ms
 * seam, and ba_graph_emulator_expire_device_codes () instead of waiting). */
void                ba_graph_emulator_set_device_code_times (BaGraphEmulator  *self,
                                                             guint             expires_in,
                                                             guint             interval);
const char         *ba_graph_emulator_get_last_user_code    (BaGraphEmulator  *self);
/* Every device code handed out so far expires now (the next poll answers
 * expired_token), so tests need not wait for expires_in. */
void                ba_graph_emulator_expire_device_codes   (BaGraphEmulator  *self);
/* devicecode, authorize and token answer 400 unauthorized_client
 * AADSTS700016 (application not found) for this client ID. */
void                ba_graph_emulator_block_client          (BaGraphEmulator  *self,
                                                             const char       *client_id);
/* The `scope` that delegated token responses report as granted (and the
 * access token's scp), instead of the requested Graph scopes; NULL resets. */
void                ba_graph_emulator_set_granted_scopes    (BaGraphEmulator  *self,
                                                             const char       *scopes);

/* Tokens: lifetime of access tokens issued from now on (default 3599 s);
 * revoke every token issued so far (the next Graph call gets 401); make
 * refresh tokens invalid (invalid_grant). */
void                ba_graph_emulator_set_token_lifetime    (BaGraphEmulator  *self,
                                                             guint             seconds);
void                ba_graph_emulator_expire_access_tokens  (BaGraphEmulator  *self);
void                ba_graph_emulator_revoke_refresh_tokens (BaGraphEmulator  *self);

/* Authorization code + PKCE: the authorize endpoint consents at once and
 * redirects to redirect_uri with code and state; with a wrong_state it
 * sends that state instead, with deny it redirects with error=access_denied. */
void                ba_graph_emulator_set_authorize_outcome (BaGraphEmulator  *self,
                                                             gboolean          deny,
                                                             const char       *wrong_state);

/* Directory. Registers an application (and its service principal when
 * with_service_principal) whose keyCredentials hold the certificate (DER),
 * so that client-credential sign-ins with an assertion signed by its key
 * succeed; returns the application's appId. Roles listed are granted to
 * the service principal and appear in the app-only token's `roles`. */
char               *ba_graph_emulator_add_application       (BaGraphEmulator  *self,
                                                             const char       *display_name,
                                                             GBytes           *certificate_der,
                                                             gboolean          with_service_principal,
                                                             const char * const *roles);
/* The directory objects, as Graph would return them (borrowed). */
JsonObject         *ba_graph_emulator_lookup_application    (BaGraphEmulator  *self,
                                                             const char       *app_id);
/* The service principal of an application (borrowed), or NULL. */
JsonObject         *ba_graph_emulator_lookup_service_principal (BaGraphEmulator *self,
                                                             const char       *app_id);
guint               ba_graph_emulator_count_applications    (BaGraphEmulator  *self);
/* App role assignments held by this service principal id (NULL: all). */
guint               ba_graph_emulator_count_app_role_assignments (BaGraphEmulator *self,
                                                             const char       *principal_id);
/* Security groups "Backup Group 001"… (securityEnabled, not mailEnabled),
 * each with members_each users plus one device: /members lists
 * members_each + 1 objects, /members/microsoft.graph.user members_each. */
void                ba_graph_emulator_add_groups            (BaGraphEmulator  *self,
                                                             guint             n_groups,
                                                             guint             members_each);

/* Knobs. Each applies to requests whose path starts with path_prefix (NULL
 * for every request). */
void                ba_graph_emulator_set_latency           (BaGraphEmulator  *self,
                                                             guint             ms);
void                ba_graph_emulator_set_page_size         (BaGraphEmulator  *self,
                                                             guint             n);
/* The next `count` matching requests answer `status` (429, 503, 500…)
 * with Retry-After: retry_after seconds (none when 0). */
void                ba_graph_emulator_inject_status         (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             guint             status,
                                                             guint             retry_after,
                                                             guint             count);
/* The next `count` matching requests have their connection closed without
 * an answer (recorded with status 0). Note that libsoup resends a request
 * once when a kept-alive connection closes before any answer: to make a
 * client see the failure, drop 2. */
void                ba_graph_emulator_drop_connections      (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             guint             count);
/* The next `count` matching requests are done (an application created…)
 * but their connection is closed before the answer: the client cannot
 * tell whether they happened. */
void                ba_graph_emulator_lose_answers          (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             guint             count);
/* The next `count` matching requests get a 200 with a body that is not
 * JSON (truncated when truncate is TRUE, else HTML). */
void                ba_graph_emulator_inject_garbage        (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             gboolean          truncate,
                                                             guint             count);
/* The next `count` matching requests answer the Graph error body with
 * this status and code. */
void                ba_graph_emulator_inject_graph_error    (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             guint             status,
                                                             const char       *code,
                                                             guint             count);
/* A created object is invisible (404 Request_ResourceNotFound on reads,
 * 400 NoBackingApplicationObject for a service principal of a new app) for
 * this long after it was created. */
void                ba_graph_emulator_set_replication_delay (BaGraphEmulator  *self,
                                                             guint             ms);
/* Every matching request has, with probability percent / 100 (from a
 * fixed-seed sequence, so runs repeat), the answer `status` with
 * Retry-After: retry_after seconds (none when 0), or, when status is 0,
 * its connection closed. percent 0 turns it off. One rate at a time. */
void                ba_graph_emulator_set_fault_rate        (BaGraphEmulator  *self,
                                                             const char       *path_prefix,
                                                             guint             status,
                                                             guint             retry_after,
                                                             guint             percent);
/* A certificate added to an application through Graph is refused by
 * client-credential sign-ins (401 AADSTS700027) for this long. */
void                ba_graph_emulator_set_key_replication_delay (BaGraphEmulator *self,
                                                             guint             ms);
/* The number of keyCredentials of the application, 0 when it is unknown. */
guint               ba_graph_emulator_count_key_credentials (BaGraphEmulator  *self,
                                                             const char       *app_id);

/* The record. get_requests: borrowed, of BaEmulatorRequest, oldest first;
 * method and path_prefix NULL match every request. A dropped connection
 * is recorded with status 0. */
GPtrArray          *ba_graph_emulator_get_requests          (BaGraphEmulator  *self);
guint               ba_graph_emulator_count_requests        (BaGraphEmulator  *self,
                                                             const char       *method,
                                                             const char       *path_prefix);
const BaEmulatorRequest *ba_graph_emulator_last_request     (BaGraphEmulator  *self,
                                                             const char       *method,
                                                             const char       *path_prefix);
void                ba_graph_emulator_clear_requests        (BaGraphEmulator  *self);
guint               ba_graph_emulator_get_peak_in_flight    (BaGraphEmulator  *self);

G_END_DECLS
