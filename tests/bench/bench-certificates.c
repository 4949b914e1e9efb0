/* bench-certificates.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "ba-certificate.h"
#include "ba-client-assertion.h"

/* How long the certificate engine takes for what people wait on: making a
 * key, opening a PFX file, signing. Prints figures; passes no judgement.
 *
 *   bench-certificates [--runs N] [--sign-runs N]
 */

static int runs = 5;
static int sign_runs = 50;

static const GOptionEntry entries[] = {
  { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per key size and PFX import (default 5)", "N" },
  { "sign-runs", 's', 0, G_OPTION_ARG_INT, &sign_runs, "Signatures per scheme and size (default 50)", "N" },
  { NULL }
};

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_figures (const char *what,
               GArray     *samples,
               const char *unit,
               double      scale)
{
  double *values = (double *) (gpointer) samples->data;
  double median;
  guint n = samples->len;

  g_array_sort (samples, compare_doubles);
  median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;

  g_print ("%s: median %.1f %s, min %.1f %s, max %.1f %s (%u runs)\n",
           what, median * scale, unit, values[0] * scale, unit, values[n - 1] * scale, unit, n);
}

/* The longest the main loop went without running a 1 ms timeout: what a
 * window would feel while the work runs in its thread. */
typedef struct
{
  gint64 last;
  gint64 longest;
} StallProbe;

static gboolean
probe_cb (gpointer user_data)
{
  StallProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    probe->longest = MAX (probe->longest, now - probe->last);
  probe->last = now;

  return G_SOURCE_CONTINUE;
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static BaCertificate *
generate_timed (guint       bits,
                double     *seconds,
                StallProbe *probe)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BaCertificate *certificate;
  gint64 start;
  guint probe_id;

  probe->last = 0;
  probe_id = g_timeout_add (1, probe_cb, probe);

  start = g_get_monotonic_time ();
  ba_certificate_generate_async ("Backup Access benchmark", bits, 2, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  *seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_source_remove (probe_id);

  certificate = ba_certificate_generate_finish (result, &error);
  if (certificate == NULL)
    g_error ("generate rsa-%u: %s", bits, error->message);

  return certificate;
}

static void
bench_sign (BaCertificate     *certificate,
            BaSignatureScheme  scheme,
            const char        *name)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) verify_samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GBytes) data = g_bytes_new_static ("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0", 36);
  g_autofree char *what = NULL;
  g_autofree char *verify_what = NULL;
  int i;

  for (i = 0; i < sign_runs; i++)
    {
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      signature = ba_certificate_sign (certificate, scheme, data, &error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (signature == NULL)
        g_error ("sign: %s", error->message);
      g_array_append_val (samples, seconds);

      start = g_get_monotonic_time ();
      if (!ba_certificate_verify (certificate, scheme, data, signature, &error))
        g_error ("verify: %s", error->message);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      g_array_append_val (verify_samples, seconds);
    }

  what = g_strdup_printf ("sign %s rsa-%u", name, ba_certificate_get_key_bits (certificate));
  print_figures (what, samples, "ms", 1000.0);
  verify_what = g_strdup_printf ("verify %s rsa-%u", name, ba_certificate_get_key_bits (certificate));
  print_figures (verify_what, verify_samples, "us", 1000000.0);
}

static void
bench_pfx (BaCertificate *certificate)
{
  g_autoptr(GArray) export_samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) import_samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GBytes) pfx = NULL;
  int i;

  for (i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BaCertificate) imported = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      g_clear_pointer (&pfx, g_bytes_unref);
      pfx = ba_certificate_export (certificate, BA_CERTIFICATE_FORMAT_PFX, "benchmark password", &error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (pfx == NULL)
        g_error ("export: %s", error->message);
      g_array_append_val (export_samples, seconds);

      start = g_get_monotonic_time ();
      imported = ba_certificate_import_pkcs12 (pfx, "benchmark password", &error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (imported == NULL)
        g_error ("import: %s", error->message);
      g_array_append_val (import_samples, seconds);
    }

  print_figures ("export pfx rsa-2048 (AES-256, SHA-256 MAC)", export_samples, "ms", 1000.0);
  print_figures ("import pfx rsa-2048 (AES-256, SHA-256 MAC)", import_samples, "ms", 1000.0);
}

static void
bench_client_assertion (BaCertificate *certificate)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(BaClientAssertion) assertion = NULL;
  int i;

  assertion = ba_client_assertion_new (certificate, "6731de76-14a6-49ae-97bc-6eba6914391e",
                                       "https://login.microsoftonline.com/common/oauth2/v2.0/token");

  for (i = 0; i < sign_runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *jwt = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      jwt = ba_client_assertion_sign (assertion, NULL, &error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (jwt == NULL)
        g_error ("client assertion: %s", error->message);
      g_array_append_val (samples, seconds);
    }

  print_figures ("client assertion RS256 rsa-2048", samples, "ms", 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— certificate engine benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(BaCertificate) rsa_2048 = NULL;
  guint sizes[] = { 2048, 3072, 4096 };
  guint i;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  runs = MAX (runs, 1);
  sign_runs = MAX (sign_runs, 1);

  g_print ("GnuTLS %s, GLib %u.%u.%u, %u processors\n",
           gnutls_check_version (NULL), glib_major_version, glib_minor_version, glib_micro_version,
           g_get_num_processors ());

  for (i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) stalls = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(BaCertificate) last = NULL;
      g_autofree char *what = NULL;
      g_autofree char *stall_what = NULL;
      int run;

      for (run = 0; run < runs; run++)
        {
          StallProbe probe = { 0, 0 };
          double seconds = 0;
          double stall;

          g_clear_object (&last);
          last = generate_timed (sizes[i], &seconds, &probe);
          g_array_append_val (samples, seconds);
          stall = probe.longest / (double) G_USEC_PER_SEC;
          g_array_append_val (stalls, stall);
        }

      what = g_strdup_printf ("generate rsa-%u", sizes[i]);
      print_figures (what, samples, "ms", 1000.0);
      stall_what = g_strdup_printf ("main-loop longest stall while generating rsa-%u", sizes[i]);
      print_figures (stall_what, stalls, "ms", 1000.0);

      bench_sign (last, BA_SIGNATURE_RSA_PKCS1_SHA256, "RS256");
      bench_sign (last, BA_SIGNATURE_RSA_PSS_SHA256, "PS256");

      if (sizes[i] == 2048)
        rsa_2048 = g_steal_pointer (&last);
    }

  bench_pfx (rsa_2048);
  bench_client_assertion (rsa_2048);

  return EXIT_SUCCESS;
}
