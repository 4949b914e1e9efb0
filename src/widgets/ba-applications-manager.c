/* ba-applications-manager.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ba-app-sign-in.h"
#include "ba-applications-manager.h"
#include "ba-graph-client.h"
#include "ba-provisioner.h"

/* A certificate this close to expiry is flagged. */
#define EXPIRY_WARNING_DAYS 30

typedef enum {
  COLUMN_NAME,
  COLUMN_APP_ID,
  COLUMN_CERTIFICATE,
  COLUMN_ORIGIN,
  COLUMN_STATE,
} Column;

typedef enum {
  OP_NONE,
  OP_ADD,
  OP_UPDATE,
  OP_VERIFY,
  OP_DELETE,
  OP_RESUME,
  OP_REMOVE_PREVIOUS,
} Operation;

typedef void (*SignedInFunc) (BaApplicationsManager *self);

struct _BaApplicationsManager
{
  AdwWindow parent_instance;

  /* Template widgets */
  GtkLabel *policy_label;
  GtkInfoBar *incomplete_bar;
  GtkLabel *incomplete_label;
  GtkColumnView *column_view;
  GtkLabel *status_label;
  GtkSpinner *spinner;

  /* Owned */
  BaStore *store;
  BaOrganization *organization;
  BaCertificateStore *certificates;
  BaCloud *cloud;
  GtkMultiSelection *selection;
  GCancellable *cancellable;
  BaSession *session;
  BaGraphClient *client;
  BaProvisioner *provisioner;
  BaSelectCertificateAssistant *certificate_assistant;
  BaCreateApplicationAssistant *create_assistant;
  GPtrArray *queue;          /* BaBackupApplication, the operation's */
  BaCertificate *certificate;
  char *configure_app_id;
  guint interval_ms;
  guint replication_timeout_ms;
  guint retry_base_delay_ms;
  Operation operation;
  /* Updated applications → the certificate they had before (Previous),
   * which the admin may remove once the new one works */
  GHashTable *previous;
  guint n_done;
  guint n_failed;
  guint n_records_before;    /* deleted-application records when a delete started */
  gboolean busy;

  /* Sign-in dialog (owned window) */
  GtkWindow *sign_in_window;
  BaSignInPage *sign_in_page;
  SignedInFunc signed_in;

  /* Add Applications window (owned) */
  GtkWindow *add_window;
  GtkEditable *add_search;
  GtkMultiSelection *add_selection;
  GListStore *candidates;
  GtkCustomFilter *add_filter;
  GtkLabel *add_status;
  GtkWidget *add_button;
  GCancellable *add_cancellable;  /* its listing: a window opened again must not get the old one's */

  /* The open question (owned window) */
  AdwMessageDialog *dialog;
  GtkCheckButton *dialog_check;

  /* Deleted Applications window (owned) */
  GtkWindow *deleted_window;
  GtkListBox *deleted_list;
};

G_DEFINE_FINAL_TYPE (BaApplicationsManager, ba_applications_manager, ADW_TYPE_WINDOW)

typedef struct
{
  char *thumbprint;
  char *key_id;
} Previous;

static Previous *
previous_new (const char *thumbprint,
              const char *key_id)
{
  Previous *previous = g_new0 (Previous, 1);

  previous->thumbprint = g_strdup (thumbprint);
  previous->key_id = g_strdup (key_id);

  return previous;
}

static void
previous_free (Previous *previous)
{
  g_free (previous->thumbprint);
  g_free (previous->key_id);
  g_free (previous);
}

static void offer_remove_previous (BaApplicationsManager *self);

static void update_actions (BaApplicationsManager *self);
static void update_incomplete (BaApplicationsManager *self);
static void run_next (BaApplicationsManager *self);

/* Auxiliary methods */

static void
set_status (BaApplicationsManager *self,
            const char            *status)
{
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, status != NULL ? status : "",
                                  -1);
}

static void
set_busy (BaApplicationsManager *self,
          gboolean               busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (!busy)
    self->operation = OP_NONE;
  update_actions (self);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    g_warning ("The backup configuration could not be saved: %s", error->message);
}

static void
save_store (BaApplicationsManager *self)
{
  ba_store_save_async (self->store, NULL, save_cb, NULL);
}

static GPtrArray *
get_selected (BaApplicationsManager *self)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  GPtrArray *selected = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items = g_list_model_get_n_items (model);

  for (guint i = 0; i < n_items; i++)
    if (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), i))
      g_ptr_array_add (selected, g_list_model_get_item (model, i));

  return selected;
}

/* What resume continues (ba_provisioner_list_incomplete ()): a failed
 * application too, as the summary of a run with failures says. */
static gboolean
is_incomplete (BaBackupApplication *app)
{
  return ba_backup_application_get_state (app) != BA_PROVISIONING_STATE_READY;
}

static GPtrArray *
list_incomplete (BaApplicationsManager *self)
{
  GListModel *apps = ba_organization_get_applications (self->organization);
  GPtrArray *incomplete = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

      if (is_incomplete (app))
        g_ptr_array_add (incomplete, g_steal_pointer (&app));
    }

  return incomplete;
}

static void
update_actions (BaApplicationsManager *self)
{
  g_autoptr(GPtrArray) selected = get_selected (self);
  gboolean idle = !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.add", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.create", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.update-certificate", idle && selected->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.verify", idle && selected->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.remove", idle && selected->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.resume", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.delete-incomplete", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.configure-certificate", idle);
  /* Only looks: it may open while an operation runs, and follows it. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manager.show-deleted",
                                 g_list_model_get_n_items (ba_organization_get_deleted_applications (self->organization)) > 0);
}

static char *
describe_certificate (BaBackupApplication *app,
                      gboolean            *warning)
{
  const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);
  GDateTime *expiry = ba_backup_application_get_certificate_expiry (app);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = NULL;
  GTimeSpan left;

  *warning = FALSE;

  if (thumbprint == NULL || *thumbprint == '\0')
    return NULL;

  if (expiry == NULL)
    return g_strdup (thumbprint);

  date = g_date_time_format (expiry, "%x");
  left = g_date_time_difference (expiry, now);
  *warning = left < EXPIRY_WARNING_DAYS * G_TIME_SPAN_DAY;

  if (left <= 0)
    /* Translators: a thumbprint, then a date */
    return g_strdup_printf (_("%s, expired on %s"), thumbprint, date);
  if (*warning)
    /* Translators: a thumbprint, then a date */
    return g_strdup_printf (_("%s, expires soon, on %s"), thumbprint, date);

  /* Translators: a thumbprint, then a date */
  return g_strdup_printf (_("%s, expires on %s"), thumbprint, date);
}

static const char *
describe_origin (BaBackupApplication *app)
{
  switch (ba_backup_application_get_origin (app))
    {
    case BA_APPLICATION_ORIGIN_ORGANIZATION:
      return _("The organization’s own");
    case BA_APPLICATION_ORIGIN_CREATED:
      return _("Created");
    case BA_APPLICATION_ORIGIN_ADDED:
      return _("Added");
    default:
      return "";
    }
}

static char *
describe_state (BaBackupApplication *app)
{
  const char *verification_error = ba_backup_application_get_verification_error (app);
  GDateTime *verified = ba_backup_application_get_last_verified (app);

  switch (ba_backup_application_get_state (app))
    {
    case BA_PROVISIONING_STATE_READY:
      if (verification_error != NULL)
        /* Translators: %s says why the check failed */
        return g_strdup_printf (_("Verification failed: %s"), verification_error);
      if (verified != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (verified);
          g_autofree char *date = g_date_time_format (local, "%x %X");

          /* Translators: %s is a date and time */
          return g_strdup_printf (_("Ready, verified %s"), date);
        }
      return g_strdup (_("Ready"));
    case BA_PROVISIONING_STATE_CREATING:
      return g_strdup (_("Incomplete: being created"));
    case BA_PROVISIONING_STATE_APPLICATION_CREATED:
      return g_strdup (_("Incomplete: needs its service principal"));
    case BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED:
      return g_strdup (_("Incomplete: needs its permissions"));
    case BA_PROVISIONING_STATE_PERMISSIONS_GRANTED:
      return g_strdup (_("Incomplete: permissions granted"));
    case BA_PROVISIONING_STATE_FAILED:
      {
        const char *reason = ba_backup_application_get_failure_reason (app);

        /* Translators: %s says why */
        return g_strdup_printf (_("Failed: %s"), reason != NULL ? reason : _("no reason recorded"));
      }
    default:
      return g_strdup ("");
    }
}

static void
update_cell (GtkListItem *item)
{
  BaBackupApplication *app = gtk_list_item_get_item (item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "ba-column"));
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *label = GTK_LABEL (gtk_widget_get_first_child (box));
  GtkWidget *button = gtk_widget_get_next_sibling (GTK_WIDGET (label));
  g_autofree char *text = NULL;
  gboolean warning = FALSE;

  if (app == NULL)
    return;

  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");

  switch (column)
    {
    case COLUMN_NAME:
      text = g_strdup (ba_backup_application_get_display_name (app));
      break;

    case COLUMN_APP_ID:
      text = g_strdup (ba_backup_application_get_app_id (app));
      break;

    case COLUMN_CERTIFICATE:
      text = describe_certificate (app, &warning);
      if (text == NULL)
        {
          g_autofree char *a11y = NULL;
          const char *name = ba_backup_application_get_display_name (app);

          gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
          gtk_widget_set_visible (button, ba_backup_application_get_app_id (app) != NULL);
          gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                                  g_variant_new_string (ba_backup_application_get_app_id (app) != NULL
                                                                        ? ba_backup_application_get_app_id (app) : ""));
          /* Translators: %s is an application's name */
          a11y = g_strdup_printf (_("Choose the certificate of %s"), name != NULL ? name : "");
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                          -1);
          text = g_strdup (_("Not configured"));
        }
      else if (warning)
        gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
      break;

    case COLUMN_ORIGIN:
      text = g_strdup (describe_origin (app));
      break;

    case COLUMN_STATE:
      text = describe_state (app);
      if (ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_FAILED ||
          ba_backup_application_get_verification_error (app) != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_with_label (_("Not configured"));

  g_object_set_data (G_OBJECT (item), "ba-column", user_data);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_selectable (GTK_LABEL (label), GPOINTER_TO_INT (user_data) == COLUMN_APP_ID);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, _("Choose the certificate already registered on this application"));
  /* The target first: an action with a parameter refuses a button without one. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "manager.configure-certificate");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gtk_list_item_set_child (item, box);
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  BaBackupApplication *app = gtk_list_item_get_item (item);
  gulong id;

  id = g_signal_connect_object (app, "notify", G_CALLBACK (update_cell), item, G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (item), "ba-handler", GSIZE_TO_POINTER (id));
  update_cell (item);
}

static void
on_cell_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  BaBackupApplication *app = gtk_list_item_get_item (item);
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "ba-handler"));

  if (app != NULL && id != 0)
    g_signal_handler_disconnect (app, id);
  g_object_set_data (G_OBJECT (item), "ba-handler", NULL);
}

static void
add_column (BaApplicationsManager *self,
            const char            *title,
            Column                 column,
            gboolean               expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind_cb), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

static BaProvisioner *
get_provisioner (BaApplicationsManager *self)
{
  g_assert (self->client != NULL);

  if (self->provisioner == NULL)
    {
      self->provisioner = ba_provisioner_new (self->client, self->store, self->organization);
      if (self->replication_timeout_ms > 0)
        ba_provisioner_set_replication_timeout (self->provisioner, self->replication_timeout_ms);
      if (self->retry_base_delay_ms > 0)
        ba_provisioner_set_retry_base_delay (self->provisioner, self->retry_base_delay_ms);
    }

  return self->provisioner;
}

/* Sign-in */

static void
close_sign_in_window (BaApplicationsManager *self)
{
  GtkWindow *window = g_steal_pointer (&self->sign_in_window);

  self->sign_in_page = NULL;
  if (window != NULL)
    gtk_window_destroy (window);
}

static void
on_sign_in_session_cb (BaApplicationsManager *self,
                       GParamSpec            *pspec,
                       BaSignInPage          *page)
{
  BaSession *session = ba_sign_in_page_get_session (page);
  SignedInFunc signed_in;

  if (session == NULL)
    return;

  g_set_object (&self->session, session);
  g_clear_object (&self->client);
  g_clear_object (&self->provisioner);
  self->client = ba_graph_client_new (ba_session_get_cloud (session), session);

  signed_in = self->signed_in;
  self->signed_in = NULL;
  close_sign_in_window (self);
  if (signed_in != NULL)
    signed_in (self);
}

static gboolean
on_sign_in_close_request_cb (BaApplicationsManager *self,
                             GtkWindow             *window)
{
  /* Closed without signing in: the operation does not happen. */
  self->signed_in = NULL;
  self->sign_in_page = NULL;
  self->sign_in_window = NULL;
  set_status (self, _("Not signed in: nothing was changed."));
  set_busy (self, FALSE);
  return FALSE;
}

static void
with_admin_session (BaApplicationsManager *self,
                    SignedInFunc           signed_in)
{
  GtkWidget *window;
  GtkWidget *header;
  GtkWidget *page;

  if (self->session != NULL)
    {
      signed_in (self);
      return;
    }

  self->signed_in = signed_in;
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _("Sign In"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 480);
  header = adw_header_bar_new ();
  gtk_window_set_titlebar (GTK_WINDOW (window), header);

  page = ba_sign_in_page_new ();
  if (self->cloud != NULL)
    ba_sign_in_page_set_cloud (BA_SIGN_IN_PAGE (page), self->cloud);
  ba_sign_in_page_set_tenant (BA_SIGN_IN_PAGE (page), ba_organization_get_tenant_id (self->organization));
  if (self->interval_ms > 0)
    _ba_sign_in_page_set_interval_ms (BA_SIGN_IN_PAGE (page), self->interval_ms);
  g_signal_connect_object (page, "notify::session", G_CALLBACK (on_sign_in_session_cb), self, G_CONNECT_SWAPPED);
  gtk_window_set_child (GTK_WINDOW (window), page);
  g_signal_connect_object (window, "close-request", G_CALLBACK (on_sign_in_close_request_cb), self, G_CONNECT_SWAPPED);

  self->sign_in_window = GTK_WINDOW (window);
  self->sign_in_page = BA_SIGN_IN_PAGE (page);
  set_status (self, _("Sign in as an administrator of the organization to go on."));
  gtk_window_present (GTK_WINDOW (window));
  ba_wizard_page_prepare (BA_WIZARD_PAGE (page));
}

/* Sequential operations: one application at a time */

static void
operation_done (BaApplicationsManager *self)
{
  g_autofree char *text = NULL;
  guint n_ok = self->n_done - self->n_failed;
  Operation operation = self->operation;

  switch (self->operation)
    {
    case OP_UPDATE:
      /* Translators: %u are numbers of applications */
      text = g_strdup_printf (_("Certificate updated on %u of %u applications."), n_ok, self->n_done);
      break;
    case OP_REMOVE_PREVIOUS:
      /* Translators: %u are numbers of applications */
      text = g_strdup_printf (_("Previous certificate removed from %u of %u applications."), n_ok, self->n_done);
      g_hash_table_remove_all (self->previous);
      break;
    case OP_VERIFY:
      text = self->n_failed == 0
             ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u application verified: it signs in.",
                                             "%u applications verified: they sign in.", n_ok), n_ok)
             : g_strdup_printf (_("%u of %u applications could not be verified: see their state."),
                                self->n_failed, self->n_done);
      break;
    case OP_DELETE:
      {
        GListModel *records = ba_organization_get_deleted_applications (self->organization);
        g_autofree char *deleted = NULL;

        deleted = g_strdup_printf (_("Deleted %u of %u applications from Microsoft Entra ID and the backup configuration."),
                                   n_ok, self->n_done);

        /* Only what reached Entra ID is there to restore: an application
         * that was never created leaves no record. */
        if (g_list_model_get_n_items (records) > self->n_records_before)
          {
            g_autofree char *kept = NULL;

            /* Inside the call: xgettext keeps a comment only on the line before the string. */
            kept = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 /* Translators: %u is a number of days; “Deleted Applications” is a button of this window */
                                                 "Microsoft Entra ID keeps them for %u day among its deleted applications, where they can be restored. “Deleted Applications” has the record.",
                                                 "Microsoft Entra ID keeps them for %u days among its deleted applications, where they can be restored. “Deleted Applications” has the record.",
                                                 BA_DELETED_APPLICATION_RESTORABLE_DAYS),
                                    BA_DELETED_APPLICATION_RESTORABLE_DAYS);
            text = g_strdup_printf ("%s %s", deleted, kept);
          }
        else
          text = g_steal_pointer (&deleted);
      }
      break;
    case OP_NONE:
    case OP_ADD:
    case OP_RESUME:
    default:
      break;
    }

  g_ptr_array_set_size (self->queue, 0);
  g_clear_object (&self->certificate);
  save_store (self);
  set_status (self, text);
  set_busy (self, FALSE);
  update_incomplete (self);

  if (operation == OP_UPDATE && g_hash_table_size (self->previous) > 0)
    offer_remove_previous (self);
}

static void
step_done (BaApplicationsManager *self,
           BaBackupApplication   *app,
           const GError          *error)
{
  self->n_done++;
  if (error != NULL)
    {
      self->n_failed++;
      g_debug ("%s(): %s: %s", G_STRFUNC,
               ba_backup_application_get_app_id (app) != NULL ? ba_backup_application_get_app_id (app) : "-",
               error->message);
    }
  run_next (self);
}

typedef void (*RecordFunc) (BaBackupApplication *app,
                            const char          *message);

/* Ends one step of the queue with the provisioner's outcome, @record
 * keeping a failure on the application; a cancelled step ends nothing,
 * since only dispose cancels and the manager may be going away. */
static void
finish_step (BaBackupApplication *app,
             const GError        *error,
             RecordFunc           record)
{
  BaApplicationsManager *self = g_object_get_data (G_OBJECT (app), "ba-manager");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    record (app, error->message);
  step_done (self, app, error);
}

static void
update_certificate_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BaBackupApplication) app = user_data;
  BaApplicationsManager *self = g_object_get_data (G_OBJECT (app), "ba-manager");
  g_autoptr(GError) error = NULL;

  ba_provisioner_update_certificate_finish (BA_PROVISIONER (object), result, &error);
  /* The previous certificate is the one that works: it must stay. */
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_hash_table_remove (self->previous, app);
  finish_step (app, error, ba_backup_application_set_verification_error);
}

static void
remove_certificate_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BaBackupApplication) app = user_data;
  g_autoptr(GError) error = NULL;

  ba_provisioner_remove_certificate_finish (BA_PROVISIONER (object), result, &error);
  finish_step (app, error, ba_backup_application_set_verification_error);
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaBackupApplication) app = user_data;
  g_autoptr(GError) error = NULL;

  ba_provisioner_delete_finish (BA_PROVISIONER (object), result, &error);
  finish_step (app, error, ba_backup_application_set_failure_reason);
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaBackupApplication) app = user_data;
  BaApplicationsManager *self = g_object_get_data (G_OBJECT (app), "ba-manager");
  g_autoptr(BaAppSignIn) verified = NULL;
  g_autoptr(GError) error = NULL;

  verified = ba_app_sign_in_verify_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (verified != NULL)
    {
      ba_backup_application_set_verification_error (app, NULL);
      ba_backup_application_set_last_verified (app, ba_app_sign_in_get_verified_at (verified));
    }
  else
    ba_backup_application_set_verification_error (app, error->message);

  step_done (self, app, error);
}

static void
run_next (BaApplicationsManager *self)
{
  g_autoptr(BaBackupApplication) app = NULL;

  if (self->n_done >= self->queue->len)
    {
      operation_done (self);
      return;
    }

  app = g_object_ref (g_ptr_array_index (self->queue, self->n_done));
  /* Borrowed: the manager outlives its operations' callbacks, which return
   * at once on cancellation (dispose cancels). */
  g_object_set_data (G_OBJECT (app), "ba-manager", self);

  switch (self->operation)
    {
    case OP_UPDATE:
      {
        const char *old = ba_backup_application_get_certificate_thumbprint (app);

        /* Kept until it is known whether the new one works. */
        if (old != NULL && g_ascii_strcasecmp (old, ba_certificate_get_sha1_thumbprint (self->certificate)) != 0)
          g_hash_table_replace (self->previous, g_object_ref (app),
                                previous_new (old, ba_backup_application_get_key_id (app)));
        ba_provisioner_update_certificate_async (get_provisioner (self), app, self->certificate, FALSE,
                                                 self->cancellable, update_certificate_cb, g_object_ref (app));
      }
      break;

    case OP_REMOVE_PREVIOUS:
      {
        Previous *previous = g_hash_table_lookup (self->previous, app);

        ba_provisioner_remove_certificate_async (get_provisioner (self), app, previous->thumbprint, previous->key_id,
                                                 self->cancellable, remove_certificate_cb, g_object_ref (app));
      }
      break;

    case OP_DELETE:
      ba_provisioner_delete_async (get_provisioner (self), app, self->cancellable, delete_cb, g_object_ref (app));
      break;

    case OP_VERIFY:
      {
        const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);
        BaCertificate *certificate = thumbprint != NULL
                                     ? ba_certificate_store_lookup (self->certificates, thumbprint) : NULL;
        g_autoptr(GError) error = NULL;

        if (ba_backup_application_get_app_id (app) == NULL)
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       _("The application was never created: resume or remove it."));
        else if (thumbprint == NULL)
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       _("No certificate is configured: choose the one registered on the application."));
        else if (certificate == NULL)
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       _("The certificate’s key is not in the key store: import it, or update the certificate."));

        if (error != NULL)
          {
            ba_backup_application_set_verification_error (app, error->message);
            step_done (self, app, error);
            return;
          }

        ba_app_sign_in_verify_async (self->cloud, ba_organization_get_tenant_id (self->organization),
                                     ba_backup_application_get_app_id (app), certificate, NULL,
                                     self->cancellable, verify_cb, g_object_ref (app));
      }
      break;

    case OP_NONE:
    case OP_ADD:
    case OP_RESUME:
    default:
      g_assert_not_reached ();
    }
}

static void
start_queue (BaApplicationsManager *self)
{
  self->n_done = 0;
  self->n_failed = 0;
  run_next (self);
}

/* Add */

static gboolean
candidate_matches (gpointer item,
                   gpointer user_data)
{
  BaApplicationsManager *self = user_data;
  BaBackupApplication *app = item;
  const char *text = self->add_search != NULL ? gtk_editable_get_text (self->add_search) : "";
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;

  if (text == NULL || *text == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  name = g_utf8_casefold (ba_backup_application_get_display_name (app) != NULL
                          ? ba_backup_application_get_display_name (app) : "", -1);

  return strstr (name, needle) != NULL ||
         strstr (ba_backup_application_get_app_id (app), text) != NULL;
}

static void
on_add_search_changed_cb (BaApplicationsManager *self)
{
  gtk_filter_changed (GTK_FILTER (self->add_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_add_selection_changed_cb (BaApplicationsManager *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->add_selection));

  gtk_widget_set_sensitive (self->add_button, !gtk_bitset_is_empty (selected));
}

static void
close_add_window (BaApplicationsManager *self)
{
  GtkWindow *window = g_steal_pointer (&self->add_window);

  g_cancellable_cancel (self->add_cancellable);
  g_clear_object (&self->add_cancellable);
  self->add_search = NULL;
  g_clear_object (&self->add_selection);
  g_clear_object (&self->candidates);
  g_clear_object (&self->add_filter);
  self->add_status = NULL;
  self->add_button = NULL;
  if (window != NULL)
    gtk_window_destroy (window);
}

static void
on_add_confirmed_cb (BaApplicationsManager *self)
{
  GListModel *model = G_LIST_MODEL (self->add_selection);
  guint n_added = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(BaBackupApplication) candidate = NULL;
      g_autoptr(BaBackupApplication) app = NULL;

      if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->add_selection), i))
        continue;

      candidate = g_list_model_get_item (model, i);
      if (ba_organization_find_application (self->organization, ba_backup_application_get_app_id (candidate)) != NULL)
        continue;

      app = ba_backup_application_new (ba_backup_application_get_app_id (candidate));
      ba_backup_application_set_object_id (app, ba_backup_application_get_object_id (candidate));
      ba_backup_application_set_display_name (app, ba_backup_application_get_display_name (candidate));
      ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_ADDED);
      ba_backup_application_set_state (app, BA_PROVISIONING_STATE_READY);
      ba_organization_add_application (self->organization, app);
      n_added++;
    }

  save_store (self);
  close_add_window (self);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u application added. Choose its certificate under “Not configured”.",
                                       "%u applications added. Choose their certificates under “Not configured”.",
                                       n_added),
                          n_added);
  set_status (self, text);
  set_busy (self, FALSE);
}

static gboolean
on_add_close_request_cb (BaApplicationsManager *self,
                         GtkWindow             *window)
{
  self->add_window = NULL;
  close_add_window (self);
  set_status (self, NULL);
  set_busy (self, FALSE);
  return FALSE;
}

static void
on_candidate_setup_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_candidate_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  BaBackupApplication *app = gtk_list_item_get_item (item);
  g_autofree char *text = NULL;

  /* Translators: an application's name, then its application ID */
  text = g_strdup_printf (_("%s — %s"),
                          ba_backup_application_get_display_name (app) != NULL
                          ? ba_backup_application_get_display_name (app) : "",
                          ba_backup_application_get_app_id (app));
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
candidates_page_cb (JsonArray *page,
                    gpointer   user_data)
{
  BaApplicationsManager *self = user_data;
  const char *own = ba_organization_get_own_application_id (self->organization);

  if (self->candidates == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (page); i++)
    {
      JsonObject *object = json_array_get_object_element (page, i);
      const char *app_id = object != NULL && json_object_has_member (object, "appId")
                           ? json_object_get_string_member (object, "appId") : NULL;
      g_autoptr(BaBackupApplication) app = NULL;

      /* The organization's own application is in the pool by default. */
      if (app_id == NULL || g_strcmp0 (app_id, own) == 0 ||
          ba_organization_find_application (self->organization, app_id) != NULL)
        continue;

      app = ba_backup_application_new (app_id);
      if (json_object_has_member (object, "id"))
        ba_backup_application_set_object_id (app, json_object_get_string_member (object, "id"));
      if (json_object_has_member (object, "displayName") && !json_object_get_null_member (object, "displayName"))
        ba_backup_application_set_display_name (app, json_object_get_string_member (object, "displayName"));
      g_list_store_append (self->candidates, app);
    }
}

static void
list_candidates_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BaApplicationsManager) self = user_data;
  g_autoptr(JsonArray) all = NULL;
  g_autoptr(GError) error = NULL;

  all = ba_graph_client_get_all_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->add_status == NULL)
    return;

  if (all == NULL)
    {
      gtk_label_set_text (self->add_status, error->message);
      return;
    }

  gtk_label_set_text (self->add_status,
                      g_list_model_get_n_items (G_LIST_MODEL (self->candidates)) == 0
                      ? _("The tenant has no other applications.")
                      : _("Select the applications to add. Grant them the backup permissions in Microsoft Entra ID first."));
}

static void
open_add_window (BaApplicationsManager *self)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *search = gtk_search_entry_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkFilterListModel *filtered;
  GtkWidget *list;
  GtkWidget *status = gtk_label_new (_("Reading the tenant’s applications…"));
  GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add"));

  gtk_window_set_title (GTK_WINDOW (window), _("Add Applications"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 480);
  gtk_window_set_titlebar (GTK_WINDOW (window), header);
  gtk_widget_add_css_class (add, "suggested-action");
  gtk_widget_set_sensitive (add, FALSE);
  /* GTK would read the mnemonic's underscore out. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (add),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add"),
                                  -1);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), add);

  g_clear_object (&self->add_cancellable);
  self->add_cancellable = g_cancellable_new ();
  self->candidates = g_list_store_new (BA_TYPE_BACKUP_APPLICATION);
  self->add_filter = gtk_custom_filter_new (candidate_matches, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->candidates)),
                                        GTK_FILTER (g_object_ref (self->add_filter)));
  self->add_selection = gtk_multi_selection_new (G_LIST_MODEL (filtered));
  g_signal_connect_object (self->add_selection, "selection-changed",
                           G_CALLBACK (on_add_selection_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (on_candidate_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_candidate_bind_cb), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->add_selection)), factory);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("The tenant’s applications"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (search),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search applications by name or ID"),
                                  -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (status), 0);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), search);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_box_append (GTK_BOX (box), status);
  gtk_window_set_child (GTK_WINDOW (window), box);

  g_signal_connect_object (search, "search-changed", G_CALLBACK (on_add_search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_add_confirmed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "close-request", G_CALLBACK (on_add_close_request_cb), self, G_CONNECT_SWAPPED);

  self->add_window = GTK_WINDOW (window);
  self->add_search = GTK_EDITABLE (search);
  self->add_status = GTK_LABEL (status);
  self->add_button = add;
  gtk_window_present (GTK_WINDOW (window));

  ba_graph_client_get_all_async (self->client, "/applications?$select=id,appId,displayName", NULL,
                                 candidates_page_cb, self, self->add_cancellable,
                                 list_candidates_cb, g_object_ref (self));
}

/* Certificates */

typedef void (*CertificateFunc) (BaApplicationsManager *self,
                                 BaCertificate         *certificate);

static void
select_certificate_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BaApplicationsManager) self = user_data;
  CertificateFunc func = g_object_steal_data (G_OBJECT (object), "ba-then");
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &error);
  if (certificate == NULL)
    {
      set_status (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                        ? _("No certificate chosen: nothing was changed.") : error->message);
      set_busy (self, FALSE);
      return;
    }

  /* The chooser may have added one to the key store. */
  ba_certificate_store_refresh (self->certificates, NULL);
  func (self, certificate);
}

static void
choose_certificate (BaApplicationsManager *self,
                    CertificateFunc        then)
{
  g_clear_object (&self->certificate_assistant);
  self->certificate_assistant = ba_select_certificate_assistant_new (GTK_WINDOW (self), self->certificates);
  g_object_set_data (G_OBJECT (self->certificate_assistant), "ba-then", then);
  set_busy (self, TRUE);
  ba_select_certificate_assistant_run_async (self->certificate_assistant, NULL,
                                             select_certificate_cb, g_object_ref (self));
}

static void
configure_chosen (BaApplicationsManager *self,
                  BaCertificate         *certificate)
{
  BaBackupApplication *app = ba_organization_find_application (self->organization, self->configure_app_id);

  if (app != NULL)
    {
      ba_backup_application_set_certificate_thumbprint (app, ba_certificate_get_sha1_thumbprint (certificate));
      ba_backup_application_set_certificate_expiry (app, ba_certificate_get_not_after (certificate));
      ba_backup_application_set_verification_error (app, NULL);
      save_store (self);
      set_status (self, _("Certificate chosen. Verify checks that it is registered on the application."));
    }

  set_busy (self, FALSE);
}

static void
update_signed_in (BaApplicationsManager *self)
{
  self->operation = OP_UPDATE;
  start_queue (self);
}

static void
on_update_response_cb (BaApplicationsManager *self,
                       const char            *response,
                       AdwMessageDialog      *dialog)
{
  self->dialog = NULL;
  self->dialog_check = NULL;

  if (g_strcmp0 (response, "update") != 0)
    {
      g_ptr_array_set_size (self->queue, 0);
      set_status (self, _("Nothing was changed."));
      set_busy (self, FALSE);
      return;
    }

  g_hash_table_remove_all (self->previous);
  with_admin_session (self, update_signed_in);
}

static AdwMessageDialog *
ask (BaApplicationsManager *self,
     const char            *heading,
     const char            *body,
     const char            *action_id,
     const char            *action_label,
     gboolean               destructive,
     const char            *check_label,
     GCallback              callback)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    action_id, action_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), action_id,
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  self->dialog_check = NULL;
  if (check_label != NULL)
    {
      GtkWidget *check = gtk_check_button_new_with_mnemonic (check_label);

      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), check);
      self->dialog_check = GTK_CHECK_BUTTON (check);
    }

  g_signal_connect_object (dialog, "response", callback, self, G_CONNECT_SWAPPED);
  self->dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  return ADW_MESSAGE_DIALOG (dialog);
}

static void
remove_previous_signed_in (BaApplicationsManager *self)
{
  self->operation = OP_REMOVE_PREVIOUS;
  start_queue (self);
}

static void
on_remove_previous_response_cb (BaApplicationsManager *self,
                                const char            *response,
                                AdwMessageDialog      *dialog)
{
  GHashTableIter iter;
  gpointer app;

  self->dialog = NULL;
  self->dialog_check = NULL;

  if (g_strcmp0 (response, "remove") != 0)
    {
      g_hash_table_remove_all (self->previous);
      set_status (self, _("Both certificates can sign in. The previous one stays on the applications until it is removed in Microsoft Entra ID."));
      return;
    }

  g_ptr_array_set_size (self->queue, 0);
  g_hash_table_iter_init (&iter, self->previous);
  while (g_hash_table_iter_next (&iter, &app, NULL))
    g_ptr_array_add (self->queue, g_object_ref (app));
  set_busy (self, TRUE);
  /* Signed in already, for the update. */
  with_admin_session (self, remove_previous_signed_in);
}

/* Asked once the new certificate was seen to sign in, not before: until
 * then the previous one is what keeps the backup running. */
static void
offer_remove_previous (BaApplicationsManager *self)
{
  guint n = g_hash_table_size (self->previous);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of applications */
                                       "The new certificate signs in on %u application. Its previous certificate can sign in too, until it is removed.",
                                       "The new certificate signs in on %u applications. Their previous certificate can sign in too, until it is removed.",
                                       n),
                          n);
  dialog = ask (self, _("Remove the Previous Certificate?"), body, "remove", _("_Remove Previous"), TRUE,
                NULL, G_CALLBACK (on_remove_previous_response_cb));
  adw_message_dialog_set_response_label (dialog, "cancel", _("_Keep Both"));
}

static void
update_chosen (BaApplicationsManager *self,
               BaCertificate         *certificate)
{
  g_autofree char *body = NULL;

  g_set_object (&self->certificate, certificate);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of applications */
                                       "The new certificate is added to %u application next to its current ones, and the application is checked to sign in with it.",
                                       "The new certificate is added to %u applications next to their current ones, and each is checked to sign in with it.",
                                       self->queue->len),
                          self->queue->len);
  ask (self, _("Update the Certificate?"), body, "update", _("_Update"), FALSE,
       NULL, G_CALLBACK (on_update_response_cb));
}

/* Remove */

static void
delete_signed_in (BaApplicationsManager *self)
{
  self->n_records_before = g_list_model_get_n_items (ba_organization_get_deleted_applications (self->organization));
  self->operation = OP_DELETE;
  start_queue (self);
}

static void
on_remove_response_cb (BaApplicationsManager *self,
                       const char            *response,
                       AdwMessageDialog      *dialog)
{
  gboolean in_entra = self->dialog_check != NULL && gtk_check_button_get_active (self->dialog_check);
  g_autofree char *text = NULL;
  guint n_removed = 0;

  self->dialog = NULL;
  self->dialog_check = NULL;

  if (g_strcmp0 (response, "remove") != 0)
    {
      g_ptr_array_set_size (self->queue, 0);
      set_busy (self, FALSE);
      return;
    }

  if (in_entra)
    {
      with_admin_session (self, delete_signed_in);
      return;
    }

  for (guint i = 0; i < self->queue->len; i++)
    if (ba_organization_remove_application (self->organization, g_ptr_array_index (self->queue, i)))
      n_removed++;
  g_ptr_array_set_size (self->queue, 0);
  save_store (self);

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of applications */
                                       "%u application removed from the backup configuration; it still exists in Microsoft Entra ID.",
                                       "%u applications removed from the backup configuration; they still exist in Microsoft Entra ID.",
                                       n_removed),
                          n_removed);
  set_status (self, text);
  set_busy (self, FALSE);
  update_incomplete (self);
}

/* Resume */

static void
resume_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaApplicationsManager) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_provisioner_resume_finish (BA_PROVISIONER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_status (self, error->message);
    }
  else
    set_status (self, _("The incomplete applications are ready."));

  g_clear_object (&self->certificate);
  set_busy (self, FALSE);
  update_incomplete (self);
}

static void
resume_signed_in (BaApplicationsManager *self)
{
  const BaPermission *permissions;
  guint n_permissions;

  permissions = ba_permissions_for_backup_application (ba_organization_get_cloud (self->organization), &n_permissions);
  set_status (self, _("Finishing the incomplete applications…"));
  ba_provisioner_resume_async (get_provisioner (self), self->certificate, permissions, n_permissions,
                               self->cancellable, resume_cb, g_object_ref (self));
}

static void
update_incomplete (BaApplicationsManager *self)
{
  g_autoptr(GPtrArray) incomplete = list_incomplete (self);
  g_autofree char *text = NULL;

  if (incomplete->len == 0)
    {
      gtk_info_bar_set_revealed (self->incomplete_bar, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->incomplete_bar), FALSE);
      return;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of applications */
                                       "%u application was not finished: its run was interrupted or failed. Resume it, or delete it from Microsoft Entra ID.",
                                       "%u applications were not finished: their run was interrupted or failed. Resume them, or delete them from Microsoft Entra ID.",
                                       incomplete->len),
                          incomplete->len);
  gtk_label_set_text (self->incomplete_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->incomplete_bar), TRUE);
  gtk_info_bar_set_revealed (self->incomplete_bar, TRUE);
}

/* Deleted applications */

static char *
format_date (GDateTime *date_time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date_time);

  return g_date_time_format (local, "%x");
}

static GtkWidget *
create_deleted_row (BaDeletedApplication *record,
                    GDateTime            *now)
{
  const char *name = ba_deleted_application_get_display_name (record);
  const char *app_id = ba_deleted_application_get_app_id (record);
  g_autoptr(GDateTime) until = ba_deleted_application_dup_restorable_until (record);
  g_autofree char *deleted = format_date (ba_deleted_application_get_deleted_at (record));
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL && *name != '\0' ? name : app_id);

  if (g_date_time_compare (until, now) > 0)
    {
      g_autofree char *restorable = format_date (until);

      /* Translators: an application ID, the date it was deleted, then the last day it can be restored */
      subtitle = g_strdup_printf (_("Application ID: %s · Deleted: %s · Restorable until: %s"),
                                  app_id, deleted, restorable);
    }
  else
    {
      /* Translators: an application ID, then the date it was deleted */
      subtitle = g_strdup_printf (_("Application ID: %s · Deleted: %s · No longer restorable"),
                                  app_id, deleted);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  return row;
}

static void
populate_deleted_list (BaApplicationsManager *self)
{
  GListModel *records = ba_organization_get_deleted_applications (self->organization);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->deleted_list))) != NULL)
    gtk_list_box_remove (self->deleted_list, child);

  /* The organization keeps them oldest first; the one looked for is most
   * often the one just deleted. */
  for (guint i = g_list_model_get_n_items (records); i > 0; i--)
    {
      g_autoptr(BaDeletedApplication) record = g_list_model_get_item (records, i - 1);

      gtk_list_box_append (self->deleted_list, create_deleted_row (record, now));
    }
}

static void
on_deleted_applications_items_changed_cb (BaApplicationsManager *self)
{
  update_actions (self);
  /* A delete may finish while the list is open. */
  if (self->deleted_list != NULL)
    populate_deleted_list (self);
}

static void
close_deleted_window (BaApplicationsManager *self)
{
  GtkWindow *window = g_steal_pointer (&self->deleted_window);

  self->deleted_list = NULL;
  if (window != NULL)
    gtk_window_destroy (window);
}

static gboolean
on_deleted_close_request_cb (BaApplicationsManager *self,
                             GtkWindow             *window)
{
  self->deleted_window = NULL;
  self->deleted_list = NULL;
  return FALSE;
}

static void
open_deleted_window (BaApplicationsManager *self)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *intro = gtk_label_new (NULL);
  GtkWidget *list = gtk_list_box_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  g_autofree char *text = NULL;

  gtk_window_set_title (GTK_WINDOW (window), _("Deleted Applications"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  /* A plain window does not close on Escape as a dialog does. */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of days */
                                       "Microsoft Entra ID keeps a deleted application for %u day among its deleted applications, where an administrator can restore it.",
                                       "Microsoft Entra ID keeps a deleted application for %u days among its deleted applications, where an administrator can restore it.",
                                       BA_DELETED_APPLICATION_RESTORABLE_DAYS),
                          BA_DELETED_APPLICATION_RESTORABLE_DAYS);
  gtk_label_set_text (GTK_LABEL (intro), text);
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Applications deleted from Microsoft Entra ID"),
                                  -1);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), intro);
  gtk_box_append (GTK_BOX (box), list);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (content), scrolled);
  adw_window_set_content (ADW_WINDOW (window), content);

  g_signal_connect_object (window, "close-request", G_CALLBACK (on_deleted_close_request_cb), self, G_CONNECT_SWAPPED);

  self->deleted_window = GTK_WINDOW (window);
  self->deleted_list = GTK_LIST_BOX (list);
  populate_deleted_list (self);
  gtk_window_present (GTK_WINDOW (window));
}

/* Actions */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);

  set_busy (self, TRUE);
  self->operation = OP_ADD;
  with_admin_session (self, open_add_window);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaApplicationsManager) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_create_application_assistant_run_finish (BA_CREATE_APPLICATION_ASSISTANT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, error->message);

  set_busy (self, FALSE);
  update_incomplete (self);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);

  g_clear_object (&self->create_assistant);
  self->create_assistant = ba_create_application_assistant_new (GTK_WINDOW (self), self->store,
                                                                self->organization, self->certificates);
  if (self->interval_ms > 0)
    _ba_sign_in_page_set_interval_ms (BA_SIGN_IN_PAGE (_ba_create_application_assistant_get_page (self->create_assistant,
                                                                                                 "sign_in_page")),
                                      self->interval_ms);
  set_busy (self, TRUE);
  ba_create_application_assistant_run_async (self->create_assistant, self->cancellable,
                                             create_cb, g_object_ref (self));
}

static void
update_certificate_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);
  g_autoptr(GPtrArray) selected = get_selected (self);

  g_ptr_array_set_size (self->queue, 0);
  for (guint i = 0; i < selected->len; i++)
    g_ptr_array_add (self->queue, g_object_ref (g_ptr_array_index (selected, i)));
  choose_certificate (self, update_chosen);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);
  g_autoptr(GPtrArray) selected = get_selected (self);

  g_ptr_array_set_size (self->queue, 0);
  for (guint i = 0; i < selected->len; i++)
    g_ptr_array_add (self->queue, g_object_ref (g_ptr_array_index (selected, i)));

  ba_certificate_store_refresh (self->certificates, NULL);
  set_status (self, _("Signing in as each application…"));
  set_busy (self, TRUE);
  self->operation = OP_VERIFY;
  start_queue (self);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);
  g_autoptr(GPtrArray) selected = get_selected (self);
  g_autofree char *heading = NULL;

  g_ptr_array_set_size (self->queue, 0);
  for (guint i = 0; i < selected->len; i++)
    g_ptr_array_add (self->queue, g_object_ref (g_ptr_array_index (selected, i)));

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          /* Translators: %u is a number of applications */
                                          "Remove %u Application?",
                                          "Remove %u Applications?",
                                          selected->len),
                             selected->len);
  set_busy (self, TRUE);
  ask (self, heading,
       _("The backup server stops using them. Unless you delete them from Microsoft Entra ID too, they stay registered in the tenant."),
       "remove", _("_Remove"), TRUE,
       _("Also _delete from Microsoft Entra ID"),
       G_CALLBACK (on_remove_response_cb));
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);
  g_autoptr(GPtrArray) incomplete = list_incomplete (self);

  ba_certificate_store_refresh (self->certificates, NULL);
  g_clear_object (&self->certificate);
  for (guint i = 0; i < incomplete->len && self->certificate == NULL; i++)
    {
      const char *thumbprint = ba_backup_application_get_certificate_thumbprint (g_ptr_array_index (incomplete, i));
      BaCertificate *certificate = thumbprint != NULL ? ba_certificate_store_lookup (self->certificates, thumbprint) : NULL;

      if (certificate != NULL)
        self->certificate = g_object_ref (certificate);
    }

  if (self->certificate == NULL)
    {
      set_status (self, _("The certificate of the incomplete applications is not in the key store: import it, or delete them."));
      return;
    }

  set_busy (self, TRUE);
  self->operation = OP_RESUME;
  with_admin_session (self, resume_signed_in);
}

static void
delete_incomplete_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);
  g_autoptr(GPtrArray) incomplete = list_incomplete (self);

  g_ptr_array_set_size (self->queue, 0);
  for (guint i = 0; i < incomplete->len; i++)
    g_ptr_array_add (self->queue, g_object_ref (g_ptr_array_index (incomplete, i)));
  set_busy (self, TRUE);
  with_admin_session (self, delete_signed_in);
}

static void
configure_certificate_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);

  g_free (self->configure_app_id);
  self->configure_app_id = g_variant_dup_string (param, NULL);
  choose_certificate (self, configure_chosen);
}

static void
show_deleted_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BaApplicationsManager *self = BA_APPLICATIONS_MANAGER (widget);

  if (self->deleted_window != NULL)
    gtk_window_present (self->deleted_window);
  else
    open_deleted_window (self);
}

/* Parent overrides */

static void
ba_applications_manager_dispose (GObject *object)
{
  BaApplicationsManager *self = (BaApplicationsManager *)object;

  g_cancellable_cancel (self->cancellable);
  close_sign_in_window (self);
  close_add_window (self);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->dialog)));
  close_deleted_window (self);
  /* The organization may outlive the manager. */
  if (self->organization != NULL)
    g_signal_handlers_disconnect_by_func (ba_organization_get_deleted_applications (self->organization),
                                          on_deleted_applications_items_changed_cb, self);
  g_clear_object (&self->certificate_assistant);
  g_clear_object (&self->create_assistant);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_APPLICATIONS_MANAGER);

  g_clear_object (&self->selection);
  g_clear_object (&self->provisioner);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_pointer (&self->previous, g_hash_table_unref);

  G_OBJECT_CLASS (ba_applications_manager_parent_class)->dispose (object);
}

static void
ba_applications_manager_finalize (GObject *object)
{
  BaApplicationsManager *self = (BaApplicationsManager *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->organization);
  g_clear_object (&self->certificates);
  g_clear_object (&self->cloud);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->configure_app_id, g_free);

  G_OBJECT_CLASS (ba_applications_manager_parent_class)->finalize (object);
}

static void
ba_applications_manager_class_init (BaApplicationsManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_applications_manager_dispose;
  object_class->finalize = ba_applications_manager_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-applications-manager.ui");
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, policy_label);
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, incomplete_bar);
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, incomplete_label);
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, column_view);
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, status_label);
  gtk_widget_class_bind_template_child (widget_class, BaApplicationsManager, spinner);

  gtk_widget_class_install_action (widget_class, "manager.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "manager.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "manager.update-certificate", NULL, update_certificate_action);
  gtk_widget_class_install_action (widget_class, "manager.verify", NULL, verify_action);
  gtk_widget_class_install_action (widget_class, "manager.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "manager.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "manager.delete-incomplete", NULL, delete_incomplete_action);
  gtk_widget_class_install_action (widget_class, "manager.configure-certificate", "s", configure_certificate_action);
  gtk_widget_class_install_action (widget_class, "manager.show-deleted", NULL, show_deleted_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "manager.remove", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ba_applications_manager_init (BaApplicationsManager *self)
{
  self->cancellable = g_cancellable_new ();
  self->queue = g_ptr_array_new_with_free_func (g_object_unref);
  self->previous = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) previous_free);
  self->certificates = ba_certificate_store_new (NULL, FALSE);

  gtk_widget_init_template (GTK_WIDGET (self));

  add_column (self, _("Name"), COLUMN_NAME, TRUE);
  add_column (self, _("Application ID"), COLUMN_APP_ID, FALSE);
  add_column (self, _("Certificate"), COLUMN_CERTIFICATE, TRUE);
  add_column (self, _("Origin"), COLUMN_ORIGIN, FALSE);
  add_column (self, _("State"), COLUMN_STATE, TRUE);
}

/* Public API */

BaApplicationsManager *
ba_applications_manager_new (GtkWindow      *parent,
                             BaStore        *store,
                             BaOrganization *organization)
{
  BaApplicationsManager *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BA_IS_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), NULL);

  self = g_object_new (BA_TYPE_APPLICATIONS_MANAGER,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->organization = g_object_ref (organization);

  {
    g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
    g_autoptr(GError) error = NULL;
    g_autofree char *title = NULL;

    self->cloud = ba_cloud_new_from_settings (ba_organization_get_cloud (organization), settings, &error);
    if (self->cloud == NULL)
      set_status (self, error->message);

    self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (ba_organization_get_applications (organization))));
    g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (ba_organization_get_deleted_applications (organization), "items-changed",
                             G_CALLBACK (on_deleted_applications_items_changed_cb), self, G_CONNECT_SWAPPED);
    gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

    /* Translators: %s is an organization's name */
    title = g_strdup_printf (_("Backup Applications of %s"), ba_organization_get_name (organization));
    gtk_window_set_title (GTK_WINDOW (self), title);

    ba_certificate_store_refresh (self->certificates, NULL);
    update_actions (self);
    update_incomplete (self);
  }

  return self;
}

BaOrganization *
ba_applications_manager_get_organization (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->organization;
}

GtkSelectionModel *
_ba_applications_manager_get_selection (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

BaCertificateStore *
_ba_applications_manager_get_certificates (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->certificates;
}

BaSignInPage *
_ba_applications_manager_get_sign_in_page (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->sign_in_page;
}

void
_ba_applications_manager_set_sign_in_interval_ms (BaApplicationsManager *self,
                                                  guint                  interval_ms)
{
  g_return_if_fail (BA_IS_APPLICATIONS_MANAGER (self));

  self->interval_ms = interval_ms;
}

AdwMessageDialog *
_ba_applications_manager_get_dialog (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->dialog;
}

GtkCheckButton *
_ba_applications_manager_get_dialog_check (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->dialog_check;
}

GtkWindow *
_ba_applications_manager_get_add_window (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->add_window;
}

GtkEditable *
_ba_applications_manager_get_add_search (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->add_search;
}

GtkSelectionModel *
_ba_applications_manager_get_add_selection (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->add_selection != NULL ? GTK_SELECTION_MODEL (self->add_selection) : NULL;
}

BaSelectCertificateAssistant *
_ba_applications_manager_get_certificate_assistant (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->certificate_assistant;
}

BaCreateApplicationAssistant *
_ba_applications_manager_get_create_assistant (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return self->create_assistant;
}

gboolean
_ba_applications_manager_get_busy (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), FALSE);

  return self->busy;
}

const char *
_ba_applications_manager_get_status (BaApplicationsManager *self)
{
  g_return_val_if_fail (BA_IS_APPLICATIONS_MANAGER (self), NULL);

  return gtk_label_get_text (self->status_label);
}

void
_ba_applications_manager_set_provisioner_timing (BaApplicationsManager *self,
                                                 guint                  replication_timeout_ms,
                                                 guint                  retry_base_delay_ms)
{
  g_return_if_fail (BA_IS_APPLICATIONS_MANAGER (self));

  self->replication_timeout_ms = replication_timeout_ms;
  self->retry_base_delay_ms = retry_base_delay_ms;
  if (self->provisioner != NULL)
    {
      ba_provisioner_set_replication_timeout (self->provisioner, replication_timeout_ms);
      ba_provisioner_set_retry_base_delay (self->provisioner, retry_base_delay_ms);
    }
}
