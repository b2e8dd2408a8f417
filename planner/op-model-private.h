/* op-model-private.h: what op-model.c and op-model-cache.c share. */
#pragma once

#include "op-model.h"

G_BEGIN_DECLS

/* One tooth in one pose, voxelised on the global lattice of step @h (the
 * lattice whose voxel centres sit at integer multiples of @h in world
 * millimetres), so that it can be copied into any model grid of the same
 * step whatever that grid's extent.  Immutable once made. */
typedef struct {
  /* The key: the crown mesh, its pose and the step. */
  const OpMesh *crown;
  float         matrix[16];
  double        h;
  /* The posed crown's bounds (mm). */
  double        bmin[3];
  double        bmax[3];
  /* Lattice index of voxel (0, 0, 0) of @mask along x, y, z, and the
   * sub-grid's size; @mask is n[0] * n[1] * n[2], i fastest, 1 inside. */
  gint64        lo[3];
  int           n[3];
  guint8       *mask;
} OpModelTooth;

void op__model_tooth_free (OpModelTooth *tooth);

/* The tooth @crown posed by @matrix on the lattice of step @h: from
 * @cache when it holds it (the result is then borrowed and *@owned is
 * NULL), otherwise made, added to @cache when there is room, and returned
 * with *@owned set when the caller must free it.  @cache may be NULL.
 * The mask is the same bytes whether it came from the cache or not. */
const OpModelTooth *op__model_tooth_get (OpModelCache  *cache,
                                         const OpMesh  *crown,
                                         const float    matrix[16],
                                         double         h,
                                         OpModelTooth **owned);

G_END_DECLS
