/* ba-certificate-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ba-certificate-store.h"
#include "ba-key-store.h"
#include "ba-pkcs11.h"

/* One GListModel of every certificate usable for signing: ours (the key
 * store) first, sorted by name, then the tokens', in token order.
 *
 * The model belongs to the thread that made the store. Listing runs in a
 * worker thread and the result replaces the items on the store's thread with
 * one items-changed; an add or a delete changes the model there too, once
 * the key store is done. */

struct _BaCertificateStore
{
  GObject parent_instance;

  char *key_directory;
  gboolean include_tokens;

  /* Owned */
  BaKeyStore *key_store;
  GPtrArray *items;
  GError *token_error;

  /* Bumped by every add and delete: a refresh that listed before one of
   * them lists again, rather than undo it in the model. */
  guint64 generation;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BaCertificateStore, ba_certificate_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_KEY_DIRECTORY,
  PROP_INCLUDE_TOKENS,
  PROP_TOKEN_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GPtrArray *certificates;
  GError *token_error;
} Listing;

typedef struct
{
  BaKeyStore *key_store;
  gboolean include_tokens;
  guint64 generation;
} RefreshData;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->certificates, g_ptr_array_unref);
  g_clear_error (&listing->token_error);
  g_free (listing);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Listing, listing_free)

static void
refresh_data_free (RefreshData *data)
{
  g_clear_object (&data->key_store);
  g_free (data);
}

/* Runs in a worker thread for the async refresh: touches no member of the
 * store, only what it was handed. */
static Listing *
list_everything (BaKeyStore    *key_store,
                 gboolean       include_tokens,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(Listing) listing = g_new0 (Listing, 1);
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GPtrArray) tokens = NULL;

  listing->certificates = ba_key_store_list (key_store, cancellable, error);
  if (listing->certificates == NULL)
    return NULL;

  if (!include_tokens)
    return g_steal_pointer (&listing);

  tokens = ba_pkcs11_list_certificates_full (cancellable, &token_errors, error);
  if (tokens == NULL)
    return NULL;

  for (guint i = 0; i < tokens->len; i++)
    g_ptr_array_add (listing->certificates, g_object_ref (g_ptr_array_index (tokens, i)));

  /* One token's trouble is shown; the others' are in the debug log (from
   * ba-pkcs11.c) and come back at the next refresh if they persist. */
  if (token_errors->len > 0)
    listing->token_error = g_error_copy (g_ptr_array_index (token_errors, 0));

  return g_steal_pointer (&listing);
}

static gboolean
same_certificate (BaCertificate *a,
                  BaCertificate *b)
{
  return ba_certificate_get_key_location (a) == ba_certificate_get_key_location (b) &&
         g_strcmp0 (ba_certificate_get_sha1_thumbprint (a), ba_certificate_get_sha1_thumbprint (b)) == 0 &&
         g_strcmp0 (ba_certificate_get_key_uri (a), ba_certificate_get_key_uri (b)) == 0;
}

static void
set_token_error (BaCertificateStore *self,
                 GError             *token_error)
{
  if (self->token_error == NULL && token_error == NULL)
    return;

  g_clear_error (&self->token_error);
  self->token_error = token_error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_ERROR]);
}

/* Replaces the items with one items-changed. An item that is still there
 * keeps its object, so that a view's selection survives a refresh. */
static void
swap_items (BaCertificateStore *self,
            Listing            *listing)
{
  g_autoptr(GPtrArray) old_items = self->items;
  GPtrArray *new_items = g_ptr_array_new_full (listing->certificates->len, g_object_unref);

  for (guint i = 0; i < listing->certificates->len; i++)
    {
      BaCertificate *certificate = g_ptr_array_index (listing->certificates, i);
      BaCertificate *kept = certificate;

      for (guint j = 0; j < old_items->len; j++)
        {
          if (same_certificate (g_ptr_array_index (old_items, j), certificate))
            {
              kept = g_ptr_array_index (old_items, j);
              break;
            }
        }

      g_ptr_array_add (new_items, g_object_ref (kept));
    }

  self->items = new_items;
  set_token_error (self, g_steal_pointer (&listing->token_error));

  if (old_items->len > 0 || new_items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_items->len, new_items->len);
}

static gboolean
is_ours (BaCertificate *certificate)
{
  return ba_certificate_get_key_location (certificate) == BA_KEY_LOCATION_KEY_STORE;
}

static BaCertificate *
find_ours (BaCertificateStore *self,
           const char         *sha1,
           guint              *position)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      BaCertificate *certificate = g_ptr_array_index (self->items, i);

      if (is_ours (certificate) &&
          g_ascii_strcasecmp (ba_certificate_get_sha1_thumbprint (certificate), sha1) == 0)
        {
          if (position != NULL)
            *position = i;
          return certificate;
        }
    }

  return NULL;
}

static int
compare_names (BaCertificate *a,
               BaCertificate *b)
{
  const char *a_name = ba_certificate_get_common_name (a);
  const char *b_name = ba_certificate_get_common_name (b);
  int result = g_utf8_collate (a_name != NULL ? a_name : "", b_name != NULL ? b_name : "");

  if (result != 0)
    return result;

  return g_strcmp0 (ba_certificate_get_sha1_thumbprint (a), ba_certificate_get_sha1_thumbprint (b));
}

/* Puts a certificate of ours in its place among ours, or returns the one
 * already there. */
static BaCertificate *
insert_ours (BaCertificateStore *self,
             BaCertificate      *stored)
{
  BaCertificate *existing = find_ours (self, ba_certificate_get_sha1_thumbprint (stored), NULL);
  guint position = 0;

  self->generation++;

  if (existing != NULL)
    return existing;

  while (position < self->items->len &&
         is_ours (g_ptr_array_index (self->items, position)) &&
         compare_names (g_ptr_array_index (self->items, position), stored) < 0)
    position++;

  g_ptr_array_insert (self->items, position, g_object_ref (stored));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);

  return stored;
}

static void
remove_ours (BaCertificateStore *self,
             const char         *sha1)
{
  guint position;

  self->generation++;

  if (find_ours (self, sha1, &position) != NULL)
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
}

/* A token's certificate, handed to add(): nothing to save, its key is on
 * the token already. */
static BaCertificate *
add_token_certificate (BaCertificateStore *self,
                       BaCertificate      *certificate)
{
  const char *sha1 = ba_certificate_get_sha1_thumbprint (certificate);

  for (guint i = 0; i < self->items->len; i++)
    {
      BaCertificate *item = g_ptr_array_index (self->items, i);

      if (same_certificate (item, certificate) ||
          (!is_ours (item) && g_ascii_strcasecmp (ba_certificate_get_sha1_thumbprint (item), sha1) == 0 &&
           g_strcmp0 (ba_certificate_get_key_uri (item), ba_certificate_get_key_uri (certificate)) == 0))
        return item;
    }

  if (self->include_tokens)
    {
      g_ptr_array_add (self->items, g_object_ref (certificate));
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }

  return certificate;
}

static gboolean
refuse_token_certificate (BaCertificate  *certificate,
                          GError        **error)
{
  if (ba_certificate_get_key_location (certificate) != BA_KEY_LOCATION_PKCS11)
    return FALSE;

  g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_READ_ONLY,
                       _("This certificate is on a security token: delete it with the token’s own tools."));
  return TRUE;
}

static char *
normalize_thumbprint (const char *thumbprint)
{
  GString *string = g_string_new (NULL);

  for (const char *p = thumbprint; *p != '\0'; p++)
    {
      /* As admins copy them: "AB:CD…", "ab cd…" */
      if (*p == ':' || g_ascii_isspace (*p))
        continue;

      if (!g_ascii_isxdigit (*p))
        {
          g_string_free (string, TRUE);
          return NULL;
        }

      g_string_append_c (string, g_ascii_toupper (*p));
    }

  return g_string_free (string, FALSE);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *data = task_data;
  GError *error = NULL;
  Listing *listing;

  listing = list_everything (data->key_store, data->include_tokens, cancellable, &error);
  if (listing == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

static void refresh_listed_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data);

static void
start_listing (BaCertificateStore *self,
               GTask              *task)
{
  g_autoptr(GTask) listing_task = NULL;
  RefreshData *data = g_task_get_task_data (task);

  data->generation = self->generation;

  listing_task = g_task_new (self, g_task_get_cancellable (task), refresh_listed_cb, g_object_ref (task));
  g_task_set_source_tag (listing_task, start_listing);
  g_task_set_task_data (listing_task, data, NULL);
  g_task_run_in_thread (listing_task, refresh_thread);
}

static void
refresh_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(Listing) listing = NULL;
  RefreshData *data = g_task_get_task_data (task);
  GError *error = NULL;

  listing = g_task_propagate_pointer (G_TASK (result), &error);
  if (listing == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->generation != self->generation)
    {
      start_listing (self, task);
      return;
    }

  swap_items (self, listing);
  g_task_return_boolean (task, TRUE);
}

static void
add_saved_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaCertificateStore *self = g_task_get_source_object (task);
  g_autoptr(BaCertificate) stored = NULL;
  GError *error = NULL;

  stored = ba_key_store_save_finish (BA_KEY_STORE (object), result, &error);
  if (stored == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_object_ref (insert_ours (self, stored)), g_object_unref);
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaCertificateStore *self = g_task_get_source_object (task);
  BaCertificate *certificate = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ba_key_store_delete_finish (BA_KEY_STORE (object), result, &error))
    {
      /* Gone already: the model must not keep showing it. */
      if (g_error_matches (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND))
        remove_ours (self, ba_certificate_get_sha1_thumbprint (certificate));

      g_task_return_error (task, error);
      return;
    }

  remove_ours (self, ba_certificate_get_sha1_thumbprint (certificate));
  g_task_return_boolean (task, TRUE);
}

static GType
ba_certificate_store_get_item_type (GListModel *model)
{
  return BA_TYPE_CERTIFICATE;
}

static guint
ba_certificate_store_get_n_items (GListModel *model)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (model);

  return self->items->len;
}

static gpointer
ba_certificate_store_get_item (GListModel *model,
                               guint       position)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ba_certificate_store_get_item_type;
  iface->get_n_items = ba_certificate_store_get_n_items;
  iface->get_item = ba_certificate_store_get_item;
}

static void
ba_certificate_store_constructed (GObject *object)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);

  G_OBJECT_CLASS (ba_certificate_store_parent_class)->constructed (object);

  self->key_store = ba_key_store_new (self->key_directory);
}

static void
ba_certificate_store_dispose (GObject *object)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);

  g_clear_object (&self->key_store);
  if (self->items != NULL)
    g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (ba_certificate_store_parent_class)->dispose (object);
}

static void
ba_certificate_store_finalize (GObject *object)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->token_error);
  g_free (self->key_directory);

  G_OBJECT_CLASS (ba_certificate_store_parent_class)->finalize (object);
}

static void
ba_certificate_store_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);

  switch (prop_id)
    {
    case PROP_KEY_DIRECTORY:
      g_value_set_string (value, ba_certificate_store_get_key_directory (self));
      break;

    case PROP_INCLUDE_TOKENS:
      g_value_set_boolean (value, self->include_tokens);
      break;

    case PROP_TOKEN_ERROR:
      g_value_set_boxed (value, self->token_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_certificate_store_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BaCertificateStore *self = BA_CERTIFICATE_STORE (object);

  switch (prop_id)
    {
    case PROP_KEY_DIRECTORY:
      /* Construct-only */
      self->key_directory = g_value_dup_string (value);
      break;

    case PROP_INCLUDE_TOKENS:
      /* Construct-only */
      self->include_tokens = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_certificate_store_class_init (BaCertificateStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ba_certificate_store_constructed;
  object_class->dispose = ba_certificate_store_dispose;
  object_class->finalize = ba_certificate_store_finalize;
  object_class->get_property = ba_certificate_store_get_property;
  object_class->set_property = ba_certificate_store_set_property;

  properties[PROP_KEY_DIRECTORY] =
    g_param_spec_string ("key-directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_INCLUDE_TOKENS] =
    g_param_spec_boolean ("include-tokens", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_TOKEN_ERROR] =
    g_param_spec_boxed ("token-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_certificate_store_init (BaCertificateStore *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * ba_certificate_store_new:
 * @key_directory: (nullable): the key store's folder, %NULL for
 *   `$XDG_DATA_HOME/backup-access/keys`
 * @include_tokens: whether to list the PKCS#11 tokens' certificates too
 *
 * The store is empty until it is refreshed.
 *
 * Returns: (transfer full): a new #BaCertificateStore
 */
BaCertificateStore *
ba_certificate_store_new (const char *key_directory,
                          gboolean    include_tokens)
{
  return g_object_new (BA_TYPE_CERTIFICATE_STORE,
                       "key-directory", key_directory,
                       "include-tokens", include_tokens,
                       NULL);
}

const char *
ba_certificate_store_get_key_directory (BaCertificateStore *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), NULL);

  return ba_key_store_get_directory (self->key_store);
}

/**
 * ba_certificate_store_refresh_async:
 * @self: a #BaCertificateStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the model is up to date
 * @user_data: data for @callback
 *
 * Lists ours and, if asked for, the tokens' in a thread (a token may ask for
 * its PIN there), then replaces the items with one items-changed. A token
 * that fails does not fail the refresh: see
 * ba_certificate_store_get_token_error(). A cancelled refresh changes
 * nothing.
 */
void
ba_certificate_store_refresh_async (BaCertificateStore  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  g_return_if_fail (BA_IS_CERTIFICATE_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_store_refresh_async);

  data = g_new0 (RefreshData, 1);
  data->key_store = g_object_ref (self->key_store);
  data->include_tokens = self->include_tokens;
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  start_listing (self, task);
}

gboolean
ba_certificate_store_refresh_finish (BaCertificateStore  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_certificate_store_refresh:
 * @self: a #BaCertificateStore
 * @error: return location for an error
 *
 * ba_certificate_store_refresh_async() for the command line: blocks, and
 * may ask for a token's PIN in the calling thread.
 *
 * Returns: %TRUE if our key store could be read
 */
gboolean
ba_certificate_store_refresh (BaCertificateStore  *self,
                              GError             **error)
{
  g_autoptr(Listing) listing = NULL;

  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  listing = list_everything (self->key_store, self->include_tokens, NULL, error);
  if (listing == NULL)
    return FALSE;

  swap_items (self, listing);

  return TRUE;
}

/**
 * ba_certificate_store_lookup:
 * @self: a #BaCertificateStore
 * @thumbprint: a SHA-1 or SHA-256 thumbprint, hex, any case (colons and
 *   spaces are ignored)
 *
 * Looks in the model as it stands (refresh first).
 *
 * Returns: (transfer none) (nullable): the certificate, ours first if a
 *   token holds the same one
 */
BaCertificate *
ba_certificate_store_lookup (BaCertificateStore *self,
                             const char         *thumbprint)
{
  g_autofree char *wanted = NULL;
  gsize length;

  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), NULL);
  g_return_val_if_fail (thumbprint != NULL, NULL);

  wanted = normalize_thumbprint (thumbprint);
  if (wanted == NULL)
    return NULL;

  length = strlen (wanted);
  if (length != 40 && length != 64)
    return NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      BaCertificate *certificate = g_ptr_array_index (self->items, i);
      const char *candidate = length == 40
        ? ba_certificate_get_sha1_thumbprint (certificate)
        : ba_certificate_get_sha256_thumbprint (certificate);

      if (g_ascii_strcasecmp (candidate, wanted) == 0)
        return certificate;
    }

  return NULL;
}

/**
 * ba_certificate_store_add_async:
 * @self: a #BaCertificateStore
 * @certificate: a generated or imported certificate, key in memory
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the certificate is stored and in the model
 * @user_data: data for @callback
 *
 * Saves @certificate in the key store (in a thread) and puts the stored
 * certificate in the model. If it is there already, that one is the
 * result. The result says what happened even if @cancellable was cancelled
 * too late to stop the save, so that a caller can delete what it does not
 * want; a save that was stopped leaves nothing behind.
 */
void
ba_certificate_store_add_async (BaCertificateStore  *self,
                                BaCertificate       *certificate,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaCertificate *existing;

  g_return_if_fail (BA_IS_CERTIFICATE_STORE (self));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_store_add_async);
  g_task_set_check_cancellable (task, FALSE);

  if (ba_certificate_get_key_location (certificate) == BA_KEY_LOCATION_PKCS11)
    {
      g_task_return_pointer (task, g_object_ref (add_token_certificate (self, certificate)),
                             g_object_unref);
      return;
    }

  existing = find_ours (self, ba_certificate_get_sha1_thumbprint (certificate), NULL);
  if (existing != NULL)
    {
      g_task_return_pointer (task, g_object_ref (existing), g_object_unref);
      return;
    }

  ba_key_store_save_async (self->key_store, certificate, cancellable, add_saved_cb,
                           g_steal_pointer (&task));
}

BaCertificate *
ba_certificate_store_add_finish (BaCertificateStore  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_certificate_store_add:
 * @self: a #BaCertificateStore
 * @certificate: a generated or imported certificate, key in memory
 * @error: return location for an error
 *
 * ba_certificate_store_add_async() for the command line: blocks.
 *
 * Returns: (transfer full) (nullable): the stored certificate
 */
BaCertificate *
ba_certificate_store_add (BaCertificateStore  *self,
                          BaCertificate       *certificate,
                          GError             **error)
{
  g_autoptr(BaCertificate) stored = NULL;
  BaCertificate *existing;

  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), NULL);
  g_return_val_if_fail (BA_IS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (ba_certificate_get_key_location (certificate) == BA_KEY_LOCATION_PKCS11)
    return g_object_ref (add_token_certificate (self, certificate));

  existing = find_ours (self, ba_certificate_get_sha1_thumbprint (certificate), NULL);
  if (existing != NULL)
    return g_object_ref (existing);

  stored = ba_key_store_save (self->key_store, certificate, NULL, error);
  if (stored == NULL)
    return NULL;

  return g_object_ref (insert_ours (self, stored));
}

/**
 * ba_certificate_store_delete_async:
 * @self: a #BaCertificateStore
 * @certificate: one of ours
 * @cancellable: (nullable): a #GCancellable, looked at before anything is
 *   removed
 * @callback: called when the certificate is gone from disk, keyring and model
 * @user_data: data for @callback
 *
 * Deletes a certificate of ours: keyring entry, key file and certificate
 * file. A token's certificate is refused with %BA_CERT_ERROR_READ_ONLY.
 */
void
ba_certificate_store_delete_async (BaCertificateStore  *self,
                                   BaCertificate       *certificate,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (BA_IS_CERTIFICATE_STORE (self));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_store_delete_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_object_ref (certificate), g_object_unref);

  if (refuse_token_certificate (certificate, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  ba_key_store_delete_async (self->key_store, ba_certificate_get_sha1_thumbprint (certificate),
                             cancellable, delete_done_cb, g_steal_pointer (&task));
}

gboolean
ba_certificate_store_delete_finish (BaCertificateStore  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_certificate_store_delete:
 * @self: a #BaCertificateStore
 * @certificate: one of ours
 * @error: return location for an error
 *
 * ba_certificate_store_delete_async() for the command line: blocks.
 *
 * Returns: %TRUE if the certificate was deleted
 */
gboolean
ba_certificate_store_delete (BaCertificateStore  *self,
                             BaCertificate       *certificate,
                             GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *sha1;

  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), FALSE);
  g_return_val_if_fail (BA_IS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (refuse_token_certificate (certificate, error))
    return FALSE;

  sha1 = ba_certificate_get_sha1_thumbprint (certificate);
  if (!ba_key_store_delete (self->key_store, sha1, NULL, &local_error))
    {
      if (g_error_matches (local_error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND))
        remove_ours (self, sha1);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  remove_ours (self, sha1);

  return TRUE;
}

gboolean
ba_certificate_store_get_include_tokens (BaCertificateStore *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), FALSE);

  return self->include_tokens;
}

const GError *
ba_certificate_store_get_token_error (BaCertificateStore *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (self), NULL);

  return self->token_error;
}
