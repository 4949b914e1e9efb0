/* ba-organization.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ba-backup-account.h"
#include "ba-backup-application.h"
#include "ba-deleted-application.h"
#include "ba-enums.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION (ba_organization_get_type ())

G_DECLARE_FINAL_TYPE (BaOrganization, ba_organization, BA, ORGANIZATION, GObject)

BaOrganization       *ba_organization_new                          (const char           *tenant_id,
                                                                    const char           *name);

const char           *ba_organization_get_tenant_id                (BaOrganization       *self);
void                  ba_organization_set_tenant_id                (BaOrganization       *self,
                                                                    const char           *tenant_id);
const char           *ba_organization_get_name                     (BaOrganization       *self);
void                  ba_organization_set_name                     (BaOrganization       *self,
                                                                    const char           *name);
BaCloudKind           ba_organization_get_cloud                    (BaOrganization       *self);
void                  ba_organization_set_cloud                    (BaOrganization       *self,
                                                                    BaCloudKind           cloud);
BaAuthType            ba_organization_get_auth_type                (BaOrganization       *self);
void                  ba_organization_set_auth_type                (BaOrganization       *self,
                                                                    BaAuthType            auth_type);
BaServices            ba_organization_get_services                 (BaOrganization       *self);
void                  ba_organization_set_services                 (BaOrganization       *self,
                                                                    BaServices            services);
const char           *ba_organization_get_impersonation_account    (BaOrganization       *self);
void                  ba_organization_set_impersonation_account    (BaOrganization       *self,
                                                                    const char           *impersonation_account);
const char           *ba_organization_get_own_application_id       (BaOrganization       *self);
void                  ba_organization_set_own_application_id       (BaOrganization       *self,
                                                                    const char           *own_application_id);

GListModel           *ba_organization_get_applications             (BaOrganization       *self);
void                  ba_organization_add_application              (BaOrganization       *self,
                                                                    BaBackupApplication  *application);
gboolean              ba_organization_remove_application           (BaOrganization       *self,
                                                                    BaBackupApplication  *application);
GListModel           *ba_organization_get_deleted_applications     (BaOrganization       *self);
void                  ba_organization_add_deleted_application      (BaOrganization       *self,
                                                                    BaDeletedApplication *record);
BaBackupApplication  *ba_organization_find_application             (BaOrganization       *self,
                                                                    const char           *app_id);

GListModel           *ba_organization_get_accounts                 (BaOrganization       *self);
void                  ba_organization_add_account                  (BaOrganization       *self,
                                                                    BaBackupAccount      *account);
gboolean              ba_organization_remove_account               (BaOrganization       *self,
                                                                    BaBackupAccount      *account);
BaBackupAccount      *ba_organization_find_account                 (BaOrganization       *self,
                                                                    const char           *user_principal_name);

gboolean              ba_organization_can_manage_applications      (BaOrganization       *self);
gboolean              ba_organization_can_manage_accounts          (BaOrganization       *self);

JsonNode             *ba_organization_serialize                    (BaOrganization       *self,
                                                                    gboolean              include_unknown);
BaOrganization       *ba_organization_deserialize                  (JsonNode             *node,
                                                                    GError              **error);

const char           *ba_auth_type_to_string                       (BaAuthType            auth_type);
const char           *ba_cloud_kind_to_string                      (BaCloudKind           cloud);

G_END_DECLS
