/* test-applications-manager.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <adwaita.h>

#include "ba-applications-manager.h"
#include "ba-certificate-list-page.h"
#include "ba-certificate-source-page.h"
#include "ba-graph-emulator.h"
#include "ba-sign-in-page.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-gtk-utils.h"
#include "ba-test-utils.h"

/* The real Backup Applications Manager for an organization of a store,
 * against the emulator on loopback, driven as an admin would: buttons,
 * rows selected in the list, dialogs answered by their buttons. */

#define OWN_NAME "Backup Access Own"

/* Generated once: RSA keys take a while. Each test adds them to its own
 * (isolated) key store. */
static BaCertificate *registered_certificate;
static BaCertificate *other_certificate;

typedef struct
{
  BaGraphEmulator *emulator;
  BaStore *store;
  BaOrganization *org;
  BaCertificateStore *certificates;
  BaCertificate *registered;   /* the key registered on the emulator's applications */
  BaCertificate *other;        /* registered nowhere */
  char *own_app_id;
  BaApplicationsManager *manager;
} Fixture;

typedef gboolean (*Condition) (Fixture *f);

static void
wait_for (Fixture   *f,
          Condition  condition,
          guint      seconds)
{
  ba_test_wait_until ((BaTestCondition) condition, f, seconds);
}

static const char *
emulator_object_id (Fixture    *f,
                    const char *app_id)
{
  JsonObject *object = ba_graph_emulator_lookup_application (f->emulator, app_id);

  g_assert_nonnull (object);
  return json_object_get_string_member (object, "id");
}

/* An application registered in the tenant with the registered certificate,
 * its service principal holding the backup roles. */
static char *
add_tenant_application (Fixture    *f,
                        const char *name)
{
  const char *roles[] = { "Sites.FullControl.All", "User.Read.All", NULL };
  g_autoptr(GBytes) der = ba_certificate_get_der (f->registered);

  return ba_graph_emulator_add_application (f->emulator, name, der, TRUE, roles);
}

/* …and in the pool, ready, with @certificate recorded. */
static BaBackupApplication *
add_pool_application (Fixture       *f,
                      const char    *app_id,
                      const char    *name,
                      BaCertificate *certificate)
{
  g_autoptr(BaBackupApplication) app = ba_backup_application_new (app_id);

  ba_backup_application_set_object_id (app, emulator_object_id (f, app_id));
  ba_backup_application_set_display_name (app, name);
  ba_backup_application_set_origin (app, BA_APPLICATION_ORIGIN_CREATED);
  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_READY);
  if (certificate != NULL)
    {
      ba_backup_application_set_certificate_thumbprint (app, ba_certificate_get_sha1_thumbprint (certificate));
      ba_backup_application_set_certificate_expiry (app, ba_certificate_get_not_after (certificate));
    }
  ba_organization_add_application (f->org, app);

  return g_steal_pointer (&app);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->emulator = ba_test_emulator_new (NULL);
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);

  f->certificates = ba_certificate_store_new (NULL, FALSE);
  f->registered = ba_certificate_store_add (f->certificates, registered_certificate, &error);
  g_assert_no_error (error);
  f->other = ba_certificate_store_add (f->certificates, other_certificate, &error);
  g_assert_no_error (error);

  path = g_build_filename (g_get_user_config_dir (), "backup-access-test.json", NULL);
  f->store = ba_store_new (path);
  f->org = ba_organization_new (ba_graph_emulator_get_tenant_id (f->emulator), "Contoso");
  ba_organization_set_auth_type (f->org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  ba_organization_set_services (f->org, BA_SERVICE_SHAREPOINT);
  f->own_app_id = add_tenant_application (f, OWN_NAME);
  ba_organization_set_own_application_id (f->org, f->own_app_id);
  g_assert_true (ba_store_add_organization (f->store, f->org, &error));
  g_assert_no_error (error);
}

/* Opens the manager on what the fixture and the test put in the store. */
static void
open_manager (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_store_save (f->store, &error));
  g_assert_no_error (error);

  f->manager = ba_applications_manager_new (NULL, f->store, f->org);
  _ba_applications_manager_set_sign_in_interval_ms (f->manager, 20);
  _ba_applications_manager_set_provisioner_timing (f->manager, 5000, 20);
  gtk_window_present (GTK_WINDOW (f->manager));
  ba_test_wait_mapped (GTK_WIDGET (f->manager));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->manager != NULL)
    gtk_window_destroy (GTK_WINDOW (f->manager));
  f->manager = NULL;
  ba_test_iterate ();
  g_clear_pointer (&f->own_app_id, g_free);
  g_clear_object (&f->registered);
  g_clear_object (&f->other);
  g_clear_object (&f->certificates);
  g_clear_object (&f->org);
  ba_test_store_settle (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->emulator);
  g_setenv ("BA_AUTHORITY_URL", "", TRUE);
  g_setenv ("BA_GRAPH_URL", "", TRUE);
}

/* Helpers */

static GtkWidget *
manager_child (Fixture    *f,
               const char *name)
{
  return ba_test_template_child (f->manager, BA_TYPE_APPLICATIONS_MANAGER, name);
}

static gboolean
press (Fixture    *f,
       const char *label)
{
  return ba_test_press (GTK_WIDGET (f->manager), label);
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *labels)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (!gtk_widget_get_mapped (c))
        continue;
      if (GTK_IS_LABEL (c))
        g_ptr_array_add (labels, c);
      collect_labels (c, labels);
    }
}

/* The label shown in the list whose text starts with @prefix, or NULL. */
static GtkWidget *
find_cell (Fixture    *f,
           const char *prefix)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect_labels (manager_child (f, "column_view"), labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_has_prefix (gtk_label_get_text (g_ptr_array_index (labels, i)), prefix))
      return g_ptr_array_index (labels, i);

  return NULL;
}

static GtkSelectionModel *
selection (Fixture *f)
{
  return _ba_applications_manager_get_selection (f->manager);
}

static guint
position_of (Fixture             *f,
             BaBackupApplication *app)
{
  GListModel *model = G_LIST_MODEL (selection (f));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(BaBackupApplication) item = g_list_model_get_item (model, i);

      if (item == app)
        return i;
    }
  g_assert_not_reached ();
}

/* A click on the row, then Ctrl+click on each further one. */
static void
select_rows (Fixture             *f,
             BaBackupApplication *first,
             ...)
{
  va_list args;
  BaBackupApplication *app;

  gtk_selection_model_select_item (selection (f), position_of (f, first), TRUE);
  va_start (args, first);
  while ((app = va_arg (args, BaBackupApplication *)) != NULL)
    gtk_selection_model_select_item (selection (f), position_of (f, app), FALSE);
  va_end (args);
  ba_test_iterate ();
}

static gboolean
sign_in_open (Fixture *f)
{
  BaSignInPage *page = _ba_applications_manager_get_sign_in_page (f->manager);

  return page != NULL && gtk_widget_get_mapped (GTK_WIDGET (page));
}

static gboolean
sign_in_closed (Fixture *f)
{
  return _ba_applications_manager_get_sign_in_page (f->manager) == NULL;
}

/* The manager asks for an administrator: approve the device code. */
static void
sign_in (Fixture *f)
{
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_APPROVED, NULL);
  wait_for (f, sign_in_open, 5);
  wait_for (f, sign_in_closed, 10);
}

static gboolean
idle (Fixture *f)
{
  return !_ba_applications_manager_get_busy (f->manager);
}

static gboolean
dialog_open (Fixture *f)
{
  AdwMessageDialog *dialog = _ba_applications_manager_get_dialog (f->manager);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static AdwMessageDialog *
wait_dialog (Fixture *f)
{
  wait_for (f, dialog_open, 5);
  return _ba_applications_manager_get_dialog (f->manager);
}

/* The pool as a second reader sees it on disk: the number of applications,
 * and whether @app_id is one of them. */
static guint
saved_pool (Fixture    *f,
            const char *app_id,
            gboolean   *found)
{
  g_autoptr(BaStore) reloaded = ba_store_new (ba_store_get_path (f->store));
  BaOrganization *org;

  g_assert_true (ba_store_load (reloaded, NULL));
  org = ba_store_find_organization (reloaded, ba_organization_get_tenant_id (f->org));
  g_assert_nonnull (org);
  if (found != NULL)
    *found = app_id != NULL && ba_organization_find_application (org, app_id) != NULL;

  return g_list_model_get_n_items (ba_organization_get_applications (org));
}

static guint wanted_saved;

static gboolean
saved_count_is (Fixture *f)
{
  return saved_pool (f, NULL, NULL) == wanted_saved;
}

static void
wait_saved_count (Fixture *f,
                  guint    count)
{
  wanted_saved = count;
  wait_for (f, saved_count_is, 5);
}

/* Administrator sign-ins started (device codes asked for, any tenant). */
static guint
count_device_codes (Fixture *f)
{
  GPtrArray *requests = ba_graph_emulator_get_requests (f->emulator);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      const BaEmulatorRequest *request = g_ptr_array_index (requests, i);

      if (g_str_has_suffix (request->path, "/oauth2/v2.0/devicecode"))
        n++;
    }

  return n;
}

#define DELETED_BUTTON "De_leted Applications…"

static GtkWidget *
deleted_button (Fixture *f)
{
  GtkWidget *button = ba_test_find_button (GTK_WIDGET (f->manager), DELETED_BUTTON);

  g_assert_nonnull (button);
  return button;
}

/* The Deleted Applications window over the manager, as on screen, or NULL. */
static GtkWindow *
find_deleted_window (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (window) == GTK_WINDOW (f->manager) &&
          g_strcmp0 (gtk_window_get_title (window), "Deleted Applications") == 0 &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static gboolean
deleted_window_open (Fixture *f)
{
  return find_deleted_window (f) != NULL;
}

static gboolean
deleted_window_closed (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  /* Gone, not just hidden. */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), "Deleted Applications") == 0)
        return FALSE;
    }

  return TRUE;
}

static void
collect_widgets (GtkWidget *widget,
                 GType      type,
                 GPtrArray *found)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (!gtk_widget_get_mapped (c))
        continue;
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        g_ptr_array_add (found, c);
      collect_widgets (c, type, found);
    }
}

/* The rows of the Deleted Applications window, top to bottom. */
static void
deleted_rows (GtkWindow *window,
              GPtrArray *rows)
{
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();

  g_ptr_array_set_size (rows, 0);
  collect_widgets (GTK_WIDGET (window), GTK_TYPE_LIST_BOX, lists);
  g_assert_cmpuint (lists->len, ==, 1);
  gtk_test_accessible_assert_property (g_ptr_array_index (lists, 0), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Applications deleted from Microsoft Entra ID");
  collect_widgets (g_ptr_array_index (lists, 0), ADW_TYPE_ACTION_ROW, rows);
}

/* Presses Deleted Applications; returns its window and the rows on it. */
static GtkWindow *
open_deleted (Fixture   *f,
              GPtrArray *rows)
{
  GtkWindow *window;

  g_assert_true (ba_test_click (deleted_button (f)));
  wait_for (f, deleted_window_open, 5);
  window = find_deleted_window (f);
  g_assert_true (gtk_window_get_modal (window));
  deleted_rows (window, rows);

  return window;
}

static const char *
row_title (GPtrArray *rows,
           guint      i)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (g_ptr_array_index (rows, i)));
}

static const char *
row_subtitle (GPtrArray *rows,
              guint      i)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (g_ptr_array_index (rows, i)));
}

/* A date as the manager shows it: the day, in the local time zone. */
static char *
local_date (GDateTime *date_time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date_time);

  return g_date_time_format (local, "%x");
}

/* Tests */

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) soon = g_date_time_add_days (now, 10);
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 200);
  g_autofree char *a_id = add_tenant_application (f, "Pool Alpha");
  g_autofree char *b_id = add_tenant_application (f, "Pool Beta");
  g_autofree char *c_id = add_tenant_application (f, "Pool Gamma");
  g_autoptr(BaBackupApplication) a = add_pool_application (f, a_id, "Pool Alpha", f->registered);
  g_autoptr(BaBackupApplication) b = add_pool_application (f, b_id, "Pool Beta", f->other);
  g_autoptr(BaBackupApplication) c = add_pool_application (f, c_id, "Pool Gamma", NULL);
  g_autofree char *a11y = NULL;
  GtkWidget *cell;
  GtkWidget *policy;
  GtkWidget *not_configured;

  ba_backup_application_set_certificate_expiry (a, soon);
  ba_backup_application_set_certificate_expiry (b, later);
  ba_backup_application_set_origin (c, BA_APPLICATION_ORIGIN_ADDED);
  open_manager (f);

  /* Name and application ID of each. */
  g_assert_nonnull (find_cell (f, "Pool Alpha"));
  g_assert_nonnull (find_cell (f, "Pool Beta"));
  g_assert_nonnull (find_cell (f, "Pool Gamma"));
  g_assert_nonnull (find_cell (f, a_id));
  g_assert_nonnull (find_cell (f, b_id));
  g_assert_nonnull (find_cell (f, c_id));
  g_assert_nonnull (find_cell (f, "Added"));
  g_assert_nonnull (find_cell (f, "Created"));

  /* Expiring in 10 days: flagged; in 200 days: not. */
  cell = find_cell (f, ba_certificate_get_sha1_thumbprint (f->registered));
  g_assert_nonnull (cell);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (cell)), "expires soon"));
  g_assert_true (gtk_widget_has_css_class (cell, "warning"));
  cell = find_cell (f, ba_certificate_get_sha1_thumbprint (f->other));
  g_assert_nonnull (cell);
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (cell)), "soon"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (cell)), "expires on"));
  g_assert_false (gtk_widget_has_css_class (cell, "warning"));

  /* No certificate: a "Not configured" button that opens the chooser. */
  not_configured = ba_test_find_button (manager_child (f, "column_view"), "Not configured");
  g_assert_nonnull (not_configured);
  a11y = g_strdup_printf ("Choose the certificate of %s", "Pool Gamma");
  gtk_test_accessible_assert_property (not_configured, GTK_ACCESSIBLE_PROPERTY_LABEL, a11y);
  g_assert_true (ba_test_click (not_configured));
  g_assert_nonnull (_ba_applications_manager_get_certificate_assistant (f->manager));
  gtk_window_close (GTK_WINDOW (_ba_select_certificate_assistant_get_assistant (_ba_applications_manager_get_certificate_assistant (f->manager))));
  wait_for (f, idle, 5);
  g_assert_null (ba_backup_application_get_certificate_thumbprint (c));

  /* The policy notice, always there. */
  policy = manager_child (f, "policy_label");
  g_assert_true (gtk_widget_get_mapped (policy));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (policy)), "Since March 2026"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (policy)), "One application per organization"));

  /* Nothing incomplete: no resume offered. */
  g_assert_false (gtk_widget_get_visible (manager_child (f, "incomplete_bar")));

  /* Nothing selected: nothing to update, verify or remove. */
  g_assert_false (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (f->manager), "_Remove…")));
  g_assert_false (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (f->manager), "_Verify")));
  select_rows (f, a, NULL);
  g_assert_true (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (f->manager), "_Remove…")));
  g_assert_true (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (f->manager), "_Update Certificate…")));

  /* Delete asks to remove the selection, as the button does. */
  g_assert_true (ba_test_activate_shortcut (GTK_WIDGET (f->manager), GDK_KEY_Delete, 0));
  g_assert_cmpstr (adw_message_dialog_get_heading (wait_dialog (f)), ==, "Remove 1 Application?");
  g_assert_true (ba_test_press (GTK_WIDGET (_ba_applications_manager_get_dialog (f->manager)), "_Cancel"));
  wait_for (f, idle, 5);
  g_assert_nonnull (ba_organization_find_application (f->org, a_id));

  /* Create opens the Create Application wizard; closing it changes nothing. */
  g_assert_true (press (f, "_Create…"));
  g_assert_nonnull (_ba_applications_manager_get_create_assistant (f->manager));
  {
    GtkAssistant *wizard = _ba_create_application_assistant_get_assistant (_ba_applications_manager_get_create_assistant (f->manager));

    ba_test_wait_mapped (GTK_WIDGET (wizard));
    g_assert_false (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (f->manager), "_Add…")));
    g_assert_true (ba_test_press (GTK_WIDGET (wizard), "_Cancel"));
  }
  wait_for (f, idle, 5);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (f->org)), ==, 3);
}

static gboolean
add_window_open (Fixture *f)
{
  GtkWindow *window = _ba_applications_manager_get_add_window (f->manager);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
candidates_listed (Fixture *f)
{
  GtkSelectionModel *model = _ba_applications_manager_get_add_selection (f->manager);

  /* The listing ends when the status says what to do. */
  return model != NULL && g_list_model_get_n_items (G_LIST_MODEL (model)) == 4 &&
         ba_graph_emulator_count_requests (f->emulator, "GET", "/v1.0/applications") >= 3;
}

static void
test_add (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *one = add_tenant_application (f, "Tenant App One");
  g_autofree char *two = add_tenant_application (f, "Tenant App Two");
  g_autofree char *three = add_tenant_application (f, "Something Else");
  g_autofree char *four = add_tenant_application (f, "Another Thing");
  GtkSelectionModel *model;
  GtkWindow *window;
  GListModel *apps = ba_organization_get_applications (f->org);
  gboolean found = FALSE;

  /* Two per page: the listing follows the nextLinks. */
  ba_graph_emulator_set_page_size (f->emulator, 2);
  open_manager (f);
  g_assert_true (press (f, "_Add…"));
  sign_in (f);
  wait_for (f, add_window_open, 5);
  window = _ba_applications_manager_get_add_window (f->manager);

  /* Five in the tenant, the organization's own one left out. */
  wait_for (f, candidates_listed, 10);
  model = _ba_applications_manager_get_add_selection (f->manager);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(BaBackupApplication) candidate = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (ba_backup_application_get_app_id (candidate), !=, f->own_app_id);
      g_assert_cmpstr (ba_backup_application_get_display_name (candidate), !=, OWN_NAME);
    }

  /* Nothing selected: Add is insensitive. */
  g_assert_false (gtk_widget_is_sensitive (ba_test_find_button (GTK_WIDGET (window), "_Add")));
  gtk_test_accessible_assert_property (ba_test_find_button (GTK_WIDGET (window), "_Add"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Add");
  gtk_test_accessible_assert_property (GTK_WIDGET (_ba_applications_manager_get_add_search (f->manager)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Search applications by name or ID");
  g_assert_cmpuint (count_device_codes (f), ==, 1);

  /* Search by name. */
  gtk_editable_set_text (_ba_applications_manager_get_add_search (f->manager), "tenant app");
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    /* GtkSearchEntry waits a moment before it says the text changed. */
    while (g_list_model_get_n_items (G_LIST_MODEL (model)) != 2)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
      }
  }
  {
    g_autoptr(BaBackupApplication) x = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(BaBackupApplication) y = g_list_model_get_item (G_LIST_MODEL (model), 1);

    g_assert_true (g_str_has_prefix (ba_backup_application_get_display_name (x), "Tenant App"));
    g_assert_true (g_str_has_prefix (ba_backup_application_get_display_name (y), "Tenant App"));
  }

  gtk_selection_model_select_all (model);
  ba_test_iterate ();
  g_assert_true (ba_test_press (GTK_WIDGET (window), "_Add"));
  ba_test_iterate ();
  g_assert_null (_ba_applications_manager_get_add_window (f->manager));
  wait_for (f, idle, 5);

  g_assert_cmpuint (g_list_model_get_n_items (apps), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);
      const char *id = ba_backup_application_get_app_id (app);

      g_assert_true (g_strcmp0 (id, one) == 0 || g_strcmp0 (id, two) == 0);
      g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_ADDED);
      g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
      g_assert_cmpstr (ba_backup_application_get_object_id (app), ==, emulator_object_id (f, id));
      g_assert_null (ba_backup_application_get_certificate_thumbprint (app));
    }
  /* Their certificates are to be chosen. */
  g_assert_nonnull (find_cell (f, "Tenant App One"));
  g_assert_nonnull (ba_test_find_button (manager_child (f, "column_view"), "Not configured"));

  wait_saved_count (f, 2);
  saved_pool (f, one, &found);
  g_assert_true (found);
  /* Nothing changed in the tenant. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 5);
}

/* The Select Certificate wizard the manager opened: pick @certificate from
 * the key store. */
static void
choose_from_store (Fixture       *f,
                   BaCertificate *certificate)
{
  BaSelectCertificateAssistant *chooser = NULL;
  GtkAssistant *assistant;
  GtkWidget *list_page;
  GtkWidget *source;
  GtkListBox *list;
  GtkListBoxRow *row = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  chooser = _ba_applications_manager_get_certificate_assistant (f->manager);
  g_assert_nonnull (chooser);
  assistant = _ba_select_certificate_assistant_get_assistant (chooser);
  ba_test_wait_mapped (GTK_WIDGET (assistant));

  source = ba_test_template_child (_ba_select_certificate_assistant_get_page (chooser, "source_page"),
                                   BA_TYPE_CERTIFICATE_SOURCE_PAGE, "store_button");
  gtk_widget_activate (source);
  ba_test_iterate ();
  g_assert_true (ba_test_press (GTK_WIDGET (assistant), "_Next"));

  list_page = _ba_select_certificate_assistant_get_page (chooser, "list_page");
  list = GTK_LIST_BOX (ba_test_template_child (list_page, BA_TYPE_CERTIFICATE_LIST_PAGE, "certificate_list"));
  while (row == NULL)
    {
      for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
        {
          GtkListBoxRow *candidate = gtk_list_box_get_row_at_index (list, i);

          if (ADW_IS_ACTION_ROW (candidate) &&
              strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (candidate)),
                      ba_certificate_get_sha1_thumbprint (certificate)) != NULL)
            row = candidate;
        }
      if (row == NULL)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE);
        }
    }
  gtk_list_box_select_row (list, row);
  ba_test_iterate ();
  g_assert_true (ba_test_press (GTK_WIDGET (assistant), "_Apply"));

  /* The summary, then Close. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ba_test_find_button (GTK_WIDGET (assistant), "_Close") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (ba_test_press (GTK_WIDGET (assistant), "_Close"));
}

static gboolean
has_key (Fixture       *f,
         const char    *app_id,
         BaCertificate *certificate)
{
  JsonObject *app = ba_graph_emulator_lookup_application (f->emulator, app_id);
  JsonArray *keys = json_object_get_array_member (app, "keyCredentials");
  g_autoptr(GBytes) der = ba_certificate_get_der (certificate);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));

  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);

      if (json_object_has_member (key, "key") &&
          g_strcmp0 (json_object_get_string_member (key, "key"), encoded) == 0)
        return TRUE;
    }

  return FALSE;
}

static guint
count_keys (Fixture    *f,
            const char *app_id)
{
  JsonObject *app = ba_graph_emulator_lookup_application (f->emulator, app_id);

  g_assert_nonnull (app);
  return json_array_get_length (json_object_get_array_member (app, "keyCredentials"));
}

static void
update_certificate (Fixture             *f,
                    BaBackupApplication *app)
{
  AdwMessageDialog *dialog;

  select_rows (f, app, NULL);
  g_assert_true (press (f, "_Update Certificate…"));
  choose_from_store (f, f->other);
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Update the Certificate?");
  /* Whether to remove the previous one is asked once the new one works. */
  g_assert_null (_ba_applications_manager_get_dialog_check (f->manager));
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Update"));
}

/* The offer that follows a rotation which worked. */
static AdwMessageDialog *
wait_offer (Fixture *f)
{
  AdwMessageDialog *dialog;

  wait_for (f, idle, 20);
  g_assert_cmpstr (_ba_applications_manager_get_status (f->manager), ==, "Certificate updated on 1 of 1 applications.");
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove the Previous Certificate?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "signs in on 1 application"));

  return dialog;
}

static void
test_update_certificate (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *keep_id = add_tenant_application (f, "Keep Old");
  g_autofree char *swap_id = add_tenant_application (f, "Swap Old");
  g_autofree char *broken_id = add_tenant_application (f, "Not Ours");
  g_autoptr(BaBackupApplication) keep = add_pool_application (f, keep_id, "Keep Old", f->registered);
  g_autoptr(BaBackupApplication) swap = add_pool_application (f, swap_id, "Swap Old", f->registered);
  g_autoptr(BaBackupApplication) broken = add_pool_application (f, broken_id, "Not Ours", f->registered);
  AdwMessageDialog *dialog;

  open_manager (f);
  g_assert_cmpuint (count_keys (f, keep_id), ==, 1);

  /* Keeping the previous key: both are on the application. */
  update_certificate (f, keep);
  sign_in (f);
  dialog = wait_offer (f);
  g_assert_cmpuint (count_keys (f, keep_id), ==, 2);
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Keep Both"));
  wait_for (f, idle, 5);
  g_assert_nonnull (strstr (_ba_applications_manager_get_status (f->manager), "Both certificates can sign in"));
  g_assert_cmpuint (count_keys (f, keep_id), ==, 2);
  g_assert_cmpuint (ba_graph_emulator_count_key_credentials (f->emulator, keep_id), ==, 2);
  g_assert_true (has_key (f, keep_id, f->registered));
  g_assert_true (has_key (f, keep_id, f->other));
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (keep), ==,
                   ba_certificate_get_sha1_thumbprint (f->other));
  g_assert_nonnull (ba_backup_application_get_last_verified (keep));
  g_assert_null (ba_backup_application_get_verification_error (keep));
  g_assert_nonnull (find_cell (f, ba_certificate_get_sha1_thumbprint (f->other)));
  /* The other application was left alone. */
  g_assert_cmpuint (count_keys (f, swap_id), ==, 1);

  /* Removing the previous one once the new one works: signed in already. */
  update_certificate (f, swap);
  dialog = wait_offer (f);
  g_assert_cmpuint (count_keys (f, swap_id), ==, 2);
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Remove Previous"));
  wait_for (f, idle, 20);
  g_assert_cmpstr (_ba_applications_manager_get_status (f->manager), ==, "Previous certificate removed from 1 of 1 applications.");
  g_assert_cmpuint (count_keys (f, swap_id), ==, 1);
  g_assert_true (has_key (f, swap_id, f->other));
  g_assert_false (has_key (f, swap_id, f->registered));
  g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (swap), ==,
                   ba_certificate_get_sha1_thumbprint (f->other));
  /* The first application kept both: it was not part of this. */
  g_assert_cmpuint (count_keys (f, keep_id), ==, 2);
  /* One sign-in for all of it. */
  g_assert_cmpuint (count_device_codes (f), ==, 1);

  /* When the new certificate could not be added, nothing is offered: the
   * previous one is what still signs in. */
  ba_graph_emulator_inject_graph_error (f->emulator, "/v1.0/applications", 403, "Authorization_RequestDenied", 1000);
  update_certificate (f, broken);
  wait_for (f, idle, 20);
  g_assert_cmpstr (_ba_applications_manager_get_status (f->manager), ==, "Certificate updated on 0 of 1 applications.");
  g_assert_null (_ba_applications_manager_get_dialog (f->manager));
  g_assert_true (has_key (f, broken_id, f->registered));
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *out_id = add_tenant_application (f, "Out Of Pool");
  g_autofree char *gone_id = add_tenant_application (f, "Gone Entirely");
  g_autoptr(BaBackupApplication) out = add_pool_application (f, out_id, "Out Of Pool", f->registered);
  g_autoptr(BaBackupApplication) gone = add_pool_application (f, gone_id, "Gone Entirely", f->registered);
  AdwMessageDialog *dialog;
  gboolean found = TRUE;
  guint n_apps = ba_graph_emulator_count_applications (f->emulator);

  open_manager (f);

  /* Cancel changes nothing. */
  select_rows (f, out, NULL);
  g_assert_true (press (f, "_Remove…"));
  dialog = wait_dialog (f);
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Cancel"));
  wait_for (f, idle, 5);
  g_assert_nonnull (ba_organization_find_application (f->org, out_id));

  /* From the backup configuration only. */
  g_assert_true (press (f, "_Remove…"));
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove 1 Application?");
  g_assert_false (gtk_check_button_get_active (_ba_applications_manager_get_dialog_check (f->manager)));
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Remove"));
  wait_for (f, idle, 5);
  g_assert_null (ba_organization_find_application (f->org, out_id));
  g_assert_null (find_cell (f, "Out Of Pool"));
  g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, out_id));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, n_apps);
  wait_saved_count (f, 1);
  saved_pool (f, out_id, &found);
  g_assert_false (found);
  /* No administrator was needed for that. */
  g_assert_cmpuint (count_device_codes (f), ==, 0);
  /* Nothing left Entra ID: nothing to restore, nothing on record. */
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (f->org)), ==, 0);
  g_assert_null (strstr (_ba_applications_manager_get_status (f->manager), "days"));
  g_assert_false (gtk_widget_is_sensitive (deleted_button (f)));

  /* And from Microsoft Entra ID. */
  select_rows (f, gone, NULL);
  g_assert_true (press (f, "_Remove…"));
  dialog = wait_dialog (f);
  gtk_widget_activate (GTK_WIDGET (_ba_applications_manager_get_dialog_check (f->manager)));
  ba_test_iterate ();
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Remove"));
  sign_in (f);
  wait_for (f, idle, 10);
  g_assert_null (ba_organization_find_application (f->org, gone_id));
  g_assert_null (ba_graph_emulator_lookup_application (f->emulator, gone_id));
  g_assert_null (ba_graph_emulator_lookup_service_principal (f->emulator, gone_id));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, n_apps - 1);
  g_assert_nonnull (strstr (_ba_applications_manager_get_status (f->manager), "Deleted 1 of 1"));
  wait_saved_count (f, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (f->org)), ==, 1);
  g_assert_true (gtk_widget_is_sensitive (deleted_button (f)));
}

static void
test_deleted_record (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *gone_id = add_tenant_application (f, "Gone For Now");
  g_autoptr(BaBackupApplication) gone = add_pool_application (f, gone_id, "Gone For Now", f->registered);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) again = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) in_30_days = g_date_time_add_days (now, 30);
  g_autofree char *today = local_date (now);
  g_autofree char *until = local_date (in_30_days);
  g_autofree char *subtitle = NULL;
  GListModel *records = ba_organization_get_deleted_applications (f->org);
  AdwMessageDialog *dialog;
  GtkWindow *window;
  const char *status;

  open_manager (f);

  /* Nothing deleted yet: nothing to show, and the button does nothing. */
  g_assert_cmpuint (g_list_model_get_n_items (records), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (deleted_button (f)));
  g_assert_false (ba_test_click (deleted_button (f)));
  ba_test_iterate ();
  g_assert_null (find_deleted_window (f));

  /* Removed, and deleted from Microsoft Entra ID. */
  select_rows (f, gone, NULL);
  g_assert_true (press (f, "_Remove…"));
  dialog = wait_dialog (f);
  gtk_widget_activate (GTK_WIDGET (_ba_applications_manager_get_dialog_check (f->manager)));
  ba_test_iterate ();
  g_assert_true (gtk_check_button_get_active (_ba_applications_manager_get_dialog_check (f->manager)));
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Remove"));
  sign_in (f);
  wait_for (f, idle, 10);
  g_assert_null (ba_graph_emulator_lookup_application (f->emulator, gone_id));
  g_assert_cmpuint (g_list_model_get_n_items (records), ==, 1);

  /* The status says for how long it can be restored, and where the record is. */
  status = _ba_applications_manager_get_status (f->manager);
  g_assert_true (g_str_has_prefix (status, "Deleted 1 of 1 applications from Microsoft Entra ID and the backup configuration. "));
  g_assert_nonnull (strstr (status, "for 30 days among its deleted applications, where they can be restored"));
  g_assert_nonnull (strstr (status, "“Deleted Applications” has the record."));

  /* The record, shown. */
  g_assert_true (gtk_widget_is_sensitive (deleted_button (f)));
  window = open_deleted (f, rows);
  g_assert_true (gtk_window_get_transient_for (window) == GTK_WINDOW (f->manager));
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (row_title (rows, 0), ==, "Gone For Now");
  subtitle = g_strdup_printf ("Application ID: %s · Deleted: %s · Restorable until: %s", gone_id, today, until);
  g_assert_cmpstr (row_subtitle (rows, 0), ==, subtitle);

  /* Escape closes it, for good; it opens again as it was. */
  g_assert_true (ba_test_activate_shortcut (GTK_WIDGET (window), GDK_KEY_Escape, 0));
  wait_for (f, deleted_window_closed, 5);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->manager)));
  g_assert_true (gtk_widget_is_sensitive (deleted_button (f)));

  window = open_deleted (f, again);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpstr (row_subtitle (again, 0), ==, subtitle);
  gtk_window_close (window);
  wait_for (f, deleted_window_closed, 5);
}

/* Records as the configuration keeps them, made while the manager is open
 * (another window's delete saves into the same organization): the button
 * follows, and so does the open list. The newest on top, an application
 * without a name by its ID, one past its 30 days said to be so. */
static void
test_deleted_list (Fixture       *f,
                   gconstpointer  data)
{
  const char *old_id = "0d9c2a8e-6f1b-4a1e-9d3e-3b1f0a7c5e21";
  const char *recent_id = "7f3e9b12-2c4d-4e8a-b5f6-1a2b3c4d5e6f";
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) long_ago = g_date_time_add_days (now, -40);
  g_autoptr(GDateTime) long_ago_until = g_date_time_add_days (long_ago, 30);
  g_autoptr(GDateTime) lately = g_date_time_add_days (now, -2);
  g_autoptr(GDateTime) lately_until = g_date_time_add_days (lately, 30);
  g_autoptr(BaDeletedApplication) old = ba_deleted_application_new (old_id, "old-object", NULL, long_ago);
  g_autoptr(BaDeletedApplication) recent = ba_deleted_application_new (recent_id, "recent-object", "Recently Gone", lately);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *old_date = local_date (long_ago);
  g_autofree char *old_until = local_date (long_ago_until);
  g_autofree char *recent_date = local_date (lately);
  g_autofree char *recent_until = local_date (lately_until);
  g_autofree char *expected = NULL;
  GtkWindow *window;

  open_manager (f);
  g_assert_false (gtk_widget_is_sensitive (deleted_button (f)));

  ba_organization_add_deleted_application (f->org, old);
  ba_test_iterate ();
  g_assert_true (gtk_widget_is_sensitive (deleted_button (f)));
  window = open_deleted (f, rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (row_title (rows, 0), ==, old_id);

  ba_organization_add_deleted_application (f->org, recent);
  ba_test_iterate ();
  deleted_rows (window, rows);
  g_assert_cmpuint (rows->len, ==, 2);

  g_assert_cmpstr (row_title (rows, 0), ==, "Recently Gone");
  expected = g_strdup_printf ("Application ID: %s · Deleted: %s · Restorable until: %s",
                              recent_id, recent_date, recent_until);
  g_assert_cmpstr (row_subtitle (rows, 0), ==, expected);
  g_clear_pointer (&expected, g_free);

  g_assert_cmpstr (row_title (rows, 1), ==, old_id);
  expected = g_strdup_printf ("Application ID: %s · Deleted: %s · No longer restorable", old_id, old_date);
  g_assert_cmpstr (row_subtitle (rows, 1), ==, expected);
  g_assert_null (strstr (row_subtitle (rows, 1), old_until));

  gtk_window_close (window);
  wait_for (f, deleted_window_closed, 5);
  /* Looking changed nothing. */
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (f->org)), ==, 2);
}

/* An application whose creation never reached Entra ID leaves nothing there
 * to restore: no record, and the status does not say there is one. */
static void
test_delete_incomplete (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BaBackupApplication) app = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                                                     "display-name", "Never Created",
                                                     "creation-tag", "ba-test-tag",
                                                     "state", BA_PROVISIONING_STATE_CREATING,
                                                     NULL);

  ba_organization_add_application (f->org, app);
  open_manager (f);
  g_assert_false (gtk_widget_is_sensitive (deleted_button (f)));

  g_assert_true (press (f, "_Delete Incomplete"));
  sign_in (f);
  wait_for (f, idle, 10);

  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (f->org)), ==, 0);
  g_assert_cmpstr (_ba_applications_manager_get_status (f->manager), ==,
                   "Deleted 1 of 1 applications from Microsoft Entra ID and the backup configuration.");
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_deleted_applications (f->org)), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (deleted_button (f)));
}

static void
test_remove_many (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a_id = add_tenant_application (f, "First");
  g_autofree char *b_id = add_tenant_application (f, "Second");
  g_autofree char *c_id = add_tenant_application (f, "Third");
  g_autoptr(BaBackupApplication) a = add_pool_application (f, a_id, "First", f->registered);
  g_autoptr(BaBackupApplication) b = add_pool_application (f, b_id, "Second", f->registered);
  g_autoptr(BaBackupApplication) c = add_pool_application (f, c_id, "Third", f->registered);
  AdwMessageDialog *dialog;
  guint n_apps = ba_graph_emulator_count_applications (f->emulator);
  g_autoptr(BaBackupApplication) left = NULL;

  open_manager (f);
  select_rows (f, a, c, NULL);
  g_assert_true (press (f, "_Remove…"));
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove 2 Applications?");
  gtk_widget_activate (GTK_WIDGET (_ba_applications_manager_get_dialog_check (f->manager)));
  ba_test_iterate ();
  g_assert_true (ba_test_press (GTK_WIDGET (dialog), "_Remove"));
  sign_in (f);
  wait_for (f, idle, 10);

  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (f->org)), ==, 1);
  left = g_list_model_get_item (ba_organization_get_applications (f->org), 0);
  g_assert_true (left == b);
  g_assert_null (ba_graph_emulator_lookup_application (f->emulator, a_id));
  g_assert_null (ba_graph_emulator_lookup_application (f->emulator, c_id));
  g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, b_id));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, n_apps - 2);
  g_assert_nonnull (strstr (_ba_applications_manager_get_status (f->manager), "Deleted 2 of 2"));
  wait_saved_count (f, 1);
}

static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *good_id = add_tenant_application (f, "Good Key");
  g_autofree char *bad_id = add_tenant_application (f, "Wrong Key");
  g_autoptr(BaBackupApplication) good = add_pool_application (f, good_id, "Good Key", f->registered);
  /* The pool says the other certificate, which the tenant never saw. */
  g_autoptr(BaBackupApplication) bad = add_pool_application (f, bad_id, "Wrong Key", f->other);
  GtkWidget *cell;

  open_manager (f);
  g_assert_null (ba_backup_application_get_last_verified (good));

  select_rows (f, good, bad, NULL);
  g_assert_true (press (f, "_Verify"));
  wait_for (f, idle, 20);

  g_assert_nonnull (ba_backup_application_get_last_verified (good));
  g_assert_null (ba_backup_application_get_verification_error (good));
  g_assert_nonnull (find_cell (f, "Ready, verified "));

  g_assert_null (ba_backup_application_get_last_verified (bad));
  g_assert_nonnull (ba_backup_application_get_verification_error (bad));
  cell = find_cell (f, "Verification failed: ");
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_has_css_class (cell, "error"));
  g_assert_nonnull (strstr (_ba_applications_manager_get_status (f->manager), "1 of 2 applications could not be verified"));
  /* App-only: no administrator needed. */
  g_assert_cmpuint (count_device_codes (f), ==, 0);
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) der = ba_certificate_get_der (f->registered);
  /* An interrupted run: the application exists, nothing after it. */
  g_autofree char *app_id = ba_graph_emulator_add_application (f->emulator, "Half Done", der, FALSE, NULL);
  g_autoptr(BaBackupApplication) app = add_pool_application (f, app_id, "Half Done", f->registered);
  /* And one whose run failed at its service principal: the run's summary
   * says to resume it. */
  g_autofree char *failed_id = ba_graph_emulator_add_application (f->emulator, "Failed Once", der, FALSE, NULL);
  g_autoptr(BaBackupApplication) failed = add_pool_application (f, failed_id, "Failed Once", f->registered);
  GtkWidget *bar;
  JsonObject *sp;
  guint n_apps = ba_graph_emulator_count_applications (f->emulator);

  ba_backup_application_set_state (app, BA_PROVISIONING_STATE_APPLICATION_CREATED);
  ba_backup_application_set_state (failed, BA_PROVISIONING_STATE_FAILED);
  ba_backup_application_set_failure_reason (failed, "The service is busy.");
  g_assert_null (ba_graph_emulator_lookup_service_principal (f->emulator, app_id));
  open_manager (f);

  bar = manager_child (f, "incomplete_bar");
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (bar)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (manager_child (f, "incomplete_label"))), ==,
                   "2 applications were not finished: their run was interrupted or failed. Resume them, or delete them from Microsoft Entra ID.");
  g_assert_nonnull (find_cell (f, "Incomplete: needs its service principal"));
  g_assert_nonnull (find_cell (f, "Failed: The service is busy."));
  g_assert_true (gtk_widget_has_css_class (find_cell (f, "Failed: "), "error"));

  g_assert_true (press (f, "_Resume"));
  sign_in (f);
  wait_for (f, idle, 20);

  g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
  g_assert_cmpstr (_ba_applications_manager_get_status (f->manager), ==, "The incomplete applications are ready.");
  sp = ba_graph_emulator_lookup_service_principal (f->emulator, app_id);
  g_assert_nonnull (sp);
  g_assert_cmpstr (ba_backup_application_get_service_principal_id (app), ==, json_object_get_string_member (sp, "id"));
  g_assert_cmpuint (ba_graph_emulator_count_app_role_assignments (f->emulator, json_object_get_string_member (sp, "id")), ==, 3);
  g_assert_cmpint (ba_backup_application_get_state (failed), ==, BA_PROVISIONING_STATE_READY);
  g_assert_nonnull (ba_graph_emulator_lookup_service_principal (f->emulator, failed_id));
  /* Continued from the recorded ids, nothing created twice. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, n_apps);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/v1.0/applications"), ==, 0);
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_nonnull (find_cell (f, "Ready"));
}

static void
test_accessibility (Fixture       *f,
                    gconstpointer  data)
{
  static const struct {
    const char *label;
    const char *accessible;
  } buttons[] = {
    { "_Add…", "Add…" },
    { "_Create…", "Create…" },
    { "_Update Certificate…", "Update Certificate…" },
    { "_Verify", "Verify" },
    { "_Remove…", "Remove…" },
    { "_Resume", "Resume" },
    { "_Delete Incomplete", "Delete Incomplete" },
    { DELETED_BUTTON, "Deleted Applications…" },
  };
  /* Something incomplete, for the Resume and Delete buttons to show. */
  g_autoptr(BaBackupApplication) app = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                                                     "display-name", "Never Created",
                                                     "creation-tag", "ba-test-tag",
                                                     "state", BA_PROVISIONING_STATE_CREATING,
                                                     NULL);

  ba_organization_add_application (f->org, app);
  open_manager (f);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *button = ba_test_find_button (GTK_WIDGET (f->manager), buttons[i].label);

      g_assert_nonnull (button);
      gtk_test_accessible_assert_role (button, GTK_ACCESSIBLE_ROLE_BUTTON);
      gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, buttons[i].accessible);
      /* What it does, for a screen reader as the tooltip says. */
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
    }

  gtk_test_accessible_assert_property (manager_child (f, "column_view"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Backup applications");
  gtk_test_accessible_assert_property (manager_child (f, "policy_label"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Microsoft policy");
  gtk_test_accessible_assert_property (manager_child (f, "spinner"), GTK_ACCESSIBLE_PROPERTY_LABEL, "Working");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ba_test_gtk_init (&argc, &argv);
  registered_certificate = ba_test_generate_certificate ("Manager Registered");
  other_certificate = ba_test_generate_certificate ("Manager Other");

#define ADD(path, func) \
  g_test_add ("/ba/applications-manager/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("list", test_list);
  ADD ("add", test_add);
  ADD ("update-certificate", test_update_certificate);
  ADD ("remove", test_remove);
  ADD ("remove-many", test_remove_many);
  ADD ("deleted-record", test_deleted_record);
  ADD ("deleted-list", test_deleted_list);
  ADD ("delete-incomplete", test_delete_incomplete);
  ADD ("verify", test_verify);
  ADD ("resume", test_resume);
  ADD ("accessibility", test_accessibility);

  status = g_test_run ();
  g_clear_object (&registered_certificate);
  g_clear_object (&other_certificate);

  return status;
}
