/* ba-select-certificate-assistant.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ba-certificate-generate-page.h"
#include "ba-certificate-import-page.h"
#include "ba-certificate-list-page.h"
#include "ba-certificate-progress-page.h"
#include "ba-certificate-source-page.h"
#include "ba-certificate-summary-page.h"
#include "ba-select-certificate-assistant.h"
#include "ba-widget-utils.h"

/* The order of the pages in the .ui. */
enum {
  PAGE_SOURCE,
  PAGE_GENERATE,
  PAGE_STORE,
  PAGE_IMPORT,
  PAGE_PROGRESS,
  PAGE_SUMMARY,
};

struct _BaSelectCertificateAssistant
{
  GObject parent_instance;

  /* Owned */
  BaWizard wizard;
  BaCertificateStore *store;
  GCancellable *cancellable;
  BaCertificate *result;
  /* A certificate this run saved in the key store: cancelling removes it. */
  BaCertificate *created;

  /* Borrowed from the builder */
  BaCertificateSourcePage *source_page;
  BaCertificateGeneratePage *generate_page;
  BaCertificateListPage *list_page;
  BaCertificateImportPage *import_page;
  BaCertificateProgressPage *progress_page;
  BaCertificateSummaryPage *summary_page;
  /* The page the running job came from, to return to it with an error. */
  int job_page;
};

G_DEFINE_FINAL_TYPE (BaSelectCertificateAssistant, ba_select_certificate_assistant, G_TYPE_OBJECT)

/* Auxiliary methods */

static void
finish (BaSelectCertificateAssistant *self,
        GError                       *error)
{
  g_autoptr(GTask) task = ba_wizard_end (&self->wizard);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self->result), g_object_unref);
}

static void
show_job_error (BaSelectCertificateAssistant *self,
                const GError                 *error)
{
  switch (self->job_page)
    {
    case PAGE_GENERATE:
      ba_certificate_generate_page_set_error (self->generate_page, error);
      break;
    case PAGE_STORE:
      ba_certificate_list_page_set_error (self->list_page, error);
      break;
    case PAGE_IMPORT:
      ba_certificate_import_page_set_error (self->import_page, error);
      break;
    default:
      g_assert_not_reached ();
    }

  /* Back where the admin can fix it; the history brings us to that page. */
  gtk_assistant_previous_page (self->wizard.assistant);
}

static void
job_succeeded (BaSelectCertificateAssistant *self,
               BaCertificate                *certificate)
{
  g_set_object (&self->result, certificate);
  ba_certificate_summary_page_set_certificate (self->summary_page, certificate);
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), TRUE);
  gtk_assistant_next_page (self->wizard.assistant);
}

static void
job_failed (BaSelectCertificateAssistant *self,
            GError                       *error)
{
  /* A cancelled run has finished already, when Cancel was pressed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->wizard.task == NULL)
    {
      finish (self, error);
      return;
    }

  g_debug ("%s(): %s", G_STRFUNC, error->message);
  show_job_error (self, error);
  g_error_free (error);
}

static void
delete_created_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ba_certificate_store_delete_finish (BA_CERTIFICATE_STORE (object), result, &error))
    g_warning ("A certificate made in a cancelled wizard could not be removed: %s", error->message);
}

/* Cancelling after a certificate was saved must leave nothing behind: no key
 * file, no keyring entry. */
static void
forget_created (BaSelectCertificateAssistant *self)
{
  g_autoptr(BaCertificate) created = g_steal_pointer (&self->created);

  if (created != NULL)
    ba_certificate_store_delete_async (self->store, created, NULL, delete_created_cb, NULL);
}

static void
store_add_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BaSelectCertificateAssistant) self = user_data;
  g_autoptr(BaCertificate) stored = NULL;
  GError *error = NULL;

  stored = ba_certificate_store_add_finish (BA_CERTIFICATE_STORE (object), result, &error);
  if (stored == NULL)
    {
      job_failed (self, error);
      return;
    }

  g_set_object (&self->created, stored);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      forget_created (self);
      finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
      return;
    }

  job_succeeded (self, stored);
}

static void
save_in_store (BaSelectCertificateAssistant *self,
               BaCertificate                *certificate)
{
  ba_certificate_progress_page_set_status (self->progress_page,
                                           _("Keeping the key safe: it is encrypted, and its passphrase goes to your keyring…"));
  ba_certificate_store_add_async (self->store, certificate, self->cancellable,
                                  store_add_cb, g_object_ref (self));
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BaSelectCertificateAssistant) self = user_data;
  g_autoptr(BaCertificate) certificate = NULL;
  GError *error = NULL;

  certificate = ba_certificate_generate_finish (result, &error);
  if (certificate == NULL)
    {
      job_failed (self, error);
      return;
    }

  save_in_store (self, certificate);
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaSelectCertificateAssistant) self = user_data;
  g_autoptr(BaCertificate) certificate = NULL;
  GError *error = NULL;

  certificate = ba_certificate_import_pkcs12_finish (result, &error);
  if (certificate == NULL)
    {
      job_failed (self, error);
      return;
    }

  save_in_store (self, certificate);
}

static void
load_pfx_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BaSelectCertificateAssistant) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *password = NULL;
  GError *error = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *readable = g_error_new (BA_CERT_ERROR, BA_CERT_ERROR_CORRUPT,
                                          _("The file cannot be read: %s"), error->message);

          g_error_free (error);
          error = readable;
        }
      job_failed (self, error);
      return;
    }

  password = g_strdup (ba_certificate_import_page_get_password (self->import_page));
  ba_certificate_progress_page_set_status (self->progress_page, _("Reading the PFX file…"));
  ba_certificate_import_pkcs12_async (bytes, password, self->cancellable, import_cb, g_object_ref (self));
  /* The engine took its own copy. */
  memset (password, 0, strlen (password));
}

static void
sign_check_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BaSelectCertificateAssistant) self = user_data;
  g_autoptr(GBytes) signature = NULL;
  GError *error = NULL;

  signature = ba_certificate_sign_finish (BA_CERTIFICATE (object), result, &error);
  if (signature == NULL)
    {
      job_failed (self, error);
      return;
    }

  job_succeeded (self, BA_CERTIFICATE (object));
}

static void
start_job (BaSelectCertificateAssistant *self)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self->progress_page), FALSE);

  switch (ba_certificate_source_page_get_source (self->source_page))
    {
    case BA_CERTIFICATE_SOURCE_GENERATE:
      {
        guint bits = ba_certificate_generate_page_get_bits (self->generate_page);
        g_autofree char *status = NULL;

        self->job_page = PAGE_GENERATE;
        /* Translators: %u is a key size in bits */
        status = g_strdup_printf (_("Making a %u-bit key. This can take a while…"), bits);
        ba_certificate_progress_page_set_status (self->progress_page, status);
        ba_certificate_generate_async (ba_certificate_generate_page_get_name (self->generate_page),
                                       bits,
                                       ba_certificate_generate_page_get_years (self->generate_page),
                                       self->cancellable, generate_cb, g_object_ref (self));
      }
      break;

    case BA_CERTIFICATE_SOURCE_STORE:
      {
        BaCertificate *certificate = ba_certificate_list_page_get_selected (self->list_page);
        g_autoptr(GBytes) probe = g_bytes_new_static ("Backup Access key check", 23);

        /* Proving the key signs now (unlocking the keyring or asking for the
         * token's PIN) beats learning it at the first backup. */
        self->job_page = PAGE_STORE;
        ba_certificate_progress_page_set_status (self->progress_page, _("Checking that the certificate’s key can sign…"));
        ba_certificate_sign_async (certificate, BA_SIGNATURE_RSA_PKCS1_SHA256, probe,
                                   self->cancellable, sign_check_cb, g_object_ref (self));
      }
      break;

    case BA_CERTIFICATE_SOURCE_IMPORT:
      self->job_page = PAGE_IMPORT;
      ba_certificate_progress_page_set_status (self->progress_page, _("Reading the PFX file…"));
      g_file_load_bytes_async (ba_certificate_import_page_get_file (self->import_page),
                               self->cancellable, load_pfx_cb, g_object_ref (self));
      break;

    default:
      g_assert_not_reached ();
    }
}

static int
forward_page_func (int      current,
                   gpointer user_data)
{
  BaSelectCertificateAssistant *self = user_data;

  switch (current)
    {
    case PAGE_SOURCE:
      switch (ba_certificate_source_page_get_source (self->source_page))
        {
        case BA_CERTIFICATE_SOURCE_GENERATE:
          return PAGE_GENERATE;
        case BA_CERTIFICATE_SOURCE_STORE:
          return PAGE_STORE;
        case BA_CERTIFICATE_SOURCE_IMPORT:
          return PAGE_IMPORT;
        default:
          g_assert_not_reached ();
        }
    case PAGE_GENERATE:
    case PAGE_STORE:
    case PAGE_IMPORT:
      return PAGE_PROGRESS;
    case PAGE_PROGRESS:
      return PAGE_SUMMARY;
    default:
      return -1;
    }
}

/* Signal callbacks */

static void
on_assistant_prepare_cb (BaSelectCertificateAssistant *self,
                         GtkWidget                    *page,
                         GtkAssistant                 *assistant)
{
  ba_wizard_page_prepare (BA_WIZARD_PAGE (page));

  if (page == GTK_WIDGET (self->progress_page))
    start_job (self);
}

static void
on_assistant_cancel_cb (BaSelectCertificateAssistant *self,
                        GtkAssistant                 *assistant)
{
  /* A running job stops at its next step; the admin need not wait for it.
   * Whatever it saves after this is removed again (see store_add_cb). */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  forget_created (self);
  finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
}

static void
on_assistant_close_cb (BaSelectCertificateAssistant *self,
                       GtkAssistant                 *assistant)
{
  /* Kept: it is the wizard's answer now. */
  g_clear_object (&self->created);
  finish (self, NULL);
}

static gboolean
cancel_from_caller_idle (gpointer user_data)
{
  BaSelectCertificateAssistant *self = user_data;

  on_assistant_cancel_cb (self, self->wizard.assistant);
  return G_SOURCE_REMOVE;
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  BaSelectCertificateAssistant *self = user_data;

  on_assistant_cancel_cb (self, self->wizard.assistant);
}

/* Parent overrides */

static void
ba_select_certificate_assistant_dispose (GObject *object)
{
  BaSelectCertificateAssistant *self = (BaSelectCertificateAssistant *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  ba_wizard_dispose (&self->wizard);

  G_OBJECT_CLASS (ba_select_certificate_assistant_parent_class)->dispose (object);
}

static void
ba_select_certificate_assistant_finalize (GObject *object)
{
  BaSelectCertificateAssistant *self = (BaSelectCertificateAssistant *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->result);
  g_clear_object (&self->created);
  g_clear_object (&self->wizard.task);

  G_OBJECT_CLASS (ba_select_certificate_assistant_parent_class)->finalize (object);
}

static void
ba_select_certificate_assistant_class_init (BaSelectCertificateAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_select_certificate_assistant_dispose;
  object_class->finalize = ba_select_certificate_assistant_finalize;
}

static void
ba_select_certificate_assistant_init (BaSelectCertificateAssistant *self)
{
  static const GActionEntry wizard_actions[] = {
    { "cancel", cancel_action },
  };
  g_autoptr(GtkBuilderScope) scope = gtk_builder_cscope_new ();
  const BaWizardChild pages[] = {
    { "source_page", (gpointer *) &self->source_page, TRUE },
    { "generate_page", (gpointer *) &self->generate_page, TRUE },
    { "list_page", (gpointer *) &self->list_page, TRUE },
    { "import_page", (gpointer *) &self->import_page, TRUE },
    { "progress_page", (gpointer *) &self->progress_page, TRUE },
    { "summary_page", (gpointer *) &self->summary_page, TRUE },
  };

  g_type_ensure (BA_TYPE_CERTIFICATE_SOURCE_PAGE);
  g_type_ensure (BA_TYPE_CERTIFICATE_GENERATE_PAGE);
  g_type_ensure (BA_TYPE_CERTIFICATE_LIST_PAGE);
  g_type_ensure (BA_TYPE_CERTIFICATE_IMPORT_PAGE);
  g_type_ensure (BA_TYPE_CERTIFICATE_PROGRESS_PAGE);
  g_type_ensure (BA_TYPE_CERTIFICATE_SUMMARY_PAGE);

  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_prepare_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_cancel_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), on_assistant_close_cb);

  ba_wizard_init (&self->wizard, G_OBJECT (self), "Select Certificate",
                  RESOURCE_BASE_PATH "/ui/ba-select-certificate-assistant.ui", scope);
  ba_wizard_bind_children (&self->wizard, pages, G_N_ELEMENTS (pages));

  /* GtkAssistant keeps its own Cancel insensitive on a progress page; the
   * progress page offers one through this action instead, because a 4096-bit
   * key or a slow token must not hold the admin hostage. */
  ba_wizard_add_actions (&self->wizard, wizard_actions, G_N_ELEMENTS (wizard_actions), self);

  gtk_assistant_set_forward_page_func (self->wizard.assistant, forward_page_func, self, NULL);
}

/* Public API */

BaSelectCertificateAssistant *
ba_select_certificate_assistant_new (GtkWindow          *parent,
                                     BaCertificateStore *store)
{
  BaSelectCertificateAssistant *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BA_IS_CERTIFICATE_STORE (store), NULL);

  self = g_object_new (BA_TYPE_SELECT_CERTIFICATE_ASSISTANT, NULL);
  self->store = g_object_ref (store);
  ba_certificate_list_page_set_store (self->list_page, store);
  gtk_window_set_transient_for (GTK_WINDOW (self->wizard.assistant), parent);

  return self;
}

void
ba_select_certificate_assistant_run_async (BaSelectCertificateAssistant *self,
                                           GCancellable                 *cancellable,
                                           GAsyncReadyCallback           callback,
                                           gpointer                      user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SELECT_CERTIFICATE_ASSISTANT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_select_certificate_assistant_run_async);

  ba_wizard_run (&self->wizard, g_steal_pointer (&task), cancel_from_caller_idle);
}

BaCertificate *
ba_select_certificate_assistant_run_finish (BaSelectCertificateAssistant *self,
                                            GAsyncResult                 *result,
                                            GError                      **error)
{
  g_return_val_if_fail (BA_IS_SELECT_CERTIFICATE_ASSISTANT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GtkAssistant *
_ba_select_certificate_assistant_get_assistant (BaSelectCertificateAssistant *self)
{
  g_return_val_if_fail (BA_IS_SELECT_CERTIFICATE_ASSISTANT (self), NULL);

  return self->wizard.assistant;
}

GtkWidget *
_ba_select_certificate_assistant_get_page (BaSelectCertificateAssistant *self,
                                           const char                   *id)
{
  g_return_val_if_fail (BA_IS_SELECT_CERTIFICATE_ASSISTANT (self), NULL);

  return GTK_WIDGET (gtk_builder_get_object (self->wizard.builder, id));
}
