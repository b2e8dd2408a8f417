/* op-plan-check.h: every invariant of a plan, checked on the plan alone.
 *
 * The checks need nothing but the OpPlan (so a plan read from its file can
 * be checked by anyone), plus, when given, the overlaps of neighbouring
 * teeth at each stage measured on the real meshes:
 *
 *   limits      every per-stage limit > 0;
 *   initial     stage 0 is all zeros for every tooth;
 *   target      the last stage equals each tooth's target;
 *   step        no component of any tooth changes between two consecutive
 *               stages by more than its limit (compared in grid units,
 *               op_plan_units());
 *   sequence    with a staged strategy, at most two teeth move at once in
 *               a quadrant;
 *   ipr         each IPR is at a contact of two teeth in the plan, at a
 *               stage the plan has, within op-ipr.h's limits (the lower
 *               incisor total included);
 *   attachment  each on a tooth of the plan, at a stage the plan has,
 *               2-4 mm long and 0.75-1.25 mm deep (a power ridge: depth 0);
 *   overlap     no pair overlaps by more than 0.3 mm at a stage unless IPR
 *               at that contact is scheduled at or before that stage and
 *               covers all but 0.3 mm of the overlap.
 */
#pragma once

#include "op-ipr.h"
#include "op-plan.h"

G_BEGIN_DECLS

/* CLINICAL.md: deeper than this is a collision that needs IPR or
 * re-staging; above OP_PLAN_OVERLAP_WARNING it is worth a warning. */
#define OP_PLAN_OVERLAP_COLLISION 0.3
#define OP_PLAN_OVERLAP_WARNING   0.05

typedef struct {
  char *code;      /* "limits", "initial", "target", "step", "sequence",
                    * "ipr", "attachment", "overlap", "teeth" */
  int   fdi_a;     /* 0 when not about a tooth */
  int   fdi_b;     /* 0 when not about a pair */
  int   stage;     /* -1 when not about one stage */
  char *message;   /* a sentence a provider reads */
} OpPlanViolation;

void op_plan_violation_free (OpPlanViolation *violation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPlanViolation, op_plan_violation_free)

/* Overlaps measured at every stage (e.g. by op_planner_measure_overlaps()). */
typedef struct {
  guint         n_pairs;
  const int    *pairs;    /* 2 * n_pairs FDI numbers */
  guint         n_stages; /* must equal the plan's */
  const double *depth;    /* n_stages * n_pairs, [stage * n_pairs + pair]:
                           * penetration in mm, > 0 when overlapping */
} OpPlanOverlaps;

/* Checks @plan; @overlaps and @ipr_limits may be NULL (no overlap check;
 * op_ipr_limits_init() defaults).  Returns the violations in a fixed
 * order (an empty array when the plan is sound); OpPlanViolation*, owned. */
GPtrArray *op_plan_check (const OpPlan         *plan,
                          const OpPlanOverlaps *overlaps,
                          const OpIprLimits    *ipr_limits);

G_END_DECLS
