/* ba-test-emulator-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ba-cloud.h"
#include "ba-graph-client.h"
#include "ba-graph-emulator.h"
#include "ba-session.h"

G_BEGIN_DECLS

/* The public client the sign-ins use. */
#define BA_TEST_CLIENT_ID "14d82eec-204b-4c2f-b7e8-296a70dab67e"

BaGraphEmulator *ba_test_emulator_new              (BaCloud         **cloud);
JsonObject      *ba_test_emulator_sign_in_tokens   (BaGraphEmulator  *emulator);
BaSession       *ba_test_emulator_sign_in          (BaGraphEmulator  *emulator,
                                                    BaCloud          *cloud);
JsonNode        *ba_test_graph_request             (BaGraphClient    *client,
                                                    const char       *method,
                                                    const char       *path,
                                                    JsonNode         *body,
                                                    GError          **error);

G_END_DECLS
