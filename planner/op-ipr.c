/* op-ipr.c: IPR limits, distribution over contacts and scheduling. */
#include <math.h>

#include "op-fdi.h"
#include "op-ipr.h"

G_DEFINE_QUARK (op-ipr-error-quark, op_ipr_error)

/* What strips and gauges measure: amounts are multiples of this. */
#define IPR_STEP 0.05
#define OVERLAP_COLLISION 0.3

void
op_ipr_limits_init (OpIprLimits *limits)
{
  g_return_if_fail (limits != NULL);
  limits->anterior_max = 0.5;
  limits->posterior_max = 1.0;
  limits->enamel_fraction = 0.5;
  limits->lower_incisor_total = 0.75;
}

double
op_ipr_enamel_thickness (int fdi)
{
  /* Proximal enamel per surface (CLINICAL.md): about 0.6 mm at incisors
   * rising to 1.5 mm at first molars; values between follow the published
   * proximal enamel measurements (canines and premolars 0.8-1.2 mm). */
  static const double thickness[8] = { 0.6, 0.6, 0.8, 1.0, 1.2, 1.5, 1.5, 1.5 };

  if (!op_fdi_is_valid (fdi))
    return 0.0;
  return thickness[op_fdi_type (fdi) - 1];
}

gboolean
op_ipr_is_contact (int fdi_a,
                   int fdi_b)
{
  if (!op_fdi_is_valid (fdi_a) || !op_fdi_is_valid (fdi_b) || fdi_a == fdi_b)
    return FALSE;
  return op_fdi_mesial_neighbour (fdi_a) == fdi_b || op_fdi_mesial_neighbour (fdi_b) == fdi_a;
}

gboolean
op_ipr_is_lower_incisor_contact (int fdi_a,
                                 int fdi_b)
{
  gboolean a = op_fdi_is_valid (fdi_a) && !op_fdi_is_upper (fdi_a) && op_fdi_type (fdi_a) <= OP_TOOTH_LATERAL_INCISOR;
  gboolean b = op_fdi_is_valid (fdi_b) && !op_fdi_is_upper (fdi_b) && op_fdi_type (fdi_b) <= OP_TOOTH_LATERAL_INCISOR;

  return op_ipr_is_contact (fdi_a, fdi_b) && (a || b);
}

double
op_ipr_contact_max (int                fdi_a,
                    int                fdi_b,
                    const OpIprLimits *limits)
{
  OpIprLimits defaults;
  double per_contact, enamel;

  if (limits == NULL)
    {
      op_ipr_limits_init (&defaults);
      limits = &defaults;
    }
  if (!op_ipr_is_contact (fdi_a, fdi_b))
    return 0.0;
  per_contact = op_fdi_is_anterior (fdi_a) && op_fdi_is_anterior (fdi_b)
                ? limits->anterior_max : limits->posterior_max;
  enamel = limits->enamel_fraction * (op_ipr_enamel_thickness (fdi_a) + op_ipr_enamel_thickness (fdi_b));
  return MAX (0.0, MIN (per_contact, enamel));
}

/* Rounds down to the step, with a little slack so that 0.5 stays 0.5. */
static double
floor_step (double v)
{
  return floor (v / IPR_STEP + 1e-6) * IPR_STEP;
}

static double
ceil_step (double v)
{
  return ceil (v / IPR_STEP - 1e-6) * IPR_STEP;
}

double
op_ipr_distribute (const int         *fdi_order,
                   guint              n_teeth,
                   double             needed,
                   const OpIprLimits *limits,
                   OpIprContact      *out,
                   guint             *n_out)
{
  OpIprLimits defaults;
  g_autofree double *amount = NULL;
  g_autofree double *cap = NULL;
  double placed = 0, lower_incisors = 0, goal;
  guint n_contacts = n_teeth > 0 ? n_teeth - 1 : 0, count = 0;

  g_return_val_if_fail (fdi_order != NULL || n_teeth == 0, 0.0);
  if (n_out)
    *n_out = 0;
  if (limits == NULL)
    {
      op_ipr_limits_init (&defaults);
      limits = &defaults;
    }
  if (!(needed > 0) || n_contacts == 0)
    return 0.0;
  goal = ceil_step (needed);

  amount = g_new0 (double, n_contacts);
  cap = g_new0 (double, n_contacts);
  for (guint i = 0; i < n_contacts; i++)
    cap[i] = floor_step (op_ipr_contact_max (fdi_order[i], fdi_order[i + 1], limits));

  /* Two passes, anterior contacts first since that is where crowding
   * shows and where the space is needed; each pass adds one step to every
   * open contact in turn, so the amounts stay even. */
  for (int pass = 0; pass < 2 && placed < goal - 1e-9; pass++)
    {
      gboolean progress = TRUE;

      while (progress && placed < goal - 1e-9)
        {
          progress = FALSE;
          for (guint i = 0; i < n_contacts && placed < goal - 1e-9; i++)
            {
              gboolean anterior = op_fdi_is_anterior (fdi_order[i]) && op_fdi_is_anterior (fdi_order[i + 1]);
              gboolean li = op_ipr_is_lower_incisor_contact (fdi_order[i], fdi_order[i + 1]);

              if ((pass == 0) != anterior)
                continue;
              if (amount[i] + IPR_STEP > cap[i] + 1e-9)
                continue;
              if (li && lower_incisors + IPR_STEP > limits->lower_incisor_total + 1e-9)
                continue;
              amount[i] += IPR_STEP;
              placed += IPR_STEP;
              if (li)
                lower_incisors += IPR_STEP;
              progress = TRUE;
            }
        }
    }

  for (guint i = 0; i < n_contacts; i++)
    if (amount[i] > 0)
      {
        if (out)
          {
            OpIprContact *c = &out[count];
            c->fdi_a = fdi_order[i];
            c->fdi_b = fdi_order[i + 1];
            /* Rounded to the step so the numbers print as measured. */
            c->amount = round (amount[i] / IPR_STEP) * IPR_STEP;
            c->stage = -1;
            c->needed = 0;
            c->sufficient = TRUE;
          }
        count++;
      }
  if (n_out)
    *n_out = count;
  return round (placed / IPR_STEP) * IPR_STEP;
}

guint
op_ipr_schedule (const double      *overlap,
                 guint              n_stages,
                 guint              n_contacts,
                 double             threshold,
                 const OpIprLimits *limits,
                 OpIprContact      *contacts)
{
  OpIprLimits defaults;
  double lower_incisors = 0;
  guint insufficient = 0;

  g_return_val_if_fail (contacts != NULL || n_contacts == 0, 0);
  g_return_val_if_fail (overlap != NULL || n_stages == 0 || n_contacts == 0, 0);
  if (limits == NULL)
    {
      op_ipr_limits_init (&defaults);
      limits = &defaults;
    }
  if (!(threshold > 0))
    threshold = OVERLAP_COLLISION;

  /* The lower incisor total is shared: planned amounts claim it first,
   * then needed ones in contact order. */
  for (guint p = 0; p < n_contacts; p++)
    if (op_ipr_is_lower_incisor_contact (contacts[p].fdi_a, contacts[p].fdi_b))
      lower_incisors += MAX (contacts[p].amount, 0.0);

  for (guint p = 0; p < n_contacts; p++)
    {
      OpIprContact *c = &contacts[p];
      int first = -1, grows = -1;
      double deepest = 0, planned = MAX (c->amount, 0.0), max, amount;
      gboolean li = op_ipr_is_lower_incisor_contact (c->fdi_a, c->fdi_b);

      for (guint s = 0; s < n_stages; s++)
        {
          double v = overlap[(gsize) s * n_contacts + p];

          if (!isfinite (v))
            continue;
          if (first < 0 && v > threshold)
            first = (int) s;
          if (grows < 0 && s > 0 && v > overlap[p] + 1e-6 && v > 0)
            grows = (int) s;
          deepest = MAX (deepest, v);
        }

      c->needed = first >= 0 ? deepest : 0.0;
      if (first < 0)
        {
          c->amount = planned;
          c->sufficient = TRUE;
          if (planned > 0)
            c->stage = grows > 0 ? grows - 1 : 0;
          continue;
        }

      max = floor_step (op_ipr_contact_max (c->fdi_a, c->fdi_b, limits));
      if (li)
        max = MIN (max, planned + floor_step (MAX (limits->lower_incisor_total - lower_incisors, 0.0)));
      amount = MAX (planned, MIN (ceil_step (deepest), max));
      if (li)
        lower_incisors += amount - planned;
      c->amount = amount;
      c->stage = MAX (first - 1, 0);
      c->sufficient = amount >= deepest - 1e-9;
      if (!c->sufficient)
        insufficient++;
    }
  return insufficient;
}

gboolean
op_ipr_check (const OpIprContact *ipr,
              guint               n,
              const OpIprLimits  *limits,
              GError            **error)
{
  OpIprLimits defaults;
  double lower_incisors = 0;

  g_return_val_if_fail (ipr != NULL || n == 0, FALSE);
  if (limits == NULL)
    {
      op_ipr_limits_init (&defaults);
      limits = &defaults;
    }
  for (guint i = 0; i < n; i++)
    {
      const OpIprContact *c = &ipr[i];
      double max;

      if (!isfinite (c->amount) || c->amount < 0 || c->stage < -1)
        {
          g_set_error (error, OP_IPR_ERROR, OP_IPR_ERROR_INVALID,
                       "IPR at %d-%d: amount %g mm at stage %d is not a valid entry",
                       c->fdi_a, c->fdi_b, c->amount, c->stage);
          return FALSE;
        }
      if (!op_ipr_is_contact (c->fdi_a, c->fdi_b))
        {
          g_set_error (error, OP_IPR_ERROR, OP_IPR_ERROR_NOT_CONTACT,
                       "IPR at %d-%d: these teeth do not share a contact", c->fdi_a, c->fdi_b);
          return FALSE;
        }
      max = op_ipr_contact_max (c->fdi_a, c->fdi_b, limits);
      if (c->amount > max + 1e-6)
        {
          gboolean anterior = op_fdi_is_anterior (c->fdi_a) && op_fdi_is_anterior (c->fdi_b);
          double per = anterior ? limits->anterior_max : limits->posterior_max;

          g_set_error (error, OP_IPR_ERROR, OP_IPR_ERROR_LIMIT,
                       "IPR %.2f mm at %d-%d is over the %.2f mm %s limit", c->amount, c->fdi_a, c->fdi_b, max,
                       max < per - 1e-9 ? "enamel (half the two surfaces' enamel)" : anterior ? "anterior" : "posterior");
          return FALSE;
        }
      if (op_ipr_is_lower_incisor_contact (c->fdi_a, c->fdi_b))
        lower_incisors += c->amount;
    }
  if (lower_incisors > limits->lower_incisor_total + 1e-6)
    {
      g_set_error (error, OP_IPR_ERROR, OP_IPR_ERROR_LIMIT,
                   "IPR %.2f mm in total at the lower incisors is over their %.2f mm limit",
                   lower_incisors, limits->lower_incisor_total);
      return FALSE;
    }
  return TRUE;
}
