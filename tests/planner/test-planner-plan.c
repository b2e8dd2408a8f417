/* Tests for the plan model, its canonical encoding, the invariant checks
 * and the pipeline on malocclusions made from the real teeth. */
#include <locale.h>
#include <math.h>
#include <string.h>

#include "op-malocclusion.h"
#include "op-planner.h"
#include "op-teeth-folder.h"

static void
frame_for (int fdi, OpFrame *f)
{
  float side = op_fdi_is_left (fdi) ? 1.0f : -1.0f;

  *f = (OpFrame) { { 0 } };
  f->origin[0] = side * 4.0f * op_fdi_type (fdi);
  f->origin[1] = 3.0f * op_fdi_type (fdi);
  f->mesial[0] = -side;
  f->buccal[1] = -1.0f;
  f->occlusal[2] = op_fdi_is_upper (fdi) ? -1.0f : 1.0f;
}

static OpPlan *
small_plan (void)
{
  static const int fdis[] = { 11, 12, 21, 22, 31, 41 };
  OpPlanTooth teeth[G_N_ELEMENTS (fdis)];
  OpMovement targets[G_N_ELEMENTS (fdis)] = {
    { 0.5, -0.3, 0.1, 8.0, 3.0, 2.5 },
    { -0.2, 0.9, 0.0, -12.0, 0.0, 0.0 },
    { 0.0, 0.0, -0.45, 0.0, -4.0, 1.0 },
    { 0.3, 0.3, 0.3, 3.0, 3.0, 3.0 },
    { 0 },
    { 1.0, 0, 0, 0, 0, 0 },
  };
  OpPlan *plan;

  for (guint i = 0; i < G_N_ELEMENTS (fdis); i++)
    {
      teeth[i] = (OpPlanTooth) { .fdi = fdis[i] };
      frame_for (fdis[i], &teeth[i].frame);
    }
  plan = op_plan_new (teeth, G_N_ELEMENTS (fdis), 1);
  g_assert_true (op_stage_plan (plan, targets, NULL, NULL, NULL, NULL));
  op_plan_add_ipr (plan, 11, 21, 0.2, 1);
  op_plan_add_attachment (plan, &(OpPlanAttachment) { .fdi = 12, .type = OP_ATTACH_RECT_VERTICAL,
                                                      .length_mm = 3.0, .width_mm = 1.5, .depth_mm = 1.0,
                                                      .position = { 0.1, 3.5, 0.2 }, .stage = 1 });
  op_plan_add_warning (plan, "comfort", 12, 0, -1, "Tooth 12 \"rotates\" a lot.\n");
  plan->explanation = g_strdup ("Upper arch: 1.2 mm crowding, resolved by IPR.");
  op_plan_sort (plan);
  return plan;
}

static void
test_encode (void)
{
  g_autoptr(OpPlan) a = small_plan ();
  g_autoptr(OpPlan) b = small_plan ();
  g_autoptr(OpPlan) c = NULL;
  g_autoptr(GBytes) ea = op_plan_encode (a);
  g_autoptr(GBytes) eb = op_plan_encode (b);
  g_autoptr(GBytes) ec = NULL;
  g_autoptr(GBytes) ed = NULL;
  const char *text = g_bytes_get_data (ea, NULL);
  const char *old_locale;

  /* Same input, same bytes; a copy encodes the same. */
  g_assert_true (g_bytes_equal (ea, eb));
  c = op_plan_copy (a);
  ec = op_plan_encode (c);
  g_assert_true (g_bytes_equal (ea, ec));

  /* Fixed keys and number format. */
  g_assert_nonnull (strstr (text, "\"limits\": {\"md\": 0.2500, \"bl\": 0.2500, \"vert\": 0.1500, "
                                  "\"rot\": 2.0000, \"tip\": 2.0000, \"torque\": 1.0000}"));
  g_assert_nonnull (strstr (text, "\"strategy\": \"together\""));
  g_assert_nonnull (strstr (text, "{\"stage\": 0, \"teeth\": {\"11\": {\"md\": 0.0000,"));
  g_assert_nonnull (strstr (text, "{\"a\": 11, \"b\": 21, \"amount_mm\": 0.2000, \"stage\": 1}"));
  g_assert_nonnull (strstr (text, "\"type\": \"rect-vertical\""));
  g_assert_nonnull (strstr (text, "Tooth 12 \\\"rotates\\\" a lot.\\n"));
  g_assert_null (strstr (text, "-0.0000"));

  /* A locale with a decimal comma changes nothing. */
  old_locale = setlocale (LC_NUMERIC, NULL);
  {
    g_autofree char *saved = g_strdup (old_locale);

    if (setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL || setlocale (LC_NUMERIC, "fr_FR.UTF-8") != NULL)
      {
        ed = op_plan_encode (a);
        g_assert_true (g_bytes_equal (ea, ed));
      }
    else
      g_test_message ("no decimal-comma locale installed; the locale part is not exercised");
    setlocale (LC_NUMERIC, saved);
  }

  /* A change of one unit in one pose changes the bytes. */
  op_plan_pose (b, 1, 0)->md += OP_PLAN_QUANTUM;
  g_clear_pointer (&eb, g_bytes_unref);
  eb = op_plan_encode (b);
  g_assert_false (g_bytes_equal (ea, eb));
}

static void
test_movement_table (void)
{
  g_autoptr(OpPlan) plan = small_plan ();
  g_autoptr(GArray) table = NULL;
  const OpMovementRow *r12;

  plan->comfort.rot = 10.0;
  table = op_plan_movement_table (plan);
  g_assert_cmpuint (table->len, ==, plan->n_teeth);
  r12 = &g_array_index (table, OpMovementRow, op_plan_find_tooth (plan, 12));
  g_assert_cmpint (r12->fdi, ==, 12);
  g_assert_cmpfloat_with_epsilon (r12->total.rot, -12.0, 1e-9);
  g_assert_cmpfloat (r12->max_step.rot, <=, 2.0);
  g_assert_cmpfloat (r12->max_step.rot, >, 1.0);
  g_assert_cmpuint (r12->flagged, ==, 1u << OP_COMPONENT_ROT);
  g_assert_cmpuint (g_array_index (table, OpMovementRow, op_plan_find_tooth (plan, 31)).flagged, ==, 0);
}

static gboolean
has_code (GPtrArray *v, const char *code)
{
  for (guint i = 0; i < v->len; i++)
    if (g_str_equal (((OpPlanViolation *) g_ptr_array_index (v, i))->code, code))
      return TRUE;
  return FALSE;
}

static void
test_check_catches (void)
{
  g_autoptr(OpPlan) good = small_plan ();
  g_autoptr(GPtrArray) v = op_plan_check (good, NULL, NULL);

  g_assert_cmpuint (v->len, ==, 0);

  /* Each broken invariant is reported with its own code. */
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    op_plan_pose (p, 2, 0)->md += 0.3;
    r = op_plan_check (p, NULL, NULL);
    g_assert_true (has_code (r, "step"));
  }
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    op_plan_pose (p, 0, 1)->rot = 0.5;
    r = op_plan_check (p, NULL, NULL);
    g_assert_true (has_code (r, "initial"));
  }
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    p->teeth[2].target.tip += 0.5;
    r = op_plan_check (p, NULL, NULL);
    g_assert_true (has_code (r, "target"));
    g_assert_false (has_code (r, "step"));
  }
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    g_array_index (p->ipr, OpIpr, 0).amount_mm = 0.8;   /* anterior limit 0.5 */
    op_plan_add_ipr (p, 11, 31, 0.1, 0);                /* not neighbours */
    r = op_plan_check (p, NULL, NULL);
    g_assert_cmpuint (r->len, ==, 2);
    g_assert_true (has_code (r, "ipr"));
  }
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    p->limits.torque = 0.0;
    r = op_plan_check (p, NULL, NULL);
    g_assert_true (has_code (r, "limits"));
  }
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autoptr(GPtrArray) r = NULL;

    g_array_index (p->attachments, OpPlanAttachment, 0).depth_mm = 2.0;
    r = op_plan_check (p, NULL, NULL);
    g_assert_true (has_code (r, "attachment"));
  }

  /* Overlaps: 0.4 mm between 11 and 21 from stage 2 is a violation
   * without IPR by then, and fine with 0.2 mm of IPR at stage 1. */
  {
    g_autoptr(OpPlan) p = op_plan_copy (good);
    g_autofree double *depth = g_new0 (double, p->n_stages * 2);
    int pairs[] = { 11, 21, 21, 22 };
    OpPlanOverlaps ov = { 2, pairs, p->n_stages, depth };
    g_autoptr(GPtrArray) r1 = NULL;
    g_autoptr(GPtrArray) r2 = NULL;

    for (guint s = 2; s < p->n_stages; s++)
      depth[s * 2] = 0.4;
    r1 = op_plan_check (p, &ov, NULL);
    g_assert_cmpuint (r1->len, ==, 0);
    g_array_set_size (p->ipr, 0);
    r2 = op_plan_check (p, &ov, NULL);
    g_assert_cmpuint (r2->len, ==, 1);
    g_assert_true (has_code (r2, "overlap"));
    if (r2->len == 1)
      g_assert_nonnull (strstr (((OpPlanViolation *) g_ptr_array_index (r2, 0))->message,
                                "Stage 2: teeth 11 and 21 overlap by 0.4000 mm"));
  }
}

/* The real teeth with frames from their axes file. */
static OpDentition *
load_real (void)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *up = NULL, *lo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) d = NULL;
  const char *dirs[3];

  if (root == NULL)
    return NULL;
  up = g_build_filename (root, "open-full-jaw-p26", "maxilla", NULL);
  lo = g_build_filename (root, "open-full-jaw-p26", "mandible", NULL);
  if (!g_file_test (up, G_FILE_TEST_IS_DIR))
    return NULL;
  dirs[0] = up;
  dirs[1] = lo;
  dirs[2] = NULL;
  d = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, NULL, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&d);
}

/* Only the teeth the axes file frames: the generator moves teeth in their
 * own frames and needs one for each. */
static OpDentition *
framed_only (const OpDentition *d)
{
  OpDentition *out = op_dentition_new ();

  for (guint i = 0; i < d->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (d->teeth, i);

      if (t->has_frame)
        op_dentition_add (out, op_tooth_copy (t));
    }
  return out;
}

static void
test_malocclusions (void)
{
  g_autoptr(OpDentition) real = load_real ();
  g_autoptr(OpDentition) ideal = NULL;
  guint n_cases = 0, n_with_ipr = 0, n_resequenced = 0;

  if (real == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  ideal = framed_only (real);
  g_assert_cmpuint (ideal->teeth->len, >=, 28);

  for (guint kind = 0; kind < OP_MALOCCLUSION_N_KINDS; kind++)
    for (guint32 seed = 1; seed <= 4; seed++)
      {
        g_autofree OpMovement *targets = g_new0 (OpMovement, ideal->teeth->len);
        g_autofree OpToothOverride *ov = g_new0 (OpToothOverride, ideal->teeth->len);
        g_autoptr(OpDentition) mal = op_malocclusion_make (ideal, kind, seed, 0.05, targets);
        g_autoptr(OpPlan) plan = NULL;
        g_autoptr(OpPlan) again = NULL;
        g_autoptr(GPtrArray) violations = NULL;
        g_autoptr(GError) error = NULL;
        OpPlannerOptions opts = { 0 };
        double moved = 0;

        for (guint i = 0; i < ideal->teeth->len; i++)
          {
            ov[i].fdi = ((OpTooth *) g_ptr_array_index (mal->teeth, i))->fdi;
            ov[i].mask = OP_TOOTH_OVERRIDE_ALL;
            ov[i].target = targets[i];
            moved += fabs (targets[i].md) + fabs (targets[i].bl) + fabs (targets[i].vert) +
                     fabs (targets[i].rot) + fabs (targets[i].tip) + fabs (targets[i].torque);
          }
        /* The generator did move teeth. */
        g_assert_cmpfloat (moved, >, 0.5);

        opts.overrides = ov;
        opts.n_overrides = ideal->teeth->len;
        opts.strategy = seed % 2 ? OP_STAGE_STRATEGY_TOGETHER : OP_STAGE_STRATEGY_POSTERIOR_FIRST;
        plan = op_planner_plan (mal, &opts, &error);
        g_assert_no_error (error);
        if (plan == NULL)
          {
            g_test_message ("%s seed %u: %s", op_malocclusion_kind_to_string (kind), seed,
                            error ? error->message : "?");
            continue;
          }
        n_cases++;
        n_with_ipr += plan->ipr->len > 0;

        /* Every invariant, overlaps measured on the displaced real teeth. */
        violations = op_planner_check (mal, plan);
        for (guint v = 0; v < violations->len; v++)
          g_test_fail_printf ("%s seed %u: %s", op_malocclusion_kind_to_string (kind), seed,
                              ((OpPlanViolation *) g_ptr_array_index (violations, v))->message);

        /* The last stage brings each tooth back where the real patient
         * has it: its crown centre to within 0.01 mm. */
        for (guint t = 0; t < plan->n_teeth; t++)
          {
            const OpTooth *it = op_dentition_get (ideal, plan->teeth[t].fdi);
            float m[16], p[3];
            const float *o = plan->teeth[t].frame.origin;

            op_plan_stage_matrix (plan, plan->n_stages - 1, t, m);
            for (int i = 0; i < 3; i++)
              p[i] = m[i] * o[0] + m[4 + i] * o[1] + m[8 + i] * o[2] + m[12 + i];
            for (int i = 0; i < 3; i++)
              g_assert_cmpfloat_with_epsilon (p[i], it->frame.origin[i], 0.01);
          }

        /* Same input, same bytes. */
        if (seed == 1)
          {
            g_autoptr(GBytes) a = op_plan_encode (plan);
            g_autoptr(GBytes) b = NULL;

            again = op_planner_plan (mal, &opts, NULL);
            g_assert_nonnull (again);
            if (again)
              {
                b = op_plan_encode (again);
                g_assert_true (g_bytes_equal (a, b));
              }
          }
        {
          g_autoptr(OpPlan) plain = NULL;

          opts.no_collisions = TRUE;
          plain = op_planner_plan (mal, &opts, NULL);
          if (plain && plain->n_stages != plan->n_stages)
            n_resequenced++;
        }
      }

  g_test_message ("%u malocclusions planned, %u with IPR, %u re-sequenced", n_cases, n_with_ipr, n_resequenced);
  g_assert_cmpuint (n_cases, >=, 20);
}

/* Plans the real teeth with every target zero except @changes. */
static OpPlan *
plan_real_with (const OpDentition      *ideal,
                const OpToothOverride  *changes,
                guint                   n_changes,
                OpStageStrategy         strategy,
                gboolean                collisions,
                GError                **error)
{
  g_autofree OpToothOverride *ov = g_new0 (OpToothOverride, ideal->teeth->len);
  OpPlannerOptions opts = { 0 };

  for (guint i = 0; i < ideal->teeth->len; i++)
    {
      ov[i].fdi = ((OpTooth *) g_ptr_array_index (ideal->teeth, i))->fdi;
      ov[i].mask = OP_TOOTH_OVERRIDE_ALL;
      for (guint k = 0; k < n_changes; k++)
        if (changes[k].fdi == ov[i].fdi)
          ov[i].target = changes[k].target;
    }
  opts.overrides = ov;
  opts.n_overrides = ideal->teeth->len;
  opts.strategy = strategy;
  opts.no_collisions = !collisions;
  return op_planner_plan (ideal, &opts, error);
}

static void
test_collisions_resolved (void)
{
  g_autoptr(OpDentition) real = load_real ();
  g_autoptr(OpDentition) ideal = NULL;

  if (real == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  ideal = framed_only (real);

  /* Closing a space that is not there: 11 moves 0.6 mm into 21.  Only IPR
   * makes room, scheduled before the stage where they would collide. */
  {
    OpToothOverride ch[] = { { 11, 0, { .md = 0.6 } } };
    g_autoptr(GError) error = NULL;
    g_autoptr(OpPlan) plan = plan_real_with (ideal, ch, 1, OP_STAGE_STRATEGY_TOGETHER, TRUE, &error);
    g_autoptr(GPtrArray) v = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (plan);
    if (plan == NULL)
      return;
    g_assert_cmpuint (plan->ipr->len, ==, 1);
    if (plan->ipr->len == 1)
      {
        const OpIpr *ipr = &g_array_index (plan->ipr, OpIpr, 0);

        g_assert_cmpint (ipr->fdi_a, ==, 11);
        g_assert_cmpint (ipr->fdi_b, ==, 21);
        g_assert_cmpfloat (ipr->amount_mm, >, 0.0);
        g_assert_cmpfloat (ipr->amount_mm, <=, 0.5);
        g_assert_cmpuint (ipr->stage, <, plan->n_stages - 1);
      }
    v = op_planner_check (ideal, plan);
    g_assert_cmpuint (v->len, ==, 0);
    /* Without the IPR the same plan breaks the overlap invariant. */
    g_array_set_size (plan->ipr, 0);
    g_clear_pointer (&v, g_ptr_array_unref);
    v = op_planner_check (ideal, plan);
    g_assert_true (has_code (v, "overlap"));
  }

  /* Distalising the upper right buccal segment incisors first: 14 would
   * run into 15 before 15 has moved.  The overlap is gone at the target,
   * so the planner re-sequences (no enamel taken). */
  {
    OpToothOverride ch[] = {
      { 13, 0, { .md = -1.2 } }, { 14, 0, { .md = -1.2 } }, { 15, 0, { .md = -1.2 } },
      { 16, 0, { .md = -1.2 } }, { 17, 0, { .md = -1.2 } }, { 18, 0, { .md = -1.2 } },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(OpPlan) plain = plan_real_with (ideal, ch, G_N_ELEMENTS (ch), OP_STAGE_STRATEGY_ANTERIOR_FIRST,
                                              FALSE, NULL);
    g_autoptr(OpPlan) plan = plan_real_with (ideal, ch, G_N_ELEMENTS (ch), OP_STAGE_STRATEGY_ANTERIOR_FIRST,
                                             TRUE, &error);
    g_autoptr(GPtrArray) v_plain = NULL;
    g_autoptr(GPtrArray) v = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (plain);
    g_assert_nonnull (plan);
    if (plan == NULL || plain == NULL)
      return;
    v_plain = op_planner_check (ideal, plain);
    g_assert_true (has_code (v_plain, "overlap"));
    v = op_planner_check (ideal, plan);
    g_assert_cmpuint (v->len, ==, 0);
    g_assert_cmpuint (plan->ipr->len, ==, 0);
    g_assert_cmpuint (plan->n_stages, >, plain->n_stages);
  }
}

static void
test_bad_input (void)
{
  g_autoptr(OpDentition) real = load_real ();
  g_autoptr(GError) error = NULL;
  OpPlannerOptions opts = { 0 };
  g_autoptr(OpPlan) plan = NULL;

  if (real == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }

  /* Impossible limits. */
  op_plan_default_limits (&opts.limits);
  opts.limits.rot = -1.0;
  plan = op_planner_plan (real, &opts, &error);
  g_assert_null (plan);
  g_assert_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_LIMITS);
  if (error)
    g_assert_nonnull (strstr (error->message, "rot"));
  g_clear_error (&error);

  /* Teeth overlapping deeply before any movement: 11 pushed 1 mm into 21. */
  {
    g_autoptr(OpDentition) bad = framed_only (real);
    OpTooth *t11 = op_dentition_get (bad, 11);
    OpMovement push = { .md = 1.2 };
    float m[16];

    op_movement_to_matrix (&push, &t11->frame, m);
    op_mesh_transform (t11->crown, m);
    opts.limits.rot = 2.0;
    plan = op_planner_plan (bad, &opts, &error);
    g_assert_null (plan);
    g_assert_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_INITIAL_OVERLAP);
    if (error)
      g_assert_nonnull (strstr (error->message, "11 and 21"));
    g_clear_error (&error);
  }

  /* A tooth with no frame and no mesh to estimate one from. */
  {
    g_autoptr(OpDentition) bad = op_dentition_new ();
    OpTooth *t = op_tooth_new (23, op_mesh_new (3, 1, OP_MESH_ATTR_NONE));

    op_dentition_add (bad, t);
    plan = op_planner_plan (bad, NULL, &error);
    g_assert_null (plan);
    g_assert_error (error, OP_PLANNER_ERROR, OP_PLANNER_ERROR_NO_FRAME);
    if (error)
      g_assert_nonnull (strstr (error->message, "tooth 23 has no frame"));
  }
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/plan/encode", test_encode);
  g_test_add_func ("/planner/plan/movement-table", test_movement_table);
  g_test_add_func ("/planner/plan/check-catches", test_check_catches);
  g_test_add_func ("/planner/plan/malocclusions", test_malocclusions);
  g_test_add_func ("/planner/plan/collisions", test_collisions_resolved);
  g_test_add_func ("/planner/plan/bad-input", test_bad_input);
  return g_test_run ();
}
