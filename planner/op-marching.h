/* op-marching.h: isosurfaces of a volume.
 *
 * The surface is extracted by marching cubes with a case table that
 * op-marching-table.c works out from one rule instead of copying one: on a
 * face whose inside corners sit on a diagonal, the inside corners are kept
 * apart.  The rule looks at the face alone, so the two cubes that share it
 * agree, and a surface that does not reach the edge of the volume is closed
 * and consistently oriented.  Each vertex lies on one lattice edge and is
 * shared by every triangle that meets that edge (welded by construction,
 * nothing is decimated).
 *
 * The work is split over threads by slabs of planes, but vertex and
 * triangle numbers come from per-plane counts, so the output is the same
 * bytes whatever the number of threads.
 */
#pragma once

#include "op-mesh.h"
#include "op-volume.h"

G_BEGIN_DECLS

typedef struct {
  /* Threads to use; 0 means 2 (the build machines' two cores). */
  guint    n_threads;
  /* Compute smooth vertex normals (op_mesh_compute_normals). */
  gboolean normals;
} OpIsoOptions;

/* The surface between voxels below @threshold_raw (outside) and voxels at
 * or above it (inside), in world millimetres, triangles counter-clockwise
 * seen from outside.  @options may be NULL.  Returns a mesh with zero
 * triangles when nothing crosses the threshold, NULL when the output would
 * not fit 32-bit indices. */
OpMesh *op_volume_isosurface (const OpVolume     *volume,
                              double              threshold_raw,
                              const OpIsoOptions *options);

G_END_DECLS
