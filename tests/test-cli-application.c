/* test-cli-application.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-certificate-store.h"
#include "ba-graph-emulator.h"
#include "ba-store.h"
#include "ba-test-cli.h"
#include "ba-test-utils.h"

/* These run backup-access-cli itself, as an admin's script would, against
 * the Graph emulator. The emulator answers on this process's main context,
 * so the program is run asynchronously while the main loop turns. The kept
 * sign-in goes to the gnome-keyring of the private D-Bus session
 * (build-aux/test-session); every test that keeps one signs out again. */

#define run_cli(f, ...) \
  ba_test_cli_runv (ba_graph_emulator_get_url ((f)->emulator), NULL, (const char * const[]) { __VA_ARGS__, NULL })

#define ADMIN_UPN "admin@contoso.onmicrosoft.com"
#define NOT_SIGNED_IN "Not signed in. Run “backup-access-cli sign-in --stay-signed-in” first."

typedef struct
{
  BaGraphEmulator *emulator;
  char *tmpdir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->emulator = ba_graph_emulator_new ();
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);
  f->tmpdir = ba_test_make_tmpdir ("ba-cli-app-XXXXXX");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ba_test_remove_tmpdir (g_steal_pointer (&f->tmpdir));
  g_clear_object (&f->emulator);
}

/* A certificate in the key store, as "certificate generate" leaves it. */
static BaCertificate *
make_certificate (const char *name)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(BaCertificate) generated = ba_test_generate_certificate (name);
  g_autoptr(GError) error = NULL;
  BaCertificate *stored;

  stored = ba_certificate_store_add (store, generated, &error);
  g_assert_no_error (error);

  return stored;
}

static void
write_pool_store (Fixture *f)
{
  g_autoptr(BaStore) store = ba_store_new_default ();
  g_autoptr(BaOrganization) org = ba_organization_new (ba_graph_emulator_get_tenant_id (f->emulator), "Contoso");
  g_autoptr(GError) error = NULL;

  ba_store_load (store, NULL);
  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  ba_organization_set_services (org, BA_SERVICE_SHAREPOINT);
  g_assert_true (ba_store_add_organization (store, org, &error));
  g_assert_true (ba_store_save (store, &error));
  g_assert_no_error (error);
}

static JsonArray *
applications_of (JsonObject *object)
{
  g_assert_true (json_object_has_member (object, "applications"));
  return json_object_get_array_member (object, "applications");
}

static void
test_cli_application_lifecycle (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(BaCertificate) certificate = make_certificate ("CLI Pool");
  const char *tp = ba_certificate_get_sha1_thumbprint (certificate);
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(BaTestCliResult) created = NULL;
  g_autoptr(BaTestCliResult) listed = NULL;
  g_autoptr(BaTestCliResult) verified = NULL;
  g_autoptr(BaTestCliResult) removed = NULL;
  g_autoptr(BaTestCliResult) deleted = NULL;
  g_autoptr(BaTestCliResult) after = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) last = NULL;
  JsonArray *apps;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  write_pool_store (f);

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  created = run_cli (f, "application", "create", tenant, "--name", "Pool", "--count", "2",
                     "--certificate", tp, "--accept-policy", "--json");
  g_assert_cmpint (created->status, ==, 0);
  object = ba_test_parse_object (created->out);
  apps = applications_of (object);
  g_assert_cmpuint (json_array_get_length (apps), ==, 2);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 2);
  first = g_strdup (json_object_get_string_member (json_array_get_object_element (apps, 0), "appId"));
  second = g_strdup (json_object_get_string_member (json_array_get_object_element (apps, 1), "appId"));
  g_assert_cmpstr (first, !=, second);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (apps, 0), "state"), ==, "ready");
  /* Progress went to stderr. */
  g_assert_nonnull (strstr (created->err, "2 of 2 applications finished"));

  /* By name too. */
  listed = run_cli (f, "application", "list", "Contoso", "--json");
  g_assert_cmpint (listed->status, ==, 0);
  list = ba_test_parse_object (listed->out);
  g_assert_cmpuint (json_array_get_length (applications_of (list)), ==, 2);

  verified = run_cli (f, "application", "verify", tenant);
  g_assert_cmpint (verified->status, ==, 0);
  g_assert_nonnull (strstr (verified->out, first));

  /* Out of the pool only: still in Entra ID. */
  removed = run_cli (f, "application", "remove", tenant, first);
  g_assert_cmpint (removed->status, ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 2);

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  deleted = run_cli (f, "application", "remove", tenant, second, "--delete-in-entra");
  g_assert_cmpint (deleted->status, ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 1);
  g_assert_null (ba_graph_emulator_lookup_application (f->emulator, second));

  /* The deletion is on record, the plain removal is not. */
  g_assert_nonnull (strstr (deleted->out, "Entra ID can restore it until"));
  after = run_cli (f, "application", "list", tenant, "--json");
  last = ba_test_parse_object (after->out);
  g_assert_cmpuint (json_array_get_length (applications_of (last)), ==, 0);
  {
    JsonArray *records = json_object_get_array_member (last, "deletedApplications");
    JsonObject *record;
    g_autoptr(GDateTime) deleted_at = NULL;
    g_autoptr(GDateTime) until = NULL;

    g_assert_nonnull (records);
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    record = json_array_get_object_element (records, 0);
    g_assert_cmpstr (json_object_get_string_member (record, "appId"), ==, second);
    g_assert_cmpstr (json_object_get_string_member (record, "displayName"), ==, "Pool");
    g_assert_nonnull (json_object_get_string_member (record, "objectId"));
    deleted_at = g_date_time_new_from_iso8601 (json_object_get_string_member (record, "deletedAt"), NULL);
    until = g_date_time_new_from_iso8601 (json_object_get_string_member (record, "restorableUntil"), NULL);
    g_assert_nonnull (deleted_at);
    g_assert_nonnull (until);
    g_assert_cmpint (g_date_time_difference (until, deleted_at), ==, 30 * G_TIME_SPAN_DAY);
  }

  /* And in the table, after the empty pool. */
  {
    g_autoptr(BaTestCliResult) table = run_cli (f, "application", "list", tenant);

    g_assert_cmpint (table->status, ==, 0);
    g_assert_nonnull (strstr (table->out, "The organization has no backup applications."));
    g_assert_nonnull (strstr (table->out, "RESTORABLE UNTIL"));
    g_assert_nonnull (strstr (table->out, second));
    g_assert_null (strstr (table->out, first));
  }
}

static void
test_cli_application_refusals (Fixture       *f,
                               gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(BaTestCliResult) zero = NULL;
  g_autoptr(BaTestCliResult) too_many = NULL;
  g_autoptr(BaTestCliResult) no_policy = NULL;
  g_autoptr(BaTestCliResult) unknown = NULL;

  write_pool_store (f);
  zero = run_cli (f, "application", "create", tenant, "--name", "P", "--count", "0", "--certificate", "AB");
  g_assert_cmpint (zero->status, ==, 2);
  too_many = run_cli (f, "application", "create", tenant, "--name", "P", "--count", "101", "--certificate", "AB", "--accept-policy");
  g_assert_cmpint (too_many->status, ==, 2);
  g_assert_nonnull (strstr (too_many->err, "run the command again"));
  no_policy = run_cli (f, "application", "create", tenant, "--name", "P", "--count", "3", "--certificate", "AB");
  g_assert_cmpint (no_policy->status, ==, 2);
  g_assert_nonnull (strstr (no_policy->err, "--accept-policy"));
  unknown = run_cli (f, "application", "list", "Fabrikam");
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, NULL), ==, 0);
}

static void
test_cli_application_add_verify (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(BaCertificate) good = make_certificate ("Registered");
  g_autoptr(BaCertificate) other = make_certificate ("Unregistered");
  g_autoptr(GBytes) der = ba_certificate_get_der (good);
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  const char *roles[] = { "Sites.FullControl.All", NULL };
  g_autofree char *app_id = ba_graph_emulator_add_application (f->emulator, "Existing", der, TRUE, roles);
  g_autofree char *app2 = ba_graph_emulator_add_application (f->emulator, "Other", der, TRUE, roles);
  g_autoptr(BaTestCliResult) added = NULL;
  g_autoptr(BaTestCliResult) added2 = NULL;
  g_autoptr(BaTestCliResult) ok = NULL;
  g_autoptr(BaTestCliResult) bad = NULL;
  g_autoptr(BaTestCliResult) single = NULL;
  g_autoptr(BaTestCliResult) updated = NULL;
  g_autoptr(JsonObject) object = NULL;

  write_pool_store (f);
  added = run_cli (f, "application", "add", tenant, "--app-id", app_id, "--certificate", ba_certificate_get_sha1_thumbprint (good));
  g_assert_cmpint (added->status, ==, 0);
  /* Recorded with a certificate that is not registered on the application. */
  added2 = run_cli (f, "application", "add", tenant, "--app-id", app2, "--certificate", ba_certificate_get_sha1_thumbprint (other));
  g_assert_cmpint (added2->status, ==, 0);

  ok = run_cli (f, "application", "verify", tenant, app_id, "--json");
  g_assert_cmpint (ok->status, ==, 0);
  object = ba_test_parse_object (ok->out);
  g_assert_true (json_object_has_member (json_array_get_object_element (applications_of (object), 0), "lastVerified"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (applications_of (object), 0), "origin"), ==, "added");

  bad = run_cli (f, "application", "verify", tenant, app2);
  g_assert_cmpint (bad->status, ==, 1);

  /* The issue-4 form still works. */
  single = run_cli (f, "application", "verify", app_id, "--certificate", ba_certificate_get_sha1_thumbprint (good),
                    "--tenant", tenant);
  g_assert_cmpint (single->status, ==, 0);
  g_assert_nonnull (strstr (single->out, "signs in to tenant"));

  /* A new certificate next to the old key. */
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, app2), ==, 1);
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  updated = run_cli (f, "application", "update-certificate", tenant, app2, "--certificate",
                     ba_certificate_get_sha1_thumbprint (other));
  g_assert_cmpint (updated->status, ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, app2), ==, 2);
}

/* An incomplete journal, as a killed "application create" leaves it: one
 * application created and recorded, one created whose answer was lost
 * (only its creation tag recorded), one never sent. */
static void
test_cli_application_resume (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(BaCertificate) certificate = make_certificate ("Resumed Pool");
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  const char *tp = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *recorded_id = ba_graph_emulator_add_application (f->emulator, "Pool", der, FALSE, NULL);
  g_autofree char *lost_id = ba_graph_emulator_add_application (f->emulator, "Pool", der, FALSE, NULL);
  g_autoptr(BaStore) store = ba_store_new_default ();
  g_autoptr(BaStore) reloaded = NULL;
  g_autoptr(BaOrganization) org = ba_organization_new (tenant, "Contoso");
  g_autoptr(BaTestCliResult) resumed = NULL;
  g_autoptr(BaTestCliResult) again = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  JsonObject *lost = ba_graph_emulator_lookup_application (f->emulator, lost_id);
  JsonArray *tags = json_array_new ();
  BaOrganization *saved;
  GListModel *apps;

  /* The lost one carries the tag the request had. */
  json_array_add_string_element (tags, "ba-resume-lost");
  json_object_set_array_member (lost, "tags", tags);

  ba_store_load (store, NULL);
  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  ba_organization_set_services (org, BA_SERVICE_SHAREPOINT);
  g_assert_true (ba_store_add_organization (store, org, &error));
  {
    g_autoptr(BaBackupApplication) recorded = ba_backup_application_new (recorded_id);
    g_autoptr(BaBackupApplication) answer_lost = NULL;
    g_autoptr(BaBackupApplication) never_sent = NULL;

    ba_backup_application_set_object_id (recorded, json_object_get_string_member (ba_graph_emulator_lookup_application (f->emulator, recorded_id), "id"));
    ba_backup_application_set_display_name (recorded, "Pool");
    ba_backup_application_set_origin (recorded, BA_APPLICATION_ORIGIN_CREATED);
    ba_backup_application_set_state (recorded, BA_PROVISIONING_STATE_APPLICATION_CREATED);
    ba_backup_application_set_certificate_thumbprint (recorded, tp);
    ba_organization_add_application (org, recorded);

    answer_lost = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                                "display-name", "Pool",
                                "origin", BA_APPLICATION_ORIGIN_CREATED,
                                "state", BA_PROVISIONING_STATE_CREATING,
                                "creation-tag", "ba-resume-lost",
                                "certificate-thumbprint", tp,
                                NULL);
    ba_organization_add_application (org, answer_lost);

    never_sent = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                               "display-name", "Pool",
                               "origin", BA_APPLICATION_ORIGIN_CREATED,
                               "state", BA_PROVISIONING_STATE_CREATING,
                               "creation-tag", "ba-resume-never-sent",
                               "certificate-thumbprint", tp,
                               NULL);
    ba_organization_add_application (org, never_sent);
  }
  g_assert_true (ba_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 2);

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  resumed = run_cli (f, "application", "resume", tenant);
  g_assert_cmpint (resumed->status, ==, 0);
  g_assert_nonnull (strstr (resumed->out, "3 applications are ready."));

  /* Only the one never sent was created; the lost one was found by its tag. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/applications"), ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 3);

  reloaded = ba_store_new_default ();
  g_assert_true (ba_store_load (reloaded, &error));
  g_assert_no_error (error);
  saved = ba_store_find_organization (reloaded, tenant);
  g_assert_nonnull (saved);
  apps = ba_organization_get_applications (saved);
  g_assert_cmpuint (g_list_model_get_n_items (apps), ==, 3);
  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);
      const char *app_id = ba_backup_application_get_app_id (app);
      JsonObject *sp;

      g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
      g_assert_nonnull (app_id);
      /* Every one is a distinct object of the tenant, with its service
       * principal and its three grants. */
      g_assert_false (g_hash_table_contains (seen, app_id));
      g_hash_table_add (seen, (gpointer) g_intern_string (app_id));
      g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, app_id));
      sp = ba_graph_emulator_lookup_service_principal (f->emulator, app_id);
      g_assert_nonnull (sp);
      g_assert_cmpstr (ba_backup_application_get_service_principal_id (app), ==, json_object_get_string_member (sp, "id"));
      g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, json_object_get_string_member (sp, "id")), ==, 3);
    }
  g_assert_true (g_hash_table_contains (seen, recorded_id));
  g_assert_true (g_hash_table_contains (seen, lost_id));

  /* Nothing left to do: nothing asked of Graph. */
  ba_graph_emulator_clear_requests (f->emulator);
  again = run_cli (f, "application", "resume", tenant);
  g_assert_cmpint (again->status, ==, 0);
  g_assert_nonnull (strstr (again->out, "No application is incomplete."));
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, "/v1.0/"), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 3);
}

/* Preferences → "Applications created at the same time" as the program
 * reads it: from a keyfile settings backend in the test's own configuration
 * folder, since the in-memory one is not shared with a child process. */
static void
set_concurrency_preference (int value)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = g_strdup_printf ("[io/github/backupaccess/BackupAccess]\n"
                                               "max-concurrent-applications=%d\n", value);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static guint
create_and_count_in_flight (Fixture    *f,
                            const char *thumbprint,
                            const char *concurrency)
{
  g_autoptr(BaTestCliResult) created = NULL;
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_graph_emulator_clear_requests (f->emulator);
  if (concurrency != NULL)
    created = run_cli (f, "application", "create", tenant, "--name", "Pool", "--count", "3",
                       "--certificate", thumbprint, "--accept-policy", "--concurrency", concurrency);
  else
    created = run_cli (f, "application", "create", tenant, "--name", "Pool", "--count", "3",
                       "--certificate", thumbprint, "--accept-policy");
  g_assert_cmpint (created->status, ==, 0);

  return ba_graph_emulator_get_peak_in_flight (f->emulator);
}

static void
test_cli_application_concurrency (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(BaCertificate) certificate = make_certificate ("Concurrent Pool");
  const char *tp = ba_certificate_get_sha1_thumbprint (certificate);
  g_autofree char *saved_backend = g_strdup (g_getenv ("GSETTINGS_BACKEND"));

  write_pool_store (f);
  /* With a latency, requests in flight at once overlap in the emulator. */
  ba_graph_emulator_set_latency (f->emulator, 30);
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);

  /* Without --concurrency, the preference. */
  set_concurrency_preference (1);
  g_assert_cmpuint (create_and_count_in_flight (f, tp, NULL), ==, 1);
  set_concurrency_preference (3);
  g_assert_cmpuint (create_and_count_in_flight (f, tp, NULL), ==, 3);

  /* The flag wins over the preference. */
  set_concurrency_preference (1);
  g_assert_cmpuint (create_and_count_in_flight (f, tp, "2"), ==, 2);

  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 9);

  if (saved_backend != NULL)
    g_setenv ("GSETTINGS_BACKEND", saved_backend, TRUE);
  else
    g_unsetenv ("GSETTINGS_BACKEND");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/ba/cli-application/lifecycle", Fixture, NULL, fixture_setup, test_cli_application_lifecycle, fixture_teardown);
  g_test_add ("/ba/cli-application/refusals", Fixture, NULL, fixture_setup, test_cli_application_refusals, fixture_teardown);
  g_test_add ("/ba/cli-application/add-verify-update", Fixture, NULL, fixture_setup, test_cli_application_add_verify, fixture_teardown);
  g_test_add ("/ba/cli-application/concurrency", Fixture, NULL, fixture_setup, test_cli_application_concurrency, fixture_teardown);
  g_test_add ("/ba/cli-application/resume", Fixture, NULL, fixture_setup, test_cli_application_resume, fixture_teardown);

  return g_test_run ();
}
