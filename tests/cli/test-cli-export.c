/* Tests for orthoplan-cli export, run as a real process on a case made
 * from the real teeth and planned by the real planner: the patient page,
 * the report and a short video, the bad inputs, and the audit trail. */
#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>
#include <stdlib.h>
#include <string.h>

#include "op-image.h"
#include "op-store.h"
#include "test-cli-util.h"

static char *tmpdir;
static char *case_id;

static gboolean
have_case (void)
{
  if (case_id == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return FALSE;
    }
  return TRUE;
}

/* Imports the real teeth; an export before planning is refused. */
static void
test_no_plan (void)
{
  g_autofree char *up = test_cli_real_dir ("maxilla");
  g_autofree char *lo = test_cli_real_dir ("mandible");
  g_autofree char *page = g_build_filename (tmpdir, "early.html", NULL);
  TestCliRun r;

  if (up == NULL || lo == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  test_cli_run (&r, "case", "import-teeth", "--patient", "Example, Anna", "--dob", "1990-04-12", "--numbering",
           "universal", "--location", "Bright Smiles", up, lo, NULL);
  g_assert_cmpint (r.status, ==, 0);
  case_id = g_strstrip (g_strdup (r.out));
  test_cli_run_clear (&r);

  test_cli_run (&r, "export", case_id, "--html", page, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "has no plan yet"));
  g_assert_false (g_file_test (page, G_FILE_TEST_EXISTS));
  test_cli_run_clear (&r);

  test_cli_run (&r, "plan", case_id, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
}

static void
test_html (void)
{
  g_autofree char *page = g_build_filename (tmpdir, "anna.html", NULL);
  g_autofree char *logo = g_build_filename (tmpdir, "logo.png", NULL);
  g_autofree char *text = NULL;
  guint8 rgba[4 * 16 * 16];
  gsize len = 0;
  TestCliRun r;

  if (!have_case ())
    return;
  memset (rgba, 0x80, sizeof rgba);
  g_assert_true (op_image_save_png (rgba, 16, 16, logo, NULL));
  test_cli_run (&r, "export", case_id, "--html", page, "--logo", logo, "--interval", "10", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (g_strstrip (r.out), ==, page);
  test_cli_run_clear (&r);
  g_assert_true (g_file_get_contents (page, &text, &len, NULL));
  g_assert_cmpuint (len, <, 10 * 1024 * 1024);
  /* The practice is the case's location; the first name only. */
  g_assert_nonnull (strstr (text, "\"practice\":\"Bright Smiles\""));
  g_assert_nonnull (strstr (text, "\"patient\":\"Anna\""));
  g_assert_null (strstr (text, "Example"));
  g_assert_nonnull (strstr (text, "data:image/png;base64,"));
  g_assert_nonnull (strstr (text, "\"intervalDays\":10"));
}

static void
test_pdf (void)
{
  g_autofree char *pdf = g_build_filename (tmpdir, "report.pdf", NULL);
  g_autofree char *prefix = g_build_filename (tmpdir, "report", NULL);
  g_autofree char *page2 = g_build_filename (tmpdir, "report-2.png", NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *logo = g_build_filename (tmpdir, "logo.png", NULL);
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GError) error = NULL;
  int w = 0, h = 0;
  gsize teeth = 0;
  TestCliRun r;

  if (!have_case ())
    return;
  /* The 16 x 16 logo test_html drew, in the report's header. */
  test_cli_run (&r, "export", case_id, "--pdf", pdf, "--paper", "letter", "--start", "2025-01-06", "--logo", logo,
                NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "DRAFT"));
  test_cli_run_clear (&r);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  if (pdftotext == NULL)
    {
      g_test_skip ("poppler-utils is not installed: the report's text and pages are not checked");
      return;
    }
  {
    const char *args[] = { "pdftotext", "-enc", "UTF-8", "-layout", pdf, "-", NULL };

    test_cli_spawn (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Example, Anna"));
    g_assert_nonnull (strstr (r.out, "version 1"));
    g_assert_nonnull (strstr (r.out, "DRAFT, not approved"));
    g_assert_nonnull (strstr (r.out, "Bright Smiles"));
    g_assert_nonnull (strstr (r.out, "Movement table"));
    g_assert_true (g_regex_match_simple ("\\n\\s*1\\s+2025-01-06", r.out, 0, 0));
    test_cli_run_clear (&r);
  }
  {
    const char *args[] = { "pdfimages", "-list", pdf, NULL };

    /* "   1     0 image      16    16  rgb ...": the logo on page 1. */
    test_cli_spawn (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_regex_match_simple ("\\n\\s*1\\s+\\d+\\s+image\\s+16\\s+16\\s", r.out, 0, 0));
    test_cli_run_clear (&r);
  }
  {
    const char *args[] = { "pdftoppm", "-r", "40", "-f", "2", "-l", "2", "-png", pdf, prefix, NULL };

    test_cli_spawn (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    test_cli_run_clear (&r);
  }
  /* Page 2 holds the rendered initial views: warm white teeth on the
   * renderer's grey-blue ground. */
  pixels = op_image_load_png (page2, &w, &h, &error);
  g_assert_no_error (error);
  /* Letter at 40 dpi. */
  g_assert_cmpint (w, ==, 340);
  g_assert_cmpint (h, ==, 440);
  for (gsize i = 0; pixels && i < (gsize) w * h; i++)
    teeth += pixels[4 * i] > 200 && pixels[4 * i + 1] > 190 && pixels[4 * i + 2] < pixels[4 * i] - 12;
  g_test_message ("page 2: %zu enamel-coloured pixels of %d", teeth, w * h);
  g_assert_cmpuint (teeth, >, (gsize) w * h / 50);
}

static void
test_video (void)
{
  g_autofree char *video = g_build_filename (tmpdir, "anna.webm", NULL);
  g_autofree char *uri = NULL;
  g_autoptr(GstDiscoverer) disc = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GList *streams;
  TestCliRun r;

  if (!have_case ())
    return;
  /* 0.1 s per aligner at 10 frames a second: a few seconds at most. */
  test_cli_run (&r, "export", case_id, "--video", video, "--width", "160", "--height", "96", "--fps", "10",
           "--seconds-per-stage", "0.1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "video: 100 %"));
  test_cli_run_clear (&r);

  gst_init (NULL, NULL);
  uri = g_filename_to_uri (video, NULL, NULL);
  disc = gst_discoverer_new (30 * GST_SECOND, &error);
  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (disc, uri, &error);
  g_assert_no_error (error);
  if (info == NULL)
    return;
  streams = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  if (streams)
    {
      GstDiscovererVideoInfo *v = streams->data;
      double seconds = gst_discoverer_info_get_duration (info) / (double) GST_SECOND;
      int frames = 0;

      g_assert_cmpuint (gst_discoverer_video_info_get_width (v), ==, 160);
      g_assert_cmpuint (gst_discoverer_video_info_get_height (v), ==, 96);
      /* 1.5 s before and after, one frame per aligner (the real plan
       * has between 10 and 60), one last frame. */
      frames = (int) (seconds * 10 + 0.5);
      g_test_message ("video: %.2f s, %d frames", seconds, frames);
      g_assert_cmpint (frames, >=, 30 + 10);
      g_assert_cmpint (frames, <=, 30 + 60);
    }
  gst_discoverer_stream_info_list_free (streams);
}

static void
test_bad_input (void)
{
  g_autofree char *page = g_build_filename (tmpdir, "bad.html", NULL);
  g_autofree char *missing_dir = g_build_filename (tmpdir, "no-such-folder", "x.pdf", NULL);
  TestCliRun r;

  if (!have_case ())
    return;
  test_cli_run (&r, "export", case_id, "--html", page, "--logo", "/nonexistent/logo.png", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "logo /nonexistent/logo.png: no such file"));
  g_assert_false (g_file_test (page, G_FILE_TEST_EXISTS));
  test_cli_run_clear (&r);

  /* The report takes a PNG logo only, and says so by the file's name
   * before anything is loaded or written. */
  {
    g_autofree char *jpeg = g_build_filename (tmpdir, "logo.jpg", NULL);
    g_autofree char *report = g_build_filename (tmpdir, "jpeg-logo.pdf", NULL);

    g_assert_true (g_file_set_contents (jpeg, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 13, NULL));
    test_cli_run (&r, "export", case_id, "--pdf", report, "--logo", jpeg, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, jpeg));
    g_assert_nonnull (strstr (r.err, "PNG"));
    g_assert_false (g_file_test (report, G_FILE_TEST_EXISTS));
    test_cli_run_clear (&r);
  }

  test_cli_run (&r, "export", case_id, "--pdf", missing_dir, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "does not exist"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "export", case_id, "--pdf", page, "--paper", "a5", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "a5"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "export", case_id, NULL);
  g_assert_cmpint (r.status, ==, 2);
  test_cli_run_clear (&r);

  test_cli_run (&r, "export", "999", "--html", page, NULL);
  g_assert_cmpint (r.status, ==, 1);
  test_cli_run_clear (&r);
}

/* Every export is in the audit log, and the chain still verifies. */
static void
test_audit (void)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpUser) user = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  OpUserInput admin = { .login = "admin", .name = "Ada Admin", .role = OP_ROLE_ADMINISTRATOR,
                        .password = "correct horse battery" };
  OpAuditFilter filter = { .action = "case.export" };
  TestCliRun r;

  if (!have_case ())
    return;
  test_cli_run (&r, "audit", "verify", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  store = op_store_open (g_getenv ("OP_TEST_DB"), &error);
  g_assert_no_error (error);
  if (store == NULL)
    return;
  g_assert_cmpint (op_store_add_user (store, &admin, &error), >, 0);
  g_assert_no_error (error);
  user = op_store_sign_in (store, "admin", admin.password, &error);
  g_assert_no_error (error);
  entries = op_store_list_audit (store, &filter, &error);
  g_assert_no_error (error);
  if (entries == NULL)
    return;
  /* The page, the report and the video; the refused ones are not. */
  g_assert_cmpuint (entries->len, ==, 3);
  for (guint i = 0; i < entries->len; i++)
    {
      OpAuditEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *object = g_strdup_printf ("case:%s", case_id);

      g_assert_cmpstr (e->object, ==, object);
      g_assert_nonnull (strstr (e->detail, "of plan v1 to "));
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-cli-export-XXXXXX", NULL);
  db = g_build_filename (tmpdir, "test.db", NULL);
  g_setenv ("OP_TEST_DB", db, TRUE);
  test_cli_setup (tmpdir, db);

  /* In order: each test uses the case the first one made. */
  g_test_add_func ("/cli/export/no-plan", test_no_plan);
  g_test_add_func ("/cli/export/html", test_html);
  g_test_add_func ("/cli/export/pdf", test_pdf);
  g_test_add_func ("/cli/export/video", test_video);
  g_test_add_func ("/cli/export/bad-input", test_bad_input);
  g_test_add_func ("/cli/export/audit", test_audit);
  status = g_test_run ();

  if (g_getenv ("OP_TEST_KEEP"))
    g_printerr ("kept %s\n", tmpdir);
  else
    test_cli_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (case_id);
  return status;
}
