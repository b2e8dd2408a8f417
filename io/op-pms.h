/* op-pms.h: one interface over the practice management systems (PMS) that
 * approved procedures are posted to.
 *
 * A connector finds patients, maps a provider's NPI to the PMS's own id,
 * posts the procedures of one approval, and reads back which of them the
 * PMS already holds.  Every posted record carries a marker derived from the
 * post's idempotency key (and the procedure's index), so read_back can
 * tell, after a timeout, a 5xx or a crash, whether a request went through:
 * the outbox worker (op-outbox-worker.c) never sends again what read_back
 * finds.  Connectors do blocking I/O and are meant for a worker thread;
 * each call honours @cancellable.  A connector is used by one thread at a
 * time.
 *
 * Three connectors: Open Dental's REST API (op-pms-opendental.c), HL7 FHIR
 * R4 (op-pms-fhir.c) and a file bridge for systems without a write API
 * (op-pms-file.c).
 */
#pragma once

#include <gio/gio.h>

#include "op-match.h"
#include "op-procedure.h"

G_BEGIN_DECLS

#define OP_PMS_ERROR (op_pms_error_quark ())
GQuark op_pms_error_quark (void);

typedef enum {
  OP_PMS_ERROR_AUTH,               /* 401/403: wrong or revoked keys */
  OP_PMS_ERROR_UNREACHABLE,        /* no connection: nothing was sent */
  OP_PMS_ERROR_TIMEOUT,            /* sent, no answer in time: may have gone through */
  OP_PMS_ERROR_CONNECTION_LOST,    /* sent, connection reset before the answer: may have gone through */
  OP_PMS_ERROR_SERVER,             /* 5xx: may have gone through */
  OP_PMS_ERROR_BAD_REQUEST,        /* 4xx the PMS explains: fix the data or settings */
  OP_PMS_ERROR_PATIENT_NOT_FOUND,
  OP_PMS_ERROR_PATIENT_AMBIGUOUS,  /* several candidates: a person must choose */
  OP_PMS_ERROR_PROVIDER_NOT_FOUND,
  OP_PMS_ERROR_UNKNOWN_CODE,       /* the PMS does not know a procedure code */
  OP_PMS_ERROR_CONFIG,             /* the location's settings are incomplete */
  OP_PMS_ERROR_FAILED,             /* anything else (a file that cannot be written) */
} OpPmsError;

/* Whether a request that failed with @error may still have been acted on
 * by the PMS (timeout, connection lost, 5xx): read back before sending again. */
gboolean    op_pms_error_is_uncertain (const GError *error);
/* Whether trying again later may help (the uncertain ones and unreachable). */
gboolean    op_pms_error_is_transient (const GError *error);

typedef enum {
  OP_PMS_CONNECTOR_OPENDENTAL,
  OP_PMS_CONNECTOR_FHIR,
  OP_PMS_CONNECTOR_FILE,
} OpPmsConnectorKind;

const char *op_pms_connector_kind_to_string   (OpPmsConnectorKind kind);  /* "opendental", "fhir", "file" */
gboolean    op_pms_connector_kind_from_string (const char         *str,
                                               OpPmsConnectorKind *out_kind);

/* A location's connection.  Keys are secrets: never print them. */
typedef struct {
  char               *location;
  OpPmsConnectorKind  kind;
  char               *url;            /* base URL (Open Dental, FHIR) */
  char               *folder;         /* file bridge */
  char               *developer_key;  /* Open Dental */
  char               *customer_key;   /* Open Dental */
  gint64              clinic_num;     /* Open Dental ClinicNum, 0 when unset */
  gboolean            retention;      /* also post D8680 */
  guint               timeout_s;      /* per request */
  char               *bearer_token;   /* FHIR: "Authorization: Bearer …", or NULL */
  gboolean            treatment_plan; /* Open Dental: also file the codes in a treatment plan */
} OpPmsConfig;

void         op_pms_config_free (OpPmsConfig *config);
OpPmsConfig *op_pms_config_copy (const OpPmsConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPmsConfig, op_pms_config_free)

/* A patient as the PMS holds one. */
typedef struct {
  char *remote_id;      /* PatNum, FHIR Patient id */
  char *family_name;
  char *given_name;
  char *birth_date;     /* YYYY-MM-DD or NULL */
  char *chart_number;   /* or NULL */
} OpPmsPatient;

void          op_pms_patient_free (OpPmsPatient *patient);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPmsPatient, op_pms_patient_free)

/* One procedure of a post. */
typedef struct {
  char         code[8];
  const char  *description;
  guint        n_sites;
  const int   *sites;        /* FDI */
  gint64       fee_cents;    /* the location's fee; -1 when none is set */
} OpPmsProcedure;

/* What one approval posts.  All strings are borrowed. */
typedef struct {
  const char           *idempotency_key;
  const char           *remote_patient;   /* resolved before post/read_back */
  const char           *remote_provider;  /* resolved before post */
  const char           *proc_date;        /* YYYY-MM-DD */
  gint64                case_id;
  guint                 plan_version;
  const char           *plan_sha256;
  const char           *meaning;
  const char           *signed_at;
  const char           *signer_name;
  const char           *signer_npi;
  const char           *location;
  const char           *dentition;        /* "adult", ... */
  const char           *scope;            /* "limited", "comprehensive" */
  const OpMatchPerson  *patient;          /* Orthoplan's patient */
  guint                 n_procedures;
  const OpPmsProcedure *procedures;
  /* Open Dental only: after the procedures, one treatment plan
   * (POST /treatplans) and one attach per procedure
   * (POST /treatplanattaches).  Their ids follow the procedures' in
   * remote_ids: see op_pms_post_n_records. */
  gboolean              treatment_plan;
} OpPmsPost;

/* How many remote records a complete post holds, so how many entries its
 * remote_ids has: one per procedure, and with a treatment plan one more for
 * the plan (index n_procedures) and one attach per procedure (index
 * n_procedures + 1 + i for procedure i). */
guint           op_pms_post_n_records (const OpPmsPost *post);

typedef struct _OpPmsConnector OpPmsConnector;

typedef struct {
  const char *name;
  /* Candidates for @who (array of OpPmsPatient), or NULL with @error.  NULL
   * in the table when the PMS cannot be searched (the file bridge): the
   * front desk matches the patient there. */
  GPtrArray *(*find_patients) (OpPmsConnector      *self,
                               const OpMatchPerson *who,
                               GCancellable        *cancellable,
                               GError             **error);
  /* The PMS's id for the provider with @npi, or NULL with
   * OP_PMS_ERROR_PROVIDER_NOT_FOUND (or a transport error).  NULL in the
   * table when the PMS takes the NPI itself. */
  char      *(*map_provider)  (OpPmsConnector      *self,
                               const char          *npi,
                               GCancellable        *cancellable,
                               GError             **error);
  /* Posts every record i (op_pms_post_n_records) whose @remote_ids[i] is
   * NULL, in order, and sets @remote_ids[i] (g_strdup) for each one the PMS
   * confirmed.  Stops at the first failure; the ids set until then stay
   * set. */
  gboolean   (*post)          (OpPmsConnector      *self,
                               const OpPmsPost     *post,
                               char               **remote_ids,
                               GCancellable        *cancellable,
                               GError             **error);
  /* Sets @remote_ids[i] for every record the PMS already holds (found by
   * the post's marker), leaving the others as they are. */
  gboolean   (*read_back)     (OpPmsConnector      *self,
                               const OpPmsPost     *post,
                               char               **remote_ids,
                               GCancellable        *cancellable,
                               GError             **error);
  void       (*free)          (OpPmsConnector      *self);
} OpPmsConnectorClass;

struct _OpPmsConnector {
  const OpPmsConnectorClass *klass;
  OpPmsConfig               *config;
};

/* A connector for @config, or NULL with OP_PMS_ERROR_CONFIG naming what is
 * missing (a URL, a key, a folder). */
OpPmsConnector *op_pms_connector_new  (const OpPmsConfig *config,
                                       GError           **error);
void            op_pms_connector_free (OpPmsConnector    *connector);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpPmsConnector, op_pms_connector_free)

/* The marker of procedure @index of a post, as stored in the PMS record:
 * "orthoplan:KEY:INDEX". */
char           *op_pms_marker         (const char        *idempotency_key,
                                       guint              index);
/* The marker of a post's treatment plan: "orthoplan:KEY:plan". */
char           *op_pms_plan_marker    (const char        *idempotency_key);

/* Each connector's constructor (op_pms_connector_new picks one). */
OpPmsConnector *op_pms_opendental_new (const OpPmsConfig *config,
                                       GError           **error);
OpPmsConnector *op_pms_fhir_new       (const OpPmsConfig *config,
                                       GError           **error);
OpPmsConnector *op_pms_file_new       (const OpPmsConfig *config,
                                       GError           **error);

/* The file bridge's output for one post, as written by post: the JSON and
 * CSV documents (the PDF is written from the same post).  Exposed for the
 * tests and the CLI's preview. */
char           *op_pms_file_json      (const OpPmsPost   *post);
char           *op_pms_file_csv       (const OpPmsPost   *post);

G_END_DECLS
