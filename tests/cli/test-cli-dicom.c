/* Tests for orthoplan-cli dicom info | add and render-slice, run as a real
 * process on the real tilted CT and on a phantom written through GDCM. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op-dicom.h"
#include "op-image.h"
#include "test-cli-util.h"

static char *tmpdir;
static char *db;

static char *
real_series (void)
{
  const char *data = g_getenv ("OP_SHARED_DATA");

  return g_build_filename (data ? data : "../shared/data", "ct-head-ge-tilt", NULL);
}

static void
test_info (void)
{
  g_autofree char *dir = real_series ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *vol;
  TestCliRun r;

  test_cli_run (&r, "--db", db, "dicom", "info", dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "18.50°"));
  g_assert_nonnull (strstr (r.out, "512 × 610 × 37"));
  g_assert_nonnull (strstr (r.out, "uneven"));
  g_assert_nonnull (strstr (r.out, "skipped SHA256SUMS"));
  g_assert_nonnull (strstr (r.out, "QMNx85rKkkg"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "info", "--json", dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  vol = json_object_get_object_member (o, "volume");
  g_assert_nonnull (vol);
  if (vol)
    {
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (vol, "tilt_deg"), 18.5, 0.05);
      g_assert_true (json_object_get_boolean_member (vol, "uneven_spacing"));
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (vol, "slice_gap_max_mm"), 7.0, 0.01);
      g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (vol, "dimensions"), 2), ==, 37);
    }
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (o, "series")), ==, 1);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "info", "/nonexistent", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent"));
  test_cli_run_clear (&r);
}

static void
test_add_and_render (void)
{
  g_autofree char *dir = real_series ();
  g_autofree char *png = g_build_filename (tmpdir, "axial.png", NULL);
  g_autofree char *cor = g_build_filename (tmpdir, "coronal.png", NULL);
  g_autofree guint8 *pixels = NULL;
  int w = 0, h = 0;
  TestCliRun r;

  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Tilt, Gantry", "--dob", "1960-01-01", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  /* Nothing stored yet. */
  test_cli_run (&r, "--db", db, "render-slice", "1", "--out", png, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no CBCT"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "add", "1", dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Volume 1 stored with case 1"));
  g_assert_nonnull (strstr (r.out, "18.5°"));
  /* The real series was anonymised: its name cannot be checked. */
  g_assert_nonnull (strstr (r.err, "no patient identity"));
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "render-slice", "1", "--plane", "axial", "--index", "20", "--window", "soft", "--out", png, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  pixels = op_image_load_png (png, &w, &h, NULL);
  g_assert_nonnull (pixels);
  g_assert_cmpint (w, ==, 512);
  g_assert_cmpint (h, ==, 610);
  if (pixels)
    {
      /* Air in the corner, brain (mid grey in the soft window) in the middle. */
      g_assert_cmpuint (pixels[0], ==, 0);
      g_assert_cmpuint (pixels[((gsize) (h / 2) * w + w / 2) * 4], >, 80);
      g_assert_cmpuint (pixels[((gsize) (h / 2) * w + w / 2) * 4], <, 200);
    }
  g_clear_pointer (&pixels, g_free);

  test_cli_run (&r, "--db", db, "render-slice", "1", "--plane", "coronal", "--out", cor, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  pixels = op_image_load_png (cor, &w, &h, NULL);
  g_assert_cmpint (w, ==, 512);
  /* 37 planes 4.0 mm apart shown with 0.488 mm pixels. */
  g_assert_cmpint (h, ==, 296);
  g_clear_pointer (&pixels, g_free);

  test_cli_run (&r, "--db", db, "render-slice", "1", "--plane", "oblique", "--out", cor, NULL);
  /* A bad option value is a usage error: exit status 2, not 1. */
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "oblique"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "--db", db, "render-slice", "1", "--plane", "axial", "--index", "37", "--out", cor, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "past the last axial slice (36)"));
  test_cli_run_clear (&r);
}

static void
test_identity_mismatch_and_bad_input (void)
{
  const double spacing[3] = { 1, 1, 2 };
  g_autoptr(OpVolume) v = op_volume_new (16, 16, 6, spacing);
  g_autofree char *dir = g_build_filename (tmpdir, "other-patient", NULL);
  g_autofree char *strays = g_build_filename (tmpdir, "strays", NULL);
  g_autofree char *stray = g_build_filename (strays, "readme.txt", NULL);
  OpDicomWriteOptions opts = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  TestCliRun r;

  opts.identity.name = (char *) "Someone^Else";
  opts.identity.birth_date = (char *) "1999-09-09";
  g_assert_true (op_dicom_write_volume (v, dir, &opts, NULL, NULL));
  test_cli_run (&r, "--db", db, "case", "new", "--patient", "Right, Patient", "--dob", "1970-07-07", NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "add", "2", dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "warning"));
  g_assert_nonnull (strstr (r.err, "Someone^Else"));
  g_assert_nonnull (strstr (r.err, "name, birth date differ"));
  test_cli_run_clear (&r);

  /* A folder with no images: one line, nothing stored. */
  g_mkdir_with_parents (strays, 0755);
  g_file_set_contents (stray, "hello", -1, NULL);
  test_cli_run (&r, "--db", db, "dicom", "add", "2", strays, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "readme.txt: not a DICOM file"));
  test_cli_run_clear (&r);

  /* Too large for a tiny limit: refused with the downsampled offer. */
  test_cli_run (&r, "--db", db, "dicom", "add", "2", dir, "--max-gb", "0.000001", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "downsampled by 2"));
  test_cli_run_clear (&r);

  /* Neither failure stored anything: case 2 still has one volume. */
  test_cli_run (&r, "--db", db, "render-slice", "2", "--plane", "axial", "--index", "5", "--out", stray, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);

  test_cli_run (&r, "--db", db, "dicom", "add", "99", dir, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no case 99"));
  test_cli_run_clear (&r);
  (void) parser;
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("orthoplan-cli-dicom-XXXXXX", NULL);
  test_cli_setup (tmpdir, NULL);
  db = g_build_filename (tmpdir, "test.db", NULL);

  g_test_add_func ("/cli/dicom/info", test_info);
  g_test_add_func ("/cli/dicom/add-and-render-slice", test_add_and_render);
  g_test_add_func ("/cli/dicom/identity-and-bad-input", test_identity_mismatch_and_bad_input);
  ret = g_test_run ();

  if (ret == 0)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) !system (cmd);
    }
  return ret;
}
