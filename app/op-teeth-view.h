/* op-teeth-view.h: the Teeth page, where a person checks and corrects a
 * scan's segmentation.
 *
 * The 3D view shows the latest stored segmentation version of one arch
 * scan: each tooth in its own colour, the gingiva pink.  A click selects a
 * tooth; its number can be reassigned.  Edits go on an undo stack
 * (planner/op-seg-edit's OpSegEdits); Save stores the labels as a new
 * corrected version (io/op-store-segment), never overwriting one.  The
 * scan and its labels load in a worker thread.
 */
#pragma once

#include <adwaita.h>

#include "op-store.h"
#include "op-viewer.h"

G_BEGIN_DECLS

/* What a click on the scan does. */
typedef enum {
  OP_TEETH_TOOL_SELECT,   /* selects the tooth under the pointer */
  OP_TEETH_TOOL_PAINT,    /* a dab of the selected tooth's number, over gingiva only */
  OP_TEETH_TOOL_ERASE,    /* a dab of gingiva */
  OP_TEETH_TOOL_SPLIT,    /* two clicks on the selected tooth: the second part takes the new number */
} OpTeethTool;

#define OP_TYPE_TEETH_VIEW (op_teeth_view_get_type ())
G_DECLARE_FINAL_TYPE (OpTeethView, op_teeth_view, OP, TEETH_VIEW, AdwBin)

GtkWidget     *op_teeth_view_new              (void);
void           op_teeth_view_set_store        (OpTeethView *self,
                                               OpStore     *store);
/* Loads the case's arch scans and shows the first one that has a
 * segmentation (0 clears).  "loaded" is emitted when done. */
void           op_teeth_view_load_case        (OpTeethView *self,
                                               gint64       case_id);
gint64         op_teeth_view_get_case_id      (OpTeethView *self);
/* Shows scan @scan_id of the case instead, as the scan drop-down does. */
void           op_teeth_view_show_scan        (OpTeethView *self,
                                               gint64       scan_id);
gboolean       op_teeth_view_get_busy         (OpTeethView *self);
/* The scan shown (0 for none) and the version its labels came from. */
gint64         op_teeth_view_get_scan_id      (OpTeethView *self);
int            op_teeth_view_get_version      (OpTeethView *self);
/* The labels as edited now (NULL when nothing is shown); borrowed. */
const gint32  *op_teeth_view_get_labels       (OpTeethView *self,
                                               gsize       *n);
guint          op_teeth_view_get_n_teeth      (OpTeethView *self);

/* Selects a tooth as a click does (0: none). */
void           op_teeth_view_select_tooth     (OpTeethView *self,
                                               int          fdi);
int            op_teeth_view_get_selected_tooth (OpTeethView *self);
/* The tooth drawn at (@x, @y) in the viewer, 0 for none. */
int            op_teeth_view_pick             (OpTeethView *self,
                                               double       x,
                                               double       y);

/* Renumbers the selected tooth as @to, recorded for undo; FALSE with the
 * planner's message (a number of the other jaw, one in use) otherwise. */
gboolean       op_teeth_view_reassign         (OpTeethView *self,
                                               int          to,
                                               GError     **error);
/* Makes the selected tooth part of tooth @into (which must exist),
 * recorded for undo; @into becomes the selection. */
gboolean       op_teeth_view_merge            (OpTeethView *self,
                                               int          into,
                                               GError     **error);
/* The tool the toggle buttons set, the brush radius (mm) and the number
 * the spin button holds (for Reassign, Merge Into and Split). */
void           op_teeth_view_set_tool         (OpTeethView *self,
                                               OpTeethTool  tool);
OpTeethTool    op_teeth_view_get_tool         (OpTeethView *self);
void           op_teeth_view_set_brush_radius (OpTeethView *self,
                                               double       radius_mm);
void           op_teeth_view_set_number       (OpTeethView *self,
                                               int          fdi);
/* What a click at (@x, @y) in the viewer does with the current tool.
 * TRUE when it did something (selected, painted, set or used a split
 * seed); FALSE with @error set when the edit was refused, and FALSE with
 * no error when the click met no tooth or no surface. */
gboolean       op_teeth_view_click            (OpTeethView *self,
                                               double       x,
                                               double       y,
                                               GError     **error);
gboolean       op_teeth_view_undo             (OpTeethView *self);
gboolean       op_teeth_view_redo             (OpTeethView *self);
/* How many edits are applied and not saved. */
guint          op_teeth_view_get_n_unsaved    (OpTeethView *self);
/* Stores the edited labels as a new corrected version; returns it, or 0. */
int            op_teeth_view_save             (OpTeethView *self,
                                               GError     **error);
/* Runs automatic segmentation on the scan shown, which has none yet, in a
 * worker thread (the page shows a Cancel button meanwhile), stores it as
 * version 1 and shows it; "loaded" is emitted at the end, also after a
 * failure or a cancel (see op_teeth_view_get_last_error). */
void           op_teeth_view_segment          (OpTeethView *self);
/* Stops a running segmentation or load. */
void           op_teeth_view_cancel           (OpTeethView *self);
const char    *op_teeth_view_get_last_error   (OpTeethView *self);
OpViewer      *op_teeth_view_get_viewer       (OpTeethView *self);

G_END_DECLS
