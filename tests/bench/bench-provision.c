/* bench-provision.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "ba-certificate.h"
#include "ba-cloud.h"
#include "ba-graph-client.h"
#include "ba-graph-emulator.h"
#include "ba-provisioner.h"
#include "ba-session.h"
#include "ba-store.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

/* How close "create N applications" comes to what its concurrency allows,
 * against the Graph emulator with a fixed latency per request: the wall
 * time, the requests, the ideal (requests ÷ concurrency × latency) and
 * their ratio, and the wall time at concurrency 1; then the same with a
 * share of 429 answers carrying Retry-After; then, when there is a display,
 * the longest main-loop stall while the Create Application wizard does the
 * same, from bench-create-wizard beside it. Prints figures; passes no
 * judgement.
 *
 *   bench-provision [--count N] [--latency MS] [--concurrency C] [--throttle PERCENT]
 *                   [--no-wizard] [--wizard-runs R]
 */


static int count = 100;
static int latency_ms = 100;
static int concurrency = 4;
static int throttle_percent = 10;
static gboolean no_wizard = FALSE;
static int wizard_runs = 3;

static const GOptionEntry entries[] = {
  { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Applications per run (default 100)", "N" },
  { "latency", 'l', 0, G_OPTION_ARG_INT, &latency_ms, "Emulator latency per request in ms (default 100)", "MS" },
  { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, "Concurrency of the measured run (default 4)", "C" },
  { "throttle", 't', 0, G_OPTION_ARG_INT, &throttle_percent, "Share of 429 answers in the second part (default 10)", "PERCENT" },
  { "no-wizard", 0, 0, G_OPTION_ARG_NONE, &no_wizard, "Do not run the wizard part", NULL },
  { "wizard-runs", 0, 0, G_OPTION_ARG_INT, &wizard_runs, "Runs of the wizard part (default 3)", "R" },
  { NULL }
};

typedef struct
{
  double seconds;
  guint requests;
  guint throttled;
  guint ready;
} Outcome;

/* One run in a fresh tenant and a fresh configuration. */
static Outcome
run_once (BaCertificate *certificate,
          const char    *directory,
          guint          run_concurrency,
          guint          percent_429)
{
  g_autoptr(BaGraphEmulator) emulator = ba_graph_emulator_new ();
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaGraphClient) client = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaOrganization) organization = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const BaPermission *permissions;
  GPtrArray *requests;
  guint n_permissions;
  gint64 start;
  Outcome outcome = { 0, };
  static guint serial;

  g_setenv ("BA_AUTHORITY_URL", ba_graph_emulator_get_url (emulator), TRUE);
  g_setenv ("BA_GRAPH_URL", ba_graph_emulator_get_url (emulator), TRUE);
  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, NULL, &error);
  if (cloud == NULL)
    g_error ("%s", error->message);
  session = ba_test_emulator_sign_in (emulator, cloud);
  client = ba_graph_client_new (cloud, session);

  path = g_strdup_printf ("%s/config-%u.json", directory, serial++);
  store = ba_store_new (path);
  organization = ba_organization_new (ba_graph_emulator_get_tenant_id (emulator), "Contoso");
  if (!ba_store_add_organization (store, organization, &error) || !ba_store_save (store, &error))
    g_error ("%s", error->message);

  provisioner = ba_provisioner_new (client, store, organization);
  ba_provisioner_set_concurrency (provisioner, run_concurrency);
  ba_graph_emulator_clear_requests (emulator);
  ba_graph_emulator_set_latency (emulator, latency_ms);
  if (percent_429 > 0)
    ba_graph_emulator_set_fault_rate (emulator, "/v1.0/", 429, 1, percent_429);

  permissions = ba_permissions_for_backup_application (BA_CLOUD_KIND_GLOBAL, &n_permissions);
  start = g_get_monotonic_time ();
  ba_provisioner_create_async (provisioner, "Bench Pool", certificate, count, TRUE,
                               permissions, n_permissions, BA_APPLICATION_ORIGIN_CREATED,
                               NULL, ba_test_store_result_cb, &result);
  if (!ba_provisioner_create_finish (provisioner, ba_test_wait_for_result (&result), &error))
    g_printerr ("run ended with an error: %s\n", error->message);
  outcome.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  requests = ba_graph_emulator_get_requests (emulator);
  outcome.requests = requests->len;
  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *r = g_ptr_array_index (requests, i);

      outcome.throttled += r->status == 429;
    }
  for (guint i = 0; i < g_list_model_get_n_items (ba_organization_get_applications (organization)); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (ba_organization_get_applications (organization), i);

      outcome.ready += ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_READY;
    }

  g_unsetenv ("BA_AUTHORITY_URL");
  g_unsetenv ("BA_GRAPH_URL");

  return outcome;
}

static void
report (const char    *title,
        BaCertificate *certificate,
        const char    *directory,
        guint          percent_429)
{
  Outcome measured = run_once (certificate, directory, concurrency, percent_429);
  Outcome serial = run_once (certificate, directory, 1, percent_429);
  double ideal = measured.requests / (double) concurrency * latency_ms / 1000.0;

  g_print ("%s\n", title);
  g_print ("  concurrency %d: %.2f s wall, %u requests (%u answered 429), %u of %d ready\n",
           concurrency, measured.seconds, measured.requests, measured.throttled, measured.ready, count);
  g_print ("  ideal (requests / concurrency x latency): %.2f s, ratio %.2f\n", ideal, measured.seconds / ideal);
  g_print ("  concurrency 1: %.2f s wall, %u requests (%u answered 429), %u of %d ready\n",
           serial.seconds, serial.requests, serial.throttled, serial.ready, count);
}

/* The stall is measured where the window is, by bench-create-wizard; its
 * lines are passed on as they come. */
static void
report_wizard (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *wizard = dir != NULL ? g_build_filename (dir, "bench-create-wizard", NULL) : NULL;
  g_autofree char *count_arg = g_strdup_printf ("--count=%d", count);
  g_autofree char *latency_arg = g_strdup_printf ("--latency=%d", latency_ms);
  g_autofree char *concurrency_arg = g_strdup_printf ("--concurrency=%d", concurrency);
  g_autofree char *runs_arg = g_strdup_printf ("--runs=%d", MAX (wizard_runs, 1));
  g_autoptr(GError) error = NULL;
  const char *argv[] = { wizard, count_arg, latency_arg, concurrency_arg, runs_arg, NULL };
  int status = 0;

  g_print ("The Create Application wizard doing the same, with the window open\n");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("  not measured: there is no display; run this under xvfb-run and build-aux/test-session\n");
      return;
    }
  if (wizard == NULL || !g_file_test (wizard, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("  not measured: bench-create-wizard is not beside this program\n");
      return;
    }
  fflush (stdout);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDOUT | G_SPAWN_CHILD_INHERITS_STDERR,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_print ("  bench-create-wizard failed: %s\n", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— time the creation of backup applications");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *title = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  concurrency = CLAMP (concurrency, 1, 16);

  directory = g_dir_make_tmp ("bench-provision-XXXXXX", &error);
  if (directory == NULL)
    g_error ("%s", error->message);

  ba_certificate_generate_async ("Bench Pool", 2048, 1, NULL, ba_test_store_result_cb, &result);
  certificate = ba_certificate_generate_finish (ba_test_wait_for_result (&result), &error);
  if (certificate == NULL)
    g_error ("%s", error->message);

  g_print ("bench-provision: %d applications, %d ms latency per request\n", count, latency_ms);
  report ("No throttling", certificate, directory, 0);
  title = g_strdup_printf ("%d %% of requests answered 429 with Retry-After: 1", throttle_percent);
  report (title, certificate, directory, throttle_percent);
  if (!no_wizard)
    report_wizard ();

  /* The configurations written by the runs */
  {
    g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (directory, name, NULL);

        g_remove (path);
      }
    g_rmdir (directory);
  }

  return EXIT_SUCCESS;
}
