/* test-io-store-util.c: fixtures and helpers shared by the store tests. */
#include <string.h>

#include <glib/gstdio.h>

#include "test-io-store-util.h"

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("op-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cases.db", NULL);
}

void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_remove (path);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}


/* Helpers. */

OpStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  OpStore *store = op_store_open (f->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

gint64
count_rows (const char *path,
            const char *table)
{
  sqlite3 *db = open_raw (path);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  gint64 n = query_int (db, sql);

  sqlite3_close (db);
  return n;
}

GBytes *
random_bytes (guint32 seed,
              gsize   size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data;

  /* Both ends get a NUL below, so two bytes is the least that makes sense. */
  size = MAX (size, 2);
  data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  /* Runs of zeros and a NUL at each end catch any code that treats the
   * blob as a C string. */
  data[0] = 0;
  data[size - 1] = 0;
  if (size > 64)
    memset (data + size / 2, 0, 32);
  return g_bytes_new_take (data, size);
}

OpScanInput
scan_input (OpJaw       jaw,
            const char *filename,
            GBytes     *bytes)
{
  OpScanInput in = { 0 };

  in.jaw = jaw;
  in.filename = filename;
  in.format = OP_MESH_FORMAT_STL;
  in.bytes = bytes;
  in.n_vertices = 12;
  in.n_triangles = 20;
  return in;
}

gint64
create_case (OpStore    *store,
             const char *family,
             const char *given,
             const char *birth_date,
             const char *chart,
             guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) upper = random_bytes (seed, 1000);
  g_autoptr(GBytes) lower = random_bytes (seed + 1000, 900);
  OpPatient p = { 0, (char *) family, (char *) given, (char *) birth_date, (char *) chart };
  OpScanInput scans[2];
  gint64 id;

  scans[0] = scan_input (OP_JAW_UPPER, "upper.stl", upper);
  scans[1] = scan_input (OP_JAW_LOWER, "lower.stl", lower);
  id = op_store_create_case (store, &p, "Main office", scans, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

char *
today_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%d");
}
