/* ba-backup-application.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ba-enums.h"

G_BEGIN_DECLS

#define BA_TYPE_BACKUP_APPLICATION (ba_backup_application_get_type ())

G_DECLARE_FINAL_TYPE (BaBackupApplication, ba_backup_application, BA, BACKUP_APPLICATION, GObject)

BaBackupApplication  *ba_backup_application_new                        (const char           *app_id);

const char           *ba_backup_application_get_app_id                 (BaBackupApplication  *self);
void                  ba_backup_application_set_app_id                 (BaBackupApplication  *self,
                                                                        const char           *app_id);
const char           *ba_backup_application_get_object_id              (BaBackupApplication  *self);
void                  ba_backup_application_set_object_id              (BaBackupApplication  *self,
                                                                        const char           *object_id);
const char           *ba_backup_application_get_display_name           (BaBackupApplication  *self);
void                  ba_backup_application_set_display_name           (BaBackupApplication  *self,
                                                                        const char           *display_name);
const char           *ba_backup_application_get_certificate_thumbprint (BaBackupApplication  *self);
void                  ba_backup_application_set_certificate_thumbprint (BaBackupApplication  *self,
                                                                        const char           *thumbprint);
GDateTime            *ba_backup_application_get_certificate_expiry     (BaBackupApplication  *self);
void                  ba_backup_application_set_certificate_expiry     (BaBackupApplication  *self,
                                                                        GDateTime            *expiry);
BaApplicationOrigin   ba_backup_application_get_origin                 (BaBackupApplication  *self);
void                  ba_backup_application_set_origin                 (BaBackupApplication  *self,
                                                                        BaApplicationOrigin   origin);
BaProvisioningState   ba_backup_application_get_state                  (BaBackupApplication  *self);
void                  ba_backup_application_set_state                  (BaBackupApplication  *self,
                                                                        BaProvisioningState   state);
const char           *ba_backup_application_get_failure_reason         (BaBackupApplication  *self);
void                  ba_backup_application_set_failure_reason         (BaBackupApplication  *self,
                                                                        const char           *failure_reason);
GDateTime            *ba_backup_application_get_last_verified          (BaBackupApplication  *self);
void                  ba_backup_application_set_last_verified          (BaBackupApplication  *self,
                                                                        GDateTime            *last_verified);
const char           *ba_backup_application_get_verification_error     (BaBackupApplication  *self);
void                  ba_backup_application_set_verification_error     (BaBackupApplication  *self,
                                                                        const char           *verification_error);
const char           *ba_backup_application_get_service_principal_id   (BaBackupApplication  *self);
void                  ba_backup_application_set_service_principal_id   (BaBackupApplication  *self,
                                                                        const char           *service_principal_id);
const char           *ba_backup_application_get_key_id                 (BaBackupApplication  *self);
void                  ba_backup_application_set_key_id                 (BaBackupApplication  *self,
                                                                        const char           *key_id);
const char           *ba_backup_application_get_creation_tag           (BaBackupApplication  *self);
void                  ba_backup_application_set_creation_tag           (BaBackupApplication  *self,
                                                                        const char           *creation_tag);

JsonNode             *ba_backup_application_serialize                  (BaBackupApplication  *self,
                                                                        gboolean              include_unknown);
BaBackupApplication  *ba_backup_application_deserialize                (JsonNode             *node,
                                                                        GError              **error);

G_END_DECLS
