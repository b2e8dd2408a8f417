/* op-movement-table.c: the movement table, a GtkColumnView over row objects.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "op-movement-table.h"

/* ---- one row ---------------------------------------------------------- */

#define OP_TYPE_MOVEMENT_ROW_ITEM (op_movement_row_item_get_type ())
G_DECLARE_FINAL_TYPE (OpMovementRowItem, op_movement_row_item, OP, MOVEMENT_ROW_ITEM, GObject)

struct _OpMovementRowItem
{
  GObject  parent_instance;

  int      fdi;
  int      arch_order;      /* sorts the teeth as they sit in the mouth */
  char    *label;
  double   total[OP_N_COMPONENTS];
  double   step[OP_N_COMPONENTS];
  double   comfort[OP_N_COMPONENTS];
  double   limit[OP_N_COMPONENTS];
  gboolean per_stage;
};

G_DEFINE_FINAL_TYPE (OpMovementRowItem, op_movement_row_item, G_TYPE_OBJECT)

static void
op_movement_row_item_finalize (GObject *object)
{
  g_free (OP_MOVEMENT_ROW_ITEM (object)->label);
  G_OBJECT_CLASS (op_movement_row_item_parent_class)->finalize (object);
}

static void
op_movement_row_item_class_init (OpMovementRowItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = op_movement_row_item_finalize;
}

static void
op_movement_row_item_init (OpMovementRowItem *self)
{
}

static double
row_value (OpMovementRowItem *row,
           int                c)
{
  return row->per_stage ? row->step[c] : row->total[c];
}

/* Flagged: a total above the comfort threshold, or a step above the
 * per-stage limit.  Both compare magnitudes in the plan's grid units, as
 * the planner does, so the table never disagrees with the plan's flags. */
static gboolean
row_flagged (OpMovementRowItem *row,
             int                c)
{
  if (row->per_stage)
    return op_plan_units (fabs (row->step[c])) > op_plan_units (row->limit[c]);
  return op_plan_units (fabs (row->total[c])) > op_plan_units (row->comfort[c]);
}

/* ---- the table -------------------------------------------------------- */

struct _OpMovementTable
{
  GtkWidget         parent_instance;

  /* Owned */
  GtkWidget        *scroller;
  GtkColumnView    *view;
  GListStore       *store;
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;
  gboolean          per_stage;
  gboolean          updating;
};

G_DEFINE_FINAL_TYPE (OpMovementTable, op_movement_table, GTK_TYPE_WIDGET)

enum {
  SIGNAL_TOOTH_SELECTED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static const char *const component_titles[OP_N_COMPONENTS] = {
  N_("md mm"), N_("bl mm"), N_("vert mm"), N_("rot °"), N_("tip °"), N_("torque °"),
};

static const char *const component_names[OP_N_COMPONENTS] = {
  N_("mesio-distal"), N_("bucco-lingual"), N_("vertical"), N_("rotation"), N_("tip"), N_("torque"),
};

static void
setup_tooth_cell (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.f);
  gtk_widget_add_css_class (label, "heading");
  gtk_list_item_set_child (item, label);
}

static void
bind_tooth_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  OpMovementRowItem *row = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), row->label);
}

static void
setup_value_cell (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_add_css_class (label, "numeric");
  gtk_label_set_xalign (GTK_LABEL (label), 1.f);
  gtk_widget_set_visible (icon, FALSE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (item, box);
}

static void
bind_value_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  int c = GPOINTER_TO_INT (data);
  OpMovementRowItem *row = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_last_child (box);
  double value = row_value (row, c);
  gboolean flagged = row_flagged (row, c);
  char text[32];

  /* Two decimals in mm (0.01 mm is below what an aligner delivers), one
   * in degrees. */
  g_snprintf (text, sizeof text, c < 3 ? "%+.2f" : "%+.1f", fabs (value) < 0.005 ? 0.0 : value);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_visible (icon, flagged);

  if (flagged)
    {
      g_autofree char *tip = NULL;

      if (row->per_stage)
        tip = g_strdup_printf (_("Tooth %s: %s step of %.2f %s in one aligner is above the per-stage limit of %.2f %s"),
                               row->label, _(component_names[c]), fabs (value), c < 3 ? "mm" : "°",
                               row->limit[c], c < 3 ? "mm" : "°");
      else
        tip = g_strdup_printf (_("Tooth %s: %s movement of %.2f %s is above your comfort threshold of %.2f %s"),
                               row->label, _(component_names[c]), fabs (value), c < 3 ? "mm" : "°",
                               row->comfort[c], c < 3 ? "mm" : "°");
      gtk_widget_set_tooltip_text (box, tip);
      gtk_widget_add_css_class (box, "op-flagged");
      gtk_widget_add_css_class (label, "warning");
    }
  else
    {
      gtk_widget_set_tooltip_text (box, NULL);
      gtk_widget_remove_css_class (box, "op-flagged");
      gtk_widget_remove_css_class (label, "warning");
    }
}

static int
compare_tooth (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  const OpMovementRowItem *ra = a, *rb = b;

  return (ra->arch_order > rb->arch_order) - (ra->arch_order < rb->arch_order);
}

/* Sorting by a component sorts by magnitude: the question is "which tooth
 * moves most", whichever way it moves. */
static int
compare_value (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  int c = GPOINTER_TO_INT (data);
  double va = fabs (row_value ((OpMovementRowItem *) a, c));
  double vb = fabs (row_value ((OpMovementRowItem *) b, c));

  if (va != vb)
    return va < vb ? -1 : 1;
  return compare_tooth (a, b, NULL);
}

static void
on_selection_changed (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      OpMovementTable   *self)
{
  if (self->updating)
    return;
  g_signal_emit (self, signals [SIGNAL_TOOTH_SELECTED], 0, op_movement_table_get_selected (self));
}

static void
op_movement_table_dispose (GObject *object)
{
  OpMovementTable *self = OP_MOVEMENT_TABLE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (op_movement_table_parent_class)->dispose (object);
}

static void
op_movement_table_class_init (OpMovementTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = op_movement_table_dispose;

  /* (int fdi): 0 when the selection was cleared. */
  signals [SIGNAL_TOOTH_SELECTED] =
    g_signal_new ("tooth-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "opmovementtable");
}

static GtkColumnViewColumn *
add_column (OpMovementTable *self,
            const char      *title,
            GCallback        setup,
            GCallback        bind,
            gpointer         data,
            GtkSorter       *sorter)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", setup, data);
  g_signal_connect (factory, "bind", bind, data);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_unref (sorter);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
  return column;
}

static void
op_movement_table_init (OpMovementTable *self)
{
  GtkColumnViewColumn *tooth_column;

  self->store = g_list_store_new (OP_TYPE_MOVEMENT_ROW_ITEM);
  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->view, FALSE);
  gtk_column_view_set_show_row_separators (self->view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "op-movement-table");

  tooth_column = add_column (self, _("Tooth"), G_CALLBACK (setup_tooth_cell), G_CALLBACK (bind_tooth_cell), NULL,
                             GTK_SORTER (gtk_custom_sorter_new (compare_tooth, NULL, NULL)));
  for (int c = 0; c < OP_N_COMPONENTS; c++)
    {
      GtkColumnViewColumn *column =
        add_column (self, _(component_titles[c]), G_CALLBACK (setup_value_cell), G_CALLBACK (bind_value_cell),
                    GINT_TO_POINTER (c),
                    GTK_SORTER (gtk_custom_sorter_new (compare_value, GINT_TO_POINTER (c), NULL)));

      gtk_column_view_column_set_expand (column, TRUE);
    }

  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (self->selection);
  gtk_column_view_sort_by_column (self->view, tooth_column, GTK_SORT_ASCENDING);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->view));
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
op_movement_table_new (void)
{
  return g_object_new (OP_TYPE_MOVEMENT_TABLE, NULL);
}

void
op_movement_table_set_plan (OpMovementTable *self,
                            const OpPlan    *plan,
                            OpNumbering      numbering)
{
  g_autoptr(GArray) rows = NULL;
  int selected;

  g_return_if_fail (OP_IS_MOVEMENT_TABLE (self));

  selected = op_movement_table_get_selected (self);
  self->updating = TRUE;
  g_list_store_remove_all (self->store);
  if (plan != NULL)
    {
      rows = op_plan_movement_table (plan);
      for (guint i = 0; i < rows->len; i++)
        {
          const OpMovementRow *r = &g_array_index (rows, OpMovementRow, i);
          g_autoptr(OpMovementRowItem) row = g_object_new (OP_TYPE_MOVEMENT_ROW_ITEM, NULL);

          row->fdi = r->fdi;
          /* Upper arch first, each from the patient's right to left, as on
           * a chart. */
          row->arch_order = (op_fdi_is_upper (r->fdi) ? 0 : 100) + op_fdi_arch_position (r->fdi) + 50;
          row->label = op_fdi_format (r->fdi, numbering);
          row->per_stage = self->per_stage;
          for (int c = 0; c < OP_N_COMPONENTS; c++)
            {
              row->total[c] = op_movement_get (&r->total, c);
              row->step[c] = op_movement_get (&r->max_step, c);
              row->comfort[c] = op_movement_get (&plan->comfort, c);
              row->limit[c] = op_movement_get (&plan->limits, c);
            }
          g_list_store_append (self->store, row);
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->updating = FALSE;
  op_movement_table_select (self, selected);
}

void
op_movement_table_set_per_stage (OpMovementTable *self,
                                 gboolean         per_stage)
{
  guint n;

  g_return_if_fail (OP_IS_MOVEMENT_TABLE (self));

  self->per_stage = !!per_stage;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OpMovementRowItem) row = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      row->per_stage = self->per_stage;
    }
  /* Rebind every cell and sort again by what is shown now. */
  g_list_model_items_changed (G_LIST_MODEL (self->store), 0, n, n);
  gtk_sorter_changed (gtk_column_view_get_sorter (self->view), GTK_SORTER_CHANGE_DIFFERENT);
}

void
op_movement_table_select (OpMovementTable *self,
                          int              fdi)
{
  guint n;

  g_return_if_fail (OP_IS_MOVEMENT_TABLE (self));

  self->updating = TRUE;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; fdi != 0 && i < n; i++)
    {
      g_autoptr(OpMovementRowItem) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (row->fdi == fdi)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->view), "list.scroll-to-item", "u", i);
          break;
        }
    }
  self->updating = FALSE;
}

int
op_movement_table_get_selected (OpMovementTable *self)
{
  OpMovementRowItem *row;

  g_return_val_if_fail (OP_IS_MOVEMENT_TABLE (self), 0);

  row = gtk_single_selection_get_selected_item (self->selection);
  return row ? row->fdi : 0;
}

guint
op_movement_table_get_n_rows (OpMovementTable *self)
{
  g_return_val_if_fail (OP_IS_MOVEMENT_TABLE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

int
op_movement_table_get_fdi_at (OpMovementTable *self,
                              guint            position)
{
  g_autoptr(OpMovementRowItem) row = NULL;

  g_return_val_if_fail (OP_IS_MOVEMENT_TABLE (self), 0);

  row = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  return row ? row->fdi : 0;
}

guint
op_movement_table_count_flagged (OpMovementTable *self)
{
  guint n, count = 0;

  g_return_val_if_fail (OP_IS_MOVEMENT_TABLE (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OpMovementRowItem) row = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      for (int c = 0; c < OP_N_COMPONENTS; c++)
        count += row_flagged (row, c);
    }
  return count;
}

GtkColumnView *
op_movement_table_get_view (OpMovementTable *self)
{
  g_return_val_if_fail (OP_IS_MOVEMENT_TABLE (self), NULL);
  return self->view;
}
