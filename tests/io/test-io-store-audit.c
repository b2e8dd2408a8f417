/* test-io-store-audit.c: the store's default path, hash-chained audit log
 * and use from several threads. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "op-store.h"
#include "op-store-private.h"
#include "test-io-store-util.h"

static void
test_default_path_env (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("ORTHOPLAN_DB"));
  g_autofree char *path = NULL;

  g_setenv ("ORTHOPLAN_DB", "/some/where/cases.db", TRUE);
  path = op_store_default_path ();
  g_assert_cmpstr (path, ==, "/some/where/cases.db");

  if (saved != NULL)
    g_setenv ("ORTHOPLAN_DB", saved, TRUE);
  else
    g_unsetenv ("ORTHOPLAN_DB");
}

static void
test_default_path_xdg (void)
{
  if (g_test_subprocess ())
    {
      /* GLib caches the user data dir on first use, so this runs in a
       * fresh process that sets XDG_DATA_HOME before anything reads it. */
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("op-xdg-XXXXXX", &error);
      g_autofree char *expected = g_build_filename (dir, "orthoplan", "orthoplan.db", NULL);
      g_autofree char *path = NULL;
      g_autofree char *folder = NULL;

      g_unsetenv ("ORTHOPLAN_DB");
      g_setenv ("XDG_DATA_HOME", dir, TRUE);
      path = op_store_default_path ();
      g_assert_cmpstr (path, ==, expected);

      /* Opening creates the folder. */
      {
        g_autoptr(OpStore) store = op_store_open (path, &error);

        g_assert_no_error (error);
        g_assert_nonnull (store);
      }
      folder = g_path_get_dirname (path);
      g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

      remove_tree (dir);
      if (g_test_failed ())
        exit (1);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Audit. */

static void
test_audit_chain (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *prev = g_strdup (OP__STORE_GENESIS_HASH);
  gint64 expected_seq = 1;
  sqlite3 *raw;

  g_assert_true (op_store_verify_audit (store, &error));   /* empty is fine */

  op_store_set_actor (store, "dr.jones");
  g_assert_cmpstr (op_store_get_actor (store), ==, "dr.jones");
  create_case (store, "Chain", "Carl", "1975-07-07", NULL, 1);
  g_assert_true (op_store_audit (store, "case.view", "case:1", "opened the Plan page\nwith a newline: ok", &error));
  g_assert_true (op_store_audit (store, "export", "case:1", NULL, &error));
  g_assert_no_error (error);

  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);

  /* location, patient, case, 2 scans, 2 by hand: 7 rows, chained, and
   * each hash recomputed here from the canonical form. */
  raw = open_raw (f->path);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM audit"), ==, 7);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM audit WHERE actor = 'dr.jones'"), ==, 7);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT seq, time, actor, action, object, detail, prev_hash, hash "
                                            "FROM audit ORDER BY seq", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GString) canon = g_string_new (NULL);
      g_autofree char *hash = NULL;
      const char *fields[7];
      char seq_text[32];

      g_snprintf (seq_text, sizeof seq_text, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
      fields[0] = (const char *) sqlite3_column_text (stmt, 6);
      fields[1] = seq_text;
      for (int i = 2; i < 7; i++)
        fields[i] = (const char *) sqlite3_column_text (stmt, i - 1);
      for (int i = 0; i < 7; i++)
        g_string_append_printf (canon, "%zu:%s\n", strlen (fields[i]), fields[i]);
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canon->str, (gssize) canon->len);

      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, expected_seq);
      g_assert_cmpstr (fields[0], ==, prev);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 7), ==, hash);
      g_free (prev);
      prev = g_strdup (hash);
      expected_seq++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
}

static void
test_audit_tamper (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  sqlite3 *raw;

  create_case (store, "Tamper", "Tim", "1982-02-02", NULL, 1);
  g_assert_true (op_store_verify_audit (store, &error));

  raw = open_raw (f->path);

  /* The triggers refuse a casual edit... */
  g_assert_cmpint (sqlite3_exec (raw, "UPDATE audit SET detail = 'nothing' WHERE seq = 3", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (raw, "DELETE FROM audit WHERE seq = 3", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_true (op_store_verify_audit (store, &error));

  /* ...and the chain catches someone who drops them first. */
  g_assert_cmpint (sqlite3_exec (raw, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                                      "UPDATE audit SET detail = 'nothing to see' WHERE seq = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_false (op_store_verify_audit (store, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT);
  g_assert_true (error && strstr (error->message, "entry 3") != NULL);
  g_test_message ("edited row: %s", error ? error->message : "");
  g_clear_error (&error);

  /* Rewriting the row's hash too moves the break to the next row. */
  {
    sqlite3_stmt *stmt = NULL;
    g_autofree char *fixed = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT prev_hash, seq, time, actor, action, object, detail "
                                              "FROM audit WHERE seq = 3", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    fixed = op__store_audit_hash ((const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1),
                                  (const char *) sqlite3_column_text (stmt, 2), (const char *) sqlite3_column_text (stmt, 3),
                                  (const char *) sqlite3_column_text (stmt, 4), (const char *) sqlite3_column_text (stmt, 5),
                                  (const char *) sqlite3_column_text (stmt, 6));
    sqlite3_finalize (stmt);

    g_assert_cmpint (sqlite3_prepare_v2 (raw, "UPDATE audit SET hash = ? WHERE seq = 3", -1, &stmt, NULL), ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, fixed, -1, SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);

    g_assert_false (op_store_verify_audit (store, &error));
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT);
    g_assert_true (error && strstr (error->message, "entry 4") != NULL);
    g_clear_error (&error);
  }

  /* A deleted row is named as missing. */
  g_assert_cmpint (sqlite3_exec (raw, "DELETE FROM audit WHERE seq = 2", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_false (op_store_verify_audit (store, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT);
  g_assert_true (error && strstr (error->message, "entry 2") != NULL);
  g_assert_true (error && strstr (error->message, "missing") != NULL);

  sqlite3_close (raw);
}

/* Threads. */

typedef struct {
  OpStore *store;
  gint64   case_id;
  guint    thread;
  guint    n_ok;
  char    *first_error;
} Worker;

#define SCANS_PER_THREAD 40

static gpointer
add_scans_thread (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < SCANS_PER_THREAD; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = random_bytes (w->thread * 1000 + i + 1, 512 + i);
      g_autofree char *name = g_strdup_printf ("t%u-%u.stl", w->thread, i);
      OpScanInput in = scan_input (i % 2 ? OP_JAW_LOWER : OP_JAW_UPPER, name, bytes);

      if (op_store_add_scan (w->store, w->case_id, &in, &error) > 0)
        w->n_ok++;
      else if (w->first_error == NULL)
        w->first_error = g_strdup (error ? error->message : "(no message)");

      /* Reads interleaved with the other thread's writes. */
      {
        g_autoptr(GPtrArray) cases = op_store_list_cases (w->store, NULL, NULL);
        g_assert_nonnull (cases);
      }
    }
  return NULL;
}

static void
run_workers (Fixture  *f,
             OpStore  *stores[2],
             gint64    case_id)
{
  Worker workers[2] = { { 0 } };
  GThread *threads[2];
  g_autoptr(GError) error = NULL;

  for (guint t = 0; t < 2; t++)
    {
      workers[t].store = stores[t];
      workers[t].case_id = case_id;
      workers[t].thread = t + 1;
      threads[t] = g_thread_new ("adder", add_scans_thread, &workers[t]);
    }
  for (guint t = 0; t < 2; t++)
    {
      g_thread_join (threads[t]);
      if (workers[t].first_error)
        g_test_message ("thread %u: %s", t, workers[t].first_error);
      g_assert_null (workers[t].first_error);
      g_assert_cmpuint (workers[t].n_ok, ==, SCANS_PER_THREAD);
      g_free (workers[t].first_error);
    }

  g_assert_true (op_store_verify_audit (stores[0], &error));
  g_assert_no_error (error);
}

static void
test_threads_shared (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  OpStore *stores[2] = { store, store };
  gint64 id = create_case (store, "Thread", "Tess", "1991-01-01", NULL, 500000);

  run_workers (f, stores, id);
  g_assert_cmpint (count_rows (f->path, "scans"), ==, 2 + 2 * SCANS_PER_THREAD);
}

/* Two connections to one file, as the app and the CLI would be: the
 * second writer waits in busy_timeout rather than failing. */
static void
test_threads_two_connections (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(OpStore) a = open_store (f);
  g_autoptr(OpStore) b = open_store (f);
  OpStore *stores[2] = { a, b };
  gint64 id = create_case (a, "Thread", "Theo", "1992-02-02", NULL, 600000);

  run_workers (f, stores, id);
  g_assert_cmpint (count_rows (f->path, "scans"), ==, 2 + 2 * SCANS_PER_THREAD);
  {
    sqlite3 *raw = open_raw (f->path);

    /* No sequence number was handed out twice. */
    g_assert_cmpint (query_int (raw, "SELECT max(seq) - count(*) FROM audit"), ==, 0);
    sqlite3_close (raw);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/io/store/default-path/env", test_default_path_env);
  g_test_add_func ("/io/store/default-path/xdg", test_default_path_xdg);
  ADD ("/io/store/audit/chain", test_audit_chain);
  ADD ("/io/store/audit/tamper", test_audit_tamper);
  ADD ("/io/store/threads/shared-store", test_threads_shared);
  ADD ("/io/store/threads/two-connections", test_threads_two_connections);

  return g_test_run ();
}
