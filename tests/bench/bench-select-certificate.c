/* bench-select-certificate.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ba-bench-probe.h"
#include "ba-certificate-generate-page.h"
#include "ba-certificate-source-page.h"
#include "ba-select-certificate-assistant.h"
#include "ba-test-gtk-utils.h"

/* How long the window stops answering while the Select Certificate wizard
 * makes a key, the way an admin uses it: the real wizard, "Generate", a
 * name, the key size, Apply, then the progress page with its spinner until
 * the summary. Prints the longest gap between two frames of the wizard and
 * between two turns of the main loop; passes no judgement. Needs a display
 * and a keyring (run it inside build-aux/test-session under xvfb-run).
 *
 *   bench-select-certificate [--runs N] [--bits 2048|3072|4096]
 */

static int runs = 3;
static int bits = 4096;

static const GOptionEntry entries[] = {
  { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Keys to generate (default 3)", "N" },
  { "bits", 'b', 0, G_OPTION_ARG_INT, &bits, "Key size: 2048, 3072 or 4096 (default 4096)", "BITS" },
  { NULL }
};

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  certificate = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &error);
  if (certificate == NULL)
    g_printerr ("The wizard failed: %s\n", error->message);
  *done = TRUE;
}

static gboolean
generate_once (BaCertificateStore *store,
               int                 index,
               BaBenchProbe       *probe,
               gint64             *elapsed)
{
  g_autoptr(BaSelectCertificateAssistant) wizard = ba_select_certificate_assistant_new (NULL, store);
  GtkAssistant *assistant = _ba_select_certificate_assistant_get_assistant (wizard);
  GtkWidget *source = _ba_select_certificate_assistant_get_page (wizard, "source_page");
  GtkWidget *generate = _ba_select_certificate_assistant_get_page (wizard, "generate_page");
  GtkDropDown *sizes;
  g_autofree char *name = g_strdup_printf ("Backup Access bench %d", index);
  gboolean done = FALSE;
  gint64 start;

  ba_select_certificate_assistant_run_async (wizard, NULL, run_cb, &done);
  ba_test_wait_mapped (GTK_WIDGET (assistant));

  gtk_widget_activate (ba_test_template_child (source, BA_TYPE_CERTIFICATE_SOURCE_PAGE, "generate_button"));
  ba_test_iterate ();
  if (!ba_test_click (ba_test_find_button (GTK_WIDGET (assistant), "_Next")))
    return FALSE;

  gtk_editable_set_text (GTK_EDITABLE (ba_test_template_child (generate, BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry")), name);
  sizes = GTK_DROP_DOWN (ba_test_template_child (generate, BA_TYPE_CERTIFICATE_GENERATE_PAGE, "bits_dropdown"));
  gtk_drop_down_set_selected (sizes, bits == 2048 ? 0 : bits == 3072 ? 1 : 2);
  ba_test_iterate ();

  ba_bench_probe_start (probe, GTK_WIDGET (assistant));
  start = g_get_monotonic_time ();

  if (!ba_test_click (ba_test_find_button (GTK_WIDGET (assistant), "_Apply")))
    return FALSE;
  /* Until the summary: the progress page is up, its spinner turning. */
  while (ba_test_find_button (GTK_WIDGET (assistant), "_Close") == NULL && !done)
    g_main_context_iteration (NULL, TRUE);
  *elapsed = g_get_monotonic_time () - start;

  ba_bench_probe_stop (probe);

  if (!ba_test_click (ba_test_find_button (GTK_WIDGET (assistant), "_Close")))
    return FALSE;
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— Select Certificate wizard stall benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) turns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(BaCertificateStore) store = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *what = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (bits != 2048 && bits != 3072 && bits != 4096)
    {
      g_printerr ("--bits must be 2048, 3072 or 4096\n");
      return EXIT_FAILURE;
    }
  runs = MAX (runs, 1);

  /* The keys go into a throwaway key store, never the user's own. */
  data_home = g_dir_make_tmp ("ba-bench-XXXXXX", &error);
  if (data_home == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_init ();
  adw_init ();
  store = ba_certificate_store_new (NULL, FALSE);

  for (int run = 0; run < runs; run++)
    {
      BaBenchProbe probe;
      gint64 elapsed = 0;

      if (!generate_once (store, run, &probe, &elapsed))
        {
          g_printerr ("Could not drive the wizard\n");
          return EXIT_FAILURE;
        }
      g_array_append_val (ticks, probe.longest_tick);
      g_array_append_val (turns, probe.longest_turn);
      g_array_append_val (times, elapsed);
    }

  what = g_strdup_printf ("wizard: Apply to summary, rsa-%d", bits);
  ba_bench_print_spread (what, times);
  g_free (what);
  what = g_strdup_printf ("wizard: longest gap between frames while generating rsa-%d", bits);
  ba_bench_print_spread (what, ticks);
  g_free (what);
  what = g_strdup_printf ("wizard: longest main-loop stall while generating rsa-%d", bits);
  ba_bench_print_spread (what, turns);

  /* Delete what the runs made, key files and keyring entries alike. */
  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      g_autoptr(BaCertificate) certificate = g_list_model_get_item (G_LIST_MODEL (store), 0);

      if (!ba_certificate_store_delete (store, certificate, &error))
        {
          g_printerr ("%s\n", error->message);
          break;
        }
    }

  return EXIT_SUCCESS;
}
