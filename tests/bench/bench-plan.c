/* bench-plan: planning speed on the real teeth.
 *
 * Times, as medians of several runs in this one process:
 *   - staging alone (op_stage_plan) of a crowding malocclusion, the
 *     baseline every other number is divided by;
 *   - a full re-plan with collision checks (op_planner_plan with the BVHs
 *     kept from the first plan, as a recalculation after an edit does),
 *     on at most 28 teeth;
 *   - building the BVHs once (what the first plan of a case adds);
 *   - the same teeth re-planned from the target setup, which stages
 *     many more aligners;
 *   - pair-distance queries per second, from op_collide_pair's own count.
 * The goals: re-plan <= 100 ms, staging <= 20 ms on 2 cores.
 */
#include <stdio.h>
#include <stdlib.h>

#include "op-malocclusion.h"
#include "op-planner.h"
#include "op-teeth-folder.h"

#define RUNS 7

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, compare_double);
  return v[n / 2];
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
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
  g_autoptr(OpPlannerCollider) collider = NULL;
  g_autofree OpMovement *targets = NULL;
  g_autofree OpToothOverride *ov = NULL;
  g_autofree OpPlanTooth *pt = NULL;
  const char *dirs[3];
  double t_stage[RUNS], t_plan[RUNS], t_bvh[3], t_setup[RUNS];
  guint n_setup_stages = 0;
  OpCollideStats stats = { 0 };
  double query_ms = 0;
  OpPlannerOptions opts = { 0 };
  guint n_stages = 0;

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
  targets = g_new0 (OpMovement, ideal->teeth->len);
  mal = op_malocclusion_make (ideal, OP_MALOCCLUSION_CROWDING, 3, 0.05, targets);
  ov = g_new0 (OpToothOverride, ideal->teeth->len);
  pt = g_new0 (OpPlanTooth, ideal->teeth->len);
  for (guint i = 0; i < ideal->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (mal->teeth, i);

      ov[i] = (OpToothOverride) { t->fdi, OP_TOOTH_OVERRIDE_ALL, targets[i] };
      pt[i] = (OpPlanTooth) { .fdi = t->fdi, .frame = t->frame };
    }

  for (int r = 0; r < 3; r++)
    {
      double t0 = now_ms ();

      g_clear_pointer (&collider, op_planner_collider_free);
      collider = op_planner_collider_new (mal);
      t_bvh[r] = now_ms () - t0;
    }

  for (int r = 0; r < RUNS; r++)
    {
      g_autoptr(OpPlan) plan = op_plan_new (pt, ideal->teeth->len, 1);
      double t0 = now_ms ();

      if (!op_stage_plan (plan, targets, NULL, NULL, NULL, &error))
        {
          printf ("bench-plan: %s\n", error->message);
          return 1;
        }
      t_stage[r] = now_ms () - t0;
    }

  opts.overrides = ov;
  opts.n_overrides = ideal->teeth->len;
  opts.collider = collider;
  for (int r = 0; r < RUNS; r++)
    {
      g_autoptr(OpPlan) plan = NULL;
      double t0 = now_ms ();

      plan = op_planner_plan (mal, &opts, &error);
      t_plan[r] = now_ms () - t0;
      if (plan == NULL)
        {
          printf ("bench-plan: %s\n", error->message);
          return 1;
        }
      n_stages = plan->n_stages;
      if (r == 0)
        {
          g_autofree int *pairs = NULL;
          g_autofree double *depth = NULL;
          guint n_pairs = 0;
          double q0 = now_ms ();

          /* One measurement of the neighbours at every stage as the
           * planner does it (a pair whose teeth both rest keeps its last
           * depth and is not queried), for the query rate. */
          pairs = op_planner_measure (collider, plan, FALSE, &n_pairs, &depth, &stats);
          query_ms = now_ms () - q0;
        }
    }

  /* The same teeth planned from scratch by the setup (arch form, space,
   * prescription), as `orthoplan-cli plan` does: many more stages. */
  {
    g_autoptr(OpPlannerCollider) ideal_collider = op_planner_collider_new (ideal);
    OpPlannerOptions sopts = { 0 };

    sopts.collider = ideal_collider;
    for (int r = 0; r < RUNS; r++)
      {
        g_autoptr(OpPlan) plan = NULL;
        double t0 = now_ms ();

        plan = op_planner_plan (ideal, &sopts, &error);
        t_setup[r] = now_ms () - t0;
        if (plan == NULL)
          {
            printf ("bench-plan: %s\n", error->message);
            return 1;
          }
        n_setup_stages = plan->n_stages - 1;
      }
  }

  {
    double stage = median (t_stage, RUNS);
    double setup = median (t_setup, RUNS);
    double plan = median (t_plan, RUNS);
    double bvh = median (t_bvh, 3);

    printf ("teeth: %u, stages: %u, threads: %d\n", ideal->teeth->len, n_stages - 1,
            CLAMP (g_get_num_processors (), 1, 4));
    printf ("staging alone:            median %8.2f ms  (goal <= 20 ms)  baseline 1.00\n", stage);
    printf ("full re-plan, collisions: median %8.2f ms  (goal <= 100 ms) ratio %.1f x staging\n", plan,
            plan / MAX (stage, 1e-6));
    printf ("re-plan from the setup:   median %8.2f ms  (%u stages) ratio %.1f x staging\n", setup,
            n_setup_stages, setup / MAX (stage, 1e-6));
    printf ("BVH build, first plan:    median %8.2f ms  ratio %.1f x staging\n", bvh, bvh / MAX (stage, 1e-6));
    printf ("pair queries: %" G_GUINT64_FORMAT " in %.2f ms = %.0f per second (%" G_GUINT64_FORMAT
            " decided by bounding volumes)\n", stats.pair_queries, query_ms,
            stats.pair_queries / MAX (query_ms / 1000.0, 1e-9), stats.early_outs);
  }
  return 0;
}
