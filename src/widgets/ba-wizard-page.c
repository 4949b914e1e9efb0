/* ba-wizard-page.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-wizard-page.h"

typedef struct
{
  gboolean complete;
} BaWizardPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BaWizardPage, ba_wizard_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ba_wizard_page_dispose (GObject *object)
{
  GtkWidget *child;

  /* Subclasses dispose their templates first; whatever remains goes here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ba_wizard_page_parent_class)->dispose (object);
}

static void
ba_wizard_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaWizardPage *self = BA_WIZARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      g_value_set_boolean (value, ba_wizard_page_get_complete (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_wizard_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BaWizardPage *self = BA_WIZARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      ba_wizard_page_set_complete (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_wizard_page_class_init (BaWizardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_wizard_page_dispose;
  object_class->get_property = ba_wizard_page_get_property;
  object_class->set_property = ba_wizard_page_set_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ba_wizard_page_init (BaWizardPage *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 18);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 18);
}

gboolean
ba_wizard_page_get_complete (BaWizardPage *self)
{
  BaWizardPagePrivate *priv = ba_wizard_page_get_instance_private (self);

  g_return_val_if_fail (BA_IS_WIZARD_PAGE (self), FALSE);

  return priv->complete;
}

void
ba_wizard_page_set_complete (BaWizardPage *self,
                             gboolean      complete)
{
  BaWizardPagePrivate *priv = ba_wizard_page_get_instance_private (self);

  g_return_if_fail (BA_IS_WIZARD_PAGE (self));

  complete = !!complete;
  if (priv->complete == complete)
    return;

  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

void
ba_wizard_page_prepare (BaWizardPage *self)
{
  g_return_if_fail (BA_IS_WIZARD_PAGE (self));

  if (BA_WIZARD_PAGE_GET_CLASS (self)->prepare != NULL)
    BA_WIZARD_PAGE_GET_CLASS (self)->prepare (self);
}
