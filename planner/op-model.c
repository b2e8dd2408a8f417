/* op-model.c: printable stage models united in a voxel grid (op-model.h). */
#include "op-model-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-fdi.h"
#include "op-marching.h"
#include "op-voxelize.h"

G_DEFINE_QUARK (op-model-error-quark, op_model_error)

/* The grid is refused past this many voxels: one byte of mask and two of
 * volume each, so about 600 MB, more than any arch needs at 0.1 mm. */
#define MAX_VOXELS ((guint64) 200 * 1000 * 1000)

void
op_model_options_init (OpModelOptions *options)
{
  memset (options, 0, sizeof *options);
  options->voxel_mm = 0.3;
  options->base_height_mm = 12.0;
  options->margin_mm = 2.5;
  options->engrave_mm = 0.75;
  options->glyph_mm = 0.75;
  options->wall_mm = 2.0;
  options->drain_mm = 3.0;
  options->n_threads = 2;
}

/* A 5x7 font: seven rows per glyph, top first, bit 4 the leftmost column.
 * It is our own so that no font file has to ship with the app, and a
 * pixel font engraves cleanly at a printer's resolution. */
typedef struct {
  char   c;
  guint8 rows[7];
} Glyph;

static const Glyph font[] = {
  { '0', { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e } },
  { '1', { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e } },
  { '2', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f } },
  { '3', { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e } },
  { '4', { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 } },
  { '5', { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e } },
  { '6', { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e } },
  { '7', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
  { '8', { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e } },
  { '9', { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c } },
  { 'A', { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
  { 'B', { 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e } },
  { 'C', { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e } },
  { 'D', { 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c } },
  { 'E', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f } },
  { 'F', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 } },
  { 'G', { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f } },
  { 'H', { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
  { 'I', { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e } },
  { 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c } },
  { 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } },
  { 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f } },
  { 'M', { 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 } },
  { 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
  { 'O', { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
  { 'P', { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 } },
  { 'Q', { 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d } },
  { 'R', { 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 } },
  { 'S', { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e } },
  { 'T', { 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
  { 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
  { 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 } },
  { 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a } },
  { 'X', { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 } },
  { 'Y', { 0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04 } },
  { 'Z', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f } },
  { '-', { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 } },
  { '_', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f } },
};

gboolean
op_model_glyph (char c, guint8 rows[7])
{
  c = g_ascii_toupper (c);
  for (guint i = 0; i < G_N_ELEMENTS (font); i++)
    if (font[i].c == c)
      {
        if (rows != NULL)
          memcpy (rows, font[i].rows, 7);
        return TRUE;
      }
  return FALSE;
}

char *
op_model_label (const char *case_label, gboolean upper, guint stage)
{
  GString *s = g_string_new (NULL);

  for (const char *p = case_label ? case_label : ""; *p; p++)
    if (op_model_glyph (*p, NULL))
      g_string_append_c (s, g_ascii_toupper (*p));
  g_string_append_printf (s, "-%c-%02u", upper ? 'U' : 'L', stage);
  return g_string_free (s, FALSE);
}

/* The grid and the arch-relative height: s grows towards the occlusal
 * plane for both arches (s = z for the lower arch, -z for the upper), so
 * that the base is built the same way for both. */
typedef struct {
  int     n[3];
  double  origin[3];
  double  h;
  double  sign;
  guint8 *mask;
} Grid;

static inline gsize
at (const Grid *g, int i, int j, int k)
{
  return ((gsize) k * g->n[1] + j) * g->n[0] + i;
}

static inline double
grid_s (const Grid *g, int k)
{
  return g->sign * (g->origin[2] + k * g->h);
}

/* Grows the set cells of a 2D @cells (nx * ny) by @r cells (a disc). Only
 * cells on the border spread, so the cost is the outline times the disc. */
static void
dilate_2d (guint8 *cells, int nx, int ny, int r)
{
  g_autofree guint8 *src = g_memdup2 (cells, (gsize) nx * ny);

  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        gboolean border;

        if (!src[(gsize) j * nx + i])
          continue;
        border = i == 0 || j == 0 || i == nx - 1 || j == ny - 1 ||
                 !src[(gsize) j * nx + i - 1] || !src[(gsize) j * nx + i + 1] ||
                 !src[(gsize) (j - 1) * nx + i] || !src[(gsize) (j + 1) * nx + i];
        if (!border)
          continue;
        for (int dj = -r; dj <= r; dj++)
          for (int di = -r; di <= r; di++)
            {
              int a = i + di, b = j + dj;
              if (di * di + dj * dj > r * r || a < 0 || b < 0 || a >= nx || b >= ny)
                continue;
              cells[(gsize) b * nx + a] = 1;
            }
      }
}

static void
transform_point (const float m[16], const float p[3], double out[3])
{
  for (int r = 0; r < 3; r++)
    out[r] = m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r];
}

static void
transform_dir (const float m[16], const double d[3], double out[3])
{
  for (int r = 0; r < 3; r++)
    out[r] = m[r] * d[0] + m[4 + r] * d[1] + m[8 + r] * d[2];
}

/* Sets the voxels of an attachment: a box on the buccal surface in the
 * tooth's initial frame, carried by the stage matrix.  Inwards it reaches
 * halfway back to the crown centre, so that the bump is united with the
 * crown even where the surface lies a little deeper than the centre the
 * plan gives; that part is inside the crown and adds nothing. */
static void
add_attachment (Grid *g, const OpPlanAttachment *a, const OpFrame *f, const float m[16], double s_bot)
{
  double c0[3], c[3], ax[3][3], half[3], lo[3], hi[3];
  double mes[3], buc[3], occ[3];
  float cf[3];

  for (int r = 0; r < 3; r++)
    {
      c0[r] = f->origin[r] + a->position[0] * f->mesial[r] + a->position[1] * f->buccal[r] +
              a->position[2] * f->occlusal[r];
      mes[r] = f->mesial[r];
      buc[r] = f->buccal[r];
      occ[r] = f->occlusal[r];
      cf[r] = (float) c0[r];
    }
  transform_point (m, cf, c);
  transform_dir (m, mes, ax[0]);
  transform_dir (m, buc, ax[1]);
  transform_dir (m, occ, ax[2]);
  half[0] = a->width_mm / 2;
  half[2] = a->length_mm / 2;
  lo[0] = -half[0]; hi[0] = half[0];
  lo[1] = -MAX (0.5, a->position[1] / 2); hi[1] = a->depth_mm;
  lo[2] = -half[2]; hi[2] = half[2];

  {
    double bmin[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
    double bmax[3] = { -G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
    int kmin[3], kmax[3];

    for (int corner = 0; corner < 8; corner++)
      for (int r = 0; r < 3; r++)
        {
          double v = c[r] + ax[0][r] * ((corner & 1) ? hi[0] : lo[0]) +
                     ax[1][r] * ((corner & 2) ? hi[1] : lo[1]) +
                     ax[2][r] * ((corner & 4) ? hi[2] : lo[2]);
          bmin[r] = MIN (bmin[r], v);
          bmax[r] = MAX (bmax[r], v);
        }
    for (int r = 0; r < 3; r++)
      {
        kmin[r] = CLAMP ((int) floor ((bmin[r] - g->origin[r]) / g->h), 0, g->n[r] - 1);
        kmax[r] = CLAMP ((int) ceil ((bmax[r] - g->origin[r]) / g->h), 0, g->n[r] - 1);
      }
    for (int k = kmin[2]; k <= kmax[2]; k++)
      {
        if (grid_s (g, k) < s_bot)
          continue;
        for (int j = kmin[1]; j <= kmax[1]; j++)
          for (int i = kmin[0]; i <= kmax[0]; i++)
            {
              double p[3] = { g->origin[0] + i * g->h - c[0], g->origin[1] + j * g->h - c[1],
                              g->origin[2] + k * g->h - c[2] };
              gboolean inside = TRUE;

              for (int ax_i = 0; ax_i < 3 && inside; ax_i++)
                {
                  double t = p[0] * ax[ax_i][0] + p[1] * ax[ax_i][1] + p[2] * ax[ax_i][2];
                  inside = t >= lo[ax_i] && t <= hi[ax_i];
                }
              if (inside)
                g->mask[at (g, i, j, k)] = 1;
            }
      }
  }
}

/* Sets the voxels of @tooth (on the lattice, its voxel (0, 0, 0) at
 * index tooth->lo) in @g (its voxel (0, 0, 0) at index @glo), clipped to
 * @g, and marks their columns in @foot. */
static void
or_tooth (Grid *g, const gint64 glo[3], const OpModelTooth *tooth, guint8 *foot)
{
  int off[3], a[3], b[3];

  for (int r = 0; r < 3; r++)
    {
      off[r] = (int) (tooth->lo[r] - glo[r]);
      a[r] = MAX (0, -off[r]);
      b[r] = MIN (tooth->n[r], g->n[r] - off[r]);
      if (a[r] >= b[r])
        return;
    }
  for (int k = a[2]; k < b[2]; k++)
    for (int j = a[1]; j < b[1]; j++)
      {
        const guint8 *src = tooth->mask + ((gsize) k * tooth->n[1] + j) * tooth->n[0];
        guint8 *dst = g->mask + at (g, 0, j + off[1], k + off[2]);
        guint8 *col = foot + (gsize) (j + off[1]) * g->n[0];

        for (int i = a[0]; i < b[0]; i++)
          if (src[i])
            {
              dst[i + off[0]] = 1;
              col[i + off[0]] = 1;
            }
      }
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

OpMesh *
op_model_build (const OpDentition     *dentition,
                const OpPlan          *plan,
                gboolean               upper,
                guint                  stage,
                const char            *label,
                const OpModelOptions  *options,
                OpModelLabelInfo      *info,
                GError               **error)
{
  OpModelOptions o;
  g_autofree int *tooth_of = NULL;       /* plan index -> dentition index, -1 if skipped */
  g_autofree double *tops = NULL;
  g_autofree float *mats = NULL;
  g_autofree guint8 *foot = NULL;
  g_autofree const OpModelTooth **posed = NULL;
  g_autoptr(GPtrArray) owned = NULL;
  gint64 glo[3];
  g_autoptr(GString) text = g_string_new (NULL);
  double bmin[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
  double bmax[3] = { -G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  double s_top, s_bot, s_max = -G_MAXDOUBLE, pad, cx = 0, cy = 0, area = 0;
  guint n_used = 0;
  Grid g = { 0 };
  OpVolume *vol;
  OpMesh *mesh;
  OpIsoOptions iso = { 0 };
  guint64 n_vox;

  g_return_val_if_fail (dentition != NULL && plan != NULL, NULL);

  if (options)
    o = *options;
  else
    op_model_options_init (&o);
  if (o.voxel_mm == 0) o.voxel_mm = 0.3;
  if (o.base_height_mm == 0) o.base_height_mm = 12.0;
  if (o.margin_mm == 0) o.margin_mm = 2.5;
  if (o.engrave_mm == 0) o.engrave_mm = 0.75;
  if (o.glyph_mm == 0) o.glyph_mm = 0.75;
  if (o.wall_mm == 0) o.wall_mm = 2.0;
  if (o.drain_mm == 0) o.drain_mm = 3.0;
  if (!(o.voxel_mm >= 0.1 && o.voxel_mm <= 1.0))
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID,
                   "model voxel size %.3f mm is outside 0.1-1 mm", o.voxel_mm);
      return NULL;
    }
  if (!(o.base_height_mm >= 3 && o.base_height_mm <= 40) || !(o.margin_mm > 0 && o.margin_mm <= 10) ||
      !(o.engrave_mm > 0 && o.engrave_mm < o.base_height_mm / 2) || !(o.glyph_mm >= o.voxel_mm) ||
      !(o.wall_mm > 0) || !(o.drain_mm > 0))
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID,
                   "model base settings out of range: base height %.2f mm (3-40), margin %.2f mm (0-10), "
                   "engraving %.2f mm, glyph pixel %.2f mm (at least the voxel size)",
                   o.base_height_mm, o.margin_mm, o.engrave_mm, o.glyph_mm);
      return NULL;
    }
  if (stage >= plan->n_stages)
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID,
                   "stage %u is past the plan's last stage %u", stage, plan->n_stages - 1);
      return NULL;
    }

  g.h = o.voxel_mm;
  g.sign = upper ? -1.0 : 1.0;

  /* Pose every tooth of the arch, voxelised on the global lattice (from
   * the cache when this pose was seen before), and measure the posed
   * crowns. */
  tooth_of = g_new (int, plan->n_teeth);
  tops = g_new (double, plan->n_teeth);
  mats = g_new (float, 16 * (gsize) plan->n_teeth);
  posed = g_new0 (const OpModelTooth *, plan->n_teeth);
  owned = g_ptr_array_new_with_free_func ((GDestroyNotify) op__model_tooth_free);
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpTooth *tooth = op_dentition_get (dentition, plan->teeth[t].fdi);
      OpModelTooth *mine = NULL;
      double smin, smax;

      tooth_of[t] = -1;
      if (tooth == NULL || tooth->crown == NULL || tooth->crown->n_triangles == 0 ||
          op_fdi_is_upper (tooth->fdi) != upper)
        continue;
      op_plan_stage_matrix (plan, stage, t, mats + 16 * t);
      posed[t] = op__model_tooth_get (o.cache, tooth->crown, mats + 16 * t, g.h, &mine);
      if (mine)
        g_ptr_array_add (owned, mine);
      for (int r = 0; r < 3; r++)
        {
          bmin[r] = MIN (bmin[r], posed[t]->bmin[r]);
          bmax[r] = MAX (bmax[r], posed[t]->bmax[r]);
        }
      smin = upper ? -posed[t]->bmax[2] : posed[t]->bmin[2];
      smax = upper ? -posed[t]->bmin[2] : posed[t]->bmax[2];
      /* The base reaches up to 70 % of the crown's height below its tip,
       * at most 7 mm: it stands in for the gingiva, which leaves about
       * that much of a crown exposed. */
      tops[n_used] = smax - MIN (0.7 * (smax - smin), 7.0);
      s_max = MAX (s_max, smax);
      tooth_of[t] = (int) n_used;
      n_used++;
    }
  if (n_used == 0)
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_NO_TEETH,
                   "the %s arch has no tooth with a crown in the plan", upper ? "upper" : "lower");
      return NULL;
    }
  qsort (tops, n_used, sizeof (double), cmp_double);
  s_top = tops[n_used / 2];
  s_bot = s_top - o.base_height_mm;

  /* Two empty voxels around everything keep the surface closed. */
  pad = o.margin_mm + 2 * g.h;
  for (int r = 0; r < 2; r++)
    {
      glo[r] = (gint64) floor ((bmin[r] - pad) / g.h);
      g.origin[r] = glo[r] * g.h;
      g.n[r] = (int) ceil ((bmax[r] + pad - g.origin[r]) / g.h) + 1;
    }
  {
    double z_lo = upper ? -s_max : s_bot, z_hi = upper ? -s_bot : s_max;
    glo[2] = (gint64) floor ((z_lo - 2 * g.h) / g.h);
    g.origin[2] = glo[2] * g.h;
    g.n[2] = (int) ceil ((z_hi + 2 * g.h - g.origin[2]) / g.h) + 1;
  }
  n_vox = (guint64) g.n[0] * g.n[1] * g.n[2];
  if (n_vox > MAX_VOXELS)
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_TOO_LARGE,
                   "the model grid would have %" G_GUINT64_FORMAT " voxels at %.2f mm; use a larger voxel size",
                   n_vox, g.h);
      return NULL;
    }

  vol = op_volume_new (g.n[0], g.n[1], g.n[2], (double[3]) { g.h, g.h, g.h });
  if (vol == NULL)
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_TOO_LARGE,
                   "no memory for a model grid of %d x %d x %d voxels", g.n[0], g.n[1], g.n[2]);
      return NULL;
    }
  op_volume_set_geometry (vol, g.origin, (double[9]) { 1, 0, 0, 0, 1, 0, 0, 0, 1 });
  g.mask = g_malloc0 (n_vox);

  /* The teeth, copied from their own grids on the same lattice, and the
   * footprint: the columns under the teeth grown by the margin, then
   * closed across each row so that the base is one plate with a flat
   * bottom wide enough for the label.  It is taken before the attachments
   * are added, so that a bump does not widen the base. */
  foot = g_malloc0 ((gsize) g.n[0] * g.n[1]);
  for (guint t = 0; t < plan->n_teeth; t++)
    if (tooth_of[t] >= 0)
      or_tooth (&g, glo, posed[t], foot);
  dilate_2d (foot, g.n[0], g.n[1], (int) lround (o.margin_mm / g.h));
  for (int j = 0; j < g.n[1]; j++)
    {
      int lo = -1, hi = -1;
      for (int i = 0; i < g.n[0]; i++)
        if (foot[(gsize) j * g.n[0] + i])
          {
            if (lo < 0)
              lo = i;
            hi = i;
          }
      for (int i = MAX (lo, 0); lo >= 0 && i <= hi; i++)
        foot[(gsize) j * g.n[0] + i] = 1;
    }
  for (int j = 0; j < g.n[1]; j++)
    for (int i = 0; i < g.n[0]; i++)
      if (foot[(gsize) j * g.n[0] + i])
        {
          cx += g.origin[0] + i * g.h;
          cy += g.origin[1] + j * g.h;
          area += 1;
        }
  cx /= area;
  cy /= area;

  /* Attachments bonded before this stage's aligner (or all of them for
   * the template). */
  if (plan->attachments)
    for (guint a = 0; a < plan->attachments->len; a++)
      {
        const OpPlanAttachment *att = &g_array_index (plan->attachments, OpPlanAttachment, a);
        int t = op_plan_find_tooth (plan, att->fdi);

        if (t < 0 || tooth_of[t] < 0 || (!o.all_attachments && stage <= att->stage))
          continue;
        add_attachment (&g, att, &plan->teeth[t].frame, mats + 16 * t, s_bot);
      }

  /* The base between the flat bottom and the cervical band, and nothing
   * below the bottom (roots, if the crowns carry them, are cut flat). */
  for (int k = 0; k < g.n[2]; k++)
    {
      double s = grid_s (&g, k);
      gsize plane = (gsize) g.n[0] * g.n[1];
      guint8 *layer = g.mask + at (&g, 0, 0, k);

      /* Whole planes at a time: the footprint is 0 or 1, so OR-ing it
       * in is the same as setting the voxels above it. */
      if (s < s_bot)
        memset (layer, 0, plane);
      else if (s <= s_top)
        for (gsize x = 0; x < plane; x++)
          layer[x] |= foot[x];
    }

  /* The label, engraved into the bottom so that it reads the right way
   * round seen from below the bottom face, with the patient's front at
   * the top of the text. */
  for (const char *p = label ? label : ""; *p; p++)
    if (op_model_glyph (*p, NULL))
      g_string_append_c (text, *p);
  {
    guint n_cols = text->len ? text->len * 6 - 1 : 0;
    double gm = o.glyph_mm, width = n_cols * gm, x_dir = upper ? -1.0 : 1.0;
    double x0 = cx - x_dir * width / 2, y0 = cy - 3.5 * gm;

    for (int k = 0; k < g.n[2]; k++)
      {
        double s = grid_s (&g, k);
        if (s < s_bot || s >= s_bot + o.engrave_mm)
          continue;
        for (int j = 0; j < g.n[1]; j++)
          {
            int row = (int) floor ((g.origin[1] + j * g.h - y0) / gm);
            if (row < 0 || row >= 7)
              continue;
            for (int i = 0; i < g.n[0]; i++)
              {
                int col = (int) floor ((g.origin[0] + i * g.h - x0) * x_dir / gm);
                guint8 rows[7];
                if (col < 0 || col >= (int) n_cols || col % 6 == 5 ||
                    !op_model_glyph (text->str[col / 6], rows))
                  continue;
                if (rows[row] & (0x10 >> (col % 6)))
                  g.mask[at (&g, i, j, k)] = 0;
              }
          }
      }
    if (info)
      {
        info->bottom_z = g.sign * s_bot;
        info->down = -g.sign;
        info->x0 = x0;
        info->y0 = y0;
        info->x_dir = x_dir;
        info->glyph_mm = gm;
        info->engrave_mm = o.engrave_mm;
        info->n_columns = n_cols;
        info->text_min[0] = MIN (x0, x0 + x_dir * width);
        info->text_max[0] = MAX (x0, x0 + x_dir * width);
        info->text_min[1] = y0;
        info->text_max[1] = y0 + 7 * gm;
      }
  }

  /* A hollow base: a cavity inside the plate, leaving @wall_mm all round,
   * drained by a hole through the bottom beside the label. */
  if (o.hollow)
    {
      g_autofree guint8 *outside = g_malloc0 ((gsize) g.n[0] * g.n[1]);
      int r_drain = MAX (1, (int) lround (o.drain_mm / 2 / g.h));
      int best = -1;
      double best_d = G_MAXDOUBLE;

      for (gsize c = 0; c < (gsize) g.n[0] * g.n[1]; c++)
        outside[c] = !foot[c];
      dilate_2d (outside, g.n[0], g.n[1], (int) lround (o.wall_mm / g.h));
      for (int j = 0; j < g.n[1]; j++)
        for (int i = 0; i < g.n[0]; i++)
          {
            double x = g.origin[0] + i * g.h, y = g.origin[1] + j * g.h, d;
            if (outside[(gsize) j * g.n[0] + i])
              continue;
            /* Behind the label (posterior), clear of it by a millimetre. */
            if (y < cy + 3.5 * o.glyph_mm + o.drain_mm / 2 + 1.0)
              continue;
            d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            if (d < best_d)
              {
                best_d = d;
                best = j * g.n[0] + i;
              }
          }
      for (int k = 0; k < g.n[2]; k++)
        {
          double s = grid_s (&g, k);
          gboolean cavity = s >= s_bot + o.wall_mm && s <= s_top - o.wall_mm;
          gboolean drain = s >= s_bot && s < s_bot + o.wall_mm + g.h;
          for (int j = 0; j < g.n[1]; j++)
            for (int i = 0; i < g.n[0]; i++)
              {
                if (cavity && !outside[(gsize) j * g.n[0] + i])
                  g.mask[at (&g, i, j, k)] = 0;
                else if (drain && best >= 0)
                  {
                    int bi = best % g.n[0], bj = best / g.n[0];
                    if ((i - bi) * (i - bi) + (j - bj) * (j - bj) <= r_drain * r_drain)
                      g.mask[at (&g, i, j, k)] = 0;
                  }
              }
        }
    }

  /* Nothing may touch the grid's outer layer, or the isosurface would be
   * open there; the padding makes this hold already, and clearing the
   * layer keeps it so whatever an attachment's size. */
  memset (g.mask, 0, (gsize) g.n[0] * g.n[1]);
  memset (g.mask + at (&g, 0, 0, g.n[2] - 1), 0, (gsize) g.n[0] * g.n[1]);
  for (int k = 0; k < g.n[2]; k++)
    {
      memset (g.mask + at (&g, 0, 0, k), 0, g.n[0]);
      memset (g.mask + at (&g, 0, g.n[1] - 1, k), 0, g.n[0]);
      for (int j = 0; j < g.n[1]; j++)
        g.mask[at (&g, 0, j, k)] = g.mask[at (&g, g.n[0] - 1, j, k)] = 0;
    }
  for (guint64 x = 0; x < n_vox; x++)
    vol->voxels[x] = g.mask[x] ? 100 : 0;

  iso.n_threads = o.n_threads ? o.n_threads : 2;
  mesh = op_volume_isosurface (vol, 50, &iso);
  op_volume_free (vol);
  if (mesh == NULL)
    {
      g_free (g.mask);
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_TOO_LARGE,
                   "the model surface has too many vertices for 32-bit indices; use a larger voxel size");
      return NULL;
    }
  if (!o.grid_crowns)
    {
      /* Two voxels above the cervical band, so that the junction of
       * crown and base stays as the grid made it. */
      OpModelSnapGrid sg = { g.mask, { g.n[0], g.n[1], g.n[2] }, { glo[0], glo[1], glo[2] }, g.h, g.sign,
                             s_top + 1 * g.h };
      op__model_snap (mesh, &sg, posed, plan->n_teeth, o.cache);
    }
  g_free (g.mask);
  op_mesh_compute_bounds (mesh);
  return mesh;
}

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return (x > y) - (x < y);
}

gboolean
op_model_check_closed (const OpMesh *mesh, char **why)
{
  gsize n = mesh->n_triangles * 3;
  g_autofree guint64 *edges = NULL;
  double volume;

  if (mesh->n_triangles == 0)
    {
      *why = g_strdup ("the model has no triangles");
      return FALSE;
    }
  edges = g_new (guint64, n);
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *tri = mesh->indices + 3 * t;
      if (tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2])
        {
          *why = g_strdup_printf ("triangle %" G_GSIZE_FORMAT " repeats a vertex", t);
          return FALSE;
        }
      for (int e = 0; e < 3; e++)
        edges[3 * t + e] = ((guint64) tri[e] << 32) | tri[(e + 1) % 3];
    }
  qsort (edges, n, sizeof (guint64), cmp_u64);
  for (gsize i = 0; i < n; i++)
    {
      guint64 rev = (edges[i] << 32) | (edges[i] >> 32);
      if (i + 1 < n && edges[i + 1] == edges[i])
        {
          *why = g_strdup_printf ("edge %u-%u is used twice in the same direction (orientation "
                                  "inconsistent or more than two triangles)",
                                  (guint) (edges[i] >> 32), (guint) (edges[i] & 0xffffffffu));
          return FALSE;
        }
      if (bsearch (&rev, edges, n, sizeof (guint64), cmp_u64) == NULL)
        {
          *why = g_strdup_printf ("edge %u-%u has no neighbouring triangle (open boundary)",
                                  (guint) (edges[i] >> 32), (guint) (edges[i] & 0xffffffffu));
          return FALSE;
        }
    }
  volume = op_mesh_volume (mesh);
  if (!(volume > 0))
    {
      *why = g_strdup_printf ("the model's volume %.3f mm3 is not positive", volume);
      return FALSE;
    }
  return TRUE;
}

/* Arch order: from the right distal end to the left distal end, so the
 * buccal points run along the arch without crossing. */
static int
arch_position (int fdi)
{
  int q = fdi / 10, n = fdi % 10;
  return (q == 1 || q == 4) ? 10 - n : 10 + n;
}

static int
cmp_arch (const void *a, const void *b)
{
  return arch_position (*(const int *) a) - arch_position (*(const int *) b);
}

float *
op_model_trim_line (const OpDentition  *dentition,
                    const OpPlan       *plan,
                    gboolean            upper,
                    guint               stage,
                    double              offset_mm,
                    gsize              *n_points,
                    GError            **error)
{
  double sign = upper ? -1.0 : 1.0, level;
  g_autoptr(GArray) fdis = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) tops = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree float *buccal = NULL;
  g_autofree float *lingual = NULL;
  float *out;
  guint n = 0;

  if (stage >= plan->n_stages || !(offset_mm >= -5 && offset_mm <= 5))
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_INVALID,
                   "trim line: stage %u (plan has 0-%u) or offset %.2f mm (-5 to 5) out of range", stage,
                   plan->n_stages - 1, offset_mm);
      return NULL;
    }
  /* The base top, as op_model_build() finds it. */
  for (guint t = 0; t < plan->n_teeth; t++)
    {
      OpTooth *tooth = op_dentition_get (dentition, plan->teeth[t].fdi);
      double smin = G_MAXDOUBLE, smax = -G_MAXDOUBLE, top;
      float m[16];

      if (tooth == NULL || tooth->crown == NULL || tooth->crown->n_triangles == 0 ||
          op_fdi_is_upper (tooth->fdi) != upper)
        continue;
      op_plan_stage_matrix (plan, stage, t, m);
      for (gsize v = 0; v < tooth->crown->n_vertices; v++)
        {
          double p[3];
          transform_point (m, tooth->crown->positions + 3 * v, p);
          smin = MIN (smin, sign * p[2]);
          smax = MAX (smax, sign * p[2]);
        }
      top = smax - MIN (0.7 * (smax - smin), 7.0);
      g_array_append_val (tops, top);
      g_array_append_val (fdis, tooth->fdi);
    }
  if (fdis->len == 0)
    {
      g_set_error (error, OP_MODEL_ERROR, OP_MODEL_ERROR_NO_TEETH,
                   "the %s arch has no tooth with a crown in the plan", upper ? "upper" : "lower");
      return NULL;
    }
  g_array_sort (tops, cmp_double);
  level = g_array_index (tops, double, tops->len / 2) + offset_mm;
  qsort (fdis->data, fdis->len, sizeof (int), cmp_arch);

  buccal = g_new (float, 3 * fdis->len);
  lingual = g_new (float, 3 * fdis->len);
  for (guint i = 0; i < fdis->len; i++)
    {
      int fdi = g_array_index (fdis, int, i), t = op_plan_find_tooth (plan, fdi);
      OpTooth *tooth = op_dentition_get (dentition, fdi);
      double bdir[3], best_b = -G_MAXDOUBLE, best_l = G_MAXDOUBLE, bf[3];
      float m[16];
      double band = 0.3;

      op_plan_stage_matrix (plan, stage, t, m);
      for (int r = 0; r < 3; r++)
        bf[r] = plan->teeth[t].frame.buccal[r];
      transform_dir (m, bf, bdir);
      /* Widen the band until the crown is met: a tooth shorter than the
       * level is skipped. */
      for (int tries = 0; tries < 3 && best_b == -G_MAXDOUBLE; tries++, band *= 2)
        for (gsize v = 0; v < tooth->crown->n_vertices; v++)
          {
            double p[3], d;
            transform_point (m, tooth->crown->positions + 3 * v, p);
            if (fabs (sign * p[2] - level) > band)
              continue;
            d = p[0] * bdir[0] + p[1] * bdir[1];
            if (d > best_b)
              {
                best_b = d;
                for (int r = 0; r < 3; r++)
                  buccal[3 * n + r] = (float) p[r];
              }
            if (d < best_l)
              {
                best_l = d;
                for (int r = 0; r < 3; r++)
                  lingual[3 * n + r] = (float) p[r];
              }
          }
      if (best_b == -G_MAXDOUBLE)
        continue;
      buccal[3 * n + 2] = lingual[3 * n + 2] = (float) (sign * level);
      n++;
    }
  out = g_new (float, 6 * (gsize) MAX (n, 1));
  memcpy (out, buccal, 3 * n * sizeof (float));
  for (guint i = 0; i < n; i++)
    memcpy (out + 3 * (n + i), lingual + 3 * (n - 1 - i), 3 * sizeof (float));
  *n_points = 2 * n;
  return out;
}
