/* op-marching.c: marching cubes with a table of our own (op-marching-table.c).
 *
 * Vertices sit on lattice edges: from every grid point there are three,
 * towards +i, +j and +k.  The vertices of plane k are numbered locally:
 * first its in-plane (+i, +j) crossing edges in raster order, then its +k
 * crossing edges (towards plane k + 1) in raster order.  The in-plane part
 * of that numbering depends on plane k alone, so the thread working on the
 * cube layer below a plane it does not own can still name that plane's
 * vertices exactly as its owner does.
 *
 * One pass over the volume: each thread takes a slab of planes, thresholds
 * each plane once into bytes, skips eight cells at a time where all their
 * corners agree (most of a CT), and writes vertices and triangles into its
 * own buffers with plane-local indices (the top bit marks the plane above).
 * A prefix sum over the per-plane counts then gives every plane its place in
 * the mesh, and a second, cheap pass copies the buffers there and makes the
 * indices global.  Neither the numbering nor the order depends on how the
 * planes were split between threads.
 */
#include "op-marching.h"
#include "op-marching-private.h"

#include <math.h>
#include <string.h>

#define UPPER_BIT 0x80000000u

/* A growable array of 32-bit words (floats or indices) that the hot loops
 * write into without a function call per element. */
typedef struct {
  guint32 *data;
  gsize    len;
  gsize    cap;
} Buf;

static inline guint32 *
buf_reserve (Buf *b, gsize n)
{
  if (G_UNLIKELY (b->len + n > b->cap))
    {
      b->cap = MAX (b->cap * 2, b->len + n + 4096);
      b->data = g_renew (guint32, b->data, b->cap);
    }
  return b->data + b->len;
}

typedef struct {
  const OpVolume *vol;
  double          iso;
  int             thr;         /* inside iff voxel >= thr */
  int             k0, k1;      /* planes [k0, k1) */
  /* What this slab made, planes k0.. in order. */
  Buf             pos;         /* float, 3 per vertex */
  Buf             tri;         /* guint32, 3 per triangle, plane-local */
  /* Per plane (global arrays, each slab fills its own planes). */
  guint64        *plane_vertices;
  guint64        *layer_triangles;
  /* Assembly. */
  const guint64  *vertex_offset;
  const guint64  *triangle_offset;
  OpMesh         *mesh;
} Slab;

/* Per-plane working state of one slab. */
typedef struct {
  guint8  *in;       /* nx * ny: 1 when inside */
  guint32 *map[3];   /* nx * ny: local vertex id of the +i, +j, +k edge */
  guint32  n_ij;     /* in-plane vertices */
} Plane;

static inline guint64
load8 (const guint8 *p)
{
  guint64 w;

  memcpy (&w, p, 8);
  return w;
}

static void
threshold_plane (const Slab *s,
                 int         k,
                 guint8     *in)
{
  const OpVolume *vol = s->vol;
  const gsize n = (gsize) vol->dims[0] * vol->dims[1];
  const gint16 *v = vol->voxels + (gsize) k * n;
  const int thr = s->thr;

  /* A plain loop the compiler turns into vector compares. */
  for (gsize x = 0; x < n; x++)
    in[x] = v[x] >= thr;
}

static void
emit_vertex (Slab *s,
             int   i,
             int   j,
             int   k,
             int   axis)
{
  const OpVolume *vol = s->vol;
  const gsize sy = vol->dims[0], sz = (gsize) vol->dims[0] * vol->dims[1];
  const gsize step = axis == 0 ? 1 : axis == 1 ? sy : sz;
  const gsize idx = (gsize) k * sz + (gsize) j * sy + i;
  const double *m = vol->transform;
  double a = vol->voxels[idx], b = vol->voxels[idx + step];
  double t = (s->iso - a) / (b - a);
  double p[3] = { i, j, k };
  float *out = (float *) buf_reserve (&s->pos, 3);

  p[axis] += t;
  for (int r = 0; r < 3; r++)
    out[r] = (float) (m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
  s->pos.len += 3;
}

/* Numbers the in-plane crossing edges of plane @k into @pl's maps, and
 * writes their positions when @write (the slab owns the plane). */
static void
in_plane_pass (Slab    *s,
               int      k,
               Plane   *pl,
               gboolean write)
{
  const int nx = s->vol->dims[0], ny = s->vol->dims[1];
  guint32 id = 0;

  for (int j = 0; j < ny; j++)
    {
      const guint8 *a = pl->in + (gsize) j * nx;
      const guint8 *b = j + 1 < ny ? a + nx : NULL;
      guint32 *mi = pl->map[0] + (gsize) j * nx, *mj = pl->map[1] + (gsize) j * nx;
      int i = 0;

      while (i < nx)
        {
          /* Eight points whose +i and +j neighbours all agree with them
           * start no crossing edge. */
          if (i + 9 <= nx)
            {
              guint64 w = load8 (a + i);

              if (w == load8 (a + i + 1) && (b == NULL || w == load8 (b + i)))
                {
                  i += 8;
                  continue;
                }
            }
          if (i + 1 < nx && a[i] != a[i + 1])
            {
              mi[i] = id++;
              if (write)
                emit_vertex (s, i, j, k, 0);
            }
          if (b != NULL && a[i] != b[i])
            {
              mj[i] = id++;
              if (write)
                emit_vertex (s, i, j, k, 1);
            }
          i++;
        }
    }
  pl->n_ij = id;
}

/* Numbers and writes the +k crossing edges from plane @k (in @lo) to the
 * next (in @hi), after the plane's in-plane vertices. */
static guint32
k_edge_pass (Slab        *s,
             int          k,
             Plane       *lo,
             const Plane *hi)
{
  const int nx = s->vol->dims[0], ny = s->vol->dims[1];
  const gsize n = (gsize) nx * ny;
  guint32 id = lo->n_ij;
  gsize x = 0;

  while (x < n)
    {
      if (x + 8 <= n && load8 (lo->in + x) == load8 (hi->in + x))
        {
          x += 8;
          continue;
        }
      if (lo->in[x] != hi->in[x])
        {
          lo->map[2][x] = id++;
          emit_vertex (s, (int) (x % nx), (int) (x / nx), k, 2);
        }
      x++;
    }
  return id - lo->n_ij;
}

/* Where each cube edge finds its vertex: which map (0-2 of the plane
 * below, 3-4 the +i and +j maps of the plane above) and the offset of its
 * start point from the cube's corner 0. */
typedef struct {
  guint8 map;
  guint8 di, dj;
} EdgeRef;

static EdgeRef edge_refs[12];

static gpointer
build_edge_refs (gpointer data)
{
  for (int e = 0; e < 12; e++)
    {
      int c = op__mc_edge_corner (e), axis = op__mc_edge_axis (e);

      edge_refs[e].di = c & 1;
      edge_refs[e].dj = (c >> 1) & 1;
      edge_refs[e].map = (c & 4) ? 3 + axis : axis;
    }
  return NULL;
}

static guint64
cube_layer (Slab        *s,
            const Plane *lo,
            const Plane *hi)
{
  const OpMcCase *cases = op__mc_cases ();
  const int nx = s->vol->dims[0], ny = s->vol->dims[1];
  const guint32 *maps[5] = { lo->map[0], lo->map[1], lo->map[2], hi->map[0], hi->map[1] };
  const guint32 upper[5] = { 0, 0, 0, UPPER_BIT, UPPER_BIT };
  guint64 n_tri = 0;

  for (int j = 0; j + 1 < ny; j++)
    {
      const guint8 *a0 = lo->in + (gsize) j * nx, *a1 = a0 + nx;
      const guint8 *b0 = hi->in + (gsize) j * nx, *b1 = b0 + nx;
      int i = 0;

      while (i + 1 < nx)
        {
          if (i + 9 <= nx)
            {
              guint64 w = load8 (a0 + i);

              if (w == load8 (a0 + i + 1) && w == load8 (a1 + i) && w == load8 (a1 + i + 1) &&
                  w == load8 (b0 + i) && w == load8 (b0 + i + 1) && w == load8 (b1 + i) &&
                  w == load8 (b1 + i + 1))
                {
                  i += 8;
                  continue;
                }
            }
          {
            int config = a0[i] | a0[i + 1] << 1 | a1[i] << 2 | a1[i + 1] << 3 |
                         b0[i] << 4 | b0[i + 1] << 5 | b1[i] << 6 | b1[i + 1] << 7;
            const OpMcCase *c = &cases[config];
            guint32 *out = buf_reserve (&s->tri, OP_MC_MAX_TRIANGLES * 3);

            for (int t = 0; t < c->n_triangles * 3; t++)
              {
                const EdgeRef *r = &edge_refs[c->edges[t]];

                out[t] = maps[r->map][(gsize) (j + r->dj) * nx + i + r->di] | upper[r->map];
              }
            s->tri.len += c->n_triangles * 3;
            n_tri += c->n_triangles;
          }
          i++;
        }
    }
  return n_tri;
}

static void
plane_init (Plane *pl, gsize n)
{
  pl->in = g_new (guint8, n);
  for (int m = 0; m < 3; m++)
    pl->map[m] = g_new (guint32, n);
  pl->n_ij = 0;
}

static void
plane_clear (Plane *pl)
{
  g_free (pl->in);
  for (int m = 0; m < 3; m++)
    g_free (pl->map[m]);
}

static gpointer
extract_slab (gpointer data)
{
  Slab *s = data;
  const int nz = s->vol->dims[2];
  const gsize n = (gsize) s->vol->dims[0] * s->vol->dims[1];
  Plane planes[2], *lo = &planes[0], *hi = &planes[1];

  plane_init (lo, n);
  plane_init (hi, n);
  threshold_plane (s, s->k0, lo->in);
  in_plane_pass (s, s->k0, lo, TRUE);
  for (int k = s->k0; k < s->k1; k++)
    {
      if (k + 1 < nz)
        {
          Plane *tmp;
          guint32 n_k;

          threshold_plane (s, k + 1, hi->in);
          n_k = k_edge_pass (s, k, lo, hi);
          in_plane_pass (s, k + 1, hi, k + 1 < s->k1);
          s->layer_triangles[k] = cube_layer (s, lo, hi);
          s->plane_vertices[k] = (guint64) lo->n_ij + n_k;
          tmp = lo, lo = hi, hi = tmp;
        }
      else
        s->plane_vertices[k] = lo->n_ij;
    }
  plane_clear (&planes[0]);
  plane_clear (&planes[1]);
  return NULL;
}

static gpointer
assemble_slab (gpointer data)
{
  Slab *s = data;
  const int nz = s->vol->dims[2];
  const guint32 *src = s->tri.data;
  guint32 *dst = s->mesh->indices;

  if (s->pos.len > 0)
    memcpy (s->mesh->positions + s->vertex_offset[s->k0] * 3, s->pos.data, s->pos.len * sizeof (float));
  for (int k = s->k0; k < s->k1 && k + 1 < nz; k++)
    {
      guint64 lo = s->vertex_offset[k], hi = s->vertex_offset[k + 1];
      guint32 *out = dst + s->triangle_offset[k] * 3;

      for (guint64 x = 0; x < s->layer_triangles[k] * 3; x++)
        {
          guint32 v = *src++;

          out[x] = (guint32) ((v & UPPER_BIT) ? hi + (v & ~UPPER_BIT) : lo + v);
        }
    }
  return NULL;
}

static void
run_slabs (Slab        *slabs,
           guint        n,
           GThreadFunc  func)
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
  g_return_val_if_fail (!isnan (threshold_raw), NULL);
  g_once (&once, build_edge_refs, NULL);
  (void) op__mc_cases ();

  nz = volume->dims[2];
  if (volume->dims[0] < 2 || volume->dims[1] < 2 || nz < 2)
    {
      mesh = op_mesh_new (0, 0, OP_MESH_ATTR_NONE);
      op_mesh_compute_bounds (mesh);
      return mesh;
    }
  /* Local vertex ids of one plane must leave the top bit free. */
  if ((guint64) volume->dims[0] * volume->dims[1] * 3 >= UPPER_BIT)
    return NULL;

  n_threads = MIN (n_threads, (guint) nz);
  n_threads = MAX (n_threads, 1);
  plane_vertices = g_new0 (guint64, nz);
  layer_triangles = g_new0 (guint64, nz);
  vertex_offset = g_new0 (guint64, nz + 1);
  triangle_offset = g_new0 (guint64, nz + 1);
  slabs = g_new0 (Slab, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      Slab *s = &slabs[t];

      s->vol = volume;
      s->iso = threshold_raw;
      /* Voxels are integers: v >= iso exactly when v >= ceil (iso). */
      s->thr = (int) CLAMP (ceil (threshold_raw), G_MININT16, G_MAXINT16 + 1.0);
      s->k0 = (int) ((gint64) nz * t / n_threads);
      s->k1 = (int) ((gint64) nz * (t + 1) / n_threads);
      s->plane_vertices = plane_vertices;
      s->layer_triangles = layer_triangles;
      s->vertex_offset = vertex_offset;
      s->triangle_offset = triangle_offset;
    }
  run_slabs (slabs, n_threads, extract_slab);

  for (int k = 0; k < nz; k++)
    {
      vertex_offset[k] = nv;
      triangle_offset[k] = nt;
      nv += plane_vertices[k];
      nt += layer_triangles[k];
    }
  vertex_offset[nz] = nv;
  triangle_offset[nz] = nt;

  mesh = NULL;
  if (nv < G_MAXUINT32 && nt < G_MAXUINT32 / 3)
    {
      mesh = op_mesh_new (nv, nt, OP_MESH_ATTR_NONE);
      for (guint t = 0; t < n_threads; t++)
        slabs[t].mesh = mesh;
      if (nt > 0)
        run_slabs (slabs, n_threads, assemble_slab);
      else
        mesh->n_vertices = 0;
    }
  for (guint t = 0; t < n_threads; t++)
    {
      g_free (slabs[t].pos.data);
      g_free (slabs[t].tri.data);
    }
  if (mesh == NULL)
    return NULL;

  if (options && options->normals && nt > 0)
    op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
  return mesh;
}
