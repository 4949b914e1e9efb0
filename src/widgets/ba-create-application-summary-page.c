/* ba-create-application-summary-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-create-application-summary-page.h"

struct _BaCreateApplicationSummaryPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkLabel *title_label;
  GtkLabel *details_label;
};

G_DEFINE_FINAL_TYPE (BaCreateApplicationSummaryPage, ba_create_application_summary_page, BA_TYPE_WIZARD_PAGE)

static void
ba_create_application_summary_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CREATE_APPLICATION_SUMMARY_PAGE);

  G_OBJECT_CLASS (ba_create_application_summary_page_parent_class)->dispose (object);
}

static void
ba_create_application_summary_page_class_init (BaCreateApplicationSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_create_application_summary_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-create-application-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationSummaryPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationSummaryPage, details_label);
}

static void
ba_create_application_summary_page_init (BaCreateApplicationSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), TRUE);
}

void
ba_create_application_summary_page_set_summary (BaCreateApplicationSummaryPage *self,
                                                const char                     *title,
                                                const char                     *details)
{
  g_return_if_fail (BA_IS_CREATE_APPLICATION_SUMMARY_PAGE (self));

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->details_label, details != NULL ? details : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), details != NULL && *details != '\0');
}

const char *
ba_create_application_summary_page_get_title (BaCreateApplicationSummaryPage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_SUMMARY_PAGE (self), NULL);

  return gtk_label_get_text (self->title_label);
}
