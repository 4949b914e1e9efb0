/* ba-certificate-summary-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-certificate-list-page.h"
#include "ba-certificate-summary-page.h"

struct _BaCertificateSummaryPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkLabel *subject_value;
  GtkLabel *thumbprint_value;
  GtkLabel *validity_value;
  GtkLabel *key_value;
  GtkLabel *validity_warning;
};

G_DEFINE_FINAL_TYPE (BaCertificateSummaryPage, ba_certificate_summary_page, BA_TYPE_WIZARD_PAGE)

static void
ba_certificate_summary_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CERTIFICATE_SUMMARY_PAGE);

  G_OBJECT_CLASS (ba_certificate_summary_page_parent_class)->dispose (object);
}

static void
ba_certificate_summary_page_class_init (BaCertificateSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_certificate_summary_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSummaryPage, subject_value);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSummaryPage, thumbprint_value);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSummaryPage, validity_value);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSummaryPage, key_value);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSummaryPage, validity_warning);
}

static void
ba_certificate_summary_page_init (BaCertificateSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), TRUE);
}

void
ba_certificate_summary_page_set_certificate (BaCertificateSummaryPage *self,
                                             BaCertificate            *certificate)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *location = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (BA_IS_CERTIFICATE_SUMMARY_PAGE (self));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));

  from = g_date_time_format (ba_certificate_get_not_before (certificate), "%x");
  until = g_date_time_format (ba_certificate_get_not_after (certificate), "%x");
  /* Translators: validity from the first date until the second */
  validity = g_strdup_printf (_("%s to %s"), from, until);
  location = ba_certificate_describe_key_location (certificate);
  /* Translators: key algorithm and size, then where the key is, e.g. "RSA 2048 bits · Key kept by Backup Access" */
  key = g_strdup_printf (_("%s %u bits · %s"),
                         ba_certificate_get_key_algorithm (certificate),
                         ba_certificate_get_key_bits (certificate),
                         location);

  gtk_label_set_text (self->subject_value, ba_certificate_get_subject (certificate));
  gtk_label_set_text (self->thumbprint_value, ba_certificate_get_sha1_thumbprint (certificate));
  gtk_label_set_text (self->validity_value, validity);
  gtk_label_set_text (self->key_value, key);

  /* Entra ID accepts such a certificate, but the application cannot sign in
   * with it until it is valid, so say so plainly before it is used. */
  if (g_date_time_compare (now, ba_certificate_get_not_after (certificate)) > 0)
    gtk_label_set_text (self->validity_warning,
                        _("This certificate has expired. A backup application cannot sign in with it: generate or import a current one."));
  else if (g_date_time_compare (now, ba_certificate_get_not_before (certificate)) < 0)
    gtk_label_set_text (self->validity_warning,
                        _("This certificate is not valid yet. A backup application cannot sign in with it until its validity starts."));
  gtk_widget_set_visible (GTK_WIDGET (self->validity_warning),
                          !ba_certificate_is_valid_at (certificate, now));
}
