/* ba-cloud.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-enums.h"

G_BEGIN_DECLS

#define BA_CLOUD_ERROR (ba_cloud_error_quark ())

typedef enum
{
  BA_CLOUD_ERROR_INVALID_URL,
  BA_CLOUD_ERROR_INSECURE_URL,
} BaCloudError;

#define BA_TYPE_CLOUD (ba_cloud_get_type ())

G_DECLARE_FINAL_TYPE (BaCloud, ba_cloud, BA, CLOUD, GObject)

GQuark       ba_cloud_error_quark               (void);

BaCloud     *ba_cloud_new                       (BaCloudKind   kind);
BaCloud     *ba_cloud_new_from_settings         (BaCloudKind   kind,
                                                 GSettings    *settings,
                                                 GError      **error);
BaCloudKind  ba_cloud_get_kind                  (BaCloud      *self);
const char  *ba_cloud_get_authority_url         (BaCloud      *self);
const char  *ba_cloud_get_graph_url             (BaCloud      *self);
const char  *ba_cloud_get_device_login_url      (BaCloud      *self);
gboolean     ba_cloud_get_authority_overridden  (BaCloud      *self);
gboolean     ba_cloud_get_graph_overridden      (BaCloud      *self);

char        *ba_cloud_normalize_endpoint        (const char   *url,
                                                 GError      **error);
gboolean     ba_cloud_kind_from_nick            (const char   *nick,
                                                 BaCloudKind  *kind);
const char  *ba_cloud_kind_to_nick              (BaCloudKind   kind);

G_END_DECLS
