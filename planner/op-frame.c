/* op-frame.c: tooth frames and widths from meshes and their arch. */
#include <math.h>
#include <string.h>

#include "op-frame.h"
#include "op-linalg.h"

G_DEFINE_QUARK (op-frame-error-quark, op_frame_error)

/* A tooth counts as crown and root when its longest principal axis is at
 * least this much longer (in standard deviation) than the next: real
 * incisors to molars with roots measure 1.5-2.5, crowns alone 1.0-1.3. */
#define ELONGATED_RATIO 1.35

/* The crown of a crown-and-root tooth: the part of the surface above this
 * fraction of its length, measured from the root apex.  Anatomical crowns
 * are 40-45% of the tooth's length, so 0.58 keeps the crown clear of the
 * cemento-enamel junction. */
#define CROWN_FRACTION 0.58

static inline double
vdot (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

static gboolean
vnormalize (float v[3])
{
  double l = sqrt (vdot (v, v));

  if (!(l > 1e-9) || !isfinite (l))
    return FALSE;
  for (int k = 0; k < 3; k++)
    v[k] = (float) (v[k] / l);
  return TRUE;
}

static void
vcross (const float a[3], const float b[3], float o[3])
{
  float t[3] = {
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  };
  memcpy (o, t, sizeof t);
}

/* Removes from @v its part along unit @n. */
static void
vreject (float v[3], const float n[3])
{
  double d = vdot (v, n);
  for (int k = 0; k < 3; k++)
    v[k] = (float) (v[k] - d * n[k]);
}

double
op_frame_angle_deg (const float a[3],
                    const float b[3])
{
  double la = sqrt (vdot (a, a)), lb = sqrt (vdot (b, b));

  if (la <= 0 || lb <= 0)
    return 180.0;
  return acos (CLAMP (vdot (a, b) / (la * lb), -1.0, 1.0)) * 180.0 / G_PI;
}

/* Area-weighted centroid and second moments of the surface, over the
 * triangles whose centroid is at least @min_height along @axis from
 * @axis_origin (all triangles when @axis is NULL).  FALSE when no area. */
static gboolean
surface_moments (const OpMesh *mesh,
                 const float  *axis,
                 const float  *axis_origin,
                 double        min_height,
                 double        centroid[3],
                 double        cov[3][3])
{
  double area = 0, sum[3] = { 0, 0, 0 }, sq[3][3] = { { 0 } };

  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const float *a = &mesh->positions[3 * mesh->indices[3 * t]];
      const float *b = &mesh->positions[3 * mesh->indices[3 * t + 1]];
      const float *c = &mesh->positions[3 * mesh->indices[3 * t + 2]];
      float e1[3], e2[3], n[3], m[3];
      double w;

      for (int k = 0; k < 3; k++)
        {
          e1[k] = b[k] - a[k];
          e2[k] = c[k] - a[k];
          m[k] = (a[k] + b[k] + c[k]) / 3.f;
        }
      if (axis != NULL)
        {
          float rel[3] = { m[0] - axis_origin[0], m[1] - axis_origin[1], m[2] - axis_origin[2] };
          if (vdot (rel, axis) < min_height)
            continue;
        }
      vcross (e1, e2, n);
      w = .5 * sqrt (vdot (n, n));
      area += w;
      for (int i = 0; i < 3; i++)
        {
          sum[i] += w * m[i];
          for (int j = 0; j < 3; j++)
            sq[i][j] += w * m[i] * m[j];
        }
    }
  if (!(area > 0) || !isfinite (area))
    return FALSE;
  for (int i = 0; i < 3; i++)
    centroid[i] = sum[i] / area;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      cov[i][j] = sq[i][j] / area - centroid[i] * centroid[j];
  return TRUE;
}

/* Centroids of the teeth sort from the patient's right to left. */
static double
arch_key (int fdi)
{
  int p = op_fdi_arch_position (fdi);
  return p > 0 ? p - .5 : p + .5;
}

gboolean
op_arch_context_compute (const OpMesh *const *meshes,
                         const int           *fdi,
                         guint                n_teeth,
                         OpArchContext       *out,
                         GError             **error)
{
  OpArchContext ctx = { 0 };
  guint order[OP_ARCH_MAX_TEETH];
  double cov[3][3] = { { 0 } }, values[3], vectors[3][3];
  float down[3] = { 0, 0, 1 };
  int right_mesial = -1, left_mesial = -1;

  g_return_val_if_fail (meshes != NULL && fdi != NULL && out != NULL, FALSE);

  if (n_teeth < 3 || n_teeth > OP_ARCH_MAX_TEETH)
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_TOO_FEW_TEETH,
                   "an arch needs 3 to %d teeth for its curve, not %u", OP_ARCH_MAX_TEETH, n_teeth);
      return FALSE;
    }
  for (guint i = 0; i < n_teeth; i++)
    {
      if (!op_fdi_is_valid (fdi[i]) || op_fdi_is_upper (fdi[i]) != op_fdi_is_upper (fdi[0]))
        {
          g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_TOO_FEW_TEETH,
                       "tooth %d does not belong to the %s arch", fdi[i], op_fdi_is_upper (fdi[0]) ? "upper" : "lower");
          return FALSE;
        }
      order[i] = i;
    }
  /* Insertion sort by position along the arch: a handful of teeth. */
  for (guint i = 1; i < n_teeth; i++)
    for (guint j = i; j > 0 && arch_key (fdi[order[j]]) < arch_key (fdi[order[j - 1]]); j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  ctx.upper = op_fdi_is_upper (fdi[0]);
  ctx.n_teeth = n_teeth;
  for (guint i = 0; i < n_teeth; i++)
    {
      const OpMesh *mesh = meshes[order[i]];
      double c[3], m2[3][3];

      if (mesh == NULL || mesh->n_triangles == 0)
        {
          g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_NO_MESH, "tooth %d has no mesh", fdi[order[i]]);
          return FALSE;
        }
      if (!surface_moments (mesh, NULL, NULL, 0, c, m2))
        {
          g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_DEGENERATE,
                       "tooth %d: its mesh has no surface area", fdi[order[i]]);
          return FALSE;
        }
      ctx.fdi[i] = fdi[order[i]];
      for (int k = 0; k < 3; k++)
        {
          ctx.centroid[i][k] = (float) c[k];
          ctx.centre[k] += (float) (c[k] / n_teeth);
        }
      if (op_fdi_is_left (ctx.fdi[i]))
        {
          if (left_mesial < 0)
            left_mesial = i;
        }
      else
        right_mesial = i;
    }

  /* The occlusal plane through the tooth centroids: its normal is the
   * direction in which they spread least. */
  for (guint i = 0; i < n_teeth; i++)
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        cov[a][b] += ((double) ctx.centroid[i][a] - ctx.centre[a]) * ((double) ctx.centroid[i][b] - ctx.centre[b]);
  op_sym3_eigen (cov, values, vectors);
  for (int k = 0; k < 3; k++)
    ctx.occlusal[k] = (float) vectors[2][k];
  /* The patient frame is LPS: upper crowns point down (-z), lower up. */
  if (ctx.upper)
    down[2] = -1;
  if (vdot (ctx.occlusal, down) < 0)
    for (int k = 0; k < 3; k++)
      ctx.occlusal[k] = -ctx.occlusal[k];
  if (!vnormalize (ctx.occlusal) || values[1] <= 1e-6)
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_DEGENERATE,
                   "the %s teeth lie on a line: no occlusal plane", ctx.upper ? "upper" : "lower");
      return FALSE;
    }

  /* The midline between the most mesial tooth of each side (the central
   * incisors when present); with one side only, its most mesial tooth. */
  {
    const float *r = right_mesial >= 0 ? ctx.centroid[right_mesial] : ctx.centroid[left_mesial];
    const float *l = left_mesial >= 0 ? ctx.centroid[left_mesial] : ctx.centroid[right_mesial];

    for (int k = 0; k < 3; k++)
      {
        ctx.midline[k] = .5f * (r[k] + l[k]);
        ctx.anterior[k] = ctx.midline[k] - ctx.centre[k];
      }
    vreject (ctx.anterior, ctx.occlusal);
    if (!vnormalize (ctx.anterior))
      {
        g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_DEGENERATE,
                     "the %s arch has no front: its incisors sit at its centre", ctx.upper ? "upper" : "lower");
        return FALSE;
      }
  }
  *out = ctx;
  return TRUE;
}

static int
arch_index (const OpArchContext *arch, int fdi)
{
  for (guint i = 0; i < arch->n_teeth; i++)
    if (arch->fdi[i] == fdi)
      return (int) i;
  return -1;
}

float
op_frame_extent_along (const OpMesh  *mesh,
                       const OpFrame *frame,
                       const float    axis[3],
                       float          min_height)
{
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

  g_return_val_if_fail (mesh != NULL && frame != NULL && axis != NULL, 0.f);

  for (gsize i = 0; i < mesh->n_vertices; i++)
    {
      const float *p = &mesh->positions[3 * i];
      float rel[3] = { p[0] - frame->origin[0], p[1] - frame->origin[1], p[2] - frame->origin[2] };
      double s;

      if (vdot (rel, frame->occlusal) < min_height)
        continue;
      s = vdot (rel, axis);
      lo = MIN (lo, s);
      hi = MAX (hi, s);
    }
  return hi >= lo ? (float) (hi - lo) : 0.f;
}

gboolean
op_frame_estimate (const OpMesh        *mesh,
                   int                  fdi,
                   const OpArchContext *arch,
                   OpFrame             *out_frame,
                   float               *out_width,
                   GError             **error)
{
  double c[3], cov[3][3], values[3], vectors[3][3];
  OpFrame f = { { 0 } };
  int idx, best = 0;
  float tangent[3], outward[3];
  gboolean elongated;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, crown_cut = -G_MAXDOUBLE;

  g_return_val_if_fail (arch != NULL && out_frame != NULL, FALSE);

  idx = arch_index (arch, fdi);
  if (mesh == NULL || mesh->n_triangles == 0)
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_NO_MESH, "tooth %d has no mesh", fdi);
      return FALSE;
    }
  if (idx < 0)
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_TOO_FEW_TEETH,
                   "tooth %d is not among the teeth of its arch", fdi);
      return FALSE;
    }
  if (!surface_moments (mesh, NULL, NULL, 0, c, cov))
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_DEGENERATE, "tooth %d: its mesh has no surface area", fdi);
      return FALSE;
    }
  op_sym3_eigen (cov, values, vectors);

  /* The long axis: of the principal axes, the one nearest the arch's
   * occlusal normal, when the tooth is long enough for it to mean the
   * root-to-crown direction; a crown alone takes the occlusal normal. */
  for (int i = 1; i < 3; i++)
    if (fabs (vectors[i][0] * arch->occlusal[0] + vectors[i][1] * arch->occlusal[1] + vectors[i][2] * arch->occlusal[2])
        > fabs (vectors[best][0] * arch->occlusal[0] + vectors[best][1] * arch->occlusal[1] + vectors[best][2] * arch->occlusal[2]))
      best = i;
  elongated = best == 0 && values[1] > 0 && sqrt (values[0] / values[1]) >= ELONGATED_RATIO;
  for (int k = 0; k < 3; k++)
    f.occlusal[k] = elongated ? (float) vectors[0][k] : arch->occlusal[k];
  if (vdot (f.occlusal, arch->occlusal) < 0)
    for (int k = 0; k < 3; k++)
      f.occlusal[k] = -f.occlusal[k];
  vnormalize (f.occlusal);

  /* Mesial: the arch's direction at the tooth, from its distal neighbour
   * towards its mesial one (across the midline for a central incisor). */
  {
    int prev = idx > 0 ? idx - 1 : idx, next = idx + 1 < (int) arch->n_teeth ? idx + 1 : idx;
    gboolean left = op_fdi_is_left (fdi);

    for (int k = 0; k < 3; k++)
      tangent[k] = arch->centroid[next][k] - arch->centroid[prev][k];
    /* Sorted right to left: towards the midline is +index on the right
     * and -index on the left. */
    if (left)
      for (int k = 0; k < 3; k++)
        tangent[k] = -tangent[k];
  }
  vreject (tangent, f.occlusal);
  if (!vnormalize (tangent))
    {
      g_set_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_DEGENERATE,
                   "tooth %d: its neighbours lie along its long axis", fdi);
      return FALSE;
    }
  vcross (f.occlusal, tangent, f.buccal);
  for (int k = 0; k < 3; k++)
    outward[k] = (float) c[k] - arch->centre[k];
  if (vdot (f.buccal, outward) < 0)
    for (int k = 0; k < 3; k++)
      f.buccal[k] = -f.buccal[k];
  vnormalize (f.buccal);
  /* Exactly orthogonal, keeping mesial on its side. */
  vcross (f.buccal, f.occlusal, f.mesial);
  if (vdot (f.mesial, tangent) < 0)
    for (int k = 0; k < 3; k++)
      f.mesial[k] = -f.mesial[k];

  /* Origin: the centre of the crown. */
  for (int k = 0; k < 3; k++)
    f.origin[k] = (float) c[k];
  if (elongated)
    {
      double cc[3], ccov[3][3];

      for (gsize i = 0; i < mesh->n_vertices; i++)
        {
          const float *p = &mesh->positions[3 * i];
          float rel[3] = { p[0] - f.origin[0], p[1] - f.origin[1], p[2] - f.origin[2] };
          double h = vdot (rel, f.occlusal);
          lo = MIN (lo, h);
          hi = MAX (hi, h);
        }
      crown_cut = lo + CROWN_FRACTION * (hi - lo);
      if (surface_moments (mesh, f.occlusal, f.origin, crown_cut, cc, ccov))
        {
          for (int k = 0; k < 3; k++)
            f.origin[k] = (float) cc[k];
          crown_cut -= vdot ((float[3]) { (float) (cc[0] - c[0]), (float) (cc[1] - c[1]), (float) (cc[2] - c[2]) }, f.occlusal);
        }
    }

  *out_frame = f;
  if (out_width)
    *out_width = op_frame_extent_along (mesh, &f, f.mesial, (float) crown_cut);
  return TRUE;
}

/* Neighbours whose crowns come closer than this touch: their contact
 * points mark the tooth's mesio-distal axis. */
#define CONTACT_MAX_GAP_MM 1.0
/* A contact direction further than this from the arch's is not trusted:
 * a neighbour out of the arch, not a rotated tooth. */
#define CONTACT_MAX_TURN_DEG 35.0

static gint64
cell_key (const float p[3])
{
  gint64 i = (gint64) floor (p[0] / CONTACT_MAX_GAP_MM) + (1 << 20);
  gint64 j = (gint64) floor (p[1] / CONTACT_MAX_GAP_MM) + (1 << 20);
  gint64 k = (gint64) floor (p[2] / CONTACT_MAX_GAP_MM) + (1 << 20);

  return (i << 42) | (j << 21) | k;
}

/* Where the surfaces of @a and @b come nearest, when that is closer than
 * CONTACT_MAX_GAP_MM: the midpoint of their closest pair of vertices,
 * found through a grid of @b's vertices in cells of that size (the first
 * closest pair in vertex order, so the answer does not depend on the
 * table's order). */
static gboolean
contact_point (const OpMesh *a, const OpMesh *b, float out[3])
{
  g_autoptr(GHashTable) grid = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      (GDestroyNotify) g_array_unref);
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  double best = CONTACT_MAX_GAP_MM * CONTACT_MAX_GAP_MM;
  gssize best_a = -1, best_b = -1;

  for (gsize v = 0; v < a->n_vertices; v++)
    for (int k = 0; k < 3; k++)
      {
        lo[k] = MIN (lo[k], a->positions[v * 3 + k]);
        hi[k] = MAX (hi[k], a->positions[v * 3 + k]);
      }
  /* Only @b's vertices near @a's box can be nearest. */
  for (gsize v = 0; v < b->n_vertices; v++)
    {
      const float *p = &b->positions[v * 3];
      gint64 key;
      GArray *list;
      guint32 idx = (guint32) v;

      if (p[0] < lo[0] - CONTACT_MAX_GAP_MM || p[0] > hi[0] + CONTACT_MAX_GAP_MM ||
          p[1] < lo[1] - CONTACT_MAX_GAP_MM || p[1] > hi[1] + CONTACT_MAX_GAP_MM ||
          p[2] < lo[2] - CONTACT_MAX_GAP_MM || p[2] > hi[2] + CONTACT_MAX_GAP_MM)
        continue;
      key = cell_key (p);
      list = g_hash_table_lookup (grid, &key);
      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_hash_table_insert (grid, g_memdup2 (&key, sizeof key), list);
        }
      g_array_append_val (list, idx);
    }
  if (g_hash_table_size (grid) == 0)
    return FALSE;
  for (gsize v = 0; v < a->n_vertices; v++)
    {
      const float *p = &a->positions[v * 3];

      for (int di = -1; di <= 1; di++)
        for (int dj = -1; dj <= 1; dj++)
          for (int dk = -1; dk <= 1; dk++)
            {
              float q[3] = { p[0] + di * (float) CONTACT_MAX_GAP_MM, p[1] + dj * (float) CONTACT_MAX_GAP_MM,
                             p[2] + dk * (float) CONTACT_MAX_GAP_MM };
              gint64 key = cell_key (q);
              GArray *list = g_hash_table_lookup (grid, &key);

              if (list == NULL)
                continue;
              for (guint i = 0; i < list->len; i++)
                {
                  guint32 w = g_array_index (list, guint32, i);
                  const float *r = &b->positions[w * 3];
                  double d2 = 0;

                  for (int k = 0; k < 3; k++)
                    d2 += ((double) p[k] - r[k]) * ((double) p[k] - r[k]);
                  if (d2 < best)
                    {
                      best = d2;
                      best_a = (gssize) v;
                      best_b = (gssize) w;
                    }
                }
            }
    }
  if (best_a < 0)
    return FALSE;
  for (int k = 0; k < 3; k++)
    out[k] = .5f * (a->positions[best_a * 3 + k] + b->positions[best_b * 3 + k]);
  return TRUE;
}

/* The mesio-distal axis through the contact points.  The arch's tangent
 * at a tooth is the axis of a tooth that stands square in the arch; a
 * tooth rotated about its long axis (common in crowding: this patient's
 * 34, 45 and 47 by 20-25 degrees) carries its contacts round with it,
 * since they sit on its marginal ridges.  So where a tooth touches both
 * neighbours, its mesial axis runs from the distal contact to the mesial
 * one; where it touches one, from its centre to that contact (or from it
 * to the centre); otherwise the arch's tangent stays. */
static void
refine_by_contacts (OpDentition *dentition, const int *fdi, guint n)
{
  g_autofree OpFrame *frames = g_new0 (OpFrame, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const OpTooth *t = op_dentition_get (dentition, fdi[i]);
      float contact[2][3], m[3];
      gboolean has[2] = { FALSE, FALSE };
      OpFrame f = t->frame;

      frames[i] = f;
      /* fdi[] runs along the arch: from one neighbour to the other. */
      for (int side = 0; side < 2; side++)
        {
          int j = side ? (int) i + 1 : (int) i - 1;
          const OpTooth *u;

          if (j < 0 || j >= (int) n)
            continue;
          u = op_dentition_get (dentition, fdi[j]);
          has[side] = contact_point (t->crown, u->crown, contact[side]);
        }
      if (!has[0] || !has[1])
        continue;
      for (int k = 0; k < 3; k++)
        m[k] = contact[1][k] - contact[0][k];
      vreject (m, f.occlusal);
      if (!vnormalize (m))
        continue;
      /* The contacts run along the arch's order, which is mesial or distal
       * depending on the side: keep the arch's sense. */
      if (vdot (m, f.mesial) < 0)
        for (int k = 0; k < 3; k++)
          m[k] = -m[k];
      if (op_frame_angle_deg (m, f.mesial) > CONTACT_MAX_TURN_DEG)
        continue;
      /* Contacts sit a little buccal or lingual of the true axis, by the
       * crown's shape; half way between them and the arch's tangent did
       * best on the real teeth. */
      for (int k = 0; k < 3; k++)
        m[k] += f.mesial[k];
      if (!vnormalize (m))
        continue;
      vcross (f.occlusal, m, f.buccal);
      if (vdot (f.buccal, t->frame.buccal) < 0)
        for (int k = 0; k < 3; k++)
          f.buccal[k] = -f.buccal[k];
      vnormalize (f.buccal);
      memcpy (f.mesial, m, sizeof m);
      frames[i] = f;
    }
  /* Every contact was measured on the arch's frames: apply them after. */
  for (guint i = 0; i < n; i++)
    op_dentition_get (dentition, fdi[i])->frame = frames[i];
}

gboolean
op_frame_estimate_dentition (OpDentition *dentition,
                             GError     **error)
{
  g_return_val_if_fail (dentition != NULL, FALSE);

  for (int upper = 1; upper >= 0; upper--)
    {
      const OpMesh *meshes[OP_ARCH_MAX_TEETH];
      int fdi[OP_ARCH_MAX_TEETH];
      guint n = 0;
      OpArchContext arch;

      for (guint i = 0; i < dentition->teeth->len; i++)
        {
          OpTooth *t = g_ptr_array_index (dentition->teeth, i);

          if (op_fdi_is_upper (t->fdi) != (upper != 0) || op_fdi_is_primary (t->fdi) || t->crown == NULL)
            continue;
          if (n == OP_ARCH_MAX_TEETH)
            break;
          meshes[n] = t->crown;
          fdi[n++] = t->fdi;
        }
      if (n == 0)
        continue;
      if (!op_arch_context_compute (meshes, fdi, n, &arch, error))
        {
          g_prefix_error (error, "%s arch: ", upper ? "upper" : "lower");
          return FALSE;
        }
      for (guint i = 0; i < n; i++)
        {
          OpTooth *t = op_dentition_get (dentition, fdi[i]);

          if (!op_frame_estimate (meshes[i], fdi[i], &arch, &t->frame, &t->width, error))
            return FALSE;
          t->has_frame = TRUE;
        }
      /* The teeth in arch order, so that neighbours are next to each
       * other. */
      refine_by_contacts (dentition, arch.fdi, arch.n_teeth);
    }
  return TRUE;
}
