/* bench-dicom: load a 400 x 400 x 400 int16 CT series of 400 files, and
 * extract its isosurface.
 *
 * The series is written through GDCM into a temporary folder first.  The
 * baseline, measured in the same run on the same (cached) files, is reading
 * every file's bytes with no parsing at all, so the ratio says what the
 * DICOM parsing, decoding and placing cost on top of the disk.  Targets
 * (issue 7): the load in at most 2 s, the isosurface in at most 1 s on two
 * cores.  Prints medians of 5 runs. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op-dicom.h"
#include "op-marching.h"

#define N 400
#define RUNS 5

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

int
main (int argc, char **argv)
{
  const double spacing[3] = { 0.3, 0.3, 0.3 };
  g_autofree char *dir = g_dir_make_tmp ("orthoplan-bench-dicom-XXXXXX", NULL);
  g_autoptr(OpVolume) v = op_volume_new (N, N, N, spacing);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  double t_raw[RUNS], t_load[RUNS], t_iso1[RUNS], t_iso2[RUNS], t_scan[RUNS];
  double bytes = 0, threshold = 0;
  gsize n_tris = 0;
  const double c = (N - 1) / 2.0;

  /* A skull-like phantom: soft tissue in a sphere, a bone shell, air
   * around, with some texture so the files are not trivially uniform. */
  for (int k = 0; k < N; k++)
    for (int j = 0; j < N; j++)
      for (int i = 0; i < N; i++)
        {
          double r = sqrt ((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
          double hu = r > 180 ? -1000 : r > 160 ? 1200 - (r - 160) * 10 : 40 + 20 * sin (i * 0.3) * cos (j * 0.2);

          v->voxels[((gsize) k * N + j) * N + i] = (gint16) lround (hu + 1024);
        }
  v->intercept = -1024;

  if (!op_dicom_write_volume (v, dir, NULL, &files, &error))
    {
      fprintf (stderr, "bench-dicom: %s\n", error->message);
      return 1;
    }

  for (int run = 0; run < RUNS; run++)
    {
      gint64 t0 = g_get_monotonic_time ();

      bytes = 0;
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *data = NULL;
          gsize len;

          g_file_get_contents (g_ptr_array_index (files, i), &data, &len, NULL);
          bytes += len;
        }
      t_raw[run] = (g_get_monotonic_time () - t0) / 1e6;
    }

  for (int run = 0; run < RUNS; run++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(OpDicomVolume) loaded = op_dicom_load (dir, NULL, NULL, &error);

      t_load[run] = (g_get_monotonic_time () - t0) / 1e6;
      if (loaded == NULL)
        {
          fprintf (stderr, "bench-dicom: %s\n", error->message);
          return 1;
        }
      if (memcmp (loaded->volume->voxels, v->voxels, (gsize) N * N * N * 2) != 0)
        {
          fprintf (stderr, "bench-dicom: the loaded volume differs from the one written\n");
          return 1;
        }
      threshold = op_volume_auto_threshold (loaded->volume);
    }

  /* The isosurface's baseline: one plain pass over every voxel counting
   * those at or above the threshold, the least any extraction must do. */
  for (int run = 0; run < RUNS; run++)
    {
      gint64 t0 = g_get_monotonic_time ();
      const int thr = (int) ceil (threshold);
      gsize n_in = 0;

      for (gsize x = 0; x < (gsize) N * N * N; x++)
        n_in += v->voxels[x] >= thr;
      t_scan[run] = (g_get_monotonic_time () - t0) / 1e6;
      if (n_in == 0)
        fprintf (stderr, "bench-dicom: nothing above the threshold\n");
    }

  for (int run = 0; run < RUNS; run++)
    {
      OpIsoOptions one = { 1, FALSE }, two = { 2, FALSE };
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(OpMesh) m1 = op_volume_isosurface (v, threshold, &one);
      gint64 t1 = g_get_monotonic_time ();
      g_autoptr(OpMesh) m2 = op_volume_isosurface (v, threshold, &two);
      gint64 t2 = g_get_monotonic_time ();

      t_iso1[run] = (t1 - t0) / 1e6;
      t_iso2[run] = (t2 - t1) / 1e6;
      n_tris = m2->n_triangles;
    }

  {
    double raw = median (t_raw, RUNS), load = median (t_load, RUNS);
    double iso1 = median (t_iso1, RUNS), iso2 = median (t_iso2, RUNS), scan = median (t_scan, RUNS);
    double mb = bytes / 1e6;

    printf ("series: %d files, %.1f MB, %d x %d x %d int16\n", N, mb, N, N, N);
    printf ("raw read (baseline): median %.3f s, %.0f MB/s\n", raw, mb / raw);
    printf ("op_dicom_load:       median %.3f s, %.0f MB/s, %.2fx the raw read (target <= 2 s: %s)\n",
            load, mb / load, load / raw, load <= 2.0 ? "met" : "MISSED");
    printf ("isosurface at %.0f HU, %" G_GSIZE_FORMAT " triangles:\n", threshold - 1024, n_tris);
    printf ("  one pass over the voxels (baseline): median %.3f s\n", scan);
    printf ("  1 thread:  median %.3f s, %.1fx the baseline\n", iso1, iso1 / scan);
    printf ("  2 threads: median %.3f s, %.1fx the baseline, %.2fx faster than 1 thread (target <= 1 s: %s)\n",
            iso2, iso2 / scan, iso1 / iso2,
            iso2 <= 1.0 ? "met" : "MISSED");
  }

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    (void) !system (cmd);
  }
  return 0;
}
