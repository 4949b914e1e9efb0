/* ba-json-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-json-utils.h"

static JsonNode *
get_value (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? node : NULL;
}

const char *
ba_json_get_string (JsonObject *object,
                    const char *member)
{
  JsonNode *node = get_value (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gint64
ba_json_get_int (JsonObject *object,
                 const char *member,
                 gint64      default_value)
{
  JsonNode   *node = get_value (object, member);
  const char *text;
  char       *end;
  gint64      value;

  if (node == NULL)
    return default_value;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return default_value;

  text = json_node_get_string (node);
  value = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0')
    return default_value;

  return value;
}
