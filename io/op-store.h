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
#include "op-volume.h"
#include "op-segment.h"
#include "op-tooth.h"
#include "op-planner.h"

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
  OP_STORE_ERROR_WRONG_PASSWORD, /* unknown login or wrong password */
  OP_STORE_ERROR_RETRY_LATER, /* too many wrong passwords: wait, then try again */
  OP_STORE_ERROR_CORRUPT,     /* a stored password hash or signing key is damaged */
  OP_STORE_ERROR_BAD_SIGNATURE, /* an approval does not verify for the stored plan */
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
/* The same, also saying how many entries from the start verified and the
 * sequence number of the first broken entry (0 when none is). */
gboolean  op_store_verify_audit_report (OpStore *self,
                                        gint64  *out_n_good,
                                        gint64  *out_first_broken,
                                        GError **error);

/* Users and sign-in (op-store-user.c).
 *
 * A user signs in on a connection with op_store_sign_in; from then on the
 * audit log names that login, and calls that need a role (adding users)
 * read the signed-in user's role from the database inside their own
 * transaction, so a caller cannot claim a role it was not given.  Signing
 * calls (approve, request changes) take the password again. */

typedef struct {
  gint64  id;
  char   *login;
  char   *name;           /* printed name, as on a signature */
  OpRole  role;
  char   *npi;            /* or NULL */
  char   *fingerprint;    /* of the signing key (op_sign_fingerprint), or NULL */
  char   *created_at;     /* ISO 8601 UTC */
  guint   failed_attempts;
} OpUser;

/* A user to add. */
typedef struct {
  const char *login;      /* op_login_check */
  const char *name;       /* not empty */
  OpRole      role;
  const char *npi;        /* required for a provider (op_npi_check), NULL otherwise */
  const char *password;   /* op_password_check */
} OpUserInput;

void      op_user_free            (OpUser      *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpUser, op_user_free)

/* How many users the database holds, or -1 with @error. */
gint64    op_store_count_users    (OpStore     *self,
                                   GError     **error);

/* Adds a user with an Argon2id password hash and a new Ed25519 signing key
 * sealed under the password.  On a database with no users the first must
 * be an administrator and needs no one signed in; after that only a
 * signed-in administrator may add users (OP_STORE_ERROR_PERMISSION
 * otherwise).  Bad fields fail with OP_STORE_ERROR_INVALID naming the field,
 * a login in use with OP_STORE_ERROR_DUPLICATE.  Returns the new id, or 0. */
gint64    op_store_add_user       (OpStore           *self,
                                   const OpUserInput *input,
                                   GError           **error);

/* Array of OpUser, by login. */
GPtrArray *op_store_list_users    (OpStore     *self,
                                   GError     **error);
/* The user with @login, or NULL with OP_STORE_ERROR_NOT_FOUND. */
OpUser   *op_store_get_user       (OpStore     *self,
                                   const char  *login,
                                   GError     **error);

/* Checks @password for @login (op_store_check_password) and makes that user
 * the signed-in user of this connection and its audit actor.  Audited as
 * "user.sign-in", or "user.sign-in-failed". */
OpUser   *op_store_sign_in        (OpStore     *self,
                                   const char  *login,
                                   const char  *password,
                                   GError     **error);
/* Checks @password for @login without signing in.  An unknown login or a
 * wrong password fails with OP_STORE_ERROR_WRONG_PASSWORD and counts a
 * failure (stored, so it holds across programs); after
 * OP_SIGN_IN_FREE_FAILURES failures in a row every try, right or wrong,
 * is refused with OP_STORE_ERROR_RETRY_LATER until
 * op_sign_in_delay_seconds() have passed since the last failure.  The
 * message says how long.  Success resets the count.  Returns the user. */
OpUser   *op_store_check_password (OpStore     *self,
                                   const char  *login,
                                   const char  *password,
                                   GError     **error);
/* Forgets the signed-in user (audited as "user.sign-out"). */
void      op_store_sign_out       (OpStore     *self);
/* A copy of the signed-in user, or NULL when no one is. */
OpUser   *op_store_get_signed_in_user (OpStore *self);

/* Sets a new password for @login after checking the old one, and seals
 * the same signing key under it, so earlier signatures still verify. */
gboolean  op_store_change_password (OpStore    *self,
                                    const char *login,
                                    const char *old_password,
                                    const char *new_password,
                                    GError    **error);

/* Approvals (op-store-approval.c).
 *
 * An approval is an Ed25519 signature, by the provider's own key, over a
 * statement that holds the case, the plan version, the plan's SHA-256, the
 * meaning (op_approval_meaning), the signer's login, printed name and NPI,
 * the time, and the plan's canonical bytes themselves (the layout is
 * described in op-store-approval.c).  So the signature binds who, when,
 * what for and exactly which bytes: a later change to any of them shows. */

typedef struct {
  gint64  id;
  gint64  case_id;
  guint   plan_version;
  gint64  user_id;
  char   *signer_login;
  char   *signer_name;     /* printed name */
  char   *signer_npi;      /* or NULL */
  char   *meaning;         /* "approved treatment plan v3 for production" */
  char   *signed_at;       /* ISO 8601 UTC */
  char   *plan_sha256;     /* lowercase hex of the canonical plan bytes */
  char   *fingerprint;     /* of the public key that signed */
  guint8  public_key[32];
  guint8  signature[64];
} OpApproval;

void      op_approval_free        (OpApproval  *approval);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpApproval, op_approval_free)

/* Signs the case's latest plan and moves the case from in review to
 * approved, in one transaction: the approval is recorded and the state
 * changed, or nothing is.  @password is checked again (with the sign-in
 * throttling) and opens the signer's key.  A role that may not approve
 * fails with OP_STORE_ERROR_PERMISSION whatever the caller shows; a case not
 * in review with OP_STORE_ERROR_INVALID; a case without a plan with
 * OP_STORE_ERROR_NOT_FOUND; a damaged key with OP_STORE_ERROR_CORRUPT.
 * Audited as "case.approve".  Returns the record. */
OpApproval *op_store_approve      (OpStore     *self,
                                   gint64       case_id,
                                   const char  *login,
                                   const char  *password,
                                   GError     **error);

/* Sends the case from in review back to planning (changes requested) with
 * @note (not empty) attached, after checking @password; same role and state
 * rules as approving.  Audited as "case.request-changes" with the note. */
gboolean  op_store_request_changes (OpStore    *self,
                                    gint64      case_id,
                                    const char *login,
                                    const char *password,
                                    const char *note,
                                    GError    **error);

/* Checks the case's latest approval against the plan bytes stored now:
 * the plan hash, the signature, the signer's key, and that no newer plan
 * version was stored after it.  FALSE with OP_STORE_ERROR_NOT_FOUND when
 * the case has no approval, OP_STORE_ERROR_BAD_SIGNATURE (naming what does
 * not match) when it does not verify.  @out_approval (optional) receives
 * the latest approval whenever there is one, valid or not, so that a
 * screen can show who signed what. */
gboolean  op_store_verify_approval (OpStore     *self,
                                    gint64       case_id,
                                    OpApproval **out_approval,
                                    GError     **error);

/* The case's approvals, oldest first (array of OpApproval). */
GPtrArray *op_store_list_approvals (OpStore    *self,
                                    gint64      case_id,
                                    GError    **error);

/* The notes of the case's change requests, oldest first, as
 * "time, login: note" lines in a NULL-terminated array. */
char     **op_store_list_change_requests (OpStore *self,
                                          gint64   case_id,
                                          GError **error);

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
 * Never overwrites: returns the new version number, or 0.  In the same
 * transaction a segmented case becomes planned, and so does a submitted
 * case that has its per-tooth meshes (through segmented); each step is
 * audited as "case.state". */
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

/* Per-tooth meshes for a case that already exists (op-store-teeth.c): all
 * of @teeth in one transaction, or none.  The case must still take scans
 * (op_case_state_accepts_scans) and have no teeth yet
 * (OP_STORE_ERROR_DUPLICATE otherwise).  Audited as "case.add-teeth". */
gboolean     op_store_add_teeth       (OpStore            *self,
                                       gint64              case_id,
                                       const OpToothInput *teeth,
                                       guint               n_teeth,
                                       GError            **error);
/* How many teeth the case has stored, or -1 with @error. */
gint64       op_store_count_teeth     (OpStore      *self,
                                       gint64        case_id,
                                       GError      **error);

/* ---- CT/CBCT volumes (op-store-volume.c) ------------------------------ */

/* What is stored beside the voxels of a volume. */
typedef struct {
  const char *series_uid;
  const char *study_uid;
  const char *description;
  const char *modality;
  guint       n_images;
  int         threshold;         /* automatic isosurface threshold, raw */
  int         factor;            /* 1, or 2 when downsampled */
  double      tilt_deg;
  const char *corrections;       /* "" when nothing was corrected */
  const char *patient_name;      /* as the DICOM headers say; may be NULL */
  const char *patient_id;
  const char *birth_date;
  const char *sex;
  const char *identity_warning;  /* "" when the identity matched the case */
  const char *source_sha256;     /* over the source files, in load order */
} OpVolumeInput;

typedef struct {
  gint64  id;
  gint64  case_id;
  char   *series_uid;
  char   *description;
  char   *modality;
  guint   n_images;
  int     dims[3];
  double  spacing[3];
  int     threshold;
  int     factor;
  double  tilt_deg;
  char   *corrections;
  char   *patient_name;
  char   *patient_id;
  char   *birth_date;
  char   *sex;
  char   *identity_warning;
  char   *voxels_sha256;
  char   *created_at;
} OpVolumeRecord;

void           op_volume_record_free (OpVolumeRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpVolumeRecord, op_volume_record_free)

/* Stores @volume with case @case_id, one row per k plane, in one
 * transaction with its audit row: all of it or nothing.  The case must
 * still accept scans (op_case_state_accepts_scans).  Returns the id. */
gint64         op_store_add_volume    (OpStore             *self,
                                       gint64               case_id,
                                       const OpVolume      *volume,
                                       const OpVolumeInput *input,
                                       GError             **error);
/* Array of OpVolumeRecord for the case, oldest first. */
GPtrArray     *op_store_list_volumes  (OpStore     *self,
                                       gint64       case_id,
                                       GError     **error);
/* The volume as stored; checks the voxels against their sha256. */
OpVolume      *op_store_get_volume    (OpStore     *self,
                                       gint64       volume_id,
                                       GError     **error);

/* ---- Scans registered to a CBCT (op-store-registration.c) ---------- */

typedef struct {
  gint64  id;
  gint64  case_id;
  gint64  scan_id;
  gint64  volume_id;
  double  matrix[16];   /* scan mm -> volume world (LPS) mm, column-major */
  double  rms_mm;
  char   *method;       /* "automatic" or "points" */
  char   *author;
  char   *created_at;
} OpRegistrationRecord;

void     op_registration_record_free (OpRegistrationRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpRegistrationRecord, op_registration_record_free)

/* Stores where scan @scan_id lies in volume @volume_id (both of one
 * case), audited as scan.register.  Never replaces an older one. */
gint64                op_store_add_registration (OpStore     *self,
                                                 gint64       scan_id,
                                                 gint64       volume_id,
                                                 const double matrix[16],
                                                 double       rms_mm,
                                                 const char  *method,
                                                 GError     **error);
/* The scan's latest registration; OP_STORE_ERROR_NOT_FOUND when none. */
OpRegistrationRecord *op_store_get_registration (OpStore  *self,
                                                 gint64    scan_id,
                                                 GError  **error);
/* A case's CBCT as planning uses it: the volume of its newest
 * registration, and for each arch registered to that volume (upper [0],
 * lower [1]) the scan-to-volume map and the volume seen from the scan's
 * frame (op_volume_view; the views borrow @volume's voxels). */
typedef struct {
  OpVolume  *volume;
  gint64     volume_id;
  gboolean   registered[2];
  gint64     registration_id[2];
  double     to_volume[2][16];
  OpVolume   view[2];
} OpCaseCbct;

void        op_case_cbct_free       (OpCaseCbct *cbct);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpCaseCbct, op_case_cbct_free)

/* NULL with no error when no scan of the case was registered. */
OpCaseCbct *op_store_load_case_cbct (OpStore  *self,
                                     gint64    case_id,
                                     GError  **error);
/* Grows @dentition's roots from the CBCT through each arch's
 * registration (op_roots_build_registered); @out_summary (may be NULL)
 * says which teeth grew and which got templates. */
gboolean    op_case_cbct_grow_roots (const OpCaseCbct  *cbct,
                                     OpDentition       *dentition,
                                     char             **out_summary,
                                     GError           **error);
/* Points @options' bone at the views of the registered arches (@cbct may
 * be NULL: no CBCT, both NULL). */
void        op_case_cbct_apply      (const OpCaseCbct *cbct,
                                     OpPlannerOptions *options);

/* ---- Reading the audit log (op-store-audit-query.c) ----------------- */

/* Which entries to list; a zero-initialised filter lists them all. */
typedef struct {
  const char *actor;     /* login as the log names it, or NULL for anyone */
  const char *action;    /* "user.sign-in"; "user." for a whole family; NULL for any */
  gint64      case_id;   /* the case and its scans and volumes, or 0 for any */
  const char *since;     /* UTC, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", inclusive; or NULL */
  const char *until;     /* the same, exclusive; or NULL */
  guint       limit;     /* the newest this many, or 0 for all */
} OpAuditFilter;

typedef struct {
  gint64  seq;
  char   *time;          /* ISO 8601 UTC */
  char   *actor;
  char   *action;
  char   *object;        /* "case:12", "user:3", "scan:40", "volume/2" */
  char   *detail;
  char   *hash;
} OpAuditEntry;

void        op_audit_entry_free       (OpAuditEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpAuditEntry, op_audit_entry_free)

/* The entries matching @filter (NULL: all), newest first, as an array of
 * OpAuditEntry.  Only a signed-in administrator may read the log
 * (OP_STORE_ERROR_PERMISSION otherwise, naming the role); a bound that is
 * not a date or a UTC time fails with OP_STORE_ERROR_INVALID. */
GPtrArray  *op_store_list_audit       (OpStore              *self,
                                       const OpAuditFilter  *filter,
                                       GError              **error);
/* The distinct actors and actions in the log, sorted, for a filter's
 * choices; same permission as op_store_list_audit. */
char      **op_store_list_audit_actors  (OpStore  *self,
                                         GError  **error);
char      **op_store_list_audit_actions (OpStore  *self,
                                         GError  **error);

/* ---- Segmentation versions (op-store-segment.c) ----------------------
 *
 * The labels of one arch scan (0 or an FDI number per vertex of the scan
 * as op_mesh_load_bytes() reads it), stored as numbered versions per scan:
 * the automatic result and each saved correction add one, none is ever
 * changed or deleted (the database refuses too). */

typedef enum {
  OP_SEGMENTATION_AUTOMATIC,
  OP_SEGMENTATION_CORRECTED,
} OpSegmentationSource;

/* "automatic" or "corrected". */
const char *op_segmentation_source_to_string (OpSegmentationSource source);

typedef struct {
  int    fdi;
  float  confidence;   /* 0-1; 1 for a tooth a person drew or confirmed */
  gsize  n_vertices;   /* filled in by the store; ignored on input */
} OpSegmentationTooth;

/* A version to store. */
typedef struct {
  OpSegmentationSource       source;
  gboolean                   upper;
  const gint32              *labels;
  gsize                      n_vertices;
  /* One entry for every tooth number in @labels, no other. */
  const OpSegmentationTooth *teeth;
  guint                      n_teeth;
  /* The version a correction started from (required for a corrected
   * version, 0 for an automatic one). */
  int                        parent_version;
  const char                *note;         /* "reassign 16 -> 17"; may be NULL */
} OpSegmentationInput;

typedef struct {
  gint64                id;
  gint64                scan_id;
  gint64                case_id;
  int                   version;
  int                   parent_version;   /* 0 for none */
  OpSegmentationSource  source;
  char                 *author;
  gboolean              upper;
  gsize                 n_vertices;
  char                 *note;
  char                 *labels_sha256;
  char                 *created_at;       /* ISO 8601 UTC */
  OpSegmentationTooth  *teeth;            /* by FDI */
  guint                 n_teeth;
} OpSegmentationRecord;

void      op_segmentation_record_free (OpSegmentationRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSegmentationRecord, op_segmentation_record_free)

/* Stores @input as the next version of scan @scan_id's labels, with the
 * store's actor as author, in one transaction with its audit entry
 * ("segmentation.create" on "scan:ID"): all of it or nothing.  Refused
 * (OP_STORE_ERROR_INVALID, naming the field) when the labels are not of
 * the scan's jaw (op_seg_labels_check), their count is not the scan's
 * vertex count, they hold no tooth, the confidences do not list exactly
 * the teeth present or leave 0-1, or the parent version does not exist;
 * OP_STORE_ERROR_PERMISSION when the case no longer takes scans
 * (op_case_state_accepts_scans); OP_STORE_ERROR_NOT_FOUND for no such
 * scan.  A submitted case becomes segmented in the same transaction
 * (audited as "case.state").  Returns the new version, or 0. */
int        op_store_add_segmentation  (OpStore                   *self,
                                       gint64                     scan_id,
                                       const OpSegmentationInput *input,
                                       GError                   **error);
/* Stores what op_segment() found on scan @scan_id as its next automatic
 * version: the labels, each tooth's numbering confidence (0 for a label
 * with no tooth of the dentition behind it) and the warnings as the note.
 * Same rules as op_store_add_segmentation().  Returns the version, or 0. */
int        op_store_add_automatic_segmentation (OpStore              *self,
                                                gint64                scan_id,
                                                const OpSegmentation *seg,
                                                GError              **error);
/* The labels of @version (0 for the latest) of the scan, checked against
 * their sha256 (OP_STORE_ERROR_CORRUPT when they differ); @out_n gets
 * their count, @out_record (may be NULL) the version's record.  NULL with
 * OP_STORE_ERROR_NOT_FOUND when there is no such version. */
gint32    *op_store_get_segmentation  (OpStore                *self,
                                       gint64                  scan_id,
                                       int                     version,
                                       gsize                  *out_n,
                                       OpSegmentationRecord  **out_record,
                                       GError                **error);
/* OpSegmentationRecord* of the scan, oldest first (empty when none). */
GPtrArray *op_store_list_segmentations (OpStore               *self,
                                        gint64                 scan_id,
                                        GError               **error);

G_END_DECLS
