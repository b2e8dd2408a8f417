/* op-viewer.h: the 3D viewer, a GtkGLArea over one OpRenderer and OpCamera.
 *
 * Every page that shows geometry reuses this widget.  Meshes may be added
 * before the widget is realized; they are uploaded when the GL context
 * exists, and uploaded again if the widget is unrealized and realized (for
 * example when it moves to another window).
 *
 * Input: left drag orbits, middle drag or Shift+left drag pans, the wheel
 * zooms, keys 1-5 pick the standard views (front, upper, lower, left,
 * right) and F frames everything.
 */
#pragma once

#include <gtk/gtk.h>

#include "op-camera.h"
#include "op-mesh.h"
#include "op-renderer.h"

G_BEGIN_DECLS

#define OP_TYPE_VIEWER (op_viewer_get_type ())
G_DECLARE_FINAL_TYPE (OpViewer, op_viewer, OP, VIEWER, GtkGLArea)

GtkWidget  *op_viewer_new               (void);

/* Takes ownership of @mesh and returns a handle > 0 for it.  The mesh's
 * bounds are computed here when it has none. */
guint       op_viewer_add_mesh          (OpViewer   *self,
                                         OpMesh     *mesh,
                                         OpMaterial  material);
void        op_viewer_remove_mesh       (OpViewer   *self,
                                         guint       handle);
void        op_viewer_set_mesh_visible  (OpViewer   *self,
                                         guint       handle,
                                         gboolean    visible);
gboolean    op_viewer_get_mesh_visible  (OpViewer   *self,
                                         guint       handle);
void        op_viewer_clear             (OpViewer   *self);
guint       op_viewer_get_n_meshes      (OpViewer   *self);

/* Cuts every mesh by a plane in world mm (see op_renderer_set_clip_plane);
 * NULL shows them whole.  Kept across realize/unrealize. */
void        op_viewer_set_clip_plane    (OpViewer    *self,
                                         const float  plane[4]);

/* The mesh's model matrix (column-major, mm); NULL for identity.  Kept
 * across realize/unrealize, like the mesh. */
void        op_viewer_set_mesh_transform (OpViewer    *self,
                                          guint        handle,
                                          const float  matrix[16]);
/* The colour of an OP_MATERIAL_COLOR or OP_MATERIAL_GHOST mesh (sRGB,
 * straight alpha); see op_renderer_set_color. */
void        op_viewer_set_mesh_color    (OpViewer    *self,
                                         guint        handle,
                                         const float  rgba[4]);
/* The handle of the mesh drawn at (@x, @y) in widget coordinates (GPU
 * picking, op_renderer_pick), or 0 for none or when not realized. */
guint       op_viewer_pick              (OpViewer    *self,
                                         double       x,
                                         double       y);
/* The camera as it is now; valid until the next call into the viewer. */
const OpCamera *op_viewer_get_camera    (OpViewer    *self);
/* Where the world point @world (mm) is drawn with the camera as it is
 * now, in widget coordinates; FALSE when it is behind the camera, outside
 * the widget, or the widget has no size yet. */
gboolean    op_viewer_project           (OpViewer    *self,
                                         const float  world[3],
                                         double      *out_x,
                                         double      *out_y);

/* Turns the camera to a standard view and frames the visible meshes. */
void        op_viewer_set_view          (OpViewer   *self,
                                         OpView      view);
/* Frames the visible meshes without turning the camera. */
void        op_viewer_frame_all         (OpViewer   *self);

/* NULL while the 3D view works; otherwise a sentence for people saying why
 * it cannot draw (no GL 3.3 context, a shader that failed).  Notifies the
 * "error-message" property when it changes. */
const char *op_viewer_get_error_message (OpViewer   *self);

/* How many frames the widget has drawn; tests wait on it. */
guint       op_viewer_get_frame_count   (OpViewer   *self);

/* Draws the current scene at the widget's size into an offscreen
 * framebuffer of the widget's context and reads it back: straight RGBA,
 * top row first, width * height * 4 bytes.  NULL when the widget is not
 * realized or has no working context. */
guint8     *op_viewer_read_pixels       (OpViewer   *self,
                                         int        *out_width,
                                         int        *out_height);

G_END_DECLS
