/* ba-backup-account.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-backup-account.h"
#include "ba-model-private.h"

/* An auxiliary user account for organizations on basic authentication or
 * modern authentication with legacy protocols. The password lives only in
 * the desktop keyring; the model records whether one was stored, so the
 * configuration file never holds a secret. */

struct _BaBackupAccount
{
  GObject parent_instance;

  char *user_principal_name;
  char *object_id;
  char *group;
  char *group_id;
  gboolean has_password;

  /* Members written by a newer version, kept to be written back. */
  JsonObject *unknown;
};

G_DEFINE_FINAL_TYPE (BaBackupAccount, ba_backup_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER_PRINCIPAL_NAME,
  PROP_OBJECT_ID,
  PROP_GROUP,
  PROP_GROUP_ID,
  PROP_HAS_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const known_members[] = {
  "userPrincipalName",
  "objectId",
  "group",
  "groupId",
  "hasPassword",
  NULL
};

static void
ba_backup_account_finalize (GObject *object)
{
  BaBackupAccount *self = (BaBackupAccount *)object;

  g_clear_pointer (&self->user_principal_name, g_free);
  g_clear_pointer (&self->object_id, g_free);
  g_clear_pointer (&self->group, g_free);
  g_clear_pointer (&self->group_id, g_free);
  g_clear_pointer (&self->unknown, json_object_unref);

  G_OBJECT_CLASS (ba_backup_account_parent_class)->finalize (object);
}

static void
ba_backup_account_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BaBackupAccount *self = BA_BACKUP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_USER_PRINCIPAL_NAME:
      g_value_set_string (value, self->user_principal_name);
      break;

    case PROP_OBJECT_ID:
      g_value_set_string (value, self->object_id);
      break;

    case PROP_GROUP:
      g_value_set_string (value, self->group);
      break;

    case PROP_GROUP_ID:
      g_value_set_string (value, self->group_id);
      break;

    case PROP_HAS_PASSWORD:
      g_value_set_boolean (value, self->has_password);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_backup_account_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BaBackupAccount *self = BA_BACKUP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_USER_PRINCIPAL_NAME:
      ba_backup_account_set_user_principal_name (self, g_value_get_string (value));
      break;

    case PROP_OBJECT_ID:
      ba_backup_account_set_object_id (self, g_value_get_string (value));
      break;

    case PROP_GROUP:
      ba_backup_account_set_group (self, g_value_get_string (value));
      break;

    case PROP_GROUP_ID:
      ba_backup_account_set_group_id (self, g_value_get_string (value));
      break;

    case PROP_HAS_PASSWORD:
      ba_backup_account_set_has_password (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_backup_account_class_init (BaBackupAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_backup_account_finalize;
  object_class->get_property = ba_backup_account_get_property;
  object_class->set_property = ba_backup_account_set_property;

  properties[PROP_USER_PRINCIPAL_NAME] =
    g_param_spec_string ("user-principal-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_OBJECT_ID] =
    g_param_spec_string ("object-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The display name of the group that the account belongs to, shown as
   * recorded so the list needs no sign-in to be read. */
  properties[PROP_GROUP] =
    g_param_spec_string ("group", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_GROUP_ID] =
    g_param_spec_string ("group-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_HAS_PASSWORD] =
    g_param_spec_boolean ("has-password", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_backup_account_init (BaBackupAccount *self)
{
}

/**
 * ba_backup_account_new:
 * @user_principal_name: the account's sign-in name
 *
 * Returns: (transfer full): a new #BaBackupAccount
 */
BaBackupAccount *
ba_backup_account_new (const char *user_principal_name)
{
  g_return_val_if_fail (user_principal_name != NULL, NULL);

  return g_object_new (BA_TYPE_BACKUP_ACCOUNT,
                       "user-principal-name", user_principal_name,
                       NULL);
}

const char *
ba_backup_account_get_user_principal_name (BaBackupAccount *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), NULL);

  return self->user_principal_name;
}

void
ba_backup_account_set_user_principal_name (BaBackupAccount *self,
                                           const char      *user_principal_name)
{
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (self));

  if (_ba_set_string (&self->user_principal_name, user_principal_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_PRINCIPAL_NAME]);
}

const char *
ba_backup_account_get_object_id (BaBackupAccount *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), NULL);

  return self->object_id;
}

void
ba_backup_account_set_object_id (BaBackupAccount *self,
                                 const char      *object_id)
{
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (self));

  if (_ba_set_string (&self->object_id, object_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT_ID]);
}

const char *
ba_backup_account_get_group (BaBackupAccount *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), NULL);

  return self->group;
}

void
ba_backup_account_set_group (BaBackupAccount *self,
                             const char      *group)
{
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (self));

  if (_ba_set_string (&self->group, group))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP]);
}

const char *
ba_backup_account_get_group_id (BaBackupAccount *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), NULL);

  return self->group_id;
}

void
ba_backup_account_set_group_id (BaBackupAccount *self,
                                const char      *group_id)
{
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (self));

  if (_ba_set_string (&self->group_id, group_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_ID]);
}

gboolean
ba_backup_account_get_has_password (BaBackupAccount *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), FALSE);

  return self->has_password;
}

void
ba_backup_account_set_has_password (BaBackupAccount *self,
                                    gboolean         has_password)
{
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (self));

  has_password = !!has_password;

  if (self->has_password == has_password)
    return;

  self->has_password = has_password;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PASSWORD]);
}

/**
 * ba_backup_account_serialize:
 * @self: a #BaBackupAccount
 * @include_unknown: whether to write back members this version does not know
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ba_backup_account_serialize (BaBackupAccount *self,
                             gboolean         include_unknown)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (self), NULL);

  object = json_object_new ();
  _ba_json_set_string (object, "userPrincipalName", self->user_principal_name);
  _ba_json_set_string (object, "objectId", self->object_id);
  _ba_json_set_string (object, "group", self->group);
  _ba_json_set_string (object, "groupId", self->group_id);
  json_object_set_boolean_member (object, "hasPassword", self->has_password);

  if (include_unknown)
    _ba_json_add_unknown (object, self->unknown);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/**
 * ba_backup_account_deserialize:
 * @node: a JSON node as written by ba_backup_account_serialize()
 * @error: return location for a #BA_STORE_ERROR_CORRUPT error
 *
 * Returns: (transfer full) (nullable): the account, or %NULL if a member is
 *   missing or has the wrong type
 */
BaBackupAccount *
ba_backup_account_deserialize (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(BaBackupAccount) self = NULL;
  JsonObject *object;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(object = _ba_json_get_object (node, error)))
    return NULL;

  self = g_object_new (BA_TYPE_BACKUP_ACCOUNT, NULL);

  if (!_ba_json_get_string (object, "userPrincipalName", TRUE, &self->user_principal_name, error) ||
      !_ba_json_get_string (object, "objectId", FALSE, &self->object_id, error) ||
      !_ba_json_get_string (object, "group", FALSE, &self->group, error) ||
      !_ba_json_get_string (object, "groupId", FALSE, &self->group_id, error) ||
      !_ba_json_get_boolean (object, "hasPassword", &self->has_password, error))
    return NULL;

  self->unknown = _ba_json_collect_unknown (object, known_members);

  return g_steal_pointer (&self);
}
