/* ba-session-private.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ba-session.h"

G_BEGIN_DECLS

/* Shared by the sign-in flows of this directory. */

/* The tenant segment and the space-separated scopes the session was
 * signed in with: refreshes use them until the id_token names a tenant. */
void        _ba_session_set_request            (BaSession            *self,
                                                const char           *tenant,
                                                const char           *scope);

/* The scopes, space-separated; NULL means ba_session_default_scopes (). */
char       *_ba_identity_join_scopes           (const char * const   *scopes);

/* "{authority}/{tenant}/oauth2/v2.0/{endpoint}" */
char       *_ba_identity_endpoint_uri          (BaCloud              *cloud,
                                                const char           *tenant,
                                                const char           *endpoint);

SoupSession *_ba_identity_soup_session_new     (void);

/* POSTs a form (x-www-form-urlencoded, taken and wiped after use) to the
 * identity platform. On 429 and 5xx it waits as Retry-After says (5 s,
 * then doubling, when it does not) and tries again, at most max_retries
 * times. Returns the JSON object of the answer whatever its status
 * (callers branch on its "error"), or fails when there is no answer or
 * it is not JSON. Nothing of the form or the answer is logged. */
void        _ba_identity_post_form_async       (SoupSession          *session,
                                                const char           *uri,
                                                char                 *encoded_form,
                                                guint                 max_retries,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
JsonObject *_ba_identity_post_form_finish      (GAsyncResult         *result,
                                                guint                *status,
                                                GError              **error);

/* The first AADSTS code of a token error: error_codes[0], else the number
 * after "AADSTS" in error_description; 0 when neither. */
gint64      _ba_identity_error_aadsts          (JsonObject           *response);

G_END_DECLS
