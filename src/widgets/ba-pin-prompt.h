/* ba-pin-prompt.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Answers the PKCS#11 engine's PIN requests with a dialog on the main
 * thread, for the whole application. */
void  ba_pin_prompt_install (void);

/* The BaPinFunc itself: blocks the calling worker thread until the person
 * answers. Returns the PIN, or NULL when cancelled. */
char *ba_pin_prompt_ask     (const char *token_label,
                             guint       attempt,
                             const char *retry_message,
                             gpointer    user_data);

G_END_DECLS
