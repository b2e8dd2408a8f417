/* Tests for OpVolume: geometry, stacks of slices, thresholds, windows,
 * display slices and isosurfaces. */
#include <math.h>
#include <string.h>

#include "op-marching.h"
#include "op-volume.h"

/* A linear field is reproduced exactly by bilinear and linear
 * interpolation, so any misplaced slice shows as a wrong value. */
static double
field (const double p[3])
{
  return 3.0 * p[0] - 2.0 * p[1] + 5.0 * p[2] + 100.0;
}

typedef struct {
  OpSlice  *slices;
  gint16  **pixels;
  char    **labels;
  guint     n;
} Stack;

static void
stack_free (Stack *s)
{
  for (guint i = 0; i < s->n; i++)
    {
      g_free (s->pixels[i]);
      g_free (s->labels[i]);
    }
  g_free (s->pixels);
  g_free (s->labels);
  g_free (s->slices);
}

/* A stack like a tilted CT: slices tilted by @tilt_deg about the x axis,
 * positions moving straight along z by @dz[i], shuffled so the loader has
 * to sort them. */
static void
make_stack (Stack        *st,
            guint         n,
            const double *z,
            double        tilt_deg,
            int           size,
            double        px)
{
  double c = cos (tilt_deg * G_PI / 180), s = sin (tilt_deg * G_PI / 180);

  st->n = n;
  st->slices = g_new0 (OpSlice, n);
  st->pixels = g_new0 (gint16 *, n);
  st->labels = g_new0 (char *, n);
  for (guint q = 0; q < n; q++)
    {
      /* Store the slices in a scrambled order. */
      guint i = (q * 7 + 3) % n;
      OpSlice *sl = &st->slices[q];

      sl->row_dir[0] = 1;
      sl->col_dir[1] = c;
      sl->col_dir[2] = -s;
      sl->position[0] = -10;
      sl->position[1] = -12;
      sl->position[2] = z[i];
      sl->row_spacing = px;
      sl->column_spacing = px;
      sl->columns = sl->rows = size;
      sl->slope = 1;
      sl->intercept = -1024;
      st->labels[q] = g_strdup_printf ("%02u.dcm", i + 1);
      sl->label = st->labels[q];
      st->pixels[q] = g_new (gint16, size * size);
      for (int r = 0; r < size; r++)
        for (int col = 0; col < size; col++)
          {
            double p[3];

            for (int a = 0; a < 3; a++)
              p[a] = sl->position[a] + col * px * sl->row_dir[a] + r * px * sl->col_dir[a];
            st->pixels[q][r * size + col] = (gint16) lround (field (p));
          }
      sl->pixels = st->pixels[q];
    }
}

static void
test_geometry (void)
{
  const double spacing[3] = { 0.5, 0.25, 2.0 };
  const double origin[3] = { 10, -20, 30 };
  const double axes[9] = { 0, 1, 0, -1, 0, 0, 0, 0, 1 };
  g_autoptr(OpVolume) v = op_volume_new (4, 5, 6, spacing);
  double ijk[3] = { 1, 2, 3 }, xyz[3], back[3], val = 0;

  g_assert_nonnull (v);
  op_volume_set_geometry (v, origin, axes);
  op_volume_voxel_to_world (v, ijk, xyz);
  g_assert_cmpfloat_with_epsilon (xyz[0], 10 - 2 * 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (xyz[1], -20 + 1 * 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (xyz[2], 30 + 3 * 2.0, 1e-9);
  op_volume_world_to_voxel (v, xyz, back);
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat_with_epsilon (back[a], ijk[a], 1e-9);

  for (int k = 0; k < 6; k++)
    for (int j = 0; j < 5; j++)
      for (int i = 0; i < 4; i++)
        v->voxels[(k * 5 + j) * 4 + i] = (gint16) (i + 10 * j + 100 * k);
  ijk[0] = 1.5, ijk[1] = 2.25, ijk[2] = 3.5;
  op_volume_voxel_to_world (v, ijk, xyz);
  g_assert_true (op_volume_sample (v, xyz, &val));
  g_assert_cmpfloat_with_epsilon (val, 1.5 + 22.5 + 350, 1e-6);
  ijk[2] = 6.5;
  op_volume_voxel_to_world (v, ijk, xyz);
  g_assert_false (op_volume_sample (v, xyz, &val));

  g_assert_cmpuint (op_volume_estimate_bytes (400, 400, 400), ==, 128000000);
  g_assert_cmpuint (op_volume_estimate_bytes (G_MAXUINT32, G_MAXUINT32, G_MAXUINT32), ==, G_MAXUINT64);
  g_assert_null (op_volume_new (0, 5, 5, spacing));
}

static void
test_resample_tilted (void)
{
  /* Two spacings (2 mm then 3.5 mm along z) with a 0.6 mm join, like the
   * real GE series, and a 20 degree tilt. */
  double z[12];
  Stack st = { 0 };
  OpStackInfo info;
  g_autofree guint *order = g_new (guint, 12);
  g_autoptr(OpVolume) vol = NULL;
  g_autoptr(GError) error = NULL;
  OpStackOptions opts = { 1, FALSE };
  double max_err = 0;
  guint n_checked = 0;

  z[0] = 0;
  for (int i = 1; i < 12; i++)
    z[i] = z[i - 1] + (i < 6 ? 2.0 : i == 6 ? 0.6 : 3.5);
  make_stack (&st, 12, z, 20.0, 40, 0.5);

  g_assert_true (op_volume_analyse_stack (st.slices, st.n, &opts, order, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (info.tilt_deg, 20.0, 0.01);
  g_assert_true (info.tilted);
  g_assert_true (info.uneven);
  g_assert_cmpuint (info.n_missing, ==, 0);
  g_assert_cmpfloat_with_epsilon (info.min_gap_mm, 0.6 * cos (20 * G_PI / 180), 1e-6);
  g_assert_cmpfloat_with_epsilon (info.max_gap_mm, 3.5 * cos (20 * G_PI / 180), 1e-6);
  /* Sorted by position along the normal, whatever the storage order. */
  for (guint i = 0; i + 1 < st.n; i++)
    g_assert_cmpfloat (st.slices[order[i]].position[2], <, st.slices[order[i + 1]].position[2]);
  /* The join is not the grid spacing: the regular 2 mm gap is. */
  g_assert_cmpfloat (info.spacing[2], >, 1.9 * cos (20 * G_PI / 180));
  g_assert_cmpfloat (info.spacing[2], <, 2.1 * cos (20 * G_PI / 180));

  vol = op_volume_resample_stack (st.slices, order, &info);
  g_assert_nonnull (vol);
  if (vol == NULL)
    goto out;
  g_assert_cmpfloat (vol->intercept, ==, -1024);

  /* Every grid voxel inside the slab the slices cover holds the field at
   * its own world position: the shear and the uneven spacing are undone. */
  for (int k = 0; k < vol->dims[2]; k++)
    for (int j = 0; j < vol->dims[1]; j += 3)
      for (int i = 0; i < vol->dims[0]; i += 3)
        {
          double ijk[3] = { i, j, k }, p[3], inside_all = TRUE;

          op_volume_voxel_to_world (vol, ijk, p);
          /* Only where both neighbouring slices have pixels. */
          for (guint s = 0; s < st.n; s++)
            {
              const OpSlice *sl = &st.slices[s];
              double d[3], c, r;

              for (int a = 0; a < 3; a++)
                d[a] = p[a] - sl->position[a];
              c = (d[0] * sl->row_dir[0] + d[1] * sl->row_dir[1] + d[2] * sl->row_dir[2]) / 0.5;
              r = (d[0] * sl->col_dir[0] + d[1] * sl->col_dir[1] + d[2] * sl->col_dir[2]) / 0.5;
              if (c < 0 || r < 0 || c > 39 || r > 39)
                inside_all = FALSE;
            }
          if (!inside_all)
            continue;
          max_err = MAX (max_err, fabs (vol->voxels[((gsize) k * vol->dims[1] + j) * vol->dims[0] + i] - field (p)));
          n_checked++;
        }
  g_assert_cmpuint (n_checked, >, 100);
  g_assert_cmpfloat (max_err, <=, 1.01);

out:
  stack_free (&st);
}

static void
test_missing_slice (void)
{
  double z[10];
  Stack st = { 0 };
  OpStackInfo info;
  guint order[10];
  g_autoptr(GError) error = NULL;
  OpStackOptions opts = { 1, FALSE };

  for (int i = 0; i < 10; i++)
    z[i] = i * 1.5 + (i >= 6 ? 1.5 : 0);    /* the slice at 9.0 mm is missing */
  make_stack (&st, 10, z, 0, 8, 1.0);
  g_assert_false (op_volume_analyse_stack (st.slices, st.n, &opts, order, &info, &error));
  g_assert_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GAP);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, "06.dcm"));
      g_assert_nonnull (strstr (error->message, "07.dcm"));
      g_assert_nonnull (strstr (error->message, "3.00 mm"));
    }
  g_clear_error (&error);

  opts.allow_gaps = TRUE;
  g_assert_true (op_volume_analyse_stack (st.slices, st.n, &opts, order, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_missing, ==, 1);
  g_assert_cmpfloat_with_epsilon (info.missing_from_mm, 7.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (info.missing_to_mm, 10.5, 1e-9);
  g_assert_cmpfloat (info.tilt_deg, <, 0.01);
  stack_free (&st);
}

static void
test_inconsistent (void)
{
  double z[4] = { 0, 1, 2, 3 };
  Stack st = { 0 };
  OpStackInfo info;
  guint order[4];
  g_autoptr(GError) error = NULL;

  make_stack (&st, 4, z, 0, 8, 1.0);
  st.slices[2].col_dir[1] = 0;
  st.slices[2].col_dir[2] = 1;
  g_assert_false (op_volume_analyse_stack (st.slices, st.n, NULL, order, &info, &error));
  g_assert_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_INCONSISTENT);
  if (error)
    g_assert_nonnull (strstr (error->message, st.labels[2]));
  g_clear_error (&error);
  st.slices[2].col_dir[1] = 1;
  st.slices[2].col_dir[2] = 0;

  st.slices[1].position[2] = st.slices[3].position[2];
  g_assert_false (op_volume_analyse_stack (st.slices, st.n, NULL, order, &info, &error));
  g_assert_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GEOMETRY);
  g_clear_error (&error);

  g_assert_false (op_volume_analyse_stack (st.slices, 0, NULL, order, &info, &error));
  g_assert_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_EMPTY);
  stack_free (&st);
}

static void
test_untilted_exact (void)
{
  double z[5] = { 0, 2, 4, 6, 8 };
  Stack st = { 0 };
  OpStackInfo info;
  guint order[5];
  g_autoptr(OpVolume) vol = NULL;

  make_stack (&st, 5, z, 0, 16, 0.5);
  g_assert_true (op_volume_analyse_stack (st.slices, st.n, NULL, order, &info, NULL));
  g_assert_false (info.tilted);
  g_assert_false (info.uneven);
  g_assert_cmpint (info.dims[0], ==, 16);
  g_assert_cmpint (info.dims[1], ==, 16);
  g_assert_cmpint (info.dims[2], ==, 5);
  vol = op_volume_resample_stack (st.slices, order, &info);
  /* An even, untilted stack is the slices themselves, bit for bit. */
  for (guint q = 0; q < st.n; q++)
    {
      int k = (int) lround (st.slices[q].position[2] / 2);

      g_assert_cmpmem (vol->voxels + (gsize) k * 256, 256 * 2, st.slices[q].pixels, 256 * 2);
    }
  stack_free (&st);
}

static void
test_downsample (void)
{
  double z[6] = { 0, 1, 2, 3, 4, 5 };
  Stack st = { 0 };
  OpStackInfo full, half;
  guint order[6];
  OpStackOptions opts = { 2, FALSE };
  gint16 small[16 * 16];
  OpSlice s;

  make_stack (&st, 6, z, 0, 32, 0.5);
  g_assert_true (op_volume_analyse_stack (st.slices, st.n, NULL, order, &full, NULL));
  g_assert_true (op_volume_analyse_stack (st.slices, st.n, &opts, order, &half, NULL));
  g_assert_cmpint (half.dims[0], ==, 16);
  g_assert_cmpint (half.dims[2], ==, 3);
  g_assert_cmpfloat_with_epsilon (half.spacing[0], 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (half.spacing[2], 2.5, 1e-9);
  g_assert_cmpuint (op_volume_estimate_bytes (half.dims[0], half.dims[1], half.dims[2]) * 8, <=,
                    op_volume_estimate_bytes (full.dims[0], full.dims[1], full.dims[2]));

  s = st.slices[0];
  op_slice_downsample2 (&s, st.pixels[0], small);
  g_assert_cmpint (s.columns, ==, 16);
  g_assert_cmpfloat_with_epsilon (s.column_spacing, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.position[0], -10 + 0.25, 1e-9);
  /* The average of a linear field is the field at the block's centre. */
  {
    double p[3] = { s.position[0] + 3 * 1.0, s.position[1] + 5 * 1.0, s.position[2] };

    g_assert_cmpfloat (fabs (small[5 * 16 + 3] - field (p)), <=, 1.0);
  }
  stack_free (&st);
}

static void
test_otsu_bimodal (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree gint16 *values = g_new (gint16, 20000);
  int t;

  /* Two normal modes, 200 +- 40 and 900 +- 60 (Box-Muller). */
  for (int i = 0; i < 20000; i++)
    {
      double u1 = g_rand_double_range (rand, 1e-9, 1), u2 = g_rand_double (rand);
      double gauss = sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);

      values[i] = (gint16) lround (i % 2 ? 200 + 40 * gauss : 900 + 60 * gauss);
    }
  t = op_otsu_threshold (values, 20000, G_MININT16);
  g_assert_cmpint (t, >, 400);
  g_assert_cmpint (t, <, 700);
  /* Ignoring the lower mode leaves one mode, split near its middle. */
  t = op_otsu_threshold (values, 20000, 500);
  g_assert_cmpint (t, >, 800);
  g_assert_cmpint (t, <, 1000);

  /* Two values: the threshold sits between them. */
  {
    gint16 two[4] = { 10, 10, 30, 30 };

    g_assert_cmpint (op_otsu_threshold (two, 4, G_MININT16), ==, 20);
    g_assert_cmpint (op_otsu_threshold (two, 2, G_MININT16), ==, G_MININT16);
  }
}

static void
test_auto_threshold (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(OpVolume) v = op_volume_new (40, 40, 40, spacing);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  int t;

  /* Air around a head of soft tissue with a shell of bone, as raw values
   * with a CT-like intercept. */
  v->intercept = -1024;
  for (int k = 0; k < 40; k++)
    for (int j = 0; j < 40; j++)
      for (int i = 0; i < 40; i++)
        {
          double r = sqrt ((i - 20.0) * (i - 20.0) + (j - 20.0) * (j - 20.0) + (k - 20.0) * (k - 20.0));
          double hu = r > 18 ? -1000 : r > 15 ? 1200 : 40;

          v->voxels[(k * 40 + j) * 40 + i] = (gint16) lround (op_volume_hu_to_raw (v, hu) + g_rand_int_range (rand, -20, 21));
        }
  t = op_volume_auto_threshold (v);
  g_assert_cmpfloat (op_volume_raw_to_hu (v, t), >, 100);
  g_assert_cmpfloat (op_volume_raw_to_hu (v, t), <, 1150);
}

static void
test_windows (void)
{
  OpWindowPreset p;
  OpWindowLevel bone = op_window_preset (OP_WINDOW_BONE);
  OpWindowLevel soft = op_window_preset (OP_WINDOW_SOFT_TISSUE);
  OpWindowLevel teeth = op_window_preset (OP_WINDOW_TEETH);

  g_assert_true (op_window_preset_from_string ("teeth", &p));
  g_assert_cmpint (p, ==, OP_WINDOW_TEETH);
  g_assert_false (op_window_preset_from_string ("lung", &p));
  g_assert_cmpuint (op_window_apply (soft, -1000), ==, 0);
  g_assert_cmpuint (op_window_apply (soft, 1000), ==, 255);
  g_assert_cmpuint (op_window_apply (soft, soft.level), ==, 128);
  /* Soft tissue saturates the bone window's middle grey, teeth do not. */
  g_assert_cmpuint (op_window_apply (bone, 40), <, 100);
  g_assert_cmpuint (op_window_apply (teeth, 1500), >, 100);
  g_assert_cmpuint (op_window_apply (teeth, 1500), <, 200);
  g_assert_cmpuint (op_window_apply (bone, 1500), >, 200);
}

static void
test_render_slice (void)
{
  const double spacing[3] = { 0.5, 0.5, 1.0 };
  g_autoptr(OpVolume) v = op_volume_new (20, 10, 6, spacing);
  g_autofree guint8 *grey = NULL;
  OpWindowLevel w = { 500, 1000 };
  int width, height;

  /* One bright voxel towards the patient's left (high i), posterior (high
   * j) and superior (high k). */
  v->voxels[(5 * 10 + 8) * 20 + 17] = 1000;
  g_assert_cmpint (op_volume_plane_count (v, OP_PLANE_AXIAL), ==, 6);
  g_assert_cmpint (op_volume_plane_count (v, OP_PLANE_SAGITTAL), ==, 20);

  op_volume_slice_size (v, OP_PLANE_AXIAL, 0, &width, &height);
  g_assert_cmpint (width, ==, 20);
  g_assert_cmpint (height, ==, 10);
  grey = g_new0 (guint8, width * height);
  g_assert_true (op_volume_render_slice (v, OP_PLANE_AXIAL, 5, w, 0, grey, width, height));
  /* Radiological convention: the patient's left on the right, posterior down. */
  g_assert_cmpuint (grey[8 * width + 17], ==, 255);
  g_assert_false (op_volume_render_slice (v, OP_PLANE_AXIAL, 6, w, 0, grey, width, height));
  g_clear_pointer (&grey, g_free);

  /* Coronal: k spacing is twice i's, so square pixels double the height. */
  op_volume_slice_size (v, OP_PLANE_CORONAL, 0, &width, &height);
  g_assert_cmpint (width, ==, 20);
  g_assert_cmpint (height, ==, 11);
  grey = g_new0 (guint8, width * height);
  g_assert_true (op_volume_render_slice (v, OP_PLANE_CORONAL, 8, w, 0, grey, width, height));
  /* Superior is up: the top row holds the bright voxel. */
  g_assert_cmpuint (grey[0 * width + 17], ==, 255);
  g_assert_cmpuint (grey[10 * width + 17], ==, 0);
}

/* Checks that every edge is used exactly twice, once in each direction:
 * the surface is closed and consistently oriented. */
static gboolean
mesh_is_closed (const OpMesh *mesh)
{
  g_autoptr(GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, mesh->n_triangles * 3);
  gboolean ok = TRUE;

  for (gsize t = 0; t < mesh->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint32 a = mesh->indices[t * 3 + e], b = mesh->indices[t * 3 + (e + 1) % 3];
        gint64 *key = &keys[t * 3 + e];

        *key = ((gint64) a << 32) | b;
        if (g_hash_table_contains (edges, key))
          ok = FALSE;   /* the same directed edge twice */
        g_hash_table_add (edges, key);
      }
  for (gsize t = 0; t < mesh->n_triangles * 3; t++)
    {
      gint64 rev = ((keys[t] & 0xffffffff) << 32) | ((guint64) keys[t] >> 32);

      if (!g_hash_table_contains (edges, &rev))
        ok = FALSE;
    }
  return ok;
}

static OpVolume *
sphere_volume (int n, double radius_vox, double spacing_mm)
{
  const double spacing[3] = { spacing_mm, spacing_mm, spacing_mm };
  OpVolume *v = op_volume_new (n, n, n, spacing);
  double c = (n - 1) / 2.0;

  /* A smooth field, 10 per voxel of distance, so the interpolated surface
   * lies where the sphere is. */
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        {
          double r = sqrt ((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));

          v->voxels[((gsize) k * n + j) * n + i] = (gint16) lround (CLAMP ((radius_vox - r) * 10, -500, 500));
        }
  return v;
}

static void
test_marching_sphere (void)
{
  const double r_vox = 20, sp = 0.4;
  g_autoptr(OpVolume) v = sphere_volume (50, r_vox, sp);
  OpIsoOptions one = { 1, FALSE }, two = { 2, FALSE }, three = { 3, TRUE };
  g_autoptr(OpMesh) m1 = op_volume_isosurface (v, 0, &one);
  g_autoptr(OpMesh) m2 = op_volume_isosurface (v, 0, &two);
  g_autoptr(OpMesh) m3 = op_volume_isosurface (v, 0, &three);
  g_autoptr(GError) error = NULL;
  double r_mm = r_vox * sp, expected = 4.0 / 3.0 * G_PI * r_mm * r_mm * r_mm;
  double vol;

  g_assert_nonnull (m1);
  g_assert_cmpuint (m1->n_triangles, >, 1000);
  g_assert_true (op_mesh_validate (m1, &error));
  g_assert_no_error (error);
  g_assert_true (mesh_is_closed (m1));
  vol = op_mesh_volume (m1);
  g_assert_cmpfloat (fabs (vol - expected) / expected, <, 0.02);
  /* The surface sits at the radius. */
  for (gsize i = 0; i < m1->n_vertices; i += 97)
    {
      const float *p = &m1->positions[i * 3];
      double c = 49 / 2.0 * sp;
      double r = sqrt ((p[0] - c) * (p[0] - c) + (p[1] - c) * (p[1] - c) + (p[2] - c) * (p[2] - c));

      g_assert_cmpfloat (fabs (r - r_mm), <, 0.1 * sp);
    }

  /* Same bytes whatever the number of threads. */
  g_assert_cmpuint (m1->n_vertices, ==, m2->n_vertices);
  g_assert_cmpuint (m1->n_triangles, ==, m2->n_triangles);
  g_assert_cmpuint (m1->n_triangles, ==, m3->n_triangles);
  g_assert_cmpmem (m1->positions, m1->n_vertices * 12, m2->positions, m2->n_vertices * 12);
  g_assert_cmpmem (m1->indices, m1->n_triangles * 12, m2->indices, m2->n_triangles * 12);
  g_assert_cmpmem (m1->indices, m1->n_triangles * 12, m3->indices, m3->n_triangles * 12);
  g_assert_nonnull (m3->normals);
}

static void
test_marching_empty_and_edge (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr(OpVolume) v = op_volume_new (6, 6, 6, spacing);
  g_autoptr(OpMesh) none = op_volume_isosurface (v, 10, NULL);
  g_autoptr(OpMesh) one = NULL;

  g_assert_nonnull (none);
  g_assert_cmpuint (none->n_triangles, ==, 0);

  /* A single voxel: a small closed octahedron-like blob. */
  v->voxels[(3 * 6 + 3) * 6 + 3] = 100;
  one = op_volume_isosurface (v, 50, NULL);
  g_assert_cmpuint (one->n_triangles, >, 0);
  g_assert_true (mesh_is_closed (one));
  g_assert_cmpfloat (op_mesh_volume (one), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/volume/geometry", test_geometry);
  g_test_add_func ("/planner/volume/resample-tilted", test_resample_tilted);
  g_test_add_func ("/planner/volume/untilted-exact", test_untilted_exact);
  g_test_add_func ("/planner/volume/missing-slice", test_missing_slice);
  g_test_add_func ("/planner/volume/inconsistent", test_inconsistent);
  g_test_add_func ("/planner/volume/downsample", test_downsample);
  g_test_add_func ("/planner/volume/otsu-bimodal", test_otsu_bimodal);
  g_test_add_func ("/planner/volume/auto-threshold", test_auto_threshold);
  g_test_add_func ("/planner/volume/windows", test_windows);
  g_test_add_func ("/planner/volume/render-slice", test_render_slice);
  g_test_add_func ("/planner/marching/sphere", test_marching_sphere);
  g_test_add_func ("/planner/marching/empty-and-voxel", test_marching_empty_and_edge);
  return g_test_run ();
}
