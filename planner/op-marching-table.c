/* op-marching-table.c: the marching cubes case table, generated here.
 *
 * The table is not copied from anywhere: it is worked out at first use from
 * one rule, so that it is consistent by construction rather than by
 * proof-reading 256 rows.
 *
 * For each configuration, every face of the cube is looked at on its own.
 * A face whose corners are not all on one side holds one contour segment
 * (two crossing edges) or, when its inside corners sit on a diagonal, two.
 * Those ambiguous faces are resolved by always separating the inside
 * corners: each segment cuts off one inside corner.  The decision depends on
 * the face's four corners alone, so the two cubes that share a face draw the
 * same segments on it, which is what keeps the surface closed across cubes.
 *
 * Each segment is oriented to run along g x n, where n is the face's
 * outward normal and g points, within the face, from the inside corners
 * towards the outside ones: a loop of such segments then turns
 * counter-clockwise around the surface normal that points outside.  The neighbouring cube sees the same
 * face with the opposite normal and runs the segment the other way, so the
 * two surfaces meet with opposite edge directions (consistent orientation).
 *
 * Every crossing edge of the cube lies on exactly two faces, where it ends
 * one segment and starts another, so the segments chain into closed loops.
 * Each loop is triangulated without chords that lie on a face of the cube
 * (a fan where it can be); a loop of n vertices gives n - 2 triangles whose
 * normals point from inside to outside.  Loops share no vertex and their
 * chords run through the inside of the cube, so every chord is used by
 * exactly two triangles of one loop and every face segment by one triangle
 * on each side of the face: the surface is a closed, oriented manifold.
 */
#include "op-marching-private.h"

static OpMcCase mc_cases[256];

int
op__mc_edge_axis (int edge)
{
  return edge / 4;
}

int
op__mc_edge_corner (int edge)
{
  int axis = edge / 4, r = edge % 4;

  /* The two other axes take the two bits of r, lowest axis first. */
  switch (axis)
    {
    case 0: return ((r & 1) << 1) | ((r >> 1) << 2);
    case 1: return (r & 1) | ((r >> 1) << 2);
    default: return r;
    }
}

static void
corner_pos (int corner, double p[3])
{
  for (int x = 0; x < 3; x++)
    p[x] = (corner >> x) & 1;
}

/* Midpoint of edge @e: where its vertex sits for the purpose of deciding
 * orientations (moving a vertex along its edge never flips them). */
static void
edge_mid (int e, double p[3])
{
  corner_pos (op__mc_edge_corner (e), p);
  p[op__mc_edge_axis (e)] = 0.5;
}

/* The edge joining corners @a and @b (which differ in one bit). */
static int
edge_between (int a, int b)
{
  int lo = MIN (a, b), axis = (a ^ b) == 1 ? 0 : (a ^ b) == 2 ? 1 : 2;

  for (int e = axis * 4; e < axis * 4 + 4; e++)
    if (op__mc_edge_corner (e) == lo)
      return e;
  g_assert_not_reached ();
}

static void
cross (const double a[3], const double b[3], double out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

/* Records the segment between edges @p and @q of a face with outward
 * normal @n, running along g x n. */
static void
add_segment (int           next[12],
             int           p,
             int           q,
             const double  g[3],
             const double  n[3])
{
  double mp[3], mq[3], dir[3], d = 0;

  edge_mid (p, mp);
  edge_mid (q, mq);
  cross (g, n, dir);
  for (int x = 0; x < 3; x++)
    d += (mq[x] - mp[x]) * dir[x];
  g_assert (d != 0);
  if (d < 0)
    {
      int t = p;

      p = q;
      q = t;
    }
  g_assert (next[p] < 0);
  next[p] = q;
}

/* Whether cube edges @a and @b lie on a common face of the cube. */
static gboolean
share_face (int a, int b)
{
  int ca = op__mc_edge_corner (a), cb = op__mc_edge_corner (b);

  for (int f = 0; f < 3; f++)
    if (f != op__mc_edge_axis (a) && f != op__mc_edge_axis (b) &&
        ((ca >> f) & 1) == ((cb >> f) & 1))
      return TRUE;
  return FALSE;
}

/* Triangulates the part of a loop from @loop[first] to @loop[last] closed
 * by the chord between them.  A chord between two vertices on one face of
 * the cube is never drawn: the neighbouring cube could draw the same chord,
 * and that edge would then carry four triangles instead of two.  Chords
 * through the inside of the cube belong to this cube alone.  The first
 * apex that works is taken, which keeps the table deterministic; a fan is
 * what comes out whenever no face is in the way. */
static gboolean
triangulate (OpMcCase  *c,
             const int *loop,
             int        first,
             int        last)
{
  guint8 saved = c->n_triangles;

  if (last - first < 2)
    return TRUE;
  for (int k = first + 1; k < last; k++)
    {
      gboolean left_ok = k == first + 1 || !share_face (loop[first], loop[k]);
      gboolean right_ok = k == last - 1 || !share_face (loop[k], loop[last]);
      guint8 *tri;

      if (!left_ok || !right_ok)
        continue;
      g_assert (c->n_triangles < OP_MC_MAX_TRIANGLES);
      tri = &c->edges[c->n_triangles * 3];
      tri[0] = loop[first];
      tri[1] = loop[k];
      tri[2] = loop[last];
      c->n_triangles++;
      if (triangulate (c, loop, first, k) && triangulate (c, loop, k, last))
        return TRUE;
      c->n_triangles = saved;
    }
  return FALSE;
}

static void
build_case (int config, OpMcCase *c)
{
  int next[12], prev_count[12] = { 0 };
  gboolean done[12] = { FALSE };

  for (int e = 0; e < 12; e++)
    next[e] = -1;

  for (int axis = 0; axis < 3; axis++)
    for (int side = 0; side < 2; side++)
      {
        /* The face's corners in cyclic order around it. */
        int u = (axis + 1) % 3, v = (axis + 2) % 3, base = side << axis;
        int quad[4] = { base, base | 1 << u, base | 1 << u | 1 << v, base | 1 << v };
        double n[3] = { 0, 0, 0 }, in_c[3] = { 0 }, out_c[3] = { 0 }, g[3];
        int n_in = 0, n_out = 0, crossing[4], n_cross = 0;

        n[axis] = side ? 1 : -1;
        for (int q = 0; q < 4; q++)
          {
            double p[3];
            gboolean in = (config >> quad[q]) & 1;

            corner_pos (quad[q], p);
            for (int x = 0; x < 3; x++)
              {
                if (in)
                  in_c[x] += p[x];
                else
                  out_c[x] += p[x];
              }
            in ? n_in++ : n_out++;
            if (in != ((config >> quad[(q + 1) % 4]) & 1))
              crossing[n_cross++] = q;   /* the side from quad[q] to quad[q + 1] */
          }
        if (n_cross == 0)
          continue;
        if (n_cross == 2)
          {
            for (int x = 0; x < 3; x++)
              g[x] = out_c[x] / n_out - in_c[x] / n_in;
            add_segment (next,
                         edge_between (quad[crossing[0]], quad[(crossing[0] + 1) % 4]),
                         edge_between (quad[crossing[1]], quad[(crossing[1] + 1) % 4]),
                         g, n);
            continue;
          }
        /* Ambiguous: two inside corners on a diagonal.  Each gets its own
         * segment across its two sides, cutting it off from the other. */
        g_assert (n_cross == 4);
        for (int q = 0; q < 4; q++)
          {
            double p[3], centre[3];

            if (!((config >> quad[q]) & 1))
              continue;
            corner_pos (quad[q], p);
            for (int x = 0; x < 3; x++)
              {
                centre[x] = (x == axis) ? p[x] : 0.5;
                g[x] = centre[x] - p[x];
              }
            add_segment (next,
                         edge_between (quad[q], quad[(q + 3) % 4]),
                         edge_between (quad[q], quad[(q + 1) % 4]),
                         g, n);
          }
      }

  /* Every crossing edge starts exactly one segment and ends exactly one. */
  for (int e = 0; e < 12; e++)
    if (next[e] >= 0)
      prev_count[next[e]]++;
  for (int e = 0; e < 12; e++)
    g_assert ((next[e] >= 0) == (prev_count[e] == 1) && prev_count[e] <= 1);

  c->n_triangles = 0;
  for (int e = 0; e < 12; e++)
    {
      int loop[12], n = 0;

      if (next[e] < 0 || done[e])
        continue;
      for (int v = e; !done[v]; v = next[v])
        {
          done[v] = TRUE;
          loop[n++] = v;
        }
      g_assert (n >= 3);
      if (!triangulate (c, loop, 0, n - 1))
        g_error ("marching cubes: configuration 0x%02x has a loop with no valid triangulation", config);
    }
}

static gpointer
build_cases (gpointer data)
{
  for (int config = 0; config < 256; config++)
    build_case (config, &mc_cases[config]);
  return NULL;
}

const OpMcCase *
op__mc_cases (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_cases, NULL);
  return mc_cases;
}
