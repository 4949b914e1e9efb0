/* ba-certificate-import-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-certificate.h"
#include "ba-certificate-import-page.h"
#include "ba-widget-utils.h"

struct _BaCertificateImportPage
{
  BaWizardPage parent_instance;

  /* Owned */
  GFile *file;
  GtkNativeDialog *chooser;

  /* Template widgets */
  GtkLabel *file_name_label;
  GtkWidget *browse_button;
  GtkLabel *file_error;
  GtkPasswordEntry *password_entry;
  GtkWidget *password_label;
  GtkLabel *password_error;
};

G_DEFINE_FINAL_TYPE (BaCertificateImportPage, ba_certificate_import_page, BA_TYPE_WIZARD_PAGE)

static void
clear_errors (BaCertificateImportPage *self)
{
  ba_field_set_error (self->browse_button, self->file_error, NULL);
  ba_field_set_error (GTK_WIDGET (self->password_entry), self->password_error, NULL);
}

static void
on_chooser_response_cb (BaCertificateImportPage *self,
                        int                      response,
                        GtkNativeDialog         *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      ba_certificate_import_page_set_file (self, file);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
    }

  g_clear_object (&self->chooser);
}

/* GtkFileChooserNative is the GTK 4.8 way (through the portal in a
 * Flatpak); keeping it in this one function means moving to GtkFileDialog
 * later touches nothing else. */
static void
on_browse_button_clicked_cb (BaCertificateImportPage *self,
                             GtkButton               *button)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) pfx = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (pfx, _("PFX files (.pfx, .p12)"));
  gtk_file_filter_add_pattern (pfx, "*.pfx");
  gtk_file_filter_add_pattern (pfx, "*.PFX");
  gtk_file_filter_add_pattern (pfx, "*.p12");
  gtk_file_filter_add_pattern (pfx, "*.P12");
  gtk_file_filter_add_mime_type (pfx, "application/x-pkcs12");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Import Certificate"),
                                                                  GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                  GTK_FILE_CHOOSER_ACTION_OPEN,
                                                                  _("_Open"), _("_Cancel")));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), pfx);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (self->chooser, TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

static void
on_password_entry_changed_cb (BaCertificateImportPage *self,
                              GtkEditable             *editable)
{
  ba_field_set_error (GTK_WIDGET (self->password_entry), self->password_error, NULL);
}

static void
ba_certificate_import_page_prepare (BaWizardPage *page)
{
  BaCertificateImportPage *self = BA_CERTIFICATE_IMPORT_PAGE (page);

  gtk_widget_grab_focus (self->file != NULL ? GTK_WIDGET (self->password_entry) : self->browse_button);
}

static void
ba_certificate_import_page_dispose (GObject *object)
{
  BaCertificateImportPage *self = (BaCertificateImportPage *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_CERTIFICATE_IMPORT_PAGE);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (ba_certificate_import_page_parent_class)->dispose (object);
}

static void
ba_certificate_import_page_class_init (BaCertificateImportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BaWizardPageClass *page_class = BA_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ba_certificate_import_page_dispose;
  page_class->prepare = ba_certificate_import_page_prepare;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-import-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, file_name_label);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, browse_button);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, file_error);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, password_entry);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, password_error);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateImportPage, password_label);
  gtk_widget_class_bind_template_callback (widget_class, on_browse_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_password_entry_changed_cb);
}

static void
ba_certificate_import_page_init (BaCertificateImportPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ba_certificate_import_page_get_file:
 * @self: a #BaCertificateImportPage
 *
 * Returns: (transfer none) (nullable): the chosen PFX file
 */
GFile *
ba_certificate_import_page_get_file (BaCertificateImportPage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_IMPORT_PAGE (self), NULL);

  return self->file;
}

/* What the file chooser's answer does; tests call it in the chooser's place. */
void
ba_certificate_import_page_set_file (BaCertificateImportPage *self,
                                     GFile                   *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (BA_IS_CERTIFICATE_IMPORT_PAGE (self));
  g_return_if_fail (!file || G_IS_FILE (file));

  g_set_object (&self->file, file);
  clear_errors (self);

  if (file != NULL)
    name = g_file_get_parse_name (file);
  gtk_label_set_text (self->file_name_label, name != NULL ? name : _("No file chosen"));
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), file != NULL);
}

const char *
ba_certificate_import_page_get_password (BaCertificateImportPage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_IMPORT_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
}

/**
 * ba_certificate_import_page_set_error:
 * @self: a #BaCertificateImportPage
 * @error: (nullable): why the import failed
 *
 * Puts the failure next to what the admin must change: a wrong password
 * under the password, everything else about the file under the file.
 */
void
ba_certificate_import_page_set_error (BaCertificateImportPage *self,
                                      const GError            *error)
{
  g_return_if_fail (BA_IS_CERTIFICATE_IMPORT_PAGE (self));

  clear_errors (self);
  if (error == NULL)
    return;

  if (g_error_matches (error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD))
    {
      ba_field_set_error (GTK_WIDGET (self->password_entry), self->password_error, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
    }
  else
    {
      ba_field_set_error (self->browse_button, self->file_error, error->message);
      gtk_widget_grab_focus (self->browse_button);
    }
}
