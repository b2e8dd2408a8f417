/* Tests for arch form, space, Bolton, the target setup, IPR and
 * attachments, on the real teeth of open-full-jaw-p26. */
#include <math.h>
#include <string.h>

#include "op-arch.h"
#include "op-attach.h"
#include "op-frame.h"
#include "op-ipr.h"
#include "op-setup.h"
#include "test-geom-data.h"

static OpDentition *
load_framed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) d = geom_load_dentition (&error);

  if (d == NULL)
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_true (op_frame_estimate_dentition (d, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&d);
}

static void
test_arch_form (void)
{
  g_autoptr(OpDentition) d = load_framed ();

  if (d == NULL)
    return;
  for (int upper = 1; upper >= 0; upper--)
    {
      OpArchForm f, g;
      OpArchSpace sp;
      g_autoptr(GError) error = NULL;
      float p[3], t[3];

      g_assert_true (op_arch_form_fit (d, upper, &f, &error));
      g_assert_no_error (error);
      g_assert_true (op_arch_space (d, &f, &sp, &error));
      g_test_message ("%s: y = %.3g x^6 + %.4f x^2, intermolar %.1f mm, depth %.1f mm, rms %.2f mm; "
                      "available %.1f, required %.1f, discrepancy %.1f mm",
                      upper ? "upper" : "lower", f.a, f.b, f.intermolar_width, f.depth, f.rms_residual,
                      sp.available, sp.required, sp.discrepancy);
      /* Adult first-molar mesial contacts: 30-45 mm apart, 18-32 mm behind
       * the incisors. */
      g_assert_cmpfloat (f.intermolar_width, >, 30);
      g_assert_cmpfloat (f.intermolar_width, <, 45);
      g_assert_cmpfloat (f.depth, >, 18);
      g_assert_cmpfloat (f.depth, <, 32);
      g_assert_cmpfloat (f.rms_residual, <, 3.0);
      /* An untreated, aligned dentition: within a few mm either way. */
      g_assert_cmpfloat (fabs (sp.discrepancy), <, 4.0);
      /* Through the molars' contacts, and running backwards. */
      g_assert_cmpfloat_with_epsilon (op_arch_form_y (&f, f.intermolar_width / 2), f.depth, 1e-6);
      for (double x = 1; x <= f.intermolar_width / 2; x += 1)
        g_assert_cmpfloat (op_arch_form_y (&f, x), >=, op_arch_form_y (&f, x - 1));
      /* Length and its inverse. */
      for (double x = -15; x <= 15; x += 5)
        g_assert_cmpfloat_with_epsilon (op_arch_form_x_at_length (&f, op_arch_form_length (&f, x)), x, 1e-6);
      /* The point at arc length 0 is the origin; tangent there across. */
      op_arch_form_eval (&f, 0, p, t);
      for (int k = 0; k < 3; k++)
        {
          g_assert_cmpfloat_with_epsilon (p[k], f.origin[k], 1e-4);
          g_assert_cmpfloat_with_epsilon (t[k], f.x_axis[k], 1e-4);
        }
      /* Expansion and advance lengthen the arch; the molars stay on line. */
      op_arch_form_adjust (&f, 2.0, 1.0, &g);
      g_assert_cmpfloat_with_epsilon (g.intermolar_width, f.intermolar_width + 2, 1e-9);
      g_assert_cmpfloat_with_epsilon (op_arch_form_y (&g, g.intermolar_width / 2), g.depth, 1e-6);
      g_assert_cmpfloat (op_arch_form_length (&g, g.intermolar_width / 2), >, op_arch_form_length (&f, f.intermolar_width / 2) + 1.0);
    }
}

static void
test_bolton (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  OpBolton b;

  if (d == NULL)
    return;
  op_bolton (d, &b);
  g_test_message ("Bolton overall %.1f (lower %.1f / upper %.1f mm; excess %.2f mm), anterior %.1f (%.1f / %.1f mm; excess %.2f mm)",
                  b.overall_ratio, b.lower_sum_12, b.upper_sum_12, b.overall_excess,
                  b.anterior_ratio, b.lower_sum_6, b.upper_sum_6, b.anterior_excess);
  g_assert_true (b.overall_valid);
  g_assert_true (b.anterior_valid);
  /* Population range (mean +- 3 SD is about 85-97 and 71-83). */
  g_assert_cmpfloat (b.overall_ratio, >, 85);
  g_assert_cmpfloat (b.overall_ratio, <, 97);
  g_assert_cmpfloat (b.anterior_ratio, >, 71);
  g_assert_cmpfloat (b.anterior_ratio, <, 84);
  /* The excess is what brings the ratio to the norm. */
  if (b.overall_excess >= 0)
    g_assert_cmpfloat_with_epsilon (100 * (b.lower_sum_12 - b.overall_excess) / b.upper_sum_12, OP_BOLTON_OVERALL_NORM, 1e-6);
  else
    g_assert_cmpfloat_with_epsilon (100 * b.lower_sum_12 / (b.upper_sum_12 + b.overall_excess), OP_BOLTON_OVERALL_NORM, 1e-6);

  /* A missing canine: no anterior ratio. */
  g_ptr_array_remove_index (d->teeth, 2);   /* 13 */
  op_bolton (d, &b);
  g_assert_false (b.anterior_valid);
  g_assert_false (b.overall_valid);
}

static gboolean
movement_finite (const OpMovement *m)
{
  return isfinite (m->md) && isfinite (m->bl) && isfinite (m->vert)
         && isfinite (m->rot) && isfinite (m->tip) && isfinite (m->torque);
}

static void
test_real_setup (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  g_autoptr(OpSetup) s = NULL, again = NULL;
  g_autoptr(GError) error = NULL;
  double worst_t = 0, worst_r = 0;

  if (d == NULL)
    return;
  s = op_setup_compute (d, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  if (s == NULL)
    return;
  g_test_message ("%s", s->explanation);
  g_assert_cmpuint (s->n_teeth, ==, 31);
  g_assert_true (s->occlusion);
  g_assert_nonnull (strstr (s->explanation, "Upper arch:"));
  g_assert_nonnull (strstr (s->explanation, "Lower arch:"));
  g_assert_nonnull (strstr (s->explanation, "Bolton"));
  for (guint i = 0; i < s->n_teeth; i++)
    {
      const OpMovement *m = &s->target[i];
      g_assert_true (movement_finite (m));
      worst_t = MAX (worst_t, sqrt (m->md * m->md + m->bl * m->bl + m->vert * m->vert));
      worst_r = MAX (worst_r, MAX (fabs (m->rot), MAX (fabs (m->tip), fabs (m->torque))));
      g_test_message ("%d: md %.2f bl %.2f vert %.2f rot %.1f tip %.1f torque %.1f", s->fdi[i],
                      m->md, m->bl, m->vert, m->rot, m->tip, m->torque);
    }
  g_test_message ("largest target translation %.2f mm, rotation %.1f deg", worst_t, worst_r);
  /* A real, untreated but aligned dentition moves by millimetres, not
   * centimetres. */
  g_assert_cmpfloat (worst_t, <, 8.0);
  g_assert_cmpfloat (s->upper.spee_after, <=, 1.5 + 1e-6);
  g_assert_cmpfloat (s->lower.spee_after, <=, 1.5 + 1e-6);
  g_assert_cmpfloat (s->overjet_after, >, s->overjet_before - 100);

  /* Same input, same bytes. */
  again = op_setup_compute (d, NULL, &error);
  g_assert_nonnull (again);
  if (again)
    {
      g_assert_cmpmem (s->target, s->n_teeth * sizeof (OpMovement), again->target, again->n_teeth * sizeof (OpMovement));
      g_assert_cmpstr (s->explanation, ==, again->explanation);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/setup/arch-form", test_arch_form);
  g_test_add_func ("/planner/setup/bolton", test_bolton);
  g_test_add_func ("/planner/setup/real", test_real_setup);
  return g_test_run ();
}
