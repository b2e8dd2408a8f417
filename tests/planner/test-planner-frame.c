/* Tests for tooth frames and widths, against the real dataset's axes. */
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-frame.h"
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
test_axes (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  guint compared = 0, within = 0;
  double sum_m = 0, sum_b = 0, sum_o = 0;

  if (d == NULL)
    return;
  g_assert_cmpuint (d->teeth->len, ==, 31);
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      int u = op_fdi_to_universal (t->fdi);
      float c[3], x[3], y[3], z[3];
      g_autoptr(GError) error = NULL;
      double am, ab, ao, dc;

      g_assert_true (t->has_frame);
      if (!geom_load_axes (u, c, x, y, z, &error))
        {
          /* The mandible file has no entry for 17 and 32. */
          g_test_message ("%d (universal %d): %s", t->fdi, u, error->message);
          g_assert_true (u == 17 || u == 32);
          continue;
        }
      /* The dataset's x runs distally on both sides (about 170 deg from
       * mesial everywhere), y labially or buccally, z from root to crown. */
      for (int k = 0; k < 3; k++)
        x[k] = -x[k];
      am = op_frame_angle_deg (t->frame.mesial, x);
      ab = op_frame_angle_deg (t->frame.buccal, y);
      ao = op_frame_angle_deg (t->frame.occlusal, z);
      dc = sqrt ((t->frame.origin[0] - c[0]) * (t->frame.origin[0] - c[0])
                 + (t->frame.origin[1] - c[1]) * (t->frame.origin[1] - c[1])
                 + (t->frame.origin[2] - c[2]) * (t->frame.origin[2] - c[2]));
      g_test_message ("%d: mesial %.1f buccal %.1f occlusal %.1f deg, origin %.2f mm, width %.2f mm",
                      t->fdi, am, ab, ao, dc, t->width);
      compared++;
      within += am <= 10 && ab <= 10 && ao <= 10;
      sum_m += am;
      sum_b += ab;
      sum_o += ao;
      /* The worst teeth of this patient, measured: the long axis 18 deg
       * (47, a molar whose roots curve distally), mesial and buccal 26 deg
       * (34, 45, 47, rotated against the arch curve the frame follows). */
      g_assert_cmpfloat (ao, <=, 20.0);
      g_assert_cmpfloat (am, <=, 30.0);
      g_assert_cmpfloat (ab, <=, 30.0);
      /* The crown centre: the dataset's c sits in the crown too. */
      g_assert_cmpfloat (dc, <=, 2.5);
    }
  g_assert_cmpuint (compared, ==, 29);
  g_test_message ("%u of %u teeth within 10 deg on all three axes; mean error mesial %.1f, buccal %.1f, occlusal %.1f deg",
                  within, compared, sum_m / compared, sum_b / compared, sum_o / compared);
  g_assert_cmpfloat (sum_o / compared, <=, 10.0);
  g_assert_cmpfloat (sum_m / compared, <=, 12.0);
  g_assert_cmpfloat (sum_b / compared, <=, 12.0);
  /* TODO: 14 of 29 within 10 degrees on all three axes (13 before the
   * mesial axis followed the contacts); the long axis of the crowns that
   * lean against the arch's occlusal normal (13, 17, 23, 47: 13-18
   * degrees) is what holds most of the rest back. */
  g_assert_cmpuint (within, >=, 14);
}

/* Mesio-distal crown widths of permanent teeth, generous ranges around
 * the textbook means (Wheeler), by arch and tooth type 1-8. */
static const double width_range[2][8][2] = {
  { { 7.5, 10.0 }, { 5.5, 8.0 }, { 6.5, 9.0 }, { 5.0, 8.0 }, { 5.0, 8.0 }, { 9.0, 12.0 }, { 8.0, 11.5 }, { 7.5, 11.5 } },
  { { 4.3, 6.2 }, { 4.8, 6.8 }, { 5.5, 8.0 }, { 6.0, 8.5 }, { 6.0, 8.5 }, { 9.5, 12.5 }, { 8.5, 11.5 }, { 8.0, 12.0 } },
};

static void
test_widths (void)
{
  g_autoptr(OpDentition) d = load_framed ();

  if (d == NULL)
    return;
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      const double *r = width_range[op_fdi_is_upper (t->fdi) ? 0 : 1][op_fdi_type (t->fdi) - 1];

      /* This patient's lower third molars lie tipped in the bone (their
       * long axes 30-35 deg off the occlusal normal), so a crown cut
       * across the long axis takes in root: no textbook range fits them,
       * and no analysis uses third molars. */
      if (op_fdi_type (t->fdi) == OP_TOOTH_THIRD_MOLAR && !op_fdi_is_upper (t->fdi))
        {
          g_test_message ("%d: width %.2f mm (lower third molar, not checked)", t->fdi, t->width);
          g_assert_cmpfloat (t->width, >, 5.0);
          continue;
        }
      if (t->width < r[0] || t->width > r[1])
        g_test_message ("%d: width %.2f mm outside %.1f-%.1f", t->fdi, t->width, r[0], r[1]);
      g_assert_cmpfloat (t->width, >=, r[0]);
      g_assert_cmpfloat (t->width, <=, r[1]);
    }
  /* Left and right central incisors match within half a millimetre. */
  g_assert_cmpfloat (fabs (op_dentition_get (d, 11)->width - op_dentition_get (d, 21)->width), <, 0.5);
  g_assert_cmpfloat (fabs (op_dentition_get (d, 31)->width - op_dentition_get (d, 41)->width), <, 0.5);
}

/* Frames obey their contract: orthonormal, mesial towards the midline,
 * buccal out of the arch, and the same bytes on a second run. */
static void
test_contract (void)
{
  g_autoptr(OpDentition) d = load_framed ();
  g_autoptr(OpDentition) again = NULL;
  g_autoptr(GError) error = NULL;

  if (d == NULL)
    return;
  again = op_dentition_copy (d);
  for (guint i = 0; i < again->teeth->len; i++)
    ((OpTooth *) g_ptr_array_index (again->teeth, i))->has_frame = FALSE;
  g_assert_true (op_frame_estimate_dentition (again, &error));
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      OpTooth *u = g_ptr_array_index (again->teeth, i);
      const OpFrame *f = &t->frame;
      float mid_x = .5f * (op_dentition_get (d, op_fdi_is_upper (t->fdi) ? 11 : 31)->frame.origin[0]
                           + op_dentition_get (d, op_fdi_is_upper (t->fdi) ? 21 : 41)->frame.origin[0]);
      double dm = f->mesial[0] * f->buccal[0] + f->mesial[1] * f->buccal[1] + f->mesial[2] * f->buccal[2];
      double mo = f->mesial[0] * f->occlusal[0] + f->mesial[1] * f->occlusal[1] + f->mesial[2] * f->occlusal[2];

      g_assert_cmpfloat (fabs (dm), <, 1e-5);
      g_assert_cmpfloat (fabs (mo), <, 1e-5);
      /* Mesial points at the midline: towards +x on the patient's right. */
      g_assert_cmpfloat (f->mesial[0] * (mid_x - f->origin[0]), >, 0);
      /* Upper crowns point down (-z) in LPS, lower up. */
      g_assert_cmpfloat (f->occlusal[2] * (op_fdi_is_upper (t->fdi) ? -1 : 1), >, 0.5);
      g_assert_cmpmem (&t->frame, sizeof t->frame, &u->frame, sizeof u->frame);
      g_assert_cmpfloat (t->width, ==, u->width);
    }
  /* Incisors face forward: -y is anterior in LPS. */
  g_assert_cmpfloat (op_dentition_get (d, 11)->frame.buccal[1], <, -0.7);
  g_assert_cmpfloat (op_dentition_get (d, 41)->frame.buccal[1], <, -0.7);
  /* Molars face outward: the patient's right is -x. */
  g_assert_cmpfloat (op_dentition_get (d, 16)->frame.buccal[0], <, -0.7);
  g_assert_cmpfloat (op_dentition_get (d, 36)->frame.buccal[0], >, 0.7);
}

static void
test_bad_input (void)
{
  g_autoptr(OpDentition) d = op_dentition_new ();
  g_autoptr(GError) error = NULL;
  OpMesh *m = op_mesh_new (3, 1, OP_MESH_ATTR_NONE);

  /* One tooth: no arch to take directions from. */
  m->positions[3] = 1;
  m->positions[7] = 1;
  m->indices[1] = 1;
  m->indices[2] = 2;
  op_dentition_add (d, op_tooth_new (11, m));
  g_assert_false (op_frame_estimate_dentition (d, &error));
  g_assert_error (error, OP_FRAME_ERROR, OP_FRAME_ERROR_TOO_FEW_TEETH);
  g_assert_nonnull (error ? strstr (error->message, "upper arch") : NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/frame/axes", test_axes);
  g_test_add_func ("/planner/frame/widths", test_widths);
  g_test_add_func ("/planner/frame/contract", test_contract);
  g_test_add_func ("/planner/frame/bad-input", test_bad_input);
  return g_test_run ();
}
