/* test-render-util.c: camera projections shared by the render tests. */
#include <cglm/cglm.h>

#include <math.h>

#include "test-render-util.h"

static void
to_clip (const OpCamera *camera,
         float           aspect,
         const float     p[3],
         vec4            clip)
{
  mat4 view, proj, vp;
  vec4 in = { p[0], p[1], p[2], 1.f };

  op_camera_get_view_matrix (camera, (float *) view);
  op_camera_get_projection_matrix (camera, aspect, (float *) proj);
  glm_mat4_mul (proj, view, vp);
  glm_mat4_mulv (vp, in, clip);
}

/* World point to pixel (x right, y down, top row 0); FALSE behind the eye. */
gboolean
op_test_project (const OpCamera *camera,
                 float           aspect,
                 const float     p[3],
                 int             width,
                 int             height,
                 float          *out_x,
                 float          *out_y)
{
  vec4 clip;

  *out_x = *out_y = -1.f;
  to_clip (camera, aspect, p, clip);
  if (clip[3] <= 0.f)
    return FALSE;

  *out_x = (clip[0] / clip[3] * 0.5f + 0.5f) * (float) width;
  *out_y = (0.5f - clip[1] / clip[3] * 0.5f) * (float) height;
  return TRUE;
}

void
op_test_ndc (const OpCamera *camera,
             float           aspect,
             const float     p[3],
             float           out[3])
{
  vec4 clip;

  to_clip (camera, aspect, p, clip);
  g_assert_cmpfloat (clip[3], >, 0.f);
  for (int i = 0; i < 3; i++)
    out[i] = clip[i] / clip[3];
}

OpMesh *
op_test_make_sphere (const float centre[3],
                     float       radius,
                     int         stacks,
                     int         slices)
{
  OpMesh *mesh = op_mesh_new ((gsize) (stacks + 1) * (slices + 1),
                              (gsize) stacks * slices * 2, OP_MESH_ATTR_NORMALS);
  gsize v = 0, t = 0;

  for (int i = 0; i <= stacks; i++)
    for (int j = 0; j <= slices; j++, v++)
      {
        double theta = G_PI * i / stacks, phi = 2.0 * G_PI * j / slices;
        double u[3] = { sin (theta) * cos (phi), sin (theta) * sin (phi), cos (theta) };

        for (int k = 0; k < 3; k++)
          {
            mesh->positions[v * 3 + k] = (float) (centre[k] + radius * u[k]);
            mesh->normals[v * 3 + k] = (float) u[k];
          }
      }

  for (int i = 0; i < stacks; i++)
    for (int j = 0; j < slices; j++)
      {
        guint32 a = (guint32) (i * (slices + 1) + j), b = a + (guint32) slices + 1;

        mesh->indices[t++] = a;
        mesh->indices[t++] = b;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = a;
        mesh->indices[t++] = b + 1;
        mesh->indices[t++] = a + 1;
      }

  op_mesh_compute_bounds (mesh);
  return mesh;
}
