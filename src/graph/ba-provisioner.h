/* ba-provisioner.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-backup-application.h"
#include "ba-certificate.h"
#include "ba-graph-client.h"
#include "ba-organization.h"
#include "ba-store.h"

G_BEGIN_DECLS

#define BA_PROVISIONER_ERROR (ba_provisioner_error_quark ())

typedef enum
{
  BA_PROVISIONER_ERROR_FAILED,
  BA_PROVISIONER_ERROR_INVALID_COUNT,        /* 0, or more than 100 */
  BA_PROVISIONER_ERROR_POLICY_NOT_ACCEPTED,  /* count > 1 without the acknowledgement */
  BA_PROVISIONER_ERROR_SERVICE_UNAVAILABLE,  /* a resource service principal is missing */
  BA_PROVISIONER_ERROR_INSUFFICIENT_ROLE,    /* 403 on a grant: the admin's role cannot grant it */
  BA_PROVISIONER_ERROR_REPLICATION_TIMEOUT,  /* a fresh object stayed invisible too long */
  BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND,
  BA_PROVISIONER_ERROR_BUSY,                 /* another operation on the same application runs */
  BA_PROVISIONER_ERROR_SOME_FAILED,          /* a run ended with failed applications */
  BA_PROVISIONER_ERROR_IN_USE,               /* the certificate the application uses now */
} BaProvisionerError;

/* Well-known resource applications (reference §9.1). */
#define BA_RESOURCE_GRAPH      "00000003-0000-0000-c000-000000000000"
#define BA_RESOURCE_SHAREPOINT "00000003-0000-0ff1-ce00-000000000000"
#define BA_RESOURCE_EXCHANGE   "00000002-0000-0ff1-ce00-000000000000"

/* An application permission, by its resource and its appRole value; the
 * role id is resolved at run time from the resource service principal's
 * appRoles, once per run. */
typedef struct
{
  const char *resource_app_id;
  const char *value;
} BaPermission;

/* What a backup application of the pool needs (veeam-wizards §3.3; Graph
 * Sites.ReadWrite.All instead of Sites.Read.All in China). */
const BaPermission *ba_permissions_for_backup_application (BaCloudKind  cloud,
                                                           guint       *n_permissions);
/* What the organization's own application needs for the services
 * (veeam-wizards §2.3). Returns a newly allocated array (g_free). */
BaPermission       *ba_permissions_for_services           (BaServices   services,
                                                           BaCloudKind  cloud,
                                                           guint       *n_permissions);

#define BA_TYPE_PROVISIONER (ba_provisioner_get_type ())

G_DECLARE_FINAL_TYPE (BaProvisioner, ba_provisioner, BA, PROVISIONER, GObject)

GQuark          ba_provisioner_error_quark            (void);

/* Works on one organization of the store, through a signed-in client for
 * its tenant. Every object that exists in the tenant is recorded in the
 * organization's applications and the store saved before the next step
 * (the journal), so a crash, a cancel or a network cut loses nothing.
 * An application is recorded before POST /applications is sent, in the
 * state "creating" with no appId yet and a random creation tag that the
 * request also carries in the application's `tags`; a resume finds it by
 * GET /applications?$filter=tags/any(t:t eq 'TAG'). Later steps record
 * "object-id"/"app-id"/"key-id", then "service-principal-id"; the grants
 * are listed again on resume. Apps of one organization: one operation at a
 * time on each (BUSY), one create/resume run at a time (BUSY).
 *
 * Signals:
 *   "application-progress" (BaBackupApplication *application,
 *                           const char          *step)   — a translated
 *        description of what is being done to it now ("Creating the
 *        service principal…", "Granting Sites.FullControl.All…").
 *   "progress" (guint done, guint total) — applications finished (ready or
 *        failed) of those in the run.
 * Properties: "concurrency" (guint, 1..16, default 4), "replication-timeout"
 * (guint ms, default 180000), "retry-base-delay" (guint ms, default 1000;
 * tests shorten both). */
BaProvisioner  *ba_provisioner_new                    (BaGraphClient        *client,
                                                       BaStore              *store,
                                                       BaOrganization       *organization);
guint           ba_provisioner_get_concurrency        (BaProvisioner        *self);
void            ba_provisioner_set_concurrency        (BaProvisioner        *self,
                                                       guint                 concurrency);
guint           ba_provisioner_get_replication_timeout (BaProvisioner       *self);
void            ba_provisioner_set_replication_timeout (BaProvisioner       *self,
                                                       guint                 timeout_ms);
guint           ba_provisioner_get_retry_base_delay   (BaProvisioner        *self);
void            ba_provisioner_set_retry_base_delay   (BaProvisioner        *self,
                                                       guint                 delay_ms);

/* Creates `count` applications named `name` with the certificate: POST
 * /applications (signInAudience AzureADMyOrg, keyCredentials,
 * requiredResourceAccess) → service principal → one appRoleAssignedTo per
 * permission. count must be 1..100; count > 1 requires accept_policy. The
 * new applications are added to the organization with `origin`. Finishes
 * TRUE when every application is ready; FALSE with SOME_FAILED when some
 * failed (each carries its failure reason), or another error when the run
 * could not start. Cancel stops after the requests in flight; what exists
 * is recorded. The applications of the run: ba_provisioner_get_run (). */
void            ba_provisioner_create_async           (BaProvisioner        *self,
                                                       const char           *name,
                                                       BaCertificate        *certificate,
                                                       guint                 count,
                                                       gboolean              accept_policy,
                                                       const BaPermission   *permissions,
                                                       guint                 n_permissions,
                                                       BaApplicationOrigin   origin,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean        ba_provisioner_create_finish          (BaProvisioner        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The applications of the last or current run (borrowed GListModel of
 * BaBackupApplication). */
GListModel     *ba_provisioner_get_run                (BaProvisioner        *self);

/* Applications of the organization whose journal says they are not done
 * (neither ready nor failed-and-dismissed): what a crash or cancel left. */
GPtrArray      *ba_provisioner_list_incomplete        (BaProvisioner        *self);
/* Continues every incomplete application from its recorded object ids
 * (never by name), with the permissions of the pool. */
void            ba_provisioner_resume_async           (BaProvisioner        *self,
                                                       BaCertificate        *certificate,
                                                       const BaPermission   *permissions,
                                                       guint                 n_permissions,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean        ba_provisioner_resume_finish          (BaProvisioner        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* An existing application (by appId): read its keyCredentials with
 * $select=keyCredentials, append the certificate keeping every key it has,
 * PATCH; make sure its service principal exists (upsert); grant the
 * permissions it lacks (listing its appRoleAssignments first, never
 * duplicating). Returns the BaBackupApplication (new ref) recorded in the
 * organization with `origin`. */
void            ba_provisioner_configure_existing_async (BaProvisioner      *self,
                                                       const char           *app_id,
                                                       BaCertificate        *certificate,
                                                       const BaPermission   *permissions,
                                                       guint                 n_permissions,
                                                       BaApplicationOrigin   origin,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
BaBackupApplication *ba_provisioner_configure_existing_finish (BaProvisioner *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Rotation with overlap: append the new certificate's key (keeping the
 * others), verify the application signs in with it (app-only, retried
 * while it replicates), record it, then, when remove_old, remove the
 * previous key. Never two operations on the same application at once
 * (BUSY). */
void            ba_provisioner_update_certificate_async (BaProvisioner      *self,
                                                       BaBackupApplication  *application,
                                                       BaCertificate        *certificate,
                                                       gboolean              remove_old,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean        ba_provisioner_update_certificate_finish (BaProvisioner     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The second half of a rotation, when the admin decides after it: removes
 * the key of @thumbprint (or of @key_id) from the application, keeping all
 * others. Refuses the certificate the application is recorded to use now
 * (IN_USE). Never two operations on the same application at once (BUSY). */
void            ba_provisioner_remove_certificate_async (BaProvisioner      *self,
                                                       BaBackupApplication  *application,
                                                       const char           *thumbprint,
                                                       const char           *key_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean        ba_provisioner_remove_certificate_finish (BaProvisioner     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Deletes the application from Microsoft Entra ID (its service principal,
 * then the application; 404 counts as gone) and removes it from the
 * organization. */
void            ba_provisioner_delete_async           (BaProvisioner        *self,
                                                       BaBackupApplication  *application,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean        ba_provisioner_delete_finish          (BaProvisioner        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
