/* test-io-pms-options.c: the per-location posting options against the
 * loopback servers of tests/pms: Open Dental treatment plans (a plan and
 * one attach per procedure, exactly once, read back after a crash) and a
 * FHIR server's bearer token (a wrong or missing one is a clear "wrong key"
 * on the case, nothing posted, nothing lost). */
#include <stdlib.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "op-outbox.h"
#include "op-store.h"
#include "test-pms-util.h"

static char *tmpdir;

static const char od_seed[] =
  "{\"patients\": ["
  " {\"PatNum\": 12, \"LName\": \"Rivera\", \"FName\": \"Sam\", \"Birthdate\": \"1985-03-02\", \"ChartNumber\": \"C-77\"},"
  " {\"PatNum\": 13, \"LName\": \"Nguyen\", \"FName\": \"Ann\", \"Birthdate\": \"1990-01-01\", \"ChartNumber\": \"\"},"
  " {\"PatNum\": 14, \"LName\": \"Lindqvist\", \"FName\": \"Eva\", \"Birthdate\": \"1980-12-12\", \"ChartNumber\": \"\"}],"
  " \"providers\": [{\"ProvNum\": 7, \"NationalProvID\": \"" TEST_NPI "\"}]}";

static OpStore *
new_store (const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  OpStore *store = op_store_open (path, &error);

  g_assert_no_error (error);
  pms_add_staff (store);
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
  o.timeout_s = 5;
  return o;
}

static gboolean
kill_after_send (gint64   outbox_id,
                 gpointer user_data)
{
  int *left = user_data;

  return --(*left) > 0;
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

/* One request to the Open Dental test server with the right keys (or
 * none): the status, and the answer's reason in *@out_reason. */
static guint
od_request (PmsServer   *s,
            const char  *method,
            const char  *path,
            const char  *body,
            gboolean     with_auth,
            char       **out_reason)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10u, "proxy-resolver", NULL, NULL);
  g_autofree char *url = g_strconcat (s->base, "/api/v1", path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (with_auth)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "ODFHIR " OD_DEV "/" OD_CUST);
  if (body != NULL)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (answer != NULL && out_reason != NULL &&
      json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    *out_reason = g_strdup (json_object_get_string_member_with_default (
                              json_node_get_object (json_parser_get_root (parser)), "message", ""));
  return soup_message_get_status (msg);
}

/* The test server's treatment plans and attaches. */
static JsonNode *
od_plans (PmsServer  *s,
          JsonArray **out_plans,
          JsonArray **out_attaches)
{
  JsonNode *root = pms_admin (s, "GET", "/__admin/treatplans", NULL);

  g_assert_nonnull (root);
  *out_plans = root ? json_object_get_array_member (json_node_get_object (root), "treatplans") : NULL;
  *out_attaches = root ? json_object_get_array_member (json_node_get_object (root), "treatplanattaches") : NULL;
  return root;
}

/* The test server checks what it is sent, as the issue asks: these are the
 * answers a connector that got a field wrong would see. */
static void
test_od_server_checks (void)
{
  const char *args[] = { "--developer-key", OD_DEV, "--customer-key", OD_CUST, NULL };
  PmsServer s;
  g_autofree char *reason = NULL;
  guint plan;

  if (!pms_server_start (&s, "opendental-server.mjs", args))
    return;
  g_assert_nonnull (pms_admin (&s, "POST", "/__admin/seed", od_seed));

  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "{\"PatNum\": 12}", FALSE, &reason), ==, 401);
  g_assert_cmpstr (reason, ==, "Authorization header missing or not ODFHIR");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "{\"PatNum\": 999}", TRUE, &reason), ==, 400);
  g_assert_cmpstr (reason, ==, "PatNum 999 is invalid: no such patient");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "{\"PatNum\": 12, \"TPType\": \"Cash\"}", TRUE, &reason), ==, 400);
  g_assert_cmpstr (reason, ==, "TPType must be Insurance or Discount, got Cash");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "{\"PatNum\": 12, \"Note\": 5}", TRUE, &reason), ==, 400);
  g_assert_cmpstr (reason, ==, "Note must be text");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "[1]", TRUE, &reason), ==, 400);
  g_clear_pointer (&reason, g_free);

  /* A plan and a procedure of patient 12, a procedure of patient 13. */
  g_assert_cmpuint (od_request (&s, "POST", "/treatplans", "{\"PatNum\": 12, \"Heading\": \"H\"}", TRUE, NULL), ==, 201);
  plan = 500;
  g_assert_cmpuint (od_request (&s, "POST", "/procedurelogs",
                                "{\"PatNum\": 12, \"ProcDate\": \"2026-11-23\", \"ProcStatus\": \"TP\", \"procCode\": "
                                "\"D8040\", \"ProvNum\": 7, \"ProcFee\": 10}", TRUE, NULL), ==, 201);
  g_assert_cmpuint (od_request (&s, "POST", "/procedurelogs",
                                "{\"PatNum\": 13, \"ProcDate\": \"2026-11-23\", \"ProcStatus\": \"TP\", \"procCode\": "
                                "\"D8040\", \"ProvNum\": 7, \"ProcFee\": 10}", TRUE, NULL), ==, 201);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplanattaches", "{\"TreatPlanNum\": 777, \"ProcNum\": 1000}", TRUE, &reason),
                    ==, 404);
  g_assert_cmpstr (reason, ==, "TreatPlanNum 777 not found");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplanattaches", "{\"TreatPlanNum\": 500}", TRUE, &reason), ==, 400);
  g_assert_cmpstr (reason, ==, "ProcNum is required and must be a number");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplanattaches", "{\"TreatPlanNum\": 500, \"ProcNum\": 1001}", TRUE, &reason),
                    ==, 400);
  g_assert_cmpstr (reason, ==, "ProcNum 1001 is for another patient than TreatPlanNum 500");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplanattaches",
                                "{\"TreatPlanNum\": 500, \"ProcNum\": 1000, \"Priority\": -1}", TRUE, &reason), ==, 400);
  g_clear_pointer (&reason, g_free);
  g_assert_cmpuint (od_request (&s, "POST", "/treatplanattaches", "{\"TreatPlanNum\": 500, \"ProcNum\": 1000}", TRUE, NULL),
                    ==, 201);
  g_assert_cmpuint (od_request (&s, "GET", "/treatplanattaches", NULL, TRUE, &reason), ==, 400);
  g_assert_cmpstr (reason, ==, "TreatPlanNum is required in the URL");
  g_clear_pointer (&reason, g_free);
  {
    JsonArray *plans = NULL, *attaches = NULL;
    g_autoptr(JsonNode) root = od_plans (&s, &plans, &attaches);

    g_assert_cmpuint (plans ? json_array_get_length (plans) : 0, ==, 1);
    g_assert_cmpuint (attaches ? json_array_get_length (attaches) : 0, ==, 1);
    if (plans != NULL && json_array_get_length (plans) == 1)
      {
        JsonObject *p = json_array_get_object_element (plans, 0);

        g_assert_cmpint (json_object_get_int_member (p, "TreatPlanNum"), ==, plan);
        g_assert_cmpstr (json_object_get_string_member (p, "TPStatus"), ==, "Inactive");
        g_assert_cmpstr (json_object_get_string_member (p, "TPType"), ==, "Insurance");
      }
  }
  pms_server_stop (&s);
}

static void
test_od_treatment_plan (void)
{
  const char *args[] = { "--developer-key", OD_DEV, "--customer-key", OD_CUST, NULL };
  PmsServer s;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  OpOutboxRunOptions o = quick_options ();
  OpOutboxRunStats stats;
  OpPatient rivera = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  OpPatient nguyen = { 0, "Nguyen", "Ann", "1990-01-01", NULL };
  OpPatient eva = { 0, "Lindqvist", "Eva", "1980-12-12", NULL };
  gint64 c1, c2, c3;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  if (!pms_server_start (&s, "opendental-server.mjs", args))
    return;
  g_assert_nonnull (pms_admin (&s, "POST", "/__admin/seed", od_seed));
  store = new_store ("tp.db");
  url = g_strdup_printf ("%s/api/v1", s.base);
  {
    /* Retention on: two procedures, so two attaches. */
    OpPmsSettingsInput in = { "opendental", url, NULL, OD_DEV, OD_CUST, -1, 1, -1, NULL, OP_PMS_SWITCH_ON };

    g_assert_true (op_outbox_set_settings (store, "Main office", &in, &error));
    g_assert_no_error (error);
  }
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8040", 185000, &error));
  g_assert_true (op_outbox_set_fee (store, "Main office", "D8680", 45000, &error));

  /* Posted: two procedures, then one inactive plan holding both. */
  c1 = pms_approved_case (store, &rivera, "Main office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.posted, ==, 1);
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c1);
    g_autofree char *marker = g_strdup_printf ("[orthoplan:%s:plan]", e->idempotency_key);
    JsonArray *plans = NULL, *attaches = NULL;
    g_autoptr(JsonNode) root = od_plans (&s, &plans, &attaches);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_cmpuint (g_strv_length (e->remote_ids), ==, 5);
    g_assert_cmpuint (plans ? json_array_get_length (plans) : 0, ==, 1);
    g_assert_cmpuint (attaches ? json_array_get_length (attaches) : 0, ==, 2);
    if (plans != NULL && json_array_get_length (plans) == 1 && attaches != NULL &&
        json_array_get_length (attaches) == 2 && g_strv_length (e->remote_ids) == 5)
      {
        JsonObject *p = json_array_get_object_element (plans, 0);

        g_assert_cmpint (json_object_get_int_member (p, "PatNum"), ==, 12);
        g_assert_nonnull (strstr (json_object_get_string_member (p, "Note"), marker));
        g_assert_nonnull (strstr (json_object_get_string_member (p, "Heading"), "plan v1"));
        g_assert_cmpint (json_object_get_int_member (p, "TreatPlanNum"), ==, g_ascii_strtoll (e->remote_ids[2], NULL, 10));
        for (guint i = 0; i < 2; i++)
          {
            JsonObject *a = json_array_get_object_element (attaches, i);

            g_assert_cmpint (json_object_get_int_member (a, "TreatPlanNum"), ==, g_ascii_strtoll (e->remote_ids[2], NULL, 10));
            g_assert_cmpint (json_object_get_int_member (a, "ProcNum"), ==, g_ascii_strtoll (e->remote_ids[i], NULL, 10));
            g_assert_cmpint (json_object_get_int_member (a, "TreatPlanAttachNum"), ==,
                             g_ascii_strtoll (e->remote_ids[3 + i], NULL, 10));
          }
      }
  }

  /* Killed after the send, before the commit: the restart reads back the
   * two procedures, the plan and both attaches, and sends nothing. */
  c2 = pms_approved_case (store, &nguyen, "Main office");
  {
    g_autoptr(OpOutboxEntry) e = NULL;
    JsonArray *plans = NULL, *attaches = NULL;
    g_autoptr(JsonNode) root = NULL;
    int left = 1;

    o.after_send = kill_after_send;
    o.user_data = &left;
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_true (stats.aborted);
    o.after_send = NULL;
    g_clear_object (&store);
    {
      g_autofree char *path = g_build_filename (tmpdir, "tp.db", NULL);

      store = op_store_open (path, &error);
      g_assert_no_error (error);
    }
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.sends, ==, 0);
    g_assert_cmpuint (stats.found_by_read_back, ==, 5);
    e = pms_entry_of_case (store, c2);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    root = od_plans (&s, &plans, &attaches);
    g_assert_cmpuint (plans ? json_array_get_length (plans) : 0, ==, 2);
    g_assert_cmpuint (attaches ? json_array_get_length (attaches) : 0, ==, 4);
  }

  /* The plan's own requests fail after the server stored them (500 after
   * the work, then a reset after it): the worker reads back before each
   * retry and ends with one plan and one attach per procedure. */
  g_assert_nonnull (pms_admin (&s, "POST", "/__admin/faults",
                               "{\"rate\": 0.5, \"seed\": 3, \"kinds\": [\"error-after\", \"reset-after\", \"timeout-after\"]}"));
  c3 = pms_approved_case (store, &eva, "Main office");
  /* Linked by hand, so that every faulted request is one of the post's. */
  g_assert_true (op_outbox_link_patient (store, c3, "14", &error));
  o.backoff.max_attempts = 30;
  o.timeout_s = 2;
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_test_message ("faulted post: %u sends, %u read-backs finding %u, %u posted", stats.sends, stats.read_backs,
                  stats.found_by_read_back, stats.posted);
  g_assert_cmpuint (stats.read_backs, >, 0);
  g_assert_nonnull (pms_admin (&s, "POST", "/__admin/faults", "{\"rate\": 0}"));
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c3);
    JsonArray *plans = NULL, *attaches = NULL;
    g_autoptr(JsonNode) root = od_plans (&s, &plans, &attaches);
    guint mine = 0, my_attaches = 0;

    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    for (guint i = 0; plans != NULL && i < json_array_get_length (plans); i++)
      mine += json_object_get_int_member (json_array_get_object_element (plans, i), "PatNum") == 14;
    for (guint i = 0; attaches != NULL && i < json_array_get_length (attaches); i++)
      my_attaches += g_strv_length (e->remote_ids) == 5 &&
                     json_object_get_int_member (json_array_get_object_element (attaches, i), "TreatPlanNum") ==
                       g_ascii_strtoll (e->remote_ids[2], NULL, 10);
    g_assert_cmpuint (mine, ==, 1);
    g_assert_cmpuint (my_attaches, ==, 2);
  }

  /* Switched off, a new approval posts its procedures alone; the switch is
   * read when the plan is approved, so the payload says so. */
  {
    OpPmsSettingsInput off = { NULL, NULL, NULL, NULL, NULL, -1, -1, -1, NULL, OP_PMS_SWITCH_OFF };
    OpPatient again = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
    g_autoptr(OpOutboxEntry) e = NULL;
    JsonArray *plans = NULL, *attaches = NULL;
    g_autoptr(JsonNode) root = NULL;
    gint64 c4;

    g_assert_true (op_outbox_set_settings (store, "Main office", &off, &error));
    c4 = pms_approved_case (store, &again, "Main office");
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    e = pms_entry_of_case (store, c4);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_cmpuint (g_strv_length (e->remote_ids), ==, 2);
    g_assert_null (strstr (e->payload, "treatment_plan"));
    root = od_plans (&s, &plans, &attaches);
    g_assert_cmpuint (plans ? json_array_get_length (plans) : 0, ==, 3);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
  pms_server_stop (&s);
}

static void
test_fhir_bearer (void)
{
  const char *args[] = { "--bearer-token", FHIR_TOKEN, NULL };
  PmsServer s;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  OpOutboxRunOptions o = quick_options ();
  OpOutboxRunStats stats;
  OpPatient rivera = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  gint64 c1;

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set");
      return;
    }
  if (!pms_server_start (&s, "fhir-server.mjs", args))
    return;
  fhir_seed_patient (&s, "Rivera", "Sam", "1985-03-02", "C-77");
  g_assert_nonnull (pms_admin (&s, "POST", "/fhir/R4/Practitioner",
                               "{\"resourceType\": \"Practitioner\", \"identifier\": [{\"system\": "
                               "\"http://hl7.org/fhir/sid/us-npi\", \"value\": \"" TEST_NPI "\"}]}"));
  store = new_store ("bearer.db");
  url = g_strdup_printf ("%s/fhir/R4", s.base);

  /* No token: the server wants one, and the case says so. */
  {
    OpPmsSettingsInput in = { "fhir", url, NULL, NULL, NULL, -1, -1, -1, NULL, OP_PMS_SWITCH_KEEP };

    g_assert_true (op_outbox_set_settings (store, "North office", &in, &error));
  }
  c1 = pms_approved_case (store, &rivera, "North office");
  g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(OpOutboxEntry) e = pms_entry_of_case (store, c1);

    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "Wrong key"));
    g_assert_true (reason_has (e, "has none"));
    g_assert_true (reason_has (e, "Authorization: Bearer token missing"));
    g_assert_true (reason_has (e, "--bearer-token"));
  }

  /* A wrong token: "wrong key" with the server's reason, the token never
   * in the message, nothing posted. */
  {
    OpPmsSettingsInput in = { NULL, NULL, NULL, NULL, NULL, -1, -1, -1, "not-the-token", OP_PMS_SWITCH_KEEP };
    g_autoptr(OpOutboxEntry) e = NULL;

    g_assert_true (op_outbox_set_settings (store, "North office", &in, &error));
    e = pms_entry_of_case (store, c1);
    g_assert_true (op_outbox_retry (store, e->id, &error));
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_clear_pointer (&e, op_outbox_entry_free);
    e = pms_entry_of_case (store, c1);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
    g_assert_true (reason_has (e, "Wrong key: the FHIR server refused the bearer token of location “North office”"));
    g_assert_true (reason_has (e, "HTTP 401"));
    g_assert_true (reason_has (e, "The bearer token is not valid for this server"));
    g_assert_null (strstr (e->reason, "not-the-token"));
    g_assert_false (e->in_flight);
    g_assert_cmpint (fhir_count (&s, "ServiceRequest"), ==, 0);
    g_assert_cmpint (fhir_count (&s, "CarePlan"), ==, 0);
  }

  /* The right token, a retry: posted once. */
  {
    OpPmsSettingsInput in = { NULL, NULL, NULL, NULL, NULL, -1, -1, -1, FHIR_TOKEN, OP_PMS_SWITCH_KEEP };
    g_autoptr(OpOutboxEntry) e = NULL;

    g_assert_true (op_outbox_set_settings (store, "North office", &in, &error));
    e = pms_entry_of_case (store, c1);
    g_assert_true (op_outbox_retry (store, e->id, &error));
    g_assert_true (op_outbox_run (store, 0, &o, &stats, NULL, &error));
    g_assert_cmpuint (stats.posted, ==, 1);
    g_clear_pointer (&e, op_outbox_entry_free);
    e = pms_entry_of_case (store, c1);
    g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
    g_assert_cmpint (fhir_count (&s, "ServiceRequest"), ==, 1);
    g_assert_cmpint (fhir_count (&s, "CarePlan"), ==, 1);
  }

  /* A token that is not a bearer token is refused when it is set. */
  {
    OpPmsSettingsInput in = { NULL, NULL, NULL, NULL, NULL, -1, -1, -1, "two words", OP_PMS_SWITCH_KEEP };

    g_assert_false (op_outbox_set_settings (store, "North office", &in, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_assert_nonnull (error ? strstr (error->message, "--bearer-token") : NULL);
    g_clear_error (&error);
  }
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);
  pms_server_stop (&s);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-test-pms-options-XXXXXX", NULL);
  g_test_add_func ("/io/pms/opendental/server-checks", test_od_server_checks);
  g_test_add_func ("/io/pms/opendental/treatment-plan", test_od_treatment_plan);
  g_test_add_func ("/io/pms/fhir/bearer-token", test_fhir_bearer);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
