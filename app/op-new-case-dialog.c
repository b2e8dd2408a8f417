/* op-new-case-dialog.c: asks for the patient and files a new case.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-new-case-dialog.h"

struct _OpNewCaseDialog
{
  AdwWindow    parent_instance;

  /* Template widgets */
  GtkRevealer *error_revealer;
  GtkLabel    *error_label;
  AdwEntryRow *family_row;
  AdwEntryRow *given_row;
  AdwEntryRow *birth_row;
  AdwEntryRow *chart_row;
  AdwEntryRow *location_row;
  GtkPopover  *calendar_popover;
  GtkCalendar *calendar;
  GtkPopover  *location_popover;
  GtkListBox  *location_list;

  /* Owned */
  OpStore     *store;
  GSettings   *settings;
  char        *error;
};

G_DEFINE_FINAL_TYPE (OpNewCaseDialog, op_new_case_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  CASE_CREATED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* The text of a row with surrounding blanks removed, which people type
 * without noticing; NULL when nothing is left. */
static char *
get_field (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (text);

  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
op_new_case_dialog_set_error (OpNewCaseDialog *self,
                              const char      *message)
{
  /* The store's messages start with the field's name; marking that row
   * shows where to look.  A message in another language simply marks
   * nothing, and the text above the form still says it. */
  const struct {
    const char  *prefix;
    AdwEntryRow *row;
  } fields[] = {
    { "family name", self->family_row },
    { "given name", self->given_row },
    { "birth date", self->birth_row },
    { "chart number", self->chart_row },
    { "location", self->location_row },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (message != NULL && g_str_has_prefix (message, fields[i].prefix))
        gtk_widget_add_css_class (GTK_WIDGET (fields[i].row), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (fields[i].row), "error");
    }

  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
op_new_case_dialog_update (OpNewCaseDialog *self)
{
  g_autofree char *family = get_field (self->family_row);
  g_autofree char *given = get_field (self->given_row);
  g_autofree char *birth = get_field (self->birth_row);
  g_autofree char *location = get_field (self->location_row);

  /* Only whether something was typed; whether it is right is the store's
   * to say, so that every path into the store checks the same way. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-case.create",
                                 family != NULL && given != NULL &&
                                 birth != NULL && location != NULL);
}

static void
on_field_changed (OpNewCaseDialog *self,
                  GtkEditable     *editable)
{
  op_new_case_dialog_update (self);
}

static void
on_entry_activated (OpNewCaseDialog *self,
                    AdwEntryRow     *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "new-case.create", NULL);
}

static void
on_day_selected (OpNewCaseDialog *self,
                 GtkCalendar     *calendar)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");

  gtk_editable_set_text (GTK_EDITABLE (self->birth_row), text);
  gtk_popover_popdown (self->calendar_popover);
}

static void
on_location_activated (OpNewCaseDialog *self,
                       GtkListBoxRow   *row,
                       GtkListBox      *list)
{
  const char *name = g_object_get_data (G_OBJECT (row), "op-location");

  gtk_editable_set_text (GTK_EDITABLE (self->location_row), name);
  gtk_popover_popdown (self->location_popover);
}

static void
op_new_case_dialog_add_location (OpNewCaseDialog *self,
                                 const char      *name)
{
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *row;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  g_object_set_data_full (G_OBJECT (row), "op-location", g_strdup (name), g_free);
  gtk_list_box_append (self->location_list, row);
}

static void
op_new_case_dialog_load_locations (OpNewCaseDialog *self)
{
  g_auto(GStrv) locations = NULL;
  g_autofree char *fallback = g_settings_get_string (self->settings, "default-location");
  gboolean has_fallback = FALSE;

  gtk_editable_set_text (GTK_EDITABLE (self->location_row), fallback);

  /* A list that fails to load only loses the suggestions; the location
   * can still be typed. */
  locations = op_store_list_locations (self->store, NULL);

  for (guint i = 0; locations != NULL && locations[i] != NULL; i++)
    {
      op_new_case_dialog_add_location (self, locations[i]);
      has_fallback |= g_strcmp0 (locations[i], fallback) == 0;
    }

  if (!has_fallback && fallback[0] != '\0')
    op_new_case_dialog_add_location (self, fallback);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  op_new_case_dialog_create (OP_NEW_CASE_DIALOG (widget));
}

static void
op_new_case_dialog_constructed (GObject *object)
{
  OpNewCaseDialog *self = (OpNewCaseDialog *)object;

  G_OBJECT_CLASS (op_new_case_dialog_parent_class)->constructed (object);

  op_new_case_dialog_load_locations (self);
  op_new_case_dialog_update (self);
}

static void
op_new_case_dialog_dispose (GObject *object)
{
  OpNewCaseDialog *self = (OpNewCaseDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OP_TYPE_NEW_CASE_DIALOG);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (op_new_case_dialog_parent_class)->dispose (object);
}

static void
op_new_case_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OpNewCaseDialog *self = OP_NEW_CASE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_new_case_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  OpNewCaseDialog *self = OP_NEW_CASE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_new_case_dialog_class_init (OpNewCaseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = op_new_case_dialog_constructed;
  object_class->dispose = op_new_case_dialog_dispose;
  object_class->get_property = op_new_case_dialog_get_property;
  object_class->set_property = op_new_case_dialog_set_property;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         OP_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals [CASE_CREATED] =
    g_signal_new ("case-created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-new-case-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, family_row);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, given_row);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, birth_row);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, chart_row);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, location_row);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, calendar_popover);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, location_popover);
  gtk_widget_class_bind_template_child (widget_class, OpNewCaseDialog, location_list);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_location_activated);

  gtk_widget_class_install_action (widget_class, "new-case.create", NULL, create_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
op_new_case_dialog_init (OpNewCaseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
}

GtkWidget *
op_new_case_dialog_new (GtkWindow *parent,
                        OpStore   *store)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (OP_IS_STORE (store), NULL);

  return g_object_new (OP_TYPE_NEW_CASE_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       NULL);
}

void
op_new_case_dialog_fill (OpNewCaseDialog *self,
                         const char      *family_name,
                         const char      *given_name,
                         const char      *birth_date,
                         const char      *chart_number,
                         const char      *location)
{
  g_return_if_fail (OP_IS_NEW_CASE_DIALOG (self));

  if (family_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->family_row), family_name);
  if (given_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->given_row), given_name);
  if (birth_date != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->birth_row), birth_date);
  if (chart_number != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->chart_row), chart_number);
  if (location != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->location_row), location);
}

gint64
op_new_case_dialog_create (OpNewCaseDialog *self)
{
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *chart = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  OpPatient patient = { 0 };
  gint64 case_id;

  g_return_val_if_fail (OP_IS_NEW_CASE_DIALOG (self), 0);

  family = get_field (self->family_row);
  given = get_field (self->given_row);
  birth = get_field (self->birth_row);
  chart = get_field (self->chart_row);
  location = get_field (self->location_row);

  patient.family_name = family;
  patient.given_name = given;
  patient.birth_date = birth;
  patient.chart_number = chart;

  case_id = op_store_create_case (self->store, &patient,
                                  location ? location : "",
                                  NULL, 0, &error);
  if (case_id <= 0)
    {
      op_new_case_dialog_set_error (self, error ? error->message
                                                : _("The case could not be created."));
      return 0;
    }

  op_new_case_dialog_set_error (self, NULL);
  g_signal_emit (self, signals [CASE_CREATED], 0, case_id);
  gtk_window_destroy (GTK_WINDOW (self));

  return case_id;
}

const char *
op_new_case_dialog_get_error (OpNewCaseDialog *self)
{
  g_return_val_if_fail (OP_IS_NEW_CASE_DIALOG (self), NULL);

  return self->error;
}
