/* op-case-row.h: one case in the sidebar: name, birth date, chart number,
 * state and how many scans it has. */
#pragma once

#include <gtk/gtk.h>

#include "op-store.h"

G_BEGIN_DECLS

#define OP_TYPE_CASE_ROW (op_case_row_get_type ())
G_DECLARE_FINAL_TYPE (OpCaseRow, op_case_row, OP, CASE_ROW, GtkListBoxRow)

GtkWidget   *op_case_row_new       (const OpCaseSummary *summary);
gint64       op_case_row_get_case_id (OpCaseRow *self);
OpCaseState  op_case_row_get_state (OpCaseRow *self);
const char  *op_case_row_get_title (OpCaseRow *self);
guint        op_case_row_get_n_scans (OpCaseRow *self);

G_END_DECLS
