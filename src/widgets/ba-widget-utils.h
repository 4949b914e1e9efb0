/* ba-widget-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows @message under @field in @label, marks the field invalid for the
 * eye (the "error" style) and for a screen reader (its description and
 * invalid state); a NULL message clears all of that. */
void     ba_field_set_error          (GtkWidget    *field,
                                      GtkLabel     *label,
                                      const char   *message);

G_END_DECLS
