/* op-bvh.h: a bounding volume hierarchy over one tooth's triangle mesh.
 *
 * Built once per tooth in its initial pose, then queried with points that
 * the caller has carried into the mesh's own (initial) coordinates, so a
 * moving tooth never needs its tree rebuilt.  Besides the triangle tree it
 * keeps a second tree over the vertices, which op-collide.h walks to find
 * the deepest or closest vertex of one tooth against the other without
 * visiting every vertex.
 *
 * Signed distances use the angle-weighted pseudo-normals of Baerentzen and
 * Aanaes (2005): the sign of a point is that of (point - closest point)
 * against the pseudo-normal of the closest feature (face, edge or vertex),
 * which is exact for a closed, consistently oriented surface and costs no
 * more than the closest-point query itself.  Where the mesh is not closed
 * (op_bvh_is_closed() is FALSE) the sign falls back to the parity of three
 * axis rays, the majority of which decides.
 *
 * Everything is deterministic: the same mesh gives the same tree and the
 * same answers, bit for bit.  A built tree is read-only and may be queried
 * from several threads at once.
 */
#pragma once

#include "op-mesh.h"

G_BEGIN_DECLS

typedef struct _OpBvh OpBvh;

/* Builds the trees over @n_triangles triangles (3 indices each, counter-
 * clockwise seen from outside) of @n_vertices positions (3 floats each,
 * mm).  The data are copied.  Vertices that no triangle uses are left out
 * of the vertex tree.  Preconditions: at least one triangle, indices in
 * range, finite positions (op_mesh_validate()); otherwise NULL. */
OpBvh     *op_bvh_new            (const float   *positions,
                                  gsize          n_vertices,
                                  const guint32 *indices,
                                  gsize          n_triangles);
OpBvh     *op_bvh_new_for_mesh   (const OpMesh  *mesh);
void       op_bvh_free           (OpBvh         *bvh);

gsize      op_bvh_get_n_triangles (const OpBvh *bvh);
gsize      op_bvh_get_n_vertices  (const OpBvh *bvh);   /* used vertices */
gsize      op_bvh_get_n_nodes     (const OpBvh *bvh);   /* triangle tree */
/* Axis-aligned bounds of the used vertices, mm. */
void       op_bvh_get_bounds      (const OpBvh *bvh,
                                   float        min[3],
                                   float        max[3]);
/* Centre and radius of a sphere around every used vertex (not the
 * smallest one, but deterministic and within 15% of it for teeth). */
void       op_bvh_get_sphere      (const OpBvh *bvh,
                                   float        centre[3],
                                   float       *radius);
/* Every edge is shared by exactly two triangles that run it in opposite
 * directions, so inside and outside are well defined. */
gboolean   op_bvh_is_closed       (const OpBvh *bvh);

typedef struct {
  float   point[3];      /* closest point on the surface, mm */
  float   normal[3];     /* pseudo-normal there, unit, pointing outwards */
  float   distance;      /* mm; signed queries: negative inside */
  guint32 triangle;      /* index of the triangle holding @point */
} OpBvhHit;

/* The closest point of the surface to @p.  Only points nearer than
 * @max_distance (mm; G_MAXFLOAT for no bound) are searched for, which
 * prunes most of the tree; FALSE when there is none, and @out is then
 * untouched.  @out->distance is unsigned here. */
gboolean   op_bvh_closest         (const OpBvh *bvh,
                                   const float  p[3],
                                   float        max_distance,
                                   OpBvhHit    *out);

/* Like op_bvh_closest() but @out->distance is negative when @p is inside
 * the surface.  With a bound, a point farther than @max_distance from the
 * surface returns FALSE whether inside or outside. */
gboolean   op_bvh_signed_distance (const OpBvh *bvh,
                                   const float  p[3],
                                   float        max_distance,
                                   OpBvhHit    *out);

/* Whether @p lies inside the surface, by ray parity (three rays, majority)
 * through the tree.  Independent of the pseudo-normals, so tests can use it
 * to check them. */
gboolean   op_bvh_contains        (const OpBvh *bvh,
                                   const float  p[3]);

/* The vertex tree, for op-collide.c: nodes in depth-first order, each with
 * the bounding sphere of its vertices; a leaf lists vertex positions. */
typedef struct {
  float   centre[3];
  float   radius;
  guint32 first;        /* leaf: first entry in the vertex list; inner: left child */
  guint32 count;        /* leaf: number of vertices (> 0); inner: 0 */
  guint32 right;        /* inner: right child; leaf: 0 */
} OpBvhVertexNode;

const OpBvhVertexNode *op_bvh_get_vertex_nodes (const OpBvh *bvh,
                                                gsize       *n_nodes);
/* 3 floats per used vertex, in the order the leaves refer to. */
const float           *op_bvh_get_vertex_list  (const OpBvh *bvh,
                                                gsize       *n_vertices);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpBvh, op_bvh_free)

G_END_DECLS
