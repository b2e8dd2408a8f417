/* test-app-exports.c: the Exports page of the real application under Xvfb.
 *
 * A provider signs in through the sign-in page and opens the demo case
 * (real teeth, a first plan waiting for review).  On the Exports page the
 * test writes the patient simulation and the treatment report through the
 * functions the page's buttons call and checks what was written; cancels
 * a video export and checks that no file is left; exports to a folder that
 * does not exist and checks the error names the file.  The practice logo:
 * a PNG the test draws, chosen as the dialog would, reaches the patient
 * page (as a data: URI of its bytes) and every page of the report (as
 * pdfimages lists them); a file that is not a picture is refused; a logo
 * file that went missing, or a JPEG for the report, gives a toast naming
 * the file, no dialog and no file written.  Then the practice
 * system section: "Not approved" before approval; with a file-bridge
 * connector set up through the store, an approval through the window's
 * dialog makes the row pending; sending it without a fee set leaves it
 * needing attention with the reason; Retry puts it back to pending and,
 * once the fee is set, posts it and shows the remote ids.  Screenshots go
 * to the build directory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "op-application.h"
#include "op-approval-dialog.h"
#include "op-demo-case.h"
#include "op-export-html.h"
#include "op-exports-job.h"
#include "op-exports-view.h"
#include "op-image.h"
#include "op-outbox.h"
#include "op-window.h"
#include "test-app-util.h"

static struct {
  OpApplication *app;
  OpWindow      *window;
  OpExportsView *exports;
  char          *tmpdir;
  char          *bridge;
  char          *location;
  gint64         case_id;
} fixture;

static gboolean
cond_exports_idle (gpointer data)
{
  return !op_exports_view_get_busy (OP_EXPORTS_VIEW (data));
}

static char *
read_file (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  *len = 0;
  if (!g_file_get_contents (path, &data, len, &error))
    g_test_fail_printf ("%s was not written: %s", path, error->message);
  return data;
}

/* Files in @dir whose name starts with @prefix: a cancelled export must
 * leave neither its file nor a temporary one beside it. */
static guint
count_files (const char *dir,
             const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) || (name[0] == '.' && g_str_has_prefix (name + 1, prefix)))
      n++;
  return n;
}

static void
test_open_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpCaseSummary) summary = NULL;

  fixture.app = op_test_start_provider ("op-exports-XXXXXX", 1280, 800, &fixture.tmpdir, &fixture.window);
  fixture.case_id = op_test_open_demo (fixture.app, fixture.window);
  summary = op_store_get_case (op_application_get_store (fixture.app), fixture.case_id, &error);
  g_assert_no_error (error);
  if (summary)
    fixture.location = g_strdup (summary->location_name);

  fixture.exports = op_window_get_exports_view (fixture.window);
  g_assert_nonnull (fixture.exports);
  op_test_show_page (fixture.exports, "exports");
  g_assert_true (op_test_wait_until (op_test_cond_mapped, fixture.exports, 10000));
  op_test_settle (300);
  g_assert_false (op_exports_view_get_busy (fixture.exports));
  /* The demo case is waiting for review: nothing to post yet. */
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Not approved");
}

static void
test_export_html (void)
{
  g_autofree char *path = g_build_filename (fixture.tmpdir, "simulation.html", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *data = NULL;
  GSettings *settings;
  gsize len;

  /* First name only is the default: the family name must not appear. */
  settings = g_settings_new (APP_ID);
  g_assert_true (g_settings_get_boolean (settings, "patient-first-name-only"));
  g_object_unref (settings);

  op_exports_view_export_html (fixture.exports, file);
  g_assert_true (op_exports_view_get_busy (fixture.exports));
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  g_assert_null (op_exports_view_get_last_error (fixture.exports));
  g_assert_nonnull (op_exports_view_get_last_file (fixture.exports));
  if (op_exports_view_get_last_file (fixture.exports))
    g_assert_true (g_file_equal (op_exports_view_get_last_file (fixture.exports), file));

  data = read_file (path, &len);
  g_assert_cmpuint (len, >, 10000);
  g_assert_cmpuint (len, <, 10 * 1024 * 1024);
  g_assert_true (data != NULL && g_str_has_prefix (data, "<!DOCTYPE html>"));
  /* The page is self-contained: no script or style from the network. */
  g_assert_null (data ? strstr (data, "<script src=\"http") : "x");

  /* First name only, the default setting: the full name is not on the
   * page; with the setting off, the next export has it. */
  {
    g_autofree char *full_path = g_build_filename (fixture.tmpdir, "simulation-full.html", NULL);
    g_autoptr(GFile) full_file = g_file_new_for_path (full_path);
    g_autoptr(GSettings) s = g_settings_new (APP_ID);
    OpHtmlOptions o = { .given_name = OP_DEMO_GIVEN_NAME, .family_name = OP_DEMO_FAMILY_NAME,
                        .show_full_name = TRUE };
    g_autofree char *full_name = op_export_html_display_name (&o);
    g_autofree char *full = NULL;
    gsize full_len;

    g_assert_nonnull (data ? strstr (data, OP_DEMO_GIVEN_NAME) : NULL);
    g_assert_null (data ? strstr (data, full_name) : "x");
    g_settings_set_boolean (s, "patient-first-name-only", FALSE);
    op_exports_view_export_html (fixture.exports, full_file);
    g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
    g_settings_set_boolean (s, "patient-first-name-only", TRUE);
    g_assert_null (op_exports_view_get_last_error (fixture.exports));
    full = read_file (full_path, &full_len);
    g_assert_nonnull (full ? strstr (full, full_name) : NULL);
  }
}

static gboolean
has_pdfinfo (void)
{
  g_autofree char *p = g_find_program_in_path ("pdfinfo");

  return p != NULL;
}

/* What `pdfinfo FILE` prints, or "" when it failed. */
static char *
pdfinfo (const char *path)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_test_fail_printf ("pdfinfo %s: %s", path, error ? error->message : "failed");
      g_free (out);
      return g_strdup ("");
    }
  return out;
}

static void
test_export_pdf (void)
{
  g_autofree char *a4 = g_build_filename (fixture.tmpdir, "report-a4.pdf", NULL);
  g_autofree char *letter = g_build_filename (fixture.tmpdir, "report-letter.pdf", NULL);
  g_autoptr(GFile) a4_file = g_file_new_for_path (a4);
  g_autoptr(GFile) letter_file = g_file_new_for_path (letter);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *a4_data = NULL, *letter_data = NULL;
  gsize a4_len, letter_len;

  g_settings_set_string (settings, "report-paper", "a4");
  op_exports_view_export_pdf (fixture.exports, a4_file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  g_assert_null (op_exports_view_get_last_error (fixture.exports));

  /* The paper setting reaches the report through the page's combo row. */
  g_settings_set_string (settings, "report-paper", "letter");
  op_exports_view_export_pdf (fixture.exports, letter_file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  g_assert_null (op_exports_view_get_last_error (fixture.exports));
  g_settings_set_string (settings, "report-paper", "a4");

  a4_data = read_file (a4, &a4_len);
  letter_data = read_file (letter, &letter_len);
  g_assert_cmpuint (a4_len, >, 10000);
  g_assert_cmpuint (letter_len, >, 10000);
  g_assert_true (a4_data != NULL && g_str_has_prefix (a4_data, "%PDF-"));
  g_assert_true (letter_data != NULL && g_str_has_prefix (letter_data, "%PDF-"));
  /* The page size as poppler reads it. */
  if (!has_pdfinfo ())
    {
      g_test_skip ("poppler-utils (pdfinfo) is not installed");
      return;
    }
  {
    g_autofree char *a4_info = pdfinfo (a4);
    g_autofree char *letter_info = pdfinfo (letter);

    g_assert_nonnull (strstr (a4_info, "(A4)"));
    g_assert_nonnull (strstr (letter_info, "(letter)"));
    const char *pages = strstr (a4_info, "Pages:");

    /* The report runs to several pages. */
    g_assert_nonnull (pages);
    if (pages)
      g_assert_cmpint (atoi (pages + strlen ("Pages:")), >=, 2);
  }
}

static void
test_cancel_video (void)
{
  g_autofree char *path = g_build_filename (fixture.tmpdir, "cancelled.webm", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFile *before = op_exports_view_get_last_file (fixture.exports);
  g_autoptr(GFile) before_ref = before ? g_object_ref (before) : NULL;

  op_exports_view_export_video (fixture.exports, file);
  g_assert_true (op_exports_view_get_busy (fixture.exports));
  op_test_settle (400);
  /* Still running: the whole video takes seconds, so the cancel below
   * stops it part way. */
  g_assert_true (op_exports_view_get_busy (fixture.exports));
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-busy.png");
  op_exports_view_cancel (fixture.exports);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 60000));

  g_assert_null (op_exports_view_get_last_error (fixture.exports));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (fixture.tmpdir, "cancelled"), ==, 0);
  /* The last file written is still the report, not the video. */
  g_assert_true (before_ref != NULL && op_exports_view_get_last_file (fixture.exports) != NULL &&
                 g_file_equal (op_exports_view_get_last_file (fixture.exports), before_ref));
}

static void
test_unwritable (void)
{
  g_autofree char *path = g_build_filename (fixture.tmpdir, "no-such-folder", "report.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  const char *message;

  op_exports_view_export_pdf (fixture.exports, file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  message = op_exports_view_get_last_error (fixture.exports);
  g_assert_nonnull (message);
  /* The dialog names the file that could not be written. */
  g_assert_nonnull (message ? strstr (message, path) : NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-error.png");

  /* Closes the error dialog so that it does not cover what follows. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = g_list_model_get_n_items (toplevels); i-- > 0;)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (w))
          gtk_window_destroy (w);
      }
  }
  op_test_settle (200);
}

/* Whether @widget or a widget inside it is a label showing @needle: how a
 * toast is found on screen. */
static gboolean
widget_shows_text (GtkWidget  *widget,
                   const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (widget_shows_text (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
cond_window_shows (gpointer data)
{
  return widget_shows_text (GTK_WIDGET (fixture.window), data);
}

static guint
count_message_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      n += ADW_IS_MESSAGE_DIALOG (w);
    }
  return n;
}

/* The images pdfimages lists for @pdf that are @w x @h, by page: how many
 * pages draw one. */
static guint
pdf_pages_with_image (const char *pdf,
                      int         w,
                      int         h)
{
  const char *argv[] = { "pdfimages", "-list", pdf, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) pages = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_test_fail_printf ("pdfimages -list %s: %s", pdf, error ? error->message : "failed");
      return 0;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      int page, num, width, height;
      char type[16];

      /* "   1     0 image     97    29  rgb ...": page, number, type, size. */
      if (sscanf (lines[i], "%d %d %15s %d %d", &page, &num, type, &width, &height) == 5 &&
          g_str_equal (type, "image") && width == w && height == h)
        g_hash_table_add (pages, GINT_TO_POINTER (page));
    }
  return g_hash_table_size (pages);
}

/* Exports @kind to @name in the test folder with the logo in force and
 * checks that it failed with a toast naming @logo, no dialog and no file. */
static void
check_logo_refused (OpExportsKind  kind,
                    const char    *name,
                    const char    *logo,
                    const char    *words)
{
  g_autofree char *path = g_build_filename (fixture.tmpdir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *prefix = g_strndup (name, strcspn (name, "."));
  guint dialogs = count_message_dialogs ();
  const char *message;

  if (kind == OP_EXPORTS_KIND_HTML)
    op_exports_view_export_html (fixture.exports, file);
  else
    op_exports_view_export_pdf (fixture.exports, file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  message = op_exports_view_get_last_error (fixture.exports);
  g_assert_nonnull (message);
  g_assert_nonnull (message ? strstr (message, logo) : NULL);
  g_assert_nonnull (message ? strstr (message, words) : NULL);
  /* Nothing half-done: neither the file nor a temporary one beside it. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (fixture.tmpdir, prefix), ==, 0);
  /* A toast, not a dialog. */
  g_assert_true (op_test_wait_until (cond_window_shows, (gpointer) logo, 5000));
  g_assert_cmpuint (count_message_dialogs (), ==, dialogs);
}

static void
test_logo (void)
{
  g_autofree char *logo = g_build_filename (fixture.tmpdir, "practice-logo.png", NULL);
  g_autofree char *text = g_build_filename (fixture.tmpdir, "practice-notes.png", NULL);
  g_autofree char *jpeg = g_build_filename (fixture.tmpdir, "practice-logo.jpg", NULL);
  g_autofree char *broken = g_build_filename (fixture.tmpdir, "practice-broken.png", NULL);
  g_autofree char *missing = g_build_filename (fixture.tmpdir, "moved-away", "practice-logo.png", NULL);
  g_autofree char *page = g_build_filename (fixture.tmpdir, "logo-simulation.html", NULL);
  g_autofree char *pdf = g_build_filename (fixture.tmpdir, "logo-report.pdf", NULL);
  g_autoptr(GFile) logo_file = g_file_new_for_path (logo);
  g_autoptr(GFile) text_file = g_file_new_for_path (text);
  g_autoptr(GFile) jpeg_file = g_file_new_for_path (jpeg);
  g_autoptr(GFile) broken_file = g_file_new_for_path (broken);
  g_autoptr(GFile) page_file = g_file_new_for_path (page);
  g_autoptr(GFile) pdf_file = g_file_new_for_path (pdf);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree guint8 *rgba = g_malloc (97 * 29 * 4);
  g_autofree char *logo_bytes = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *html = NULL;
  g_autofree char *setting = NULL;
  g_autofree char *pdfimages = g_find_program_in_path ("pdfimages");
  gsize logo_len = 0, html_len = 0;
  const char *summary;

  /* A logo of an odd size, so that pdfimages tells it from the pictures. */
  for (int i = 0; i < 97 * 29; i++)
    {
      rgba[4 * i] = (guint8) (i % 97 < 48 ? 20 : 240);
      rgba[4 * i + 1] = 150;
      rgba[4 * i + 2] = (guint8) (i / 97 < 14 ? 70 : 200);
      rgba[4 * i + 3] = 255;
    }
  g_assert_true (op_image_save_png (rgba, 97, 29, logo, NULL));
  g_assert_true (g_file_get_contents (logo, &logo_bytes, &logo_len, NULL));
  g_assert_true (g_file_set_contents (text, "not a picture, whatever the name says", -1, NULL));
  g_assert_true (g_file_set_contents (jpeg, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 13, NULL));
  g_assert_true (g_file_set_contents (broken, "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16, NULL));

  /* None by default. */
  setting = g_settings_get_string (settings, "practice-logo");
  g_assert_cmpstr (setting, ==, "");
  g_clear_pointer (&setting, g_free);
  summary = op_exports_view_get_logo_summary (fixture.exports);
  g_assert_nonnull (summary ? strstr (summary, "None") : NULL);

  /* Chosen as the dialog does it: the setting holds the path, the row its
   * name. */
  g_assert_true (op_exports_view_set_logo (fixture.exports, logo_file));
  setting = g_settings_get_string (settings, "practice-logo");
  g_assert_cmpstr (setting, ==, logo);
  summary = op_exports_view_get_logo_summary (fixture.exports);
  g_assert_nonnull (summary ? strstr (summary, "practice-logo.png") : NULL);
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-logo.png");

  /* The page carries the logo's very bytes. */
  op_exports_view_export_html (fixture.exports, page_file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  g_assert_null (op_exports_view_get_last_error (fixture.exports));
  html = read_file (page, &html_len);
  b64 = g_base64_encode ((const guchar *) logo_bytes, logo_len);
  uri = g_strconcat ("data:image/png;base64,", b64, NULL);
  g_assert_nonnull (html ? strstr (html, uri) : NULL);

  /* The report draws it in every page's header. */
  op_exports_view_export_pdf (fixture.exports, pdf_file);
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 120000));
  g_assert_null (op_exports_view_get_last_error (fixture.exports));
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  if (pdfimages != NULL && has_pdfinfo ())
    {
      g_autofree char *info = pdfinfo (pdf);
      const char *pages = strstr (info, "Pages:");
      int n_pages = pages ? atoi (pages + strlen ("Pages:")) : 0;

      g_assert_cmpint (n_pages, >=, 2);
      g_assert_cmpuint (pdf_pages_with_image (pdf, 97, 29), ==, (guint) n_pages);
    }
  else
    g_test_message ("poppler-utils missing: the logo in the report is not checked");

  /* A file that is not a picture never becomes the setting. */
  g_assert_false (op_exports_view_set_logo (fixture.exports, text_file));
  g_assert_nonnull (strstr (op_exports_view_get_last_error (fixture.exports), text));
  g_assert_true (op_test_wait_until (cond_window_shows, text, 5000));
  /* Nor does a PNG that is broken after its first bytes. */
  g_assert_false (op_exports_view_set_logo (fixture.exports, broken_file));
  g_assert_nonnull (strstr (op_exports_view_get_last_error (fixture.exports), broken));
  g_clear_pointer (&setting, g_free);
  setting = g_settings_get_string (settings, "practice-logo");
  g_assert_cmpstr (setting, ==, logo);

  /* The logo file went away after it was chosen: the row says so, and
   * each export says which file is missing and writes nothing. */
  g_settings_set_string (settings, "practice-logo", missing);
  summary = op_exports_view_get_logo_summary (fixture.exports);
  g_assert_nonnull (summary ? strstr (summary, "missing") : NULL);
  check_logo_refused (OP_EXPORTS_KIND_HTML, "missing-logo.html", missing, "no such file");
  /* Past the toasts' slide, so that the picture shows the one in front. */
  op_test_settle (1000);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-logo-missing.png");
  check_logo_refused (OP_EXPORTS_KIND_PDF, "missing-logo.pdf", missing, "no such file");

  /* A JPEG is fine for the page, and refused by name for the report. */
  g_assert_true (op_exports_view_set_logo (fixture.exports, jpeg_file));
  check_logo_refused (OP_EXPORTS_KIND_PDF, "jpeg-logo.pdf", jpeg, "PNG");

  /* Cleared: the setting is empty again and exports carry no logo. */
  g_assert_true (op_exports_view_set_logo (fixture.exports, NULL));
  g_clear_pointer (&setting, g_free);
  setting = g_settings_get_string (settings, "practice-logo");
  g_assert_cmpstr (setting, ==, "");
  summary = op_exports_view_get_logo_summary (fixture.exports);
  g_assert_nonnull (summary ? strstr (summary, "None") : NULL);
}

static gboolean
cond_posting_changed (gpointer data)
{
  return g_strcmp0 (op_exports_view_get_posting_title (fixture.exports), data) != 0;
}

static void
test_posting (void)
{
  OpStore *store = op_application_get_store (fixture.app);
  OpPmsSettingsInput in = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const char *detail;
  static const char *codes[] = { "D8040", "D8080", "D8090", "D8680" };

  /* A file bridge for the case's location, set up through the store as
   * `orthoplan-cli pms set` does; no fees yet. */
  fixture.bridge = g_build_filename (fixture.tmpdir, "bridge", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture.bridge, 0700), ==, 0);
  in.connector = "file";
  in.folder = fixture.bridge;
  in.clinic_num = -1;
  in.retention = -1;
  in.timeout_s = -1;
  g_assert_true (op_outbox_set_settings (store, fixture.location, &in, &error));
  g_assert_no_error (error);

  op_exports_view_refresh_posting (fixture.exports);
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Not approved");
  g_assert_false (op_exports_view_retry_posting (fixture.exports));

  /* The approval through the window's dialog; the window refreshes the
   * page, which now shows the outbox row the approval wrote. */
  if (!op_test_approve (fixture.window, OP_TEST_PROVIDER_PASSWORD))
    return;
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Pending");
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-pending.png");

  /* Sent without a fee: the worker sets it aside with the reason. */
  g_assert_true (op_exports_view_retry_posting (fixture.exports));
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 60000));
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Needs attention");
  detail = op_exports_view_get_posting_detail (fixture.exports);
  g_assert_nonnull (detail ? strstr (detail, "no fee for") : NULL);
  entries = op_outbox_list (store, fixture.case_id, &error);
  g_assert_no_error (error);
  g_assert_true (entries != NULL && entries->len == 1);
  if (entries && entries->len == 1)
    g_assert_cmpint (((OpOutboxEntry *) g_ptr_array_index (entries, 0))->state, ==, OP_OUTBOX_NEEDS_ATTENTION);
  g_clear_pointer (&entries, g_ptr_array_unref);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-needs-attention.png");

  /* Once the fees are set, Retry puts the row back to pending (shown at
   * once) and the worker posts it. */
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_assert_true (op_outbox_set_fee (store, fixture.location, codes[i], 185000, &error));
      g_assert_no_error (error);
    }
  g_assert_true (op_exports_view_retry_posting (fixture.exports));
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Pending");
  g_assert_true (op_test_wait_until (cond_posting_changed, (gpointer) "Pending", 60000));
  g_assert_true (op_test_wait_until (cond_exports_idle, fixture.exports, 60000));
  g_assert_cmpstr (op_exports_view_get_posting_title (fixture.exports), ==, "Posted");
  detail = op_exports_view_get_posting_detail (fixture.exports);
  g_assert_nonnull (detail ? strstr (detail, "remote ids") : NULL);
  g_assert_nonnull (detail ? strstr (detail, fixture.location) : NULL);
  entries = op_outbox_list (store, fixture.case_id, &error);
  g_assert_no_error (error);
  if (entries && entries->len == 1)
    {
      const OpOutboxEntry *e = g_ptr_array_index (entries, 0);

      g_assert_cmpint (e->state, ==, OP_OUTBOX_POSTED);
      g_assert_true (e->remote_ids != NULL && e->remote_ids[0] != NULL && *e->remote_ids[0] != '\0');
      g_assert_nonnull (e->remote_ids && e->remote_ids[0] ? strstr (detail, e->remote_ids[0]) : NULL);
    }
  else
    g_test_fail_printf ("the case has %u outbox rows, not 1", entries ? entries->len : 0);
  /* The bridge wrote its files. */
  g_assert_cmpuint (count_files (fixture.bridge, ""), >=, 2);
  /* Posted is final: nothing to retry. */
  g_assert_false (op_exports_view_retry_posting (fixture.exports));
  op_test_settle (300);
  op_test_save_widget_png (GTK_WIDGET (fixture.window), "app-exports-posted.png");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/app/exports/open-demo", test_open_demo);
  g_test_add_func ("/app/exports/html", test_export_html);
  g_test_add_func ("/app/exports/pdf", test_export_pdf);
  g_test_add_func ("/app/exports/video-cancel", test_cancel_video);
  g_test_add_func ("/app/exports/unwritable", test_unwritable);
  g_test_add_func ("/app/exports/logo", test_logo);
  g_test_add_func ("/app/exports/posting", test_posting);

  status = g_test_run ();

  op_test_stop_app (&fixture.app, fixture.window);
  if (fixture.tmpdir)
    op_test_remove_tree (fixture.tmpdir);
  g_free (fixture.tmpdir);
  g_free (fixture.bridge);
  g_free (fixture.location);
  return status;
}
