/* test-planner-register: scan-to-CBCT registration on a CBCT-like volume
 * made from the real teeth of open-full-jaw-p26, Horn's closed form for
 * picked points, and bad input. */
#include <math.h>
#include <string.h>

#include "op-linalg.h"
#include "op-marching.h"
#include "op-register.h"
#include "test-cbct-data.h"

typedef struct {
  OpDentition *teeth;
  OpMesh      *surface;   /* isosurface of the synthetic CBCT */
  OpMesh      *crowns;    /* the "scan": crowns cut 3 mm below their centre */
  double       threshold;
} Cbct;

static Cbct cbct;

static gboolean
need_cbct (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpVolume) v = NULL;

  if (cbct.surface != NULL)
    return TRUE;
  cbct.teeth = cbct_load_teeth (&error);
  if (cbct.teeth == NULL)
    {
      g_test_skip (error->message);
      return FALSE;
    }
  v = cbct_volume_from_teeth (cbct.teeth, 0.3, 150, 26);
  /* Half way between soft tissue and enamel, as the teeth preset would. */
  cbct.threshold = op_volume_hu_to_raw (v, 920);
  cbct.surface = op_volume_isosurface (v, cbct.threshold, NULL);
  cbct.crowns = cbct_crown_scan (cbct.teeth, 3.0);
  g_test_message ("synthetic CBCT %d x %d x %d, surface %" G_GSIZE_FORMAT " triangles, scan %" G_GSIZE_FORMAT " vertices",
                  v->dims[0], v->dims[1], v->dims[2], cbct.surface->n_triangles, cbct.crowns->n_vertices);
  return TRUE;
}

/* A rigid transform: @deg about @axis through @centre, then @shift. */
static void
make_motion (const float axis[3], double deg, const float centre[3], const float shift[3], float m[16])
{
  float a[3];
  double len = sqrt (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);

  for (int k = 0; k < 3; k++)
    a[k] = (float) (axis[k] / len);
  op_mat4_rotate_about (a, (float) (deg * G_PI / 180), centre, m);
  for (int k = 0; k < 3; k++)
    m[12 + k] += shift[k];
}

/* How far @m is from the identity over the points of @mesh: the largest
 * displacement (mm) and the rotation angle (degrees). */
static void
residual_motion (const float m[16], const OpMesh *mesh, double *max_mm, double *deg)
{
  double tr = m[0] + m[5] + m[10];

  *max_mm = 0;
  for (gsize v = 0; v < mesh->n_vertices; v += 7)
    {
      float p[3];
      double d = 0;

      op_mat4_apply_point (m, &mesh->positions[v * 3], p);
      for (int k = 0; k < 3; k++)
        d += (p[k] - mesh->positions[v * 3 + k]) * (double) (p[k] - mesh->positions[v * 3 + k]);
      *max_mm = MAX (*max_mm, sqrt (d));
    }
  *deg = acos (CLAMP ((tr - 1) / 2, -1.0, 1.0)) * 180 / G_PI;
}

static void
check_recovery (const float motion[16], double max_mm_allowed, double deg_allowed)
{
  g_autoptr(OpMesh) moved = op_mesh_copy (cbct.crowns);
  g_autoptr(GError) error = NULL;
  OpRegisterResult r, again;
  float back[16];
  double err_mm, err_deg;
  gint64 t0;

  op_mesh_transform (moved, motion);
  t0 = g_get_monotonic_time ();
  g_assert_true (op_register_meshes (moved, cbct.surface, NULL, &r, &error));
  g_assert_no_error (error);
  g_test_message ("registered in %.2f s: rms %.3f mm over %u pairs, %.0f%% paired, %u iterations, start %d",
                  (g_get_monotonic_time () - t0) / 1e6, r.rms_mm, r.n_pairs, 100 * r.inlier_fraction,
                  r.iterations, r.candidate);
  /* The result undoes the motion: result * motion is the identity. */
  op_mat4_mul (r.matrix, motion, back);
  residual_motion (back, cbct.crowns, &err_mm, &err_deg);
  g_test_message ("recovered within %.3f mm and %.3f degrees", err_mm, err_deg);
  g_assert_cmpfloat (err_mm, <=, max_mm_allowed);
  g_assert_cmpfloat (err_deg, <=, deg_allowed);
  g_assert_cmpfloat (r.rms_mm, <=, 0.3);
  g_assert_cmpfloat (r.inlier_fraction, >, 0.9);

  /* Deterministic. */
  g_assert_true (op_register_meshes (moved, cbct.surface, NULL, &again, NULL));
  g_assert_cmpmem (r.matrix, sizeof r.matrix, again.matrix, sizeof again.matrix);
}

static void
test_cbct_near (void)
{
  const float axis[3] = { 0.3f, -0.5f, 0.8f }, shift[3] = { 5.0f, -4.0f, 4.8f };
  float centre[3], m[16];

  if (!need_cbct ())
    return;
  op_mesh_get_extent (cbct.crowns, centre);
  /* 15 degrees and |shift| = 8.0 mm. */
  make_motion (axis, 15, centre, shift, m);
  check_recovery (m, 0.2, 0.5);
}

/* A scan in its scanner's own frame: turned a long way and far off.  The
 * principal axes and the 24 candidate starts must find it. */
static void
test_cbct_far (void)
{
  const float axis[3] = { 0.2f, 0.9f, -0.4f }, shift[3] = { 40, -25, 60 };
  float centre[3], m[16];

  if (!need_cbct ())
    return;
  op_mesh_get_extent (cbct.crowns, centre);
  make_motion (axis, 130, centre, shift, m);
  check_recovery (m, 0.2, 0.5);
}

/* A starting transform given by the caller (e.g. from three picked
 * points) is refined from there. */
static void
test_cbct_initial (void)
{
  const float axis[3] = { 1, 0, 0 }, shift[3] = { 0, 2, 0 };
  float centre[3], m[16], guess[16], back[16];
  g_autoptr(OpMesh) moved = NULL;
  OpRegisterOptions o = { 0 };
  OpRegisterResult r;
  double err_mm, err_deg;

  if (!need_cbct ())
    return;
  op_mesh_get_extent (cbct.crowns, centre);
  make_motion (axis, 4, centre, shift, m);
  moved = op_mesh_copy (cbct.crowns);
  op_mesh_transform (moved, m);
  op_mat4_identity (guess);
  o.initial = guess;
  g_assert_true (op_register_meshes (moved, cbct.surface, &o, &r, NULL));
  g_assert_cmpint (r.candidate, ==, -1);
  op_mat4_mul (r.matrix, m, back);
  residual_motion (back, cbct.crowns, &err_mm, &err_deg);
  g_assert_cmpfloat (err_mm, <=, 0.2);
  g_assert_cmpfloat (r.rms_mm, <=, 0.3);
}

/* Three picked points, exactly moved: Horn gives the motion back. */
static void
test_points_exact (void)
{
  const float from[12] = { 10, 0, 0, -12, 3, 1, 0, 25, -4, 3, 3, 30 };
  const float axis[3] = { -0.4f, 0.2f, 0.9f }, centre[3] = { 1, 2, 3 }, shift[3] = { 3, -7, 11 };
  float m[16], to[12], out[16];
  double rms;

  make_motion (axis, 73, centre, shift, m);
  for (int i = 0; i < 4; i++)
    op_mat4_apply_point (m, &from[i * 3], &to[i * 3]);
  for (guint n = 3; n <= 4; n++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (op_register_points (from, to, n, out, &rms, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (rms, <, 1e-4);
      for (int k = 0; k < 16; k++)
        g_assert_cmpfloat_with_epsilon (out[k], m[k], 1e-4);
    }
}

/* Noisy picks: the least-squares fit, with the residual reported. */
static void
test_points_noisy (void)
{
  const float from[15] = { 10, 0, 0, -12, 3, 1, 0, 25, -4, 3, 3, 30, -8, -9, 2 };
  const float noise[15] = { 0.2f, -0.1f, 0, 0, 0.15f, -0.2f, -0.1f, 0, 0.1f, 0.2f, 0.1f, 0, 0, -0.2f, 0.1f };
  float to[15], out[16];
  double rms;

  for (int i = 0; i < 15; i++)
    to[i] = from[i] + 5 + noise[i];
  g_assert_true (op_register_points (from, to, 5, out, &rms, NULL));
  g_assert_cmpfloat (rms, >, 0.05);
  g_assert_cmpfloat (rms, <, 0.3);
  g_assert_cmpfloat (fabs (out[12] - 5), <, 0.3);
  g_assert_cmpfloat (fabs (out[0] - 1), <, 0.01);
}

static void
test_bad_input (void)
{
  const float line[9] = { 0, 0, 0, 1, 1, 1, 2, 2, 2 }, pts[9] = { 0, 0, 0, 1, 0, 0, 0, 1, 0 };
  const float nan_pts[9] = { 0, 0, 0, NAN, 0, 0, 0, 1, 0 };
  g_autoptr(OpMesh) empty = op_mesh_new (0, 0, OP_MESH_ATTR_NONE);
  g_autoptr(OpMesh) tri = op_mesh_new (3, 1, OP_MESH_ATTR_NONE);
  g_autoptr(OpMesh) far = NULL;
  float m[16];
  OpRegisterResult r;
  OpRegisterOptions o = { 0 };
  float ident[16];

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_register_points (pts, pts, 2, m, NULL, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_TOO_FEW);
    g_assert_nonnull (strstr (error->message, "2 pairs"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_register_points (line, line, 3, m, NULL, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_DEGENERATE);
    g_assert_nonnull (strstr (error->message, "line"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_register_points (nan_pts, pts, 3, m, NULL, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_DEGENERATE);
    g_assert_nonnull (strstr (error->message, "pair 2"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_register_meshes (empty, tri, NULL, &r, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_EMPTY);
    g_assert_nonnull (strstr (error->message, "scan"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_register_meshes (tri, empty, NULL, &r, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_EMPTY);
    g_assert_nonnull (strstr (error->message, "CBCT"));
  }
  {
    g_autoptr(GError) error = NULL;

    tri->indices[0] = 0, tri->indices[1] = 1, tri->indices[2] = 2;
    tri->positions[3] = 1, tri->positions[7] = 1;
    g_assert_false (op_register_meshes (tri, tri, NULL, &r, &error));
    g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_TOO_FEW);
  }
  /* Two surfaces 100 mm apart with the start given: no overlap. */
  if (need_cbct ())
    {
      g_autoptr(GError) error = NULL;
      float shift[16];

      op_mat4_identity (shift);
      shift[12] = 100;
      far = op_mesh_copy (cbct.crowns);
      op_mesh_transform (far, shift);
      op_mat4_identity (ident);
      o.initial = ident;
      g_assert_false (op_register_meshes (far, cbct.surface, &o, &r, &error));
      g_assert_error (error, OP_REGISTER_ERROR, OP_REGISTER_ERROR_NO_OVERLAP);
    }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/planner/register/points-exact", test_points_exact);
  g_test_add_func ("/planner/register/points-noisy", test_points_noisy);
  g_test_add_func ("/planner/register/bad-input", test_bad_input);
  g_test_add_func ("/planner/register/cbct-near", test_cbct_near);
  g_test_add_func ("/planner/register/cbct-far", test_cbct_far);
  g_test_add_func ("/planner/register/cbct-initial", test_cbct_initial);
  rc = g_test_run ();
  g_clear_pointer (&cbct.teeth, op_dentition_free);
  g_clear_pointer (&cbct.surface, op_mesh_free);
  g_clear_pointer (&cbct.crowns, op_mesh_free);
  return rc;
}
