/* ba-sign-in-page.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-cloud.h"
#include "ba-session.h"
#include "ba-wizard-page.h"

G_BEGIN_DECLS

#define BA_TYPE_SIGN_IN_PAGE (ba_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (BaSignInPage, ba_sign_in_page, BA, SIGN_IN_PAGE, BaWizardPage)

/* The admin's sign-in, embedded by every wizard: a device code with Copy,
 * the verification link, the countdown with Refresh, the polling state, the
 * browser sign-in instead, "Stay signed in" and Cancel. Signing in starts
 * when the page is prepared (or with ba_sign_in_page_start ()); "complete"
 * and "session" are set once signed in. When "cloud" or "client-id" are not
 * set, the settings' default-cloud and sign-in-client-id are used. */
GtkWidget    *ba_sign_in_page_new                (void);
BaCloud      *ba_sign_in_page_get_cloud          (BaSignInPage *self);
void          ba_sign_in_page_set_cloud          (BaSignInPage *self,
                                                  BaCloud      *cloud);
const char   *ba_sign_in_page_get_client_id      (BaSignInPage *self);
void          ba_sign_in_page_set_client_id      (BaSignInPage *self,
                                                  const char   *client_id);
const char   *ba_sign_in_page_get_tenant         (BaSignInPage *self);
void          ba_sign_in_page_set_tenant         (BaSignInPage *self,
                                                  const char   *tenant);
BaSession    *ba_sign_in_page_get_session        (BaSignInPage *self);

/* Starts a new sign-in with a new code, stopping any that runs. */
void          ba_sign_in_page_start              (BaSignInPage *self);
/* Stops polling; Refresh starts again. */
void          ba_sign_in_page_cancel             (BaSignInPage *self);

/* Test seam: the device code's poll interval in milliseconds (0: the
 * server's), for the flows started from now on. */
void          _ba_sign_in_page_set_interval_ms   (BaSignInPage *self,
                                                  guint         interval_ms);

G_END_DECLS
