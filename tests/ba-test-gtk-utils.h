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
gboolean    ba_test_press               (GtkWidget   *root,
                                         const char  *label);
void        ba_test_type_text           (GtkWidget   *editable,
                                         const char  *text);

typedef gboolean (*BaTestCondition) (gpointer data);

void        ba_test_wait_until          (BaTestCondition  condition,
                                         gpointer         data,
                                         guint            seconds);
gboolean    ba_test_page_complete       (GtkAssistant *assistant,
                                         GtkWidget    *page);
void        ba_test_wait_done           (const gboolean *done,
                                         guint           seconds);
void        ba_test_wait_for_page       (GtkAssistant   *assistant,
                                         int             index,
                                         const gboolean *done,
                                         guint           seconds);

G_END_DECLS
