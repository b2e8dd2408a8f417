/* test-io-audit-query.c: reading the audit log back with filters, as the
 * administrator's audit view does, over a store with real sign-ins and a
 * real approval of a plan built from the real teeth. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "op-store.h"
#include "test-user-util.h"

typedef struct {
  char    *dir;
  char    *path;
  OpStore *store;
  gint64   case_id;
  gint64   other_case_id;
} Fixture;

/* Staff, two cases (one approved by the provider, one left alone) and a
 * wrong password, then the store signed in as the administrator again. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpUser) admin = NULL;
  g_autoptr(OpUser) again = NULL;
  g_autoptr(GBytes) plan = test_real_plan_bytes (4, 1.0);
  g_autoptr(OpApproval) approval = NULL;
  OpPatient p = { 0, "Rivera", "Sam", "1985-03-02", "C-77" };
  OpPatient q = { 0, "Okafor", "Ada", "1992-11-20", "C-78" };
  static const OpCaseState steps[] = {
    OP_CASE_STATE_SEGMENTED, OP_CASE_STATE_PLANNED, OP_CASE_STATE_IN_REVIEW,
  };

  f->dir = g_dir_make_tmp ("op-audit-query-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "orthoplan.db", NULL);
  f->store = op_store_open (f->path, &error);
  g_assert_no_error (error);

  test_add_user (f->store, "admin", "Ada Admin", OP_ROLE_ADMINISTRATOR, NULL, TEST_ADMIN_PASSWORD);
  admin = op_store_sign_in (f->store, "admin", TEST_ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  test_add_user (f->store, "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD);
  test_add_user (f->store, "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, TEST_COORD_PASSWORD);

  g_assert_nonnull (plan);
  f->case_id = op_store_create_case (f->store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  f->other_case_id = op_store_create_case (f->store, &q, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (f->store, f->case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_assert_true (op_store_set_case_state (f->store, f->case_id, OP_ROLE_PROVIDER, steps[i], &error));
      g_assert_no_error (error);
    }

  op_store_sign_out (f->store);
  g_assert_null (op_store_sign_in (f->store, "coord", "not the password at all", NULL));
  g_clear_pointer (&admin, op_user_free);
  admin = op_store_sign_in (f->store, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  approval = op_store_approve (f->store, f->case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (approval);
  op_store_sign_out (f->store);

  again = op_store_sign_in (f->store, "admin", TEST_ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&f->store);
  d = g_dir_open (f->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static GPtrArray *
list (Fixture             *f,
      const OpAuditFilter *filter)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = op_store_list_audit (f->store, filter, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries != NULL ? entries : g_ptr_array_new ();
}

static guint
count_action (GPtrArray  *entries,
              const char *action)
{
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    n += g_str_equal (((OpAuditEntry *) g_ptr_array_index (entries, i))->action, action);
  return n;
}

static void
test_all (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GPtrArray) all = list (f, NULL);
  gint64 n_good = 0, broken = -1;

  /* Newest first, every sequence number once, the chain intact. */
  g_assert_cmpuint (all->len, >, 10);
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (((OpAuditEntry *) all->pdata[i - 1])->seq, ==,
                     ((OpAuditEntry *) all->pdata[i])->seq + 1);
  g_assert_cmpint (((OpAuditEntry *) all->pdata[all->len - 1])->seq, ==, 1);
  g_assert_cmpstr (((OpAuditEntry *) all->pdata[0])->action, ==, "user.sign-in");
  g_assert_cmpstr (((OpAuditEntry *) all->pdata[0])->actor, ==, "admin");
  g_assert_cmpuint (strlen (((OpAuditEntry *) all->pdata[0])->hash), ==, 64);

  g_assert_true (op_store_verify_audit_report (f->store, &n_good, &broken, NULL));
  g_assert_cmpint (n_good, ==, (gint64) all->len);
  g_assert_cmpint (broken, ==, 0);

  /* A limit keeps the newest. */
  {
    OpAuditFilter filter = { .limit = 3 };
    g_autoptr(GPtrArray) three = list (f, &filter);

    g_assert_cmpuint (three->len, ==, 3);
    g_assert_cmpint (((OpAuditEntry *) three->pdata[0])->seq, ==, ((OpAuditEntry *) all->pdata[0])->seq);
  }
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) all = list (f, NULL);

  /* By action: three successful sign-ins (admin, drlee, admin again). */
  {
    OpAuditFilter filter = { .action = "user.sign-in" };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, ==, 3);
    g_assert_cmpuint (got->len, ==, count_action (all, "user.sign-in"));
    g_assert_cmpuint (count_action (got, "user.sign-in"), ==, got->len);
  }

  /* A family: every user.* entry and nothing else. */
  {
    OpAuditFilter filter = { .action = "user." };
    g_autoptr(GPtrArray) got = list (f, &filter);
    guint expected = 0;

    for (guint i = 0; i < all->len; i++)
      expected += g_str_has_prefix (((OpAuditEntry *) all->pdata[i])->action, "user.");
    g_assert_cmpuint (got->len, ==, expected);
    g_assert_cmpuint (count_action (got, "user.sign-in-failed"), ==, 1);
    g_assert_cmpuint (count_action (got, "user.add"), ==, 3);
    g_assert_cmpuint (count_action (got, "case.approve"), ==, 0);
  }

  /* What a person types is text, not a pattern. */
  {
    OpAuditFilter filter = { .action = "user.%" };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, ==, 0);
  }

  /* By user: the provider's sign-in, approval and sign-out (and whatever
   * else approving records under the signer's name), nobody else's. */
  {
    OpAuditFilter filter = { .actor = "drlee" };
    g_autoptr(GPtrArray) got = list (f, &filter);
    guint expected = 0;

    for (guint i = 0; i < all->len; i++)
      expected += g_str_equal (((OpAuditEntry *) all->pdata[i])->actor, "drlee");
    for (guint i = 0; i < got->len; i++)
      g_test_message ("drlee: %s %s", ((OpAuditEntry *) got->pdata[i])->action,
                      ((OpAuditEntry *) got->pdata[i])->object);
    g_assert_cmpuint (got->len, ==, expected);
    g_assert_cmpuint (got->len, >=, 3);
    for (guint i = 0; i < got->len; i++)
      g_assert_cmpstr (((OpAuditEntry *) got->pdata[i])->actor, ==, "drlee");
    g_assert_cmpuint (count_action (got, "case.approve"), ==, 1);
    g_assert_cmpuint (count_action (got, "user.sign-in"), ==, 1);
    g_assert_cmpuint (count_action (got, "user.sign-out"), ==, 1);
  }

  /* By case: the approved case's creation, plan, three moves and the
   * approval; none of the other case's. */
  {
    OpAuditFilter filter = { .case_id = f->case_id };
    g_autoptr(GPtrArray) got = list (f, &filter);
    g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, f->case_id);

    g_assert_cmpuint (count_action (got, "case.create"), ==, 1);
    g_assert_cmpuint (count_action (got, "plan.create"), ==, 1);
    g_assert_cmpuint (count_action (got, "case.state"), ==, 3);
    g_assert_cmpuint (count_action (got, "case.approve"), ==, 1);
    for (guint i = 0; i < got->len; i++)
      g_assert_cmpstr (((OpAuditEntry *) got->pdata[i])->object, ==, object);
  }
  {
    OpAuditFilter filter = { .case_id = f->other_case_id, .action = "case.approve" };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, ==, 0);
  }

  /* Combined: the provider on the approved case. */
  {
    OpAuditFilter filter = { .actor = "drlee", .case_id = f->case_id };
    g_autoptr(GPtrArray) got = list (f, &filter);
    g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, f->case_id);
    guint expected = 0;

    for (guint i = 0; i < all->len; i++)
      expected += g_str_equal (((OpAuditEntry *) all->pdata[i])->actor, "drlee") &&
                  g_str_equal (((OpAuditEntry *) all->pdata[i])->object, object);
    g_assert_cmpuint (got->len, ==, expected);
    g_assert_cmpuint (count_action (got, "case.approve"), ==, 1);
    g_assert_cmpuint (count_action (got, "user.sign-in"), ==, 0);
  }
}

static void
test_dates (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) all = list (f, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *next_day = g_date_time_format (tomorrow, "%Y-%m-%d");
  const OpAuditEntry *newest = all->pdata[0];
  const OpAuditEntry *oldest = all->pdata[all->len - 1];

  /* Everything was written in the last minute: it lies within today and
   * tomorrow (the day may have turned since), and nothing is from later. */
  {
    OpAuditFilter filter = { .since = oldest->time };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, ==, all->len);
  }
  {
    OpAuditFilter filter = { .since = today, .until = "2999-01-01" };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, >=, 1);
    g_assert_cmpuint (got->len, <=, all->len);
  }
  {
    OpAuditFilter filter = { .since = next_day, .until = "2999-01-01" };
    g_autoptr(GPtrArray) got = list (f, &filter);
    guint later = 0;

    for (guint i = 0; i < all->len; i++)
      later += strcmp (((OpAuditEntry *) all->pdata[i])->time, next_day) >= 0;
    g_assert_cmpuint (got->len, ==, later);
  }
  /* "until" is exclusive: up to the newest entry's time leaves it out
   * together with any entry written in the same second. */
  {
    OpAuditFilter filter = { .until = newest->time };
    g_autoptr(GPtrArray) got = list (f, &filter);
    guint before = 0;

    for (guint i = 0; i < all->len; i++)
      before += strcmp (((OpAuditEntry *) all->pdata[i])->time, newest->time) < 0;
    g_assert_cmpuint (got->len, ==, before);
    g_assert_cmpuint (got->len, <, all->len);
  }
  {
    OpAuditFilter filter = { .until = "2000-01-01" };
    g_autoptr(GPtrArray) got = list (f, &filter);

    g_assert_cmpuint (got->len, ==, 0);
  }
}

static void
test_bad_bounds (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const bad[] = { "yesterday", "2026-1-5", "2026-01-05 10:00", "2026-01-05T10:00:00+02:00", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      OpAuditFilter filter = { .since = bad[i] };
      g_autoptr(GPtrArray) got = op_store_list_audit (f->store, &filter, &error);

      g_assert_null (got);
      g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
      if (error != NULL)
        {
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, "From"));
        }
    }
}

static void
test_permission (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(OpUser) coord = NULL;
  g_auto(GStrv) actors = NULL;
  g_auto(GStrv) actions = NULL;

  /* An administrator sees the choices for the filters. */
  actors = op_store_list_audit_actors (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (actors);
  g_assert_true (actors != NULL && g_strv_contains ((const char * const *) actors, "drlee"));
  g_assert_true (actors != NULL && g_strv_contains ((const char * const *) actors, "admin"));
  actions = op_store_list_audit_actions (f->store, &error);
  g_assert_no_error (error);
  g_assert_true (actions != NULL && g_strv_contains ((const char * const *) actions, "case.approve"));

  /* No one signed in: refused. */
  op_store_sign_out (f->store);
  got = op_store_list_audit (f->store, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_clear_error (&error);

  /* A coordinator: refused with the role named; so are the choices. */
  coord = op_store_sign_in (f->store, "coord", TEST_COORD_PASSWORD, &error);
  g_assert_no_error (error);
  got = op_store_list_audit (f->store, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  if (error != NULL)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "coordinator"));
    }
  g_clear_error (&error);
  g_assert_null (op_store_list_audit_actions (f->store, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_clear_error (&error);

  /* A role changed in the database behind the connection's back counts
   * at once: the store reads it for every call. */
  g_assert_cmpint (test_sql (f->path, "UPDATE users SET role = 'administrator' WHERE login = 'coord'"), ==, 0);
  got = op_store_list_audit (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  if (g_getenv ("OP_SHARED_DATA") == NULL)
    g_setenv ("OP_SHARED_DATA", "../shared/data", FALSE);

  ADD ("/io/audit-query/all", test_all);
  ADD ("/io/audit-query/filters", test_filters);
  ADD ("/io/audit-query/dates", test_dates);
  ADD ("/io/audit-query/bad-bounds", test_bad_bounds);
  ADD ("/io/audit-query/permission", test_permission);

  return g_test_run ();
}
