/* ba-create-application-progress-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-backup-application.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CREATE_APPLICATION_PROGRESS_PAGE (ba_create_application_progress_page_get_type ())

/* A bar for the whole run and a row per application with its step; a
 * Cancel of its own (the wizard.cancel action). */
G_DECLARE_FINAL_TYPE (BaCreateApplicationProgressPage, ba_create_application_progress_page, BA, CREATE_APPLICATION_PROGRESS_PAGE, BaWizardPage)

void        ba_create_application_progress_page_reset    (BaCreateApplicationProgressPage *self,
                                                          guint                            total);
void        ba_create_application_progress_page_set_done (BaCreateApplicationProgressPage *self,
                                                          guint                            done,
                                                          guint                            total);
void        ba_create_application_progress_page_set_step (BaCreateApplicationProgressPage *self,
                                                          BaBackupApplication             *application,
                                                          const char                      *step);
void        ba_create_application_progress_page_set_status (BaCreateApplicationProgressPage *self,
                                                          const char                      *status);
guint       ba_create_application_progress_page_get_n_rows (BaCreateApplicationProgressPage *self);
const char *ba_create_application_progress_page_get_step (BaCreateApplicationProgressPage *self,
                                                          BaBackupApplication             *application);

G_END_DECLS
