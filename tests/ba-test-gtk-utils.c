/* ba-test-gtk-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <locale.h>

#include "ba-test-gtk-utils.h"

void
ba_test_gtk_init (int    *argc,
                  char ***argv)
{
  /* The XDG directories are made private per test case, but icons in our
   * resources are recognised through the system's MIME database, so pin it
   * before the isolation takes the system data directories away. */
  g_content_type_set_mime_dirs (NULL);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  setlocale (LC_ALL, "C.UTF-8");
  gtk_init ();
  adw_init ();
}

void
ba_test_iterate (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

void
ba_test_wait_mapped (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  ba_test_iterate ();
}

GtkWidget *
ba_test_template_child (gpointer    widget,
                        GType       template_type,
                        const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), template_type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Delivers a secondary click the way GTK does: through the widget's click
 * gesture for button 3, as a right click with a mouse would. */
gboolean
ba_test_secondary_click (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n_items = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (controller, "pressed", 1, 10.0, 10.0);
          return TRUE;
        }
    }

  return FALSE;
}

/* Finds the keyboard shortcut that the widget's class binds to @keyval and
 * @modifiers, and runs it, as pressing the keys would. */
gboolean
ba_test_activate_shortcut (GtkWidget       *widget,
                           guint            keyval,
                           GdkModifierType  modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n_controllers = g_list_model_get_n_items (controllers);

  for (guint c = 0; c < n_controllers; c++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, c);
      guint n_items;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      n_items = g_list_model_get_n_items (G_LIST_MODEL (controller));
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                 GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                 widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }

  return FALSE;
}

static void
on_clicked_cb (GtkButton *button,
               gboolean  *clicked)
{
  *clicked = TRUE;
}

/* Activates a button as Enter or Space would, and waits for the click that
 * GTK delivers once its pressed animation ends. An insensitive button does
 * nothing, as for a person. */
gboolean
ba_test_click (GtkWidget *button)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  gboolean clicked = FALSE;
  gulong handler;
  /* Held: a click may destroy the dialog the button is in. */
  g_autoptr(GtkWidget) held = NULL;

  g_assert_true (GTK_IS_BUTTON (button));
  held = g_object_ref (button);

  if (!gtk_widget_is_sensitive (button))
    return FALSE;

  handler = g_signal_connect (button, "clicked", G_CALLBACK (on_clicked_cb), &clicked);
  gtk_widget_activate (button);
  while (!clicked && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_signal_handler_disconnect (button, handler);
  ba_test_iterate ();

  return clicked;
}

/* Waits up to two seconds for a widget to show, as a person waits for a
 * popover after a click; returns whether it did. */
gboolean
ba_test_wait_visible (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (!gtk_widget_get_visible (widget) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  ba_test_iterate ();

  return gtk_widget_get_visible (widget);
}

/* Finds a button by its label among what is on screen, the way a person
 * finds it: the pages an assistant is not showing are not mapped. */
GtkWidget *
ba_test_find_button (GtkWidget  *root,
                     const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (!gtk_widget_get_mapped (c))
        continue;
      if (GTK_IS_BUTTON (c) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (c)), label) == 0)
        return c;
      found = ba_test_find_button (c, label);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Clicks the button labelled @label below @root; there must be one. */
gboolean
ba_test_press (GtkWidget  *root,
               const char *label)
{
  GtkWidget *button = ba_test_find_button (root, label);

  if (button == NULL)
    g_error ("No button “%s” on screen", label);
  return ba_test_click (button);
}

void
ba_test_type_text (GtkWidget  *editable,
                   const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
  ba_test_iterate ();
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop (the widgets' and the emulator's) until @condition
 * holds, for at most @seconds, waking every 10 ms for time-based
 * conditions. */
void
ba_test_wait_until (BaTestCondition condition,
                    gpointer        data,
                    guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (10, wake_cb, NULL);

  while (!condition (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  ba_test_iterate ();
}

gboolean
ba_test_page_complete (GtkAssistant *assistant,
                       GtkWidget    *page)
{
  gboolean complete = FALSE;

  g_object_get (gtk_assistant_get_page (assistant, page), "complete", &complete, NULL);
  return complete;
}

static gboolean
is_set (gpointer data)
{
  const gboolean *flag = data;

  return *flag;
}

/* Waits until @done, as a wizard's run callback sets it. */
void
ba_test_wait_done (const gboolean *done,
                   guint           seconds)
{
  ba_test_wait_until (is_set, (gpointer) done, seconds);
}

typedef struct
{
  GtkAssistant *assistant;
  int index;
  const gboolean *done;
} PageWait;

static gboolean
on_page_or_done (gpointer data)
{
  PageWait *wait = data;

  return gtk_assistant_get_current_page (wait->assistant) == wait->index || *wait->done;
}

/* Waits until @assistant shows page @index, which it must: a wizard that
 * finishes (@done) before does not get there. */
void
ba_test_wait_for_page (GtkAssistant   *assistant,
                       int             index,
                       const gboolean *done,
                       guint           seconds)
{
  PageWait wait = { assistant, index, done };

  ba_test_wait_until (on_page_or_done, &wait, seconds);
  g_assert_cmpint (gtk_assistant_get_current_page (assistant), ==, index);
}
