/* op-volume.h: a CT/CBCT volume on a regular grid, in the patient frame.
 *
 * Voxels are int16 as stored by the scanner ("raw"); Hounsfield units are
 * raw * slope + intercept.  The grid is placed in the world frame (DICOM
 * LPS, millimetres, see op-mesh.h) by a 4x4 transform from voxel indices
 * (i, j, k) to millimetres, so a volume built from a tilted or unevenly
 * spaced stack of slices is still a plain array once it has been resampled
 * by op_volume_resample_stack().
 *
 * Everything here is pure computation: files and DICOM parsing live in
 * io/op-dicom*.  The same input always gives the same bytes out.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint16 *voxels;        /* dims[0] * dims[1] * dims[2]; i fastest, then j, then k */
  int     dims[3];
  double  spacing[3];    /* mm between voxel centres along i, j and k */
  /* Column-major 4x4 from voxel index to world mm: columns 0-2 are the unit
   * directions of i, j, k times their spacing, column 3 the centre of voxel
   * (0, 0, 0). */
  double  transform[16];
  double  slope;         /* HU = raw * slope + intercept */
  double  intercept;
} OpVolume;

#define OP_VOLUME_ERROR (op_volume_error_quark ())
GQuark op_volume_error_quark (void);

typedef enum {
  OP_VOLUME_ERROR_EMPTY,         /* no slices, or zero-sized slices */
  OP_VOLUME_ERROR_INCONSISTENT,  /* slices disagree on size, orientation or spacing */
  OP_VOLUME_ERROR_GEOMETRY,      /* degenerate orientation, two slices at one place */
  OP_VOLUME_ERROR_GAP,           /* a slice is missing from an evenly spaced stack */
  OP_VOLUME_ERROR_TOO_LARGE,     /* over the memory limit */
} OpVolumeError;

/* Allocates a zeroed volume with an identity orientation, origin 0 and the
 * given spacing (mm), slope 1 and intercept 0.  Returns NULL when the
 * voxel count overflows or a dimension is not positive. */
OpVolume *op_volume_new        (int           nx,
                                int           ny,
                                int           nz,
                                const double  spacing[3]);
void      op_volume_free       (OpVolume     *volume);
OpVolume *op_volume_copy       (const OpVolume *volume);

/* Fills @out_view with @volume seen from another frame: the same voxels
 * (borrowed, not copied, so the view lives no longer than @volume and is
 * never given to op_volume_free) and @volume's transform carried by
 * @world_to_frame (column-major 4x4, mm).  A CBCT viewed from a scan's
 * frame lets code that works in that frame sample it directly. */
void      op_volume_view       (const OpVolume *volume,
                                const double    world_to_frame[16],
                                OpVolume       *out_view);

/* Bytes of voxel memory for a grid; saturates instead of overflowing. */
guint64   op_volume_estimate_bytes (guint64 nx,
                                    guint64 ny,
                                    guint64 nz);

/* Places the grid: @origin is the world position of voxel (0, 0, 0),
 * @axes three unit vectors (i, j, k directions, 9 doubles) and the spacing
 * is the volume's own. */
void      op_volume_set_geometry (OpVolume     *volume,
                                  const double  origin[3],
                                  const double  axes[9]);

/* Continuous voxel coordinates <-> world millimetres. */
void      op_volume_voxel_to_world (const OpVolume *volume,
                                    const double    ijk[3],
                                    double          xyz[3]);
void      op_volume_world_to_voxel (const OpVolume *volume,
                                    const double    xyz[3],
                                    double          ijk[3]);

/* Trilinear interpolation of the raw values at a world position.  FALSE
 * (and @out_raw untouched) outside the grid. */
gboolean  op_volume_sample     (const OpVolume *volume,
                                const double    xyz[3],
                                double         *out_raw);

static inline double
op_volume_raw_to_hu (const OpVolume *volume, double raw)
{
  return raw * volume->slope + volume->intercept;
}

static inline double
op_volume_hu_to_raw (const OpVolume *volume, double hu)
{
  return volume->slope != 0 ? (hu - volume->intercept) / volume->slope : hu;
}

/* World-space bounding box of the voxel centres. */
void      op_volume_world_bounds (const OpVolume *volume,
                                  double          bmin[3],
                                  double          bmax[3]);

/* ---- Thresholds and windows ------------------------------------------- */

/* Otsu's threshold over @n int16 values: the value t that maximises the
 * between-class variance of {v < t} and {v >= t}.  Values below
 * @ignore_below are left out (pass G_MININT16 to use them all).  Returns
 * G_MININT16 when fewer than two distinct values take part. */
int       op_otsu_threshold    (const gint16  *values,
                                gsize          n,
                                int            ignore_below);

/* The automatic isosurface threshold for bone and teeth, in raw values.
 * CBCT grey values are not calibrated HU (CLINICAL.md), so no fixed HU
 * value will do.  A first Otsu split separates air (and the padding outside
 * the field of view) from the patient; a second one, over the patient's
 * voxels only, separates soft tissue from bone and teeth. */
int       op_volume_auto_threshold (const OpVolume *volume);

typedef enum {
  OP_WINDOW_BONE,
  OP_WINDOW_TEETH,
  OP_WINDOW_SOFT_TISSUE,
} OpWindowPreset;

/* A display window in HU: values below level - width/2 are black, above
 * level + width/2 white. */
typedef struct {
  double level;
  double width;
} OpWindowLevel;

OpWindowLevel    op_window_preset            (OpWindowPreset preset);
const char *op_window_preset_to_string  (OpWindowPreset preset);  /* "bone", "teeth", "soft" */
gboolean    op_window_preset_from_string (const char    *str,
                                          OpWindowPreset *out_preset);

/* Grey level 0-255 of a HU value in @window. */
guint8      op_window_apply             (OpWindowLevel       window,
                                         double         hu);

/* ---- Slices for display ------------------------------------------------ */

typedef enum {
  OP_PLANE_AXIAL,     /* k fixed; patient's right on the left, anterior up */
  OP_PLANE_CORONAL,   /* j fixed; patient's right on the left, superior up */
  OP_PLANE_SAGITTAL,  /* i fixed; anterior on the left, superior up */
} OpPlane;

const char *op_plane_to_string   (OpPlane     plane);   /* "axial", ... */
gboolean    op_plane_from_string (const char *str,
                                  OpPlane    *out_plane);

/* Number of slices along @plane's normal (dims[2], dims[1] or dims[0]). */
int       op_volume_plane_count (const OpVolume *volume,
                                 OpPlane         plane);

/* Size in pixels of a displayed slice whose pixels are square, @pixel_mm
 * wide (0 for the finer of the two in-plane spacings). */
void      op_volume_slice_size  (const OpVolume *volume,
                                 OpPlane         plane,
                                 double          pixel_mm,
                                 int            *out_width,
                                 int            *out_height);

/* Fills @grey (width * height, top row first) with slice @index of @plane
 * through @window, sampled with square pixels as op_volume_slice_size()
 * says.  The volume's i, j, k axes are taken as the patient's left,
 * posterior and superior directions, which is what a resampled DICOM
 * stack gives.  FALSE when @index is out of range. */
gboolean  op_volume_render_slice (const OpVolume *volume,
                                  OpPlane         plane,
                                  int             index,
                                  OpWindowLevel        window,
                                  double          pixel_mm,
                                  guint8         *grey,
                                  int             width,
                                  int             height);

/* ---- Building a volume from a stack of slices ------------------------- */

/* One image as a DICOM file places it.  Pixels may be NULL while only the
 * geometry is analysed. */
typedef struct {
  double        position[3];     /* ImagePositionPatient: centre of the first pixel */
  double        row_dir[3];      /* ImageOrientationPatient[0..2]: along a row (column index grows) */
  double        col_dir[3];      /* ImageOrientationPatient[3..5]: down a column (row index grows) */
  double        column_spacing;  /* mm between adjacent columns (PixelSpacing[1]) */
  double        row_spacing;     /* mm between adjacent rows (PixelSpacing[0]) */
  int           columns;
  int           rows;
  double        slope;
  double        intercept;
  const gint16 *pixels;          /* rows * columns, row by row */
  const char   *label;           /* file name for messages */
} OpSlice;

typedef struct {
  /* 1 for full resolution, 2 for a load downsampled by 2 along each axis. */
  int      factor;
  /* Accept gaps that look like missing slices (they are interpolated). */
  gboolean allow_gaps;
} OpStackOptions;

/* What op_volume_analyse_stack() found and the grid it chose. */
typedef struct {
  guint    n_slices;
  double   normal[3];        /* row_dir x col_dir */
  double   tilt_deg;         /* angle between the normal and the stacking direction */
  gboolean tilted;           /* tilt above 0.1 degree: resampled to undo the shear */
  double   min_gap_mm;       /* slice to slice distance along the normal */
  double   max_gap_mm;
  gboolean uneven;           /* gaps differ by more than 1% */
  guint    n_gap_changes;    /* places where the gap changes */
  guint    n_missing;        /* gaps that look like missing slices */
  double   missing_from_mm;  /* first such gap, as positions along the normal */
  double   missing_to_mm;
  guint    missing_after;    /* index (sorted) of the slice before that gap */
  /* The grid. */
  int      dims[3];
  double   spacing[3];
  double   origin[3];
  double   axes[9];
} OpStackInfo;

/* Sorts @slices along their normal (writing the sorted order into @order,
 * n indices), checks they agree (size, orientation within 0.01, spacing
 * within 1%), measures tilt and gaps and chooses the regular grid: in-plane
 * axes along the rows and columns, the third along the normal, spacing the
 * pixel spacing and the smallest regular gap (times options->factor).
 * Fails with a message that names the slice (its label) at fault, or the
 * missing gap with its positions. */
gboolean  op_volume_analyse_stack (const OpSlice        *slices,
                                   guint                 n,
                                   const OpStackOptions *options,
                                   guint                *order,
                                   OpStackInfo          *info,
                                   GError              **error);

/* Resamples the sorted stack (@order from the analysis; every slice's
 * pixels set) onto the grid in @info: bilinear within a slice, linear
 * between the two slices around each grid plane, and the lowest value of
 * the stack outside them.  The result keeps the slices' slope and intercept
 * when they all agree, else holds HU (slope 1, intercept 0). */
OpVolume *op_volume_resample_stack (const OpSlice     *slices,
                                    const guint       *order,
                                    const OpStackInfo *info);

/* Halves each in-plane axis of one slice by 2x2 averaging, writing
 * (rows/2) * (columns/2) pixels into @out and updating @slice (spacing,
 * position, size) to describe them. */
void      op_slice_downsample2 (OpSlice       *slice,
                                const gint16  *pixels,
                                gint16        *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpVolume, op_volume_free)

G_END_DECLS
