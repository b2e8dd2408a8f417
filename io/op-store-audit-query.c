/* op-store-audit-query.c: reading the audit log back, for the
 * administrator's audit view.
 *
 * Reading is a right of its own: the log names every person who signed in
 * and every case they looked at, so only a signed-in administrator may list
 * it.  The role is read from the users table inside the same read
 * transaction as the entries, as everywhere else in the store, so a caller
 * cannot claim a role it was not given.  (Verifying the chain stays open to
 * everyone: it reveals nothing but "intact" or the number of the first
 * broken entry.)
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-store-private.h"

void
op_audit_entry_free (OpAuditEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->time);
  g_free (entry->actor);
  g_free (entry->action);
  g_free (entry->object);
  g_free (entry->detail);
  g_free (entry->hash);
  g_free (entry);
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? text : "");
}

/* Whether the signed-in user of this connection may read the log; the
 * caller holds the lock and an open read transaction. */
static gboolean
check_reader_locked (OpStore  *self,
                     GError  **error)
{
  g_autoptr(OpStoreUserRow) row = NULL;

  if (self->user_id == 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                           _("Reading the audit log needs an administrator to sign in first"));
      return FALSE;
    }

  if (!(row = op__store_get_user_row_locked (self, NULL, self->user_id, error)))
    return FALSE;

  if (!op_role_has_right (row->user.role, OP_RIGHT_MANAGE, NULL))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   /* Translators: the login name, then the role. */
                   _("Only an administrator may read the audit log; %s is a %s"),
                   row->user.login, op_role_to_string (row->user.role));
      return FALSE;
    }

  return TRUE;
}

/* A bound must be a time as the log writes them, or a prefix of one (a
 * date): anything else would compare as text in surprising ways. */
static gboolean
check_bound (const char  *value,
             const char  *field,
             GError     **error)
{
  static const char pattern[] = "0000-00-00T00:00:00Z";
  gsize len;

  if (value == NULL)
    return TRUE;

  len = strlen (value);
  if (len >= 10 && len <= strlen (pattern))
    {
      gboolean ok = TRUE;

      for (gsize i = 0; ok && i < len; i++)
        ok = pattern[i] == '0' ? g_ascii_isdigit (value[i]) : value[i] == pattern[i];
      if (ok)
        return TRUE;
    }

  g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
               /* Translators: the filter field, then what was given. */
               _("%s: “%s” is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)"),
               field, value);
  return FALSE;
}

GPtrArray *
op_store_list_audit (OpStore              *self,
                     const OpAuditFilter  *filter,
                     GError              **error)
{
  static const OpAuditFilter no_filter = { 0 };
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) sql = NULL;
  g_autofree char *case_object = NULL;
  sqlite3_stmt *stmt;
  gboolean action_is_family;
  int n = 0;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter == NULL)
    filter = &no_filter;
  action_is_family = filter->action != NULL && g_str_has_suffix (filter->action, ".");

  if (!check_bound (filter->since, _("From"), error) ||
      !check_bound (filter->until, _("To"), error))
    return NULL;

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_exec (self, "BEGIN", error))
    return NULL;
  if (!check_reader_locked (self, error))
    {
      op__store_rollback (self);
      return NULL;
    }

  /* Every condition is written with a parameter so that what a person
   * typed in a filter is never read as SQL.  An action ending in '.'
   * matches its whole family ("user." for every sign-in and sign-out). */
  sql = g_string_new ("SELECT seq, time, actor, action, object, detail, hash FROM audit WHERE 1");
  if (filter->actor != NULL)
    g_string_append (sql, " AND actor = ?");
  if (filter->action != NULL)
    /* SQLite's LIKE would read '_' and '%' in what was typed as wildcards;
     * a prefix compared by its length has no such surprises. */
    g_string_append (sql, action_is_family
                          ? " AND substr (action, 1, ?) = ?"
                          : " AND action = ?");
  if (filter->case_id > 0)
    /* The case itself, and the scans and volumes stored with it, whose
     * entries name them rather than the case. */
    g_string_append (sql,
                     " AND (object = ?"
                     " OR object IN (SELECT 'scan:' || id FROM scans WHERE case_id = ?)"
                     " OR object IN (SELECT 'volume/' || id FROM volumes WHERE case_id = ?))");
  if (filter->since != NULL)
    g_string_append (sql, " AND time >= ?");
  if (filter->until != NULL)
    g_string_append (sql, " AND time < ?");
  g_string_append (sql, " ORDER BY seq DESC");
  if (filter->limit > 0)
    g_string_append_printf (sql, " LIMIT %u", filter->limit);

  if (!(stmt = op__store_prepare (self, sql->str, error)))
    {
      op__store_rollback (self);
      return NULL;
    }

  if (filter->actor != NULL)
    sqlite3_bind_text (stmt, ++n, filter->actor, -1, SQLITE_TRANSIENT);
  if (filter->action != NULL && action_is_family)
    sqlite3_bind_int64 (stmt, ++n, (sqlite3_int64) strlen (filter->action));
  if (filter->action != NULL)
    sqlite3_bind_text (stmt, ++n, filter->action, -1, SQLITE_TRANSIENT);
  if (filter->case_id > 0)
    {
      case_object = g_strdup_printf ("case:%" G_GINT64_FORMAT, filter->case_id);
      sqlite3_bind_text (stmt, ++n, case_object, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, ++n, filter->case_id);
      sqlite3_bind_int64 (stmt, ++n, filter->case_id);
    }
  if (filter->since != NULL)
    sqlite3_bind_text (stmt, ++n, filter->since, -1, SQLITE_TRANSIENT);
  if (filter->until != NULL)
    sqlite3_bind_text (stmt, ++n, filter->until, -1, SQLITE_TRANSIENT);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) op_audit_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OpAuditEntry *entry = g_new0 (OpAuditEntry, 1);

      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->time = dup_column (stmt, 1);
      entry->actor = dup_column (stmt, 2);
      entry->action = dup_column (stmt, 3);
      entry->object = dup_column (stmt, 4);
      entry->detail = dup_column (stmt, 5);
      entry->hash = dup_column (stmt, 6);
      g_ptr_array_add (entries, entry);
    }

  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Reading the audit log failed"));
      sqlite3_finalize (stmt);
      op__store_rollback (self);
      return NULL;
    }

  sqlite3_finalize (stmt);
  op__store_rollback (self);
  return g_steal_pointer (&entries);
}

/* The distinct values of one column, sorted, for a filter's choices. */
static char **
list_distinct (OpStore     *self,
               const char  *sql,
               GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_exec (self, "BEGIN", error))
    return NULL;
  if (!check_reader_locked (self, error) ||
      !(stmt = op__store_prepare (self, sql, error)))
    {
      op__store_rollback (self);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      if (text != NULL)
        g_strv_builder_add (builder, text);
    }

  if (rc != SQLITE_DONE)
    op__store_set_sql_error (self->db, error, _("Reading the audit log failed"));
  sqlite3_finalize (stmt);
  op__store_rollback (self);

  return rc == SQLITE_DONE ? g_strv_builder_end (builder) : NULL;
}

char **
op_store_list_audit_actors (OpStore  *self,
                            GError  **error)
{
  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_distinct (self, "SELECT DISTINCT actor FROM audit ORDER BY actor", error);
}

char **
op_store_list_audit_actions (OpStore  *self,
                             GError  **error)
{
  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_distinct (self, "SELECT DISTINCT action FROM audit ORDER BY action", error);
}
