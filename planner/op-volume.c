/* op-volume.c: the volume container, sampling, thresholds, windows and
 * display slices.  Building a volume from slices is in op-volume-stack.c. */
#include "op-volume.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (op-volume-error-quark, op_volume_error)

guint64
op_volume_estimate_bytes (guint64 nx,
                          guint64 ny,
                          guint64 nz)
{
  if (nx == 0 || ny == 0 || nz == 0)
    return 0;
  if (nx > G_MAXUINT64 / ny || nx * ny > G_MAXUINT64 / nz / sizeof (gint16))
    return G_MAXUINT64;
  return nx * ny * nz * sizeof (gint16);
}

OpVolume *
op_volume_new (int           nx,
               int           ny,
               int           nz,
               const double  spacing[3])
{
  static const double identity[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  static const double zero[3] = { 0, 0, 0 };
  guint64 bytes;
  OpVolume *v;

  g_return_val_if_fail (spacing != NULL, NULL);
  if (nx <= 0 || ny <= 0 || nz <= 0)
    return NULL;
  bytes = op_volume_estimate_bytes (nx, ny, nz);
  if (bytes == G_MAXUINT64 || bytes > G_MAXSIZE / 2)
    return NULL;

  v = g_new0 (OpVolume, 1);
  v->voxels = g_try_malloc0 (bytes);
  if (v->voxels == NULL)
    {
      g_free (v);
      return NULL;
    }
  v->dims[0] = nx;
  v->dims[1] = ny;
  v->dims[2] = nz;
  memcpy (v->spacing, spacing, sizeof v->spacing);
  v->slope = 1.0;
  v->intercept = 0.0;
  op_volume_set_geometry (v, zero, identity);
  return v;
}

void
op_volume_free (OpVolume *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->voxels);
  g_free (volume);
}

OpVolume *
op_volume_copy (const OpVolume *volume)
{
  OpVolume *copy;
  gsize n;

  g_return_val_if_fail (volume != NULL, NULL);
  copy = g_memdup2 (volume, sizeof *volume);
  n = (gsize) volume->dims[0] * volume->dims[1] * volume->dims[2];
  copy->voxels = g_memdup2 (volume->voxels, n * sizeof (gint16));
  return copy;
}

void
op_volume_set_geometry (OpVolume     *volume,
                        const double  origin[3],
                        const double  axes[9])
{
  double *m = volume->transform;

  memset (m, 0, sizeof volume->transform);
  for (int c = 0; c < 3; c++)
    for (int r = 0; r < 3; r++)
      m[c * 4 + r] = axes[c * 3 + r] * volume->spacing[c];
  for (int r = 0; r < 3; r++)
    m[12 + r] = origin[r];
  m[15] = 1.0;
}

void
op_volume_voxel_to_world (const OpVolume *volume,
                          const double    ijk[3],
                          double          xyz[3])
{
  const double *m = volume->transform;

  for (int r = 0; r < 3; r++)
    xyz[r] = m[r] * ijk[0] + m[4 + r] * ijk[1] + m[8 + r] * ijk[2] + m[12 + r];
}

void
op_volume_world_to_voxel (const OpVolume *volume,
                          const double    xyz[3],
                          double          ijk[3])
{
  const double *m = volume->transform;
  double a[3][3], inv[3][3], d[3], det;

  /* A general 3x3 inverse, so that a sheared transform (should one ever be
   * stored unresampled) still maps back correctly. */
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      a[r][c] = m[c * 4 + r];
  inv[0][0] = a[1][1] * a[2][2] - a[1][2] * a[2][1];
  inv[0][1] = a[0][2] * a[2][1] - a[0][1] * a[2][2];
  inv[0][2] = a[0][1] * a[1][2] - a[0][2] * a[1][1];
  inv[1][0] = a[1][2] * a[2][0] - a[1][0] * a[2][2];
  inv[1][1] = a[0][0] * a[2][2] - a[0][2] * a[2][0];
  inv[1][2] = a[0][2] * a[1][0] - a[0][0] * a[1][2];
  inv[2][0] = a[1][0] * a[2][1] - a[1][1] * a[2][0];
  inv[2][1] = a[0][1] * a[2][0] - a[0][0] * a[2][1];
  inv[2][2] = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  det = a[0][0] * inv[0][0] + a[0][1] * inv[1][0] + a[0][2] * inv[2][0];
  if (det == 0)
    det = 1;
  for (int r = 0; r < 3; r++)
    d[r] = xyz[r] - m[12 + r];
  for (int r = 0; r < 3; r++)
    ijk[r] = (inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2]) / det;
}

gboolean
op_volume_sample (const OpVolume *volume,
                  const double    xyz[3],
                  double         *out_raw)
{
  const int nx = volume->dims[0], ny = volume->dims[1], nz = volume->dims[2];
  double ijk[3], f[3];
  int i0[3], i1[3];
  double c = 0;

  op_volume_world_to_voxel (volume, xyz, ijk);
  for (int a = 0; a < 3; a++)
    {
      double lim = volume->dims[a] - 1;

      /* A tolerance of a thousandth of a voxel keeps points that lie on the
       * boundary planes, up to rounding, inside. */
      if (ijk[a] < -1e-3 || ijk[a] > lim + 1e-3)
        return FALSE;
      ijk[a] = CLAMP (ijk[a], 0, lim);
      i0[a] = (int) floor (ijk[a]);
      i1[a] = MIN (i0[a] + 1, volume->dims[a] - 1);
      f[a] = ijk[a] - i0[a];
    }

  for (int dz = 0; dz < 2; dz++)
    for (int dy = 0; dy < 2; dy++)
      for (int dx = 0; dx < 2; dx++)
        {
          double w = (dx ? f[0] : 1 - f[0]) * (dy ? f[1] : 1 - f[1]) * (dz ? f[2] : 1 - f[2]);
          gsize idx = ((gsize) (dz ? i1[2] : i0[2]) * ny + (dy ? i1[1] : i0[1])) * nx + (dx ? i1[0] : i0[0]);

          if (w != 0)
            c += w * volume->voxels[idx];
        }
  (void) nz;
  *out_raw = c;
  return TRUE;
}

void
op_volume_world_bounds (const OpVolume *volume,
                        double          bmin[3],
                        double          bmax[3])
{
  for (int a = 0; a < 3; a++)
    {
      bmin[a] = G_MAXDOUBLE;
      bmax[a] = -G_MAXDOUBLE;
    }
  for (int corner = 0; corner < 8; corner++)
    {
      double ijk[3], xyz[3];

      for (int a = 0; a < 3; a++)
        ijk[a] = (corner >> a) & 1 ? volume->dims[a] - 1 : 0;
      op_volume_voxel_to_world (volume, ijk, xyz);
      for (int a = 0; a < 3; a++)
        {
          bmin[a] = MIN (bmin[a], xyz[a]);
          bmax[a] = MAX (bmax[a], xyz[a]);
        }
    }
}

/* ---- Thresholds -------------------------------------------------------- */

static int
otsu_from_histogram (const guint64 *hist,
                     int            lo,
                     int            hi)
{
  double total = 0, sum = 0, w0 = 0, sum0 = 0, best = -1;
  int best_t = G_MININT16, distinct = 0;

  for (int v = lo; v <= hi; v++)
    {
      guint64 h = hist[v - G_MININT16];

      total += h;
      sum += (double) h * v;
      distinct += h > 0;
    }
  if (distinct < 2)
    return G_MININT16;

  /* Class 0 is {v < t}: after adding bin t-1 to it, t is the candidate. */
  for (int v = lo; v < hi; v++)
    {
      guint64 h = hist[v - G_MININT16];
      double w1, m0, m1, between;

      w0 += h;
      sum0 += (double) h * v;
      if (w0 == 0)
        continue;
      w1 = total - w0;
      if (w1 == 0)
        break;
      m0 = sum0 / w0;
      m1 = (sum - sum0) / w1;
      between = w0 * w1 * (m0 - m1) * (m0 - m1);
      /* Strictly greater keeps the lowest t among equal maxima, so the
       * answer does not depend on rounding order. */
      if (between > best)
        {
          best = between;
          best_t = v + 1;
        }
    }
  /* Between two occupied bins any t gives the same split: move to the
   * middle of the empty run so the threshold sits between the classes. */
  if (best_t != G_MININT16)
    {
      int a = best_t - 1, b = best_t;

      while (b <= hi && hist[b - G_MININT16] == 0)
        b++;
      best_t = a + 1 + (b - a - 1) / 2;
    }
  return best_t;
}

static guint64 *
histogram_new (const gint16 *values,
               gsize         n,
               int          *lo,
               int          *hi)
{
  guint64 *hist = g_new0 (guint64, 65536);

  *lo = G_MAXINT16;
  *hi = G_MININT16;
  for (gsize i = 0; i < n; i++)
    {
      hist[values[i] - G_MININT16]++;
      *lo = MIN (*lo, values[i]);
      *hi = MAX (*hi, values[i]);
    }
  return hist;
}

int
op_otsu_threshold (const gint16 *values,
                   gsize         n,
                   int           ignore_below)
{
  g_autofree guint64 *hist = NULL;
  int lo, hi;

  g_return_val_if_fail (values != NULL || n == 0, G_MININT16);
  if (n == 0)
    return G_MININT16;
  hist = histogram_new (values, n, &lo, &hi);
  lo = MAX (lo, ignore_below);
  if (lo > hi)
    return G_MININT16;
  return otsu_from_histogram (hist, lo, hi);
}

int
op_volume_auto_threshold (const OpVolume *volume)
{
  g_autofree guint64 *hist = NULL;
  gsize n;
  int lo, hi, t1, t2;

  g_return_val_if_fail (volume != NULL, G_MININT16);
  n = (gsize) volume->dims[0] * volume->dims[1] * volume->dims[2];
  hist = histogram_new (volume->voxels, n, &lo, &hi);
  t1 = otsu_from_histogram (hist, lo, hi);
  if (t1 == G_MININT16)
    return G_MININT16;
  t2 = otsu_from_histogram (hist, t1, hi);
  return t2 == G_MININT16 ? t1 : t2;
}

/* ---- Windows ----------------------------------------------------------- */

OpWindowLevel
op_window_preset (OpWindowPreset preset)
{
  /* Level and width in HU.  Bone and soft tissue are the usual radiology
   * windows; the teeth window is wider and higher so that enamel (about
   * 2,500-3,000 HU on CT, often brighter on CBCT) and dentine stay apart
   * while bone is still visible. */
  switch (preset)
    {
    case OP_WINDOW_BONE:
      return (OpWindowLevel) { 400, 1800 };
    case OP_WINDOW_TEETH:
      return (OpWindowLevel) { 1200, 3600 };
    case OP_WINDOW_SOFT_TISSUE:
    default:
      return (OpWindowLevel) { 40, 400 };
    }
}

const char *
op_window_preset_to_string (OpWindowPreset preset)
{
  switch (preset)
    {
    case OP_WINDOW_BONE:
      return "bone";
    case OP_WINDOW_TEETH:
      return "teeth";
    case OP_WINDOW_SOFT_TISSUE:
    default:
      return "soft";
    }
}

gboolean
op_window_preset_from_string (const char     *str,
                              OpWindowPreset *out_preset)
{
  static const OpWindowPreset all[] = { OP_WINDOW_BONE, OP_WINDOW_TEETH, OP_WINDOW_SOFT_TISSUE };

  for (guint i = 0; str && i < G_N_ELEMENTS (all); i++)
    if (g_str_equal (str, op_window_preset_to_string (all[i])))
      {
        *out_preset = all[i];
        return TRUE;
      }
  return FALSE;
}

guint8
op_window_apply (OpWindowLevel window,
                 double   hu)
{
  double lo = window.level - window.width / 2, t;

  if (window.width <= 0)
    return hu >= window.level ? 255 : 0;
  t = (hu - lo) / window.width;
  if (!(t > 0))
    return 0;
  if (t >= 1)
    return 255;
  return (guint8) lrint (t * 255.0);
}

/* ---- Display slices ---------------------------------------------------- */

const char *
op_plane_to_string (OpPlane plane)
{
  switch (plane)
    {
    case OP_PLANE_AXIAL:
      return "axial";
    case OP_PLANE_CORONAL:
      return "coronal";
    case OP_PLANE_SAGITTAL:
    default:
      return "sagittal";
    }
}

gboolean
op_plane_from_string (const char *str,
                      OpPlane    *out_plane)
{
  for (int p = OP_PLANE_AXIAL; str && p <= OP_PLANE_SAGITTAL; p++)
    if (g_str_equal (str, op_plane_to_string (p)))
      {
        *out_plane = p;
        return TRUE;
      }
  return FALSE;
}

/* The volume axes shown across (u) and down (v) for a plane, and whether
 * the down axis is flipped so that superior is up. */
static void
plane_axes (OpPlane   plane,
            int      *u,
            int      *v,
            int      *w,
            gboolean *flip_v,
            gboolean *flip_u)
{
  *flip_u = FALSE;
  switch (plane)
    {
    case OP_PLANE_AXIAL:
      *u = 0, *v = 1, *w = 2, *flip_v = FALSE;
      break;
    case OP_PLANE_CORONAL:
      *u = 0, *v = 2, *w = 1, *flip_v = TRUE;
      break;
    case OP_PLANE_SAGITTAL:
    default:
      *u = 1, *v = 2, *w = 0, *flip_v = TRUE;
      break;
    }
}

int
op_volume_plane_count (const OpVolume *volume,
                       OpPlane         plane)
{
  int u, v, w;
  gboolean fv, fu;

  plane_axes (plane, &u, &v, &w, &fv, &fu);
  return volume->dims[w];
}

void
op_volume_slice_size (const OpVolume *volume,
                      OpPlane         plane,
                      double          pixel_mm,
                      int            *out_width,
                      int            *out_height)
{
  int u, v, w;
  gboolean fv, fu;

  plane_axes (plane, &u, &v, &w, &fv, &fu);
  if (pixel_mm <= 0)
    pixel_mm = MIN (volume->spacing[u], volume->spacing[v]);
  *out_width = MAX (1, (int) floor ((volume->dims[u] - 1) * volume->spacing[u] / pixel_mm + 1e-6) + 1);
  *out_height = MAX (1, (int) floor ((volume->dims[v] - 1) * volume->spacing[v] / pixel_mm + 1e-6) + 1);
}

gboolean
op_volume_render_slice (const OpVolume *volume,
                        OpPlane         plane,
                        int             index,
                        OpWindowLevel        window,
                        double          pixel_mm,
                        guint8         *grey,
                        int             width,
                        int             height)
{
  const gsize stride[3] = { 1, (gsize) volume->dims[0], (gsize) volume->dims[0] * volume->dims[1] };
  int u, v, w;
  gboolean flip_v, flip_u;

  g_return_val_if_fail (volume != NULL && grey != NULL, FALSE);
  plane_axes (plane, &u, &v, &w, &flip_v, &flip_u);
  if (index < 0 || index >= volume->dims[w])
    return FALSE;
  if (pixel_mm <= 0)
    pixel_mm = MIN (volume->spacing[u], volume->spacing[v]);

  for (int y = 0; y < height; y++)
    {
      double fy = y * pixel_mm / volume->spacing[v];
      int y0, y1;
      double ty;

      if (flip_v)
        fy = (volume->dims[v] - 1) - fy;
      fy = CLAMP (fy, 0, volume->dims[v] - 1);
      y0 = (int) floor (fy);
      y1 = MIN (y0 + 1, volume->dims[v] - 1);
      ty = fy - y0;

      for (int x = 0; x < width; x++)
        {
          double fx = CLAMP (x * pixel_mm / volume->spacing[u], 0, volume->dims[u] - 1);
          int x0 = (int) floor (fx), x1 = MIN (x0 + 1, volume->dims[u] - 1);
          double tx = fx - x0;
          gsize base = (gsize) index * stride[w];
          double a = volume->voxels[base + x0 * stride[u] + y0 * stride[v]];
          double b = volume->voxels[base + x1 * stride[u] + y0 * stride[v]];
          double c = volume->voxels[base + x0 * stride[u] + y1 * stride[v]];
          double d = volume->voxels[base + x1 * stride[u] + y1 * stride[v]];
          double raw = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;

          grey[(gsize) y * width + x] = op_window_apply (window, op_volume_raw_to_hu (volume, raw));
        }
    }
  return TRUE;
}

void
op_volume_view (const OpVolume *volume,
                const double    world_to_frame[16],
                OpVolume       *out_view)
{
  double t[16];

  g_return_if_fail (volume != NULL && world_to_frame != NULL && out_view != NULL);

  for (int c = 0; c < 4; c++)
    for (int r = 0; r < 4; r++)
      {
        double v = 0;

        for (int k = 0; k < 4; k++)
          v += world_to_frame[k * 4 + r] * volume->transform[c * 4 + k];
        t[c * 4 + r] = v;
      }
  *out_view = *volume;
  memcpy (out_view->transform, t, sizeof t);
}
