/* op-segment-geom.c: the mesh graph, curvature, orientation and arch curve.
 *
 * Everything the later steps measure in is set up here: per-vertex normals,
 * areas and neighbours; mean curvature; the occlusal direction, the midline
 * and the arch centre; and the arch curve, from which each vertex gets its
 * arc length along the arch and its offset from it.  See op-segment.c for
 * why each step works the way it does.
 */
#include "op-segment-private.h"

#include <math.h>
#include <string.h>

#include "op-linalg.h"

#define TOP_BAND_MM    5.0f   /* the crown tops used for orientation */

/* ---- mesh graph, normals, areas, curvature ------------------------------ */

void
op__seg_build_graph (OpSegCtx *ctx)
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

void
op__seg_curvature (OpSegCtx *ctx)
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

float
op__seg_percentile (const float *values,
            gsize        n,
            double       q)
{
  g_autofree float *copy = g_memdup2 (values, n * sizeof (float));

  qsort (copy, n, sizeof (float), cmp_float);
  return copy[(gsize) MIN ((double) (n - 1), q * (double) (n - 1))];
}

gboolean
op__seg_orient (OpSegCtx *ctx,
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
    /* A cast's base is one large plane.  The principal axis can be some
     * degrees off its normal, so the plane is found on each side by
     * following the mean normal of the faces that nearly face that way,
     * then measured as the area within 3 degrees of it: a base counts
     * thousands of square millimetres, flat cusps and gingiva hardly any. */
    for (int side = 0; side < 2; side++)
      {
        float dir[3], sgn = side ? -1.f : 1.f;
        double area_in = 0;
        for (int k = 0; k < 3; k++)
          dir[k] = sgn * ctx->occ[k];
        for (int iter = 0; iter < 3; iter++)
          {
            double mn[3] = { 0 }, mlen;
            float cos_lim = iter == 0 ? 0.94f : 0.996f;
            area_in = 0;
            for (gsize f = 0; f < m->n_triangles; f++)
              {
                const guint32 *t = &idx[3 * f];
                const float *a = &m->positions[3 * t[0]], *b = &m->positions[3 * t[1]], *c = &m->positions[3 * t[2]];
                float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] }, n[3];
                float len;
                cross3 (e1, e2, n);
                len = sqrtf (dot3 (n, n));
                if (len <= 0 || dot3 (n, dir) < cos_lim * len)
                  continue;
                for (int k = 0; k < 3; k++)
                  mn[k] += n[k];
                area_in += 0.5 * len;
              }
            mlen = sqrt (mn[0] * mn[0] + mn[1] * mn[1] + mn[2] * mn[2]);
            if (mlen <= 0)
              break;
            for (int k = 0; k < 3; k++)
              dir[k] = (float) (mn[k] / mlen);
          }
        if (side == 0)
          up_area = area_in;
        else
          down_area = area_in;
      }
    /* An intraoral scan's border runs all around the arch (well over
     * 100 mm); a cast may have a few small holes, whose edges say nothing
     * about which side is up. */
    if (blen > 60.0)
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
  ctx->h_top = op__seg_percentile (ctx->h, ctx->nv, 0.998);

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

void
op__seg_fit_arch (OpSegCtx     *ctx,
                  const gint32 *mask)
{
  const float *pos = ctx->mesh->positions;
  GArray *per_bin[OP__ARCH_BINS / 4];
  float r4[OP__ARCH_BINS / 4], low_top[OP__ARCH_BINS / 4];
  gboolean valid[OP__ARCH_BINS / 4];
  int mid = OP__ARCH_BINS / 2;

  g_clear_pointer (&ctx->s, g_free);
  g_clear_pointer (&ctx->rho, g_free);
  /* Radius per 2-degree sector from the crown tops (median: robust to
   * the lingual and buccal cusps and to stray gingiva). */
  for (int b = 0; b < OP__ARCH_BINS / 4; b++)
    {
      per_bin[b] = g_array_new (FALSE, FALSE, sizeof (float));
      low_top[b] = -G_MAXFLOAT;
    }
  for (gsize v = 0; v < ctx->nv; v++)
    if (ctx->h[v] > ctx->h_top - 3.f)
      {
        float th, r;
        int b;
        vertex_polar (ctx, &pos[3 * v], &th, &r);
        b = CLAMP ((int) ((th + G_PI) / (2 * G_PI) * (OP__ARCH_BINS / 4)), 0, OP__ARCH_BINS / 4 - 1);
        g_array_append_val (per_bin[b], r);
      }
  /* Sectors that no crown reaches within 3 mm of the top but a low crown
   * does (a low third molar beyond the others) take the top of that
   * crown: otherwise the curve there is the last molar's radius carried
   * on, and a third molar that follows the arch outwards lies so far off
   * it that its outer half is taken for gingiva. */
  if (mask)
    {
      for (gsize v = 0; v < ctx->nv; v++)
        if (mask[v] == OP__SEG_LOW_CROWN)
          {
            float th, r;
            int b;
            vertex_polar (ctx, &pos[3 * v], &th, &r);
            b = CLAMP ((int) ((th + G_PI) / (2 * G_PI) * (OP__ARCH_BINS / 4)), 0, OP__ARCH_BINS / 4 - 1);
            low_top[b] = MAX (low_top[b], ctx->h[v]);
          }
      for (gsize v = 0; v < ctx->nv; v++)
        if (mask[v] == OP__SEG_LOW_CROWN)
          {
            float th, r;
            int b;
            vertex_polar (ctx, &pos[3 * v], &th, &r);
            b = CLAMP ((int) ((th + G_PI) / (2 * G_PI) * (OP__ARCH_BINS / 4)), 0, OP__ARCH_BINS / 4 - 1);
            if (per_bin[b]->len < 3 && ctx->h[v] > low_top[b] - 3.f && ctx->h[v] <= ctx->h_top - 3.f)
              g_array_append_val (per_bin[b], r);
          }
    }
  for (int b = 0; b < OP__ARCH_BINS / 4; b++)
    {
      valid[b] = per_bin[b]->len >= 3;
      r4[b] = valid[b] ? op__seg_percentile ((float *) per_bin[b]->data, per_bin[b]->len, 0.5) : 0.f;
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

  /* Each vertex goes to its nearest point of the arch curve, not along
   * its ray from the centre: where the arch runs obliquely to the rays
   * (canines, premolars), a radial projection smears a crown's
   * bucco-lingual extent along the arch by several millimetres and makes
   * neighbours overlap in s. */
  {
    float cx[OP__ARCH_BINS], cy[OP__ARCH_BINS];
    for (int b = 0; b < OP__ARCH_BINS; b++)
      {
        float th = ((b + 0.5f) / OP__ARCH_BINS) * (float) (2 * G_PI) - (float) G_PI;
        cx[b] = ctx->arch_r[b] * cosf (th);
        cy[b] = ctx->arch_r[b] * sinf (th);
      }
    ctx->s = g_new (float, ctx->nv);
    ctx->rho = g_new (float, ctx->nv);
    for (gsize v = 0; v < ctx->nv; v++)
      {
        float d[3] = { pos[3 * v] - ctx->centre[0], pos[3 * v + 1] - ctx->centre[1], pos[3 * v + 2] - ctx->centre[2] };
        float x = dot3 (d, ctx->ant), y = dot3 (d, ctx->side), th, best = G_MAXFLOAT, t = 0, r;
        int b0, bb = 0, lo, hi;
        th = atan2f (y, x);
        r = sqrtf (x * x + y * y);
        b0 = CLAMP ((int) floorf (bin_of (th) + 0.5f), 0, OP__ARCH_BINS - 1);
        lo = MAX (0, b0 - 90);
        hi = MIN (OP__ARCH_BINS - 2, b0 + 90);
        for (int b = lo; b <= hi; b++)
          {
            float ex = cx[b + 1] - cx[b], ey = cy[b + 1] - cy[b], l2 = ex * ex + ey * ey, u, qx, qy, dd;
            u = l2 > 0 ? CLAMP (((x - cx[b]) * ex + (y - cy[b]) * ey) / l2, 0.f, 1.f) : 0.f;
            qx = cx[b] + u * ex - x;
            qy = cy[b] + u * ey - y;
            dd = qx * qx + qy * qy;
            if (dd < best)
              {
                best = dd;
                bb = b;
                t = u;
              }
          }
        ctx->s[v] = ctx->arch_s[bb] + t * (ctx->arch_s[bb + 1] - ctx->arch_s[bb]);
        /* Outside the curve (further from the centre than it) is +. */
        ctx->rho[v] = sqrtf (best) * (r >= interp_bins (ctx->arch_r, th) ? 1.f : -1.f);
      }
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
