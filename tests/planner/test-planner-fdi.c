/* Tests for tooth numbering and the dentition container. */
#include "op-tooth.h"

static void
test_universal (void)
{
  static const int pairs[][2] = {
    { 1, 18 }, { 8, 11 }, { 9, 21 }, { 16, 28 }, { 17, 38 }, { 24, 31 }, { 25, 41 }, { 32, 48 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_assert_cmpint (op_fdi_from_universal (pairs[i][0]), ==, pairs[i][1]);
      g_assert_cmpint (op_fdi_to_universal (pairs[i][1]), ==, pairs[i][0]);
    }
  /* Every permanent tooth round-trips, and the numbers are a bijection. */
  for (int u = 1; u <= 32; u++)
    {
      int fdi = op_fdi_from_universal (u);

      g_assert_true (op_fdi_is_valid (fdi));
      g_assert_cmpint (op_fdi_to_universal (fdi), ==, u);
      /* Universal 1-16 is the upper arch. */
      g_assert_cmpint (op_fdi_is_upper (fdi), ==, u <= 16);
    }
  g_assert_cmpint (op_fdi_from_universal (0), ==, 0);
  g_assert_cmpint (op_fdi_from_universal (33), ==, 0);
  g_assert_cmpint (op_fdi_to_universal (19), ==, 0);
  g_assert_cmpint (op_fdi_to_universal (55), ==, 0);
}

static void
test_validity_and_sides (void)
{
  g_assert_true (op_fdi_is_valid (11));
  g_assert_true (op_fdi_is_valid (48));
  g_assert_true (op_fdi_is_valid (55));
  g_assert_true (op_fdi_is_primary (85));
  g_assert_false (op_fdi_is_valid (10));
  g_assert_false (op_fdi_is_valid (19));
  g_assert_false (op_fdi_is_valid (56));
  g_assert_false (op_fdi_is_valid (91));

  g_assert_true (op_fdi_is_left (23));
  g_assert_true (op_fdi_is_left (36));
  g_assert_false (op_fdi_is_left (14));
  g_assert_false (op_fdi_is_left (45));
  g_assert_true (op_fdi_is_upper (62));
  g_assert_false (op_fdi_is_upper (75));
  g_assert_true (op_fdi_is_molar (16));
  g_assert_true (op_fdi_is_molar (84));
  g_assert_false (op_fdi_is_molar (15));
  g_assert_true (op_fdi_is_anterior (43));
  g_assert_false (op_fdi_is_anterior (44));
}

static void
test_neighbours (void)
{
  g_assert_cmpint (op_fdi_mesial_neighbour (11), ==, 21);
  g_assert_cmpint (op_fdi_mesial_neighbour (31), ==, 41);
  g_assert_cmpint (op_fdi_mesial_neighbour (26), ==, 25);
  g_assert_cmpint (op_fdi_distal_neighbour (26), ==, 27);
  g_assert_cmpint (op_fdi_distal_neighbour (18), ==, 0);
  g_assert_cmpint (op_fdi_distal_neighbour (55), ==, 0);
  g_assert_cmpint (op_fdi_antagonist (16), ==, 46);
  g_assert_cmpint (op_fdi_antagonist (33), ==, 23);
  g_assert_cmpint (op_fdi_antagonist (61), ==, 71);

  /* Arch positions order one arch from the patient's right to left. */
  g_assert_cmpint (op_fdi_arch_position (18), <, op_fdi_arch_position (11));
  g_assert_cmpint (op_fdi_arch_position (11), <, op_fdi_arch_position (21));
  g_assert_cmpint (op_fdi_arch_position (21), <, op_fdi_arch_position (28));
  g_assert_cmpint (op_fdi_arch_position (48), <, op_fdi_arch_position (38));
}

static void
test_format (void)
{
  struct { int fdi; OpNumbering n; const char *text; } cases[] = {
    { 11, OP_NUMBERING_FDI, "11" },
    { 11, OP_NUMBERING_UNIVERSAL, "8" },
    { 11, OP_NUMBERING_PALMER, "UR1" },
    { 36, OP_NUMBERING_UNIVERSAL, "19" },
    { 36, OP_NUMBERING_PALMER, "LL6" },
    { 55, OP_NUMBERING_UNIVERSAL, "A" },
    { 65, OP_NUMBERING_UNIVERSAL, "J" },
    { 75, OP_NUMBERING_UNIVERSAL, "K" },
    { 85, OP_NUMBERING_UNIVERSAL, "T" },
    { 52, OP_NUMBERING_PALMER, "URB" },
  };
  OpNumbering n;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = op_fdi_format (cases[i].fdi, cases[i].n);
      g_assert_cmpstr (s, ==, cases[i].text);
    }
  g_assert_true (op_numbering_from_string ("palmer", &n));
  g_assert_cmpint (n, ==, OP_NUMBERING_PALMER);
  g_assert_false (op_numbering_from_string ("roman", &n));
}

static void
test_dentition (void)
{
  g_autoptr(OpDentition) d = op_dentition_new ();
  g_autoptr(OpDentition) copy = NULL;
  const int order[] = { 31, 11, 46, 21, 11 };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      OpTooth *t = op_tooth_new (order[i], op_mesh_new (3, 1, OP_MESH_ATTR_NONE));

      t->width = (float) i;
      op_dentition_add (d, t);
    }

  /* Sorted, and the second 11 replaced the first. */
  g_assert_cmpuint (d->teeth->len, ==, 4);
  g_assert_cmpint (((OpTooth *) g_ptr_array_index (d->teeth, 0))->fdi, ==, 11);
  g_assert_cmpint (((OpTooth *) g_ptr_array_index (d->teeth, 3))->fdi, ==, 46);
  g_assert_cmpfloat (op_dentition_get (d, 11)->width, ==, 4.f);
  g_assert_null (op_dentition_get (d, 12));
  g_assert_cmpuint (op_dentition_count_arch (d, TRUE), ==, 2);
  g_assert_cmpuint (op_dentition_count_arch (d, FALSE), ==, 2);

  copy = op_dentition_copy (d);
  g_assert_cmpuint (copy->teeth->len, ==, 4);
  g_assert_true (op_dentition_get (copy, 46)->crown != op_dentition_get (d, 46)->crown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/fdi/universal", test_universal);
  g_test_add_func ("/planner/fdi/validity-sides", test_validity_and_sides);
  g_test_add_func ("/planner/fdi/neighbours", test_neighbours);
  g_test_add_func ("/planner/fdi/format", test_format);
  g_test_add_func ("/planner/tooth/dentition", test_dentition);
  return g_test_run ();
}
