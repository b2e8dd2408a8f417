/* op-store-registration.c: where each arch scan lies in a stored CBCT.
 *
 * Every alignment is a new row (migration 008); the latest one of a scan
 * is the one planning uses.  The scan and the volume must belong to the
 * same case, which the insert checks in the same transaction as its
 * audit entry.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "op-roots-registered.h"
#include "op-store-private.h"

void
op_registration_record_free (OpRegistrationRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->method);
  g_free (record->author);
  g_free (record->created_at);
  g_free (record);
}

gint64
op_store_add_registration (OpStore     *self,
                           gint64       scan_id,
                           gint64       volume_id,
                           const double matrix[16],
                           double       rms_mm,
                           const char  *method,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *text = NULL, *now = NULL, *object = NULL, *detail = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 case_id, id;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (matrix != NULL && method != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!g_str_equal (method, "automatic") && !g_str_equal (method, "points"))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("registration: method “%s” is neither automatic nor points"), method);
      return 0;
    }
  for (int i = 0; i < 16; i++)
    if (!isfinite (matrix[i]))
      {
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                     _("registration of scan %" G_GINT64_FORMAT ": matrix[%d] is not a number"), scan_id, i);
        return 0;
      }
  if (!isfinite (rms_mm) || rms_mm < 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("registration of scan %" G_GINT64_FORMAT ": the RMS error must be 0 mm or more"), scan_id);
      return 0;
    }

  text = op__store_matrix_to_text (matrix);
  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return 0;

  stmt = op__store_prepare (self, "SELECT s.case_id, v.case_id FROM scans s, volumes v WHERE s.id = ? AND v.id = ?",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  sqlite3_bind_int64 (stmt, 2, volume_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("registration: there is no scan %" G_GINT64_FORMAT " or no volume %" G_GINT64_FORMAT),
                   scan_id, volume_id);
      goto rollback;
    }
  case_id = sqlite3_column_int64 (stmt, 0);
  if (case_id != sqlite3_column_int64 (stmt, 1))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("registration: scan %" G_GINT64_FORMAT " and volume %" G_GINT64_FORMAT
                     " belong to different cases"), scan_id, volume_id);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  now = op__store_now ();
  stmt = op__store_prepare (self, "INSERT INTO registrations (case_id, scan_id, volume_id, matrix, rms_mm, method, "
                                  "author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, scan_id);
  sqlite3_bind_int64 (stmt, 3, volume_id);
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 5, rms_mm);
  sqlite3_bind_text (stmt, 6, method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, self->actor ? self->actor : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Storing the registration failed"));
      goto rollback;
    }
  id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  object = g_strdup_printf ("scan:%" G_GINT64_FORMAT, scan_id);
  detail = g_strdup_printf ("case %" G_GINT64_FORMAT ", volume %" G_GINT64_FORMAT ", %s, RMS %.3f mm",
                            case_id, volume_id, method, rms_mm);
  if (!op__store_audit_locked (self, "scan.register", object, detail, error))
    goto rollback;
  if (!op__store_commit (self, error))
    return 0;
  return id;

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  op__store_rollback (self);
  return 0;
}

OpRegistrationRecord *
op_store_get_registration (OpStore  *self,
                           gint64    scan_id,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpRegistrationRecord) r = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT id, case_id, scan_id, volume_id, matrix, rms_mm, method, author, created_at "
                                  "FROM registrations WHERE scan_id = ? ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("scan %" G_GINT64_FORMAT " has not been registered to a CBCT"), scan_id);
      else
        op__store_set_sql_error (self->db, error, _("Reading the registration failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  r = g_new0 (OpRegistrationRecord, 1);
  r->id = sqlite3_column_int64 (stmt, 0);
  r->case_id = sqlite3_column_int64 (stmt, 1);
  r->scan_id = sqlite3_column_int64 (stmt, 2);
  r->volume_id = sqlite3_column_int64 (stmt, 3);
  r->rms_mm = sqlite3_column_double (stmt, 5);
  r->method = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  r->author = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  r->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  if (!op__store_matrix_from_text ((const char *) sqlite3_column_text (stmt, 4), r->matrix))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("registration %" G_GINT64_FORMAT ": its matrix is not 16 numbers"), r->id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&r);
}

/* The newest registration of the case's arch scan for @jaw, if any. */
static OpRegistrationRecord *
latest_for_jaw (OpStore   *self,
                GPtrArray *scans,
                OpJaw      jaw,
                GError   **error)
{
  OpRegistrationRecord *best = NULL;

  for (guint i = 0; i < scans->len; i++)
    {
      OpScanRecord *scan = g_ptr_array_index (scans, i);
      g_autoptr(GError) local = NULL;
      OpRegistrationRecord *r;

      if (scan->jaw != jaw)
        continue;
      r = op_store_get_registration (self, scan->id, &local);
      if (r == NULL)
        {
          if (!g_error_matches (local, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              op_registration_record_free (best);
              return NULL;
            }
          continue;
        }
      if (best == NULL || r->id > best->id)
        {
          op_registration_record_free (best);
          best = r;
        }
      else
        op_registration_record_free (r);
    }
  return best;
}

void
op_case_cbct_free (OpCaseCbct *cbct)
{
  if (cbct == NULL)
    return;
  g_clear_pointer (&cbct->volume, op_volume_free);
  g_free (cbct);
}

/* The inverse of a rigid map (registrations are rigid). */
static void
rigid_inverse (const double m[16],
               double       out[16])
{
  memset (out, 0, 16 * sizeof (double));
  for (int r = 0; r < 3; r++)
    {
      for (int c = 0; c < 3; c++)
        out[c * 4 + r] = m[r * 4 + c];
      out[12 + r] = -(m[r * 4] * m[12] + m[r * 4 + 1] * m[13] + m[r * 4 + 2] * m[14]);
    }
  out[15] = 1;
}

OpCaseCbct *
op_store_load_case_cbct (OpStore  *self,
                         gint64    case_id,
                         GError  **error)
{
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(OpRegistrationRecord) upper = NULL;
  g_autoptr(OpRegistrationRecord) lower = NULL;
  OpRegistrationRecord *jaw[2];
  g_autoptr(GError) local = NULL;
  OpCaseCbct *cbct;
  int newest;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scans = op_store_list_scans (self, case_id, error);
  if (scans == NULL)
    return NULL;
  upper = latest_for_jaw (self, scans, OP_JAW_UPPER, &local);
  if (local == NULL)
    lower = latest_for_jaw (self, scans, OP_JAW_LOWER, &local);
  jaw[0] = upper;
  jaw[1] = lower;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (jaw[0] == NULL && jaw[1] == NULL)
    return NULL;

  /* One volume is read: the one of the newest registration.  An arch
   * registered only to an older volume is left out (it keeps the rule
   * without a CBCT) rather than reading a second volume. */
  newest = jaw[1] != NULL && (jaw[0] == NULL || jaw[1]->id > jaw[0]->id) ? 1 : 0;
  cbct = g_new0 (OpCaseCbct, 1);
  cbct->volume_id = jaw[newest]->volume_id;
  cbct->volume = op_store_get_volume (self, cbct->volume_id, error);
  if (cbct->volume == NULL)
    {
      op_case_cbct_free (cbct);
      return NULL;
    }
  for (int j = 0; j < 2; j++)
    if (jaw[j] != NULL && jaw[j]->volume_id == cbct->volume_id)
      {
        double back[16];

        cbct->registered[j] = TRUE;
        cbct->registration_id[j] = jaw[j]->id;
        memcpy (cbct->to_volume[j], jaw[j]->matrix, sizeof cbct->to_volume[j]);
        rigid_inverse (jaw[j]->matrix, back);
        op_volume_view (cbct->volume, back, &cbct->view[j]);
      }
  return cbct;
}

gboolean
op_case_cbct_grow_roots (const OpCaseCbct  *cbct,
                         OpDentition       *dentition,
                         char             **out_summary,
                         GError           **error)
{
  g_autofree char *grown = NULL, *templated = NULL;

  g_return_val_if_fail (cbct != NULL && dentition != NULL, FALSE);

  if (!op_roots_build_registered (dentition, cbct->volume,
                                  cbct->registered[0] ? cbct->to_volume[0] : NULL,
                                  cbct->registered[1] ? cbct->to_volume[1] : NULL,
                                  &grown, &templated, error))
    return FALSE;
  if (out_summary != NULL)
    *out_summary = g_strdup_printf ("roots from volume %" G_GINT64_FORMAT ": grown for %s; templates for %s",
                                    cbct->volume_id, grown ? grown : "none", templated ? templated : "none");
  return TRUE;
}

void
op_case_cbct_apply (const OpCaseCbct *cbct,
                    OpPlannerOptions *options)
{
  g_return_if_fail (options != NULL);

  for (int j = 0; j < 2; j++)
    options->bone[j] = cbct != NULL && cbct->registered[j] ? &cbct->view[j] : NULL;
}
