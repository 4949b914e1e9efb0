/* ba-pin-prompt.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ba-pin-prompt.h"
#include "ba-pkcs11.h"

typedef struct
{
  GMutex mutex;
  GCond cond;
  char *token_label;
  char *retry_message;
  guint attempt;
  char *pin;
  gboolean answered;
  GtkWidget *entry;
} PinRequest;

static GtkWindow *
find_parent (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */
  GtkWindow *fallback = NULL;
  guint n_items = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (!gtk_widget_get_visible (GTK_WIDGET (window)))
        continue;
      if (gtk_window_is_active (window))
        return window;
      fallback = window;
    }

  return fallback;
}

static void
answer (PinRequest *request,
        char       *pin)
{
  g_mutex_lock (&request->mutex);
  request->pin = pin;
  request->answered = TRUE;
  g_cond_signal (&request->cond);
  g_mutex_unlock (&request->mutex);
}

static void
on_dialog_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       PinRequest       *request)
{
  char *pin = NULL;

  /* Closing the dialog after a button answers it again; by then the request
   * is gone with the thread that asked. */
  g_signal_handlers_disconnect_by_data (dialog, request);

  if (g_str_equal (response, "unlock"))
    pin = g_strdup (gtk_editable_get_text (GTK_EDITABLE (request->entry)));

  /* Nothing of the PIN stays in the widget. */
  gtk_editable_set_text (GTK_EDITABLE (request->entry), "");
  adw_message_dialog_set_extra_child (dialog, NULL);
  request->entry = NULL;
  answer (request, pin);
}

static gboolean
show_dialog_cb (gpointer user_data)
{
  PinRequest *request = user_data;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is the label of a smart card or other security token */
  heading = g_strdup_printf (_("Unlock “%s”"), request->token_label);
  dialog = adw_message_dialog_new (find_parent (), heading,
                                   request->retry_message != NULL
                                   ? request->retry_message
                                   : _("Enter the PIN of the security token that holds the certificate’s key. The key never leaves the token."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "unlock", _("_Unlock"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "unlock", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "unlock");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  /* A GtkEntry over the password buffer (secure memory, like
   * GtkPasswordEntry's): GTK 4.8's GtkPasswordEntry leaves a signal handler
   * behind when its dialog is destroyed on a response, and crashes later. */
  {
    g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();

    request->entry = gtk_entry_new_with_buffer (buffer);
  }
  gtk_entry_set_visibility (GTK_ENTRY (request->entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (request->entry), GTK_INPUT_PURPOSE_PIN);
  gtk_entry_set_activates_default (GTK_ENTRY (request->entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (request->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("PIN"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), request->entry);

  g_signal_connect (dialog, "response", G_CALLBACK (on_dialog_response_cb), request);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (request->entry);

  return G_SOURCE_REMOVE;
}

char *
ba_pin_prompt_ask (const char *token_label,
                   guint       attempt,
                   const char *retry_message,
                   gpointer    user_data)
{
  PinRequest request = { 0 };
  char *pin;

  /* The dialog needs the main loop, which this call would block. */
  g_return_val_if_fail (!g_main_context_is_owner (g_main_context_default ()), NULL);

  g_mutex_init (&request.mutex);
  g_cond_init (&request.cond);
  request.token_label = g_strdup (token_label != NULL ? token_label : "");
  request.retry_message = g_strdup (retry_message);
  request.attempt = attempt;

  g_main_context_invoke (NULL, show_dialog_cb, &request);

  g_mutex_lock (&request.mutex);
  while (!request.answered)
    g_cond_wait (&request.cond, &request.mutex);
  g_mutex_unlock (&request.mutex);

  pin = request.pin;
  g_free (request.token_label);
  g_free (request.retry_message);
  g_mutex_clear (&request.mutex);
  g_cond_clear (&request.cond);

  return pin;
}

void
ba_pin_prompt_install (void)
{
  ba_pkcs11_set_pin_func (ba_pin_prompt_ask, NULL, NULL);
}
