/* op-arch.c: arch form fit, arc length, space and Bolton. */
#include <math.h>
#include <string.h>

#include "op-arch.h"
#include "op-linalg.h"

G_DEFINE_QUARK (op-arch-error-quark, op_arch_error)

#define ARC_STEPS 256

static inline double
dot3 (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

static gboolean
unit3 (float v[3])
{
  double l = sqrt (dot3 (v, v));

  if (!(l > 1e-9))
    return FALSE;
  for (int k = 0; k < 3; k++)
    v[k] = (float) (v[k] / l);
  return TRUE;
}

static OpTooth *
framed (const OpDentition *d, int fdi)
{
  OpTooth *t = op_dentition_get (d, fdi);
  return t && t->has_frame && t->width > 0 ? t : NULL;
}

/* The contact points of a tooth: its origin moved half its width along
 * mesial (sign +1) or against it (sign -1). */
static void
contact_point (const OpTooth *t, int sign, float out[3])
{
  for (int k = 0; k < 3; k++)
    out[k] = t->frame.origin[k] + sign * .5f * t->width * t->frame.mesial[k];
}

static void
to_plane (const OpArchForm *f, const float p[3], double *x, double *y)
{
  float rel[3] = { p[0] - f->origin[0], p[1] - f->origin[1], p[2] - f->origin[2] };

  *x = dot3 (rel, f->x_axis);
  *y = dot3 (rel, f->y_axis);
}

gboolean
op_arch_form_fit (const OpDentition *dentition,
                  gboolean           upper,
                  OpArchForm        *out,
                  GError           **error)
{
  const int q_right = upper ? 1 : 4, q_left = upper ? 2 : 3;
  OpTooth *m_r, *m_l, *i_r, *i_l;
  OpArchForm f = { 0 };
  float mr[3], ml[3], ir[3], il[3], centre[3] = { 0, 0, 0 };
  double cov[3][3] = { { 0 } }, values[3], vectors[3][3], mean_occl[3] = { 0, 0, 0 };
  double xr, yr, xl, yl, h, d, sgg = 0, sgt = 0, a, ss = 0;
  guint n = 0, n_pts = 0;

  g_return_val_if_fail (dentition != NULL && out != NULL, FALSE);

  m_r = framed (dentition, 10 * q_right + 6);
  m_l = framed (dentition, 10 * q_left + 6);
  i_r = framed (dentition, 10 * q_right + 1);
  i_l = framed (dentition, 10 * q_left + 1);
  if (!m_r || !m_l || !i_r || !i_l)
    {
      int missing = !m_r ? 10 * q_right + 6 : !m_l ? 10 * q_left + 6 : !i_r ? 10 * q_right + 1 : 10 * q_left + 1;
      OpTooth *t = op_dentition_get (dentition, missing);

      g_set_error (error, OP_ARCH_ERROR, t ? OP_ARCH_ERROR_NO_FRAME : OP_ARCH_ERROR_MISSING_TEETH,
                   "%s arch form: tooth %d %s", upper ? "upper" : "lower", missing,
                   t ? "has no frame or width" : "is missing (both first molars and both central incisors are needed)");
      return FALSE;
    }

  /* The arch plane: through the crown centres of the arch, normal to the
   * direction they spread least, turned like the crowns. */
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);
      if (op_fdi_is_upper (t->fdi) != upper || !t->has_frame)
        continue;
      for (int k = 0; k < 3; k++)
        {
          centre[k] += t->frame.origin[k];
          mean_occl[k] += t->frame.occlusal[k];
        }
      n++;
    }
  for (int k = 0; k < 3; k++)
    centre[k] /= n;
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);
      if (op_fdi_is_upper (t->fdi) != upper || !t->has_frame)
        continue;
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          cov[r][c] += ((double) t->frame.origin[r] - centre[r]) * ((double) t->frame.origin[c] - centre[c]);
    }
  op_sym3_eigen (cov, values, vectors);
  for (int k = 0; k < 3; k++)
    f.normal[k] = (float) vectors[2][k];
  if (f.normal[0] * mean_occl[0] + f.normal[1] * mean_occl[1] + f.normal[2] * mean_occl[2] < 0)
    for (int k = 0; k < 3; k++)
      f.normal[k] = -f.normal[k];
  unit3 (f.normal);

  contact_point (m_r, 1, mr);
  contact_point (m_l, 1, ml);
  contact_point (i_r, 1, ir);
  contact_point (i_l, 1, il);
  for (int k = 0; k < 3; k++)
    {
      f.origin[k] = .5f * (ir[k] + il[k]);
      f.x_axis[k] = ml[k] - mr[k];
    }
  /* Into the plane: the origin onto it, the across direction along it. */
  {
    float rel[3] = { f.origin[0] - centre[0], f.origin[1] - centre[1], f.origin[2] - centre[2] };
    double off = dot3 (rel, f.normal), along = dot3 (f.x_axis, f.normal);
    for (int k = 0; k < 3; k++)
      {
        f.origin[k] -= (float) (off * f.normal[k]);
        f.x_axis[k] -= (float) (along * f.normal[k]);
      }
  }
  if (!unit3 (f.x_axis))
    {
      g_set_error (error, OP_ARCH_ERROR, OP_ARCH_ERROR_DEGENERATE,
                   "%s arch form: the first molars sit on top of each other", upper ? "upper" : "lower");
      return FALSE;
    }
  f.y_axis[0] = f.normal[1] * f.x_axis[2] - f.normal[2] * f.x_axis[1];
  f.y_axis[1] = f.normal[2] * f.x_axis[0] - f.normal[0] * f.x_axis[2];
  f.y_axis[2] = f.normal[0] * f.x_axis[1] - f.normal[1] * f.x_axis[0];
  {
    float mid[3] = { .5f * (mr[0] + ml[0]) - f.origin[0], .5f * (mr[1] + ml[1]) - f.origin[1], .5f * (mr[2] + ml[2]) - f.origin[2] };
    if (dot3 (mid, f.y_axis) < 0)
      for (int k = 0; k < 3; k++)
        f.y_axis[k] = -f.y_axis[k];
  }
  unit3 (f.y_axis);

  to_plane (&f, mr, &xr, &yr);
  to_plane (&f, ml, &xl, &yl);
  h = .5 * (xl - xr);
  d = .5 * (yl + yr);
  if (!(h > 5) || !(d > 5))
    {
      g_set_error (error, OP_ARCH_ERROR, OP_ARCH_ERROR_DEGENERATE,
                   "%s arch form: intermolar width %.1f mm and depth %.1f mm are not an arch",
                   upper ? "upper" : "lower", 2 * h, d);
      return FALSE;
    }

  /* y = a x^6 + b x^2 through (h, d) gives b = (d - a h^6) / h^2, so
   * y - d x^2/h^2 = a (x^6 - h^4 x^2): least squares in a alone over the
   * contact points of the teeth in front of the molars. */
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);
      if (op_fdi_is_upper (t->fdi) != upper || !t->has_frame || t->width <= 0
          || op_fdi_type (t->fdi) > OP_TOOTH_SECOND_PREMOLAR)
        continue;
      for (int sgn = -1; sgn <= 1; sgn += 2)
        {
          float p[3];
          double x, y, g, tt;

          contact_point (t, sgn, p);
          to_plane (&f, p, &x, &y);
          x = CLAMP (x, -h, h);
          g = pow (x, 6) - pow (h, 4) * x * x;
          tt = y - d * x * x / (h * h);
          sgg += g * g;
          sgt += g * tt;
        }
    }
  a = sgg > 0 ? sgt / sgg : 0;
  /* Keep the curve running backwards from the midline to the molars:
   * y' >= 0 on [0, h] needs a >= -d / (2 h^6), and b >= 0 needs
   * a <= d / h^6. */
  a = CLAMP (a, -d / (2 * pow (h, 6)), d / pow (h, 6));
  f.a = a;
  f.b = (d - a * pow (h, 6)) / (h * h);
  f.upper = upper;
  f.intermolar_width = 2 * h;
  f.depth = d;

  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);
      if (op_fdi_is_upper (t->fdi) != upper || !t->has_frame || t->width <= 0
          || op_fdi_type (t->fdi) > OP_TOOTH_SECOND_PREMOLAR)
        continue;
      for (int sgn = -1; sgn <= 1; sgn += 2)
        {
          float p[3];
          double x, y, r;

          contact_point (t, sgn, p);
          to_plane (&f, p, &x, &y);
          r = y - op_arch_form_y (&f, x);
          ss += r * r;
          n_pts++;
        }
    }
  f.rms_residual = n_pts ? sqrt (ss / n_pts) : 0;
  *out = f;
  return TRUE;
}

double
op_arch_form_y (const OpArchForm *f,
                double            x)
{
  return f->a * pow (x, 6) + f->b * x * x;
}

static double
slope (const OpArchForm *f, double x)
{
  return 6 * f->a * pow (x, 5) + 2 * f->b * x;
}

double
op_arch_form_length (const OpArchForm *f,
                     double            x)
{
  double sum = 0, hstep, ax = fabs (x);

  g_return_val_if_fail (f != NULL, 0);
  if (ax == 0)
    return 0;
  /* Simpson's rule over a fixed number of steps: smooth integrand, and a
   * fixed grid keeps the result reproducible. */
  hstep = ax / ARC_STEPS;
  for (int i = 0; i <= ARC_STEPS; i++)
    {
      double xi = i * hstep, s = slope (f, xi), v = sqrt (1 + s * s);
      sum += (i == 0 || i == ARC_STEPS) ? v : (i % 2 ? 4 * v : 2 * v);
    }
  sum *= hstep / 3;
  return x < 0 ? -sum : sum;
}

double
op_arch_form_x_at_length (const OpArchForm *f,
                          double            s)
{
  double lo = 0, hi = fabs (s), as = fabs (s);

  g_return_val_if_fail (f != NULL, 0);
  /* Arc length is at least the across distance, so x lies in [0, |s|]. */
  for (int i = 0; i < 60; i++)
    {
      double mid = .5 * (lo + hi);
      if (op_arch_form_length (f, mid) < as)
        lo = mid;
      else
        hi = mid;
    }
  return s < 0 ? -.5 * (lo + hi) : .5 * (lo + hi);
}

void
op_arch_form_eval (const OpArchForm *f,
                   double            s,
                   float             out_point[3],
                   float             out_tangent[3])
{
  double x, y, sl, l;

  g_return_if_fail (f != NULL);
  x = op_arch_form_x_at_length (f, s);
  y = op_arch_form_y (f, x);
  sl = slope (f, x);
  l = sqrt (1 + sl * sl);
  for (int k = 0; k < 3; k++)
    {
      if (out_point)
        out_point[k] = (float) (f->origin[k] + x * f->x_axis[k] + y * f->y_axis[k]);
      if (out_tangent)
        out_tangent[k] = (float) ((f->x_axis[k] + sl * f->y_axis[k]) / l);
    }
}

void
op_arch_form_adjust (const OpArchForm *f,
                     double            expansion,
                     double            advance,
                     OpArchForm       *out)
{
  OpArchForm g;
  double h, h2, d2, sx, sy;

  g_return_if_fail (f != NULL && out != NULL);
  g = *f;
  h = f->intermolar_width / 2;
  h2 = MAX (h + expansion / 2, 1.0);
  d2 = MAX (f->depth + advance, 1.0);
  /* Stretch across by h2/h and along by d2/d: the molars stay on their
   * line (moved out by the expansion), the incisors move forward. */
  sx = h / h2;
  sy = d2 / f->depth;
  g.a = f->a * pow (sx, 6) * sy;
  g.b = f->b * sx * sx * sy;
  g.intermolar_width = 2 * h2;
  g.depth = d2;
  for (int k = 0; k < 3; k++)
    g.origin[k] = (float) (f->origin[k] - (d2 - f->depth) * f->y_axis[k]);
  *out = g;
}

gboolean
op_arch_space (const OpDentition *dentition,
               const OpArchForm  *form,
               OpArchSpace       *out,
               GError           **error)
{
  double required = 0;

  g_return_val_if_fail (dentition != NULL && form != NULL && out != NULL, FALSE);

  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);

      if (op_fdi_is_upper (t->fdi) != form->upper || op_fdi_type (t->fdi) > OP_TOOTH_SECOND_PREMOLAR)
        continue;
      if (!t->has_frame || !(t->width > 0))
        {
          g_set_error (error, OP_ARCH_ERROR, OP_ARCH_ERROR_NO_FRAME,
                       "arch space: tooth %d has no frame or width", t->fdi);
          return FALSE;
        }
      required += t->width;
    }
  out->required = required;
  out->available = 2 * op_arch_form_length (form, form->intermolar_width / 2);
  out->discrepancy = out->required - out->available;
  return TRUE;
}

void
op_bolton (const OpDentition *dentition,
           OpBolton          *out)
{
  guint n12[2] = { 0, 0 }, n6[2] = { 0, 0 };

  g_return_if_fail (dentition != NULL && out != NULL);
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < dentition->teeth->len; i++)
    {
      OpTooth *t = g_ptr_array_index (dentition->teeth, i);
      int arch = op_fdi_is_upper (t->fdi) ? 0 : 1;
      OpToothType type = op_fdi_type (t->fdi);

      if (op_fdi_is_primary (t->fdi) || !(t->width > 0) || type > OP_TOOTH_FIRST_MOLAR)
        continue;
      n12[arch]++;
      if (arch == 0)
        out->upper_sum_12 += t->width;
      else
        out->lower_sum_12 += t->width;
      if (type <= OP_TOOTH_CANINE)
        {
          n6[arch]++;
          if (arch == 0)
            out->upper_sum_6 += t->width;
          else
            out->lower_sum_6 += t->width;
        }
    }
  out->overall_valid = n12[0] == 12 && n12[1] == 12;
  out->anterior_valid = n6[0] == 6 && n6[1] == 6;
  if (out->overall_valid)
    {
      out->overall_ratio = 100 * out->lower_sum_12 / out->upper_sum_12;
      /* Excess in the lower arch against the norm, or (negative) in the
       * upper: what the other arch would need to match. */
      out->overall_excess = out->overall_ratio > OP_BOLTON_OVERALL_NORM
        ? out->lower_sum_12 - out->upper_sum_12 * OP_BOLTON_OVERALL_NORM / 100
        : -(out->upper_sum_12 - out->lower_sum_12 * 100 / OP_BOLTON_OVERALL_NORM);
    }
  if (out->anterior_valid)
    {
      out->anterior_ratio = 100 * out->lower_sum_6 / out->upper_sum_6;
      out->anterior_excess = out->anterior_ratio > OP_BOLTON_ANTERIOR_NORM
        ? out->lower_sum_6 - out->upper_sum_6 * OP_BOLTON_ANTERIOR_NORM / 100
        : -(out->upper_sum_6 - out->lower_sum_6 * 100 / OP_BOLTON_ANTERIOR_NORM);
    }
}
