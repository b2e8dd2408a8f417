/* op-planner.h: the planning pipeline, from numbered teeth to an OpPlan.
 *
 *   1. every tooth needs a frame (estimated by op-frame when a tooth has a
 *      crown but no frame);
 *   2. targets: the setup (op-setup.h) for every tooth, then the provider's
 *      per-tooth overrides, then locked teeth keep the target they had in
 *      the previous plan;
 *   3. the starting position must be sound: neighbours overlapping by more
 *      than 0.3 mm before any movement is a segmentation problem, refused;
 *   4. staging (op-stage.h) with the limits and strategy asked for;
 *   5. collisions: the penetration depth of every neighbouring pair, and of
 *      upper against lower teeth, at every stage, on the real meshes
 *      (op-collide.h); a neighbour collision (> 0.3 mm) is resolved first by
 *      re-sequencing (one tooth of the pair waits for the other), then by
 *      IPR scheduled the stage before the contact (op-ipr.h); what neither
 *      resolves is refused with the pair and stage named.  Upper against
 *      lower overlaps are warnings: the aligners' plastic separates the
 *      arches and IPR cannot help there;
 *   6. attachments (op-attach.h), warnings, the movement table's comfort
 *      flags, and the setup's explanation;
 *   7. roots (op-roots.h): teeth without a root get the template of their
 *      type (whole teeth are their own roots), and every stage is checked
 *      for roots closer than 0.5 mm and roots leaving the bone (no CBCT
 *      here: a root surface moved more than 1 mm towards the cortical
 *      plate it faces); what is found is added to the warnings.  Part of step 5's
 *      checks, so no_collisions skips it too.
 *
 * Deterministic: the same dentition and options give the same plan bytes.
 */
#pragma once

#include "op-collide.h"
#include "op-plan-check.h"
#include "op-setup.h"
#include "op-stage.h"
#include "op-volume.h"

G_BEGIN_DECLS

#define OP_PLANNER_ERROR (op_planner_error_quark ())
GQuark op_planner_error_quark (void);

typedef enum {
  OP_PLANNER_ERROR_NO_FRAME,       /* "tooth 23 has no frame" */
  OP_PLANNER_ERROR_LIMITS,         /* a limit 0, negative or not a number */
  OP_PLANNER_ERROR_INITIAL_OVERLAP,/* teeth overlap deeply before moving */
  OP_PLANNER_ERROR_UNRESOLVED,     /* a collision neither sequence nor IPR resolves */
  OP_PLANNER_ERROR_INVALID,        /* options that make no sense */
  OP_PLANNER_ERROR_SETUP,          /* the setup failed (its message follows) */
} OpPlannerError;

/* A provider's target for one tooth: the components whose bit
 * (1 << OpComponent) is in @mask replace the setup's. */
typedef struct {
  int        fdi;
  guint      mask;
  OpMovement target;
} OpToothOverride;

#define OP_TOOTH_OVERRIDE_ALL ((1u << OP_N_COMPONENTS) - 1)

/* Zero-initialise; zero limits/comfort mean the defaults. */
typedef struct {
  OpMovement             limits;
  OpMovement             comfort;
  OpStageStrategy        strategy;
  const OpToothOverride *overrides;
  guint                  n_overrides;
  const int             *locked;       /* FDI numbers */
  guint                  n_locked;
  const OpPlan          *previous;     /* where locked teeth take their target */
  const OpSetupOptions  *setup;        /* NULL: op_setup_options_init() */
  gboolean               no_collisions;/* skip steps 5 and 7 (staging alone) */
  /* BVHs of these same teeth from an earlier call, so that a re-plan
   * after an edit does not build them again; NULL builds them. */
  struct _OpPlannerCollider *collider;
  /* Step 7's bone: a CBCT seen from the dentition's frame (op_volume_view
   * through the arch scan's registration), for the upper [0] and lower
   * [1] arch; NULL for an arch without one, whose roots are checked by
   * the cortical-plate rule of op-roots.h. */
  const OpVolume            *bone[2];
} OpPlannerOptions;

/* Plans @dentition.  Returns NULL with an OP_PLANNER_ERROR (or the
 * staging error) whose message names the tooth, pair, field or stage. */
OpPlan   *op_planner_plan    (const OpDentition      *dentition,
                              const OpPlannerOptions *options,
                              GError                **error);

/* Collision measurement on a plan, reusable by checks and benchmarks. */
typedef struct _OpPlannerCollider OpPlannerCollider;

/* BVHs of every tooth of @dentition that is in @plan (built once).  Given
 * to op_planner_plan() again for the same teeth, it also keeps what a
 * re-plan after an edit would otherwise make again: the depths measured
 * (by pair and exact poses), the target setup (by teeth and options) and
 * the roots with their gaps; the setup and roots are made again when the
 * teeth's frames, widths or roots differ.  None of it changes a plan's
 * bytes.  Not thread-safe: one plan at a time per collider. */
OpPlannerCollider *op_planner_collider_new  (const OpDentition *dentition);
void               op_planner_collider_free (OpPlannerCollider *collider);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPlannerCollider, op_planner_collider_free)

/* The collider remembers every depth it measured (by pair and poses), and
 * the roots of step 7 with their gaps, so that a re-plan measures only
 * what changed; the values are those a new query would give.  _forget()
 * drops all that but the crown trees (benchmarks use it to time a re-plan
 * as it was without them); _memo_hits() counts the measurements saved. */
void               op_planner_collider_forget    (OpPlannerCollider       *collider);
guint64            op_planner_collider_memo_hits (const OpPlannerCollider *collider);

/* Measures the penetration depth of each pair at each stage of @plan.
 * @occlusal selects upper-against-lower pairs instead of neighbours.
 * Returns the pairs (2 FDI each) and fills @out (n_stages * n_pairs,
 * caller frees with g_free) and its @n_pairs.  @stats may be NULL. */
int               *op_planner_measure (OpPlannerCollider *collider,
                                       const OpPlan      *plan,
                                       gboolean           occlusal,
                                       guint             *n_pairs,
                                       double           **out,
                                       OpCollideStats    *stats);

/* Measures neighbours of @plan on @dentition and runs op_plan_check()
 * with them: what the tests and `plan-check` with a case use. */
GPtrArray *op_planner_check  (const OpDentition *dentition,
                              const OpPlan      *plan);

G_END_DECLS
