/* op-store.c: opening the case database, its migrations and settings.
 *
 * Cases and scans are in op-store-case.c, the audit chain in
 * op-store-audit.c.
 *
 * Durability choice: the connection runs with synchronous=FULL for every
 * transaction rather than NORMAL with FULL only around approvals and the
 * outbox.  The store writes rarely (an import, a state change, a
 * signature), and in WAL mode FULL costs one fsync of the WAL per commit,
 * which is small next to parsing a scan.  One setting for every transaction
 * also means that no later transaction can forget to raise it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "op-io-resources.h"
#include "op-store-private.h"

#define MIGRATIONS_PATH "/org/orthoplan/io/migrations/"

/* How long a connection waits for another one (another window, the CLI)
 * to finish writing before giving up with "database is locked". */
#define BUSY_TIMEOUT_MS 10000

static void op_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (OpStore, op_store, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, op_store_initable_iface_init))

G_DEFINE_QUARK (op-store-error-quark, op_store_error)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers shared by the op-store-*.c files. */

void
op__store_set_sql_error (sqlite3     *db,
                         GError     **error,
                         const char  *what)
{
  int code = sqlite3_extended_errcode (db);
  const char *msg = sqlite3_errmsg (db);

  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SQL,
                 _("%s: the case database is busy in another program or window; try again in a moment (%s)"),
                 what, msg);
  else if ((code & 0xff) == SQLITE_FULL)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SQL,
                 _("%s: the disk holding the case database is full; free some space and try again"),
                 what);
  else if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_DUPLICATE, "%s: %s", what, msg);
  else if ((code & 0xff) == SQLITE_CONSTRAINT)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, "%s: %s", what, msg);
  else
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SQL, "%s: %s", what, msg);
}

gboolean
op__store_exec (OpStore     *self,
                const char  *sql,
                GError     **error)
{
  char *errmsg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    {
      op__store_set_sql_error (self->db, error, sql);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
op__store_prepare (OpStore     *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      /* A statement that does not prepare is a bug in this file or a
       * schema older than the code, so name the statement. */
      op__store_set_sql_error (self->db, error, _("Preparing a query failed"));
      g_prefix_error (error, "%s: ", sql);
      return NULL;
    }
  return stmt;
}

gboolean
op__store_begin (OpStore  *self,
                 GError  **error)
{
  return op__store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
op__store_commit (OpStore  *self,
                  GError  **error)
{
  if (!op__store_exec (self, "COMMIT", error))
    {
      op__store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
op__store_rollback (OpStore *self)
{
  /* SQLite may already have rolled back on its own (after SQLITE_FULL, for
   * instance); a ROLLBACK then fails harmlessly. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

char *
op__store_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Migrations. */

static int
migration_version (const char *name)
{
  guint64 v = 0;
  char *end = NULL;

  if (!g_ascii_isdigit (name[0]))
    return -1;
  v = g_ascii_strtoull (name, &end, 10);
  if (end == name || *end != '-' || v == 0 || v > G_MAXINT || !g_str_has_suffix (name, ".sql"))
    return -1;
  return (int) v;
}

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const OpStoreMigration *ma = a;
  const OpStoreMigration *mb = b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* Loads every migration compiled into the binary, sorted by number.  The
 * numbers must run 1, 2, 3... with no gap: a gap means a file was left out
 * of data/op-io.gresource.xml, and running past it would build a schema
 * nobody tested. */
static GArray *
load_migrations (GPtrArray  *keep_bytes,
                 GPtrArray  *keep_names,
                 GError    **error)
{
  g_autoptr(GArray) migrations = g_array_new (FALSE, TRUE, sizeof (OpStoreMigration));
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) local_error = NULL;

  /* Referencing the resource keeps its object file, and with it the
   * constructor that registers the resource, in a static link. */
  g_assert (op_io_get_resource () != NULL);

  names = g_resources_enumerate_children (MIGRATIONS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (names == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("This build has no database migrations (%s); it was built incorrectly"),
                   local_error->message);
      return NULL;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS_PATH, names[i], NULL);
      GBytes *bytes;
      OpStoreMigration m = { 0 };

      m.version = migration_version (names[i]);
      if (m.version < 0)
        continue;

      bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return NULL;

      /* GResource data is always followed by a NUL byte, so the SQL can be
       * handed to sqlite3_exec as it is. */
      g_ptr_array_add (keep_bytes, bytes);
      g_ptr_array_add (keep_names, g_strdup (names[i]));
      m.name = g_ptr_array_index (keep_names, keep_names->len - 1);
      m.sql = g_bytes_get_data (bytes, NULL);
      g_array_append_val (migrations, m);
    }

  g_array_sort (migrations, compare_migrations);

  for (guint i = 0; i < migrations->len; i++)
    {
      const OpStoreMigration *m = &g_array_index (migrations, OpStoreMigration, i);

      if (m->version != (int) i + 1)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                       _("Database migration %s is out of sequence: expected number %u; this build is broken"),
                       m->name, i + 1);
          return NULL;
        }
    }

  return g_steal_pointer (&migrations);
}

static gboolean
read_user_version (sqlite3  *db,
                   int      *out_version,
                   GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    {
      op__store_set_sql_error (db, error, _("Reading the schema version failed"));
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      op__store_set_sql_error (db, error, _("Reading the schema version failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
op__store_run_migrations (sqlite3                *db,
                          const OpStoreMigration *migrations,
                          guint                   n_migrations,
                          GError                **error)
{
  int current;

  if (!read_user_version (db, &current, error))
    return FALSE;

  for (guint i = 0; i < n_migrations; i++)
    {
      const OpStoreMigration *m = &migrations[i];
      g_autofree char *set_version = NULL;
      char *errmsg = NULL;

      if (m->version <= current)
        continue;

      /* One transaction per migration, the version bump inside it: a
       * migration either happened completely, version included, or not at
       * all, and the next open retries it. */
      set_version = g_strdup_printf ("PRAGMA user_version = %d", m->version);
      if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, &errmsg) != SQLITE_OK ||
          sqlite3_exec (db, m->sql, NULL, NULL, &errmsg) != SQLITE_OK ||
          sqlite3_exec (db, set_version, NULL, NULL, &errmsg) != SQLITE_OK ||
          sqlite3_exec (db, "COMMIT", NULL, NULL, &errmsg) != SQLITE_OK)
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                       _("Upgrading the case database with migration %s failed: %s; the database was left at schema version %d"),
                       m->name, errmsg ? errmsg : sqlite3_errmsg (db), current);
          sqlite3_free (errmsg);
          if (!sqlite3_get_autocommit (db))
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      current = m->version;
    }

  return TRUE;
}

/* Opening. */

static gboolean
query_text_pragma (sqlite3    *db,
                   const char *sql,
                   char      **out_value)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      ok = TRUE;
    }
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
op_store_initable_init (GInitable     *initable,
                        GCancellable  *cancellable,
                        GError       **error)
{
  OpStore *self = OP_STORE (initable);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) keep_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) keep_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) migrations = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *journal_mode = NULL;
  int version = 0;
  int known;
  int rc;

  if (self->path == NULL || self->path[0] == '\0')
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN,
                   _("No path was given for the case database"));
      return FALSE;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN,
                   _("Could not create the folder %s for the case database: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN,
                   _("Could not open the case database %s: %s"),
                   self->path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* The version check comes before anything that could write, journal
   * mode included, so that a database from a newer Orthoplan is left
   * exactly as it was. */
  if (!read_user_version (self->db, &version, &local_error))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN,
                   _("%s is not a case database this program can read: %s"),
                   self->path, local_error->message);
      goto out_free;
    }

  migrations = load_migrations (keep_bytes, keep_names, error);
  if (migrations == NULL)
    goto out_free;

  known = (int) migrations->len;
  if (version > known)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_SCHEMA,
                   _("The case database %s has schema version %d, but this version of Orthoplan only knows up to %d. "
                     "It was written by a newer Orthoplan; update Orthoplan to open it. The database was not changed."),
                   self->path, version, known);
      goto out_free;
    }

  if (!op__store_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !op__store_exec (self, "PRAGMA synchronous = FULL", error))
    goto out_free;

  /* journal_mode answers with the mode in force; a database on a file
   * system without shared memory stays in its old mode, which works but
   * blocks readers during writes, so say so rather than fail.  An
   * in-memory database (":memory:", for tests and previews) has no WAL and
   * needs none. */
  if (!query_text_pragma (self->db, "PRAGMA journal_mode = WAL", &journal_mode))
    {
      op__store_set_sql_error (self->db, error, _("Switching the case database to WAL mode failed"));
      goto out_free;
    }
  if (g_ascii_strcasecmp (journal_mode, "wal") != 0 && g_ascii_strcasecmp (journal_mode, "memory") != 0)
    g_warning ("%s: journal mode is %s, not WAL; readers will wait for writers", self->path, journal_mode);

  op__store_register_functions (self->db);

  if (!op__store_run_migrations (self->db, (const OpStoreMigration *) migrations->data,
                                 migrations->len, error))
    goto out_free;

  if (!read_user_version (self->db, &self->schema_version, error))
    goto out_free;

  return TRUE;

out_free:
  g_clear_pointer (&self->db, sqlite3_close_v2);
  return FALSE;
}

static void
op_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = op_store_initable_init;
}

static void
op_store_finalize (GObject *object)
{
  OpStore *self = OP_STORE (object);

  /* Every statement is finalized where it was prepared, so close_v2
   * closes at once; in WAL mode the last connection also checkpoints. */
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->actor, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (op_store_parent_class)->finalize (object);
}

static void
op_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  OpStore *self = OP_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  OpStore *self = OP_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
op_store_class_init (OpStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = op_store_finalize;
  object_class->get_property = op_store_get_property;
  object_class->set_property = op_store_set_property;

  /* Construct-only: a store is one database for its whole life. */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
op_store_init (OpStore *self)
{
  g_mutex_init (&self->lock);
  self->actor = g_strdup (g_get_user_name ());
}

/* Public API. */

char *
op_store_default_path (void)
{
  const char *env = g_getenv ("ORTHOPLAN_DB");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "orthoplan", "orthoplan.db", NULL);
}

OpStore *
op_store_open (const char  *path,
               GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (OP_TYPE_STORE, NULL, error, "path", path, NULL);
}

const char *
op_store_get_path (OpStore *self)
{
  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  return self->path;
}

int
op_store_get_schema_version (OpStore *self)
{
  g_return_val_if_fail (OP_IS_STORE (self), -1);

  return self->schema_version;
}

void
op_store_set_actor (OpStore    *self,
                    const char *actor)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (OP_IS_STORE (self));

  locker = g_mutex_locker_new (&self->lock);
  g_free (self->actor);
  self->actor = g_strdup (actor != NULL && actor[0] != '\0' ? actor : g_get_user_name ());
}

const char *
op_store_get_actor (OpStore *self)
{
  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  return self->actor;
}

/* Locations. */

gint64
op__store_ensure_location_locked (OpStore    *self,
                                  const char *name,
                                  GError    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));
  g_autofree char *now = NULL;
  g_autofree char *object = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  if (trimmed[0] == '\0')
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("location: must not be empty"));
      return 0;
    }

  stmt = op__store_prepare (self, "SELECT id FROM locations WHERE name = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    op__store_set_sql_error (self->db, error, _("Looking up the location failed"));
  sqlite3_finalize (stmt);
  if (id != 0 || rc != SQLITE_DONE)
    return id;

  now = op__store_now ();
  stmt = op__store_prepare (self, "INSERT INTO locations (name, created_at) VALUES (?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Creating the location failed"));
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (self->db);

  object = g_strdup_printf ("location:%" G_GINT64_FORMAT, id);
  if (!op__store_audit_locked (self, "location.create", object, trimmed, error))
    return 0;

  return id;
}

gint64
op_store_ensure_location (OpStore    *self,
                          const char *name,
                          GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 id;

  g_return_val_if_fail (OP_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  locker = g_mutex_locker_new (&self->lock);

  if (!op__store_begin (self, error))
    return 0;
  id = op__store_ensure_location_locked (self, name, error);
  if (id == 0)
    {
      op__store_rollback (self);
      return 0;
    }
  if (!op__store_commit (self, error))
    return 0;
  return id;
}

char **
op_store_list_locations (OpStore  *self,
                         GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);

  stmt = op__store_prepare (self, "SELECT name FROM locations ORDER BY name COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Listing the locations failed"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);

  return g_strv_builder_end (builder);
}

/* Record types. */

void
op_patient_free (OpPatient *patient)
{
  if (patient == NULL)
    return;
  g_free (patient->family_name);
  g_free (patient->given_name);
  g_free (patient->birth_date);
  g_free (patient->chart_number);
  g_free (patient);
}

void
op_case_summary_free (OpCaseSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->title);
  g_free (summary->location_name);
  g_free (summary->birth_date);
  g_free (summary->chart_number);
  g_free (summary->created_at);
  g_free (summary);
}

void
op_scan_record_free (OpScanRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->filename);
  g_free (record->sha256);
  g_free (record->created_at);
  g_free (record);
}
