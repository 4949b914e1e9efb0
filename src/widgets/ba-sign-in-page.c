/* ba-sign-in-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-browser-sign-in.h"
#include "ba-device-code-flow.h"
#include "ba-sign-in-page.h"

struct _BaSignInPage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkWidget *code_box;
  GtkLabel *code_label;
  GtkButton *copy_button;
  GtkButton *refresh_button;
  GtkLabel *copied_label;
  GtkLinkButton *link_button;
  GtkLabel *countdown_label;
  GtkWidget *browser_box;
  GtkButton *copy_link_button;
  GtkSpinner *spinner;
  GtkLabel *state_label;
  GtkCheckButton *stay_check;
  GtkLabel *client_id_label;
  GtkButton *browser_button;
  GtkButton *cancel_button;
  GtkButton *another_button;

  /* Owned */
  BaCloud *cloud;
  char *client_id;
  char *tenant;
  BaSession *session;
  GSettings *settings;
  BaDeviceCodeFlow *flow;
  BaBrowserSignIn *browser;
  /* Cancelled on dispose: for everything that outlives one sign-in. */
  GCancellable *cancellable;
  /* Cancelled by Refresh, Cancel and dispose: the sign-in that runs. */
  GCancellable *run_cancellable;
  guint interval_ms;
  gboolean browser_mode;
};

G_DEFINE_FINAL_TYPE (BaSignInPage, ba_sign_in_page, BA_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_CLOUD,
  PROP_CLIENT_ID,
  PROP_TENANT,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What an async callback needs to know whether its page is still there: a
 * cancelled run's page may be gone, and is not touched. */
typedef struct
{
  BaSignInPage *self;
  GCancellable *cancellable;
} RunData;

static RunData *
run_data_new (BaSignInPage *self,
              GCancellable *cancellable)
{
  RunData *data = g_new0 (RunData, 1);

  data->self = self;
  data->cancellable = g_object_ref (cancellable);
  return data;
}

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunData, run_data_free)

static void
set_state_text (BaSignInPage *self,
                const char   *text,
                gboolean      is_error,
                gboolean      busy)
{
  gtk_label_set_text (self->state_label, text != NULL ? text : "");
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

static void
update_client_id_label (BaSignInPage *self)
{
  g_autofree char *text = NULL;
  g_autofree char *fallback = NULL;
  const char *client_id = self->client_id;

  if (client_id == NULL && self->settings != NULL)
    client_id = fallback = g_settings_get_string (self->settings, "sign-in-client-id");

  /* Translators: %s is an application (client) ID, a GUID */
  text = g_strdup_printf (_("Signs in with the application ID %s"), client_id != NULL ? client_id : "");
  gtk_label_set_text (self->client_id_label, text);
}

static void
set_mode (BaSignInPage *self,
          gboolean      browser_mode)
{
  self->browser_mode = browser_mode;
  gtk_widget_set_visible (self->code_box, !browser_mode);
  gtk_widget_set_visible (self->browser_box, browser_mode);
  gtk_button_set_label (self->browser_button,
                        browser_mode ? _("Sign in with a _Code Instead") : _("Sign in with the _Browser Instead"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->browser_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  browser_mode ? _("Sign in with a code instead") : _("Sign in with the browser instead"),
                                  -1);
}

static void
clear_code (BaSignInPage *self)
{
  gtk_label_set_text (self->code_label, "");
  gtk_label_set_text (self->countdown_label, "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->copied_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->link_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_link_button), FALSE);
}

/* Stops the sign-in that runs, if any; its callback then does nothing. */
static void
stop_run (BaSignInPage *self)
{
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);

  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_clear_object (&self->flow);

  if (self->browser != NULL)
    g_signal_handlers_disconnect_by_data (self->browser, self);
  g_clear_object (&self->browser);

  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
}

static void
set_session (BaSignInPage *self,
             BaSession    *session)
{
  if (!g_set_object (&self->session, session))
    return;

  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), session != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* Resolves the cloud and client ID from the settings where not given. */
static gboolean
ensure_cloud (BaSignInPage  *self,
              GError       **error)
{
  g_autofree char *nick = NULL;
  BaCloudKind kind = BA_CLOUD_KIND_GLOBAL;

  if (self->client_id == NULL && self->settings != NULL)
    {
      self->client_id = g_settings_get_string (self->settings, "sign-in-client-id");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_ID]);
    }

  if (self->cloud != NULL)
    return TRUE;

  if (self->settings != NULL)
    {
      nick = g_settings_get_string (self->settings, "default-cloud");
      if (!ba_cloud_kind_from_nick (nick, &kind))
        kind = BA_CLOUD_KIND_GLOBAL;
    }

  self->cloud = ba_cloud_new_from_settings (kind, self->settings, error);
  if (self->cloud == NULL)
    return FALSE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOUD]);
  return TRUE;
}

static void
signed_in (BaSignInPage *self,
           BaSession    *session)
{
  g_autofree char *text = NULL;
  const char *upn = ba_session_get_upn (session);

  ba_session_set_stay_signed_in (session, gtk_check_button_get_active (self->stay_check));
  g_clear_object (&self->run_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (self->code_box, FALSE);
  gtk_widget_set_visible (self->browser_box, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->browser_button), FALSE);

  /* Translators: %s is the account's user name, such as admin@contoso.com */
  text = g_strdup_printf (_("Signed in as %s"), upn != NULL ? upn : "");
  set_state_text (self, text, FALSE, FALSE);

  set_session (self, session);
}

static void
failed (BaSignInPage *self,
        const GError *error)
{
  g_clear_object (&self->run_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->copied_label), FALSE);

  if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_EXPIRED))
    gtk_label_set_text (self->countdown_label, _("The code has expired. Press Refresh for a new one."));
  else
    gtk_label_set_text (self->countdown_label, "");

  set_state_text (self, error->message, TRUE, FALSE);
}

static void
open_uri_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RunData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    {
      if (g_cancellable_is_cancelled (data->cancellable))
        return;

      g_debug ("%s: %s", G_STRFUNC, error->message);
      set_state_text (data->self,
                      _("Could not open the browser. Copy the link into a browser on this computer."),
                      TRUE, data->self->run_cancellable != NULL);
    }
}

static void
open_uri (BaSignInPage *self,
          const char   *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                     uri,
                     GDK_CURRENT_TIME,
                     self->cancellable,
                     open_uri_cb,
                     run_data_new (self, self->cancellable));
}

static void
update_countdown (BaSignInPage *self)
{
  g_autofree char *text = NULL;
  guint seconds;

  if (self->flow == NULL || ba_device_code_flow_get_state (self->flow) != BA_SIGN_IN_STATE_WAITING)
    return;

  seconds = ba_device_code_flow_get_seconds_left (self->flow);
  /* Translators: the time left to enter the code, in minutes and seconds, e.g. "Code valid for 14:59" */
  text = g_strdup_printf (_("Code valid for %u:%02u"), seconds / 60, seconds % 60);
  gtk_label_set_text (self->countdown_label, text);
}

static void
on_flow_user_code_cb (BaSignInPage     *self,
                      GParamSpec       *pspec,
                      BaDeviceCodeFlow *flow)
{
  const char *code = ba_device_code_flow_get_user_code (flow);

  gtk_label_set_text (self->code_label, code != NULL ? code : "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), code != NULL && *code != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->copied_label), FALSE);
}

static void
on_flow_verification_uri_cb (BaSignInPage     *self,
                             GParamSpec       *pspec,
                             BaDeviceCodeFlow *flow)
{
  const char *uri = ba_device_code_flow_get_verification_uri (flow);

  if (uri == NULL || *uri == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->link_button), FALSE);
      return;
    }

  gtk_link_button_set_uri (self->link_button, uri);
  gtk_button_set_label (GTK_BUTTON (self->link_button), uri);
  gtk_link_button_set_visited (self->link_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->link_button), TRUE);
}

static void
on_flow_seconds_left_cb (BaSignInPage     *self,
                         GParamSpec       *pspec,
                         BaDeviceCodeFlow *flow)
{
  update_countdown (self);
}

static void
on_flow_state_cb (BaSignInPage     *self,
                  GParamSpec       *pspec,
                  BaDeviceCodeFlow *flow)
{
  switch (ba_device_code_flow_get_state (flow))
    {
    case BA_SIGN_IN_STATE_REQUESTING:
      set_state_text (self, _("Getting a sign-in code…"), FALSE, TRUE);
      break;

    case BA_SIGN_IN_STATE_WAITING:
      set_state_text (self, _("Waiting for you to sign in…"), FALSE, TRUE);
      update_countdown (self);
      break;

    case BA_SIGN_IN_STATE_IDLE:
    case BA_SIGN_IN_STATE_SIGNED_IN:
    case BA_SIGN_IN_STATE_FAILED:
    case BA_SIGN_IN_STATE_CANCELLED:
    default:
      /* The run's callback says how it ended. */
      break;
    }
}

static void
flow_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RunData) data = user_data;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = ba_device_code_flow_run_finish (BA_DEVICE_CODE_FLOW (object), result, &error);
  if (g_cancellable_is_cancelled (data->cancellable))
    return;

  if (session != NULL)
    signed_in (data->self, session);
  else
    failed (data->self, error);
}

static void
on_browser_authorize_uri_cb (BaSignInPage    *self,
                             GParamSpec      *pspec,
                             BaBrowserSignIn *browser)
{
  const char *uri = ba_browser_sign_in_get_authorize_uri (browser);

  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_link_button), uri != NULL);
  if (uri == NULL)
    return;

  set_state_text (self, _("Waiting for you to sign in in the browser…"), FALSE, TRUE);
  open_uri (self, uri);
}

static void
browser_run_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RunData) data = user_data;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = ba_browser_sign_in_run_finish (BA_BROWSER_SIGN_IN (object), result, &error);
  if (g_cancellable_is_cancelled (data->cancellable))
    return;

  if (session != NULL)
    signed_in (data->self, session);
  else
    failed (data->self, error);
}

/* Clears what the last sign-in left, and readies a new one; FALSE (with
 * the reason shown) when there is no cloud to sign in to. */
static gboolean
begin_run (BaSignInPage *self,
           gboolean      browser_mode)
{
  g_autoptr(GError) error = NULL;

  stop_run (self);
  set_session (self, NULL);
  clear_code (self);
  set_mode (self, browser_mode);
  gtk_widget_set_sensitive (GTK_WIDGET (self->browser_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->another_button), FALSE);

  if (!ensure_cloud (self, &error))
    {
      failed (self, error);
      return FALSE;
    }

  self->run_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  return TRUE;
}

static void
start_browser (BaSignInPage *self)
{
  if (!begin_run (self, TRUE))
    return;

  self->browser = ba_browser_sign_in_new (self->cloud, self->client_id, self->tenant, NULL);
  g_signal_connect_object (self->browser, "notify::authorize-uri",
                           G_CALLBACK (on_browser_authorize_uri_cb), self, G_CONNECT_SWAPPED);
  set_state_text (self, _("Opening the browser…"), FALSE, TRUE);
  ba_browser_sign_in_run_async (self->browser,
                                self->run_cancellable,
                                browser_run_cb,
                                run_data_new (self, self->run_cancellable));
}

static void
on_copy_button_clicked_cb (BaSignInPage *self,
                           GtkButton    *button)
{
  const char *code = gtk_label_get_text (self->code_label);

  if (code == NULL || *code == '\0')
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), code);
  gtk_widget_set_visible (GTK_WIDGET (self->copied_label), TRUE);
}

static void
on_refresh_button_clicked_cb (BaSignInPage *self,
                              GtkButton    *button)
{
  ba_sign_in_page_start (self);
}

static gboolean
on_link_button_activate_link_cb (BaSignInPage  *self,
                                 GtkLinkButton *button)
{
  open_uri (self, gtk_link_button_get_uri (button));
  gtk_link_button_set_visited (button, TRUE);
  return TRUE;
}

static void
on_copy_link_button_clicked_cb (BaSignInPage *self,
                                GtkButton    *button)
{
  const char *uri;

  if (self->browser == NULL)
    return;

  uri = ba_browser_sign_in_get_authorize_uri (self->browser);
  if (uri == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), uri);
  set_state_text (self, _("Link copied. Open it in a browser on this computer."), FALSE, TRUE);
}

static void
on_stay_check_toggled_cb (BaSignInPage   *self,
                          GtkCheckButton *check)
{
  if (self->session != NULL)
    ba_session_set_stay_signed_in (self->session, gtk_check_button_get_active (check));
}

static void
on_browser_button_clicked_cb (BaSignInPage *self,
                              GtkButton    *button)
{
  if (self->browser_mode)
    ba_sign_in_page_start (self);
  else
    start_browser (self);
}

static void
on_cancel_button_clicked_cb (BaSignInPage *self,
                             GtkButton    *button)
{
  ba_sign_in_page_cancel (self);
}

static void
on_another_button_clicked_cb (BaSignInPage *self,
                              GtkButton    *button)
{
  ba_sign_in_page_start (self);
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RunData) data = user_data;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  BaSignInPage *self;

  session = ba_session_restore_finish (result, &error);
  if (g_cancellable_is_cancelled (data->cancellable))
    return;

  self = data->self;
  g_clear_object (&self->run_cancellable);

  if (session == NULL)
    {
      /* Nothing kept, or no longer valid: a new sign-in. */
      g_debug ("%s(): no kept sign-in: %s", G_STRFUNC, error->message);
      ba_sign_in_page_start (self);
      return;
    }

  /* A kept session stays kept unless the admin says otherwise. */
  gtk_check_button_set_active (self->stay_check, TRUE);
  signed_in (self, session);
  gtk_widget_set_visible (GTK_WIDGET (self->another_button), TRUE);
}

/* Signs in with the session kept with "stay signed in", if there is one,
 * else with a new device code. */
static void
restore_or_start (BaSignInPage *self)
{
  g_autoptr(GError) error = NULL;

  stop_run (self);
  set_session (self, NULL);
  clear_code (self);
  set_mode (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->another_button), FALSE);

  if (!ensure_cloud (self, &error))
    {
      failed (self, error);
      return;
    }

  if (self->client_id == NULL)
    {
      ba_sign_in_page_start (self);
      return;
    }

  self->run_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->code_box, FALSE);
  set_state_text (self, _("Looking for a kept sign-in…"), FALSE, TRUE);
  ba_session_restore_async (self->cloud, self->client_id, self->tenant,
                            self->run_cancellable, restore_cb,
                            run_data_new (self, self->run_cancellable));
}

static void
ba_sign_in_page_prepare (BaWizardPage *page)
{
  BaSignInPage *self = BA_SIGN_IN_PAGE (page);

  if (self->session == NULL && self->run_cancellable == NULL)
    restore_or_start (self);
}

static void
ba_sign_in_page_dispose (GObject *object)
{
  BaSignInPage *self = BA_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_clear_object (&self->flow);
  if (self->browser != NULL)
    g_signal_handlers_disconnect_by_data (self->browser, self);
  g_clear_object (&self->browser);

  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_SIGN_IN_PAGE);

  g_clear_object (&self->session);
  g_clear_object (&self->cloud);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_sign_in_page_parent_class)->dispose (object);
}

static void
ba_sign_in_page_finalize (GObject *object)
{
  BaSignInPage *self = BA_SIGN_IN_PAGE (object);

  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->tenant, g_free);

  G_OBJECT_CLASS (ba_sign_in_page_parent_class)->finalize (object);
}

static void
ba_sign_in_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BaSignInPage *self = BA_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLOUD:
      g_value_set_object (value, self->cloud);
      break;

    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;

    case PROP_TENANT:
      g_value_set_string (value, self->tenant);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_sign_in_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BaSignInPage *self = BA_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLOUD:
      ba_sign_in_page_set_cloud (self, g_value_get_object (value));
      break;

    case PROP_CLIENT_ID:
      ba_sign_in_page_set_client_id (self, g_value_get_string (value));
      break;

    case PROP_TENANT:
      ba_sign_in_page_set_tenant (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_sign_in_page_class_init (BaSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BaWizardPageClass *page_class = BA_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ba_sign_in_page_dispose;
  object_class->finalize = ba_sign_in_page_finalize;
  object_class->get_property = ba_sign_in_page_get_property;
  object_class->set_property = ba_sign_in_page_set_property;
  page_class->prepare = ba_sign_in_page_prepare;

  properties[PROP_CLOUD] =
    g_param_spec_object ("cloud", NULL, NULL,
                         BA_TYPE_CLOUD,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_CLIENT_ID] =
    g_param_spec_string ("client-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_TENANT] =
    g_param_spec_string ("tenant", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         BA_TYPE_SESSION,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, code_box);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, copy_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, copied_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, link_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, browser_box);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, copy_link_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, stay_check);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, client_id_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, browser_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignInPage, another_button);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_link_button_activate_link_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_link_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stay_check_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_browser_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_another_button_clicked_cb);
}

static void
ba_sign_in_page_init (BaSignInPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (BASE_APP_ID);

  set_state_text (self, NULL, FALSE, FALSE);
  update_client_id_label (self);
}

GtkWidget *
ba_sign_in_page_new (void)
{
  return g_object_new (BA_TYPE_SIGN_IN_PAGE, NULL);
}

BaCloud *
ba_sign_in_page_get_cloud (BaSignInPage *self)
{
  g_return_val_if_fail (BA_IS_SIGN_IN_PAGE (self), NULL);

  return self->cloud;
}

void
ba_sign_in_page_set_cloud (BaSignInPage *self,
                           BaCloud      *cloud)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (!cloud || BA_IS_CLOUD (cloud));

  if (g_set_object (&self->cloud, cloud))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOUD]);
}

const char *
ba_sign_in_page_get_client_id (BaSignInPage *self)
{
  g_return_val_if_fail (BA_IS_SIGN_IN_PAGE (self), NULL);

  return self->client_id;
}

void
ba_sign_in_page_set_client_id (BaSignInPage *self,
                               const char   *client_id)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));

  if (g_strcmp0 (self->client_id, client_id) == 0)
    return;

  g_free (self->client_id);
  self->client_id = g_strdup (client_id);
  update_client_id_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_ID]);
}

const char *
ba_sign_in_page_get_tenant (BaSignInPage *self)
{
  g_return_val_if_fail (BA_IS_SIGN_IN_PAGE (self), NULL);

  return self->tenant;
}

void
ba_sign_in_page_set_tenant (BaSignInPage *self,
                            const char   *tenant)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));

  if (g_strcmp0 (self->tenant, tenant) == 0)
    return;

  g_free (self->tenant);
  self->tenant = g_strdup (tenant);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TENANT]);
}

BaSession *
ba_sign_in_page_get_session (BaSignInPage *self)
{
  g_return_val_if_fail (BA_IS_SIGN_IN_PAGE (self), NULL);

  return self->session;
}

void
ba_sign_in_page_start (BaSignInPage *self)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));

  if (!begin_run (self, FALSE))
    return;

  self->flow = ba_device_code_flow_new (self->cloud, self->client_id, self->tenant, NULL);
  if (self->interval_ms > 0)
    _ba_device_code_flow_set_interval_ms (self->flow, self->interval_ms);
  g_signal_connect_object (self->flow, "notify::user-code",
                           G_CALLBACK (on_flow_user_code_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::verification-uri",
                           G_CALLBACK (on_flow_verification_uri_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::seconds-left",
                           G_CALLBACK (on_flow_seconds_left_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::state",
                           G_CALLBACK (on_flow_state_cb), self, G_CONNECT_SWAPPED);

  set_state_text (self, _("Getting a sign-in code…"), FALSE, TRUE);
  ba_device_code_flow_run_async (self->flow,
                                 self->run_cancellable,
                                 flow_run_cb,
                                 run_data_new (self, self->run_cancellable));
}

void
ba_sign_in_page_cancel (BaSignInPage *self)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));

  if (self->run_cancellable == NULL)
    return;

  stop_run (self);
  clear_code (self);
  set_state_text (self, _("Signing in was cancelled. Press Refresh for a new code."), FALSE, FALSE);
  set_mode (self, FALSE);
}

void
_ba_sign_in_page_set_interval_ms (BaSignInPage *self,
                                  guint         interval_ms)
{
  g_return_if_fail (BA_IS_SIGN_IN_PAGE (self));

  self->interval_ms = interval_ms;
}
