/* test-cli-certificate.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ba-certificate.h"
#include "ba-certificate-store.h"
#include "ba-test-cli.h"
#include "ba-test-utils.h"

/* These run backup-access-cli itself, as an admin's script would. The key
 * store lives in the test's private XDG_DATA_HOME; the passphrases go to the
 * gnome-keyring of the private D-Bus session (build-aux/test-session). PFX
 * files are made with openssl, and the outputs are read back with openssl and
 * with the engine, so that neither side alone decides what is right. */

#define PFX_PASSWORD "Correct Horse ünïcode"

#define run_cli(...) ba_test_cli_run (NULL, __VA_ARGS__)

/* A path in the test's private cache directory. */
static char *
scratch_path (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  return g_build_filename (g_get_user_cache_dir (), name, NULL);
}

static char *
write_scratch_file (const char *name,
                    const char *contents,
                    gssize      length)
{
  g_autofree char *path = scratch_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

static gboolean
have_program (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  return path != NULL;
}

/* Runs a tool such as openssl, with @input on its standard input, and
 * returns its standard output; the test fails if the tool does. In UTC, so
 * that dates given to certtool mean what the test says, and in the test's
 * directories, for a program started through script(1). */
static char *
run_toolv (const char        *input,
           const char *const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "TZ", "UTC", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_test_message ("%s failed: %s%s", argv[0], out, err);
  g_assert_true (g_subprocess_get_successful (process));

  return out;
}

static char *
run_tool_with_input (const char *input,
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

  return run_toolv (input, (const char *const *) args->pdata);
}

#define run_tool(...) run_tool_with_input (NULL, __VA_ARGS__)

/* "SHA1 Fingerprint=AB:CD:…" → "ABCD…" */
static char *
openssl_sha1 (const char *certificate_path,
              const char *inform)
{
  g_autofree char *out = run_tool ("openssl", "x509", "-inform", inform, "-in", certificate_path,
                                   "-noout", "-fingerprint", "-sha1", NULL);
  g_autoptr(GString) hex = g_string_new (NULL);
  const char *equals = strchr (out, '=');

  g_assert_nonnull (equals);
  for (const char *p = equals + 1; *p != '\0' && *p != '\n'; p++)
    if (*p != ':')
      g_string_append_c (hex, g_ascii_toupper (*p));

  g_assert_cmpuint (hex->len, ==, 40);
  return g_string_free (g_steal_pointer (&hex), FALSE);
}

/* Makes an RSA key and a self-signed certificate with openssl. Returns the
 * certificate's SHA-1. */
static char *
make_key_and_certificate (const char *common_name,
                          const char *key_path,
                          const char *cert_path)
{
  g_autofree char *subject = g_strconcat ("/CN=", common_name, NULL);
  g_autofree char *out = NULL;

  out = run_tool ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                  "-keyout", key_path, "-out", cert_path, "-subj", subject, "-days", "30", NULL);

  return openssl_sha1 (cert_path, "pem");
}

/* Packs a new key and certificate into a PFX at @pfx_path under @password
 * ("" for none). Returns the certificate's SHA-1. */
static char *
make_pfx (const char *common_name,
          const char *password,
          const char *pfx_path)
{
  g_autofree char *key_path = g_strconcat (pfx_path, ".key.pem", NULL);
  g_autofree char *cert_path = g_strconcat (pfx_path, ".crt.pem", NULL);
  g_autofree char *passout = g_strconcat ("pass:", password, NULL);
  g_autofree char *sha1 = make_key_and_certificate (common_name, key_path, cert_path);
  g_autofree char *out = NULL;

  out = run_tool ("openssl", "pkcs12", "-export", "-inkey", key_path, "-in", cert_path,
                  "-name", common_name, "-passout", passout, "-out", pfx_path, NULL);

  return g_steal_pointer (&sha1);
}

static gboolean
is_upper_hex (const char *text,
              gsize       length)
{
  if (strlen (text) != length)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_islower (*p))
      return FALSE;

  return TRUE;
}

static GDateTime *
parse_utc (JsonObject *certificate,
           const char *member)
{
  const char *text = json_object_get_string_member (certificate, member);
  GDateTime *time;

  g_assert_nonnull (text);
  /* Exactly "2028-11-22T08:00:00Z": UTC, whole seconds, a Z. */
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", text, 0, 0));
  time = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (time);

  return time;
}

/* Every member of the contract is there, with its type. */
static void
assert_certificate_object (JsonObject *certificate)
{
  static const char *strings[] = {
    "subject", "issuer", "serial", "notBefore", "notAfter", "sha1", "sha256",
    "keyAlgorithm", "keyLocation",
  };
  static const char *nullable_strings[] = { "commonName", "keyUri", "tokenLabel", "friendlyName" };
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  const char *location;

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_test_message ("member %s", strings[i]);
      g_assert_true (json_object_has_member (certificate, strings[i]));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (certificate, strings[i])), ==, G_TYPE_STRING);
    }
  for (guint i = 0; i < G_N_ELEMENTS (nullable_strings); i++)
    {
      JsonNode *node = json_object_get_member (certificate, nullable_strings[i]);

      g_test_message ("member %s", nullable_strings[i]);
      g_assert_nonnull (node);
      g_assert_true (JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) == G_TYPE_STRING);
    }
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (certificate, "keyBits")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (certificate, "valid")), ==, G_TYPE_BOOLEAN);

  g_assert_true (is_upper_hex (json_object_get_string_member (certificate, "sha1"), 40));
  g_assert_true (is_upper_hex (json_object_get_string_member (certificate, "sha256"), 64));
  not_before = parse_utc (certificate, "notBefore");
  not_after = parse_utc (certificate, "notAfter");
  g_assert_cmpint (g_date_time_compare (not_before, not_after), <, 0);

  location = json_object_get_string_member (certificate, "keyLocation");
  g_assert_true (g_str_equal (location, "key-store") || g_str_equal (location, "pkcs11") ||
                 g_str_equal (location, "memory") || g_str_equal (location, "none"));
  if (!g_str_equal (location, "pkcs11"))
    g_assert_true (json_object_get_null_member (certificate, "tokenLabel"));
}

/* The members that describe the certificate itself must agree between two
 * commands' outputs. */
static void
assert_same_certificate (JsonObject *a,
                         JsonObject *b)
{
  static const char *members[] = {
    "subject", "commonName", "issuer", "serial", "notBefore", "notAfter", "sha1", "sha256",
    "keyAlgorithm", "keyLocation",
  };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_cmpstr (json_object_get_string_member (a, members[i]), ==,
                     json_object_get_string_member (b, members[i]));
  g_assert_cmpint (json_object_get_int_member (a, "keyBits"), ==, json_object_get_int_member (b, "keyBits"));
  g_assert_cmpint (json_object_get_boolean_member (a, "valid"), ==, json_object_get_boolean_member (b, "valid"));
}

static JsonObject *
generate (const char *name)
{
  g_autoptr(BaTestCliResult) r = run_cli ("certificate", "generate", "--name", name, "--json", NULL);

  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");

  return ba_test_parse_object (r->out);
}

static double
years_between (JsonObject *certificate)
{
  g_autoptr(GDateTime) not_before = parse_utc (certificate, "notBefore");
  g_autoptr(GDateTime) not_after = parse_utc (certificate, "notAfter");

  return g_date_time_difference (not_after, not_before) / (365.25 * G_TIME_SPAN_DAY);
}

/* The engine's own view of the key store, from inside the test. */
static BaCertificate *
lookup_in_key_store (const char *thumbprint)
{
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  BaCertificate *certificate;

  ba_certificate_store_refresh (store, &error);
  g_assert_no_error (error);
  certificate = ba_certificate_store_lookup (store, thumbprint);

  return certificate != NULL ? g_object_ref (certificate) : NULL;
}

static guint
count_key_store_certificates (JsonObject *list)
{
  JsonArray *certificates = json_object_get_array_member (list, "certificates");
  guint count = 0;

  g_assert_nonnull (certificates);
  for (guint i = 0; i < json_array_get_length (certificates); i++)
    {
      JsonObject *certificate = json_array_get_object_element (certificates, i);

      assert_certificate_object (certificate);
      if (g_str_equal (json_object_get_string_member (certificate, "keyLocation"), "key-store"))
        count++;
    }

  return count;
}

static JsonObject *
find_in_list (JsonObject *list,
              const char *sha1)
{
  JsonArray *certificates = json_object_get_array_member (list, "certificates");

  for (guint i = 0; i < json_array_get_length (certificates); i++)
    {
      JsonObject *certificate = json_array_get_object_element (certificates, i);

      if (g_str_equal (json_object_get_string_member (certificate, "sha1"), sha1))
        return certificate;
    }

  return NULL;
}

/* The reason an import failed, without the file name in front of it, so two
 * failures with different files can be compared. */
static const char *
import_reason (const char *err)
{
  const char *reason = strstr (err, "”: ");

  g_assert_nonnull (reason);
  return reason + strlen ("”: ");
}

static char *
first_line (const char *text)
{
  const char *end = strchr (text, '\n');

  return end != NULL ? g_strndup (text, end - text) : g_strdup (text);
}

/* Tests */

static void
test_usage_errors (void)
{
#define SOME_THUMBPRINT "0123456789ABCDEF0123456789ABCDEF01234567"
  /* The arguments, then what the message must name. */
  static const struct
  {
    const char *const args[9];
    const char *needle;
  } cases[] = {
    { { "certificate", NULL }, "certificate generate" },
    { { "certificate", "bogus", NULL }, "certificate bogus" },
    { { "certificate", "generate", NULL }, "--name" },
    { { "certificate", "generate", "--name", "Bad bits", "--bits", "1000", NULL }, "" },
    { { "certificate", "generate", "--name", "Bad bits", "--bits", "-2048", NULL }, "" },
    { { "certificate", "generate", "--name", "Bad bits", "--bits", "many", NULL }, "--bits" },
    { { "certificate", "generate", "--name", "Bad years", "--years", "11", NULL }, "" },
    { { "certificate", "generate", "--name", "Bad years", "--years", "0", NULL }, "" },
    { { "certificate", "generate", "--name", "", NULL }, "" },
    { { "certificate", "generate", "--name", "Extra", "extra", NULL }, "extra" },
    { { "certificate", "list", "extra", NULL }, "extra" },
    { { "certificate", "list", "--bogus", NULL }, "--bogus" },
    { { "certificate", "show", NULL }, "THUMBPRINT" },
    { { "certificate", "show", SOME_THUMBPRINT, "second", NULL }, "second" },
    { { "certificate", "show", "not-a-thumbprint", NULL }, "not-a-thumbprint" },
    { { "certificate", "show", "0123", NULL }, "0123" },
    { { "certificate", "import", NULL }, "FILE" },
    { { "certificate", "delete", NULL }, "THUMBPRINT" },
    { { "certificate", "export", SOME_THUMBPRINT, "--format", "pfx", "--output", "out.pfx", NULL }, "--password-file" },
    { { "certificate", "export", SOME_THUMBPRINT, "--format", "cer", "--output", "out.cer", "--password-file=-", NULL }, "--password-file" },
    { { "certificate", "export", SOME_THUMBPRINT, "--format", "zip", "--output", "out.zip", NULL }, "zip" },
    { { "certificate", "export", SOME_THUMBPRINT, "--output", "out.cer", NULL }, "--format" },
    { { "certificate", "export", SOME_THUMBPRINT, "--format", "cer", NULL }, "--output" },
    { { "certificate", "export", "--format", "cer", "--output", "out.cer", NULL }, "THUMBPRINT" },
  };
#undef SOME_THUMBPRINT
  g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
  g_autoptr(GDir) dir = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BaTestCliResult) r = ba_test_cli_runv (NULL, NULL, cases[i].args);
      g_autofree char *joined = g_strjoinv (" ", (char **) cases[i].args);

      g_test_message ("case %u: %s", i, joined);
      g_assert_cmpint (r->status, ==, 2);
      g_assert_cmpstr (r->out, ==, "");
      g_assert_true (g_str_has_prefix (r->err, "backup-access-cli: "));
      g_assert_nonnull (strstr (r->err, cases[i].needle));
    }

  /* A refused command line made no key. */
  dir = g_dir_open (ba_certificate_store_get_key_directory (store), 0, NULL);
  g_assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
}

static void
test_help (void)
{
  static const char *verbs[] = { "generate", "import", "list", "show", "export", "delete" };
  g_autoptr(BaTestCliResult) r = run_cli ("--help", NULL);
  g_autoptr(BaTestCliResult) export_help = run_cli ("certificate", "export", "--help", NULL);
  g_autoptr(BaTestCliResult) generate_help = run_cli ("certificate", "generate", "--help", NULL);

  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "organization list"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      g_autofree char *command = g_strdup_printf ("certificate %s", verbs[i]);

      g_assert_nonnull (strstr (r->out, command));
    }

  g_assert_cmpint (export_help->status, ==, 0);
  g_assert_nonnull (strstr (export_help->out, "backup-access-cli certificate export"));
  g_assert_nonnull (strstr (export_help->out, "THUMBPRINT"));
  g_assert_nonnull (strstr (export_help->out, "--format"));
  g_assert_nonnull (strstr (export_help->out, "--output"));
  g_assert_nonnull (strstr (export_help->out, "--password-file"));

  g_assert_cmpint (generate_help->status, ==, 0);
  g_assert_nonnull (strstr (generate_help->out, "--bits"));
  g_assert_nonnull (strstr (generate_help->out, "--years"));
}

static void
test_generate_defaults (void)
{
  g_autoptr(JsonObject) certificate = generate ("CLI Default");
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(BaTestCliResult) plain = NULL;
  g_autoptr(BaTestCliResult) list = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autofree char *plain_sha1 = NULL;
  const char *sha1;
  double years;

  assert_certificate_object (certificate);
  g_assert_cmpstr (json_object_get_string_member (certificate, "commonName"), ==, "CLI Default");
  g_assert_nonnull (strstr (json_object_get_string_member (certificate, "subject"), "CN=CLI Default"));
  /* Self-signed. */
  g_assert_cmpstr (json_object_get_string_member (certificate, "issuer"), ==,
                   json_object_get_string_member (certificate, "subject"));
  g_assert_cmpstr (json_object_get_string_member (certificate, "keyAlgorithm"), ==, "RSA");
  g_assert_cmpint (json_object_get_int_member (certificate, "keyBits"), ==, 2048);
  g_assert_cmpstr (json_object_get_string_member (certificate, "keyLocation"), ==, "key-store");
  g_assert_true (json_object_get_boolean_member (certificate, "valid"));
  g_assert_cmpstr (json_object_get_string_member (certificate, "serial"), !=, "");

  years = years_between (certificate);
  g_test_message ("valid for %f years", years);
  g_assert_cmpfloat (years, >, 1.99);
  g_assert_cmpfloat (years, <, 2.01);

  /* It really is in the key store, with its key. */
  sha1 = json_object_get_string_member (certificate, "sha1");
  stored = lookup_in_key_store (sha1);
  g_assert_nonnull (stored);
  g_assert_true (ba_certificate_has_private_key (stored));
  g_assert_cmpstr (ba_certificate_get_sha256_thumbprint (stored), ==,
                   json_object_get_string_member (certificate, "sha256"));

  /* Without --json: the thumbprint, said in so many words. */
  plain = run_cli ("certificate", "generate", "--name", "CLI Plain", NULL);
  g_assert_cmpint (plain->status, ==, 0);
  g_assert_cmpstr (plain->err, ==, "");
  g_assert_nonnull (strstr (plain->out, "CN=CLI Plain"));
  g_assert_nonnull (strstr (plain->out, "SHA-256"));

  list = run_cli ("certificate", "list", "--json", NULL);
  g_assert_cmpint (list->status, ==, 0);
  listed = ba_test_parse_object (list->out);
  g_assert_cmpuint (count_key_store_certificates (listed), ==, 2);
  {
    JsonArray *certificates = json_object_get_array_member (listed, "certificates");

    for (guint i = 0; i < json_array_get_length (certificates); i++)
      {
        JsonObject *other = json_array_get_object_element (certificates, i);

        if (g_strcmp0 (json_object_get_string_member (other, "commonName"), "CLI Plain") == 0)
          plain_sha1 = g_strdup (json_object_get_string_member (other, "sha1"));
      }
  }
  g_assert_nonnull (plain_sha1);
  g_assert_nonnull (strstr (plain->out, plain_sha1));
}

static void
test_generate_options (void)
{
  g_autoptr(JsonObject) certificate = NULL;
  g_autoptr(BaTestCliResult) r = run_cli ("certificate", "generate", "--name", "CLI Five Years",
                                    "--bits", "3072", "--years", "5", "--json", NULL);
  double years;

  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
  certificate = ba_test_parse_object (r->out);
  assert_certificate_object (certificate);

  g_assert_cmpint (json_object_get_int_member (certificate, "keyBits"), ==, 3072);
  years = years_between (certificate);
  g_test_message ("valid for %f years", years);
  g_assert_cmpfloat (years, >, 4.99);
  g_assert_cmpfloat (years, <, 5.01);
}

static void
test_list (void)
{
  g_autoptr(BaTestCliResult) empty = run_cli ("certificate", "list", "--json", NULL);
  g_autoptr(JsonObject) empty_list = NULL;
  g_autoptr(JsonObject) certificate = NULL;
  g_autoptr(BaTestCliResult) table = NULL;
  g_autoptr(BaTestCliResult) json = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_auto(GStrv) lines = NULL;
  const char *sha1;
  gboolean found = FALSE;

  /* A fresh key store has nothing of ours; tokens may hold some. */
  g_assert_cmpint (empty->status, ==, 0);
  empty_list = ba_test_parse_object (empty->out);
  g_assert_cmpuint (count_key_store_certificates (empty_list), ==, 0);

  certificate = generate ("CLI Listed");
  sha1 = json_object_get_string_member (certificate, "sha1");

  table = run_cli ("certificate", "list", NULL);
  g_assert_cmpint (table->status, ==, 0);
  g_assert_cmpstr (table->err, ==, "");
  lines = g_strsplit (table->out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "SUBJECT"));
  g_assert_nonnull (strstr (lines[0], "SHA-1"));
  g_assert_nonnull (strstr (lines[0], "EXPIRES"));
  g_assert_nonnull (strstr (lines[0], "KEY"));
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_autofree char *expires = g_strndup (json_object_get_string_member (certificate, "notAfter"), 10);

      if (strstr (lines[i], sha1) == NULL)
        continue;
      found = TRUE;
      g_assert_true (g_str_has_prefix (lines[i], json_object_get_string_member (certificate, "subject")));
      g_assert_nonnull (strstr (lines[i], expires));
      g_assert_true (g_str_has_suffix (lines[i], "key store"));
    }
  g_assert_true (found);

  json = run_cli ("certificate", "list", "--json", NULL);
  g_assert_cmpint (json->status, ==, 0);
  g_assert_cmpstr (json->err, ==, "");
  list = ba_test_parse_object (json->out);
  g_assert_cmpuint (count_key_store_certificates (list), ==, 1);
  g_assert_nonnull (find_in_list (list, sha1));
  assert_same_certificate (certificate, find_in_list (list, sha1));
}

static void
test_show (void)
{
  g_autoptr(JsonObject) certificate = generate ("CLI Shown");
  const char *sha1 = json_object_get_string_member (certificate, "sha1");
  const char *sha256 = json_object_get_string_member (certificate, "sha256");
  g_autofree char *lower_sha256 = g_ascii_strdown (sha256, -1);
  g_autoptr(GString) colons = g_string_new (NULL);
  g_autoptr(BaTestCliResult) by_sha1 = NULL;
  g_autoptr(BaTestCliResult) by_sha256 = NULL;
  g_autoptr(BaTestCliResult) by_colons = NULL;
  g_autoptr(BaTestCliResult) unknown = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) shown_by_colons = NULL;

  by_sha1 = run_cli ("certificate", "show", sha1, NULL);
  g_assert_cmpint (by_sha1->status, ==, 0);
  g_assert_cmpstr (by_sha1->err, ==, "");
  g_assert_nonnull (strstr (by_sha1->out, sha1));
  g_assert_nonnull (strstr (by_sha1->out, sha256));
  g_assert_nonnull (strstr (by_sha1->out, "CN=CLI Shown"));
  g_assert_nonnull (strstr (by_sha1->out, json_object_get_string_member (certificate, "notAfter")));
  g_assert_nonnull (strstr (by_sha1->out, "key store"));

  by_sha256 = run_cli ("certificate", "show", lower_sha256, "--json", NULL);
  g_assert_cmpint (by_sha256->status, ==, 0);
  g_assert_cmpstr (by_sha256->err, ==, "");
  shown = ba_test_parse_object (by_sha256->out);
  assert_certificate_object (shown);
  assert_same_certificate (certificate, shown);

  /* As openssl prints it: lowercase, colon-separated. */
  for (guint i = 0; sha1[i] != '\0'; i += 2)
    g_string_append_printf (colons, "%s%c%c", i > 0 ? ":" : "",
                            g_ascii_tolower (sha1[i]), g_ascii_tolower (sha1[i + 1]));
  by_colons = run_cli ("certificate", "show", colons->str, "--json", NULL);
  g_assert_cmpint (by_colons->status, ==, 0);
  shown_by_colons = ba_test_parse_object (by_colons->out);
  g_assert_cmpstr (json_object_get_string_member (shown_by_colons, "sha1"), ==, sha1);

  unknown = run_cli ("certificate", "show", "0000000000000000000000000000000000000000", NULL);
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_cmpstr (unknown->out, ==, "");
  g_assert_true (g_str_has_prefix (unknown->err, "backup-access-cli: "));
  g_assert_nonnull (strstr (unknown->err, "No certificate with thumbprint"));
}

static void
test_export (void)
{
  g_autoptr(JsonObject) certificate = generate ("CLI Exported");
  const char *sha1 = json_object_get_string_member (certificate, "sha1");
  g_autofree char *cer_path = scratch_path ("exported.cer");
  g_autofree char *pem_path = scratch_path ("exported.pem");
  g_autofree char *pfx_path = scratch_path ("exported.pfx");
  g_autofree char *stdin_pfx_path = scratch_path ("exported-stdin.pfx");
  g_autofree char *password_path = write_scratch_file ("password.txt", PFX_PASSWORD "\n", -1);
  g_autofree char *precious_path = write_scratch_file ("precious.cer", "precious", -1);
  g_autofree char *passin = g_strconcat ("file:", password_path, NULL);
  g_autoptr(BaTestCliResult) cer = NULL;
  g_autoptr(BaTestCliResult) pem = NULL;
  g_autoptr(BaTestCliResult) pfx = NULL;
  g_autoptr(BaTestCliResult) stdin_pfx = NULL;
  g_autoptr(BaTestCliResult) existing = NULL;
  g_autoptr(BaCertificate) from_cer = NULL;
  g_autoptr(BaCertificate) from_pem = NULL;
  g_autoptr(BaCertificate) from_pfx = NULL;
  g_autoptr(BaCertificate) wrong = NULL;
  g_autoptr(GBytes) cer_data = NULL;
  g_autoptr(GBytes) pem_data = NULL;
  g_autoptr(GBytes) pfx_data = NULL;
  g_autoptr(GBytes) stdin_pfx_data = NULL;
  g_autoptr(GBytes) precious = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  cer = run_cli ("certificate", "export", sha1, "--format", "cer", "--output", cer_path, NULL);
  g_assert_cmpint (cer->status, ==, 0);
  g_assert_cmpstr (cer->err, ==, "");
  cer_data = read_file (cer_path);
  /* DER: a SEQUENCE with a two-byte length. */
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (cer_data, NULL))[0], ==, 0x30);
  from_cer = ba_certificate_new_from_data (cer_data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_cer), ==, sha1);

  pem = run_cli ("certificate", "export", sha1, "--format", "pem", "--output", pem_path, NULL);
  g_assert_cmpint (pem->status, ==, 0);
  g_assert_cmpstr (pem->err, ==, "");
  pem_data = read_file (pem_path);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (pem_data, NULL), "-----BEGIN CERTIFICATE-----"));
  from_pem = ba_certificate_new_from_data (pem_data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_pem), ==, sha1);

  pfx = run_cli ("certificate", "export", sha1, "--format", "pfx", "--output", pfx_path,
                 "--password-file", password_path, NULL);
  g_assert_cmpint (pfx->status, ==, 0);
  g_assert_cmpstr (pfx->err, ==, "");
  g_assert_null (strstr (pfx->out, PFX_PASSWORD));
  g_assert_cmpint (g_stat (pfx_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  pfx_data = read_file (pfx_path);
  from_pfx = ba_certificate_import_pkcs12 (pfx_data, PFX_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_pfx), ==, sha1);
  g_assert_true (ba_certificate_has_private_key (from_pfx));
  wrong = ba_certificate_import_pkcs12 (pfx_data, "not the password", &error);
  g_assert_error (error, BA_CERT_ERROR, BA_CERT_ERROR_WRONG_PASSWORD);
  g_assert_null (wrong);
  g_clear_error (&error);

  /* The password from standard input, as a script pipes it. */
  stdin_pfx = ba_test_cli_run (PFX_PASSWORD "\n", "certificate", "export", sha1, "--format", "pfx",
                               "--output", stdin_pfx_path, "--password-file", "-", NULL);
  g_assert_cmpint (stdin_pfx->status, ==, 0);
  stdin_pfx_data = read_file (stdin_pfx_path);
  g_clear_object (&from_pfx);
  from_pfx = ba_certificate_import_pkcs12 (stdin_pfx_data, PFX_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_pfx), ==, sha1);

  /* Another engine can read them. */
  if (have_program ("openssl"))
    {
      g_autofree char *der_sha1 = openssl_sha1 (cer_path, "der");
      g_autofree char *pem_sha1 = openssl_sha1 (pem_path, "pem");
      g_autofree char *pfx_out = run_tool ("openssl", "pkcs12", "-in", pfx_path, "-passin", passin,
                                           "-nodes", NULL);

      g_assert_cmpstr (der_sha1, ==, sha1);
      g_assert_cmpstr (pem_sha1, ==, sha1);
      g_assert_nonnull (strstr (pfx_out, "PRIVATE KEY-----"));
      g_assert_nonnull (strstr (pfx_out, "-----BEGIN CERTIFICATE-----"));
    }

  /* An existing file is never replaced, whatever the format. */
  existing = run_cli ("certificate", "export", sha1, "--format", "cer", "--output", precious_path, NULL);
  g_assert_cmpint (existing->status, ==, 1);
  g_assert_cmpstr (existing->out, ==, "");
  g_assert_nonnull (strstr (existing->err, "already exists"));
  precious = read_file (precious_path);
  g_assert_cmpmem (g_bytes_get_data (precious, NULL), g_bytes_get_size (precious), "precious", 8);
  {
    g_autoptr(BaTestCliResult) again = run_cli ("certificate", "export", sha1, "--format", "pfx", "--output", pfx_path,
                                          "--password-file", password_path, NULL);
    g_autoptr(GBytes) unchanged = read_file (pfx_path);

    g_assert_cmpint (again->status, ==, 1);
    g_assert_true (g_bytes_equal (unchanged, pfx_data));
  }

  /* A .pfx is never written without a password. */
  {
    g_autofree char *empty_path = write_scratch_file ("empty.txt", "\n", -1);
    g_autofree char *open_pfx_path = scratch_path ("open.pfx");
    g_autoptr(BaTestCliResult) empty = run_cli ("certificate", "export", sha1, "--format", "pfx", "--output", open_pfx_path,
                                          "--password-file", empty_path, NULL);

    g_assert_cmpint (empty->status, ==, 1);
    g_assert_cmpstr (empty->out, ==, "");
    g_assert_false (g_file_test (open_pfx_path, G_FILE_TEST_EXISTS));
  }

  /* Nothing half-written is left next to the outputs. */
  dir = g_dir_open (g_get_user_cache_dir (), 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "."));

  /* Unknown thumbprint: nothing written. */
  {
    g_autofree char *never_path = scratch_path ("never.cer");
    g_autoptr(BaTestCliResult) unknown = run_cli ("certificate", "export", "0000000000000000000000000000000000000000",
                                            "--format", "cer", "--output", never_path, NULL);

    g_assert_cmpint (unknown->status, ==, 1);
    g_assert_nonnull (strstr (unknown->err, "No certificate with thumbprint"));
    g_assert_false (g_file_test (never_path, G_FILE_TEST_EXISTS));
  }
}

static void
test_import (void)
{
  g_autofree char *pfx_path = scratch_path ("imported.pfx");
  /* Only the first line is the password. */
  g_autofree char *password_path = write_scratch_file ("password.txt", PFX_PASSWORD "\nnot the password\n", -1);
  g_autofree char *wrong_path = write_scratch_file ("wrong.txt", "Incorrect Horse\n", -1);
  g_autofree char *garbage_path = write_scratch_file ("garbage.pfx", "This is not a PFX file at all.\n", -1);
  g_autofree char *missing_path = scratch_path ("missing.pfx");
  g_autofree char *sha1 = NULL;
  g_autofree char *wrong_reason = NULL;
  g_autoptr(BaTestCliResult) wrong = NULL;
  g_autoptr(BaTestCliResult) none = NULL;
  g_autoptr(BaTestCliResult) garbage = NULL;
  g_autoptr(BaTestCliResult) missing = NULL;
  g_autoptr(BaTestCliResult) imported = NULL;
  g_autoptr(BaTestCliResult) list = NULL;
  g_autoptr(JsonObject) certificate = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(BaCertificate) stored = NULL;

  if (!have_program ("openssl"))
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  sha1 = make_pfx ("CLI Imported", PFX_PASSWORD, pfx_path);

  wrong = run_cli ("certificate", "import", pfx_path, "--password-file", wrong_path, NULL);
  g_assert_cmpint (wrong->status, ==, 1);
  g_assert_cmpstr (wrong->out, ==, "");
  g_assert_true (g_str_has_prefix (wrong->err, "backup-access-cli: "));
  g_assert_null (strstr (wrong->err, "Incorrect Horse"));
  wrong_reason = first_line (import_reason (wrong->err));
  g_assert_cmpstr (wrong_reason, !=, "");

  /* No password given for a file that has one: same reason, and a hint. */
  none = run_cli ("certificate", "import", pfx_path, NULL);
  g_assert_cmpint (none->status, ==, 1);
  g_assert_true (g_str_has_prefix (import_reason (none->err), wrong_reason));
  g_assert_nonnull (strstr (none->err, "--password-file"));

  garbage = run_cli ("certificate", "import", garbage_path, "--password-file", password_path, NULL);
  g_assert_cmpint (garbage->status, ==, 1);
  g_assert_cmpstr (garbage->out, ==, "");
  g_assert_null (strstr (garbage->err, PFX_PASSWORD));
  g_assert_false (g_str_has_prefix (import_reason (garbage->err), wrong_reason));

  missing = run_cli ("certificate", "import", missing_path, NULL);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_cmpstr (missing->out, ==, "");
  g_assert_nonnull (strstr (missing->err, "missing.pfx"));

  {
    g_autofree char *no_such_path = scratch_path ("no-such-password.txt");
    g_autoptr(BaTestCliResult) no_password_file = run_cli ("certificate", "import", pfx_path,
                                                     "--password-file", no_such_path, NULL);

    g_assert_cmpint (no_password_file->status, ==, 1);
    g_assert_cmpstr (no_password_file->out, ==, "");
    g_assert_nonnull (strstr (no_password_file->err, "no-such-password.txt"));
  }

  /* None of the failures left anything in the key store. */
  list = run_cli ("certificate", "list", "--json", NULL);
  listed = ba_test_parse_object (list->out);
  g_assert_cmpuint (count_key_store_certificates (listed), ==, 0);

  imported = run_cli ("certificate", "import", pfx_path, "--password-file", password_path, "--json", NULL);
  g_assert_cmpint (imported->status, ==, 0);
  g_assert_cmpstr (imported->err, ==, "");
  g_assert_null (strstr (imported->out, PFX_PASSWORD));
  certificate = ba_test_parse_object (imported->out);
  assert_certificate_object (certificate);
  g_assert_cmpstr (json_object_get_string_member (certificate, "sha1"), ==, sha1);
  g_assert_cmpstr (json_object_get_string_member (certificate, "commonName"), ==, "CLI Imported");
  g_assert_cmpstr (json_object_get_string_member (certificate, "keyLocation"), ==, "key-store");
  g_assert_true (json_object_get_boolean_member (certificate, "valid"));

  stored = lookup_in_key_store (sha1);
  g_assert_nonnull (stored);
  g_assert_true (ba_certificate_has_private_key (stored));
}

static void
test_import_stdin (void)
{
  g_autofree char *pfx_path = scratch_path ("stdin.pfx");
  g_autofree char *open_path = scratch_path ("open.pfx");
  g_autofree char *sha1 = NULL;
  g_autofree char *open_sha1 = NULL;
  g_autoptr(BaTestCliResult) imported = NULL;
  g_autoptr(BaTestCliResult) open = NULL;

  if (!have_program ("openssl"))
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  /* A password file written on Windows: the CR goes with the line break. */
  sha1 = make_pfx ("CLI Piped", PFX_PASSWORD, pfx_path);
  imported = ba_test_cli_run (PFX_PASSWORD "\r\n", "certificate", "import", pfx_path, "--password-file", "-", NULL);
  g_assert_cmpint (imported->status, ==, 0);
  g_assert_cmpstr (imported->err, ==, "");
  g_assert_nonnull (strstr (imported->out, sha1));
  g_assert_null (strstr (imported->out, PFX_PASSWORD));

  /* No option: no password. */
  open_sha1 = make_pfx ("CLI No Password", "", open_path);
  open = run_cli ("certificate", "import", open_path, NULL);
  g_assert_cmpint (open->status, ==, 0);
  g_assert_cmpstr (open->err, ==, "");
  g_assert_nonnull (strstr (open->out, open_sha1));
}

/* certtool, unlike openssl 3.0, writes any validity dates it is given. */
static void
import_out_of_date (const char *activation,
                    const char *expiration,
                    const char *warning)
{
  g_autofree char *template_text = g_strdup_printf ("cn = \"CLI Out Of Date\"\n"
                                                    "activation_date = \"%s\"\n"
                                                    "expiration_date = \"%s\"\n"
                                                    "signing_key\n",
                                                    activation, expiration);
  g_autofree char *template_path = write_scratch_file ("template.cfg", template_text, -1);
  g_autofree char *key_path = scratch_path ("dated.key");
  g_autofree char *cert_path = scratch_path ("dated.crt");
  g_autofree char *pfx_path = scratch_path ("dated.pfx");
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  g_autoptr(BaTestCliResult) r = NULL;
  g_autoptr(JsonObject) certificate = NULL;

  out1 = run_tool ("certtool", "--generate-privkey", "--key-type", "rsa", "--bits", "2048",
                   "--outfile", key_path, NULL);
  out2 = run_tool ("certtool", "--generate-self-signed", "--load-privkey", key_path,
                   "--template", template_path, "--outfile", cert_path, NULL);
  out3 = run_tool ("openssl", "pkcs12", "-export", "-inkey", key_path, "-in", cert_path,
                   "-passout", "pass:", "-out", pfx_path, NULL);

  r = run_cli ("certificate", "import", pfx_path, "--json", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_true (g_str_has_prefix (r->err, "backup-access-cli: "));
  g_assert_nonnull (strstr (r->err, warning));
  certificate = ba_test_parse_object (r->out);
  g_assert_false (json_object_get_boolean_member (certificate, "valid"));
}

static void
test_import_expired (void)
{
  if (!have_program ("openssl") || !have_program ("certtool"))
    {
      g_test_skip ("openssl or certtool is not installed");
      return;
    }

  import_out_of_date ("2019-01-01 00:00:00", "2020-01-01 00:00:00", "expired on 2020-01-01T00:00:00Z");
}

static void
test_import_not_yet_valid (void)
{
  if (!have_program ("openssl") || !have_program ("certtool"))
    {
      g_test_skip ("openssl or certtool is not installed");
      return;
    }

  import_out_of_date ("2040-01-01 00:00:00", "2042-01-01 00:00:00", "not valid before 2040-01-01T00:00:00Z");
}

static void
test_delete (void)
{
  g_autoptr(JsonObject) certificate = generate ("CLI Deleted");
  g_autoptr(JsonObject) kept = generate ("CLI Kept");
  const char *sha1 = json_object_get_string_member (certificate, "sha1");
  g_autofree char *lower_sha256 = g_ascii_strdown (json_object_get_string_member (certificate, "sha256"), -1);
  g_autoptr(BaTestCliResult) deleted = NULL;
  g_autoptr(BaTestCliResult) shown = NULL;
  g_autoptr(BaTestCliResult) again = NULL;
  g_autoptr(BaTestCliResult) unknown = NULL;
  g_autoptr(BaTestCliResult) list = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(BaCertificate) gone = NULL;
  g_autoptr(BaCertificate) still_there = NULL;

  deleted = run_cli ("certificate", "delete", lower_sha256, NULL);
  g_assert_cmpint (deleted->status, ==, 0);
  g_assert_cmpstr (deleted->err, ==, "");
  g_assert_nonnull (strstr (deleted->out, sha1));

  shown = run_cli ("certificate", "show", sha1, NULL);
  g_assert_cmpint (shown->status, ==, 1);
  g_assert_nonnull (strstr (shown->err, "No certificate with thumbprint"));

  again = run_cli ("certificate", "delete", sha1, NULL);
  g_assert_cmpint (again->status, ==, 1);
  g_assert_nonnull (strstr (again->err, "No certificate with thumbprint"));

  unknown = run_cli ("certificate", "delete", "0000000000000000000000000000000000000000000000000000000000000000", NULL);
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_cmpstr (unknown->out, ==, "");

  /* Only that one went. */
  list = run_cli ("certificate", "list", "--json", NULL);
  listed = ba_test_parse_object (list->out);
  g_assert_cmpuint (count_key_store_certificates (listed), ==, 1);
  g_assert_nonnull (find_in_list (listed, json_object_get_string_member (kept, "sha1")));

  gone = lookup_in_key_store (sha1);
  g_assert_null (gone);
  {
    g_autoptr(BaCertificateStore) store = ba_certificate_store_new (NULL, FALSE);
    g_autoptr(GDir) dir = g_dir_open (ba_certificate_store_get_key_directory (store), 0, NULL);
    const char *name;

    /* The key files went with it (they are named by thumbprint). */
    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, sha1));
  }
  still_there = lookup_in_key_store (json_object_get_string_member (kept, "sha1"));
  g_assert_nonnull (still_there);
}

/* SoftHSM2's module: as p11-kit knows it, so the program finds it as it
 * would find a smart card, else where Debian and Fedora put it. */
static char *
find_softhsm2_module (gboolean *registered)
{
  static const char *paths[] = {
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
  };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  *registered = FALSE;
  if (have_program ("p11-kit") &&
      g_spawn_command_line_sync ("p11-kit list-modules", &out, NULL, NULL, NULL) && out != NULL)
    {
      lines = g_strsplit (out, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (g_str_has_prefix (lines[i], "softhsm2: "))
            {
              *registered = TRUE;
              return g_strdup (lines[i] + strlen ("softhsm2: "));
            }
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (g_file_test (paths[i], G_FILE_TEST_EXISTS))
      return g_strdup (paths[i]);

  return NULL;
}

static void
make_token (const char *label,
            const char *pin)
{
  g_autofree char *out = run_tool ("softhsm2-util", "--init-token", "--free", "--label", label,
                                   "--pin", pin, "--so-pin", "87654321", NULL);
}

/* Writes a key and its certificate to a token, with the same CKA_ID. A
 * private key object is seen only after logging in with the PIN. */
static void
put_on_token (const char *module,
              const char *token_uri,
              const char *pin,
              const char *key_path,
              const char *cert_path,
              const char *id,
              gboolean    private_key)
{
  g_autofree char *provider = g_strconcat ("--provider=", module, NULL);
  g_autofree char *set_pin = g_strconcat ("--set-pin=", pin, NULL);
  g_autofree char *key_id = g_strconcat ("--id=", id, NULL);
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;

  out1 = run_tool ("p11tool", provider, "--login", set_pin, "--write", "--load-privkey", key_path,
                   "--label", "cli-test", key_id, private_key ? "--mark-private" : "--no-mark-private",
                   token_uri, NULL);
  out2 = run_tool ("p11tool", provider, "--login", set_pin, "--write", "--load-certificate", cert_path,
                   "--label", "cli-test", key_id, token_uri, NULL);
}

static void
test_token (void)
{
  g_autofree char *module = NULL;
  g_autofree char *token_dir = scratch_path ("tokens");
  g_autofree char *conf_text = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *key_path = scratch_path ("token.key");
  g_autofree char *cert_path = scratch_path ("token.crt");
  g_autofree char *locked_key_path = scratch_path ("locked.key");
  g_autofree char *locked_cert_path = scratch_path ("locked.crt");
  g_autofree char *cer_path = scratch_path ("token.cer");
  g_autofree char *pfx_path = scratch_path ("token.pfx");
  g_autofree char *password_path = write_scratch_file ("password.txt", PFX_PASSWORD "\n", -1);
  g_autofree char *sha1 = NULL;
  g_autofree char *lower_sha1 = NULL;
  g_autofree char *locked_sha1 = NULL;
  g_autoptr(BaTestCliResult) table = NULL;
  g_autoptr(BaTestCliResult) json = NULL;
  g_autoptr(BaTestCliResult) shown = NULL;
  g_autoptr(BaTestCliResult) cer = NULL;
  g_autoptr(BaTestCliResult) pfx = NULL;
  g_autoptr(BaTestCliResult) deleted = NULL;
  g_autoptr(BaTestCliResult) still = NULL;
  g_autoptr(BaTestCliResult) locked = NULL;
  g_autoptr(BaTestCliResult) locked_show = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) certificate = NULL;
  g_autoptr(BaCertificate) from_cer = NULL;
  g_autoptr(GBytes) cer_data = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *listed;
  gboolean registered;
  gboolean found = FALSE;

  if (!have_program ("softhsm2-util") || !have_program ("p11tool") || !have_program ("openssl"))
    {
      g_test_skip ("softhsm2-util, p11tool or openssl is not installed");
      return;
    }
  module = find_softhsm2_module (&registered);
  if (module == NULL)
    {
      g_test_skip ("SoftHSM2 is not installed");
      return;
    }

  /* The program inherits these. */
  g_assert_cmpint (g_mkdir_with_parents (token_dir, 0700), ==, 0);
  conf_text = g_strdup_printf ("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", token_dir);
  conf_path = write_scratch_file ("softhsm2.conf", conf_text, -1);
  g_setenv ("SOFTHSM2_CONF", conf_path, TRUE);
  if (!registered)
    g_setenv ("BA_PKCS11_MODULES", module, TRUE);

  make_token ("CLI Token", "12345678");
  sha1 = make_key_and_certificate ("CLI On Token", key_path, cert_path);
  lower_sha1 = g_ascii_strdown (sha1, -1);
  put_on_token (module, "pkcs11:token=CLI%20Token", "12345678", key_path, cert_path, "01", FALSE);

  /* Listed with the token's label where the key lives. */
  table = run_cli ("certificate", "list", NULL);
  g_assert_cmpint (table->status, ==, 0);
  g_assert_cmpstr (table->err, ==, "");
  lines = g_strsplit (table->out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], sha1) == NULL)
        continue;
      found = TRUE;
      g_assert_true (g_str_has_prefix (lines[i], "CN=CLI On Token"));
      g_assert_true (g_str_has_suffix (lines[i], "CLI Token"));
    }
  g_assert_true (found);

  json = run_cli ("certificate", "list", "--json", NULL);
  g_assert_cmpint (json->status, ==, 0);
  list = ba_test_parse_object (json->out);
  g_assert_cmpuint (count_key_store_certificates (list), ==, 0);
  listed = find_in_list (list, sha1);
  g_assert_nonnull (listed);
  g_assert_cmpstr (json_object_get_string_member (listed, "keyLocation"), ==, "pkcs11");
  g_assert_cmpstr (json_object_get_string_member (listed, "tokenLabel"), ==, "CLI Token");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (listed, "keyUri"), "pkcs11:"));

  shown = run_cli ("certificate", "show", lower_sha1, "--json", NULL);
  g_assert_cmpint (shown->status, ==, 0);
  certificate = ba_test_parse_object (shown->out);
  assert_certificate_object (certificate);
  assert_same_certificate (certificate, listed);

  /* The certificate can leave the token; its key cannot. */
  cer = run_cli ("certificate", "export", sha1, "--format", "cer", "--output", cer_path, NULL);
  g_assert_cmpint (cer->status, ==, 0);
  cer_data = read_file (cer_path);
  from_cer = ba_certificate_new_from_data (cer_data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (from_cer), ==, sha1);

  pfx = run_cli ("certificate", "export", sha1, "--format", "pfx", "--output", pfx_path,
                 "--password-file", password_path, NULL);
  g_assert_cmpint (pfx->status, ==, 1);
  g_assert_cmpstr (pfx->out, ==, "");
  g_assert_true (g_str_has_prefix (pfx->err, "backup-access-cli: "));
  g_assert_false (g_file_test (pfx_path, G_FILE_TEST_EXISTS));

  deleted = run_cli ("certificate", "delete", sha1, NULL);
  g_assert_cmpint (deleted->status, ==, 1);
  g_assert_cmpstr (deleted->out, ==, "");
  g_assert_true (g_str_has_prefix (deleted->err, "backup-access-cli: "));
  still = run_cli ("certificate", "show", sha1, NULL);
  g_assert_cmpint (still->status, ==, 0);

  /* A token whose key hides behind its PIN: without a terminal to ask on,
   * the others are listed and the reason is given. */
  make_token ("CLI Locked", "87654321");
  locked_sha1 = make_key_and_certificate ("CLI Behind PIN", locked_key_path, locked_cert_path);
  put_on_token (module, "pkcs11:token=CLI%20Locked", "87654321", locked_key_path, locked_cert_path, "02", TRUE);

  locked = run_cli ("certificate", "list", NULL);
  g_assert_cmpint (locked->status, ==, 0);
  g_assert_nonnull (strstr (locked->out, sha1));
  g_assert_null (strstr (locked->out, locked_sha1));
  g_assert_true (g_str_has_prefix (locked->err, "backup-access-cli: "));
  g_assert_nonnull (strstr (locked->err, "CLI Locked"));

  locked_show = run_cli ("certificate", "show", locked_sha1, NULL);
  g_assert_cmpint (locked_show->status, ==, 1);
  g_assert_nonnull (strstr (locked_show->err, "No certificate with thumbprint"));
  g_assert_nonnull (strstr (locked_show->err, "CLI Locked"));

  /* A person at a terminal is asked for the PIN. */
  if (have_program ("script"))
    {
      g_autofree char *quoted = g_shell_quote (g_getenv ("BA_CLI"));
      g_autofree char *command = g_strdup_printf ("%s certificate list", quoted);
      g_autofree char *out = run_tool_with_input ("87654321\n", "script", "-qec", command, "/dev/null", NULL);

      g_assert_nonnull (strstr (out, "PIN of “CLI Locked”"));
      g_assert_nonnull (strstr (out, locked_sha1));
      g_assert_nonnull (strstr (out, sha1));
    }

  g_unsetenv ("SOFTHSM2_CONF");
  g_unsetenv ("BA_PKCS11_MODULES");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ba/cli-certificate/usage-errors", test_usage_errors);
  g_test_add_func ("/ba/cli-certificate/help", test_help);
  g_test_add_func ("/ba/cli-certificate/generate/defaults", test_generate_defaults);
  g_test_add_func ("/ba/cli-certificate/generate/options", test_generate_options);
  g_test_add_func ("/ba/cli-certificate/list", test_list);
  g_test_add_func ("/ba/cli-certificate/show", test_show);
  g_test_add_func ("/ba/cli-certificate/export", test_export);
  g_test_add_func ("/ba/cli-certificate/import", test_import);
  g_test_add_func ("/ba/cli-certificate/import/stdin-and-no-password", test_import_stdin);
  g_test_add_func ("/ba/cli-certificate/import/expired", test_import_expired);
  g_test_add_func ("/ba/cli-certificate/import/not-yet-valid", test_import_not_yet_valid);
  g_test_add_func ("/ba/cli-certificate/delete", test_delete);
  g_test_add_func ("/ba/cli-certificate/token", test_token);

  return g_test_run ();
}
