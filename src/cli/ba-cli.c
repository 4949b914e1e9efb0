/* ba-cli.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ba-organization.h"
#include "ba-store.h"

#define PROGRAM "backup-access-cli"

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

static int organization_list (int    argc,
                              char **argv);

static const Command commands[] = {
  { "organization", "list", N_("List the organizations in the backup configuration"), organization_list },
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
      g_autofree char *name = g_strdup_printf ("%s %s", commands[i].noun, commands[i].verb);

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

static int
usage_error (const char *message)
{
  g_printerr ("%s: %s\n", PROGRAM, message);
  /* Translators: %s is the program's name */
  g_printerr (_("Run “%s --help” to see the commands."), PROGRAM);
  g_printerr ("\n");
  return EXIT_USAGE;
}

static gboolean
parse_command_options (GOptionContext  *context,
                       int             *argc,
                       char          ***argv,
                       int             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (error->message);
      return FALSE;
    }

  /* argv[0] is the command; anything left after the options is a mistake. */
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[1]);

      *status = usage_error (message);
      return FALSE;
    }

  return TRUE;
}

static BaStore *
load_store (int *status)
{
  g_autoptr(BaStore) store = ba_store_new_default ();
  g_autoptr(GError) error = NULL;

  if (!ba_store_load (store, &error))
    {
      const char *set_aside = ba_store_get_set_aside_path (store);

      g_printerr ("%s: %s\n", PROGRAM, error->message);
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
    g_printerr ("%s: %s\n", PROGRAM, ba_store_get_load_error (store)->message);

  return g_steal_pointer (&store);
}

static void
print_padded (GString    *line,
              const char *text,
              guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  g_string_append (line, text);
  for (glong i = len; i < (glong)width + 2; i++)
    g_string_append_c (line, ' ');
}

/* Commands */

static int
organization_list (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BaStore) store = NULL;
  gboolean json = FALSE;
  int status = EXIT_OK;
  GListModel *orgs;
  guint n_items;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the organizations as JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("List the organizations in the backup configuration."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!parse_command_options (context, &argc, &argv, &status))
    return status;

  store = load_store (&status);
  if (store == NULL)
    return status;

  orgs = ba_store_get_organizations (store);
  n_items = g_list_model_get_n_items (orgs);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "organizations");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(BaOrganization) org = g_list_model_get_item (orgs, i);

          json_builder_add_value (builder, ba_organization_serialize (org, FALSE));
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
      return EXIT_OK;
    }

  if (n_items == 0)
    {
      g_print ("%s\n", _("There are no organizations in the backup configuration."));
      return EXIT_OK;
    }

  {
    const char *headers[] = { _("NAME"), _("TENANT ID"), _("AUTHENTICATION"), _("CLOUD") };
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
    guint widths[G_N_ELEMENTS (headers)] = { 0 };

    g_ptr_array_add (rows, g_strdupv ((char **)(const char *[]) { headers[0], headers[1], headers[2], headers[3], NULL }));
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

        g_ptr_array_add (rows, g_strdupv ((char **)cells));
      }

    for (guint r = 0; r < rows->len; r++)
      {
        char **cells = g_ptr_array_index (rows, r);

        for (guint c = 0; c < G_N_ELEMENTS (widths); c++)
          widths[c] = MAX (widths[c], (guint)g_utf8_strlen (cells[c], -1));
      }

    for (guint r = 0; r < rows->len; r++)
      {
        char **cells = g_ptr_array_index (rows, r);
        g_autoptr(GString) line = g_string_new (NULL);

        for (guint c = 0; c < G_N_ELEMENTS (widths); c++)
          {
            if (c + 1 < G_N_ELEMENTS (widths))
              print_padded (line, cells[c], widths[c]);
            else
              g_string_append (line, cells[c]);
          }
        g_print ("%s\n", line->str);
      }
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
