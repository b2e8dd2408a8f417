/* test-app-review.c: the Plan page of the real application under Xvfb.
 *
 * A provider signs in through the sign-in page and opens the demo case,
 * which arrives with per-tooth teeth and a first plan, waiting for review.
 * The test moves the stage slider and checks the teeth moved in the
 * rendered pixels; picks a tooth on the GPU at its projected position and
 * checks the movement table selected it; edits a target, undoes and redoes
 * it, recalculates into a new version, undoes the edit and recalculates
 * again to get the setup's value back; compares versions; and approves
 * through the window's approval dialog, then checks the case is approved
 * and its signature verifies.  Screenshots go to the build directory.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "op-application.h"
#include "op-approval-dialog.h"
#include "op-plan-json.h"
#include "op-review-view.h"
#include "op-window.h"
#include "test-app-util.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  OpReviewView  *review;
  char          *tmpdir;
  gint64         case_id;
} fixture;

static gboolean
cond_review_idle (gpointer data)
{
  return !op_review_view_get_busy (OP_REVIEW_VIEW (data));
}

/* A frame of the 3D view as it is now, drawn and read back. */
static guint8 *
viewer_pixels (int *w,
               int *h)
{
  return op_viewer_read_pixels (op_review_view_get_viewer (fixture.review), w, h);
}

static void
test_open_demo (void)
{
  /* First run: the administrator, who adds a provider; the provider then
   * signs in through the sign-in page as a person would. */
  fixture.app = op_test_start_provider ("op-review-XXXXXX", 1440, 900, &fixture.tmpdir, &fixture.window);
  fixture.case_id = op_test_open_demo (fixture.app, fixture.window);
  fixture.review = op_window_get_review_view (fixture.window);
  g_assert_nonnull (fixture.review);
  /* The case opens on its scans; the provider goes to the Plan page. */
  op_test_show_page (fixture.review, "plan");
  g_assert_true (op_test_wait_until (cond_review_idle, fixture.review, 60000));
  g_assert_true (op_test_wait_until (op_test_cond_sized, op_review_view_get_viewer (fixture.review), 30000));
  op_test_settle (500);

  g_assert_true (op_review_view_has_teeth (fixture.review));
  g_assert_cmpint (op_review_view_get_version (fixture.review), ==, 1);
  g_assert_cmpuint (op_review_view_get_n_versions (fixture.review), ==, 1);
  g_assert_null (op_viewer_get_error_message (op_review_view_get_viewer (fixture.review)));
  g_assert_cmpuint (op_movement_table_get_n_rows (op_review_view_get_table (fixture.review)), ==, 28);
  /* The demo has IPR and attachments to mark. */
  g_assert_cmpuint (op_review_view_get_n_markers (fixture.review), >, 1);
}

/* Stage 0 and the last stage draw different pictures, and stepping
 * changes the stage shown. */
static void
test_slider (void)
{
  OpStageTimeline *timeline = op_review_view_get_timeline (fixture.review);
  guint n = op_stage_timeline_get_n_stages (timeline);
  g_autofree guint8 *first = NULL, *last = NULL, *again = NULL;
  int w = 0, h = 0, w2 = 0, h2 = 0;
  gsize moved = 0;

  g_assert_cmpuint (n, >, 10);
  gtk_range_set_value (op_stage_timeline_get_scale (timeline), 0);
  g_assert_cmpuint (op_stage_timeline_get_stage (timeline), ==, 0);
  first = viewer_pixels (&w, &h);
  gtk_range_set_value (op_stage_timeline_get_scale (timeline), n - 1);
  g_assert_cmpuint (op_stage_timeline_get_stage (timeline), ==, n - 1);
  last = viewer_pixels (&w2, &h2);
  g_assert_nonnull (first);
  g_assert_nonnull (last);
  if (first == NULL || last == NULL)
    return;
  g_assert_cmpint (w, ==, w2);
  for (gsize i = 0; i < (gsize) w * h; i++)
    if (abs (first[4 * i] - last[4 * i]) + abs (first[4 * i + 1] - last[4 * i + 1]) +
        abs (first[4 * i + 2] - last[4 * i + 2]) > 60)
      moved++;
  g_test_message ("%" G_GSIZE_FORMAT " of %d pixels changed between stage 0 and %u", moved, w * h, n - 1);
  /* Teeth that rotate by up to 14 degrees and move a millimetre change a
   * visible share of the picture, not a handful of pixels. */
  g_assert_cmpuint (moved, >, (gsize) w * h / 200);

  /* Roots: drawn when asked for, at the last stage with their crowns. */
  {
    g_autofree guint8 *rooted = NULL;
    gsize shown = 0;
    int w3 = 0, h3 = 0;

    op_review_view_set_show_roots (fixture.review, TRUE);
    rooted = viewer_pixels (&w3, &h3);
    op_test_settle (200);
    op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-review-roots.png");
    op_review_view_set_show_roots (fixture.review, FALSE);
    g_assert_nonnull (rooted);
    g_assert_cmpint (w3, ==, w);
    for (gsize i = 0; rooted != NULL && w3 == w && i < (gsize) w * h; i++)
      if (abs (rooted[4 * i] - last[4 * i]) + abs (rooted[4 * i + 1] - last[4 * i + 1]) +
          abs (rooted[4 * i + 2] - last[4 * i + 2]) > 30)
        shown++;
    g_test_message ("roots change %" G_GSIZE_FORMAT " of %d pixels", shown, w * h);
    g_assert_cmpuint (shown, >, (gsize) w * h / 200);
    op_test_settle (100);
  }

  /* Back at stage 0 the picture is the first one again. */
  gtk_range_set_value (op_stage_timeline_get_scale (timeline), 0);
  again = viewer_pixels (&w, &h);
  g_assert_cmpmem (again, (gsize) w * h * 4, first, (gsize) w * h * 4);

  gtk_widget_activate_action (GTK_WIDGET (fixture.review), "review.step", "i", 1);
  g_assert_cmpuint (op_stage_timeline_get_stage (timeline), ==, 1);
  g_assert_cmpstr (op_stage_timeline_get_text (timeline), !=, "");
  gtk_widget_activate_action (GTK_WIDGET (fixture.review), "review.play", NULL);
  g_assert_true (op_stage_timeline_get_playing (timeline));
  op_test_settle (1000);
  g_test_message ("after playing 1 s: stage %u, playing %d", op_stage_timeline_get_stage (timeline),
                  op_stage_timeline_get_playing (timeline));
  gtk_widget_activate_action (GTK_WIDGET (fixture.review), "review.play", NULL);
  g_assert_false (op_stage_timeline_get_playing (timeline));
  g_assert_cmpuint (op_stage_timeline_get_stage (timeline), >, 1);
  op_stage_timeline_set_stage (timeline, n / 2);
}

/* A tooth picked at its projected centre is the tooth selected in the
 * table; a row selected in the table selects the tooth. */
static void
test_pick (void)
{
  OpMovementTable *table = op_review_view_get_table (fixture.review);
  static const int teeth[] = { 21, 11, 13, 16 };
  double x, y;

  op_viewer_set_view (op_review_view_get_viewer (fixture.review), OP_VIEW_FRONT);
  op_test_settle (200);
  (void) viewer_pixels (&(int) { 0 }, &(int) { 0 });

  for (guint i = 0; i < G_N_ELEMENTS (teeth); i++)
    {
      int picked;

      g_assert_true (op_review_view_project_tooth (fixture.review, teeth[i], &x, &y));
      picked = op_review_view_pick (fixture.review, x, y);
      g_test_message ("tooth %d at (%.0f, %.0f) picks %d", teeth[i], x, y, picked);
      /* The crown centre is inside the crown, so the ray meets this crown
       * first unless a neighbour overlaps it on screen; the front teeth
       * seen from the front do not. */
      if (i < 3)
        g_assert_cmpint (picked, ==, teeth[i]);
      if (picked != 0)
        {
          op_review_view_select_tooth (fixture.review, picked);
          g_assert_cmpint (op_movement_table_get_selected (table), ==, picked);
        }
    }
  /* The background picks nothing. */
  g_assert_cmpint (op_review_view_pick (fixture.review, 2, 2), ==, 0);

  /* Table to 3D: select the first row through the column view's model. */
  {
    GtkSelectionModel *model = gtk_column_view_get_model (op_movement_table_get_view (table));
    int fdi = op_movement_table_get_fdi_at (table, 0);

    gtk_selection_model_select_item (model, 0, TRUE);
    g_assert_cmpint (op_review_view_get_selected_tooth (fixture.review), ==, fdi);
  }

  op_review_view_select_tooth (fixture.review, 21);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-review.png");
}

static gboolean
versions_are (gpointer data)
{
  return !op_review_view_get_busy (fixture.review) &&
         op_review_view_get_n_versions (fixture.review) == GPOINTER_TO_UINT (data);
}

static double
stored_component (int         version,
                  int         fdi,
                  OpComponent component)
{
  OpStore *store = op_application_get_store (fixture.app);
  g_autoptr(GBytes) bytes = op_store_get_plan (store, fixture.case_id, version, NULL, NULL);
  g_autoptr(OpPlan) plan = NULL;
  gsize len;
  const char *data;
  int i;

  g_assert_nonnull (bytes);
  if (bytes == NULL)
    return NAN;
  data = g_bytes_get_data (bytes, &len);
  plan = op_plan_decode (data, len, "test", NULL);
  g_assert_nonnull (plan);
  i = plan ? op_plan_find_tooth (plan, fdi) : -1;
  return i >= 0 ? op_movement_get (op_plan_target (plan, (guint) i), component) : NAN;
}

static double
stored_target (int version,
               int fdi)
{
  return stored_component (version, fdi, OP_COMPONENT_ROT);
}

/* Edit, undo, redo, recalculate into v2; undo and recalculate into v3,
 * which has the setup's value back; compare versions. */
static void
test_edit_recalculate (void)
{
  OpStore *store = op_application_get_store (fixture.app);
  double before = op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT);
  double edited = op_plan_quantize (before + 3.0);
  g_autoptr(GPtrArray) records = NULL;

  g_assert_cmpint (op_review_view_get_selected_tooth (fixture.review), ==, 21);
  op_review_view_set_target (fixture.review, 21, OP_COMPONENT_ROT, edited);
  g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), edited, 1e-9);
  g_assert_true (op_review_view_undo (fixture.review));
  g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), before, 1e-9);
  g_assert_true (op_review_view_redo (fixture.review));
  g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), edited, 1e-9);

  gtk_widget_activate_action (GTK_WIDGET (fixture.review), "review.recalculate", NULL);
  g_assert_true (op_review_view_get_busy (fixture.review));
  g_assert_true (op_test_wait_until (versions_are, GUINT_TO_POINTER (2), 120000));
  g_assert_null (op_review_view_get_last_error (fixture.review));
  g_assert_cmpint (op_review_view_get_version (fixture.review), ==, 2);
  g_assert_cmpfloat_with_epsilon (stored_target (2, 21), edited, 1e-9);
  g_assert_cmpfloat_with_epsilon (stored_target (1, 21), before, 1e-9);
  records = op_store_list_plans (store, fixture.case_id, NULL);
  g_assert_cmpuint (records->len, ==, 2);
  if (records->len == 2)
    {
      OpPlanRecord *a = g_ptr_array_index (records, 0), *b = g_ptr_array_index (records, 1);

      g_assert_cmpstr (a->sha256, !=, b->sha256);
      g_assert_cmpint (b->parent_version, ==, 1);
      g_assert_cmpstr (b->author, ==, "drlee");
    }

  /* Undo the edit and plan again: the setup's target comes back, in a
   * third version; the first two are untouched. */
  g_assert_true (op_review_view_undo (fixture.review));
  g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), edited, 1e-9);
  op_review_view_recalculate (fixture.review);
  g_assert_true (op_test_wait_until (versions_are, GUINT_TO_POINTER (3), 120000));
  g_assert_cmpint (op_review_view_get_version (fixture.review), ==, 3);
  g_assert_cmpfloat_with_epsilon (stored_target (3, 21), before, 1e-9);
  g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), before, 1e-9);
  g_assert_cmpfloat_with_epsilon (stored_target (2, 21), edited, 1e-9);

  /* v3 against v2: tooth 21 changed. */
  g_assert_true (op_review_view_compare_with (fixture.review, 2, NULL));
  g_assert_cmpuint (op_review_view_get_n_changes (fixture.review), >=, 1);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-review-compare.png");
  g_assert_true (op_review_view_compare_with (fixture.review, 0, NULL));
  g_assert_cmpuint (op_review_view_get_n_changes (fixture.review), ==, 0);

  /* Reopening v2 brings its edit back from the stored parameters: an
   * edit of another tooth and a recalculation keep 21's target in v4
   * instead of quietly returning it to the setup. */
  {
    double tip_before, tip_edited;

    g_assert_true (op_review_view_show_version (fixture.review, 2, NULL));
    g_assert_cmpint (op_review_view_get_version (fixture.review), ==, 2);
    g_assert_cmpfloat_with_epsilon (op_review_view_get_target (fixture.review, 21, OP_COMPONENT_ROT), edited, 1e-9);
    tip_before = op_review_view_get_target (fixture.review, 11, OP_COMPONENT_TIP);
    tip_edited = op_plan_quantize (tip_before + 2.0);
    op_review_view_set_target (fixture.review, 11, OP_COMPONENT_TIP, tip_edited);
    op_review_view_recalculate (fixture.review);
    g_assert_true (op_test_wait_until (versions_are, GUINT_TO_POINTER (4), 120000));
    g_assert_null (op_review_view_get_last_error (fixture.review));
    g_assert_cmpint (op_review_view_get_version (fixture.review), ==, 4);
    g_assert_cmpfloat_with_epsilon (stored_target (4, 21), edited, 1e-9);
    g_assert_cmpfloat_with_epsilon (stored_component (4, 11, OP_COMPONENT_TIP), tip_edited, 1e-9);
    g_assert_cmpfloat_with_epsilon (stored_target (3, 21), before, 1e-9);
  }
}

/* The provider approves through the window's dialog, re-entering the
 * password; the case is approved and the signature verifies. */
static void
test_approve (void)
{
  OpStore *store = op_application_get_store (fixture.app);
  g_autoptr(OpCaseSummary) summary = NULL;
  g_autoptr(OpApproval) approval = NULL;
  g_autoptr(GError) error = NULL;

  if (!op_test_approve (fixture.window, OP_TEST_PROVIDER_PASSWORD))
    return;

  summary = op_store_get_case (store, fixture.case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, OP_CASE_STATE_APPROVED);
  g_assert_true (op_store_verify_approval (store, fixture.case_id, &approval, &error));
  g_assert_no_error (error);
  g_assert_cmpint (approval->plan_version, ==, 4);

  /* An approved plan takes no new version: the review offers no edits
   * and no Recalculate, and a recalculation asked for all the same
   * fails in the store, which the review reports. */
  g_assert_false (op_review_view_get_editable (fixture.review));
  op_review_view_set_target (fixture.review, 21, OP_COMPONENT_ROT, 1.0);
  op_review_view_recalculate (fixture.review);
  g_assert_true (op_test_wait_until (cond_review_idle, fixture.review, 120000));
  g_assert_nonnull (op_review_view_get_last_error (fixture.review));
  g_assert_cmpuint (op_review_view_get_n_versions (fixture.review), ==, 4);

  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (
    GTK_WIDGET (op_review_view_get_approval_box (fixture.review)), GTK_TYPE_STACK)), "approval");
  op_test_settle (400);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-review-approved.png");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/app/review/open-demo", test_open_demo);
  g_test_add_func ("/app/review/slider", test_slider);
  g_test_add_func ("/app/review/pick", test_pick);
  g_test_add_func ("/app/review/edit-recalculate", test_edit_recalculate);
  g_test_add_func ("/app/review/approve", test_approve);

  status = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);
  return status;
}
