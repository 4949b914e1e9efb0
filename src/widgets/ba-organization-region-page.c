/* ba-organization-region-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-organization-region-page.h"
#include "ba-organization-rules.h"

#define N_CLOUDS 4
#define N_AUTH_TYPES 3

struct _BaOrganizationRegionPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkCheckButton *global_button;
  GtkCheckButton *l4_button;
  GtkCheckButton *l5_button;
  GtkCheckButton *china_button;
  GtkLabel *global_reason;
  GtkLabel *l4_reason;
  GtkLabel *l5_reason;
  GtkLabel *china_reason;
  GtkCheckButton *app_only_button;
  GtkCheckButton *legacy_button;
  GtkCheckButton *basic_button;
  GtkLabel *app_only_description;
  GtkLabel *legacy_description;
  GtkLabel *basic_description;
  GtkLabel *basic_reason;
  GtkLabel *error_label;

  BaServices services;
};

G_DEFINE_FINAL_TYPE (BaOrganizationRegionPage, ba_organization_region_page, BA_TYPE_WIZARD_PAGE)

static void
cloud_widgets (BaOrganizationRegionPage  *self,
               GtkCheckButton           **buttons,
               GtkLabel                 **reasons)
{
  buttons[BA_CLOUD_KIND_GLOBAL] = self->global_button;
  buttons[BA_CLOUD_KIND_US_GOV_L4] = self->l4_button;
  buttons[BA_CLOUD_KIND_US_GOV_L5] = self->l5_button;
  buttons[BA_CLOUD_KIND_CHINA] = self->china_button;
  reasons[BA_CLOUD_KIND_GLOBAL] = self->global_reason;
  reasons[BA_CLOUD_KIND_US_GOV_L4] = self->l4_reason;
  reasons[BA_CLOUD_KIND_US_GOV_L5] = self->l5_reason;
  reasons[BA_CLOUD_KIND_CHINA] = self->china_reason;
}

static void
show_reason (GtkLabel   *label,
             const char *reason)
{
  gtk_label_set_text (label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (label), reason != NULL);
}

/* The first reason that refuses the services in the cloud, or NULL. */
static const char *
services_reason (BaServices  services,
                 BaCloudKind cloud)
{
  const char *reason = NULL;

  if ((services & BA_SERVICE_TEAMS) != 0)
    reason = ba_organization_service_cloud_reason (BA_SERVICE_TEAMS, cloud);
  if (reason == NULL && (services & BA_SERVICE_TEAMS_CHATS) != 0)
    reason = ba_organization_service_cloud_reason (BA_SERVICE_TEAMS_CHATS, cloud);

  return reason;
}

static void
update (BaOrganizationRegionPage *self)
{
  GtkCheckButton *buttons[N_CLOUDS];
  GtkLabel *reasons[N_CLOUDS];
  g_autoptr(GError) error = NULL;
  const char *basic;

  cloud_widgets (self, buttons, reasons);
  for (guint i = 0; i < N_CLOUDS; i++)
    {
      const char *reason = services_reason (self->services, i);

      gtk_widget_set_sensitive (GTK_WIDGET (buttons[i]), reason == NULL);
      show_reason (reasons[i], reason);
      if (reason != NULL && gtk_check_button_get_active (buttons[i]))
        gtk_check_button_set_active (self->global_button, TRUE);
    }

  basic = ba_organization_auth_cloud_reason (BA_AUTH_TYPE_BASIC, ba_organization_region_page_get_cloud (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->basic_button), basic == NULL);
  show_reason (self->basic_reason, basic);
  if (basic != NULL && gtk_check_button_get_active (self->basic_button))
    gtk_check_button_set_active (self->app_only_button, TRUE);

  ba_organization_check_cloud (self->services,
                               ba_organization_region_page_get_cloud (self),
                               ba_organization_region_page_get_auth_type (self),
                               &error);
  show_reason (self->error_label, error != NULL ? error->message : NULL);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), error == NULL);
}

static void
on_choice_toggled_cb (BaOrganizationRegionPage *self,
                      GtkCheckButton           *button)
{
  if (gtk_check_button_get_active (button))
    update (self);
}

static void
ba_organization_region_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_REGION_PAGE);

  G_OBJECT_CLASS (ba_organization_region_page_parent_class)->dispose (object);
}

static void
ba_organization_region_page_class_init (BaOrganizationRegionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_region_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-region-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, global_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, l4_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, l5_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, china_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, global_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, l4_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, l5_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, china_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, app_only_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, legacy_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, basic_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, app_only_description);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, legacy_description);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, basic_description);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, basic_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRegionPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_toggled_cb);
}

static void
ba_organization_region_page_init (BaOrganizationRegionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The explanations come from the rules the command line shares. */
  gtk_label_set_text (self->app_only_description, ba_organization_auth_description (BA_AUTH_TYPE_MODERN_APP_ONLY));
  gtk_label_set_text (self->legacy_description, ba_organization_auth_description (BA_AUTH_TYPE_MODERN_LEGACY));
  gtk_label_set_text (self->basic_description, ba_organization_auth_description (BA_AUTH_TYPE_BASIC));

  self->services = BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT;
  update (self);
}

void
ba_organization_region_page_set_services (BaOrganizationRegionPage *self,
                                          BaServices                services)
{
  g_return_if_fail (BA_IS_ORGANIZATION_REGION_PAGE (self));

  self->services = services;
  update (self);
}

BaCloudKind
ba_organization_region_page_get_cloud (BaOrganizationRegionPage *self)
{
  GtkCheckButton *buttons[N_CLOUDS];
  GtkLabel *reasons[N_CLOUDS];

  g_return_val_if_fail (BA_IS_ORGANIZATION_REGION_PAGE (self), BA_CLOUD_KIND_GLOBAL);

  cloud_widgets (self, buttons, reasons);
  for (guint i = 0; i < N_CLOUDS; i++)
    {
      if (gtk_check_button_get_active (buttons[i]))
        return i;
    }

  return BA_CLOUD_KIND_GLOBAL;
}

void
ba_organization_region_page_set_cloud (BaOrganizationRegionPage *self,
                                       BaCloudKind               cloud)
{
  GtkCheckButton *buttons[N_CLOUDS];
  GtkLabel *reasons[N_CLOUDS];

  g_return_if_fail (BA_IS_ORGANIZATION_REGION_PAGE (self));
  g_return_if_fail (cloud < N_CLOUDS);

  cloud_widgets (self, buttons, reasons);
  gtk_check_button_set_active (buttons[cloud], TRUE);
}

BaAuthType
ba_organization_region_page_get_auth_type (BaOrganizationRegionPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_REGION_PAGE (self), BA_AUTH_TYPE_MODERN_APP_ONLY);

  if (gtk_check_button_get_active (self->legacy_button))
    return BA_AUTH_TYPE_MODERN_LEGACY;
  if (gtk_check_button_get_active (self->basic_button))
    return BA_AUTH_TYPE_BASIC;

  return BA_AUTH_TYPE_MODERN_APP_ONLY;
}

void
ba_organization_region_page_set_auth_type (BaOrganizationRegionPage *self,
                                           BaAuthType                auth_type)
{
  GtkCheckButton *buttons[N_AUTH_TYPES];

  g_return_if_fail (BA_IS_ORGANIZATION_REGION_PAGE (self));
  g_return_if_fail (auth_type < N_AUTH_TYPES);

  buttons[BA_AUTH_TYPE_MODERN_APP_ONLY] = self->app_only_button;
  buttons[BA_AUTH_TYPE_MODERN_LEGACY] = self->legacy_button;
  buttons[BA_AUTH_TYPE_BASIC] = self->basic_button;
  gtk_check_button_set_active (buttons[auth_type], TRUE);
}
