/* ba-certificate-progress-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_PROGRESS_PAGE (ba_certificate_progress_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateProgressPage, ba_certificate_progress_page, BA, CERTIFICATE_PROGRESS_PAGE, BaWizardPage)

void        ba_certificate_progress_page_set_status (BaCertificateProgressPage *self,
                                                     const char                *status);
const char *ba_certificate_progress_page_get_status (BaCertificateProgressPage *self);

G_END_DECLS
