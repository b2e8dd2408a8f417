/* op-tooth.h: numbered teeth with their local frames and landmarks.
 *
 * OpDentition is what segmentation produces (or per-tooth files give) and
 * what planning consumes: one OpTooth per FDI number, each a rigid body
 * with a frame in the patient frame of op-mesh.h (LPS, millimetres).
 */
#pragma once

#include "op-fdi.h"
#include "op-mesh.h"

G_BEGIN_DECLS

/* A tooth's local frame.  The three axes are unit vectors in the patient
 * frame: @mesial along the arch towards the midline, @buccal out of the
 * arch towards the lips or cheek, @occlusal along the long axis from the
 * root to the crown.  They are orthonormal but, because mesial points to
 * opposite sides of the midline in the two halves of an arch, the triad is
 * right-handed in quadrants 1 and 4 and left-handed in 2 and 3; every
 * movement is therefore defined by which axis turns towards which (see
 * op-pose.h), never by a handedness rule. */
typedef struct {
  float origin[3];      /* crown centre, mm */
  float mesial[3];
  float buccal[3];
  float occlusal[3];
} OpFrame;

typedef enum {
  OP_LANDMARK_INCISAL_MID  = 1 << 0,   /* incisors and canines */
  OP_LANDMARK_MESIAL       = 1 << 1,   /* mesial contact point */
  OP_LANDMARK_DISTAL       = 1 << 2,   /* distal contact point */
  OP_LANDMARK_FA           = 1 << 3,   /* facial axis point (Andrews) */
  OP_LANDMARK_CUSPS        = 1 << 4,
} OpLandmarkFlags;

#define OP_TOOTH_MAX_CUSPS 5

typedef struct {
  OpLandmarkFlags present;
  float incisal_mid[3];
  float mesial_contact[3];
  float distal_contact[3];
  float fa_point[3];
  guint n_cusps;
  float cusps[OP_TOOTH_MAX_CUSPS][3];
} OpLandmarks;

typedef struct {
  int          fdi;
  OpMesh      *crown;       /* closed surface of the crown (or crown and root) */
  OpMesh      *root;        /* NULL when unknown; template or from CBCT */
  gboolean     has_frame;
  OpFrame      frame;
  OpLandmarks  landmarks;
  float        width;       /* mesio-distal crown width, mm */
  float        confidence;  /* 0..1: how sure the numbering is */
} OpTooth;

OpTooth *op_tooth_new   (int            fdi,
                         OpMesh        *crown);   /* takes ownership */
OpTooth *op_tooth_copy  (const OpTooth *tooth);
void     op_tooth_free  (OpTooth       *tooth);

/* The teeth of one or both arches, sorted by FDI number, and the gingiva
 * of each arch when known. */
typedef struct {
  GPtrArray *teeth;          /* OpTooth*, owned, sorted by fdi */
  OpMesh    *gingiva_upper;  /* or NULL */
  OpMesh    *gingiva_lower;  /* or NULL */
} OpDentition;

OpDentition *op_dentition_new       (void);
OpDentition *op_dentition_copy      (const OpDentition *dentition);
void         op_dentition_free      (OpDentition       *dentition);
/* Adds @tooth (taking ownership) keeping the order; replaces a tooth with
 * the same number. */
void         op_dentition_add       (OpDentition       *dentition,
                                     OpTooth           *tooth);
OpTooth     *op_dentition_get       (const OpDentition *dentition,
                                     int                fdi);
guint        op_dentition_count_arch (const OpDentition *dentition,
                                      gboolean           upper);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpTooth, op_tooth_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpDentition, op_dentition_free)

G_END_DECLS
