/* op-register.c: first alignment by principal axes, trimmed point-to-plane
 * ICP, and Horn's closed form for picked points. */
#include "op-register.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-bvh.h"
#include "op-linalg.h"

G_DEFINE_QUARK (op-register-error-quark, op_register_error)

#define COARSE_SAMPLES    300
#define COARSE_ITERATIONS 12
#define N_REFINED         3
#define MID_SAMPLES       1000
#define MID_ITERATIONS    25
/* A step that moves no sample by more than this ends the ICP, mm. */
#define CONVERGED_MM      1e-4

/* ---- Small dense algebra ---------------------------------------------- */

/* Eigenvectors of a symmetric n x n matrix (n <= 4) by cyclic Jacobi:
 * @a is destroyed (its diagonal ends as the eigenvalues), @v[row][col]
 * holds the eigenvectors in columns. */
static void
jacobi (double a[4][4], double v[4][4], int n)
{
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++)
      v[r][c] = r == c;
  for (int sweep = 0; sweep < 50; sweep++)
    {
      double off = 0;

      for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++)
          off += a[p][q] * a[p][q];
      if (off < 1e-30)
        break;
      for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++)
          {
            double theta, t, c, s;

            if (fabs (a[p][q]) < 1e-300)
              continue;
            theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
            t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
            c = 1 / sqrt (t * t + 1);
            s = t * c;
            for (int k = 0; k < n; k++)
              {
                double akp = a[k][p], akq = a[k][q];

                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < n; k++)
              {
                double apk = a[p][k], aqk = a[q][k];

                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < n; k++)
              {
                double vkp = v[k][p], vkq = v[k][q];

                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
              }
          }
    }
}

/* Solves the symmetric 6 x 6 system @m x = @b by Gaussian elimination with
 * partial pivoting.  FALSE when it is singular. */
static gboolean
solve6 (double m[6][6], double b[6], double x[6])
{
  for (int col = 0; col < 6; col++)
    {
      int piv = col;

      for (int r = col + 1; r < 6; r++)
        if (fabs (m[r][col]) > fabs (m[piv][col]))
          piv = r;
      if (fabs (m[piv][col]) < 1e-12)
        return FALSE;
      if (piv != col)
        {
          for (int c = 0; c < 6; c++)
            {
              double t = m[col][c];

              m[col][c] = m[piv][c];
              m[piv][c] = t;
            }
          {
            double t = b[col];

            b[col] = b[piv];
            b[piv] = t;
          }
        }
      for (int r = col + 1; r < 6; r++)
        {
          double f = m[r][col] / m[col][col];

          for (int c = col; c < 6; c++)
            m[r][c] -= f * m[col][c];
          b[r] -= f * b[col];
        }
    }
  for (int r = 5; r >= 0; r--)
    {
      double s = b[r];

      for (int c = r + 1; c < 6; c++)
        s -= m[r][c] * x[c];
      x[r] = s / m[r][r];
    }
  return TRUE;
}

static void
apply (const float m[16], const float p[3], float out[3])
{
  for (int r = 0; r < 3; r++)
    out[r] = m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r];
}

/* ---- Horn's closed form ------------------------------------------------ */

gboolean
op_register_points (const float *from,
                    const float *to,
                    guint        n,
                    float        out[16],
                    double      *out_rms,
                    GError     **error)
{
  double ca[3] = { 0 }, cb[3] = { 0 }, s[3][3] = { { 0 } }, nq[4][4], v[4][4];
  double q[4], r[3][3], spread = 0, sum = 0;
  int best = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  if (n < 3 || from == NULL || to == NULL)
    {
      g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_TOO_FEW,
                   "point pairing: %u pairs given, at least 3 are needed", n);
      return FALSE;
    }
  for (guint i = 0; i < n * 3; i++)
    if (!isfinite (from[i]) || !isfinite (to[i]))
      {
        g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_DEGENERATE,
                     "point pairing: pair %u has a coordinate that is not a number", i / 3 + 1);
        return FALSE;
      }
  for (guint i = 0; i < n; i++)
    for (int x = 0; x < 3; x++)
      {
        ca[x] += from[i * 3 + x] / (double) n;
        cb[x] += to[i * 3 + x] / (double) n;
      }
  for (guint i = 0; i < n; i++)
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++)
        s[x][y] += (from[i * 3 + x] - ca[x]) * (to[i * 3 + y] - cb[y]);

  /* Points on a line leave the rotation about that line free: the second
   * principal spread of the source points must not vanish. */
  {
    double cov[3][3] = { { 0 } }, vals[3], vecs[3][3];

    for (guint i = 0; i < n; i++)
      for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
          cov[x][y] += (from[i * 3 + x] - ca[x]) * (from[i * 3 + y] - ca[y]) / n;
    op_sym3_eigen (cov, vals, vecs);
    spread = vals[0];
    if (vals[1] <= 1e-6 * MAX (spread, 1e-12) || vals[1] < 1e-10)
      {
        g_set_error_literal (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_DEGENERATE,
                             "point pairing: the points lie on a line, so the rotation about it is unknown; "
                             "pick points that span a triangle");
        return FALSE;
      }
  }

  nq[0][0] = s[0][0] + s[1][1] + s[2][2];
  nq[0][1] = nq[1][0] = s[1][2] - s[2][1];
  nq[0][2] = nq[2][0] = s[2][0] - s[0][2];
  nq[0][3] = nq[3][0] = s[0][1] - s[1][0];
  nq[1][1] = s[0][0] - s[1][1] - s[2][2];
  nq[1][2] = nq[2][1] = s[0][1] + s[1][0];
  nq[1][3] = nq[3][1] = s[2][0] + s[0][2];
  nq[2][2] = -s[0][0] + s[1][1] - s[2][2];
  nq[2][3] = nq[3][2] = s[1][2] + s[2][1];
  nq[3][3] = -s[0][0] - s[1][1] + s[2][2];
  jacobi (nq, v, 4);
  for (int k = 1; k < 4; k++)
    if (nq[k][k] > nq[best][best])
      best = k;
  for (int k = 0; k < 4; k++)
    q[k] = v[k][best];
  /* A fixed sign makes the output the same bytes every time. */
  if (q[0] < 0)
    for (int k = 0; k < 4; k++)
      q[k] = -q[k];

  r[0][0] = q[0] * q[0] + q[1] * q[1] - q[2] * q[2] - q[3] * q[3];
  r[0][1] = 2 * (q[1] * q[2] - q[0] * q[3]);
  r[0][2] = 2 * (q[1] * q[3] + q[0] * q[2]);
  r[1][0] = 2 * (q[2] * q[1] + q[0] * q[3]);
  r[1][1] = q[0] * q[0] - q[1] * q[1] + q[2] * q[2] - q[3] * q[3];
  r[1][2] = 2 * (q[2] * q[3] - q[0] * q[1]);
  r[2][0] = 2 * (q[3] * q[1] - q[0] * q[2]);
  r[2][1] = 2 * (q[3] * q[2] + q[0] * q[1]);
  r[2][2] = q[0] * q[0] - q[1] * q[1] - q[2] * q[2] + q[3] * q[3];

  memset (out, 0, 16 * sizeof (float));
  for (int row = 0; row < 3; row++)
    {
      double t = cb[row];

      for (int col = 0; col < 3; col++)
        {
          out[col * 4 + row] = (float) r[row][col];
          t -= r[row][col] * ca[col];
        }
      out[12 + row] = (float) t;
    }
  out[15] = 1;

  for (guint i = 0; i < n; i++)
    {
      float p[3];

      apply (out, &from[i * 3], p);
      for (int x = 0; x < 3; x++)
        sum += (p[x] - to[i * 3 + x]) * (double) (p[x] - to[i * 3 + x]);
    }
  if (out_rms != NULL)
    *out_rms = sqrt (sum / n);
  return TRUE;
}

/* ---- ICP --------------------------------------------------------------- */

typedef struct {
  float    p[3];     /* the sample, carried by the current transform */
  float    q[3];     /* its closest point on the fixed surface */
  float    n[3];     /* the surface normal there */
  float    d;        /* |p - q| */
  guint32  index;    /* sample number: breaks ties in the sort */
} Pair;

static int
cmp_pair (const void *a, const void *b)
{
  const Pair *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct {
  double rms;
  double inliers;   /* share of the samples that found a pair */
  guint  n_pairs;
  guint  iterations;
} IcpStats;

/* Pairs every sample under @m with its closest surface point within
 * @max_distance, on two threads: each writes its own half of @pairs
 * (indexed by sample), then the found ones are packed in sample order, so
 * the result does not depend on the threads. */
typedef struct {
  const OpBvh *bvh;
  const float *samples;
  const float *m;
  float        max_distance;
  Pair        *pairs;
  guint        first, last;
} PairJob;

static gpointer
pair_job (gpointer data)
{
  PairJob *j = data;

  for (guint s = j->first; s < j->last; s++)
    {
      OpBvhHit hit;
      Pair *pr = &j->pairs[s];

      apply (j->m, &j->samples[s * 3], pr->p);
      pr->index = s;
      if (!op_bvh_closest (j->bvh, pr->p, j->max_distance, &hit))
        {
          pr->d = -1;
          continue;
        }
      memcpy (pr->q, hit.point, sizeof pr->q);
      memcpy (pr->n, hit.normal, sizeof pr->n);
      pr->d = hit.distance;
    }
  return NULL;
}

static guint
find_pairs (const OpBvh *bvh,
            const float *samples,
            guint        n,
            const float  m[16],
            double       max_distance,
            Pair        *pairs)
{
  PairJob jobs[2];
  GThread *other = NULL;
  guint n_pairs = 0;

  for (int t = 0; t < 2; t++)
    jobs[t] = (PairJob) { bvh, samples, m, (float) max_distance, pairs, n * t / 2, n * (t + 1) / 2 };
  if (n >= 64)
    other = g_thread_new ("op-register", pair_job, &jobs[1]);
  else
    pair_job (&jobs[1]);
  pair_job (&jobs[0]);
  if (other != NULL)
    g_thread_join (other);
  for (guint s = 0; s < n; s++)
    if (pairs[s].d >= 0)
      pairs[n_pairs++] = pairs[s];
  return n_pairs;
}

/* Runs at most @iterations steps from @m (updated in place). */
static void
icp (const OpBvh *bvh,
     const float *samples,
     guint        n,
     float        m[16],
     guint        iterations,
     double       trim,
     double       max_distance,
     double       extent,
     Pair        *pairs,
     IcpStats    *stats)
{
  memset (stats, 0, sizeof *stats);
  for (guint it = 0; it <= iterations; it++)
    {
      guint n_pairs = 0, kept;
      double ata[6][6] = { { 0 } }, atb[6] = { 0 }, x[6], sum = 0, angle, shift;

      n_pairs = find_pairs (bvh, samples, n, m, max_distance, pairs);
      stats->inliers = n ? (double) n_pairs / n : 0;
      if (n_pairs < 6)
        {
          stats->rms = G_MAXDOUBLE;
          stats->n_pairs = n_pairs;
          return;
        }
      qsort (pairs, n_pairs, sizeof *pairs, cmp_pair);
      kept = (guint) ceil ((1.0 - trim) * n_pairs);
      kept = CLAMP (kept, 6, n_pairs);
      for (guint k = 0; k < kept; k++)
        sum += (double) pairs[k].d * pairs[k].d;
      stats->rms = sqrt (sum / kept);
      stats->n_pairs = kept;
      if (it == iterations)
        break;

      /* Linearised point to plane: a small rotation w and translation t
       * with ((p + w x p + t) - q) . n = 0 for every kept pair, i.e.
       * (p x n) . w + n . t = (q - p) . n.  Points are taken relative to
       * their centroid so the system is well scaled. */
      {
        double c[3] = { 0 };

        for (guint k = 0; k < kept; k++)
          for (int a = 0; a < 3; a++)
            c[a] += pairs[k].p[a] / kept;
        for (guint k = 0; k < kept; k++)
          {
            const Pair *pr = &pairs[k];
            double p[3] = { pr->p[0] - c[0], pr->p[1] - c[1], pr->p[2] - c[2] };
            double row[6], rhs = 0;

            row[0] = p[1] * pr->n[2] - p[2] * pr->n[1];
            row[1] = p[2] * pr->n[0] - p[0] * pr->n[2];
            row[2] = p[0] * pr->n[1] - p[1] * pr->n[0];
            for (int a = 0; a < 3; a++)
              {
                row[3 + a] = pr->n[a];
                rhs += (pr->q[a] - pr->p[a]) * pr->n[a];
              }
            for (int r = 0; r < 6; r++)
              {
                for (int q = 0; q < 6; q++)
                  ata[r][q] += row[r] * row[q];
                atb[r] += row[r] * rhs;
              }
          }
        if (!solve6 (ata, atb, x))
          break;

        angle = sqrt (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        {
          float step[16], centre[3] = { (float) c[0], (float) c[1], (float) c[2] };

          if (angle > 1e-12)
            {
              float axis[3] = { (float) (x[0] / angle), (float) (x[1] / angle), (float) (x[2] / angle) };

              op_mat4_rotate_about (axis, (float) angle, centre, step);
            }
          else
            op_mat4_identity (step);
          step[12] += (float) x[3];
          step[13] += (float) x[4];
          step[14] += (float) x[5];
          op_mat4_mul (step, m, m);
        }
        stats->iterations = it + 1;
        shift = sqrt (x[3] * x[3] + x[4] * x[4] + x[5] * x[5]) + angle * extent;
        if (shift < CONVERGED_MM)
          {
            /* One more pass measures the result. */
            iterations = it + 1;
          }
      }
    }
}

/* Every @stride-th vertex, at most @max of them, in vertex order. */
static float *
sample_vertices (const OpMesh *mesh, guint max, guint *out_n)
{
  gsize stride = MAX (1, (mesh->n_vertices + max - 1) / max);
  guint n = 0;
  float *out = g_new (float, ((mesh->n_vertices + stride - 1) / stride) * 3);

  for (gsize v = 0; v < mesh->n_vertices; v += stride)
    {
      memcpy (&out[n * 3], &mesh->positions[v * 3], 3 * sizeof (float));
      n++;
    }
  *out_n = n;
  return out;
}

/* Centroid and principal axes (columns of @axes, right-handed, largest
 * spread first) of @n points. */
static void
principal_axes (const float *p, guint n, double centre[3], double axes[3][3])
{
  double cov[3][3] = { { 0 } }, vals[3], vecs[3][3];

  centre[0] = centre[1] = centre[2] = 0;
  for (guint i = 0; i < n; i++)
    for (int x = 0; x < 3; x++)
      centre[x] += p[i * 3 + x] / (double) n;
  for (guint i = 0; i < n; i++)
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++)
        cov[x][y] += (p[i * 3 + x] - centre[x]) * (p[i * 3 + y] - centre[y]) / n;
  op_sym3_eigen (cov, vals, vecs);
  for (int a = 0; a < 3; a++)
    for (int x = 0; x < 3; x++)
      axes[x][a] = vecs[a][x];
  /* Right-handed: the third axis is the cross product of the first two. */
  axes[0][2] = axes[1][0] * axes[2][1] - axes[2][0] * axes[1][1];
  axes[1][2] = axes[2][0] * axes[0][1] - axes[0][0] * axes[2][1];
  axes[2][2] = axes[0][0] * axes[1][1] - axes[1][0] * axes[0][1];
}

/* Candidate @c (1-24): the rotation that takes moving axis perm[a] (times
 * a sign) onto fixed axis a, with centroids matched. */
static gboolean
candidate_matrix (int           c,
                  const double  cm[3],
                  const double  am[3][3],
                  const double  cf[3],
                  const double  af[3][3],
                  float         out[16])
{
  static const int perms[6][3] = {
    { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
  };
  /* Even permutations keep handedness; odd ones need an odd number of sign
   * flips. */
  static const int parity[6] = { 1, -1, -1, 1, 1, -1 };
  int p = (c - 1) / 4, sgn = (c - 1) % 4;
  double s[3], b[3][3], r[3][3];

  s[0] = (sgn & 1) ? -1 : 1;
  s[1] = (sgn & 2) ? -1 : 1;
  s[2] = parity[p] * s[0] * s[1];
  /* b's column a = sign * moving axis perms[p][a]. */
  for (int a = 0; a < 3; a++)
    for (int x = 0; x < 3; x++)
      b[x][a] = s[a] * am[x][perms[p][a]];
  /* r = af * b^T */
  for (int x = 0; x < 3; x++)
    for (int y = 0; y < 3; y++)
      {
        r[x][y] = 0;
        for (int a = 0; a < 3; a++)
          r[x][y] += af[x][a] * b[y][a];
      }
  memset (out, 0, 16 * sizeof (float));
  for (int x = 0; x < 3; x++)
    {
      double t = cf[x];

      for (int y = 0; y < 3; y++)
        {
          out[y * 4 + x] = (float) r[x][y];
          t -= r[x][y] * cm[y];
        }
      out[12 + x] = (float) t;
    }
  out[15] = 1;
  return TRUE;
}

static double
score (const IcpStats *s, double max_distance)
{
  /* A start that pairs few samples can look tight on the few it pairs;
   * the missing share costs as if those samples were max_distance away. */
  return s->rms + (1.0 - s->inliers) * max_distance;
}

gboolean
op_register_meshes (const OpMesh            *moving,
                    const OpMesh            *fixed,
                    const OpRegisterOptions *options,
                    OpRegisterResult        *out,
                    GError                 **error)
{
  OpRegisterOptions o = { 0 };
  g_autoptr(OpBvh) bvh = NULL;
  g_autofree float *fine = NULL, *coarse = NULL, *mid = NULL, *fixed_pts = NULL;
  g_autofree Pair *pairs = NULL;
  guint n_fine, n_coarse, n_mid, n_fixed_pts;
  g_autoptr(GError) local = NULL;
  float best_m[16];
  IcpStats best = { 0 };
  double extent;
  int best_c = -1;

  g_return_val_if_fail (out != NULL, FALSE);
  if (options != NULL)
    o = *options;
  if (o.max_iterations == 0)
    o.max_iterations = 60;
  if (o.trim_fraction <= 0 || o.trim_fraction > 0.9)
    o.trim_fraction = 0.2;
  if (o.max_samples == 0)
    o.max_samples = 4000;
  if (o.max_distance <= 0)
    o.max_distance = 8;

  if (moving == NULL || !op_mesh_validate (moving, &local))
    {
      g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_EMPTY, "registration: the scan is empty or broken: %s",
                   local ? local->message : "no mesh");
      return FALSE;
    }
  if (fixed == NULL || !op_mesh_validate (fixed, &local))
    {
      g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_EMPTY,
                   "registration: the CBCT surface is empty or broken: %s (is the threshold above every voxel?)",
                   local ? local->message : "no mesh");
      return FALSE;
    }
  if (moving->n_vertices < 6)
    {
      g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_TOO_FEW,
                   "registration: the scan has %" G_GSIZE_FORMAT " vertices, too few to register", moving->n_vertices);
      return FALSE;
    }

  bvh = op_bvh_new_for_mesh (fixed);
  fine = sample_vertices (moving, o.max_samples, &n_fine);
  coarse = sample_vertices (moving, COARSE_SAMPLES, &n_coarse);
  mid = sample_vertices (moving, MID_SAMPLES, &n_mid);
  pairs = g_new (Pair, n_fine);
  {
    float c[3];

    extent = op_mesh_get_extent (moving, c) / 2;
  }

  if (o.initial != NULL)
    {
      memcpy (best_m, o.initial, sizeof best_m);
      icp (bvh, fine, n_fine, best_m, o.max_iterations, o.trim_fraction, o.max_distance, extent, pairs, &best);
    }
  else
    {
      double cm[3], am[3][3], cf[3], af[3][3];
      float cand_m[N_REFINED][16];
      double cand_score[N_REFINED];
      int cand_c[N_REFINED], n_cand = 0;

      principal_axes (fine, n_fine, cm, am);
      fixed_pts = sample_vertices (fixed, 20000, &n_fixed_pts);
      principal_axes (fixed_pts, n_fixed_pts, cf, af);

      /* Coarse ICP from every start; keep the N_REFINED best, in order of
       * score then candidate number. */
      for (int c = 0; c <= 24; c++)
        {
          float m[16];
          IcpStats s;
          double sc;
          int pos;

          if (c == 0)
            op_mat4_identity (m);
          else
            candidate_matrix (c, cm, am, cf, af, m);
          icp (bvh, coarse, n_coarse, m, COARSE_ITERATIONS, o.trim_fraction, 2 * o.max_distance, extent, pairs, &s);
          sc = score (&s, 2 * o.max_distance);
          for (pos = n_cand; pos > 0 && cand_score[pos - 1] > sc; pos--)
            ;
          if (pos >= N_REFINED)
            continue;
          for (int k = MIN (n_cand, N_REFINED - 1); k > pos; k--)
            {
              memcpy (cand_m[k], cand_m[k - 1], sizeof cand_m[k]);
              cand_score[k] = cand_score[k - 1];
              cand_c[k] = cand_c[k - 1];
            }
          memcpy (cand_m[pos], m, sizeof m);
          cand_score[pos] = sc;
          cand_c[pos] = c;
          n_cand = MIN (n_cand + 1, N_REFINED);
        }

      /* Refine the best few on a middling sample and keep the closest,
       * then finish that one on the full sample. */
      for (int k = 0; k < n_cand; k++)
        {
          IcpStats s;

          icp (bvh, mid, n_mid, cand_m[k], MID_ITERATIONS, o.trim_fraction, o.max_distance, extent, pairs, &s);
          if (best_c < 0 || score (&s, o.max_distance) < score (&best, o.max_distance))
            {
              best = s;
              best_c = cand_c[k];
              memcpy (best_m, cand_m[k], sizeof best_m);
            }
        }
      icp (bvh, fine, n_fine, best_m, o.max_iterations, o.trim_fraction, o.max_distance, extent, pairs, &best);
    }

  if (best.n_pairs < 6 || best.rms == G_MAXDOUBLE)
    {
      g_set_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_NO_OVERLAP,
                   "registration: the scan never came within %.1f mm of the CBCT surface; "
                   "check that both show the same jaw, or pair three points by hand", o.max_distance);
      return FALSE;
    }
  memcpy (out->matrix, best_m, sizeof best_m);
  out->rms_mm = best.rms;
  out->inlier_fraction = best.inliers;
  out->n_pairs = best.n_pairs;
  out->iterations = best.iterations;
  out->candidate = best_c;
  return TRUE;
}
