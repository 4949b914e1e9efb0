/* ba-organization-region-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-enums.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_REGION_PAGE (ba_organization_region_page_get_type ())

/* Step 2 of Add Organization: the cloud and the authentication method. A
 * cloud that cannot back up the chosen services, and an authentication
 * method a cloud no longer takes, cannot be chosen; the reason is shown
 * next to each. */
G_DECLARE_FINAL_TYPE (BaOrganizationRegionPage, ba_organization_region_page, BA, ORGANIZATION_REGION_PAGE, BaWizardPage)

void        ba_organization_region_page_set_services  (BaOrganizationRegionPage *self,
                                                       BaServices                services);
BaCloudKind ba_organization_region_page_get_cloud     (BaOrganizationRegionPage *self);
void        ba_organization_region_page_set_cloud     (BaOrganizationRegionPage *self,
                                                       BaCloudKind               cloud);
BaAuthType  ba_organization_region_page_get_auth_type (BaOrganizationRegionPage *self);
void        ba_organization_region_page_set_auth_type (BaOrganizationRegionPage *self,
                                                       BaAuthType                auth_type);

G_END_DECLS
