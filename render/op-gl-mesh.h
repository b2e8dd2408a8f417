/* op-gl-mesh.h: one OpMesh in GPU buffers (internal).
 *
 * A single vertex buffer holds the attributes one after another
 * (positions, normals, colours, labels) so that uploading copies the
 * mesh's flat arrays as they are, with no interleaving pass. */
#pragma once

#include <epoxy/gl.h>
#include <glib.h>

#include "op-mesh.h"

G_BEGIN_DECLS

/* Attribute locations shared with data/shaders/mesh.vert. */
enum {
  OP_GL_ATTR_POSITION = 0,
  OP_GL_ATTR_NORMAL   = 1,
  OP_GL_ATTR_COLOR    = 2,
  OP_GL_ATTR_LABEL    = 3,
};

typedef struct {
  GLuint   vao;
  GLuint   vbo;
  GLuint   ibo;
  GLenum   index_type;   /* GL_UNSIGNED_SHORT up to 2^16 vertices, else GL_UNSIGNED_INT */
  GLsizei  n_indices;
  gboolean has_normals;
  gboolean has_colors;
  gboolean has_labels;
  float    bbox_min[3];  /* model space */
  float    bbox_max[3];
} OpGlMesh;

/* Needs a current context; fills @out.  Returns FALSE for a mesh with no
 * triangles, leaving @out empty. */
gboolean op__gl_mesh_upload (OpGlMesh     *out,
                             const OpMesh *mesh);
/* Sets the constant values of the attributes the mesh lacks, binds the
 * vertex array and draws. */
void     op__gl_mesh_draw   (const OpGlMesh *self);
void     op__gl_mesh_delete (OpGlMesh *self);

G_END_DECLS
