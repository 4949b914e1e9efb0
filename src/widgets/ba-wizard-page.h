/* ba-wizard-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BA_TYPE_WIZARD_PAGE (ba_wizard_page_get_type ())

/* The child of one GtkAssistantPage: a template widget whose `complete`
 * property the wizard binds to the assistant page's own. */
G_DECLARE_DERIVABLE_TYPE (BaWizardPage, ba_wizard_page, BA, WIZARD_PAGE, GtkWidget)

struct _BaWizardPageClass
{
  GtkWidgetClass parent_class;

  /* Called each time the assistant is about to show the page. */
  void (*prepare) (BaWizardPage *self);
};

gboolean ba_wizard_page_get_complete (BaWizardPage *self);
void     ba_wizard_page_set_complete (BaWizardPage *self,
                                      gboolean      complete);
void     ba_wizard_page_prepare      (BaWizardPage *self);

G_END_DECLS
