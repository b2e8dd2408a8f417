/* Tests for the demo dentition generator: determinism, numbering and
 * closed, outward-facing surfaces per tooth. */
#include <string.h>

#include "op-demo.h"

static double
label_volume (const OpMesh *m,
              gint32        label,
              gsize        *out_tris)
{
  double vol = 0.0;
  gsize n = 0;

  for (gsize t = 0; t < m->n_triangles; t++)
    {
      const guint32 *tri = &m->indices[3 * t];
      const float *a, *b, *c;

      if (m->labels[tri[0]] != label)
        continue;
      a = &m->positions[3 * tri[0]];
      b = &m->positions[3 * tri[1]];
      c = &m->positions[3 * tri[2]];
      vol += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
              + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
      n++;
    }
  *out_tris = n;
  return vol;
}

static gboolean
is_closed (const OpMesh *m)
{
  g_autoptr(GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, 3 * m->n_triangles);
  GHashTableIter iter;
  gpointer value;

  /* A closed, consistently oriented surface uses every directed edge once
   * and its reverse once. */
  for (gsize t = 0; t < m->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint32 a = m->indices[3 * t + e], b = m->indices[3 * t + (e + 1) % 3];
        gint64 *k = &keys[3 * t + e];

        *k = ((gint64) a << 32) | b;
        if (g_hash_table_contains (edges, k))
          return FALSE;
        g_hash_table_add (edges, k);
      }

  g_hash_table_iter_init (&iter, edges);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    {
      gint64 k = *(gint64 *) value;
      gint64 rev = ((k & 0xffffffff) << 32) | (k >> 32);

      if (!g_hash_table_contains (edges, &rev))
        return FALSE;
    }
  return TRUE;
}

static void
check_arch (OpJaw jaw)
{
  g_autoptr(OpMesh) a = op_demo_arch_new (jaw, 2);
  g_autoptr(OpMesh) b = op_demo_arch_new (jaw, 2);
  int first_quadrant = jaw == OP_JAW_UPPER ? 1 : 3;
  gsize tris;
  double gum;

  g_assert_nonnull (a);
  g_assert_true (op_mesh_validate (a, NULL));
  g_assert_nonnull (a->labels);
  g_assert_nonnull (a->colors);

  /* Deterministic to the byte. */
  g_assert_cmpuint (a->n_vertices, ==, b->n_vertices);
  g_assert_cmpint (memcmp (a->positions, b->positions, 12 * a->n_vertices), ==, 0);
  g_assert_cmpint (memcmp (a->indices, b->indices, 12 * a->n_triangles), ==, 0);

  g_assert_true (is_closed (a));

  for (int q = first_quadrant; q <= first_quadrant + 1; q++)
    for (int t = 1; t <= 7; t++)
      {
        double vol = label_volume (a, q * 10 + t, &tris);

        g_assert_cmpuint (tris, >, 0);
        /* A crown is some hundreds of mm^3, and outward-facing. */
        g_assert_cmpfloat (vol, >, 80.0);
        g_assert_cmpfloat (vol, <, 1500.0);
      }
  g_assert_cmpuint (label_volume (a, 18, &tris) == 0.0 && tris == 0, ==, TRUE);
  gum = label_volume (a, 0, &tris);
  g_assert_cmpfloat (gum, >, 1000.0);

  /* FDI sides: quadrant 1 and 4 are the patient's right, at -x. */
  for (gsize i = 0; i < a->n_vertices; i++)
    {
      int q = a->labels[i] / 10;

      if (q == 1 || q == 4)
        g_assert_cmpfloat (a->positions[3 * i], <, 0.5f);
      else if (q == 2 || q == 3)
        g_assert_cmpfloat (a->positions[3 * i], >, -0.5f);
    }

  /* A real arch with its gingiva: some 50-70 mm wide and 30-50 mm deep. */
  g_assert_cmpfloat (a->bbox_max[0] - a->bbox_min[0], >, 45.f);
  g_assert_cmpfloat (a->bbox_max[0] - a->bbox_min[0], <, 75.f);
  g_assert_cmpfloat (a->bbox_max[1] - a->bbox_min[1], >, 30.f);
  g_assert_cmpfloat (a->bbox_max[1] - a->bbox_min[1], <, 60.f);
}

static void
test_upper (void)
{
  check_arch (OP_JAW_UPPER);
}

static void
test_lower (void)
{
  check_arch (OP_JAW_LOWER);
}

static void
test_occlusion (void)
{
  g_autoptr(OpMesh) up = op_demo_arch_new (OP_JAW_UPPER, 1);
  g_autoptr(OpMesh) lo = op_demo_arch_new (OP_JAW_LOWER, 1);
  float up_lowest = G_MAXFLOAT, lo_highest = -G_MAXFLOAT;

  /* Upper crowns face down, lower crowns up, and they meet near z = 0. */
  for (gsize i = 0; i < up->n_vertices; i++)
    if (up->labels[i])
      up_lowest = MIN (up_lowest, up->positions[3 * i + 2]);
  for (gsize i = 0; i < lo->n_vertices; i++)
    if (lo->labels[i])
      lo_highest = MAX (lo_highest, lo->positions[3 * i + 2]);

  g_assert_cmpfloat (up_lowest, <, 3.f);
  g_assert_cmpfloat (lo_highest, >, -3.f);
  g_assert_cmpfloat (up->bbox_min[2], >, lo->bbox_min[2]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/demo/upper", test_upper);
  g_test_add_func ("/planner/demo/lower", test_lower);
  g_test_add_func ("/planner/demo/occlusion", test_occlusion);
  return g_test_run ();
}
