/* test-planner-model.c: printable stage models (op-model.h) of the real
 * teeth: closed and consistently oriented, free of self-intersections on a
 * sample, the label readable in a slice of the base, the teeth where the
 * plan puts them, and the attachments from their bonding stage on. */
#include <math.h>
#include <string.h>

#include "op-bvh.h"
#include "op-model.h"
#include "test-model-data.h"

#define N_STAGES 6

static OpDentition *teeth;
static OpPlan *plan;

static gboolean
need_data (void)
{
  if (teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return FALSE;
    }
  return TRUE;
}

static OpMesh *
build (gboolean upper, guint stage, const OpModelOptions *o, OpModelLabelInfo *info, char **label_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = op_model_label ("P26", upper, stage);
  OpMesh *m = op_model_build (teeth, plan, upper, stage, label, o, info, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  if (label_out)
    *label_out = g_steal_pointer (&label);
  return m;
}

/* Segment pq against triangle abc (Moller-Trumbore), strictly inside both. */
static gboolean
segment_hits (const float *p, const float *q, const float *a, const float *b, const float *c)
{
  double d[3], e1[3], e2[3], h[3], s[3], qq[3], det, u, v, t;

  for (int r = 0; r < 3; r++)
    {
      d[r] = q[r] - p[r];
      e1[r] = b[r] - a[r];
      e2[r] = c[r] - a[r];
    }
  h[0] = d[1] * e2[2] - d[2] * e2[1];
  h[1] = d[2] * e2[0] - d[0] * e2[2];
  h[2] = d[0] * e2[1] - d[1] * e2[0];
  det = e1[0] * h[0] + e1[1] * h[1] + e1[2] * h[2];
  if (fabs (det) < 1e-12)
    return FALSE;
  for (int r = 0; r < 3; r++)
    s[r] = p[r] - a[r];
  u = (s[0] * h[0] + s[1] * h[1] + s[2] * h[2]) / det;
  if (u <= 1e-6 || u >= 1 - 1e-6)
    return FALSE;
  qq[0] = s[1] * e1[2] - s[2] * e1[1];
  qq[1] = s[2] * e1[0] - s[0] * e1[2];
  qq[2] = s[0] * e1[1] - s[1] * e1[0];
  v = (d[0] * qq[0] + d[1] * qq[1] + d[2] * qq[2]) / det;
  if (v <= 1e-6 || u + v >= 1 - 1e-6)
    return FALSE;
  t = (e2[0] * qq[0] + e2[1] * qq[1] + e2[2] * qq[2]) / det;
  return t > 1e-6 && t < 1 - 1e-6;
}

/* Sampled self-intersection check: every 20th triangle against every
 * triangle near it (a 1 mm hash of centroids) that shares no vertex with
 * it; an edge of one crossing the other means the surface cuts itself. */
static guint
count_self_intersections (const OpMesh *m, guint *n_pairs)
{
  g_autoptr(GHashTable) cells = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       (GDestroyNotify) g_array_unref);
  guint hits = 0;
  const double cell = 1.0;

  *n_pairs = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      gint64 key = 0, *k;
      GArray *list;
      for (int r = 0; r < 3; r++)
        {
          double c = (m->positions[3 * m->indices[3 * t] + r] + m->positions[3 * m->indices[3 * t + 1] + r] +
                      m->positions[3 * m->indices[3 * t + 2] + r]) / 3;
          key = key * 100003 + (gint64) floor (c / cell + 50000);
        }
      list = g_hash_table_lookup (cells, &key);
      if (list == NULL)
        {
          k = g_new (gint64, 1);
          *k = key;
          list = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (cells, k, list);
        }
      g_array_append_val (list, t);
    }
  for (guint t = 0; t < m->n_triangles; t += 20)
    {
      const guint32 *a = m->indices + 3 * t;
      gint64 base[3];
      for (int r = 0; r < 3; r++)
        base[r] = (gint64) floor ((m->positions[3 * a[0] + r] + m->positions[3 * a[1] + r] +
                                   m->positions[3 * a[2] + r]) / 3 / cell + 50000);
      for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              gint64 key = ((base[0] + dx) * 100003 + base[1] + dy) * 100003 + base[2] + dz;
              GArray *list = g_hash_table_lookup (cells, &key);
              for (guint n = 0; list && n < list->len; n++)
                {
                  guint u = g_array_index (list, guint, n);
                  const guint32 *b = m->indices + 3 * u;
                  gboolean shared = FALSE;
                  for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                      shared |= a[i] == b[j];
                  if (u == t || shared)
                    continue;
                  (*n_pairs)++;
                  for (int e = 0; e < 3; e++)
                    {
                      if (segment_hits (m->positions + 3 * a[e], m->positions + 3 * a[(e + 1) % 3],
                                        m->positions + 3 * b[0], m->positions + 3 * b[1],
                                        m->positions + 3 * b[2]) ||
                          segment_hits (m->positions + 3 * b[e], m->positions + 3 * b[(e + 1) % 3],
                                        m->positions + 3 * a[0], m->positions + 3 * a[1],
                                        m->positions + 3 * a[2]))
                        {
                          hits++;
                          break;
                        }
                    }
                }
            }
    }
  return hits;
}

static void
test_closed (void)
{
  if (!need_data ())
    return;
  for (int upper = 0; upper < 2; upper++)
    for (guint stage = 0; stage < N_STAGES; stage += N_STAGES - 1)
      {
        g_autoptr(OpMesh) m = build (upper, stage, NULL, NULL, NULL);
        g_autofree char *why = NULL;
        guint pairs = 0, hits;
        gboolean ok = op_model_check_closed (m, &why);

        g_test_message ("%s stage %u: %" G_GSIZE_FORMAT " triangles, %.0f mm3", upper ? "upper" : "lower",
                        stage, m->n_triangles, op_mesh_volume (m));
        g_assert_true (ok);
        if (!ok)
          g_test_message ("not closed: %s", why);
        if (!ok && g_getenv ("OP_MODEL_DUMP"))
          {
            guint a = (guint) g_ascii_strtoull (why + 5, NULL, 10);
            g_test_message ("vertex %u at %.3f %.3f %.3f; bounds %.3f %.3f %.3f - %.3f %.3f %.3f", a,
                            m->positions[3 * a], m->positions[3 * a + 1], m->positions[3 * a + 2],
                            m->bbox_min[0], m->bbox_min[1], m->bbox_min[2],
                            m->bbox_max[0], m->bbox_max[1], m->bbox_max[2]);
          }
        g_assert_cmpfloat (op_mesh_volume (m), >, 5000.0);
        hits = count_self_intersections (m, &pairs);
        g_assert_cmpuint (pairs, >, 10000);
        g_assert_cmpuint (hits, ==, 0);
      }

  /* The checker itself catches an open surface and a flipped triangle. */
  {
    g_autoptr(OpMesh) m = build (FALSE, 0, NULL, NULL, NULL);
    g_autofree char *why = NULL;
    guint32 tmp;

    tmp = m->indices[1];
    m->indices[1] = m->indices[2];
    m->indices[2] = tmp;
    g_assert_false (op_model_check_closed (m, &why));
    g_assert_nonnull (why);
    g_clear_pointer (&why, g_free);
    m->n_triangles--;
    memmove (m->indices, m->indices + 3, 3 * m->n_triangles * sizeof (guint32));
    g_assert_false (op_model_check_closed (m, &why));
    g_assert_nonnull (why && strstr (why, "edge") ? why : NULL);
  }
}

/* The hollow base is closed as well, holds less material and its cavity
 * opens through the drain. */
static void
test_hollow (void)
{
  OpModelOptions o;
  g_autoptr(OpMesh) solid = NULL;
  g_autoptr(OpMesh) hollow = NULL;
  g_autofree char *why = NULL;

  if (!need_data ())
    return;
  op_model_options_init (&o);
  solid = build (TRUE, 0, &o, NULL, NULL);
  o.hollow = TRUE;
  hollow = build (TRUE, 0, &o, NULL, NULL);
  g_assert_true (op_model_check_closed (hollow, &why));
  g_assert_cmpfloat (op_mesh_volume (hollow), <, 0.8 * op_mesh_volume (solid));
  g_test_message ("solid %.0f mm3, hollow %.0f mm3", op_mesh_volume (solid), op_mesh_volume (hollow));
}

/* A slice just inside the bottom shows the label: every font pixel that is
 * set is engraved (outside the model), every one that is not, inside. */
static void
test_label (void)
{
  if (!need_data ())
    return;
  for (int upper = 0; upper < 2; upper++)
    {
      OpModelLabelInfo info = { 0 };
      g_autofree char *label = NULL;
      g_autoptr(OpMesh) m = build (upper, 3, NULL, &info, &label);
      g_autoptr(OpBvh) bvh = op_bvh_new_for_mesh (m);
      guint set = 0, right = 0, total = 0;
      float z = (float) (info.bottom_z - info.down * info.engrave_mm / 2);

      g_assert_cmpstr (label, ==, upper ? "P26-U-03" : "P26-L-03");
      g_assert_cmpuint (info.n_columns, ==, strlen (label) * 6 - 1);
      for (guint col = 0; col < info.n_columns; col++)
        for (int row = 0; row < 7; row++)
          {
            guint8 rows[7];
            gboolean on = FALSE, engraved;
            float p[3];

            if (col % 6 != 5 && op_model_glyph (label[col / 6], rows))
              on = (rows[row] & (0x10 >> (col % 6))) != 0;
            p[0] = (float) (info.x0 + info.x_dir * (col + 0.5) * info.glyph_mm);
            p[1] = (float) (info.y0 + (row + 0.5) * info.glyph_mm);
            p[2] = z;
            engraved = !op_bvh_contains (bvh, p);
            set += on;
            right += on == engraved;
            total++;
          }
      g_test_message ("%s: %u of %u label pixels right, %u engraved", label, right, total, set);
      g_assert_cmpuint (set, >, 40);
      g_assert_cmpuint (right, ==, total);
    }
}

static int
cmp_float (gconstpointer a, gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* Distances from the posed crown vertices of the exposed crowns (above
 * the base, away from the contacts, where the union rightly swallows the
 * surface) to the model built with @o: p50, p99 and max. */
static void
crown_distances (gboolean upper, guint stage, const OpModelOptions *o, float out[3])
{
  OpModelLabelInfo info = { 0 };
  g_autoptr(OpMesh) m = build (upper, stage, o, &info, NULL);
  g_autoptr(OpBvh) bvh = op_bvh_new_for_mesh (m);
  g_autoptr(GArray) d = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GPtrArray) posed = g_ptr_array_new_with_free_func ((GDestroyNotify) op_mesh_free);
  g_autoptr(GPtrArray) trees = g_ptr_array_new_with_free_func ((GDestroyNotify) op_bvh_free);
  double top = info.bottom_z - info.down * (o->base_height_mm + 0.5);

  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpTooth *tooth = op_dentition_get (teeth, plan->teeth[t].fdi);
      OpMesh *pm;
      float mat[16];

      if (op_fdi_is_upper (tooth->fdi) != upper)
        continue;
      op_plan_stage_matrix (plan, stage, t, mat);
      pm = op_mesh_copy (tooth->crown);
      op_mesh_transform (pm, mat);
      g_ptr_array_add (posed, pm);
      g_ptr_array_add (trees, op_bvh_new_for_mesh (pm));
    }
  for (guint t = 0; t < posed->len; t++)
    {
      const OpMesh *pm = g_ptr_array_index (posed, t);
      for (gsize v = 0; v < pm->n_vertices; v += 3)
        {
          const float *p = pm->positions + 3 * v;
          gboolean near_other = FALSE;
          OpBvhHit hit;

          if (upper ? p[2] > top : p[2] < top)
            continue;
          for (guint u = 0; u < trees->len && !near_other; u++)
            near_other = u != t && (op_bvh_closest (g_ptr_array_index (trees, u), p, 0.6f, &hit) ||
                                    op_bvh_contains (g_ptr_array_index (trees, u), p));
          if (near_other)
            continue;
          g_assert_true (op_bvh_closest (bvh, p, 5.0f, &hit));
          g_array_append_val (d, hit.distance);
        }
    }
  g_assert_cmpuint (d->len, >, 1000);
  g_array_sort (d, cmp_float);
  out[0] = g_array_index (d, float, d->len / 2);
  out[1] = g_array_index (d, float, d->len * 99 / 100);
  out[2] = g_array_index (d, float, d->len - 1);
  g_test_message ("%s stage %u%s: %u crown vertices, distance to model p50 %.3f p99 %.3f max %.3f mm",
                  upper ? "upper" : "lower", stage, o->grid_crowns ? " (grid only)" : "", d->len, out[0], out[1],
                  out[2]);
}

/* Posed crown vertices of the exposed crowns lie on the model surface:
 * the voxel union alone puts them up to half a voxel diagonal off, and
 * moving the isosurface vertices onto the exact crowns (op-model-snap.c)
 * brings that down to the chords between those vertices.  The plan's
 * attachments are left out here, since the crown surface under a bump is
 * rightly inside the model. */
static void
test_poses (void)
{
  OpModelOptions o, grid;
  g_autoptr(OpPlan) bare = NULL;
  OpPlan *full = plan;
  float snapped[3], unsnapped[3];

  if (!need_data ())
    return;
  bare = op_plan_copy (plan);
  g_array_set_size (bare->attachments, 0);
  plan = bare;
  op_model_options_init (&o);
  for (guint stage = 1; stage < N_STAGES; stage += 3)
    for (int upper = 0; upper < 2; upper++)
      {
        crown_distances (upper, stage, &o, snapped);
        g_assert_cmpfloat (snapped[0], <=, 0.01);
        g_assert_cmpfloat (snapped[1], <=, 0.03);
        g_assert_cmpfloat (snapped[2], <=, 0.1);
      }
  /* Without the snap, the grid's own error, for comparison. */
  op_model_options_init (&grid);
  grid.grid_crowns = TRUE;
  crown_distances (FALSE, 1, &grid, unsnapped);
  crown_distances (FALSE, 1, &o, snapped);
  g_assert_cmpfloat (unsnapped[1], <=, 0.5 * grid.voxel_mm);
  g_assert_cmpfloat (snapped[1], <, unsnapped[1] / 3);
  plan = full;
}

/* Attachments bonded at stage 2 are on the models from stage 3 on, and
 * all of them on the stage 0 template; removing them from the plan takes
 * them off again.  The bump adds about its own volume. */
static void
test_attachments (void)
{
  OpModelOptions o;
  g_autoptr(OpPlan) bare = NULL;
  double with3, without3, at2, bare2, tmpl, plain0, box = 3.0 * 2.0 * 1.0;

  if (!need_data ())
    return;
  op_model_options_init (&o);
  bare = op_plan_copy (plan);
  g_array_set_size (bare->attachments, 0);

#define VOLUME(p, st, opts) ({ g_autoptr(GError) e = NULL; \
      g_autoptr(OpMesh) mm = op_model_build (teeth, (p), TRUE, (st), "X", (opts), NULL, &e); \
      g_assert_no_error (e); mm ? op_mesh_volume (mm) : 0.0; })
  with3 = VOLUME (plan, 3, &o);
  without3 = VOLUME (bare, 3, &o);
  at2 = VOLUME (plan, 2, &o);
  bare2 = VOLUME (bare, 2, &o);
  plain0 = VOLUME (plan, 0, &o);
  o.all_attachments = TRUE;
  tmpl = VOLUME (plan, 0, &o);
#undef VOLUME
  g_test_message ("upper: stage 3 with %.1f, without %.1f; stage 2 %.1f / %.1f; template %.1f vs %.1f mm3",
                  with3, without3, at2, bare2, tmpl, plain0);
  g_assert_cmpfloat (with3 - without3, >, 0.3 * box);
  g_assert_cmpfloat (with3 - without3, <, 2.5 * box);
  g_assert_cmpfloat (fabs (at2 - bare2), <, 0.01);
  g_assert_cmpfloat (tmpl - plain0, >, 0.3 * box);
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  OpModelOptions o;
  OpMesh *m;
  g_autoptr(OpDentition) empty = op_dentition_new ();

  if (!need_data ())
    return;
  op_model_options_init (&o);
  o.voxel_mm = 0.01;
  m = op_model_build (teeth, plan, TRUE, 0, "X", &o, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  m = op_model_build (teeth, plan, TRUE, N_STAGES, "X", NULL, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID);
  if (error)
    g_assert_nonnull (strstr (error->message, "stage 6"));
  g_clear_error (&error);
  m = op_model_build (empty, plan, FALSE, 0, "X", NULL, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_NO_TEETH);
  g_clear_error (&error);
  op_model_options_init (&o);
  o.base_height_mm = 1.0;
  m = op_model_build (teeth, plan, FALSE, 0, "X", &o, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID);
}

/* The trim line: one buccal and one lingual point per tooth, all at the
 * offset above the base top, on the crowns (within a voxel of the model
 * surface), the buccal points outside the lingual ones. */
static void
test_trim_line (void)
{
  OpModelOptions o;
  OpModelLabelInfo info = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(OpMesh) m = NULL;
  g_autoptr(OpBvh) bvh = NULL;
  g_autofree float *line = NULL;
  gsize n = 0;
  guint n_lower = 0, outside = 0;
  double z, cx = 0, cy = 0;

  if (!need_data ())
    return;
  op_model_options_init (&o);
  m = build (FALSE, 2, &o, &info, NULL);
  bvh = op_bvh_new_for_mesh (m);
  line = op_model_trim_line (teeth, plan, FALSE, 2, 1.0, &n, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  if (line == NULL)
    return;
  for (guint t = 0; t < plan->n_teeth; t++)
    n_lower += !op_fdi_is_upper (plan->teeth[t].fdi);
  g_assert_cmpuint (n, ==, 2 * n_lower);
  z = info.bottom_z - info.down * (o.base_height_mm + 1.0);
  for (gsize i = 0; i < n; i++)
    {
      OpBvhHit hit;
      g_assert_cmpfloat (fabs (line[3 * i + 2] - z), <, 1e-3);
      g_assert_true (op_bvh_closest (bvh, line + 3 * i, 5.0f, &hit));
      g_assert_cmpfloat (hit.distance, <=, o.voxel_mm);
      cx += line[3 * i] / n;
      cy += line[3 * i + 1] / n;
    }
  for (gsize i = 0; i < n / 2; i++)
    {
      const float *b = line + 3 * i, *l = line + 3 * (n - 1 - i);
      outside += hypot (b[0] - cx, b[1] - cy) > hypot (l[0] - cx, l[1] - cy);
    }
  g_test_message ("trim line: %" G_GSIZE_FORMAT " points, %u of %" G_GSIZE_FORMAT " buccal points outside their lingual",
                  n, outside, n / 2);
  g_assert_cmpuint (outside, ==, n / 2);
  g_clear_pointer (&line, g_free);
  line = op_model_trim_line (teeth, plan, FALSE, N_STAGES, 1.0, &n, &error);
  g_assert_null (line);
  g_assert_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID);
}

/* The same inputs give the same bytes. */
static void
test_deterministic (void)
{
  if (!need_data ())
    return;
  {
    g_autoptr(OpMesh) a = build (FALSE, 4, NULL, NULL, NULL);
    g_autoptr(OpMesh) b = build (FALSE, 4, NULL, NULL, NULL);
    g_assert_cmpuint (a->n_triangles, ==, b->n_triangles);
    g_assert_cmpuint (a->n_vertices, ==, b->n_vertices);
    if (a->n_vertices == b->n_vertices && a->n_triangles == b->n_triangles)
      {
        g_assert_cmpmem (a->positions, 12 * a->n_vertices, b->positions, 12 * b->n_vertices);
        g_assert_cmpmem (a->indices, 12 * a->n_triangles, b->indices, 12 * b->n_triangles);
      }
  }
}

/* A model built with posed teeth from the cache (filled by other stages
 * and by the same stage before) is the same bytes as one built without
 * it; teeth that do not move between stages are found in the cache, and
 * the one that moves is not. */
static void
test_cache (void)
{
  g_autoptr(OpModelCache) cache = op_model_cache_new (0);
  OpModelOptions with, without;
  guint hits = 0, misses = 0, n_upper = 0;

  if (!need_data ())
    return;
  op_model_options_init (&with);
  op_model_options_init (&without);
  with.cache = cache;
  for (guint t = 0; t < plan->n_teeth; t++)
    n_upper += op_fdi_is_upper (plan->teeth[t].fdi);
  for (guint stage = 3; stage <= 5; stage++)
    {
      g_autoptr(OpMesh) a = build (TRUE, stage, &with, NULL, NULL);
      g_autoptr(OpMesh) b = build (TRUE, stage, &without, NULL, NULL);

      g_assert_cmpuint (a->n_triangles, ==, b->n_triangles);
      g_assert_cmpuint (a->n_vertices, ==, b->n_vertices);
      if (a->n_vertices == b->n_vertices && a->n_triangles == b->n_triangles)
        {
          g_assert_cmpmem (a->positions, 12 * a->n_vertices, b->positions, 12 * b->n_vertices);
          g_assert_cmpmem (a->indices, 12 * a->n_triangles, b->indices, 12 * b->n_triangles);
        }
    }
  op_model_cache_get_stats (cache, &hits, &misses);
  /* Stage 3 makes every upper tooth; stages 4 and 5 find all but 11,
   * which moves at every stage. */
  g_test_message ("cache over 3 stages of %u upper teeth: %u hits, %u made", n_upper, hits, misses);
  g_assert_cmpuint (misses, ==, n_upper + 2);
  g_assert_cmpuint (hits, ==, 2 * (n_upper - 1));
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  model_data_load (N_STAGES, &teeth, &plan);
  g_test_add_func ("/planner/model/closed", test_closed);
  g_test_add_func ("/planner/model/hollow", test_hollow);
  g_test_add_func ("/planner/model/label", test_label);
  g_test_add_func ("/planner/model/poses", test_poses);
  g_test_add_func ("/planner/model/attachments", test_attachments);
  g_test_add_func ("/planner/model/trim-line", test_trim_line);
  g_test_add_func ("/planner/model/bad-input", test_bad_input);
  g_test_add_func ("/planner/model/deterministic", test_deterministic);
  g_test_add_func ("/planner/model/cache", test_cache);
  rc = g_test_run ();
  g_clear_pointer (&teeth, op_dentition_free);
  g_clear_pointer (&plan, op_plan_free);
  return rc;
}
