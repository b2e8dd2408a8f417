/* op-stage-render.c: offscreen pictures of plan stages (op-stage-render.h). */
#include "config.h"

#include "op-stage-render.h"

#include <meshoptimizer.h>
#include <string.h>

#include "op-offscreen.h"
#include "op-renderer.h"

struct _OpStageRender {
  OpOffscreen  *offscreen;
  OpRenderer   *renderer;
  OpPlan       *plan;
  guint        *handles;     /* per plan tooth */
  gboolean     *upper;
  float         bmin[3][3], bmax[3][3];   /* per view group: both, upper, lower */
  int           width, height;
};

void
op_stage_render_free (OpStageRender *self)
{
  if (self == NULL)
    return;
  /* The renderer's GL objects belong to the offscreen context. */
  if (self->offscreen && self->renderer)
    {
      op_offscreen_make_current (self->offscreen);
      op_renderer_free (self->renderer);
    }
  g_clear_pointer (&self->offscreen, op_offscreen_free);
  g_clear_pointer (&self->plan, op_plan_free);
  g_free (self->handles);
  g_free (self->upper);
  g_free (self);
}

static OpMesh *
simplified (const OpMesh *mesh, guint max_triangles)
{
  g_autofree guint32 *idx = NULL;
  OpMesh *out;
  float err = 0;
  gsize n;

  out = op_mesh_copy (mesh);
  if (max_triangles == 0 || mesh->n_triangles <= max_triangles)
    return out;
  idx = g_new (guint32, mesh->n_triangles * 3);
  n = meshopt_simplify (idx, mesh->indices, mesh->n_triangles * 3, mesh->positions, mesh->n_vertices,
                        3 * sizeof (float), (gsize) max_triangles * 3, 0.02f, 0, &err);
  if (n >= 3)
    {
      memcpy (out->indices, idx, n * sizeof (guint32));
      out->n_triangles = n / 3;
      /* Normals of the simplified surface, not of the dense one. */
      op_mesh_compute_normals (out);
    }
  return out;
}

static void
grow (float bmin[3], float bmax[3], const OpMesh *m)
{
  for (gsize v = 0; v < m->n_vertices; v++)
    for (int a = 0; a < 3; a++)
      {
        bmin[a] = MIN (bmin[a], m->positions[3 * v + a]);
        bmax[a] = MAX (bmax[a], m->positions[3 * v + a]);
      }
}

OpStageRender *
op_stage_render_new (const OpDentition *dentition,
                     const OpPlan      *plan,
                     int                width,
                     int                height,
                     guint              max_triangles,
                     GError           **error)
{
  g_autoptr(OpStageRender) self = g_new0 (OpStageRender, 1);

  g_return_val_if_fail (dentition != NULL && plan != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  self->width = width;
  self->height = height;
  self->plan = op_plan_copy (plan);
  self->handles = g_new0 (guint, plan->n_teeth);
  self->upper = g_new0 (gboolean, plan->n_teeth);
  for (int g = 0; g < 3; g++)
    for (int a = 0; a < 3; a++)
      {
        self->bmin[g][a] = G_MAXFLOAT;
        self->bmax[g][a] = -G_MAXFLOAT;
      }

  /* No multisampling: on llvmpipe its cost grows with the samples, and a
   * video frame or a report picture is viewed smaller than drawn. */
  self->offscreen = op_offscreen_new_with_samples (width, height, 0, error);
  if (self->offscreen == NULL)
    return NULL;
  self->renderer = op_renderer_new (error);
  if (self->renderer == NULL)
    return NULL;

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpTooth *tooth = op_dentition_get (dentition, plan->teeth[t].fdi);
      g_autoptr(OpMesh) mesh = NULL;

      if (tooth == NULL || tooth->crown == NULL)
        {
          g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_CONTEXT,
                       "tooth %d is in the plan but the case has no mesh for it", plan->teeth[t].fdi);
          return NULL;
        }
      mesh = simplified (tooth->crown, max_triangles);
      self->handles[t] = op_renderer_add_mesh (self->renderer, mesh, OP_MATERIAL_ENAMEL);
      self->upper[t] = op_fdi_is_upper (plan->teeth[t].fdi);
      grow (self->bmin[0], self->bmax[0], mesh);
      grow (self->bmin[self->upper[t] ? 1 : 2], self->bmax[self->upper[t] ? 1 : 2], mesh);
    }
  return g_steal_pointer (&self);
}

guint8 *
op_stage_render_draw (OpStageRender *self,
                      double         stage,
                      OpView         view,
                      float          yaw_deg)
{
  const OpPlan *plan;
  OpCamera camera;
  int group;
  guint s0, s1;
  double f;

  g_return_val_if_fail (self != NULL, NULL);

  plan = self->plan;
  stage = CLAMP (stage, 0, plan->n_stages - 1);
  s0 = (guint) stage;
  s1 = MIN (s0 + 1, plan->n_stages - 1);
  f = stage - s0;
  group = view == OP_VIEW_OCCLUSAL_UPPER ? 1 : view == OP_VIEW_OCCLUSAL_LOWER ? 2 : 0;

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpMovement m;
      float matrix[16];

      op_movement_interpolate (op_plan_pose (plan, s0, t), op_plan_pose (plan, s1, t), f,
                               &plan->teeth[t].frame, &m);
      op_movement_to_matrix (&m, &plan->teeth[t].frame, matrix);
      op_renderer_set_transform (self->renderer, self->handles[t], matrix);
      op_renderer_set_visible (self->renderer, self->handles[t],
                               group == 0 || (group == 1) == self->upper[t]);
    }

  op_camera_init (&camera);
  op_camera_set_view (&camera, view);
  if (self->bmin[group][0] <= self->bmax[group][0])
    op_camera_fit (&camera, self->bmin[group], self->bmax[group], (float) self->width / self->height);
  camera.yaw += yaw_deg;

  op_offscreen_make_current (self->offscreen);
  op_renderer_draw (self->renderer, &camera, self->width, self->height);
  return op_offscreen_read_pixels (self->offscreen);
}
