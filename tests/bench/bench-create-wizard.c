/* bench-create-wizard.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ba-bench-emulator.h"
#include "ba-bench-probe.h"
#include "ba-create-application-assistant.h"
#include "ba-create-application-count-page.h"
#include "ba-create-application-name-page.h"
#include "ba-graph-emulator.h"
#include "ba-provisioner.h"
#include "ba-sign-in-page.h"
#include "ba-test-gtk-utils.h"
#include "ba-test-utils.h"

/* How the window fares while the Create Application wizard makes a pool,
 * the way an admin uses it: the real wizard against the emulator (on
 * loopback, with a latency per request), a name and a certificate, "create
 * N applications" with the acknowledgement, the sign-in, Apply, then the
 * progress page until the summary. Prints the wall time, the longest
 * main-loop stall (a 1 ms timeout) and the longest gap between two frames
 * of the wizard; passes no judgement. The emulator answers from a thread of
 * its own, as Microsoft's services answer from elsewhere, so that its work
 * (JSON, its directory) is not counted as the window's; --same-thread puts
 * it back on the window's main loop, for comparison. Needs a display and a
 * keyring (run it inside build-aux/test-session under xvfb-run).
 *
 *   bench-create-wizard [--count N] [--latency MS] [--concurrency C]
 *                       [--same-thread] [--runs R]
 */

static int count = 100;
static int latency = 100;
static int concurrency = 0;
static gboolean same_thread = FALSE;
static int runs = 1;

static const GOptionEntry entries[] = {
  { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Applications to create, 1 to 100 (default 100)", "N" },
  { "latency", 'l', 0, G_OPTION_ARG_INT, &latency, "Emulator latency per request in ms (default 100)", "MS" },
  { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, "Applications in flight (default: the provisioner's)", "C" },
  { "same-thread", 0, 0, G_OPTION_ARG_NONE, &same_thread, "Run the emulator on the window's main loop", NULL },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs, each from an empty pool; with more than one, the median and maximum too (default 1)", "R" },
  { NULL }
};

enum {
  PAGE_NAME,
  PAGE_COUNT,
  PAGE_SIGN_IN,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  if (!ba_create_application_assistant_run_finish (BA_CREATE_APPLICATION_ASSISTANT (object), result, &error))
    g_printerr ("The wizard finished with: %s\n", error->message);
  *done = TRUE;
}

static gboolean
press (GtkAssistant *assistant,
       const char   *label)
{
  GtkWidget *button = ba_test_find_button (GTK_WIDGET (assistant), label);

  if (button == NULL)
    {
      g_printerr ("No button “%s” on the wizard\n", label);
      return FALSE;
    }
  return ba_test_click (button);
}

static gboolean
wait_page (GtkAssistant *assistant,
           int           index,
           gboolean     *done,
           guint         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (gtk_assistant_get_current_page (assistant) != index && !*done &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ba_test_iterate ();

  return gtk_assistant_get_current_page (assistant) == index;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* One run's figures */
typedef struct
{
  gboolean ok;
  double seconds;
  guint n_ready;
  guint n_created;
  guint n_requests;
  BaBenchProbe probe;
} Run;

/* One run, from an empty pool: a configuration of its own, the wizard
 * driven from its first page to its summary. */
static Run
run_once (BaBenchEmulator    *bench_emulator,
          BaCertificateStore *certificates,
          BaCertificate      *certificate,
          const char         *config_home,
          guint               serial)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(BaCreateApplicationAssistant) wizard = NULL;
  g_autofree char *store_name = g_strdup_printf ("backup-access-bench-%u.json", serial);
  g_autofree char *store_path = g_build_filename (config_home, store_name, NULL);
  BaGraphEmulator *emulator;
  GtkAssistant *assistant;
  GtkWidget *name_page;
  GtkWidget *count_page;
  GtkWidget *sign_in_page;
  GListModel *apps;
  Run run = { FALSE, };
  gboolean done = FALSE;
  guint wake_id;
  guint n_before;
  gint64 start;

  /* The sign-in without latency; the run with it. */
  emulator = ba_bench_emulator_hold (bench_emulator);
  ba_graph_emulator_set_latency (emulator, 0);
  org = ba_organization_new (ba_graph_emulator_get_tenant_id (emulator), "Contoso");
  n_before = ba_graph_emulator_count_applications (emulator);
  ba_bench_emulator_release (bench_emulator);

  store = ba_store_new (store_path);
  ba_organization_set_auth_type (org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  ba_organization_set_services (org, BA_SERVICE_SHAREPOINT);
  if (!ba_store_add_organization (store, org, &error))
    {
      g_printerr ("%s\n", error->message);
      return run;
    }

  wizard = ba_create_application_assistant_new (NULL, store, org, certificates);
  if (concurrency > 0)
    _ba_create_application_assistant_set_concurrency (wizard, concurrency);
  assistant = _ba_create_application_assistant_get_assistant (wizard);
  name_page = _ba_create_application_assistant_get_page (wizard, "name_page");
  count_page = _ba_create_application_assistant_get_page (wizard, "count_page");
  sign_in_page = _ba_create_application_assistant_get_page (wizard, "sign_in_page");
  _ba_sign_in_page_set_interval_ms (BA_SIGN_IN_PAGE (sign_in_page), 20);
  ba_create_application_assistant_run_async (wizard, NULL, run_cb, &done);
  ba_test_wait_mapped (GTK_WIDGET (assistant));

  /* Name, and the certificate as "Install…" leaves it. */
  gtk_editable_set_text (GTK_EDITABLE (ba_test_template_child (name_page, BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "name_entry")),
                         "Backup Pool");
  ba_create_application_name_page_set_certificate (BA_CREATE_APPLICATION_NAME_PAGE (name_page), certificate);
  ba_test_iterate ();
  if (!press (assistant, "_Next") || !wait_page (assistant, PAGE_COUNT, &done, 10))
    return run;

  /* N applications, with the acknowledgement. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (ba_test_template_child (count_page, BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "many_check")), TRUE);
  ba_test_iterate ();
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ba_test_template_child (count_page, BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "count_spin")), count);
  ba_test_iterate ();
  if (count > 1)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (ba_test_template_child (count_page, BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "accept_check")), TRUE);
  ba_test_iterate ();

  /* The sign-in, approved at once; the latency starts after it. */
  emulator = ba_bench_emulator_hold (bench_emulator);
  ba_graph_emulator_script_polls (emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_bench_emulator_release (bench_emulator);
  if (!press (assistant, "_Next") || !wait_page (assistant, PAGE_SIGN_IN, &done, 10))
    return run;
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    wake_id = g_timeout_add (20, wake_cb, NULL);
    while (!ba_test_page_complete (assistant, sign_in_page) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (wake_id);
    if (!ba_test_page_complete (assistant, sign_in_page))
      {
        g_printerr ("The sign-in did not complete\n");
        return run;
      }
  }
  emulator = ba_bench_emulator_hold (bench_emulator);
  ba_graph_emulator_set_latency (emulator, latency);
  ba_graph_emulator_clear_requests (emulator);
  ba_bench_emulator_release (bench_emulator);

  ba_bench_probe_start (&run.probe, GTK_WIDGET (assistant));
  start = g_get_monotonic_time ();

  if (!press (assistant, "_Apply"))
    return run;
  /* Until the summary: the progress page is up, its rows changing. */
  if (!wait_page (assistant, PAGE_SUMMARY, &done, 600))
    {
      g_printerr ("The wizard did not reach its summary\n");
      return run;
    }
  run.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  ba_bench_probe_stop (&run.probe);

  emulator = ba_bench_emulator_hold (bench_emulator);
  run.n_requests = ba_graph_emulator_count_requests (emulator, NULL, NULL);
  run.n_created = ba_graph_emulator_count_applications (emulator) - n_before;
  ba_bench_emulator_release (bench_emulator);

  apps = ba_organization_get_applications (org);
  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

      if (ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_READY)
        run.n_ready++;
    }

  if (serial == 0)
    g_print ("create wizard: %d applications, latency %d ms per request, concurrency %u, emulator on %s\n",
             count, latency,
             ba_provisioner_get_concurrency (_ba_create_application_assistant_get_provisioner (wizard)),
             same_thread ? "the window's main loop" : "a thread of its own");
  g_print ("create wizard: run %u: %u ready, %u in the emulator, %u requests\n",
           serial + 1, run.n_ready, run.n_created, run.n_requests);
  g_print ("create wizard: run %u: wall time Apply to summary %.2f s\n", serial + 1, run.seconds);
  {
    g_autofree char *prefix = g_strdup_printf ("create wizard: run %u", serial + 1);

    ba_bench_probe_print (&run.probe, prefix);
  }

  press (assistant, "_Close");
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  /* Every save written, then the throwaway files. */
  ba_store_save (store, NULL);
  {
    g_autofree char *backup = ba_store_dup_backup_path (store);

    g_unlink (store_path);
    if (backup != NULL)
      g_unlink (backup);
  }

  run.ok = TRUE;
  return run;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— Create Application wizard stall benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(BaCertificate) key = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(GArray) stalls = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) busiest = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  BaBenchEmulator *bench_emulator;
  g_autofree char *home = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *config_home = NULL;
  int status = EXIT_SUCCESS;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (count < 1 || count > 100)
    {
      g_printerr ("--count must be 1 to 100\n");
      return EXIT_FAILURE;
    }
  if (runs < 1)
    {
      g_printerr ("--runs must be at least 1\n");
      return EXIT_FAILURE;
    }

  /* A throwaway key store and configuration, never the user's own. */
  home = g_dir_make_tmp ("ba-bench-create-XXXXXX", &error);
  if (home == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  data_home = g_build_filename (home, "data", NULL);
  config_home = g_build_filename (home, "config", NULL);
  g_mkdir_with_parents (data_home, 0700);
  g_mkdir_with_parents (config_home, 0700);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  gtk_init ();
  adw_init ();

  bench_emulator = ba_bench_emulator_start (!same_thread);
  ba_graph_emulator_set_device_code_times (ba_bench_emulator_hold (bench_emulator), 900, 1);
  ba_bench_emulator_release (bench_emulator);

  certificates = ba_certificate_store_new (NULL, FALSE);
  key = ba_test_generate_certificate ("Backup Access bench pool");
  certificate = ba_certificate_store_add (certificates, key, &error);
  if (certificate == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  for (int i = 0; i < runs; i++)
    {
      Run run = run_once (bench_emulator, certificates, certificate, config_home, i);

      if (!run.ok)
        {
          status = EXIT_FAILURE;
          break;
        }
      g_array_append_val (stalls, run.probe.longest_turn);
      g_array_append_val (busiest, run.probe.busiest_turn_cpu);
      g_array_append_val (gaps, run.probe.longest_tick);
    }
  if (stalls->len > 1)
    {
      ba_bench_print_spread ("create wizard: longest main-loop stall", stalls);
      ba_bench_print_spread ("create wizard: most processor time the main thread used in one turn", busiest);
      ba_bench_print_spread ("create wizard: longest gap between frames", gaps);
    }

  /* Delete the key, file and keyring entry alike. */
  if (!ba_certificate_store_delete (certificates, certificate, &error))
    g_printerr ("%s\n", error->message);
  ba_bench_emulator_stop (bench_emulator);

  return status;
}
