/* ba-window.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-add-organization-assistant.h"
#include "ba-applications-manager.h"
#include "ba-backup-account.h"
#include "ba-backup-application.h"
#include "ba-organization-row.h"
#include "ba-window.h"

/* A certificate this close to expiry is flagged in the details. */
#define EXPIRY_WARNING_DAYS 30

struct _BaWindow
{
  AdwApplicationWindow parent_instance;

  /* Owned */
  BaStore *store;
  GSettings *settings;
  BaOrganization *selected;
  GPtrArray *detail_groups;
  BaCertificateStore *certificates;
  BaAddOrganizationAssistant *add_wizard;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkWidget *back_button;
  GtkInfoBar *store_info_bar;
  GtkLabel *store_info_label;
  GtkWidget *restore_backup_button;
  GtkStack *main_stack;
  GtkWidget *empty_add_button;
  AdwLeaflet *leaflet;
  GtkListBox *organization_list;
  GtkStack *details_stack;
  AdwPreferencesPage *details_page;
};

G_DEFINE_FINAL_TYPE (BaWindow, ba_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SELECTED_ORGANIZATION,
  N_PROPS
};

enum {
  MANAGE_APPLICATIONS,
  MANAGE_ACCOUNTS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Auxiliary methods */

static char *
services_to_string (BaServices services)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (services & BA_SERVICE_EXCHANGE)
    g_ptr_array_add (names, _("Exchange Online"));
  if (services & BA_SERVICE_SHAREPOINT)
    g_ptr_array_add (names, _("SharePoint Online and OneDrive"));
  if (services & BA_SERVICE_TEAMS)
    g_ptr_array_add (names, _("Microsoft Teams"));
  if (services & BA_SERVICE_TEAMS_CHATS)
    g_ptr_array_add (names, _("Teams chats"));

  if (names->len == 0)
    return g_strdup (_("None"));

  g_ptr_array_add (names, NULL);
  /* Translators: the separator between service names in a list */
  return g_strjoinv (_(", "), (char **)names->pdata);
}

static GtkWidget *
add_info_row (AdwPreferencesGroup *group,
              const char          *title,
              const char          *value,
              gboolean             copyable)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");

  /* Ids such as the tenant's go into support tickets and scripts. */
  if (copyable && value != NULL)
    {
      GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
      g_autofree char *label = NULL;

      /* Translators: %s is what is copied, such as "Tenant ID" */
      label = g_strdup_printf (_("Copy %s"), title);
      gtk_widget_set_tooltip_text (copy, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (copy),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (copy, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (copy), "win.copy-text");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (copy), g_variant_new_string (value));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
    }

  adw_preferences_group_add (group, row);

  return row;
}

static AdwPreferencesGroup *
new_details_group (BaWindow   *self,
                   const char *title,
                   const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (self->details_page, ADW_PREFERENCES_GROUP (group));
  g_ptr_array_add (self->detail_groups, group);

  return ADW_PREFERENCES_GROUP (group);
}

static char *
describe_application (BaBackupApplication *app,
                      gboolean            *expiring)
{
  const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);
  GDateTime *expiry = ba_backup_application_get_certificate_expiry (app);
  g_autofree char *certificate = NULL;

  *expiring = FALSE;

  if (thumbprint == NULL || *thumbprint == '\0')
    certificate = g_strdup (_("Certificate not configured"));
  else if (expiry != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *date = g_date_time_format (expiry, "%x");
      GTimeSpan left = g_date_time_difference (expiry, now);

      if (left <= 0)
        {
          *expiring = TRUE;
          /* Translators: %s is a date */
          certificate = g_strdup_printf (_("Certificate expired on %s"), date);
        }
      else
        {
          *expiring = left < EXPIRY_WARNING_DAYS * G_TIME_SPAN_DAY;
          /* Translators: %s is a date */
          certificate = g_strdup_printf (_("Certificate expires on %s"), date);
        }
    }
  else
    certificate = g_strdup (_("Certificate configured"));

  /* Translators: application id, then the state of its certificate */
  return g_strdup_printf (_("%s\n%s"), ba_backup_application_get_app_id (app), certificate);
}

static const char *
describe_state (BaBackupApplication *app)
{
  switch (ba_backup_application_get_state (app))
    {
    case BA_PROVISIONING_STATE_READY:
      return _("Ready");
    case BA_PROVISIONING_STATE_CREATING:
    case BA_PROVISIONING_STATE_APPLICATION_CREATED:
    case BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED:
    case BA_PROVISIONING_STATE_PERMISSIONS_GRANTED:
      return _("Incomplete");
    case BA_PROVISIONING_STATE_FAILED:
      return _("Failed");
    default:
      g_assert_not_reached ();
    }
}

static void
add_application_rows (BaWindow       *self,
                      BaOrganization *org)
{
  GListModel *apps = ba_organization_get_applications (org);
  guint n_apps = g_list_model_get_n_items (apps);
  g_autofree char *description = NULL;
  AdwPreferencesGroup *group;

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u application in the backup application pool",
                                              "%u applications in the backup application pool",
                                              n_apps),
                                 n_apps);
  group = new_details_group (self, _("Backup Applications"), description);

  for (guint i = 0; i < n_apps; i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);
      g_autofree char *subtitle = NULL;
      const char *name = ba_backup_application_get_display_name (app);
      const char *failure = ba_backup_application_get_failure_reason (app);
      gboolean expiring;
      GtkWidget *row;
      GtkWidget *state;

      subtitle = describe_application (app, &expiring);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     name != NULL && *name != '\0' ? name : ba_backup_application_get_app_id (app));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

      if (expiring)
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          gtk_widget_add_css_class (icon, "warning");
          gtk_widget_set_tooltip_text (icon, _("The certificate expires soon or has expired: update it"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Certificate expires soon"),
                                          -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
        }

      state = gtk_label_new (describe_state (app));
      gtk_widget_add_css_class (state, "dim-label");
      if (failure != NULL)
        gtk_widget_set_tooltip_text (state, failure);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);

      adw_preferences_group_add (group, row);
    }

  if (n_apps == 0)
    add_info_row (group, _("No backup applications"), NULL, FALSE);
}

static void
add_account_rows (BaWindow       *self,
                  BaOrganization *org)
{
  GListModel *accounts = ba_organization_get_accounts (org);
  guint n_accounts = g_list_model_get_n_items (accounts);
  g_autofree char *description = NULL;
  AdwPreferencesGroup *group;

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u auxiliary backup account",
                                              "%u auxiliary backup accounts",
                                              n_accounts),
                                 n_accounts);
  group = new_details_group (self, _("Backup Accounts"), description);

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(BaBackupAccount) account = g_list_model_get_item (accounts, i);
      const char *group_name = ba_backup_account_get_group (account);
      GtkWidget *row;
      GtkWidget *password;

      row = add_info_row (group,
                          ba_backup_account_get_user_principal_name (account),
                          group_name != NULL ? group_name : _("No group"),
                          FALSE);
      gtk_widget_remove_css_class (row, "property");

      password = gtk_label_new (ba_backup_account_get_has_password (account)
                                ? _("Password set") : _("No password"));
      gtk_widget_add_css_class (password, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), password);
    }

  if (n_accounts == 0)
    add_info_row (group, _("No backup accounts"), NULL, FALSE);
}

static void
rebuild_details (BaWindow *self)
{
  BaOrganization *org = self->selected;
  AdwPreferencesGroup *group;
  g_autofree char *services = NULL;
  const char *impersonation;

  for (guint i = 0; i < self->detail_groups->len; i++)
    adw_preferences_page_remove (self->details_page, g_ptr_array_index (self->detail_groups, i));
  g_ptr_array_set_size (self->detail_groups, 0);

  if (org == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }

  group = new_details_group (self, ba_organization_get_name (org), NULL);
  add_info_row (group, _("Tenant ID"), ba_organization_get_tenant_id (org), TRUE);
  add_info_row (group, _("Cloud"), ba_cloud_kind_to_string (ba_organization_get_cloud (org)), FALSE);
  add_info_row (group, _("Authentication"), ba_auth_type_to_string (ba_organization_get_auth_type (org)), FALSE);
  services = services_to_string (ba_organization_get_services (org));
  add_info_row (group, _("Services"), services, FALSE);

  impersonation = ba_organization_get_impersonation_account (org);
  if (impersonation != NULL && *impersonation != '\0')
    add_info_row (group,
                  ba_organization_get_services (org) == BA_SERVICE_SHAREPOINT
                  ? _("Organization name") : _("Impersonation account"),
                  impersonation, FALSE);

  add_application_rows (self, org);
  add_account_rows (self, org);

  gtk_stack_set_visible_child_name (self->details_stack, "details");
}

static void
update_actions (BaWindow *self)
{
  BaOrganization *org = self->selected;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "org.manage-applications",
                                 org != NULL && ba_organization_can_manage_applications (org));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "org.manage-accounts",
                                 org != NULL && ba_organization_can_manage_accounts (org));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "org.show-menu", org != NULL);
}

static void
on_selected_changed_cb (BaWindow *self)
{
  update_actions (self);
  rebuild_details (self);
}

static void
set_selected (BaWindow       *self,
              BaOrganization *org)
{
  if (self->selected == org)
    return;

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, on_selected_changed_cb, self);

  g_set_object (&self->selected, org);

  if (org != NULL)
    g_signal_connect_object (org, "changed", G_CALLBACK (on_selected_changed_cb), self, G_CONNECT_SWAPPED);

  on_selected_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ORGANIZATION]);
}

static void
update_main_page (BaWindow *self)
{
  GListModel *orgs = ba_store_get_organizations (self->store);
  guint n_items = g_list_model_get_n_items (orgs);

  gtk_stack_set_visible_child_name (self->main_stack, n_items > 0 ? "organizations" : "empty");

  /* Selecting the first organization saves a click on start-up; losing the
   * selection when its organization is removed must not leave stale details. */
  if (n_items > 0 && gtk_list_box_get_selected_row (self->organization_list) == NULL)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->organization_list, 0);

      if (row != NULL && !adw_leaflet_get_folded (self->leaflet))
        gtk_list_box_select_row (self->organization_list, row);
    }
  else if (n_items == 0)
    set_selected (self, NULL);
}

static void
update_store_state (BaWindow *self)
{
  const GError *load_error = ba_store_get_load_error (self->store);
  const char *set_aside = ba_store_get_set_aside_path (self->store);
  gboolean backup = ba_store_get_backup_available (self->store);
  g_autoptr(GString) text = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-backup", backup && load_error != NULL);
  gtk_widget_set_visible (self->restore_backup_button, backup && load_error != NULL);

  if (load_error == NULL)
    {
      gtk_info_bar_set_revealed (self->store_info_bar, FALSE);
      return;
    }

  text = g_string_new (load_error->message);

  if (set_aside != NULL)
    {
      g_string_append (text, "\n");
      /* Translators: %s is the path of a file */
      g_string_append_printf (text, _("The unreadable file was kept as %s; Backup Access started with an empty configuration."),
                              set_aside);
    }

  if (backup)
    {
      g_string_append (text, " ");
      g_string_append (text, _("Restore the last good copy, or add your organizations again."));
    }
  else if (g_error_matches (load_error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT))
    {
      g_string_append (text, " ");
      g_string_append (text, _("There is no earlier copy to restore: add your organizations again."));
    }

  gtk_info_bar_set_message_type (self->store_info_bar,
                                 ba_store_get_read_only (self->store) ? GTK_MESSAGE_INFO : GTK_MESSAGE_WARNING);
  gtk_label_set_text (self->store_info_label, text->str);
  gtk_info_bar_set_revealed (self->store_info_bar, TRUE);
}

static void
emit_or_explain (BaWindow *self,
                 guint     signal_id)
{
  gboolean handled = FALSE;

  if (self->selected == NULL)
    return;

  g_signal_emit (self, signals[signal_id], 0, self->selected, &handled);

  if (!handled)
    ba_window_add_toast (self, _("This version of Backup Access cannot manage this yet"));
}

/* Signal callbacks */

static GtkWidget *
create_organization_row_cb (gpointer item,
                            gpointer user_data)
{
  return ba_organization_row_new (BA_ORGANIZATION (item));
}

static void
on_organizations_items_changed_cb (BaWindow   *self,
                                   guint       position,
                                   guint       removed,
                                   guint       added,
                                   GListModel *model)
{
  update_main_page (self);
}

static void
on_organization_list_row_selected_cb (BaWindow      *self,
                                      GtkListBoxRow *row,
                                      GtkListBox    *list)
{
  set_selected (self, row != NULL ? ba_organization_row_get_organization (BA_ORGANIZATION_ROW (row)) : NULL);
}

static void
on_organization_list_row_activated_cb (BaWindow      *self,
                                       GtkListBoxRow *row,
                                       GtkListBox    *list)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_button_clicked_cb (BaWindow  *self,
                           GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_leaflet_notify_cb (BaWindow   *self,
                      GParamSpec *pspec,
                      AdwLeaflet *leaflet)
{
  gboolean in_details = adw_leaflet_get_folded (leaflet) &&
                        adw_leaflet_get_visible_child (leaflet) == GTK_WIDGET (self->details_stack);

  gtk_widget_set_visible (self->back_button, in_details);
}

static void
manage_applications_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  BaWindow *self = BA_WINDOW (widget);
  gboolean handled = FALSE;

  if (self->selected == NULL)
    return;

  /* A handler may open it instead (tests do); else the manager opens. */
  g_signal_emit (self, signals[MANAGE_APPLICATIONS], 0, self->selected, &handled);
  if (!handled)
    gtk_window_present (GTK_WINDOW (ba_applications_manager_new (GTK_WINDOW (self), self->store, self->selected)));
}

static void
manage_accounts_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  emit_or_explain (BA_WINDOW (widget), MANAGE_ACCOUNTS);
}

static void
show_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BaWindow *self = BA_WINDOW (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->organization_list);

  if (row != NULL)
    ba_organization_row_popup_menu (BA_ORGANIZATION_ROW (row));
}

static void
add_organization_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(BaOrganization) organization = NULL;
  g_autoptr(GError) error = NULL;

  organization = ba_add_organization_assistant_run_finish (BA_ADD_ORGANIZATION_ASSISTANT (object), result, &error);
  if (self->add_wizard == BA_ADD_ORGANIZATION_ASSISTANT (object))
    g_clear_object (&self->add_wizard);

  if (organization == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s(): %s", G_STRFUNC, error->message);
      return;
    }

  /* The list is bound to the store: the row is there already. */
  ba_window_select_organization (self, organization);
}

static void
add_organization_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  BaWindow *self = BA_WINDOW (widget);

  if (self->add_wizard != NULL)
    {
      gtk_window_present (GTK_WINDOW (_ba_add_organization_assistant_get_assistant (self->add_wizard)));
      return;
    }

  self->add_wizard = ba_add_organization_assistant_new (GTK_WINDOW (self), self->store,
                                                        ba_window_get_certificate_store (self));
  ba_add_organization_assistant_run_async (self->add_wizard, NULL, add_organization_cb, g_object_ref (self));
}

static void
copy_text_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BaWindow *self = BA_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), g_variant_get_string (param, NULL));
  /* The copy is silent otherwise. */
  ba_window_add_toast (self, _("Copied to the clipboard"));
}

static void
restore_backup_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  BaWindow *self = BA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!ba_store_restore_backup (self->store, &error))
    {
      ba_window_add_toast (self, error->message);
      return;
    }

  ba_window_add_toast (self, _("The last good copy of the configuration was restored"));
}

/* Parent overrides */

static void
ba_window_constructed (GObject *object)
{
  BaWindow *self = (BaWindow *)object;
  GListModel *orgs;

  G_OBJECT_CLASS (ba_window_parent_class)->constructed (object);

  g_assert (BA_IS_STORE (self->store));

  orgs = ba_store_get_organizations (self->store);
  gtk_list_box_bind_model (self->organization_list, orgs, create_organization_row_cb, NULL, NULL);
  g_signal_connect_object (orgs, "items-changed",
                           G_CALLBACK (on_organizations_items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->store, "notify::load-error", G_CALLBACK (update_store_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify::set-aside-path", G_CALLBACK (update_store_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify::backup-available", G_CALLBACK (update_store_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify::read-only", G_CALLBACK (update_store_state), self, G_CONNECT_SWAPPED);

  update_store_state (self);
  update_actions (self);
  update_main_page (self);
}

static gboolean
ba_window_close_request (GtkWindow *window)
{
  BaWindow *self = BA_WINDOW (window);
  int width;
  int height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (ba_window_parent_class)->close_request (window);
}

static void
ba_window_dispose (GObject *object)
{
  BaWindow *self = (BaWindow *)object;

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, on_selected_changed_cb, self);
  g_clear_object (&self->selected);
  g_clear_object (&self->add_wizard);
  g_clear_object (&self->certificates);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_WINDOW);

  G_OBJECT_CLASS (ba_window_parent_class)->dispose (object);
}

static void
ba_window_finalize (GObject *object)
{
  BaWindow *self = (BaWindow *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->detail_groups, g_ptr_array_unref);

  G_OBJECT_CLASS (ba_window_parent_class)->finalize (object);
}

static void
ba_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BaWindow *self = BA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SELECTED_ORGANIZATION:
      g_value_set_object (value, self->selected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BaWindow *self = BA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_window_class_init (BaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ba_window_constructed;
  object_class->dispose = ba_window_dispose;
  object_class->finalize = ba_window_finalize;
  object_class->get_property = ba_window_get_property;
  object_class->set_property = ba_window_set_property;
  window_class->close_request = ba_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         BA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ORGANIZATION] =
    g_param_spec_object ("selected-organization", NULL, NULL,
                         BA_TYPE_ORGANIZATION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BaWindow::manage-applications:
   * @organization: the organization
   *
   * Opens the Backup Applications Manager; a handler returns %TRUE when it
   * did, so the window can tell the admin when nothing could.
   */
  signals[MANAGE_APPLICATIONS] =
    g_signal_new ("manage-applications",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BA_TYPE_ORGANIZATION);
  signals[MANAGE_ACCOUNTS] =
    g_signal_new ("manage-accounts",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BA_TYPE_ORGANIZATION);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, store_info_bar);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, store_info_label);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, restore_backup_button);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, empty_add_button);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, organization_list);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, details_stack);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, details_page);
  gtk_widget_class_bind_template_callback (widget_class, on_organization_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_organization_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_notify_cb);

  gtk_widget_class_install_action (widget_class, "win.add-organization", NULL, add_organization_action);
  gtk_widget_class_install_action (widget_class, "win.restore-backup", NULL, restore_backup_action);
  gtk_widget_class_install_action (widget_class, "win.copy-text", "s", copy_text_action);
  gtk_widget_class_install_action (widget_class, "org.manage-applications", NULL, manage_applications_action);
  gtk_widget_class_install_action (widget_class, "org.manage-accounts", NULL, manage_accounts_action);
  gtk_widget_class_install_action (widget_class, "org.show-menu", NULL, show_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "org.show-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "org.show-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-organization", NULL);

  g_type_ensure (BA_TYPE_ORGANIZATION_ROW);
}

static void
ba_window_init (BaWindow *self)
{
  self->detail_groups = g_ptr_array_new ();
  self->settings = g_settings_new (BASE_APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/* Public API */

BaWindow *
ba_window_new (GtkApplication *application,
               BaStore        *store)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (BA_IS_STORE (store), NULL);

  return g_object_new (BA_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

BaStore *
ba_window_get_store (BaWindow *self)
{
  g_return_val_if_fail (BA_IS_WINDOW (self), NULL);

  return self->store;
}

/* The certificates that "Install…" offers; the window makes its own when
 * none was given. */
BaCertificateStore *
ba_window_get_certificate_store (BaWindow *self)
{
  g_return_val_if_fail (BA_IS_WINDOW (self), NULL);

  if (self->certificates == NULL)
    self->certificates = ba_certificate_store_new (NULL, TRUE);

  return self->certificates;
}

void
ba_window_set_certificate_store (BaWindow           *self,
                                 BaCertificateStore *certificates)
{
  g_return_if_fail (BA_IS_WINDOW (self));
  g_return_if_fail (!certificates || BA_IS_CERTIFICATE_STORE (certificates));

  g_set_object (&self->certificates, certificates);
}

BaAddOrganizationAssistant *
_ba_window_get_add_organization_assistant (BaWindow *self)
{
  g_return_val_if_fail (BA_IS_WINDOW (self), NULL);

  return self->add_wizard;
}

BaOrganization *
ba_window_get_selected_organization (BaWindow *self)
{
  g_return_val_if_fail (BA_IS_WINDOW (self), NULL);

  return self->selected;
}

void
ba_window_select_organization (BaWindow       *self,
                               BaOrganization *organization)
{
  GListModel *orgs;
  guint n_items;

  g_return_if_fail (BA_IS_WINDOW (self));
  g_return_if_fail (!organization || BA_IS_ORGANIZATION (organization));

  if (organization == NULL)
    {
      gtk_list_box_unselect_all (self->organization_list);
      return;
    }

  orgs = ba_store_get_organizations (self->store);
  n_items = g_list_model_get_n_items (orgs);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaOrganization) item = g_list_model_get_item (orgs, i);

      if (item == organization)
        {
          gtk_list_box_select_row (self->organization_list,
                                   gtk_list_box_get_row_at_index (self->organization_list, i));
          return;
        }
    }
}

void
ba_window_add_toast (BaWindow   *self,
                     const char *title)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (BA_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  /* Toast titles are markup in libadwaita 1.2; messages may hold paths or
   * names with '&' or '<'. */
  escaped = g_markup_escape_text (title, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}
