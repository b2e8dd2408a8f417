/* op-store-private.h: what the op-store-*.c files share.
 *
 * Locking rule: every public op_store_* function takes self->lock for its
 * whole duration, and the op__store_* helpers below expect it to be held.
 * SQLITE_OPEN_FULLMUTEX only serialises single calls; the GMutex keeps a
 * multi-statement transaction from one thread from interleaving with
 * statements from another thread on the same connection.
 */
#pragma once

#include <sqlite3.h>

#include "op-store.h"

G_BEGIN_DECLS

struct _OpStore
{
  GObject   parent_instance;

  /* owned */
  char     *path;
  char     *actor;
  sqlite3  *db;
  GMutex    lock;
  int       schema_version;
  gint64    user_id;      /* the signed-in user (op-store-user.c), or 0 */
};

/* A migration as found in the resource: its number and its SQL. */
typedef struct {
  int         version;
  const char *name;   /* "001-initial.sql", for messages */
  const char *sql;
} OpStoreMigration;

#define OP__STORE_GENESIS_HASH \
  "0000000000000000000000000000000000000000000000000000000000000000"

/* Sets @error to OP_STORE_ERROR_SQL (or _DUPLICATE/_INVALID when SQLite's
 * constraint says so) with "@what: <SQLite's message>". */
void      op__store_set_sql_error   (sqlite3     *db,
                                     GError     **error,
                                     const char  *what);

gboolean  op__store_exec            (OpStore     *self,
                                     const char  *sql,
                                     GError     **error);
sqlite3_stmt *op__store_prepare     (OpStore     *self,
                                     const char  *sql,
                                     GError     **error);

/* BEGIN IMMEDIATE takes the write lock up front, so a second connection
 * waits in busy_timeout instead of failing with SQLITE_BUSY halfway through
 * a transaction it cannot upgrade. */
gboolean  op__store_begin           (OpStore     *self,
                                     GError     **error);
gboolean  op__store_commit          (OpStore     *self,
                                     GError     **error);
void      op__store_rollback        (OpStore     *self);

/* The current time as stored: "2026-11-23T09:41:07Z". */
char     *op__store_now             (void);

/* Runs @migrations (sorted by version) on @db above its user_version, each
 * in its own transaction.  Exposed so that tests can run migrations that
 * are not in the resource. */
gboolean  op__store_run_migrations  (sqlite3                *db,
                                     const OpStoreMigration *migrations,
                                     guint                   n_migrations,
                                     GError                **error);

/* Appends one audit row; the caller holds the lock and, for writes that
 * must be atomic with their audit row, an open transaction. */
/* The patient with these (cleaned) names, birth date and chart number,
 * created and audited when missing.  The caller holds the lock and has a
 * transaction open, so a case and its scans or teeth are written together
 * with their patient.  Returns 0 with @error set on failure. */
gint64    op__store_ensure_patient_locked (OpStore          *self,
                                           const OpPatient  *p,
                                           GError          **error);
gboolean  op__store_audit_locked    (OpStore     *self,
                                     const char  *action,
                                     const char  *object,
                                     const char  *detail,
                                     GError     **error);

/* Writes @to as case @case_id's state, changed at @now, inside the
 * caller's transaction; whether the step is allowed, and its audit row,
 * are the caller's.  FALSE with @error set on failure. */
gboolean  op__store_set_case_status_locked (OpStore     *self,
                                            gint64       case_id,
                                            OpCaseState  to,
                                            const char  *now,
                                            GError     **error);
/* The same, audited as "case.state" with the detail "FROM -> TO @how"
 * ("by plan v2", "as provider"): one state step inside the caller's
 * transaction, for the writes that move a case on as they store. */
gboolean  op__store_step_case_state_locked (OpStore     *self,
                                            gint64       case_id,
                                            OpCaseState  from,
                                            OpCaseState  to,
                                            const char  *how,
                                            const char  *now,
                                            GError     **error);

/* The hash of one audit row in its canonical form (lowercase hex). */
char     *op__store_audit_hash      (const char  *prev_hash,
                                     gint64       seq,
                                     const char  *time,
                                     const char  *actor,
                                     const char  *action,
                                     const char  *object,
                                     const char  *detail);

gint64    op__store_ensure_location_locked (OpStore    *self,
                                            const char *name,
                                            GError    **error);

/* Case-insensitive search across patient fields, registered on every
 * connection as the SQL function op_search_match(query, field...). */
void      op__store_register_functions (sqlite3 *db);

/* Users (op-store-user.c).  The caller holds the lock. */

/* The user row with @login (or, when @login is NULL, with @user_id),
 * including what signing needs; NULL with OP_STORE_ERROR_NOT_FOUND. */
typedef struct {
  OpUser  user;
  char   *password_hash;
  GBytes *public_key;    /* 32 bytes, or NULL */
  GBytes *key_salt;      /* or NULL */
  GBytes *secret_key;    /* sealed, or NULL */
  char   *last_failure_at;
} OpStoreUserRow;

void            op__store_user_row_free    (OpStoreUserRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpStoreUserRow, op__store_user_row_free)

OpStoreUserRow *op__store_get_user_row_locked (OpStore     *self,
                                               const char  *login,
                                               gint64       user_id,
                                               GError     **error);

/* op_store_check_password with the lock held and no transaction open
 * (it writes the failure count in its own). */
OpStoreUserRow *op__store_authenticate_locked (OpStore     *self,
                                               const char  *login,
                                               const char  *password,
                                               GError     **error);

/* Plans as approvals see them.  The canonical bytes of plan @version of
 * case @case_id (0: the latest) and the version found, or NULL with
 * OP_STORE_ERROR_NOT_FOUND.  The caller holds the lock. */
GBytes         *op__store_get_plan_bytes_locked (OpStore     *self,
                                                 gint64       case_id,
                                                 guint        version,
                                                 guint       *out_version,
                                                 GError     **error);
/* The highest plan version of the case, 0 when it has none, -1 on error. */
gint64          op__store_latest_plan_version_locked (OpStore  *self,
                                                      gint64    case_id,
                                                      GError  **error);

/* The teeth table's frame column (op-store-plan.c): twelve numbers, the
 * origin then the mesial, buccal and occlusal axes, written with %.9g so
 * that every bit of a float comes back.  One writer for op-store-plan.c
 * and op-store-teeth.c, so that op_store_load_teeth() reads the rows of
 * both alike. */
/* A column-major 4x4 as 16 shortest round-trip numbers (volumes'
 * transforms, registrations' matrices), and back. */
char           *op__store_matrix_to_text   (const double m[16]);
gboolean        op__store_matrix_from_text (const char  *text,
                                            double       m[16]);
char           *op__store_frame_to_text   (const OpFrame *f);
/* FALSE when @text is not twelve numbers; @f is then partly written. */
gboolean        op__store_frame_from_text (const char    *text,
                                           OpFrame       *f);

G_END_DECLS
