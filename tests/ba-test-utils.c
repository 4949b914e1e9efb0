/* ba-test-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gstdio.h>

#include "ba-test-utils.h"

/* Fixtures live in tests/data; tests run with G_TEST_OPTION_ISOLATE_DIRS, so
 * the configuration path is a fresh, private directory for every test case. */

char *
ba_test_fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

char *
ba_test_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "backup-access", "configuration.json", NULL);
}

void
ba_test_write_config (const char *contents)
{
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

void
ba_test_install_fixture (const char *name)
{
  g_autofree char *fixture = ba_test_fixture_path (name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fixture, &contents, NULL, &error);
  g_assert_no_error (error);
  ba_test_write_config (contents);
}
