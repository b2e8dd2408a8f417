/* op-mesh-io.h: reading and writing scan meshes (STL, PLY, OBJ, GLB).
 *
 * Import goes through Assimp without JoinIdenticalVertices (20-40 times
 * slower); positions are welded with meshoptimizer's remap, smooth normals
 * are computed, and PLY per-vertex labels (which Assimp drops) are read by
 * a small header-driven reader.  Every failure is a GError in
 * OP_MESH_IO_ERROR whose message starts with the file's name.
 */
#pragma once

#include <gio/gio.h>

#include "op-mesh.h"

G_BEGIN_DECLS

typedef enum {
  OP_MESH_FORMAT_UNKNOWN,
  OP_MESH_FORMAT_STL,
  OP_MESH_FORMAT_PLY,
  OP_MESH_FORMAT_OBJ,
  OP_MESH_FORMAT_GLB,
} OpMeshFormat;

#define OP_MESH_DEFAULT_MAX_TRIANGLES 5000000

typedef struct {
  /* 0 means OP_MESH_DEFAULT_MAX_TRIANGLES. */
  gsize max_triangles;
} OpMeshLoadOptions;

/* What the file said about itself, beyond the mesh. */
typedef struct {
  OpMeshFormat format;
  gboolean     binary;       /* STL/PLY: binary rather than ASCII */
  gsize        source_vertices; /* vertices before welding */
  gboolean     had_colors;
  gboolean     had_labels;
} OpMeshInfo;

#define OP_MESH_IO_ERROR (op_mesh_io_error_quark ())
GQuark op_mesh_io_error_quark (void);

typedef enum {
  OP_MESH_IO_ERROR_READ,          /* could not read the file */
  OP_MESH_IO_ERROR_EMPTY,         /* zero bytes */
  OP_MESH_IO_ERROR_UNKNOWN_FORMAT,
  OP_MESH_IO_ERROR_TRUNCATED,     /* declared size against the real size */
  OP_MESH_IO_ERROR_PARSE,         /* malformed content */
  OP_MESH_IO_ERROR_NOT_FINITE,    /* NaN or Inf coordinate */
  OP_MESH_IO_ERROR_NO_TRIANGLES,
  OP_MESH_IO_ERROR_INDEX_RANGE,
  OP_MESH_IO_ERROR_TOO_LARGE,     /* over max_triangles */
  OP_MESH_IO_ERROR_WRITE,
  OP_MESH_IO_ERROR_CANCELLED,
} OpMeshIOError;

const char   *op_mesh_format_to_string   (OpMeshFormat format);   /* "stl", "ply", ... */
OpMeshFormat  op_mesh_format_from_string (const char  *str);      /* "stl", "STL" */
/* Guesses from the extension, then from the content (@data may be NULL). */
OpMeshFormat  op_mesh_format_detect      (const char  *name,
                                          const guint8 *data,
                                          gsize        size);

/* Loads from bytes already in memory (the store keeps the original bytes,
 * so import reads a file once, hashes it and parses the same buffer).
 * @name is used for the format guess and in every error message. */
OpMesh   *op_mesh_load_bytes (GBytes                  *bytes,
                              const char              *name,
                              const OpMeshLoadOptions *options,
                              OpMeshInfo              *out_info,
                              GCancellable            *cancellable,
                              GError                 **error);

OpMesh   *op_mesh_load       (const char              *path,
                              const OpMeshLoadOptions *options,
                              OpMeshInfo              *out_info,
                              GCancellable            *cancellable,
                              GError                 **error);

/* Writes @mesh as binary STL, binary little-endian PLY (with colours and
 * labels when present) or glTF binary.  The file is written to a temporary
 * name and renamed, so a failure never leaves a half-written file. */
gboolean  op_mesh_save       (const OpMesh  *mesh,
                              const char    *path,
                              OpMeshFormat   format,
                              GError       **error);

/* Welds vertices with identical positions (meshoptimizer remap), keeping
 * the first colour/label seen for each position (in vertex order) and
 * dropping vertices no triangle uses.  Normals, when present, are
 * recomputed; the bounds are updated.  Every index must be below
 * n_vertices. */
void      op_mesh_weld       (OpMesh *mesh);

G_END_DECLS
