/* op-segment-private.h: state shared by the segmentation's source files. */
#pragma once

#include <math.h>
#include <string.h>

#include "op-segment.h"

G_BEGIN_DECLS

static inline float
dot3 (const float a[3], const float b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void
cross3 (const float a[3], const float b[3], float out[3])
{
  float r[3] = { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
  memcpy (out, r, sizeof r);
}

static inline void
normalize3 (float v[3])
{
  float l = sqrtf (dot3 (v, v));
  if (l > 0)
    for (int k = 0; k < 3; k++)
      v[k] /= l;
}

#define OP__ARCH_BINS 720   /* half-degree bins around the arch centre */

/* In the crown mask of pass 1: 1 on crowns that stand as high as their
 * neighbours, OP__SEG_LOW_CROWN on a crown found below them (a low third
 * molar), which the arch profile measures from its own top. */
#define OP__SEG_LOW_CROWN 2

typedef struct {
  const OpMesh *mesh;
  gsize         nv;
  float        *normals;    /* 3 * nv, unit */
  float        *varea;      /* nv: a third of the incident triangles' area */
  guint32      *adj_start;  /* nv + 1: CSR offsets into adj */
  guint32      *adj;        /* neighbour vertices */
  float        *kappa;      /* nv: mean curvature, > 0 convex, 1/mm */
  float        *h;          /* nv: height along the occlusal direction, mm */
  float        *s;          /* nv: arc length along the arch from the midline */
  float        *rho;        /* nv: distance outside (+) the arch curve */
  float         occ[3];     /* towards the crowns */
  float         ant[3];     /* towards the lips, on the midline */
  float         side[3];    /* ant x occ handed: posterior x occlusal */
  float         centre[3];  /* centre of the arch curve (a point in 3D) */
  float         h_top;      /* robust top of the teeth */
  float         arch_r[OP__ARCH_BINS];  /* arch radius per angle bin */
  float         arch_s[OP__ARCH_BINS];  /* arc length at the bin */
  guint         n_threads;
  gint         *cancel;
} OpSegCtx;

typedef struct {
  int   fdi;
  float s0, s1;        /* extent along the arch */
  float confidence;
} OpSegSpan;

/* op-segment-geom.c: the mesh graph (normals, vertex areas, neighbours),
 * smoothed mean curvature, the arch frame and the arch curve.  Orientation
 * fails with OP_SEGMENT_ERROR when the shape is no arch. */
void     op__seg_build_graph  (OpSegCtx *ctx);
void     op__seg_curvature    (OpSegCtx *ctx);
gboolean op__seg_orient       (OpSegCtx *ctx,
                               GError  **error);
/* Fits (or, given the crown mask of pass 1, refits with the low crowns
 * in it) the arch curve, and sets s and rho of every vertex. */
void     op__seg_fit_arch     (OpSegCtx     *ctx,
                               const gint32 *mask);
float    op__seg_percentile   (const float *values,
                               gsize        n,
                               double       q);

/* The teeth found along the arch, numbered, for one jaw. */
typedef struct {
  OpSegSpan *spans;       /* in arch order; fdi set */
  guint      n_spans;
  float      cost;        /* lower is a better fit of widths and gaps */
  int        n_missing;   /* teeth inside the arch judged missing */
  int        n_extra;     /* tooth-like parts left unnumbered */
} OpSegArch;

/* op-segment-split.c: cuts the crown profile along the arch (from
 * @tooth_mask, > 0 on crowns) into teeth and numbers them in one global
 * optimisation, for the upper (@upper TRUE) or lower tooth widths.
 * Returns FALSE when no tooth fits at all. */
gboolean op__seg_split_arch   (const OpSegCtx *ctx,
                               const gint32   *tooth_mask,
                               float           smin,
                               float           smax,
                               gboolean        upper,
                               OpSegArch      *out);
void     op__seg_arch_clear   (OpSegArch *arch);

/* Position of arch angle bin @b, and the unit tangent pointing to growing
 * s there, both in the scan frame. */
void     op__seg_arch_point   (const OpSegCtx *ctx,
                               float           s,
                               float           point[3],
                               float           tangent[3]);

/* Builds the teeth (closed crowns, frames, landmarks, widths) and the
 * gingiva from the final labels. */
void     op__seg_build_teeth  (const OpSegCtx  *ctx,
                               const gint32    *labels,
                               const OpSegSpan *spans,
                               guint            n_spans,
                               OpDentition     *dentition);

G_END_DECLS
