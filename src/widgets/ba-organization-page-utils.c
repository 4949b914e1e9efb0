/* ba-organization-page-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-organization-page-utils.h"

static const char *
resource_name (const char *resource_app_id)
{
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_GRAPH) == 0)
    return _("Microsoft Graph");
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_EXCHANGE) == 0)
    return _("Office 365 Exchange Online");
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_SHAREPOINT) == 0)
    return _("Office 365 SharePoint Online");

  return resource_app_id;
}

char *
ba_organization_describe_certificate (BaCertificate *certificate)
{
  g_autofree char *expiry = NULL;

  if (certificate == NULL)
    return g_strdup (_("No certificate chosen yet."));

  expiry = g_date_time_format (ba_certificate_get_not_after (certificate), "%x");
  /* Translators: the first %s is a certificate's name, the second its SHA-1 thumbprint, the third a date */
  return g_strdup_printf (_("Certificate “%s”, thumbprint %s, valid until %s"),
                          ba_certificate_get_common_name (certificate),
                          ba_certificate_get_sha1_thumbprint (certificate),
                          expiry);
}

char *
ba_organization_describe_permissions (const BaPermission *permissions,
                                      guint               n_permissions)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_permissions; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      /* Translators: the first %s is an API such as Microsoft Graph, the second a permission such as Sites.Read.All */
      g_string_append_printf (text, _("%s: %s"), resource_name (permissions[i].resource_app_id), permissions[i].value);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}
