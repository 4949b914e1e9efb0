/* ba-certificate-summary-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-certificate.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_SUMMARY_PAGE (ba_certificate_summary_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateSummaryPage, ba_certificate_summary_page, BA, CERTIFICATE_SUMMARY_PAGE, BaWizardPage)

void ba_certificate_summary_page_set_certificate (BaCertificateSummaryPage *self,
                                                  BaCertificate            *certificate);

G_END_DECLS
