/* test-app-ui.c: runs the real Orthoplan application in-process under Xvfb.
 *
 * The tests share one application and one window, in order: start with an
 * empty database, create a case through the dialog, import a generated
 * scan through the same code path as the file chooser and drag and drop,
 * refuse a bad file, then open the demo case.  Sign-in is mandatory, so the
 * first test creates the administrator through the first-run page, adds a
 * treatment coordinator through the store and signs in as the coordinator
 * through the sign-in page, as a person would.  Screenshots of the window
 * and of the viewer's own pixels are written to the build directory so
 * that a person can look at them.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "op-application.h"
#include "op-case-row.h"
#include "op-new-case-dialog.h"
#include "op-scan-loader.h"
#include "op-window.h"
#include "test-app-util.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  char          *tmpdir;
  gint64         case_id;
} fixture;

#define COORD_PASSWORD "paper lanterns in june"

/* Writes a binary STL of an icosphere (20 * 4^level triangles) squashed
 * into the size of a dental arch, in millimetres. */
static char *
write_sphere_stl (const char *name,
                  guint       level)
{
  g_autoptr(GArray) tris = g_array_new (FALSE, FALSE, sizeof (float) * 9);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const float t = (1.0f + sqrtf (5.0f)) / 2.0f;
  const float v[12][3] = {
    {-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0},
    {0, -1, t}, {0, 1, t}, {0, -1, -t}, {0, 1, -t},
    {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1},
  };
  const int f[20][3] = {
    {0, 11, 5}, {0, 5, 1}, {0, 1, 7}, {0, 7, 10}, {0, 10, 11},
    {1, 5, 9}, {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
    {3, 9, 4}, {3, 4, 2}, {3, 2, 6}, {3, 6, 8}, {3, 8, 9},
    {4, 9, 5}, {2, 4, 11}, {6, 2, 10}, {8, 6, 7}, {9, 8, 1},
  };
  char header[80] = "orthoplan test icosphere";
  char *path = g_build_filename (fixture.tmpdir, name, NULL);
  guint32 count;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 20; i++)
    {
      float tri[9];
      for (guint k = 0; k < 3; k++)
        memcpy (&tri[k * 3], v[f[i][k]], sizeof (float) * 3);
      g_array_append_val (tris, tri);
    }

  for (guint l = 0; l < level; l++)
    {
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (float) * 9);

      for (guint i = 0; i < tris->len; i++)
        {
          const float *a = &g_array_index (tris, float, i * 9);
          float m[3][3];
          float sub[4][9];

          for (guint e = 0; e < 3; e++)
            for (guint c = 0; c < 3; c++)
              m[e][c] = (a[e * 3 + c] + a[((e + 1) % 3) * 3 + c]) / 2.0f;

          /* corners a0 m0 m2, m0 a1 m1, m2 m1 a2, m0 m1 m2 */
          memcpy (&sub[0][0], &a[0], 12); memcpy (&sub[0][3], m[0], 12); memcpy (&sub[0][6], m[2], 12);
          memcpy (&sub[1][0], m[0], 12); memcpy (&sub[1][3], &a[3], 12); memcpy (&sub[1][6], m[1], 12);
          memcpy (&sub[2][0], m[2], 12); memcpy (&sub[2][3], m[1], 12); memcpy (&sub[2][6], &a[6], 12);
          memcpy (&sub[3][0], m[0], 12); memcpy (&sub[3][3], m[1], 12); memcpy (&sub[3][6], m[2], 12);
          g_array_append_vals (next, sub, 4);
        }

      g_array_set_size (tris, 0);
      g_array_append_vals (tris, next->data, next->len);
    }

  g_byte_array_append (out, (const guint8 *) header, sizeof header);
  count = GUINT32_TO_LE (tris->len);
  g_byte_array_append (out, (const guint8 *) &count, 4);

  for (guint i = 0; i < tris->len; i++)
    {
      float *a = &g_array_index (tris, float, i * 9);
      float rec[12] = { 0 };
      guint16 attr = 0;

      for (guint k = 0; k < 3; k++)
        {
          float *p = &a[k * 3];
          float len = sqrtf (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);

          /* 50 x 40 x 20 mm, about an arch's bounding box. */
          rec[3 + k * 3 + 0] = p[0] / len * 25.0f;
          rec[3 + k * 3 + 1] = p[1] / len * 20.0f;
          rec[3 + k * 3 + 2] = p[2] / len * 10.0f;
        }
      g_byte_array_append (out, (const guint8 *) rec, sizeof rec);
      g_byte_array_append (out, (const guint8 *) &attr, 2);
    }

  g_file_set_contents (path, (const char *) out->data, out->len, &error);
  g_assert_no_error (error);

  return path;
}

/* Saves the viewer's pixels and returns how many differ clearly from the
 * background, taken from the top-left corner. */
static gsize
save_viewer_png (OpViewer   *viewer,
                 const char *name)
{
  g_autofree char *path = op_test_build_path (name);
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = 0, height = 0;
  gsize differing = 0;

  pixels = op_viewer_read_pixels (viewer, &width, &height);
  g_assert_nonnull (pixels);
  g_assert_cmpint (width, >, 100);
  g_assert_cmpint (height, >, 100);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      int diff = 0;

      for (guint c = 0; c < 3; c++)
        diff += ABS ((int) pixels[i * 4 + c] - (int) pixels[c]);
      if (diff > 24)
        differing++;
    }

  bytes = g_bytes_new (pixels, (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("viewer pixels: %s (%" G_GSIZE_FORMAT " of %d differ from the background)",
                  path, differing, width * height);

  return differing;
}

static guint
count_listed_cases (gint64 case_id)
{
  GtkListBox *list = op_window_get_case_list (fixture.window);
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (OP_IS_CASE_ROW (child) && (case_id == 0 || op_case_row_get_case_id (OP_CASE_ROW (child)) == case_id))
      n++;

  return n;
}

static guint
store_scan_count (gint64 case_id)
{
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GError) error = NULL;

  scans = op_store_list_scans (op_window_get_store (fixture.window), case_id, &error);
  g_assert_no_error (error);

  return scans->len;
}

static void
close_error_dialog (void)
{
  GtkWindow *dialog = op_window_get_error_dialog (fixture.window);

  if (dialog != NULL)
    gtk_window_destroy (dialog);
  op_test_settle (50);
}

static void
test_guess_jaw (void)
{
  OpJaw jaw;

  g_assert_true (op_scan_guess_jaw ("Patient_UpperJaw.stl", &jaw));
  g_assert_cmpint (jaw, ==, OP_JAW_UPPER);
  g_assert_true (op_scan_guess_jaw ("maxillary.ply", &jaw));
  g_assert_cmpint (jaw, ==, OP_JAW_UPPER);
  g_assert_true (op_scan_guess_jaw ("LOWER.obj", &jaw));
  g_assert_cmpint (jaw, ==, OP_JAW_LOWER);
  g_assert_true (op_scan_guess_jaw ("mandibular.stl", &jaw));
  g_assert_cmpint (jaw, ==, OP_JAW_LOWER);
  g_assert_true (op_scan_guess_jaw ("upper_lower_bite.stl", &jaw));
  g_assert_cmpint (jaw, ==, OP_JAW_BITE);
  g_assert_false (op_scan_guess_jaw ("scan1.stl", &jaw));
}

static void
test_startup (void)
{
  GtkWindow *window;

  fixture.app = op_test_start_app (fixture.tmpdir, &fixture.window);
  window = GTK_WINDOW (fixture.window);

  g_assert_nonnull (op_application_get_store (fixture.app));
  g_assert_null (op_window_get_error_dialog (fixture.window));
  g_assert_true (op_test_wait_until (op_test_cond_mapped, window, 10000));
  op_test_settle (200);

  /* A new database: the first-run page creates the administrator, who
   * adds a coordinator; the coordinator signs in through the page. */
  {
    OpUserInput coord = { "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, COORD_PASSWORD };

    op_test_first_run_sign_in (fixture.window, op_application_get_store (fixture.app), &coord);
    op_test_settle (300);
  }

  g_assert_cmpuint (count_listed_cases (0), ==, 0);
  op_test_save_widget_png (GTK_WIDGET (window), "app-ui-empty.png");

  /* The about window and the shortcuts window build without a warning. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture.app), "about", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  op_test_settle (200);
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
    guint shown = 0;

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_ABOUT_WINDOW (l->data) || GTK_IS_SHORTCUTS_WINDOW (l->data))
        {
          shown++;
          gtk_window_close (l->data);
        }
    g_assert_cmpuint (shown, ==, 2);
  }
  op_test_settle (50);
}

static void
test_new_case (void)
{
  g_autoptr(GPtrArray) cases = NULL;
  OpNewCaseDialog *dialog;
  gint64 case_id;

  dialog = OP_NEW_CASE_DIALOG (op_window_new_case (fixture.window));
  g_assert_nonnull (dialog);
  op_test_settle (100);

  /* A date that does not exist: the store refuses, the dialog says why and
   * nothing is stored. */
  op_new_case_dialog_fill (dialog, "Doe", "Jane", "1990-02-30", "C-1042", "North Clinic");
  g_assert_cmpint (op_new_case_dialog_create (dialog), ==, 0);
  g_assert_nonnull (op_new_case_dialog_get_error (dialog));
  g_test_message ("refused: %s", op_new_case_dialog_get_error (dialog));
  cases = op_store_list_cases (op_window_get_store (fixture.window), NULL, NULL);
  g_assert_cmpuint (cases->len, ==, 0);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (dialog), "app-ui-new-case-dialog.png");

  op_new_case_dialog_fill (dialog, NULL, NULL, "1990-02-28", NULL, NULL);
  case_id = op_new_case_dialog_create (dialog);
  g_assert_cmpint (case_id, >, 0);
  fixture.case_id = case_id;
  op_test_settle (100);

  g_assert_cmpuint (count_listed_cases (case_id), ==, 1);
  g_assert_cmpint (op_window_get_case_id (fixture.window), ==, case_id);
  g_assert_cmpint (op_case_view_get_case_id (op_window_get_case_view (fixture.window)), ==, case_id);

  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, op_window_get_case_view (fixture.window), 10000));
  g_assert_cmpuint (op_case_view_get_n_scans (op_window_get_case_view (fixture.window)), ==, 0);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-ui-new-case.png");
}

static void
test_import (void)
{
  OpCaseView *view = op_window_get_case_view (fixture.window);
  OpViewer *viewer = op_case_view_get_viewer (view);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  OpTestFrameWait wait = { viewer, 0 };
  gsize differing;

  if (fixture.case_id <= 0)
    {
      g_test_skip ("no case was created");
      return;
    }

  path = write_sphere_stl ("upper-arch.stl", 5);
  file = g_file_new_for_path (path);

  op_case_view_import_file (view, file, OP_JAW_UPPER);
  g_assert_true (op_case_view_get_busy (view));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));

  g_assert_null (op_case_view_get_last_error (view));
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, 1);
  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, 1);
  g_assert_cmpuint (op_viewer_get_n_meshes (viewer), ==, 1);

  /* The viewer draws only when something changed; ask for one frame. */
  wait.frames = op_viewer_get_frame_count (viewer) + 1;
  op_viewer_frame_all (viewer);
  g_assert_true (op_test_wait_until (op_test_cond_frames, &wait, 60000));
  g_assert_null (op_viewer_get_error_message (viewer));

  /* Let the toast and the list settle before the picture. */
  op_test_settle (500);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-ui-window.png");

  differing = save_viewer_png (viewer, "app-ui-viewer.png");
  g_assert_cmpuint (differing, >, 5000);
}

static void
test_import_bad (void)
{
  OpCaseView *view = op_window_get_case_view (fixture.window);
  g_autofree char *path = NULL;
  g_autofree char *again_path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) again = NULL;
  guint before;

  if (fixture.case_id <= 0)
    {
      g_test_skip ("no case was created");
      return;
    }

  before = store_scan_count (fixture.case_id);

  path = g_build_filename (fixture.tmpdir, "broken-lower.stl", NULL);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  file = g_file_new_for_path (path);

  op_case_view_import_file (view, file, OP_JAW_LOWER);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 30000));

  g_assert_nonnull (op_case_view_get_last_error (view));
  g_test_message ("bad file: %s", op_case_view_get_last_error (view));
  g_assert_nonnull (strstr (op_case_view_get_last_error (view), "broken-lower.stl"));
  g_assert_nonnull (op_window_get_error_dialog (fixture.window));
  g_assert_cmpstr (op_window_get_last_error (fixture.window), ==, op_case_view_get_last_error (view));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (op_window_get_error_dialog (fixture.window)), "app-ui-error.png");
  close_error_dialog ();

  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, before);
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, before);

  /* The same bytes again: the store refuses the duplicate. */
  again_path = g_build_filename (fixture.tmpdir, "upper-arch.stl", NULL);
  again = g_file_new_for_path (again_path);
  op_case_view_import_file (view, again, OP_JAW_UPPER);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));
  g_assert_nonnull (op_case_view_get_last_error (view));
  g_test_message ("duplicate: %s", op_case_view_get_last_error (view));
  close_error_dialog ();

  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, before);
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, before);
}

static void
test_import_guess (void)
{
  OpCaseView *view = op_window_get_case_view (fixture.window);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  const OpScanRecord *last;
  guint before;

  if (fixture.case_id <= 0)
    {
      g_test_skip ("no case was created");
      return;
    }

  before = store_scan_count (fixture.case_id);

  /* What a drop does: the name says "mandibular", so it is the lower arch. */
  path = write_sphere_stl ("Mandibular_export.stl", 4);
  file = g_file_new_for_path (path);
  op_case_view_import_files (view, &file, 1);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));

  g_assert_null (op_case_view_get_last_error (view));
  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, before + 1);
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, before + 1);

  scans = op_store_list_scans (op_window_get_store (fixture.window), fixture.case_id, NULL);
  last = g_ptr_array_index (scans, scans->len - 1);
  g_assert_cmpint (last->jaw, ==, OP_JAW_LOWER);
  g_assert_cmpstr (last->filename, ==, "Mandibular_export.stl");
  g_assert_cmpuint (count_listed_cases (fixture.case_id), ==, 1);
}

static void
test_import_cancel (void)
{
  OpCaseView *view = op_window_get_case_view (fixture.window);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  guint before;
  gint64 started;

  if (fixture.case_id <= 0)
    {
      g_test_skip ("no case was created");
      return;
    }

  before = store_scan_count (fixture.case_id);
  path = write_sphere_stl ("bite-large.stl", 7);
  file = g_file_new_for_path (path);

  /* Cancelled before the worker can reach the store step, which checks
   * the cancellable first: nothing may be kept and no error shown. */
  op_case_view_import_file (view, file, OP_JAW_BITE);
  gtk_widget_activate_action (GTK_WIDGET (view), "case.cancel", NULL);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));

  g_assert_null (op_case_view_get_last_error (view));
  g_assert_null (op_window_get_error_dialog (fixture.window));
  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, before);
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, before);

  /* Again, left to finish this time, with a look at the progress bar on
   * the way: the rest of the window stays usable meanwhile. */
  started = g_get_monotonic_time ();
  op_case_view_import_file (view, file, OP_JAW_BITE);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-ui-importing.png");
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));
  g_test_message ("327,680 triangles imported in %.0f ms",
                  (g_get_monotonic_time () - started) / 1000.0);

  g_assert_null (op_case_view_get_last_error (view));
  g_assert_cmpuint (store_scan_count (fixture.case_id), ==, before + 1);
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, before + 1);
}

typedef struct {
  gint64 case_id;
  guint  expected;
} ListedWait;

static gboolean
cond_listed (gpointer data)
{
  ListedWait *w = data;

  return count_listed_cases (w->case_id) == w->expected;
}

static void
test_search (void)
{
  ListedWait one = { 0, 1 }, none = { 0, 0 };
  GtkWidget *entry;

  if (fixture.case_id <= 0)
    {
      g_test_skip ("no case was created");
      return;
    }

  entry = op_window_get_search_entry (fixture.window);
  one.case_id = fixture.case_id;

  /* GtkSearchEntry waits a moment after typing before it searches, and a
   * loaded machine can stretch that: wait for the list, not for a fixed
   * time. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "C-1042");
  g_assert_true (op_test_wait_until (cond_listed, &one, 10000));
  g_assert_cmpuint (count_listed_cases (fixture.case_id), ==, 1);

  gtk_editable_set_text (GTK_EDITABLE (entry), "no such patient");
  g_assert_true (op_test_wait_until (cond_listed, &none, 10000));
  g_assert_cmpuint (count_listed_cases (0), ==, 0);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-ui-search.png");

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_true (op_test_wait_until (cond_listed, &one, 10000));
  g_assert_cmpuint (count_listed_cases (fixture.case_id), ==, 1);
}

static void
test_demo (void)
{
  OpCaseView *view = op_window_get_case_view (fixture.window);
  OpViewer *viewer = op_case_view_get_viewer (view);
  g_autoptr(GError) error = NULL;
  OpTestFrameWait wait = { viewer, 0 };
  gsize differing;

  if (!op_application_show_demo (fixture.app, GTK_WINDOW (fixture.window), &error))
    {
      g_autofree char *why = g_strdup_printf ("demo case unavailable: %s", error->message);
      g_test_skip (why);
      return;
    }

  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, view, 60000));
  g_assert_null (op_case_view_get_last_error (view));
  g_assert_cmpuint (op_case_view_get_n_scans (view), ==, 2);
  g_assert_cmpuint (op_viewer_get_n_meshes (viewer), ==, 2);
  g_assert_cmpuint (count_listed_cases (op_window_get_case_id (fixture.window)), ==, 1);

  /* The viewer draws only when something changed; ask for one frame. */
  wait.frames = op_viewer_get_frame_count (viewer) + 1;
  op_viewer_frame_all (viewer);
  g_assert_true (op_test_wait_until (op_test_cond_frames, &wait, 60000));
  op_test_settle (300);

  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-ui-demo.png");
  differing = save_viewer_png (viewer, "app-ui-demo-viewer.png");
  g_assert_cmpuint (differing, >, 5000);
}

typedef struct {
  gint64   deadline;
  gboolean store_error;  /* expect a store failure rather than the demo */
  gboolean ok;
  gboolean submitted;    /* the first-run page was filled in */
  char    *message;
} RunCheck;

/* Polls the window of an application started by g_application_run(), as a
 * person would see it, then quits that application. */
static gboolean
run_check_poll (gpointer data)
{
  GApplication *app = g_application_get_default ();
  RunCheck *check = g_object_get_data (G_OBJECT (app), "run-check");
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
  OpWindow *window = OP_IS_WINDOW (active) ? OP_WINDOW (active) : NULL;
  gboolean done = FALSE;

  if (window != NULL && check->store_error)
    {
      if (op_window_get_error_dialog (window) != NULL)
        {
          check->message = g_strdup (op_window_get_last_error (window));
          check->ok = op_application_get_store (OP_APPLICATION (app)) == NULL;
          op_test_save_widget_png (GTK_WIDGET (window), "app-ui-store-error.png");
          done = TRUE;
        }
    }
  else if (window != NULL && op_window_get_user (window) == NULL)
    {
      /* The demo opens once someone signs in: create the administrator
       * on the first-run page, as a person would on a new database. */
      OpSignIn *sign_in = op_window_get_sign_in (window);

      if (!check->submitted && op_sign_in_get_mode (sign_in) == OP_SIGN_IN_MODE_FIRST_RUN)
        {
          op_sign_in_fill_first_run (sign_in, "Ada Admin", "admin", OP_TEST_ADMIN_PASSWORD, OP_TEST_ADMIN_PASSWORD);
          op_sign_in_submit (sign_in);
          check->submitted = TRUE;
        }
    }
  else if (window != NULL)
    {
      OpCaseView *view = op_window_get_case_view (window);

      if (op_window_get_case_id (window) > 0 && !op_case_view_get_busy (view) &&
          op_case_view_get_n_scans (view) > 0)
        {
          check->ok = op_case_view_get_n_scans (view) == 2;
          done = TRUE;
        }
    }

  if (!done && g_get_monotonic_time () < check->deadline)
    return G_SOURCE_CONTINUE;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;
       l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
  g_application_quit (app);

  return G_SOURCE_REMOVE;
}

static void
on_run_activate (GApplication *app,
                 gpointer      user_data)
{
  g_timeout_add (50, run_check_poll, NULL);
}

static int
run_application (const char * const *args,
                 RunCheck           *check)
{
  g_autoptr(OpApplication) app = op_application_new ();
  g_autofree char **argv = g_new0 (char *, 8);
  int argc = 0;
  int status;

  for (; args[argc] != NULL; argc++)
    argv[argc] = (char *) args[argc];

  check->deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_object_set_data (G_OBJECT (app), "run-check", check);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_run_activate), NULL);
  g_application_set_default (G_APPLICATION (app));
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_application_set_default (G_APPLICATION (fixture.app));

  return status;
}

static void
test_command_line_demo (void)
{
  g_autofree char *db = g_build_filename (fixture.tmpdir, "demo.db", NULL);
  const char *args[] = { "orthoplan", "--db", db, "--demo", NULL };
  RunCheck check = { 0 };

  g_assert_cmpint (run_application (args, &check), ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));

  if (!check.ok)
    g_test_skip ("the demo case did not open with two scans");
}

static void
test_command_line_store_error (void)
{
  /* A database inside a regular file can never be created. */
  g_autofree char *blocker = g_build_filename (fixture.tmpdir, "not-a-dir", NULL);
  g_autofree char *db = g_build_filename (blocker, "cases.db", NULL);
  const char *args[] = { "orthoplan", "--db", db, NULL };
  RunCheck check = { .store_error = TRUE };

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_assert_cmpint (run_application (args, &check), ==, 0);

  g_assert_true (check.ok);
  g_assert_nonnull (check.message);
  g_test_message ("store error: %s", check.message);
  g_assert_nonnull (strstr (check.message, db));
  g_free (check.message);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  op_test_quiet_environment ();

  g_test_init (&argc, &argv, NULL);

  fixture.tmpdir = g_dir_make_tmp ("orthoplan-app-ui-XXXXXX", NULL);
  g_assert_nonnull (fixture.tmpdir);

  g_test_add_func ("/app/ui/guess-jaw", test_guess_jaw);
  g_test_add_func ("/app/ui/startup", test_startup);
  g_test_add_func ("/app/ui/new-case", test_new_case);
  g_test_add_func ("/app/ui/import", test_import);
  g_test_add_func ("/app/ui/import-bad", test_import_bad);
  g_test_add_func ("/app/ui/import-guess", test_import_guess);
  g_test_add_func ("/app/ui/import-cancel", test_import_cancel);
  g_test_add_func ("/app/ui/search", test_search);
  g_test_add_func ("/app/ui/demo", test_demo);
  g_test_add_func ("/app/ui/command-line-demo", test_command_line_demo);
  g_test_add_func ("/app/ui/command-line-store-error", test_command_line_store_error);

  ret = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);

  op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);

  return ret;
}
