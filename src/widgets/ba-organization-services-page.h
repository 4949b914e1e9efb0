/* ba-organization-services-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-enums.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_SERVICES_PAGE (ba_organization_services_page_get_type ())

/* Step 1 of Add Organization: the deployment type (Microsoft 365) and the
 * services to back up, with their dependencies. "services" (BaServices as
 * guint) is notified on every change; complete when the choice is valid. */
G_DECLARE_FINAL_TYPE (BaOrganizationServicesPage, ba_organization_services_page, BA, ORGANIZATION_SERVICES_PAGE, BaWizardPage)

BaServices ba_organization_services_page_get_services (BaOrganizationServicesPage *self);
void       ba_organization_services_page_set_services (BaOrganizationServicesPage *self,
                                                       BaServices                  services);

G_END_DECLS
