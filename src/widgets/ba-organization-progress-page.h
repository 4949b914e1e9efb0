/* ba-organization-progress-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_ORGANIZATION_PROGRESS_PAGE (ba_organization_progress_page_get_type ())

/* Step 6 of Add Organization: what is being done now, the steps done so
 * far, and a Cancel of its own (wizard.cancel) that stops after the
 * request in flight. */
G_DECLARE_FINAL_TYPE (BaOrganizationProgressPage, ba_organization_progress_page, BA, ORGANIZATION_PROGRESS_PAGE, BaWizardPage)

void ba_organization_progress_page_reset      (BaOrganizationProgressPage *self);
/* The step that runs now; the one before goes to the list of steps done. */
void ba_organization_progress_page_set_status (BaOrganizationProgressPage *self,
                                               const char                 *status);
void ba_organization_progress_page_stop       (BaOrganizationProgressPage *self,
                                               const char                 *status);
/* The steps shown so far, one per line. */
const char *ba_organization_progress_page_get_steps (BaOrganizationProgressPage *self);

G_END_DECLS
