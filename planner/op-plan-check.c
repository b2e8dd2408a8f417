/* op-plan-check.c: the invariants of op-plan-check.h.
 *
 * Every comparison of a movement against a limit is made in grid units
 * (op_plan_units()), exactly as the stager makes it, so a plan the stager
 * produced always passes and a file edited by one unit fails.
 */
#include "op-plan-check.h"

#include <math.h>
#include <string.h>

void
op_plan_violation_free (OpPlanViolation *violation)
{
  if (violation == NULL)
    return;
  g_free (violation->code);
  g_free (violation->message);
  g_free (violation);
}

static void add (GPtrArray  *out,
                 const char *code,
                 int         fdi_a,
                 int         fdi_b,
                 int         stage,
                 const char *format,
                 ...) G_GNUC_PRINTF (6, 7);

static void
add (GPtrArray  *out,
     const char *code,
     int         fdi_a,
     int         fdi_b,
     int         stage,
     const char *format,
     ...)
{
  OpPlanViolation *v = g_new0 (OpPlanViolation, 1);
  va_list ap;

  va_start (ap, format);
  v->code = g_strdup (code);
  v->fdi_a = fdi_a;
  v->fdi_b = fdi_b;
  v->stage = stage;
  v->message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (out, v);
}

/* Numbers in messages go through the C locale like the file itself. */
static const char *
num (char *buf, double v)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.4f", v);
}

static const char *
unit_of (guint c)
{
  return c < OP_COMPONENT_ROT ? "mm" : "degrees";
}

static void
check_limits (const OpPlan *plan, GPtrArray *out)
{
  g_autofree char *why = NULL;

  if (!op_plan_limits_valid (&plan->limits, &why))
    add (out, "limits", 0, 0, -1, "%s.", why);
}

static void
check_teeth (const OpPlan *plan, GPtrArray *out)
{
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      int fdi = plan->teeth[t].fdi;

      if (!op_fdi_is_valid (fdi))
        add (out, "teeth", fdi, 0, -1, "Tooth number %d is not an FDI number.", fdi);
      else if (t > 0 && plan->teeth[t - 1].fdi >= fdi)
        add (out, "teeth", fdi, 0, -1, "Tooth %d is listed twice or out of order.", fdi);
    }
}

static void
check_initial_and_target (const OpPlan *plan, GPtrArray *out)
{
  char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      const OpMovement *first = op_plan_pose (plan, 0, t);
      const OpMovement *last = op_plan_target (plan, t);
      const OpMovement *target = &plan->teeth[t].target;

      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        if (op_plan_units (op_movement_get (first, c)) != 0)
          {
            add (out, "initial", plan->teeth[t].fdi, 0, 0,
                 "Stage 0 must be the initial position, but tooth %d has %s %s %s there.",
                 plan->teeth[t].fdi, op_component_to_string (c), num (b1, op_movement_get (first, c)), unit_of (c));
            break;
          }
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        if (op_plan_units (op_movement_get (last, c)) != op_plan_units (op_movement_get (target, c)))
          {
            add (out, "target", plan->teeth[t].fdi, 0, (int) plan->n_stages - 1,
                 "The last stage (%u) must be the target, but tooth %d has %s %s %s there and %s %s in its target.",
                 plan->n_stages - 1, plan->teeth[t].fdi, op_component_to_string (c),
                 num (b1, op_movement_get (last, c)), unit_of (c), num (b2, op_movement_get (target, c)), unit_of (c));
            break;
          }
    }
}

static void
check_steps (const OpPlan *plan, GPtrArray *out)
{
  char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];
  gint64 limit[OP_N_COMPONENTS];

  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    limit[c] = op_plan_units (op_movement_get (&plan->limits, c));

  for (guint s = 1; s < plan->n_stages; s++)
    for (guint t = 0; t < plan->n_teeth; t++)
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        {
          double a = op_movement_get (op_plan_pose (plan, s - 1, t), c);
          double b = op_movement_get (op_plan_pose (plan, s, t), c);
          gint64 step = op_plan_units (b) - op_plan_units (a);

          if (!isfinite (a) || !isfinite (b))
            add (out, "step", plan->teeth[t].fdi, 0, (int) s,
                 "Stage %u: tooth %d has no number for %s.", s, plan->teeth[t].fdi, op_component_to_string (c));
          else if (ABS (step) > limit[c])
            add (out, "step", plan->teeth[t].fdi, 0, (int) s,
                 "Stage %u: tooth %d moves %s %s %s in one stage, over the limit of %s %s.",
                 s, plan->teeth[t].fdi, op_component_to_string (c), num (b1, fabs (b - a)), unit_of (c),
                 num (b2, op_movement_get (&plan->limits, c)), unit_of (c));
        }
}

static void
check_sequence (const OpPlan *plan, GPtrArray *out)
{
  if (plan->strategy == OP_STAGE_STRATEGY_TOGETHER)
    return;

  for (guint s = 1; s < plan->n_stages; s++)
    {
      guint moving[5] = { 0 };

      for (guint t = 0; t < plan->n_teeth; t++)
        {
          int q = op_fdi_quadrant (plan->teeth[t].fdi);

          if (q >= 1 && q <= 4 &&
              memcmp (op_plan_pose (plan, s, t), op_plan_pose (plan, s - 1, t), sizeof (OpMovement)) != 0)
            moving[q]++;
        }
      for (int q = 1; q <= 4; q++)
        if (moving[q] > 2)
          add (out, "sequence", 0, 0, (int) s,
               "Stage %u: %u teeth move in quadrant %d, but the %s strategy moves at most two at a time.",
               s, moving[q], q, op_stage_strategy_to_string (plan->strategy));
    }
}

static double
ipr_total_at (const OpPlan *plan, int a, int b, guint up_to_stage)
{
  double total = 0.0;

  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);

      if (ipr->fdi_a == MIN (a, b) && ipr->fdi_b == MAX (a, b) && ipr->stage <= up_to_stage)
        total += ipr->amount_mm;
    }
  return total;
}

static void
check_ipr (const OpPlan *plan, const OpIprLimits *limits, GPtrArray *out)
{
  char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];
  double lower_incisors = 0.0;

  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);
      gboolean seen = FALSE;
      double total, max;

      if (op_plan_find_tooth (plan, ipr->fdi_a) < 0 || op_plan_find_tooth (plan, ipr->fdi_b) < 0)
        {
          add (out, "ipr", ipr->fdi_a, ipr->fdi_b, (int) ipr->stage,
               "IPR between %d and %d names a tooth that is not in the plan.", ipr->fdi_a, ipr->fdi_b);
          continue;
        }
      if (!op_ipr_is_contact (ipr->fdi_a, ipr->fdi_b))
        {
          add (out, "ipr", ipr->fdi_a, ipr->fdi_b, (int) ipr->stage,
               "IPR between %d and %d: the two teeth are not neighbours.", ipr->fdi_a, ipr->fdi_b);
          continue;
        }
      if (!isfinite (ipr->amount_mm) || op_plan_units (ipr->amount_mm) <= 0)
        add (out, "ipr", ipr->fdi_a, ipr->fdi_b, (int) ipr->stage,
             "IPR between %d and %d: the amount must be above 0 mm.", ipr->fdi_a, ipr->fdi_b);
      if (ipr->stage >= plan->n_stages)
        add (out, "ipr", ipr->fdi_a, ipr->fdi_b, (int) ipr->stage,
             "IPR between %d and %d is at stage %u, but the plan ends at stage %u.",
             ipr->fdi_a, ipr->fdi_b, ipr->stage, plan->n_stages - 1);

      /* Per-contact limits apply to all the IPR at a contact together;
       * report each contact once, at its first entry. */
      for (guint j = 0; j < i; j++)
        {
          const OpIpr *o = &g_array_index (plan->ipr, OpIpr, j);

          if (o->fdi_a == ipr->fdi_a && o->fdi_b == ipr->fdi_b)
            seen = TRUE;
        }
      if (seen)
        continue;
      total = ipr_total_at (plan, ipr->fdi_a, ipr->fdi_b, G_MAXUINT);
      max = op_ipr_contact_max (ipr->fdi_a, ipr->fdi_b, limits);
      if (op_plan_units (total) > op_plan_units (max))
        add (out, "ipr", ipr->fdi_a, ipr->fdi_b, (int) ipr->stage,
             "IPR of %s mm between %d and %d is over the %s mm this contact allows.",
             num (b1, total), ipr->fdi_a, ipr->fdi_b, num (b2, max));
      if (op_ipr_is_lower_incisor_contact (ipr->fdi_a, ipr->fdi_b))
        lower_incisors += total;
    }
  if (op_plan_units (lower_incisors) > op_plan_units (limits->lower_incisor_total))
    add (out, "ipr", 0, 0, -1,
         "IPR at the lower incisors adds up to %s mm, over the %s mm allowed across the four.",
         num (b1, lower_incisors), num (b2, limits->lower_incisor_total));
}

static void
check_attachments (const OpPlan *plan, GPtrArray *out)
{
  char b1[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < plan->attachments->len; i++)
    {
      const OpPlanAttachment *a = &g_array_index (plan->attachments, OpPlanAttachment, i);
      gboolean ridge = a->type == OP_ATTACH_POWER_RIDGE;

      if (op_plan_find_tooth (plan, a->fdi) < 0)
        add (out, "attachment", a->fdi, 0, (int) a->stage,
             "An attachment is on tooth %d, which is not in the plan.", a->fdi);
      if (a->stage >= plan->n_stages)
        add (out, "attachment", a->fdi, 0, (int) a->stage,
             "The attachment on tooth %d is bonded at stage %u, but the plan ends at stage %u.",
             a->fdi, a->stage, plan->n_stages - 1);
      if (!ridge && (op_plan_units (a->length_mm) < op_plan_units (2.0) ||
                     op_plan_units (a->length_mm) > op_plan_units (4.0)))
        add (out, "attachment", a->fdi, 0, (int) a->stage,
             "The attachment on tooth %d is %s mm long; attachments are 2-4 mm long.",
             a->fdi, num (b1, a->length_mm));
      if (!ridge && (op_plan_units (a->depth_mm) < op_plan_units (0.75) ||
                     op_plan_units (a->depth_mm) > op_plan_units (1.25)))
        add (out, "attachment", a->fdi, 0, (int) a->stage,
             "The attachment on tooth %d is %s mm deep; attachments are 0.75-1.25 mm deep.",
             a->fdi, num (b1, a->depth_mm));
      if (ridge && op_plan_units (a->depth_mm) != 0)
        add (out, "attachment", a->fdi, 0, (int) a->stage,
             "The power ridge on tooth %d has a depth of %s mm; a power ridge is part of the aligner "
             "and bonds nothing (depth 0).", a->fdi, num (b1, a->depth_mm));
    }
}

static void
check_overlaps (const OpPlan *plan, const OpPlanOverlaps *ov, GPtrArray *out)
{
  char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];

  if (ov->n_stages != plan->n_stages)
    {
      add (out, "overlap", 0, 0, -1,
           "Overlaps were measured for %u stages, but the plan has %u.", ov->n_stages, plan->n_stages);
      return;
    }

  for (guint p = 0; p < ov->n_pairs; p++)
    {
      int a = ov->pairs[2 * p], b = ov->pairs[2 * p + 1];

      /* One message per pair, at its first bad stage: a collision usually
       * lasts several stages and the first is where to act. */
      for (guint s = 0; s < plan->n_stages; s++)
        {
          double depth = ov->depth[(gsize) s * ov->n_pairs + p];
          double ipr = ipr_total_at (plan, a, b, s);

          if (depth - ipr <= OP_PLAN_OVERLAP_COLLISION)
            continue;
          if (ipr <= 0.0)
            add (out, "overlap", MIN (a, b), MAX (a, b), (int) s,
                 "Stage %u: teeth %d and %d overlap by %s mm with no IPR scheduled at or before this stage.",
                 s, MIN (a, b), MAX (a, b), num (b1, depth));
          else
            add (out, "overlap", MIN (a, b), MAX (a, b), (int) s,
                 "Stage %u: teeth %d and %d overlap by %s mm, more than the %s mm of IPR scheduled "
                 "by then and the 0.3 mm allowed.", s, MIN (a, b), MAX (a, b), num (b1, depth), num (b2, ipr));
          break;
        }
    }
}

GPtrArray *
op_plan_check (const OpPlan         *plan,
               const OpPlanOverlaps *overlaps,
               const OpIprLimits    *ipr_limits)
{
  GPtrArray *out;
  OpIprLimits defaults;

  g_return_val_if_fail (plan != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_plan_violation_free);
  if (ipr_limits == NULL)
    {
      op_ipr_limits_init (&defaults);
      ipr_limits = &defaults;
    }

  if (plan->n_stages < 1)
    {
      add (out, "initial", 0, 0, -1, "The plan has no stages; stage 0 must be the initial position.");
      return out;
    }
  check_limits (plan, out);
  check_teeth (plan, out);
  check_initial_and_target (plan, out);
  check_steps (plan, out);
  check_sequence (plan, out);
  check_ipr (plan, ipr_limits, out);
  check_attachments (plan, out);
  if (overlaps != NULL)
    check_overlaps (plan, overlaps, out);
  return out;
}
