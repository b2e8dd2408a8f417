/* op-store.h: the case store, an embedded SQLite database.
 *
 * The schema is built by numbered migrations (data/migrations/NNN-*.sql,
 * compiled into the binary), run one transaction each, with
 * PRAGMA user_version holding the version.  WAL mode, foreign keys on,
 * synchronous=FULL for every transaction, busy_timeout 10 s.
 * Every write is audited in a hash-chained audit table.
 *
 * Threads: every function may be called from any thread; each holds the
 * store's lock for its whole transaction.  Open a second OpStore on the
 * same file for a second connection (another process works too).
 */
#pragma once

#include <gio/gio.h>

#include "op-case.h"
#include "op-mesh-io.h"
#include "op-tooth.h"

G_BEGIN_DECLS

#define OP_TYPE_STORE (op_store_get_type ())
G_DECLARE_FINAL_TYPE (OpStore, op_store, OP, STORE, GObject)

#define OP_STORE_ERROR (op_store_error_quark ())
GQuark op_store_error_quark (void);

typedef enum {
  OP_STORE_ERROR_OPEN,
  OP_STORE_ERROR_SCHEMA,      /* newer than this build, or a failed migration */
  OP_STORE_ERROR_SQL,
  OP_STORE_ERROR_NOT_FOUND,
  OP_STORE_ERROR_DUPLICATE,   /* the same scan bytes already in this case */
  OP_STORE_ERROR_INVALID,     /* a field a person typed is wrong */
  OP_STORE_ERROR_PERMISSION,  /* the role may not do this */
  OP_STORE_ERROR_AUDIT,       /* the audit chain does not verify */
} OpStoreError;

typedef struct {
  gint64  id;
  char   *family_name;
  char   *given_name;
  char   *birth_date;   /* YYYY-MM-DD */
  char   *chart_number; /* or NULL */
} OpPatient;

typedef struct {
  gint64       id;
  gint64       patient_id;
  gint64       location_id;
  OpCaseState  state;
  char        *title;         /* "Last, First" */
  char        *location_name;
  char        *birth_date;
  char        *chart_number;
  char        *created_at;    /* ISO 8601 UTC */
  guint        n_scans;
} OpCaseSummary;

typedef struct {
  gint64        id;
  gint64        case_id;
  OpJaw         jaw;
  OpMeshFormat  format;
  char         *filename;
  char         *sha256;       /* lowercase hex */
  gint64        size;
  gint64        n_vertices;
  gint64        n_triangles;
  char         *created_at;
} OpScanRecord;

/* A scan ready to store: the original bytes and what was learnt parsing them. */
typedef struct {
  OpJaw         jaw;
  const char   *filename;     /* base name shown to people */
  OpMeshFormat  format;
  GBytes       *bytes;
  gsize         n_vertices;
  gsize         n_triangles;
} OpScanInput;

void op_patient_free       (OpPatient     *patient);
void op_case_summary_free  (OpCaseSummary *summary);
void op_scan_record_free   (OpScanRecord  *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPatient, op_patient_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpCaseSummary, op_case_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpScanRecord, op_scan_record_free)

/* $ORTHOPLAN_DB if set, else $XDG_DATA_HOME/orthoplan/orthoplan.db. */
char     *op_store_default_path   (void);

/* Opens (creating when missing) and migrates the database at @path. */
OpStore  *op_store_open           (const char  *path,
                                   GError     **error);
const char *op_store_get_path     (OpStore     *self);
int       op_store_get_schema_version (OpStore *self);

/* The user name written into the audit log for this connection
 * (default: the login name). */
void      op_store_set_actor      (OpStore     *self,
                                   const char  *actor);
/* Borrowed; do not call op_store_set_actor from another thread meanwhile. */
const char *op_store_get_actor    (OpStore     *self);

/* Checks what a person typed for a patient, without touching the
 * database: family and given names not empty after trimming, birth date a
 * real YYYY-MM-DD date from 1900 on and not in the future.  The message
 * names the field ("birth date: 2023-02-30 is not a date"). */
gboolean  op_store_check_patient  (const OpPatient *patient,
                                   GError         **error);

/* Returns the location's id, creating it when missing. */
gint64    op_store_ensure_location (OpStore    *self,
                                    const char *name,
                                    GError    **error);
/* Locations as a NULL-terminated array of names. */
char    **op_store_list_locations (OpStore     *self,
                                   GError     **error);

/* Creates the patient (or reuses one with the same name, birth date and
 * chart number), the case and its scans in one transaction: either all of
 * it is stored or nothing is.  Validates the names and the date.  Returns
 * the new case id, or 0 with @error set. */
gint64    op_store_create_case    (OpStore           *self,
                                   const OpPatient   *patient,
                                   const char        *location,
                                   const OpScanInput *scans,
                                   guint              n_scans,
                                   GError           **error);

/* Adds one scan to an existing case.  The same bytes (by sha256) in the
 * same case fail with OP_STORE_ERROR_DUPLICATE.  Returns the scan id. */
gint64    op_store_add_scan       (OpStore           *self,
                                   gint64             case_id,
                                   const OpScanInput *scan,
                                   GError           **error);

/* Cases matching @search (name, chart number or birth date; NULL for
 * all), newest first.  Array of OpCaseSummary. */
GPtrArray *op_store_list_cases    (OpStore     *self,
                                   const char  *search,
                                   GError     **error);
OpCaseSummary *op_store_get_case  (OpStore     *self,
                                   gint64       case_id,
                                   GError     **error);
/* The patient of a case, or NULL with OP_STORE_ERROR_NOT_FOUND. */
OpPatient *op_store_get_patient   (OpStore     *self,
                                   gint64       patient_id,
                                   GError     **error);

/* Moves the case to @to when the state machine and @role allow it
 * (op_case_role_may_transition), and audits the change.  A step that no
 * one may take fails with OP_STORE_ERROR_INVALID, a step this role may not
 * take with OP_STORE_ERROR_PERMISSION; both carry the planner's reason. */
gboolean  op_store_set_case_state (OpStore     *self,
                                   gint64       case_id,
                                   OpRole       role,
                                   OpCaseState  to,
                                   GError     **error);
/* Array of OpScanRecord for the case, in the order they were added. */
GPtrArray *op_store_list_scans    (OpStore     *self,
                                   gint64       case_id,
                                   GError     **error);
/* The exact bytes that were imported. */
GBytes   *op_store_get_scan_bytes (OpStore     *self,
                                   gint64       scan_id,
                                   GError     **error);

/* Appends to the hash-chained audit log. */
gboolean  op_store_audit          (OpStore     *self,
                                   const char  *action,
                                   const char  *object,
                                   const char  *detail,
                                   GError     **error);
/* Recomputes the chain; FALSE with the first broken sequence in @error. */
gboolean  op_store_verify_audit   (OpStore     *self,
                                   GError     **error);

/* Per-tooth meshes and plan versions (op-store-plan.c). */

/* One tooth file to store: its exact bytes, and its frame when the files
 * came with one. */
typedef struct {
  int           fdi;
  const char   *filename;
  OpMeshFormat  format;
  GBytes       *bytes;
  gboolean      has_frame;
  OpFrame       frame;
} OpToothInput;

typedef struct {
  gint64  case_id;
  int     version;
  int     parent_version;   /* 0 for none */
  char   *author;
  char   *parameters;       /* JSON: what the planner was asked */
  char   *sha256;           /* of the canonical plan bytes */
  char   *created_at;
} OpPlanRecord;

void op_plan_record_free (OpPlanRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPlanRecord, op_plan_record_free)

/* Creates the patient (or reuses the same one), a case and its teeth in
 * one transaction: all of it or nothing.  Returns the case id, or 0. */
gint64       op_store_create_case_from_teeth (OpStore            *self,
                                              const OpPatient    *patient,
                                              const char         *location,
                                              const OpToothInput *teeth,
                                              guint               n_teeth,
                                              GError            **error);
/* The teeth of a case, meshes parsed from the stored bytes, frames where
 * they were stored; @filenames (may be NULL) gets their file names. */
OpDentition *op_store_load_teeth      (OpStore      *self,
                                       gint64        case_id,
                                       GPtrArray    *filenames,
                                       GCancellable *cancellable,
                                       GError      **error);
/* Stores @plan_json (op_plan_encode() bytes) as the case's next version,
 * with @parent_version (0 for none) and @parameters (JSON), audited.
 * Never overwrites: returns the new version number, or 0. */
int          op_store_add_plan        (OpStore      *self,
                                       gint64        case_id,
                                       int           parent_version,
                                       const char   *parameters,
                                       GBytes       *plan_json,
                                       GError      **error);
/* The canonical bytes of @version (0 for the latest). */
GBytes      *op_store_get_plan        (OpStore       *self,
                                       gint64         case_id,
                                       int            version,
                                       OpPlanRecord **out_record,
                                       GError       **error);
/* OpPlanRecord*, oldest first. */
GPtrArray   *op_store_list_plans      (OpStore      *self,
                                       gint64        case_id,
                                       GError      **error);

G_END_DECLS
