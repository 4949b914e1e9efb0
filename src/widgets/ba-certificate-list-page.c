/* ba-certificate-list-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ba-certificate-list-page.h"
#include "ba-widget-utils.h"

struct _BaCertificateListPage
{
  BaWizardPage parent_instance;

  /* Owned */
  BaCertificateStore *store;
  GCancellable *cancellable;

  /* Template widgets */
  GtkListBox *certificate_list;
  GtkWidget *list_label;
  GtkStack *list_stack;
  GtkLabel *list_error;
  GtkWidget *refresh_button;
};

G_DEFINE_FINAL_TYPE (BaCertificateListPage, ba_certificate_list_page, BA_TYPE_WIZARD_PAGE)

char *
ba_certificate_describe_key_location (BaCertificate *certificate)
{
  switch (ba_certificate_get_key_location (certificate))
    {
    case BA_KEY_LOCATION_KEY_STORE:
      return g_strdup (_("Key kept by Backup Access"));
    case BA_KEY_LOCATION_PKCS11:
      /* Translators: %s is the label of a smart card or other security token */
      return g_strdup_printf (_("Key on the token “%s”"),
                              ba_certificate_get_token_label (certificate) != NULL
                              ? ba_certificate_get_token_label (certificate) : "");
    case BA_KEY_LOCATION_MEMORY:
      return g_strdup (_("Key not saved yet"));
    case BA_KEY_LOCATION_NONE:
      return g_strdup (_("No private key"));
    default:
      g_assert_not_reached ();
    }
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  BaCertificate *certificate = BA_CERTIFICATE (item);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *expiry = g_date_time_format (ba_certificate_get_not_after (certificate), "%x");
  g_autofree char *location = ba_certificate_describe_key_location (certificate);
  g_autofree char *subtitle = NULL;
  gboolean usable = ba_certificate_has_private_key (certificate);
  gboolean valid = ba_certificate_is_valid_at (certificate, now);
  const char *name = ba_certificate_get_common_name (certificate);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL && *name != '\0' ? name : ba_certificate_get_subject (certificate));
  /* Translators: thumbprint; then expiry date and where the key is */
  subtitle = g_strdup_printf (valid ? _("%s\nExpires %s · %s") : _("%s\nExpired or not yet valid (%s) · %s"),
                              ba_certificate_get_sha1_thumbprint (certificate), expiry, location);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  if (!valid)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not valid now"),
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }

  /* Only a certificate whose key can sign is of use to a backup application. */
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), usable);
  gtk_widget_set_sensitive (row, usable);
  g_object_set_data_full (G_OBJECT (row), "certificate", g_object_ref (certificate), g_object_unref);

  return row;
}

static void
update_state (BaCertificateListPage *self)
{
  guint n_items = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;

  gtk_stack_set_visible_child_name (self->list_stack, n_items > 0 ? "list" : "empty");
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self),
                               ba_certificate_list_page_get_selected (self) != NULL);
}

static void
on_certificate_list_row_selected_cb (BaCertificateListPage *self,
                                     GtkListBoxRow         *row,
                                     GtkListBox            *list)
{
  ba_field_set_error (GTK_WIDGET (self->certificate_list), self->list_error, NULL);
  update_state (self);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaCertificateListPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (self->refresh_button, TRUE);

  if (!ba_certificate_store_refresh_finish (BA_CERTIFICATE_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ba_certificate_list_page_set_error (self, error);
    }

  update_state (self);
}

static void
refresh (BaCertificateListPage *self)
{
  if (self->store == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_widget_set_sensitive (self->refresh_button, FALSE);
  ba_certificate_store_refresh_async (self->store, self->cancellable, refresh_cb, g_object_ref (self));
}

static void
on_refresh_button_clicked_cb (BaCertificateListPage *self,
                              GtkButton             *button)
{
  ba_field_set_error (GTK_WIDGET (self->certificate_list), self->list_error, NULL);
  refresh (self);
}

static void
ba_certificate_list_page_prepare (BaWizardPage *page)
{
  BaCertificateListPage *self = BA_CERTIFICATE_LIST_PAGE (page);

  /* A token may have been plugged in since the wizard opened. */
  refresh (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->certificate_list));
}

static void
ba_certificate_list_page_dispose (GObject *object)
{
  BaCertificateListPage *self = (BaCertificateListPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_CERTIFICATE_LIST_PAGE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ba_certificate_list_page_parent_class)->dispose (object);
}

static void
ba_certificate_list_page_class_init (BaCertificateListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BaWizardPageClass *page_class = BA_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ba_certificate_list_page_dispose;
  page_class->prepare = ba_certificate_list_page_prepare;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-list-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateListPage, certificate_list);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateListPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateListPage, list_label);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateListPage, list_error);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateListPage, refresh_button);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
}

static void
ba_certificate_list_page_init (BaCertificateListPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
ba_certificate_list_page_set_store (BaCertificateListPage *self,
                                    BaCertificateStore    *store)
{
  g_return_if_fail (BA_IS_CERTIFICATE_LIST_PAGE (self));
  g_return_if_fail (BA_IS_CERTIFICATE_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  gtk_list_box_bind_model (self->certificate_list, G_LIST_MODEL (store), create_row_cb, NULL, NULL);
  g_signal_connect_object (store, "items-changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  update_state (self);
}

/**
 * ba_certificate_list_page_get_selected:
 * @self: a #BaCertificateListPage
 *
 * Returns: (transfer none) (nullable): the chosen certificate
 */
BaCertificate *
ba_certificate_list_page_get_selected (BaCertificateListPage *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (BA_IS_CERTIFICATE_LIST_PAGE (self), NULL);

  row = gtk_list_box_get_selected_row (self->certificate_list);
  if (row == NULL)
    return NULL;

  return g_object_get_data (G_OBJECT (row), "certificate");
}

void
ba_certificate_list_page_set_error (BaCertificateListPage *self,
                                    const GError          *error)
{
  g_return_if_fail (BA_IS_CERTIFICATE_LIST_PAGE (self));

  ba_field_set_error (GTK_WIDGET (self->certificate_list), self->list_error,
                      error != NULL ? error->message : NULL);
}
