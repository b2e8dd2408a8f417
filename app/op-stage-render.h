/* op-stage-render.h: pictures of a plan's stages, drawn offscreen.
 *
 * For exports that need pictures (the report's initial and final views,
 * the video's frames): it owns an offscreen GL context (render/, EGL) and
 * a renderer holding every tooth of the plan, and draws any stage, also
 * between two stages, from a standard view turned by a yaw offset.  It
 * links no GTK, so orthoplan-cli uses it on a server.  Its context is
 * current on the calling thread; use one OpStageRender per thread.
 */
#pragma once

#include <gio/gio.h>

#include "op-camera.h"
#include "op-plan.h"
#include "op-tooth.h"

G_BEGIN_DECLS

typedef struct _OpStageRender OpStageRender;

/* Every tooth of @plan must have a crown in @dentition.  Meshes with more
 * than @max_triangles triangles are drawn from a simplified copy (0 keeps
 * them all): a picture the size of a report's or a video's does not
 * show the difference, and llvmpipe's time grows with the triangles. */
OpStageRender *op_stage_render_new  (const OpDentition *dentition,
                                     const OpPlan      *plan,
                                     int                width,
                                     int                height,
                                     guint              max_triangles,
                                     GError           **error);
void           op_stage_render_free (OpStageRender     *self);

/* Draws @stage (0 to n_stages - 1; a fraction lies between two stages,
 * each tooth's rotation interpolated along the shortest arc) from @view,
 * turned by @yaw_deg about the vertical, and returns the picture (top row
 * first, RGBA, width * height * 4; free it).  The camera is fitted to the
 * initial teeth of the arches the view shows, so that every stage is
 * framed alike. */
guint8        *op_stage_render_draw (OpStageRender     *self,
                                     double             stage,
                                     OpView             view,
                                     float              yaw_deg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpStageRender, op_stage_render_free)

G_END_DECLS
