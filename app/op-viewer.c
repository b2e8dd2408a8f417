/* op-viewer.c: the 3D viewer widget.
 *
 * Copyright 2025 The Orthoplan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#include "op-viewer.h"

typedef struct {
  guint       handle;   /* ours, stable across realize/unrealize */
  guint       gpu;      /* the renderer's, 0 while not uploaded */
  OpMesh     *mesh;
  OpMaterial  material;
  gboolean    visible;
  gboolean    has_transform;
  float       transform[16];
  gboolean    has_color;
  float       color[4];
} OpViewerItem;

struct _OpViewer
{
  GtkGLArea   parent_instance;

  /* Owned */
  OpRenderer *renderer;
  GPtrArray  *items;          /* OpViewerItem */
  char       *error_message;
  OpCamera    camera;
  guint       next_handle;
  guint       frame_count;
  gboolean    needs_fit;
  gboolean    clip;
  float       clip_plane[4];

  /* Drag state */
  double      last_x;
  double      last_y;
  gboolean    drag_pans;
};

G_DEFINE_FINAL_TYPE (OpViewer, op_viewer, GTK_TYPE_GL_AREA)

enum {
  PROP_0,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* A dark, slightly blue grey: bright enamel and pink gingiva both stand out
 * on it, and it reads as "a viewport" next to the light sidebar. */
static const float background_rgba[4] = { 0.16f, 0.18f, 0.21f, 1.0f };

static void
op_viewer_item_free (gpointer data)
{
  OpViewerItem *item = data;

  g_clear_pointer (&item->mesh, op_mesh_free);
  g_free (item);
}

static OpViewerItem *
op_viewer_find_item (OpViewer *self,
                     guint     handle)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      OpViewerItem *item = g_ptr_array_index (self->items, i);

      if (item->handle == handle)
        return item;
    }

  return NULL;
}

static void
op_viewer_set_error (OpViewer   *self,
                     const char *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
}

static gboolean
op_viewer_get_bounds (OpViewer *self,
                      float     out_min[3],
                      float     out_max[3])
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->items->len; i++)
    {
      OpViewerItem *item = g_ptr_array_index (self->items, i);

      if (!item->visible)
        continue;

      for (guint k = 0; k < 3; k++)
        {
          if (!any || item->mesh->bbox_min[k] < out_min[k])
            out_min[k] = item->mesh->bbox_min[k];
          if (!any || item->mesh->bbox_max[k] > out_max[k])
            out_max[k] = item->mesh->bbox_max[k];
        }
      any = TRUE;
    }

  return any;
}

static void
op_viewer_get_pixel_size (OpViewer *self,
                          int      *out_width,
                          int      *out_height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  *out_width = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) * scale);
  *out_height = MAX (1, gtk_widget_get_height (GTK_WIDGET (self)) * scale);
}

/* Framing needs the viewport's aspect, which is only known once the widget
 * has a size, so a request to frame is remembered and done at draw time. */
static void
op_viewer_apply_pending_fit (OpViewer *self,
                             int       width,
                             int       height)
{
  float bmin[3], bmax[3];

  if (!self->needs_fit)
    return;

  if (op_viewer_get_bounds (self, bmin, bmax))
    op_camera_fit (&self->camera, bmin, bmax, (float) width / (float) height);

  self->needs_fit = FALSE;
}

static void
op_viewer_upload (OpViewer     *self,
                  OpViewerItem *item)
{
  if (self->renderer == NULL || item->gpu != 0)
    return;

  item->gpu = op_renderer_add_mesh (self->renderer, item->mesh, item->material);
  op_renderer_set_visible (self->renderer, item->gpu, item->visible);
  if (item->has_transform)
    op_renderer_set_transform (self->renderer, item->gpu, item->transform);
  if (item->has_color)
    op_renderer_set_color (self->renderer, item->gpu, item->color);
}

static void
op_viewer_realize (GtkWidget *widget)
{
  OpViewer *self = OP_VIEWER (widget);
  GtkGLArea *area = GTK_GL_AREA (widget);
  g_autoptr(GError) error = NULL;
  GError *area_error;

  GTK_WIDGET_CLASS (op_viewer_parent_class)->realize (widget);

  gtk_gl_area_make_current (area);

  /* Without this check a context that failed to be created leaves the
   * widget waiting for a frame that never comes. */
  if ((area_error = gtk_gl_area_get_error (area)) != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The 3D view needs OpenGL 3.3: %s"), area_error->message);

      op_viewer_set_error (self, message);
      return;
    }

  self->renderer = op_renderer_new (&error);
  if (self->renderer == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The 3D view could not start: %s"), error->message);

      /* Setting the area's error makes GtkGLArea draw nothing rather than
       * call our render handler with a half-made renderer. */
      gtk_gl_area_set_error (area, error);
      op_viewer_set_error (self, message);
      return;
    }

  op_renderer_set_background (self->renderer, background_rgba);
  op_renderer_set_clip_plane (self->renderer, self->clip ? self->clip_plane : NULL);

  for (guint i = 0; i < self->items->len; i++)
    op_viewer_upload (self, g_ptr_array_index (self->items, i));

  op_viewer_set_error (self, NULL);
}

static void
op_viewer_unrealize (GtkWidget *widget)
{
  OpViewer *self = OP_VIEWER (widget);

  if (self->renderer != NULL)
    {
      /* The renderer deletes GL objects, so its context must be current. */
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      g_clear_pointer (&self->renderer, op_renderer_free);
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      OpViewerItem *item = g_ptr_array_index (self->items, i);
      item->gpu = 0;
    }

  GTK_WIDGET_CLASS (op_viewer_parent_class)->unrealize (widget);
}

static gboolean
op_viewer_render (GtkGLArea    *area,
                  GdkGLContext *context)
{
  OpViewer *self = OP_VIEWER (area);
  int width, height;

  if (self->renderer == NULL)
    return FALSE;

  op_viewer_get_pixel_size (self, &width, &height);
  op_viewer_apply_pending_fit (self, width, height);
  op_renderer_draw (self->renderer, &self->camera, width, height);
  self->frame_count++;

  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               OpViewer       *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->last_x = 0;
  self->last_y = 0;
  self->drag_pans = button == GDK_BUTTON_MIDDLE ||
                    button == GDK_BUTTON_SECONDARY ||
                    (state & GDK_SHIFT_MASK) != 0;

  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                OpViewer       *self)
{
  float dx = (float) (offset_x - self->last_x);
  float dy = (float) (offset_y - self->last_y);

  self->last_x = offset_x;
  self->last_y = offset_y;

  if (self->drag_pans)
    op_camera_pan (&self->camera, dx, dy,
                   (float) MAX (1, gtk_widget_get_height (GTK_WIDGET (self))));
  else
    op_camera_orbit (&self->camera, dx, dy);

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           OpViewer                 *self)
{
  /* Wheel up (negative dy) zooms in, as in every other 3D tool. */
  op_camera_zoom (&self->camera, powf (1.15f, (float) -dy));
  gtk_gl_area_queue_render (GTK_GL_AREA (self));

  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                OpViewer              *self)
{
  static const struct {
    guint  keyval;
    guint  kp_keyval;
    OpView view;
  } views[] = {
    { GDK_KEY_1, GDK_KEY_KP_1, OP_VIEW_FRONT },
    { GDK_KEY_2, GDK_KEY_KP_2, OP_VIEW_OCCLUSAL_UPPER },
    { GDK_KEY_3, GDK_KEY_KP_3, OP_VIEW_OCCLUSAL_LOWER },
    { GDK_KEY_4, GDK_KEY_KP_4, OP_VIEW_LEFT },
    { GDK_KEY_5, GDK_KEY_KP_5, OP_VIEW_RIGHT },
  };

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      if (keyval == views[i].keyval || keyval == views[i].kp_keyval)
        {
          op_viewer_set_view (self, views[i].view);
          return TRUE;
        }
    }

  if (keyval == GDK_KEY_f || keyval == GDK_KEY_F || keyval == GDK_KEY_Home)
    {
      op_viewer_frame_all (self);
      return TRUE;
    }

  return FALSE;
}

static void
op_viewer_finalize (GObject *object)
{
  OpViewer *self = (OpViewer *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (op_viewer_parent_class)->finalize (object);
}

static void
op_viewer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OpViewer *self = OP_VIEWER (object);

  switch (prop_id)
    {
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_viewer_class_init (OpViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);

  object_class->finalize = op_viewer_finalize;
  object_class->get_property = op_viewer_get_property;

  widget_class->realize = op_viewer_realize;
  widget_class->unrealize = op_viewer_unrealize;

  area_class->render = op_viewer_render;

  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "opviewer");
}

static void
op_viewer_init (OpViewer *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->items = g_ptr_array_new_with_free_func (op_viewer_item_free);
  self->next_handle = 1;
  op_camera_init (&self->camera);
  op_camera_set_view (&self->camera, OP_VIEW_FRONT);

  gtk_gl_area_set_required_version (GTK_GL_AREA (self), 3, 3);
  gtk_gl_area_set_has_depth_buffer (GTK_GL_AREA (self), TRUE);
  gtk_gl_area_set_auto_render (GTK_GL_AREA (self), TRUE);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  /* One drag gesture for every button: the button pressed (and Shift)
   * decides at drag-begin whether it orbits or pans. */
  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
op_viewer_new (void)
{
  return g_object_new (OP_TYPE_VIEWER, NULL);
}

guint
op_viewer_add_mesh (OpViewer   *self,
                    OpMesh     *mesh,
                    OpMaterial  material)
{
  OpViewerItem *item;

  g_return_val_if_fail (OP_IS_VIEWER (self), 0);
  g_return_val_if_fail (mesh != NULL, 0);

  if (mesh->bbox_min[0] == 0 && mesh->bbox_max[0] == 0 &&
      mesh->bbox_min[1] == 0 && mesh->bbox_max[1] == 0)
    op_mesh_compute_bounds (mesh);

  item = g_new0 (OpViewerItem, 1);
  item->handle = self->next_handle++;
  item->mesh = mesh;
  item->material = material;
  item->visible = TRUE;
  g_ptr_array_add (self->items, item);

  if (self->renderer != NULL)
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      op_viewer_upload (self, item);
    }

  gtk_gl_area_queue_render (GTK_GL_AREA (self));

  return item->handle;
}

void
op_viewer_remove_mesh (OpViewer *self,
                       guint     handle)
{
  g_return_if_fail (OP_IS_VIEWER (self));

  for (guint i = 0; i < self->items->len; i++)
    {
      OpViewerItem *item = g_ptr_array_index (self->items, i);

      if (item->handle != handle)
        continue;

      if (self->renderer != NULL && item->gpu != 0)
        {
          gtk_gl_area_make_current (GTK_GL_AREA (self));
          op_renderer_remove_mesh (self->renderer, item->gpu);
        }

      g_ptr_array_remove_index (self->items, i);
      gtk_gl_area_queue_render (GTK_GL_AREA (self));
      return;
    }
}

void
op_viewer_set_mesh_visible (OpViewer *self,
                            guint     handle,
                            gboolean  visible)
{
  OpViewerItem *item;

  g_return_if_fail (OP_IS_VIEWER (self));

  if ((item = op_viewer_find_item (self, handle)) == NULL)
    return;

  item->visible = !!visible;

  if (self->renderer != NULL && item->gpu != 0)
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      op_renderer_set_visible (self->renderer, item->gpu, item->visible);
    }

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

gboolean
op_viewer_get_mesh_visible (OpViewer *self,
                            guint     handle)
{
  OpViewerItem *item;

  g_return_val_if_fail (OP_IS_VIEWER (self), FALSE);

  item = op_viewer_find_item (self, handle);

  return item != NULL && item->visible;
}

void
op_viewer_clear (OpViewer *self)
{
  g_return_if_fail (OP_IS_VIEWER (self));

  if (self->renderer != NULL)
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      op_renderer_clear (self->renderer);
    }

  g_ptr_array_set_size (self->items, 0);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

guint
op_viewer_get_n_meshes (OpViewer *self)
{
  g_return_val_if_fail (OP_IS_VIEWER (self), 0);

  return self->items->len;
}

void
op_viewer_set_clip_plane (OpViewer    *self,
                          const float  plane[4])
{
  g_return_if_fail (OP_IS_VIEWER (self));

  self->clip = plane != NULL;
  if (plane != NULL)
    memcpy (self->clip_plane, plane, sizeof self->clip_plane);

  if (self->renderer != NULL)
    op_renderer_set_clip_plane (self->renderer, plane);

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
op_viewer_set_mesh_transform (OpViewer    *self,
                              guint        handle,
                              const float  matrix[16])
{
  OpViewerItem *item;

  g_return_if_fail (OP_IS_VIEWER (self));

  if ((item = op_viewer_find_item (self, handle)) == NULL)
    return;

  item->has_transform = matrix != NULL;
  if (matrix != NULL)
    memcpy (item->transform, matrix, sizeof item->transform);

  /* The renderer keeps the matrix on the CPU until it draws, so no
   * context needs to be current here. */
  if (self->renderer != NULL && item->gpu != 0)
    op_renderer_set_transform (self->renderer, item->gpu, matrix);

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
op_viewer_set_mesh_color (OpViewer    *self,
                          guint        handle,
                          const float  rgba[4])
{
  OpViewerItem *item;

  g_return_if_fail (OP_IS_VIEWER (self));
  g_return_if_fail (rgba != NULL);

  if ((item = op_viewer_find_item (self, handle)) == NULL)
    return;

  item->has_color = TRUE;
  memcpy (item->color, rgba, sizeof item->color);
  if (self->renderer != NULL && item->gpu != 0)
    op_renderer_set_color (self->renderer, item->gpu, rgba);

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

guint
op_viewer_pick (OpViewer *self,
                double    x,
                double    y)
{
  int width, height, scale;
  guint gpu;

  g_return_val_if_fail (OP_IS_VIEWER (self), 0);

  if (self->renderer == NULL)
    return 0;

  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return 0;

  /* Pick in device pixels, at the size the picture is drawn, so that the
   * pixel under the pointer is the pixel picked. */
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  op_viewer_get_pixel_size (self, &width, &height);
  op_viewer_apply_pending_fit (self, width, height);
  gpu = op_renderer_pick (self->renderer, &self->camera, width, height,
                          (int) floor (x * scale), (int) floor (y * scale));
  if (gpu == 0)
    return 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      OpViewerItem *item = g_ptr_array_index (self->items, i);

      if (item->gpu == gpu)
        return item->handle;
    }

  return 0;
}

const OpCamera *
op_viewer_get_camera (OpViewer *self)
{
  g_return_val_if_fail (OP_IS_VIEWER (self), NULL);

  return &self->camera;
}

gboolean
op_viewer_project (OpViewer    *self,
                   const float  world[3],
                   double      *out_x,
                   double      *out_y)
{
  int w, h;
  float view[16], proj[16], e[4], c[4];

  g_return_val_if_fail (OP_IS_VIEWER (self), FALSE);

  w = gtk_widget_get_width (GTK_WIDGET (self));
  h = gtk_widget_get_height (GTK_WIDGET (self));
  if (w <= 0 || h <= 0)
    return FALSE;
  op_camera_get_view_matrix (&self->camera, view);
  op_camera_get_projection_matrix (&self->camera, (float) w / (float) h, proj);
  for (int r = 0; r < 4; r++)
    e[r] = view[r] * world[0] + view[4 + r] * world[1] + view[8 + r] * world[2] + view[12 + r];
  for (int r = 0; r < 4; r++)
    c[r] = proj[r] * e[0] + proj[4 + r] * e[1] + proj[8 + r] * e[2] + proj[12 + r] * e[3];
  if (c[3] <= 1e-6f)
    return FALSE;
  *out_x = (c[0] / c[3] * 0.5 + 0.5) * w;
  *out_y = (0.5 - c[1] / c[3] * 0.5) * h;
  return *out_x >= 0 && *out_y >= 0 && *out_x < w && *out_y < h;
}

void
op_viewer_set_view (OpViewer *self,
                    OpView    view)
{
  g_return_if_fail (OP_IS_VIEWER (self));

  op_camera_set_view (&self->camera, view);
  op_viewer_frame_all (self);
}

void
op_viewer_frame_all (OpViewer *self)
{
  g_return_if_fail (OP_IS_VIEWER (self));

  self->needs_fit = TRUE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

const char *
op_viewer_get_error_message (OpViewer *self)
{
  g_return_val_if_fail (OP_IS_VIEWER (self), NULL);

  return self->error_message;
}

guint
op_viewer_get_frame_count (OpViewer *self)
{
  g_return_val_if_fail (OP_IS_VIEWER (self), 0);

  return self->frame_count;
}

guint8 *
op_viewer_read_pixels (OpViewer *self,
                       int      *out_width,
                       int      *out_height)
{
  g_autofree guint8 *pixels = NULL;
  GLuint fbo = 0, color = 0, depth = 0;
  GLint previous_fbo = 0;
  int width, height;
  gsize stride;
  g_autofree guint8 *row = NULL;

  g_return_val_if_fail (OP_IS_VIEWER (self), NULL);
  g_return_val_if_fail (out_width != NULL && out_height != NULL, NULL);

  if (self->renderer == NULL)
    return NULL;

  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return NULL;

  op_viewer_get_pixel_size (self, &width, &height);
  op_viewer_apply_pending_fit (self, width, height);

  /* A framebuffer of our own rather than GtkGLArea's, whose textures are
   * recycled between frames and handed to GSK: this one holds exactly the
   * frame we draw here, whatever GTK did with the last one. */
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &previous_fbo);
  glGenFramebuffers (1, &fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, fbo);
  glGenRenderbuffers (1, &color);
  glBindRenderbuffer (GL_RENDERBUFFER, color);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_RGBA8, width, height);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
  glGenRenderbuffers (1, &depth);
  glBindRenderbuffer (GL_RENDERBUFFER, depth);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, width, height);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER, depth);

  if (glCheckFramebufferStatus (GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE)
    {
      glViewport (0, 0, width, height);
      op_renderer_draw (self->renderer, &self->camera, width, height);

      stride = (gsize) width * 4;
      pixels = g_malloc (stride * (gsize) height);
      glPixelStorei (GL_PACK_ALIGNMENT, 1);
      glReadPixels (0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels);

      /* GL's first row is the bottom one. */
      row = g_malloc (stride);
      for (int y = 0; y < height / 2; y++)
        {
          guint8 *top = pixels + (gsize) y * stride;
          guint8 *bottom = pixels + (gsize) (height - 1 - y) * stride;

          memcpy (row, top, stride);
          memcpy (top, bottom, stride);
          memcpy (bottom, row, stride);
        }
    }

  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) previous_fbo);
  glDeleteRenderbuffers (1, &depth);
  glDeleteRenderbuffers (1, &color);
  glDeleteFramebuffers (1, &fbo);

  if (pixels == NULL)
    return NULL;

  *out_width = width;
  *out_height = height;

  return g_steal_pointer (&pixels);
}
