/* test-io-pms-faults.c: 200 approvals posted to the loopback Open Dental and
 * FHIR servers (tests/pms) while 30% of the requests fail in every way the
 * servers can fail (500s before and after storing, timeouts, connection
 * resets, slow answers) and the worker is killed twice between sending
 * and committing: each server must end with exactly one set of procedures
 * per approval. */
#include <stdlib.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "op-outbox.h"
#include "op-store.h"
#include "test-pms-util.h"

static char *tmpdir;

/* ---- 200 approvals, 30% of requests faulted ---------------------------- */

#define N_APPROVALS n_approvals
static guint n_approvals = 200;

/* Approvals written straight into the database, as a second program
 * would: each op_store_approve costs two Argon2id derivations (about a
 * quarter second), which 400 approvals cannot afford in a test.  The outbox
 * rows are then added by op_outbox_enqueue, which runs the same code as
 * the hook inside op_store_approve (tested with real approvals above). */
static void
insert_approvals (const char *db_path,
                  GArray     *case_ids,
                  GArray     *out_approvals)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO approvals (case_id, plan_version, user_id, signer_login, signer_name, "
                                       "signer_npi, meaning, signed_at, plan_sha256, public_key, signature) VALUES "
                                       "(?, 1, (SELECT id FROM users WHERE login = 'drlee'), 'drlee', 'Dr. Morgan Lee', ?, "
                                       "'approved treatment plan v1 for production', '2026-11-23T10:00:00Z', "
                                       "(SELECT sha256 FROM plans WHERE case_id = ?1 AND version = 1), zeroblob(32), ?)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < case_ids->len; i++)
    {
      gint64 case_id = g_array_index (case_ids, gint64, i);
      guint8 sig[64];
      gint64 id;

      for (guint k = 0; k < sizeof sig; k++)
        sig[k] = (guint8) g_random_int ();
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_text (stmt, 2, TEST_NPI, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 3, sig, sizeof sig, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      id = sqlite3_last_insert_rowid (db);
      g_array_append_val (out_approvals, id);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE cases SET status = 'approved'; COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

typedef struct {
  gint  sends;
  gint  kill_at[2];
} KillPlan;

static gboolean
kill_at_sends (gint64   outbox_id,
               gpointer user_data)
{
  KillPlan *k = user_data;
  int n = g_atomic_int_add (&k->sends, 1) + 1;

  return n != k->kill_at[0] && n != k->kill_at[1];
}

static void
test_exactly_once_200 (void)
{
  const char *od_args[] = { "--developer-key", OD_DEV, "--customer-key", OD_CUST, NULL };
  const char *faults = "{\"rate\": 0.3, \"seed\": 2026, \"slowMs\": 300}";
  PmsServer od, fhir;
  g_autofree char *db = g_build_filename (tmpdir, "many.db", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) od_cases = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) fhir_cases = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) approvals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GBytes) plan = test_real_plan_bytes (5, 1.0);
  g_autoptr(GString) od_seed_json = g_string_new ("{\"patients\": [");
  g_autoptr(GHashTable) markers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) list = NULL;
  OpOutboxRunOptions o = { 0 };
  OpOutboxRunStats stats;
  KillPlan kill = { 0, { 40, 160 } };
  guint runs = 0, total_sends = 0, total_read_backs = 0, total_found = 0, aborts = 0;
  gint64 t0;

  if (plan == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  if (!pms_server_start (&od, "opendental-server.mjs", od_args))
    return;
  if (!pms_server_start (&fhir, "fhir-server.mjs", NULL))
    {
      pms_server_stop (&od);
      return;
    }

  store = op_store_open (db, &error);
  g_assert_no_error (error);
  pms_add_staff (store);

  /* One patient per approval on each server, each with its own birth
   * date, so the strict match finds exactly one. */
  for (guint i = 0; i < N_APPROVALS; i++)
    {
      g_autoptr(GDate) d = g_date_new_dmy (1, G_DATE_JANUARY, 1950);
      char dob[16];
      g_autofree char *family = g_strdup_printf ("Patient%03u", i);
      OpPatient p = { 0, family, "Test", dob, NULL };
      gint64 case_id;
      gboolean to_od = i % 2 == 0;   /* interleaved, so both servers work at once */

      g_date_add_days (d, i * 37);
      g_date_strftime (dob, sizeof dob, "%Y-%m-%d", d);
      case_id = op_store_create_case (store, &p, to_od ? "OD office" : "FHIR office", NULL, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (op_store_add_plan (store, case_id, 0, "{}", plan, &error), ==, 1);
      if (to_od)
        {
          g_array_append_val (od_cases, case_id);
          g_string_append_printf (od_seed_json, "%s{\"PatNum\": %u, \"LName\": \"%s\", \"FName\": \"Test\", "
                                  "\"Birthdate\": \"%s\", \"ChartNumber\": \"\"}", i ? "," : "", 1000 + i, family, dob);
        }
      else
        {
          g_array_append_val (fhir_cases, case_id);
          fhir_seed_patient (&fhir, family, "Test", dob, "none");
        }
    }
  g_string_append (od_seed_json, "], \"providers\": [{\"ProvNum\": 7, \"NationalProvID\": \"" TEST_NPI "\"}]}");
  g_assert_nonnull (pms_admin (&od, "POST", "/__admin/seed", od_seed_json->str));
  g_assert_nonnull (pms_admin (&fhir, "POST", "/fhir/R4/Practitioner",
                               "{\"resourceType\": \"Practitioner\", \"identifier\": [{\"system\": "
                               "\"http://hl7.org/fhir/sid/us-npi\", \"value\": \"" TEST_NPI "\"}]}"));

  {
    g_autofree char *od_url = g_strdup_printf ("%s/api/v1", od.base);
    g_autofree char *fhir_url = g_strdup_printf ("%s/fhir/R4", fhir.base);
    OpPmsSettingsInput od_in = { "opendental", od_url, NULL, OD_DEV, OD_CUST, 2, 1, -1 };

    /* Retention on at the Open Dental location: two procedures per
     * approval, so a post can stop half way. */
    g_assert_true (op_outbox_set_settings (store, "OD office", &od_in, &error));
    g_assert_true (op_outbox_set_fee (store, "OD office", "D8040", 185000, &error));
    g_assert_true (op_outbox_set_fee (store, "OD office", "D8680", 45000, &error));
    OpPmsSettingsInput fhir_in = { "fhir", fhir_url, NULL, NULL, NULL, -1, -1, -1 };

    g_assert_true (op_outbox_set_settings (store, "FHIR office", &fhir_in, &error));
  }

  {
    g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < od_cases->len || i < fhir_cases->len; i++)
      {
        if (i < od_cases->len)
          g_array_append_val (all, g_array_index (od_cases, gint64, i));
        if (i < fhir_cases->len)
          g_array_append_val (all, g_array_index (fhir_cases, gint64, i));
      }
    insert_approvals (db, all, approvals);
    for (guint i = 0; i < approvals->len; i++)
      {
        g_assert_cmpint (op_outbox_enqueue (store, g_array_index (approvals, gint64, i), &error), >, 0);
        g_assert_no_error (error);
      }
  }

  g_assert_nonnull (pms_admin (&od, "POST", "/__admin/faults", faults));
  g_assert_nonnull (pms_admin (&fhir, "POST", "/__admin/faults", faults));

  /* Run, killing the worker twice between a send and its commit; each
   * restart is a new connection to the database, as after a crash. */
  o.n_threads = 12;
  o.timeout_s = 3;
  o.seed = 42;
  o.backoff.base_s = 0.05;
  o.backoff.factor = 2;
  o.backoff.max_s = 0.4;
  o.backoff.max_attempts = 40;
  o.after_send = kill_at_sends;
  o.user_data = &kill;
  t0 = g_get_monotonic_time ();
  for (runs = 0; runs < 10; runs++)
    {
      g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
      g_assert_no_error (error);
      total_sends += stats.sends;
      total_read_backs += stats.read_backs;
      total_found += stats.found_by_read_back;
      aborts += stats.aborted;
      g_test_message ("run %u: %.1f s, %u rows, %u posted, %u need attention, %u sends, %u read-backs", runs,
                      (g_get_monotonic_time () - t0) / 1e6, stats.rows, stats.posted, stats.needs_attention,
                      stats.sends, stats.read_backs);
      if (!stats.aborted && stats.still_pending == 0)
        break;
      g_clear_object (&store);
      store = op_store_open (db, &error);
      g_assert_no_error (error);
    }
  g_test_message ("%u approvals posted in %.1f s over %u runs: %u sends, %u read-backs finding %u procedures, %u kills",
                  approvals->len, (g_get_monotonic_time () - t0) / 1e6, runs + 1, total_sends, total_read_backs,
                  total_found, aborts);
  g_assert_cmpuint (aborts, ==, 2);
  g_assert_cmpuint (total_found, >, 0);

  /* Every row posted. */
  list = op_outbox_list (store, 0, &error);
  g_assert_cmpuint (list->len, ==, N_APPROVALS);
  for (guint i = 0; i < list->len; i++)
    {
      OpOutboxEntry *e = list->pdata[i];

      if (e->state != OP_OUTBOX_POSTED)
        g_test_message ("outbox %" G_GINT64_FORMAT ": %s: %s", e->id, op_outbox_state_to_string (e->state),
                        e->reason ? e->reason : "");
      g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    }

  /* Open Dental: exactly two procedures (D8040 and D8680) per approval,
   * each marker once, on the right patient. */
  {
    g_autoptr(JsonNode) root = pms_admin (&od, "GET", "/__admin/procedurelogs", NULL);
    JsonArray *a = json_node_get_array (root);
    guint dup = 0;

    g_assert_cmpuint (json_array_get_length (a), ==, 2 * (N_APPROVALS / 2));
    for (guint i = 0; i < json_array_get_length (a); i++)
      {
        const char *note = json_object_get_string_member (json_array_get_object_element (a, i), "Note");
        const char *m = strstr (note, "[orthoplan:");

        g_assert_nonnull (m);
        if (m != NULL && !g_hash_table_add (markers, g_strdup (m)))
          dup++;
      }
    g_assert_cmpuint (dup, ==, 0);
    for (guint i = 0; i < list->len; i++)
      {
        OpOutboxEntry *e = list->pdata[i];

        if (g_strcmp0 (e->location, "OD office") == 0)
          {
            g_autofree char *m0 = g_strdup_printf ("[orthoplan:%s:0]", e->idempotency_key);
            g_autofree char *m1 = g_strdup_printf ("[orthoplan:%s:1]", e->idempotency_key);

            g_assert_true (g_hash_table_contains (markers, m0));
            g_assert_true (g_hash_table_contains (markers, m1));
          }
      }
  }

  /* FHIR: one ServiceRequest and one CarePlan per approval. */
  g_assert_cmpint (fhir_count (&fhir, "ServiceRequest"), ==, N_APPROVALS - N_APPROVALS / 2);
  g_assert_cmpint (fhir_count (&fhir, "CarePlan"), ==, N_APPROVALS - N_APPROVALS / 2);

  /* The faults were real: both servers injected them. */
  {
    g_autoptr(JsonNode) a = pms_admin (&od, "GET", "/__admin/stats", NULL);
    g_autoptr(JsonNode) b = pms_admin (&fhir, "GET", "/__admin/stats", NULL);
    JsonObject *fa = json_object_get_object_member (json_node_get_object (a), "faults");
    JsonObject *fb = json_object_get_object_member (json_node_get_object (b), "faults");

    g_test_message ("Open Dental: %" G_GINT64_FORMAT " requests; FHIR: %" G_GINT64_FORMAT " requests",
                    json_object_get_int_member (json_node_get_object (a), "requests"),
                    json_object_get_int_member (json_node_get_object (b), "requests"));
    g_assert_cmpint (json_object_get_int_member (fa, "error-after"), >, 0);
    g_assert_cmpint (json_object_get_int_member (fa, "timeout-after"), >, 0);
    g_assert_cmpint (json_object_get_int_member (fa, "reset-after"), >, 0);
    g_assert_cmpint (json_object_get_int_member (fb, "error-after"), >, 0);
    g_assert_cmpint (json_object_get_int_member (fb, "timeout-after"), >, 0);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
  pms_server_stop (&od);
  pms_server_stop (&fhir);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  /* OP_TEST_PMS_N shrinks the test while debugging it. */
  if (g_getenv ("OP_TEST_PMS_N") != NULL)
    n_approvals = (guint) MAX (10, atoi (g_getenv ("OP_TEST_PMS_N")));
  tmpdir = g_dir_make_tmp ("op-test-pms-faults-XXXXXX", NULL);
  g_test_add_func ("/io/pms/exactly-once-200", test_exactly_once_200);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
