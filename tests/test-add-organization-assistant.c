/* test-add-organization-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <adwaita.h>

#include "ba-add-organization-assistant.h"
#include "ba-certificate-generate-page.h"
#include "ba-certificate-source-page.h"
#include "ba-graph-client.h"
#include "ba-graph-emulator.h"
#include "ba-organization-connection-page.h"
#include "ba-organization-existing-page.h"
#include "ba-organization-progress-page.h"
#include "ba-organization-region-page.h"
#include "ba-organization-register-page.h"
#include "ba-organization-rules.h"
#include "ba-organization-services-page.h"
#include "ba-organization-summary-page.h"
#include "ba-provisioner.h"
#include "ba-select-certificate-assistant.h"
#include "ba-sign-in-page.h"
#include "ba-test-gtk-utils.h"
#include "ba-test-utils.h"
#include "ba-window.h"

/* The real wizard, driven as an admin would, against the Graph emulator on
 * loopback: every way through it, every refusal, and Cancel at each step. */

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

#define ADMIN_UPN "admin@contoso.onmicrosoft.com"
#define UNKNOWN_APP_ID "0b5a0c2e-1111-4222-8333-444455556666"

/* Made once: RSA keys take a while. */
static BaCertificate *ours;
static BaCertificate *other;

typedef struct
{
  BaGraphEmulator *emulator;
  BaStore *store;
  BaCertificateStore *certificates;
  BaAddOrganizationAssistant *wizard;
  GtkAssistant *assistant;
  gboolean done;
  BaOrganization *result;
  GError *error;
} Fixture;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;

  f->result = ba_add_organization_assistant_run_finish (BA_ADD_ORGANIZATION_ASSISTANT (object), result, &f->error);
  f->done = TRUE;
}

static GtkWidget *
page (Fixture    *f,
      const char *id)
{
  return _ba_add_organization_assistant_get_page (f->wizard, id);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->emulator = ba_graph_emulator_new ();
  g_setenv ("BA_AUTHORITY_URL", ba_graph_emulator_get_url (f->emulator), TRUE);
  g_setenv ("BA_GRAPH_URL", ba_graph_emulator_get_url (f->emulator), TRUE);
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);

  f->store = ba_store_new_default ();
  g_assert_true (ba_store_load (f->store, &error));
  g_assert_no_error (error);
  f->certificates = ba_certificate_store_new (NULL, FALSE);

  f->wizard = ba_add_organization_assistant_new (NULL, f->store, f->certificates);
  _ba_add_organization_assistant_set_delays (f->wizard, 10, 3000);
  f->assistant = _ba_add_organization_assistant_get_assistant (f->wizard);
  _ba_sign_in_page_set_interval_ms (BA_SIGN_IN_PAGE (page (f, "sign_in_page")), 20);
  ba_add_organization_assistant_run_async (f->wizard, NULL, run_cb, f);
  ba_test_wait_mapped (GTK_WIDGET (f->assistant));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wizard);
  ba_test_iterate ();
  g_clear_object (&f->result);
  g_clear_error (&f->error);
  g_clear_object (&f->certificates);
  ba_test_store_settle (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->emulator);
  g_setenv ("BA_AUTHORITY_URL", "", TRUE);
  g_setenv ("BA_GRAPH_URL", "", TRUE);
}

static GtkWidget *
child (Fixture    *f,
       const char *page_id,
       GType       type,
       const char *name)
{
  return ba_test_template_child (page (f, page_id), type, name);
}

static gboolean
page_complete (Fixture    *f,
               const char *id)
{
  gboolean complete = FALSE;

  g_object_get (gtk_assistant_get_page (f->assistant, page (f, id)), "complete", &complete, NULL);
  return complete;
}

static gboolean
press (Fixture    *f,
       const char *label)
{
  GtkWidget *button = ba_test_find_button (GTK_WIDGET (f->assistant), label);

  g_assert_nonnull (button);
  return ba_test_click (button);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (Fixture *f);

static void
wait_for (Fixture   *f,
          Condition  condition)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (10, wake_cb, NULL);

  while (!condition (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  ba_test_iterate ();
}

static void
wait_for_page (Fixture *f,
               int      index)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (10, wake_cb, NULL);

  while (gtk_assistant_get_current_page (f->assistant) != index && !f->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  ba_test_iterate ();
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, index);
}

static gboolean
is_done (Fixture *f)
{
  return f->done;
}

static gboolean
signed_in (Fixture *f)
{
  return page_complete (f, "sign_in_box");
}

static gboolean
sign_in_warned (Fixture *f)
{
  return gtk_widget_get_visible (page (f, "sign_in_warning_label"));
}

static gboolean
code_waiting (Fixture *f)
{
  GtkWidget *code = ba_test_template_child (page (f, "sign_in_page"), BA_TYPE_SIGN_IN_PAGE, "code_label");

  return *gtk_label_get_text (GTK_LABEL (code)) != '\0';
}

static void
type_text (GtkWidget  *editable,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
  ba_test_iterate ();
}

static void
set_check (GtkWidget *check,
           gboolean   active)
{
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  ba_test_iterate ();
}

static const char *
summary_text (Fixture    *f,
              const char *name)
{
  return gtk_label_get_text (GTK_LABEL (child (f, "summary_page", BA_TYPE_ORGANIZATION_SUMMARY_PAGE, name)));
}

/* Steps 1 to 3. */
static void
choose (Fixture     *f,
        BaServices   services,
        BaCloudKind  cloud,
        gboolean     register_new)
{
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_SERVICES);
  ba_organization_services_page_set_services (BA_ORGANIZATION_SERVICES_PAGE (page (f, "services_page")), services);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "services_page"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_REGION);

  ba_organization_region_page_set_cloud (BA_ORGANIZATION_REGION_PAGE (page (f, "region_page")), cloud);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "region_page"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_CONNECTION);

  gtk_widget_activate (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE,
                              register_new ? "register_button" : "existing_button"));
  ba_test_iterate ();
  g_assert_cmpint (ba_organization_connection_page_get_register (BA_ORGANIZATION_CONNECTION_PAGE (page (f, "connection_page"))),
                   ==, register_new);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, register_new ? PAGE_REGISTER : PAGE_EXISTING);
}

static void
fill_register (Fixture    *f,
               const char *name)
{
  BaOrganizationRegisterPage *register_page = BA_ORGANIZATION_REGISTER_PAGE (page (f, "register_page"));

  type_text (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "name_entry"), name);
  g_assert_false (page_complete (f, "register_page"));
  /* What "Install…" hands back (its own test drives it). */
  ba_organization_register_page_set_certificate (register_page, ours);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "register_page"));
}

static void
fill_existing (Fixture       *f,
               const char    *username,
               const char    *app_id,
               BaCertificate *certificate,
               gboolean       grant)
{
  type_text (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "username_entry"), username);
  type_text (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "app_id_entry"), app_id);
  set_check (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "grant_check"), grant);
  ba_organization_existing_page_set_certificate (BA_ORGANIZATION_EXISTING_PAGE (page (f, "existing_page")), certificate);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "existing_page"));
}

/* Step 5, approved at once. */
static void
sign_in (Fixture *f)
{
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_APPROVED, NULL);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SIGN_IN);
  wait_for (f, signed_in);
}

static void
finish_wizard (Fixture *f)
{
  g_assert_true (press (f, "_Close"));
  wait_for (f, is_done);
}

static char *
der_base64 (BaCertificate *certificate)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  gsize size;
  const guchar *data = g_bytes_get_data (der, &size);

  return g_base64_encode (data, size);
}

static gboolean
has_key (Fixture       *f,
         const char    *app_id,
         BaCertificate *certificate)
{
  JsonObject *application = ba_graph_emulator_lookup_application (f->emulator, app_id);
  JsonArray *keys = json_object_get_array_member (application, "keyCredentials");
  g_autofree char *key = der_base64 (certificate);

  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonObject *credential = json_array_get_object_element (keys, i);

      if (json_object_has_member (credential, "key") &&
          g_strcmp0 (json_object_get_string_member (credential, "key"), key) == 0)
        return TRUE;
    }

  return FALSE;
}

static const char *
resource_sp_id (Fixture    *f,
                const char *resource_app_id)
{
  return json_object_get_string_member (ba_graph_emulator_lookup_service_principal (f->emulator, resource_app_id), "id");
}

static const char *
role_id (Fixture    *f,
         const char *resource_app_id,
         const char *value)
{
  JsonArray *roles = json_object_get_array_member (ba_graph_emulator_lookup_service_principal (f->emulator, resource_app_id),
                                                   "appRoles");

  for (guint i = 0; i < json_array_get_length (roles); i++)
    {
      JsonObject *role = json_array_get_object_element (roles, i);

      if (g_strcmp0 (json_object_get_string_member (role, "value"), value) == 0)
        return json_object_get_string_member (role, "id");
    }

  return NULL;
}

/* Every permission of the services granted exactly once, with the role id
 * from the resource's appRoles. */
static void
assert_grants (Fixture    *f,
               const char *sp_id,
               BaServices  services,
               guint       expected_posts)
{
  g_autofree BaPermission *permissions = NULL;
  GPtrArray *requests = ba_graph_emulator_get_requests (f->emulator);
  guint n = 0;
  guint posts = 0;

  permissions = ba_permissions_for_services (services, BA_CLOUD_KIND_GLOBAL, &n);
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, sp_id), ==, n);

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *request = g_ptr_array_index (requests, i);
      g_autoptr(JsonNode) body = NULL;
      JsonObject *object;
      gboolean known = FALSE;

      if (g_strcmp0 (request->method, "POST") != 0 || !g_str_has_suffix (request->path, "/appRoleAssignedTo") ||
          request->status != 201)
        continue;

      body = json_from_string (g_bytes_get_data (request->body, NULL), NULL);
      g_assert_nonnull (body);
      object = json_node_get_object (body);
      g_assert_cmpstr (json_object_get_string_member (object, "principalId"), ==, sp_id);
      for (guint j = 0; j < n; j++)
        {
          if (g_strcmp0 (json_object_get_string_member (object, "resourceId"), resource_sp_id (f, permissions[j].resource_app_id)) == 0 &&
              g_strcmp0 (json_object_get_string_member (object, "appRoleId"), role_id (f, permissions[j].resource_app_id, permissions[j].value)) == 0)
            known = TRUE;
        }
      g_assert_true (known);
      posts++;
    }

  g_assert_cmpuint (posts, ==, expected_posts);
}

static BaOrganization *
reload_organization (const char *tenant_id)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* The store saves in a thread: wait until the file has it. */
  for (;;)
    {
      g_autoptr(BaStore) store = ba_store_new_default ();
      BaOrganization *org;

      ba_store_load (store, NULL);
      org = ba_store_find_organization (store, tenant_id);
      if (org != NULL && ba_organization_get_own_application_id (org) != NULL)
        return g_object_ref (org);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

/* Register new */

static void
test_register_new (Fixture       *f,
                   gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(BaOrganization) saved = NULL;
  BaBackupApplication *app;
  GListModel *apps;
  JsonObject *sp;
  const char *app_id;
  g_autofree char *expected_thumbprint = NULL;

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, TRUE);
  /* The permissions that will be granted are listed before. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "permissions_label"))),
                            "Office 365 SharePoint Online: Sites.FullControl.All"));
  fill_register (f, "Backup Access Contoso");

  sign_in (f);
  /* Said before: which role it takes. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (page (f, "sign_in_role_label"))), "Global Administrator or Privileged Role Administrator"));
  g_assert_false (sign_in_warned (f));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 0);

  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_false (f->done);

  /* The emulator: the application with our certificate, its service
   * principal, one grant per permission. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);
  apps = ba_organization_get_applications (ba_store_find_organization (f->store, tenant));
  g_assert_cmpuint (g_list_model_get_n_items (apps), ==, 1);
  app = g_list_model_get_item (apps, 0);
  g_object_unref (app);
  app_id = ba_backup_application_get_app_id (app);
  g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, app_id));
  g_assert_cmpstr (json_object_get_string_member (ba_graph_emulator_lookup_application (f->emulator, app_id), "displayName"),
                   ==, "Backup Access Contoso");
  g_assert_true (has_key (f, app_id, ours));
  sp = ba_graph_emulator_lookup_service_principal (f->emulator, app_id);
  g_assert_nonnull (sp);
  assert_grants (f, json_object_get_string_member (sp, "id"), BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, 7);

  /* The steps were shown. */
  g_assert_nonnull (strstr (ba_organization_progress_page_get_steps (BA_ORGANIZATION_PROGRESS_PAGE (page (f, "progress_page"))),
                            "Reading the organization…"));

  /* The summary. */
  g_assert_cmpstr (summary_text (f, "title_label"), ==, "“Contoso” was added to the backup configuration");
  g_assert_cmpstr (summary_text (f, "name_value"), ==, "Contoso");
  g_assert_cmpstr (summary_text (f, "tenant_value"), ==, tenant);
  g_assert_cmpstr (summary_text (f, "app_id_value"), ==, app_id);
  expected_thumbprint = g_strdup (ba_certificate_get_sha1_thumbprint (ours));
  g_assert_cmpstr (summary_text (f, "thumbprint_value"), ==, expected_thumbprint);
  g_assert_nonnull (strstr (summary_text (f, "permissions_value"), "Microsoft Graph: Directory.Read.All"));
  g_assert_false (gtk_widget_get_visible (child (f, "summary_page", BA_TYPE_ORGANIZATION_SUMMARY_PAGE, "problems_label")));

  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_nonnull (f->result);
  g_assert_true (f->result == ba_store_find_organization (f->store, tenant));
  g_assert_cmpstr (ba_organization_get_name (f->result), ==, "Contoso");
  g_assert_cmpint (ba_organization_get_cloud (f->result), ==, BA_CLOUD_KIND_GLOBAL);
  g_assert_cmpint (ba_organization_get_auth_type (f->result), ==, BA_AUTH_TYPE_MODERN_APP_ONLY);
  g_assert_cmpuint (ba_organization_get_services (f->result), ==, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT);
  g_assert_cmpstr (ba_organization_get_own_application_id (f->result), ==, app_id);
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ORGANIZATION);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);

  /* And on disk. */
  saved = reload_organization (tenant);
  g_assert_cmpstr (ba_organization_get_own_application_id (saved), ==, app_id);
  g_assert_nonnull (ba_organization_find_application (saved, app_id));
}

static void
test_replication_delay (Fixture       *f,
                        gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);

  /* Fresh objects stay invisible for a while: bounded retries wait it out. */
  ba_graph_emulator_set_replication_delay (f->emulator, 300);
  choose (f, BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, TRUE);
  fill_register (f, "Backup Access Delayed");
  sign_in (f);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_false (gtk_widget_get_visible (child (f, "summary_page", BA_TYPE_ORGANIZATION_SUMMARY_PAGE, "problems_label")));
  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_nonnull (ba_store_find_organization (f->store, tenant));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);
}

static void
test_insufficient_privileges (Fixture       *f,
                              gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  const char *roles[] = { "User Administrator", NULL };
  g_autofree char *prefix = NULL;
  BaOrganization *org;
  g_autoptr(BaBackupApplication) app = NULL;
  const char *problems;

  /* An account that cannot grant app roles: warned after sign-in. */
  ba_graph_emulator_set_admin (f->emulator, ADMIN_UPN, "Admin", roles);
  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, TRUE);
  fill_register (f, "Backup Access Forbidden");
  sign_in (f);
  wait_for (f, sign_in_warned);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (page (f, "sign_in_warning_label"))),
                            "holds neither the Global Administrator nor the Privileged Role Administrator role"));

  prefix = g_strdup_printf ("/v1.0/servicePrincipals/%s/appRoleAssignedTo", resource_sp_id (f, BA_RESOURCE_GRAPH));
  ba_graph_emulator_inject_graph_error (f->emulator, prefix, 403, "Authorization_RequestDenied", 20);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);

  /* The application exists in the tenant: it is recorded, and the summary
   * says what to do. */
  org = ba_store_find_organization (f->store, tenant);
  g_assert_nonnull (org);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (org)), ==, 1);
  app = g_list_model_get_item (ba_organization_get_applications (org), 0);
  g_assert_cmpint (ba_backup_application_get_state (app), !=, BA_PROVISIONING_STATE_READY);
  g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, ba_backup_application_get_app_id (app)));
  g_assert_cmpstr (summary_text (f, "title_label"), ==, "“Contoso” was added, but its application is not ready");
  problems = summary_text (f, "problems_label");
  g_assert_true (gtk_widget_get_visible (child (f, "summary_page", BA_TYPE_ORGANIZATION_SUMMARY_PAGE, "problems_label")));
  g_assert_nonnull (strstr (problems, "Global Administrator or Privileged Role Administrator"));

  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_true (f->result == org);
}

/* Use existing */

static void
request_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_existing_grant (Fixture       *f,
                     gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(GBytes) other_der = ba_certificate_get_der (other);
  g_autoptr(BaGraphClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *text = NULL;
  BaSession *session;
  const char *sp_id;
  BaBackupApplication *app;

  /* The admin's own application, with another key already. */
  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", other_der, TRUE, NULL);
  sp_id = json_object_get_string_member (ba_graph_emulator_lookup_service_principal (f->emulator, app_id), "id");

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, FALSE);
  fill_existing (f, "backup@contoso.com", app_id, ours, TRUE);
  sign_in (f);

  /* One grant it has already, made by the admin. */
  session = ba_sign_in_page_get_session (BA_SIGN_IN_PAGE (page (f, "sign_in_page")));
  client = ba_graph_client_new (ba_session_get_cloud (session), session);
  text = g_strdup_printf ("{\"principalId\":\"%s\",\"resourceId\":\"%s\",\"appRoleId\":\"%s\"}",
                          sp_id, resource_sp_id (f, BA_RESOURCE_SHAREPOINT),
                          role_id (f, BA_RESOURCE_SHAREPOINT, "Sites.FullControl.All"));
  body = json_from_string (text, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("/servicePrincipals/%s/appRoleAssignedTo", resource_sp_id (f, BA_RESOURCE_SHAREPOINT));
  ba_graph_client_request_async (client, "POST", text, body, NULL, NULL, request_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = ba_graph_client_request_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, sp_id), ==, 1);
  ba_graph_emulator_clear_requests (f->emulator);

  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);

  /* The other key kept, ours added; the missing grants made, the present
   * one not again. */
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, app_id), ==, 2);
  g_assert_true (has_key (f, app_id, ours));
  g_assert_true (has_key (f, app_id, other));
  assert_grants (f, sp_id, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, 6);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/applications"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);

  g_assert_cmpstr (summary_text (f, "app_id_value"), ==, app_id);
  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_nonnull (f->result);
  g_assert_cmpstr (ba_organization_get_tenant_id (f->result), ==, tenant);
  g_assert_cmpstr (ba_organization_get_impersonation_account (f->result), ==, "backup@contoso.com");
  g_assert_cmpstr (ba_organization_get_own_application_id (f->result), ==, app_id);
  app = ba_organization_find_application (f->result, app_id);
  g_assert_nonnull (app);
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ORGANIZATION);
}

static void
test_existing_no_grant (Fixture       *f,
                        gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(GBytes) der = ba_certificate_get_der (ours);
  const char *roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autofree char *app_id = NULL;
  BaBackupApplication *app;

  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", der, TRUE, roles);
  ba_graph_emulator_clear_requests (f->emulator);

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, FALSE);
  fill_existing (f, "backup@contoso.com", app_id, ours, FALSE);

  /* No sign-in page: straight to the check and the summary. */
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/contoso.com/oauth2/v2.0/token"), >=, 1);
  /* Nothing written to Microsoft Entra ID. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "PATCH", "/v1.0/"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, app_id), ==, 1);

  g_assert_cmpstr (summary_text (f, "name_value"), ==, "contoso.com");
  g_assert_cmpstr (summary_text (f, "tenant_value"), ==, tenant);
  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_cmpstr (ba_organization_get_name (f->result), ==, "contoso.com");
  app = ba_organization_find_application (f->result, app_id);
  g_assert_nonnull (app);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
  g_assert_nonnull (ba_backup_application_get_last_verified (app));
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, ba_certificate_get_sha1_thumbprint (ours));
}

/* A failed check goes back to the page with what is wrong; nothing is
 * added. */
static void
assert_refused (Fixture    *f,
                const char *expected)
{
  GtkWidget *error_label = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "error_label");

  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_EXISTING);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_test_message ("refused: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  if (expected != NULL)
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), expected));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 0);
  g_assert_false (f->done);
}

static void
test_existing_no_grant_failures (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (ours);
  g_autoptr(GBytes) other_der = ba_certificate_get_der (other);
  const char *some_roles[] = { "Sites.Read.All", NULL };
  const char *all_roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autofree char *other_app = NULL;
  g_autofree char *lacking_app = NULL;
  GtkWidget *app_id_entry = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "app_id_entry");
  g_autofree char *good_app = NULL;

  other_app = ba_graph_emulator_add_application (f->emulator, "Other key", other_der, TRUE, all_roles);
  lacking_app = ba_graph_emulator_add_application (f->emulator, "Lacking", der, TRUE, some_roles);
  good_app = ba_graph_emulator_add_application (f->emulator, "Good", der, TRUE, all_roles);

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, FALSE);

  /* Unknown application. */
  fill_existing (f, "backup@contoso.com", UNKNOWN_APP_ID, ours, FALSE);
  assert_refused (f, "No application with this ID in the tenant");

  /* Our certificate is not registered with it. */
  type_text (app_id_entry, other_app);
  g_assert_false (gtk_widget_get_visible (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "error_label")));
  assert_refused (f, "The certificate is not registered on this application");

  /* It lacks permissions: named. */
  type_text (app_id_entry, lacking_app);
  assert_refused (f, "lacks these Microsoft Graph permissions: Directory.Read.All, Group.Read.All.");

  /* Fixed: it goes through. */
  type_text (app_id_entry, good_app);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);
  finish_wizard (f);
  g_assert_no_error (f->error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 1);
}

/* Validation */

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  BaOrganizationServicesPage *services = BA_ORGANIZATION_SERVICES_PAGE (page (f, "services_page"));
  GtkWidget *teams = child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "teams_check");
  GtkWidget *chats = child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "teams_chats_check");
  GtkWidget *exchange = child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "exchange_check");
  GtkWidget *sharepoint = child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "sharepoint_check");
  GtkWidget *error_label = child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "error_label");
  GtkWidget *username;
  GtkWidget *app_id;
  GtkWidget *username_error;
  GtkWidget *app_id_error;

  /* Teams only with Exchange and SharePoint; chats only with Teams. */
  g_assert_true (gtk_widget_get_sensitive (teams));
  g_assert_false (gtk_widget_get_sensitive (chats));
  g_assert_true (gtk_widget_get_visible (child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "teams_chats_reason")));
  set_check (teams, TRUE);
  g_assert_true (gtk_widget_get_sensitive (chats));
  set_check (chats, TRUE);
  set_check (exchange, FALSE);
  g_assert_false (gtk_widget_get_sensitive (teams));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (teams)));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (chats)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "services_page", BA_TYPE_ORGANIZATION_SERVICES_PAGE, "teams_reason"))), ==,
                   "Microsoft Teams can be backed up only together with Exchange Online and SharePoint Online.");

  /* No service: refused. */
  set_check (sharepoint, FALSE);
  g_assert_cmpuint (ba_organization_services_page_get_services (services), ==, BA_SERVICE_NONE);
  g_assert_false (page_complete (f, "services_page"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "Choose at least one service to back up.");

  /* Teams in China, chats in the US Government clouds: refused with the
   * reason next to the cloud. */
  ba_organization_services_page_set_services (services, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS | BA_SERVICE_TEAMS_CHATS);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "services_page"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_REGION);
  g_assert_false (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "china_button")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "china_reason"))), ==,
                   "Microsoft Teams cannot be backed up in the China cloud.");
  g_assert_false (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "l4_button")));
  g_assert_false (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "l5_button")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "l5_reason"))), ==,
                   "Teams chats cannot be backed up in the China and US Government clouds.");
  g_assert_true (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "global_button")));
  /* Basic authentication only in China, said why. */
  g_assert_false (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "basic_button")));
  g_assert_true (gtk_widget_get_visible (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "basic_reason")));
  g_assert_true (page_complete (f, "region_page"));

  /* Teams chats: registering a new application is not offered. */
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_CONNECTION);
  g_assert_false (gtk_widget_get_sensitive (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE, "register_button")));
  g_assert_true (gtk_widget_get_visible (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE, "register_reason")));
  g_assert_false (ba_organization_connection_page_get_register (BA_ORGANIZATION_CONNECTION_PAGE (page (f, "connection_page"))));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_EXISTING);

  /* Bad user name, bad GUID. */
  username = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "username_entry");
  app_id = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "app_id_entry");
  username_error = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "username_error");
  app_id_error = child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "app_id_error");
  ba_organization_existing_page_set_certificate (BA_ORGANIZATION_EXISTING_PAGE (page (f, "existing_page")), ours);
  g_assert_false (gtk_widget_get_visible (username_error));
  type_text (username, "backup");
  g_assert_true (gtk_widget_get_visible (username_error));
  gtk_test_accessible_assert_property (username, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Enter the user name as name@domain, such as backup@contoso.com.");
  type_text (username, "backup@contoso");
  g_assert_true (gtk_widget_get_visible (username_error));
  type_text (username, "backup@contoso.com");
  g_assert_false (gtk_widget_get_visible (username_error));
  type_text (app_id, "not-a-guid");
  g_assert_true (gtk_widget_get_visible (app_id_error));
  g_assert_false (page_complete (f, "existing_page"));
  type_text (app_id, "0b5a0c2e-1111-4222-8333-44445555666");
  g_assert_true (gtk_widget_get_visible (app_id_error));
  type_text (app_id, UNKNOWN_APP_ID);
  g_assert_false (gtk_widget_get_visible (app_id_error));
  g_assert_true (page_complete (f, "existing_page"));
  g_assert_true (gtk_widget_get_visible (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "public_folder_note")));

  /* Back: SharePoint only asks for the organization name, a bare domain. */
  g_assert_true (press (f, "_Back"));
  wait_for_page (f, PAGE_CONNECTION);
  g_assert_true (press (f, "_Back"));
  wait_for_page (f, PAGE_REGION);
  g_assert_true (press (f, "_Back"));
  wait_for_page (f, PAGE_SERVICES);
  ba_organization_services_page_set_services (services, BA_SERVICE_SHAREPOINT);
  ba_test_iterate ();
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_REGION);
  /* Now China can be chosen, and basic authentication there. */
  g_assert_true (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "china_button")));
  ba_organization_region_page_set_cloud (BA_ORGANIZATION_REGION_PAGE (page (f, "region_page")), BA_CLOUD_KIND_CHINA);
  ba_test_iterate ();
  g_assert_true (gtk_widget_get_sensitive (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "basic_button")));
  g_assert_false (gtk_widget_get_visible (child (f, "region_page", BA_TYPE_ORGANIZATION_REGION_PAGE, "basic_reason")));
  ba_organization_region_page_set_cloud (BA_ORGANIZATION_REGION_PAGE (page (f, "region_page")), BA_CLOUD_KIND_GLOBAL);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_CONNECTION);
  g_assert_true (gtk_widget_get_sensitive (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE, "register_button")));
  gtk_widget_activate (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE, "existing_button"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_EXISTING);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "username_title"))),
                   ==, "Organization name");
  gtk_test_accessible_assert_property (username, GTK_ACCESSIBLE_PROPERTY_LABEL, "Organization name");
  /* A domain with a user is refused here. */
  g_assert_true (gtk_widget_get_visible (username_error));
  g_assert_false (page_complete (f, "existing_page"));
  type_text (username, "contoso.com");
  g_assert_false (gtk_widget_get_visible (username_error));
  g_assert_true (page_complete (f, "existing_page"));
  g_assert_false (gtk_widget_get_visible (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "public_folder_note")));

  /* Register new: a name is needed. */
  g_assert_true (press (f, "_Back"));
  wait_for_page (f, PAGE_CONNECTION);
  gtk_widget_activate (child (f, "connection_page", BA_TYPE_ORGANIZATION_CONNECTION_PAGE, "register_button"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_REGISTER);
  ba_organization_register_page_set_certificate (BA_ORGANIZATION_REGISTER_PAGE (page (f, "register_page")), ours);
  g_assert_false (page_complete (f, "register_page"));
  type_text (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "name_entry"), "   ");
  g_assert_false (page_complete (f, "register_page"));
  g_assert_true (gtk_widget_get_visible (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "name_error")));
  type_text (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "name_entry"), "Backup");
  g_assert_true (page_complete (f, "register_page"));

  /* Nothing was made or kept. */
  g_assert_false (f->done);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, NULL), ==, 0);
}

static void
test_duplicate_tenant (Fixture       *f,
                       gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(BaOrganization) existing = ba_organization_new (tenant, "Contoso");
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_store_add_organization (f->store, existing, &error));
  choose (f, BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, TRUE);
  fill_register (f, "Backup Access Again");
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SIGN_IN);
  wait_for (f, sign_in_warned);

  /* Refused as soon as the tenant is known, before anything is made. */
  g_assert_nonnull (ba_sign_in_page_get_session (BA_SIGN_IN_PAGE (page (f, "sign_in_page"))));
  g_assert_false (signed_in (f));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page (f, "sign_in_warning_label"))), ==,
                   "“Contoso” (tenant 72f988bf-0000-4000-8000-00000000c0de) is in the backup configuration already. Remove it first to add it again.");
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 1);

  g_assert_true (press (f, "_Cancel"));
  wait_for (f, is_done);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_duplicate_tenant_no_grant (Fixture       *f,
                                gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(BaOrganization) existing = ba_organization_new (tenant, "Contoso");
  g_autoptr(GBytes) der = ba_certificate_get_der (ours);
  const char *roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = NULL;

  g_assert_true (ba_store_add_organization (f->store, existing, &error));
  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", der, TRUE, roles);
  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, FALSE);
  fill_existing (f, "backup@contoso.com", app_id, ours, FALSE);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_EXISTING);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "existing_page", BA_TYPE_ORGANIZATION_EXISTING_PAGE, "error_label"))),
                            "is in the backup configuration already"));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 1);
  g_assert_true (ba_store_find_organization (f->store, tenant) == existing);
}

/* Cancel */

static void
assert_cancelled_nothing_kept (Fixture *f)
{
  wait_for (f, is_done);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (f->result);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->assistant)));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 0);
}

static void
test_cancel_each_step (Fixture       *f,
                       gconstpointer  data)
{
  int step = GPOINTER_TO_INT (data);

  if (step == PAGE_EXISTING)
    {
      choose (f, BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, FALSE);
      fill_existing (f, "backup@contoso.com", UNKNOWN_APP_ID, ours, TRUE);
      g_assert_true (press (f, "_Cancel"));
      assert_cancelled_nothing_kept (f);
      g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, NULL), ==, 0);
      return;
    }

  if (step >= PAGE_REGION)
    {
      g_assert_true (press (f, "_Next"));
      wait_for_page (f, PAGE_REGION);
    }
  if (step >= PAGE_CONNECTION)
    {
      g_assert_true (press (f, "_Next"));
      wait_for_page (f, PAGE_CONNECTION);
    }
  if (step >= PAGE_REGISTER)
    {
      g_assert_true (press (f, "_Next"));
      wait_for_page (f, PAGE_REGISTER);
      fill_register (f, "Cancelled");
    }
  if (step >= PAGE_SIGN_IN)
    {
      g_assert_true (press (f, "_Next"));
      wait_for_page (f, PAGE_SIGN_IN);
      wait_for (f, code_waiting);
    }

  g_assert_true (press (f, "_Cancel"));
  assert_cancelled_nothing_kept (f);
  /* The sign-in stopped polling with the wizard. */
  if (step >= PAGE_SIGN_IN)
    {
      guint polls = ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token");
      gint64 until = g_get_monotonic_time () + 150 * 1000;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token"), ==, polls);
    }
}

static void
test_cancel_close_button (Fixture       *f,
                          gconstpointer  data)
{
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_REGION);
  /* The title bar's close button. */
  gtk_window_close (GTK_WINDOW (f->assistant));
  assert_cancelled_nothing_kept (f);
}

static gboolean
application_created (Fixture *f)
{
  return ba_graph_emulator_count_applications (f->emulator) > 0;
}

static void
test_cancel_during_progress (Fixture       *f,
                             gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  GtkWidget *cancel_button = child (f, "progress_page", BA_TYPE_ORGANIZATION_PROGRESS_PAGE, "cancel_button");
  BaOrganization *org;
  g_autoptr(BaBackupApplication) app = NULL;

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, TRUE);
  fill_register (f, "Backup Access Stopped");
  sign_in (f);
  /* Slow enough to stop in the middle. */
  ba_graph_emulator_set_latency (f->emulator, 60);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_PROGRESS);
  g_assert_true (gtk_widget_get_sensitive (cancel_button));
  gtk_test_accessible_assert_property (cancel_button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Stop adding the organization");
  wait_for (f, application_created);
  g_assert_true (ba_test_click (cancel_button));
  wait_for (f, is_done);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Stopped before every grant was made, and what exists is recorded. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);
  org = ba_store_find_organization (f->store, tenant);
  g_assert_nonnull (org);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (org)), ==, 1);
  app = g_list_model_get_item (ba_organization_get_applications (org), 0);
  g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, ba_backup_application_get_app_id (app)));
  g_assert_cmpint (ba_backup_application_get_state (app), !=, BA_PROVISIONING_STATE_READY);

  /* Recorded on disk, not only in memory, by the time the wizard is done. */
  {
    g_autoptr(BaStore) reread = ba_store_new (ba_store_get_path (f->store));
    BaOrganization *saved;

    g_assert_true (ba_store_load (reread, NULL));
    saved = ba_store_find_organization (reread, tenant);
    g_assert_nonnull (saved);
    g_assert_nonnull (ba_organization_find_application (saved, ba_backup_application_get_app_id (app)));
  }
}

static void
test_cancel_progress_before_anything (Fixture       *f,
                                      gconstpointer  data)
{
  choose (f, BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, TRUE);
  fill_register (f, "Backup Access Stopped");
  sign_in (f);
  ba_graph_emulator_set_latency (f->emulator, 300);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_PROGRESS);
  /* Still reading the organization: nothing made yet. */
  g_assert_true (ba_test_click (child (f, "progress_page", BA_TYPE_ORGANIZATION_PROGRESS_PAGE, "cancel_button")));
  assert_cancelled_nothing_kept (f);
}

/* Install… opens the Select Certificate wizard with the store. */
static void
test_install_certificate (Fixture       *f,
                          gconstpointer  data)
{
  BaSelectCertificateAssistant *certificate_wizard;
  GtkAssistant *inner;
  GtkWidget *name;
  gint64 deadline;
  BaCertificate *chosen;

  choose (f, BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, TRUE);
  g_assert_null (_ba_add_organization_assistant_get_certificate_wizard (f->wizard));
  g_assert_true (ba_test_click (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "install_button")));
  certificate_wizard = BA_SELECT_CERTIFICATE_ASSISTANT (_ba_add_organization_assistant_get_certificate_wizard (f->wizard));
  g_assert_nonnull (certificate_wizard);
  inner = _ba_select_certificate_assistant_get_assistant (certificate_wizard);
  ba_test_wait_mapped (GTK_WIDGET (inner));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (inner)) == GTK_WINDOW (f->assistant));

  g_assert_true (ba_test_click (ba_test_find_button (GTK_WIDGET (inner), "_Next")));
  ba_test_iterate ();
  name = ba_test_template_child (_ba_select_certificate_assistant_get_page (certificate_wizard, "generate_page"),
                                 BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry");
  type_text (name, "Backup Access Installed");
  g_assert_true (ba_test_click (ba_test_find_button (GTK_WIDGET (inner), "_Apply")));

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (gtk_assistant_get_current_page (inner) != 5)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  ba_test_iterate ();
  g_assert_true (ba_test_click (ba_test_find_button (GTK_WIDGET (inner), "_Close")));
  while (_ba_add_organization_assistant_get_certificate_wizard (f->wizard) != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  ba_test_iterate ();

  chosen = ba_organization_register_page_get_certificate (BA_ORGANIZATION_REGISTER_PAGE (page (f, "register_page")));
  g_assert_nonnull (chosen);
  g_assert_cmpstr (ba_certificate_get_common_name (chosen), ==, "Backup Access Installed");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "register_page", BA_TYPE_ORGANIZATION_REGISTER_PAGE, "certificate_label"))),
                            ba_certificate_get_sha1_thumbprint (chosen)));
  g_assert_nonnull (ba_certificate_store_lookup (f->certificates, ba_certificate_get_sha1_thumbprint (chosen)));
}

static void
test_accessible (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    const char *page;
    GType (*type) (void);
    const char *child;
    const char *label;
  } labels[] = {
    { "services_page", ba_organization_services_page_get_type, "exchange_check", "Back up Exchange Online" },
    { "services_page", ba_organization_services_page_get_type, "teams_check", "Back up Microsoft Teams" },
    { "services_page", ba_organization_services_page_get_type, "teams_chats_check", "Back up Teams chats" },
    { "region_page", ba_organization_region_page_get_type, "china_button", "China cloud" },
    { "region_page", ba_organization_region_page_get_type, "basic_button", "Basic authentication" },
    { "connection_page", ba_organization_connection_page_get_type, "register_button", "Register a new Microsoft Entra application automatically" },
    { "register_page", ba_organization_register_page_get_type, "name_entry", "Application name" },
    { "register_page", ba_organization_register_page_get_type, "install_button", "Choose the application’s certificate" },
    { "existing_page", ba_organization_existing_page_get_type, "username_entry", "Username" },
    { "existing_page", ba_organization_existing_page_get_type, "app_id_entry", "Application ID" },
    { "existing_page", ba_organization_existing_page_get_type, "grant_check", "Grant the required permissions and register the certificate" },
    { "progress_page", ba_organization_progress_page_get_type, "cancel_button", "Stop adding the organization" },
  };
  static const struct {
    const char *page;
    const char *label;
  } pages[] = {
    { "services_page", "Deployment Type" },
    { "region_page", "Region and Authentication" },
    { "connection_page", "Connection to Microsoft 365" },
    { "register_page", "New Microsoft Entra Application" },
    { "existing_page", "Existing Microsoft Entra Application" },
    { "sign_in_box", "Log in to Microsoft 365" },
    { "progress_page", "Progress" },
    { "summary_page", "Summary" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_test_message ("%s", labels[i].child);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, labels[i].page, labels[i].type (), labels[i].child)),
                                           GTK_ACCESSIBLE_PROPERTY_LABEL, labels[i].label);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (page (f, pages[i].page)), GTK_ACCESSIBLE_PROPERTY_LABEL, pages[i].label);
}

static gboolean
window_wizard_closed (Fixture *f)
{
  return !gtk_widget_get_visible (GTK_WIDGET (f->assistant));
}

/* From the window: the action opens the wizard, and the organization it
 * adds appears in the Organizations view, selected. */
static void
test_from_window (void)
{
  Fixture fixture = { NULL, };
  Fixture *f = &fixture;
  g_autoptr(GBytes) der = NULL;
  const char *roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autofree char *app_id = NULL;
  g_autoptr(GError) error = NULL;
  BaWindow *window;
  GtkListBox *list;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  f->emulator = ba_graph_emulator_new ();
  g_setenv ("BA_AUTHORITY_URL", ba_graph_emulator_get_url (f->emulator), TRUE);
  g_setenv ("BA_GRAPH_URL", ba_graph_emulator_get_url (f->emulator), TRUE);
  f->store = ba_store_new_default ();
  g_assert_true (ba_store_load (f->store, &error));
  der = ba_certificate_get_der (ours);
  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", der, TRUE, roles);

  window = ba_window_new (NULL, f->store);
  gtk_window_present (GTK_WINDOW (window));
  ba_test_wait_mapped (GTK_WIDGET (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-organization", NULL));
  f->wizard = g_object_ref (_ba_window_get_add_organization_assistant (window));
  g_assert_nonnull (f->wizard);
  f->assistant = _ba_add_organization_assistant_get_assistant (f->wizard);
  ba_test_wait_mapped (GTK_WIDGET (f->assistant));

  choose (f, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT, BA_CLOUD_KIND_GLOBAL, FALSE);
  fill_existing (f, "backup@contoso.com", app_id, ours, FALSE);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_true (press (f, "_Close"));
  wait_for (f, window_wizard_closed);
  while (_ba_window_get_add_organization_assistant (window) != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  ba_test_iterate ();

  list = GTK_LIST_BOX (ba_test_template_child (window, BA_TYPE_WINDOW, "organization_list"));
  g_assert_nonnull (gtk_list_box_get_row_at_index (list, 0));
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));
  g_assert_nonnull (ba_window_get_selected_organization (window));
  g_assert_cmpstr (ba_organization_get_tenant_id (ba_window_get_selected_organization (window)), ==,
                   ba_graph_emulator_get_tenant_id (f->emulator));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&f->wizard);
  ba_test_iterate ();
  g_clear_object (&f->store);
  g_clear_object (&f->emulator);
  g_setenv ("BA_AUTHORITY_URL", "", TRUE);
  g_setenv ("BA_GRAPH_URL", "", TRUE);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  BaCertificate **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ba_certificate_generate_finish (result, &error);
  g_assert_no_error (error);
}

static BaCertificate *
make_certificate (const char *name)
{
  BaCertificate *certificate = NULL;

  ba_certificate_generate_async (name, 2048, 1, NULL, generate_cb, &certificate);
  while (certificate == NULL)
    g_main_context_iteration (NULL, TRUE);

  return certificate;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ba_test_gtk_init (&argc, &argv);

  ours = make_certificate ("Backup Access Test");
  other = make_certificate ("Someone Else");

#define ADD(path, func, data) \
  g_test_add ("/ba/add-organization-assistant/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("register-new", test_register_new, NULL);
  ADD ("replication-delay", test_replication_delay, NULL);
  ADD ("insufficient-privileges", test_insufficient_privileges, NULL);
  ADD ("existing-grant", test_existing_grant, NULL);
  ADD ("existing-no-grant", test_existing_no_grant, NULL);
  ADD ("existing-no-grant-failures", test_existing_no_grant_failures, NULL);
  ADD ("validation", test_validation, NULL);
  ADD ("duplicate-tenant", test_duplicate_tenant, NULL);
  ADD ("duplicate-tenant-no-grant", test_duplicate_tenant_no_grant, NULL);
  ADD ("cancel/services", test_cancel_each_step, GINT_TO_POINTER (PAGE_SERVICES));
  ADD ("cancel/region", test_cancel_each_step, GINT_TO_POINTER (PAGE_REGION));
  ADD ("cancel/connection", test_cancel_each_step, GINT_TO_POINTER (PAGE_CONNECTION));
  ADD ("cancel/register", test_cancel_each_step, GINT_TO_POINTER (PAGE_REGISTER));
  ADD ("cancel/existing", test_cancel_each_step, GINT_TO_POINTER (PAGE_EXISTING));
  ADD ("cancel/sign-in", test_cancel_each_step, GINT_TO_POINTER (PAGE_SIGN_IN));
  ADD ("cancel/close-button", test_cancel_close_button, NULL);
  ADD ("cancel/progress", test_cancel_during_progress, NULL);
  ADD ("cancel/progress-before-anything", test_cancel_progress_before_anything, NULL);
  ADD ("install-certificate", test_install_certificate, NULL);
  ADD ("accessible", test_accessible, NULL);
  g_test_add_func ("/ba/add-organization-assistant/from-window", test_from_window);

#undef ADD

  status = g_test_run ();
  g_clear_object (&ours);
  g_clear_object (&other);
  return status;
}
