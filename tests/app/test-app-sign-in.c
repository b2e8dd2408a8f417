/* test-app-sign-in.c: sign-in, roles, the idle lock, approval and the audit
 * view, through the real application under Xvfb.
 *
 * The tests share one application, window and database, in order: the
 * first-run page creates the administrator, who adds a provider and a
 * coordinator through the store and files three cases in review with plans
 * built from the real teeth; a provider mistypes the password and sees the
 * wait; the window locks itself while a change request is half written and
 * unlocks to the same case with the note still there; the provider
 * approves; a coordinator finds Approve insensitive with the planner's
 * reason and the store refuses the same call; the administrator's audit
 * view lists and filters the sign-ins and verifies the chain.  Screenshots
 * go to the build directory.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "op-application.h"
#include "op-approval-dialog.h"
#include "op-audit-view.h"
#include "op-window.h"
#include "test-app-util.h"
#include "test-user-util.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  OpStore       *store;
  char          *tmpdir;
  gint64         case_approve;
  gint64         case_coord;
  gint64         case_lock;
} fixture;

static gboolean
cond_locked (gpointer data)
{
  return op_window_get_locked (fixture.window);
}

static gboolean
cond_dialog_gone (gpointer data)
{
  return *(GtkWidget **) data == NULL;
}

/* Signs in through the page, as a person would; returns the page's error. */
static const char *
sign_in (const char *login,
         const char *password)
{
  OpSignIn *page = op_window_get_sign_in (fixture.window);

  op_sign_in_fill (page, login, password);
  op_sign_in_submit (page);
  g_assert_true (op_test_wait_until (op_test_cond_sign_in_idle, fixture.window, 60000));
  op_test_settle (100);
  return op_sign_in_get_error (page);
}

static void
sign_out (void)
{
  op_window_sign_out (fixture.window);
  g_assert_null (op_window_get_user (fixture.window));
  g_assert_cmpint (op_sign_in_get_mode (op_window_get_sign_in (fixture.window)), ==, OP_SIGN_IN_MODE_SIGN_IN);
}

/* Counts audit entries straight from the database file, through a
 * connection of its own: the window's store lists the log only for an
 * administrator, and the count should not depend on the code under test. */
static guint
count_audit (const char *actor,
             const char *action)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpint (sqlite3_open_v2 (op_store_get_path (fixture.store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM audit WHERE (?1 IS NULL OR actor = ?1) "
                                       "AND (?2 IS NULL OR action = ?2)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, action, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* A case in review with plan v1 from the real teeth (the store lets a
 * caller name the role it moves the case with; the permission that
 * matters here, approving, is checked from the signer's own row). */
static gint64
case_in_review (const char *family,
                const char *given,
                const char *chart)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plan = test_real_plan_bytes (4, 1.0);
  OpPatient p = { 0, (char *) family, (char *) given, (char *) "1985-03-02", (char *) chart };
  static const OpCaseState steps[] = {
    OP_CASE_STATE_SEGMENTED, OP_CASE_STATE_PLANNED, OP_CASE_STATE_IN_REVIEW,
  };
  gint64 case_id;

  g_assert_nonnull (plan);
  if (plan == NULL)
    return 0;
  case_id = op_store_create_case (fixture.store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_plan (fixture.store, case_id, 0, "{}", plan, &error), ==, 1);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_assert_true (op_store_set_case_state (fixture.store, case_id, OP_ROLE_PROVIDER, steps[i], &error));
      g_assert_no_error (error);
    }
  return case_id;
}

static OpCaseState
case_state (gint64 case_id)
{
  g_autoptr(OpCaseSummary) s = op_store_get_case (fixture.store, case_id, NULL);

  return s != NULL ? s->state : OP_CASE_N_STATES;
}

static void
test_first_run (void)
{
  g_autoptr(GError) error = NULL;
  OpSignIn *page;
  GtkWindow *window;

  fixture.app = op_test_start_app (fixture.tmpdir, &fixture.window);
  window = GTK_WINDOW (fixture.window);
  fixture.store = op_application_get_store (fixture.app);
  g_assert_nonnull (fixture.store);
  g_assert_true (op_test_wait_until (op_test_cond_mapped, window, 10000));
  op_test_settle (200);

  page = op_window_get_sign_in (fixture.window);
  g_assert_cmpint (op_sign_in_get_mode (page), ==, OP_SIGN_IN_MODE_FIRST_RUN);
  g_assert_null (op_window_get_user (fixture.window));

  /* Nothing behind the page yet: no case is listed before sign-in. */
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (op_window_get_case_list (fixture.window))));

  /* The planner's password policy, inline, before anything is pressed. */
  op_sign_in_fill_first_run (page, "Ada Admin", "admin", "short", "short");
  g_assert_false (op_sign_in_get_can_create (page));
  g_assert_nonnull (op_sign_in_get_error (page));
  g_test_message ("short: %s", op_sign_in_get_error (page));
  g_assert_nonnull (strstr (op_sign_in_get_error (page), "12"));

  op_sign_in_fill_first_run (page, NULL, NULL, "admin admin admin", "admin admin admin");
  g_assert_false (op_sign_in_get_can_create (page));
  g_test_message ("login inside: %s", op_sign_in_get_error (page));

  op_sign_in_fill_first_run (page, NULL, NULL, TEST_ADMIN_PASSWORD, "river stones and blue");
  g_assert_false (op_sign_in_get_can_create (page));
  g_assert_nonnull (strstr (op_sign_in_get_error (page), "differ"));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-first-run.png");

  /* Pressing the button with a form the policy refuses creates no one. */
  op_sign_in_submit (page);
  g_assert_false (op_sign_in_get_busy (page));
  g_assert_cmpint (op_store_count_users (fixture.store, NULL), ==, 0);

  op_sign_in_fill_first_run (page, NULL, NULL, NULL, TEST_ADMIN_PASSWORD);
  g_assert_true (op_sign_in_get_can_create (page));
  op_sign_in_submit (page);
  g_assert_true (op_sign_in_get_busy (page));
  g_assert_true (op_test_wait_until (op_test_cond_sign_in_idle, fixture.window, 60000));

  g_assert_nonnull (op_window_get_user (fixture.window));
  if (op_window_get_user (fixture.window) == NULL)
    return;
  g_assert_cmpint (op_window_get_user (fixture.window)->role, ==, OP_ROLE_ADMINISTRATOR);
  g_assert_cmpstr (op_store_get_actor (fixture.store), ==, "admin");
  g_assert_cmpint (op_store_count_users (fixture.store, NULL), ==, 1);
  g_assert_cmpuint (count_audit ("admin", "user.sign-in"), ==, 1);

  /* Staff and cases, through the store as the administrator. */
  {
    OpUserInput lee = { "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, TEST_NPI, TEST_PROVIDER_PASSWORD };
    OpUserInput coord = { "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, TEST_COORD_PASSWORD };

    g_assert_cmpint (op_store_add_user (fixture.store, &lee, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpint (op_store_add_user (fixture.store, &coord, &error), >, 0);
    g_assert_no_error (error);
  }
  fixture.case_approve = case_in_review ("Rivera", "Sam", "C-77");
  fixture.case_coord = case_in_review ("Okafor", "Ada", "C-78");
  fixture.case_lock = case_in_review ("Lindqvist", "Maja", "C-79");
  op_window_reload_cases (fixture.window);

  /* An administrator manages but does not approve: the audit log is open
   * to them, Approve is not. */
  g_assert_true (gtk_widget_get_sensitive (op_window_get_audit_button (fixture.window)));
  op_window_show_case (fixture.window, fixture.case_approve);
  g_assert_true (gtk_widget_get_visible (op_window_get_approve_button (fixture.window)));
  g_assert_false (gtk_widget_get_sensitive (op_window_get_approve_button (fixture.window)));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-admin.png");
}

static void
test_wrong_password (void)
{
  guint wait_s = op_sign_in_delay_seconds (OP_SIGN_IN_FREE_FAILURES + 1);
  const char *error;

  if (op_window_get_user (fixture.window) == NULL)
    {
      g_test_skip ("no administrator was created");
      return;
    }
  sign_out ();
  op_test_settle (200);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-page.png");

  /* Mistakes up to the free ones cost nothing; the next says how long the
   * following try must wait, and that try is refused until then. */
  for (guint i = 0; i < OP_SIGN_IN_FREE_FAILURES; i++)
    {
      error = sign_in ("drlee", "not the password at all");
      g_assert_nonnull (error);
      g_assert_null (op_window_get_user (fixture.window));
    }
  error = sign_in ("drlee", "still not the password");
  g_assert_nonnull (error);
  g_test_message ("third: %s", error);
  g_assert_nonnull (error != NULL ? strstr (error, "wait") : NULL);

  error = sign_in ("drlee", TEST_PROVIDER_PASSWORD);
  g_assert_nonnull (error);
  g_test_message ("too soon: %s", error);
  g_assert_nonnull (error != NULL ? strstr (error, "wait") : NULL);
  g_assert_null (op_window_get_user (fixture.window));
  op_test_settle (200);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-wait.png");

  /* After the wait, the right password works. */
  op_test_settle (wait_s * 1000 + 600);
  error = sign_in ("drlee", TEST_PROVIDER_PASSWORD);
  g_assert_null (error);
  g_assert_nonnull (op_window_get_user (fixture.window));
  g_assert_cmpstr (op_store_get_actor (fixture.store), ==, "drlee");
  g_assert_cmpuint (count_audit (NULL, "user.sign-in-failed"), ==, OP_SIGN_IN_FREE_FAILURES + 1);
}

static void
test_idle_lock (void)
{
  GtkWidget *dialog = NULL;
  g_autofree char *note = NULL;
  const char *error;

  if (op_window_get_user (fixture.window) == NULL || fixture.case_lock <= 0)
    {
      g_test_skip ("the provider is not signed in");
      return;
    }

  /* A change request half written: an unsaved edit. */
  op_window_show_case (fixture.window, fixture.case_lock);
  dialog = op_window_open_approval_dialog (fixture.window, FALSE);
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  op_approval_dialog_fill (OP_APPROVAL_DIALOG (dialog), NULL, "Level the curve of Spee on the lower arch");
  op_test_settle (200);

  op_window_set_lock_timeout_seconds (fixture.window, 1);
  g_assert_false (op_window_get_locked (fixture.window));
  g_assert_true (op_test_wait_until (cond_locked, NULL, 10000));

  g_assert_cmpint (op_sign_in_get_mode (op_window_get_sign_in (fixture.window)), ==, OP_SIGN_IN_MODE_LOCKED);
  g_assert_nonnull (dialog);
  g_assert_false (dialog != NULL && gtk_widget_get_visible (dialog));
  g_assert_cmpint (op_window_get_case_id (fixture.window), ==, fixture.case_lock);
  g_assert_cmpuint (count_audit ("drlee", "user.lock"), ==, 1);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-locked.png");

  /* The lock wants this person's password, not anyone's. */
  error = sign_in (NULL, TEST_COORD_PASSWORD);
  g_assert_nonnull (error);
  g_assert_true (op_window_get_locked (fixture.window));

  /* Back to the setting's minutes before unlocking, so that a slow
   * machine cannot lock the window again while the test goes on. */
  op_window_set_lock_timeout_seconds (fixture.window, 0);
  error = sign_in (NULL, TEST_PROVIDER_PASSWORD);
  g_assert_null (error);
  g_assert_false (op_window_get_locked (fixture.window));
  g_assert_cmpstr (op_window_get_user (fixture.window)->login, ==, "drlee");
  g_assert_cmpint (op_window_get_case_id (fixture.window), ==, fixture.case_lock);
  g_assert_cmpint (case_state (fixture.case_lock), ==, OP_CASE_STATE_IN_REVIEW);
  g_assert_nonnull (dialog);
  if (dialog != NULL)
    {
      g_assert_true (gtk_widget_get_visible (dialog));
      note = op_approval_dialog_get_note (OP_APPROVAL_DIALOG (dialog));
      g_assert_cmpstr (note, ==, "Level the curve of Spee on the lower arch");
    }
  g_assert_cmpuint (count_audit ("drlee", "user.unlock"), ==, 1);

  /* Sent with the password: the case goes back to planning. */
  op_test_settle (200);
  op_test_save_widget_png (dialog, "sign-in-request-changes.png");
  op_approval_dialog_fill (OP_APPROVAL_DIALOG (dialog), TEST_PROVIDER_PASSWORD, NULL);
  op_approval_dialog_submit (OP_APPROVAL_DIALOG (dialog));
  g_assert_true (op_test_wait_until (cond_dialog_gone, &dialog, 60000));
  if (dialog != NULL)
    g_test_message ("request changes: %s", op_approval_dialog_get_error (OP_APPROVAL_DIALOG (dialog)));
  g_assert_cmpint (case_state (fixture.case_lock), ==, OP_CASE_STATE_CHANGES_REQUESTED);
  g_assert_cmpuint (op_approval_panel_get_n_requests (op_window_get_approval_panel (fixture.window)), ==, 1);
}

static void
test_provider_approves (void)
{
  GtkWidget *dialog;
  GtkWidget *button = op_window_get_approve_button (fixture.window);
  OpApprovalPanel *panel = op_window_get_approval_panel (fixture.window);

  if (op_window_get_user (fixture.window) == NULL || fixture.case_approve <= 0)
    {
      g_test_skip ("the provider is not signed in");
      return;
    }

  op_window_show_case (fixture.window, fixture.case_approve);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_cmpint (op_approval_panel_get_status (panel), ==, OP_SIGNATURE_NONE);
  /* A provider is not an administrator. */
  g_assert_false (gtk_widget_get_sensitive (op_window_get_audit_button (fixture.window)));
  g_assert_nonnull (gtk_widget_get_tooltip_text (op_window_get_audit_button (fixture.window)));
  g_assert_null (op_window_open_audit_view (fixture.window));

  dialog = op_window_open_approval_dialog (fixture.window, TRUE);
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (op_approval_dialog_get_meaning (OP_APPROVAL_DIALOG (dialog)), ==,
                   "approved treatment plan v1 for production");

  /* A wrong password: the store's message in the dialog, nothing signed. */
  op_approval_dialog_fill (OP_APPROVAL_DIALOG (dialog), "not my password at all", NULL);
  op_approval_dialog_submit (OP_APPROVAL_DIALOG (dialog));
  g_assert_true (op_test_wait_until (op_test_cond_dialog_idle, &dialog, 60000));
  g_assert_nonnull (dialog);
  if (dialog == NULL)
    return;
  g_assert_nonnull (op_approval_dialog_get_error (OP_APPROVAL_DIALOG (dialog)));
  g_test_message ("wrong password: %s", op_approval_dialog_get_error (OP_APPROVAL_DIALOG (dialog)));
  g_assert_cmpint (case_state (fixture.case_approve), ==, OP_CASE_STATE_IN_REVIEW);
  op_test_settle (300);
  op_test_save_widget_png (dialog, "sign-in-approve-dialog.png");

  op_approval_dialog_fill (OP_APPROVAL_DIALOG (dialog), TEST_PROVIDER_PASSWORD, NULL);
  op_approval_dialog_submit (OP_APPROVAL_DIALOG (dialog));
  g_assert_true (op_test_wait_until (cond_dialog_gone, &dialog, 60000));
  g_assert_cmpint (case_state (fixture.case_approve), ==, OP_CASE_STATE_APPROVED);

  /* Opening the approved case verifies the signature and shows it. */
  op_window_show_case (fixture.window, fixture.case_lock);
  op_window_show_case (fixture.window, fixture.case_approve);
  g_assert_cmpint (op_approval_panel_get_status (panel), ==, OP_SIGNATURE_VALID);
  g_assert_nonnull (op_approval_panel_get_summary (panel));
  if (op_approval_panel_get_summary (panel) != NULL)
    {
      g_test_message ("%s", op_approval_panel_get_summary (panel));
      g_assert_nonnull (strstr (op_approval_panel_get_summary (panel), "Dr. Morgan Lee"));
      g_assert_nonnull (strstr (op_approval_panel_get_summary (panel), TEST_NPI));
      g_assert_nonnull (strstr (op_approval_panel_get_summary (panel), "approved treatment plan v1 for production"));
    }
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_cmpuint (count_audit ("drlee", "case.approve"), ==, 1);
  op_test_settle (400);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-approved.png");
}

static void
test_coordinator (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpApproval) approval = NULL;
  GtkWidget *button = op_window_get_approve_button (fixture.window);
  const char *why = NULL;
  const char *sign_in_error;

  if (fixture.case_coord <= 0)
    {
      g_test_skip ("no case in review");
      return;
    }

  sign_out ();
  sign_in_error = sign_in ("coord", TEST_COORD_PASSWORD);
  g_assert_null (sign_in_error);
  g_assert_nonnull (op_window_get_user (fixture.window));

  op_window_show_case (fixture.window, fixture.case_coord);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (op_role_has_right (OP_ROLE_COORDINATOR, OP_RIGHT_APPROVE, &why));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, why);
  g_test_message ("tooltip: %s", gtk_widget_get_tooltip_text (button));

  /* Whatever the window shows, the store refuses the coordinator. */
  approval = op_store_approve (fixture.store, fixture.case_coord, "coord", TEST_COORD_PASSWORD, &error);
  g_assert_null (approval);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_assert_cmpint (case_state (fixture.case_coord), ==, OP_CASE_STATE_IN_REVIEW);
  g_clear_error (&error);

  /* Nor may a coordinator read the audit log, in the window or the store. */
  g_assert_false (gtk_widget_get_sensitive (op_window_get_audit_button (fixture.window)));
  g_assert_null (op_window_open_audit_view (fixture.window));
  g_assert_null (op_store_list_audit (fixture.store, NULL, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);

  op_test_settle (400);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "sign-in-coordinator.png");
}

static void
test_audit_view (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  GtkWidget *view;
  OpAuditView *audit;
  const char *message = NULL;
  guint all, sign_ins;

  sign_out ();
  g_assert_null (sign_in ("admin", TEST_ADMIN_PASSWORD));
  g_assert_nonnull (op_window_get_user (fixture.window));

  view = op_window_open_audit_view (fixture.window);
  g_assert_nonnull (view);
  if (view == NULL)
    return;
  audit = OP_AUDIT_VIEW (view);
  g_assert_null (op_audit_view_get_error (audit));

  all = op_audit_view_get_n_entries (audit);
  g_assert_cmpuint (all, ==, count_audit (NULL, NULL));
  g_assert_cmpstr (op_audit_view_get_entry (audit, 0)->action, ==, "user.sign-in");
  g_assert_cmpstr (op_audit_view_get_entry (audit, 0)->actor, ==, "admin");

  /* Sign-ins only: admin twice, the provider and the coordinator once. */
  op_audit_view_set_action (audit, "user.sign-in");
  sign_ins = op_audit_view_get_n_entries (audit);
  g_assert_cmpuint (sign_ins, ==, 4);
  for (guint i = 0; i < sign_ins; i++)
    g_assert_cmpstr (op_audit_view_get_entry (audit, i)->action, ==, "user.sign-in");
  op_test_settle (300);
  op_test_save_widget_png (view, "sign-in-audit-view.png");

  op_audit_view_set_user (audit, "drlee");
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), ==, 1);

  op_audit_view_set_action (audit, NULL);
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), ==, count_audit ("drlee", NULL));

  op_audit_view_set_user (audit, NULL);
  op_audit_view_set_case (audit, fixture.case_approve);
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), >=, 5);
  for (guint i = 0; i < op_audit_view_get_n_entries (audit); i++)
    g_assert_true (g_str_has_prefix (op_audit_view_get_entry (audit, i)->object, "case:"));
  op_audit_view_set_case (audit, 0);

  op_audit_view_set_dates (audit, today, today);
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), >, 0);
  op_audit_view_set_dates (audit, "2000-01-01", "2000-01-31");
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), ==, 0);
  op_audit_view_set_dates (audit, NULL, NULL);
  g_assert_cmpuint (op_audit_view_get_n_entries (audit), ==, all);

  g_assert_true (op_audit_view_verify (audit, &message));
  g_assert_nonnull (message);
  g_test_message ("verify: %s", message);
  op_test_settle (300);
  op_test_save_widget_png (view, "sign-in-audit-verified.png");

  gtk_window_destroy (GTK_WINDOW (view));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  op_test_quiet_environment ();

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  fixture.tmpdir = g_dir_make_tmp ("orthoplan-sign-in-XXXXXX", NULL);
  g_assert_nonnull (fixture.tmpdir);

  g_test_add_func ("/app/sign-in/first-run", test_first_run);
  g_test_add_func ("/app/sign-in/wrong-password", test_wrong_password);
  g_test_add_func ("/app/sign-in/idle-lock", test_idle_lock);
  g_test_add_func ("/app/sign-in/provider-approves", test_provider_approves);
  g_test_add_func ("/app/sign-in/coordinator", test_coordinator);
  g_test_add_func ("/app/sign-in/audit-view", test_audit_view);

  ret = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);

  op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);

  return ret;
}
