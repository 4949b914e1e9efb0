/* ba-organization-rules.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ba-enums.h"
#include "ba-provisioner.h"
#include "ba-store.h"

G_BEGIN_DECLS

/* What may be asked when an organization is added (veeam-wizards §1–§2):
 * the Add Organization wizard and `backup-access-cli organization add`
 * call the same checks, and show the same messages. */

#define BA_ORGANIZATION_ERROR (ba_organization_error_quark ())

typedef enum
{
  BA_ORGANIZATION_ERROR_NO_SERVICE,
  BA_ORGANIZATION_ERROR_SERVICE_DEPENDENCY,
  BA_ORGANIZATION_ERROR_SERVICE_NOT_IN_CLOUD,
  BA_ORGANIZATION_ERROR_AUTH_NOT_IN_CLOUD,
  BA_ORGANIZATION_ERROR_REGISTER_UNAVAILABLE,
  BA_ORGANIZATION_ERROR_INVALID_NAME,
  BA_ORGANIZATION_ERROR_INVALID_USERNAME,
  BA_ORGANIZATION_ERROR_INVALID_ORGANIZATION_NAME,
  BA_ORGANIZATION_ERROR_INVALID_APPLICATION_ID,
  BA_ORGANIZATION_ERROR_DUPLICATE,
  BA_ORGANIZATION_ERROR_MISSING_PERMISSION,
} BaOrganizationError;

GQuark      ba_organization_error_quark                  (void);

/* Why @service cannot be chosen with the others selected (Teams needs
 * Exchange and SharePoint; Teams chats needs Teams), or NULL. */
const char *ba_organization_service_dependency_reason    (BaServices    service,
                                                          BaServices    selected);
/* Why @service cannot be backed up in @cloud, or NULL. */
const char *ba_organization_service_cloud_reason         (BaServices    service,
                                                          BaCloudKind   cloud);
/* Why @auth_type cannot be used in @cloud, or NULL. */
const char *ba_organization_auth_cloud_reason            (BaAuthType    auth_type,
                                                          BaCloudKind   cloud);
/* What the authentication method means, one sentence. */
const char *ba_organization_auth_description             (BaAuthType    auth_type);
/* Why registering a new application is not offered, or NULL. */
const char *ba_organization_register_reason              (BaServices    services);
/* Only SharePoint Online and OneDrive: the existing application is given an
 * organization name (a domain) instead of a user to impersonate. */
gboolean    ba_organization_uses_organization_name       (BaServices    services);

gboolean    ba_organization_check_services               (BaServices    services,
                                                          GError      **error);
gboolean    ba_organization_check_cloud                  (BaServices    services,
                                                          BaCloudKind   cloud,
                                                          BaAuthType    auth_type,
                                                          GError      **error);
gboolean    ba_organization_check_register               (BaServices    services,
                                                          GError      **error);
gboolean    ba_organization_check_application_name       (const char   *name,
                                                          GError      **error);
/* A user name@domain.tld, or, when ba_organization_uses_organization_name
 * (), a bare domain.tld. */
gboolean    ba_organization_check_username               (const char   *text,
                                                          BaServices    services,
                                                          GError      **error);
gboolean    ba_organization_check_application_id         (const char   *text,
                                                          GError      **error);
/* Refuses a tenant that is in the configuration already. */
gboolean    ba_organization_check_not_in_store           (BaStore      *store,
                                                          const char   *tenant_id,
                                                          GError      **error);
/* An existing application checked without a grant: its app-only Graph
 * token's roles must hold every Microsoft Graph permission asked for;
 * the error names the missing ones. */
gboolean    ba_organization_check_graph_roles            (const BaPermission  *permissions,
                                                          guint                n_permissions,
                                                          const char * const  *roles,
                                                          GError             **error);
/* What to do about a failure of registering or granting, or NULL. */
const char *ba_organization_advice_for_error             (const GError *error);
/* The domain of a user name, or the organization name itself (new string),
 * lower-cased; NULL when there is none. */
char       *ba_organization_domain_of_username           (const char   *text);

G_END_DECLS
