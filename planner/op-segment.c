/* op-segment.c: orientation, arch curve, tooth spans, numbering, labels.
 *
 * The method, and why:
 *  1. Orientation.  An arch is a flat horseshoe: the least principal axis
 *     of its surface is the occlusal direction up to sign.  The sign comes
 *     from what lies at the bottom: the open border of an intraoral scan,
 *     or the flat trimmed base of a cast.  Seen from above, the crowns
 *     surround the arch centre except at the back: the widest empty angle
 *     gives the posterior direction, hence the midline.  Nothing here uses
 *     the scanner's axes.
 *  2. Arch curve.  In polar form around that centre, the median radius of
 *     the crown tops per angle is the arch curve; every vertex gets its
 *     arc length s from the midline and its offset from the curve.
 *  3. Teeth against gingiva.  The gum line is a concave crease.  Labels
 *     grow from seeds (the tops of the crowns; the low and far-off
 *     gingiva) over the mesh graph in a shortest-path competition whose
 *     edge costs rise steeply on concave edges, so fronts meet on the
 *     creases: a geodesic watershed that needs no threshold on height.
 *  4. Teeth apart.  The tooth area per millimetre of arch shows each
 *     crown as a hump, with valleys at contacts and empty stretches at
 *     gaps; spans between valleys, checked against tooth widths, are the
 *     teeth.  A second competition, one seed set per span, puts the
 *     tooth-tooth boundaries on the interproximal creases rather than on
 *     straight cuts, which matters for rotated and crowded teeth.
 *  5. Numbers.  Walking out from the midline on each side, a gap wide
 *     enough for the next expected tooth skips its number; upper and lower
 *     are told apart by how well the spans fit each arch's tooth widths
 *     (upper incisors are far wider), unless the caller gives a hint.
 */
#include "op-segment-private.h"

#include <math.h>
#include <string.h>

#include "op-linalg.h"

G_DEFINE_QUARK (op-segment-error-quark, op_segment_error)

/* Mean mesio-distal crown widths (mm) by tooth type 1..8. */
static const float width_upper[9] = { 0, 8.6f, 6.6f, 7.6f, 7.0f, 6.6f, 10.2f, 9.2f, 8.6f };
static const float width_lower[9] = { 0, 5.4f, 5.9f, 6.9f, 7.0f, 7.1f, 11.2f, 10.5f, 10.0f };

#define TOP_BAND_MM    5.0f   /* the crown tops used for orientation */
#define GUM_SEED_DEPTH 11.5f  /* below the tops: surely gingiva or base */
#define GUM_SEED_RHO   7.5f   /* off the arch curve: surely gingiva */
#define BIN_MM         0.25f  /* arch profile resolution */
/* Crease vertices (contacts, margins) do not count in the profile. */
#define CREASE_KAPPA_SPLIT 0.25f
/* A contact narrows the crowns' extent to this share of both sides. */
#define VALLEY_RATIO 0.86f

static inline float
dot3 (const float a[3], const float b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void
cross3 (const float a[3], const float b[3], float out[3])
{
  float r[3] = { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
  memcpy (out, r, sizeof r);
}

static inline void
normalize3 (float v[3])
{
  float l = sqrtf (dot3 (v, v));
  if (l > 0)
    for (int k = 0; k < 3; k++)
      v[k] /= l;
}

static gboolean
cancelled (const OpSegCtx *ctx,
           GError        **error)
{
  if (ctx->cancel && g_atomic_int_get (ctx->cancel))
    {
      g_set_error_literal (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_CANCELLED, "segmentation: cancelled");
      return TRUE;
    }
  return FALSE;
}

float
op_segment_suggest_scale (const OpMesh *mesh)
{
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT }, d;

  g_return_val_if_fail (mesh != NULL, 1.f);
  if (mesh->n_vertices == 0)
    return 1.f;
  for (gsize v = 0; v < mesh->n_vertices; v++)
    for (int k = 0; k < 3; k++)
      {
        lo[k] = MIN (lo[k], mesh->positions[3 * v + k]);
        hi[k] = MAX (hi[k], mesh->positions[3 * v + k]);
      }
  d = sqrtf ((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) + (hi[2] - lo[2]) * (hi[2] - lo[2]));
  /* A dental arch is 40-110 mm across; the same arch in metres is
   * 0.04-0.11.  Nothing dental is 10 cm long in metres or 0.3 mm long in
   * millimetres, so the two ranges cannot be confused. */
  return d > 0.01f && d < 0.3f ? 1000.f : 1.f;
}

/* ---- mesh graph, normals, areas, curvature ------------------------------ */

static void
build_graph (OpSegCtx *ctx)
{
  const OpMesh *m = ctx->mesh;
  gsize nv = ctx->nv;
  g_autofree guint32 *count = g_new0 (guint32, nv + 1);
  g_autofree guint32 *fill = NULL;

  ctx->normals = g_new0 (float, 3 * nv);
  ctx->varea = g_new0 (float, nv);
  for (gsize f = 0; f < m->n_triangles; f++)
    {
      const guint32 *t = &m->indices[3 * f];
      const float *a = &m->positions[3 * t[0]], *b = &m->positions[3 * t[1]], *c = &m->positions[3 * t[2]];
      float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] }, n[3];
      float area;

      cross3 (e1, e2, n);
      area = 0.5f * sqrtf (dot3 (n, n));
      for (int k = 0; k < 3; k++)
        {
          ctx->varea[t[k]] += area / 3.f;
          for (int c3 = 0; c3 < 3; c3++)
            ctx->normals[3 * t[k] + c3] += n[c3];   /* area weighted */
          count[t[k]] += 2;
        }
    }
  for (gsize v = 0; v < nv; v++)
    normalize3 (&ctx->normals[3 * v]);

  /* Each triangle gives each corner two neighbours; duplicates are kept
   * (an edge shared by two triangles appears twice), which only doubles
   * its weight in the averages below and costs nothing in the searches. */
  ctx->adj_start = g_new (guint32, nv + 1);
  ctx->adj_start[0] = 0;
  for (gsize v = 0; v < nv; v++)
    ctx->adj_start[v + 1] = ctx->adj_start[v] + count[v];
  ctx->adj = g_new (guint32, ctx->adj_start[nv]);
  fill = g_memdup2 (ctx->adj_start, sizeof (guint32) * nv);
  for (gsize f = 0; f < m->n_triangles; f++)
    {
      const guint32 *t = &m->indices[3 * f];
      for (int k = 0; k < 3; k++)
        {
          ctx->adj[fill[t[k]]++] = t[(k + 1) % 3];
          ctx->adj[fill[t[k]]++] = t[(k + 2) % 3];
        }
    }
}

typedef struct {
  OpSegCtx *ctx;
  float    *in;
  float    *out;
  gsize     v0, v1;
} CurvJob;

/* Mean curvature from how normals turn along edges: (n_j - n_i).(p_j -
 * p_i) / |p_j - p_i|^2 is the normal curvature along the edge; its mean
 * over the one-ring estimates the mean curvature, negative in creases. */
static gpointer
curvature_job (gpointer data)
{
  CurvJob *job = data;
  OpSegCtx *ctx = job->ctx;
  const float *p = ctx->mesh->positions, *n = ctx->normals;

  for (gsize v = job->v0; v < job->v1; v++)
    {
      double sum = 0;
      guint cnt = 0;
      for (guint32 e = ctx->adj_start[v]; e < ctx->adj_start[v + 1]; e++)
        {
          guint32 u = ctx->adj[e];
          float d[3] = { p[3 * u] - p[3 * v], p[3 * u + 1] - p[3 * v + 1], p[3 * u + 2] - p[3 * v + 2] };
          float dn[3] = { n[3 * u] - n[3 * v], n[3 * u + 1] - n[3 * v + 1], n[3 * u + 2] - n[3 * v + 2] };
          float l2 = dot3 (d, d);
          if (l2 <= 1e-12f)
            continue;
          sum += dot3 (dn, d) / l2;
          cnt++;
        }
      ctx->kappa[v] = cnt ? (float) (sum / cnt) : 0.f;
    }
  return NULL;
}

static gpointer
smooth_job (gpointer data)
{
  CurvJob *job = data;
  OpSegCtx *ctx = job->ctx;

  for (gsize v = job->v0; v < job->v1; v++)
    {
      double sum = job->in[v];
      guint cnt = 1;
      for (guint32 e = ctx->adj_start[v]; e < ctx->adj_start[v + 1]; e++)
        {
          sum += job->in[ctx->adj[e]];
          cnt++;
        }
      job->out[v] = (float) (sum / cnt);
    }
  return NULL;
}

/* Runs @func over the vertices on ctx->n_threads threads.  Each thread
 * writes only its own range, so the result does not depend on timing. */
static void
run_parallel (OpSegCtx    *ctx,
              GThreadFunc  func,
              float       *in,
              float       *out)
{
  guint nt = MAX (1, MIN (ctx->n_threads, 16));
  CurvJob jobs[16];
  GThread *threads[16] = { 0 };

  for (guint i = 0; i < nt; i++)
    {
      jobs[i] = (CurvJob) { ctx, in, out, ctx->nv * i / nt, ctx->nv * (i + 1) / nt };
      if (i > 0)
        threads[i] = g_thread_new ("op-segment", func, &jobs[i]);
    }
  func (&jobs[0]);
  for (guint i = 1; i < nt; i++)
    g_thread_join (threads[i]);
}

static void
compute_curvature (OpSegCtx *ctx)
{
  g_autofree float *tmp = g_new (float, ctx->nv);

  ctx->kappa = g_new0 (float, ctx->nv);
  run_parallel (ctx, curvature_job, NULL, NULL);
  /* Two smoothing passes damp scanner noise (a few hundredths of a mm)
   * while keeping creases a few tenths of a mm wide. */
  for (int pass = 0; pass < 2; pass++)
    {
      run_parallel (ctx, smooth_job, ctx->kappa, tmp);
      memcpy (ctx->kappa, tmp, ctx->nv * sizeof (float));
    }
}

/* ---- orientation ------------------------------------------------------- */

static int
cmp_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

static float
percentile (const float *values,
            gsize        n,
            double       q)
{
  g_autofree float *copy = g_memdup2 (values, n * sizeof (float));

  qsort (copy, n, sizeof (float), cmp_float);
  return copy[(gsize) MIN ((double) (n - 1), q * (double) (n - 1))];
}

static gboolean
find_orientation (OpSegCtx *ctx,
                  GError  **error)
{
  const OpMesh *m = ctx->mesh;
  double mean[3] = { 0 }, cov[3][3] = { { 0 } }, total = 0, values[3], vec[3][3];
  float e[3][3], ext[3], lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  double bsum = 0, blen = 0, up_area = 0, down_area = 0;

  for (gsize v = 0; v < ctx->nv; v++)
    {
      total += ctx->varea[v];
      for (int k = 0; k < 3; k++)
        mean[k] += ctx->varea[v] * m->positions[3 * v + k];
    }
  for (int k = 0; k < 3; k++)
    mean[k] /= total;
  for (gsize v = 0; v < ctx->nv; v++)
    {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = m->positions[3 * v + k] - mean[k];
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          cov[r][c] += ctx->varea[v] * d[r] * d[c];
    }
  op_sym3_eigen (cov, values, vec);
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 3; k++)
      e[i][k] = (float) vec[i][k];
  for (gsize v = 0; v < ctx->nv; v++)
    for (int i = 0; i < 3; i++)
      {
        float x = dot3 (&m->positions[3 * v], e[i]);
        lo[i] = MIN (lo[i], x);
        hi[i] = MAX (hi[i], x);
      }
  for (int i = 0; i < 3; i++)
    ext[i] = hi[i] - lo[i];

  if (ext[0] < 30.f)
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_SINGLE_TOOTH,
                   "segmentation: the scan is only %.1f x %.1f x %.1f mm, the size of a single tooth, "
                   "not of an arch (40-110 mm across)", ext[0], ext[1], ext[2]);
      return FALSE;
    }
  if (ext[2] < 4.f)
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_FLAT,
                   "segmentation: the scan is flat (%.1f x %.1f mm but only %.1f mm thick): no teeth stand out",
                   ext[0], ext[1], ext[2]);
      return FALSE;
    }
  if (ext[0] > 160.f)
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NOT_A_JAW,
                   "segmentation: the scan is %.0f mm across, larger than any dental arch "
                   "(is it in tenths of a millimetre, or a whole skull?)", ext[0]);
      return FALSE;
    }
  /* A jaw is far flatter in one direction than in the other two; a ball
   * or a cube is not. */
  if (values[2] > 0.55 * values[1])
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NOT_A_JAW,
                   "segmentation: the shape has no flat side (extents %.0f x %.0f x %.0f mm): "
                   "it is not a dental arch", ext[0], ext[1], ext[2]);
      return FALSE;
    }
  memcpy (ctx->occ, e[2], sizeof ctx->occ);

  /* Sign of the occlusal axis: the open border of an intraoral scan, or
   * the flat base of a cast, is at the bottom. */
  {
    const guint32 *idx = m->indices;
    g_autoptr(GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
    g_autofree gint64 *keys = g_new (gint64, 3 * m->n_triangles);
    double hmean = 0;

    for (gsize f = 0; f < 3 * m->n_triangles; f++)
      {
        guint32 a = idx[f], b = idx[f - f % 3 + (f % 3 + 1) % 3];
        keys[f] = ((gint64) MIN (a, b) << 32) | MAX (a, b);
        g_hash_table_insert (edges, &keys[f],
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (edges, &keys[f])) + 1));
      }
    for (gsize v = 0; v < ctx->nv; v++)
      hmean += ctx->varea[v] * dot3 (&m->positions[3 * v], ctx->occ);
    hmean /= total;
    for (gsize f = 0; f < 3 * m->n_triangles; f++)
      if (GPOINTER_TO_UINT (g_hash_table_lookup (edges, &keys[f])) == 1)
        {
          guint32 a = (guint32) (keys[f] >> 32), b = (guint32) (keys[f] & 0xffffffff);
          const float *pa = &m->positions[3 * a], *pb = &m->positions[3 * b];
          float d[3] = { pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2] }, l = sqrtf (dot3 (d, d));
          blen += l;
          bsum += l * (0.5 * (dot3 (pa, ctx->occ) + dot3 (pb, ctx->occ)) - hmean);
        }
    for (gsize f = 0; f < m->n_triangles; f++)
      {
        const guint32 *t = &idx[3 * f];
        const float *a = &m->positions[3 * t[0]], *b = &m->positions[3 * t[1]], *c = &m->positions[3 * t[2]];
        float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] }, n[3];
        float area, cz;
        cross3 (e1, e2, n);
        area = 0.5f * sqrtf (dot3 (n, n));
        if (area <= 0)
          continue;
        cz = dot3 (n, ctx->occ) / (2 * area);
        if (cz > 0.97f)
          up_area += area;
        else if (cz < -0.97f)
          down_area += area;
      }
    if (blen > 20.0)
      {
        if (bsum > 0)   /* the border is above the middle: flip */
          for (int k = 0; k < 3; k++)
            ctx->occ[k] = -ctx->occ[k];
      }
    else if (up_area > down_area)
      for (int k = 0; k < 3; k++)
        ctx->occ[k] = -ctx->occ[k];
  }

  ctx->h = g_new (float, ctx->nv);
  for (gsize v = 0; v < ctx->nv; v++)
    ctx->h[v] = dot3 (&m->positions[3 * v], ctx->occ);
  ctx->h_top = percentile (ctx->h, ctx->nv, 0.998);

  /* The posterior opening: around the centre of the crown tops, the
   * widest run of empty angles. */
  {
    float u[3], w[3], c2[2] = { 0, 0 };
    double cw = 0;
    int occupied[72] = { 0 }, best_len = 0, best_start = 0;

    memcpy (u, e[0], sizeof u);
    cross3 (ctx->occ, u, w);
    for (gsize v = 0; v < ctx->nv; v++)
      if (ctx->h[v] > ctx->h_top - TOP_BAND_MM)
        {
          c2[0] += ctx->varea[v] * dot3 (&m->positions[3 * v], u);
          c2[1] += ctx->varea[v] * dot3 (&m->positions[3 * v], w);
          cw += ctx->varea[v];
        }
    c2[0] /= cw;
    c2[1] /= cw;
    for (gsize v = 0; v < ctx->nv; v++)
      if (ctx->h[v] > ctx->h_top - TOP_BAND_MM)
        {
          float x = dot3 (&m->positions[3 * v], u) - c2[0], y = dot3 (&m->positions[3 * v], w) - c2[1];
          int b = (int) floorf ((atan2f (y, x) + (float) G_PI) / (float) (2 * G_PI) * 72.f);
          occupied[CLAMP (b, 0, 71)]++;
        }
    for (int start = 0; start < 72; start++)
      {
        int len = 0;
        while (len < 72 && occupied[(start + len) % 72] == 0)
          len++;
        if (len > best_len)
          {
            best_len = len;
            best_start = start;
          }
      }
    if (best_len < 6)
      {
        g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NOT_A_JAW,
                     "segmentation: seen from above, the tops of the shape close all around: "
                     "no horseshoe of teeth, so it is not a dental arch");
        return FALSE;
      }
    {
      float ang = ((best_start + best_len * 0.5f) / 72.f) * (float) (2 * G_PI) - (float) G_PI;
      for (int k = 0; k < 3; k++)
        {
          float post = cosf (ang) * u[k] + sinf (ang) * w[k];
          ctx->ant[k] = -post;
          ctx->centre[k] = c2[0] * u[k] + c2[1] * w[k];
        }
      /* Move the centre back along the midline to 30 % of the arch depth
       * from the last teeth: from there, rays meet the incisors and the
       * molar segments alike at nearly right angles, which keeps the
       * polar arch parametrisation below well conditioned.  It is put at
       * the height of the crowns, for the frames. */
      {
        float amin = G_MAXFLOAT, amax = -G_MAXFLOAT, c0 = dot3 (ctx->centre, ctx->ant);
        for (gsize v = 0; v < ctx->nv; v++)
          if (ctx->h[v] > ctx->h_top - TOP_BAND_MM)
            {
              float a = dot3 (&m->positions[3 * v], ctx->ant);
              amin = MIN (amin, a);
              amax = MAX (amax, a);
            }
        for (int k = 0; k < 3; k++)
          ctx->centre[k] += (amin + 0.3f * (amax - amin) - c0) * ctx->ant[k] + (ctx->h_top - 3.f) * ctx->occ[k];
      }
      cross3 (ctx->ant, ctx->occ, ctx->side);   /* = posterior x occlusal */
      for (int k = 0; k < 3; k++)
        ctx->side[k] = -ctx->side[k];
      normalize3 (ctx->side);
    }
  }
  return TRUE;
}

/* ---- arch curve -------------------------------------------------------- */

static void
vertex_polar (const OpSegCtx *ctx,
              const float    *p,
              float          *theta,
              float          *radius)
{
  float d[3] = { p[0] - ctx->centre[0], p[1] - ctx->centre[1], p[2] - ctx->centre[2] };
  float x = dot3 (d, ctx->ant), y = dot3 (d, ctx->side);

  *theta = atan2f (y, x);
  *radius = sqrtf (x * x + y * y);
}

static inline float
bin_of (float theta)
{
  return (theta + (float) G_PI) / (float) (2 * G_PI) * OP__ARCH_BINS - 0.5f;
}

static float
interp_bins (const float *table,
             float        theta)
{
  float b = bin_of (theta);
  int b0 = (int) floorf (b);
  float t = b - b0;
  int i0 = CLAMP (b0, 0, OP__ARCH_BINS - 1), i1 = CLAMP (b0 + 1, 0, OP__ARCH_BINS - 1);

  return table[i0] * (1 - t) + table[i1] * t;
}

static void
fit_arch (OpSegCtx *ctx)
{
  const float *pos = ctx->mesh->positions;
  GArray *per_bin[OP__ARCH_BINS / 4];
  float r4[OP__ARCH_BINS / 4];
  gboolean valid[OP__ARCH_BINS / 4];
  int mid = OP__ARCH_BINS / 2;

  /* Radius per 2-degree sector from the crown tops (median: robust to
   * the lingual and buccal cusps and to stray gingiva). */
  for (int b = 0; b < OP__ARCH_BINS / 4; b++)
    per_bin[b] = g_array_new (FALSE, FALSE, sizeof (float));
  for (gsize v = 0; v < ctx->nv; v++)
    if (ctx->h[v] > ctx->h_top - 3.f)
      {
        float th, r;
        int b;
        vertex_polar (ctx, &pos[3 * v], &th, &r);
        b = CLAMP ((int) ((th + G_PI) / (2 * G_PI) * (OP__ARCH_BINS / 4)), 0, OP__ARCH_BINS / 4 - 1);
        g_array_append_val (per_bin[b], r);
      }
  for (int b = 0; b < OP__ARCH_BINS / 4; b++)
    {
      valid[b] = per_bin[b]->len >= 3;
      r4[b] = valid[b] ? percentile ((float *) per_bin[b]->data, per_bin[b]->len, 0.5) : 0.f;
      g_array_unref (per_bin[b]);
    }
  /* Empty sectors (gaps, the posterior opening) take the nearest valid
   * radius, searching outwards from the midline so that each arm keeps
   * its own. */
  for (int b = OP__ARCH_BINS / 8; b < OP__ARCH_BINS / 4; b++)
    if (!valid[b] && b > 0 && (valid[b - 1] || r4[b - 1] > 0))
      r4[b] = r4[b - 1];
  for (int b = OP__ARCH_BINS / 8 - 1; b >= 0; b--)
    if (!valid[b] && b + 1 < OP__ARCH_BINS / 4 && r4[b + 1] > 0)
      r4[b] = r4[b + 1];
  for (int b = OP__ARCH_BINS / 8 - 1; b >= 0; b--)
    if (r4[b] == 0 && r4[b + 1] > 0)
      r4[b] = r4[b + 1];
  for (int b = OP__ARCH_BINS / 8; b < OP__ARCH_BINS / 4; b++)
    if (r4[b] == 0 && r4[b - 1] > 0)
      r4[b] = r4[b - 1];

  /* Smooth over +-4 sectors (8 degrees) and resample to half degrees. */
  for (int b = 0; b < OP__ARCH_BINS; b++)
    {
      double sum = 0, wsum = 0;
      int c = b / 4;
      for (int d = -4; d <= 4; d++)
        {
          int i = c + d;
          if (i < 0 || i >= OP__ARCH_BINS / 4)
            continue;
          sum += r4[i] * (5 - ABS (d));
          wsum += 5 - ABS (d);
        }
      ctx->arch_r[b] = (float) (sum / wsum);
    }
  /* Arc length from the midline (bin mid), signed towards ctx->side. */
  {
    float dth = (float) (2 * G_PI) / OP__ARCH_BINS;
    ctx->arch_s[mid] = 0.5f * dth * ctx->arch_r[mid];
    ctx->arch_s[mid - 1] = -0.5f * dth * ctx->arch_r[mid - 1];
    for (int b = mid + 1; b < OP__ARCH_BINS; b++)
      {
        float dr = ctx->arch_r[b] - ctx->arch_r[b - 1], r = 0.5f * (ctx->arch_r[b] + ctx->arch_r[b - 1]);
        ctx->arch_s[b] = ctx->arch_s[b - 1] + sqrtf (r * r * dth * dth + dr * dr);
      }
    for (int b = mid - 2; b >= 0; b--)
      {
        float dr = ctx->arch_r[b] - ctx->arch_r[b + 1], r = 0.5f * (ctx->arch_r[b] + ctx->arch_r[b + 1]);
        ctx->arch_s[b] = ctx->arch_s[b + 1] - sqrtf (r * r * dth * dth + dr * dr);
      }
  }

  ctx->s = g_new (float, ctx->nv);
  ctx->rho = g_new (float, ctx->nv);
  for (gsize v = 0; v < ctx->nv; v++)
    {
      float th, r;
      vertex_polar (ctx, &pos[3 * v], &th, &r);
      ctx->s[v] = interp_bins (ctx->arch_s, th);
      ctx->rho[v] = r - interp_bins (ctx->arch_r, th);
    }
}

void
op__seg_arch_point (const OpSegCtx *ctx,
                    float           s,
                    float           point[3],
                    float           tangent[3])
{
  int b = 0;
  float th, r, t, p1[3];

  while (b + 1 < OP__ARCH_BINS && ctx->arch_s[b + 1] < s)
    b++;
  t = b + 1 < OP__ARCH_BINS && ctx->arch_s[b + 1] > ctx->arch_s[b]
    ? CLAMP ((s - ctx->arch_s[b]) / (ctx->arch_s[b + 1] - ctx->arch_s[b]), 0.f, 1.f) : 0.f;
  th = ((b + 0.5f + t) / OP__ARCH_BINS) * (float) (2 * G_PI) - (float) G_PI;
  r = interp_bins (ctx->arch_r, th);
  for (int k = 0; k < 3; k++)
    point[k] = ctx->centre[k] + r * (cosf (th) * ctx->ant[k] + sinf (th) * ctx->side[k]);
  th += 0.02f;
  r = interp_bins (ctx->arch_r, th);
  for (int k = 0; k < 3; k++)
    {
      p1[k] = ctx->centre[k] + r * (cosf (th) * ctx->ant[k] + sinf (th) * ctx->side[k]);
      tangent[k] = p1[k] - point[k];
    }
  normalize3 (tangent);
}

/* ---- label growing ----------------------------------------------------- */

typedef struct {
  float   d;
  guint32 v;
} HeapItem;

static inline gboolean
heap_less (const HeapItem *a, const HeapItem *b)
{
  return a->d < b->d || (a->d == b->d && a->v < b->v);
}

static void
heap_push (GArray *heap, HeapItem it)
{
  guint i;
  HeapItem *h;

  g_array_append_val (heap, it);
  h = (HeapItem *) heap->data;
  for (i = heap->len - 1; i > 0;)
    {
      guint p = (i - 1) / 2;
      if (!heap_less (&h[i], &h[p]))
        break;
      HeapItem t = h[i]; h[i] = h[p]; h[p] = t;
      i = p;
    }
}

static HeapItem
heap_pop (GArray *heap)
{
  HeapItem *h = (HeapItem *) heap->data, top = h[0];
  guint n = heap->len - 1, i = 0;

  h[0] = h[n];
  g_array_set_size (heap, n);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && heap_less (&h[l], &h[m]))
        m = l;
      if (r < n && heap_less (&h[r], &h[m]))
        m = r;
      if (m == i)
        break;
      HeapItem t = h[i]; h[i] = h[m]; h[m] = t;
      i = m;
    }
  return top;
}

/* Multi-source shortest paths: every vertex takes the label of the seed
 * that reaches it most cheaply.  Crossing a concave edge costs up to
 * CREASE_COST times its length, so competing fronts stop on creases.
 * @labels: seeds >= 0, others -1 on entry; unreachable vertices end as 0. */
#define CREASE_COST   40.f
#define CREASE_KAPPA  0.08f   /* 1/mm: flatter than this costs nothing extra */
#define CREASE_SCALE  0.6f    /* 1/mm: where the extra cost saturates */

static void
grow_labels (const OpSegCtx *ctx,
             gint32         *labels)
{
  const float *p = ctx->mesh->positions;
  g_autofree float *dist = g_new (float, ctx->nv);
  g_autofree float *pen = g_new (float, ctx->nv);
  g_autoptr(GArray) heap = g_array_sized_new (FALSE, FALSE, sizeof (HeapItem), 1024);

  for (gsize v = 0; v < ctx->nv; v++)
    {
      float c = MAX (0.f, -ctx->kappa[v] - CREASE_KAPPA) / CREASE_SCALE;
      pen[v] = CREASE_COST * MIN (1.f, c * c);
      dist[v] = labels[v] >= 0 ? 0.f : G_MAXFLOAT;
      if (labels[v] >= 0)
        heap_push (heap, (HeapItem) { 0.f, (guint32) v });
    }
  while (heap->len > 0)
    {
      HeapItem it = heap_pop (heap);
      guint32 v = it.v;
      if (it.d > dist[v])
        continue;
      for (guint32 e = ctx->adj_start[v]; e < ctx->adj_start[v + 1]; e++)
        {
          guint32 u = ctx->adj[e];
          float d[3] = { p[3 * u] - p[3 * v], p[3 * u + 1] - p[3 * v + 1], p[3 * u + 2] - p[3 * v + 2] };
          float nd = it.d + sqrtf (dot3 (d, d)) * (1.f + 0.5f * (pen[u] + pen[v]));
          if (nd < dist[u])
            {
              dist[u] = nd;
              labels[u] = labels[v];
              heap_push (heap, (HeapItem) { nd, u });
            }
        }
    }
  for (gsize v = 0; v < ctx->nv; v++)
    if (labels[v] < 0)
      labels[v] = 0;
}

static void
gum_seeds (const OpSegCtx *ctx,
           gint32         *labels)
{
  for (gsize v = 0; v < ctx->nv; v++)
    if (ctx->h[v] < ctx->h_top - GUM_SEED_DEPTH || ABS (ctx->rho[v]) > GUM_SEED_RHO)
      labels[v] = 0;
}

/* ---- spans along the arch ---------------------------------------------- */

typedef struct {
  float s0, s1;
} Span;

static GArray *
find_spans (const OpSegCtx *ctx,
            const gint32   *tooth_mask,
            float           smin,
            float           smax)
{
  int nb = (int) ceilf ((smax - smin) / BIN_MM) + 1;
  g_autofree float *area = g_new0 (float, nb);
  g_autofree float *sm = g_new0 (float, nb);
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));

  /* The profile is the bucco-lingual extent of the crowns at each arch
   * position (occupied 0.5 mm cells across the arch), not their area:
   * the proximal walls of a crown face along the arch and would make
   * area peak exactly where the teeth meet. */
  {
    g_autofree guint8 *occ = g_new0 (guint8, (gsize) nb * 40);
    for (gsize v = 0; v < ctx->nv; v++)
      if (tooth_mask[v] > 0 && ctx->kappa[v] > -CREASE_KAPPA_SPLIT && ABS (ctx->rho[v]) < 10.f)
        {
          int b = CLAMP ((int) ((ctx->s[v] - smin) / BIN_MM), 0, nb - 1);
          int r = CLAMP ((int) ((ctx->rho[v] + 10.f) / 0.5f), 0, 39);
          occ[(gsize) b * 40 + r] = 1;
        }
    for (int b = 0; b < nb; b++)
      for (int r = 0; r < 40; r++)
        area[b] += occ[(gsize) b * 40 + r] * 0.5f;
  }
  /* Gaussian smoothing, sigma 0.5 mm. */
  for (int b = 0; b < nb; b++)
    {
      double sum = 0, w = 0;
      for (int d = -4; d <= 4; d++)
        {
          int i = b + d;
          double g = exp (-0.5 * (d * BIN_MM / 0.5) * (d * BIN_MM / 0.5));
          if (i < 0 || i >= nb)
            continue;
          sum += g * area[i];
          w += g;
        }
      sm[b] = (float) (sum / w);
    }


  /* Runs of crown extent, each split at contacts.  Candidate contacts
   * are the local minima (lowest within 1.5 mm); which of them are real
   * is chosen by dynamic programming over the whole run, so that every
   * piece has the width of a crown (4.5-12 mm) and deep valleys are
   * preferred over shallow ones.  A fixed valley threshold alone either
   * splits molars at their fissures or merges narrow incisors. */
  {
    float peak = 0, thresh;
    int start = -1;

    for (int b = 0; b < nb; b++)
      peak = MAX (peak, sm[b]);
    thresh = 0.04f * peak;
    for (int b = 0; b <= nb; b++)
      {
        gboolean on = b < nb && sm[b] > thresh;
        if (on && start < 0)
          start = b;
        else if (!on && start >= 0)
          {
            g_autoptr(GArray) cand = g_array_new (FALSE, FALSE, sizeof (int));
            g_autoptr(GArray) gain = g_array_new (FALSE, FALSE, sizeof (float));
            g_autofree float *best = NULL;
            g_autofree int *from = NULL;
            int end = b, n;
            float zero = 0;

            g_array_append_val (cand, start);
            g_array_append_val (gain, zero);
            for (int c = start + 1; c + 1 < end; c++)
              {
                int reach = (int) (5.0f / BIN_MM), nms = (int) (1.5f / BIN_MM);
                float left = 0, right = 0, ratio, g;
                gboolean lowest = TRUE;
                for (int d = -nms; d <= nms; d++)
                  if (d != 0 && c + d >= start && c + d < end &&
                      (sm[c + d] < sm[c] || (sm[c + d] == sm[c] && d < 0)))
                    lowest = FALSE;
                if (!lowest)
                  continue;
                for (int d = 1; d <= reach; d++)
                  {
                    if (c - d >= start)
                      left = MAX (left, sm[c - d]);
                    if (c + d < end)
                      right = MAX (right, sm[c + d]);
                  }
                ratio = sm[c] / MAX (MIN (left, right), 1e-6f);
                if (ratio > 0.97f)
                  continue;
                g = 8.f * (VALLEY_RATIO - ratio);   /* > 0 rewards a cut */
                g_array_append_val (cand, c);
                g_array_append_val (gain, g);
              }
            g_array_append_val (cand, end);
            g_array_append_val (gain, zero);
            n = (int) cand->len;
            best = g_new (float, n);
            from = g_new (int, n);
            best[0] = 0;
            for (int j = 1; j < n; j++)
              {
                best[j] = G_MAXFLOAT;
                from[j] = 0;
                for (int i = 0; i < j; i++)
                  {
                    float w = (g_array_index (cand, int, j) - g_array_index (cand, int, i)) * BIN_MM, cost;
                    float lo = 4.5f, hi = 12.0f;
                    if (best[i] == G_MAXFLOAT)
                      continue;
                    cost = w < lo ? 4.f * (lo - w) * (lo - w) : w > hi ? 4.f * (w - hi) * (w - hi) : 0.f;
                    cost += best[i] - (j < n - 1 ? g_array_index (gain, float, j) : 0.f);
                    if (cost < best[j])
                      {
                        best[j] = cost;
                        from[j] = i;
                      }
                  }
              }
            {
              g_autoptr(GArray) run = g_array_new (FALSE, FALSE, sizeof (Span));
              for (int j = n - 1; j > 0; j = from[j])
                {
                  Span sp = { smin + g_array_index (cand, int, from[j]) * BIN_MM,
                              smin + g_array_index (cand, int, j) * BIN_MM };
                  g_array_prepend_val (run, sp);
                }
              for (guint i = 0; i < run->len; i++)
                if (g_array_index (run, Span, i).s1 - g_array_index (run, Span, i).s0 >= 2.5f)
                  g_array_append_val (spans, g_array_index (run, Span, i));
            }
            start = -1;
          }
      }
  }
  return spans;
}

/* ---- numbering --------------------------------------------------------- */

typedef struct {
  int   fdi[64];
  float conf[64];
  float cost;
  int   skipped;
  int   over;
} Numbering;

/* Numbers the spans of one arch, given whether it is upper.  s > 0 is
 * the side of ctx->side, which is the patient's left for a lower arch
 * and the right for an upper arch (the occlusal axis points down there). */
static void
number_spans (const Span *spans,
              guint       n,
              gboolean    upper,
              float       midline,
              Numbering  *out)
{
  const float *wt = upper ? width_upper : width_lower;

  memset (out, 0, sizeof *out);
  for (int sidesign = -1; sidesign <= 1; sidesign += 2)
    {
      int quadrant = upper ? (sidesign > 0 ? 1 : 2) : (sidesign > 0 ? 3 : 4);
      int pos = 1;
      float prev_end = midline;

      for (guint k = 0; k < n; k++)
        {
          guint i = sidesign > 0 ? k : n - 1 - k;
          float c = 0.5f * (spans[i].s0 + spans[i].s1);
          float a = sidesign > 0 ? spans[i].s0 : -spans[i].s1;   /* inner edge, distance from midline side */
          float b = sidesign > 0 ? spans[i].s1 : -spans[i].s0;
          float gap, width = spans[i].s1 - spans[i].s0, dev;

          if ((c - midline) * sidesign <= 0)
            continue;
          gap = a - (sidesign > 0 ? prev_end : -prev_end);
          /* A gap that holds most of the next tooth means that tooth is
           * missing (extracted, or not erupted). */
          while (pos <= 8 && gap > 0.6f * wt[pos])
            {
              gap -= wt[pos];
              pos++;
              out->skipped++;
              out->cost += 1.0f;
            }
          if (pos > 8)
            {
              out->fdi[i] = 0;
              out->over++;
              out->cost += 4.0f;
              continue;
            }
          dev = (width - wt[pos]) / (0.2f * wt[pos]);
          out->cost += dev * dev;
          out->fdi[i] = quadrant * 10 + pos;
          out->conf[i] = expf (-0.5f * dev * dev) * (ABS (gap) < 1.5f ? 1.f : 0.7f);
          pos++;
          prev_end = sidesign > 0 ? b : -b;
        }
    }
}

/* ---- the whole pipeline ------------------------------------------------ */

OpSegmentation *
op_segment (const OpMesh           *mesh,
            const OpSegmentOptions *options,
            gint                   *cancel,
            GError                **error)
{
  OpSegmentOptions o = { 0 };
  OpSegCtx ctx = { 0 };
  g_autoptr(OpSegmentation) seg = NULL;
  g_autofree gint32 *mask = NULL;
  g_autofree gint32 *labels = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autofree OpSegSpan *out_spans = NULL;
  GError *local = NULL;
  float smin = G_MAXFLOAT, smax = -G_MAXFLOAT, midline = 0;
  Numbering num_u, num_l, *num;
  gboolean upper;
  guint n_teeth = 0;

  g_return_val_if_fail (mesh != NULL, NULL);

  if (options)
    o = *options;
  if (mesh->n_triangles == 0 || mesh->n_vertices < 3)
    {
      g_set_error_literal (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_EMPTY,
                           "segmentation: the scan is empty (no triangles)");
      return NULL;
    }
  if (!op_mesh_validate (mesh, &local))
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_EMPTY, "segmentation: %s", local->message);
      g_error_free (local);
      return NULL;
    }
  if (op_segment_suggest_scale (mesh) != 1.f)
    {
      float c[3];
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_UNITS,
                   "segmentation: the scan is only %.3g units across; it looks like metres, not millimetres "
                   "(scale it by 1000 first)", op_mesh_get_extent (mesh, c));
      return NULL;
    }

  ctx.mesh = mesh;
  ctx.nv = mesh->n_vertices;
  ctx.n_threads = o.n_threads ? o.n_threads : 2;
  ctx.cancel = cancel;
  build_graph (&ctx);
  if (!find_orientation (&ctx, error) || cancelled (&ctx, error))
    goto fail;
  compute_curvature (&ctx);
  fit_arch (&ctx);
  if (cancelled (&ctx, error))
    goto fail;

  /* Pass 1: teeth against gingiva, with one seed set for all crowns:
   * the vertices within a millimetre of the local top along the arch. */
  mask = g_new (gint32, ctx.nv);
  {
    int nb;
    g_autofree float *top = NULL;

    for (gsize v = 0; v < ctx.nv; v++)
      if (ABS (ctx.rho[v]) < 5.f && ctx.h[v] > ctx.h_top - GUM_SEED_DEPTH)
        {
          smin = MIN (smin, ctx.s[v]);
          smax = MAX (smax, ctx.s[v]);
        }
    if (smin >= smax)
      {
        g_set_error_literal (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NO_TEETH,
                             "segmentation: nothing stands above the gingiva along the arch: no teeth found");
        goto fail;
      }
    nb = (int) ((smax - smin) / 1.f) + 1;
    top = g_new (float, nb);
    for (int b = 0; b < nb; b++)
      top[b] = -G_MAXFLOAT;
    for (gsize v = 0; v < ctx.nv; v++)
      if (ABS (ctx.rho[v]) < 5.f && ctx.s[v] >= smin && ctx.s[v] <= smax)
        {
          int b = (int) (ctx.s[v] - smin);
          top[b] = MAX (top[b], ctx.h[v]);
        }
    /* A bin is a crown top only when it is a bump: within 2.5 mm of the
     * highest point 8 mm around it.  The gingiva beyond the last molar or
     * in the gap of a missing tooth is far lower than its neighbours. */
    {
      g_autofree gboolean *bump = g_new0 (gboolean, nb);
      for (int b = 0; b < nb; b++)
        {
          float around = -G_MAXFLOAT;
          for (int d = -8; d <= 8; d++)
            if (b + d >= 0 && b + d < nb)
              around = MAX (around, top[b + d]);
          bump[b] = top[b] > around - 2.5f && top[b] > ctx.h_top - 9.f;
        }
      for (gsize v = 0; v < ctx.nv; v++)
        {
          int b = (int) (ctx.s[v] - smin);
          mask[v] = -1;
          if (ABS (ctx.rho[v]) < 4.f && ctx.s[v] >= smin && ctx.s[v] <= smax && bump[b] &&
              ctx.h[v] > top[b] - 1.f)
            mask[v] = 1;
        }
    }
    gum_seeds (&ctx, mask);
    grow_labels (&ctx, mask);
  }
  if (cancelled (&ctx, error))
    goto fail;

  spans = find_spans (&ctx, mask, smin, smax);
  if (spans->len < 2)
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NO_TEETH,
                   "segmentation: found %u tooth-like bump%s along the arch; an arch needs at least two",
                   spans->len, spans->len == 1 ? "" : "s");
      goto fail;
    }
  if (spans->len > 64)
    g_array_set_size (spans, 64);

  /* The midline from the orientation step is close; the contact between
   * the central incisors is exact when it lies near it. */
  {
    float best = 3.5f;
    for (guint i = 0; i + 1 < spans->len; i++)
      {
        Span *a = &g_array_index (spans, Span, i), *b = &g_array_index (spans, Span, i + 1);
        float m = 0.5f * (a->s1 + b->s0);
        if (ABS (m) < best && b->s0 - a->s1 < 3.f)
          {
            best = ABS (m);
            midline = m;
          }
      }
  }

  number_spans ((Span *) spans->data, spans->len, TRUE, midline, &num_u);
  number_spans ((Span *) spans->data, spans->len, FALSE, midline, &num_l);
  seg = g_new0 (OpSegmentation, 1);
  seg->warnings = g_ptr_array_new_with_free_func (g_free);
  if (o.jaw != OP_SEGMENT_JAW_AUTO)
    {
      upper = o.jaw == OP_SEGMENT_JAW_UPPER;
      seg->jaw_from_hint = TRUE;
      seg->jaw_confidence = 1.f;
    }
  else
    {
      upper = num_u.cost < num_l.cost;
      seg->jaw_confidence = 1.f - MIN (num_u.cost, num_l.cost) / MAX (MAX (num_u.cost, num_l.cost), 1e-3f);
      if (seg->jaw_confidence < 0.3f)
        g_ptr_array_add (seg->warnings,
                         g_strdup_printf ("The tooth widths fit the %s arch only a little better than the %s one; "
                                          "check the jaw.", upper ? "upper" : "lower", upper ? "lower" : "upper"));
    }
  num = upper ? &num_u : &num_l;
  if (num->over > 0)
    g_ptr_array_add (seg->warnings,
                     g_strdup_printf ("%d tooth-like part%s lie beyond the third molar and were left as gingiva; "
                                      "primary or supernumerary teeth need checking.",
                                      num->over, num->over == 1 ? "" : "s"));

  /* Pass 2: one seed set per tooth, the top of the middle of its span,
   * competing with each other and with the gingiva. */
  labels = g_new (gint32, ctx.nv);
  for (gsize v = 0; v < ctx.nv; v++)
    labels[v] = -1;
  gum_seeds (&ctx, labels);
  out_spans = g_new0 (OpSegSpan, spans->len);
  for (guint i = 0; i < spans->len; i++)
    {
      Span *sp = &g_array_index (spans, Span, i);
      float w = sp->s1 - sp->s0, a = sp->s0 + 0.3f * w, b = sp->s1 - 0.3f * w, top = -G_MAXFLOAT;

      if (num->fdi[i] == 0)
        continue;
      out_spans[n_teeth++] = (OpSegSpan) { num->fdi[i], sp->s0, sp->s1, num->conf[i] };
      for (gsize v = 0; v < ctx.nv; v++)
        if (mask[v] > 0 && ctx.s[v] >= a && ctx.s[v] <= b)
          top = MAX (top, ctx.h[v]);
      for (gsize v = 0; v < ctx.nv; v++)
        if (mask[v] > 0 && ctx.s[v] >= a && ctx.s[v] <= b && ctx.h[v] > top - 3.f)
          labels[v] = num->fdi[i];
    }
  grow_labels (&ctx, labels);
  if (cancelled (&ctx, error))
    goto fail;

  seg->labels = g_steal_pointer (&labels);
  seg->n_vertices = ctx.nv;
  seg->upper = upper;
  memcpy (seg->occlusal, ctx.occ, sizeof ctx.occ);
  memcpy (seg->anterior, ctx.ant, sizeof ctx.ant);
  memcpy (seg->centre, ctx.centre, sizeof ctx.centre);
  /* ctx.side is the patient's left in a lower arch, right in an upper. */
  for (int k = 0; k < 3; k++)
    seg->left[k] = upper ? -ctx.side[k] : ctx.side[k];
  seg->dentition = op_dentition_new ();
  op__seg_build_teeth (&ctx, seg->labels, out_spans, n_teeth, seg->dentition);
  if (seg->dentition->teeth->len < 4)
    g_ptr_array_add (seg->warnings,
                     g_strdup_printf ("Only %u teeth were found; check that this is a whole arch.",
                                      seg->dentition->teeth->len));

  g_free (ctx.normals); g_free (ctx.varea); g_free (ctx.adj_start); g_free (ctx.adj);
  g_free (ctx.kappa); g_free (ctx.h); g_free (ctx.s); g_free (ctx.rho);
  return g_steal_pointer (&seg);

fail:
  g_free (ctx.normals); g_free (ctx.varea); g_free (ctx.adj_start); g_free (ctx.adj);
  g_free (ctx.kappa); g_free (ctx.h); g_free (ctx.s); g_free (ctx.rho);
  return NULL;
}

void
op_segmentation_free (OpSegmentation *seg)
{
  if (seg == NULL)
    return;
  g_free (seg->labels);
  g_clear_pointer (&seg->dentition, op_dentition_free);
  g_clear_pointer (&seg->warnings, g_ptr_array_unref);
  g_free (seg);
}
