/* op-linalg.c: Jacobi eigen-decomposition and rigid 4x4 helpers. */
#include "op-linalg.h"

#include <math.h>
#include <string.h>

void
op_sym3_eigen (const double m[3][3],
               double       values[3],
               double       vectors[3][3])
{
  double a[3][3], v[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  int order[3] = { 0, 1, 2 };

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      a[i][j] = 0.5 * (m[i][j] + m[j][i]);

  /* Cyclic Jacobi converges quadratically; 32 sweeps are far more than a
   * 3x3 matrix ever needs, and the fixed order keeps results bit-exact. */
  for (int sweep = 0; sweep < 32; sweep++)
    {
      double off = fabs (a[0][1]) + fabs (a[0][2]) + fabs (a[1][2]);

      if (off < 1e-300)
        break;
      for (int p = 0; p < 2; p++)
        for (int q = p + 1; q < 3; q++)
          {
            double theta, t, c, s;

            if (fabs (a[p][q]) < 1e-300)
              continue;
            theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1.0));
            c = 1.0 / sqrt (t * t + 1.0);
            s = t * c;
            for (int k = 0; k < 3; k++)
              {
                double akp = a[k][p], akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < 3; k++)
              {
                double apk = a[p][k], aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < 3; k++)
              {
                double vkp = v[k][p], vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
              }
          }
    }

  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (a[order[j]][order[j]] > a[order[i]][order[i]])
        {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
  for (int i = 0; i < 3; i++)
    {
      values[i] = a[order[i]][order[i]];
      for (int k = 0; k < 3; k++)
        vectors[i][k] = v[k][order[i]];
    }
}

void
op_mat4_identity (float m[16])
{
  memset (m, 0, 16 * sizeof (float));
  m[0] = m[5] = m[10] = m[15] = 1.f;
}

void
op_mat4_mul (const float a[16],
             const float b[16],
             float       out[16])
{
  float r[16];

  for (int c = 0; c < 4; c++)
    for (int row = 0; row < 4; row++)
      {
        float s = 0.f;
        for (int k = 0; k < 4; k++)
          s += a[k * 4 + row] * b[c * 4 + k];
        r[c * 4 + row] = s;
      }
  memcpy (out, r, sizeof r);
}

void
op_mat4_rotate_about (const float axis[3],
                      float       angle,
                      const float centre[3],
                      float       out[16])
{
  float x = axis[0], y = axis[1], z = axis[2];
  float c = cosf (angle), s = sinf (angle), t = 1.f - c;
  float rc[3];

  op_mat4_identity (out);
  out[0] = t * x * x + c;     out[4] = t * x * y - s * z; out[8] = t * x * z + s * y;
  out[1] = t * x * y + s * z; out[5] = t * y * y + c;     out[9] = t * y * z - s * x;
  out[2] = t * x * z - s * y; out[6] = t * y * z + s * x; out[10] = t * z * z + c;
  /* Translate so that @centre stays put: p' = R (p - c) + c. */
  op_mat4_apply_dir (out, centre, rc);
  out[12] = centre[0] - rc[0];
  out[13] = centre[1] - rc[1];
  out[14] = centre[2] - rc[2];
}

void
op_mat4_apply_point (const float m[16],
                     const float p[3],
                     float       out[3])
{
  float x = p[0], y = p[1], z = p[2];

  out[0] = m[0] * x + m[4] * y + m[8] * z + m[12];
  out[1] = m[1] * x + m[5] * y + m[9] * z + m[13];
  out[2] = m[2] * x + m[6] * y + m[10] * z + m[14];
}

void
op_mat4_apply_dir (const float m[16],
                   const float d[3],
                   float       out[3])
{
  float x = d[0], y = d[1], z = d[2];

  out[0] = m[0] * x + m[4] * y + m[8] * z;
  out[1] = m[1] * x + m[5] * y + m[9] * z;
  out[2] = m[2] * x + m[6] * y + m[10] * z;
}
