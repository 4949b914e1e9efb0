/* test-model.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include "ba-enum-types.h"
#include "ba-organization.h"
#include "ba-store.h"
#include "ba-test-utils.h"

#define CONTOSO_TENANT "c736002a-7ef8-49ca-9324-db6bcb3289ef"
#define CONTOSO_APP    "ea98ceed-554c-4c9a-80db-7c5e0014943e"
#define CONTOSO_APP_2  "7b761bf7-cfa1-404f-b8ba-9679e337d8f1"

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Setting @value once notifies once, setting it again does not, and the
 * property then reads back as @value. */
static void
assert_property_notifies (gpointer      object,
                          const char   *name,
                          const GValue *value)
{
  g_autofree char *detailed = g_strconcat ("notify::", name, NULL);
  g_auto(GValue) read = G_VALUE_INIT;
  GParamSpec *pspec;
  guint count = 0;
  gulong id;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);

  id = g_signal_connect_swapped (object, detailed, G_CALLBACK (count_cb), &count);

  g_object_set_property (object, name, value);
  g_assert_cmpuint (count, ==, 1);
  g_object_set_property (object, name, value);
  g_assert_cmpuint (count, ==, 1);

  g_value_init (&read, pspec->value_type);
  g_object_get_property (object, name, &read);
  g_assert_cmpint (g_param_values_cmp (pspec, value, &read), ==, 0);

  g_signal_handler_disconnect (object, id);
}

static void
assert_string_property (gpointer    object,
                        const char *name,
                        const char *value)
{
  g_auto(GValue) v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, value);
  assert_property_notifies (object, name, &v);
}

static void
assert_enum_property (gpointer    object,
                      const char *name,
                      GType       type,
                      int         value)
{
  g_auto(GValue) v = G_VALUE_INIT;

  g_value_init (&v, type);
  g_value_set_enum (&v, value);
  assert_property_notifies (object, name, &v);
}

static void
assert_date_time_property (gpointer    object,
                           const char *name,
                           GDateTime  *value)
{
  g_auto(GValue) v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_DATE_TIME);
  g_value_set_boxed (&v, value);
  assert_property_notifies (object, name, &v);
}

static GDateTime *
utc (int year,
     int month,
     int day,
     int hour,
     int minute,
     int second)
{
  return g_date_time_new_utc (year, month, day, hour, minute, second);
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

static char *
to_string (JsonNode *node)
{
  return json_to_string (node, TRUE);
}

static BaBackupApplication *
make_full_application (void)
{
  g_autoptr(GDateTime) expiry = utc (2027, 3, 1, 9, 30, 0);
  g_autoptr(GDateTime) verified = utc (2026, 11, 20, 7, 45, 12);
  BaBackupApplication *app = ba_backup_application_new (CONTOSO_APP_2);

  ba_backup_application_set_object_id (app, "23dd0157-22b9-4d35-9968-775368ba4061");
  ba_backup_application_set_display_name (app, "Backup Access - Contoso 2");
  ba_backup_application_set_certificate_thumbprint (app, "AB7416095DC66FA26D0CE63E39E891ADEE275DC3");
  ba_backup_application_set_certificate_expiry (app, expiry);
  ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_CREATED);
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_FAILED);
  ba_backup_application_set_failure_reason (app, "Consent was declined");
  ba_backup_application_set_last_verified (app, verified);
  ba_backup_application_set_verification_error (app, "AADSTS700027: certificate not valid");

  return app;
}

static BaBackupAccount *
make_full_account (void)
{
  BaBackupAccount *account = ba_backup_account_new ("backup01@fabrikam.partner.onmschina.cn");

  ba_backup_account_set_object_id (account, "4b0b9e6f-3e74-4dfb-9da4-65a044cec459");
  ba_backup_account_set_group (account, "Backup Accounts");
  ba_backup_account_set_group_id (account, "12b5be64-500a-4810-b2e0-460d076b8fc6");
  ba_backup_account_set_has_password (account, TRUE);

  return account;
}

/* ------------------------------------------------------------------------ */

static void
test_application_defaults (void)
{
  g_autoptr(BaBackupApplication) app = ba_backup_application_new (CONTOSO_APP);

  g_assert_cmpstr (ba_backup_application_get_app_id (app), ==, CONTOSO_APP);
  g_assert_null (ba_backup_application_get_object_id (app));
  g_assert_null (ba_backup_application_get_display_name (app));
  g_assert_null (ba_backup_application_get_certificate_thumbprint (app));
  g_assert_null (ba_backup_application_get_certificate_expiry (app));
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ADDED);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
  g_assert_null (ba_backup_application_get_failure_reason (app));
  g_assert_null (ba_backup_application_get_last_verified (app));
  g_assert_null (ba_backup_application_get_verification_error (app));
}

static void
test_application_properties (void)
{
  g_autoptr(BaBackupApplication) app = ba_backup_application_new (CONTOSO_APP);
  g_autoptr(GDateTime) expiry = utc (2027, 3, 1, 9, 30, 0);
  g_autoptr(GDateTime) same_expiry = utc (2027, 3, 1, 9, 30, 0);
  g_autoptr(GDateTime) verified = utc (2026, 11, 20, 7, 45, 12);
  guint count = 0;

  assert_string_property (app, "app-id", CONTOSO_APP_2);
  assert_string_property (app, "object-id", "23dd0157-22b9-4d35-9968-775368ba4061");
  assert_string_property (app, "display-name", "Backup Access - Contoso 2");
  assert_string_property (app, "certificate-thumbprint", "AB7416095DC66FA26D0CE63E39E891ADEE275DC3");
  assert_date_time_property (app, "certificate-expiry", expiry);
  assert_enum_property (app, "origin", BA_TYPE_APPLICATION_ORIGIN, BA_APPLICATION_ORIGIN_CREATED);
  assert_enum_property (app, "state", BA_TYPE_PROVISIONING_STATE, BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED);
  assert_string_property (app, "failure-reason", "Throttled");
  assert_date_time_property (app, "last-verified", verified);
  assert_string_property (app, "verification-error", "AADSTS7000215");

  /* The C getters see what the properties set. */
  g_assert_cmpstr (ba_backup_application_get_app_id (app), ==, CONTOSO_APP_2);
  g_assert_cmpstr (ba_backup_application_get_object_id (app), ==, "23dd0157-22b9-4d35-9968-775368ba4061");
  g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Backup Access - Contoso 2");
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==, "AB7416095DC66FA26D0CE63E39E891ADEE275DC3");
  g_assert_true (g_date_time_equal (ba_backup_application_get_certificate_expiry (app), expiry));
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_CREATED);
  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED);
  g_assert_cmpstr (ba_backup_application_get_failure_reason (app), ==, "Throttled");
  g_assert_true (g_date_time_equal (ba_backup_application_get_last_verified (app), verified));
  g_assert_cmpstr (ba_backup_application_get_verification_error (app), ==, "AADSTS7000215");

  /* The C setters notify only on a real change: an equal instant in
   * another object is no change, clearing is. */
  g_signal_connect_swapped (app, "notify", G_CALLBACK (count_cb), &count);
  ba_backup_application_set_certificate_expiry (app, same_expiry);
  ba_backup_application_set_display_name (app, "Backup Access - Contoso 2");
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED);
  g_assert_cmpuint (count, ==, 0);

  ba_backup_application_set_verification_error (app, NULL);
  g_assert_cmpuint (count, ==, 1);
  g_assert_null (ba_backup_application_get_verification_error (app));
  ba_backup_application_set_verification_error (app, NULL);
  g_assert_cmpuint (count, ==, 1);

  ba_backup_application_set_certificate_expiry (app, NULL);
  g_assert_cmpuint (count, ==, 2);
  g_assert_null (ba_backup_application_get_certificate_expiry (app));
}

static void
test_account_properties (void)
{
  g_autoptr(BaBackupAccount) account = ba_backup_account_new ("backup01@fabrikam.com");
  g_auto(GValue) yes = G_VALUE_INIT;
  guint count = 0;

  g_assert_cmpstr (ba_backup_account_get_user_principal_name (account), ==, "backup01@fabrikam.com");
  g_assert_null (ba_backup_account_get_object_id (account));
  g_assert_null (ba_backup_account_get_group (account));
  g_assert_null (ba_backup_account_get_group_id (account));
  g_assert_false (ba_backup_account_get_has_password (account));

  assert_string_property (account, "user-principal-name", "backup02@fabrikam.com");
  assert_string_property (account, "object-id", "6c9d54ca-2218-42b4-91e3-571c8ad57033");
  assert_string_property (account, "group", "Backup Accounts");
  assert_string_property (account, "group-id", "12b5be64-500a-4810-b2e0-460d076b8fc6");
  g_value_init (&yes, G_TYPE_BOOLEAN);
  g_value_set_boolean (&yes, TRUE);
  assert_property_notifies (account, "has-password", &yes);

  g_assert_cmpstr (ba_backup_account_get_user_principal_name (account), ==, "backup02@fabrikam.com");
  g_assert_cmpstr (ba_backup_account_get_object_id (account), ==, "6c9d54ca-2218-42b4-91e3-571c8ad57033");
  g_assert_cmpstr (ba_backup_account_get_group (account), ==, "Backup Accounts");
  g_assert_cmpstr (ba_backup_account_get_group_id (account), ==, "12b5be64-500a-4810-b2e0-460d076b8fc6");
  g_assert_true (ba_backup_account_get_has_password (account));

  g_signal_connect_swapped (account, "notify", G_CALLBACK (count_cb), &count);
  ba_backup_account_set_has_password (account, TRUE);
  ba_backup_account_set_group (account, "Backup Accounts");
  g_assert_cmpuint (count, ==, 0);
  ba_backup_account_set_has_password (account, FALSE);
  g_assert_cmpuint (count, ==, 1);
  ba_backup_account_set_group_id (account, NULL);
  g_assert_cmpuint (count, ==, 2);
}

static void
test_organization_properties (void)
{
  g_autoptr(BaOrganization) org = ba_organization_new (CONTOSO_TENANT, "Contoso");
  g_auto(GValue) services = G_VALUE_INIT;
  g_autoptr(GListModel) applications = NULL;
  g_autoptr(GListModel) accounts = NULL;
  guint count = 0;

  g_assert_cmpstr (ba_organization_get_tenant_id (org), ==, CONTOSO_TENANT);
  g_assert_cmpstr (ba_organization_get_name (org), ==, "Contoso");
  g_assert_cmpint (ba_organization_get_cloud (org), ==, BA_CLOUD_KIND_GLOBAL);
  g_assert_cmpint (ba_organization_get_auth_type (org), ==, BA_AUTH_TYPE_MODERN_APP_ONLY);
  g_assert_cmpint (ba_organization_get_services (org), ==, BA_SERVICE_NONE);
  g_assert_null (ba_organization_get_impersonation_account (org));
  g_assert_null (ba_organization_get_own_application_id (org));

  assert_string_property (org, "tenant-id", "24aeb3ac-65d3-4105-9723-03820ef1667d");
  assert_string_property (org, "name", "Northwind Traders");
  assert_enum_property (org, "cloud", BA_TYPE_CLOUD_KIND, BA_CLOUD_KIND_US_GOV_L4);
  assert_enum_property (org, "auth-type", BA_TYPE_AUTH_TYPE, BA_AUTH_TYPE_MODERN_LEGACY);
  g_value_init (&services, BA_TYPE_SERVICES);
  g_value_set_flags (&services, BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS_CHATS);
  assert_property_notifies (org, "services", &services);
  assert_string_property (org, "impersonation-account", "northwindtraders.onmicrosoft.us");
  assert_string_property (org, "own-application-id", "2129bc45-0fdf-4d29-83f8-64f5181d6851");

  g_assert_cmpstr (ba_organization_get_tenant_id (org), ==, "24aeb3ac-65d3-4105-9723-03820ef1667d");
  g_assert_cmpstr (ba_organization_get_name (org), ==, "Northwind Traders");
  g_assert_cmpint (ba_organization_get_cloud (org), ==, BA_CLOUD_KIND_US_GOV_L4);
  g_assert_cmpint (ba_organization_get_auth_type (org), ==, BA_AUTH_TYPE_MODERN_LEGACY);
  g_assert_cmpint (ba_organization_get_services (org), ==, BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS_CHATS);
  g_assert_cmpstr (ba_organization_get_impersonation_account (org), ==, "northwindtraders.onmicrosoft.us");
  g_assert_cmpstr (ba_organization_get_own_application_id (org), ==, "2129bc45-0fdf-4d29-83f8-64f5181d6851");

  /* The lists are read-only properties holding the same models as the getters. */
  g_object_get (org, "applications", &applications, "accounts", &accounts, NULL);
  g_assert_true (applications == ba_organization_get_applications (org));
  g_assert_true (accounts == ba_organization_get_accounts (org));
  g_assert_true (g_list_model_get_item_type (applications) == BA_TYPE_BACKUP_APPLICATION);
  g_assert_true (g_list_model_get_item_type (accounts) == BA_TYPE_BACKUP_ACCOUNT);
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (org), "applications")->flags & G_PARAM_WRITABLE);
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (org), "accounts")->flags & G_PARAM_WRITABLE);

  g_signal_connect_swapped (org, "notify", G_CALLBACK (count_cb), &count);
  ba_organization_set_services (org, BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS_CHATS);
  ba_organization_set_cloud (org, BA_CLOUD_KIND_US_GOV_L4);
  ba_organization_set_name (org, "Northwind Traders");
  g_assert_cmpuint (count, ==, 0);
  ba_organization_set_name (org, NULL);
  g_assert_cmpuint (count, ==, 1);
  g_assert_null (ba_organization_get_name (org));
}

static void
test_organization_applications (void)
{
  g_autoptr(BaOrganization) org = ba_organization_new (CONTOSO_TENANT, "Contoso");
  g_autoptr(BaBackupApplication) own = ba_backup_application_new (CONTOSO_APP);
  g_autoptr(BaBackupApplication) second = ba_backup_application_new (CONTOSO_APP_2);
  g_autoptr(BaBackupApplication) stranger = ba_backup_application_new ("6360e4a9-ed79-4fd8-a4b3-8415bd822062");
  GListModel *list = ba_organization_get_applications (org);
  g_autoptr(BaBackupApplication) first_item = NULL;
  g_autoptr(BaBackupApplication) second_item = NULL;
  g_autofree char *upper = g_ascii_strup (CONTOSO_APP_2, -1);
  guint items_changed = 0;

  g_signal_connect_swapped (list, "items-changed", G_CALLBACK (count_cb), &items_changed);

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_null (ba_organization_find_application (org, CONTOSO_APP));

  ba_organization_add_application (org, own);
  ba_organization_add_application (org, second);
  g_assert_cmpuint (items_changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  first_item = g_list_model_get_item (list, 0);
  second_item = g_list_model_get_item (list, 1);
  g_assert_true (first_item == own);
  g_assert_true (second_item == second);

  /* GUIDs arrive in either case; the lookup does not care. */
  g_assert_true (ba_organization_find_application (org, CONTOSO_APP) == own);
  g_assert_true (ba_organization_find_application (org, upper) == second);
  g_assert_null (ba_organization_find_application (org, "6360e4a9-ed79-4fd8-a4b3-8415bd822062"));

  g_assert_false (ba_organization_remove_application (org, stranger));
  g_assert_cmpuint (items_changed, ==, 2);
  g_assert_true (ba_organization_remove_application (org, own));
  g_assert_cmpuint (items_changed, ==, 3);
  g_assert_false (ba_organization_remove_application (org, own));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_null (ba_organization_find_application (org, CONTOSO_APP));
  g_assert_true (ba_organization_find_application (org, CONTOSO_APP_2) == second);
}

static void
test_organization_accounts (void)
{
  g_autoptr(BaOrganization) org = ba_organization_new ("c2d5a9d5-4218-46af-9b88-f6deccde3725", "Fabrikam");
  g_autoptr(BaBackupAccount) one = ba_backup_account_new ("backup01@fabrikam.com");
  g_autoptr(BaBackupAccount) two = ba_backup_account_new ("Backup02@Fabrikam.com");
  g_autoptr(BaBackupAccount) stranger = ba_backup_account_new ("someone@fabrikam.com");
  GListModel *list = ba_organization_get_accounts (org);
  guint items_changed = 0;

  g_signal_connect_swapped (list, "items-changed", G_CALLBACK (count_cb), &items_changed);

  ba_organization_add_account (org, one);
  ba_organization_add_account (org, two);
  g_assert_cmpuint (items_changed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);

  /* Entra ID compares user principal names without regard to case. */
  g_assert_true (ba_organization_find_account (org, "BACKUP01@FABRIKAM.COM") == one);
  g_assert_true (ba_organization_find_account (org, "backup02@fabrikam.com") == two);
  g_assert_null (ba_organization_find_account (org, "backup03@fabrikam.com"));

  g_assert_false (ba_organization_remove_account (org, stranger));
  g_assert_true (ba_organization_remove_account (org, one));
  g_assert_cmpuint (items_changed, ==, 3);
  g_assert_null (ba_organization_find_account (org, "backup01@fabrikam.com"));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (org)), ==, 0);
}

static void
test_organization_changed (void)
{
  g_autoptr(BaOrganization) org = ba_organization_new (CONTOSO_TENANT, "Contoso");
  g_autoptr(BaBackupApplication) app = ba_backup_application_new (CONTOSO_APP);
  g_autoptr(BaBackupAccount) account = ba_backup_account_new ("backup01@contoso.com");
  guint changed = 0;

  g_signal_connect_swapped (org, "changed", G_CALLBACK (count_cb), &changed);

  ba_organization_set_name (org, "Contoso Ltd");
  g_assert_cmpuint (changed, ==, 1);
  ba_organization_set_name (org, "Contoso Ltd");
  g_assert_cmpuint (changed, ==, 1);
  ba_organization_set_auth_type (org, BA_AUTH_TYPE_BASIC);
  g_assert_cmpuint (changed, ==, 2);

  ba_organization_add_application (org, app);
  g_assert_cmpuint (changed, ==, 3);
  ba_organization_add_account (org, account);
  g_assert_cmpuint (changed, ==, 4);

  /* A change inside a member is a change of the organization. */
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_FAILED);
  g_assert_cmpuint (changed, ==, 5);
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_FAILED);
  g_assert_cmpuint (changed, ==, 5);
  ba_backup_account_set_has_password (account, TRUE);
  g_assert_cmpuint (changed, ==, 6);

  g_assert_true (ba_organization_remove_application (org, app));
  g_assert_cmpuint (changed, ==, 7);
  g_assert_true (ba_organization_remove_account (org, account));
  g_assert_cmpuint (changed, ==, 8);

  /* Former members no longer reach the organization. */
  ba_backup_application_set_display_name (app, "Gone");
  ba_backup_account_set_group (account, "Gone");
  g_assert_cmpuint (changed, ==, 8);
}

static void
test_organization_member_outlives (void)
{
  g_autoptr(BaBackupApplication) app = ba_backup_application_new (CONTOSO_APP);
  BaOrganization *org = ba_organization_new (CONTOSO_TENANT, "Contoso");

  ba_organization_add_application (org, app);
  g_assert_finalize_object (org);

  /* Must not reach into the finalized organization. */
  ba_backup_application_set_display_name (app, "Still here");
  g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Still here");
}

static void
test_organization_can_manage (void)
{
  g_autoptr(BaOrganization) org = ba_organization_new (CONTOSO_TENANT, "Contoso");

  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  g_assert_true (ba_organization_can_manage_applications (org));
  g_assert_false (ba_organization_can_manage_accounts (org));

  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_LEGACY);
  g_assert_false (ba_organization_can_manage_applications (org));
  g_assert_true (ba_organization_can_manage_accounts (org));

  ba_organization_set_auth_type (org, BA_AUTH_TYPE_BASIC);
  g_assert_false (ba_organization_can_manage_applications (org));
  g_assert_true (ba_organization_can_manage_accounts (org));
}

static void
test_labels (void)
{
  g_assert_cmpstr (ba_auth_type_to_string (BA_AUTH_TYPE_MODERN_APP_ONLY), ==, "Modern authentication (app-only)");
  g_assert_cmpstr (ba_auth_type_to_string (BA_AUTH_TYPE_MODERN_LEGACY), ==, "Modern authentication with legacy protocols");
  g_assert_cmpstr (ba_auth_type_to_string (BA_AUTH_TYPE_BASIC), ==, "Basic authentication");

  g_assert_cmpstr (ba_cloud_kind_to_string (BA_CLOUD_KIND_GLOBAL), ==, "Global");
  g_assert_cmpstr (ba_cloud_kind_to_string (BA_CLOUD_KIND_US_GOV_L4), ==, "US Government L4 (GCC High)");
  g_assert_cmpstr (ba_cloud_kind_to_string (BA_CLOUD_KIND_US_GOV_L5), ==, "US Government L5 (DoD)");
  g_assert_cmpstr (ba_cloud_kind_to_string (BA_CLOUD_KIND_CHINA), ==, "China (operated by 21Vianet)");
}

/* ------------------------------------------------------------------------ */

static void
assert_members (JsonObject         *object,
                const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint i = 0;

  /* Exactly these names, in this order: a contract with admins' scripts. */
  for (const GList *l = members; l != NULL; l = l->next, i++)
    {
      g_assert_nonnull (expected[i]);
      g_assert_cmpstr (l->data, ==, expected[i]);
    }
  g_assert_null (expected[i]);
}

static void
test_serialize_application (void)
{
  static const char * const members[] = {
    "appId", "objectId", "displayName", "certificateThumbprint", "certificateExpiry",
    "origin", "state", "failureReason", "lastVerified", "verificationError",
    "servicePrincipalId", "keyId", "creationTag", NULL
  };
  g_autoptr(BaBackupApplication) app = make_full_application ();
  g_autoptr(BaBackupApplication) copy = NULL;
  g_autoptr(JsonNode) node = ba_backup_application_serialize (app, TRUE);
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(GDateTime) expiry = utc (2027, 3, 1, 9, 30, 0);
  g_autoptr(GDateTime) verified = utc (2026, 11, 20, 7, 45, 12);
  JsonObject *object;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  assert_members (object, members);
  g_assert_cmpstr (json_object_get_string_member (object, "appId"), ==, CONTOSO_APP_2);
  g_assert_cmpstr (json_object_get_string_member (object, "objectId"), ==, "23dd0157-22b9-4d35-9968-775368ba4061");
  g_assert_cmpstr (json_object_get_string_member (object, "displayName"), ==, "Backup Access - Contoso 2");
  g_assert_cmpstr (json_object_get_string_member (object, "certificateThumbprint"), ==, "AB7416095DC66FA26D0CE63E39E891ADEE275DC3");
  g_assert_cmpstr (json_object_get_string_member (object, "certificateExpiry"), ==, "2027-03-01T09:30:00Z");
  g_assert_cmpstr (json_object_get_string_member (object, "origin"), ==, "created");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (object, "failureReason"), ==, "Consent was declined");
  g_assert_cmpstr (json_object_get_string_member (object, "lastVerified"), ==, "2026-11-20T07:45:12Z");
  g_assert_cmpstr (json_object_get_string_member (object, "verificationError"), ==, "AADSTS700027: certificate not valid");

  copy = ba_backup_application_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpstr (ba_backup_application_get_app_id (copy), ==, CONTOSO_APP_2);
  g_assert_cmpstr (ba_backup_application_get_object_id (copy), ==, "23dd0157-22b9-4d35-9968-775368ba4061");
  g_assert_cmpstr (ba_backup_application_get_display_name (copy), ==, "Backup Access - Contoso 2");
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (copy), ==, "AB7416095DC66FA26D0CE63E39E891ADEE275DC3");
  g_assert_true (g_date_time_equal (ba_backup_application_get_certificate_expiry (copy), expiry));
  g_assert_cmpint (ba_backup_application_get_origin (copy), ==, BA_APPLICATION_ORIGIN_CREATED);
  g_assert_cmpint (ba_backup_application_get_state (copy), ==, BA_PROVISIONING_STATE_FAILED);
  g_assert_cmpstr (ba_backup_application_get_failure_reason (copy), ==, "Consent was declined");
  g_assert_true (g_date_time_equal (ba_backup_application_get_last_verified (copy), verified));
  g_assert_cmpstr (ba_backup_application_get_verification_error (copy), ==, "AADSTS700027: certificate not valid");

  again = ba_backup_application_serialize (copy, TRUE);
  text = to_string (node);
  text_again = to_string (again);
  g_assert_cmpstr (text, ==, text_again);
}

/* The provisioning journal: an application recorded before Graph gave it an
 * appId, by its creation tag, and the ids of the later steps, survive the
 * trip, together with members of a newer version. */
static void
test_serialize_application_journal (void)
{
  g_autoptr(JsonNode) node = parse ("{ \"appId\": null, \"state\": \"creating\","
                                    "  \"origin\": \"created\", \"displayName\": \"Pool\","
                                    "  \"creationTag\": \"ba-create-0123456789abcdef\","
                                    "  \"futureMember\": [ 1, 2 ] }");
  g_autoptr(JsonNode) missing = parse ("{ \"state\": \"service-principal-created\" }");
  g_autoptr(BaBackupApplication) copy = NULL;
  g_autoptr(BaBackupApplication) again = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  copy = ba_backup_application_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_null (ba_backup_application_get_app_id (copy));
  g_assert_cmpint (ba_backup_application_get_state (copy), ==, BA_PROVISIONING_STATE_CREATING);
  g_assert_cmpstr (ba_backup_application_get_creation_tag (copy), ==, "ba-create-0123456789abcdef");

  ba_backup_application_set_app_id (copy, CONTOSO_APP);
  ba_backup_application_set_service_principal_id (copy, "6b1d4f0a-5e35-4a55-9f53-3b0a8e0c3a11");
  ba_backup_application_set_key_id (copy, "0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a");
  ba_backup_application_set_state (copy, BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED);
  written = ba_backup_application_serialize (copy, TRUE);
  object = json_node_get_object (written);
  g_assert_cmpstr (json_object_get_string_member (object, "servicePrincipalId"), ==, "6b1d4f0a-5e35-4a55-9f53-3b0a8e0c3a11");
  g_assert_cmpstr (json_object_get_string_member (object, "keyId"), ==, "0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a");
  g_assert_cmpstr (json_object_get_string_member (object, "creationTag"), ==, "ba-create-0123456789abcdef");
  g_assert_true (json_object_has_member (object, "futureMember"));

  again = ba_backup_application_deserialize (written, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_backup_application_get_service_principal_id (again), ==, "6b1d4f0a-5e35-4a55-9f53-3b0a8e0c3a11");
  g_assert_cmpstr (ba_backup_application_get_key_id (again), ==, "0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a");
  g_assert_cmpstr (ba_backup_application_get_creation_tag (again), ==, "ba-create-0123456789abcdef");

  /* Only an application being created may lack its appId. */
  g_clear_object (&copy);
  copy = ba_backup_application_deserialize (missing, &error);
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_null (copy);
}

static void
test_serialize_application_enums (void)
{
  g_autoptr(GEnumClass) origins = g_type_class_ref (BA_TYPE_APPLICATION_ORIGIN);
  g_autoptr(GEnumClass) states = g_type_class_ref (BA_TYPE_PROVISIONING_STATE);

  /* Every value survives the trip, by its nick. */
  for (guint i = 0; i < origins->n_values; i++)
    for (guint j = 0; j < states->n_values; j++)
      {
        g_autoptr(BaBackupApplication) app = ba_backup_application_new (CONTOSO_APP);
        g_autoptr(BaBackupApplication) copy = NULL;
        g_autoptr(JsonNode) node = NULL;
        g_autoptr(GError) error = NULL;
        JsonObject *object;

        ba_backup_application_set_origin (app, origins->values[i].value);
        ba_backup_application_set_state (app, states->values[j].value);
        node = ba_backup_application_serialize (app, FALSE);
        object = json_node_get_object (node);
        g_assert_cmpstr (json_object_get_string_member (object, "origin"), ==, origins->values[i].value_nick);
        g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, states->values[j].value_nick);

        copy = ba_backup_application_deserialize (node, &error);
        g_assert_no_error (error);
        g_assert_cmpint (ba_backup_application_get_origin (copy), ==, origins->values[i].value);
        g_assert_cmpint (ba_backup_application_get_state (copy), ==, states->values[j].value);
      }
}

static void
test_serialize_account (void)
{
  static const char * const members[] = {
    "userPrincipalName", "objectId", "group", "groupId", "hasPassword", NULL
  };
  g_autoptr(BaBackupAccount) account = make_full_account ();
  g_autoptr(BaBackupAccount) copy = NULL;
  g_autoptr(JsonNode) node = ba_backup_account_serialize (account, TRUE);
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  JsonObject *object = json_node_get_object (node);

  assert_members (object, members);
  g_assert_cmpstr (json_object_get_string_member (object, "userPrincipalName"), ==, "backup01@fabrikam.partner.onmschina.cn");
  g_assert_cmpstr (json_object_get_string_member (object, "objectId"), ==, "4b0b9e6f-3e74-4dfb-9da4-65a044cec459");
  g_assert_cmpstr (json_object_get_string_member (object, "group"), ==, "Backup Accounts");
  g_assert_cmpstr (json_object_get_string_member (object, "groupId"), ==, "12b5be64-500a-4810-b2e0-460d076b8fc6");
  g_assert_true (json_object_get_boolean_member (object, "hasPassword"));

  copy = ba_backup_account_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_backup_account_get_user_principal_name (copy), ==, "backup01@fabrikam.partner.onmschina.cn");
  g_assert_cmpstr (ba_backup_account_get_object_id (copy), ==, "4b0b9e6f-3e74-4dfb-9da4-65a044cec459");
  g_assert_cmpstr (ba_backup_account_get_group (copy), ==, "Backup Accounts");
  g_assert_cmpstr (ba_backup_account_get_group_id (copy), ==, "12b5be64-500a-4810-b2e0-460d076b8fc6");
  g_assert_true (ba_backup_account_get_has_password (copy));

  again = ba_backup_account_serialize (copy, TRUE);
  text = to_string (node);
  text_again = to_string (again);
  g_assert_cmpstr (text, ==, text_again);
}

static void
test_serialize_organization (void)
{
  static const char * const members[] = {
    "tenantId", "name", "cloud", "authType", "services", "impersonationAccount",
    "ownApplicationId", "applications", "accounts", NULL
  };
  g_autoptr(BaOrganization) org = ba_organization_new ("24aeb3ac-65d3-4105-9723-03820ef1667d", "Northwind Traders");
  g_autoptr(BaBackupApplication) app = make_full_application ();
  g_autoptr(BaBackupApplication) own = ba_backup_application_new (CONTOSO_APP);
  g_autoptr(BaBackupAccount) account = make_full_account ();
  g_autoptr(BaOrganization) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(BaBackupApplication) copy_app = NULL;
  g_autoptr(BaBackupAccount) copy_account = NULL;
  JsonObject *object;
  JsonArray *services;

  ba_backup_application_set_origin (own, BA_APPLICATION_ORIGIN_ORGANIZATION);
  ba_organization_set_cloud (org, BA_CLOUD_KIND_US_GOV_L4);
  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_LEGACY);
  ba_organization_set_services (org, BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS | BA_SERVICE_TEAMS_CHATS);
  ba_organization_set_impersonation_account (org, "backupadmin@northwindtraders.onmicrosoft.us");
  ba_organization_set_own_application_id (org, CONTOSO_APP);
  ba_organization_add_application (org, own);
  ba_organization_add_application (org, app);
  ba_organization_add_account (org, account);

  node = ba_organization_serialize (org, TRUE);
  object = json_node_get_object (node);
  assert_members (object, members);
  g_assert_cmpstr (json_object_get_string_member (object, "tenantId"), ==, "24aeb3ac-65d3-4105-9723-03820ef1667d");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Northwind Traders");
  g_assert_cmpstr (json_object_get_string_member (object, "cloud"), ==, "us-government-l4");
  g_assert_cmpstr (json_object_get_string_member (object, "authType"), ==, "modern-legacy-protocols");
  services = json_object_get_array_member (object, "services");
  g_assert_cmpuint (json_array_get_length (services), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (services, 0), ==, "exchange-online");
  g_assert_cmpstr (json_array_get_string_element (services, 1), ==, "sharepoint-online");
  g_assert_cmpstr (json_array_get_string_element (services, 2), ==, "teams");
  g_assert_cmpstr (json_array_get_string_element (services, 3), ==, "teams-chats");
  g_assert_cmpstr (json_object_get_string_member (object, "impersonationAccount"), ==, "backupadmin@northwindtraders.onmicrosoft.us");
  g_assert_cmpstr (json_object_get_string_member (object, "ownApplicationId"), ==, CONTOSO_APP);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "applications")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "accounts")), ==, 1);

  copy = ba_organization_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_organization_get_tenant_id (copy), ==, "24aeb3ac-65d3-4105-9723-03820ef1667d");
  g_assert_cmpstr (ba_organization_get_name (copy), ==, "Northwind Traders");
  g_assert_cmpint (ba_organization_get_cloud (copy), ==, BA_CLOUD_KIND_US_GOV_L4);
  g_assert_cmpint (ba_organization_get_auth_type (copy), ==, BA_AUTH_TYPE_MODERN_LEGACY);
  g_assert_cmpint (ba_organization_get_services (copy), ==,
                   BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS | BA_SERVICE_TEAMS_CHATS);
  g_assert_cmpstr (ba_organization_get_impersonation_account (copy), ==, "backupadmin@northwindtraders.onmicrosoft.us");
  g_assert_cmpstr (ba_organization_get_own_application_id (copy), ==, CONTOSO_APP);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (copy)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_accounts (copy)), ==, 1);

  /* Members come back in order, each with every field. */
  copy_app = g_list_model_get_item (ba_organization_get_applications (copy), 1);
  g_assert_cmpstr (ba_backup_application_get_app_id (copy_app), ==, CONTOSO_APP_2);
  g_assert_cmpint (ba_backup_application_get_state (copy_app), ==, BA_PROVISIONING_STATE_FAILED);
  g_assert_cmpint (ba_backup_application_get_origin (ba_organization_find_application (copy, CONTOSO_APP)), ==,
                   BA_APPLICATION_ORIGIN_ORGANIZATION);
  copy_account = g_list_model_get_item (ba_organization_get_accounts (copy), 0);
  g_assert_true (ba_backup_account_get_has_password (copy_account));

  again = ba_organization_serialize (copy, TRUE);
  text = to_string (node);
  text_again = to_string (again);
  g_assert_cmpstr (text, ==, text_again);

  /* Members deserialized into the copy still report changes through it. */
  {
    guint changed = 0;

    g_signal_connect_swapped (copy, "changed", G_CALLBACK (count_cb), &changed);
    ba_backup_application_set_display_name (copy_app, "Renamed");
    g_assert_cmpuint (changed, ==, 1);
  }
}

static void
test_serialize_nulls (void)
{
  g_autoptr(JsonNode) node = parse ("{ \"tenantId\": \"" CONTOSO_TENANT "\","
                                    "  \"name\": null,"
                                    "  \"applications\": [ { \"appId\": \"" CONTOSO_APP "\","
                                    "                        \"certificateExpiry\": null,"
                                    "                        \"verificationError\": null } ],"
                                    "  \"accounts\": [ { \"userPrincipalName\": \"a@contoso.com\","
                                    "                    \"group\": null } ] }");
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaBackupAccount) account = NULL;
  BaBackupApplication *app;
  JsonObject *object;
  JsonObject *app_object;

  org = ba_organization_deserialize (node, &error);
  g_assert_no_error (error);

  /* Null and absent both mean "not set". */
  g_assert_null (ba_organization_get_name (org));
  g_assert_null (ba_organization_get_impersonation_account (org));
  g_assert_null (ba_organization_get_own_application_id (org));
  g_assert_cmpint (ba_organization_get_cloud (org), ==, BA_CLOUD_KIND_GLOBAL);
  g_assert_cmpint (ba_organization_get_auth_type (org), ==, BA_AUTH_TYPE_MODERN_APP_ONLY);
  g_assert_cmpint (ba_organization_get_services (org), ==, BA_SERVICE_NONE);

  app = ba_organization_find_application (org, CONTOSO_APP);
  g_assert_nonnull (app);
  g_assert_null (ba_backup_application_get_object_id (app));
  g_assert_null (ba_backup_application_get_certificate_expiry (app));
  g_assert_null (ba_backup_application_get_last_verified (app));
  g_assert_null (ba_backup_application_get_verification_error (app));
  g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ADDED);

  account = g_list_model_get_item (ba_organization_get_accounts (org), 0);
  g_assert_null (ba_backup_account_get_group (account));
  g_assert_false (ba_backup_account_get_has_password (account));

  /* Written back, every member is there, the unset ones as null. */
  out = ba_organization_serialize (org, TRUE);
  object = json_node_get_object (out);
  g_assert_true (json_object_has_member (object, "name"));
  g_assert_true (json_object_get_null_member (object, "name"));
  g_assert_true (json_object_get_null_member (object, "ownApplicationId"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "services")), ==, 0);
  app_object = json_array_get_object_element (json_object_get_array_member (object, "applications"), 0);
  g_assert_true (json_object_get_null_member (app_object, "certificateExpiry"));
  g_assert_true (json_object_get_null_member (app_object, "lastVerified"));
  g_assert_true (json_object_get_null_member (app_object, "objectId"));
}

static void
test_serialize_date_time_zone (void)
{
  g_autoptr(JsonNode) node = parse ("{ \"appId\": \"" CONTOSO_APP "\","
                                    "  \"certificateExpiry\": \"2027-03-01T11:30:00+02:00\" }");
  g_autoptr(BaBackupApplication) app = NULL;
  g_autoptr(JsonNode) out = NULL;
  g_autoptr(GDateTime) expected = utc (2027, 3, 1, 9, 30, 0);
  g_autoptr(GError) error = NULL;

  /* Any zone is read; UTC is written. */
  app = ba_backup_application_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_true (g_date_time_equal (ba_backup_application_get_certificate_expiry (app), expected));

  out = ba_backup_application_serialize (app, FALSE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (out), "certificateExpiry"), ==,
                   "2027-03-01T09:30:00Z");
}

static void
test_serialize_unknown_members (void)
{
  g_autoptr(JsonNode) node = parse ("{ \"tenantId\": \"" CONTOSO_TENANT "\","
                                    "  \"backupRepository\": { \"id\": 7, \"tags\": [\"a\", \"b\"] },"
                                    "  \"applications\": [ { \"appId\": \"" CONTOSO_APP "\","
                                    "                        \"federatedCredential\": \"fc-1\" } ],"
                                    "  \"accounts\": [ { \"userPrincipalName\": \"a@contoso.com\","
                                    "                    \"mfa\": { \"enforced\": true } } ],"
                                    "  \"futureFlag\": null }");
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(JsonNode) kept = NULL;
  g_autoptr(JsonNode) dropped = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonObject *app_object;
  JsonObject *account_object;
  JsonObject *repository;

  org = ba_organization_deserialize (node, &error);
  g_assert_no_error (error);

  kept = ba_organization_serialize (org, TRUE);
  object = json_node_get_object (kept);
  repository = json_object_get_object_member (object, "backupRepository");
  g_assert_nonnull (repository);
  g_assert_cmpint (json_object_get_int_member (repository, "id"), ==, 7);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (repository, "tags"), 1), ==, "b");
  g_assert_true (json_object_has_member (object, "futureFlag"));
  g_assert_true (json_object_get_null_member (object, "futureFlag"));
  app_object = json_array_get_object_element (json_object_get_array_member (object, "applications"), 0);
  g_assert_cmpstr (json_object_get_string_member (app_object, "federatedCredential"), ==, "fc-1");
  account_object = json_array_get_object_element (json_object_get_array_member (object, "accounts"), 0);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (account_object, "mfa"), "enforced"));

  /* --json output shows only what this version defines. */
  dropped = ba_organization_serialize (org, FALSE);
  object = json_node_get_object (dropped);
  g_assert_false (json_object_has_member (object, "backupRepository"));
  g_assert_false (json_object_has_member (object, "futureFlag"));
  app_object = json_array_get_object_element (json_object_get_array_member (object, "applications"), 0);
  g_assert_false (json_object_has_member (app_object, "federatedCredential"));
  account_object = json_array_get_object_element (json_object_get_array_member (object, "accounts"), 0);
  g_assert_false (json_object_has_member (account_object, "mfa"));
  g_assert_true (json_object_has_member (account_object, "hasPassword"));
}

/* The record of deleted applications: read back as written, kept by a
 * version that has it, absent from files that never had one, and refused
 * without the time of the deletion. */
static void
test_serialize_deleted_applications (void)
{
  g_autoptr(JsonNode) node = parse ("{ \"tenantId\": \"" CONTOSO_TENANT "\","
                                    "  \"deletedApplications\": [ { \"appId\": \"" CONTOSO_APP "\","
                                    "      \"objectId\": \"5b0f1a3c-3c79-4b8e-9a55-0e0a1b7a2c11\","
                                    "      \"displayName\": \"Pool\","
                                    "      \"deletedAt\": \"2026-11-20T08:00:00Z\","
                                    "      \"restoredBy\": \"later version\" } ] }");
  g_autoptr(JsonNode) broken = parse ("{ \"tenantId\": \"" CONTOSO_TENANT "\","
                                      "  \"deletedApplications\": [ { \"appId\": \"" CONTOSO_APP "\" } ] }");
  g_autoptr(JsonNode) plain = parse ("{ \"tenantId\": \"" CONTOSO_TENANT "\" }");
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(BaOrganization) none = NULL;
  g_autoptr(BaOrganization) refused = NULL;
  g_autoptr(BaDeletedApplication) record = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autoptr(JsonNode) kept = NULL;
  g_autoptr(JsonNode) plain_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *until_text = NULL;
  JsonObject *written;

  org = ba_organization_deserialize (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (org)), ==, 1);
  record = g_list_model_get_item (ba_organization_get_deleted_applications (org), 0);
  g_assert_cmpstr (ba_deleted_application_get_app_id (record), ==, CONTOSO_APP);
  g_assert_cmpstr (ba_deleted_application_get_object_id (record), ==, "5b0f1a3c-3c79-4b8e-9a55-0e0a1b7a2c11");
  g_assert_cmpstr (ba_deleted_application_get_display_name (record), ==, "Pool");
  until = ba_deleted_application_dup_restorable_until (record);
  until_text = g_date_time_format_iso8601 (until);
  g_assert_cmpstr (until_text, ==, "2026-12-20T08:00:00Z");

  kept = ba_organization_serialize (org, TRUE);
  written = json_array_get_object_element (json_object_get_array_member (json_node_get_object (kept), "deletedApplications"), 0);
  g_assert_cmpstr (json_object_get_string_member (written, "deletedAt"), ==, "2026-11-20T08:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (written, "restoredBy"), ==, "later version");

  /* A file without any keeps its shape. */
  none = ba_organization_deserialize (plain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (none)), ==, 0);
  plain_out = ba_organization_serialize (none, TRUE);
  g_assert_false (json_object_has_member (json_node_get_object (plain_out), "deletedApplications"));

  refused = ba_organization_deserialize (broken, &error);
  g_assert_null (refused);
  g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "deleted application 1"));
  g_assert_nonnull (strstr (error->message, "deletedAt"));
}

typedef struct
{
  const char *json;
  const char *member;
} WrongCase;

#define T "\"tenantId\": \"" CONTOSO_TENANT "\""
#define APP(x) "{ " T ", \"applications\": [ { \"appId\": \"" CONTOSO_APP "\", " x " } ] }"
#define ACC(x) "{ " T ", \"accounts\": [ { \"userPrincipalName\": \"a@contoso.com\", " x " } ] }"

static const WrongCase wrong_cases[] = {
  { "{ }", "tenantId" },
  { "{ \"tenantId\": null }", "tenantId" },
  { "{ \"tenantId\": 42 }", "tenantId" },
  { "{ \"tenantId\": \"\" }", "tenantId" },
  { "{ \"tenantId\": [\"" CONTOSO_TENANT "\"] }", "tenantId" },
  { "{ " T ", \"name\": true }", "name" },
  { "{ " T ", \"cloud\": \"mars\" }", "cloud" },
  { "{ " T ", \"cloud\": 0 }", "cloud" },
  { "{ " T ", \"authType\": \"kerberos\" }", "authType" },
  { "{ " T ", \"authType\": 1 }", "authType" },
  { "{ " T ", \"services\": \"exchange-online\" }", "services" },
  { "{ " T ", \"services\": { \"exchange-online\": true } }", "services" },
  { "{ " T ", \"services\": [\"exchange-online\", 3] }", "services" },
  { "{ " T ", \"services\": [\"pop3\"] }", "services" },
  { "{ " T ", \"impersonationAccount\": [] }", "impersonationAccount" },
  { "{ " T ", \"ownApplicationId\": {} }", "ownApplicationId" },
  { "{ " T ", \"applications\": {} }", "applications" },
  { "{ " T ", \"applications\": [ \"" CONTOSO_APP "\" ] }", "application 1" },
  { "{ " T ", \"accounts\": \"none\" }", "accounts" },
  { "{ " T ", \"accounts\": [ 1 ] }", "account 1" },
  { "{ " T ", \"applications\": [ { } ] }", "appId" },
  { "{ " T ", \"applications\": [ { \"appId\": 1 } ] }", "appId" },
  { APP ("\"objectId\": 1"), "objectId" },
  { APP ("\"displayName\": false"), "displayName" },
  { APP ("\"certificateThumbprint\": 3.5"), "certificateThumbprint" },
  { APP ("\"certificateExpiry\": \"next tuesday\""), "certificateExpiry" },
  { APP ("\"certificateExpiry\": \"2027-03-01T09:30:00\""), "certificateExpiry" },
  { APP ("\"certificateExpiry\": 1800000000"), "certificateExpiry" },
  { APP ("\"origin\": \"stolen\""), "origin" },
  { APP ("\"state\": 3"), "state" },
  { APP ("\"failureReason\": {}"), "failureReason" },
  { APP ("\"lastVerified\": true"), "lastVerified" },
  { APP ("\"verificationError\": false"), "verificationError" },
  { "{ " T ", \"accounts\": [ { \"userPrincipalName\": null } ] }", "userPrincipalName" },
  { ACC ("\"objectId\": 5"), "objectId" },
  { ACC ("\"group\": []"), "group" },
  { ACC ("\"groupId\": 2"), "groupId" },
  { ACC ("\"hasPassword\": \"yes\""), "hasPassword" },
  { ACC ("\"hasPassword\": 1"), "hasPassword" },
};

#undef T
#undef APP
#undef ACC

static void
test_serialize_wrong_types (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (wrong_cases); i++)
    {
      g_autoptr(JsonNode) node = parse (wrong_cases[i].json);
      g_autoptr(BaOrganization) org = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, wrong_cases[i].json);
      org = ba_organization_deserialize (node, &error);
      g_assert_null (org);
      g_assert_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
      g_test_message ("message: %s", error->message);
      g_assert_nonnull (strstr (error->message, wrong_cases[i].member));
    }
}

static void
test_serialize_not_objects (void)
{
  static const char * const cases[] = { "[]", "\"Contoso\"", "42", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i]);
      g_autoptr(GError) org_error = NULL;
      g_autoptr(GError) app_error = NULL;
      g_autoptr(GError) account_error = NULL;

      g_assert_null (ba_organization_deserialize (node, &org_error));
      g_assert_error (org_error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
      g_assert_null (ba_backup_application_deserialize (node, &app_error));
      g_assert_error (app_error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
      g_assert_null (ba_backup_account_deserialize (node, &account_error));
      g_assert_error (account_error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/model/application/defaults", test_application_defaults);
  g_test_add_func ("/ba/model/application/properties", test_application_properties);
  g_test_add_func ("/ba/model/account/properties", test_account_properties);
  g_test_add_func ("/ba/model/organization/properties", test_organization_properties);
  g_test_add_func ("/ba/model/organization/applications", test_organization_applications);
  g_test_add_func ("/ba/model/organization/accounts", test_organization_accounts);
  g_test_add_func ("/ba/model/organization/changed", test_organization_changed);
  g_test_add_func ("/ba/model/organization/member-outlives", test_organization_member_outlives);
  g_test_add_func ("/ba/model/organization/can-manage", test_organization_can_manage);
  g_test_add_func ("/ba/model/labels", test_labels);
  g_test_add_func ("/ba/model/serialize/application", test_serialize_application);
  g_test_add_func ("/ba/model/serialize/application-enums", test_serialize_application_enums);
  g_test_add_func ("/ba/model/serialize/application-journal", test_serialize_application_journal);
  g_test_add_func ("/ba/model/serialize/account", test_serialize_account);
  g_test_add_func ("/ba/model/serialize/organization", test_serialize_organization);
  g_test_add_func ("/ba/model/serialize/nulls", test_serialize_nulls);
  g_test_add_func ("/ba/model/serialize/date-time-zone", test_serialize_date_time_zone);
  g_test_add_func ("/ba/model/serialize/unknown-members", test_serialize_unknown_members);
  g_test_add_func ("/ba/model/serialize/deleted-applications", test_serialize_deleted_applications);
  g_test_add_func ("/ba/model/serialize/wrong-types", test_serialize_wrong_types);
  g_test_add_func ("/ba/model/serialize/not-objects", test_serialize_not_objects);

  return g_test_run ();
}
