/* ba-create-application-name-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-create-application-name-page.h"
#include "ba-widget-utils.h"

/* Microsoft Entra ID refuses longer display names. */
#define MAX_NAME_LENGTH 120

struct _BaCreateApplicationNamePage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkEntry *name_entry;
  GtkLabel *name_error;
  GtkLabel *certificate_label;
  GtkButton *install_button;

  /* Owned */
  BaCertificate *certificate;
};

G_DEFINE_FINAL_TYPE (BaCreateApplicationNamePage, ba_create_application_name_page, BA_TYPE_WIZARD_PAGE)

static void
update_complete (BaCreateApplicationNamePage *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  const char *message = NULL;

  if (g_utf8_strlen (name, -1) > MAX_NAME_LENGTH)
    message = _("The name is too long: use at most 120 characters.");

  ba_field_set_error (GTK_WIDGET (self->name_entry), self->name_error, message);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self),
                               message == NULL && *stripped != '\0' && self->certificate != NULL);
}

static void
on_name_entry_changed_cb (BaCreateApplicationNamePage *self,
                          GtkEditable                 *editable)
{
  update_complete (self);
}

static void
ba_create_application_name_page_dispose (GObject *object)
{
  BaCreateApplicationNamePage *self = BA_CREATE_APPLICATION_NAME_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CREATE_APPLICATION_NAME_PAGE);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (ba_create_application_name_page_parent_class)->dispose (object);
}

static void
ba_create_application_name_page_class_init (BaCreateApplicationNamePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_create_application_name_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-create-application-name-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationNamePage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationNamePage, name_error);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationNamePage, certificate_label);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationNamePage, install_button);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_changed_cb);
}

static void
ba_create_application_name_page_init (BaCreateApplicationNamePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

const char *
ba_create_application_name_page_get_name (BaCreateApplicationNamePage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_NAME_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

BaCertificate *
ba_create_application_name_page_get_certificate (BaCreateApplicationNamePage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_NAME_PAGE (self), NULL);

  return self->certificate;
}

void
ba_create_application_name_page_set_certificate (BaCreateApplicationNamePage *self,
                                                 BaCertificate               *certificate)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_CREATE_APPLICATION_NAME_PAGE (self));
  g_return_if_fail (!certificate || BA_IS_CERTIFICATE (certificate));

  if (!g_set_object (&self->certificate, certificate))
    return;

  if (certificate != NULL)
    {
      g_autofree char *date = g_date_time_format (ba_certificate_get_not_after (certificate), "%x");

      /* Translators: the certificate's name, its thumbprint, then its expiry date */
      text = g_strdup_printf (_("%s (%s), valid until %s"),
                              ba_certificate_get_common_name (certificate),
                              ba_certificate_get_sha1_thumbprint (certificate),
                              date);
      gtk_button_set_label (self->install_button, _("_Change…"));
    }
  else
    {
      text = g_strdup (_("No certificate chosen yet"));
      gtk_button_set_label (self->install_button, _("_Install…"));
    }

  gtk_label_set_text (self->certificate_label, text);
  update_complete (self);
}
