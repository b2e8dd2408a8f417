/* test-user-util.h: what the user, approval and CLI tests share: a real
 * plan to sign, built from the real teeth's axes in $OP_SHARED_DATA, and
 * direct SQL on the database file for the tests that play an attacker. */
#pragma once

#include <math.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "op-fdi.h"
#include "op-plan.h"
#include "op-store.h"

#define TEST_ADMIN_PASSWORD    "river stones and blue ink"
#define TEST_PROVIDER_PASSWORD "seven swans over the lake"
#define TEST_COORD_PASSWORD    "paper lanterns in june"
#define TEST_NPI               "1234567893"

static inline void
test_frame_axis (JsonArray *c,
                 JsonArray *end,
                 float      out[3])
{
  double v[3], len = 0;

  for (guint i = 0; i < 3; i++)
    {
      v[i] = json_array_get_double_element (end, i) - json_array_get_double_element (c, i);
      len += v[i] * v[i];
    }
  len = sqrt (len);
  for (guint i = 0; i < 3; i++)
    out[i] = (float) (v[i] / len);
}

/* The canonical bytes of a plan over the real upper teeth (their crown
 * centres and axes from teeth_axes_maxilla.json), with @n_stages stages
 * and a small rotation of the central incisors scaled by @scale, or NULL
 * when the data is missing. */
static inline GBytes *
test_real_plan_bytes (guint  n_stages,
                      double scale)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) teeth = g_array_new (FALSE, TRUE, sizeof (OpPlanTooth));
  g_autoptr(OpPlan) plan = NULL;
  JsonObject *obj;

  if (root == NULL)
    return NULL;
  path = g_build_filename (root, "open-full-jaw-p26", "maxilla", "teeth_axes_maxilla.json", NULL);
  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));

  for (int universal = 1; universal <= 16; universal++)
    {
      char key[8];
      JsonObject *t;
      JsonArray *c;
      OpPlanTooth tooth = { 0 };

      g_snprintf (key, sizeof key, "%d", universal);
      if (!json_object_has_member (obj, key))
        continue;
      t = json_object_get_object_member (obj, key);
      c = json_object_get_array_member (t, "c");
      tooth.fdi = op_fdi_from_universal (universal);
      for (guint i = 0; i < 3; i++)
        tooth.frame.origin[i] = (float) json_array_get_double_element (c, i);
      test_frame_axis (c, json_object_get_array_member (t, "x"), tooth.frame.mesial);
      test_frame_axis (c, json_object_get_array_member (t, "y"), tooth.frame.buccal);
      test_frame_axis (c, json_object_get_array_member (t, "z"), tooth.frame.occlusal);
      g_array_append_val (teeth, tooth);
    }
  if (teeth->len == 0)
    return NULL;

  plan = op_plan_new ((OpPlanTooth *) teeth->data, teeth->len, n_stages);
  for (guint s = 1; s < n_stages; s++)
    for (guint i = 0; i < plan->n_teeth; i++)
      if (plan->teeth[i].fdi == 11 || plan->teeth[i].fdi == 21)
        {
          OpMovement *m = op_plan_pose (plan, s, i);

          m->rot = op_plan_quantize (scale * 1.5 * s);
          m->md = op_plan_quantize (scale * 0.1 * s);
        }
  return op_plan_encode (plan);
}

/* Runs @sql on the database file through a connection of its own, as
 * another program (or an attacker with the file) would. */
static inline int
test_sql (const char *db_path,
          const char *sql)
{
  sqlite3 *db = NULL;
  int rc;

  if (sqlite3_open (db_path, &db) != SQLITE_OK)
    {
      sqlite3_close (db);
      return SQLITE_ERROR;
    }
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    g_test_message ("SQL “%s”: %s", sql, sqlite3_errmsg (db));
  sqlite3_close (db);
  return rc;
}

/* Stores plan @version of @case_id with @bytes as plan_json. */
static inline int
test_insert_plan (const char *db_path,
                  gint64      case_id,
                  guint       version,
                  GBytes     *bytes)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  int rc;

  if (sqlite3_open (db_path, &db) != SQLITE_OK)
    {
      sqlite3_close (db);
      return SQLITE_ERROR;
    }
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO plans (case_id, version, parent_version, author, parameters, plan_json, sha256, created_at) "
                           "VALUES (?, ?, NULL, 'test', '{}', ?, ?, '2026-01-01T00:00:00Z')",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_int64 (stmt, 2, version);
      sqlite3_bind_text (stmt, 3, g_bytes_get_data (bytes, NULL), (int) g_bytes_get_size (bytes), SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, sha, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (db);
      if (rc != SQLITE_OK)
        g_test_message ("inserting plan v%u: %s", version, sqlite3_errmsg (db));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc;
}

/* Adds a user through the store (the caller must be allowed to), asserting
 * it worked; returns the id. */
static inline gint64
test_add_user (OpStore    *store,
               const char *login,
               const char *name,
               OpRole      role,
               const char *npi,
               const char *password)
{
  g_autoptr(GError) error = NULL;
  OpUserInput in = { login, name, role, npi, password };
  gint64 id = op_store_add_user (store, &in, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}
