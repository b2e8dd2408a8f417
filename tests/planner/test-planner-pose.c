/* Tests for tooth movements: matrices, component meanings and slerp. */
#include <math.h>
#include <string.h>

#include "op-pose.h"

/* Frames as the LPS patient frame gives them (op-mesh.h): +x to the
 * patient's left, +y posterior, +z superior.  Mesial points to the
 * midline, buccal out of the arch, occlusal from root to crown. */
static void
frame_for (int fdi, OpFrame *f)
{
  gboolean upper = op_fdi_is_upper (fdi);
  gboolean left = op_fdi_is_left (fdi);
  int type = op_fdi_type (fdi);
  float side = left ? 1.0f : -1.0f;

  *f = (OpFrame) { { 0 } };
  if (type <= 3)
    {
      /* Incisors and canine: on the front of the arch. */
      f->origin[0] = side * (4.0f * type - 1.5f);
      f->origin[1] = 2.0f * type;
      f->mesial[0] = -side;
      f->buccal[1] = -1.0f;
    }
  else
    {
      /* Premolars and molars: along the side, mesial is anterior. */
      f->origin[0] = side * 22.0f;
      f->origin[1] = 8.0f * (type - 2);
      f->mesial[1] = -1.0f;
      f->buccal[0] = side;
    }
  f->origin[2] = upper ? 5.0f : -5.0f;
  f->occlusal[2] = upper ? -1.0f : 1.0f;
}

static void
apply (const float m[16], const float p[3], float out[3])
{
  for (int i = 0; i < 3; i++)
    out[i] = m[i] * p[0] + m[4 + i] * p[1] + m[8 + i] * p[2] + m[12 + i];
}

static double
dot3 (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

/* The displacement of frame point (origin + k * axis) under @mv. */
static void
displacement (const OpMovement *mv,
              const OpFrame    *f,
              const float       axis[3],
              float             k,
              float             out[3])
{
  float m[16], p[3], q[3];

  for (int i = 0; i < 3; i++)
    p[i] = f->origin[i] + k * axis[i];
  op_movement_to_matrix (mv, f, m);
  apply (m, p, q);
  for (int i = 0; i < 3; i++)
    out[i] = q[i] - p[i];
}

static const int teeth[] = { 11, 21, 13, 23, 16, 26, 31, 41, 33, 43, 36, 46 };

static void
test_round_trip (void)
{
  static const OpMovement moves[] = {
    { 0.3, -0.2, 0.1, 10.0, -7.0, 5.0 },
    { -1.5, 0.75, -0.4, -25.0, 12.0, -14.0 },
    { 0, 0, 0, 0, 0, 0 },
    { 0, 0, 0, 45.0, 0, 0 },
    { 0, 0, 0, 0, -60.0, 0 },
    { 0, 0, 0, 0, 0, 70.0 },
    { 2.0, 2.0, 2.0, 30.0, 30.0, 30.0 },
  };

  for (guint t = 0; t < G_N_ELEMENTS (teeth); t++)
    for (guint k = 0; k < G_N_ELEMENTS (moves); k++)
      {
        OpFrame f;
        OpMovement back;
        float m[16];

        frame_for (teeth[t], &f);
        op_movement_to_matrix (&moves[k], &f, m);
        op_movement_from_matrix (m, &f, &back);
        for (guint c = 0; c < OP_N_COMPONENTS; c++)
          g_assert_cmpfloat_with_epsilon (op_movement_get (&back, c), op_movement_get (&moves[k], c), 2e-4);
        /* A rigid transform: determinant +1 even where the frame is
         * left-handed (quadrants 2 and 4). */
        {
          double det = m[0] * (m[5] * m[10] - m[9] * m[6]) - m[4] * (m[1] * m[10] - m[9] * m[2]) +
                       m[8] * (m[1] * m[6] - m[5] * m[2]);
          g_assert_cmpfloat_with_epsilon (det, 1.0, 1e-5);
        }
      }
}

static void
test_components_mean_what_they_say (void)
{
  for (guint t = 0; t < G_N_ELEMENTS (teeth); t++)
    {
      OpFrame f;
      float d[3];

      frame_for (teeth[t], &f);

      /* Positive tip carries the incisal edge (or cusp tips) mesially. */
      displacement (&(OpMovement) { .tip = 5.0 }, &f, f.occlusal, 5.0f, d);
      g_assert_cmpfloat (dot3 (d, f.mesial), >, 0.4);
      g_assert_cmpfloat (fabs (dot3 (d, f.buccal)), <, 1e-4);
      /* ... and the apex distally. */
      displacement (&(OpMovement) { .tip = 5.0 }, &f, f.occlusal, -10.0f, d);
      g_assert_cmpfloat (dot3 (d, f.mesial), <, -0.8);

      /* Positive torque carries the incisal edge buccally. */
      displacement (&(OpMovement) { .torque = 5.0 }, &f, f.occlusal, 5.0f, d);
      g_assert_cmpfloat (dot3 (d, f.buccal), >, 0.4);
      g_assert_cmpfloat (fabs (dot3 (d, f.mesial)), <, 1e-4);

      /* Positive rotation turns the mesial surface buccally. */
      displacement (&(OpMovement) { .rot = 5.0 }, &f, f.mesial, 4.0f, d);
      g_assert_cmpfloat (dot3 (d, f.buccal), >, 0.3);
      g_assert_cmpfloat (fabs (dot3 (d, f.occlusal)), <, 1e-4);

      /* Translations move the crown centre along the named axes. */
      displacement (&(OpMovement) { .md = 0.5 }, &f, f.mesial, 0.0f, d);
      g_assert_cmpfloat_with_epsilon (dot3 (d, f.mesial), 0.5, 1e-5);
      displacement (&(OpMovement) { .bl = -0.25 }, &f, f.mesial, 0.0f, d);
      g_assert_cmpfloat_with_epsilon (dot3 (d, f.buccal), -0.25, 1e-5);
      displacement (&(OpMovement) { .vert = 0.15 }, &f, f.mesial, 0.0f, d);
      g_assert_cmpfloat_with_epsilon (dot3 (d, f.occlusal), 0.15, 1e-5);
    }

  /* The two central incisors, side by side: the same tip moves their
   * incisal edges towards each other (towards the midline, x = 0). */
  {
    OpFrame f11, f21;
    float d11[3], d21[3];

    frame_for (11, &f11);
    frame_for (21, &f21);
    displacement (&(OpMovement) { .tip = 4.0 }, &f11, f11.occlusal, 5.0f, d11);
    displacement (&(OpMovement) { .tip = 4.0 }, &f21, f21.occlusal, 5.0f, d21);
    g_assert_cmpfloat (d11[0], >, 0.2);   /* 11 sits at -x: moves towards +x */
    g_assert_cmpfloat (d21[0], <, -0.2);  /* 21 sits at +x: moves towards -x */
    g_assert_cmpfloat_with_epsilon (d11[0], -d21[0], 1e-5);
  }
}

static void
test_strings (void)
{
  OpComponent c;
  OpMovement m = { 0 };

  for (guint i = 0; i < OP_N_COMPONENTS; i++)
    {
      g_assert_true (op_component_from_string (op_component_to_string (i), &c));
      g_assert_cmpint (c, ==, i);
      op_movement_set (&m, i, i + 1.0);
      g_assert_cmpfloat (op_movement_get (&m, i), ==, i + 1.0);
    }
  g_assert_cmpstr (op_component_to_string (OP_COMPONENT_TORQUE), ==, "torque");
  g_assert_false (op_component_from_string ("roll", &c));
  g_assert_false (op_component_from_string (NULL, &c));
  g_assert_cmpfloat (m.vert, ==, 3.0);
}

static void
test_interpolate (void)
{
  OpFrame f;
  OpMovement a = { 0 }, b = { 1.0, -0.5, 0.2, 20.0, -10.0, 6.0 }, out;

  frame_for (23, &f);
  op_movement_interpolate (&a, &b, 0.0, &f, &out);
  g_assert_true (memcmp (&out, &a, sizeof out) == 0);
  op_movement_interpolate (&a, &b, 1.0, &f, &out);
  g_assert_true (memcmp (&out, &b, sizeof out) == 0);

  /* Translation is linear. */
  op_movement_interpolate (&a, &b, 0.25, &f, &out);
  g_assert_cmpfloat_with_epsilon (out.md, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (out.bl, -0.125, 1e-12);

  /* A single-axis rotation interpolates linearly in its angle. */
  {
    OpMovement r = { .rot = 30.0 };

    op_movement_interpolate (&a, &r, 0.5, &f, &out);
    g_assert_cmpfloat_with_epsilon (out.rot, 15.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (out.tip, 0.0, 1e-9);
  }

  /* Slerp runs at constant angular speed: the rotation between t=0 and
   * t=0.5 equals that between 0.5 and 1. */
  {
    OpMovement mid;
    float m0[16], m1[16], m2[16];
    double ang01, ang12;

    op_movement_interpolate (&a, &b, 0.5, &f, &mid);
    op_movement_to_matrix (&a, &f, m0);
    op_movement_to_matrix (&mid, &f, m1);
    op_movement_to_matrix (&b, &f, m2);
    /* The angle between rotations R1 and R2 is acos((tr(R1^T R2) - 1) / 2). */
    {
      double tr01 = 0, tr12 = 0;

      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          {
            tr01 += m0[i * 4 + j] * m1[i * 4 + j];
            tr12 += m1[i * 4 + j] * m2[i * 4 + j];
          }
      ang01 = acos (CLAMP ((tr01 - 1) / 2, -1, 1));
      ang12 = acos (CLAMP ((tr12 - 1) / 2, -1, 1));
    }
    g_assert_cmpfloat (ang01, >, 0.05);
    g_assert_cmpfloat_with_epsilon (ang01, ang12, 1e-5);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/pose/round-trip", test_round_trip);
  g_test_add_func ("/planner/pose/components", test_components_mean_what_they_say);
  g_test_add_func ("/planner/pose/strings", test_strings);
  g_test_add_func ("/planner/pose/interpolate", test_interpolate);
  return g_test_run ();
}
