/* op-mesh.h: an indexed triangle mesh in millimetres.
 *
 * OpMesh is the one geometry type that flows from import through
 * segmentation and planning to rendering and export.  Arrays are flat and
 * owned by the mesh; optional attributes are NULL when absent.
 *
 * The world frame of every dentition is DICOM's patient frame (LPS):
 * +x towards the patient's left, +y posterior, +z superior, in millimetres.
 * It is right-handed, and a CBCT volume is already in it.  Scans arrive in
 * whatever frame the scanner used; segmentation finds their orientation.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OP_MESH_ATTR_NONE    = 0,
  OP_MESH_ATTR_NORMALS = 1 << 0,
  OP_MESH_ATTR_COLORS  = 1 << 1,
  OP_MESH_ATTR_LABELS  = 1 << 2,
} OpMeshAttrs;

typedef struct {
  float   *positions;   /* 3 * n_vertices, millimetres */
  float   *normals;     /* 3 * n_vertices, unit length, or NULL */
  guint8  *colors;      /* 4 * n_vertices, RGBA 0-255, or NULL */
  gint32  *labels;      /* n_vertices, 0 = gingiva/other, else FDI, or NULL */
  guint32 *indices;     /* 3 * n_triangles, counter-clockwise seen from outside */
  gsize    n_vertices;
  gsize    n_triangles;
  float    bbox_min[3]; /* valid after op_mesh_compute_bounds() */
  float    bbox_max[3];
} OpMesh;

/* Allocates a mesh with zeroed positions and indices and the optional
 * attributes named in @attrs.  Positions and indices always exist. */
OpMesh   *op_mesh_new              (gsize        n_vertices,
                                    gsize        n_triangles,
                                    OpMeshAttrs  attrs);
OpMesh   *op_mesh_copy             (const OpMesh *mesh);
void      op_mesh_free             (OpMesh      *mesh);

/* Adds (zeroed) or drops an optional attribute array. */
void      op_mesh_set_attrs        (OpMesh      *mesh,
                                    OpMeshAttrs  attrs);
OpMeshAttrs op_mesh_get_attrs      (const OpMesh *mesh);

/* Fills bbox_min/bbox_max from the positions; an empty mesh gets zeros. */
void      op_mesh_compute_bounds   (OpMesh      *mesh);

/* Computes smooth, area-weighted vertex normals from the triangles,
 * allocating the normals array if needed.  Vertices that belong to no
 * triangle get (0, 0, 1). */
void      op_mesh_compute_normals  (OpMesh      *mesh);

/* Size of the bounding box diagonal in mm and its centre. */
float     op_mesh_get_extent       (const OpMesh *mesh,
                                    float         centre[3]);

/* Checks what every consumer relies on: at least one triangle, finite
 * coordinates, and indices inside the vertex range.  Returns FALSE and sets
 * an OP_MESH_ERROR naming the first offending vertex or triangle. */
gboolean  op_mesh_validate         (const OpMesh *mesh,
                                    GError      **error);

/* Applies a column-major 4x4 transform to positions (and rotates normals). */
void      op_mesh_transform        (OpMesh      *mesh,
                                    const float   matrix[16]);

/* Appends @other to @mesh (attributes present in either are kept; the
 * missing side is filled with defaults). */
void      op_mesh_append           (OpMesh       *mesh,
                                    const OpMesh *other);

/* Total surface area in mm^2 and signed volume in mm^3 (positive for a
 * closed, outward-facing surface). */
double    op_mesh_area             (const OpMesh *mesh);
double    op_mesh_volume           (const OpMesh *mesh);

#define OP_MESH_ERROR (op_mesh_error_quark ())
GQuark op_mesh_error_quark (void);

typedef enum {
  OP_MESH_ERROR_EMPTY,
  OP_MESH_ERROR_NOT_FINITE,
  OP_MESH_ERROR_INDEX_RANGE,
} OpMeshError;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpMesh, op_mesh_free)

G_END_DECLS
