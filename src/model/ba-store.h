/* ba-store.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ba-organization.h"

G_BEGIN_DECLS

#define BA_STORE_ERROR (ba_store_error_quark ())

typedef enum
{
  BA_STORE_ERROR_CORRUPT,
  BA_STORE_ERROR_UNREADABLE,
  BA_STORE_ERROR_FUTURE_VERSION,
  BA_STORE_ERROR_READ_ONLY,
  BA_STORE_ERROR_DUPLICATE,
  BA_STORE_ERROR_NO_BACKUP,
  BA_STORE_ERROR_FAILED,
} BaStoreError;

/* The formatVersion this build writes and fully understands. */
#define BA_STORE_FORMAT_VERSION 1

#define BA_TYPE_STORE (ba_store_get_type ())

G_DECLARE_FINAL_TYPE (BaStore, ba_store, BA, STORE, GObject)

GQuark           ba_store_error_quark            (void);

BaStore         *ba_store_new                    (const char           *path);
BaStore         *ba_store_new_default            (void);

const char      *ba_store_get_path               (BaStore              *self);
char            *ba_store_dup_backup_path        (BaStore              *self);
GListModel      *ba_store_get_organizations      (BaStore              *self);
gboolean         ba_store_get_read_only          (BaStore              *self);
const GError    *ba_store_get_load_error         (BaStore              *self);
const char      *ba_store_get_set_aside_path     (BaStore              *self);
gboolean         ba_store_get_backup_available   (BaStore              *self);

gboolean         ba_store_load                   (BaStore              *self,
                                                  GError              **error);
gboolean         ba_store_save                   (BaStore              *self,
                                                  GError              **error);
void             ba_store_save_async             (BaStore              *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         ba_store_save_finish            (BaStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
gboolean         ba_store_restore_backup         (BaStore              *self,
                                                  GError              **error);

gboolean         ba_store_add_organization       (BaStore              *self,
                                                  BaOrganization       *organization,
                                                  GError              **error);
gboolean         ba_store_remove_organization    (BaStore              *self,
                                                  BaOrganization       *organization);
BaOrganization  *ba_store_find_organization      (BaStore              *self,
                                                  const char           *tenant_id);

JsonNode        *ba_store_serialize              (BaStore              *self,
                                                  gboolean              include_unknown);

G_END_DECLS
