/* test-create-application-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>

#include "ba-create-application-assistant.h"
#include "ba-create-application-count-page.h"
#include "ba-create-application-name-page.h"
#include "ba-create-application-progress-page.h"
#include "ba-create-application-summary-page.h"
#include "ba-graph-emulator.h"
#include "ba-sign-in-page.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-gtk-utils.h"
#include "ba-test-utils.h"

/* The real wizard against the emulator, stepped as an admin would. */

enum {
  PAGE_NAME,
  PAGE_COUNT,
  PAGE_SIGN_IN,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

typedef struct
{
  BaGraphEmulator *emulator;
  BaStore *store;
  BaOrganization *org;
  BaCertificateStore *certificates;
  BaCertificate *certificate;
  BaCreateApplicationAssistant *wizard;
  GtkAssistant *assistant;
  gboolean done;
  gboolean result;
  GError *error;
} Fixture;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;

  f->result = ba_create_application_assistant_run_finish (BA_CREATE_APPLICATION_ASSISTANT (object), result, &f->error);
  f->done = TRUE;
}

typedef gboolean (*Condition) (Fixture *f);

static void
wait_for (Fixture   *f,
          Condition  condition,
          guint      seconds)
{
  ba_test_wait_until ((BaTestCondition) condition, f, seconds);
}

static BaCertificate *
make_certificate (Fixture *f)
{
  g_autoptr(BaCertificate) generated = ba_test_generate_certificate ("Backup Pool Test");
  g_autoptr(GError) error = NULL;
  BaCertificate *stored;

  stored = ba_certificate_store_add (f->certificates, generated, &error);
  g_assert_no_error (error);

  return stored;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->emulator = ba_test_emulator_new (NULL);
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);

  path = g_build_filename (g_get_user_config_dir (), "backup-access-test.json", NULL);
  f->store = ba_store_new (path);
  f->org = ba_organization_new (ba_graph_emulator_get_tenant_id (f->emulator), "Contoso");
  ba_organization_set_auth_type (f->org, BA_AUTH_TYPE_MODERN_APP_ONLY);
  ba_organization_set_services (f->org, BA_SERVICE_SHAREPOINT);
  g_assert_true (ba_store_add_organization (f->store, f->org, &error));
  g_assert_no_error (error);

  f->certificates = ba_certificate_store_new (NULL, FALSE);
  f->certificate = g_object_ref (make_certificate (f));

  /* Preferences → "Applications created at the same time", as it is when
   * the wizard opens. */
  if (data != NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);

      g_assert_true (g_settings_set_int (settings, "max-concurrent-applications", GPOINTER_TO_INT (data)));
    }

  f->wizard = ba_create_application_assistant_new (NULL, f->store, f->org, f->certificates);
  f->assistant = _ba_create_application_assistant_get_assistant (f->wizard);
  _ba_sign_in_page_set_interval_ms (BA_SIGN_IN_PAGE (_ba_create_application_assistant_get_page (f->wizard, "sign_in_page")), 20);
  ba_create_application_assistant_run_async (f->wizard, NULL, run_cb, f);
  ba_test_wait_mapped (GTK_WIDGET (f->assistant));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wizard);
  ba_test_iterate ();
  g_clear_error (&f->error);
  g_clear_object (&f->certificate);
  g_clear_object (&f->certificates);
  g_clear_object (&f->org);
  ba_test_store_settle (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->emulator);
  g_setenv ("BA_AUTHORITY_URL", "", TRUE);
  g_setenv ("BA_GRAPH_URL", "", TRUE);
  if (data != NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);

      g_settings_reset (settings, "max-concurrent-applications");
    }
}

static GtkWidget *
page (Fixture    *f,
      const char *id)
{
  return _ba_create_application_assistant_get_page (f->wizard, id);
}

static GtkWidget *
child (Fixture    *f,
       const char *page_id,
       GType       type,
       const char *name)
{
  return ba_test_template_child (page (f, page_id), type, name);
}

static gboolean
page_complete (Fixture    *f,
               const char *id)
{
  return ba_test_page_complete (f->assistant, page (f, id));
}

static gboolean
press (Fixture    *f,
       const char *label)
{
  return ba_test_press (GTK_WIDGET (f->assistant), label);
}

static void
wait_for_page (Fixture *f,
               int      index,
               guint    seconds)
{
  ba_test_wait_for_page (f->assistant, index, &f->done, seconds);
}

static gboolean
signed_in (Fixture *f)
{
  return page_complete (f, "sign_in_page");
}

static void
fill_name (Fixture    *f,
           const char *name)
{
  GtkWidget *entry = child (f, "name_page", BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "name_entry");

  g_assert_false (page_complete (f, "name_page"));
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  ba_test_iterate ();
  /* A name alone is not enough: the applications need a certificate. */
  g_assert_false (page_complete (f, "name_page"));
  /* What "Install…" does once the Select Certificate wizard finishes. */
  ba_create_application_name_page_set_certificate (BA_CREATE_APPLICATION_NAME_PAGE (page (f, "name_page")),
                                                   f->certificate);
  g_assert_true (page_complete (f, "name_page"));
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_COUNT, 5);
}

static void
choose_count (Fixture  *f,
              guint     count,
              gboolean  accept)
{
  GtkWidget *many = child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "many_check");
  GtkWidget *spin = child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "count_spin");
  GtkWidget *accept_check = child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "accept_check");

  /* The count field stays insensitive until the box is ticked. */
  g_assert_false (gtk_widget_get_sensitive (spin));
  g_assert_true (page_complete (f, "count_page"));

  if (count > 1)
    {
      gtk_check_button_set_active (GTK_CHECK_BUTTON (many), TRUE);
      ba_test_iterate ();
      g_assert_true (gtk_widget_get_sensitive (spin));
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), count);
      ba_test_iterate ();
      /* More than one needs the acknowledgement. */
      g_assert_false (page_complete (f, "count_page"));
      g_assert_true (gtk_widget_get_visible (child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "accept_hint")));
      if (accept)
        {
          gtk_check_button_set_active (GTK_CHECK_BUTTON (accept_check), TRUE);
          ba_test_iterate ();
          g_assert_true (page_complete (f, "count_page"));
        }
    }
}

static void
sign_in (Fixture *f)
{
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_APPROVED, NULL);
  g_assert_true (press (f, "_Next"));
  wait_for_page (f, PAGE_SIGN_IN, 5);
  wait_for (f, signed_in, 10);
}

static void
assert_created (Fixture *f,
                guint    count)
{
  GListModel *apps = ba_organization_get_applications (f->org);
  BaCreateApplicationProgressPage *progress = BA_CREATE_APPLICATION_PROGRESS_PAGE (page (f, "progress_page"));
  g_autoptr(BaStore) reloaded = ba_store_new (ba_store_get_path (f->store));
  g_autoptr(GError) error = NULL;
  BaOrganization *org;

  g_assert_cmpuint (g_list_model_get_n_items (apps), ==, count);
  g_assert_cmpuint (ba_create_application_progress_page_get_n_rows (progress), ==, count);
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, count);

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);
      const char *app_id = ba_backup_application_get_app_id (app);

      g_assert_cmpint (ba_backup_application_get_state (app), ==, BA_PROVISIONING_STATE_READY);
      g_assert_cmpint (ba_backup_application_get_origin (app), ==, BA_APPLICATION_ORIGIN_CREATED);
      g_assert_cmpstr (ba_backup_application_get_display_name (app), ==, "Backup Pool");
      g_assert_cmpstr (ba_backup_application_get_certificate_thumbprint (app), ==,
                       ba_certificate_get_sha1_thumbprint (f->certificate));
      g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, app_id));
      g_assert_nonnull (ba_graph_emulator_lookup_service_principal (f->emulator, app_id));
      g_assert_nonnull (ba_create_application_progress_page_get_step (progress, app));
    }

  /* Saved: a second reader sees the pool. */
  g_assert_true (ba_store_load (reloaded, &error));
  g_assert_no_error (error);
  org = ba_store_find_organization (reloaded, ba_organization_get_tenant_id (f->org));
  g_assert_nonnull (org);
  g_assert_cmpuint (g_list_model_get_n_items (ba_organization_get_applications (org)), ==, count);
}

static void
test_create_one (Fixture       *f,
                 gconstpointer  data)
{
  fill_name (f, "Backup Pool");
  choose_count (f, 1, FALSE);
  sign_in (f);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY, 30);
  assert_created (f, 1);
  g_assert_nonnull (strstr (ba_create_application_summary_page_get_title (BA_CREATE_APPLICATION_SUMMARY_PAGE (page (f, "summary_page"))),
                            "1 application was created"));
  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 5);
  g_assert_no_error (f->error);
  g_assert_true (f->result);
}

static void
test_create_three (Fixture       *f,
                   gconstpointer  data)
{
  GListModel *apps = ba_organization_get_applications (f->org);

  fill_name (f, "Backup Pool");
  choose_count (f, 3, TRUE);
  sign_in (f);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY, 30);
  assert_created (f, 3);

  /* Same name, distinct ids. */
  {
    g_autoptr(BaBackupApplication) a = g_list_model_get_item (apps, 0);
    g_autoptr(BaBackupApplication) b = g_list_model_get_item (apps, 1);
    g_autoptr(BaBackupApplication) c = g_list_model_get_item (apps, 2);

    g_assert_cmpstr (ba_backup_application_get_app_id (a), !=, ba_backup_application_get_app_id (b));
    g_assert_cmpstr (ba_backup_application_get_app_id (b), !=, ba_backup_application_get_app_id (c));
    g_assert_cmpstr (ba_backup_application_get_app_id (a), !=, ba_backup_application_get_app_id (c));
  }

  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 5);
  g_assert_true (f->result);
}

/* Run with the preference at 2: never more than two applications are
 * being made at once, as the emulator sees it. */
static void
test_concurrency_from_preferences (Fixture       *f,
                                   gconstpointer  data)
{
  fill_name (f, "Backup Pool");
  choose_count (f, 5, TRUE);
  sign_in (f);
  ba_graph_emulator_set_latency (f->emulator, 30);
  ba_graph_emulator_clear_requests (f->emulator);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY, 60);
  assert_created (f, 5);
  g_assert_cmpuint (ba_graph_emulator_get_peak_in_flight (f->emulator), ==, 2);
  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 5);
  g_assert_true (f->result);
}

static void
test_many_needs_acknowledgement (Fixture       *f,
                                 gconstpointer  data)
{
  GtkWidget *next;

  fill_name (f, "Backup Pool");
  choose_count (f, 5, FALSE);
  /* Blocked: Next is insensitive, and nothing was asked of Graph. */
  next = ba_test_find_button (GTK_WIDGET (f->assistant), "_Next");
  g_assert_nonnull (next);
  g_assert_false (gtk_widget_is_sensitive (next));
  g_assert_false (ba_test_click (next));
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_COUNT);
  g_assert_cmpuint (ba_create_application_count_page_get_count (BA_CREATE_APPLICATION_COUNT_PAGE (page (f, "count_page"))), ==, 5);
  g_assert_false (ba_create_application_count_page_get_accept_policy (BA_CREATE_APPLICATION_COUNT_PAGE (page (f, "count_page"))));

  /* Unticking the box goes back to one, which needs no acknowledgement. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "many_check")), FALSE);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "count_page"));
  g_assert_false (gtk_widget_get_sensitive (child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "count_spin")));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 0);

  /* The spin button holds 1..100 only. */
  {
    GtkSpinButton *spin = GTK_SPIN_BUTTON (child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "count_spin"));

    gtk_spin_button_set_value (spin, 101);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 100);
    gtk_spin_button_set_value (spin, 0);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 1);
  }
}

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  fill_name (f, "Backup Pool");
  g_assert_true (press (f, "_Cancel"));
  ba_test_wait_done (&f->done, 5);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->assistant)));
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), ==, 0);
}

static gboolean
some_created (Fixture *f)
{
  return ba_graph_emulator_count_applications (f->emulator) >= 1;
}

static void
test_cancel_during_progress (Fixture       *f,
                             gconstpointer  data)
{
  GListModel *apps = ba_organization_get_applications (f->org);

  ba_graph_emulator_set_latency (f->emulator, 30);
  _ba_create_application_assistant_set_concurrency (f->wizard, 1);
  fill_name (f, "Backup Pool");
  choose_count (f, 20, TRUE);
  sign_in (f);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_PROGRESS, 5);
  wait_for (f, some_created, 20);

  /* The progress page's own Cancel. */
  g_assert_true (press (f, "_Cancel"));
  wait_for_page (f, PAGE_SUMMARY, 30);
  ba_graph_emulator_set_latency (f->emulator, 0);

  /* Stopped early, and every application that exists is recorded. */
  g_assert_cmpuint (ba_graph_emulator_count_applications (f->emulator), <, 20);
  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

      if (ba_backup_application_get_app_id (app) != NULL)
        g_assert_nonnull (ba_graph_emulator_lookup_application (f->emulator, ba_backup_application_get_app_id (app)));
    }
  {
    guint recorded = 0;

    for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
      {
        g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

        if (ba_backup_application_get_app_id (app) != NULL)
          recorded++;
      }
    g_assert_cmpuint (recorded, ==, ba_graph_emulator_count_applications (f->emulator));
  }
  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 5);
}

static void
test_install_opens_select_certificate (Fixture       *f,
                                       gconstpointer  data)
{
  GtkWidget *install = child (f, "name_page", BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "install_button");
  BaSelectCertificateAssistant *chooser;

  g_assert_true (ba_test_click (install));
  ba_test_iterate ();
  chooser = _ba_create_application_assistant_get_certificate_assistant (f->wizard);
  g_assert_nonnull (chooser);
  ba_test_wait_mapped (GTK_WIDGET (_ba_select_certificate_assistant_get_assistant (chooser)));
  /* Cancelling it leaves the page without a certificate. */
  gtk_window_close (GTK_WINDOW (_ba_select_certificate_assistant_get_assistant (chooser)));
  ba_test_iterate ();
  g_assert_null (ba_create_application_name_page_get_certificate (BA_CREATE_APPLICATION_NAME_PAGE (page (f, "name_page"))));
}

static void
test_accessibility (Fixture       *f,
                    gconstpointer  data)
{
  gtk_test_accessible_assert_property (page (f, "name_page"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Application Name and Certificate");
  gtk_test_accessible_assert_property (page (f, "count_page"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Number of Applications");
  gtk_test_accessible_assert_property (child (f, "count_page", BA_TYPE_CREATE_APPLICATION_COUNT_PAGE, "count_spin"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Number of applications");
  gtk_test_accessible_assert_property (child (f, "name_page", BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "install_button"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Choose the certificate");
  gtk_test_accessible_assert_relation (child (f, "name_page", BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "name_entry"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       gtk_widget_get_prev_sibling (child (f, "name_page", BA_TYPE_CREATE_APPLICATION_NAME_PAGE, "name_entry")),
                                       NULL);
  gtk_test_accessible_assert_property (child (f, "progress_page", BA_TYPE_CREATE_APPLICATION_PROGRESS_PAGE, "progress_bar"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Applications finished");
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/create-application-assistant/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("create-one", test_create_one);
  ADD ("create-three", test_create_three);
  g_test_add ("/ba/create-application-assistant/concurrency-from-preferences", Fixture, GINT_TO_POINTER (2),
              fixture_setup, test_concurrency_from_preferences, fixture_teardown);
  ADD ("many-needs-acknowledgement", test_many_needs_acknowledgement);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("cancel-during-progress", test_cancel_during_progress);
  ADD ("install-opens-select-certificate", test_install_opens_select_certificate);
  ADD ("accessibility", test_accessibility);

  return g_test_run ();
}
