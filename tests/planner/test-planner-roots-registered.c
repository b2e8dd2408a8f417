/* Roots grown from a CBCT for teeth that live in their scan's frame: the
 * real teeth of open-full-jaw-p26 in a CBCT-like volume, their crowns
 * moved off by a known rigid motion as a scan's would be. */
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-linalg.h"
#include "op-roots-registered.h"
#include "test-cbct-data.h"

static const int fdis[] = { 11, 12, 13, 21, 31, 32 };

/* Lowest point of @mesh along @axis through @origin. */
static double
lowest (const OpMesh *mesh, const float origin[3], const float axis[3])
{
  double low = G_MAXDOUBLE;

  for (gsize v = 0; v < mesh->n_vertices; v++)
    {
      double h = 0;

      for (int a = 0; a < 3; a++)
        h += (mesh->positions[v * 3 + a] - origin[a]) * axis[a];
      low = MIN (low, h);
    }
  return low;
}

static void
test_registered (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) full = cbct_load_teeth (&error);
  g_autoptr(OpDentition) real = op_dentition_new ();
  g_autoptr(OpDentition) scan = op_dentition_new ();
  g_autoptr(OpDentition) direct = op_dentition_new ();
  g_autoptr(OpDentition) unregistered = NULL;
  g_autoptr(OpVolume) v = NULL;
  g_autofree char *grown = NULL, *templated = NULL;
  const float axis[3] = { 0.3f, -0.2f, 0.93f }, centre[3] = { 0, 0, 0 };
  float motion[16], back[16];
  double to_volume[16];

  if (full == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  /* The scan's frame is the volume's moved by 15 degrees and 7 mm. */
  op_mat4_rotate_about (axis, (float) (15 * G_PI / 180), centre, motion);
  motion[12] += 7.f;
  motion[13] -= 4.f;
  motion[14] += 2.f;
  /* Its inverse, the registration a perfect alignment would find. */
  memset (back, 0, sizeof back);
  for (int r = 0; r < 3; r++)
    {
      for (int c = 0; c < 3; c++)
        back[c * 4 + r] = motion[r * 4 + c];
      back[12 + r] = -(motion[r * 4] * motion[12] + motion[r * 4 + 1] * motion[13] + motion[r * 4 + 2] * motion[14]);
    }
  back[15] = 1;
  for (int k = 0; k < 16; k++)
    to_volume[k] = back[k];

  for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
    {
      OpTooth *t = op_tooth_copy (op_dentition_get (full, fdis[k]));
      OpTooth *crown = op_tooth_new (fdis[k], cbct_cut_crown (t, 3.0));
      OpTooth *moved;

      crown->has_frame = TRUE;
      crown->frame = t->frame;
      t->root = op_mesh_copy (t->crown);
      op_dentition_add (real, t);
      op_dentition_add (direct, op_tooth_copy (crown));

      moved = op_tooth_copy (crown);
      op_mesh_transform (moved->crown, motion);
      op_mat4_apply_point (motion, crown->frame.origin, moved->frame.origin);
      op_mat4_apply_dir (motion, crown->frame.mesial, moved->frame.mesial);
      op_mat4_apply_dir (motion, crown->frame.buccal, moved->frame.buccal);
      op_mat4_apply_dir (motion, crown->frame.occlusal, moved->frame.occlusal);
      op_dentition_add (scan, moved);
      op_tooth_free (crown);
    }
  v = cbct_bone_block_volume (real, 1.5);
  unregistered = op_dentition_copy (scan);

  /* Grown in the scan's frame through the registration... */
  g_assert_true (op_roots_build_registered (scan, v, to_volume, to_volume, &grown, &templated, &error));
  g_assert_no_error (error);
  g_test_message ("grown: %s; templates: %s", grown ? grown : "none", templated ? templated : "none");
  g_assert_cmpstr (grown, ==, "11, 12, 13, 21, 31, 32");
  g_assert_null (templated);
  /* ...as in the volume's frame directly, carried by the motion. */
  g_assert_true (op_roots_build (direct, v, NULL, NULL));
  for (guint k = 0; k < G_N_ELEMENTS (fdis); k++)
    {
      const OpTooth *s = op_dentition_get (scan, fdis[k]);
      const OpTooth *d = op_dentition_get (direct, fdis[k]);
      g_autoptr(OpMesh) carried = op_mesh_copy (d->root);
      double a, b;

      op_mesh_transform (carried, motion);
      a = lowest (s->root, s->frame.origin, s->frame.occlusal);
      b = lowest (carried, s->frame.origin, s->frame.occlusal);
      g_test_message ("tooth %d: apex %.2f mm below the crown centre (direct %.2f mm)", fdis[k], -a, -b);
      g_assert_cmpfloat (fabs (a - b), <, 0.35);
      g_assert_cmpfloat (-a, >, 8.0);
      g_assert_cmpfloat (fabs (op_mesh_volume (s->root) - op_mesh_volume (carried)), <,
                         0.05 * op_mesh_volume (carried));
    }

  /* An arch without a registration gets templates, named. */
  g_clear_pointer (&grown, g_free);
  g_assert_true (op_roots_build_registered (unregistered, v, to_volume, NULL, &grown, &templated, &error));
  g_assert_cmpstr (grown, ==, "11, 12, 13, 21");
  g_assert_cmpstr (templated, ==, "31, 32");
  g_assert_nonnull (op_dentition_get (unregistered, 31)->root);

  /* A registration that puts the teeth outside the volume: templates,
   * never an error or a root grown from the wrong place. */
  {
    g_autoptr(OpDentition) off = op_dentition_copy (unregistered);
    double far[16];
    g_autofree char *g2 = NULL, *t2 = NULL;

    memcpy (far, to_volume, sizeof far);
    far[12] += 400;
    g_assert_true (op_roots_build_registered (off, v, far, far, &g2, &t2, &error));
    g_assert_null (g2);
    g_assert_cmpstr (t2, ==, "11, 12, 13, 21, 31, 32");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/roots/registered", test_registered);
  return g_test_run ();
}
