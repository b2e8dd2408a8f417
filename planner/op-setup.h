/* op-setup.h: the target setup, where each tooth should end up.
 *
 * For each arch present: fit the arch form (op-arch.h) through the
 * patient's intermolar width and arch depth; measure the space; resolve
 * crowding by expansion (up to a setting), then IPR (within op-ipr.h's
 * limits), then proclination (up to a setting), in that order because
 * expansion keeps enamel and tooth position in bone best and proclination
 * least; place the teeth contact to contact from the midline along the
 * (adjusted) form; level the curve of Spee to at most a setting; correct
 * rotations; and give each tooth the tip and torque of the prescription.
 * With both arches, the lower midline is put on the upper one, and the
 * upper incisors are set for the overjet and overbite asked for.
 *
 * The result is a target OpMovement per tooth in its own initial frame
 * (op-pose.h), the IPR the space needs (not yet scheduled to a stage), the
 * space and Bolton numbers, and an explanation a provider reads.
 * Deterministic: the same dentition and options give the same bytes.
 */
#pragma once

#include "op-arch.h"
#include "op-ipr.h"
#include "op-pose.h"

G_BEGIN_DECLS

#define OP_SETUP_ERROR (op_setup_error_quark ())
GQuark op_setup_error_quark (void);

typedef enum {
  OP_SETUP_ERROR_NO_FRAME,       /* a tooth without a frame or width */
  OP_SETUP_ERROR_MISSING_TEETH,  /* an arch without first molars or incisors */
  OP_SETUP_ERROR_INVALID,        /* options out of range */
} OpSetupError;

/* Crown tip and torque in degrees per tooth type (index = OpToothType - 1,
 * central incisor first), as on a bracket prescription. */
typedef struct {
  const char *name;
  double upper_tip[8];
  double upper_torque[8];
  double lower_tip[8];
  double lower_torque[8];
} OpPrescription;

/* "andrews", "roth" or "mbt" (case-insensitive); NULL when unknown. */
const OpPrescription *op_prescription_builtin (const char *name);

typedef struct {
  const OpPrescription *prescription;  /* never NULL after init: MBT */
  double max_expansion;     /* intermolar width gain per arch, mm [3.0] */
  double max_proclination;  /* incisor advance per arch, mm [1.5] */
  double max_spee;          /* deepest curve of Spee left, mm [1.5] */
  double overjet;           /* target, mm [2.5] */
  double overbite;          /* target, mm [2.5] */
  gboolean use_ipr;         /* [TRUE] */
  OpIprLimits ipr;          /* [op_ipr_limits_init()] */
} OpSetupOptions;

/* Fills the defaults in brackets. */
void   op_setup_options_init (OpSetupOptions *options);

typedef struct {
  gboolean    present;
  OpArchForm  form;          /* fitted to the initial teeth */
  OpArchForm  target_form;   /* after expansion and proclination */
  OpArchSpace space;         /* initial, on the fitted form */
  double expansion;          /* mm of intermolar width used */
  double proclination;       /* mm of incisor advance used */
  double ipr;                /* mm of IPR planned in the arch */
  guint  n_ipr_contacts;
  double residual;           /* > 0 crowding left, < 0 spacing left, mm */
  double spee_before;        /* curve of Spee depth, mm */
  double spee_after;
} OpSetupArch;

typedef struct {
  guint         n_teeth;
  int          *fdi;          /* n_teeth, the dentition's order */
  OpMovement   *target;       /* n_teeth, in each tooth's initial frame */
  OpIprContact *ipr;          /* n_ipr, stage -1 */
  guint         n_ipr;
  OpSetupArch   upper, lower;
  OpBolton      bolton;
  gboolean      occlusion;    /* both arches: midline, overjet, overbite set */
  double        midline_shift;   /* lower midline moved towards the patient's left, mm */
  double        overjet_before, overjet_after;    /* mm, when occlusion */
  double        overbite_before, overbite_after;  /* mm, when occlusion */
  char         *explanation;  /* for the provider, one paragraph per arch */
} OpSetup;

/* Computes the setup for every tooth of @dentition (all need frames and
 * widths).  @options may be NULL for the defaults. */
OpSetup *op_setup_compute (const OpDentition   *dentition,
                           const OpSetupOptions *options,
                           GError              **error);
void     op_setup_free    (OpSetup *setup);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSetup, op_setup_free)

G_END_DECLS
