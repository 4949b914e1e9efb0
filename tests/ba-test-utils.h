/* ba-test-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "ba-certificate.h"
#include "ba-store.h"

G_BEGIN_DECLS

char                  *ba_test_fixture_path           (const char     *name);
char                  *ba_test_config_path            (void);
void                   ba_test_install_fixture        (const char     *name);
void                   ba_test_write_config           (const char     *contents);
JsonObject            *ba_test_parse_object           (const char     *text);
char                  *ba_test_make_tmpdir            (const char     *tmpl);
void                   ba_test_remove_tmpdir          (char           *dir);
BaCertificate         *ba_test_generate_certificate   (const char     *common_name);
void                   ba_test_store_result_cb        (GObject        *object,
                                                       GAsyncResult   *result,
                                                       gpointer        user_data);
GAsyncResult          *ba_test_wait_for_result        (GAsyncResult  **result);
void                   ba_test_require_keyring        (void);
gboolean               ba_test_keyring_has_passphrase (const char     *sha1);
gnutls_x509_privkey_t  ba_test_shared_key             (void);
BaCertificate         *ba_test_make_certificate       (const char     *common_name);
void                   ba_test_store_settle           (BaStore        *store);

G_END_DECLS
