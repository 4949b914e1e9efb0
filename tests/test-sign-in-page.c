/* test-sign-in-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "ba-graph-emulator.h"
#include "ba-sign-in-page.h"
#include "ba-test-emulator-utils.h"
#include "ba-test-gtk-utils.h"

/* The real page in a window, signing in against the emulator on loopback,
 * driven as an admin would: read the code, copy it, wait, press Refresh. */

#define ADMIN_UPN "admin@contoso.onmicrosoft.com"

typedef struct
{
  BaGraphEmulator *emulator;
  GtkWidget *window;
  BaSignInPage *page;
  guint complete_notifies;
} Fixture;

static void
on_complete_notify_cb (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  Fixture *f = user_data;

  f->complete_notifies++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(BaCloud) cloud = NULL;
  g_autoptr(GError) error = NULL;

  f->emulator = ba_test_emulator_new (NULL);
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);

  cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, settings, &error);
  g_assert_no_error (error);

  f->page = BA_SIGN_IN_PAGE (ba_sign_in_page_new ());
  ba_sign_in_page_set_cloud (f->page, cloud);
  _ba_sign_in_page_set_interval_ms (f->page, 20);
  g_signal_connect (f->page, "notify::complete", G_CALLBACK (on_complete_notify_cb), f);

  f->window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  ba_test_wait_mapped (GTK_WIDGET (f->page));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer ((GtkWindow **) &f->window, gtk_window_destroy);
  ba_test_iterate ();
  g_clear_object (&f->emulator);
  g_setenv ("BA_AUTHORITY_URL", "", TRUE);
  g_setenv ("BA_GRAPH_URL", "", TRUE);
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  return ba_test_template_child (f->page, BA_TYPE_SIGN_IN_PAGE, name);
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  return gtk_label_get_text (GTK_LABEL (child (f, name)));
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (Fixture *f);

/* Runs the main loop (the page's and the emulator's) until @condition holds,
 * for at most ten seconds. */
static void
wait_for (Fixture   *f,
          Condition  condition)
{
  ba_test_wait_until ((BaTestCondition) condition, f, 10);
}

static void
run_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  guint wake_id = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
}

static gboolean
code_shown (Fixture *f)
{
  return *label_text (f, "code_label") != '\0' &&
         gtk_widget_get_sensitive (child (f, "copy_button"));
}

static gboolean
waiting (Fixture *f)
{
  return code_shown (f) && g_str_has_prefix (label_text (f, "countdown_label"), "Code valid for ");
}

static gboolean
is_complete (Fixture *f)
{
  return ba_wizard_page_get_complete (BA_WIZARD_PAGE (f->page));
}

static gboolean
failed (Fixture *f)
{
  return gtk_widget_has_css_class (child (f, "state_label"), "error");
}

static gboolean
expired (Fixture *f)
{
  return failed (f) &&
         g_str_equal (label_text (f, "countdown_label"), "The code has expired. Press Refresh for a new one.");
}

static void
assert_signed_in (Fixture *f)
{
  BaSession *session = ba_sign_in_page_get_session (f->page);
  BaSession *property = NULL;

  g_assert_true (is_complete (f));
  g_assert_cmpuint (f->complete_notifies, ==, 1);
  g_assert_nonnull (session);
  g_assert_cmpstr (ba_session_get_upn (session), ==, ADMIN_UPN);
  g_assert_cmpstr (ba_session_get_tenant_id (session), ==, ba_graph_emulator_get_tenant_id (f->emulator));
  g_object_get (f->page, "session", &property, NULL);
  g_assert_true (property == session);
  g_clear_object (&property);

  g_assert_cmpstr (label_text (f, "state_label"), ==, "Signed in as " ADMIN_UPN);
  g_assert_false (failed (f));
  g_assert_false (gtk_widget_get_sensitive (child (f, "cancel_button")));
}

static void
test_sign_in_page_success (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *link;

  ba_graph_emulator_script_polls (f->emulator,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_PENDING,
                                  BA_EMULATOR_POLL_APPROVED,
                                  NULL);
  g_assert_false (is_complete (f));

  /* The wizard shows the page: signing in starts. */
  ba_wizard_page_prepare (BA_WIZARD_PAGE (f->page));
  wait_for (f, waiting);

  g_assert_cmpstr (label_text (f, "code_label"), ==, ba_graph_emulator_get_last_user_code (f->emulator));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (child (f, "code_label"))));
  g_assert_true (gtk_widget_has_css_class (child (f, "code_label"), "title-1"));
  g_assert_true (gtk_widget_has_css_class (child (f, "code_label"), "monospace"));
  link = child (f, "link_button");
  g_assert_true (gtk_widget_get_visible (link));
  g_assert_true (g_str_has_prefix (gtk_link_button_get_uri (GTK_LINK_BUTTON (link)), "http"));
  g_assert_true (gtk_widget_get_sensitive (child (f, "cancel_button")));
  g_assert_false (is_complete (f));

  wait_for (f, is_complete);
  assert_signed_in (f);
  /* Two pendings and the approval: it polled until it was told. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token"), >=, 3);

  /* Showing the page again does not sign in again. */
  ba_wizard_page_prepare (BA_WIZARD_PAGE (f->page));
  ba_test_iterate ();
  g_assert_true (is_complete (f));
  g_assert_cmpuint (f->complete_notifies, ==, 1);
}

static void
test_sign_in_page_expiry_refresh (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *old_code = NULL;

  /* A code valid for one second, never approved. */
  ba_graph_emulator_set_device_code_times (f->emulator, 1, 1);
  ba_sign_in_page_start (f->page);
  wait_for (f, code_shown);
  old_code = g_strdup (label_text (f, "code_label"));

  wait_for (f, expired);
  g_assert_false (is_complete (f));
  g_assert_null (ba_sign_in_page_get_session (f->page));
  g_assert_false (gtk_widget_get_sensitive (child (f, "copy_button")));
  g_assert_cmpstr (label_text (f, "state_label"), !=, "");

  /* Refresh: a new code, which the admin approves. */
  ba_graph_emulator_set_device_code_times (f->emulator, 900, 1);
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_APPROVED, NULL);
  g_assert_true (ba_test_click (child (f, "refresh_button")));
  wait_for (f, waiting);
  g_assert_false (failed (f));
  g_assert_cmpstr (label_text (f, "code_label"), ==, ba_graph_emulator_get_last_user_code (f->emulator));
  g_assert_cmpstr (label_text (f, "code_label"), !=, old_code);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 2);

  wait_for (f, is_complete);
  assert_signed_in (f);
}

static void
test_sign_in_page_decline (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) response = json_object_new ();
  g_autoptr(GError) expected = NULL;

  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_PENDING, BA_EMULATOR_POLL_DECLINED, NULL);
  ba_sign_in_page_start (f->page);
  wait_for (f, failed);

  /* The advice the identity layer gives for a declined sign-in. */
  json_object_set_string_member (response, "error", "authorization_declined");
  json_object_set_string_member (response, "error_description", "AADSTS70000: The user declined.");
  expected = ba_identity_error_from_response (response);
  g_assert_error (expected, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_DECLINED);
  g_assert_cmpstr (label_text (f, "state_label"), ==, expected->message);

  g_assert_false (is_complete (f));
  g_assert_cmpuint (f->complete_notifies, ==, 0);
  g_assert_null (ba_sign_in_page_get_session (f->page));
  g_assert_false (gtk_widget_get_sensitive (child (f, "cancel_button")));
  g_assert_true (gtk_widget_get_sensitive (child (f, "refresh_button")));
}

static void
test_sign_in_page_cancel (Fixture       *f,
                          gconstpointer  data)
{
  guint polls;

  ba_sign_in_page_start (f->page);
  wait_for (f, waiting);
  run_for (100);
  g_assert_true (ba_test_click (child (f, "cancel_button")));

  polls = ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token");
  g_assert_cmpuint (polls, >=, 1);
  /* Polling stopped at once: no request in five intervals' time. */
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  run_for (150);
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/token"), ==, polls);

  g_assert_false (is_complete (f));
  g_assert_false (gtk_widget_get_sensitive (child (f, "cancel_button")));
  g_assert_cmpstr (label_text (f, "code_label"), ==, "");
  g_assert_cmpstr (label_text (f, "state_label"), ==, "Signing in was cancelled. Press Refresh for a new code.");
}

typedef struct
{
  char *text;
  gboolean done;
} ReadData;

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  data->done = TRUE;
}

static void
test_sign_in_page_copy_code (Fixture       *f,
                             gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->page));
  ReadData read = { NULL, FALSE };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  ba_sign_in_page_start (f->page);
  wait_for (f, waiting);
  g_assert_false (gtk_widget_get_visible (child (f, "copied_label")));

  g_assert_true (ba_test_click (child (f, "copy_button")));
  g_assert_true (gtk_widget_get_visible (child (f, "copied_label")));

  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &read);
  while (!read.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpstr (read.text, ==, ba_graph_emulator_get_last_user_code (f->emulator));
  g_free (read.text);
}

static void
test_sign_in_page_accessible (Fixture       *f,
                              gconstpointer  data)
{
  static const struct {
    const char *child;
    const char *label;
  } labels[] = {
    { "copy_button", "Copy the sign-in code" },
    { "refresh_button", "Get a new sign-in code" },
    { "link_button", "Open the sign-in page in the browser" },
    { "copy_link_button", "Copy the sign-in link" },
    { "stay_check", "Stay signed in" },
    { "browser_button", "Sign in with the browser instead" },
    { "cancel_button", "Cancel signing in" },
  };
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autofree char *client_id = g_settings_get_string (settings, "sign-in-client-id");
  g_autofree char *shown = g_strdup_printf ("Signs in with the application ID %s", client_id);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_test_message ("%s", labels[i].child);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, labels[i].child)),
                                           GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           labels[i].label);
    }
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (f->page), GTK_ACCESSIBLE_PROPERTY_LABEL, "Sign In");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, "code_label")), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "The code to enter on the sign-in page");

  /* The labels read out what they show: the code, the state. */
  ba_sign_in_page_start (f->page);
  wait_for (f, waiting);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, "code_label")), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       ba_graph_emulator_get_last_user_code (f->emulator));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, "state_label")), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Waiting for you to sign in…");

  /* The sign-in client is named, from the settings unless given. */
  g_assert_cmpstr (label_text (f, "client_id_label"), ==, shown);
  ba_sign_in_page_set_client_id (f->page, "00000000-1111-2222-3333-444444444444");
  g_assert_cmpstr (label_text (f, "client_id_label"), ==,
                   "Signs in with the application ID 00000000-1111-2222-3333-444444444444");
}

static void
test_sign_in_page_stay_signed_in (Fixture       *f,
                                  gconstpointer  data)
{
  BaSession *session;

  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "stay_check")), TRUE);
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_sign_in_page_start (f->page);
  wait_for (f, is_complete);

  session = ba_sign_in_page_get_session (f->page);
  g_assert_true (ba_session_get_stay_signed_in (session));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "stay_check")), FALSE);
  g_assert_false (ba_session_get_stay_signed_in (session));
}

static void
follow_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* What the browser does: the emulator consents at once and redirects to
 * the page's loopback listener. */
static void
follow_in_browser (const char *uri)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean done = FALSE;

  g_assert_nonnull (message);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, follow_cb, &done);
  while (!done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

static gboolean
link_ready (Fixture *f)
{
  return gtk_widget_get_sensitive (child (f, "copy_link_button"));
}

static gboolean
browser_unavailable (Fixture *f)
{
  return link_ready (f) &&
         g_str_has_prefix (label_text (f, "state_label"), "Could not open the browser.");
}

static void
test_sign_in_page_browser (Fixture       *f,
                           gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->page));
  ReadData read = { NULL, FALSE };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  ba_sign_in_page_start (f->page);
  wait_for (f, waiting);

  g_assert_true (ba_test_click (child (f, "browser_button")));
  g_assert_false (gtk_widget_get_visible (child (f, "code_box")));
  g_assert_true (gtk_widget_get_visible (child (f, "browser_box")));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, "browser_button")), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Sign in with a code instead");
  /* The device code stopped polling. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 1);

  /* There is no browser here: the page says so and offers the link. */
  wait_for (f, browser_unavailable);
  g_assert_true (ba_test_click (child (f, "copy_link_button")));
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &read);
  while (!read.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (g_str_has_prefix (read.text, ba_graph_emulator_get_url (f->emulator)));
  g_assert_nonnull (strstr (read.text, "/oauth2/v2.0/authorize?"));
  g_assert_nonnull (strstr (read.text, "code_challenge_method=S256"));

  /* Pasted into a browser elsewhere on this computer. */
  follow_in_browser (read.text);
  g_free (read.text);
  wait_for (f, is_complete);
  assert_signed_in (f);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_steal_pointer (result);
}

static gboolean
another_shown (Fixture *f)
{
  return gtk_widget_get_visible (child (f, "another_button"));
}

/* A session kept with "stay signed in" is used again by the next wizard
 * without a new code; "Use another account" starts one. */
static void
test_sign_in_page_restore (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(BaSession) kept = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BaSignInPage *second;

  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "stay_check")), TRUE);
  ba_graph_emulator_script_polls (f->emulator, BA_EMULATOR_POLL_APPROVED, NULL);
  ba_sign_in_page_start (f->page);
  wait_for (f, is_complete);
  kept = g_object_ref (ba_sign_in_page_get_session (f->page));
  ba_session_save_async (kept, NULL, done_cb, &result);
  result = wait_result (&result);
  g_assert_true (ba_session_save_finish (kept, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_false (another_shown (f));

  /* The next wizard's page. */
  second = BA_SIGN_IN_PAGE (ba_sign_in_page_new ());
  ba_sign_in_page_set_cloud (second, ba_sign_in_page_get_cloud (f->page));
  _ba_sign_in_page_set_interval_ms (second, 20);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (second));
  f->page = second;
  ba_test_wait_mapped (GTK_WIDGET (second));

  ba_wizard_page_prepare (BA_WIZARD_PAGE (second));
  wait_for (f, is_complete);
  g_assert_cmpstr (ba_session_get_upn (ba_sign_in_page_get_session (second)), ==, ADMIN_UPN);
  g_assert_cmpstr (label_text (f, "state_label"), ==, "Signed in as " ADMIN_UPN);
  g_assert_true (another_shown (f));
  g_assert_false (gtk_widget_get_visible (child (f, "code_box")));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (child (f, "stay_check"))));
  /* No second code was asked for. */
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 1);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (f, "another_button")), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Sign in with another account");

  /* Another account: a new code, and the page waits for it. */
  g_assert_true (ba_test_click (child (f, "another_button")));
  wait_for (f, waiting);
  g_assert_false (is_complete (f));
  g_assert_false (another_shown (f));
  g_assert_cmpuint (ba_graph_emulator_count_requests (f->emulator, "POST", "/organizations/oauth2/v2.0/devicecode"), ==, 2);

  /* Leave nothing kept for the other tests. */
  ba_session_sign_out_async (kept, NULL, done_cb, &result);
  result = wait_result (&result);
  g_assert_true (ba_session_sign_out_finish (kept, result, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  ba_test_gtk_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/sign-in-page/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("success", test_sign_in_page_success);
  ADD ("expiry-refresh", test_sign_in_page_expiry_refresh);
  ADD ("decline", test_sign_in_page_decline);
  ADD ("cancel", test_sign_in_page_cancel);
  ADD ("copy-code", test_sign_in_page_copy_code);
  ADD ("accessible", test_sign_in_page_accessible);
  ADD ("stay-signed-in", test_sign_in_page_stay_signed_in);
  ADD ("browser", test_sign_in_page_browser);
  ADD ("restore", test_sign_in_page_restore);

#undef ADD

  return g_test_run ();
}
