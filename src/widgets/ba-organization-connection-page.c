/* ba-organization-connection-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-organization-connection-page.h"
#include "ba-organization-rules.h"

struct _BaOrganizationConnectionPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkCheckButton *register_button;
  GtkCheckButton *existing_button;
  GtkLabel *register_reason;
};

G_DEFINE_FINAL_TYPE (BaOrganizationConnectionPage, ba_organization_connection_page, BA_TYPE_WIZARD_PAGE)

static void
ba_organization_connection_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_CONNECTION_PAGE);

  G_OBJECT_CLASS (ba_organization_connection_page_parent_class)->dispose (object);
}

static void
ba_organization_connection_page_class_init (BaOrganizationConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_connection_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-connection-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationConnectionPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationConnectionPage, existing_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationConnectionPage, register_reason);
}

static void
ba_organization_connection_page_init (BaOrganizationConnectionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* One of the two is always chosen. */
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), TRUE);
  ba_organization_connection_page_set_services (self, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT);
}

void
ba_organization_connection_page_set_services (BaOrganizationConnectionPage *self,
                                              BaServices                    services)
{
  const char *reason;

  g_return_if_fail (BA_IS_ORGANIZATION_CONNECTION_PAGE (self));

  reason = ba_organization_register_reason (services);
  if (reason != NULL)
    gtk_check_button_set_active (self->existing_button, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->register_button), reason == NULL);
  gtk_label_set_text (self->register_reason, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->register_reason), reason != NULL);
}

gboolean
ba_organization_connection_page_get_register (BaOrganizationConnectionPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_CONNECTION_PAGE (self), FALSE);

  return gtk_check_button_get_active (self->register_button);
}

void
ba_organization_connection_page_set_register (BaOrganizationConnectionPage *self,
                                              gboolean                      register_new)
{
  g_return_if_fail (BA_IS_ORGANIZATION_CONNECTION_PAGE (self));

  if (register_new && !gtk_widget_get_sensitive (GTK_WIDGET (self->register_button)))
    return;

  gtk_check_button_set_active (register_new ? self->register_button : self->existing_button, TRUE);
}
