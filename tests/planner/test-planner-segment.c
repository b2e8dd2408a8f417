/* Tests for segmentation, its evaluation and the phantom arches built from
 * the real teeth of ../shared/data/open-full-jaw-p26. */
#include <math.h>
#include <string.h>

#include "op-linalg.h"
#include "op-phantom.h"
#include "op-segment-eval.h"
#include "op-segment.h"
#include "test-segment-data.h"

static GPtrArray *upper_teeth, *lower_teeth;

static GPtrArray *
teeth_or_skip (gboolean upper)
{
  GPtrArray **slot = upper ? &upper_teeth : &lower_teeth;

  if (*slot == NULL)
    {
      g_autoptr(GError) error = NULL;
      *slot = test_segment_load_teeth (upper, &error);
      if (*slot == NULL)
        g_test_skip (error->message);
    }
  return *slot;
}

static OpPhantom *
make_phantom (gboolean upper, const OpPhantomOptions *o)
{
  GPtrArray *teeth = teeth_or_skip (upper);
  g_autoptr(GError) error = NULL;
  OpPhantom *ph;

  if (teeth == NULL)
    return NULL;
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, o, &error);
  g_assert_no_error (error);
  return ph;
}

/* ---- evaluation on hand-made labels --------------------------------- */

static void
test_eval_hand (void)
{
  /* Tooth 11: truth 4 vertices, prediction 3 of them plus 1 gingiva
   * vertex -> IoU 3/5, F1 6/8.  Tooth 12: exact (IoU 1).  Tooth 13:
   * predicted on 2 gingiva vertices, absent in the truth -> F1 0. */
  const gint32 truth[] = { 11, 11, 11, 11, 0, 12, 12, 0, 0, 0 };
  const gint32 pred[]  = { 11, 11, 11, 0, 11, 12, 12, 13, 13, 0 };
  OpSegmentScore s;
  g_autoptr(GError) error = NULL;

  g_assert_true (op_segment_evaluate (truth, pred, G_N_ELEMENTS (truth), &s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.n_teeth, ==, 3);
  g_assert_cmpuint (s.n_truth_teeth, ==, 2);
  g_assert_cmpint (s.teeth[0].fdi, ==, 11);
  g_assert_cmpfloat_with_epsilon (s.teeth[0].iou, 3.0 / 5.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.teeth[0].f1, 6.0 / 8.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.teeth[1].iou, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.teeth[2].f1, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.tsa, (0.75 + 1.0 + 0.0) / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.tir, 1.0, 1e-12);   /* 0.6 and 1.0 are >= 0.5 */
  op_segment_score_clear (&s);

  /* A wrong number: the right vertices under 21 instead of 11 identify
   * nothing. */
  {
    const gint32 t2[] = { 11, 11, 0 }, p2[] = { 21, 21, 0 };
    g_assert_true (op_segment_evaluate (t2, p2, 3, &s, NULL));
    g_assert_cmpfloat_with_epsilon (s.tir, 0.0, 1e-12);
    g_assert_cmpfloat_with_epsilon (s.tsa, 0.0, 1e-12);
    op_segment_score_clear (&s);
  }
}

static void
test_eval_errors (void)
{
  const gint32 truth[] = { 11, 19, 0 }, pred[] = { 11, 11, 0 }, zeros[] = { 0, 0, 0 };
  OpSegmentScore s;
  g_autoptr(GError) error = NULL;

  g_assert_false (op_segment_evaluate (truth, pred, 3, &s, &error));
  g_assert_error (error, OP_SEGMENT_EVAL_ERROR, OP_SEGMENT_EVAL_ERROR_LABEL);
  g_assert_nonnull (strstr (error->message, "vertex 1"));
  g_clear_error (&error);
  g_assert_false (op_segment_evaluate (zeros, pred, 3, &s, &error));
  g_assert_error (error, OP_SEGMENT_EVAL_ERROR, OP_SEGMENT_EVAL_ERROR_NO_TEETH);
}

/* ---- bad input ------------------------------------------------------- */

static OpMesh *
make_sphere (float radius, int n)
{
  OpMesh *m = op_mesh_new ((gsize) (n + 1) * (n + 1), (gsize) 2 * n * n, OP_MESH_ATTR_NONE);
  gsize t = 0;

  for (int i = 0; i <= n; i++)
    for (int j = 0; j <= n; j++)
      {
        float th = (float) G_PI * i / n, ph = 2.f * (float) G_PI * j / n;
        float *p = &m->positions[3 * (i * (n + 1) + j)];
        p[0] = radius * sinf (th) * cosf (ph);
        p[1] = radius * sinf (th) * sinf (ph);
        p[2] = radius * cosf (th);
      }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      {
        guint32 a = i * (n + 1) + j, b = a + 1, c = a + n + 1, d = c + 1;
        guint32 q[6] = { a, c, b, b, c, d };
        memcpy (&m->indices[3 * t], q, sizeof q);
        t += 2;
      }
  op_mesh_compute_bounds (m);
  return m;
}

static OpMesh *
make_plate (float w, float d, float thick, int n)
{
  /* A grid top at +thick, the same grid at 0; only the two faces (the
   * thinness is what matters). */
  OpMesh *m = op_mesh_new ((gsize) 2 * (n + 1) * (n + 1), (gsize) 4 * n * n, OP_MESH_ATTR_NONE);
  gsize t = 0;

  for (int s = 0; s < 2; s++)
    for (int i = 0; i <= n; i++)
      for (int j = 0; j <= n; j++)
        {
          float *p = &m->positions[3 * (s * (n + 1) * (n + 1) + i * (n + 1) + j)];
          p[0] = w * i / n;
          p[1] = d * j / n;
          p[2] = s ? thick : 0.f;
        }
  for (int s = 0; s < 2; s++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        {
          guint32 o = s * (n + 1) * (n + 1), a = o + i * (n + 1) + j, b = a + 1, c = a + n + 1, e = c + 1;
          guint32 q[6] = { a, c, b, b, c, e };
          memcpy (&m->indices[3 * t], q, sizeof q);
          t += 2;
        }
  op_mesh_compute_bounds (m);
  return m;
}

static void
expect_failure (const OpMesh *mesh, int code, const char *word)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpSegmentation) seg = op_segment (mesh, NULL, NULL, &error);

  g_assert_null (seg);
  g_assert_error (error, OP_SEGMENT_ERROR, code);
  if (error)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, word));
    }
}

static void
test_bad_input (void)
{
  g_autoptr(OpMesh) empty = op_mesh_new (0, 0, OP_MESH_ATTR_NONE);
  g_autoptr(OpMesh) sphere = make_sphere (25.f, 48);
  g_autoptr(OpMesh) plate = make_plate (60.f, 50.f, 1.5f, 40);
  GPtrArray *teeth;

  expect_failure (empty, OP_SEGMENT_ERROR_EMPTY, "empty");
  expect_failure (sphere, OP_SEGMENT_ERROR_NOT_A_JAW, "not a dental arch");
  expect_failure (plate, OP_SEGMENT_ERROR_FLAT, "flat");

  /* One real tooth (crown and root): the size of a tooth. */
  teeth = teeth_or_skip (TRUE);
  if (teeth)
    expect_failure (((OpTooth *) g_ptr_array_index (teeth, 7))->crown, OP_SEGMENT_ERROR_SINGLE_TOOTH, "single tooth");

  /* A real phantom arch in metres: detected by size, with the factor. */
  {
    OpPhantomOptions o = { .seed = 5 };
    g_autoptr(OpPhantom) ph = make_phantom (FALSE, &o);
    if (ph)
      {
        g_autoptr(OpMesh) metres = op_mesh_copy (ph->mesh);
        for (gsize i = 0; i < 3 * metres->n_vertices; i++)
          metres->positions[i] *= 0.001f;
        g_assert_cmpfloat (op_segment_suggest_scale (metres), ==, 1000.f);
        g_assert_cmpfloat (op_segment_suggest_scale (ph->mesh), ==, 1.f);
        expect_failure (metres, OP_SEGMENT_ERROR_UNITS, "metres");
        /* The size in the message is the one measured, in the file's
         * units, even when the caller left the mesh's stored bounds in
         * millimetres (as this copy does). */
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(OpSegmentation) none = op_segment (metres, NULL, NULL, &error);
          g_assert_null (none);
          g_assert_nonnull (error);
          if (error)
            g_assert_nonnull (strstr (error->message, "only 0.1"));
        }
      }
  }
}

/* ---- phantoms -------------------------------------------------------- */

static void
test_phantom_deterministic (void)
{
  OpPhantomOptions o = { .seed = 42, .noise_mm = 0.03f, .random_pose = TRUE, .rotate_deg = 8.f };
  g_autoptr(OpPhantom) a = make_phantom (TRUE, &o);
  g_autoptr(OpPhantom) b = NULL;
  gsize n_tooth = 0;

  if (a == NULL)
    return;
  b = make_phantom (TRUE, &o);
  g_assert_cmpuint (a->mesh->n_vertices, ==, b->mesh->n_vertices);
  g_assert_cmpuint (a->mesh->n_triangles, ==, b->mesh->n_triangles);
  g_assert_cmpmem (a->mesh->positions, 12 * a->mesh->n_vertices, b->mesh->positions, 12 * b->mesh->n_vertices);
  g_assert_cmpmem (a->mesh->labels, 4 * a->mesh->n_vertices, b->mesh->labels, 4 * b->mesh->n_vertices);
  /* Every label is gingiva or one of the teeth given, all upper. */
  for (gsize v = 0; v < a->mesh->n_vertices; v++)
    if (a->mesh->labels[v] != 0)
      {
        g_assert_true (op_fdi_is_valid (a->mesh->labels[v]) && op_fdi_is_upper (a->mesh->labels[v]));
        n_tooth++;
      }
  g_assert_cmpuint (n_tooth, >, a->mesh->n_vertices / 5);
  g_assert_cmpuint (n_tooth, <, a->mesh->n_vertices);
  g_assert_cmpuint (a->n_teeth, ==, 15);
}

static void
test_phantom_missing_and_cast (void)
{
  const int missing[] = { 36, 41 };
  OpPhantomOptions o = { .seed = 3, .missing = missing, .n_missing = 2, .cast_base = TRUE };
  g_autoptr(OpPhantom) ph = make_phantom (FALSE, &o);
  gboolean seen[100] = { FALSE };

  if (ph == NULL)
    return;
  for (gsize v = 0; v < ph->mesh->n_vertices; v++)
    seen[ph->mesh->labels[v]] = TRUE;
  g_assert_false (seen[36]);
  g_assert_false (seen[41]);
  g_assert_true (seen[37] && seen[42]);
  g_assert_cmpuint (ph->n_teeth, ==, 14);
  /* A cast is closed and faces outwards: its volume is positive and
   * close to that of a real lower model (tens of cm^3). */
  g_assert_cmpfloat (op_mesh_volume (ph->mesh), >, 10000.0);
}

static float
angle_deg (const float a[3], const float b[3])
{
  float d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return acosf (CLAMP (d, -1.f, 1.f)) * 180.f / (float) G_PI;
}

typedef struct {
  double tsa_sum;
  guint  n_variants, n_failed, n_misnumbered, n_frames, n_frames_ok, n_jaw_wrong;
  double tsa_min;
} Tally;

static void
run_variant (gboolean upper, guint k, Tally *tally)
{
  const int missing_u[] = { 14, 22, 17 }, missing_l[] = { 35, 46, 32 };
  OpPhantomOptions o = {
    .seed = 1000 + 17 * k + (upper ? 500 : 0),
    .noise_mm = 0.02f + 0.01f * (k % 3),
    .voxel_mm = k % 5 == 4 ? 0.25f : 0.3f,
    .cast_base = k % 2 == 1,
    .random_pose = k > 0,
    .spacing_mm = k % 4 == 2 ? 0.8f : k % 4 == 3 ? -0.4f : 0.f,
    .rotate_deg = k % 4 == 3 ? 10.f : 0.f,
    .shift_mm = k % 4 == 3 ? 0.6f : 0.f,
    .missing = upper ? missing_u : missing_l,
    .n_missing = k % 3 == 2 ? 2 : k % 7 == 6 ? 3 : 0,
  };
  g_autoptr(OpPhantom) ph = make_phantom (upper, &o);
  g_autoptr(OpSegmentation) seg = NULL;
  g_autoptr(GError) error = NULL;
  OpSegmentScore score;
  guint wrong = 0;

  if (ph == NULL)
    return;
  seg = op_segment (ph->mesh, NULL, NULL, &error);
  tally->n_variants++;
  if (seg == NULL)
    {
      g_test_message ("%s variant %u: %s", upper ? "upper" : "lower", k, error->message);
      tally->n_failed++;
      return;
    }
  g_assert_cmpuint (seg->n_vertices, ==, ph->mesh->n_vertices);
  g_assert_true (op_segment_evaluate (ph->mesh->labels, seg->labels, seg->n_vertices, &score, NULL));
  if (seg->upper != upper)
    tally->n_jaw_wrong++;
  for (guint i = 0; i < score.n_teeth; i++)
    {
      if (score.teeth[i].n_truth > 0 && score.teeth[i].iou < 0.5)
        wrong++;
      g_test_message ("  %s variant %u tooth %d: IoU %.3f, F1 %.3f", upper ? "upper" : "lower", k,
                      score.teeth[i].fdi, score.teeth[i].iou, score.teeth[i].f1);
    }
  if (wrong)
    tally->n_misnumbered++;
  for (guint i = 0; i < ph->n_teeth; i++)
    {
      const OpPhantomTooth *pt = &ph->teeth[i];
      const OpTooth *t = op_dentition_get (seg->dentition, pt->fdi);
      if (!pt->has_frame || t == NULL || !t->has_frame)
        continue;
      tally->n_frames++;
      g_test_message ("  %s variant %u tooth %d: frame off by %.1f (long axis), %.1f (mesial), %.1f (buccal) deg",
                      upper ? "upper" : "lower", k, pt->fdi, angle_deg (t->frame.occlusal, pt->frame.occlusal),
                      angle_deg (t->frame.mesial, pt->frame.mesial), angle_deg (t->frame.buccal, pt->frame.buccal));
      if (angle_deg (t->frame.occlusal, pt->frame.occlusal) <= 10.f &&
          angle_deg (t->frame.mesial, pt->frame.mesial) <= 10.f &&
          angle_deg (t->frame.buccal, pt->frame.buccal) <= 10.f)
        tally->n_frames_ok++;
    }
  /* Every crown is closed: each edge is used by exactly two triangles. */
  for (guint i = 0; i < seg->dentition->teeth->len; i++)
    {
      const OpMesh *c = ((OpTooth *) g_ptr_array_index (seg->dentition->teeth, i))->crown;
      g_autoptr(GHashTable) count = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      GHashTableIter it;
      gpointer value;
      guint open = 0;
      /* +1 for a -> b with a < b, -1 for the other way: a closed,
       * consistently oriented surface sums to zero on every edge, even
       * where more than two triangles share one. */
      for (gsize e = 0; e < 3 * c->n_triangles; e++)
        {
          guint32 a = c->indices[e], b = c->indices[e - e % 3 + (e % 3 + 1) % 3];
          gint64 key = ((gint64) MIN (a, b) << 32) | MAX (a, b);
          int cur = GPOINTER_TO_INT (g_hash_table_lookup (count, &key));
          g_hash_table_replace (count, g_memdup2 (&key, sizeof key), GINT_TO_POINTER (cur + (a < b ? 1 : -1)));
        }
      g_hash_table_iter_init (&it, count);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (GPOINTER_TO_INT (value) != 0)
          open++;
      g_assert_cmpuint (open, ==, 0);
    }
  g_test_message ("%s variant %u: %" G_GSIZE_FORMAT " triangles, TSA %.3f, TIR %.3f, %u teeth found, %u misnumbered",
                  upper ? "upper" : "lower", k, ph->mesh->n_triangles, score.tsa, score.tir,
                  seg->dentition->teeth->len, wrong);
  tally->tsa_sum += score.tsa;
  tally->tsa_min = MIN (tally->tsa_min, score.tsa);
  op_segment_score_clear (&score);
}

static void
test_phantom_suite (void)
{
  Tally tally = { .tsa_min = 1.0 };
  double mean;

  for (guint k = 0; k < 11; k++)
    {
      run_variant (FALSE, k, &tally);
      run_variant (TRUE, k, &tally);
    }
  if (tally.n_variants == 0)
    return;
  g_assert_cmpuint (tally.n_variants, >=, 20);
  mean = tally.tsa_sum / MAX (tally.n_variants - tally.n_failed, 1);
  g_test_message ("%u variants: %u failed, mean TSA %.3f (min %.3f), %u with a misnumbered tooth, "
                  "%u jaws wrong, frames within 10 deg %u/%u",
                  tally.n_variants, tally.n_failed, mean, tally.tsa_min, tally.n_misnumbered,
                  tally.n_jaw_wrong, tally.n_frames_ok, tally.n_frames);
  g_printerr ("# segmentation on %u phantoms: mean TSA %.3f, min %.3f, misnumbered %u, jaw wrong %u, "
              "frames within 10 deg %u/%u, failed %u\n",
              tally.n_variants, mean, tally.tsa_min, tally.n_misnumbered, tally.n_jaw_wrong,
              tally.n_frames_ok, tally.n_frames, tally.n_failed);
  /* Reached: every variant segments, in the right jaw, with no hint. */
  g_assert_cmpuint (tally.n_failed, ==, 0);
  g_assert_cmpuint (tally.n_jaw_wrong, ==, 0);
  /* Not targets but floors against regressions: the mean was 0.947 and
   * the worst variant 0.904 when these lines were written (0.925 before
   * low third molars were looked for beyond the last high crown), 14
   * variants had a misnumbered tooth (all 22 before) and 145 of 300
   * frames were within 10 degrees (63 of 291 before the mesial axis took
   * its side from the tooth's number, the long axis came from the gum
   * line alone and the mesial axis from the neighbours and the incisal
   * edges); the programme is deterministic. */
  g_assert_cmpfloat (mean, >=, 0.94);
  g_assert_cmpfloat (tally.tsa_min, >=, 0.90);
  g_assert_cmpuint (tally.n_misnumbered, <=, 14);
  g_assert_cmpuint (tally.n_frames_ok, >=, 145);
  /* The targets of issue 3 not reached yet: the test says so as a
   * known-incomplete result (TAP "# TODO") with the numbers, rather than
   * hiding them or failing the whole suite on work in progress. */
  if (mean < 0.95 || tally.tsa_min < 0.95 || tally.n_misnumbered > 0 || tally.n_frames_ok < tally.n_frames)
    {
      g_autofree char *msg = g_strdup_printf ("targets not met: mean TSA %.3f, min TSA %.3f (>= 0.95 wanted), "
                                              "%u variants misnumbered, frames %u/%u within 10 deg",
                                              mean, tally.tsa_min, tally.n_misnumbered, tally.n_frames_ok,
                                              tally.n_frames);
      g_test_incomplete (msg);
    }
}

/* ---- gingiva deformation --------------------------------------------- */

static void
test_gingiva_deform (void)
{
  OpPhantomOptions o = { .seed = 9 };
  g_autoptr(OpPhantom) ph = make_phantom (FALSE, &o);
  g_autoptr(OpSegmentation) seg = NULL;
  g_autofree float *tr = NULL;
  g_autofree float *out = NULL;
  const OpMesh *g;
  guint nt;
  gsize moved = 0, still = 0;

  if (ph == NULL)
    return;
  seg = op_segment (ph->mesh, NULL, NULL, NULL);
  g_assert_nonnull (seg);
  if (seg == NULL)
    return;
  g = seg->dentition->gingiva_lower;
  g_assert_nonnull (g);
  nt = seg->dentition->teeth->len;
  g_assert_cmpuint (nt, >, 0);
  tr = g_new (float, 16 * nt);
  out = g_new (float, 3 * g->n_vertices);
  for (guint t = 0; t < nt; t++)
    op_mat4_identity (&tr[16 * t]);
  op_gingiva_deform (g, seg->dentition, tr, 4.f, out);
  g_assert_cmpmem (out, 12 * g->n_vertices, g->positions, 12 * g->n_vertices);

  /* Move only the first tooth 1 mm along its buccal axis: gingiva at its
   * crown follows by up to 1 mm, gingiva far from it stays. */
  {
    const OpTooth *t0 = g_ptr_array_index (seg->dentition->teeth, 0);
    for (int k = 0; k < 3; k++)
      tr[12 + k] = t0->frame.buccal[k];
    op_gingiva_deform (g, seg->dentition, tr, 4.f, out);
    for (gsize v = 0; v < g->n_vertices; v++)
      {
        float d[3], dist = 0, mv = 0;
        for (int k = 0; k < 3; k++)
          {
            d[k] = g->positions[3 * v + k] - t0->frame.origin[k];
            dist += d[k] * d[k];
            mv += (out[3 * v + k] - g->positions[3 * v + k]) * (out[3 * v + k] - g->positions[3 * v + k]);
          }
        dist = sqrtf (dist);
        mv = sqrtf (mv);
        g_assert_cmpfloat (mv, <=, 1.0001f);
        if (dist > 0.5f * t0->width + 4.5f)
          {
            g_assert_cmpfloat (mv, <, 1e-6f);
            still++;
          }
        else if (mv > 0.2f)
          moved++;
      }
    g_assert_cmpuint (moved, >, 50);
    g_assert_cmpuint (still, >, g->n_vertices / 2);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/segment/eval/hand", test_eval_hand);
  g_test_add_func ("/planner/segment/eval/errors", test_eval_errors);
  g_test_add_func ("/planner/segment/bad-input", test_bad_input);
  g_test_add_func ("/planner/segment/phantom/deterministic", test_phantom_deterministic);
  g_test_add_func ("/planner/segment/phantom/missing-and-cast", test_phantom_missing_and_cast);
  g_test_add_func ("/planner/segment/gingiva/deform", test_gingiva_deform);
  g_test_add_func ("/planner/segment/phantom/suite", test_phantom_suite);
  return g_test_run ();
}
