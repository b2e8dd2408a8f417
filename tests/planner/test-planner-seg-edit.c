/* Tests for correcting segmentation labels (planner/op-seg-edit), on
 * phantom arches built from the real teeth of
 * ../shared/data/open-full-jaw-p26, whose phantom labels are the truth. */
#include <math.h>
#include <string.h>

#include "op-phantom.h"
#include "op-seg-edit.h"
#include "op-segment-eval.h"
#include "test-segment-data.h"

typedef struct {
  OpPhantom      *phantom;
  OpSegAdjacency *adjacency;
} Arch;

static Arch arches[2];   /* [0] lower, [1] upper */
static gboolean arch_tried[2];

/* One phantom per jaw for the whole program: building one takes a few
 * seconds and no test changes it. */
static const Arch *
arch_or_skip (gboolean upper)
{
  Arch *a = &arches[upper ? 1 : 0];

  if (!arch_tried[upper ? 1 : 0])
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) teeth = NULL;
      OpPhantomOptions o = { .seed = 7, .noise_mm = 0.02f, .voxel_mm = 0.35f };

      arch_tried[upper ? 1 : 0] = TRUE;
      teeth = test_segment_load_teeth (upper, &error);
      if (teeth)
        {
          a->phantom = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
          g_assert_no_error (error);
          if (a->phantom)
            a->adjacency = op_seg_adjacency_new (a->phantom->mesh);
        }
      else
        g_test_message ("%s", error->message);
    }
  if (a->phantom == NULL)
    {
      g_test_skip ("the real teeth are not available (set OP_SHARED_DATA)");
      return NULL;
    }
  return a;
}

static gint32 *
copy_labels (const Arch *a)
{
  return g_memdup2 (a->phantom->mesh->labels, a->phantom->mesh->n_vertices * sizeof (gint32));
}

static gsize
count_label (const gint32 *labels, gsize n, int label)
{
  gsize k = 0;
  for (gsize v = 0; v < n; v++)
    k += labels[v] == label;
  return k;
}

static void
centroid (const OpMesh *m, const gint32 *labels, int label, float out[3])
{
  double s[3] = { 0 };
  gsize k = 0;

  for (gsize v = 0; v < m->n_vertices; v++)
    if (labels[v] == label)
      {
        for (int i = 0; i < 3; i++)
          s[i] += m->positions[3 * v + i];
        k++;
      }
  for (int i = 0; i < 3; i++)
    out[i] = k ? (float) (s[i] / k) : 0.f;
}

/* The F1 of tooth @fdi in @pred against the phantom's truth. */
static double
tooth_f1 (const Arch *a, const gint32 *pred, int fdi)
{
  OpSegmentScore s;
  g_autoptr(GError) error = NULL;
  double f1 = -1.0;

  g_assert_true (op_segment_evaluate (a->phantom->mesh->labels, pred, a->phantom->mesh->n_vertices, &s, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < s.n_teeth; i++)
    if (s.teeth[i].fdi == fdi)
      f1 = s.teeth[i].f1;
  op_segment_score_clear (&s);
  return f1;
}

static void
test_adjacency (void)
{
  const Arch *a = arch_or_skip (TRUE);
  const OpSegAdjacency *adj;
  gsize bad = 0, total = 0;

  if (a == NULL)
    return;
  adj = a->adjacency;
  g_assert_cmpuint (adj->n_vertices, ==, a->phantom->mesh->n_vertices);
  for (gsize v = 0; v < adj->n_vertices; v++)
    for (gsize k = adj->offsets[v]; k < adj->offsets[v + 1]; k++)
      {
        guint32 w = adj->neighbours[k];
        gboolean back = FALSE;

        total++;
        if (w == v || (k > adj->offsets[v] && adj->neighbours[k - 1] >= w))
          bad++;   /* a self loop, or a row not sorted and unique */
        for (gsize j = adj->offsets[w]; j < adj->offsets[w + 1]; j++)
          back |= adj->neighbours[j] == v;
        bad += !back;
      }
  g_assert_cmpuint (bad, ==, 0);
  /* A closed or nearly closed triangle surface has about 6 neighbours a
   * vertex. */
  g_assert_cmpfloat ((double) total / adj->n_vertices, >, 5.0);
  g_assert_cmpfloat ((double) total / adj->n_vertices, <, 7.0);
}

static void
test_labels_check (void)
{
  const gint32 ok[] = { 0, 11, 21, 18, 55 }, lower_in_upper[] = { 0, 11, 36, 0 }, junk[] = { 0, 19 };
  int fdi[8];
  gsize counts[8];
  g_autoptr(GError) error = NULL;

  g_assert_true (op_seg_labels_check (ok, G_N_ELEMENTS (ok), TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (op_seg_labels_check (ok, G_N_ELEMENTS (ok), FALSE, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  g_clear_error (&error);
  g_assert_false (op_seg_labels_check (lower_in_upper, G_N_ELEMENTS (lower_in_upper), TRUE, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  if (error)
    g_assert_nonnull (strstr (error->message, "vertex 2"));
  g_clear_error (&error);
  g_assert_false (op_seg_labels_check (junk, 2, TRUE, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);

  g_assert_cmpuint (op_seg_labels_teeth (ok, G_N_ELEMENTS (ok), fdi, counts, 8), ==, 4);
  g_assert_cmpint (fdi[0], ==, 11);
  g_assert_cmpint (fdi[1], ==, 18);
  g_assert_cmpint (fdi[2], ==, 21);
  g_assert_cmpint (fdi[3], ==, 55);
  g_assert_cmpuint (counts[0], ==, 1);
  /* With too little room it still says how many there are. */
  g_assert_cmpuint (op_seg_labels_teeth (ok, G_N_ELEMENTS (ok), fdi, NULL, 2), ==, 4);
}

static void
test_reassign (void)
{
  const Arch *a = arch_or_skip (TRUE);
  g_autofree gint32 *labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpSegChange) change = NULL;
  gsize n, n27;

  if (a == NULL)
    return;
  n = a->phantom->mesh->n_vertices;
  labels = copy_labels (a);
  n27 = count_label (labels, n, 27);
  g_assert_cmpuint (n27, >, 500);
  g_assert_cmpuint (count_label (labels, n, 28), ==, 0);   /* Universal 16 is missing */

  /* The real second molar was found as 27 but is, say, 28: renumbered. */
  change = op_seg_reassign (labels, n, TRUE, 27, 28, &error);
  g_assert_no_error (error);
  g_assert_nonnull (change);
  if (change == NULL)
    return;
  g_assert_cmpuint (change->n_vertices, ==, n27);
  g_assert_nonnull (strstr (change->description, "27 -> 28"));
  g_assert_true (op_seg_change_apply (change, labels, n));
  g_assert_cmpuint (count_label (labels, n, 27), ==, 0);
  g_assert_cmpuint (count_label (labels, n, 28), ==, n27);
  for (gsize v = 0; v < n; v++)
    if (a->phantom->mesh->labels[v] != 27 && labels[v] != a->phantom->mesh->labels[v])
      {
        g_assert_cmpuint (v, ==, G_MAXSIZE);   /* nothing else moved */
        break;
      }
  g_assert_true (op_seg_change_revert (change, labels, n));
  g_assert_cmpmem (labels, n * sizeof *labels, a->phantom->mesh->labels, n * sizeof *labels);

  /* Into a number in use: refused, naming it, suggesting a merge. */
  g_assert_null (op_seg_reassign (labels, n, TRUE, 26, 27, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_DUPLICATE);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, "27"));
      g_assert_nonnull (strstr (error->message, "merge"));
    }
  g_clear_error (&error);
  /* A lower tooth's number on the upper jaw, and no FDI number at all. */
  g_assert_null (op_seg_reassign (labels, n, TRUE, 26, 36, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  g_clear_error (&error);
  g_assert_null (op_seg_reassign (labels, n, TRUE, 26, 19, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  g_clear_error (&error);
  /* A tooth that is not there. */
  g_assert_null (op_seg_reassign (labels, n, TRUE, 28, 17, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT);
  g_clear_error (&error);
  /* Lower jaw: 38 renumbered to a primary lower molar works, to an
   * upper one does not. */
  {
    const Arch *l = arch_or_skip (FALSE);
    g_autoptr(OpSegChange) c2 = NULL;
    if (l == NULL)
      return;
    c2 = op_seg_reassign (l->phantom->mesh->labels, l->phantom->mesh->n_vertices, FALSE, 38, 75, &error);
    g_assert_no_error (error);
    g_assert_nonnull (c2);
    g_assert_null (op_seg_reassign (l->phantom->mesh->labels, l->phantom->mesh->n_vertices, FALSE, 38, 28, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  }
}

/* Merges two neighbours and splits them again between seeds at their
 * centres: the geodesic split must give back nearly the true teeth. */
static void
merge_then_split_seeds (gboolean upper, int keep, int other)
{
  const Arch *a = arch_or_skip (upper);
  g_autofree gint32 *labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpSegEdits) edits = NULL;
  OpSegChange *change;
  const OpMesh *m;
  float ck[3], co[3];
  guint32 sk, so;
  gsize n;
  double f_keep, f_other;

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  n = m->n_vertices;
  edits = op_seg_edits_new (m->labels, n, upper);

  change = op_seg_merge (op_seg_edits_get_labels (edits, NULL), n, upper, keep, other, &error);
  g_assert_no_error (error);
  g_assert_true (change != NULL && op_seg_edits_push (edits, change));
  labels = g_memdup2 (op_seg_edits_get_labels (edits, NULL), n * sizeof (gint32));
  g_assert_cmpuint (count_label (labels, n, other), ==, 0);
  g_assert_cmpuint (count_label (labels, n, keep), ==, count_label (m->labels, n, keep) + count_label (m->labels, n, other));

  centroid (m, m->labels, keep, ck);
  centroid (m, m->labels, other, co);
  /* The nearest vertex to a crown's centroid may be on the gingiva or a
   * neighbour: the seeds are the nearest vertices of the merged tooth. */
  sk = op_seg_nearest_vertex (m, labels, keep, ck);
  so = op_seg_nearest_vertex (m, labels, keep, co);
  g_assert_cmpint (labels[sk], ==, keep);
  g_assert_cmpint (labels[so], ==, keep);
  g_assert_cmpint (m->labels[so], ==, other);
  /* Without the label filter the nearest vertex may be anywhere. */
  g_assert_cmpuint (op_seg_nearest_vertex (m, NULL, 0, &m->positions[3 * sk]), ==, sk);
  change = op_seg_split_seeds (m, a->adjacency, labels, upper, keep, sk, so, other, &error);
  g_assert_no_error (error);
  g_assert_true (change != NULL && op_seg_edits_push (edits, change));
  f_keep = tooth_f1 (a, op_seg_edits_get_labels (edits, NULL), keep);
  f_other = tooth_f1 (a, op_seg_edits_get_labels (edits, NULL), other);
  g_test_message ("split %d/%d between seeds: F1 %.3f / %.3f", keep, other, f_keep, f_other);
  /* Plain geodesic distance gave 0.88-0.92 on the incisors; the fold
   * weighting puts the border in the groove (0.98 and better). */
  g_assert_cmpfloat (f_keep, >=, 0.95);
  g_assert_cmpfloat (f_other, >=, 0.95);

  /* Undoing both gives back the truth, byte for byte. */
  g_assert_true (op_seg_edits_undo (edits));
  g_assert_true (op_seg_edits_undo (edits));
  g_assert_false (op_seg_edits_undo (edits));
  g_assert_cmpmem (op_seg_edits_get_labels (edits, NULL), n * sizeof (gint32), m->labels, n * sizeof (gint32));

  /* Bad requests. */
  g_assert_null (op_seg_merge (m->labels, n, upper, keep, keep, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (op_seg_split_seeds (m, a->adjacency, labels, upper, keep, sk, sk, other, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY);
  g_clear_error (&error);
  /* A seed that is not on the tooth (a gingiva vertex). */
  {
    guint32 ging = 0;
    while (ging < n && labels[ging] != 0)
      ging++;
    g_assert_null (op_seg_split_seeds (m, a->adjacency, labels, upper, keep, sk, ging, other, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY);
    g_clear_error (&error);
  }
  g_assert_null (op_seg_split_seeds (m, a->adjacency, labels, upper, keep, sk, (guint32) n, other, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_VERTEX);
}

static void
test_merge_split_upper (void)
{
  merge_then_split_seeds (TRUE, 11, 21);
  merge_then_split_seeds (TRUE, 16, 15);
}

static void
test_merge_split_lower (void)
{
  merge_then_split_seeds (FALSE, 41, 31);
  merge_then_split_seeds (FALSE, 36, 37);
}

static void
test_split_plane (void)
{
  const Arch *a = arch_or_skip (TRUE);
  g_autofree gint32 *labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpSegChange) merge = NULL, split = NULL;
  const OpMesh *m;
  float c11[3], c12[3], d[3], u[3], dir[3], pa[3], pb[3], mid[3];
  double best = INFINITY, len;
  gsize n;

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  n = m->n_vertices;
  labels = copy_labels (a);

  /* The contact between 11 and 12: the midpoint of the closest pair of
   * their vertices.  The cut runs through it, across the line between the
   * crown centres. */
  centroid (m, m->labels, 11, c11);
  centroid (m, m->labels, 12, c12);
  for (gsize i = 0; i < n; i++)
    if (m->labels[i] == 11)
      for (gsize j = 0; j < n; j++)
        if (m->labels[j] == 12)
          {
            const float *p = &m->positions[3 * i], *q = &m->positions[3 * j];
            double dd = 0;
            for (int k = 0; k < 3; k++)
              dd += (p[k] - q[k]) * (p[k] - q[k]);
            if (dd < best)
              {
                best = dd;
                for (int k = 0; k < 3; k++)
                  mid[k] = 0.5f * (p[k] + q[k]);
              }
          }
  len = 0;
  for (int k = 0; k < 3; k++)
    {
      d[k] = c12[k] - c11[k];
      len += d[k] * d[k];
    }
  for (int k = 0; k < 3; k++)
    d[k] /= (float) sqrt (len);
  /* u = d x z, the line drawn; dir = u x d.  Then (b - a) x dir =
   * u x (u x d) = -d: the part towards 11 takes the new number. */
  u[0] = d[1];
  u[1] = -d[0];
  u[2] = 0.f;
  len = sqrt (u[0] * u[0] + u[1] * u[1]);
  u[0] /= (float) len;
  u[1] /= (float) len;
  dir[0] = u[1] * d[2] - u[2] * d[1];
  dir[1] = u[2] * d[0] - u[0] * d[2];
  dir[2] = u[0] * d[1] - u[1] * d[0];
  for (int k = 0; k < 3; k++)
    {
      pa[k] = mid[k] - 3.f * u[k];
      pb[k] = mid[k] + 3.f * u[k];
    }

  merge = op_seg_merge (labels, n, TRUE, 12, 11, &error);
  g_assert_no_error (error);
  g_assert_true (merge != NULL && op_seg_change_apply (merge, labels, n));
  split = op_seg_split_plane (m, labels, TRUE, 12, pa, pb, dir, 11, &error);
  g_assert_no_error (error);
  g_assert_nonnull (split);
  if (split == NULL)
    return;
  g_assert_true (op_seg_change_apply (split, labels, n));
  {
    double f11 = tooth_f1 (a, labels, 11), f12 = tooth_f1 (a, labels, 12);
    g_test_message ("split 11/12 by a plane: F1 %.3f / %.3f", f11, f12);
    g_assert_cmpfloat (f11, >=, 0.85);
    g_assert_cmpfloat (f12, >=, 0.85);
  }
  /* The same line drawn the other way round gives the other side. */
  {
    g_autoptr(OpSegChange) back = NULL;
    g_autofree gint32 *merged = g_memdup2 (labels, n * sizeof *labels);
    g_assert_true (op_seg_change_revert (split, merged, n));
    back = op_seg_split_plane (m, merged, TRUE, 12, pb, pa, dir, 11, &error);
    g_assert_no_error (error);
    if (back)
      g_assert_cmpuint (back->n_vertices + split->n_vertices, ==, count_label (merged, n, 12));
  }

  /* A plane beside the tooth, and no plane at all. */
  {
    float far_a[3], far_b[3];
    for (int k = 0; k < 3; k++)
      {
        far_a[k] = pa[k] + 60.f * d[k];
        far_b[k] = pb[k] + 60.f * d[k];
      }
    g_assert_null (op_seg_split_plane (m, labels, TRUE, 12, far_a, far_b, dir, 0, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY);
    g_clear_error (&error);
    g_assert_null (op_seg_split_plane (m, labels, TRUE, 12, pa, pa, dir, 0, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY);
    g_clear_error (&error);
    /* A new number already in use. */
    g_assert_null (op_seg_split_plane (m, labels, TRUE, 12, pa, pb, dir, 13, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_DUPLICATE);
  }
}

static void
test_brush (void)
{
  const Arch *a = arch_or_skip (TRUE);
  g_autoptr(GError) error = NULL;
  const OpMesh *m;
  float c16[3];
  guint32 centre = 0;
  gsize n, n_euclid = 0, n_geo = 0;

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  n = m->n_vertices;
  centroid (m, m->labels, 16, c16);
  {
    double best = INFINITY;
    for (gsize v = 0; v < n; v++)
      if (m->labels[v] == 16)
        {
          const float *p = &m->positions[3 * v];
          double dd = (p[0] - c16[0]) * (p[0] - c16[0]) + (p[1] - c16[1]) * (p[1] - c16[1]) +
                      (p[2] - c16[2]) * (p[2] - c16[2]);
          if (dd < best) { best = dd; centre = (guint32) v; }
        }
  }

  for (int geodesic = 0; geodesic < 2; geodesic++)
    {
      OpSegBrush brush = { .vertex = centre, .radius_mm = 2.0f, .geodesic = geodesic, .label = 0 };
      g_autoptr(OpSegChange) c = op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error);
      const float *cp = &m->positions[3 * centre];
      gsize outside = 0;

      g_assert_no_error (error);
      g_assert_nonnull (c);
      if (c == NULL)
        continue;
      for (gsize i = 0; i < c->n_vertices; i++)
        {
          const float *p = &m->positions[3 * c->vertices[i]];
          double dd = sqrt ((p[0] - cp[0]) * (p[0] - cp[0]) + (p[1] - cp[1]) * (p[1] - cp[1]) +
                            (p[2] - cp[2]) * (p[2] - cp[2]));
          outside += dd > 2.0 + 1e-4 || c->after[i] != 0 || c->before[i] == 0;
          if (i > 0)
            g_assert_cmpuint (c->vertices[i], >, c->vertices[i - 1]);
        }
      g_assert_cmpuint (outside, ==, 0);
      if (geodesic)
        n_geo = c->n_vertices;
      else
        n_euclid = c->n_vertices;
    }
  /* A 2 mm dab on a molar cusp reaches tens of vertices at 0.35 mm; the
   * path along the surface is never shorter than the straight line. */
  g_test_message ("erase 2 mm: Euclidean %" G_GSIZE_FORMAT ", geodesic %" G_GSIZE_FORMAT " vertices", n_euclid, n_geo);
  g_assert_cmpuint (n_euclid, >, 20);
  g_assert_cmpuint (n_geo, >, 10);
  g_assert_cmpuint (n_geo, <=, n_euclid);

  /* Painting 16 from the gingiva side of its border with a large brush
   * that spares other teeth changes only gingiva; without sparing it also
   * takes the neighbours. */
  {
    guint32 border = G_MAXUINT32;
    OpSegBrush brush = { .radius_mm = 6.f, .label = 16, .spare_other_teeth = TRUE };
    g_autoptr(OpSegChange) spare = NULL, take = NULL;
    gsize took_teeth = 0;

    for (gsize v = 0; v < n && border == G_MAXUINT32; v++)
      if (m->labels[v] == 0)
        for (gsize k = a->adjacency->offsets[v]; k < a->adjacency->offsets[v + 1]; k++)
          if (m->labels[a->adjacency->neighbours[k]] == 16)
            {
              border = (guint32) v;
              break;
            }
    g_assert_cmpuint (border, !=, G_MAXUINT32);
    brush.vertex = border;
    spare = op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error);
    g_assert_no_error (error);
    g_assert_nonnull (spare);
    if (spare)
      for (gsize i = 0; i < spare->n_vertices; i++)
        g_assert_cmpint (spare->before[i], ==, 0);
    brush.spare_other_teeth = FALSE;
    brush.radius_mm = 12.f;
    take = op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error);
    g_assert_no_error (error);
    if (take)
      for (gsize i = 0; i < take->n_vertices; i++)
        took_teeth += take->before[i] != 0;
    g_assert_cmpuint (took_teeth, >, 0);
  }

  /* Bad strokes. */
  {
    OpSegBrush brush = { .vertex = centre, .radius_mm = 2.f, .label = 16 };
    g_assert_null (op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY);   /* already 16 */
    g_clear_error (&error);
    brush.label = 46;
    g_assert_null (op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
    g_clear_error (&error);
    brush.label = 0;
    brush.radius_mm = -1.f;
    g_assert_null (op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY);
    g_clear_error (&error);
    brush.radius_mm = 1.f;
    brush.vertex = (guint32) n;
    g_assert_null (op_seg_paint (m, a->adjacency, m->labels, TRUE, &brush, &error));
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_VERTEX);
  }
}

/* Two unit squares 0.5 mm apart, not joined: a brush on one never reaches
 * the other however large it is. */
static void
test_brush_connected (void)
{
  g_autoptr(OpMesh) m = op_mesh_new (8, 4, OP_MESH_ATTR_NONE);
  g_autoptr(OpSegAdjacency) adj = NULL;
  const float pos[24] = { 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0,
                          1.5f, 0, 0, 2.5f, 0, 0, 2.5f, 1, 0, 1.5f, 1, 0 };
  const guint32 idx[12] = { 0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7 };
  const gint32 labels[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GError) error = NULL;

  memcpy (m->positions, pos, sizeof pos);
  memcpy (m->indices, idx, sizeof idx);
  adj = op_seg_adjacency_new (m);
  for (int geodesic = 0; geodesic < 2; geodesic++)
    {
      OpSegBrush brush = { .vertex = 1, .radius_mm = 10.f, .geodesic = geodesic, .label = 11 };
      g_autoptr(OpSegChange) c = op_seg_paint (m, adj, labels, TRUE, &brush, &error);
      g_assert_no_error (error);
      g_assert_nonnull (c);
      if (c)
        {
          g_assert_cmpuint (c->n_vertices, ==, 4);
          g_assert_cmpuint (c->vertices[3], ==, 3);
        }
    }
}

static void
test_undo_redo (void)
{
  const Arch *a = arch_or_skip (FALSE);
  g_autoptr(OpSegEdits) edits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gint32 *after[5] = { NULL };
  const OpMesh *m;
  gsize n;
  guint k = 0;

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  n = m->n_vertices;
  edits = op_seg_edits_new (m->labels, n, FALSE);
  g_assert_false (op_seg_edits_is_upper (edits));
  g_assert_false (op_seg_edits_can_undo (edits));
  g_assert_false (op_seg_edits_can_redo (edits));

#define PUSH(expr) G_STMT_START {                                             \
    OpSegChange *c_ = (expr);                                                 \
    g_assert_no_error (error);                                                \
    g_assert_true (c_ != NULL && op_seg_edits_push (edits, c_));              \
    after[k++] = g_memdup2 (op_seg_edits_get_labels (edits, NULL), n * 4);    \
  } G_STMT_END

  PUSH (op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, FALSE, 48, 85, &error));
  PUSH (op_seg_merge (op_seg_edits_get_labels (edits, NULL), n, FALSE, 31, 32, &error));
  {
    OpSegBrush b = { .vertex = op_seg_nearest_vertex (m, NULL, 0, m->positions), .radius_mm = 3.f, .geodesic = TRUE, .label = 33 };
    /* Paint 33 where the first vertex is; if that is 33 already, erase. */
    if (op_seg_edits_get_labels (edits, NULL)[b.vertex] == 33)
      b.label = 0;
    PUSH (op_seg_paint (m, a->adjacency, op_seg_edits_get_labels (edits, NULL), FALSE, &b, &error));
  }
  PUSH (op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, FALSE, 31, 32, &error));
  PUSH (op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, FALSE, 85, 48, &error));
#undef PUSH
  g_assert_cmpuint (op_seg_edits_get_depth (edits), ==, 5);
  g_assert_nonnull (op_seg_edits_peek_undo (edits));
  g_assert_true (op_seg_edits_get_change (edits, 4) == op_seg_edits_peek_undo (edits));
  g_assert_nonnull (strstr (op_seg_edits_get_change (edits, 0)->description, "48 -> 85"));
  g_assert_null (op_seg_edits_peek_redo (edits));

  /* Undo walks back through every state exactly. */
  for (int i = 4; i >= 0; i--)
    {
      g_assert_cmpmem (op_seg_edits_get_labels (edits, NULL), n * 4, after[i], n * 4);
      g_assert_true (op_seg_edits_undo (edits));
    }
  g_assert_cmpmem (op_seg_edits_get_labels (edits, NULL), n * 4, m->labels, n * 4);
  g_assert_false (op_seg_edits_undo (edits));
  /* Redo forward again. */
  for (int i = 0; i < 5; i++)
    {
      g_assert_true (op_seg_edits_redo (edits));
      g_assert_cmpmem (op_seg_edits_get_labels (edits, NULL), n * 4, after[i], n * 4);
    }
  g_assert_false (op_seg_edits_redo (edits));

  /* Two undos and a new edit: the undone two are gone. */
  g_assert_true (op_seg_edits_undo (edits));
  g_assert_true (op_seg_edits_undo (edits));
  g_assert_true (op_seg_edits_can_redo (edits));
  {
    OpSegChange *c = op_seg_reassign (op_seg_edits_get_labels (edits, NULL), n, FALSE, 41, 81, &error);
    g_assert_no_error (error);
    g_assert_true (c != NULL && op_seg_edits_push (edits, c));
  }
  g_assert_false (op_seg_edits_can_redo (edits));
  g_assert_cmpuint (op_seg_edits_get_depth (edits), ==, 4);
  for (int i = 0; i < 4; i++)
    g_assert_true (op_seg_edits_undo (edits));
  g_assert_cmpmem (op_seg_edits_get_labels (edits, NULL), n * 4, m->labels, n * 4);
}

/* The pieces per label cover every triangle once, and a tooth's piece
 * holds only vertices of that tooth. */
static void
test_extract (void)
{
  const Arch *a = arch_or_skip (TRUE);
  int fdi[32];
  guint n_teeth;
  gsize total = 0;
  const OpMesh *m;

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  n_teeth = op_seg_labels_teeth (m->labels, m->n_vertices, fdi, NULL, 32);
  for (guint i = 0; i <= n_teeth; i++)
    {
      int label = i < n_teeth ? fdi[i] : 0;
      g_autoptr(OpMesh) piece = op_seg_extract_label (m, m->labels, label);
      g_autoptr(GError) error = NULL;

      total += piece->n_triangles;
      g_assert_cmpuint (piece->n_triangles, >, 100);
      g_assert_true (op_mesh_validate (piece, &error));
      g_assert_no_error (error);
      if (label != 0)
        {
          /* Every vertex of the piece is a vertex of the tooth. */
          gsize bad = 0;
          for (gsize v = 0; v < piece->n_vertices; v++)
            {
              guint32 src = op_seg_nearest_vertex (m, NULL, 0, &piece->positions[3 * v]);
              bad += m->labels[src] != label;
            }
          g_assert_cmpuint (bad, ==, 0);
          g_assert_cmpint (piece->labels[0], ==, label);
        }
      if (i == 0)
        g_assert_cmpfloat (op_mesh_area (piece), >, 20.0);   /* a crown has tens of mm^2 */
    }
  g_assert_cmpuint (total, ==, m->n_triangles);
  {
    g_autoptr(OpMesh) none = op_seg_extract_label (m, m->labels, 28);
    g_assert_cmpuint (none->n_triangles, ==, 0);
    g_assert_cmpuint (none->n_vertices, ==, 0);
  }
}

/* A ray shot down at a tooth's highest vertex from above the arch meets
 * that tooth; a ray beside the arch meets nothing. */
static void
test_ray (void)
{
  const Arch *a = arch_or_skip (FALSE);
  const OpMesh *m;
  static const int teeth[] = { 31, 33, 36, 47 };

  if (a == NULL)
    return;
  m = a->phantom->mesh;
  for (guint i = 0; i < G_N_ELEMENTS (teeth); i++)
    {
      /* The lower crowns point up (+z): the tooth's top vertex is its
       * cusp tip, which nothing covers from above. */
      gsize top = G_MAXSIZE;
      float origin[3], dir[3] = { 0.f, 0.f, -1.f }, hit[3];
      guint32 v;

      for (gsize k = 0; k < m->n_vertices; k++)
        if (m->labels[k] == teeth[i] && (top == G_MAXSIZE || m->positions[3 * k + 2] > m->positions[3 * top + 2]))
          top = k;
      origin[0] = m->positions[3 * top];
      origin[1] = m->positions[3 * top + 1];
      origin[2] = m->positions[3 * top + 2] + 50.f;
      v = op_seg_ray_vertex (m, origin, dir, hit);
      g_assert_cmpuint (v, !=, G_MAXUINT32);
      if (v == G_MAXUINT32)
        continue;
      g_assert_cmpint (m->labels[v], ==, teeth[i]);
      g_assert_cmpfloat (fabsf (hit[2] - m->positions[3 * top + 2]), <, 0.5f);
    }
  {
    float origin[3] = { m->bbox_max[0] + 20.f, m->bbox_max[1] + 20.f, m->bbox_max[2] + 20.f };
    float dir[3] = { 0.f, 0.f, -1.f };
    g_assert_cmpuint (op_seg_ray_vertex (m, origin, dir, NULL), ==, G_MAXUINT32);
  }
}

static void
test_deterministic (void)
{
  const Arch *a = arch_or_skip (TRUE);
  g_autoptr(OpSegChange) c1 = NULL, c2 = NULL;
  g_autoptr(OpSegAdjacency) adj2 = NULL;
  OpSegBrush b = { .radius_mm = 4.f, .geodesic = TRUE, .label = 0 };

  if (a == NULL)
    return;
  b.vertex = (guint32) (a->phantom->mesh->n_vertices / 2);
  adj2 = op_seg_adjacency_new (a->phantom->mesh);
  g_assert_cmpmem (adj2->offsets, (adj2->n_vertices + 1) * sizeof (gsize),
                   a->adjacency->offsets, (a->adjacency->n_vertices + 1) * sizeof (gsize));
  c1 = op_seg_paint (a->phantom->mesh, a->adjacency, a->phantom->mesh->labels, TRUE, &b, NULL);
  c2 = op_seg_paint (a->phantom->mesh, adj2, a->phantom->mesh->labels, TRUE, &b, NULL);
  if (c1 == NULL || c2 == NULL)
    {
      /* The middle vertex may be gingiva already: paint a tooth instead. */
      g_clear_pointer (&c1, op_seg_change_free);
      g_clear_pointer (&c2, op_seg_change_free);
      b.label = 11;
      c1 = op_seg_paint (a->phantom->mesh, a->adjacency, a->phantom->mesh->labels, TRUE, &b, NULL);
      c2 = op_seg_paint (a->phantom->mesh, adj2, a->phantom->mesh->labels, TRUE, &b, NULL);
    }
  g_assert_nonnull (c1);
  g_assert_nonnull (c2);
  if (c1 && c2)
    {
      g_assert_cmpstr (c1->description, ==, c2->description);
      g_assert_cmpmem (c1->vertices, c1->n_vertices * 4, c2->vertices, c2->n_vertices * 4);
      g_assert_cmpmem (c1->before, c1->n_vertices * 4, c2->before, c2->n_vertices * 4);
      g_assert_cmpmem (c1->after, c1->n_vertices * 4, c2->after, c2->n_vertices * 4);
    }
}

static void
test_confidence (void)
{
  const gint32 base[] = { 0, 11, 11, 12, 12, 21, 0 };
  const int base_fdi[] = { 11, 12, 21 };
  const float base_conf[] = { 0.9f, 0.6f, 0.8f };
  g_autoptr(GError) error = NULL;
  g_autoptr(OpSegEdits) e = op_seg_edits_new (base, G_N_ELEMENTS (base), TRUE);
  float conf[4];
  guint k;

  /* 12 -> 22 renumbered by a person; a gingiva vertex painted to 21. */
  g_assert_true (op_seg_edits_push (e, op_seg_reassign (op_seg_edits_get_labels (e, NULL), 7, TRUE, 12, 22, &error)));
  g_assert_no_error (error);
  k = op_seg_corrected_confidence (base, op_seg_edits_get_labels (e, NULL), 7, base_fdi, base_conf, 3, conf, 4);
  g_assert_cmpuint (k, ==, 3);                /* 11, 21, 22 */
  g_assert_cmpfloat (conf[0], ==, 0.9f);      /* 11 untouched */
  g_assert_cmpfloat (conf[1], ==, 0.8f);      /* 21 untouched */
  g_assert_cmpfloat (conf[2], ==, 1.f);       /* 22 by a person */
  {
    gint32 painted[7];
    memcpy (painted, op_seg_edits_get_labels (e, NULL), sizeof painted);
    painted[6] = 21;
    k = op_seg_corrected_confidence (base, painted, 7, base_fdi, base_conf, 3, conf, 4);
    g_assert_cmpuint (k, ==, 3);
    g_assert_cmpfloat (conf[1], ==, 1.f);     /* 21 now changed too */
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/planner/seg-edit/labels-check", test_labels_check);
  g_test_add_func ("/planner/seg-edit/confidence", test_confidence);
  g_test_add_func ("/planner/seg-edit/brush/connected", test_brush_connected);
  g_test_add_func ("/planner/seg-edit/adjacency", test_adjacency);
  g_test_add_func ("/planner/seg-edit/reassign", test_reassign);
  g_test_add_func ("/planner/seg-edit/merge-split/upper", test_merge_split_upper);
  g_test_add_func ("/planner/seg-edit/merge-split/lower", test_merge_split_lower);
  g_test_add_func ("/planner/seg-edit/split-plane", test_split_plane);
  g_test_add_func ("/planner/seg-edit/brush", test_brush);
  g_test_add_func ("/planner/seg-edit/undo-redo", test_undo_redo);
  g_test_add_func ("/planner/seg-edit/deterministic", test_deterministic);
  g_test_add_func ("/planner/seg-edit/extract", test_extract);
  g_test_add_func ("/planner/seg-edit/ray", test_ray);
  rc = g_test_run ();
  for (int i = 0; i < 2; i++)
    {
      g_clear_pointer (&arches[i].phantom, op_phantom_free);
      g_clear_pointer (&arches[i].adjacency, op_seg_adjacency_free);
    }
  return rc;
}
