/* op-bvh.c: triangle and vertex trees, closest points, signed distance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-bvh-private.h"

#define TRI_LEAF_SIZE 4
#define VERT_LEAF_SIZE 8
#define STACK_DEPTH 128

typedef struct {
  float    min[3], max[3];
  guint32  first;       /* leaf: first triangle; inner: left child */
  guint32  count;       /* leaf: triangles; inner: 0 */
  guint32  right;
} TriNode;

/* Everything a closest-point query needs of one triangle, stored in leaf
 * order so that a leaf's triangles sit next to each other in memory. */
typedef struct {
  float   v[3][3];
  float   face_normal[3];
  float   edge_normal[3][3];    /* edge k runs from v[k] to v[(k + 1) % 3] */
  float   vertex_normal[3][3];
  guint32 index;                /* in the caller's triangle list */
} Tri;

struct _OpBvh {
  TriNode         *nodes;
  gsize            n_nodes;
  Tri             *tris;
  gsize            n_tris;
  OpBvhVertexNode *vnodes;
  gsize            n_vnodes;
  float           *vlist;
  gsize            n_vlist;
  float            bmin[3], bmax[3];
  gboolean         closed;
};

static inline float dot3 (const float a[3], const float b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static inline void sub3 (const float a[3], const float b[3], float o[3]) { o[0] = a[0] - b[0]; o[1] = a[1] - b[1]; o[2] = a[2] - b[2]; }
static inline void cross3 (const float a[3], const float b[3], float o[3])
{
  o[0] = a[1] * b[2] - a[2] * b[1];
  o[1] = a[2] * b[0] - a[0] * b[2];
  o[2] = a[0] * b[1] - a[1] * b[0];
}

/* Normalises in double so that tiny triangles keep a usable direction;
 * a zero vector stays zero. */
static void
normalize3 (float v[3])
{
  double l = sqrt ((double) v[0] * v[0] + (double) v[1] * v[1] + (double) v[2] * v[2]);

  if (l > 0)
    for (int k = 0; k < 3; k++)
      v[k] = (float) (v[k] / l);
}

/* ---- building ---------------------------------------------------------- */

typedef struct {
  const float *key;     /* 3 floats per item: what the split sorts by */
  int          axis;
} SortCtx;

/* qsort has no context argument in C17; the build is single threaded per
 * call but several trees may be built at once on different threads, so
 * the context lives in thread-local storage. */
static _Thread_local SortCtx sort_ctx;

static inline gboolean
item_less (guint32 a, guint32 b)
{
  float ka = sort_ctx.key[3 * a + sort_ctx.axis], kb = sort_ctx.key[3 * b + sort_ctx.axis];
  return ka < kb || (ka == kb && a < b);
}

/* Puts the @k-th smallest item (by key, then index) at @k with smaller
 * ones before it and larger after: a median split in linear time, where
 * sorting every level would cost a log factor more.  The pivot is the
 * median of three fixed positions, so the result is deterministic. */
static void
select_kth (guint32 *items, gsize n, gsize k)
{
  gsize lo = 0, hi = n - 1;

  while (hi > lo)
    {
      gsize mid = lo + (hi - lo) / 2, i, j;
      guint32 a = items[lo], b = items[mid], c = items[hi], pivot, tmp;

      if (item_less (a, b))
        pivot = item_less (b, c) ? b : (item_less (a, c) ? c : a);
      else
        pivot = item_less (a, c) ? a : (item_less (b, c) ? c : b);
      i = lo;
      j = hi;
      for (;;)
        {
          while (item_less (items[i], pivot))
            i++;
          while (item_less (pivot, items[j]))
            j--;
          if (i >= j)
            break;
          tmp = items[i];
          items[i] = items[j];
          items[j] = tmp;
          i++;
          j--;
        }
      /* Hoare partition: [lo, j] <= pivot <= [j + 1, hi]. */
      if (k <= j)
        hi = j;
      else
        lo = j + 1;
    }
}

static int
longest_axis (const float *key, const guint32 *items, gsize n)
{
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  int axis = 0;

  for (gsize i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      {
        float c = key[3 * items[i] + k];
        lo[k] = MIN (lo[k], c);
        hi[k] = MAX (hi[k], c);
      }
  for (int k = 1; k < 3; k++)
    if (hi[k] - lo[k] > hi[axis] - lo[axis])
      axis = k;
  return axis;
}

typedef struct {
  const float   *positions;
  const guint32 *indices;
  const float   *centroids;
  guint32       *order;
  GArray        *nodes;
} TriBuild;

static guint32
build_tri_node (TriBuild *b, gsize first, gsize count)
{
  TriNode node = { { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT }, 0, 0, 0 };
  guint32 id = b->nodes->len;

  for (gsize i = first; i < first + count; i++)
    for (int c = 0; c < 3; c++)
      {
        const float *p = &b->positions[3 * b->indices[3 * b->order[i] + c]];
        for (int k = 0; k < 3; k++)
          {
            node.min[k] = MIN (node.min[k], p[k]);
            node.max[k] = MAX (node.max[k], p[k]);
          }
      }
  g_array_append_val (b->nodes, node);

  if (count <= TRI_LEAF_SIZE)
    {
      TriNode *n = &g_array_index (b->nodes, TriNode, id);
      n->first = first;
      n->count = count;
      return id;
    }

  sort_ctx.key = b->centroids;
  sort_ctx.axis = longest_axis (b->centroids, b->order + first, count);
  select_kth (b->order + first, count, count / 2);

  {
    gsize half = count / 2;
    guint32 left = build_tri_node (b, first, half);
    guint32 right = build_tri_node (b, first + half, count - half);
    TriNode *n = &g_array_index (b->nodes, TriNode, id);

    n->first = left;
    n->count = 0;
    n->right = right;
  }
  return id;
}

typedef struct {
  const float  *positions;
  guint32      *order;
  GArray       *nodes;
} VertBuild;

static guint32
build_vert_node (VertBuild *b, gsize first, gsize count)
{
  OpBvhVertexNode node = { { 0, 0, 0 }, 0, 0, 0, 0 };
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  guint32 id = b->nodes->len;
  float r2 = 0;

  for (gsize i = first; i < first + count; i++)
    for (int k = 0; k < 3; k++)
      {
        float c = b->positions[3 * b->order[i] + k];
        lo[k] = MIN (lo[k], c);
        hi[k] = MAX (hi[k], c);
      }
  for (int k = 0; k < 3; k++)
    node.centre[k] = .5f * (lo[k] + hi[k]);
  for (gsize i = first; i < first + count; i++)
    {
      float d[3];
      sub3 (&b->positions[3 * b->order[i]], node.centre, d);
      r2 = MAX (r2, dot3 (d, d));
    }
  /* A hair more than the exact radius so that rounding never lets a
   * vertex poke out of its sphere and break the branch-and-bound. */
  node.radius = sqrtf (r2) * (1.f + 1e-6f) + 1e-6f;
  g_array_append_val (b->nodes, node);

  if (count <= VERT_LEAF_SIZE)
    {
      OpBvhVertexNode *n = &g_array_index (b->nodes, OpBvhVertexNode, id);
      n->first = first;
      n->count = count;
      return id;
    }

  sort_ctx.key = b->positions;
  sort_ctx.axis = longest_axis (b->positions, b->order + first, count);
  select_kth (b->order + first, count, count / 2);
  {
    gsize half = count / 2;
    guint32 left = build_vert_node (b, first, half);
    guint32 right = build_vert_node (b, first + half, count - half);
    OpBvhVertexNode *n = &g_array_index (b->nodes, OpBvhVertexNode, id);

    n->first = left;
    n->count = 0;
    n->right = right;
  }
  return id;
}

typedef struct {
  guint32 lo, hi;     /* vertex indices, lo < hi */
  guint32 tri;
  guint32 corner;     /* the edge starts at this corner of the triangle */
} EdgeRef;

static int
cmp_edges (const void *pa, const void *pb)
{
  const EdgeRef *a = pa, *b = pb;

  if (a->lo != b->lo) return (a->lo > b->lo) - (a->lo < b->lo);
  if (a->hi != b->hi) return (a->hi > b->hi) - (a->hi < b->hi);
  if (a->tri != b->tri) return (a->tri > b->tri) - (a->tri < b->tri);
  return (a->corner > b->corner) - (a->corner < b->corner);
}

/* Angle-weighted vertex pseudo-normals and edge pseudo-normals (the sum of
 * the two faces' normals), which make the sign of a closest-point query
 * exact on a closed surface (Baerentzen and Aanaes 2005).  @fn holds the
 * unit face normals by caller triangle index. */
static gboolean
compute_pseudo_normals (const float   *positions,
                        gsize          n_vertices,
                        const guint32 *indices,
                        gsize          n_triangles,
                        const float   *fn,
                        float         *vn,       /* 3 * n_vertices, out */
                        float         *en)       /* 9 * n_triangles, out */
{
  g_autofree EdgeRef *edges = g_new (EdgeRef, 3 * n_triangles);
  gboolean closed = TRUE;

  memset (vn, 0, 3 * n_vertices * sizeof (float));
  for (gsize t = 0; t < n_triangles; t++)
    for (int c = 0; c < 3; c++)
      {
        guint32 i0 = indices[3 * t + c], i1 = indices[3 * t + (c + 1) % 3], i2 = indices[3 * t + (c + 2) % 3];
        float e1[3], e2[3];
        double l1, l2, cosang, ang;

        sub3 (&positions[3 * i1], &positions[3 * i0], e1);
        sub3 (&positions[3 * i2], &positions[3 * i0], e2);
        l1 = sqrt (dot3 (e1, e1));
        l2 = sqrt (dot3 (e2, e2));
        cosang = (l1 > 0 && l2 > 0) ? dot3 (e1, e2) / (l1 * l2) : 1.0;
        ang = acos (CLAMP (cosang, -1.0, 1.0));
        for (int k = 0; k < 3; k++)
          vn[3 * i0 + k] += (float) (ang * fn[3 * t + k]);

        edges[3 * t + c].lo = MIN (i0, i1);
        edges[3 * t + c].hi = MAX (i0, i1);
        edges[3 * t + c].tri = t;
        edges[3 * t + c].corner = c;
      }
  for (gsize v = 0; v < n_vertices; v++)
    normalize3 (&vn[3 * v]);

  qsort (edges, 3 * n_triangles, sizeof (EdgeRef), cmp_edges);
  for (gsize i = 0; i < 3 * n_triangles;)
    {
      gsize j = i;
      float sum[3] = { 0, 0, 0 };

      while (j < 3 * n_triangles && edges[j].lo == edges[i].lo && edges[j].hi == edges[i].hi)
        j++;
      if (j - i != 2)
        closed = FALSE;
      else
        {
          /* Opposite directions: one runs lo->hi, the other hi->lo. */
          guint32 s0 = indices[3 * edges[i].tri + edges[i].corner];
          guint32 s1 = indices[3 * edges[i + 1].tri + edges[i + 1].corner];
          if (s0 == s1)
            closed = FALSE;
        }
      for (gsize k = i; k < j; k++)
        for (int c = 0; c < 3; c++)
          sum[c] += fn[3 * edges[k].tri + c];
      normalize3 (sum);
      for (gsize k = i; k < j; k++)
        memcpy (&en[9 * edges[k].tri + 3 * edges[k].corner], sum, sizeof sum);
      i = j;
    }
  return closed;
}

OpBvh *
op_bvh_new (const float   *positions,
            gsize          n_vertices,
            const guint32 *indices,
            gsize          n_triangles)
{
  g_autofree float *centroids = NULL;
  g_autofree float *fn = NULL;
  g_autofree float *vn = NULL;
  g_autofree float *en = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree gboolean *used = NULL;
  g_autofree guint32 *vorder = NULL;
  OpBvh *bvh;
  TriBuild tb;
  VertBuild vb;
  gsize n_used = 0;

  g_return_val_if_fail (positions != NULL && indices != NULL, NULL);
  g_return_val_if_fail (n_triangles > 0 && n_vertices > 0, NULL);
  g_return_val_if_fail (n_triangles < G_MAXUINT32 / 3 && n_vertices < G_MAXUINT32, NULL);
  for (gsize i = 0; i < 3 * n_triangles; i++)
    g_return_val_if_fail (indices[i] < n_vertices, NULL);
  for (gsize i = 0; i < 3 * n_vertices; i++)
    g_return_val_if_fail (isfinite (positions[i]), NULL);

  bvh = g_new0 (OpBvh, 1);
  centroids = g_new (float, 3 * n_triangles);
  fn = g_new (float, 3 * n_triangles);
  order = g_new (guint32, n_triangles);
  for (gsize t = 0; t < n_triangles; t++)
    {
      const float *a = &positions[3 * indices[3 * t]];
      const float *b = &positions[3 * indices[3 * t + 1]];
      const float *c = &positions[3 * indices[3 * t + 2]];
      float e1[3], e2[3];

      for (int k = 0; k < 3; k++)
        centroids[3 * t + k] = (a[k] + b[k] + c[k]) / 3.f;
      sub3 (b, a, e1);
      sub3 (c, a, e2);
      cross3 (e1, e2, &fn[3 * t]);
      normalize3 (&fn[3 * t]);
      order[t] = t;
    }

  vn = g_new (float, 3 * n_vertices);
  en = g_new (float, 9 * n_triangles);
  bvh->closed = compute_pseudo_normals (positions, n_vertices, indices, n_triangles, fn, vn, en);

  tb.positions = positions;
  tb.indices = indices;
  tb.centroids = centroids;
  tb.order = order;
  tb.nodes = g_array_sized_new (FALSE, FALSE, sizeof (TriNode), 2 * n_triangles / TRI_LEAF_SIZE + 1);
  build_tri_node (&tb, 0, n_triangles);
  bvh->n_nodes = tb.nodes->len;
  bvh->nodes = (TriNode *) g_array_free (tb.nodes, FALSE);

  bvh->n_tris = n_triangles;
  bvh->tris = g_new (Tri, n_triangles);
  for (gsize i = 0; i < n_triangles; i++)
    {
      Tri *tri = &bvh->tris[i];
      guint32 t = order[i];

      tri->index = t;
      memcpy (tri->face_normal, &fn[3 * t], sizeof tri->face_normal);
      for (int c = 0; c < 3; c++)
        {
          guint32 vi = indices[3 * t + c];
          memcpy (tri->v[c], &positions[3 * vi], 3 * sizeof (float));
          memcpy (tri->vertex_normal[c], &vn[3 * vi], 3 * sizeof (float));
          memcpy (tri->edge_normal[c], &en[9 * t + 3 * c], 3 * sizeof (float));
        }
    }

  used = g_new0 (gboolean, n_vertices);
  for (gsize i = 0; i < 3 * n_triangles; i++)
    used[indices[i]] = TRUE;
  vorder = g_new (guint32, n_vertices);
  for (gsize v = 0; v < n_vertices; v++)
    if (used[v])
      vorder[n_used++] = v;

  vb.positions = positions;
  vb.order = vorder;
  vb.nodes = g_array_sized_new (FALSE, FALSE, sizeof (OpBvhVertexNode), 2 * n_used / VERT_LEAF_SIZE + 1);
  build_vert_node (&vb, 0, n_used);
  bvh->n_vnodes = vb.nodes->len;
  bvh->vnodes = (OpBvhVertexNode *) g_array_free (vb.nodes, FALSE);
  bvh->n_vlist = n_used;
  bvh->vlist = g_new (float, 3 * n_used);
  for (gsize i = 0; i < n_used; i++)
    memcpy (&bvh->vlist[3 * i], &positions[3 * vorder[i]], 3 * sizeof (float));

  memcpy (bvh->bmin, bvh->nodes[0].min, sizeof bvh->bmin);
  memcpy (bvh->bmax, bvh->nodes[0].max, sizeof bvh->bmax);
  return bvh;
}

OpBvh *
op_bvh_new_for_mesh (const OpMesh *mesh)
{
  g_return_val_if_fail (mesh != NULL, NULL);
  return op_bvh_new (mesh->positions, mesh->n_vertices, mesh->indices, mesh->n_triangles);
}

void
op_bvh_free (OpBvh *bvh)
{
  if (bvh == NULL)
    return;
  g_free (bvh->nodes);
  g_free (bvh->tris);
  g_free (bvh->vnodes);
  g_free (bvh->vlist);
  g_free (bvh);
}

gsize op_bvh_get_n_triangles (const OpBvh *bvh) { g_return_val_if_fail (bvh, 0); return bvh->n_tris; }
gsize op_bvh_get_n_vertices (const OpBvh *bvh) { g_return_val_if_fail (bvh, 0); return bvh->n_vlist; }
gsize op_bvh_get_n_nodes (const OpBvh *bvh) { g_return_val_if_fail (bvh, 0); return bvh->n_nodes; }
gboolean op_bvh_is_closed (const OpBvh *bvh) { g_return_val_if_fail (bvh, FALSE); return bvh->closed; }

void
op_bvh_get_bounds (const OpBvh *bvh,
                   float        min[3],
                   float        max[3])
{
  g_return_if_fail (bvh != NULL);
  memcpy (min, bvh->bmin, sizeof bvh->bmin);
  memcpy (max, bvh->bmax, sizeof bvh->bmax);
}

void
op_bvh_get_sphere (const OpBvh *bvh,
                   float        centre[3],
                   float       *radius)
{
  g_return_if_fail (bvh != NULL);
  memcpy (centre, bvh->vnodes[0].centre, 3 * sizeof (float));
  *radius = bvh->vnodes[0].radius;
}

const OpBvhVertexNode *
op_bvh_get_vertex_nodes (const OpBvh *bvh,
                         gsize       *n_nodes)
{
  g_return_val_if_fail (bvh != NULL, NULL);
  if (n_nodes)
    *n_nodes = bvh->n_vnodes;
  return bvh->vnodes;
}

const float *
op_bvh_get_vertex_list (const OpBvh *bvh,
                        gsize       *n_vertices)
{
  g_return_val_if_fail (bvh != NULL, NULL);
  if (n_vertices)
    *n_vertices = bvh->n_vlist;
  return bvh->vlist;
}

/* ---- queries ------------------------------------------------------------ */

/* Closest point on triangle (Ericson, Real-Time Collision Detection 5.1.5)
 * and which feature holds it: 0 the face, 1-3 a vertex (k + 1), 4-6 an
 * edge (4 + k for the edge from v[k] to v[k + 1]). */
static int
closest_on_tri (const Tri *t, const float p[3], float q[3])
{
  const float *a = t->v[0], *b = t->v[1], *c = t->v[2];
  float ab[3], ac[3], ap[3], bp[3], cp[3];
  float d1, d2, d3, d4, d5, d6, va, vb, vc, v, w, denom;

  sub3 (b, a, ab);
  sub3 (c, a, ac);
  sub3 (p, a, ap);
  d1 = dot3 (ab, ap);
  d2 = dot3 (ac, ap);
  if (d1 <= 0 && d2 <= 0)
    {
      memcpy (q, a, 3 * sizeof (float));
      return 1;
    }
  sub3 (p, b, bp);
  d3 = dot3 (ab, bp);
  d4 = dot3 (ac, bp);
  if (d3 >= 0 && d4 <= d3)
    {
      memcpy (q, b, 3 * sizeof (float));
      return 2;
    }
  vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0)
    {
      v = d1 / (d1 - d3);
      for (int k = 0; k < 3; k++)
        q[k] = a[k] + v * ab[k];
      return 4;
    }
  sub3 (p, c, cp);
  d5 = dot3 (ab, cp);
  d6 = dot3 (ac, cp);
  if (d6 >= 0 && d5 <= d6)
    {
      memcpy (q, c, 3 * sizeof (float));
      return 3;
    }
  vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0)
    {
      w = d2 / (d2 - d6);
      for (int k = 0; k < 3; k++)
        q[k] = a[k] + w * ac[k];
      return 6;
    }
  va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0)
    {
      w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
      for (int k = 0; k < 3; k++)
        q[k] = b[k] + w * (c[k] - b[k]);
      return 5;
    }
  denom = 1.f / (va + vb + vc);
  v = vb * denom;
  w = vc * denom;
  for (int k = 0; k < 3; k++)
    q[k] = a[k] + ab[k] * v + ac[k] * w;
  return 0;
}

static inline float
box_dist2 (const TriNode *n, const float p[3])
{
  float d2 = 0;

  for (int k = 0; k < 3; k++)
    {
      float d = 0;
      if (p[k] < n->min[k])
        d = n->min[k] - p[k];
      else if (p[k] > n->max[k])
        d = p[k] - n->max[k];
      d2 += d * d;
    }
  return d2;
}

static const float *
feature_normal (const Tri *t, int feature)
{
  if (feature == 0)
    return t->face_normal;
  if (feature <= 3)
    return t->vertex_normal[feature - 1];
  return t->edge_normal[feature - 4];
}

gboolean
op_bvh_closest (const OpBvh *bvh,
                const float  p[3],
                float        max_distance,
                OpBvhHit    *out)
{
  guint32 stack[STACK_DEPTH];
  int sp = 0;
  float best2;
  gsize best_tri = G_MAXSIZE;
  int best_feature = 0;
  float best_q[3] = { 0, 0, 0 };

  g_return_val_if_fail (bvh != NULL && p != NULL && out != NULL, FALSE);

  best2 = max_distance >= G_MAXFLOAT / 2 ? G_MAXFLOAT : max_distance * max_distance;
  if (box_dist2 (&bvh->nodes[0], p) >= best2)
    return FALSE;
  stack[sp++] = 0;
  while (sp > 0)
    {
      const TriNode *n = &bvh->nodes[stack[--sp]];

      if (box_dist2 (n, p) >= best2)
        continue;
      if (n->count > 0)
        {
          for (guint32 i = n->first; i < n->first + n->count; i++)
            {
              float q[3], d[3], d2;
              int f = closest_on_tri (&bvh->tris[i], p, q);

              sub3 (p, q, d);
              d2 = dot3 (d, d);
              /* Strictly smaller, in a fixed visiting order: ties keep
               * the first triangle found, so the answer is reproducible. */
              if (d2 < best2)
                {
                  best2 = d2;
                  best_tri = i;
                  best_feature = f;
                  memcpy (best_q, q, sizeof best_q);
                }
            }
        }
      else
        {
          const TriNode *l = &bvh->nodes[n->first], *r = &bvh->nodes[n->right];
          float dl = box_dist2 (l, p), dr = box_dist2 (r, p);

          g_assert (sp + 2 <= STACK_DEPTH);
          /* Visit the nearer child first: it usually holds the answer, and
           * a close early answer prunes the rest. */
          if (dl <= dr)
            {
              if (dr < best2) stack[sp++] = n->right;
              if (dl < best2) stack[sp++] = n->first;
            }
          else
            {
              if (dl < best2) stack[sp++] = n->first;
              if (dr < best2) stack[sp++] = n->right;
            }
        }
    }

  if (best_tri == G_MAXSIZE)
    return FALSE;
  memcpy (out->point, best_q, sizeof best_q);
  memcpy (out->normal, feature_normal (&bvh->tris[best_tri], best_feature), 3 * sizeof (float));
  out->distance = sqrtf (best2);
  out->triangle = bvh->tris[best_tri].index;
  return TRUE;
}

/* Möller-Trumbore; counts hits at t > 0. */
static gboolean
ray_hits_tri (const Tri *t, const float o[3], const float d[3])
{
  float e1[3], e2[3], pv[3], tv[3], qv[3], det, inv, u, v, tt;

  sub3 (t->v[1], t->v[0], e1);
  sub3 (t->v[2], t->v[0], e2);
  cross3 (d, e2, pv);
  det = dot3 (e1, pv);
  if (fabsf (det) < 1e-12f)
    return FALSE;
  inv = 1.f / det;
  sub3 (o, t->v[0], tv);
  u = dot3 (tv, pv) * inv;
  if (u < 0 || u > 1)
    return FALSE;
  cross3 (tv, e1, qv);
  v = dot3 (d, qv) * inv;
  if (v < 0 || u + v > 1)
    return FALSE;
  tt = dot3 (e2, qv) * inv;
  return tt > 0;
}

static gboolean
ray_hits_box (const TriNode *n, const float o[3], const float inv_d[3])
{
  float tmin = 0, tmax = G_MAXFLOAT;

  for (int k = 0; k < 3; k++)
    {
      float t1 = (n->min[k] - o[k]) * inv_d[k];
      float t2 = (n->max[k] - o[k]) * inv_d[k];
      tmin = MAX (tmin, MIN (t1, t2));
      tmax = MIN (tmax, MAX (t1, t2));
    }
  return tmin <= tmax;
}

static guint
ray_parity (const OpBvh *bvh, const float o[3], const float d[3])
{
  guint32 stack[STACK_DEPTH];
  int sp = 0;
  guint hits = 0;
  float inv_d[3] = { 1.f / d[0], 1.f / d[1], 1.f / d[2] };

  stack[sp++] = 0;
  while (sp > 0)
    {
      const TriNode *n = &bvh->nodes[stack[--sp]];

      if (!ray_hits_box (n, o, inv_d))
        continue;
      if (n->count > 0)
        {
          for (guint32 i = n->first; i < n->first + n->count; i++)
            hits += ray_hits_tri (&bvh->tris[i], o, d);
        }
      else
        {
          g_assert (sp + 2 <= STACK_DEPTH);
          stack[sp++] = n->first;
          stack[sp++] = n->right;
        }
    }
  return hits & 1;
}

gboolean
op_bvh_contains (const OpBvh *bvh,
                 const float  p[3])
{
  /* Directions off every axis and diagonal, so a ray rarely grazes an edge
   * of a mesh built on a grid; three rays outvote one that does. */
  static const float dirs[3][3] = {
    { 0.5773503f, 0.6172134f, 0.5345225f },
    { -0.4364358f, 0.2182179f, 0.8728716f },
    { 0.2672612f, -0.8017837f, 0.5345225f },
  };
  guint votes = 0;

  g_return_val_if_fail (bvh != NULL && p != NULL, FALSE);

  for (int k = 0; k < 3; k++)
    if (p[k] < bvh->bmin[k] || p[k] > bvh->bmax[k])
      return FALSE;
  for (int i = 0; i < 3; i++)
    votes += ray_parity (bvh, p, dirs[i]);
  return votes >= 2;
}

gboolean
op_bvh_signed_distance (const OpBvh *bvh,
                        const float  p[3],
                        float        max_distance,
                        OpBvhHit    *out)
{
  g_return_val_if_fail (bvh != NULL && p != NULL && out != NULL, FALSE);

  if (!op_bvh_closest (bvh, p, max_distance, out))
    return FALSE;
  if (bvh->closed)
    {
      float d[3];
      sub3 (p, out->point, d);
      if (dot3 (d, out->normal) < 0)
        out->distance = -out->distance;
    }
  else if (op_bvh_contains (bvh, p))
    out->distance = -out->distance;
  return TRUE;
}

gboolean
op__bvh_signed_distance_brute (const OpBvh *bvh,
                               const float  p[3],
                               OpBvhHit    *out)
{
  float best2 = G_MAXFLOAT, best_q[3] = { 0, 0, 0 }, d[3];
  gsize best_tri = 0;
  int best_feature = 0;

  g_return_val_if_fail (bvh != NULL && p != NULL && out != NULL, FALSE);

  for (gsize i = 0; i < bvh->n_tris; i++)
    {
      float q[3], e[3], d2;
      int f = closest_on_tri (&bvh->tris[i], p, q);

      sub3 (p, q, e);
      d2 = dot3 (e, e);
      if (d2 < best2)
        {
          best2 = d2;
          best_tri = i;
          best_feature = f;
          memcpy (best_q, q, sizeof best_q);
        }
    }
  memcpy (out->point, best_q, sizeof best_q);
  memcpy (out->normal, feature_normal (&bvh->tris[best_tri], best_feature), 3 * sizeof (float));
  out->distance = sqrtf (best2);
  out->triangle = bvh->tris[best_tri].index;
  sub3 (p, out->point, d);
  if (bvh->closed ? dot3 (d, out->normal) < 0 : op_bvh_contains (bvh, p))
    out->distance = -out->distance;
  return TRUE;
}
