/* ba-organization-summary-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-organization-summary-page.h"

struct _BaOrganizationSummaryPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkLabel *title_label;
  GtkLabel *name_value;
  GtkLabel *tenant_value;
  GtkLabel *app_id_value;
  GtkLabel *thumbprint_value;
  GtkLabel *expiry_value;
  GtkLabel *permissions_value;
  GtkLabel *problems_label;
};

G_DEFINE_FINAL_TYPE (BaOrganizationSummaryPage, ba_organization_summary_page, BA_TYPE_WIZARD_PAGE)

static void
ba_organization_summary_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_SUMMARY_PAGE);

  G_OBJECT_CLASS (ba_organization_summary_page_parent_class)->dispose (object);
}

static void
ba_organization_summary_page_class_init (BaOrganizationSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_summary_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, name_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, tenant_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, app_id_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, thumbprint_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, expiry_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, permissions_value);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationSummaryPage, problems_label);
}

static void
ba_organization_summary_page_init (BaOrganizationSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The summary is the end: Close is always there. */
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), TRUE);
}

static void
set_value (GtkLabel   *label,
           const char *value)
{
  gtk_label_set_text (label, value != NULL ? value : "—");
}

void
ba_organization_summary_page_set_result (BaOrganizationSummaryPage *self,
                                         const char                *title,
                                         const char                *name,
                                         const char                *tenant_id,
                                         const char                *application_id,
                                         const char                *thumbprint,
                                         const char                *expiry,
                                         const char                *permissions,
                                         const char                *problems)
{
  g_return_if_fail (BA_IS_ORGANIZATION_SUMMARY_PAGE (self));

  gtk_label_set_text (self->title_label, title);
  set_value (self->name_value, name);
  set_value (self->tenant_value, tenant_id);
  set_value (self->app_id_value, application_id);
  set_value (self->thumbprint_value, thumbprint);
  set_value (self->expiry_value, expiry);
  set_value (self->permissions_value, permissions);
  gtk_label_set_text (self->problems_label, problems != NULL ? problems : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), problems != NULL);
}
