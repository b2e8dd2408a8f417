/* op-segment-split.c: teeth apart along the arch, and their numbers.
 *
 * The crowns' bucco-lingual extent per millimetre of arch shows each crown
 * as a hump, with valleys at contacts and empty stretches at gaps.  Which
 * valleys are contacts, which stretches are missing teeth and which number
 * each piece gets are decided together, by one dynamic programme over the
 * whole arch: pieces are matched, in arch order, to the sixteen places of
 * the FDI sequence (right third molar to left third molar), with costs for
 * a width unlike that place's tooth, for a gap unlike the teeth it would
 * hold, for a midline far from the one the orientation found, and with a
 * reward for cutting at a deep valley.  Deciding cuts and numbers apart
 * fails in two ways the global optimum does not: a greedy cut splits a
 * molar at its fissure or merges two incisors, and a numbering that walks
 * out from the midline shifts every number after one wrong piece.
 */
#include "op-segment-private.h"

#include <math.h>
#include <string.h>

/* Mean mesio-distal crown widths (mm) by tooth type 1..8. */
static const float width_upper[9] = { 0, 8.6f, 6.6f, 7.6f, 7.0f, 6.6f, 10.2f, 9.2f, 8.6f };
static const float width_lower[9] = { 0, 5.4f, 5.9f, 6.9f, 7.0f, 7.1f, 11.2f, 10.5f, 10.0f };

#define BIN_MM         0.25f  /* arch profile resolution */
/* Crease vertices (contacts, margins) do not count in the profile. */
#define CREASE_KAPPA_SPLIT 0.25f
/* A contact narrows the crowns' extent to this share of both sides. */
#define VALLEY_RATIO   0.86f
#define N_SLOTS        16
#define MIDLINE_SIGMA  4.0f   /* mm: how far the found midline may be off */
#define MAX_TOOTH_MM   20.f   /* a tipped third molar spans up to ~19 mm */
#define MAX_GAP_MM     40.f
#define CANINE_MISSING_COST 8.f
#define N_SCALES    9
#define SCALE_MIN   0.9f
#define SCALE_STEP  0.05f
#define SCALE_SIGMA 0.15f
/* Only the top of the crowns counts in the profile: what lies more than
 * PROFILE_DEPTH below the highest crown point within PROFILE_TOP_REACH
 * along the arch.  A tipped or half-erupted third molar has a long low
 * flank that would otherwise stretch its hump to 15-19 mm and show a
 * valley in its middle, so it would be cut into two teeth and shift
 * every number after it; gingiva the crown mask took in near the last
 * molar lies low as well. */
#define PROFILE_DEPTH     3.0f
#define PROFILE_TOP_REACH 5.0f

static inline int
slot_type (int j)
{
  return j < 8 ? 8 - j : j - 7;
}

/* Cost of leaving slot @j empty at an end of the arch: third molars are
 * often absent, second molars sometimes, the others rarely. */
static inline float
end_skip_cost (int j)
{
  int t = slot_type (j);
  return t == 8 ? 0.2f : t == 7 ? 2.f : 5.f;
}

static void
crown_profile (const OpSegCtx *ctx,
               const gint32   *tooth_mask,
               float           smin,
               int             nb,
               float          *sm)
{
  g_autofree float *area = g_new0 (float, nb);
  g_autofree guint8 *occ = g_new0 (guint8, (gsize) nb * 40);

  /* Crowns found below their neighbours (OP__SEG_LOW_CROWN in the mask)
   * stay out of the profile: they join the arch afterwards, at its ends
   * (see op-segment.c), where they cannot shift the numbers of the others.
   * The profile is the bucco-lingual extent of the crowns at each arch
   * position (occupied 0.5 mm cells across the arch), not their area:
   * the proximal walls of a crown face along the arch and would make
   * area peak exactly where the teeth meet. */
  g_autofree float *top = g_new (float, nb);
  g_autofree float *near_top = g_new (float, nb);
  int reach = (int) (PROFILE_TOP_REACH / BIN_MM);

  for (int b = 0; b < nb; b++)
    top[b] = -G_MAXFLOAT;
  for (gsize v = 0; v < ctx->nv; v++)
    if (tooth_mask[v] == 1 && ABS (ctx->rho[v]) < 10.f)
      {
        int b = CLAMP ((int) ((ctx->s[v] - smin) / BIN_MM), 0, nb - 1);
        top[b] = MAX (top[b], ctx->h[v]);
      }
  for (int b = 0; b < nb; b++)
    {
      near_top[b] = -G_MAXFLOAT;
      for (int d = -reach; d <= reach; d++)
        if (b + d >= 0 && b + d < nb)
          near_top[b] = MAX (near_top[b], top[b + d]);
    }
  for (gsize v = 0; v < ctx->nv; v++)
    if (tooth_mask[v] == 1 && ctx->kappa[v] > -CREASE_KAPPA_SPLIT && ABS (ctx->rho[v]) < 10.f &&
        ctx->h[v] > near_top[CLAMP ((int) ((ctx->s[v] - smin) / BIN_MM), 0, nb - 1)] - PROFILE_DEPTH)
      {
        int b = CLAMP ((int) ((ctx->s[v] - smin) / BIN_MM), 0, nb - 1);
        int r = CLAMP ((int) ((ctx->rho[v] + 10.f) / 0.5f), 0, 39);
        occ[(gsize) b * 40 + r] = 1;
      }
  for (int b = 0; b < nb; b++)
    for (int r = 0; r < 40; r++)
      area[b] += occ[(gsize) b * 40 + r] * 0.5f;
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
}

typedef struct {
  int   bin;
  float gain;   /* > 0 rewards cutting here */
} Cut;

/* Candidate cuts: the ends of every run of crown extent, and the valleys
 * inside runs (lowest within 1.5 mm and clearly below both sides). */
static GArray *
candidate_cuts (const float *sm,
                const gboolean *on,
                int          nb)
{
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (Cut));
  int reach = (int) (5.0f / BIN_MM), nms = (int) (1.5f / BIN_MM);

  for (int b = 0; b <= nb; b++)
    {
      gboolean here = b < nb && on[b], before = b > 0 && on[b - 1];
      if (here != before)
        {
          Cut c = { b, 0.f };
          g_array_append_val (cuts, c);
          continue;
        }
      if (!here || b == 0)
        continue;
      {
        float left = 0, right = 0, ratio;
        gboolean lowest = TRUE;
        for (int d = -nms; d <= nms; d++)
          if (d != 0 && b + d >= 0 && b + d < nb && on[b + d] &&
              (sm[b + d] < sm[b] || (sm[b + d] == sm[b] && d < 0)))
            lowest = FALSE;
        if (!lowest)
          continue;
        for (int d = 1; d <= reach; d++)
          {
            if (b - d >= 0)
              left = MAX (left, sm[b - d]);
            if (b + d < nb)
              right = MAX (right, sm[b + d]);
          }
        ratio = sm[b] / MAX (MIN (left, right), 1e-6f);
        if (ratio <= 0.97f)
          {
            Cut c = { b, 8.f * (VALLEY_RATIO - ratio) };
            g_array_append_val (cuts, c);
          }
      }
    }
  return cuts;
}

enum { MOVE_NONE, MOVE_TOOTH, MOVE_GAP, MOVE_EXTRA };

typedef struct {
  float cost;
  int   from_cut, from_slot;   /* slot + 1: 0 is "before the first" */
  int   move;
} Cell;

gboolean
op__seg_split_arch (const OpSegCtx *ctx,
                    const gint32   *tooth_mask,
                    float           smin,
                    float           smax,
                    gboolean        upper,
                    OpSegArch      *out)
{
  const float *wt_mean = upper ? width_upper : width_lower;
  float wt[9], scale_cost[N_SCALES], best_total = G_MAXFLOAT, unit_cost = G_MAXFLOAT;
  int best_scale = 0;
  int nb = (int) ceilf ((smax - smin) / BIN_MM) + 1, n, ns = N_SLOTS + 1;
  g_autofree float *sm = g_new0 (float, nb);
  g_autofree gboolean *on = g_new0 (gboolean, nb);
  g_autofree int *off_before = g_new0 (int, nb + 1);
  g_autoptr(GArray) cuts = NULL;
  g_autofree Cell *dp = NULL;
  float peak = 0, best = G_MAXFLOAT;
  int best_slot = -1, first_on = -1, last_on = -1;

  memset (out, 0, sizeof *out);
  crown_profile (ctx, tooth_mask, smin, nb, sm);
  for (int b = 0; b < nb; b++)
    peak = MAX (peak, sm[b]);
  for (int b = 0; b < nb; b++)
    {
      on[b] = sm[b] > 0.04f * peak;
      off_before[b + 1] = off_before[b] + !on[b];
      if (on[b])
        {
          if (first_on < 0)
            first_on = b;
          last_on = b;
        }
    }
  if (first_on < 0)
    return FALSE;
  cuts = candidate_cuts (sm, on, nb);
  /* Only cuts between the first and last crown count: the DP starts at
   * the first and ends at the last. */
  {
    guint w = 0;
    for (guint i = 0; i < cuts->len; i++)
      {
        Cut c = g_array_index (cuts, Cut, i);
        if (c.bin >= first_on && c.bin <= last_on + 1)
          g_array_index (cuts, Cut, w++) = c;
      }
    g_array_set_size (cuts, w);
    g_array_index (cuts, Cut, 0).gain = 0;
    g_array_index (cuts, Cut, cuts->len - 1).gain = 0;
  }
  n = (int) cuts->len;
  if (n < 2)
    return FALSE;

  /* Patients' teeth differ in overall size by 10-20 % from the mean
   * widths, and the profile measures a crown along the arch with its
   * share of the contact, so the widths are tried at a few overall
   * scales and the split with the lowest cost (plus a prior that keeps
   * the scale near 1) wins.  The last pass repeats the best scale so
   * that its table is the one traced back. */
  dp = g_new (Cell, (gsize) n * ns);
  for (int pass = 0; pass <= N_SCALES; pass++)
    {
      int si = pass < N_SCALES ? pass : best_scale;
      /* Only the upper arch gets the free scale: in the lower one the
       * gingiva beside a tipped third molar still reaches the crown mask,
       * and a wider table lets it pass for a molar (measured: lower
       * variants 2, 5 and 6 lose their 47 at scales 1.05-1.2). */
      float scale = upper ? SCALE_MIN + si * SCALE_STEP : 1.f;
      for (int t = 0; t < 9; t++)
        wt[t] = wt_mean[t] * scale;
      best = G_MAXFLOAT;
      best_slot = -1;
      /* dp[i * ns + j]: best cost with the arch cut up to cut i and the slots
       * before j - 1 (inclusive) decided; j == 0 is before the first slot. */
      for (int i = 0; i < n * ns; i++)
        dp[i] = (Cell) { G_MAXFLOAT, -1, -1, MOVE_NONE };
      {
        float lead = 0;
        for (int j = 0; j < ns; j++)
          {
            dp[j] = (Cell) { lead, -1, -1, MOVE_NONE };
            if (j < N_SLOTS)
              lead += end_skip_cost (j);
          }
      }
      for (int i = 1; i < n; i++)
        {
          const Cut *ci = &g_array_index (cuts, Cut, i);
          float gain = i < n - 1 ? ci->gain : 0.f;
          for (int p = i - 1; p >= 0; p--)
            {
              const Cut *cp = &g_array_index (cuts, Cut, p);
              float len = (ci->bin - cp->bin) * BIN_MM;
              float off = (float) (off_before[MIN (ci->bin, nb)] - off_before[cp->bin]) / MAX (ci->bin - cp->bin, 1);
              float start_mm = smin + cp->bin * BIN_MM, end_mm = smin + ci->bin * BIN_MM;
              if (len > MAX_GAP_MM)
                break;
              for (int js = 0; js < ns; js++)
                {
                  float base = dp[p * ns + js].cost;
                  if (base == G_MAXFLOAT)
                    continue;
                  /* A tooth in the next slot (js is one past the last slot
                   * filled, so the next slot is js itself). */
                  if (len <= MAX_TOOTH_MM && off < 0.5f && js < N_SLOTS)
                    {
                      /* Third molars vary most in size and in how they sit. */
                      float w = wt[slot_type (js)], dev = (len - w) / ((slot_type (js) == 8 ? 0.35f : 0.2f) * w);
                      float c = base + dev * dev + 10.f * off - gain;
                      if (js == 8 && p > 0)
                        c += (start_mm / MIDLINE_SIGMA) * (start_mm / MIDLINE_SIGMA);
                      if (c < dp[i * ns + js + 1].cost)
                        dp[i * ns + js + 1] = (Cell) { c, p, js, MOVE_TOOTH };
                    }
                  /* A stretch without crowns that holds k missing teeth
                   * (k = 0: a space between two teeth). */
                  if (off >= 0.5f)
                    for (int k = 0; js + k <= N_SLOTS; k++)
                      {
                        float c = base, expect = 0;
                        /* Canines are almost never missing: a gap that
                         * would hold one is far more likely a premolar or
                         * incisor space, so a split that drops a canine has
                         * to pay for it. */
                        float canine = 0;
                        for (int q = 0; q < k; q++)
                          {
                            expect += wt[slot_type (js + q)];
                            if (slot_type (js + q) == 3)
                              canine += CANINE_MISSING_COST;
                          }
                        if (k == 0)
                          {
                            if (len > 4.f)
                              continue;
                            c += 0.3f * len;
                          }
                        else
                          {
                            float dev = (len - expect) / (0.25f * expect + 1.f);
                            c += dev * dev + 1.5f * k + canine;
                          }
                        /* A gap across the midline puts it in the gap. */
                        if ((js <= 8 && js + k > 8) || (k == 0 && js == 8))
                          {
                            float m = 0.5f * (start_mm + end_mm);
                            c += (m / MIDLINE_SIGMA) * (m / MIDLINE_SIGMA);
                          }
                        if (c < dp[i * ns + js + k].cost)
                          dp[i * ns + js + k] = (Cell) { c, p, js, MOVE_GAP };
                      }
                  /* A tooth-like part that is none of the sixteen: a primary
                   * or supernumerary tooth, or a bump of gingiva. */
                  if (len <= MAX_TOOTH_MM && off < 0.5f)
                    {
                      float c = base + 6.f - gain;
                      if (c < dp[i * ns + js].cost)
                        dp[i * ns + js] = (Cell) { c, p, js, MOVE_EXTRA };
                    }
                }
            }
        }
      {
        float trail = 0;
        for (int j = ns - 1; j >= 0; j--)
          {
            float c = dp[(n - 1) * ns + j].cost;
            if (c != G_MAXFLOAT && c + trail < best)
              {
                best = c + trail;
                best_slot = j;
              }
            if (j > 0)
              trail += end_skip_cost (j - 1);
          }
      }
      if (pass < N_SCALES)
        {
          float z = (scale - 1.f) / SCALE_SIGMA;
          scale_cost[pass] = best + z * z;
          /* The jaw is told by comparing the split costs of the upper
           * and lower width tables; with a free scale both fit, so that
           * comparison uses the mean widths as they are. */
          if (fabsf (scale - 1.f) < 1e-3f)
            unit_cost = best;
          if (best_slot >= 0 && scale_cost[pass] < best_total)
            {
              best_total = scale_cost[pass];
              best_scale = pass;
            }
        }
    }
  if (best_slot < 0)
    return FALSE;
  {
    g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (OpSegSpan));
    int i = n - 1, j = best_slot;
    while (i > 0)
      {
        Cell *c = &dp[i * ns + j];
        const Cut *a = &g_array_index (cuts, Cut, c->from_cut), *b = &g_array_index (cuts, Cut, i);
        if (c->move == MOVE_TOOTH)
          {
            int slot = c->from_slot, type = slot_type (slot);
            /* Slots 8..15 lie at s > 0, the side of ctx->side: the
             * patient's right in an upper arch, the left in a lower. */
            int quadrant = upper ? (slot >= 8 ? 1 : 2) : (slot >= 8 ? 3 : 4);
            float len = (b->bin - a->bin) * BIN_MM, dev = (len - wt[type]) / (0.2f * wt[type]);
            OpSegSpan sp = { quadrant * 10 + type, smin + a->bin * BIN_MM, smin + b->bin * BIN_MM,
                             expf (-0.5f * dev * dev) };
            g_array_prepend_val (spans, sp);
          }
        else if (c->move == MOVE_GAP)
          out->n_missing += j - c->from_slot;
        else if (c->move == MOVE_EXTRA)
          out->n_extra++;
        i = c->from_cut;
        j = c->from_slot;
      }
    out->cost = unit_cost;
    out->n_spans = spans->len;
    out->spans = (OpSegSpan *) g_array_free (g_steal_pointer (&spans), FALSE);
  }
  return out->n_spans > 0;
}

void
op__seg_arch_clear (OpSegArch *arch)
{
  g_clear_pointer (&arch->spans, g_free);
  arch->n_spans = 0;
}
