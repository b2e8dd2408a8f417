/* op-roots-check.c: roots too close to a neighbour's, or leaving the bone,
 * at any stage of a plan.
 *
 * Without a CBCT nothing says where the bone ends, and the first version
 * of this check took the initial roots grown by 1 mm as the bone.  On the
 * real jaw of open-full-jaw-p26 it flagged 20 of 29 roots of an ordinary
 * setup: any tip or rotation about the crown centre swings the apex out of
 * such a thin shell, even mesially and distally, where the interdental
 * bone of the arch continues, and the teeth there are whole (crown and
 * root), so the template was put under the real apex and swung twice as
 * far.  What the provider needs to know is the root pushed through the
 * labial or lingual cortical plate, so that is what is measured now: how
 * far each part of the root surface moves, from where it started, towards
 * the plate it faces. */
#include "op-roots-private.h"

#include <math.h>
#include <string.h>

#include "op-bvh.h"
#include "op-collide.h"
#include "op-hash-private.h"
#include "op-linalg.h"

/* Root surface samples per tooth for the bone check. */
#define BONE_SAMPLES      400
/* Only root surface deeper than this below the cervical line is checked:
 * the first millimetres of a healthy root stand above the alveolar crest. */
#define BONE_MIN_DEPTH_MM 2.0
/* With a CBCT, the volume is sampled this far outside the root surface,
 * past the periodontal ligament, where bone should be. */
#define BONE_PROBE_MM     0.5
/* A root surface sample faces a cortical plate (labial or lingual) when
 * its normal's bucco-lingual component is at least this; the mesial and
 * distal faces look at the interdental bone, which the arch continues, and
 * at the neighbours, which the proximity check watches. */
#define PLATE_FACING      0.3
/* Past this many entries the proximity memo starts again. */
#define MEMO_MAX_ENTRIES  100000

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
  int      fdi;
  OpFrame  frame;
  OpBvh   *bvh;
  float   *samples;    /* points, then normals: 6 floats each */
  guint    n_samples;
} Root;

/* Proximity gaps already measured, by pair, gap asked for and the exact
 * bytes of both transforms: op_collide_pair() is a pure function of them,
 * so a remembered gap is the one a new query would give. */
typedef struct {
  int   fdi_a, fdi_b;
  float max_distance;
  float ma[16], mb[16];
} MemoKey;

G_STATIC_ASSERT (sizeof (MemoKey) == 35 * sizeof (float));

struct _OpRootSet {
  guint       n;
  Root       *roots;
  GHashTable *memo;    /* MemoKey* -> double*, both owned */
};

static guint
memo_hash (gconstpointer key)
{
  return op__hash_bytes (key, sizeof (MemoKey));
}

static gboolean
memo_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (MemoKey)) == 0;
}

static double
dot3 (const float *a, const float *b)
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return (x > y) - (x < y);
}

/* The root of a whole tooth: its triangles below the cervical line @hc,
 * closed by a fan from the centre of the cut's edge so that the signed
 * distances of op-bvh.h stay exact.  Vertices keep their order, so the
 * same tooth always gives the same mesh.  NULL when nothing lies below. */
static OpMesh *
whole_tooth_root (const OpTooth *tooth, double hc)
{
  const OpMesh *m = tooth->crown;
  const OpFrame *f = &tooth->frame;
  g_autofree guint8 *below = g_new0 (guint8, m->n_vertices);
  g_autofree gint64 *remap = g_new (gint64, m->n_vertices);
  g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) rim = g_array_new (FALSE, FALSE, sizeof (guint64));
  double centre[3] = { 0, 0, 0 };
  guint32 n_used = 0, apex;
  OpMesh *root;

  for (gsize v = 0; v < m->n_vertices; v++)
    {
      float d[3];

      for (int a = 0; a < 3; a++)
        d[a] = m->positions[v * 3 + a] - f->origin[a];
      below[v] = dot3 (d, f->occlusal) < hc;
      remap[v] = -1;
    }
  for (gsize t = 0; t < m->n_triangles; t++)
    {
      const guint32 *tri = &m->indices[t * 3];

      if (!below[tri[0]] || !below[tri[1]] || !below[tri[2]])
        continue;
      g_array_append_vals (idx, tri, 3);
      for (int k = 0; k < 3; k++)
        {
          guint64 e = ((guint64) tri[k] << 32) | tri[(k + 1) % 3];

          g_array_append_val (edges, e);
        }
    }
  if (idx->len == 0)
    return NULL;
  /* An edge whose reverse no kept triangle has is on the cut. */
  qsort (edges->data, edges->len, sizeof (guint64), cmp_u64);
  for (guint i = 0; i < edges->len; i++)
    {
      guint64 e = g_array_index (edges, guint64, i);
      guint64 rev = (e << 32) | (e >> 32);

      if (bsearch (&rev, edges->data, edges->len, sizeof (guint64), cmp_u64) == NULL)
        {
          g_array_append_val (rim, e);
          for (int a = 0; a < 3; a++)
            centre[a] += m->positions[(e >> 32) * 3 + a];
        }
    }
  for (guint i = 0; i < idx->len; i++)
    {
      guint32 v = g_array_index (idx, guint32, i);

      if (remap[v] < 0)
        remap[v] = 0;
    }
  for (gsize v = 0; v < m->n_vertices; v++)
    if (remap[v] == 0)
      remap[v] = 1 + n_used++;
  apex = n_used;
  root = op_mesh_new (n_used + (rim->len ? 1 : 0), idx->len / 3 + rim->len, OP_MESH_ATTR_NONE);
  for (gsize v = 0; v < m->n_vertices; v++)
    if (remap[v] > 0)
      memcpy (&root->positions[(remap[v] - 1) * 3], &m->positions[v * 3], 3 * sizeof (float));
  for (guint i = 0; i < idx->len; i++)
    root->indices[i] = (guint32) remap[g_array_index (idx, guint32, i)] - 1;
  if (rim->len)
    {
      for (int a = 0; a < 3; a++)
        root->positions[apex * 3 + a] = (float) (centre[a] / rim->len);
      for (guint i = 0; i < rim->len; i++)
        {
          guint64 e = g_array_index (rim, guint64, i);
          guint32 *tri = &root->indices[idx->len + 3 * i];

          /* The cut edge runs a->b in a kept triangle, so the cap's
           * triangle runs b->a: the orientation continues. */
          tri[0] = (guint32) remap[e & 0xffffffffu] - 1;
          tri[1] = (guint32) remap[e >> 32] - 1;
          tri[2] = apex;
        }
    }
  op_mesh_compute_normals (root);
  op_mesh_compute_bounds (root);
  return root;
}

/* Samples of @mesh deeper than BONE_MIN_DEPTH_MM below the cervical line
 * @hc of @f, at most about BONE_SAMPLES, every k-th in vertex order. */
static void
root_samples (Root *r, const OpMesh *m, double hc)
{
  const OpFrame *f = &r->frame;
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

/* Makes @r, the root of @tooth, or leaves it without a tree when the
 * tooth has none to check. */
static void
make_root (Root *r, const OpTooth *tooth)
{
  g_autoptr(OpMesh) cut = NULL;
  const OpMesh *mesh;
  double hc;

  if (!tooth->has_frame || tooth->crown == NULL || tooth->crown->n_vertices == 0)
    return;
  hc = op__roots_cervical_height (tooth);
  if (tooth->root != NULL && tooth->root->n_triangles > 0)
    mesh = tooth->root;
  else if (op_roots_crown_has_root (tooth) && (cut = whole_tooth_root (tooth, hc)) != NULL)
    mesh = cut;
  else
    return;
  r->fdi = tooth->fdi;
  r->frame = tooth->frame;
  r->bvh = op_bvh_new_for_mesh (mesh);
  if (r->bvh != NULL)
    root_samples (r, mesh, hc);
}

typedef struct {
  const OpDentition *dentition;
  Root              *made;    /* one per tooth, in dentition order */
  gint               next;    /* atomic: the next tooth */
} MakeJob;

static gpointer
make_worker (gpointer data)
{
  MakeJob *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->dentition->teeth->len)
    make_root (&job->made[i], g_ptr_array_index (job->dentition->teeth, i));
  return NULL;
}

OpRootSet *
op_root_set_new (const OpDentition *dentition)
{
  OpRootSet *set;
  g_autofree Root *made = NULL;
  MakeJob job = { dentition, NULL, 0 };
  GThread *threads[4] = { NULL };
  guint n_threads;

  g_return_val_if_fail (dentition != NULL, NULL);

  set = g_new0 (OpRootSet, 1);
  set->roots = g_new0 (Root, MAX (dentition->teeth->len, 1));
  set->memo = g_hash_table_new_full (memo_hash, memo_equal, g_free, g_free);
  /* Every root is made from its own tooth alone, so making them on
   * several threads gives the same set. */
  made = g_new0 (Root, MAX (dentition->teeth->len, 1));
  job.made = made;
  n_threads = MIN (CLAMP (g_get_num_processors (), 1, 4), MAX (dentition->teeth->len, 1));
  for (guint i = 1; i < n_threads; i++)
    threads[i] = g_thread_new ("op-roots", make_worker, &job);
  make_worker (&job);
  for (guint i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < dentition->teeth->len; i++)
    if (made[i].bvh != NULL)
      set->roots[set->n++] = made[i];
  return set;
}

void
op_root_set_free (OpRootSet *set)
{
  if (set == NULL)
    return;
  for (guint r = 0; r < set->n; r++)
    {
      op_bvh_free (set->roots[r].bvh);
      g_free (set->roots[r].samples);
    }
  g_free (set->roots);
  g_hash_table_destroy (set->memo);
  g_free (set);
}

/* Share of @r's samples in bone at the pose @m.  With a CBCT, a sample is
 * in bone when the volume 0.5 mm outside it is at bone density.  Without
 * one, a sample is out of the bone when it has moved, from where it
 * started, more than @allow_mm towards the cortical plate its surface
 * faces: the labial and lingual plates over a root are about a millimetre
 * thick at the anterior teeth, so a root surface pushed further than that
 * through where the plate was has left the bone (Handelman 1996 on the
 * alveolar limits of incisor movement; CBCT studies put the facial bone
 * over the maxillary anterior roots at about 1 mm or less).  Mesial,
 * distal and vertical movement stay in the alveolar process, which the
 * arch continues, and are left to the proximity check. */
static double
bone_share (const Root          *r,
            const float          m[16],
            const OpVolume      *volume,
            double               bone_raw,
            double               allow_mm)
{
  guint in = 0;

  for (guint s = 0; s < r->n_samples; s++)
    {
      const float *p0 = &r->samples[s * 6], *n0 = &r->samples[s * 6 + 3];
      float p[3], n[3];

      op_mat4_apply_point (m, p0, p);
      if (volume != NULL)
        {
          double q[3], raw;

          op_mat4_apply_dir (m, n0, n);
          for (int a = 0; a < 3; a++)
            q[a] = p[a] + BONE_PROBE_MM * n[a];
          if (op_volume_sample (volume, q, &raw) && raw >= bone_raw)
            in++;
        }
      else
        {
          double facing = dot3 (n0, r->frame.buccal), outward = 0;

          for (int a = 0; a < 3; a++)
            outward += (p[a] - p0[a]) * r->frame.buccal[a];
          if (fabs (facing) < PLATE_FACING || (facing > 0 ? outward : -outward) <= allow_mm)
            in++;
        }
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

/* The gap between two posed roots, from the memo when it has it. */
static double
root_gap (OpRootSet *set, const Root *a, const float ma[16], const Root *b, const float mb[16],
          const OpCollideOptions *co)
{
  MemoKey key;
  const double *known;
  double gap;

  memset (&key, 0, sizeof key);
  key.fdi_a = a->fdi;
  key.fdi_b = b->fdi;
  key.max_distance = (float) co->max_distance;
  memcpy (key.ma, ma, sizeof key.ma);
  memcpy (key.mb, mb, sizeof key.mb);
  known = g_hash_table_lookup (set->memo, &key);
  if (known != NULL)
    return *known;
  gap = -op_collide_pair (a->bvh, ma, b->bvh, mb, co, NULL, NULL);
  if (g_hash_table_size (set->memo) >= MEMO_MAX_ENTRIES)
    g_hash_table_remove_all (set->memo);
  g_hash_table_insert (set->memo, g_memdup2 (&key, sizeof key), g_memdup2 (&gap, sizeof gap));
  return gap;
}

guint
op_roots_check_plan (const OpDentition        *dentition,
                     const OpPlan             *plan,
                     const OpVolume           *volume,
                     const OpRootCheckOptions *options,
                     GPtrArray                *out_warnings)
{
  g_autoptr(OpRootSet) set = NULL;

  g_return_val_if_fail (dentition != NULL && plan != NULL && out_warnings != NULL, 0);
  set = op_root_set_new (dentition);
  return op_root_set_check_plan (set, plan, volume, options, out_warnings);
}

guint
op_root_set_check_plan (OpRootSet                *set,
                        const OpPlan             *plan,
                        const OpVolume           *volume,
                        const OpRootCheckOptions *options,
                        GPtrArray                *out_warnings)
{
  return op_root_set_check_plan_jaws (set, plan, volume, volume, options, out_warnings);
}

guint
op_root_set_check_plan_jaws (OpRootSet                *set,
                             const OpPlan             *plan,
                             const OpVolume           *upper,
                             const OpVolume           *lower,
                             const OpRootCheckOptions *options,
                             GPtrArray                *out_warnings)
{
  OpRootCheckOptions o = { 0 };
  double bone_raw[2] = { 0, 0 };
  g_autofree Root *roots = NULL;
  g_autofree int *index = NULL;
  g_autofree int *fdi = NULL;
  g_autofree int *pairs = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  guint n = 0, n_pairs;

  g_return_val_if_fail (set != NULL && plan != NULL && out_warnings != NULL, 0);
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

  /* The set's roots of the teeth in @plan (copies of the entries, which
   * the set keeps owning), with their plan indices. */
  roots = g_new0 (Root, MAX (set->n, 1));
  index = g_new0 (int, MAX (set->n, 1));
  fdi = g_new0 (int, MAX (set->n, 1));
  for (guint r = 0; r < set->n; r++)
    {
      int t = op_plan_find_tooth (plan, set->roots[r].fdi);

      if (t < 0)
        continue;
      roots[n] = set->roots[r];
      index[n] = t;
      fdi[n] = set->roots[r].fdi;
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
      int ia = -1, ib = -1;
      const Root *a, *b;
      OpCollideOptions co = { 0 };
      double min_gap = G_MAXDOUBLE, gap = 0;
      int first = -1;

      for (guint r = 0; r < n; r++)
        {
          if (fdi[r] == pairs[2 * p])
            ia = (int) r;
          if (fdi[r] == pairs[2 * p + 1])
            ib = (int) r;
        }
      g_assert (ia >= 0 && ib >= 0);
      a = &roots[ia];
      b = &roots[ib];
      co.max_distance = o.min_gap_mm + 0.5;
      co.tolerance = 0.01;
      for (guint s = 0; s < plan->n_stages; s++)
        {
          float ma[16], mb[16];

          /* Roots that did not move since the last stage keep their gap. */
          if (s == 0 ||
              memcmp (op_plan_pose (plan, s, index[ia]), op_plan_pose (plan, s - 1, index[ia]), sizeof (OpMovement)) != 0 ||
              memcmp (op_plan_pose (plan, s, index[ib]), op_plan_pose (plan, s - 1, index[ib]), sizeof (OpMovement)) != 0)
            {
              op_plan_stage_matrix (plan, s, index[ia], ma);
              op_plan_stage_matrix (plan, s, index[ib], mb);
              gap = root_gap (set, a, ma, b, mb, &co);
            }
          if (gap < o.min_gap_mm && first < 0)
            first = (int) s;
          min_gap = MIN (min_gap, gap);
        }
      if (first >= 0)
        add_warning (found, "root-proximity", a->fdi, b->fdi, first, min_gap,
                     min_gap < 0
                       ? g_strdup_printf ("The roots of %d and %d come closer than %.1f mm from stage %d on, "
                                          "and overlap by up to %.2f mm.",
                                          a->fdi, b->fdi, o.min_gap_mm, first, -min_gap)
                       : g_strdup_printf ("The roots of %d and %d come within %.2f mm of each other, first at "
                                          "stage %d (they should stay %.1f mm apart).",
                                          a->fdi, b->fdi, min_gap, first, o.min_gap_mm));
    }

  /* Bone, from each arch's own volume when it has one.  The bone density
   * is probed once per volume. */
  bone_raw[0] = o.bone_raw != 0 || upper == NULL ? o.bone_raw : probe_threshold (roots, n, upper);
  bone_raw[1] = o.bone_raw != 0 || lower == NULL ? o.bone_raw
              : lower == upper ? bone_raw[0] : probe_threshold (roots, n, lower);
  for (guint r = 0; r < n; r++)
    {
      double share0 = 0, lowest = 1, bound, share = 1;
      int first = -1;
      int jaw = op_fdi_is_upper (roots[r].fdi) ? 0 : 1;
      const OpVolume *volume = jaw == 0 ? upper : lower;

      if (roots[r].n_samples == 0)
        continue;
      for (guint s = 0; s < plan->n_stages; s++)
        {
          float m[16];

          if (s == 0 || memcmp (op_plan_pose (plan, s, index[r]), op_plan_pose (plan, s - 1, index[r]),
                                sizeof (OpMovement)) != 0)
            {
              op_plan_stage_matrix (plan, s, index[r], m);
              share = bone_share (&roots[r], m, volume, bone_raw[jaw], o.envelope_mm);
            }
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
                               "its surface is in bone (at least %.0f%% wanted; bone from the CBCT).",
                               roots[r].fdi, first, 100 * lowest, 100 * o.bone_fraction)
            : g_strdup_printf ("The root of %d leaves the alveolar bone, first at stage %d: as little as %.0f%% of "
                               "its surface is in bone (at least %.0f%% wanted; no CBCT, so a root surface that "
                               "moves more than %.1f mm towards the cortical plate it faces counts as out of the bone).",
                               roots[r].fdi, first, 100 * lowest, 100 * o.envelope_fraction, o.envelope_mm);

          add_warning (found, "root-bone", roots[r].fdi, 0, first, lowest, msg);
        }
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
