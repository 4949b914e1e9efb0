/* ba-certificate-source-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

typedef enum
{
  BA_CERTIFICATE_SOURCE_GENERATE,
  BA_CERTIFICATE_SOURCE_STORE,
  BA_CERTIFICATE_SOURCE_IMPORT,
} BaCertificateSource;

#define BA_TYPE_CERTIFICATE_SOURCE_PAGE (ba_certificate_source_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateSourcePage, ba_certificate_source_page, BA, CERTIFICATE_SOURCE_PAGE, BaWizardPage)

BaCertificateSource ba_certificate_source_page_get_source (BaCertificateSourcePage *self);
void                ba_certificate_source_page_set_source (BaCertificateSourcePage *self,
                                                           BaCertificateSource      source);

G_END_DECLS
