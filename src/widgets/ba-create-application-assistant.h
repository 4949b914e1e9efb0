/* ba-create-application-assistant.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ba-certificate-store.h"
#include "ba-organization.h"
#include "ba-provisioner.h"
#include "ba-select-certificate-assistant.h"
#include "ba-store.h"

G_BEGIN_DECLS

#define BA_TYPE_CREATE_APPLICATION_ASSISTANT (ba_create_application_assistant_get_type ())

/* The Create Application wizard of the Backup Applications Manager: name →
 * certificate ("Install…") → how many → sign-in → progress → summary. A
 * controller around a GtkAssistant built from its .ui. */
G_DECLARE_FINAL_TYPE (BaCreateApplicationAssistant, ba_create_application_assistant, BA, CREATE_APPLICATION_ASSISTANT, GObject)

BaCreateApplicationAssistant *ba_create_application_assistant_new        (GtkWindow                    *parent,
                                                                          BaStore                      *store,
                                                                          BaOrganization               *organization,
                                                                          BaCertificateStore           *certificates);
/* Finishes TRUE once the admin closed the summary (the run may have had
 * failures, each recorded on its application), or G_IO_ERROR_CANCELLED when
 * the wizard was cancelled before anything was created. */
void                          ba_create_application_assistant_run_async  (BaCreateApplicationAssistant *self,
                                                                          GCancellable                 *cancellable,
                                                                          GAsyncReadyCallback           callback,
                                                                          gpointer                      user_data);
gboolean                      ba_create_application_assistant_run_finish (BaCreateApplicationAssistant *self,
                                                                          GAsyncResult                 *result,
                                                                          GError                      **error);

/* For tests and benchmarks. */
GtkAssistant                 *_ba_create_application_assistant_get_assistant   (BaCreateApplicationAssistant *self);
GtkWidget                    *_ba_create_application_assistant_get_page        (BaCreateApplicationAssistant *self,
                                                                                const char                   *id);
BaSelectCertificateAssistant *_ba_create_application_assistant_get_certificate_assistant (BaCreateApplicationAssistant *self);
BaProvisioner                *_ba_create_application_assistant_get_provisioner (BaCreateApplicationAssistant *self);
/* Applied to the provisioner when the run starts. */
void                          _ba_create_application_assistant_set_concurrency (BaCreateApplicationAssistant *self,
                                                                                guint                         concurrency);

G_END_DECLS
