/* ba-organization-register-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-organization-page-utils.h"
#include "ba-organization-register-page.h"
#include "ba-organization-rules.h"
#include "ba-widget-utils.h"

struct _BaOrganizationRegisterPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkEntry *name_entry;
  GtkLabel *name_error;
  GtkLabel *certificate_label;
  GtkButton *install_button;
  GtkLabel *permissions_label;

  /* Owned */
  BaCertificate *certificate;
};

G_DEFINE_FINAL_TYPE (BaOrganizationRegisterPage, ba_organization_register_page, BA_TYPE_WIZARD_PAGE)

static void
update (BaOrganizationRegisterPage *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autoptr(GError) error = NULL;

  ba_organization_check_application_name (name, &error);
  /* Nothing typed yet is not a mistake yet. */
  ba_field_set_error (GTK_WIDGET (self->name_entry), self->name_error,
                      error != NULL && *name != '\0' ? error->message : NULL);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), error == NULL && self->certificate != NULL);
}

static void
on_name_entry_changed_cb (BaOrganizationRegisterPage *self,
                          GtkEditable                *editable)
{
  update (self);
}

static void
ba_organization_register_page_dispose (GObject *object)
{
  BaOrganizationRegisterPage *self = (BaOrganizationRegisterPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_REGISTER_PAGE);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (ba_organization_register_page_parent_class)->dispose (object);
}

static void
ba_organization_register_page_class_init (BaOrganizationRegisterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_register_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-register-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegisterPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegisterPage, name_error);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegisterPage, certificate_label);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegisterPage, install_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegisterPage, permissions_label);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_changed_cb);
}

static void
ba_organization_register_page_init (BaOrganizationRegisterPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ba_organization_register_page_set_certificate (self, NULL);
}

const char *
ba_organization_register_page_get_name (BaOrganizationRegisterPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_REGISTER_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

void
ba_organization_register_page_set_certificate (BaOrganizationRegisterPage *self,
                                               BaCertificate              *certificate)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_ORGANIZATION_REGISTER_PAGE (self));

  g_set_object (&self->certificate, certificate);
  text = ba_organization_describe_certificate (certificate);
  gtk_label_set_text (self->certificate_label, text);
  update (self);
}

BaCertificate *
ba_organization_register_page_get_certificate (BaOrganizationRegisterPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_REGISTER_PAGE (self), NULL);

  return self->certificate;
}

void
ba_organization_register_page_set_permissions (BaOrganizationRegisterPage *self,
                                               const BaPermission         *permissions,
                                               guint                       n_permissions)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_ORGANIZATION_REGISTER_PAGE (self));

  text = ba_organization_describe_permissions (permissions, n_permissions);
  gtk_label_set_text (self->permissions_label, text);
}
