/* ba-organization-row.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-organization-row.h"

struct _BaOrganizationRow
{
  AdwActionRow parent_instance;

  /* Owned */
  BaOrganization *organization;

  /* Template widgets */
  GtkMenuButton *menu_button;
  GtkPopover *context_popover;
  GtkWidget *manage_applications_button;
  GtkWidget *manage_applications_reason;
  GtkWidget *manage_accounts_button;
  GtkWidget *manage_accounts_reason;
};

G_DEFINE_FINAL_TYPE (BaOrganizationRow, ba_organization_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ORGANIZATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_from_organization (BaOrganizationRow *self)
{
  BaOrganization *org = self->organization;
  g_autofree char *subtitle = NULL;
  g_autofree char *menu_label = NULL;
  const char *name;
  gboolean can_apps;
  gboolean can_accounts;

  name = ba_organization_get_name (org);
  if (name == NULL || *name == '\0')
    name = ba_organization_get_tenant_id (org);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);

  /* Translators: the subtitle of an organization: tenant id, then authentication · cloud */
  subtitle = g_strdup_printf (_("%s\n%s · %s"),
                                      ba_organization_get_tenant_id (org),
                                      ba_auth_type_to_string (ba_organization_get_auth_type (org)),
                                      ba_cloud_kind_to_string (ba_organization_get_cloud (org)));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  /* Translators: accessible name of the menu button of an organization's row */
  menu_label = g_strdup_printf (_("Actions for %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), menu_label);

  /* The window's actions say whether an item can run; the reason under an
   * unavailable item says why, which a disabled menu item alone never does. */
  can_apps = ba_organization_can_manage_applications (org);
  can_accounts = ba_organization_can_manage_accounts (org);
  gtk_widget_set_visible (self->manage_applications_reason, !can_apps);
  gtk_widget_set_visible (self->manage_accounts_reason, !can_accounts);

  if (can_apps)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->manage_applications_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->manage_applications_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    gtk_label_get_label (GTK_LABEL (self->manage_applications_reason)),
                                    -1);

  if (can_accounts)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->manage_accounts_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->manage_accounts_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    gtk_label_get_label (GTK_LABEL (self->manage_accounts_reason)),
                                    -1);
}

static void
select_self (BaOrganizationRow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (GTK_IS_LIST_BOX (parent))
    gtk_list_box_select_row (GTK_LIST_BOX (parent), GTK_LIST_BOX_ROW (self));
}

static void
on_context_popover_show_cb (BaOrganizationRow *self,
                            GtkPopover        *popover)
{
  /* The menu acts on the selected organization, so opening it on a row that
   * is not selected selects that row first. */
  select_self (self);
}

static void
on_context_item_clicked_cb (BaOrganizationRow *self,
                            GtkButton         *button)
{
  gtk_popover_popdown (self->context_popover);
}

static void
on_secondary_click_pressed_cb (GtkGestureClick   *gesture,
                               int                n_press,
                               double             x,
                               double             y,
                               BaOrganizationRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  ba_organization_row_popup_menu (self);
}

static void
on_long_press_pressed_cb (GtkGestureLongPress *gesture,
                          double               x,
                          double               y,
                          BaOrganizationRow   *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  ba_organization_row_popup_menu (self);
}

static void
ba_organization_row_dispose (GObject *object)
{
  BaOrganizationRow *self = (BaOrganizationRow *)object;

  if (self->organization != NULL)
    g_signal_handlers_disconnect_by_data (self->organization, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_ORGANIZATION_ROW);
  g_clear_object (&self->organization);

  G_OBJECT_CLASS (ba_organization_row_parent_class)->dispose (object);
}

static void
ba_organization_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BaOrganizationRow *self = BA_ORGANIZATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ORGANIZATION:
      g_value_set_object (value, self->organization);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BaOrganizationRow *self = BA_ORGANIZATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ORGANIZATION:
      self->organization = g_value_dup_object (value);
      g_signal_connect_object (self->organization, "changed",
                               G_CALLBACK (update_from_organization), self,
                               G_CONNECT_SWAPPED);
      update_from_organization (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_organization_row_class_init (BaOrganizationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_organization_row_dispose;
  object_class->get_property = ba_organization_row_get_property;
  object_class->set_property = ba_organization_row_set_property;

  properties[PROP_ORGANIZATION] =
    g_param_spec_object ("organization", NULL, NULL,
                         BA_TYPE_ORGANIZATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ba-organization-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, context_popover);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, manage_applications_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, manage_applications_reason);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, manage_accounts_button);
  gtk_widget_class_bind_template_child (widget_class, BaOrganizationRow, manage_accounts_reason);
  gtk_widget_class_bind_template_callback (widget_class, on_context_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_context_item_clicked_cb);
}

static void
ba_organization_row_init (BaOrganizationRow *self)
{
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_secondary_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_long_press_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

GtkWidget *
ba_organization_row_new (BaOrganization *organization)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), NULL);

  return g_object_new (BA_TYPE_ORGANIZATION_ROW,
                       "organization", organization,
                       NULL);
}

BaOrganization *
ba_organization_row_get_organization (BaOrganizationRow *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_ROW (self), NULL);

  return self->organization;
}

/**
 * ba_organization_row_popup_menu:
 * @self: a #BaOrganizationRow
 *
 * Selects the row and opens its context menu, for a right click, a long
 * press, Shift+F10 or the Menu key alike.
 */
void
ba_organization_row_popup_menu (BaOrganizationRow *self)
{
  g_return_if_fail (BA_IS_ORGANIZATION_ROW (self));

  select_self (self);
  gtk_menu_button_popup (self->menu_button);
}

GtkPopover *
ba_organization_row_get_popover (BaOrganizationRow *self)
{
  g_return_val_if_fail (BA_IS_ORGANIZATION_ROW (self), NULL);

  return self->context_popover;
}
