/* ba-create-application-progress-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-create-application-progress-page.h"

struct _BaCreateApplicationProgressPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkProgressBar *progress_bar;
  GtkLabel *status_label;
  GtkListBox *application_list;
  GtkButton *cancel_button;

  /* Owned: BaBackupApplication → its row's step label (borrowed widget) */
  GHashTable *steps;
  guint n_rows;
};

G_DEFINE_FINAL_TYPE (BaCreateApplicationProgressPage, ba_create_application_progress_page, BA_TYPE_WIZARD_PAGE)

static void
ba_create_application_progress_page_dispose (GObject *object)
{
  BaCreateApplicationProgressPage *self = BA_CREATE_APPLICATION_PROGRESS_PAGE (object);

  g_clear_pointer (&self->steps, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CREATE_APPLICATION_PROGRESS_PAGE);

  G_OBJECT_CLASS (ba_create_application_progress_page_parent_class)->dispose (object);
}

static void
ba_create_application_progress_page_class_init (BaCreateApplicationProgressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_create_application_progress_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-create-application-progress-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationProgressPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationProgressPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationProgressPage, application_list);
  gtk_widget_class_bind_template_child (widget_class, BaCreateApplicationProgressPage, cancel_button);
}

static void
ba_create_application_progress_page_init (BaCreateApplicationProgressPage *self)
{
  self->steps = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
ba_create_application_progress_page_reset (BaCreateApplicationProgressPage *self,
                                           guint                            total)
{
  GtkWidget *child;

  g_return_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->application_list))) != NULL)
    gtk_list_box_remove (self->application_list, child);
  g_hash_table_remove_all (self->steps);
  self->n_rows = 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  ba_create_application_progress_page_set_done (self, 0, total);
}

void
ba_create_application_progress_page_set_done (BaCreateApplicationProgressPage *self,
                                              guint                            done,
                                              guint                            total)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self));

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
  /* Translators: applications finished of those in the run */
  text = g_strdup_printf (_("%u of %u"), done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);
}

void
ba_create_application_progress_page_set_step (BaCreateApplicationProgressPage *self,
                                              BaBackupApplication             *application,
                                              const char                      *step)
{
  GtkLabel *label;

  g_return_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self));
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (application));

  label = g_hash_table_lookup (self->steps, application);
  if (label == NULL)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *name;
      g_autofree char *title = NULL;

      self->n_rows++;
      /* Translators: a number, then the application's name */
      title = g_strdup_printf (_("%u. %s"), self->n_rows,
                               ba_backup_application_get_display_name (application) != NULL
                               ? ba_backup_application_get_display_name (application) : "");
      name = gtk_label_new (title);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_set_hexpand (name, TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (label, 1);
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      gtk_box_append (GTK_BOX (row), name);
      gtk_box_append (GTK_BOX (row), GTK_WIDGET (label));
      gtk_widget_set_margin_start (row, 6);
      gtk_widget_set_margin_end (row, 6);
      gtk_list_box_append (self->application_list, row);
      g_hash_table_insert (self->steps, g_object_ref (application), label);
    }

  gtk_label_set_text (label, step);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (label)))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, step,
                                  -1);
}

void
ba_create_application_progress_page_set_status (BaCreateApplicationProgressPage *self,
                                                const char                      *status)
{
  g_return_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self));

  gtk_label_set_text (self->status_label, status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, status,
                                  -1);
}

guint
ba_create_application_progress_page_get_n_rows (BaCreateApplicationProgressPage *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self), 0);

  return self->n_rows;
}

const char *
ba_create_application_progress_page_get_step (BaCreateApplicationProgressPage *self,
                                              BaBackupApplication             *application)
{
  GtkLabel *label;

  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_PROGRESS_PAGE (self), NULL);

  label = g_hash_table_lookup (self->steps, application);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}
