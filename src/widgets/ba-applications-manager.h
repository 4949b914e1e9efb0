/* ba-applications-manager.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-certificate-store.h"
#include "ba-create-application-assistant.h"
#include "ba-organization.h"
#include "ba-select-certificate-assistant.h"
#include "ba-sign-in-page.h"
#include "ba-store.h"

G_BEGIN_DECLS

#define BA_TYPE_APPLICATIONS_MANAGER (ba_applications_manager_get_type ())

/* The Backup Applications Manager: the pool of an organization with modern
 * app-only authentication, and Add, Create, Update certificate, Verify and
 * Remove on it. */
G_DECLARE_FINAL_TYPE (BaApplicationsManager, ba_applications_manager, BA, APPLICATIONS_MANAGER, AdwWindow)

BaApplicationsManager *ba_applications_manager_new              (GtkWindow             *parent,
                                                                 BaStore               *store,
                                                                 BaOrganization        *organization);
BaOrganization        *ba_applications_manager_get_organization (BaApplicationsManager *self);

/* For tests, which drive the manager as a person would. */
GtkSelectionModel     *_ba_applications_manager_get_selection   (BaApplicationsManager *self);
BaCertificateStore    *_ba_applications_manager_get_certificates (BaApplicationsManager *self);
/* The sign-in page of the sign-in dialog, while it is open. */
BaSignInPage          *_ba_applications_manager_get_sign_in_page (BaApplicationsManager *self);
void                   _ba_applications_manager_set_sign_in_interval_ms (BaApplicationsManager *self,
                                                                 guint                  interval_ms);
/* The confirmation or question open now (an AdwMessageDialog), or NULL. */
AdwMessageDialog      *_ba_applications_manager_get_dialog      (BaApplicationsManager *self);
GtkCheckButton        *_ba_applications_manager_get_dialog_check (BaApplicationsManager *self);
/* The Add Applications window while it is open, its search entry and list. */
GtkWindow             *_ba_applications_manager_get_add_window  (BaApplicationsManager *self);
GtkEditable           *_ba_applications_manager_get_add_search  (BaApplicationsManager *self);
GtkSelectionModel     *_ba_applications_manager_get_add_selection (BaApplicationsManager *self);
BaSelectCertificateAssistant *_ba_applications_manager_get_certificate_assistant (BaApplicationsManager *self);
BaCreateApplicationAssistant *_ba_applications_manager_get_create_assistant (BaApplicationsManager *self);
/* TRUE while an operation (sign-in, add, update, verify, remove) runs. */
gboolean               _ba_applications_manager_get_busy        (BaApplicationsManager *self);
const char            *_ba_applications_manager_get_status      (BaApplicationsManager *self);
void                   _ba_applications_manager_set_provisioner_timing (BaApplicationsManager *self,
                                                                 guint                  replication_timeout_ms,
                                                                 guint                  retry_base_delay_ms);

G_END_DECLS
