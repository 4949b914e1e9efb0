/* test-select-certificate-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ba-certificate-generate-page.h"
#include "ba-certificate-import-page.h"
#include "ba-certificate-list-page.h"
#include "ba-certificate-source-page.h"
#include "ba-select-certificate-assistant.h"
#include "ba-test-gtk-utils.h"

enum {
  PAGE_SOURCE,
  PAGE_GENERATE,
  PAGE_STORE,
  PAGE_IMPORT,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

typedef struct
{
  BaCertificateStore *store;
  BaSelectCertificateAssistant *wizard;
  GtkAssistant *assistant;
  gboolean done;
  BaCertificate *result;
  GError *error;
  char *tmpdir;
} Fixture;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;

  f->result = ba_select_certificate_assistant_run_finish (BA_SELECT_CERTIFICATE_ASSISTANT (object), result, &f->error);
  f->done = TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("ba-wizard-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = ba_certificate_store_new (NULL, FALSE);
  f->wizard = ba_select_certificate_assistant_new (NULL, f->store);
  f->assistant = _ba_select_certificate_assistant_get_assistant (f->wizard);
  ba_select_certificate_assistant_run_async (f->wizard, NULL, run_cb, f);
  ba_test_wait_mapped (GTK_WIDGET (f->assistant));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wizard);
  ba_test_iterate ();
  g_clear_object (&f->result);
  g_clear_error (&f->error);
  g_clear_object (&f->store);
  remove_tree (f->tmpdir);
  g_free (f->tmpdir);
}

static GtkWidget *
page (Fixture    *f,
      const char *id)
{
  return _ba_select_certificate_assistant_get_page (f->wizard, id);
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
               int      index)
{
  ba_test_wait_for_page (f->assistant, index, &f->done, 120);
}

static guint
count_key_files (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (ba_certificate_store_get_key_directory (f->store), 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
choose_source (Fixture             *f,
               BaCertificateSource  source)
{
  static const char *buttons[] = { "generate_button", "store_button", "import_button" };
  GtkWidget *button = child (f, "source_page", BA_TYPE_CERTIFICATE_SOURCE_PAGE, buttons[source]);

  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_SOURCE);
  /* A click on a radio button activates it. */
  gtk_widget_activate (button);
  ba_test_iterate ();
  g_assert_cmpint (ba_certificate_source_page_get_source (BA_CERTIFICATE_SOURCE_PAGE (page (f, "source_page"))), ==, source);
  g_assert_true (press (f, "_Next"));
}

static void
assert_signs (BaCertificate *certificate)
{
  g_autoptr(GBytes) data = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  signature = ba_certificate_sign (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, &error);
  g_assert_no_error (error);
  g_assert_true (ba_certificate_verify (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, data, signature, &error));
  g_assert_no_error (error);
}

static char *
make_pfx (Fixture    *f,
          const char *name,
          const char *password)
{
  g_autofree char *key = g_build_filename (f->tmpdir, "key.pem", NULL);
  g_autofree char *crt = g_build_filename (f->tmpdir, "crt.pem", NULL);
  g_autofree char *pfx = g_strdup_printf ("%s/%s.pfx", f->tmpdir, name);
  g_autofree char *subject = g_strdup_printf ("/CN=%s", name);
  g_autofree char *passout = g_strdup_printf ("pass:%s", password);
  g_autoptr(GError) error = NULL;
  int status = -1;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "30", "-subj", subject, NULL };
  const char *export[] = { "openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-out", pfx,
                           "-passout", passout, NULL };

  g_spawn_sync (NULL, (char **)req, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_spawn_sync (NULL, (char **)export, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return g_steal_pointer (&pfx);
}

/* Generate */

static void
test_generate (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *name = child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry");
  GtkWidget *name_error = child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_error");

  choose_source (f, BA_CERTIFICATE_SOURCE_GENERATE);
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_GENERATE);

  /* Nothing typed: the wizard cannot go on, and it is not yet an error. */
  g_assert_false (page_complete (f, "generate_page"));
  g_assert_false (gtk_widget_get_visible (name_error));

  /* A name too long for a certificate is refused next to the field. */
  ba_test_type_text (name, "A name that is far too long for the common name of a certificate, really far too long");
  g_assert_false (page_complete (f, "generate_page"));
  g_assert_true (gtk_widget_get_visible (name_error));
  gtk_test_accessible_assert_property (name, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       gtk_label_get_text (GTK_LABEL (name_error)));

  ba_test_type_text (name, "Backup Access Wizard Test");
  g_assert_true (page_complete (f, "generate_page"));
  g_assert_false (gtk_widget_get_visible (name_error));

  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_false (f->done);
  /* The key went into the store: a certificate and its encrypted key. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 1);
  g_assert_cmpuint (count_key_files (f), ==, 2);

  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 30);
  g_assert_no_error (f->error);
  g_assert_nonnull (f->result);
  g_assert_cmpstr (ba_certificate_get_common_name (f->result), ==, "Backup Access Wizard Test");
  g_assert_cmpuint (ba_certificate_get_key_bits (f->result), ==, 2048);
  g_assert_cmpint (ba_certificate_get_key_location (f->result), ==, BA_KEY_LOCATION_KEY_STORE);
  assert_signs (f->result);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->assistant)));
}

static void
test_generate_cancel_during_progress (Fixture       *f,
                                      gconstpointer  data)
{
  GtkWidget *name = child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry");
  GtkDropDown *bits = GTK_DROP_DOWN (child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "bits_dropdown"));

  choose_source (f, BA_CERTIFICATE_SOURCE_GENERATE);
  ba_test_type_text (name, "Cancelled");
  /* A 4096-bit key takes long enough to cancel in the middle. */
  gtk_drop_down_set_selected (bits, 2);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_PROGRESS);
  g_assert_true (press (f, "_Cancel"));
  ba_test_wait_done (&f->done, 30);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (f->result);

  /* Whatever the key generation thread finishes later is not kept. */
  {
    gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (count_key_files (f), ==, 0);
  g_assert_true (ba_certificate_store_refresh (f->store, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 0);
}

static void
test_cancel_leaves_nothing (Fixture       *f,
                            gconstpointer  data)
{
  choose_source (f, BA_CERTIFICATE_SOURCE_GENERATE);
  ba_test_type_text (child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry"), "Kept Only If Closed");
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_cmpuint (count_key_files (f), ==, 2);

  /* Closing the window on the summary is a cancel: the new key goes again. */
  gtk_window_close (GTK_WINDOW (f->assistant));
  ba_test_wait_done (&f->done, 30);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (count_key_files (f) > 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (count_key_files (f), ==, 0);
}

/* Import */

static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *pfx = make_pfx (f, "Imported Test", "correct horse");
  g_autoptr(GFile) file = g_file_new_for_path (pfx);
  BaCertificateImportPage *import = BA_CERTIFICATE_IMPORT_PAGE (page (f, "import_page"));
  GtkWidget *password = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "password_entry");
  GtkWidget *password_error = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "password_error");
  GtkWidget *file_error = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "file_error");

  choose_source (f, BA_CERTIFICATE_SOURCE_IMPORT);
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_IMPORT);
  g_assert_false (page_complete (f, "import_page"));

  /* What choosing the file in the file chooser does. */
  ba_certificate_import_page_set_file (import, file);
  g_assert_true (page_complete (f, "import_page"));

  /* A wrong password comes back next to the password field. */
  ba_test_type_text (password, "wrong");
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_IMPORT);
  g_assert_true (gtk_widget_get_visible (password_error));
  g_assert_false (gtk_widget_get_visible (file_error));
  g_assert_true (gtk_widget_has_css_class (password, "error"));
  g_assert_cmpuint (count_key_files (f), ==, 0);

  /* Fixed, the import goes through. */
  ba_test_type_text (password, "correct horse");
  g_assert_false (gtk_widget_get_visible (password_error));
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 30);
  g_assert_no_error (f->error);
  g_assert_cmpstr (ba_certificate_get_common_name (f->result), ==, "Imported Test");
  g_assert_cmpint (ba_certificate_get_key_location (f->result), ==, BA_KEY_LOCATION_KEY_STORE);
  assert_signs (f->result);
}

static void
test_import_not_a_pfx (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "notes.pfx", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *file_error = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "file_error");
  GtkWidget *password_error = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "password_error");
  GtkWidget *browse = child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "browse_button");

  g_assert_true (g_file_set_contents (path, "these are not the bytes of a PFX file", -1, NULL));

  choose_source (f, BA_CERTIFICATE_SOURCE_IMPORT);
  ba_certificate_import_page_set_file (BA_CERTIFICATE_IMPORT_PAGE (page (f, "import_page")), file);
  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_IMPORT);

  /* The trouble is the file, so the message stands under the file. */
  g_assert_true (gtk_widget_get_visible (file_error));
  g_assert_false (gtk_widget_get_visible (password_error));
  gtk_test_accessible_assert_property (browse, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       gtk_label_get_text (GTK_LABEL (file_error)));
  g_assert_false (f->done);

  /* A missing file says so too. */
  {
    g_autofree char *gone = g_build_filename (f->tmpdir, "gone.pfx", NULL);
    g_autoptr(GFile) missing = g_file_new_for_path (gone);

    ba_certificate_import_page_set_file (BA_CERTIFICATE_IMPORT_PAGE (page (f, "import_page")), missing);
    g_assert_false (gtk_widget_get_visible (file_error));
    g_assert_true (press (f, "_Apply"));
    wait_for_page (f, PAGE_IMPORT);
    g_assert_true (gtk_widget_get_visible (file_error));
  }
}

/* Store */

static void
test_select_from_store (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *pfx = make_pfx (f, "Stored Before", "pw");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(BaCertificate) imported = NULL;
  g_autoptr(BaCertificate) stored = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBox *list = GTK_LIST_BOX (child (f, "list_page", BA_TYPE_CERTIFICATE_LIST_PAGE, "certificate_list"));
  GtkListBoxRow *row;

  {
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (pfx, &contents, &len, NULL));
    bytes = g_bytes_new (contents, len);
  }
  imported = ba_certificate_import_pkcs12 (bytes, "pw", &error);
  g_assert_no_error (error);
  stored = ba_certificate_store_add (f->store, imported, &error);
  g_assert_no_error (error);

  choose_source (f, BA_CERTIFICATE_SOURCE_STORE);
  g_assert_cmpint (gtk_assistant_get_current_page (f->assistant), ==, PAGE_STORE);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (gtk_list_box_get_row_at_index (list, 0) == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            ba_certificate_get_sha1_thumbprint (stored)));

  /* Keyboard focus may land on the row and select it, as GtkListBox does;
   * with nothing selected the page cannot go on. */
  gtk_list_box_unselect_all (list);
  ba_test_iterate ();
  g_assert_false (page_complete (f, "list_page"));
  gtk_list_box_select_row (list, row);
  ba_test_iterate ();
  g_assert_true (page_complete (f, "list_page"));

  g_assert_true (press (f, "_Apply"));
  wait_for_page (f, PAGE_SUMMARY);
  g_assert_true (press (f, "_Close"));
  ba_test_wait_done (&f->done, 30);
  g_assert_no_error (f->error);
  g_assert_cmpstr (ba_certificate_get_sha1_thumbprint (f->result), ==, ba_certificate_get_sha1_thumbprint (stored));
  assert_signs (f->result);
}

static void
test_cancel_at_start (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_true (press (f, "_Cancel"));
  ba_test_wait_done (&f->done, 30);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_key_files (f), ==, 0);
}

static void
test_accessibility (Fixture       *f,
                    gconstpointer  data)
{
  /* Every field is named for a screen reader by its visible label. */
  gtk_test_accessible_assert_relation (child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_entry"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "name_label"), NULL);
  gtk_test_accessible_assert_relation (child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "bits_dropdown"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "bits_label"), NULL);
  gtk_test_accessible_assert_relation (child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "years_spin"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "generate_page", BA_TYPE_CERTIFICATE_GENERATE_PAGE, "years_label"), NULL);
  gtk_test_accessible_assert_relation (child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "password_entry"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "password_label"), NULL);
  gtk_test_accessible_assert_property (child (f, "import_page", BA_TYPE_CERTIFICATE_IMPORT_PAGE, "browse_button"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Choose the PFX file");
  gtk_test_accessible_assert_relation (child (f, "list_page", BA_TYPE_CERTIFICATE_LIST_PAGE, "certificate_list"),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       child (f, "list_page", BA_TYPE_CERTIFICATE_LIST_PAGE, "list_label"), NULL);
  gtk_test_accessible_assert_role (child (f, "source_page", BA_TYPE_CERTIFICATE_SOURCE_PAGE, "import_button"),
                                   GTK_ACCESSIBLE_ROLE_CHECKBOX);
  gtk_test_accessible_assert_relation (child (f, "source_page", BA_TYPE_CERTIFICATE_SOURCE_PAGE, "import_button"),
                                       GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                       child (f, "source_page", BA_TYPE_CERTIFICATE_SOURCE_PAGE, "import_description"), NULL);
  gtk_test_accessible_assert_property (page (f, "source_page"), GTK_ACCESSIBLE_PROPERTY_LABEL, "Certificate Source");
}

static void
add_test (const char *path,
          void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

  add_test ("/ba/select-certificate/generate", test_generate);
  add_test ("/ba/select-certificate/generate-cancel-during-progress", test_generate_cancel_during_progress);
  add_test ("/ba/select-certificate/cancel-after-generate-leaves-nothing", test_cancel_leaves_nothing);
  add_test ("/ba/select-certificate/import", test_import);
  add_test ("/ba/select-certificate/import-not-a-pfx", test_import_not_a_pfx);
  add_test ("/ba/select-certificate/select-from-store", test_select_from_store);
  add_test ("/ba/select-certificate/cancel-at-start", test_cancel_at_start);
  add_test ("/ba/select-certificate/accessibility", test_accessibility);

  return g_test_run ();
}
