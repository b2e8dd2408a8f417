/* op-dicom.h: CT and CBCT series from DICOM files.
 *
 * Files are read through GDCM (one small C++ file, op-dicom.cpp); the
 * geometry (sorting along the slice normal, tilt, uneven spacing, missing
 * slices, resampling) is done in C, by op-dicom-series.c and
 * planner/op-volume-stack.c.  Input may be a folder (searched recursively),
 * a DICOMDIR or a single file, multi-frame or not.  Every transfer syntax
 * GDCM decodes is accepted: implicit and explicit VR, JPEG lossless,
 * JPEG-LS, JPEG 2000 and RLE.
 *
 * Every failure is a GError in OP_DICOM_ERROR whose message names the file
 * (or the folder) and says what is wrong.  Nothing here writes to a store.
 */
#pragma once

#include <gio/gio.h>

#include "op-volume.h"

G_BEGIN_DECLS

#define OP_DICOM_ERROR (op_dicom_error_quark ())
GQuark op_dicom_error_quark (void);

typedef enum {
  OP_DICOM_ERROR_READ,           /* the path cannot be read */
  OP_DICOM_ERROR_NO_IMAGES,      /* nothing in it is a DICOM image */
  OP_DICOM_ERROR_SEVERAL_SERIES, /* pick one with series_uid */
  OP_DICOM_ERROR_SERIES,         /* the chosen series is not one volume (mixed, gaps, geometry) */
  OP_DICOM_ERROR_DECODE,         /* pixel data GDCM cannot decode */
  OP_DICOM_ERROR_TOO_LARGE,      /* over max_bytes: offer a downsampled load */
  OP_DICOM_ERROR_CANCELLED,
  OP_DICOM_ERROR_WRITE,
} OpDicomError;

/* 2 GB, the default memory limit of a load. */
#define OP_DICOM_DEFAULT_MAX_BYTES (G_GUINT64_CONSTANT (2) * 1024 * 1024 * 1024)

/* Who the headers say the patient is.  Any field may be NULL. */
typedef struct {
  char *name;        /* as written, "Family^Given" */
  char *patient_id;
  char *birth_date;  /* YYYY-MM-DD when the header had YYYYMMDD */
  char *sex;
} OpDicomIdentity;

/* One series found in the input. */
typedef struct {
  char  *uid;
  char  *description;
  char  *modality;
  char  *study_uid;
  char  *study_date;       /* YYYY-MM-DD or NULL */
  guint  n_images;         /* frames, counted over all its files */
  guint  n_files;
  int    rows, columns;
  char  *transfer_syntax;  /* of its first file, by name */
  OpDicomIdentity identity;
} OpDicomSeries;

/* What a look at the headers found. */
typedef struct {
  GPtrArray *series;    /* OpDicomSeries, in the order of their first file's name */
  GPtrArray *skipped;   /* char *: "name: why", for files that are not DICOM images */
  guint      n_files;   /* files looked at */
} OpDicomScan;

typedef void (*OpDicomProgress) (double   fraction,
                                 gpointer user_data);

typedef struct {
  /* 0 means OP_DICOM_DEFAULT_MAX_BYTES. */
  guint64      max_bytes;
  /* Load at half the resolution along each axis (factor 2). */
  gboolean     downsample;
  /* Interpolate over gaps that look like missing slices instead of failing. */
  gboolean     allow_gaps;
  /* The series to load when the input holds several; NULL for the only one. */
  const char  *series_uid;
  OpDicomProgress progress;
  gpointer     progress_data;
  /* Read the headers and choose the grid, but decode nothing: the result
   * has no volume.  For `dicom info` on series of any size. */
  gboolean     headers_only;
} OpDicomLoadOptions;

/* A loaded series: the volume and what was learnt and corrected. */
typedef struct {
  OpVolume        *volume;        /* NULL for a headers_only load */
  OpStackInfo      stack;         /* tilt, gaps and the grid chosen */
  OpDicomSeries   *series;
  GPtrArray       *skipped;       /* as in OpDicomScan */
  GPtrArray       *files;         /* char *: the files used, sorted along the normal */
  guint64          estimated_bytes;
  int              factor;        /* 1, or 2 when downsampled */
  char            *corrections;   /* one sentence per correction, or "" */
} OpDicomVolume;

void op_dicom_identity_clear (OpDicomIdentity *identity);
void op_dicom_series_free    (OpDicomSeries   *series);
void op_dicom_scan_free      (OpDicomScan     *scan);
void op_dicom_volume_free    (OpDicomVolume   *volume);

/* Reads the headers (not the pixels) of every file under @path. */
OpDicomScan   *op_dicom_scan (const char    *path,
                              GCancellable  *cancellable,
                              GError       **error);

/* Scans, picks the series, checks its geometry, estimates the memory it
 * needs, then decodes and resamples it.  With several series and no
 * series_uid it fails with OP_DICOM_ERROR_SEVERAL_SERIES naming them.
 * Over max_bytes it fails with OP_DICOM_ERROR_TOO_LARGE, saying how much a
 * downsampled load would need. */
OpDicomVolume *op_dicom_load (const char                *path,
                              const OpDicomLoadOptions  *options,
                              GCancellable              *cancellable,
                              GError                   **error);

/* A readable summary of what the loader corrected ("gantry tilt of 18.5°
 * resampled; uneven slice spacing 1.08-7.00 mm resampled to 4.00 mm"). */
char          *op_dicom_describe_corrections (const OpStackInfo *stack);

/* The sha256 (lowercase hex) of the files' bytes one after the other, to
 * tie a stored volume to its source files. */
char          *op_dicom_files_sha256 (GPtrArray  *files,
                                      GError    **error);

/* ---- Writing ----------------------------------------------------------- */

typedef enum {
  OP_DICOM_SYNTAX_EXPLICIT_LE,
  OP_DICOM_SYNTAX_IMPLICIT_LE,
  OP_DICOM_SYNTAX_JPEG_LOSSLESS,   /* process 14, selection value 1 */
  OP_DICOM_SYNTAX_JPEG_LS,         /* lossless */
  OP_DICOM_SYNTAX_JPEG_2000,       /* lossless */
  OP_DICOM_SYNTAX_RLE,
} OpDicomSyntax;

typedef struct {
  OpDicomSyntax    syntax;
  /* One Enhanced CT file with every frame instead of one file per slice. */
  gboolean         multiframe;
  /* Files named DICOM/IM000001... and a DICOMDIR beside them. */
  gboolean         dicomdir;
  /* NULL for a new one. */
  const char      *series_uid;
  const char      *series_description;
  OpDicomIdentity  identity;
} OpDicomWriteOptions;

/* Writes @volume as a CT series into @folder (created if missing), one
 * slice per k plane, placed by the volume's transform.  Used for exports
 * and to build test series.  The file names are returned when @out_files
 * is not NULL. */
gboolean op_dicom_write_volume (const OpVolume            *volume,
                                const char                *folder,
                                const OpDicomWriteOptions *options,
                                GPtrArray                **out_files,
                                GError                   **error);

/* Copies the DICOM files of @files into @folder with the identifying
 * patient tags (name, id, birth date and time, other ids and names,
 * address, phone, institution, physicians, accession number) emptied or
 * replaced, through GDCM's Anonymizer.  Pixel data and geometry are kept. */
gboolean op_dicom_anonymize_copy (const char * const *files,
                                  guint               n_files,
                                  const char         *folder,
                                  GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpDicomScan, op_dicom_scan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpDicomVolume, op_dicom_volume_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpDicomSeries, op_dicom_series_free)

G_END_DECLS
