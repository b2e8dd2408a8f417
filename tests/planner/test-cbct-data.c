/* test-cbct-data.c: synthetic CBCT volumes from the real teeth. */
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-voxelize.h"
#include "test-cbct-data.h"
#include "test-geom-data.h"

OpDentition *
cbct_load_teeth (GError **error)
{
  g_autoptr(OpDentition) all = geom_load_dentition (error);
  g_autoptr(OpDentition) d = NULL;

  if (all == NULL)
    return NULL;
  d = op_dentition_new ();
  for (guint t = 0; t < all->teeth->len; t++)
    {
      OpTooth *src = g_ptr_array_index (all->teeth, t);
      float c[3], x[3], y[3], z[3];
      OpTooth *tooth;

      if (!geom_load_axes (op_fdi_to_universal (src->fdi), c, x, y, z, NULL))
        continue;
      tooth = op_tooth_copy (src);
      tooth->has_frame = TRUE;
      memcpy (tooth->frame.origin, c, sizeof c);
      memcpy (tooth->frame.mesial, x, sizeof x);
      memcpy (tooth->frame.buccal, y, sizeof y);
      memcpy (tooth->frame.occlusal, z, sizeof z);
      op_dentition_add (d, tooth);
    }
  return g_steal_pointer (&d);
}

OpMesh *
cbct_cut_crown (const OpTooth *tooth, double below_mm)
{
  const OpMesh *m = tooth->crown;
  const OpFrame *f = &tooth->frame;
  g_autofree guint8 *keep = g_new0 (guint8, m->n_vertices);
  g_autofree guint32 *remap = g_new (guint32, m->n_vertices);
  gsize nv = 0, nt = 0;
  OpMesh *out;

  for (gsize v = 0; v < m->n_vertices; v++)
    {
      const float *p = &m->positions[v * 3];
      double h = 0;

      for (int a = 0; a < 3; a++)
        h += (p[a] - f->origin[a]) * f->occlusal[a];
      keep[v] = h > -below_mm;
    }
  for (gsize t = 0; t < m->n_triangles; t++)
    {
      const guint32 *tri = &m->indices[t * 3];

      if (keep[tri[0]] && keep[tri[1]] && keep[tri[2]])
        nt++;
    }
  for (gsize v = 0; v < m->n_vertices; v++)
    remap[v] = keep[v] ? (guint32) nv++ : G_MAXUINT32;
  out = op_mesh_new (nv, nt, OP_MESH_ATTR_NONE);
  for (gsize v = 0; v < m->n_vertices; v++)
    if (keep[v])
      memcpy (&out->positions[remap[v] * 3], &m->positions[v * 3], 3 * sizeof (float));
  nt = 0;
  for (gsize t = 0; t < m->n_triangles; t++)
    {
      const guint32 *tri = &m->indices[t * 3];

      if (keep[tri[0]] && keep[tri[1]] && keep[tri[2]])
        {
          for (int k = 0; k < 3; k++)
            out->indices[nt * 3 + k] = remap[tri[k]];
          nt++;
        }
    }
  op_mesh_compute_bounds (out);
  return out;
}

OpMesh *
cbct_crown_scan (const OpDentition *dentition, double below_mm)
{
  OpMesh *scan = op_mesh_new (0, 0, OP_MESH_ATTR_NONE);

  for (guint t = 0; t < dentition->teeth->len; t++)
    {
      g_autoptr(OpMesh) crown = cbct_cut_crown (g_ptr_array_index (dentition->teeth, t), below_mm);

      op_mesh_append (scan, crown);
    }
  op_mesh_compute_bounds (scan);
  return scan;
}

OpVolume *
cbct_volume_from_teeth (const OpDentition *dentition, double spacing_mm, double noise_hu, guint32 seed)
{
  const double spacing[3] = { spacing_mm, spacing_mm, spacing_mm };
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  double origin[3];
  const double axes[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  int dims[3];
  g_autofree guint8 *mask = NULL;
  GRand *rand = g_rand_new_with_seed (seed);
  OpVolume *v;
  gsize n;

  for (guint t = 0; t < dentition->teeth->len; t++)
    {
      OpTooth *tooth = g_ptr_array_index (dentition->teeth, t);

      op_mesh_compute_bounds (tooth->crown);
      for (int a = 0; a < 3; a++)
        {
          lo[a] = MIN (lo[a], tooth->crown->bbox_min[a]);
          hi[a] = MAX (hi[a], tooth->crown->bbox_max[a]);
        }
    }
  for (int a = 0; a < 3; a++)
    {
      origin[a] = lo[a] - 4;
      dims[a] = (int) ceil ((hi[a] - lo[a] + 8) / spacing_mm) + 1;
    }
  v = op_volume_new (dims[0], dims[1], dims[2], spacing);
  op_volume_set_geometry (v, origin, axes);
  v->intercept = -1024;
  n = (gsize) dims[0] * dims[1] * dims[2];
  mask = g_new0 (guint8, n);
  for (guint t = 0; t < dentition->teeth->len; t++)
    op_voxelize_mesh (((OpTooth *) g_ptr_array_index (dentition->teeth, t))->crown, NULL, v, mask, 1);
  for (gsize x = 0; x < n; x++)
    {
      double hu = mask[x] ? 1800 : 40;

      if (noise_hu > 0)
        hu += g_rand_double_range (rand, -noise_hu, noise_hu);
      v->voxels[x] = (gint16) lround (hu + 1024);
    }
  g_rand_free (rand);
  return v;
}

/* A CBCT-like volume around @d's crowns and roots: teeth at 1800 HU in an
 * alveolar bone block (the roots grown by @bone_mm) at 700 HU, soft tissue
 * at 40 HU, noise +/- 60 HU. */
OpVolume *
cbct_bone_block_volume (const OpDentition *d,
                        double             bone_mm)
{
  const double spacing[3] = { 0.3, 0.3, 0.3 }, axes[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  float lo[3] = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT }, hi[3] = { -G_MAXFLOAT, -G_MAXFLOAT, -G_MAXFLOAT };
  double origin[3];
  int dims[3];
  g_autofree guint8 *bone = NULL, *teeth = NULL;
  GRand *rand = g_rand_new_with_seed (11);
  OpVolume *v;
  gsize n;

  for (guint t = 0; t < d->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (d->teeth, t);
      const OpMesh *parts[2] = { tooth->crown, tooth->root };

      for (int p = 0; p < 2; p++)
        for (gsize x = 0; x < parts[p]->n_vertices; x++)
          for (int a = 0; a < 3; a++)
            {
              lo[a] = MIN (lo[a], parts[p]->positions[x * 3 + a]);
              hi[a] = MAX (hi[a], parts[p]->positions[x * 3 + a]);
            }
    }
  for (int a = 0; a < 3; a++)
    {
      origin[a] = lo[a] - 8;
      dims[a] = (int) ceil ((hi[a] - lo[a] + 16) / 0.3) + 1;
    }
  v = op_volume_new (dims[0], dims[1], dims[2], spacing);
  op_volume_set_geometry (v, origin, axes);
  v->intercept = -1024;
  n = (gsize) dims[0] * dims[1] * dims[2];
  bone = g_new0 (guint8, n);
  teeth = g_new0 (guint8, n);
  for (guint t = 0; t < d->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (d->teeth, t);

      op_voxelize_mesh (tooth->root, NULL, v, bone, 1);
      op_voxelize_mesh (tooth->root, NULL, v, teeth, 1);
      op_voxelize_mesh (tooth->crown, NULL, v, teeth, 1);
    }
  op_voxelize_dilate (v, bone, bone_mm, 1);
  for (gsize x = 0; x < n; x++)
    {
      double hu = teeth[x] ? 1800 : bone[x] ? 700 : 40;

      v->voxels[x] = (gint16) lround (hu + g_rand_double_range (rand, -60, 60) + 1024);
    }
  g_rand_free (rand);
  return v;
}
