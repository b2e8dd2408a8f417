/* test-io-pms.c: posting approved plans to practice management systems,
 * exactly once, against real servers on loopback (tests/pms: a FHIR R4
 * server from Medplum's router and an Open Dental API test server, both
 * with fault injection), and through the file bridge. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "op-outbox.h"
#include "op-store.h"
#include "test-pms-util.h"

static char *tmpdir;

static OpStore *
new_store (const char *name,
           char      **out_path)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  OpStore *store = op_store_open (path, &error);

  g_assert_no_error (error);
  pms_add_staff (store);
  if (out_path != NULL)
    *out_path = g_steal_pointer (&path);
  return store;
}

static OpOutboxRunOptions
quick_options (void)
{
  OpOutboxRunOptions o = { 0 };

  o.n_threads = 2;
  o.backoff.base_s = 0.01;
  o.backoff.factor = 2;
  o.backoff.max_s = 0.1;
  o.backoff.max_attempts = 4;
  o.seed = 7;
  o.timeout_s = 2;
  return o;
}

static void
set_settings (OpStore    *store,
              const char *location,
              const char *connector,
              const char *url,
              const char *folder,
              const char *dev,
              const char *cust,
              gint64      clinic)
{
  g_autoptr(GError) error = NULL;
  OpPmsSettingsInput in = { connector, url, folder, dev, cust, clinic, -1, -1 };

  g_assert_true (op_outbox_set_settings (store, location, &in, &error));
  g_assert_no_error (error);
}

static JsonObject *
payload_of (JsonParser          *parser,
            const OpOutboxEntry *e)
{
  g_assert_true (json_parser_load_from_data (parser, e->payload, -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
reason_has (const OpOutboxEntry *e,
            const char          *text)
{
  if (e->reason == NULL || strstr (e->reason, text) == NULL)
    {
      g_test_message ("reason “%s” does not say “%s”", e->reason ? e->reason : "(none)", text);
      return FALSE;
    }
  return TRUE;
}

/* ---- the approval writes its outbox row ------------------------------ */

static void
test_approve_queues (void)
{
  g_autofree char *db = NULL;
  g_autoptr(OpStore) store = new_store ("approve.db", &db);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) approvals = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;
  OpPatient p = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  OpPatient q = { 0, "Nguyen", "Ann", "1990-01-01", NULL };
  OpPatient still = { 0, "Stone", "Still", "1975-06-06", NULL };
  JsonObject *pl;
  JsonArray *procs, *sites;
  gint64 case_id, case2;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  case_id = pms_approved_case (store, &p, "Main office");
  e = pms_entry_of_case (store, case_id);
  g_assert_nonnull (e);
  if (e == NULL)
    return;
  g_assert_cmpint (e->state, ==, OP_OUTBOX_PENDING);
  g_assert_false (e->in_flight);
  g_assert_cmpuint (e->attempts, ==, 0);
  g_assert_cmpuint (strlen (e->idempotency_key), ==, 34);
  g_assert_true (g_str_has_prefix (e->idempotency_key, "op"));

  /* The real upper teeth with their third molar: adult; only the central
   * incisors move: limited, D8040, on teeth 11 and 21. */
  pl = payload_of (parser, e);
  g_assert_cmpstr (json_object_get_string_member (pl, "dentition"), ==, "adult");
  g_assert_cmpstr (json_object_get_string_member (pl, "scope"), ==, "limited");
  procs = json_object_get_array_member (pl, "procedures");
  g_assert_cmpuint (json_array_get_length (procs), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (procs, 0), "code"), ==, "D8040");
  sites = json_object_get_array_member (json_array_get_object_element (procs, 0), "sites");
  g_assert_cmpuint (json_array_get_length (sites), ==, 2);
  g_assert_cmpint (json_array_get_int_element (sites, 0), ==, 11);
  g_assert_cmpint (json_array_get_int_element (sites, 1), ==, 21);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (pl, "signer"), "npi"), ==, TEST_NPI);
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);

  /* One transaction: when the outbox row cannot be written, the approval
   * is not recorded either and the case stays in review. */
  case2 = pms_case_in_review (store, &q, "Main office");
  g_assert_cmpint (test_sql (db, "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN "
                                 "SELECT RAISE (ABORT, 'outbox refused by the test'); END"), ==, SQLITE_OK);
  g_assert_null (op_store_approve (store, case2, "drlee", TEST_PROVIDER_PASSWORD, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (error ? strstr (error->message, "outbox refused by the test") : NULL);
  g_clear_error (&error);
  approvals = op_store_list_approvals (store, case2, &error);
  g_assert_cmpuint (approvals->len, ==, 0);
  summary = op_store_get_case (store, case2, &error);
  g_assert_cmpint (summary->state, ==, OP_CASE_STATE_IN_REVIEW);
  g_assert_cmpint (test_sql (db, "DROP TRIGGER refuse"), ==, SQLITE_OK);
  {
    g_autoptr(OpApproval) a = op_store_approve (store, case2, "drlee", TEST_PROVIDER_PASSWORD, &error);
    g_autoptr(OpOutboxEntry) e2 = NULL;

    g_assert_no_error (error);
    e2 = pms_entry_of_case (store, case2);
    g_assert_nonnull (e2);
    g_assert_cmpint (e2 ? e2->approval_id : 0, ==, a ? a->id : -1);
    g_assert_cmpstr (e2 ? e2->idempotency_key : "", !=, e->idempotency_key);
  }

  /* A plan in which no tooth moves has no code to post: the row is there
   * and says so, instead of posting nothing silently. */
  {
    g_autoptr(GBytes) flat = test_real_plan_bytes (2, 0.0);
    g_autoptr(OpApproval) a = NULL;
    g_autoptr(OpOutboxEntry) e3 = NULL;
    gint64 c3 = op_store_create_case (store, &still, "Main office", NULL, 0, &error);

    g_assert_cmpint (op_store_add_plan (store, c3, 0, "{}", flat, &error), ==, 1);
    op_store_set_case_state (store, c3, OP_ROLE_PROVIDER, OP_CASE_STATE_SEGMENTED, NULL);
    op_store_set_case_state (store, c3, OP_ROLE_PROVIDER, OP_CASE_STATE_PLANNED, NULL);
    op_store_set_case_state (store, c3, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL);
    a = op_store_approve (store, c3, "drlee", TEST_PROVIDER_PASSWORD, &error);
    g_assert_no_error (error);
    e3 = pms_entry_of_case (store, c3);
    g_assert_nonnull (e3);
    if (e3 != NULL)
      {
        g_assert_cmpint (e3->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
        g_assert_true (reason_has (e3, "No tooth moves"));
      }
  }

  /* Outbox rows are kept: the database refuses to delete one. */
  g_assert_cmpint (test_sql (db, "DELETE FROM outbox"), !=, SQLITE_OK);
}

/* ---- settings and keys ---------------------------------------------- */

static void
test_settings (void)
{
  g_autofree char *db = NULL;
  g_autoptr(OpStore) store = new_store ("settings.db", &db);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpPmsConfig) config = NULL;
  g_autofree char *keys = op_outbox_key_file_path (store);
  g_autofree char *contents = NULL;
  GStatBuf st;
  gint64 cents = 0;

  {
    OpPmsSettingsInput bad = { "dentrix", NULL, NULL, NULL, NULL, -1, -1, -1 };
    OpPmsSettingsInput url = { "opendental", "ftp://x", NULL, NULL, NULL, -1, -1, -1 };
    OpPmsSettingsInput rel = { "file", NULL, "relative/dir", NULL, NULL, -1, -1, -1 };
    OpPmsSettingsInput key = { "opendental", "http://127.0.0.1:30222/api/v1", NULL, "a b", NULL, -1, -1, -1 };
    OpPmsSettingsInput none = { NULL, "http://127.0.0.1:1", NULL, NULL, NULL, -1, -1, -1 };

    g_assert_false (op_outbox_set_settings (store, "Main office", &bad, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "--connector"));
    g_clear_error (&error);
    g_assert_false (op_outbox_set_settings (store, "Main office", &url, &error));
    g_assert_nonnull (error ? strstr (error->message, "--url") : NULL);
    g_clear_error (&error);
    g_assert_false (op_outbox_set_settings (store, "Main office", &rel, &error));
    g_assert_nonnull (error ? strstr (error->message, "--folder") : NULL);
    g_clear_error (&error);
    g_assert_false (op_outbox_set_settings (store, "Main office", &key, &error));
    g_assert_nonnull (error ? strstr (error->message, "--developer-key") : NULL);
    g_clear_error (&error);
    g_assert_false (op_outbox_set_settings (store, "Main office", &none, &error));
    g_assert_nonnull (error ? strstr (error->message, "--connector") : NULL);
    g_clear_error (&error);
  }
  /* Nothing half-saved after the refusals. */
  g_assert_null (op_outbox_get_config (store, "Main office", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  set_settings (store, "Main office", "opendental", "http://127.0.0.1:30222/api/v1", NULL, "dev-SECRET-1",
                "cust-SECRET-2", 3);
  config = op_outbox_get_config (store, "Main office", &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->kind, ==, OP_PMS_CONNECTOR_OPENDENTAL);
  g_assert_cmpstr (config->developer_key, ==, "dev-SECRET-1");
  g_assert_cmpstr (config->customer_key, ==, "cust-SECRET-2");
  g_assert_cmpint (config->clinic_num, ==, 3);
  g_assert_cmpuint (config->timeout_s, ==, 30);

  /* The keys are in their own file, readable by the owner only, and not in
   * the database. */
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (db, &contents, NULL, NULL));
  g_assert_null (g_strstr_len (contents, -1, "dev-SECRET-1"));

  /* A partial update keeps the rest. */
  {
    OpPmsSettingsInput in = { NULL, NULL, NULL, NULL, "cust-NEW", 0, 1, 5 };
    g_autoptr(OpPmsConfig) c2 = NULL;

    g_assert_true (op_outbox_set_settings (store, "Main office", &in, &error));
    c2 = op_outbox_get_config (store, "Main office", &error);
    g_assert_cmpstr (c2->developer_key, ==, "dev-SECRET-1");
    g_assert_cmpstr (c2->customer_key, ==, "cust-NEW");
    g_assert_cmpint (c2->clinic_num, ==, 0);
    g_assert_true (c2->retention);
    g_assert_cmpuint (c2->timeout_s, ==, 5);
  }

  /* Fees. */
  g_assert_true (op_outbox_parse_fee ("1,850.5", &cents));
  g_assert_cmpint (cents, ==, 185050);
  g_assert_true (op_outbox_parse_fee ("$5200", &cents));
  g_assert_cmpint (cents, ==, 520000);
  g_assert_false (op_outbox_parse_fee ("-3", &cents));
  g_assert_false (op_outbox_parse_fee ("12.345", &cents));
  g_assert_false (op_outbox_parse_fee ("abc", &cents));
  g_assert_false (op_outbox_set_fee (store, "Main office", "8090", 100, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8090", 520000, &error));
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8090", 510000, &error));
  g_assert_cmpint (op_outbox_get_fee (store, "Main office", "D8090", NULL), ==, 510000);
  g_assert_cmpint (op_outbox_get_fee (store, "Main office", "D8040", NULL), ==, -1);
  g_assert_true (op_store_verify_audit (store, &error));
}

/* ---- file bridge ------------------------------------------------------ */

static gboolean
kill_after_send (gint64   outbox_id,
                 gpointer user_data)
{
  int *left = user_data;

  return --(*left) > 0;
}

static void
test_file_bridge (void)
{
  g_autofree char *folder = g_build_filename (tmpdir, "bridge", NULL);
  g_autoptr(OpStore) store = new_store ("file.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;
  OpPatient p = { 0, "García-López", "José", "2001-07-15", "881" };
  OpPatient q = { 0, "Okafor", "Chidi", "1999-09-09", NULL };
  OpOutboxRunOptions o = quick_options ();
  OpOutboxRunStats stats;
  g_autofree char *base = NULL;
  g_autofree char *json = NULL, *csv = NULL, *pdf = NULL;
  gsize pdf_len = 0;
  gint64 case_id;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  set_settings (store, "Main office", "file", NULL, folder, NULL, NULL, -1);

  /* No fee for the code: needs attention, nothing written. */
  case_id = pms_approved_case (store, &p, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_no_error (error);
  e = pms_entry_of_case (store, case_id);
  g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
  g_assert_true (reason_has (e, "no fee for D8040"));
  g_assert_true (reason_has (e, "pms fee"));
  {
    g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
    g_assert_null (g_dir_read_name (dir));
  }

  /* Fee set, retried: posted, three files, the case posted. */
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8040", 185000, &error));
  g_assert_true (op_outbox_retry (store, e->id, &error));
  g_assert_no_error (error);
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_cmpuint (stats.posted, ==, 1);
  g_assert_cmpuint (stats.sends, ==, 1);
  g_clear_pointer (&e, op_outbox_entry_free);
  e = pms_entry_of_case (store, case_id);
  g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
  g_assert_nonnull (e->posted_at);
  summary = op_store_get_case (store, case_id, &error);
  g_assert_cmpint (summary->state, ==, OP_CASE_STATE_POSTED);

  base = g_strdup_printf ("%s/orthoplan-case%" G_GINT64_FORMAT "-v1-%s", folder, case_id, e->idempotency_key);
  {
    g_autofree char *jp = g_strconcat (base, ".json", NULL);
    g_autofree char *cp = g_strconcat (base, ".csv", NULL);
    g_autofree char *pp = g_strconcat (base, ".pdf", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root, *proc;

    g_assert_true (g_file_get_contents (jp, &json, NULL, NULL));
    g_assert_true (g_file_get_contents (cp, &csv, NULL, NULL));
    g_assert_true (g_file_get_contents (pp, &pdf, &pdf_len, NULL));
    g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "TP");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "patient"), "family_name"), ==,
                     "García-López");
    proc = json_array_get_object_element (json_object_get_array_member (root, "procedures"), 0);
    g_assert_cmpstr (json_object_get_string_member (proc, "code"), ==, "D8040");
    g_assert_cmpstr (json_object_get_string_member (proc, "fee"), ==, "1850.00");
    /* FDI 11 and 21 are Universal 8 and 9. */
    g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (proc, "teeth_universal"), 0), ==, 8);
    g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (proc, "teeth_universal"), 1), ==, 9);
    g_assert_true (g_str_has_prefix (csv, "PatientLastName,"));
    g_assert_nonnull (strstr (csv, "García-López,José,2001-07-15,881,"));
    g_assert_nonnull (strstr (csv, ",D8040,"));
    g_assert_nonnull (strstr (csv, ",TP,1850.00,11 21,8 9,"));
    g_assert_cmpuint (pdf_len, >, 1000);
    g_assert_true (pdf_len > 4 && memcmp (pdf, "%PDF", 4) == 0);
    /* No temporary file is left behind. */
    {
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;
      guint n = 0;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          n++;
          g_assert_false (g_str_has_suffix (name, ".part"));
        }
      g_assert_cmpuint (n, ==, 3);
    }
  }

  /* Posted is final. */
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_cmpuint (stats.rows, ==, 0);
  g_assert_false (op_outbox_retry (store, e->id, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Killed between writing the files and committing: the next run reads
   * back, finds the files and posts nothing again. */
  {
    g_autoptr(OpOutboxEntry) e2 = NULL;
    int left = 1;
    gint64 c2 = pms_approved_case (store, &q, "Main office");

    o.after_send = kill_after_send;
    o.user_data = &left;
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_true (stats.aborted);
    g_assert_cmpuint (stats.sends, ==, 1);
    e2 = pms_entry_of_case (store, c2);
    g_assert_cmpint (e2->state, ==, OP_OUTBOX_PENDING);
    g_assert_true (e2->in_flight);
    g_clear_pointer (&e2, op_outbox_entry_free);

    o.after_send = NULL;
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.posted, ==, 1);
    g_assert_cmpuint (stats.sends, ==, 0);
    g_assert_cmpuint (stats.found_by_read_back, ==, 1);
    e2 = pms_entry_of_case (store, c2);
    g_assert_cmpint (e2->state, ==, OP_OUTBOX_POSTED);
  }

  /* A location with no PMS: needs attention, with the command to fix it. */
  {
    OpPatient r = { 0, "Adeyemi", "Tolu", "1988-08-08", NULL };
    g_autoptr(OpOutboxEntry) e3 = NULL;
    gint64 c3 = pms_approved_case (store, &r, "Annex");

    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    e3 = pms_entry_of_case (store, c3);
    g_assert_cmpint (e3->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e3, "has no PMS connection"));
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
}

/* ---- Open Dental ------------------------------------------------------ */

static const char *od_seed =
  "{\"patients\": ["
  " {\"PatNum\": 12, \"LName\": \"Rivera\", \"FName\": \"Sam\", \"Birthdate\": \"1985-03-02\", \"ChartNumber\": \"C-77\"},"
  " {\"PatNum\": 40, \"LName\": \"Nguyen\", \"FName\": \"Ann\", \"Birthdate\": \"1990-01-01\", \"ChartNumber\": \"\"},"
  " {\"PatNum\": 50, \"LName\": \"Park\", \"FName\": \"Min\", \"Birthdate\": \"1970-05-05\", \"ChartNumber\": \"\"},"
  " {\"PatNum\": 51, \"LName\": \"Park\", \"FName\": \"Min\", \"Birthdate\": \"1970-05-05\", \"ChartNumber\": \"\"},"
  " {\"PatNum\": 60, \"LName\": \"Lindqvist\", \"FName\": \"Eva\", \"Birthdate\": \"1980-12-12\", \"ChartNumber\": \"\"}],"
  " \"providers\": [{\"ProvNum\": 7, \"Abbr\": \"DOC1\", \"NationalProvID\": \"" TEST_NPI "\"}]}";

/* The server's procedure logs for @patnum (all when 0). */
static guint
od_logs (PmsServer   *s,
         gint64       patnum,
         JsonObject **out_last)
{
  g_autoptr(JsonNode) root = pms_admin (s, "GET", "/__admin/procedurelogs", NULL);
  JsonArray *a;
  guint n = 0;

  g_assert_nonnull (root);
  if (root == NULL)
    return 0;
  a = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);

      if (patnum == 0 || json_object_get_int_member (o, "PatNum") == patnum)
        {
          n++;
          if (out_last != NULL)
            {
              if (*out_last != NULL)
                json_object_unref (*out_last);
              *out_last = json_object_ref (o);
            }
        }
    }
  return n;
}

static guint
free_port (void)
{
  g_autoptr(GSocketListener) l = g_socket_listener_new ();
  guint16 port = g_socket_listener_add_any_inet_port (l, NULL, NULL);

  g_socket_listener_close (l);
  return port;
}

static void
test_opendental (void)
{
  const char *args[] = { "--developer-key", OD_DEV, "--customer-key", OD_CUST, NULL };
  PmsServer s;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) seeded = NULL;
  g_autofree char *url = NULL;
  OpOutboxRunOptions o = quick_options ();
  OpOutboxRunStats stats;
  OpPatient rivera = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  OpPatient nguyen = { 0, "Nguyen", "Ann", "1990-01-01", NULL };
  OpPatient okafor = { 0, "Okafor", "Chidi", "2000-02-02", NULL };
  OpPatient park = { 0, "Park", "Min", "1970-05-05", NULL };
  OpPatient eva = { 0, "Lindqvist", "Eva", "1980-12-12", NULL };
  JsonObject *log = NULL;
  gint64 c1, c2, c3, c4, c5;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  if (!pms_server_start (&s, "opendental-server.mjs", args))
    return;
  seeded = pms_admin (&s, "POST", "/__admin/seed", od_seed);
  g_assert_nonnull (seeded);
  store = new_store ("od.db", NULL);
  url = g_strdup_printf ("%s/api/v1", s.base);

  /* A wrong key: needs attention with the server's reason, nothing posted. */
  set_settings (store, "Main office", "opendental", url, NULL, OD_DEV, "wrong-key", 3);
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8040", 185000, &error));
  c1 = pms_approved_case (store, &rivera, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c1);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "refused the keys"));
    g_assert_true (reason_has (e, "Invalid DeveloperKey or CustomerKey"));
    /* The key itself is never in a message. */
    g_assert_null (strstr (e->reason, "wrong-key"));
    g_assert_cmpuint (od_logs (&s, 0, NULL), ==, 0);

    /* Fixed and retried: posted once, with every field Open Dental needs. */
    set_settings (store, "Main office", NULL, NULL, NULL, NULL, OD_CUST, -1);
    g_assert_true (op_outbox_retry (store, e->id, &error));
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.posted, ==, 1);
  }
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c1);
    g_autofree char *marker = g_strdup_printf ("[orthoplan:%s:0]", e->idempotency_key);
    g_autofree char *procnum = NULL;

    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_cmpstr (e->remote_patient, ==, "12");
    g_assert_cmpuint (od_logs (&s, 12, &log), ==, 1);
    if (log != NULL)
      {
        procnum = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (log, "ProcNum"));
        g_assert_cmpstr (json_object_get_string_member (log, "ProcStatus"), ==, "TP");
        g_assert_cmpstr (json_object_get_string_member (log, "procCode"), ==, "D8040");
        g_assert_cmpfloat (json_object_get_double_member (log, "ProcFee"), ==, 1850.0);
        g_assert_cmpint (json_object_get_int_member (log, "ProvNum"), ==, 7);
        g_assert_cmpint (json_object_get_int_member (log, "ClinicNum"), ==, 3);
        g_assert_nonnull (strstr (json_object_get_string_member (log, "Note"), marker));
        g_assert_nonnull (strstr (json_object_get_string_member (log, "Note"), "teeth (Universal) 8 9"));
        g_assert_cmpstr (e->remote_ids[0], ==, procnum);
      }
  }

  /* An unknown code: needs attention, nothing posted; once the PMS knows
   * the code, a retry posts it once. */
  pms_admin (&s, "POST", "/__admin/seed", "{\"codes\": [\"D8090\"]}");
  c2 = pms_approved_case (store, &nguyen, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c2);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "does not know the procedure code D8040"));
    g_assert_cmpuint (od_logs (&s, 40, NULL), ==, 0);
    pms_admin (&s, "POST", "/__admin/seed", "{\"codes\": [\"D8040\", \"D8090\", \"D8680\"]}");
    g_assert_true (op_outbox_retry (store, e->id, &error));
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.posted, ==, 1);
    g_assert_cmpuint (od_logs (&s, 40, NULL), ==, 1);
  }

  /* A patient not found. */
  c3 = pms_approved_case (store, &okafor, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c3);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "Patient not found"));
    g_assert_true (reason_has (e, "Okafor, Chidi"));
  }

  /* Two candidates: never chosen automatically; a person's link posts it. */
  c4 = pms_approved_case (store, &park, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c4);
    g_autoptr(OpOutboxEntry) after = NULL;

    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "50 (Park, Min"));
    g_assert_true (reason_has (e, "51 (Park, Min"));
    g_assert_true (reason_has (e, "pms link"));
    g_assert_cmpuint (od_logs (&s, 50, NULL) + od_logs (&s, 51, NULL), ==, 0);
    g_assert_true (op_outbox_link_patient (store, c4, "51", &error));
    g_assert_no_error (error);
    after = pms_entry_of_case (store, c4);
    g_assert_cmpint (after->state, ==, OP_OUTBOX_PENDING);
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (od_logs (&s, 51, NULL), ==, 1);
    g_assert_cmpuint (od_logs (&s, 50, NULL), ==, 0);
  }

  /* Killed between sending and committing, then restarted: exactly one. */
  c5 = pms_approved_case (store, &eva, "Main office");
  {
    g_autoptr(OpOutboxEntry) e = NULL;
    int left = 1;

    o.after_send = kill_after_send;
    o.user_data = &left;
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_true (stats.aborted);
    g_assert_cmpuint (od_logs (&s, 60, NULL), ==, 1);
    o.after_send = NULL;
    g_clear_object (&store);
    store = op_store_open (g_build_filename (tmpdir, "od.db", NULL), &error);
    g_assert_no_error (error);
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.sends, ==, 0);
    g_assert_cmpuint (stats.found_by_read_back, ==, 1);
    e = pms_entry_of_case (store, c5);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_cmpuint (od_logs (&s, 60, NULL), ==, 1);
  }

  /* An unreachable server: needs attention after the allowed sends, the
   * row kept. */
  {
    g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u/api/v1", free_port ());
    OpPatient z = { 0, "Zed", "Zoe", "1966-06-06", NULL };
    g_autoptr(OpOutboxEntry) e = NULL;
    gint64 c6;

    set_settings (store, "Closed office", "opendental", dead, NULL, OD_DEV, OD_CUST, -1);
    g_assert_true (op_outbox_set_fee (store, "Closed office", "D8040", 185000, &error));
    g_assert_true (op_outbox_set_provider (store, "Closed office", TEST_NPI, "7", &error));
    g_assert_true (op_store_verify_audit (store, &error));
    c6 = pms_approved_case (store, &z, "Closed office");
    g_assert_true (op_outbox_link_patient (store, c6, "99", &error));
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    e = pms_entry_of_case (store, c6);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "cannot be reached"));
    g_assert_false (e->in_flight);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
  if (log != NULL)
    json_object_unref (log);
  pms_server_stop (&s);
}

/* ---- FHIR ------------------------------------------------------------- */

static void
test_fhir (void)
{
  PmsServer s;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  OpOutboxRunOptions o = quick_options ();
  OpOutboxRunStats stats;
  OpPatient rivera = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  OpPatient muller = { 0, "Müller", "Zoë", "1992-04-04", NULL };
  int left = 1;
  gint64 c1, c2;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  o.timeout_s = 5;
  if (!pms_server_start (&s, "fhir-server.mjs", NULL))
    return;
  fhir_seed_patient (&s, "Rivera", "Sam", "1985-03-02", "C-77");
  fhir_seed_patient (&s, "Muller", "Zoe", "1992-04-04", "M-1");
  {
    g_autoptr(JsonNode) r = pms_admin (&s, "POST", "/fhir/R4/Practitioner",
                                       "{\"resourceType\": \"Practitioner\", \"name\": [{\"family\": \"Lee\"}], \"identifier\": "
                                       "[{\"system\": \"http://hl7.org/fhir/sid/us-npi\", \"value\": \"" TEST_NPI "\"}]}");
    g_assert_nonnull (r);
  }
  store = new_store ("fhir.db", NULL);
  url = g_strdup_printf ("%s/fhir/R4", s.base);
  set_settings (store, "North office", "fhir", url, NULL, NULL, NULL, -1);

  c1 = pms_approved_case (store, &rivera, "North office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.posted, ==, 1);
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c1);
    g_autofree char *q = NULL;
    g_autoptr(JsonNode) found = NULL;
    JsonObject *sr;

    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_true (g_str_has_prefix (e->remote_ids[0], "CarePlan/"));
    g_assert_nonnull (strstr (e->remote_ids[0], " ServiceRequest/"));
    q = g_strdup_printf ("/fhir/R4/ServiceRequest?identifier=urn%%3Aorthoplan%%3Apost%%7C%s-0", e->idempotency_key);
    found = pms_admin (&s, "GET", q, NULL);
    g_assert_nonnull (found);
    sr = json_object_get_object_member (json_array_get_object_element (
           json_object_get_array_member (json_node_get_object (found), "entry"), 0), "resource");
    g_assert_cmpstr (json_object_get_string_member (sr, "intent"), ==, "plan");
    g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_object_get_array_member (
                         json_object_get_object_member (sr, "code"), "coding"), 0), "system"), ==, "http://www.ada.org/cdt");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (sr, "bodySite")), ==, 2);
  }
  g_assert_cmpint (fhir_count (&s, "ServiceRequest"), ==, 1);
  g_assert_cmpint (fhir_count (&s, "CarePlan"), ==, 1);

  /* Accents in one system only still match; killed after sending, the
   * restart finds the CarePlan and creates nothing more. */
  c2 = pms_approved_case (store, &muller, "North office");
  o.after_send = kill_after_send;
  o.user_data = &left;
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_true (stats.aborted);
  g_assert_cmpint (fhir_count (&s, "CarePlan"), ==, 2);
  o.after_send = NULL;
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_cmpuint (stats.sends, ==, 0);
  g_assert_cmpuint (stats.posted, ==, 1);
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c2);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
  }
  g_assert_cmpint (fhir_count (&s, "ServiceRequest"), ==, 2);
  g_assert_cmpint (fhir_count (&s, "CarePlan"), ==, 2);
  pms_server_stop (&s);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-test-pms-XXXXXX", NULL);

  g_test_add_func ("/io/pms/approve-queues-outbox", test_approve_queues);
  g_test_add_func ("/io/pms/settings", test_settings);
  g_test_add_func ("/io/pms/file-bridge", test_file_bridge);
  g_test_add_func ("/io/pms/opendental", test_opendental);
  g_test_add_func ("/io/pms/fhir", test_fhir);
  rc = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
