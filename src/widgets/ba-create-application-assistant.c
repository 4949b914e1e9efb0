/* ba-create-application-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-create-application-assistant.h"
#include "ba-create-application-count-page.h"
#include "ba-create-application-name-page.h"
#include "ba-create-application-progress-page.h"
#include "ba-create-application-summary-page.h"
#include "ba-graph-client.h"
#include "ba-sign-in-page.h"
#include "ba-widget-utils.h"

/* The order of the pages in the .ui. */
enum {
  PAGE_NAME,
  PAGE_COUNT,
  PAGE_SIGN_IN,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

struct _BaCreateApplicationAssistant
{
  GObject parent_instance;

  /* Owned */
  BaWizard wizard;
  BaStore *store;
  BaOrganization *organization;
  BaCertificateStore *certificates;
  BaSelectCertificateAssistant *certificate_assistant;
  BaProvisioner *provisioner;
  GCancellable *cancellable;
  guint concurrency;
  gboolean running;
  gboolean started;

  /* Borrowed from the builder */
  BaCreateApplicationNamePage *name_page;
  BaCreateApplicationCountPage *count_page;
  BaSignInPage *sign_in_page;
  BaCreateApplicationProgressPage *progress_page;
  BaCreateApplicationSummaryPage *summary_page;
};

G_DEFINE_FINAL_TYPE (BaCreateApplicationAssistant, ba_create_application_assistant, G_TYPE_OBJECT)

/* Auxiliary methods */

static void
finish (BaCreateApplicationAssistant *self,
        GError                       *error)
{
  g_autoptr(GTask) task = ba_wizard_end (&self->wizard);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_summary (BaCreateApplicationAssistant *self,
              const GError                 *error,
              gboolean                      cancelled)
{
  GListModel *run = ba_provisioner_get_run (self->provisioner);
  guint n_items = g_list_model_get_n_items (run);
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *title = NULL;
  guint n_ready = 0;
  guint n_failed = 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (run, i);
      BaProvisioningState state = ba_backup_application_get_state (app);
      const char *app_id = ba_backup_application_get_app_id (app);

      if (state == BA_PROVISIONING_STATE_READY)
        n_ready++;
      else if (state == BA_PROVISIONING_STATE_FAILED)
        {
          const char *reason = ba_backup_application_get_failure_reason (app);

          n_failed++;
          /* Translators: an application ID (or its name), then why it failed */
          g_string_append_printf (details, _("%s: %s"),
                                  app_id != NULL ? app_id : ba_backup_application_get_display_name (app),
                                  reason != NULL ? reason : _("failed"));
          g_string_append_c (details, '\n');
        }
    }

  if (error != NULL && n_items == 0 && !cancelled)
    title = g_strdup (error->message);
  else if (cancelled)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          /* Translators: %u is a number of applications */
                                          "Stopped. %u application is ready; whatever was started is recorded, and the Backup Applications Manager offers to resume it.",
                                          "Stopped. %u applications are ready; whatever was started is recorded, and the Backup Applications Manager offers to resume them.",
                                          n_ready),
                             n_ready);
  else if (n_failed > 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u application is ready; %u failed. Remove the failed ones, or resume them from the Backup Applications Manager.",
                                          "%u applications are ready; %u failed. Remove the failed ones, or resume them from the Backup Applications Manager.",
                                          n_ready),
                             n_ready, n_failed);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u application was created and added to the backup configuration.",
                                          "%u applications were created and added to the backup configuration.",
                                          n_ready),
                             n_ready);

  ba_create_application_summary_page_set_summary (self->summary_page, title, details->str);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), TRUE);
  gtk_assistant_next_page (self->wizard.assistant);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaCreateApplicationAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;

  ba_provisioner_create_finish (BA_PROVISIONER (object), result, &error);
  self->running = FALSE;

  /* The wizard went away (disposed): nothing left to show. */
  if (self->wizard.assistant == NULL)
    return;

  if (error != NULL)
    g_debug ("%s(): %s", G_STRFUNC, error->message);

  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_cancellable_is_cancelled (self->cancellable);
  show_summary (self, error, cancelled);
}

static void
on_application_progress_cb (BaCreateApplicationAssistant *self,
                            BaBackupApplication          *application,
                            const char                   *step,
                            BaProvisioner                *provisioner)
{
  ba_create_application_progress_page_set_step (self->progress_page, application, step);
}

static void
on_progress_cb (BaCreateApplicationAssistant *self,
                guint                         done,
                guint                         total,
                BaProvisioner                *provisioner)
{
  ba_create_application_progress_page_set_done (self->progress_page, done, total);
}

static void
start_run (BaCreateApplicationAssistant *self)
{
  BaSession *session = ba_sign_in_page_get_session (self->sign_in_page);
  g_autoptr(BaGraphClient) client = NULL;
  const BaPermission *permissions;
  guint n_permissions;
  guint count;
  g_autofree char *name = NULL;

  g_assert (session != NULL);

  if (self->started)
    return;
  self->started = TRUE;

  /* Creating cannot be undone by Back. */
  gtk_assistant_commit (self->wizard.assistant);

  client = ba_graph_client_new (ba_session_get_cloud (session), session);
  self->provisioner = ba_provisioner_new (client, self->store, self->organization);
  if (self->concurrency > 0)
    ba_provisioner_set_concurrency (self->provisioner, self->concurrency);
  g_signal_connect_object (self->provisioner, "application-progress",
                           G_CALLBACK (on_application_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->provisioner, "progress",
                           G_CALLBACK (on_progress_cb), self, G_CONNECT_SWAPPED);

  count = ba_create_application_count_page_get_count (self->count_page);
  name = g_strstrip (g_strdup (ba_create_application_name_page_get_name (self->name_page)));
  permissions = ba_permissions_for_backup_application (ba_organization_get_cloud (self->organization),
                                                       &n_permissions);

  ba_create_application_progress_page_reset (self->progress_page, count);
  ba_create_application_progress_page_set_status (self->progress_page,
                                                  _("Creating the applications, their service principals and their permissions…"));
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), FALSE);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  ba_provisioner_create_async (self->provisioner, name,
                               ba_create_application_name_page_get_certificate (self->name_page),
                               count,
                               ba_create_application_count_page_get_accept_policy (self->count_page),
                               permissions, n_permissions,
                               BA_APPLICATION_ORIGIN_CREATED,
                               self->cancellable, create_cb, g_object_ref (self));
}

static void
select_certificate_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BaCreateApplicationAssistant) self = user_data;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &error);
  if (self->wizard.assistant == NULL)
    return;

  if (certificate == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s(): %s", G_STRFUNC, error->message);
      return;
    }

  ba_create_application_name_page_set_certificate (self->name_page, certificate);
}

static int
forward_page_func (int      current,
                   gpointer user_data)
{
  switch (current)
    {
    case PAGE_NAME:
    case PAGE_COUNT:
    case PAGE_SIGN_IN:
    case PAGE_PROGRESS:
      return current + 1;
    default:
      return -1;
    }
}

/* Signal callbacks */

static void
on_assistant_prepare_cb (BaCreateApplicationAssistant *self,
                         GtkWidget                    *page,
                         GtkAssistant                 *assistant)
{
  ba_wizard_page_prepare (BA_WIZARD_PAGE (page));

  if (page == GTK_WIDGET (self->progress_page))
    start_run (self);
}

static void
on_assistant_cancel_cb (BaCreateApplicationAssistant *self,
                        GtkAssistant                 *assistant)
{
  if (self->running)
    {
      /* What exists is recorded already; stop after the requests under way
       * and show what was done. */
      ba_create_application_progress_page_set_status (self->progress_page,
                                                      _("Stopping after the requests under way…"));
      g_cancellable_cancel (self->cancellable);
      return;
    }

  ba_sign_in_page_cancel (self->sign_in_page);
  if (self->started)
    finish (self, NULL);
  else
    finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
}

static void
on_assistant_close_cb (BaCreateApplicationAssistant *self,
                       GtkAssistant                 *assistant)
{
  finish (self, NULL);
}

static gboolean
on_assistant_close_request_cb (BaCreateApplicationAssistant *self,
                               GtkWindow                    *window)
{
  /* Closing the window mid-run is a Cancel that waits for the run. */
  if (self->running)
    {
      on_assistant_cancel_cb (self, self->wizard.assistant);
      return TRUE;
    }

  on_assistant_cancel_cb (self, self->wizard.assistant);
  return FALSE;
}

static gboolean
cancel_from_caller_idle (gpointer user_data)
{
  BaCreateApplicationAssistant *self = user_data;

  if (self->wizard.assistant != NULL)
    on_assistant_cancel_cb (self, self->wizard.assistant);
  return G_SOURCE_REMOVE;
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  BaCreateApplicationAssistant *self = user_data;

  on_assistant_cancel_cb (self, self->wizard.assistant);
}

static void
install_certificate_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BaCreateApplicationAssistant *self = user_data;

  if (self->certificate_assistant == NULL)
    self->certificate_assistant = ba_select_certificate_assistant_new (GTK_WINDOW (self->wizard.assistant),
                                                                      self->certificates);
  ba_select_certificate_assistant_run_async (self->certificate_assistant, NULL,
                                             select_certificate_cb, g_object_ref (self));
}

/* Parent overrides */

static void
ba_create_application_assistant_dispose (GObject *object)
{
  BaCreateApplicationAssistant *self = (BaCreateApplicationAssistant *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->certificate_assistant);
  ba_wizard_dispose (&self->wizard);

  G_OBJECT_CLASS (ba_create_application_assistant_parent_class)->dispose (object);
}

static void
ba_create_application_assistant_finalize (GObject *object)
{
  BaCreateApplicationAssistant *self = (BaCreateApplicationAssistant *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->provisioner);
  g_clear_object (&self->store);
  g_clear_object (&self->organization);
  g_clear_object (&self->certificates);
  g_clear_object (&self->wizard.task);

  G_OBJECT_CLASS (ba_create_application_assistant_parent_class)->finalize (object);
}

static void
ba_create_application_assistant_class_init (BaCreateApplicationAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_create_application_assistant_dispose;
  object_class->finalize = ba_create_application_assistant_finalize;
}

static void
ba_create_application_assistant_init (BaCreateApplicationAssistant *self)
{
  static const GActionEntry wizard_actions[] = {
    { "cancel", cancel_action },
    { "install-certificate", install_certificate_action },
  };
  g_autoptr(GtkBuilderScope) scope = gtk_builder_cscope_new ();
  const BaWizardChild pages[] = {
    { "name_page", (gpointer *) &self->name_page, TRUE },
    { "count_page", (gpointer *) &self->count_page, TRUE },
    { "sign_in_page", (gpointer *) &self->sign_in_page, TRUE },
    { "progress_page", (gpointer *) &self->progress_page, TRUE },
    { "summary_page", (gpointer *) &self->summary_page, TRUE },
  };

  g_type_ensure (BA_TYPE_CREATE_APPLICATION_NAME_PAGE);
  g_type_ensure (BA_TYPE_CREATE_APPLICATION_COUNT_PAGE);
  g_type_ensure (BA_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BA_TYPE_CREATE_APPLICATION_PROGRESS_PAGE);
  g_type_ensure (BA_TYPE_CREATE_APPLICATION_SUMMARY_PAGE);

  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_prepare_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_cancel_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_close_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_close_request_cb);

  ba_wizard_init (&self->wizard, G_OBJECT (self), "Create Application",
                  RESOURCE_BASE_PATH "/ui/ba-create-application-assistant.ui", scope);
  ba_wizard_bind_children (&self->wizard, pages, G_N_ELEMENTS (pages));
  ba_wizard_add_actions (&self->wizard, wizard_actions, G_N_ELEMENTS (wizard_actions), self);

  gtk_assistant_set_forward_page_func (self->wizard.assistant, forward_page_func, self, NULL);
}

/* Public API */

BaCreateApplicationAssistant *
ba_create_application_assistant_new (GtkWindow          *parent,
                                     BaStore            *store,
                                     BaOrganization     *organization,
                                     BaCertificateStore *certificates)
{
  BaCreateApplicationAssistant *self;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BA_IS_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), NULL);
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (certificates), NULL);

  self = g_object_new (BA_TYPE_CREATE_APPLICATION_ASSISTANT, NULL);
  self->store = g_object_ref (store);
  self->organization = g_object_ref (organization);
  self->certificates = g_object_ref (certificates);
  gtk_window_set_transient_for (GTK_WINDOW (self->wizard.assistant), parent);

  /* The organization's own cloud and tenant; a broken endpoint override
   * leaves the page to say so when it starts. */
  cloud = ba_cloud_new_from_settings (ba_organization_get_cloud (organization), settings, &error);
  if (cloud != NULL)
    ba_sign_in_page_set_cloud (self->sign_in_page, cloud);
  else
    g_debug ("%s(): %s", G_STRFUNC, error->message);
  ba_sign_in_page_set_tenant (self->sign_in_page, ba_organization_get_tenant_id (organization));
  /* Preferences → "Applications created at the same time". */
  self->concurrency = (guint) CLAMP (g_settings_get_int (settings, "max-concurrent-applications"), 1, 16);

  return self;
}

void
ba_create_application_assistant_run_async (BaCreateApplicationAssistant *self,
                                           GCancellable                 *cancellable,
                                           GAsyncReadyCallback           callback,
                                           gpointer                      user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_create_application_assistant_run_async);

  ba_wizard_run (&self->wizard, g_steal_pointer (&task), cancel_from_caller_idle);
}

gboolean
ba_create_application_assistant_run_finish (BaCreateApplicationAssistant *self,
                                            GAsyncResult                 *result,
                                            GError                      **error)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

GtkAssistant *
_ba_create_application_assistant_get_assistant (BaCreateApplicationAssistant *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self), NULL);

  return self->wizard.assistant;
}

GtkWidget *
_ba_create_application_assistant_get_page (BaCreateApplicationAssistant *self,
                                           const char                   *id)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self), NULL);

  return GTK_WIDGET (gtk_builder_get_object (self->wizard.builder, id));
}

BaSelectCertificateAssistant *
_ba_create_application_assistant_get_certificate_assistant (BaCreateApplicationAssistant *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self), NULL);

  return self->certificate_assistant;
}

BaProvisioner *
_ba_create_application_assistant_get_provisioner (BaCreateApplicationAssistant *self)
{
  g_return_val_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self), NULL);

  return self->provisioner;
}

void
_ba_create_application_assistant_set_concurrency (BaCreateApplicationAssistant *self,
                                                  guint                         concurrency)
{
  g_return_if_fail (BA_IS_CREATE_APPLICATION_ASSISTANT (self));

  self->concurrency = concurrency;
}
