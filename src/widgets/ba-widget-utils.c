/* ba-widget-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-widget-utils.h"

void
ba_field_set_error (GtkWidget  *field,
                    GtkLabel   *label,
                    const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (field));
  g_return_if_fail (GTK_IS_LABEL (label));

  if (message != NULL)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_label_set_text (label, message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (field),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_label_set_text (label, "");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
    }

  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

void
ba_wizard_init (BaWizard        *wizard,
                GObject         *controller,
                const char      *name,
                const char      *resource_path,
                GtkBuilderScope *scope)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (wizard != NULL);
  g_return_if_fail (G_IS_OBJECT (controller));
  g_return_if_fail (GTK_IS_BUILDER_SCOPE (scope));

  wizard->controller = controller;
  wizard->name = name;
  wizard->builder = gtk_builder_new ();
  gtk_builder_set_scope (wizard->builder, scope);
  gtk_builder_set_translation_domain (wizard->builder, GETTEXT_PACKAGE);
  gtk_builder_expose_object (wizard->builder, "controller", controller);
  if (!gtk_builder_add_from_resource (wizard->builder, resource_path, &error))
    g_error ("The %s wizard's interface is broken: %s", name, error->message);

  wizard->assistant = GTK_ASSISTANT (gtk_builder_get_object (wizard->builder, "assistant"));
  /* The window stays the controller's until the controller goes. */
  gtk_window_set_hide_on_close (GTK_WINDOW (wizard->assistant), TRUE);
}

void
ba_wizard_bind_children (BaWizard            *wizard,
                         const BaWizardChild *children,
                         guint                n_children)
{
  g_return_if_fail (wizard != NULL);
  g_return_if_fail (GTK_IS_BUILDER (wizard->builder));

  for (guint i = 0; i < n_children; i++)
    {
      GObject *child = gtk_builder_get_object (wizard->builder, children[i].id);

      g_assert (child != NULL);
      *children[i].field = child;
      if (children[i].page)
        g_object_bind_property (child, "complete",
                                gtk_assistant_get_page (wizard->assistant, GTK_WIDGET (child)), "complete",
                                G_BINDING_SYNC_CREATE);
    }
}

void
ba_wizard_add_actions (BaWizard           *wizard,
                       const GActionEntry *entries,
                       guint               n_entries,
                       gpointer            user_data)
{
  g_autoptr(GSimpleActionGroup) actions = NULL;

  g_return_if_fail (wizard != NULL);
  g_return_if_fail (GTK_IS_ASSISTANT (wizard->assistant));

  actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (actions), entries, n_entries, user_data);
  gtk_widget_insert_action_group (GTK_WIDGET (wizard->assistant), "wizard", G_ACTION_GROUP (actions));
}

static void
on_caller_cancelled_cb (GCancellable *cancellable,
                        BaWizard     *wizard)
{
  /* May run in another thread: cancel from the main loop. */
  g_idle_add_full (G_PRIORITY_DEFAULT, wizard->cancel_func,
                   g_object_ref (wizard->controller), g_object_unref);
}

void
ba_wizard_run (BaWizard    *wizard,
               GTask       *task,
               GSourceFunc  cancel_func)
{
  g_autoptr(GTask) owned = task;
  GCancellable *cancellable;

  g_return_if_fail (wizard != NULL);
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (cancel_func != NULL);

  if (wizard->task != NULL)
    {
      g_task_return_new_error (owned, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The %s wizard is already open", wizard->name);
      return;
    }

  wizard->cancel_func = cancel_func;
  cancellable = g_task_get_cancellable (owned);
  if (cancellable != NULL)
    wizard->caller_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled_cb),
                                                         wizard, NULL);

  wizard->task = g_steal_pointer (&owned);
  gtk_window_present (GTK_WINDOW (wizard->assistant));
}

GTask *
ba_wizard_end (BaWizard *wizard)
{
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (wizard != NULL, NULL);

  task = g_steal_pointer (&wizard->task);
  if (task == NULL)
    return NULL;

  if (wizard->caller_cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), wizard->caller_cancelled_id);
      wizard->caller_cancelled_id = 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (wizard->assistant), FALSE);

  return g_steal_pointer (&task);
}

void
ba_wizard_dispose (BaWizard *wizard)
{
  g_return_if_fail (wizard != NULL);

  if (wizard->assistant != NULL)
    gtk_window_destroy (GTK_WINDOW (wizard->assistant));
  wizard->assistant = NULL;
  g_clear_object (&wizard->builder);
}
