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
  ClearData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_secret_store_clear_passphrase_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (removed != NULL)
    *removed = data->removed;

  return TRUE;
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
