/* test-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ba-store.h"
#include "ba-test-utils.h"

#define CONTOSO_TENANT   "c736002a-7ef8-49ca-9324-db6bcb3289ef"
#define FABRIKAM_TENANT  "c2d5a9d5-4218-46af-9b88-f6deccde3725"
#define NORTHWIND_TENANT "24aeb3ac-65d3-4105-9723-03820ef1667d"
#define FUTURE_TENANT    "6c7a069a-75b9-4110-8696-e26eb53515aa"

#define SAVE_LOOP_ARG "--ba-save-loop"

static void
count_cb (guint *count)
{
  (*count)++;
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

static char *
fixture_contents (const char *name)
{
  g_autofree char *path = ba_test_fixture_path (name);

  return read_file (path, NULL);
}

static char *
store_to_string (BaStore *store)
{
  g_autoptr(JsonNode) node = ba_store_serialize (store, TRUE);

  return json_to_string (node, FALSE);
}

static BaStore *
new_loaded_store (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;

  ba_store_load (store, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static BaOrganization *
make_organization (const char *tenant_id,
                   const char *name,
                   guint       n_applications)
{
  BaOrganization *org = ba_organization_new (tenant_id, name);

  ba_organization_set_services (org, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT);
  ba_organization_set_impersonation_account (org, "backupadmin@example.onmicrosoft.com");

  for (guint i = 0; i < n_applications; i++)
    {
      g_autofree char *app_id = g_strdup_printf ("0000000%u-1111-4222-8333-444444444444", i);
      g_autofree char *display_name = g_strdup_printf ("%s backup %u", name, i + 1);
      g_autoptr(BaBackupApplication) app = ba_backup_application_new (app_id);
      g_autoptr(GDateTime) expiry = g_date_time_new_utc (2028, 1, 1 + i % 28, 0, 0, 0);

      ba_backup_application_set_display_name (app, display_name);
      ba_backup_application_set_certificate_thumbprint (app, "A0ED61435402178621D2EBEAF44C3D76A9D5DE0F");
      ba_backup_application_set_certificate_expiry (app, expiry);
      ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_CREATED);
      ba_organization_add_application (org, app);
    }

  return org;
}

static void
add_organization (BaStore        *store,
                  BaOrganization *org)
{
  g_autoptr(GError) error = NULL;

  ba_store_add_organization (store, org, &error);
  g_assert_no_error (error);
}

static void
save (BaStore *store)
{
  g_autoptr(GError) error = NULL;

  ba_store_save (store, &error);
  g_assert_no_error (error);
}

/* Two distinct configurations of different sizes, for the interrupted-save
 * test: a torn write of one could not pass for the other. */
static BaStore *
make_configuration (const char *path,
                    gboolean    second)
{
  BaStore *store = ba_store_new (path);

  if (!second)
    {
      g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 3);

      add_organization (store, org);
    }
  else
    {
      g_autoptr(BaOrganization) fabrikam = make_organization (FABRIKAM_TENANT, "Fabrikam", 40);
      g_autoptr(BaOrganization) northwind = make_organization (NORTHWIND_TENANT, "Northwind Traders", 25);

      ba_organization_set_auth_type (fabrikam, BA_AUTH_TYPE_BASIC);
      add_organization (store, fabrikam);
      add_organization (store, northwind);
    }

  return store;
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf buf;

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpuint (buf.st_mode & 07777, ==, mode);
}

/* ------------------------------------------------------------------------ */

static void
test_store_default_path (void)
{
  g_autoptr(BaStore) store = ba_store_new_default ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "backup-access", "configuration.json", NULL);
  g_autofree char *backup = ba_store_dup_backup_path (store);
  g_autofree char *expected_backup = g_strconcat (expected, ".bak", NULL);

  g_assert_cmpstr (ba_store_get_path (store), ==, expected);
  g_assert_cmpstr (backup, ==, expected_backup);
}

static void
test_store_missing_file (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 0);
  g_assert_false (ba_store_get_read_only (store));
  g_assert_null (ba_store_get_load_error (store));
  g_assert_null (ba_store_get_set_aside_path (store));
  g_assert_false (ba_store_get_backup_available (store));

  /* Loading creates nothing. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_store_fixture (void)
{
  g_autoptr(BaStore) store = NULL;
  GListModel *orgs;
  BaOrganization *contoso;
  BaOrganization *fabrikam;
  BaOrganization *northwind;
  g_autoptr(BaOrganization) first = NULL;

  ba_test_install_fixture ("organizations.json");
  store = new_loaded_store ();
  orgs = ba_store_get_organizations (store);

  g_assert_cmpuint (g_list_model_get_n_items (orgs), ==, 3);
  first = g_list_model_get_item (orgs, 0);
  contoso = ba_store_find_organization (store, CONTOSO_TENANT);
  fabrikam = ba_store_find_organization (store, FABRIKAM_TENANT);
  northwind = ba_store_find_organization (store, NORTHWIND_TENANT);
  g_assert_true (first == contoso);

  g_assert_cmpstr (ba_organization_get_name (contoso), ==, "Contoso");
  g_assert_cmpint (ba_organization_get_auth_type (contoso), ==, BA_AUTH_TYPE_MODERN_APP_ONLY);
  g_assert_cmpint (ba_organization_get_cloud (contoso), ==, BA_CLOUD_KIND_GLOBAL);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (contoso)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_accounts (contoso)), ==, 0);
  g_assert_nonnull (ba_organization_find_application (contoso, ba_organization_get_own_application_id (contoso)));

  g_assert_cmpstr (ba_organization_get_name (fabrikam), ==, "Fabrikam");
  g_assert_cmpint (ba_organization_get_auth_type (fabrikam), ==, BA_AUTH_TYPE_BASIC);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_accounts (fabrikam)), ==, 2);

  g_assert_cmpstr (ba_organization_get_name (northwind), ==, "Northwind Traders");
  g_assert_cmpint (ba_organization_get_auth_type (northwind), ==, BA_AUTH_TYPE_MODERN_LEGACY);
  g_assert_cmpint (ba_organization_get_cloud (northwind), ==, BA_CLOUD_KIND_US_GOV_L4);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_accounts (northwind)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (northwind)), ==, 1);

  /* Tenant ids are found regardless of case. */
  g_assert_true (ba_store_find_organization (store, "C736002A-7EF8-49CA-9324-DB6BCB3289EF") == contoso);
  g_assert_null (ba_store_find_organization (store, FUTURE_TENANT));
}

static void
test_store_round_trip (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaStore) reloaded = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;
  g_autoptr(BaOrganization) first = NULL;
  g_autoptr(BaOrganization) last = NULL;
  g_autoptr(BaOrganization) extra = make_organization ("8e6ea411-1553-4d28-8c57-aeba681e7fe9", "Wide World Importers", 2);

  /* Everything in the fixture, plus one added: all survives save and load. */
  ba_test_install_fixture ("organizations.json");
  store = new_loaded_store ();
  add_organization (store, extra);
  save (store);
  before = store_to_string (store);

  reloaded = new_loaded_store ();
  after = store_to_string (reloaded);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (reloaded)), ==, 4);

  /* In list order. */
  first = g_list_model_get_item (ba_store_get_organizations (reloaded), 0);
  last = g_list_model_get_item (ba_store_get_organizations (reloaded), 3);
  g_assert_cmpstr (ba_organization_get_name (first), ==, "Contoso");
  g_assert_cmpstr (ba_organization_get_name (last), ==, "Wide World Importers");

  /* Pretty-printed, and stable: saving what was loaded writes the same bytes. */
  written = read_file (path, NULL);
  g_assert_true (g_str_has_prefix (written, "{\n  \"formatVersion\""));
  g_assert_nonnull (strstr (written, "\n      \"tenantId\""));
  save (reloaded);
  rewritten = read_file (path, NULL);
  g_assert_cmpstr (written, ==, rewritten);
}

static void
test_store_unknown_members_kept (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  JsonObject *object;
  JsonObject *org;
  BaOrganization *contoso;

  ba_test_write_config ("{ \"formatVersion\": 1, \"addedLater\": [1, 2],"
                        "  \"organizations\": [ { \"tenantId\": \"" CONTOSO_TENANT "\", \"name\": \"Contoso\","
                        "    \"region\": \"emea\","
                        "    \"applications\": [ { \"appId\": \"ea98ceed-554c-4c9a-80db-7c5e0014943e\", \"note\": \"x\" } ],"
                        "    \"accounts\": [ { \"userPrincipalName\": \"a@contoso.com\", \"mfa\": false } ] } ] }");
  store = new_loaded_store ();
  contoso = ba_store_find_organization (store, CONTOSO_TENANT);
  ba_organization_set_name (contoso, "Contoso Ltd");
  save (store);

  written = read_file (path, NULL);
  root = json_from_string (written, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "formatVersion"), ==, 1);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (object, "addedLater"), 1), ==, 2);
  org = json_array_get_object_element (json_object_get_array_member (object, "organizations"), 0);
  g_assert_cmpstr (json_object_get_string_member (org, "name"), ==, "Contoso Ltd");
  g_assert_cmpstr (json_object_get_string_member (org, "region"), ==, "emea");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (org, "applications"), 0), "note"), ==, "x");
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (json_object_get_array_member (org, "accounts"), 0), "mfa"));
  g_assert_true (json_object_has_member (json_array_get_object_element (json_object_get_array_member (org, "accounts"), 0), "mfa"));
}

/* ------------------------------------------------------------------------ */

static char *
find_set_aside (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".corrupt-", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  char *found = NULL;
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    {
      if (g_str_has_prefix (name, prefix))
        {
          /* One set-aside file per case. */
          g_assert_null (found);
          found = g_build_filename (dir, name, NULL);
        }
    }

  return found;
}

static gboolean
is_stamp (const char *s)
{
  /* YYYYMMDD-HHMMSS */
  if (strlen (s) != 15 || s[8] != '-')
    return FALSE;

  for (guint i = 0; i < 15; i++)
    if (i != 8 && !g_ascii_isdigit (s[i]))
      return FALSE;

  return TRUE;
}

typedef enum
{
  BACKUP_NONE,
  BACKUP_GOOD,
  BACKUP_CORRUPT,
} BackupKind;

static void
assert_set_aside (const char *contents,
                  gssize      length,
                  BackupKind  backup)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autofree char *expected_prefix = g_strconcat (path, ".corrupt-", NULL);
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) write_error = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *aside_contents = NULL;
  gsize aside_length = 0;
  guint notified = 0;

  if (length < 0)
    length = strlen (contents);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &write_error);
  g_assert_no_error (write_error);

  if (backup == BACKUP_GOOD)
    {
      g_autofree char *good = fixture_contents ("organizations.json");

      g_file_set_contents (backup_path, good, -1, &write_error);
    }
  else if (backup == BACKUP_CORRUPT)
    {
      g_file_set_contents (backup_path, "{ \"formatVersion\": 1, \"organizations\": [", -1, &write_error);
    }
  g_assert_no_error (write_error);

  g_signal_connect_swapped (store, "notify::load-error", G_CALLBACK (count_cb), &notified);

  g_assert_false (ba_store_load (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_nonnull (ba_store_get_load_error (store));
  g_assert_true (g_error_matches (ba_store_get_load_error (store), BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT));

  /* The store is empty and writable: the admin can start again or restore. */
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 0);
  g_assert_false (ba_store_get_read_only (store));
  g_assert_cmpint (ba_store_get_backup_available (store), ==, backup == BACKUP_GOOD);

  /* The damaged file is moved aside, named for when, with every byte, and
   * nothing is left at the configuration's path. */
  aside = find_set_aside (path);
  g_assert_nonnull (aside);
  g_assert_cmpstr (ba_store_get_set_aside_path (store), ==, aside);
  g_assert_true (g_str_has_prefix (aside, expected_prefix));
  g_assert_true (is_stamp (aside + strlen (expected_prefix)));
  aside_contents = read_file (aside, &aside_length);
  g_assert_cmpmem (aside_contents, aside_length, contents, length);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A save after that writes a fresh file and leaves the set-aside one be. */
  save (store);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&aside_contents, g_free);
  aside_contents = read_file (aside, &aside_length);
  g_assert_cmpmem (aside_contents, aside_length, contents, length);
}

static void
test_store_corrupt_garbage (void)
{
  static const char garbage[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR not a configuration \xff\xfe";

  assert_set_aside (garbage, sizeof garbage - 1, BACKUP_NONE);
}

static void
test_store_corrupt_truncated (void)
{
  g_autofree char *good = fixture_contents ("organizations.json");

  assert_set_aside (good, strlen (good) / 2, BACKUP_GOOD);
}

static void
test_store_corrupt_empty (void)
{
  assert_set_aside ("", 0, BACKUP_CORRUPT);
}

static void
test_store_corrupt_whitespace (void)
{
  assert_set_aside ("  \n\n ", -1, BACKUP_NONE);
}

static void
test_store_corrupt_top_level_array (void)
{
  assert_set_aside ("[ { \"formatVersion\": 1, \"organizations\": [] } ]", -1, BACKUP_GOOD);
}

static void
test_store_corrupt_organizations_object (void)
{
  assert_set_aside ("{ \"formatVersion\": 1, \"organizations\": { \"tenantId\": \"" CONTOSO_TENANT "\" } }", -1, BACKUP_NONE);
}

static void
test_store_corrupt_wrong_member (void)
{
  assert_set_aside ("{ \"formatVersion\": 1, \"organizations\": [ { \"tenantId\": 17, \"name\": \"Contoso\" } ] }", -1, BACKUP_GOOD);
}

static void
test_store_corrupt_version (void)
{
  assert_set_aside ("{ \"formatVersion\": \"1\", \"organizations\": [] }", -1, BACKUP_NONE);
}

static void
test_store_corrupt_duplicate_tenant (void)
{
  assert_set_aside ("{ \"formatVersion\": 1, \"organizations\": ["
                    " { \"tenantId\": \"" CONTOSO_TENANT "\" },"
                    " { \"tenantId\": \"C736002A-7EF8-49CA-9324-DB6BCB3289EF\" } ] }", -1, BACKUP_NONE);
}

static void
test_store_corrupt_message_names_member (void)
{
  g_autoptr(BaStore) store = NULL;
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(GError) error = NULL;

  ba_test_write_config ("{ \"formatVersion\": 1, \"organizations\": [ { \"tenantId\": \"" CONTOSO_TENANT "\" },"
                        "  { \"tenantId\": \"" FABRIKAM_TENANT "\", \"services\": \"teams\" } ] }");
  store = ba_store_new (path);
  g_assert_false (ba_store_load (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "services"));
  g_assert_nonnull (strstr (error->message, "organization 2"));
}

static void
test_store_corrupt_never_overwritten (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *first = NULL;
  g_autofree char *first_contents = NULL;
  g_autofree char *second_contents = NULL;

  /* Two damaged files within the same second get two names. */
  ba_test_write_config ("first damaged file");
  g_assert_false (ba_store_load (store, &error));
  first = g_strdup (ba_store_get_set_aside_path (store));
  g_assert_nonnull (first);

  ba_test_write_config ("second damaged file");
  g_assert_false (ba_store_load (store, &error2));
  g_assert_error (error2, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_nonnull (ba_store_get_set_aside_path (store));
  g_assert_cmpstr (ba_store_get_set_aside_path (store), !=, first);

  first_contents = read_file (first, NULL);
  second_contents = read_file (ba_store_get_set_aside_path (store), NULL);
  g_assert_cmpstr (first_contents, ==, "first damaged file");
  g_assert_cmpstr (second_contents, ==, "second damaged file");
}

static void
test_store_good_load_clears_error (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;

  ba_test_write_config ("nonsense");
  g_assert_false (ba_store_load (store, &error));
  g_clear_error (&error);

  ba_test_install_fixture ("organizations.json");
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_null (ba_store_get_load_error (store));
  g_assert_null (ba_store_get_set_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 3);
}

/* ------------------------------------------------------------------------ */

static void
test_store_backup_previous (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaOrganization) contoso = make_organization (CONTOSO_TENANT, "Contoso", 1);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *current = NULL;
  guint notified = 0;

  g_signal_connect_swapped (store, "notify::backup-available", G_CALLBACK (count_cb), &notified);

  /* The first save has nothing to keep. */
  add_organization (store, contoso);
  save (store);
  g_assert_false (g_file_test (backup_path, G_FILE_TEST_EXISTS));
  g_assert_false (ba_store_get_backup_available (store));
  first = read_file (path, NULL);

  ba_organization_set_name (contoso, "Contoso Ltd");
  save (store);
  second = read_file (path, NULL);
  g_assert_cmpstr (first, !=, second);
  backup = read_file (backup_path, NULL);
  g_assert_cmpstr (backup, ==, first);
  g_assert_true (ba_store_get_backup_available (store));
  g_assert_cmpuint (notified, ==, 1);

  /* Saving what is already there does not push the previous one out. */
  save (store);
  g_clear_pointer (&backup, g_free);
  backup = read_file (backup_path, NULL);
  g_assert_cmpstr (backup, ==, first);
  current = read_file (path, NULL);
  g_assert_cmpstr (current, ==, second);
}

static void
test_store_backup_not_from_damaged (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 1);
  g_autofree char *good = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *aside_contents = NULL;

  /* A good .bak, then the file is damaged behind our back after loading:
   * saving must neither keep the damaged file as the backup nor overwrite
   * it unseen. */
  store = new_loaded_store ();
  add_organization (store, org);
  save (store);
  ba_organization_set_name (org, "Contoso Ltd");
  save (store);
  good = read_file (backup_path, NULL);

  ba_test_write_config ("{ \"formatVersion\": 1, \"organ");
  ba_organization_set_name (org, "Contoso Group");
  save (store);

  backup = read_file (backup_path, NULL);
  g_assert_cmpstr (backup, ==, good);
  aside = find_set_aside (path);
  g_assert_nonnull (aside);
  aside_contents = read_file (aside, NULL);
  g_assert_cmpstr (aside_contents, ==, "{ \"formatVersion\": 1, \"organ");
  g_assert_cmpstr (ba_store_get_set_aside_path (store), ==, aside);
}

static void
test_store_permissions (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 1);
  mode_t old_umask;

  /* Even with a careless umask. */
  old_umask = umask (0);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  add_organization (store, org);
  save (store);
  assert_mode (dir, 0700);
  assert_mode (path, 0600);

  ba_organization_set_name (org, "Contoso Ltd");
  save (store);
  assert_mode (path, 0600);
  assert_mode (backup_path, 0600);

  umask (old_umask);
}

static void
test_store_duplicate_tenant (void)
{
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaOrganization) contoso = ba_organization_new (CONTOSO_TENANT, "Contoso");
  g_autoptr(BaOrganization) again = ba_organization_new ("C736002A-7EF8-49CA-9324-DB6BCB3289EF", "Contoso (copy)");
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_signal_connect_swapped (store, "changed", G_CALLBACK (count_cb), &changed);

  g_assert_true (ba_store_add_organization (store, contoso, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  g_assert_false (ba_store_add_organization (store, again, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "Contoso"));
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 1);

  /* Once removed, the tenant can be added again. */
  g_assert_true (ba_store_remove_organization (store, contoso));
  g_assert_false (ba_store_remove_organization (store, contoso));
  g_assert_cmpuint (changed, ==, 2);
  g_clear_error (&error);
  g_assert_true (ba_store_add_organization (store, again, &error));
  g_assert_no_error (error);
}

static void
test_store_changed (void)
{
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaOrganization) removed = NULL;
  g_autoptr(BaBackupAccount) account = NULL;
  BaOrganization *contoso;
  BaOrganization *fabrikam;
  BaBackupApplication *app;
  guint changed = 0;

  ba_test_install_fixture ("organizations.json");
  store = new_loaded_store ();
  g_signal_connect_swapped (store, "changed", G_CALLBACK (count_cb), &changed);

  contoso = ba_store_find_organization (store, CONTOSO_TENANT);
  fabrikam = ba_store_find_organization (store, FABRIKAM_TENANT);

  ba_organization_set_impersonation_account (contoso, "other@contoso.onmicrosoft.com");
  g_assert_cmpuint (changed, ==, 1);

  app = ba_organization_find_application (contoso, ba_organization_get_own_application_id (contoso));
  ba_backup_application_set_verification_error (app, "AADSTS700027");
  g_assert_cmpuint (changed, ==, 2);

  account = ba_backup_account_new ("backup03@fabrikam.partner.onmschina.cn");
  ba_organization_add_account (fabrikam, account);
  g_assert_cmpuint (changed, ==, 3);

  removed = g_object_ref (fabrikam);
  g_assert_true (ba_store_remove_organization (store, fabrikam));
  g_assert_cmpuint (changed, ==, 4);

  /* Removed organizations no longer count. */
  ba_organization_set_name (removed, "Fabrikam Inc");
  ba_backup_account_set_has_password (account, TRUE);
  g_assert_cmpuint (changed, ==, 4);

  /* Nor do the organizations a load replaced. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BaOrganization) old = g_object_ref (contoso);

    g_assert_true (ba_store_load (store, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (changed, ==, 4);
    ba_organization_set_name (old, "Old Contoso");
    g_assert_cmpuint (changed, ==, 4);
  }
}

/* ------------------------------------------------------------------------ */

static void
test_store_restore_backup (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaStore) reloaded = NULL;
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *first_model = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *restored_model = NULL;
  g_autofree char *aside = NULL;
  BaOrganization *contoso;

  add_organization (store, org);
  save (store);
  first = read_file (path, NULL);
  first_model = store_to_string (store);
  ba_organization_set_name (org, "Contoso Ltd");
  save (store);

  /* The file is damaged: it is set aside, and the backup offered. */
  ba_test_write_config ("{ \"formatVersion\": 1, \"organizations\": [ { \"tenantId\"");
  g_assert_false (ba_store_load (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_true (ba_store_get_backup_available (store));
  aside = g_strdup (ba_store_get_set_aside_path (store));
  g_assert_nonnull (aside);

  g_assert_true (ba_store_restore_backup (store, &error));
  g_assert_no_error (error);
  g_assert_null (ba_store_get_load_error (store));
  g_assert_null (ba_store_get_set_aside_path (store));
  g_assert_false (ba_store_get_read_only (store));

  contoso = ba_store_find_organization (store, CONTOSO_TENANT);
  g_assert_nonnull (contoso);
  g_assert_cmpstr (ba_organization_get_name (contoso), ==, "Contoso");
  restored_model = store_to_string (store);
  g_assert_cmpstr (restored_model, ==, first_model);

  /* On disk too, byte for byte; the set-aside file is still there. */
  restored = read_file (path, NULL);
  g_assert_cmpstr (restored, ==, first);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));

  reloaded = new_loaded_store ();
  g_assert_cmpstr (ba_organization_get_name (ba_store_find_organization (reloaded, CONTOSO_TENANT)), ==, "Contoso");
}

static void
test_store_restore_backup_swaps (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *now_current = NULL;
  g_autofree char *now_backup = NULL;

  add_organization (store, org);
  save (store);
  first = read_file (path, NULL);
  ba_organization_set_name (org, "Contoso Ltd");
  save (store);
  second = read_file (path, NULL);

  /* Restoring over a good file keeps that file as the backup: undoable. */
  g_assert_true (ba_store_restore_backup (store, &error));
  g_assert_no_error (error);
  now_current = read_file (path, NULL);
  now_backup = read_file (backup_path, NULL);
  g_assert_cmpstr (now_current, ==, first);
  g_assert_cmpstr (now_backup, ==, second);
  g_assert_cmpstr (ba_organization_get_name (ba_store_find_organization (store, CONTOSO_TENANT)), ==, "Contoso");
}

static void
test_store_restore_no_backup (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = NULL;

  ba_test_write_config ("garbage");
  store = ba_store_new (path);
  g_assert_false (ba_store_load (store, &error));
  g_clear_error (&error);
  g_assert_false (ba_store_get_backup_available (store));

  g_assert_false (ba_store_restore_backup (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_NO_BACKUP);
  g_clear_error (&error);

  /* A damaged backup is refused, and the store stays as it was. */
  g_file_set_contents (backup_path, "{ \"formatVersion\": 1, \"organizations\": [ 1 ] }", -1, &error);
  g_assert_no_error (error);
  g_assert_false (ba_store_restore_backup (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_nonnull (ba_store_get_load_error (store));
  aside = find_set_aside (path);
  g_assert_cmpstr (ba_store_get_set_aside_path (store), ==, aside);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  gboolean done;
  GError *error;
} SaveOutcome;

static void
save_async_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SaveOutcome *r = user_data;

  ba_store_save_finish (BA_STORE (object), result, &r->error);
  r->done = TRUE;
}

/* Runs one save_async to completion; returns its error, or NULL. */
static GError *
run_save_async (BaStore *store)
{
  SaveOutcome r = { FALSE, NULL };

  ba_store_save_async (store, NULL, save_async_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);

  return r.error;
}

typedef struct
{
  guint pending;
  guint failures;
} AsyncCounter;

static void
counted_save_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncCounter *counter = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    counter->failures++;
  counter->pending--;
}

static void
test_store_save_async (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaStore) reloaded = NULL;
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  AsyncCounter counter = { 0, 0 };

  add_organization (store, org);
  error = run_save_async (store);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  assert_mode (path, 0600);

  /* Backup availability is updated by the time the callback runs. */
  ba_organization_set_name (org, "Contoso Ltd");
  error = run_save_async (store);
  g_assert_no_error (error);
  g_assert_true (ba_store_get_backup_available (store));

  /* Many saves in flight, each of a different state: the last one wins. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("Contoso %u", i);

      ba_organization_set_name (org, name);
      counter.pending++;
      ba_store_save_async (store, NULL, counted_save_cb, &counter);
    }
  expected = store_to_string (store);
  while (counter.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counter.failures, ==, 0);

  reloaded = new_loaded_store ();
  actual = store_to_string (reloaded);
  g_assert_cmpstr (actual, ==, expected);
  g_assert_cmpstr (ba_organization_get_name (ba_store_find_organization (reloaded, CONTOSO_TENANT)), ==, "Contoso 19");
}

static void
test_store_save_async_snapshot (void)
{
  g_autoptr(BaStore) store = new_loaded_store ();
  g_autoptr(BaStore) reloaded = NULL;
  g_autoptr(BaOrganization) org = make_organization (CONTOSO_TENANT, "Contoso", 1);
  SaveOutcome r = { FALSE, NULL };

  /* What is saved is what the store held when the save was asked for. */
  add_organization (store, org);
  ba_store_save_async (store, NULL, save_async_cb, &r);
  ba_organization_set_name (org, "Changed after the save started");
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);

  reloaded = new_loaded_store ();
  g_assert_cmpstr (ba_organization_get_name (ba_store_find_organization (reloaded, CONTOSO_TENANT)), ==, "Contoso");
}

/* ------------------------------------------------------------------------ */

static void
test_store_future_version (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(BaOrganization) extra = ba_organization_new (CONTOSO_TENANT, "Contoso");
  BaOrganization *org;
  BaBackupApplication *app;
  JsonObject *object;
  JsonObject *org_object;
  g_autoptr(GError) async_error = NULL;

  ba_test_install_fixture ("future-version.json");
  before = read_file (path, NULL);

  /* The data is shown… */
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_true (ba_store_get_read_only (store));
  g_assert_true (g_error_matches (ba_store_get_load_error (store), BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION));
  g_assert_null (ba_store_get_set_aside_path (store));
  org = ba_store_find_organization (store, FUTURE_TENANT);
  g_assert_nonnull (org);
  g_assert_cmpstr (ba_organization_get_name (org), ==, "Adventure Works");
  app = ba_organization_find_application (org, "7edbc5e4-1286-4db7-ad67-8c110dc30979");
  g_assert_nonnull (app);
  g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Backup Access - Adventure Works");
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_accounts (org)), ==, 1);

  /* …with everything this version does not know still in hand… */
  document = ba_store_serialize (store, TRUE);
  object = json_node_get_object (document);
  g_assert_cmpint (json_object_get_int_member (object, "formatVersion"), ==, 2);
  g_assert_true (json_object_has_member (object, "backupServers"));
  org_object = json_array_get_object_element (json_object_get_array_member (object, "organizations"), 0);
  g_assert_true (json_object_has_member (org_object, "backupRepository"));
  g_assert_true (json_object_has_member (json_array_get_object_element (json_object_get_array_member (org_object, "applications"), 0),
                                         "federatedCredential"));
  g_assert_true (json_object_has_member (json_array_get_object_element (json_object_get_array_member (org_object, "accounts"), 0),
                                         "passwordRotatedAt"));

  /* …but never written, whatever is tried. */
  ba_organization_set_name (org, "Changed");
  g_assert_true (ba_store_add_organization (store, extra, &error));
  g_assert_false (ba_store_save (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  async_error = run_save_async (store);
  g_assert_error (async_error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);

  g_assert_false (ba_store_restore_backup (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);

  g_clear_object (&store);
  after = read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_null (find_set_aside (path));
}

static void
test_store_future_version_unreadable (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  const char *contents = "{ \"formatVersion\": 3, \"organizations\": { \"byTenant\": {} } }";

  /* A newer layout we cannot read at all is still not ours to set aside. */
  ba_test_write_config (contents);
  g_assert_false (ba_store_load (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION);
  g_assert_true (ba_store_get_read_only (store));
  g_assert_null (ba_store_get_set_aside_path (store));
  g_assert_null (find_set_aside (path));
  g_clear_error (&error);

  g_assert_false (ba_store_save (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);
  after = read_file (path, NULL);
  g_assert_cmpstr (after, ==, contents);
}

static void
assert_unreadable_store (const char *path)
{
  g_autoptr(BaStore) store = ba_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaOrganization) org = ba_organization_new (CONTOSO_TENANT, "Contoso");

  g_assert_false (ba_store_load (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_UNREADABLE);
  g_clear_error (&error);
  g_assert_true (ba_store_get_read_only (store));
  g_assert_true (g_error_matches (ba_store_get_load_error (store), BA_STORE_ERROR, BA_STORE_ERROR_UNREADABLE));
  g_assert_null (ba_store_get_set_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (store)), ==, 0);

  add_organization (store, org);
  g_assert_false (ba_store_save (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (ba_store_restore_backup (store, &error));
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY);

  g_assert_null (find_set_aside (path));
}

static void
test_store_unreadable_directory (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *inside = g_build_filename (path, "keep", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;

  /* A directory where the file should be: unreadable even to root. */
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_file_set_contents (inside, "kept", -1, &error);
  g_assert_no_error (error);

  assert_unreadable_store (path);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  kept = read_file (inside, NULL);
  g_assert_cmpstr (kept, ==, "kept");
}

static void
test_store_unreadable_permissions (void)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *good = fixture_contents ("organizations.json");
  g_autofree char *after = NULL;

  /* Root reads through mode 000; the directory case covers it there. */
  if (geteuid () == 0)
    {
      g_test_skip ("root can read a file with mode 000");
      return;
    }

  ba_test_write_config (good);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);

  assert_unreadable_store (path);

  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  after = read_file (path, NULL);
  g_assert_cmpstr (after, ==, good);
}

/* ------------------------------------------------------------------------ */

/* The child of the interrupted-save test: saves the two configurations in
 * turn, for ever, and says "ready" once both have been written. */
static int
run_save_loop (const char *path)
{
  g_autoptr(BaStore) first = make_configuration (path, FALSE);
  g_autoptr(BaStore) second = make_configuration (path, TRUE);

  for (guint64 i = 0; ; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ba_store_save (i % 2 == 0 ? first : second, &error))
        {
          g_printerr ("save failed: %s\n", error->message);
          return 1;
        }

      if (i == 1)
        {
          if (write (STDOUT_FILENO, "ready\n", 6) != 6)
            return 1;
        }
    }

  return 0;
}

static char *
expected_configuration (const char *dir,
                        gboolean    second)
{
  g_autofree char *path = g_build_filename (dir, second ? "second.json" : "first.json", NULL);
  g_autoptr(BaStore) store = make_configuration (path, second);

  save (store);

  return read_file (path, NULL);
}

static void
wait_for_ready (int fd)
{
  char buf[16];
  gsize got = 0;

  while (got < 6)
    {
      gssize n = read (fd, buf + got, 6 - got);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_cmpmem (buf, 6, "ready\n", 6);
}

static void
assert_one_of (const char *path,
               const char *first,
               const char *second)
{
  g_autofree char *contents = read_file (path, NULL);

  if (g_strcmp0 (contents, first) != 0 && g_strcmp0 (contents, second) != 0)
    g_error ("%s holds neither configuration:\n%s", path, contents);
}

static void
test_store_interrupted_save (void)
{
  static const guint delays_ms[] = { 5, 12, 20, 7, 33, 47, 9, 60, 26, 15, 40, 5 };
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *backup_path = g_strconcat (path, ".bak", NULL);
  g_autofree char *expected_dir = g_build_filename (g_get_user_data_dir (), "expected", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (self_exe);
  g_assert_cmpint (g_mkdir_with_parents (expected_dir, 0700), ==, 0);
  first = expected_configuration (expected_dir, FALSE);
  second = expected_configuration (expected_dir, TRUE);
  g_assert_cmpstr (first, !=, second);

  for (guint i = 0; i < G_N_ELEMENTS (delays_ms); i++)
    {
      const char *argv[] = { self_exe, SAVE_LOOP_ARG, path, NULL };
      GPid pid;
      int out_fd = -1;
      int status = 0;

      g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, NULL, &out_fd, NULL, &error);
      g_assert_no_error (error);

      wait_for_ready (out_fd);
      g_usleep (delays_ms[i] * G_TIME_SPAN_MILLISECOND);
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);
      close (out_fd);

      /* It died mid-loop, not of a failure of its own. */
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

      g_test_message ("killed after %u ms", delays_ms[i]);
      assert_one_of (path, first, second);
      assert_one_of (backup_path, first, second);
    }

  /* And it loads as a whole, with nothing to complain about. */
  store = ba_store_new (path);
  g_assert_true (ba_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_null (ba_store_get_load_error (store));
  g_assert_null (find_set_aside (path));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_strcmp0 (argv[1], SAVE_LOOP_ARG) == 0)
    return run_save_loop (argv[2]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/store/default-path", test_store_default_path);
  g_test_add_func ("/ba/store/missing-file", test_store_missing_file);
  g_test_add_func ("/ba/store/fixture", test_store_fixture);
  g_test_add_func ("/ba/store/round-trip", test_store_round_trip);
  g_test_add_func ("/ba/store/unknown-members-kept", test_store_unknown_members_kept);
  g_test_add_func ("/ba/store/corrupt/garbage", test_store_corrupt_garbage);
  g_test_add_func ("/ba/store/corrupt/truncated", test_store_corrupt_truncated);
  g_test_add_func ("/ba/store/corrupt/empty", test_store_corrupt_empty);
  g_test_add_func ("/ba/store/corrupt/whitespace", test_store_corrupt_whitespace);
  g_test_add_func ("/ba/store/corrupt/top-level-array", test_store_corrupt_top_level_array);
  g_test_add_func ("/ba/store/corrupt/organizations-object", test_store_corrupt_organizations_object);
  g_test_add_func ("/ba/store/corrupt/wrong-member", test_store_corrupt_wrong_member);
  g_test_add_func ("/ba/store/corrupt/version-not-a-number", test_store_corrupt_version);
  g_test_add_func ("/ba/store/corrupt/duplicate-tenant", test_store_corrupt_duplicate_tenant);
  g_test_add_func ("/ba/store/corrupt/message-names-member", test_store_corrupt_message_names_member);
  g_test_add_func ("/ba/store/corrupt/never-overwritten", test_store_corrupt_never_overwritten);
  g_test_add_func ("/ba/store/corrupt/good-load-clears-error", test_store_good_load_clears_error);
  g_test_add_func ("/ba/store/backup/previous", test_store_backup_previous);
  g_test_add_func ("/ba/store/backup/not-from-damaged", test_store_backup_not_from_damaged);
  g_test_add_func ("/ba/store/backup/restore", test_store_restore_backup);
  g_test_add_func ("/ba/store/backup/restore-swaps", test_store_restore_backup_swaps);
  g_test_add_func ("/ba/store/backup/restore-none", test_store_restore_no_backup);
  g_test_add_func ("/ba/store/permissions", test_store_permissions);
  g_test_add_func ("/ba/store/duplicate-tenant", test_store_duplicate_tenant);
  g_test_add_func ("/ba/store/changed", test_store_changed);
  g_test_add_func ("/ba/store/save-async", test_store_save_async);
  g_test_add_func ("/ba/store/save-async-snapshot", test_store_save_async_snapshot);
  g_test_add_func ("/ba/store/future-version", test_store_future_version);
  g_test_add_func ("/ba/store/future-version-unreadable", test_store_future_version_unreadable);
  g_test_add_func ("/ba/store/unreadable/directory", test_store_unreadable_directory);
  g_test_add_func ("/ba/store/unreadable/permissions", test_store_unreadable_permissions);
  g_test_add_func ("/ba/store/interrupted-save", test_store_interrupted_save);

  return g_test_run ();
}
