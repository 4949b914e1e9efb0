/* ba-key-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "ba-certificate-private.h"
#include "ba-key-store.h"
#include "ba-secret-store.h"

/* Our key store: one directory (0700) holding, per certificate,
 *
 *   <SHA1>.key  the private key as PKCS#8, encrypted with PBES2 AES-256 under
 *               a random 256-bit passphrase, PEM, 0600
 *   <SHA1>.crt  the certificate, PEM, 0600 (public, but nobody else's business)
 *
 * and, in the desktop keyring, that passphrase (ba-secret-store.c). A key
 * never touches the disk in clear, and the passphrase never touches it at all.
 *
 * A save goes keyring first, then the key file, then the certificate file,
 * and undoes what it did if a later step fails or is cancelled: a keyring
 * entry without files is invisible but would stay forever, files without a
 * passphrase would be listed but useless. The certificate file is written
 * last because listing looks for it: until it exists, the save has not
 * happened. A delete goes the other way round, keyring first, so that a
 * locked keyring leaves the certificate whole rather than half gone.
 *
 * Listing reads the certificate files only; the keyring is asked for a
 * passphrase when a key is actually used (the key loader below), so showing
 * the list never prompts to unlock the keyring. */

#define SHA1_HEX_LENGTH 40
#define PASSPHRASE_BYTES 32

struct _BaKeyStore
{
  GObject parent_instance;

  char *directory;

  /* Saves and deletes look at the files, then change them: two of them on
   * the same store must not interleave. */
  GMutex lock;

  /* Tests only */
  BaKeyStoreStepFunc step_func;
  gpointer step_data;
};

G_DEFINE_FINAL_TYPE (BaKeyStore, ba_key_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char *sha1;
  char *key_path;
} KeyFile;

/* Owned strings that held a secret: wiped before they are freed. */
typedef char BaWipedString;

static void
wipe_and_free (BaWipedString *secret)
{
  if (secret == NULL)
    return;

  gnutls_memset (secret, 0, strlen (secret));
  g_free (secret);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaWipedString, wipe_and_free)

/* Passphrases from the keyring live in non-pageable memory of their own. */
typedef char BaKeyringSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaKeyringSecret, ba_secret_store_free_passphrase)

static void
gnutls_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, gnutls_datum_clear)

static void
key_file_free (gpointer data)
{
  KeyFile *key_file = data;

  g_free (key_file->sha1);
  g_free (key_file->key_path);
  g_free (key_file);
}

/* The thumbprint names files: anything but 40 hex digits is refused, so
 * that it can never name a path outside the store. Returns it uppercase. */
static char *
normalize_sha1 (const char *sha1)
{
  if (sha1 == NULL || strlen (sha1) != SHA1_HEX_LENGTH)
    return NULL;

  for (const char *p = sha1; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p))
        return NULL;
    }

  return g_ascii_strup (sha1, -1);
}

static char *
build_path (BaKeyStore *self,
            const char *sha1,
            const char *extension)
{
  g_autofree char *name = g_strconcat (sha1, extension, NULL);

  return g_build_filename (self->directory, name, NULL);
}

static void
set_not_found (GError     **error,
               const char  *sha1)
{
  g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NOT_FOUND,
               /* Translators: %s is a certificate's SHA-1 thumbprint */
               _("The key store has no certificate with thumbprint %s."), sha1);
}

/* What libsecret and D-Bus say is for developers; people are told what to
 * do. Cancellation stays G_IO_ERROR_CANCELLED. */
static void
propagate_keyring_error (GError **error,
                         GError  *keyring_error)
{
  if (g_error_matches (keyring_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, keyring_error);
      return;
    }

  g_debug ("%s(): keyring: %s", G_STRFUNC, keyring_error->message);
  g_error_free (keyring_error);
  g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                       _("The desktop keyring is locked or unavailable: unlock it and try again."));
}

static void
propagate_file_error (GError     **error,
                      GError      *file_error,
                      const char  *message)
{
  g_debug ("%s(): %s", G_STRFUNC, file_error->message);
  g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE, "%s %s", message, file_error->message);
  g_error_free (file_error);
}

static gboolean
ensure_directory (BaKeyStore  *self,
                  GError     **error)
{
  if (g_mkdir_with_parents (self->directory, 0700) != 0 ||
      g_chmod (self->directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                   /* Translators: %s is a folder, then the system's reason */
                   _("Could not create the key store folder “%s”: %s"),
                   self->directory, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_file (const char    *path,
            const char    *contents,
            gsize          length,
            GError       **error)
{
  GError *local_error = NULL;

  /* Durable as well as consistent: once the save has returned, the
   * certificate may be registered in Entra ID, and a crash must not lose
   * the only copy of its key. */
  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      propagate_file_error (error, local_error, _("Could not write the key store."));
      return FALSE;
    }

  return TRUE;
}

static char *
make_passphrase (void)
{
  guint8 raw[PASSPHRASE_BYTES];
  char *passphrase;
  int ret;

  ret = gnutls_rnd (GNUTLS_RND_KEY, raw, sizeof raw);
  if (ret < 0)
    {
      g_debug ("%s(): gnutls_rnd: %s", G_STRFUNC, gnutls_strerror (ret));
      return NULL;
    }

  passphrase = g_base64_encode (raw, sizeof raw);
  gnutls_memset (raw, 0, sizeof raw);

  return passphrase;
}

static gboolean
run_step (BaKeyStore      *self,
          BaKeyStoreStep   step,
          GCancellable    *cancellable,
          GError         **error)
{
  if (self->step_func != NULL && !self->step_func (self, step, self->step_data, error))
    return FALSE;

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Called in a worker thread when the key is first needed: for a signature
 * or a PFX export, never for listing. */
static gnutls_privkey_t
load_private_key (BaCertificate  *certificate,
                  gpointer        user_data,
                  GError        **error)
{
  KeyFile *key_file = user_data;
  g_autoptr(BaKeyringSecret) passphrase = NULL;
  g_auto(gnutls_x509_privkey_t) x509_key = NULL;
  g_auto(gnutls_privkey_t) key = NULL;
  g_autofree char *contents = NULL;
  gnutls_datum_t datum;
  gsize length = 0;
  GError *local_error = NULL;
  guint8 key_id[64];
  guint8 crt_id[64];
  size_t key_id_size = sizeof key_id;
  size_t crt_id_size = sizeof crt_id;
  int ret;

  if (!g_file_get_contents (key_file->key_path, &contents, &length, &local_error))
    {
      propagate_file_error (error, local_error,
                            _("The key file of this certificate is missing from the key store."));
      return NULL;
    }

  passphrase = ba_secret_store_lookup_passphrase (key_file->sha1, NULL, &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error);
      return NULL;
    }

  if (passphrase == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                           _("The passphrase of this certificate’s key is no longer in the desktop "
                             "keyring, so the key cannot be used. Delete the certificate, then "
                             "generate or import it again."));
      return NULL;
    }

  ret = gnutls_x509_privkey_init (&x509_key);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_KEY_STORE, ret,
                                 _("Could not read the key from the key store."));
      return NULL;
    }

  datum.data = (unsigned char *) contents;
  datum.size = length;
  ret = gnutls_x509_privkey_import2 (x509_key, &datum, GNUTLS_X509_FMT_PEM, passphrase, 0);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_KEY_STORE, ret,
                                 _("The key file could not be decrypted with its passphrase from "
                                   "the desktop keyring."));
      return NULL;
    }

  /* A key file swapped for another must not sign in this certificate's
   * name. */
  if (gnutls_x509_privkey_get_key_id (x509_key, GNUTLS_KEYID_USE_SHA256, key_id, &key_id_size) < 0 ||
      gnutls_x509_crt_get_key_id (_ba_certificate_get_crt (certificate), GNUTLS_KEYID_USE_SHA256,
                                  crt_id, &crt_id_size) < 0 ||
      key_id_size != crt_id_size ||
      memcmp (key_id, crt_id, key_id_size) != 0)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                           _("The key file in the key store does not belong to this certificate."));
      return NULL;
    }

  ret = gnutls_privkey_init (&key);
  if (ret >= 0)
    ret = gnutls_privkey_import_x509 (key, x509_key, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_KEY_STORE, ret,
                                 _("Could not read the key from the key store."));
      return NULL;
    }
  x509_key = NULL; /* owned by @key now */

  return g_steal_pointer (&key);
}

static gboolean
hex_equal (const guint8 *digest,
           gsize         digest_size,
           const char   *hex)
{
  g_autoptr(GString) string = g_string_new (NULL);

  for (gsize i = 0; i < digest_size; i++)
    g_string_append_printf (string, "%02X", digest[i]);

  return g_ascii_strcasecmp (string->str, hex) == 0;
}

/* Reads <SHA1>.crt into a certificate whose key loads from <SHA1>.key. */
static BaCertificate *
load_certificate (BaKeyStore  *self,
                  const char  *sha1,
                  GError     **error)
{
  g_autofree char *crt_path = build_path (self, sha1, ".crt");
  g_autofree char *key_path = build_path (self, sha1, ".key");
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autofree char *contents = NULL;
  GError *local_error = NULL;
  gnutls_datum_t datum;
  guint8 digest[20];
  size_t digest_size = sizeof digest;
  gsize length = 0;
  KeyFile *key_file;
  int ret;

  if (!g_file_test (key_path, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (crt_path, G_FILE_TEST_IS_REGULAR))
    {
      set_not_found (error, sha1);
      return NULL;
    }

  if (!g_file_get_contents (crt_path, &contents, &length, &local_error))
    {
      propagate_file_error (error, local_error, _("Could not read the key store."));
      return NULL;
    }

  ret = gnutls_x509_crt_init (&crt);
  if (ret >= 0)
    {
      datum.data = (unsigned char *) contents;
      datum.size = length;
      ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM);
    }
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                 _("A certificate file in the key store is damaged."));
      return NULL;
    }

  /* The name is how we find a certificate: a file under another
   * certificate's name would be found for the wrong thumbprint. */
  ret = gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA1, digest, &digest_size);
  if (ret < 0 || !hex_equal (digest, digest_size, sha1))
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT,
                           _("A certificate file in the key store does not match its name."));
      return NULL;
    }

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), NULL,
                                          BA_KEY_LOCATION_KEY_STORE, key_path, error);
  if (certificate == NULL)
    return NULL;

  key_file = g_new0 (KeyFile, 1);
  key_file->sha1 = g_strdup (sha1);
  key_file->key_path = g_strdup (key_path);
  _ba_certificate_set_key_loader (certificate, load_private_key, key_file, key_file_free);

  return g_steal_pointer (&certificate);
}

static int
compare_certificates (gconstpointer a,
                      gconstpointer b)
{
  BaCertificate *first = *(BaCertificate * const *) a;
  BaCertificate *second = *(BaCertificate * const *) b;
  const char *first_name = ba_certificate_get_common_name (first);
  const char *second_name = ba_certificate_get_common_name (second);
  int result;

  result = g_utf8_collate (first_name != NULL ? first_name : "",
                           second_name != NULL ? second_name : "");
  if (result != 0)
    return result;

  return g_strcmp0 (ba_certificate_get_sha1_thumbprint (first),
                    ba_certificate_get_sha1_thumbprint (second));
}

/* Removes what a failed save wrote. Not cancellable: a rollback that stops
 * half way is the orphan it exists to prevent. */
static void
roll_back (BaKeyStore *self,
           const char *sha1,
           gboolean    keyring_stored,
           gboolean    key_written,
           gboolean    crt_written)
{
  g_autoptr(GError) error = NULL;

  if (crt_written)
    {
      g_autofree char *crt_path = build_path (self, sha1, ".crt");

      if (g_unlink (crt_path) != 0 && errno != ENOENT)
        g_warning ("Could not remove %s after a failed save: %s", crt_path, g_strerror (errno));
    }

  if (key_written)
    {
      g_autofree char *key_path = build_path (self, sha1, ".key");

      if (g_unlink (key_path) != 0 && errno != ENOENT)
        g_warning ("Could not remove %s after a failed save: %s", key_path, g_strerror (errno));
    }

  if (keyring_stored && !ba_secret_store_clear_passphrase (sha1, NULL, NULL, &error))
    g_warning ("Could not remove the keyring entry of %s after a failed save: %s", sha1, error->message);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *certificates;

  certificates = ba_key_store_list (BA_KEY_STORE (source_object), cancellable, &error);
  if (certificates == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, certificates, (GDestroyNotify) g_ptr_array_unref);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  BaCertificate *certificate;

  certificate = ba_key_store_save (BA_KEY_STORE (source_object), BA_CERTIFICATE (task_data),
                                   cancellable, &error);
  if (certificate == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, certificate, g_object_unref);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (!ba_key_store_delete (BA_KEY_STORE (source_object), task_data, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
ba_key_store_constructed (GObject *object)
{
  BaKeyStore *self = BA_KEY_STORE (object);

  G_OBJECT_CLASS (ba_key_store_parent_class)->constructed (object);

  if (self->directory == NULL)
    self->directory = ba_key_store_get_default_directory ();
}

static void
ba_key_store_finalize (GObject *object)
{
  BaKeyStore *self = BA_KEY_STORE (object);

  g_free (self->directory);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ba_key_store_parent_class)->finalize (object);
}

static void
ba_key_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BaKeyStore *self = BA_KEY_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_key_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  BaKeyStore *self = BA_KEY_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      /* Construct-only */
      self->directory = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_key_store_class_init (BaKeyStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ba_key_store_constructed;
  object_class->finalize = ba_key_store_finalize;
  object_class->get_property = ba_key_store_get_property;
  object_class->set_property = ba_key_store_set_property;

  /**
   * BaKeyStore:directory:
   *
   * The folder of the key files; %NULL at construction means
   * `$XDG_DATA_HOME/backup-access/keys`.
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_key_store_init (BaKeyStore *self)
{
  g_mutex_init (&self->lock);
}

/**
 * ba_key_store_get_default_directory:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/backup-access/keys`
 */
char *
ba_key_store_get_default_directory (void)
{
  return g_build_filename (g_get_user_data_dir (), "backup-access", "keys", NULL);
}

/**
 * ba_key_store_new:
 * @directory: (nullable): the folder of the key files, or %NULL for the
 *   default one
 *
 * The folder is created (0700) by the first save, not here.
 *
 * Returns: (transfer full): a new #BaKeyStore
 */
BaKeyStore *
ba_key_store_new (const char *directory)
{
  return g_object_new (BA_TYPE_KEY_STORE,
                       "directory", directory,
                       NULL);
}

const char *
ba_key_store_get_directory (BaKeyStore *self)
{
  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);

  return self->directory;
}

/**
 * ba_key_store_list:
 * @self: a #BaKeyStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads every certificate that has both its files; a damaged or incomplete
 * pair is skipped (and logged), so that one bad file does not hide the
 * others. A folder that does not exist yet is an empty store. Never asks
 * the keyring.
 *
 * Returns: (transfer container) (element-type BaCertificate): the
 *   certificates, sorted by common name
 */
GPtrArray *
ba_key_store_list (BaKeyStore    *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) certificates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = NULL;
  GError *local_error = NULL;
  const char *name;

  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  dir = g_dir_open (self->directory, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_error_free (local_error);
          return g_steal_pointer (&certificates);
        }

      propagate_file_error (error, local_error, _("Could not read the key store."));
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *sha1 = NULL;
      g_autofree char *stem = NULL;
      g_autoptr(BaCertificate) certificate = NULL;
      g_autoptr(GError) load_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      if (!g_str_has_suffix (name, ".crt"))
        continue;

      stem = g_strndup (name, strlen (name) - strlen (".crt"));
      sha1 = normalize_sha1 (stem);
      /* Our own names are uppercase; anything else is not ours. */
      if (sha1 == NULL || strcmp (sha1, stem) != 0)
        continue;

      certificate = load_certificate (self, sha1, &load_error);
      if (certificate == NULL)
        {
          g_debug ("%s(): skipping %s: %s", G_STRFUNC, name, load_error->message);
          continue;
        }

      g_ptr_array_add (certificates, g_steal_pointer (&certificate));
    }

  g_ptr_array_sort (certificates, compare_certificates);

  return g_steal_pointer (&certificates);
}

void
ba_key_store_list_async (BaKeyStore          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_KEY_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_key_store_list_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
ba_key_store_list_finish (BaKeyStore    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_key_store_lookup:
 * @self: a #BaKeyStore
 * @sha1: a SHA-1 thumbprint, hex, any case
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the stored certificate, or %NULL
 *   with %BA_CERT_ERROR_NOT_FOUND
 */
BaCertificate *
ba_key_store_lookup (BaKeyStore  *self,
                     const char  *sha1,
                     GError     **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (sha1 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = normalize_sha1 (sha1);
  if (key == NULL)
    {
      set_not_found (error, sha1);
      return NULL;
    }

  return load_certificate (self, key, error);
}

/**
 * ba_key_store_save:
 * @self: a #BaKeyStore
 * @certificate: a certificate whose key is in memory (generated or imported)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Encrypts the key under a new random passphrase, stores the passphrase in
 * the keyring and writes both files. If the store already holds this
 * certificate, returns that one and changes nothing. On failure or
 * cancellation, undoes every step it made.
 *
 * Returns: (transfer full) (nullable): the stored certificate, whose key
 *   loads from the key store when it is used
 */
BaCertificate *
ba_key_store_save (BaKeyStore     *self,
                   BaCertificate  *certificate,
                   GCancellable   *cancellable,
                   GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BaWipedString) passphrase = NULL;
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  g_autoptr(BaCertificate) stored = NULL;
  g_autofree char *sha1 = NULL;
  g_autofree char *crt_pem = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *crt_path = NULL;
  gnutls_x509_privkey_t x509_key;
  GError *local_error = NULL;
  gboolean keyring_stored = FALSE;
  gboolean key_written = FALSE;
  gboolean crt_written = FALSE;
  int ret;

  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (BA_IS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  sha1 = normalize_sha1 (ba_certificate_get_sha1_thumbprint (certificate));
  g_return_val_if_fail (sha1 != NULL, NULL);

  key_path = build_path (self, sha1, ".key");
  crt_path = build_path (self, sha1, ".crt");

  /* Saving it again must not replace the passphrase of the key file that
   * is already there, nor roll back what an earlier save made. */
  stored = load_certificate (self, sha1, NULL);
  if (stored != NULL)
    return g_steal_pointer (&stored);

  x509_key = _ba_certificate_get_x509_key (certificate);
  if (x509_key == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY,
                           _("This certificate has no private key that could be kept in the key store."));
      return NULL;
    }

  if (!ensure_directory (self, error))
    return NULL;

  /* Everything that can fail without side effects comes first. */
  passphrase = make_passphrase ();
  if (passphrase == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                           _("Could not make a passphrase for the key."));
      return NULL;
    }

  ret = gnutls_x509_privkey_export2_pkcs8 (x509_key, GNUTLS_X509_FMT_PEM, passphrase,
                                           GNUTLS_PKCS_PBES2_AES_256, &key_pem);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_KEY_STORE, ret,
                                 _("Could not encrypt the key for the key store."));
      return NULL;
    }

  /* Never a plaintext key on disk, whatever GnuTLS did with the flags. */
  if (g_strstr_len ((const char *) key_pem.data, key_pem.size, "-----BEGIN ENCRYPTED PRIVATE KEY-----") == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                           _("Could not encrypt the key for the key store."));
      return NULL;
    }

  crt_pem = ba_certificate_get_pem (certificate);

  if (!run_step (self, BA_KEY_STORE_STEP_KEYRING, cancellable, error))
    goto fail;

  if (!ba_secret_store_store_passphrase (sha1, ba_certificate_get_common_name (certificate),
                                         passphrase, cancellable, &local_error))
    {
      propagate_keyring_error (error, local_error);
      goto fail;
    }
  keyring_stored = TRUE;

  if (!run_step (self, BA_KEY_STORE_STEP_KEY_FILE, cancellable, error))
    goto fail;

  /* A failed write leaves the path as it was (the file is written aside and
   * renamed), so only a successful one has anything to undo. */
  if (!write_file (key_path, (const char *) key_pem.data, key_pem.size, error))
    goto fail;
  key_written = TRUE;

  if (!run_step (self, BA_KEY_STORE_STEP_CERTIFICATE, cancellable, error))
    goto fail;

  if (!write_file (crt_path, crt_pem, strlen (crt_pem), error))
    goto fail;
  crt_written = TRUE;

  if (!run_step (self, BA_KEY_STORE_STEP_DONE, cancellable, error))
    goto fail;

  stored = load_certificate (self, sha1, error);
  if (stored == NULL)
    goto fail;

  g_debug ("%s(): saved %s", G_STRFUNC, sha1);

  return g_steal_pointer (&stored);

fail:
  roll_back (self, sha1, keyring_stored, key_written, crt_written);
  return NULL;
}

/**
 * ba_key_store_save_async:
 * @self: a #BaKeyStore
 * @certificate: a certificate whose key is in memory
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the save has finished
 * @user_data: data for @callback
 *
 * Runs ba_key_store_save() in a thread. The result is what happened, even
 * if @cancellable was cancelled too late to stop it: a caller told
 * "cancelled" about a certificate that was in fact saved would leave it
 * behind.
 */
void
ba_key_store_save_async (BaKeyStore          *self,
                         BaCertificate       *certificate,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_KEY_STORE (self));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_key_store_save_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_object_ref (certificate), g_object_unref);
  g_task_run_in_thread (task, save_thread);
}

BaCertificate *
ba_key_store_save_finish (BaKeyStore    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (BA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_key_store_delete:
 * @self: a #BaKeyStore
 * @sha1: the certificate's SHA-1 thumbprint, hex, any case
 * @cancellable: (nullable): a #GCancellable, looked at before anything is
 *   removed only
 * @error: return location for an error
 *
 * Removes the passphrase from the keyring, then the certificate and key
 * files. If the keyring fails, nothing is removed.
 *
 * Returns: %TRUE if something was removed
 */
gboolean
ba_key_store_delete (BaKeyStore    *self,
                     const char    *sha1,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *crt_path = NULL;
  GError *local_error = NULL;
  gboolean removed_secret = FALSE;
  gboolean key_exists;
  gboolean crt_exists;

  g_return_val_if_fail (BA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (sha1 != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  key = normalize_sha1 (sha1);
  if (key == NULL)
    {
      set_not_found (error, sha1);
      return FALSE;
    }

  key_path = build_path (self, key, ".key");
  crt_path = build_path (self, key, ".crt");
  key_exists = g_file_test (key_path, G_FILE_TEST_EXISTS);
  crt_exists = g_file_test (crt_path, G_FILE_TEST_EXISTS);

  /* From here on, not cancellable: a delete that stops half way leaves a
   * certificate whose key cannot be used. */
  if (!ba_secret_store_clear_passphrase (key, &removed_secret, NULL, &local_error))
    {
      propagate_keyring_error (error, local_error);
      return FALSE;
    }

  if (crt_exists && g_unlink (crt_path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                   /* Translators: %s is a file, then the system's reason */
                   _("Could not delete “%s”: %s"), crt_path, g_strerror (saved_errno));
      return FALSE;
    }

  if (key_exists && g_unlink (key_path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                   _("Could not delete “%s”: %s"), key_path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!key_exists && !crt_exists && !removed_secret)
    {
      set_not_found (error, key);
      return FALSE;
    }

  g_debug ("%s(): deleted %s", G_STRFUNC, key);

  return TRUE;
}

void
ba_key_store_delete_async (BaKeyStore          *self,
                           const char          *sha1,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_KEY_STORE (self));
  g_return_if_fail (sha1 != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_key_store_delete_async);
  /* Same as for saving: report what happened, not that it was too late. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_strdup (sha1), g_free);
  g_task_run_in_thread (task, delete_thread);
}

gboolean
ba_key_store_delete_finish (BaKeyStore    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (BA_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_ba_key_store_set_step_func (BaKeyStore         *self,
                             BaKeyStoreStepFunc  func,
                             gpointer            user_data)
{
  g_return_if_fail (BA_IS_KEY_STORE (self));

  self->step_func = func;
  self->step_data = user_data;
}
