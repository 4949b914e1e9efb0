/* test-window.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gstdio.h>

#include "ba-applications-manager.h"
#include "ba-organization-row.h"
#include "ba-test-gtk-utils.h"
#include "ba-test-utils.h"
#include "ba-window.h"

typedef struct
{
  BaStore *store;
  BaWindow *window;
  GtkListBox *list;
  BaOrganization *managed;
  guint n_manage_applications;
  guint n_manage_accounts;
} Fixture;

static void
open_window (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = ba_store_new_default ();
  ba_store_load (f->store, &error);
  if (error != NULL)
    g_test_message ("load: %s", error->message);

  f->window = ba_window_new (NULL, f->store);
  gtk_window_present (GTK_WINDOW (f->window));
  ba_test_wait_mapped (GTK_WIDGET (f->window));

  f->list = GTK_LIST_BOX (ba_test_template_child (f->window, BA_TYPE_WINDOW, "organization_list"));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *fixture = data;

  if (fixture != NULL)
    ba_test_install_fixture (fixture);
  open_window (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ba_test_iterate ();
  ba_test_store_settle (f->store);
  g_clear_object (&f->store);
}

static BaOrganizationRow *
row_at (Fixture *f,
        int      index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (f->list, index);

  g_assert_nonnull (row);
  g_assert_true (BA_IS_ORGANIZATION_ROW (row));
  return BA_ORGANIZATION_ROW (row);
}

static BaOrganizationRow *
row_named (Fixture    *f,
           const char *name)
{
  for (int i = 0; gtk_list_box_get_row_at_index (f->list, i) != NULL; i++)
    {
      BaOrganizationRow *row = row_at (f, i);

      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
        return row;
    }

  g_assert_not_reached ();
}

static GtkWidget *
row_child (BaOrganizationRow *row,
           const char        *name)
{
  return ba_test_template_child (row, BA_TYPE_ORGANIZATION_ROW, name);
}

static gboolean
on_manage_applications_cb (BaWindow       *window,
                           BaOrganization *org,
                           Fixture        *f)
{
  f->n_manage_applications++;
  g_set_object (&f->managed, org);
  return TRUE;
}

static gboolean
on_manage_accounts_cb (BaWindow       *window,
                       BaOrganization *org,
                       Fixture        *f)
{
  f->n_manage_accounts++;
  g_set_object (&f->managed, org);
  return TRUE;
}

static void
test_window_lists_organizations (Fixture       *f,
                                 gconstpointer  data)
{
  GtkStack *main_stack = GTK_STACK (ba_test_template_child (f->window, BA_TYPE_WINDOW, "main_stack"));
  GtkStack *details_stack = GTK_STACK (ba_test_template_child (f->window, BA_TYPE_WINDOW, "details_stack"));
  GListModel *orgs = ba_store_get_organizations (f->store);

  g_assert_cmpuint (g_list_model_get_n_items (orgs), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "organizations");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(BaOrganization) org = g_list_model_get_item (orgs, i);
      BaOrganizationRow *row = row_at (f, i);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      g_assert_true (ba_organization_row_get_organization (row) == org);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                       ba_organization_get_name (org));
      /* Each row shows the tenant, the authentication and the cloud. */
      g_assert_nonnull (strstr (subtitle, ba_organization_get_tenant_id (org)));
      g_assert_nonnull (strstr (subtitle, ba_auth_type_to_string (ba_organization_get_auth_type (org))));
      g_assert_nonnull (strstr (subtitle, ba_cloud_kind_to_string (ba_organization_get_cloud (org))));
    }
  g_assert_null (gtk_list_box_get_row_at_index (f->list, 3));

  /* The first organization is selected and its details are shown. */
  g_assert_true (gtk_list_box_get_selected_row (f->list) == GTK_LIST_BOX_ROW (row_at (f, 0)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (details_stack), ==, "details");
  g_assert_true (ba_window_get_selected_organization (f->window) ==
                 ba_organization_row_get_organization (row_at (f, 0)));

  /* An organization added to the store appears in the list. */
  {
    g_autoptr(BaOrganization) org = ba_organization_new ("0b5a7c3e-9f11-4d55-8c1e-6c2f6d4e5a90", "Tailspin Toys");
    g_autoptr(GError) error = NULL;

    ba_store_add_organization (f->store, org, &error);
    g_assert_no_error (error);
    ba_test_iterate ();
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_at (f, 3))), ==, "Tailspin Toys");
  }
}

static void
assert_menu_gating (Fixture    *f,
                    const char *name,
                    gboolean    applications,
                    gboolean    accounts)
{
  BaOrganizationRow *row = row_named (f, name);
  GtkWidget *apps_button = row_child (row, "manage_applications_button");
  GtkWidget *accounts_button = row_child (row, "manage_accounts_button");
  GtkWidget *apps_reason = row_child (row, "manage_applications_reason");
  GtkWidget *accounts_reason = row_child (row, "manage_accounts_reason");
  GtkPopover *popover = ba_organization_row_get_popover (row);

  g_test_message ("organization %s", name);

  /* A right click selects the organization and opens its menu. */
  g_assert_true (ba_test_secondary_click (GTK_WIDGET (row)));
  ba_test_iterate ();
  g_assert_true (gtk_list_box_get_selected_row (f->list) == GTK_LIST_BOX_ROW (row));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));

  g_assert_cmpint (gtk_widget_get_sensitive (apps_button), ==, applications);
  g_assert_cmpint (gtk_widget_get_sensitive (accounts_button), ==, accounts);
  /* An unavailable item says why, to the eye and to a screen reader. */
  g_assert_cmpint (gtk_widget_get_visible (apps_reason), ==, !applications);
  g_assert_cmpint (gtk_widget_get_visible (accounts_reason), ==, !accounts);
  if (!applications)
    gtk_test_accessible_assert_property (apps_button, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                         gtk_label_get_label (GTK_LABEL (apps_reason)));
  if (!accounts)
    gtk_test_accessible_assert_property (accounts_button, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                         gtk_label_get_label (GTK_LABEL (accounts_reason)));

  /* Choosing the items runs only what is enabled, for this organization. */
  f->n_manage_applications = f->n_manage_accounts = 0;
  g_clear_object (&f->managed);
  g_assert_cmpint (ba_test_click (apps_button), ==, applications);
  g_assert_cmpint (ba_test_click (accounts_button), ==, accounts);
  g_assert_cmpuint (f->n_manage_applications, ==, applications ? 1 : 0);
  g_assert_cmpuint (f->n_manage_accounts, ==, accounts ? 1 : 0);
  g_assert_true (f->managed == ba_organization_row_get_organization (row));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
}

static void
test_window_context_menu (Fixture       *f,
                          gconstpointer  data)
{
  g_signal_connect (f->window, "manage-applications", G_CALLBACK (on_manage_applications_cb), f);
  g_signal_connect (f->window, "manage-accounts", G_CALLBACK (on_manage_accounts_cb), f);

  assert_menu_gating (f, "Contoso", TRUE, FALSE);
  assert_menu_gating (f, "Fabrikam", FALSE, TRUE);
  assert_menu_gating (f, "Northwind Traders", FALSE, TRUE);
  /* Back again: the gating follows the selection both ways. */
  assert_menu_gating (f, "Contoso", TRUE, FALSE);

  g_clear_object (&f->managed);
}

static void
test_window_context_menu_keyboard (Fixture       *f,
                                   gconstpointer  data)
{
  BaOrganizationRow *fabrikam = row_named (f, "Fabrikam");
  BaOrganizationRow *contoso = row_named (f, "Contoso");

  gtk_list_box_select_row (f->list, GTK_LIST_BOX_ROW (fabrikam));
  ba_test_iterate ();

  /* Shift+F10 opens the menu of the selected organization. */
  g_assert_true (ba_test_activate_shortcut (GTK_WIDGET (f->window), GDK_KEY_F10, GDK_SHIFT_MASK));
  ba_test_iterate ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ba_organization_row_get_popover (fabrikam))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ba_organization_row_get_popover (contoso))));
  gtk_popover_popdown (ba_organization_row_get_popover (fabrikam));
  ba_test_iterate ();

  /* So does the Menu key. */
  gtk_list_box_select_row (f->list, GTK_LIST_BOX_ROW (contoso));
  ba_test_iterate ();
  g_assert_true (ba_test_activate_shortcut (GTK_WIDGET (f->window), GDK_KEY_Menu, 0));
  ba_test_iterate ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ba_organization_row_get_popover (contoso))));

  /* And so does the row's own menu button, for a pointer or Tab user. */
  gtk_popover_popdown (ba_organization_row_get_popover (contoso));
  ba_test_iterate ();
  gtk_widget_activate (row_child (fabrikam, "menu_button"));
  g_assert_true (ba_test_wait_visible (GTK_WIDGET (ba_organization_row_get_popover (fabrikam))));
  g_assert_true (gtk_list_box_get_selected_row (f->list) == GTK_LIST_BOX_ROW (fabrikam));
}

static BaApplicationsManager *
find_manager (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (BA_IS_APPLICATIONS_MANAGER (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return BA_APPLICATIONS_MANAGER (window);
    }

  return NULL;
}

static void
test_window_manage_applications_opens_manager (Fixture       *f,
                                               gconstpointer  data)
{
  BaOrganizationRow *contoso = row_named (f, "Contoso");
  BaApplicationsManager *manager = NULL;
  gint64 deadline;

  g_assert_null (find_manager ());
  g_assert_true (ba_test_secondary_click (GTK_WIDGET (contoso)));
  g_assert_true (ba_test_wait_visible (GTK_WIDGET (ba_organization_row_get_popover (contoso))));
  g_assert_true (ba_test_click (row_child (contoso, "manage_applications_button")));

  /* The Backup Applications Manager opens over the window. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while ((manager = find_manager ()) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (manager);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (manager)) == GTK_WINDOW (f->window));
  gtk_window_destroy (GTK_WINDOW (manager));
  ba_test_iterate ();
}

static void
test_window_unhandled_action_explains (Fixture       *f,
                                       gconstpointer  data)
{
  BaOrganizationRow *fabrikam = row_named (f, "Fabrikam");
  GtkWidget *overlay = ba_test_template_child (f->window, BA_TYPE_WINDOW, "toast_overlay");
  GtkWidget *child_before = gtk_widget_get_first_child (overlay);
  int n_children_before = 0;
  int n_children_after = 0;

  for (GtkWidget *c = child_before; c != NULL; c = gtk_widget_get_next_sibling (c))
    n_children_before++;

  g_assert_true (ba_test_secondary_click (GTK_WIDGET (fabrikam)));
  g_assert_true (ba_test_wait_visible (GTK_WIDGET (ba_organization_row_get_popover (fabrikam))));
  g_assert_true (ba_test_click (row_child (fabrikam, "manage_accounts_button")));

  /* The Backup Accounts Manager is not in this version: a toast says so. */
  for (GtkWidget *c = gtk_widget_get_first_child (overlay); c != NULL; c = gtk_widget_get_next_sibling (c))
    n_children_after++;
  g_assert_cmpint (n_children_after, ==, n_children_before + 1);
}

static void
test_window_details (Fixture       *f,
                     gconstpointer  data)
{
  BaOrganizationRow *contoso = row_named (f, "Contoso");
  BaOrganization *org = ba_organization_row_get_organization (contoso);
  GtkWidget *page = ba_test_template_child (f->window, BA_TYPE_WINDOW, "details_page");
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  GListModel *apps = ba_organization_get_applications (org);

  gtk_list_box_select_row (f->list, GTK_LIST_BOX_ROW (contoso));
  ba_test_iterate ();

  /* Collect every row's title and subtitle in the details page. */
  g_ptr_array_add (stack, page);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (ADW_IS_ACTION_ROW (w))
        g_string_append_printf (shown, "%s|%s\n",
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)),
                                adw_action_row_get_subtitle (ADW_ACTION_ROW (w)));
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }

  g_assert_nonnull (strstr (shown->str, ba_organization_get_tenant_id (org)));
  g_assert_cmpuint (g_list_model_get_n_items (apps), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

      g_assert_nonnull (strstr (shown->str, ba_backup_application_get_app_id (app)));
    }

  /* A change to the organization shows at once. */
  ba_organization_set_name (org, "Contoso Ltd");
  ba_test_iterate ();
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (contoso)), ==, "Contoso Ltd");
}

static void
test_window_empty_state (Fixture       *f,
                         gconstpointer  data)
{
  GtkStack *main_stack = GTK_STACK (ba_test_template_child (f->window, BA_TYPE_WINDOW, "main_stack"));
  GtkWidget *empty_add = ba_test_template_child (f->window, BA_TYPE_WINDOW, "empty_add_button");
  GtkWidget *info_bar = ba_test_template_child (f->window, BA_TYPE_WINDOW, "store_info_bar");

  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "empty");
  g_assert_true (gtk_widget_get_mapped (empty_add));
  g_assert_true (gtk_widget_get_sensitive (empty_add));
  g_assert_false (gtk_info_bar_get_revealed (GTK_INFO_BAR (info_bar)));
  g_assert_null (ba_window_get_selected_organization (f->window));

  gtk_test_accessible_assert_role (empty_add, GTK_ACCESSIBLE_ROLE_BUTTON);

  /* The invitation opens the Add Organization wizard; cancelled, it leaves
   * nothing. */
  g_assert_null (_ba_window_get_add_organization_assistant (f->window));
  g_assert_true (ba_test_click (empty_add));
  g_assert_nonnull (_ba_window_get_add_organization_assistant (f->window));
  {
    GtkAssistant *assistant = _ba_add_organization_assistant_get_assistant (_ba_window_get_add_organization_assistant (f->window));

    ba_test_wait_mapped (GTK_WIDGET (assistant));
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (assistant)) == GTK_WINDOW (f->window));
    g_signal_emit_by_name (assistant, "cancel");
    ba_test_iterate ();
  }
  g_assert_null (_ba_window_get_add_organization_assistant (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 0);
}

static void
test_window_corrupt_configuration (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autofree char *path = ba_test_config_path ();
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *good = NULL;
  GtkWidget *info_bar;
  GtkWidget *restore;
  GtkLabel *label;
  GtkStack *main_stack;

  /* A good configuration saved twice leaves a last good copy beside it. */
  ba_test_install_fixture ("organizations.json");
  {
    g_autoptr(BaStore) store = ba_store_new_default ();
    g_autoptr(GError) error = NULL;

    g_assert_true (ba_store_load (store, &error));
    g_assert_true (ba_store_save (store, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  ba_test_write_config ("{ \"formatVersion\": 1, \"organizations\": [ { \"tenantId\"");

  open_window (f);
  info_bar = ba_test_template_child (f->window, BA_TYPE_WINDOW, "store_info_bar");
  restore = ba_test_template_child (f->window, BA_TYPE_WINDOW, "restore_backup_button");
  label = GTK_LABEL (ba_test_template_child (f->window, BA_TYPE_WINDOW, "store_info_label"));
  main_stack = GTK_STACK (ba_test_template_child (f->window, BA_TYPE_WINDOW, "main_stack"));

  /* Reported, with where the file went and what to do. */
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (info_bar)));
  g_assert_nonnull (ba_store_get_set_aside_path (f->store));
  g_assert_nonnull (strstr (gtk_label_get_text (label), ba_store_get_set_aside_path (f->store)));
  g_assert_true (g_file_test (ba_store_get_set_aside_path (f->store), G_FILE_TEST_EXISTS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "empty");
  g_assert_true (gtk_widget_get_visible (restore));
  g_assert_true (gtk_widget_get_sensitive (restore));

  /* Restoring brings the organizations back and clears the report. */
  g_assert_true (ba_test_click (restore));
  g_assert_cmpuint (g_list_model_get_n_items (ba_store_get_organizations (f->store)), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "organizations");
  g_assert_false (gtk_info_bar_get_revealed (GTK_INFO_BAR (info_bar)));
  g_assert_false (gtk_widget_get_visible (restore));

  fixture_teardown (f, NULL);
}

static void
test_window_corrupt_without_backup (Fixture       *f,
                                    gconstpointer  data)
{
  GtkWidget *info_bar = ba_test_template_child (f->window, BA_TYPE_WINDOW, "store_info_bar");
  GtkWidget *restore = ba_test_template_child (f->window, BA_TYPE_WINDOW, "restore_backup_button");

  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (info_bar)));
  g_assert_false (gtk_widget_get_visible (restore));
}

static void
test_window_accessibility (Fixture       *f,
                           gconstpointer  data)
{
  BaOrganizationRow *contoso = row_named (f, "Contoso");
  GtkWidget *menu_button = row_child (contoso, "menu_button");

  gtk_test_accessible_assert_role (GTK_WIDGET (f->list), GTK_ACCESSIBLE_ROLE_LIST);
  gtk_test_accessible_assert_property (GTK_WIDGET (f->list), GTK_ACCESSIBLE_PROPERTY_LABEL, "Organizations");
  gtk_test_accessible_assert_role (GTK_WIDGET (contoso), GTK_ACCESSIBLE_ROLE_LIST_ITEM);
  gtk_test_accessible_assert_property (menu_button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Actions for Contoso");
  gtk_test_accessible_assert_role (row_child (contoso, "manage_applications_button"), GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_test_accessible_assert_property (ba_test_template_child (f->window, BA_TYPE_WINDOW, "details_page"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Organization Details");
}

static void
add_window_test (const char *path,
                 const char *fixture,
                 void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, fixture, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

  add_window_test ("/ba/window/lists-organizations", "organizations.json", test_window_lists_organizations);
  add_window_test ("/ba/window/context-menu", "organizations.json", test_window_context_menu);
  add_window_test ("/ba/window/context-menu-keyboard", "organizations.json", test_window_context_menu_keyboard);
  add_window_test ("/ba/window/manage-applications-opens-manager", "organizations.json", test_window_manage_applications_opens_manager);
  add_window_test ("/ba/window/unhandled-action-explains", "organizations.json", test_window_unhandled_action_explains);
  add_window_test ("/ba/window/details", "organizations.json", test_window_details);
  add_window_test ("/ba/window/empty-state", NULL, test_window_empty_state);
  add_window_test ("/ba/window/accessibility", "organizations.json", test_window_accessibility);
  add_window_test ("/ba/window/corrupt-without-backup", "corrupt.json", test_window_corrupt_without_backup);
  g_test_add_func ("/ba/window/corrupt-configuration", test_window_corrupt_configuration);

  return g_test_run ();
}
