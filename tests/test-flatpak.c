/* test-flatpak.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <json-glib/json-glib.h>

/* The Flatpak manifest is not built by meson, so nothing else notices when it
 * drifts from the project: a renamed application ID, a lost meson option, or
 * a permission that widens the sandbox. These checks read it as data. */

#define MANIFEST_NAME "io.github.backupaccess.BackupAccess.Devel.json"

static char *
get_manifest_path (void)
{
  const char *source_root = g_getenv ("BA_SOURCE_ROOT");

  if (source_root != NULL && *source_root != '\0')
    return g_build_filename (source_root, "flatpak", MANIFEST_NAME, NULL);

  /* Run by hand from the build tree: tests/ is one level below the root. */
  return g_test_build_filename (G_TEST_DIST, "..", "flatpak", MANIFEST_NAME, NULL);
}

static JsonObject *
load_manifest (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = get_manifest_path ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_node_dup_object (root);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  g_assert_true (json_object_has_member (object, member));
  node = json_object_get_member (object, member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);

  return json_node_get_string (node);
}

static gboolean
get_boolean (JsonObject *object,
             const char *member)
{
  JsonNode *node;

  g_assert_true (json_object_has_member (object, member));
  node = json_object_get_member (object, member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);

  return json_node_get_boolean (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node;

  g_assert_true (json_object_has_member (object, member));
  node = json_object_get_member (object, member);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return json_node_get_array (node);
}

/* Every element must be a string; returns whether one equals @value. */
static gboolean
string_array_contains (JsonArray  *array,
                       const char *value)
{
  gboolean found = FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);

      if (g_str_equal (json_node_get_string (node), value))
        found = TRUE;
    }

  return found;
}

/* "--filesystem=host" also forbids "--filesystem=host:ro" and the like. */
static gboolean
argument_matches (const char *argument,
                  const char *forbidden)
{
  size_t len = strlen (forbidden);

  return strncmp (argument, forbidden, len) == 0 &&
         (argument[len] == '\0' || argument[len] == ':');
}

static JsonObject *
get_last_module (JsonObject *manifest)
{
  JsonArray *modules = get_array (manifest, "modules");
  guint      n_modules = json_array_get_length (modules);
  JsonNode  *node;

  g_assert_cmpuint (n_modules, >, 0);
  node = json_array_get_element (modules, n_modules - 1);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_node_get_object (node);
}

static void
test_flatpak_parses (void)
{
  g_autoptr(JsonObject) manifest = load_manifest ();

  g_assert_cmpstr (get_string (manifest, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (get_string (manifest, "sdk"), ==, "org.gnome.Sdk");
  g_assert_nonnull (get_string (manifest, "runtime-version"));
}

static void
test_flatpak_app_id (void)
{
  g_autoptr(JsonObject) manifest = load_manifest ();
  const char *app_id = get_string (manifest, "app-id");

  g_assert_cmpstr (app_id, ==, "io.github.backupaccess.BackupAccess.Devel");
  g_assert_true (g_str_has_prefix (app_id, BASE_APP_ID "."));
}

static void
test_flatpak_command (void)
{
  g_autoptr(JsonObject) manifest = load_manifest ();

  g_assert_cmpstr (get_string (manifest, "command"), ==, "backup-access");
}

static void
test_flatpak_finish_args_required (void)
{
  static const char * const required[] = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--talk-name=org.freedesktop.secrets",
  };
  g_autoptr(JsonObject) manifest = load_manifest ();
  JsonArray *finish_args = get_array (manifest, "finish-args");

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!string_array_contains (finish_args, required[i]))
        {
          g_test_message ("finish-args lack %s", required[i]);
          g_test_fail ();
        }
    }
}

static void
test_flatpak_finish_args_forbidden (void)
{
  static const char * const forbidden[] = {
    "--filesystem=host",
    "--filesystem=home",
    "--filesystem=host-os",
    "--filesystem=host-etc",
    "--socket=session-bus",
    "--socket=system-bus",
  };
  g_autoptr(JsonObject) manifest = load_manifest ();
  JsonArray *finish_args = get_array (manifest, "finish-args");

  for (guint i = 0; i < json_array_get_length (finish_args); i++)
    {
      JsonNode   *node = json_array_get_element (finish_args, i);
      const char *argument;
      gboolean    reported = FALSE;

      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      argument = json_node_get_string (node);
      g_assert_nonnull (argument);

      for (guint j = 0; j < G_N_ELEMENTS (forbidden); j++)
        {
          if (argument_matches (argument, forbidden[j]))
            {
              g_test_message ("finish-args must not contain %s", argument);
              g_test_fail ();
              reported = TRUE;
            }
        }

      /* Files come through the portals; the only directory shared is the
       * p11-kit server socket under XDG_RUNTIME_DIR. */
      if (!reported &&
          g_str_has_prefix (argument, "--filesystem=") &&
          !g_str_equal (argument, "--filesystem=xdg-run/p11-kit"))
        {
          g_test_message ("finish-args must not share %s", argument);
          g_test_fail ();
        }
    }
}

static void
test_flatpak_module (void)
{
  g_autoptr(JsonObject) manifest = load_manifest ();
  JsonObject *module = get_last_module (manifest);
  JsonArray  *sources;
  gboolean    found_dir = FALSE;

  g_assert_cmpstr (get_string (module, "name"), ==, "backup-access");
  g_assert_cmpstr (get_string (module, "buildsystem"), ==, "meson");
  g_assert_true (get_boolean (module, "builddir"));
  g_assert_true (get_boolean (module, "run-tests"));
  g_assert_true (string_array_contains (get_array (module, "config-opts"), "-Dprofile=development"));

  sources = get_array (module, "sources");
  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonNode   *node = json_array_get_element (sources, i);
      JsonObject *source;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      source = json_node_get_object (node);

      if (g_strcmp0 (json_object_get_string_member_with_default (source, "type", NULL), "dir") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (source, "path", NULL), "..") == 0)
        found_dir = TRUE;
    }
  g_assert_true (found_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/flatpak/parses", test_flatpak_parses);
  g_test_add_func ("/ba/flatpak/app-id", test_flatpak_app_id);
  g_test_add_func ("/ba/flatpak/command", test_flatpak_command);
  g_test_add_func ("/ba/flatpak/finish-args/required", test_flatpak_finish_args_required);
  g_test_add_func ("/ba/flatpak/finish-args/forbidden", test_flatpak_finish_args_forbidden);
  g_test_add_func ("/ba/flatpak/module", test_flatpak_module);

  return g_test_run ();
}
