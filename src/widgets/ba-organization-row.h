/* ba-organization-row.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-organization.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_ROW (ba_organization_row_get_type ())

G_DECLARE_FINAL_TYPE (BaOrganizationRow, ba_organization_row, BA, ORGANIZATION_ROW, AdwActionRow)

GtkWidget      *ba_organization_row_new              (BaOrganization    *organization);
BaOrganization *ba_organization_row_get_organization (BaOrganizationRow *self);
void            ba_organization_row_popup_menu       (BaOrganizationRow *self);
GtkPopover     *ba_organization_row_get_popover      (BaOrganizationRow *self);

G_END_DECLS
