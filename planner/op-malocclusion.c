/* op-malocclusion.c: displaced copies of a real dentition. */
#include "op-malocclusion.h"

#include <math.h>
#include <string.h>

#include "op-collide.h"

static const char *const kind_names[OP_MALOCCLUSION_N_KINDS] = {
  "crowding", "spacing", "rotations", "open-bite", "crossbite",
};

const char *
op_malocclusion_kind_to_string (OpMalocclusionKind kind)
{
  g_return_val_if_fail ((guint) kind < OP_MALOCCLUSION_N_KINDS, NULL);
  return kind_names[kind];
}

/* A fixed LCG, not GRand: GLib does not promise GRand's sequence across
 * versions, and the cases must be the same everywhere. */
static double
rnd (guint32 *state, double lo, double hi)
{
  *state = *state * 1664525u + 1013904223u;
  return lo + (hi - lo) * ((*state >> 8) / 16777216.0);
}

static void
displacement_for (OpMalocclusionKind kind, int fdi, guint32 seed, OpMovement *m)
{
  guint32 st = seed * 2654435761u + (guint32) fdi * 40503u + (guint32) kind * 97u;
  int type = op_fdi_type (fdi);
  double k = rnd (&st, 0.6, 1.0);
  double sign = rnd (&st, 0, 1) < 0.5 ? -1.0 : 1.0;
  gboolean upper = op_fdi_is_upper (fdi);

  *m = (OpMovement) { 0 };
  switch (kind)
    {
    case OP_MALOCCLUSION_CROWDING:
      /* Laterals and canines pushed out of line, alternating in and out. */
      if (type == OP_TOOTH_LATERAL_INCISOR || (type == OP_TOOTH_CANINE && rnd (&st, 0, 1) < 0.5))
        {
          m->bl = sign * 1.0 * k;
          m->rot = -sign * 14.0 * k;
          if (type == OP_TOOTH_CANINE)
            m->vert = -0.5 * k;   /* a high canine */
        }
      break;
    case OP_MALOCCLUSION_SPACING:
      if (type <= OP_TOOTH_LATERAL_INCISOR)
        {
          m->bl = 0.9 * k;
          m->torque = 5.0 * k;
        }
      else if (type == OP_TOOTH_FIRST_PREMOLAR && rnd (&st, 0, 1) < 0.6)
        m->md = -0.5 * k;
      break;
    case OP_MALOCCLUSION_ROTATIONS:
      if (type >= OP_TOOTH_CANINE && type <= OP_TOOTH_SECOND_PREMOLAR && rnd (&st, 0, 1) < 0.45)
        m->rot = sign * rnd (&st, 8.0, 22.0);
      break;
    case OP_MALOCCLUSION_OPEN_BITE:
      if (type <= OP_TOOTH_LATERAL_INCISOR)
        m->vert = -1.2 * k;
      else if (type == OP_TOOTH_CANINE)
        m->vert = -0.6 * k;
      if (type <= OP_TOOTH_CANINE)
        m->tip = sign * 2.0 * k;
      break;
    case OP_MALOCCLUSION_CROSSBITE:
      {
        /* One upper tooth, chosen by the seed, moved inside the lower arch. */
        static const int choices[] = { 12, 22, 14, 24, 15, 25, 13, 23 };
        guint32 s2 = seed * 7919u + 13u;
        int chosen = choices[(guint) (rnd (&s2, 0, G_N_ELEMENTS (choices) - 0.001))];

        if (upper && fdi == chosen)
          {
            m->bl = -2.2 * k;
            m->torque = -5.0 * k;
          }
      }
      break;
    default:
      break;
    }
}

static void
scale_movement (OpMovement *m, double f)
{
  for (guint c = 0; c < OP_N_COMPONENTS; c++)
    op_movement_set (m, c, op_movement_get (m, c) * f);
}

static void
rigid_inverse (const float m[16], float out[16])
{
  /* R^T and -R^T t, column-major. */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      out[j * 4 + i] = m[i * 4 + j];
  for (int i = 0; i < 3; i++)
    out[12 + i] = -(out[i] * m[12] + out[4 + i] * m[13] + out[8 + i] * m[14]);
  out[3] = out[7] = out[11] = 0.0f;
  out[15] = 1.0f;
}

static void
transform_frame (const float m[16], const OpFrame *in, OpFrame *out)
{
  const float *src[3] = { in->mesial, in->buccal, in->occlusal };
  float *dst[3] = { out->mesial, out->buccal, out->occlusal };

  for (int i = 0; i < 3; i++)
    out->origin[i] = m[i] * in->origin[0] + m[4 + i] * in->origin[1] + m[8 + i] * in->origin[2] + m[12 + i];
  for (int a = 0; a < 3; a++)
    for (int i = 0; i < 3; i++)
      dst[a][i] = m[i] * src[a][0] + m[4 + i] * src[a][1] + m[8 + i] * src[a][2];
}

OpDentition *
op_malocclusion_make (const OpDentition  *ideal,
                      OpMalocclusionKind  kind,
                      guint32             seed,
                      double              max_overlap,
                      OpMovement         *out_targets)
{
  g_autoptr(OpDentition) out = NULL;
  g_autofree OpMovement *disp = NULL;
  g_autofree float *mat = NULL;
  g_autofree int *fdis = NULL;
  g_autofree int *pairs = NULL;
  g_autofree double *base = NULL;
  g_autoptr(GPtrArray) bvhs = NULL;
  guint n, n_pairs;
  static const float identity[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };

  g_return_val_if_fail (ideal != NULL, NULL);
  g_return_val_if_fail (out_targets != NULL, NULL);

  n = ideal->teeth->len;
  disp = g_new0 (OpMovement, MAX (n, 1));
  mat = g_new0 (float, 16 * MAX (n, 1));
  fdis = g_new0 (int, MAX (n, 1));
  bvhs = g_ptr_array_new_with_free_func ((GDestroyNotify) op_bvh_free);
  for (guint i = 0; i < n; i++)
    {
      const OpTooth *t = g_ptr_array_index (ideal->teeth, i);

      g_return_val_if_fail (t->has_frame, NULL);
      fdis[i] = t->fdi;
      displacement_for (kind, t->fdi, seed, &disp[i]);
      g_ptr_array_add (bvhs, op_bvh_new_for_mesh (t->crown));
    }

  n_pairs = op_collide_list_pairs (fdis, n, FALSE, NULL, 0);
  pairs = g_new0 (int, 2 * MAX (n_pairs, 1));
  op_collide_list_pairs (fdis, n, FALSE, pairs, n_pairs);
  base = g_new0 (double, MAX (n_pairs, 1));

  /* Shrink the displacements of any pair that now overlaps more than
   * allowed (or than it did in the ideal, if the real teeth already touch
   * that much), and in the end give up on that pair's displacement. */
  for (int round = 0; round < 10; round++)
    {
      gboolean ok = TRUE;

      for (guint i = 0; i < n; i++)
        {
          const OpTooth *t = g_ptr_array_index (ideal->teeth, i);

          op_movement_to_matrix (&disp[i], &t->frame, mat + 16 * i);
        }
      for (guint p = 0; p < n_pairs; p++)
        {
          guint a = 0, b = 0;
          double d;

          for (guint i = 0; i < n; i++)
            {
              if (fdis[i] == pairs[2 * p])
                a = i;
              if (fdis[i] == pairs[2 * p + 1])
                b = i;
            }
          if (round == 0)
            base[p] = op_collide_pair (g_ptr_array_index (bvhs, a), identity,
                                       g_ptr_array_index (bvhs, b), identity, NULL, NULL, NULL);
          d = op_collide_pair (g_ptr_array_index (bvhs, a), mat + 16 * a,
                               g_ptr_array_index (bvhs, b), mat + 16 * b, NULL, NULL, NULL);
          if (d > MAX (max_overlap, base[p] + 0.01))
            {
              ok = FALSE;
              scale_movement (&disp[a], round < 9 ? 0.6 : 0.0);
              scale_movement (&disp[b], round < 9 ? 0.6 : 0.0);
            }
        }
      if (ok)
        break;
    }

  out = op_dentition_copy (ideal);
  for (guint i = 0; i < n; i++)
    {
      OpTooth *t = g_ptr_array_index (out->teeth, i);
      float m[16], inv[16];
      OpFrame moved;

      op_movement_to_matrix (&disp[i], &t->frame, m);
      op_mesh_transform (t->crown, m);
      op_mesh_compute_bounds (t->crown);
      if (t->root)
        op_mesh_transform (t->root, m);
      transform_frame (m, &t->frame, &moved);
      t->frame = moved;
      rigid_inverse (m, inv);
      op_movement_from_matrix (inv, &t->frame, &out_targets[i]);
    }
  return g_steal_pointer (&out);
}
