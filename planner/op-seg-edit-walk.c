/* op-seg-edit-walk.c: the corrections that walk the surface: vertex
 * adjacency, the seeded split and the brush.
 *
 * Geodesic walks use Dijkstra's algorithm with ties broken by vertex
 * index, so that the same mesh and request always give the same change.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "op-seg-edit-private.h"

/* How much a concave fold slows a seeded split's fronts (see edge_cost). */
#define OP__CONCAVE_WEIGHT_MM 4.0

/* ---- adjacency ------------------------------------------------------ */

static int
compare_u32 (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

OpSegAdjacency *
op_seg_adjacency_new (const OpMesh *mesh)
{
  OpSegAdjacency *adj;
  g_autofree gsize *fill = NULL;
  gsize nv, total = 0;

  g_return_val_if_fail (mesh != NULL, NULL);

  nv = mesh->n_vertices;
  adj = g_new0 (OpSegAdjacency, 1);
  adj->n_vertices = nv;
  adj->offsets = g_new0 (gsize, nv + 1);
  /* Each triangle gives each corner its two other corners; count, fill,
   * then sort and drop the repeats of shared edges row by row. */
  for (gsize t = 0; t < mesh->n_triangles; t++)
    for (int k = 0; k < 3; k++)
      {
        guint32 v = mesh->indices[3 * t + k];
        if (v < nv)
          adj->offsets[v + 1] += 2;
      }
  for (gsize v = 0; v < nv; v++)
    adj->offsets[v + 1] += adj->offsets[v];
  adj->neighbours = g_new (guint32, MAX (adj->offsets[nv], 1));
  fill = g_new0 (gsize, MAX (nv, 1));
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = &mesh->indices[3 * t];
      for (int k = 0; k < 3; k++)
        {
          guint32 v = tri[k];
          if (v >= nv)
            continue;
          adj->neighbours[adj->offsets[v] + fill[v]++] = tri[(k + 1) % 3];
          adj->neighbours[adj->offsets[v] + fill[v]++] = tri[(k + 2) % 3];
        }
    }
  for (gsize v = 0; v < nv; v++)
    {
      guint32 *row = &adj->neighbours[adj->offsets[v]];
      gsize len = adj->offsets[v + 1] - adj->offsets[v], k = 0;

      qsort (row, len, sizeof *row, compare_u32);
      for (gsize i = 0; i < len; i++)
        if ((i == 0 || row[i] != row[i - 1]) && row[i] != v && row[i] < nv)
          row[k++] = row[i];
      /* Compact in place: rows only shrink, and earlier rows are already
       * final, so this row moves down to where the last one ended. */
      memmove (&adj->neighbours[total], row, k * sizeof *row);
      adj->offsets[v] = total;
      total += k;
    }
  adj->offsets[nv] = total;
  return adj;
}

void
op_seg_adjacency_free (OpSegAdjacency *adjacency)
{
  if (adjacency == NULL)
    return;
  g_free (adjacency->offsets);
  g_free (adjacency->neighbours);
  g_free (adjacency);
}

guint32
op_seg_nearest_vertex (const OpMesh *mesh,
                       const gint32 *labels,
                       int           label,
                       const float   point[3])
{
  guint32 best = G_MAXUINT32;
  double best_d = INFINITY;

  g_return_val_if_fail (mesh != NULL && point != NULL, G_MAXUINT32);

  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      const float *p = &mesh->positions[3 * v];
      double dx = (double) p[0] - point[0], dy = (double) p[1] - point[1], dz = (double) p[2] - point[2];
      double d = dx * dx + dy * dy + dz * dz;
      if (labels && labels[v] != label)
        continue;
      if (d < best_d)
        {
          best_d = d;
          best = (guint32) v;
        }
    }
  return best;
}

/* ---- Dijkstra over the mesh edges ----------------------------------- */

typedef struct {
  double  key;
  guint32 v;
} HeapItem;

typedef struct {
  HeapItem *items;
  gsize     len, cap;
} Heap;

static gboolean
heap_less (const HeapItem *x,
           const HeapItem *y)
{
  return x->key < y->key || (x->key == y->key && x->v < y->v);
}

static void
heap_push (Heap    *h,
           double   key,
           guint32  v)
{
  gsize i;

  if (h->len == h->cap)
    {
      h->cap = MAX (64, 2 * h->cap);
      h->items = g_renew (HeapItem, h->items, h->cap);
    }
  i = h->len++;
  h->items[i] = (HeapItem) { key, v };
  while (i > 0 && heap_less (&h->items[i], &h->items[(i - 1) / 2]))
    {
      HeapItem t = h->items[i];
      h->items[i] = h->items[(i - 1) / 2];
      h->items[(i - 1) / 2] = t;
      i = (i - 1) / 2;
    }
}

static HeapItem
heap_pop (Heap *h)
{
  HeapItem top = h->items[0];
  gsize i = 0;

  h->items[0] = h->items[--h->len];
  for (;;)
    {
      gsize l = 2 * i + 1, r = l + 1, m = i;
      if (l < h->len && heap_less (&h->items[l], &h->items[m]))
        m = l;
      if (r < h->len && heap_less (&h->items[r], &h->items[m]))
        m = r;
      if (m == i)
        break;
      HeapItem t = h->items[i];
      h->items[i] = h->items[m];
      h->items[m] = t;
      i = m;
    }
  return top;
}

/* The cost of walking from @u to @v: the edge's length, and with
 * @normals, more where the surface folds inwards along the edge.  The
 * normal curvature along the edge is about -(n_v - n_u) . e / |e| (e the
 * edge); it is positive in a concave fold such as the groove where two
 * touching teeth meet.  Fronts grown from two seeds slow down in the
 * groove and meet there rather than at the midpoint between the seeds. */
static double
edge_cost (const OpMesh *mesh,
           const float  *normals,
           guint32       u,
           guint32       v)
{
  const float *p = &mesh->positions[3 * u], *q = &mesh->positions[3 * v];
  double e[3] = { (double) q[0] - p[0], (double) q[1] - p[1], (double) q[2] - p[2] };
  double len = sqrt (e[0] * e[0] + e[1] * e[1] + e[2] * e[2]), kappa;

  if (normals == NULL || len <= 0.0)
    return len;
  kappa = 0.0;
  for (int i = 0; i < 3; i++)
    kappa -= ((double) normals[3 * v + i] - normals[3 * u + i]) * e[i];
  kappa /= len * len;
  /* 1 / mm: a groove of 0.5 mm radius costs 1 + 4 * 2 = 9 times its length. */
  return len * (1.0 + OP__CONCAVE_WEIGHT_MM * MAX (kappa, 0.0));
}

/* Multi-source Dijkstra.  Vertices for which @allowed is 0 are never
 * entered (NULL allows all); walks stop beyond @limit.  @dist gets the
 * distance (INFINITY where unreached) and @owner (may be NULL) the index
 * of the nearest source; on equal distance the lower source index wins. */
static void
dijkstra (const OpMesh         *mesh,
          const float          *normals,
          const OpSegAdjacency *adj,
          const guint32        *sources,
          guint                 n_sources,
          const guint8         *allowed,
          double                limit,
          double               *dist,
          guint8               *owner)
{
  Heap h = { 0 };

  for (gsize v = 0; v < mesh->n_vertices; v++)
    dist[v] = INFINITY;
  for (guint s = 0; s < n_sources; s++)
    {
      dist[sources[s]] = 0.0;
      if (owner)
        owner[sources[s]] = (guint8) s;
      heap_push (&h, 0.0, sources[s]);
    }
  while (h.len > 0)
    {
      HeapItem it = heap_pop (&h);
      guint32 u = it.v;

      if (it.key > dist[u])
        continue;
      for (gsize k = adj->offsets[u]; k < adj->offsets[u + 1]; k++)
        {
          guint32 w = adj->neighbours[k];
          double nd;

          if (allowed && !allowed[w])
            continue;
          nd = dist[u] + edge_cost (mesh, normals, u, w);
          if (nd > limit)
            continue;
          if (nd < dist[w] || (owner && nd == dist[w] && owner[u] < owner[w]))
            {
              gboolean improved = nd < dist[w];
              dist[w] = nd;
              if (owner)
                owner[w] = owner[u];
              if (improved)
                heap_push (&h, nd, w);
            }
        }
    }
  g_free (h.items);
}

OpSegChange *
op_seg_split_seeds (const OpMesh         *mesh,
                    const OpSegAdjacency *adjacency,
                    const gint32         *labels,
                    gboolean              upper,
                    int                   fdi,
                    guint32               seed_keep,
                    guint32               seed_new,
                    int                   new_label,
                    GError              **error)
{
  g_autofree guint8 *allowed = NULL, *owner = NULL, *mask = NULL;
  g_autofree double *dist = NULL;
  g_autofree float *normals = NULL;
  guint32 seeds[2] = { seed_keep, seed_new };
  gsize n = 0, n_new = 0, n_keep = 0;

  g_return_val_if_fail (mesh != NULL && adjacency != NULL && labels != NULL, NULL);
  g_return_val_if_fail (adjacency->n_vertices == mesh->n_vertices, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = mesh->n_vertices;
  if (!op__seg_check_present (labels, n, upper, fdi, "split", error) ||
      !op__seg_check_new_number (labels, n, upper, new_label, FALSE, "split", error))
    return NULL;
  for (int s = 0; s < 2; s++)
    if (seeds[s] >= n || labels[seeds[s]] != fdi)
      {
        g_set_error (error, OP_SEG_EDIT_ERROR, seeds[s] >= n ? OP_SEG_EDIT_ERROR_VERTEX : OP_SEG_EDIT_ERROR_GEOMETRY,
                     "split: seed vertex %u is not on tooth %d", seeds[s], fdi);
        return NULL;
      }
  if (seed_keep == seed_new)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY,
                   "split: the two seeds are the same vertex %u", seed_keep);
      return NULL;
    }

  allowed = g_new (guint8, n);
  owner = g_new0 (guint8, n);
  mask = g_new0 (guint8, n);
  dist = g_new (double, n);
  for (gsize v = 0; v < n; v++)
    allowed[v] = labels[v] == fdi;
  if (mesh->normals == NULL)
    {
      /* Normals of a copy: the caller's mesh stays untouched. */
      g_autoptr(OpMesh) copy = op_mesh_copy (mesh);
      op_mesh_compute_normals (copy);
      normals = g_steal_pointer (&copy->normals);
    }
  dijkstra (mesh, normals ? normals : mesh->normals, adjacency, seeds, 2, allowed, INFINITY, dist, owner);
  for (gsize v = 0; v < n; v++)
    if (allowed[v] && isfinite (dist[v]))
      {
        mask[v] = owner[v] == 1;
        n_new += mask[v];
        n_keep += !mask[v];
      }
  g_assert (n_new > 0 && n_keep > 0);   /* each seed owns itself */
  return op__seg_change_from_mask (labels, n, mask, NULL, new_label,
                           g_strdup_printf ("split %d between two seeds, part -> %d", fdi, new_label));
}

OpSegChange *
op_seg_paint (const OpMesh         *mesh,
              const OpSegAdjacency *adjacency,
              const gint32         *labels,
              gboolean              upper,
              const OpSegBrush     *brush,
              GError              **error)
{
  g_autofree guint8 *mask = NULL;
  gsize n;
  OpSegChange *change;

  g_return_val_if_fail (mesh != NULL && adjacency != NULL && labels != NULL && brush != NULL, NULL);
  g_return_val_if_fail (adjacency->n_vertices == mesh->n_vertices, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = mesh->n_vertices;
  if (brush->vertex >= n)
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_VERTEX,
                   "brush: vertex %u is outside the mesh of %" G_GSIZE_FORMAT " vertices", brush->vertex, n);
      return NULL;
    }
  if (!(brush->radius_mm > 0.f) || !isfinite (brush->radius_mm))
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_GEOMETRY,
                   "brush: the radius must be a positive number of millimetres, not %g", (double) brush->radius_mm);
      return NULL;
    }
  if (!op__seg_label_fits_jaw (brush->label, upper))
    {
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL,
                   "brush: %d is neither 0 (gingiva) nor an FDI tooth number of the %s jaw",
                   brush->label, upper ? "upper" : "lower");
      return NULL;
    }

  mask = g_new0 (guint8, n);
  if (brush->geodesic)
    {
      g_autofree double *dist = g_new (double, n);

      dijkstra (mesh, NULL, adjacency, &brush->vertex, 1, NULL, brush->radius_mm, dist, NULL);
      for (gsize v = 0; v < n; v++)
        mask[v] = isfinite (dist[v]);
    }
  else
    {
      /* A flood fill over the vertices inside the ball, so that only the
       * surface connected to the centre within the radius is painted. */
      const float *c = &mesh->positions[3 * brush->vertex];
      double r2 = (double) brush->radius_mm * brush->radius_mm;
      g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));

      mask[brush->vertex] = 1;
      g_array_append_val (stack, brush->vertex);
      while (stack->len > 0)
        {
          guint32 u = g_array_index (stack, guint32, stack->len - 1);
          g_array_set_size (stack, stack->len - 1);
          for (gsize k = adjacency->offsets[u]; k < adjacency->offsets[u + 1]; k++)
            {
              guint32 w = adjacency->neighbours[k];
              const float *p = &mesh->positions[3 * w];
              double dx = (double) p[0] - c[0], dy = (double) p[1] - c[1], dz = (double) p[2] - c[2];

              if (mask[w] || dx * dx + dy * dy + dz * dz > r2)
                continue;
              mask[w] = 1;
              g_array_append_val (stack, w);
            }
        }
    }
  if (brush->spare_other_teeth)
    for (gsize v = 0; v < n; v++)
      if (labels[v] != 0 && labels[v] != brush->label)
        mask[v] = 0;

  change = op__seg_change_from_mask (labels, n, mask, NULL, brush->label,
                             brush->label == 0
                               ? g_strdup_printf ("erase %.1f mm at vertex %u", (double) brush->radius_mm, brush->vertex)
                               : g_strdup_printf ("paint %d, %.1f mm at vertex %u", brush->label,
                                                  (double) brush->radius_mm, brush->vertex));
  if (change->n_vertices == 0)
    {
      op_seg_change_free (change);
      g_set_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY,
                   "brush: every vertex within %.1f mm of vertex %u already has label %d",
                   (double) brush->radius_mm, brush->vertex, brush->label);
      return NULL;
    }
  return change;
}

guint32
op_seg_ray_vertex (const OpMesh *mesh,
                   const float   origin[3],
                   const float   dir[3],
                   float         out_hit[3])
{
  double best_t = INFINITY;
  gsize best_tri = G_MAXSIZE;

  g_return_val_if_fail (mesh != NULL && origin != NULL && dir != NULL, G_MAXUINT32);

  /* Moller-Trumbore, both faces: a scan's inside may face the camera
   * where its border is open. */
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const float *a = &mesh->positions[3 * mesh->indices[3 * t]];
      const float *b = &mesh->positions[3 * mesh->indices[3 * t + 1]];
      const float *c = &mesh->positions[3 * mesh->indices[3 * t + 2]];
      double e1[3], e2[3], p[3], q[3], s[3], det, u, v, d;

      for (int i = 0; i < 3; i++)
        {
          e1[i] = (double) b[i] - a[i];
          e2[i] = (double) c[i] - a[i];
          s[i] = (double) origin[i] - a[i];
        }
      p[0] = dir[1] * e2[2] - dir[2] * e2[1];
      p[1] = dir[2] * e2[0] - dir[0] * e2[2];
      p[2] = dir[0] * e2[1] - dir[1] * e2[0];
      det = e1[0] * p[0] + e1[1] * p[1] + e1[2] * p[2];
      if (fabs (det) < 1e-12)
        continue;
      u = (s[0] * p[0] + s[1] * p[1] + s[2] * p[2]) / det;
      if (u < 0.0 || u > 1.0)
        continue;
      q[0] = s[1] * e1[2] - s[2] * e1[1];
      q[1] = s[2] * e1[0] - s[0] * e1[2];
      q[2] = s[0] * e1[1] - s[1] * e1[0];
      v = (dir[0] * q[0] + dir[1] * q[1] + dir[2] * q[2]) / det;
      if (v < 0.0 || u + v > 1.0)
        continue;
      d = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
      if (d > 0.0 && d < best_t)
        {
          best_t = d;
          best_tri = t;
        }
    }
  if (best_tri == G_MAXSIZE)
    return G_MAXUINT32;
  {
    float hit[3];
    guint32 best_v = G_MAXUINT32;
    double best_d = INFINITY;

    for (int i = 0; i < 3; i++)
      hit[i] = (float) (origin[i] + best_t * dir[i]);
    for (int k = 0; k < 3; k++)
      {
        guint32 v = mesh->indices[3 * best_tri + k];
        const float *p = &mesh->positions[3 * v];
        double dd = 0.0;
        for (int i = 0; i < 3; i++)
          dd += ((double) p[i] - hit[i]) * ((double) p[i] - hit[i]);
        if (dd < best_d)
          {
            best_d = dd;
            best_v = v;
          }
      }
    if (out_hit)
      memcpy (out_hit, hit, sizeof hit);
    return best_v;
  }
}
