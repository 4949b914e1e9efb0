/* ba-certificate.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BA_CERT_ERROR (ba_cert_error_quark ())

/* One code per failure an admin must tell apart: each has its own message. */
typedef enum
{
  BA_CERT_ERROR_FAILED,
  BA_CERT_ERROR_INVALID_ARGUMENT,        /* bad name, bits or years */
  BA_CERT_ERROR_WRONG_PASSWORD,          /* PFX password (or none given) is wrong */
  BA_CERT_ERROR_NO_PRIVATE_KEY,          /* PFX holds no private key */
  BA_CERT_ERROR_KEY_MISMATCH,            /* key does not match any certificate */
  BA_CERT_ERROR_CORRUPT,                 /* not a PFX, truncated, garbage */
  BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,   /* e.g. an EC key, or a cipher GnuTLS lacks */
  BA_CERT_ERROR_NO_KEY,                  /* this certificate has no usable private key */
  BA_CERT_ERROR_PIN_REQUIRED,            /* a token needs a PIN and none was given */
  BA_CERT_ERROR_PIN_INCORRECT,
  BA_CERT_ERROR_PIN_LOCKED,
  BA_CERT_ERROR_TOKEN,                   /* a PKCS#11 token failed */
  BA_CERT_ERROR_NOT_FOUND,               /* no certificate with that thumbprint */
  BA_CERT_ERROR_KEY_STORE,               /* our key store or the keyring failed */
  BA_CERT_ERROR_READ_ONLY,               /* a token's certificate cannot be deleted or exported as PFX */
} BaCertError;

typedef enum
{
  BA_KEY_LOCATION_NONE,       /*< nick=none >*/
  BA_KEY_LOCATION_KEY_STORE,  /*< nick=key-store >*/
  BA_KEY_LOCATION_PKCS11,     /*< nick=pkcs11 >*/
  BA_KEY_LOCATION_MEMORY,     /*< nick=memory >*/
} BaKeyLocation;

typedef enum
{
  BA_SIGNATURE_RSA_PKCS1_SHA256, /*< nick=rs256 >*/
  BA_SIGNATURE_RSA_PSS_SHA256,   /*< nick=ps256 >*/
} BaSignatureScheme;

typedef enum
{
  BA_CERTIFICATE_FORMAT_DER, /*< nick=cer >*/
  BA_CERTIFICATE_FORMAT_PEM, /*< nick=pem >*/
  BA_CERTIFICATE_FORMAT_PFX, /*< nick=pfx >*/
} BaCertificateFormat;

#define BA_TYPE_CERTIFICATE (ba_certificate_get_type ())

G_DECLARE_FINAL_TYPE (BaCertificate, ba_certificate, BA, CERTIFICATE, GObject)

GQuark         ba_cert_error_quark                   (void);

/* Base64url without padding (RFC 7515), as JWT headers and x5t want it. */
char          *ba_base64url_encode                   (const guint8       *data,
                                                      gsize               len);

/* A certificate without a key, e.g. as read from a .cer file. */
BaCertificate *ba_certificate_new_from_data          (GBytes             *der_or_pem,
                                                      GError            **error);

const char    *ba_certificate_get_subject            (BaCertificate      *self);
const char    *ba_certificate_get_common_name        (BaCertificate      *self);
const char    *ba_certificate_get_issuer             (BaCertificate      *self);
const char    *ba_certificate_get_serial             (BaCertificate      *self); /* uppercase hex */
GDateTime     *ba_certificate_get_not_before         (BaCertificate      *self);
GDateTime     *ba_certificate_get_not_after          (BaCertificate      *self);
gboolean       ba_certificate_is_valid_at            (BaCertificate      *self,
                                                      GDateTime          *when);
const char    *ba_certificate_get_sha1_thumbprint    (BaCertificate      *self); /* uppercase hex */
const char    *ba_certificate_get_sha256_thumbprint  (BaCertificate      *self); /* uppercase hex */
char          *ba_certificate_get_x5t                (BaCertificate      *self); /* base64url SHA-1 */
char          *ba_certificate_get_x5t_s256           (BaCertificate      *self); /* base64url SHA-256 */
const char    *ba_certificate_get_key_algorithm      (BaCertificate      *self); /* "RSA", "EC"… */
guint          ba_certificate_get_key_bits           (BaCertificate      *self);
BaKeyLocation  ba_certificate_get_key_location       (BaCertificate      *self);
const char    *ba_certificate_get_key_uri            (BaCertificate      *self); /* pkcs11: URI, or key-store path */
const char    *ba_certificate_get_friendly_name      (BaCertificate      *self);
const char    *ba_certificate_get_token_label        (BaCertificate      *self); /* PKCS#11 only */
gboolean       ba_certificate_has_private_key        (BaCertificate      *self);
GBytes        *ba_certificate_get_der                (BaCertificate      *self);
char          *ba_certificate_get_pem                (BaCertificate      *self);
/* Base64 of the DER, as Graph's keyCredentials "key" wants it. */
char          *ba_certificate_get_base64             (BaCertificate      *self);

/* Works the same wherever the key lives; may ask for a token PIN through
 * the PKCS#11 PIN callback (see ba-pkcs11.h). */
GBytes        *ba_certificate_sign                   (BaCertificate      *self,
                                                      BaSignatureScheme   scheme,
                                                      GBytes             *data,
                                                      GError            **error);
void           ba_certificate_sign_async             (BaCertificate      *self,
                                                      BaSignatureScheme   scheme,
                                                      GBytes             *data,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
GBytes        *ba_certificate_sign_finish            (BaCertificate      *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
gboolean       ba_certificate_verify                 (BaCertificate      *self,
                                                      BaSignatureScheme   scheme,
                                                      GBytes             *data,
                                                      GBytes             *signature,
                                                      GError            **error);

/* Self-signed, CN=@name, RSA @bits (2048, 3072, 4096), valid @years (1–10),
 * digitalSignature key usage, random 128-bit serial. The key is in memory
 * (BA_KEY_LOCATION_MEMORY) until a BaKeyStore saves it. Runs in a thread;
 * cancellable between steps. */
void           ba_certificate_generate_async         (const char         *name,
                                                      guint               bits,
                                                      guint               years,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
BaCertificate *ba_certificate_generate_finish        (GAsyncResult       *result,
                                                      GError            **error);
gboolean       ba_certificate_validate_generate_args (const char         *name,
                                                      guint               bits,
                                                      guint               years,
                                                      GError            **error);

/* PKCS#12: the leaf certificate that matches the key; key in memory until
 * a BaKeyStore saves it. @password may be NULL or "" for none. */
BaCertificate *ba_certificate_import_pkcs12          (GBytes             *data,
                                                      const char         *password,
                                                      GError            **error);
void           ba_certificate_import_pkcs12_async    (GBytes             *data,
                                                      const char         *password,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
BaCertificate *ba_certificate_import_pkcs12_finish   (GAsyncResult       *result,
                                                      GError            **error);

/* DER or PEM for any certificate; PFX only when the key can be exported
 * (ours), encrypted with AES-256 and PBKDF2 under @password (required). */
GBytes        *ba_certificate_export                 (BaCertificate      *self,
                                                      BaCertificateFormat format,
                                                      const char         *password,
                                                      GError            **error);

G_END_DECLS
