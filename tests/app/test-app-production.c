/* test-app-production.c: production files from the Exports page of the
 * real application under Xvfb.
 *
 * A provider signs in and opens the demo case (real teeth, a plan waiting
 * for review).  The Exports page's Production Files button opens the
 * dialog, which says the plan is not approved and why; an export started
 * anyway is refused by io/op-production with that reason, the toast names
 * the folder, and nothing is written.  After the provider approves the
 * plan through the window's dialog, a new dialog says so, writes the upper
 * arch's stages 0-2 (models, trim lines, template, manifest) with the
 * files the manifest lists on disk, and a full export cancelled part way
 * leaves no model and no manifest behind.  Screenshots go to the build
 * directory.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "op-application.h"
#include "op-approval-dialog.h"
#include "op-exports-view.h"
#include "op-production-dialog.h"
#include "op-window.h"
#include "test-app-util.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  OpExportsView *exports;
  char          *tmpdir;
  gint64         case_id;
} fixture;

static gboolean
cond_idle (gpointer data)
{
  return !op_production_dialog_get_busy (OP_PRODUCTION_DIALOG (data));
}

/* The button on the Exports page whose label is @label, or NULL. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);
      if (found)
        return found;
    }
  return NULL;
}

/* Clicks Production Files… and returns the dialog it opened. */
static OpProductionDialog *
open_dialog (void)
{
  GtkWidget *button = find_button (GTK_WIDGET (fixture.exports), "_Production Files…");
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_assert_nonnull (button);
  if (button == NULL)
    return NULL;
  g_signal_emit_by_name (button, "clicked");
  op_test_settle (300);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (OP_IS_PRODUCTION_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return OP_PRODUCTION_DIALOG (w);
    }
  g_test_fail_printf ("the Production Files button opened no dialog");
  return NULL;
}

/* Names in @dir ending in @suffix (".stl", ".part", "manifest.json"). */
static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      n++;
  return n;
}

static gboolean
cond_some_models (gpointer data)
{
  return count_files (data, ".stl") >= 2;
}

static void
test_open_demo (void)
{
  fixture.app = op_test_start_provider ("op-production-XXXXXX", 1280, 800, &fixture.tmpdir, &fixture.window);
  fixture.case_id = op_test_open_demo (fixture.app, fixture.window);
  fixture.exports = op_window_get_exports_view (fixture.window);
  g_assert_nonnull (fixture.exports);
  op_test_show_page (fixture.exports, "exports");
  g_assert_true (op_test_wait_until (op_test_cond_mapped, fixture.exports, 10000));
  op_test_settle (300);
}

/* The demo plan waits for review: the dialog says why it cannot be made,
 * and an export started anyway is refused with that reason. */
static void
test_refused (void)
{
  g_autofree char *dir = g_build_filename (fixture.tmpdir, "refused", NULL);
  OpProductionDialog *dialog = open_dialog ();
  const char *status, *message, *toast;

  if (dialog == NULL)
    return;
  g_assert_false (op_production_dialog_get_approved (dialog));
  status = op_production_dialog_get_status (dialog);
  g_test_message ("status: %s", status);
  g_assert_nonnull (status ? strstr (status, "approved and signed") : NULL);
  op_test_save_widget_png (GTK_WIDGET (dialog), "app-production-not-approved.png");

  /* No folder: nothing starts. */
  g_assert_false (op_production_dialog_start (dialog));
  g_assert_nonnull (op_production_dialog_get_last_error (dialog));

  op_production_dialog_set_folder (dialog, dir);
  g_assert_true (op_production_dialog_start (dialog));
  g_assert_true (op_test_wait_until (cond_idle, dialog, 60000));
  message = op_production_dialog_get_last_error (dialog);
  g_test_message ("refusal: %s", message);
  g_assert_nonnull (message ? strstr (message, "has no approved plan") : NULL);
  toast = op_production_dialog_get_last_toast (dialog);
  g_assert_nonnull (toast ? strstr (toast, dir) : NULL);
  g_assert_cmpuint (op_production_dialog_get_n_files (dialog), ==, 0);
  g_assert_cmpuint (count_files (dir, ".stl"), ==, 0);
  g_assert_cmpuint (count_files (dir, "manifest.json"), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
  op_test_settle (200);
}

/* Approved: the upper arch's stages 0-2 with trim lines, and a manifest
 * whose files are all on disk. */
static void
test_export (void)
{
  g_autofree char *dir = g_build_filename (fixture.tmpdir, "lab", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  OpProductionDialog *dialog;
  const char *toast;

  op_test_approve (fixture.window, OP_TEST_PROVIDER_PASSWORD);
  dialog = open_dialog ();
  if (dialog == NULL)
    return;
  g_assert_true (op_production_dialog_get_approved (dialog));
  g_assert_nonnull (strstr (op_production_dialog_get_status (dialog), "signature verified"));
  op_production_dialog_set_folder (dialog, dir);
  op_production_dialog_set_arches (dialog, TRUE, FALSE);
  op_production_dialog_set_stages (dialog, 0, 2);
  g_assert_true (op_production_dialog_start (dialog));
  g_assert_true (op_production_dialog_get_busy (dialog));
  g_assert_true (op_test_wait_until (cond_idle, dialog, 180000));
  g_assert_null (op_production_dialog_get_last_error (dialog));
  toast = op_production_dialog_get_last_toast (dialog);
  g_test_message ("toast: %s", toast);
  g_assert_nonnull (toast ? strstr (toast, dir) : NULL);
  /* Three models and three trim lines; a template when the plan has
   * upper attachments. */
  g_assert_cmpuint (op_production_dialog_get_n_files (dialog), >=, 6);
  g_assert_cmpuint (count_files (dir, ".stl"), >=, 3);
  g_assert_cmpuint (count_files (dir, "_L_00.stl"), ==, 0);
  g_assert_cmpuint (count_files (dir, ".part"), ==, 0);
  g_assert_true (json_parser_load_from_file (parser, manifest, &error));
  g_assert_no_error (error);
  if (error == NULL)
    {
      JsonArray *files = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                       "files");

      g_assert_cmpuint (json_array_get_length (files), ==, op_production_dialog_get_n_files (dialog));
      for (guint i = 0; i < json_array_get_length (files); i++)
        {
          JsonObject *f = json_array_get_object_element (files, i);
          g_autofree char *p = g_build_filename (dir, json_object_get_string_member (f, "file"), NULL);

          g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
          g_assert_cmpint (json_object_get_int_member (f, "stage"), <=, 2);
          g_assert_cmpstr (json_object_get_string_member (f, "arch"), ==, "upper");
        }
    }
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (dialog), "app-production-done.png");
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-production-toast.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  op_test_settle (200);
}

/* Every stage of both arches, cancelled part way: no model, no manifest
 * and no temporary file is left. */
static void
test_cancel (void)
{
  g_autofree char *dir = g_build_filename (fixture.tmpdir, "cancelled", NULL);
  OpProductionDialog *dialog = open_dialog ();
  const char *toast;

  if (dialog == NULL)
    return;
  op_production_dialog_set_folder (dialog, dir);
  g_assert_true (op_production_dialog_start (dialog));
  /* Part way: the first models are in the folder, most are not. */
  g_assert_true (op_test_wait_until (cond_some_models, dir, 120000));
  g_assert_true (op_production_dialog_get_busy (dialog));
  op_test_save_widget_png (GTK_WIDGET (dialog), "app-production-busy.png");
  op_production_dialog_cancel (dialog);
  g_assert_true (op_test_wait_until (cond_idle, dialog, 120000));
  g_assert_null (op_production_dialog_get_last_error (dialog));
  toast = op_production_dialog_get_last_toast (dialog);
  g_test_message ("toast: %s", toast);
  g_assert_nonnull (toast ? strstr (toast, "cancelled") : NULL);
  g_assert_cmpuint (count_files (dir, ".stl"), ==, 0);
  g_assert_cmpuint (count_files (dir, ".csv"), ==, 0);
  g_assert_cmpuint (count_files (dir, ".part"), ==, 0);
  g_assert_cmpuint (count_files (dir, "manifest.json"), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
  op_test_settle (200);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/app/production/open-demo", test_open_demo);
  g_test_add_func ("/app/production/refused", test_refused);
  g_test_add_func ("/app/production/export", test_export);
  g_test_add_func ("/app/production/cancel", test_cancel);

  status = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);
  if (fixture.tmpdir)
    op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);
  return status;
}
