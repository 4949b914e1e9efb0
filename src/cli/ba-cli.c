/* ba-cli.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "ba-app-sign-in.h"
#include "ba-browser-sign-in.h"
#include "ba-certificate.h"
#include "ba-certificate-store.h"
#include "ba-cloud.h"
#include "ba-device-code-flow.h"
#include "ba-enum-types.h"
#include "ba-graph-client.h"
#include "ba-identifiers.h"
#include "ba-organization-rules.h"
#include "ba-organization.h"
#include "ba-pkcs11.h"
#include "ba-provisioner.h"
#include "ba-session.h"
#include "ba-store.h"

#define PROGRAM "backup-access-cli"

/* Nobody types a PFX password this long; a bigger "password file" is most
 * likely the PFX itself given by mistake. */
#define MAX_PASSWORD_LENGTH 4096

/* The sign-in-client-id setting's default, for when the settings schema is
 * not installed (a CLI run from the build tree without the schema). */
#define DEFAULT_SIGN_IN_CLIENT_ID "14d82eec-204b-4c2f-b7e8-296a70dab67e"

/* Exit statuses are a contract with admins' scripts. */
enum {
  EXIT_OK = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
};

typedef int (*CommandFunc) (int    argc,
                            char **argv);

typedef struct
{
  const char *noun;
  const char *verb;
  const char *summary;
  CommandFunc func;
} Command;

/* A password read from a file or a terminal. Its buffer is exactly as long
 * as the string, so wiping strlen() bytes wipes all of it. */
typedef char CliSecret;

static void
cli_secret_free (CliSecret *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliSecret, cli_secret_free)

static int organization_list    (int    argc,
                                 char **argv);
static int organization_add     (int    argc,
                                 char **argv);
static int organization_remove  (int    argc,
                                 char **argv);
static int certificate_generate (int    argc,
                                 char **argv);
static int certificate_import   (int    argc,
                                 char **argv);
static int certificate_list     (int    argc,
                                 char **argv);
static int certificate_show     (int    argc,
                                 char **argv);
static int certificate_export   (int    argc,
                                 char **argv);
static int certificate_delete   (int    argc,
                                 char **argv);
static int sign_in              (int    argc,
                                 char **argv);
static int whoami               (int    argc,
                                 char **argv);
static int sign_out             (int    argc,
                                 char **argv);
static int application_verify   (int    argc,
                                 char **argv);
static int application_list     (int    argc,
                                 char **argv);
static int application_create   (int    argc,
                                 char **argv);
static int application_add      (int    argc,
                                 char **argv);
static int application_update_certificate (int    argc,
                                           char **argv);
static int application_remove   (int    argc,
                                 char **argv);
static int application_resume   (int    argc,
                                 char **argv);
static int application_verify_pool (int    argc,
                                    char **argv);

/* A command without a verb is one word: "sign-in". */
static const Command commands[] = {
  { "sign-in", NULL, N_("Sign in as an administrator of an organization"), sign_in },
  { "whoami", NULL, N_("Show the administrator who stays signed in"), whoami },
  { "sign-out", NULL, N_("Sign out and forget the kept sign-in"), sign_out },
  { "organization", "list", N_("List the organizations in the backup configuration"), organization_list },
  { "organization", "add", N_("Add a Microsoft 365 organization, with a new or an existing application"), organization_add },
  { "organization", "remove", N_("Remove an organization from the backup configuration"), organization_remove },
  { "certificate", "generate", N_("Generate a self-signed certificate and keep its key"), certificate_generate },
  { "certificate", "import", N_("Import a certificate and its key from a PFX file"), certificate_import },
  { "certificate", "list", N_("List the certificates that can sign, ours and the tokens’"), certificate_list },
  { "certificate", "show", N_("Show a certificate"), certificate_show },
  { "certificate", "export", N_("Export a certificate as a .cer, .pem or .pfx file"), certificate_export },
  { "certificate", "delete", N_("Delete a certificate and its key from the key store"), certificate_delete },
  { "application", "verify", N_("Check that an application can sign in with its certificate"), application_verify },
  { "application", "list", N_("List an organization’s backup applications"), application_list },
  { "application", "create", N_("Create backup applications in Microsoft Entra ID"), application_create },
  { "application", "add", N_("Add an existing application to an organization’s pool"), application_add },
  { "application", "update-certificate", N_("Give backup applications a new certificate"), application_update_certificate },
  { "application", "remove", N_("Remove backup applications, and delete them from Microsoft Entra ID"), application_remove },
  { "application", "resume", N_("Finish the applications an interrupted create left incomplete"), application_resume },
};

/* Auxiliary methods */

static void
print_usage (FILE *stream)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, _("Usage: %s COMMAND [OPTION…]"), PROGRAM);
  g_string_append (text, "\n\n");
  g_string_append (text, _("Set up the access a backup server needs to Microsoft 365 organizations."));
  g_string_append (text, "\n\n");
  g_string_append (text, _("Commands:"));
  g_string_append_c (text, '\n');

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = commands[i].verb != NULL
                                ? g_strdup_printf ("%s %s", commands[i].noun, commands[i].verb)
                                : g_strdup (commands[i].noun);

      g_string_append_printf (text, "  %-24s %s\n", name, _(commands[i].summary));
    }

  g_string_append_c (text, '\n');
  g_string_append (text, _("Options:"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, "  %-24s %s\n", "-h, --help", _("Show this help"));
  g_string_append_printf (text, "  %-24s %s\n", "--version", _("Show the version"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Run “%s COMMAND --help” for the options of a command."), PROGRAM);
  g_string_append (text, "\n\n");
  g_string_append (text, _("Exit status: 0 on success, 1 when the command failed, 2 when the command line is wrong."));
  g_string_append_c (text, '\n');

  fputs (text->str, stream);
}

static void
print_error (const char *message)
{
  g_printerr ("%s: %s\n", PROGRAM, message);
}

static void G_GNUC_PRINTF (1, 2)
print_errorf (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  print_error (message);
}

static int
usage_error (const char *message)
{
  print_error (message);
  /* Translators: %s is the program's name */
  g_printerr (_("Run “%s --help” to see the commands."), PROGRAM);
  g_printerr ("\n");
  return EXIT_USAGE;
}

/* Parses the options of a command, then expects exactly one positional
 * argument named @parameter (e.g. "THUMBPRINT"), or none when @parameter is
 * NULL. */
static gboolean
parse_command_options (GOptionContext   *context,
                       int              *argc,
                       char           ***argv,
                       const char       *parameter,
                       const char      **value,
                       int              *status)
{
  g_autoptr(GError) error = NULL;
  int expected = parameter != NULL ? 2 : 1;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (error->message);
      return FALSE;
    }

  /* argv[0] is the command; anything left after the options and the
   * expected argument is a mistake. */
  if (*argc < expected)
    {
      /* Translators: %s is the name of an argument, such as THUMBPRINT */
      g_autofree char *message = g_strdup_printf (_("Missing %s."), parameter);

      *status = usage_error (message);
      return FALSE;
    }

  if (*argc > expected)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[expected]);

      *status = usage_error (message);
      return FALSE;
    }

  if (value != NULL)
    *value = parameter != NULL ? (*argv)[1] : NULL;

  return TRUE;
}

static GOptionContext *
new_command_context (const char         *parameter,
                     const char         *summary,
                     const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  return context;
}

static BaStore *
load_store (int *status)
{
  g_autoptr(BaStore) store = ba_store_new_default ();
  g_autoptr(GError) error = NULL;

  if (!ba_store_load (store, &error))
    {
      const char *set_aside = ba_store_get_set_aside_path (store);

      print_error (error->message);
      if (set_aside != NULL)
        {
          /* Translators: %s is the path of a file */
          g_printerr (_("The unreadable file was kept as %s. Open Backup Access to restore the last good copy."), set_aside);
          g_printerr ("\n");
        }
      *status = EXIT_ERROR;
      return NULL;
    }

  /* A configuration from a newer version is still listed; say why it cannot
   * be changed from here. */
  if (ba_store_get_load_error (store) != NULL)
    print_error (ba_store_get_load_error (store)->message);

  return g_steal_pointer (&store);
}

static void
print_padded (GString    *line,
              const char *text,
              guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  g_string_append (line, text);
  for (glong i = len; i < (glong) width + 2; i++)
    g_string_append_c (line, ' ');
}

/* @rows holds string vectors of @n_columns cells; columns are padded to
 * their widest cell, measured in characters so translated headers line up. */
static void
print_table (GPtrArray *rows,
             guint      n_columns)
{
  g_autofree guint *widths = g_new0 (guint, n_columns);

  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (cells[c], -1));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_columns; c++)
        {
          if (c + 1 < n_columns)
            print_padded (line, cells[c], widths[c]);
          else
            g_string_append (line, cells[c]);
        }
      g_print ("%s\n", line->str);
    }
}

static void
print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* Prints { "@member": [ @elements ] }. */
static void
print_json_array (const char *member,
                  JsonArray  *elements)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_object_set_array_member (object, member, json_array_ref (elements));
  json_node_set_object (root, object);
  print_json (root);
}

/* Certificates */

/* ISO 8601 in UTC with a "Z", whatever zone the engine's GDateTime is in:
 * scripts compare these as strings. */
static char *
format_utc (GDateTime  *time,
            const char *format)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return g_strdup ("");

  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, format);
}

/* The JSON names are a contract with admins' scripts: never rename one. */
static const char *
key_location_to_json (BaKeyLocation location)
{
  switch (location)
    {
    case BA_KEY_LOCATION_KEY_STORE:
      return "key-store";
    case BA_KEY_LOCATION_PKCS11:
      return "pkcs11";
    case BA_KEY_LOCATION_MEMORY:
      return "memory";
    case BA_KEY_LOCATION_NONE:
    default:
      return "none";
    }
}

static char *
describe_key_location (BaCertificate *certificate)
{
  const char *label;

  switch (ba_certificate_get_key_location (certificate))
    {
    case BA_KEY_LOCATION_KEY_STORE:
      return g_strdup (_("key store"));
    case BA_KEY_LOCATION_PKCS11:
      label = ba_certificate_get_token_label (certificate);
      return g_strdup (label != NULL && *label != '\0' ? label : _("token"));
    case BA_KEY_LOCATION_MEMORY:
      return g_strdup (_("memory"));
    case BA_KEY_LOCATION_NONE:
    default:
      return g_strdup (_("none"));
    }
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
certificate_to_json (BaCertificate *certificate,
                     GDateTime     *now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *not_before = format_utc (ba_certificate_get_not_before (certificate), "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *not_after = format_utc (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");
  BaKeyLocation location = ba_certificate_get_key_location (certificate);

  json_builder_begin_object (builder);
  add_string_member (builder, "subject", ba_certificate_get_subject (certificate));
  add_string_member (builder, "commonName", ba_certificate_get_common_name (certificate));
  add_string_member (builder, "issuer", ba_certificate_get_issuer (certificate));
  add_string_member (builder, "serial", ba_certificate_get_serial (certificate));
  add_string_member (builder, "notBefore", not_before);
  add_string_member (builder, "notAfter", not_after);
  add_string_member (builder, "sha1", ba_certificate_get_sha1_thumbprint (certificate));
  add_string_member (builder, "sha256", ba_certificate_get_sha256_thumbprint (certificate));
  add_string_member (builder, "keyAlgorithm", ba_certificate_get_key_algorithm (certificate));
  json_builder_set_member_name (builder, "keyBits");
  json_builder_add_int_value (builder, ba_certificate_get_key_bits (certificate));
  add_string_member (builder, "keyLocation", key_location_to_json (location));
  add_string_member (builder, "keyUri", ba_certificate_get_key_uri (certificate));
  add_string_member (builder, "tokenLabel",
                     location == BA_KEY_LOCATION_PKCS11 ? ba_certificate_get_token_label (certificate) : NULL);
  add_string_member (builder, "friendlyName", ba_certificate_get_friendly_name (certificate));
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, ba_certificate_is_valid_at (certificate, now));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
not_valid_yet (BaCertificate *certificate,
               GDateTime     *now)
{
  GDateTime *not_before = ba_certificate_get_not_before (certificate);

  return not_before != NULL && g_date_time_compare (now, not_before) < 0;
}

/* Turns "2024-05-01" into "2024-05-01 (expired)". */
static void
append_note (char       **text,
             const char  *note)
{
  /* Translators: a date, then why the certificate cannot be used, e.g. "2024-05-01 (expired)" */
  char *noted = g_strdup_printf (_("%s (%s)"), *text, note);

  g_free (*text);
  *text = noted;
}

static void
add_detail (GPtrArray  *rows,
            const char *label,
            const char *value)
{
  const char *cells[] = { label, value != NULL ? value : "", NULL };

  g_ptr_array_add (rows, g_strdupv ((char **) cells));
}

static void
print_certificate (BaCertificate *certificate,
                   gboolean       json)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *not_before = NULL;
  g_autofree char *not_after = NULL;
  g_autofree char *key = NULL;
  g_autofree char *location = NULL;
  const char *key_uri;

  if (json)
    {
      g_autoptr(JsonNode) root = certificate_to_json (certificate, now);

      print_json (root);
      return;
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  not_before = format_utc (ba_certificate_get_not_before (certificate), "%Y-%m-%dT%H:%M:%SZ");
  not_after = format_utc (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");
  if (not_valid_yet (certificate, now))
    append_note (&not_before, _("not valid yet"));
  else if (!ba_certificate_is_valid_at (certificate, now))
    append_note (&not_after, _("expired"));
  /* Translators: the key's algorithm and size, e.g. "RSA 2048 bits" */
  key = g_strdup_printf (_("%s %u bits"),
                         ba_certificate_get_key_algorithm (certificate) != NULL ? ba_certificate_get_key_algorithm (certificate) : "",
                         ba_certificate_get_key_bits (certificate));
  location = describe_key_location (certificate);
  key_uri = ba_certificate_get_key_uri (certificate);

  add_detail (rows, _("Subject:"), ba_certificate_get_subject (certificate));
  add_detail (rows, _("Issuer:"), ba_certificate_get_issuer (certificate));
  add_detail (rows, _("Serial number:"), ba_certificate_get_serial (certificate));
  add_detail (rows, _("Valid from:"), not_before);
  add_detail (rows, _("Valid until:"), not_after);
  add_detail (rows, _("SHA-1:"), ba_certificate_get_sha1_thumbprint (certificate));
  add_detail (rows, _("SHA-256:"), ba_certificate_get_sha256_thumbprint (certificate));
  add_detail (rows, _("Key:"), key);
  add_detail (rows, _("Private key in:"), location);
  if (key_uri != NULL && *key_uri != '\0')
    add_detail (rows, _("Key URI:"), key_uri);
  if (ba_certificate_get_friendly_name (certificate) != NULL)
    add_detail (rows, _("Friendly name:"), ba_certificate_get_friendly_name (certificate));

  print_table (rows, 2);
}

/* Admins paste thumbprints from the Windows certificate manager (spaced, often
 * behind an invisible left-to-right mark) or from openssl (colon-separated):
 * accept those, and return the bare uppercase hex, or NULL when the text is
 * not a SHA-1 or SHA-256 thumbprint. */
static char *
normalize_thumbprint (const char *text)
{
  g_autoptr(GString) hex = g_string_new (NULL);

  if (!g_utf8_validate (text, -1, NULL))
    return NULL;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ':' || g_unichar_isspace (c) || c == 0x200E || c == 0x200F || c == 0xFEFF)
        continue;
      if (c > 0x7F || !g_ascii_isxdigit ((char) c))
        return NULL;
      g_string_append_c (hex, g_ascii_toupper ((char) c));
    }

  if (hex->len != 40 && hex->len != 64)
    return NULL;

  return g_string_free (g_steal_pointer (&hex), FALSE);
}

static gboolean
parse_thumbprint (const char  *text,
                  char       **thumbprint,
                  int         *status)
{
  *thumbprint = normalize_thumbprint (text);
  if (*thumbprint == NULL)
    {
      /* Translators: %s is what the person typed */
      g_autofree char *message = g_strdup_printf (_("“%s” is not a SHA-1 or SHA-256 thumbprint."), text);

      *status = usage_error (message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_from_fd (int     fd,
              char   *buffer,
              gsize   size,
              gssize *n_read)
{
  do
    {
      *n_read = read (fd, buffer, size);
    }
  while (*n_read < 0 && errno == EINTR);

  return *n_read >= 0;
}

/* Reads the first line of @fd. Every buffer that held part of the password is
 * wiped before it is freed, including the ones outgrown on the way. */
static CliSecret *
read_secret_line (int          fd,
                  const char  *display_name,
                  GError     **error)
{
  char chunk[256];
  char *buffer = g_malloc0 (1);
  gsize length = 0;
  gboolean done = FALSE;
  int saved_errno = 0;

  while (!done)
    {
      gssize n_read;
      gsize take;
      char *newline;
      char *grown;

      if (!read_from_fd (fd, chunk, sizeof chunk, &n_read))
        {
          saved_errno = errno;
          break;
        }
      if (n_read == 0)
        break;

      newline = memchr (chunk, '\n', n_read);
      take = newline != NULL ? (gsize) (newline - chunk) : (gsize) n_read;
      done = newline != NULL;

      if (length + take > MAX_PASSWORD_LENGTH)
        {
          saved_errno = EFBIG;
          break;
        }

      grown = g_malloc (length + take + 1);
      memcpy (grown, buffer, length);
      memcpy (grown + length, chunk, take);
      grown[length + take] = '\0';
      explicit_bzero (buffer, length);
      g_free (buffer);
      buffer = grown;
      length += take;
    }

  explicit_bzero (chunk, sizeof chunk);

  if (saved_errno == 0 && memchr (buffer, '\0', length) != NULL)
    saved_errno = EINVAL;

  if (saved_errno != 0)
    {
      explicit_bzero (buffer, length);
      g_free (buffer);

      if (saved_errno == EFBIG || saved_errno == EINVAL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     /* Translators: %s is the name of a file */
                     _("“%s” does not hold a password on its first line."), display_name);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                     /* Translators: the first %s is the name of a file, the second why it failed */
                     _("Could not read the password from “%s”: %s"), display_name, g_strerror (saved_errno));
      return NULL;
    }

  /* A file written on Windows ends its line with CR LF. */
  if (length > 0 && buffer[length - 1] == '\r')
    buffer[--length] = '\0';

  return buffer;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  while (size > 0)
    {
      gssize written = write (fd, data, size);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return FALSE;

      data += written;
      size -= written;
    }

  return TRUE;
}

/* The terminal to put back in order if the program is interrupted while it
 * does not echo. Set only while a secret is typed. */
static int quiet_tty_fd = -1;
static struct termios quiet_tty_saved;

static void
restore_tty_and_die (int signum)
{
  /* Only async-signal-safe calls here. */
  tcsetattr (quiet_tty_fd, TCSANOW, &quiet_tty_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads a line from the terminal @fd without echoing it, after @prompt has
 * been written to @prompt_fd. Ctrl+C still stops the program, with the echo
 * switched back on. */
static CliSecret *
read_tty_secret (int          fd,
                 int          prompt_fd,
                 const char  *prompt,
                 const char  *display_name,
                 GError     **error)
{
  struct sigaction restore = { 0 };
  struct sigaction old_sigint;
  struct sigaction old_sigterm;
  struct termios quiet;
  gboolean quieted = FALSE;
  CliSecret *secret;

  if (tcgetattr (fd, &quiet_tty_saved) == 0)
    {
      quiet = quiet_tty_saved;
      quiet.c_lflag &= ~ECHO;
      quiet.c_lflag |= ECHONL;

      quiet_tty_fd = fd;
      restore.sa_handler = restore_tty_and_die;
      sigemptyset (&restore.sa_mask);
      sigaction (SIGINT, &restore, &old_sigint);
      sigaction (SIGTERM, &restore, &old_sigterm);

      quieted = tcsetattr (fd, TCSANOW, &quiet) == 0;
    }

  write_all (prompt_fd, (const guint8 *) prompt, strlen (prompt));
  secret = read_secret_line (fd, display_name, error);

  if (quiet_tty_fd >= 0)
    {
      if (quieted)
        tcsetattr (fd, TCSANOW, &quiet_tty_saved);
      sigaction (SIGINT, &old_sigint, NULL);
      sigaction (SIGTERM, &old_sigterm, NULL);
      quiet_tty_fd = -1;
    }

  return secret;
}

/* The password is the first line of @path, or of standard input for "-",
 * without its line break. On a terminal, it is asked for without echo. */
static CliSecret *
read_password_file (const char  *path,
                    GError     **error)
{
  g_autofree char *display_name = NULL;
  CliSecret *secret;
  int fd;

  if (g_str_equal (path, "-"))
    {
      if (isatty (STDIN_FILENO))
        return read_tty_secret (STDIN_FILENO, STDERR_FILENO, _("Password: "), _("standard input"), error);

      return read_secret_line (STDIN_FILENO, _("standard input"), error);
    }

  display_name = g_filename_display_name (path);
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not read the password from “%s”: %s"), display_name, g_strerror (saved_errno));
      return NULL;
    }

  secret = read_secret_line (fd, display_name, error);
  g_close (fd, NULL);

  return secret;
}

/* Asked by the engine, from whichever thread logs in to a token. Only a
 * person at a terminal is asked; a script gets no prompt to hang on, and the
 * token's certificates are reported as missing instead. An empty answer
 * skips the token. */
static char *
prompt_pin (const char *token_label,
            guint       attempt,
            const char *retry_message,
            gpointer    user_data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  CliSecret *pin;
  int fd;

  if (!isatty (STDIN_FILENO))
    return NULL;

  fd = g_open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    return NULL;

  if (retry_message != NULL)
    g_string_append_printf (text, "%s\n", retry_message);
  /* Translators: %s is the label of a security token, such as a smart card */
  g_string_append_printf (text, _("PIN of “%s” (leave empty to skip the token): "), token_label);

  pin = read_tty_secret (fd, fd, text->str, "/dev/tty", NULL);
  g_close (fd, NULL);

  if (pin != NULL && *pin == '\0')
    g_clear_pointer (&pin, cli_secret_free);

  /* The engine wipes and frees it with g_free(); the buffer is exactly as
   * long as the PIN, as it expects. */
  return pin;
}

/* A token that could not be read (PIN skipped, refused or locked, token
 * failing) leaves its certificates out; our own are listed regardless. */
static void
warn_token_error (BaCertificateStore *store)
{
  const GError *token_error = ba_certificate_store_get_token_error (store);

  if (token_error == NULL)
    return;

  /* Translators: %s is why a security token's certificates are missing */
  print_errorf (_("Warning: %s"), token_error->message);
}

static BaCertificateStore *
load_certificate_store (gboolean  include_tokens,
                        int      *status)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, include_tokens);
  g_autoptr(GError) error = NULL;

  if (include_tokens)
    ba_pkcs11_set_pin_func (prompt_pin, NULL, NULL);

  if (!ba_certificate_store_refresh (store, &error))
    {
      print_error (error->message);
      *status = EXIT_ERROR;
      return NULL;
    }

  return g_steal_pointer (&store);
}

/* Looks in our key store first, so that a certificate of ours is found
 * without touching the tokens (nor asking for a PIN); then on the tokens too,
 * so that a token's certificate is found, and refused with the engine's own
 * reason where it must be, rather than reported missing. Returns the
 * certificate and, in @store, the store that holds it. */
static BaCertificate *
find_certificate (const char          *thumbprint,
                  BaCertificateStore **store,
                  int                 *status)
{
  BaCertificate *certificate;

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(BaCertificateStore) searched = load_certificate_store (pass == 1, status);

      if (searched == NULL)
        return NULL;

      certificate = ba_certificate_store_lookup (searched, thumbprint);
      if (certificate != NULL)
        {
          *store = g_steal_pointer (&searched);
          return g_object_ref (certificate);
        }

      if (pass == 1)
        {
          print_errorf (_("No certificate with thumbprint %s."), thumbprint);
          /* It may be on a token that could not be read. */
          warn_token_error (searched);
        }
    }

  *status = EXIT_ERROR;
  return NULL;
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
on_interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until an async call completes. Ctrl+C and SIGTERM cancel
 * @cancellable instead of killing the process, so that the engine can undo a
 * half-saved key instead of leaving an orphan file or keyring entry. */
static GAsyncResult *
wait_for_result (GAsyncResult **result,
                 GCancellable  *cancellable)
{
  guint sigint_id = g_unix_signal_add (SIGINT, on_interrupted_cb, cancellable);
  guint sigterm_id = g_unix_signal_add (SIGTERM, on_interrupted_cb, cancellable);

  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return g_steal_pointer (result);
}

static BaCertificate *
save_in_key_store (BaCertificate *certificate,
                   GCancellable  *cancellable,
                   int           *status)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) saved = NULL;
  g_autoptr(GError) error = NULL;

  ba_certificate_store_add_async (store, certificate, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  saved = ba_certificate_store_add_finish (store, result, &error);
  if (saved == NULL)
    {
      /* Translators: %s is why, from the certificate engine */
      print_errorf (_("Could not save the certificate in the key store: %s"), error->message);
      *status = EXIT_ERROR;
      return NULL;
    }

  return g_steal_pointer (&saved);
}

static gboolean
set_write_error (GError     **error,
                 const char  *path,
                 int          saved_errno)
{
  g_autofree char *display_name = g_filename_display_name (path);

  if (saved_errno == EEXIST)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 /* Translators: %s is the name of a file */
                 _("“%s” already exists. Choose another name, or remove it first."), display_name);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 /* Translators: the first %s is the name of a file, the second why it failed */
                 _("Could not write “%s”: %s"), display_name, g_strerror (saved_errno));

  return FALSE;
}

/* The file appears whole or not at all, and an existing file is never
 * replaced: it is written under a temporary name, then hard-linked into
 * place, which fails if the name was taken in the meantime. */
static gboolean
write_new_file (const char  *path,
                GBytes      *contents,
                int          mode,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp_path = NULL;
  const guint8 *data;
  gsize size;
  int saved_errno;
  int fd;

  data = g_bytes_get_data (contents, &size);
  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return set_write_error (error, path, errno);

  if (!write_all (fd, data, size) || fsync (fd) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_unlink (tmp_path);
      return set_write_error (error, path, saved_errno);
    }

  if (!g_close (fd, NULL))
    {
      saved_errno = errno;
      g_unlink (tmp_path);
      return set_write_error (error, path, saved_errno);
    }

  if (link (tmp_path, path) == 0)
    {
      g_unlink (tmp_path);
      return TRUE;
    }

  saved_errno = errno;
  g_unlink (tmp_path);
  if (saved_errno == EEXIST)
    return set_write_error (error, path, saved_errno);

  /* Some file systems (FAT on a USB stick, some network shares) have no hard
   * links: still never overwrite, at the cost of a partial file on a crash. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
  if (fd < 0)
    return set_write_error (error, path, errno);

  if (!write_all (fd, data, size) || fsync (fd) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_unlink (path);
      return set_write_error (error, path, saved_errno);
    }

  if (!g_close (fd, NULL))
    {
      saved_errno = errno;
      g_unlink (path);
      return set_write_error (error, path, saved_errno);
    }

  return TRUE;
}

static void
warn_if_not_valid (BaCertificate *certificate)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = NULL;
  g_autofree char *message = NULL;

  if (ba_certificate_is_valid_at (certificate, now))
    return;

  if (not_valid_yet (certificate, now))
    {
      date = format_utc (ba_certificate_get_not_before (certificate), "%Y-%m-%dT%H:%M:%SZ");
      /* Translators: %s is a date and time in ISO 8601 */
      message = g_strdup_printf (_("Warning: the certificate is not valid before %s."), date);
    }
  else
    {
      date = format_utc (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");
      /* Translators: %s is a date and time in ISO 8601 */
      message = g_strdup_printf (_("Warning: the certificate expired on %s."), date);
    }

  print_error (message);
}

/* Sign-in */

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);

  return schema != NULL ? g_settings_new (BASE_APP_ID) : NULL;
}

/* The cloud named by --cloud, else the default-cloud setting, with the
 * settings' and environment's endpoint overrides. */
static BaCloud *
load_cloud (const char *nick,
            GSettings  *settings,
            int        *status)
{
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *default_nick = NULL;
  BaCloudKind kind = BA_CLOUD_KIND_GLOBAL;

  if (nick != NULL)
    {
      if (!ba_cloud_kind_from_nick (nick, &kind))
        {
          /* Translators: %s is what the person typed; keep the cloud names as they are */
          g_autofree char *message = g_strdup_printf (_("Unknown cloud “%s”: choose global, us-government-l4, us-government-l5 or china."), nick);

          *status = usage_error (message);
          return NULL;
        }
    }
  else if (settings != NULL)
    {
      default_nick = g_settings_get_string (settings, "default-cloud");
      if (!ba_cloud_kind_from_nick (default_nick, &kind))
        kind = BA_CLOUD_KIND_GLOBAL;
    }

  cloud = ba_cloud_new_from_settings (kind, settings, &error);
  if (cloud == NULL)
    {
      print_error (error->message);
      *status = EXIT_ERROR;
      return NULL;
    }

  return g_steal_pointer (&cloud);
}

static char *
load_sign_in_client_id (GSettings *settings)
{
  g_autofree char *client_id = NULL;

  if (settings != NULL)
    client_id = g_settings_get_string (settings, "sign-in-client-id");
  if (client_id == NULL || *client_id == '\0')
    return g_strdup (DEFAULT_SIGN_IN_CLIENT_ID);

  return g_steal_pointer (&client_id);
}

/* What a cloud, client and tenant to sign in to; shared by the commands. */
typedef struct
{
  GSettings *settings;
  BaCloud *cloud;
  char *client_id;
} SignInTarget;

static void
sign_in_target_clear (SignInTarget *target)
{
  g_clear_object (&target->settings);
  g_clear_object (&target->cloud);
  g_clear_pointer (&target->client_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SignInTarget, sign_in_target_clear)

static gboolean
load_sign_in_target (SignInTarget *target,
                     const char   *cloud_nick,
                     int          *status)
{
  target->settings = load_settings ();
  target->cloud = load_cloud (cloud_nick, target->settings, status);
  if (target->cloud == NULL)
    return FALSE;
  target->client_id = load_sign_in_client_id (target->settings);

  return TRUE;
}

static void
announce_device_code (BaDeviceCodeFlow *flow,
                      GParamSpec       *pspec,
                      gpointer          user_data)
{
  gboolean *announced = user_data;
  const char *uri = ba_device_code_flow_get_verification_uri (flow);
  const char *code = ba_device_code_flow_get_user_code (flow);

  if (*announced || uri == NULL || code == NULL)
    return;

  /* Translators: the first %s is a web address, the second a code such as "ABCD1234" */
  g_printerr (_("To sign in, open %s and enter the code %s"), uri, code);
  g_printerr ("\n");
  *announced = TRUE;
}

static void
announce_authorize_uri (BaBrowserSignIn *browser,
                        GParamSpec      *pspec,
                        gpointer         user_data)
{
  gboolean *announced = user_data;
  const char *uri = ba_browser_sign_in_get_authorize_uri (browser);

  if (*announced || uri == NULL)
    return;

  g_printerr ("%s\n%s\n",
              _("To sign in, open this link in a browser on this computer:"),
              uri);
  *announced = TRUE;
}

/* A hidden seam for the tests: a device code polled every few milliseconds
 * instead of the server's seconds. */
static void
apply_test_poll_interval (BaDeviceCodeFlow *flow)
{
  const char *text = g_getenv ("BA_TEST_POLL_INTERVAL_MS");
  guint64 interval_ms = 0;

  if (text != NULL && *text != '\0' && g_ascii_string_to_unsigned (text, 10, 1, 60000, &interval_ms, NULL))
    _ba_device_code_flow_set_interval_ms (flow, (guint) interval_ms);
}

/* A new sign-in: a device code on stderr, or the browser's link, then the
 * main loop until the admin has signed in (or Ctrl+C). */
static BaSession *
sign_in_interactively (SignInTarget *target,
                       const char   *tenant,
                       gboolean      browser,
                       GCancellable *cancellable,
                       int          *status)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announced = FALSE;

  if (browser)
    {
      g_autoptr(BaBrowserSignIn) sign_in = ba_browser_sign_in_new (target->cloud, target->client_id, tenant, NULL);

      g_signal_connect (sign_in, "notify::authorize-uri", G_CALLBACK (announce_authorize_uri), &announced);
      ba_browser_sign_in_run_async (sign_in, cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      session = ba_browser_sign_in_run_finish (sign_in, result, &error);
      g_signal_handlers_disconnect_by_data (sign_in, &announced);
    }
  else
    {
      g_autoptr(BaDeviceCodeFlow) flow = ba_device_code_flow_new (target->cloud, target->client_id, tenant, NULL);

      apply_test_poll_interval (flow);
      g_signal_connect (flow, "notify::user-code", G_CALLBACK (announce_device_code), &announced);
      g_signal_connect (flow, "notify::verification-uri", G_CALLBACK (announce_device_code), &announced);
      ba_device_code_flow_run_async (flow, cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      session = ba_device_code_flow_run_finish (flow, result, &error);
      g_signal_handlers_disconnect_by_data (flow, &announced);
    }

  if (session == NULL)
    {
      /* Translators: %s says why and what to do */
      print_errorf (_("Could not sign in: %s"), error->message);
      *status = EXIT_ERROR;
      return NULL;
    }

  return g_steal_pointer (&session);
}

static BaSession *
restore_session (SignInTarget  *target,
                 const char    *tenant,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_session_restore_async (target->cloud, target->client_id, tenant, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  return ba_session_restore_finish (result, error);
}

/* The admin's session for every command that works in Graph as the admin:
 * the one kept with "stay signed in", else a new sign-in with a device code
 * on stderr; @force_new always signs in anew. */
static BaSession *
get_admin_session (SignInTarget *target,
                   const char   *tenant,
                   gboolean      force_new,
                   gboolean      browser,
                   GCancellable *cancellable,
                   int          *status)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (!force_new)
    {
      session = restore_session (target, tenant, cancellable, &error);
      if (session != NULL)
        return g_steal_pointer (&session);

      if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_INVALID_GRANT))
        print_error (error->message);
      else if (!g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN))
        {
          print_error (error->message);
          *status = EXIT_ERROR;
          return NULL;
        }
    }

  return sign_in_interactively (target, tenant, browser, cancellable, status);
}

/* Waits until the keyring holds the session's latest refresh token, when
 * it stays signed in: the program exits right after. */
static gboolean
save_session (BaSession    *session,
              GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ba_session_save_async (session, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  if (!ba_session_save_finish (session, result, &error))
    {
      /* Translators: %s is why */
      print_errorf (_("Could not keep the sign-in in the keyring: %s"), error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
load_roles (BaSession    *session,
            GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ba_session_load_roles_async (session, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  if (!ba_session_load_roles_finish (session, result, &error))
    {
      /* Translators: %s is why */
      print_errorf (_("Warning: could not read the account’s roles: %s"), error->message);
      return FALSE;
    }

  return TRUE;
}

static void
add_strv_member (JsonBuilder        *builder,
                 const char         *name,
                 const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static char *
join_or_none (const char * const *values)
{
  if (values == NULL || values[0] == NULL)
    return g_strdup (_("none"));

  return g_strjoinv (", ", (char **) values);
}

/* Commands */

static int
organization_list (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gboolean json = FALSE;
  int status = EXIT_OK;
  GListModel *orgs;
  guint n_items;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the organizations as JSON"), NULL },
    { NULL }
  };
  const char *headers[] = { _("NAME"), _("TENANT ID"), _("AUTHENTICATION"), _("CLOUD"), NULL };

  context = new_command_context (NULL, _("List the organizations in the backup configuration."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;

  store = load_store (&status);
  if (store == NULL)
    return status;

  orgs = ba_store_get_organizations (store);
  n_items = g_list_model_get_n_items (orgs);

  if (json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(BaOrganization) org = g_list_model_get_item (orgs, i);

          json_array_add_element (array, ba_organization_serialize (org, FALSE));
        }
      print_json_array ("organizations", array);
      return EXIT_OK;
    }

  if (n_items == 0)
    {
      g_print ("%s\n", _("There are no organizations in the backup configuration."));
      return EXIT_OK;
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaOrganization) org = g_list_model_get_item (orgs, i);
      const char *cells[] = {
        ba_organization_get_name (org) ? ba_organization_get_name (org) : "",
        ba_organization_get_tenant_id (org),
        ba_auth_type_to_string (ba_organization_get_auth_type (org)),
        ba_cloud_kind_to_string (ba_organization_get_cloud (org)),
        NULL
      };

      g_ptr_array_add (rows, g_strdupv ((char **) cells));
    }

  print_table (rows, G_N_ELEMENTS (headers) - 1);

  return EXIT_OK;
}

/* organization add / remove: the same checks and messages as the Add
 * Organization wizard (ba-organization-rules.h). */

static gboolean
parse_services (const char *text,
                BaServices *services,
                int        *status)
{
  g_auto(GStrv) names = NULL;

  *services = BA_SERVICE_NONE;
  if (text == NULL)
    {
      *status = usage_error (_("Missing --services: choose from exchange, sharepoint, teams and teams-chats."));
      return FALSE;
    }

  names = g_strsplit (text, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (names[i]));

      if (*name == '\0')
        continue;
      if (g_str_equal (name, "exchange") || g_str_equal (name, "exchange-online"))
        *services |= BA_SERVICE_EXCHANGE;
      else if (g_str_equal (name, "sharepoint") || g_str_equal (name, "sharepoint-online"))
        *services |= BA_SERVICE_SHAREPOINT;
      else if (g_str_equal (name, "teams"))
        *services |= BA_SERVICE_TEAMS;
      else if (g_str_equal (name, "teams-chats"))
        *services |= BA_SERVICE_TEAMS_CHATS;
      else
        {
          /* Translators: %s is what the person typed; keep the service names as they are */
          g_autofree char *message = g_strdup_printf (_("Unknown service “%s”: choose from exchange, sharepoint, teams and teams-chats."), name);

          *status = usage_error (message);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_auth_type (const char *text,
                 BaAuthType *auth_type,
                 int        *status)
{
  if (text == NULL || g_str_equal (text, "modern-app-only"))
    *auth_type = BA_AUTH_TYPE_MODERN_APP_ONLY;
  else if (g_str_equal (text, "modern-legacy") || g_str_equal (text, "modern-legacy-protocols"))
    *auth_type = BA_AUTH_TYPE_MODERN_LEGACY;
  else if (g_str_equal (text, "basic"))
    *auth_type = BA_AUTH_TYPE_BASIC;
  else
    {
      /* Translators: %s is what the person typed; keep the method names as they are */
      g_autofree char *message = g_strdup_printf (_("Unknown authentication “%s”: choose modern-app-only, modern-legacy or basic."), text);

      *status = usage_error (message);
      return FALSE;
    }

  return TRUE;
}

/* A choice the rules refuse: the rule's own message, as the wizard shows. */
static int
refuse_choice (GError *error)
{
  int status = usage_error (error->message);

  g_error_free (error);
  return status;
}

/* Hidden seams for the tests: short retry delays and replication timeout. */
static void
apply_test_delays (BaGraphClient *client,
                   BaProvisioner *provisioner)
{
  const char *text = g_getenv ("BA_TEST_RETRY_DELAY_MS");
  guint64 delay_ms = 0;

  if (text == NULL || *text == '\0' || !g_ascii_string_to_unsigned (text, 10, 1, 60000, &delay_ms, NULL))
    return;

  if (client != NULL)
    ba_graph_client_set_retry_policy (client, 3, (guint) delay_ms, (guint) delay_ms * 4);
  if (provisioner != NULL)
    {
      ba_provisioner_set_retry_base_delay (provisioner, (guint) delay_ms);
      ba_provisioner_set_replication_timeout (provisioner, 3000);
    }
}

static void
on_add_progress_cb (BaProvisioner       *provisioner,
                    BaBackupApplication *app,
                    const char          *step,
                    gpointer             user_data)
{
  g_printerr ("%s\n", step);
}

static void
print_added (BaOrganization      *org,
             BaBackupApplication *app,
             BaCertificate       *certificate,
             const BaPermission  *permissions,
             guint                n_permissions,
             const char * const  *roles,
             const GError        *error,
             gboolean             json)
{
  g_autofree char *expiry = format_utc (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");
  const char *advice = error != NULL ? ba_organization_advice_for_error (error) : NULL;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "organization");
      json_builder_add_value (builder, ba_organization_serialize (org, FALSE));
      add_string_member (builder, "applicationId", app != NULL ? ba_backup_application_get_app_id (app) : NULL);
      add_string_member (builder, "certificateThumbprint", ba_certificate_get_sha1_thumbprint (certificate));
      add_string_member (builder, "certificateExpiry", expiry);
      json_builder_set_member_name (builder, "permissions");
      json_builder_begin_array (builder);
      for (guint i = 0; permissions != NULL && i < n_permissions; i++)
        {
          json_builder_begin_object (builder);
          add_string_member (builder, "resourceAppId", permissions[i].resource_app_id);
          add_string_member (builder, "value", permissions[i].value);
          json_builder_end_object (builder);
        }
      for (guint i = 0; permissions == NULL && roles != NULL && roles[i] != NULL; i++)
        {
          json_builder_begin_object (builder);
          add_string_member (builder, "resourceAppId", BA_RESOURCE_GRAPH);
          add_string_member (builder, "value", roles[i]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      add_string_member (builder, "error", error != NULL ? error->message : NULL);
      add_string_member (builder, "advice", advice);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      print_json (root);
      return;
    }

  /* Translators: %s is an organization's name */
  g_print (_("Organization: %s"), ba_organization_get_name (org));
  g_print ("\n");
  /* Translators: %s is a tenant ID, a GUID */
  g_print (_("Tenant ID: %s"), ba_organization_get_tenant_id (org));
  g_print ("\n");
  if (app != NULL)
    {
      /* Translators: %s is an application (client) ID, a GUID */
      g_print (_("Application ID: %s"), ba_backup_application_get_app_id (app));
      g_print ("\n");
    }
  /* Translators: the first %s is a SHA-1 thumbprint, the second a date */
  g_print (_("Certificate: %s, valid until %s"), ba_certificate_get_sha1_thumbprint (certificate), expiry);
  g_print ("\n");
  if (error == NULL)
    {
      g_print ("%s\n", _("Permissions granted:"));
      for (guint i = 0; permissions != NULL && i < n_permissions; i++)
        g_print ("  %s %s\n", permissions[i].resource_app_id, permissions[i].value);
      for (guint i = 0; permissions == NULL && roles != NULL && roles[i] != NULL; i++)
        g_print ("  %s %s\n", BA_RESOURCE_GRAPH, roles[i]);
    }
  else
    {
      print_error (error->message);
      if (advice != NULL)
        print_error (advice);
    }
}

static gboolean
save_configuration (BaStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!ba_store_save (store, &error))
    {
      print_error (error->message);
      return FALSE;
    }

  return TRUE;
}

static BaOrganization *
new_organization (const char *tenant_id,
                  const char *name,
                  BaCloudKind cloud,
                  BaAuthType  auth_type,
                  BaServices  services,
                  const char *account)
{
  BaOrganization *org = ba_organization_new (tenant_id, name);

  ba_organization_set_cloud (org, cloud);
  ba_organization_set_auth_type (org, auth_type);
  ba_organization_set_services (org, services);
  ba_organization_set_impersonation_account (org, account);

  return org;
}

/* Recorded before anything is made in the tenant, so that whatever is made
 * is recorded under it. */
static gboolean
record_organization (BaStore        *store,
                     BaOrganization *org,
                     int            *status)
{
  g_autoptr(GError) error = NULL;

  if (!ba_organization_check_not_in_store (store, ba_organization_get_tenant_id (org), &error) ||
      !ba_store_add_organization (store, org, &error) ||
      !ba_store_save (store, &error))
    {
      print_error (error->message);
      *status = EXIT_ERROR;
      return FALSE;
    }

  return TRUE;
}

static int
add_with_graph (SignInTarget       *target,
                BaStore            *store,
                BaCertificate      *certificate,
                BaServices          services,
                BaAuthType          auth_type,
                const char         *register_name,
                const char         *app_id,
                const char         *account,
                const BaPermission *permissions,
                guint               n_permissions,
                gboolean            browser,
                gboolean            json,
                GCancellable       *cancellable)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaGraphClient) client = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tenant_id = NULL;
  g_autofree char *name = NULL;
  int status = EXIT_OK;

  session = get_admin_session (target, NULL, FALSE, browser, cancellable, &status);
  if (session == NULL)
    return status;
  save_session (session, cancellable);

  /* The tenant is known now: refuse a duplicate before anything is made. */
  if (!ba_organization_check_not_in_store (store, ba_session_get_tenant_id (session), &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  if (load_roles (session, cancellable) && !ba_session_can_grant_graph_roles (session))
    {
      /* Translators: %s is the account's user name */
      print_errorf (_("Warning: %s holds neither the Global Administrator nor the Privileged Role Administrator role, so granting the permissions will fail."),
                    ba_session_get_upn (session));
    }

  client = ba_graph_client_new (target->cloud, session);
  apply_test_delays (client, NULL);
  ba_graph_client_get_organization_async (client, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  if (!ba_graph_client_get_organization_finish (client, result, &tenant_id, &name, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }
  g_clear_object (&result);

  org = new_organization (tenant_id, name != NULL ? name : tenant_id, ba_cloud_get_kind (target->cloud),
                          auth_type, services, account);
  if (!record_organization (store, org, &status))
    return status;

  provisioner = ba_provisioner_new (client, store, org);
  apply_test_delays (NULL, provisioner);
  g_signal_connect (provisioner, "application-progress", G_CALLBACK (on_add_progress_cb), NULL);

  if (register_name != NULL)
    {
      GListModel *run;

      ba_provisioner_create_async (provisioner, register_name, certificate, 1, FALSE,
                                   permissions, n_permissions, BA_APPLICATION_ORIGIN_ORGANIZATION,
                                   cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      ba_provisioner_create_finish (provisioner, result, &error);
      run = ba_provisioner_get_run (provisioner);
      if (run != NULL && g_list_model_get_n_items (run) > 0)
        app = g_list_model_get_item (run, 0);
    }
  else
    {
      ba_provisioner_configure_existing_async (provisioner, app_id, certificate, permissions, n_permissions,
                                               BA_APPLICATION_ORIGIN_ORGANIZATION, cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      app = ba_provisioner_configure_existing_finish (provisioner, result, &error);
      if (app == NULL && ba_organization_find_application (org, app_id) != NULL)
        app = g_object_ref (ba_organization_find_application (org, app_id));
    }

  if (app != NULL && ba_backup_application_get_app_id (app) != NULL)
    ba_organization_set_own_application_id (org, ba_backup_application_get_app_id (app));

  /* Nothing of it exists in the tenant: it is not kept. */
  if (error != NULL && g_list_model_get_n_items (ba_organization_get_applications (org)) == 0)
    {
      ba_store_remove_organization (store, org);
      save_configuration (store);
      print_error (error->message);
      if (ba_organization_advice_for_error (error) != NULL)
        print_error (ba_organization_advice_for_error (error));
      return EXIT_ERROR;
    }

  if (!save_configuration (store))
    return EXIT_ERROR;

  print_added (org, app, certificate, error == NULL ? permissions : NULL, error == NULL ? n_permissions : 0,
               NULL, error, json);

  return error == NULL ? EXIT_OK : EXIT_ERROR;
}

static int
add_with_app_sign_in (SignInTarget       *target,
                      BaStore            *store,
                      BaCertificate      *certificate,
                      BaServices          services,
                      BaAuthType          auth_type,
                      const char         *app_id,
                      const char         *account,
                      const BaPermission *permissions,
                      guint               n_permissions,
                      gboolean            json,
                      GCancellable       *cancellable)
{
  g_autoptr(BaAppSignIn) verified = NULL;
  g_autoptr(BaOrganization) org = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = ba_organization_domain_of_username (account);
  const char * const *roles;
  int status = EXIT_OK;

  /* Nothing is written to Microsoft Entra ID: the application proves it
   * works by signing in with its certificate. */
  ba_app_sign_in_verify_async (target->cloud, domain, app_id, certificate, NULL, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  verified = ba_app_sign_in_verify_finish (result, &error);
  if (verified == NULL)
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  roles = ba_app_sign_in_get_roles (verified);
  if (!ba_organization_check_not_in_store (store, ba_app_sign_in_get_tenant_id (verified), &error) ||
      !ba_organization_check_graph_roles (permissions, n_permissions, roles, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  org = new_organization (ba_app_sign_in_get_tenant_id (verified), domain, ba_cloud_get_kind (target->cloud),
                          auth_type, services, account);
  app = ba_backup_application_new (ba_app_sign_in_get_app_id (verified));
  ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_ORGANIZATION);
  ba_backup_application_set_certificate_thumbprint (app, ba_certificate_get_sha1_thumbprint (certificate));
  ba_backup_application_set_certificate_expiry (app, ba_certificate_get_not_after (certificate));
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_READY);
  ba_backup_application_set_last_verified (app, ba_app_sign_in_get_verified_at (verified));
  ba_organization_add_application (org, app);
  ba_organization_set_own_application_id (org, app_id);

  if (!record_organization (store, org, &status))
    return status;

  print_added (org, app, certificate, NULL, 0, roles, NULL, json);

  return EXIT_OK;
}

static int
organization_add (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree BaPermission *permissions = NULL;
  g_autofree char *services_text = NULL;
  g_autofree char *cloud_nick = NULL;
  g_autofree char *auth_text = NULL;
  g_autofree char *register_name = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *username = NULL;
  g_autofree char *organization_name = NULL;
  g_autofree char *thumbprint_text = NULL;
  g_autofree char *thumbprint = NULL;
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(GError) error = NULL;
  gboolean grant = FALSE;
  gboolean browser = FALSE;
  gboolean json = FALSE;
  BaServices services = BA_SERVICE_NONE;
  BaAuthType auth_type = BA_AUTH_TYPE_MODERN_APP_ONLY;
  const char *account = NULL;
  guint n_permissions = 0;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "services", 0, 0, G_OPTION_ARG_STRING, &services_text, N_("The services to back up, separated by commas: exchange, sharepoint, teams, teams-chats"), N_("SERVICES") },
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_nick, N_("The cloud: global, us-government-l4, us-government-l5 or china"), N_("CLOUD") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth_text, N_("The authentication method: modern-app-only (the default), modern-legacy or basic"), N_("METHOD") },
    { "register-name", 0, 0, G_OPTION_ARG_STRING, &register_name, N_("Register a new Microsoft Entra application with this name"), N_("NAME") },
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &app_id, N_("Use the existing Microsoft Entra application with this ID"), N_("ID") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("The account used for impersonation, name@domain"), N_("USER") },
    { "organization-name", 0, 0, G_OPTION_ARG_STRING, &organization_name, N_("The organization’s domain, when only SharePoint Online and OneDrive are backed up"), N_("DOMAIN") },
    { "grant", 0, 0, G_OPTION_ARG_NONE, &grant, N_("Grant the required permissions to the existing application and register its certificate (signs in as an administrator)"), NULL },
    { "certificate", 0, 0, G_OPTION_ARG_STRING, &thumbprint_text, N_("The application’s certificate, by its thumbprint"), N_("THUMBPRINT") },
    { "browser", 0, 0, G_OPTION_ARG_NONE, &browser, N_("Sign in in the browser instead of with a code"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (NULL, _("Add a Microsoft 365 organization to the backup configuration."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;

  if (!parse_services (services_text, &services, &status))
    return status;
  if (!ba_organization_check_services (services, &error))
    return refuse_choice (g_steal_pointer (&error));
  if (!parse_auth_type (auth_text, &auth_type, &status))
    return status;
  if (!load_sign_in_target (&target, cloud_nick, &status))
    return status;
  if (!ba_organization_check_cloud (services, ba_cloud_get_kind (target.cloud), auth_type, &error))
    return refuse_choice (g_steal_pointer (&error));

  if ((register_name != NULL) == (app_id != NULL))
    return usage_error (_("Give either --register-name to register a new application, or --app-id to use an existing one."));

  if (register_name != NULL)
    {
      if (!ba_organization_check_register (services, &error) ||
          !ba_organization_check_application_name (register_name, &error))
        return refuse_choice (g_steal_pointer (&error));
      if (username != NULL || organization_name != NULL || grant)
        return usage_error (_("--username, --organization-name and --grant go with --app-id."));
    }
  else
    {
      gboolean uses_domain = ba_organization_uses_organization_name (services);

      if (!ba_organization_check_application_id (app_id, &error))
        return refuse_choice (g_steal_pointer (&error));

      if (uses_domain)
        account = organization_name != NULL ? organization_name : username;
      else if (organization_name != NULL && username == NULL)
        return usage_error (_("--organization-name is only for SharePoint Online and OneDrive alone; give --username."));
      else
        account = username;

      if (account == NULL)
        return usage_error (uses_domain ? _("Missing --organization-name.") : _("Missing --username."));
      if (!ba_organization_check_username (account, services, &error))
        return refuse_choice (g_steal_pointer (&error));
    }

  if (thumbprint_text == NULL)
    return usage_error (_("Missing --certificate."));
  if (!parse_thumbprint (thumbprint_text, &thumbprint, &status))
    return status;
  certificate = find_certificate (thumbprint, &certificates, &status);
  if (certificate == NULL)
    return status;

  store = load_store (&status);
  if (store == NULL)
    return status;
  if (ba_store_get_read_only (store))
    {
      print_error (_("The backup configuration cannot be changed from here. Open Backup Access to see why."));
      return EXIT_ERROR;
    }

  cancellable = g_cancellable_new ();
  permissions = ba_permissions_for_services (services, ba_cloud_get_kind (target.cloud), &n_permissions);

  if (register_name != NULL || grant)
    return add_with_graph (&target, store, certificate, services, auth_type, register_name, app_id, account,
                           permissions, n_permissions, browser, json, cancellable);

  return add_with_app_sign_in (&target, store, certificate, services, auth_type, app_id, account,
                               permissions, n_permissions, json, cancellable);
}

static int
organization_remove (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *tenant = NULL;
  BaOrganization *org;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { NULL }
  };

  context = new_command_context (_("TENANT"), _("Remove an organization from the backup configuration. Nothing is deleted in Microsoft Entra ID."), entries);
  if (!parse_command_options (context, &argc, &argv, _("TENANT"), &tenant, &status))
    return status;

  store = load_store (&status);
  if (store == NULL)
    return status;

  org = ba_store_find_organization (store, tenant);
  if (org == NULL)
    {
      /* Translators: %s is a tenant ID */
      print_errorf (_("No organization with tenant %s in the backup configuration."), tenant);
      return EXIT_ERROR;
    }

  ba_store_remove_organization (store, org);
  if (!ba_store_save (store, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  return EXIT_OK;
}

static int
certificate_generate (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaCertificate) generated = NULL;
  g_autoptr(BaCertificate) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean json = FALSE;
  int bits = 2048;
  int years = 2;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The certificate’s name, its common name (CN)"), N_("NAME") },
    { "bits", 0, 0, G_OPTION_ARG_INT, &bits, N_("The RSA key size: 2048 (default), 3072 or 4096"), N_("BITS") },
    { "years", 0, 0, G_OPTION_ARG_INT, &years, N_("How many years the certificate is valid, 1 to 10 (default 2)"), N_("YEARS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the certificate as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (NULL, _("Generate a self-signed certificate and keep its private key in the key store."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;

  if (name == NULL)
    return usage_error (_("Missing --name: give the certificate a name."));

  /* A negative number would wrap around to a huge unsigned one, and the
   * engine's message would quote that instead of what was typed. */
  if (bits < 0 || years < 0)
    return usage_error (_("--bits and --years take positive numbers."));
  if (!ba_certificate_validate_generate_args (name, (guint) bits, (guint) years, &error))
    return usage_error (error->message);

  ba_certificate_generate_async (name, (guint) bits, (guint) years, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  generated = ba_certificate_generate_finish (result, &error);
  if (generated == NULL)
    {
      /* Translators: %s is why, from the certificate engine */
      print_errorf (_("Could not generate the certificate: %s"), error->message);
      return EXIT_ERROR;
    }

  saved = save_in_key_store (generated, cancellable, &status);
  if (saved == NULL)
    return status;

  if (!json)
    {
      /* Translators: %s is the certificate's SHA-1 thumbprint */
      g_print (_("Generated a certificate with SHA-1 thumbprint %s and saved its key in the key store."),
               ba_certificate_get_sha1_thumbprint (saved));
      g_print ("\n\n");
    }
  print_certificate (saved, json);

  return EXIT_OK;
}

static int
certificate_import (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CliSecret) password = NULL;
  g_autoptr(BaCertificate) imported = NULL;
  g_autoptr(BaCertificate) saved = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display_name = NULL;
  const char *path = NULL;
  gboolean json = FALSE;
  gsize length = 0;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the PFX password from the first line of FILE (“-” for standard input)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the certificate as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (_("FILE.pfx"), _("Import a certificate and its private key from a PFX (PKCS #12) file into the key store."), entries);
  g_option_context_set_description (context, _("Without --password-file, the file is opened without a password."));
  if (!parse_command_options (context, &argc, &argv, _("FILE.pfx"), &path, &status))
    return status;

  display_name = g_filename_display_name (path);
  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }
  data = g_bytes_new_take (g_steal_pointer (&contents), length);

  if (password_file != NULL)
    {
      password = read_password_file (password_file, &error);
      if (password == NULL)
        {
          print_error (error->message);
          return EXIT_ERROR;
        }
    }

  imported = ba_certificate_import_pkcs12 (data, password, &error);
  g_clear_pointer (&password, cli_secret_free);
  if (imported == NULL)
    {
      /* Translators: the first %s is the name of a file, the second why it failed */
      print_errorf (_("Could not import “%s”: %s"), display_name, error->message);
      if (password_file == NULL && g_error_matches (error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD))
        {
          g_printerr (_("If the file has a password, give it with --password-file."));
          g_printerr ("\n");
        }
      return EXIT_ERROR;
    }

  warn_if_not_valid (imported);

  saved = save_in_key_store (imported, cancellable, &status);
  if (saved == NULL)
    return status;

  if (!json)
    {
      /* Translators: %s is the certificate's SHA-1 thumbprint */
      g_print (_("Imported the certificate with SHA-1 thumbprint %s and saved its key in the key store."),
               ba_certificate_get_sha1_thumbprint (saved));
      g_print ("\n\n");
    }
  print_certificate (saved, json);

  return EXIT_OK;
}

static int
certificate_list (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) rows = NULL;
  gboolean json = FALSE;
  int status = EXIT_OK;
  guint n_items;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the certificates as JSON"), NULL },
    { NULL }
  };
  const char *headers[] = { _("SUBJECT"), _("SHA-1"), _("EXPIRES"), _("KEY"), NULL };

  context = new_command_context (NULL, _("List the certificates that have a private key: those in the key store and those on security tokens."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;

  store = load_certificate_store (TRUE, &status);
  if (store == NULL)
    return status;

  warn_token_error (store);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(BaCertificate) certificate = g_list_model_get_item (G_LIST_MODEL (store), i);

          json_array_add_element (array, certificate_to_json (certificate, now));
        }
      print_json_array ("certificates", array);
      return EXIT_OK;
    }

  if (n_items == 0)
    {
      g_print ("%s\n", _("There are no certificates."));
      return EXIT_OK;
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaCertificate) certificate = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *expires = format_utc (ba_certificate_get_not_after (certificate), "%Y-%m-%d");
      g_autofree char *key = describe_key_location (certificate);
      const char *subject = ba_certificate_get_subject (certificate);
      const char *cells[] = { subject != NULL ? subject : "", ba_certificate_get_sha1_thumbprint (certificate), expires, key, NULL };

      if (not_valid_yet (certificate, now))
        append_note (&expires, _("not valid yet"));
      else if (!ba_certificate_is_valid_at (certificate, now))
        append_note (&expires, _("expired"));
      cells[2] = expires;

      g_ptr_array_add (rows, g_strdupv ((char **) cells));
    }

  print_table (rows, G_N_ELEMENTS (headers) - 1);

  return EXIT_OK;
}

static int
certificate_show (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autofree char *thumbprint = NULL;
  const char *argument = NULL;
  gboolean json = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the certificate as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (_("THUMBPRINT"), _("Show a certificate, found by its SHA-1 or SHA-256 thumbprint."), entries);
  if (!parse_command_options (context, &argc, &argv, _("THUMBPRINT"), &argument, &status))
    return status;
  if (!parse_thumbprint (argument, &thumbprint, &status))
    return status;

  certificate = find_certificate (thumbprint, &store, &status);
  if (certificate == NULL)
    return status;

  print_certificate (certificate, json);

  return EXIT_OK;
}

static int
certificate_export (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(CliSecret) password = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *thumbprint = NULL;
  g_autofree char *display_name = NULL;
  BaCertificateFormat format;
  const char *argument = NULL;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("cer (DER), pem, or pfx (with the private key)"), N_("FORMAT") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, N_("The file to write; it must not exist"), N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("For pfx: read the password from the first line of FILE (“-” for standard input)"), N_("FILE") },
    { NULL }
  };

  context = new_command_context (_("THUMBPRINT"), _("Export a certificate, found by its SHA-1 or SHA-256 thumbprint."), entries);
  g_option_context_set_description (context, _("A .pfx file holds the private key too, encrypted with the password; "
                                               "only certificates from the key store can be exported as .pfx."));
  if (!parse_command_options (context, &argc, &argv, _("THUMBPRINT"), &argument, &status))
    return status;

  if (format_name == NULL)
    return usage_error (_("Missing --format: choose cer, pem or pfx."));
  if (g_str_equal (format_name, "cer"))
    format = BA_CERTIFICATE_FORMAT_DER;
  else if (g_str_equal (format_name, "pem"))
    format = BA_CERTIFICATE_FORMAT_PEM;
  else if (g_str_equal (format_name, "pfx"))
    format = BA_CERTIFICATE_FORMAT_PFX;
  else
    {
      /* Translators: %s is what the person typed */
      g_autofree char *message = g_strdup_printf (_("Unknown format “%s”: choose cer, pem or pfx."), format_name);

      return usage_error (message);
    }

  if (output == NULL)
    return usage_error (_("Missing --output: name the file to write."));
  if (format == BA_CERTIFICATE_FORMAT_PFX && password_file == NULL)
    return usage_error (_("A .pfx file needs a password: give it with --password-file."));
  if (format != BA_CERTIFICATE_FORMAT_PFX && password_file != NULL)
    return usage_error (_("Only a .pfx file has a password: leave out --password-file."));

  if (!parse_thumbprint (argument, &thumbprint, &status))
    return status;

  /* Say so before any work, in particular before the key is decrypted; the
   * final write checks again, without a window for a race. */
  display_name = g_filename_display_name (output);
  if (g_file_test (output, G_FILE_TEST_EXISTS) || g_file_test (output, G_FILE_TEST_IS_SYMLINK))
    {
      set_write_error (&error, output, EEXIST);
      print_error (error->message);
      return EXIT_ERROR;
    }

  certificate = find_certificate (thumbprint, &store, &status);
  if (certificate == NULL)
    return status;

  if (password_file != NULL)
    {
      password = read_password_file (password_file, &error);
      if (password == NULL)
        {
          print_error (error->message);
          return EXIT_ERROR;
        }
      if (*password == '\0')
        {
          g_autofree char *password_name = g_filename_display_name (password_file);
          /* Translators: %s is the name of a file */
          print_errorf (_("The password in “%s” is empty: a .pfx file needs a password."),
                        g_str_equal (password_file, "-") ? _("standard input") : password_name);
          return EXIT_ERROR;
        }
    }

  exported = ba_certificate_export (certificate, format, password, &error);
  g_clear_pointer (&password, cli_secret_free);
  if (exported == NULL)
    {
      /* Translators: %s is why, from the certificate engine */
      print_errorf (_("Could not export the certificate: %s"), error->message);
      return EXIT_ERROR;
    }

  /* A .pfx holds the private key: only its owner may read it. */
  if (!write_new_file (output, exported, format == BA_CERTIFICATE_FORMAT_PFX ? 0600 : 0644, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  /* Translators: the first %s is a certificate's thumbprint, the second a file name */
  g_print (_("Exported the certificate %s to “%s”."), ba_certificate_get_sha1_thumbprint (certificate), display_name);
  g_print ("\n");

  return EXIT_OK;
}

static int
certificate_delete (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thumbprint = NULL;
  const char *argument = NULL;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { NULL }
  };

  context = new_command_context (_("THUMBPRINT"), _("Delete a certificate and its private key from the key store. Certificates on security tokens cannot be deleted from here."), entries);
  if (!parse_command_options (context, &argc, &argv, _("THUMBPRINT"), &argument, &status))
    return status;
  if (!parse_thumbprint (argument, &thumbprint, &status))
    return status;

  certificate = find_certificate (thumbprint, &store, &status);
  if (certificate == NULL)
    return status;

  ba_certificate_store_delete_async (store, certificate, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  if (!ba_certificate_store_delete_finish (store, result, &error))
    {
      /* Translators: %s is why, from the certificate engine */
      print_errorf (_("Could not delete the certificate: %s"), error->message);
      return EXIT_ERROR;
    }

  /* Translators: %s is a certificate's SHA-1 thumbprint */
  g_print (_("Deleted the certificate %s and its private key."), ba_certificate_get_sha1_thumbprint (certificate));
  g_print ("\n");

  return EXIT_OK;
}

static int
sign_in (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaSession) session = NULL;
  g_autofree char *cloud_nick = NULL;
  g_autofree char *tenant = NULL;
  gboolean browser = FALSE;
  gboolean stay = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_nick, N_("global, us-government-l4, us-government-l5 or china (default: the default-cloud setting)"), N_("CLOUD") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant, N_("The organization’s tenant ID or domain (default: the account’s own)"), N_("TENANT") },
    { "browser", 0, 0, G_OPTION_ARG_NONE, &browser, N_("Sign in in a browser on this computer instead of with a code"), NULL },
    { "stay-signed-in", 0, 0, G_OPTION_ARG_NONE, &stay, N_("Keep the sign-in in the keyring for the next commands"), NULL },
    { NULL }
  };

  context = new_command_context (NULL, _("Sign in as an administrator of a Microsoft 365 organization."), entries);
  g_option_context_set_description (context, _("Prints a web address and a code on standard error: open the address on any device, "
                                               "enter the code and approve. Then prints the account on standard output."));
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;
  if (!load_sign_in_target (&target, cloud_nick, &status))
    return status;

  session = get_admin_session (&target, tenant, TRUE, browser, cancellable, &status);
  if (session == NULL)
    return status;

  if (stay)
    {
      ba_session_set_stay_signed_in (session, TRUE);
      if (!save_session (session, cancellable))
        return EXIT_ERROR;
    }

  /* Translators: the first %s is the account's user name, the second a tenant ID */
  g_print (_("Signed in as %s (tenant %s)"), ba_session_get_upn (session), ba_session_get_tenant_id (session));
  g_print ("\n");
  if (stay)
    {
      g_printerr ("%s\n", _("You stay signed in on this computer until you run “backup-access-cli sign-out”."));
    }

  return EXIT_OK;
}

static int
whoami (int    argc,
        char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cloud_nick = NULL;
  g_autofree char *tenant = NULL;
  const char *cloud;
  gboolean json = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_nick, N_("global, us-government-l4, us-government-l5 or china (default: the default-cloud setting)"), N_("CLOUD") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant, N_("The organization’s tenant ID (default: the last one signed in to)"), N_("TENANT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the account as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (NULL, _("Show the administrator who stays signed in, and their roles."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;
  if (!load_sign_in_target (&target, cloud_nick, &status))
    return status;

  session = restore_session (&target, tenant, cancellable, &error);
  if (session == NULL)
    {
      if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_NOT_SIGNED_IN))
        print_error (_("Not signed in. Run “backup-access-cli sign-in --stay-signed-in” first."));
      else
        print_error (error->message);
      return EXIT_ERROR;
    }

  load_roles (session, cancellable);
  /* The restore may have rotated the refresh token. */
  save_session (session, cancellable);
  cloud = ba_cloud_kind_to_nick (ba_cloud_get_kind (target.cloud));

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      add_string_member (builder, "upn", ba_session_get_upn (session));
      add_string_member (builder, "displayName", ba_session_get_display_name (session));
      add_string_member (builder, "tenantId", ba_session_get_tenant_id (session));
      add_string_member (builder, "cloud", cloud);
      add_strv_member (builder, "roles", ba_session_get_roles (session));
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      g_autofree char *roles = join_or_none (ba_session_get_roles (session));

      add_detail (rows, _("User:"), ba_session_get_upn (session));
      add_detail (rows, _("Name:"), ba_session_get_display_name (session));
      add_detail (rows, _("Tenant ID:"), ba_session_get_tenant_id (session));
      add_detail (rows, _("Cloud:"), cloud);
      add_detail (rows, _("Roles:"), roles);
      print_table (rows, 2);
    }

  return EXIT_OK;
}

static int
sign_out (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *forgotten = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cloud_nick = NULL;
  g_autofree char *tenant = NULL;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_nick, N_("global, us-government-l4, us-government-l5 or china (default: the default-cloud setting)"), N_("CLOUD") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant, N_("The organization’s tenant ID (default: the last one signed in to)"), N_("TENANT") },
    { NULL }
  };

  context = new_command_context (NULL, _("Sign out: forget the sign-in kept in the keyring."), entries);
  if (!parse_command_options (context, &argc, &argv, NULL, NULL, &status))
    return status;
  if (!load_sign_in_target (&target, cloud_nick, &status))
    return status;

  /* No sign-in first: forgetting must work offline, and with a refresh
   * token that was revoked. */
  ba_session_forget_async (target.cloud, target.client_id, tenant, cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  forgotten = ba_session_forget_finish (result, &error);
  if (error != NULL)
    {
      /* Translators: %s is why */
      print_errorf (_("Could not sign out: %s"), error->message);
      return EXIT_ERROR;
    }
  if (forgotten == NULL)
    {
      g_print ("%s\n", _("Not signed in."));
      return EXIT_OK;
    }

  /* Translators: %s is a tenant ID */
  g_print (_("Signed out of tenant %s."), forgotten);
  g_print ("\n");

  return EXIT_OK;
}

/* Backup applications (the pool) */

/* The organization named by @text: its tenant ID, else its name or a domain
 * given as its name, when only one organization has it. */
static BaOrganization *
find_pool_organization (BaStore    *store,
                        const char *text)
{
  GListModel *orgs = ba_store_get_organizations (store);
  BaOrganization *found = ba_store_find_organization (store, text);
  guint n_matches = 0;

  if (found != NULL)
    return found;

  for (guint i = 0; i < g_list_model_get_n_items (orgs); i++)
    {
      g_autoptr(BaOrganization) org = g_list_model_get_item (orgs, i);
      const char *name = ba_organization_get_name (org);

      if ((name != NULL && g_ascii_strcasecmp (name, text) == 0) ||
          g_ascii_strcasecmp (ba_organization_get_tenant_id (org), text) == 0)
        {
          found = org;
          n_matches++;
        }
    }

  return n_matches == 1 ? found : NULL;
}

/* Parses the options, then loads the store and the organization named by
 * the first positional argument; the other positional arguments stay in
 * argv[2…]. */
static BaOrganization *
parse_pool_command (GOptionContext  *context,
                    int             *argc,
                    char          ***argv,
                    gboolean         more_allowed,
                    BaStore        **store,
                    int             *status)
{
  g_autoptr(GError) error = NULL;
  BaOrganization *org;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (error->message);
      return NULL;
    }
  if (*argc < 2)
    {
      *status = usage_error (_("Missing ORG: give the organization’s tenant ID or name."));
      return NULL;
    }
  if (!more_allowed && *argc > 2)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[2]);

      *status = usage_error (message);
      return NULL;
    }

  *store = load_store (status);
  if (*store == NULL)
    return NULL;

  org = find_pool_organization (*store, (*argv)[1]);
  if (org == NULL)
    {
      /* Translators: %s is what the person typed */
      print_errorf (_("No single organization “%s” in the backup configuration. Run “backup-access-cli organization list” to see them."),
                    (*argv)[1]);
      *status = EXIT_ERROR;
      return NULL;
    }

  if (!ba_organization_can_manage_applications (org))
    {
      print_error (_("This organization does not use modern app-only authentication: it has no backup application pool."));
      *status = EXIT_ERROR;
      return NULL;
    }

  return org;
}

static gboolean
save_pool (BaStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!ba_store_save (store, &error))
    {
      print_error (error->message);
      return FALSE;
    }

  return TRUE;
}

static JsonArray *
pool_to_json (GPtrArray *apps)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < apps->len; i++)
    json_array_add_element (array, ba_backup_application_serialize (g_ptr_array_index (apps, i), FALSE));

  return array;
}

static void
print_pool_json (GPtrArray *apps)
{
  g_autoptr(JsonArray) array = pool_to_json (apps);

  print_json_array ("applications", array);
}

/* The record of a deletion with when it stops being restorable, which
 * scripts would otherwise have to work out; times in whole seconds, as the
 * other verbs print them (the configuration keeps microseconds). */
static JsonNode *
deleted_application_to_json (BaDeletedApplication *record)
{
  JsonNode *node = ba_deleted_application_serialize (record, FALSE);
  g_autoptr(GDateTime) until = ba_deleted_application_dup_restorable_until (record);
  g_autofree char *deleted_at = format_utc (ba_deleted_application_get_deleted_at (record), "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *restorable_until = format_utc (until, "%Y-%m-%dT%H:%M:%SZ");

  json_object_set_string_member (json_node_get_object (node), "deletedAt", deleted_at);
  json_object_set_string_member (json_node_get_object (node), "restorableUntil", restorable_until);

  return node;
}

/* (transfer full) (nullable): the newest record */
static BaDeletedApplication *
last_deleted (GListModel *records)
{
  guint n_items = g_list_model_get_n_items (records);

  return n_items > 0 ? g_list_model_get_item (records, n_items - 1) : NULL;
}

static GPtrArray *
pool_to_array (GListModel *model)
{
  GPtrArray *apps = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (apps, g_list_model_get_item (model, i));

  return apps;
}

/* The applications named in argv[2…], or every one when none is named. */
static GPtrArray *
pool_arguments (BaOrganization  *org,
                int              argc,
                char           **argv,
                gboolean         all_when_none,
                int             *status)
{
  g_autoptr(GPtrArray) apps = NULL;

  if (argc <= 2)
    {
      if (all_when_none)
        return pool_to_array (ba_organization_get_applications (org));

      *status = usage_error (_("Missing APP_ID: give the application IDs."));
      return NULL;
    }

  apps = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 2; i < argc; i++)
    {
      BaBackupApplication *app = ba_organization_find_application (org, argv[i]);

      if (app == NULL)
        {
          /* Translators: %s is an application ID */
          print_errorf (_("The application %s is not in the organization’s pool."), argv[i]);
          *status = EXIT_ERROR;
          return NULL;
        }
      g_ptr_array_add (apps, g_object_ref (app));
    }

  return g_steal_pointer (&apps);
}

static const char *
state_to_nick (BaProvisioningState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (BA_TYPE_PROVISIONING_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "";
}

static const char *
origin_to_nick (BaApplicationOrigin origin)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (BA_TYPE_APPLICATION_ORIGIN);
  GEnumValue *value = g_enum_get_value (klass, origin);

  return value != NULL ? value->value_nick : "";
}

static void
on_pool_progress_cb (BaProvisioner       *provisioner,
                     BaBackupApplication *app,
                     const char          *step,
                     gpointer             user_data)
{
  const char *id = ba_backup_application_get_app_id (app);

  g_printerr ("%s: %s\n", id != NULL ? id : ba_backup_application_get_display_name (app), step);
}

static void
on_pool_run_progress_cb (BaProvisioner *provisioner,
                         guint          done,
                         guint          total,
                         gpointer       user_data)
{
  /* Translators: applications finished of those in the run */
  g_printerr (_("%u of %u applications finished"), done, total);
  g_printerr ("\n");
}

/* The admin's signed-in provisioner for the organization. */
static BaProvisioner *
pool_provisioner (SignInTarget   *target,
                  BaStore        *store,
                  BaOrganization *org,
                  GCancellable   *cancellable,
                  int            *status)
{
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaGraphClient) client = NULL;
  BaProvisioner *provisioner;

  if (!load_sign_in_target (target, ba_cloud_kind_to_nick (ba_organization_get_cloud (org)), status))
    return NULL;

  session = get_admin_session (target, ba_organization_get_tenant_id (org), FALSE, FALSE, cancellable, status);
  if (session == NULL)
    return NULL;
  save_session (session, cancellable);

  client = ba_graph_client_new (target->cloud, session);
  provisioner = ba_provisioner_new (client, store, org);
  g_signal_connect (provisioner, "application-progress", G_CALLBACK (on_pool_progress_cb), NULL);
  g_signal_connect (provisioner, "progress", G_CALLBACK (on_pool_run_progress_cb), NULL);

  return provisioner;
}

static void print_pool_table    (GPtrArray  *apps);
static void print_deleted_table (GListModel *deleted);

static int
application_list (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  GListModel *deleted;
  BaOrganization *org;
  gboolean json = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the applications as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (_("ORG"), _("List the backup applications of an organization."), entries);
  org = parse_pool_command (context, &argc, &argv, FALSE, &store, &status);
  if (org == NULL)
    return status;

  apps = pool_to_array (ba_organization_get_applications (org));
  deleted = ba_organization_get_deleted_applications (org);
  if (json)
    {
      g_autoptr(JsonArray) deleted_array = json_array_new ();
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

      for (guint i = 0; i < g_list_model_get_n_items (deleted); i++)
        {
          g_autoptr(BaDeletedApplication) record = g_list_model_get_item (deleted, i);

          json_array_add_element (deleted_array, deleted_application_to_json (record));
        }
      json_object_set_array_member (object, "applications", pool_to_json (apps));
      json_object_set_array_member (object, "deletedApplications", g_steal_pointer (&deleted_array));
      json_node_set_object (root, object);
      print_json (root);
      return EXIT_OK;
    }

  if (apps->len == 0)
    g_print ("%s\n", _("The organization has no backup applications."));
  else
    print_pool_table (apps);

  if (g_list_model_get_n_items (deleted) > 0)
    print_deleted_table (deleted);

  return EXIT_OK;
}

static void
print_deleted_table (GListModel *deleted)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *headers[] = { _("APPLICATION ID"), _("NAME"), _("DELETED"), _("RESTORABLE UNTIL"), NULL };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_print ("\n%s\n", _("Deleted from Microsoft Entra ID by Backup Access; Entra ID can restore an application for 30 days:"));
  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < g_list_model_get_n_items (deleted); i++)
    {
      g_autoptr(BaDeletedApplication) record = g_list_model_get_item (deleted, i);
      g_autoptr(GDateTime) until = ba_deleted_application_dup_restorable_until (record);
      g_autofree char *deleted_at = format_utc (ba_deleted_application_get_deleted_at (record), "%Y-%m-%d %H:%M UTC");
      g_autofree char *restorable = g_date_time_compare (until, now) > 0
                                    ? format_utc (until, "%Y-%m-%d %H:%M UTC")
                                    : g_strdup (_("no longer restorable"));
      const char *cells[] = {
        ba_deleted_application_get_app_id (record),
        ba_deleted_application_get_display_name (record) != NULL ? ba_deleted_application_get_display_name (record) : "",
        deleted_at,
        restorable,
        NULL
      };

      g_ptr_array_add (rows, g_strdupv ((char **) cells));
    }
  print_table (rows, G_N_ELEMENTS (headers) - 1);
}

static void
print_pool_table (GPtrArray *apps)
{
  g_autoptr(GPtrArray) rows = NULL;
  const char *headers[] = { _("APPLICATION ID"), _("NAME"), _("ORIGIN"), _("STATE"), _("CERTIFICATE"), NULL };

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < apps->len; i++)
    {
      BaBackupApplication *app = g_ptr_array_index (apps, i);
      const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);
      const char *cells[] = {
        ba_backup_application_get_app_id (app) != NULL ? ba_backup_application_get_app_id (app) : "-",
        ba_backup_application_get_display_name (app) != NULL ? ba_backup_application_get_display_name (app) : "",
        origin_to_nick (ba_backup_application_get_origin (app)),
        state_to_nick (ba_backup_application_get_state (app)),
        thumbprint != NULL ? thumbprint : _("not configured"),
        NULL
      };

      g_ptr_array_add (rows, g_strdupv ((char **) cells));
    }
  print_table (rows, G_N_ELEMENTS (headers) - 1);
}

static int
application_create (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autofree char *name = NULL;
  g_autofree char *certificate_arg = NULL;
  g_autofree char *thumbprint = NULL;
  const BaPermission *permissions;
  guint n_permissions;
  BaOrganization *org;
  gboolean accept_policy = FALSE;
  gboolean json = FALSE;
  int count = 1;
  int concurrency = 0;
  int status = EXIT_OK;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The applications’ display name"), N_("NAME") },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, N_("How many applications, 1 to 100 (default 1)"), N_("COUNT") },
    { "certificate", 0, 0, G_OPTION_ARG_STRING, &certificate_arg, N_("The thumbprint of the certificate they sign in with"), N_("THUMBPRINT") },
    { "accept-policy", 0, 0, G_OPTION_ARG_NONE, &accept_policy, N_("Acknowledge that Microsoft does not allow several applications for one job (needed for more than one)"), NULL },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency, N_("Applications created at the same time, 1 to 16 (default: the max-concurrent-applications setting, 4)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the new applications as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (_("ORG"), _("Create backup applications in Microsoft Entra ID and add them to the pool."), entries);
  g_option_context_set_description (context, _("Since March 2026 Microsoft does not allow several application registrations for the same job, "
                                               "and all the applications of a tenant share one SharePoint throttling budget. "
                                               "One application per organization is the recommended configuration."));
  org = parse_pool_command (context, &argc, &argv, FALSE, &store, &status);
  if (org == NULL)
    return status;

  if (name == NULL || *g_strstrip (name) == '\0')
    return usage_error (_("Missing --name: give the applications’ name."));
  if (count < 1 || count > 100)
    return usage_error (_("Choose --count between 1 and 100. To create more, run the command again."));
  if (count > 1 && !accept_policy)
    return usage_error (_("More than one application needs --accept-policy: Microsoft does not allow several applications for the same job, and they share one throttling budget."));
  if (concurrency < 0 || concurrency > 16)
    return usage_error (_("Choose --concurrency between 1 and 16."));
  if (certificate_arg == NULL)
    return usage_error (_("Missing --certificate: give the thumbprint of the certificate."));
  if (!parse_thumbprint (certificate_arg, &thumbprint, &status))
    return status;

  certificate = find_certificate (thumbprint, &certificates, &status);
  if (certificate == NULL)
    return status;

  provisioner = pool_provisioner (&target, store, org, cancellable, &status);
  if (provisioner == NULL)
    return status;
  /* Without --concurrency, as the window does: the preference. */
  if (concurrency == 0 && target.settings != NULL)
    concurrency = g_settings_get_int (target.settings, "max-concurrent-applications");
  if (concurrency > 0)
    ba_provisioner_set_concurrency (provisioner, CLAMP (concurrency, 1, 16));

  permissions = ba_permissions_for_backup_application (ba_organization_get_cloud (org), &n_permissions);
  ba_provisioner_create_async (provisioner, name, certificate, count, accept_policy,
                               permissions, n_permissions, BA_APPLICATION_ORIGIN_CREATED,
                               cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  ok = ba_provisioner_create_finish (provisioner, result, &error);

  apps = pool_to_array (ba_provisioner_get_run (provisioner));
  if (json)
    print_pool_json (apps);
  else
    for (guint i = 0; i < apps->len; i++)
      {
        BaBackupApplication *app = g_ptr_array_index (apps, i);

        g_print ("%s\t%s\n",
                 ba_backup_application_get_app_id (app) != NULL ? ba_backup_application_get_app_id (app) : "-",
                 state_to_nick (ba_backup_application_get_state (app)));
      }

  if (!ok)
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  return EXIT_OK;
}

static int
application_add (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaBackupApplication) app = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *certificate_arg = NULL;
  g_autofree char *thumbprint = NULL;
  BaOrganization *org;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &app_id, N_("The application ID of an existing application"), N_("ID") },
    { "certificate", 0, 0, G_OPTION_ARG_STRING, &certificate_arg, N_("The thumbprint of the certificate already registered on it"), N_("THUMBPRINT") },
    { NULL }
  };

  context = new_command_context (_("ORG"), _("Add an existing application of the tenant to the pool."), entries);
  g_option_context_set_description (context, _("Grant the application the backup permissions and register the certificate on it in Microsoft Entra ID first; "
                                               "“application verify” checks both."));
  org = parse_pool_command (context, &argc, &argv, FALSE, &store, &status);
  if (org == NULL)
    return status;

  if (app_id == NULL || !ba_identifier_is_guid (app_id))
    return usage_error (_("Missing or wrong --app-id: give the application ID."));
  if (certificate_arg == NULL)
    return usage_error (_("Missing --certificate: give the thumbprint of the certificate."));
  if (!parse_thumbprint (certificate_arg, &thumbprint, &status))
    return status;
  if (ba_organization_find_application (org, app_id) != NULL)
    {
      print_error (_("The application is in the pool already."));
      return EXIT_ERROR;
    }

  certificate = find_certificate (thumbprint, &certificates, &status);
  if (certificate == NULL)
    return status;

  app = ba_backup_application_new (app_id);
  ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_ADDED);
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_READY);
  ba_backup_application_set_certificate_thumbprint (app, ba_certificate_get_sha1_thumbprint (certificate));
  ba_backup_application_set_certificate_expiry (app, ba_certificate_get_not_after (certificate));
  ba_organization_add_application (org, app);

  return save_pool (store) ? EXIT_OK : EXIT_ERROR;
}

static int
application_update_certificate (int    argc,
                                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autofree char *certificate_arg = NULL;
  g_autofree char *thumbprint = NULL;
  BaOrganization *org;
  gboolean remove_old = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "certificate", 0, 0, G_OPTION_ARG_STRING, &certificate_arg, N_("The thumbprint of the new certificate"), N_("THUMBPRINT") },
    { "remove-old", 0, 0, G_OPTION_ARG_NONE, &remove_old, N_("Remove the previous certificate once the new one works"), NULL },
    { NULL }
  };

  context = new_command_context (_("ORG APP_ID…"), _("Give backup applications a new certificate, keeping their other keys."), entries);
  org = parse_pool_command (context, &argc, &argv, TRUE, &store, &status);
  if (org == NULL)
    return status;
  if (certificate_arg == NULL)
    return usage_error (_("Missing --certificate: give the thumbprint of the certificate."));
  apps = pool_arguments (org, argc, argv, FALSE, &status);
  if (apps == NULL)
    return status;
  if (!parse_thumbprint (certificate_arg, &thumbprint, &status))
    return status;

  certificate = find_certificate (thumbprint, &certificates, &status);
  if (certificate == NULL)
    return status;
  provisioner = pool_provisioner (&target, store, org, cancellable, &status);
  if (provisioner == NULL)
    return status;

  /* One application at a time. */
  for (guint i = 0; i < apps->len; i++)
    {
      BaBackupApplication *app = g_ptr_array_index (apps, i);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      ba_provisioner_update_certificate_async (provisioner, app, certificate, remove_old,
                                               cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      if (!ba_provisioner_update_certificate_finish (provisioner, result, &error))
        {
          /* Translators: an application ID, then why */
          print_errorf (_("%s: %s"), ba_backup_application_get_app_id (app), error->message);
          status = EXIT_ERROR;
        }
    }

  return status;
}

static int
application_remove (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  BaOrganization *org;
  GListModel *deleted;
  guint n_deleted;
  gboolean delete_in_entra = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "delete-in-entra", 0, 0, G_OPTION_ARG_NONE, &delete_in_entra, N_("Also delete the applications from Microsoft Entra ID"), NULL },
    { NULL }
  };

  context = new_command_context (_("ORG APP_ID…"), _("Remove backup applications from the pool."), entries);
  org = parse_pool_command (context, &argc, &argv, TRUE, &store, &status);
  if (org == NULL)
    return status;
  apps = pool_arguments (org, argc, argv, FALSE, &status);
  if (apps == NULL)
    return status;

  if (!delete_in_entra)
    {
      for (guint i = 0; i < apps->len; i++)
        ba_organization_remove_application (org, g_ptr_array_index (apps, i));
      return save_pool (store) ? EXIT_OK : EXIT_ERROR;
    }

  provisioner = pool_provisioner (&target, store, org, cancellable, &status);
  if (provisioner == NULL)
    return status;

  deleted = ba_organization_get_deleted_applications (org);
  n_deleted = g_list_model_get_n_items (deleted);
  for (guint i = 0; i < apps->len; i++)
    {
      BaBackupApplication *app = g_ptr_array_index (apps, i);
      const char *app_id = ba_backup_application_get_app_id (app);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(BaDeletedApplication) record = NULL;

      ba_provisioner_delete_async (provisioner, app, cancellable, async_done_cb, &result);
      result = wait_for_result (&result, cancellable);
      if (!ba_provisioner_delete_finish (provisioner, result, &error))
        {
          print_errorf (_("%s: %s"), app_id != NULL ? app_id : ba_backup_application_get_display_name (app),
                        error->message);
          status = EXIT_ERROR;
          continue;
        }

      /* One never recorded as created has its id only once it was found
       * by its creation tag: the record made just now has it. */
      record = g_list_model_get_n_items (deleted) > n_deleted ? last_deleted (deleted) : NULL;
      n_deleted = g_list_model_get_n_items (deleted);
      if (record == NULL)
        {
          /* Translators: %s is an application's name */
          g_print (_("%s was never created in Microsoft Entra ID; it was removed from the pool."),
                   ba_backup_application_get_display_name (app));
          g_print ("\n");
        }
      else
        {
          g_autoptr(GDateTime) until = ba_deleted_application_dup_restorable_until (record);
          g_autofree char *when = format_utc (until, "%Y-%m-%d %H:%M UTC");

          /* Translators: %s is an application ID */
          g_print (_("Deleted %s from Microsoft Entra ID."), ba_deleted_application_get_app_id (record));
          g_print ("\n");
          /* Translators: %s is a date and time */
          g_print (_("Entra ID can restore it until %s; “application list” keeps the record."), when);
          g_print ("\n");
        }
    }

  return status;
}

static int
application_verify_pool (int    argc,
                         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  BaOrganization *org;
  gboolean json = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
    { NULL }
  };

  context = new_command_context (_("ORG [APP_ID…]"), _("Check that backup applications sign in with their certificates."), entries);
  org = parse_pool_command (context, &argc, &argv, TRUE, &store, &status);
  if (org == NULL)
    return status;
  apps = pool_arguments (org, argc, argv, TRUE, &status);
  if (apps == NULL)
    return status;
  if (!load_sign_in_target (&target, ba_cloud_kind_to_nick (ba_organization_get_cloud (org)), &status))
    return status;
  certificates = load_certificate_store (FALSE, &status);
  if (certificates == NULL)
    return status;

  for (guint i = 0; i < apps->len; i++)
    {
      BaBackupApplication *app = g_ptr_array_index (apps, i);
      const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);
      BaCertificate *certificate = thumbprint != NULL ? ba_certificate_store_lookup (certificates, thumbprint) : NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(BaAppSignIn) verified = NULL;
      g_autoptr(GError) error = NULL;

      if (ba_backup_application_get_app_id (app) == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("The application was never created: resume or remove it."));
      else if (thumbprint == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("No certificate is configured: choose the one registered on the application."));
      else if (certificate == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("The certificate’s key is not in the key store: import it, or update the certificate."));
      else
        {
          ba_app_sign_in_verify_async (target.cloud, ba_organization_get_tenant_id (org),
                                       ba_backup_application_get_app_id (app), certificate, NULL,
                                       cancellable, async_done_cb, &result);
          result = wait_for_result (&result, cancellable);
          verified = ba_app_sign_in_verify_finish (result, &error);
        }

      if (verified != NULL)
        {
          ba_backup_application_set_verification_error (app, NULL);
          ba_backup_application_set_last_verified (app, ba_app_sign_in_get_verified_at (verified));
          if (!json)
            g_print ("%s\t%s\n", ba_backup_application_get_app_id (app), _("signs in"));
        }
      else
        {
          ba_backup_application_set_verification_error (app, error->message);
          status = EXIT_ERROR;
          if (!json)
            g_print ("%s\t%s\n",
                     ba_backup_application_get_app_id (app) != NULL ? ba_backup_application_get_app_id (app) : "-",
                     error->message);
        }
    }

  if (!save_pool (store))
    status = EXIT_ERROR;
  if (json)
    print_pool_json (apps);

  return status;
}

static int
application_resume (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaStore) store = NULL;
  g_autoptr(BaCertificateStore) certificates = NULL;
  g_autoptr(BaProvisioner) provisioner = NULL;
  g_autoptr(GPtrArray) incomplete = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const BaPermission *permissions;
  guint n_permissions;
  BaCertificate *certificate = NULL;
  BaOrganization *org;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { NULL }
  };

  context = new_command_context (_("ORG"), _("Finish the applications an interrupted or failed create left incomplete."), entries);
  org = parse_pool_command (context, &argc, &argv, FALSE, &store, &status);
  if (org == NULL)
    return status;

  certificates = load_certificate_store (FALSE, &status);
  if (certificates == NULL)
    return status;

  incomplete = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (ba_organization_get_applications (org)); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (ba_organization_get_applications (org), i);
      BaProvisioningState state = ba_backup_application_get_state (app);
      const char *thumbprint = ba_backup_application_get_certificate_thumbprint (app);

      /* As the engine does: a failed application is tried again too. */
      if (state == BA_PROVISIONING_STATE_READY)
        continue;
      if (certificate == NULL && thumbprint != NULL)
        certificate = ba_certificate_store_lookup (certificates, thumbprint);
      g_ptr_array_add (incomplete, g_steal_pointer (&app));
    }

  if (incomplete->len == 0)
    {
      g_print ("%s\n", _("No application is incomplete."));
      return EXIT_OK;
    }
  if (certificate == NULL)
    {
      print_error (_("The certificate of the incomplete applications is not in the key store: import it, or remove them."));
      return EXIT_ERROR;
    }

  provisioner = pool_provisioner (&target, store, org, cancellable, &status);
  if (provisioner == NULL)
    return status;

  permissions = ba_permissions_for_backup_application (ba_organization_get_cloud (org), &n_permissions);
  ba_provisioner_resume_async (provisioner, certificate, permissions, n_permissions,
                               cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  if (!ba_provisioner_resume_finish (provisioner, result, &error))
    {
      print_error (error->message);
      return EXIT_ERROR;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "%u application is ready.\n",
                        "%u applications are ready.\n", incomplete->len),
           incomplete->len);
  return EXIT_OK;
}

/* "application verify ORG [APP_ID…]" checks a pool; "application verify
 * APP_ID --certificate … --tenant …" one application: the pool form has no
 * --certificate nor --tenant, and names an organization of the store. */
static gboolean
is_pool_verify (int    argc,
                char **argv)
{
  g_autoptr(BaStore) store = NULL;

  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--certificate") || g_str_has_prefix (argv[i], "--tenant") ||
        g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      return FALSE;

  if (argc < 2 || argv[1][0] == '-')
    return FALSE;

  store = ba_store_new_default ();
  if (!ba_store_load (store, NULL))
    return FALSE;

  return find_pool_organization (store, argv[1]) != NULL;
}

static int
application_verify (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SignInTarget) target = { NULL, };
  g_autoptr(BaCertificateStore) store = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autoptr(BaAppSignIn) verified = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *certificate_arg = NULL;
  g_autofree char *thumbprint = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *cloud_nick = NULL;
  g_autofree char *sharepoint_url = NULL;
  g_autofree char *verified_at = NULL;
  const char *app_id = NULL;
  gboolean json = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "certificate", 0, 0, G_OPTION_ARG_STRING, &certificate_arg, N_("The SHA-1 or SHA-256 thumbprint of the application’s certificate"), N_("THUMBPRINT") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant, N_("The organization’s tenant ID or domain"), N_("TENANT") },
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_nick, N_("global, us-government-l4, us-government-l5 or china (default: the default-cloud setting)"), N_("CLOUD") },
    { "sharepoint-url", 0, 0, G_OPTION_ARG_STRING, &sharepoint_url, N_("Check SharePoint too, at the organization’s SharePoint address"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  if (is_pool_verify (argc, argv))
    return application_verify_pool (argc, argv);

  context = new_command_context (_("APP_ID"), _("Check that an application signs in with its certificate and holds its permissions."), entries);
  g_option_context_set_description (context, _("Signs in as the application, as the backup server would, and makes a call that needs its permissions. "
                                               "The certificate’s private key must be in the key store or on a security token."));
  if (!parse_command_options (context, &argc, &argv, _("APP_ID"), &app_id, &status))
    return status;

  if (!ba_identifier_is_guid (app_id))
    {
      /* Translators: %s is what the person typed */
      g_autofree char *message = g_strdup_printf (_("“%s” is not an application ID."), app_id);

      return usage_error (message);
    }
  if (certificate_arg == NULL)
    return usage_error (_("Missing --certificate: give the thumbprint of the application’s certificate."));
  if (tenant == NULL)
    return usage_error (_("Missing --tenant: give the organization’s tenant ID or domain."));
  if (!parse_thumbprint (certificate_arg, &thumbprint, &status))
    return status;
  if (!load_sign_in_target (&target, cloud_nick, &status))
    return status;

  certificate = find_certificate (thumbprint, &store, &status);
  if (certificate == NULL)
    return status;

  ba_app_sign_in_verify_async (target.cloud, tenant, app_id, certificate, sharepoint_url,
                               cancellable, async_done_cb, &result);
  result = wait_for_result (&result, cancellable);
  verified = ba_app_sign_in_verify_finish (result, &error);
  if (verified == NULL)
    {
      /* Translators: the first %s is an application ID, the second says why */
      print_errorf (_("The application %s could not sign in: %s"), app_id, error->message);
      return EXIT_ERROR;
    }

  verified_at = format_utc (ba_app_sign_in_get_verified_at (verified), "%Y-%m-%dT%H:%M:%SZ");

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      add_string_member (builder, "appId", ba_app_sign_in_get_app_id (verified));
      add_string_member (builder, "tenantId", ba_app_sign_in_get_tenant_id (verified));
      add_strv_member (builder, "roles", ba_app_sign_in_get_roles (verified));
      json_builder_set_member_name (builder, "graphProven");
      json_builder_add_boolean_value (builder, ba_app_sign_in_get_graph_proven (verified));
      json_builder_set_member_name (builder, "sharepointProven");
      json_builder_add_boolean_value (builder, ba_app_sign_in_get_sharepoint_proven (verified));
      add_string_member (builder, "verifiedAt", verified_at);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      g_autofree char *roles = join_or_none (ba_app_sign_in_get_roles (verified));

      /* Translators: the first %s is an application ID, the second a tenant ID */
      g_print (_("The application %s signs in to tenant %s."),
               ba_app_sign_in_get_app_id (verified), ba_app_sign_in_get_tenant_id (verified));
      g_print ("\n\n");

      add_detail (rows, _("Roles:"), roles);
      add_detail (rows, _("Microsoft Graph:"), ba_app_sign_in_get_graph_proven (verified) ? _("works") : _("not proven"));
      add_detail (rows, _("SharePoint:"),
                  ba_app_sign_in_get_sharepoint_proven (verified) ? _("works")
                  : sharepoint_url != NULL ? _("not proven") : _("not checked"));
      add_detail (rows, _("Verified at:"), verified_at);
      print_table (rows, 2);
    }

  return EXIT_OK;
}

int
main (int   argc,
      char *argv[])
{
  const char *noun;
  const char *verb;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      g_set_prgname (PROGRAM);
      print_usage (stderr);
      return EXIT_USAGE;
    }

  noun = argv[1];

  if (g_str_equal (noun, "--help") || g_str_equal (noun, "-h") || g_str_equal (noun, "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }

  if (g_str_equal (noun, "--version"))
    {
      g_print ("%s %s\n", PROGRAM, PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (noun[0] == '-')
    {
      g_autofree char *message = g_strdup_printf (_("Unknown option “%s”."), noun);

      return usage_error (message);
    }

  verb = argc > 2 ? argv[2] : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (!g_str_equal (commands[i].noun, noun))
        continue;

      if (commands[i].verb == NULL)
        {
          /* GOption's help names the program by prgname. */
          g_autofree char *prgname = g_strdup_printf ("%s %s", PROGRAM, noun);

          g_set_prgname (prgname);
          return commands[i].func (argc - 1, argv + 1);
        }

      if (verb == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” needs a command, such as “%s %s”."),
                                                      noun, noun, commands[i].verb);

          return usage_error (message);
        }

      if (g_str_equal (commands[i].verb, verb))
        {
          g_autofree char *prgname = g_strdup_printf ("%s %s %s", PROGRAM, noun, verb);

          /* GOption's help names the program by prgname, so the command's
           * help shows the whole command; it is set once, here. */
          g_set_prgname (prgname);
          return commands[i].func (argc - 2, argv + 2);
        }
    }

  {
    g_autofree char *joined = verb != NULL ? g_strdup_printf ("%s %s", noun, verb) : g_strdup (noun);
    g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), joined);

    return usage_error (message);
  }
}
