/* bench-production.c: a full production export (issue 9), 2 arches x 30
 * stages of the real teeth, against writing the same number of plain STL
 * files of the same triangle count, in this one process.
 *
 * Prints the milliseconds per model and the medians of 3 runs; the goal
 * is the whole export in at most 10 s on two cores. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-util.h"
#include "op-mesh-io.h"
#include "op-production.h"
#include "test-model-data.h"

#define RUNS 3
#define N_STAGES 30

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (void)
{
  g_autoptr(OpDentition) teeth = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("bench-production-XXXXXX", &error);
  double t_export[RUNS], t_models[RUNS], t_plain[RUNS], c_export[RUNS], c_plain[RUNS];
  guint n_files = 0;
  gsize tri_total = 0;

  if (!model_data_load (N_STAGES, &teeth, &plan))
    {
      printf ("OP_SHARED_DATA has no open-full-jaw-p26; nothing measured\n");
      return 77;
    }
  g_assert_no_error (error);
  for (int r = 0; r < RUNS; r++)
    {
      g_autofree char *dir = g_build_filename (tmp, "export", NULL);
      OpProductionOptions o;
      g_autoptr(OpProductionResult) res = NULL;
      g_autoptr(OpMesh) first = NULL;
      gint64 t0;
      double c0;

      op_production_options_init (&o);
      t0 = g_get_monotonic_time ();
      c0 = op_bench_cpu_ms ();
      res = op_production_write (teeth, plan, "1042", dir, &o, &error);
      t_export[r] = (g_get_monotonic_time () - t0) / 1000.0;
      c_export[r] = op_bench_cpu_ms () - c0;
      g_assert_no_error (error);
      if (res == NULL)
        return 1;
      n_files = res->files->len;
      t_models[r] = res->seconds_models * 1000.0 / n_files;
      tri_total = 0;
      for (guint i = 0; i < n_files; i++)
        tri_total += ((OpProductionFile *) g_ptr_array_index (res->files, i))->n_triangles;

      /* The baseline: the same number of files of the same mean triangle
       * count, written as plain STL by op_mesh_save() from a mesh already
       * in memory. */
      {
        g_autofree char *p0 = g_build_filename (dir, "1042_U_00.stl", NULL);
        first = op_mesh_load (p0, NULL, NULL, NULL, &error);
        g_assert_no_error (error);
      }
      remove_dir (dir);
      g_mkdir (dir, 0755);
      t0 = g_get_monotonic_time ();
      c0 = op_bench_cpu_ms ();
      for (guint i = 0; i < n_files; i++)
        {
          g_autofree char *name = g_strdup_printf ("plain_%02u.stl", i);
          g_autofree char *p = g_build_filename (dir, name, NULL);
          op_mesh_save (first, p, OP_MESH_FORMAT_STL, &error);
          g_assert_no_error (error);
        }
      t_plain[r] = (g_get_monotonic_time () - t0) / 1000.0;
      c_plain[r] = op_bench_cpu_ms () - c0;
      remove_dir (dir);
    }
  {
    double e = op_bench_median (t_export, RUNS), m = op_bench_median (t_models, RUNS), p = op_bench_median (t_plain, RUNS);
    double ce = op_bench_median (c_export, RUNS), cp = op_bench_median (c_plain, RUNS);
    printf ("production export: %u files (2 arches x %d stages + templates), %.0f triangles per file, median of %d runs\n",
            n_files, N_STAGES, (double) tri_total / n_files, RUNS);
    printf ("model build:  %8.1f ms per model (one thread each, summed over both threads)\n", m);
    printf ("whole export: %8.1f ms, %.1f ms per file, goal <= 10000 ms: %s\n", e, e / n_files,
            e <= 10000 ? "met" : "NOT met");
    printf ("plain STL baseline (same files and triangle count): %8.1f ms; ratio %.1fx baseline\n", p, e / p);
    printf ("CPU time (user + system, both threads): export %.1f ms, baseline %.1f ms; ratio %.1fx baseline\n", ce,
            cp, ce / cp);
  }
  g_rmdir (tmp);
  return 0;
}
