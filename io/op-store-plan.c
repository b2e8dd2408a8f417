/* op-store-plan.c: per-tooth meshes and plan versions in the case store.
 *
 * Plans are stored as the canonical bytes of op_plan_encode() with their
 * sha256, one row per version; triggers in migration 003 refuse UPDATE
 * and DELETE, so a version a provider reviewed is never overwritten.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

void
op_plan_record_free (OpPlanRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->author);
  g_free (record->parameters);
  g_free (record->sha256);
  g_free (record->created_at);
  g_free (record);
}

static char *
sha256_of (const void *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

char *
op__store_frame_to_text (const OpFrame *f)
{
  const float *v[4] = { f->origin, f->mesial, f->buccal, f->occlusal };
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* %.9g keeps every bit of a float, so a frame read back is the frame
   * that was stored. */
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 3; k++)
      {
        if (s->len)
          g_string_append_c (s, ' ');
        g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.9g", v[i][k]));
      }
  return g_string_free (s, FALSE);
}

gboolean
op__store_frame_from_text (const char  *text,
                           OpFrame     *f)
{
  g_auto(GStrv) parts = g_strsplit (text, " ", -1);
  float *v[4] = { f->origin, f->mesial, f->buccal, f->occlusal };

  if (g_strv_length (parts) != 12)
    return FALSE;
  for (int i = 0; i < 12; i++)
    {
      char *end = NULL;

      v[i / 3][i % 3] = (float) g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0')
        return FALSE;
    }
  return TRUE;
}

static char *
trimmed (const char *text)
{
  return text ? g_strstrip (g_strdup (text)) : NULL;
}

static const char *
format_name (OpMeshFormat format)
{
  switch (format)
    {
    case OP_MESH_FORMAT_STL: return "stl";
    case OP_MESH_FORMAT_PLY: return "ply";
    case OP_MESH_FORMAT_OBJ: return "obj";
    case OP_MESH_FORMAT_GLB: return "glb";
    default: return "unknown";
    }
}

gint64
op_store_create_case_from_teeth (OpStore            *self,
                                 const OpPatient    *patient,
                                 const char         *location,
                                 const OpToothInput *teeth,
                                 guint               n_teeth,
                                 GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL, *object = NULL, *detail = NULL;
  OpPatient clean = { 0 };
  sqlite3_stmt *stmt = NULL;
  gint64 location_id, patient_id, case_id = 0;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (patient != NULL, 0);
  g_return_val_if_fail (teeth != NULL || n_teeth == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!op_store_check_patient (patient, error))
    return 0;
  if (n_teeth == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("teeth: a case needs at least one tooth"));
      return 0;
    }
  for (guint i = 0; i < n_teeth; i++)
    if (!op_fdi_is_valid (teeth[i].fdi) || op_fdi_is_primary (teeth[i].fdi) || teeth[i].bytes == NULL ||
        g_bytes_get_size (teeth[i].bytes) == 0)
      {
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                     _("%s: tooth %d is not a permanent FDI tooth or its file is empty"),
                     teeth[i].filename ? teeth[i].filename : "?", teeth[i].fdi);
        return 0;
      }

  clean.family_name = trimmed (patient->family_name);
  clean.given_name = trimmed (patient->given_name);
  clean.birth_date = trimmed (patient->birth_date);
  clean.chart_number = patient->chart_number && patient->chart_number[0] ? trimmed (patient->chart_number) : NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    goto out;
  location_id = op__store_ensure_location_locked (self, location ? location : "Main office", error);
  if (location_id == 0)
    goto rollback;
  patient_id = op__store_ensure_patient_locked (self, &clean, error);
  if (patient_id == 0)
    goto rollback;

  now = op__store_now ();
  stmt = op__store_prepare (self, "INSERT INTO cases (patient_id, location_id, status, created_at, updated_at) "
                                  "VALUES (?, ?, 'submitted', ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, location_id);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Creating the case failed"));
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  case_id = sqlite3_last_insert_rowid (self->db);

  stmt = op__store_prepare (self, "INSERT INTO teeth (case_id, fdi, jaw, filename, format, sha256, size, frame, "
                                  "created_at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  for (guint i = 0; i < n_teeth; i++)
    {
      gsize size = 0;
      const void *data = g_bytes_get_data (teeth[i].bytes, &size);
      g_autofree char *sha = sha256_of (data, size);
      g_autofree char *frame = teeth[i].has_frame ? op__store_frame_to_text (&teeth[i].frame) : NULL;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_int (stmt, 2, teeth[i].fdi);
      sqlite3_bind_text (stmt, 3, op_fdi_is_upper (teeth[i].fdi) ? "upper" : "lower", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, teeth[i].filename, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, format_name (teeth[i].format), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, sha, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 7, (gint64) size);
      if (frame)
        sqlite3_bind_text (stmt, 8, frame, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 8);
      sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob64 (stmt, 10, data, size, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          g_autofree char *what = g_strdup_printf (_("Storing tooth %d failed"), teeth[i].fdi);

          op__store_set_sql_error (self->db, error, what);
          goto rollback;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("patient:%" G_GINT64_FORMAT " location:%" G_GINT64_FORMAT " teeth=%u",
                            patient_id, location_id, n_teeth);
  if (!op__store_audit_locked (self, "case.create", object, detail, error))
    goto rollback;
  if (!op__store_commit (self, error))
    {
      case_id = 0;
      goto out;
    }
  goto out;

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  op__store_rollback (self);
  case_id = 0;
out:
  g_free (clean.family_name);
  g_free (clean.given_name);
  g_free (clean.birth_date);
  g_free (clean.chart_number);
  return case_id;
}

OpDentition *
op_store_load_teeth (OpStore       *self,
                     gint64         case_id,
                     GPtrArray     *filenames,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpDentition) dentition = op_dentition_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT fdi, filename, frame, bytes FROM teeth WHERE case_id = ? ORDER BY fdi",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int fdi = sqlite3_column_int (stmt, 0);
      const char *filename = (const char *) sqlite3_column_text (stmt, 1);
      const char *frame = (const char *) sqlite3_column_text (stmt, 2);
      g_autoptr(GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
      OpMesh *mesh = op_mesh_load_bytes (bytes, filename, NULL, NULL, cancellable, error);
      OpTooth *tooth;

      if (mesh == NULL)
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
      op_mesh_compute_bounds (mesh);
      tooth = op_tooth_new (fdi, mesh);
      if (frame != NULL && op__store_frame_from_text (frame, &tooth->frame))
        tooth->has_frame = TRUE;
      op_dentition_add (dentition, tooth);
      if (filenames)
        g_ptr_array_add (filenames, g_strdup (filename));
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the teeth failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  if (dentition->teeth->len == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("case %" G_GINT64_FORMAT ": no per-tooth meshes; import the teeth with "
                     "“case import-teeth”"), case_id);
      return NULL;
    }
  return g_steal_pointer (&dentition);
}

/* One state step inside the caller's transaction, audited like
 * op_store_set_case_state()'s, which cannot be called here: it takes the
 * lock and opens a transaction of its own. */
static gboolean
step_state_locked (OpStore      *self,
                   gint64        case_id,
                   OpCaseState   from,
                   OpCaseState   to,
                   int           version,
                   const char   *now,
                   GError      **error)
{
  g_autofree char *how = g_strdup_printf ("by plan v%d", version);

  return op__store_step_case_state_locked (self, case_id, from, to, how, now, error);
}

/* A stored plan makes a case "planned" where the state machine leads
 * there: from segmented directly, and from submitted through segmented
 * when the case has its per-tooth meshes (teeth imported one by one are
 * segmented teeth, and a plan was made from them).  Other states keep
 * theirs: a new version in review is reviewed where it is, and a case
 * with changes requested is moved on by the person who asked. */
static gboolean
advance_to_planned_locked (OpStore      *self,
                           gint64        case_id,
                           OpCaseState   state,
                           gboolean      has_teeth,
                           int           version,
                           const char   *now,
                           GError      **error)
{
  if (state == OP_CASE_STATE_SUBMITTED && has_teeth &&
      op_case_transition_allowed (OP_CASE_STATE_SUBMITTED, OP_CASE_STATE_SEGMENTED))
    {
      if (!step_state_locked (self, case_id, state, OP_CASE_STATE_SEGMENTED, version, now, error))
        return FALSE;
      state = OP_CASE_STATE_SEGMENTED;
    }
  if (state == OP_CASE_STATE_SEGMENTED && op_case_transition_allowed (state, OP_CASE_STATE_PLANNED))
    return step_state_locked (self, case_id, state, OP_CASE_STATE_PLANNED, version, now, error);
  return TRUE;
}

int
op_store_add_plan (OpStore     *self,
                   gint64       case_id,
                   int          parent_version,
                   const char  *parameters,
                   GBytes      *plan_json,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL, *sha = NULL, *object = NULL, *detail = NULL;
  sqlite3_stmt *stmt;
  const void *data;
  gsize size = 0;
  int version = 0;
  OpCaseState state = OP_CASE_STATE_SUBMITTED;
  gboolean has_state, has_teeth;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (plan_json != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  data = g_bytes_get_data (plan_json, &size);
  if (size == 0 || !g_utf8_validate (data, (gssize) size, NULL))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("plan: empty or not UTF-8 text"));
      return 0;
    }
  sha = sha256_of (data, size);
  now = op__store_now ();

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return 0;

  stmt = op__store_prepare (self, "SELECT (SELECT count(*) FROM cases WHERE id = ?1), "
                                  "ifnull((SELECT max(version) FROM plans WHERE case_id = ?1), 0), "
                                  "(SELECT status FROM cases WHERE id = ?1), "
                                  "(SELECT count(*) FROM teeth WHERE case_id = ?1)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      op__store_set_sql_error (self->db, error, _("Reading the plan versions failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("case %" G_GINT64_FORMAT " does not exist"),
                   case_id);
      sqlite3_finalize (stmt);
      goto rollback;
    }
  version = sqlite3_column_int (stmt, 1) + 1;
  has_state = op_case_state_from_string ((const char *) sqlite3_column_text (stmt, 2), &state);
  has_teeth = sqlite3_column_int64 (stmt, 3) > 0;
  /* The planner's rule: no new version once a case is approved (the
   * database's trigger from migration 004 holds the same line). */
  if (has_state && !op_case_state_accepts_plans (state))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("case %" G_GINT64_FORMAT " is %s: its plan cannot change; a change needs a new case"),
                   case_id, op_case_state_to_string (state));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);
  if (parent_version < 0 || parent_version >= version)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("plan: parent version %d does not exist for case %" G_GINT64_FORMAT), parent_version, case_id);
      goto rollback;
    }

  stmt = op__store_prepare (self, "INSERT INTO plans (case_id, version, parent_version, author, parameters, "
                                  "plan_json, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int (stmt, 2, version);
  if (parent_version > 0)
    sqlite3_bind_int (stmt, 3, parent_version);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, self->actor ? self->actor : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, parameters ? parameters : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, data, (int) size, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Storing the plan failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);

  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("plan v%d sha256:%s", version, sha);
  if (!op__store_audit_locked (self, "plan.create", object, detail, error))
    goto rollback;
  if (has_state && !advance_to_planned_locked (self, case_id, state, has_teeth, version, now, error))
    goto rollback;
  if (!op__store_commit (self, error))
    return 0;
  return version;

rollback:
  op__store_rollback (self);
  return 0;
}

static OpPlanRecord *
record_from_row (sqlite3_stmt *stmt)
{
  OpPlanRecord *r = g_new0 (OpPlanRecord, 1);

  r->case_id = sqlite3_column_int64 (stmt, 0);
  r->version = sqlite3_column_int (stmt, 1);
  r->parent_version = sqlite3_column_int (stmt, 2);
  r->author = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  r->parameters = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  r->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  r->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  return r;
}

GBytes *
op_store_get_plan (OpStore       *self,
                   gint64         case_id,
                   int            version,
                   OpPlanRecord **out_record,
                   GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  GBytes *bytes = NULL;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self,
                            "SELECT case_id, version, ifnull(parent_version, 0), author, parameters, sha256, "
                            "created_at, plan_json FROM plans WHERE case_id = ?1 AND "
                            "(version = ?2 OR (?2 = 0 AND version = (SELECT max(version) FROM plans "
                            "WHERE case_id = ?1)))", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int (stmt, 2, version);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      bytes = g_bytes_new (sqlite3_column_text (stmt, 7), sqlite3_column_bytes (stmt, 7));
      if (out_record)
        *out_record = record_from_row (stmt);
    }
  else if (rc == SQLITE_DONE)
    {
      if (version > 0)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("case %" G_GINT64_FORMAT " has no plan version %d"), case_id, version);
      else
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("case %" G_GINT64_FORMAT " has no plan yet; run “orthoplan-cli plan %" G_GINT64_FORMAT "”"),
                     case_id, case_id);
    }
  else
    op__store_set_sql_error (self->db, error, _("Reading the plan failed"));
  sqlite3_finalize (stmt);
  return bytes;
}

GPtrArray *
op_store_list_plans (OpStore  *self,
                     gint64    case_id,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_plan_record_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT case_id, version, ifnull(parent_version, 0), author, parameters, sha256, "
                                  "created_at FROM plans WHERE case_id = ? ORDER BY version", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, record_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the plans failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&out);
}
