/* Tests for the tooth BVH and penetration depth, on real teeth. */
#include <math.h>
#include <string.h>

#include "op-bvh.h"
#include "op-collide.h"
#include "op-fdi.h"
#include "test-geom-data.h"

static void
identity (float m[16])
{
  memset (m, 0, 16 * sizeof (float));
  m[0] = m[5] = m[10] = m[15] = 1;
}

static void
translation (float m[16], float x, float y, float z)
{
  identity (m);
  m[12] = x;
  m[13] = y;
  m[14] = z;
}

/* Rotation by @deg about unit @axis through @centre, then a translation. */
static void
rigid (float m[16], const float axis[3], double deg, const float centre[3], const float t[3])
{
  double a = deg * G_PI / 180, c = cos (a), s = sin (a), C = 1 - c;
  double x = axis[0], y = axis[1], z = axis[2];
  double r[9] = {
    x * x * C + c, y * x * C + z * s, z * x * C - y * s,   /* column 0 */
    x * y * C - z * s, y * y * C + c, z * y * C + x * s,   /* column 1 */
    x * z * C + y * s, y * z * C - x * s, z * z * C + c,   /* column 2 */
  };

  identity (m);
  for (int col = 0; col < 3; col++)
    for (int row = 0; row < 3; row++)
      m[4 * col + row] = (float) r[3 * col + row];
  for (int row = 0; row < 3; row++)
    m[12 + row] = (float) (centre[row] + t[row]
                           - (r[row] * centre[0] + r[3 + row] * centre[1] + r[6 + row] * centre[2]));
}

static OpMesh *
load_or_skip (int universal)
{
  g_autoptr(GError) error = NULL;
  OpMesh *mesh = geom_load_universal (universal, &error);

  if (mesh == NULL)
    g_test_skip (error->message);
  return mesh;
}

/* The mirror image of @mesh across the plane normal to axis @k at @plane,
 * with the winding turned so it still faces outwards. */
static OpMesh *
mirror (const OpMesh *mesh, int k, float plane)
{
  OpMesh *m = op_mesh_copy (mesh);

  for (gsize i = 0; i < m->n_vertices; i++)
    m->positions[3 * i + k] = 2 * plane - m->positions[3 * i + k];
  for (gsize t = 0; t < m->n_triangles; t++)
    {
      guint32 tmp = m->indices[3 * t + 1];
      m->indices[3 * t + 1] = m->indices[3 * t + 2];
      m->indices[3 * t + 2] = tmp;
    }
  op_mesh_compute_bounds (m);
  return m;
}

static void
test_bvh_real_tooth (void)
{
  g_autoptr(OpMesh) mesh = load_or_skip (8);
  g_autoptr(OpBvh) bvh = NULL;
  GRand *rand;
  float lo[3], hi[3];
  guint agree = 0, tested = 0;

  if (mesh == NULL)
    return;
  bvh = op_bvh_new_for_mesh (mesh);
  g_assert_nonnull (bvh);
  g_assert_true (op_bvh_is_closed (bvh));
  g_assert_cmpuint (op_bvh_get_n_triangles (bvh), ==, mesh->n_triangles);
  op_bvh_get_bounds (bvh, lo, hi);
  for (int k = 0; k < 3; k++)
    {
      g_assert_cmpfloat_with_epsilon (lo[k], mesh->bbox_min[k], 1e-4);
      g_assert_cmpfloat_with_epsilon (hi[k], mesh->bbox_max[k], 1e-4);
    }

  /* The pseudo-normal sign against ray parity, and the tree's distance
   * against the plain loop, at random points in and around the tooth. */
  rand = g_rand_new_with_seed (7);
  for (int i = 0; i < 300; i++)
    {
      float p[3];
      OpBvhHit hit;

      for (int k = 0; k < 3; k++)
        p[k] = (float) g_rand_double_range (rand, lo[k] - 1, hi[k] + 1);
      g_assert_true (op_bvh_signed_distance (bvh, p, G_MAXFLOAT, &hit));
      if (fabsf (hit.distance) < 0.01f)
        continue;
      tested++;
      agree += (hit.distance < 0) == op_bvh_contains (bvh, p);
    }
  g_rand_free (rand);
  g_test_message ("sign agrees with ray parity at %u of %u points", agree, tested);
  g_assert_cmpuint (tested, >, 200);
  g_assert_cmpuint (agree, ==, tested);

  /* A bounded query finds nothing beyond its bound. */
  {
    float far[3] = { hi[0] + 5, hi[1], hi[2] };
    OpBvhHit hit, bounded;
    g_assert_true (op_bvh_closest (bvh, far, G_MAXFLOAT, &hit));
    g_assert_cmpfloat (hit.distance, >=, 5.f);
    g_assert_false (op_bvh_closest (bvh, far, hit.distance - 0.1f, &bounded));
    g_assert_true (op_bvh_closest (bvh, far, hit.distance + 0.1f, &bounded));
    g_assert_cmpmem (&hit, sizeof hit, &bounded, sizeof bounded);
  }
}

/* A tooth against its own mirror image across its support plane along an
 * axis touches at one extreme point with both tangent planes normal to
 * that axis, so pushing the mirror in by d overlaps them by exactly d. */
static void
test_mirror_push (void)
{
  g_autoptr(OpMesh) mesh = load_or_skip (8);
  g_autoptr(OpBvh) a = NULL;
  float ident[16];

  if (mesh == NULL)
    return;
  a = op_bvh_new_for_mesh (mesh);
  identity (ident);
  for (int k = 0; k < 3; k++)
    for (int side = 0; side < 2; side++)
      {
        float plane = side ? mesh->bbox_max[k] : mesh->bbox_min[k];
        float dir = side ? 1.f : -1.f;
        g_autoptr(OpMesh) m = mirror (mesh, k, plane);
        g_autoptr(OpBvh) b = op_bvh_new_for_mesh (m);
        static const double pushes[] = { -0.4, -0.1, 0.1, 0.25, 0.5, 0.8 };
        /* Along the long axis (z) the extreme points are the root apex and
         * the incisal edge, sharp enough that a deep push meets the other
         * cone's side before its tip: only pushes up to 0.5 mm keep the
         * tangent-plane premise there. */
        guint n_pushes = k == 2 ? G_N_ELEMENTS (pushes) - 1 : G_N_ELEMENTS (pushes);

        for (guint i = 0; i < n_pushes; i++)
          {
            float mb[16], t[3] = { 0, 0, 0 };
            OpCollideResult r;
            double p, q;

            t[k] = (float) (-dir * pushes[i]);
            translation (mb, t[0], t[1], t[2]);
            p = op_collide_pair (a, ident, b, mb, NULL, &r, NULL);
            q = op_collide_pair (b, mb, a, ident, NULL, NULL, NULL);
            g_test_message ("axis %d side %d push %.2f: penetration %.4f", k, side, pushes[i], p);
            g_assert_cmpfloat_with_epsilon (p, pushes[i], 0.05);
            /* Symmetric within the tolerance of the walk. */
            g_assert_cmpfloat_with_epsilon (p, q, 0.0101);
            if (pushes[i] > 0)
              {
                /* B leaves along the axis, away from A: within the angle
                 * between the facets around the extreme vertex, which on
                 * these meshes stays under 30 degrees. */
                g_assert_cmpfloat (r.direction[k] * dir, >, 0.85f);
                g_assert_false (r.early_out);
              }
          }
      }
}

static void
test_neighbours_push (void)
{
  /* Universal 8 and 9 are the upper central incisors 11 and 21, in the
   * patient's real occlusion. */
  g_autoptr(OpMesh) m11 = load_or_skip (8);
  g_autoptr(OpMesh) m21 = m11 ? load_or_skip (9) : NULL;
  g_autoptr(OpBvh) a = NULL, b = NULL;
  float ident[16], mb[16];
  double base, prev;
  OpCollideResult r;

  if (m21 == NULL)
    return;
  a = op_bvh_new_for_mesh (m11);
  b = op_bvh_new_for_mesh (m21);
  identity (ident);
  base = op_collide_pair (a, ident, b, ident, NULL, &r, NULL);
  g_test_message ("11-21 as segmented: %.3f mm at (%.1f %.1f %.1f)", base, r.point[0], r.point[1], r.point[2]);
  /* Segmented neighbours touch: neither deep in each other nor far apart. */
  g_assert_cmpfloat (base, >, -0.5);
  g_assert_cmpfloat (base, <, 0.3);

  /* 21 is on the patient's left (+x): moving it to -x pushes it into 11,
   * and the depth can only grow, never by more than the push. */
  prev = base;
  for (int i = 1; i <= 8; i++)
    {
      double d = 0.1 * i, p;

      translation (mb, (float) -d, 0, 0);
      p = op_collide_pair (a, ident, b, mb, NULL, NULL, NULL);
      g_assert_cmpfloat (p, >=, prev - 0.011);
      g_assert_cmpfloat (p, <=, base + d + 0.011);
      prev = p;
    }
  g_assert_cmpfloat (prev, >, base + 0.3);

  /* Moved 3 mm apart: a gap, measured. */
  translation (mb, 3, 0, 0);
  {
    OpCollideOptions opt = { .max_distance = 10 };
    double p = op_collide_pair (a, ident, b, mb, &opt, NULL, NULL);
    g_assert_cmpfloat (p, <, -2.0);
    g_assert_cmpfloat (p, >, -3.0 + base - 0.05);
  }
  /* Far apart: decided by the bounding volumes. */
  translation (mb, 40, 0, 0);
  g_assert_cmpfloat (op_collide_pair (a, ident, b, mb, NULL, &r, NULL), ==, -1.0);
  g_assert_true (r.early_out);
}

static void
test_brute_force (void)
{
  g_autoptr(OpMesh) m11 = load_or_skip (8);
  g_autoptr(OpMesh) m12 = m11 ? load_or_skip (7) : NULL;
  g_autoptr(OpBvh) a = NULL, b = NULL;
  float ident[16], lo[3], hi[3], centre[3];
  GRand *rand;
  OpCollideStats stats = { 0 };
  OpCollideOptions exact = { .max_distance = 1.0, .tolerance = -1 };

  if (m12 == NULL)
    return;
  a = op_bvh_new_for_mesh (m11);
  b = op_bvh_new_for_mesh (m12);
  identity (ident);
  op_bvh_get_bounds (b, lo, hi);
  for (int k = 0; k < 3; k++)
    centre[k] = .5f * (lo[k] + hi[k]);
  rand = g_rand_new_with_seed (26);
  /* Four poses: the reference visits every triangle for every vertex
   * near the other tooth, seconds per pose. */
  for (int i = 0; i < 4; i++)
    {
      float axis[3], t[3], mb[16], len = 0;
      double fast, exact_v, brute, deg;
      OpCollideResult r1, r2;

      for (int k = 0; k < 3; k++)
        {
          axis[k] = (float) g_rand_double_range (rand, -1, 1);
          len += axis[k] * axis[k];
          t[k] = (float) g_rand_double_range (rand, -0.8, 0.8);
        }
      for (int k = 0; k < 3; k++)
        axis[k] /= sqrtf (len);
      deg = g_rand_double_range (rand, -6, 6);
      rigid (mb, axis, deg, centre, t);
      fast = op_collide_pair (a, ident, b, mb, NULL, &r1, &stats);
      exact_v = op_collide_pair (a, ident, b, mb, &exact, NULL, &stats);
      brute = op_collide_pair_brute_force (a, ident, b, mb, 1.0);
      g_test_message ("pose %d: tree %.4f exact %.4f brute %.4f", i, fast, exact_v, brute);
      g_assert_cmpfloat_with_epsilon (exact_v, brute, 1e-5);
      g_assert_cmpfloat (fast, <=, brute + 1e-5);
      g_assert_cmpfloat (fast, >=, brute - 0.0101);
      /* The same call gives the same bytes. */
      op_collide_pair (a, ident, b, mb, NULL, &r2, NULL);
      g_assert_cmpmem (&r1, sizeof r1, &r2, sizeof r2);
    }
  g_rand_free (rand);
  g_assert_cmpuint (stats.pair_queries, ==, 8);
  g_assert_cmpuint (stats.point_queries, >, 0);
}

static void
test_speed (void)
{
  g_autoptr(OpDentition) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trees = g_ptr_array_new_with_free_func ((GDestroyNotify) op_bvh_free);
  int fdi[32], pairs[2 * 128];
  guint n = 0, n_pairs;
  float ident[16];
  OpCollideStats stats = { 0 };
  gint64 t0, t1, t2;
  double worst = -1;

  d = geom_load_dentition (&error);
  if (d == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < d->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      fdi[n++] = t->fdi;
      g_ptr_array_add (trees, op_bvh_new_for_mesh (t->crown));
    }
  t1 = g_get_monotonic_time ();
  n_pairs = op_collide_list_pairs (fdi, n, TRUE, pairs, 128);
  g_assert_cmpuint (n_pairs, <=, 128);
  identity (ident);
  for (int rep = 0; rep < 5; rep++)
    for (guint p = 0; p < n_pairs; p++)
      {
        guint ia = 0, ib = 0;
        double v;
        for (guint i = 0; i < n; i++)
          {
            if (fdi[i] == pairs[2 * p]) ia = i;
            if (fdi[i] == pairs[2 * p + 1]) ib = i;
          }
        v = op_collide_pair (g_ptr_array_index (trees, ia), ident, g_ptr_array_index (trees, ib), ident, NULL, NULL, &stats);
        if (rep == 0 && v > 0.05)
          g_test_message ("%d-%d overlap %.3f mm as segmented", pairs[2 * p], pairs[2 * p + 1], v);
        worst = MAX (worst, v);
      }
  t2 = g_get_monotonic_time ();
  g_test_message ("built %u trees in %.1f ms; %u pairs x 5 in %.1f ms: %.0f pair queries/s, %.1f point queries per pair, %" G_GUINT64_FORMAT " early outs",
                  n, (t1 - t0) / 1000.0, n_pairs, (t2 - t1) / 1000.0,
                  stats.pair_queries / ((t2 - t1) / 1e6), (double) stats.point_queries / stats.pair_queries, stats.early_outs);
  t1 = g_get_monotonic_time ();
  {
    OpCollideOptions warn = { .min_depth = 0.05 };
    OpCollideStats st2 = { 0 };
    guint deep = 0;

    for (int rep = 0; rep < 5; rep++)
      for (guint p = 0; p < n_pairs; p++)
        {
          guint ia = 0, ib = 0;
          double v, full;
          for (guint i = 0; i < n; i++)
            {
              if (fdi[i] == pairs[2 * p]) ia = i;
              if (fdi[i] == pairs[2 * p + 1]) ib = i;
            }
          v = op_collide_pair (g_ptr_array_index (trees, ia), ident, g_ptr_array_index (trees, ib), ident, &warn, NULL, &st2);
          if (rep > 0)
            continue;
          full = op_collide_pair (g_ptr_array_index (trees, ia), ident, g_ptr_array_index (trees, ib), ident, NULL, NULL, NULL);
          /* The same depth where it passes 0.05 mm, else exactly 0. */
          if (full > 0.05 + 0.011)
            {
              g_assert_cmpfloat_with_epsilon (v, full, 0.011);
              deep++;
            }
          else if (full < 0.05 - 0.011)
            g_assert_cmpfloat (v, ==, 0.0);
        }
    t2 = g_get_monotonic_time ();
    /* The first pass also measures each pair in full, for reference. */
    g_test_message ("with min_depth 0.05: %.1f ms for %u pairs x 5: %.0f pair queries/s, %.1f point queries per pair; %u deeper",
                    (t2 - t1) / 1000.0, n_pairs, st2.pair_queries / ((t2 - t1) / 1e6),
                    (double) st2.point_queries / st2.pair_queries, deep);
    g_assert_cmpuint (deep, >, 0);
  }
  g_assert_cmpuint (stats.pair_queries, ==, 5 * n_pairs);
  /* The segmented teeth are in occlusion: nothing deep. */
  g_assert_cmpfloat (worst, <, 1.0);
}

static void
test_list_pairs (void)
{
  int all[28], pairs[2 * 100];
  guint n = 0, count;

  for (int q = 1; q <= 4; q++)
    for (int t = 1; t <= 7; t++)
      all[n++] = 10 * q + t;
  count = op_collide_list_pairs (all, n, FALSE, pairs, 100);
  g_assert_cmpuint (count, ==, 26);
  /* Right to left: 17-16 first, and the midline contact 11-21 among them. */
  g_assert_cmpint (pairs[0], ==, 17);
  g_assert_cmpint (pairs[1], ==, 16);
  {
    gboolean midline = FALSE;
    for (guint i = 0; i < count; i++)
      midline |= pairs[2 * i] == 11 && pairs[2 * i + 1] == 21;
    g_assert_true (midline);
  }
  count = op_collide_list_pairs (all, n, TRUE, pairs, 100);
  /* Each upper tooth meets its antagonist and the lower teeth beside it. */
  g_assert_cmpuint (count, ==, 26 + 14 * 3 - 2);
  /* Too small a buffer still counts every pair. */
  g_assert_cmpuint (op_collide_list_pairs (all, n, TRUE, pairs, 3), ==, count);
  /* A missing tooth: its neighbours become neighbours. */
  all[1] = 99;   /* not a tooth, ignored */
  g_assert_cmpuint (op_collide_list_pairs (all, n, FALSE, pairs, 100), ==, 25);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/collide/bvh", test_bvh_real_tooth);
  g_test_add_func ("/planner/collide/mirror-push", test_mirror_push);
  g_test_add_func ("/planner/collide/neighbours", test_neighbours_push);
  g_test_add_func ("/planner/collide/brute-force", test_brute_force);
  g_test_add_func ("/planner/collide/dentition", test_speed);
  g_test_add_func ("/planner/collide/pairs", test_list_pairs);
  return g_test_run ();
}
