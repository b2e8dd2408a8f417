/* Tests for orthoplan-cli, run as a real process on generated files. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "op-demo.h"
#include "op-image.h"
#include "op-mesh-io.h"
#include "test-cli-util.h"

static char *tmpdir;

static void
write_demo_files (void)
{
  g_autoptr(OpMesh) upper = op_demo_arch_new (OP_JAW_UPPER, 2);
  g_autoptr(OpMesh) lower = op_demo_arch_new (OP_JAW_LOWER, 2);
  g_autofree char *u = test_cli_tmp_path ("upper.ply");
  g_autofree char *l = test_cli_tmp_path ("lower.stl");
  g_autofree char *e = test_cli_tmp_path ("empty.stl");
  g_autoptr(GError) error = NULL;

  g_assert_true (op_mesh_save (upper, u, OP_MESH_FORMAT_PLY, &error));
  g_assert_no_error (error);
  g_assert_true (op_mesh_save (lower, l, OP_MESH_FORMAT_STL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (e, "", 0, NULL));
}

static void
test_info (void)
{
  TestCliRun r;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(OpMesh) upper = op_demo_arch_new (OP_JAW_UPPER, 2);
  JsonObject *o;

  test_cli_run (&r, "info", "upper.ply", "lower.stl", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "upper.ply"));
  g_assert_nonnull (strstr (r.out, "lower.stl"));
  g_assert_nonnull (strstr (r.out, "binary"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "info", "--json", "upper.ply", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "ply");
  g_assert_cmpint (json_object_get_int_member (o, "triangles"), ==, upper->n_triangles);
  g_assert_true (json_object_get_boolean_member (o, "labels"));
  g_assert_true (json_object_get_boolean_member (o, "colors"));
  {
    JsonArray *size = json_object_get_array_member (o, "size_mm");
    g_assert_cmpfloat_with_epsilon (json_array_get_double_element (size, 0),
                                    upper->bbox_max[0] - upper->bbox_min[0], 0.01);
  }
  test_cli_run_clear (&r);
}

static void
test_bad_file_one_line (void)
{
  TestCliRun r;

  test_cli_run (&r, "info", "empty.stl", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "empty.stl"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "info", "missing.stl", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "missing.stl"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "frobnicate", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  test_cli_run_clear (&r);

  test_cli_run (&r, "render", "lower.stl", "--out", "x.png", "--view", "top", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--view"));
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  test_cli_run_clear (&r);
}

static void
test_convert (void)
{
  TestCliRun r;
  g_autofree char *glb = test_cli_tmp_path ("upper.glb");
  g_autoptr(OpMesh) back = NULL;
  g_autoptr(OpMesh) ply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = test_cli_tmp_path ("upper.ply");

  test_cli_run (&r, "convert", "upper.ply", "upper.glb", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  back = op_mesh_load (glb, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ply = op_mesh_load (upper, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_triangles, ==, ply->n_triangles);

  test_cli_run (&r, "convert", "upper.ply", "upper.xyz", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "upper.xyz"));
  test_cli_run_clear (&r);
}

static double
fraction_not_background (const guint8 *px,
                         int           w,
                         int           h)
{
  gsize n = 0;
  const guint8 *bg = px; /* the top-left corner shows the background */

  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      const guint8 *p = px + 4 * i;
      if (ABS (p[0] - bg[0]) + ABS (p[1] - bg[1]) + ABS (p[2] - bg[2]) > 30)
        n++;
    }
  return (double) n / ((gsize) w * h);
}

static void
test_render_views (void)
{
  const char *views[] = { "front", "occlusal-upper", "occlusal-lower", "left", "right" };
  g_autofree guint8 *first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("render-%s.png", views[i]);
      g_autofree char *path = test_cli_tmp_path (name);
      g_autofree guint8 *px = NULL;
      g_autoptr(GError) error = NULL;
      int w = 0, h = 0;
      TestCliRun r;

      test_cli_run (&r, "render", "upper.ply", "lower.stl", "--out", name, "--size", "320x200",
               "--view", views[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      test_cli_run_clear (&r);

      px = op_image_load_png (path, &w, &h, &error);
      g_assert_no_error (error);
      g_assert_cmpint (w, ==, 320);
      g_assert_cmpint (h, ==, 200);
      /* The arches fill a good part of the picture, framed not clipped. */
      g_assert_cmpfloat (fraction_not_background (px, w, h), >, 0.08);
      g_assert_cmpfloat (fraction_not_background (px, w, h), <, 0.95);
      if (first == NULL)
        first = g_steal_pointer (&px);
      else
        g_assert_cmpint (memcmp (first, px, (gsize) w * h * 4), !=, 0);
    }
}

static void
test_cases (void)
{
  g_autofree char *db = test_cli_tmp_path ("cases.db");
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) show = NULL;
  g_autofree char *id = NULL;
  JsonArray *scans;
  TestCliRun r;

  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Doe, Jane", "--dob", "1984-07-01",
           "--chart", "C-77", "--location", "North clinic", "--upper", "upper.ply", "--lower", "lower.stl", NULL);
  g_assert_cmpint (r.status, ==, 0);
  id = g_strstrip (g_strdup (r.out));
  g_assert_cmpint (g_ascii_strtoll (id, NULL, 10), >, 0);
  test_cli_run_clear (&r);

  /* A bad date and a bad file are refused, and nothing is stored. */
  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Roe, Rick", "--dob", "1984-02-30", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "1984-02-30"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Roe, Rick", "--dob", "1984-02-03",
           "--upper", "upper.ply", "--lower", "empty.stl", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "empty.stl"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Roe Rick", "--dob", "1984-02-03", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--patient"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "case", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  list = test_cli_parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (list), 0), "patient"),
                   ==, "Doe, Jane");
  test_cli_run_clear (&r);

  test_cli_run (&r, "case", "show", id, "--json", "--db", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  show = test_cli_parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (show), "location"), ==, "North clinic");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (show), "chart_number"), ==, "C-77");
  scans = json_object_get_array_member (json_node_get_object (show), "scan_list");
  g_assert_cmpuint (json_array_get_length (scans), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (scans, 0), "jaw"), ==, "upper");
  g_assert_cmpint (strlen (json_object_get_string_member (json_array_get_object_element (scans, 1), "sha256")), ==, 64);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "case", "show", "999", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  test_cli_run_clear (&r);

  /* Without --db the environment's ORTHOPLAN_DB is used: a different,
   * empty store. */
  test_cli_run (&r, "case", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) other = test_cli_parse_json (r.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (other)), ==, 0);
  }
  test_cli_run_clear (&r);
}

static void
test_demo (void)
{
  const char *outputs[] = { "demo.db", "demo-front.png", "demo-occlusal-upper.png", "demo-upper.stl",
                            "demo-lower.ply", "demo-upper.glb" };
  g_autofree char *out = test_cli_tmp_path ("demo");
  TestCliRun r;

  test_cli_run (&r, "demo", "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *p = g_build_filename (out, outputs[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      g_assert_nonnull (strstr (r.out, outputs[i]));
    }
  test_cli_run_clear (&r);

  /* Running it again reuses the demo case rather than adding another. */
  test_cli_run (&r, "demo", "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  {
    g_autofree char *db = g_build_filename (out, "demo.db", NULL);
    g_autoptr(JsonNode) list = NULL;

    test_cli_run (&r, "--db", db, "case", "list", "--json", NULL);
    list = test_cli_parse_json (r.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
    test_cli_run_clear (&r);
  }
}

int
main (int argc, char **argv)
{
  g_autofree char *envdb = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = g_dir_make_tmp ("orthoplan-cli-XXXXXX", NULL);
  envdb = g_build_filename (tmpdir, "env.db", NULL);
  g_setenv ("OP_TEST_DB", envdb, TRUE);
  test_cli_setup (tmpdir, envdb);
  write_demo_files ();

  g_test_add_func ("/cli/info", test_info);
  g_test_add_func ("/cli/bad-file-one-line", test_bad_file_one_line);
  g_test_add_func ("/cli/convert", test_convert);
  g_test_add_func ("/cli/render-views", test_render_views);
  g_test_add_func ("/cli/cases", test_cases);
  g_test_add_func ("/cli/demo", test_demo);
  ret = g_test_run ();

  if (ret == 0)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) !system (cmd);
    }
  return ret;
}
