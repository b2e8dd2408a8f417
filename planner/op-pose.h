/* op-pose.h: tooth movements in the tooth's own frame.
 *
 * A movement has six components measured in the tooth's initial frame
 * (op-tooth.h): three translations in millimetres and three rotations in
 * degrees, each rotation defined by which axis turns towards which so the
 * meaning is the same on both sides of the midline:
 *
 *   md      translation along mesial (positive = mesially)
 *   bl      translation along buccal (positive = buccally / labially)
 *   vert    translation along occlusal (positive = extrusion)
 *   rot     about the long axis: mesial turns towards buccal
 *           (positive = mesio-buccal rotation)
 *   tip     about the buccal axis: occlusal turns towards mesial
 *           (positive = crown tipped mesially)
 *   torque  about the mesial axis: occlusal turns towards buccal
 *           (positive = crown torqued buccally / labially)
 *
 * The rotation is applied about the frame's origin (the crown centre) in
 * the order rot, then tip, then torque, each about the initial frame's
 * axes; then the translation.  These are the JSON keys of a plan, too.
 */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

typedef struct {
  double md, bl, vert;       /* mm */
  double rot, tip, torque;   /* degrees */
} OpMovement;

typedef enum {
  OP_COMPONENT_MD,
  OP_COMPONENT_BL,
  OP_COMPONENT_VERT,
  OP_COMPONENT_ROT,
  OP_COMPONENT_TIP,
  OP_COMPONENT_TORQUE,
} OpComponent;

#define OP_N_COMPONENTS 6

/* "md", "bl", "vert", "rot", "tip", "torque". */
const char *op_component_to_string   (OpComponent  c);
gboolean    op_component_from_string (const char  *str,
                                      OpComponent *out);
double      op_movement_get          (const OpMovement *m,
                                      OpComponent       c);
void        op_movement_set          (OpMovement       *m,
                                      OpComponent       c,
                                      double            value);

/* The rigid transform (column-major 4x4, patient frame, mm) that carries
 * a tooth whose initial frame is @frame by @m. */
void        op_movement_to_matrix    (const OpMovement *m,
                                      const OpFrame    *frame,
                                      float             out[16]);

/* The inverse: the movement that @matrix (rigid) makes of a tooth with
 * @frame.  Exact for rotations below 90 degrees in every component. */
void        op_movement_from_matrix  (const float       matrix[16],
                                      const OpFrame    *frame,
                                      OpMovement       *out);

/* The pose part way from @a to @b (t in [0, 1]): translation linear,
 * rotation by spherical interpolation of the rotations' quaternions,
 * written back as components. */
void        op_movement_interpolate  (const OpMovement *a,
                                      const OpMovement *b,
                                      double            t,
                                      const OpFrame    *frame,
                                      OpMovement       *out);

G_END_DECLS
