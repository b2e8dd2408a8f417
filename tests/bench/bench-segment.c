/* bench-segment: segmentation time and peak memory on a phantom arch of
 * about 150k triangles, against the time of importing the same mesh with
 * op_mesh_load in the same run (the baseline).
 *
 * Target of issue 3: at most 2 s on 2 cores and at most 500 MB peak. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "op-mesh-io.h"
#include "op-phantom.h"
#include "op-segment.h"
#include "test-segment-data.h"

#define RUNS 5

static long
vm_hwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teeth = test_segment_load_teeth (FALSE, &error);
  g_autoptr(OpPhantom) ph = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  OpPhantomOptions o = { .seed = 11, .noise_mm = 0.02f, .random_pose = TRUE, .voxel_mm = 0.36f };
  OpSegmentOptions so = { .n_threads = 2 };
  double t_load[RUNS], t_seg[RUNS], load_ms, seg_ms;
  long hwm_before, hwm_after;

  if (teeth == NULL)
    {
      printf ("bench-segment: skipped (%s)\n", error->message);
      return 77;
    }
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
  if (ph == NULL)
    {
      fprintf (stderr, "bench-segment: %s\n", error->message);
      return 1;
    }
  g_clear_pointer (&teeth, g_ptr_array_unref);
  dir = g_dir_make_tmp ("op-bench-seg-XXXXXX", NULL);
  path = g_build_filename (dir, "arch.stl", NULL);
  if (!op_mesh_save (ph->mesh, path, OP_MESH_FORMAT_STL, &error))
    {
      fprintf (stderr, "bench-segment: %s\n", error->message);
      return 1;
    }

  hwm_before = vm_hwm_kb ();
  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(OpMesh) mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
      gint64 t1 = g_get_monotonic_time ();
      g_autoptr(OpSegmentation) seg = NULL;

      if (mesh == NULL)
        {
          fprintf (stderr, "bench-segment: %s\n", error->message);
          return 1;
        }
      seg = op_segment (mesh, &so, NULL, &error);
      t_load[r] = (t1 - t0) / 1000.0;
      t_seg[r] = (g_get_monotonic_time () - t1) / 1000.0;
      if (seg == NULL)
        {
          fprintf (stderr, "bench-segment: %s\n", error->message);
          return 1;
        }
      if (r == 0)
        printf ("arch: %" G_GSIZE_FORMAT " triangles, %" G_GSIZE_FORMAT " vertices, %u teeth found\n",
                mesh->n_triangles, mesh->n_vertices, seg->dentition->teeth->len);
    }
  hwm_after = vm_hwm_kb ();
  load_ms = op_bench_median (t_load, RUNS);
  seg_ms = op_bench_median (t_seg, RUNS);
  printf ("import (op_mesh_load, baseline): median %.1f ms\n", load_ms);
  printf ("segmentation, 2 threads:        median %.1f ms (%.1f ms per 100k faces)\n",
          seg_ms, seg_ms * 1e5 / ph->mesh->n_triangles);
  printf ("ratio segmentation / import:     %.2f\n", seg_ms / load_ms);
  printf ("peak memory (VmHWM):             %.1f MB (%.1f MB before the runs, phantom included)\n",
          hwm_after / 1024.0, hwm_before / 1024.0);
  printf ("targets: <= 2000 ms per 150k faces: %s; <= 500 MB: %s\n",
          seg_ms * 150e3 / ph->mesh->n_triangles <= 2000 ? "met" : "NOT met",
          hwm_after <= 500 * 1024 ? "met" : "NOT met");
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
