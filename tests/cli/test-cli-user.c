/* test-cli-user.c: orthoplan-cli user, approve, request-changes, verify and
 * audit verify, run as real processes on a database the test builds with a
 * plan from the real teeth. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "op-store.h"
#include "../io/test-user-util.h"
#include "test-cli-util.h"

static char *tmpdir;

static char *
write_secret (const char *name,
              const char *password)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autofree char *line = g_strconcat (password, "\n", NULL);

  g_assert_true (g_file_set_contents (path, line, -1, NULL));
  return path;
}

/* Adds admin, provider and coordinator through the CLI. */
static void
add_staff (const char *db,
           const char *admin_pw,
           const char *lee_pw,
           const char *coord_pw)
{
  TestCliRun r;

  test_cli_run (&r, "--db", db, "user", "add", "admin", "--role", "administrator", "--full-name", "Ada Admin",
           "--new-password-file", admin_pw, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "user", "add", "drlee", "--role", "provider", "--npi", TEST_NPI,
           "--full-name", "Dr. Morgan Lee", "--new-password-file", lee_pw,
           "--user", "admin", "--password-file", admin_pw, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "user", "add", "coord", "--role", "coordinator", "--full-name", "Casey Coordinator",
           "--new-password-file", coord_pw, "--user", "admin", "--password-file", admin_pw, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
}

/* A case in review with plan v1 built from the real teeth; returns its id. */
static gint64
make_case_in_review (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) store = op_store_open (db, &error);
  g_autoptr(GBytes) plan = test_real_plan_bytes (5, 1.0);
  OpPatient p = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  gint64 case_id;

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  case_id = op_store_create_case (store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_SEGMENTED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_PLANNED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL));
  return case_id;
}

static void
test_users (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "users.db", NULL);
  g_autofree char *admin_pw = write_secret ("admin.pw", TEST_ADMIN_PASSWORD);
  g_autofree char *lee_pw = write_secret ("lee.pw", TEST_PROVIDER_PASSWORD);
  g_autofree char *coord_pw = write_secret ("coord.pw", TEST_COORD_PASSWORD);
  g_autofree char *weak_pw = write_secret ("weak.pw", "short");
  g_autoptr(JsonNode) root = NULL;
  TestCliRun r;

  /* First user: an administrator, with no --user. */
  test_cli_run (&r, "--db", db, "user", "add", "coord", "--role", "coordinator", "--new-password-file", coord_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "first user must be an administrator"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "user", "add", "admin", "--role", "administrator", "--new-password-file", weak_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "password: is 5 characters long; it must be at least 12"));
  test_cli_run_clear (&r);

  add_staff (db, admin_pw, lee_pw, coord_pw);

  /* After that, --user is needed, and must be an administrator. */
  test_cli_run (&r, "--db", db, "user", "add", "asst", "--role", "assistant", "--new-password-file", coord_pw, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--user NAME is required"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "user", "add", "asst", "--role", "assistant", "--new-password-file", admin_pw,
           "--user", "coord", "--password-file", coord_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Only an administrator may manage users"));
  test_cli_run_clear (&r);

  /* No terminal and no password file: refused rather than hanging. */
  test_cli_run (&r, "--db", db, "user", "add", "asst", "--role", "assistant", "--new-password-file", admin_pw,
           "--user", "admin", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--password-file PATH is needed: there is no terminal"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "user", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *a = json_node_get_array (root);

      g_assert_cmpuint (json_array_get_length (a), ==, 3);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *u = json_array_get_object_element (a, i);

          g_assert_cmpuint (strlen (json_object_get_string_member (u, "fingerprint")), ==, 16);
          if (g_str_equal (json_object_get_string_member (u, "login"), "drlee"))
            {
              g_assert_cmpstr (json_object_get_string_member (u, "role"), ==, "provider");
              g_assert_cmpstr (json_object_get_string_member (u, "npi"), ==, TEST_NPI);
              g_assert_cmpstr (json_object_get_string_member (u, "name"), ==, "Dr. Morgan Lee");
            }
        }
    }
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "user", "list", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "drlee"));
  g_assert_nonnull (strstr (r.out, TEST_NPI));
  test_cli_run_clear (&r);
}

static void
test_approve_verify (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "approve.db", NULL);
  g_autofree char *admin_pw = write_secret ("admin.pw", TEST_ADMIN_PASSWORD);
  g_autofree char *lee_pw = write_secret ("lee.pw", TEST_PROVIDER_PASSWORD);
  g_autofree char *coord_pw = write_secret ("coord.pw", TEST_COORD_PASSWORD);
  g_autofree char *wrong_pw = write_secret ("wrong.pw", "this is not it at all");
  g_autofree char *case_arg = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 case_id;
  TestCliRun r;

  add_staff (db, admin_pw, lee_pw, coord_pw);
  case_id = make_case_in_review (db);
  case_arg = g_strdup_printf ("%lld", (long long) case_id);

  /* Nothing approved yet: verify fails. */
  test_cli_run (&r, "--db", db, "verify", case_arg, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "has no approval"));
  test_cli_run_clear (&r);

  /* A coordinator is refused by the store; a wrong password too. */
  test_cli_run (&r, "--db", db, "approve", case_arg, "--user", "coord", "--password-file", coord_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "coordinator never approves"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "approve", case_arg, "--user", "drlee", "--password-file", wrong_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "password is wrong"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "approve", case_arg, "--user", "drlee", "--password-file", lee_pw, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);

      g_assert_cmpstr (json_object_get_string_member (o, "meaning"), ==, "approved treatment plan v1 for production");
      g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Dr. Morgan Lee");
      g_assert_cmpstr (json_object_get_string_member (o, "npi"), ==, TEST_NPI);
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "plan_sha256")), ==, 64);
    }
  else
    g_assert_not_reached ();
  test_cli_run_clear (&r);
  g_clear_pointer (&root, json_node_unref);

  test_cli_run (&r, "--db", db, "verify", case_arg, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "valid"));
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "signer"), ==, "drlee");
    }
  test_cli_run_clear (&r);
  g_clear_pointer (&root, json_node_unref);

  /* A plan edited outside the app: verify exits 1 and says what. */
  g_assert_cmpint (test_sql (db, "DROP TRIGGER plans_no_update"), ==, SQLITE_OK);
  g_assert_cmpint (test_sql (db, "UPDATE plans SET plan_json = replace(plan_json, '\"rot\": 1.5000', '\"rot\": 1.4000')"),
                   ==, SQLITE_OK);
  test_cli_run (&r, "--db", db, "verify", case_arg, "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "plan v1 was changed after drlee signed it"));
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "valid"));
      g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (root), "error"),
                                "changed after"));
    }
  test_cli_run_clear (&r);

  /* Every step is in the audit log, and the chain holds. */
  test_cli_run (&r, "--db", db, "audit", "verify", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "intact"));
  test_cli_run_clear (&r);
  {
    sqlite3 *sdb = NULL;
    sqlite3_stmt *stmt = NULL;
    g_autoptr(GString) actions = g_string_new (NULL);

    sqlite3_open (db, &sdb);
    sqlite3_prepare_v2 (sdb, "SELECT actor || ' ' || action FROM audit ORDER BY seq", -1, &stmt, NULL);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (actions, "%s\n", sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    sqlite3_close (sdb);
    g_assert_nonnull (strstr (actions->str, "admin user.sign-in\n"));
    g_assert_nonnull (strstr (actions->str, "case.approve-refused\n"));
    g_assert_nonnull (strstr (actions->str, "user.sign-in-failed\n"));
    g_assert_nonnull (strstr (actions->str, "drlee case.approve\n"));
    g_assert_nonnull (strstr (actions->str, "case.verify\n"));
  }
}

static void
test_request_changes (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "changes.db", NULL);
  g_autofree char *admin_pw = write_secret ("admin.pw", TEST_ADMIN_PASSWORD);
  g_autofree char *lee_pw = write_secret ("lee.pw", TEST_PROVIDER_PASSWORD);
  g_autofree char *coord_pw = write_secret ("coord.pw", TEST_COORD_PASSWORD);
  g_autofree char *case_arg = NULL;
  gint64 case_id;
  TestCliRun r;

  add_staff (db, admin_pw, lee_pw, coord_pw);
  case_id = make_case_in_review (db);
  case_arg = g_strdup_printf ("%lld", (long long) case_id);

  test_cli_run (&r, "--db", db, "request-changes", case_arg, "--user", "drlee", "--password-file", lee_pw, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--note TEXT is required"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "request-changes", case_arg, "--user", "coord", "--password-file", coord_pw,
           "--note", "less torque", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Only a provider may request changes"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "request-changes", case_arg, "--user", "drlee", "--password-file", lee_pw,
           "--note", "Less rotation on 11 and 21.", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  {
    g_autoptr(OpStore) store = op_store_open (db, NULL);
    g_autoptr(OpCaseSummary) c = op_store_get_case (store, case_id, NULL);
    g_auto(GStrv) notes = op_store_list_change_requests (store, case_id, NULL);

    g_assert_cmpint (c->state, ==, OP_CASE_STATE_CHANGES_REQUESTED);
    g_assert_cmpuint (g_strv_length (notes), ==, 1);
    g_assert_true (g_str_has_suffix (notes[0], "drlee: Less rotation on 11 and 21."));
  }

  /* Not in review any more: approving is refused by the state machine. */
  test_cli_run (&r, "--db", db, "approve", case_arg, "--user", "drlee", "--password-file", lee_pw, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "changes-requested"));
  test_cli_run_clear (&r);
}

static void
test_audit_broken (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "audit.db", NULL);
  g_autofree char *admin_pw = write_secret ("admin.pw", TEST_ADMIN_PASSWORD);
  g_autofree char *lee_pw = write_secret ("lee.pw", TEST_PROVIDER_PASSWORD);
  g_autofree char *coord_pw = write_secret ("coord.pw", TEST_COORD_PASSWORD);
  g_autoptr(JsonNode) root = NULL;
  TestCliRun r;

  add_staff (db, admin_pw, lee_pw, coord_pw);

  test_cli_run (&r, "--db", db, "audit", "verify", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "valid"));
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "entries_verified"), >=, 5);
    }
  test_cli_run_clear (&r);
  g_clear_pointer (&root, json_node_unref);

  /* Rewrite entry 3's detail around the append-only trigger. */
  g_assert_cmpint (test_sql (db, "DROP TRIGGER audit_no_update"), ==, SQLITE_OK);
  g_assert_cmpint (test_sql (db, "UPDATE audit SET detail = 'nothing happened' WHERE seq = 3"), ==, SQLITE_OK);

  test_cli_run (&r, "--db", db, "audit", "verify", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "broken at entry 3"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "audit", "verify", "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  root = test_cli_parse_json (r.out);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);

      g_assert_false (json_object_get_boolean_member (o, "valid"));
      g_assert_cmpint (json_object_get_int_member (o, "first_broken"), ==, 3);
      g_assert_cmpint (json_object_get_int_member (o, "entries_verified"), ==, 2);
    }
  test_cli_run_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = g_dir_make_tmp ("orthoplan-cli-user-XXXXXX", NULL);

  test_cli_setup (tmpdir, NULL);

  g_test_add_func ("/cli/user/add-list", test_users);
  g_test_add_func ("/cli/user/approve-verify", test_approve_verify);
  g_test_add_func ("/cli/user/request-changes", test_request_changes);
  g_test_add_func ("/cli/user/audit-broken", test_audit_broken);
  ret = g_test_run ();

  if (ret == 0)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) !system (cmd);
    }
  return ret;
}
