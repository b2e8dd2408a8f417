/* op-export.h: what every export (patient page, report, video) shares.
 *
 * Exports are written to a temporary file beside the target and renamed
 * over it only when every byte is on disk, so a failure (a full disk, a
 * cancelled export) never leaves a file that looks complete.  The errors
 * name the file and say what a person can do about it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OP_EXPORT_ERROR (op_export_error_quark ())
GQuark op_export_error_quark (void);

typedef enum {
  OP_EXPORT_ERROR_NO_PLAN,      /* the case has no plan to export */
  OP_EXPORT_ERROR_INPUT,        /* a tooth or an option is wrong */
  OP_EXPORT_ERROR_WRITE,        /* the target cannot be written */
  OP_EXPORT_ERROR_DISK_FULL,    /* no space left where the target goes */
  OP_EXPORT_ERROR_CANCELLED,
  OP_EXPORT_ERROR_ENCODE,       /* the video encoder failed */
  OP_EXPORT_ERROR_LOGO,         /* the practice logo is missing, too big or not a picture */
} OpExportError;

/* Progress of a long export, from 0 to 1, called from the exporting
 * thread. */
typedef void (*OpExportProgress) (double    fraction,
                                  gpointer  user_data);

/* Writes @bytes to @path through a temporary file in the same folder and
 * a rename.  On failure nothing named @path is created or changed, the
 * temporary file is gone, and @error says why: OP_EXPORT_ERROR_DISK_FULL
 * when the disk is full, OP_EXPORT_ERROR_WRITE otherwise (missing folder,
 * no permission, a folder in the way). */
gboolean op_export_write_file   (const char    *path,
                                 GBytes        *bytes,
                                 GError       **error);

/* Writes @bytes to @stream, with the same messages as
 * op_export_write_file; @name is the file name they use. */
gboolean op_export_write_stream (GOutputStream *stream,
                                 const char    *name,
                                 GBytes        *bytes,
                                 GCancellable  *cancellable,
                                 GError       **error);

/* Turns a GIO or GFile error from writing @path into an OP_EXPORT_ERROR
 * with a message that names the file and the problem.  Takes @src. */
void     op_export_propagate_write_error (GError     **dest,
                                          GError      *src,
                                          const char  *path);

/* The most a practice logo may weigh: it travels inside every patient
 * page and every report. */
#define OP_EXPORT_LOGO_MAX_BYTES (2 * 1024 * 1024)

/* Reads the practice logo at @path and tells its kind by its first bytes:
 * *@out_mime (may be NULL) is set to "image/png", "image/jpeg",
 * "image/gif", "image/webp" or "image/svg+xml".  Fails with
 * OP_EXPORT_ERROR_LOGO, the message naming the file, when it is missing,
 * unreadable, over OP_EXPORT_LOGO_MAX_BYTES or none of those pictures. */
GBytes  *op_export_logo_read   (const char   *path,
                                const char  **out_mime,
                                GError      **error);

G_END_DECLS
