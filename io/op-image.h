/* op-image.h: writing and reading RGBA pictures (PNG through cairo).
 * Pictures come from app/ or tests, which render with render/; io/ only
 * stores them. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OP_IMAGE_ERROR (op_image_error_quark ())
GQuark op_image_error_quark (void);

typedef enum {
  OP_IMAGE_ERROR_WRITE,
  OP_IMAGE_ERROR_READ,
} OpImageError;

/* @rgba is top row first, straight (not premultiplied) alpha,
 * @width * @height * 4 bytes. */
gboolean op_image_save_png (const guint8 *rgba,
                            int           width,
                            int           height,
                            const char   *path,
                            GError      **error);

/* Loads a PNG into straight RGBA, top row first. */
guint8  *op_image_load_png (const char   *path,
                            int          *out_width,
                            int          *out_height,
                            GError      **error);

G_END_DECLS
