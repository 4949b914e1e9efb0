/* ba-certificate-source-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-certificate-source-page.h"

struct _BaCertificateSourcePage
{
  BaWizardPage parent_instance;

  /* Template widgets */
  GtkCheckButton *generate_button;
  GtkCheckButton *store_button;
  GtkCheckButton *import_button;
  GtkWidget *import_description;
};

G_DEFINE_FINAL_TYPE (BaCertificateSourcePage, ba_certificate_source_page, BA_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_choice_toggled_cb (BaCertificateSourcePage *self,
                      GtkCheckButton          *button)
{
  if (gtk_check_button_get_active (button))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

static void
ba_certificate_source_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BA_TYPE_CERTIFICATE_SOURCE_PAGE);

  G_OBJECT_CLASS (ba_certificate_source_page_parent_class)->dispose (object);
}

static void
ba_certificate_source_page_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  BaCertificateSourcePage *self = BA_CERTIFICATE_SOURCE_PAGE (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_int (value, ba_certificate_source_page_get_source (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_certificate_source_page_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  BaCertificateSourcePage *self = BA_CERTIFICATE_SOURCE_PAGE (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      ba_certificate_source_page_set_source (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_certificate_source_page_class_init (BaCertificateSourcePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_certificate_source_page_dispose;
  object_class->get_property = ba_certificate_source_page_get_property;
  object_class->set_property = ba_certificate_source_page_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_int ("source", NULL, NULL,
                      BA_CERTIFICATE_SOURCE_GENERATE, BA_CERTIFICATE_SOURCE_IMPORT,
                      BA_CERTIFICATE_SOURCE_GENERATE,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-certificate-source-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSourcePage, generate_button);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSourcePage, store_button);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSourcePage, import_button);
  gtk_widget_class_bind_template_child (widget_class, BaCertificateSourcePage, import_description);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_toggled_cb);
}

static void
ba_certificate_source_page_init (BaCertificateSourcePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Any choice can go on: the page is complete from the start. */
  ba_wizard_page_set_complete (BA_WIZARD_PAGE (self), TRUE);
}

BaCertificateSource
ba_certificate_source_page_get_source (BaCertificateSourcePage *self)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE_SOURCE_PAGE (self), BA_CERTIFICATE_SOURCE_GENERATE);

  if (gtk_check_button_get_active (self->store_button))
    return BA_CERTIFICATE_SOURCE_STORE;
  if (gtk_check_button_get_active (self->import_button))
    return BA_CERTIFICATE_SOURCE_IMPORT;
  return BA_CERTIFICATE_SOURCE_GENERATE;
}

void
ba_certificate_source_page_set_source (BaCertificateSourcePage *self,
                                       BaCertificateSource      source)
{
  GtkCheckButton *buttons[] = { self->generate_button, self->store_button, self->import_button };

  g_return_if_fail (BA_IS_CERTIFICATE_SOURCE_PAGE (self));
  g_return_if_fail (source <= BA_CERTIFICATE_SOURCE_IMPORT);

  gtk_check_button_set_active (buttons[source], TRUE);
}
