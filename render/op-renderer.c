/* op-renderer.c: the scene, its state and one frame's draw calls.
 *
 * GL objects are owned by whichever context was current at
 * op_renderer_new(); every call that touches GL expects that context to be
 * current again.  Drawing targets whatever framebuffer the caller bound
 * (GtkGLArea's, OpOffscreen's, a test's), so this file never binds one.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cglm/cglm.h>
#include <epoxy/gl.h>

#include "op-gl-mesh.h"
#include "op-gl-program.h"
#include "op-renderer.h"

typedef struct {
  guint      handle;
  OpMaterial material;
  gboolean   visible;
  gboolean   pickable;
  float      color[4];     /* sRGB, straight alpha */
  mat4       model;
  OpGlMesh   gl;
} OpRenderItem;

struct _OpRenderer {
  GLuint     mesh_program;
  GLint      u_model_view;
  GLint      u_projection;
  GLint      u_normal_matrix;
  GLint      u_material;
  GLint      u_has_normals;
  GLint      u_clip_plane;
  GLint      u_color;

  GLuint     pick_program;
  GLint      u_pick_model_view;
  GLint      u_pick_projection;
  GLint      u_pick_clip_plane;
  GLint      u_pick_id;

  GLuint     background_program;
  GLint      u_top;
  GLint      u_bottom;
  /* Core profile draws nothing without a vertex array bound, even when
   * the vertex shader reads no attributes. */
  GLuint     empty_vao;

  gboolean   clip;
  float      clip_plane[4];  /* world mm */

  gboolean   flat_background;
  float      background[4];

  GPtrArray *items;        /* OpRenderItem, in drawing order */
  guint      next_handle;
};

/* Default gradient, sRGB: a cool grey-blue, darker below, against which
 * both near-white enamel and pink gingiva stand out. */
static const float gradient_top[3] = { 0.60f, 0.65f, 0.72f };
static const float gradient_bottom[3] = { 0.26f, 0.29f, 0.35f };

G_DEFINE_QUARK (op-render-error-quark, op_render_error)

static void
op__render_item_free (gpointer data)
{
  OpRenderItem *item = data;

  op__gl_mesh_delete (&item->gl);
  g_free (item);
}

static OpRenderItem *
op__renderer_find (OpRenderer *self,
                   guint       handle)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      OpRenderItem *item = g_ptr_array_index (self->items, i);

      if (item->handle == handle)
        return item;
    }

  return NULL;
}

/* True when some GL context is current.  With none, libglvnd's dispatch
 * answers glGetString with NULL instead of crashing, which is what makes
 * this check possible without knowing whether the caller uses EGL or GLX. */
static gboolean
op__renderer_check_context (GError **error)
{
  const char *version = (const char *) glGetString (GL_VERSION);

  if (version == NULL)
    {
      g_set_error_literal (error, OP_RENDER_ERROR, OP_RENDER_ERROR_CONTEXT,
                           "No OpenGL context is current");
      return FALSE;
    }

  if (!epoxy_is_desktop_gl () || epoxy_gl_version () < 33)
    {
      g_set_error (error, OP_RENDER_ERROR, OP_RENDER_ERROR_CONTEXT,
                   "The OpenGL context is \"%s\"; the renderer needs desktop OpenGL 3.3 or newer",
                   version);
      return FALSE;
    }

  return TRUE;
}

OpRenderer *
op_renderer_new (GError **error)
{
  g_autoptr(OpRenderer) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op__renderer_check_context (error))
    return NULL;

  self = g_new0 (OpRenderer, 1);
  self->items = g_ptr_array_new_with_free_func (op__render_item_free);
  self->next_handle = 1;

  self->mesh_program = op__gl_program_new_from_resource ("mesh", error);
  if (self->mesh_program == 0)
    return NULL;
  self->u_model_view = glGetUniformLocation (self->mesh_program, "u_model_view");
  self->u_projection = glGetUniformLocation (self->mesh_program, "u_projection");
  self->u_normal_matrix = glGetUniformLocation (self->mesh_program, "u_normal_matrix");
  self->u_material = glGetUniformLocation (self->mesh_program, "u_material");
  self->u_has_normals = glGetUniformLocation (self->mesh_program, "u_has_normals");
  self->u_clip_plane = glGetUniformLocation (self->mesh_program, "u_clip_plane");
  self->u_color = glGetUniformLocation (self->mesh_program, "u_color");

  self->pick_program = op__gl_program_new_from_resource ("pick", error);
  if (self->pick_program == 0)
    return NULL;
  self->u_pick_model_view = glGetUniformLocation (self->pick_program, "u_model_view");
  self->u_pick_projection = glGetUniformLocation (self->pick_program, "u_projection");
  self->u_pick_clip_plane = glGetUniformLocation (self->pick_program, "u_clip_plane");
  self->u_pick_id = glGetUniformLocation (self->pick_program, "u_id");

  self->background_program = op__gl_program_new_from_resource ("background", error);
  if (self->background_program == 0)
    return NULL;
  self->u_top = glGetUniformLocation (self->background_program, "u_top");
  self->u_bottom = glGetUniformLocation (self->background_program, "u_bottom");

  glGenVertexArrays (1, &self->empty_vao);

  return g_steal_pointer (&self);
}

void
op_renderer_free (OpRenderer *self)
{
  if (self == NULL)
    return;

  if (self->items != NULL)
    g_ptr_array_unref (self->items);
  if (self->empty_vao != 0)
    glDeleteVertexArrays (1, &self->empty_vao);
  if (self->background_program != 0)
    glDeleteProgram (self->background_program);
  if (self->mesh_program != 0)
    glDeleteProgram (self->mesh_program);
  if (self->pick_program != 0)
    glDeleteProgram (self->pick_program);

  g_free (self);
}

guint
op_renderer_add_mesh (OpRenderer   *self,
                      const OpMesh *mesh,
                      OpMaterial    material)
{
  OpRenderItem *item;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (mesh != NULL, 0);
  g_return_val_if_fail (mesh->n_vertices == 0 || mesh->positions != NULL, 0);
  g_return_val_if_fail (mesh->n_triangles == 0 || mesh->indices != NULL, 0);

  item = g_new0 (OpRenderItem, 1);
  item->handle = self->next_handle++;
  item->material = material;
  item->visible = TRUE;
  item->pickable = material != OP_MATERIAL_GHOST;
  /* Enamel white; a ghost starts faint enough to show what is under it. */
  item->color[0] = 0.93f;
  item->color[1] = 0.90f;
  item->color[2] = 0.82f;
  item->color[3] = material == OP_MATERIAL_GHOST ? 0.3f : 1.f;
  glm_mat4_identity (item->model);

  /* An empty mesh still gets a handle, so callers need no special case;
   * it draws nothing and has no bounds. */
  op__gl_mesh_upload (&item->gl, mesh);

  g_ptr_array_add (self->items, item);
  return item->handle;
}

void
op_renderer_remove_mesh (OpRenderer *self,
                         guint       handle)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      OpRenderItem *item = g_ptr_array_index (self->items, i);

      if (item->handle == handle)
        {
          /* Keep the drawing order of the others. */
          g_ptr_array_remove_index (self->items, i);
          return;
        }
    }
}

void
op_renderer_clear (OpRenderer *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->items, 0);
}

void
op_renderer_set_visible (OpRenderer *self,
                         guint       handle,
                         gboolean    visible)
{
  OpRenderItem *item;

  g_return_if_fail (self != NULL);

  if ((item = op__renderer_find (self, handle)) != NULL)
    item->visible = !!visible;
}

void
op_renderer_set_color (OpRenderer  *self,
                       guint        handle,
                       const float  rgba[4])
{
  OpRenderItem *item;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rgba != NULL);

  if ((item = op__renderer_find (self, handle)) != NULL)
    for (int k = 0; k < 4; k++)
      item->color[k] = CLAMP (rgba[k], 0.f, 1.f);
}

void
op_renderer_set_pickable (OpRenderer *self,
                          guint       handle,
                          gboolean    pickable)
{
  OpRenderItem *item;

  g_return_if_fail (self != NULL);

  if ((item = op__renderer_find (self, handle)) != NULL)
    item->pickable = !!pickable && item->material != OP_MATERIAL_GHOST;
}

void
op_renderer_set_transform (OpRenderer  *self,
                           guint        handle,
                           const float  matrix[16])
{
  OpRenderItem *item;

  g_return_if_fail (self != NULL);

  if ((item = op__renderer_find (self, handle)) == NULL)
    return;

  if (matrix == NULL)
    glm_mat4_identity (item->model);
  else
    memcpy (item->model, matrix, sizeof (float) * 16);
}

gboolean
op_renderer_get_bounds (OpRenderer *self,
                        float       out_min[3],
                        float       out_max[3])
{
  gboolean any = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_min != NULL && out_max != NULL, FALSE);

  for (int i = 0; i < 3; i++)
    {
      out_min[i] = INFINITY;
      out_max[i] = -INFINITY;
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      OpRenderItem *item = g_ptr_array_index (self->items, i);

      if (!item->visible || item->gl.n_indices == 0)
        continue;

      /* The box of the eight transformed corners holds the transformed
       * mesh; it is not the tightest box, but it is cheap and safe for
       * framing. */
      for (int c = 0; c < 8; c++)
        {
          vec4 p = {
            (c & 1) ? item->gl.bbox_max[0] : item->gl.bbox_min[0],
            (c & 2) ? item->gl.bbox_max[1] : item->gl.bbox_min[1],
            (c & 4) ? item->gl.bbox_max[2] : item->gl.bbox_min[2],
            1.f,
          };
          vec4 q;

          glm_mat4_mulv (item->model, p, q);
          for (int k = 0; k < 3; k++)
            {
              out_min[k] = MIN (out_min[k], q[k]);
              out_max[k] = MAX (out_max[k], q[k]);
            }
        }
      any = TRUE;
    }

  if (!any)
    for (int i = 0; i < 3; i++)
      out_min[i] = out_max[i] = 0.f;

  return any;
}

void
op_renderer_set_background (OpRenderer *self,
                            const float rgba[4])
{
  g_return_if_fail (self != NULL);

  self->flat_background = rgba != NULL;
  if (rgba != NULL)
    memcpy (self->background, rgba, sizeof self->background);
}

void
op_renderer_set_clip_plane (OpRenderer  *self,
                            const float  plane[4])
{
  g_return_if_fail (self != NULL);

  self->clip = plane != NULL;
  if (plane != NULL)
    memcpy (self->clip_plane, plane, sizeof self->clip_plane);
}

gboolean
op_renderer_get_clip_plane (OpRenderer *self,
                            float       out_plane[4])
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->clip && out_plane != NULL)
    memcpy (out_plane, self->clip_plane, sizeof self->clip_plane);

  return self->clip;
}

static void
op__renderer_draw_background (OpRenderer *self)
{
  if (self->flat_background)
    {
      glClearColor (self->background[0], self->background[1],
                    self->background[2], self->background[3]);
      glClear (GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
      return;
    }

  glClear (GL_DEPTH_BUFFER_BIT);
  glDisable (GL_DEPTH_TEST);
  glDepthMask (GL_FALSE);

  glUseProgram (self->background_program);
  glUniform3fv (self->u_top, 1, gradient_top);
  glUniform3fv (self->u_bottom, 1, gradient_bottom);
  glBindVertexArray (self->empty_vao);
  glDrawArrays (GL_TRIANGLES, 0, 3);

  glDepthMask (GL_TRUE);
}

/* The model-view matrix of @item, its normal matrix and the clip plane in
 * its model space: what both the picture and the picking pass need. */
static void
op__renderer_item_matrices (OpRenderer   *self,
                            OpRenderItem *item,
                            mat4          view,
                            mat4          model_view,
                            mat3          normal_matrix,
                            vec4          local_plane)
{
  mat3 linear;

  glm_mat4_mul (view, item->model, model_view);
  glm_mat4_pick3 (model_view, linear);
  glm_mat3_inv (linear, normal_matrix);
  glm_mat3_transpose (normal_matrix);

  if (self->clip)
    {
      /* A plane p (row vector) holds world points x with p . x = 0;
       * for model points m with x = M m that is (M^T p) . m, so the
       * shader gets the plane in model space and needs no second
       * matrix. */
      vec4 world;
      mat4 model_t;

      memcpy (world, self->clip_plane, sizeof world);
      glm_mat4_transpose_to (item->model, model_t);
      glm_mat4_mulv (model_t, world, local_plane);
    }
  else
    glm_vec4_copy ((vec4) { 0.f, 0.f, 0.f, 1.f }, local_plane);
}

static void
op__renderer_draw_item (OpRenderer   *self,
                        OpRenderItem *item,
                        mat4          view)
{
  mat4 model_view;
  mat3 normal_matrix;
  vec4 plane;

  if (!item->visible || item->gl.n_indices == 0)
    return;

  op__renderer_item_matrices (self, item, view, model_view, normal_matrix, plane);

  /* A model matrix may mirror (a left-right flip of a scan): then
   * triangles that are counter-clockwise seen from outside land
   * clockwise on screen, and two-sided lighting must know which side
   * it sees. */
  glFrontFace (glm_mat3_det (normal_matrix) < 0.f ? GL_CW : GL_CCW);

  glUniformMatrix4fv (self->u_model_view, 1, GL_FALSE, (const float *) model_view);
  glUniformMatrix3fv (self->u_normal_matrix, 1, GL_FALSE, (const float *) normal_matrix);
  glUniform1i (self->u_material, (GLint) item->material);
  glUniform1i (self->u_has_normals, item->gl.has_normals);
  glUniform4fv (self->u_color, 1, item->color);
  glUniform4fv (self->u_clip_plane, 1, plane);

  op__gl_mesh_draw (&item->gl);
}

void
op_renderer_draw (OpRenderer     *self,
                  const OpCamera *camera,
                  int             width,
                  int             height)
{
  mat4 view, projection;

  g_return_if_fail (self != NULL);
  g_return_if_fail (camera != NULL);

  if (width <= 0 || height <= 0)
    return;

  op_camera_get_view_matrix (camera, (float *) view);
  op_camera_get_projection_matrix (camera, (float) width / (float) height, (float *) projection);

  /* Set every piece of state the frame depends on: a GtkGLArea's
   * context arrives with whatever GTK last left in it. */
  glViewport (0, 0, width, height);
  glDisable (GL_SCISSOR_TEST);
  glDisable (GL_BLEND);
  glDisable (GL_CULL_FACE);
  glDisable (GL_STENCIL_TEST);
  glColorMask (GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  glDepthMask (GL_TRUE);
  glClearDepth (1.0);

  op__renderer_draw_background (self);

  glEnable (GL_DEPTH_TEST);
  glDepthFunc (GL_LESS);

  glUseProgram (self->mesh_program);
  glUniformMatrix4fv (self->u_projection, 1, GL_FALSE, (const float *) projection);

  /* The shader writes a clip distance whether or not a plane is set; GL
   * ignores it while GL_CLIP_DISTANCE0 is off. */
  if (self->clip)
    glEnable (GL_CLIP_DISTANCE0);
  else
    glDisable (GL_CLIP_DISTANCE0);

  /* Opaque meshes first, then ghosts over them with blending and without
   * writing depth, so that a ghost never hides what lies behind it and
   * ghosts do not depend on each other's drawing order for occlusion. */
  for (guint i = 0; i < self->items->len; i++)
    {
      OpRenderItem *item = g_ptr_array_index (self->items, i);

      if (item->material != OP_MATERIAL_GHOST)
        op__renderer_draw_item (self, item, view);
    }

  glEnable (GL_BLEND);
  glBlendFuncSeparate (GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDepthMask (GL_FALSE);
  for (guint i = 0; i < self->items->len; i++)
    {
      OpRenderItem *item = g_ptr_array_index (self->items, i);

      if (item->material == OP_MATERIAL_GHOST)
        op__renderer_draw_item (self, item, view);
    }
  glDepthMask (GL_TRUE);
  glDisable (GL_BLEND);

  /* Leave the context as GL's defaults have it, for whoever draws next. */
  glBindVertexArray (0);
  glUseProgram (0);
  glFrontFace (GL_CCW);
  glDisable (GL_DEPTH_TEST);
  glDisable (GL_CLIP_DISTANCE0);
}

guint
op_renderer_pick (OpRenderer     *self,
                  const OpCamera *camera,
                  int             width,
                  int             height,
                  int             x,
                  int             y)
{
  static const GLuint zero[4] = { 0, 0, 0, 0 };
  mat4 view, projection;
  GLint previous_draw = 0, previous_read = 0, previous_viewport[4];
  GLuint fbo = 0, ids = 0, depth = 0, picked = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (camera != NULL, 0);

  if (width <= 0 || height <= 0 || x < 0 || y < 0 || x >= width || y >= height)
    return 0;

  op_camera_get_view_matrix (camera, (float *) view);
  op_camera_get_projection_matrix (camera, (float) width / (float) height, (float *) projection);

  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &previous_draw);
  glGetIntegerv (GL_READ_FRAMEBUFFER_BINDING, &previous_read);
  glGetIntegerv (GL_VIEWPORT, previous_viewport);

  /* A framebuffer the size of the picture, so that the projection is
   * exactly the one on screen; the scissor keeps the work to one pixel. */
  glGenFramebuffers (1, &fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, fbo);
  glGenRenderbuffers (1, &ids);
  glBindRenderbuffer (GL_RENDERBUFFER, ids);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_R32UI, width, height);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, ids);
  glGenRenderbuffers (1, &depth);
  glBindRenderbuffer (GL_RENDERBUFFER, depth);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, width, height);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth);
  glBindRenderbuffer (GL_RENDERBUFFER, 0);

  if (glCheckFramebufferStatus (GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE)
    {
      /* GL's rows count from the bottom. */
      int gl_y = height - 1 - y;

      glViewport (0, 0, width, height);
      glEnable (GL_SCISSOR_TEST);
      glScissor (x, gl_y, 1, 1);
      glDisable (GL_BLEND);
      glDisable (GL_CULL_FACE);
      glColorMask (GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
      glDepthMask (GL_TRUE);
      glClearBufferuiv (GL_COLOR, 0, zero);
      glClearDepth (1.0);
      glClear (GL_DEPTH_BUFFER_BIT);
      glEnable (GL_DEPTH_TEST);
      glDepthFunc (GL_LESS);
      if (self->clip)
        glEnable (GL_CLIP_DISTANCE0);

      glUseProgram (self->pick_program);
      glUniformMatrix4fv (self->u_pick_projection, 1, GL_FALSE, (const float *) projection);
      for (guint i = 0; i < self->items->len; i++)
        {
          OpRenderItem *item = g_ptr_array_index (self->items, i);
          mat4 model_view;
          mat3 normal_matrix;
          vec4 plane;

          if (!item->visible || !item->pickable || item->gl.n_indices == 0)
            continue;

          op__renderer_item_matrices (self, item, view, model_view, normal_matrix, plane);
          glUniformMatrix4fv (self->u_pick_model_view, 1, GL_FALSE, (const float *) model_view);
          glUniform4fv (self->u_pick_clip_plane, 1, plane);
          glUniform1ui (self->u_pick_id, item->handle);
          op__gl_mesh_draw (&item->gl);
        }

      glReadBuffer (GL_COLOR_ATTACHMENT0);
      glPixelStorei (GL_PACK_ALIGNMENT, 1);
      glReadPixels (x, gl_y, 1, 1, GL_RED_INTEGER, GL_UNSIGNED_INT, &picked);

      glBindVertexArray (0);
      glUseProgram (0);
      glDisable (GL_SCISSOR_TEST);
      glDisable (GL_DEPTH_TEST);
      glDisable (GL_CLIP_DISTANCE0);
    }

  glBindFramebuffer (GL_DRAW_FRAMEBUFFER, (GLuint) previous_draw);
  glBindFramebuffer (GL_READ_FRAMEBUFFER, (GLuint) previous_read);
  glViewport (previous_viewport[0], previous_viewport[1], previous_viewport[2], previous_viewport[3]);
  glDeleteRenderbuffers (1, &depth);
  glDeleteRenderbuffers (1, &ids);
  glDeleteFramebuffers (1, &fbo);

  /* A handle that was removed since cannot come back: the pass drew only
   * the meshes that exist now. */
  return picked;
}

OpMaterial
op_material_for_mesh (const OpMesh *mesh)
{
  g_return_val_if_fail (mesh != NULL, OP_MATERIAL_ENAMEL);

  if (mesh->labels != NULL)
    return OP_MATERIAL_LABELS;
  if (mesh->colors != NULL)
    return OP_MATERIAL_VERTEX_COLOR;
  return OP_MATERIAL_ENAMEL;
}
