/* test-cloud.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-cloud.h"
#include "ba-identifiers.h"

static void
test_cloud_defaults (void)
{
  static const struct {
    BaCloudKind kind;
    const char *nick;
    const char *authority;
    const char *graph;
  } clouds[] = {
    { BA_CLOUD_KIND_GLOBAL, "global", "https://login.microsoftonline.com", "https://graph.microsoft.com" },
    { BA_CLOUD_KIND_US_GOV_L4, "us-government-l4", "https://login.microsoftonline.us", "https://graph.microsoft.us" },
    { BA_CLOUD_KIND_US_GOV_L5, "us-government-l5", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us" },
    { BA_CLOUD_KIND_CHINA, "china", "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (clouds); i++)
    {
      g_autoptr(BaCloud) cloud = ba_cloud_new (clouds[i].kind);
      BaCloudKind parsed = -1;

      g_assert_cmpint (ba_cloud_get_kind (cloud), ==, clouds[i].kind);
      g_assert_cmpstr (ba_cloud_get_authority_url (cloud), ==, clouds[i].authority);
      g_assert_cmpstr (ba_cloud_get_graph_url (cloud), ==, clouds[i].graph);
      g_assert_true (g_str_has_prefix (ba_cloud_get_device_login_url (cloud), "https://"));
      g_assert_false (ba_cloud_get_authority_overridden (cloud));
      g_assert_false (ba_cloud_get_graph_overridden (cloud));
      g_assert_cmpstr (ba_cloud_kind_to_nick (clouds[i].kind), ==, clouds[i].nick);
      g_assert_true (ba_cloud_kind_from_nick (clouds[i].nick, &parsed));
      g_assert_cmpint (parsed, ==, clouds[i].kind);
    }
}

static void
test_cloud_nick_unknown (void)
{
  BaCloudKind kind = BA_CLOUD_KIND_CHINA;

  g_assert_false (ba_cloud_kind_from_nick ("germany", &kind));
  g_assert_false (ba_cloud_kind_from_nick (NULL, &kind));
  g_assert_cmpint (kind, ==, BA_CLOUD_KIND_CHINA);
}

static void
test_cloud_normalize (void)
{
  static const struct {
    const char *input;
    const char *expected;
    int code;
  } cases[] = {
    { "https://login.example.com", "https://login.example.com", -1 },
    { "  https://login.example.com/tenant/  ", "https://login.example.com/tenant", -1 },
    { "https://graph.example.com:8443///", "https://graph.example.com:8443", -1 },
    { "http://127.0.0.1:4567", "http://127.0.0.1:4567", -1 },
    { "http://127.1.2.3", "http://127.1.2.3", -1 },
    { "http://localhost:80/", "http://localhost:80", -1 },
    { "http://[::1]:9000", "http://[::1]:9000", -1 },
    { "http://graph.example.com", NULL, BA_CLOUD_ERROR_INSECURE_URL },
    { "http://10.0.0.1", NULL, BA_CLOUD_ERROR_INSECURE_URL },
    { "http://localhost.example.com", NULL, BA_CLOUD_ERROR_INSECURE_URL },
    { "ftp://example.com", NULL, BA_CLOUD_ERROR_INVALID_URL },
    { "graph.example.com", NULL, BA_CLOUD_ERROR_INVALID_URL },
    { "https://", NULL, BA_CLOUD_ERROR_INVALID_URL },
    { "https://user:secret@example.com", NULL, BA_CLOUD_ERROR_INVALID_URL },
    { "https://example.com/?x=1", NULL, BA_CLOUD_ERROR_INVALID_URL },
    { "not a url at all", NULL, BA_CLOUD_ERROR_INVALID_URL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *result = ba_cloud_normalize_endpoint (cases[i].input, &error);

      g_test_message ("endpoint “%s”", cases[i].input);
      if (cases[i].expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, cases[i].expected);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, BA_CLOUD_ERROR, cases[i].code);
          g_assert_nonnull (error->message);
        }
    }
}

static void
test_cloud_settings_overrides (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing set: the cloud's own endpoints. */
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_US_GOV_L4, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_cloud_get_graph_url (cloud), ==, "https://graph.microsoft.us");
  g_clear_object (&cloud);

  g_settings_set_string (settings, "authority-url", "https://proxy.example.com/login/");
  g_settings_set_string (settings, "graph-url", "http://127.0.0.1:1234");
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_cloud_get_authority_url (cloud), ==, "https://proxy.example.com/login");
  g_assert_cmpstr (ba_cloud_get_graph_url (cloud), ==, "http://127.0.0.1:1234");
  g_assert_true (ba_cloud_get_authority_overridden (cloud));
  g_assert_true (ba_cloud_get_graph_overridden (cloud));
  g_clear_object (&cloud);

  /* The environment wins over the settings. */
  g_setenv ("BA_GRAPH_URL", "http://localhost:9999/", TRUE);
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_cloud_get_graph_url (cloud), ==, "http://localhost:9999");
  g_assert_cmpstr (ba_cloud_get_authority_url (cloud), ==, "https://proxy.example.com/login");
  g_clear_object (&cloud);

  /* An insecure override is refused, never silently used. */
  g_setenv ("BA_AUTHORITY_URL", "http://login.example.com", TRUE);
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, settings, &error);
  g_assert_error (error, BA_CLOUD_ERROR, BA_CLOUD_ERROR_INSECURE_URL);
  g_assert_null (cloud);

  g_unsetenv ("BA_AUTHORITY_URL");
  g_unsetenv ("BA_GRAPH_URL");
  g_settings_reset (settings, "authority-url");
  g_settings_reset (settings, "graph-url");
}

static void
test_identifier_guid (void)
{
  g_assert_true (ba_identifier_is_guid ("14d82eec-204b-4c2f-b7e8-296a70dab67e"));
  g_assert_true (ba_identifier_is_guid ("14D82EEC-204B-4C2F-B7E8-296A70DAB67E"));
  g_assert_false (ba_identifier_is_guid (NULL));
  g_assert_false (ba_identifier_is_guid (""));
  g_assert_false (ba_identifier_is_guid ("{14d82eec-204b-4c2f-b7e8-296a70dab67e}"));
  g_assert_false (ba_identifier_is_guid ("14d82eec-204b-4c2f-b7e8-296a70dab67e "));
  g_assert_false (ba_identifier_is_guid ("14d82eec204b4c2fb7e8296a70dab67e"));
  g_assert_false (ba_identifier_is_guid ("14d82eec-204b-4c2f-b7e8-296a70dab67"));
  g_assert_false (ba_identifier_is_guid ("14d82eec-204b-4c2f-b7e8-296a70dab67ee"));
  g_assert_false (ba_identifier_is_guid ("g4d82eec-204b-4c2f-b7e8-296a70dab67e"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/cloud/defaults", test_cloud_defaults);
  g_test_add_func ("/ba/cloud/nick-unknown", test_cloud_nick_unknown);
  g_test_add_func ("/ba/cloud/normalize", test_cloud_normalize);
  g_test_add_func ("/ba/cloud/settings-overrides", test_cloud_settings_overrides);
  g_test_add_func ("/ba/identifiers/guid", test_identifier_guid);

  return g_test_run ();
}
