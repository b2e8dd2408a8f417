/* op-setup.c: the target setup (see op-setup.h for the order of steps). */
#include <math.h>
#include <string.h>

#include "op-setup.h"

G_DEFINE_QUARK (op-setup-error-quark, op_setup_error)

/* Crown tip and torque by tooth type (central incisor first), degrees:
 * Andrews' six keys norms, Roth, and MBT (McLaughlin, Bennett, Trevisi). */
static const OpPrescription prescriptions[] = {
  { "andrews",
    { 5, 9, 11, 2, 2, 5, 5, 5 }, { 7, 3, -7, -7, -7, -9, -9, -9 },
    { 2, 2, 5, 2, 2, 2, 2, 2 }, { -1, -1, -11, -17, -22, -30, -35, -35 } },
  { "roth",
    { 5, 9, 13, 0, 0, 0, 0, 0 }, { 12, 8, -2, -7, -7, -14, -14, -14 },
    { 2, 2, 7, -1, -1, -1, -1, -1 }, { -1, -1, -11, -17, -22, -30, -30, -30 } },
  { "mbt",
    { 4, 8, 8, 0, 0, 0, 0, 0 }, { 17, 10, -7, -7, -7, -14, -14, -14 },
    { 0, 0, 3, 2, 2, 0, 0, 0 }, { -6, -6, -6, -12, -17, -20, -10, -10 } },
};

const OpPrescription *
op_prescription_builtin (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (prescriptions); i++)
    if (g_ascii_strcasecmp (name, prescriptions[i].name) == 0)
      return &prescriptions[i];
  return NULL;
}

void
op_setup_options_init (OpSetupOptions *o)
{
  g_return_if_fail (o != NULL);
  memset (o, 0, sizeof *o);
  o->prescription = &prescriptions[2];
  o->max_expansion = 3.0;
  o->max_proclination = 1.5;
  o->max_spee = 1.5;
  o->overjet = 2.5;
  o->overbite = 2.5;
  o->use_ipr = TRUE;
  op_ipr_limits_init (&o->ipr);
}

void
op_setup_free (OpSetup *setup)
{
  if (setup == NULL)
    return;
  g_free (setup->fdi);
  g_free (setup->target);
  g_free (setup->ipr);
  g_free (setup->explanation);
  g_free (setup);
}

static inline double
dot3 (const float a[3], const float b[3])
{
  return (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
}

static void
cross3 (const float a[3], const float b[3], float o[3])
{
  float t[3] = { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
  memcpy (o, t, sizeof t);
}

static void
unit3 (float v[3])
{
  double l = sqrt (dot3 (v, v));
  if (l > 0)
    for (int k = 0; k < 3; k++)
      v[k] = (float) (v[k] / l);
}

/* How far the crown reaches along its occlusal axis from its origin: the
 * incisal edge or cusp tips, the points that level the curve of Spee. */
static double
crown_reach (const OpTooth *t)
{
  double best = 0;

  if (t->crown == NULL)
    return 0;
  for (gsize i = 0; i < t->crown->n_vertices; i++)
    {
      const float *p = &t->crown->positions[3 * i];
      float rel[3] = { p[0] - t->frame.origin[0], p[1] - t->frame.origin[1], p[2] - t->frame.origin[2] };
      best = MAX (best, dot3 (rel, t->frame.occlusal));
    }
  return best;
}

/* The angle in degrees between the crown's labial (buccal) face and the
 * tooth's long axis, in the buccal-occlusal plane: prescriptions give the
 * inclination of the face at the FA point, while the frame's occlusal axis
 * runs through crown and root.  The face is the most buccal point of the
 * crown's middle strip (within 1.5 mm of the centre mesio-distally) at
 * six heights from the crown's cervical half to its incisal half; a line
 * through them gives the face's slope.  Positive when the face leans
 * buccally towards the tip. */
static double
labial_offset_deg (const OpTooth *t, double reach)
{
  double hb[6], bb[6], sh = 0, sb = 0, shh = 0, shb = 0;
  int n = 0;

  if (t->crown == NULL || reach <= 1.0)
    return 0;
  for (int j = 0; j < 6; j++)
    {
      double h = -0.5 * reach + j * (1.1 * reach / 5), best = -G_MAXDOUBLE;

      for (gsize i = 0; i < t->crown->n_vertices; i++)
        {
          const float *p = &t->crown->positions[3 * i];
          float rel[3] = { p[0] - t->frame.origin[0], p[1] - t->frame.origin[1], p[2] - t->frame.origin[2] };
          if (fabs (dot3 (rel, t->frame.occlusal) - h) > 0.3 || fabs (dot3 (rel, t->frame.mesial)) > 1.5)
            continue;
          best = MAX (best, dot3 (rel, t->frame.buccal));
        }
      if (best == -G_MAXDOUBLE)
        continue;
      hb[n] = h;
      bb[n] = best;
      n++;
    }
  if (n < 3)
    return 0;
  for (int j = 0; j < n; j++)
    {
      sh += hb[j];
      sb += bb[j];
      shh += hb[j] * hb[j];
      shb += hb[j] * bb[j];
    }
  if (n * shh - sh * sh <= 1e-9)
    return 0;
  return atan ((n * shb - sh * sb) / (n * shh - sh * sh)) * 180 / G_PI;
}

/* One arch's teeth in the order of op_fdi_arch_position(). */
typedef struct {
  guint    n;
  OpTooth *teeth[16];
  int      index[16];      /* in the dentition */
  double   width[16];      /* after IPR */
  double   reach[16];
  double   labial[16];     /* labial_offset_deg() */
  double   s[16];          /* target arc position of the centre */
  double   height[16];     /* target origin height over the form plane */
} ArchTeeth;

static double
arch_key (int fdi)
{
  int p = op_fdi_arch_position (fdi);
  return p > 0 ? p - .5 : p + .5;
}

static void
collect_arch (const OpDentition *d, gboolean upper, ArchTeeth *a)
{
  memset (a, 0, sizeof *a);
  for (guint i = 0; i < d->teeth->len && a->n < 16; i++)
    {
      OpTooth *t = g_ptr_array_index (d->teeth, i);
      if (op_fdi_is_upper (t->fdi) != upper || op_fdi_is_primary (t->fdi))
        continue;
      a->teeth[a->n] = t;
      a->index[a->n] = (int) i;
      a->width[a->n] = t->width;
      a->reach[a->n] = crown_reach (t);
      a->labial[a->n] = labial_offset_deg (t, a->reach[a->n]);
      a->n++;
    }
  for (guint i = 1; i < a->n; i++)
    for (guint j = i; j > 0 && arch_key (a->teeth[j]->fdi) < arch_key (a->teeth[j - 1]->fdi); j--)
      {
        OpTooth *t = a->teeth[j];
        int x = a->index[j];
        double w = a->width[j], r = a->reach[j], l = a->labial[j];
        a->teeth[j] = a->teeth[j - 1]; a->index[j] = a->index[j - 1];
        a->width[j] = a->width[j - 1]; a->reach[j] = a->reach[j - 1]; a->labial[j] = a->labial[j - 1];
        a->teeth[j - 1] = t; a->index[j - 1] = x; a->width[j - 1] = w; a->reach[j - 1] = r; a->labial[j - 1] = l;
      }
}

static double
perimeter (const OpArchForm *f)
{
  return 2 * op_arch_form_length (f, f->intermolar_width / 2);
}

/* The amount of @max (bisection over [0, max], or [max, 0]) whose
 * perimeter gain reaches @want; the gain is monotonic in the amount. */
static double
solve_gain (const OpArchForm *f, gboolean expand, double fixed, double max, double want)
{
  OpArchForm g;
  double base, lo = 0, hi = max;

  op_arch_form_adjust (f, expand ? 0 : fixed, expand ? 0 : 0, &g);
  base = perimeter (&g);
  op_arch_form_adjust (f, expand ? max : fixed, expand ? 0 : max, &g);
  if ((perimeter (&g) - base) * (max >= 0 ? 1 : -1) <= want * (max >= 0 ? 1 : -1))
    return max;
  for (int i = 0; i < 50; i++)
    {
      double mid = .5 * (lo + hi);
      op_arch_form_adjust (f, expand ? mid : fixed, expand ? 0 : mid, &g);
      if ((perimeter (&g) - base) * (max >= 0 ? 1 : -1) < want * (max >= 0 ? 1 : -1))
        lo = mid;
      else
        hi = mid;
    }
  return hi;
}

/* The target transform of one tooth: its frame carried onto the target
 * form at arc position @s and height @height, turned to the form's
 * directions and then by the prescription's tip and torque. */
static void
target_matrix (const OpTooth *t, const OpArchForm *form, double s, double height,
               double tip_deg, double torque_deg, float out[16])
{
  float p[3], tangent[3], mesial[3], buccal[3], occl[3], outward[3], m2[3], b2[3], o2[3];
  double tip = tip_deg * G_PI / 180, tq = torque_deg * G_PI / 180;
  gboolean left = op_fdi_is_left (t->fdi);
  const OpFrame *f = &t->frame;
  float src[3][3], dst[3][3];

  op_arch_form_eval (form, s, p, tangent);
  for (int k = 0; k < 3; k++)
    {
      /* +s runs to the patient's left: mesial is against it on the left. */
      mesial[k] = left ? -tangent[k] : tangent[k];
      occl[k] = form->normal[k];
      p[k] += (float) (height * form->normal[k]);
    }
  /* Out of the arch: the tangent turned a right angle in the plane, the
   * way that points anterior (-y) at the midline, where the tangent is
   * +x; the same turn points outwards all along the curve. */
  cross3 (form->normal, tangent, outward);
  {
    float t0[3], w0[3];

    op_arch_form_eval (form, 0, NULL, t0);
    cross3 (form->normal, t0, w0);
    if (dot3 (w0, form->y_axis) > 0)
      for (int k = 0; k < 3; k++)
        outward[k] = -outward[k];
  }
  memcpy (buccal, outward, sizeof buccal);

  /* Tip: occlusal towards mesial about buccal; then torque: occlusal
   * towards buccal about mesial (op-pose.h's senses). */
  for (int k = 0; k < 3; k++)
    {
      o2[k] = (float) (cos (tip) * occl[k] + sin (tip) * mesial[k]);
      m2[k] = (float) (cos (tip) * mesial[k] - sin (tip) * occl[k]);
    }
  for (int k = 0; k < 3; k++)
    {
      float o3 = (float) (cos (tq) * o2[k] + sin (tq) * buccal[k]);
      b2[k] = (float) (cos (tq) * buccal[k] - sin (tq) * o2[k]);
      o2[k] = o3;
    }
  unit3 (m2);
  unit3 (b2);
  unit3 (o2);

  /* R maps the initial axes onto the target ones: R = D S^T with the
   * axes as columns (both triads have the tooth's own handedness). */
  for (int k = 0; k < 3; k++)
    {
      src[0][k] = f->mesial[k]; src[1][k] = f->buccal[k]; src[2][k] = f->occlusal[k];
      dst[0][k] = m2[k]; dst[1][k] = b2[k]; dst[2][k] = o2[k];
    }
  memset (out, 0, 16 * sizeof (float));
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      {
        double v = 0;
        for (int a = 0; a < 3; a++)
          v += (double) dst[a][r] * src[a][c];
        out[4 * c + r] = (float) v;
      }
  out[15] = 1;
  for (int r = 0; r < 3; r++)
    out[12 + r] = (float) (p[r] - (out[r] * f->origin[0] + out[4 + r] * f->origin[1] + out[8 + r] * f->origin[2]));
}

/* Curve of Spee depth: the deepest tip below the line from the central
 * incisor's tip to the last molar's, per side, along the form normal. */
static double
spee_depth (const ArchTeeth *a, const double *tip_height, const double *s)
{
  double depth = 0;

  for (int side = 0; side < 2; side++)
    {
      int first = -1, last = -1;
      for (guint i = 0; i < a->n; i++)
        if (op_fdi_is_left (a->teeth[i]->fdi) == (side == 1))
          {
            if (op_fdi_type (a->teeth[i]->fdi) == OP_TOOTH_CENTRAL_INCISOR)
              first = i;
            if (last < 0 || fabs (s[i]) > fabs (s[last]))
              last = i;
          }
      if (first < 0 || last < 0 || first == last)
        continue;
      for (guint i = 0; i < a->n; i++)
        {
          double u, line;
          if (op_fdi_is_left (a->teeth[i]->fdi) != (side == 1))
            continue;
          u = (fabs (s[i]) - fabs (s[first])) / (fabs (s[last]) - fabs (s[first]));
          if (u < 0 || u > 1)
            continue;
          line = tip_height[first] + u * (tip_height[last] - tip_height[first]);
          depth = MAX (depth, line - tip_height[i]);
        }
    }
  return depth;
}

typedef struct {
  OpSetupArch   *out;
  ArchTeeth      teeth;
  OpIprContact   ipr[16];
  guint          n_ipr;
  double         advance, expansion;
  double         cur_s[16], cur_tip[16];
  double         line_k;
} ArchWork;

static gboolean
plan_arch (const OpDentition *d, gboolean upper, const OpSetupOptions *o, ArchWork *w, GError **error)
{
  OpSetupArch *r = w->out;
  ArchTeeth *a = &w->teeth;
  double D, remaining, e = 0, p = 0, ipr = 0;
  OpArchForm g;

  collect_arch (d, upper, a);
  if (a->n == 0)
    return TRUE;
  for (guint i = 0; i < a->n; i++)
    if (!a->teeth[i]->has_frame || !(a->teeth[i]->width > 0))
      {
        g_set_error (error, OP_SETUP_ERROR, OP_SETUP_ERROR_NO_FRAME,
                     "setup: tooth %d has no frame or width; estimate frames first", a->teeth[i]->fdi);
        return FALSE;
      }
  if (!op_arch_form_fit (d, upper, &r->form, error))
    {
      if (error && *error)
        (*error)->domain = OP_SETUP_ERROR, (*error)->code = OP_SETUP_ERROR_MISSING_TEETH;
      return FALSE;
    }
  if (!op_arch_space (d, &r->form, &r->space, error))
    return FALSE;
  r->present = TRUE;

  /* Where the teeth are now along the form, and their tips' heights. */
  for (guint i = 0; i < a->n; i++)
    {
      const OpFrame *f = &a->teeth[i]->frame;
      float rel[3] = { f->origin[0] - r->form.origin[0], f->origin[1] - r->form.origin[1], f->origin[2] - r->form.origin[2] };
      double x = dot3 (rel, r->form.x_axis);
      w->cur_s[i] = op_arch_form_length (&r->form, x);
      w->cur_tip[i] = dot3 (rel, r->form.normal) + a->reach[i] * dot3 (f->occlusal, r->form.normal);
    }
  r->spee_before = spee_depth (a, w->cur_tip, w->cur_s);

  D = r->space.discrepancy;
  remaining = D;
  if (D > 0)
    {
      /* Crowding: expansion, then IPR, then proclination. */
      if (o->max_expansion > 0)
        {
          e = solve_gain (&r->form, TRUE, 0, o->max_expansion, remaining);
          op_arch_form_adjust (&r->form, e, 0, &g);
          remaining -= perimeter (&g) - perimeter (&r->form);
        }
      if (remaining > 0.025 && o->use_ipr)
        {
          int order[16];
          guint n_front = 0;
          for (guint i = 0; i < a->n; i++)
            if (op_fdi_type (a->teeth[i]->fdi) <= OP_TOOTH_SECOND_PREMOLAR)
              order[n_front++] = a->teeth[i]->fdi;
          ipr = op_ipr_distribute (order, n_front, remaining, &o->ipr, w->ipr, &w->n_ipr);
          remaining -= ipr;
        }
      if (remaining > 0.025 && o->max_proclination > 0)
        {
          OpArchForm ge;
          op_arch_form_adjust (&r->form, e, 0, &ge);
          p = solve_gain (&r->form, FALSE, e, o->max_proclination, remaining);
          op_arch_form_adjust (&r->form, e, p, &g);
          remaining -= perimeter (&g) - perimeter (&ge);
        }
    }
  else if (D < 0 && o->max_proclination > 0)
    {
      /* Spacing: close it by bringing the incisors back, as far as the
       * same setting allows the other way. */
      p = solve_gain (&r->form, FALSE, 0, -o->max_proclination, remaining);
      op_arch_form_adjust (&r->form, 0, p, &g);
      remaining -= perimeter (&g) - perimeter (&r->form);
    }
  r->expansion = e;
  r->proclination = p;
  r->ipr = ipr;
  r->n_ipr_contacts = w->n_ipr;
  r->residual = fabs (remaining) < 0.005 ? 0 : remaining;
  w->expansion = e;
  w->advance = p;

  /* Widths after IPR: each contact's amount comes off its two surfaces
   * equally. */
  for (guint c = 0; c < w->n_ipr; c++)
    for (guint i = 0; i < a->n; i++)
      if (a->teeth[i]->fdi == w->ipr[c].fdi_a || a->teeth[i]->fdi == w->ipr[c].fdi_b)
        a->width[i] -= w->ipr[c].amount / 2;
  return TRUE;
}

/* Places the arch on @form: contact to contact from the midline for the
 * teeth in front of the first molars, the molars on the form where they
 * stand along it; heights levelled to the curve of Spee limit. */
static void
place_arch (ArchWork *w, const OpArchForm *form, double max_spee, double *incisor_dv)
{
  ArchTeeth *a = &w->teeth;
  double tip_target[16], k;
  OpSetupArch *r = w->out;

  for (int side = 0; side < 2; side++)
    {
      double s = 0;
      /* From the midline outwards on this side. */
      for (int pass = 0; pass < (int) a->n; pass++)
        {
          int i = side == 1 ? pass : (int) a->n - 1 - pass;
          if (op_fdi_is_left (a->teeth[i]->fdi) != (side == 1))
            continue;
          if (op_fdi_type (a->teeth[i]->fdi) <= OP_TOOTH_SECOND_PREMOLAR)
            {
              a->s[i] = (side ? 1 : -1) * (s + a->width[i] / 2);
              s += a->width[i];
            }
          else
            {
              /* Molars keep their place along the arch, scaled with it,
               * or follow contact to contact when that is farther out. */
              /* Molars stay where they stand (see targets_for_arch()). */
              a->s[i] = w->cur_s[i];
            }
        }
    }

  /* Level: scale every tip's depth below the incisor-to-molar line so the
   * deepest is at most max_spee. */
  k = r->spee_before > max_spee ? max_spee / r->spee_before : 1.0;
  w->line_k = k;
  for (guint i = 0; i < a->n; i++)
    tip_target[i] = w->cur_tip[i];
  if (k < 1)
    for (int side = 0; side < 2; side++)
      {
        int first = -1, last = -1;
        for (guint i = 0; i < a->n; i++)
          if (op_fdi_is_left (a->teeth[i]->fdi) == (side == 1))
            {
              if (op_fdi_type (a->teeth[i]->fdi) == OP_TOOTH_CENTRAL_INCISOR)
                first = i;
              if (last < 0 || fabs (w->cur_s[i]) > fabs (w->cur_s[last]))
                last = i;
            }
        if (first < 0 || last < 0 || first == last)
          continue;
        for (guint i = 0; i < a->n; i++)
          {
            double u, line;
            if (op_fdi_is_left (a->teeth[i]->fdi) != (side == 1))
              continue;
            u = CLAMP ((fabs (w->cur_s[i]) - fabs (w->cur_s[first])) / (fabs (w->cur_s[last]) - fabs (w->cur_s[first])), 0, 1);
            line = w->cur_tip[first] + u * (w->cur_tip[last] - w->cur_tip[first]);
            tip_target[i] = line - k * (line - w->cur_tip[i]);
          }
      }
  for (guint i = 0; i < a->n; i++)
    {
      double dv = incisor_dv && op_fdi_type (a->teeth[i]->fdi) <= OP_TOOTH_LATERAL_INCISOR ? *incisor_dv : 0;
      /* The form plane moved with the advance only within itself, so the
       * heights stay measured from the same plane. */
      a->height[i] = tip_target[i] + dv - a->reach[i];
    }
  r->spee_after = spee_depth (a, tip_target, a->s);
}

static void
targets_for_arch (const ArchWork *w, const OpArchForm *form, const OpPrescription *rx,
                  const OpDentition *d, OpSetup *setup)
{
  const ArchTeeth *a = &w->teeth;

  for (guint i = 0; i < a->n; i++)
    {
      const OpTooth *t = a->teeth[i];
      int type = op_fdi_type (t->fdi) - 1;
      gboolean upper = op_fdi_is_upper (t->fdi);
      double tip = upper ? rx->upper_tip[type] : rx->lower_tip[type];
      double torque = upper ? rx->upper_torque[type] : rx->lower_torque[type];
      float m[16];

      if (op_fdi_type (t->fdi) >= OP_TOOTH_FIRST_MOLAR)
        {
          /* Molars are the anchorage: they keep their place and their
           * inclination, moving only out with the expansion and up or
           * down with the levelling. */
          OpMovement *mv = &setup->target[a->index[i]];
          float dir[3];
          double out_mm = op_fdi_is_left (t->fdi) ? w->expansion / 2 : -w->expansion / 2;
          float rel[3] = { t->frame.origin[0] - form->origin[0], t->frame.origin[1] - form->origin[1], t->frame.origin[2] - form->origin[2] };
          double dh = a->height[i] - dot3 (rel, form->normal);

          memset (mv, 0, sizeof *mv);
          for (int k = 0; k < 3; k++)
            dir[k] = (float) (out_mm * form->x_axis[k] + dh * form->normal[k]);
          mv->md = dot3 (dir, t->frame.mesial);
          mv->bl = dot3 (dir, t->frame.buccal);
          mv->vert = dot3 (dir, t->frame.occlusal);
          continue;
        }
      /* The prescription is for the crown's face; the frame's axis runs
       * through the root, so the face's own lean comes off. */
      torque -= a->labial[i];
      target_matrix (t, form, a->s[i], a->height[i], tip, torque, m);
      op_movement_from_matrix (m, &t->frame, &setup->target[a->index[i]]);
    }
  (void) d;
}

/* Incisal tip of a tooth at its target (patient frame). */
static void
target_tip (const OpTooth *t, const OpMovement *mv, double reach, float out[3])
{
  float m[16], p[3];

  op_movement_to_matrix (mv, &t->frame, m);
  for (int k = 0; k < 3; k++)
    p[k] = t->frame.origin[k] + (float) reach * t->frame.occlusal[k];
  for (int r = 0; r < 3; r++)
    out[r] = m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r];
}

/* Overjet and overbite between the central incisors at their targets,
 * measured in the upper form's directions: overjet along -y (anterior)
 * from the lower incisor's labial face near its edge to the upper edge;
 * overbite along the upper crown direction. */
static void
incisor_relation (const OpDentition *d, const ArchWork *up, const ArchWork *lo,
                  const OpSetup *setup, const OpArchForm *uf, gboolean initial,
                  double *overjet, double *overbite)
{
  double oj = 0, ob = 0;
  int n = 0;

  for (int side = 0; side < 2; side++)
    {
      int fu = side ? 21 : 11, fl = side ? 31 : 41;
      OpTooth *tu = op_dentition_get (d, fu), *tl = op_dentition_get (d, fl);
      double ru = 0, rl = 0, labial = 0;
      OpMovement zero = { 0 };
      float pu[3], pl[3], rel[3];
      int iu = -1, il = -1;

      if (!tu || !tl)
        continue;
      for (guint i = 0; i < up->teeth.n; i++)
        if (up->teeth.teeth[i] == tu) { ru = up->teeth.reach[i]; iu = up->teeth.index[i]; }
      for (guint i = 0; i < lo->teeth.n; i++)
        if (lo->teeth.teeth[i] == tl) { rl = lo->teeth.reach[i]; il = lo->teeth.index[i]; }
      if (iu < 0 || il < 0)
        continue;
      target_tip (tu, initial ? &zero : &setup->target[iu], ru, pu);
      target_tip (tl, initial ? &zero : &setup->target[il], rl, pl);
      /* The lower incisor's labial face stands this far in front of its
       * edge, measured on the mesh within 2 mm of the edge. */
      if (tl->crown)
        for (gsize v = 0; v < tl->crown->n_vertices; v++)
          {
            const float *q = &tl->crown->positions[3 * v];
            float r2[3] = { q[0] - tl->frame.origin[0], q[1] - tl->frame.origin[1], q[2] - tl->frame.origin[2] };
            if (dot3 (r2, tl->frame.occlusal) >= rl - 2.0)
              labial = MAX (labial, dot3 (r2, tl->frame.buccal));
          }
      {
        float c2[3] = { 0, 0, 0 };
        double edge_b = 0;
        for (int k = 0; k < 3; k++)
          c2[k] = tl->frame.origin[k] + (float) rl * tl->frame.occlusal[k] - tl->frame.origin[k];
        edge_b = dot3 (c2, tl->frame.buccal);
        labial -= edge_b;
      }
      for (int k = 0; k < 3; k++)
        rel[k] = pl[k] - pu[k];
      /* y_axis is posterior: the lower edge behind the upper is positive. */
      oj += dot3 (rel, uf->y_axis) - labial;
      ob += -dot3 (rel, uf->normal);
      n++;
    }
  *overjet = n ? oj / n : 0;
  *overbite = n ? ob / n : 0;
}

static void
explain_arch (GString *s, const char *name, const OpSetupArch *r, const ArchWork *w, const OpSetupOptions *o)
{
  double D = r->space.discrepancy;

  g_string_append_printf (s, "%s arch: %.1f mm %s (%.1f mm of teeth on %.1f mm of arch; intermolar width %.1f mm, depth %.1f mm).",
                          name, fabs (D), D >= 0 ? "crowding" : "spacing",
                          r->space.required, r->space.available, r->form.intermolar_width, r->form.depth);
  if (D > 0)
    {
      const char *sep = " Resolved by ";
      gboolean any = FALSE;

      if (r->expansion > 0.005)
        {
          g_string_append_printf (s, "%s%.1f mm expansion", sep, r->expansion);
          sep = ", ";
          any = TRUE;
        }
      if (r->ipr > 0)
        {
          g_string_append_printf (s, "%s%.2f mm IPR at %u contact%s", sep, r->ipr, r->n_ipr_contacts,
                                  r->n_ipr_contacts == 1 ? "" : "s");
          sep = ", ";
          any = TRUE;
        }
      if (r->proclination > 0.005)
        {
          g_string_append_printf (s, "%s%.1f mm incisor proclination", sep, r->proclination);
          any = TRUE;
        }
      if (!any)
        g_string_append (s, " Nothing could be done within the limits.");
      if (any)
        g_string_append (s, " (expansion first, since it removes no enamel; IPR next, within its limits; proclination last).");
      if (r->residual > 0.05)
        g_string_append_printf (s, " %.1f mm remains unresolved within the limits (expansion %.1f mm, proclination %.1f mm, IPR %s): "
                                "consider extraction or distalization.",
                                r->residual, o->max_expansion, o->max_proclination, o->use_ipr ? "at its limits" : "off");
    }
  else if (D < -0.05)
    {
      if (r->proclination < -0.005)
        g_string_append_printf (s, " Closed by %.1f mm incisor retraction.", -r->proclination);
      if (r->residual < -0.05)
        g_string_append_printf (s, " %.1f mm of space remains, left distal to the second premolars.", -r->residual);
    }
  if (r->spee_before > o->max_spee)
    g_string_append_printf (s, " Curve of Spee levelled from %.1f to %.1f mm.", r->spee_before, r->spee_after);
  else
    g_string_append_printf (s, " Curve of Spee %.1f mm, within %.1f mm.", r->spee_before, o->max_spee);
  for (guint c = 0; c < w->n_ipr; c++)
    g_string_append_printf (s, "%s%d-%d %.2f mm", c == 0 ? " IPR: " : ", ", w->ipr[c].fdi_a, w->ipr[c].fdi_b, w->ipr[c].amount);
  if (w->n_ipr)
    g_string_append_c (s, '.');
  g_string_append_c (s, '\n');
}

OpSetup *
op_setup_compute (const OpDentition    *dentition,
                  const OpSetupOptions *options,
                  GError              **error)
{
  OpSetupOptions o;
  g_autoptr(OpSetup) setup = NULL;
  ArchWork up = { 0 }, lo = { 0 };
  OpArchForm uf, lf;
  GString *text;
  double dv = 0;

  g_return_val_if_fail (dentition != NULL, NULL);

  if (options)
    o = *options;
  else
    op_setup_options_init (&o);
  if (o.prescription == NULL)
    o.prescription = &prescriptions[2];
  if (!(o.max_expansion >= 0) || !(o.max_proclination >= 0) || !(o.max_spee >= 0)
      || !(o.overjet >= 0) || !(o.overbite >= -5) || !isfinite (o.max_expansion) || !isfinite (o.max_proclination))
    {
      g_set_error (error, OP_SETUP_ERROR, OP_SETUP_ERROR_INVALID,
                   "setup options: expansion %.2f, proclination %.2f and curve of Spee %.2f mm must be 0 or more",
                   o.max_expansion, o.max_proclination, o.max_spee);
      return NULL;
    }

  setup = g_new0 (OpSetup, 1);
  setup->n_teeth = dentition->teeth->len;
  setup->fdi = g_new0 (int, setup->n_teeth + 1);
  setup->target = g_new0 (OpMovement, setup->n_teeth + 1);
  for (guint i = 0; i < setup->n_teeth; i++)
    setup->fdi[i] = ((OpTooth *) g_ptr_array_index (dentition->teeth, i))->fdi;

  up.out = &setup->upper;
  lo.out = &setup->lower;
  if (!plan_arch (dentition, TRUE, &o, &up, error) || !plan_arch (dentition, FALSE, &o, &lo, error))
    return NULL;
  op_bolton (dentition, &setup->bolton);

  if (setup->upper.present)
    op_arch_form_adjust (&setup->upper.form, up.expansion, up.advance, &uf);
  if (setup->lower.present)
    op_arch_form_adjust (&setup->lower.form, lo.expansion, lo.advance, &lf);
  setup->occlusion = setup->upper.present && setup->lower.present;
  if (setup->occlusion)
    {
      /* Midlines: the lower one onto the upper one. */
      float rel[3] = { uf.origin[0] - lf.origin[0], uf.origin[1] - lf.origin[1], uf.origin[2] - lf.origin[2] };
      double shift = dot3 (rel, lf.x_axis);
      for (int k = 0; k < 3; k++)
        lf.origin[k] += (float) (shift * lf.x_axis[k]);
      setup->midline_shift = shift;
    }

  if (setup->upper.present)
    {
      place_arch (&up, &uf, o.max_spee, NULL);
      targets_for_arch (&up, &uf, o.prescription, dentition, setup);
    }
  if (setup->lower.present)
    {
      place_arch (&lo, &lf, o.max_spee, NULL);
      targets_for_arch (&lo, &lf, o.prescription, dentition, setup);
    }

  if (setup->occlusion)
    {
      double oj, ob, d_oj, d_ob, extra;

      incisor_relation (dentition, &up, &lo, setup, &setup->upper.form, TRUE,
                        &setup->overjet_before, &setup->overbite_before);
      incisor_relation (dentition, &up, &lo, setup, &uf, FALSE, &oj, &ob);
      /* One correction: the upper incisors forward or back for the
       * overjet, within what proclination allows in all; the incisors of
       * both arches up or down, half each, for the overbite (within 2 mm). */
      d_oj = o.overjet - oj;
      extra = CLAMP (d_oj, -o.max_proclination - up.advance, o.max_proclination - up.advance);
      d_ob = CLAMP (o.overbite - ob, -2.0, 2.0);
      if (fabs (extra) > 0.05 || fabs (d_ob) > 0.05)
        {
          OpArchForm g;
          up.advance += extra;
          setup->upper.proclination = up.advance;
          op_arch_form_adjust (&setup->upper.form, up.expansion, up.advance, &uf);
          op_arch_form_adjust (&setup->upper.form, up.expansion, up.advance - extra, &g);
          setup->upper.residual -= perimeter (&uf) - perimeter (&g);
          /* The upper incisors extrude (along their crowns) for more bite,
           * the lower ones too. */
          dv = d_ob / 2;
          place_arch (&up, &uf, o.max_spee, &dv);
          targets_for_arch (&up, &uf, o.prescription, dentition, setup);
          place_arch (&lo, &lf, o.max_spee, &dv);
          targets_for_arch (&lo, &lf, o.prescription, dentition, setup);
        }
      incisor_relation (dentition, &up, &lo, setup, &uf, FALSE, &setup->overjet_after, &setup->overbite_after);
    }

  setup->n_ipr = up.n_ipr + lo.n_ipr;
  setup->ipr = g_new0 (OpIprContact, setup->n_ipr + 1);
  memcpy (setup->ipr, up.ipr, up.n_ipr * sizeof (OpIprContact));
  memcpy (setup->ipr + up.n_ipr, lo.ipr, lo.n_ipr * sizeof (OpIprContact));

  text = g_string_new (NULL);
  if (setup->upper.present)
    explain_arch (text, "Upper", &setup->upper, &up, &o);
  if (setup->lower.present)
    explain_arch (text, "Lower", &setup->lower, &lo, &o);
  if (setup->occlusion)
    g_string_append_printf (text, "Both arches: upper incisors set %.1f mm %s in all for the overjet; lower midline moved %.1f mm to the patient's %s; overjet %.1f to %.1f mm and overbite %.1f to %.1f mm (targets %.1f and %.1f mm).\n",
                            fabs (setup->upper.proclination), setup->upper.proclination >= 0 ? "forward" : "back",
                            fabs (setup->midline_shift), setup->midline_shift >= 0 ? "left" : "right",
                            setup->overjet_before, setup->overjet_after, setup->overbite_before, setup->overbite_after,
                            o.overjet, o.overbite);
  if (setup->bolton.overall_valid || setup->bolton.anterior_valid)
    {
      g_string_append (text, "Bolton:");
      if (setup->bolton.overall_valid)
        g_string_append_printf (text, " overall %.1f (norm %.1f, %.1f mm %s excess)", setup->bolton.overall_ratio,
                                OP_BOLTON_OVERALL_NORM, fabs (setup->bolton.overall_excess),
                                setup->bolton.overall_excess >= 0 ? "lower" : "upper");
      if (setup->bolton.anterior_valid)
        g_string_append_printf (text, "%s anterior %.1f (norm %.1f, %.1f mm %s excess)", setup->bolton.overall_valid ? ";" : "",
                                setup->bolton.anterior_ratio, OP_BOLTON_ANTERIOR_NORM, fabs (setup->bolton.anterior_excess),
                                setup->bolton.anterior_excess >= 0 ? "lower" : "upper");
      if (fabs (setup->bolton.overall_excess) > 2 || fabs (setup->bolton.anterior_excess) > 2)
        g_string_append (text, ": clinically significant (over 2 mm).\n");
      else
        g_string_append (text, ".\n");
    }
  g_string_append_printf (text, "Tip and torque from the %s prescription; first and second molars held as anchorage.",
                          o.prescription->name ? o.prescription->name : "provider's");
  setup->explanation = g_string_free (text, FALSE);
  return g_steal_pointer (&setup);
}
