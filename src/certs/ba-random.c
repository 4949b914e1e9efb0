/* ba-random.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ba-certificate.h"
#include "ba-random.h"

gboolean
ba_random_bytes (gpointer   buffer,
                 gsize      length,
                 gboolean   key_quality,
                 GError   **error)
{
  int ret;

  g_return_val_if_fail (buffer != NULL || length == 0, FALSE);

  ret = gnutls_rnd (key_quality ? GNUTLS_RND_KEY : GNUTLS_RND_RANDOM, buffer, length);
  if (ret < 0)
    {
      g_debug ("%s(): gnutls_rnd: %s", G_STRFUNC, gnutls_strerror (ret));
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_FAILED,
                           _("Could not make random numbers."));
      return FALSE;
    }

  return TRUE;
}

/* A random (version 4) GUID, RFC 9562 §5.4. */
char *
ba_random_guid (GError **error)
{
  guint8 b[16];

  if (!ba_random_bytes (b, sizeof b, FALSE, error))
    return NULL;

  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
ba_random_base64url (gsize    n_bytes,
                     GError **error)
{
  g_autofree guint8 *bytes = g_malloc (MAX (n_bytes, 1));
  char *text;

  if (!ba_random_bytes (bytes, n_bytes, FALSE, error))
    return NULL;

  text = ba_base64url_encode (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);

  return text;
}

/* For jitter, where a failing generator must not stop the work. */
guint32
ba_random_uint32 (void)
{
  guint32 value = 0;

  if (!ba_random_bytes (&value, sizeof value, FALSE, NULL))
    value = (guint32) g_get_monotonic_time ();

  return value;
}
