/* ba-deleted-application.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-deleted-application.h"
#include "ba-model-private.h"
#include "ba-store.h"

/* What Backup Access deleted from Microsoft Entra ID, kept in the
 * configuration after the application left the pool: the admin's record of
 * what went, and where to find it again while it can be restored. It never
 * changes once made. */
struct _BaDeletedApplication
{
  GObject parent_instance;

  char      *app_id;
  char      *object_id;
  char      *display_name;
  GDateTime *deleted_at;

  /* Members a newer version wrote, kept for it */
  JsonObject *unknown;
};

G_DEFINE_FINAL_TYPE (BaDeletedApplication, ba_deleted_application, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_OBJECT_ID,
  PROP_DISPLAY_NAME,
  PROP_DELETED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const known_members[] = {
  "appId",
  "objectId",
  "displayName",
  "deletedAt",
  NULL
};

static void
ba_deleted_application_finalize (GObject *object)
{
  BaDeletedApplication *self = BA_DELETED_APPLICATION (object);

  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->object_id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->deleted_at, g_date_time_unref);
  g_clear_pointer (&self->unknown, json_object_unref);

  G_OBJECT_CLASS (ba_deleted_application_parent_class)->finalize (object);
}

static void
ba_deleted_application_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  BaDeletedApplication *self = BA_DELETED_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;

    case PROP_OBJECT_ID:
      g_value_set_string (value, self->object_id);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_DELETED_AT:
      g_value_set_boxed (value, self->deleted_at);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_deleted_application_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  BaDeletedApplication *self = BA_DELETED_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_APP_ID:
      _ba_set_string (&self->app_id, g_value_get_string (value));
      break;

    case PROP_OBJECT_ID:
      _ba_set_string (&self->object_id, g_value_get_string (value));
      break;

    case PROP_DISPLAY_NAME:
      _ba_set_string (&self->display_name, g_value_get_string (value));
      break;

    case PROP_DELETED_AT:
      _ba_set_date_time (&self->deleted_at, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_deleted_application_class_init (BaDeletedApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_deleted_application_finalize;
  object_class->get_property = ba_deleted_application_get_property;
  object_class->set_property = ba_deleted_application_set_property;

  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OBJECT_ID] =
    g_param_spec_string ("object-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED_AT] =
    g_param_spec_boxed ("deleted-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_deleted_application_init (BaDeletedApplication *self)
{
}

/**
 * ba_deleted_application_new:
 * @app_id: the application (client) id
 * @object_id: (nullable): its object id in the directory, by which a
 *   deleted item is found and restored
 * @display_name: (nullable): its name when it was deleted
 * @deleted_at: when Microsoft Graph accepted the DELETE
 *
 * Returns: (transfer full): a new record
 */
BaDeletedApplication *
ba_deleted_application_new (const char *app_id,
                            const char *object_id,
                            const char *display_name,
                            GDateTime  *deleted_at)
{
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (deleted_at != NULL, NULL);

  return g_object_new (BA_TYPE_DELETED_APPLICATION,
                       "app-id", app_id,
                       "object-id", object_id,
                       "display-name", display_name,
                       "deleted-at", deleted_at,
                       NULL);
}

const char *
ba_deleted_application_get_app_id (BaDeletedApplication *self)
{
  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  return self->app_id;
}

const char *
ba_deleted_application_get_object_id (BaDeletedApplication *self)
{
  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  return self->object_id;
}

const char *
ba_deleted_application_get_display_name (BaDeletedApplication *self)
{
  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  return self->display_name;
}

GDateTime *
ba_deleted_application_get_deleted_at (BaDeletedApplication *self)
{
  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  return self->deleted_at;
}

/**
 * ba_deleted_application_dup_restorable_until:
 * @self: a #BaDeletedApplication
 *
 * Returns: (transfer full): when Microsoft Entra ID deletes the application
 *   for good, and it can no longer be restored
 */
GDateTime *
ba_deleted_application_dup_restorable_until (BaDeletedApplication *self)
{
  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  return g_date_time_add_days (self->deleted_at, BA_DELETED_APPLICATION_RESTORABLE_DAYS);
}

/**
 * ba_deleted_application_serialize:
 * @self: a #BaDeletedApplication
 * @include_unknown: whether to write back members this version does not know
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ba_deleted_application_serialize (BaDeletedApplication *self,
                                  gboolean              include_unknown)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  g_return_val_if_fail (BA_IS_DELETED_APPLICATION (self), NULL);

  object = json_object_new ();
  _ba_json_set_string (object, "appId", self->app_id);
  _ba_json_set_string (object, "objectId", self->object_id);
  _ba_json_set_string (object, "displayName", self->display_name);
  _ba_json_set_date_time (object, "deletedAt", self->deleted_at);

  if (include_unknown)
    _ba_json_add_unknown (object, self->unknown);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/**
 * ba_deleted_application_deserialize:
 * @node: a JSON node as written by ba_deleted_application_serialize()
 * @error: return location for a #BA_STORE_ERROR_CORRUPT error
 *
 * Returns: (transfer full) (nullable): the record, or %NULL if a member is
 *   missing or has the wrong type
 */
BaDeletedApplication *
ba_deleted_application_deserialize (JsonNode *node,
                                    GError  **error)
{
  g_autoptr(BaDeletedApplication) self = NULL;
  JsonObject *object;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(object = _ba_json_get_object (node, error)))
    return NULL;

  self = g_object_new (BA_TYPE_DELETED_APPLICATION, NULL);

  if (!_ba_json_get_string (object, "appId", TRUE, &self->app_id, error) ||
      !_ba_json_get_string (object, "objectId", FALSE, &self->object_id, error) ||
      !_ba_json_get_string (object, "displayName", FALSE, &self->display_name, error) ||
      !_ba_json_get_date_time (object, "deletedAt", &self->deleted_at, error))
    return NULL;

  if (self->deleted_at == NULL)
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   /* Translators: %s is the name of a member in the configuration file */
                   _("“%s” is missing"), "deletedAt");
      return NULL;
    }

  self->unknown = _ba_json_collect_unknown (object, known_members);

  return g_steal_pointer (&self);
}
