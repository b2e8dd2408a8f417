/* op-collide.c: penetration depth and gap between two posed teeth.
 *
 * See op-collide.h for the measure.  The walk over one tooth's vertex tree
 * is a depth-first branch and bound that visits the child with the lower
 * bound first; both directions (A's vertices in B, B's in A) share one
 * running best value, since the answer is the smaller of the two.
 */
#include <math.h>
#include <string.h>

#include "op-bvh-private.h"
#include "op-collide.h"
#include "op-fdi.h"

#define DEFAULT_MAX_DISTANCE 1.0
#define DEFAULT_TOLERANCE 0.01
#define STACK_DEPTH 128

static inline void
xform_point (const float m[16], const float p[3], float o[3])
{
  o[0] = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
  o[1] = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
  o[2] = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
}

static inline void
xform_dir (const float m[16], const float p[3], float o[3])
{
  o[0] = m[0] * p[0] + m[4] * p[1] + m[8] * p[2];
  o[1] = m[1] * p[0] + m[5] * p[1] + m[9] * p[2];
  o[2] = m[2] * p[0] + m[6] * p[1] + m[10] * p[2];
}

/* inverse(@b) * @a for rigid @b, in double so that the composed transform
 * is as exact as the inputs allow. */
static void
relative_transform (const float a[16], const float b[16], float out[16])
{
  double inv[16] = { 0 };

  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      inv[4 * c + r] = b[4 * r + c];
  for (int r = 0; r < 3; r++)
    inv[12 + r] = -(inv[r] * b[12] + inv[4 + r] * b[13] + inv[8 + r] * b[14]);
  inv[15] = 1;
  for (int c = 0; c < 4; c++)
    for (int r = 0; r < 4; r++)
      {
        double s = 0;
        for (int k = 0; k < 4; k++)
          s += inv[4 * k + r] * a[4 * c + k];
        out[4 * c + r] = (float) s;
      }
}

static inline float
dist3 (const float a[3], const float b[3])
{
  float d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
  return sqrtf (d0 * d0 + d1 * d1 + d2 * d2);
}

typedef struct {
  float    best;          /* smallest signed distance so far */
  float    tol;
  gboolean found;
  int      from;          /* 0: a vertex of A in B; 1: of B in A */
  float    vertex[3];     /* in the target tooth's own frame */
  OpBvhHit hit;           /* in the target tooth's own frame */
  guint64  point_queries;
} Walk;

/* A signed distance known to be found within @bound; when rounding makes
 * the bounded search miss, the unbounded one answers. */
static void
sd_query (const OpBvh *dst, const float p[3], float bound, OpBvhHit *hit, Walk *w)
{
  w->point_queries++;
  if (!op_bvh_signed_distance (dst, p, bound * 1.0001f + 1e-4f, hit))
    op_bvh_signed_distance (dst, p, G_MAXFLOAT, hit);
}

/* The signed distance of @p when it may matter, searching only as far as
 * needed: a point outside at more than @relevant cannot improve the best
 * value, so the search is bounded by it.  When nothing lies that close the
 * point is either outside and irrelevant, or inside deeper than that, which
 * @lower_bound (a lower bound of the signed distance, from the parent node
 * and the triangle inequality) rules out unless it is below -@relevant;
 * only then is the unbounded search needed.  FALSE: irrelevant. */
static gboolean
bounded_sd (const OpBvh *dst, const float p[3], float relevant, float lower_bound, OpBvhHit *hit, Walk *w)
{
  float bound = MAX (relevant, 0.f) * 1.0001f + 1e-4f;

  w->point_queries++;
  if (op_bvh_signed_distance (dst, p, bound, hit))
    return TRUE;
  if (lower_bound >= (relevant > 0 ? -bound : relevant))
    return FALSE;
  w->point_queries++;
  return op_bvh_signed_distance (dst, p, G_MAXFLOAT, hit);
}

typedef struct {
  guint32 node;
  float   sd;       /* signed distance of the node's centre */
} Entry;

static void
walk_tree (const OpBvh *src,
           const OpBvh *dst,
           const float  m[16],     /* src frame -> dst frame */
           int          from,
           Walk        *w)
{
  gsize n_nodes;
  const OpBvhVertexNode *nodes = op_bvh_get_vertex_nodes (src, &n_nodes);
  const float *verts = op_bvh_get_vertex_list (src, NULL);
  Entry stack[STACK_DEPTH];
  int sp = 0;
  float c[3];
  OpBvhHit hit;

  xform_point (m, nodes[0].centre, c);
  sd_query (dst, c, G_MAXFLOAT, &hit, w);
  if (hit.distance - nodes[0].radius >= w->best - w->tol)
    return;
  stack[sp].node = 0;
  stack[sp].sd = hit.distance;
  sp++;

  while (sp > 0)
    {
      Entry e = stack[--sp];
      const OpBvhVertexNode *n = &nodes[e.node];

      /* The best may have improved since this entry was pushed. */
      if (e.sd - n->radius >= w->best - w->tol)
        continue;

      if (n->count > 0)
        {
          xform_point (m, n->centre, c);
          for (guint32 i = n->first; i < n->first + n->count; i++)
            {
              float v[3], r;

              xform_point (m, &verts[3 * i], v);
              r = dist3 (v, c);
              /* A vertex r from the centre cannot lie deeper than e.sd - r. */
              if (e.sd - r >= w->best - w->tol)
                continue;
              if (!bounded_sd (dst, v, w->best, e.sd - r, &hit, w))
                continue;
              if (hit.distance < w->best)
                {
                  w->best = hit.distance;
                  w->found = TRUE;
                  w->from = from;
                  memcpy (w->vertex, v, sizeof v);
                  w->hit = hit;
                }
            }
        }
      else
        {
          guint32 kids[2] = { n->first, n->right };
          float sd[2];

          xform_point (m, n->centre, c);
          for (int k = 0; k < 2; k++)
            {
              float ck[3];

              xform_point (m, nodes[kids[k]].centre, ck);
              if (!bounded_sd (dst, ck, w->best - w->tol + nodes[kids[k]].radius,
                               e.sd - dist3 (c, ck), &hit, w))
                sd[k] = G_MAXFLOAT;   /* cannot beat the best: never pushed */
              else
                sd[k] = hit.distance;
            }
          g_assert (sp + 2 <= STACK_DEPTH);
          /* Push the more promising child last so it is popped first. */
          {
            int first = (sd[0] - nodes[kids[0]].radius <= sd[1] - nodes[kids[1]].radius) ? 0 : 1;
            int second = 1 - first;

            if (sd[second] - nodes[kids[second]].radius < w->best - w->tol)
              {
                stack[sp].node = kids[second];
                stack[sp].sd = sd[second];
                sp++;
              }
            if (sd[first] - nodes[kids[first]].radius < w->best - w->tol)
              {
                stack[sp].node = kids[first];
                stack[sp].sd = sd[first];
                sp++;
              }
          }
        }
    }
}

/* Whether the world boxes of the two teeth (each tooth's local box
 * carried by its transform and re-boxed) lie more than @gap apart. */
static gboolean
boxes_apart (const OpBvh *a, const float ma[16], const OpBvh *b, const float mb[16], float gap)
{
  float lo[2][3], hi[2][3];
  const OpBvh *t[2] = { a, b };
  const float *mm[2] = { ma, mb };

  for (int i = 0; i < 2; i++)
    {
      float bmin[3], bmax[3];

      op_bvh_get_bounds (t[i], bmin, bmax);
      for (int k = 0; k < 3; k++)
        {
          lo[i][k] = G_MAXFLOAT;
          hi[i][k] = -G_MAXFLOAT;
        }
      for (int corner = 0; corner < 8; corner++)
        {
          float p[3] = { corner & 1 ? bmax[0] : bmin[0], corner & 2 ? bmax[1] : bmin[1], corner & 4 ? bmax[2] : bmin[2] };
          float q[3];

          xform_point (mm[i], p, q);
          for (int k = 0; k < 3; k++)
            {
              lo[i][k] = MIN (lo[i][k], q[k]);
              hi[i][k] = MAX (hi[i][k], q[k]);
            }
        }
    }
  for (int k = 0; k < 3; k++)
    if (lo[0][k] > hi[1][k] + gap || lo[1][k] > hi[0][k] + gap)
      return TRUE;
  return FALSE;
}

static double
finish (const Walk        *w,
        double             max_distance,
        const float        ma[16],
        const float        mb[16],
        gboolean           early_out,
        OpCollideResult   *out)
{
  double value = w->found && w->best < max_distance ? -(double) w->best : -max_distance;

  if (out == NULL)
    return value;
  memset (out, 0, sizeof *out);
  out->penetration = value;
  out->early_out = early_out;
  if (w->found && w->best < max_distance)
    {
      /* The vertex and the hit are in the frame of the tooth whose
       * surface was hit: B's when the vertex came from A. */
      const float *m = w->from == 0 ? mb : ma;
      float v[3], q[3], n[3];

      xform_point (m, w->vertex, v);
      xform_point (m, w->hit.point, q);
      xform_dir (m, w->hit.normal, n);
      float len, sign = w->hit.distance < 0 ? -1.f : 1.f, e[3];

      /* The outward normal of the surface hit, taken from the vertex and
       * its closest point (exact for that vertex) unless they coincide. */
      for (int k = 0; k < 3; k++)
        e[k] = sign * (v[k] - q[k]);
      len = sqrtf (e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
      if (len > 1e-5f)
        for (int k = 0; k < 3; k++)
          n[k] = e[k] / len;
      for (int k = 0; k < 3; k++)
        {
          out->point[k] = .5f * (v[k] + q[k]);
          /* B separates from A by moving against its own outward normal,
           * or along A's. */
          out->direction[k] = w->from == 0 ? -n[k] : n[k];
        }
      out->from = w->from;
    }
  return value;
}

double
op_collide_pair (const OpBvh            *a,
                 const float             matrix_a[16],
                 const OpBvh            *b,
                 const float             matrix_b[16],
                 const OpCollideOptions *options,
                 OpCollideResult        *out,
                 OpCollideStats         *stats)
{
  double max_distance = DEFAULT_MAX_DISTANCE, tolerance = DEFAULT_TOLERANCE;
  Walk w = { 0 };
  float ca[3], cb[3], wa[3], wb[3], ra, rb, m[16];
  double value, min_depth, early_gap;
  gboolean early;

  g_return_val_if_fail (a != NULL && b != NULL && matrix_a != NULL && matrix_b != NULL, 0.0);

  if (options && options->max_distance > 0)
    max_distance = options->max_distance;
  if (options && options->tolerance != 0)
    tolerance = MAX (options->tolerance, 0.0);
  if (stats)
    stats->pair_queries++;

  w.tol = (float) tolerance;
  /* With min_depth only vertices deeper than that count, so the search
   * starts there and the walk prunes everything shallower at once; and
   * bounding volumes that do not meet at all settle the pair. */
  min_depth = options && options->min_depth > 0 ? options->min_depth : 0;
  early_gap = min_depth > 0 ? 0 : max_distance;
  w.best = min_depth > 0 ? (float) -min_depth : (float) max_distance;

  op_bvh_get_sphere (a, ca, &ra);
  op_bvh_get_sphere (b, cb, &rb);
  xform_point (matrix_a, ca, wa);
  xform_point (matrix_b, cb, wb);
  early = dist3 (wa, wb) - ra - rb >= early_gap
          || boxes_apart (a, matrix_a, b, matrix_b, (float) early_gap);
  if (early && stats)
    stats->early_outs++;
  if (!early)
    {
      relative_transform (matrix_a, matrix_b, m);
      walk_tree (a, b, m, 0, &w);
      relative_transform (matrix_b, matrix_a, m);
      walk_tree (b, a, m, 1, &w);
      if (stats)
        stats->point_queries += w.point_queries;
    }

  if (min_depth > 0 && !w.found)
    {
      if (out)
        {
          memset (out, 0, sizeof *out);
          out->shallow = TRUE;
          out->early_out = early;
        }
      return 0.0;
    }
  value = finish (&w, max_distance, matrix_a, matrix_b, early, out);
  return value;
}

static void
brute_direction (const OpBvh *src, const OpBvh *dst, const float m[16], double max_distance, float *best)
{
  gsize n;
  const float *verts = op_bvh_get_vertex_list (src, &n);
  float bmin[3], bmax[3];

  op_bvh_get_bounds (dst, bmin, bmax);
  for (gsize i = 0; i < n; i++)
    {
      float v[3], out2 = 0;
      OpBvhHit hit;

      xform_point (m, &verts[3 * i], v);
      /* A vertex farther than max_distance outside the other tooth's box
       * is farther than that from its surface and cannot be inside: that
       * much pruning keeps the reference exhaustive where it matters. */
      for (int k = 0; k < 3; k++)
        {
          float d = MAX (MAX (bmin[k] - v[k], v[k] - bmax[k]), 0.f);
          out2 += d * d;
        }
      if (out2 >= max_distance * max_distance)
        continue;
      op__bvh_signed_distance_brute (dst, v, &hit);
      *best = MIN (*best, hit.distance);
    }
}

double
op_collide_pair_brute_force (const OpBvh *a,
                             const float  matrix_a[16],
                             const OpBvh *b,
                             const float  matrix_b[16],
                             double       max_distance)
{
  float best, m[16];

  g_return_val_if_fail (a != NULL && b != NULL && matrix_a != NULL && matrix_b != NULL, 0.0);

  if (max_distance <= 0)
    max_distance = DEFAULT_MAX_DISTANCE;
  best = (float) max_distance;
  relative_transform (matrix_a, matrix_b, m);
  brute_direction (a, b, m, max_distance, &best);
  relative_transform (matrix_b, matrix_a, m);
  brute_direction (b, a, m, max_distance, &best);
  return best < max_distance ? -(double) best : -max_distance;
}

/* Position along the arch with the central incisors at +-0.5, so that
 * neighbours, across the midline too, differ by exactly 1. */
static double
arch_coord (int fdi)
{
  int p = op_fdi_arch_position (fdi);
  return p > 0 ? p - .5 : p + .5;
}

static int
cmp_arch (const void *pa, const void *pb)
{
  int a = *(const int *) pa, b = *(const int *) pb;
  double ka = arch_coord (a), kb = arch_coord (b);

  return (ka > kb) - (ka < kb);
}

guint
op_collide_list_pairs (const int *fdi,
                       guint      n_teeth,
                       gboolean   occlusion,
                       int       *out_pairs,
                       guint      max_pairs)
{
  g_autofree int *upper = g_new (int, n_teeth + 1);
  g_autofree int *lower = g_new (int, n_teeth + 1);
  guint nu = 0, nl = 0, count = 0;

  g_return_val_if_fail (fdi != NULL || n_teeth == 0, 0);

  for (guint i = 0; i < n_teeth; i++)
    {
      if (!op_fdi_is_valid (fdi[i]))
        continue;
      if (op_fdi_is_upper (fdi[i]))
        upper[nu++] = fdi[i];
      else
        lower[nl++] = fdi[i];
    }
  qsort (upper, nu, sizeof (int), cmp_arch);
  qsort (lower, nl, sizeof (int), cmp_arch);

#define EMIT(x, y) G_STMT_START { \
    if (count < max_pairs && out_pairs) { out_pairs[2 * count] = (x); out_pairs[2 * count + 1] = (y); } \
    count++; } G_STMT_END

  /* Consecutive teeth present in an arch touch even across a gap left by
   * a missing tooth, once the plan closes it, so they are all checked. */
  for (guint i = 0; i + 1 < nu; i++)
    if (upper[i] != upper[i + 1])
      EMIT (upper[i], upper[i + 1]);
  for (guint i = 0; i + 1 < nl; i++)
    if (lower[i] != lower[i + 1])
      EMIT (lower[i], lower[i + 1]);
  if (occlusion)
    for (guint i = 0; i < nu; i++)
      for (guint j = 0; j < nl; j++)
        if (fabs (arch_coord (upper[i]) - arch_coord (lower[j])) <= 1.0)
          EMIT (upper[i], lower[j]);
#undef EMIT
  return count;
}
