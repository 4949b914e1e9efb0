/* ba-json-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A member's string value, or NULL when the object is NULL, or the member
 * is missing or no string. */
const char *ba_json_get_string (JsonObject *object,
                                const char *member);

/* A member's integer value, also when sent as a number with a fraction
 * (truncated) or as a string of digits (as v1 endpoints do);
 * default_value when the object is NULL, or the member is missing or
 * none of these. */
gint64      ba_json_get_int    (JsonObject *object,
                                const char *member,
                                gint64      default_value);

G_END_DECLS
