/* ba-organization-progress-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-organization-progress-page.h"

struct _BaOrganizationProgressPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkSpinner *spinner;
  GtkLabel *status_label;
  GtkLabel *steps_label;
  GtkButton *cancel_button;

  /* Owned */
  GString *steps;
};

G_DEFINE_FINAL_TYPE (BaOrganizationProgressPage, ba_organization_progress_page, BA_TYPE_WIZARD_PAGE)

static void
ba_organization_progress_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_ORGANIZATION_PROGRESS_PAGE);

  G_OBJECT_CLASS (ba_organization_progress_page_parent_class)->dispose (object);
}

static void
ba_organization_progress_page_finalize (GObject *object)
{
  BaOrganizationProgressPage *self = (BaOrganizationProgressPage *)object;

  g_string_free (self->steps, TRUE);

  G_OBJECT_CLASS (ba_organization_progress_page_parent_class)->finalize (object);
}

static void
ba_organization_progress_page_class_init (BaOrganizationProgressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_progress_page_dispose;
  object_class->finalize = ba_organization_progress_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-progress-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationProgressPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationProgressPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationProgressPage, steps_label);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationProgressPage, cancel_button);
}

static void
ba_organization_progress_page_init (BaOrganizationProgressPage *self)
{
  self->steps = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
ba_organization_progress_page_reset (BaOrganizationProgressPage *self)
{
  g_return_if_fail (BA_IS_ORGANIZATION_PROGRESS_PAGE (self));

  g_string_truncate (self->steps, 0);
  gtk_label_set_text (self->steps_label, "");
  gtk_label_set_text (self->status_label, "");
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), FALSE);
}

void
ba_organization_progress_page_set_status (BaOrganizationProgressPage *self,
                                          const char                 *status)
{
  const char *previous;

  g_return_if_fail (BA_IS_ORGANIZATION_PROGRESS_PAGE (self));
  g_return_if_fail (status != NULL);

  previous = gtk_label_get_text (self->status_label);
  if (g_strcmp0 (previous, status) == 0)
    return;

  if (*previous != '\0')
    {
      if (self->steps->len > 0)
        g_string_append_c (self->steps, '\n');
      g_string_append (self->steps, previous);
      gtk_label_set_text (self->steps_label, self->steps->str);
    }
  gtk_label_set_text (self->status_label, status);
}

void
ba_organization_progress_page_stop (BaOrganizationProgressPage *self,
                                    const char                 *status)
{
  g_return_if_fail (BA_IS_ORGANIZATION_PROGRESS_PAGE (self));

  if (status != NULL)
    ba_organization_progress_page_set_status (self, status);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
}

const char *
ba_organization_progress_page_get_steps (BaOrganizationProgressPage *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_PROGRESS_PAGE (self), NULL);

  return self->steps->str;
}
