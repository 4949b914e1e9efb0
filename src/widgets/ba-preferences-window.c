/* ba-preferences-window.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-cloud.h"
#include "ba-identifiers.h"
#include "ba-preferences-window.h"
#include "ba-widget-utils.h"

struct _BaPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Owned */
  GSettings *settings;

  /* Template widgets */
  AdwComboRow *cloud_row;
  AdwEntryRow *client_id_row;
  GtkWidget *client_id_reset_button;
  GtkLabel *client_id_error;
  AdwEntryRow *authority_row;
  AdwEntryRow *graph_row;
  GtkLabel *endpoint_error;
  GtkLabel *environment_note;
  GtkWidget *concurrency_row;
  GtkSpinButton *concurrency_spin;
};

G_DEFINE_FINAL_TYPE (BaPreferencesWindow, ba_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Auxiliary methods */

static const char *
endpoint_key (BaPreferencesWindow *self,
              AdwEntryRow         *row)
{
  return row == self->authority_row ? "authority-url" : "graph-url";
}

static void
load_text_setting (BaPreferencesWindow *self,
                   AdwEntryRow         *row,
                   const char          *key)
{
  g_autofree char *value = g_settings_get_string (self->settings, key);

  gtk_editable_set_text (GTK_EDITABLE (row), value);
}

static void
update_environment_note (BaPreferencesWindow *self)
{
  const char *authority = g_getenv ("BA_AUTHORITY_URL");
  const char *graph = g_getenv ("BA_GRAPH_URL");
  g_autoptr(GString) note = g_string_new (NULL);

  if (authority != NULL && *authority != '\0')
    /* Translators: %s is an environment variable's name */
    g_string_append_printf (note, _("%s is set in the environment and takes the place of the sign-in endpoint."),
                            "BA_AUTHORITY_URL");

  if (graph != NULL && *graph != '\0')
    {
      if (note->len > 0)
        g_string_append_c (note, ' ');
      /* Translators: %s is an environment variable's name */
      g_string_append_printf (note, _("%s is set in the environment and takes the place of the Microsoft Graph endpoint."),
                              "BA_GRAPH_URL");
    }

  gtk_label_set_text (self->environment_note, note->str);
  gtk_widget_set_visible (GTK_WIDGET (self->environment_note), note->len > 0);
}

static gboolean
cloud_nick_to_index (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  BaCloudKind kind = BA_CLOUD_KIND_GLOBAL;

  ba_cloud_kind_from_nick (g_variant_get_string (variant, NULL), &kind);
  g_value_set_uint (value, (guint)kind);
  return TRUE;
}

static GVariant *
cloud_index_to_nick (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  if (index > BA_CLOUD_KIND_CHINA)
    return NULL;

  return g_variant_new_string (ba_cloud_kind_to_nick ((BaCloudKind)index));
}

/* Signal callbacks */

static void
on_client_id_row_apply_cb (BaPreferencesWindow *self,
                           AdwEntryRow         *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (*text == '\0')
    {
      g_settings_reset (self->settings, "sign-in-client-id");
      load_text_setting (self, row, "sign-in-client-id");
      ba_field_set_error (GTK_WIDGET (row), self->client_id_error, NULL);
      return;
    }

  if (!ba_identifier_is_guid (text))
    {
      ba_field_set_error (GTK_WIDGET (row), self->client_id_error,
                      _("A client ID looks like 14d82eec-204b-4c2f-b7e8-296a70dab67e. Copy it from the application’s overview in the Microsoft Entra admin center."));
      return;
    }

  g_settings_set_string (self->settings, "sign-in-client-id", text);
  ba_field_set_error (GTK_WIDGET (row), self->client_id_error, NULL);
}

static void
on_client_id_reset_button_clicked_cb (BaPreferencesWindow *self,
                                      GtkButton           *button)
{
  g_settings_reset (self->settings, "sign-in-client-id");
  load_text_setting (self, self->client_id_row, "sign-in-client-id");
  ba_field_set_error (GTK_WIDGET (self->client_id_row), self->client_id_error, NULL);
}

static void
on_endpoint_row_apply_cb (BaPreferencesWindow *self,
                          AdwEntryRow         *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  const char *key = endpoint_key (self, row);
  g_autofree char *normalized = NULL;
  g_autoptr(GError) error = NULL;

  if (*text == '\0')
    {
      g_settings_reset (self->settings, key);
      ba_field_set_error (GTK_WIDGET (row), self->endpoint_error, NULL);
      return;
    }

  normalized = ba_cloud_normalize_endpoint (text, &error);
  if (normalized == NULL)
    {
      ba_field_set_error (GTK_WIDGET (row), self->endpoint_error, error->message);
      return;
    }

  g_settings_set_string (self->settings, key, normalized);
  gtk_editable_set_text (GTK_EDITABLE (row), normalized);
  ba_field_set_error (GTK_WIDGET (row), self->endpoint_error, NULL);
}

static void
on_settings_changed_cb (BaPreferencesWindow *self,
                        const char          *key,
                        GSettings           *settings)
{
  /* Another instance or dconf may change a key while the window is open;
   * keep what is shown true, unless the admin is in the middle of typing. */
  if (g_str_equal (key, "sign-in-client-id") && !gtk_widget_has_css_class (GTK_WIDGET (self->client_id_row), "error"))
    load_text_setting (self, self->client_id_row, key);
  else if (g_str_equal (key, "authority-url") || g_str_equal (key, "graph-url"))
    {
      AdwEntryRow *row = g_str_equal (key, "authority-url") ? self->authority_row : self->graph_row;

      if (!gtk_widget_has_css_class (GTK_WIDGET (row), "error"))
        load_text_setting (self, row, key);
    }
}

/* Parent overrides */

static void
ba_preferences_window_constructed (GObject *object)
{
  BaPreferencesWindow *self = (BaPreferencesWindow *)object;

  G_OBJECT_CLASS (ba_preferences_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (BASE_APP_ID);

  g_settings_bind_with_mapping (self->settings, "default-cloud",
                                self->cloud_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                cloud_nick_to_index, cloud_index_to_nick,
                                NULL, NULL);
  g_settings_bind (self->settings, "max-concurrent-applications",
                   self->concurrency_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  load_text_setting (self, self->client_id_row, "sign-in-client-id");
  load_text_setting (self, self->authority_row, "authority-url");
  load_text_setting (self, self->graph_row, "graph-url");
  update_environment_note (self);

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
ba_preferences_window_dispose (GObject *object)
{
  BaPreferencesWindow *self = (BaPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ba_preferences_window_parent_class)->dispose (object);
}

static void
ba_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BaPreferencesWindow *self = BA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BaPreferencesWindow *self = BA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_preferences_window_class_init (BaPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ba_preferences_window_constructed;
  object_class->dispose = ba_preferences_window_dispose;
  object_class->get_property = ba_preferences_window_get_property;
  object_class->set_property = ba_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, cloud_row);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, client_id_error);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, client_id_reset_button);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, authority_row);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, graph_row);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, endpoint_error);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, environment_note);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, concurrency_row);
  gtk_widget_class_bind_template_child (widget_class, BaPreferencesWindow, concurrency_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_client_id_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_client_id_reset_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_endpoint_row_apply_cb);
}

static void
ba_preferences_window_init (BaPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->concurrency_spin),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->concurrency_row, NULL,
                                  -1);
}

GtkWidget *
ba_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (BA_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
