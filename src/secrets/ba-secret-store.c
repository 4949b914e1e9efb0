/* ba-secret-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-secret-store.h"

/* The attribute is the thumbprint, never the common name: two certificates
 * may share a name, and a lookup must find exactly the key's passphrase.
 * Nothing of a passphrase is ever logged here, not even its length. */

#define SHA1_ATTRIBUTE "sha1"

typedef struct
{
  gboolean removed;
} ClearData;

static char *
normalize_sha1 (const char *sha1)
{
  return g_ascii_strup (sha1, -1);
}

static char *
make_label (const char *common_name)
{
  /* Translators: the label of a desktop keyring entry, as Passwords and
   * Keys shows it; %s is the certificate's common name */
  return g_strdup_printf (_("Backup Access key passphrase for %s"),
                          common_name != NULL && *common_name != '\0' ? common_name : "?");
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *passphrase;

  passphrase = secret_password_lookup_nonpageable_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, passphrase, (GDestroyNotify) secret_password_free);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ClearData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->removed = secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The end of a clear_cb task: whether an entry was removed goes to @removed. */
static gboolean
clear_propagate (GAsyncResult *result,
                 gboolean     *removed,
                 GError      **error)
{
  ClearData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (removed != NULL)
    *removed = data->removed;

  return TRUE;
}

const SecretSchema *
ba_secret_store_get_passphrase_schema (void)
{
  static const SecretSchema schema = {
    BA_SECRET_STORE_PASSPHRASE_SCHEMA,
    SECRET_SCHEMA_NONE,
    {
      { SHA1_ATTRIBUTE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    /* reserved */
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/**
 * ba_secret_store_store_passphrase:
 * @sha1: the certificate's SHA-1 thumbprint, hex
 * @common_name: the certificate's common name, for the entry's label
 * @passphrase: the key file's passphrase
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Stores @passphrase in the default collection of the desktop keyring,
 * replacing an entry with the same thumbprint. Blocks: call it from a worker
 * thread.
 *
 * Returns: %TRUE on success
 */
gboolean
ba_secret_store_store_passphrase (const char    *sha1,
                                  const char    *common_name,
                                  const char    *passphrase,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autofree char *key = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (sha1 != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = normalize_sha1 (sha1);
  label = make_label (common_name);

  return secret_password_store_sync (ba_secret_store_get_passphrase_schema (),
                                     SECRET_COLLECTION_DEFAULT, label, passphrase,
                                     cancellable, error,
                                     SHA1_ATTRIBUTE, key,
                                     NULL);
}

void
ba_secret_store_store_passphrase_async (const char          *sha1,
                                        const char          *common_name,
                                        const char          *passphrase,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (sha1 != NULL);
  g_return_if_fail (passphrase != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_store_passphrase_async);

  key = normalize_sha1 (sha1);
  label = make_label (common_name);

  secret_password_store (ba_secret_store_get_passphrase_schema (),
                         SECRET_COLLECTION_DEFAULT, label, passphrase,
                         cancellable, store_cb, g_steal_pointer (&task),
                         SHA1_ATTRIBUTE, key,
                         NULL);
}

gboolean
ba_secret_store_store_passphrase_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_store_passphrase_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_secret_store_lookup_passphrase:
 * @sha1: the certificate's SHA-1 thumbprint, hex
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Blocks: call it from a worker thread.
 *
 * Returns: (transfer full) (nullable): the passphrase, to be freed with
 *   ba_secret_store_free_passphrase(), or %NULL (without @error) if the
 *   keyring holds none for @sha1
 */
char *
ba_secret_store_lookup_passphrase (const char    *sha1,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (sha1 != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = normalize_sha1 (sha1);

  /* Non-pageable: the passphrase stays out of swap while we hold it. */
  return secret_password_lookup_nonpageable_sync (ba_secret_store_get_passphrase_schema (),
                                                  cancellable, error,
                                                  SHA1_ATTRIBUTE, key,
                                                  NULL);
}

void
ba_secret_store_lookup_passphrase_async (const char          *sha1,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (sha1 != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_lookup_passphrase_async);

  key = normalize_sha1 (sha1);

  secret_password_lookup (ba_secret_store_get_passphrase_schema (),
                          cancellable, lookup_cb, g_steal_pointer (&task),
                          SHA1_ATTRIBUTE, key,
                          NULL);
}

char *
ba_secret_store_lookup_passphrase_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_lookup_passphrase_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_secret_store_clear_passphrase:
 * @sha1: the certificate's SHA-1 thumbprint, hex
 * @removed: (out) (optional): whether there was an entry to remove
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Removes the passphrase of @sha1 from the keyring. Blocks: call it from a
 * worker thread.
 *
 * Returns: %TRUE unless the keyring failed
 */
gboolean
ba_secret_store_clear_passphrase (const char    *sha1,
                                  gboolean      *removed,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autofree char *key = NULL;
  GError *local_error = NULL;
  gboolean found;

  g_return_val_if_fail (sha1 != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = normalize_sha1 (sha1);

  found = secret_password_clear_sync (ba_secret_store_get_passphrase_schema (),
                                      cancellable, &local_error,
                                      SHA1_ATTRIBUTE, key,
                                      NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (removed != NULL)
    *removed = found;

  return TRUE;
}

void
ba_secret_store_clear_passphrase_async (const char          *sha1,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (sha1 != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_clear_passphrase_async);
  g_task_set_task_data (task, g_new0 (ClearData, 1), g_free);

  key = normalize_sha1 (sha1);

  secret_password_clear (ba_secret_store_get_passphrase_schema (),
                         cancellable, clear_cb, g_steal_pointer (&task),
                         SHA1_ATTRIBUTE, key,
                         NULL);
}

gboolean
ba_secret_store_clear_passphrase_finish (GAsyncResult  *result,
                                         gboolean      *removed,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_clear_passphrase_async, FALSE);

  return clear_propagate (result, removed, error);
}

/**
 * ba_secret_store_free_passphrase:
 * @passphrase: (nullable) (transfer full): a passphrase from this module
 *
 * Wipes and frees a passphrase returned by a lookup.
 */
void
ba_secret_store_free_passphrase (char *passphrase)
{
  if (passphrase != NULL)
    secret_password_free (passphrase);
}

/* Refresh tokens of "stay signed in". Nothing of a token is ever logged. */

#define CLOUD_ATTRIBUTE "cloud"
#define TENANT_ATTRIBUTE "tenant"
#define CLIENT_ID_ATTRIBUTE "client-id"

typedef struct
{
  char *cloud;
  char *tenant;
  char *client_id;
} TokenLookupData;

static void
token_lookup_data_free (TokenLookupData *data)
{
  g_free (data->cloud);
  g_free (data->tenant);
  g_free (data->client_id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TokenLookupData, token_lookup_data_free)

const SecretSchema *
ba_secret_store_get_refresh_token_schema (void)
{
  static const SecretSchema schema = {
    BA_SECRET_STORE_REFRESH_TOKEN_SCHEMA,
    SECRET_SCHEMA_NONE,
    {
      { CLOUD_ATTRIBUTE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { TENANT_ATTRIBUTE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { CLIENT_ID_ATTRIBUTE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    /* reserved */
    0,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
  };

  return &schema;
}

void
ba_secret_store_store_refresh_token_async (const char         *cloud,
                                           const char         *tenant,
                                           const char         *client_id,
                                           const char         *account,
                                           const char         *token,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (cloud != NULL);
  g_return_if_fail (tenant != NULL);
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_store_refresh_token_async);

  /* Translators: the label of a desktop keyring entry, as Passwords and
   * Keys shows it; %s is the administrator's account, e.g. admin@contoso.com */
  label = g_strdup_printf (_("Backup Access sign-in of %s"),
                              account != NULL && *account != '\0' ? account : tenant);

  secret_password_store (ba_secret_store_get_refresh_token_schema (),
                         SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, store_cb, g_steal_pointer (&task),
                         CLOUD_ATTRIBUTE, cloud,
                         TENANT_ATTRIBUTE, tenant,
                         CLIENT_ID_ATTRIBUTE, client_id,
                         NULL);
}

gboolean
ba_secret_store_store_refresh_token_finish (GAsyncResult *result,
                                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_store_refresh_token_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_token_of_tenant (GTask *task)
{
  TokenLookupData *data = g_task_get_task_data (task);

  secret_password_lookup (ba_secret_store_get_refresh_token_schema (),
                          g_task_get_cancellable (task), lookup_cb, task,
                          CLOUD_ATTRIBUTE, data->cloud,
                          TENANT_ATTRIBUTE, data->tenant,
                          CLIENT_ID_ATTRIBUTE, data->client_id,
                          NULL);
}

static void
search_token_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenLookupData   *data = g_task_get_task_data (task);
  GError            *error = NULL;
  GList             *items;
  SecretRetrievable *newest = NULL;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretRetrievable *item = l->data;

      if (newest == NULL ||
          secret_retrievable_get_modified (item) > secret_retrievable_get_modified (newest))
        newest = item;
    }

  if (newest != NULL)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (newest);

      data->tenant = g_strdup (g_hash_table_lookup (attributes, TENANT_ATTRIBUTE));
    }

  g_list_free_full (items, g_object_unref);

  if (data->tenant == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  lookup_token_of_tenant (g_steal_pointer (&task));
}

void
ba_secret_store_lookup_refresh_token_async (const char         *cloud,
                                            const char         *tenant,
                                            const char         *client_id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(TokenLookupData) data = g_new0 (TokenLookupData, 1);

  g_return_if_fail (cloud != NULL);
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_lookup_refresh_token_async);

  data->cloud = g_strdup (cloud);
  data->tenant = g_strdup (tenant);
  data->client_id = g_strdup (client_id);
  g_task_set_task_data (task, g_steal_pointer (&data), (GDestroyNotify) token_lookup_data_free);

  if (tenant != NULL)
    {
      lookup_token_of_tenant (g_steal_pointer (&task));
      return;
    }

  secret_password_search (ba_secret_store_get_refresh_token_schema (),
                          SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                          cancellable, search_token_cb, g_steal_pointer (&task),
                          CLOUD_ATTRIBUTE, cloud,
                          CLIENT_ID_ATTRIBUTE, client_id,
                          NULL);
}

char *
ba_secret_store_lookup_refresh_token_finish (GAsyncResult *result,
                                             char        **found_tenant,
                                             GError      **error)
{
  TokenLookupData *data;
  char            *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_lookup_refresh_token_async, NULL);

  token = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));

  if (found_tenant != NULL)
    *found_tenant = token != NULL ? g_strdup (data->tenant) : NULL;

  return token;
}

void
ba_secret_store_clear_refresh_token_async (const char         *cloud,
                                           const char         *tenant,
                                           const char         *client_id,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cloud != NULL);
  g_return_if_fail (tenant != NULL);
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_clear_refresh_token_async);
  g_task_set_task_data (task, g_new0 (ClearData, 1), g_free);

  secret_password_clear (ba_secret_store_get_refresh_token_schema (),
                         cancellable, clear_cb, g_steal_pointer (&task),
                         CLOUD_ATTRIBUTE, cloud,
                         TENANT_ATTRIBUTE, tenant,
                         CLIENT_ID_ATTRIBUTE, client_id,
                         NULL);
}

gboolean
ba_secret_store_clear_refresh_token_finish (GAsyncResult *result,
                                            gboolean     *removed,
                                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_clear_refresh_token_async, FALSE);

  return clear_propagate (result, removed, error);
}
