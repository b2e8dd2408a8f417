/* op-voxelize.c: filling a grid from closed meshes, and growing the result. */
#include "op-voxelize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Columns are sampled a hair off the voxel centres, by amounts no mesh
 * built from a grid or a scanner will line up with, so that no column
 * passes exactly through a vertex or along an edge, where a crossing
 * could be counted twice or not at all. */
#define COLUMN_NUDGE_I 1.234567e-4
#define COLUMN_NUDGE_J 2.718281e-4

static int
cmp_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return x < y ? -1 : x > y;
}

/* Calls back (via the two passes below) for every column (i, j) whose
 * nudged centre falls inside the triangle's projection, with the k at which
 * the column crosses the triangle. */
static gsize
rasterise (const float *p0,
           const float *p1,
           const float *p2,
           int          nx,
           int          ny,
           guint32     *counts,
           float      **slots)
{
  double min_i = MIN (p0[0], MIN (p1[0], p2[0])), max_i = MAX (p0[0], MAX (p1[0], p2[0]));
  double min_j = MIN (p0[1], MIN (p1[1], p2[1])), max_j = MAX (p0[1], MAX (p1[1], p2[1]));
  double area = (p1[0] - p0[0]) * (p2[1] - p0[1]) - (p2[0] - p0[0]) * (p1[1] - p0[1]);
  int i0 = MAX (0, (int) ceil (min_i - COLUMN_NUDGE_I)), i1 = MIN (nx - 1, (int) floor (max_i - COLUMN_NUDGE_I));
  int j0 = MAX (0, (int) ceil (min_j - COLUMN_NUDGE_J)), j1 = MIN (ny - 1, (int) floor (max_j - COLUMN_NUDGE_J));
  gsize n = 0;

  if (area == 0 || !isfinite (area))
    return 0;
  for (int j = j0; j <= j1; j++)
    for (int i = i0; i <= i1; i++)
      {
        double x = i + COLUMN_NUDGE_I, y = j + COLUMN_NUDGE_J;
        double w0 = (p1[0] - x) * (p2[1] - y) - (p2[0] - x) * (p1[1] - y);
        double w1 = (p2[0] - x) * (p0[1] - y) - (p0[0] - x) * (p2[1] - y);
        double w2 = (p0[0] - x) * (p1[1] - y) - (p1[0] - x) * (p0[1] - y);
        gsize col = (gsize) j * nx + i;

        if (area > 0 ? (w0 < 0 || w1 < 0 || w2 < 0) : (w0 > 0 || w1 > 0 || w2 > 0))
          continue;
        if (slots != NULL)
          *slots[col]++ = (float) ((w0 * p0[2] + w1 * p1[2] + w2 * p2[2]) / area);
        else
          counts[col]++;
        n++;
      }
  return n;
}

void
op_voxelize_mesh (const OpMesh   *mesh,
                  const float     matrix[16],
                  const OpVolume *grid,
                  guint8         *mask,
                  guint8          value)
{
  const int nx = grid->dims[0], ny = grid->dims[1], nz = grid->dims[2];
  const gsize n_cols = (gsize) nx * ny;
  g_autofree float *vox = NULL;
  g_autofree guint32 *counts = NULL;
  g_autofree gsize *start = NULL;
  g_autofree float *hits = NULL;
  g_autofree float **slots = NULL;
  gsize total = 0;

  g_return_if_fail (mesh != NULL && grid != NULL && mask != NULL);
  if (mesh->n_triangles == 0 || n_cols == 0 || nz <= 0)
    return;

  /* Vertices in continuous voxel coordinates. */
  vox = g_new (float, mesh->n_vertices * 3);
  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      float p[3];
      double w[3], ijk[3];

      if (matrix != NULL)
        {
          const float *q = &mesh->positions[v * 3];

          for (int r = 0; r < 3; r++)
            p[r] = matrix[r] * q[0] + matrix[4 + r] * q[1] + matrix[8 + r] * q[2] + matrix[12 + r];
        }
      else
        memcpy (p, &mesh->positions[v * 3], sizeof p);
      for (int r = 0; r < 3; r++)
        w[r] = p[r];
      op_volume_world_to_voxel (grid, w, ijk);
      for (int r = 0; r < 3; r++)
        vox[v * 3 + r] = (float) ijk[r];
    }

  /* Count the crossings of every column, then place them. */
  counts = g_new0 (guint32, n_cols);
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[t * 3];

      total += rasterise (&vox[tri[0] * 3], &vox[tri[1] * 3], &vox[tri[2] * 3], nx, ny, counts, NULL);
    }
  if (total == 0)
    return;
  start = g_new (gsize, n_cols + 1);
  slots = g_new (float *, n_cols);
  hits = g_new (float, total);
  start[0] = 0;
  for (gsize c = 0; c < n_cols; c++)
    {
      start[c + 1] = start[c] + counts[c];
      slots[c] = hits + start[c];
    }
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[t * 3];

      rasterise (&vox[tri[0] * 3], &vox[tri[1] * 3], &vox[tri[2] * 3], nx, ny, counts, slots);
    }

  /* Fill between entry and exit: pairs of sorted crossings. */
  for (gsize c = 0; c < n_cols; c++)
    {
      float *h = hits + start[c];
      gsize n = start[c + 1] - start[c];

      if (n < 2)
        continue;
      qsort (h, n, sizeof *h, cmp_float);
      for (gsize x = 0; x + 1 < n; x += 2)
        {
          int k0 = MAX (0, (int) ceil (h[x])), k1 = MIN (nz - 1, (int) floor (h[x + 1]));

          for (int k = k0; k <= k1; k++)
            mask[(gsize) k * n_cols + c] = value;
        }
    }
}

void
op_voxelize_dilate (const OpVolume *grid,
                    guint8         *mask,
                    double          radius_mm,
                    guint8          value)
{
  const int nx = grid->dims[0], ny = grid->dims[1], nz = grid->dims[2];
  const gsize sy = nx, sz = (gsize) nx * ny, n = sz * nz;
  int r[3];
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (int) * 3);
  g_autofree guint8 *src = NULL;

  g_return_if_fail (grid != NULL && mask != NULL);
  if (radius_mm <= 0 || n == 0)
    return;
  for (int a = 0; a < 3; a++)
    r[a] = (int) floor (radius_mm / grid->spacing[a]);
  for (int dk = -r[2]; dk <= r[2]; dk++)
    for (int dj = -r[1]; dj <= r[1]; dj++)
      for (int di = -r[0]; di <= r[0]; di++)
        {
          double x = di * grid->spacing[0], y = dj * grid->spacing[1], z = dk * grid->spacing[2];
          int o[3] = { di, dj, dk };

          if (x * x + y * y + z * z <= radius_mm * radius_mm && (di || dj || dk))
            g_array_append_val (offsets, o);
        }

  /* Read from a copy so that grown voxels do not grow again. */
  src = g_memdup2 (mask, n);
  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      for (int i = 0; i < nx; i++)
        {
          gsize idx = k * sz + j * sy + i;
          gboolean border;

          if (!src[idx])
            continue;
          border = (i == 0 || !src[idx - 1]) || (i + 1 == nx || !src[idx + 1]) ||
                   (j == 0 || !src[idx - sy]) || (j + 1 == ny || !src[idx + sy]) ||
                   (k == 0 || !src[idx - sz]) || (k + 1 == nz || !src[idx + sz]);
          if (!border)
            continue;
          for (guint o = 0; o < offsets->len; o++)
            {
              const int *d = &g_array_index (offsets, int, o * 3);
              int ii = i + d[0], jj = j + d[1], kk = k + d[2];

              if (ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz)
                continue;
              if (!mask[(gsize) kk * sz + (gsize) jj * sy + ii])
                mask[(gsize) kk * sz + (gsize) jj * sy + ii] = value;
            }
        }
}
