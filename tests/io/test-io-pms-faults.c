/* test-io-pms-faults.c: 200 real, signed approvals posted to the loopback
 * Open Dental server and 200 to the loopback FHIR server (tests/pms) while
 * 30% of the requests fail in every way the servers can fail (500s before
 * and after storing, timeouts, connection resets, slow answers) and the
 * worker is killed twice between sending and committing: each server must
 * end with exactly one set of procedures per approval.
 *
 * The approvals go through op_store_approve, the call the app and
 * `orthoplan-cli approve` make: the provider's password is checked, the
 * sealed key opened, the plan signed, and the outbox row written in the
 * approval's own transaction.  That costs two Argon2id derivations per
 * approval (about 0.1 s each on an idle core), so the approvals run on two
 * threads of their own, each with its own connection to the database (as
 * two people approving on two machines), while the worker posts on the
 * main thread: the waits of the faulted requests overlap the signing
 * instead of adding to it, which is also how a practice works (providers
 * approve while earlier approvals are being posted).  op_store_approve
 * derives the key before it takes the database's write lock, so the
 * approvals do not hold up the worker's commits. */
#include <stdlib.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "op-outbox.h"
#include "op-store.h"
#include "test-pms-util.h"

static char *tmpdir;

/* Approvals per server. */
static guint n_per_server = 200;

#define OD_LOCATION   "OD office"
#define FHIR_LOCATION "FHIR office"

/* An approving thread. */
typedef struct {
  const char *db;
  GArray     *cases;       /* interleaved: Open Dental, FHIR, Open Dental, ... */
  guint       first;       /* this thread approves cases first, first + step, ... */
  guint       step;
  gint        done;        /* atomic */
  guint       approved;
  double      seconds;
  char       *first_error;
} Approver;

static gpointer
approve_all (gpointer data)
{
  Approver *a = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) store = op_store_open (a->db, &error);
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = a->first; store != NULL && i < a->cases->len; i += a->step)
    {
      g_autoptr(OpApproval) approval = op_store_approve (store, g_array_index (a->cases, gint64, i), "drlee",
                                                         TEST_PROVIDER_PASSWORD, &error);

      if (approval == NULL)
        break;
      a->approved++;
    }
  if (error != NULL)
    a->first_error = g_strdup (error->message);
  a->seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_atomic_int_set (&a->done, 1);
  return NULL;
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

static gint64
in_review_case (OpStore    *store,
                GBytes     *plan,
                const char *family,
                const char *dob,
                const char *location)
{
  g_autoptr(GError) error = NULL;
  OpPatient p = { 0, (char *) family, (char *) "Test", (char *) dob, NULL };
  gint64 case_id = op_store_create_case (store, &p, location, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_SEGMENTED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_PLANNED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL));
  return case_id;
}

/* Open Dental: per approval exactly two procedures (D8040, D8680) on the
 * row's patient, one treatment plan and one attach of each procedure to
 * it; each marker once, and the ids the row recorded are those records. */
static void
check_opendental (PmsServer *od,
                  GPtrArray *rows)
{
  g_autoptr(JsonNode) procs_root = pms_admin (od, "GET", "/__admin/procedurelogs", NULL);
  g_autoptr(JsonNode) plans_root = pms_admin (od, "GET", "/__admin/treatplans", NULL);
  g_autoptr(GHashTable) by_marker = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) plan_by_marker = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) attach_pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *procs, *plans, *attaches;
  guint dup = 0, dup_plans = 0, dup_attaches = 0, n_rows = 0, checked = 0;

  g_assert_nonnull (procs_root);
  g_assert_nonnull (plans_root);
  if (procs_root == NULL || plans_root == NULL)
    return;
  procs = json_node_get_array (procs_root);
  plans = json_object_get_array_member (json_node_get_object (plans_root), "treatplans");
  attaches = json_object_get_array_member (json_node_get_object (plans_root), "treatplanattaches");

  for (guint i = 0; i < json_array_get_length (procs); i++)
    {
      JsonObject *o = json_array_get_object_element (procs, i);
      const char *m = strstr (json_object_get_string_member (o, "Note"), "[orthoplan:");

      g_assert_nonnull (m);
      if (m != NULL && !g_hash_table_insert (by_marker, g_strdup (m), o))
        dup++;
    }
  for (guint i = 0; i < json_array_get_length (plans); i++)
    {
      JsonObject *o = json_array_get_object_element (plans, i);
      const char *m = strstr (json_object_get_string_member (o, "Note"), "[orthoplan:");

      g_assert_nonnull (m);
      g_assert_cmpstr (json_object_get_string_member (o, "TPStatus"), ==, "Inactive");
      if (m != NULL && !g_hash_table_insert (plan_by_marker, g_strdup (m), o))
        dup_plans++;
    }
  for (guint i = 0; i < json_array_get_length (attaches); i++)
    {
      JsonObject *o = json_array_get_object_element (attaches, i);
      char *pair = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                    json_object_get_int_member (o, "TreatPlanNum"), json_object_get_int_member (o, "ProcNum"));

      if (!g_hash_table_insert (attach_pairs, pair, o))
        dup_attaches++;
    }
  g_assert_cmpuint (dup, ==, 0);
  g_assert_cmpuint (dup_plans, ==, 0);
  g_assert_cmpuint (dup_attaches, ==, 0);

  for (guint i = 0; i < rows->len; i++)
    {
      OpOutboxEntry *e = rows->pdata[i];
      g_autofree char *m0 = NULL, *m1 = NULL, *mp = NULL, *pair0 = NULL, *pair1 = NULL;
      JsonObject *p0, *p1, *plan, *a0, *a1;

      if (g_strcmp0 (e->location, OD_LOCATION) != 0)
        continue;
      n_rows++;
      m0 = g_strdup_printf ("[orthoplan:%s:0]", e->idempotency_key);
      m1 = g_strdup_printf ("[orthoplan:%s:1]", e->idempotency_key);
      mp = g_strdup_printf ("[orthoplan:%s:plan]", e->idempotency_key);
      p0 = g_hash_table_lookup (by_marker, m0);
      p1 = g_hash_table_lookup (by_marker, m1);
      plan = g_hash_table_lookup (plan_by_marker, mp);
      g_assert_nonnull (p0);
      g_assert_nonnull (p1);
      g_assert_nonnull (plan);
      g_assert_cmpuint (g_strv_length (e->remote_ids), ==, 5);
      if (p0 == NULL || p1 == NULL || plan == NULL || g_strv_length (e->remote_ids) != 5)
        continue;
      g_assert_cmpstr (json_object_get_string_member (p0, "procCode"), ==, "D8040");
      g_assert_cmpstr (json_object_get_string_member (p1, "procCode"), ==, "D8680");
      g_assert_cmpint (json_object_get_int_member (p0, "PatNum"), ==, g_ascii_strtoll (e->remote_patient, NULL, 10));
      g_assert_cmpint (json_object_get_int_member (p1, "PatNum"), ==, g_ascii_strtoll (e->remote_patient, NULL, 10));
      g_assert_cmpint (json_object_get_int_member (plan, "PatNum"), ==, g_ascii_strtoll (e->remote_patient, NULL, 10));
      g_assert_cmpint (json_object_get_int_member (p0, "ProcNum"), ==, g_ascii_strtoll (e->remote_ids[0], NULL, 10));
      g_assert_cmpint (json_object_get_int_member (p1, "ProcNum"), ==, g_ascii_strtoll (e->remote_ids[1], NULL, 10));
      g_assert_cmpint (json_object_get_int_member (plan, "TreatPlanNum"), ==, g_ascii_strtoll (e->remote_ids[2], NULL, 10));
      pair0 = g_strdup_printf ("%s/%s", e->remote_ids[2], e->remote_ids[0]);
      pair1 = g_strdup_printf ("%s/%s", e->remote_ids[2], e->remote_ids[1]);
      a0 = g_hash_table_lookup (attach_pairs, pair0);
      a1 = g_hash_table_lookup (attach_pairs, pair1);
      g_assert_nonnull (a0);
      g_assert_nonnull (a1);
      if (a0 != NULL && a1 != NULL)
        {
          g_assert_cmpint (json_object_get_int_member (a0, "TreatPlanAttachNum"), ==, g_ascii_strtoll (e->remote_ids[3], NULL, 10));
          g_assert_cmpint (json_object_get_int_member (a1, "TreatPlanAttachNum"), ==, g_ascii_strtoll (e->remote_ids[4], NULL, 10));
          checked++;
        }
    }
  g_assert_cmpuint (n_rows, ==, n_per_server);
  g_assert_cmpuint (checked, ==, n_per_server);
  /* Nothing besides the approvals' records: no stray copies. */
  g_assert_cmpuint (json_array_get_length (procs), ==, 2 * n_per_server);
  g_assert_cmpuint (json_array_get_length (plans), ==, n_per_server);
  g_assert_cmpuint (json_array_get_length (attaches), ==, 2 * n_per_server);
}

/* FHIR: per approval one ServiceRequest and one CarePlan, each identifier
 * once, the CarePlan's the row's key. */
static void
check_fhir (PmsServer *fhir,
            GPtrArray *rows)
{
  g_autoptr(JsonNode) plans = pms_admin (fhir, "GET", "/__admin/identifiers?type=CarePlan", NULL);
  g_autoptr(JsonNode) requests = pms_admin (fhir, "GET", "/__admin/identifiers?type=ServiceRequest", NULL);
  g_autoptr(GHashTable) plan_keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) request_keys = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *a, *b;
  guint dup = 0, n_rows = 0;

  g_assert_nonnull (plans);
  g_assert_nonnull (requests);
  if (plans == NULL || requests == NULL)
    return;
  a = json_object_get_array_member (json_node_get_object (plans), "values");
  b = json_object_get_array_member (json_node_get_object (requests), "values");
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (!g_hash_table_add (plan_keys, (gpointer) json_array_get_string_element (a, i)))
      dup++;
  for (guint i = 0; i < json_array_get_length (b); i++)
    if (!g_hash_table_add (request_keys, (gpointer) json_array_get_string_element (b, i)))
      dup++;
  g_assert_cmpuint (dup, ==, 0);
  for (guint i = 0; i < rows->len; i++)
    {
      OpOutboxEntry *e = rows->pdata[i];
      g_autofree char *sr = NULL;

      if (g_strcmp0 (e->location, FHIR_LOCATION) != 0)
        continue;
      n_rows++;
      sr = g_strdup_printf ("%s-0", e->idempotency_key);
      g_assert_true (g_hash_table_contains (plan_keys, e->idempotency_key));
      g_assert_true (g_hash_table_contains (request_keys, sr));
    }
  g_assert_cmpuint (n_rows, ==, n_per_server);
  g_assert_cmpuint (json_array_get_length (a), ==, n_per_server);
  g_assert_cmpuint (json_array_get_length (b), ==, n_per_server);
  g_assert_cmpint (fhir_count (fhir, "CarePlan"), ==, n_per_server);
  g_assert_cmpint (fhir_count (fhir, "ServiceRequest"), ==, n_per_server);

  /* The server's identifier index (fhir-server.mjs) answers as Medplum's
   * own full scan does: a spread sample of its identifiers, and one it does
   * not hold. */
  {
    g_autoptr(JsonNode) v = pms_admin (fhir, "GET", "/__admin/verify-index?sample=6", NULL);
    JsonObject *o = v ? json_node_get_object (v) : NULL;

    g_assert_nonnull (o);
    if (o != NULL)
      {
        g_assert_cmpint (json_object_get_int_member (o, "checked"), ==, 7);
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "differ")), ==, 0);
      }
  }
}

static void
test_exactly_once (void)
{
  const char *od_args[] = { "--developer-key", OD_DEV, "--customer-key", OD_CUST, NULL };
  const char *fhir_args[] = { "--bearer-token", FHIR_TOKEN, NULL };
  const char *faults = "{\"rate\": 0.3, \"seed\": 2026, \"slowMs\": 300}";
  PmsServer od, fhir;
  g_autofree char *db = g_build_filename (tmpdir, "many.db", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plan = test_real_plan_bytes (5, 1.0);
  g_autoptr(GString) od_seed_json = g_string_new ("{\"patients\": [");
  g_autoptr(GPtrArray) list = NULL;
  GThread *threads[2];
  Approver approvers[2] = { { 0 } };
  g_autoptr(GArray) cases = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint approved = 0;
  double approve_s = 0;
  OpOutboxRunOptions o = { 0 };
  OpOutboxRunStats stats;
  /* Kills at sends 60 and 400 of the about 800 that 200 approvals per
   * server take; scaled down with OP_TEST_PMS_N. */
  KillPlan kill = { 0, { (gint) (3 * n_per_server / 10), (gint) (2 * n_per_server) } };
  guint runs = 0, total_sends = 0, total_read_backs = 0, total_found = 0, aborts = 0;
  gint64 t0;

  if (plan == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  if (!pms_server_start (&od, "opendental-server.mjs", od_args))
    return;
  if (!pms_server_start (&fhir, "fhir-server.mjs", fhir_args))
    {
      pms_server_stop (&od);
      return;
    }

  store = op_store_open (db, &error);
  g_assert_no_error (error);
  pms_add_staff (store);

  {
    g_autofree char *od_url = g_strdup_printf ("%s/api/v1", od.base);
    g_autofree char *fhir_url = g_strdup_printf ("%s/fhir/R4", fhir.base);
    /* Retention and treatment plans on at the Open Dental location: five
     * records per approval (two procedures, a plan, two attaches), so a
     * post can stop at any of four places. */
    OpPmsSettingsInput od_in = { "opendental", od_url, NULL, OD_DEV, OD_CUST, 2, 1, -1, NULL, OP_PMS_SWITCH_ON };
    OpPmsSettingsInput fhir_in = { "fhir", fhir_url, NULL, NULL, NULL, -1, -1, -1, FHIR_TOKEN, OP_PMS_SWITCH_KEEP };

    g_assert_true (op_outbox_set_settings (store, OD_LOCATION, &od_in, &error));
    g_assert_no_error (error);
    g_assert_true (op_outbox_set_fee (store, OD_LOCATION, "D8040", 185000, &error));
    g_assert_true (op_outbox_set_fee (store, OD_LOCATION, "D8680", 45000, &error));
    g_assert_true (op_outbox_set_settings (store, FHIR_LOCATION, &fhir_in, &error));
    g_assert_no_error (error);
  }

  /* One patient per approval on each server, each with its own birth
   * date, so the strict match finds exactly one; the cases interleaved so
   * that both servers are posted to at once. */
  for (guint i = 0; i < 2 * n_per_server; i++)
    {
      g_autoptr(GDate) d = g_date_new_dmy (1, G_DATE_JANUARY, 1940);
      char dob[16];
      g_autofree char *family = g_strdup_printf ("Patient%03u", i);
      gboolean to_od = i % 2 == 0;
      gint64 case_id;

      g_date_add_days (d, i * 37);
      g_date_strftime (dob, sizeof dob, "%Y-%m-%d", d);
      case_id = in_review_case (store, plan, family, dob, to_od ? OD_LOCATION : FHIR_LOCATION);
      g_array_append_val (cases, case_id);
      if (to_od)
        g_string_append_printf (od_seed_json, "%s{\"PatNum\": %u, \"LName\": \"%s\", \"FName\": \"Test\", "
                                "\"Birthdate\": \"%s\", \"ChartNumber\": \"\"}", i ? "," : "", 1000 + i, family, dob);
      else
        fhir_seed_patient (&fhir, family, "Test", dob, "none");
    }
  g_string_append (od_seed_json, "], \"providers\": [{\"ProvNum\": 7, \"NationalProvID\": \"" TEST_NPI "\"}]}");
  g_assert_nonnull (pms_admin (&od, "POST", "/__admin/seed", od_seed_json->str));
  g_assert_nonnull (pms_admin (&fhir, "POST", "/fhir/R4/Practitioner",
                               "{\"resourceType\": \"Practitioner\", \"identifier\": [{\"system\": "
                               "\"http://hl7.org/fhir/sid/us-npi\", \"value\": \"" TEST_NPI "\"}]}"));
  g_assert_nonnull (pms_admin (&od, "POST", "/__admin/faults", faults));
  g_assert_nonnull (pms_admin (&fhir, "POST", "/__admin/faults", faults));

  /* Approve on one thread, post on this one, killing the worker twice
   * between a send and its commit; each restart is a new connection to
   * the database, as after a crash. */
  t0 = g_get_monotonic_time ();
  for (guint k = 0; k < G_N_ELEMENTS (approvers); k++)
    {
      approvers[k].db = db;
      approvers[k].cases = cases;
      approvers[k].first = k;
      approvers[k].step = G_N_ELEMENTS (approvers);
      threads[k] = g_thread_new ("approve", approve_all, &approvers[k]);
    }
  o.n_threads = 12;
  o.timeout_s = 3;
  o.seed = 42;
  o.backoff.base_s = 0.05;
  o.backoff.factor = 2;
  o.backoff.max_s = 0.4;
  o.backoff.max_attempts = 40;
  o.after_send = kill_at_sends;
  o.user_data = &kill;
  for (runs = 0; runs < 2000; runs++)
    {
      gboolean approvals_done = g_atomic_int_get (&approvers[0].done) && g_atomic_int_get (&approvers[1].done);

      g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
      g_assert_no_error (error);
      if (error != NULL)
        break;
      total_sends += stats.sends;
      total_read_backs += stats.read_backs;
      total_found += stats.found_by_read_back;
      aborts += stats.aborted;
      if (stats.rows > 0)
        g_test_message ("run %u: %.1f s, %u approved, %u rows, %u posted, %u need attention, %u sends, %u read-backs%s",
                        runs, (g_get_monotonic_time () - t0) / 1e6, approvals_done ? 2 * n_per_server : 0,
                        stats.rows, stats.posted, stats.needs_attention, stats.sends, stats.read_backs,
                        stats.aborted ? ", killed" : "");
      if (stats.aborted)
        {
          g_clear_object (&store);
          store = op_store_open (db, &error);
          g_assert_no_error (error);
          continue;
        }
      /* The rows of every approval were committed before this run read
       * the pending ones: nothing pending after it means all are settled. */
      if (approvals_done && stats.still_pending == 0)
        break;
      if (stats.rows == 0)
        g_usleep (100 * 1000);
    }
  for (guint k = 0; k < G_N_ELEMENTS (approvers); k++)
    {
      g_thread_join (threads[k]);
      approved += approvers[k].approved;
      approve_s = MAX (approve_s, approvers[k].seconds);
      g_assert_null (approvers[k].first_error);
      g_free (approvers[k].first_error);
    }
  g_test_message ("%u approvals signed in %.1f s on 2 threads (%.0f ms each, per thread) while posting; all posted "
                  "after %.1f s over %u runs: %u sends, %u read-backs finding %u records, %u kills",
                  approved, approve_s, 2000 * approve_s / MAX (approved, 1),
                  (g_get_monotonic_time () - t0) / 1e6, runs + 1, total_sends, total_read_backs, total_found, aborts);
  g_assert_cmpuint (approved, ==, 2 * n_per_server);
  g_assert_cmpuint (aborts, ==, 2);
  g_assert_cmpuint (total_found, >, 0);

  /* Every approval has its row, written by the approval itself, and every
   * row posted. */
  list = op_outbox_list (store, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  if (list == NULL)
    goto out;
  g_assert_cmpuint (list->len, ==, 2 * n_per_server);
  for (guint i = 0; i < list->len; i++)
    {
      OpOutboxEntry *e = list->pdata[i];

      if (e->state != OP_OUTBOX_POSTED)
        g_test_message ("outbox %" G_GINT64_FORMAT ": %s: %s", e->id, op_outbox_state_to_string (e->state),
                        e->reason ? e->reason : "");
      g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
      g_assert_cmpint (e->approval_id, >, 0);
    }
  for (guint i = 0; i < cases->len; i += MAX (1u, cases->len / 8))
    {
      /* A sample of the signatures, checked against the stored plans. */
      g_autoptr(OpApproval) a = NULL;

      g_assert_true (op_store_verify_approval (store, g_array_index (cases, gint64, i), &a, &error));
      g_assert_no_error (error);
      g_assert_nonnull (a);
      g_clear_error (&error);
    }

  check_opendental (&od, list);
  check_fhir (&fhir, list);

  /* The faults were real: both servers injected them. */
  {
    g_autoptr(JsonNode) a = pms_admin (&od, "GET", "/__admin/stats", NULL);
    g_autoptr(JsonNode) b = pms_admin (&fhir, "GET", "/__admin/stats", NULL);
    JsonObject *fa, *fb;
    gint64 ra, rb, fa_total = 0, fb_total = 0;

    g_assert_nonnull (a);
    g_assert_nonnull (b);
    if (a == NULL || b == NULL)
      goto out;
    fa = json_object_get_object_member (json_node_get_object (a), "faults");
    fb = json_object_get_object_member (json_node_get_object (b), "faults");
    ra = json_object_get_int_member (json_node_get_object (a), "requests");
    rb = json_object_get_int_member (json_node_get_object (b), "requests");

    for (guint k = 0; k < 2; k++)
      {
        JsonObject *f = k == 0 ? fa : fb;
        g_autoptr(GList) kinds = json_object_get_members (f);

        for (GList *l = kinds; l != NULL; l = l->next)
          *(k == 0 ? &fa_total : &fb_total) += json_object_get_int_member (f, l->data);
      }
    g_test_message ("Open Dental: %" G_GINT64_FORMAT " requests, %" G_GINT64_FORMAT " faulted; FHIR: %" G_GINT64_FORMAT
                    " requests, %" G_GINT64_FORMAT " faulted", ra, fa_total, rb, fb_total);
    /* About 30% of the requests, each kind of fault at least once. */
    g_assert_cmpfloat ((double) fa_total / ra, >, 0.25);
    g_assert_cmpfloat ((double) fa_total / ra, <, 0.35);
    g_assert_cmpfloat ((double) fb_total / rb, >, 0.25);
    g_assert_cmpfloat ((double) fb_total / rb, <, 0.35);
    for (guint k = 0; k < 2; k++)
      {
        JsonObject *f = k == 0 ? fa : fb;

        g_assert_cmpint (json_object_get_int_member (f, "error-after"), >, 0);
        g_assert_cmpint (json_object_get_int_member (f, "timeout-after"), >, 0);
        g_assert_cmpint (json_object_get_int_member (f, "reset-after"), >, 0);
        g_assert_cmpint (json_object_get_int_member (f, "slow"), >, 0);
      }
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);

out:
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
    n_per_server = (guint) MAX (10, atoi (g_getenv ("OP_TEST_PMS_N")));
  tmpdir = g_dir_make_tmp ("op-test-pms-faults-XXXXXX", NULL);
  g_test_add_func ("/io/pms/exactly-once-200-each", test_exactly_once);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
