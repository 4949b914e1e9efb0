/* ba-create-application-count-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CREATE_APPLICATION_COUNT_PAGE (ba_create_application_count_page_get_type ())

/* How many applications: one, unless "Use the same name and certificate to
 * create N applications" is ticked; more than one needs the acknowledgement
 * of Microsoft's policy. */
G_DECLARE_FINAL_TYPE (BaCreateApplicationCountPage, ba_create_application_count_page, BA, CREATE_APPLICATION_COUNT_PAGE, BaWizardPage)

guint    ba_create_application_count_page_get_count         (BaCreateApplicationCountPage *self);
gboolean ba_create_application_count_page_get_accept_policy (BaCreateApplicationCountPage *self);

G_END_DECLS
