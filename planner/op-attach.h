/* op-attach.h: attachments proposed per tooth, by CLINICAL.md's rules.
 *
 * An attachment is a composite bump bonded to the buccal surface so the
 * aligner can grip.  The rules, each a setting:
 *   - rotation of a rounded tooth (canines and premolars) beyond 2 deg in
 *     total: a vertical rectangular attachment;
 *   - extrusion beyond 0.5 mm: a horizontal rectangular attachment,
 *     bevelled towards the gingiva so the aligner can push the tooth out;
 *   - root movement: torque beyond 3 deg gets a power ridge (an aligner
 *     feature near the gingival margin, listed so the lab makes it); tip
 *     beyond 5 deg (root uprighting) a vertical rectangular attachment.
 * One tooth gets at most one bonded attachment (rotation wins over tip,
 * both over extrusion, since one vertical attachment also holds an
 * extrusion) plus at most one power ridge.  Sizes stay within 2-4 mm long
 * and 0.75-1.25 mm deep.
 */
#pragma once

#include "op-pose.h"

G_BEGIN_DECLS

typedef enum {
  OP_ATTACH_RECT_VERTICAL,     /* long axis along the tooth's long axis */
  OP_ATTACH_RECT_HORIZONTAL,   /* long axis mesio-distal, bevel gingival */
  OP_ATTACH_POWER_RIDGE,       /* aligner feature, nothing bonded */
} OpAttachType;

typedef enum {
  OP_ATTACH_FOR_ROTATION  = 1 << 0,
  OP_ATTACH_FOR_EXTRUSION = 1 << 1,
  OP_ATTACH_FOR_TORQUE    = 1 << 2,
  OP_ATTACH_FOR_TIP       = 1 << 3,
} OpAttachReason;

typedef struct {
  int            fdi;
  OpAttachType   type;
  OpAttachReason reasons;      /* every rule the tooth met */
  float          length;       /* mm, 2-4 */
  float          width;        /* mm */
  float          depth;        /* mm, 0.75-1.25 (0 for a power ridge) */
  float          position[3];  /* centre on the buccal surface, patient frame, initial pose */
  float          normal[3];    /* outward surface direction there */
  float          axis[3];      /* direction of the length */
  int            stage;        /* bonded before aligner @stage (1-3) */
} OpAttachment;

/* Zero-initialised fields mean the defaults in brackets. */
typedef struct {
  double rotation_threshold;   /* deg of rotation for rounded teeth [2.0] */
  double extrusion_threshold;  /* mm [0.5] */
  double torque_threshold;     /* deg [3.0] */
  double tip_threshold;        /* deg [5.0] */
  int    bond_stage;           /* 1-3 [1] */
} OpAttachOptions;

/* Proposes attachments for the @n_teeth teeth, each moving by
 * @targets[i] (its total movement in its own frame).  Teeth need frames.
 * The position is the FA point when the landmarks have one, else the
 * buccal surface centre found on the crown mesh (the most buccal point
 * of the crown at the height of its centre), else the frame origin pushed
 * out by half the crown's buccal-lingual extent.  Writes at most 2 per
 * tooth into @out (capacity 2 * @n_teeth), in tooth order, and returns how
 * many. */
guint        op_attach_propose  (const OpTooth *const   *teeth,
                                 const OpMovement       *targets,
                                 guint                   n_teeth,
                                 const OpAttachOptions  *options,
                                 OpAttachment           *out);

/* "vertical rectangular", "horizontal rectangular", "power ridge". */
const char  *op_attach_type_to_string (OpAttachType type);
/* A sentence for the provider: "13: vertical rectangular 3.0 x 1.5 x 1.0 mm
 * at stage 1 for a 12.0 deg rotation of a rounded tooth."  Free with g_free. */
char        *op_attach_describe (const OpAttachment *attachment,
                                 const OpMovement   *target);

G_END_DECLS
