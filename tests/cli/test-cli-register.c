/* Tests for orthoplan-cli register, run as a real process: a case whose
 * scans are the real teeth's crowns (open-full-jaw-p26) moved off by known
 * motions, and whose CBCT is a series written through GDCM from a
 * CBCT-like volume of the same teeth. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-dicom.h"
#include "op-fdi.h"
#include "op-linalg.h"
#include "op-mesh-io.h"
#include "op-voxelize.h"
#include "test-cbct-data.h"
#include "test-cli-util.h"

static char *tmpdir;
static char *db;

/* The crowns of one arch as a scan, carried by @motion. */
static OpMesh *
arch_scan (const OpDentition *teeth, gboolean upper, const float motion[16])
{
  g_autoptr(OpDentition) arch = op_dentition_new ();
  OpMesh *scan;

  for (guint t = 0; t < teeth->teeth->len; t++)
    {
      const OpTooth *tooth = g_ptr_array_index (teeth->teeth, t);

      if (op_fdi_is_upper (tooth->fdi) == upper)
        op_dentition_add (arch, op_tooth_copy (tooth));
    }
  scan = cbct_crown_scan (arch, 3.0);
  op_mesh_transform (scan, motion);
  return scan;
}

static void
motion (const float axis[3], double deg, const float centre[3], const float shift[3], float m[16])
{
  float a[3];
  double len = sqrt (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);

  for (int k = 0; k < 3; k++)
    a[k] = (float) (axis[k] / len);
  op_mat4_rotate_about (a, (float) (deg * G_PI / 180), centre, m);
  for (int k = 0; k < 3; k++)
    m[12 + k] += shift[k];
}

static void
test_register (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpDentition) teeth = cbct_load_teeth (&error);
  g_autoptr(OpVolume) v = NULL;
  g_autoptr(OpMesh) upper = NULL, lower = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *series = g_build_filename (tmpdir, "cbct", NULL);
  g_autofree char *up_path = g_build_filename (tmpdir, "upper.stl", NULL);
  g_autofree char *low_path = g_build_filename (tmpdir, "lower.stl", NULL);
  const float ax_u[3] = { 0.2f, 0.3f, 0.9f }, ax_l[3] = { 1, -0.2f, 0.1f };
  const float sh_u[3] = { 4, -5, 3 }, sh_l[3] = { -2, 3, -6 };
  float centre[3], m_up[16], m_low[16];
  JsonArray *scans;
  TestCliRun r;

  if (teeth == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  v = cbct_volume_from_teeth (teeth, 0.35, 100, 5);
  /* Air beyond 4 mm of the teeth (lips, cheeks and gingiva are soft
   * tissue), as around a real head: the volume's automatic threshold then
   * falls between soft tissue and teeth. */
  {
    gsize n = (gsize) v->dims[0] * v->dims[1] * v->dims[2];
    g_autofree guint8 *near = g_new0 (guint8, n);

    for (gsize x = 0; x < n; x++)
      near[x] = op_volume_raw_to_hu (v, v->voxels[x]) > 900;
    op_voxelize_dilate (v, near, 4.0, 1);
    for (gsize x = 0; x < n; x++)
      if (!near[x])
        v->voxels[x] = (gint16) (v->voxels[x] - 1040);
  }
  g_assert_true (op_dicom_write_volume (v, series, NULL, NULL, &error));
  g_assert_no_error (error);

  op_mesh_get_extent (teeth->gingiva_upper ? teeth->gingiva_upper : ((OpTooth *) g_ptr_array_index (teeth->teeth, 0))->crown, centre);
  motion (ax_u, 12, centre, sh_u, m_up);
  motion (ax_l, -9, centre, sh_l, m_low);
  upper = arch_scan (teeth, TRUE, m_up);
  lower = arch_scan (teeth, FALSE, m_low);
  g_assert_true (op_mesh_save (upper, up_path, OP_MESH_FORMAT_STL, &error));
  g_assert_true (op_mesh_save (lower, low_path, OP_MESH_FORMAT_STL, &error));
  g_assert_no_error (error);

  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Root, Canine", "--dob", "1980-03-04", "--upper", up_path, "--lower", low_path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  /* No CBCT yet: a clear refusal. */
  test_cli_run (&r, "--db", db, "register", "1", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no CBCT"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "add", "1", series, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "register", "1", NULL);
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "upper.stl (upper): RMS error"));
  g_assert_nonnull (strstr (r.out, "lower.stl (lower): RMS error"));
  g_assert_nonnull (strstr (r.out, "goal ≤ 0.3 mm: met"));
  g_assert_nonnull (strstr (r.out, "stored as registration 1"));
  g_assert_nonnull (strstr (r.out, "stored as registration 2"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "register", "1", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  g_assert_no_error (error);
  scans = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "scans");
  g_assert_cmpuint (json_array_get_length (scans), ==, 2);
  for (guint s = 0; s < json_array_get_length (scans); s++)
    {
      JsonObject *o = json_array_get_object_element (scans, s);
      JsonArray *mat = json_object_get_array_member (o, "matrix");
      const char *jaw = json_object_get_string_member (o, "jaw");
      const float *applied = strcmp (jaw, "upper") == 0 ? m_up : m_low;
      float m[16], back[16], worst = 0;
      const OpMesh *scan = strcmp (jaw, "upper") == 0 ? upper : lower;

      g_assert_cmpfloat (json_object_get_double_member (o, "rms_mm"), <=, 0.3);
      /* Kept with the case: the second run made new rows, after the first's. */
      g_assert_cmpint (json_object_get_int_member (o, "registration"), >, 2);
      g_assert_true (json_object_get_boolean_member (o, "goal_met"));
      g_assert_cmpuint (json_array_get_length (mat), ==, 16);
      for (int k = 0; k < 16; k++)
        m[k] = (float) json_array_get_double_element (mat, k);
      /* The registration undoes the motion the scan was given. */
      op_mat4_mul (m, applied, back);
      for (gsize p = 0; p < scan->n_vertices; p += 101)
        {
          float q[3], orig[3], inv[16];
          double d = 0;

          /* The scan's point p came from orig = applied^-1 scan[p]; back
           * carries orig to where the registration puts it. */
          memcpy (inv, applied, sizeof inv);
          for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
              inv[a * 4 + b] = applied[b * 4 + a];
          for (int a = 0; a < 3; a++)
            inv[12 + a] = -(inv[a] * applied[12] + inv[4 + a] * applied[13] + inv[8 + a] * applied[14]);
          op_mat4_apply_point (inv, &scan->positions[p * 3], orig);
          op_mat4_apply_point (back, orig, q);
          for (int a = 0; a < 3; a++)
            d += (q[a] - orig[a]) * (double) (q[a] - orig[a]);
          worst = MAX (worst, (float) sqrt (d));
        }
      g_test_message ("%s: recovered within %.3f mm", jaw, worst);
      g_assert_cmpfloat (worst, <, 0.25);
    }
  test_cli_run_clear (&r);

  /* The manual fallback: four points on the upper scan paired with where
   * they lie in the CBCT give the motion back, kept as registration 5. */
  {
    const float truth[4][3] = { { 10, 5, 2 }, { -12, 8, 1 }, { 0, -20, 4 }, { 3, 2, 15 } };
    char *argv_pairs[20];
    int a = 0;
    g_autoptr(JsonParser) pp = json_parser_new ();
    JsonObject *o;

    argv_pairs[a++] = (char *) g_getenv ("OP_CLI");
    argv_pairs[a++] = (char *) "--db";
    argv_pairs[a++] = db;
    argv_pairs[a++] = (char *) "register";
    argv_pairs[a++] = (char *) "1";
    argv_pairs[a++] = (char *) "--json";
    argv_pairs[a++] = (char *) "--scan";
    argv_pairs[a++] = (char *) "1";
    for (int k = 0; k < 4; k++)
      {
        float q[3];

        op_mat4_apply_point (m_up, truth[k], q);
        argv_pairs[a++] = (char *) "--pair";
        argv_pairs[a++] = g_strdup_printf ("%.4f,%.4f,%.4f:%.4f,%.4f,%.4f", q[0], q[1], q[2],
                                           truth[k][0], truth[k][1], truth[k][2]);
      }
    argv_pairs[a] = NULL;
    test_cli_spawn (&r, (const char *const *) argv_pairs);
    for (int k = 9; k < a; k += 2)
      g_free (argv_pairs[k]);
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (json_parser_load_from_data (pp, r.out, -1, &error));
    g_assert_no_error (error);
    o = json_node_get_object (json_parser_get_root (pp));
    g_assert_cmpstr (json_object_get_string_member (o, "method"), ==, "points");
    g_assert_cmpint (json_object_get_int_member (o, "registration"), ==, 5);
    g_assert_cmpfloat (json_object_get_double_member (o, "rms_mm"), <, 0.01);
    test_cli_run_clear (&r);

    /* Two pairs are too few; a pair without --scan is a usage mistake. */
    test_cli_run (&r, "--db", db, "register", "1", "--scan", "1", "--pair", "0,0,0:1,1,1", "--pair", "5,0,0:6,1,1", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpuint (strlen (r.err), >, 0);
    test_cli_run_clear (&r);
    test_cli_run (&r, "--db", db, "register", "1", "--pair", "0,0,0:1,1,1", NULL);
    g_assert_cmpint (r.status, ==, 2);
    test_cli_run_clear (&r);
    test_cli_run (&r, "--db", db, "register", "1", "--scan", "1", "--pair", "0,0:1,1,1", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--pair"));
    test_cli_run_clear (&r);
  }

  /* Bad input: a case that does not exist, no case id, a threshold above
   * every voxel. */
  test_cli_run (&r, "--db", db, "register", "99", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpuint (strlen (r.err), >, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "register", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "case id"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "register", "1", "--threshold", "30000", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no surface"));
  test_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("orthoplan-cli-register-XXXXXX", NULL);
  test_cli_setup (tmpdir, NULL);
  db = g_build_filename (tmpdir, "test.db", NULL);
  g_test_add_func ("/cli/register/case", test_register);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

    (void) !system (cmd);
  }
  g_free (db);
  g_free (tmpdir);
  return rc;
}
