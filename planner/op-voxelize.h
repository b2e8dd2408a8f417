/* op-voxelize.h: which voxels of a grid lie inside a closed mesh.
 *
 * Used to build the alveolar bone stand-in from the initial roots when no
 * CBCT is loaded (op-roots.h), and by tests that make CBCT-like volumes out
 * of real teeth.  The grid is any OpVolume's (dims and transform, tilted or
 * not); the mesh is carried into voxel coordinates and every column of
 * voxels along k is filled between its entry and exit crossings (parity),
 * so the cost is one pass over the triangles plus one over the voxels
 * filled.  Deterministic.
 */
#pragma once

#include "op-mesh.h"
#include "op-volume.h"

G_BEGIN_DECLS

/* Sets @mask[x] = @value for every voxel of @grid's lattice (dims[0] *
 * dims[1] * dims[2], i fastest) whose centre lies inside @mesh carried by
 * @matrix (column-major 4x4, mm; NULL for identity).  Voxels outside are
 * left as they are, so several meshes can be written into one mask.  The
 * mesh should be closed; an open one fills what its crossings pair up.
 * Only @grid's dims and transform are read. */
void op_voxelize_mesh (const OpMesh   *mesh,
                       const float     matrix[16],
                       const OpVolume *grid,
                       guint8         *mask,
                       guint8          value);

/* Grows the non-zero voxels of @mask by @radius_mm (a ball, measured with
 * @grid's spacing): every zero voxel within @radius_mm of a set one gets
 * @value.  Only voxels on the border of the set region spread, so the cost
 * is their number times the ball's size in voxels. */
void op_voxelize_dilate (const OpVolume *grid,
                         guint8         *mask,
                         double          radius_mm,
                         guint8          value);

G_END_DECLS
