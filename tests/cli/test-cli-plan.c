/* Tests for orthoplan-cli case import-teeth, plan, plan export and
 * plan-check, run as a real process on the real teeth. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include "test-cli-util.h"

static char *tmpdir;

static int
count_versions (const char *case_id)
{
  g_autofree char *path = g_build_filename (tmpdir, "count.json", NULL);
  int n = 0;

  /* The versions are 1..n, so export them until one is missing. */
  for (int v = 1; v < 50; v++)
    {
      g_autofree char *vs = g_strdup_printf ("%d", v);
      TestCliRun r;

      test_cli_run (&r, "plan", "export", case_id, "--version", vs, "--out", path, NULL);
      test_cli_run_clear (&r);
      if (r.status != 0)
        break;
      n = v;
    }
  return n;
}

static void
test_plan_cli (void)
{
  g_autofree char *up = test_cli_real_dir ("maxilla");
  g_autofree char *lo = test_cli_real_dir ("mandible");
  g_autofree char *case_id = NULL;
  g_autofree char *export1 = g_build_filename (tmpdir, "v1.json", NULL);
  g_autofree char *export1b = g_build_filename (tmpdir, "v1b.json", NULL);
  g_autofree char *edited = g_build_filename (tmpdir, "edited.json", NULL);
  g_autofree char *v1 = NULL, *v1b = NULL;
  TestCliRun r;

  if (up == NULL || lo == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return;
    }

  /* Without --numbering the files' numbers are read as FDI, where 19, 20,
   * 29, 30 and 9, 10 do not all exist: refused, naming the file. */
  test_cli_run (&r, "case", "import-teeth", "--patient", "Jaw, Open", "--dob", "1990-01-01", up, lo, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no FDI tooth number"));
  g_assert_cmpint (test_cli_count_lines (r.err), ==, 1);
  test_cli_run_clear (&r);

  test_cli_run (&r, "case", "import-teeth", "--patient", "Jaw, Open", "--dob", "1990-01-01",
           "--numbering", "universal", up, lo, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "Imported 31 teeth (15 upper, 16 lower; 29 with axes)"));
  case_id = g_strstrip (g_strdup (r.out));
  g_assert_cmpint (g_ascii_strtoll (case_id, NULL, 10), >, 0);
  test_cli_run_clear (&r);

  /* Impossible limits: a clear message and no plan stored. */
  test_cli_run (&r, "plan", case_id, "--limits", "md=0", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "limit md is 0"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan", case_id, "--limits", "torque=-1", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "limit torque is -1"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan", case_id, "--limits", "speed=2", NULL);
  /* An unknown limit name is a usage error: exit status 2, not 1. */
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--limits"));
  test_cli_run_clear (&r);
  g_assert_cmpint (count_versions (case_id), ==, 0);

  /* A plan, as text. */
  test_cli_run (&r, "plan", case_id, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "plan version 1 (together)"));
  g_assert_nonnull (strstr (r.out, "upper arch:"));
  g_assert_nonnull (strstr (r.out, "lower arch:"));
  g_assert_nonnull (strstr (r.out, "IPR ("));
  g_assert_nonnull (strstr (r.out, "Attachments ("));
  g_assert_nonnull (strstr (r.out, "Warnings ("));
  test_cli_run_clear (&r);

  test_cli_run (&r, "plan", "export", case_id, "--out", export1, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan-check", export1, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "every invariant holds"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan-check", export1, "--case", case_id, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (g_strstrip (r.out), ==, "[]");
  test_cli_run_clear (&r);

  /* A second version with another strategy, as JSON. */
  test_cli_run (&r, "plan", case_id, "--strategy", "posterior-first", "--lock", "11,21", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o;

    g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (o, "strategy"), ==, "posterior-first");
    g_assert_cmpint (strlen (json_object_get_string_member (o, "sha256")), ==, 64);
    g_assert_true (json_object_has_member (o, "stages_upper"));
    g_assert_true (json_object_has_member (o, "ipr"));
    g_assert_true (json_object_has_member (o, "attachments"));
    g_assert_true (json_object_has_member (o, "warnings"));
  }
  test_cli_run_clear (&r);
  g_assert_cmpint (count_versions (case_id), ==, 2);

  /* Version 1 is what it was. */
  test_cli_run (&r, "plan", "export", case_id, "--version", "1", "--out", export1b, NULL);
  g_assert_cmpint (r.status, ==, 0);
  test_cli_run_clear (&r);
  g_assert_true (g_file_get_contents (export1, &v1, NULL, NULL));
  g_assert_true (g_file_get_contents (export1b, &v1b, NULL, NULL));
  g_assert_cmpstr (v1, ==, v1b);

  /* A hand-edited file: tooth 11 jumps 0.9 mm in the first aligner. */
  {
    const char *key = "{\"stage\": 1, \"teeth\": {\"11\": {\"md\": ";
    char *p = strstr (v1, key);
    g_autoptr(GString) s = g_string_new (v1);

    g_assert_nonnull (p);
    if (p)
      {
        gsize at = (p - v1) + strlen (key);
        char *end = strchr (s->str + at, ',');

        g_string_erase (s, (gssize) at, end - (s->str + at));
        g_string_insert (s, (gssize) at, "0.9000");
      }
    g_assert_true (g_file_set_contents (edited, s->str, -1, NULL));
  }
  test_cli_run (&r, "plan-check", edited, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.out, "Stage 1: tooth 11 moves md 0.9000 mm in one stage, over the limit of 0.2500 mm."));
  g_assert_nonnull (strstr (r.err, "invariant"));
  test_cli_run_clear (&r);
  test_cli_run (&r, "plan-check", edited, "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.out, "\"code\":\"step\""));
  test_cli_run_clear (&r);

  /* Not a plan at all. */
  g_assert_true (g_file_set_contents (edited, "{\"format\": 1}", -1, NULL));
  test_cli_run (&r, "plan-check", edited, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "edited.json: teeth is missing"));
  test_cli_run_clear (&r);

  /* A case without per-tooth meshes. */
  test_cli_run (&r, "plan", "999", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "case 999"));
  test_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_autofree char *envdb = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  tmpdir = g_dir_make_tmp ("orthoplan-cli-plan-XXXXXX", NULL);
  envdb = g_build_filename (tmpdir, "env.db", NULL);
  g_setenv ("OP_TEST_DB", envdb, TRUE);
  test_cli_setup (tmpdir, envdb);

  g_test_add_func ("/cli/plan", test_plan_cli);
  ret = g_test_run ();

  if (ret == 0)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      (void) !system (cmd);
    }
  return ret;
}
