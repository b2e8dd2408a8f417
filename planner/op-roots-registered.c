/* op-roots-registered.c: CBCT roots for teeth in their scan's frame. */

#include "op-roots-registered.h"

static void
to_float (const double in[16],
          float        out[16])
{
  for (int i = 0; i < 16; i++)
    out[i] = (float) in[i];
}

/* The inverse of a rigid map: the rotation transposed, the translation
 * turned back.  Registrations are rigid (op-register.h), so this is exact
 * up to rounding, where a general inverse would amplify the noise of a
 * nearly orthonormal matrix. */
static void
rigid_inverse (const double m[16],
               float        out[16])
{
  for (int r = 0; r < 3; r++)
    {
      for (int c = 0; c < 3; c++)
        out[c * 4 + r] = (float) m[r * 4 + c];
      out[12 + r] = (float) -(m[r * 4 + 0] * m[12] + m[r * 4 + 1] * m[13] + m[r * 4 + 2] * m[14]);
      out[r * 4 + 3] = 0.f;
    }
  out[15] = 1.f;
}

static void
map_point (const double m[16],
           float        p[3])
{
  double q[3];

  for (int r = 0; r < 3; r++)
    q[r] = m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r];
  for (int r = 0; r < 3; r++)
    p[r] = (float) q[r];
}

static void
map_vector (const double m[16],
            float        v[3])
{
  double q[3];

  for (int r = 0; r < 3; r++)
    q[r] = m[r] * v[0] + m[4 + r] * v[1] + m[8 + r] * v[2];
  for (int r = 0; r < 3; r++)
    v[r] = (float) q[r];
}

/* The tooth as it sits in the volume: its crown and frame mapped. */
static OpTooth *
tooth_in_volume (const OpTooth *tooth,
                 const double   m[16])
{
  OpTooth *moved = op_tooth_copy (tooth);
  float mf[16];

  to_float (m, mf);
  if (moved->crown != NULL)
    op_mesh_transform (moved->crown, mf);
  map_point (m, moved->frame.origin);
  map_vector (m, moved->frame.mesial);
  map_vector (m, moved->frame.buccal);
  map_vector (m, moved->frame.occlusal);
  return moved;
}

static void
append_fdi (GString *s,
            int      fdi)
{
  g_string_append_printf (s, "%s%d", s->len ? ", " : "", fdi);
}

gboolean
op_roots_build_registered (OpDentition    *dentition,
                           const OpVolume *volume,
                           const double   *upper_to_volume,
                           const double   *lower_to_volume,
                           char          **out_grown,
                           char          **out_templated,
                           GError        **error)
{
  g_autoptr(GString) grown = g_string_new (NULL);
  g_autoptr(GString) templated = g_string_new (NULL);

  g_return_val_if_fail (dentition != NULL, FALSE);

  for (guint t = 0; t < dentition->teeth->len; t++)
    {
      OpTooth *tooth = g_ptr_array_index (dentition->teeth, t);
      const double *m = op_fdi_is_upper (tooth->fdi) ? upper_to_volume : lower_to_volume;
      OpMesh *root = NULL;

      if (!tooth->has_frame)
        continue;
      if (volume != NULL && m != NULL)
        {
          g_autoptr(OpTooth) moved = tooth_in_volume (tooth, m);

          /* A tooth the volume does not hold, or whose root does not
           * grow, falls back to its template: it is named below. */
          root = op_roots_grow (moved, volume, NULL, NULL);
          if (root != NULL)
            {
              float back[16];

              rigid_inverse (m, back);
              op_mesh_transform (root, back);
            }
        }
      if (root != NULL)
        append_fdi (grown, tooth->fdi);
      else
        {
          root = op_roots_template (tooth, error);
          if (root == NULL)
            return FALSE;
          append_fdi (templated, tooth->fdi);
        }
      g_clear_pointer (&tooth->root, op_mesh_free);
      tooth->root = root;
    }
  if (out_grown != NULL)
    *out_grown = grown->len ? g_strdup (grown->str) : NULL;
  if (out_templated != NULL)
    *out_templated = templated->len ? g_strdup (templated->str) : NULL;
  return TRUE;
}
