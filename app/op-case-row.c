/* op-case-row.c: one case in the sidebar.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "op-case-row.h"

struct _OpCaseRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  GtkLabel      *title_label;
  GtkLabel      *details_label;
  GtkLabel      *state_label;
  GtkLabel      *scans_label;

  /* Owned */
  char          *title;
  gint64         case_id;
  OpCaseState    state;
  guint          n_scans;
};

G_DEFINE_FINAL_TYPE (OpCaseRow, op_case_row, GTK_TYPE_LIST_BOX_ROW)

static void
op_case_row_finalize (GObject *object)
{
  OpCaseRow *self = (OpCaseRow *)object;

  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (op_case_row_parent_class)->finalize (object);
}

static void
op_case_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), OP_TYPE_CASE_ROW);

  G_OBJECT_CLASS (op_case_row_parent_class)->dispose (object);
}

static void
op_case_row_class_init (OpCaseRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_case_row_dispose;
  object_class->finalize = op_case_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/orthoplan/Orthoplan/ui/op-case-row.ui");
  gtk_widget_class_bind_template_child (widget_class, OpCaseRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, OpCaseRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, OpCaseRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, OpCaseRow, scans_label);
}

static void
op_case_row_init (OpCaseRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
op_case_row_new (const OpCaseSummary *summary)
{
  g_autofree char *details = NULL;
  g_autofree char *scans = NULL;
  g_autofree char *state_class = NULL;
  OpCaseRow *self;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (OP_TYPE_CASE_ROW, NULL);
  self->case_id = summary->id;
  self->state = summary->state;
  self->n_scans = summary->n_scans;
  self->title = g_strdup (summary->title);

  if (summary->chart_number != NULL && summary->chart_number[0] != '\0')
    /* Translators: date of birth and chart number, "1990-04-12 · DEMO-0001" */
    details = g_strdup_printf (_("%s · %s"), summary->birth_date, summary->chart_number);
  else
    details = g_strdup (summary->birth_date);

  scans = g_strdup_printf (ngettext ("%u scan", "%u scans", summary->n_scans),
                           summary->n_scans);

  gtk_label_set_text (self->title_label, summary->title);
  gtk_label_set_text (self->details_label, details);
  gtk_label_set_text (self->state_label, op_case_state_to_label (summary->state));
  gtk_label_set_text (self->scans_label, scans);

  /* The state's machine name as a style class lets the stylesheet colour
   * the badge per state without the code knowing colours. */
  state_class = g_strdup_printf ("state-%s", op_case_state_to_string (summary->state));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), state_class);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), summary->title);

  return GTK_WIDGET (self);
}

gint64
op_case_row_get_case_id (OpCaseRow *self)
{
  g_return_val_if_fail (OP_IS_CASE_ROW (self), 0);

  return self->case_id;
}

OpCaseState
op_case_row_get_state (OpCaseRow *self)
{
  g_return_val_if_fail (OP_IS_CASE_ROW (self), OP_CASE_STATE_SUBMITTED);

  return self->state;
}

const char *
op_case_row_get_title (OpCaseRow *self)
{
  g_return_val_if_fail (OP_IS_CASE_ROW (self), NULL);

  return self->title;
}

guint
op_case_row_get_n_scans (OpCaseRow *self)
{
  g_return_val_if_fail (OP_IS_CASE_ROW (self), 0);

  return self->n_scans;
}
