/* ba-widget-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows @message under @field in @label, marks the field invalid for the
 * eye (the "error" style) and for a screen reader (its description and
 * invalid state); a NULL message clears all of that. */
void     ba_field_set_error          (GtkWidget    *field,
                                      GtkLabel     *label,
                                      const char   *message);

/* An object of a wizard's .ui that its controller keeps a pointer to;
 * @page binds its "complete" to that of its GtkAssistantPage. */
typedef struct
{
  const char *id;
  gpointer   *field;
  gboolean    page;
} BaWizardChild;

/* What every wizard controller has: a GtkAssistant built from its .ui
 * (GTK 4 does not let GtkAssistant be subclassed) and the task of its run.
 * The controller embeds it and calls these from its own functions. */
typedef struct
{
  /* Owned */
  GtkBuilder *builder;
  GTask *task;
  gulong caller_cancelled_id;

  /* Borrowed */
  GObject *controller;
  const char *name;
  GSourceFunc cancel_func;
  GtkAssistant *assistant;
} BaWizard;

/* Builds the wizard's .ui from @resource_path with @scope, the controller
 * exposed as "controller", and takes its "assistant", which hides on close.
 * @name names the wizard in programmer's messages. */
void     ba_wizard_init              (BaWizard            *wizard,
                                      GObject             *controller,
                                      const char          *name,
                                      const char          *resource_path,
                                      GtkBuilderScope     *scope);
/* Fills in each child's field; binds the "complete" of the pages. */
void     ba_wizard_bind_children     (BaWizard            *wizard,
                                      const BaWizardChild *children,
                                      guint                n_children);
/* The assistant's "wizard" action group, with @user_data for every action. */
void     ba_wizard_add_actions       (BaWizard            *wizard,
                                      const GActionEntry  *entries,
                                      guint                n_entries,
                                      gpointer             user_data);
/* Takes @task (transfer full) as the run and shows the wizard, or returns
 * G_IO_ERROR_PENDING on it when a run is open. Cancelling the task's
 * cancellable calls @cancel_func with the controller from the main loop. */
void     ba_wizard_run               (BaWizard            *wizard,
                                      GTask               *task,
                                      GSourceFunc          cancel_func);
/* Ends the run: hides the wizard and returns (transfer full) its task to
 * be returned, or NULL when no run is open. */
GTask   *ba_wizard_end               (BaWizard            *wizard);
/* For the controller's dispose: destroys the assistant and the builder. */
void     ba_wizard_dispose           (BaWizard            *wizard);

G_END_DECLS
