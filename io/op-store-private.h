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
gboolean  op__store_audit_locked    (OpStore     *self,
                                     const char  *action,
                                     const char  *object,
                                     const char  *detail,
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

G_END_DECLS
