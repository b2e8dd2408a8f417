/* Tests for arch form, space, Bolton, the target setup, IPR and
 * attachments, on the real teeth of open-full-jaw-p26. */
#include <math.h>
#include <string.h>

#include "op-arch.h"
#include "op-attach.h"
#include "op-frame.h"
#include "op-ipr.h"
#include "op-fdi.h"
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

/* The lower arch made crowded: the six anterior teeth pushed 3 mm back
 * (+y, posterior in LPS), as when incisors are retroclined or blocked in,
 * with the frames estimated again from the moved meshes. */
static void
test_crowded (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  g_autoptr(OpSetup) s = NULL;
  g_autoptr(GError) error = NULL;
  OpSetupOptions o;
  double li_total = 0;

  if (d == NULL)
    return;
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      if (op_fdi_is_upper (t->fdi) || op_fdi_type (t->fdi) > OP_TOOTH_CANINE)
        continue;
      for (gsize v = 0; v < t->crown->n_vertices; v++)
        t->crown->positions[3 * v + 1] += 3.f;
    }
  g_assert_true (op_frame_estimate_dentition (d, &error));

  op_setup_options_init (&o);
  o.max_expansion = 1.0;
  o.max_proclination = 0.5;
  s = op_setup_compute (d, &o, &error);
  g_assert_no_error (error);
  if (s == NULL)
    return;
  g_test_message ("%s", s->explanation);
  g_assert_cmpfloat (s->lower.space.discrepancy, >, 2.0);
  g_assert_cmpfloat (s->lower.expansion, >, 0.0);
  g_assert_cmpfloat (s->lower.expansion, <=, 1.0 + 1e-9);
  g_assert_cmpfloat (s->lower.proclination, <=, 0.5 + 1e-9);
  g_assert_cmpfloat (fabs (s->upper.proclination), <=, 0.5 + 1e-9);
  g_assert_cmpfloat (s->lower.ipr, >, 0.0);
  g_assert_cmpuint (s->lower.n_ipr_contacts, >, 0);
  g_assert_nonnull (strstr (s->explanation, "crowding"));
  g_assert_nonnull (strstr (s->explanation, "expansion"));
  g_assert_nonnull (strstr (s->explanation, "IPR at"));
  /* What was planned adds up: expansion, IPR and proclination gains
   * and what is left make the crowding. */
  g_assert_cmpfloat (s->lower.residual, >=, -0.05);
  g_assert_true (op_ipr_check (s->ipr, s->n_ipr, &o.ipr, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < s->n_ipr; i++)
    {
      g_assert_cmpfloat (s->ipr[i].amount, <=, op_ipr_contact_max (s->ipr[i].fdi_a, s->ipr[i].fdi_b, &o.ipr) + 1e-9);
      if (op_ipr_is_lower_incisor_contact (s->ipr[i].fdi_a, s->ipr[i].fdi_b))
        li_total += s->ipr[i].amount;
    }
  g_assert_cmpfloat (li_total, <=, 0.75 + 1e-9);
}

static void
test_ipr_limits (void)
{
  static const int lower[] = { 47, 46, 45, 44, 43, 42, 41, 31, 32, 33, 34, 35, 36, 37 };
  static const int front[] = { 45, 44, 43, 42, 41, 31, 32, 33, 34, 35 };
  OpIprContact out[16];
  OpIprLimits lim;
  guint n = 0;
  double placed, li = 0, sum = 0;
  g_autoptr(GError) error = NULL;

  op_ipr_limits_init (&lim);
  /* Per contact: anterior 0.5, posterior 1.0, enamel half of the two
   * surfaces (incisors 0.6 each, so 0.6 at 41-31 is capped at 0.5). */
  g_assert_cmpfloat (op_ipr_contact_max (11, 21, &lim), ==, 0.5);
  g_assert_cmpfloat (op_ipr_contact_max (15, 16, &lim), ==, 1.0);
  g_assert_cmpfloat (op_ipr_contact_max (14, 15, &lim), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (op_ipr_contact_max (13, 14, &lim), 0.9, 1e-9);
  g_assert_cmpfloat (op_ipr_contact_max (11, 13, &lim), ==, 0.0);
  g_assert_true (op_ipr_is_lower_incisor_contact (42, 43));
  g_assert_false (op_ipr_is_lower_incisor_contact (12, 11));

  /* Far more than the arch can give: every limit holds. */
  placed = op_ipr_distribute (lower, G_N_ELEMENTS (lower), 20.0, &lim, out, &n);
  g_test_message ("20 mm asked of the lower arch: %.2f mm at %u contacts", placed, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (out[i].amount, <=, op_ipr_contact_max (out[i].fdi_a, out[i].fdi_b, &lim) + 1e-9);
      g_assert_cmpint (out[i].stage, ==, -1);
      sum += out[i].amount;
      if (op_ipr_is_lower_incisor_contact (out[i].fdi_a, out[i].fdi_b))
        li += out[i].amount;
    }
  g_assert_cmpfloat_with_epsilon (sum, placed, 1e-9);
  g_assert_cmpfloat (li, <=, 0.75 + 1e-9);
  g_assert_cmpfloat (placed, <, 20.0);
  g_assert_true (op_ipr_check (out, n, &lim, &error));

  /* A small need is met exactly, in 0.05 mm steps, anterior first. */
  placed = op_ipr_distribute (front, G_N_ELEMENTS (front), 0.42, &lim, out, &n);
  g_assert_cmpfloat_with_epsilon (placed, 0.45, 1e-9);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (op_fdi_is_anterior (out[i].fdi_a) && op_fdi_is_anterior (out[i].fdi_b));
      g_assert_cmpfloat_with_epsilon (fmod (out[i].amount + 1e-9, 0.05), 0, 1e-6);
    }

  /* The check names what is wrong. */
  {
    OpIprContact bad[2] = { { 11, 21, 0.6, 3, 0, TRUE }, { 41, 31, 0.5, 2, 0, TRUE } };
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;

    g_assert_false (op_ipr_check (bad, 1, &lim, &e1));
    g_assert_error (e1, OP_IPR_ERROR, OP_IPR_ERROR_LIMIT);
    g_assert_nonnull (e1 ? strstr (e1->message, "11-21") : NULL);
    bad[0].fdi_a = 42; bad[0].fdi_b = 41; bad[0].amount = 0.4;
    g_assert_false (op_ipr_check (bad, 2, &lim, &e2));
    g_assert_nonnull (e2 ? strstr (e2->message, "lower incisors") : NULL);
    bad[0].fdi_a = 11; bad[0].fdi_b = 13;
    g_assert_false (op_ipr_check (bad, 1, &lim, &e3));
    g_assert_error (e3, OP_IPR_ERROR, OP_IPR_ERROR_NOT_CONTACT);
  }
}

static void
test_ipr_schedule (void)
{
  /* Three contacts over five stages: the first collides from stage 3,
   * the second never, the third (between lower incisors) needs more than
   * the lower incisor total allows. */
  OpIprContact c[3] = {
    { 13, 14, 0.0, -1, 0, FALSE },
    { 12, 11, 0.2, -1, 0, FALSE },
    { 41, 31, 0.5, -1, 0, FALSE },
  };
  const double overlap[5 * 3] = {
    0.00, 0.00, 0.00,
    0.10, 0.00, 0.10,
    0.20, 0.05, 0.35,
    0.42, 0.05, 0.80,
    0.40, 0.05, 0.90,
  };
  OpIprLimits lim;
  guint bad;

  op_ipr_limits_init (&lim);
  bad = op_ipr_schedule (overlap, 5, 3, 0, &lim, c);
  g_assert_cmpuint (bad, ==, 1);
  g_assert_cmpint (c[0].stage, ==, 2);
  g_assert_cmpfloat_with_epsilon (c[0].amount, 0.45, 1e-9);
  g_assert_cmpfloat_with_epsilon (c[0].needed, 0.42, 1e-9);
  g_assert_true (c[0].sufficient);
  /* Planned 0.2 mm kept, done before the overlap first grows (stage 2). */
  g_assert_cmpfloat_with_epsilon (c[1].amount, 0.2, 1e-9);
  g_assert_cmpint (c[1].stage, ==, 1);
  g_assert_true (c[1].sufficient);
  /* 0.9 needed, at most 0.5 at an incisor contact. */
  g_assert_cmpint (c[2].stage, ==, 1);
  g_assert_cmpfloat (c[2].amount, <=, 0.5 + 1e-9);
  g_assert_false (c[2].sufficient);
}

static void
test_attachments (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  const OpTooth *teeth[5];
  OpMovement mv[5] = { { 0 } };
  OpAttachment out[10];
  guint n;
  gboolean seen_vertical = FALSE, seen_horizontal = FALSE, seen_ridge = FALSE;

  if (d == NULL)
    return;
  teeth[0] = op_dentition_get (d, 13); mv[0].rot = 10;       /* rounded, rotation */
  teeth[1] = op_dentition_get (d, 11); mv[1].rot = 10;       /* incisor rotation: none */
  teeth[2] = op_dentition_get (d, 21); mv[2].vert = 1.0;     /* extrusion */
  teeth[3] = op_dentition_get (d, 22); mv[3].torque = -5;    /* root movement */
  teeth[4] = op_dentition_get (d, 44); mv[4].rot = 1.5;      /* under 2 deg */
  n = op_attach_propose (teeth, mv, 5, NULL, out);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      const OpTooth *t = op_dentition_get (d, out[i].fdi);
      float rel[3];
      double out_b;
      g_autofree char *text = op_attach_describe (&out[i], &mv[out[i].fdi == 13 ? 0 : out[i].fdi == 21 ? 2 : 3]);

      g_test_message ("%s", text);
      g_assert_cmpint (out[i].fdi, !=, 11);
      g_assert_cmpint (out[i].fdi, !=, 44);
      g_assert_cmpint (out[i].stage, >=, 1);
      g_assert_cmpint (out[i].stage, <=, 3);
      g_assert_cmpfloat (out[i].length, >=, 2.0);
      g_assert_cmpfloat (out[i].length, <=, 4.0);
      for (int k = 0; k < 3; k++)
        rel[k] = out[i].position[k] - t->frame.origin[k];
      out_b = rel[0] * t->frame.buccal[0] + rel[1] * t->frame.buccal[1] + rel[2] * t->frame.buccal[2];
      if (out[i].type == OP_ATTACH_POWER_RIDGE)
        {
          seen_ridge = TRUE;
          g_assert_cmpint (out[i].fdi, ==, 22);
          g_assert_true (out[i].reasons & OP_ATTACH_FOR_TORQUE);
          continue;
        }
      /* Bonded ones sit on the buccal face of the crown, 0.75-1.25 deep. */
      g_assert_cmpfloat (out[i].depth, >=, 0.75);
      g_assert_cmpfloat (out[i].depth, <=, 1.25);
      g_assert_cmpfloat (out_b, >, 2.0);
      if (out[i].type == OP_ATTACH_RECT_VERTICAL)
        {
          seen_vertical = TRUE;
          g_assert_cmpint (out[i].fdi, ==, 13);
          g_assert_nonnull (strstr (text, "rotation of a rounded tooth"));
        }
      else
        {
          seen_horizontal = TRUE;
          g_assert_cmpint (out[i].fdi, ==, 21);
          g_assert_nonnull (strstr (text, "extrusion"));
        }
    }
  g_assert_true (seen_vertical && seen_horizontal && seen_ridge);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/setup/arch-form", test_arch_form);
  g_test_add_func ("/planner/setup/bolton", test_bolton);
  g_test_add_func ("/planner/setup/real", test_real_setup);
  g_test_add_func ("/planner/setup/crowded", test_crowded);
  g_test_add_func ("/planner/setup/ipr-limits", test_ipr_limits);
  g_test_add_func ("/planner/setup/ipr-schedule", test_ipr_schedule);
  g_test_add_func ("/planner/setup/attachments", test_attachments);
  return g_test_run ();
}
