/* Tests for Teeth3DS label files. */
#include <glib/gstdio.h>
#include <string.h>

#include "op-labels-json.h"

static char *tmpdir;

static void
test_round_trip (void)
{
  gint32 labels[2000];
  g_autofree char *path = g_build_filename (tmpdir, "labels.json", NULL);
  g_autofree gint32 *back = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gboolean upper = TRUE;
  gsize n = 0;

  /* A lower arch: gingiva and teeth 31-37, 41-47 in runs. */
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      guint run = (i / 50) % 15;
      labels[i] = run == 0 ? 0 : (run <= 7 ? 30 + (int) run : 40 + (int) run - 7);
    }
  g_assert_true (op_labels_json_save (path, labels, G_N_ELEMENTS (labels), FALSE, &error));
  g_assert_no_error (error);
  back = op_labels_json_load (path, &n, &upper, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_false (upper);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (labels));
  g_assert_cmpmem (back, n * sizeof (gint32), labels, sizeof labels);

  /* Instances run 1..14 in FDI order and 0 for gingiva. */
  text = op_labels_json_format (labels, 120, FALSE, "p1");
  g_assert_nonnull (strstr (text, "\"jaw\": \"lower\""));
  g_assert_nonnull (strstr (text, "\"id_patient\": \"p1\""));
  g_assert_nonnull (strstr (text, "\"instances\": [0, 0"));
}

static void
expect_parse_error (const char *json, int code, const char *word)
{
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  g_autofree gint32 *labels = op_labels_json_parse (json, strlen (json), "t.json", &n, NULL, &error);

  g_assert_null (labels);
  g_assert_error (error, OP_LABELS_JSON_ERROR, code);
  if (error)
    {
      g_assert_true (g_str_has_prefix (error->message, "t.json: "));
      g_assert_nonnull (strstr (error->message, word));
    }
}

static void
test_bad_files (void)
{
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  g_autofree gint32 *ok = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "nope", "x.json", NULL);

  expect_parse_error ("{\"jaw\": \"upper\", \"labels\": [0, 11", OP_LABELS_JSON_ERROR_PARSE, "not JSON");
  expect_parse_error ("[1, 2]", OP_LABELS_JSON_ERROR_PARSE, "object");
  expect_parse_error ("{\"jaw\": \"upper\"}", OP_LABELS_JSON_ERROR_PARSE, "labels");
  expect_parse_error ("{\"jaw\": \"both\", \"labels\": [0]}", OP_LABELS_JSON_ERROR_PARSE, "\"both\"");
  expect_parse_error ("{\"jaw\": \"upper\", \"labels\": [0, 19]}", OP_LABELS_JSON_ERROR_LABEL, "label 1 is 19");
  expect_parse_error ("{\"jaw\": \"upper\", \"labels\": [0, 1.5]}", OP_LABELS_JSON_ERROR_PARSE, "not an integer");
  expect_parse_error ("{\"jaw\": \"upper\", \"labels\": [0, 31]}", OP_LABELS_JSON_ERROR_JAW, "tooth 31");
  expect_parse_error ("{\"jaw\": \"upper\", \"labels\": [0, 11], \"instances\": [0]}",
                      OP_LABELS_JSON_ERROR_PARSE, "instances");

  ok = op_labels_json_parse ("{\"jaw\": \"upper\", \"labels\": [0, 11, 28]}", -1 + sizeof "{\"jaw\": \"upper\", \"labels\": [0, 11, 28]}",
                             "t.json", &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);

  /* Writing where no folder exists fails cleanly and leaves nothing. */
  g_assert_false (op_labels_json_save (missing, ok, n, TRUE, &error));
  g_assert_error (error, OP_LABELS_JSON_ERROR, OP_LABELS_JSON_ERROR_WRITE);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  tmpdir = g_dir_make_tmp ("op-labels-XXXXXX", NULL);
  g_test_add_func ("/io/labels/round-trip", test_round_trip);
  g_test_add_func ("/io/labels/bad-files", test_bad_files);
  rc = g_test_run ();
  {
    g_autofree char *p = g_build_filename (tmpdir, "labels.json", NULL);
    g_unlink (p);
    g_rmdir (tmpdir);
  }
  return rc;
}
