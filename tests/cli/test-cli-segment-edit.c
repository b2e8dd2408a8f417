/* Tests for orthoplan-cli segment CASE (stored versions), segment versions
 * and segment edit, run as a real process on a case whose lower scan is a
 * phantom arch built from the real teeth. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "op-mesh-io.h"
#include "op-phantom.h"
#include "op-store.h"
#include "test-cli-util.h"
#include "test-segment-data.h"

static char *tmpdir;
static OpMesh *truth;      /* the scan with its true labels */

static void
write_scan (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teeth = test_segment_load_teeth (FALSE, &error);
  g_autoptr(OpPhantom) ph = NULL;
  g_autofree char *path = test_cli_tmp_path ("lower.ply");
  OpPhantomOptions o = { .seed = 31, .noise_mm = 0.02f };

  if (teeth == NULL)
    return;
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
  g_assert_no_error (error);
  g_assert_true (op_mesh_save (ph->mesh, path, OP_MESH_FORMAT_PLY, &error));
  g_assert_no_error (error);
  truth = op_mesh_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
centroid (int fdi, char out[64])
{
  double s[3] = { 0 };
  gsize k = 0;

  for (gsize v = 0; v < truth->n_vertices; v++)
    if (truth->labels[v] == fdi)
      {
        for (int i = 0; i < 3; i++)
          s[i] += truth->positions[3 * v + i];
        k++;
      }
  g_ascii_formatd (out, 20, "%.3f", s[0] / k);
  strcat (out, ",");
  g_ascii_formatd (out + strlen (out), 20, "%.3f", s[1] / k);
  strcat (out, ",");
  g_ascii_formatd (out + strlen (out), 20, "%.3f", s[2] / k);
}

/* The versions of the lower scan of case 1, as JSON. */
static JsonNode *
versions (void)
{
  TestCliRun r;
  JsonNode *root;

  test_cli_run (&r, "segment", "versions", "1", "lower", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  test_cli_run_clear (&r);
  return root;
}

static JsonArray *
versions_array (JsonNode *root)
{
  return json_object_get_array_member (json_node_get_object (root), "versions");
}

/* The vertex count and confidence of tooth @fdi in version object @v, or 0. */
static gint64
tooth_vertices (JsonObject *v, int fdi, double *conf)
{
  JsonArray *teeth = json_object_get_array_member (v, "teeth");

  for (guint i = 0; i < json_array_get_length (teeth); i++)
    {
      JsonObject *t = json_array_get_object_element (teeth, i);
      if (json_object_get_int_member (t, "fdi") == fdi)
        {
          if (conf)
            *conf = json_object_get_double_member (t, "confidence");
          return json_object_get_int_member (t, "vertices");
        }
    }
  return 0;
}

static void
test_versions_and_edits (void)
{
  TestCliRun r;
  g_autoptr(JsonNode) v1 = NULL, v2 = NULL, after_split = NULL, fin = NULL;
  JsonObject *auto_v;
  gint64 n31, n41;
  double conf = 0;
  char c31[64], c41[64], c36[64];

  if (truth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA teeth not available");
      return;
    }

  test_cli_run (&r, "case", "new", "--patient", "Label, Lower", "--dob", "1975-06-07", "--lower", "lower.ply", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  /* No version yet. */
  test_cli_run (&r, "segment", "versions", "1", "lower", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "no segmentation yet"));
  test_cli_run_clear (&r);

  /* Segmenting the case stores version 1. */
  test_cli_run (&r, "segment", "1", "--jaw", "lower", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) seg = test_cli_parse_json (r.out);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (seg), "stored_version"), ==, 1);
  }
  test_cli_run_clear (&r);

  v1 = versions ();
  g_assert_cmpuint (json_array_get_length (versions_array (v1)), ==, 1);
  auto_v = json_array_get_object_element (versions_array (v1), 0);
  g_assert_cmpstr (json_object_get_string_member (auto_v, "source"), ==, "automatic");
  g_assert_cmpstr (json_object_get_string_member (auto_v, "jaw"), ==, "lower");
  g_assert_cmpint (json_object_get_int_member (auto_v, "vertices"), ==, (gint64) truth->n_vertices);
  n31 = tooth_vertices (auto_v, 31, &conf);
  n41 = tooth_vertices (auto_v, 41, NULL);
  g_assert_cmpint (n31, >, 100);
  g_assert_cmpint (n41, >, 100);
  g_assert_cmpfloat (conf, >, 0.0);
  g_assert_cmpfloat (conf, <=, 1.0);

  /* A number in use is refused and nothing is stored. */
  test_cli_run (&r, "segment", "edit", "1", "lower", "--reassign", "31:41", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "already exists"));
  test_cli_run_clear (&r);
  /* An upper number on the lower scan. */
  test_cli_run (&r, "segment", "edit", "1", "lower", "--reassign", "31:21", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "lower jaw"));
  test_cli_run_clear (&r);
  /* Two edits at once, or none: usage errors. */
  test_cli_run (&r, "segment", "edit", "1", "lower", "--reassign", "31:81", "--merge", "41,42", NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);
  test_cli_run (&r, "segment", "edit", "1", "lower", NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);
  test_cli_run (&r, "segment", "edit", "1", "bite", "--reassign", "31:81", NULL);
  g_assert_cmpint (r.status, !=, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "segment", "edit", "1", "lower", "--erase", "--at", "1,2", "--radius", "2", NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);
  v2 = versions ();
  g_assert_cmpuint (json_array_get_length (versions_array (v2)), ==, 1);

  /* Merge 31 into 41, then split them again between the crown centres. */
  test_cli_run (&r, "segment", "edit", "1", "lower", "--merge", "41,31", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) out = test_cli_parse_json (r.out);
    JsonObject *o = json_node_get_object (out);
    JsonObject *st = json_object_get_object_member (o, "stored");
    g_assert_cmpint (json_object_get_int_member (o, "changed_vertices"), ==, n31);
    g_assert_cmpint (json_object_get_int_member (st, "version"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (st, "parent_version"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (st, "source"), ==, "corrected");
    g_assert_cmpint (tooth_vertices (st, 41, &conf), ==, n31 + n41);
    g_assert_cmpfloat (conf, ==, 1.0);
    g_assert_cmpint (tooth_vertices (st, 31, NULL), ==, 0);
  }
  test_cli_run_clear (&r);
  centroid (41, c41);
  centroid (31, c31);
  test_cli_run (&r, "segment", "edit", "1", "lower", "--split", "41:31", "--at", c41, "--at", c31, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "v3"));
  test_cli_run_clear (&r);
  after_split = versions ();
  {
    JsonObject *v = json_array_get_object_element (versions_array (after_split), 2);
    gint64 s31 = tooth_vertices (v, 31, NULL), s41 = tooth_vertices (v, 41, NULL);
    g_test_message ("31: %" G_GINT64_FORMAT " vertices automatic, %" G_GINT64_FORMAT " after merge and split; "
                    "41: %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, n31, s31, n41, s41);
    g_assert_cmpint (s31 + s41, ==, n31 + n41);
    g_assert_cmpfloat (fabs ((double) s31 - n31), <, 0.05 * n31);
    g_assert_cmpfloat (fabs ((double) s41 - n41), <, 0.05 * n41);
  }

  /* A 2 mm geodesic dab erased on 36, then undone by restoring v3. */
  centroid (36, c36);
  test_cli_run (&r, "segment", "edit", "1", "lower", "--erase", "--at", c36, "--radius", "2", "--geodesic",
                "--note", "gum tag", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) out = test_cli_parse_json (r.out);
    JsonObject *o = json_node_get_object (out);
    g_assert_cmpint (json_object_get_int_member (o, "changed_vertices"), >, 5);
    g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (o, "stored"), "note"),
                              "gum tag"));
  }
  test_cli_run_clear (&r);
  test_cli_run (&r, "segment", "edit", "1", "lower", "--restore", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  fin = versions ();
  g_assert_cmpuint (json_array_get_length (versions_array (fin)), ==, 5);
  if (json_array_get_length (versions_array (fin)) == 5)
    {
      JsonObject *three = json_array_get_object_element (versions_array (fin), 2);
      JsonObject *four = json_array_get_object_element (versions_array (fin), 3);
      JsonObject *five = json_array_get_object_element (versions_array (fin), 4);
      JsonObject *one = json_array_get_object_element (versions_array (fin), 0);
      g_assert_cmpstr (json_object_get_string_member (five, "labels_sha256"), ==,
                       json_object_get_string_member (three, "labels_sha256"));
      g_assert_cmpstr (json_object_get_string_member (four, "labels_sha256"), !=,
                       json_object_get_string_member (three, "labels_sha256"));
      g_assert_cmpint (json_object_get_int_member (five, "parent_version"), ==, 4);
      /* The automatic version is still there, unchanged. */
      g_assert_cmpstr (json_object_get_string_member (one, "labels_sha256"), ==,
                       json_object_get_string_member (auto_v, "labels_sha256"));
    }

  /* The table lists every version; the audit chain still verifies. */
  test_cli_run (&r, "segment", "versions", "1", "lower", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (test_cli_count_lines (r.out), ==, 7);
  g_assert_nonnull (strstr (r.out, "restore v3"));
  g_assert_nonnull (strstr (r.out, "merge 31 into 41"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "audit", "verify", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-cli-seg-edit-XXXXXX", NULL);
  test_cli_setup (tmpdir, "seg-edit.db");
  write_scan ();
  g_test_add_func ("/cli/segment/versions-and-edits", test_versions_and_edits);
  rc = g_test_run ();
  g_clear_pointer (&truth, op_mesh_free);
  test_cli_rm_rf (tmpdir);
  return rc;
}
