/* op-store-segment.c: segmentation versions of a scan.
 *
 * Labels are stored as little-endian int32, one per vertex, so that a
 * database copied between machines reads the same; their sha256 is over
 * those bytes and is checked on every read.  Which labels are acceptable
 * (numbers of the scan's jaw) is the planner's rule (op_seg_labels_check);
 * this file only refuses to store what breaks it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "op-seg-edit.h"
#include "op-store-private.h"

const char *
op_segmentation_source_to_string (OpSegmentationSource source)
{
  return source == OP_SEGMENTATION_CORRECTED ? "corrected" : "automatic";
}

void
op_segmentation_record_free (OpSegmentationRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->author);
  g_free (record->note);
  g_free (record->labels_sha256);
  g_free (record->created_at);
  g_free (record->teeth);
  g_free (record);
}

static guint8 *
encode_labels (const gint32 *labels,
               gsize         n)
{
  guint8 *out = g_malloc (4 * MAX (n, 1));

  for (gsize v = 0; v < n; v++)
    {
      guint32 le = GUINT32_TO_LE ((guint32) labels[v]);
      memcpy (out + 4 * v, &le, 4);
    }
  return out;
}

/* The checks that need no database: labels of the jaw, at least one tooth,
 * and exactly one confidence in 0-1 per tooth present. */
static gboolean
check_input (const OpSegmentationInput *in,
             GError                   **error)
{
  g_autoptr(GError) local = NULL;
  int fdi[100];
  guint n_teeth;

  if (in->labels == NULL || in->n_vertices == 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("segmentation: no labels given"));
      return FALSE;
    }
  if (!op_seg_labels_check (in->labels, in->n_vertices, in->upper, &local))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("segmentation: %s"), local->message);
      return FALSE;
    }
  n_teeth = op_seg_labels_teeth (in->labels, in->n_vertices, fdi, NULL, G_N_ELEMENTS (fdi));
  if (n_teeth == 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("segmentation: the labels name no tooth; there is nothing to store"));
      return FALSE;
    }
  for (guint i = 0; i < in->n_teeth; i++)
    {
      gboolean present = FALSE;

      for (guint j = 0; j < n_teeth; j++)
        present |= fdi[j] == in->teeth[i].fdi;
      if (!present)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                       _("segmentation: a confidence is given for tooth %d, which no vertex carries"), in->teeth[i].fdi);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (in->teeth[j].fdi == in->teeth[i].fdi)
          {
            g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                         _("segmentation: tooth %d has two confidences"), in->teeth[i].fdi);
            return FALSE;
          }
      if (!(in->teeth[i].confidence >= 0.f && in->teeth[i].confidence <= 1.f))
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                       _("segmentation: the confidence of tooth %d is %g, outside 0-1"), in->teeth[i].fdi,
                       (double) in->teeth[i].confidence);
          return FALSE;
        }
    }
  /* Every tooth listed is present and none twice; so equal counts mean
   * every present tooth has its confidence. */
  if (in->n_teeth != n_teeth)
    {
      for (guint j = 0; j < n_teeth; j++)
        {
          gboolean listed = FALSE;
          for (guint i = 0; i < in->n_teeth; i++)
            listed |= in->teeth[i].fdi == fdi[j];
          if (!listed)
            {
              g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("segmentation: tooth %d has no confidence"), fdi[j]);
              return FALSE;
            }
        }
    }
  if (in->source == OP_SEGMENTATION_CORRECTED && in->parent_version <= 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("segmentation: a corrected version must name the version it corrects"));
      return FALSE;
    }
  if (in->parent_version < 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("segmentation: parent version %d does not exist"), in->parent_version);
      return FALSE;
    }
  return TRUE;
}

static gboolean
step_to_segmented_locked (OpStore     *self,
                          gint64       case_id,
                          int          version,
                          const char  *now,
                          GError     **error)
{
  g_autofree char *how = g_strdup_printf ("by segmentation v%d", version);

  return op__store_step_case_state_locked (self, case_id, OP_CASE_STATE_SUBMITTED, OP_CASE_STATE_SEGMENTED,
                                           how, now, error);
}

int
op_store_add_segmentation (OpStore                   *self,
                           gint64                     scan_id,
                           const OpSegmentationInput *input,
                           GError                   **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL, *sha = NULL, *object = NULL, *detail = NULL, *jaw = NULL, *status = NULL;
  g_autofree guint8 *blob = NULL;
  int fdi[100];
  gsize counts[100];
  guint n_teeth;
  sqlite3_stmt *stmt = NULL;
  gint64 case_id, scan_vertices, seg_id;
  int version;
  OpCaseState state;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (input != NULL, 0);
  g_return_val_if_fail (input->teeth != NULL || input->n_teeth == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_input (input, error))
    return 0;
  n_teeth = op_seg_labels_teeth (input->labels, input->n_vertices, fdi, counts, G_N_ELEMENTS (fdi));
  blob = encode_labels (input->labels, input->n_vertices);
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, blob, 4 * input->n_vertices);
  now = op__store_now ();

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return 0;

  stmt = op__store_prepare (self, "SELECT s.case_id, s.jaw, s.n_vertices, c.status, "
                                  "ifnull((SELECT max(version) FROM segmentations WHERE scan_id = s.id), 0) "
                                  "FROM scans s JOIN cases c ON c.id = s.case_id WHERE s.id = ?", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                   _("scan %" G_GINT64_FORMAT " does not exist"), scan_id);
      goto rollback;
    }
  case_id = sqlite3_column_int64 (stmt, 0);
  jaw = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  scan_vertices = sqlite3_column_int64 (stmt, 2);
  status = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  version = sqlite3_column_int (stmt, 4) + 1;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!op_case_state_from_string (status, &state) || !op_case_state_accepts_scans (state))
    {
      /* Labels are what the teeth of a plan are cut from: changing them
       * under a plan in review or approved would change what was signed. */
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("case %" G_GINT64_FORMAT " is %s: its segmentation can no longer change"), case_id, status);
      goto rollback;
    }
  if (g_strcmp0 (jaw, input->upper ? "upper" : "lower") != 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("segmentation: labels of the %s jaw given for scan %" G_GINT64_FORMAT ", which is the %s one"),
                   input->upper ? "upper" : "lower", scan_id, jaw);
      goto rollback;
    }
  if (scan_vertices > 0 && (gint64) input->n_vertices != scan_vertices)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("segmentation: %" G_GSIZE_FORMAT " labels given for scan %" G_GINT64_FORMAT
                     ", which has %" G_GINT64_FORMAT " vertices"), input->n_vertices, scan_id, scan_vertices);
      goto rollback;
    }
  if (input->parent_version >= version)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("segmentation: parent version %d does not exist for scan %" G_GINT64_FORMAT),
                   input->parent_version, scan_id);
      goto rollback;
    }

  stmt = op__store_prepare (self, "INSERT INTO segmentations (scan_id, version, parent_version, source, author, jaw, "
                                  "n_vertices, note, labels_sha256, created_at, labels) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  sqlite3_bind_int (stmt, 2, version);
  if (input->parent_version > 0)
    sqlite3_bind_int (stmt, 3, input->parent_version);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, op_segmentation_source_to_string (input->source), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, self->actor ? self->actor : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, input->upper ? "upper" : "lower", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, (gint64) input->n_vertices);
  sqlite3_bind_text (stmt, 8, input->note ? input->note : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 11, blob, 4 * input->n_vertices, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Storing the segmentation failed"));
      goto rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  seg_id = sqlite3_last_insert_rowid (self->db);

  stmt = op__store_prepare (self, "INSERT INTO segmentation_teeth (segmentation_id, fdi, confidence, n_vertices) "
                                  "VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  for (guint j = 0; j < n_teeth; j++)
    {
      float conf = 0.f;
      for (guint i = 0; i < input->n_teeth; i++)
        if (input->teeth[i].fdi == fdi[j])
          conf = input->teeth[i].confidence;
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, seg_id);
      sqlite3_bind_int (stmt, 2, fdi[j]);
      sqlite3_bind_double (stmt, 3, conf);
      sqlite3_bind_int64 (stmt, 4, (gint64) counts[j]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          op__store_set_sql_error (self->db, error, _("Storing the segmentation's teeth failed"));
          goto rollback;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  object = g_strdup_printf ("scan:%" G_GINT64_FORMAT, scan_id);
  if (input->parent_version > 0)
    detail = g_strdup_printf ("segmentation v%d %s from v%d, %u teeth, sha256:%s%s%s", version,
                              op_segmentation_source_to_string (input->source), input->parent_version, n_teeth, sha,
                              input->note && *input->note ? ": " : "", input->note ? input->note : "");
  else
    detail = g_strdup_printf ("segmentation v%d %s, %u teeth, sha256:%s%s%s", version,
                              op_segmentation_source_to_string (input->source), n_teeth, sha,
                              input->note && *input->note ? ": " : "", input->note ? input->note : "");
  if (!op__store_audit_locked (self, "segmentation.create", object, detail, error))
    goto rollback;
  if (state == OP_CASE_STATE_SUBMITTED && op_case_transition_allowed (state, OP_CASE_STATE_SEGMENTED) &&
      !step_to_segmented_locked (self, case_id, version, now, error))
    goto rollback;
  if (!op__store_commit (self, error))
    return 0;
  return version;

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  op__store_rollback (self);
  return 0;
}

int
op_store_add_automatic_segmentation (OpStore              *self,
                                     gint64                scan_id,
                                     const OpSegmentation *seg,
                                     GError              **error)
{
  guint n_teeth;
  g_autofree int *fdi = NULL;
  g_autofree OpSegmentationTooth *teeth = NULL;
  g_autoptr(GString) note = g_string_new ("automatic");
  OpSegmentationInput in = { 0 };

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (seg != NULL && seg->dentition != NULL, 0);

  n_teeth = op_seg_labels_teeth (seg->labels, seg->n_vertices, NULL, NULL, 0);
  fdi = g_new (int, MAX (n_teeth, 1));
  teeth = g_new0 (OpSegmentationTooth, MAX (n_teeth, 1));
  op_seg_labels_teeth (seg->labels, seg->n_vertices, fdi, NULL, n_teeth);
  for (guint i = 0; i < n_teeth; i++)
    {
      teeth[i].fdi = fdi[i];
      /* A label with no tooth of the dentition behind it was not numbered
       * with any confidence. */
      for (guint j = 0; j < seg->dentition->teeth->len; j++)
        {
          const OpTooth *t = g_ptr_array_index (seg->dentition->teeth, j);
          if (t->fdi == fdi[i])
            teeth[i].confidence = CLAMP (t->confidence, 0.f, 1.f);
        }
    }
  for (guint i = 0; i < seg->warnings->len; i++)
    g_string_append_printf (note, "%s%s", i == 0 ? ": " : "; ", (const char *) g_ptr_array_index (seg->warnings, i));
  in.source = OP_SEGMENTATION_AUTOMATIC;
  in.upper = seg->upper;
  in.labels = seg->labels;
  in.n_vertices = seg->n_vertices;
  in.teeth = teeth;
  in.n_teeth = n_teeth;
  in.note = note->str;
  return op_store_add_segmentation (self, scan_id, &in, error);
}

#define RECORD_COLUMNS \
  "g.id, g.scan_id, s.case_id, g.version, ifnull(g.parent_version, 0), g.source, g.author, g.jaw, " \
  "g.n_vertices, g.note, g.labels_sha256, g.created_at"

static OpSegmentationRecord *
record_from_row (sqlite3_stmt *stmt)
{
  OpSegmentationRecord *r = g_new0 (OpSegmentationRecord, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->scan_id = sqlite3_column_int64 (stmt, 1);
  r->case_id = sqlite3_column_int64 (stmt, 2);
  r->version = sqlite3_column_int (stmt, 3);
  r->parent_version = sqlite3_column_int (stmt, 4);
  r->source = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 5), "corrected") == 0
                ? OP_SEGMENTATION_CORRECTED : OP_SEGMENTATION_AUTOMATIC;
  r->author = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  r->upper = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 7), "upper") == 0;
  r->n_vertices = (gsize) sqlite3_column_int64 (stmt, 8);
  r->note = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  r->labels_sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  r->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  return r;
}

/* Reads the teeth rows of @r; the caller holds the lock. */
static gboolean
load_teeth_locked (OpStore              *self,
                   OpSegmentationRecord *r,
                   GError              **error)
{
  g_autoptr(GArray) teeth = g_array_new (FALSE, TRUE, sizeof (OpSegmentationTooth));
  sqlite3_stmt *stmt;
  int rc;

  stmt = op__store_prepare (self, "SELECT fdi, confidence, n_vertices FROM segmentation_teeth "
                                  "WHERE segmentation_id = ? ORDER BY fdi", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OpSegmentationTooth t = {
        .fdi = sqlite3_column_int (stmt, 0),
        .confidence = (float) sqlite3_column_double (stmt, 1),
        .n_vertices = (gsize) sqlite3_column_int64 (stmt, 2),
      };
      g_array_append_val (teeth, t);
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the segmentation's teeth failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  r->n_teeth = teeth->len;
  r->teeth = (OpSegmentationTooth *) g_array_free (g_steal_pointer (&teeth), FALSE);
  return TRUE;
}

gint32 *
op_store_get_segmentation (OpStore                *self,
                           gint64                  scan_id,
                           int                     version,
                           gsize                  *out_n,
                           OpSegmentationRecord  **out_record,
                           GError                **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpSegmentationRecord) record = NULL;
  g_autofree char *sha = NULL;
  sqlite3_stmt *stmt;
  const guint8 *blob;
  gsize size;
  gint32 *labels;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (out_n != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT " RECORD_COLUMNS ", g.labels FROM segmentations g "
                                  "JOIN scans s ON s.id = g.scan_id WHERE g.scan_id = ?1 AND "
                                  "(?2 > 0 AND g.version = ?2 OR ?2 <= 0) ORDER BY g.version DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  sqlite3_bind_int (stmt, 2, version);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (version > 0)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("scan %" G_GINT64_FORMAT " has no segmentation version %d"), scan_id, version);
      else
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("scan %" G_GINT64_FORMAT " has no segmentation yet"), scan_id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  record = record_from_row (stmt);
  blob = sqlite3_column_blob (stmt, 12);
  size = (gsize) sqlite3_column_bytes (stmt, 12);
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, blob ? blob : (const guint8 *) "", size);
  if (size != 4 * record->n_vertices || g_strcmp0 (sha, record->labels_sha256) != 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("segmentation v%d of scan %" G_GINT64_FORMAT ": the stored labels do not match their sha256"),
                   record->version, scan_id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  labels = g_new (gint32, MAX (record->n_vertices, 1));
  for (gsize v = 0; v < record->n_vertices; v++)
    {
      guint32 le;
      memcpy (&le, blob + 4 * v, 4);
      labels[v] = (gint32) GUINT32_FROM_LE (le);
    }
  sqlite3_finalize (stmt);
  if (out_record && !load_teeth_locked (self, record, error))
    {
      g_free (labels);
      return NULL;
    }
  *out_n = record->n_vertices;
  if (out_record)
    *out_record = g_steal_pointer (&record);
  return labels;
}

GPtrArray *
op_store_list_segmentations (OpStore  *self,
                             gint64    scan_id,
                             GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_segmentation_record_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self, "SELECT " RECORD_COLUMNS " FROM segmentations g JOIN scans s ON s.id = g.scan_id "
                                  "WHERE g.scan_id = ? ORDER BY g.version", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, scan_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, record_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the segmentation versions failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < out->len; i++)
    if (!load_teeth_locked (self, g_ptr_array_index (out, i), error))
      return NULL;
  return g_steal_pointer (&out);
}
