/* test-cli-sign-in.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-graph-emulator.h"
#include "ba-test-cli.h"
#include "ba-test-utils.h"

/* These run backup-access-cli itself, as an admin's script would, against
 * the Graph emulator. The emulator answers on this process's main context,
 * so the program is run asynchronously while the main loop turns. The kept
 * sign-in goes to the gnome-keyring of the private D-Bus session
 * (build-aux/test-session); every test that keeps one signs out again. */

#define run_cliv(f, argv) ba_test_cli_runv (ba_graph_emulator_get_url ((f)->emulator), NULL, (argv))
#define run_cli(f, ...) \
  ba_test_cli_runv (ba_graph_emulator_get_url ((f)->emulator), NULL, (const char * const[]) { __VA_ARGS__, NULL })

#define ADMIN_UPN "admin@contoso.onmicrosoft.com"
#define NOT_SIGNED_IN "Not signed in. Run “backup-access-cli sign-in --stay-signed-in” first."

typedef struct
{
  BaGraphEmulator *emulator;
  char *tmpdir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->emulator = ba_graph_emulator_new ();
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);
  f->tmpdir = ba_test_make_tmpdir ("ba-cli-sign-in-XXXXXX");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ba_test_remove_tmpdir (g_steal_pointer (&f->tmpdir));
  g_clear_object (&f->emulator);
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;

  return FALSE;
}

static void
test_cli_sign_in_whoami_sign_out (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(BaTestCliResult) signed_in = NULL;
  g_autoptr(BaTestCliResult) who_json = NULL;
  g_autoptr(BaTestCliResult) who_plain = NULL;
  g_autoptr(BaTestCliResult) signed_out = NULL;
  g_autoptr(BaTestCliResult) who_after = NULL;
  g_autoptr(BaTestCliResult) sign_out_again = NULL;
  g_autoptr(JsonObject) account = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *expected_out = NULL;
  const char *tenant_id = ba_graph_emulator_get_tenant_id (f->emulator);
  JsonArray *roles;

  ba_graph_emulator_script_polls (f->emulator,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_APPROVED,
                                  NULL);
  signed_in = run_cli (f, "sign-in", "--stay-signed-in");
  g_assert_cmpint (signed_in->status, ==, 0);

  /* The code on stderr, the account on stdout. */
  g_assert_nonnull (ba_graph_emulator_get_last_user_code (f->emulator));
  prompt = g_strdup_printf (" and enter the code %s\n", ba_graph_emulator_get_last_user_code (f->emulator));
  g_assert_true (g_str_has_prefix (signed_in->err, "To sign in, open http"));
  g_assert_nonnull (strstr (signed_in->err, prompt));
  expected_out = g_strdup_printf ("Signed in as " ADMIN_UPN " (tenant %s)\n", tenant_id);
  g_assert_cmpstr (signed_in->out, ==, expected_out);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token"), >=, 3);

  /* The kept session works in another run of the program. */
  who_json = run_cli (f, "whoami", "--json");
  g_assert_cmpint (who_json->status, ==, 0);
  account = ba_test_parse_object (who_json->out);
  g_assert_cmpstr (json_object_get_string_member (account, "upn"), ==, ADMIN_UPN);
  g_assert_true (json_object_has_member (account, "displayName"));
  g_assert_cmpstr (json_object_get_string_member (account, "tenantId"), ==, tenant_id);
  g_assert_cmpstr (json_object_get_string_member (account, "cloud"), ==, "global");
  roles = json_object_get_array_member (account, "roles");
  g_assert_nonnull (roles);
  g_assert_true (array_has_string (roles, "Global Administrator"));

  who_plain = run_cli (f, "whoami");
  g_assert_cmpint (who_plain->status, ==, 0);
  g_assert_nonnull (strstr (who_plain->out, ADMIN_UPN));
  g_assert_nonnull (strstr (who_plain->out, tenant_id));
  g_assert_nonnull (strstr (who_plain->out, "Global Administrator"));

  /* Signing out forgets the kept sign-in without asking the network: it
   * must work offline and with a revoked refresh token. */
  ba_graph_emulator_clear_requests (f->emulator);
  signed_out = run_cli (f, "sign-out");
  g_assert_cmpint (signed_out->status, ==, 0);
  g_assert_nonnull (strstr (signed_out->out, "Signed out of tenant"));
  g_assert_nonnull (strstr (signed_out->out, tenant_id));
  g_assert_cmpuint (ba_graph_emulator_get_requests (f->emulator)->len, ==, 0);

  who_after = run_cli (f, "whoami", "--json");
  g_assert_cmpint (who_after->status, ==, 1);
  g_assert_cmpstr (who_after->out, ==, "");
  g_assert_nonnull (strstr (who_after->err, NOT_SIGNED_IN));

  /* Signing out twice is not a failure. */
  sign_out_again = run_cli (f, "sign-out");
  g_assert_cmpint (sign_out_again->status, ==, 0);
  g_assert_nonnull (strstr (sign_out_again->out, "Not signed in."));
}

static void
test_cli_sign_in_not_kept (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(BaTestCliResult) signed_in = NULL;
  g_autoptr(BaTestCliResult) who = NULL;

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  signed_in = run_cli (f, "sign-in", "--cloud", "global");
  g_assert_cmpint (signed_in->status, ==, 0);
  g_assert_true (g_str_has_prefix (signed_in->out, "Signed in as " ADMIN_UPN));

  /* Without --stay-signed-in nothing is kept. */
  who = run_cli (f, "whoami");
  g_assert_cmpint (who->status, ==, 1);
  g_assert_nonnull (strstr (who->err, NOT_SIGNED_IN));
}

static void
test_cli_sign_in_declined (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_DECLINED, NULL);
  r = run_cli (f, "sign-in");
  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpstr (r->out, ==, "");
  g_assert_nonnull (strstr (r->err, "To sign in, open "));
  g_assert_nonnull (strstr (r->err, "Could not sign in: "));
}

static void
test_cli_sign_in_tenant (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = NULL;
  const char *tenant_id = ba_graph_emulator_get_tenant_id (f->emulator);
  g_autofree char *path = g_strdup_printf ("/%s/oauth2/v2.0/devicecode", tenant_id);

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  r = run_cli (f, "sign-in", "--tenant", tenant_id);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", path), ==, 1);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/"), ==, 0);
}

typedef struct
{
  GDataInputStream *err;
  GString *err_text;
  GMemoryOutputStream *out;
  SoupSession *browser;
  gboolean followed;
  guint browser_status;
  gboolean err_done;
  gboolean out_done;
  gboolean exited;
} BrowserRun;

static void read_err_line (BrowserRun *run);

static void
browser_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BrowserRun *run = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  run->browser_status = soup_message_get_status (message);
}

static void
err_line_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  BrowserRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      run->err_done = TRUE;
      return;
    }

  g_string_append_printf (run->err_text, "%s\n", line);
  /* The link, on a line of its own: open it as a browser would. */
  if (!run->followed && g_str_has_prefix (line, "http://"))
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", line);

      g_assert_nonnull (message);
      run->followed = TRUE;
      soup_session_send_and_read_async (run->browser, message, G_PRIORITY_DEFAULT, NULL, browser_done_cb, run);
    }
  read_err_line (run);
}

static void
read_err_line (BrowserRun *run)
{
  g_data_input_stream_read_line_async (run->err, G_PRIORITY_DEFAULT, NULL, err_line_cb, run);
}

static void
out_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  BrowserRun *run = user_data;
  g_autoptr(GError) error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  g_assert_no_error (error);
  run->out_done = TRUE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  BrowserRun *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  run->exited = TRUE;
}

static void
test_cli_sign_in_browser (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  const char *url = ba_graph_emulator_get_url (f->emulator);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  BrowserRun run = { NULL, };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_AUTHORITY_URL", url, TRUE);
  g_subprocess_launcher_setenv (launcher, "BA_GRAPH_URL", url, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("BA_CLI"), "sign-in", "--browser", NULL);
  g_assert_no_error (error);

  run.err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  run.err_text = g_string_new (NULL);
  run.out = G_MEMORY_OUTPUT_STREAM (g_memory_output_stream_new_resizable ());
  run.browser = soup_session_new ();
  read_err_line (&run);
  g_output_stream_splice_async (G_OUTPUT_STREAM (run.out), g_subprocess_get_stdout_pipe (process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, out_done_cb, &run);
  g_subprocess_wait_async (process, NULL, wait_cb, &run);

  while (!run.err_done || !run.out_done || !run.exited || (run.followed && run.browser_status == 0))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("stderr: %s", run.err_text->str);

  g_assert_true (run.followed);
  g_assert_cmpuint (run.browser_status, ==, 200);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (run.err_text->str, "/oauth2/v2.0/authorize?"));
  out = g_strndup (g_memory_output_stream_get_data (run.out), g_memory_output_stream_get_data_size (run.out));
  expected = g_strdup_printf ("Signed in as " ADMIN_UPN " (tenant %s)\n", ba_graph_emulator_get_tenant_id (f->emulator));
  g_assert_cmpstr (out, ==, expected);
  /* No device code was asked for. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 0);

  g_clear_object (&run.err);
  g_string_free (run.err_text, TRUE);
  g_clear_object (&run.out);
  g_clear_object (&run.browser);
}

/* A certificate of ours, made and exported by the program itself; returns
 * its SHA-1 thumbprint and, in @der, the certificate. */
static char *
make_certificate (Fixture     *f,
                  const char  *name,
                  GBytes     **der)
{
  g_autoptr(BaTestCliResult) generated = NULL;
  g_autoptr(BaTestCliResult) exported = NULL;
  g_autoptr(JsonObject) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->tmpdir, name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sha1 = NULL;
  gsize length = 0;

  generated = run_cli (f, "certificate", "generate", "--name", name, "--json");
  g_assert_cmpint (generated->status, ==, 0);
  certificate = ba_test_parse_object (generated->out);
  sha1 = g_strdup (json_object_get_string_member (certificate, "sha1"));
  g_assert_nonnull (sha1);

  exported = run_cli (f, "certificate", "export", sha1, "--format", "cer", "--output", path);
  g_assert_cmpint (exported->status, ==, 0);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  *der = g_bytes_new_take (g_steal_pointer (&contents), length);

  return g_steal_pointer (&sha1);
}

static void
test_cli_sign_in_application_verify (Fixture       *f,
                                     gconstpointer  data)
{
  static const char * const roles[] = { "Sites.Read.All", "User.Read.All", NULL };
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) other_der = NULL;
  g_autoptr(BaTestCliResult) ok = NULL;
  g_autoptr(BaTestCliResult) plain = NULL;
  g_autoptr(BaTestCliResult) wrong = NULL;
  g_autoptr(BaTestCliResult) missing = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(GDateTime) verified_at = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *sha1 = make_certificate (f, "Backup Access Test", &der);
  g_autofree char *other_sha1 = make_certificate (f, "Not Registered", &other_der);
  g_autofree char *app_id = NULL;
  const char *tenant_id = ba_graph_emulator_get_tenant_id (f->emulator);
  JsonArray *granted;

  app_id = ba_graph_emulator_add_application (f->emulator, "Backup Access Test", der, TRUE, roles);
  g_assert_nonnull (app_id);

  ok = run_cli (f, "application", "verify", app_id, "--certificate", sha1, "--tenant", tenant_id, "--json");
  g_assert_cmpint (ok->status, ==, 0);
  result = ba_test_parse_object (ok->out);
  g_assert_cmpstr (json_object_get_string_member (result, "appId"), ==, app_id);
  g_assert_cmpstr (json_object_get_string_member (result, "tenantId"), ==, tenant_id);
  granted = json_object_get_array_member (result, "roles");
  g_assert_true (array_has_string (granted, "Sites.Read.All"));
  g_assert_true (array_has_string (granted, "User.Read.All"));
  g_assert_true (json_object_get_boolean_member (result, "graphProven"));
  g_assert_false (json_object_get_boolean_member (result, "sharepointProven"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (result, "verifiedAt"), "Z"));
  verified_at = g_date_time_new_from_iso8601 (json_object_get_string_member (result, "verifiedAt"), NULL);
  g_assert_nonnull (verified_at);
  now = g_date_time_new_now_utc ();
  g_assert_cmpint (g_date_time_difference (now, verified_at), <, 60 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (now, verified_at), >=, -G_TIME_SPAN_SECOND);
  /* It signed in as the application: a client-credentials token. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "GET", "/v1.0/sites/root"), >=, 1);

  plain = run_cli (f, "application", "verify", app_id, "--certificate", sha1, "--tenant", tenant_id);
  g_assert_cmpint (plain->status, ==, 0);
  g_assert_nonnull (strstr (plain->out, app_id));
  g_assert_nonnull (strstr (plain->out, "Sites.Read.All"));

  /* A certificate the application does not have. */
  wrong = run_cli (f, "application", "verify", app_id, "--certificate", other_sha1, "--tenant", tenant_id, "--json");
  g_assert_cmpint (wrong->status, ==, 1);
  g_assert_cmpstr (wrong->out, ==, "");
  g_assert_nonnull (strstr (wrong->err, "could not sign in"));

  /* A certificate that is not there at all. */
  missing = run_cli (f, "application", "verify", app_id,
                     "--certificate", "0000000000000000000000000000000000000000", "--tenant", tenant_id);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_nonnull (strstr (missing->err, "No certificate with thumbprint"));
}

static void
test_cli_sign_in_usage (Fixture       *f,
                        gconstpointer  data)
{
  static const char *guid = "11111111-2222-3333-4444-555555555555";
  static const char *thumbprint = "0000000000000000000000000000000000000000";
  /* The arguments, then what the message must name. */
  const char *cases[][8] = {
    { "sign-in", "--cloud", "mars", NULL, NULL, NULL, NULL, "mars" },
    { "sign-in", "--bogus", NULL, NULL, NULL, NULL, NULL, "--bogus" },
    { "sign-in", "extra", NULL, NULL, NULL, NULL, NULL, "extra" },
    { "whoami", "extra", NULL, NULL, NULL, NULL, NULL, "extra" },
    { "sign-out", "--cloud", "germany", NULL, NULL, NULL, NULL, "germany" },
    { "application", NULL, NULL, NULL, NULL, NULL, NULL, "application verify" },
    { "application", "verify", NULL, NULL, NULL, NULL, NULL, "APP_ID" },
    { "application", "verify", "not-a-guid", "--certificate", thumbprint, "--tenant", "contoso.com", "not-a-guid" },
    { "application", "verify", guid, "--tenant", "contoso.com", NULL, NULL, "--certificate" },
    { "application", "verify", guid, "--certificate", thumbprint, NULL, NULL, "--tenant" },
    { "application", "verify", guid, "--certificate", "xyz", "--tenant", "contoso.com", "xyz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[8] = { NULL, };
      g_autoptr(BaTestCliResult) r = NULL;

      for (guint j = 0; j < 7 && cases[i][j] != NULL; j++)
        argv[j] = cases[i][j];
      g_test_message ("case %u: %s %s", i, cases[i][0], cases[i][1]);
      r = run_cliv (f, argv);
      g_assert_cmpint (r->status, ==, 2);
      g_assert_cmpstr (r->out, ==, "");
      g_assert_nonnull (strstr (r->err, cases[i][7]));
    }

  /* No request reached the emulator. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, NULL, NULL), ==, 0);
}

static void
test_cli_sign_in_help (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BaTestCliResult) r = run_cli (f, "--help");
  g_autoptr(BaTestCliResult) sign_in_help = run_cli (f, "sign-in", "--help");

  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "  sign-in "));
  g_assert_nonnull (strstr (r->out, "  whoami "));
  g_assert_nonnull (strstr (r->out, "  sign-out "));
  g_assert_nonnull (strstr (r->out, "  application verify "));

  g_assert_cmpint (sign_in_help->status, ==, 0);
  g_assert_nonnull (strstr (sign_in_help->out, "backup-access-cli sign-in"));
  g_assert_nonnull (strstr (sign_in_help->out, "--stay-signed-in"));
  g_assert_nonnull (strstr (sign_in_help->out, "--browser"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/cli-sign-in/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("sign-in-whoami-sign-out", test_cli_sign_in_whoami_sign_out);
  ADD ("not-kept", test_cli_sign_in_not_kept);
  ADD ("declined", test_cli_sign_in_declined);
  ADD ("tenant", test_cli_sign_in_tenant);
  ADD ("browser", test_cli_sign_in_browser);
  ADD ("application-verify", test_cli_sign_in_application_verify);
  ADD ("usage", test_cli_sign_in_usage);
  ADD ("help", test_cli_sign_in_help);

#undef ADD

  return g_test_run ();
}
