/* test-cli.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <json-glib/json-glib.h>

#include "ba-test-cli.h"
#include "ba-test-utils.h"

/* These run the installed-to-be program itself, as an admin's script would,
 * against a configuration in the test's private XDG directories. */

#define run_cli(...) ba_test_cli_run (NULL, __VA_ARGS__)

static void
test_cli_version (void)
{
  g_autoptr(BaTestCliResult) r = run_cli ("--version", NULL);

  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "backup-access-cli " PACKAGE_VERSION "\n");
  g_assert_cmpstr (r->err, ==, "");
}

static void
test_cli_help (void)
{
  g_autoptr(BaTestCliResult) r = run_cli ("--help", NULL);
  g_autoptr(BaTestCliResult) list_help = run_cli ("organization", "list", "--help", NULL);

  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "organization list"));
  g_assert_nonnull (strstr (r->out, "--version"));

  g_assert_cmpint (list_help->status, ==, 0);
  g_assert_nonnull (strstr (list_help->out, "--json"));
  g_assert_nonnull (strstr (list_help->out, "backup-access-cli organization list"));
}

static void
test_cli_usage_errors (void)
{
  /* The arguments, then what the message must name. */
  static const char *cases[][4] = {
    { NULL, NULL, NULL, "Usage:" },
    { "frobnicate", NULL, NULL, "frobnicate" },
    { "--frobnicate", NULL, NULL, "--frobnicate" },
    { "organization", NULL, NULL, "organization list" },
    { "organization", "frobnicate", NULL, "organization frobnicate" },
    { "organization", "remove", NULL, "Missing TENANT." },
    { "organization", "list", "--bogus", "--bogus" },
    { "organization", "list", "extra", "extra" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BaTestCliResult) r = run_cli (cases[i][0], cases[i][1], cases[i][2], NULL);

      g_test_message ("case %u: %s %s %s", i, cases[i][0], cases[i][1], cases[i][2]);
      g_assert_cmpint (r->status, ==, 2);
      g_assert_cmpstr (r->out, ==, "");
      g_assert_nonnull (strstr (r->err, cases[i][3]));
    }
}

static JsonObject *
fixture_organization (JsonNode *fixture,
                      guint     index)
{
  JsonObject *root = json_node_get_object (fixture);
  JsonArray *orgs = json_object_get_array_member (root, "organizations");

  return json_array_get_object_element (orgs, index);
}

static void
test_cli_list_plain (void)
{
  g_autofree char *fixture_path = ba_test_fixture_path ("organizations.json");
  g_autoptr(JsonNode) fixture = NULL;
  g_autoptr(BaTestCliResult) r = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_autofree char *contents = NULL;

  g_file_get_contents (fixture_path, &contents, NULL, &error);
  g_assert_no_error (error);
  fixture = json_from_string (contents, &error);
  g_assert_no_error (error);

  ba_test_install_fixture ("organizations.json");
  r = run_cli ("organization", "list", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");

  lines = g_strsplit (r->out, "\n", -1);
  /* A header, three organizations, and the final newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "NAME"));
  g_assert_nonnull (strstr (lines[0], "TENANT ID"));
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *org = fixture_organization (fixture, i);

      g_assert_true (g_str_has_prefix (lines[i + 1], json_object_get_string_member (org, "name")));
      g_assert_nonnull (strstr (lines[i + 1], json_object_get_string_member (org, "tenantId")));
    }
  g_assert_nonnull (strstr (r->out, "Basic authentication"));
  g_assert_nonnull (strstr (r->out, "US Government L4"));
  g_assert_cmpstr (lines[4], ==, "");
}

static void
test_cli_list_json (void)
{
  g_autofree char *fixture_path = ba_test_fixture_path ("organizations.json");
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) fixture = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *orgs;

  g_file_get_contents (fixture_path, &contents, NULL, &error);
  g_assert_no_error (error);
  fixture = json_from_string (contents, &error);
  g_assert_no_error (error);

  ba_test_install_fixture ("organizations.json");
  r = run_cli ("organization", "list", "--json", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");

  output = json_from_string (r->out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
  orgs = json_object_get_array_member (json_node_get_object (output), "organizations");
  g_assert_nonnull (orgs);
  g_assert_cmpuint (json_array_get_length (orgs), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *expected = fixture_organization (fixture, i);
      JsonObject *org = json_array_get_object_element (orgs, i);
      JsonArray *apps = json_object_get_array_member (org, "applications");
      JsonArray *expected_apps = json_object_get_array_member (expected, "applications");

      g_assert_cmpstr (json_object_get_string_member (org, "tenantId"), ==,
                       json_object_get_string_member (expected, "tenantId"));
      g_assert_cmpstr (json_object_get_string_member (org, "name"), ==,
                       json_object_get_string_member (expected, "name"));
      g_assert_cmpstr (json_object_get_string_member (org, "authType"), ==,
                       json_object_get_string_member (expected, "authType"));
      g_assert_cmpstr (json_object_get_string_member (org, "cloud"), ==,
                       json_object_get_string_member (expected, "cloud"));
      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (org, "services")));
      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (org, "accounts")));
      g_assert_cmpuint (json_array_get_length (apps), ==, json_array_get_length (expected_apps));
    }

  /* Passwords are never in the configuration, and never in the output. */
  g_assert_null (strstr (r->out, "\"password\""));
}

static void
test_cli_list_empty (void)
{
  g_autoptr(BaTestCliResult) plain = run_cli ("organization", "list", NULL);
  g_autoptr(BaTestCliResult) json = run_cli ("organization", "list", "--json", NULL);
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (plain->status, ==, 0);
  g_assert_cmpstr (plain->out, !=, "");
  g_assert_null (strstr (plain->out, "NAME"));

  g_assert_cmpint (json->status, ==, 0);
  output = json_from_string (json->out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (output), "organizations")), ==, 0);
}

static void
test_cli_list_corrupt (void)
{
  g_autoptr(BaTestCliResult) r = NULL;

  ba_test_write_config ("{\"formatVersion\": 1, \"organizations\": [ {\"tenantId\": ");
  r = run_cli ("organization", "list", "--json", NULL);

  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpstr (r->out, ==, "");
  g_assert_true (g_str_has_prefix (r->err, "backup-access-cli: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/cli/version", test_cli_version);
  g_test_add_func ("/ba/cli/help", test_cli_help);
  g_test_add_func ("/ba/cli/usage-errors", test_cli_usage_errors);
  g_test_add_func ("/ba/cli/organization-list/plain", test_cli_list_plain);
  g_test_add_func ("/ba/cli/organization-list/json", test_cli_list_json);
  g_test_add_func ("/ba/cli/organization-list/empty", test_cli_list_empty);
  g_test_add_func ("/ba/cli/organization-list/corrupt", test_cli_list_corrupt);

  return g_test_run ();
}
