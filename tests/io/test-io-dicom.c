/* Tests for io/dicom: the real tilted GE series, phantoms written through
 * GDCM in every transfer syntax, and bad input. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-dicom.h"
#include "op-marching.h"

static char *tmpdir;

static char *
real_series (void)
{
  const char *data = g_getenv ("OP_SHARED_DATA");

  return g_build_filename (data ? data : "../shared/data", "ct-head-ge-tilt", NULL);
}

/* A smooth sphere: raw value 1000 inside fading to -1000 outside. */
static OpVolume *
phantom_new (int nx, int ny, int nz)
{
  const double spacing[3] = { 0.8, 0.6, 1.5 };
  const double origin[3] = { -20, 15, -40 };
  const double axes[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  OpVolume *v = op_volume_new (nx, ny, nz, spacing);

  op_volume_set_geometry (v, origin, axes);
  v->intercept = -1024;
  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      for (int i = 0; i < nx; i++)
        {
          double x = (i - nx / 2.0) * spacing[0], y = (j - ny / 2.0) * spacing[1], z = (k - nz / 2.0) * spacing[2];
          double r = sqrt (x * x + y * y + z * z);

          v->voxels[((gsize) k * ny + j) * nx + i] = (gint16) lround (CLAMP ((8.0 - r) * 300, -1000, 1000) + 1024);
        }
  return v;
}

static char *
write_phantom (const char                *name,
               const OpVolume            *v,
               const OpDicomWriteOptions *opts)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_build_filename (tmpdir, name, NULL);

  g_assert_true (op_dicom_write_volume (v, dir, opts, NULL, &error));
  g_assert_no_error (error);
  return dir;
}

static void
assert_same_volume (const OpVolume *a,
                    const OpVolume *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  if (a == NULL || b == NULL)
    return;
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (a->dims[i], ==, b->dims[i]);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat_with_epsilon (a->transform[i], b->transform[i], 1e-3);
  g_assert_cmpfloat_with_epsilon (a->intercept, b->intercept, 1e-6);
  if (a->dims[0] == b->dims[0] && a->dims[1] == b->dims[1] && a->dims[2] == b->dims[2])
    g_assert_cmpmem (a->voxels, (gsize) a->dims[0] * a->dims[1] * a->dims[2] * 2,
                     b->voxels, (gsize) b->dims[0] * b->dims[1] * b->dims[2] * 2);
}

typedef struct {
  const char    *name;
  OpDicomSyntax  syntax;
  const char    *ts_name_part;
} SyntaxCase;

static const SyntaxCase syntaxes[] = {
  { "explicit", OP_DICOM_SYNTAX_EXPLICIT_LE, "Explicit" },
  { "implicit", OP_DICOM_SYNTAX_IMPLICIT_LE, "Implicit" },
  { "jpeg-lossless", OP_DICOM_SYNTAX_JPEG_LOSSLESS, "JPEG Lossless" },
  { "jpeg-ls", OP_DICOM_SYNTAX_JPEG_LS, "JPEG-LS" },
  { "jpeg-2000", OP_DICOM_SYNTAX_JPEG_2000, "JPEG 2000" },
  { "rle", OP_DICOM_SYNTAX_RLE, "RLE" },
};

static void
test_phantom_syntax (gconstpointer data)
{
  const SyntaxCase *sc = data;
  g_autoptr(OpVolume) v = phantom_new (40, 36, 24);
  OpDicomWriteOptions opts = { 0 };
  g_autofree char *dir = NULL;
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;

  opts.syntax = sc->syntax;
  opts.identity.name = (char *) "Doe^Jane";
  dir = write_phantom (sc->name, v, &opts);
  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  g_assert_nonnull (strstr (loaded->series->transfer_syntax, sc->ts_name_part));
  g_assert_cmpuint (loaded->series->n_images, ==, 24);
  g_assert_false (loaded->stack.tilted);
  g_assert_false (loaded->stack.uneven);
  g_assert_cmpstr (loaded->corrections, ==, "");
  g_assert_cmpstr (loaded->series->identity.name, ==, "Doe^Jane");
  assert_same_volume (v, loaded->volume);
}

static void
test_multiframe (void)
{
  g_autoptr(OpVolume) v = phantom_new (32, 30, 20);
  OpDicomWriteOptions opts = { 0 };
  g_autofree char *dir = NULL, *file = NULL;
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;

  opts.multiframe = TRUE;
  dir = write_phantom ("multiframe", v, &opts);
  file = g_build_filename (dir, "volume.dcm", NULL);
  loaded = op_dicom_load (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  g_assert_cmpuint (loaded->series->n_files, ==, 1);
  g_assert_cmpuint (loaded->series->n_images, ==, 20);
  assert_same_volume (v, loaded->volume);
}

static void
test_dicomdir (void)
{
  g_autoptr(OpVolume) v = phantom_new (24, 24, 12);
  OpDicomWriteOptions opts = { 0 };
  g_autofree char *dir = NULL, *dicomdir = NULL;
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;

  opts.dicomdir = TRUE;
  opts.identity.name = (char *) "Doe^John";
  opts.identity.patient_id = (char *) "P1";
  opts.identity.birth_date = (char *) "1980-02-03";
  dir = g_build_filename (tmpdir, "dicomdir", NULL);
  if (!op_dicom_write_volume (v, dir, &opts, NULL, &error))
    {
      g_test_skip_printf ("GDCM could not write a DICOMDIR here: %s", error->message);
      return;
    }
  dicomdir = g_build_filename (dir, "DICOMDIR", NULL);
  g_assert_true (g_file_test (dicomdir, G_FILE_TEST_IS_REGULAR));
  loaded = op_dicom_load (dicomdir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  g_assert_cmpuint (loaded->series->n_files, ==, 12);
  g_assert_cmpstr (loaded->series->identity.birth_date, ==, "1980-02-03");
  g_assert_cmpstr (loaded->series->identity.patient_id, ==, "P1");
  assert_same_volume (v, loaded->volume);

  /* The folder itself loads too, and its DICOMDIR is not a stray file. */
  g_clear_pointer (&loaded, op_dicom_volume_free);
  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  if (loaded)
    g_assert_cmpuint (loaded->skipped->len, ==, 0);
}

/* Mean absolute difference between an original slice and the volume
 * sampled at that slice's pixels moved by @shift mm along @dir. */
static double
slice_difference (const OpVolume *vol,
                  const OpVolume *slice,
                  const double    dir[3],
                  double          shift,
                  guint          *n_used)
{
  double sum = 0;
  guint n = 0;

  for (int j = 0; j < slice->dims[1]; j += 4)
    for (int i = 0; i < slice->dims[0]; i += 4)
      {
        double ijk[3] = { i, j, 0 }, p[3], val;

        op_volume_voxel_to_world (slice, ijk, p);
        for (int a = 0; a < 3; a++)
          p[a] += shift * dir[a];
        if (!op_volume_sample (vol, p, &val))
          continue;
        sum += fabs (op_volume_raw_to_hu (vol, val) -
                     op_volume_raw_to_hu (slice, slice->voxels[(gsize) j * slice->dims[0] + i]));
        n++;
      }
  *n_used = n;
  return n ? sum / n : G_MAXDOUBLE;
}

static void
test_real_tilted (void)
{
  g_autofree char *dir = real_series ();
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const OpVolume *vol;
  double bmin[3], bmax[3];
  int threshold;
  guint n_best_at_zero = 0;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip_printf ("%s is missing", dir);
      return;
    }
  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  vol = loaded->volume;

  g_assert_cmpuint (loaded->series->n_images, ==, 28);
  g_assert_cmpint (loaded->series->rows, ==, 512);
  g_assert_cmpstr (loaded->series->modality, ==, "CT");
  g_assert_true (loaded->stack.tilted);
  g_assert_cmpfloat_with_epsilon (loaded->stack.tilt_deg, 18.5, 0.1);
  g_assert_true (loaded->stack.uneven);
  g_assert_cmpuint (loaded->stack.n_missing, ==, 0);
  /* 4.22 and 7.38 mm along the table are 4.0 and 7.0 mm along the tilted
   * normal; the join is 1.14 mm along the table. */
  g_assert_cmpfloat_with_epsilon (loaded->stack.max_gap_mm, 7.0, 0.01);
  g_assert_cmpfloat_with_epsilon (loaded->stack.min_gap_mm, 1.14 * cos (18.5 * G_PI / 180), 0.01);
  g_assert_cmpfloat_with_epsilon (vol->spacing[2], 4.0, 0.01);
  g_assert_nonnull (strstr (loaded->corrections, "18.5"));
  g_assert_nonnull (strstr (loaded->corrections, "uneven"));
  g_assert_cmpuint (loaded->files->len, ==, 28);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (loaded->files, 0), "01.dcm"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (loaded->files, 27), "28.dcm"));

  op_volume_world_bounds (vol, bmin, bmax);
  for (guint f = 0; f < loaded->files->len; f++)
    {
      const char *file = g_ptr_array_index (loaded->files, f);
      g_autoptr(OpDicomVolume) one = op_dicom_load (file, NULL, NULL, &error);
      double ipp[3], zero[3] = { 0, 0, 0 }, best = G_MAXDOUBLE, best_shift = 99, ijk[3];
      guint n_used;

      g_assert_no_error (error);
      if (one == NULL)
        continue;
      /* A single untilted slice is its own pixels: the reference. */
      op_volume_voxel_to_world (one->volume, zero, ipp);
      op_volume_world_to_voxel (vol, ipp, ijk);
      /* Every IPP lies inside the grid, to half a voxel. */
      for (int a = 0; a < 3; a++)
        {
          g_assert_cmpfloat (ijk[a], >=, -0.5);
          g_assert_cmpfloat (ijk[a], <=, vol->dims[a] - 0.5);
          g_assert_cmpfloat (ipp[a], >=, bmin[a] - 0.5 * vol->spacing[2]);
          g_assert_cmpfloat (ipp[a], <=, bmax[a] + 0.5 * vol->spacing[2]);
        }

      /* Where does the slice match the volume best?  Shifts of a quarter
       * voxel along the normal, and along the in-plane axis the tilt
       * shears: the best match must be at no shift, i.e. within half a
       * voxel of where the file says the slice is. */
      for (int along = 0; along < 2; along++)
        {
          const double *dir_v = along == 0 ? loaded->stack.normal : loaded->stack.axes + 3;
          double step = along == 0 ? vol->spacing[2] : vol->spacing[1];

          best = G_MAXDOUBLE;
          for (int q = -4; q <= 4; q++)
            {
              double d = slice_difference (vol, one->volume, dir_v, q * 0.25 * step * (along ? 4 : 1), &n_used);

              if (n_used > 1000 && d < best)
                {
                  best = d;
                  best_shift = q * 0.25 * (along ? 4 : 1);
                }
            }
          g_assert_cmpfloat (fabs (best_shift), <, 0.5 + 1e-9);
          if (best_shift == 0)
            n_best_at_zero++;
        }
      /* The first and last slices lie on grid planes: nearly identical. */
      if (f == 0 || f + 1 == loaded->files->len)
        {
          double d = slice_difference (vol, one->volume, loaded->stack.normal, 0, &n_used);
          double off = slice_difference (vol, one->volume, loaded->stack.normal,
                                         (f == 0 ? 1 : -1) * vol->spacing[2], &n_used);

          g_test_message ("%s: %.2f HU on its plane, %.2f HU one voxel off", (char *) g_ptr_array_index (loaded->files, f), d, off);
          g_assert_cmpfloat (d, <, 5.0);
          g_assert_cmpfloat (off, >, 4 * d);
          g_assert_cmpuint (n_used, >, 10000);
        }
      g_clear_error (&error);
    }
  g_test_message ("%u of 56 searches best at no shift", n_best_at_zero);

  /* Hounsfield units: air outside the head, bone in the skull. */
  {
    gsize n = (gsize) vol->dims[0] * vol->dims[1] * vol->dims[2];
    int lo = G_MAXINT16, hi = G_MININT16;
    double centre[3] = { vol->dims[0] / 2.0, 20, vol->dims[2] / 2.0 }, p[3], air;

    for (gsize i = 0; i < n; i++)
      {
        lo = MIN (lo, vol->voxels[i]);
        hi = MAX (hi, vol->voxels[i]);
      }
    g_assert_cmpfloat (op_volume_raw_to_hu (vol, hi), >, 1000);
    g_assert_cmpfloat (op_volume_raw_to_hu (vol, hi), <, 4000);
    g_assert_cmpfloat (op_volume_raw_to_hu (vol, lo), <=, -1000);
    /* Near the front edge of the field of view, in front of the face. */
    op_volume_voxel_to_world (vol, centre, p);
    g_assert_true (op_volume_sample (vol, p, &air));
    g_assert_cmpfloat (op_volume_raw_to_hu (vol, air), <, -900);
  }

  threshold = op_volume_auto_threshold (vol);
  g_test_message ("auto threshold %.0f HU", op_volume_raw_to_hu (vol, threshold));
  g_assert_cmpfloat (op_volume_raw_to_hu (vol, threshold), >, 150);
  g_assert_cmpfloat (op_volume_raw_to_hu (vol, threshold), <, 1000);

  /* The skull's isosurface is a big closed-ish shell. */
  {
    g_autoptr(OpMesh) skull = op_volume_isosurface (vol, threshold, NULL);

    g_assert_cmpuint (skull->n_triangles, >, 100000);
    g_assert_cmpfloat (skull->bbox_max[0] - skull->bbox_min[0], >, 120);
    g_assert_cmpfloat (skull->bbox_max[0] - skull->bbox_min[0], <, 200);
  }
}

static void
test_non_dicom_skipped (void)
{
  g_autoptr(OpVolume) v = phantom_new (16, 16, 8);
  g_autofree char *dir = write_phantom ("with-strays", v, NULL);
  g_autofree char *txt = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *stl = g_build_filename (dir, "upper.stl", NULL);
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (txt, "not an image\n", -1, NULL));
  g_assert_true (g_file_set_contents (stl, "solid x\nendsolid x\n", -1, NULL));
  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  g_assert_cmpuint (loaded->skipped->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (loaded->skipped, 0), "notes.txt: "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (loaded->skipped, 1), "upper.stl: "));
  assert_same_volume (v, loaded->volume);

  /* A folder of nothing but strays says what it found. */
  {
    g_autofree char *empty = g_build_filename (tmpdir, "strays-only", NULL);
    g_autofree char *f = g_build_filename (empty, "a.txt", NULL);
    g_autoptr(OpDicomVolume) none = NULL;

    g_mkdir_with_parents (empty, 0755);
    g_file_set_contents (f, "x", -1, NULL);
    none = op_dicom_load (empty, NULL, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_NO_IMAGES);
    if (error)
      g_assert_nonnull (strstr (error->message, "a.txt: not a DICOM file"));
    g_clear_error (&error);
  }

  g_assert_null (op_dicom_load ("/nonexistent/folder", NULL, NULL, &error));
  g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_READ);
}

static void
test_missing_slice (void)
{
  g_autoptr(OpVolume) v = phantom_new (16, 16, 10);
  g_autofree char *dir = write_phantom ("missing", v, NULL);
  g_autofree char *gone = g_build_filename (dir, "0005.dcm", NULL);
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  OpDicomLoadOptions opts = { 0 };

  g_assert_cmpint (g_unlink (gone), ==, 0);
  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, "0004.dcm"));
      g_assert_nonnull (strstr (error->message, "0006.dcm"));
      g_assert_nonnull (strstr (error->message, "3.00 mm"));
    }
  g_clear_error (&error);

  opts.allow_gaps = TRUE;
  loaded = op_dicom_load (dir, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded)
    {
      g_assert_cmpint (loaded->volume->dims[2], ==, 10);
      g_assert_nonnull (strstr (loaded->corrections, "missing"));
    }
}

static void
test_several_series (void)
{
  g_autoptr(OpVolume) a = phantom_new (16, 16, 6);
  g_autoptr(OpVolume) b = phantom_new (20, 20, 5);
  OpDicomWriteOptions oa = { 0 }, ob = { 0 };
  g_autofree char *dir = g_build_filename (tmpdir, "mixed", NULL);
  g_autofree char *sub_a = g_build_filename (dir, "a", NULL);
  g_autofree char *sub_b = g_build_filename (dir, "b", NULL);
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  OpDicomLoadOptions opts = { 0 };

  oa.series_uid = "1.2.826.0.1.3680043.2.1125.1";
  oa.series_description = "first";
  ob.series_uid = "1.2.826.0.1.3680043.2.1125.2";
  ob.series_description = "second";
  g_assert_true (op_dicom_write_volume (a, sub_a, &oa, NULL, NULL));
  g_assert_true (op_dicom_write_volume (b, sub_b, &ob, NULL, NULL));

  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SEVERAL_SERIES);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, oa.series_uid));
      g_assert_nonnull (strstr (error->message, "second, 5 images"));
    }
  g_clear_error (&error);

  opts.series_uid = ob.series_uid;
  loaded = op_dicom_load (dir, &opts, NULL, &error);
  g_assert_no_error (error);
  if (loaded)
    assert_same_volume (b, loaded->volume);
  g_clear_pointer (&loaded, op_dicom_volume_free);

  /* One series UID over images of two sizes is not one volume. */
  {
    g_autofree char *bad = g_build_filename (tmpdir, "mixed-sizes", NULL);
    g_autofree char *bad_a = g_build_filename (bad, "a", NULL);
    g_autofree char *bad_b = g_build_filename (bad, "b", NULL);

    ob.series_uid = oa.series_uid;
    g_assert_true (op_dicom_write_volume (a, bad_a, &oa, NULL, NULL));
    g_assert_true (op_dicom_write_volume (b, bad_b, &ob, NULL, NULL));
    loaded = op_dicom_load (bad, NULL, NULL, &error);
    g_assert_null (loaded);
    g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_SERIES);
    if (error)
      g_assert_nonnull (strstr (error->message, "mixes image sizes"));
  }
}

static void
test_undecodable (void)
{
  g_autoptr(OpVolume) v = phantom_new (16, 16, 4);
  OpDicomWriteOptions opts = { 0 };
  g_autofree char *dir = NULL, *file = NULL, *contents = NULL;
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *from = "1.2.840.10008.1.2.4.80";   /* JPEG-LS lossless */
  const char *to = "1.2.840.10008.1.2.4.94";     /* JPIP referenced: no pixels to decode */
  gsize len;
  guint replaced = 0;

  opts.syntax = OP_DICOM_SYNTAX_JPEG_LS;
  dir = write_phantom ("undecodable", v, &opts);
  file = g_build_filename (dir, "0003.dcm", NULL);
  g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
  for (gsize i = 0; i + strlen (from) <= len; i++)
    if (memcmp (contents + i, from, strlen (from)) == 0)
      {
        memcpy (contents + i, to, strlen (to));
        replaced++;
      }
  g_assert_cmpuint (replaced, >=, 1);
  g_assert_true (g_file_set_contents (file, contents, len, NULL));

  loaded = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_null (loaded);
  g_assert_nonnull (error);
  if (error)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "0003.dcm"));
      g_assert_true (error->code == OP_DICOM_ERROR_DECODE || error->code == OP_DICOM_ERROR_SERIES);
    }
}

static void
test_too_large (void)
{
  g_autoptr(OpVolume) v = phantom_new (40, 36, 24);
  g_autofree char *dir = write_phantom ("large", v, NULL);
  g_autoptr(OpDicomVolume) loaded = NULL;
  g_autoptr(GError) error = NULL;
  OpDicomLoadOptions opts = { 0 };

  /* The full load needs two copies of 40*36*24*2 bytes: 138 kB. */
  opts.max_bytes = 100000;
  loaded = op_dicom_load (dir, &opts, NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, "downsampled by 2"));
      g_assert_nonnull (strstr (error->message, "20 × 18 × 12"));
    }
  g_clear_error (&error);

  opts.downsample = TRUE;
  loaded = op_dicom_load (dir, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  if (loaded == NULL)
    return;
  g_assert_cmpint (loaded->factor, ==, 2);
  g_assert_cmpint (loaded->volume->dims[0], ==, 20);
  g_assert_cmpint (loaded->volume->dims[2], ==, 12);
  g_assert_cmpfloat_with_epsilon (loaded->volume->spacing[0], 1.6, 1e-6);
  g_assert_cmpuint (loaded->estimated_bytes, <=, 100000);
  /* The centre of the sphere is still bright, its corner still dark. */
  {
    double centre[3] = { 20 * 0.8 - 20, 18 * 0.6 + 15, 12 * 1.5 - 40 }, val;

    g_assert_true (op_volume_sample (loaded->volume, centre, &val));
    g_assert_cmpfloat (op_volume_raw_to_hu (loaded->volume, val), >, 500);
    g_assert_cmpint (loaded->volume->voxels[0] - 1024, <, -900);
  }

  opts.max_bytes = 1000;
  g_clear_pointer (&loaded, op_dicom_volume_free);
  loaded = op_dicom_load (dir, &opts, NULL, &error);
  g_assert_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_TOO_LARGE);
}

static void
test_anonymize (void)
{
  g_autoptr(OpVolume) v = phantom_new (16, 16, 5);
  OpDicomWriteOptions opts = { 0 };
  g_autofree char *dir = NULL, *out = NULL;
  g_autoptr(OpDicomVolume) orig = NULL, copy = NULL;
  g_autoptr(GError) error = NULL;

  opts.identity.name = (char *) "Roe^Richard";
  opts.identity.patient_id = (char *) "CHART-77";
  opts.identity.birth_date = (char *) "1975-06-30";
  opts.identity.sex = (char *) "M";
  dir = write_phantom ("identified", v, &opts);
  orig = op_dicom_load (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (orig);
  if (orig == NULL)
    return;
  g_assert_cmpstr (orig->series->identity.name, ==, "Roe^Richard");
  g_assert_cmpstr (orig->series->identity.birth_date, ==, "1975-06-30");

  out = g_build_filename (tmpdir, "anonymous", NULL);
  g_assert_true (op_dicom_anonymize_copy ((const char * const *) orig->files->pdata, orig->files->len, out, &error));
  g_assert_no_error (error);
  copy = op_dicom_load (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  if (copy == NULL)
    return;
  g_assert_cmpstr (copy->series->identity.name, ==, "ANONYMOUS");
  g_assert_cmpstr (copy->series->identity.patient_id, ==, "ANONYMOUS");
  g_assert_null (copy->series->identity.birth_date);
  /* Nothing of the name is left in the bytes of any file. */
  for (guint i = 0; i < copy->files->len; i++)
    {
      g_autofree char *bytes = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (g_ptr_array_index (copy->files, i), &bytes, &len, NULL));
      g_assert_null (g_strstr_len (bytes, len, "Richard"));
      g_assert_null (g_strstr_len (bytes, len, "CHART-77"));
      g_assert_null (g_strstr_len (bytes, len, "19750630"));
    }
  assert_same_volume (orig->volume, copy->volume);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("orthoplan-dicom-XXXXXX", NULL);

  g_test_add_func ("/io/dicom/real-tilted-series", test_real_tilted);
  for (guint i = 0; i < G_N_ELEMENTS (syntaxes); i++)
    {
      g_autofree char *name = g_strdup_printf ("/io/dicom/phantom/%s", syntaxes[i].name);

      g_test_add_data_func (name, &syntaxes[i], test_phantom_syntax);
    }
  g_test_add_func ("/io/dicom/phantom/multiframe", test_multiframe);
  g_test_add_func ("/io/dicom/phantom/dicomdir", test_dicomdir);
  g_test_add_func ("/io/dicom/bad/non-dicom-skipped", test_non_dicom_skipped);
  g_test_add_func ("/io/dicom/bad/missing-slice", test_missing_slice);
  g_test_add_func ("/io/dicom/bad/several-series", test_several_series);
  g_test_add_func ("/io/dicom/bad/undecodable", test_undecodable);
  g_test_add_func ("/io/dicom/bad/too-large", test_too_large);
  g_test_add_func ("/io/dicom/anonymize", test_anonymize);
  ret = g_test_run ();

  if (ret == 0)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) !system (cmd);
    }
  return ret;
}
