/* ba-deleted-application.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Microsoft Entra ID keeps a deleted application among its deleted items
 * for this many days, where it can be restored (reference §6.11). */
#define BA_DELETED_APPLICATION_RESTORABLE_DAYS 30

#define BA_TYPE_DELETED_APPLICATION (ba_deleted_application_get_type ())

G_DECLARE_FINAL_TYPE (BaDeletedApplication, ba_deleted_application, BA, DELETED_APPLICATION, GObject)

BaDeletedApplication *ba_deleted_application_new                    (const char            *app_id,
                                                                     const char            *object_id,
                                                                     const char            *display_name,
                                                                     GDateTime             *deleted_at);

const char           *ba_deleted_application_get_app_id             (BaDeletedApplication  *self);
const char           *ba_deleted_application_get_object_id          (BaDeletedApplication  *self);
const char           *ba_deleted_application_get_display_name       (BaDeletedApplication  *self);
GDateTime            *ba_deleted_application_get_deleted_at         (BaDeletedApplication  *self);
GDateTime            *ba_deleted_application_dup_restorable_until   (BaDeletedApplication  *self);

JsonNode             *ba_deleted_application_serialize              (BaDeletedApplication  *self,
                                                                     gboolean               include_unknown);
BaDeletedApplication *ba_deleted_application_deserialize            (JsonNode              *node,
                                                                     GError               **error);

G_END_DECLS
