/* ba-organization-connection-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-enums.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_CONNECTION_PAGE (ba_organization_connection_page_get_type ())

/* Step 3 of Add Organization: register a new Microsoft Entra application,
 * or use an existing one. Registering is not offered for Teams chats. */
G_DECLARE_FINAL_TYPE (BaOrganizationConnectionPage, ba_organization_connection_page, BA, ORGANIZATION_CONNECTION_PAGE, BaWizardPage)

void     ba_organization_connection_page_set_services (BaOrganizationConnectionPage *self,
                                                       BaServices                    services);
gboolean ba_organization_connection_page_get_register (BaOrganizationConnectionPage *self);
void     ba_organization_connection_page_set_register (BaOrganizationConnectionPage *self,
                                                       gboolean                      register_new);

G_END_DECLS
