/* op-schedule.c: aligner counts and wear dates (op-schedule.h). */
#include "op-schedule.h"

#include <stdio.h>
#include <string.h>

guint
op_schedule_n_aligners (const OpPlan *plan)
{
  g_return_val_if_fail (plan != NULL && plan->n_stages >= 1, 0);

  return plan->n_stages - 1;
}

guint
op_schedule_arch_aligners (const OpPlan *plan,
                           gboolean      upper)
{
  guint last = 0;

  g_return_val_if_fail (plan != NULL, 0);

  /* A stage counts for an arch when any of its teeth differs from the
   * stage before.  Poses sit on the plan's grid, so comparing bytes is
   * comparing values. */
  for (guint s = 1; s < plan->n_stages; s++)
    for (guint t = 0; t < plan->n_teeth; t++)
      if (op_fdi_is_upper (plan->teeth[t].fdi) == upper &&
          memcmp (op_plan_pose (plan, s, t), op_plan_pose (plan, s - 1, t), sizeof (OpMovement)) != 0)
        {
          last = s;
          break;
        }
  return last;
}

guint
op_schedule_days (guint n_aligners,
                  guint interval_days)
{
  return n_aligners * interval_days;
}

gboolean
op_schedule_aligner_date (const GDate *start,
                          guint        interval_days,
                          guint        aligner,
                          GDate       *out)
{
  guint64 julian;

  g_return_val_if_fail (start != NULL && out != NULL, FALSE);

  if (!g_date_valid (start) || aligner == 0)
    return FALSE;
  julian = (guint64) g_date_get_julian (start) + (guint64) (aligner - 1) * interval_days;
  if (!g_date_valid_julian ((guint32) julian) || julian > G_MAXUINT32)
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_julian (out, (guint32) julian);
  return TRUE;
}

gboolean
op_schedule_parse_date (const char *text,
                        GDate      *out)
{
  unsigned y, m, d;
  char tail;

  g_return_val_if_fail (out != NULL, FALSE);

  g_date_clear (out, 1);
  /* sscanf alone would take "2024-1-5x"; insist on the exact shape. */
  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-' ||
      sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}
