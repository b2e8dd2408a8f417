/* op-pose.c: tooth movements in the tooth's own frame.
 *
 * All the arithmetic is done in doubles in the tooth's local coordinates
 * (mesial, buccal, occlusal), where each of the three rotations is a plain
 * rotation about one coordinate axis.  Only the final matrix goes through
 * the frame, as F R F^T, which is a proper rotation whether the triad is
 * right- or left-handed (det F = +-1, so det F R F^T = det R).  That is why
 * the same numbers mean the same clinical movement on both sides of the
 * midline.
 */
#include "op-pose.h"

#include <math.h>
#include <string.h>

static const char *const component_names[OP_N_COMPONENTS] = {
  "md", "bl", "vert", "rot", "tip", "torque",
};

const char *
op_component_to_string (OpComponent c)
{
  g_return_val_if_fail ((guint) c < OP_N_COMPONENTS, NULL);
  return component_names[c];
}

gboolean
op_component_from_string (const char  *str,
                          OpComponent *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < OP_N_COMPONENTS; i++)
    if (strcmp (str, component_names[i]) == 0)
      {
        *out = (OpComponent) i;
        return TRUE;
      }
  return FALSE;
}

double
op_movement_get (const OpMovement *m,
                 OpComponent       c)
{
  g_return_val_if_fail (m != NULL, 0.0);

  switch (c)
    {
    case OP_COMPONENT_MD: return m->md;
    case OP_COMPONENT_BL: return m->bl;
    case OP_COMPONENT_VERT: return m->vert;
    case OP_COMPONENT_ROT: return m->rot;
    case OP_COMPONENT_TIP: return m->tip;
    case OP_COMPONENT_TORQUE: return m->torque;
    default: break;
    }
  g_return_val_if_reached (0.0);
}

void
op_movement_set (OpMovement  *m,
                 OpComponent  c,
                 double       value)
{
  g_return_if_fail (m != NULL);

  switch (c)
    {
    case OP_COMPONENT_MD: m->md = value; return;
    case OP_COMPONENT_BL: m->bl = value; return;
    case OP_COMPONENT_VERT: m->vert = value; return;
    case OP_COMPONENT_ROT: m->rot = value; return;
    case OP_COMPONENT_TIP: m->tip = value; return;
    case OP_COMPONENT_TORQUE: m->torque = value; return;
    default: break;
    }
  g_return_if_reached ();
}

/* Row-major 3x3 matrices in local coordinates: index [row][col]. */
typedef double Mat3[3][3];

static void
mat3_mul (const Mat3 a, const Mat3 b, Mat3 out)
{
  Mat3 r;

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  memcpy (out, r, sizeof r);
}

/* The local rotation of @m: rot about the occlusal axis turning mesial
 * towards buccal is a right-hand rotation about local z; tip about the
 * buccal axis turning occlusal towards mesial is a right-hand rotation
 * about local y; torque about the mesial axis turning occlusal towards
 * buccal is a *left*-hand rotation about local x (a right-hand one turns
 * buccal towards occlusal).  Applied rot, then tip, then torque, all about
 * the fixed initial axes, so R = Rx(-torque) Ry(tip) Rz(rot). */
static void
local_rotation (const OpMovement *m, Mat3 out)
{
  double ps = m->rot * G_PI / 180.0;
  double ph = m->tip * G_PI / 180.0;
  double al = -m->torque * G_PI / 180.0;
  Mat3 rz = { { cos (ps), -sin (ps), 0 }, { sin (ps), cos (ps), 0 }, { 0, 0, 1 } };
  Mat3 ry = { { cos (ph), 0, sin (ph) }, { 0, 1, 0 }, { -sin (ph), 0, cos (ph) } };
  Mat3 rx = { { 1, 0, 0 }, { 0, cos (al), -sin (al) }, { 0, sin (al), cos (al) } };
  Mat3 t;

  mat3_mul (ry, rz, t);
  mat3_mul (rx, t, out);
}

/* The inverse of local_rotation(); exact while |tip| < 90 degrees, and
 * unique while every angle stays within (-180, 180]. */
static void
local_rotation_to_angles (const Mat3 r, OpMovement *out)
{
  double s = CLAMP (r[0][2], -1.0, 1.0);

  out->tip = asin (s) * 180.0 / G_PI;
  out->rot = atan2 (-r[0][1], r[0][0]) * 180.0 / G_PI;
  out->torque = -atan2 (-r[1][2], r[2][2]) * 180.0 / G_PI;
  /* Avoid "-0.0000" in encodings of a pose that did not turn. */
  if (out->tip == 0.0) out->tip = 0.0;
  if (out->rot == 0.0) out->rot = 0.0;
  if (out->torque == 0.0) out->torque = 0.0;
}

/* F has the frame's axes as columns: world = F local. */
static void
frame_matrix (const OpFrame *frame, Mat3 f)
{
  for (int i = 0; i < 3; i++)
    {
      f[i][0] = frame->mesial[i];
      f[i][1] = frame->buccal[i];
      f[i][2] = frame->occlusal[i];
    }
}

void
op_movement_to_matrix (const OpMovement *m,
                       const OpFrame    *frame,
                       float             out[16])
{
  Mat3 f, r, w;
  double o[3], t[3];

  g_return_if_fail (m != NULL);
  g_return_if_fail (frame != NULL);
  g_return_if_fail (out != NULL);

  frame_matrix (frame, f);
  local_rotation (m, r);
  /* w = F R F^T */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        double acc = 0.0;

        for (int k = 0; k < 3; k++)
          for (int l = 0; l < 3; l++)
            acc += f[i][k] * r[k][l] * f[j][l];
        w[i][j] = acc;
      }

  for (int i = 0; i < 3; i++)
    {
      o[i] = frame->origin[i];
      t[i] = m->md * f[i][0] + m->bl * f[i][1] + m->vert * f[i][2];
    }

  /* p' = W (p - o) + o + t, column-major. */
  for (int j = 0; j < 3; j++)
    {
      for (int i = 0; i < 3; i++)
        out[j * 4 + i] = (float) w[i][j];
      out[j * 4 + 3] = 0.0f;
    }
  for (int i = 0; i < 3; i++)
    out[12 + i] = (float) (o[i] + t[i] - (w[i][0] * o[0] + w[i][1] * o[1] + w[i][2] * o[2]));
  out[15] = 1.0f;
}

void
op_movement_from_matrix (const float    matrix[16],
                         const OpFrame *frame,
                         OpMovement    *out)
{
  Mat3 f, w, r;
  double o[3], d[3];

  g_return_if_fail (matrix != NULL);
  g_return_if_fail (frame != NULL);
  g_return_if_fail (out != NULL);

  frame_matrix (frame, f);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      w[i][j] = matrix[j * 4 + i];

  /* r = F^T W F */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        double acc = 0.0;

        for (int k = 0; k < 3; k++)
          for (int l = 0; l < 3; l++)
            acc += f[k][i] * w[k][l] * f[l][j];
        r[i][j] = acc;
      }
  local_rotation_to_angles (r, out);

  /* The origin moves by exactly the translation, since the rotation is
   * about it. */
  for (int i = 0; i < 3; i++)
    o[i] = frame->origin[i];
  for (int i = 0; i < 3; i++)
    d[i] = w[i][0] * o[0] + w[i][1] * o[1] + w[i][2] * o[2] + matrix[12 + i] - o[i];
  out->md = d[0] * f[0][0] + d[1] * f[1][0] + d[2] * f[2][0];
  out->bl = d[0] * f[0][1] + d[1] * f[1][1] + d[2] * f[2][1];
  out->vert = d[0] * f[0][2] + d[1] * f[1][2] + d[2] * f[2][2];
}

/* Quaternions (w, x, y, z) of local rotation matrices. */
static void
mat3_to_quat (const Mat3 m, double q[4])
{
  double tr = m[0][0] + m[1][1] + m[2][2];

  /* Shepperd's method: pick the largest diagonal term so the square root
   * is never of a small number. */
  if (tr > 0.0)
    {
      double s = sqrt (tr + 1.0) * 2.0;

      q[0] = 0.25 * s;
      q[1] = (m[2][1] - m[1][2]) / s;
      q[2] = (m[0][2] - m[2][0]) / s;
      q[3] = (m[1][0] - m[0][1]) / s;
    }
  else if (m[0][0] > m[1][1] && m[0][0] > m[2][2])
    {
      double s = sqrt (1.0 + m[0][0] - m[1][1] - m[2][2]) * 2.0;

      q[0] = (m[2][1] - m[1][2]) / s;
      q[1] = 0.25 * s;
      q[2] = (m[0][1] + m[1][0]) / s;
      q[3] = (m[0][2] + m[2][0]) / s;
    }
  else if (m[1][1] > m[2][2])
    {
      double s = sqrt (1.0 + m[1][1] - m[0][0] - m[2][2]) * 2.0;

      q[0] = (m[0][2] - m[2][0]) / s;
      q[1] = (m[0][1] + m[1][0]) / s;
      q[2] = 0.25 * s;
      q[3] = (m[1][2] + m[2][1]) / s;
    }
  else
    {
      double s = sqrt (1.0 + m[2][2] - m[0][0] - m[1][1]) * 2.0;

      q[0] = (m[1][0] - m[0][1]) / s;
      q[1] = (m[0][2] + m[2][0]) / s;
      q[2] = (m[1][2] + m[2][1]) / s;
      q[3] = 0.25 * s;
    }
}

static void
quat_to_mat3 (const double q[4], Mat3 m)
{
  double w = q[0], x = q[1], y = q[2], z = q[3];

  m[0][0] = 1 - 2 * (y * y + z * z);
  m[0][1] = 2 * (x * y - z * w);
  m[0][2] = 2 * (x * z + y * w);
  m[1][0] = 2 * (x * y + z * w);
  m[1][1] = 1 - 2 * (x * x + z * z);
  m[1][2] = 2 * (y * z - x * w);
  m[2][0] = 2 * (x * z - y * w);
  m[2][1] = 2 * (y * z + x * w);
  m[2][2] = 1 - 2 * (x * x + y * y);
}

void
op_movement_interpolate (const OpMovement *a,
                         const OpMovement *b,
                         double            t,
                         const OpFrame    *frame,
                         OpMovement       *out)
{
  Mat3 ra, rb, r;
  double qa[4], qb[4], q[4], dot, norm;
  OpMovement res;

  g_return_if_fail (a != NULL);
  g_return_if_fail (b != NULL);
  g_return_if_fail (out != NULL);

  /* The rotation is computed in local coordinates, where the frame plays
   * no part; @frame is accepted so that callers never need to know that. */
  (void) frame;

  /* The ends are returned exactly, so stage 0 and the last stage of a
   * plan are bit for bit the initial and target poses. */
  if (t <= 0.0)
    {
      *out = *a;
      return;
    }
  if (t >= 1.0)
    {
      *out = *b;
      return;
    }

  local_rotation (a, ra);
  local_rotation (b, rb);
  mat3_to_quat (ra, qa);
  mat3_to_quat (rb, qb);

  dot = qa[0] * qb[0] + qa[1] * qb[1] + qa[2] * qb[2] + qa[3] * qb[3];
  /* q and -q are the same rotation: take the short way round. */
  if (dot < 0.0)
    {
      for (int i = 0; i < 4; i++)
        qb[i] = -qb[i];
      dot = -dot;
    }

  if (dot > 0.9999995)
    {
      /* Nearly the same rotation: lerp avoids dividing by sin(~0). */
      for (int i = 0; i < 4; i++)
        q[i] = qa[i] + t * (qb[i] - qa[i]);
    }
  else
    {
      double theta = acos (CLAMP (dot, -1.0, 1.0));
      double sa = sin ((1.0 - t) * theta) / sin (theta);
      double sb = sin (t * theta) / sin (theta);

      for (int i = 0; i < 4; i++)
        q[i] = sa * qa[i] + sb * qb[i];
    }
  norm = sqrt (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  for (int i = 0; i < 4; i++)
    q[i] /= norm;

  quat_to_mat3 (q, r);
  local_rotation_to_angles (r, &res);
  res.md = a->md + t * (b->md - a->md);
  res.bl = a->bl + t * (b->bl - a->bl);
  res.vert = a->vert + t * (b->vert - a->vert);
  *out = res;
}
