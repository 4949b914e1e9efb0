/* main.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ba-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BaApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Backup Access"));

  app = ba_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
