/* op-attach.c: attachments by CLINICAL.md's rules. */
#include <math.h>
#include <string.h>

#include "op-attach.h"

static void
options_fill (const OpAttachOptions *in, OpAttachOptions *o)
{
  OpAttachOptions zero = { 0 };

  *o = in ? *in : zero;
  if (!(o->rotation_threshold > 0)) o->rotation_threshold = 2.0;
  if (!(o->extrusion_threshold > 0)) o->extrusion_threshold = 0.5;
  if (!(o->torque_threshold > 0)) o->torque_threshold = 3.0;
  if (!(o->tip_threshold > 0)) o->tip_threshold = 5.0;
  if (o->bond_stage <= 0) o->bond_stage = 1;
  o->bond_stage = CLAMP (o->bond_stage, 1, 3);
}

static inline double
dot (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

/* The centre of the buccal surface: of the crown's vertices within 1 mm
 * of the frame's origin along mesial and occlusal (the middle of the
 * crown's face), the one farthest out along buccal.  Falls back to the
 * origin moved out by half the crown's buccal-lingual extent. */
static void
buccal_point (const OpTooth *t, float out[3])
{
  const OpFrame *f = &t->frame;
  double best = -G_MAXDOUBLE, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

  memcpy (out, f->origin, 3 * sizeof (float));
  if (t->landmarks.present & OP_LANDMARK_FA)
    {
      memcpy (out, t->landmarks.fa_point, 3 * sizeof (float));
      return;
    }
  if (t->crown == NULL)
    return;
  for (gsize i = 0; i < t->crown->n_vertices; i++)
    {
      const float *p = &t->crown->positions[3 * i];
      float rel[3] = { p[0] - f->origin[0], p[1] - f->origin[1], p[2] - f->origin[2] };
      double b = dot (rel, f->buccal);

      if (fabs (dot (rel, f->occlusal)) <= 2.0)
        {
          lo = MIN (lo, b);
          hi = MAX (hi, b);
        }
      if (fabs (dot (rel, f->mesial)) > 1.0 || fabs (dot (rel, f->occlusal)) > 1.0)
        continue;
      if (b > best)
        {
          best = b;
          memcpy (out, p, 3 * sizeof (float));
        }
    }
  if (best == -G_MAXDOUBLE && hi >= lo)
    for (int k = 0; k < 3; k++)
      out[k] = f->origin[k] + (float) (.5 * (hi - lo)) * f->buccal[k];
}

static gboolean
is_rounded (int fdi)
{
  OpToothType type = op_fdi_type (fdi);
  return type == OP_TOOTH_CANINE || type == OP_TOOTH_FIRST_PREMOLAR || type == OP_TOOTH_SECOND_PREMOLAR;
}

guint
op_attach_propose (const OpTooth *const  *teeth,
                   const OpMovement      *targets,
                   guint                  n_teeth,
                   const OpAttachOptions *options,
                   OpAttachment          *out)
{
  OpAttachOptions o;
  guint count = 0;

  g_return_val_if_fail ((teeth != NULL && targets != NULL && out != NULL) || n_teeth == 0, 0);
  options_fill (options, &o);

  for (guint i = 0; i < n_teeth; i++)
    {
      const OpTooth *t = teeth[i];
      const OpMovement *m = &targets[i];
      OpAttachReason reasons = 0;
      float pos[3];

      if (t == NULL || !t->has_frame)
        continue;
      if (is_rounded (t->fdi) && fabs (m->rot) > o.rotation_threshold)
        reasons |= OP_ATTACH_FOR_ROTATION;
      if (m->vert > o.extrusion_threshold)
        reasons |= OP_ATTACH_FOR_EXTRUSION;
      if (fabs (m->torque) > o.torque_threshold)
        reasons |= OP_ATTACH_FOR_TORQUE;
      if (fabs (m->tip) > o.tip_threshold)
        reasons |= OP_ATTACH_FOR_TIP;
      if (reasons == 0)
        continue;

      buccal_point (t, pos);
      if (reasons & (OP_ATTACH_FOR_ROTATION | OP_ATTACH_FOR_TIP | OP_ATTACH_FOR_EXTRUSION))
        {
          OpAttachment *a = &out[count++];
          gboolean vertical = (reasons & (OP_ATTACH_FOR_ROTATION | OP_ATTACH_FOR_TIP)) != 0;

          memset (a, 0, sizeof *a);
          a->fdi = t->fdi;
          a->type = vertical ? OP_ATTACH_RECT_VERTICAL : OP_ATTACH_RECT_HORIZONTAL;
          a->reasons = reasons;
          /* Longer and deeper for the harder movements: a rotation of a
           * rounded tooth needs the most grip. */
          a->length = vertical ? (fabs (m->rot) > 10 || fabs (m->tip) > 10 ? 4.f : 3.f) : 3.f;
          a->width = vertical ? 1.5f : 2.f;
          a->depth = (reasons & OP_ATTACH_FOR_ROTATION) ? 1.25f : 1.0f;
          memcpy (a->position, pos, sizeof pos);
          memcpy (a->normal, t->frame.buccal, sizeof a->normal);
          memcpy (a->axis, vertical ? t->frame.occlusal : t->frame.mesial, sizeof a->axis);
          a->stage = o.bond_stage;
        }
      if (reasons & OP_ATTACH_FOR_TORQUE)
        {
          OpAttachment *a = &out[count++];

          memset (a, 0, sizeof *a);
          a->fdi = t->fdi;
          a->type = OP_ATTACH_POWER_RIDGE;
          a->reasons = reasons;
          a->length = 3.f;
          a->width = 1.f;
          a->depth = 0.f;
          /* Near the gingival margin: 3 mm rootwards of the crown's face. */
          for (int k = 0; k < 3; k++)
            a->position[k] = pos[k] - 3.f * t->frame.occlusal[k];
          memcpy (a->normal, t->frame.buccal, sizeof a->normal);
          memcpy (a->axis, t->frame.mesial, sizeof a->axis);
          a->stage = o.bond_stage;
        }
    }
  return count;
}

const char *
op_attach_type_to_string (OpAttachType type)
{
  switch (type)
    {
    case OP_ATTACH_RECT_VERTICAL: return "vertical rectangular";
    case OP_ATTACH_RECT_HORIZONTAL: return "horizontal rectangular";
    case OP_ATTACH_POWER_RIDGE: return "power ridge";
    default: return "unknown";
    }
}

char *
op_attach_describe (const OpAttachment *a,
                    const OpMovement   *m)
{
  GString *s;
  const char *sep = " for ";

  g_return_val_if_fail (a != NULL, NULL);
  s = g_string_new (NULL);
  if (a->type == OP_ATTACH_POWER_RIDGE)
    g_string_append_printf (s, "%d: power ridge %.1f mm long, stage %d", a->fdi, a->length, a->stage);
  else
    g_string_append_printf (s, "%d: %s %.1f x %.1f x %.2f mm at stage %d", a->fdi,
                            op_attach_type_to_string (a->type), a->length, a->width, a->depth, a->stage);
  if (m != NULL)
    {
      if ((a->reasons & OP_ATTACH_FOR_ROTATION) && a->type != OP_ATTACH_POWER_RIDGE)
        {
          g_string_append_printf (s, "%sa %.1f deg rotation of a rounded tooth", sep, fabs (m->rot));
          sep = ", ";
        }
      if ((a->reasons & OP_ATTACH_FOR_TIP) && a->type != OP_ATTACH_POWER_RIDGE)
        {
          g_string_append_printf (s, "%s%.1f deg of tip (root movement)", sep, fabs (m->tip));
          sep = ", ";
        }
      if ((a->reasons & OP_ATTACH_FOR_EXTRUSION) && a->type != OP_ATTACH_POWER_RIDGE)
        {
          g_string_append_printf (s, "%s%.2f mm of extrusion", sep, m->vert);
          sep = ", ";
        }
      if (a->type == OP_ATTACH_POWER_RIDGE)
        g_string_append_printf (s, "%s%.1f deg of torque (root movement)", sep, fabs (m->torque));
    }
  g_string_append_c (s, '.');
  return g_string_free (s, FALSE);
}
