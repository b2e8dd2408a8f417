/* op-store-audit.c: the hash-chained audit log.
 *
 * Each row's hash is the SHA-256 of a canonical text made of the previous
 * row's hash and the row's own fields, so changing, inserting or removing a
 * row in the middle breaks the chain from that row on.  The canonical form
 * writes every field as its length in bytes, a colon, the bytes and a
 * newline:
 *
 *   64:<prev_hash>\n <n>:<seq>\n <n>:<time>\n <n>:<actor>\n
 *   <n>:<action>\n <n>:<object>\n <n>:<detail>\n
 *
 * (without the spaces).  The length prefixes make the text unambiguous
 * even when a field holds a newline or a colon, so two different rows can
 * never hash the same text.  The first row's previous hash is 64 zeros.
 * This form is part of the file format: never change it, add a version
 * column instead.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

static void
append_field (GString    *s,
              const char *value)
{
  gsize len = strlen (value);

  g_string_append_printf (s, "%" G_GSIZE_FORMAT ":", len);
  g_string_append_len (s, value, (gssize) len);
  g_string_append_c (s, '\n');
}

char *
op__store_audit_hash (const char *prev_hash,
                      gint64      seq,
                      const char *time,
                      const char *actor,
                      const char *action,
                      const char *object,
                      const char *detail)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char seq_text[32];

  g_snprintf (seq_text, sizeof seq_text, "%" G_GINT64_FORMAT, seq);
  append_field (s, prev_hash);
  append_field (s, seq_text);
  append_field (s, time);
  append_field (s, actor);
  append_field (s, action);
  append_field (s, object);
  append_field (s, detail);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) s->str, s->len);
}

gboolean
op__store_audit_locked (OpStore     *self,
                        const char  *action,
                        const char  *object,
                        const char  *detail,
                        GError     **error)
{
  g_autofree char *prev_hash = NULL;
  g_autofree char *now = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  gint64 seq = 1;
  int rc;

  /* The caller's transaction (BEGIN IMMEDIATE) holds the write lock, so no
   * other connection can append between reading the tail and writing. */
  stmt = op__store_prepare (self, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      seq = sqlite3_column_int64 (stmt, 0) + 1;
      prev_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the audit log failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  if (prev_hash == NULL)
    prev_hash = g_strdup (OP__STORE_GENESIS_HASH);
  if (detail == NULL)
    detail = "";

  now = op__store_now ();
  hash = op__store_audit_hash (prev_hash, seq, now, self->actor, action, object, detail);

  stmt = op__store_prepare (self,
                            "INSERT INTO audit (seq, time, actor, action, object, detail, prev_hash, hash) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, self->actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, action, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, object, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, detail, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, prev_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Writing the audit log failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  return TRUE;
}

gboolean
op_store_audit (OpStore     *self,
                const char  *action,
                const char  *object,
                const char  *detail,
                GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (action != NULL && action[0] != '\0', FALSE);
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    return FALSE;
  if (!op__store_audit_locked (self, action, object, detail, error))
    {
      op__store_rollback (self);
      return FALSE;
    }
  return op__store_commit (self, error);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  /* A NULL can only come from someone editing the table by hand; hash it
   * as empty so the mismatch is reported rather than crashing. */
  return text != NULL ? text : "";
}

gboolean
op_store_verify_audit (OpStore  *self,
                       GError  **error)
{
  return op_store_verify_audit_report (self, NULL, NULL, error);
}

gboolean
op_store_verify_audit_report (OpStore  *self,
                              gint64   *out_n_good,
                              gint64   *out_first_broken,
                              GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *expected_prev = g_strdup (OP__STORE_GENESIS_HASH);
  sqlite3_stmt *stmt;
  gint64 expected_seq = 1;
  gboolean ok = TRUE;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  /* One read transaction, so that the chain is checked as one snapshot
   * even while another connection appends. */
  if (!op__store_exec (self, "BEGIN", error))
    return FALSE;

  stmt = op__store_prepare (self,
                            "SELECT seq, time, actor, action, object, detail, prev_hash, hash "
                            "FROM audit ORDER BY seq",
                            error);
  if (stmt == NULL)
    {
      op__store_rollback (self);
      return FALSE;
    }

  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *prev_hash = column_text (stmt, 6);
      const char *hash = column_text (stmt, 7);
      g_autofree char *computed = NULL;

      if (seq != expected_seq)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT,
                       _("The audit log is broken at entry %lld: entry %lld"
                         " is missing, so entries were removed after they were written"),
                       (long long) expected_seq, (long long) expected_seq);
          ok = FALSE;
          break;
        }

      if (strcmp (prev_hash, expected_prev) != 0)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT,
                       _("The audit log is broken at entry %lld"
                         ": it does not link to the entry before it, so the log was edited after it was written"),
                       (long long) seq);
          ok = FALSE;
          break;
        }

      computed = op__store_audit_hash (prev_hash, seq, column_text (stmt, 1), column_text (stmt, 2),
                                       column_text (stmt, 3), column_text (stmt, 4), column_text (stmt, 5));
      if (strcmp (computed, hash) != 0)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_AUDIT,
                       _("The audit log is broken at entry %lld"
                         " (%s %s): its contents no longer match its hash, so it was changed after it was written"),
                       (long long) seq, column_text (stmt, 3), column_text (stmt, 4));
          ok = FALSE;
          break;
        }

      g_free (expected_prev);
      expected_prev = g_strdup (hash);
      expected_seq++;
    }

  if (ok && rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the audit log failed"));
      ok = FALSE;
    }

  sqlite3_finalize (stmt);
  op__store_rollback (self);

  /* Every entry before expected_seq checked out; when the chain broke, it
   * broke at expected_seq (a missing entry or the entry with that number). */
  if (out_n_good != NULL)
    *out_n_good = expected_seq - 1;
  if (out_first_broken != NULL)
    *out_first_broken = ok ? 0 : expected_seq;
  return ok;
}
