/* ba-organization-page-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ba-certificate.h"
#include "ba-provisioner.h"

G_BEGIN_DECLS

/* What the Add Organization pages show of a certificate ("No certificate
 * chosen yet." for NULL) and of a list of permissions, one per line. */
char *ba_organization_describe_certificate (BaCertificate      *certificate);
char *ba_organization_describe_permissions (const BaPermission *permissions,
                                            guint               n_permissions);

G_END_DECLS
