/* op-store-volume.c: CT/CBCT volumes in the case store.
 *
 * A volume is one row in `volumes` and one row per k plane in
 * `volume_planes` (migration 005 says why), written in one transaction with
 * its audit row, under self->lock (see op-store-private.h).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

void
op_volume_record_free (OpVolumeRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->series_uid);
  g_free (r->description);
  g_free (r->modality);
  g_free (r->corrections);
  g_free (r->patient_name);
  g_free (r->patient_id);
  g_free (r->birth_date);
  g_free (r->sex);
  g_free (r->identity_warning);
  g_free (r->voxels_sha256);
  g_free (r->created_at);
  g_free (r);
}

/* Voxels are stored little-endian whatever the machine. */
static void
plane_to_le (const gint16 *in,
             gint16       *out,
             gsize         n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = GINT16_TO_LE (in[i]);
}

static char *
voxels_sha256 (const OpVolume *v)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize plane = (gsize) v->dims[0] * v->dims[1];
  g_autofree gint16 *le = g_new (gint16, plane);

  for (int k = 0; k < v->dims[2]; k++)
    {
      plane_to_le (v->voxels + (gsize) k * plane, le, plane);
      g_checksum_update (sum, (const guchar *) le, plane * sizeof (gint16));
    }
  return g_strdup (g_checksum_get_string (sum));
}

char *
op__store_matrix_to_text (const double m[16])
{
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Shortest round-trip text, locale-independent. */
  for (int i = 0; i < 16; i++)
    {
      g_ascii_dtostr (buf, sizeof buf, m[i]);
      g_string_append_printf (s, "%s%s", i ? " " : "", buf);
    }
  return g_string_free (s, FALSE);
}

gboolean
op__store_matrix_from_text (const char *text,
                            double      m[16])
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", " ", -1);

  if (g_strv_length (parts) != 16)
    return FALSE;
  for (int i = 0; i < 16; i++)
    {
      char *end = NULL;

      m[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0')
        return FALSE;
    }
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt, int col, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

gint64
op_store_add_volume (OpStore             *self,
                     gint64               case_id,
                     const OpVolume      *volume,
                     const OpVolumeInput *in,
                     GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *sha = NULL, *transform = NULL, *now = NULL, *detail = NULL, *object = NULL;
  g_autofree gint16 *le = NULL;
  sqlite3_stmt *stmt = NULL;
  gsize plane;
  gint64 id = 0;
  OpCaseState state;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (volume != NULL && volume->voxels != NULL && in != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (in->series_uid == NULL || in->n_images == 0 ||
      in->source_sha256 == NULL || strlen (in->source_sha256) != 64)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("volume: the series UID, image count and source sha256 are required"));
      return 0;
    }

  sha = voxels_sha256 (volume);
  transform = op__store_matrix_to_text (volume->transform);
  plane = (gsize) volume->dims[0] * volume->dims[1];
  le = g_new (gint16, plane);

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return 0;

  stmt = op__store_prepare (self, "SELECT status FROM cases WHERE id = ?", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("There is no case %lld in this database"), (long long) case_id);
      goto rollback;
    }
  if (!op_case_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state) ||
      !op_case_state_accepts_scans (state))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("volume %s: case %lld is %s; a CBCT can no longer be added once a plan is in review, "
                     "approved, posted or archived"),
                   in->series_uid, (long long) case_id, (const char *) sqlite3_column_text (stmt, 0));
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  now = op__store_now ();
  stmt = op__store_prepare (self,
                            "INSERT INTO volumes (case_id, series_uid, study_uid, description, modality, n_images, "
                            "dim_i, dim_j, dim_k, spacing_i, spacing_j, spacing_k, transform, slope, intercept, "
                            "threshold, factor, tilt_deg, corrections, patient_name, patient_id, birth_date, sex, "
                            "identity_warning, source_sha256, voxels_sha256, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_text (stmt, 2, in->series_uid, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, in->study_uid);
  bind_text_or_null (stmt, 4, in->description);
  bind_text_or_null (stmt, 5, in->modality);
  sqlite3_bind_int (stmt, 6, (int) in->n_images);
  for (int a = 0; a < 3; a++)
    {
      sqlite3_bind_int (stmt, 7 + a, volume->dims[a]);
      sqlite3_bind_double (stmt, 10 + a, volume->spacing[a]);
    }
  sqlite3_bind_text (stmt, 13, transform, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 14, volume->slope);
  sqlite3_bind_double (stmt, 15, volume->intercept);
  sqlite3_bind_int (stmt, 16, in->threshold);
  sqlite3_bind_int (stmt, 17, in->factor == 2 ? 2 : 1);
  sqlite3_bind_double (stmt, 18, in->tilt_deg);
  sqlite3_bind_text (stmt, 19, in->corrections ? in->corrections : "", -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 20, in->patient_name);
  bind_text_or_null (stmt, 21, in->patient_id);
  bind_text_or_null (stmt, 22, in->birth_date);
  bind_text_or_null (stmt, 23, in->sex);
  sqlite3_bind_text (stmt, 24, in->identity_warning ? in->identity_warning : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 25, in->source_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 26, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 27, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Storing the volume failed"));
      goto rollback;
    }
  id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = op__store_prepare (self, "INSERT INTO volume_planes (volume_id, k, voxels) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  for (int k = 0; k < volume->dims[2]; k++)
    {
      plane_to_le (volume->voxels + (gsize) k * plane, le, plane);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, k);
      sqlite3_bind_blob64 (stmt, 3, le, plane * sizeof (gint16), SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          op__store_set_sql_error (self->db, error, _("Storing the volume's voxels failed"));
          goto rollback;
        }
      sqlite3_reset (stmt);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  object = g_strdup_printf ("volume/%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("case %" G_GINT64_FORMAT ", series %s, %d x %d x %d%s%s", case_id, in->series_uid,
                            volume->dims[0], volume->dims[1], volume->dims[2],
                            in->identity_warning && *in->identity_warning ? ", identity warning: " : "",
                            in->identity_warning ? in->identity_warning : "");
  if (!op__store_audit_locked (self, "volume.add", object, detail, error))
    goto rollback;
  if (!op__store_commit (self, error))
    return 0;
  return id;

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  op__store_rollback (self);
  return 0;
}

static char *
dup_col (sqlite3_stmt *stmt, int col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

GPtrArray *
op_store_list_volumes (OpStore  *self,
                       gint64    case_id,
                       GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_volume_record_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self,
                            "SELECT id, case_id, series_uid, description, modality, n_images, dim_i, dim_j, dim_k, "
                            "spacing_i, spacing_j, spacing_k, threshold, factor, tilt_deg, corrections, "
                            "patient_name, patient_id, birth_date, sex, identity_warning, voxels_sha256, created_at "
                            "FROM volumes WHERE case_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OpVolumeRecord *r = g_new0 (OpVolumeRecord, 1);

      r->id = sqlite3_column_int64 (stmt, 0);
      r->case_id = sqlite3_column_int64 (stmt, 1);
      r->series_uid = dup_col (stmt, 2);
      r->description = dup_col (stmt, 3);
      r->modality = dup_col (stmt, 4);
      r->n_images = sqlite3_column_int (stmt, 5);
      for (int a = 0; a < 3; a++)
        {
          r->dims[a] = sqlite3_column_int (stmt, 6 + a);
          r->spacing[a] = sqlite3_column_double (stmt, 9 + a);
        }
      r->threshold = sqlite3_column_int (stmt, 12);
      r->factor = sqlite3_column_int (stmt, 13);
      r->tilt_deg = sqlite3_column_double (stmt, 14);
      r->corrections = dup_col (stmt, 15);
      r->patient_name = dup_col (stmt, 16);
      r->patient_id = dup_col (stmt, 17);
      r->birth_date = dup_col (stmt, 18);
      r->sex = dup_col (stmt, 19);
      r->identity_warning = dup_col (stmt, 20);
      r->voxels_sha256 = dup_col (stmt, 21);
      r->created_at = dup_col (stmt, 22);
      g_ptr_array_add (out, r);
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the volumes failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&out);
}

OpVolume *
op_store_get_volume (OpStore  *self,
                     gint64    volume_id,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpVolume) vol = NULL;
  g_autofree char *expected = NULL, *actual = NULL;
  sqlite3_stmt *stmt;
  double spacing[3], transform[16];
  int dims[3], n_planes = 0, rc;
  gsize plane;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self,
                            "SELECT dim_i, dim_j, dim_k, spacing_i, spacing_j, spacing_k, transform, slope, "
                            "intercept, voxels_sha256 FROM volumes WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, volume_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("There is no volume %lld in this database"), (long long) volume_id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  for (int a = 0; a < 3; a++)
    {
      dims[a] = sqlite3_column_int (stmt, a);
      spacing[a] = sqlite3_column_double (stmt, 3 + a);
    }
  if (!op__store_matrix_from_text ((const char *) sqlite3_column_text (stmt, 6), transform))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("volume %lld: its transform is not 16 numbers"), (long long) volume_id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  vol = op_volume_new (dims[0], dims[1], dims[2], spacing);
  if (vol == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("volume %lld: %d × %d × %d voxels do not fit in memory"), (long long) volume_id,
                   dims[0], dims[1], dims[2]);
      sqlite3_finalize (stmt);
      return NULL;
    }
  memcpy (vol->transform, transform, sizeof transform);
  vol->slope = sqlite3_column_double (stmt, 7);
  vol->intercept = sqlite3_column_double (stmt, 8);
  expected = dup_col (stmt, 9);
  sqlite3_finalize (stmt);

  plane = (gsize) dims[0] * dims[1];
  stmt = op__store_prepare (self, "SELECT k, voxels FROM volume_planes WHERE volume_id = ? ORDER BY k", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, volume_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int k = sqlite3_column_int (stmt, 0);
      const gint16 *blob = sqlite3_column_blob (stmt, 1);

      if (k != n_planes || (gsize) sqlite3_column_bytes (stmt, 1) != plane * sizeof (gint16) || blob == NULL)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                       _("volume %lld: plane %d is missing or has the wrong size"), (long long) volume_id, n_planes);
          sqlite3_finalize (stmt);
          return NULL;
        }
      for (gsize i = 0; i < plane; i++)
        {
          gint16 v;

          memcpy (&v, blob + i, sizeof v);
          vol->voxels[(gsize) k * plane + i] = GINT16_FROM_LE (v);
        }
      n_planes++;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || n_planes != dims[2])
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("volume %lld: %d of %d planes found"), (long long) volume_id, n_planes, dims[2]);
      return NULL;
    }
  actual = voxels_sha256 (vol);
  if (g_strcmp0 (actual, expected) != 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("volume %lld: the voxels do not match their sha256; the database was changed outside Orthoplan"),
                   (long long) volume_id);
      return NULL;
    }
  return g_steal_pointer (&vol);
}
