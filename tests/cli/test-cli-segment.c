/* Tests for orthoplan-cli segment and segment-eval, run as a real process
 * on a phantom arch built from the real teeth. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "op-labels-json.h"
#include "op-mesh-io.h"
#include "op-phantom.h"
#include "op-segment-eval.h"
#include "test-segment-data.h"
#include "test-cli-util.h"

static char *tmpdir;
static gboolean have_phantom;

static void
write_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) data_error = NULL;
  /* Without the shared data, the phantom tests skip; the rest still run. */
  g_autoptr(GPtrArray) teeth = test_segment_load_teeth (FALSE, &data_error);
  OpPhantomOptions o = { .seed = 77, .noise_mm = 0.02f, .random_pose = TRUE };
  g_autoptr(OpPhantom) ph = NULL;
  g_autofree char *scan = test_cli_tmp_path ("arch.ply");
  g_autofree char *truth = test_cli_tmp_path ("truth.json");
  g_autofree char *ball = test_cli_tmp_path ("ball.stl");
  g_autofree char *hand_t = test_cli_tmp_path ("hand-truth.json");
  g_autofree char *hand_p = test_cli_tmp_path ("hand-pred.json");
  g_autofree char *short_p = test_cli_tmp_path ("short.json");

  /* Hand-made labels with a known score (see test-planner-segment). */
  g_assert_true (g_file_set_contents (hand_t, "{\"jaw\": \"upper\", \"labels\": [11, 11, 11, 11, 0, 12, 12, 0, 0, 0]}", -1, NULL));
  g_assert_true (g_file_set_contents (hand_p, "{\"jaw\": \"upper\", \"labels\": [11, 11, 11, 0, 11, 12, 12, 13, 13, 0]}", -1, NULL));
  g_assert_true (g_file_set_contents (short_p, "{\"jaw\": \"upper\", \"labels\": [11, 11, 0]}", -1, NULL));

  /* A ball: no teeth. */
  {
    int n = 32;
    g_autoptr(OpMesh) m = op_mesh_new ((gsize) (n + 1) * (n + 1), (gsize) 2 * n * n, OP_MESH_ATTR_NONE);
    gsize t = 0;
    for (int i = 0; i <= n; i++)
      for (int j = 0; j <= n; j++)
        {
          float th = (float) G_PI * i / n, phi = 2.f * (float) G_PI * j / n, *p = &m->positions[3 * (i * (n + 1) + j)];
          p[0] = 25.f * sinf (th) * cosf (phi);
          p[1] = 25.f * sinf (th) * sinf (phi);
          p[2] = 25.f * cosf (th);
        }
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        {
          guint32 a = i * (n + 1) + j, b = a + 1, c = a + n + 1, d = c + 1, q[6] = { a, c, b, b, c, d };
          memcpy (&m->indices[3 * t], q, sizeof q);
          t += 2;
        }
    g_assert_true (op_mesh_save (m, ball, OP_MESH_FORMAT_STL, &error));
    g_assert_no_error (error);
  }

  if (teeth == NULL)
    return;
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
  g_assert_no_error (error);
  g_assert_true (op_mesh_save (ph->mesh, scan, OP_MESH_FORMAT_PLY, &error));
  g_assert_true (op_labels_json_save (truth, ph->mesh->labels, ph->mesh->n_vertices, FALSE, &error));
  g_assert_no_error (error);
  have_phantom = TRUE;
}

static void
test_segment (void)
{
  TestCliRun r;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pred = test_cli_tmp_path ("pred.json");
  g_autofree char *truth = test_cli_tmp_path ("truth.json");
  g_autofree gint32 *p = NULL, *t = NULL;
  gsize np = 0, nt = 0;
  JsonArray *teeth;

  if (!have_phantom)
    {
      g_test_skip ("OP_SHARED_DATA teeth not available");
      return;
    }
  test_cli_run (&r, "segment", "arch.ply", "--out", "pred.json", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  teeth = json_object_get_array_member (json_node_get_object (root), "teeth");
  g_assert_cmpuint (json_array_get_length (teeth), >=, 2);
  for (guint i = 0; i < json_array_get_length (teeth); i++)
    {
      JsonObject *o = json_array_get_object_element (teeth, i);
      g_assert_true (json_object_get_int_member (o, "fdi") / 10 == 3 || json_object_get_int_member (o, "fdi") / 10 == 4 ||
                     json_object_get_int_member (o, "fdi") / 10 == 1 || json_object_get_int_member (o, "fdi") / 10 == 2);
      g_assert_cmpfloat (json_object_get_double_member (o, "width_mm"), >, 2.0);
      g_assert_cmpfloat (json_object_get_double_member (o, "width_mm"), <, 16.0);
      g_assert_cmpint (json_object_get_int_member (o, "triangles"), >, 20);
      g_assert_cmpfloat (json_object_get_double_member (o, "confidence"), >=, 0.0);
      g_assert_cmpfloat (json_object_get_double_member (o, "confidence"), <=, 1.0);
    }
  test_cli_run_clear (&r);

  /* The labels file has a label for every vertex of the scan. */
  p = op_labels_json_load (pred, &np, NULL, NULL);
  t = op_labels_json_load (truth, &nt, NULL, NULL);
  g_assert_nonnull (p);
  g_assert_cmpuint (np, ==, nt);

  /* The table form names every tooth on its own line. */
  test_cli_run (&r, "segment", "arch.ply", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "teeth"));
  g_assert_nonnull (strstr (r.out, "confidence"));
  test_cli_run_clear (&r);

  /* segment-eval reports what op_segment_evaluate computes in-process. */
  if (p && t && np == nt)
    {
      OpSegmentScore s;
      g_autoptr(JsonNode) ev = NULL;

      g_assert_true (op_segment_evaluate (t, p, nt, &s, NULL));
      test_cli_run (&r, "segment-eval", "--truth", "truth.json", "--pred", "pred.json", "--json", NULL);
      g_assert_cmpint (r.status, ==, 0);
      ev = test_cli_parse_json (r.out);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_node_get_object (ev), "tsa"), s.tsa, 1e-9);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_node_get_object (ev), "tir"), s.tir, 1e-9);
      g_test_message ("CLI phantom: TSA %.3f TIR %.3f", s.tsa, s.tir);
      op_segment_score_clear (&s);
      test_cli_run_clear (&r);
    }
}

static void
test_eval (void)
{
  TestCliRun r;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;

  test_cli_run (&r, "segment-eval", "--truth", "hand-truth.json", "--pred", "hand-pred.json", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  o = json_node_get_object (root);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "tsa"), (0.75 + 1.0 + 0.0) / 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "tir"), 1.0, 1e-9);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "teeth")), ==, 3);
  test_cli_run_clear (&r);

  test_cli_run (&r, "segment-eval", "--truth", "hand-truth.json", "--pred", "hand-pred.json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "TSA 0.5833"));
  g_assert_nonnull (strstr (r.out, "11  IoU 0.6000"));
  test_cli_run_clear (&r);

  /* Labels of different scans. */
  test_cli_run (&r, "segment-eval", "--truth", "hand-truth.json", "--pred", "short.json", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "not of the same scan"));
  test_cli_run_clear (&r);
}

static void
test_bad_input (void)
{
  TestCliRun r;

  test_cli_run (&r, "segment", "ball.stl", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "not a dental arch"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "segment", "missing.stl", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "missing.stl"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "segment", "ball.stl", "--jaw", "middle", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "middle"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "segment-eval", "--truth", "hand-truth.json", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--pred"));
  test_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-cli-segment-XXXXXX", NULL);
  test_cli_setup (tmpdir, "segment-test.db");
  write_files ();
  g_test_add_func ("/cli/segment/phantom", test_segment);
  g_test_add_func ("/cli/segment/eval", test_eval);
  g_test_add_func ("/cli/segment/bad-input", test_bad_input);
  rc = g_test_run ();
  {
    const char *names[] = { "arch.ply", "truth.json", "pred.json", "ball.stl", "hand-truth.json", "hand-pred.json",
                            "short.json", "segment-test.db", "segment-test.db-wal", "segment-test.db-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = test_cli_tmp_path (names[i]);
        g_unlink (p);
      }
    g_rmdir (tmpdir);
  }
  return rc;
}
