/* test-cli-organization.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ba-certificate-store.h"
#include "ba-graph-emulator.h"
#include "ba-provisioner.h"
#include "ba-store.h"
#include "ba-test-cli.h"
#include "ba-test-utils.h"

/* `backup-access-cli organization add|remove`, run as an admin's script
 * would, against the Graph emulator: the same cases as the wizard's test,
 * with the same messages. The emulator answers on this process's main
 * context, so the program runs asynchronously while the main loop turns. */

#define run_cliv(f, argv) ba_test_cli_runv (ba_graph_emulator_get_url ((f)->emulator), NULL, (argv))
#define run_cli(f, ...) \
  ba_test_cli_runv (ba_graph_emulator_get_url ((f)->emulator), NULL, (const char * const[]) { __VA_ARGS__, NULL })

#define UNKNOWN_APP_ID "0b5a0c2e-1111-4222-8333-444455556666"

typedef struct
{
  BaGraphEmulator *emulator;
  BaCertificate *ours;
  BaCertificate *other;
} Fixture;

/* Made once, kept in each test's key store. */
static BaCertificate *ours_template;
static BaCertificate *other_template;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

  f->emulator = ba_graph_emulator_new ();
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);

  /* The CLI finds the certificates by thumbprint in our key store. */
  f->ours = ba_certificate_store_add (store, ours_template, &error);
  g_assert_no_error (error);
  f->other = ba_certificate_store_add (store, other_template, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);

  /* The keyring is shared: leave no passphrase behind. */
  ba_certificate_store_delete (store, f->ours, NULL);
  ba_certificate_store_delete (store, f->other, NULL);
  g_clear_object (&f->ours);
  g_clear_object (&f->other);
  g_clear_object (&f->emulator);
}

static BaStore *
load_store (void)
{
  BaStore *store = ba_store_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

static gboolean
has_key (Fixture       *f,
         const char    *app_id,
         BaCertificate *certificate)
{
  JsonArray *keys = json_object_get_array_member (ba_graph_emulator_lookup_application (f->emulator, app_id), "keyCredentials");
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autofree char *key = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));

  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonObject *credential = json_array_get_object_element (keys, i);

      if (g_strcmp0 (json_object_get_string_member (credential, "key"), key) == 0)
        return TRUE;
    }

  return FALSE;
}

static const char *
sp_id_of (Fixture    *f,
          const char *app_id)
{
  return json_object_get_string_member (ba_graph_emulator_lookup_service_principal (f->emulator, app_id), "id");
}

static guint
n_permissions (BaServices services)
{
  g_autofree BaPermission *permissions = NULL;
  guint n = 0;

  permissions = ba_permissions_for_services (services, BA_CLOUD_KIND_GLOBAL, &n);
  return n;
}

static void
approve_sign_in (Fixture *f)
{
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_APPROVED, NULL);
}

static void
test_register_new (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(BaStore) store = NULL;
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  const char *app_id;
  BaOrganization *org;
  BaBackupApplication *app;

  approve_sign_in (f);
  r = run_cli (f, "organization", "add", "--services", "exchange,sharepoint", "--cloud", "global",
               "--register-name", "Backup Access CLI", "--certificate", ba_certificate_get_sha1_thumbprint (f->ours),
               "--json");
  g_assert_cmpint (r->status, ==, 0);
  /* The code on stderr, as for every sign-in. */
  g_assert_nonnull (strstr (r->err, ba_graph_emulator_get_last_user_code (f->emulator)));

  root = ba_test_parse_object (r->out);
  app_id = json_object_get_string_member (root, "applicationId");
  g_assert_nonnull (app_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "organization"), "tenantId"), ==, tenant);
  g_assert_cmpstr (json_object_get_string_member (root, "certificateThumbprint"), ==, ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "permissions")), ==,
                    n_permissions (BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT));
  g_assert_true (json_object_get_null_member (root, "error"));

  g_assert_true (has_key (f, app_id, f->ours));
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, sp_id_of (f, app_id)), ==,
                    n_permissions (BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT));

  store = load_store ();
  org = ba_store_find_organization (store, tenant);
  g_assert_nonnull (org);
  g_assert_cmpstr (ba_organization_get_name (org), ==, "Contoso");
  g_assert_cmpstr (ba_organization_get_own_application_id (org), ==, app_id);
  app = ba_organization_find_application (org, app_id);
  g_assert_nonnull (app);
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ORGANIZATION);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
}

static void
test_replication_delay (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;

  ba_graph_emulator_set_replication_delay (f->emulator, 300);
  approve_sign_in (f);
  r = run_cli (f, "organization", "add", "--services", "sharepoint", "--register-name", "Delayed",
               "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "Organization: Contoso\n"));
  g_assert_nonnull (strstr (r->out, "Permissions granted:\n"));
}

static void
test_insufficient_privileges (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autofree char *prefix = NULL;
  const char *roles[] = { "User Administrator", NULL };
  const char *graph_sp = sp_id_of (f, BA_RESOURCE_GRAPH);
  BaOrganization *org;

  ba_graph_emulator_set_admin (f->emulator, "admin@contoso.onmicrosoft.com", "Admin", roles);
  prefix = g_strdup_printf ("/v1.0/servicePrincipals/%s/appRoleAssignedTo", graph_sp);
  ba_graph_emulator_inject_graph_error (f->emulator, prefix, 403, "Authorization_RequestDenied", 20);
  approve_sign_in (f);
  r = run_cli (f, "organization", "add", "--services", "exchange", "--register-name", "Forbidden",
               "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "holds neither the Global Administrator nor the Privileged Role Administrator role"));
  g_assert_nonnull (strstr (r->err, "Granting application permissions needs the Global Administrator or Privileged Role Administrator role."));

  /* What exists in the tenant is recorded. */
  store = load_store ();
  org = ba_store_find_organization (store, ba_graph_emulator_get_tenant_id (f->emulator));
  g_assert_nonnull (org);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (org)), ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);
}

static void
test_existing_grant (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GBytes) other_der = ba_certificate_get_der (f->other);
  g_autofree char *app_id = NULL;
  BaOrganization *org;

  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", other_der, TRUE, NULL);
  approve_sign_in (f);
  r = run_cli (f, "organization", "add", "--services", "exchange,sharepoint", "--app-id", app_id,
               "--username", "backup@contoso.com", "--grant", "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (r->status, ==, 0);

  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, app_id), ==, 2);
  g_assert_true (has_key (f, app_id, f->ours));
  g_assert_true (has_key (f, app_id, f->other));
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, sp_id_of (f, app_id)), ==,
                    n_permissions (BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT));
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/applications"), ==, 0);

  store = load_store ();
  org = ba_store_find_organization (store, ba_graph_emulator_get_tenant_id (f->emulator));
  g_assert_nonnull (org);
  g_assert_cmpstr (ba_organization_get_impersonation_account (org), ==, "backup@contoso.com");
  g_assert_cmpstr (ba_organization_get_own_application_id (org), ==, app_id);
}

static void
test_existing_no_grant (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(BaTestCliResult) again = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GBytes) der = ba_certificate_get_der (f->ours);
  const char *roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autofree char *app_id = NULL;
  BaOrganization *org;

  app_id = ba_graph_emulator_add_application (f->emulator, "Contoso Backup", der, TRUE, roles);
  r = run_cli (f, "organization", "add", "--services", "sharepoint", "--app-id", app_id,
               "--organization-name", "contoso.com", "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/"), ==, 0);
  g_assert_nonnull (strstr (r->out, "Organization: contoso.com\n"));

  store = load_store ();
  org = ba_store_find_organization (store, ba_graph_emulator_get_tenant_id (f->emulator));
  g_assert_nonnull (org);
  g_assert_cmpstr (ba_organization_get_name (org), ==, "contoso.com");
  g_assert_nonnull (ba_organization_find_application (org, app_id));

  /* The same tenant again: refused. */
  again = run_cli (f, "organization", "add", "--services", "sharepoint", "--app-id", app_id,
                   "--organization-name", "contoso.com", "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "is in the backup configuration already. Remove it first to add it again."));
}

static void
test_existing_no_grant_failures (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (f->ours);
  g_autoptr(GBytes) other_der = ba_certificate_get_der (f->other);
  const char *some_roles[] = { "Sites.Read.All", NULL };
  const char *all_roles[] = { "Directory.Read.All", "Group.Read.All", "Sites.Read.All", NULL };
  g_autofree char *other_app = ba_graph_emulator_add_application (f->emulator, "Other key", other_der, TRUE, all_roles);
  g_autofree char *lacking_app = ba_graph_emulator_add_application (f->emulator, "Lacking", der, TRUE, some_roles);
  static const struct {
    const char *message;
  } expected[] = {
    { "No application with this ID in the tenant" },
    { "The certificate is not registered on this application" },
    { "lacks these Microsoft Graph permissions: Directory.Read.All, Group.Read.All." },
  };
  const char *apps[] = { UNKNOWN_APP_ID, other_app, lacking_app };
  g_autoptr(BaStore) store = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (apps); i++)
    {
      g_autoptr(BaTestCliResult) r = run_cli (f, "organization", "add", "--services", "exchange,sharepoint", "--app-id", apps[i],
                                        "--username", "backup@contoso.com",
                                        "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));

      g_assert_cmpint (r->status, ==, 1);
      g_assert_nonnull (strstr (r->err, expected[i].message));
    }

  store = load_store ();
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 0);
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  const char *thumbprint = ba_certificate_get_sha1_thumbprint (f->ours);
  const struct {
    const char *args[12];
    const char *message;
  } cases[] = {
    { { "--services", "exchange", "--app-id", "not-a-guid", "--username", "backup@contoso.com", NULL },
      "Enter the application (client) ID as shown in Microsoft Entra ID" },
    { { "--services", "exchange", "--app-id", UNKNOWN_APP_ID, "--username", "backup", NULL },
      "Enter the user name as name@domain, such as backup@contoso.com." },
    { { "--services", "exchange", "--app-id", UNKNOWN_APP_ID, "--username", "backup@contoso", NULL },
      "Enter the user name as name@domain, such as backup@contoso.com." },
    { { "--services", "sharepoint", "--app-id", UNKNOWN_APP_ID, "--username", "backup@contoso.com", NULL },
      "Enter the organization’s domain without a user, such as contoso.com." },
    { { "--services", "sharepoint", "--app-id", UNKNOWN_APP_ID, "--organization-name", "backup@contoso.com", NULL },
      "Enter the organization’s domain without a user, such as contoso.com." },
    { { "--services", "exchange,sharepoint,teams,teams-chats", "--register-name", "New", NULL },
      "An application for Teams chats cannot be registered automatically: use an existing application." },
    { { "--services", "exchange,sharepoint,teams", "--cloud", "china", "--register-name", "New", NULL },
      "Microsoft Teams cannot be backed up in the China cloud." },
    { { "--services", "exchange,sharepoint,teams,teams-chats", "--cloud", "us-government-l4", "--app-id", UNKNOWN_APP_ID, "--username", "a@contoso.com", NULL },
      "Teams chats cannot be backed up in the China and US Government clouds." },
    { { "--services", "", "--register-name", "New", NULL },
      "Choose at least one service to back up." },
    { { "--services", "sharepoint,teams", "--register-name", "New", NULL },
      "Microsoft Teams can be backed up only together with Exchange Online and SharePoint Online." },
    { { "--services", "exchange", "--auth", "basic", "--register-name", "New", NULL },
      "Microsoft retired basic authentication; new organizations can use it only in the China cloud." },
    { { "--services", "exchange", "--register-name", "New", "--app-id", UNKNOWN_APP_ID, NULL },
      "Give either --register-name to register a new application, or --app-id to use an existing one." },
    { { "--services", "exchange,calendar", "--register-name", "New", NULL },
      "Unknown service “calendar”" },
    { { "--services", "exchange", "--register-name", "New", "--grant", NULL },
      "--username, --organization-name and --grant go with --app-id." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(BaTestCliResult) r = NULL;

      g_ptr_array_add (argv, (char *) "organization");
      g_ptr_array_add (argv, (char *) "add");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (char *) cases[i].args[j]);
      g_ptr_array_add (argv, (char *) "--certificate");
      g_ptr_array_add (argv, (char *) thumbprint);
      g_ptr_array_add (argv, NULL);

      r = run_cliv (f, (const char * const *) argv->pdata);
      g_assert_cmpint (r->status, ==, 2);
      g_assert_nonnull (strstr (r->err, cases[i].message));
    }

  /* Nothing was asked of Microsoft. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, NULL), ==, 0);
}

static void
test_duplicate_tenant (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BaStore) store = load_store ();
  g_autoptr(BaOrganization) existing = ba_organization_new (ba_graph_emulator_get_tenant_id (f->emulator), "Contoso");
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_store_add_organization (store, existing, &error));
  g_assert_true (ba_store_save (store, &error));
  g_assert_no_error (error);

  approve_sign_in (f);
  r = run_cli (f, "organization", "add", "--services", "exchange", "--register-name", "Again",
               "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, "“Contoso” (tenant 72f988bf-0000-4000-8000-00000000c0de) is in the backup configuration already. Remove it first to add it again."));
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 0);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(BaTestCliResult) added = NULL;
  g_autoptr(BaTestCliResult) removed = NULL;
  g_autoptr(BaTestCliResult) again = NULL;
  g_autoptr(BaTestCliResult) missing = NULL;
  g_autoptr(BaStore) store = NULL;
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);

  approve_sign_in (f);
  added = run_cli (f, "organization", "add", "--services", "exchange", "--register-name", "To Remove",
                   "--certificate", ba_certificate_get_sha1_thumbprint (f->ours));
  g_assert_cmpint (added->status, ==, 0);

  removed = run_cli (f, "organization", "remove", tenant);
  g_assert_cmpint (removed->status, ==, 0);
  store = load_store ();
  g_assert_null (ba_store_find_organization (store, tenant));
  /* From the configuration only: the application stays in the tenant. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);

  again = run_cli (f, "organization", "remove", tenant);
  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "No organization with tenant"));
  missing = run_cli (f, "organization", "remove");
  g_assert_cmpint (missing->status, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* Read by the program under test only: short retry delays. */
  g_setenv ("BA_TEST_RETRY_DELAY_MS", "10", TRUE);

  ours_template = ba_test_generate_certificate ("Backup Access CLI Test");
  other_template = ba_test_generate_certificate ("Someone Else");

#define ADD(path, func) \
  g_test_add ("/ba/cli-organization/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("register-new", test_register_new);
  ADD ("replication-delay", test_replication_delay);
  ADD ("insufficient-privileges", test_insufficient_privileges);
  ADD ("existing-grant", test_existing_grant);
  ADD ("existing-no-grant", test_existing_no_grant);
  ADD ("existing-no-grant-failures", test_existing_no_grant_failures);
  ADD ("validation", test_validation);
  ADD ("duplicate-tenant", test_duplicate_tenant);
  ADD ("remove", test_remove);

#undef ADD

  status = g_test_run ();
  g_clear_object (&ours_template);
  g_clear_object (&other_template);
  return status;
}
