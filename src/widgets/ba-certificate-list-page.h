/* ba-certificate-list-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-certificate-store.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CERTIFICATE_LIST_PAGE (ba_certificate_list_page_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificateListPage, ba_certificate_list_page, BA, CERTIFICATE_LIST_PAGE, BaWizardPage)

void           ba_certificate_list_page_set_store    (BaCertificateListPage *self,
                                                      BaCertificateStore    *store);
BaCertificate *ba_certificate_list_page_get_selected (BaCertificateListPage *self);
void           ba_certificate_list_page_set_error    (BaCertificateListPage *self,
                                                      const GError          *error);
char          *ba_certificate_describe_key_location  (BaCertificate         *certificate);

G_END_DECLS
