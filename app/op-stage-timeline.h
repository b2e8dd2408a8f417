/* op-stage-timeline.h: the stage slider of the review screen.
 *
 * A play/pause button, a slider over the stages 0..n-1 (0 is the initial
 * position, n-1 the target) and "Stage 7 of 23".  The "stage" property is
 * the one the 3D view follows; playing steps it on a timer and stops at the
 * last stage.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OP_TYPE_STAGE_TIMELINE (op_stage_timeline_get_type ())
G_DECLARE_FINAL_TYPE (OpStageTimeline, op_stage_timeline, OP, STAGE_TIMELINE, GtkWidget)

GtkWidget *op_stage_timeline_new          (void);

/* Stages 0..@n_stages-1; the stage is clamped into the new range. */
void       op_stage_timeline_set_n_stages (OpStageTimeline *self,
                                           guint            n_stages);
guint      op_stage_timeline_get_n_stages (OpStageTimeline *self);
void       op_stage_timeline_set_stage    (OpStageTimeline *self,
                                           guint            stage);
guint      op_stage_timeline_get_stage    (OpStageTimeline *self);
/* Moves by @delta stages, clamped; stops playing. */
void       op_stage_timeline_step         (OpStageTimeline *self,
                                           int              delta);
/* Starts playing (from the start when at the last stage) or pauses. */
void       op_stage_timeline_toggle_play  (OpStageTimeline *self);
gboolean   op_stage_timeline_get_playing  (OpStageTimeline *self);
GtkRange  *op_stage_timeline_get_scale    (OpStageTimeline *self);
/* "Stage 7 of 23", as shown. */
const char *op_stage_timeline_get_text    (OpStageTimeline *self);

G_END_DECLS
