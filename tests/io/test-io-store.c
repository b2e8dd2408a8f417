/* test-io-store.c: the SQLite case store: migrations, cases and scans. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "op-store.h"
#include "op-store-private.h"
#include "test-io-store-util.h"

/* Migrations. */

/* How many migrations this build carries: the schema version a new
 * database ends at.  Counted from the resource rather than written down,
 * so that adding a migration does not break these tests. */
static int
n_migrations (void)
{
  g_auto(GStrv) names = g_resources_enumerate_children ("/org/orthoplan/io/migrations/",
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_assert_nonnull (names);
  return names != NULL ? (int) g_strv_length (names) : -1;
}

static void
test_migrations_schema (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  static const char * const tables[] = { "locations", "users", "patients", "cases", "scans", "audit" };
  sqlite3 *db;

  g_assert_cmpint (op_store_get_schema_version (store), ==, n_migrations ());
  g_assert_cmpstr (op_store_get_path (store), ==, f->path);

  db = open_raw (f->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, n_migrations ());
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                              tables[i]);
      if (query_int (db, sql) != 1)
        g_test_message ("table %s is missing", tables[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }
  /* The status CHECK refuses a state the planner does not know. */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO locations (name, created_at) VALUES ('x', 'now');"
                                     "INSERT INTO patients (family_name, given_name, birth_date, created_at) "
                                     "VALUES ('A', 'B', '2000-01-01', 'now');"
                                     "INSERT INTO cases (patient_id, location_id, status, created_at, updated_at) "
                                     "VALUES (1, 1, 'lost', 'now', 'now')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);

  {
    g_autofree char *prop = NULL;

    g_object_get (store, "path", &prop, NULL);
    g_assert_cmpstr (prop, ==, f->path);
  }
}

static void
test_migrations_reopen (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  {
    g_autoptr(OpStore) store = open_store (f);
    id = create_case (store, "Reopen", "Rita", "1980-05-05", NULL, 1);
  }

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(OpStore) store = open_store (f);
      g_autoptr(OpCaseSummary) c = op_store_get_case (store, id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (c);
      g_assert_cmpint (op_store_get_schema_version (store), ==, n_migrations ());
      g_assert_true (op_store_verify_audit (store, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (count_rows (f->path, "cases"), ==, 1);
}

static void
test_migrations_newer_refused (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  OpStore *store;
  sqlite3 *db;

  db = open_raw (f->path);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 999;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  before = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_clear_pointer (&contents, g_free);

  store = op_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA);
  g_assert_nonnull (error ? strstr (error->message, "999") : NULL);
  g_assert_nonnull (error ? strstr (error->message, "newer") : NULL);
  g_test_message ("refused with: %s", error ? error->message : "(no error)");

  /* Not touched: same bytes, still in rollback-journal mode, no WAL file. */
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  after = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_migrations_failed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const OpStoreMigration migrations[] = {
    { 1, "001-one.sql", "CREATE TABLE one (x);" },
    { 2, "002-two.sql", "CREATE TABLE two (x); INSERT INTO nowhere VALUES (1);" },
  };
  sqlite3 *db = open_raw (f->path);

  g_assert_false (op__store_run_migrations (db, migrations, G_N_ELEMENTS (migrations), &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA);
  g_assert_nonnull (error ? strstr (error->message, "002-two.sql") : NULL);
  g_assert_nonnull (error ? strstr (error->message, "nowhere") : NULL);

  /* 001 stayed, 002 rolled back entirely, version and table together. */
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'one'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'two'"), ==, 0);
  g_clear_error (&error);

  /* Running again after a fix picks up from version 1. */
  {
    const OpStoreMigration fixed[] = {
      { 1, "001-one.sql", "this would fail if it ran again" },
      { 2, "002-two.sql", "CREATE TABLE two (x);" },
    };

    g_assert_true (op__store_run_migrations (db, fixed, G_N_ELEMENTS (fixed), &error));
    g_assert_no_error (error);
    g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 2);
  }

  sqlite3_close (db);
}

static void
test_open_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
  g_autofree char *under_file = g_build_filename (junk, "sub", "x.db", NULL);
  OpStore *store;

  g_assert_true (g_file_set_contents (junk, "this is not a database, just some text that is long enough "
                                      "to fill a header and then some more text", -1, NULL));
  store = op_store_open (junk, &error);
  g_assert_null (store);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN);
  g_assert_nonnull (error ? strstr (error->message, "junk.db") : NULL);
  g_clear_error (&error);

  store = op_store_open (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN);
  g_test_message ("%s", error ? error->message : "");
}

static void
test_open_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OpStore) store = op_store_open (":memory:", &error);
  g_autoptr(GPtrArray) cases = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (op_store_get_schema_version (store), ==, n_migrations ());
  g_assert_cmpint (create_case (store, "Mem", "Mo", "2000-01-01", NULL, 3), >, 0);
  cases = op_store_list_cases (store, "mem", &error);
  g_assert_cmpuint (cases->len, ==, 1);
}

static void
test_pragmas (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autofree char *mode = NULL;
  g_autofree char *raw_mode = NULL;
  sqlite3 *raw;

  /* Per-connection settings are read on the store's own connection. */
  mode = query_text (store->db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (query_int (store->db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (store->db, "PRAGMA synchronous"), ==, 2);   /* FULL */
  g_assert_cmpint (query_int (store->db, "PRAGMA busy_timeout"), >=, 1000);
  g_assert_true (sqlite3_threadsafe ());

  /* WAL is persistent: another connection sees it too. */
  raw = open_raw (f->path);
  raw_mode = query_text (raw, "PRAGMA journal_mode");
  g_assert_cmpstr (raw_mode, ==, "wal");
  sqlite3_close (raw);

  /* Foreign keys are enforced: a scan for a case that does not exist. */
  g_assert_cmpint (0xff & sqlite3_exec (store->db,
                                 "INSERT INTO scans (case_id, jaw, format, filename, sha256, size, created_at, bytes) "
                                 "VALUES (4242, 'upper', 'stl', 'x.stl', "
                                 "'0000000000000000000000000000000000000000000000000000000000000000', 1, 'now', x'00')",
                                 NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_extended_errcode (store->db), ==, SQLITE_CONSTRAINT_FOREIGNKEY);
}

/* Cases. */

static void
test_case_create_list_get (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(OpCaseSummary) got = NULL;
  g_autoptr(OpCaseSummary) missing = NULL;
  g_autoptr(OpPatient) patient = NULL;
  gint64 a, b, c;

  a = create_case (store, "Smith", "Ann", "1990-03-12", "C-100", 1);
  b = create_case (store, "  Jones ", " Bob", "1985-11-30", NULL, 2);
  c = create_case (store, "Müller", "Jörg", "2010-07-01", "C-300", 3);

  cases = op_store_list_cases (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cases->len, ==, 3);
  /* Newest first. */
  g_assert_cmpint (((OpCaseSummary *) cases->pdata[0])->id, ==, c);
  g_assert_cmpint (((OpCaseSummary *) cases->pdata[1])->id, ==, b);
  g_assert_cmpint (((OpCaseSummary *) cases->pdata[2])->id, ==, a);

  for (guint i = 0; i < cases->len; i++)
    {
      OpCaseSummary *s = cases->pdata[i];

      g_assert_cmpstr (s->location_name, ==, "Main office");
      g_assert_cmpuint (s->n_scans, ==, 2);
      g_assert_cmpint (s->state, ==, OP_CASE_STATE_SUBMITTED);
      g_assert_nonnull (s->created_at);
      g_assert_cmpuint (strlen (s->created_at), ==, 20);
      g_assert_true (g_str_has_suffix (s->created_at, "Z"));
    }

  /* Names are trimmed and the title is "Family, Given". */
  got = op_store_get_case (store, b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->title, ==, "Jones, Bob");
  g_assert_cmpstr (got->birth_date, ==, "1985-11-30");
  g_assert_null (got->chart_number);
  g_assert_cmpint (got->location_id, >, 0);

  patient = op_store_get_patient (store, got->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (patient->family_name, ==, "Jones");
  g_assert_cmpstr (patient->given_name, ==, "Bob");

  missing = op_store_get_case (store, 9999, &error);
  g_assert_null (missing);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (error ? strstr (error->message, "9999") : NULL);
}

static guint
n_found (OpStore    *store,
         const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = op_store_list_cases (store, search, &error);

  g_assert_no_error (error);
  return cases ? cases->len : 999;
}

static void
test_case_search (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  gint64 smith;

  smith = create_case (store, "Smith", "Ann", "1990-03-12", "C-100", 1);
  create_case (store, "Smithers", "Waylon", "1950-01-02", "C-200", 2);
  create_case (store, "Müller", "Jörg", "2010-07-01", "X-300", 3);

  g_assert_cmpuint (n_found (store, NULL), ==, 3);
  g_assert_cmpuint (n_found (store, ""), ==, 3);
  g_assert_cmpuint (n_found (store, "   "), ==, 3);
  g_assert_cmpuint (n_found (store, "smith"), ==, 2);        /* substring, any case */
  g_assert_cmpuint (n_found (store, "MITH"), ==, 2);
  g_assert_cmpuint (n_found (store, "ann"), ==, 1);          /* given name */
  g_assert_cmpuint (n_found (store, "c-1"), ==, 1);          /* chart number */
  g_assert_cmpuint (n_found (store, "1990-03"), ==, 1);      /* birth date */
  g_assert_cmpuint (n_found (store, "Smith, Ann"), ==, 1);   /* as the title reads */
  g_assert_cmpuint (n_found (store, "ann smith"), ==, 1);
  g_assert_cmpuint (n_found (store, "müller"), ==, 1);
  g_assert_cmpuint (n_found (store, "MULLER"), ==, 1);       /* accents folded */
  g_assert_cmpuint (n_found (store, "jorg"), ==, 1);
  g_assert_cmpuint (n_found (store, "nobody"), ==, 0);
  g_assert_cmpuint (n_found (store, "smith nobody"), ==, 0);
  g_assert_cmpuint (n_found (store, "%"), ==, 0);            /* no LIKE wildcards */

  found = op_store_list_cases (store, "ann", &error);
  g_assert_no_error (error);
  g_assert_cmpint (((OpCaseSummary *) found->pdata[0])->id, ==, smith);
}

static void
test_case_patient_reuse (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(OpCaseSummary) a = NULL;
  g_autoptr(OpCaseSummary) b = NULL;
  g_autoptr(OpCaseSummary) c = NULL;

  a = op_store_get_case (store, create_case (store, "Lee", "Kim", "2001-02-03", "7", 1), &error);
  b = op_store_get_case (store, create_case (store, " Lee", "Kim ", "2001-02-03", "7", 2), &error);
  c = op_store_get_case (store, create_case (store, "Lee", "Kim", "2001-02-03", "8", 3), &error);
  g_assert_no_error (error);

  g_assert_cmpint (a->patient_id, ==, b->patient_id);
  g_assert_cmpint (a->patient_id, !=, c->patient_id);
  g_assert_cmpint (count_rows (f->path, "patients"), ==, 2);
  g_assert_cmpint (count_rows (f->path, "cases"), ==, 3);
  g_assert_cmpint (count_rows (f->path, "locations"), ==, 1);

  /* An empty chart number is no chart number. */
  {
    g_autoptr(OpCaseSummary) d = op_store_get_case (store, create_case (store, "Lee", "Kim", "2001-02-03", NULL, 4), &error);
    g_autoptr(OpCaseSummary) e = op_store_get_case (store, create_case (store, "Lee", "Kim", "2001-02-03", "  ", 5), &error);

    g_assert_cmpint (d->patient_id, ==, e->patient_id);
    g_assert_null (e->chart_number);
  }
}

static void
test_case_invalid (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *tomorrow_text = g_date_time_format (tomorrow, "%Y-%m-%d");
  g_autofree char *today_text = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *future_msg = g_strdup_printf ("birth date: %s is in the future", tomorrow_text);
  g_autoptr(GBytes) bytes = random_bytes (5, 100);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  struct {
    const char *family, *given, *dob, *expected;
  } bad[] = {
    { "",      "Ann", "1990-01-01", "family name: must not be empty" },
    { "   ",   "Ann", "1990-01-01", "family name: must not be empty" },
    { NULL,    "Ann", "1990-01-01", "family name: must not be empty" },
    { "Smith", " \t", "1990-01-01", "given name: must not be empty" },
    { "Smith", "Ann", "2023-02-30", "birth date: 2023-02-30 is not a date" },
    { "Smith", "Ann", "2023-13-01", "birth date: 2023-13-01 is not a date" },
    { "Smith", "Ann", "2023-00-10", "birth date: 2023-00-10 is not a date" },
    { "Smith", "Ann", "1900-02-29", "birth date: 1900-02-29 is not a date" },
    { "Smith", "Ann", "12/03/1990", "birth date: 12/03/1990 is not in the form YYYY-MM-DD" },
    { "Smith", "Ann", "1990-3-12",  "birth date: 1990-3-12 is not in the form YYYY-MM-DD" },
    { "Smith", "Ann", "",           "birth date: must not be empty" },
    { "Smith", "Ann", "1899-12-31", "birth date: 1899-12-31 is before 1900" },
    { "Smith", "Ann", tomorrow_text, future_msg },
  };
  OpScanInput scan = scan_input (OP_JAW_UPPER, "upper.stl", bytes);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) check_error = NULL;
      OpPatient p = { 0, (char *) bad[i].family, (char *) bad[i].given, (char *) bad[i].dob, NULL };

      g_assert_cmpint (op_store_create_case (store, &p, "Main office", &scan, 1, &error), ==, 0);
      g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
      if (error != NULL && !g_str_has_prefix (error->message, bad[i].expected))
        g_test_message ("case %u: got “%s”, expected “%s”", i, error->message, bad[i].expected);
      g_assert_true (error != NULL && g_str_has_prefix (error->message, bad[i].expected));

      g_assert_false (op_store_check_patient (&p, &check_error));
      g_assert_error (check_error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    }

  /* Edge dates that are fine: today, a leap day, 1900 itself. */
  {
    const char *good[] = { today_text, "2000-02-29", "1900-01-01" };

    for (guint i = 0; i < G_N_ELEMENTS (good); i++)
      {
        g_autoptr(GError) error = NULL;
        OpPatient p = { 0, "Good", "Date", (char *) good[i], NULL };

        g_assert_true (op_store_check_patient (&p, &error));
        g_assert_no_error (error);
      }
  }

  /* Bad location and bad scans. */
  {
    g_autoptr(GError) error = NULL;
    OpPatient p = { 0, "Smith", "Ann", "1990-01-01", NULL };
    OpScanInput empty_scan = scan_input (OP_JAW_LOWER, "lower.stl", empty);
    OpScanInput unnamed = scan_input (OP_JAW_LOWER, " ", bytes);

    g_assert_cmpint (op_store_create_case (store, &p, "  ", &scan, 1, &error), ==, 0);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_assert_true (error && g_str_has_prefix (error->message, "location:"));
    g_clear_error (&error);

    g_assert_cmpint (op_store_create_case (store, &p, "Main office", &empty_scan, 1, &error), ==, 0);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_assert_cmpstr (error ? error->message : NULL, ==, "lower.stl: the file is empty");
    g_clear_error (&error);

    g_assert_cmpint (op_store_create_case (store, &p, "Main office", &unnamed, 1, &error), ==, 0);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* Nothing at all was written. */
  g_assert_cmpint (count_rows (f->path, "patients"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "cases"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "locations"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "scans"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "audit"), ==, 0);
}

/* Scans. */

static void
test_scan_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) upper = random_bytes (42, 300 * 1024 + 7);
  g_autoptr(GBytes) bite = random_bytes (43, 1);
  g_autoptr(GPtrArray) scans = NULL;
  g_autofree char *expected_sha = NULL;
  OpPatient p = { 0, "Byte", "Exact", "1970-01-01", NULL };
  OpScanInput in = scan_input (OP_JAW_UPPER, "upper.stl", upper);
  OpScanInput in_bite = scan_input (OP_JAW_BITE, "bite.ply", bite);
  gint64 case_id, bite_id;

  in.format = OP_MESH_FORMAT_STL;
  in.n_vertices = 1234;
  in.n_triangles = 2460;
  in_bite.format = OP_MESH_FORMAT_PLY;

  case_id = op_store_create_case (store, &p, "Lab", &in, 1, &error);
  g_assert_no_error (error);
  bite_id = op_store_add_scan (store, case_id, &in_bite, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bite_id, >, 0);

  /* An independent SHA-256 of the same bytes. */
  {
    gsize size;
    const guint8 *d = g_bytes_get_data (upper, &size);
    g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

    g_checksum_update (sum, d, (gssize) size);
    expected_sha = g_strdup (g_checksum_get_string (sum));
  }

  scans = op_store_list_scans (store, case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scans->len, ==, 2);
  {
    OpScanRecord *r = scans->pdata[0];
    g_autoptr(GBytes) back = op_store_get_scan_bytes (store, r->id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (r->case_id, ==, case_id);
    g_assert_cmpint (r->jaw, ==, OP_JAW_UPPER);
    g_assert_cmpint (r->format, ==, OP_MESH_FORMAT_STL);
    g_assert_cmpstr (r->filename, ==, "upper.stl");
    g_assert_cmpstr (r->sha256, ==, expected_sha);
    g_assert_cmpint (r->size, ==, (gint64) g_bytes_get_size (upper));
    g_assert_cmpint (r->n_vertices, ==, 1234);
    g_assert_cmpint (r->n_triangles, ==, 2460);
    g_assert_nonnull (back);
    g_assert_true (g_bytes_equal (back, upper));
  }
  {
    OpScanRecord *r = scans->pdata[1];
    g_autoptr(GBytes) back = op_store_get_scan_bytes (store, bite_id, &error);

    g_assert_cmpint (r->id, ==, bite_id);
    g_assert_cmpint (r->jaw, ==, OP_JAW_BITE);
    g_assert_cmpint (r->format, ==, OP_MESH_FORMAT_PLY);
    g_assert_true (back != NULL && g_bytes_equal (back, bite));
  }

  /* Unknown ids. */
  {
    g_autoptr(GBytes) none = op_store_get_scan_bytes (store, 4242, &error);
    g_autoptr(GPtrArray) no_scans = NULL;

    g_assert_null (none);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);

    no_scans = op_store_list_scans (store, 4242, &error);
    g_assert_null (no_scans);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Damage a blob behind the store's back: the read notices. */
  {
    sqlite3 *raw = open_raw (f->path);
    g_autofree char *sql = g_strdup_printf ("UPDATE scans SET bytes = x'01' || bytes WHERE id = %" G_GINT64_FORMAT,
                                            bite_id);
    g_autoptr(GBytes) damaged = NULL;

    g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (raw);
    damaged = op_store_get_scan_bytes (store, bite_id, &error);
    g_assert_null (damaged);
    g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SQL);
    g_assert_true (error && strstr (error->message, "bite.ply") != NULL);
  }
}

static void
test_scan_duplicate (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = random_bytes (7, 5000);
  g_autofree char *today = today_utc ();
  g_autofree char *expected = g_strdup_printf ("lower.stl is already in this case as upper.stl, added %s", today);
  OpPatient p = { 0, "Dup", "Dana", "1999-09-09", NULL };
  OpScanInput upper = scan_input (OP_JAW_UPPER, "upper.stl", bytes);
  OpScanInput lower = scan_input (OP_JAW_LOWER, "lower.stl", bytes);
  gint64 case_id, other_case;

  case_id = op_store_create_case (store, &p, "Main office", &upper, 1, &error);
  g_assert_no_error (error);

  g_assert_cmpint (op_store_add_scan (store, case_id, &lower, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE);
  g_assert_cmpstr (error ? error->message : NULL, ==, expected);
  g_clear_error (&error);

  /* The same bytes in a different case are fine. */
  other_case = op_store_create_case (store, &p, "Main office", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (op_store_add_scan (store, other_case, &lower, &error), >, 0);
  g_assert_no_error (error);

  /* And a scan for a case that does not exist. */
  g_assert_cmpint (op_store_add_scan (store, 777, &lower, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (count_rows (f->path, "scans"), ==, 2);
}

static void
test_scan_atomic (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = random_bytes (11, 2000);
  g_autoptr(GBytes) b = random_bytes (12, 2000);
  OpPatient fresh = { 0, "Atom", "Ada", "1988-08-08", "A-1" };
  OpScanInput scans[3];
  const char * const tables[] = { "patients", "cases", "locations", "scans", "audit" };
  gint64 before[G_N_ELEMENTS (tables)];

  /* Something already in the store, to see that it is left alone. */
  create_case (store, "Old", "Olga", "1960-06-06", NULL, 99);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    before[i] = count_rows (f->path, tables[i]);

  /* A new patient, a new location and three scans of which the third
   * repeats the first: nothing of it may be stored. */
  scans[0] = scan_input (OP_JAW_UPPER, "upper.stl", a);
  scans[1] = scan_input (OP_JAW_LOWER, "lower.stl", b);
  scans[2] = scan_input (OP_JAW_BITE, "bite.stl", a);
  g_assert_cmpint (op_store_create_case (store, &fresh, "New branch", scans, 3, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE);
  g_assert_true (error && g_str_has_prefix (error->message, "bite.stl is already in this case as upper.stl"));

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 n = count_rows (f->path, tables[i]);

      if (n != before[i])
        g_test_message ("%s: %" G_GINT64_FORMAT " rows before, %" G_GINT64_FORMAT " after", tables[i], before[i], n);
      g_assert_cmpint (n, ==, before[i]);
    }

  g_clear_error (&error);
  g_assert_true (op_store_verify_audit (store, &error));
  g_assert_no_error (error);

  /* The store is still usable afterwards. */
  scans[2] = scan_input (OP_JAW_BITE, "bite.stl", NULL);
  g_assert_cmpint (op_store_create_case (store, &fresh, "New branch", scans, 2, &error), >, 0);
  g_assert_no_error (error);
}

/* Workflow. */

static void
test_case_state (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) extra = random_bytes (77, 300);
  OpScanInput extra_scan = scan_input (OP_JAW_BITE, "bite.stl", extra);
  gint64 id = create_case (store, "Flow", "Fay", "1995-05-15", NULL, 1);
  static const OpCaseState path[] = {
    OP_CASE_STATE_SEGMENTED, OP_CASE_STATE_PLANNED, OP_CASE_STATE_IN_REVIEW,
  };

  /* An assistant may not, with the planner's reason. */
  g_assert_false (op_store_set_case_state (store, id, OP_ROLE_ASSISTANT, OP_CASE_STATE_SEGMENTED, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_assert_true (error && strstr (error->message, "assistant") != NULL);
  g_clear_error (&error);

  /* Nobody may skip review. */
  g_assert_false (op_store_set_case_state (store, id, OP_ROLE_PROVIDER, OP_CASE_STATE_APPROVED, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    {
      g_assert_true (op_store_set_case_state (store, id, OP_ROLE_PROVIDER, path[i], &error));
      g_assert_no_error (error);
    }

  /* Under review: no new scans, and a coordinator cannot approve. */
  g_assert_cmpint (op_store_add_scan (store, id, &extra_scan, &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (op_store_set_case_state (store, id, OP_ROLE_COORDINATOR, OP_CASE_STATE_APPROVED, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION);
  g_assert_true (error && strstr (error->message, "never approves") != NULL);
  g_clear_error (&error);

  g_assert_true (op_store_set_case_state (store, id, OP_ROLE_PROVIDER, OP_CASE_STATE_APPROVED, &error));
  g_assert_true (op_store_set_case_state (store, id, OP_ROLE_COORDINATOR, OP_CASE_STATE_POSTED, &error));
  g_assert_true (op_store_set_case_state (store, id, OP_ROLE_ADMINISTRATOR, OP_CASE_STATE_ARCHIVED, &error));
  g_assert_no_error (error);

  {
    g_autoptr(OpCaseSummary) c = op_store_get_case (store, id, &error);
    sqlite3 *raw = open_raw (f->path);

    g_assert_cmpint (c->state, ==, OP_CASE_STATE_ARCHIVED);
    g_assert_cmpint (query_int (raw, "SELECT count(*) FROM audit WHERE action = 'case.state'"), ==, 6);
    sqlite3_close (raw);
  }

  g_assert_false (op_store_set_case_state (store, 4242, OP_ROLE_PROVIDER, OP_CASE_STATE_ARCHIVED, &error));
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND);
}

static void
test_locations (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(OpStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  gint64 a, b, c;

  a = op_store_ensure_location (store, "North", &error);
  b = op_store_ensure_location (store, " North ", &error);
  c = op_store_ensure_location (store, "east side", &error);
  g_assert_no_error (error);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (a, ==, b);
  g_assert_cmpint (a, !=, c);

  g_assert_cmpint (op_store_ensure_location (store, "", &error), ==, 0);
  g_assert_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  names = op_store_list_locations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "east side");
  g_assert_cmpstr (names[1], ==, "North");

  {
    sqlite3 *raw = open_raw (f->path);

    g_assert_cmpint (query_int (raw, "SELECT count(*) FROM audit WHERE action = 'location.create'"), ==, 2);
    sqlite3_close (raw);
  }
}

/* Default path. */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  ADD ("/io/store/migrations/schema", test_migrations_schema);
  ADD ("/io/store/migrations/reopen", test_migrations_reopen);
  ADD ("/io/store/migrations/newer-refused", test_migrations_newer_refused);
  ADD ("/io/store/migrations/failed-rolls-back", test_migrations_failed);
  ADD ("/io/store/open/errors", test_open_errors);
  ADD ("/io/store/open/pragmas", test_pragmas);
  g_test_add_func ("/io/store/open/memory", test_open_memory);
  ADD ("/io/store/case/create-list-get", test_case_create_list_get);
  ADD ("/io/store/case/search", test_case_search);
  ADD ("/io/store/case/patient-reuse", test_case_patient_reuse);
  ADD ("/io/store/case/invalid", test_case_invalid);
  ADD ("/io/store/case/state", test_case_state);
  ADD ("/io/store/scan/round-trip", test_scan_round_trip);
  ADD ("/io/store/scan/duplicate", test_scan_duplicate);
  ADD ("/io/store/scan/atomic", test_scan_atomic);
  ADD ("/io/store/locations", test_locations);

  return g_test_run ();
}
