/* op-mesh.c: the core mesh container and its small geometric helpers. */
#include "op-mesh.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (op-mesh-error-quark, op_mesh_error)

OpMesh *
op_mesh_new (gsize       n_vertices,
             gsize       n_triangles,
             OpMeshAttrs attrs)
{
  OpMesh *mesh = g_new0 (OpMesh, 1);

  mesh->n_vertices = n_vertices;
  mesh->n_triangles = n_triangles;
  mesh->positions = g_new0 (float, 3 * MAX (n_vertices, 1));
  mesh->indices = g_new0 (guint32, 3 * MAX (n_triangles, 1));
  op_mesh_set_attrs (mesh, attrs);
  return mesh;
}

void
op_mesh_set_attrs (OpMesh      *mesh,
                   OpMeshAttrs  attrs)
{
  gsize n = MAX (mesh->n_vertices, 1);

  g_return_if_fail (mesh != NULL);

  if ((attrs & OP_MESH_ATTR_NORMALS) && mesh->normals == NULL)
    mesh->normals = g_new0 (float, 3 * n);
  else if (!(attrs & OP_MESH_ATTR_NORMALS))
    g_clear_pointer (&mesh->normals, g_free);

  if ((attrs & OP_MESH_ATTR_COLORS) && mesh->colors == NULL)
    mesh->colors = g_new0 (guint8, 4 * n);
  else if (!(attrs & OP_MESH_ATTR_COLORS))
    g_clear_pointer (&mesh->colors, g_free);

  if ((attrs & OP_MESH_ATTR_LABELS) && mesh->labels == NULL)
    mesh->labels = g_new0 (gint32, n);
  else if (!(attrs & OP_MESH_ATTR_LABELS))
    g_clear_pointer (&mesh->labels, g_free);
}

OpMeshAttrs
op_mesh_get_attrs (const OpMesh *mesh)
{
  OpMeshAttrs attrs = OP_MESH_ATTR_NONE;

  if (mesh->normals)
    attrs |= OP_MESH_ATTR_NORMALS;
  if (mesh->colors)
    attrs |= OP_MESH_ATTR_COLORS;
  if (mesh->labels)
    attrs |= OP_MESH_ATTR_LABELS;
  return attrs;
}

OpMesh *
op_mesh_copy (const OpMesh *mesh)
{
  OpMesh *copy;
  gsize nv;

  g_return_val_if_fail (mesh != NULL, NULL);

  copy = op_mesh_new (mesh->n_vertices, mesh->n_triangles, op_mesh_get_attrs (mesh));
  nv = mesh->n_vertices;
  memcpy (copy->positions, mesh->positions, sizeof (float) * 3 * nv);
  memcpy (copy->indices, mesh->indices, sizeof (guint32) * 3 * mesh->n_triangles);
  if (mesh->normals)
    memcpy (copy->normals, mesh->normals, sizeof (float) * 3 * nv);
  if (mesh->colors)
    memcpy (copy->colors, mesh->colors, 4 * nv);
  if (mesh->labels)
    memcpy (copy->labels, mesh->labels, sizeof (gint32) * nv);
  memcpy (copy->bbox_min, mesh->bbox_min, sizeof mesh->bbox_min);
  memcpy (copy->bbox_max, mesh->bbox_max, sizeof mesh->bbox_max);
  return copy;
}

void
op_mesh_free (OpMesh *mesh)
{
  if (mesh == NULL)
    return;
  g_free (mesh->positions);
  g_free (mesh->normals);
  g_free (mesh->colors);
  g_free (mesh->labels);
  g_free (mesh->indices);
  g_free (mesh);
}

void
op_mesh_compute_bounds (OpMesh *mesh)
{
  g_return_if_fail (mesh != NULL);

  if (mesh->n_vertices == 0)
    {
      memset (mesh->bbox_min, 0, sizeof mesh->bbox_min);
      memset (mesh->bbox_max, 0, sizeof mesh->bbox_max);
      return;
    }

  for (int k = 0; k < 3; k++)
    mesh->bbox_min[k] = mesh->bbox_max[k] = mesh->positions[k];

  for (gsize i = 1; i < mesh->n_vertices; i++)
    for (int k = 0; k < 3; k++)
      {
        float v = mesh->positions[3 * i + k];
        if (v < mesh->bbox_min[k])
          mesh->bbox_min[k] = v;
        if (v > mesh->bbox_max[k])
          mesh->bbox_max[k] = v;
      }
}

float
op_mesh_get_extent (const OpMesh *mesh,
                    float         centre[3])
{
  float d2 = 0.f;

  for (int k = 0; k < 3; k++)
    {
      float d = mesh->bbox_max[k] - mesh->bbox_min[k];
      if (centre)
        centre[k] = 0.5f * (mesh->bbox_max[k] + mesh->bbox_min[k]);
      d2 += d * d;
    }
  return sqrtf (d2);
}

void
op_mesh_compute_normals (OpMesh *mesh)
{
  float *n;

  g_return_if_fail (mesh != NULL);

  op_mesh_set_attrs (mesh, op_mesh_get_attrs (mesh) | OP_MESH_ATTR_NORMALS);
  n = mesh->normals;
  memset (n, 0, sizeof (float) * 3 * mesh->n_vertices);

  /* The unnormalised cross product is twice the triangle's area, so summing
   * it weights each face by area: large faces dominate, slivers do not. */
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[3 * t];
      const float *a = &mesh->positions[3 * tri[0]];
      const float *b = &mesh->positions[3 * tri[1]];
      const float *c = &mesh->positions[3 * tri[2]];
      double e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
      double e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
      double fn[3] = {
        e1[1] * e2[2] - e1[2] * e2[1],
        e1[2] * e2[0] - e1[0] * e2[2],
        e1[0] * e2[1] - e1[1] * e2[0],
      };

      for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++)
          n[3 * tri[v] + k] += (float) fn[k];
    }

  for (gsize i = 0; i < mesh->n_vertices; i++)
    {
      float *v = &n[3 * i];
      float len = sqrtf (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);

      if (len > 0.f && isfinite (len))
        {
          v[0] /= len;
          v[1] /= len;
          v[2] /= len;
        }
      else
        {
          v[0] = 0.f;
          v[1] = 0.f;
          v[2] = 1.f;
        }
    }
}

gboolean
op_mesh_validate (const OpMesh *mesh,
                  GError      **error)
{
  g_return_val_if_fail (mesh != NULL, FALSE);

  if (mesh->n_triangles == 0 || mesh->n_vertices == 0)
    {
      g_set_error_literal (error, OP_MESH_ERROR, OP_MESH_ERROR_EMPTY,
                           "the mesh has no triangles");
      return FALSE;
    }

  for (gsize i = 0; i < 3 * mesh->n_vertices; i++)
    if (!isfinite (mesh->positions[i]))
      {
        g_set_error (error, OP_MESH_ERROR, OP_MESH_ERROR_NOT_FINITE,
                     "vertex %" G_GSIZE_FORMAT " has a coordinate that is not a finite number (%g)",
                     i / 3, (double) mesh->positions[i]);
        return FALSE;
      }

  for (gsize i = 0; i < 3 * mesh->n_triangles; i++)
    if (mesh->indices[i] >= mesh->n_vertices)
      {
        g_set_error (error, OP_MESH_ERROR, OP_MESH_ERROR_INDEX_RANGE,
                     "triangle %" G_GSIZE_FORMAT " refers to vertex %u but there are only %" G_GSIZE_FORMAT " vertices",
                     i / 3, mesh->indices[i], mesh->n_vertices);
        return FALSE;
      }

  return TRUE;
}

void
op_mesh_transform (OpMesh      *mesh,
                   const float  m[16])
{
  g_return_if_fail (mesh != NULL);

  for (gsize i = 0; i < mesh->n_vertices; i++)
    {
      float *p = &mesh->positions[3 * i];
      float x = p[0], y = p[1], z = p[2];

      p[0] = m[0] * x + m[4] * y + m[8] * z + m[12];
      p[1] = m[1] * x + m[5] * y + m[9] * z + m[13];
      p[2] = m[2] * x + m[6] * y + m[10] * z + m[14];

      if (mesh->normals)
        {
          float *n = &mesh->normals[3 * i];
          float a = n[0], b = n[1], c = n[2];

          /* Rigid transforms only: the rotation part maps normals as is. */
          n[0] = m[0] * a + m[4] * b + m[8] * c;
          n[1] = m[1] * a + m[5] * b + m[9] * c;
          n[2] = m[2] * a + m[6] * b + m[10] * c;
        }
    }
  op_mesh_compute_bounds (mesh);
}

void
op_mesh_append (OpMesh       *mesh,
                const OpMesh *other)
{
  gsize nv0 = mesh->n_vertices, nt0 = mesh->n_triangles;
  gsize nv = nv0 + other->n_vertices, nt = nt0 + other->n_triangles;
  OpMeshAttrs attrs = op_mesh_get_attrs (mesh) | op_mesh_get_attrs (other);

  mesh->positions = g_renew (float, mesh->positions, 3 * MAX (nv, 1));
  memcpy (mesh->positions + 3 * nv0, other->positions, sizeof (float) * 3 * other->n_vertices);
  mesh->indices = g_renew (guint32, mesh->indices, 3 * MAX (nt, 1));
  for (gsize i = 0; i < 3 * other->n_triangles; i++)
    mesh->indices[3 * nt0 + i] = other->indices[i] + (guint32) nv0;

  if (attrs & OP_MESH_ATTR_NORMALS)
    {
      mesh->normals = mesh->normals ? g_renew (float, mesh->normals, 3 * nv) : g_new0 (float, 3 * nv);
      if (other->normals)
        memcpy (mesh->normals + 3 * nv0, other->normals, sizeof (float) * 3 * other->n_vertices);
      else
        memset (mesh->normals + 3 * nv0, 0, sizeof (float) * 3 * other->n_vertices);
    }
  if (attrs & OP_MESH_ATTR_COLORS)
    {
      gboolean had = mesh->colors != NULL;

      mesh->colors = had ? g_renew (guint8, mesh->colors, 4 * nv) : g_malloc (4 * nv);
      if (!had)
        memset (mesh->colors, 255, 4 * nv0);
      if (other->colors)
        memcpy (mesh->colors + 4 * nv0, other->colors, 4 * other->n_vertices);
      else
        memset (mesh->colors + 4 * nv0, 255, 4 * other->n_vertices);
    }
  if (attrs & OP_MESH_ATTR_LABELS)
    {
      mesh->labels = mesh->labels ? g_renew (gint32, mesh->labels, nv) : g_new0 (gint32, nv);
      if (other->labels)
        memcpy (mesh->labels + nv0, other->labels, sizeof (gint32) * other->n_vertices);
      else
        memset (mesh->labels + nv0, 0, sizeof (gint32) * other->n_vertices);
    }

  mesh->n_vertices = nv;
  mesh->n_triangles = nt;
  op_mesh_compute_bounds (mesh);
}

double
op_mesh_area (const OpMesh *mesh)
{
  double area = 0.0;

  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[3 * t];
      const float *a = &mesh->positions[3 * tri[0]];
      const float *b = &mesh->positions[3 * tri[1]];
      const float *c = &mesh->positions[3 * tri[2]];
      double e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
      double e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
      double x = e1[1] * e2[2] - e1[2] * e2[1];
      double y = e1[2] * e2[0] - e1[0] * e2[2];
      double z = e1[0] * e2[1] - e1[1] * e2[0];

      area += 0.5 * sqrt (x * x + y * y + z * z);
    }
  return area;
}

double
op_mesh_volume (const OpMesh *mesh)
{
  double vol = 0.0;

  /* Sum of signed tetrahedra against the origin (divergence theorem). */
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[3 * t];
      const float *a = &mesh->positions[3 * tri[0]];
      const float *b = &mesh->positions[3 * tri[1]];
      const float *c = &mesh->positions[3 * tri[2]];

      vol += (double) a[0] * ((double) b[1] * c[2] - (double) b[2] * c[1])
           - (double) a[1] * ((double) b[0] * c[2] - (double) b[2] * c[0])
           + (double) a[2] * ((double) b[0] * c[1] - (double) b[1] * c[0]);
    }
  return vol / 6.0;
}
