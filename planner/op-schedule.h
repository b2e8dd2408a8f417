/* op-schedule.h: how many aligners a plan needs and when each is worn.
 *
 * Aligner k (1-based) carries the teeth from stage k - 1 to stage k, so a
 * plan with n_stages stages (stage 0 being the initial position) needs
 * n_stages - 1 aligners.  An arch whose teeth stop moving earlier needs
 * fewer: its count is the last stage at which one of its teeth moves.
 * Every aligner is worn for the same interval (14 days by default, see
 * CLINICAL.md), so the schedule is a plain arithmetic sequence of dates.
 */
#pragma once

#include "op-plan.h"

G_BEGIN_DECLS

/* CLINICAL.md's default wear time of one aligner. */
#define OP_SCHEDULE_DEFAULT_INTERVAL_DAYS 14

/* Aligners the whole plan needs: n_stages - 1. */
guint    op_schedule_n_aligners      (const OpPlan *plan);

/* Aligners for one arch: the last stage at which a tooth of that arch
 * moves, 0 when none of them does. */
guint    op_schedule_arch_aligners   (const OpPlan *plan,
                                      gboolean      upper);

/* Treatment days: @n_aligners * @interval_days. */
guint    op_schedule_days            (guint         n_aligners,
                                      guint         interval_days);

/* The day aligner @aligner (1-based) is first worn, when aligner 1 is
 * worn from @start: start + (aligner - 1) * interval.  Aligner
 * n_aligners + 1 gives the day treatment ends.  FALSE when @start is not
 * a valid date, @aligner is 0 or the result leaves GDate's range. */
gboolean op_schedule_aligner_date    (const GDate  *start,
                                      guint         interval_days,
                                      guint         aligner,
                                      GDate        *out);

/* Parses "YYYY-MM-DD" into @out; FALSE when it is not a real date. */
gboolean op_schedule_parse_date      (const char   *text,
                                      GDate        *out);

G_END_DECLS
