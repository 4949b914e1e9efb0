/* ba-backup-application.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-backup-application.h"
#include "ba-enum-types.h"
#include "ba-model-private.h"

/* One Microsoft Entra application that a backup server signs in as. The
 * provisioning state is a journal: it is saved after every step, so that an
 * interrupted run resumes by object id and never leaves an application in
 * Entra ID that the configuration does not know about. */

struct _BaBackupApplication
{
  GObject parent_instance;

  char *app_id;
  char *object_id;
  char *display_name;
  char *certificate_thumbprint;
  GDateTime *certificate_expiry;
  BaApplicationOrigin origin;
  BaProvisioningState state;
  char *failure_reason;
  GDateTime *last_verified;
  char *verification_error;
  char *service_principal_id;
  char *key_id;
  char *creation_tag;

  /* Members written by a newer version, kept to be written back. */
  JsonObject *unknown;
};

G_DEFINE_FINAL_TYPE (BaBackupApplication, ba_backup_application, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_OBJECT_ID,
  PROP_DISPLAY_NAME,
  PROP_CERTIFICATE_THUMBPRINT,
  PROP_CERTIFICATE_EXPIRY,
  PROP_ORIGIN,
  PROP_STATE,
  PROP_FAILURE_REASON,
  PROP_LAST_VERIFIED,
  PROP_VERIFICATION_ERROR,
  PROP_SERVICE_PRINCIPAL_ID,
  PROP_KEY_ID,
  PROP_CREATION_TAG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const known_members[] = {
  "appId",
  "objectId",
  "displayName",
  "certificateThumbprint",
  "certificateExpiry",
  "origin",
  "state",
  "failureReason",
  "lastVerified",
  "verificationError",
  "servicePrincipalId",
  "keyId",
  "creationTag",
  NULL
};

static void
ba_backup_application_finalize (GObject *object)
{
  BaBackupApplication *self = (BaBackupApplication *)object;

  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->object_id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->certificate_thumbprint, g_free);
  g_clear_pointer (&self->certificate_expiry, g_date_time_unref);
  g_clear_pointer (&self->failure_reason, g_free);
  g_clear_pointer (&self->last_verified, g_date_time_unref);
  g_clear_pointer (&self->verification_error, g_free);
  g_clear_pointer (&self->service_principal_id, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->creation_tag, g_free);
  g_clear_pointer (&self->unknown, json_object_unref);

  G_OBJECT_CLASS (ba_backup_application_parent_class)->finalize (object);
}

static void
ba_backup_application_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BaBackupApplication *self = BA_BACKUP_APPLICATION (object);

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

    case PROP_CERTIFICATE_THUMBPRINT:
      g_value_set_string (value, self->certificate_thumbprint);
      break;

    case PROP_CERTIFICATE_EXPIRY:
      g_value_set_boxed (value, self->certificate_expiry);
      break;

    case PROP_ORIGIN:
      g_value_set_enum (value, self->origin);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_FAILURE_REASON:
      g_value_set_string (value, self->failure_reason);
      break;

    case PROP_LAST_VERIFIED:
      g_value_set_boxed (value, self->last_verified);
      break;

    case PROP_VERIFICATION_ERROR:
      g_value_set_string (value, self->verification_error);
      break;

    case PROP_SERVICE_PRINCIPAL_ID:
      g_value_set_string (value, self->service_principal_id);
      break;

    case PROP_KEY_ID:
      g_value_set_string (value, self->key_id);
      break;

    case PROP_CREATION_TAG:
      g_value_set_string (value, self->creation_tag);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_backup_application_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BaBackupApplication *self = BA_BACKUP_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_APP_ID:
      ba_backup_application_set_app_id (self, g_value_get_string (value));
      break;

    case PROP_OBJECT_ID:
      ba_backup_application_set_object_id (self, g_value_get_string (value));
      break;

    case PROP_DISPLAY_NAME:
      ba_backup_application_set_display_name (self, g_value_get_string (value));
      break;

    case PROP_CERTIFICATE_THUMBPRINT:
      ba_backup_application_set_certificate_thumbprint (self, g_value_get_string (value));
      break;

    case PROP_CERTIFICATE_EXPIRY:
      ba_backup_application_set_certificate_expiry (self, g_value_get_boxed (value));
      break;

    case PROP_ORIGIN:
      ba_backup_application_set_origin (self, g_value_get_enum (value));
      break;

    case PROP_STATE:
      ba_backup_application_set_state (self, g_value_get_enum (value));
      break;

    case PROP_FAILURE_REASON:
      ba_backup_application_set_failure_reason (self, g_value_get_string (value));
      break;

    case PROP_LAST_VERIFIED:
      ba_backup_application_set_last_verified (self, g_value_get_boxed (value));
      break;

    case PROP_VERIFICATION_ERROR:
      ba_backup_application_set_verification_error (self, g_value_get_string (value));
      break;

    case PROP_SERVICE_PRINCIPAL_ID:
      ba_backup_application_set_service_principal_id (self, g_value_get_string (value));
      break;

    case PROP_KEY_ID:
      ba_backup_application_set_key_id (self, g_value_get_string (value));
      break;

    case PROP_CREATION_TAG:
      ba_backup_application_set_creation_tag (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_backup_application_class_init (BaBackupApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_backup_application_finalize;
  object_class->get_property = ba_backup_application_get_property;
  object_class->set_property = ba_backup_application_set_property;

  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_OBJECT_ID] =
    g_param_spec_string ("object-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CERTIFICATE_THUMBPRINT] =
    g_param_spec_string ("certificate-thumbprint", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CERTIFICATE_EXPIRY] =
    g_param_spec_boxed ("certificate-expiry", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* An application of unknown origin is treated as one the admin added, so
   * that nothing offers to delete it from Entra ID as if we had made it. */
  properties[PROP_ORIGIN] =
    g_param_spec_enum ("origin", NULL, NULL,
                       BA_TYPE_APPLICATION_ORIGIN,
                       BA_APPLICATION_ORIGIN_ADDED,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       BA_TYPE_PROVISIONING_STATE,
                       BA_PROVISIONING_STATE_READY,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FAILURE_REASON] =
    g_param_spec_string ("failure-reason", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_VERIFIED] =
    g_param_spec_boxed ("last-verified", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* NULL together with a last-verified time means the last check passed. */
  properties[PROP_VERIFICATION_ERROR] =
    g_param_spec_string ("verification-error", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The object id of the application's service principal, once created. */
  properties[PROP_SERVICE_PRINCIPAL_ID] =
    g_param_spec_string ("service-principal-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The keyId of the certificate's entry in the application's keyCredentials. */
  properties[PROP_KEY_ID] =
    g_param_spec_string ("key-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* A random tag sent in the application's `tags` when it is created, so
   * that an application whose creation answer was lost can be found again. */
  properties[PROP_CREATION_TAG] =
    g_param_spec_string ("creation-tag", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_backup_application_init (BaBackupApplication *self)
{
  self->origin = BA_APPLICATION_ORIGIN_ADDED;
  self->state = BA_PROVISIONING_STATE_READY;
}

/**
 * ba_backup_application_new:
 * @app_id: the application (client) id
 *
 * Returns: (transfer full): a new #BaBackupApplication
 */
BaBackupApplication *
ba_backup_application_new (const char *app_id)
{
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (BA_TYPE_BACKUP_APPLICATION,
                       "app-id", app_id,
                       NULL);
}

const char *
ba_backup_application_get_app_id (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->app_id;
}

void
ba_backup_application_set_app_id (BaBackupApplication *self,
                                  const char          *app_id)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->app_id, app_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APP_ID]);
}

const char *
ba_backup_application_get_object_id (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->object_id;
}

void
ba_backup_application_set_object_id (BaBackupApplication *self,
                                     const char          *object_id)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->object_id, object_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT_ID]);
}

const char *
ba_backup_application_get_display_name (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->display_name;
}

void
ba_backup_application_set_display_name (BaBackupApplication *self,
                                        const char          *display_name)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

const char *
ba_backup_application_get_certificate_thumbprint (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->certificate_thumbprint;
}

void
ba_backup_application_set_certificate_thumbprint (BaBackupApplication *self,
                                                  const char          *thumbprint)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->certificate_thumbprint, thumbprint))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE_THUMBPRINT]);
}

/**
 * ba_backup_application_get_certificate_expiry:
 * @self: a #BaBackupApplication
 *
 * Returns: (transfer none) (nullable): when the certificate expires
 */
GDateTime *
ba_backup_application_get_certificate_expiry (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->certificate_expiry;
}

void
ba_backup_application_set_certificate_expiry (BaBackupApplication *self,
                                              GDateTime           *expiry)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_date_time (&self->certificate_expiry, expiry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE_EXPIRY]);
}

BaApplicationOrigin
ba_backup_application_get_origin (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), BA_APPLICATION_ORIGIN_ADDED);

  return self->origin;
}

void
ba_backup_application_set_origin (BaBackupApplication *self,
                                  BaApplicationOrigin  origin)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (self->origin == origin)
    return;

  self->origin = origin;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGIN]);
}

BaProvisioningState
ba_backup_application_get_state (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), BA_PROVISIONING_STATE_READY);

  return self->state;
}

void
ba_backup_application_set_state (BaBackupApplication *self,
                                 BaProvisioningState  state)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
ba_backup_application_get_failure_reason (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->failure_reason;
}

void
ba_backup_application_set_failure_reason (BaBackupApplication *self,
                                          const char          *failure_reason)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->failure_reason, failure_reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
}

/**
 * ba_backup_application_get_last_verified:
 * @self: a #BaBackupApplication
 *
 * Returns: (transfer none) (nullable): when the application last had its
 *   sign-in and permissions checked, or %NULL if never
 */
GDateTime *
ba_backup_application_get_last_verified (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->last_verified;
}

void
ba_backup_application_set_last_verified (BaBackupApplication *self,
                                         GDateTime           *last_verified)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_date_time (&self->last_verified, last_verified))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_VERIFIED]);
}

const char *
ba_backup_application_get_verification_error (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->verification_error;
}

void
ba_backup_application_set_verification_error (BaBackupApplication *self,
                                              const char          *verification_error)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->verification_error, verification_error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION_ERROR]);
}

const char *
ba_backup_application_get_service_principal_id (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->service_principal_id;
}

void
ba_backup_application_set_service_principal_id (BaBackupApplication *self,
                                               const char          *service_principal_id)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->service_principal_id, service_principal_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE_PRINCIPAL_ID]);
}

const char *
ba_backup_application_get_key_id (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->key_id;
}

void
ba_backup_application_set_key_id (BaBackupApplication *self,
                                 const char          *key_id)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->key_id, key_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_ID]);
}

const char *
ba_backup_application_get_creation_tag (BaBackupApplication *self)
{
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  return self->creation_tag;
}

void
ba_backup_application_set_creation_tag (BaBackupApplication *self,
                                       const char          *creation_tag)
{
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (self));

  if (_ba_set_string (&self->creation_tag, creation_tag))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATION_TAG]);
}

/**
 * ba_backup_application_serialize:
 * @self: a #BaBackupApplication
 * @include_unknown: whether to write back members this version does not know
 *
 * Every known member is written, %NULL ones as `null`, so that scripts
 * reading the file or `--json` output always find the same members.
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ba_backup_application_serialize (BaBackupApplication *self,
                                 gboolean             include_unknown)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (self), NULL);

  object = json_object_new ();
  _ba_json_set_string (object, "appId", self->app_id);
  _ba_json_set_string (object, "objectId", self->object_id);
  _ba_json_set_string (object, "displayName", self->display_name);
  _ba_json_set_string (object, "certificateThumbprint", self->certificate_thumbprint);
  _ba_json_set_date_time (object, "certificateExpiry", self->certificate_expiry);
  _ba_json_set_enum (object, "origin", BA_TYPE_APPLICATION_ORIGIN, self->origin);
  _ba_json_set_enum (object, "state", BA_TYPE_PROVISIONING_STATE, self->state);
  _ba_json_set_string (object, "failureReason", self->failure_reason);
  _ba_json_set_date_time (object, "lastVerified", self->last_verified);
  _ba_json_set_string (object, "verificationError", self->verification_error);
  _ba_json_set_string (object, "servicePrincipalId", self->service_principal_id);
  _ba_json_set_string (object, "keyId", self->key_id);
  _ba_json_set_string (object, "creationTag", self->creation_tag);

  if (include_unknown)
    _ba_json_add_unknown (object, self->unknown);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/**
 * ba_backup_application_deserialize:
 * @node: a JSON node as written by ba_backup_application_serialize()
 * @error: return location for a #BA_STORE_ERROR_CORRUPT error
 *
 * Returns: (transfer full) (nullable): the application, or %NULL if a member
 *   is missing or has the wrong type
 */
BaBackupApplication *
ba_backup_application_deserialize (JsonNode  *node,
                                   GError   **error)
{
  g_autoptr(BaBackupApplication) self = NULL;
  JsonObject *object;
  int origin;
  int state;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(object = _ba_json_get_object (node, error)))
    return NULL;

  self = g_object_new (BA_TYPE_BACKUP_APPLICATION, NULL);

  /* An application still being created has no appId yet, only its tag. */
  if (!_ba_json_get_enum (object, "state", BA_TYPE_PROVISIONING_STATE, &state, error) ||
      !_ba_json_get_string (object, "appId", state != BA_PROVISIONING_STATE_CREATING,
                            &self->app_id, error) ||
      !_ba_json_get_string (object, "objectId", FALSE, &self->object_id, error) ||
      !_ba_json_get_string (object, "displayName", FALSE, &self->display_name, error) ||
      !_ba_json_get_string (object, "certificateThumbprint", FALSE, &self->certificate_thumbprint, error) ||
      !_ba_json_get_date_time (object, "certificateExpiry", &self->certificate_expiry, error) ||
      !_ba_json_get_enum (object, "origin", BA_TYPE_APPLICATION_ORIGIN, &origin, error) ||
      !_ba_json_get_string (object, "failureReason", FALSE, &self->failure_reason, error) ||
      !_ba_json_get_date_time (object, "lastVerified", &self->last_verified, error) ||
      !_ba_json_get_string (object, "verificationError", FALSE, &self->verification_error, error) ||
      !_ba_json_get_string (object, "servicePrincipalId", FALSE, &self->service_principal_id, error) ||
      !_ba_json_get_string (object, "keyId", FALSE, &self->key_id, error) ||
      !_ba_json_get_string (object, "creationTag", FALSE, &self->creation_tag, error))
    return NULL;

  /* -1 means absent: keep the defaults set in init. */
  if (origin >= 0)
    self->origin = origin;
  if (state >= 0)
    self->state = state;

  self->unknown = _ba_json_collect_unknown (object, known_members);

  return g_steal_pointer (&self);
}
