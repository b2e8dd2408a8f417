/* op-planner-collide.c: the collider of op-planner.h (the crown trees,
 * the memo of depths, and what a re-plan keeps) and the collision
 * measurement of plans. */
#include "op-planner-private.h"

#include <string.h>

#include "op-hash-private.h"

/* A re-plan after an edit measures mostly the same pairs in the same
 * poses as the plan before it: the teeth the edit does not touch keep
 * their schedules, stage 0 is the same in every plan, and each round of
 * re-sequencing moves only the teeth it delays.  So the collider keeps
 * every depth it has measured, keyed by the pair and the exact bytes of
 * both transforms.  op_collide_pair() is a pure function of those (the
 * trees are the collider's own and the options are fixed), so a value
 * from the memo is the very value a new query would give, and the plan's
 * bytes do not depend on what the memo held. */
typedef struct {
  int   fdi_a, fdi_b;
  float ma[16], mb[16];
} MemoKey;

G_STATIC_ASSERT (sizeof (MemoKey) == 34 * sizeof (float));

/* Past this many entries the memo starts again, so that a long editing
 * session cannot grow it without bound (about 150 bytes each). */
#define MEMO_MAX_ENTRIES 200000

static void
put_double (GByteArray *b, double v)
{
  g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

/* What the setup and the roots depend on in @d, beyond the meshes the
 * collider's trees were built from: numbers, frames, widths, which roots
 * are known, and enough of each mesh to tell another from it.  Kept with
 * what was made from it, so that a caller who hands the collider teeth
 * with other frames gets them made again rather than stale. */
void
op__planner_stamp (GByteArray *b, const OpDentition *d)
{
  for (guint i = 0; i < d->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (d->teeth, i);
      const OpMesh *meshes[2] = { t->crown, t->root };

      put_double (b, t->fdi);
      put_double (b, t->has_frame);
      for (int a = 0; a < 3; a++)
        {
          put_double (b, t->frame.origin[a]);
          put_double (b, t->frame.mesial[a]);
          put_double (b, t->frame.buccal[a]);
          put_double (b, t->frame.occlusal[a]);
        }
      put_double (b, t->width);
      for (int k = 0; k < 2; k++)
        {
          const OpMesh *m = meshes[k];

          put_double (b, m ? (double) m->n_vertices : -1.0);
          put_double (b, m ? (double) m->n_triangles : -1.0);
          if (m != NULL && m->n_vertices > 0)
            for (int a = 0; a < 3; a++)
              {
                put_double (b, m->positions[a]);
                put_double (b, m->positions[(m->n_vertices - 1) * 3 + a]);
              }
        }
    }
}

GBytes *
op__planner_setup_key (const OpDentition *d, const OpSetupOptions *o)
{
  GByteArray *b = g_byte_array_new ();

  op__planner_stamp (b, d);
  put_double (b, o != NULL);
  if (o != NULL)
    {
      const OpPrescription *rx = o->prescription;

      put_double (b, o->max_expansion);
      put_double (b, o->max_proclination);
      put_double (b, o->max_spee);
      put_double (b, o->overjet);
      put_double (b, o->overbite);
      put_double (b, o->use_ipr);
      put_double (b, o->ipr.anterior_max);
      put_double (b, o->ipr.posterior_max);
      put_double (b, o->ipr.enamel_fraction);
      put_double (b, o->ipr.lower_incisor_total);
      put_double (b, rx != NULL);
      if (rx != NULL)
        {
          for (int k = 0; k < 8; k++)
            {
              put_double (b, rx->upper_tip[k]);
              put_double (b, rx->upper_torque[k]);
              put_double (b, rx->lower_tip[k]);
              put_double (b, rx->lower_torque[k]);
            }
          if (rx->name != NULL)
            g_byte_array_append (b, (const guint8 *) rx->name, strlen (rx->name) + 1);
        }
    }
  return g_byte_array_free_to_bytes (b);
}

static guint
memo_hash (gconstpointer key)
{
  /* MemoKey has no padding. */
  return op__hash_bytes (key, sizeof (MemoKey));
}

static gboolean
memo_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (MemoKey)) == 0;
}

typedef struct {
  const OpDentition *dentition;
  OpBvh            **built;   /* one per tooth, in dentition order */
  gint               next;    /* atomic: the next tooth */
} BuildJob;

static gpointer
build_worker (gpointer data)
{
  BuildJob *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->dentition->teeth->len)
    {
      const OpTooth *t = g_ptr_array_index (job->dentition->teeth, i);

      job->built[i] = t->crown ? op_bvh_new_for_mesh (t->crown) : NULL;
    }
  return NULL;
}

OpPlannerCollider *
op_planner_collider_new (const OpDentition *dentition)
{
  OpPlannerCollider *c;
  g_autofree OpBvh **built = NULL;
  BuildJob job = { dentition, NULL, 0 };
  GThread *threads[4] = { NULL };
  guint n_threads;

  g_return_val_if_fail (dentition != NULL, NULL);

  c = g_new0 (OpPlannerCollider, 1);
  c->fdi = g_new0 (int, MAX (dentition->teeth->len, 1));
  c->bvh = g_new0 (OpBvh *, MAX (dentition->teeth->len, 1));
  c->memo = g_hash_table_new_full (memo_hash, memo_equal, g_free, g_free);
  /* Each tree is built from its own tooth alone, so building them on
   * several threads gives the same trees. */
  built = g_new0 (OpBvh *, MAX (dentition->teeth->len, 1));
  job.built = built;
  n_threads = MIN (CLAMP (g_get_num_processors (), 1, 4), MAX (dentition->teeth->len, 1));
  for (guint i = 1; i < n_threads; i++)
    threads[i] = g_thread_new ("op-bvh", build_worker, &job);
  build_worker (&job);
  for (guint i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      const OpTooth *t = g_ptr_array_index (dentition->teeth, i);

      if (built[i] == NULL)
        continue;
      c->fdi[c->n] = t->fdi;
      c->bvh[c->n] = built[i];
      c->n++;
    }
  return c;
}

void
op_planner_collider_free (OpPlannerCollider *collider)
{
  if (collider == NULL)
    return;
  for (guint i = 0; i < collider->n; i++)
    op_bvh_free (collider->bvh[i]);
  g_free (collider->bvh);
  g_free (collider->fdi);
  g_hash_table_destroy (collider->memo);
  op_root_set_free (collider->roots);
  g_clear_pointer (&collider->roots_stamp, g_bytes_unref);
  op_setup_free (collider->setup);
  g_clear_pointer (&collider->setup_key, g_bytes_unref);
  g_free (collider);
}

static const OpBvh *
collider_get (const OpPlannerCollider *c, int fdi)
{
  for (guint i = 0; i < c->n; i++)
    if (c->fdi[i] == fdi)
      return c->bvh[i];
  return NULL;
}

typedef struct {
  const OpPlan      *plan;
  guint              n;        /* pairs */
  const int         *ia, *ib;  /* per pair: plan indices of its teeth */
  const OpBvh      **ba, **bb; /* per pair: their trees */
  const float       *matrices;
  double            *depth;    /* n_stages * n */
  const guint       *todo;     /* cells (stage * n + pair) to query */
  guint              n_todo;
  gint               next;     /* atomic: the next entry of todo */
  OpCollideStats     stats;    /* under the lock */
} MeasureJob;

static GMutex stats_lock;

/* Only overlaps matter to the plan; gaps are reported as "at least 0.05
 * mm", which lets the search stop early on every pair that is apart. */
static const OpCollideOptions collide_options = { OP_PLAN_OVERLAP_WARNING, 0.01 };

static gpointer
measure_worker (gpointer data)
{
  MeasureJob *job = data;
  const OpPlan *plan = job->plan;
  OpCollideStats stats = { 0 };
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->n_todo)
    {
      guint cell = job->todo[i], s = cell / job->n, p = cell % job->n;

      job->depth[cell] =
        op_collide_pair (job->ba[p], job->matrices + 16 * ((gsize) s * plan->n_teeth + job->ia[p]),
                         job->bb[p], job->matrices + 16 * ((gsize) s * plan->n_teeth + job->ib[p]),
                         &collide_options, NULL, &stats);
    }
  g_mutex_lock (&stats_lock);
  job->stats.pair_queries += stats.pair_queries;
  job->stats.early_outs += stats.early_outs;
  job->stats.point_queries += stats.point_queries;
  g_mutex_unlock (&stats_lock);
  return NULL;
}

static void
memo_key (MemoKey *key, int fdi_a, int fdi_b, const float *ma, const float *mb)
{
  memset (key, 0, sizeof *key);
  key->fdi_a = fdi_a;
  key->fdi_b = fdi_b;
  memcpy (key->ma, ma, sizeof key->ma);
  memcpy (key->mb, mb, sizeof key->mb);
}

void
op_planner_collider_forget (OpPlannerCollider *collider)
{
  g_return_if_fail (collider != NULL);
  g_hash_table_remove_all (collider->memo);
  g_clear_pointer (&collider->roots, op_root_set_free);
  g_clear_pointer (&collider->roots_stamp, g_bytes_unref);
  g_clear_pointer (&collider->setup, op_setup_free);
  g_clear_pointer (&collider->setup_key, g_bytes_unref);
}

guint64
op_planner_collider_memo_hits (const OpPlannerCollider *collider)
{
  g_return_val_if_fail (collider != NULL, 0);
  return collider->memo_hits;
}

int *
op_planner_measure (OpPlannerCollider *collider,
                    const OpPlan      *plan,
                    gboolean           occlusal,
                    guint             *n_pairs,
                    double           **out,
                    OpCollideStats    *stats)
{
  g_autofree int *fdis = NULL;
  g_autofree int *all = NULL;
  g_autofree int *pairs = NULL;
  g_autofree float *matrices = NULL;
  g_autofree int *ia = NULL, *ib = NULL;
  g_autofree const OpBvh **ba = NULL, **bb = NULL;
  g_autofree guint *todo = NULL;
  g_autofree guint8 *copy = NULL;
  double *depth;
  guint n_fdis = 0, n_all, n = 0, n_todo = 0;

  g_return_val_if_fail (collider != NULL && plan != NULL && n_pairs != NULL && out != NULL, NULL);

  /* Only teeth with a mesh take part. */
  fdis = g_new0 (int, MAX (plan->n_teeth, 1));
  for (guint t = 0; t < plan->n_teeth; t++)
    if (collider_get (collider, plan->teeth[t].fdi) != NULL)
      fdis[n_fdis++] = plan->teeth[t].fdi;

  n_all = op_collide_list_pairs (fdis, n_fdis, occlusal, NULL, 0);
  all = g_new0 (int, 2 * MAX (n_all, 1));
  op_collide_list_pairs (fdis, n_fdis, occlusal, all, n_all);
  pairs = g_new0 (int, 2 * MAX (n_all, 1));
  for (guint p = 0; p < n_all; p++)
    {
      gboolean cross = op_fdi_is_upper (all[2 * p]) != op_fdi_is_upper (all[2 * p + 1]);

      if (cross == occlusal)
        {
          pairs[2 * n] = all[2 * p];
          pairs[2 * n + 1] = all[2 * p + 1];
          n++;
        }
    }
  ia = g_new0 (int, MAX (n, 1));
  ib = g_new0 (int, MAX (n, 1));
  ba = g_new0 (const OpBvh *, MAX (n, 1));
  bb = g_new0 (const OpBvh *, MAX (n, 1));
  for (guint p = 0; p < n; p++)
    {
      ia[p] = op_plan_find_tooth (plan, pairs[2 * p]);
      ib[p] = op_plan_find_tooth (plan, pairs[2 * p + 1]);
      ba[p] = collider_get (collider, pairs[2 * p]);
      bb[p] = collider_get (collider, pairs[2 * p + 1]);
    }

  /* Every tooth's matrix at every stage, once. */
  matrices = g_new (float, (gsize) 16 * plan->n_stages * MAX (plan->n_teeth, 1));
  for (guint s = 0; s < plan->n_stages; s++)
    for (guint t = 0; t < plan->n_teeth; t++)
      op_plan_stage_matrix (plan, s, t, matrices + 16 * ((gsize) s * plan->n_teeth + t));

  /* Which cells need a query.  A pair in which neither tooth moved since
   * the last stage keeps its depth (most teeth rest most of the time in a
   * staged plan); a pair in poses the memo has seen takes its value. */
  depth = g_new0 (double, MAX ((gsize) plan->n_stages * n, 1));
  todo = g_new (guint, MAX ((gsize) plan->n_stages * n, 1));
  copy = g_new0 (guint8, MAX ((gsize) plan->n_stages * n, 1));
  for (guint p = 0; p < n; p++)
    for (guint s = 0; s < plan->n_stages; s++)
      {
        guint cell = s * n + p;
        MemoKey key;
        const double *known;

        if (s > 0 &&
            memcmp (op_plan_pose (plan, s, ia[p]), op_plan_pose (plan, s - 1, ia[p]), sizeof (OpMovement)) == 0 &&
            memcmp (op_plan_pose (plan, s, ib[p]), op_plan_pose (plan, s - 1, ib[p]), sizeof (OpMovement)) == 0)
          {
            copy[cell] = 1;
            continue;
          }
        memo_key (&key, pairs[2 * p], pairs[2 * p + 1], matrices + 16 * ((gsize) s * plan->n_teeth + ia[p]),
                  matrices + 16 * ((gsize) s * plan->n_teeth + ib[p]));
        known = g_hash_table_lookup (collider->memo, &key);
        if (known != NULL)
          {
            depth[cell] = *known;
            collider->memo_hits++;
          }
        else
          todo[n_todo++] = cell;
      }

  {
    MeasureJob job = { plan, n, ia, ib, (const OpBvh **) ba, (const OpBvh **) bb, matrices, depth, todo, n_todo, 0,
                       { 0 } };
    guint n_threads = CLAMP (g_get_num_processors (), 1, 4);
    GThread *threads[4] = { NULL };

    /* Cells are independent and each writes only its own, so the result
     * is the same bytes whatever the number of threads. */
    n_threads = MIN (n_threads, MAX (n_todo, 1));
    for (guint i = 1; i < n_threads; i++)
      threads[i] = g_thread_new ("op-collide", measure_worker, &job);
    measure_worker (&job);
    for (guint i = 1; i < n_threads; i++)
      g_thread_join (threads[i]);
    if (stats)
      {
        stats->pair_queries += job.stats.pair_queries;
        stats->early_outs += job.stats.early_outs;
        stats->point_queries += job.stats.point_queries;
      }
  }

  /* Resting pairs copy the stage before, in stage order. */
  for (guint s = 1; s < plan->n_stages; s++)
    for (guint p = 0; p < n; p++)
      if (copy[s * n + p])
        depth[s * n + p] = depth[(s - 1) * n + p];

  if (g_hash_table_size (collider->memo) + n_todo > MEMO_MAX_ENTRIES)
    g_hash_table_remove_all (collider->memo);
  for (guint i = 0; i < n_todo; i++)
    {
      guint cell = todo[i], s = cell / n, p = cell % n;
      MemoKey *key = g_new (MemoKey, 1);

      memo_key (key, pairs[2 * p], pairs[2 * p + 1], matrices + 16 * ((gsize) s * plan->n_teeth + ia[p]),
                matrices + 16 * ((gsize) s * plan->n_teeth + ib[p]));
      g_hash_table_insert (collider->memo, key, g_memdup2 (&depth[cell], sizeof (double)));
    }

  *n_pairs = n;
  *out = depth;
  return g_steal_pointer (&pairs);
}

GPtrArray *
op_planner_check (const OpDentition *dentition,
                  const OpPlan      *plan)
{
  g_autoptr(OpPlannerCollider) collider = NULL;
  g_autofree int *pairs = NULL;
  g_autofree double *depth = NULL;
  OpPlanOverlaps ov = { 0 };
  guint n = 0;

  g_return_val_if_fail (plan != NULL, NULL);

  if (dentition == NULL)
    return op_plan_check (plan, NULL, NULL);
  collider = op_planner_collider_new (dentition);
  pairs = op_planner_measure (collider, plan, FALSE, &n, &depth, NULL);
  ov.n_pairs = n;
  ov.pairs = pairs;
  ov.n_stages = plan->n_stages;
  ov.depth = depth;
  return op_plan_check (plan, &ov, NULL);
}

