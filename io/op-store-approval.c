/* op-store-approval.c: signing a plan, requesting changes, verifying.
 *
 * What is signed (the "statement") is built from the approval's fields and
 * the plan's canonical bytes, each written as its length in bytes, a
 * colon, the bytes and a newline, after a fixed first line:
 *
 *   orthoplan-approval\n
 *   1:1\n                    statement format version
 *   <n>:<case id>\n
 *   <n>:<plan version>\n
 *   64:<plan sha256>\n
 *   <n>:<meaning>\n
 *   <n>:<signer login>\n
 *   <n>:<signer printed name>\n
 *   <n>:<signer NPI, or empty>\n
 *   <n>:<signed at>\n
 *   64:<public key, hex>\n
 *   <n>:<canonical plan bytes>\n
 *
 * The length prefixes make it unambiguous whatever the fields hold.  The
 * plan bytes are in the statement, not only their hash, so the signature
 * is over the exact bytes the provider reviewed.  This layout is part of
 * the file format: a change takes a new version number.
 *
 * Order of work in approve: the password is checked first, outside any
 * transaction (a wrong one is recorded and throttled even though nothing
 * else happens), and the signing key opened, also outside (its Argon2id
 * derivation must not hold the database's write lock); then one IMMEDIATE
 * transaction re-reads the signer's role and key and the case state,
 * signs, records and moves the case, so two people approving and
 * requesting changes at once cannot both succeed.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "op-outbox-private.h"
#include "op-sign.h"
#include "op-store-private.h"

#define STATEMENT_VERSION "1"

void
op_approval_free (OpApproval *approval)
{
  if (approval == NULL)
    return;
  g_free (approval->signer_login);
  g_free (approval->signer_name);
  g_free (approval->signer_npi);
  g_free (approval->meaning);
  g_free (approval->signed_at);
  g_free (approval->plan_sha256);
  g_free (approval->fingerprint);
  g_free (approval);
}

/* Plans, from the table of migration 003: plan_json holds the canonical
 * bytes of op_plan_encode(), and a version is never changed once stored. */

GBytes *
op__store_get_plan_bytes_locked (OpStore     *self,
                                 gint64       case_id,
                                 guint        version,
                                 guint       *out_version,
                                 GError     **error)
{
  sqlite3_stmt *stmt;
  GBytes *bytes = NULL;
  int rc;

  stmt = op__store_prepare (self,
                            version == 0
                              ? "SELECT version, plan_json FROM plans WHERE case_id = ? ORDER BY version DESC LIMIT 1"
                              : "SELECT version, plan_json FROM plans WHERE case_id = ? AND version = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (version != 0)
    sqlite3_bind_int64 (stmt, 2, version);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_version != NULL)
        *out_version = (guint) sqlite3_column_int64 (stmt, 0);
      bytes = g_bytes_new (sqlite3_column_blob (stmt, 1), (gsize) sqlite3_column_bytes (stmt, 1));
    }
  else if (rc == SQLITE_DONE)
    {
      if (version == 0)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("Case %lld has no treatment plan yet"), (long long) case_id);
      else
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                     _("Case %lld has no plan version %u"), (long long) case_id, version);
    }
  else
    op__store_set_sql_error (self->db, error, _("Reading the plan failed"));
  sqlite3_finalize (stmt);
  return bytes;
}

gint64
op__store_latest_plan_version_locked (OpStore  *self,
                                      gint64    case_id,
                                      GError  **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "SELECT ifnull(max(version), 0) FROM plans WHERE case_id = ?", error);
  gint64 version = -1;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  else
    op__store_set_sql_error (self->db, error, _("Reading the plan versions failed"));
  sqlite3_finalize (stmt);
  return version;
}

/* The statement. */

static void
append_field_len (GString      *s,
                  const void   *data,
                  gsize         len)
{
  g_string_append_printf (s, "%" G_GSIZE_FORMAT ":", len);
  g_string_append_len (s, data, (gssize) len);
  g_string_append_c (s, '\n');
}

static void
append_field (GString    *s,
              const char *value)
{
  append_field_len (s, value ? value : "", value ? strlen (value) : 0);
}

static GBytes *
build_statement (const OpApproval *a,
                 GBytes           *plan)
{
  GString *s = g_string_new ("orthoplan-approval\n");
  char number[32];
  char pk_hex[2 * 32 + 1];
  gsize plan_len = 0;
  const guint8 *plan_data = g_bytes_get_data (plan, &plan_len);

  for (guint i = 0; i < 32; i++)
    g_snprintf (pk_hex + 2 * i, 3, "%02x", a->public_key[i]);

  append_field (s, STATEMENT_VERSION);
  g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, a->case_id);
  append_field (s, number);
  g_snprintf (number, sizeof number, "%u", a->plan_version);
  append_field (s, number);
  append_field (s, a->plan_sha256);
  append_field (s, a->meaning);
  append_field (s, a->signer_login);
  append_field (s, a->signer_name);
  append_field (s, a->signer_npi);
  append_field (s, a->signed_at);
  append_field (s, pk_hex);
  append_field_len (s, plan_data ? plan_data : (const guint8 *) "", plan_len);

  return g_string_free_to_bytes (s);
}

static gboolean
get_case_state_locked (OpStore      *self,
                       gint64        case_id,
                       OpCaseState  *out_state,
                       GError      **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "SELECT status FROM cases WHERE id = ?", error);
  gboolean ok = FALSE;
  int rc;

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
                     (long long) case_id, text ? text : "");
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("There is no case %lld in this database"), (long long) case_id);
  else
    op__store_set_sql_error (self->db, error, _("Looking up the case failed"));
  sqlite3_finalize (stmt);
  return ok;
}

/* Records a refused attempt in its own transaction, so the log shows who
 * tried what even though nothing changed. */
static void
audit_refusal_locked (OpStore    *self,
                      const char *action,
                      gint64      case_id,
                      const char *login,
                      const char *why)
{
  g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  g_autofree char *detail = g_strdup_printf ("%s: %s", login, why);
  g_autoptr(GError) error = NULL;

  if (!op__store_begin (self, &error) ||
      !op__store_audit_locked (self, action, object, detail, &error) ||
      !op__store_commit (self, &error))
    {
      op__store_rollback (self);
      g_warning ("Recording a refused %s failed: %s", action, error->message);
    }
}

/* Checks, inside the open transaction, that the signer may take the case
 * from its state to @to: role from the database row read now, and the
 * state machine.  @signer is the row as authenticated; a change of role or
 * key since then refuses. */
static OpStoreUserRow *
recheck_signer_locked (OpStore              *self,
                       const OpStoreUserRow *signer,
                       gint64                case_id,
                       OpCaseState           to,
                       OpCaseState          *out_from,
                       GError              **error)
{
  g_autoptr(OpStoreUserRow) row = NULL;
  const char *why = NULL;

  row = op__store_get_user_row_locked (self, NULL, signer->user.id, error);
  if (row == NULL)
    return NULL;
  if (row->user.role != signer->user.role ||
      (row->public_key == NULL) != (signer->public_key == NULL) ||
      (row->public_key != NULL && !g_bytes_equal (row->public_key, signer->public_key)))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("The account of %s changed while signing; sign in again and retry"), row->user.login);
      return NULL;
    }

  if (!get_case_state_locked (self, case_id, out_from, error))
    return NULL;
  if (!op_case_role_may_transition (row->user.role, *out_from, to, &why))
    {
      g_set_error (error, OP_STORE_ERROR,
                   op_case_transition_allowed (*out_from, to) ? OP_STORE_ERROR_PERMISSION : OP_STORE_ERROR_INVALID,
                   _("Case %lld (%s): %s"), (long long) case_id, op_case_state_to_string (*out_from), why);
      return NULL;
    }
  return g_steal_pointer (&row);
}

static gboolean
key_parts (const OpStoreUserRow  *row,
           GError               **error)
{
  if (row->public_key == NULL || g_bytes_get_size (row->public_key) != OP_SIGN_PUBLIC_KEY_BYTES ||
      row->key_salt == NULL || g_bytes_get_size (row->key_salt) != OP_SIGN_SALT_BYTES ||
      row->secret_key == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("The signing key of %s is missing or damaged (public key, salt or sealed key); "
                     "nothing was approved. An administrator must issue a new key"),
                   row->user.login);
      return FALSE;
    }
  return TRUE;
}

OpApproval *
op_store_approve (OpStore     *self,
                  gint64       case_id,
                  const char  *login,
                  const char  *password,
                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) signer = NULL;
  g_autoptr(OpStoreUserRow) fresh = NULL;
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(GBytes) plan = NULL;
  g_autoptr(GBytes) statement = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(OpSignKey) key = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  const char *why = NULL;
  char fp[OP_SIGN_FINGERPRINT_SIZE];
  sqlite3_stmt *stmt;
  OpCaseState from;
  guint version = 0;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (login != NULL && password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  signer = op__store_authenticate_locked (self, login, password, error);
  if (signer == NULL)
    return NULL;

  /* Refuse a role that may never approve before opening any key. */
  if (!op_role_has_right (signer->user.role, OP_RIGHT_APPROVE, &why))
    {
      audit_refusal_locked (self, "case.approve-refused", case_id, login, op_role_to_string (signer->user.role));
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION, "%s (%s is a %s)",
                   why, login, op_role_to_string (signer->user.role));
      return NULL;
    }
  if (!key_parts (signer, error))
    return NULL;

  /* The key is opened before the transaction begins: its Argon2id
   * derivation takes a tenth of a second or more, and the database's write
   * lock should not wait for it (the outbox worker commits between its
   * requests to the practice system).  recheck_signer_locked then makes
   * sure, inside the transaction, that this is still the signer's key. */
  key = op_sign_key_open (g_bytes_get_data (signer->public_key, NULL), g_bytes_get_data (signer->key_salt, NULL),
                          signer->secret_key, password, &local_error);
  if (key == NULL)
    {
      /* The password was right a moment ago, so a key that does not open
       * is a damaged key, not a typo. */
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("The signing key of %s is damaged; nothing was approved: %s"), login, local_error->message);
      return NULL;
    }

  if (!op__store_begin (self, error))
    return NULL;

  fresh = recheck_signer_locked (self, signer, case_id, OP_CASE_STATE_APPROVED, &from, error);
  if (fresh == NULL)
    goto rollback;

  plan = op__store_get_plan_bytes_locked (self, case_id, 0, &version, error);
  if (plan == NULL)
    goto rollback;

  a = g_new0 (OpApproval, 1);
  a->case_id = case_id;
  a->plan_version = version;
  a->user_id = fresh->user.id;
  a->signer_login = g_strdup (fresh->user.login);
  a->signer_name = g_strdup (fresh->user.name);
  a->signer_npi = g_strdup (fresh->user.npi);
  a->meaning = op_approval_meaning (version);
  a->signed_at = op__store_now ();
  a->plan_sha256 = op_sign_sha256_hex (g_bytes_get_data (plan, NULL), g_bytes_get_size (plan));
  memcpy (a->public_key, g_bytes_get_data (fresh->public_key, NULL), sizeof a->public_key);
  op_sign_fingerprint (a->public_key, fp);
  a->fingerprint = g_strdup (fp);

  statement = build_statement (a, plan);
  if (!op_sign_key_sign (key, g_bytes_get_data (statement, NULL), g_bytes_get_size (statement), a->signature,
                         &local_error))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_CORRUPT,
                   _("The signing key of %s is damaged; nothing was approved: %s"), login, local_error->message);
      goto rollback;
    }

  stmt = op__store_prepare (self,
                            "INSERT INTO approvals (case_id, plan_version, user_id, signer_login, signer_name, "
                            "signer_npi, meaning, signed_at, plan_sha256, public_key, signature) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, a->case_id);
  sqlite3_bind_int64 (stmt, 2, a->plan_version);
  sqlite3_bind_int64 (stmt, 3, a->user_id);
  sqlite3_bind_text (stmt, 4, a->signer_login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, a->signer_name, -1, SQLITE_TRANSIENT);
  if (a->signer_npi != NULL)
    sqlite3_bind_text (stmt, 6, a->signer_npi, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_text (stmt, 7, a->meaning, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, a->signed_at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, a->plan_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 10, a->public_key, sizeof a->public_key, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 11, a->signature, sizeof a->signature, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE,
                     _("Plan v%u of case %lld is already approved"), a->plan_version, (long long) case_id);
      else
        op__store_set_sql_error (self->db, error, _("Recording the approval failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);
  a->id = sqlite3_last_insert_rowid (self->db);

  if (!op__store_set_case_status_locked (self, case_id, OP_CASE_STATE_APPROVED, a->signed_at, error))
    goto rollback;

  /* The post to the practice system is queued in this same transaction
   * (op-outbox.c): an approval never exists without its outbox row. */
  if (!op__outbox_add_locked (self, a, error))
    goto rollback;

  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("%s -> approved; %s; plan sha256 %s; signed by %s (%s, NPI %s, key %s)",
                            op_case_state_to_string (from), a->meaning, a->plan_sha256,
                            a->signer_login, a->signer_name, a->signer_npi ? a->signer_npi : "none", a->fingerprint);
  {
    /* The entry names the signer even when the connection's actor is
     * someone else (a CLI run by a service account). */
    g_autofree char *actor = g_steal_pointer (&self->actor);
    gboolean ok;

    self->actor = g_strdup (a->signer_login);
    ok = op__store_audit_locked (self, "case.approve", object, detail, error);
    g_free (self->actor);
    self->actor = g_steal_pointer (&actor);
    if (!ok)
      goto rollback;
  }

  if (!op__store_commit (self, error))
    return NULL;
  return g_steal_pointer (&a);

rollback:
  op__store_rollback (self);
  return NULL;
}

gboolean
op_store_request_changes (OpStore     *self,
                          gint64       case_id,
                          const char  *login,
                          const char  *password,
                          const char  *note,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpStoreUserRow) signer = NULL;
  g_autoptr(OpStoreUserRow) fresh = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *actor = NULL;
  const char *why = NULL;
  sqlite3_stmt *stmt;
  OpCaseState from;
  gint64 version;
  gboolean ok;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (login != NULL && password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = g_strstrip (g_strdup (note ? note : ""));
  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("note: say what should change; the planner works from it"));
      return FALSE;
    }
  if (!g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("note: is not valid UTF-8 text"));
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);

  signer = op__store_authenticate_locked (self, login, password, error);
  if (signer == NULL)
    return FALSE;
  if (!op_role_has_right (signer->user.role, OP_RIGHT_APPROVE, &why))
    {
      audit_refusal_locked (self, "case.request-changes-refused", case_id, login, op_role_to_string (signer->user.role));
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_PERMISSION,
                   _("Only a provider may request changes to a plan under review (%s is a %s)"),
                   login, op_role_to_string (signer->user.role));
      return FALSE;
    }

  if (!op__store_begin (self, error))
    return FALSE;

  fresh = recheck_signer_locked (self, signer, case_id, OP_CASE_STATE_CHANGES_REQUESTED, &from, error);
  if (fresh == NULL)
    goto rollback;

  version = op__store_latest_plan_version_locked (self, case_id, error);
  if (version < 0)
    goto rollback;

  now = op__store_now ();
  stmt = op__store_prepare (self,
                            "INSERT INTO change_requests (case_id, plan_version, user_id, note, created_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (version > 0)
    sqlite3_bind_int64 (stmt, 2, version);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, fresh->user.id);
  sqlite3_bind_text (stmt, 4, trimmed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Recording the change request failed"));
      sqlite3_finalize (stmt);
      goto rollback;
    }
  sqlite3_finalize (stmt);

  if (!op__store_set_case_status_locked (self, case_id, OP_CASE_STATE_CHANGES_REQUESTED, now, error))
    goto rollback;

  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  if (version > 0)
    detail = g_strdup_printf ("%s -> changes-requested; plan v%lld; %s", op_case_state_to_string (from),
                              (long long) version, trimmed);
  else
    detail = g_strdup_printf ("%s -> changes-requested; %s", op_case_state_to_string (from), trimmed);
  actor = g_steal_pointer (&self->actor);
  self->actor = g_strdup (fresh->user.login);
  ok = op__store_audit_locked (self, "case.request-changes", object, detail, error);
  g_free (self->actor);
  self->actor = g_steal_pointer (&actor);
  if (!ok)
    goto rollback;

  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

#define APPROVAL_COLUMNS \
  "id, case_id, plan_version, user_id, signer_login, signer_name, signer_npi, " \
  "meaning, signed_at, plan_sha256, public_key, signature"

static OpApproval *
read_approval (sqlite3_stmt  *stmt,
               GError       **error)
{
  g_autoptr(OpApproval) a = g_new0 (OpApproval, 1);
  char fp[OP_SIGN_FINGERPRINT_SIZE];

  a->id = sqlite3_column_int64 (stmt, 0);
  a->case_id = sqlite3_column_int64 (stmt, 1);
  a->plan_version = (guint) sqlite3_column_int64 (stmt, 2);
  a->user_id = sqlite3_column_int64 (stmt, 3);
  a->signer_login = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  a->signer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  a->signer_npi = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  a->meaning = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  a->signed_at = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  a->plan_sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 9));

  /* The table's CHECKs hold these sizes; a row that breaks them was
   * written around the schema, and is reported rather than read past. */
  if (sqlite3_column_bytes (stmt, 10) != (int) sizeof a->public_key ||
      sqlite3_column_bytes (stmt, 11) != (int) sizeof a->signature)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE,
                   _("Approval %lld is damaged: its public key or signature has the wrong size"), (long long) a->id);
      return NULL;
    }
  memcpy (a->public_key, sqlite3_column_blob (stmt, 10), sizeof a->public_key);
  memcpy (a->signature, sqlite3_column_blob (stmt, 11), sizeof a->signature);
  op_sign_fingerprint (a->public_key, fp);
  a->fingerprint = g_strdup (fp);
  return g_steal_pointer (&a);
}

static gboolean
verify_locked (OpStore     *self,
               gint64       case_id,
               OpApproval **out_approval,
               GError     **error)
{
  g_autoptr(OpApproval) a = NULL;
  g_autoptr(GBytes) plan = NULL;
  g_autoptr(GBytes) statement = NULL;
  g_autoptr(OpStoreUserRow) signer = NULL;
  g_autofree char *sha = NULL;
  OpCaseState state;
  sqlite3_stmt *stmt;
  gint64 latest;
  int rc;

  if (!get_case_state_locked (self, case_id, &state, error))
    return FALSE;

  stmt = op__store_prepare (self,
                            "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, case_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    a = read_approval (stmt, error);
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("Case %lld has no approval"), (long long) case_id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the approval failed"));
  sqlite3_finalize (stmt);
  if (a == NULL)
    return FALSE;

  if (out_approval != NULL)
    *out_approval = NULL;

#define FAIL(...) G_STMT_START { \
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_BAD_SIGNATURE, __VA_ARGS__); \
    goto fail; \
  } G_STMT_END

  plan = op__store_get_plan_bytes_locked (self, case_id, a->plan_version, NULL, NULL);
  if (plan == NULL)
    FAIL (_("Case %lld: plan v%u, which %s approved, is no longer in the database"),
          (long long) case_id, a->plan_version, a->signer_login);

  sha = op_sign_sha256_hex (g_bytes_get_data (plan, NULL), g_bytes_get_size (plan));
  if (!g_str_equal (sha, a->plan_sha256))
    FAIL (_("Case %lld: plan v%u was changed after %s signed it: its SHA-256 is now %s, the signature is for %s. "
            "The approval is invalid"),
          (long long) case_id, a->plan_version, a->signer_login, sha, a->plan_sha256);

  statement = build_statement (a, plan);
  if (!op_sign_verify (a->public_key, g_bytes_get_data (statement, NULL), g_bytes_get_size (statement),
                       a->signature, NULL))
    FAIL (_("Case %lld: the signature on the approval of plan v%u by %s does not verify; "
            "the approval record (name, NPI, time, meaning or signature) was edited after signing"),
          (long long) case_id, a->plan_version, a->signer_login);

  /* The key that signed must be the signer's own: a record re-signed with
   * someone else's key verifies on its own terms but proves nothing. */
  signer = op__store_get_user_row_locked (self, NULL, a->user_id, NULL);
  if (signer == NULL || signer->public_key == NULL ||
      g_bytes_get_size (signer->public_key) != sizeof a->public_key ||
      memcmp (g_bytes_get_data (signer->public_key, NULL), a->public_key, sizeof a->public_key) != 0)
    FAIL (_("Case %lld: the approval of plan v%u was signed with key %s, which is not the key of %s"),
          (long long) case_id, a->plan_version, a->fingerprint, a->signer_login);

  latest = op__store_latest_plan_version_locked (self, case_id, error);
  if (latest < 0)
    goto fail;
  if ((guint64) latest > a->plan_version)
    FAIL (_("Case %lld: plan v%lld was stored after v%u was approved; v%lld has no approval"),
          (long long) case_id, (long long) latest, a->plan_version, (long long) latest);

#undef FAIL

  if (out_approval != NULL)
    *out_approval = g_steal_pointer (&a);
  return TRUE;

fail:
  if (out_approval != NULL)
    *out_approval = g_steal_pointer (&a);
  return FALSE;
}

gboolean
op_store_verify_approval (OpStore     *self,
                          gint64       case_id,
                          OpApproval **out_approval,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean ok;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_approval != NULL)
    *out_approval = NULL;

  if (!op_sign_init (error))
    return FALSE;

  locker = g_mutex_locker_new (&self->lock);

  /* One read transaction: the approval and the plan bytes come from the
   * same snapshot even while another connection writes. */
  if (!op__store_exec (self, "BEGIN", error))
    return FALSE;
  ok = verify_locked (self, case_id, out_approval, error);
  op__store_rollback (self);
  return ok;
}

GPtrArray *
op_store_list_approvals (OpStore  *self,
                         gint64    case_id,
                         GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) op_approval_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self, "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE case_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OpApproval *a = read_approval (stmt, error);

      if (a == NULL)
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (list, a);
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the approvals failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&list);
}

char **
op_store_list_change_requests (OpStore  *self,
                               gint64    case_id,
                               GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self,
                            "SELECT r.created_at, u.login, r.note FROM change_requests r "
                            "JOIN users u ON u.id = r.user_id WHERE r.case_id = ? ORDER BY r.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *line = g_strdup_printf ("%s, %s: %s",
                                               (const char *) sqlite3_column_text (stmt, 0),
                                               (const char *) sqlite3_column_text (stmt, 1),
                                               (const char *) sqlite3_column_text (stmt, 2));
      g_strv_builder_add (builder, line);
    }
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the change requests failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_strv_builder_end (builder);
}
