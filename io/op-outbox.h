/* op-outbox.h: posting approved plans to the practice management system,
 * exactly once.
 *
 * op_store_approve writes one outbox row in the approval's own transaction
 * (op-outbox.c's hook), so an approval is never without its post and a post
 * never without its approval.  A worker (op_outbox_run, op-outbox-worker.c)
 * sends the rows through the location's connector (op-pms.h) with retries
 * and backoff.  A row is marked "in flight" and committed before each
 * request; after a timeout, a 5xx or a crash the worker first reads back
 * from the PMS which procedures arrived, and sends only the others.  Every
 * remote record carries the row's idempotency key, so a repeat is found
 * instead of posted twice.
 *
 * States, as the case shows them: pending, posted, needs-attention (with a
 * reason a person can act on).  A person's retry puts a row that needs
 * attention back to pending.
 *
 * Per-location settings (connector, URL, folder, clinic number, retention,
 * fees per code, provider ids) are in the store; the Open Dental keys and
 * the FHIR bearer token are in a separate file beside the database, mode
 * 0600 (see op-outbox-settings.c), and so, for now, is the Open Dental
 * treatment-plan switch (see there why).
 */
#pragma once

#include "op-pms.h"
#include "op-store.h"

G_BEGIN_DECLS

typedef enum {
  OP_OUTBOX_PENDING,
  OP_OUTBOX_POSTED,
  OP_OUTBOX_NEEDS_ATTENTION,
} OpOutboxState;

const char *op_outbox_state_to_string   (OpOutboxState  state);  /* "pending", "posted", "needs-attention" */
gboolean    op_outbox_state_from_string (const char    *str,
                                         OpOutboxState *out_state);

typedef struct {
  gint64          id;
  gint64          approval_id;
  gint64          case_id;
  char           *location;
  char           *connector;        /* at the last attempt, or NULL */
  char           *payload;          /* JSON */
  char           *idempotency_key;
  OpOutboxState   state;
  char           *reason;           /* or NULL */
  guint           attempts;         /* requests that posted (or may have) */
  gboolean        in_flight;
  char          **remote_ids;       /* one per procedure; "" for not posted yet */
  char           *remote_patient;   /* or NULL */
  char           *created_at;
  char           *updated_at;
  char           *posted_at;        /* or NULL */
} OpOutboxEntry;

void        op_outbox_entry_free (OpOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpOutboxEntry, op_outbox_entry_free)

/* Array of OpOutboxEntry, oldest first; @case_id 0 for every case. */
GPtrArray     *op_outbox_list     (OpStore     *store,
                                   gint64       case_id,
                                   GError     **error);
OpOutboxEntry *op_outbox_get      (OpStore     *store,
                                   gint64       id,
                                   GError     **error);

/* Puts a row that needs attention back to pending with its send count
 * reset (a person fixed the cause).  A posted row cannot be retried
 * (OP_STORE_ERROR_INVALID); a pending one is left as it is.  The in-flight
 * mark is kept, so an uncertain send is still read back first.  Audited. */
gboolean       op_outbox_retry    (OpStore     *store,
                                   gint64       id,
                                   GError     **error);

/* Adds the outbox row for an approval that has none (one made before the
 * outbox existed).  Returns the row id, or 0 with @error;
 * OP_STORE_ERROR_DUPLICATE when the approval already has its row. */
gint64         op_outbox_enqueue  (OpStore     *store,
                                   gint64       approval_id,
                                   GError     **error);

/* Settings. */

/* A yes/no setting that an update may leave as it is.  KEEP is zero so
 * that an input initialised with { 0 } changes nothing. */
typedef enum {
  OP_PMS_SWITCH_KEEP = 0,
  OP_PMS_SWITCH_OFF,
  OP_PMS_SWITCH_ON,
} OpPmsSwitch;

/* What `pms set` changes; NULL (or -1, or OP_PMS_SWITCH_KEEP) fields keep
 * what is stored. */
typedef struct {
  const char         *connector;      /* "opendental", "fhir", "file"; required the first time */
  const char         *url;
  const char         *folder;
  const char         *developer_key;
  const char         *customer_key;
  gint64              clinic_num;     /* -1: keep, 0: none */
  int                 retention;      /* -1: keep, 0/1 */
  int                 timeout_s;      /* -1: keep */
  const char         *bearer_token;   /* FHIR; "" removes it */
  OpPmsSwitch         treatment_plan; /* Open Dental treatment plans */
} OpPmsSettingsInput;

/* Validates and stores a location's connection (creating the location when
 * missing), keys into the key file.  The message names the option at
 * fault ("--url: ftp://x is not an http or https URL").  Audited without
 * the keys. */
gboolean       op_outbox_set_settings (OpStore                  *store,
                                       const char               *location,
                                       const OpPmsSettingsInput *input,
                                       GError                  **error);
/* The location's connection with its keys, or NULL with
 * OP_STORE_ERROR_NOT_FOUND when none is set. */
OpPmsConfig   *op_outbox_get_config   (OpStore     *store,
                                       const char  *location,
                                       GError     **error);
/* Sets the fee (in cents) of @code at @location.  Audited. */
gboolean       op_outbox_set_fee      (OpStore     *store,
                                       const char  *location,
                                       const char  *code,
                                       gint64       fee_cents,
                                       GError     **error);
/* The fee of @code at @location in cents, or -1 when none is set. */
gint64         op_outbox_get_fee      (OpStore     *store,
                                       const char  *location,
                                       const char  *code,
                                       GError     **error);
/* "CODE=CENTS" strings, by code. */
char         **op_outbox_list_fees    (OpStore     *store,
                                       const char  *location,
                                       GError     **error);
/* Records the PMS id of the provider with @npi at @location. */
gboolean       op_outbox_set_provider (OpStore     *store,
                                       const char  *location,
                                       const char  *npi,
                                       const char  *remote_id,
                                       GError     **error);
/* The recorded PMS id of @npi at @location, or NULL. */
char          *op_outbox_get_provider (OpStore     *store,
                                       const char  *location,
                                       const char  *npi,
                                       GError     **error);

/* Parses a fee typed by a person ("1250", "1250.5", "1,250.00") into
 * cents; FALSE for anything else or a negative fee. */
gboolean       op_outbox_parse_fee    (const char  *text,
                                       gint64      *out_cents);

/* Patient links. */

/* Confirms that the case's patient is @remote_id in the PMS of the case's
 * location, by the signed-in user (or the connection's actor), and puts
 * that case's rows that need attention back to pending.  Audited. */
gboolean       op_outbox_link_patient (OpStore     *store,
                                       gint64       case_id,
                                       const char  *remote_id,
                                       GError     **error);
/* The confirmed PMS id of @patient_id at @location_id, or NULL. */
char          *op_outbox_get_patient_link (OpStore *store,
                                           gint64   patient_id,
                                           gint64   location_id,
                                           GError **error);

/* The key file beside the database: "<database>.pms-keys". */
char          *op_outbox_key_file_path (OpStore    *store);

/* The worker (op-outbox-worker.c). */

typedef struct {
  guint      n_threads;       /* rows posted at once; 0 for 1 */
  OpBackoff  backoff;         /* zero for op_backoff_default */
  guint64    seed;            /* of the jitter */
  guint      max_tries;       /* failed requests of any kind per row and run before it needs attention; 0: 4 x max_attempts */
  guint      timeout_s;       /* overrides the locations' request timeout when > 0 */
  /* Called after a post's requests returned and before their outcome is
   * committed.  Returning FALSE stops the whole run there, committing
   * nothing more, as a crash would: the tests use it to kill the worker
   * between sending and committing. */
  gboolean (*after_send) (gint64   outbox_id,
                          gpointer user_data);
  gpointer   user_data;
} OpOutboxRunOptions;

typedef struct {
  guint rows;           /* rows looked at */
  guint posted;
  guint needs_attention;
  guint still_pending;  /* left pending (aborted or cancelled) */
  guint sends;          /* post calls */
  guint read_backs;
  guint found_by_read_back;  /* records (procedures, plans, attaches) that a read-back found already posted */
  gboolean aborted;     /* after_send stopped the run */
} OpOutboxRunStats;

/* Posts every pending row (or only @only_id when > 0), each until it is
 * posted or needs attention, on options->n_threads threads.  Only one
 * worker runs per database at a time (a lock file beside it, released by
 * the system when a process dies); a second fails with
 * OP_STORE_ERROR_RETRY_LATER.  Returns FALSE only for a failure of the
 * store or the lock: what happened to each row is in the rows and @stats. */
gboolean       op_outbox_run      (OpStore                  *store,
                                   gint64                    only_id,
                                   const OpOutboxRunOptions *options,
                                   OpOutboxRunStats         *stats,
                                   GCancellable             *cancellable,
                                   GError                  **error);

G_END_DECLS
