/* op-image.c: PNG in and out through cairo image surfaces. */
#include "op-image.h"

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (op-image-error-quark, op_image_error)

gboolean
op_image_save_png (const guint8 *rgba,
                   int           width,
                   int           height,
                   const char   *path,
                   GError      **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  g_autofree char *tmp = NULL;
  guint8 *dst;
  int stride;

  g_return_val_if_fail (rgba != NULL && width > 0 && height > 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  dst = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);

  /* Cairo wants native-endian premultiplied ARGB in 32-bit words. */
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (dst + (gsize) y * stride);
      const guint8 *src = rgba + (gsize) y * width * 4;

      for (int x = 0; x < width; x++)
        {
          guint a = src[4 * x + 3];
          guint r = src[4 * x + 0] * a / 255;
          guint g = src[4 * x + 1] * a / 255;
          guint b = src[4 * x + 2] * a / 255;
          row[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);

  tmp = g_strdup_printf ("%s.tmp-%d", path, (int) g_random_int_range (0, G_MAXINT));
  status = cairo_surface_write_to_png (surface, tmp);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS || g_rename (tmp, path) != 0)
    {
      g_unlink (tmp);
      g_set_error (error, OP_IMAGE_ERROR, OP_IMAGE_ERROR_WRITE,
                   "%s: could not write the picture (%s)", path,
                   status != CAIRO_STATUS_SUCCESS ? cairo_status_to_string (status) : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

guint8 *
op_image_load_png (const char *path,
                   int        *out_width,
                   int        *out_height,
                   GError    **error)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  cairo_status_t status = cairo_surface_status (surface);
  guint8 *rgba, *src;
  int w, h, stride;

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, OP_IMAGE_ERROR, OP_IMAGE_ERROR_READ,
                   "%s: could not read the picture (%s)", path, cairo_status_to_string (status));
      cairo_surface_destroy (surface);
      return NULL;
    }

  if (cairo_image_surface_get_format (surface) != CAIRO_FORMAT_ARGB32 &&
      cairo_image_surface_get_format (surface) != CAIRO_FORMAT_RGB24)
    {
      cairo_surface_t *conv;
      cairo_t *cr;

      conv = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                         cairo_image_surface_get_width (surface),
                                         cairo_image_surface_get_height (surface));
      cr = cairo_create (conv);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
      surface = conv;
    }

  cairo_surface_flush (surface);
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  src = cairo_image_surface_get_data (surface);
  rgba = g_malloc ((gsize) w * h * 4);

  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (src + (gsize) y * stride);
      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x];
          guint a = cairo_image_surface_get_format (surface) == CAIRO_FORMAT_RGB24 ? 255 : p >> 24;
          guint8 *d = rgba + ((gsize) y * w + x) * 4;

          d[0] = a ? ((p >> 16) & 0xff) * 255 / a : 0;
          d[1] = a ? ((p >> 8) & 0xff) * 255 / a : 0;
          d[2] = a ? (p & 0xff) * 255 / a : 0;
          d[3] = a;
        }
    }
  cairo_surface_destroy (surface);

  if (out_width)
    *out_width = w;
  if (out_height)
    *out_height = h;
  return rgba;
}
