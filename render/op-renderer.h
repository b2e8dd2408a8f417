/* op-renderer.h: draws meshes with OpenGL 3.3 core.
 *
 * The renderer knows no widgets: the caller makes a GL context current
 * (a GtkGLArea, or OpOffscreen) before every call, and calls
 * op_renderer_free() while that context is still current.
 */
#pragma once

#include <gio/gio.h>

#include "op-camera.h"
#include "op-mesh.h"

G_BEGIN_DECLS

#define OP_RENDER_ERROR (op_render_error_quark ())
GQuark op_render_error_quark (void);

typedef enum {
  OP_RENDER_ERROR_CONTEXT,   /* no or too old a GL context */
  OP_RENDER_ERROR_SHADER,
  OP_RENDER_ERROR_FRAMEBUFFER,
} OpRenderError;

typedef enum {
  OP_MATERIAL_ENAMEL,        /* teeth: bright, slightly translucent-looking, glossy */
  OP_MATERIAL_GINGIVA,       /* pink, soft, matte */
  OP_MATERIAL_VERTEX_COLOR,  /* per-vertex colours from the mesh, or neutral grey */
  OP_MATERIAL_LABELS,        /* enamel for labelled vertices, gingiva for label 0 */
  /* The mesh's colour (op_renderer_set_color), lit like enamel: teeth
   * painted by how far they move, markers. */
  OP_MATERIAL_COLOR,
  /* A see-through silhouette in the mesh's colour and alpha, drawn after
   * every opaque mesh without writing depth: the initial teeth over the
   * current stage, another plan version over this one. */
  OP_MATERIAL_GHOST,
} OpMaterial;

/* The material that shows what a mesh carries: labels as enamel and
 * gingiva, else its own colours, else plain enamel. */
OpMaterial  op_material_for_mesh     (const OpMesh *mesh);

typedef struct _OpRenderer OpRenderer;

OpRenderer *op_renderer_new          (GError    **error);
void        op_renderer_free         (OpRenderer *self);

/* Uploads @mesh (positions, normals, colours, labels) to GPU buffers and
 * returns a handle > 0.  The renderer does not keep @mesh. */
guint       op_renderer_add_mesh     (OpRenderer   *self,
                                      const OpMesh *mesh,
                                      OpMaterial    material);
/* remove_mesh and clear delete GL buffers: the context must be current.
 * Unknown handles are ignored.  Meshes draw in the order they were added. */
void        op_renderer_remove_mesh  (OpRenderer   *self,
                                      guint         handle);
void        op_renderer_clear        (OpRenderer   *self);
void        op_renderer_set_visible  (OpRenderer   *self,
                                      guint         handle,
                                      gboolean      visible);
/* Column-major model matrix, in mm. */
void        op_renderer_set_transform (OpRenderer  *self,
                                       guint        handle,
                                       const float  matrix[16]);
/* The colour (sRGB, 0-1, straight alpha) used by OP_MATERIAL_COLOR and
 * OP_MATERIAL_GHOST; the default is enamel white, and a ghost's default
 * alpha 0.3.  Other materials ignore it. */
void        op_renderer_set_color    (OpRenderer  *self,
                                      guint        handle,
                                      const float  rgba[4]);
/* Whether op_renderer_pick() can return the mesh; ghosts never can.
 * Meshes are pickable when added. */
void        op_renderer_set_pickable (OpRenderer  *self,
                                      guint        handle,
                                      gboolean     pickable);
/* Union of the bounding boxes of the visible meshes; FALSE when none. */
gboolean    op_renderer_get_bounds   (OpRenderer  *self,
                                      float        out_min[3],
                                      float        out_max[3]);
/* A flat colour (sRGB, 0-1) instead of the default soft vertical gradient;
 * NULL brings the gradient back. */
void        op_renderer_set_background (OpRenderer *self,
                                        const float rgba[4]);

/* Clips every mesh by a plane given in world millimetres as (a, b, c, d):
 * the parts where a x + b y + c z + d >= 0 are drawn, the rest is cut
 * away, so that a surface (the CBCT's bone, say) can be opened up at a
 * slice.  (a, b, c) need not be unit length.  NULL turns clipping off.
 * The plane follows each mesh's model matrix, so it stays put in the world
 * when a mesh moves.  Needs no current context. */
void        op_renderer_set_clip_plane (OpRenderer  *self,
                                        const float  plane[4]);
/* TRUE and the plane in @out_plane when one is set. */
gboolean    op_renderer_get_clip_plane (OpRenderer  *self,
                                        float        out_plane[4]);

/* Draws every visible mesh into the currently bound draw framebuffer
 * (never binds one), over a @width x @height viewport it sets itself.  The
 * framebuffer needs a depth buffer.  Leaves depth testing off, vertex
 * array and program 0 bound. */
void        op_renderer_draw         (OpRenderer     *self,
                                      const OpCamera *camera,
                                      int             width,
                                      int             height);

/* GPU picking: draws the handle of every visible, pickable mesh into an
 * offscreen integer framebuffer of @width x @height (the same size and
 * camera as the picture on screen, so that the same pixel is the same
 * surface) and reads back the one pixel at (@x, @y), top row 0.  Returns
 * the handle of the nearest mesh there, or 0 for none (background, or
 * outside the viewport).  Needs the renderer's context current; leaves
 * the caller's framebuffer binding as it was. */
guint       op_renderer_pick         (OpRenderer     *self,
                                      const OpCamera *camera,
                                      int             width,
                                      int             height,
                                      int             x,
                                      int             y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpRenderer, op_renderer_free)

G_END_DECLS
