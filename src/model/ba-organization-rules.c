/* ba-organization-rules.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ba-graph-client.h"
#include "ba-identifiers.h"
#include "ba-organization-rules.h"

G_DEFINE_QUARK (ba-organization-error-quark, ba_organization_error)

/* A DNS label: letters, digits and inner hyphens, 1 to 63 characters. */
static gboolean
is_dns_label (const char *label,
              gsize       length)
{
  if (length == 0 || length > 63)
    return FALSE;
  if (label[0] == '-' || label[length - 1] == '-')
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (label[i]) && label[i] != '-')
        return FALSE;
    }

  return TRUE;
}

/* domain.tld: at least two labels, the last of letters only. */
static gboolean
is_domain (const char *text)
{
  const char *start = text;
  const char *last = NULL;
  guint n_labels = 0;

  if (text == NULL || *text == '\0' || strlen (text) > 253)
    return FALSE;

  for (;;)
    {
      const char *dot = strchr (start, '.');
      gsize length = dot != NULL ? (gsize) (dot - start) : strlen (start);

      if (!is_dns_label (start, length))
        return FALSE;
      n_labels++;
      last = start;
      if (dot == NULL)
        break;
      start = dot + 1;
    }

  if (n_labels < 2 || strlen (last) < 2)
    return FALSE;
  for (const char *p = last; *p != '\0'; p++)
    {
      if (!g_ascii_isalpha (*p))
        return FALSE;
    }

  return TRUE;
}

/* The local part of a user principal name: no spaces, no '@', none of the
 * characters Microsoft Entra ID refuses. */
static gboolean
is_local_part (const char *text,
               gsize       length)
{
  if (length == 0 || length > 113 || text[0] == '.' || text[length - 1] == '.')
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isgraph (text[i]) || strchr ("@\\\"()<>,;:[]", text[i]) != NULL)
        return FALSE;
    }

  return TRUE;
}

const char *
ba_organization_service_dependency_reason (BaServices service,
                                           BaServices selected)
{
  if (service == BA_SERVICE_TEAMS &&
      ((selected & BA_SERVICE_EXCHANGE) == 0 || (selected & BA_SERVICE_SHAREPOINT) == 0))
    return _("Microsoft Teams can be backed up only together with Exchange Online and SharePoint Online.");

  if (service == BA_SERVICE_TEAMS_CHATS &&
      ((selected & BA_SERVICE_TEAMS) == 0 ||
       ba_organization_service_dependency_reason (BA_SERVICE_TEAMS, selected) != NULL))
    return _("Teams chats can be backed up only together with Microsoft Teams.");

  return NULL;
}

const char *
ba_organization_service_cloud_reason (BaServices  service,
                                      BaCloudKind cloud)
{
  if (service == BA_SERVICE_TEAMS && cloud == BA_CLOUD_KIND_CHINA)
    return _("Microsoft Teams cannot be backed up in the China cloud.");

  if (service == BA_SERVICE_TEAMS_CHATS &&
      (cloud == BA_CLOUD_KIND_CHINA || cloud == BA_CLOUD_KIND_US_GOV_L4 || cloud == BA_CLOUD_KIND_US_GOV_L5))
    return _("Teams chats cannot be backed up in the China and US Government clouds.");

  return NULL;
}

const char *
ba_organization_auth_cloud_reason (BaAuthType  auth_type,
                                   BaCloudKind cloud)
{
  /* veeam-wizards §0.3: new organizations with basic authentication only
   * in the China cloud. */
  if (auth_type == BA_AUTH_TYPE_BASIC && cloud != BA_CLOUD_KIND_CHINA)
    return _("Microsoft retired basic authentication; new organizations can use it only in the China cloud.");

  return NULL;
}

const char *
ba_organization_auth_description (BaAuthType auth_type)
{
  switch (auth_type)
    {
    case BA_AUTH_TYPE_MODERN_APP_ONLY:
      return _("Only the Microsoft Entra application signs in, with its certificate. Recommended.");

    case BA_AUTH_TYPE_MODERN_LEGACY:
      return _("The application signs in with its certificate, and backup accounts with passwords may use legacy protocols where Microsoft still allows them.");

    case BA_AUTH_TYPE_BASIC:
      return _("Backup accounts sign in with their passwords. Only for organizations in the China cloud.");

    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ba_organization_register_reason (BaServices services)
{
  if ((services & BA_SERVICE_TEAMS_CHATS) != 0)
    return _("An application for Teams chats cannot be registered automatically: use an existing application.");

  return NULL;
}

gboolean
ba_organization_uses_organization_name (BaServices services)
{
  return services == BA_SERVICE_SHAREPOINT;
}

gboolean
ba_organization_check_services (BaServices   services,
                                GError     **error)
{
  static const BaServices dependent[] = { BA_SERVICE_TEAMS, BA_SERVICE_TEAMS_CHATS };

  if ((services & (BA_SERVICE_EXCHANGE | BA_SERVICE_SHAREPOINT | BA_SERVICE_TEAMS | BA_SERVICE_TEAMS_CHATS)) == 0)
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_NO_SERVICE,
                           _("Choose at least one service to back up."));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (dependent); i++)
    {
      const char *reason;

      if ((services & dependent[i]) == 0)
        continue;

      reason = ba_organization_service_dependency_reason (dependent[i], services);
      if (reason != NULL)
        {
          g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_SERVICE_DEPENDENCY, reason);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
ba_organization_check_cloud (BaServices    services,
                             BaCloudKind   cloud,
                             BaAuthType    auth_type,
                             GError      **error)
{
  static const BaServices restricted[] = { BA_SERVICE_TEAMS, BA_SERVICE_TEAMS_CHATS };
  const char *reason;

  for (guint i = 0; i < G_N_ELEMENTS (restricted); i++)
    {
      if ((services & restricted[i]) == 0)
        continue;

      reason = ba_organization_service_cloud_reason (restricted[i], cloud);
      if (reason != NULL)
        {
          g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_SERVICE_NOT_IN_CLOUD, reason);
          return FALSE;
        }
    }

  reason = ba_organization_auth_cloud_reason (auth_type, cloud);
  if (reason != NULL)
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_AUTH_NOT_IN_CLOUD, reason);
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_register (BaServices   services,
                                GError     **error)
{
  const char *reason = ba_organization_register_reason (services);

  if (reason != NULL)
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_REGISTER_UNAVAILABLE, reason);
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_application_name (const char  *name,
                                        GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));

  /* Microsoft Entra ID takes display names of up to 120 characters. */
  if (*stripped == '\0' || g_utf8_strlen (stripped, -1) > 120)
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_INVALID_NAME,
                           _("Enter a name for the application, up to 120 characters."));
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_username (const char  *text,
                                BaServices   services,
                                GError     **error)
{
  const char *at;

  if (ba_organization_uses_organization_name (services))
    {
      if (text == NULL || strchr (text, '@') != NULL || !is_domain (text))
        {
          g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_INVALID_ORGANIZATION_NAME,
                               _("Enter the organization’s domain without a user, such as contoso.com."));
          return FALSE;
        }
      return TRUE;
    }

  at = text != NULL ? strchr (text, '@') : NULL;
  if (at == NULL || strchr (at + 1, '@') != NULL ||
      !is_local_part (text, at - text) || !is_domain (at + 1))
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_INVALID_USERNAME,
                           _("Enter the user name as name@domain, such as backup@contoso.com."));
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_application_id (const char  *text,
                                      GError     **error)
{
  if (text == NULL || !ba_identifier_is_guid (text))
    {
      g_set_error_literal (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_INVALID_APPLICATION_ID,
                           _("Enter the application (client) ID as shown in Microsoft Entra ID, such as 00000000-0000-0000-0000-000000000000."));
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_not_in_store (BaStore     *store,
                                    const char  *tenant_id,
                                    GError     **error)
{
  BaOrganization *existing;

  g_return_val_if_fail (BA_IS_STORE (store), FALSE);
  g_return_val_if_fail (tenant_id != NULL, FALSE);

  existing = ba_store_find_organization (store, tenant_id);
  if (existing != NULL)
    {
      const char *name = ba_organization_get_name (existing);

      g_set_error (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_DUPLICATE,
                   /* Translators: the first %s is an organization's name, the second its tenant ID */
                   _("“%s” (tenant %s) is in the backup configuration already. Remove it first to add it again."),
                   name != NULL && *name != '\0' ? name : tenant_id, tenant_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_organization_check_graph_roles (const BaPermission  *permissions,
                                   guint                n_permissions,
                                   const char * const  *roles,
                                   GError             **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree char *list = NULL;

  for (guint i = 0; i < n_permissions; i++)
    {
      if (g_strcmp0 (permissions[i].resource_app_id, BA_RESOURCE_GRAPH) == 0 &&
          (roles == NULL || !g_strv_contains (roles, permissions[i].value)))
        g_ptr_array_add (missing, (gpointer) permissions[i].value);
    }

  if (missing->len == 0)
    return TRUE;

  g_ptr_array_add (missing, NULL);
  list = g_strjoinv (", ", (char **) missing->pdata);
  g_set_error (error, BA_ORGANIZATION_ERROR, BA_ORGANIZATION_ERROR_MISSING_PERMISSION,
               /* Translators: %s is a list of permissions such as "Directory.Read.All, Group.Read.All" */
               _("The application signs in, but lacks these Microsoft Graph permissions: %s. Grant them with admin consent in Microsoft Entra ID, or let Backup Access grant them."),
               list);
  return FALSE;
}

const char *
ba_organization_advice_for_error (const GError *error)
{
  if (g_error_matches (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INSUFFICIENT_ROLE) ||
      g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_FORBIDDEN))
    return _("Granting application permissions needs the Global Administrator or Privileged Role Administrator role. Sign in with an account that holds one, then add the organization again.");
  if (g_error_matches (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_REPLICATION_TIMEOUT))
    return _("Microsoft Entra ID took too long to make the new objects visible. Wait a few minutes, then resume the application in Manage Backup Applications.");
  if (g_error_matches (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND))
    return _("Check the application ID in Microsoft Entra ID, under App registrations.");

  return NULL;
}

char *
ba_organization_domain_of_username (const char *text)
{
  const char *at;

  if (text == NULL || *text == '\0')
    return NULL;

  at = strrchr (text, '@');
  return g_ascii_strdown (at != NULL ? at + 1 : text, -1);
}
