/* test-cli-pms.c: orthoplan-cli pms and outbox, run as real processes on a
 * database with a case approved over the real teeth, posting through the
 * file bridge. */
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "../io/test-pms-util.h"
#include "test-cli-util.h"

static char *tmpdir;

static void
test_pms_cli (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "cli-pms.db", NULL);
  g_autofree char *keys = g_strconcat (db, ".pms-keys", NULL);
  g_autofree char *folder = g_build_filename (tmpdir, "bridge", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  OpPatient p = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  GStatBuf st;
  gint64 case_id;
  TestCliRun r;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  {
    g_autoptr(OpStore) store = op_store_open (db, &error);

    g_assert_no_error (error);
    pms_add_staff (store);
    case_id = pms_approved_case (store, &p, "Main office");
  }

  /* Bad settings: one line naming the option, nothing saved. */
  test_cli_run (&r, "--db", db, "pms", "set", "Main office", "--connector", "dentrix", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "--connector: “dentrix” is not one of opendental, fhir, file"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "Main office", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "has no PMS connection"));
  test_cli_run_clear (&r);

  /* Open Dental keys: stored 0600 beside the database, never printed. */
  test_cli_run (&r, "--db", db, "pms", "set", "North office", "--connector", "opendental", "--url",
           "http://127.0.0.1:30222/api/v1", "--developer-key", "DEV-sekrit-1", "--customer-key", "CUST-sekrit-2",
           "--clinic", "4", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "sekrit"));
  test_cli_run_clear (&r);
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  test_cli_run (&r, "--db", db, "pms", "show", "North office", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "opendental"));
  g_assert_nonnull (strstr (r.out, "set"));
  g_assert_null (strstr (r.out, "sekrit"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "North office", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "sekrit"));
  root = test_cli_parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);

      g_assert_true (json_object_get_boolean_member (o, "developer_key_set"));
      g_assert_true (json_object_get_boolean_member (o, "customer_key_set"));
      g_assert_cmpint (json_object_get_int_member (o, "clinic"), ==, 4);
    }
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);

  /* Open Dental treatment plans: a switch of its own, shown. */
  test_cli_run (&r, "--db", db, "pms", "set", "North office", "--treatment-plan", "maybe", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--treatment-plan: say yes or no"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "set", "North office", "--treatment-plan", "yes", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "North office", NULL);
  g_assert_nonnull (strstr (r.out, "one per approval"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "North office", "--json", NULL);
  root = test_cli_parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  if (JSON_NODE_HOLDS_OBJECT (root))
    g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "treatment_plan"));
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);

  /* A FHIR bearer token: checked, kept in the key file, never printed. */
  test_cli_run (&r, "--db", db, "pms", "set", "FHIR office", "--connector", "fhir", "--url",
                "http://127.0.0.1:8103/fhir/R4", "--bearer-token", "has space", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "--bearer-token:"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "FHIR office", NULL);
  g_assert_cmpint (r.status, ==, 1);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "set", "FHIR office", "--connector", "fhir", "--url",
                "http://127.0.0.1:8103/fhir/R4", "--bearer-token", "tok-sekrit.3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "sekrit"));
  test_cli_run_clear (&r);
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (keys, &text, NULL, NULL));
    g_assert_nonnull (text ? strstr (text, "bearer-token=tok-sekrit.3") : NULL);
  }
  test_cli_run (&r, "--db", db, "pms", "show", "FHIR office", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "bearer token"));
  g_assert_null (strstr (r.out, "sekrit"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "FHIR office", "--json", NULL);
  g_assert_null (strstr (r.out, "sekrit"));
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "bearer_token_set"));
  else
    g_test_fail_printf ("pms show --json printed “%s”", r.out);
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "set", "FHIR office", "--bearer-token", "", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "show", "FHIR office", "--json", NULL);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "bearer_token_set"));
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);

  /* Fees. */
  test_cli_run (&r, "--db", db, "pms", "fee", "Main office", "D8040", "lots", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "FEE: “lots”"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "fee", "Main office", "8040", "100", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "not a CDT code"));
  test_cli_run_clear (&r);

  /* The file bridge, end to end. */
  test_cli_run (&r, "--db", db, "pms", "set", "Main office", "--connector", "file", "--folder", folder, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", "run", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", "list", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "needs-attention"));
  g_assert_nonnull (strstr (r.out, "no fee for D8040"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "fee", "Main office", "D8040", "1,850.00", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", "retry", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", "run", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "posted"), ==, 1);
  else
    g_test_fail_printf ("outbox run --json printed “%s”", r.out);
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "outbox", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) == 1)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (root), 0);
      JsonObject *payload = json_object_get_object_member (e, "payload");

      g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "posted");
      g_assert_cmpint (json_object_get_int_member (e, "case"), ==, case_id);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                         json_object_get_array_member (payload, "procedures"), 0), "code"), ==, "D8040");
    }
  else
    g_test_fail_printf ("outbox list --json printed “%s”", r.out);
  g_clear_pointer (&root, json_node_unref);
  test_cli_run_clear (&r);

  /* Posted is final; unknown entries and cases are reported. */
  test_cli_run (&r, "--db", db, "outbox", "retry", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "it is never sent again"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", "retry", "x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "pms", "link", "999", "12", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "There is no case 999"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "outbox", NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-test-cli-pms-XXXXXX", NULL);
  test_cli_setup (tmpdir, NULL);
  g_test_add_func ("/cli/pms/file-bridge", test_pms_cli);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
