/* op-movement-table.h: the review screen's movement table.
 *
 * One row per tooth (its number in the chosen numbering) and a column per
 * component: md, bl, vert in mm, rot, tip, torque in degrees.  The cells
 * show each tooth's total movement, or the largest change in one stage
 * (per aligner).  A total above the provider's comfort threshold, or a step
 * above the per-stage limit, is flagged: a style class, a warning icon and
 * a tooltip that says which threshold it passes.  Columns sort; selecting
 * a row emits "tooth-selected".
 */
#pragma once

#include <gtk/gtk.h>

#include "op-fdi.h"
#include "op-plan.h"

G_BEGIN_DECLS

#define OP_TYPE_MOVEMENT_TABLE (op_movement_table_get_type ())
G_DECLARE_FINAL_TYPE (OpMovementTable, op_movement_table, OP, MOVEMENT_TABLE, GtkWidget)

GtkWidget     *op_movement_table_new          (void);

/* Rows from op_plan_movement_table (@plan) with the plan's comfort and
 * limits; NULL empties the table.  Keeps the selected tooth if it is
 * still there.  The plan is not kept. */
void           op_movement_table_set_plan     (OpMovementTable *self,
                                               const OpPlan    *plan,
                                               OpNumbering      numbering);
/* FALSE shows totals, TRUE the largest step per aligner. */
void           op_movement_table_set_per_stage (OpMovementTable *self,
                                                gboolean         per_stage);
/* Selects the row of @fdi (0 for none) without emitting "tooth-selected". */
void           op_movement_table_select       (OpMovementTable *self,
                                               int              fdi);
int            op_movement_table_get_selected (OpMovementTable *self);
guint          op_movement_table_get_n_rows   (OpMovementTable *self);
/* The FDI number of the row shown at @position (in the sorted order). */
int            op_movement_table_get_fdi_at   (OpMovementTable *self,
                                               guint            position);
/* How many cells are flagged now. */
guint          op_movement_table_count_flagged (OpMovementTable *self);
GtkColumnView *op_movement_table_get_view     (OpMovementTable *self);

G_END_DECLS
