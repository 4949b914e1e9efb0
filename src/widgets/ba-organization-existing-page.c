/* ba-organization-existing-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-organization-existing-page.h"
#include "ba-organization-page-utils.h"
#include "ba-organization-rules.h"
#include "ba-widget-utils.h"

struct _BaOrganizationExistingPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkLabel *username_title;
  GtkEntry *username_entry;
  GtkLabel *username_error;
  GtkLabel *public_folder_note;
  GtkEntry *app_id_entry;
  GtkLabel *app_id_error;
  GtkLabel *certificate_label;
  GtkButton *install_button;
  GtkCheckButton *grant_check;
  GtkLabel *grant_note;
  GtkLabel *error_label;

  /* Owned */
  BaCertificate *certificate;

  BaServices services;
};

G_DEFINE_FINAL_TYPE (BaOrganizationExistingPage, ba_organization_existing_page, BA_TYPE_WIZARD_PAGE)

static void
update (BaOrganizationExistingPage *self)
{
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_entry));
  const char *app_id = gtk_editable_get_text (GTK_EDITABLE (self->app_id_entry));
  g_autoptr(GError) username_error = NULL;
  g_autoptr(GError) app_id_error = NULL;

  ba_organization_check_username (username, self->services, &username_error);
  ba_organization_check_application_id (app_id, &app_id_error);

  /* Nothing typed yet is not a mistake yet. */
  ba_field_set_error (GTK_WIDGET (self->username_entry), self->username_error,
                      username_error != NULL && *username != '\0' ? username_error->message : NULL);
  ba_field_set_error (GTK_WIDGET (self->app_id_entry), self->app_id_error,
                      app_id_error != NULL && *app_id != '\0' ? app_id_error->message : NULL);

  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self),
                               username_error == NULL && app_id_error == NULL && self->certificate != NULL);
}

static void
on_entry_changed_cb (BaOrganizationExistingPage *self,
                     GtkEditable                *editable)
{
  ba_organization_existing_page_set_error (self, NULL);
  update (self);
}

static void
ba_organization_existing_page_dispose (GObject *object)
{
  BaOrganizationExistingPage *self = (BaOrganizationExistingPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_EXISTING_PAGE);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (ba_organization_existing_page_parent_class)->dispose (object);
}

static void
ba_organization_existing_page_class_init (BaOrganizationExistingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_existing_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-existing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, username_title);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, username_entry);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, username_error);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, public_folder_note);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, app_id_entry);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, app_id_error);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, certificate_label);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, install_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, grant_check);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, grant_note);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationExistingPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed_cb);
}

static void
ba_organization_existing_page_init (BaOrganizationExistingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ba_organization_existing_page_set_services (self, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT);
  ba_organization_existing_page_set_certificate (self, NULL);
  ba_organization_existing_page_set_error (self, NULL);
}

void
ba_organization_existing_page_set_services (BaOrganizationExistingPage *self,
                                            BaServices                  services)
{
  gboolean domain;

  g_return_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self));

  self->services = services;
  domain = ba_organization_uses_organization_name (services);
  gtk_label_set_text_with_mnemonic (self->username_title, domain ? _("_Organization name") : _("_Username"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->username_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, domain ? _("Organization name") : _("Username"),
                                  -1);
  gtk_entry_set_placeholder_text (self->username_entry, domain ? "contoso.com" : "backup@contoso.com");
  gtk_widget_set_visible (GTK_WIDGET (self->public_folder_note), (services & BA_SERVICE_EXCHANGE) != 0);
  update (self);
}

const char *
ba_organization_existing_page_get_username (BaOrganizationExistingPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->username_entry));
}

const char *
ba_organization_existing_page_get_application_id (BaOrganizationExistingPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->app_id_entry));
}

void
ba_organization_existing_page_set_certificate (BaOrganizationExistingPage *self,
                                               BaCertificate              *certificate)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self));

  g_set_object (&self->certificate, certificate);
  text = ba_organization_describe_certificate (certificate);
  gtk_label_set_text (self->certificate_label, text);
  ba_organization_existing_page_set_error (self, NULL);
  update (self);
}

BaCertificate *
ba_organization_existing_page_get_certificate (BaOrganizationExistingPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self), NULL);

  return self->certificate;
}

gboolean
ba_organization_existing_page_get_grant (BaOrganizationExistingPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self), FALSE);

  return gtk_check_button_get_active (self->grant_check);
}

void
ba_organization_existing_page_set_error (BaOrganizationExistingPage *self,
                                         const char                 *message)
{
  g_return_if_fail (BA_IS_ORGANIZATION_EXISTING_PAGE (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}
