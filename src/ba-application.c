/* ba-application.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-application.h"
#include "ba-certificate-store.h"
#include "ba-pin-prompt.h"
#include "ba-preferences-window.h"
#include "ba-select-certificate-assistant.h"
#include "ba-window.h"

struct _BaApplication
{
  AdwApplication parent_instance;

  /* Owned */
  BaStore *store;
  GSettings *settings;
  BaCertificateStore *certificates;
};

G_DEFINE_FINAL_TYPE (BaApplication, ba_application, ADW_TYPE_APPLICATION)

/* Auxiliary methods */

static BaStore *
ensure_store (BaApplication *self)
{
  if (self->store == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->store = ba_store_new_default ();

      /* A configuration that cannot be read is reported by the window from
       * the store's state, with what to do; here it is only logged. */
      if (!ba_store_load (self->store, &error))
        g_warning ("%s(): the configuration was not loaded: %s", G_STRFUNC, error->message);
    }

  return self->store;
}

/* Actions */

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  BaApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing each window lets it save its size, as the close button does. */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }

  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  BaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = ba_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  BaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Backup Access authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Backup Access"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Backup Access authors"),
                        "version", PACKAGE_VERSION,
                        "website", PACKAGE_URL,
                        "issue-url", PACKAGE_URL "/issues",
                        "copyright", "© 2026 The Backup Access authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Set up the access a backup server needs to a Microsoft 365 organization"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
certificate_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(BaApplication) self = user_data;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  certificate = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &error);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (certificate != NULL && BA_IS_WINDOW (window))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a certificate's name */
      message = g_strdup_printf (_("“%s” is ready in the certificate store"),
                                 ba_certificate_get_common_name (certificate));
      ba_window_add_toast (BA_WINDOW (window), message);
    }
}

/* Certificates can be made or imported ahead of time; every later
 * "Install…" then finds them in the store. */
static void
add_certificate_action (GSimpleAction *action,
                        GVariant      *param,
                        gpointer       user_data)
{
  BaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(BaSelectCertificateAssistant) wizard = NULL;

  if (self->certificates == NULL)
    self->certificates = ba_certificate_store_new (NULL, TRUE);

  /* The running task keeps the wizard alive until it finishes. */
  wizard = ba_select_certificate_assistant_new (parent, self->certificates);
  ba_select_certificate_assistant_run_async (wizard, NULL, certificate_ready_cb, g_object_ref (self));
}

static const GActionEntry app_actions[] = {
  { "add-certificate", add_certificate_action },
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

/* Parent overrides */

static void
ba_application_startup (GApplication *application)
{
  BaApplication *self = BA_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (ba_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);

  ba_pin_prompt_install ();
  ensure_store (self);
}

static void
ba_application_activate (GApplication *application)
{
  BaApplication *self = BA_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (ba_window_new (GTK_APPLICATION (self), ensure_store (self)));

      /* One certificate store for every "Install…" of the application. */
      if (self->certificates == NULL)
        self->certificates = ba_certificate_store_new (NULL, TRUE);
      ba_window_set_certificate_store (BA_WINDOW (window), self->certificates);
    }

  gtk_window_present (window);
}

static void
ba_application_finalize (GObject *object)
{
  BaApplication *self = (BaApplication *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->certificates);

  G_OBJECT_CLASS (ba_application_parent_class)->finalize (object);
}

static void
ba_application_class_init (BaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ba_application_finalize;
  app_class->startup = ba_application_startup;
  app_class->activate = ba_application_activate;
}

static void
ba_application_init (BaApplication *self)
{
  self->settings = g_settings_new (BASE_APP_ID);
}

BaApplication *
ba_application_new (void)
{
  /* The resource path is fixed so that a .Devel build finds the same
   * templates, style sheet and shortcuts window. */
  return g_object_new (BA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

BaStore *
ba_application_get_store (BaApplication *self)
{
  g_return_val_if_fail (BA_IS_APPLICATION (self), NULL);

  return ensure_store (self);
}

GSettings *
ba_application_get_settings (BaApplication *self)
{
  g_return_val_if_fail (BA_IS_APPLICATION (self), NULL);

  return self->settings;
}
