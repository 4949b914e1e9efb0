/* test-certificate.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/pkcs11.h>

#include "ba-certificate-private.h"
#include "ba-enum-types.h"
#include "ba-test-utils.h"

/* Keys are slow to make: the tests that only need "a certificate with a
 * key" share one, made on first use. */
static BaCertificate *shared_certificate;

/* -------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static void
async_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static BaCertificate *
generate (const char    *name,
          guint          bits,
          guint          years,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_certificate_generate_async (name, bits, years, cancellable, async_result_cb, &result);
  wait_for_result (&result);

  return ba_certificate_generate_finish (result, error);
}

static BaCertificate *
get_shared_certificate (void)
{
  g_autoptr(GError) error = NULL;

  if (shared_certificate == NULL)
    {
      shared_certificate = generate ("Backup Access test", 2048, 2, NULL, &error);
      g_assert_no_error (error);
    }

  return shared_certificate;
}

static char *
sha_hex_upper (GChecksumType  type,
               GBytes        *bytes)
{
  g_autofree char *lower = g_compute_checksum_for_bytes (type, bytes);

  return g_ascii_strup (lower, -1);
}

static void
assert_upper_hex (const char *text,
                  gsize       length)
{
  gsize i;

  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, length);
  for (i = 0; i < length; i++)
    g_assert_true (g_ascii_isdigit (text[i]) || (text[i] >= 'A' && text[i] <= 'F'));
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_signs (BaCertificate *certificate)
{
  g_autoptr(GBytes) data = bytes_from_string ("header.payload");
  g_autoptr(GBytes) other = bytes_from_string ("header.payload!");
  g_autoptr(GError) error = NULL;
  BaSignatureScheme schemes[] = { BA_SIGNATURE_RSA_PKCS1_SHA256, BA_SIGNATURE_RSA_PSS_SHA256 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autoptr(GBytes) signature = NULL;

      signature = ba_certificate_sign (certificate, schemes[i], data, &error);
      g_assert_no_error (error);
      g_assert_nonnull (signature);
      g_assert_cmpuint (g_bytes_get_size (signature), ==, ba_certificate_get_key_bits (certificate) / 8);

      g_assert_true (ba_certificate_verify (certificate, schemes[i], data, signature, &error));
      g_assert_no_error (error);

      g_assert_false (ba_certificate_verify (certificate, schemes[i], other, signature, &error));
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_FAILED);
      g_clear_error (&error);
    }
}

/* Checks the certificate with GnuTLS directly, not through what the engine
 * reports about it. */
static void
assert_generated (BaCertificate *certificate,
                  const char    *name,
                  guint          bits,
                  guint          years)
{
  gnutls_x509_crt_t crt = _ba_certificate_get_crt (certificate);
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *expected_subject = g_strdup_printf ("CN=%s", name);
  g_autofree char *sha1 = sha_hex_upper (G_CHECKSUM_SHA1, der);
  g_autofree char *sha256 = sha_hex_upper (G_CHECKSUM_SHA256, der);
  g_autofree char *base64 = NULL;
  g_autofree char *expected_base64 = NULL;
  g_autofree char *x5t = NULL;
  g_autofree char *x5t_s256 = NULL;
  g_autofree char *pem = NULL;
  GDateTime *not_before;
  GDateTime *not_after;
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  unsigned int usage = 0;
  unsigned int critical = 0;
  unsigned int verify_status = 0;
  GTimeSpan skew;

  g_assert_cmpstr (ba_certificate_get_common_name (certificate), ==, name);
  g_assert_cmpstr (ba_certificate_get_subject (certificate), ==, expected_subject);
  g_assert_cmpstr (ba_certificate_get_issuer (certificate), ==, expected_subject);
  g_assert_cmpstr (ba_certificate_get_key_algorithm (certificate), ==, "RSA");
  g_assert_cmpuint (ba_certificate_get_key_bits (certificate), ==, bits);
  g_assert_cmpint (ba_certificate_get_key_location (certificate), ==, BA_KEY_LOCATION_MEMORY);
  g_assert_null (ba_certificate_get_key_uri (certificate));
  g_assert_true (ba_certificate_has_private_key (certificate));
  g_assert_nonnull (_ba_certificate_get_x509_key (certificate));

  /* Version 3, SHA-256 with RSA, positive 16-byte serial. */
  g_assert_cmpint (gnutls_x509_crt_get_version (crt), ==, 3);
  g_assert_cmpint (gnutls_x509_crt_get_signature_algorithm (crt), ==, GNUTLS_SIGN_RSA_SHA256);
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt, serial, &serial_size), ==, 0);
  g_assert_cmpuint (serial_size, ==, 16);
  g_assert_cmpuint (serial[0] & 0x80, ==, 0);
  g_assert_cmpuint (serial[0], !=, 0);
  assert_upper_hex (ba_certificate_get_serial (certificate), 32);

  /* Only digitalSignature, marked critical. */
  g_assert_cmpint (gnutls_x509_crt_get_key_usage (crt, &usage, &critical), ==, 0);
  g_assert_cmpuint (usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);
  g_assert_cmpuint (critical, !=, 0);

  /* The self-signature holds. DISABLE_CA_SIGN only lets a certificate
   * without the keyCertSign usage check its own signature; nothing here is
   * TLS, and no TLS verification anywhere is relaxed. */
  g_assert_cmpint (gnutls_x509_crt_verify (crt, &crt, 1, GNUTLS_VERIFY_DISABLE_CA_SIGN, &verify_status), ==, 0);
  g_assert_cmpuint (verify_status, ==, 0);

  /* Valid from a few minutes ago for @years years. */
  not_before = ba_certificate_get_not_before (certificate);
  not_after = ba_certificate_get_not_after (certificate);
  skew = g_date_time_difference (now, not_before);
  g_assert_cmpint (skew, >=, 60 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (skew, <=, 15 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (g_date_time_get_year (not_after), ==, g_date_time_get_year (now) + (int) years);
  g_assert_cmpint (g_date_time_difference (not_after, now), >=, (GTimeSpan) years * 365 * G_TIME_SPAN_DAY - G_TIME_SPAN_DAY);
  g_assert_cmpint (g_date_time_difference (not_after, now), <=, (GTimeSpan) years * 366 * G_TIME_SPAN_DAY + G_TIME_SPAN_DAY);
  g_assert_true (ba_certificate_is_valid_at (certificate, now));
  g_assert_true (ba_certificate_is_valid_at (certificate, NULL));

  /* Thumbprints and encodings agree with an independent computation. */
  assert_upper_hex (ba_certificate_get_sha1_thumbprint (certificate), 40);
  assert_upper_hex (ba_certificate_get_sha256_thumbprint (certificate), 64);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (certificate), ==, sha1);
  g_assert_cmpstr (ba_certificate_get_sha256_thumbprint (certificate), ==, sha256);
  base64 = ba_certificate_get_base64 (certificate);
  expected_base64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  g_assert_cmpstr (base64, ==, expected_base64);
  pem = ba_certificate_get_pem (certificate);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----\n"));
  x5t = ba_certificate_get_x5t (certificate);
  x5t_s256 = ba_certificate_get_x5t_s256 (certificate);
  g_assert_cmpuint (strlen (x5t), ==, 27);
  g_assert_cmpuint (strlen (x5t_s256), ==, 43);
  g_assert_null (strpbrk (x5t, "+/="));
  g_assert_null (strpbrk (x5t_s256, "+/="));
}

/* -------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------- */

static guint8
hex_value (char c)
{
  return (guint8) g_ascii_xdigit_value (c);
}

static void
test_base64url (void)
{
  /* The example of Microsoft's certificate credentials page. */
  const char *thumbprint = "84E05C1D98BCE3A5421D225B140B36E86A3D5534";
  const guint8 specials[] = { 0xfb, 0xff, 0xbf };
  guint8 raw[20];
  g_autofree char *x5t = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *url = NULL;
  guint i;

  for (i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) (hex_value (thumbprint[2 * i]) << 4 | hex_value (thumbprint[2 * i + 1]));

  x5t = ba_base64url_encode (raw, sizeof raw);
  g_assert_cmpstr (x5t, ==, "hOBcHZi846VCHSJbFAs26Go9VTQ");

  empty = ba_base64url_encode (NULL, 0);
  g_assert_cmpstr (empty, ==, "");
  one = ba_base64url_encode ((const guint8 *) "f", 1);
  g_assert_cmpstr (one, ==, "Zg");
  two = ba_base64url_encode ((const guint8 *) "fo", 2);
  g_assert_cmpstr (two, ==, "Zm8");
  /* Standard base64 would say "+/+/". */
  url = ba_base64url_encode (specials, sizeof specials);
  g_assert_cmpstr (url, ==, "-_-_");
}

static void
test_validate_args (void)
{
  struct {
    const char *name;
    guint bits;
    guint years;
    gboolean valid;
  } cases[] = {
    { "Backup", 2048, 2, TRUE },
    { "Backup", 3072, 1, TRUE },
    { "Backup", 4096, 10, TRUE },
    { "Sauvegarde élève — 備份", 2048, 2, TRUE },
    { "1234567890123456789012345678901234567890123456789012345678901234", 2048, 2, TRUE },
    { "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé", 2048, 2, TRUE },
    { NULL, 2048, 2, FALSE },
    { "", 2048, 2, FALSE },
    { "   ", 2048, 2, FALSE },
    { "tab\there", 2048, 2, FALSE },
    { "line\nbreak", 2048, 2, FALSE },
    { "escape\x1b", 2048, 2, FALSE },
    { "del\x7f", 2048, 2, FALSE },
    { "bad \xff utf-8", 2048, 2, FALSE },
    { "12345678901234567890123456789012345678901234567890123456789012345", 2048, 2, FALSE },
    { "Backup", 0, 2, FALSE },
    { "Backup", 1024, 2, FALSE },
    { "Backup", 2047, 2, FALSE },
    { "Backup", 8192, 2, FALSE },
    { "Backup", 2048, 0, FALSE },
    { "Backup", 2048, 11, FALSE },
    { "Backup", 2048, G_MAXUINT, FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean valid;

      g_test_message ("case %u", i);
      valid = ba_certificate_validate_generate_args (cases[i].name, cases[i].bits, cases[i].years, &error);
      g_assert_cmpint (valid, ==, cases[i].valid);
      if (cases[i].valid)
        {
          g_assert_no_error (error);
        }
      else
        {
          g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

static void
test_generate_bad_args (void)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = generate ("", 2048, 2, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (certificate);
  g_clear_error (&error);

  certificate = generate ("Backup", 1024, 2, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (certificate);
  g_clear_error (&error);

  certificate = generate ("Backup", 2048, 11, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_assert_null (certificate);
}

static void
test_generate_2048 (void)
{
  BaCertificate *first = get_shared_certificate ();
  g_autoptr(BaCertificate) second = NULL;
  g_autoptr(GError) error = NULL;

  assert_generated (first, "Backup Access test", 2048, 2);
  assert_signs (first);

  second = generate ("Backup Access test", 2048, 2, NULL, &error);
  g_assert_no_error (error);
  assert_generated (second, "Backup Access test", 2048, 2);

  /* Same name, yet a new key and a new serial. */
  g_assert_cmpstr (ba_certificate_get_serial (first), !=, ba_certificate_get_serial (second));
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (first), !=, ba_certificate_get_sha1_thumbprint (second));
  g_assert_false (gnutls_x509_crt_equals (_ba_certificate_get_crt (first), _ba_certificate_get_crt (second)));
}

static void
test_generate_years (void)
{
  guint years[] = { 1, 10 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (years); i++)
    {
      g_autoptr(BaCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;

      certificate = generate ("Années", 2048, years[i], NULL, &error);
      g_assert_no_error (error);
      assert_generated (certificate, "Années", 2048, years[i]);
    }
}

static void
test_generate_size (gconstpointer data)
{
  guint bits = GPOINTER_TO_UINT (data);
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = generate ("Backup Access big key", bits, 3, NULL, &error);
  g_assert_no_error (error);
  assert_generated (certificate, "Backup Access big key", bits, 3);
  assert_signs (certificate);
}

static void
test_generate_cancel_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  certificate = generate ("Cancelled", 2048, 2, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (certificate);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_generate_cancel_during (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cancelled_at;
  gint64 answered_at;

  /* A 3072-bit key takes far longer than the 20 ms before the cancel: the
   * key is being made when it comes. */
  ba_certificate_generate_async ("Cancelled", 3072, 2, cancellable, async_result_cb, &result);
  g_timeout_add (20, cancel_cb, cancellable);
  while (!g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (NULL, TRUE);
  cancelled_at = g_get_monotonic_time ();
  wait_for_result (&result);
  answered_at = g_get_monotonic_time ();

  certificate = ba_certificate_generate_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (certificate);

  /* The answer does not wait for the key. */
  g_assert_cmpint (answered_at - cancelled_at, <, 200 * 1000);
}

static void
test_sign_async (void)
{
  BaCertificate *certificate = get_shared_certificate ();
  g_autoptr(GBytes) data = bytes_from_string ("to be signed");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  ba_certificate_sign_async (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, NULL,
                             async_result_cb, &result);
  wait_for_result (&result);
  signature = ba_certificate_sign_finish (certificate, result, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature, &error));
  g_assert_no_error (error);

  /* PKCS #1 v1.5 is deterministic; PSS is salted. */
  again = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (signature, again));
  g_clear_pointer (&again, g_bytes_unref);
  g_clear_pointer (&signature, g_bytes_unref);

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  again = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (signature, again));

  /* A signature of one scheme does not pass for the other. */
  g_assert_false (ba_certificate_verify (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_FAILED);
  g_clear_error (&error);

  g_clear_object (&result);
  g_cancellable_cancel (cancellable);
  ba_certificate_sign_async (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, cancellable,
                             async_result_cb, &result);
  wait_for_result (&result);
  g_assert_null (ba_certificate_sign_finish (certificate, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_new_from_data (void)
{
  BaCertificate *original = get_shared_certificate ();
  g_autoptr(GBytes) der = ba_certificate_get_der (original);
  g_autofree char *pem = ba_certificate_get_pem (original);
  g_autofree char *noisy = g_strconcat ("Certificate:\n    Data: …\n", pem, NULL);
  g_autoptr(GBytes) pem_bytes = bytes_from_string (pem);
  g_autoptr(GBytes) noisy_bytes = bytes_from_string (noisy);
  g_autoptr(GBytes) garbage = bytes_from_string ("this is not a certificate");
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (der, 0, g_bytes_get_size (der) / 2);
  g_autoptr(GBytes) data = bytes_from_string ("data");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *inputs[] = { der, pem_bytes, noisy_bytes };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(BaCertificate) certificate = ba_certificate_new_from_data (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (certificate), ==,
                       ba_certificate_get_sha1_thumbprint (original));
      g_assert_cmpstr (ba_certificate_get_subject (certificate), ==, ba_certificate_get_subject (original));
      g_assert_cmpstr (ba_certificate_get_serial (certificate), ==, ba_certificate_get_serial (original));
      g_assert_true (g_date_time_equal (ba_certificate_get_not_after (certificate),
                                        ba_certificate_get_not_after (original)));
      g_assert_false (ba_certificate_has_private_key (certificate));
      g_assert_cmpint (ba_certificate_get_key_location (certificate), ==, BA_KEY_LOCATION_NONE);

      /* No key: it cannot sign, but it verifies the original's signatures. */
      g_assert_null (ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error));
      g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY);
      g_clear_error (&error);

      g_clear_pointer (&signature, g_bytes_unref);
      signature = ba_certificate_sign (original, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
      g_assert_no_error (error);
      g_assert_true (ba_certificate_verify (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, signature, &error));
      g_assert_no_error (error);
    }

  g_assert_null (ba_certificate_new_from_data (garbage, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_null (ba_certificate_new_from_data (half, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT);
}

static void
test_is_valid_at (void)
{
  BaCertificate *certificate = get_shared_certificate ();
  GDateTime *not_before = ba_certificate_get_not_before (certificate);
  GDateTime *not_after = ba_certificate_get_not_after (certificate);
  g_autoptr(GDateTime) before = g_date_time_add_seconds (not_before, -1);
  g_autoptr(GDateTime) after = g_date_time_add_seconds (not_after, 1);

  g_assert_true (ba_certificate_is_valid_at (certificate, not_before));
  g_assert_true (ba_certificate_is_valid_at (certificate, not_after));
  g_assert_false (ba_certificate_is_valid_at (certificate, before));
  g_assert_false (ba_certificate_is_valid_at (certificate, after));
}

static void
test_export (void)
{
  BaCertificate *certificate = get_shared_certificate ();
  g_autoptr(BaCertificate) from_cer = NULL;
  g_autoptr(BaCertificate) from_pem = NULL;
  g_autoptr(BaCertificate) from_pfx = NULL;
  g_autoptr(BaCertificate) no_key = NULL;
  g_autoptr(GBytes) cer = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("round trip");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  cer = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_DER, NULL, &error);
  g_assert_no_error (error);
  from_cer = ba_certificate_new_from_data (cer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_cer), ==, ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (cer, NULL))[0], ==, 0x30);

  pem = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PEM, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (pem, NULL), "-----BEGIN CERTIFICATE-----"));
  from_pem = ba_certificate_new_from_data (pem, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha256_thumbprint (from_pem), ==, ba_certificate_get_sha256_thumbprint (certificate));

  /* PFX: the password is required. */
  g_assert_null (ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, NULL, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "", &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  pfx = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "pässwörd", &error);
  g_assert_no_error (error);

  g_assert_null (ba_certificate_import_pkcs12 (pfx, "wrong", &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  from_pfx = ba_certificate_import_pkcs12 (pfx, "pässwörd", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_pfx), ==, ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_cmpstr (ba_certificate_get_friendly_name (from_pfx), ==, "Backup Access test");
  g_assert_true (ba_certificate_has_private_key (from_pfx));
  assert_signs (from_pfx);

  /* Signed by the imported key, verified by the original certificate. */
  signature = ba_certificate_sign (from_pfx, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature, &error));
  g_assert_no_error (error);

  /* Without a key there is no PFX. */
  no_key = ba_certificate_new_from_data (cer, &error);
  g_assert_no_error (error);
  g_assert_null (ba_certificate_export (no_key, BA_CERTIFICATE_FORMAT_PFX, "password", &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_NO_KEY);
}

static gboolean
find_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
test_export_pfx_openssl (void)
{
  BaCertificate *certificate = get_shared_certificate ();
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!find_program ("openssl"))
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  _ba_certificate_set_friendly_name (certificate, "Exported by Backup Access");
  pfx = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "s3cret", &error);
  g_assert_no_error (error);
  _ba_certificate_set_friendly_name (certificate, NULL);

  dir = g_dir_make_tmp ("ba-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "export.pfx", NULL);
  g_file_set_contents (path, g_bytes_get_data (pfx, NULL), g_bytes_get_size (pfx), &error);
  g_assert_no_error (error);

  /* Another implementation reads it, and sees AES-256 and a SHA-256 MAC. */
  {
    const char *argv[] = { "openssl", "pkcs12", "-in", path, "-passin", "pass:s3cret",
                           "-info", "-nodes", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  &out, &err, &status, &error);
    g_assert_no_error (error);
  }
  g_test_message ("%s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "MAC: sha256"));
  g_assert_nonnull (strstr (err, "AES-256-CBC"));
  g_assert_null (strstr (err, "RC2"));
  g_assert_null (strstr (err, "3DES"));
  g_assert_nonnull (strstr (out, "friendlyName: Exported by Backup Access"));
  g_assert_nonnull (strstr (out, "-----BEGIN PRIVATE KEY-----"));
  g_assert_nonnull (strstr (out, "-----BEGIN CERTIFICATE-----"));

  g_unlink (path);
  g_rmdir (dir);
}

/* A copy of the shared certificate's crt, for building others around it. */
static gnutls_x509_crt_t
copy_crt (BaCertificate *certificate)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;

  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = g_bytes_get_size (der);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);

  return crt;
}

static gnutls_x509_privkey_t
copy_key (BaCertificate *certificate)
{
  gnutls_x509_privkey_t key = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_cpy (key, _ba_certificate_get_x509_key (certificate)), ==, 0);

  return key;
}

typedef struct
{
  BaCertificate *source;
  guint calls;
  gboolean fail;
  gboolean destroyed;
} LoaderState;

static gnutls_privkey_t
test_key_loader (BaCertificate  *certificate,
                 gpointer        user_data,
                 GError        **error)
{
  LoaderState *state = user_data;
  gnutls_privkey_t privkey = NULL;

  g_assert_true (BA_IS_CERTIFICATE (certificate));
  state->calls++;

  if (state->fail)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE, "The keyring is locked.");
      return NULL;
    }

  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (privkey, copy_key (state->source),
                                               GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), ==, 0);

  return privkey;
}

static void
loader_state_destroyed (gpointer user_data)
{
  LoaderState *state = user_data;

  state->destroyed = TRUE;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

static guint
notify_count (GHashTable *counts,
              const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_private_new_take (void)
{
  BaCertificate *source = get_shared_certificate ();
  g_autoptr(BaCertificate) other = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  /* Key and certificate that do not belong together are refused. */
  other = generate ("Other", 2048, 1, NULL, &error);
  g_assert_no_error (error);
  certificate = _ba_certificate_new_take (copy_crt (source), copy_key (other),
                                          BA_KEY_LOCATION_MEMORY, NULL, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_MISMATCH);
  g_assert_null (certificate);
  g_clear_error (&error);

  certificate = _ba_certificate_new_take (copy_crt (source), copy_key (source),
                                          BA_KEY_LOCATION_KEY_STORE, "/keys/test.p8", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_certificate_get_key_location (certificate), ==, BA_KEY_LOCATION_KEY_STORE);
  g_assert_cmpstr (ba_certificate_get_key_uri (certificate), ==, "/keys/test.p8");
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (certificate), ==, ba_certificate_get_sha1_thumbprint (source));
  g_assert_nonnull (_ba_certificate_get_x509_key (certificate));
  assert_signs (certificate);
}

static void
test_private_key_loader (void)
{
  BaCertificate *source = get_shared_certificate ();
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaCertificate) from_pfx = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) data = bytes_from_string ("loaded");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) pfx = NULL;
  g_autoptr(GError) error = NULL;
  LoaderState state = { source, 0, FALSE, FALSE };

  certificate = _ba_certificate_new_take (copy_crt (source), NULL, BA_KEY_LOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ba_certificate_has_private_key (certificate));
  g_assert_null (_ba_certificate_get_x509_key (certificate));
  g_signal_connect (certificate, "notify", G_CALLBACK (count_notify_cb), counts);

  _ba_certificate_set_key_location (certificate, BA_KEY_LOCATION_KEY_STORE, "/keys/a.p12");
  _ba_certificate_set_key_location (certificate, BA_KEY_LOCATION_KEY_STORE, "/keys/a.p12");
  g_assert_cmpuint (notify_count (counts, "key-location"), ==, 1);
  g_assert_cmpuint (notify_count (counts, "key-uri"), ==, 1);
  /* A key-store location without a loader is not yet a usable key. */
  g_assert_false (ba_certificate_has_private_key (certificate));
  g_assert_cmpuint (notify_count (counts, "has-private-key"), ==, 0);

  _ba_certificate_set_key_loader (certificate, test_key_loader, &state, loader_state_destroyed);
  g_assert_true (ba_certificate_has_private_key (certificate));
  g_assert_cmpuint (notify_count (counts, "has-private-key"), ==, 1);
  g_assert_cmpuint (state.calls, ==, 0);

  /* The key is loaded for each use and not kept. */
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (source, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.calls, ==, 1);
  assert_signs (certificate);
  g_assert_cmpuint (state.calls, ==, 3);
  g_assert_null (_ba_certificate_get_x509_key (certificate));

  /* Our key store's keys can leave as PFX. */
  pfx = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "password", &error);
  g_assert_no_error (error);
  from_pfx = ba_certificate_import_pkcs12 (pfx, "password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha256_thumbprint (from_pfx), ==, ba_certificate_get_sha256_thumbprint (source));

  /* The loader's error reaches the caller unchanged. */
  state.fail = TRUE;
  g_clear_pointer (&signature, g_bytes_unref);
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_KEY_STORE);
  g_assert_null (signature);
  g_clear_error (&error);

  /* Friendly name and token label notify once per change. */
  _ba_certificate_set_friendly_name (certificate, "Mine");
  _ba_certificate_set_friendly_name (certificate, "Mine");
  g_assert_cmpstr (ba_certificate_get_friendly_name (certificate), ==, "Mine");
  g_assert_cmpuint (notify_count (counts, "friendly-name"), ==, 1);
  _ba_certificate_set_token_label (certificate, "Token");
  g_assert_cmpstr (ba_certificate_get_token_label (certificate), ==, "Token");
  g_assert_cmpuint (notify_count (counts, "token-label"), ==, 1);

  g_assert_false (state.destroyed);
  g_assert_finalize_object (g_steal_pointer (&certificate));
  g_assert_true (state.destroyed);
}

static void
test_properties (void)
{
  BaCertificate *certificate = get_shared_certificate ();
  g_autofree char *subject = NULL;
  g_autofree char *sha1 = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  BaKeyLocation location = BA_KEY_LOCATION_NONE;
  gboolean has_key = FALSE;
  guint bits = 0;

  g_object_get (certificate,
                "subject", &subject,
                "sha1-thumbprint", &sha1,
                "not-after", &not_after,
                "key-location", &location,
                "key-bits", &bits,
                "has-private-key", &has_key,
                NULL);
  g_assert_cmpstr (subject, ==, ba_certificate_get_subject (certificate));
  g_assert_cmpstr (sha1, ==, ba_certificate_get_sha1_thumbprint (certificate));
  g_assert_true (g_date_time_equal (not_after, ba_certificate_get_not_after (certificate)));
  g_assert_cmpint (location, ==, BA_KEY_LOCATION_MEMORY);
  g_assert_cmpuint (bits, ==, 2048);
  g_assert_true (has_key);
}

/* -------------------------------------------------------------------------
 * PKCS #11: the same signatures from a SoftHSM2 token
 * ------------------------------------------------------------------------- */

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TOKEN_PIN "123456"

typedef struct
{
  const char *answers[4];
  guint calls;
  int last_attempt;
  char *last_label;
} PinScript;

static int
script_pin_cb (void         *user_data,
               int           attempt,
               const char   *token_url,
               const char   *token_label,
               unsigned int  flags,
               char         *pin,
               size_t        pin_max)
{
  PinScript *script = user_data;
  const char *answer;

  answer = script->calls < G_N_ELEMENTS (script->answers) ? script->answers[script->calls] : NULL;
  script->calls++;
  script->last_attempt = attempt;
  g_free (script->last_label);
  script->last_label = g_strdup (token_label);

  if (answer == NULL)
    return -1;

  g_strlcpy (pin, answer, pin_max);
  return 0;
}

static char *softhsm_dir;

/* Before any thread exists: setenv() is not thread-safe. */
static void
configure_softhsm (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *conf_text = NULL;

  softhsm_dir = g_dir_make_tmp ("ba-softhsm-XXXXXX", &error);
  g_assert_no_error (error);
  tokens = g_build_filename (softhsm_dir, "tokens", NULL);
  g_assert_cmpint (g_mkdir (tokens, 0700), ==, 0);
  conf = g_build_filename (softhsm_dir, "softhsm2.conf", NULL);
  conf_text = g_strdup_printf ("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens);
  g_file_set_contents (conf, conf_text, -1, &error);
  g_assert_no_error (error);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
}

static void
set_up_token (BaCertificate *source)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  int status = 0;
  int ret;
  const char *init_argv[] = { "softhsm2-util", "--init-token", "--free", "--label", "ba-test",
                              "--so-pin", "654321", "--pin", TOKEN_PIN, NULL };
  gnutls_datum_t id = { (unsigned char *) "\x42", 1 };

  g_spawn_sync (NULL, (char **) init_argv, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* Only our token: not whatever p11-kit knows on this machine. */
  ret = gnutls_pkcs11_init (GNUTLS_PKCS11_FLAG_MANUAL, NULL);
  g_assert_cmpint (ret, ==, 0);
  ret = gnutls_pkcs11_add_provider (SOFTHSM_MODULE, NULL);
  g_assert_cmpint (ret, ==, 0);

  url = g_strdup ("pkcs11:token=ba-test?pin-value=" TOKEN_PIN);
  ret = gnutls_pkcs11_copy_x509_privkey2 (url, _ba_certificate_get_x509_key (source), "ba-key", &id,
                                          GNUTLS_KEY_DIGITAL_SIGNATURE,
                                          GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
                                          GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE |
                                          GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
  g_assert_cmpint (ret, ==, 0);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_remove (path);
}

static void
tear_down_token (void)
{
  if (softhsm_dir == NULL)
    return;

  remove_tree (softhsm_dir);
  g_clear_pointer (&softhsm_dir, g_free);
}

static BaCertificate *
token_certificate (BaCertificate *source)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = _ba_certificate_new_take (copy_crt (source), NULL, BA_KEY_LOCATION_PKCS11,
                                          "pkcs11:token=ba-test;object=ba-key;type=private", &error);
  g_assert_no_error (error);
  _ba_certificate_set_token_label (certificate, "ba-test");

  return g_steal_pointer (&certificate);
}

static void
test_pkcs11_sign (void)
{
  BaCertificate *source = get_shared_certificate ();
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("signed on a token");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) memory_signature = NULL;
  g_autoptr(GError) error = NULL;
  PinScript cancel = { { NULL }, 0, -1, NULL };
  PinScript wrong = { { "000000", NULL }, 0, -1, NULL };
  PinScript right = { { TOKEN_PIN, TOKEN_PIN }, 0, -1, NULL };

  if (!g_file_test (SOFTHSM_MODULE, G_FILE_TEST_EXISTS) || !find_program ("softhsm2-util"))
    {
      g_test_skip ("SoftHSM2 is not installed");
      return;
    }

  set_up_token (source);
  certificate = token_certificate (source);
  g_assert_true (ba_certificate_has_private_key (certificate));
  g_assert_null (_ba_certificate_get_x509_key (certificate));

  /* The person cancels the PIN prompt. */
  gnutls_pkcs11_set_pin_function (script_pin_cb, &cancel);
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  g_assert_null (signature);
  g_assert_cmpuint (cancel.calls, ==, 1);
  g_assert_cmpstr (cancel.last_label, ==, "ba-test");
  g_clear_error (&error);

  /* A wrong PIN, then cancel when asked again. */
  gnutls_pkcs11_set_pin_function (script_pin_cb, &wrong);
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_INCORRECT);
  g_assert_null (signature);
  g_assert_cmpuint (wrong.calls, ==, 2);
  g_assert_cmpint (wrong.last_attempt, ==, 1);
  g_clear_error (&error);

  /* No PIN function at all. */
  gnutls_pkcs11_set_pin_function (NULL, NULL);
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED);
  g_clear_error (&error);

  /* The right PIN: the token's RS256 signature is the in-memory key's,
   * byte for byte, and PS256 verifies. */
  gnutls_pkcs11_set_pin_function (script_pin_cb, &right);
  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  memory_signature = ba_certificate_sign (source, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (signature, memory_signature));
  /* Asked once for one signature, however often GnuTLS logs in. */
  g_assert_cmpuint (right.calls, ==, 1);
  g_assert_cmpint (right.last_attempt, ==, 0);
  g_clear_pointer (&signature, g_bytes_unref);

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PSS_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (source, BA_SIGNATURE_RSA_PSS_SHA256, data, signature, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (right.calls, ==, 2);

  /* A token's key never leaves it. */
  g_assert_null (ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "password", &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* A key that is not there. */
  g_clear_object (&certificate);
  certificate = _ba_certificate_new_take (copy_crt (source), NULL, BA_KEY_LOCATION_PKCS11,
                                          "pkcs11:token=absent;object=ba-key;type=private", &error);
  g_assert_no_error (error);
  g_assert_null (ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error));
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN);

  gnutls_pkcs11_set_pin_function (NULL, NULL);
  g_free (cancel.last_label);
  g_free (wrong.last_label);
  g_free (right.last_label);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  configure_softhsm ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/certificate/base64url", test_base64url);
  g_test_add_func ("/ba/certificate/validate-args", test_validate_args);
  g_test_add_func ("/ba/certificate/generate/bad-args", test_generate_bad_args);
  g_test_add_func ("/ba/certificate/generate/2048", test_generate_2048);
  g_test_add_func ("/ba/certificate/generate/years", test_generate_years);
  g_test_add_data_func ("/ba/certificate/generate/3072", GUINT_TO_POINTER (3072), test_generate_size);
  g_test_add_data_func ("/ba/certificate/generate/4096", GUINT_TO_POINTER (4096), test_generate_size);
  g_test_add_func ("/ba/certificate/generate/cancel-before", test_generate_cancel_before);
  g_test_add_func ("/ba/certificate/generate/cancel-during", test_generate_cancel_during);
  g_test_add_func ("/ba/certificate/sign", test_sign_async);
  g_test_add_func ("/ba/certificate/new-from-data", test_new_from_data);
  g_test_add_func ("/ba/certificate/is-valid-at", test_is_valid_at);
  g_test_add_func ("/ba/certificate/properties", test_properties);
  g_test_add_func ("/ba/certificate/export", test_export);
  g_test_add_func ("/ba/certificate/export-pfx-openssl", test_export_pfx_openssl);
  g_test_add_func ("/ba/certificate/private/new-take", test_private_new_take);
  g_test_add_func ("/ba/certificate/private/key-loader", test_private_key_loader);
  g_test_add_func ("/ba/certificate/pkcs11/sign", test_pkcs11_sign);

  ret = g_test_run ();

  tear_down_token ();
  g_clear_object (&shared_certificate);

  return ret;
}
