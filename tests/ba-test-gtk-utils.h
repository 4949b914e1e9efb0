/* ba-test-gtk-utils.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        ba_test_gtk_init            (int         *argc,
                                         char      ***argv);
void        ba_test_iterate             (void);
void        ba_test_wait_mapped         (GtkWidget   *widget);
GtkWidget  *ba_test_template_child      (gpointer     widget,
                                         GType        template_type,
                                         const char  *name);
gboolean    ba_test_click               (GtkWidget   *button);
gboolean    ba_test_wait_visible        (GtkWidget   *widget);
gboolean    ba_test_secondary_click     (GtkWidget   *widget);
gboolean    ba_test_activate_shortcut   (GtkWidget   *widget,
                                         guint        keyval,
                                         GdkModifierType modifiers);
GtkWidget  *ba_test_find_button         (GtkWidget   *root,
                                         const char  *label);

G_END_DECLS
