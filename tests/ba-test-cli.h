/* ba-test-cli.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int   status;
  char *out;
  char *err;
} BaTestCliResult;

void              ba_test_cli_result_free   (BaTestCliResult    *result);
BaTestCliResult  *ba_test_cli_runv          (const char         *emulator_url,
                                             const char         *input,
                                             const char * const *argv);
BaTestCliResult  *ba_test_cli_run           (const char         *input,
                                             const char         *first_arg,
                                             ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaTestCliResult, ba_test_cli_result_free)

G_END_DECLS
