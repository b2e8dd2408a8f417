/* op-plan.h: a treatment plan, and its canonical encoding.
 *
 * An OpPlan is what a provider reviews and signs: the teeth with their
 * initial frames, the pose of every tooth at every stage (stage 0 is the
 * initial position, the last stage is the target), the limits and the
 * strategy it was staged with, the IPR and attachments, warnings, and the
 * setup's explanation.  Every pose is an OpMovement relative to the
 * tooth's initial pose in the tooth's own frame (op-pose.h).
 *
 * Every number in a plan sits on a grid of OP_PLAN_QUANTUM (0.0001 mm or
 * degree), the precision of the canonical JSON.  The stager rounds to the
 * grid before it checks the limits, so a plan read back from its file
 * satisfies exactly the same checks as the plan that was written.
 *
 * A plan is a plain struct: fill it with the _add functions or by hand;
 * arrays are owned by the plan.
 */
#pragma once

#include "op-attach.h"
#include "op-pose.h"

G_BEGIN_DECLS

#define OP_PLAN_QUANTUM 0.0001
/* The canonical format's version, written as "format". */
#define OP_PLAN_FORMAT_VERSION 1

/* Rounds @value to the plan's grid (0.0001); -0 becomes 0. */
double op_plan_quantize (double value);
void   op_movement_quantize (OpMovement *m);
/* @value in grid units (llround (value / 0.0001)).  Limits are compared
 * in these integers, so a check gives the same answer on a plan in
 * memory and on the same plan read back from its file. */
gint64 op_plan_units (double value);

typedef enum {
  /* Every tooth moves from the first aligner, each at its own pace. */
  OP_STAGE_STRATEGY_TOGETHER,
  /* At most two teeth move at a time in each quadrant, the most distal
   * first: the sequence used for distalization. */
  OP_STAGE_STRATEGY_POSTERIOR_FIRST,
  /* At most two teeth per quadrant, incisors first. */
  OP_STAGE_STRATEGY_ANTERIOR_FIRST,
} OpStageStrategy;

#define OP_STAGE_N_STRATEGIES (OP_STAGE_STRATEGY_ANTERIOR_FIRST + 1)

/* "together", "posterior-first", "anterior-first". */
const char *op_stage_strategy_to_string   (OpStageStrategy  strategy);
gboolean    op_stage_strategy_from_string (const char      *str,
                                           OpStageStrategy *out);

/* The per-stage limits of CLINICAL.md: 0.25 mm md and bl, 0.15 mm vertical,
 * 2 degrees rotation and tip, 1 degree torque. */
void        op_plan_default_limits  (OpMovement *limits);
/* Comfort thresholds on a tooth's total movement, above which the movement
 * table flags the tooth for the provider's attention: 3 mm md/bl, 2 mm
 * vertical, 25 degrees rotation, 15 degrees tip, 10 degrees torque.  These
 * are the app's defaults, not clinical norms; each provider sets their own. */
void        op_plan_default_comfort (OpMovement *comfort);
/* Every limit finite and > 0; otherwise FALSE with a sentence naming the
 * key in @why (free it). */
gboolean    op_plan_limits_valid    (const OpMovement *limits,
                                     char            **why);

typedef struct {
  int      fdi;
  OpFrame  frame;      /* initial frame, patient frame (mm) */
  gboolean locked;     /* the provider fixed this tooth's target */
  /* Where the tooth should end up; the last stage must equal it.  Kept
   * apart from the stages so that a file whose last stage was edited by
   * hand is caught. */
  OpMovement target;
} OpPlanTooth;

/* Interproximal reduction at one contact (both surfaces together), done
 * before aligner @stage + 1 is worn, i.e. while the teeth are at @stage. */
typedef struct {
  int    fdi_a;        /* fdi_a < fdi_b */
  int    fdi_b;
  double amount_mm;
  guint  stage;
} OpIpr;

/* Attachment types are op-attach.h's; these are their stable tokens in
 * the canonical JSON: "rect-vertical", "rect-horizontal", "power-ridge". */
const char *op_plan_attachment_type_to_string   (OpAttachType  type);
gboolean    op_plan_attachment_type_from_string (const char   *str,
                                                 OpAttachType *out);

typedef struct {
  int              fdi;
  OpAttachType     type;
  double           length_mm;    /* along the long axis */
  double           width_mm;     /* mesio-distal */
  double           depth_mm;     /* out of the surface */
  /* Centre on the buccal surface in the tooth's initial frame: mm along
   * mesial, buccal and occlusal from the crown centre. */
  double           position[3];
  guint            stage;        /* bonded before aligner stage + 1 */
} OpPlanAttachment;

/* Warnings a provider reads.  @code is a stable token for programs
 * ("collision", "ipr-limit", "comfort", "unresolved-overlap", ...); the
 * message is a full sentence. */
typedef struct {
  char  *code;
  int    fdi_a;     /* 0 when not about a tooth */
  int    fdi_b;     /* 0 when not about a pair */
  int    stage;     /* -1 when not about one stage */
  char  *message;
} OpPlanWarning;

/* One row of the movement table. */
typedef struct {
  int        fdi;
  OpMovement total;       /* the target, relative to the initial pose */
  OpMovement max_step;    /* largest |change| of each component in one stage */
  guint      flagged;     /* bit (1 << OpComponent) set: |total| > comfort */
} OpMovementRow;

typedef struct {
  OpMovement       limits;       /* per stage, each > 0 */
  OpMovement       comfort;      /* thresholds on |total| */
  OpStageStrategy  strategy;

  guint            n_teeth;
  OpPlanTooth     *teeth;        /* sorted by FDI */

  guint            n_stages;     /* >= 1; stage 0 is the initial pose */
  OpMovement      *poses;        /* n_stages * n_teeth, [stage * n_teeth + tooth] */

  GArray          *ipr;          /* OpIpr, sorted by stage, fdi_a, fdi_b */
  GArray          *attachments;  /* OpPlanAttachment, sorted by fdi */
  GArray          *warnings;     /* OpPlanWarning, in the order found */
  char            *explanation;  /* the setup's reasoning, or NULL */
} OpPlan;

/* A plan for @n_teeth teeth (frames from @teeth, copied and sorted by FDI)
 * with @n_stages stages of zero movement, default limits and comfort. */
OpPlan     *op_plan_new           (const OpPlanTooth *teeth,
                                   guint              n_teeth,
                                   guint              n_stages);
OpPlan     *op_plan_copy          (const OpPlan      *plan);
void        op_plan_free          (OpPlan            *plan);

/* Changes the stage count, keeping the poses of the stages that remain
 * and filling new ones with zeros. */
void        op_plan_set_n_stages  (OpPlan            *plan,
                                   guint              n_stages);

/* Index of @fdi in plan->teeth, or -1. */
int         op_plan_find_tooth    (const OpPlan      *plan,
                                   int                fdi);
OpMovement *op_plan_pose          (const OpPlan      *plan,
                                   guint              stage,
                                   guint              tooth_index);
/* The last stage's pose of tooth @tooth_index. */
const OpMovement *op_plan_target  (const OpPlan      *plan,
                                   guint              tooth_index);

void        op_plan_add_ipr       (OpPlan            *plan,
                                   int                fdi_a,
                                   int                fdi_b,
                                   double             amount_mm,
                                   guint              stage);
void        op_plan_add_attachment (OpPlan                 *plan,
                                    const OpPlanAttachment *attachment);
void        op_plan_add_warning   (OpPlan            *plan,
                                   const char        *code,
                                   int                fdi_a,
                                   int                fdi_b,
                                   int                stage,
                                   const char        *format,
                                   ...) G_GNUC_PRINTF (6, 7);
/* Sorts IPR and attachments into their canonical order. */
void        op_plan_sort          (OpPlan            *plan);

/* The movement table, one row per tooth in plan order (caller frees the
 * array). */
GArray     *op_plan_movement_table (const OpPlan     *plan);

/* The world transform of tooth @tooth_index at @stage (op-pose.h). */
void        op_plan_stage_matrix  (const OpPlan      *plan,
                                   guint              stage,
                                   guint              tooth_index,
                                   float              out[16]);

/* The canonical JSON encoding: UTF-8, fixed key order, every number
 * printed with "%.4f" in the C locale, one stage per line.  The same plan
 * always gives the same bytes.  Keys: format, strategy, limits{md, bl,
 * vert, rot, tip, torque}, comfort{...}, teeth[{fdi, locked, origin,
 * mesial, buccal, occlusal, target{md, ...}}], stages[{stage, teeth{"11": {md, ...}}}],
 * ipr[{a, b, amount_mm, stage}], attachments[{fdi, type, length_mm,
 * width_mm, depth_mm, position, stage}], warnings[{code, a, b, stage,
 * message}], explanation. */
GBytes     *op_plan_encode        (const OpPlan      *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPlan, op_plan_free)

G_END_DECLS
