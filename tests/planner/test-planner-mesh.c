/* Tests for the OpMesh container: bounds, normals, validation, volume. */
#include <math.h>
#include <string.h>

#include "op-mesh.h"

/* An axis-aligned cube of side @s with outward-facing triangles. */
static OpMesh *
make_cube (float s)
{
  static const float v[8][3] = {
    { 0, 0, 0 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 1, 0 },
    { 0, 0, 1 }, { 1, 0, 1 }, { 1, 1, 1 }, { 0, 1, 1 },
  };
  static const guint32 f[12][3] = {
    { 0, 2, 1 }, { 0, 3, 2 }, { 4, 5, 6 }, { 4, 6, 7 },
    { 0, 1, 5 }, { 0, 5, 4 }, { 1, 2, 6 }, { 1, 6, 5 },
    { 2, 3, 7 }, { 2, 7, 6 }, { 3, 0, 4 }, { 3, 4, 7 },
  };
  OpMesh *m = op_mesh_new (8, 12, OP_MESH_ATTR_NONE);

  for (int i = 0; i < 8; i++)
    for (int k = 0; k < 3; k++)
      m->positions[3 * i + k] = v[i][k] * s;
  memcpy (m->indices, f, sizeof f);
  op_mesh_compute_bounds (m);
  return m;
}

static void
test_bounds_and_volume (void)
{
  g_autoptr(OpMesh) m = make_cube (2.f);

  g_assert_cmpfloat_with_epsilon (m->bbox_max[0], 2.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (m->bbox_min[2], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (m), 8.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (op_mesh_area (m), 24.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (op_mesh_get_extent (m, NULL), sqrtf (12.f), 1e-5);
}

static void
test_normals_point_outwards (void)
{
  g_autoptr(OpMesh) m = make_cube (1.f);

  op_mesh_compute_normals (m);
  g_assert_nonnull (m->normals);
  for (gsize i = 0; i < m->n_vertices; i++)
    {
      const float *p = &m->positions[3 * i];
      const float *n = &m->normals[3 * i];
      float dot = (p[0] - .5f) * n[0] + (p[1] - .5f) * n[1] + (p[2] - .5f) * n[2];
      float len = sqrtf (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);

      g_assert_cmpfloat_with_epsilon (len, 1.0, 1e-5);
      g_assert_cmpfloat (dot, >, 0.f);
    }
}

static void
test_validate (void)
{
  g_autoptr(OpMesh) m = make_cube (1.f);
  g_autoptr(OpMesh) empty = op_mesh_new (0, 0, OP_MESH_ATTR_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_true (op_mesh_validate (m, &error));
  g_assert_no_error (error);

  g_assert_false (op_mesh_validate (empty, &error));
  g_assert_error (error, OP_MESH_ERROR, OP_MESH_ERROR_EMPTY);
  g_clear_error (&error);

  m->indices[7] = 8;
  g_assert_false (op_mesh_validate (m, &error));
  g_assert_error (error, OP_MESH_ERROR, OP_MESH_ERROR_INDEX_RANGE);
  g_assert_nonnull (strstr (error->message, "triangle 2"));
  g_clear_error (&error);
  m->indices[7] = 0;

  m->positions[4] = NAN;
  g_assert_false (op_mesh_validate (m, &error));
  g_assert_error (error, OP_MESH_ERROR, OP_MESH_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "vertex 1"));
}

static void
test_append_and_transform (void)
{
  g_autoptr(OpMesh) a = make_cube (1.f);
  g_autoptr(OpMesh) b = make_cube (1.f);
  const float shift[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 10, 0, 0, 1 };

  op_mesh_set_attrs (b, OP_MESH_ATTR_LABELS);
  for (gsize i = 0; i < b->n_vertices; i++)
    b->labels[i] = 11;
  op_mesh_transform (b, shift);
  g_assert_cmpfloat_with_epsilon (b->bbox_min[0], 10.0, 1e-6);

  op_mesh_append (a, b);
  g_assert_cmpuint (a->n_vertices, ==, 16);
  g_assert_cmpuint (a->n_triangles, ==, 24);
  g_assert_nonnull (a->labels);
  g_assert_cmpint (a->labels[0], ==, 0);
  g_assert_cmpint (a->labels[8], ==, 11);
  g_assert_cmpuint (a->indices[3 * 12], ==, 8);
  g_assert_cmpfloat_with_epsilon (a->bbox_max[0], 11.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (op_mesh_volume (a), 2.0, 1e-5);
  g_assert_true (op_mesh_validate (a, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/mesh/bounds-volume", test_bounds_and_volume);
  g_test_add_func ("/planner/mesh/normals", test_normals_point_outwards);
  g_test_add_func ("/planner/mesh/validate", test_validate);
  g_test_add_func ("/planner/mesh/append-transform", test_append_and_transform);
  return g_test_run ();
}
