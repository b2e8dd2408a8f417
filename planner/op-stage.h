/* op-stage.h: splitting each tooth's movement into aligner stages.
 *
 * Each tooth goes from its initial pose (all zeros) to its target along
 * one path: translation linear, rotation by slerp (op_movement_interpolate),
 * over as few stages as its per-stage limits allow.  Every pose is rounded
 * to the plan's grid (op-plan.h) before the limits are checked, and a
 * tooth gets another stage whenever any component of any step would
 * exceed its limit; the check is exact, so slerp's curved path (which can
 * make one component's step larger than its share of the total) never
 * breaks a limit.  The strategy then decides when each tooth starts.
 */
#pragma once

#include "op-plan.h"

G_BEGIN_DECLS

#define OP_STAGE_ERROR (op_stage_error_quark ())
GQuark op_stage_error_quark (void);

typedef enum {
  OP_STAGE_ERROR_LIMITS,        /* a limit is 0, negative or not a number */
  OP_STAGE_ERROR_TARGET,        /* a target no tooth can reach */
  OP_STAGE_ERROR_TOO_MANY,      /* more stages than options->max_stages */
} OpStageError;

/* Default cap on the stage count: about 8 years of 14-day aligners. */
#define OP_STAGE_DEFAULT_MAX 200

/* Largest |target| accepted per component: mm for translations, degrees
 * for rotations; beyond these the movement is not an aligner's job and
 * the pose arithmetic (op-pose.h) loses its uniqueness. */
#define OP_STAGE_MAX_TRANSLATION 20.0
#define OP_STAGE_MAX_ROTATION    80.0

/* Zero-initialise, then set what you need; limits all 0 means the
 * defaults of op_plan_default_limits(). */
typedef struct {
  OpMovement      limits;
  OpStageStrategy strategy;
  guint           max_stages;   /* 0: OP_STAGE_DEFAULT_MAX */
  /* n_teeth entries in plan order, or NULL: the earliest stage at which
   * each tooth may start moving (the pipeline delays one tooth of a
   * colliding pair this way). */
  const guint    *min_start;
} OpStageOptions;

/* The fewest stages that take a tooth from rest to @target (quantized
 * first) with no component stepping more than @limits; 0 for no movement.
 * Returns 0 and sets @error when the limits or the target are invalid or
 * more than @max_stages would be needed. */
guint     op_stage_tooth_count (const OpMovement *target,
                                const OpMovement *limits,
                                const OpFrame    *frame,
                                guint             max_stages,
                                GError          **error);

/* Stages @plan: for each tooth (plan order) @targets[i] is its target
 * relative to its initial pose.  Sets plan->limits, plan->strategy,
 * plan->n_stages and every pose; stage 0 is all zeros and the last stage
 * equals the quantized targets exactly, which are also written to each
 * plan->teeth[i].target.  IPR, attachments and warnings
 * are left alone.  @out_start and @out_count (n_teeth each, or NULL)
 * receive the stage each tooth starts moving after and how many stages it
 * moves for.  On error the plan is unchanged. */
gboolean  op_stage_plan        (OpPlan               *plan,
                                const OpMovement     *targets,
                                const OpStageOptions *options,
                                guint                *out_start,
                                guint                *out_count,
                                GError              **error);

G_END_DECLS
