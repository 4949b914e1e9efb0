/* ba-add-organization-assistant.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ba-certificate-store.h"
#include "ba-organization.h"
#include "ba-store.h"

G_BEGIN_DECLS

#define BA_TYPE_ADD_ORGANIZATION_ASSISTANT (ba_add_organization_assistant_get_type ())

/* The Add Organization wizard (veeam-wizards §1): services, region and
 * authentication, connection, a new or an existing Microsoft Entra
 * application, the administrator's sign-in when Backup Access writes to
 * Microsoft Entra ID, the progress and the summary. The organization is
 * recorded in the store from the start of the progress step, so anything
 * created in the tenant is recorded under it. A controller around a
 * GtkAssistant built from its .ui (GTK 4 does not let it be subclassed). */
G_DECLARE_FINAL_TYPE (BaAddOrganizationAssistant, ba_add_organization_assistant, BA, ADD_ORGANIZATION_ASSISTANT, GObject)

BaAddOrganizationAssistant *ba_add_organization_assistant_new        (GtkWindow                  *parent,
                                                                      BaStore                    *store,
                                                                      BaCertificateStore         *certificates);
/* Shows the wizard; finishes with the organization added to the store
 * (new ref), or G_IO_ERROR_CANCELLED, or the error that kept it out. */
void                        ba_add_organization_assistant_run_async  (BaAddOrganizationAssistant *self,
                                                                      GCancellable               *cancellable,
                                                                      GAsyncReadyCallback         callback,
                                                                      gpointer                    user_data);
BaOrganization             *ba_add_organization_assistant_run_finish (BaAddOrganizationAssistant *self,
                                                                      GAsyncResult               *result,
                                                                      GError                    **error);

/* For tests, which step the wizard as a person would. */
GtkAssistant               *_ba_add_organization_assistant_get_assistant (BaAddOrganizationAssistant *self);
GtkWidget                  *_ba_add_organization_assistant_get_page       (BaAddOrganizationAssistant *self,
                                                                           const char                 *id);
/* The Select Certificate wizard that "Install…" opened, or NULL. */
GObject                    *_ba_add_organization_assistant_get_certificate_wizard (BaAddOrganizationAssistant *self);
/* Shorter waits: Graph retries and the provisioner's replication retries. */
void                        _ba_add_organization_assistant_set_delays     (BaAddOrganizationAssistant *self,
                                                                           guint                       retry_base_delay_ms,
                                                                           guint                       replication_timeout_ms);

G_END_DECLS
