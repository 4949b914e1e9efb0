/* ba-select-certificate-assistant.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ba-certificate-store.h"

G_BEGIN_DECLS

#define BA_TYPE_SELECT_CERTIFICATE_ASSISTANT (ba_select_certificate_assistant_get_type ())

/* The Select Certificate wizard that every other wizard's "Install…" opens:
 * generate a self-signed certificate, pick one from the store (ours or a
 * token's), or import a PFX file. GtkAssistant cannot be subclassed in
 * GTK 4, so this controller builds one from its .ui and drives it. */
G_DECLARE_FINAL_TYPE (BaSelectCertificateAssistant, ba_select_certificate_assistant, BA, SELECT_CERTIFICATE_ASSISTANT, GObject)

BaSelectCertificateAssistant *ba_select_certificate_assistant_new        (GtkWindow                    *parent,
                                                                          BaCertificateStore           *store);
/* Shows the wizard; finishes with the chosen certificate, whose key is
 * usable, or G_IO_ERROR_CANCELLED when the admin cancelled. */
void                          ba_select_certificate_assistant_run_async  (BaSelectCertificateAssistant *self,
                                                                          GCancellable                 *cancellable,
                                                                          GAsyncReadyCallback           callback,
                                                                          gpointer                      user_data);
BaCertificate                *ba_select_certificate_assistant_run_finish (BaSelectCertificateAssistant *self,
                                                                          GAsyncResult                 *result,
                                                                          GError                      **error);

/* For tests, which step the wizard as a person would. */
GtkAssistant                 *_ba_select_certificate_assistant_get_assistant (BaSelectCertificateAssistant *self);
GtkWidget                    *_ba_select_certificate_assistant_get_page      (BaSelectCertificateAssistant *self,
                                                                              const char                   *id);

G_END_DECLS
