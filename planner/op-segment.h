/* op-segment.h: automatic segmentation of one arch scan into numbered teeth.
 *
 * Input is the OpMesh of one arch in whatever frame the scanner used, in
 * millimetres: an intraoral scan (open border) or a plaster cast (flat
 * base).  Output is a label per vertex (0 for gingiva, base or anything
 * else, otherwise the FDI number) and, per tooth, a closed crown mesh, a
 * local frame, landmarks, a mesio-distal width and a numbering confidence,
 * with the gingiva as its own mesh.  The same mesh and options always give
 * the same bytes.
 */
#pragma once

#include "op-tooth.h"

G_BEGIN_DECLS

typedef enum {
  OP_SEGMENT_JAW_AUTO,
  OP_SEGMENT_JAW_UPPER,
  OP_SEGMENT_JAW_LOWER,
} OpSegmentJaw;

typedef struct {
  OpSegmentJaw jaw;          /* a hint; AUTO decides from the teeth */
  guint        n_threads;    /* 0 means 2 */
} OpSegmentOptions;

typedef struct {
  gint32      *labels;       /* n_vertices of the input: 0 or FDI */
  gsize        n_vertices;
  gboolean     upper;
  gboolean     jaw_from_hint;
  float        jaw_confidence;
  /* The arch frame found, as unit vectors in the scan's frame: towards
   * the crowns, towards the lips along the midline, and towards the
   * patient's left; @centre lies on the midline in the occlusal region. */
  float        occlusal[3];
  float        anterior[3];
  float        left[3];
  float        centre[3];
  OpDentition *dentition;    /* teeth and the gingiva of this arch */
  GPtrArray   *warnings;     /* char*, sentences for a person */
} OpSegmentation;

#define OP_SEGMENT_ERROR (op_segment_error_quark ())
GQuark op_segment_error_quark (void);

typedef enum {
  OP_SEGMENT_ERROR_EMPTY,        /* no triangles, or invalid */
  OP_SEGMENT_ERROR_UNITS,        /* far too small: metres, not millimetres */
  OP_SEGMENT_ERROR_SINGLE_TOOTH, /* the size of one tooth */
  OP_SEGMENT_ERROR_FLAT,         /* nothing stands out of a plane */
  OP_SEGMENT_ERROR_NOT_A_JAW,    /* no horseshoe of teeth */
  OP_SEGMENT_ERROR_NO_TEETH,     /* an arch shape, but no teeth found */
  OP_SEGMENT_ERROR_CANCELLED,
} OpSegmentError;

/* The factor that would bring @mesh to millimetres when its size says it
 * was saved in metres (1000), else 1.  The app asks before rescaling. */
float           op_segment_suggest_scale (const OpMesh *mesh);

/* Segments @mesh.  @mesh needs no normals (they are computed inside).
 * planner/ links no GIO, so cancelling is a flag: when @cancel is not NULL
 * and another thread sets it to 1 (g_atomic_int_set), the call stops at
 * its next step with OP_SEGMENT_ERROR_CANCELLED.
 * Fails with OP_SEGMENT_ERROR and a message naming the problem and, for
 * OP_SEGMENT_ERROR_UNITS, the size found and the factor to apply. */
OpSegmentation *op_segment               (const OpMesh           *mesh,
                                          const OpSegmentOptions *options,
                                          gint                   *cancel,
                                          GError                **error);
void            op_segmentation_free     (OpSegmentation *seg);

/* Moves the gingiva with the teeth: every vertex of @gingiva moves by a
 * blend of the rigid transforms (@transforms, 16 floats column-major per
 * tooth of @dentition, in its order) of the teeth within @radius_mm of it,
 * weighted by how close each tooth's crown is, and not at all when no
 * tooth is that near.  Writes 3 * n_vertices floats to @out_positions. */
void            op_gingiva_deform        (const OpMesh      *gingiva,
                                          const OpDentition *dentition,
                                          const float       *transforms,
                                          float              radius_mm,
                                          float             *out_positions);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSegmentation, op_segmentation_free)

G_END_DECLS
