/* op-frame.h: a tooth's local frame and width from its mesh and its arch.
 *
 * A tooth alone does not say which way is mesial or buccal; its arch does.
 * So frames are estimated per arch: first an OpArchContext from all the
 * teeth of the arch (their centroids, the occlusal plane, the midline),
 * then each tooth's frame from its mesh and that context:
 *
 *   occlusal  the principal axis of the tooth's surface nearest the arch's
 *             occlusal normal when the tooth is elongated (crown and root),
 *             else the occlusal normal itself (a crown alone), pointing from
 *             root to crown;
 *   mesial    the arch curve's tangent at the tooth, towards the midline,
 *             made orthogonal to occlusal; where the tooth touches both
 *             neighbours (op_frame_estimate_dentition()), half way between
 *             that and the line from one contact to the other, which turns
 *             with a tooth rotated in the arch;
 *   buccal    orthogonal to both, pointing out of the arch;
 *   origin    the centre of the crown: the centroid of the surface in the
 *             occlusal part of the tooth (all of it for a crown alone).
 *
 * The width is the extent of the crown along the mesial axis.  The patient
 * frame is LPS (op-mesh.h), so with one arch alone the upper teeth's crowns
 * point towards -z and the lower teeth's towards +z.  Deterministic.
 */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

#define OP_FRAME_ERROR (op_frame_error_quark ())
GQuark op_frame_error_quark (void);

typedef enum {
  OP_FRAME_ERROR_TOO_FEW_TEETH,   /* an arch needs 3 teeth for a curve */
  OP_FRAME_ERROR_NO_MESH,
  OP_FRAME_ERROR_DEGENERATE,      /* flat, empty or non-finite mesh */
} OpFrameError;

#define OP_ARCH_MAX_TEETH 16

/* What the teeth of one arch say about every tooth in it. */
typedef struct {
  gboolean upper;
  float    occlusal[3];   /* unit normal of the occlusal plane, root to crown */
  float    anterior[3];   /* unit, in the occlusal plane, towards the incisors */
  float    centre[3];     /* centroid of the tooth centroids */
  float    midline[3];    /* a point on the midsagittal plane, at the incisors */
  guint    n_teeth;
  int      fdi[OP_ARCH_MAX_TEETH];          /* sorted by op_fdi_arch_position() */
  float    centroid[OP_ARCH_MAX_TEETH][3];  /* surface centroid of each tooth */
} OpArchContext;

/* Builds the context from the @n_teeth meshes of one arch (all upper or
 * all lower, at least 3).  @meshes[i] belongs to @fdi[i]. */
gboolean   op_arch_context_compute (const OpMesh *const *meshes,
                                    const int           *fdi,
                                    guint                n_teeth,
                                    OpArchContext       *out,
                                    GError             **error);

/* Estimates the frame of tooth @fdi (which must be in @arch) from @mesh.
 * @out_width (may be NULL) gets the mesio-distal crown width in mm. */
gboolean   op_frame_estimate       (const OpMesh        *mesh,
                                    int                  fdi,
                                    const OpArchContext *arch,
                                    OpFrame             *out_frame,
                                    float               *out_width,
                                    GError             **error);

/* Fills frame, has_frame and width of every tooth of @dentition that has
 * a crown, arch by arch.  An arch with fewer than 3 teeth is an error. */
gboolean   op_frame_estimate_dentition (OpDentition *dentition,
                                        GError     **error);

/* The extent in mm of @mesh along the unit @axis, counting only vertices
 * whose height along @frame's occlusal axis is at least @min_height mm
 * from the origin (use -G_MAXFLOAT for all). */
float      op_frame_extent_along   (const OpMesh   *mesh,
                                    const OpFrame  *frame,
                                    const float     axis[3],
                                    float           min_height);

/* Angle in degrees between two vectors (0-180). */
double     op_frame_angle_deg      (const float a[3],
                                    const float b[3]);

G_END_DECLS
