/* op-store-user.c: users, passwords, sign-in and its throttling.
 *
 * The rules (password policy, who may add users, how long to wait after
 * wrong passwords) come from planner/op-case; this file enforces them in
 * the database.  Argon2id runs outside any transaction, so the write lock
 * is never held for the fraction of a second a hash takes.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-sign.h"
#include "op-store-private.h"

/* Failure times keep microseconds: a wait of 2 s measured from a time
 * rounded down to the second could be over almost at once. */
#define FAILURE_TIME_FORMAT "%Y-%m-%dT%H:%M:%S.%fZ"

void
op_user_free (OpUser *user)
{
  if (user == NULL)
    return;
  g_free (user->login);
  g_free (user->name);
  g_free (user->npi);
  g_free (user->fingerprint);
  g_free (user->created_at);
  g_free (user);
}

static void
user_clear (OpUser *user)
{
  g_clear_pointer (&user->login, g_free);
  g_clear_pointer (&user->name, g_free);
  g_clear_pointer (&user->npi, g_free);
  g_clear_pointer (&user->fingerprint, g_free);
  g_clear_pointer (&user->created_at, g_free);
}

static OpUser *
user_copy (const OpUser *user)
{
  OpUser *copy = g_new0 (OpUser, 1);

  copy->id = user->id;
  copy->login = g_strdup (user->login);
  copy->name = g_strdup (user->name);
  copy->role = user->role;
  copy->npi = g_strdup (user->npi);
  copy->fingerprint = g_strdup (user->fingerprint);
  copy->created_at = g_strdup (user->created_at);
  copy->failed_attempts = user->failed_attempts;
  return copy;
}

void
op__store_user_row_free (OpStoreUserRow *row)
{
  if (row == NULL)
    return;
  user_clear (&row->user);
  g_free (row->password_hash);
  g_clear_pointer (&row->public_key, g_bytes_unref);
  g_clear_pointer (&row->key_salt, g_bytes_unref);
  g_clear_pointer (&row->secret_key, g_bytes_unref);
  g_free (row->last_failure_at);
  g_free (row);
}

static GBytes *
column_blob (sqlite3_stmt *stmt,
             int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int len = sqlite3_column_bytes (stmt, column);

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (data, (gsize) len);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

#define USER_COLUMNS \
  "id, login, name, role, npi, created_at, failed_attempts, " \
  "password_hash, public_key, key_salt, secret_key, last_failure_at"

/* Reads one row of USER_COLUMNS; FALSE with OP_STORE_ERROR_SCHEMA when the
 * role is one this build does not know. */
static gboolean
read_user_row (sqlite3_stmt    *stmt,
               OpStoreUserRow  *row,
               GError         **error)
{
  const char *role = (const char *) sqlite3_column_text (stmt, 3);

  row->user.id = sqlite3_column_int64 (stmt, 0);
  row->user.login = column_dup (stmt, 1);
  row->user.name = column_dup (stmt, 2);
  row->user.npi = column_dup (stmt, 4);
  row->user.created_at = column_dup (stmt, 5);
  row->user.failed_attempts = (guint) MAX (0, sqlite3_column_int (stmt, 6));
  row->password_hash = column_dup (stmt, 7);
  row->public_key = column_blob (stmt, 8);
  row->key_salt = column_blob (stmt, 9);
  row->secret_key = column_blob (stmt, 10);
  row->last_failure_at = column_dup (stmt, 11);

  if (row->public_key != NULL && g_bytes_get_size (row->public_key) == OP_SIGN_PUBLIC_KEY_BYTES)
    {
      char fp[OP_SIGN_FINGERPRINT_SIZE];

      op_sign_fingerprint (g_bytes_get_data (row->public_key, NULL), fp);
      row->user.fingerprint = g_strdup (fp);
    }

  if (!op_role_from_string (role, &row->user.role))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("User %s has the role “%s”, which this version of Orthoplan does not know"),
                   row->user.login, role ? role : "");
      return FALSE;
    }
  return TRUE;
}

OpStoreUserRow *
op__store_get_user_row_locked (OpStore     *self,
                               const char  *login,
                               gint64       user_id,
                               GError     **error)
{
  g_autoptr(OpStoreUserRow) row = g_new0 (OpStoreUserRow, 1);
  sqlite3_stmt *stmt;
  int rc;

  stmt = op__store_prepare (self,
                            login != NULL
                              ? "SELECT " USER_COLUMNS " FROM users WHERE login = ?"
                              : "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  if (login != NULL)
    sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, user_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean ok = read_user_row (stmt, row, error);

      sqlite3_finalize (stmt);
      return ok ? g_steal_pointer (&row) : NULL;
    }

  if (rc == SQLITE_DONE)
    {
      if (login != NULL)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("There is no user “%s” in this database"), login);
      else
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("There is no user %lld in this database"), (long long) user_id);
    }
  else
    op__store_set_sql_error (self->db, error, _("Looking up the user failed"));
  sqlite3_finalize (stmt);
  return NULL;
}

static gint64
count_users_locked (OpStore  *self,
                    GError  **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "SELECT count(*) FROM users", error);
  gint64 n = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    op__store_set_sql_error (self->db, error, _("Counting the users failed"));
  sqlite3_finalize (stmt);
  return n;
}

gint64
op_store_count_users (OpStore  *self,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->lock);
  return count_users_locked (self, error);
}

/* Turns a planner rule's refusal into the store's "a field is wrong". */
static void
propagate_invalid (GError **error,
                   GError  *rule_error)
{
  g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, rule_error->message);
  g_error_free (rule_error);
}

static gboolean
check_user_input (const OpUserInput  *input,
                  GError            **error)
{
  GError *rule_error = NULL;
  g_autofree char *name = g_strstrip (g_strdup (input->name ? input->name : ""));

  if (!op_login_check (input->login, &rule_error))
    {
      propagate_invalid (error, rule_error);
      return FALSE;
    }
  if (name[0] == '\0')
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("name: must not be empty; it is the printed name on every signature"));
      return FALSE;
    }
  if ((guint) input->role > OP_ROLE_ASSISTANT)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("role: unknown role"));
      return FALSE;
    }
  if (op_role_needs_npi (input->role) && (input->npi == NULL || input->npi[0] == '\0'))
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("NPI: a provider needs an NPI; it is printed on every approval they sign"));
      return FALSE;
    }
  if (input->npi != NULL && input->npi[0] != '\0' && !op_npi_check (input->npi, &rule_error))
    {
      propagate_invalid (error, rule_error);
      return FALSE;
    }
  if (!op_password_check (input->password, input->login, name, &rule_error))
    {
      propagate_invalid (error, rule_error);
      return FALSE;
    }
  return TRUE;
}

/* Whether the signed-in user of this connection may manage users, read
 * from the database now rather than remembered from sign-in, so that a
 * role taken away since counts at once. */
static gboolean
check_signed_in_manager_locked (OpStore  *self,
                                GError  **error)
{
  g_autoptr(OpStoreUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *why = NULL;

  if (self->user_id == 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                           _("Only an administrator may add users; sign in as an administrator first"));
      return FALSE;
    }

  row = op__store_get_user_row_locked (self, NULL, self->user_id, &local_error);
  if (row == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("The signed-in user no longer exists: %s"), local_error->message);
      return FALSE;
    }
  if (!op_role_has_right (row->user.role, OP_RIGHT_MANAGE, &why))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("%s (%s is signed in as %s)"), why, row->user.login, op_role_to_string (row->user.role));
      return FALSE;
    }
  return TRUE;
}

gint64
op_store_add_user (OpStore            *self,
                   const OpUserInput  *input,
                   GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GBytes) sealed = NULL;
  guint8 public_key[OP_SIGN_PUBLIC_KEY_BYTES];
  guint8 salt[OP_SIGN_SALT_BYTES];
  sqlite3_stmt *stmt;
  gint64 n_users;
  gint64 id;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (input != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_user_input (input, error))
    return 0;
  name = g_strstrip (g_strdup (input->name));

  /* The slow part first, with no lock held. */
  hash = op_sign_hash_password (input->password, error);
  if (hash == NULL)
    return 0;
  sealed = op_sign_key_new (input->password, public_key, salt, error);
  if (sealed == NULL)
    return 0;

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    return 0;

  /* Counted inside the write transaction: two programs creating the
   * first user at once cannot both skip the administrator check. */
  n_users = count_users_locked (self, error);
  if (n_users < 0)
    goto rollback;
  if (n_users == 0)
    {
      if (input->role != OP_ROLE_ADMINISTRATOR)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                       _("The first user must be an administrator, who then adds everyone else; “%s” would be a %s"),
                       input->login, op_role_to_string (input->role));
          goto rollback;
        }
    }
  else if (!check_signed_in_manager_locked (self, error))
    goto rollback;

  now = op__store_now ();
  stmt = op__store_prepare (self,
                            "INSERT INTO users (login, name, role, npi, password_hash, public_key, "
                            "key_salt, secret_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, input->login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, op_role_to_string (input->role), -1, SQLITE_STATIC);
  if (input->npi != NULL && input->npi[0] != '\0')
    sqlite3_bind_text (stmt, 4, input->npi, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 6, public_key, sizeof public_key, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 7, salt, sizeof salt, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 8, g_bytes_get_data (sealed, NULL), (int) g_bytes_get_size (sealed), SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE,
                     _("login: “%s” is already taken by another user"), input->login);
      else
        op__store_set_sql_error (self->db, error, _("Adding the user failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (self->db);

  object = g_strdup_printf ("user:%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("%s as %s", input->login, op_role_to_string (input->role));
  if (!op__store_audit_locked (self, "user.add", object, detail, error))
    goto rollback;

  if (!op__store_commit (self, error))
    return 0;
  return id;

rollback:
  op__store_rollback (self);
  return 0;
}

GPtrArray *
op_store_list_users (OpStore  *self,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) op_user_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self, "SELECT " USER_COLUMNS " FROM users ORDER BY login", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(OpStoreUserRow) row = g_new0 (OpStoreUserRow, 1);

      if (!read_user_row (stmt, row, error))
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (users, user_copy (&row->user));
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the users failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&users);
}

OpUser *
op_store_get_user (OpStore     *self,
                   const char  *login,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) row = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  row = op__store_get_user_row_locked (self, login, 0, error);
  return row != NULL ? user_copy (&row->user) : NULL;
}

/* Seconds left before @row may try again, or 0. */
static guint
seconds_to_wait (const OpStoreUserRow *row)
{
  guint delay = op_sign_in_delay_seconds (row->user.failed_attempts);
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GDateTime) now = NULL;
  GTimeSpan since;

  if (delay == 0 || row->last_failure_at == NULL)
    return 0;
  last = g_date_time_new_from_iso8601 (row->last_failure_at, NULL);
  if (last == NULL)
    return delay;  /* a damaged time: the safe reading is "just now" */
  now = g_date_time_new_now_utc ();
  since = g_date_time_difference (now, last);
  if (since < 0)
    since = 0;  /* a clock set back must not let anyone skip the wait */
  if (since >= (GTimeSpan) delay * G_TIME_SPAN_SECOND)
    return 0;
  return (guint) (((GTimeSpan) delay * G_TIME_SPAN_SECOND - since + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND);
}

/* Records a wrong password in its own transaction; returns the new count. */
static guint
record_failure_locked (OpStore    *self,
                       gint64      user_id,
                       const char *login)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, FAILURE_TIME_FORMAT);
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  guint count = 0;

  if (!op__store_begin (self, &error))
    goto failed;

  if (user_id != 0)
    {
      stmt = op__store_prepare (self,
                                "UPDATE users SET failed_attempts = failed_attempts + 1, last_failure_at = ? "
                                "WHERE id = ? RETURNING failed_attempts",
                                &error);
      if (stmt == NULL)
        goto rollback;
      sqlite3_bind_text (stmt, 1, when, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, user_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = (guint) sqlite3_column_int (stmt, 0);
      sqlite3_finalize (stmt);
      object = g_strdup_printf ("user:%" G_GINT64_FORMAT, user_id);
      detail = g_strdup_printf ("%s: wrong password, %u in a row", login, count);
    }
  else
    {
      object = g_strdup ("user:unknown");
      detail = g_strdup_printf ("%s: no such login", login);
    }

  if (!op__store_audit_locked (self, "user.sign-in-failed", object, detail, &error))
    goto rollback;
  if (!op__store_commit (self, &error))
    goto failed;
  return count;

rollback:
  op__store_rollback (self);
failed:
  /* The refusal stands even when its record cannot be written; the
   * person sees the wrong-password message either way. */
  g_warning ("Recording a failed sign-in for %s failed: %s", login, error ? error->message : "?");
  return count;
}

/* A hash of a random password, so that an unknown login costs the same
 * Argon2id run as a known one and the time taken does not tell which
 * logins exist. */
static const char *
decoy_hash (void)
{
  static char *hash = NULL;

  if (g_once_init_enter (&hash))
    {
      char random[33];
      char *h;

      for (guint i = 0; i < 32; i++)
        random[i] = (char) g_random_int_range ('a', 'z' + 1);
      random[32] = '\0';
      h = op_sign_hash_password (random, NULL);
      g_once_init_leave (&hash, h != NULL ? h : g_strdup ("$argon2id$"));
    }
  return hash;
}

OpStoreUserRow *
op__store_authenticate_locked (OpStore     *self,
                               const char  *login,
                               const char  *password,
                               GError     **error)
{
  g_autoptr(OpStoreUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  guint wait;

  row = op__store_get_user_row_locked (self, login, 0, &local_error);
  if (row == NULL)
    {
      if (!g_error_matches (local_error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      op_sign_check_password (decoy_hash (), password, NULL);
      record_failure_locked (self, 0, login);
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD,
                           _("The login name or the password is wrong"));
      return NULL;
    }

  /* The wait is checked before the password, so that a guesser learns
   * nothing, not even "right but too soon", until the time has passed. */
  wait = seconds_to_wait (row);
  if (wait > 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_RETRY_LATER,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u wrong passwords in a row for %s: wait %u second, then try again",
                                "%u wrong passwords in a row for %s: wait %u seconds, then try again",
                                wait),
                   row->user.failed_attempts, login, wait);
      return NULL;
    }

  if (row->password_hash == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("User %s has no password set; an administrator must set one"), login);
      return NULL;
    }

  if (!op_sign_check_password (row->password_hash, password, &local_error))
    {
      guint count;
      guint next;

      if (!g_error_matches (local_error, OP_SIGN_ERROR, OP_SIGN_ERROR_WRONG_PASSWORD))
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                       _("User %s: %s"), login, local_error->message);
          return NULL;
        }

      count = record_failure_locked (self, row->user.id, login);
      next = op_sign_in_delay_seconds (count);
      if (next > 0)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "The login name or the password is wrong (%u wrong in a row; the next try must wait %u second)",
                                  "The login name or the password is wrong (%u wrong in a row; the next try must wait %u seconds)",
                                  next),
                     count, next);
      else
        g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_WRONG_PASSWORD,
                             _("The login name or the password is wrong"));
      return NULL;
    }

  if (row->user.failed_attempts > 0)
    {
      sqlite3_stmt *stmt = op__store_prepare (self,
                                              "UPDATE users SET failed_attempts = 0, last_failure_at = NULL WHERE id = ?",
                                              error);

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, row->user.id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          op__store_set_sql_error (self->db, error, _("Resetting the failed sign-in count failed"));
          sqlite3_finalize (stmt);
          return NULL;
        }
      sqlite3_finalize (stmt);
      row->user.failed_attempts = 0;
    }

  return g_steal_pointer (&row);
}

OpUser *
op_store_check_password (OpStore     *self,
                         const char  *login,
                         const char  *password,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) row = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (login != NULL && password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  row = op__store_authenticate_locked (self, login, password, error);
  return row != NULL ? user_copy (&row->user) : NULL;
}

OpUser *
op_store_sign_in (OpStore     *self,
                  const char  *login,
                  const char  *password,
                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) row = NULL;
  g_autofree char *object = NULL;
  g_autofree char *previous_actor = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (login != NULL && password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  row = op__store_authenticate_locked (self, login, password, error);
  if (row == NULL)
    return NULL;

  previous_actor = g_steal_pointer (&self->actor);
  self->actor = g_strdup (row->user.login);
  object = g_strdup_printf ("user:%" G_GINT64_FORMAT, row->user.id);
  if (!op__store_begin (self, error) ||
      !op__store_audit_locked (self, "user.sign-in", object, op_role_to_string (row->user.role), error) ||
      !op__store_commit (self, error))
    {
      op__store_rollback (self);
      g_free (self->actor);
      self->actor = g_steal_pointer (&previous_actor);
      return NULL;
    }

  self->user_id = row->user.id;
  return user_copy (&row->user);
}

void
op_store_sign_out (OpStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;

  g_return_if_fail (OP_IS_STORE (self));

  locker = g_mutex_locker_new (&self->lock);
  if (self->user_id == 0)
    return;

  object = g_strdup_printf ("user:%" G_GINT64_FORMAT, self->user_id);
  if (!op__store_begin (self, &error) ||
      !op__store_audit_locked (self, "user.sign-out", object, "", &error) ||
      !op__store_commit (self, &error))
    {
      op__store_rollback (self);
      g_warning ("Recording the sign-out failed: %s", error->message);
    }

  /* Signed out whether or not the record was written: staying signed in
   * because the disk is full would be worse. */
  self->user_id = 0;
  g_free (self->actor);
  self->actor = g_strdup (g_get_user_name ());
}

OpUser *
op_store_get_signed_in_user (OpStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) row = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (self->user_id == 0)
    return NULL;
  row = op__store_get_user_row_locked (self, NULL, self->user_id, NULL);
  return row != NULL ? user_copy (&row->user) : NULL;
}

gboolean
op_store_change_password (OpStore     *self,
                          const char  *login,
                          const char  *old_password,
                          const char  *new_password,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) row = NULL;
  g_autoptr(GBytes) resealed = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *object = NULL;
  guint8 new_salt[OP_SIGN_SALT_BYTES];
  GError *rule_error = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (login != NULL && old_password != NULL && new_password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  row = op__store_authenticate_locked (self, login, old_password, error);
  if (row == NULL)
    return FALSE;

  if (!op_password_check (new_password, row->user.login, row->user.name, &rule_error))
    {
      propagate_invalid (error, rule_error);
      return FALSE;
    }
  if (g_str_equal (old_password, new_password))
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("password: the new password is the same as the old one"));
      return FALSE;
    }

  hash = op_sign_hash_password (new_password, error);
  if (hash == NULL)
    return FALSE;

  if (row->secret_key != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (row->public_key == NULL || g_bytes_get_size (row->public_key) != OP_SIGN_PUBLIC_KEY_BYTES ||
          row->key_salt == NULL || g_bytes_get_size (row->key_salt) != OP_SIGN_SALT_BYTES)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                       _("User %s: the stored public key or key salt is damaged; the password was not changed"), login);
          return FALSE;
        }
      resealed = op_sign_key_reseal (g_bytes_get_data (row->public_key, NULL), g_bytes_get_data (row->key_salt, NULL),
                                     row->secret_key, old_password, new_password, new_salt, &local_error);
      if (resealed == NULL)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                       _("User %s: the signing key could not be re-sealed, so the password was not changed: %s"),
                       login, local_error->message);
          return FALSE;
        }
    }

  if (!op__store_begin (self, error))
    return FALSE;

  /* Matching the old hash refuses the change when someone else changed
   * the password since we read it. */
  stmt = op__store_prepare (self,
                            "UPDATE users SET password_hash = ?, key_salt = coalesce(?, key_salt), "
                            "secret_key = coalesce(?, secret_key) WHERE id = ? AND password_hash = ?",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  if (resealed != NULL)
    {
      sqlite3_bind_blob (stmt, 2, new_salt, sizeof new_salt, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 3, g_bytes_get_data (resealed, NULL), (int) g_bytes_get_size (resealed), SQLITE_TRANSIENT);
    }
  else
    {
      sqlite3_bind_null (stmt, 2);
      sqlite3_bind_null (stmt, 3);
    }
  sqlite3_bind_int64 (stmt, 4, row->user.id);
  sqlite3_bind_text (stmt, 5, row->password_hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Changing the password failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("The password of %s was changed elsewhere meanwhile; sign in again and retry"), login);
      goto rollback;
    }

  object = g_strdup_printf ("user:%" G_GINT64_FORMAT, row->user.id);
  if (!op__store_audit_locked (self, "user.password", object, login, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}
