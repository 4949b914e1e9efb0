/* test-provisioner.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <signal.h>
#include <libsoup/soup.h>

#include "ba-certificate.h"
#include "ba-cloud.h"
#include "ba-graph-client.h"
#include "ba-graph-emulator.h"
#include "ba-provisioner.h"
#include "ba-session.h"
#include "ba-store.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

#define GRAPH_SP "5a0f5c1e-0000-4000-8000-00000000a001"
#define SHAREPOINT_SP "5a0f5c1e-0000-4000-8000-00000000a002"
#define EXCHANGE_SP "5a0f5c1e-0000-4000-8000-00000000a003"
#define CHILD_ENV "BA_TEST_PROVISIONER_CHILD"

static BaCertificate *certificate_a;
static BaCertificate *certificate_b;
static BaCertificate *certificate_c;

typedef struct
{
  BaGraphEmulator *emulator;
  BaCloud *cloud;
  BaSession *session;
  BaGraphClient *client;
  JsonObject *tokens;
  char *store_path;
  BaStore *store;
  BaOrganization *organization;
  BaProvisioner *provisioner;
  guint n_progress;
  guint last_done;
  guint last_total;
  GPtrArray *steps;
} Fixture;

static void
on_progress_cb (BaProvisioner *provisioner,
                guint          done,
                guint          total,
                Fixture       *fixture)
{
  fixture->n_progress++;
  g_assert_cmpuint (done, <=, total);
  /* Rising within a run; a new run starts again at 1. */
  if (done <= fixture->last_done)
    g_assert_cmpuint (done, ==, 1);
  fixture->last_done = done;
  fixture->last_total = total;
}

static void
on_application_progress_cb (BaProvisioner       *provisioner,
                            BaBackupApplication *app,
                            const char          *step,
                            Fixture             *fixture)
{
  g_assert_true (BA_IS_BACKUP_APPLICATION (app));
  if (fixture->steps->len < 1000)
    g_ptr_array_add (fixture->steps, g_strdup (step));
}

static BaProvisioner *
make_provisioner (Fixture        *fixture,
                  BaStore        *store,
                  BaOrganization *organization)
{
  BaProvisioner *provisioner = ba_provisioner_new (fixture->client, store, organization);

  ba_provisioner_set_replication_timeout (provisioner, 10000);
  ba_provisioner_set_retry_base_delay (provisioner, 10);

  return provisioner;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->emulator = ba_test_emulator_new (&fixture->cloud);

  fixture->tokens = ba_test_emulator_sign_in_tokens (fixture->emulator);
  fixture->session = ba_session_new (fixture->cloud, BA_TEST_CLIENT_ID);
  g_assert_true (ba_session_take_token_response (fixture->session, fixture->tokens, &error));
  g_assert_no_error (error);
  fixture->client = ba_graph_client_new (fixture->cloud, fixture->session);
  ba_graph_client_set_retry_policy (fixture->client, 6, 5, 40);

  fixture->store_path = g_build_filename (g_get_user_config_dir (), "backup-access", "config.json", NULL);
  fixture->store = ba_store_new (fixture->store_path);
  fixture->organization = ba_organization_new (ba_graph_emulator_get_tenant_id (fixture->emulator), "Contoso");
  g_assert_true (ba_store_add_organization (fixture->store, fixture->organization, &error));
  g_assert_no_error (error);
  g_assert_true (ba_store_save (fixture->store, &error));
  g_assert_no_error (error);

  fixture->provisioner = make_provisioner (fixture, fixture->store, fixture->organization);
  fixture->steps = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->provisioner, "progress", G_CALLBACK (on_progress_cb), fixture);
  g_signal_connect (fixture->provisioner, "application-progress", G_CALLBACK (on_application_progress_cb), fixture);
  ba_graph_emulator_clear_requests (fixture->emulator);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->provisioner);
  g_clear_object (&fixture->organization);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->store_path, g_free);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->tokens, json_object_unref);
  g_clear_object (&fixture->cloud);
  g_clear_object (&fixture->emulator);
  g_clear_pointer (&fixture->steps, g_ptr_array_unref);
  g_unsetenv ("BA_AUTHORITY_URL");
  g_unsetenv ("BA_GRAPH_URL");
}

static gboolean
create (BaProvisioner  *provisioner,
        const char     *name,
        guint           count,
        gboolean        accept_policy,
        GCancellable   *cancellable,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  const BaPermission *permissions;
  guint n_permissions;

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n_permissions);
  ba_provisioner_create_async (provisioner, name, certificate_a, count, accept_policy,
                               permissions, n_permissions, BA_APPLICATION_ORIGIN_CREATED,
                               cancellable, ba_test_store_result_cb, &result);

  return ba_provisioner_create_finish (provisioner, ba_test_wait_for_result (&result), error);
}

static gboolean
resume (BaProvisioner  *provisioner,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  const BaPermission *permissions;
  guint n_permissions;

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n_permissions);
  ba_provisioner_resume_async (provisioner, certificate_a, permissions, n_permissions, NULL,
                               ba_test_store_result_cb, &result);

  return ba_provisioner_resume_finish (provisioner, ba_test_wait_for_result (&result), error);
}

static guint
n_applications (BaOrganization *organization)
{
  return g_list_model_get_n_items (ba_organization_get_applications (organization));
}

static BaBackupApplication *
application_at (BaOrganization *organization,
                guint           i)
{
  g_autoptr(BaBackupApplication) app = g_list_model_get_item (ba_organization_get_applications (organization), i);

  return app; /* the organization keeps it */
}

/* No orphan, no duplicate: the emulator's applications are exactly the
 * organization's, each ready with its service principal and three grants. */
static void
assert_pool_matches (Fixture        *fixture,
                     BaOrganization *organization,
                     guint           expected)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (n_applications (organization), ==, expected);
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, expected);

  for (guint i = 0; i < expected; i++)
    {
      BaBackupApplication *app = application_at (organization, i);
      const char *app_id = ba_backup_application_get_app_id (app);
      JsonObject *object;
      JsonObject *sp;

      g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
      g_assert_nonnull (app_id);
      g_assert_true (g_hash_table_add (seen, (gpointer) app_id));
      object = ba_graph_emulator_lookup_application (fixture->emulator, app_id);
      g_assert_nonnull (object);
      g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, ba_backup_application_get_object_id (app));
      sp = ba_graph_emulator_lookup_service_principal (fixture->emulator, app_id);
      g_assert_nonnull (sp);
      g_assert_cmpstr (json_object_get_string_member (sp, "id"), ==, ba_backup_application_get_service_principal_id (app));
      g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (fixture->emulator,
                                                                     ba_backup_application_get_service_principal_id (app)), ==, 3);
    }
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

static JsonObject *
parse_body (const BaEmulatorRequest *r)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), NULL));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* -------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------- */

static void
test_permissions (void)
{
  const BaPermission *pool;
  g_autofree BaPermission *all = NULL;
  g_autofree BaPermission *exchange = NULL;
  guint n = 0;

  pool = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (pool[0].resource_app_id, ==, BA_RESOURCE_SHAREPOINT);
  g_assert_cmpstr (pool[0].value, ==, "Sites.FullControl.All");
  g_assert_cmpstr (pool[1].value, ==, "User.Read.All");
  g_assert_cmpstr (pool[2].resource_app_id, ==, BA_RESOURCE_GRAPH);
  g_assert_cmpstr (pool[2].value, ==, "Sites.Read.All");
  pool = ba_permissions_for_backup_application (BA_CLOUD_KIND_CHINA, &n);
  g_assert_cmpstr (pool[2].value, ==, "Sites.ReadWrite.All");

  all = ba_permissions_for_services (BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS,
                                     BA_CLOUD_KIND_GLOBAL, &n);
  /* Directory, Group, Sites, TeamSettings, ChannelMessage, ChannelMember,
   * full_access_as_app, Exchange.ManageAsApp, SharePoint ×2 */
  g_assert_cmpuint (n, ==, 10);
  exchange = ba_permissions_for_services (BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (exchange[2].resource_app_id, ==, BA_RESOURCE_EXCHANGE);
  g_assert_cmpstr (exchange[2].value, ==, "full_access_as_app");
  g_assert_cmpstr (exchange[3].value, ==, "Exchange.ManageAsApp");
}

static void
test_create_one (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaStore) reread = NULL;
  g_autofree char *key = ba_certificate_get_base64 (certificate_a);
  g_autoptr(GHashTable) role_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *requests;
  BaBackupApplication *app;
  BaBackupApplication *copy;
  JsonObject *object;
  JsonArray *keys;
  JsonArray *access;
  gboolean granted_step = FALSE;

  g_assert_true (create (fixture->provisioner, "Backup Access Pool", 1, FALSE, NULL, &error));
  g_assert_no_error (error);

  assert_pool_matches (fixture, fixture->organization, 1);
  app = application_at (fixture->organization, 0);
  g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Backup Access Pool");
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_CREATED);
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, ba_certificate_get_sha1_thumbprint (certificate_a));
  g_assert_null (ba_backup_application_get_failure_reason (app));
  g_assert_nonnull (ba_backup_application_get_key_id (app));
  g_assert_nonnull (ba_backup_application_get_creation_tag (app));
  g_assert_cmpuint (g_list_model_get_n_items (ba_provisioner_get_run (fixture->provisioner)), ==, 1);

  /* The application as Graph has it: our key, the tag, the declared roles. */
  object = ba_graph_emulator_lookup_application (fixture->emulator, ba_backup_application_get_app_id (app));
  g_assert_cmpstr (json_object_get_string_member (object, "signInAudience"), ==, "AzureADMyOrg");
  keys = json_object_get_array_member (object, "keyCredentials");
  g_assert_cmpuint (json_array_get_length (keys), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "key"), ==, key);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "keyId"), ==,
                   ba_backup_application_get_key_id (app));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "displayName"), ==,
                   ba_certificate_get_subject (certificate_a));
  g_assert_true (array_has_string (json_object_get_array_member (object, "tags"), ba_backup_application_get_creation_tag (app)));
  access = json_object_get_array_member (object, "requiredResourceAccess");
  g_assert_cmpuint (json_array_get_length (access), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (access, 0), "resourceAppId"), ==, BA_RESOURCE_SHAREPOINT);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (access, 0), "resourceAccess")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (access, 1), "resourceAppId"), ==, BA_RESOURCE_GRAPH);

  /* The grants used the ids of the resources' appRoles, each with its resource. */
  requests = ba_graph_emulator_get_requests (fixture->emulator);
  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      if (g_strcmp0 (r->method, "POST") == 0 && g_str_has_suffix (r->path, "/appRoleAssignedTo"))
        {
          g_autoptr(JsonObject) body = parse_body (r);
          g_autofree char *pair = g_strconcat (json_object_get_string_member (body, "resourceId"), " ",
                                               json_object_get_string_member (body, "appRoleId"), NULL);

          g_assert_cmpuint (r->status, ==, 201);
          g_assert_cmpstr (json_object_get_string_member (body, "principalId"), ==, ba_backup_application_get_service_principal_id (app));
          g_assert_true (g_str_has_suffix (r->path, json_object_get_string_member (body, "resourceId")) ||
                         strstr (r->path, json_object_get_string_member (body, "resourceId")) != NULL);
          g_hash_table_add (role_ids, g_steal_pointer (&pair));
        }
    }
  g_assert_cmpuint (g_hash_table_size (role_ids), ==, 3);
  g_assert_true (g_hash_table_contains (role_ids, SHAREPOINT_SP " 678536fe-1083-478a-9c59-b99265e6b0d3"));
  g_assert_true (g_hash_table_contains (role_ids, SHAREPOINT_SP " df021288-bdef-4463-88db-98f22de89214"));
  g_assert_true (g_hash_table_contains (role_ids, GRAPH_SP " 332a536c-c7ef-4017-ab91-336970924f0d"));
  /* Resolved once: one read per resource. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/servicePrincipals(appId="), ==, 2);

  /* Signals */
  g_assert_cmpuint (fixture->n_progress, ==, 1);
  g_assert_cmpuint (fixture->last_done, ==, 1);
  g_assert_cmpuint (fixture->last_total, ==, 1);
  for (guint i = 0; i < fixture->steps->len; i++)
    granted_step = granted_step || g_strcmp0 (g_ptr_array_index (fixture->steps, i), "Granting Sites.FullControl.All…") == 0;
  g_assert_true (granted_step);

  /* The file has it. */
  reread = ba_store_new (fixture->store_path);
  g_assert_true (ba_store_load (reread, &error));
  g_assert_no_error (error);
  copy = ba_organization_find_application (ba_store_find_organization (reread, ba_graph_emulator_get_tenant_id (fixture->emulator)),
                                           ba_backup_application_get_app_id (app));
  g_assert_nonnull (copy);
  g_assert_cmpint (ba_backup_application_get_state (copy), ==, BA_PROVISIONING_STATE_READY);
  g_assert_cmpstr (ba_backup_application_get_service_principal_id (copy), ==, ba_backup_application_get_service_principal_id (app));

  /* A second run resolves nothing again. */
  g_assert_true (create (fixture->provisioner, "Backup Access Pool", 1, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "GET", "/v1.0/servicePrincipals(appId="), ==, 2);
}

static void
test_create_hundred (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (create (fixture->provisioner, "Pool", 100, TRUE, NULL, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 100);
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (fixture->emulator, NULL), ==, 300);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/applications"), ==, 100);
  g_assert_cmpuint (fixture->last_done, ==, 100);
  g_assert_cmpuint (fixture->n_progress, ==, 100);
}

static void
test_duplicate_names (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BaBackupApplication *first;
  BaBackupApplication *second;

  g_assert_true (create (fixture->provisioner, "Same Name", 2, TRUE, NULL, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 2);
  first = application_at (fixture->organization, 0);
  second = application_at (fixture->organization, 1);
  g_assert_cmpstr (ba_backup_application_get_display_name (first), ==, ba_backup_application_get_display_name (second));
  g_assert_cmpstr (ba_backup_application_get_app_id (first), !=, ba_backup_application_get_app_id (second));
  g_assert_cmpstr (ba_backup_application_get_object_id (first), !=, ba_backup_application_get_object_id (second));
  g_assert_cmpstr (ba_backup_application_get_creation_tag (first), !=, ba_backup_application_get_creation_tag (second));
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (create (fixture->provisioner, "Pool", 0, TRUE, NULL, &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INVALID_COUNT);
  g_clear_error (&error);
  g_assert_false (create (fixture->provisioner, "Pool", 101, TRUE, NULL, &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INVALID_COUNT);
  g_clear_error (&error);
  g_assert_false (create (fixture->provisioner, "Pool", 2, FALSE, NULL, &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_POLICY_NOT_ACCEPTED);

  g_assert_cmpuint (ba_graph_emulator_get_requests (fixture->emulator)->len, ==, 0);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 0);
}

/* 10 % 429 with Retry-After 1 s, 503s, dropped connections and replication
 * delay at once: everything finishes, nothing twice. */
static void
test_faults (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;
  guint n_429 = 0, n_503 = 0, n_dropped = 0, n_no_backing = 0;

  ba_graph_emulator_set_fault_rate (fixture->emulator, "/v1.0/", 429, 1, 10);
  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/servicePrincipals", 503, 0, 3);
  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/applications", 503, 0, 2);
  ba_graph_emulator_drop_connections (fixture->emulator, "/v1.0/applications", 2);
  ba_graph_emulator_drop_connections (fixture->emulator, "/v1.0/servicePrincipals/", 2);
  ba_graph_emulator_set_replication_delay (fixture->emulator, 40);

  g_assert_true (create (fixture->provisioner, "Pool", 16, TRUE, NULL, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 16);

  requests = ba_graph_emulator_get_requests (fixture->emulator);
  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      n_429 += r->status == 429;
      n_503 += r->status == 503;
      n_dropped += r->status == 0;
      n_no_backing += r->status == 400 && g_strcmp0 (r->path, "/v1.0/servicePrincipals") == 0;
    }
  g_test_message ("%u requests: %u × 429, %u × 503, %u dropped, %u × NoBackingApplicationObject",
                  requests->len, n_429, n_503, n_dropped, n_no_backing);
  g_assert_cmpuint (n_429, >, 0);
  g_assert_cmpuint (n_503, ==, 5);
  g_assert_cmpuint (n_dropped, ==, 4);
  g_assert_cmpuint (n_no_backing, >, 0);
}

/* The case at full size: 100 applications through throttling
 * (429 with Retry-After 1 s on a share of requests small enough to keep
 * the test short), 503s, dropped connections and lost answers. */
static void
test_faults_hundred (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;
  guint n_429 = 0;

  ba_graph_emulator_set_fault_rate (fixture->emulator, "/v1.0/", 429, 1, 2);
  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/servicePrincipals", 503, 0, 3);
  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/applications", 503, 0, 2);
  ba_graph_emulator_drop_connections (fixture->emulator, "/v1.0/servicePrincipals/", 2);
  ba_graph_emulator_lose_answers (fixture->emulator, "/v1.0/applications", 2);

  g_assert_true (create (fixture->provisioner, "Pool", 100, TRUE, NULL, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 100);

  requests = ba_graph_emulator_get_requests (fixture->emulator);
  for (guint i = 0; i < requests->len; i++)
    n_429 += ((const BaEmulatorRequest *) g_ptr_array_index (requests, i))->status == 429;
  g_test_message ("%u requests, %u answered 429", requests->len, n_429);
  g_assert_cmpuint (n_429, >, 0);
}

/* Graph created the applications but the answers were lost on the way:
 * each is found again by its creation tag, none is made twice, and a 500
 * (whose outcome is just as unknown) is handled the same way. */
static void
test_lost_answers (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  ba_graph_emulator_lose_answers (fixture->emulator, "/v1.0/applications", 3);
  ba_graph_emulator_inject_status (fixture->emulator, "/v1.0/applications", 500, 0, 1);

  g_assert_true (create (fixture->provisioner, "Pool", 4, TRUE, NULL, &error));
  g_assert_no_error (error);
  /* Every application in the tenant is in the store, each once, ready. */
  assert_pool_matches (fixture, fixture->organization, 4);
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, 4);
}

static void
test_replication_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BaBackupApplication *app;

  ba_graph_emulator_set_replication_delay (fixture->emulator, 5000);
  ba_provisioner_set_replication_timeout (fixture->provisioner, 200);
  g_assert_false (create (fixture->provisioner, "Slow", 1, FALSE, NULL, &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_SOME_FAILED);

  /* Recorded as far as it got, with the reason and Graph's details. */
  app = application_at (fixture->organization, 0);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_FAILED);
  g_assert_nonnull (ba_backup_application_get_object_id (app));
  g_assert_null (ba_backup_application_get_service_principal_id (app));
  g_assert_nonnull (strstr (ba_backup_application_get_failure_reason (app), "Request_BadRequest"));
  g_assert_nonnull (strstr (ba_backup_application_get_failure_reason (app), "request ID"));
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/servicePrincipals"), >, 2);

  /* Once it has replicated, a resume finishes it without a second app. */
  ba_graph_emulator_set_replication_delay (fixture->emulator, 0);
  g_clear_error (&error);
  g_assert_true (resume (fixture->provisioner, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 1);
  g_assert_null (ba_backup_application_get_failure_reason (app));
}

static void
test_insufficient_role (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BaBackupApplication *app;

  ba_graph_emulator_inject_graph_error (fixture->emulator, "/v1.0/servicePrincipals/" GRAPH_SP "/appRoleAssignedTo",
                                        403, "Authorization_RequestDenied", 1);
  g_assert_false (create (fixture->provisioner, "Pool", 1, FALSE, NULL, &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INSUFFICIENT_ROLE);
  g_assert_nonnull (strstr (error->message, "Privileged Role Administrator"));
  g_assert_nonnull (strstr (error->message, "Global Administrator"));

  app = application_at (fixture->organization, 0);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_FAILED);
  g_assert_nonnull (strstr (ba_backup_application_get_failure_reason (app), "Authorization_RequestDenied"));
  g_assert_nonnull (ba_backup_application_get_service_principal_id (app));
}

static void
test_service_unavailable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree BaPermission *permissions = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  g_autofree char *app_id = NULL;
  guint n = 0;

  node = ba_test_graph_request (fixture->client, "DELETE", "/servicePrincipals(appId='" BA_RESOURCE_EXCHANGE "')", NULL, &error);
  g_assert_no_error (error);
  app_id = ba_graph_emulator_add_application (fixture->emulator, "Own", NULL, FALSE, NULL);

  permissions = ba_permissions_for_services (BA_SERVICE_EXCHANGE, BA_CLOUD_KIND_GLOBAL, &n);
  ba_provisioner_configure_existing_async (fixture->provisioner, app_id, certificate_a, permissions, n,
                                           BA_APPLICATION_ORIGIN_ORGANIZATION, NULL, ba_test_store_result_cb, &result);
  app = ba_provisioner_configure_existing_finish (fixture->provisioner, ba_test_wait_for_result (&result), &error);
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_SERVICE_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "Exchange Online"));
  g_assert_null (app);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const BaPermission *permissions;
  guint n_permissions;
  g_autoptr(GPtrArray) incomplete = NULL;
  guint recorded;

  ba_graph_emulator_set_latency (fixture->emulator, 10);
  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n_permissions);
  ba_provisioner_create_async (fixture->provisioner, "Pool", certificate_a, 30, TRUE,
                               permissions, n_permissions, BA_APPLICATION_ORIGIN_CREATED,
                               cancellable, ba_test_store_result_cb, &result);
  while (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/applications") < 6)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);

  g_assert_false (ba_provisioner_create_finish (fixture->provisioner, ba_test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Stopped early, and every application that exists is recorded. */
  recorded = 0;
  for (guint i = 0; i < n_applications (fixture->organization); i++)
    recorded += ba_backup_application_get_app_id (application_at (fixture->organization, i)) != NULL;
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), <, 30);
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, recorded);
  incomplete = ba_provisioner_list_incomplete (fixture->provisioner);
  g_assert_cmpuint (incomplete->len, >, 0);

  /* Resume completes them; nothing is created twice. */
  ba_graph_emulator_set_latency (fixture->emulator, 0);
  g_assert_true (resume (fixture->provisioner, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, n_applications (fixture->organization));
}

static guint
count_status (Fixture    *fixture,
              const char *suffix,
              guint       status)
{
  GPtrArray *requests = ba_graph_emulator_get_requests (fixture->emulator);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      n += g_str_has_suffix (r->path, suffix) && r->status == status;
    }

  return n;
}

static guint
count_patches (Fixture *fixture)
{
  return ba_graph_emulator_count_requests (fixture->emulator, "PATCH", "/v1.0/applications");
}

static gboolean
update (Fixture              *fixture,
        BaBackupApplication  *app,
        BaCertificate        *certificate,
        gboolean              remove_old,
        GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_provisioner_update_certificate_async (fixture->provisioner, app, certificate, remove_old, NULL,
                                           ba_test_store_result_cb, &result);

  return ba_provisioner_update_certificate_finish (fixture->provisioner, ba_test_wait_for_result (&result), error);
}

static gboolean
has_key (Fixture       *fixture,
         const char    *app_id,
         BaCertificate *certificate)
{
  JsonObject *object = ba_graph_emulator_lookup_application (fixture->emulator, app_id);
  JsonArray *keys = json_object_get_array_member (object, "keyCredentials");
  g_autofree char *key = ba_certificate_get_base64 (certificate);

  for (guint i = 0; i < json_array_get_length (keys); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (keys, i), "key"), key) == 0)
      return TRUE;

  return FALSE;
}

static void
test_update_certificate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  BaBackupApplication *app;
  const char *app_id;

  g_assert_true (create (fixture->provisioner, "Pool", 1, FALSE, NULL, &error));
  g_assert_no_error (error);
  app = application_at (fixture->organization, 0);
  app_id = ba_backup_application_get_app_id (app);

  /* B is appended and verified while the new key "replicates"; A stays. */
  ba_graph_emulator_set_key_replication_delay (fixture->emulator, 150);
  ba_graph_emulator_clear_requests (fixture->emulator);
  g_assert_true (update (fixture, app, certificate_b, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 2);
  g_assert_true (has_key (fixture, app_id, certificate_a));
  g_assert_true (has_key (fixture, app_id, certificate_b));
  g_assert_cmpuint (count_status (fixture, "/token", 401), >, 0);
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, ba_certificate_get_sha1_thumbprint (certificate_b));
  g_assert_nonnull (ba_backup_application_get_last_verified (app));
  g_assert_null (ba_backup_application_get_verification_error (app));
  g_assert_cmpuint (count_patches (fixture), ==, 1);

  /* C replaces B (the previous one) but keeps A, which is not ours to drop. */
  g_assert_true (update (fixture, app, certificate_c, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 2);
  g_assert_true (has_key (fixture, app_id, certificate_a));
  g_assert_false (has_key (fixture, app_id, certificate_b));
  g_assert_true (has_key (fixture, app_id, certificate_c));
  g_assert_nonnull (ba_backup_application_get_key_id (app));
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, ba_certificate_get_sha1_thumbprint (certificate_c));
  g_assert_cmpuint (count_patches (fixture), ==, 3);

  /* Never two operations on one application. */
  ba_graph_emulator_set_key_replication_delay (fixture->emulator, 0);
  ba_provisioner_update_certificate_async (fixture->provisioner, app, certificate_b, FALSE, NULL, ba_test_store_result_cb, &first);
  ba_provisioner_update_certificate_async (fixture->provisioner, app, certificate_a, FALSE, NULL, ba_test_store_result_cb, &second);
  g_assert_false (ba_provisioner_update_certificate_finish (fixture->provisioner, ba_test_wait_for_result (&second), &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (ba_provisioner_update_certificate_finish (fixture->provisioner, ba_test_wait_for_result (&first), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_patches (fixture), ==, 4);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 3);
}

static gboolean
remove_certificate (Fixture              *fixture,
                    BaBackupApplication  *app,
                    const char           *thumbprint,
                    GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_provisioner_remove_certificate_async (fixture->provisioner, app, thumbprint, NULL, NULL,
                                           ba_test_store_result_cb, &result);

  return ba_provisioner_remove_certificate_finish (fixture->provisioner, ba_test_wait_for_result (&result), error);
}

/* The previous key removed after the rotation, when the admin chooses to:
 * only that key goes, and never the one the application uses. */
static void
test_remove_certificate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BaBackupApplication *app;
  const char *app_id;
  guint patches;

  g_assert_true (create (fixture->provisioner, "Pool", 1, FALSE, NULL, &error));
  g_assert_no_error (error);
  app = application_at (fixture->organization, 0);
  app_id = ba_backup_application_get_app_id (app);
  g_assert_true (update (fixture, app, certificate_b, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (update (fixture, app, certificate_c, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 3);
  patches = count_patches (fixture);

  /* The one it signs in with is refused, before anything is asked. */
  g_assert_false (remove_certificate (fixture, app, ba_certificate_get_sha1_thumbprint (certificate_c), &error));
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_IN_USE);
  g_clear_error (&error);
  g_assert_cmpuint (count_patches (fixture), ==, patches);

  g_assert_true (remove_certificate (fixture, app, ba_certificate_get_sha1_thumbprint (certificate_b), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_patches (fixture), ==, patches + 1);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 2);
  g_assert_true (has_key (fixture, app_id, certificate_a));
  g_assert_false (has_key (fixture, app_id, certificate_b));
  g_assert_true (has_key (fixture, app_id, certificate_c));
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, ba_certificate_get_sha1_thumbprint (certificate_c));

  /* Gone already: nothing to write. */
  g_assert_true (remove_certificate (fixture, app, ba_certificate_get_sha1_thumbprint (certificate_b), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_patches (fixture), ==, patches + 1);
}

static void
test_configure_existing (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate_b);
  g_autoptr(BaBackupApplication) app = NULL;
  g_autoptr(BaBackupApplication) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result_again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *text = NULL;
  const BaPermission *permissions;
  const char *sp_id;
  guint n;

  /* An application of the admin's with another key and one grant already. */
  app_id = ba_graph_emulator_add_application (fixture->emulator, "Existing", der, TRUE, NULL);
  sp_id = json_object_get_string_member (ba_graph_emulator_lookup_service_principal (fixture->emulator, app_id), "id");
  text = g_strdup_printf ("{\"principalId\":\"%s\",\"resourceId\":\"%s\",\"appRoleId\":\"678536fe-1083-478a-9c59-b99265e6b0d3\"}",
                          sp_id, SHAREPOINT_SP);
  body = json_from_string (text, &error);
  g_assert_no_error (error);
  node = ba_test_graph_request (fixture->client, "POST", "/servicePrincipals/" SHAREPOINT_SP "/appRoleAssignedTo", body, &error);
  g_assert_no_error (error);
  ba_graph_emulator_clear_requests (fixture->emulator);

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n);
  ba_provisioner_configure_existing_async (fixture->provisioner, app_id, certificate_a, permissions, n,
                                           BA_APPLICATION_ORIGIN_ADDED, NULL, ba_test_store_result_cb, &result);
  app = ba_provisioner_configure_existing_finish (fixture->provisioner, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_true (ba_organization_find_application (fixture->organization, app_id) == app);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ADDED);
  g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Existing");
  g_assert_cmpstr (ba_backup_application_get_service_principal_id (app), ==, sp_id);

  /* The other key kept, ours added, only the missing grants made. */
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 2);
  g_assert_true (has_key (fixture, app_id, certificate_a));
  g_assert_true (has_key (fixture, app_id, certificate_b));
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (fixture->emulator, sp_id), ==, 3);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/servicePrincipals/"), ==, 2);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/applications"), ==, 0);

  /* Again: nothing to change. */
  ba_graph_emulator_clear_requests (fixture->emulator);
  ba_provisioner_configure_existing_async (fixture->provisioner, app_id, certificate_a, permissions, n,
                                           BA_APPLICATION_ORIGIN_ADDED, NULL, ba_test_store_result_cb, &result_again);
  again = ba_provisioner_configure_existing_finish (fixture->provisioner, ba_test_wait_for_result (&result_again), &error);
  g_assert_no_error (error);
  g_assert_true (again == app);
  g_assert_cmpuint (count_patches (fixture), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", NULL), ==, 0);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (fixture->emulator, app_id), ==, 2);
}

static void
test_configure_missing (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  const BaPermission *permissions;
  guint n;

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n);
  ba_provisioner_configure_existing_async (fixture->provisioner, "0b5a0c2e-1111-4222-8333-444455556666",
                                           certificate_a, permissions, n, BA_APPLICATION_ORIGIN_ADDED,
                                           NULL, ba_test_store_result_cb, &result);
  app = ba_provisioner_configure_existing_finish (fixture->provisioner, ba_test_wait_for_result (&result), &error);
  g_assert_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND);
  g_assert_null (app);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 0);
}

static gboolean
delete (Fixture              *fixture,
        BaBackupApplication  *app,
        GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_provisioner_delete_async (fixture->provisioner, app, NULL, ba_test_store_result_cb, &result);

  return ba_provisioner_delete_finish (fixture->provisioner, ba_test_wait_for_result (&result), error);
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaBackupApplication) first = NULL;
  g_autoptr(BaBackupApplication) second = NULL;
  g_autoptr(BaStore) reread = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = NULL;

  g_assert_true (create (fixture->provisioner, "Pool", 2, TRUE, NULL, &error));
  g_assert_no_error (error);
  first = g_object_ref (application_at (fixture->organization, 0));
  second = g_object_ref (application_at (fixture->organization, 1));

  g_assert_true (delete (fixture, first, &error));
  g_assert_no_error (error);
  g_assert_null (ba_graph_emulator_lookup_application (fixture->emulator, ba_backup_application_get_app_id (first)));
  g_assert_null (ba_graph_emulator_lookup_service_principal (fixture->emulator, ba_backup_application_get_app_id (first)));
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, 1);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 1);

  /* Someone deleted the application already: 404 counts as gone. */
  path = g_strdup_printf ("/applications/%s", ba_backup_application_get_object_id (second));
  node = ba_test_graph_request (fixture->client, "DELETE", path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (delete (fixture, second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "DELETE", "/v1.0/applications/"), ==, 3);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), ==, 0);

  reread = ba_store_new (fixture->store_path);
  g_assert_true (ba_store_load (reread, &error));
  g_assert_cmpuint (n_applications (ba_store_find_organization (reread, ba_graph_emulator_get_tenant_id (fixture->emulator))), ==, 0);

  /* What was deleted stays on record, saved, with what it takes to find it
   * among Entra ID's deleted items and until when. */
  {
    GListModel *records = ba_organization_get_deleted_applications (ba_store_find_organization (reread, ba_graph_emulator_get_tenant_id (fixture->emulator)));
    g_autoptr(BaDeletedApplication) a = NULL;
    g_autoptr(BaDeletedApplication) b = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) until = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (records), ==, 2);
    a = g_list_model_get_item (records, 0);
    b = g_list_model_get_item (records, 1);
    g_assert_cmpstr (ba_deleted_application_get_app_id (a), ==, ba_backup_application_get_app_id (first));
    g_assert_cmpstr (ba_deleted_application_get_object_id (a), ==, ba_backup_application_get_object_id (first));
    g_assert_cmpstr (ba_deleted_application_get_display_name (a), ==, "Pool");
    g_assert_cmpstr (ba_deleted_application_get_app_id (b), ==, ba_backup_application_get_app_id (second));
    g_assert_cmpint (g_date_time_difference (now, ba_deleted_application_get_deleted_at (a)), <, 60 * G_TIME_SPAN_SECOND);
    g_assert_cmpint (g_date_time_difference (now, ba_deleted_application_get_deleted_at (a)), >=, 0);
    until = ba_deleted_application_dup_restorable_until (a);
    g_assert_cmpint (g_date_time_difference (until, ba_deleted_application_get_deleted_at (a)), ==, 30 * G_TIME_SPAN_DAY);
  }
}

/* A POST resent after a lost answer made two applications with one tag:
 * the resume records both, and completes both. */
static void
test_resume_twins (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  g_autofree char *key = ba_certificate_get_base64 (certificate_a);
  g_autofree char *text = g_strdup_printf ("{\"displayName\":\"Twin\",\"tags\":[\"BackupAccess-twin\"],"
                                           "\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\","
                                           "\"usage\":\"Verify\",\"key\":\"%s\"}]}", key);
  g_autoptr(JsonNode) body = json_from_string (text, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonNode) node = ba_test_graph_request (fixture->client, "POST", "/applications", body, &error);

      g_assert_no_error (error);
    }

  app = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                      "display-name", "Twin",
                      "origin", BA_APPLICATION_ORIGIN_CREATED,
                      "state", BA_PROVISIONING_STATE_CREATING,
                      "creation-tag", "BackupAccess-twin",
                      NULL);
  ba_organization_add_application (fixture->organization, app);

  g_assert_true (resume (fixture->provisioner, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applications (fixture->organization), ==, 2);
  g_assert_cmpuint (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/applications"), ==, 2);
  g_assert_true (resume (fixture->provisioner, &error));
  g_assert_no_error (error);
  assert_pool_matches (fixture, fixture->organization, 2);
}

/* -------------------------------------------------------------------------
 * A run killed in the middle, then resumed
 * ------------------------------------------------------------------------- */

static void
child_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ba_provisioner_create_finish (BA_PROVISIONER (object), result, &error))
    g_printerr ("child: %s\n", error->message);
  exit (0);
}

/* The child: the same run, in another process, against the parent's
 * emulator, until the parent kills it. */
static int
child_main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaGraphClient) client = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *der = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const BaPermission *permissions;
  guint n;

  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, g_getenv ("BA_TEST_CHILD_TOKENS"), &error));
  session = ba_session_new (cloud, BA_TEST_CLIENT_ID);
  g_assert_true (ba_session_take_token_response (session, json_node_get_object (json_parser_get_root (parser)), &error));
  client = ba_graph_client_new (cloud, session);
  ba_graph_client_set_retry_policy (client, 6, 5, 40);
  g_assert_true (g_file_get_contents (g_getenv ("BA_TEST_CHILD_CERTIFICATE"), &der, &length, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&der), length);
  certificate_a = ba_certificate_new_from_data (bytes, &error);
  g_assert_no_error (error);

  store = ba_store_new (g_getenv (CHILD_ENV));
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  provisioner = ba_provisioner_new (client, store, ba_store_find_organization (store, g_getenv ("BA_TEST_CHILD_TENANT")));
  ba_provisioner_set_retry_base_delay (provisioner, 10);

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n);
  ba_provisioner_create_async (provisioner, "Crash Pool", certificate_a, 40, TRUE, permissions, n,
                               BA_APPLICATION_ORIGIN_CREATED, NULL, child_done_cb, NULL);
  for (;;)
    g_main_context_iteration (NULL, TRUE);

  return 1;
}

static void
child_exited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static BaBackupApplication *
find_by_tag (BaOrganization *organization,
             JsonObject     *emulator_app)
{
  JsonArray *tags = json_object_get_array_member (emulator_app, "tags");

  for (guint i = 0; i < n_applications (organization); i++)
    {
      BaBackupApplication *app = application_at (organization, i);

      if (array_has_string (tags, ba_backup_application_get_creation_tag (app)))
        return app;
    }

  return NULL;
}

static void
test_crash_resume (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate_a);
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(JsonNode) tokens = json_node_init_object (json_node_alloc (), fixture->tokens);
  g_autofree char *tokens_text = json_to_string (tokens, FALSE);
  g_autofree char *tokens_path = g_build_filename (g_get_user_cache_dir (), "tokens.json", NULL);
  g_autofree char *der_path = g_build_filename (g_get_user_cache_dir (), "certificate.der", NULL);
  g_autofree char *self_path = g_test_build_filename (G_TEST_BUILT, "test-provisioner", NULL);
  BaOrganization *organization;
  GPtrArray *emulated;
  gboolean exited = FALSE;
  guint gap = 0;
  guint created;

  g_assert_true (g_mkdir_with_parents (g_get_user_cache_dir (), 0700) == 0);
  g_assert_true (g_file_set_contents (tokens_path, tokens_text, -1, &error));
  g_assert_true (g_file_set_contents (der_path, g_bytes_get_data (der, NULL), g_bytes_get_size (der), &error));

  /* Answers take a while, so that POSTs are in flight when it dies. */
  ba_graph_emulator_set_latency (fixture->emulator, 30);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, CHILD_ENV, fixture->store_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_TEST_CHILD_TOKENS", tokens_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_TEST_CHILD_CERTIFICATE", der_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_TEST_CHILD_TENANT", ba_graph_emulator_get_tenant_id (fixture->emulator), TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);

  /* Killed right as the 10th POST /applications reached Graph. */
  while (ba_graph_emulator_count_requests (fixture->emulator, "POST", "/v1.0/applications") < 10 && !exited)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_force_exit (child);
  g_subprocess_wait_async (child, NULL, child_exited_cb, &exited);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  /* What the dead run left on disk knows of every application in the
   * tenant: by its ids, or, for one whose answer it never read, its tag. */
  store = ba_store_new (fixture->store_path);
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  organization = ba_store_find_organization (store, ba_graph_emulator_get_tenant_id (fixture->emulator));
  created = ba_graph_emulator_count_applications (fixture->emulator);
  g_assert_cmpuint (created, >=, 10);
  g_assert_cmpuint (created, <, 40);
  emulated = ba_graph_emulator_get_requests (fixture->emulator);
  for (guint i = 0; i < emulated->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (emulated, i);

      if (g_strcmp0 (r->method, "POST") == 0 && g_strcmp0 (r->path, "/v1.0/applications") == 0 && r->status == 201)
        {
          g_autoptr(JsonObject) body = parse_body (r);
          JsonArray *tags = json_object_get_array_member (body, "tags");
          BaBackupApplication *app = NULL;

          for (guint j = 0; j < n_applications (organization) && app == NULL; j++)
            if (array_has_string (tags, ba_backup_application_get_creation_tag (application_at (organization, j))))
              app = application_at (organization, j);
          g_assert_nonnull (app);
          if (ba_backup_application_get_app_id (app) == NULL)
            gap++;
        }
    }
  g_test_message ("killed with %u applications in the tenant, %u recorded, %u of them only by tag",
                  created, n_applications (organization), gap);
  /* The answer to the 10th POST never arrived. */
  g_assert_cmpuint (gap, >=, 1);

  /* Resumed here: everything finished, nothing twice, no orphan. */
  ba_graph_emulator_set_latency (fixture->emulator, 0);
  provisioner = make_provisioner (fixture, store, organization);
  {
    g_autoptr(GAsyncResult) result = NULL;
    const BaPermission *permissions;
    guint n;

    permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n);
    ba_provisioner_resume_async (provisioner, certificate_a, permissions, n, NULL, ba_test_store_result_cb, &result);
    g_assert_true (ba_provisioner_resume_finish (provisioner, ba_test_wait_for_result (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (ba_graph_emulator_count_applications (fixture->emulator), >=, created);
  assert_pool_matches (fixture, organization, n_applications (organization));
  for (guint i = 0; i < n_applications (organization); i++)
    {
      JsonObject *object = ba_graph_emulator_lookup_application (fixture->emulator,
                                                                 ba_backup_application_get_app_id (application_at (organization, i)));

      g_assert_true (find_by_tag (organization, object) == application_at (organization, i));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  if (g_getenv (CHILD_ENV) != NULL)
    return child_main ();

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < 3; i++)
    {
      static const char * const names[] = { "Backup Access A", "Backup Access B", "Backup Access C" };
      BaCertificate **out[] = { &certificate_a, &certificate_b, &certificate_c };

      g_clear_object (&result);
      ba_certificate_generate_async (names[i], 2048, 1, NULL, ba_test_store_result_cb, &result);
      *out[i] = ba_certificate_generate_finish (ba_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
    }

#define TEST(path, func) \
  g_test_add ("/ba/provisioner/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/ba/provisioner/permissions", test_permissions);
  TEST ("create-one", test_create_one);
  TEST ("create-hundred", test_create_hundred);
  TEST ("duplicate-names", test_duplicate_names);
  TEST ("refused", test_refused);
  TEST ("faults", test_faults);
  TEST ("faults-hundred", test_faults_hundred);
  TEST ("lost-answers", test_lost_answers);
  TEST ("replication-timeout", test_replication_timeout);
  TEST ("insufficient-role", test_insufficient_role);
  TEST ("service-unavailable", test_service_unavailable);
  TEST ("cancel", test_cancel);
  TEST ("update-certificate", test_update_certificate);
  TEST ("configure-existing", test_configure_existing);
  TEST ("configure-missing", test_configure_missing);
  TEST ("remove-certificate", test_remove_certificate);
  TEST ("delete", test_delete);
  TEST ("resume-twins", test_resume_twins);
  TEST ("crash-resume", test_crash_resume);

#undef TEST

  ret = g_test_run ();

  g_clear_object (&certificate_a);
  g_clear_object (&certificate_b);
  g_clear_object (&certificate_c);

  return ret;
}
