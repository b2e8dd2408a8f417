/* Tests for staging: stage counts, limits, strategies and bad limits. */
#include <math.h>
#include <string.h>

#include "op-stage.h"

static void
frame_for (int fdi, OpFrame *f)
{
  float side = op_fdi_is_left (fdi) ? 1.0f : -1.0f;
  int type = op_fdi_type (fdi);

  *f = (OpFrame) { { 0 } };
  f->origin[0] = side * 4.0f * type;
  f->origin[1] = 3.0f * type;
  f->origin[2] = op_fdi_is_upper (fdi) ? 5.0f : -5.0f;
  f->mesial[0] = -side;
  f->buccal[1] = -1.0f;
  f->occlusal[2] = op_fdi_is_upper (fdi) ? -1.0f : 1.0f;
}

/* A plan over a full upper and lower arch (FDI 17..27, 37..47). */
static OpPlan *
make_plan (void)
{
  static const int fdis[] = { 11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27,
                              31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 47 };
  OpPlanTooth teeth[G_N_ELEMENTS (fdis)];

  for (guint i = 0; i < G_N_ELEMENTS (fdis); i++)
    {
      teeth[i] = (OpPlanTooth) { .fdi = fdis[i] };
      frame_for (fdis[i], &teeth[i].frame);
    }
  return op_plan_new (teeth, G_N_ELEMENTS (fdis), 1);
}

/* Deterministic pseudo-random targets: a linear congruential generator,
 * so that the test is the same on every machine. */
static double
lcg (guint32 *state, double lo, double hi)
{
  *state = *state * 1664525u + 1013904223u;
  return lo + (hi - lo) * ((*state >> 8) / 16777216.0);
}

static void
random_targets (OpPlan *plan, guint32 seed, OpMovement *targets)
{
  for (guint i = 0; i < plan->n_teeth; i++)
    {
      targets[i].md = lcg (&seed, -2.0, 2.0);
      targets[i].bl = lcg (&seed, -2.0, 2.0);
      targets[i].vert = lcg (&seed, -1.0, 1.0);
      targets[i].rot = lcg (&seed, -30.0, 30.0);
      targets[i].tip = lcg (&seed, -15.0, 15.0);
      targets[i].torque = lcg (&seed, -12.0, 12.0);
    }
}

/* Asserts every invariant staging promises, in grid units. */
static void
assert_staged (const OpPlan *plan, const OpMovement *targets)
{
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpMovement q = targets[t];

      op_movement_quantize (&q);
      for (guint c = 0; c < OP_N_COMPONENTS; c++)
        {
          g_assert_cmpfloat (op_movement_get (op_plan_pose (plan, 0, t), c), ==, 0.0);
          g_assert_cmpfloat (op_movement_get (op_plan_target (plan, t), c), ==, op_movement_get (&q, c));
        }
      for (guint s = 1; s < plan->n_stages; s++)
        for (guint c = 0; c < OP_N_COMPONENTS; c++)
          {
            gint64 step = op_plan_units (op_movement_get (op_plan_pose (plan, s, t), c)) -
                          op_plan_units (op_movement_get (op_plan_pose (plan, s - 1, t), c));

            if (ABS (step) > op_plan_units (op_movement_get (&plan->limits, c)))
              g_test_fail_printf ("tooth %d stage %u: %s steps %" G_GINT64_FORMAT " units",
                                  plan->teeth[t].fdi, s, op_component_to_string (c), step);
          }
    }
}

static void
test_limits_hold (void)
{
  guint extra = 0;

  for (guint32 seed = 1; seed <= 12; seed++)
    {
      g_autoptr(OpPlan) plan = make_plan ();
      g_autofree OpMovement *targets = g_new0 (OpMovement, plan->n_teeth);
      g_autofree guint *count = g_new0 (guint, plan->n_teeth);
      g_autoptr(GError) error = NULL;
      OpStageOptions opts = { 0 };

      random_targets (plan, seed, targets);
      g_assert_true (op_stage_plan (plan, targets, &opts, NULL, count, &error));
      g_assert_no_error (error);
      assert_staged (plan, targets);

      /* The count is at least the straight share of each component, and
       * counts above it are where slerp's curved path needed more. */
      for (guint t = 0; t < plan->n_teeth; t++)
        {
          guint lower = 0;

          for (guint c = 0; c < OP_N_COMPONENTS; c++)
            lower = MAX (lower, (guint) ceil (fabs (op_plan_quantize (op_movement_get (&targets[t], c))) /
                                              op_movement_get (&plan->limits, c) - 1e-9));
          g_assert_cmpuint (count[t], >=, lower);
          if (count[t] > lower)
            extra++;
        }
    }
  /* Combined rotations do need the extra stages: if this ever drops to 0
   * the exact check is not being exercised. */
  g_assert_cmpuint (extra, >, 0);
}

static void
test_counts (void)
{
  OpFrame f;
  OpMovement lim;
  g_autoptr(GError) error = NULL;

  frame_for (13, &f);
  op_plan_default_limits (&lim);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .md = 1.0 }, &lim, &f, 0, &error), ==, 4);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .md = 1.01 }, &lim, &f, 0, &error), ==, 5);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .vert = -0.3 }, &lim, &f, 0, &error), ==, 2);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .rot = 20.0 }, &lim, &f, 0, &error), ==, 10);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .torque = 7.5 }, &lim, &f, 0, &error), ==, 8);
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { 0 }, &lim, &f, 0, &error), ==, 0);
  g_assert_no_error (error);

  /* A provider's own, tighter limits give more stages. */
  lim.md = 0.2;
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .md = 1.0 }, &lim, &f, 0, &error), ==, 5);
  g_assert_no_error (error);

  /* A stage cap. */
  g_assert_cmpuint (op_stage_tooth_count (&(OpMovement) { .md = 10.0 }, &lim, &f, 20, &error), ==, 0);
  g_assert_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_TOO_MANY);
}

static void
test_bad_limits (void)
{
  static const struct { OpComponent c; double v; } bad[] = {
    { OP_COMPONENT_MD, 0.0 }, { OP_COMPONENT_VERT, -0.15 }, { OP_COMPONENT_ROT, NAN },
    { OP_COMPONENT_TORQUE, 0.00001 }, { OP_COMPONENT_TIP, INFINITY },
  };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(OpPlan) plan = make_plan ();
      g_autofree OpMovement *targets = g_new0 (OpMovement, plan->n_teeth);
      g_autoptr(GError) error = NULL;
      OpStageOptions opts = { 0 };
      guint n_before = plan->n_stages;

      random_targets (plan, 7, targets);
      op_plan_default_limits (&opts.limits);
      op_movement_set (&opts.limits, bad[k].c, bad[k].v);
      g_assert_false (op_stage_plan (plan, targets, &opts, NULL, NULL, &error));
      g_assert_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_LIMITS);
      /* The message names the key. */
      if (error)
        g_assert_nonnull (strstr (error->message, op_component_to_string (bad[k].c)));
      g_assert_cmpuint (plan->n_stages, ==, n_before);
    }

  /* A target no aligner makes. */
  {
    g_autoptr(OpPlan) plan = make_plan ();
    g_autofree OpMovement *targets = g_new0 (OpMovement, plan->n_teeth);
    g_autoptr(GError) error = NULL;

    targets[3].rot = 120.0;
    g_assert_false (op_stage_plan (plan, targets, NULL, NULL, NULL, &error));
    g_assert_error (error, OP_STAGE_ERROR, OP_STAGE_ERROR_TARGET);
    if (error)
      g_assert_nonnull (strstr (error->message, "tooth 14"));
  }
}

static void
test_strategies (void)
{
  for (OpStageStrategy s = OP_STAGE_STRATEGY_POSTERIOR_FIRST; s <= OP_STAGE_STRATEGY_ANTERIOR_FIRST; s++)
    {
      g_autoptr(OpPlan) plan = make_plan ();
      g_autoptr(OpPlan) together = make_plan ();
      g_autofree OpMovement *targets = g_new0 (OpMovement, plan->n_teeth);
      g_autofree guint *start = g_new0 (guint, plan->n_teeth);
      g_autoptr(GError) error = NULL;
      OpStageOptions opts = { .strategy = s };

      random_targets (plan, 99, targets);
      g_assert_true (op_stage_plan (plan, targets, &opts, start, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (plan->strategy, ==, s);
      assert_staged (plan, targets);

      /* At most two teeth change pose in any quadrant at any stage. */
      for (guint st = 1; st < plan->n_stages; st++)
        {
          guint moving[5] = { 0 };

          for (guint t = 0; t < plan->n_teeth; t++)
            if (memcmp (op_plan_pose (plan, st, t), op_plan_pose (plan, st - 1, t), sizeof (OpMovement)) != 0)
              moving[op_fdi_quadrant (plan->teeth[t].fdi)]++;
          for (int q = 1; q <= 4; q++)
            g_assert_cmpuint (moving[q], <=, 2);
        }

      /* The strategy's end of the arch goes first: in quadrant 1 the
       * second molar (17) starts before the central incisor (11), or the
       * other way round. */
      {
        int i11 = op_plan_find_tooth (plan, 11), i17 = op_plan_find_tooth (plan, 17);

        if (s == OP_STAGE_STRATEGY_POSTERIOR_FIRST)
          g_assert_cmpuint (start[i17], <, start[i11]);
        else
          g_assert_cmpuint (start[i11], <, start[i17]);
      }

      /* Sequencing takes longer than moving everything together. */
      g_assert_true (op_stage_plan (together, targets, NULL, NULL, NULL, &error));
      g_assert_cmpuint (plan->n_stages, >, together->n_stages);
    }
}

static void
test_min_start_and_determinism (void)
{
  g_autoptr(OpPlan) a = make_plan ();
  g_autoptr(OpPlan) b = make_plan ();
  g_autofree OpMovement *targets = g_new0 (OpMovement, a->n_teeth);
  g_autofree guint *min_start = g_new0 (guint, a->n_teeth);
  g_autofree guint *start = g_new0 (guint, a->n_teeth);
  g_autoptr(GBytes) ea = NULL, eb = NULL;
  OpStageOptions opts = { 0 };
  int i21 = op_plan_find_tooth (a, 21);

  random_targets (a, 5, targets);
  min_start[i21] = 7;
  opts.min_start = min_start;
  g_assert_true (op_stage_plan (a, targets, &opts, start, NULL, NULL));
  g_assert_cmpuint (start[i21], ==, 7);
  for (guint s = 0; s <= 7; s++)
    g_assert_cmpfloat (op_plan_pose (a, s, i21)->rot, ==, 0.0);
  g_assert_cmpfloat (op_plan_pose (a, 8, i21)->rot, !=, 0.0);
  assert_staged (a, targets);

  g_assert_true (op_stage_plan (b, targets, &opts, NULL, NULL, NULL));
  ea = op_plan_encode (a);
  eb = op_plan_encode (b);
  g_assert_true (g_bytes_equal (ea, eb));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/stage/limits", test_limits_hold);
  g_test_add_func ("/planner/stage/counts", test_counts);
  g_test_add_func ("/planner/stage/bad-limits", test_bad_limits);
  g_test_add_func ("/planner/stage/strategies", test_strategies);
  g_test_add_func ("/planner/stage/min-start", test_min_start_and_determinism);
  return g_test_run ();
}
