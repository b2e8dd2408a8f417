/* test-planner-marching: the generated marching cubes table, case by case,
 * and the isosurface on random volumes: closed, oriented, the same bytes on
 * any number of threads. */
#include <math.h>

#include "op-marching.h"
#include "op-marching-private.h"

/* Every directed edge once and its reverse once: closed and consistently
 * oriented.  Also every vertex used by some triangle. */
static gboolean
mesh_is_closed (const OpMesh *mesh, char **why)
{
  g_autoptr(GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, mesh->n_triangles * 3 + 1);
  g_autofree guint8 *used = g_new0 (guint8, mesh->n_vertices + 1);

  for (gsize t = 0; t < mesh->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint32 a = mesh->indices[t * 3 + e], b = mesh->indices[t * 3 + (e + 1) % 3];
        gint64 *key = &keys[t * 3 + e];

        if (a >= mesh->n_vertices || a == b)
          {
            *why = g_strdup_printf ("triangle %" G_GSIZE_FORMAT " has a bad or repeated index", t);
            return FALSE;
          }
        used[a] = 1;
        *key = ((gint64) a << 32) | b;
        if (g_hash_table_contains (edges, key))
          {
            *why = g_strdup_printf ("edge %u-%u used twice in one direction", a, b);
            return FALSE;
          }
        g_hash_table_add (edges, key);
      }
  for (gsize t = 0; t < mesh->n_triangles * 3; t++)
    {
      gint64 rev = ((keys[t] & 0xffffffff) << 32) | ((guint64) keys[t] >> 32);

      if (!g_hash_table_contains (edges, &rev))
        {
          *why = g_strdup_printf ("edge %u-%u has no opposite", (guint) (keys[t] >> 32), (guint) (keys[t] & 0xffffffff));
          return FALSE;
        }
    }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    if (!used[v])
      {
        *why = g_strdup_printf ("vertex %" G_GSIZE_FORMAT " is in no triangle", v);
        return FALSE;
      }
  return TRUE;
}

/* The table on its own: triangles use only crossing edges, every crossing
 * edge is used, and the fans have the sizes loops allow.  Whether cubes fit
 * together is for the volume tests below. */
static void
test_table (void)
{
  const OpMcCase *cases = op__mc_cases ();

  g_assert_cmpuint (cases[0].n_triangles, ==, 0);
  g_assert_cmpuint (cases[255].n_triangles, ==, 0);
  for (int config = 1; config < 255; config++)
    {
      const OpMcCase *c = &cases[config];
      guint crossing = 0, used = 0;
      gboolean seen[12] = { FALSE };

      for (int e = 0; e < 12; e++)
        {
          int a = op__mc_edge_corner (e), b = a | (1 << op__mc_edge_axis (e));

          g_assert_cmpint (a & (1 << op__mc_edge_axis (e)), ==, 0);
          if (((config >> a) & 1) != ((config >> b) & 1))
            crossing++;
        }
      for (int t = 0; t < c->n_triangles * 3; t++)
        {
          int e = c->edges[t], a = op__mc_edge_corner (e), b = a | (1 << op__mc_edge_axis (e));

          /* Only crossing edges carry vertices. */
          g_assert_cmpint ((config >> a) & 1, !=, (config >> b) & 1);
          if (!seen[e])
            used++;
          seen[e] = TRUE;
        }
      g_assert_cmpuint (used, ==, crossing);
      /* Fans: one triangle fewer than vertices per loop, at least one loop. */
      g_assert_cmpuint (c->n_triangles, <=, crossing - 2);
      g_assert_cmpuint (c->n_triangles, >=, crossing / 3);
    }
  /* One corner in: one triangle.  A face's worth (four corners): a quad. */
  g_assert_cmpuint (cases[0x01].n_triangles, ==, 1);
  g_assert_cmpuint (cases[0x0f].n_triangles, ==, 2);
}

/* Each of the 256 configurations as the centre cube of a 4 x 4 x 4 volume
 * whose border is outside: the surface must be closed, oriented outwards
 * (positive volume) and hold the corners that are inside. */
static void
test_all_cases_closed (void)
{
  const double spacing[3] = { 1, 1, 1 };

  for (int config = 1; config < 256; config++)
    {
      g_autoptr(OpVolume) v = op_volume_new (4, 4, 4, spacing);
      g_autoptr(OpMesh) m = NULL;
      g_autofree char *why = NULL;
      int n_in = 0;

      for (int c = 0; c < 8; c++)
        if ((config >> c) & 1)
          {
            int i = 1 + (c & 1), j = 1 + ((c >> 1) & 1), k = 1 + ((c >> 2) & 1);

            v->voxels[(k * 4 + j) * 4 + i] = 100;
            n_in++;
          }
      m = op_volume_isosurface (v, 50, NULL);
      g_assert_nonnull (m);
      if (!mesh_is_closed (m, &why))
        {
          g_test_message ("config 0x%02x: %s", config, why);
          g_assert_not_reached ();
        }
      /* Each inside voxel holds an octahedron of volume 1/6 around it at
       * least (the surface crosses every edge half way). */
      g_assert_cmpfloat (op_mesh_volume (m), >=, n_in / 6.0 - 1e-4);
      g_assert_cmpfloat (op_mesh_volume (m), <=, n_in);
    }
}

/* Random blobs, thresholded at several levels: closed every time, and the
 * same bytes on 1, 2 and 3 threads. */
static void
test_random_closed (void)
{
  const double spacing[3] = { 0.5, 0.7, 0.9 };
  GRand *rand = g_rand_new_with_seed (7);

  for (int round = 0; round < 60; round++)
    {
      int n = 5 + round % 7;
      g_autoptr(OpVolume) v = op_volume_new (n, n + 1, n + 2, spacing);

      /* The border stays below every level, so no surface reaches it. */
      for (gsize x = 0; x < (gsize) n * (n + 1) * (n + 2); x++)
        v->voxels[x] = -1000;

      for (int k = 1; k < n + 1; k++)
        for (int j = 1; j < n; j++)
          for (int i = 1; i < n - 1; i++)
            v->voxels[((gsize) k * (n + 1) + j) * n + i] = (gint16) g_rand_int_range (rand, -100, 100);

      for (int level = -20; level <= 40; level += 30)
        {
          OpIsoOptions one = { 1, FALSE }, two = { 2, FALSE }, three = { 3, FALSE };
          g_autoptr(OpMesh) m1 = op_volume_isosurface (v, level + 0.5, &one);
          g_autoptr(OpMesh) m2 = op_volume_isosurface (v, level + 0.5, &two);
          g_autoptr(OpMesh) m3 = op_volume_isosurface (v, level + 0.5, &three);
          g_autofree char *why = NULL;

          if (!mesh_is_closed (m1, &why))
            {
              g_test_message ("round %d level %d: %s", round, level, why);
              g_assert_not_reached ();
            }
          g_assert_cmpfloat (op_mesh_volume (m1), >, 0);
          g_assert_cmpuint (m1->n_triangles, ==, m2->n_triangles);
          g_assert_cmpuint (m1->n_triangles, ==, m3->n_triangles);
          g_assert_cmpuint (m1->n_vertices, ==, m3->n_vertices);
          g_assert_cmpmem (m1->positions, m1->n_vertices * 12, m2->positions, m2->n_vertices * 12);
          g_assert_cmpmem (m1->indices, m1->n_triangles * 12, m2->indices, m2->n_triangles * 12);
          g_assert_cmpmem (m1->indices, m1->n_triangles * 12, m3->indices, m3->n_triangles * 12);
        }
    }
  g_rand_free (rand);
}

/* A sphere: about three triangles per square voxel of surface, where the
 * marching tetrahedra this replaced made about nine, with the area and
 * volume of the sphere. */
static void
test_sphere_size (void)
{
  const int n = 60;
  const double r = 25, spacing[3] = { 1, 1, 1 }, c = (n - 1) / 2.0;
  g_autoptr(OpVolume) v = op_volume_new (n, n, n, spacing);
  g_autoptr(OpMesh) m = NULL;
  g_autofree char *why = NULL;
  double area;

  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        {
          double d = sqrt ((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));

          v->voxels[((gsize) k * n + j) * n + i] = (gint16) lround ((r - d) * 100);
        }
  m = op_volume_isosurface (v, 0, NULL);
  g_assert_true (mesh_is_closed (m, &why));
  area = 4 * G_PI * r * r;
  g_test_message ("sphere r=%g: %" G_GSIZE_FORMAT " triangles for %.0f voxel faces of area", r, m->n_triangles, area);
  g_assert_cmpfloat (m->n_triangles, <, 4.0 * area);
  g_assert_cmpfloat (m->n_triangles, >, 2.0 * area);
  g_assert_cmpfloat (fabs (op_mesh_area (m) - area) / area, <, 0.05);
  g_assert_cmpfloat (fabs (op_mesh_volume (m) - 4.0 / 3 * G_PI * r * r * r) / (4.0 / 3 * G_PI * r * r * r), <, 0.01);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/marching/table", test_table);
  g_test_add_func ("/planner/marching/all-cases-closed", test_all_cases_closed);
  g_test_add_func ("/planner/marching/random-closed", test_random_closed);
  g_test_add_func ("/planner/marching/sphere-size", test_sphere_size);
  return g_test_run ();
}
