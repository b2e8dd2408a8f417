/* test-io-production.c: production folders (op-production.h) from the
 * real teeth: lab-style names, a manifest that matches the bytes on disk,
 * whole watertight models, and nothing that looks finished after a full
 * disk, an unwritable folder, an unapproved or a tampered plan. */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "op-mesh-io.h"
#include "op-production.h"
#include "test-model-data.h"
#include "test-pms-util.h"

static OpDentition *teeth;
static OpPlan *plan;

static gboolean
need_data (void)
{
  if (teeth == NULL)
    {
      g_test_skip ("OP_SHARED_DATA has no open-full-jaw-p26");
      return FALSE;
    }
  return TRUE;
}

static gint
cmp_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The names in @dir, sorted, joined by spaces. */
static char *
listing (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *n;

  while (d && (n = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, cmp_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;

  while (d && (n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

static OpProductionOptions
upper_stages (guint a, guint b)
{
  OpProductionOptions o;

  op_production_options_init (&o);
  o.lower = FALSE;
  o.first_stage = a;
  o.last_stage = b;
  return o;
}

static void
test_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("prod-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "out", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "manifest.csv", NULL);
  g_autofree char *names = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(OpProductionResult) res = NULL;
  OpProductionOptions o = upper_stages (0, 3);
  JsonArray *files;
  guint n_trim = 0;

  if (!need_data ())
    return;
  o.trim_lines = TRUE;
  res = op_production_write (teeth, plan, "1042", dir, &o, &error);
  g_assert_no_error (error);
  g_assert_nonnull (res);
  if (res == NULL)
    return;
  names = listing (dir);
  g_test_message ("%s", names);
  /* Stages 0-3, their trim lines and the attachment template, the two
   * manifests, no temporary file. */
  g_assert_cmpuint (res->files->len, ==, 9);
  for (guint s = 0; s < 4; s++)
    {
      g_autofree char *n = g_strdup_printf ("1042_U_%02u.stl", s);
      g_assert_nonnull (strstr (names, n));
    }
  g_assert_nonnull (strstr (names, "1042_U_TEMPLATE.stl"));
  g_assert_null (strstr (names, "_L_"));
  g_assert_null (strstr (names, ".part"));

  g_assert_true (json_parser_load_from_file (parser, manifest, &error));
  g_assert_no_error (error);
  files = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 9);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *e = json_array_get_object_element (files, i);
      const char *name = json_object_get_string_member (e, "file");
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *bytes = NULL;
      g_autofree char *sha = NULL;
      g_autofree char *why = NULL;
      g_autoptr(OpMesh) m = NULL;
      gsize len = 0;
      guint32 n_tri = 0;

      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) bytes, len);
      g_assert_cmpstr (json_object_get_string_member (e, "sha256"), ==, sha);
      if (g_str_has_suffix (name, "_TRIM.csv"))
        {
          g_auto(GStrv) lines = g_strsplit (bytes, "\n", -1);
          /* Header, one line per point, and the empty rest after the
           * last newline. */
          g_assert_cmpstr (json_object_get_string_member (e, "kind"), ==, "trim-line");
          g_assert_cmpint (json_object_get_int_member (e, "points"), >, 20);
          g_assert_cmpint (g_strv_length (lines), ==, json_object_get_int_member (e, "points") + 2);
          n_trim++;
          continue;
        }
      memcpy (&n_tri, bytes + 80, 4);
      g_assert_cmpint (json_object_get_int_member (e, "triangles"), ==, GUINT32_FROM_LE (n_tri));
      g_assert_cmpuint (len, ==, 84 + 50 * (gsize) GUINT32_FROM_LE (n_tri));
      g_assert_cmpstr (json_object_get_string_member (e, "arch"), ==, "upper");
      g_assert_nonnull (strstr (csv, sha));
      /* The bytes on disk are a whole, closed model. */
      m = op_mesh_load (path, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      if (m)
        {
          gboolean closed = op_model_check_closed (m, &why);
          g_assert_true (closed);
          if (!closed)
            g_test_message ("%s: %s", name, why);
          g_assert_cmpfloat (fabs (op_mesh_volume (m) - json_object_get_double_member (e, "volume_mm3")), <, 1.0);
        }
    }
  g_assert_cmpuint (n_trim, ==, 4);
  remove_tree (dir);
  g_rmdir (tmp);
}

/* A file size limit stands in for a full disk: the write fails midway
 * (SIGXFSZ ignored, so write() returns EFBIG), and the folder holds no
 * model, temporary file or manifest afterwards, even the manifest of an
 * earlier complete export is gone. */
static void
test_disk_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("prod-XXXXXX", NULL);
  g_autofree char *names = NULL;
  g_autofree char *old = g_build_filename (tmp, "manifest.json", NULL);
  OpProductionOptions o = upper_stages (0, 2);
  struct rlimit saved, small;
  OpProductionResult *res;
  void (*prev) (int);

  if (!need_data ())
    return;
  g_assert_true (g_file_set_contents (old, "{\"files\": []}", -1, NULL));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small = saved;
  small.rlim_cur = 4 * 1024 * 1024;
  prev = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  res = op_production_write (teeth, plan, "1042", tmp, &o, &error);
  setrlimit (RLIMIT_FSIZE, &saved);
  signal (SIGXFSZ, prev);
  g_assert_null (res);
  g_assert_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_WRITE);
  if (error)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "1042_U_"));
      g_assert_nonnull (strstr (error->message, "disk full"));
    }
  names = listing (tmp);
  g_assert_cmpstr (names, ==, "");
  remove_tree (tmp);
}

static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("prod-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (tmp, "a-file", NULL);
  g_autofree char *dir = g_build_filename (file, "out", NULL);
  OpProductionOptions o = upper_stages (0, 1);
  OpProductionResult *res;

  if (!need_data ())
    return;
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  res = op_production_write (teeth, plan, "1042", dir, &o, &error);
  g_assert_null (res);
  g_assert_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_FOLDER);
  if (error)
    g_assert_nonnull (strstr (error->message, dir));

  /* Stages past the plan. */
  g_clear_error (&error);
  o = upper_stages (7, 9);
  res = op_production_write (teeth, plan, "1042", tmp, &o, &error);
  g_assert_null (res);
  g_assert_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_INVALID);
  remove_tree (tmp);
}

static int
count_audit (const char *db_path, const char *action)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int n = -1;

  if (sqlite3_open (db_path, &db) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM audit WHERE action = ?", -1, &st, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, action, -1, SQLITE_STATIC);
      if (sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int (st, 0);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* An unapproved plan and a tampered one are refused with their reason,
 * the refusal is audited, and the folder is not even made. */
static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("prod-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (tmp, "store.db", NULL);
  g_autofree char *out = g_build_filename (tmp, "out", NULL);
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpApproval) a = NULL;
  OpPatient p = { 0 };
  OpProductionResult *res;
  gint64 case_id;

  if (!need_data ())
    return;
  store = op_store_open (db, &error);
  g_assert_no_error (error);
  if (store == NULL)
    return;
  pms_add_staff (store);
  p.family_name = (char *) "Rivera";
  p.given_name = (char *) "Ana";
  p.birth_date = (char *) "1990-04-02";
  case_id = pms_case_in_review (store, &p, "Main office");

  res = op_production_export_case (store, case_id, out, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_NOT_APPROVED);
  if (error)
    g_assert_nonnull (strstr (error->message, "no approved plan"));
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_audit (db, "case.production.refused"), ==, 1);

  a = op_store_approve (store, case_id, "drlee", TEST_PROVIDER_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_sql (db, "DROP TRIGGER approvals_no_update"), ==, SQLITE_OK);
  g_assert_cmpint (test_sql (db, "UPDATE approvals SET meaning = 'approved treatment plan v1 for review'"), ==,
                   SQLITE_OK);
  res = op_production_export_case (store, case_id, out, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, OP_PRODUCTION_ERROR, OP_PRODUCTION_ERROR_TAMPERED);
  if (error)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "does not verify"));
    }
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_audit (db, "case.production.refused"), ==, 2);
  g_clear_object (&store);
  g_unlink (db);
  {
    g_autoptr(GDir) d = g_dir_open (tmp, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *pth = g_build_filename (tmp, n, NULL);
        g_unlink (pth);
      }
  }
  g_rmdir (tmp);
}

/* One thread or two, the same files to the byte: the stages that the two
 * threads share posed teeth between (op_model_cache_new()) come out as
 * one thread alone makes them.  The hashes are the manifest's, checked
 * against the bytes on disk by /io/production/files. */
static void
test_threads (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("prod-XXXXXX", NULL);
  g_autoptr(OpProductionResult) one = NULL;
  g_autoptr(OpProductionResult) two = NULL;

  if (!need_data ())
    return;
  for (guint n = 1; n <= 2; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("out%u", n);
      g_autofree char *dir = g_build_filename (tmp, name, NULL);
      OpProductionOptions o = upper_stages (0, 4);

      o.lower = TRUE;
      o.n_threads = n;
      if (n == 1)
        one = op_production_write (teeth, plan, "1042", dir, &o, &error);
      else
        two = op_production_write (teeth, plan, "1042", dir, &o, &error);
      g_assert_no_error (error);
      remove_tree (dir);
    }
  g_assert_nonnull (one);
  g_assert_nonnull (two);
  if (one == NULL || two == NULL)
    return;
  g_assert_cmpuint (one->files->len, ==, two->files->len);
  g_assert_cmpuint (one->files->len, ==, 12);
  for (guint i = 0; i < MIN (one->files->len, two->files->len); i++)
    {
      const OpProductionFile *a = g_ptr_array_index (one->files, i);
      const OpProductionFile *b = g_ptr_array_index (two->files, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->sha256, ==, b->sha256);
      g_assert_cmpuint (a->n_triangles, >, 1000);
    }
  g_rmdir (tmp);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  model_data_load (5, &teeth, &plan);
  g_test_add_func ("/io/production/files", test_files);
  g_test_add_func ("/io/production/disk-full", test_disk_full);
  g_test_add_func ("/io/production/unwritable", test_unwritable);
  g_test_add_func ("/io/production/refused", test_refused);
  g_test_add_func ("/io/production/threads", test_threads);
  rc = g_test_run ();
  g_clear_pointer (&teeth, op_dentition_free);
  g_clear_pointer (&plan, op_plan_free);
  return rc;
}
