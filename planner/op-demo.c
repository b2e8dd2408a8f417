/* op-demo.c: a deterministic synthetic dentition for the demo case.
 *
 * The arches are built from simple closed shapes (a rounded crown per tooth
 * and a tube of gingiva along the arch) so that every layer of the product
 * can be shown without shipping a real patient's scan.  Everything is
 * computed from fixed tables: the same call gives the same bytes.
 */
#include "op-demo.h"

#include <math.h>

typedef struct {
  int   fdi_tooth;     /* 1 central incisor ... 7 second molar */
  float width;         /* mesio-distal, mm */
  float thickness;     /* bucco-lingual, mm */
  float height;        /* clinical crown height, mm */
} ToothShape;

/* Typical crown sizes (mm), after common odontometric tables. */
static const ToothShape upper_teeth[] = {
  { 1, 8.6f, 7.0f, 10.5f }, { 2, 6.6f, 6.2f, 9.0f }, { 3, 7.6f, 8.0f, 10.0f },
  { 4, 7.0f, 9.0f, 8.2f }, { 5, 6.6f, 9.0f, 7.6f }, { 6, 10.2f, 11.2f, 7.2f },
  { 7, 9.2f, 11.0f, 6.8f },
};
static const ToothShape lower_teeth[] = {
  { 1, 5.3f, 5.9f, 9.0f }, { 2, 5.9f, 6.2f, 9.2f }, { 3, 6.9f, 7.6f, 10.4f },
  { 4, 7.0f, 7.8f, 8.4f }, { 5, 7.2f, 8.2f, 7.8f }, { 6, 11.0f, 10.4f, 7.4f },
  { 7, 10.4f, 10.0f, 7.0f },
};

/* A mild, asymmetric malocclusion so a plan has something to correct:
 * rotation about the long axis (deg), labial displacement (mm) and vertical
 * offset (mm), per tooth 1..7, right side then left side. */
static const float malocclusion[2][2][7][3] = {
  { /* upper */
    { { 4, 0.4f, 0.2f }, { -9, -0.6f, 0.4f }, { 6, 0.8f, -0.3f }, { 3, 0, 0 }, { 0, 0, 0 }, { 2, 0, 0 }, { 0, 0, 0 } },
    { { -3, 0.3f, 0 }, { 12, 0.9f, 0.5f }, { -5, 0.2f, 0 }, { 0, 0, 0 }, { -4, 0, 0.2f }, { 0, 0, 0 }, { 1, 0, 0 } },
  },
  { /* lower */
    { { 8, -0.5f, 0.3f }, { -6, 0.7f, 0 }, { 10, 0.4f, 0.4f }, { 0, 0, 0 }, { 3, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } },
    { { -10, 0.8f, -0.2f }, { 5, -0.4f, 0.3f }, { -7, 0.5f, 0 }, { 2, 0, 0 }, { 0, 0, 0 }, { -2, 0, 0 }, { 0, 0, 0 } },
  },
};

static const guint8 enamel_rgba[4] = { 242, 238, 226, 255 };
static const guint8 gingiva_rgba[4] = { 214, 118, 128, 255 };

/* The arch curve: y = depth * (1 - (x / half_width)^2), walked by arc length
 * from the midline.  Returns the point and the unit tangent (pointing away
 * from the midline) at arc length @s on the side of @sign. */
static void
arch_point (float  half_width,
            float  depth,
            float  s,
            float  sign,
            float  out_p[2],
            float  out_t[2])
{
  const float dx = 0.01f;
  float x = 0.f, len = 0.f;

  while (len < s)
    {
      float x1 = x + dx;
      float y0 = depth * (1.f - (x / half_width) * (x / half_width));
      float y1 = depth * (1.f - (x1 / half_width) * (x1 / half_width));

      len += hypotf (dx, y1 - y0);
      x = x1;
    }

  {
    float slope = -2.f * depth * x / (half_width * half_width);
    float tl = hypotf (1.f, slope);

    out_p[0] = sign * x;
    out_p[1] = depth * (1.f - (x / half_width) * (x / half_width));
    out_t[0] = sign * 1.f / tl;
    out_t[1] = slope / tl;
  }
}

typedef struct {
  OpMesh *mesh;
  gsize   v;   /* next vertex */
  gsize   t;   /* next triangle */
} Builder;

static void
put_vertex (Builder      *b,
            const float   p[3],
            gint32        label,
            const guint8  rgba[4])
{
  for (int k = 0; k < 3; k++)
    b->mesh->positions[3 * b->v + k] = p[k];
  for (int k = 0; k < 4; k++)
    b->mesh->colors[4 * b->v + k] = rgba[k];
  b->mesh->labels[b->v] = label;
  b->v++;
}

static void
put_quad_grid (Builder *b,
               gsize    base,
               guint    nu,
               guint    nv,
               gboolean flip)
{
  /* A grid of (nu) columns wrapping around and (nv + 1) rows. */
  for (guint j = 0; j < nv; j++)
    for (guint i = 0; i < nu; i++)
      {
        guint32 a = base + j * nu + i;
        guint32 c = base + j * nu + (i + 1) % nu;
        guint32 d = base + (j + 1) * nu + i;
        guint32 e = base + (j + 1) * nu + (i + 1) % nu;
        guint32 *tri = &b->mesh->indices[3 * b->t];

        if (!flip)
          {
            tri[0] = a; tri[1] = c; tri[2] = e;
            tri[3] = a; tri[4] = e; tri[5] = d;
          }
        else
          {
            tri[0] = a; tri[1] = e; tri[2] = c;
            tri[3] = a; tri[4] = d; tri[5] = e;
          }
        b->t += 2;
      }
}

static void
put_cap (Builder *b,
         gsize    ring,
         guint    nu,
         gsize    centre,
         gboolean flip)
{
  for (guint i = 0; i < nu; i++)
    {
      guint32 *tri = &b->mesh->indices[3 * b->t++];

      tri[0] = centre;
      tri[1] = ring + (flip ? (i + 1) % nu : i);
      tri[2] = ring + (flip ? i : (i + 1) % nu);
    }
}

/* One crown as a closed surface: a superellipsoid-like body, thinner at the
 * incisal edge of incisors and canines, with cusps on premolars and molars. */
static void
add_tooth (Builder          *b,
           const ToothShape *shape,
           gint32            fdi,
           const float       centre[3],
           const float       mesial[2],
           const float       buccal[2],
           float             occlusal_sign,
           guint             nu,
           guint             nv)
{
  gsize base = b->v;
  float bottom[3], top[3];

  for (guint j = 0; j <= nv; j++)
    {
      /* h runs from the embedded cervical end (0) to the occlusal end (1). */
      float h = (float) j / nv;
      float ring = sinf (G_PI * (0.08f + 0.92f * h));
      float taper;

      if (shape->fdi_tooth <= 3)
        taper = 1.f - 0.55f * h * h;        /* incisal edge */
      else
        taper = 1.f - 0.15f * h;
      ring = powf (MAX (ring, 0.f), 0.45f);

      for (guint i = 0; i < nu; i++)
        {
          float a = 2.f * G_PI * i / nu;
          float cu = cosf (a), su = sinf (a);
          /* Superellipse exponent < 1 squares off the outline. */
          float ex = copysignf (powf (fabsf (cu), 0.7f), cu);
          float ey = copysignf (powf (fabsf (su), 0.7f), su);
          float md = 0.5f * shape->width * ex * ring;
          float bl = 0.5f * shape->thickness * ey * ring * taper;
          float z = shape->height * h;
          float p[3];

          if (shape->fdi_tooth >= 4 && h > 0.7f)
            {
              /* Cusps: two (premolars) or four (molars) bumps on the
               * occlusal table, a central fossa between them. */
              float lobes = shape->fdi_tooth >= 6 ? 2.f : 1.f;
              float bump = 0.5f * (1.f + cosf (2.f * lobes * a)) * (h - 0.7f) / 0.3f;
              z += 0.9f * bump - 0.4f * (1.f - ring);
            }

          p[0] = centre[0] + md * mesial[0] + bl * buccal[0];
          p[1] = centre[1] + md * mesial[1] + bl * buccal[1];
          p[2] = centre[2] + occlusal_sign * (z - 3.0f);
          put_vertex (b, p, fdi, enamel_rgba);
        }
    }

  bottom[0] = centre[0];
  bottom[1] = centre[1];
  bottom[2] = centre[2] + occlusal_sign * (-3.0f);
  top[0] = centre[0];
  top[1] = centre[1];
  top[2] = centre[2] + occlusal_sign * (shape->height - 3.0f + (shape->fdi_tooth >= 4 ? 0.1f : 0.f));
  put_vertex (b, bottom, fdi, enamel_rgba);
  put_vertex (b, top, fdi, enamel_rgba);

  {
    /* Winding follows the handedness of (mesial, buccal, occlusal). */
    float handed = (mesial[0] * buccal[1] - mesial[1] * buccal[0]) * occlusal_sign;
    gboolean flip = handed < 0.f;

    put_quad_grid (b, base, nu, nv, flip);
    put_cap (b, base, nu, b->v - 2, !flip);
    put_cap (b, base + (gsize) nv * nu, nu, b->v - 1, flip);
  }
}

/* The gingiva: a tube of elliptic cross-section along the arch, closed at
 * both ends, into which the crowns' cervical ends are sunk. */
static void
add_gingiva (Builder *b,
             float    half_width,
             float    depth,
             float    arch_half_length,
             float    neck_z,
             float    occlusal_sign,
             guint    n_along,
             guint    n_around)
{
  gsize base = b->v;
  float first[3] = { 0 }, last[3] = { 0 };

  for (guint j = 0; j <= n_along; j++)
    {
      float s = -arch_half_length + 2.f * arch_half_length * j / n_along;
      float p2[2], t2[2], nrm[2];

      arch_point (half_width, depth, fabsf (s), s < 0 ? -1.f : 1.f, p2, t2);
      /* Outward (buccal) normal of the curve: the tangent turned a quarter
       * towards the lips.  The tangent points away from the midline, so the
       * turn's direction flips with the side. */
      if (s >= 0.f)
        {
          nrm[0] = -t2[1];
          nrm[1] = t2[0];
        }
      else
        {
          nrm[0] = t2[1];
          nrm[1] = -t2[0];
        }

      for (guint i = 0; i < n_around; i++)
        {
          float a = 2.f * G_PI * i / n_around;
          float r_bl = 6.5f, r_v = 5.5f;
          float off = r_bl * cosf (a);
          float p[3] = {
            p2[0] + off * nrm[0],
            p2[1] + off * nrm[1],
            neck_z + occlusal_sign * (-r_v * (0.35f + 0.65f * sinf (a)) - 1.0f),
          };

          /* Flatten the crest so teeth emerge from a ridge, not a pipe. */
          if (sinf (a) < -0.2f)
            p[2] = neck_z + occlusal_sign * (r_v * 0.25f - 1.0f + 0.35f * r_v * (sinf (a) + 0.2f));
          put_vertex (b, p, 0, gingiva_rgba);
        }
      if (j == 0)
        {
          first[0] = p2[0];
          first[1] = p2[1];
        }
      if (j == n_along)
        {
          last[0] = p2[0];
          last[1] = p2[1];
        }
    }

  first[2] = last[2] = neck_z + occlusal_sign * (-2.5f);
  put_vertex (b, first, 0, gingiva_rgba);
  put_vertex (b, last, 0, gingiva_rgba);
  put_quad_grid (b, base, n_around, n_along, occlusal_sign > 0);
  put_cap (b, base, n_around, b->v - 2, occlusal_sign < 0);
  put_cap (b, base + (gsize) n_along * n_around, n_around, b->v - 1, occlusal_sign > 0);
}

/* Where one crown of the demo sits, before the arch is reflected into the
 * patient frame: its centre and its own mesial and buccal directions (in
 * the plane), after the malocclusion's rotation and displacement. */
typedef struct {
  const ToothShape *shape;
  int               fdi;
  float             centre[3];
  float             mesial[2];
  float             buccal[2];
} Placement;

typedef struct {
  float     half_width;
  float     depth;
  float     occlusal_sign;   /* direction the crowns face */
  float     neck_z;
  float     arch_len;
  Placement teeth[14];       /* right side 1..7, then left side 1..7 */
} ArchLayout;

static void
layout_arch (gboolean    upper,
             ArchLayout *out)
{
  const ToothShape *teeth = upper ? upper_teeth : lower_teeth;
  int n = 0;

  /* Upper arch a little wider and deeper than the lower: overjet. */
  out->half_width = upper ? 26.0f : 24.5f;
  out->depth = upper ? 33.0f : 30.0f;
  out->occlusal_sign = upper ? -1.f : 1.f;
  out->neck_z = upper ? 7.0f : -7.0f;
  out->arch_len = 0.f;

  for (int i = 0; i < 7; i++)
    out->arch_len += teeth[i].width;

  for (int side = 0; side < 2; side++)
    {
      /* FDI quadrants: 1 upper right, 2 upper left, 3 lower left, 4 lower
       * right; the patient's right is -x. */
      float sign = side == 0 ? -1.f : 1.f;
      int quadrant = upper ? (side == 0 ? 1 : 2) : (side == 0 ? 4 : 3);
      float s = 0.f;

      for (int i = 0; i < 7; i++)
        {
          const float *mal = malocclusion[upper ? 0 : 1][side][i];
          Placement *pl = &out->teeth[n++];
          float p2[2], t2[2], mesial[2], buccal[2];
          float rot = mal[0] * (float) G_PI / 180.f;

          s += 0.5f * teeth[i].width;
          arch_point (out->half_width, out->depth, s, sign, p2, t2);
          s += 0.5f * teeth[i].width + 0.05f;

          /* Mesial points back towards the midline. */
          mesial[0] = -t2[0];
          mesial[1] = -t2[1];
          buccal[0] = sign * t2[1] * -1.f;
          buccal[1] = sign * t2[0];
          if (buccal[0] * p2[0] + buccal[1] * (p2[1] - out->depth * 0.3f) < 0.f)
            {
              buccal[0] = -buccal[0];
              buccal[1] = -buccal[1];
            }

          /* Rotate the crown about its long axis, then displace it. */
          {
            float c = cosf (rot), sn = sinf (rot);
            float m0 = c * mesial[0] - sn * mesial[1];
            float m1 = sn * mesial[0] + c * mesial[1];
            float b0 = c * buccal[0] - sn * buccal[1];
            float b1 = sn * buccal[0] + c * buccal[1];

            mesial[0] = m0; mesial[1] = m1;
            buccal[0] = b0; buccal[1] = b1;
          }

          pl->shape = &teeth[i];
          pl->fdi = quadrant * 10 + teeth[i].fdi_tooth;
          pl->centre[0] = p2[0] + mal[1] * buccal[0];
          pl->centre[1] = p2[1] + mal[1] * buccal[1];
          pl->centre[2] = out->neck_z + mal[2];
          pl->mesial[0] = mesial[0];
          pl->mesial[1] = mesial[1];
          pl->buccal[0] = buccal[0];
          pl->buccal[1] = buccal[1];
        }
    }
}

/* The arch was laid out with anterior towards +y, which reads easily
 * above; the patient frame has anterior at -y.  Reflecting y keeps the
 * patient's left at +x, and swapping two corners of every triangle keeps
 * the surfaces facing outwards. */
static void
reflect_into_patient_frame (OpMesh *mesh)
{
  for (gsize i = 0; i < mesh->n_vertices; i++)
    mesh->positions[3 * i + 1] = -mesh->positions[3 * i + 1];
  for (gsize t = 0; t < mesh->n_triangles; t++)
    {
      guint32 tmp = mesh->indices[3 * t + 1];

      mesh->indices[3 * t + 1] = mesh->indices[3 * t + 2];
      mesh->indices[3 * t + 2] = tmp;
    }
  op_mesh_compute_normals (mesh);
  op_mesh_compute_bounds (mesh);
}

OpMesh *
op_demo_arch_new (OpJaw jaw,
                  guint detail)
{
  gboolean upper = jaw == OP_JAW_UPPER;
  guint nu, nv, n_along, n_around;
  gsize n_vertices, n_triangles;
  ArchLayout layout;
  Builder b = { 0 };

  g_return_val_if_fail (jaw == OP_JAW_UPPER || jaw == OP_JAW_LOWER, NULL);
  detail = CLAMP (detail, 1, 8);

  nu = 12 * detail;
  nv = 6 * detail;
  n_along = 64 * detail;
  n_around = 8 * detail;

  n_vertices = 14 * ((gsize) nu * (nv + 1) + 2) + (gsize) n_around * (n_along + 1) + 2;
  n_triangles = 14 * ((gsize) 2 * nu * nv + 2 * nu) + (gsize) 2 * n_around * n_along + 2 * n_around;
  b.mesh = op_mesh_new (n_vertices, n_triangles, OP_MESH_ATTR_COLORS | OP_MESH_ATTR_LABELS);

  layout_arch (upper, &layout);
  for (int i = 0; i < 14; i++)
    {
      const Placement *pl = &layout.teeth[i];

      add_tooth (&b, pl->shape, pl->fdi, pl->centre, pl->mesial, pl->buccal,
                 layout.occlusal_sign, nu, nv);
    }

  add_gingiva (&b, layout.half_width, layout.depth, layout.arch_len + 3.0f, layout.neck_z,
               layout.occlusal_sign, n_along, n_around);

  g_assert (b.v == n_vertices);
  g_assert (b.t == n_triangles);

  reflect_into_patient_frame (b.mesh);
  return b.mesh;
}

OpDentition *
op_demo_dentition_new (guint detail)
{
  g_autoptr(OpDentition) dentition = op_dentition_new ();
  guint nu, nv;

  detail = CLAMP (detail, 1, 8);
  nu = 12 * detail;
  nv = 6 * detail;

  for (int jaw = 0; jaw < 2; jaw++)
    {
      ArchLayout layout;

      layout_arch (jaw == 0, &layout);
      for (int i = 0; i < 14; i++)
        {
          const Placement *pl = &layout.teeth[i];
          float sign = layout.occlusal_sign;
          Builder b = { 0 };
          OpTooth *tooth;
          OpFrame *f;

          /* Each crown alone, built by the same code as in the arch, so
           * the teeth are exactly the arch's crowns. */
          b.mesh = op_mesh_new ((gsize) nu * (nv + 1) + 2, (gsize) 2 * nu * nv + 2 * nu,
                                OP_MESH_ATTR_COLORS | OP_MESH_ATTR_LABELS);
          add_tooth (&b, pl->shape, pl->fdi, pl->centre, pl->mesial, pl->buccal, sign, nu, nv);
          g_assert (b.v == b.mesh->n_vertices && b.t == b.mesh->n_triangles);
          reflect_into_patient_frame (b.mesh);

          tooth = op_tooth_new (pl->fdi, b.mesh);
          tooth->width = pl->shape->width;
          tooth->confidence = 1.f;
          tooth->has_frame = TRUE;
          f = &tooth->frame;

          /* The generator's own axes, reflected like the mesh (y -> -y):
           * the origin halfway up the crown, mesial and buccal as the
           * crown was built (so the malocclusion's rotation is in the
           * frame, as it would be in a frame measured from the crown),
           * occlusal along the crown's height. */
          f->origin[0] = pl->centre[0];
          f->origin[1] = -pl->centre[1];
          f->origin[2] = pl->centre[2] + sign * (0.5f * pl->shape->height - 3.0f);
          f->mesial[0] = pl->mesial[0];
          f->mesial[1] = -pl->mesial[1];
          f->mesial[2] = 0.f;
          f->buccal[0] = pl->buccal[0];
          f->buccal[1] = -pl->buccal[1];
          f->buccal[2] = 0.f;
          f->occlusal[0] = 0.f;
          f->occlusal[1] = 0.f;
          f->occlusal[2] = sign;
          op_dentition_add (dentition, tooth);
        }
    }

  return g_steal_pointer (&dentition);
}
