/* ba-organization-services-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-organization-rules.h"
#include "ba-organization-services-page.h"

struct _BaOrganizationServicesPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkCheckButton *exchange_check;
  GtkCheckButton *sharepoint_check;
  GtkCheckButton *teams_check;
  GtkCheckButton *teams_chats_check;
  GtkLabel *teams_reason;
  GtkLabel *teams_chats_reason;
  GtkLabel *error_label;

  /* Guards against re-entry while the checks are adjusted. */
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (BaOrganizationServicesPage, ba_organization_services_page, BA_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_SERVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_reason (GtkLabel   *label,
             const char *reason)
{
  gtk_label_set_text (label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (label), reason != NULL);
}

static void
update (BaOrganizationServicesPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *reason;
  BaServices services;

  self->updating = TRUE;

  /* A dependent service goes off, and cannot be chosen, with what it needs. */
  services = ba_organization_services_page_get_services (self);
  reason = ba_organization_service_dependency_reason (BA_SERVICE_TEAMS, services);
  if (reason != NULL)
    gtk_check_button_set_active (self->teams_check, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->teams_check), reason == NULL);
  show_reason (self->teams_reason, reason);

  services = ba_organization_services_page_get_services (self);
  reason = ba_organization_service_dependency_reason (BA_SERVICE_TEAMS_CHATS, services);
  if (reason != NULL)
    gtk_check_button_set_active (self->teams_chats_check, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->teams_chats_check), reason == NULL);
  show_reason (self->teams_chats_reason, reason);

  self->updating = FALSE;

  services = ba_organization_services_page_get_services (self);
  ba_organization_check_services (services, &error);
  show_reason (self->error_label, error != NULL ? error->message : NULL);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), error == NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICES]);
}

static void
on_check_toggled_cb (BaOrganizationServicesPage *self,
                     GtkCheckButton             *button)
{
  if (!self->updating)
    update (self);
}

static void
ba_organization_services_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_SERVICES_PAGE);

  G_OBJECT_CLASS (ba_organization_services_page_parent_class)->dispose (object);
}

static void
ba_organization_services_page_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  BaOrganizationServicesPage *self = BA_ORGANIZATION_SERVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVICES:
      g_value_set_uint (value, ba_organization_services_page_get_services (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_services_page_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  BaOrganizationServicesPage *self = BA_ORGANIZATION_SERVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVICES:
      ba_organization_services_page_set_services (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_services_page_class_init (BaOrganizationServicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_services_page_dispose;
  object_class->get_property = ba_organization_services_page_get_property;
  object_class->set_property = ba_organization_services_page_set_property;

  properties[PROP_SERVICES] =
    g_param_spec_uint ("services", NULL, NULL,
                       0, G_MAXUINT, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-services-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, exchange_check);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, sharepoint_check);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, teams_check);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, teams_chats_check);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, teams_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, teams_chats_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationServicesPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_check_toggled_cb);
}

static void
ba_organization_services_page_init (BaOrganizationServicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

BaServices
ba_organization_services_page_get_services (BaOrganizationServicesPage *self)
{
  BaServices services = BA_SERVICE_NONE;

  g_return_val_if_fail (BA_IS_ORGANIZATION_SERVICES_PAGE (self), BA_SERVICE_NONE);

  if (gtk_check_button_get_active (self->exchange_check))
    services |= BA_SERVICE_EXCHANGE;
  if (gtk_check_button_get_active (self->sharepoint_check))
    services |= BA_SERVICE_SHAREPOINT;
  if (gtk_check_button_get_active (self->teams_check))
    services |= BA_SERVICE_TEAMS;
  if (gtk_check_button_get_active (self->teams_chats_check))
    services |= BA_SERVICE_TEAMS_CHATS;

  return services;
}

void
ba_organization_services_page_set_services (BaOrganizationServicesPage *self,
                                            BaServices                  services)
{
  g_return_if_fail (BA_IS_ORGANIZATION_SERVICES_PAGE (self));

  if (ba_organization_services_page_get_services (self) == services)
    return;

  self->updating = TRUE;
  gtk_check_button_set_active (self->exchange_check, (services & BA_SERVICE_EXCHANGE) != 0);
  gtk_check_button_set_active (self->sharepoint_check, (services & BA_SERVICE_SHAREPOINT) != 0);
  gtk_check_button_set_active (self->teams_check, (services & BA_SERVICE_TEAMS) != 0);
  gtk_check_button_set_active (self->teams_chats_check, (services & BA_SERVICE_TEAMS_CHATS) != 0);
  self->updating = FALSE;
  update (self);
}
