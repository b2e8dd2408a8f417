/* op-store-teeth.c: adding per-tooth meshes to a case that already exists.
 *
 * op_store_create_case_from_teeth() makes a case out of teeth; a case that
 * began with arch scans (the demo case, a case segmented later) gets its
 * teeth here, into the same table and in the same row format, so that
 * op_store_load_teeth() reads both alike.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

gint64
op_store_count_teeth (OpStore  *self,
                      gint64    case_id,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_return_val_if_fail (OP_IS_STORE (self), -1);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT count(*) FROM teeth WHERE case_id = ?", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    op__store_set_sql_error (self->db, error, _("Counting the teeth failed"));
  sqlite3_finalize (stmt);
  return n;
}

gboolean
op_store_add_teeth (OpStore            *self,
                    gint64              case_id,
                    const OpToothInput *teeth,
                    guint               n_teeth,
                    GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL, *object = NULL, *detail = NULL;
  sqlite3_stmt *stmt = NULL;
  OpCaseState state;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (teeth != NULL || n_teeth == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_teeth == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("teeth: give at least one tooth"));
      return FALSE;
    }
  for (guint i = 0; i < n_teeth; i++)
    {
      if (!op_fdi_is_valid (teeth[i].fdi) || op_fdi_is_primary (teeth[i].fdi) || teeth[i].bytes == NULL ||
          g_bytes_get_size (teeth[i].bytes) == 0 || teeth[i].filename == NULL)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                       _("%s: tooth %d is not a permanent FDI tooth, or its file is empty or unnamed"),
                       teeth[i].filename ? teeth[i].filename : "?", teeth[i].fdi);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (teeth[j].fdi == teeth[i].fdi)
          {
            g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                         _("%s: tooth %d is given twice"), teeth[i].filename, teeth[i].fdi);
            return FALSE;
          }
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;

  stmt = op__store_prepare (self, "SELECT status, (SELECT count(*) FROM teeth WHERE case_id = ?1) "
                                  "FROM cases WHERE id = ?1", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("case %" G_GINT64_FORMAT " does not exist"), case_id);
      goto rollback;
    }
  if (!op_case_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state) ||
      !op_case_state_accepts_scans (state))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("case %" G_GINT64_FORMAT " is %s: it takes no new teeth"), case_id,
                   (const char *) sqlite3_column_text (stmt, 0));
      goto rollback;
    }
  if (sqlite3_column_int64 (stmt, 1) > 0)
    {
      /* Teeth are what plans were made from: replacing them under a plan
       * would make its stored versions describe other teeth. */
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE,
                   _("case %" G_GINT64_FORMAT " already has its teeth"), case_id);
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  now = op__store_now ();
  stmt = op__store_prepare (self, "INSERT INTO teeth (case_id, fdi, jaw, filename, format, sha256, size, frame, "
                                  "created_at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  for (guint i = 0; i < n_teeth; i++)
    {
      gsize size = 0;
      const void *data = g_bytes_get_data (teeth[i].bytes, &size);
      g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
      g_autofree char *frame = teeth[i].has_frame ? op__store_frame_to_text (&teeth[i].frame) : NULL;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_int (stmt, 2, teeth[i].fdi);
      sqlite3_bind_text (stmt, 3, op_fdi_is_upper (teeth[i].fdi) ? "upper" : "lower", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, teeth[i].filename, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, op_mesh_format_to_string (teeth[i].format), -1, SQLITE_STATIC);
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
  detail = g_strdup_printf ("teeth=%u", n_teeth);
  if (!op__store_audit_locked (self, "case.add-teeth", object, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  op__store_rollback (self);
  return FALSE;
}
