/* ba-create-application-name-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-certificate.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CREATE_APPLICATION_NAME_PAGE (ba_create_application_name_page_get_type ())

/* The first step of Create Application: the applications' name and the
 * certificate they sign in with, chosen through "Install…" (the
 * wizard.install-certificate action). Complete with both. */
G_DECLARE_FINAL_TYPE (BaCreateApplicationNamePage, ba_create_application_name_page, BA, CREATE_APPLICATION_NAME_PAGE, BaWizardPage)

const char    *ba_create_application_name_page_get_name        (BaCreateApplicationNamePage *self);
BaCertificate *ba_create_application_name_page_get_certificate (BaCreateApplicationNamePage *self);
void           ba_create_application_name_page_set_certificate (BaCreateApplicationNamePage *self,
                                                                BaCertificate               *certificate);

G_END_DECLS
