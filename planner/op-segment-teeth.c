/* op-segment-teeth.c: per-tooth bodies from the labels.
 *
 * Each tooth becomes a closed crown (its labelled triangles with every
 * border loop capped by a fan), a local frame, landmarks and a width; the
 * gingiva keeps the triangles labelled 0.  The long axis is the normal of
 * the plane that best fits the crown's gum line: the cervical line of a
 * tooth lies roughly perpendicular to its long axis, and it is the one
 * part of the crown that does not depend on wear or cusp shape (only
 * its border with the gingiva counts, not the contacts with the
 * neighbours).  The mesial axis follows the chord between the
 * neighbouring crowns.
 */
#include "op-segment-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-linalg.h"

/* Copies the triangles whose three corners satisfy labels == @label into
 * a new mesh (vertices renumbered in input order). */
static OpMesh *
extract_part (const OpMesh *mesh,
              const gint32 *labels,
              gint32        label,
              gboolean      majority)
{
  g_autofree gint32 *remap = g_new (gint32, mesh->n_vertices);
  gsize nv = 0, nt = 0;
  OpMesh *out;

  for (gsize v = 0; v < mesh->n_vertices; v++)
    remap[v] = -1;
  for (gsize f = 0; f < mesh->n_triangles; f++)
    {
      const guint32 *t = &mesh->indices[3 * f];
      int hits = (labels[t[0]] == label) + (labels[t[1]] == label) + (labels[t[2]] == label);
      if (hits == 3 || (majority && hits == 2))
        {
          nt++;
          for (int k = 0; k < 3; k++)
            remap[t[k]] = 0;
        }
    }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (remap[v] == 0)
      remap[v] = (gint32) nv++;
  out = op_mesh_new (nv, nt, OP_MESH_ATTR_NONE);
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (remap[v] >= 0)
      memcpy (&out->positions[3 * remap[v]], &mesh->positions[3 * v], 3 * sizeof (float));
  nt = 0;
  for (gsize f = 0; f < mesh->n_triangles; f++)
    {
      const guint32 *t = &mesh->indices[3 * f];
      int hits = (labels[t[0]] == label) + (labels[t[1]] == label) + (labels[t[2]] == label);
      if (hits == 3 || (majority && hits == 2))
        {
          for (int k = 0; k < 3; k++)
            out->indices[3 * nt + k] = (guint32) remap[t[k]];
          nt++;
        }
    }
  return out;
}

typedef struct {
  guint32 a, b;
} Edge;

static int
cmp_edge (const void *x, const void *y)
{
  const Edge *e = x, *f = y;
  if (e->a != f->a)
    return e->a < f->a ? -1 : 1;
  return (e->b > f->b) - (e->b < f->b);
}

/* Directed border edges of @mesh: a -> b with no triangle running b -> a
 * (each directed edge cancels one opposite twin, so non-manifold edges
 * used by more than two triangles leave their unmatched copies here). */
static GArray *
border_edges (const OpMesh *mesh)
{
  g_autofree Edge *all = g_new (Edge, MAX (3 * mesh->n_triangles, 1));
  g_autofree guint8 *gone = g_new0 (guint8, MAX (3 * mesh->n_triangles, 1));
  gsize n = 3 * mesh->n_triangles;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Edge));

  for (gsize e = 0; e < n; e++)
    {
      all[e].a = mesh->indices[e];
      all[e].b = mesh->indices[e - e % 3 + (e % 3 + 1) % 3];
    }
  qsort (all, n, sizeof (Edge), cmp_edge);
  for (gsize e = 0; e < n; e++)
    {
      Edge rev = { all[e].b, all[e].a };
      Edge *hit;
      gsize lo = 0, hi = n;

      if (gone[e])
        continue;
      /* First unmatched copy of the reverse edge, by binary search. */
      while (lo < hi)
        {
          gsize mid = (lo + hi) / 2;
          if (cmp_edge (&all[mid], &rev) < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      hit = NULL;
      for (gsize k = lo; k < n && cmp_edge (&all[k], &rev) == 0; k++)
        if (!gone[k])
          {
            hit = &all[k];
            gone[k] = 1;
            break;
          }
      if (hit)
        gone[e] = 1;
    }
  for (gsize e = 0; e < n; e++)
    if (!gone[e])
      g_array_append_val (out, all[e]);
  return out;
}

/* Closes every border loop with a fan around its centroid, so the crown
 * can be moved and tested for collisions as a solid.  Loops are walked
 * edge by edge (a vertex where two loops touch has two outgoing border
 * edges, and each is used once).  Border points are also returned for
 * the gum-line plane fit. */
static OpMesh *
cap_borders (OpMesh *part,
             GArray *border_points)
{
  g_autoptr(GArray) edges = border_edges (part);
  g_autofree guint8 *used = g_new0 (guint8, MAX (edges->len, 1));
  g_autoptr(GArray) pos = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) tri = g_array_new (FALSE, FALSE, sizeof (guint32));
  const Edge *E = (const Edge *) edges->data;
  OpMesh *out;

  g_array_append_vals (pos, part->positions, 3 * part->n_vertices);
  g_array_append_vals (tri, part->indices, 3 * part->n_triangles);
  for (guint e0 = 0; e0 < edges->len; e0++)
    {
      g_autoptr(GArray) loop = NULL;
      double c[3] = { 0 };
      guint32 centre;
      guint e = e0;

      if (used[e0])
        continue;
      loop = g_array_new (FALSE, FALSE, sizeof (Edge));
      for (;;)
        {
          guint lo = 0, hi = edges->len, next = G_MAXUINT;
          used[e] = 1;
          g_array_append_val (loop, E[e]);
          /* An unused edge starting where this one ends. */
          while (lo < hi)
            {
              guint mid = (lo + hi) / 2;
              if (E[mid].a < E[e].b)
                lo = mid + 1;
              else
                hi = mid;
            }
          for (guint k = lo; k < edges->len && E[k].a == E[e].b; k++)
            if (!used[k])
              {
                next = k;
                break;
              }
          if (next == G_MAXUINT)
            break;
          e = next;
        }
      for (guint i = 0; i < loop->len; i++)
        {
          const float *p = &part->positions[3 * g_array_index (loop, Edge, i).a];
          for (int k = 0; k < 3; k++)
            c[k] += p[k];
          g_array_append_vals (border_points, p, 3);
        }
      centre = pos->len / 3;
      for (int k = 0; k < 3; k++)
        {
          float x = (float) (c[k] / loop->len);
          g_array_append_val (pos, x);
        }
      /* The border runs a -> b along the part's triangles; the cap's
       * triangle runs b -> a to face outwards.  A chain that did not
       * close (a defect in the input) is still fanned edge by edge, so
       * each of its edges gets its twin. */
      for (guint i = 0; i < loop->len; i++)
        {
          Edge ed = g_array_index (loop, Edge, i);
          guint32 t[3] = { ed.b, ed.a, centre };
          g_array_append_vals (tri, t, 3);
        }
    }
  out = op_mesh_new (pos->len / 3, tri->len / 3, OP_MESH_ATTR_NONE);
  memcpy (out->positions, pos->data, pos->len * sizeof (float));
  memcpy (out->indices, tri->data, tri->len * sizeof (guint32));
  op_mesh_compute_normals (out);
  op_mesh_compute_bounds (out);
  return out;
}

/* The points of tooth @fdi's border with the gingiva, leaving out its
 * borders with the neighbouring teeth.  Those contacts run up the sides
 * of the crown, across the gum line's plane, and tilt the plane fitted
 * to the whole border by 10-30 degrees on incisors and premolars, whose
 * contacts are long for their small gum line. */
static GArray *
gum_line_points (const OpSegCtx *ctx,
                 const gint32   *labels,
                 int             fdi)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (float));

  for (gsize v = 0; v < ctx->nv; v++)
    {
      gboolean gum = FALSE, other = FALSE;
      if (labels[v] != fdi)
        continue;
      for (guint32 e = ctx->adj_start[v]; e < ctx->adj_start[v + 1]; e++)
        {
          gint32 l = labels[ctx->adj[e]];
          gum |= l == 0;
          other |= l != 0 && l != fdi;
        }
      if (gum && !other)
        g_array_append_vals (out, &ctx->mesh->positions[3 * v], 3);
    }
  return out;
}

static void
fit_frame (const OpSegCtx  *ctx,
           const OpMesh    *part,
           const GArray    *border,
           const OpSegSpan *span,
           OpTooth         *tooth)
{
  double c[3] = { 0 }, area = 0;
  float occ[3], mes[3], buc[3], arch_p[3], tangent[3], out_dir[3];
  int side = op_fdi_is_left (tooth->fdi) == !op_fdi_is_upper (tooth->fdi) ? 1 : -1;

  /* Crown centre: the area-weighted centroid of the crown surface. */
  for (gsize f = 0; f < part->n_triangles; f++)
    {
      const float *a = &part->positions[3 * part->indices[3 * f]];
      const float *b = &part->positions[3 * part->indices[3 * f + 1]];
      const float *d = &part->positions[3 * part->indices[3 * f + 2]];
      float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { d[0] - a[0], d[1] - a[1], d[2] - a[2] }, n[3];
      double ar;
      cross3 (e1, e2, n);
      ar = 0.5 * sqrt (dot3 (n, n));
      for (int k = 0; k < 3; k++)
        c[k] += ar * (a[k] + b[k] + d[k]) / 3.0;
      area += ar;
    }
  for (int k = 0; k < 3; k++)
    tooth->frame.origin[k] = area > 0 ? (float) (c[k] / area) : 0.f;

  /* Long axis: normal of the gum line's best plane, towards the crown. */
  memcpy (occ, ctx->occ, sizeof occ);
  if (border->len / 3 >= 8)
    {
      double mean[3] = { 0 }, cov[3][3] = { { 0 } }, values[3], vec[3][3];
      guint n = border->len / 3;
      const float *bp = (const float *) border->data;
      for (guint i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
          mean[k] += bp[3 * i + k] / n;
      for (guint i = 0; i < n; i++)
        for (int r = 0; r < 3; r++)
          for (int q = 0; q < 3; q++)
            cov[r][q] += (bp[3 * i + r] - mean[r]) * (bp[3 * i + q] - mean[q]);
      op_sym3_eigen (cov, values, vec);
      /* Trust the plane only when the loop is clearly a ring (its
       * thinnest spread much smaller than the others) and not far from
       * the arch's own occlusal direction. */
      if (values[2] < 0.25 * values[1])
        {
          float cand[3] = { (float) vec[2][0], (float) vec[2][1], (float) vec[2][2] };
          if (dot3 (cand, occ) < 0)
            for (int k = 0; k < 3; k++)
              cand[k] = -cand[k];
          if (dot3 (cand, occ) > cosf (40.f * (float) G_PI / 180.f))
            memcpy (occ, cand, sizeof occ);
        }
    }

  /* Mesial: along the arch, towards the midline.  The side of the
   * midline comes from the tooth's number, not from the sign of its arc
   * length: a central incisor's centre lies within a millimetre of s = 0,
   * and a midline found half a tooth off would turn its mesial axis
   * round (measured: 41 pointed distally in 6 of 11 phantoms). */
  op__seg_arch_point (ctx, 0.5f * (span->s0 + span->s1), arch_p, tangent);
  for (int k = 0; k < 3; k++)
    mes[k] = (side > 0 ? -1.f : 1.f) * tangent[k];
  {
    float d = dot3 (mes, occ);
    for (int k = 0; k < 3; k++)
      mes[k] -= d * occ[k];
    normalize3 (mes);
  }
  /* Buccal: perpendicular to both, away from the arch centre. */
  cross3 (occ, mes, buc);
  for (int k = 0; k < 3; k++)
    out_dir[k] = arch_p[k] - ctx->centre[k];
  if (dot3 (buc, out_dir) < 0)
    for (int k = 0; k < 3; k++)
      buc[k] = -buc[k];
  normalize3 (buc);
  memcpy (tooth->frame.occlusal, occ, sizeof occ);
  memcpy (tooth->frame.mesial, mes, sizeof mes);
  memcpy (tooth->frame.buccal, buc, sizeof buc);
  tooth->has_frame = TRUE;
}

static void
find_landmarks (const OpMesh *part,
                const GArray *border,
                OpTooth      *tooth)
{
  const OpFrame *fr = &tooth->frame;
  OpLandmarks *lm = &tooth->landmarks;
  gsize n = part->n_vertices;
  float top = -G_MAXFLOAT, gum = 0, mmin = G_MAXFLOAT, mmax = -G_MAXFLOAT;
  gsize imin = 0, imax = 0;
  g_autofree float *hh = g_new (float, MAX (n, 1));
  g_autofree float *mm = g_new (float, MAX (n, 1));
  g_autofree float *bb = g_new (float, MAX (n, 1));

  memset (lm, 0, sizeof *lm);
  if (n == 0)
    return;
  for (gsize v = 0; v < n; v++)
    {
      float d[3] = { part->positions[3 * v] - fr->origin[0], part->positions[3 * v + 1] - fr->origin[1],
                     part->positions[3 * v + 2] - fr->origin[2] };
      hh[v] = dot3 (d, fr->occlusal);
      mm[v] = dot3 (d, fr->mesial);
      bb[v] = dot3 (d, fr->buccal);
      top = MAX (top, hh[v]);
    }
  if (border->len >= 3)
    {
      const float *bp = (const float *) border->data;
      for (guint i = 0; i < border->len / 3; i++)
        {
          float d[3] = { bp[3 * i] - fr->origin[0], bp[3 * i + 1] - fr->origin[1], bp[3 * i + 2] - fr->origin[2] };
          gum += dot3 (d, fr->occlusal) / (border->len / 3);
        }
    }
  else
    gum = top - 8.f;

  /* Contact points: the most mesial and most distal points of the upper
   * part of the crown (below, the crown narrows to the neck). */
  for (gsize v = 0; v < n; v++)
    if (hh[v] > gum + 0.4f * (top - gum))
      {
        if (mm[v] > mmax) { mmax = mm[v]; imax = v; }
        if (mm[v] < mmin) { mmin = mm[v]; imin = v; }
      }
  if (mmax > mmin)
    {
      memcpy (lm->mesial_contact, &part->positions[3 * imax], 3 * sizeof (float));
      memcpy (lm->distal_contact, &part->positions[3 * imin], 3 * sizeof (float));
      lm->present |= OP_LANDMARK_MESIAL | OP_LANDMARK_DISTAL;
      tooth->width = mmax - mmin;
    }

  /* Cusp tips: the highest points at least 2 mm apart, within 2.5 mm of
   * the top (greedy in height order, ties by vertex order). */
  {
    g_autofree guint32 *order = g_new (guint32, n);
    gsize m = 0;
    for (gsize v = 0; v < n; v++)
      if (hh[v] > top - 2.5f)
        order[m++] = (guint32) v;
    for (gsize i = 1; i < m; i++)
      {
        guint32 x = order[i];
        gsize j = i;
        while (j > 0 && (hh[order[j - 1]] < hh[x] || (hh[order[j - 1]] == hh[x] && order[j - 1] > x)))
          {
            order[j] = order[j - 1];
            j--;
          }
        order[j] = x;
      }
    for (gsize i = 0; i < m && lm->n_cusps < (op_fdi_is_molar (tooth->fdi) ? 5u : op_fdi_is_anterior (tooth->fdi) ? 1u : 2u); i++)
      {
        const float *p = &part->positions[3 * order[i]];
        gboolean far = TRUE;
        for (guint c = 0; c < lm->n_cusps; c++)
          {
            float d[3] = { p[0] - lm->cusps[c][0], p[1] - lm->cusps[c][1], p[2] - lm->cusps[c][2] };
            float dh = dot3 (d, fr->occlusal);
            if (dot3 (d, d) - dh * dh < 4.f)
              far = FALSE;
          }
        if (far)
          memcpy (lm->cusps[lm->n_cusps++], p, 3 * sizeof (float));
      }
    if (lm->n_cusps > 0)
      lm->present |= OP_LANDMARK_CUSPS;
  }

  /* Incisal edge midpoint (incisors and canines): the top point nearest
   * the crown's mesio-distal middle. */
  if (op_fdi_is_anterior (tooth->fdi))
    {
      float best = G_MAXFLOAT, mid = 0.5f * (mmin + mmax);
      for (gsize v = 0; v < n; v++)
        if (hh[v] > top - 1.f && fabsf (mm[v] - mid) < best)
          {
            best = fabsf (mm[v] - mid);
            memcpy (lm->incisal_mid, &part->positions[3 * v], 3 * sizeof (float));
          }
      lm->present |= OP_LANDMARK_INCISAL_MID;
    }

  /* FA point (Andrews): the middle of the facial surface's long axis,
   * halfway between the gum line and the occlusal edge, on the buccal
   * side, in the mesio-distal middle. */
  {
    float best = G_MAXFLOAT, mid = 0.5f * (mmin + mmax), hmid = 0.5f * (gum + top);
    for (gsize v = 0; v < n; v++)
      if (bb[v] > 0 && fabsf (mm[v] - mid) < 1.0f)
        {
          float d = fabsf (hh[v] - hmid) - 0.1f * bb[v];
          if (d < best)
            {
              best = d;
              memcpy (lm->fa_point, &part->positions[3 * v], 3 * sizeof (float));
            }
        }
    if (best < G_MAXFLOAT)
      lm->present |= OP_LANDMARK_FA;
  }
}

/* Turns each tooth's mesial and buccal axes about its long axis to
 * follow the chord from its distal to its mesial neighbour's centre (from
 * or to the tooth itself at the ends of the arch).  The arch curve is a
 * smooth polar fit through all the crowns and misses how the arch bends
 * at the premolars and runs at the molars by 20-40 degrees; the
 * neighbours are where the tooth actually sits.  The sign stays that of
 * the arch tangent, which is right by construction. */
static int
cmp_arch_position (const void *x, const void *y)
{
  int a = op_fdi_arch_position ((*(OpTooth *const *) x)->fdi), b = op_fdi_arch_position ((*(OpTooth *const *) y)->fdi);
  return (a > b) - (a < b);
}

static void
mesial_from_neighbours (OpDentition *dentition)
{
  guint n = dentition->teeth->len;
  g_autofree float *mes = NULL;
  g_autofree OpTooth **order = NULL;

  if (n < 2)
    return;
  mes = g_new (float, 3 * n);
  /* The dentition keeps its teeth sorted by FDI number (11..18, 21..28),
   * which is not arch order across the midline. */
  order = g_memdup2 (dentition->teeth->pdata, sizeof (OpTooth *) * n);
  qsort (order, n, sizeof (OpTooth *), cmp_arch_position);
  for (guint i = 0; i < n; i++)
    {
      const OpTooth *a = order[i > 0 ? i - 1 : i];
      const OpTooth *b = order[i + 1 < n ? i + 1 : i];
      const OpFrame *fr = &order[i]->frame;
      float *m = &mes[3 * i], d;

      for (int k = 0; k < 3; k++)
        m[k] = b->frame.origin[k] - a->frame.origin[k];
      d = dot3 (m, fr->occlusal);
      for (int k = 0; k < 3; k++)
        m[k] -= d * fr->occlusal[k];
      normalize3 (m);
      if (dot3 (m, fr->mesial) < 0)
        for (int k = 0; k < 3; k++)
          m[k] = -m[k];
    }
  /* Written after all are computed, so no tooth sees a neighbour's new
   * axes (the origins do not change anyway). */
  for (guint i = 0; i < n; i++)
    {
      OpFrame *fr = &order[i]->frame;
      float buc[3];
      if (dot3 (&mes[3 * i], &mes[3 * i]) < 0.5f)
        continue;
      cross3 (fr->occlusal, &mes[3 * i], buc);
      if (dot3 (buc, fr->buccal) < 0)
        for (int k = 0; k < 3; k++)
          buc[k] = -buc[k];
      normalize3 (buc);
      memcpy (fr->mesial, &mes[3 * i], 3 * sizeof (float));
      memcpy (fr->buccal, buc, sizeof buc);
    }
}

/* Real teeth stand rotated in the arch by some degrees each, which the
 * neighbours do not show; an incisor's crown does: its top is the incisal
 * edge, a line running mesio-distally.  When the top band of the crown is
 * clearly elongated (its spread along one direction at least
 * CROWN_ELONGATION times the other), the mesial axis follows it, as long
 * as that is within CROWN_MAX_TURN_DEG of the axis from the neighbours: a
 * worn or chipped edge must not turn a tooth round.  The other teeth keep
 * the axis from their neighbours: a canine has one cusp, molars four or
 * five, and the premolars' cusp line (tried: buccal to lingual cusp)
 * moved no premolar frame of the phantoms within 10 degrees. */
#define CROWN_ELONGATION   3.0
#define CROWN_EDGE_BAND_MM 1.5f
#define CROWN_MAX_TURN_DEG 25.f

static void
mesial_from_crown (OpTooth *tooth)
{
  OpToothType type = op_fdi_type (tooth->fdi);
  OpFrame *fr = &tooth->frame;
  const OpMesh *c = tooth->crown;
  float top = -G_MAXFLOAT, mes[3], buc[3];
  double sxx = 0, syy = 0, sxy = 0, mx = 0, my = 0, n = 0, phi, l1, l2, tr, det;

  if (type != OP_TOOTH_CENTRAL_INCISOR && type != OP_TOOTH_LATERAL_INCISOR)
    return;
  for (gsize v = 0; v < c->n_vertices; v++)
    {
      float d[3] = { c->positions[3 * v] - fr->origin[0], c->positions[3 * v + 1] - fr->origin[1],
                     c->positions[3 * v + 2] - fr->origin[2] };
      top = MAX (top, dot3 (d, fr->occlusal));
    }
  for (gsize v = 0; v < c->n_vertices; v++)
    {
      float d[3] = { c->positions[3 * v] - fr->origin[0], c->positions[3 * v + 1] - fr->origin[1],
                     c->positions[3 * v + 2] - fr->origin[2] };
      if (dot3 (d, fr->occlusal) < top - CROWN_EDGE_BAND_MM)
        continue;
      double x = dot3 (d, fr->mesial), y = dot3 (d, fr->buccal);
      mx += x;
      my += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      n++;
    }
  if (n < 10)
    return;
  mx /= n;
  my /= n;
  sxx = sxx / n - mx * mx;
  syy = syy / n - my * my;
  sxy = sxy / n - mx * my;
  tr = sxx + syy;
  det = sxx * syy - sxy * sxy;
  l1 = 0.5 * tr + sqrt (MAX (0.0, 0.25 * tr * tr - det));
  l2 = 0.5 * tr - sqrt (MAX (0.0, 0.25 * tr * tr - det));
  if (l1 < CROWN_ELONGATION * MAX (l2, 1e-9))
    return;
  /* The major axis, at angle phi from the mesial axis towards buccal. */
  phi = 0.5 * atan2 (2 * sxy, sxx - syy);
  for (int k = 0; k < 3; k++)
    mes[k] = (float) (cos (phi) * fr->mesial[k] + sin (phi) * fr->buccal[k]);
  if (dot3 (mes, fr->mesial) < 0)
    for (int k = 0; k < 3; k++)
      mes[k] = -mes[k];
  normalize3 (mes);
  if (dot3 (mes, fr->mesial) < cosf (CROWN_MAX_TURN_DEG * (float) G_PI / 180.f))
    return;
  cross3 (fr->occlusal, mes, buc);
  if (dot3 (buc, fr->buccal) < 0)
    for (int k = 0; k < 3; k++)
      buc[k] = -buc[k];
  normalize3 (buc);
  memcpy (fr->mesial, mes, sizeof mes);
  memcpy (fr->buccal, buc, sizeof buc);
}

void
op__seg_build_teeth (const OpSegCtx  *ctx,
                     const gint32    *labels,
                     const OpSegSpan *spans,
                     guint            n_spans,
                     OpDentition     *dentition)
{
  OpMesh *gingiva;

  for (guint i = 0; i < n_spans; i++)
    {
      g_autoptr(OpMesh) part = extract_part (ctx->mesh, labels, spans[i].fdi, FALSE);
      g_autoptr(GArray) border = g_array_new (FALSE, FALSE, sizeof (float));
      OpTooth *tooth;

      if (part->n_triangles < 20)
        continue;
      tooth = op_tooth_new (spans[i].fdi, cap_borders (part, border));
      tooth->confidence = spans[i].confidence;
      {
        g_autoptr(GArray) gum_line = gum_line_points (ctx, labels, spans[i].fdi);
        fit_frame (ctx, part, gum_line->len / 3 >= 8 ? gum_line : border, &spans[i], tooth);
      }
      find_landmarks (part, border, tooth);
      if (tooth->width <= 0)
        tooth->width = spans[i].s1 - spans[i].s0;
      op_dentition_add (dentition, tooth);
    }

  mesial_from_neighbours (dentition);
  for (guint i = 0; i < dentition->teeth->len; i++)
    mesial_from_crown (g_ptr_array_index (dentition->teeth, i));

  gingiva = extract_part (ctx->mesh, labels, 0, TRUE);
  op_mesh_compute_normals (gingiva);
  op_mesh_compute_bounds (gingiva);
  if (dentition->teeth->len > 0 && op_fdi_is_upper (((OpTooth *) g_ptr_array_index (dentition->teeth, 0))->fdi))
    dentition->gingiva_upper = gingiva;
  else
    dentition->gingiva_lower = gingiva;
}

void
op_gingiva_deform (const OpMesh      *gingiva,
                   const OpDentition *dentition,
                   const float       *transforms,
                   float              radius_mm,
                   float             *out)
{
  guint nt;
  g_autofree float *centre = NULL;
  g_autofree float *reach = NULL;

  g_return_if_fail (gingiva != NULL && dentition != NULL && out != NULL);
  g_return_if_fail (transforms != NULL || dentition->teeth->len == 0);

  nt = dentition->teeth->len;
  centre = g_new0 (float, 3 * MAX (nt, 1));
  reach = g_new0 (float, MAX (nt, 1));
  for (guint t = 0; t < nt; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (dentition->teeth, t);
      /* Distances are taken to a sphere around the crown centre whose
       * radius is half the crown width: cheap, and close enough to the
       * crown's surface at the gum line for a blend. */
      memcpy (&centre[3 * t], tooth->frame.origin, 3 * sizeof (float));
      reach[t] = 0.5f * MAX (tooth->width, 4.f);
    }
  for (gsize v = 0; v < gingiva->n_vertices; v++)
    {
      const float *p = &gingiva->positions[3 * v];
      double disp[3] = { 0 }, wsum = 0;

      for (guint t = 0; t < nt; t++)
        {
          float d[3] = { p[0] - centre[3 * t], p[1] - centre[3 * t + 1], p[2] - centre[3 * t + 2] };
          float dist = MAX (0.f, sqrtf (dot3 (d, d)) - reach[t]), w, q[3];
          if (dist >= radius_mm)
            continue;
          /* Smooth fall-off to zero at the radius: vertices at a crown
           * move with it, those between two teeth move with both. */
          w = 1.f - dist / radius_mm;
          w = w * w;
          op_mat4_apply_point (&transforms[16 * t], p, q);
          for (int k = 0; k < 3; k++)
            disp[k] += w * (q[k] - p[k]);
          wsum += w;
        }
      /* Normalising by at least 1 keeps a vertex near one tooth at full
       * movement while the weights of far vertices fade to none. */
      for (int k = 0; k < 3; k++)
        out[3 * v + k] = p[k] + (float) (disp[k] / MAX (wsum, 1.0));
    }
}
