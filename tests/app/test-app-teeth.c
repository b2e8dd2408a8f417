/* test-app-teeth.c: the Teeth page of the real application under Xvfb.
 *
 * A case is stored with an upper scan made from the real teeth of
 * ../shared/data (a phantom arch) and its automatic segmentation (the
 * phantom's labels).  The test opens the Teeth page, picks teeth on the GPU
 * at their projected cusp tips, renumbers one, is refused a number in use,
 * undoes and redoes, and saves: the store then holds a corrected version
 * with the automatic one kept.  A screenshot goes to the build directory.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "op-application.h"
#include "op-phantom.h"
#include "op-seg-edit.h"
#include "op-teeth-view.h"
#include "op-window.h"
#include "test-app-util.h"
#include "test-segment-data.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  OpTeethView   *teeth;
  OpMesh        *scan;       /* as the store's loader reads it; labels = truth */
  char          *tmpdir;
  gint64         case_id;
  gint64         scan_id;
  gint64         lower_id;   /* a lower scan with no segmentation */
} fixture;

static gboolean
cond_teeth_idle (gpointer data)
{
  return !op_teeth_view_get_busy (OP_TEETH_VIEW (data));
}

/* The window position of the vertex of tooth @fdi nearest the camera,
 * which the GPU pick must find on that tooth. */
static gboolean
project_labelled (const gint32 *labels, int fdi, double *out_x, double *out_y)
{
  OpViewer *viewer = op_teeth_view_get_viewer (fixture.teeth);
  const OpCamera *camera = op_viewer_get_camera (viewer);
  int w = gtk_widget_get_width (GTK_WIDGET (viewer)), h = gtk_widget_get_height (GTK_WIDGET (viewer));
  float view[16], proj[16], best = INFINITY;
  gboolean found = FALSE;

  op_camera_get_view_matrix (camera, view);
  op_camera_get_projection_matrix (camera, (float) w / (float) h, proj);
  for (gsize v = 0; v < fixture.scan->n_vertices; v++)
    {
      const float *p = &fixture.scan->positions[3 * v];
      float e[4], c[4];

      if (labels[v] != fdi)
        continue;
      for (int r = 0; r < 4; r++)
        e[r] = view[r] * p[0] + view[4 + r] * p[1] + view[8 + r] * p[2] + view[12 + r];
      for (int r = 0; r < 4; r++)
        c[r] = proj[r] * e[0] + proj[4 + r] * e[1] + proj[8 + r] * e[2] + proj[12 + r] * e[3];
      /* The eye looks down -z: the nearest vertex has the largest z. */
      if (c[3] > 1e-6f && -e[2] < best)
        {
          best = -e[2];
          *out_x = (c[0] / c[3] * 0.5 + 0.5) * w;
          *out_y = (0.5 - c[1] / c[3] * 0.5) * h;
          found = TRUE;
        }
    }
  return found;
}

static gboolean
project_tooth (int fdi, double *out_x, double *out_y)
{
  return project_labelled (op_teeth_view_get_labels (fixture.teeth, NULL), fdi, out_x, out_y);
}

static gsize
count_label (const gint32 *labels, gsize n, int fdi)
{
  gsize k = 0;
  for (gsize v = 0; v < n; v++)
    k += labels[v] == fdi;
  return k;
}

static void
store_case (OpStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teeth = test_segment_load_teeth (TRUE, &error);
  g_autoptr(OpPhantom) ph = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autofree char *path = NULL, *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  OpPhantomOptions o = { .seed = 5, .noise_mm = 0.02f, .voxel_mm = 0.35f };
  OpPatient p = { 0, "Teeth", "Tess", "1990-02-03", NULL };
  int fdi[32];
  OpSegmentationTooth conf[32];
  guint n_teeth;

  g_assert_no_error (error);
  if (teeth == NULL)
    return;
  ph = op_phantom_new ((const OpTooth *const *) teeth->pdata, teeth->len, &o, &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture.tmpdir, "upper.ply", NULL);
  g_assert_true (op_mesh_save (ph->mesh, path, OP_MESH_FORMAT_PLY, &error));
  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&data), size);
  fixture.scan = op_mesh_load_bytes (bytes, "upper.ply", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    OpScanInput in = { OP_JAW_UPPER, "upper.ply", OP_MESH_FORMAT_PLY, bytes, fixture.scan->n_vertices,
                       fixture.scan->n_triangles };
    fixture.case_id = op_store_create_case (store, &p, "Main office", &in, 1, &error);
    g_assert_no_error (error);
  }
  scans = op_store_list_scans (store, fixture.case_id, &error);
  g_assert_no_error (error);
  fixture.scan_id = ((OpScanRecord *) g_ptr_array_index (scans, 0))->id;

  /* A lower scan, not segmented, for Find Teeth. */
  {
    g_autoptr(GPtrArray) lower = test_segment_load_teeth (FALSE, &error);
    g_autoptr(OpPhantom) lph = NULL;
    g_autofree char *lpath = g_build_filename (fixture.tmpdir, "lower.ply", NULL);
    g_autofree char *ldata = NULL;
    g_autoptr(GBytes) lbytes = NULL;
    g_autoptr(OpMesh) lmesh = NULL;
    gsize lsize = 0;

    g_assert_no_error (error);
    lph = op_phantom_new ((const OpTooth *const *) lower->pdata, lower->len, &o, &error);
    g_assert_no_error (error);
    g_assert_true (op_mesh_save (lph->mesh, lpath, OP_MESH_FORMAT_PLY, &error));
    g_assert_true (g_file_get_contents (lpath, &ldata, &lsize, &error));
    lbytes = g_bytes_new_take (g_steal_pointer (&ldata), lsize);
    lmesh = op_mesh_load_bytes (lbytes, "lower.ply", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    {
      OpScanInput in = { OP_JAW_LOWER, "lower.ply", OP_MESH_FORMAT_PLY, lbytes, lmesh->n_vertices, lmesh->n_triangles };
      fixture.lower_id = op_store_add_scan (store, fixture.case_id, &in, &error);
      g_assert_no_error (error);
    }
  }

  n_teeth = op_seg_labels_teeth (fixture.scan->labels, fixture.scan->n_vertices, fdi, NULL, 32);
  for (guint i = 0; i < n_teeth; i++)
    conf[i] = (OpSegmentationTooth) { fdi[i], 0.8f, 0 };
  {
    OpSegmentationInput in = { OP_SEGMENTATION_AUTOMATIC, TRUE, fixture.scan->labels, fixture.scan->n_vertices,
                               conf, n_teeth, 0, "automatic" };
    g_assert_cmpint (op_store_add_segmentation (store, fixture.scan_id, &in, &error), ==, 1);
    g_assert_no_error (error);
  }
}

static void
test_open (void)
{
  fixture.app = op_test_start_provider ("op-teeth-XXXXXX", 1280, 800, &fixture.tmpdir, &fixture.window);
  store_case (op_application_get_store (fixture.app));
  if (fixture.scan == NULL)
    {
      g_test_skip ("OP_SHARED_DATA teeth not available");
      return;
    }

  op_window_show_case (fixture.window, fixture.case_id);
  fixture.teeth = op_window_get_teeth_view (fixture.window);
  op_test_show_page (fixture.teeth, "teeth");
  g_assert_true (op_test_wait_until (cond_teeth_idle, fixture.teeth, 60000));
  g_assert_true (op_test_wait_until (op_test_cond_mapped, op_teeth_view_get_viewer (fixture.teeth), 10000));
  op_test_settle (500);

  g_assert_null (op_teeth_view_get_last_error (fixture.teeth));
  g_assert_cmpint (op_teeth_view_get_scan_id (fixture.teeth), ==, fixture.scan_id);
  g_assert_cmpint (op_teeth_view_get_version (fixture.teeth), ==, 1);
  g_assert_cmpuint (op_teeth_view_get_n_teeth (fixture.teeth), ==, 15);
  g_assert_null (op_viewer_get_error_message (op_teeth_view_get_viewer (fixture.teeth)));
  /* One piece per tooth and one for the gingiva. */
  g_assert_cmpuint (op_viewer_get_n_meshes (op_teeth_view_get_viewer (fixture.teeth)), ==, 16);
}

static void
test_pick_reassign_undo_save (void)
{
  OpViewer *viewer;
  g_autoptr(GError) error = NULL;
  g_autofree gint32 *renumbered = NULL;
  const gint32 *labels;
  gsize n = 0;
  double x, y;
  static const int probe[] = { 11, 21, 16, 27 };

  if (fixture.teeth == NULL)
    {
      g_test_skip ("no case");
      return;
    }
  viewer = op_teeth_view_get_viewer (fixture.teeth);
  op_viewer_set_view (viewer, OP_VIEW_OCCLUSAL_UPPER);
  op_test_settle (300);
  g_free (op_viewer_read_pixels (viewer, &(int) { 0 }, &(int) { 0 }));

  /* Each tooth is found under its own cusp tip, seen from below. */
  for (guint i = 0; i < G_N_ELEMENTS (probe); i++)
    {
      int picked;
      g_assert_true (project_tooth (probe[i], &x, &y));
      picked = op_teeth_view_pick (fixture.teeth, x, y);
      g_test_message ("tooth %d at (%.0f, %.0f) picks %d", probe[i], x, y, picked);
      g_assert_cmpint (picked, ==, probe[i]);
    }
  g_assert_cmpint (op_teeth_view_pick (fixture.teeth, 2, 2), ==, 0);

  /* Select 27 by its picture and renumber it 28. */
  g_assert_true (project_tooth (27, &x, &y));
  op_teeth_view_select_tooth (fixture.teeth, op_teeth_view_pick (fixture.teeth, x, y));
  g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 27);
  g_assert_false (op_teeth_view_reassign (fixture.teeth, 26, &error));   /* 26 is a tooth already */
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_false (op_teeth_view_reassign (fixture.teeth, 37, &error));   /* a lower number */
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
  g_clear_error (&error);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 0);
  /* The button's action reads the spin button, which selecting set to
   * the tooth's own number: refused, with the message shown. */
  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.reassign", NULL);
  g_assert_nonnull (op_teeth_view_get_last_error (fixture.teeth));
  if (op_teeth_view_get_last_error (fixture.teeth))
    g_assert_nonnull (strstr (op_teeth_view_get_last_error (fixture.teeth), "already exists"));
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 0);
  g_assert_true (op_teeth_view_reassign (fixture.teeth, 28, &error));
  g_assert_no_error (error);
  g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 28);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 1);
  op_test_settle (200);
  g_free (op_viewer_read_pixels (viewer, &(int) { 0 }, &(int) { 0 }));
  /* The same place now picks the renumbered tooth. */
  g_assert_cmpint (op_teeth_view_pick (fixture.teeth, x, y), ==, 28);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  renumbered = g_memdup2 (labels, n * sizeof (gint32));

  /* Undo gives the automatic labels back exactly; redo the renumbering. */
  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.undo", NULL);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  g_assert_cmpmem (labels, n * 4, fixture.scan->labels, fixture.scan->n_vertices * 4);
  g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 27);
  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.redo", NULL);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  g_assert_cmpmem (labels, n * 4, renumbered, n * 4);
  g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 28);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-teeth.png");

  /* Save: a corrected version 2 from version 1; version 1 is kept. */
  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.save", NULL);
  g_assert_null (op_teeth_view_get_last_error (fixture.teeth));
  g_assert_cmpint (op_teeth_view_get_version (fixture.teeth), ==, 2);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 0);
  {
    OpStore *store = op_application_get_store (fixture.app);
    g_autoptr(OpSegmentationRecord) rec = NULL;
    g_autofree gint32 *v2 = op_store_get_segmentation (store, fixture.scan_id, 0, &n, &rec, &error);
    g_autofree gint32 *v1 = op_store_get_segmentation (store, fixture.scan_id, 1, &n, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (v2, n * 4, renumbered, n * 4);
    g_assert_cmpmem (v1, n * 4, fixture.scan->labels, n * 4);
    g_assert_cmpint (rec->version, ==, 2);
    g_assert_cmpint (rec->parent_version, ==, 1);
    g_assert_cmpint (rec->source, ==, OP_SEGMENTATION_CORRECTED);
    g_assert_cmpstr (rec->author, ==, "drlee");
    g_assert_nonnull (strstr (rec->note, "27 -> 28"));
    g_assert_cmpint (rec->teeth[rec->n_teeth - 1].fdi, ==, 28);
    g_assert_cmpfloat (rec->teeth[rec->n_teeth - 1].confidence, ==, 1.f);
    g_assert_cmpfloat (rec->teeth[0].confidence, ==, 0.8f);
  }
  /* Nothing left to save or undo. */
  g_assert_cmpint (op_teeth_view_save (fixture.teeth, &error), ==, 0);
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (op_teeth_view_undo (fixture.teeth));

  /* Merge 11 into 21 and undo: one tooth fewer, then exactly as saved. */
  {
    g_autofree gint32 *saved = g_memdup2 (op_teeth_view_get_labels (fixture.teeth, &n), n * sizeof (gint32));
    guint before = op_teeth_view_get_n_teeth (fixture.teeth);

    op_teeth_view_select_tooth (fixture.teeth, 11);
    g_assert_false (op_teeth_view_merge (fixture.teeth, 31, &error));   /* a lower number */
    g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_LABEL);
    g_clear_error (&error);
    g_assert_true (op_teeth_view_merge (fixture.teeth, 21, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (op_teeth_view_get_n_teeth (fixture.teeth), ==, before - 1);
    g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 21);
    g_assert_cmpuint (op_viewer_get_n_meshes (viewer), ==, before);   /* teeth - 1, and the gingiva */
    g_assert_true (op_teeth_view_undo (fixture.teeth));
    labels = op_teeth_view_get_labels (fixture.teeth, &n);
    g_assert_cmpmem (labels, n * 4, saved, n * 4);
    g_assert_cmpint (op_teeth_view_get_selected_tooth (fixture.teeth), ==, 11);
    g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 0);
  }

  /* Reopening the case shows the saved version. */
  op_teeth_view_load_case (fixture.teeth, fixture.case_id);
  g_assert_true (op_test_wait_until (cond_teeth_idle, fixture.teeth, 60000));
  g_assert_cmpint (op_teeth_view_get_version (fixture.teeth), ==, 2);
}

/* The click tools on the saved version: an erase dab and a paint dab on
 * 16, and a merged pair split again with two clicks; undo returns to the
 * saved labels exactly. */
static void
test_tools (void)
{
  OpViewer *viewer;
  g_autoptr(GError) error = NULL;
  g_autofree gint32 *saved = NULL;
  const gint32 *labels;
  gsize n = 0, n16, after_erase, same = 0;
  double x, y;

  if (fixture.teeth == NULL || op_teeth_view_get_labels (fixture.teeth, NULL) == NULL)
    {
      g_test_skip ("no case");
      return;
    }
  viewer = op_teeth_view_get_viewer (fixture.teeth);
  op_viewer_set_view (viewer, OP_VIEW_OCCLUSAL_UPPER);
  op_test_settle (300);
  g_free (op_viewer_read_pixels (viewer, &(int) { 0 }, &(int) { 0 }));
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  saved = g_memdup2 (labels, n * sizeof (gint32));
  n16 = count_label (saved, n, 16);

  /* Erase: a 1.5 mm dab on 16's cusp tip turns some of it to gingiva. */
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_ERASE);
  g_assert_cmpint (op_teeth_view_get_tool (fixture.teeth), ==, OP_TEETH_TOOL_ERASE);
  op_teeth_view_set_brush_radius (fixture.teeth, 1.5);
  g_assert_true (project_tooth (16, &x, &y));
  g_assert_true (op_teeth_view_click (fixture.teeth, x, y, &error));
  g_assert_no_error (error);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  after_erase = count_label (labels, n, 16);
  g_test_message ("erase dab: tooth 16 %" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT " vertices", n16, after_erase);
  g_assert_cmpuint (after_erase, <, n16);
  g_assert_cmpuint (after_erase, >, n16 / 2);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 1);

  /* Paint 16 back at the same place. */
  op_teeth_view_select_tooth (fixture.teeth, 16);
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_PAINT);
  op_teeth_view_set_brush_radius (fixture.teeth, 2.0);
  g_assert_true (op_teeth_view_click (fixture.teeth, x, y, &error));
  g_assert_no_error (error);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  g_assert_cmpuint (count_label (labels, n, 16), >, after_erase);
  g_assert_true (op_teeth_view_undo (fixture.teeth));
  g_assert_true (op_teeth_view_undo (fixture.teeth));
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  g_assert_cmpmem (labels, n * 4, saved, n * 4);

  /* Split: merge 11 into 21, then click 21's crown and 11's. */
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_SELECT);
  op_teeth_view_select_tooth (fixture.teeth, 11);
  g_assert_true (op_teeth_view_merge (fixture.teeth, 21, &error));
  g_assert_no_error (error);
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_SPLIT);
  op_teeth_view_set_number (fixture.teeth, 11);
  g_assert_true (project_labelled (saved, 21, &x, &y));
  g_assert_true (op_teeth_view_click (fixture.teeth, x, y, &error));   /* the seed that keeps 21 */
  g_assert_no_error (error);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 1);
  g_assert_true (project_labelled (saved, 11, &x, &y));
  g_assert_true (op_teeth_view_click (fixture.teeth, x, y, &error));   /* this part becomes 11 */
  g_assert_no_error (error);
  g_assert_cmpuint (op_teeth_view_get_n_unsaved (fixture.teeth), ==, 2);
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  for (gsize v = 0; v < n; v++)
    if (saved[v] == 11 || saved[v] == 21)
      same += labels[v] == saved[v];
  g_test_message ("split by two clicks: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " vertices of 11 and 21 as before",
                  same, count_label (saved, n, 11) + count_label (saved, n, 21));
  g_assert_cmpfloat ((double) same / (count_label (saved, n, 11) + count_label (saved, n, 21)), >, 0.95);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-teeth-split.png");
  g_assert_true (op_teeth_view_undo (fixture.teeth));
  g_assert_true (op_teeth_view_undo (fixture.teeth));
  labels = op_teeth_view_get_labels (fixture.teeth, &n);
  g_assert_cmpmem (labels, n * 4, saved, n * 4);

  /* Paint with nothing selected is refused with a message. */
  op_teeth_view_select_tooth (fixture.teeth, 0);
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_PAINT);
  g_assert_false (op_teeth_view_click (fixture.teeth, x, y, &error));
  g_assert_error (error, OP_SEG_EDIT_ERROR, OP_SEG_EDIT_ERROR_ABSENT);
  g_clear_error (&error);
  op_teeth_view_set_tool (fixture.teeth, OP_TEETH_TOOL_SELECT);
}

/* The lower scan has no labels: Find Teeth runs the automatic
 * segmentation in a worker; a cancel stores nothing, a full run stores
 * version 1 and shows it. */
static void
test_find_teeth (void)
{
  OpStore *store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;

  if (fixture.teeth == NULL || fixture.lower_id == 0)
    {
      g_test_skip ("no case");
      return;
    }
  store = op_application_get_store (fixture.app);
  op_teeth_view_show_scan (fixture.teeth, fixture.lower_id);
  g_assert_true (op_test_wait_until (cond_teeth_idle, fixture.teeth, 60000));
  g_assert_cmpint (op_teeth_view_get_version (fixture.teeth), ==, 0);
  g_assert_null (op_teeth_view_get_labels (fixture.teeth, NULL));

  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.segment", NULL);
  g_assert_true (op_teeth_view_get_busy (fixture.teeth));
  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.cancel", NULL);
  g_assert_true (op_test_wait_until (cond_teeth_idle, fixture.teeth, 60000));
  g_assert_nonnull (op_teeth_view_get_last_error (fixture.teeth));
  if (op_teeth_view_get_last_error (fixture.teeth))
    g_assert_nonnull (strstr (op_teeth_view_get_last_error (fixture.teeth), "cancelled"));
  versions = op_store_list_segmentations (store, fixture.lower_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 0);
  g_clear_pointer (&versions, g_ptr_array_unref);

  gtk_widget_activate_action (GTK_WIDGET (fixture.teeth), "teeth.segment", NULL);
  g_assert_true (op_teeth_view_get_busy (fixture.teeth));
  g_assert_true (op_test_wait_until (cond_teeth_idle, fixture.teeth, 120000));
  g_assert_null (op_teeth_view_get_last_error (fixture.teeth));
  g_assert_cmpint (op_teeth_view_get_scan_id (fixture.teeth), ==, fixture.lower_id);
  g_assert_cmpint (op_teeth_view_get_version (fixture.teeth), ==, 1);
  g_test_message ("Find Teeth found %u teeth on the lower phantom", op_teeth_view_get_n_teeth (fixture.teeth));
  g_assert_cmpuint (op_teeth_view_get_n_teeth (fixture.teeth), >=, 12);
  versions = op_store_list_segmentations (store, fixture.lower_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);
  if (versions->len == 1)
    {
      OpSegmentationRecord *r = g_ptr_array_index (versions, 0);
      g_assert_cmpint (r->source, ==, OP_SEGMENTATION_AUTOMATIC);
      g_assert_false (r->upper);
    }
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-teeth-found.png");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/app/teeth/open", test_open);
  g_test_add_func ("/app/teeth/pick-reassign-undo-save", test_pick_reassign_undo_save);
  g_test_add_func ("/app/teeth/tools", test_tools);
  g_test_add_func ("/app/teeth/find-teeth", test_find_teeth);

  status = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);
  g_clear_pointer (&fixture.scan, op_mesh_free);
  if (fixture.tmpdir)
    op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);
  return status;
}
