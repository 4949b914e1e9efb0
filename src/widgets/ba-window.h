/* ba-window.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-add-organization-assistant.h"
#include "ba-certificate-store.h"
#include "ba-organization.h"
#include "ba-store.h"

G_BEGIN_DECLS

#define BA_TYPE_WINDOW (ba_window_get_type ())

G_DECLARE_FINAL_TYPE (BaWindow, ba_window, BA, WINDOW, AdwApplicationWindow)

BaWindow       *ba_window_new                       (GtkApplication *application,
                                                     BaStore        *store);
BaStore        *ba_window_get_store                 (BaWindow       *self);
BaCertificateStore *ba_window_get_certificate_store (BaWindow       *self);
void            ba_window_set_certificate_store     (BaWindow       *self,
                                                     BaCertificateStore *certificates);
BaOrganization *ba_window_get_selected_organization (BaWindow       *self);
void            ba_window_select_organization       (BaWindow       *self,
                                                     BaOrganization *organization);
void            ba_window_add_toast                 (BaWindow       *self,
                                                     const char     *title);

/* For tests: the Add Organization wizard that is open, or NULL. */
BaAddOrganizationAssistant *_ba_window_get_add_organization_assistant (BaWindow *self);

G_END_DECLS
