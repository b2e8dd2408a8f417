/* test-io-store-util.h: fixtures and helpers shared by the store tests. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "op-store.h"

/* A private folder per test with the database path inside it. */
typedef struct {
  char *dir;
  char *path;
} Fixture;

void         fixture_setup    (Fixture       *f,
                               gconstpointer  data);
void         fixture_teardown (Fixture       *f,
                               gconstpointer  data);
void         remove_tree      (const char    *path);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

OpStore     *open_store       (Fixture       *f);
/* A second, raw connection to the same file, as an intruder would use. */
sqlite3     *open_raw         (const char    *path);
gint64       query_int        (sqlite3       *db,
                               const char    *sql);
char        *query_text       (sqlite3       *db,
                               const char    *sql);
gint64       count_rows       (const char    *path,
                               const char    *table);
/* Deterministic binary bytes with zeros inside and at both ends. */
GBytes      *random_bytes     (guint32        seed,
                               gsize          size);
OpScanInput  scan_input       (OpJaw          jaw,
                               const char    *filename,
                               GBytes        *bytes);
gint64       create_case      (OpStore       *store,
                               const char    *family,
                               const char    *given,
                               const char    *birth_date,
                               const char    *chart,
                               guint32        seed);
char        *today_utc        (void);
