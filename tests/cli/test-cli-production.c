/* Tests for orthoplan-cli export --production, run as a real process on a
 * case made from the real teeth and planned by the real planner: refused
 * before approval (audited, no folder), then the upper arch's first two
 * stages written with their manifest, and the usage errors. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "op-store.h"
#include "test-pms-util.h"
#include "test-cli-util.h"

static char *tmpdir;

static void
test_production (void)
{
  g_autofree char *up = test_cli_real_dir ("maxilla");
  g_autofree char *lo = test_cli_real_dir ("mandible");
  g_autofree char *out = g_build_filename (tmpdir, "lab", NULL);
  g_autofree char *manifest = g_build_filename (out, "manifest.json", NULL);
  g_autofree char *case_id = NULL;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 id;
  TestCliRun r;

  if (up == NULL || lo == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  test_cli_run (&r, "case", "import-teeth", "--patient", "Example, Anna", "--dob", "1990-04-12", "--numbering",
           "universal", "--location", "Bright Smiles", up, lo, NULL);
  g_assert_cmpint (r.status, ==, 0);
  case_id = g_strstrip (g_strdup (r.out));
  id = g_ascii_strtoll (case_id, NULL, 10);
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan", case_id, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  /* A plan nobody approved. */
  test_cli_run (&r, "export", case_id, "--production", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "has no approved plan"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  test_cli_run_clear (&r);

  /* Usage errors. */
  test_cli_run (&r, "export", case_id, "--production", out, "--arch", "middle", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--arch"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "export", case_id, "--production", out, "--stages", "5-2", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--stages"));
  test_cli_run_clear (&r);

  /* A provider approves it. */
  store = op_store_open (g_getenv ("OP_TEST_DB"), &error);
  g_assert_no_error (error);
  if (store == NULL)
    return;
  pms_add_staff (store);
  op_store_set_case_state (store, id, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL);
  a = op_store_approve (store, id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);

  test_cli_run (&r, "export", case_id, "--production", out, "--arch", "upper", "--stages", "0-1", NULL);
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autofree char *f0 = g_strdup_printf ("%s_U_00.stl", case_id);
    g_autofree char *f1 = g_strdup_printf ("%s_U_01.stl", case_id);
    g_autofree char *f2 = g_strdup_printf ("%s_U_02.stl", case_id);
    g_autofree char *fl = g_strdup_printf ("%s_L_00.stl", case_id);
    g_autofree char *p0 = g_build_filename (out, f0, NULL);
    g_autofree char *p2 = g_build_filename (out, f2, NULL);
    g_autofree char *pl = g_build_filename (out, fl, NULL);

    g_assert_nonnull (r.out && strstr (r.out, f0) ? r.out : NULL);
    g_assert_nonnull (r.out && strstr (r.out, f1) ? r.out : NULL);
    g_assert_nonnull (strstr (r.out, "manifest.json"));
    g_assert_true (g_file_test (p0, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (p2, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (pl, G_FILE_TEST_EXISTS));
  }
  g_assert_true (json_parser_load_from_file (parser, manifest, &error));
  g_assert_no_error (error);
  {
    JsonArray *files = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "files");
    guint n = json_array_get_length (files);
    guint n_models = 0, n_trim = 0;
    /* Two stages with their trim lines, plus the attachment template
     * when the plan bonds any on the upper arch. */
    g_assert_cmpuint (n, >=, 4);
    g_assert_cmpuint (n, <=, 5);
    for (guint i = 0; i < n; i++)
      {
        JsonObject *e = json_array_get_object_element (files, i);
        if (g_strcmp0 (json_object_get_string_member (e, "kind"), "trim-line") == 0)
          {
            n_trim++;
            g_assert_cmpint (json_object_get_int_member (e, "points"), >, 10);
          }
        else
          {
            n_models++;
            g_assert_cmpint (json_object_get_int_member (e, "triangles"), >, 10000);
          }
      }
    g_assert_cmpuint (n_trim, ==, 2);
    g_assert_cmpuint (n_models, >=, 2);
  }
  test_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-cli-production-XXXXXX", NULL);
  db = g_build_filename (tmpdir, "test.db", NULL);
  g_setenv ("OP_TEST_DB", db, TRUE);
  test_cli_setup (tmpdir, db);
  g_test_add_func ("/cli/production/export", test_production);
  status = g_test_run ();
  if (g_getenv ("OP_TEST_KEEP"))
    g_printerr ("kept %s\n", tmpdir);
  else
    test_cli_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
