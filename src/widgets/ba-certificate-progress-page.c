/* ba-certificate-progress-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-certificate-progress-page.h"

struct _BaCertificateProgressPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkSpinner *spinner;
  GtkLabel *status_label;
};

G_DEFINE_FINAL_TYPE (BaCertificateProgressPage, ba_certificate_progress_page, BA_TYPE_WIZARD_PAGE)

static void
ba_certificate_progress_page_map (GtkWidget *widget)
{
  BaCertificateProgressPage *self = BA_CERTIFICATE_PROGRESS_PAGE (widget);

  GTK_WIDGET_CLASS (ba_certificate_progress_page_parent_class)->map (widget);
  gtk_spinner_start (self->spinner);
}

static void
ba_certificate_progress_page_unmap (GtkWidget *widget)
{
  BaCertificateProgressPage *self = BA_CERTIFICATE_PROGRESS_PAGE (widget);

  gtk_spinner_stop (self->spinner);
  GTK_WIDGET_CLASS (ba_certificate_progress_page_parent_class)->unmap (widget);
}

static void
ba_certificate_progress_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CERTIFICATE_PROGRESS_PAGE);

  G_OBJECT_CLASS (ba_certificate_progress_page_parent_class)->dispose (object);
}

static void
ba_certificate_progress_page_class_init (BaCertificateProgressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_certificate_progress_page_dispose;
  widget_class->map = ba_certificate_progress_page_map;
  widget_class->unmap = ba_certificate_progress_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-progress-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateProgressPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateProgressPage, status_label);
}

static void
ba_certificate_progress_page_init (BaCertificateProgressPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
ba_certificate_progress_page_set_status (BaCertificateProgressPage *self,
                                         const char                *status)
{
  g_return_if_fail (BA_IS_CERTIFICATE_PROGRESS_PAGE (self));

  gtk_label_set_text (self->status_label, status);
  /* A screen reader announces the live region's new text. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, status,
                                  -1);
}

const char *
ba_certificate_progress_page_get_status (BaCertificateProgressPage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_PROGRESS_PAGE (self), NULL);

  return gtk_label_get_text (self->status_label);
}
