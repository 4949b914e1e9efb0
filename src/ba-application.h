/* ba-application.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-store.h"

G_BEGIN_DECLS

#define BA_TYPE_APPLICATION (ba_application_get_type ())

G_DECLARE_FINAL_TYPE (BaApplication, ba_application, BA, APPLICATION, AdwApplication)

BaApplication *ba_application_new          (void);
BaStore       *ba_application_get_store    (BaApplication *self);
GSettings     *ba_application_get_settings (BaApplication *self);

G_END_DECLS
