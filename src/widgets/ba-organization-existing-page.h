/* ba-organization-existing-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-certificate.h"
#include "ba-enums.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_EXISTING_PAGE (ba_organization_existing_page_get_type ())

/* Step 4b of Add Organization: the user to impersonate (or, for SharePoint
 * only, the organization's domain), the application ID, the certificate
 * ("Install…" activates wizard.install-certificate) and whether Backup
 * Access grants the permissions and registers the certificate itself
 * (which needs an administrator's sign-in). */
G_DECLARE_FINAL_TYPE (BaOrganizationExistingPage, ba_organization_existing_page, BA, ORGANIZATION_EXISTING_PAGE, BaWizardPage)

void           ba_organization_existing_page_set_services       (BaOrganizationExistingPage *self,
                                                                 BaServices                  services);
const char    *ba_organization_existing_page_get_username       (BaOrganizationExistingPage *self);
const char    *ba_organization_existing_page_get_application_id (BaOrganizationExistingPage *self);
void           ba_organization_existing_page_set_certificate    (BaOrganizationExistingPage *self,
                                                                 BaCertificate              *certificate);
BaCertificate *ba_organization_existing_page_get_certificate    (BaOrganizationExistingPage *self);
gboolean       ba_organization_existing_page_get_grant          (BaOrganizationExistingPage *self);
/* Why the application could not be used (NULL clears it). */
void           ba_organization_existing_page_set_error          (BaOrganizationExistingPage *self,
                                                                 const char                 *message);

G_END_DECLS
