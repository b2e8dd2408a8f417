/* Roots grown from a CBCT for teeth that live in their scan's frame: the
 * real teeth of open-full-jaw-p26 in a CBCT-like volume, their crowns
 * moved off by a known rigid motion as a scan's would be. */
#include <math.h>
#include <string.h>

#include "op-fdi.h"
#include "op-linalg.h"
#include "op-planner.h"
#include "op-teeth-folder.h"
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

/* A view samples the volume's voxels from another frame: the value at a
 * point of the new frame is the volume's at that point mapped back. */
static void
test_view (void)
{
  const double spacing[3] = { 0.5, 0.6, 0.7 };
  g_autoptr(OpVolume) v = op_volume_new (20, 18, 16, spacing);
  const float axis[3] = { 0.2f, 0.9f, -0.3f }, centre[3] = { 3, 4, 5 };
  float mf[16];
  double to_frame[16];
  OpVolume view;

  for (gsize x = 0; x < (gsize) 20 * 18 * 16; x++)
    v->voxels[x] = (gint16) ((x * 7919) % 3001);
  op_mat4_rotate_about (axis, (float) (33 * G_PI / 180), centre, mf);
  mf[12] += 2.5f;
  for (int k = 0; k < 16; k++)
    to_frame[k] = mf[k];
  op_volume_view (v, to_frame, &view);
  g_assert_true (view.voxels == v->voxels);

  for (int i = 1; i < 19; i += 3)
    for (int j = 1; j < 17; j += 4)
      {
        const double ijk[3] = { i + 0.25, j + 0.5, 7.75 };
        double world[3], q[3], a = -1, b = -2;
        float wf[3], qf[3];

        op_volume_voxel_to_world (v, ijk, world);
        for (int k = 0; k < 3; k++)
          wf[k] = (float) world[k];
        op_mat4_apply_point (mf, wf, qf);
        for (int k = 0; k < 3; k++)
          q[k] = qf[k];
        g_assert_true (op_volume_sample (v, world, &a));
        g_assert_true (op_volume_sample (&view, q, &b));
        g_assert_cmpfloat (fabs (a - b), <, 0.5);
      }
}

/* The planner checks the roots against a CBCT's bone when it is given
 * one: a tooth pushed 3 mm through the labial plate is flagged with the
 * CBCT named, and without a CBCT the rule of op-roots.h is named. */
static void
test_plan_bone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) d = NULL;
  g_autoptr(OpDentition) solid = NULL;
  g_autoptr(OpVolume) v = NULL;
  g_autoptr(OpPlan) with = NULL;
  g_autoptr(OpPlan) without = NULL;
  OpPlannerOptions options = { 0 };
  OpToothOverride push = { .fdi = 11, .mask = 1u << OP_COMPONENT_BL };
  guint cbct_11 = 0, cbct_any = 0, rule_any = 0;
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *up = root ? g_build_filename (root, "open-full-jaw-p26", "maxilla", NULL) : NULL;
  g_autofree char *lo = root ? g_build_filename (root, "open-full-jaw-p26", "mandible", NULL) : NULL;
  const char *dirs[3] = { up, lo, NULL };

  if (up == NULL || !g_file_test (up, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  /* The real teeth as a folder import gives them (whole teeth, frames
   * from the axes file), and a CBCT-like volume around them. */
  d = op_teeth_folder_load (dirs, OP_NUMBERING_UNIVERSAL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (d == NULL)
    return;
  solid = op_dentition_copy (d);
  for (guint t = 0; t < solid->teeth->len; t++)
    {
      OpTooth *tooth = g_ptr_array_index (solid->teeth, t);

      tooth->root = op_mesh_copy (tooth->crown);
    }
  v = cbct_bone_block_volume (solid, 1.5);
  push.target.bl = 3.0;
  options.overrides = &push;
  options.n_overrides = 1;
  options.bone[0] = v;
  options.bone[1] = v;
  with = op_planner_plan (d, &options, &error);
  g_assert_no_error (error);
  options.bone[0] = options.bone[1] = NULL;
  without = op_planner_plan (d, &options, &error);
  g_assert_no_error (error);
  if (with == NULL || without == NULL)
    return;

  for (guint w = 0; w < with->warnings->len; w++)
    {
      const OpPlanWarning *pw = &g_array_index (with->warnings, OpPlanWarning, w);

      if (g_strcmp0 (pw->code, "root-bone") != 0)
        continue;
      g_assert_nonnull (strstr (pw->message, "bone from the CBCT"));
      cbct_any++;
      if (pw->fdi_a == 11)
        cbct_11++;
    }
  for (guint w = 0; w < without->warnings->len; w++)
    {
      const OpPlanWarning *pw = &g_array_index (without->warnings, OpPlanWarning, w);

      if (g_strcmp0 (pw->code, "root-bone") == 0)
        {
          g_assert_nonnull (strstr (pw->message, "no CBCT"));
          rule_any++;
        }
    }
  g_test_message ("root-bone warnings: %u with the CBCT (11: %u), %u without", cbct_any, cbct_11, rule_any);
  g_assert_cmpuint (cbct_11, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/roots/registered", test_registered);
  g_test_add_func ("/planner/roots/view", test_view);
  g_test_add_func ("/planner/roots/plan-bone", test_plan_bone);
  return g_test_run ();
}
