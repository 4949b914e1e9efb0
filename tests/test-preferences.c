/* test-preferences.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-preferences-window.h"
#include "ba-test-gtk-utils.h"

typedef struct
{
  GSettings *settings;
  GtkWidget *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = g_settings_new (BASE_APP_ID);
  f->window = ba_preferences_window_new (f->settings);
  gtk_window_present (GTK_WINDOW (f->window));
  ba_test_wait_mapped (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  static const char *keys[] = { "default-cloud", "sign-in-client-id", "authority-url", "graph-url", "max-concurrent-applications" };

  gtk_window_destroy (GTK_WINDOW (f->window));
  ba_test_iterate ();
  /* The memory backend is shared by every case in this process. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (f->settings, keys[i]);
  g_clear_object (&f->settings);
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  return ba_test_template_child (f->window, BA_TYPE_PREFERENCES_WINDOW, name);
}

static void
type_and_apply (GtkWidget  *row,
                const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  /* What Enter or the row's apply button do. */
  g_signal_emit_by_name (row, "apply");
  ba_test_iterate ();
}

static void
test_preferences_cloud (Fixture       *f,
                        gconstpointer  data)
{
  AdwComboRow *row = ADW_COMBO_ROW (child (f, "cloud_row"));
  g_autofree char *value = NULL;

  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  adw_combo_row_set_selected (row, 3);
  value = g_settings_get_string (f->settings, "default-cloud");
  g_assert_cmpstr (value, ==, "china");

  g_settings_set_string (f->settings, "default-cloud", "us-government-l5");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 2);
}

static void
test_preferences_client_id (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *row = child (f, "client_id_row");
  GtkWidget *error = child (f, "client_id_error");
  g_autofree char *value = NULL;

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "14d82eec-204b-4c2f-b7e8-296a70dab67e");
  g_assert_false (gtk_widget_get_visible (error));

  /* A mistyped id is refused next to the field and not saved. */
  type_and_apply (row, "my-client");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error)), !=, "");
  gtk_test_accessible_assert_property (row, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, gtk_label_get_text (GTK_LABEL (error)));
  value = g_settings_get_string (f->settings, "sign-in-client-id");
  g_assert_cmpstr (value, ==, "14d82eec-204b-4c2f-b7e8-296a70dab67e");
  g_clear_pointer (&value, g_free);

  /* Corrected, it is saved and the error goes away. */
  type_and_apply (row, " 0f4e9a6b-1c2d-4e3f-8a9b-0c1d2e3f4a5b ");
  g_assert_false (gtk_widget_get_visible (error));
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  value = g_settings_get_string (f->settings, "sign-in-client-id");
  g_assert_cmpstr (value, ==, "0f4e9a6b-1c2d-4e3f-8a9b-0c1d2e3f4a5b");
  g_clear_pointer (&value, g_free);

  /* The reset button brings the documented default back. */
  g_assert_true (ba_test_click (child (f, "client_id_reset_button")));
  value = g_settings_get_string (f->settings, "sign-in-client-id");
  g_assert_cmpstr (value, ==, "14d82eec-204b-4c2f-b7e8-296a70dab67e");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "14d82eec-204b-4c2f-b7e8-296a70dab67e");
}

static void
test_preferences_endpoints (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *authority = child (f, "authority_row");
  GtkWidget *graph = child (f, "graph_row");
  GtkWidget *error = child (f, "endpoint_error");
  g_autofree char *value = NULL;

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (authority)), ==, "");

  /* Plain http to another machine would send tokens in the clear. */
  type_and_apply (graph, "http://graph.example.com");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_true (gtk_widget_has_css_class (graph, "error"));
  value = g_settings_get_string (f->settings, "graph-url");
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);

  type_and_apply (graph, "https://graph.example.com/");
  g_assert_false (gtk_widget_get_visible (error));
  value = g_settings_get_string (f->settings, "graph-url");
  g_assert_cmpstr (value, ==, "https://graph.example.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (graph)), ==, "https://graph.example.com");
  g_clear_pointer (&value, g_free);

  type_and_apply (authority, "http://127.0.0.1:8080");
  value = g_settings_get_string (f->settings, "authority-url");
  g_assert_cmpstr (value, ==, "http://127.0.0.1:8080");
  g_clear_pointer (&value, g_free);

  /* Emptied, the override is gone and the cloud's own endpoint is used. */
  type_and_apply (authority, "");
  value = g_settings_get_string (f->settings, "authority-url");
  g_assert_cmpstr (value, ==, "");
}

static void
test_preferences_environment_note (void)
{
  Fixture fixture = { 0 };
  GtkWidget *note;

  g_setenv ("BA_GRAPH_URL", "http://127.0.0.1:9", TRUE);
  fixture_setup (&fixture, NULL);
  note = child (&fixture, "environment_note");
  g_assert_true (gtk_widget_get_visible (note));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (note)), "BA_GRAPH_URL"));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (note)), "BA_AUTHORITY_URL"));
  fixture_teardown (&fixture, NULL);
  g_unsetenv ("BA_GRAPH_URL");

  fixture_setup (&fixture, NULL);
  g_assert_false (gtk_widget_get_visible (child (&fixture, "environment_note")));
  fixture_teardown (&fixture, NULL);
}

static void
test_preferences_concurrency (Fixture       *f,
                              gconstpointer  data)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (f, "concurrency_spin"));

  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 4);
  gtk_spin_button_set_value (spin, 8);
  g_assert_cmpint (g_settings_get_int (f->settings, "max-concurrent-applications"), ==, 8);
  /* The range of the key holds in the field too. */
  gtk_spin_button_set_value (spin, 100);
  g_assert_cmpint (g_settings_get_int (f->settings, "max-concurrent-applications"), ==, 16);
}

static void
test_preferences_accessibility (Fixture       *f,
                                gconstpointer  data)
{
  gtk_test_accessible_assert_role (child (f, "concurrency_spin"), GTK_ACCESSIBLE_ROLE_SPIN_BUTTON);
  gtk_test_accessible_assert_relation (child (f, "concurrency_spin"), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "concurrency_row"), NULL);
  gtk_test_accessible_assert_role (child (f, "client_id_reset_button"), GTK_ACCESSIBLE_ROLE_BUTTON);
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

  g_test_add ("/ba/preferences/cloud", Fixture, NULL, fixture_setup, test_preferences_cloud, fixture_teardown);
  g_test_add ("/ba/preferences/client-id", Fixture, NULL, fixture_setup, test_preferences_client_id, fixture_teardown);
  g_test_add ("/ba/preferences/endpoints", Fixture, NULL, fixture_setup, test_preferences_endpoints, fixture_teardown);
  g_test_add ("/ba/preferences/concurrency", Fixture, NULL, fixture_setup, test_preferences_concurrency, fixture_teardown);
  g_test_add ("/ba/preferences/accessibility", Fixture, NULL, fixture_setup, test_preferences_accessibility, fixture_teardown);
  g_test_add_func ("/ba/preferences/environment-note", test_preferences_environment_note);

  return g_test_run ();
}
