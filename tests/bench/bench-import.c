/* bench-import.c: how much the app's import path costs over a bare loader.
 *
 * Writes a deterministic binary STL of 1M triangles (a finely tessellated
 * torus, written face by face as STL does, so 500k positions are each
 * repeated six times), then times with a warm cache, median of 7 runs:
 *   (a) op_mesh_load: read + Assimp + meshoptimizer weld + normals + bounds;
 *   (b) a baseline in this program: fread the file and weld positions with
 *       a plain open-addressing hash.
 * Prints both medians, the unique vertex counts (which must agree) and the
 * ratio a/b against the goal of 1.3.  For context it also times Assimp
 * alone (parse from memory and free, no post-processing), the floor under
 * any path that goes through Assimp, and reading the file alone, and prints
 * both against the baseline: when Assimp alone is already close to the
 * baseline, what is left for the weld, normals and bounds is plain to see.
 * The machines are shared and noisy, hence 11 runs and the minimum beside
 * every median.
 */
#include "op-mesh-io.h"

#include <assimp/cimport.h>
#include <assimp/scene.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#define NU 1000
#define NV 500
#define RUNS 11

static char *
write_torus_stl (const char *dir)
{
  char *path = g_build_filename (dir, "torus-1m.stl", NULL);
  g_autofree float *pos = g_new (float, 3 * NU * NV);
  FILE *fp = fopen (path, "wb");
  guint8 header[84] = { 0 };
  guint32 n = GUINT32_TO_LE (2u * NU * NV);

  g_assert (fp != NULL);
  for (int i = 0; i < NU; i++)
    for (int j = 0; j < NV; j++)
      {
        double u = 2 * G_PI * i / NU, v = 2 * G_PI * j / NV;
        float *p = &pos[3 * (i * NV + j)];

        p[0] = (float) ((30 + 8 * cos (v)) * cos (u));
        p[1] = (float) ((30 + 8 * cos (v)) * sin (u));
        p[2] = (float) (8 * sin (v));
      }

  memcpy (header, "bench torus", 11);
  memcpy (header + 80, &n, 4);
  fwrite (header, 1, 84, fp);
  for (int i = 0; i < NU; i++)
    for (int j = 0; j < NV; j++)
      {
        int a = i * NV + j, b = ((i + 1) % NU) * NV + j;
        int c = ((i + 1) % NU) * NV + (j + 1) % NV, d = i * NV + (j + 1) % NV;
        int tris[2][3] = { { a, b, c }, { a, c, d } };

        for (int t = 0; t < 2; t++)
          {
            guint8 rec[50] = { 0 };

            /* The normal slot stays zero: readers recompute it anyway. */
            for (int k = 0; k < 3; k++)
              memcpy (rec + 12 + 12 * k, &pos[3 * tris[t][k]], 12);
            fwrite (rec, 1, 50, fp);
          }
      }
  g_assert (fclose (fp) == 0);
  return path;
}

/* The baseline ----------------------------------------------------------------- */

static inline guint32
hash_position (const guint32 w[3])
{
  guint32 h = 2166136261u;

  /* Multiply-xorshift mixing of the three words: enough to spread float
   * bit patterns over a power-of-two table. */
  for (int k = 0; k < 3; k++)
    {
      h ^= w[k];
      h *= 0x9E3779B1u;
      h ^= h >> 15;
    }
  return h;
}

/* Returns the number of unique positions; fills @indices (3 per triangle). */
static gsize
baseline_load (const char *path,
               guint32   **out_indices,
               float     **out_positions)
{
  FILE *fp = fopen (path, "rb");
  long size;
  guint8 *buf;
  guint32 n_tri, *indices, *table;
  float *unique_pos;
  gsize cap = 1, n_unique = 0;

  g_assert (fp != NULL);
  fseek (fp, 0, SEEK_END);
  size = ftell (fp);
  fseek (fp, 0, SEEK_SET);
  buf = malloc ((size_t) size);
  g_assert (fread (buf, 1, (size_t) size, fp) == (size_t) size);
  fclose (fp);

  memcpy (&n_tri, buf + 80, 4);
  n_tri = GUINT32_FROM_LE (n_tri);
  g_assert (84 + 50 * (guint64) n_tri == (guint64) size);

  while (cap < 3 * (gsize) n_tri + 3 * (gsize) n_tri / 4)
    cap <<= 1;
  table = malloc (cap * sizeof (guint32));
  memset (table, 0xff, cap * sizeof (guint32));
  indices = malloc (3 * (gsize) n_tri * sizeof (guint32));
  unique_pos = malloc (3 * 3 * (gsize) n_tri * sizeof (float));

  for (gsize t = 0; t < n_tri; t++)
    for (int c = 0; c < 3; c++)
      {
        guint32 w[3];
        gsize slot;

        memcpy (w, buf + 84 + 50 * t + 12 + 12 * c, 12);
        slot = hash_position (w) & (cap - 1);
        for (;;)
          {
            guint32 e = table[slot];

            if (e == 0xffffffffu)
              {
                table[slot] = (guint32) n_unique;
                memcpy (&unique_pos[3 * n_unique], w, 12);
                indices[3 * t + c] = (guint32) n_unique++;
                break;
              }
            if (memcmp (&unique_pos[3 * e], w, 12) == 0)
              {
                indices[3 * t + c] = e;
                break;
              }
            slot = (slot + 1) & (cap - 1);
          }
      }

  free (table);
  free (buf);
  *out_indices = indices;
  *out_positions = unique_pos;
  return n_unique;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        int     n)
{
  qsort (v, (size_t) n, sizeof *v, compare_double);
  return v[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("op-bench-import-XXXXXX", &error);
  g_autofree char *path = NULL;
  double app_ms[RUNS], base_ms[RUNS], assimp_ms[RUNS], read_ms[RUNS];
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize app_unique = 0, base_unique = 0, app_tris = 0;
  double app, base, assimp, readm;

  g_assert_no_error (error);
  path = write_torus_stl (dir);

  g_assert (g_file_get_contents (path, &contents, &length, NULL));

  /* One untimed pass of each warms the page cache and the allocator. */
  {
    guint32 *idx;
    float *pos;
    g_autoptr(OpMesh) mesh = op_mesh_load (path, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    baseline_load (path, &idx, &pos);
    free (idx);
    free (pos);
  }

  /* Alternate the two so that drift in the machine hits both alike. */
  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0, t1, t2;
      guint32 *idx;
      float *pos;
      OpMesh *mesh;

      t0 = g_get_monotonic_time ();
      mesh = op_mesh_load (path, NULL, NULL, NULL, &error);
      t1 = g_get_monotonic_time ();
      g_assert_no_error (error);
      app_unique = mesh->n_vertices;
      app_tris = mesh->n_triangles;
      op_mesh_free (mesh);

      t2 = g_get_monotonic_time ();
      base_unique = baseline_load (path, &idx, &pos);
      base_ms[r] = (g_get_monotonic_time () - t2) / 1000.0;
      app_ms[r] = (t1 - t0) / 1000.0;
      free (idx);
      free (pos);

      t0 = g_get_monotonic_time ();
      {
        const struct aiScene *scene = aiImportFileFromMemory (contents, (unsigned int) length, 0, "stl");

        g_assert (scene != NULL);
        aiReleaseImport (scene);
      }
      assimp_ms[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      {
        g_autofree char *again = NULL;
        gsize again_length = 0;

        g_assert (g_file_get_contents (path, &again, &again_length, NULL));
        g_assert (again_length == length);
      }
      read_ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  /* median() sorts, so the minimum is the first element afterwards. */
  app = median (app_ms, RUNS);
  base = median (base_ms, RUNS);
  assimp = median (assimp_ms, RUNS);
  readm = median (read_ms, RUNS);
  g_print ("triangles: %zu, runs: %d\n", app_tris, RUNS);
  g_print ("app path (op_mesh_load: read + Assimp + weld + normals + bounds): median %.1f ms (min %.1f)\n",
           app, app_ms[0]);
  g_print ("baseline (fread + hash weld): median %.1f ms (min %.1f)\n", base, base_ms[0]);
  g_print ("for context, Assimp alone (parse from memory + free): median %.1f ms (min %.1f), "
           "%.2f x baseline\n", assimp, assimp_ms[0], assimp / base);
  g_print ("for context, reading the file alone: median %.1f ms (min %.1f), %.2f x baseline\n",
           readm, read_ms[0], readm / base);
  g_print ("unique vertices: app %zu, baseline %zu%s\n", app_unique, base_unique,
           app_unique == base_unique ? "" : "  MISMATCH");
  g_print ("ratio: %.2f (goal <= 1.3)\n", app / base);

  g_unlink (path);
  g_rmdir (dir);
  return app_unique == base_unique && app_tris == 2u * NU * NV ? 0 : 1;
}
