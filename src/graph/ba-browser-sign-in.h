/* ba-browser-sign-in.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-cloud.h"
#include "ba-session.h"

G_BEGIN_DECLS

#define BA_TYPE_BROWSER_SIGN_IN (ba_browser_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (BaBrowserSignIn, ba_browser_sign_in, BA, BROWSER_SIGN_IN, GObject)

/* Authorization code + PKCE (S256) with a loopback redirect: a SoupServer
 * on 127.0.0.1, random port. "authorize-uri" (read-only, EXPLICIT_NOTIFY)
 * is set once the listener runs: the caller opens it in the browser
 * (gtk_show_uri_full in the window; printed by the CLI) or offers to copy
 * it. The redirect's state is checked (BA_IDENTITY_ERROR_STATE_MISMATCH). */
BaBrowserSignIn *ba_browser_sign_in_new                (BaCloud              *cloud,
                                                        const char           *client_id,
                                                        const char           *tenant,
                                                        const char * const   *scopes);
const char      *ba_browser_sign_in_get_authorize_uri  (BaBrowserSignIn      *self);

void             ba_browser_sign_in_run_async          (BaBrowserSignIn      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
BaSession       *ba_browser_sign_in_run_finish         (BaBrowserSignIn      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
