/* op-offscreen.h: a GL 3.3 core context with no display (EGL, surfaceless
 * Mesa) and a framebuffer to draw into and read back.  For tests, the CLI
 * and exports that need pictures without a window. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OpOffscreen OpOffscreen;

/* Creates the context and a @width x @height RGBA8 + depth framebuffer,
 * leaves them current and bound.  4x multisampling when available. */
OpOffscreen *op_offscreen_new        (int           width,
                                      int           height,
                                      GError      **error);
/* The same with a chosen number of samples per pixel: 0 or 1 for none
 * (fastest on llvmpipe, whose cost grows with the samples), 4 as the
 * default.  More than the driver offers falls back to none. */
OpOffscreen *op_offscreen_new_with_samples (int      width,
                                            int      height,
                                            int      samples,
                                            GError **error);
void         op_offscreen_free       (OpOffscreen  *self);
/* Makes the context current and binds the framebuffer for drawing. */
gboolean     op_offscreen_make_current (OpOffscreen *self);
int          op_offscreen_get_width  (OpOffscreen  *self);
int          op_offscreen_get_height (OpOffscreen  *self);
/* Reads the picture back top row first, RGBA8, width * height * 4 bytes. */
guint8      *op_offscreen_read_pixels (OpOffscreen *self);
/* Samples per pixel of the drawing framebuffer: 4, or 0 when the driver
 * offers no multisampling and drawing goes straight to the read-back
 * target. */
int          op_offscreen_get_samples (OpOffscreen *self);
/* The GL_RENDERER string, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
const char  *op_offscreen_get_renderer_name (OpOffscreen *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpOffscreen, op_offscreen_free)

G_END_DECLS
