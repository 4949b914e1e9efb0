/* ba-identifiers.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-identifiers.h"

/**
 * ba_identifier_is_guid:
 * @text: (nullable): a string
 *
 * Whether @text is a GUID in the 8-4-4-4-12 form that Microsoft Entra uses
 * for tenant, application and object ids. Braces and surrounding space are
 * refused: these ids end up in URLs.
 *
 * Returns: %TRUE if @text is a GUID
 */
gboolean
ba_identifier_is_guid (const char *text)
{
  static const int group_lengths[] = { 8, 4, 4, 4, 12 };
  const char *p = text;

  if (text == NULL)
    return FALSE;

  for (guint group = 0; group < G_N_ELEMENTS (group_lengths); group++)
    {
      for (int i = 0; i < group_lengths[group]; i++, p++)
        {
          if (!g_ascii_isxdigit (*p))
            return FALSE;
        }

      if (group + 1 < G_N_ELEMENTS (group_lengths))
        {
          if (*p != '-')
            return FALSE;
          p++;
        }
    }

  return *p == '\0';
}
