/* op-dicom-private.h: the C interface of op-dicom.cpp, GDCM's side of
 * io/dicom.  Only files and tags cross it; no geometry is decided there. */
#pragma once

#include "op-dicom.h"

G_BEGIN_DECLS

/* One file's header, as far as a volume needs it. */
typedef struct {
  char    *series_uid;
  char    *study_uid;
  char    *series_description;
  char    *modality;
  char    *study_date;
  char    *transfer_syntax;     /* by name, "Explicit VR Little Endian" */
  OpDicomIdentity identity;
  int      rows, columns, frames;
  int      samples_per_pixel;
  int      instance_number;
  gboolean has_geometry;        /* ImagePositionPatient/ImageOrientationPatient present */
  double   position[3];         /* of the first frame */
  double   row_dir[3], col_dir[3];
  double   column_spacing, row_spacing, frame_spacing;
  double   slope, intercept;
} OpDicomHeader;

void      op__dicom_header_clear (OpDicomHeader *header);

/* Reads @path up to its pixel data.  FALSE with @why set (newly allocated,
 * no file name) when it is not a DICOM image. */
gboolean  op__dicom_read_header  (const char     *path,
                                  OpDicomHeader  *header,
                                  char          **why);

/* Whether @path is a DICOMDIR; if so, adds the full paths of the image
 * files it lists to @files. */
gboolean  op__dicom_read_dicomdir (const char *path,
                                   GPtrArray  *files);

/* Decodes every frame of @path as int16 into @out (@n_values long).
 * FALSE with @why set (newly allocated) when GDCM cannot decode it. */
gboolean  op__dicom_read_pixels  (const char  *path,
                                  gint16      *out,
                                  gsize        n_values,
                                  char       **why);

G_END_DECLS
