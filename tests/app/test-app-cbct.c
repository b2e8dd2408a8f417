/* test-app-cbct.c: the CBCT page of the real application, in-process under
 * Xvfb.
 *
 * The tests share one application, one window and one case, in order:
 * load the real tilted head CT of $OP_SHARED_DATA/ct-head-ge-tilt through
 * the same call the folder chooser and drag and drop make, refuse it once
 * at the identity question and store it the second time, look at the three
 * slice panes, window them by dragging, click and scroll through them,
 * find the isosurface, its crosshair marker and its clip plane in the 3D
 * view, reopen the case, take the downsampled offer over a small memory
 * limit, and refuse a folder with no DICOM in it.  Screenshots go to the
 * build directory.
 *
 * Input goes through the panes' own event controllers: the test emits the
 * signals GTK would emit for a drag, a click, a wheel step and a motion,
 * so the handlers that run are the ones a person's input runs.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "op-application.h"
#include "op-cbct-view.h"
#include "op-new-case-dialog.h"
#include "op-sign-in.h"
#include "op-window.h"
#include "test-app-util.h"

#define COORD_PASSWORD "harbour lights at dusk"

static struct {
  OpApplication *app;
  OpWindow      *window;
  char          *tmpdir;
  char          *ct_path;
  gint64         case_id;
  gint64         volume_id;
} fixture;

/* ---- waiting and pictures ---------------------------------------------- */

/* A question is on screen, or the job ended without one. */
static gboolean
cond_dialog_or_idle (gpointer data)
{
  OpCbctView *cbct = data;

  return op_cbct_view_get_dialog (cbct) != NULL || !op_cbct_view_get_busy (cbct);
}

static OpCaseView *
case_view (void)
{
  return op_window_get_case_view (fixture.window);
}

static OpCbctView *
cbct_view (void)
{
  return op_case_view_get_cbct_view (case_view ());
}

static OpSliceView *
slice_view (void)
{
  return op_cbct_view_get_slice_view (cbct_view ());
}

/* Draws @widget as GTK would and returns its pixels (Cairo ARGB32 in
 * memory order B, G, R, A), or NULL when it drew nothing. */
static guint8 *
widget_pixels (GtkWidget  *widget,
               int        *out_width,
               int        *out_height,
               const char *save_as)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint8 *pixels;

  /* A widget being laid out again draws nothing until it is allocated;
   * give GTK a few frames. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        op_test_settle (20);
    }

  if (node == NULL || width <= 0 || height <= 0)
    return NULL;

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (save_as != NULL)
    {
      g_autofree char *path = op_test_build_path (save_as);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("screenshot: %s", path);
    }

  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  *out_width = width;
  *out_height = height;
  return pixels;
}

/* Pixels whose brightest channel is above a dark grey. */
static gsize
count_lit (const guint8 *pixels,
           int           width,
           int           height)
{
  gsize n = 0;

  for (gsize i = 0; i < (gsize) width * height; i++)
    if (MAX (pixels[i * 4], MAX (pixels[i * 4 + 1], pixels[i * 4 + 2])) > 24)
      n++;

  return n;
}

static gsize
count_changed (const guint8 *a,
               const guint8 *b,
               gsize         n_pixels)
{
  gsize n = 0;

  for (gsize i = 0; i < n_pixels; i++)
    if (ABS ((int) a[i * 4] - (int) b[i * 4]) + ABS ((int) a[i * 4 + 1] - (int) b[i * 4 + 1]) +
        ABS ((int) a[i * 4 + 2] - (int) b[i * 4 + 2]) > 12)
      n++;

  return n;
}

/* The 3D viewer's own pixels; returns how many differ from its corner. */
static gsize
viewer_pixels (guint8    **out_pixels,
               const char *save_as)
{
  OpViewer *viewer = op_case_view_get_viewer (case_view ());
  g_autofree guint8 *pixels = NULL;
  int width = 0, height = 0;
  gsize differing = 0;

  pixels = op_viewer_read_pixels (viewer, &width, &height);
  g_assert_nonnull (pixels);
  if (pixels == NULL)
    return 0;

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      int diff = 0;

      for (guint c = 0; c < 3; c++)
        diff += ABS ((int) pixels[i * 4 + c] - (int) pixels[c]);
      if (diff > 24)
        differing++;
    }

  if (save_as != NULL)
    {
      g_autofree char *path = op_test_build_path (save_as);
      g_autoptr(GBytes) bytes = g_bytes_new (pixels, (gsize) width * height * 4);
      g_autoptr(GdkTexture) texture =
        gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("viewer pixels: %s (%" G_GSIZE_FORMAT " of %d differ from the background)",
                      path, differing, width * height);
    }

  if (out_pixels != NULL)
    *out_pixels = g_steal_pointer (&pixels);
  return differing;
}

static void
redraw_viewer (void)
{
  OpViewer *viewer = op_case_view_get_viewer (case_view ());
  OpTestFrameWait wait = { viewer, op_viewer_get_frame_count (viewer) + 1 };

  gtk_widget_queue_draw (GTK_WIDGET (viewer));
  gtk_gl_area_queue_render (GTK_GL_AREA (viewer));
  g_assert_true (op_test_wait_until (op_test_cond_frames, &wait, 20000));
}

static guint
stored_volumes (void)
{
  g_autoptr(GPtrArray) volumes = NULL;
  g_autoptr(GError) error = NULL;

  volumes = op_store_list_volumes (op_window_get_store (fixture.window), fixture.case_id, &error);
  g_assert_no_error (error);

  return volumes != NULL ? volumes->len : 0;
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return GTK_EVENT_CONTROLLER (controller);
    }

  return NULL;
}

static void
drag (GtkWidget *pane,
      double     x,
      double     y,
      double     dx,
      double     dy)
{
  GtkEventController *gesture = find_controller (pane, GTK_TYPE_GESTURE_DRAG);

  g_assert_nonnull (gesture);
  g_signal_emit_by_name (gesture, "drag-begin", x, y);
  if (dx != 0 || dy != 0)
    {
      g_signal_emit_by_name (gesture, "drag-update", dx / 2, dy / 2);
      g_signal_emit_by_name (gesture, "drag-update", dx, dy);
    }
  g_signal_emit_by_name (gesture, "drag-end", dx, dy);
}

static gboolean
skip_without_volume (void)
{
  if (fixture.ct_path == NULL || fixture.volume_id <= 0)
    {
      g_test_skip ("the CT series was not loaded");
      return TRUE;
    }
  return FALSE;
}

/* Answers the question on screen once it is there. */
static gboolean
answer (const char *response,
        const char *screenshot)
{
  AdwMessageDialog *dialog;

  g_assert_true (op_test_wait_until (cond_dialog_or_idle, cbct_view (), 120000));
  dialog = op_cbct_view_get_dialog (cbct_view ());
  g_assert_nonnull (dialog);
  if (dialog == NULL)
    return FALSE;

  if (screenshot != NULL)
    {
      op_test_settle (300);
      op_test_save_widget_png (GTK_WIDGET (dialog), screenshot);
    }

  adw_message_dialog_response (dialog, response);
  return TRUE;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_startup (void)
{
  OpNewCaseDialog *dialog;
  GtkWindow *window;

  fixture.app = op_test_start_app (fixture.tmpdir, &fixture.window);
  window = GTK_WINDOW (fixture.window);
  gtk_window_set_default_size (window, 1280, 800);
  g_assert_true (op_test_wait_until (op_test_cond_mapped, window, 10000));
  op_test_settle (200);

  /* Sign-in is mandatory: the first-run page creates the administrator,
   * who adds a treatment coordinator, who signs in and adds the case. */
  {
    OpUserInput coord = { "coord", "Casey Coordinator", OP_ROLE_COORDINATOR, NULL, COORD_PASSWORD };

    op_test_first_run_sign_in (fixture.window, op_application_get_store (fixture.app), &coord);
    op_test_settle (300);
  }

  /* The case's chart number is not the CT's patient id: a mismatch. */
  dialog = OP_NEW_CASE_DIALOG (op_window_new_case (fixture.window));
  g_assert_nonnull (dialog);
  op_test_settle (100);
  op_new_case_dialog_fill (dialog, "Roe", "Richard", "1975-06-30", "C-7", "North Clinic");
  fixture.case_id = op_new_case_dialog_create (dialog);
  g_assert_cmpint (fixture.case_id, >, 0);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 10000));
  g_assert_false (op_cbct_view_has_volume (cbct_view ()));
  g_assert_cmpuint (stored_volumes (), ==, 0);
}

static void
test_identity_refused (void)
{
  g_autoptr(GFile) file = NULL;

  if (fixture.ct_path == NULL)
    {
      g_test_skip ("no OP_SHARED_DATA/ct-head-ge-tilt");
      return;
    }

  file = g_file_new_for_path (fixture.ct_path);
  op_case_view_load_volume (case_view (), file);
  g_assert_true (op_case_view_get_busy (case_view ()));
  op_test_settle (200);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-cbct-loading.png");

  /* The folder holds the licence, a README and SHA256SUMS beside the 28
   * images: skipped and counted. */
  g_assert_true (answer ("cancel", "app-cbct-identity.png"));
  g_test_message ("toast: %s", op_cbct_view_get_last_toast (cbct_view ()));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 30000));

  g_assert_null (op_cbct_view_get_last_error (cbct_view ()));
  g_assert_false (op_cbct_view_has_volume (cbct_view ()));
  g_assert_cmpuint (stored_volumes (), ==, 0);
}

static void
test_load (void)
{
  g_autoptr(GFile) file = NULL;
  const OpVolume *volume;
  gint64 started;

  if (fixture.ct_path == NULL)
    {
      g_test_skip ("no OP_SHARED_DATA/ct-head-ge-tilt");
      return;
    }

  started = g_get_monotonic_time ();
  file = g_file_new_for_path (fixture.ct_path);
  op_case_view_load_volume (case_view (), file);

  g_assert_true (op_test_wait_until (cond_dialog_or_idle, cbct_view (), 120000));
  g_assert_nonnull (strstr (op_cbct_view_get_last_toast (cbct_view ()), "3 files skipped"));
  g_assert_true (answer ("store", NULL));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 120000));
  g_test_message ("loaded, stored and surfaced in %.0f ms (with the question)",
                  (g_get_monotonic_time () - started) / 1000.0);

  g_assert_null (op_cbct_view_get_last_error (cbct_view ()));
  g_assert_true (op_cbct_view_has_volume (cbct_view ()));
  g_assert_cmpuint (stored_volumes (), ==, 1);
  fixture.volume_id = op_cbct_view_get_volume_id (cbct_view ());
  g_assert_cmpint (fixture.volume_id, >, 0);

  /* The resampled grid of the tilted, unevenly spaced series. */
  volume = op_slice_view_get_volume (slice_view ());
  g_assert_nonnull (volume);
  if (volume == NULL)
    return;
  g_assert_cmpint (volume->dims[0], ==, 512);
  g_assert_cmpint (volume->dims[1], >, 512);
  g_assert_cmpint (volume->dims[2], >, 28);
}

static void
test_panes (void)
{
  static const char * const names[] = { "app-cbct-axial.png", "app-cbct-coronal.png", "app-cbct-sagittal.png" };

  if (skip_without_volume ())
    return;

  op_case_view_set_page (case_view (), "cbct");
  op_test_settle (500);

  for (OpPlane p = OP_PLANE_AXIAL; p <= OP_PLANE_SAGITTAL; p++)
    {
      GtkWidget *pane = op_slice_view_get_pane (slice_view (), p);
      g_autofree guint8 *pixels = NULL;
      int w = 0, h = 0;
      gsize lit;

      pixels = widget_pixels (pane, &w, &h, names[p]);
      g_assert_nonnull (pixels);
      if (pixels == NULL)
        continue;
      g_assert_cmpuint (op_slice_view_get_draw_count (slice_view (), p), >, 0);

      /* A head in the bone window: skull and labels lit, air black; at
       * least a twentieth of the pane is not black. */
      lit = count_lit (pixels, w, h);
      g_test_message ("%s pane: %d x %d, %" G_GSIZE_FORMAT " lit", op_plane_to_string (p), w, h, lit);
      g_assert_cmpuint (lit, >, (gsize) w * h / 20);
    }

  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-cbct-slices.png");
}

static void
test_window_level (void)
{
  GtkWidget *pane;
  g_autofree guint8 *before = NULL;
  g_autofree guint8 *after = NULL;
  OpWindowLevel window0, window1, soft;
  int w0, h0, w1, h1;
  gsize changed;

  if (skip_without_volume ())
    return;

  pane = op_slice_view_get_pane (slice_view (), OP_PLANE_AXIAL);
  window0 = op_slice_view_get_window (slice_view ());
  op_test_settle (200);
  before = widget_pixels (pane, &w0, &h0, NULL);
  g_assert_nonnull (before);

  /* Right and down: a wider window and a higher level. */
  drag (pane, w0 / 2.0, h0 / 2.0, 80, 40);
  window1 = op_slice_view_get_window (slice_view ());
  g_test_message ("window %.0f/%.0f -> %.0f/%.0f", window0.width, window0.level,
                  window1.width, window1.level);
  g_assert_cmpfloat (window1.width, >, window0.width + 100);
  g_assert_cmpfloat (window1.level, >, window0.level + 40);

  op_test_settle (200);
  after = widget_pixels (pane, &w1, &h1, "app-cbct-axial-windowed.png");
  g_assert_nonnull (after);
  /* The status line's new numbers may move the layout by a pixel on a
   * loaded machine; the rows both pictures have are compared. */
  g_assert_cmpint (w1, ==, w0);
  g_assert_cmpint (ABS (h1 - h0), <=, 1);
  changed = count_changed (before, after, (gsize) w0 * MIN (h0, h1));
  g_test_message ("%" G_GSIZE_FORMAT " pixels changed", changed);
  g_assert_cmpuint (changed, >, (gsize) w0 * h0 / 50);

  /* The preset brings a known window back. */
  op_slice_view_set_preset (slice_view (), OP_WINDOW_SOFT_TISSUE);
  soft = op_slice_view_get_window (slice_view ());
  g_assert_cmpfloat (soft.width, ==, op_window_preset (OP_WINDOW_SOFT_TISSUE).width);
  g_assert_cmpfloat (soft.level, ==, op_window_preset (OP_WINDOW_SOFT_TISSUE).level);
  op_slice_view_set_preset (slice_view (), OP_WINDOW_BONE);
}

static void
test_click_and_scroll (void)
{
  GtkWidget *axial, *coronal;
  GtkEventController *scroll, *motion;
  int before[3], after[3], index;
  double p0[3], p1[3];
  gboolean handled = FALSE;

  if (skip_without_volume ())
    return;

  axial = op_slice_view_get_pane (slice_view (), OP_PLANE_AXIAL);
  coronal = op_slice_view_get_pane (slice_view (), OP_PLANE_CORONAL);

  /* A click up and left of the centre of the axial pane moves the
   * crosshair there: i and j change, the axial slice (k) does not. */
  op_slice_view_get_crosshair (slice_view (), before);
  g_assert_true (op_slice_view_get_point (slice_view (), p0));
  drag (axial, gtk_widget_get_width (axial) * 0.35, gtk_widget_get_height (axial) * 0.35, 0, 0);
  op_slice_view_get_crosshair (slice_view (), after);
  g_assert_true (op_slice_view_get_point (slice_view (), p1));
  g_test_message ("crosshair %d,%d,%d -> %d,%d,%d", before[0], before[1], before[2],
                  after[0], after[1], after[2]);
  g_assert_cmpint (after[0], <, before[0]);
  g_assert_cmpint (after[1], <, before[1]);
  g_assert_cmpint (after[2], ==, before[2]);
  /* The patient's right is on the left of an axial image: x fell. */
  g_assert_cmpfloat (p1[0], <, p0[0]);

  /* Two wheel steps down in the coronal pane: two slices towards 0. */
  index = op_slice_view_get_index (slice_view (), OP_PLANE_CORONAL);
  scroll = find_controller (coronal, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  g_assert_nonnull (scroll);
  g_signal_emit_by_name (scroll, "scroll", 0.0, 2.0, &handled);
  g_assert_true (handled);
  g_assert_cmpint (op_slice_view_get_index (slice_view (), OP_PLANE_CORONAL), ==, index - 2);
  g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  g_assert_cmpint (op_slice_view_get_index (slice_view (), OP_PLANE_CORONAL), ==, index - 1);

  /* The pointer's value under the panes. */
  motion = find_controller (axial, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_nonnull (motion);
  g_signal_emit_by_name (motion, "motion", gtk_widget_get_width (axial) / 2.0,
                         gtk_widget_get_height (axial) / 2.0);
  g_assert_nonnull (op_slice_view_get_readout (slice_view ()));
  g_test_message ("readout: %s", op_slice_view_get_readout (slice_view ()));
  g_assert_nonnull (strstr (op_slice_view_get_readout (slice_view ()), "HU"));

  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-cbct-crosshair.png");
}

static void
test_surface (void)
{
  OpViewer *viewer;
  g_autofree guint8 *whole = NULL;
  g_autofree guint8 *cut = NULL;
  gsize triangles, differing, changed;
  int w = 0, h = 0;
  double auto_hu;

  if (skip_without_volume ())
    return;

  viewer = op_case_view_get_viewer (case_view ());
  triangles = op_cbct_view_get_surface_triangles (cbct_view ());
  g_test_message ("isosurface at %.0f HU: %" G_GSIZE_FORMAT " triangles",
                  op_cbct_view_get_threshold (cbct_view ()), triangles);
  g_assert_cmpuint (triangles, >, 10000);
  /* The surface and the crosshair marker. */
  g_assert_cmpuint (op_viewer_get_n_meshes (viewer), ==, 2);

  op_case_view_set_page (case_view (), "scans");
  op_test_settle (300);
  op_viewer_set_view (viewer, OP_VIEW_LEFT);
  redraw_viewer ();
  g_assert_null (op_viewer_get_error_message (viewer));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-cbct-3d-window.png");
  differing = viewer_pixels (&whole, "app-cbct-3d.png");
  g_assert_cmpuint (differing, >, 5000);

  /* Cut at the axial plane through the crosshair: the top of the skull
   * goes, so pixels change. */
  op_cbct_view_set_clip (cbct_view (), OP_PLANE_AXIAL);
  redraw_viewer ();
  viewer_pixels (&cut, "app-cbct-3d-clip.png");
  gtk_gl_area_make_current (GTK_GL_AREA (viewer));
  w = gtk_widget_get_width (GTK_WIDGET (viewer)) * gtk_widget_get_scale_factor (GTK_WIDGET (viewer));
  h = gtk_widget_get_height (GTK_WIDGET (viewer)) * gtk_widget_get_scale_factor (GTK_WIDGET (viewer));
  changed = count_changed (whole, cut, (gsize) w * h);
  g_test_message ("the axial cut changed %" G_GSIZE_FORMAT " pixels", changed);
  g_assert_cmpuint (changed, >, 2000);
  op_cbct_view_set_clip (cbct_view (), -1);

  /* A higher threshold keeps less than the skull: fewer triangles. */
  auto_hu = op_cbct_view_get_threshold (cbct_view ());
  op_cbct_view_set_threshold (cbct_view (), auto_hu + 600);
  g_assert_true (op_case_view_get_busy (case_view ()));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 120000));
  g_test_message ("at %.0f HU: %" G_GSIZE_FORMAT " triangles",
                  op_cbct_view_get_threshold (cbct_view ()),
                  op_cbct_view_get_surface_triangles (cbct_view ()));
  g_assert_cmpuint (op_cbct_view_get_surface_triangles (cbct_view ()), <, triangles);
  g_assert_cmpuint (op_cbct_view_get_surface_triangles (cbct_view ()), >, 0);
  g_assert_cmpuint (op_viewer_get_n_meshes (viewer), ==, 2);
}

static void
test_reopen (void)
{
  const OpVolume *volume;
  int dims[3];

  if (skip_without_volume ())
    return;

  volume = op_slice_view_get_volume (slice_view ());
  g_assert_nonnull (volume);
  if (volume == NULL)
    return;
  memcpy (dims, volume->dims, sizeof dims);

  /* Opening the case again reads the stored volume back. */
  op_case_view_load_case (case_view (), fixture.case_id);
  g_assert_false (op_cbct_view_has_volume (cbct_view ()));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 120000));

  g_assert_null (op_cbct_view_get_last_error (cbct_view ()));
  g_assert_true (op_cbct_view_has_volume (cbct_view ()));
  g_assert_cmpint (op_cbct_view_get_volume_id (cbct_view ()), ==, fixture.volume_id);
  volume = op_slice_view_get_volume (slice_view ());
  g_assert_nonnull (volume);
  if (volume != NULL)
    g_assert_cmpmem (volume->dims, sizeof dims, dims, sizeof dims);
  g_assert_cmpuint (op_cbct_view_get_surface_triangles (cbct_view ()), >, 10000);
}

static void
test_downsample (void)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) volumes = NULL;
  AdwMessageDialog *dialog;
  const OpVolumeRecord *last;
  guint before;

  if (skip_without_volume ())
    return;

  before = stored_volumes ();

  /* The loader says the full volume needs about 38 MB and the
   * downsampled one about 21 MB (it counts the slices it holds while
   * resampling): 30 MB refuses the first and takes the second. */
  op_cbct_view_set_max_bytes (cbct_view (), 30 * 1000 * 1000);
  file = g_file_new_for_path (fixture.ct_path);
  op_case_view_load_volume (case_view (), file);

  g_assert_true (op_test_wait_until (cond_dialog_or_idle, cbct_view (), 120000));
  dialog = op_cbct_view_get_dialog (cbct_view ());
  g_assert_nonnull (dialog);
  if (dialog == NULL)
    return;
  g_assert_true (adw_message_dialog_has_response (dialog, "downsample"));
  g_test_message ("size question: %s", adw_message_dialog_get_body (dialog));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (dialog), "app-cbct-too-large.png");
  adw_message_dialog_response (dialog, "downsample");

  /* Then the identity question again, and this time it is stored. */
  g_assert_true (answer ("store", NULL));
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 120000));
  op_cbct_view_set_max_bytes (cbct_view (), 0);

  g_assert_null (op_cbct_view_get_last_error (cbct_view ()));
  g_assert_cmpuint (stored_volumes (), ==, before + 1);
  volumes = op_store_list_volumes (op_window_get_store (fixture.window), fixture.case_id, NULL);
  last = g_ptr_array_index (volumes, volumes->len - 1);
  g_assert_cmpint (last->factor, ==, 2);
  g_assert_cmpint (last->dims[0], ==, 256);
  g_assert_nonnull (op_slice_view_get_volume (slice_view ()));
  if (op_slice_view_get_volume (slice_view ()) != NULL)
    g_assert_cmpint (op_slice_view_get_volume (slice_view ())->dims[0], ==, 256);
}

static void
test_not_dicom (void)
{
  g_autofree char *folder = g_build_filename (fixture.tmpdir, "not-a-cbct", NULL);
  g_autofree char *a = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *b = g_build_filename (folder, "scan.stl", NULL);
  g_autoptr(GFile) file = NULL;
  GtkWindow *error_dialog;
  guint before = stored_volumes ();
  gint64 volume_id = op_cbct_view_get_volume_id (cbct_view ());

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a, "not an image", -1, NULL));
  g_assert_true (g_file_set_contents (b, "solid x\nendsolid x\n", -1, NULL));

  file = g_file_new_for_path (folder);
  op_case_view_load_volume (case_view (), file);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 60000));

  g_assert_nonnull (op_cbct_view_get_last_error (cbct_view ()));
  g_test_message ("error: %s", op_cbct_view_get_last_error (cbct_view ()));
  g_assert_nonnull (strstr (op_cbct_view_get_last_error (cbct_view ()), "not-a-cbct"));
  error_dialog = op_window_get_error_dialog (fixture.window);
  g_assert_nonnull (error_dialog);
  if (error_dialog != NULL)
    {
      op_test_settle (300);
      op_test_save_widget_png (GTK_WIDGET (error_dialog), "app-cbct-error.png");
      gtk_window_destroy (error_dialog);
    }

  /* Nothing stored, and the CBCT shown before is still shown. */
  g_assert_cmpuint (stored_volumes (), ==, before);
  g_assert_cmpint (op_cbct_view_get_volume_id (cbct_view ()), ==, volume_id);
}

static void
test_cancel (void)
{
  g_autoptr(GFile) file = NULL;
  guint before;

  if (skip_without_volume ())
    return;

  before = stored_volumes ();
  file = g_file_new_for_path (fixture.ct_path);
  op_case_view_load_volume (case_view (), file);
  g_assert_true (op_case_view_get_busy (case_view ()));
  gtk_widget_activate_action (GTK_WIDGET (case_view ()), "case.cancel", NULL);
  g_assert_true (op_test_wait_until (op_test_cond_case_view_idle, case_view (), 60000));

  g_assert_null (op_cbct_view_get_last_error (cbct_view ()));
  g_assert_null (op_cbct_view_get_dialog (cbct_view ()));
  g_assert_cmpuint (stored_volumes (), ==, before);
  g_assert_true (op_cbct_view_has_volume (cbct_view ()));
}

int
main (int   argc,
      char *argv[])
{
  const char *shared = g_getenv ("OP_SHARED_DATA");
  int ret;

  op_test_quiet_environment ();

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  fixture.tmpdir = g_dir_make_tmp ("orthoplan-app-cbct-XXXXXX", NULL);
  g_assert_nonnull (fixture.tmpdir);
  if (shared != NULL)
    {
      fixture.ct_path = g_build_filename (shared, "ct-head-ge-tilt", NULL);
      if (!g_file_test (fixture.ct_path, G_FILE_TEST_IS_DIR))
        g_clear_pointer (&fixture.ct_path, g_free);
    }

  g_test_add_func ("/app/cbct/startup", test_startup);
  g_test_add_func ("/app/cbct/identity-refused", test_identity_refused);
  g_test_add_func ("/app/cbct/load", test_load);
  g_test_add_func ("/app/cbct/panes", test_panes);
  g_test_add_func ("/app/cbct/window-level", test_window_level);
  g_test_add_func ("/app/cbct/click-and-scroll", test_click_and_scroll);
  g_test_add_func ("/app/cbct/surface", test_surface);
  g_test_add_func ("/app/cbct/reopen", test_reopen);
  g_test_add_func ("/app/cbct/downsample", test_downsample);
  g_test_add_func ("/app/cbct/not-dicom", test_not_dicom);
  g_test_add_func ("/app/cbct/cancel", test_cancel);

  ret = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);

  op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);
  g_free (fixture.ct_path);

  return ret;
}
