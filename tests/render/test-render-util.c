/* test-render-util.c: camera projections shared by the render tests. */
#include <cglm/cglm.h>

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
