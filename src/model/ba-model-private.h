/* ba-model-private.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Shared by the model objects so that every member of the configuration is
 * read with the same checks and every wrong member gets the same kind of
 * message; implemented in ba-store.c next to the error domain they use. */

gboolean     _ba_set_string           (char        **field,
                                       const char   *value);
gboolean     _ba_set_date_time        (GDateTime  **field,
                                       GDateTime   *value);

gboolean     _ba_json_get_string      (JsonObject   *object,
                                       const char   *member,
                                       gboolean      required,
                                       char        **out,
                                       GError      **error);
gboolean     _ba_json_get_boolean     (JsonObject   *object,
                                       const char   *member,
                                       gboolean     *out,
                                       GError      **error);
gboolean     _ba_json_get_enum        (JsonObject   *object,
                                       const char   *member,
                                       GType         enum_type,
                                       int          *out,
                                       GError      **error);
gboolean     _ba_json_get_flags       (JsonObject   *object,
                                       const char   *member,
                                       GType         flags_type,
                                       guint        *out,
                                       GError      **error);
gboolean     _ba_json_get_date_time   (JsonObject   *object,
                                       const char   *member,
                                       GDateTime   **out,
                                       GError      **error);
gboolean     _ba_json_get_array       (JsonObject   *object,
                                       const char   *member,
                                       JsonArray   **out,
                                       GError      **error);
JsonObject  *_ba_json_get_object      (JsonNode     *node,
                                       GError      **error);
JsonObject  *_ba_json_collect_unknown (JsonObject   *object,
                                       const char * const *known);

void         _ba_json_set_string      (JsonObject   *object,
                                       const char   *member,
                                       const char   *value);
void         _ba_json_set_enum        (JsonObject   *object,
                                       const char   *member,
                                       GType         enum_type,
                                       int           value);
void         _ba_json_set_flags       (JsonObject   *object,
                                       const char   *member,
                                       GType         flags_type,
                                       guint         value);
void         _ba_json_set_date_time   (JsonObject   *object,
                                       const char   *member,
                                       GDateTime    *value);
void         _ba_json_add_unknown     (JsonObject   *object,
                                       JsonObject   *unknown);

G_END_DECLS
