/* ba-organization-summary-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_SUMMARY_PAGE (ba_organization_summary_page_get_type ())

/* Step 7 of Add Organization: what was added, and what failed with what
 * to do about it. */
G_DECLARE_FINAL_TYPE (BaOrganizationSummaryPage, ba_organization_summary_page, BA, ORGANIZATION_SUMMARY_PAGE, BaWizardPage)

void ba_organization_summary_page_set_result (BaOrganizationSummaryPage *self,
                                              const char                *title,
                                              const char                *name,
                                              const char                *tenant_id,
                                              const char                *application_id,
                                              const char                *thumbprint,
                                              const char                *expiry,
                                              const char                *permissions,
                                              const char                *problems);

G_END_DECLS
