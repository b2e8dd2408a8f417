/* op-marching.c: marching tetrahedra over the Freudenthal lattice.
 *
 * Lattice edges: from every grid point P there are seven edges towards
 * P + d for the direction masks d = 1..7 (bit 0 = +i, bit 1 = +j,
 * bit 2 = +k).  The six tetrahedra of a cube are the paths from its corner 0
 * to corner 7 through one axis, then two, so every tetrahedron edge joins a
 * corner to a superset corner and is one of these lattice edges.
 *
 * Two passes over the planes: the first counts, per plane, the crossing
 * edges that start in it and the triangles of the cube layer above it; a
 * prefix sum turns the counts into where each plane writes; the second pass
 * writes vertices and triangles there.  Both passes run on slabs of planes
 * in parallel, and neither the numbering nor the order depends on how the
 * planes were split.
 */
#include "op-marching.h"

#include <math.h>
#include <string.h>

/* Up to 2 triangles per tetrahedron, 6 tetrahedra per cube. */
#define MAX_CUBE_TRIANGLES 12

/* A triangle of a cube configuration: three edges, each as (corner, mask). */
typedef struct {
  guint8 corner[3];
  guint8 mask[3];
} CubeTriangle;

typedef struct {
  guint8       n;
  CubeTriangle tri[MAX_CUBE_TRIANGLES];
} CubeCase;

static CubeCase cube_cases[256];

static void
corner_pos (int corner, double p[3])
{
  p[0] = corner & 1;
  p[1] = (corner >> 1) & 1;
  p[2] = (corner >> 2) & 1;
}

/* Midpoint of the edge between corners @a and @b of the unit cube. */
static void
edge_mid (int a, int b, double p[3])
{
  double pa[3], pb[3];

  corner_pos (a, pa);
  corner_pos (b, pb);
  for (int x = 0; x < 3; x++)
    p[x] = 0.5 * (pa[x] + pb[x]);
}

/* Adds a triangle on the edges (a0,b0), (a1,b1), (a2,b2), turned so that
 * its normal points from the inside corners towards the outside ones.  The
 * orientation is decided on edge midpoints: moving the vertices along
 * their edges never flips it, because the triangle keeps separating the
 * same corners. */
static void
add_triangle (CubeCase   *c,
              const int   ea[3],
              const int   eb[3],
              const double towards_out[3])
{
  double p[3][3], e1[3], e2[3], nrm[3];
  CubeTriangle *t = &c->tri[c->n++];
  int order[3] = { 0, 1, 2 };

  for (int v = 0; v < 3; v++)
    edge_mid (ea[v], eb[v], p[v]);
  for (int x = 0; x < 3; x++)
    {
      e1[x] = p[1][x] - p[0][x];
      e2[x] = p[2][x] - p[0][x];
    }
  nrm[0] = e1[1] * e2[2] - e1[2] * e2[1];
  nrm[1] = e1[2] * e2[0] - e1[0] * e2[2];
  nrm[2] = e1[0] * e2[1] - e1[1] * e2[0];
  if (nrm[0] * towards_out[0] + nrm[1] * towards_out[1] + nrm[2] * towards_out[2] < 0)
    order[1] = 2, order[2] = 1;

  for (int v = 0; v < 3; v++)
    {
      int a = ea[order[v]], b = eb[order[v]];
      int lo = (a & b) == a ? a : b, hi = lo == a ? b : a;

      g_assert ((lo & hi) == lo);
      t->corner[v] = lo;
      t->mask[v] = hi ^ lo;
    }
}

static gpointer
build_cases (gpointer data)
{
  static const int perms[6][3] = {
    { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
  };

  for (int config = 0; config < 256; config++)
    {
      CubeCase *c = &cube_cases[config];

      c->n = 0;
      for (int t = 0; t < 6; t++)
        {
          int tet[4], in[4], out[4], n_in = 0, n_out = 0;
          double cin[3] = { 0 }, cout[3] = { 0 }, dir[3];

          tet[0] = 0;
          tet[1] = 1 << perms[t][0];
          tet[2] = tet[1] | (1 << perms[t][1]);
          tet[3] = 7;
          for (int v = 0; v < 4; v++)
            {
              double p[3];

              corner_pos (tet[v], p);
              if (config & (1 << tet[v]))
                {
                  in[n_in++] = tet[v];
                  for (int x = 0; x < 3; x++)
                    cin[x] += p[x];
                }
              else
                {
                  out[n_out++] = tet[v];
                  for (int x = 0; x < 3; x++)
                    cout[x] += p[x];
                }
            }
          if (n_in == 0 || n_out == 0)
            continue;
          for (int x = 0; x < 3; x++)
            dir[x] = cout[x] / n_out - cin[x] / n_in;

          if (n_in == 1 || n_out == 1)
            {
              int apex = n_in == 1 ? in[0] : out[0];
              const int *others = n_in == 1 ? out : in;
              int ea[3] = { apex, apex, apex };
              int eb[3] = { others[0], others[1], others[2] };

              add_triangle (c, ea, eb, dir);
            }
          else
            {
              /* Two in (a, b), two out (p, q): the crossing edges a-p, a-q,
               * b-q, b-p form a quad, split along a-p / b-q. */
              int ea1[3] = { in[0], in[0], in[1] }, eb1[3] = { out[0], out[1], out[1] };
              int ea2[3] = { in[0], in[1], in[1] }, eb2[3] = { out[0], out[1], out[0] };

              add_triangle (c, ea1, eb1, dir);
              add_triangle (c, ea2, eb2, dir);
            }
        }
    }
  return NULL;
}

typedef struct {
  const OpVolume *vol;
  double          iso;
  int             k0, k1;      /* planes [k0, k1) */
  /* pass 1 outputs, indexed by plane */
  guint64        *plane_vertices;
  guint64        *layer_triangles;
  /* pass 2 inputs */
  const guint64  *vertex_offset;
  const guint64  *triangle_offset;
  OpMesh         *mesh;
} Slab;

static inline gboolean
inside (const gint16 *v, gsize idx, double iso)
{
  return v[idx] >= iso;
}

/* Corner configuration of the cube at (i, j, k): bit c set when corner c
 * is inside.  The cube must lie inside the grid. */
static inline int
cube_config (const gint16 *v, gsize idx, gsize sy, gsize sz, double iso)
{
  return (v[idx] >= iso) | (v[idx + 1] >= iso) << 1 | (v[idx + sy] >= iso) << 2 |
         (v[idx + sy + 1] >= iso) << 3 | (v[idx + sz] >= iso) << 4 | (v[idx + sz + 1] >= iso) << 5 |
         (v[idx + sz + sy] >= iso) << 6 | (v[idx + sz + sy + 1] >= iso) << 7;
}

/* Bit c of a cube configuration uses corner numbering x=1, y=2, z=4, which
 * the shifts above follow (corner 2 is +j, at idx + sy). */

/* Visits the crossing edges that start at (i, j, k) in scan order (mask
 * 1..7), calling @emit for each.  @config is the cube configuration when
 * the whole cube is in the grid, else -1. */
#define FOR_EACH_CROSSING(vol, idx, i, j, k, config, iso, ...)                                        \
  G_STMT_START {                                                                                  \
    const int nx_ = (vol)->dims[0], ny_ = (vol)->dims[1], nz_ = (vol)->dims[2];                   \
    const gsize sy_ = nx_, sz_ = (gsize) nx_ * ny_;                                               \
    if ((config) >= 0)                                                                            \
      {                                                                                           \
        if ((config) != 0 && (config) != 255)                                                     \
          for (int mask = 1; mask < 8; mask++)                                                    \
            if ((((config) >> 0) & 1) != (((config) >> mask) & 1))                                \
              { __VA_ARGS__ }                                                                            \
      }                                                                                           \
    else                                                                                          \
      {                                                                                           \
        gboolean in0_ = inside ((vol)->voxels, (idx), (iso));                                     \
        for (int mask = 1; mask < 8; mask++)                                                      \
          {                                                                                       \
            int di_ = mask & 1, dj_ = (mask >> 1) & 1, dk_ = (mask >> 2) & 1;                     \
            if ((i) + di_ >= nx_ || (j) + dj_ >= ny_ || (k) + dk_ >= nz_)                         \
              continue;                                                                           \
            if (inside ((vol)->voxels, (idx) + di_ + dj_ * sy_ + dk_ * sz_, (iso)) != in0_)       \
              { __VA_ARGS__ }                                                                            \
          }                                                                                       \
      }                                                                                           \
  } G_STMT_END

static gpointer
count_slab (gpointer data)
{
  Slab *s = data;
  const OpVolume *vol = s->vol;
  const int nx = vol->dims[0], ny = vol->dims[1], nz = vol->dims[2];
  const gsize sy = nx, sz = (gsize) nx * ny;

  for (int k = s->k0; k < s->k1; k++)
    {
      guint64 nv = 0, nt = 0;

      for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
          {
            gsize idx = k * sz + j * sy + i;
            int config = (i + 1 < nx && j + 1 < ny && k + 1 < nz) ? cube_config (vol->voxels, idx, sy, sz, s->iso) : -1;

            FOR_EACH_CROSSING (vol, idx, i, j, k, config, s->iso, { nv++; });
            if (config > 0 && config < 255)
              nt += cube_cases[config].n;
          }
      s->plane_vertices[k] = nv;
      s->layer_triangles[k] = nt;
    }
  return NULL;
}

/* Numbers the crossing edges of plane @k into @map (7 entries per point)
 * from vertex_offset[k], and writes their positions when @write. */
static void
fill_plane (Slab    *s,
            int      k,
            guint32 *map,
            gboolean write)
{
  const OpVolume *vol = s->vol;
  const int nx = vol->dims[0], ny = vol->dims[1], nz = vol->dims[2];
  const gsize sy = nx, sz = (gsize) nx * ny;
  guint64 id = s->vertex_offset[k];
  float *pos = s->mesh->positions;
  const double *m = vol->transform;

  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        gsize idx = k * sz + j * sy + i;
        int config = (i + 1 < nx && j + 1 < ny && k + 1 < nz) ? cube_config (vol->voxels, idx, sy, sz, s->iso) : -1;

        FOR_EACH_CROSSING (vol, idx, i, j, k, config, s->iso, {
          int di = mask & 1, dj = (mask >> 1) & 1, dk = (mask >> 2) & 1;

          map[((gsize) j * nx + i) * 7 + (mask - 1)] = (guint32) id;
          if (write)
            {
              double a = vol->voxels[idx];
              double b = vol->voxels[idx + di + dj * sy + dk * sz];
              double t = (s->iso - a) / (b - a);
              double p[3] = { i + t * di, j + t * dj, k + t * dk };

              for (int r = 0; r < 3; r++)
                pos[id * 3 + r] = (float) (m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
            }
          id++;
        });
      }
  g_assert (id == s->vertex_offset[k] + s->plane_vertices[k]);
}

static gpointer
fill_slab (gpointer data)
{
  Slab *s = data;
  const OpVolume *vol = s->vol;
  const int nx = vol->dims[0], ny = vol->dims[1], nz = vol->dims[2];
  const gsize sy = nx, sz = (gsize) nx * ny;
  g_autofree guint32 *lo = g_new (guint32, (gsize) nx * ny * 7);
  g_autofree guint32 *hi = g_new (guint32, (gsize) nx * ny * 7);
  guint32 *idx_out = s->mesh->indices;

  fill_plane (s, s->k0, lo, TRUE);
  for (int k = s->k0; k < s->k1; k++)
    {
      guint64 tri = s->triangle_offset[k];

      if (k + 1 < nz)
        fill_plane (s, k + 1, hi, k + 1 < s->k1);
      else
        break;

      for (int j = 0; j + 1 < ny; j++)
        for (int i = 0; i + 1 < nx; i++)
          {
            gsize idx = k * sz + j * sy + i;
            int config = cube_config (vol->voxels, idx, sy, sz, s->iso);
            const CubeCase *c;

            if (config == 0 || config == 255)
              continue;
            c = &cube_cases[config];
            for (int t = 0; t < c->n; t++)
              {
                for (int v = 0; v < 3; v++)
                  {
                    int corner = c->tri[t].corner[v];
                    int ci = i + (corner & 1), cj = j + ((corner >> 1) & 1);
                    const guint32 *map = (corner & 4) ? hi : lo;

                    idx_out[tri * 3 + v] = map[((gsize) cj * nx + ci) * 7 + (c->tri[t].mask[v] - 1)];
                  }
                tri++;
              }
          }
      g_assert (tri == s->triangle_offset[k] + s->layer_triangles[k]);
      {
        guint32 *tmp = lo;

        lo = hi;
        hi = tmp;
      }
    }
  return NULL;
}

static void
run_slabs (Slab     *slabs,
           guint     n,
           GThreadFunc func)
{
  g_autofree GThread **threads = g_new0 (GThread *, n);

  /* The calling thread takes the first slab itself. */
  for (guint t = 1; t < n; t++)
    threads[t] = g_thread_new ("op-marching", func, &slabs[t]);
  func (&slabs[0]);
  for (guint t = 1; t < n; t++)
    g_thread_join (threads[t]);
}

OpMesh *
op_volume_isosurface (const OpVolume     *volume,
                      double              threshold_raw,
                      const OpIsoOptions *options)
{
  static GOnce once = G_ONCE_INIT;
  guint n_threads = options && options->n_threads ? options->n_threads : 2;
  g_autofree guint64 *plane_vertices = NULL, *layer_triangles = NULL;
  g_autofree guint64 *vertex_offset = NULL, *triangle_offset = NULL;
  g_autofree Slab *slabs = NULL;
  guint64 nv = 0, nt = 0;
  int nz;
  OpMesh *mesh;

  g_return_val_if_fail (volume != NULL && volume->voxels != NULL, NULL);
  g_once (&once, build_cases, NULL);

  nz = volume->dims[2];
  n_threads = MIN (n_threads, (guint) nz);
  n_threads = MAX (n_threads, 1);
  plane_vertices = g_new0 (guint64, nz);
  layer_triangles = g_new0 (guint64, nz);
  vertex_offset = g_new0 (guint64, nz + 1);
  triangle_offset = g_new0 (guint64, nz + 1);
  slabs = g_new0 (Slab, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      slabs[t].vol = volume;
      slabs[t].iso = threshold_raw;
      slabs[t].k0 = (int) ((gint64) nz * t / n_threads);
      slabs[t].k1 = (int) ((gint64) nz * (t + 1) / n_threads);
      slabs[t].plane_vertices = plane_vertices;
      slabs[t].layer_triangles = layer_triangles;
      slabs[t].vertex_offset = vertex_offset;
      slabs[t].triangle_offset = triangle_offset;
    }
  run_slabs (slabs, n_threads, count_slab);

  for (int k = 0; k < nz; k++)
    {
      vertex_offset[k] = nv;
      triangle_offset[k] = nt;
      nv += plane_vertices[k];
      nt += layer_triangles[k];
    }
  if (nv >= G_MAXUINT32 || nt >= G_MAXUINT32 / 3)
    return NULL;

  mesh = op_mesh_new (nv, nt, OP_MESH_ATTR_NONE);
  if (nt == 0)
    {
      mesh->n_vertices = 0;
      op_mesh_compute_bounds (mesh);
      return mesh;
    }
  for (guint t = 0; t < n_threads; t++)
    slabs[t].mesh = mesh;
  run_slabs (slabs, n_threads, fill_slab);

  if (options && options->normals)
    op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
  return mesh;
}
