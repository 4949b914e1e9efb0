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

/* These run backup-access-cli itself, as an admin's script would, against
 * the Graph emulator. The emulator answers on this process's main context,
 * so the program is run asynchronously while the main loop turns. The kept
 * sign-in goes to the gnome-keyring of the private D-Bus session
 * (build-aux/test-session); every test that keeps one signs out again. */

#define ADMIN_UPN "admin@contoso.onmicrosoft.com"
#define NOT_SIGNED_IN "Not signed in. Run “backup-access-cli sign-in --stay-signed-in” first."

typedef struct
{
  BaGraphEmulator *emulator;
  char *tmpdir;
} Fixture;

typedef struct
{
  gboolean done;
  int status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_free (CliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->emulator = ba_graph_emulator_new ();
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);
  f->tmpdir = g_dir_make_tmp ("ba-cli-app-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->tmpdir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->tmpdir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->tmpdir);
  g_free (f->tmpdir);
  g_clear_object (&f->emulator);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CliResult *r = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static CliResult *
run_cliv (Fixture            *f,
          const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliResult *r = g_new0 (CliResult, 1);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  const char *url = ba_graph_emulator_get_url (f->emulator);

  g_ptr_array_add (args, (char *) g_getenv ("BA_CLI"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  /* The test's private directories, the emulator, and a device code polled
   * every 20 ms; DBUS_SESSION_BUS_ADDRESS is inherited for the keyring.
   * Never the test's own standard input. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_AUTHORITY_URL", url, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_GRAPH_URL", url, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_TEST_POLL_INTERVAL_MS", "20", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, "", NULL, communicate_cb, r);
  while (!r->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* Its exit is reaped on the main context too. */
  while (!g_subprocess_get_if_exited (process) && !g_subprocess_get_if_signaled (process))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  if (g_subprocess_get_if_signaled (process))
    g_test_message ("%s: signal %d, stderr: %s", argv[0], g_subprocess_get_term_sig (process), r->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  r->status = g_subprocess_get_exit_status (process);
  g_test_message ("%s: exit status %d, stderr: %s", argv[0], r->status, r->err);

  return r;
}

#define run_cli(f, ...) run_cliv (f, (const char * const[]) { __VA_ARGS__, NULL })

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}



static void
generated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* A certificate in the key store, as "certificate generate" leaves it. */
static BaCertificate *
make_certificate (const char *name)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) generated = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *stored;

  ba_certificate_generate_async (name, 2048, 1, NULL, generated_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  generated = ba_certificate_generate_finish (result, &error);
  g_assert_no_error (error);
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
  g_autoptr(CliResult) created = NULL;
  g_autoptr(CliResult) listed = NULL;
  g_autoptr(CliResult) verified = NULL;
  g_autoptr(CliResult) removed = NULL;
  g_autoptr(CliResult) deleted = NULL;
  g_autoptr(CliResult) after = NULL;
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
  object = parse_object (created->out);
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
  list = parse_object (listed->out);
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

  after = run_cli (f, "application", "list", tenant, "--json");
  last = parse_object (after->out);
  g_assert_cmpuint (json_array_get_length (applications_of (last)), ==, 0);
}

static void
test_cli_application_refusals (Fixture       *f,
                               gconstpointer  data)
{
  const char *tenant = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autoptr(CliResult) zero = NULL;
  g_autoptr(CliResult) too_many = NULL;
  g_autoptr(CliResult) no_policy = NULL;
  g_autoptr(CliResult) unknown = NULL;

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
  g_autoptr(CliResult) added = NULL;
  g_autoptr(CliResult) added2 = NULL;
  g_autoptr(CliResult) ok = NULL;
  g_autoptr(CliResult) bad = NULL;
  g_autoptr(CliResult) single = NULL;
  g_autoptr(CliResult) updated = NULL;
  g_autoptr(JsonObject) object = NULL;

  write_pool_store (f);
  added = run_cli (f, "application", "add", tenant, "--app-id", app_id, "--certificate", ba_certificate_get_sha1_thumbprint (good));
  g_assert_cmpint (added->status, ==, 0);
  /* Recorded with a certificate that is not registered on the application. */
  added2 = run_cli (f, "application", "add", tenant, "--app-id", app2, "--certificate", ba_certificate_get_sha1_thumbprint (other));
  g_assert_cmpint (added2->status, ==, 0);

  ok = run_cli (f, "application", "verify", tenant, app_id, "--json");
  g_assert_cmpint (ok->status, ==, 0);
  object = parse_object (ok->out);
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
  g_autoptr(CliResult) resumed = NULL;
  g_autoptr(CliResult) again = NULL;
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/ba/cli-application/lifecycle", Fixture, NULL, fixture_setup, test_cli_application_lifecycle, fixture_teardown);
  g_test_add ("/ba/cli-application/refusals", Fixture, NULL, fixture_setup, test_cli_application_refusals, fixture_teardown);
  g_test_add ("/ba/cli-application/add-verify-update", Fixture, NULL, fixture_setup, test_cli_application_add_verify, fixture_teardown);
  g_test_add ("/ba/cli-application/resume", Fixture, NULL, fixture_setup, test_cli_application_resume, fixture_teardown);

  return g_test_run ();
}
