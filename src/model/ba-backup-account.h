/* ba-backup-account.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BA_TYPE_BACKUP_ACCOUNT (ba_backup_account_get_type ())

G_DECLARE_FINAL_TYPE (BaBackupAccount, ba_backup_account, BA, BACKUP_ACCOUNT, GObject)

BaBackupAccount  *ba_backup_account_new                     (const char       *user_principal_name);

const char       *ba_backup_account_get_user_principal_name (BaBackupAccount  *self);
void              ba_backup_account_set_user_principal_name (BaBackupAccount  *self,
                                                             const char       *user_principal_name);
const char       *ba_backup_account_get_object_id           (BaBackupAccount  *self);
void              ba_backup_account_set_object_id           (BaBackupAccount  *self,
                                                             const char       *object_id);
const char       *ba_backup_account_get_group               (BaBackupAccount  *self);
void              ba_backup_account_set_group               (BaBackupAccount  *self,
                                                             const char       *group);
const char       *ba_backup_account_get_group_id            (BaBackupAccount  *self);
void              ba_backup_account_set_group_id            (BaBackupAccount  *self,
                                                             const char       *group_id);
gboolean          ba_backup_account_get_has_password        (BaBackupAccount  *self);
void              ba_backup_account_set_has_password        (BaBackupAccount  *self,
                                                             gboolean          has_password);

JsonNode         *ba_backup_account_serialize               (BaBackupAccount  *self,
                                                             gboolean          include_unknown);
BaBackupAccount  *ba_backup_account_deserialize             (JsonNode         *node,
                                                             GError          **error);

G_END_DECLS
