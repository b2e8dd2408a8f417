/* test-app-util.c: helpers shared by the application tests under Xvfb.
 *
 * See test-app-util.h for why these exist.  None of them asserts on the
 * application's behaviour: the tests do that, so that a failure points at
 * the test that saw it.  The one assertion here is that a screenshot that
 * was drawn can also be written.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "op-approval-dialog.h"
#include "op-case-view.h"
#include "op-sign-in.h"
#include "op-viewer.h"
#include "test-app-util.h"

/* Quiets GTK for a display with no session around it (see DESIGN.md),
 * keeps settings in memory so that no test touches the user's, and points
 * the session bus at nothing so that GApplication does not autolaunch one.
 * The database comes from the test's own fixture, never from the
 * environment.  Call it before g_test_init(). */
void
op_test_quiet_environment (void)
{
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("GDK_BACKEND", "x11", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/orthoplan-test-bus", TRUE);
  g_unsetenv ("ORTHOPLAN_DB");
}

/* Iterates the main context until @cond holds or @timeout_ms passes;
 * returns whether @cond held. */
gboolean
op_test_wait_until (OpTestCond cond,
                    gpointer   data,
                    guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;

      /* Never block: the worker threads report through idle sources, but
       * a frame clock tick may be what we wait for. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }

  return TRUE;
}

/* Lets the main loop run for @ms milliseconds, so that frames are drawn
 * and idle callbacks run without the test waiting on one thing. */
void
op_test_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* @data is a GtkWidget: holds once it is mapped. */
gboolean
op_test_cond_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* Mapped is not yet laid out: on a loaded machine a widget can be mapped
 * for a while before its allocation is the size the window gives it. */
gboolean
op_test_cond_sized (gpointer data)
{
  GtkWidget *widget = GTK_WIDGET (data);

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) >= 200 &&
         gtk_widget_get_height (widget) >= 200;
}

/* @data is the OpWindow: holds once its sign-in page is not checking a
 * password. */
gboolean
op_test_cond_sign_in_idle (gpointer data)
{
  return !op_sign_in_get_busy (op_window_get_sign_in (OP_WINDOW (data)));
}

/* @data is an OpCaseView: holds once it has no job running. */
gboolean
op_test_cond_case_view_idle (gpointer data)
{
  return !op_case_view_get_busy (OP_CASE_VIEW (data));
}

/* @data is a GtkWidget ** to an OpApprovalDialog.  The dialog closes
 * itself once the signature is stored, so the tests watch it through a
 * weak pointer: NULL counts as idle. */
gboolean
op_test_cond_dialog_idle (gpointer data)
{
  GtkWidget **dialog = data;

  return *dialog == NULL || !op_approval_dialog_get_busy (OP_APPROVAL_DIALOG (*dialog));
}

/* @data is an OpTestFrameWait.  A viewer that failed draws no more
 * frames, so its error ends the wait too and the test then checks it. */
gboolean
op_test_cond_frames (gpointer data)
{
  OpTestFrameWait *wait = data;

  return op_viewer_get_frame_count (wait->viewer) >= wait->frames ||
         op_viewer_get_error_message (wait->viewer) != NULL;
}

/* A path in the test's build directory, where screenshots are kept so
 * that a person can look at them after the run; free with g_free(). */
char *
op_test_build_path (const char *name)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");

  return g_build_filename (dir ? dir : ".", name, NULL);
}

/* Draws @widget as GTK would and saves it as @name in the build
 * directory.  A widget that draws nothing is reported, not failed: a
 * screenshot is for a person, and the tests check the widgets themselves. */
void
op_test_save_widget_png (GtkWidget  *widget,
                         const char *name)
{
  g_autofree char *path = op_test_build_path (name);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* A widget whose layout is being redone (a revealer sliding, a list
   * refilled) draws nothing until it is allocated again; give GTK a frame
   * and try again. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        op_test_settle (20);
    }

  if (node == NULL || width <= 0 || height <= 0)
    {
      g_test_message ("no screenshot for %s: the widget drew nothing", name);
      return;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Removes @path and everything under it; the tests' private directories
 * hold a database, settings and exported files. */
void
op_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        op_test_remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

/* Starts the real application on a new database, cases.db in @tmpdir, and
 * activates it as the desktop would, which opens its window; returns the
 * application and the window in @out_window.  The window is not mapped
 * yet, so that the caller can give it a size first. */
OpApplication *
op_test_start_app (const char  *tmpdir,
                   OpWindow   **out_window)
{
  g_autofree char *db = g_build_filename (tmpdir, "cases.db", NULL);
  g_autoptr(GError) error = NULL;
  OpApplication *app = op_application_new ();
  GtkWindow *window;

  op_application_set_db_path (app, db);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (OP_IS_WINDOW (window));
  *out_window = OP_IS_WINDOW (window) ? OP_WINDOW (window) : NULL;
  return app;
}

/* Closes @window, lets the main loop run the idle callbacks its closing
 * queued and drops the application, so that the database is closed before
 * the test removes its directory; clears *@app. */
void
op_test_stop_app (OpApplication **app,
                  OpWindow       *window)
{
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  op_test_settle (100);
  g_clear_object (app);
}

/* Creates the administrator through @window's first-run page, adds @user
 * through @store as an administrator would, signs out and signs @user in
 * through the sign-in page, as a person would.  Sign-in is mandatory in
 * the application, so every test that works on cases starts here; the
 * checks on the way are the ones the first-run and sign-in pages promise. */
void
op_test_first_run_sign_in (OpWindow          *window,
                           OpStore           *store,
                           const OpUserInput *user)
{
  OpSignIn *sign_in = op_window_get_sign_in (window);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (op_sign_in_get_mode (sign_in), ==, OP_SIGN_IN_MODE_FIRST_RUN);
  g_assert_null (op_window_get_user (window));
  op_sign_in_fill_first_run (sign_in, "Ada Admin", "admin",
                             OP_TEST_ADMIN_PASSWORD, OP_TEST_ADMIN_PASSWORD);
  op_sign_in_submit (sign_in);
  g_assert_true (op_test_wait_until (op_test_cond_sign_in_idle, window, 60000));
  g_assert_nonnull (op_window_get_user (window));
  g_assert_cmpint (op_store_add_user (store, user, &error), >, 0);
  g_assert_no_error (error);

  op_window_sign_out (window);
  g_assert_cmpint (op_sign_in_get_mode (sign_in), ==, OP_SIGN_IN_MODE_SIGN_IN);
  op_sign_in_fill (sign_in, user->login, user->password);
  op_sign_in_submit (sign_in);
  g_assert_true (op_test_wait_until (op_test_cond_sign_in_idle, window, 60000));
  g_assert_null (op_sign_in_get_error (sign_in));
  g_assert_nonnull (op_window_get_user (window));
  if (op_window_get_user (window) != NULL)
    g_assert_cmpstr (op_window_get_user (window)->login, ==, user->login);
}

/* Makes a private directory from @tmpdir_template (returned in
 * @out_tmpdir for the test to remove), starts the application on a new
 * database there with its window @width x @height, waits for the window
 * to be mapped and signs in the provider "drlee" through the first-run and
 * sign-in pages: where every test of a case's pages starts. */
OpApplication *
op_test_start_provider (const char  *tmpdir_template,
                        int          width,
                        int          height,
                        char       **out_tmpdir,
                        OpWindow   **out_window)
{
  OpUserInput lee = { "drlee", "Dr. Morgan Lee", OP_ROLE_PROVIDER, OP_TEST_PROVIDER_NPI, OP_TEST_PROVIDER_PASSWORD };
  g_autoptr(GError) error = NULL;
  OpApplication *app;

  *out_tmpdir = g_dir_make_tmp (tmpdir_template, &error);
  g_assert_no_error (error);
  app = op_test_start_app (*out_tmpdir, out_window);
  gtk_window_set_default_size (GTK_WINDOW (*out_window), width, height);
  g_assert_true (op_test_wait_until (op_test_cond_mapped, *out_window, 10000));
  op_test_first_run_sign_in (*out_window, op_application_get_store (app), &lee);
  return app;
}

/* Opens the demo case (real teeth, a plan waiting for review) in @window
 * as the menu item does and returns its id, which must be a real one. */
gint64
op_test_open_demo (OpApplication *app,
                   OpWindow      *window)
{
  g_autoptr(GError) error = NULL;
  gint64 case_id;

  g_assert_true (op_application_show_demo (app, GTK_WINDOW (window), &error));
  g_assert_no_error (error);
  case_id = op_window_get_case_id (window);
  g_assert_cmpint (case_id, >, 0);
  return case_id;
}

/* Shows the page @name of the case's view stack that holds @page, the
 * widget of one of its pages, as a click on its tab would. */
void
op_test_show_page (gpointer    page,
                   const char *name)
{
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK);

  g_assert_nonnull (stack);
  if (stack != NULL)
    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), name);
}

/* Approves the plan shown in @window for production through the window's
 * approval dialog, signed with @password, as the provider would, and
 * waits for the dialog to finish; FALSE (and the test failed) when the
 * window opened no dialog. */
gboolean
op_test_approve (OpWindow   *window,
                 const char *password)
{
  GtkWidget *dialog = op_window_open_approval_dialog (window, TRUE);

  g_assert_nonnull (dialog);
  if (dialog == NULL)
    return FALSE;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  op_approval_dialog_fill (OP_APPROVAL_DIALOG (dialog), password, NULL);
  op_approval_dialog_submit (OP_APPROVAL_DIALOG (dialog));
  g_assert_true (op_test_wait_until (op_test_cond_dialog_idle, &dialog, 60000));
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  op_test_settle (300);
  return TRUE;
}
