/* op-store-case.c: patients, cases and scans in the case store.
 *
 * Every write here runs in one BEGIN IMMEDIATE transaction together with
 * its audit rows, under self->lock (see op-store-private.h).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

/* Scan formats as stored.  op-mesh-io.c owns op_mesh_format_to_string for
 * people and the CLI; the store keeps its own fixed table because these
 * strings are part of the file format and must never change with it. */
static const char * const format_names[] = {
  [OP_MESH_FORMAT_UNKNOWN] = "unknown",
  [OP_MESH_FORMAT_STL]     = "stl",
  [OP_MESH_FORMAT_PLY]     = "ply",
  [OP_MESH_FORMAT_OBJ]     = "obj",
  [OP_MESH_FORMAT_GLB]     = "glb",
};

static OpMeshFormat
format_from_column (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_strcmp0 (format_names[i], text) == 0)
      return (OpMeshFormat) i;
  return OP_MESH_FORMAT_UNKNOWN;
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Search. */

/* Folds case and strips accents, so that "muller", "MÜLLER" and "Müller"
 * find each other: NFKD splits "ü" into "u" and a combining mark, which is
 * dropped. */
static char *
fold_for_search (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = NULL;
  GString *out;

  if (decomposed == NULL)
    return g_ascii_strdown (text, -1);   /* not UTF-8: compare bytes */

  folded = g_utf8_casefold (decomposed, -1);
  out = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_combining_class (c) == 0)
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* op_search_match(query, field, ...): 1 when every word of the query
 * (split at spaces and commas, so "Smith, Ann" works) is a substring of
 * at least one field. */
static void
search_match_func (sqlite3_context  *ctx,
                   int               argc,
                   sqlite3_value   **argv)
{
  g_autofree char *query = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  gboolean all = TRUE;

  if (argc < 1 || sqlite3_value_type (argv[0]) == SQLITE_NULL)
    {
      sqlite3_result_int (ctx, 1);
      return;
    }

  query = fold_for_search ((const char *) sqlite3_value_text (argv[0]));
  words = g_strsplit_set (query, " \t\r\n,;", -1);

  fields = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    {
      const char *text = (const char *) sqlite3_value_text (argv[i]);
      g_ptr_array_add (fields, fold_for_search (text ? text : ""));
    }

  for (guint w = 0; all && words[w] != NULL; w++)
    {
      gboolean found = FALSE;

      if (words[w][0] == '\0')
        continue;
      for (guint f = 0; !found && f < fields->len; f++)
        found = strstr (g_ptr_array_index (fields, f), words[w]) != NULL;
      all = found;
    }

  sqlite3_result_int (ctx, all ? 1 : 0);
}

void
op__store_register_functions (sqlite3 *db)
{
  sqlite3_create_function_v2 (db, "op_search_match", -1,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                              NULL, search_match_func, NULL, NULL, NULL);
}

/* Validation. */

static gboolean
check_birth_date (const char  *text,
                  GError     **error)
{
  g_autoptr(GDateTime) now = NULL;
  guint year, month, day;
  GDateDay today_d;
  GDateMonth today_m;
  GDateYear today_y;
  int today_key, date_key;

  if (text == NULL || text[0] == '\0')
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("birth date: must not be empty; write it as YYYY-MM-DD"));
      return FALSE;
    }

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-' ||
      !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) ||
      !g_ascii_isdigit (text[2]) || !g_ascii_isdigit (text[3]) ||
      !g_ascii_isdigit (text[5]) || !g_ascii_isdigit (text[6]) ||
      !g_ascii_isdigit (text[8]) || !g_ascii_isdigit (text[9]))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("birth date: %s is not in the form YYYY-MM-DD"), text);
      return FALSE;
    }

  year = (guint) g_ascii_strtoull (text, NULL, 10);
  month = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  day = (guint) g_ascii_strtoull (text + 8, NULL, 10);

  if (year < 1 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("birth date: %s is not a date"), text);
      return FALSE;
    }

  if (year < 1900)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("birth date: %s is before 1900; check the year"), text);
      return FALSE;
    }

  /* Against the local calendar: a baby born today in this practice's time
   * zone has a valid birth date even where UTC is already tomorrow. */
  now = g_date_time_new_now_local ();
  today_y = (GDateYear) g_date_time_get_year (now);
  today_m = (GDateMonth) g_date_time_get_month (now);
  today_d = (GDateDay) g_date_time_get_day_of_month (now);
  today_key = today_y * 10000 + today_m * 100 + today_d;
  date_key = (int) (year * 10000 + month * 100 + day);
  if (date_key > today_key)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("birth date: %s is in the future"), text);
      return FALSE;
    }

  return TRUE;
}

static char *
trimmed_or_null (const char *text)
{
  char *copy;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  if (copy[0] == '\0')
    g_clear_pointer (&copy, g_free);
  return copy;
}

/* Fills @clean with the trimmed fields, or fails naming the field. */
static gboolean
clean_patient (const OpPatient  *patient,
               OpPatient        *clean,
               GError          **error)
{
  memset (clean, 0, sizeof *clean);

  clean->family_name = trimmed_or_null (patient->family_name);
  if (clean->family_name == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("family name: must not be empty"));
      return FALSE;
    }

  clean->given_name = trimmed_or_null (patient->given_name);
  if (clean->given_name == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("given name: must not be empty"));
      return FALSE;
    }

  clean->birth_date = trimmed_or_null (patient->birth_date);
  if (!check_birth_date (clean->birth_date, error))
    return FALSE;

  clean->chart_number = trimmed_or_null (patient->chart_number);
  return TRUE;
}

static void
clear_patient (OpPatient *p)
{
  g_clear_pointer (&p->family_name, g_free);
  g_clear_pointer (&p->given_name, g_free);
  g_clear_pointer (&p->birth_date, g_free);
  g_clear_pointer (&p->chart_number, g_free);
}

gboolean
op_store_check_patient (const OpPatient  *patient,
                        GError          **error)
{
  OpPatient clean;
  gboolean ok;

  g_return_val_if_fail (patient != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = clean_patient (patient, &clean, error);
  clear_patient (&clean);
  return ok;
}

/* What we learn about a scan before the transaction: checked fields and
 * the hash, so that the write lock is held as briefly as possible. */
typedef struct {
  const OpScanInput *input;
  char              *filename;   /* trimmed */
  char              *sha256;
} PreparedScan;

static void
clear_prepared_scan (PreparedScan *p)
{
  g_clear_pointer (&p->filename, g_free);
  g_clear_pointer (&p->sha256, g_free);
}

static gboolean
prepare_scan (const OpScanInput  *input,
              PreparedScan       *out,
              GError            **error)
{
  g_autoptr(GChecksum) checksum = NULL;
  const guint8 *data;
  gsize size = 0;

  memset (out, 0, sizeof *out);
  out->input = input;

  out->filename = trimmed_or_null (input->filename);
  if (out->filename == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("scan: the file name must not be empty"));
      return FALSE;
    }

  if ((guint) input->jaw > OP_JAW_BITE)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("%s: the jaw must be upper, lower or bite"), out->filename);
      return FALSE;
    }

  if ((guint) input->format >= G_N_ELEMENTS (format_names))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("%s: the scan format is not one Orthoplan knows"), out->filename);
      return FALSE;
    }

  if (input->bytes == NULL || g_bytes_get_size (input->bytes) == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("%s: the file is empty"), out->filename);
      return FALSE;
    }

  /* The hash is of the exact bytes stored, so it can be checked against
   * the original file with sha256sum. */
  data = g_bytes_get_data (input->bytes, &size);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, data, (gssize) size);
  out->sha256 = g_strdup (g_checksum_get_string (checksum));

  return TRUE;
}

/* Looks up a case's state; NOT_FOUND when there is no such case. */
static gboolean
get_case_state_locked (OpStore      *self,
                       gint64        case_id,
                       OpCaseState  *out_state,
                       GError      **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  stmt = op__store_prepare (self, "SELECT status FROM cases WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, case_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      ok = op_case_state_from_string (text, out_state);
      if (!ok)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                     _("Case %lld has the state “%s”, which this version of Orthoplan does not know"),
                     (long long) case_id, text);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("There is no case %lld in this database"), (long long) case_id);
  else
    op__store_set_sql_error (self->db, error, _("Looking up the case failed"));
  sqlite3_finalize (stmt);
  return ok;
}

/* Inserts one prepared scan; the caller holds the lock and a transaction. */
static gint64
insert_scan_locked (OpStore             *self,
                    gint64               case_id,
                    const PreparedScan  *scan,
                    GError             **error)
{
  const OpScanInput *in = scan->input;
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt;
  const guint8 *data;
  gsize size = 0;
  gint64 id;
  int rc;

  /* Look for the same bytes first, so that the message can name the scan
   * already there rather than quote a UNIQUE constraint. */
  stmt = op__store_prepare (self, "SELECT filename, created_at FROM scans WHERE case_id = ? AND sha256 = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_text (stmt, 2, scan->sha256, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *other = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *day = g_strndup ((const char *) sqlite3_column_text (stmt, 1), 10);

      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE,
                   _("%s is already in this case as %s, added %s"),
                   scan->filename, other, day);
      sqlite3_finalize (stmt);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Looking for duplicate scans failed"));
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);

  now = op__store_now ();
  data = g_bytes_get_data (in->bytes, &size);

  stmt = op__store_prepare (self,
                            "INSERT INTO scans (case_id, jaw, format, filename, sha256, size, "
                            "n_vertices, n_triangles, created_at, bytes) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_text (stmt, 2, op_jaw_to_string (in->jaw), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, format_names[in->format], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, scan->filename, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, scan->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) size);
  sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) in->n_vertices);
  sqlite3_bind_int64 (stmt, 8, (sqlite3_int64) in->n_triangles);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  /* SQLITE_STATIC: the GBytes outlives the statement, so SQLite need not
   * copy a scan of tens of megabytes. */
  sqlite3_bind_blob64 (stmt, 10, data, size, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf (_("Storing the scan %s failed"), scan->filename);

      op__store_set_sql_error (self->db, error, what);
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (self->db);

  object = g_strdup_printf ("scan:%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("case:%" G_GINT64_FORMAT " jaw=%s file=%s sha256=%s size=%" G_GSIZE_FORMAT,
                            case_id, op_jaw_to_string (in->jaw), scan->filename, scan->sha256, size);
  if (!op__store_audit_locked (self, "scan.add", object, detail, error))
    return 0;

  return id;
}

gint64
op__store_ensure_patient_locked (OpStore          *self,
                                 const OpPatient  *p,
                                 GError          **error)
{
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = op__store_prepare (self,
                            "SELECT id FROM patients WHERE family_name = ? AND given_name = ? "
                            "AND birth_date = ? AND ifnull(chart_number, '') = ifnull(?, '')",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, p->family_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, p->given_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, p->birth_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, p->chart_number, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    op__store_set_sql_error (self->db, error, _("Looking up the patient failed"));
  sqlite3_finalize (stmt);
  if (id != 0 || rc != SQLITE_DONE)
    return id;

  now = op__store_now ();
  stmt = op__store_prepare (self,
                            "INSERT INTO patients (family_name, given_name, birth_date, chart_number, created_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, p->family_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, p->given_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, p->birth_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, p->chart_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Creating the patient failed"));
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (self->db);

  object = g_strdup_printf ("patient:%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("%s, %s", p->family_name, p->given_name);
  if (!op__store_audit_locked (self, "patient.create", object, detail, error))
    return 0;

  return id;
}

gint64
op_store_create_case (OpStore            *self,
                      const OpPatient    *patient,
                      const char         *location,
                      const OpScanInput  *scans,
                      guint               n_scans,
                      GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree PreparedScan *prepared = NULL;
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  OpPatient clean = { 0 };
  sqlite3_stmt *stmt;
  gint64 location_id, patient_id, case_id = 0;
  guint n_prepared = 0;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (patient != NULL, 0);
  g_return_val_if_fail (n_scans == 0 || scans != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* Everything that can be checked without the database is checked before
   * the transaction, hashing included, so that the write lock is held
   * only for the inserts. */
  if (!clean_patient (patient, &clean, error))
    goto out;

  prepared = g_new0 (PreparedScan, MAX (n_scans, 1));
  for (; n_prepared < n_scans; n_prepared++)
    if (!prepare_scan (&scans[n_prepared], &prepared[n_prepared], error))
      {
        n_prepared++;
        goto out;
      }

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    goto out;

  location_id = op__store_ensure_location_locked (self, location, error);
  if (location_id == 0)
    goto rollback;

  patient_id = op__store_ensure_patient_locked (self, &clean, error);
  if (patient_id == 0)
    goto rollback;

  now = op__store_now ();
  stmt = op__store_prepare (self,
                            "INSERT INTO cases (patient_id, location_id, status, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, location_id);
  sqlite3_bind_text (stmt, 3, op_case_state_to_string (OP_CASE_STATE_SUBMITTED), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Creating the case failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);
  case_id = sqlite3_last_insert_rowid (self->db);

  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("patient:%" G_GINT64_FORMAT " location:%" G_GINT64_FORMAT " scans=%u",
                            patient_id, location_id, n_scans);
  if (!op__store_audit_locked (self, "case.create", object, detail, error))
    goto rollback;

  for (guint i = 0; i < n_scans; i++)
    if (insert_scan_locked (self, case_id, &prepared[i], error) == 0)
      goto rollback;

  if (!op__store_commit (self, error))
    {
      case_id = 0;
      goto out;
    }
  goto out;

rollback:
  op__store_rollback (self);
  case_id = 0;

out:
  for (guint i = 0; i < n_prepared; i++)
    clear_prepared_scan (&prepared[i]);
  clear_patient (&clean);
  return case_id;
}

gint64
op_store_add_scan (OpStore            *self,
                   gint64              case_id,
                   const OpScanInput  *scan,
                   GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  PreparedScan prepared;
  OpCaseState state;
  gint64 id = 0;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (scan != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!prepare_scan (scan, &prepared, error))
    goto out;

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    goto out;

  if (!get_case_state_locked (self, case_id, &state, error))
    goto rollback;

  if (!op_case_state_accepts_scans (state))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("%s: case %lld is %s; scans can no longer be added once a plan is in review, "
                     "approved, posted or archived. Request changes first, or open a new case."),
                   prepared.filename, (long long) case_id, op_case_state_to_label (state));
      goto rollback;
    }

  id = insert_scan_locked (self, case_id, &prepared, error);
  if (id == 0)
    goto rollback;

  if (!op__store_commit (self, error))
    id = 0;
  goto out;

rollback:
  op__store_rollback (self);
  id = 0;

out:
  clear_prepared_scan (&prepared);
  return id;
}

/* Reading. */

#define CASE_COLUMNS \
  "SELECT c.id, c.patient_id, c.location_id, c.status, p.family_name, p.given_name, " \
  "l.name, p.birth_date, p.chart_number, c.created_at, " \
  "(SELECT count(*) FROM scans s WHERE s.case_id = c.id) " \
  "FROM cases c JOIN patients p ON p.id = c.patient_id JOIN locations l ON l.id = c.location_id "

static OpCaseSummary *
case_from_row (sqlite3_stmt *stmt)
{
  OpCaseSummary *c = g_new0 (OpCaseSummary, 1);
  const char *status = (const char *) sqlite3_column_text (stmt, 3);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->patient_id = sqlite3_column_int64 (stmt, 1);
  c->location_id = sqlite3_column_int64 (stmt, 2);
  /* The CHECK constraint keeps unknown states out; a newer schema that adds
   * one is refused at open, so this default is never reached in practice. */
  if (!op_case_state_from_string (status, &c->state))
    c->state = OP_CASE_STATE_SUBMITTED;
  c->title = g_strdup_printf ("%s, %s", (const char *) sqlite3_column_text (stmt, 4),
                              (const char *) sqlite3_column_text (stmt, 5));
  c->location_name = dup_column (stmt, 6);
  c->birth_date = dup_column (stmt, 7);
  c->chart_number = dup_column (stmt, 8);
  c->created_at = dup_column (stmt, 9);
  c->n_scans = (guint) sqlite3_column_int64 (stmt, 10);
  return c;
}

GPtrArray *
op_store_list_cases (OpStore     *self,
                     const char  *search,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autofree char *query = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  query = trimmed_or_null (search);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self,
                            CASE_COLUMNS
                            "WHERE ?1 IS NULL OR op_search_match(?1, p.family_name, p.given_name, "
                            "p.birth_date, ifnull(p.chart_number, '')) "
                            "ORDER BY c.created_at DESC, c.id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_TRANSIENT);

  cases = g_ptr_array_new_with_free_func ((GDestroyNotify) op_case_summary_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (cases, case_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the cases failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);

  return g_steal_pointer (&cases);
}

OpCaseSummary *
op_store_get_case (OpStore  *self,
                   gint64    case_id,
                   GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  OpCaseSummary *c = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self, CASE_COLUMNS "WHERE c.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    c = case_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("There is no case %lld in this database"), (long long) case_id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the case failed"));
  sqlite3_finalize (stmt);

  return c;
}

OpPatient *
op_store_get_patient (OpStore  *self,
                      gint64    patient_id,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  OpPatient *p = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self,
                            "SELECT id, family_name, given_name, birth_date, chart_number "
                            "FROM patients WHERE id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      p = g_new0 (OpPatient, 1);
      p->id = sqlite3_column_int64 (stmt, 0);
      p->family_name = dup_column (stmt, 1);
      p->given_name = dup_column (stmt, 2);
      p->birth_date = dup_column (stmt, 3);
      p->chart_number = dup_column (stmt, 4);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("There is no patient %lld in this database"), (long long) patient_id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the patient failed"));
  sqlite3_finalize (stmt);

  return p;
}

GPtrArray *
op_store_list_scans (OpStore  *self,
                     gint64    case_id,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  sqlite3_stmt *stmt;
  OpCaseState state;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  /* An unknown case is an error, not an empty list, so that a caller
   * with a stale id hears about it. */
  if (!get_case_state_locked (self, case_id, &state, error))
    return NULL;

  stmt = op__store_prepare (self,
                            "SELECT id, case_id, jaw, format, filename, sha256, size, n_vertices, "
                            "n_triangles, created_at FROM scans WHERE case_id = ? ORDER BY id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);

  scans = g_ptr_array_new_with_free_func ((GDestroyNotify) op_scan_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OpScanRecord *r = g_new0 (OpScanRecord, 1);

      r->id = sqlite3_column_int64 (stmt, 0);
      r->case_id = sqlite3_column_int64 (stmt, 1);
      if (!op_jaw_from_string ((const char *) sqlite3_column_text (stmt, 2), &r->jaw))
        r->jaw = OP_JAW_UPPER;
      r->format = format_from_column ((const char *) sqlite3_column_text (stmt, 3));
      r->filename = dup_column (stmt, 4);
      r->sha256 = dup_column (stmt, 5);
      r->size = sqlite3_column_int64 (stmt, 6);
      r->n_vertices = sqlite3_column_int64 (stmt, 7);
      r->n_triangles = sqlite3_column_int64 (stmt, 8);
      r->created_at = dup_column (stmt, 9);
      g_ptr_array_add (scans, r);
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the scans failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);

  return g_steal_pointer (&scans);
}

GBytes *
op_store_get_scan_bytes (OpStore  *self,
                         gint64    scan_id,
                         GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *computed = NULL;
  GBytes *bytes = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self, "SELECT filename, sha256, bytes FROM scans WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const void *data = sqlite3_column_blob (stmt, 2);
      gsize size = (gsize) sqlite3_column_bytes (stmt, 2);

      /* Checking the hash on every read costs a few milliseconds per
       * megabyte and means a damaged database is caught before a damaged
       * scan is planned on. */
      computed = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
      if (g_strcmp0 (computed, (const char *) sqlite3_column_text (stmt, 1)) != 0)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SQL,
                     _("%s (scan %lld): the stored bytes no longer match their sha256; "
                       "the database is damaged, restore it from a backup"),
                     (const char *) sqlite3_column_text (stmt, 0), (long long) scan_id);
      else
        bytes = g_bytes_new (data, size);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("There is no scan %lld in this database"), (long long) scan_id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the scan failed"));
  sqlite3_finalize (stmt);

  return bytes;
}

/* Workflow. */

gboolean
op__store_set_case_status_locked (OpStore     *self,
                                  gint64       case_id,
                                  OpCaseState  to,
                                  const char  *now,
                                  GError     **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_case_state_to_string (to), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, case_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Changing the case state failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
op__store_step_case_state_locked (OpStore     *self,
                                  gint64       case_id,
                                  OpCaseState  from,
                                  OpCaseState  to,
                                  const char  *how,
                                  const char  *now,
                                  GError     **error)
{
  g_autofree char *object = NULL, *detail = NULL;

  if (!op__store_set_case_status_locked (self, case_id, to, now, error))
    return FALSE;
  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("%s -> %s %s", op_case_state_to_string (from), op_case_state_to_string (to), how);
  return op__store_audit_locked (self, "case.state", object, detail, error);
}

gboolean
op_store_set_case_state (OpStore      *self,
                         gint64        case_id,
                         OpRole        role,
                         OpCaseState   to,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL;
  g_autofree char *how = NULL;
  OpCaseState from;
  const char *why = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint) to < OP_CASE_N_STATES, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    return FALSE;

  /* The state is read inside the write transaction, so two people
   * approving and requesting changes at once cannot both succeed. */
  if (!get_case_state_locked (self, case_id, &from, error))
    goto rollback;

  if (!op_case_role_may_transition (role, from, to, &why))
    {
      g_set_error (error, OP_STORE_ERROR,
                   op_case_transition_allowed (from, to) ? OP_STORE_ERROR_PERMISSION : OP_STORE_ERROR_INVALID,
                   "%s", why);
      goto rollback;
    }

  now = op__store_now ();
  how = g_strdup_printf ("as %s", op_role_to_string (role));
  if (!op__store_step_case_state_locked (self, case_id, from, to, how, now, error))
    goto rollback;

  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}
