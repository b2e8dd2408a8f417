/* op-export.c: writing exports safely (op-export.h). */
#include "config.h"

#include "op-export.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (op-export-error-quark, op_export_error)

static gboolean
is_disk_full (const GError *e)
{
  return g_error_matches (e, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
         g_error_matches (e, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
}

void
op_export_propagate_write_error (GError    **dest,
                                 GError     *src,
                                 const char *path)
{
  g_autoptr(GError) e = src;
  g_autofree char *dir = g_path_get_dirname (path);

  if (is_disk_full (e))
    g_set_error (dest, OP_EXPORT_ERROR, OP_EXPORT_ERROR_DISK_FULL,
                 _("%s: the disk is full; free some space or choose another place (%s)"), path, e->message);
  else if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (dest, OP_EXPORT_ERROR, OP_EXPORT_ERROR_CANCELLED, _("%s: the export was cancelled"), path);
  else if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_set_error (dest, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE,
                 _("%s: cannot write there, the folder %s does not exist"), path, dir);
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    g_set_error (dest, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE,
                 _("%s: cannot write there, it is a folder"), path);
  else
    g_set_error (dest, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE,
                 _("%s: cannot write the file (%s)"), path, e->message);
}

gboolean
op_export_write_file (const char  *path,
                      GBytes      *bytes,
                      GError     **error)
{
  GError *local = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (path != NULL && bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  /* CONSISTENT writes a temporary file, fsyncs it and renames it over
   * @path; on any failure the temporary file is unlinked. */
  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, &local))
    {
      op_export_propagate_write_error (error, local, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
op_export_write_stream (GOutputStream *stream,
                        const char    *name,
                        GBytes        *bytes,
                        GCancellable  *cancellable,
                        GError       **error)
{
  GError *local = NULL;
  gsize len, written = 0;
  const char *data;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream) && bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  if (!g_output_stream_write_all (stream, data, len, &written, cancellable, &local) ||
      !g_output_stream_flush (stream, cancellable, &local))
    {
      op_export_propagate_write_error (error, local, name ? name : "output");
      return FALSE;
    }
  return TRUE;
}

GBytes *
op_export_logo_read (const char  *path,
                     const char **out_mime,
                     GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;
  const char *mime = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (out_mime)
    *out_mime = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO, _("logo %s: no such file"), path);
      else
        g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO, _("logo %s: cannot read it (%s)"), path,
                     local->message);
      return NULL;
    }
  if (len > OP_EXPORT_LOGO_MAX_BYTES)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO,
                   _("logo %s: %" G_GSIZE_FORMAT " bytes is more than the 2 MB a logo may have; "
                     "use a smaller picture"), path, len);
      return NULL;
    }
  /* Known by their first bytes, not by the file name, which a person may
   * have got wrong. */
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    mime = "image/png";
  else if (len >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    mime = "image/jpeg";
  else if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    mime = "image/gif";
  else if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    mime = "image/webp";
  else if (g_utf8_validate (data, (gssize) len, NULL) && g_strstr_len (data, (gssize) MIN (len, 4096), "<svg"))
    mime = "image/svg+xml";
  if (mime == NULL)
    {
      g_set_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO,
                   _("logo %s: not a PNG, JPEG, GIF, WebP or SVG picture"), path);
      return NULL;
    }
  if (out_mime)
    *out_mime = mime;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}
