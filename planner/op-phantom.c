/* op-phantom.c: one arch surface from whole teeth, with per-vertex truth.
 *
 * The surface is rebuilt on a voxel grid rather than stitched from the
 * input triangles.  A grid gives, in one step, what a scanner gives: the
 * union of crowns and gingiva as a single surface, contacts fused where
 * teeth touch, rounded creases at the gum line, and a fresh tessellation
 * unrelated to the input's (so the segmenter cannot cheat on edge
 * structure).  The isosurface is extracted with naive surface nets, which
 * needs no case tables and gives well shaped, nearly uniform triangles.
 *
 * All the work happens in a frame where the crowns point to +z; an upper
 * arch is turned by 180 degrees about y into it and back at the end.
 */
#include "op-phantom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-linalg.h"

G_DEFINE_QUARK (op-phantom-error-quark, op_phantom_error)

/* Height of the clinical crown above the gum line by tooth type (1..8),
 * mm, rounded from textbook crown heights less the sulcus. */
static const float crown_height_upper[9] = { 0, 9.5f, 8.5f, 9.5f, 7.5f, 7.0f, 6.0f, 5.8f, 5.5f };
static const float crown_height_lower[9] = { 0, 8.0f, 8.0f, 9.5f, 7.5f, 7.0f, 6.0f, 5.8f, 5.5f };

#define GUM_BAND_MM   4.0f  /* gingiva reaches this far from the tooth necks */
#define GUM_SLOPE     0.45f /* and falls this many mm per mm away from them */
#define BASE_SCAN_MM  6.0f  /* depth of gingiva an intraoral scan keeps */
#define BASE_CAST_MM  9.0f  /* height of a trimmed plaster base below the gum */

typedef struct {
  int      fdi;
  float   *pos;        /* working-frame positions */
  gsize    n_vertices;
  const guint32 *indices;
  gsize    n_triangles;
  float    axis[3];    /* long axis, towards the crown */
  float    gum;        /* gum plane: dot (p, axis) == gum */
  float    centre[3];  /* crown centroid */
  float    move[16];   /* working-frame transform of this tooth */
} PTooth;

static void
flip_working (float m[16])
{
  /* 180 degrees about y: (x, y, z) -> (-x, y, -z).  A rotation, so the
   * surface keeps its orientation and the arch its handedness. */
  op_mat4_identity (m);
  m[0] = -1.f;
  m[10] = -1.f;
}

static int
cmp_arch_position (gconstpointer a,
                   gconstpointer b)
{
  const PTooth *ta = a, *tb = b;

  return op_fdi_arch_position (ta->fdi) - op_fdi_arch_position (tb->fdi);
}

static void
tooth_axis_pca (PTooth *t)
{
  double mean[3] = { 0 }, cov[3][3] = { { 0 } }, values[3], vectors[3][3];

  for (gsize i = 0; i < t->n_vertices; i++)
    for (int k = 0; k < 3; k++)
      mean[k] += t->pos[3 * i + k];
  for (int k = 0; k < 3; k++)
    mean[k] /= (double) t->n_vertices;
  for (gsize i = 0; i < t->n_vertices; i++)
    {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = t->pos[3 * i + k] - mean[k];
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          cov[r][c] += d[r] * d[c];
    }
  op_sym3_eigen (cov, values, vectors);
  /* A whole tooth (crown and root) is longest along its long axis. */
  for (int k = 0; k < 3; k++)
    t->axis[k] = (float) vectors[0][k];
  if (t->axis[2] < 0)
    for (int k = 0; k < 3; k++)
      t->axis[k] = -t->axis[k];
}

static void
tooth_crown_levels (PTooth *t,
                    gboolean upper)
{
  float top = -G_MAXFLOAT;
  double c[3] = { 0 };
  gsize n = 0;
  int type = op_fdi_type (t->fdi);

  for (gsize i = 0; i < t->n_vertices; i++)
    {
      const float *p = &t->pos[3 * i];
      top = MAX (top, p[0] * t->axis[0] + p[1] * t->axis[1] + p[2] * t->axis[2]);
    }
  t->gum = top - (upper ? crown_height_upper[type] : crown_height_lower[type]);
  for (gsize i = 0; i < t->n_vertices; i++)
    {
      const float *p = &t->pos[3 * i];
      if (p[0] * t->axis[0] + p[1] * t->axis[1] + p[2] * t->axis[2] > t->gum)
        {
          for (int k = 0; k < 3; k++)
            c[k] += p[k];
          n++;
        }
    }
  for (int k = 0; k < 3; k++)
    t->centre[k] = (float) (c[k] / MAX (n, 1));
}

/* z of the gum plane of @t above the column (x, y). */
static inline float
gum_z (const PTooth *t,
       float         x,
       float         y)
{
  return (t->gum - t->axis[0] * x - t->axis[1] * y) / t->axis[2];
}

static void
move_teeth (PTooth                 *teeth,
            guint                   n,
            const OpPhantomOptions *o,
            GRand                  *rand)
{
  for (guint i = 0; i < n; i++)
    {
      PTooth *t = &teeth[i];
      const PTooth *prev = &teeth[i > 0 ? i - 1 : i];
      const PTooth *next = &teeth[i + 1 < n ? i + 1 : i];
      float tangent[3] = { next->centre[0] - prev->centre[0], next->centre[1] - prev->centre[1], 0 };
      float normal[3], len, rot[16], shift, along;
      int pos = op_fdi_arch_position (t->fdi);

      /* Draw every random number whatever the options, so that turning
       * one variation on does not change the others. */
      float angle = (float) g_rand_double_range (rand, -1.0, 1.0) * o->rotate_deg * (float) (G_PI / 180.0);
      float bl = (float) g_rand_double_range (rand, -1.0, 1.0) * o->shift_mm;

      op_mat4_identity (t->move);
      len = sqrtf (tangent[0] * tangent[0] + tangent[1] * tangent[1]);
      if (n < 2 || len < 1e-3f)
        continue;
      tangent[0] /= len;
      tangent[1] /= len;
      normal[0] = -tangent[1];
      normal[1] = tangent[0];
      normal[2] = 0;

      /* The arch is ordered from the patient's right to left, so distal
       * is along +tangent on the left and -tangent on the right; each
       * tooth moves by half a gap per position from the midline. */
      along = o->spacing_mm * (ABS (pos) - 0.5f) * (pos > 0 ? 1.f : -1.f);
      shift = bl;
      op_mat4_rotate_about (t->axis, angle, t->centre, rot);
      rot[12] += tangent[0] * along + normal[0] * shift;
      rot[13] += tangent[1] * along + normal[1] * shift;
      memcpy (t->move, rot, sizeof rot);
      for (gsize v = 0; v < t->n_vertices; v++)
        op_mat4_apply_point (t->move, &t->pos[3 * v], &t->pos[3 * v]);
      /* The gum plane moves with the tooth.  The rotation is about the
       * long axis through the centre, so the axis keeps its direction and
       * only the translation shifts the plane; left alone, the plane of a
       * tipped third molar moved along the arch would rise by millimetres
       * and bury its crown in the gingiva. */
      {
        float before = t->centre[0] * t->axis[0] + t->centre[1] * t->axis[1] + t->centre[2] * t->axis[2];
        op_mat4_apply_point (t->move, t->centre, t->centre);
        op_mat4_apply_dir (t->move, t->axis, t->axis);
        t->gum += t->centre[0] * t->axis[0] + t->centre[1] * t->axis[1] + t->centre[2] * t->axis[2] - before;
      }
    }
}

typedef struct {
  int    nx, ny, nz;
  float  origin[3];
  float  h;
  guint8 *occ;    /* 0 empty, 1 gingiva or base, 2 + i tooth i */
  float  *gz;     /* per column: gum height, or -inf outside the band */
  gint16 *near;   /* per column: nearest tooth neck, -1 for none */
} Grid;

#define IDX(g, i, j, k) ((gsize) (i) + (gsize) (g)->nx * ((gsize) (j) + (gsize) (g)->ny * (gsize) (k)))

typedef struct {
  guint32 col;
  float   z;
} Hit;

static int
cmp_hit (gconstpointer a,
         gconstpointer b)
{
  const Hit *ha = a, *hb = b;

  if (ha->col != hb->col)
    return ha->col < hb->col ? -1 : 1;
  return (ha->z > hb->z) - (ha->z < hb->z);
}

/* Fills the voxels inside the closed surface of @t by counting crossings
 * along vertical lines through the voxel centres.  The lines are nudged
 * by a small odd fraction of a voxel so that none passes exactly through
 * a vertex or along an edge. */
static void
voxelize_tooth (Grid         *g,
                const PTooth *t,
                guint8        value)
{
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  const float nudge = 0.0137f * g->h;

  for (gsize f = 0; f < t->n_triangles; f++)
    {
      const float *a = &t->pos[3 * t->indices[3 * f]];
      const float *b = &t->pos[3 * t->indices[3 * f + 1]];
      const float *c = &t->pos[3 * t->indices[3 * f + 2]];
      float minx = MIN (a[0], MIN (b[0], c[0])), maxx = MAX (a[0], MAX (b[0], c[0]));
      float miny = MIN (a[1], MIN (b[1], c[1])), maxy = MAX (a[1], MAX (b[1], c[1]));
      int i0 = (int) ceilf ((minx - g->origin[0] - nudge) / g->h);
      int i1 = (int) floorf ((maxx - g->origin[0] - nudge) / g->h);
      int j0 = (int) ceilf ((miny - g->origin[1] - nudge) / g->h);
      int j1 = (int) floorf ((maxy - g->origin[1] - nudge) / g->h);
      float det = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);

      if (fabsf (det) < 1e-12f)
        continue;
      for (int j = MAX (j0, 0); j <= MIN (j1, g->ny - 1); j++)
        for (int i = MAX (i0, 0); i <= MIN (i1, g->nx - 1); i++)
          {
            float x = g->origin[0] + i * g->h + nudge, y = g->origin[1] + j * g->h + nudge;
            float u = ((b[0] - x) * (c[1] - y) - (c[0] - x) * (b[1] - y)) / det;
            float v = ((c[0] - x) * (a[1] - y) - (a[0] - x) * (c[1] - y)) / det;
            float w = 1.f - u - v;
            Hit hit;

            if (u < 0 || v < 0 || w < 0)
              continue;
            hit.col = (guint32) (i + g->nx * j);
            hit.z = u * a[2] + v * b[2] + w * c[2];
            g_array_append_val (hits, hit);
          }
    }
  g_array_sort (hits, cmp_hit);

  for (guint s = 0; s < hits->len;)
    {
      guint e = s;
      const Hit *hs = &g_array_index (hits, Hit, s);

      while (e < hits->len && g_array_index (hits, Hit, e).col == hs->col)
        e++;
      /* Pairs of crossings bound the inside; an odd leftover (a line that
       * grazed a crack in the input) is ignored. */
      for (guint p = s; p + 1 < e; p += 2)
        {
          float z0 = g_array_index (hits, Hit, p).z, z1 = g_array_index (hits, Hit, p + 1).z;
          int k0 = MAX ((int) ceilf ((z0 - g->origin[2]) / g->h), 0);
          int k1 = MIN ((int) floorf ((z1 - g->origin[2]) / g->h), g->nz - 1);
          int i = (int) (hs->col % (guint32) g->nx), j = (int) (hs->col / (guint32) g->nx);

          for (int k = k0; k <= k1; k++)
            g->occ[IDX (g, i, j, k)] = value;
        }
      s = e;
    }
}

/* Nearest tooth neck for every column, by a two-pass propagation of the
 * nearest seed (an 8-neighbour vector distance transform); exact enough
 * for a gum band a few millimetres wide. */
static void
neck_distance (Grid   *g,
               float  *dist)
{
  gsize ncol = (gsize) g->nx * g->ny;
  g_autofree gint32 *src = g_new (gint32, ncol);

  for (gsize c = 0; c < ncol; c++)
    src[c] = g->near[c] >= 0 ? (gint32) c : -1;

  for (int pass = 0; pass < 4; pass++)
    {
      int dir = (pass % 2 == 0) ? 1 : -1;
      int j0 = dir > 0 ? 0 : g->ny - 1, i0 = dir > 0 ? 0 : g->nx - 1;

      for (int j = j0; j >= 0 && j < g->ny; j += dir)
        for (int i = i0; i >= 0 && i < g->nx; i += dir)
          {
            gsize c = (gsize) i + (gsize) g->nx * j;
            static const int off[4][2] = { { -1, 0 }, { 0, -1 }, { -1, -1 }, { 1, -1 } };

            for (int o = 0; o < 4; o++)
              {
                int ni = i + off[o][0] * dir, nj = j + off[o][1] * dir;
                gint32 s;
                int si, sj;
                float d_new, d_old;

                if (ni < 0 || nj < 0 || ni >= g->nx || nj >= g->ny)
                  continue;
                s = src[(gsize) ni + (gsize) g->nx * nj];
                if (s < 0)
                  continue;
                si = s % g->nx;
                sj = s / g->nx;
                d_new = (float) ((si - i) * (si - i) + (sj - j) * (sj - j));
                if (src[c] >= 0)
                  {
                    int ci = src[c] % g->nx, cj = src[c] / g->nx;
                    d_old = (float) ((ci - i) * (ci - i) + (cj - j) * (cj - j));
                  }
                else
                  d_old = G_MAXFLOAT;
                if (d_new < d_old)
                  src[c] = s;
              }
          }
    }
  for (gsize c = 0; c < ncol; c++)
    {
      if (src[c] < 0)
        {
          dist[c] = G_MAXFLOAT;
          continue;
        }
      int si = src[c] % g->nx, sj = src[c] / g->nx, i = (int) (c % (gsize) g->nx), j = (int) (c / (gsize) g->nx);
      dist[c] = sqrtf ((float) ((si - i) * (si - i) + (sj - j) * (sj - j))) * g->h;
      g->near[c] = g->near[src[c]];
    }
}

static void
build_gingiva (Grid         *g,
               const PTooth *teeth,
               guint         n_teeth,
               float         z_floor)
{
  gsize ncol = (gsize) g->nx * g->ny;
  g_autofree float *dist = g_new (float, ncol);
  g_autofree float *gz = g_new (float, ncol);

  /* Necks: columns where a tooth is solid within a voxel or two of its
   * own gum plane. */
  for (gsize c = 0; c < ncol; c++)
    g->near[c] = -1;
  for (int j = 0; j < g->ny; j++)
    for (int i = 0; i < g->nx; i++)
      for (int k = 0; k < g->nz; k++)
        {
          guint8 v = g->occ[IDX (g, i, j, k)];
          float x = g->origin[0] + i * g->h, y = g->origin[1] + j * g->h, z = g->origin[2] + k * g->h;

          if (v >= 2 && fabsf (z - gum_z (&teeth[v - 2], x, y)) < 1.5f * g->h)
            {
              g->near[(gsize) i + (gsize) g->nx * j] = (gint16) (v - 2);
              break;
            }
        }
  neck_distance (g, dist);

  for (gsize c = 0; c < ncol; c++)
    {
      float x = g->origin[0] + (float) (c % (gsize) g->nx) * g->h;
      float y = g->origin[1] + (float) (c / (gsize) g->nx) * g->h;

      if (g->near[c] < 0 || dist[c] > GUM_BAND_MM)
        gz[c] = -G_MAXFLOAT;
      else
        gz[c] = gum_z (&teeth[g->near[c]], x, y) + 0.3f - GUM_SLOPE * dist[c];
    }

  /* Smooth the gum height across neighbouring teeth (a box of about
   * 1.5 mm), so the gingiva has no steps where the nearest neck changes. */
  {
    int r = MAX (1, (int) (1.5f / g->h));

    for (int j = 0; j < g->ny; j++)
      for (int i = 0; i < g->nx; i++)
        {
          gsize c = (gsize) i + (gsize) g->nx * j;
          double s = 0;
          int n = 0;

          if (gz[c] == -G_MAXFLOAT)
            {
              g->gz[c] = -G_MAXFLOAT;
              continue;
            }
          for (int dj = -r; dj <= r; dj++)
            for (int di = -r; di <= r; di++)
              {
                int ii = i + di, jj = j + dj;
                if (ii < 0 || jj < 0 || ii >= g->nx || jj >= g->ny)
                  continue;
                if (gz[(gsize) ii + (gsize) g->nx * jj] == -G_MAXFLOAT)
                  continue;
                s += gz[(gsize) ii + (gsize) g->nx * jj];
                n++;
              }
          g->gz[c] = (float) (s / n);
        }
  }

  for (int j = 0; j < g->ny; j++)
    for (int i = 0; i < g->nx; i++)
      {
        gsize c = (gsize) i + (gsize) g->nx * j;

        for (int k = 0; k < g->nz; k++)
          {
            guint8 *v = &g->occ[IDX (g, i, j, k)];
            float x = g->origin[0] + i * g->h, y = g->origin[1] + j * g->h, z = g->origin[2] + k * g->h;
            gboolean in_gum = g->gz[c] != -G_MAXFLOAT && z <= g->gz[c] && z >= z_floor;

            if (in_gum)
              *v = 1;
            else if (*v >= 2 && (z < gum_z (&teeth[*v - 2], x, y) - 0.5f || z < z_floor))
              *v = 0;   /* a root outside the gingiva: not part of a scan */
          }
      }
  (void) n_teeth;
}

/* Naive surface nets over the smoothed occupancy; one vertex per cell
 * that the surface crosses, one quad per crossed grid edge. */
static OpMesh *
surface_nets (const Grid  *g,
              const float *field,
              float        iso)
{
  gsize ncell = (gsize) g->nx * g->ny * g->nz;
  g_autofree gint32 *cellv = g_new (gint32, ncell);
  g_autoptr(GArray) pos = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) lab = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) tri = g_array_new (FALSE, FALSE, sizeof (guint32));
  OpMesh *mesh;

  for (gsize c = 0; c < ncell; c++)
    cellv[c] = -1;

  for (int k = 0; k + 1 < g->nz; k++)
    for (int j = 0; j + 1 < g->ny; j++)
      for (int i = 0; i + 1 < g->nx; i++)
        {
          float v[8], sum[3] = { 0 };
          int inside = 0, n = 0, votes[256] = { 0 }, best = 0;
          gint32 label;

          for (int c = 0; c < 8; c++)
            {
              v[c] = field[IDX (g, i + (c & 1), j + ((c >> 1) & 1), k + ((c >> 2) & 1))] - iso;
              inside |= (v[c] > 0) << c;
            }
          if (inside == 0 || inside == 255)
            continue;
          for (int c = 0; c < 8; c++)
            for (int a = 0; a < 3; a++)
              {
                int d = c ^ (1 << a);
                float t;
                if (d < c || (v[c] > 0) == (v[d] > 0))
                  continue;
                t = v[c] / (v[c] - v[d]);
                sum[0] += (c & 1) + (a == 0 ? t : 0);
                sum[1] += ((c >> 1) & 1) + (a == 1 ? t : 0);
                sum[2] += ((c >> 2) & 1) + (a == 2 ? t : 0);
                n++;
              }
          /* The label is the tooth most of the cell's solid corners
           * belong to; a cell touching only gingiva is gingiva. */
          for (int c = 0; c < 8; c++)
            {
              guint8 o = g->occ[IDX (g, i + (c & 1), j + ((c >> 1) & 1), k + ((c >> 2) & 1))];
              if (o >= 2)
                votes[o]++;
            }
          for (int o = 2; o < 256; o++)
            if (votes[o] > votes[best])
              best = o;
          label = best >= 2 ? best : 0;
          cellv[IDX (g, i, j, k)] = (gint32) (pos->len / 3);
          {
            float p[3] = {
              g->origin[0] + (i + sum[0] / n) * g->h,
              g->origin[1] + (j + sum[1] / n) * g->h,
              g->origin[2] + (k + sum[2] / n) * g->h,
            };
            g_array_append_vals (pos, p, 3);
          }
          g_array_append_val (lab, label);
        }

  for (int k = 1; k + 1 < g->nz; k++)
    for (int j = 1; j + 1 < g->ny; j++)
      for (int i = 1; i + 1 < g->nx; i++)
        {
          gboolean in0 = field[IDX (g, i, j, k)] > iso;

          for (int a = 0; a < 3; a++)
            {
              int di[3] = { 0 }, u = (a + 1) % 3, w = (a + 2) % 3;
              int cu[3] = { 0 }, cw[3] = { 0 };
              gint32 q[4];
              gboolean in1;

              di[a] = 1;
              in1 = field[IDX (g, i + di[0], j + di[1], k + di[2])] > iso;
              if (in0 == in1)
                continue;
              cu[u] = 1;
              cw[w] = 1;
              /* The four cells around the edge, counter-clockwise about
               * the edge's direction. */
              q[0] = cellv[IDX (g, i, j, k)];
              q[1] = cellv[IDX (g, i - cu[0], j - cu[1], k - cu[2])];
              q[2] = cellv[IDX (g, i - cu[0] - cw[0], j - cu[1] - cw[1], k - cu[2] - cw[2])];
              q[3] = cellv[IDX (g, i - cw[0], j - cw[1], k - cw[2])];
              if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[3] < 0)
                continue;
              if (!in0)
                {
                  gint32 t = q[1];
                  q[1] = q[3];
                  q[3] = t;
                }
              {
                const float *p0 = &g_array_index (pos, float, 3 * q[0]);
                const float *p1 = &g_array_index (pos, float, 3 * q[1]);
                const float *p2 = &g_array_index (pos, float, 3 * q[2]);
                const float *p3 = &g_array_index (pos, float, 3 * q[3]);
                float d02 = 0, d13 = 0;
                guint32 t[6];

                for (int c = 0; c < 3; c++)
                  {
                    d02 += (p0[c] - p2[c]) * (p0[c] - p2[c]);
                    d13 += (p1[c] - p3[c]) * (p1[c] - p3[c]);
                  }
                /* Split along the shorter diagonal. */
                if (d02 <= d13)
                  {
                    guint32 s[6] = { q[0], q[1], q[2], q[0], q[2], q[3] };
                    memcpy (t, s, sizeof t);
                  }
                else
                  {
                    guint32 s[6] = { q[0], q[1], q[3], q[1], q[2], q[3] };
                    memcpy (t, s, sizeof t);
                  }
                g_array_append_vals (tri, t, 6);
              }
            }
        }

  mesh = op_mesh_new (pos->len / 3, tri->len / 3, OP_MESH_ATTR_LABELS);
  memcpy (mesh->positions, pos->data, pos->len * sizeof (float));
  memcpy (mesh->labels, lab->data, lab->len * sizeof (gint32));
  memcpy (mesh->indices, tri->data, tri->len * sizeof (guint32));
  return mesh;
}

/* Drops triangles with a vertex below @z_cut (the open border of an
 * intraoral scan) and the vertices left unused. */
static void
cut_below (OpMesh *mesh,
           float   z_cut)
{
  g_autofree gint32 *remap = g_new (gint32, mesh->n_vertices);
  gsize nv = 0, nt = 0;

  for (gsize v = 0; v < mesh->n_vertices; v++)
    remap[v] = -1;
  for (gsize f = 0; f < mesh->n_triangles; f++)
    {
      const guint32 *t = &mesh->indices[3 * f];
      if (mesh->positions[3 * t[0] + 2] < z_cut || mesh->positions[3 * t[1] + 2] < z_cut ||
          mesh->positions[3 * t[2] + 2] < z_cut)
        continue;
      for (int c = 0; c < 3; c++)
        remap[t[c]] = 0;
      memmove (&mesh->indices[3 * nt], t, 3 * sizeof (guint32));
      nt++;
    }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (remap[v] == 0)
      {
        remap[v] = (gint32) nv;
        memmove (&mesh->positions[3 * nv], &mesh->positions[3 * v], 3 * sizeof (float));
        mesh->labels[nv] = mesh->labels[v];
        nv++;
      }
  for (gsize i = 0; i < 3 * nt; i++)
    mesh->indices[i] = (guint32) remap[mesh->indices[i]];
  mesh->n_vertices = nv;
  mesh->n_triangles = nt;
}

static int
cmp_phantom_fdi (const void *a,
                 const void *b)
{
  return ((const OpPhantomTooth *) a)->fdi - ((const OpPhantomTooth *) b)->fdi;
}

static void
random_pose (GRand *rand,
             float  pose[16])
{
  float axis[3], len, centre[3] = { 0 };

  /* A uniformly random axis (normalised Gaussian vector) and an angle up
   * to a half turn: any orientation a scanner might export. */
  do
    {
      for (int k = 0; k < 3; k++)
        axis[k] = (float) g_rand_double_range (rand, -1.0, 1.0);
      len = sqrtf (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    }
  while (len < 0.1f || len > 1.f);
  for (int k = 0; k < 3; k++)
    axis[k] /= len;
  op_mat4_rotate_about (axis, (float) g_rand_double_range (rand, -G_PI, G_PI), centre, pose);
  for (int k = 0; k < 3; k++)
    pose[12 + k] = (float) g_rand_double_range (rand, -60.0, 60.0);
}

OpPhantom *
op_phantom_new (const OpTooth *const   *in_teeth,
                guint                   n_in,
                const OpPhantomOptions *options,
                GError                **error)
{
  OpPhantomOptions o = { 0 };
  g_autoptr(GRand) rand = NULL;
  g_autofree PTooth *teeth = NULL;
  g_autofree float *field = NULL;
  Grid g = { 0 };
  float bmin[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, bmax[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  float flip[16], z_floor, z_cut, lowest_gum = G_MAXFLOAT;
  gboolean upper = FALSE;
  guint n = 0;
  OpPhantom *ph;
  OpMesh *mesh;

  g_return_val_if_fail (in_teeth != NULL || n_in == 0, NULL);

  if (options)
    o = *options;
  if (o.voxel_mm <= 0)
    o.voxel_mm = 0.3f;
  rand = g_rand_new_with_seed (o.seed);

  teeth = g_new0 (PTooth, MAX (n_in, 1));
  for (guint i = 0; i < n_in; i++)
    {
      const OpTooth *t = in_teeth[i];
      gboolean skip = FALSE;

      if (t == NULL || t->crown == NULL || t->crown->n_triangles == 0 || !op_fdi_is_valid (t->fdi))
        {
          g_set_error (error, OP_PHANTOM_ERROR, OP_PHANTOM_ERROR_INPUT,
                       "phantom: tooth %u has no surface or no valid FDI number", i);
          goto fail;
        }
      if (n > 0 && op_fdi_is_upper (t->fdi) != upper)
        {
          g_set_error (error, OP_PHANTOM_ERROR, OP_PHANTOM_ERROR_INPUT,
                       "phantom: tooth %d is in the other arch than tooth %d; build one arch at a time",
                       t->fdi, teeth[0].fdi);
          goto fail;
        }
      upper = op_fdi_is_upper (t->fdi);
      for (guint m = 0; m < o.n_missing; m++)
        skip |= o.missing[m] == t->fdi;
      if (skip)
        continue;
      teeth[n].fdi = t->fdi;
      teeth[n].n_vertices = t->crown->n_vertices;
      teeth[n].indices = t->crown->indices;
      teeth[n].n_triangles = t->crown->n_triangles;
      teeth[n].pos = g_memdup2 (t->crown->positions, 3 * sizeof (float) * t->crown->n_vertices);
      n++;
    }
  if (n == 0)
    {
      g_set_error_literal (error, OP_PHANTOM_ERROR, OP_PHANTOM_ERROR_INPUT, "phantom: no teeth to build an arch from");
      goto fail;
    }

  flip_working (flip);
  if (!upper)
    op_mat4_identity (flip);
  qsort (teeth, n, sizeof (PTooth), cmp_arch_position);
  for (guint i = 0; i < n; i++)
    {
      for (gsize v = 0; v < teeth[i].n_vertices; v++)
        op_mat4_apply_point (flip, &teeth[i].pos[3 * v], &teeth[i].pos[3 * v]);
      tooth_axis_pca (&teeth[i]);
      tooth_crown_levels (&teeth[i], upper);
    }
  move_teeth (teeth, n, &o, rand);

  for (guint i = 0; i < n; i++)
    {
      const PTooth *t = &teeth[i];
      for (gsize v = 0; v < t->n_vertices; v++)
        {
          const float *p = &t->pos[3 * v];
          if (p[0] * t->axis[0] + p[1] * t->axis[1] + p[2] * t->axis[2] < t->gum - 1.f)
            continue;
          for (int k = 0; k < 3; k++)
            {
              bmin[k] = MIN (bmin[k], p[k]);
              bmax[k] = MAX (bmax[k], p[k]);
            }
        }
      lowest_gum = MIN (lowest_gum, gum_z (t, t->centre[0], t->centre[1]));
    }
  z_floor = lowest_gum - (o.cast_base ? BASE_CAST_MM : BASE_SCAN_MM + 2.f);
  z_cut = lowest_gum - BASE_SCAN_MM;
  for (int k = 0; k < 2; k++)
    {
      bmin[k] -= GUM_BAND_MM + 2.f;
      bmax[k] += GUM_BAND_MM + 2.f;
    }
  bmin[2] = z_floor - 2.f;
  bmax[2] += 2.f;

  g.h = o.voxel_mm;
  memcpy (g.origin, bmin, sizeof bmin);
  g.nx = (int) ceilf ((bmax[0] - bmin[0]) / g.h) + 1;
  g.ny = (int) ceilf ((bmax[1] - bmin[1]) / g.h) + 1;
  g.nz = (int) ceilf ((bmax[2] - bmin[2]) / g.h) + 1;
  if ((double) g.nx * g.ny * g.nz > 64e6)
    {
      g_set_error (error, OP_PHANTOM_ERROR, OP_PHANTOM_ERROR_INPUT,
                   "phantom: a %.0f x %.0f x %.0f mm arch at %.2f mm voxels needs too large a grid",
                   bmax[0] - bmin[0], bmax[1] - bmin[1], bmax[2] - bmin[2], o.voxel_mm);
      goto fail;
    }
  g.occ = g_new0 (guint8, (gsize) g.nx * g.ny * g.nz);
  g.gz = g_new (float, (gsize) g.nx * g.ny);
  g.near = g_new (gint16, (gsize) g.nx * g.ny);

  for (guint i = 0; i < n; i++)
    voxelize_tooth (&g, &teeth[i], (guint8) (2 + i));
  build_gingiva (&g, teeth, n, z_floor);

  /* Smoothing the occupancy once with a [1 2 1] kernel along each axis
   * rounds voxel steps and gives the gum line a scanner-like fillet. */
  {
    gsize nc = (gsize) g.nx * g.ny * g.nz;
    g_autofree float *tmp = g_new (float, nc);

    field = g_new (float, nc);
    for (gsize c = 0; c < nc; c++)
      field[c] = g.occ[c] ? 1.f : 0.f;
    for (int pass = 0; pass < 2; pass++)
      for (int a = 0; a < 3; a++)
        {
          gsize stride = a == 0 ? 1 : a == 1 ? (gsize) g.nx : (gsize) g.nx * g.ny;
          int len = a == 0 ? g.nx : a == 1 ? g.ny : g.nz;

          memcpy (tmp, field, nc * sizeof (float));
          for (gsize c = 0; c < nc; c++)
            {
              int coord = (int) ((c / stride) % (gsize) len);
              float l = coord > 0 ? tmp[c - stride] : tmp[c];
              float r = coord + 1 < len ? tmp[c + stride] : tmp[c];
              field[c] = 0.25f * l + 0.5f * tmp[c] + 0.25f * r;
            }
        }
  }

  mesh = surface_nets (&g, field, 0.5f);
  if (!o.cast_base)
    cut_below (mesh, z_cut);
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (mesh->labels[v] >= 2)
      mesh->labels[v] = teeth[mesh->labels[v] - 2].fdi;

  ph = g_new0 (OpPhantom, 1);
  ph->mesh = mesh;
  ph->upper = upper;

  /* Back to the patient frame, then scanner noise, then the pose. */
  op_mesh_transform (mesh, flip);   /* the flip is its own inverse */
  if (o.noise_mm > 0)
    {
      op_mesh_compute_normals (mesh);
      for (gsize v = 0; v < mesh->n_vertices; v++)
        {
          /* Box-Muller from two uniform draws. */
          double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);
          float d = (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2)) * o.noise_mm;
          for (int k = 0; k < 3; k++)
            mesh->positions[3 * v + k] += d * mesh->normals[3 * v + k];
        }
    }
  op_mat4_identity (ph->pose);
  if (o.random_pose)
    random_pose (rand, ph->pose);
  op_mesh_transform (mesh, ph->pose);
  op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);

  ph->n_teeth = n;
  ph->teeth = g_new0 (OpPhantomTooth, n);
  for (guint i = 0; i < n; i++)
    {
      OpPhantomTooth *pt = &ph->teeth[i];
      const OpTooth *src = NULL;
      float m[16];

      for (guint s = 0; s < n_in; s++)
        if (in_teeth[s]->fdi == teeth[i].fdi)
          src = in_teeth[s];
      /* scan = pose * flip * move * flip (the flip is an involution). */
      op_mat4_mul (teeth[i].move, flip, m);
      op_mat4_mul (flip, m, m);
      op_mat4_mul (ph->pose, m, pt->transform);
      pt->fdi = teeth[i].fdi;
      if (src && src->has_frame)
        {
          pt->has_frame = TRUE;
          op_mat4_apply_point (pt->transform, src->frame.origin, pt->frame.origin);
          op_mat4_apply_dir (pt->transform, src->frame.mesial, pt->frame.mesial);
          op_mat4_apply_dir (pt->transform, src->frame.buccal, pt->frame.buccal);
          op_mat4_apply_dir (pt->transform, src->frame.occlusal, pt->frame.occlusal);
        }
    }
  qsort (ph->teeth, n, sizeof (OpPhantomTooth), cmp_phantom_fdi);

  for (guint i = 0; i < n; i++)
    g_free (teeth[i].pos);
  g_free (g.occ);
  g_free (g.gz);
  g_free (g.near);
  return ph;

fail:
  for (guint i = 0; i < n; i++)
    g_free (teeth[i].pos);
  return NULL;
}

void
op_phantom_free (OpPhantom *phantom)
{
  if (phantom == NULL)
    return;
  op_mesh_free (phantom->mesh);
  g_free (phantom->teeth);
  g_free (phantom);
}
