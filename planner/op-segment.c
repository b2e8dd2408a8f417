/* op-segment.c: the segmentation pipeline and its label competitions.
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
 *     A crown well below its neighbours beyond the end of the arch (a
 *     low third molar) gets seeds of its own, kept only when the region
 *     they win ends on a crease; the arch curve is then refitted through
 *     it and the competition run once more.
 *  4. Teeth apart and numbered (op-segment-split.c).  The tooth extent
 *     per millimetre of arch shows each crown as a hump, with valleys at
 *     contacts and empty stretches at gaps.  One dynamic programme over
 *     the whole arch picks the cuts and matches the pieces to the FDI
 *     sequence with its missing-tooth gaps, for each jaw's tooth widths;
 *     the better fit gives the jaw unless the caller gives a hint.  A
 *     second competition, one seed set per tooth, then puts tooth-tooth
 *     boundaries on the interproximal creases rather than on straight
 *     cuts, which matters for rotated and crowded teeth.
 */
#include "op-segment-private.h"

#include <math.h>
#include <string.h>

#include "op-linalg.h"

G_DEFINE_QUARK (op-segment-error-quark, op_segment_error)

#define GUM_SEED_DEPTH 11.5f  /* below the tops: surely gingiva or base */
#define GUM_SEED_RHO   7.5f   /* off the arch curve: surely gingiva */

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

/* The diagonal of the positions' bounding box, measured here rather than
 * read from the mesh's stored bounds, which a caller that rescaled the
 * positions may not have updated. */
static float
diagonal (const OpMesh *mesh)
{
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };

  for (gsize v = 0; v < mesh->n_vertices; v++)
    for (int k = 0; k < 3; k++)
      {
        lo[k] = MIN (lo[k], mesh->positions[3 * v + k]);
        hi[k] = MAX (hi[k], mesh->positions[3 * v + k]);
      }
  return sqrtf ((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) + (hi[2] - lo[2]) * (hi[2] - lo[2]));
}

float
op_segment_suggest_scale (const OpMesh *mesh)
{
  float d;

  g_return_val_if_fail (mesh != NULL, 1.f);
  if (mesh->n_vertices == 0)
    return 1.f;
  d = diagonal (mesh);
  /* A dental arch is 40-110 mm across; the same arch in metres is
   * 0.04-0.11.  Nothing dental is 10 cm long in metres or 0.3 mm long in
   * millimetres, so the two ranges cannot be confused. */
  return d > 0.01f && d < 0.3f ? 1000.f : 1.f;
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

/* ---- crowns below the others ------------------------------------------- */

/* A third molar often sits several millimetres below its neighbours (not
 * fully erupted, or following the curve of Spee), too low for the bump
 * test of pass 1, which compares each stretch of arch with the highest
 * crown within 8 mm.  Such a crown is still a top of its own: a plateau
 * no more than LOW_PLATEAU_MM below the highest point within
 * LOW_REACH_BINS millimetres around it.  So is the gingiva behind the last molar, as
 * high there as a low crown, so these runs are only candidates: they get
 * their own labels in the competition and are kept as crowns only when
 * the region they win ends on a crease (keep_creased_crowns).
 * Returns, per 1 mm bin, 0 or the 1-based number of its candidate run. */
#define LOW_PLATEAU_MM  1.0f
#define LOW_REACH_BINS  2
#define LOW_FLOOR_MM    9.f

static int *
low_crown_runs (const OpSegCtx *ctx,
                const float    *top,
                const gboolean *bump,
                int             nb)
{
  int *run = g_new0 (int, nb), n_runs = 0, first = nb, last = -1;

  /* Only beyond the last crown that passed the bump test at either end:
   * inside the arch, a crown lower than its neighbours is still reached
   * from theirs, and a low stretch there is more often the gingiva of a
   * gap than a tooth. */
  for (int b = 0; b < nb; b++)
    if (bump[b])
      {
        first = MIN (first, b);
        last = b;
      }
  for (int b = 0; b < nb; b++)
    {
      float around = -G_MAXFLOAT;
      if ((b >= first && b <= last) || top[b] <= ctx->h_top - LOW_FLOOR_MM)
        continue;
      for (int d = -LOW_REACH_BINS; d <= LOW_REACH_BINS; d++)
        if (b + d >= 0 && b + d < nb)
          around = MAX (around, top[b + d]);
      if (top[b] > around - LOW_PLATEAU_MM)
        run[b] = b > 0 && run[b - 1] > 0 ? run[b - 1] : ++n_runs;
    }
  return run;
}

/* Keeps the candidate regions (labels >= 2 in @labels after growing)
 * whose border with the gingiva runs along a concave crease, as a crown's
 * gum line does, and that are the size of a crown; they get label
 * OP__SEG_LOW_CROWN.  The others, smooth gingiva that only won a share of
 * the surface because a seed sat on it, become 0.  Measured on the
 * phantoms: the border of a low third molar has a mean curvature of
 * -0.01 to -1.1 /mm, that of gingiva behind the last molar +0.03 to
 * +0.23 /mm; the few concave gingival regions (in the gaps of missing
 * teeth, between two crowns' creases) cover less than a crown.
 * Returns TRUE when a low crown was kept. */
#define LOW_BORDER_KAPPA  (-0.005f)
#define LOW_MIN_AREA_MM2  25.f

static gboolean
keep_creased_crowns (const OpSegCtx *ctx,
                     gint32         *labels)
{
  gint32 n_labels = 0;
  g_autofree guint *n_border = NULL;
  g_autofree double *ksum = NULL;
  g_autofree double *area = NULL;
  gboolean kept = FALSE;

  for (gsize v = 0; v < ctx->nv; v++)
    n_labels = MAX (n_labels, labels[v] + 1);
  if (n_labels <= 2)
    return FALSE;
  n_border = g_new0 (guint, n_labels);
  ksum = g_new0 (double, n_labels);
  area = g_new0 (double, n_labels);
  for (gsize v = 0; v < ctx->nv; v++)
    {
      gint32 l = labels[v];
      if (l < 2)
        continue;
      area[l] += ctx->varea[v];
      for (guint32 e = ctx->adj_start[v]; e < ctx->adj_start[v + 1]; e++)
        if (labels[ctx->adj[e]] == 0)
          {
            n_border[l]++;
            ksum[l] += MIN (ctx->kappa[v], ctx->kappa[ctx->adj[e]]);
            break;
          }
    }
  for (gsize v = 0; v < ctx->nv; v++)
    if (labels[v] >= 2)
      {
        gint32 l = labels[v];
        labels[v] = n_border[l] > 0 && ksum[l] < LOW_BORDER_KAPPA * n_border[l] && area[l] >= LOW_MIN_AREA_MM2
                      ? OP__SEG_LOW_CROWN : 0;
        kept |= labels[v] == OP__SEG_LOW_CROWN;
      }
  return kept;
}

/* A low crown beyond the last tooth of a side, when that tooth is a
 * second molar, is that side's third molar: it gets a span of its own at
 * the end of the arch.  Done after the numbering, so that a low crown can
 * only add a tooth and never shift the numbers of the others. */
#define LOW_MIN_SPAN_MM 4.f

static void
add_low_third_molars (const OpSegCtx *ctx,
                      const gint32   *mask,
                      OpSegArch      *arch)
{
  for (int end = 0; end < 2 && arch->n_spans > 0; end++)
    {
      const OpSegSpan *last = end ? &arch->spans[arch->n_spans - 1] : &arch->spans[0];
      float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
      OpSegSpan sp;

      if (op_fdi_type (last->fdi) != 7)
        continue;
      for (gsize v = 0; v < ctx->nv; v++)
        if (mask[v] == OP__SEG_LOW_CROWN && (end ? ctx->s[v] > last->s1 - 1.f : ctx->s[v] < last->s0 + 1.f))
          {
            lo = MIN (lo, ctx->s[v]);
            hi = MAX (hi, ctx->s[v]);
          }
      if (hi - lo < LOW_MIN_SPAN_MM)
        continue;
      /* A low crown is less certain than one the profile cut out. */
      sp = (OpSegSpan) { last->fdi + 1, end ? MAX (lo, last->s1) : lo, end ? hi : MIN (hi, last->s0), 0.5f };
      arch->spans = g_renew (OpSegSpan, arch->spans, arch->n_spans + 1);
      if (end)
        arch->spans[arch->n_spans] = sp;
      else
        {
          memmove (&arch->spans[1], &arch->spans[0], arch->n_spans * sizeof (OpSegSpan));
          arch->spans[0] = sp;
        }
      arch->n_spans++;
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
  OpSegArch arch_u = { 0 }, arch_l = { 0 }, *arch;
  GError *local = NULL;
  float smin = G_MAXFLOAT, smax = -G_MAXFLOAT;
  gboolean upper;

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
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_UNITS,
                   "segmentation: the scan is only %.3g units across; it looks like metres, not millimetres "
                   "(scale it by 1000 first)", diagonal (mesh));
      return NULL;
    }

  ctx.mesh = mesh;
  ctx.nv = mesh->n_vertices;
  ctx.n_threads = o.n_threads ? o.n_threads : 2;
  ctx.cancel = cancel;
  op__seg_build_graph (&ctx);
  if (!op__seg_orient (&ctx, error) || cancelled (&ctx, error))
    goto fail;
  op__seg_curvature (&ctx);
  op__seg_fit_arch (&ctx, NULL);
  if (cancelled (&ctx, error))
    goto fail;

  /* Pass 1: teeth against gingiva, with one seed set for all crowns:
   * the vertices within a millimetre of the local top along the arch. */
  mask = g_new (gint32, ctx.nv);
  /* A second round runs when a low crown was found: with the arch curve
   * refitted through it, the low crown's outer side is no longer taken
   * for far-off gingiva and the crown is won whole. */
  for (int round = 0; round < 2; round++)
  {
    int nb;
    g_autofree float *top = NULL;

    smin = G_MAXFLOAT;
    smax = -G_MAXFLOAT;
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
      g_autofree int *low = low_crown_runs (&ctx, top, bump, nb);
      for (gsize v = 0; v < ctx.nv; v++)
        {
          int b = (int) (ctx.s[v] - smin);
          mask[v] = -1;
          if (ABS (ctx.rho[v]) < 4.f && ctx.s[v] >= smin && ctx.s[v] <= smax && ctx.h[v] > top[b] - 1.f)
            {
              if (bump[b])
                mask[v] = 1;
              else if (low[b] > 0)
                mask[v] = 1 + low[b];
            }
        }
    }
    gum_seeds (&ctx, mask);
    grow_labels (&ctx, mask);
    if (!keep_creased_crowns (&ctx, mask))
      break;
    op__seg_fit_arch (&ctx, mask);
  }
  if (cancelled (&ctx, error))
    goto fail;

  if (!op__seg_split_arch (&ctx, mask, smin, smax, TRUE, &arch_u))
    arch_u.cost = G_MAXFLOAT;
  if (!op__seg_split_arch (&ctx, mask, smin, smax, FALSE, &arch_l))
    arch_l.cost = G_MAXFLOAT;
  if (arch_u.n_spans + arch_l.n_spans == 0)
    {
      g_set_error_literal (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NO_TEETH,
                           "segmentation: no tooth-like bumps along the arch");
      goto fail;
    }
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
      upper = arch_u.cost < arch_l.cost;
      /* The costs include rewards for cutting at valleys and can be
       * negative, so their ratio means nothing; their difference is in
       * units of squared width deviations, where 4 is a clear margin. */
      seg->jaw_confidence = arch_u.cost == G_MAXFLOAT || arch_l.cost == G_MAXFLOAT
                              ? 1.f : tanhf (ABS (arch_u.cost - arch_l.cost) / 4.f);
      if (seg->jaw_confidence < 0.3f)
        g_ptr_array_add (seg->warnings,
                         g_strdup_printf ("The tooth widths fit the %s arch only a little better than the %s one; "
                                          "check the jaw.", upper ? "upper" : "lower", upper ? "lower" : "upper"));
    }
  arch = upper ? &arch_u : &arch_l;
  if (arch->n_spans < 2)
    {
      g_set_error (error, OP_SEGMENT_ERROR, OP_SEGMENT_ERROR_NO_TEETH,
                   "segmentation: found %u tooth-like bump%s along the arch; an arch needs at least two",
                   arch->n_spans, arch->n_spans == 1 ? "" : "s");
      goto fail;
    }
  if (arch->n_extra > 0)
    g_ptr_array_add (seg->warnings,
                     g_strdup_printf ("%d tooth-like part%s fit no place in the permanent dentition and were left as "
                                      "gingiva; primary or supernumerary teeth need checking.",
                                      arch->n_extra, arch->n_extra == 1 ? "" : "s"));

  add_low_third_molars (&ctx, mask, arch);

  /* Pass 2: one seed set per tooth, the top of the middle of its span,
   * competing with each other and with the gingiva. */
  labels = g_new (gint32, ctx.nv);
  for (gsize v = 0; v < ctx.nv; v++)
    labels[v] = -1;
  gum_seeds (&ctx, labels);
  for (guint i = 0; i < arch->n_spans; i++)
    {
      const OpSegSpan *sp = &arch->spans[i];
      float w = sp->s1 - sp->s0, a = sp->s0 + 0.3f * w, b = sp->s1 - 0.3f * w, top = -G_MAXFLOAT;

      for (gsize v = 0; v < ctx.nv; v++)
        if (mask[v] > 0 && ctx.s[v] >= a && ctx.s[v] <= b)
          top = MAX (top, ctx.h[v]);
      for (gsize v = 0; v < ctx.nv; v++)
        if (mask[v] > 0 && ctx.s[v] >= a && ctx.s[v] <= b && ctx.h[v] > top - 3.f)
          labels[v] = sp->fdi;
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
  op__seg_build_teeth (&ctx, seg->labels, arch->spans, arch->n_spans, seg->dentition);
  if (seg->dentition->teeth->len < 4)
    g_ptr_array_add (seg->warnings,
                     g_strdup_printf ("Only %u teeth were found; check that this is a whole arch.",
                                      seg->dentition->teeth->len));

  g_free (ctx.normals); g_free (ctx.varea); g_free (ctx.adj_start); g_free (ctx.adj);
  g_free (ctx.kappa); g_free (ctx.h); g_free (ctx.s); g_free (ctx.rho);
  op__seg_arch_clear (&arch_u);
  op__seg_arch_clear (&arch_l);
  return g_steal_pointer (&seg);

fail:
  g_free (ctx.normals); g_free (ctx.varea); g_free (ctx.adj_start); g_free (ctx.adj);
  g_free (ctx.kappa); g_free (ctx.h); g_free (ctx.s); g_free (ctx.rho);
  op__seg_arch_clear (&arch_u);
  op__seg_arch_clear (&arch_l);
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
