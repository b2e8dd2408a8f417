/* op-mesh-io-private.h: what the mesh import and export files share.
 *
 * op-mesh-io.c owns detection, the Assimp path and the weld; op-mesh-ply.c
 * owns our own PLY reader (for the labels Assimp drops); op-mesh-write.c
 * owns the writers.  None of this is public API.
 */
#pragma once

#include "op-mesh-io.h"

G_BEGIN_DECLS

/* What the PLY header says, enough to decide which reader to use and to
 * refuse absurd sizes before parsing. */
typedef struct {
  gboolean binary;
  gboolean big_endian;
  gsize    n_vertices;
  gsize    n_faces;        /* 0 when there is no face element */
  gboolean has_faces;      /* a face element with a vertex index list */
  gboolean has_colors;     /* red/green/blue on the vertex element */
  gboolean has_labels;     /* a scalar "label" on the vertex element */
} OpPlyHeaderInfo;

/* Parses only the header of a PLY file.  @display is the file's base name,
 * used at the start of every error message. */
gboolean op__ply_read_header (const guint8    *data,
                              gsize            size,
                              const char      *display,
                              OpPlyHeaderInfo *out,
                              GError         **error);

/* Reads a whole PLY file (positions, colours, labels, faces) into an
 * unwelded mesh whose vertices are in the file's order.  Polygons are split
 * into fans.  Checks face indices against the vertex count. */
OpMesh  *op__ply_read        (const guint8    *data,
                              gsize            size,
                              const char      *display,
                              gsize            max_triangles,
                              GError         **error);

/* Called by op__mesh_weld_arrays once it has stopped reading its input. */
typedef void (*OpWeldInputDone) (gpointer user_data);

/* Builds a welded mesh from flat arrays.  @indices may be NULL, meaning the
 * vertices are already laid out three per triangle (as STL is); then
 * @n_indices must equal @n_vertices.  @colors (RGBA8) and @labels may be
 * NULL.  Every index must be below @n_vertices.
 *
 * @input_done, when not NULL, is called exactly once, on the calling
 * thread, as soon as the weld no longer reads @positions, @indices,
 * @colors or @labels; that may be well before the weld returns, so the
 * caller can start freeing the input while the weld finishes. */
OpMesh  *op__mesh_weld_arrays (const float    *positions,
                               gsize           n_vertices,
                               const guint32  *indices,
                               gsize           n_indices,
                               const guint8   *colors,
                               const gint32   *labels,
                               OpWeldInputDone input_done,
                               gpointer        user_data);

G_END_DECLS
