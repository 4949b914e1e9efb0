/* ba-organization.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-enum-types.h"
#include "ba-model-private.h"
#include "ba-organization.h"

struct _BaOrganization
{
  GObject parent_instance;

  char *tenant_id;
  char *name;
  BaCloudKind cloud;
  BaAuthType auth_type;
  BaServices services;
  char *impersonation_account;
  char *own_application_id;

  /* Owned; exposed read-only as GListModel */
  GListStore *applications;
  GListStore *accounts;
  GListStore *deleted_applications;

  /* Members written by a newer version, kept to be written back. */
  JsonObject *unknown;
};

G_DEFINE_FINAL_TYPE (BaOrganization, ba_organization, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TENANT_ID,
  PROP_NAME,
  PROP_CLOUD,
  PROP_AUTH_TYPE,
  PROP_SERVICES,
  PROP_IMPERSONATION_ACCOUNT,
  PROP_OWN_APPLICATION_ID,
  PROP_APPLICATIONS,
  PROP_ACCOUNTS,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const known_members[] = {
  "tenantId",
  "name",
  "cloud",
  "authType",
  "services",
  "impersonationAccount",
  "ownApplicationId",
  "applications",
  "accounts",
  "deletedApplications",
  NULL
};

static void
emit_changed (BaOrganization *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_member_notify_cb (BaOrganization *self,
                     GParamSpec     *pspec,
                     GObject        *member)
{
  emit_changed (self);
}

static void
on_items_changed_cb (BaOrganization *self,
                     guint           position,
                     guint           removed,
                     guint           added,
                     GListModel     *model)
{
  emit_changed (self);
}

static void
disconnect_members (BaOrganization *self,
                    GListModel     *model)
{
  guint n_items = g_list_model_get_n_items (model);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) member = g_list_model_get_item (model, i);

      g_signal_handlers_disconnect_by_func (member, on_member_notify_cb, self);
    }
}

static void
ba_organization_notify (GObject    *object,
                        GParamSpec *pspec)
{
  BaOrganization *self = BA_ORGANIZATION (object);

  if (G_OBJECT_CLASS (ba_organization_parent_class)->notify)
    G_OBJECT_CLASS (ba_organization_parent_class)->notify (object, pspec);

  emit_changed (self);
}

static void
ba_organization_dispose (GObject *object)
{
  BaOrganization *self = (BaOrganization *)object;

  /* Members may outlive us (a dialog can hold one), so they must stop
   * reaching back into an organization that is going away. */
  if (self->applications != NULL)
    {
      disconnect_members (self, G_LIST_MODEL (self->applications));
      g_signal_handlers_disconnect_by_func (self->applications, on_items_changed_cb, self);
    }
  if (self->accounts != NULL)
    {
      disconnect_members (self, G_LIST_MODEL (self->accounts));
      g_signal_handlers_disconnect_by_func (self->accounts, on_items_changed_cb, self);
    }

  if (self->deleted_applications != NULL)
    g_signal_handlers_disconnect_by_func (self->deleted_applications, on_items_changed_cb, self);

  g_clear_object (&self->applications);
  g_clear_object (&self->accounts);
  g_clear_object (&self->deleted_applications);

  G_OBJECT_CLASS (ba_organization_parent_class)->dispose (object);
}

static void
ba_organization_finalize (GObject *object)
{
  BaOrganization *self = (BaOrganization *)object;

  g_clear_pointer (&self->tenant_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->impersonation_account, g_free);
  g_clear_pointer (&self->own_application_id, g_free);
  g_clear_pointer (&self->unknown, json_object_unref);

  G_OBJECT_CLASS (ba_organization_parent_class)->finalize (object);
}

static void
ba_organization_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BaOrganization *self = BA_ORGANIZATION (object);

  switch (prop_id)
    {
    case PROP_TENANT_ID:
      g_value_set_string (value, self->tenant_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_CLOUD:
      g_value_set_enum (value, self->cloud);
      break;

    case PROP_AUTH_TYPE:
      g_value_set_enum (value, self->auth_type);
      break;

    case PROP_SERVICES:
      g_value_set_flags (value, self->services);
      break;

    case PROP_IMPERSONATION_ACCOUNT:
      g_value_set_string (value, self->impersonation_account);
      break;

    case PROP_OWN_APPLICATION_ID:
      g_value_set_string (value, self->own_application_id);
      break;

    case PROP_APPLICATIONS:
      g_value_set_object (value, self->applications);
      break;

    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BaOrganization *self = BA_ORGANIZATION (object);

  switch (prop_id)
    {
    case PROP_TENANT_ID:
      ba_organization_set_tenant_id (self, g_value_get_string (value));
      break;

    case PROP_NAME:
      ba_organization_set_name (self, g_value_get_string (value));
      break;

    case PROP_CLOUD:
      ba_organization_set_cloud (self, g_value_get_enum (value));
      break;

    case PROP_AUTH_TYPE:
      ba_organization_set_auth_type (self, g_value_get_enum (value));
      break;

    case PROP_SERVICES:
      ba_organization_set_services (self, g_value_get_flags (value));
      break;

    case PROP_IMPERSONATION_ACCOUNT:
      ba_organization_set_impersonation_account (self, g_value_get_string (value));
      break;

    case PROP_OWN_APPLICATION_ID:
      ba_organization_set_own_application_id (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_class_init (BaOrganizationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_organization_dispose;
  object_class->finalize = ba_organization_finalize;
  object_class->get_property = ba_organization_get_property;
  object_class->set_property = ba_organization_set_property;
  object_class->notify = ba_organization_notify;

  properties[PROP_TENANT_ID] =
    g_param_spec_string ("tenant-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The organization's name, or its primary domain when that is all the
   * admin gave us. */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CLOUD] =
    g_param_spec_enum ("cloud", NULL, NULL,
                       BA_TYPE_CLOUD_KIND,
                       BA_CLOUD_KIND_GLOBAL,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTH_TYPE] =
    g_param_spec_enum ("auth-type", NULL, NULL,
                       BA_TYPE_AUTH_TYPE,
                       BA_AUTH_TYPE_MODERN_APP_ONLY,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SERVICES] =
    g_param_spec_flags ("services", NULL, NULL,
                        BA_TYPE_SERVICES,
                        BA_SERVICE_NONE,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* A user principal name; when only SharePoint Online is backed up there is
   * no mailbox to impersonate and the organization's name stands here. */
  properties[PROP_IMPERSONATION_ACCOUNT] =
    g_param_spec_string ("impersonation-account", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The application used to add the organization. It is also in the
   * applications list, with origin "organization", so the pool shows it. */
  properties[PROP_OWN_APPLICATION_ID] =
    g_param_spec_string ("own-application-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_APPLICATIONS] =
    g_param_spec_object ("applications", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BaOrganization::changed:
   *
   * Emitted when a property of the organization or of one of its
   * applications or accounts changes, or when one is added or removed: the
   * one thing the store needs to know to save, and a list row to refresh.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
ba_organization_init (BaOrganization *self)
{
  self->cloud = BA_CLOUD_KIND_GLOBAL;
  self->auth_type = BA_AUTH_TYPE_MODERN_APP_ONLY;
  self->services = BA_SERVICE_NONE;

  self->applications = g_list_store_new (BA_TYPE_BACKUP_APPLICATION);
  self->accounts = g_list_store_new (BA_TYPE_BACKUP_ACCOUNT);
  self->deleted_applications = g_list_store_new (BA_TYPE_DELETED_APPLICATION);

  g_signal_connect_object (self->applications,
                           "items-changed",
                           G_CALLBACK (on_items_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->accounts,
                           "items-changed",
                           G_CALLBACK (on_items_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->deleted_applications,
                           "items-changed",
                           G_CALLBACK (on_items_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
}

/**
 * ba_organization_new:
 * @tenant_id: the Microsoft Entra tenant id
 * @name: (nullable): the organization's name or primary domain
 *
 * Returns: (transfer full): a new #BaOrganization
 */
BaOrganization *
ba_organization_new (const char *tenant_id,
                     const char *name)
{
  g_return_val_if_fail (tenant_id != NULL, NULL);

  return g_object_new (BA_TYPE_ORGANIZATION,
                       "tenant-id", tenant_id,
                       "name", name,
                       NULL);
}

const char *
ba_organization_get_tenant_id (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return self->tenant_id;
}

void
ba_organization_set_tenant_id (BaOrganization *self,
                               const char     *tenant_id)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (_ba_set_string (&self->tenant_id, tenant_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TENANT_ID]);
}

const char *
ba_organization_get_name (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return self->name;
}

void
ba_organization_set_name (BaOrganization *self,
                          const char     *name)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (_ba_set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

BaCloudKind
ba_organization_get_cloud (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), BA_CLOUD_KIND_GLOBAL);

  return self->cloud;
}

void
ba_organization_set_cloud (BaOrganization *self,
                           BaCloudKind     cloud)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (self->cloud == cloud)
    return;

  self->cloud = cloud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOUD]);
}

BaAuthType
ba_organization_get_auth_type (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), BA_AUTH_TYPE_MODERN_APP_ONLY);

  return self->auth_type;
}

void
ba_organization_set_auth_type (BaOrganization *self,
                               BaAuthType      auth_type)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (self->auth_type == auth_type)
    return;

  self->auth_type = auth_type;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_TYPE]);
}

BaServices
ba_organization_get_services (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), BA_SERVICE_NONE);

  return self->services;
}

void
ba_organization_set_services (BaOrganization *self,
                              BaServices      services)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (self->services == services)
    return;

  self->services = services;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICES]);
}

const char *
ba_organization_get_impersonation_account (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return self->impersonation_account;
}

void
ba_organization_set_impersonation_account (BaOrganization *self,
                                           const char     *impersonation_account)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (_ba_set_string (&self->impersonation_account, impersonation_account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPERSONATION_ACCOUNT]);
}

const char *
ba_organization_get_own_application_id (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return self->own_application_id;
}

void
ba_organization_set_own_application_id (BaOrganization *self,
                                        const char     *own_application_id)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));

  if (_ba_set_string (&self->own_application_id, own_application_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWN_APPLICATION_ID]);
}

/**
 * ba_organization_get_applications:
 * @self: a #BaOrganization
 *
 * Change the list only through ba_organization_add_application() and
 * ba_organization_remove_application(), which keep #BaOrganization::changed
 * wired to the members.
 *
 * Returns: (transfer none): a #GListModel of #BaBackupApplication
 */
GListModel *
ba_organization_get_applications (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return G_LIST_MODEL (self->applications);
}

void
ba_organization_add_application (BaOrganization      *self,
                                 BaBackupApplication *application)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (application));
  g_return_if_fail (!g_list_store_find (self->applications, application, NULL));

  g_signal_connect_object (application,
                           "notify",
                           G_CALLBACK (on_member_notify_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->applications, application);
}

/**
 * ba_organization_remove_application:
 * @self: a #BaOrganization
 * @application: a #BaBackupApplication
 *
 * Returns: %TRUE if @application was a member and was removed
 */
gboolean
ba_organization_remove_application (BaOrganization      *self,
                                    BaBackupApplication *application)
{
  guint position;

  g_return_val_if_fail (BA_IS_ORGANIZATION (self), FALSE);
  g_return_val_if_fail (BA_IS_BACKUP_APPLICATION (application), FALSE);

  if (!g_list_store_find (self->applications, application, &position))
    return FALSE;

  g_signal_handlers_disconnect_by_func (application, on_member_notify_cb, self);
  g_list_store_remove (self->applications, position);

  return TRUE;
}

/**
 * ba_organization_get_deleted_applications:
 * @self: a #BaOrganization
 *
 * What Backup Access deleted from Microsoft Entra ID for this organization,
 * oldest first.
 *
 * Returns: (transfer none): a #GListModel of #BaDeletedApplication
 */
GListModel *
ba_organization_get_deleted_applications (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return G_LIST_MODEL (self->deleted_applications);
}

/**
 * ba_organization_add_deleted_application:
 * @self: a #BaOrganization
 * @record: what was deleted, and when
 *
 * Keeps @record; emits #BaOrganization::changed, so the store saves it.
 */
void
ba_organization_add_deleted_application (BaOrganization       *self,
                                         BaDeletedApplication *record)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));
  g_return_if_fail (BA_IS_DELETED_APPLICATION (record));

  g_list_store_append (self->deleted_applications, record);
}

/**
 * ba_organization_find_application:
 * @self: a #BaOrganization
 * @app_id: an application (client) id, compared without regard to case
 *
 * Returns: (transfer none) (nullable): the application, or %NULL
 */
BaBackupApplication *
ba_organization_find_application (BaOrganization *self,
                                  const char     *app_id)
{
  guint n_items;

  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->applications));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaBackupApplication) application = g_list_model_get_item (G_LIST_MODEL (self->applications), i);
      const char *id = ba_backup_application_get_app_id (application);

      /* GUIDs are written in either case by the portal, PowerShell and Graph. */
      if (id != NULL && g_ascii_strcasecmp (id, app_id) == 0)
        return application;
    }

  return NULL;
}

/**
 * ba_organization_get_accounts:
 * @self: a #BaOrganization
 *
 * Change the list only through ba_organization_add_account() and
 * ba_organization_remove_account().
 *
 * Returns: (transfer none): a #GListModel of #BaBackupAccount
 */
GListModel *
ba_organization_get_accounts (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

void
ba_organization_add_account (BaOrganization  *self,
                             BaBackupAccount *account)
{
  g_return_if_fail (BA_IS_ORGANIZATION (self));
  g_return_if_fail (BA_IS_BACKUP_ACCOUNT (account));
  g_return_if_fail (!g_list_store_find (self->accounts, account, NULL));

  g_signal_connect_object (account,
                           "notify",
                           G_CALLBACK (on_member_notify_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->accounts, account);
}

/**
 * ba_organization_remove_account:
 * @self: a #BaOrganization
 * @account: a #BaBackupAccount
 *
 * Returns: %TRUE if @account was a member and was removed
 */
gboolean
ba_organization_remove_account (BaOrganization  *self,
                                BaBackupAccount *account)
{
  guint position;

  g_return_val_if_fail (BA_IS_ORGANIZATION (self), FALSE);
  g_return_val_if_fail (BA_IS_BACKUP_ACCOUNT (account), FALSE);

  if (!g_list_store_find (self->accounts, account, &position))
    return FALSE;

  g_signal_handlers_disconnect_by_func (account, on_member_notify_cb, self);
  g_list_store_remove (self->accounts, position);

  return TRUE;
}

/**
 * ba_organization_find_account:
 * @self: a #BaOrganization
 * @user_principal_name: a user principal name, compared without regard to
 *   case as Microsoft Entra ID does
 *
 * Returns: (transfer none) (nullable): the account, or %NULL
 */
BaBackupAccount *
ba_organization_find_account (BaOrganization *self,
                              const char     *user_principal_name)
{
  g_autofree char *wanted = NULL;
  guint n_items;

  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);
  g_return_val_if_fail (user_principal_name != NULL, NULL);

  wanted = g_utf8_casefold (user_principal_name, -1);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaBackupAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      const char *upn = ba_backup_account_get_user_principal_name (account);
      g_autofree char *folded = NULL;

      if (upn == NULL)
        continue;

      folded = g_utf8_casefold (upn, -1);
      if (g_strcmp0 (folded, wanted) == 0)
        return account;
    }

  return NULL;
}

/**
 * ba_organization_can_manage_applications:
 * @self: a #BaOrganization
 *
 * Backup applications are a pool for app-only authentication; the other
 * authentication types sign in as users instead.
 *
 * Returns: %TRUE if the organization has backup applications to manage
 */
gboolean
ba_organization_can_manage_applications (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), FALSE);

  return self->auth_type == BA_AUTH_TYPE_MODERN_APP_ONLY;
}

/**
 * ba_organization_can_manage_accounts:
 * @self: a #BaOrganization
 *
 * Returns: %TRUE if the organization signs in with backup accounts
 */
gboolean
ba_organization_can_manage_accounts (BaOrganization *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (self), FALSE);

  return self->auth_type == BA_AUTH_TYPE_BASIC ||
         self->auth_type == BA_AUTH_TYPE_MODERN_LEGACY;
}

/**
 * ba_organization_serialize:
 * @self: a #BaOrganization
 * @include_unknown: whether to write back members this version does not
 *   know, at every level; the configuration file does, `--json` output
 *   does not
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ba_organization_serialize (BaOrganization *self,
                           gboolean        include_unknown)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonArray) applications = NULL;
  g_autoptr(JsonArray) accounts = NULL;
  JsonNode *node;
  guint n_items;

  g_return_val_if_fail (BA_IS_ORGANIZATION (self), NULL);

  object = json_object_new ();
  _ba_json_set_string (object, "tenantId", self->tenant_id);
  _ba_json_set_string (object, "name", self->name);
  _ba_json_set_enum (object, "cloud", BA_TYPE_CLOUD_KIND, self->cloud);
  _ba_json_set_enum (object, "authType", BA_TYPE_AUTH_TYPE, self->auth_type);
  _ba_json_set_flags (object, "services", BA_TYPE_SERVICES, self->services);
  _ba_json_set_string (object, "impersonationAccount", self->impersonation_account);
  _ba_json_set_string (object, "ownApplicationId", self->own_application_id);

  applications = json_array_new ();
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->applications));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaBackupApplication) application = g_list_model_get_item (G_LIST_MODEL (self->applications), i);

      json_array_add_element (applications, ba_backup_application_serialize (application, include_unknown));
    }
  json_object_set_array_member (object, "applications", g_steal_pointer (&applications));

  accounts = json_array_new ();
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaBackupAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      json_array_add_element (accounts, ba_backup_account_serialize (account, include_unknown));
    }
  json_object_set_array_member (object, "accounts", g_steal_pointer (&accounts));

  /* Written only once there is one, so that older files stay as they were. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->deleted_applications));
  if (n_items > 0)
    {
      g_autoptr(JsonArray) deleted = json_array_new ();

      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(BaDeletedApplication) record = g_list_model_get_item (G_LIST_MODEL (self->deleted_applications), i);

          json_array_add_element (deleted, ba_deleted_application_serialize (record, include_unknown));
        }
      json_object_set_array_member (object, "deletedApplications", g_steal_pointer (&deleted));
    }

  if (include_unknown)
    _ba_json_add_unknown (object, self->unknown);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/**
 * ba_organization_deserialize:
 * @node: a JSON node as written by ba_organization_serialize()
 * @error: return location for a #BA_STORE_ERROR_CORRUPT error
 *
 * Returns: (transfer full) (nullable): the organization with its
 *   applications and accounts, or %NULL if a member is missing or has the
 *   wrong type; the message names the member
 */
BaOrganization *
ba_organization_deserialize (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(BaOrganization) self = NULL;
  JsonObject *object;
  JsonArray *applications = NULL;
  JsonArray *accounts = NULL;
  JsonArray *deleted = NULL;
  int cloud;
  int auth_type;
  guint services;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(object = _ba_json_get_object (node, error)))
    return NULL;

  self = g_object_new (BA_TYPE_ORGANIZATION, NULL);

  if (!_ba_json_get_string (object, "tenantId", TRUE, &self->tenant_id, error) ||
      !_ba_json_get_string (object, "name", FALSE, &self->name, error) ||
      !_ba_json_get_enum (object, "cloud", BA_TYPE_CLOUD_KIND, &cloud, error) ||
      !_ba_json_get_enum (object, "authType", BA_TYPE_AUTH_TYPE, &auth_type, error) ||
      !_ba_json_get_flags (object, "services", BA_TYPE_SERVICES, &services, error) ||
      !_ba_json_get_string (object, "impersonationAccount", FALSE, &self->impersonation_account, error) ||
      !_ba_json_get_string (object, "ownApplicationId", FALSE, &self->own_application_id, error) ||
      !_ba_json_get_array (object, "applications", &applications, error) ||
      !_ba_json_get_array (object, "accounts", &accounts, error) ||
      !_ba_json_get_array (object, "deletedApplications", &deleted, error))
    return NULL;

  /* -1 means absent: keep the defaults set in init. */
  if (cloud >= 0)
    self->cloud = cloud;
  if (auth_type >= 0)
    self->auth_type = auth_type;
  self->services = services;

  if (applications != NULL)
    {
      guint length = json_array_get_length (applications);

      for (guint i = 0; i < length; i++)
        {
          g_autoptr(BaBackupApplication) application = NULL;

          application = ba_backup_application_deserialize (json_array_get_element (applications, i), error);
          if (application == NULL)
            {
              /* Translators: prefixed to what is wrong with the Nth
               * application of an organization in the configuration. */
              g_prefix_error (error, _("application %u: "), i + 1);
              return NULL;
            }

          ba_organization_add_application (self, application);
        }
    }

  if (accounts != NULL)
    {
      guint length = json_array_get_length (accounts);

      for (guint i = 0; i < length; i++)
        {
          g_autoptr(BaBackupAccount) account = NULL;

          account = ba_backup_account_deserialize (json_array_get_element (accounts, i), error);
          if (account == NULL)
            {
              /* Translators: prefixed to what is wrong with the Nth
               * backup account of an organization in the configuration. */
              g_prefix_error (error, _("account %u: "), i + 1);
              return NULL;
            }

          ba_organization_add_account (self, account);
        }
    }

  if (deleted != NULL)
    {
      guint length = json_array_get_length (deleted);

      for (guint i = 0; i < length; i++)
        {
          g_autoptr(BaDeletedApplication) record = NULL;

          record = ba_deleted_application_deserialize (json_array_get_element (deleted, i), error);
          if (record == NULL)
            {
              /* Translators: prefixed to what is wrong with the Nth record
               * of a deleted application in the configuration. */
              g_prefix_error (error, _("deleted application %u: "), i + 1);
              return NULL;
            }

          g_list_store_append (self->deleted_applications, record);
        }
    }

  self->unknown = _ba_json_collect_unknown (object, known_members);

  return g_steal_pointer (&self);
}

/**
 * ba_auth_type_to_string:
 * @auth_type: a #BaAuthType
 *
 * Returns: (transfer none): a translated label for @auth_type
 */
const char *
ba_auth_type_to_string (BaAuthType auth_type)
{
  switch (auth_type)
    {
    case BA_AUTH_TYPE_MODERN_APP_ONLY:
      return _("Modern authentication (app-only)");

    case BA_AUTH_TYPE_MODERN_LEGACY:
      return _("Modern authentication with legacy protocols");

    case BA_AUTH_TYPE_BASIC:
      return _("Basic authentication");

    default:
      g_return_val_if_reached (_("Unknown authentication"));
    }
}

/**
 * ba_cloud_kind_to_string:
 * @cloud: a #BaCloudKind
 *
 * Returns: (transfer none): a translated label for @cloud
 */
const char *
ba_cloud_kind_to_string (BaCloudKind cloud)
{
  switch (cloud)
    {
    case BA_CLOUD_KIND_GLOBAL:
      return _("Global");

    case BA_CLOUD_KIND_US_GOV_L4:
      return _("US Government L4 (GCC High)");

    case BA_CLOUD_KIND_US_GOV_L5:
      return _("US Government L5 (DoD)");

    case BA_CLOUD_KIND_CHINA:
      return _("China (operated by 21Vianet)");

    default:
      g_return_val_if_reached (_("Unknown cloud"));
    }
}
