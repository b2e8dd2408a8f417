/* test-pms-util.h: what the PMS posting tests share: approved cases built
 * from the real teeth, and the loopback test servers of tests/pms started
 * as child processes. */
#pragma once

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "op-outbox.h"
#include "op-store.h"
#include "test-user-util.h"

/* Adds an administrator and a provider (NPI TEST_NPI) and leaves no one
 * signed in. */
static inline void
pms_add_staff (OpStore *store)
{
  g_autoptr(GError) error = NULL;
  OpUserInput admin = { "admin", "Ada Admin", OP_ROLE_ADMINISTRATOR, NULL, TEST_ADMIN_PASSWORD };
  OpUserInput provider = { "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD };
  g_autoptr(OpUser) u = NULL;

  g_assert_cmpint (op_store_add_user (store, &admin, &error), >, 0);
  g_assert_no_error (error);
  u = op_store_sign_in (store, "admin", TEST_ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_user (store, &provider, &error), >, 0);
  g_assert_no_error (error);
  op_store_sign_out (store);
}

/* A case of @patient at @location in review with a plan over the real upper
 * teeth (incisors rotated: a limited adult case, D8040). */
static inline gint64
pms_case_in_review (OpStore         *store,
                    const OpPatient *patient,
                    const char      *location)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plan = test_real_plan_bytes (5, 1.0);
  gint64 case_id;

  g_assert_nonnull (plan);
  case_id = op_store_create_case (store, patient, location, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (store, case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_SEGMENTED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_PLANNED, NULL));
  g_assert_true (op_store_set_case_state (store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL));
  return case_id;
}

/* The same case, approved by the provider through op_store_approve (which
 * writes its outbox row).  Returns the case id. */
static inline gint64
pms_approved_case (OpStore         *store,
                   const OpPatient *patient,
                   const char      *location)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) a = NULL;
  gint64 case_id = pms_case_in_review (store, patient, location);

  a = op_store_approve (store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return case_id;
}

/* The one outbox row of @case_id. */
static inline OpOutboxEntry *
pms_entry_of_case (OpStore *store,
                   gint64   case_id)
{
  g_autoptr(GPtrArray) list = op_outbox_list (store, case_id, NULL);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 1);
  return list && list->len == 1 ? g_ptr_array_steal_index (list, 0) : NULL;
}

/* A loopback test server. */
typedef struct {
  GSubprocess *process;
  guint        port;
  char        *base;    /* http://127.0.0.1:PORT */
  const char  *bearer;  /* the FHIR server's token, sent by pms_admin; or NULL */
} PmsServer;

static inline void
pms_server_stop (PmsServer *s)
{
  if (s->process != NULL)
    {
      g_subprocess_send_signal (s->process, SIGTERM);
      g_subprocess_wait (s->process, NULL, NULL);
    }
  g_clear_object (&s->process);
  g_clear_pointer (&s->base, g_free);
}

/* Starts tests/pms/@script with @args (NULL-terminated) on a free port and
 * waits for its "listening PORT" line.  FALSE (test skipped) only when node
 * is not installed; a server that does not start fails the test. */
static inline gboolean
pms_server_start (PmsServer   *s,
                  const char  *script,
                  const char **args)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_SRCDIR") ? g_getenv ("G_TEST_SRCDIR") : ".", "pms", NULL);
  g_autofree char *path = g_build_filename (dir, script, NULL);
  g_autofree char *modules = g_build_filename (dir, "node_modules", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  memset (s, 0, sizeof *s);
  if (node == NULL)
    {
      g_test_skip ("node is not installed (Debian package nodejs): the loopback PMS servers cannot run");
      return FALSE;
    }
  if (strstr (script, "fhir") != NULL && !g_file_test (modules, G_FILE_TEST_IS_DIR))
    g_test_message ("%s is missing: run .ci/setup (npm ci in tests/pms)", modules);

  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, (char *) "0");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* stdin is a pipe we never write: when this test dies, the server reads
   * end-of-file and exits, so no server outlives its test. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  s->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (s->process == NULL)
    return FALSE;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (line == NULL || sscanf (line, "listening %u", &s->port) != 1)
    {
      g_test_fail_printf ("%s did not start (said “%s”)", script, line ? line : "nothing");
      pms_server_stop (s);
      return FALSE;
    }
  s->base = g_strdup_printf ("http://127.0.0.1:%u", s->port);
  for (guint i = 0; args != NULL && args[i] != NULL && args[i + 1] != NULL; i++)
    if (strcmp (args[i], "--bearer-token") == 0)
      s->bearer = args[i + 1];
  return TRUE;
}

/* An admin request to a test server: the answer's JSON, or NULL. */
static inline JsonNode *
pms_admin (PmsServer  *s,
           const char *method,
           const char *path,
           const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10u, "proxy-resolver", NULL, NULL);
  g_autofree char *url = g_strconcat (s->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  if (s->bearer != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", s->bearer);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (answer == NULL)
    return NULL;
  if (soup_message_get_status (msg) >= 300)
    {
      g_test_message ("%s %s: HTTP %u: %.*s", method, path, soup_message_get_status (msg),
                      (int) g_bytes_get_size (answer), (const char *) g_bytes_get_data (answer, NULL));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer), NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* The Open Dental test server's keys. */
#define OD_DEV  "dk-123"
#define OD_CUST "ck-456"
/* The FHIR test server's bearer token. */
#define FHIR_TOKEN "fhir-tok_3.9~x+y/z="

/* A Patient on the FHIR test server, its chart number as an MR identifier. */
static inline void
fhir_seed_patient (PmsServer  *s,
                   const char *family,
                   const char *given,
                   const char *dob,
                   const char *chart)
{
  g_autofree char *body = g_strdup_printf ("{\"resourceType\": \"Patient\", \"name\": [{\"family\": \"%s\", \"given\": [\"%s\"]}],"
                                           " \"birthDate\": \"%s\", \"identifier\": [{\"type\": {\"coding\": [{\"code\": \"MR\"}]},"
                                           " \"value\": \"%s\"}]}", family, given, dob, chart);
  g_autoptr(JsonNode) r = pms_admin (s, "POST", "/fhir/R4/Patient", body);

  g_assert_nonnull (r);
}

static inline gint64
fhir_count (PmsServer  *s,
            const char *type)
{
  g_autofree char *path = g_strdup_printf ("/__admin/count?type=%s", type);
  g_autoptr(JsonNode) r = pms_admin (s, "GET", path, NULL);

  return r ? json_object_get_int_member (json_node_get_object (r), "count") : -1;
}
