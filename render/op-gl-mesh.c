/* op-gl-mesh.c: uploading meshes into vertex arrays.
 *
 * Attributes a mesh lacks are left disabled in its vertex array and take
 * a constant value set just before drawing: a missing normal array makes
 * the fragment shader use facet normals, missing colours give a neutral
 * grey and missing labels read as gingiva. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "op-gl-mesh.h"

/* Neutral grey for OP_MATERIAL_VERTEX_COLOR on a mesh without colours. */
#define DEFAULT_GREY 0.72f

static void
op__gl_mesh_bounds (OpGlMesh     *self,
                    const OpMesh *mesh)
{
  /* Computed here rather than trusting mesh->bbox_*, which is only valid
   * after op_mesh_compute_bounds() and the mesh is const. */
  for (int i = 0; i < 3; i++)
    {
      self->bbox_min[i] = INFINITY;
      self->bbox_max[i] = -INFINITY;
    }

  for (gsize v = 0; v < mesh->n_vertices; v++)
    for (int i = 0; i < 3; i++)
      {
        float x = mesh->positions[v * 3 + i];
        self->bbox_min[i] = MIN (self->bbox_min[i], x);
        self->bbox_max[i] = MAX (self->bbox_max[i], x);
      }

  if (mesh->n_vertices == 0)
    for (int i = 0; i < 3; i++)
      self->bbox_min[i] = self->bbox_max[i] = 0.f;
}

gboolean
op__gl_mesh_upload (OpGlMesh     *self,
                    const OpMesh *mesh)
{
  gsize n = mesh->n_vertices;
  gsize size_pos = n * 3 * sizeof (float);
  gsize size_nrm = mesh->normals ? n * 3 * sizeof (float) : 0;
  gsize size_col = mesh->colors ? n * 4 : 0;
  gsize size_lab = mesh->labels ? n * sizeof (gint32) : 0;
  gsize n_indices = mesh->n_triangles * 3;
  gsize offset = 0;

  memset (self, 0, sizeof *self);

  if (n == 0 || mesh->n_triangles == 0)
    return FALSE;

  self->has_normals = mesh->normals != NULL;
  self->has_colors = mesh->colors != NULL;
  self->has_labels = mesh->labels != NULL;
  self->n_indices = (GLsizei) n_indices;
  op__gl_mesh_bounds (self, mesh);

  glGenVertexArrays (1, &self->vao);
  glBindVertexArray (self->vao);

  glGenBuffers (1, &self->vbo);
  glBindBuffer (GL_ARRAY_BUFFER, self->vbo);
  glBufferData (GL_ARRAY_BUFFER, (GLsizeiptr) (size_pos + size_nrm + size_col + size_lab),
                NULL, GL_STATIC_DRAW);

  glBufferSubData (GL_ARRAY_BUFFER, (GLintptr) offset, (GLsizeiptr) size_pos, mesh->positions);
  glEnableVertexAttribArray (OP_GL_ATTR_POSITION);
  glVertexAttribPointer (OP_GL_ATTR_POSITION, 3, GL_FLOAT, GL_FALSE, 0, (const void *) offset);
  offset += size_pos;

  if (size_nrm > 0)
    {
      glBufferSubData (GL_ARRAY_BUFFER, (GLintptr) offset, (GLsizeiptr) size_nrm, mesh->normals);
      glEnableVertexAttribArray (OP_GL_ATTR_NORMAL);
      glVertexAttribPointer (OP_GL_ATTR_NORMAL, 3, GL_FLOAT, GL_FALSE, 0, (const void *) offset);
      offset += size_nrm;
    }

  if (size_col > 0)
    {
      glBufferSubData (GL_ARRAY_BUFFER, (GLintptr) offset, (GLsizeiptr) size_col, mesh->colors);
      glEnableVertexAttribArray (OP_GL_ATTR_COLOR);
      glVertexAttribPointer (OP_GL_ATTR_COLOR, 4, GL_UNSIGNED_BYTE, GL_TRUE, 0, (const void *) offset);
      offset += size_col;
    }

  if (size_lab > 0)
    {
      /* The I variant keeps labels integers: FDI numbers compare exactly. */
      glBufferSubData (GL_ARRAY_BUFFER, (GLintptr) offset, (GLsizeiptr) size_lab, mesh->labels);
      glEnableVertexAttribArray (OP_GL_ATTR_LABEL);
      glVertexAttribIPointer (OP_GL_ATTR_LABEL, 1, GL_INT, 0, (const void *) offset);
      offset += size_lab;
    }

  glGenBuffers (1, &self->ibo);
  glBindBuffer (GL_ELEMENT_ARRAY_BUFFER, self->ibo);

  /* 16-bit indices halve the index buffer of small meshes; a mesh with
   * more than 2^16 vertices needs 32 bits. */
  if (n <= 65536)
    {
      g_autofree guint16 *short_indices = g_new (guint16, n_indices);

      for (gsize i = 0; i < n_indices; i++)
        short_indices[i] = (guint16) mesh->indices[i];

      self->index_type = GL_UNSIGNED_SHORT;
      glBufferData (GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr) (n_indices * sizeof (guint16)),
                    short_indices, GL_STATIC_DRAW);
    }
  else
    {
      self->index_type = GL_UNSIGNED_INT;
      glBufferData (GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr) (n_indices * sizeof (guint32)),
                    mesh->indices, GL_STATIC_DRAW);
    }

  /* The element buffer binding is vertex array state and must stay bound
   * to it; only the vertex array itself is unbound. */
  glBindVertexArray (0);
  glBindBuffer (GL_ARRAY_BUFFER, 0);

  return TRUE;
}

void
op__gl_mesh_draw (const OpGlMesh *self)
{
  /* Constant attribute values are context state, not vertex array
   * state, so they are set for every draw. */
  if (!self->has_normals)
    glVertexAttrib3f (OP_GL_ATTR_NORMAL, 0.f, 0.f, 1.f);
  if (!self->has_colors)
    glVertexAttrib4f (OP_GL_ATTR_COLOR, DEFAULT_GREY, DEFAULT_GREY, DEFAULT_GREY, 1.f);
  if (!self->has_labels)
    glVertexAttribI4i (OP_GL_ATTR_LABEL, 0, 0, 0, 0);

  glBindVertexArray (self->vao);
  glDrawElements (GL_TRIANGLES, self->n_indices, self->index_type, NULL);
}

void
op__gl_mesh_delete (OpGlMesh *self)
{
  if (self->ibo != 0)
    glDeleteBuffers (1, &self->ibo);
  if (self->vbo != 0)
    glDeleteBuffers (1, &self->vbo);
  if (self->vao != 0)
    glDeleteVertexArrays (1, &self->vao);

  memset (self, 0, sizeof *self);
}
