/* op-outbox-settings.c: per-location PMS settings, fees, provider ids,
 * patient links, and the key file.
 *
 * Why the keys are not in the database: the database holds the case data,
 * which every user of the practice's machine who runs Orthoplan may read,
 * and it is copied into backups and handed to support.  The Open Dental
 * developer and customer keys let whoever holds them write into the
 * practice's ledger, so they live in a file of their own beside the
 * database, "<database>.pms-keys", created with mode 0600 (owner read and
 * write only) and replaced atomically: other local users cannot read it,
 * and a crash never leaves half a key file.  The keys are never printed,
 * logged or audited; `pms show` says only whether each is set.  A FHIR
 * server's bearer token is the same kind of secret and lives there too.
 *
 * The Open Dental treatment-plan switch is a setting like the others, in
 * pms_settings (migration 009).  It is read when a plan is approved, into
 * the outbox payload, so a change later never alters what an approval
 * posts.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "op-outbox-private.h"

char *
op_outbox_key_file_path (OpStore *self)
{
  const char *path = op_store_get_path (self);

  if (path == NULL || path[0] == '\0' || strcmp (path, ":memory:") == 0)
    return NULL;
  return g_strconcat (path, ".pms-keys", NULL);
}

GKeyFile *
op__outbox_load_keys (OpStore  *self,
                      GError  **error)
{
  g_autofree char *path = op_outbox_key_file_path (self);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (path == NULL)
    return g_steal_pointer (&kf);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN, _("Reading the PMS key file %s failed: %s"),
                   path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&kf);
}

static gboolean
save_keys (OpStore   *self,
           GKeyFile  *kf,
           GError   **error)
{
  g_autofree char *path = op_outbox_key_file_path (self);
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  gboolean ok;

  if (path == NULL)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("PMS keys need a database file; an in-memory database cannot keep them"));
      return FALSE;
    }
  data = g_key_file_to_data (kf, &len, NULL);
  ok = g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &local_error);
  explicit_bzero (data, len);
  if (!ok)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN, _("Writing the PMS key file %s failed: %s"),
                   path, local_error->message);
      return FALSE;
    }
  /* An older file that was replaced keeps no wider mode, but a file made by
   * hand might: narrow it whatever it was. */
  if (g_chmod (path, 0600) != 0)
    {
      int saved = errno;

      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN, _("Restricting the PMS key file %s failed: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("--url: “%s” is not an http or https URL with a host"), url);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_key (const char  *option,
           const char  *key,
           GError     **error)
{
  if (key[0] == '\0' || strlen (key) > 256)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("%s: a key is 1 to 256 characters"), option);
      return FALSE;
    }
  for (const char *p = key; *p; p++)
    if (!g_ascii_isgraph (*p) || *p == '/')
      {
        /* "/" separates the two keys in the Authorization header. */
        g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                     _("%s: a key is printable ASCII without spaces or “/”"), option);
        return FALSE;
      }
  return TRUE;
}

/* RFC 6750's b64token: what an Authorization: Bearer value may hold. */
static gboolean
check_bearer_token (const char  *token,
                    GError     **error)
{
  gsize n = strlen (token);
  gsize i = 0;

  if (n == 0 || n > 8192)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("--bearer-token: a token is 1 to 8192 characters"));
      return FALSE;
    }
  while (i < n && (g_ascii_isalnum (token[i]) || strchr ("-._~+/", token[i]) != NULL))
    i++;
  while (i < n && token[i] == '=')
    i++;
  if (i != n || token[0] == '=')
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("--bearer-token: a token is letters, digits and - . _ ~ + / with “=” only at the end, "
                             "no spaces"));
      return FALSE;
    }
  return TRUE;
}

gboolean
op_outbox_set_settings (OpStore                  *self,
                        const char               *location,
                        const OpPmsSettingsInput *in,
                        GError                  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GKeyFile) keys = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *folder = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *object = NULL;
  OpPmsConnectorKind kind;
  sqlite3_stmt *stmt;
  gint64 location_id;
  gboolean exists = FALSE;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  g_return_val_if_fail (location != NULL && in != NULL, FALSE);

  if (in->connector != NULL && !op_pms_connector_kind_from_string (in->connector, &kind))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("--connector: “%s” is not one of opendental, fhir, file"), in->connector);
      return FALSE;
    }
  if (in->url != NULL && in->url[0] != '\0' && !check_url (in->url, error))
    return FALSE;
  if (in->folder != NULL && in->folder[0] != '\0')
    {
      if (!g_path_is_absolute (in->folder))
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                       _("--folder: “%s” is not an absolute path"), in->folder);
          return FALSE;
        }
      if (!g_file_test (in->folder, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                       _("--folder: %s is not a folder"), in->folder);
          return FALSE;
        }
      folder = g_canonicalize_filename (in->folder, NULL);
    }
  if ((in->developer_key != NULL && !check_key ("--developer-key", in->developer_key, error)) ||
      (in->customer_key != NULL && !check_key ("--customer-key", in->customer_key, error)))
    return FALSE;
  if (in->bearer_token != NULL && in->bearer_token[0] != '\0' && !check_bearer_token (in->bearer_token, error))
    return FALSE;
  if (in->timeout_s != -1 && (in->timeout_s < 1 || in->timeout_s > 600))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("--timeout: %d is not 1 to 600 seconds"),
                   in->timeout_s);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;
  location_id = op__store_ensure_location_locked (self, location, error);
  if (location_id == 0)
    goto rollback;

  stmt = op__store_prepare (self, "SELECT 1 FROM pms_settings WHERE location_id = ?", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, location_id);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (!exists && in->connector == NULL)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("--connector: location “%s” has no PMS yet; say which (opendental, fhir or file)"), location);
      goto rollback;
    }

  /* An upsert, one column at a time, so unset options keep their values. */
  if (!exists)
    {
      stmt = op__store_prepare (self, "INSERT INTO pms_settings (location_id, connector, updated_at) VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        goto rollback;
      sqlite3_bind_int64 (stmt, 1, location_id);
      sqlite3_bind_text (stmt, 2, in->connector, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          op__store_set_sql_error (self->db, error, _("Saving the PMS settings failed"));
          goto rollback;
        }
    }

#define SET_TEXT(column, value) G_STMT_START { \
    stmt = op__store_prepare (self, "UPDATE pms_settings SET " column " = ?, updated_at = ? WHERE location_id = ?", error); \
    if (stmt == NULL) goto rollback; \
    if ((value) != NULL && (value)[0] != '\0') sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT); \
    else sqlite3_bind_null (stmt, 1); \
    sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT); \
    sqlite3_bind_int64 (stmt, 3, location_id); \
    rc = sqlite3_step (stmt); sqlite3_finalize (stmt); \
    if (rc != SQLITE_DONE) { op__store_set_sql_error (self->db, error, _("Saving the PMS settings failed")); goto rollback; } \
  } G_STMT_END
#define SET_INT(column, value) G_STMT_START { \
    stmt = op__store_prepare (self, "UPDATE pms_settings SET " column " = ?, updated_at = ? WHERE location_id = ?", error); \
    if (stmt == NULL) goto rollback; \
    sqlite3_bind_int64 (stmt, 1, value); \
    sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT); \
    sqlite3_bind_int64 (stmt, 3, location_id); \
    rc = sqlite3_step (stmt); sqlite3_finalize (stmt); \
    if (rc != SQLITE_DONE) { op__store_set_sql_error (self->db, error, _("Saving the PMS settings failed")); goto rollback; } \
  } G_STMT_END

  if (in->connector != NULL)
    SET_TEXT ("connector", in->connector);
  if (in->url != NULL)
    SET_TEXT ("url", in->url);
  if (in->folder != NULL)
    SET_TEXT ("folder", folder);
  if (in->clinic_num == 0)
    {
      stmt = op__store_prepare (self, "UPDATE pms_settings SET clinic_num = NULL WHERE location_id = ?", error);
      if (stmt == NULL)
        goto rollback;
      sqlite3_bind_int64 (stmt, 1, location_id);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        goto rollback;
    }
  else if (in->clinic_num > 0)
    SET_INT ("clinic_num", in->clinic_num);
  if (in->retention != -1)
    SET_INT ("retention", in->retention ? 1 : 0);
  if (in->timeout_s != -1)
    SET_INT ("timeout_s", in->timeout_s);
  if (in->treatment_plan != OP_PMS_SWITCH_KEEP)
    SET_INT ("treatment_plan", in->treatment_plan == OP_PMS_SWITCH_ON ? 1 : 0);
#undef SET_TEXT
#undef SET_INT

  object = g_strdup_printf ("location:%" G_GINT64_FORMAT, location_id);
  detail = g_strdup_printf ("pms settings of %s changed:%s%s%s%s%s%s%s%s%s%s", location,
                            in->connector ? " connector" : "", in->url ? " url" : "", in->folder ? " folder" : "",
                            in->developer_key ? " developer-key" : "", in->customer_key ? " customer-key" : "",
                            in->clinic_num != -1 ? " clinic" : "", in->retention != -1 ? " retention" : "",
                            in->timeout_s != -1 ? " timeout" : "", in->bearer_token ? " bearer-token" : "",
                            in->treatment_plan == OP_PMS_SWITCH_ON ? " treatment-plan=yes"
                              : in->treatment_plan == OP_PMS_SWITCH_OFF ? " treatment-plan=no" : "");
  if (!op__store_audit_locked (self, "pms.settings", object, detail, error))
    goto rollback;

  /* The key file is written inside the transaction's span: if it fails,
   * the settings roll back; if the commit then fails, the keys are set for
   * settings that will be typed again, which is harmless. */
  if (in->developer_key != NULL || in->customer_key != NULL || in->bearer_token != NULL)
    {
      keys = op__outbox_load_keys (self, error);
      if (keys == NULL)
        goto rollback;
      if (in->developer_key != NULL)
        g_key_file_set_string (keys, location, "developer-key", in->developer_key);
      if (in->customer_key != NULL)
        g_key_file_set_string (keys, location, "customer-key", in->customer_key);
      if (in->bearer_token != NULL && in->bearer_token[0] != '\0')
        g_key_file_set_string (keys, location, "bearer-token", in->bearer_token);
      else if (in->bearer_token != NULL)
        g_key_file_remove_key (keys, location, "bearer-token", NULL);
      if (!save_keys (self, keys, error))
        goto rollback;
    }
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

OpPmsConfig *
op_outbox_get_config (OpStore     *self,
                      const char  *location,
                      GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpPmsConfig) config = NULL;
  g_autoptr(GKeyFile) keys = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = op__store_prepare (self,
                            "SELECT s.connector, s.url, s.folder, s.clinic_num, s.retention, s.timeout_s, s.treatment_plan "
                            "FROM pms_settings s JOIN locations l ON l.id = s.location_id WHERE l.name = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, location, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      config = g_new0 (OpPmsConfig, 1);
      config->location = g_strdup (location);
      op_pms_connector_kind_from_string ((const char *) sqlite3_column_text (stmt, 0), &config->kind);
      config->url = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      config->folder = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      config->clinic_num = sqlite3_column_int64 (stmt, 3);
      config->retention = sqlite3_column_int (stmt, 4) != 0;
      config->timeout_s = (guint) sqlite3_column_int (stmt, 5);
      config->treatment_plan = sqlite3_column_int (stmt, 6) != 0;
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND,
                 _("Location “%s” has no PMS connection; set one with “orthoplan-cli pms set %s --connector …”"),
                 location, location);
  else
    op__store_set_sql_error (self->db, error, _("Reading the PMS settings failed"));
  sqlite3_finalize (stmt);
  if (config == NULL)
    return NULL;

  keys = op__outbox_load_keys (self, error);
  if (keys == NULL)
    return NULL;
  config->developer_key = g_key_file_get_string (keys, location, "developer-key", NULL);
  config->customer_key = g_key_file_get_string (keys, location, "customer-key", NULL);
  config->bearer_token = g_key_file_get_string (keys, location, "bearer-token", NULL);
  return g_steal_pointer (&config);
}

gboolean
op_outbox_parse_fee (const char *text,
                     gint64     *out_cents)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *p = text;
  gint64 whole = 0, frac = 0;
  int n_frac = 0;

  if (text == NULL)
    return FALSE;
  while (*p == ' ')
    p++;
  if (*p == '$')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; *p && (g_ascii_isdigit (*p) || *p == ','); p++)
    if (*p != ',')
      {
        whole = whole * 10 + (*p - '0');
        if (whole > G_GINT64_CONSTANT (10000000))   /* $10M: a typo, not a fee */
          return FALSE;
      }
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      {
        if (++n_frac > 2)
          return FALSE;
        frac = frac * 10 + (*p - '0');
      }
  while (*p == ' ')
    p++;
  if (*p != '\0')
    return FALSE;
  if (n_frac == 1)
    frac *= 10;
  *out_cents = whole * 100 + frac;
  return TRUE;
}

gboolean
op_outbox_set_fee (OpStore     *self,
                   const char  *location,
                   const char  *code,
                   gint64       fee_cents,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt;
  gint64 location_id;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);

  if (!op_procedure_code_valid (code))
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                   _("CODE: “%s” is not a CDT code (D and four digits, such as D8090)"), code ? code : "");
      return FALSE;
    }
  if (fee_cents < 0)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("FEE: a fee cannot be negative"));
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;
  location_id = op__store_ensure_location_locked (self, location, error);
  if (location_id == 0)
    goto rollback;
  stmt = op__store_prepare (self,
                            "INSERT INTO pms_fees (location_id, code, fee_cents) VALUES (?, ?, ?) "
                            "ON CONFLICT (location_id, code) DO UPDATE SET fee_cents = excluded.fee_cents",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, location_id);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, fee_cents);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Saving the fee failed"));
      goto rollback;
    }
  object = g_strdup_printf ("location:%" G_GINT64_FORMAT, location_id);
  detail = g_strdup_printf ("fee of %s at %s: %" G_GINT64_FORMAT ".%02d", code, location, fee_cents / 100,
                            (int) (fee_cents % 100));
  if (!op__store_audit_locked (self, "pms.fee", object, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

gint64
op_outbox_get_fee (OpStore     *self,
                   const char  *location,
                   const char  *code,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT f.fee_cents FROM pms_fees f JOIN locations l ON l.id = f.location_id "
                                          "WHERE l.name = ? AND f.code = ?",
                                          error);
  gint64 fee = -1;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, location, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    fee = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return fee;
}

char **
op_outbox_list_fees (OpStore     *self,
                     const char  *location,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT f.code, f.fee_cents FROM pms_fees f JOIN locations l ON l.id = f.location_id "
                                          "WHERE l.name = ? ORDER BY f.code",
                                          error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, location, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *s = g_strdup_printf ("%s=%lld", (const char *) sqlite3_column_text (stmt, 0),
                                            (long long) sqlite3_column_int64 (stmt, 1));
      g_strv_builder_add (b, s);
    }
  sqlite3_finalize (stmt);
  return g_strv_builder_end (b);
}

gboolean
op_outbox_set_provider (OpStore     *self,
                        const char  *location,
                        const char  *npi,
                        const char  *remote_id,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt;
  gint64 location_id;
  int rc;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);
  if (!op_npi_check (npi, error))
    return FALSE;
  if (remote_id == NULL || remote_id[0] == '\0')
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID, _("REMOTE_ID: cannot be empty"));
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;
  location_id = op__store_ensure_location_locked (self, location, error);
  if (location_id == 0)
    goto rollback;
  stmt = op__store_prepare (self,
                            "INSERT INTO pms_providers (location_id, npi, remote_id) VALUES (?, ?, ?) "
                            "ON CONFLICT (location_id, npi) DO UPDATE SET remote_id = excluded.remote_id",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, location_id);
  sqlite3_bind_text (stmt, 2, npi, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, remote_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Saving the provider id failed"));
      goto rollback;
    }
  object = g_strdup_printf ("location:%" G_GINT64_FORMAT, location_id);
  detail = g_strdup_printf ("provider NPI %s is %s in the PMS of %s", npi, remote_id, location);
  if (!op__store_audit_locked (self, "pms.provider", object, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

char *
op_outbox_get_provider (OpStore     *self,
                        const char  *location,
                        const char  *npi,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT p.remote_id FROM pms_providers p JOIN locations l ON l.id = p.location_id "
                                          "WHERE l.name = ? AND p.npi = ?",
                                          error);
  char *id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, location, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, npi ? npi : "", -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

static gboolean
store_link_locked (OpStore     *self,
                   gint64       patient_id,
                   gint64       location_id,
                   const char  *remote_id,
                   const char  *confirmed_by,
                   GError     **error)
{
  g_autofree char *now = op__store_now ();
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "INSERT INTO pms_patient_links (patient_id, location_id, remote_id, confirmed_by, "
                                          "confirmed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_id, location_id) DO UPDATE "
                                          "SET remote_id = excluded.remote_id, confirmed_by = excluded.confirmed_by, "
                                          "confirmed_at = excluded.confirmed_at",
                                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, location_id);
  sqlite3_bind_text (stmt, 3, remote_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, confirmed_by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      op__store_set_sql_error (self->db, error, _("Saving the patient link failed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
op__outbox_store_link (OpStore     *self,
                       gint64       patient_id,
                       gint64       location_id,
                       const char  *remote_id,
                       const char  *confirmed_by,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *object = g_strdup_printf ("patient:%" G_GINT64_FORMAT, patient_id);
  g_autofree char *detail = g_strdup_printf ("linked to PMS patient %s (%s)", remote_id, confirmed_by);

  if (!op__store_begin (self, error))
    return FALSE;
  if (!store_link_locked (self, patient_id, location_id, remote_id, confirmed_by, error) ||
      !op__store_audit_locked (self, "pms.patient-link", object, detail, error))
    {
      op__store_rollback (self);
      return FALSE;
    }
  return op__store_commit (self, error);
}

gboolean
op_outbox_link_patient (OpStore     *self,
                        gint64       case_id,
                        const char  *remote_id,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OpUser) user = NULL;
  g_autofree char *now = op__store_now ();
  g_autofree char *object = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *by = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (remote_id ? remote_id : ""));
  sqlite3_stmt *stmt;
  gint64 patient_id = 0, location_id = 0;

  g_return_val_if_fail (OP_IS_STORE (self), FALSE);

  if (trimmed[0] == '\0' || strlen (trimmed) > 64)
    {
      g_set_error_literal (error, OP_STORE_ERROR, OP_STORE_ERROR_INVALID,
                           _("REMOTE_ID: give the patient's id in the PMS (Open Dental PatNum, FHIR Patient id)"));
      return FALSE;
    }
  user = op_store_get_signed_in_user (self);
  by = g_strdup (user ? user->login : op_store_get_actor (self));

  locker = g_mutex_locker_new (&self->lock);
  if (!op__store_begin (self, error))
    return FALSE;
  stmt = op__store_prepare (self, "SELECT patient_id, location_id FROM cases WHERE id = ?", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, case_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      patient_id = sqlite3_column_int64 (stmt, 0);
      location_id = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (patient_id == 0)
    {
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_NOT_FOUND, _("There is no case %lld"), (long long) case_id);
      goto rollback;
    }
  if (!store_link_locked (self, patient_id, location_id, trimmed, by, error))
    goto rollback;
  /* The rows that waited for a person to choose the patient go back to
   * pending; their send count starts again because the cause is fixed. */
  stmt = op__store_prepare (self,
                            "UPDATE outbox SET state = 'pending', attempts = 0, reason = NULL, remote_patient = NULL, "
                            "updated_at = ? WHERE case_id = ? AND state = 'needs-attention'",
                            error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, case_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_finalize (stmt);
      op__store_set_sql_error (self->db, error, _("Re-queueing the case's posts failed"));
      goto rollback;
    }
  sqlite3_finalize (stmt);
  object = g_strdup_printf ("case:%" G_GINT64_FORMAT, case_id);
  detail = g_strdup_printf ("patient %lld confirmed as PMS patient %s by %s", (long long) patient_id, trimmed, by);
  if (!op__store_audit_locked (self, "pms.patient-link", object, detail, error))
    goto rollback;
  return op__store_commit (self, error);

rollback:
  op__store_rollback (self);
  return FALSE;
}

char *
op_outbox_get_patient_link (OpStore  *self,
                            gint64    patient_id,
                            gint64    location_id,
                            GError  **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = op__store_prepare (self,
                                          "SELECT remote_id FROM pms_patient_links WHERE patient_id = ? AND location_id = ?",
                                          error);
  char *id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, location_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}
