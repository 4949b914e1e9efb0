/* ba-certificate-generate-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-certificate.h"
#include "ba-certificate-generate-page.h"
#include "ba-widget-utils.h"

static const guint key_sizes[] = { 2048, 3072, 4096 };

struct _BaCertificateGeneratePage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkEntry *name_entry;
  GtkWidget *name_label;
  GtkLabel *name_error;
  GtkDropDown *bits_dropdown;
  GtkWidget *bits_label;
  GtkSpinButton *years_spin;
  GtkWidget *years_label;
  GtkLabel *general_error;
};

G_DEFINE_FINAL_TYPE (BaCertificateGeneratePage, ba_certificate_generate_page, BA_TYPE_WIZARD_PAGE)

static void
validate (BaCertificateGeneratePage *self,
          gboolean                   show_error)
{
  g_autoptr(GError) error = NULL;
  gboolean valid;

  valid = ba_certificate_validate_generate_args (ba_certificate_generate_page_get_name (self),
                                                 ba_certificate_generate_page_get_bits (self),
                                                 ba_certificate_generate_page_get_years (self),
                                                 &error);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), valid);

  /* An empty field is not yet a mistake; anything else typed wrong is said
   * at once, next to the field. */
  if (show_error || *ba_certificate_generate_page_get_name (self) != '\0')
    ba_field_set_error (GTK_WIDGET (self->name_entry), self->name_error, valid ? NULL : error->message);
}

static void
on_name_entry_changed_cb (BaCertificateGeneratePage *self,
                          GtkEditable               *editable)
{
  ba_field_set_error (GTK_WIDGET (self->general_error), self->general_error, NULL);
  validate (self, FALSE);
}

static void
ba_certificate_generate_page_prepare (BaWizardPage *page)
{
  BaCertificateGeneratePage *self = BA_CERTIFICATE_GENERATE_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
ba_certificate_generate_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CERTIFICATE_GENERATE_PAGE);

  G_OBJECT_CLASS (ba_certificate_generate_page_parent_class)->dispose (object);
}

static void
ba_certificate_generate_page_class_init (BaCertificateGeneratePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BaWizardPageClass *page_class = BA_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ba_certificate_generate_page_dispose;
  page_class->prepare = ba_certificate_generate_page_prepare;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-generate-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, name_error);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, bits_label);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, years_label);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, bits_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, years_spin);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateGeneratePage, general_error);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_changed_cb);
}

static void
ba_certificate_generate_page_init (BaCertificateGeneratePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

const char *
ba_certificate_generate_page_get_name (BaCertificateGeneratePage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_GENERATE_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

void
ba_certificate_generate_page_set_name (BaCertificateGeneratePage *self,
                                       const char                *name)
{
  g_return_if_fail (BA_IS_CERTIFICATE_GENERATE_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name != NULL ? name : "");
}

guint
ba_certificate_generate_page_get_bits (BaCertificateGeneratePage *self)
{
  guint selected;

  g_return_val_if_fail (BA_IS_CERTIFICATE_GENERATE_PAGE (self), 0);

  selected = gtk_drop_down_get_selected (self->bits_dropdown);
  return selected < G_N_ELEMENTS (key_sizes) ? key_sizes[selected] : key_sizes[0];
}

guint
ba_certificate_generate_page_get_years (BaCertificateGeneratePage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_GENERATE_PAGE (self), 0);

  return (guint)gtk_spin_button_get_value_as_int (self->years_spin);
}

/**
 * ba_certificate_generate_page_set_error:
 * @self: a #BaCertificateGeneratePage
 * @error: (nullable): why making the certificate failed
 *
 * Shows a failure where the admin can act on it: a bad argument under the
 * name, anything else (the keyring, the disk) under the whole form.
 */
void
ba_certificate_generate_page_set_error (BaCertificateGeneratePage *self,
                                        const GError              *error)
{
  g_return_if_fail (BA_IS_CERTIFICATE_GENERATE_PAGE (self));

  if (error != NULL && g_error_matches (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT))
    {
      ba_field_set_error (GTK_WIDGET (self->name_entry), self->name_error, error->message);
      ba_field_set_error (GTK_WIDGET (self->general_error), self->general_error, NULL);
    }
  else
    ba_field_set_error (GTK_WIDGET (self->general_error), self->general_error, error != NULL ? error->message : NULL);
}
