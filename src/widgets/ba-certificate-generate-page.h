/* ba-certificate-generate-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_GENERATE_PAGE (ba_certificate_generate_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateGeneratePage, ba_certificate_generate_page, BA, CERTIFICATE_GENERATE_PAGE, BaWizardPage)

const char *ba_certificate_generate_page_get_name  (BaCertificateGeneratePage *self);
void        ba_certificate_generate_page_set_name  (BaCertificateGeneratePage *self,
                                                    const char                *name);
guint       ba_certificate_generate_page_get_bits  (BaCertificateGeneratePage *self);
guint       ba_certificate_generate_page_get_years (BaCertificateGeneratePage *self);
void        ba_certificate_generate_page_set_error (BaCertificateGeneratePage *self,
                                                    const GError              *error);

G_END_DECLS
