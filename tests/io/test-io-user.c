/* test-io-user.c: users, sign-in throttling, roles enforced in the store,
 * approvals over real plan bytes, change requests, tampering and audit. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "op-sign.h"
#include "op-store.h"
#include "test-user-util.h"

typedef struct {
  char    *dir;
  char    *path;
  OpStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("op-user-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "orthoplan.db", NULL);
  f->store = op_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* An administrator, a provider, a coordinator and an assistant; the store
 * is left signed in as the administrator. */
static void
add_staff (Fixture *f)
{
  g_autoptr(OpUser) admin = NULL;
  g_autoptr(GError) error = NULL;

  test_add_user (f->store, "admin", "Ada Admin", OP_ROLE_ADMINISTRATOR, NULL, TEST_ADMIN_PASSWORD);
  admin = op_store_sign_in (f->store, "admin", TEST_ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  test_add_user (f->store, "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD);
  test_add_user (f->store, "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, TEST_COORD_PASSWORD);
  test_add_user (f->store, "asst", "Avery Assistant", OP_ROLE_ASSISTANT, NULL, "quiet morning coffee");
}

/* A case moved to "in review" with plan v1 built from the real teeth. */
static gint64
case_in_review (Fixture *f,
                GBytes **out_plan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plan = test_real_plan_bytes (4, 1.0);
  OpPatient p = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  static const OpCaseState steps[] = {
    OP_CASE_STATE_SEGMENTED, OP_CASE_STATE_PLANNED, OP_CASE_STATE_IN_REVIEW,
  };
  gint64 case_id;

  g_assert_nonnull (plan);
  case_id = op_store_create_case (f->store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (case_id, >, 0);
  g_assert_cmpint (op_store_add_plan (f->store, case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_assert_true (op_store_set_case_state (f->store, case_id, OP_ROLE_PROVIDER, steps[i], &error));
      g_assert_no_error (error);
    }
  if (out_plan != NULL)
    *out_plan = g_steal_pointer (&plan);
  return case_id;
}

static OpCaseState
case_state (Fixture *f,
            gint64   case_id)
{
  g_autoptr(OpCaseSummary) s = op_store_get_case (f->store, case_id, NULL);

  g_assert_nonnull (s);
  return s != NULL ? s->state : OP_CASE_N_STATES;
}

static guint
n_approvals (Fixture *f,
             gint64   case_id)
{
  g_autoptr(GPtrArray) list = op_store_list_approvals (f->store, case_id, NULL);

  g_assert_nonnull (list);
  return list != NULL ? list->len : 0;
}

/* Whether the audit log holds an entry with @action whose detail holds
 * @detail_part, written by @actor (NULL: anyone). */
static gboolean
audit_has (Fixture    *f,
           const char *action,
           const char *actor,
           const char *detail_part)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "SELECT actor, detail FROM audit WHERE action = ?", -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_STATIC);
  while (!found && sqlite3_step (stmt) == SQLITE_ROW)
    found = (actor == NULL || g_str_equal (actor, (const char *) sqlite3_column_text (stmt, 0))) &&
            (detail_part == NULL || strstr ((const char *) sqlite3_column_text (stmt, 1), detail_part) != NULL);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return found;
}

static void
test_first_user (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  OpUserInput coord = { "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, TEST_COORD_PASSWORD };
  OpUserInput admin = { "admin", "Ada Admin", OP_ROLE_ADMINISTRATOR, NULL, TEST_ADMIN_PASSWORD };
  OpUserInput provider = { "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD };

  g_assert_cmpint (op_store_count_users (f->store, NULL), ==, 0);

  /* The first user must be an administrator. */
  g_assert_cmpint (op_store_add_user (f->store, &coord, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  if (error)
    g_assert_nonnull (strstr (error->message, "first user must be an administrator"));
  g_clear_error (&error);
  g_assert_cmpint (op_store_count_users (f->store, NULL), ==, 0);

  g_assert_cmpint (op_store_add_user (f->store, &admin, &error), >, 0);
  g_assert_no_error (error);

  /* After that, nobody signed in may add anyone, not even another
   * administrator. */
  g_assert_cmpint (op_store_add_user (f->store, &provider, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_clear_error (&error);
  admin.login = "admin2";
  g_assert_cmpint (op_store_add_user (f->store, &admin, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_cmpint (op_store_count_users (f->store, NULL), ==, 1);

  /* Signed in as the administrator it works. */
  {
    g_autoptr(OpUser) me = op_store_sign_in (f->store, "admin", TEST_ADMIN_PASSWORD, &error);

    g_assert_no_error (error);
    g_assert_nonnull (me);
    g_assert_cmpint (op_store_add_user (f->store, &provider, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpint (op_store_add_user (f->store, &coord, &error), >, 0);
    g_assert_no_error (error);
  }

  /* A provider or coordinator signed in may not add users. */
  {
    g_autoptr(OpUser) me = op_store_sign_in (f->store, "coord", TEST_COORD_PASSWORD, &error);
    OpUserInput asst = { "asst", "Avery Assistant", OP_ROLE_ASSISTANT, NULL, "quiet morning coffee" };

    g_assert_no_error (error);
    g_assert_cmpint (op_store_add_user (f->store, &asst, &error), ==, 0);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
    if (error)
      g_assert_nonnull (strstr (error->message, "coord is signed in as coordinator"));
    g_clear_error (&error);
  }

  g_assert_cmpint (op_store_count_users (f->store, NULL), ==, 3);
  g_assert_true (audit_has (f, "user.add", NULL, "admin as administrator"));
  g_assert_true (audit_has (f, "user.add", "admin", "drlee as provider"));
}

static void
test_bad_fields (Fixture       *f,
                 gconstpointer  data)
{
  struct {
    OpUserInput in;
    int         code;
    const char *message;
  } cases[] = {
    { { "drlee2", "Dr. Lee", OP_ROLE_PROVIDER, NULL, TEST_PROVIDER_PASSWORD }, OP_STORE_ERROR_INVALID, "NPI: a provider needs" },
    { { "drlee2", "Dr. Lee", OP_ROLE_PROVIDER, "1234567890", TEST_PROVIDER_PASSWORD }, OP_STORE_ERROR_INVALID, "check digit" },
    { { "drlee2", "Dr. Lee", OP_ROLE_PROVIDER, TEST_NPI, "too short" }, OP_STORE_ERROR_INVALID, "at least 12" },
    { { "drlee2", "Dr. Lee", OP_ROLE_PROVIDER, TEST_NPI, "DrLee2's long password" }, OP_STORE_ERROR_INVALID, "login name" },
    { { "dr lee", "Dr. Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD }, OP_STORE_ERROR_INVALID, "login:" },
    { { "drlee2", "   ", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD }, OP_STORE_ERROR_INVALID, "name:" },
    { { "admin", "Second Admin", OP_ROLE_ADMINISTRATOR, NULL, "another fine password" }, OP_STORE_ERROR_DUPLICATE, "already taken" },
  };
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  add_staff (f);
  before = op_store_list_users (f->store, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (op_store_add_user (f->store, &cases[i].in, &error), ==, 0);
      g_assert_error (error, OP_STORE_ERROR, cases[i].code);
      if (error)
        g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  after = op_store_list_users (f->store, NULL);
  g_assert_cmpuint (before->len, ==, after->len);
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) users = NULL;
  static const char * const logins[] = { "admin", "asst", "coord", "drlee" };

  add_staff (f);
  users = op_store_list_users (f->store, NULL);
  g_assert_nonnull (users);
  g_assert_cmpuint (users->len, ==, 4);
  for (guint i = 0; users && i < users->len && i < 4; i++)
    {
      OpUser *u = g_ptr_array_index (users, i);

      g_assert_cmpstr (u->login, ==, logins[i]);
      g_assert_nonnull (u->fingerprint);
      if (u->fingerprint)
        g_assert_cmpuint (strlen (u->fingerprint), ==, 16);
      g_assert_cmpuint (u->failed_attempts, ==, 0);
      if (g_str_equal (u->login, "drlee"))
        {
          g_assert_cmpint (u->role, ==, OP_ROLE_PROVIDER);
          g_assert_cmpstr (u->npi, ==, TEST_NPI);
          g_assert_cmpstr (u->name, ==, "Dr. Morgan Lee");
        }
      else
        g_assert_null (u->npi);
    }

  /* The stored hash is Argon2id and the key sealed, never the password. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2 (db, "SELECT password_hash, length(secret_key), length(key_salt), length(public_key) "
                            "FROM users WHERE login = 'drlee'", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_true (g_str_has_prefix ((const char *) sqlite3_column_text (stmt, 0), "$argon2id$"));
    g_assert_null (strstr ((const char *) sqlite3_column_text (stmt, 0), TEST_PROVIDER_PASSWORD));
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 128);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 16);
    g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, 32);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_sign_in_delay (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpUser) me = NULL;
  g_autoptr(OpUser) lee = NULL;

  add_staff (f);
  op_store_sign_out (f->store);

  /* The first two mistakes cost nothing. */
  for (guint i = 1; i <= 2; i++)
    {
      g_assert_null (op_store_sign_in (f->store, "drlee", "wrong password number", &error));
      g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
      if (error)
        g_assert_null (strstr (error->message, "wait"));
      g_clear_error (&error);
    }

  /* The third starts the wait, and the wait holds even for the right
   * password. */
  g_assert_null (op_store_sign_in (f->store, "drlee", "wrong password number", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
  if (error)
    g_assert_nonnull (strstr (error->message, "3 wrong in a row; the next try must wait 2 seconds"));
  g_clear_error (&error);
  g_assert_null (op_store_sign_in (f->store, "drlee", TEST_PROVIDER_PASSWORD, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_RETRY_LATER);
  if (error)
    g_assert_nonnull (strstr (error->message, "3 wrong passwords in a row for drlee: wait 2 seconds"));
  g_clear_error (&error);

  /* The count is in the database, so another program sees it too. */
  {
    g_autoptr(OpStore) other = op_store_open (f->path, NULL);
    g_autoptr(OpUser) u = op_store_get_user (other, "drlee", NULL);

    g_assert_cmpuint (u->failed_attempts, ==, 3);
    g_assert_null (op_store_check_password (other, "drlee", TEST_PROVIDER_PASSWORD, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_RETRY_LATER);
    g_clear_error (&error);
  }

  /* After the wait, another mistake doubles it. */
  g_usleep (2100 * 1000);
  g_assert_null (op_store_sign_in (f->store, "drlee", "wrong password number", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
  if (error)
    g_assert_nonnull (strstr (error->message, "4 wrong in a row; the next try must wait 4 seconds"));
  g_clear_error (&error);
  g_assert_null (op_store_sign_in (f->store, "drlee", TEST_PROVIDER_PASSWORD, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_RETRY_LATER);
  if (error)
    g_assert_nonnull (strstr (error->message, "wait 4 seconds"));
  g_clear_error (&error);

  /* Move the last failure into the past instead of sleeping again. */
  g_assert_cmpint (test_sql (f->path, "UPDATE users SET last_failure_at = '2020-01-01T00:00:00.000000Z' "
                                      "WHERE login = 'drlee'"), ==, SQLITE_OK);
  me = op_store_sign_in (f->store, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  lee = op_store_get_user (f->store, "drlee", NULL);
  g_assert_cmpuint (lee->failed_attempts, ==, 0);

  /* An unknown login reads exactly like a wrong password. */
  g_assert_null (op_store_sign_in (f->store, "nobody", TEST_PROVIDER_PASSWORD, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
  if (error)
    g_assert_cmpstr (error->message, ==, "The login name or the password is wrong");
  g_clear_error (&error);

  g_assert_true (audit_has (f, "user.sign-in-failed", NULL, "drlee: wrong password, 4 in a row"));
  g_assert_true (audit_has (f, "user.sign-in-failed", NULL, "nobody: no such login"));
  g_assert_true (audit_has (f, "user.sign-in", "drlee", "provider"));
  g_assert_true (op_store_verify_audit (f->store, &error));
  g_assert_no_error (error);
}

static void
test_approve (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plan = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(OpApproval) checked = NULL;
  g_autoptr(OpUser) lee = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GDateTime) signed_at = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 case_id;

  add_staff (f);
  case_id = case_in_review (f, &plan);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, plan);
  lee = op_store_get_user (f->store, "drlee", NULL);

  /* Nothing to verify yet. */
  g_assert_false (op_store_verify_approval (f->store, case_id, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  if (a == NULL)
    return;

  /* What CLINICAL.md says a signed approval must show. */
  g_assert_cmpstr (a->signer_name, ==, "Dr. Morgan Lee");
  g_assert_cmpstr (a->signer_npi, ==, TEST_NPI);
  g_assert_cmpstr (a->signer_login, ==, "drlee");
  g_assert_cmpstr (a->meaning, ==, "approved treatment plan v1 for production");
  g_assert_cmpuint (a->plan_version, ==, 1);
  g_assert_cmpstr (a->plan_sha256, ==, sha);
  g_assert_cmpstr (a->fingerprint, ==, lee->fingerprint);
  signed_at = g_date_time_new_from_iso8601 (a->signed_at, NULL);
  g_assert_nonnull (signed_at);
  if (signed_at)
    g_assert_cmpint (ABS (g_date_time_difference (now, signed_at)), <, 60 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_APPROVED);

  /* The signature is by the provider's key, and over the plan bytes: the
   * same signature does not verify for the bare plan bytes or for other
   * bytes (the statement is checked in full by verify below). */
  g_assert_false (op_sign_verify (a->public_key, g_bytes_get_data (plan, NULL), g_bytes_get_size (plan),
                                  a->signature, NULL));

  g_assert_true (op_store_verify_approval (f->store, case_id, &checked, &error));
  g_assert_no_error (error);
  g_assert_nonnull (checked);
  if (checked)
    {
      g_assert_cmpmem (checked->signature, 64, a->signature, 64);
      g_assert_cmpstr (checked->signed_at, ==, a->signed_at);
    }

  /* A second approval of the same case is refused (it is no longer in
   * review), and a new plan version on an approved case is refused by
   * the database itself. */
  {
    g_autoptr(OpApproval) again = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);

    g_assert_null (again);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr(GBytes) v2 = test_real_plan_bytes (5, 1.0);

    g_assert_cmpint (op_store_add_plan (f->store, case_id, 1, "{}", v2, &error), ==, 0);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
    g_clear_error (&error);
    g_assert_cmpint (test_insert_plan (f->path, case_id, 2, v2), !=, SQLITE_OK);
  }
  g_assert_cmpuint (n_approvals (f, case_id), ==, 1);

  g_assert_true (audit_has (f, "case.approve", "drlee", "approved treatment plan v1 for production"));
  g_assert_true (audit_has (f, "case.approve", "drlee", sha));
  g_assert_true (op_store_verify_audit (f->store, &error));
  g_assert_no_error (error);
}

static void
test_roles_refused (Fixture       *f,
                    gconstpointer  data)
{
  struct { const char *login, *password; } others[] = {
    { "coord", TEST_COORD_PASSWORD },
    { "admin", TEST_ADMIN_PASSWORD },
    { "asst", "quiet morning coffee" },
  };
  gint64 case_id;

  add_staff (f);
  case_id = case_in_review (f, NULL);

  /* Whatever a UI shows, the store refuses every role but a provider. */
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OpApproval) a = op_store_approve (f->store, case_id, others[i].login, others[i].password, &error);

      g_assert_null (a);
      g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
      if (error)
        g_assert_nonnull (strstr (error->message, "Only a provider may approve"));
      g_clear_error (&error);

      g_assert_false (op_store_request_changes (f->store, case_id, others[i].login, others[i].password,
                                                "please level the curve", &error));
      g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
    }
  g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_IN_REVIEW);
  g_assert_cmpuint (n_approvals (f, case_id), ==, 0);
  g_assert_true (audit_has (f, "case.approve-refused", NULL, "coord: coordinator"));

  /* A provider with a wrong password approves nothing either. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OpApproval) a = op_store_approve (f->store, case_id, "drlee", "not my password at all", &error);

    g_assert_null (a);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
    g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_IN_REVIEW);
    g_assert_cmpuint (n_approvals (f, case_id), ==, 0);
  }
}

static void
test_wrong_state (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) a = NULL;
  OpPatient p = { 0, "Ng", "Lou", "1990-01-01", NULL };
  gint64 case_id;

  add_staff (f);
  case_id = op_store_create_case (f->store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);

  /* Submitted, not in review. */
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_null (a);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* In review but without a plan. */
  g_assert_true (op_store_set_case_state (f->store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_SEGMENTED, NULL));
  g_assert_true (op_store_set_case_state (f->store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_PLANNED, NULL));
  g_assert_true (op_store_set_case_state (f->store, case_id, OP_ROLE_PROVIDER, OP_CASE_STATE_IN_REVIEW, NULL));
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_null (a);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  if (error)
    g_assert_nonnull (strstr (error->message, "has no treatment plan"));
  g_clear_error (&error);
  g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_IN_REVIEW);

  /* No such case. */
  a = op_store_approve (f->store, 999, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_null (a);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
}

static void
test_tampered (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(OpApproval) shown = NULL;
  g_autoptr(GBytes) plan = NULL;
  gint64 case_id;

  add_staff (f);
  case_id = case_in_review (f, &plan);
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);

  /* Someone with the file edits the signed plan outside the app: one
   * digit of the JSON.  The triggers have to go first. */
  g_assert_cmpint (test_sql (f->path, "DROP TRIGGER plans_no_update"), ==, SQLITE_OK);
  g_assert_cmpint (test_sql (f->path, "UPDATE plans SET plan_json = replace(plan_json, '\"rot\": 1.5000', '\"rot\": 2.5000') "
                                      "WHERE version = 1"), ==, SQLITE_OK);
  g_assert_false (op_store_verify_approval (f->store, case_id, &shown, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE);
  if (error)
    {
      g_assert_nonnull (strstr (error->message, "plan v1 was changed after drlee signed it"));
      g_assert_nonnull (strstr (error->message, a->plan_sha256));
    }
  g_clear_error (&error);
  /* The record is still handed back, so a screen can show what was signed. */
  g_assert_nonnull (shown);
  if (shown)
    g_assert_cmpstr (shown->signer_name, ==, "Dr. Morgan Lee");

  /* Put the bytes back: valid again. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    sqlite3_open (f->path, &db);
    sqlite3_prepare_v2 (db, "UPDATE plans SET plan_json = ? WHERE version = 1", -1, &stmt, NULL);
    sqlite3_bind_text (stmt, 1, g_bytes_get_data (plan, NULL), (int) g_bytes_get_size (plan), SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  g_assert_true (op_store_verify_approval (f->store, case_id, NULL, &error));
  g_assert_no_error (error);

  /* Edit the signed record instead: the meaning, then the time. */
  g_assert_cmpint (test_sql (f->path, "DROP TRIGGER approvals_no_update"), ==, SQLITE_OK);
  g_assert_cmpint (test_sql (f->path, "UPDATE approvals SET meaning = 'approved treatment plan v1 for review'"), ==, SQLITE_OK);
  g_assert_false (op_store_verify_approval (f->store, case_id, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE);
  if (error)
    g_assert_nonnull (strstr (error->message, "does not verify"));
  g_clear_error (&error);
  g_assert_cmpint (test_sql (f->path, "UPDATE approvals SET meaning = 'approved treatment plan v1 for production', "
                                      "signed_at = '2020-01-01T00:00:00Z'"), ==, SQLITE_OK);
  g_assert_false (op_store_verify_approval (f->store, case_id, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* A plan version slipped in after the approval, around the trigger. */
  {
    g_autofree char *restore = g_strdup_printf ("UPDATE approvals SET signed_at = '%s'", a->signed_at);
    g_autoptr(GBytes) v2 = test_real_plan_bytes (6, 2.0);

    g_assert_cmpint (test_sql (f->path, restore), ==, SQLITE_OK);
    g_assert_true (op_store_verify_approval (f->store, case_id, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (test_sql (f->path, "DROP TRIGGER plans_frozen_after_approval"), ==, SQLITE_OK);
    g_assert_cmpint (test_insert_plan (f->path, case_id, 2, v2), ==, SQLITE_OK);
    g_assert_false (op_store_verify_approval (f->store, case_id, NULL, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE);
    if (error)
      g_assert_nonnull (strstr (error->message, "plan v2 was stored after v1 was approved"));
  }
}

static void
test_corrupt_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) a = NULL;
  gint64 case_id;

  add_staff (f);
  case_id = case_in_review (f, NULL);

  /* Flip one byte of the sealed secret key. */
  g_assert_cmpint (test_sql (f->path, "UPDATE users SET secret_key = substr(secret_key, 1, 100) || "
                                      "x'00' || substr(secret_key, 102) WHERE login = 'drlee'"), ==, SQLITE_OK);
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_null (a);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT);
  if (error)
    g_assert_nonnull (strstr (error->message, "The signing key of drlee is damaged; nothing was approved"));
  g_clear_error (&error);
  g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_IN_REVIEW);
  g_assert_cmpuint (n_approvals (f, case_id), ==, 0);

  /* A truncated key is named as damaged too. */
  g_assert_cmpint (test_sql (f->path, "UPDATE users SET secret_key = x'0102' WHERE login = 'drlee'"), ==, SQLITE_OK);
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_null (a);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* A damaged password hash. */
  g_assert_cmpint (test_sql (f->path, "UPDATE users SET password_hash = 'garbage' WHERE login = 'coord'"), ==, SQLITE_OK);
  g_assert_null (op_store_sign_in (f->store, "coord", TEST_COORD_PASSWORD, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT);
}

static void
test_request_changes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) notes = NULL;
  gint64 case_id;

  add_staff (f);
  case_id = case_in_review (f, NULL);

  g_assert_false (op_store_request_changes (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, "   ", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (op_store_request_changes (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD,
                                           "  Less rotation on 11 and 21; keep the midline.  ", &error));
  g_assert_no_error (error);
  g_assert_cmpint (case_state (f, case_id), ==, OP_CASE_STATE_CHANGES_REQUESTED);

  notes = op_store_list_change_requests (f->store, case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  if (notes && notes[0])
    g_assert_true (g_str_has_suffix (notes[0], "drlee: Less rotation on 11 and 21; keep the midline."));
  g_assert_true (audit_has (f, "case.request-changes", "drlee", "in-review -> changes-requested; plan v1; Less rotation"));

  /* Not in review any more: a second request or an approval is refused. */
  g_assert_false (op_store_request_changes (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, "again", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
}

static void
test_change_password (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(OpUser) before = NULL;
  g_autoptr(OpUser) after = NULL;
  gint64 case_id;
  const char *new_password = "lighthouse keeper at dawn";

  add_staff (f);
  case_id = case_in_review (f, NULL);
  a = op_store_approve (f->store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  before = op_store_get_user (f->store, "drlee", NULL);

  g_assert_false (op_store_change_password (f->store, "drlee", TEST_PROVIDER_PASSWORD, "short", &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (op_store_change_password (f->store, "drlee", "not the old password", new_password, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  g_assert_true (op_store_change_password (f->store, "drlee", TEST_PROVIDER_PASSWORD, new_password, &error));
  g_assert_no_error (error);

  g_assert_null (op_store_check_password (f->store, "drlee", TEST_PROVIDER_PASSWORD, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  /* Same key pair, re-sealed: the old approval still verifies and the new
   * password signs the next one. */
  after = op_store_get_user (f->store, "drlee", NULL);
  g_assert_cmpstr (before->fingerprint, ==, after->fingerprint);
  g_assert_true (op_store_verify_approval (f->store, case_id, NULL, &error));
  g_assert_no_error (error);
  {
    gint64 second = case_in_review (f, NULL);
    g_autoptr(OpApproval) b = op_store_approve (f->store, second, "drlee", new_password, &error);

    g_assert_no_error (error);
    g_assert_nonnull (b);
    g_assert_true (op_store_verify_approval (f->store, second, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_newer_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) again = NULL;
  int version;

  add_staff (f);
  version = op_store_get_schema_version (f->store);
  g_clear_object (&f->store);

  /* A database from a newer Orthoplan: refused, and left as it was, so
   * nothing can be approved in it by this build. */
  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

    g_assert_cmpint (test_sql (f->path, sql), ==, SQLITE_OK);
  }
  again = op_store_open (f->path, &error);
  g_assert_null (again);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA);
  if (error)
    g_assert_nonnull (strstr (error->message, "newer Orthoplan"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/io/user/first-user", test_first_user);
  ADD ("/io/user/bad-fields", test_bad_fields);
  ADD ("/io/user/list", test_list);
  ADD ("/io/user/sign-in-delay", test_sign_in_delay);
  ADD ("/io/user/change-password", test_change_password);
  ADD ("/io/approval/approve", test_approve);
  ADD ("/io/approval/roles-refused", test_roles_refused);
  ADD ("/io/approval/wrong-state", test_wrong_state);
  ADD ("/io/approval/tampered", test_tampered);
  ADD ("/io/approval/corrupt-key", test_corrupt_key);
  ADD ("/io/approval/request-changes", test_request_changes);
  ADD ("/io/approval/newer-database", test_newer_database);
#undef ADD

  return g_test_run ();
}
