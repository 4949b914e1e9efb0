/* ba-test-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *ba_test_fixture_path          (const char  *name);
char     *ba_test_config_path           (void);
void      ba_test_install_fixture       (const char  *name);
void      ba_test_write_config          (const char  *contents);

G_END_DECLS
