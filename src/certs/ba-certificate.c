/* ba-certificate.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>
#include <time.h>

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <gnutls/pkcs12.h>

#include "ba-certificate-private.h"
#include "ba-enum-types.h"

/* A certificate and, when we can use it, a handle on its private key.
 *
 * The certificate itself never changes after construction, so everything
 * read from it is computed once and read without locks from any thread.
 * The key can be in three places, tried in this order when signing:
 *
 *  1. in memory (generated, imported, or loaded by our key store);
 *  2. behind a key loader: our key store decrypts the key file only when a
 *     signature is needed, so the plaintext key lives no longer than that;
 *  3. on a PKCS#11 token, named by a pkcs11: URI; the key never leaves it
 *     and GnuTLS asks for the PIN through the PIN function that ba-pkcs11.c
 *     installs.
 *
 * Signing happens in worker threads while the owner may still change where
 * the key lives (the key store saves a generated key, then says so), so the
 * key fields are guarded by a lock and copied out before use. */

#define NOT_BEFORE_SLACK_SECONDS (5 * 60)
#define MAX_NAME_CHARS 64  /* X.520 ub-common-name */
#define SERIAL_BYTES 16

struct _BaCertificate
{
  GObject parent_instance;

  /* Owned; immutable after construction. */
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t pubkey;
  GBytes *der;
  char *subject;
  char *common_name;
  char *issuer;
  char *serial;
  GDateTime *not_before;
  GDateTime *not_after;
  guint8 sha1[20];
  guint8 sha256[32];
  char *sha1_hex;
  char *sha256_hex;
  char *key_algorithm;
  guint key_bits;

  /* Owned; guarded by @lock because signing threads read them. */
  GMutex lock;
  gnutls_x509_privkey_t x509_key;
  BaKeyLocation key_location;
  char *key_uri;
  char *friendly_name;
  char *token_label;
  BaKeyLoader key_loader;
  gpointer key_loader_data;
  GDestroyNotify key_loader_destroy;
};

G_DEFINE_FINAL_TYPE (BaCertificate, ba_certificate, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-cert-error-quark, ba_cert_error)

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_COMMON_NAME,
  PROP_ISSUER,
  PROP_SERIAL,
  PROP_NOT_BEFORE,
  PROP_NOT_AFTER,
  PROP_SHA1_THUMBPRINT,
  PROP_SHA256_THUMBPRINT,
  PROP_KEY_ALGORITHM,
  PROP_KEY_BITS,
  PROP_KEY_LOCATION,
  PROP_KEY_URI,
  PROP_FRIENDLY_NAME,
  PROP_TOKEN_LABEL,
  PROP_HAS_PRIVATE_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* -------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static gpointer
init_gnutls_once (gpointer data)
{
  int ret = gnutls_global_init ();

  if (ret < 0)
    g_warning ("%s: gnutls_global_init failed: %s", G_STRFUNC, gnutls_strerror (ret));

  return GINT_TO_POINTER (ret);
}

/* GnuTLS initialises itself from a library constructor nowadays, but the
 * manual still asks for this call, and it is what loads the system's
 * configuration before the first key is made. */
static void
ensure_gnutls (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_gnutls_once, NULL);
}

static void
wipe_string (char *string)
{
  if (string == NULL)
    return;

  gnutls_memset (string, 0, strlen (string));
  g_free (string);
}

static void
free_datum (gnutls_datum_t *datum)
{
  if (datum->data == NULL)
    return;

  gnutls_memset (datum->data, 0, datum->size);
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

static GBytes *
bytes_from_datum (gnutls_datum_t *datum)
{
  GBytes *bytes = g_bytes_new (datum->data, datum->size);

  free_datum (datum);

  return bytes;
}

static char *
hex_upper (const guint8 *data,
           gsize         len)
{
  static const char digits[] = "0123456789ABCDEF";
  char *out = g_malloc (len * 2 + 1);
  gsize i;

  for (i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[len * 2] = '\0';

  return out;
}

/**
 * ba_base64url_encode:
 * @data: (array length=len): bytes
 * @len: how many
 *
 * Base64url (RFC 4648 §5) without padding, as JWTs (RFC 7515) want it.
 *
 * Returns: (transfer full): the text
 */
char *
ba_base64url_encode (const guint8 *data,
                     gsize         len)
{
  char *out;
  char *read;
  char *write;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len == 0)
    return g_strdup ("");

  out = g_base64_encode (data, len);
  for (read = write = out; *read != '\0' && *read != '='; read++, write++)
    {
      if (*read == '+')
        *write = '-';
      else if (*read == '/')
        *write = '_';
      else
        *write = *read;
    }
  *write = '\0';

  return out;
}

gboolean
_ba_cert_set_gnutls_error (GError      **error,
                           BaCertError   code,
                           int           gnutls_result,
                           const char   *message)
{
  g_debug ("%s: %s (GnuTLS %d: %s)",
           G_STRFUNC, message, gnutls_result, gnutls_strerror (gnutls_result));
  g_set_error_literal (error, BA_CERT_ERROR, code, message);

  return FALSE;
}

static gboolean
is_unsupported_algorithm (int gnutls_result)
{
  switch (gnutls_result)
    {
    case GNUTLS_E_UNKNOWN_CIPHER_TYPE:
    case GNUTLS_E_UNKNOWN_HASH_ALGORITHM:
    case GNUTLS_E_UNKNOWN_PK_ALGORITHM:
    case GNUTLS_E_UNKNOWN_ALGORITHM:
    case GNUTLS_E_UNKNOWN_PKCS_CONTENT_TYPE:
    case GNUTLS_E_UNIMPLEMENTED_FEATURE:
    case GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM:
    case GNUTLS_E_UNKNOWN_PKCS_BAG_TYPE:
    case GNUTLS_E_INSUFFICIENT_SECURITY:
      return TRUE;

    default:
      return FALSE;
    }
}

/* PEM may follow other text (openssl x509 -text writes it so). */
static gboolean
looks_like_pem (const guint8 *data,
                gsize         size)
{
  static const char marker[] = "-----BEGIN";
  gsize marker_len = sizeof marker - 1;
  gsize i;

  for (i = 0; i + marker_len <= size; i++)
    {
      if (memcmp (data + i, marker, marker_len) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *string = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;

  return string;
}

static char *
crt_get_common_name (gnutls_x509_crt_t crt)
{
  g_autofree char *value = NULL;
  size_t size = 0;
  int ret;

  ret = gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, NULL, &size);
  if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER)
    return NULL;

  value = g_malloc0 (size + 1);
  ret = gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, value, &size);
  if (ret < 0)
    return NULL;

  return g_steal_pointer (&value);
}

static const char *
pk_algorithm_name (int algorithm)
{
  switch (algorithm)
    {
    case GNUTLS_PK_RSA:
      return "RSA";

    case GNUTLS_PK_RSA_PSS:
      return "RSA-PSS";

    case GNUTLS_PK_DSA:
      return "DSA";

    case GNUTLS_PK_ECDSA:
      return "EC";

    case GNUTLS_PK_EDDSA_ED25519:
      return "Ed25519";

    case GNUTLS_PK_EDDSA_ED448:
      return "Ed448";

    default:
      {
        const char *name = gnutls_pk_algorithm_get_name (algorithm);

        return name != NULL ? name : "unknown";
      }
    }
}

/* Compares public keys through their SHA-256 key identifiers: two keys
 * match exactly when their public parts do. */
static gboolean
key_matches_crt (gnutls_x509_privkey_t key,
                 gnutls_x509_crt_t     crt)
{
  guint8 key_id[64];
  guint8 crt_id[64];
  size_t key_id_size = sizeof key_id;
  size_t crt_id_size = sizeof crt_id;

  if (gnutls_x509_privkey_get_key_id (key, GNUTLS_KEYID_USE_SHA256, key_id, &key_id_size) < 0)
    return FALSE;
  if (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA256, crt_id, &crt_id_size) < 0)
    return FALSE;

  return key_id_size == crt_id_size && memcmp (key_id, crt_id, key_id_size) == 0;
}

static gboolean
key_is_rsa (gnutls_x509_privkey_t key)
{
  return gnutls_x509_privkey_get_pk_algorithm2 (key, NULL) == GNUTLS_PK_RSA;
}

static GDateTime *
date_time_from_time_t (time_t when)
{
  if (when == (time_t) -1)
    return NULL;

  return g_date_time_new_from_unix_utc ((gint64) when);
}

/* -------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------- */

static void
ba_certificate_finalize (GObject *object)
{
  BaCertificate *self = (BaCertificate *) object;

  if (self->key_loader_destroy != NULL)
    self->key_loader_destroy (self->key_loader_data);

  g_clear_pointer (&self->x509_key, gnutls_x509_privkey_deinit);
  g_clear_pointer (&self->pubkey, gnutls_pubkey_deinit);
  g_clear_pointer (&self->crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->common_name, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->serial, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->sha1_hex, g_free);
  g_clear_pointer (&self->sha256_hex, g_free);
  g_clear_pointer (&self->key_algorithm, g_free);
  g_clear_pointer (&self->key_uri, g_free);
  g_clear_pointer (&self->friendly_name, g_free);
  g_clear_pointer (&self->token_label, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ba_certificate_parent_class)->finalize (object);
}

static void
ba_certificate_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaCertificate *self = BA_CERTIFICATE (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;

    case PROP_COMMON_NAME:
      g_value_set_string (value, self->common_name);
      break;

    case PROP_ISSUER:
      g_value_set_string (value, self->issuer);
      break;

    case PROP_SERIAL:
      g_value_set_string (value, self->serial);
      break;

    case PROP_NOT_BEFORE:
      g_value_set_boxed (value, self->not_before);
      break;

    case PROP_NOT_AFTER:
      g_value_set_boxed (value, self->not_after);
      break;

    case PROP_SHA1_THUMBPRINT:
      g_value_set_string (value, self->sha1_hex);
      break;

    case PROP_SHA256_THUMBPRINT:
      g_value_set_string (value, self->sha256_hex);
      break;

    case PROP_KEY_ALGORITHM:
      g_value_set_string (value, self->key_algorithm);
      break;

    case PROP_KEY_BITS:
      g_value_set_uint (value, self->key_bits);
      break;

    case PROP_KEY_LOCATION:
      g_value_set_enum (value, ba_certificate_get_key_location (self));
      break;

    case PROP_KEY_URI:
      g_value_set_string (value, ba_certificate_get_key_uri (self));
      break;

    case PROP_FRIENDLY_NAME:
      g_value_set_string (value, ba_certificate_get_friendly_name (self));
      break;

    case PROP_TOKEN_LABEL:
      g_value_set_string (value, ba_certificate_get_token_label (self));
      break;

    case PROP_HAS_PRIVATE_KEY:
      g_value_set_boolean (value, ba_certificate_has_private_key (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_certificate_class_init (BaCertificateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  ensure_gnutls ();

  object_class->finalize = ba_certificate_finalize;
  object_class->get_property = ba_certificate_get_property;

  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_COMMON_NAME] =
    g_param_spec_string ("common-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_ISSUER] =
    g_param_spec_string ("issuer", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_SERIAL] =
    g_param_spec_string ("serial", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_NOT_BEFORE] =
    g_param_spec_boxed ("not-before", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_NOT_AFTER] =
    g_param_spec_boxed ("not-after", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_SHA1_THUMBPRINT] =
    g_param_spec_string ("sha1-thumbprint", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_SHA256_THUMBPRINT] =
    g_param_spec_string ("sha256-thumbprint", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_KEY_ALGORITHM] =
    g_param_spec_string ("key-algorithm", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_KEY_BITS] =
    g_param_spec_uint ("key-bits", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* The next ones change when our key store takes over a key, or when the
   * PKCS#11 code fills in what it knows about the token. */
  properties[PROP_KEY_LOCATION] =
    g_param_spec_enum ("key-location", NULL, NULL,
                       BA_TYPE_KEY_LOCATION,
                       BA_KEY_LOCATION_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_KEY_URI] =
    g_param_spec_string ("key-uri", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FRIENDLY_NAME] =
    g_param_spec_string ("friendly-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOKEN_LABEL] =
    g_param_spec_string ("token-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_HAS_PRIVATE_KEY] =
    g_param_spec_boolean ("has-private-key", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_certificate_init (BaCertificate *self)
{
  g_mutex_init (&self->lock);
  self->key_location = BA_KEY_LOCATION_NONE;
}

/* -------------------------------------------------------------------------
 * Construction
 * ------------------------------------------------------------------------- */

static gboolean
read_certificate (BaCertificate  *self,
                  GError        **error)
{
  gnutls_datum_t datum = { NULL, 0 };
  guint8 serial[64];
  size_t size;
  unsigned int bits = 0;
  int algorithm;
  int ret;

  ret = gnutls_x509_crt_export2 (self->crt, GNUTLS_X509_FMT_DER, &datum);
  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                      _("The certificate is damaged and cannot be read."));
  self->der = bytes_from_datum (&datum);

  ret = gnutls_x509_crt_get_dn3 (self->crt, &datum, 0);
  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                      _("The certificate’s subject cannot be read."));
  self->subject = datum_to_string (&datum);

  ret = gnutls_x509_crt_get_issuer_dn3 (self->crt, &datum, 0);
  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                      _("The certificate’s issuer cannot be read."));
  self->issuer = datum_to_string (&datum);

  self->common_name = crt_get_common_name (self->crt);

  size = sizeof serial;
  ret = gnutls_x509_crt_get_serial (self->crt, serial, &size);
  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                      _("The certificate’s serial number cannot be read."));
  self->serial = hex_upper (serial, size);

  self->not_before = date_time_from_time_t (gnutls_x509_crt_get_activation_time (self->crt));
  self->not_after = date_time_from_time_t (gnutls_x509_crt_get_expiration_time (self->crt));
  if (self->not_before == NULL || self->not_after == NULL)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, GNUTLS_E_ASN1_DER_ERROR,
                                      _("The certificate’s validity dates cannot be read."));

  size = sizeof self->sha1;
  ret = gnutls_x509_crt_get_fingerprint (self->crt, GNUTLS_DIG_SHA1, self->sha1, &size);
  if (ret < 0 || size != sizeof self->sha1)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                      _("The certificate’s thumbprint cannot be computed."));
  self->sha1_hex = hex_upper (self->sha1, sizeof self->sha1);

  size = sizeof self->sha256;
  ret = gnutls_x509_crt_get_fingerprint (self->crt, GNUTLS_DIG_SHA256, self->sha256, &size);
  if (ret < 0 || size != sizeof self->sha256)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                      _("The certificate’s thumbprint cannot be computed."));
  self->sha256_hex = hex_upper (self->sha256, sizeof self->sha256);

  algorithm = gnutls_x509_crt_get_pk_algorithm (self->crt, &bits);
  if (algorithm < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, algorithm,
                                      _("The certificate’s public key cannot be read."));
  self->key_algorithm = g_strdup (pk_algorithm_name (algorithm));
  self->key_bits = bits;

  ret = gnutls_pubkey_init (&self->pubkey);
  if (ret >= 0)
    ret = gnutls_pubkey_import_x509 (self->pubkey, self->crt, 0);
  if (ret < 0)
    {
      g_clear_pointer (&self->pubkey, gnutls_pubkey_deinit);
      g_debug ("%s: the public key is unusable: %s", G_STRFUNC, gnutls_strerror (ret));
    }

  return TRUE;
}

/**
 * _ba_certificate_new_take:
 * @crt: (transfer full): the certificate
 * @x509_key: (transfer full) (nullable): its private key, when in memory
 * @location: where the key lives
 * @key_uri: (nullable): the pkcs11: URI or our key file
 * @error: return location for a #GError
 *
 * Takes ownership of @crt and @x509_key even when it fails. A key that does
 * not belong to @crt is refused with %BA_CERT_ERROR_KEY_MISMATCH.
 *
 * Returns: (transfer full): a certificate, or %NULL
 */
BaCertificate *
_ba_certificate_new_take (gnutls_x509_crt_t       crt,
                          gnutls_x509_privkey_t   x509_key,
                          BaKeyLocation           location,
                          const char             *key_uri,
                          GError                **error)
{
  g_autoptr(BaCertificate) self = NULL;

  g_return_val_if_fail (crt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_gnutls ();

  self = g_object_new (BA_TYPE_CERTIFICATE, NULL);
  self->crt = crt;
  self->x509_key = x509_key;
  self->key_location = location;
  self->key_uri = g_strdup (key_uri);

  if (!read_certificate (self, error))
    return NULL;

  if (x509_key != NULL && !key_matches_crt (x509_key, crt))
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_MISMATCH,
                           _("The private key does not belong to this certificate."));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * ba_certificate_new_from_data:
 * @der_or_pem: a certificate in DER or PEM
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a certificate without a key, or %NULL
 */
BaCertificate *
ba_certificate_new_from_data (GBytes  *der_or_pem,
                              GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum;
  gsize size = 0;
  int ret;

  g_return_val_if_fail (der_or_pem != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_gnutls ();

  datum.data = (unsigned char *) g_bytes_get_data (der_or_pem, &size);
  datum.size = size;

  ret = gnutls_x509_crt_init (&crt);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not read the certificate.")), NULL);

  if (looks_like_pem (datum.data, size))
    ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM);
  else
    ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);

  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                       _("This is not a certificate, or it is damaged. Choose a .cer, .crt or .pem file.")), NULL);

  return _ba_certificate_new_take (g_steal_pointer (&crt), NULL, BA_KEY_LOCATION_NONE, NULL, error);
}

/* -------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------- */

const char *
ba_certificate_get_subject (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->subject;
}

const char *
ba_certificate_get_common_name (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->common_name;
}

const char *
ba_certificate_get_issuer (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->issuer;
}

const char *
ba_certificate_get_serial (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->serial;
}

GDateTime *
ba_certificate_get_not_before (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->not_before;
}

GDateTime *
ba_certificate_get_not_after (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->not_after;
}

/**
 * ba_certificate_is_valid_at:
 * @self: a certificate
 * @when: (nullable): the moment, %NULL for now
 *
 * Only the dates: Entra ID does not check a chain for application
 * certificates, and an expired one still imports (the caller warns).
 */
gboolean
ba_certificate_is_valid_at (BaCertificate *self,
                            GDateTime     *when)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), FALSE);

  if (self->not_before == NULL || self->not_after == NULL)
    return FALSE;

  if (when == NULL)
    when = now = g_date_time_new_now_utc ();

  return g_date_time_compare (when, self->not_before) >= 0 &&
         g_date_time_compare (when, self->not_after) <= 0;
}

const char *
ba_certificate_get_sha1_thumbprint (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->sha1_hex;
}

const char *
ba_certificate_get_sha256_thumbprint (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->sha256_hex;
}

char *
ba_certificate_get_x5t (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return ba_base64url_encode (self->sha1, sizeof self->sha1);
}

char *
ba_certificate_get_x5t_s256 (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return ba_base64url_encode (self->sha256, sizeof self->sha256);
}

const char *
ba_certificate_get_key_algorithm (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->key_algorithm;
}

guint
ba_certificate_get_key_bits (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), 0);

  return self->key_bits;
}

BaKeyLocation
ba_certificate_get_key_location (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), BA_KEY_LOCATION_NONE);

  return self->key_location;
}

const char *
ba_certificate_get_key_uri (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->key_uri;
}

const char *
ba_certificate_get_friendly_name (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->friendly_name;
}

const char *
ba_certificate_get_token_label (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->token_label;
}

static gboolean
has_private_key_locked (BaCertificate *self)
{
  if (self->x509_key != NULL || self->key_loader != NULL)
    return TRUE;

  return self->key_location == BA_KEY_LOCATION_PKCS11 && self->key_uri != NULL;
}

gboolean
ba_certificate_has_private_key (BaCertificate *self)
{
  gboolean has_key;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), FALSE);

  g_mutex_lock (&self->lock);
  has_key = has_private_key_locked (self);
  g_mutex_unlock (&self->lock);

  return has_key;
}

GBytes *
ba_certificate_get_der (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->der != NULL ? g_bytes_ref (self->der) : NULL;
}

char *
ba_certificate_get_pem (BaCertificate *self)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *pem;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  if (gnutls_x509_crt_export2 (self->crt, GNUTLS_X509_FMT_PEM, &datum) < 0)
    return NULL;

  pem = g_strndup ((const char *) datum.data, datum.size);
  gnutls_free (datum.data);

  return pem;
}

char *
ba_certificate_get_base64 (BaCertificate *self)
{
  gconstpointer data;
  gsize size = 0;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  data = g_bytes_get_data (self->der, &size);

  return g_base64_encode (data, size);
}

/* -------------------------------------------------------------------------
 * Private API (ba-certificate-private.h)
 * ------------------------------------------------------------------------- */

gnutls_x509_crt_t
_ba_certificate_get_crt (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->crt;
}

gnutls_x509_privkey_t
_ba_certificate_get_x509_key (BaCertificate *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);

  return self->x509_key;
}

static void
notify_has_private_key_if_changed (BaCertificate *self,
                                   gboolean       had_key)
{
  if (ba_certificate_has_private_key (self) != had_key)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PRIVATE_KEY]);
}

void
_ba_certificate_set_key_location (BaCertificate *self,
                                  BaKeyLocation  location,
                                  const char    *key_uri)
{
  gboolean had_key;
  gboolean location_changed;
  gboolean uri_changed;

  g_return_if_fail (BA_IS_CERTIFICATE (self));

  had_key = ba_certificate_has_private_key (self);

  g_mutex_lock (&self->lock);
  location_changed = self->key_location != location;
  self->key_location = location;
  uri_changed = g_strcmp0 (self->key_uri, key_uri) != 0;
  if (uri_changed)
    {
      g_free (self->key_uri);
      self->key_uri = g_strdup (key_uri);
    }
  g_mutex_unlock (&self->lock);

  if (location_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_LOCATION]);
  if (uri_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_URI]);
  notify_has_private_key_if_changed (self, had_key);
}

void
_ba_certificate_set_key_loader (BaCertificate  *self,
                                BaKeyLoader     loader,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;
  gboolean had_key;

  g_return_if_fail (BA_IS_CERTIFICATE (self));

  had_key = ba_certificate_has_private_key (self);

  g_mutex_lock (&self->lock);
  old_destroy = self->key_loader_destroy;
  old_data = self->key_loader_data;
  self->key_loader = loader;
  self->key_loader_data = user_data;
  self->key_loader_destroy = destroy;
  g_mutex_unlock (&self->lock);

  if (old_destroy != NULL)
    old_destroy (old_data);

  notify_has_private_key_if_changed (self, had_key);
}

void
_ba_certificate_set_friendly_name (BaCertificate *self,
                                   const char    *friendly_name)
{
  g_return_if_fail (BA_IS_CERTIFICATE (self));

  if (g_strcmp0 (self->friendly_name, friendly_name) == 0)
    return;

  g_mutex_lock (&self->lock);
  g_free (self->friendly_name);
  self->friendly_name = g_strdup (friendly_name);
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRIENDLY_NAME]);
}

void
_ba_certificate_set_token_label (BaCertificate *self,
                                 const char    *token_label)
{
  g_return_if_fail (BA_IS_CERTIFICATE (self));

  if (g_strcmp0 (self->token_label, token_label) == 0)
    return;

  g_mutex_lock (&self->lock);
  g_free (self->token_label);
  self->token_label = g_strdup (token_label);
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_LABEL]);
}

/* -------------------------------------------------------------------------
 * Getting at the private key
 * ------------------------------------------------------------------------- */

/* Stands between GnuTLS and the PIN function that ba-pkcs11.c installs,
 * for one signature:
 *
 *  - to learn why a login failed: GnuTLS reports a wrong PIN and a person
 *    who cancelled the prompt with the same GNUTLS_E_PKCS11_PIN_ERROR;
 *  - to ask the person once: GnuTLS logs in again on another session while
 *    importing the key, and would ask twice. The PIN is kept only until
 *    the signature is made, then wiped; a PIN the token refused is never
 *    offered again. */
typedef struct
{
  gnutls_pin_callback_t func;
  void *data;
  char *pin;
  guint given;
  gboolean refused;
} PinRelay;

static void
pin_relay_clear (PinRelay *relay)
{
  g_clear_pointer (&relay->pin, wipe_string);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PinRelay, pin_relay_clear)

static int
pin_relay_cb (void         *user_data,
              int           attempt,
              const char   *token_url,
              const char   *token_label,
              unsigned int  flags,
              char         *pin,
              size_t        pin_max)
{
  PinRelay *relay = user_data;
  int ret;

  if (attempt == 0 && !(flags & GNUTLS_PIN_WRONG) &&
      relay->pin != NULL && strlen (relay->pin) < pin_max)
    {
      memcpy (pin, relay->pin, strlen (relay->pin) + 1);
      return 0;
    }

  g_clear_pointer (&relay->pin, wipe_string);

  if (relay->func == NULL)
    {
      relay->refused = TRUE;
      return -1;
    }

  ret = relay->func (relay->data, attempt, token_url, token_label, flags, pin, pin_max);
  if (ret < 0)
    {
      relay->refused = TRUE;
      return ret;
    }

  relay->given++;
  relay->pin = g_strndup (pin, pin_max);

  return ret;
}

static gboolean
set_token_error (GError         **error,
                 int              gnutls_result,
                 const PinRelay  *relay,
                 const char      *message)
{
  switch (gnutls_result)
    {
    case GNUTLS_E_PKCS11_PIN_LOCKED:
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_PIN_LOCKED, gnutls_result,
                                        _("The token’s PIN is locked after too many wrong tries. Unlock it with the token’s own tools, then try again."));

    case GNUTLS_E_PKCS11_PIN_ERROR:
      if (relay != NULL && relay->refused && relay->given == 0)
        return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_PIN_REQUIRED, gnutls_result,
                                          _("The token needs its PIN to use this key. Type the PIN when you are asked for it."));
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_PIN_INCORRECT, gnutls_result,
                                        _("The PIN is wrong. Type the PIN of the token that holds this key."));

    case GNUTLS_E_PKCS11_PIN_EXPIRED:
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_TOKEN, gnutls_result,
                                        _("The token’s PIN has expired. Change it with the token’s own tools, then try again."));

    case GNUTLS_E_PKCS11_REQUESTED_OBJECT_NOT_AVAILBLE:
    case GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE:
    case GNUTLS_E_PKCS11_SLOT_ERROR:
    case GNUTLS_E_PKCS11_DEVICE_ERROR:
    case GNUTLS_E_PKCS11_TOKEN_ERROR:
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_TOKEN, gnutls_result,
                                        _("The token that holds this key is not available. Connect it and try again."));

    default:
      if (is_unsupported_algorithm (gnutls_result))
        return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM, gnutls_result,
                                          _("The token cannot make this kind of signature. Use RS256 (RSA PKCS #1 v1.5) instead."));
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_TOKEN, gnutls_result, message);
    }
}

/* Returns a private key to sign with, or NULL with @error set. @relay must
 * outlive the key: a token key calls it whenever it needs to log in. */
static gnutls_privkey_t
acquire_privkey (BaCertificate  *self,
                 PinRelay       *relay,
                 gboolean       *on_token,
                 GError        **error)
{
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_autofree char *uri = NULL;
  BaKeyLoader loader;
  gpointer loader_data;
  BaKeyLocation location;
  int ret;

  *on_token = FALSE;

  ret = gnutls_privkey_init (&privkey);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not prepare the private key.")), NULL);

  g_mutex_lock (&self->lock);
  if (self->x509_key != NULL)
    {
      /* A copy, so that the caller's key may go while we sign. */
      ret = gnutls_privkey_import_x509 (privkey, self->x509_key, GNUTLS_PRIVKEY_IMPORT_COPY);
      g_mutex_unlock (&self->lock);
      if (ret < 0)
        return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                           _("Could not prepare the private key.")), NULL);
      return g_steal_pointer (&privkey);
    }
  loader = self->key_loader;
  loader_data = self->key_loader_data;
  location = self->key_location;
  uri = g_strdup (self->key_uri);
  g_mutex_unlock (&self->lock);

  if (loader != NULL)
    {
      gnutls_privkey_t loaded = loader (self, loader_data, error);

      if (loaded == NULL && error != NULL && *error == NULL)
        g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                             _("The private key could not be read from the key store."));
      return loaded;
    }

  if (location == BA_KEY_LOCATION_PKCS11 && uri != NULL)
    {
      relay->func = gnutls_pkcs11_get_pin_function (&relay->data);
      gnutls_privkey_set_pin_function (privkey, pin_relay_cb, relay);

      ret = gnutls_privkey_import_url (privkey, uri, 0);
      if (ret < 0)
        return (set_token_error (error, ret, relay, _("The key on the token cannot be used.")), NULL);

      *on_token = TRUE;
      return g_steal_pointer (&privkey);
    }

  g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY,
                       _("This certificate has no private key here, so it cannot sign. Choose a certificate with a private key."));
  return NULL;
}

static gnutls_sign_algorithm_t
sign_algorithm_for_scheme (BaSignatureScheme scheme)
{
  switch (scheme)
    {
    case BA_SIGNATURE_RSA_PKCS1_SHA256:
      return GNUTLS_SIGN_RSA_SHA256;

    case BA_SIGNATURE_RSA_PSS_SHA256:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;

    default:
      return GNUTLS_SIGN_UNKNOWN;
    }
}

/* -------------------------------------------------------------------------
 * Signing and verifying
 * ------------------------------------------------------------------------- */

/**
 * ba_certificate_sign:
 * @self: a certificate with a private key
 * @scheme: RS256 or PS256
 * @data: what to sign
 * @error: return location for a #GError
 *
 * Blocks: it may decrypt a key file or talk to a token and wait for a
 * person to type a PIN. Call it from a worker thread, or use
 * ba_certificate_sign_async().
 *
 * Returns: (transfer full): the signature, or %NULL
 */
GBytes *
ba_certificate_sign (BaCertificate      *self,
                     BaSignatureScheme   scheme,
                     GBytes             *data,
                     GError            **error)
{
  /* Before the key: the key calls it until it is gone. */
  g_auto(PinRelay) relay = { NULL, NULL, NULL, 0, FALSE };
  g_auto(gnutls_privkey_t) privkey = NULL;
  gnutls_sign_algorithm_t algorithm;
  gnutls_datum_t input;
  gnutls_datum_t signature = { NULL, 0 };
  gboolean on_token = FALSE;
  gsize size = 0;
  int pk;
  int ret;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  algorithm = sign_algorithm_for_scheme (scheme);
  if (algorithm == GNUTLS_SIGN_UNKNOWN)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("Unknown signature scheme."));
      return NULL;
    }

  if (g_strcmp0 (self->key_algorithm, "RSA") != 0)
    {
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                   /* Translators: %s is a key algorithm, such as “EC” */
                   _("This certificate has an %s key. Microsoft Entra applications need an RSA key: choose or generate a certificate with an RSA key."),
                   self->key_algorithm != NULL ? self->key_algorithm : "unknown");
      return NULL;
    }

  privkey = acquire_privkey (self, &relay, &on_token, error);
  if (privkey == NULL)
    return NULL;

  pk = gnutls_privkey_get_pk_algorithm (privkey, NULL);
  if (pk != GNUTLS_PK_RSA)
    {
      g_debug ("%s: the private key is %s, not RSA", G_STRFUNC, pk_algorithm_name (pk));
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                           _("The private key is not an RSA key. Microsoft Entra applications need an RSA key."));
      return NULL;
    }

  input.data = (unsigned char *) g_bytes_get_data (data, &size);
  input.size = size;

  ret = gnutls_privkey_sign_data2 (privkey, algorithm, 0, &input, &signature);
  if (ret < 0)
    {
      if (on_token)
        return (set_token_error (error, ret, &relay, _("The token could not sign. Check that it is connected and try again.")), NULL);
      if (is_unsupported_algorithm (ret))
        return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM, ret,
                                           _("This key cannot make this kind of signature.")), NULL);
      return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                         _("Could not sign with the private key.")), NULL);
    }

  return bytes_from_datum (&signature);
}

typedef struct
{
  BaSignatureScheme scheme;
  GBytes *data;
} SignData;

static void
sign_data_free (SignData *sign_data)
{
  g_clear_pointer (&sign_data->data, g_bytes_unref);
  g_free (sign_data);
}

static void
sign_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BaCertificate *self = source_object;
  SignData *sign_data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  signature = ba_certificate_sign (self, sign_data->scheme, sign_data->data, &error);
  if (signature == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_steal_pointer (&signature), (GDestroyNotify) g_bytes_unref);
}

void
ba_certificate_sign_async (BaCertificate       *self,
                           BaSignatureScheme    scheme,
                           GBytes              *data,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignData *sign_data;

  g_return_if_fail (BA_IS_CERTIFICATE (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_sign_async);

  sign_data = g_new0 (SignData, 1);
  sign_data->scheme = scheme;
  sign_data->data = g_bytes_ref (data);
  g_task_set_task_data (task, sign_data, (GDestroyNotify) sign_data_free);

  g_task_run_in_thread (task, sign_thread);
}

GBytes *
ba_certificate_sign_finish (BaCertificate  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_certificate_sign_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ba_certificate_verify:
 * @self: a certificate
 * @scheme: RS256 or PS256
 * @data: what was signed
 * @signature: the signature
 * @error: return location for a #GError
 *
 * Checks @signature with the certificate's public key.
 *
 * Returns: %TRUE when the signature is good
 */
gboolean
ba_certificate_verify (BaCertificate      *self,
                       BaSignatureScheme   scheme,
                       GBytes             *data,
                       GBytes             *signature,
                       GError            **error)
{
  gnutls_sign_algorithm_t algorithm;
  gnutls_datum_t input;
  gnutls_datum_t sig;
  gsize size = 0;
  int ret;

  g_return_val_if_fail (BA_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  algorithm = sign_algorithm_for_scheme (scheme);
  if (algorithm == GNUTLS_SIGN_UNKNOWN)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("Unknown signature scheme."));
      return FALSE;
    }

  if (self->pubkey == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                           _("The certificate’s public key cannot be used."));
      return FALSE;
    }

  input.data = (unsigned char *) g_bytes_get_data (data, &size);
  input.size = size;
  sig.data = (unsigned char *) g_bytes_get_data (signature, &size);
  sig.size = size;

  ret = gnutls_pubkey_verify_data2 (self->pubkey, algorithm, 0, &input, &sig);
  if (ret < 0)
    {
      BaCertError code = is_unsupported_algorithm (ret) ? BA_CERT_ERROR_UNSUPPORTED_ALGORITHM
                                                        : BA_CERT_ERROR_FAILED;

      return _ba_cert_set_gnutls_error (error, code, ret,
                                        _("The signature does not match the certificate."));
    }

  return TRUE;
}

/* -------------------------------------------------------------------------
 * Generating
 * ------------------------------------------------------------------------- */

/**
 * ba_certificate_validate_generate_args:
 * @name: (nullable): the common name
 * @bits: RSA key size
 * @years: validity
 * @error: return location for a #GError
 *
 * What ba_certificate_generate_async() accepts, for forms to check as
 * people type.
 *
 * Returns: %TRUE when the arguments are good
 */
gboolean
ba_certificate_validate_generate_args (const char  *name,
                                       guint        bits,
                                       guint        years,
                                       GError     **error)
{
  g_autofree char *stripped = NULL;
  const char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name != NULL)
    stripped = g_strstrip (g_strdup (name));

  if (stripped == NULL || *stripped == '\0')
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("Type a name for the certificate."));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("The name has characters that are not valid text. Type it again."));
      return FALSE;
    }

  for (p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                               _("The name cannot contain tabs, line breaks or other control characters."));
          return FALSE;
        }
    }

  if (g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    {
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                   /* Translators: %d is the longest name allowed, 64 */
                   _("The name is too long. Use at most %d characters."), MAX_NAME_CHARS);
      return FALSE;
    }

  if (bits != 2048 && bits != 3072 && bits != 4096)
    {
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is the key size that was asked for */
                   _("A key of %u bits is not offered. Choose 2048, 3072 or 4096 bits."), bits);
      return FALSE;
    }

  if (years < 1 || years > 10)
    {
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is the number of years that was asked for */
                   _("A certificate valid for %u years is not offered. Choose 1 to 10 years."), years);
      return FALSE;
    }

  return TRUE;
}

/* A positive 128-bit number: DER integers are signed, so the top bit must be
 * clear, and a zero first byte would make the encoding shorter than 16
 * bytes, so both are drawn again rather than patched (which would bias the
 * number). */
static gboolean
random_serial (guint8  serial[SERIAL_BYTES],
               GError **error)
{
  int ret;

  do
    {
      ret = gnutls_rnd (GNUTLS_RND_NONCE, serial, SERIAL_BYTES);
      if (ret < 0)
        return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                          _("Could not make a random serial number."));
      serial[0] &= 0x7f;
    }
  while (serial[0] == 0);

  return TRUE;
}

typedef struct
{
  char *name;
  guint bits;
  guint years;
} GenerateData;

static void
generate_data_free (GenerateData *generate_data)
{
  g_clear_pointer (&generate_data->name, g_free);
  g_free (generate_data);
}

static BaCertificate *
generate (const char    *name,
          guint          bits,
          guint          years,
          GCancellable  *cancellable,
          GError       **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_privkey_t) signer = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  guint8 serial[SERIAL_BYTES];
  guint8 key_id[20];
  size_t key_id_size = sizeof key_id;
  int ret;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  ret = gnutls_x509_privkey_init (&key);
  if (ret >= 0)
    ret = gnutls_x509_privkey_generate2 (key, GNUTLS_PK_RSA, bits, 0, NULL, 0);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not generate the key.")), NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!random_serial (serial, error))
    return NULL;

  now = g_date_time_new_now_utc ();
  not_after = g_date_time_add_years (now, (int) years);

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, name, strlen (name))) < 0 ||
      /* A little in the past, so that a server whose clock runs behind
       * ours does not see a certificate from the future. */
      (ret = gnutls_x509_crt_set_activation_time (crt, (time_t) (g_date_time_to_unix (now) - NOT_BEFORE_SLACK_SECONDS))) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, (time_t) g_date_time_to_unix (not_after))) < 0 ||
      (ret = gnutls_x509_crt_set_key (crt, key)) < 0 ||
      /* GnuTLS marks key usage critical, as RFC 5280 asks. */
      (ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
      (ret = gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size)) < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not make the certificate.")), NULL);

  if ((ret = gnutls_privkey_init (&signer)) < 0 ||
      (ret = gnutls_privkey_import_x509 (signer, key, 0)) < 0 ||
      (ret = gnutls_x509_crt_privkey_sign (crt, crt, signer, GNUTLS_DIG_SHA256, 0)) < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not sign the certificate.")), NULL);

  g_clear_pointer (&signer, gnutls_privkey_deinit);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return _ba_certificate_new_take (g_steal_pointer (&crt), g_steal_pointer (&key),
                                   BA_KEY_LOCATION_MEMORY, NULL, error);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GenerateData *generate_data = task_data;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  certificate = generate (generate_data->name, generate_data->bits, generate_data->years,
                          cancellable, &error);
  if (certificate == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%s: RSA %u in %.1f ms", G_STRFUNC, generate_data->bits,
           (g_get_monotonic_time () - start) / 1000.0);

  g_task_return_pointer (task, g_steal_pointer (&certificate), g_object_unref);
}

/**
 * ba_certificate_generate_async:
 * @name: the common name
 * @bits: 2048, 3072 or 4096
 * @years: 1 to 10
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Makes an RSA key and a self-signed certificate in a worker thread. When
 * @cancellable is cancelled the callback comes at once, with
 * %G_IO_ERROR_CANCELLED; a key being made then is thrown away when ready.
 */
void
ba_certificate_generate_async (const char          *name,
                               guint                bits,
                               guint                years,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GenerateData *generate_data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  ensure_gnutls ();

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_generate_async);

  if (!ba_certificate_validate_generate_args (name, bits, years, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  generate_data = g_new0 (GenerateData, 1);
  generate_data->name = g_strdup (name);
  generate_data->bits = bits;
  generate_data->years = years;
  g_task_set_task_data (task, generate_data, (GDestroyNotify) generate_data_free);

  /* A 4096-bit key can take seconds and cannot be interrupted; a wizard
   * being closed should not wait for it. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, generate_thread);
}

BaCertificate *
ba_certificate_generate_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_certificate_generate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -------------------------------------------------------------------------
 * PKCS #12 import
 * ------------------------------------------------------------------------- */

typedef struct
{
  gnutls_x509_privkey_t key;
  char *friendly_name;
} Pkcs12Key;

typedef struct
{
  gnutls_x509_crt_t crt;
  char *friendly_name;
} Pkcs12Crt;

static void
pkcs12_key_free (Pkcs12Key *key)
{
  g_clear_pointer (&key->key, gnutls_x509_privkey_deinit);
  g_clear_pointer (&key->friendly_name, g_free);
  g_free (key);
}

static void
pkcs12_crt_free (Pkcs12Crt *crt)
{
  g_clear_pointer (&crt->crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&crt->friendly_name, g_free);
  g_free (crt);
}

static gboolean
set_pkcs12_error (GError     **error,
                  int          gnutls_result,
                  const char  *what)
{
  g_debug ("%s: %s", G_STRFUNC, what);

  switch (gnutls_result)
    {
    case GNUTLS_E_DECRYPTION_FAILED:
    case GNUTLS_E_MAC_VERIFY_FAILED:
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_WRONG_PASSWORD, gnutls_result,
                                        _("The password is wrong. Type the password that protects this PFX file."));

    default:
      if (is_unsupported_algorithm (gnutls_result))
        return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM, gnutls_result,
                                          _("This PFX file is encrypted in a way Backup Access cannot read. Export it again with AES-256 or Triple DES encryption."));
      return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, gnutls_result,
                                        _("This file is not a PFX file, or it is damaged. Export the certificate with its private key again."));
    }
}

/* Reads every certificate and key out of @p12 with @password. A key that
 * fails to decrypt right after the MAC accepted the password means that
 * the file was made with two passwords; it is reported as a wrong one. */
static gboolean
read_pkcs12_bags (gnutls_pkcs12_t   p12,
                  const char       *password,
                  GPtrArray        *keys,
                  GPtrArray        *crts,
                  GError          **error)
{
  guint bag_index;
  int ret;

  for (bag_index = 0; ; bag_index++)
    {
      g_auto(gnutls_pkcs12_bag_t) bag = NULL;
      int count;
      int i;

      ret = gnutls_pkcs12_bag_init (&bag);
      if (ret < 0)
        return set_pkcs12_error (error, ret, "bag_init");

      ret = gnutls_pkcs12_get_bag (p12, bag_index, bag);
      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret < 0)
        return set_pkcs12_error (error, ret, "get_bag");

      if (gnutls_pkcs12_bag_get_type (bag, 0) == GNUTLS_BAG_ENCRYPTED)
        {
          ret = gnutls_pkcs12_bag_decrypt (bag, password);
          if (ret < 0)
            return set_pkcs12_error (error, ret, "bag_decrypt");
        }

      count = gnutls_pkcs12_bag_get_count (bag);
      if (count < 0)
        return set_pkcs12_error (error, count, "bag_get_count");

      for (i = 0; i < count; i++)
        {
          gnutls_datum_t data = { NULL, 0 };
          char *friendly_name = NULL;
          int type = gnutls_pkcs12_bag_get_type (bag, i);

          ret = gnutls_pkcs12_bag_get_data (bag, i, &data);
          if (ret < 0)
            return set_pkcs12_error (error, ret, "bag_get_data");

          /* Borrowed from the bag. */
          if (gnutls_pkcs12_bag_get_friendly_name (bag, i, &friendly_name) < 0)
            friendly_name = NULL;

          if (type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY || type == GNUTLS_BAG_PKCS8_KEY)
            {
              g_auto(gnutls_x509_privkey_t) key = NULL;
              Pkcs12Key *entry;

              ret = gnutls_x509_privkey_init (&key);
              if (ret >= 0)
                ret = gnutls_x509_privkey_import_pkcs8 (key, &data, GNUTLS_X509_FMT_DER, password,
                                                        type == GNUTLS_BAG_PKCS8_KEY ? GNUTLS_PKCS_PLAIN : 0);
              if (ret < 0)
                return set_pkcs12_error (error, ret, "privkey_import_pkcs8");

              entry = g_new0 (Pkcs12Key, 1);
              entry->key = g_steal_pointer (&key);
              entry->friendly_name = g_strdup (friendly_name);
              g_ptr_array_add (keys, entry);
            }
          else if (type == GNUTLS_BAG_CERTIFICATE)
            {
              g_auto(gnutls_x509_crt_t) crt = NULL;
              Pkcs12Crt *entry;

              ret = gnutls_x509_crt_init (&crt);
              if (ret >= 0)
                ret = gnutls_x509_crt_import (crt, &data, GNUTLS_X509_FMT_DER);
              if (ret < 0)
                return set_pkcs12_error (error, ret, "crt_import");

              entry = g_new0 (Pkcs12Crt, 1);
              entry->crt = g_steal_pointer (&crt);
              entry->friendly_name = g_strdup (friendly_name);
              g_ptr_array_add (crts, entry);
            }
          /* CRLs and secrets are of no use to us. */
        }
    }

  return TRUE;
}

/* Checks the MAC with each spelling of “no password” in turn: a PFX made
 * with an empty password and one made with none differ in how the empty
 * string is encoded (RFC 7292 B.1), and tools disagree on which to use.
 * Returns the password that works, NULL for a file without MAC (whose
 * bags then tell), or sets @error. */
static gboolean
find_pkcs12_password (gnutls_pkcs12_t      p12,
                      const char * const  *candidates,
                      guint                n_candidates,
                      gboolean            *has_mac,
                      guint               *chosen,
                      GError             **error)
{
  int last = GNUTLS_E_MAC_VERIFY_FAILED;
  guint i;

  *has_mac = TRUE;

  for (i = 0; i < n_candidates; i++)
    {
      int ret = gnutls_pkcs12_verify_mac (p12, candidates[i]);

      if (ret == 0)
        {
          *chosen = i;
          return TRUE;
        }

      if (ret == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND || ret == GNUTLS_E_INVALID_REQUEST)
        {
          *has_mac = FALSE;
          return TRUE;
        }

      if (ret != GNUTLS_E_MAC_VERIFY_FAILED)
        return set_pkcs12_error (error, ret, "verify_mac");

      last = ret;
    }

  return set_pkcs12_error (error, last, "verify_mac");
}

static BaCertificate *
pick_leaf (GPtrArray  *keys,
           GPtrArray  *crts,
           GError    **error)
{
  Pkcs12Key *other_key = NULL;
  guint i;
  guint j;

  if (keys->len == 0)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_PRIVATE_KEY,
                           _("This PFX file holds no private key, so Backup Access could not sign with it. Export the certificate together with its private key."));
      return NULL;
    }

  for (i = 0; i < keys->len; i++)
    {
      Pkcs12Key *key = g_ptr_array_index (keys, i);
      Pkcs12Crt *best = NULL;

      if (!key_is_rsa (key->key))
        {
          other_key = key;
          continue;
        }

      /* Renewed certificates can share a key: take the one that lasts
       * longest. */
      for (j = 0; j < crts->len; j++)
        {
          Pkcs12Crt *crt = g_ptr_array_index (crts, j);

          if (!key_matches_crt (key->key, crt->crt))
            continue;

          if (best == NULL ||
              gnutls_x509_crt_get_expiration_time (crt->crt) > gnutls_x509_crt_get_expiration_time (best->crt))
            best = crt;
        }

      if (best != NULL)
        {
          g_autoptr(BaCertificate) certificate = NULL;
          const char *friendly_name = best->friendly_name != NULL ? best->friendly_name : key->friendly_name;

          certificate = _ba_certificate_new_take (g_steal_pointer (&best->crt),
                                                  g_steal_pointer (&key->key),
                                                  BA_KEY_LOCATION_MEMORY, NULL, error);
          if (certificate == NULL)
            return NULL;

          if (friendly_name != NULL && *friendly_name != '\0')
            _ba_certificate_set_friendly_name (certificate, friendly_name);

          return g_steal_pointer (&certificate);
        }
    }

  if (other_key != NULL)
    {
      int algorithm = gnutls_x509_privkey_get_pk_algorithm2 (other_key->key, NULL);

      g_debug ("%s: the key is %s", G_STRFUNC, pk_algorithm_name (algorithm));
      if (algorithm == GNUTLS_PK_ECDSA)
        g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                             _("This PFX file holds an elliptic-curve (EC) key. Backup applications sign in to Microsoft Entra ID with RSA keys only: choose a certificate with an RSA key, or generate a new one."));
      else
        g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                     /* Translators: %s is a key algorithm, such as “DSA” */
                     _("This PFX file holds a %s key. Backup applications sign in to Microsoft Entra ID with RSA keys only: choose a certificate with an RSA key, or generate a new one."),
                     pk_algorithm_name (algorithm));
      return NULL;
    }

  if (crts->len == 0)
    g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_MISMATCH,
                         _("This PFX file holds a private key but no certificate. Export the certificate together with its private key."));
  else
    g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_MISMATCH,
                         _("The private key in this PFX file does not belong to any certificate in it. Export the certificate together with its own private key."));

  return NULL;
}

/**
 * ba_certificate_import_pkcs12:
 * @data: a PFX file's contents
 * @password: (nullable): its password; %NULL or "" for none
 * @error: return location for a #GError
 *
 * Blocks while the password is checked (PBKDF2 is slow on purpose); use
 * ba_certificate_import_pkcs12_async() from a main thread.
 *
 * Returns: (transfer full): the certificate that matches the key in the
 *   file, with the key in memory, or %NULL
 */
BaCertificate *
ba_certificate_import_pkcs12 (GBytes      *data,
                              const char  *password,
                              GError     **error)
{
  g_auto(gnutls_pkcs12_t) p12 = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) crts = NULL;
  const char *candidates[2];
  guint n_candidates;
  guint chosen = 0;
  gboolean has_mac = TRUE;
  gnutls_datum_t datum;
  gsize size = 0;
  guint i;
  int ret;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_gnutls ();

  datum.data = (unsigned char *) g_bytes_get_data (data, &size);
  datum.size = size;

  if (size == 0)
    return (set_pkcs12_error (error, GNUTLS_E_BASE64_DECODING_ERROR, "empty file"), NULL);

  ret = gnutls_pkcs12_init (&p12);
  if (ret < 0)
    return (set_pkcs12_error (error, ret, "pkcs12_init"), NULL);

  ret = gnutls_pkcs12_import (p12, &datum, GNUTLS_X509_FMT_DER, 0);
  if (ret < 0 && looks_like_pem (datum.data, size))
    ret = gnutls_pkcs12_import (p12, &datum, GNUTLS_X509_FMT_PEM, 0);
  if (ret < 0)
    {
      /* A file GnuTLS cannot even parse is damaged, whatever the reason
       * it gives: an unsupported algorithm shows only further in. */
      return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                         _("This file is not a PFX file, or it is damaged. Export the certificate with its private key again.")), NULL);
    }

  if (password != NULL && *password != '\0')
    {
      candidates[0] = password;
      n_candidates = 1;
    }
  else
    {
      candidates[0] = "";
      candidates[1] = NULL;
      n_candidates = 2;
    }

  if (!find_pkcs12_password (p12, candidates, n_candidates, &has_mac, &chosen, error))
    return NULL;

  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) pkcs12_key_free);
  crts = g_ptr_array_new_with_free_func ((GDestroyNotify) pkcs12_crt_free);

  /* Without a MAC only decryption tells whether a password is right; and
   * some writers protect the MAC with one spelling of “no password” and
   * the contents with the other. So the other spellings are tried too,
   * the one the MAC accepted first. */
  if (!has_mac)
    g_debug ("%s: the PFX file has no MAC", G_STRFUNC);

  for (i = 0; i < n_candidates; i++)
    {
      g_autoptr(GError) local_error = NULL;
      guint candidate = (chosen + i) % n_candidates;

      g_ptr_array_set_size (keys, 0);
      g_ptr_array_set_size (crts, 0);

      if (read_pkcs12_bags (p12, candidates[candidate], keys, crts, &local_error))
        break;

      if (i + 1 == n_candidates ||
          !g_error_matches (local_error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  return pick_leaf (keys, crts, error);
}

typedef struct
{
  GBytes *data;
  char *password;
} ImportData;

static void
import_data_free (ImportData *import_data)
{
  g_clear_pointer (&import_data->data, g_bytes_unref);
  g_clear_pointer (&import_data->password, wipe_string);
  g_free (import_data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *import_data = task_data;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  certificate = ba_certificate_import_pkcs12 (import_data->data, import_data->password, &error);
  if (certificate == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_steal_pointer (&certificate), g_object_unref);
}

void
ba_certificate_import_pkcs12_async (GBytes              *data,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportData *import_data;

  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_certificate_import_pkcs12_async);

  import_data = g_new0 (ImportData, 1);
  import_data->data = g_bytes_ref (data);
  import_data->password = g_strdup (password);
  g_task_set_task_data (task, import_data, (GDestroyNotify) import_data_free);

  g_task_run_in_thread (task, import_thread);
}

BaCertificate *
ba_certificate_import_pkcs12_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_certificate_import_pkcs12_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -------------------------------------------------------------------------
 * Export
 * ------------------------------------------------------------------------- */

/* Our key in a form PKCS #12 can carry: a copy of the in-memory key, or
 * the key store's, loaded for the purpose. A token's key never leaves it. */
static gnutls_x509_privkey_t
exportable_key (BaCertificate  *self,
                GError        **error)
{
  g_auto(gnutls_x509_privkey_t) copy = NULL;
  g_auto(gnutls_privkey_t) loaded = NULL;
  BaKeyLoader loader;
  gpointer loader_data;
  BaKeyLocation location;
  int ret;

  g_mutex_lock (&self->lock);
  location = self->key_location;
  loader = self->key_loader;
  loader_data = self->key_loader_data;
  if (self->x509_key != NULL)
    {
      ret = gnutls_x509_privkey_init (&copy);
      if (ret >= 0)
        ret = gnutls_x509_privkey_cpy (copy, self->x509_key);
      g_mutex_unlock (&self->lock);
      if (ret < 0)
        return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                           _("Could not prepare the private key.")), NULL);
      return g_steal_pointer (&copy);
    }
  g_mutex_unlock (&self->lock);

  if (location == BA_KEY_LOCATION_PKCS11)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_READ_ONLY,
                           _("The private key of this certificate is on a token and cannot leave it. Export the certificate as .cer or .pem instead."));
      return NULL;
    }

  if (loader == NULL)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY,
                           _("This certificate has no private key here, so it cannot be exported as a PFX file. Export it as .cer or .pem instead."));
      return NULL;
    }

  loaded = loader (self, loader_data, error);
  if (loaded == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE,
                             _("The private key could not be read from the key store."));
      return NULL;
    }

  ret = gnutls_privkey_export_x509 (loaded, &copy);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_READ_ONLY, ret,
                                       _("The private key of this certificate cannot be exported. Export the certificate as .cer or .pem instead.")), NULL);

  return g_steal_pointer (&copy);
}

static GBytes *
export_pfx (BaCertificate  *self,
            const char     *password,
            GError        **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_pkcs12_t) p12 = NULL;
  g_auto(gnutls_pkcs12_bag_t) crt_bag = NULL;
  g_auto(gnutls_pkcs12_bag_t) key_bag = NULL;
  gnutls_datum_t key_data = { NULL, 0 };
  gnutls_datum_t output = { NULL, 0 };
  gnutls_datum_t key_id;
  g_autofree char *friendly_name = NULL;
  guint8 key_id_data[20];
  size_t key_id_size = sizeof key_id_data;
  int crt_index;
  int key_index;
  int ret;

  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("Type a password to protect the PFX file: it holds the private key."));
      return NULL;
    }

  key = exportable_key (self, error);
  if (key == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  friendly_name = g_strdup (self->friendly_name != NULL ? self->friendly_name : self->common_name);
  g_mutex_unlock (&self->lock);

  /* The local key ID ties the key to its certificate for whoever reads the
   * file (Windows needs it). */
  ret = gnutls_x509_crt_get_key_id (self->crt, GNUTLS_KEYID_USE_SHA1, key_id_data, &key_id_size);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not write the PFX file.")), NULL);
  key_id.data = key_id_data;
  key_id.size = key_id_size;

  if ((ret = gnutls_pkcs12_init (&p12)) < 0 ||
      (ret = gnutls_pkcs12_bag_init (&crt_bag)) < 0 ||
      (ret = crt_index = gnutls_pkcs12_bag_set_crt (crt_bag, self->crt)) < 0 ||
      (ret = gnutls_pkcs12_bag_set_key_id (crt_bag, crt_index, &key_id)) < 0 ||
      (friendly_name != NULL &&
       (ret = gnutls_pkcs12_bag_set_friendly_name (crt_bag, crt_index, friendly_name)) < 0) ||
      (ret = gnutls_pkcs12_bag_encrypt (crt_bag, password, GNUTLS_PKCS_PBES2_AES_256)) < 0 ||
      (ret = gnutls_pkcs12_set_bag (p12, crt_bag)) < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not write the PFX file.")), NULL);

  ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_DER, password,
                                           GNUTLS_PKCS_PBES2_AES_256, &key_data);
  if (ret < 0)
    return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                       _("Could not write the PFX file.")), NULL);

  if ((ret = gnutls_pkcs12_bag_init (&key_bag)) < 0 ||
      (ret = key_index = gnutls_pkcs12_bag_set_data (key_bag, GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &key_data)) < 0 ||
      (ret = gnutls_pkcs12_bag_set_key_id (key_bag, key_index, &key_id)) < 0 ||
      (friendly_name != NULL &&
       (ret = gnutls_pkcs12_bag_set_friendly_name (key_bag, key_index, friendly_name)) < 0) ||
      (ret = gnutls_pkcs12_set_bag (p12, key_bag)) < 0 ||
      (ret = gnutls_pkcs12_generate_mac2 (p12, GNUTLS_MAC_SHA256, password)) < 0 ||
      (ret = gnutls_pkcs12_export2 (p12, GNUTLS_X509_FMT_DER, &output)) < 0)
    {
      free_datum (&key_data);
      return (_ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                         _("Could not write the PFX file.")), NULL);
    }

  free_datum (&key_data);

  return bytes_from_datum (&output);
}

/**
 * ba_certificate_export:
 * @self: a certificate
 * @format: cer, pem or pfx
 * @password: (nullable): for pfx, required
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the file's contents, or %NULL
 */
GBytes *
ba_certificate_export (BaCertificate        *self,
                       BaCertificateFormat   format,
                       const char           *password,
                       GError              **error)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (format)
    {
    case BA_CERTIFICATE_FORMAT_DER:
      return g_bytes_ref (self->der);

    case BA_CERTIFICATE_FORMAT_PEM:
      {
        char *pem = ba_certificate_get_pem (self);

        if (pem == NULL)
          {
            g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_FAILED,
                                 _("Could not write the certificate."));
            return NULL;
          }

        return g_bytes_new_take (pem, strlen (pem));
      }

    case BA_CERTIFICATE_FORMAT_PFX:
      return export_pfx (self, password, error);

    default:
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("Unknown file format."));
      return NULL;
    }
}
