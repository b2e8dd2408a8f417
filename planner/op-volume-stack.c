/* op-volume-stack.c: from a stack of arbitrarily placed slices to a regular
 * grid.
 *
 * A DICOM series is a set of 2D images, each placed in the patient frame by
 * its own position and orientation.  Nothing promises that they are evenly
 * spaced, or that the stacking direction is the slice normal: a CT gantry
 * tilt shears the stack, and some protocols change the spacing halfway.  A
 * loader that assumes otherwise builds a distorted volume, so every slice is
 * placed by its own geometry here and the stack resampled onto an
 * orthogonal grid whose third axis is the slice normal.
 */
#include "op-volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double
dot3 (const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void
cross3 (const double a[3], const double b[3], double out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static gboolean
normalise3 (double v[3])
{
  double len = sqrt (dot3 (v, v));

  if (!(len > 1e-9) || !isfinite (len))
    return FALSE;
  for (int a = 0; a < 3; a++)
    v[a] /= len;
  return TRUE;
}

typedef struct {
  guint  index;
  double w;
} SortItem;

static int
sort_item_cmp (const void *a, const void *b)
{
  const SortItem *x = a, *y = b;

  if (x->w < y->w)
    return -1;
  if (x->w > y->w)
    return 1;
  /* Equal positions are rejected later; keep the order total anyway. */
  return x->index < y->index ? -1 : x->index > y->index;
}

static int
double_cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static gboolean
close_rel (double a, double b, double rel)
{
  return fabs (a - b) <= rel * MAX (fabs (a), fabs (b));
}

gboolean
op_volume_analyse_stack (const OpSlice        *slices,
                         guint                 n,
                         const OpStackOptions *options,
                         guint                *order,
                         OpStackInfo          *info,
                         GError              **error)
{
  const OpSlice *s0;
  double u[3], v[3], nrm[3];
  g_autofree SortItem *items = NULL;
  g_autofree double *gaps = NULL;
  g_autofree double *sorted_gaps = NULL;
  double umin = G_MAXDOUBLE, umax = -G_MAXDOUBLE, vmin = G_MAXDOUBLE, vmax = -G_MAXDOUBLE;
  double wmin, wmax, target = 0, extent;
  int factor = options && options->factor > 1 ? options->factor : 1;

  g_return_val_if_fail (info != NULL && order != NULL, FALSE);
  memset (info, 0, sizeof *info);

  if (n == 0 || slices == NULL)
    {
      g_set_error_literal (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_EMPTY, "the series holds no images");
      return FALSE;
    }
  s0 = &slices[0];
  memcpy (u, s0->row_dir, sizeof u);
  memcpy (v, s0->col_dir, sizeof v);
  if (s0->rows <= 0 || s0->columns <= 0)
    {
      g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_EMPTY, "%s: the image has no pixels (%d x %d)",
                   s0->label, s0->columns, s0->rows);
      return FALSE;
    }
  if (!normalise3 (u) || !normalise3 (v) || fabs (dot3 (u, v)) > 0.01 ||
      !(s0->row_spacing > 0) || !(s0->column_spacing > 0))
    {
      g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GEOMETRY,
                   "%s: ImageOrientationPatient or PixelSpacing is missing or degenerate", s0->label);
      return FALSE;
    }
  /* Make v exactly orthogonal to u: the file's six decimals are not. */
  for (int a = 0; a < 3; a++)
    v[a] -= dot3 (u, v) * u[a];
  normalise3 (v);
  cross3 (u, v, nrm);

  items = g_new (SortItem, n);
  for (guint i = 0; i < n; i++)
    {
      const OpSlice *s = &slices[i];
      double su[3], sv[3];

      memcpy (su, s->row_dir, sizeof su);
      memcpy (sv, s->col_dir, sizeof sv);
      if (s->rows != s0->rows || s->columns != s0->columns)
        {
          g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_INCONSISTENT,
                       "%s: %d x %d pixels where %s has %d x %d; the series mixes image sizes",
                       s->label, s->columns, s->rows, s0->label, s0->columns, s0->rows);
          return FALSE;
        }
      if (!normalise3 (su) || !normalise3 (sv) || dot3 (su, u) < 0.9999 || dot3 (sv, v) < 0.9999)
        {
          g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_INCONSISTENT,
                       "%s: ImageOrientationPatient differs from %s; the series mixes orientations",
                       s->label, s0->label);
          return FALSE;
        }
      if (!close_rel (s->row_spacing, s0->row_spacing, 0.01) ||
          !close_rel (s->column_spacing, s0->column_spacing, 0.01))
        {
          g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_INCONSISTENT,
                       "%s: PixelSpacing %.4g\\%.4g differs from %s (%.4g\\%.4g)", s->label,
                       s->row_spacing, s->column_spacing, s0->label, s0->row_spacing, s0->column_spacing);
          return FALSE;
        }
      for (int a = 0; a < 3; a++)
        if (!isfinite (s->position[a]))
          {
            g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GEOMETRY,
                         "%s: ImagePositionPatient is not a number", s->label);
            return FALSE;
          }
      items[i].index = i;
      items[i].w = dot3 (s->position, nrm);

      /* The in-plane extent of this slice: its first pixel's position and
       * the far corner, projected on the grid's in-plane axes. */
      {
        double pu = dot3 (s->position, u), pv = dot3 (s->position, v);

        umin = MIN (umin, pu);
        umax = MAX (umax, pu + (s->columns - 1) * s->column_spacing);
        vmin = MIN (vmin, pv);
        vmax = MAX (vmax, pv + (s->rows - 1) * s->row_spacing);
      }
    }
  qsort (items, n, sizeof *items, sort_item_cmp);
  for (guint i = 0; i < n; i++)
    order[i] = items[i].index;

  info->n_slices = n;
  memcpy (info->normal, nrm, sizeof nrm);

  if (n > 1)
    {
      double stack[3], median;
      guint n_regular = 0;

      gaps = g_new (double, n - 1);
      for (guint i = 0; i + 1 < n; i++)
        {
          gaps[i] = items[i + 1].w - items[i].w;
          if (gaps[i] < 1e-3)
            {
              g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GEOMETRY,
                           "%s and %s lie at the same position (%.3f mm along the normal); "
                           "the folder may hold two series with one SeriesInstanceUID",
                           slices[items[i].index].label, slices[items[i + 1].index].label, items[i].w);
              return FALSE;
            }
        }
      info->min_gap_mm = info->max_gap_mm = gaps[0];
      for (guint i = 0; i + 1 < n; i++)
        {
          info->min_gap_mm = MIN (info->min_gap_mm, gaps[i]);
          info->max_gap_mm = MAX (info->max_gap_mm, gaps[i]);
          if (i > 0 && !close_rel (gaps[i], gaps[i - 1], 0.01))
            info->n_gap_changes++;
        }
      info->uneven = !close_rel (info->min_gap_mm, info->max_gap_mm, 0.01);

      /* A missing slice shows as one gap that is a whole multiple (2 or
       * more) of equal gaps on both sides of it; a protocol that changes
       * the spacing has different gaps on its two sides instead. */
      for (guint i = 0; i + 1 < n; i++)
        {
          double ref = 0, ratio;
          gboolean have = FALSE;

          if (i > 0 && i + 2 < n)
            {
              if (close_rel (gaps[i - 1], gaps[i + 1], 0.01))
                ref = gaps[i - 1], have = TRUE;
            }
          else if (i == 0 && n > 3 && close_rel (gaps[1], gaps[2], 0.01))
            ref = gaps[1], have = TRUE;
          else if (i > 1 && i + 2 == n && close_rel (gaps[i - 1], gaps[i - 2], 0.01))
            ref = gaps[i - 1], have = TRUE;
          if (!have)
            continue;
          ratio = gaps[i] / ref;
          if (ratio > 1.5 && fabs (ratio - round (ratio)) < 0.1)
            {
              if (info->n_missing == 0)
                {
                  info->missing_from_mm = items[i].w;
                  info->missing_to_mm = items[i + 1].w;
                  info->missing_after = i;
                }
              info->n_missing++;
            }
        }
      if (info->n_missing > 0 && !(options && options->allow_gaps))
        {
          const OpSlice *a = &slices[items[info->missing_after].index];
          const OpSlice *b = &slices[items[info->missing_after + 1].index];

          g_set_error (error, OP_VOLUME_ERROR, OP_VOLUME_ERROR_GAP,
                       "slices are missing between %s and %s: a gap of %.2f mm from %.2f to %.2f mm "
                       "along the slice normal where its neighbours are %.2f mm apart "
                       "(positions %.2f\\%.2f\\%.2f and %.2f\\%.2f\\%.2f)",
                       a->label, b->label, info->missing_to_mm - info->missing_from_mm,
                       info->missing_from_mm, info->missing_to_mm,
                       gaps[info->missing_after > 0 ? info->missing_after - 1 : info->missing_after + 1],
                       a->position[0], a->position[1], a->position[2],
                       b->position[0], b->position[1], b->position[2]);
          return FALSE;
        }

      /* Tilt: the angle between the slice normal and the line the slice
       * positions run along.  Zero for an ordinary stack. */
      for (int a = 0; a < 3; a++)
        stack[a] = slices[items[n - 1].index].position[a] - slices[items[0].index].position[a];
      if (normalise3 (stack))
        info->tilt_deg = acos (CLAMP (fabs (dot3 (stack, nrm)), 0.0, 1.0)) * 180.0 / G_PI;
      info->tilted = info->tilt_deg > 0.1;

      /* The through-plane spacing is the smallest regular gap: gaps below
       * half the median are one-off steps (the join of two spacings) that
       * would make the grid needlessly fine. */
      sorted_gaps = g_memdup2 (gaps, (n - 1) * sizeof (double));
      qsort (sorted_gaps, n - 1, sizeof (double), double_cmp);
      median = sorted_gaps[(n - 1) / 2];
      for (guint i = 0; i + 1 < n; i++)
        if (sorted_gaps[i] >= 0.5 * median)
          {
            target = sorted_gaps[i];
            n_regular++;
            break;
          }
      if (n_regular == 0)
        target = median;
    }
  else
    target = MIN (s0->row_spacing, s0->column_spacing);

  wmin = items[0].w;
  wmax = items[n - 1].w;
  extent = wmax - wmin;

  memcpy (info->axes, u, sizeof u);
  memcpy (info->axes + 3, v, sizeof v);
  memcpy (info->axes + 6, nrm, sizeof nrm);
  info->spacing[0] = s0->column_spacing * factor;
  info->spacing[1] = s0->row_spacing * factor;
  info->dims[0] = (int) floor ((umax - umin) / info->spacing[0] + 1e-6) + 1;
  info->dims[1] = (int) floor ((vmax - vmin) / info->spacing[1] + 1e-6) + 1;
  if (n > 1)
    {
      /* Stretch the spacing a little (never shrink it, which would cost
       * memory) so that the first and the last slice both fall on grid
       * planes. */
      info->dims[2] = MAX (2, (int) floor (extent / (target * factor) + 1e-6) + 1);
      info->spacing[2] = extent / (info->dims[2] - 1);
    }
  else
    {
      info->dims[2] = 1;
      info->spacing[2] = target * factor;
    }
  for (int a = 0; a < 3; a++)
    info->origin[a] = umin * u[a] + vmin * v[a] + wmin * nrm[a];
  return TRUE;
}

void
op_slice_downsample2 (OpSlice      *slice,
                      const gint16 *pixels,
                      gint16       *out)
{
  int cols = slice->columns / 2, rows = slice->rows / 2;

  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      {
        const gint16 *p = pixels + (gsize) (2 * r) * slice->columns + 2 * c;
        int sum = p[0] + p[1] + p[slice->columns] + p[slice->columns + 1];

        /* Round half away from zero, the same on every machine. */
        out[(gsize) r * cols + c] = (gint16) (sum >= 0 ? (sum + 2) / 4 : -((-sum + 2) / 4));
      }
  /* The new first pixel is the average of the old 2x2 block, so its
   * centre moves half an old pixel along both in-plane axes. */
  for (int a = 0; a < 3; a++)
    slice->position[a] += 0.5 * slice->column_spacing * slice->row_dir[a] +
                          0.5 * slice->row_spacing * slice->col_dir[a];
  slice->column_spacing *= 2;
  slice->row_spacing *= 2;
  slice->columns = cols;
  slice->rows = rows;
  slice->pixels = out;
}

/* Bilinear sample of one slice at continuous (col, row); @pad outside. */
static inline double
slice_sample (const OpSlice *s,
              double         col,
              double         row,
              double         pad,
              double         scale,
              double         offset)
{
  int c0, r0, c1, r1;
  double tc, tr, a, b, c, d;

  if (col < -1e-6 || row < -1e-6 || col > s->columns - 1 + 1e-6 || row > s->rows - 1 + 1e-6)
    return pad;
  col = CLAMP (col, 0, s->columns - 1);
  row = CLAMP (row, 0, s->rows - 1);
  c0 = (int) floor (col);
  r0 = (int) floor (row);
  c1 = MIN (c0 + 1, s->columns - 1);
  r1 = MIN (r0 + 1, s->rows - 1);
  tc = col - c0;
  tr = row - r0;
  a = s->pixels[(gsize) r0 * s->columns + c0];
  b = s->pixels[(gsize) r0 * s->columns + c1];
  c = s->pixels[(gsize) r1 * s->columns + c0];
  d = s->pixels[(gsize) r1 * s->columns + c1];
  return ((a * (1 - tc) + b * tc) * (1 - tr) + (c * (1 - tc) + d * tc) * tr) * scale + offset;
}

static gint16
to_int16 (double x)
{
  long r = lround (x);

  return (gint16) CLAMP (r, G_MININT16, G_MAXINT16);
}

OpVolume *
op_volume_resample_stack (const OpSlice     *slices,
                          const guint       *order,
                          const OpStackInfo *info)
{
  const double *u = info->axes, *v = info->axes + 3, *nrm = info->axes + 6;
  const int nx = info->dims[0], ny = info->dims[1], nz = info->dims[2];
  const guint n = info->n_slices;
  g_autoptr(OpVolume) vol = NULL;
  g_autofree double *ws = NULL;
  gboolean same_scale = TRUE;
  double pad = G_MAXDOUBLE, u0, v0, w0;
  guint s = 0;

  g_return_val_if_fail (slices != NULL && order != NULL && info != NULL && n > 0, NULL);

  vol = op_volume_new (nx, ny, nz, info->spacing);
  if (vol == NULL)
    return NULL;
  op_volume_set_geometry (vol, info->origin, info->axes);

  for (guint i = 1; i < n; i++)
    if (slices[i].slope != slices[0].slope || slices[i].intercept != slices[0].intercept)
      same_scale = FALSE;
  if (same_scale)
    {
      vol->slope = slices[0].slope != 0 ? slices[0].slope : 1.0;
      vol->intercept = slices[0].intercept;
    }

  /* Outside every slice the volume holds the lowest value of the stack:
   * air or the scanner's own padding, never a made-up tissue. */
  for (guint i = 0; i < n; i++)
    {
      const OpSlice *sl = &slices[i];
      double scale = same_scale ? 1.0 : sl->slope, offset = same_scale ? 0.0 : sl->intercept;
      gsize np = (gsize) sl->rows * sl->columns;
      int lo = G_MAXINT16;

      g_return_val_if_fail (sl->pixels != NULL, NULL);
      for (gsize p = 0; p < np; p++)
        lo = MIN (lo, sl->pixels[p]);
      pad = MIN (pad, lo * scale + offset);
    }

  ws = g_new (double, n);
  for (guint i = 0; i < n; i++)
    ws[i] = dot3 (slices[order[i]].position, nrm);
  u0 = dot3 (info->origin, u);
  v0 = dot3 (info->origin, v);
  w0 = dot3 (info->origin, nrm);

  for (int k = 0; k < nz; k++)
    {
      double w = w0 + k * info->spacing[2], t;
      const OpSlice *a, *b;
      gint16 *plane = vol->voxels + (gsize) k * nx * ny;
      double ca0, ra0, cb0, rb0, dc_a, dr_a, dc_b, dr_b;
      double sa, oa, sb, ob;

      while (s + 2 < n && ws[s + 1] <= w)
        s++;
      a = &slices[order[s]];
      b = n > 1 ? &slices[order[s + 1]] : a;
      t = n > 1 ? (w - ws[s]) / (ws[s + 1] - ws[s]) : 0;
      t = CLAMP (t, 0, 1);
      /* Snap positions that only rounding keeps off a slice. */
      if (t < 1e-9)
        t = 0;
      if (t > 1 - 1e-9)
        t = 1;

      sa = same_scale ? 1.0 : a->slope;
      oa = same_scale ? 0.0 : a->intercept;
      sb = same_scale ? 1.0 : b->slope;
      ob = same_scale ? 0.0 : b->intercept;

      /* Pixel coordinates in each slice are linear in the grid's i and j
       * because the grid's in-plane axes are the slices' own. */
      ca0 = (u0 - dot3 (a->position, u)) / a->column_spacing;
      ra0 = (v0 - dot3 (a->position, v)) / a->row_spacing;
      cb0 = (u0 - dot3 (b->position, u)) / b->column_spacing;
      rb0 = (v0 - dot3 (b->position, v)) / b->row_spacing;
      dc_a = info->spacing[0] / a->column_spacing;
      dr_a = info->spacing[1] / a->row_spacing;
      dc_b = info->spacing[0] / b->column_spacing;
      dr_b = info->spacing[1] / b->row_spacing;

      for (int j = 0; j < ny; j++)
        {
          gint16 *row = plane + (gsize) j * nx;
          double ra = ra0 + j * dr_a, rb = rb0 + j * dr_b;

          /* The common case (no tilt, even spacing, full resolution) lands
           * exactly on a slice's pixels: copy them instead of
           * interpolating, which is both exact and fast. */
          if ((t == 0 || t == 1) && same_scale)
            {
              const OpSlice *on = t == 0 ? a : b;
              double c0 = t == 0 ? ca0 : cb0, r = t == 0 ? ra : rb, dc = t == 0 ? dc_a : dc_b;

              if (dc == 1.0 && fabs (c0 - round (c0)) < 1e-6 && fabs (r - round (r)) < 1e-6 &&
                  round (r) >= 0 && round (r) < on->rows && round (c0) >= 0 &&
                  round (c0) + nx <= on->columns)
                {
                  memcpy (row, on->pixels + (gsize) lround (r) * on->columns + lround (c0),
                          nx * sizeof (gint16));
                  continue;
                }
            }

          for (int i = 0; i < nx; i++)
            {
              double va = t < 1 ? slice_sample (a, ca0 + i * dc_a, ra, pad, sa, oa) : 0;
              double vb = t > 0 ? slice_sample (b, cb0 + i * dc_b, rb, pad, sb, ob) : 0;

              row[i] = to_int16 (va * (1 - t) + vb * t);
            }
        }
    }
  return g_steal_pointer (&vol);
}
