/* ba-certificate-import-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_IMPORT_PAGE (ba_certificate_import_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateImportPage, ba_certificate_import_page, BA, CERTIFICATE_IMPORT_PAGE, BaWizardPage)

GFile      *ba_certificate_import_page_get_file     (BaCertificateImportPage *self);
void        ba_certificate_import_page_set_file     (BaCertificateImportPage *self,
                                                     GFile                   *file);
const char *ba_certificate_import_page_get_password (BaCertificateImportPage *self);
void        ba_certificate_import_page_set_error    (BaCertificateImportPage *self,
                                                     const GError            *error);

G_END_DECLS
