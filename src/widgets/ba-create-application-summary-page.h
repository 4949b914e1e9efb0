/* ba-create-application-summary-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CREATE_APPLICATION_SUMMARY_PAGE (ba_create_application_summary_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCreateApplicationSummaryPage, ba_create_application_summary_page, BA, CREATE_APPLICATION_SUMMARY_PAGE, BaWizardPage)

void        ba_create_application_summary_page_set_summary (BaCreateApplicationSummaryPage *self,
                                                            const char                     *title,
                                                            const char                     *details);
const char *ba_create_application_summary_page_get_title   (BaCreateApplicationSummaryPage *self);

G_END_DECLS
