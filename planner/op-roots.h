/* op-roots.h: roots for planning, from a template or grown in a CBCT, and
 * the root checks a plan must pass.
 *
 * A crown-only plan cannot see a root pushed through the bone or into its
 * neighbour.  Each tooth gets a root mesh (OpTooth.root), closed and in the
 * same initial pose as its crown, so it moves with the crown by the same
 * matrices (op_plan_stage_matrix()):
 *
 *   - without a CBCT, a template: a tapered root per root of the tooth type
 *     (one; two for lower molars; three for upper molars), as long as
 *     CLINICAL.md's approximate lengths, from the cervical line (the lowest
 *     point of the crown along its long axis) towards -occlusal, its section
 *     at the cervical line fitted to the crown's there;
 *   - with a CBCT (crowns registered into its frame, op-register.h), grown
 *     from the crown into the volume: region growing from the voxels just
 *     under the cervical line, through voxels in the dentine/enamel band,
 *     kept inside a cone around the long axis and no deeper than 1.4 times
 *     the template length, then the isosurface of the grown region.
 *
 * The checks (op_roots_check_plan()) look at every stage of a plan:
 *   - "root-proximity": two neighbouring roots closer than 0.5 mm
 *     (op-collide.h's gap between the posed root meshes);
 *   - "root-bone": a root leaving the alveolar bone.  With a CBCT, the
 *     volume is sampled 0.5 mm outside the posed root surface (deeper than
 *     2 mm below the cervical line, where bone surrounds a healthy root)
 *     and the share of samples at bone density or above must stay at
 *     least 80% and fall no more than 5 points below the initial share.
 *     Without a CBCT nothing says where the bone ends, so what is measured
 *     is the root pushed through a cortical plate: a sample of that root
 *     surface whose surface faces the labial or lingual plate counts as
 *     out of the bone once it has moved more than 1 mm (envelope_mm)
 *     towards that plate from where it started, about the plate's
 *     thickness over anterior roots; at least 90% of the samples must stay
 *     in.  Mesial, distal and vertical movement stay in the alveolar
 *     process.  Every warning says which bone was used.
 *
 * A tooth whose mesh is the whole tooth (op_roots_crown_has_root()) is its
 * own root below the cervical line, one anatomic crown height (Wheeler)
 * under its highest cusp.
 *
 * Deterministic: the same dentition, plan and volume give the same roots
 * and warnings.
 */
#pragma once

#include "op-plan.h"
#include "op-tooth.h"
#include "op-volume.h"

G_BEGIN_DECLS

#define OP_ROOTS_ERROR (op_roots_error_quark ())
GQuark op_roots_error_quark (void);

typedef enum {
  OP_ROOTS_ERROR_NO_FRAME,    /* the tooth has no frame */
  OP_ROOTS_ERROR_EMPTY,       /* no crown mesh, or nothing grew */
  OP_ROOTS_ERROR_OUTSIDE,     /* the crown is not inside the volume */
} OpRootsError;

/* CLINICAL.md's approximate root length of the tooth type, mm (12.5-17). */
double   op_roots_template_length (int fdi);
/* Number of roots of the type: 3 for upper molars, 2 for lower molars,
 * else 1. */
guint    op_roots_template_count  (int fdi);

/* Whether @tooth's crown mesh is a whole tooth, crown and root (it
 * reaches more than 8 mm below its crown centre, which no crown does), as
 * teeth segmented from a CBCT are.  Such a tooth needs no template: its
 * own mesh below the cervical line is its root. */
gboolean op_roots_crown_has_root  (const OpTooth  *tooth);

/* A template root for @tooth (frame and crown needed).  Closed, oriented
 * outwards, in the crown's frame of reference. */
OpMesh  *op_roots_template        (const OpTooth  *tooth,
                                   GError        **error);

/* Zero-initialise; zeros mean automatic values. */
typedef struct {
  /* The dentine/enamel band in raw values.  0, 0: from the volume, the
   * upper of two Otsu splits (air and soft tissue; bone; teeth). */
  double lo_raw, hi_raw;
  /* Half-angle of the cone around the long axis the root may fill [20]. */
  double cone_deg;
} OpRootGrowOptions;

/* Grows @tooth's root in @volume (the crown registered into the volume's
 * frame).  Fails when the crown is outside the volume or nothing grows. */
OpMesh  *op_roots_grow            (const OpTooth            *tooth,
                                   const OpVolume           *volume,
                                   const OpRootGrowOptions  *options,
                                   GError                  **error);

/* Gives every tooth of @dentition with a frame a root: grown when @volume
 * is given (a tooth where nothing grows gets the template, and is named in
 * @out_templated, a string the caller frees, when not NULL), else the
 * template.  Existing roots are replaced. */
gboolean op_roots_build           (OpDentition              *dentition,
                                   const OpVolume           *volume,
                                   char                    **out_templated,
                                   GError                  **error);

/* ---- Checks on a plan -------------------------------------------------- */

typedef struct {
  char  *code;       /* "root-proximity" or "root-bone" */
  int    fdi_a;
  int    fdi_b;      /* 0 for root-bone */
  int    stage;      /* the first stage at which it happens */
  double value;      /* root-proximity: the smallest gap, mm (negative when
                      * the roots overlap); root-bone: the lowest share of
                      * the root in bone, 0-1 */
  char  *message;
} OpRootWarning;

void op_root_warning_free (OpRootWarning *warning);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpRootWarning, op_root_warning_free)

/* Zero-initialise; zeros mean the defaults above. */
typedef struct {
  double min_gap_mm;       /* [0.5] */
  /* Bone density in raw values [Otsu's split of the volume sampled 0.5 to
   * 6 mm outside the initial roots: bone near them, soft tissue beyond]. */
  double bone_raw;
  double bone_fraction;    /* with a CBCT [0.8] */
  /* Without a CBCT: how far a root surface may move towards the
   * cortical plate it faces, mm [1.0]. */
  double envelope_mm;
  double envelope_fraction;/* without a CBCT [0.9] */
} OpRootCheckOptions;

/* Checks the roots of @dentition (teeth without a root, other than whole
 * teeth, are skipped) at every stage of @plan, with the bone from @volume
 * or, when it is NULL, the cortical-plate rule above.  @options may be NULL.  Appends
 * OpRootWarning* to @out_warnings (which owns them: create it with
 * op_root_warning_free as its free function), at most one per pair and code,
 * ordered by code, then teeth.  Returns the number added. */
guint op_roots_check_plan (const OpDentition        *dentition,
                           const OpPlan             *plan,
                           const OpVolume           *volume,
                           const OpRootCheckOptions *options,
                           GPtrArray                *out_warnings);

/* The roots of a dentition made ready for checking plans of it again and
 * again (a re-plan after each edit): their trees and samples, and the
 * root gaps measured so far, which a later check of the same poses reuses
 * (the warnings are the same bytes either way).  Teeth with a root, and
 * whole teeth (op_roots_crown_has_root()), take part. */
typedef struct _OpRootSet OpRootSet;

OpRootSet *op_root_set_new        (const OpDentition        *dentition);
void       op_root_set_free       (OpRootSet                *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpRootSet, op_root_set_free)
/* op_roots_check_plan() on the set's roots; not thread-safe per set. */
guint      op_root_set_check_plan (OpRootSet                *set,
                                   const OpPlan             *plan,
                                   const OpVolume           *volume,
                                   const OpRootCheckOptions *options,
                                   GPtrArray                *out_warnings);

/* The same with the bone of each arch from its own volume, @upper or
 * @lower (either may be NULL: that arch's roots get the rule without a
 * CBCT), for arches registered to a CBCT each through its own scan. */
guint      op_root_set_check_plan_jaws (OpRootSet                *set,
                                        const OpPlan             *plan,
                                        const OpVolume           *upper,
                                        const OpVolume           *lower,
                                        const OpRootCheckOptions *options,
                                        GPtrArray                *out_warnings);

/* Adds @warnings to @plan's warnings (op_plan_add_warning()). */
void  op_roots_add_warnings (OpPlan          *plan,
                             const GPtrArray *warnings);

G_END_DECLS
