/* bench-plan: planning speed on the real teeth.
 *
 * Times, as medians of several runs in this one process:
 *   - staging alone (op_stage_plan) of a crowding malocclusion;
 *   - the measure, a re-plan after one tooth edit: a plan is made
 *     once, then each run changes one tooth's target (a different tooth
 *     each time, on top of the edits before, as a provider works) and
 *     plans again with the collider of the first plan, as the review
 *     screen's recalculation does.  Both the plan from the target setup
 *     (many stages) and the crowding malocclusion with every target given;
 *   - the same re-plans with the collider's memo and roots dropped before
 *     each one (op_planner_collider_forget()): what a re-plan cost before
 *     the collider kept them, the baseline of the speed-up printed;
 *   - the first plan of a case, and building the crown BVHs it adds;
 *   - pair-distance queries per second, from op_collide_pair's own count,
 *     with the memo dropped so that every query is made.
 * Each re-plan also prints its processor time (all threads): the build
 * machines are shared, and the wall clock there counts others' work too.
 * The goals: re-plan <= 100 ms, staging <= 20 ms on 2 cores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "op-malocclusion.h"
#include "op-planner.h"
#include "op-teeth-folder.h"

#define RUNS 7

/* Processor time of the whole process, every thread: on a machine shared
 * with other work the wall clock counts their time too, and this does not. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The teeth edited one after the other, and by how much: a rotation of a
 * few degrees, the commonest correction a provider makes by hand. */
static const int edit_fdi[RUNS] = { 13, 24, 35, 46, 22, 33, 15 };
#define EDIT_ROT_DEG 2.0

/* Plans @d once with @collider, then RUNS times, each after one more tooth
 * edit (its rotation target EDIT_ROT_DEG more than the plan before gave
 * it), timing each re-plan into @t; with @forget the collider forgets
 * what it measured before each re-plan.  @ov holds @n_ov overrides
 * (room for RUNS more).  Returns the stage count of the last plan, or 0
 * after printing the error. */
static guint
replan_series (const OpDentition *d,
               OpPlannerCollider *collider,
               OpToothOverride   *ov,
               guint              n_ov,
               gboolean           forget,
               double            *t,
               double            *cpu,
               double            *first_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpPlan) plan = NULL;
  OpPlannerOptions opts = { 0 };
  double t0, c0;

  opts.collider = collider;
  opts.overrides = ov;
  opts.n_overrides = n_ov;
  t0 = op_bench_now_ms ();
  plan = op_planner_plan (d, &opts, &error);
  if (first_ms)
    *first_ms = op_bench_now_ms () - t0;
  if (plan == NULL)
    {
      printf ("bench-plan: first plan: %s\n", error->message);
      return 0;
    }
  for (int r = 0; r < RUNS; r++)
    {
      int ti = op_plan_find_tooth (plan, edit_fdi[r]);
      OpToothOverride *o = NULL;
      g_autoptr(OpPlan) next = NULL;

      g_assert (ti >= 0);
      for (guint k = 0; k < opts.n_overrides; k++)
        if (ov[k].fdi == edit_fdi[r])
          o = &ov[k];
      if (o == NULL)
        {
          o = &ov[opts.n_overrides++];
          *o = (OpToothOverride) { edit_fdi[r], 0, { 0 } };
        }
      o->mask |= 1u << OP_COMPONENT_ROT;
      o->target.rot = plan->teeth[ti].target.rot + EDIT_ROT_DEG;
      if (forget)
        op_planner_collider_forget (collider);
      t0 = op_bench_now_ms ();
      c0 = cpu_ms ();
      next = op_planner_plan (d, &opts, &error);
      t[r] = op_bench_now_ms () - t0;
      cpu[r] = cpu_ms () - c0;
      if (next == NULL)
        {
          printf ("bench-plan: re-plan after editing %d: %s\n", edit_fdi[r], error->message);
          return 0;
        }
      g_clear_pointer (&plan, op_plan_free);
      plan = g_steal_pointer (&next);
    }
  return plan->n_stages - 1;
}

int
main (void)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *up = NULL, *lo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) real = NULL;
  g_autoptr(OpDentition) ideal = op_dentition_new ();
  g_autoptr(OpDentition) mal = NULL;
  g_autofree OpMovement *targets = NULL;
  g_autofree OpToothOverride *ov = NULL;
  g_autofree OpToothOverride *ov_setup = NULL;
  g_autofree OpPlanTooth *pt = NULL;
  const char *dirs[3];
  double t_stage[RUNS], t_bvh[3];
  double t_setup[RUNS], t_setup_cold[RUNS], t_mal[RUNS], t_mal_cold[RUNS];
  double c_setup[RUNS], c_setup_cold[RUNS], c_mal[RUNS], c_mal_cold[RUNS];
  double first_setup = 0, first_mal = 0, query_ms = 0;
  guint n_setup_stages, n_mal_stages, n;
  OpCollideStats stats = { 0 };

  if (root == NULL)
    {
      printf ("bench-plan: OP_SHARED_DATA is not set\n");
      return 77;
    }
  up = g_build_filename (root, "open-full-jaw-p26", "maxilla", NULL);
  lo = g_build_filename (root, "open-full-jaw-p26", "mandible", NULL);
  dirs[0] = up;
  dirs[1] = lo;
  dirs[2] = NULL;
  real = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, NULL, NULL, &error);
  if (real == NULL)
    {
      printf ("bench-plan: %s\n", error->message);
      return 1;
    }
  /* 28 teeth: the framed ones without the third molars, as most plans. */
  for (guint i = 0; i < real->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (real->teeth, i);

      if (t->has_frame && op_fdi_type (t->fdi) != OP_TOOTH_THIRD_MOLAR)
        op_dentition_add (ideal, op_tooth_copy (t));
    }
  n = ideal->teeth->len;
  targets = g_new0 (OpMovement, n);
  mal = op_malocclusion_make (ideal, OP_MALOCCLUSION_CROWDING, 3, 0.05, targets);
  ov = g_new0 (OpToothOverride, n + RUNS);
  ov_setup = g_new0 (OpToothOverride, RUNS);
  pt = g_new0 (OpPlanTooth, n);
  for (guint i = 0; i < n; i++)
    {
      const OpTooth *t = g_ptr_array_index (mal->teeth, i);

      ov[i] = (OpToothOverride) { t->fdi, OP_TOOTH_OVERRIDE_ALL, targets[i] };
      pt[i] = (OpPlanTooth) { .fdi = t->fdi, .frame = t->frame };
    }

  for (int r = 0; r < RUNS; r++)
    {
      g_autoptr(OpPlan) plan = op_plan_new (pt, n, 1);
      double t0 = op_bench_now_ms ();

      if (!op_stage_plan (plan, targets, NULL, NULL, NULL, &error))
        {
          printf ("bench-plan: %s\n", error->message);
          return 1;
        }
      t_stage[r] = op_bench_now_ms () - t0;
    }

  for (int r = 0; r < 3; r++)
    {
      double t0 = op_bench_now_ms ();
      g_autoptr(OpPlannerCollider) c = op_planner_collider_new (mal);

      t_bvh[r] = op_bench_now_ms () - t0;
    }

  /* From the target setup (arch form, space, prescription), as
   * `orthoplan-cli plan` and the review screen plan a case. */
  {
    g_autoptr(OpPlannerCollider) c = op_planner_collider_new (ideal);

    n_setup_stages = replan_series (ideal, c, ov_setup, 0, FALSE, t_setup, c_setup, &first_setup);
    if (n_setup_stages == 0)
      return 1;
    memset (ov_setup, 0, sizeof (OpToothOverride) * RUNS);
    if (replan_series (ideal, c, ov_setup, 0, TRUE, t_setup_cold, c_setup_cold, NULL) == 0)
      return 1;
  }
  /* The crowding malocclusion with every target given. */
  {
    g_autoptr(OpPlannerCollider) c = op_planner_collider_new (mal);
    g_autofree OpToothOverride *ov2 = g_memdup2 (ov, sizeof (OpToothOverride) * (n + RUNS));

    n_mal_stages = replan_series (mal, c, ov, n, FALSE, t_mal, c_mal, &first_mal);
    if (n_mal_stages == 0)
      return 1;
    if (replan_series (mal, c, ov2, n, TRUE, t_mal_cold, c_mal_cold, NULL) == 0)
      return 1;

    /* Every query of one plan made, for the query rate. */
    {
      OpPlannerOptions opts = { 0 };
      g_autoptr(OpPlan) plan = NULL;
      g_autofree int *pairs = NULL;
      g_autofree double *depth = NULL;
      guint n_pairs = 0;
      double q0;

      opts.collider = c;
      opts.overrides = ov;
      opts.n_overrides = n;
      plan = op_planner_plan (mal, &opts, &error);
      if (plan == NULL)
        {
          printf ("bench-plan: %s\n", error->message);
          return 1;
        }
      op_planner_collider_forget (c);
      q0 = op_bench_now_ms ();
      pairs = op_planner_measure (c, plan, FALSE, &n_pairs, &depth, &stats);
      query_ms = op_bench_now_ms () - q0;
    }
  }

  {
    double stage = op_bench_median (t_stage, RUNS);
    double setup = op_bench_median (t_setup, RUNS), setup_cold = op_bench_median (t_setup_cold, RUNS);
    double malo = op_bench_median (t_mal, RUNS), mal_cold = op_bench_median (t_mal_cold, RUNS);
    double bvh = op_bench_median (t_bvh, 3);

    printf ("teeth: %u, threads: %d, %d re-plans each after one more tooth edit (rotation %+.0f degrees)\n", n,
            CLAMP (g_get_num_processors (), 1, 4), RUNS, EDIT_ROT_DEG);
    printf ("staging alone:                    median %8.2f ms  (goal <= 20 ms: %s)\n", stage,
            stage <= 20 ? "met" : "unmet");
    printf ("re-plan after one edit, setup:    median %8.2f ms  (%u stages; goal <= 100 ms: %s); "
            "processor time %.2f ms\n", setup, n_setup_stages, setup <= 100 ? "met" : "unmet",
            op_bench_median (c_setup, RUNS));
    printf ("  baseline, collider forgotten:   median %8.2f ms  ratio %.2f (baseline / re-plan); "
            "processor time %.2f ms\n", setup_cold, setup_cold / MAX (setup, 1e-6), op_bench_median (c_setup_cold, RUNS));
    printf ("re-plan after one edit, crowding: median %8.2f ms  (%u stages; goal <= 100 ms: %s); "
            "processor time %.2f ms\n", malo, n_mal_stages, malo <= 100 ? "met" : "unmet", op_bench_median (c_mal, RUNS));
    printf ("  baseline, collider forgotten:   median %8.2f ms  ratio %.2f (baseline / re-plan); "
            "processor time %.2f ms\n", mal_cold, mal_cold / MAX (malo, 1e-6), op_bench_median (c_mal_cold, RUNS));
    printf ("first plan of a case: setup %.2f ms, crowding %.2f ms, after building the BVHs: median %.2f ms\n",
            first_setup, first_mal, bvh);
    printf ("pair queries: %" G_GUINT64_FORMAT " in %.2f ms = %.0f per second (%" G_GUINT64_FORMAT
            " decided by bounding volumes)\n", stats.pair_queries, query_ms,
            stats.pair_queries / MAX (query_ms / 1000.0, 1e-9), stats.early_outs);
  }
  return 0;
}
