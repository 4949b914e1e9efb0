/* ba-add-organization-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-add-organization-assistant.h"
#include "ba-app-sign-in.h"
#include "ba-graph-client.h"
#include "ba-organization-connection-page.h"
#include "ba-organization-existing-page.h"
#include "ba-organization-page-utils.h"
#include "ba-organization-progress-page.h"
#include "ba-organization-region-page.h"
#include "ba-organization-register-page.h"
#include "ba-organization-rules.h"
#include "ba-organization-services-page.h"
#include "ba-organization-summary-page.h"
#include "ba-provisioner.h"
#include "ba-select-certificate-assistant.h"
#include "ba-sign-in-page.h"
#include "ba-widget-utils.h"

/* The order of the pages in the .ui. */
enum {
  PAGE_SERVICES,
  PAGE_REGION,
  PAGE_CONNECTION,
  PAGE_REGISTER,
  PAGE_EXISTING,
  PAGE_SIGN_IN,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

struct _BaAddOrganizationAssistant
{
  GObject parent_instance;

  /* Owned */
  BaWizard wizard;
  BaStore *store;
  BaCertificateStore *certificates;
  GSettings *settings;
  /* Cancelled when the wizard closes: everything it started. */
  GCancellable *cancellable;
  /* The progress step's run; Cancel there stops it after the request in
   * flight. */
  GCancellable *job_cancellable;
  BaSelectCertificateAssistant *certificate_wizard;
  BaCloud *cloud;
  BaGraphClient *client;
  BaProvisioner *provisioner;
  /* Created at the start of the progress step and in the store from then
   * on; removed again when nothing of it exists in the tenant. */
  BaOrganization *organization;
  BaOrganization *result;
  GError *result_error;
  BaPermission *permissions;
  guint n_permissions;
  guint retry_base_delay_ms;
  guint replication_timeout_ms;
  gboolean job_running;
  gboolean stopping;

  /* Borrowed from the builder */
  BaOrganizationServicesPage *services_page;
  BaOrganizationRegionPage *region_page;
  BaOrganizationConnectionPage *connection_page;
  BaOrganizationRegisterPage *register_page;
  BaOrganizationExistingPage *existing_page;
  GtkWidget *sign_in_box;
  BaSignInPage *sign_in_page;
  GtkLabel *sign_in_role_label;
  GtkLabel *sign_in_warning_label;
  BaOrganizationProgressPage *progress_page;
  BaOrganizationSummaryPage *summary_page;
};

G_DEFINE_FINAL_TYPE (BaAddOrganizationAssistant, ba_add_organization_assistant, G_TYPE_OBJECT)

/* Auxiliary methods */

static BaServices
get_services (BaAddOrganizationAssistant *self)
{
  return ba_organization_services_page_get_services (self->services_page);
}

static BaCloudKind
get_cloud_kind (BaAddOrganizationAssistant *self)
{
  return ba_organization_region_page_get_cloud (self->region_page);
}

static gboolean
get_register (BaAddOrganizationAssistant *self)
{
  return ba_organization_connection_page_get_register (self->connection_page);
}

static gboolean
needs_sign_in (BaAddOrganizationAssistant *self)
{
  return get_register (self) || ba_organization_existing_page_get_grant (self->existing_page);
}

static BaCertificate *
get_certificate (BaAddOrganizationAssistant *self)
{
  if (get_register (self))
    return ba_organization_register_page_get_certificate (self->register_page);

  return ba_organization_existing_page_get_certificate (self->existing_page);
}

static void
update_permissions (BaAddOrganizationAssistant *self)
{
  g_clear_pointer (&self->permissions, g_free);
  self->permissions = ba_permissions_for_services (get_services (self), get_cloud_kind (self), &self->n_permissions);
}

static gboolean
ensure_cloud (BaAddOrganizationAssistant  *self,
              GError                     **error)
{
  if (self->cloud != NULL && ba_cloud_get_kind (self->cloud) == get_cloud_kind (self))
    return TRUE;

  g_clear_object (&self->cloud);
  self->cloud = ba_cloud_new_from_settings (get_cloud_kind (self), self->settings, error);

  return self->cloud != NULL;
}

static void
finish (BaAddOrganizationAssistant *self,
        GError                     *error)
{
  g_autoptr(GTask) task = ba_wizard_end (&self->wizard);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self->result), g_object_unref);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
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
save_store (BaAddOrganizationAssistant *self)
{
  /* Not the wizard's cancellable: what exists must be written even when
   * the wizard has gone. */
  ba_store_save_async (self->store, NULL, save_cb, NULL);
}

static void
update_sign_in_complete (BaAddOrganizationAssistant *self,
                         gboolean                    complete)
{
  gtk_assistant_set_page_complete (self->wizard.assistant, self->sign_in_box, complete);
}

static void
show_sign_in_warning (BaAddOrganizationAssistant *self,
                      const char                 *message,
                      gboolean                    is_error)
{
  gtk_label_set_text (self->sign_in_warning_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_warning_label), message != NULL);
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->sign_in_warning_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->sign_in_warning_label), "warning");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->sign_in_warning_label), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->sign_in_warning_label), "error");
    }
}

static char *
format_expiry (BaCertificate *certificate)
{
  g_autoptr(GDateTime) local = NULL;

  if (certificate == NULL)
    return NULL;

  local = g_date_time_to_local (ba_certificate_get_not_after (certificate));
  return g_date_time_format (local, "%x");
}

static void
show_summary (BaAddOrganizationAssistant *self,
              BaBackupApplication        *application,
              const char                 *permissions,
              const GError               *error)
{
  BaCertificate *certificate = get_certificate (self);
  g_autofree char *expiry = format_expiry (certificate);
  g_autofree char *problems = NULL;
  g_autofree char *title = NULL;
  const char *name = self->organization != NULL ? ba_organization_get_name (self->organization) : NULL;
  const char *tenant = self->organization != NULL ? ba_organization_get_tenant_id (self->organization) : NULL;

  if (error != NULL)
    {
      const char *advice = ba_organization_advice_for_error (error);
      const char *reason = application != NULL ? ba_backup_application_get_failure_reason (application) : NULL;
      g_autoptr(GString) text = g_string_new (NULL);

      if (reason != NULL && g_strcmp0 (reason, error->message) != 0)
        g_string_append_printf (text, "%s\n", reason);
      g_string_append (text, error->message);
      if (advice != NULL)
        g_string_append_printf (text, "\n%s", advice);
      problems = g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (error == NULL)
    /* Translators: %s is an organization's name */
    title = g_strdup_printf (_("“%s” was added to the backup configuration"), name);
  else if (self->organization != NULL)
    /* Translators: %s is an organization's name */
    title = g_strdup_printf (_("“%s” was added, but its application is not ready"), name);
  else
    title = g_strdup (_("The organization was not added"));

  ba_organization_summary_page_set_result (self->summary_page, title, name, tenant,
                                           application != NULL ? ba_backup_application_get_app_id (application) : NULL,
                                           certificate != NULL ? ba_certificate_get_sha1_thumbprint (certificate) : NULL,
                                           expiry, permissions, problems);
}

static void job_saved (BaAddOrganizationAssistant *self,
                       BaBackupApplication        *application,
                       const GError               *error);

typedef struct
{
  BaAddOrganizationAssistant *self;
  BaBackupApplication *application;
  GError *error;
} JobDone;

static void
job_done_free (JobDone *done)
{
  g_clear_object (&done->self);
  g_clear_object (&done->application);
  g_clear_error (&done->error);
  g_free (done);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobDone, job_done_free)

static void
job_save_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(JobDone) done = user_data;
  g_autoptr(GError) save_error = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &save_error))
    {
      g_warning ("The backup configuration could not be saved: %s", save_error->message);
      /* The admin must know: what was created is then only in memory. */
      if (done->error == NULL)
        done->error = g_error_new (save_error->domain, save_error->code,
                                   /* Translators: %s is why */
                                   _("The backup configuration could not be saved: %s. Keep this window open, free the disk or fix the folder’s permissions, and add the organization again."),
                                   save_error->message);
    }

  job_saved (done->self, done->application, done->error);
}

/* The progress step ended. One save, after the provisioner's own, and only
 * then on: what exists in the tenant stays recorded on disk, an
 * organization with nothing in it goes. */
static void
job_done (BaAddOrganizationAssistant *self,
          BaBackupApplication        *application,
          const GError               *error)
{
  JobDone *done;

  self->job_running = FALSE;

  if (self->organization == NULL)
    {
      job_saved (self, application, error);
      return;
    }

  done = g_new0 (JobDone, 1);
  done->self = g_object_ref (self);
  done->application = application != NULL ? g_object_ref (application) : NULL;
  done->error = error != NULL ? g_error_copy (error) : NULL;

  if (g_list_model_get_n_items (ba_organization_get_applications (self->organization)) == 0)
    {
      ba_store_remove_organization (self->store, self->organization);
      g_clear_object (&self->organization);
    }
  /* Not the wizard's cancellable: what exists must be written even when
   * the wizard has gone. */
  ba_store_save_async (self->store, NULL, job_save_cb, done);
}

/* Saved: to the summary, or, when cancelled, out. */
static void
job_saved (BaAddOrganizationAssistant *self,
           BaBackupApplication        *application,
           const GError               *error)
{
  g_autofree char *granted = NULL;

  if (self->wizard.task == NULL)
    return;

  if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, cancelled_error ());
      return;
    }

  if (error != NULL)
    {
      ba_organization_progress_page_stop (self->progress_page, _("Stopped."));
      if (self->organization == NULL)
        self->result_error = g_error_copy (error);
    }
  else
    {
      ba_organization_progress_page_stop (self->progress_page, _("Done."));
    }

  if (self->organization != NULL)
    self->result = g_object_ref (self->organization);

  if (error == NULL)
    granted = ba_organization_describe_permissions (self->permissions, self->n_permissions);
  show_summary (self, application, granted, error);

  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), TRUE);
  gtk_assistant_next_page (self->wizard.assistant);
}

/* Back to the existing application's page with what is wrong; nothing was
 * made. */
static void
job_refused (BaAddOrganizationAssistant *self,
             const char                 *message)
{
  self->job_running = FALSE;

  if (self->stopping)
    {
      finish (self, cancelled_error ());
      return;
    }

  ba_organization_existing_page_set_error (self->existing_page, message);
  gtk_assistant_previous_page (self->wizard.assistant);
}

static BaOrganization *
new_organization (BaAddOrganizationAssistant *self,
                  const char                 *tenant_id,
                  const char                 *name)
{
  BaOrganization *organization = ba_organization_new (tenant_id, name);

  ba_organization_set_cloud (organization, get_cloud_kind (self));
  ba_organization_set_auth_type (organization, ba_organization_region_page_get_auth_type (self->region_page));
  ba_organization_set_services (organization, get_services (self));
  if (!get_register (self))
    ba_organization_set_impersonation_account (organization,
                                               ba_organization_existing_page_get_username (self->existing_page));

  return organization;
}

static void
record_own_application (BaAddOrganizationAssistant *self,
                        BaBackupApplication        *application)
{
  if (application != NULL && ba_backup_application_get_app_id (application) != NULL)
    ba_organization_set_own_application_id (self->organization, ba_backup_application_get_app_id (application));
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(BaBackupApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *run;

  ba_provisioner_create_finish (BA_PROVISIONER (object), result, &error);
  run = ba_provisioner_get_run (BA_PROVISIONER (object));
  if (run != NULL && g_list_model_get_n_items (run) > 0)
    application = g_list_model_get_item (run, 0);

  record_own_application (self, application);
  job_done (self, application, error);
}

static void
configure_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(BaBackupApplication) application = NULL;
  g_autoptr(GError) error = NULL;

  application = ba_provisioner_configure_existing_finish (BA_PROVISIONER (object), result, &error);
  if (application == NULL)
    {
      BaBackupApplication *recorded =
        ba_organization_find_application (self->organization,
                                          ba_organization_existing_page_get_application_id (self->existing_page));

      if (recorded != NULL)
        application = g_object_ref (recorded);
    }

  record_own_application (self, application);
  job_done (self, application, error);
}

static void
on_application_progress_cb (BaAddOrganizationAssistant *self,
                            BaBackupApplication        *application,
                            const char                 *step,
                            BaProvisioner              *provisioner)
{
  if (!self->stopping)
    ba_organization_progress_page_set_status (self->progress_page, step);
}

static void
start_provisioner (BaAddOrganizationAssistant *self)
{
  self->provisioner = ba_provisioner_new (self->client, self->store, self->organization);
  if (self->retry_base_delay_ms > 0)
    ba_provisioner_set_retry_base_delay (self->provisioner, self->retry_base_delay_ms);
  if (self->replication_timeout_ms > 0)
    ba_provisioner_set_replication_timeout (self->provisioner, self->replication_timeout_ms);
  g_signal_connect_object (self->provisioner, "application-progress",
                           G_CALLBACK (on_application_progress_cb), self, G_CONNECT_SWAPPED);

  if (get_register (self))
    ba_provisioner_create_async (self->provisioner,
                                 ba_organization_register_page_get_name (self->register_page),
                                 get_certificate (self),
                                 1, FALSE,
                                 self->permissions, self->n_permissions,
                                 BA_APPLICATION_ORIGIN_ORGANIZATION,
                                 self->job_cancellable,
                                 create_cb, g_object_ref (self));
  else
    ba_provisioner_configure_existing_async (self->provisioner,
                                             ba_organization_existing_page_get_application_id (self->existing_page),
                                             get_certificate (self),
                                             self->permissions, self->n_permissions,
                                             BA_APPLICATION_ORIGIN_ORGANIZATION,
                                             self->job_cancellable,
                                             configure_cb, g_object_ref (self));
}

/* Recorded before anything is made in the tenant, so that whatever is
 * made is recorded under it. */
static gboolean
add_organization (BaAddOrganizationAssistant  *self,
                  BaOrganization              *organization,
                  GError                     **error)
{
  if (!ba_organization_check_not_in_store (self->store, ba_organization_get_tenant_id (organization), error))
    return FALSE;

  if (!ba_store_add_organization (self->store, organization, error))
    return FALSE;

  g_set_object (&self->organization, organization);
  return TRUE;
}

static void
organization_saved_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Nothing is made in the tenant before the organization is on disk. */
  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    {
      job_done (self, NULL, error);
      return;
    }

  if (self->stopping)
    {
      job_done (self, NULL, NULL);
      return;
    }

  start_provisioner (self);
}

static void
organization_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(BaOrganization) organization = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tenant_id = NULL;
  g_autofree char *name = NULL;

  if (!ba_graph_client_get_organization_finish (BA_GRAPH_CLIENT (object), result, &tenant_id, &name, &error))
    {
      job_done (self, NULL, error);
      return;
    }

  organization = new_organization (self, tenant_id, name != NULL ? name : tenant_id);
  if (!add_organization (self, organization, &error))
    {
      job_done (self, NULL, error);
      return;
    }

  ba_store_save_async (self->store, NULL, organization_saved_cb, g_object_ref (self));
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(BaOrganization) organization = NULL;
  g_autoptr(BaBackupApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *granted = NULL;
  BaCertificate *certificate = get_certificate (self);
  const char * const *roles;

  sign_in = ba_app_sign_in_verify_finish (result, &error);
  if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelled while checking: nothing was made, nothing is kept. */
      self->job_running = FALSE;
      finish (self, cancelled_error ());
      return;
    }
  if (sign_in == NULL)
    {
      job_refused (self, error->message);
      return;
    }

  if (!ba_organization_check_not_in_store (self->store, ba_app_sign_in_get_tenant_id (sign_in), &error))
    {
      job_refused (self, error->message);
      return;
    }

  /* Only Microsoft Graph's roles are in a Graph token. */
  roles = ba_app_sign_in_get_roles (sign_in);
  if (!ba_organization_check_graph_roles (self->permissions, self->n_permissions, roles, &error))
    {
      job_refused (self, error->message);
      return;
    }

  domain = ba_organization_domain_of_username (ba_organization_existing_page_get_username (self->existing_page));
  organization = new_organization (self, ba_app_sign_in_get_tenant_id (sign_in), domain);

  application = ba_backup_application_new (ba_app_sign_in_get_app_id (sign_in));
  ba_backup_application_set_origin (application, BA_APPLICATION_ORIGIN_ORGANIZATION);
  ba_backup_application_set_certificate_thumbprint (application, ba_certificate_get_sha1_thumbprint (certificate));
  ba_backup_application_set_certificate_expiry (application, ba_certificate_get_not_after (certificate));
  ba_backup_application_set_state (application, BA_PROVISIONING_STATE_READY);
  ba_backup_application_set_last_verified (application, ba_app_sign_in_get_verified_at (sign_in));
  ba_organization_add_application (organization, application);
  ba_organization_set_own_application_id (organization, ba_backup_application_get_app_id (application));

  if (!add_organization (self, organization, &error))
    {
      job_refused (self, error->message);
      return;
    }
  save_store (self);

  self->job_running = FALSE;
  self->result = g_object_ref (self->organization);
  ba_organization_progress_page_stop (self->progress_page, _("Done."));
  granted = roles != NULL ? g_strjoinv (", ", (char **) roles) : NULL;
  show_summary (self, application, granted, NULL);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), TRUE);
  gtk_assistant_next_page (self->wizard.assistant);
}

static void
start_job (BaAddOrganizationAssistant *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->provisioner);
  g_clear_object (&self->client);
  self->job_cancellable = g_cancellable_new ();
  self->job_running = TRUE;
  self->stopping = FALSE;
  ba_organization_progress_page_reset (self->progress_page);
  update_permissions (self);

  if (!ensure_cloud (self, &error))
    {
      job_done (self, NULL, error);
      return;
    }

  if (needs_sign_in (self))
    {
      BaSession *session = ba_sign_in_page_get_session (self->sign_in_page);

      /* From here on things are made in the tenant: no way back. */
      gtk_assistant_commit (self->wizard.assistant);

      self->client = ba_graph_client_new (ba_session_get_cloud (session), session);
      if (self->retry_base_delay_ms > 0)
        ba_graph_client_set_retry_policy (self->client, 3, self->retry_base_delay_ms, self->retry_base_delay_ms * 4);

      ba_organization_progress_page_set_status (self->progress_page, _("Reading the organization…"));
      ba_graph_client_get_organization_async (self->client, self->job_cancellable,
                                              organization_cb, g_object_ref (self));
    }
  else
    {
      g_autofree char *domain =
        ba_organization_domain_of_username (ba_organization_existing_page_get_username (self->existing_page));

      ba_organization_progress_page_set_status (self->progress_page,
                                                _("Signing in as the application with its certificate…"));
      ba_app_sign_in_verify_async (self->cloud, domain,
                                   ba_organization_existing_page_get_application_id (self->existing_page),
                                   get_certificate (self), NULL,
                                   self->job_cancellable, verify_cb, g_object_ref (self));
    }
}

static void
load_roles_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  BaSession *session = BA_SESSION (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!ba_session_load_roles_finish (session, result, &error))
    {
      g_debug ("%s(): the account’s roles are unknown: %s", G_STRFUNC, error->message);
      return;
    }

  if (g_cancellable_is_cancelled (self->cancellable) || ba_sign_in_page_get_session (self->sign_in_page) != session)
    return;

  if (ba_session_can_grant_graph_roles (session))
    return;

  /* Translators: %s is the account's user name */
  message = g_strdup_printf (_("%s holds neither the Global Administrator nor the Privileged Role Administrator role, so granting the permissions will fail. Sign in with another account, or ask an administrator who holds one of them."),
                             ba_session_get_upn (session));
  show_sign_in_warning (self, message, FALSE);
}

static void
on_sign_in_session_cb (BaAddOrganizationAssistant *self,
                       GParamSpec                 *pspec,
                       BaSignInPage               *page)
{
  BaSession *session = ba_sign_in_page_get_session (page);
  g_autoptr(GError) error = NULL;

  show_sign_in_warning (self, NULL, FALSE);

  if (session == NULL)
    {
      update_sign_in_complete (self, FALSE);
      return;
    }

  /* The tenant is known now: refuse a duplicate before anything is made. */
  if (!ba_organization_check_not_in_store (self->store, ba_session_get_tenant_id (session), &error))
    {
      show_sign_in_warning (self, error->message, TRUE);
      update_sign_in_complete (self, FALSE);
      return;
    }

  update_sign_in_complete (self, TRUE);
  ba_session_load_roles_async (session, self->cancellable, load_roles_cb, g_object_ref (self));
}

static void
prepare_sign_in (BaAddOrganizationAssistant *self)
{
  g_autoptr(GError) error = NULL;
  BaCloud *current = ba_sign_in_page_get_cloud (self->sign_in_page);
  gboolean changed;

  if (!ensure_cloud (self, &error))
    {
      show_sign_in_warning (self, error->message, TRUE);
      return;
    }

  changed = current != NULL && ba_cloud_get_kind (current) != ba_cloud_get_kind (self->cloud);
  ba_sign_in_page_set_cloud (self->sign_in_page, self->cloud);

  if (changed && ba_sign_in_page_get_session (self->sign_in_page) != NULL)
    ba_sign_in_page_start (self->sign_in_page);
  else
    ba_wizard_page_prepare (BA_WIZARD_PAGE (self->sign_in_page));

  on_sign_in_session_cb (self, NULL, self->sign_in_page);
}

static int
forward_page_func (int      current,
                   gpointer user_data)
{
  BaAddOrganizationAssistant *self = user_data;

  switch (current)
    {
    case PAGE_SERVICES:
      return PAGE_REGION;
    case PAGE_REGION:
      return PAGE_CONNECTION;
    case PAGE_CONNECTION:
      return get_register (self) ? PAGE_REGISTER : PAGE_EXISTING;
    case PAGE_REGISTER:
      return PAGE_SIGN_IN;
    case PAGE_EXISTING:
      /* Without the grant nothing is written to Microsoft Entra ID, and no
       * administrator needs to sign in. */
      return ba_organization_existing_page_get_grant (self->existing_page) ? PAGE_SIGN_IN : PAGE_PROGRESS;
    case PAGE_SIGN_IN:
      return PAGE_PROGRESS;
    case PAGE_PROGRESS:
      return PAGE_SUMMARY;
    default:
      return -1;
    }
}

static void
certificate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BaAddOrganizationAssistant) self = user_data;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &error);
  if (self->certificate_wizard == BA_SELECT_CERTIFICATE_ASSISTANT (object))
    g_clear_object (&self->certificate_wizard);

  if (certificate == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s(): %s", G_STRFUNC, error->message);
      return;
    }

  if (self->wizard.task == NULL)
    return;

  ba_organization_register_page_set_certificate (self->register_page, certificate);
  ba_organization_existing_page_set_certificate (self->existing_page, certificate);
}

/* Signal callbacks */

static void
on_assistant_prepare_cb (BaAddOrganizationAssistant *self,
                         GtkWidget                  *page,
                         GtkAssistant               *assistant)
{
  if (BA_IS_WIZARD_PAGE (page))
    ba_wizard_page_prepare (BA_WIZARD_PAGE (page));

  if (page == GTK_WIDGET (self->region_page))
    {
      ba_organization_region_page_set_services (self->region_page, get_services (self));
    }
  else if (page == GTK_WIDGET (self->connection_page))
    {
      ba_organization_connection_page_set_services (self->connection_page, get_services (self));
    }
  else if (page == GTK_WIDGET (self->register_page))
    {
      update_permissions (self);
      ba_organization_register_page_set_permissions (self->register_page, self->permissions, self->n_permissions);
    }
  else if (page == GTK_WIDGET (self->existing_page))
    {
      ba_organization_existing_page_set_services (self->existing_page, get_services (self));
    }
  else if (page == self->sign_in_box)
    {
      prepare_sign_in (self);
    }
  else if (page == GTK_WIDGET (self->progress_page))
    {
      start_job (self);
    }
}

static void
cancel (BaAddOrganizationAssistant *self)
{
  if (self->wizard.task == NULL)
    return;

  if (self->job_running)
    {
      /* The run stops after the request in flight and records what
       * exists; the wizard closes when it has. */
      if (!self->stopping)
        {
          self->stopping = TRUE;
          ba_organization_progress_page_stop (self->progress_page, _("Stopping after the current request…"));
          g_cancellable_cancel (self->job_cancellable);
        }
      return;
    }

  /* finish () cancels the wizard's cancellable, which closes an open
   * Select Certificate wizard too. */
  ba_sign_in_page_cancel (self->sign_in_page);
  finish (self, cancelled_error ());
}

static void
on_assistant_cancel_cb (BaAddOrganizationAssistant *self,
                        GtkAssistant               *assistant)
{
  cancel (self);
}

static void
on_assistant_close_cb (BaAddOrganizationAssistant *self,
                       GtkAssistant               *assistant)
{
  if (self->result != NULL)
    {
      finish (self, NULL);
      return;
    }

  finish (self, self->result_error != NULL ? g_steal_pointer (&self->result_error) : cancelled_error ());
}

static gboolean
on_assistant_close_request_cb (BaAddOrganizationAssistant *self,
                               GtkWindow                  *window)
{
  /* The title bar's close button is a Cancel too; a run in progress
   * stops after its request, and the wizard closes then. */
  if (self->wizard.task == NULL)
    return FALSE;

  if (gtk_assistant_get_current_page (self->wizard.assistant) == PAGE_SUMMARY)
    {
      on_assistant_close_cb (self, self->wizard.assistant);
      return FALSE;
    }

  cancel (self);
  return self->job_running;
}

static gboolean
cancel_from_caller_idle (gpointer user_data)
{
  cancel (BA_ADD_ORGANIZATION_ASSISTANT (user_data));
  return G_SOURCE_REMOVE;
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  cancel (BA_ADD_ORGANIZATION_ASSISTANT (user_data));
}

static void
install_certificate_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BaAddOrganizationAssistant *self = user_data;

  if (self->certificate_wizard != NULL)
    return;

  self->certificate_wizard = ba_select_certificate_assistant_new (GTK_WINDOW (self->wizard.assistant), self->certificates);
  ba_select_certificate_assistant_run_async (self->certificate_wizard, self->cancellable,
                                             certificate_cb, g_object_ref (self));
}

/* Parent overrides */

static void
ba_add_organization_assistant_dispose (GObject *object)
{
  BaAddOrganizationAssistant *self = (BaAddOrganizationAssistant *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->certificate_wizard);
  ba_wizard_dispose (&self->wizard);
  g_clear_object (&self->provisioner);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ba_add_organization_assistant_parent_class)->dispose (object);
}

static void
ba_add_organization_assistant_finalize (GObject *object)
{
  BaAddOrganizationAssistant *self = (BaAddOrganizationAssistant *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->certificates);
  g_clear_object (&self->settings);
  g_clear_object (&self->cloud);
  g_clear_object (&self->organization);
  g_clear_object (&self->result);
  g_clear_error (&self->result_error);
  g_clear_object (&self->wizard.task);
  g_clear_pointer (&self->permissions, g_free);

  G_OBJECT_CLASS (ba_add_organization_assistant_parent_class)->finalize (object);
}

static void
ba_add_organization_assistant_class_init (BaAddOrganizationAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_add_organization_assistant_dispose;
  object_class->finalize = ba_add_organization_assistant_finalize;
}

static void
ba_add_organization_assistant_init (BaAddOrganizationAssistant *self)
{
  static const GActionEntry wizard_actions[] = {
    { "cancel", cancel_action },
    { "install-certificate", install_certificate_action },
  };
  g_autoptr(GtkBuilderScope) scope = gtk_builder_cscope_new ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  const BaWizardChild pages[] = {
    { "services_page", (gpointer *) &self->services_page, TRUE },
    { "region_page", (gpointer *) &self->region_page, TRUE },
    { "connection_page", (gpointer *) &self->connection_page, TRUE },
    { "register_page", (gpointer *) &self->register_page, TRUE },
    { "existing_page", (gpointer *) &self->existing_page, TRUE },
    { "sign_in_box", (gpointer *) &self->sign_in_box, FALSE },
    { "sign_in_page", (gpointer *) &self->sign_in_page, FALSE },
    { "sign_in_role_label", (gpointer *) &self->sign_in_role_label, FALSE },
    { "sign_in_warning_label", (gpointer *) &self->sign_in_warning_label, FALSE },
    { "progress_page", (gpointer *) &self->progress_page, TRUE },
    { "summary_page", (gpointer *) &self->summary_page, TRUE },
  };

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (BASE_APP_ID);
  self->cancellable = g_cancellable_new ();

  g_type_ensure (BA_TYPE_ORGANIZATION_SERVICES_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_REGION_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_CONNECTION_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_REGISTER_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_EXISTING_PAGE);
  g_type_ensure (BA_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_PROGRESS_PAGE);
  g_type_ensure (BA_TYPE_ORGANIZATION_SUMMARY_PAGE);

  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_prepare_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_cancel_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_close_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_close_request_cb);

  ba_wizard_init (&self->wizard, G_OBJECT (self), "Add Organization",
                  RESOURCE_BASE_PATH "/ui/ba-add-organization-assistant.ui", scope);
  ba_wizard_bind_children (&self->wizard, pages, G_N_ELEMENTS (pages));

  g_signal_connect_object (self->sign_in_page, "notify::session",
                           G_CALLBACK (on_sign_in_session_cb), self, G_CONNECT_SWAPPED);

  /* GtkAssistant keeps its own Cancel away from a progress page; the page
   * offers one through this action, which stops after the request in
   * flight. */
  ba_wizard_add_actions (&self->wizard, wizard_actions, G_N_ELEMENTS (wizard_actions), self);

  gtk_assistant_set_forward_page_func (self->wizard.assistant, forward_page_func, self, NULL);
}

/* Public API */

BaAddOrganizationAssistant *
ba_add_organization_assistant_new (GtkWindow          *parent,
                                   BaStore            *store,
                                   BaCertificateStore *certificates)
{
  BaAddOrganizationAssistant *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BA_IS_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (certificates), NULL);

  self = g_object_new (BA_TYPE_ADD_ORGANIZATION_ASSISTANT, NULL);
  self->store = g_object_ref (store);
  self->certificates = g_object_ref (certificates);
  gtk_window_set_transient_for (GTK_WINDOW (self->wizard.assistant), parent);

  return self;
}

void
ba_add_organization_assistant_run_async (BaAddOrganizationAssistant *self,
                                         GCancellable               *cancellable,
                                         GAsyncReadyCallback         callback,
                                         gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_add_organization_assistant_run_async);

  ba_wizard_run (&self->wizard, g_steal_pointer (&task), cancel_from_caller_idle);
}

BaOrganization *
ba_add_organization_assistant_run_finish (BaAddOrganizationAssistant *self,
                                          GAsyncResult               *result,
                                          GError                    **error)
{
  g_return_val_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GtkAssistant *
_ba_add_organization_assistant_get_assistant (BaAddOrganizationAssistant *self)
{
  g_return_val_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self), NULL);

  return self->wizard.assistant;
}

GtkWidget *
_ba_add_organization_assistant_get_page (BaAddOrganizationAssistant *self,
                                         const char                 *id)
{
  g_return_val_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self), NULL);

  return GTK_WIDGET (gtk_builder_get_object (self->wizard.builder, id));
}

GObject *
_ba_add_organization_assistant_get_certificate_wizard (BaAddOrganizationAssistant *self)
{
  g_return_val_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self), NULL);

  return G_OBJECT (self->certificate_wizard);
}

void
_ba_add_organization_assistant_set_delays (BaAddOrganizationAssistant *self,
                                           guint                       retry_base_delay_ms,
                                           guint                       replication_timeout_ms)
{
  g_return_if_fail (BA_IS_ADD_ORGANIZATION_ASSISTANT (self));

  self->retry_base_delay_ms = retry_base_delay_ms;
  self->replication_timeout_ms = replication_timeout_ms;
}
