/* op-segment-private.h: state shared by the segmentation's source files. */
#pragma once

#include "op-segment.h"

G_BEGIN_DECLS

#define OP__ARCH_BINS 720   /* half-degree bins around the arch centre */

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
