/* ba-test-cli.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <gio/gio.h>

#include "ba-test-cli.h"

/* Runs backup-access-cli itself (BA_CLI), as an admin's script would. GLib
 * isolates a test's directories inside the test process only, so the program
 * under test is pointed at them; DBUS_SESSION_BUS_ADDRESS is inherited for the
 * keyring. Never the test's own standard input: on a terminal, the program
 * would ask for a token's PIN there. */

void
ba_test_cli_result_free (BaTestCliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

typedef struct
{
  BaTestCliResult *result;
  gboolean done;
} Communicate;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *c = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->result->out, &c->result->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

/* With @emulator_url, against the Graph emulator, which answers on this
 * process's main context: the program runs asynchronously while the main
 * loop turns, with a device code polled every 20 ms, and must be done within
 * 30 seconds. Without, synchronously. @input goes to its standard input. */
BaTestCliResult *
ba_test_cli_runv (const char         *emulator_url,
                  const char         *input,
                  const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  BaTestCliResult *result = g_new0 (BaTestCliResult, 1);

  g_ptr_array_add (args, (char *) g_getenv ("BA_CLI"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  if (emulator_url != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "BA_AUTHORITY_URL", emulator_url, TRUE);
      g_subprocess_launcher_setenv (launcher, "BA_GRAPH_URL", emulator_url, TRUE);
      g_subprocess_launcher_setenv (launcher, "BA_TEST_POLL_INTERVAL_MS", "20", TRUE);
    }
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);

  if (emulator_url != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      Communicate c = { result, FALSE };

      g_subprocess_communicate_utf8_async (process, input != NULL ? input : "", NULL, communicate_cb, &c);
      while (!c.done)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
      /* Its exit is reaped on the main context too. */
      while (!g_subprocess_get_if_exited (process) && !g_subprocess_get_if_signaled (process))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
    }
  else
    {
      g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &result->out, &result->err, &error);
      g_assert_no_error (error);
    }

  if (g_subprocess_get_if_signaled (process))
    g_test_message ("%s: signal %d, stderr: %s", argv[0], g_subprocess_get_term_sig (process), result->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  g_test_message ("%s: exit status %d, stderr: %s", argv[0], result->status, result->err);

  return result;
}

/* Synchronously, without the emulator; the arguments end with NULL. */
BaTestCliResult *
ba_test_cli_run (const char *input,
                 const char *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return ba_test_cli_runv (NULL, input, (const char * const *) args->pdata);
}
