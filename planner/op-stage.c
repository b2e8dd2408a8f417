/* op-stage.c: stage counts per tooth and sequencing strategies. */
#include "op-stage.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (op-stage-error-quark, op_stage_error)

static void
resolve_limits (const OpMovement *given,
                OpMovement       *out)
{
  static const OpMovement zero = { 0 };

  if (given == NULL || memcmp (given, &zero, sizeof zero) == 0)
    op_plan_default_limits (out);
  else
    *out = *given;
}

static gboolean
check_target (const OpMovement *target,
              int               fdi,
              GError          **error)
{
  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    {
      double v = op_movement_get (target, c);
      double max = c < OP_COMPONENT_ROT ? OP_STAGE_MAX_TRANSLATION : OP_STAGE_MAX_ROTATION;

      if (!isfinite (v) || fabs (v) > max)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_autofree char *who = fdi ? g_strdup_printf ("tooth %d: ", fdi) : g_strdup ("");

          g_set_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_TARGET,
                       "%starget %s of %s %s is beyond what aligners move (at most %g %s)",
                       who, op_component_to_string (c),
                       g_ascii_formatd (buf, sizeof buf, "%.4f", v),
                       c < OP_COMPONENT_ROT ? "mm" : "degrees", max,
                       c < OP_COMPONENT_ROT ? "mm" : "degrees");
          return FALSE;
        }
    }
  return TRUE;
}

/* The quantized pose of a tooth @k stages into a @count-stage move. */
static void
pose_at (const OpMovement *target,
         const OpFrame    *frame,
         guint             k,
         guint             count,
         OpMovement       *out)
{
  static const OpMovement rest = { 0 };

  if (k == 0 || count == 0)
    *out = rest;
  else if (k >= count)
    *out = *target;
  else
    op_movement_interpolate (&rest, target, (double) k / count, frame, out);
  op_movement_quantize (out);
}

/* Whether moving over @count stages keeps every step within the limits,
 * compared in grid units exactly as op-plan-check.c does. */
static gboolean
count_fits (const OpMovement *target,
            const OpFrame    *frame,
            const gint64      limit_units[OP_N_COMPONENTS],
            guint             count)
{
  OpMovement prev, cur;

  pose_at (target, frame, 0, count, &prev);
  for (guint k = 1; k <= count; k++)
    {
      pose_at (target, frame, k, count, &cur);
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        {
          gint64 step = op_plan_units (op_movement_get (&cur, c)) - op_plan_units (op_movement_get (&prev, c));

          if (ABS (step) > limit_units[c])
            return FALSE;
        }
      prev = cur;
    }
  return TRUE;
}

guint
op_stage_tooth_count (const OpMovement *target,
                      const OpMovement *limits,
                      const OpFrame    *frame,
                      guint             max_stages,
                      GError          **error)
{
  g_autofree char *why = NULL;
  gint64 limit_units[OP_N_COMPONENTS];
  OpMovement t;
  guint count = 0;

  g_return_val_if_fail (target != NULL, 0);
  g_return_val_if_fail (limits != NULL, 0);
  g_return_val_if_fail (frame != NULL, 0);

  if (max_stages == 0)
    max_stages = OP_STAGE_DEFAULT_MAX;
  if (!op_plan_limits_valid (limits, &why))
    {
      g_set_error_literal (error, OP_STAGE_ERROR, OP_STAGE_ERROR_LIMITS, why);
      return 0;
    }
  if (!check_target (target, 0, error))
    return 0;

  t = *target;
  op_movement_quantize (&t);
  /* The straight share of the largest component is a lower bound; slerp
   * may need more, which the loop below finds. */
  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    {
      gint64 units = ABS (op_plan_units (op_movement_get (&t, c)));

      limit_units[c] = op_plan_units (op_movement_get (limits, c));
      count = MAX (count, (guint) ((units + limit_units[c] - 1) / limit_units[c]));
    }
  if (count == 0)
    return 0;

  while (count <= max_stages && !count_fits (&t, frame, limit_units, count))
    count++;
  if (count > max_stages)
    {
      g_set_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_TOO_MANY,
                   "the movement needs more than %u stages within the limits; raise the limits or "
                   "reduce the target", max_stages);
      return 0;
    }
  return count;
}

typedef struct {
  guint index;
  int   key;
} Order;

static int
compare_order (gconstpointer a,
               gconstpointer b)
{
  const Order *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

gboolean
op_stage_plan (OpPlan               *plan,
               const OpMovement     *targets,
               const OpStageOptions *options,
               guint                *out_start,
               guint                *out_count,
               GError              **error)
{
  static const OpStageOptions no_options = { 0 };
  g_autofree guint *start = NULL;
  g_autofree guint *count = NULL;
  g_autofree OpMovement *quantized = NULL;
  g_autofree char *why = NULL;
  OpMovement limits;
  guint max_stages, n_stages;

  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (targets != NULL || plan->n_teeth == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    options = &no_options;
  resolve_limits (&options->limits, &limits);
  max_stages = options->max_stages ? options->max_stages : OP_STAGE_DEFAULT_MAX;
  if (!op_plan_limits_valid (&limits, &why))
    {
      g_set_error_literal (error, OP_STAGE_ERROR, OP_STAGE_ERROR_LIMITS, why);
      return FALSE;
    }
  if ((guint) options->strategy >= OP_STAGE_N_STRATEGIES)
    {
      g_set_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_LIMITS, "strategy %d is not known", options->strategy);
      return FALSE;
    }

  start = g_new0 (guint, MAX (plan->n_teeth, 1));
  count = g_new0 (guint, MAX (plan->n_teeth, 1));
  quantized = g_new0 (OpMovement, MAX (plan->n_teeth, 1));

  for (guint i = 0; i < plan->n_teeth; i++)
    {
      g_autoptr(GError) local = NULL;

      if (!check_target (&targets[i], plan->teeth[i].fdi, error))
        return FALSE;
      quantized[i] = targets[i];
      op_movement_quantize (&quantized[i]);
      count[i] = op_stage_tooth_count (&quantized[i], &limits, &plan->teeth[i].frame, max_stages, &local);
      if (local != NULL)
        {
          g_set_error (error, OP_STAGE_ERROR, local->code, "tooth %d: %s", plan->teeth[i].fdi, local->message);
          return FALSE;
        }
    }

  if (options->strategy == OP_STAGE_STRATEGY_TOGETHER)
    {
      for (guint i = 0; i < plan->n_teeth; i++)
        start[i] = options->min_start ? options->min_start[i] : 0;
    }
  else
    {
      g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (Order));

      /* List scheduling, two slots per quadrant, in time order: at each
       * stage every free slot takes the first tooth in the strategy's
       * order that may start (min_start) and has not.  A tooth moves in
       * stages start+1 .. start+count, so a slot's teeth never overlap in
       * time and no more than two teeth move at once in a quadrant; and a
       * tooth told to wait never holds a slot while it waits. */
      for (guint i = 0; i < plan->n_teeth; i++)
        {
          int type = op_fdi_type (plan->teeth[i].fdi);
          Order o = { i, options->strategy == OP_STAGE_STRATEGY_POSTERIOR_FIRST ? -type : type };

          g_array_append_val (order, o);
        }
      g_array_sort (order, compare_order);
      for (int q = 0; q <= 4; q++)
        {
          g_autofree gboolean *done = g_new0 (gboolean, plan->n_teeth);
          guint slot_free[2] = { 0, 0 };
          guint pending = 0, t = 0;

          for (guint k = 0; k < order->len; k++)
            {
              guint i = g_array_index (order, Order, k).index;
              int tq = op_fdi_quadrant (plan->teeth[i].fdi);

              if (tq < 1 || tq > 4)
                tq = 0;
              if (tq != q)
                done[i] = TRUE;
              else if (count[i] == 0)
                {
                  start[i] = 0;
                  done[i] = TRUE;
                }
              else
                pending++;
            }
          while (pending > 0)
            {
              guint next = G_MAXUINT;

              for (int sl = 0; sl < 2; sl++)
                {
                  if (slot_free[sl] > t)
                    continue;
                  for (guint k = 0; k < order->len; k++)
                    {
                      guint i = g_array_index (order, Order, k).index;
                      guint earliest = options->min_start ? options->min_start[i] : 0;

                      if (done[i] || earliest > t)
                        continue;
                      start[i] = t;
                      slot_free[sl] = t + count[i];
                      done[i] = TRUE;
                      pending--;
                      break;
                    }
                }
              /* Advance to the next moment something can change. */
              for (int sl = 0; sl < 2; sl++)
                if (slot_free[sl] > t)
                  next = MIN (next, slot_free[sl]);
              for (guint k = 0; k < order->len; k++)
                {
                  guint i = g_array_index (order, Order, k).index;
                  guint earliest = options->min_start ? options->min_start[i] : 0;

                  if (!done[i] && earliest > t)
                    next = MIN (next, earliest);
                }
              if (next == G_MAXUINT)
                next = t + 1;
              t = next;
            }
        }
    }

  n_stages = 1;
  for (guint i = 0; i < plan->n_teeth; i++)
    n_stages = MAX (n_stages, start[i] + count[i] + 1);
  if (n_stages - 1 > max_stages)
    {
      g_set_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_TOO_MANY,
                   "the %s sequence needs %u stages, more than the %u allowed; raise the limits or "
                   "choose another strategy", op_stage_strategy_to_string (options->strategy),
                   n_stages - 1, max_stages);
      return FALSE;
    }

  op_plan_set_n_stages (plan, n_stages);
  plan->limits = limits;
  op_movement_quantize (&plan->limits);
  plan->strategy = options->strategy;
  for (guint s = 0; s < n_stages; s++)
    for (guint i = 0; i < plan->n_teeth; i++)
      {
        guint k = s > start[i] ? s - start[i] : 0;

        pose_at (&quantized[i], &plan->teeth[i].frame, k, count[i], op_plan_pose (plan, s, i));
      }

  for (guint i = 0; i < plan->n_teeth; i++)
    {
      plan->teeth[i].target = quantized[i];
      if (out_start)
        out_start[i] = start[i];
      if (out_count)
        out_count[i] = count[i];
    }
  return TRUE;
}
