/* op-model-cache.c: posed teeth voxelised once per pose and reused by
 * the models of every stage (op-model.h, op-model-private.h).
 *
 * Most teeth of a plan stand still for many stages (anchors, teeth that
 * have finished moving), and voxelising a real tooth of 20k-45k triangles
 * is the largest part of building a model.  So a tooth is voxelised into a
 * small grid of its own on the global lattice (voxel centres at integer
 * multiples of the step), keyed by its exact pose, and copied into each
 * stage's grid.  Because the tooth's grid does not depend on the model it
 * goes into, a model is the same bytes whether its teeth came from the
 * cache, were made by another thread, or were made just now. */
#include "op-model-private.h"

#include <math.h>
#include <string.h>

#include "op-voxelize.h"

struct _OpModelCache {
  GMutex     lock;
  GPtrArray *teeth;      /* OpModelTooth*, owned */
  GPtrArray *bvhs;       /* OpBvh*, owned, one per crown in @crowns */
  GPtrArray *crowns;     /* const OpMesh*, borrowed keys of @bvhs */
  GArray    *bvh_ready;  /* gboolean per crown: its tree is built */
  GCond      cond;       /* a tooth or a tree became ready */
  gsize      bytes;      /* summed masks */
  gsize      max_bytes;
  guint      hits;
  guint      misses;
};

OpModelCache *
op_model_cache_new (gsize max_bytes)
{
  OpModelCache *cache = g_new0 (OpModelCache, 1);

  g_mutex_init (&cache->lock);
  cache->teeth = g_ptr_array_new_with_free_func ((GDestroyNotify) op__model_tooth_free);
  cache->bvhs = g_ptr_array_new_with_free_func ((GDestroyNotify) op_bvh_free);
  cache->crowns = g_ptr_array_new ();
  cache->bvh_ready = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_cond_init (&cache->cond);
  cache->max_bytes = max_bytes ? max_bytes : (gsize) 256 << 20;
  return cache;
}

void
op_model_cache_free (OpModelCache *cache)
{
  if (cache == NULL)
    return;
  g_ptr_array_unref (cache->teeth);
  g_ptr_array_unref (cache->bvhs);
  g_ptr_array_unref (cache->crowns);
  g_array_unref (cache->bvh_ready);
  g_cond_clear (&cache->cond);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

void
op_model_cache_get_stats (OpModelCache *cache, guint *hits, guint *misses)
{
  g_return_if_fail (cache != NULL);
  g_mutex_lock (&cache->lock);
  if (hits)
    *hits = cache->hits;
  if (misses)
    *misses = cache->misses;
  g_mutex_unlock (&cache->lock);
}

void
op__model_tooth_free (OpModelTooth *tooth)
{
  if (tooth == NULL)
    return;
  g_free (tooth->mask);
  g_free (tooth->near);
  g_hash_table_unref (tooth->memo);
  g_array_unref (tooth->memo_points);
  g_mutex_clear (&tooth->memo_lock);
  g_free (tooth);
}

static gboolean
same_key (const OpModelTooth *t, const OpMesh *crown, const float matrix[16], double h)
{
  return t->crown == crown && t->h == h && memcmp (t->matrix, matrix, sizeof t->matrix) == 0;
}

/* @mask (n[0] * n[1] * n[2]) grown by @r voxels along each axis in
 * turn, which grows it by a box: three passes of a running window. */
static guint8 *
grow_box (const guint8 *mask, const int n[3], int r)
{
  gsize total = (gsize) n[0] * n[1] * n[2];
  gsize stride[3] = { 1, (gsize) n[0], (gsize) n[0] * n[1] };
  guint8 *a = g_memdup2 (mask, total);
  g_autofree guint8 *b = g_malloc (total);

  for (int axis = 0; axis < 3; axis++)
    {
      memcpy (b, a, total);
      for (gsize x = 0; x < total; x++)
        {
          int c = (int) ((x / stride[axis]) % n[axis]);

          if (b[x])
            continue;
          for (int d = -r; d <= r && !a[x]; d++)
            if (d != 0 && c + d >= 0 && c + d < n[axis] && b[(gssize) x + d * (gssize) stride[axis]])
              a[x] = 1;
        }
    }
  return a;
}

/* The key, the posed bounds and the sub-grid's place and size: all that
 * is needed to decide whether the tooth fits in the cache. */
static OpModelTooth *
tooth_new (const OpMesh *crown, const float matrix[16], double h)
{
  OpModelTooth *t = g_new0 (OpModelTooth, 1);

  t->crown = crown;
  memcpy (t->matrix, matrix, sizeof t->matrix);
  t->h = h;
  for (int r = 0; r < 3; r++)
    {
      t->bmin[r] = G_MAXDOUBLE;
      t->bmax[r] = -G_MAXDOUBLE;
    }
  for (gsize v = 0; v < crown->n_vertices; v++)
    {
      const float *q = crown->positions + 3 * v;
      for (int r = 0; r < 3; r++)
        {
          double p = matrix[r] * q[0] + matrix[4 + r] * q[1] + matrix[8 + r] * q[2] + matrix[12 + r];
          t->bmin[r] = MIN (t->bmin[r], p);
          t->bmax[r] = MAX (t->bmax[r], p);
        }
    }
  /* Empty voxels all round, as many as the near mask grows by plus one:
   * the tooth's own grid never clips it or its near mask. */
  for (int r = 0; r < 3; r++)
    {
      t->lo[r] = (gint64) floor (t->bmin[r] / h) - (OP_MODEL_NEAR_VOXELS + 1);
      t->n[r] = (int) ((gint64) ceil (t->bmax[r] / h) + (OP_MODEL_NEAR_VOXELS + 1) - t->lo[r] + 1);
    }
  g_mutex_init (&t->memo_lock);
  t->memo = g_hash_table_new (g_direct_hash, g_direct_equal);
  t->memo_points = g_array_new (FALSE, FALSE, 3 * sizeof (float));
  return t;
}

/* The voxels: the slow part, done outside the cache's lock. */
static void
tooth_fill (OpModelTooth *t)
{
  OpVolume grid = { 0 };
  double h = t->h;

  t->mask = g_malloc0 ((gsize) t->n[0] * t->n[1] * t->n[2]);

  /* op_voxelize_mesh() reads only the dims and the transform. */
  grid.dims[0] = t->n[0];
  grid.dims[1] = t->n[1];
  grid.dims[2] = t->n[2];
  for (int r = 0; r < 3; r++)
    {
      grid.spacing[r] = h;
      grid.transform[5 * r] = h;
      grid.transform[12 + r] = t->lo[r] * h;
    }
  grid.transform[15] = 1;
  grid.slope = 1;
  op_voxelize_mesh (t->crown, t->matrix, &grid, t->mask, 1);
  t->near = grow_box (t->mask, t->n, OP_MODEL_NEAR_VOXELS);
}

const OpModelTooth *
op__model_tooth_get (OpModelCache  *cache,
                     const OpMesh  *crown,
                     const float    matrix[16],
                     double         h,
                     OpModelTooth **owned)
{
  OpModelTooth *t;
  gsize bytes;

  *owned = NULL;
  if (cache == NULL)
    {
      t = tooth_new (crown, matrix, h);
      tooth_fill (t);
      *owned = t;
      return t;
    }

  g_mutex_lock (&cache->lock);
  for (guint i = 0; i < cache->teeth->len; i++)
    {
      t = g_ptr_array_index (cache->teeth, i);
      if (same_key (t, crown, matrix, h))
        {
          /* Two threads usually start with the same teeth (the first
           * stages of an arch): the second waits for the first instead
           * of voxelising the tooth again. */
          while (!t->ready)
            g_cond_wait (&cache->cond, &cache->lock);
          cache->hits++;
          g_mutex_unlock (&cache->lock);
          return t;
        }
    }
  cache->misses++;
  t = tooth_new (crown, matrix, h);
  bytes = 2 * (gsize) t->n[0] * t->n[1] * t->n[2];
  if (cache->bytes + bytes > cache->max_bytes)
    {
      /* No room: this caller's own copy. */
      g_mutex_unlock (&cache->lock);
      tooth_fill (t);
      *owned = t;
      return t;
    }
  cache->bytes += bytes;
  g_ptr_array_add (cache->teeth, t);
  g_mutex_unlock (&cache->lock);

  tooth_fill (t);

  g_mutex_lock (&cache->lock);
  t->ready = TRUE;
  g_cond_broadcast (&cache->cond);
  g_mutex_unlock (&cache->lock);
  return t;
}

const OpBvh *
op__model_bvh_get (OpModelCache *cache, const OpMesh *crown, OpBvh **owned)
{
  OpBvh *bvh;
  guint slot;

  *owned = NULL;
  if (cache == NULL)
    {
      *owned = op_bvh_new_for_mesh (crown);
      return *owned;
    }
  g_mutex_lock (&cache->lock);
  for (guint i = 0; i < cache->crowns->len; i++)
    if (g_ptr_array_index (cache->crowns, i) == crown)
      {
        /* Being built by another thread: wait for it, as for teeth. */
        while (!g_array_index (cache->bvh_ready, gboolean, i))
          g_cond_wait (&cache->cond, &cache->lock);
        bvh = g_ptr_array_index (cache->bvhs, i);
        g_mutex_unlock (&cache->lock);
        return bvh;
      }
  slot = cache->crowns->len;
  g_ptr_array_add (cache->crowns, (gpointer) crown);
  g_ptr_array_add (cache->bvhs, NULL);
  {
    gboolean no = FALSE;
    g_array_append_val (cache->bvh_ready, no);
  }
  g_mutex_unlock (&cache->lock);

  bvh = op_bvh_new_for_mesh (crown);

  g_mutex_lock (&cache->lock);
  g_ptr_array_index (cache->bvhs, slot) = bvh;
  g_array_index (cache->bvh_ready, gboolean, slot) = TRUE;
  g_cond_broadcast (&cache->cond);
  g_mutex_unlock (&cache->lock);
  return bvh;
}
