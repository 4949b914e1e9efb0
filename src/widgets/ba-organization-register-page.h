/* ba-organization-register-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-certificate.h"
#include "ba-provisioner.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_REGISTER_PAGE (ba_organization_register_page_get_type ())

/* Step 4a of Add Organization: the new application's name, its
 * certificate ("Install…" activates wizard.install-certificate) and the
 * permissions it will be granted. Complete with a valid name and a
 * certificate. */
G_DECLARE_FINAL_TYPE (BaOrganizationRegisterPage, ba_organization_register_page, BA, ORGANIZATION_REGISTER_PAGE, BaWizardPage)

const char    *ba_organization_register_page_get_name        (BaOrganizationRegisterPage *self);
void           ba_organization_register_page_set_certificate (BaOrganizationRegisterPage *self,
                                                              BaCertificate              *certificate);
BaCertificate *ba_organization_register_page_get_certificate (BaOrganizationRegisterPage *self);
void           ba_organization_register_page_set_permissions (BaOrganizationRegisterPage *self,
                                                              const BaPermission         *permissions,
                                                              guint                       n_permissions);

G_END_DECLS
