/* op-roots-check.c: roots too close to a neighbour's, or leaving the bone,
 * at any stage of a plan. */
#include "op-roots-private.h"

#include <math.h>
#include <string.h>

#include "op-bvh.h"
#include "op-collide.h"
#include "op-linalg.h"
#include "op-voxelize.h"

/* Root surface samples per tooth for the bone check. */
#define BONE_SAMPLES      400
/* Only root surface deeper than this below the cervical line is checked:
 * the first millimetres of a healthy root stand above the alveolar crest. */
#define BONE_MIN_DEPTH_MM 2.0
/* With a CBCT, the volume is sampled this far outside the root surface,
 * past the periodontal ligament, where bone should be. */
#define BONE_PROBE_MM     0.5
/* Voxel size of the envelope used when there is no CBCT. */
#define ENVELOPE_VOXEL_MM 0.25

void
op_root_warning_free (OpRootWarning *warning)
{
  if (warning == NULL)
    return;
  g_free (warning->code);
  g_free (warning->message);
  g_free (warning);
}

static void
add_warning (GPtrArray  *out,
             const char *code,
             int         a,
             int         b,
             int         stage,
             double      value,
             char       *message)
{
  OpRootWarning *w = g_new0 (OpRootWarning, 1);

  w->code = g_strdup (code);
  w->fdi_a = a;
  w->fdi_b = b;
  w->stage = stage;
  w->value = value;
  w->message = message;
  g_ptr_array_add (out, w);
}

typedef struct {
  const OpTooth *tooth;
  int            plan_index;
  OpBvh         *bvh;
  float         *samples;    /* points, then normals: 6 floats each */
  guint          n_samples;
} Root;

static void
root_samples (Root *r)
{
  const OpMesh *m = r->tooth->root;
  const OpFrame *f = &r->tooth->frame;
  double hc = op__roots_cervical_height (r->tooth);
  g_autoptr(OpMesh) copy = NULL;
  const float *normals = m->normals;
  guint n_deep = 0, stride, k = 0;

  if (normals == NULL)
    {
      copy = op_mesh_copy (m);
      op_mesh_compute_normals (copy);
      normals = copy->normals;
    }
  for (int pass = 0; pass < 2; pass++)
    {
      guint seen = 0;

      stride = pass ? MAX (1, (n_deep + BONE_SAMPLES - 1) / BONE_SAMPLES) : 1;
      if (pass)
        r->samples = g_new (float, ((n_deep + stride - 1) / stride) * 6 + 6);
      for (gsize v = 0; v < m->n_vertices; v++)
        {
          const float *p = &m->positions[v * 3];
          double h = 0;

          for (int a = 0; a < 3; a++)
            h += (p[a] - f->origin[a]) * f->occlusal[a];
          if (hc - h < BONE_MIN_DEPTH_MM)
            continue;
          if (!pass)
            {
              n_deep++;
              continue;
            }
          if (seen++ % stride)
            continue;
          memcpy (&r->samples[k * 6], p, 3 * sizeof (float));
          memcpy (&r->samples[k * 6 + 3], &normals[v * 3], 3 * sizeof (float));
          k++;
        }
    }
  r->n_samples = k;
}

/* The envelope of the initial roots grown by @grow_mm, on a grid of its
 * own. */
static OpVolume *
make_envelope (Root *roots, guint n, double grow_mm, guint8 **out_mask)
{
  const double spacing[3] = { ENVELOPE_VOXEL_MM, ENVELOPE_VOXEL_MM, ENVELOPE_VOXEL_MM };
  const double axes[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  double origin[3];
  int dims[3];
  OpVolume *grid;
  guint8 *mask;

  for (guint r = 0; r < n; r++)
    {
      float bmin[3], bmax[3];

      op_bvh_get_bounds (roots[r].bvh, bmin, bmax);
      for (int a = 0; a < 3; a++)
        {
          lo[a] = MIN (lo[a], bmin[a]);
          hi[a] = MAX (hi[a], bmax[a]);
        }
    }
  for (int a = 0; a < 3; a++)
    {
      origin[a] = lo[a] - grow_mm - 1;
      dims[a] = (int) ceil ((hi[a] - lo[a] + 2 * grow_mm + 2) / ENVELOPE_VOXEL_MM) + 1;
    }
  grid = op_volume_new (dims[0], dims[1], dims[2], spacing);
  if (grid == NULL)
    return NULL;
  op_volume_set_geometry (grid, origin, axes);
  mask = g_new0 (guint8, (gsize) dims[0] * dims[1] * dims[2]);
  for (guint r = 0; r < n; r++)
    op_voxelize_mesh (roots[r].tooth->root, NULL, grid, mask, 1);
  op_voxelize_dilate (grid, mask, grow_mm, 1);
  *out_mask = mask;
  return grid;
}

static gboolean
in_envelope (const OpVolume *grid, const guint8 *mask, const float p[3])
{
  double w[3] = { p[0], p[1], p[2] }, ijk[3];
  int i, j, k;

  op_volume_world_to_voxel (grid, w, ijk);
  i = (int) lround (ijk[0]);
  j = (int) lround (ijk[1]);
  k = (int) lround (ijk[2]);
  if (i < 0 || j < 0 || k < 0 || i >= grid->dims[0] || j >= grid->dims[1] || k >= grid->dims[2])
    return FALSE;
  return mask[((gsize) k * grid->dims[1] + j) * grid->dims[0] + i] != 0;
}

/* Share of @r's samples in bone at the pose @m. */
static double
bone_share (const Root          *r,
            const float          m[16],
            const OpVolume      *volume,
            double               bone_raw,
            const OpVolume      *grid,
            const guint8        *mask)
{
  guint in = 0;

  for (guint s = 0; s < r->n_samples; s++)
    {
      float p[3], n[3];

      op_mat4_apply_point (m, &r->samples[s * 6], p);
      if (volume != NULL)
        {
          double q[3], raw;

          op_mat4_apply_dir (m, &r->samples[s * 6 + 3], n);
          for (int a = 0; a < 3; a++)
            q[a] = p[a] + BONE_PROBE_MM * n[a];
          if (op_volume_sample (volume, q, &raw) && raw >= bone_raw)
            in++;
        }
      else if (in_envelope (grid, mask, p))
        in++;
    }
  return r->n_samples ? (double) in / r->n_samples : 1.0;
}

/* The bone threshold when the caller gives none.  CBCT grey values are
 * not calibrated (CLINICAL.md), and a whole-volume split may fall between
 * bone and teeth rather than between soft tissue and bone, depending on
 * how much air the field holds.  Around the initial roots, though, the
 * volume is bone close in and mostly soft tissue a few millimetres out, so
 * Otsu's split of what lies 0.5 to 6 mm outside the roots is the split
 * between bone and what is not bone. */
static double
probe_threshold (const Root *roots, guint n, const OpVolume *volume)
{
  static const double probes[] = { 0.5, 2, 4, 6 };
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint16));
  int t;

  for (guint r = 0; r < n; r++)
    for (guint s = 0; s < roots[r].n_samples; s++)
      for (guint k = 0; k < G_N_ELEMENTS (probes); k++)
        {
          const float *p = &roots[r].samples[s * 6], *nrm = &roots[r].samples[s * 6 + 3];
          double q[3], raw;

          for (int a = 0; a < 3; a++)
            q[a] = p[a] + probes[k] * nrm[a];
          if (op_volume_sample (volume, q, &raw))
            {
              gint16 v = (gint16) CLAMP (lround (raw), G_MININT16, G_MAXINT16);

              g_array_append_val (values, v);
            }
        }
  t = op_otsu_threshold ((const gint16 *) values->data, values->len, G_MININT16);
  return t == G_MININT16 ? op_volume_auto_threshold (volume) : t;
}

static int
cmp_warning (gconstpointer a, gconstpointer b)
{
  const OpRootWarning *x = *(OpRootWarning * const *) a, *y = *(OpRootWarning * const *) b;
  int c = strcmp (x->code, y->code);

  if (c != 0)
    return c;
  if (x->fdi_a != y->fdi_a)
    return x->fdi_a < y->fdi_a ? -1 : 1;
  return (x->fdi_b > y->fdi_b) - (x->fdi_b < y->fdi_b);
}

guint
op_roots_check_plan (const OpDentition        *dentition,
                     const OpPlan             *plan,
                     const OpVolume           *volume,
                     const OpRootCheckOptions *options,
                     GPtrArray                *out_warnings)
{
  OpRootCheckOptions o = { 0 };
  g_autofree Root *roots = NULL;
  g_autofree int *fdi = NULL;
  g_autofree int *pairs = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autoptr(OpVolume) grid = NULL;
  g_autofree guint8 *mask = NULL;
  guint n = 0, n_pairs;
  const char *bone_source;

  g_return_val_if_fail (dentition != NULL && plan != NULL && out_warnings != NULL, 0);
  if (options != NULL)
    o = *options;
  if (o.min_gap_mm <= 0)
    o.min_gap_mm = 0.5;
  if (o.bone_fraction <= 0)
    o.bone_fraction = 0.8;
  if (o.envelope_mm <= 0)
    o.envelope_mm = 1.0;
  if (o.envelope_fraction <= 0)
    o.envelope_fraction = 0.9;

  roots = g_new0 (Root, plan->n_teeth);
  fdi = g_new0 (int, plan->n_teeth);
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      const OpTooth *tooth = op_dentition_get (dentition, plan->teeth[t].fdi);

      if (tooth == NULL || tooth->root == NULL || tooth->root->n_triangles == 0 || !tooth->has_frame ||
          tooth->crown == NULL)
        continue;
      roots[n].tooth = tooth;
      roots[n].plan_index = (int) t;
      roots[n].bvh = op_bvh_new_for_mesh (tooth->root);
      if (roots[n].bvh == NULL)
        continue;
      root_samples (&roots[n]);
      fdi[n] = tooth->fdi;
      n++;
    }
  if (n == 0)
    return 0;

  /* Neighbouring roots. */
  n_pairs = op_collide_list_pairs (fdi, n, FALSE, NULL, 0);
  pairs = g_new0 (int, 2 * n_pairs + 2);
  op_collide_list_pairs (fdi, n, FALSE, pairs, n_pairs);
  for (guint p = 0; p < n_pairs; p++)
    {
      const Root *a = NULL, *b = NULL;
      OpCollideOptions co = { 0 };
      double min_gap = G_MAXDOUBLE;
      int first = -1;

      for (guint r = 0; r < n; r++)
        {
          if (roots[r].tooth->fdi == pairs[2 * p])
            a = &roots[r];
          if (roots[r].tooth->fdi == pairs[2 * p + 1])
            b = &roots[r];
        }
      g_assert (a != NULL && b != NULL);
      co.max_distance = o.min_gap_mm + 0.5;
      co.tolerance = 0.01;
      for (guint s = 0; s < plan->n_stages; s++)
        {
          float ma[16], mb[16];
          double gap;

          op_plan_stage_matrix (plan, s, a->plan_index, ma);
          op_plan_stage_matrix (plan, s, b->plan_index, mb);
          gap = -op_collide_pair (a->bvh, ma, b->bvh, mb, &co, NULL, NULL);
          if (gap < o.min_gap_mm && first < 0)
            first = (int) s;
          min_gap = MIN (min_gap, gap);
        }
      if (first >= 0)
        add_warning (found, "root-proximity", a->tooth->fdi, b->tooth->fdi, first, min_gap,
                     min_gap < 0
                       ? g_strdup_printf ("The roots of %d and %d come closer than %.1f mm from stage %d on, "
                                          "and overlap by up to %.2f mm.",
                                          a->tooth->fdi, b->tooth->fdi, o.min_gap_mm, first, -min_gap)
                       : g_strdup_printf ("The roots of %d and %d come within %.2f mm of each other, first at "
                                          "stage %d (they should stay %.1f mm apart).",
                                          a->tooth->fdi, b->tooth->fdi, min_gap, first, o.min_gap_mm));
    }

  /* Bone. */
  if (volume != NULL && o.bone_raw == 0)
    o.bone_raw = probe_threshold (roots, n, volume);
  if (volume == NULL)
    {
      grid = make_envelope (roots, n, o.envelope_mm, &mask);
      bone_source = "bone approximated as the initial roots grown by";
    }
  else
    bone_source = "bone from the CBCT";
  for (guint r = 0; r < n; r++)
    {
      double share0 = 0, lowest = 1, bound;
      int first = -1;

      if (roots[r].n_samples == 0 || (volume == NULL && grid == NULL))
        continue;
      for (guint s = 0; s < plan->n_stages; s++)
        {
          float m[16];
          double share;

          op_plan_stage_matrix (plan, s, roots[r].plan_index, m);
          share = bone_share (&roots[r], m, volume, o.bone_raw, grid, mask);
          if (s == 0)
            share0 = share;
          /* A root already partly outside the bone at the start (a thin
           * plate, a dehiscence) is not the plan's doing: only a drop of
           * more than five points below where it started counts. */
          bound = volume != NULL ? MIN (o.bone_fraction, share0 - 0.05) : MIN (o.envelope_fraction, share0 - 0.05);
          if (share < bound && first < 0)
            first = (int) s;
          lowest = MIN (lowest, share);
        }
      if (first >= 0)
        {
          char *msg = volume != NULL
            ? g_strdup_printf ("The root of %d leaves the alveolar bone, first at stage %d: as little as %.0f%% of "
                               "its surface is in bone (at least %.0f%% wanted; %s).",
                               roots[r].tooth->fdi, first, 100 * lowest, 100 * o.bone_fraction, bone_source)
            : g_strdup_printf ("The root of %d leaves the alveolar bone, first at stage %d: as little as %.0f%% of "
                               "its surface is in bone (at least %.0f%% wanted; %s %.1f mm, no CBCT).",
                               roots[r].tooth->fdi, first, 100 * lowest, 100 * o.envelope_fraction, bone_source,
                               o.envelope_mm);

          add_warning (found, "root-bone", roots[r].tooth->fdi, 0, first, lowest, msg);
        }
    }

  for (guint r = 0; r < n; r++)
    {
      op_bvh_free (roots[r].bvh);
      g_free (roots[r].samples);
    }
  g_ptr_array_sort (found, cmp_warning);
  for (guint w = 0; w < found->len; w++)
    g_ptr_array_add (out_warnings, g_ptr_array_index (found, w));
  return found->len;
}

void
op_roots_add_warnings (OpPlan *plan, const GPtrArray *warnings)
{
  g_return_if_fail (plan != NULL && warnings != NULL);
  for (guint w = 0; w < warnings->len; w++)
    {
      const OpRootWarning *rw = g_ptr_array_index ((GPtrArray *) warnings, w);

      op_plan_add_warning (plan, rw->code, rw->fdi_a, rw->fdi_b, rw->stage, "%s", rw->message);
    }
}
