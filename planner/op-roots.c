/* op-roots.c: template roots and roots grown from a CBCT. */
#include "op-roots-private.h"

#include <math.h>
#include <string.h>

#include "op-marching.h"

G_DEFINE_QUARK (op-roots-error-quark, op_roots_error)

/* Rings along a template root and points around each. */
#define TEMPLATE_RINGS    12
#define TEMPLATE_SEGMENTS 24
/* The root starts this far inside the crown, so crown and root meet with
 * no gap at the cervical line. */
#define ROOT_OVERLAP_MM   0.5
/* Grown roots may be this much longer than the template before the growth
 * stops: real roots vary, but a region running on past this has leaked
 * into bone or a neighbour. */
#define GROW_MAX_FACTOR   1.4

double
op_roots_template_length (int fdi)
{
  gboolean upper = op_fdi_is_upper (fdi);

  /* CLINICAL.md, "Roots (when no CBCT is loaded)". */
  switch (op_fdi_type (fdi))
    {
    case 1: return upper ? 13.0 : 12.5;
    case 2: return upper ? 13.0 : 14.0;
    case 3: return upper ? 17.0 : 16.0;
    case 4:
    case 5: return 14.0;
    default: return upper ? 12.5 : 13.0;   /* molars: about 12-13 */
    }
}

guint
op_roots_template_count (int fdi)
{
  if (!op_fdi_is_molar (fdi))
    return 1;
  return op_fdi_is_upper (fdi) ? 3 : 2;
}

static double
dot3f (const float *a, const float *b)
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

/* Anatomic crown heights (cervical line to incisal edge or cusp tip), mm,
 * from Wheeler's tables of average tooth dimensions; upper then lower,
 * central incisor to third molar. */
static const double crown_height[2][8] = {
  { 10.5, 9.0, 10.0, 8.5, 8.5, 7.5, 7.0, 6.5 },
  { 9.0, 9.5, 11.0, 8.5, 8.0, 7.5, 7.0, 7.0 },
};

/* No crown, not even a canine's (11 mm tall, its centre about half way),
 * reaches this far below its crown centre: a surface that does is a
 * whole tooth, crown and root, as a CBCT segmentation gives. */
#define WHOLE_TOOTH_DEPTH_MM 8.0

static void
height_range (const OpTooth *tooth, double *lowest, double *highest)
{
  const OpMesh *m = tooth->crown;

  *lowest = G_MAXDOUBLE;
  *highest = -G_MAXDOUBLE;
  for (gsize v = 0; v < m->n_vertices; v++)
    {
      float d[3];
      double h;

      for (int a = 0; a < 3; a++)
        d[a] = m->positions[v * 3 + a] - tooth->frame.origin[a];
      h = dot3f (d, tooth->frame.occlusal);
      *lowest = MIN (*lowest, h);
      *highest = MAX (*highest, h);
    }
}

gboolean
op_roots_crown_has_root (const OpTooth *tooth)
{
  double lowest, highest;

  g_return_val_if_fail (tooth != NULL, FALSE);
  if (!tooth->has_frame || tooth->crown == NULL || tooth->crown->n_vertices == 0)
    return FALSE;
  height_range (tooth, &lowest, &highest);
  return lowest < -WHOLE_TOOTH_DEPTH_MM;
}

double
op__roots_cervical_height (const OpTooth *tooth)
{
  double lowest, highest;
  int type = CLAMP (op_fdi_type (tooth->fdi), 1, 8);

  height_range (tooth, &lowest, &highest);
  /* A whole tooth's lowest point is its apex; its cervical line is one
   * crown height below the highest cusp. */
  if (lowest < -WHOLE_TOOTH_DEPTH_MM)
    return MAX (highest - crown_height[op_fdi_is_upper (tooth->fdi) ? 0 : 1][type - 1], lowest);
  return lowest;
}

/* The crown's section near the cervical line: centre offsets and half
 * widths along mesial and buccal. */
static void
cervical_section (const OpTooth *tooth,
                  double         hc,
                  double         centre[2],
                  double         radius[2])
{
  const OpMesh *m = tooth->crown;
  const float *axes[2] = { tooth->frame.mesial, tooth->frame.buccal };
  double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

  for (gsize v = 0; v < m->n_vertices; v++)
    {
      float d[3];

      for (int a = 0; a < 3; a++)
        d[a] = m->positions[v * 3 + a] - tooth->frame.origin[a];
      if (dot3f (d, tooth->frame.occlusal) > hc + 1.5)
        continue;
      for (int a = 0; a < 2; a++)
        {
          double x = dot3f (d, axes[a]);

          lo[a] = MIN (lo[a], x);
          hi[a] = MAX (hi[a], x);
        }
    }
  for (int a = 0; a < 2; a++)
    {
      centre[a] = (lo[a] + hi[a]) / 2;
      radius[a] = MAX ((hi[a] - lo[a]) / 2, 0.5);
    }
}

/* Appends one tapered root to @pos/@idx: section (@ra, @rb) around
 * @top (world) at the top, apex at @apex (world), the section's axes @u
 * and @v.  Triangles turn one way; the caller fixes the orientation. */
static void
add_root (GArray      *pos,
          GArray      *idx,
          const double top[3],
          const double apex[3],
          const float *u,
          const float *v,
          double       ra,
          double       rb)
{
  guint32 base = pos->len / 3;

  /* Cap centre, rings, apex. */
  for (int a = 0; a < 3; a++)
    {
      float x = (float) top[a];

      g_array_append_val (pos, x);
    }
  for (int k = 0; k < TEMPLATE_RINGS; k++)
    {
      /* Rings spread towards the apex; the section narrows like a root,
       * slowly at first, to a fifth at the last ring. */
      double s = (double) k / TEMPLATE_RINGS, f = 1.0 - 0.8 * s * s;

      for (int i = 0; i < TEMPLATE_SEGMENTS; i++)
        {
          double th = 2 * G_PI * i / TEMPLATE_SEGMENTS, cu = ra * f * cos (th), sv = rb * f * sin (th);

          for (int a = 0; a < 3; a++)
            {
              float x = (float) (top[a] + s * (apex[a] - top[a]) + cu * u[a] + sv * v[a]);

              g_array_append_val (pos, x);
            }
        }
    }
  for (int a = 0; a < 3; a++)
    {
      float x = (float) apex[a];

      g_array_append_val (pos, x);
    }

  for (int i = 0; i < TEMPLATE_SEGMENTS; i++)
    {
      guint32 i1 = (i + 1) % TEMPLATE_SEGMENTS;
      guint32 cap[3] = { base, base + 1 + i, base + 1 + i1 };
      guint32 last = base + 1 + (TEMPLATE_RINGS - 1) * TEMPLATE_SEGMENTS;
      guint32 tip[3] = { last + i, base + 1 + TEMPLATE_RINGS * TEMPLATE_SEGMENTS, last + i1 };

      g_array_append_vals (idx, cap, 3);
      for (int k = 0; k + 1 < TEMPLATE_RINGS; k++)
        {
          guint32 a = base + 1 + k * TEMPLATE_SEGMENTS, b = a + TEMPLATE_SEGMENTS;
          guint32 t1[3] = { a + i, b + i, b + i1 }, t2[3] = { a + i, b + i1, a + i1 };

          g_array_append_vals (idx, t1, 3);
          g_array_append_vals (idx, t2, 3);
        }
      g_array_append_vals (idx, tip, 3);
    }
}

OpMesh *
op_roots_template (const OpTooth *tooth, GError **error)
{
  g_autoptr(GArray) pos = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint32));
  const OpFrame *f;
  double hc, centre[2], radius[2], length;
  guint n_roots;
  OpMesh *mesh;

  g_return_val_if_fail (tooth != NULL, NULL);
  if (!tooth->has_frame)
    {
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_NO_FRAME, "tooth %d has no frame, so its root has no axis", tooth->fdi);
      return NULL;
    }
  if (tooth->crown == NULL || tooth->crown->n_vertices == 0)
    {
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_EMPTY, "tooth %d has no crown mesh to put a root under", tooth->fdi);
      return NULL;
    }
  f = &tooth->frame;
  hc = op__roots_cervical_height (tooth);
  cervical_section (tooth, hc, centre, radius);
  length = op_roots_template_length (tooth->fdi);
  n_roots = op_roots_template_count (tooth->fdi);

  for (guint r = 0; r < n_roots; r++)
    {
      /* Offsets of each root's centre in the section (units of the half
       * widths), its half widths, and how far its apex spreads outwards:
       * molar roots diverge. */
      double off[2] = { 0, 0 }, scale[2] = { 0.9, 0.9 }, spread = 0;
      double top[3], apex[3];

      if (n_roots == 2)
        {
          off[0] = r == 0 ? 0.5 : -0.5;
          scale[0] = 0.45;
          scale[1] = 0.85;
          spread = 1.0;
        }
      else if (n_roots == 3)
        {
          static const double o3[3][2] = { { 0.5, 0.45 }, { -0.5, 0.45 }, { 0, -0.5 } };

          off[0] = o3[r][0];
          off[1] = o3[r][1];
          scale[0] = 0.45;
          scale[1] = 0.45;
          spread = 1.0;
        }
      for (int a = 0; a < 3; a++)
        {
          double cu = centre[0] + off[0] * radius[0], cv = centre[1] + off[1] * radius[1];
          double su = off[0] * spread, sv = off[1] * spread;

          top[a] = f->origin[a] + (hc + ROOT_OVERLAP_MM) * f->occlusal[a] + cu * f->mesial[a] + cv * f->buccal[a];
          apex[a] = f->origin[a] + (hc - length) * f->occlusal[a] + (cu + su) * f->mesial[a] +
                    (cv + sv) * f->buccal[a];
        }
      add_root (pos, idx, top, apex, f->mesial, f->buccal, scale[0] * radius[0], scale[1] * radius[1]);
    }

  mesh = op_mesh_new (pos->len / 3, idx->len / 3, OP_MESH_ATTR_NONE);
  memcpy (mesh->positions, pos->data, pos->len * sizeof (float));
  memcpy (mesh->indices, idx->data, idx->len * sizeof (guint32));
  /* The frame is left-handed in quadrants 2 and 3 (op-tooth.h), which
   * turns every triangle inside out there. */
  if (op_mesh_volume (mesh) < 0)
    for (gsize t = 0; t < mesh->n_triangles; t++)
      {
        guint32 x = mesh->indices[t * 3 + 1];

        mesh->indices[t * 3 + 1] = mesh->indices[t * 3 + 2];
        mesh->indices[t * 3 + 2] = x;
      }
  op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
  return mesh;
}

/* ---- Growing from a CBCT ---------------------------------------------- */

/* The teeth band when the caller gives none: the second Otsu split
 * separates bone from teeth, unless what lies above the first split is one
 * population (no bone in the field, or bone and teeth alike), where the
 * first split is the best there is. */
static void
auto_band (const OpVolume *vol, double *lo, double *hi)
{
  const gsize n = (gsize) vol->dims[0] * vol->dims[1] * vol->dims[2];
  int t1 = op_volume_auto_threshold (vol);
  int t2 = op_otsu_threshold (vol->voxels, n, t1);
  double sum_a = 0, sum_b = 0;
  gsize n_a = 0, n_b = 0;

  *lo = t1;
  *hi = G_MAXINT16;
  if (t2 == G_MININT16)
    return;
  for (gsize x = 0; x < n; x++)
    {
      int v = vol->voxels[x];

      if (v < t1)
        continue;
      if (v < t2)
        sum_a += v, n_a++;
      else
        sum_b += v, n_b++;
    }
  /* 300 HU apart: bone and dentine differ by more than that. */
  if (n_a > 0 && n_b > 0 && (sum_b / n_b - sum_a / n_a) * fabs (vol->slope) >= 300)
    *lo = t2;
}

OpMesh *
op_roots_grow (const OpTooth           *tooth,
               const OpVolume          *volume,
               const OpRootGrowOptions *options,
               GError                 **error)
{
  const OpFrame *f;
  double hc, centre[2], radius[2], lo, hi, cone, max_depth, tan_cone, r0;
  double axis_top[3], lo_ijk[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE }, hi_ijk[3] = { -G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  int b0[3], bn[3];
  gsize n_box, n_grown = 0, head = 0;
  g_autofree guint8 *state = NULL;
  g_autoptr(GArray) queue = NULL;
  g_autoptr(OpVolume) sub = NULL;
  OpMesh *mesh;

  g_return_val_if_fail (tooth != NULL && volume != NULL, NULL);
  if (!tooth->has_frame)
    {
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_NO_FRAME, "tooth %d has no frame, so its root has no axis", tooth->fdi);
      return NULL;
    }
  if (tooth->crown == NULL || tooth->crown->n_vertices == 0)
    {
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_EMPTY, "tooth %d has no crown mesh to grow a root from", tooth->fdi);
      return NULL;
    }
  f = &tooth->frame;
  hc = op__roots_cervical_height (tooth);
  cervical_section (tooth, hc, centre, radius);
  if (options != NULL && (options->lo_raw != 0 || options->hi_raw != 0))
    lo = options->lo_raw, hi = options->hi_raw;
  else
    auto_band (volume, &lo, &hi);
  cone = options != NULL && options->cone_deg > 0 ? options->cone_deg : 20;
  tan_cone = tan (cone * G_PI / 180);
  max_depth = GROW_MAX_FACTOR * op_roots_template_length (tooth->fdi);
  r0 = MAX (radius[0], radius[1]) + 0.5;
  for (int a = 0; a < 3; a++)
    axis_top[a] = f->origin[a] + hc * f->occlusal[a] + centre[0] * f->mesial[a] + centre[1] * f->buccal[a];

  /* The box in voxels around the cone, from its top and bottom sections. */
  for (int end = 0; end < 2; end++)
    for (int corner = 0; corner < 4; corner++)
      {
        double depth = end ? max_depth : -ROOT_OVERLAP_MM, r = r0 + MAX (depth, 0) * tan_cone;
        double su = (corner & 1) ? r : -r, sv = (corner & 2) ? r : -r, w[3], ijk[3];

        for (int a = 0; a < 3; a++)
          w[a] = axis_top[a] - depth * f->occlusal[a] + su * f->mesial[a] + sv * f->buccal[a];
        op_volume_world_to_voxel (volume, w, ijk);
        for (int a = 0; a < 3; a++)
          {
            lo_ijk[a] = MIN (lo_ijk[a], ijk[a]);
            hi_ijk[a] = MAX (hi_ijk[a], ijk[a]);
          }
      }
  for (int a = 0; a < 3; a++)
    {
      int from = MAX (0, (int) floor (lo_ijk[a])), to = MIN (volume->dims[a] - 1, (int) ceil (hi_ijk[a]));

      if (to < from)
        {
          g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_OUTSIDE,
                       "tooth %d: the crown lies outside the CBCT volume; register the scan first", tooth->fdi);
          return NULL;
        }
      b0[a] = from;
      bn[a] = to - from + 1;
    }
  n_box = (gsize) bn[0] * bn[1] * bn[2];

  /* state: 0 unvisited, 1 allowed and queued/grown, 2 not allowed. */
  state = g_new0 (guint8, n_box);
  queue = g_array_new (FALSE, FALSE, sizeof (guint32));
#define BOX(i, j, k) (((gsize) (k) * bn[1] + (j)) * bn[0] + (i))
  for (int k = 0; k < bn[2]; k++)
    for (int j = 0; j < bn[1]; j++)
      for (int i = 0; i < bn[0]; i++)
        {
          double ijk[3] = { b0[0] + i, b0[1] + j, b0[2] + k }, w[3], d[3], depth, radial = 0, along_u, along_v;
          int raw = volume->voxels[((gsize) (b0[2] + k) * volume->dims[1] + b0[1] + j) * volume->dims[0] + b0[0] + i];

          op_volume_voxel_to_world (volume, ijk, w);
          for (int a = 0; a < 3; a++)
            d[a] = w[a] - axis_top[a];
          depth = -(d[0] * f->occlusal[0] + d[1] * f->occlusal[1] + d[2] * f->occlusal[2]);
          along_u = d[0] * f->mesial[0] + d[1] * f->mesial[1] + d[2] * f->mesial[2];
          along_v = d[0] * f->buccal[0] + d[1] * f->buccal[1] + d[2] * f->buccal[2];
          radial = sqrt (along_u * along_u + along_v * along_v);
          if (raw < lo || raw > hi || depth < -ROOT_OVERLAP_MM || depth > max_depth ||
              radial > r0 + MAX (depth, 0) * tan_cone)
            {
              state[BOX (i, j, k)] = 2;
              continue;
            }
          /* Seeds: the band just under the cervical line, inside the
           * crown's own section. */
          if (depth <= 1.0 && (along_u - 0) * (along_u - 0) / (radius[0] * radius[0]) +
                                  along_v * along_v / (radius[1] * radius[1]) <= 1.0)
            {
              guint32 x = (guint32) BOX (i, j, k);

              state[x] = 1;
              g_array_append_val (queue, x);
            }
        }

  /* Breadth first, six neighbours, in index order: deterministic. */
  while (head < queue->len)
    {
      guint32 x = g_array_index (queue, guint32, head++);
      int i = x % bn[0], j = (x / bn[0]) % bn[1], k = x / ((gsize) bn[0] * bn[1]);
      static const int nb[6][3] = { { -1, 0, 0 }, { 1, 0, 0 }, { 0, -1, 0 }, { 0, 1, 0 }, { 0, 0, -1 }, { 0, 0, 1 } };

      n_grown++;
      for (int e = 0; e < 6; e++)
        {
          int ii = i + nb[e][0], jj = j + nb[e][1], kk = k + nb[e][2];
          guint32 y;

          if (ii < 0 || jj < 0 || kk < 0 || ii >= bn[0] || jj >= bn[1] || kk >= bn[2])
            continue;
          y = (guint32) BOX (ii, jj, kk);
          if (state[y] != 0)
            continue;
          state[y] = 1;
          g_array_append_val (queue, y);
        }
    }
  if (n_grown < 8)
    {
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_EMPTY,
                   "tooth %d: no voxels between %.0f and %.0f under the crown grew into a root; "
                   "check the registration and the threshold", tooth->fdi, lo, hi);
      return NULL;
    }

  /* The grown region, padded by one empty voxel all round so its surface
   * closes, placed where the box lies in the volume. */
  sub = op_volume_new (bn[0] + 2, bn[1] + 2, bn[2] + 2, volume->spacing);
  memcpy (sub->transform, volume->transform, sizeof sub->transform);
  {
    double start[3] = { b0[0] - 1, b0[1] - 1, b0[2] - 1 }, w[3];

    op_volume_voxel_to_world (volume, start, w);
    for (int a = 0; a < 3; a++)
      sub->transform[12 + a] = w[a];
  }
  for (int k = 0; k < bn[2]; k++)
    for (int j = 0; j < bn[1]; j++)
      for (int i = 0; i < bn[0]; i++)
        if (state[BOX (i, j, k)] == 1)
          sub->voxels[((gsize) (k + 1) * sub->dims[1] + j + 1) * sub->dims[0] + i + 1] = 100;
#undef BOX
  mesh = op_volume_isosurface (sub, 50, NULL);
  if (mesh == NULL || mesh->n_triangles == 0)
    {
      g_clear_pointer (&mesh, op_mesh_free);
      g_set_error (error, OP_ROOTS_ERROR, OP_ROOTS_ERROR_EMPTY, "tooth %d: the grown root has no surface", tooth->fdi);
      return NULL;
    }
  op_mesh_compute_normals (mesh);
  return mesh;
}

gboolean
op_roots_build (OpDentition     *dentition,
                const OpVolume  *volume,
                char           **out_templated,
                GError         **error)
{
  g_autoptr(GString) templated = g_string_new (NULL);

  g_return_val_if_fail (dentition != NULL, FALSE);
  for (guint t = 0; t < dentition->teeth->len; t++)
    {
      OpTooth *tooth = g_ptr_array_index (dentition->teeth, t);
      OpMesh *root = NULL;

      if (!tooth->has_frame)
        continue;
      if (volume != NULL)
        root = op_roots_grow (tooth, volume, NULL, NULL);
      if (root == NULL)
        {
          root = op_roots_template (tooth, error);
          if (root == NULL)
            return FALSE;
          if (volume != NULL)
            g_string_append_printf (templated, "%s%d", templated->len ? ", " : "", tooth->fdi);
        }
      g_clear_pointer (&tooth->root, op_mesh_free);
      tooth->root = root;
    }
  if (out_templated != NULL)
    *out_templated = templated->len ? g_strdup (templated->str) : NULL;
  return TRUE;
}
