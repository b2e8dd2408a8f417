/* Tests for the treatment report PDF (io/op-report.c) on the real teeth's
 * generated plan: the text as pdftotext reads it, the pages as pdftoppm
 * draws them. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "op-image.h"
#include "op-report.h"
#include "test-export-util.h"

static char *tmpdir;
static OpDentition *real_teeth;

/* A picture standing in for a render: a dark disc on a light ground, a
 * different colour per view, so the page that holds it cannot be blank. */
static guint8 *
fake_picture (int w, int h, int seed)
{
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 *p = rgba + 4 * ((gsize) y * w + x);
        double dx = x - w / 2.0, dy = y - h / 2.0;
        gboolean in = dx * dx + dy * dy < (h / 3.0) * (h / 3.0);

        p[0] = in ? (guint8) (40 + 30 * seed) : 235;
        p[1] = in ? 60 : 238;
        p[2] = in ? 90 : 242;
        p[3] = 255;
      }
  return rgba;
}

static char *
run (const char *const *argv, int *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                NULL, &wait_status, &error);
  g_assert_no_error (error);
  *status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  return out;
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", "-layout", pdf, "-", NULL };
  int status;
  char *text = run (argv, &status);

  g_assert_cmpint (status, ==, 0);
  return text;
}

static guint
count_char (const char *s, char c)
{
  guint n = 0;

  for (; s && *s; s++)
    n += *s == c;
  return n;
}

static guint
count_str (const char *s, const char *needle)
{
  guint n = 0;

  for (const char *p = s; p && (p = strstr (p, needle)); p += strlen (needle))
    n++;
  return n;
}

typedef struct {
  OpPlan          *plan;
  OpPatient        patient;
  OpApproval       approval;
  OpReportPicture  pics[10];
  guint8          *pixels[10];
  OpReportInput    in;
} Fixture;

static void
fixture_init (Fixture *f)
{
  static const char *captions[] = { "Front", "Upper occlusal", "Lower occlusal", "Left", "Right" };

  memset (f, 0, sizeof *f);
  f->plan = test_export_plan (real_teeth, 31, TRUE);
  /* A provider whose comfort threshold for rotation is 10 degrees. */
  f->plan->comfort.rot = 10.0;
  f->patient.family_name = (char *) "Example";
  f->patient.given_name = (char *) "Anna";
  f->patient.birth_date = (char *) "1990-04-12";
  f->patient.chart_number = (char *) "C-1042";
  for (guint i = 0; i < 10; i++)
    {
      f->pixels[i] = fake_picture (320, 200, (int) i);
      f->pics[i].rgba = f->pixels[i];
      f->pics[i].width = 320;
      f->pics[i].height = 200;
      f->pics[i].caption = captions[i % 5];
    }
  f->approval.plan_version = 3;
  f->approval.signer_login = (char *) "drsmith";
  f->approval.signer_name = (char *) "Dr Jane Smith";
  f->approval.signer_npi = (char *) "1234567893";
  f->approval.meaning = (char *) "approved treatment plan v3 for production";
  f->approval.signed_at = (char *) "2025-01-02T10:11:12Z";
  f->approval.plan_sha256 = (char *) "ab12cd34";
  f->approval.fingerprint = (char *) "SHA256:Zq9fingerprintXy";

  f->in.practice_name = "Bright Smiles Orthodontics";
  f->in.location_name = "Main office";
  f->in.patient = &f->patient;
  f->in.provider_name = "Dr Jane Smith";
  f->in.case_id = 7;
  f->in.plan_version = 3;
  f->in.plan_sha256 = "ab12cd34";
  f->in.plan_created_at = "2025-01-01T09:00:00Z";
  f->in.start_date = "2025-01-06";
  f->in.interval_days = 14;
  f->in.generated_at = "2025-01-03T08:00:00Z";
  f->in.initial = f->pics;
  f->in.n_initial = 5;
  f->in.final_pictures = f->pics + 5;
  f->in.n_final = 5;
}

static void
fixture_clear (Fixture *f)
{
  op_plan_free (f->plan);
  for (guint i = 0; i < 10; i++)
    g_free (f->pixels[i]);
}

static gboolean
need_tools (void)
{
  g_autofree char *a = g_find_program_in_path ("pdftotext");
  g_autofree char *b = g_find_program_in_path ("pdftoppm");

  if (real_teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return FALSE;
    }
  if (a == NULL || b == NULL)
    {
      g_test_skip ("poppler-utils (pdftotext, pdftoppm) is not installed");
      return FALSE;
    }
  return TRUE;
}

/* Without an approval: a draft, marked on every page, with all the
 * sections and their rows. */
static void
test_draft (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "draft.pdf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autofree char *first = NULL;
  gsize first_len;
  guint pages;

  if (!need_tools ())
    return;
  fixture_init (&f);
  g_assert_false (op_report_is_final (&f.in));
  g_assert_true (op_report_write_pdf (f.plan, &f.in, path, &error));
  g_assert_no_error (error);
  text = pdf_text (path);
  if (g_getenv ("OP_TEST_KEEP"))
    g_printerr ("%s\n", text);

  /* pdftotext ends every page with a form feed. */
  pages = count_char (text, '\f');
  g_test_message ("%u pages", pages);
  g_assert_cmpuint (pages, >=, 5);
  /* The header says so on every page (the watermark across the page is
   * checked in its pixels: its turned letters come out of pdftotext one
   * by one). */
  g_assert_cmpuint (count_str (text, "DRAFT, not approved"), >=, pages + 1);
  g_assert_null (strstr (text, "FINAL"));

  g_assert_nonnull (strstr (text, "Example, Anna"));
  g_assert_nonnull (strstr (text, "1990-04-12"));
  g_assert_nonnull (strstr (text, "C-1042"));
  g_assert_nonnull (strstr (text, "Bright Smiles Orthodontics"));
  g_assert_nonnull (strstr (text, "Dr Jane Smith"));
  g_assert_nonnull (strstr (text, "version 3"));
  g_assert_nonnull (strstr (text, "not approved: no provider has signed this plan"));
  g_assert_nonnull (strstr (text, "30 (upper 30, lower 0)"));
  g_assert_nonnull (strstr (text, "420 days"));
  /* Aligner 31 would start on 2025-01-06 + 30 * 14 days. */
  g_assert_nonnull (strstr (text, "2026-03-02"));

  /* Movement rows: 11 moved 2 mm buccally with 12 degrees of rotation,
   * beyond the 10-degree comfort threshold; 16 did not move. */
  g_assert_true (g_regex_match_simple ("\\n\\s*11\\s+0\\.00\\s+2\\.00\\s+0\\.00\\s+12\\.0\\*\\s+3\\.0\\s+0\\.0\\s+check",
                                       text, 0, 0));
  g_assert_true (g_regex_match_simple ("\\n\\s*16\\s+0\\.00\\s+0\\.00\\s+0\\.00\\s+0\\.0\\s+0\\.0\\s+0\\.0\\s*\\n",
                                       text, 0, 0));
  /* IPR: contact, amount, aligner and the visit's date (aligner 3 starts
   * 28 days after the start). */
  g_assert_true (g_regex_match_simple ("11–21\\s+0\\.30\\s+3\\s+2025-02-03", text, 0, 0));
  g_assert_true (g_regex_match_simple ("41–42\\s+0\\.20\\s+6\\s+2025-03-17", text, 0, 0));
  /* Attachments and the schedule's visits. */
  g_assert_true (g_regex_match_simple ("13\\s+rect-vertical\\s+3\\.0 × 2\\.0 × 1\\.00\\s+2", text, 0, 0));
  g_assert_true (g_regex_match_simple ("\\n\\s*2\\s+2025-01-20\\s+bond attachment 13; bond attachment 44", text, 0, 0));
  g_assert_true (g_regex_match_simple ("\\n\\s*30\\s+2026-02-16", text, 0, 0));
  g_assert_nonnull (strstr (text, "Tooth 11 rotates 12.0° in total"));

  /* The same input, the same bytes. */
  g_assert_true (g_file_get_contents (path, &first, &first_len, NULL));
  again = op_report_build_pdf (f.plan, &f.in, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (again), ==, first_len);
  g_assert_cmpint (memcmp (g_bytes_get_data (again, NULL), first, first_len), ==, 0);
  fixture_clear (&f);
}

/* Only a verified approval of this version and these bytes is final. */
static void
test_final (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "final.pdf", NULL);
  g_autofree char *other = g_build_filename (tmpdir, "other-version.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *text_other = NULL;

  if (!need_tools ())
    return;
  fixture_init (&f);
  f.in.approval = &f.approval;
  f.in.approval_valid = TRUE;
  g_assert_true (op_report_is_final (&f.in));
  g_assert_true (op_report_write_pdf (f.plan, &f.in, path, &error));
  g_assert_no_error (error);
  text = pdf_text (path);
  g_assert_null (strstr (text, "DRAFT"));
  g_assert_nonnull (strstr (text, "FINAL — approved plan"));
  g_assert_cmpuint (count_str (text, "FINAL"), >, count_char (text, '\f'));
  g_assert_nonnull (strstr (text, "Dr Jane Smith (drsmith)"));
  g_assert_nonnull (strstr (text, "1234567893"));
  g_assert_nonnull (strstr (text, "2025-01-02T10:11:12Z"));
  g_assert_nonnull (strstr (text, "SHA256:Zq9fingerprintXy"));
  g_assert_nonnull (strstr (text, "approved treatment plan v3 for production"));
  g_assert_nonnull (strstr (text, "verified against the stored plan bytes"));

  /* An approval that does not verify, of another version, or of other
   * bytes: a draft, saying why. */
  f.in.approval_valid = FALSE;
  g_assert_false (op_report_is_final (&f.in));
  f.in.approval_valid = TRUE;
  f.in.plan_version = 4;
  g_assert_false (op_report_is_final (&f.in));
  f.in.plan_version = 3;
  f.in.plan_sha256 = "ffff";
  g_assert_false (op_report_is_final (&f.in));
  f.in.approval_problem = "The approval is for other plan bytes than the stored plan.";
  g_assert_true (op_report_write_pdf (f.plan, &f.in, other, &error));
  g_assert_no_error (error);
  text_other = pdf_text (other);
  g_assert_nonnull (strstr (text_other, "DRAFT, not approved"));
  g_assert_nonnull (strstr (text_other, "does NOT verify for this plan"));
  g_assert_nonnull (strstr (text_other, "other plan bytes"));
  fixture_clear (&f);
}

/* The pages as pictures: paper size, and picture pages that are not blank. */
static void
test_pages (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  const char *papers[] = { "a4", "letter" };
  /* At 36 dpi: A4 is 297.6 x 420.9 px, Letter 306 x 396. */
  const int expect_w[] = { 298, 306 }, expect_h[] = { 421, 396 };

  if (!need_tools ())
    return;
  fixture_init (&f);
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *pdf = g_strdup_printf ("%s/pages-%s.pdf", tmpdir, papers[k]);
      g_autofree char *prefix = g_strdup_printf ("%s/pages-%s", tmpdir, papers[k]);
      g_autofree char *page1 = g_strdup_printf ("%s-1.png", prefix);
      g_autofree char *page2 = g_strdup_printf ("%s-2.png", prefix);
      const char *argv[] = { "pdftoppm", "-r", "36", "-png", pdf, prefix, NULL };
      g_autofree char *out = NULL;
      g_autofree guint8 *p1 = NULL, *p2 = NULL;
      int status, w, h;
      gsize dark1 = 0, dark2 = 0, red1 = 0;

      g_assert_true (op_paper_from_string (papers[k], &f.in.paper));
      g_assert_true (op_report_write_pdf (f.plan, &f.in, pdf, &error));
      g_assert_no_error (error);
      out = run (argv, &status);
      g_assert_cmpint (status, ==, 0);
      p1 = op_image_load_png (page1, &w, &h, &error);
      g_assert_no_error (error);
      g_assert_cmpint (abs (w - expect_w[k]), <=, 1);
      g_assert_cmpint (abs (h - expect_h[k]), <=, 1);
      p2 = op_image_load_png (page2, &w, &h, &error);
      g_assert_no_error (error);
      if (p1 == NULL || p2 == NULL)
        continue;
      for (gsize i = 0; i < (gsize) w * h; i++)
        {
          dark1 += p1[4 * i] < 128 && p1[4 * i + 1] < 128;
          dark2 += p2[4 * i] < 160 && p2[4 * i + 2] < 160;
          red1 += p1[4 * i] > p1[4 * i + 1] + 25 && p1[4 * i] > p1[4 * i + 2] + 25;
        }
      /* The pink watermark across the first page. */
      g_assert_cmpuint (red1, >, 2000);
      /* Page 2 holds the initial pictures, whose discs cover a good part of
       * it; page 1 holds text only. */
      g_test_message ("%s: page 1 %zu dark px, page 2 %zu", papers[k], dark1, dark2);
      g_assert_cmpuint (dark2, >, (gsize) w * h / 20);
      g_assert_cmpuint (dark1, <, (gsize) w * h / 10);
      g_assert_cmpuint (dark1, >, 100);
    }
  g_assert_false (op_paper_from_string ("a5", &f.in.paper));
  fixture_clear (&f);
}

static void
test_bad_input (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *nodir = g_build_filename (tmpdir, "missing", "r.pdf", NULL);

  if (real_teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }
  fixture_init (&f);
  f.in.start_date = "2025-02-30";
  g_assert_null (op_report_build_pdf (f.plan, &f.in, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "2025-02-30"));
  g_clear_error (&error);
  f.in.start_date = NULL;

  f.in.plan_version = 0;
  g_assert_null (op_report_build_pdf (f.plan, &f.in, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_INPUT);
  g_clear_error (&error);
  f.in.plan_version = 3;

  g_assert_false (op_report_write_pdf (f.plan, &f.in, nodir, &error));
  g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_assert_false (g_file_test (nodir, G_FILE_TEST_EXISTS));
  fixture_clear (&f);
}

/* A logo of an odd size, so that pdfimages tells it from the pictures: a
 * green ground with a white band. */
#define LOGO_W 123
#define LOGO_H 41

static void
write_logo (const char *path)
{
  g_autofree guint8 *rgba = g_malloc (LOGO_W * LOGO_H * 4);

  for (int y = 0; y < LOGO_H; y++)
    for (int x = 0; x < LOGO_W; x++)
      {
        guint8 *p = rgba + 4 * (y * LOGO_W + x);
        gboolean band = y > 17 && y < 23;

        p[0] = band ? 255 : 0;
        p[1] = band ? 255 : 170;
        p[2] = band ? 255 : 60;
        p[3] = 255;
      }
  g_assert_true (op_image_save_png (rgba, LOGO_W, LOGO_H, path, NULL));
}

/* Green pixels of page 1 at 72 dpi in the header's logo box (the
 * left margin, above the header rule). */
static gsize
header_green (const char *pdf, const char *prefix)
{
  const char *argv[] = { "pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", pdf, prefix, NULL };
  g_autofree char *png = g_strdup_printf ("%s-1.png", prefix);
  g_autofree char *out = NULL;
  g_autofree guint8 *px = NULL;
  g_autoptr(GError) error = NULL;
  int status, w = 0, h = 0;
  gsize green = 0;

  out = run (argv, &status);
  g_assert_cmpint (status, ==, 0);
  px = op_image_load_png (png, &w, &h, &error);
  g_assert_no_error (error);
  if (px == NULL)
    return 0;
  for (int y = 8; y < 36 && y < h; y++)
    for (int x = 40; x < 160 && x < w; x++)
      {
        const guint8 *p = px + 4 * ((gsize) y * w + x);

        green += p[1] > p[0] + 60 && p[1] > p[2] + 40;
      }
  return green;
}

/* The practice logo in every page's header: pdfimages finds it on each
 * page, pdftoppm draws it where the header is; a missing, non-PNG or
 * broken logo stops the report with a message naming the file and
 * writes nothing. */
static void
test_logo (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL, b = NULL;
  g_autofree char *logo = g_build_filename (tmpdir, "logo.png", NULL);
  g_autofree char *jpeg = g_build_filename (tmpdir, "logo.jpg", NULL);
  g_autofree char *broken = g_build_filename (tmpdir, "broken.png", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-logo.png", NULL);
  g_autofree char *with = g_build_filename (tmpdir, "logo.pdf", NULL);
  g_autofree char *without = g_build_filename (tmpdir, "no-logo.pdf", NULL);
  g_autofree char *bad = g_build_filename (tmpdir, "bad-logo.pdf", NULL);
  g_autofree char *with_prefix = g_build_filename (tmpdir, "logo-page", NULL);
  g_autofree char *without_prefix = g_build_filename (tmpdir, "no-logo-page", NULL);
  g_autofree char *pdfimages = g_find_program_in_path ("pdfimages");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  const char *bad_logos[] = { missing, jpeg, broken };
  const char *bad_words[] = { "no such file", "takes a PNG logo, not a JPEG", "not a readable PNG" };

  if (!need_tools ())
    return;
  write_logo (logo);
  /* The first bytes of a JPEG are all the report looks at before it
   * refuses one; a PNG signature with nothing after it is a broken PNG. */
  g_assert_true (g_file_set_contents (jpeg, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 13, NULL));
  g_assert_true (g_file_set_contents (broken, "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16, NULL));
  fixture_init (&f);

  g_assert_true (op_report_write_pdf (f.plan, &f.in, without, &error));
  g_assert_no_error (error);
  f.in.logo_path = logo;
  g_assert_true (op_report_check_logo (logo, &error));
  g_assert_no_error (error);
  g_assert_true (op_report_write_pdf (f.plan, &f.in, with, &error));
  g_assert_no_error (error);
  /* Still the same bytes for the same input. */
  a = op_report_build_pdf (f.plan, &f.in, &error);
  b = op_report_build_pdf (f.plan, &f.in, &error);
  g_assert_no_error (error);
  g_assert_true (a != NULL && b != NULL && g_bytes_equal (a, b));

  /* Where the header is: green with the logo, none without. */
  {
    gsize green_with = header_green (with, with_prefix);
    gsize green_without = header_green (without, without_prefix);

    g_test_message ("header: %zu green px with the logo, %zu without", green_with, green_without);
    /* The logo is drawn 54 x 18 points, a band of it white. */
    g_assert_cmpuint (green_with, >, 500);
    g_assert_cmpuint (green_without, ==, 0);
  }

  /* On every page, as pdfimages lists the images each page draws. */
  if (pdfimages && pdfinfo)
    {
      const char *list_argv[] = { "pdfimages", "-list", with, NULL };
      const char *info_argv[] = { "pdfinfo", with, NULL };
      g_autofree char *list = NULL, *info = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GHashTable) pages = g_hash_table_new (g_direct_hash, g_direct_equal);
      const char *n;
      int status, n_pages = 0;

      list = run (list_argv, &status);
      g_assert_cmpint (status, ==, 0);
      info = run (info_argv, &status);
      g_assert_cmpint (status, ==, 0);
      n = info ? strstr (info, "Pages:") : NULL;
      g_assert_nonnull (n);
      if (n)
        n_pages = atoi (n + strlen ("Pages:"));
      g_assert_cmpint (n_pages, >=, 6);
      lines = g_strsplit (list ? list : "", "\n", -1);
      for (guint i = 0; lines[i]; i++)
        {
          g_auto(GStrv) cols = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          int values[5] = { 0 };
          guint k = 0;

          /* page num type width height: the first five non-empty columns. */
          for (guint c = 0; cols[c] && k < 5; c++)
            if (*cols[c])
              values[k++] = atoi (cols[c]);
          if (k == 5 && values[3] == LOGO_W && values[4] == LOGO_H)
            g_hash_table_add (pages, GINT_TO_POINTER (values[0]));
        }
      g_assert_cmpuint (g_hash_table_size (pages), ==, (guint) n_pages);
    }
  else
    g_test_message ("pdfimages or pdfinfo missing: the logo was checked in the pixels only");

  for (guint i = 0; i < G_N_ELEMENTS (bad_logos); i++)
    {
      f.in.logo_path = bad_logos[i];
      g_assert_false (op_report_write_pdf (f.plan, &f.in, bad, &error));
      g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO);
      if (error)
        {
          g_assert_nonnull (strstr (error->message, bad_logos[i]));
          g_assert_nonnull (strstr (error->message, bad_words[i]));
        }
      g_clear_error (&error);
      g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
      g_assert_false (op_report_check_logo (bad_logos[i], &error));
      g_assert_error (error, OP_EXPORT_ERROR, OP_EXPORT_ERROR_LOGO);
      g_clear_error (&error);
    }
  fixture_clear (&f);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-report-XXXXXX", NULL);
  real_teeth = test_export_load_real ();

  g_test_add_func ("/io/report/draft", test_draft);
  g_test_add_func ("/io/report/final", test_final);
  g_test_add_func ("/io/report/pages", test_pages);
  g_test_add_func ("/io/report/bad-input", test_bad_input);
  g_test_add_func ("/io/report/logo", test_logo);
  status = g_test_run ();

  g_clear_pointer (&real_teeth, op_dentition_free);
  if (g_getenv ("OP_TEST_KEEP"))
    g_printerr ("kept %s\n", tmpdir);
  else
    rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
