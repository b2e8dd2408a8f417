/* op-review-view.h: the Plan page, where a provider reviews a plan.
 *
 * The 3D view shows both arches with each tooth at the stage on the
 * timeline, coloured by how much it moves, with the initial teeth (or
 * another version's final teeth) as ghosts and IPR and attachment markers.
 * Beside it: the selected tooth's target, the movement table, the
 * warnings, what changed against another version, and the approval.
 *
 * Edits (a tooth's target components, locks, limits and strategy) go on an
 * undo stack; Recalculate plans again in a worker thread and stores a new
 * version, never overwriting one.  Edits carry over from recalculation to
 * recalculation while the case is open; a locked tooth keeps its target in
 * later versions.
 */
#pragma once

#include <adwaita.h>

#include "op-movement-table.h"
#include "op-stage-timeline.h"
#include "op-store.h"
#include "op-viewer.h"

G_BEGIN_DECLS

#define OP_TYPE_REVIEW_VIEW (op_review_view_get_type ())
G_DECLARE_FINAL_TYPE (OpReviewView, op_review_view, OP, REVIEW_VIEW, AdwBin)

GtkWidget       *op_review_view_new            (void);
void             op_review_view_set_store      (OpReviewView *self,
                                                OpStore      *store);
/* Loads the case's teeth and latest plan in a worker (0 clears). */
void             op_review_view_load_case      (OpReviewView *self,
                                                gint64        case_id);
gint64           op_review_view_get_case_id    (OpReviewView *self);
/* Whether edits and Recalculate are offered: the window asks the planner
 * (the role's rights, whether the case's state accepts new versions) and
 * @why_not becomes the tooltip that says why not. */
void             op_review_view_set_editable   (OpReviewView *self,
                                                gboolean      editable,
                                                const char   *why_not);
gboolean         op_review_view_get_editable   (OpReviewView *self);
/* Shows the roots the plan is checked with, moving with their crowns. */
void             op_review_view_set_show_roots (OpReviewView *self,
                                                gboolean      show);
/* Whether the case has per-tooth teeth to review (after loading). */
gboolean         op_review_view_has_teeth      (OpReviewView *self);
/* A load or a recalculation is running. */
gboolean         op_review_view_get_busy       (OpReviewView *self);

/* The version shown (0 for none) and how many the case has. */
int              op_review_view_get_version    (OpReviewView *self);
guint            op_review_view_get_n_versions (OpReviewView *self);
/* Shows stored version @version. */
gboolean         op_review_view_show_version   (OpReviewView *self,
                                                int           version,
                                                GError      **error);
/* Shows @version's final teeth as ghosts and lists what changed (0: off). */
gboolean         op_review_view_compare_with   (OpReviewView *self,
                                                int           version,
                                                GError      **error);
/* Rows in the Changes list. */
guint            op_review_view_get_n_changes  (OpReviewView *self);

/* Selects a tooth as a click or a table row does (0: none). */
void             op_review_view_select_tooth   (OpReviewView *self,
                                                int           fdi);
int              op_review_view_get_selected_tooth (OpReviewView *self);
/* The selected tooth's target component as the editor shows it (the
 * pending edit, else the plan's). */
double           op_review_view_get_target     (OpReviewView *self,
                                                int           fdi,
                                                OpComponent   component);
/* An edit, as the spin buttons make it: recorded for undo. */
void             op_review_view_set_target     (OpReviewView *self,
                                                int           fdi,
                                                OpComponent   component,
                                                double        value);
void             op_review_view_set_locked     (OpReviewView *self,
                                                int           fdi,
                                                gboolean      locked);
gboolean         op_review_view_undo           (OpReviewView *self);
gboolean         op_review_view_redo           (OpReviewView *self);
/* Plans again and stores a new version; "recalculated" is emitted when it
 * is stored (or has failed: see op_review_view_get_last_error). */
void             op_review_view_recalculate    (OpReviewView *self);
const char      *op_review_view_get_last_error (OpReviewView *self);

/* The tooth whose crown is drawn at (@x, @y) in the viewer, 0 for none. */
int              op_review_view_pick           (OpReviewView *self,
                                                double        x,
                                                double        y);
/* Where a tooth's crown centre is drawn now, in viewer coordinates. */
gboolean         op_review_view_project_tooth  (OpReviewView *self,
                                                int           fdi,
                                                double       *out_x,
                                                double       *out_y);

OpViewer        *op_review_view_get_viewer     (OpReviewView *self);
OpStageTimeline *op_review_view_get_timeline   (OpReviewView *self);
OpMovementTable *op_review_view_get_table      (OpReviewView *self);
/* Markers in the scene now: IPR discs and attachment boxes. */
guint            op_review_view_get_n_markers  (OpReviewView *self);
/* The box where the approval panel goes. */
GtkBox          *op_review_view_get_approval_box (OpReviewView *self);

G_END_DECLS
