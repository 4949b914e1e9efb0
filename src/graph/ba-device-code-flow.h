/* ba-device-code-flow.h
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

typedef enum
{
  BA_SIGN_IN_STATE_IDLE,       /*< nick=idle >*/
  BA_SIGN_IN_STATE_REQUESTING, /*< nick=requesting >*/
  BA_SIGN_IN_STATE_WAITING,    /*< nick=waiting >*/
  BA_SIGN_IN_STATE_SIGNED_IN,  /*< nick=signed-in >*/
  BA_SIGN_IN_STATE_FAILED,     /*< nick=failed >*/
  BA_SIGN_IN_STATE_CANCELLED,  /*< nick=cancelled >*/
} BaSignInState;

#define BA_TYPE_DEVICE_CODE_FLOW (ba_device_code_flow_get_type ())

G_DECLARE_FINAL_TYPE (BaDeviceCodeFlow, ba_device_code_flow, BA, DEVICE_CODE_FLOW, GObject)

/* OAuth 2.0 device authorization grant (reference §2). Properties, all
 * read-only and EXPLICIT_NOTIFY: "state" (BaSignInState), "user-code",
 * "verification-uri", "message", "seconds-left" (notified every second
 * while waiting), "interval" (seconds, grows by 5 on slow_down), "error"
 * (GError boxed, when failed), "session" (when signed in). tenant is
 * "organizations" when NULL; scopes are ba_session_default_scopes () when
 * NULL. */
BaDeviceCodeFlow *ba_device_code_flow_new              (BaCloud              *cloud,
                                                        const char           *client_id,
                                                        const char           *tenant,
                                                        const char * const   *scopes);
BaSignInState     ba_device_code_flow_get_state        (BaDeviceCodeFlow     *self);
const char       *ba_device_code_flow_get_user_code    (BaDeviceCodeFlow     *self);
const char       *ba_device_code_flow_get_verification_uri (BaDeviceCodeFlow *self);
const char       *ba_device_code_flow_get_message      (BaDeviceCodeFlow     *self);
guint             ba_device_code_flow_get_seconds_left (BaDeviceCodeFlow     *self);
guint             ba_device_code_flow_get_interval     (BaDeviceCodeFlow     *self);
const GError     *ba_device_code_flow_get_error        (BaDeviceCodeFlow     *self);
BaSession        *ba_device_code_flow_get_session      (BaDeviceCodeFlow     *self);

/* Requests a code and polls until the admin signs in (the session), the
 * code is declined or expires, or another error; cancelling stops polling
 * at once. Only one run at a time. */
void              ba_device_code_flow_run_async        (BaDeviceCodeFlow     *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
BaSession        *ba_device_code_flow_run_finish       (BaDeviceCodeFlow     *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Test seam: a poll interval in milliseconds instead of the server's
 * seconds (0 restores the server's). */
void              _ba_device_code_flow_set_interval_ms (BaDeviceCodeFlow     *self,
                                                        guint                 interval_ms);

G_END_DECLS
