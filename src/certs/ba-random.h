/* ba-random.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Random values from GnuTLS's generator, for everything that must not be
 * guessed: PKCE verifiers, state, nonces, jti, identifiers. GnuTLS stays in
 * src/certs/, so the other layers ask here. */
gboolean  ba_random_bytes      (gpointer   buffer,
                                gsize      length,
                                gboolean   key_quality,
                                GError   **error);
char     *ba_random_guid       (GError   **error);
char     *ba_random_base64url  (gsize      n_bytes,
                                GError   **error);
guint32   ba_random_uint32     (void);

G_END_DECLS
