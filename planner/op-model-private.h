/* op-model-private.h: what op-model.c and op-model-cache.c share. */
#pragma once

#include "op-bvh.h"
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
  /* @mask grown by OP_MODEL_NEAR_VOXELS in every direction (a box), on
   * the same sub-grid: where a neighbour's surface would be too close
   * for the crown's own to be trusted (op-model-snap.c). */
  guint8       *near;
  /* Closest crown points already found for lattice edges near this
   * tooth in this pose (op-model-snap.c): the one part that changes after
   * the tooth is made, so under its own lock.  Each answer depends only
   * on its key, so which stage or thread found it first does not show. */
  GMutex        memo_lock;
  GHashTable   *memo;          /* edge key -> 1 + index into @memo_points, or 0: none in reach */
  GArray       *memo_points;   /* float[3] world mm */
  /* Voxelised: set under the cache's lock once @mask and @near are
   * filled; until then other threads wait for it. */
  gboolean      ready;
} OpModelTooth;

/* How far (in voxels) a tooth reaches for the contact test of the crown
 * snap, and so how much empty border its sub-grid keeps. */
#define OP_MODEL_NEAR_VOXELS 1

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

/* The tree over @crown in its own (unposed) coordinates, shared like the
 * teeth; *@owned is set when the caller must free it. */
const OpBvh *op__model_bvh_get (OpModelCache  *cache,
                                const OpMesh  *crown,
                                OpBvh        **owned);

/* Where the model's grid is, for op__model_snap(). */
typedef struct {
  const guint8 *mask;     /* the final mask, n[0] * n[1] * n[2] */
  int           n[3];
  gint64        lo[3];    /* lattice index of voxel (0, 0, 0) */
  double        h;
  double        sign;     /* s = sign * z grows towards the occlusal plane */
  double        s_min;    /* no vertex below this s is moved */
} OpModelSnapGrid;

/* Moves each isosurface vertex of @mesh that stands for exactly one
 * tooth's crown, away from other teeth, the base and the attachments,
 * onto the closest point of that crown's exact posed surface; a triangle
 * that the move would turn over keeps its vertices where they were.
 * Returns how many vertices moved. */
gsize op__model_snap (OpMesh                    *mesh,
                      const OpModelSnapGrid     *grid,
                      const OpModelTooth *const *teeth,
                      guint                      n_teeth,
                      OpModelCache              *cache);

G_END_DECLS
