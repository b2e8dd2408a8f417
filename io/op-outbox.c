/* op-outbox.c: outbox rows: the approval hook, listing, retry, and the
 * state changes the worker commits.
 *
 * Durability: the store runs every transaction with synchronous=FULL
 * (op-store.c), so "in flight" is on disk before a request leaves and a
 * posted state is on disk before the worker moves on.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "op-outbox-private.h"
#include "op-plan-json.h"
#include "op-sign.h"

static const char *state_names[] = { "pending", "posted", "needs-attention" };

const char *
op_outbox_state_to_string (OpOutboxState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

gboolean
op_outbox_state_from_string (const char    *str,
                             OpOutboxState *out_state)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (strcmp (str, state_names[i]) == 0)
      {
        *out_state = (OpOutboxState) i;
        return TRUE;
      }
  return FALSE;
}

void
op_outbox_entry_free (OpOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->location);
  g_free (entry->connector);
  g_free (entry->payload);
  g_free (entry->idempotency_key);
  g_free (entry->reason);
  g_strfreev (entry->remote_ids);
  g_free (entry->remote_patient);
  g_free (entry->created_at);
  g_free (entry->updated_at);
  g_free (entry->posted_at);
  g_free (entry);
}

/* remote_ids is a JSON array of strings and nulls. */
static char **
parse_remote_ids (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  JsonNode *root;

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *a = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *n = json_array_get_element (a, i);

          g_strv_builder_add (b, JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : "");
        }
    }
  return g_strv_builder_end (b);
}

static char *
remote_ids_json (char  **ids,
                 guint   n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    if (ids[i] != NULL && ids[i][0] != '\0')
      json_builder_add_string_value (b, ids[i]);
    else
      json_builder_add_null_value (b);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

#define ENTRY_COLUMNS \
  "o.id, o.approval_id, o.case_id, l.name, o.connector, o.payload, o.idempotency_key, o.state, o.reason, " \
  "o.attempts, o.in_flight, o.remote_ids, o.remote_patient, o.created_at, o.updated_at, o.posted_at"
#define ENTRY_FROM " FROM outbox o JOIN locations l ON l.id = o.location_id "

static char *
col_dup (sqlite3_stmt *stmt,
         int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static OpOutboxEntry *
read_entry (sqlite3_stmt *stmt)
{
  OpOutboxEntry *e = g_new0 (OpOutboxEntry, 1);
  g_autofree char *ids = NULL;

  e->id = sqlite3_column_int64 (stmt, 0);
  e->approval_id = sqlite3_column_int64 (stmt, 1);
  e->case_id = sqlite3_column_int64 (stmt, 2);
  e->location = col_dup (stmt, 3);
  e->connector = col_dup (stmt, 4);
  e->payload = col_dup (stmt, 5);
  e->idempotency_key = col_dup (stmt, 6);
  if (!op_outbox_state_from_string ((const char *) sqlite3_column_text (stmt, 7), &e->state))
    e->state = OP_OUTBOX_NEEDS_ATTENTION;
  e->reason = col_dup (stmt, 8);
  e->attempts = (guint) sqlite3_column_int64 (stmt, 9);
  e->in_flight = sqlite3_column_int (stmt, 10) != 0;
  ids = col_dup (stmt, 11);
  e->remote_ids = parse_remote_ids (ids);
  e->remote_patient = col_dup (stmt, 12);
  e->created_at = col_dup (stmt, 13);
  e->updated_at = col_dup (stmt, 14);
  e->posted_at = col_dup (stmt, 15);
  return e;
}

GPtrArray *
op_outbox_list (OpStore  *self,
                gint64    case_id,
                GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) op_outbox_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self,
                            case_id > 0
                              ? "SELECT " ENTRY_COLUMNS ENTRY_FROM "WHERE o.case_id = ? ORDER BY o.id"
                              : "SELECT " ENTRY_COLUMNS ENTRY_FROM "ORDER BY o.id",
                            error);
  if (stmt == NULL)
    return NULL;
  if (case_id > 0)
    sqlite3_bind_int64 (stmt, 1, case_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, read_entry (stmt));
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the outbox failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&list);
}

static OpOutboxEntry *
get_locked (OpStore  *self,
            gint64    id,
            GError  **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "SELECT " ENTRY_COLUMNS ENTRY_FROM "WHERE o.id = ?", error);
  OpOutboxEntry *e = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    e = read_entry (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("There is no outbox entry %lld"), (long long) id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the outbox failed"));
  sqlite3_finalize (stmt);
  return e;
}

OpOutboxEntry *
op_outbox_get (OpStore  *self,
               gint64    id,
               GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  return get_locked (self, id, error);
}

static gboolean
exec_update (OpStore     *self,
             const char  *sql,
             const char  *what,
             GError     **error,
             ...)
{
  /* Binds: 'i' gint64, 's' string (NULL binds NULL), from a format given
   * as the first variadic argument. */
  va_list ap;
  const char *fmt;
  sqlite3_stmt *stmt = op__store_prepare (self, sql, error);
  int k = 1;
  int rc;

  if (stmt == NULL)
    return FALSE;
  va_start (ap, error);
  fmt = va_arg (ap, const char *);
  for (const char *f = fmt; *f; f++, k++)
    {
      if (*f == 'i')
        sqlite3_bind_int64 (stmt, k, va_arg (ap, gint64));
      else
        {
          const char *s = va_arg (ap, const char *);

          if (s != NULL)
            sqlite3_bind_text (stmt, k, s, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, k);
        }
    }
  va_end (ap);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    op__store_set_sql_error (self->db, error, what);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
audit_case (OpStore     *self,
            const char  *action,
            gint64       case_id,
            const char  *detail,
            GError     **error)
{
  g_autofree char *object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);

  return op__store_audit_locked (self, action, object, detail, error);
}

gboolean
op_outbox_retry (OpStore  *self,
                 gint64    id,
                 GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *detail = NULL;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;
  e = get_locked (self, id, error);
  if (e == NULL)
    goto rollback;
  if (e->state == OP_OUTBOX_POSTED)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("Outbox entry %lld was posted on %s; it is never sent again"), (long long) id, e->posted_at);
      goto rollback;
    }
  if (e->state == OP_OUTBOX_PENDING)
    {
      op__store_rollback (self);
      return TRUE;
    }
  if (!exec_update (self, "UPDATE outbox SET state = 'pending', attempts = 0, reason = NULL, updated_at = ? WHERE id = ?",
                    _("Retrying the outbox entry failed"), error, "si", now, id))
    goto rollback;
  detail = g_strdup_printf ("outbox %lld back to pending (was: %s)", (long long) id, e->reason ? e->reason : "");
  if (!audit_case (self, "case.post-retry", e->case_id, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

/* The payload. */

static char *
idempotency_key (const OpApproval *a)
{
  g_autofree char *hex = op_sign_sha256_hex (a->signature, sizeof a->signature);

  /* The signature is unique to this approval (it covers the case, the
   * plan bytes, the signer and the time), so a key derived from it never
   * collides across cases, databases or practices; 32 hex digits keep it
   * short enough for a note or an identifier. */
  return g_strdup_printf ("op%.32s", hex);
}

typedef struct {
  gint64  patient_id;
  gint64  location_id;
  char   *location;
  char   *family_name;
  char   *given_name;
  char   *birth_date;
  char   *chart_number;
} CaseFacts;

static void
case_facts_clear (CaseFacts *f)
{
  g_free (f->location);
  g_free (f->family_name);
  g_free (f->given_name);
  g_free (f->birth_date);
  g_free (f->chart_number);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaseFacts, case_facts_clear)

static gboolean
read_case_facts (OpStore    *self,
                 gint64      case_id,
                 CaseFacts  *f,
                 GError    **error)
{
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT c.patient_id, c.location_id, l.name, p.family_name, p.given_name, "
                                          "p.birth_date, p.chart_number FROM cases c "
                                          "JOIN patients p ON p.id = c.patient_id JOIN locations l ON l.id = c.location_id "
                                          "WHERE c.id = ?",
                                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, case_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      f->patient_id = sqlite3_column_int64 (stmt, 0);
      f->location_id = sqlite3_column_int64 (stmt, 1);
      f->location = col_dup (stmt, 2);
      f->family_name = col_dup (stmt, 3);
      f->given_name = col_dup (stmt, 4);
      f->birth_date = col_dup (stmt, 5);
      f->chart_number = col_dup (stmt, 6);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("There is no case %lld"), (long long) case_id);
  else
    op__store_set_sql_error (self->db, error, _("Reading the case failed"));
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

static gboolean
location_retention_locked (OpStore *self,
                           gint64   location_id)
{
  sqlite3_stmt *stmt = op__store_prepare (self, "SELECT retention FROM pms_settings WHERE location_id = ?", NULL);
  gboolean retention = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, location_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    retention = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  return retention;
}

/* Whether the location files Open Dental posts in a treatment plan (its
 * pms_settings, migration 009). */
static gboolean
location_treatment_plan (OpStore    *self,
                         const char *location)
{
  sqlite3_stmt *stmt;
  gboolean on = FALSE;

  if (location == NULL)
    return FALSE;
  stmt = op__store_prepare (self, "SELECT s.connector = 'opendental' AND s.treatment_plan = 1 FROM pms_settings s "
                                  "JOIN locations l ON l.id = s.location_id WHERE l.name = ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, location, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    on = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  return on;
}

/* Decides the procedures (planner/op-procedure) from the plan's teeth and
 * writes the payload; a plan whose codes cannot be chosen gets a payload
 * with "problem" set instead. */
static char *
build_payload (OpStore          *self,
               const OpApproval *a,
               const CaseFacts  *f)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(OpPlan) plan = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree OpProcedureTooth *teeth = NULL;
  g_autofree int *fdi = NULL;
  g_autofree gboolean *moves = NULL;
  g_autofree char *proc_date = g_strndup (a->signed_at, 10);
  OpProcedure procs[OP_PROCEDURE_MAX];
  OpProcedureOptions options = { location_retention_locked (self, f->location_id) };
  guint n_procs = 0;

  bytes = op__store_get_plan_bytes_locked (self, a->case_id, a->plan_version, NULL, &local_error);
  if (bytes != NULL)
    plan = op_plan_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "plan", &local_error);
  if (plan != NULL)
    {
      teeth = g_new0 (OpProcedureTooth, MAX (plan->n_teeth, 1));
      fdi = g_new0 (int, MAX (plan->n_teeth, 1));
      moves = g_new0 (gboolean, MAX (plan->n_teeth, 1));
      for (guint i = 0; i < plan->n_teeth; i++)
        {
          teeth[i].fdi = fdi[i] = plan->teeth[i].fdi;
          teeth[i].total = *op_plan_target (plan, i);
          moves[i] = op_procedure_tooth_moves (&teeth[i].total);
        }
      n_procs = op_procedure_plan (teeth, plan->n_teeth, &options, procs, &local_error);
    }

#define STR(name, value) G_STMT_START { json_builder_set_member_name (b, name); \
    if ((value) != NULL) json_builder_add_string_value (b, value); else json_builder_add_null_value (b); } G_STMT_END
#define INT(name, value) G_STMT_START { json_builder_set_member_name (b, name); \
    json_builder_add_int_value (b, value); } G_STMT_END

  json_builder_begin_object (b);
  INT ("version", 1);
  INT ("approval_id", a->id);
  INT ("case_id", a->case_id);
  INT ("patient_id", f->patient_id);
  INT ("plan_version", a->plan_version);
  STR ("plan_sha256", a->plan_sha256);
  STR ("meaning", a->meaning);
  STR ("signed_at", a->signed_at);
  STR ("proc_date", proc_date);
  STR ("location", f->location);
  json_builder_set_member_name (b, "signer");
  json_builder_begin_object (b);
  STR ("login", a->signer_login);
  STR ("name", a->signer_name);
  STR ("npi", a->signer_npi);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "patient");
  json_builder_begin_object (b);
  STR ("family_name", f->family_name);
  STR ("given_name", f->given_name);
  STR ("birth_date", f->birth_date);
  STR ("chart_number", f->chart_number);
  json_builder_end_object (b);
  if (plan != NULL)
    {
      STR ("dentition", op_dentition_stage_to_string (op_dentition_stage (fdi, plan->n_teeth)));
      STR ("scope", op_treatment_scope_to_string (op_treatment_scope (fdi, moves, plan->n_teeth)));
    }
  json_builder_set_member_name (b, "procedures");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_procs; i++)
    {
      json_builder_begin_object (b);
      STR ("code", procs[i].code);
      STR ("description", procs[i].description);
      json_builder_set_member_name (b, "sites");
      json_builder_begin_array (b);
      for (guint k = 0; k < procs[i].n_sites; k++)
        json_builder_add_int_value (b, procs[i].sites[k]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (location_treatment_plan (self, f->location))
    {
      json_builder_set_member_name (b, "treatment_plan");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (n_procs == 0)
    STR ("problem", local_error ? local_error->message : _("No procedure code could be chosen for this plan"));
  json_builder_end_object (b);
#undef STR
#undef INT

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
op__outbox_add_locked (OpStore          *self,
                       const OpApproval *a,
                       GError          **error)
{
  g_auto(CaseFacts) facts = { 0 };
  g_autofree char *payload = NULL;
  g_autofree char *key = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *detail = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *problem = NULL;
  sqlite3_stmt *stmt;
  gint64 id;
  int rc;

  if (!read_case_facts (self, a->case_id, &facts, error))
    return FALSE;
  payload = build_payload (self, a, &facts);
  key = idempotency_key (a);
  if (json_parser_load_from_data (parser, payload, -1, NULL))
    problem = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                          "problem", NULL);

  stmt = op__store_prepare (self,
                            "INSERT INTO outbox (approval_id, case_id, location_id, payload, idempotency_key, state, "
                            "reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a->id);
  sqlite3_bind_int64 (stmt, 2, a->case_id);
  sqlite3_bind_int64 (stmt, 3, facts.location_id);
  sqlite3_bind_text (stmt, 4, payload, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, problem ? "needs-attention" : "pending", -1, SQLITE_STATIC);
  if (problem)
    sqlite3_bind_text (stmt, 7, problem, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 7);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE,
                     _("Approval %lld already has its outbox entry"), (long long) a->id);
      else
        op__store_set_sql_error (self->db, error, _("Adding the outbox entry failed"));
      return FALSE;
    }
  id = sqlite3_last_insert_rowid (self->db);
  detail = problem ? g_strdup_printf ("outbox %lld needs attention: %s", (long long) id, problem)
                   : g_strdup_printf ("outbox %lld pending, key %s", (long long) id, key);
  return audit_case (self, problem ? "case.post-needs-attention" : "case.post-queued", a->case_id, detail, error);
}

gint64
op_outbox_enqueue (OpStore  *self,
                   gint64    approval_id,
                   GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) approvals = NULL;
  g_autoptr(OpApproval) found = NULL;
  sqlite3_stmt *stmt;
  gint64 case_id = 0;

  g_return_val_if_fail (OP_IS_STORE (self), 0);

  {
    /* op_store_list_approvals takes the lock itself, and reads and checks
     * the approval row the way every other reader does. */
    locker = g_mutex_locker_new (&self->lock);
    stmt = op__store_prepare (self, "SELECT case_id FROM approvals WHERE id = ?", error);
    if (stmt == NULL)
      return 0;
    sqlite3_bind_int64 (stmt, 1, approval_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      case_id = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    g_clear_pointer (&locker, g_mutex_locker_free);
  }
  if (case_id == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("There is no approval %lld"), (long long) approval_id);
      return 0;
    }
  approvals = op_store_list_approvals (self, case_id, error);
  if (approvals == NULL)
    return 0;
  for (guint i = 0; i < approvals->len; i++)
    if (((OpApproval *) approvals->pdata[i])->id == approval_id)
      found = g_ptr_array_steal_index (approvals, i);
  g_assert (found != NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return 0;
  if (!op__outbox_add_locked (self, found, error))
    {
      op__store_rollback (self);
      return 0;
    }
  {
    gint64 id;

    /* The audit row was inserted after the outbox row, so the last rowid
     * is the audit's: read the id back by the approval instead. */
    stmt = op__store_prepare (self, "SELECT id FROM outbox WHERE approval_id = ?", error);
    if (stmt == NULL)
      {
        op__store_rollback (self);
        return 0;
      }
    sqlite3_bind_int64 (stmt, 1, approval_id);
    id = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
    sqlite3_finalize (stmt);
    if (!op__store_commit (self, error))
      return 0;
    return id;
  }
}

/* What the worker commits. */

GArray *
op__outbox_pending_ids (OpStore  *self,
                        gint64    only_id,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = op__store_prepare (self,
                            only_id > 0 ? "SELECT id FROM outbox WHERE state = 'pending' AND id = ?"
                                        : "SELECT id FROM outbox WHERE state = 'pending' ORDER BY id",
                            error);
  if (stmt == NULL)
    return NULL;
  if (only_id > 0)
    sqlite3_bind_int64 (stmt, 1, only_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the outbox failed"));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

gboolean
op__outbox_row_owner (OpStore  *self,
                      gint64    id,
                      gint64   *out_location_id,
                      gint64   *out_patient_id,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT o.location_id, c.patient_id FROM outbox o JOIN cases c ON c.id = o.case_id "
                                          "WHERE o.id = ?",
                                          error);
  gboolean ok = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_location_id = sqlite3_column_int64 (stmt, 0);
      *out_patient_id = sqlite3_column_int64 (stmt, 1);
      ok = TRUE;
    }
  else
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("There is no outbox entry %lld"), (long long) id);
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
op__outbox_mark_sending (OpStore     *self,
                         gint64       id,
                         const char  *connector,
                         const char  *remote_patient,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *now = op__store_now ();

  if (!op__store_begin (self, error))
    return FALSE;
  if (!exec_update (self,
                    "UPDATE outbox SET in_flight = 1, attempts = attempts + 1, connector = ?, remote_patient = ?, "
                    "updated_at = ? WHERE id = ? AND state = 'pending'",
                    _("Marking the outbox entry as sending failed"), error, "sssi", connector, remote_patient, now, id))
    {
      op__store_rollback (self);
      return FALSE;
    }
  if (sqlite3_changes (self->db) != 1)
    {
      op__store_rollback (self);
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("Outbox entry %lld is no longer pending; it was not sent"), (long long) id);
      return FALSE;
    }
  return op__store_commit (self, error);
}

gboolean
op__outbox_record (OpStore     *self,
                   gint64       id,
                   char       **remote_ids,
                   guint        n,
                   gboolean     in_flight,
                   const char  *last_error,
                   gboolean    *out_posted,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *ids = remote_ids_json (remote_ids, n);
  gboolean all = n > 0;

  *out_posted = FALSE;
  for (guint i = 0; i < n; i++)
    if (remote_ids[i] == NULL || remote_ids[i][0] == '\0')
      all = FALSE;

  if (!op__store_begin (self, error))
    return FALSE;
  e = get_locked (self, id, error);
  if (e == NULL)
    goto rollback;

  if (!all)
    {
      if (!exec_update (self, "UPDATE outbox SET remote_ids = ?, in_flight = ?, reason = ?, updated_at = ? WHERE id = ?",
                        _("Recording the post failed"), error, "sissi", ids, (gint64) (in_flight ? 1 : 0),
                        last_error, now, id))
        goto rollback;
      return op__store_commit (self, error);
    }

  if (!exec_update (self,
                    "UPDATE outbox SET remote_ids = ?, in_flight = 0, state = 'posted', reason = NULL, updated_at = ?, "
                    "posted_at = ? WHERE id = ?",
                    _("Recording the post failed"), error, "sssi", ids, now, now, id))
    goto rollback;

  /* The case moves on only from approved: an archived case stays archived,
   * and a second approval's post finds the case already posted. */
  if (!exec_update (self, "UPDATE cases SET status = 'posted', updated_at = ? WHERE id = ? AND status = 'approved'",
                    _("Moving the case to posted failed"), error, "si", now, e->case_id))
    goto rollback;
  {
    g_autofree char *detail = g_strdup_printf ("outbox %lld posted through %s, patient %s, records %s, key %s",
                                               (long long) id, e->connector ? e->connector : "?",
                                               e->remote_patient ? e->remote_patient : "-", ids, e->idempotency_key);

    if (!audit_case (self, "case.posted", e->case_id, detail, error))
      goto rollback;
  }
  if (!op__store_commit (self, error))
    return FALSE;
  *out_posted = TRUE;
  return TRUE;

rollback:
  op__store_rollback (self);
  return FALSE;
}

gboolean
op__outbox_needs_attention (OpStore     *self,
                            gint64       id,
                            const char  *reason,
                            gboolean     in_flight,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *detail = NULL;

  if (!op__store_begin (self, error))
    return FALSE;
  e = get_locked (self, id, error);
  if (e == NULL)
    goto rollback;
  if (!exec_update (self,
                    "UPDATE outbox SET state = 'needs-attention', reason = ?, in_flight = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'pending'",
                    _("Recording the outbox problem failed"), error, "sisi", reason, (gint64) (in_flight ? 1 : 0),
                    now, id))
    goto rollback;
  detail = g_strdup_printf ("outbox %lld needs attention: %s", (long long) id, reason);
  if (!audit_case (self, "case.post-needs-attention", e->case_id, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}
