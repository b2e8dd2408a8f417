/* op-plan.c: the plan model and its canonical JSON encoder.
 *
 * The encoder is written by hand with GString rather than with a JSON
 * library because the bytes are what a provider signs: key order, number
 * format and white space must never depend on a library's version or on
 * the locale.  Numbers go through g_ascii_formatd, which ignores
 * LC_NUMERIC, after rounding to the plan's grid.
 */
#include "op-plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double
op_plan_quantize (double value)
{
  double q;

  if (!isfinite (value))
    return value;
  q = (double) llround (value / OP_PLAN_QUANTUM) / 10000.0;
  /* -0.0 would print as "-0.0000": the same pose must give the same bytes. */
  return q == 0.0 ? 0.0 : q;
}

gint64
op_plan_units (double value)
{
  return llround (value / OP_PLAN_QUANTUM);
}

void
op_movement_quantize (OpMovement *m)
{
  g_return_if_fail (m != NULL);

  m->md = op_plan_quantize (m->md);
  m->bl = op_plan_quantize (m->bl);
  m->vert = op_plan_quantize (m->vert);
  m->rot = op_plan_quantize (m->rot);
  m->tip = op_plan_quantize (m->tip);
  m->torque = op_plan_quantize (m->torque);
}

static const char *const strategy_names[OP_STAGE_N_STRATEGIES] = {
  "together", "posterior-first", "anterior-first",
};

const char *
op_stage_strategy_to_string (OpStageStrategy strategy)
{
  g_return_val_if_fail ((guint) strategy < OP_STAGE_N_STRATEGIES, NULL);
  return strategy_names[strategy];
}

gboolean
op_stage_strategy_from_string (const char      *str,
                               OpStageStrategy *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; str != NULL && i < OP_STAGE_N_STRATEGIES; i++)
    if (strcmp (str, strategy_names[i]) == 0)
      {
        *out = (OpStageStrategy) i;
        return TRUE;
      }
  return FALSE;
}

static const char *const attachment_names[] = {
  [OP_ATTACH_RECT_VERTICAL] = "rect-vertical",
  [OP_ATTACH_RECT_HORIZONTAL] = "rect-horizontal",
  [OP_ATTACH_POWER_RIDGE] = "power-ridge",
};

const char *
op_plan_attachment_type_to_string (OpAttachType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (attachment_names), NULL);
  return attachment_names[type];
}

gboolean
op_plan_attachment_type_from_string (const char   *str,
                                     OpAttachType *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (attachment_names); i++)
    if (strcmp (str, attachment_names[i]) == 0)
      {
        *out = (OpAttachType) i;
        return TRUE;
      }
  return FALSE;
}

void
op_plan_default_limits (OpMovement *limits)
{
  g_return_if_fail (limits != NULL);

  *limits = (OpMovement) {
    .md = 0.25, .bl = 0.25, .vert = 0.15,
    .rot = 2.0, .tip = 2.0, .torque = 1.0,
  };
}

void
op_plan_default_comfort (OpMovement *comfort)
{
  g_return_if_fail (comfort != NULL);

  *comfort = (OpMovement) {
    .md = 3.0, .bl = 3.0, .vert = 2.0,
    .rot = 25.0, .tip = 15.0, .torque = 10.0,
  };
}

gboolean
op_plan_limits_valid (const OpMovement  *limits,
                      char             **why)
{
  g_return_val_if_fail (limits != NULL, FALSE);

  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    {
      double v = op_movement_get (limits, (OpComponent) c);

      /* A limit below the grid would round to zero: no tooth could move. */
      if (!isfinite (v) || op_plan_quantize (v) <= 0.0)
        {
          if (why)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              *why = g_strdup_printf ("limit %s is %s; every per-stage limit must be a number above 0 "
                                      "(at least %s %s)",
                                      op_component_to_string ((OpComponent) c),
                                      g_ascii_formatd (buf, sizeof buf, "%g", v),
                                      "0.0001", c < OP_COMPONENT_ROT ? "mm" : "degrees");
            }
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_plan_tooth (gconstpointer a,
                    gconstpointer b)
{
  const OpPlanTooth *ta = a, *tb = b;

  return (ta->fdi > tb->fdi) - (ta->fdi < tb->fdi);
}

static void
warning_clear (gpointer data)
{
  OpPlanWarning *w = data;

  g_clear_pointer (&w->code, g_free);
  g_clear_pointer (&w->message, g_free);
}

static OpPlan *
plan_alloc (void)
{
  OpPlan *plan = g_new0 (OpPlan, 1);

  plan->ipr = g_array_new (FALSE, TRUE, sizeof (OpIpr));
  plan->attachments = g_array_new (FALSE, TRUE, sizeof (OpPlanAttachment));
  plan->warnings = g_array_new (FALSE, TRUE, sizeof (OpPlanWarning));
  g_array_set_clear_func (plan->warnings, warning_clear);
  op_plan_default_limits (&plan->limits);
  op_plan_default_comfort (&plan->comfort);
  return plan;
}

OpPlan *
op_plan_new (const OpPlanTooth *teeth,
             guint              n_teeth,
             guint              n_stages)
{
  OpPlan *plan;

  g_return_val_if_fail (teeth != NULL || n_teeth == 0, NULL);
  g_return_val_if_fail (n_stages >= 1, NULL);

  plan = plan_alloc ();
  plan->n_teeth = n_teeth;
  plan->teeth = g_new0 (OpPlanTooth, MAX (n_teeth, 1));
  if (n_teeth > 0)
    memcpy (plan->teeth, teeth, n_teeth * sizeof *teeth);
  qsort (plan->teeth, n_teeth, sizeof *plan->teeth, compare_plan_tooth);
  plan->n_stages = n_stages;
  plan->poses = g_new0 (OpMovement, (gsize) n_stages * MAX (n_teeth, 1));
  return plan;
}

OpPlan *
op_plan_copy (const OpPlan *plan)
{
  OpPlan *copy;

  g_return_val_if_fail (plan != NULL, NULL);

  copy = op_plan_new (plan->teeth, plan->n_teeth, plan->n_stages);
  copy->limits = plan->limits;
  copy->comfort = plan->comfort;
  copy->strategy = plan->strategy;
  memcpy (copy->poses, plan->poses, (gsize) plan->n_stages * plan->n_teeth * sizeof (OpMovement));
  g_array_append_vals (copy->ipr, plan->ipr->data, plan->ipr->len);
  g_array_append_vals (copy->attachments, plan->attachments->data, plan->attachments->len);
  for (guint i = 0; i < plan->warnings->len; i++)
    {
      OpPlanWarning w = g_array_index (plan->warnings, OpPlanWarning, i);

      w.code = g_strdup (w.code);
      w.message = g_strdup (w.message);
      g_array_append_val (copy->warnings, w);
    }
  copy->explanation = g_strdup (plan->explanation);
  return copy;
}

void
op_plan_free (OpPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->teeth);
  g_free (plan->poses);
  g_array_unref (plan->ipr);
  g_array_unref (plan->attachments);
  g_array_unref (plan->warnings);
  g_free (plan->explanation);
  g_free (plan);
}

void
op_plan_set_n_stages (OpPlan *plan,
                      guint   n_stages)
{
  gsize old, new;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (n_stages >= 1);

  old = (gsize) plan->n_stages * plan->n_teeth;
  new = (gsize) n_stages * plan->n_teeth;
  plan->poses = g_renew (OpMovement, plan->poses, MAX (new, 1));
  if (new > old)
    memset (plan->poses + old, 0, (new - old) * sizeof (OpMovement));
  plan->n_stages = n_stages;
}

int
op_plan_find_tooth (const OpPlan *plan,
                    int           fdi)
{
  g_return_val_if_fail (plan != NULL, -1);

  for (guint i = 0; i < plan->n_teeth; i++)
    if (plan->teeth[i].fdi == fdi)
      return (int) i;
  return -1;
}

OpMovement *
op_plan_pose (const OpPlan *plan,
              guint         stage,
              guint         tooth_index)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (stage < plan->n_stages, NULL);
  g_return_val_if_fail (tooth_index < plan->n_teeth, NULL);

  return &plan->poses[(gsize) stage * plan->n_teeth + tooth_index];
}

const OpMovement *
op_plan_target (const OpPlan *plan,
                guint         tooth_index)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return op_plan_pose (plan, plan->n_stages - 1, tooth_index);
}

void
op_plan_add_ipr (OpPlan *plan,
                 int     fdi_a,
                 int     fdi_b,
                 double  amount_mm,
                 guint   stage)
{
  OpIpr ipr;

  g_return_if_fail (plan != NULL);

  ipr.fdi_a = MIN (fdi_a, fdi_b);
  ipr.fdi_b = MAX (fdi_a, fdi_b);
  ipr.amount_mm = op_plan_quantize (amount_mm);
  ipr.stage = stage;
  g_array_append_val (plan->ipr, ipr);
}

void
op_plan_add_attachment (OpPlan                 *plan,
                        const OpPlanAttachment *attachment)
{
  OpPlanAttachment a;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (attachment != NULL);

  a = *attachment;
  a.length_mm = op_plan_quantize (a.length_mm);
  a.width_mm = op_plan_quantize (a.width_mm);
  a.depth_mm = op_plan_quantize (a.depth_mm);
  for (int i = 0; i < 3; i++)
    a.position[i] = op_plan_quantize (a.position[i]);
  g_array_append_val (plan->attachments, a);
}

void
op_plan_add_warning (OpPlan     *plan,
                     const char *code,
                     int         fdi_a,
                     int         fdi_b,
                     int         stage,
                     const char *format,
                     ...)
{
  OpPlanWarning w;
  va_list ap;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (code != NULL);
  g_return_if_fail (format != NULL);

  va_start (ap, format);
  w.code = g_strdup (code);
  w.fdi_a = fdi_a;
  w.fdi_b = fdi_b;
  w.stage = stage;
  w.message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_array_append_val (plan->warnings, w);
}

static int
compare_ipr (gconstpointer a,
             gconstpointer b)
{
  const OpIpr *x = a, *y = b;

  if (x->stage != y->stage)
    return x->stage < y->stage ? -1 : 1;
  if (x->fdi_a != y->fdi_a)
    return x->fdi_a < y->fdi_a ? -1 : 1;
  if (x->fdi_b != y->fdi_b)
    return x->fdi_b < y->fdi_b ? -1 : 1;
  return (x->amount_mm > y->amount_mm) - (x->amount_mm < y->amount_mm);
}

static int
compare_attachment (gconstpointer a,
                    gconstpointer b)
{
  const OpPlanAttachment *x = a, *y = b;

  if (x->fdi != y->fdi)
    return x->fdi < y->fdi ? -1 : 1;
  if (x->stage != y->stage)
    return x->stage < y->stage ? -1 : 1;
  return (x->type > y->type) - (x->type < y->type);
}

void
op_plan_sort (OpPlan *plan)
{
  g_return_if_fail (plan != NULL);

  /* g_array_sort is a merge sort in GLib: stable, so equal keys keep the
   * order they were added in and the result is deterministic. */
  g_array_sort (plan->ipr, compare_ipr);
  g_array_sort (plan->attachments, compare_attachment);
}

GArray *
op_plan_movement_table (const OpPlan *plan)
{
  GArray *rows;

  g_return_val_if_fail (plan != NULL, NULL);

  rows = g_array_sized_new (FALSE, TRUE, sizeof (OpMovementRow), plan->n_teeth);
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpMovementRow row = { 0 };

      row.fdi = plan->teeth[t].fdi;
      row.total = *op_plan_target (plan, t);
      for (guint s = 1; s < plan->n_stages; s++)
        {
          const OpMovement *p = op_plan_pose (plan, s - 1, t);
          const OpMovement *q = op_plan_pose (plan, s, t);

          for (guint c = 0; c < OP_N_COMPONENTS; c++)
            {
              double step = op_plan_quantize (fabs (op_movement_get (q, c) - op_movement_get (p, c)));

              if (step > op_movement_get (&row.max_step, c))
                op_movement_set (&row.max_step, c, step);
            }
        }
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        if (fabs (op_movement_get (&row.total, c)) > op_movement_get (&plan->comfort, c))
          row.flagged |= 1u << c;
      g_array_append_val (rows, row);
    }
  return rows;
}

void
op_plan_stage_matrix (const OpPlan *plan,
                      guint         stage,
                      guint         tooth_index,
                      float         out[16])
{
  g_return_if_fail (plan != NULL);
  g_return_if_fail (stage < plan->n_stages && tooth_index < plan->n_teeth);

  op_movement_to_matrix (op_plan_pose (plan, stage, tooth_index),
                         &plan->teeth[tooth_index].frame, out);
}

/* Encoder. */

static void
put_number (GString *s,
            double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* A NaN or infinity has no JSON spelling; a plan never holds one (the
   * stager and the decoder refuse them), and null keeps the file valid
   * JSON so that the checker can say which field is wrong. */
  if (!isfinite (v))
    {
      g_string_append (s, "null");
      return;
    }
  g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.4f", op_plan_quantize (v)));
}

static void
put_string (GString    *s,
            const char *text)
{
  if (text == NULL)
    {
      g_string_append (s, "null");
      return;
    }
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (s, "\\\""); break;
        case '\\': g_string_append (s, "\\\\"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\r': g_string_append (s, "\\r"); break;
        case '\t': g_string_append (s, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (s, "\\u%04x", *p);
          else
            g_string_append_c (s, (char) *p);
        }
    }
  g_string_append_c (s, '"');
}

static void
put_movement (GString          *s,
              const OpMovement *m)
{
  g_string_append_c (s, '{');
  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    {
      if (c > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, "\"%s\": ", op_component_to_string (c));
      put_number (s, op_movement_get (m, c));
    }
  g_string_append_c (s, '}');
}

static void
put_vec3f (GString     *s,
           const float  v[3])
{
  g_string_append_c (s, '[');
  for (int i = 0; i < 3; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      put_number (s, v[i]);
    }
  g_string_append_c (s, ']');
}

static void
put_vec3 (GString      *s,
          const double  v[3])
{
  g_string_append_c (s, '[');
  for (int i = 0; i < 3; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      put_number (s, v[i]);
    }
  g_string_append_c (s, ']');
}

GBytes *
op_plan_encode (const OpPlan *plan)
{
  GString *s;

  g_return_val_if_fail (plan != NULL, NULL);

  s = g_string_sized_new (256 + (gsize) plan->n_stages * plan->n_teeth * 110);
  g_string_append_printf (s, "{\n\"format\": %d,\n\"strategy\": ", OP_PLAN_FORMAT_VERSION);
  put_string (s, op_stage_strategy_to_string (plan->strategy));
  g_string_append (s, ",\n\"limits\": ");
  put_movement (s, &plan->limits);
  g_string_append (s, ",\n\"comfort\": ");
  put_movement (s, &plan->comfort);

  g_string_append (s, ",\n\"teeth\": [");
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      const OpPlanTooth *tooth = &plan->teeth[t];

      g_string_append_printf (s, "%s\n{\"fdi\": %d, \"locked\": %s, \"origin\": ",
                              t > 0 ? "," : "", tooth->fdi, tooth->locked ? "true" : "false");
      put_vec3f (s, tooth->frame.origin);
      g_string_append (s, ", \"mesial\": ");
      put_vec3f (s, tooth->frame.mesial);
      g_string_append (s, ", \"buccal\": ");
      put_vec3f (s, tooth->frame.buccal);
      g_string_append (s, ", \"occlusal\": ");
      put_vec3f (s, tooth->frame.occlusal);
      g_string_append (s, ", \"target\": ");
      put_movement (s, &tooth->target);
      g_string_append_c (s, '}');
    }
  g_string_append (s, plan->n_teeth > 0 ? "\n]" : "]");

  g_string_append (s, ",\n\"stages\": [");
  for (guint st = 0; st < plan->n_stages; st++)
    {
      g_string_append_printf (s, "%s\n{\"stage\": %u, \"teeth\": {", st > 0 ? "," : "", st);
      for (guint t = 0; t < plan->n_teeth; t++)
        {
          g_string_append_printf (s, "%s\"%d\": ", t > 0 ? ", " : "", plan->teeth[t].fdi);
          put_movement (s, op_plan_pose (plan, st, t));
        }
      g_string_append (s, "}}");
    }
  g_string_append (s, "\n]");

  g_string_append (s, ",\n\"ipr\": [");
  for (guint i = 0; i < plan->ipr->len; i++)
    {
      const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, i);

      g_string_append_printf (s, "%s\n{\"a\": %d, \"b\": %d, \"amount_mm\": ",
                              i > 0 ? "," : "", ipr->fdi_a, ipr->fdi_b);
      put_number (s, ipr->amount_mm);
      g_string_append_printf (s, ", \"stage\": %u}", ipr->stage);
    }
  g_string_append (s, plan->ipr->len > 0 ? "\n]" : "]");

  g_string_append (s, ",\n\"attachments\": [");
  for (guint i = 0; i < plan->attachments->len; i++)
    {
      const OpPlanAttachment *a = &g_array_index (plan->attachments, OpPlanAttachment, i);

      g_string_append_printf (s, "%s\n{\"fdi\": %d, \"type\": ", i > 0 ? "," : "", a->fdi);
      put_string (s, op_plan_attachment_type_to_string (a->type));
      g_string_append (s, ", \"length_mm\": ");
      put_number (s, a->length_mm);
      g_string_append (s, ", \"width_mm\": ");
      put_number (s, a->width_mm);
      g_string_append (s, ", \"depth_mm\": ");
      put_number (s, a->depth_mm);
      g_string_append (s, ", \"position\": ");
      put_vec3 (s, a->position);
      g_string_append_printf (s, ", \"stage\": %u}", a->stage);
    }
  g_string_append (s, plan->attachments->len > 0 ? "\n]" : "]");

  g_string_append (s, ",\n\"warnings\": [");
  for (guint i = 0; i < plan->warnings->len; i++)
    {
      const OpPlanWarning *w = &g_array_index (plan->warnings, OpPlanWarning, i);

      g_string_append_printf (s, "%s\n{\"code\": ", i > 0 ? "," : "");
      put_string (s, w->code);
      g_string_append_printf (s, ", \"a\": %d, \"b\": %d, \"stage\": %d, \"message\": ",
                              w->fdi_a, w->fdi_b, w->stage);
      put_string (s, w->message);
      g_string_append_c (s, '}');
    }
  g_string_append (s, plan->warnings->len > 0 ? "\n]" : "]");

  g_string_append (s, ",\n\"explanation\": ");
  put_string (s, plan->explanation);
  g_string_append (s, "\n}\n");

  return g_string_free_to_bytes (s);
}
