/* op-model-snap.c: isosurface vertices of the exposed crowns moved onto
 * the exact posed crown surfaces (op-model-private.h).
 *
 * The voxel union gives a closed surface whose vertices sit on lattice
 * edges, up to half a voxel diagonal from the true crown.  Where a vertex
 * clearly stands for one crown and nothing else (the voxel inside it
 * belongs to that tooth alone, no other tooth comes within
 * OP_MODEL_NEAR_VOXELS, and it is above the base's cervical band), it is
 * moved to the closest point of that crown's exact surface.  Only
 * positions change, never the triangles, so the surface stays closed and
 * consistently connected; a triangle that a move would turn over (or
 * flatten) keeps its vertices where the grid put them, which is the
 * orientation the union had.  The base, the junctions between crowns and
 * base, the contacts between teeth, the attachments and the label are
 * left exactly as the grid made them.
 *
 * The closest point is found in the crown's own coordinates (op-bvh.h),
 * so one tree per crown serves every pose.  Everything runs in vertex
 * order with no threads: the same model gives the same bytes.
 */
#include "op-model-private.h"

#include <math.h>
#include <string.h>

/* Whether lattice voxel @v (global index) is set in @sub (a tooth's mask
 * or near mask). */
static inline gboolean
tooth_has (const OpModelTooth *t, const guint8 *sub, const gint64 v[3])
{
  gint64 i = v[0] - t->lo[0], j = v[1] - t->lo[1], k = v[2] - t->lo[2];

  if (i < 0 || j < 0 || k < 0 || i >= t->n[0] || j >= t->n[1] || k >= t->n[2])
    return FALSE;
  return sub[((gsize) k * t->n[1] + (gsize) j) * t->n[0] + (gsize) i] != 0;
}

static void
normal_of (const float *pos, const guint32 *tri, double out[3])
{
  const float *a = pos + 3 * tri[0], *b = pos + 3 * tri[1], *c = pos + 3 * tri[2];
  double e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
  double e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };

  out[0] = e1[1] * e2[2] - e1[2] * e2[1];
  out[1] = e1[2] * e2[0] - e1[0] * e2[2];
  out[2] = e1[0] * e2[1] - e1[1] * e2[0];
}

gsize
op__model_snap (OpMesh                    *mesh,
                const OpModelSnapGrid     *grid,
                const OpModelTooth *const *teeth,
                guint                      n_teeth,
                OpModelCache              *cache)
{
  g_autofree float *grid_pos = NULL;
  g_autofree guint8 *moved = NULL;
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func ((GDestroyNotify) op_bvh_free);
  g_autofree const OpBvh **bvhs = g_new0 (const OpBvh *, n_teeth);
  g_autofree double *inv = g_new0 (double, 12 * (gsize) n_teeth);
  const double h = grid->h;
  gsize n_moved = 0;

  if (mesh->n_vertices == 0)
    return 0;
  grid_pos = g_memdup2 (mesh->positions, 12 * mesh->n_vertices);
  moved = g_malloc0 (mesh->n_vertices);

  /* The inverse of each rigid pose: R^T and -R^T t. */
  for (guint t = 0; t < n_teeth; t++)
    {
      const float *m;
      double *q = inv + 12 * t;

      if (teeth[t] == NULL)
        continue;
      m = teeth[t]->matrix;
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          q[3 * r + c] = m[4 * r + c];   /* row r of R^T is column r of R */
      for (int r = 0; r < 3; r++)
        q[9 + r] = -(q[3 * r] * m[12] + q[3 * r + 1] * m[13] + q[3 * r + 2] * m[14]);
    }

  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      float *p = mesh->positions + 3 * v;
      gint64 twice[3], a[3], b[3], in[3];
      int axis = -1, owner = -1;
      double s = grid->sign * p[2];
      const OpBvh *bvh;
      OpBvhHit hit;
      float local[3];
      const float *m;
      const double *q;

      if (s < grid->s_min)
        continue;
      /* Which lattice edge the vertex lies on: its index is a half
       * integer along exactly one axis. */
      for (int r = 0; r < 3; r++)
        {
          twice[r] = (gint64) llround (2.0 * p[r] / h);
          if (twice[r] & 1)
            axis = axis < 0 ? r : 3;
        }
      if (axis < 0 || axis > 2)
        continue;
      /* Exact integer division: the odd index less or plus one is even. */
      for (int r = 0; r < 3; r++)
        {
          a[r] = r == axis ? (twice[r] - 1) / 2 : twice[r] / 2;
          b[r] = r == axis ? (twice[r] + 1) / 2 : twice[r] / 2;
        }
      /* The voxel inside the model. */
      {
        gint64 ia[3], ib[3];
        gboolean in_a, in_b;

        for (int r = 0; r < 3; r++)
          {
            ia[r] = a[r] - grid->lo[r];
            ib[r] = b[r] - grid->lo[r];
            if (ia[r] < 0 || ib[r] < 0 || ia[r] >= grid->n[r] || ib[r] >= grid->n[r])
              goto next;
          }
        in_a = grid->mask[((gsize) ia[2] * grid->n[1] + (gsize) ia[1]) * grid->n[0] + (gsize) ia[0]] != 0;
        in_b = grid->mask[((gsize) ib[2] * grid->n[1] + (gsize) ib[1]) * grid->n[0] + (gsize) ib[0]] != 0;
        if (in_a == in_b)
          continue;
        memcpy (in, in_a ? a : b, sizeof in);
      }
      /* One tooth owns it, and no other comes near. */
      for (guint t = 0; t < n_teeth; t++)
        {
          if (teeth[t] == NULL || !tooth_has (teeth[t], teeth[t]->near, in))
            continue;
          if (owner >= 0 || !tooth_has (teeth[t], teeth[t]->mask, in))
            {
              owner = -2;
              break;
            }
          owner = (int) t;
        }
      if (owner < 0)
        continue;

      if (bvhs[owner] == NULL)
        {
          OpBvh *mine = NULL;

          bvhs[owner] = op__model_bvh_get (cache, teeth[owner]->crown, &mine);
          if (mine)
            g_ptr_array_add (owned, mine);
        }
      bvh = bvhs[owner];
      if (bvh == NULL)
        continue;
      /* The query point comes from the edge's global lattice index, not
       * from the vertex (whose float bits depend on the grid's origin),
       * so that the answer is a function of the key alone and can be
       * shared by every stage in which this tooth has this pose. */
      {
        const OpModelTooth *t = teeth[owner];
        gint64 e[3];
        guint64 key;
        gpointer value = NULL;
        gboolean known;

        for (int r = 0; r < 3; r++)
          e[r] = a[r] - t->lo[r];
        key = ((((guint64) e[0] << 20 | (guint64) e[1]) << 20 | (guint64) e[2]) << 2) | (guint64) axis;
        g_mutex_lock ((GMutex *) &t->memo_lock);
        known = g_hash_table_lookup_extended (t->memo, (gpointer) (guintptr) key, NULL, &value);
        if (known && GPOINTER_TO_UINT (value) > 0)
          memcpy (p, &g_array_index (t->memo_points, float, 3 * (GPOINTER_TO_UINT (value) - 1)), 12);
        g_mutex_unlock ((GMutex *) &t->memo_lock);
        if (known && GPOINTER_TO_UINT (value) == 0)
          continue;
        if (!known)
          {
            float world[3];
            gboolean found;

            q = inv + 12 * owner;
            m = t->matrix;
            for (int r = 0; r < 3; r++)
              world[r] = (float) ((a[r] + (r == axis ? 0.5 : 0.0)) * h);
            for (int r = 0; r < 3; r++)
              local[r] = (float) (q[3 * r] * world[0] + q[3 * r + 1] * world[1] + q[3 * r + 2] * world[2] + q[9 + r]);
            /* The crown's surface crosses the lattice edge between the
             * voxel inside it and the one outside (that is how the voxels
             * were classified), so it passes within half a step of the
             * edge's midpoint; the bound prunes most of the tree. */
            found = op_bvh_closest (bvh, local, (float) (0.51 * h), &hit);
            if (found)
              for (int r = 0; r < 3; r++)
                world[r] = m[r] * hit.point[0] + m[4 + r] * hit.point[1] + m[8 + r] * hit.point[2] + m[12 + r];
            /* Another thread may have stored the same answer meanwhile. */
            g_mutex_lock ((GMutex *) &t->memo_lock);
            if (!g_hash_table_contains (t->memo, (gpointer) (guintptr) key))
              {
                if (found)
                  g_array_append_val (t->memo_points, world);
                g_hash_table_insert (t->memo, (gpointer) (guintptr) key,
                                     GUINT_TO_POINTER (found ? t->memo_points->len : 0));
              }
            g_mutex_unlock ((GMutex *) &t->memo_lock);
            if (!found)
              continue;
            memcpy (p, world, 12);
          }
      }
      moved[v] = 1;
    next:
      ;
    }

  /* Put back the vertices of any triangle the moves turned over or
   * flattened, until none is left: a reverted vertex can only make its
   * other triangles more like the grid's. */
  for (int pass = 0; pass < 8; pass++)
    {
      gboolean changed = FALSE;

      for (gsize t = 0; t < mesh->n_triangles; t++)
        {
          const guint32 *tri = mesh->indices + 3 * t;
          double before[3], after[3], dot, la, lb;

          if (!moved[tri[0]] && !moved[tri[1]] && !moved[tri[2]])
            continue;
          normal_of (grid_pos, tri, before);
          normal_of (mesh->positions, tri, after);
          dot = before[0] * after[0] + before[1] * after[1] + before[2] * after[2];
          la = sqrt (before[0] * before[0] + before[1] * before[1] + before[2] * before[2]);
          lb = sqrt (after[0] * after[0] + after[1] * after[1] + after[2] * after[2]);
          /* Turned by more than about 75 degrees, or shrunk to a sliver. */
          if (dot > 0.25 * la * lb && lb > 0.02 * la)
            continue;
          for (int c = 0; c < 3; c++)
            if (moved[tri[c]])
              {
                memcpy (mesh->positions + 3 * tri[c], grid_pos + 3 * tri[c], 12);
                moved[tri[c]] = 0;
                changed = TRUE;
              }
        }
      if (!changed)
        break;
    }
  for (gsize v = 0; v < mesh->n_vertices; v++)
    n_moved += moved[v];
  return n_moved;
}
