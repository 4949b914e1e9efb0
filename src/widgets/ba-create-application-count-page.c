/* ba-create-application-count-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-create-application-count-page.h"

struct _BaCreateApplicationCountPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkCheckButton *many_check;
  GtkSpinButton *count_spin;
  GtkCheckButton *accept_check;
  GtkLabel *accept_hint;
};

G_DEFINE_FINAL_TYPE (BaCreateApplicationCountPage, ba_create_application_count_page, BA_TYPE_WIZARD_PAGE)

static void
update_complete (BaCreateApplicationCountPage *self)
{
  guint count = ba_create_application_count_page_get_count (self);
  gboolean accepted = gtk_check_button_get_active (self->accept_check);

  gtk_widget_set_visible (GTK_WIDGET (self->accept_hint), count > 1 && !accepted);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), count == 1 || accepted);
}

static void
on_input_changed_cb (BaCreateApplicationCountPage *self)
{
  update_complete (self);
}

static void
ba_create_application_count_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CREATE_APPLICATION_COUNT_PAGE);

  G_OBJECT_CLASS (ba_create_application_count_page_parent_class)->dispose (object);
}

static void
ba_create_application_count_page_class_init (BaCreateApplicationCountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_create_application_count_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-create-application-count-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationCountPage, many_check);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationCountPage, count_spin);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationCountPage, accept_check);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationCountPage, accept_hint);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed_cb);
}

static void
ba_create_application_count_page_init (BaCreateApplicationCountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_complete (self);
}

guint
ba_create_application_count_page_get_count (BaCreateApplicationCountPage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_COUNT_PAGE (self), 1);

  if (!gtk_check_button_get_active (self->many_check))
    return 1;

  return (guint) gtk_spin_button_get_value_as_int (self->count_spin);
}

gboolean
ba_create_application_count_page_get_accept_policy (BaCreateApplicationCountPage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_COUNT_PAGE (self), FALSE);

  return gtk_check_button_get_active (self->many_check) &&
         gtk_check_button_get_active (self->accept_check);
}
