/* ba-preferences-window.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BA_TYPE_PREFERENCES_WINDOW (ba_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BaPreferencesWindow, ba_preferences_window, BA, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *ba_preferences_window_new (GSettings *settings);

G_END_DECLS
