/* test-pin-prompt.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>

#include "ba-pin-prompt.h"
#include "ba-test-gtk-utils.h"

typedef struct
{
  const char *retry;
  char *pin;
  gboolean done;
} Ask;

static gpointer
ask_thread (gpointer data)
{
  Ask *ask = data;

  /* As the PKCS#11 engine does, from a worker thread. */
  ask->pin = ba_pin_prompt_ask ("ba-test token", ask->retry != NULL ? 2 : 1, ask->retry, NULL);
  g_atomic_int_set (&ask->done, TRUE);
  return NULL;
}

static AdwMessageDialog *
wait_for_dialog (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

          if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
            {
              ba_test_wait_mapped (GTK_WIDGET (window));
              return ADW_MESSAGE_DIALOG (window);
            }
        }
      g_main_context_iteration (NULL, FALSE);
    }

  g_assert_not_reached ();
}

static void
wait_answered (Ask *ask)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!g_atomic_int_get (&ask->done))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
test_pin_prompt_unlock (void)
{
  Ask ask = { NULL };
  g_autoptr(GThread) thread = g_thread_new ("ask", ask_thread, &ask);
  AdwMessageDialog *dialog = wait_for_dialog ();
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);
  gint64 deadline;

  /* The dialog names the token and asks for its PIN, for eyes and ears. */
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "ba-test token"));
  g_assert_true (GTK_IS_ENTRY (entry));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_test_accessible_assert_property (entry, GTK_ACCESSIBLE_PROPERTY_LABEL, "PIN");
  g_assert_false (g_atomic_int_get (&ask.done));

  gtk_editable_set_text (GTK_EDITABLE (entry), "1234");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_object_add_weak_pointer (G_OBJECT (entry), (gpointer *) &entry);
  g_assert_true (ba_test_click (ba_test_find_button (GTK_WIDGET (dialog), "_Unlock")));
  wait_answered (&ask);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_cmpstr (ask.pin, ==, "1234");
  /* The dialog went away with its answer, and the entry that held the PIN
   * with it. */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while ((dialog != NULL || entry != NULL) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (dialog);
  g_assert_null (entry);
  g_free (ask.pin);
}

static void
test_pin_prompt_cancel_and_retry (void)
{
  Ask ask = { "The PIN is not correct. 2 tries are left." };
  g_autoptr(GThread) thread = g_thread_new ("ask", ask_thread, &ask);
  AdwMessageDialog *dialog = wait_for_dialog ();

  /* A retry says why the last PIN was refused. */
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "The PIN is not correct. 2 tries are left.");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "9999");
  g_assert_true (ba_test_click (ba_test_find_button (GTK_WIDGET (dialog), "_Cancel")));
  wait_answered (&ask);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_null (ask.pin);
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

  g_test_add_func ("/ba/pin-prompt/unlock", test_pin_prompt_unlock);
  g_test_add_func ("/ba/pin-prompt/cancel-and-retry", test_pin_prompt_cancel_and_retry);

  return g_test_run ();
}
