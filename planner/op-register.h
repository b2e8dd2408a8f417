/* op-register.h: aligning an intraoral scan with a CBCT surface.
 *
 * The scan (or its segmented crowns) is the moving mesh, the isosurface of
 * the CBCT (op-marching.h) the fixed one; the result is the rigid transform
 * that carries the scan into the CBCT's patient frame, and how well the two
 * then agree.
 *
 *   1. First alignment, unless the caller gives one: the principal axes of
 *      both point sets are matched under each of the 24 rotations that turn
 *      one set of axes onto the other (the 4 sign choices of every axis
 *      order), centroids on centroids, plus the scan where it already is.
 *      Each candidate gets a few coarse ICP steps on a few hundred points;
 *      the three that end closest are refined.
 *   2. Trimmed point-to-plane ICP: each scan sample is paired with its
 *      closest point on the CBCT surface (op-bvh.h), the worst pairs
 *      (trim_fraction, 20% by default) are dropped, because a scan holds
 *      gingiva and a CBCT holds bone and roots the other does not, and the
 *      linearised point-to-plane problem is solved for a small rotation and
 *      translation until the step is below 1e-4 mm.
 *
 * The RMS reported is the root mean square distance (mm) of the kept pairs
 * to the surface: CLINICAL.md says 0.2-0.25 mm per arch is typical of good
 * tools, and the goal is at most 0.3 mm.
 *
 * When the automatic result is wrong (a scan of a single quadrant, heavy
 * artefacts), three or more points picked on both (op_register_points)
 * give the transform directly, by Horn's closed form.
 *
 * Deterministic: samples, candidates and pair order are fixed, so the same
 * meshes give the same bytes out.
 */
#pragma once

#include "op-mesh.h"

G_BEGIN_DECLS

#define OP_REGISTER_ERROR (op_register_error_quark ())
GQuark op_register_error_quark (void);

typedef enum {
  OP_REGISTER_ERROR_EMPTY,        /* a mesh with no triangles or a bad one */
  OP_REGISTER_ERROR_TOO_FEW,      /* fewer than 3 point pairs, or too few overlapping */
  OP_REGISTER_ERROR_DEGENERATE,   /* points on a line, or not finite */
  OP_REGISTER_ERROR_NO_OVERLAP,   /* the surfaces never came close */
} OpRegisterError;

/* Zero-initialise; zeros mean the defaults in brackets. */
typedef struct {
  guint        max_iterations;  /* ICP steps after the first alignment [60] */
  double       trim_fraction;   /* share of the worst pairs dropped, 0-0.9 [0.2] */
  guint        max_samples;     /* scan points used by the fine ICP [4000] */
  double       max_distance;    /* pairs farther apart are not made, mm [8] */
  /* A first alignment to start from (column-major 4x4, scan to CBCT), which
   * skips the automatic search; NULL to search. */
  const float *initial;
} OpRegisterOptions;

typedef struct {
  float  matrix[16];      /* scan -> CBCT, column-major, mm */
  double rms_mm;          /* over the kept pairs */
  double inlier_fraction; /* pairs within max_distance / samples */
  guint  n_pairs;         /* kept pairs in the last step */
  guint  iterations;      /* fine ICP steps taken */
  int    candidate;       /* first alignment used: -1 given, 0 as is, 1-24 axes */
} OpRegisterResult;

/* Registers @moving (the scan) onto @fixed (the CBCT surface).  @options
 * may be NULL.  Fails with OP_REGISTER_ERROR naming which input is at
 * fault. */
gboolean op_register_meshes (const OpMesh            *moving,
                             const OpMesh            *fixed,
                             const OpRegisterOptions *options,
                             OpRegisterResult        *out,
                             GError                 **error);

/* The rigid transform that carries @from[i] closest to @to[i] in the least
 * squares sense (Horn 1987, unit quaternions), for @n >= 3 pairs of points
 * (3 floats each, mm) that are not all on a line.  Writes the column-major
 * matrix into @out and the RMS residual into @out_rms (may be NULL). */
gboolean op_register_points (const float *from,
                             const float *to,
                             guint        n,
                             float        out[16],
                             double      *out_rms,
                             GError     **error);

G_END_DECLS
