/* op-outbox-worker.c: posts pending outbox rows, exactly once.
 *
 * One row at a time per thread:
 *   1. When the row is "in flight" (a request may have reached the PMS and
 *      its outcome was never committed: a timeout, a 5xx, a lost
 *      connection, or a crash between sending and committing), read back
 *      from the PMS which procedures it holds, record them, and clear the
 *      mark.  Nothing is sent before that.
 *   2. Find the patient (a confirmed link, else the connector's search and
 *      planner/op-match's strict rule) and the provider (a recorded id,
 *      else by NPI).
 *   3. Commit "in flight" with the send count, then send the procedures
 *      that have no remote id yet, then commit what came back.
 * A failure that may have gone through keeps the mark, so step 1 runs
 * before the next send; one that certainly did not (unreachable) clears
 * it; one a person must fix (keys, an unknown code, no such patient)
 * moves the row to needs-attention with the PMS's own reason.  Waits
 * between tries follow planner/op-procedure's backoff with seeded jitter.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "op-outbox-private.h"

typedef struct {
  OpStore             *store;
  OpOutboxRunOptions   options;
  GCancellable        *cancellable;
  OpOutboxRunStats    *stats;
  GMutex               lock;      /* stats and rng */
  guint64              rng;
  gint                 aborted;   /* atomic */
} Run;

/* The payload as the approval hook wrote it. */
typedef struct {
  JsonParser     *parser;
  JsonObject     *root;
  OpMatchPerson   patient;
  GArray         *procedures;   /* OpPmsProcedure */
  GPtrArray      *sites;        /* int arrays the procedures point into */
  gint64          patient_id;
  const char     *problem;
} Payload;

static void
payload_clear (Payload *p)
{
  g_clear_object (&p->parser);
  g_clear_pointer (&p->procedures, g_array_unref);
  g_clear_pointer (&p->sites, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Payload, payload_clear)

static const char *
member_str (JsonObject *o,
            const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n) : NULL;
}

static gboolean
parse_payload (const char  *text,
               Payload     *p,
               GError     **error)
{
  JsonObject *patient;
  JsonArray *procs;

  p->parser = json_parser_new ();
  if (!json_parser_load_from_data (p->parser, text, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p->parser)))
    {
      g_set_error_literal (error, OP_PMS_ERROR, OP_PMS_ERROR_FAILED, _("The outbox payload is not a JSON object"));
      return FALSE;
    }
  p->root = json_node_get_object (json_parser_get_root (p->parser));
  p->problem = member_str (p->root, "problem");
  p->patient_id = json_object_get_int_member_with_default (p->root, "patient_id", 0);
  patient = json_object_has_member (p->root, "patient") ? json_object_get_object_member (p->root, "patient") : NULL;
  p->patient.family_name = member_str (patient, "family_name");
  p->patient.given_name = member_str (patient, "given_name");
  p->patient.birth_date = member_str (patient, "birth_date");
  p->patient.chart_number = member_str (patient, "chart_number");

  p->procedures = g_array_new (FALSE, TRUE, sizeof (OpPmsProcedure));
  p->sites = g_ptr_array_new_with_free_func (g_free);
  procs = json_object_has_member (p->root, "procedures") ? json_object_get_array_member (p->root, "procedures") : NULL;
  for (guint i = 0; procs != NULL && i < json_array_get_length (procs); i++)
    {
      JsonObject *o = json_array_get_object_element (procs, i);
      JsonArray *s = o && json_object_has_member (o, "sites") ? json_object_get_array_member (o, "sites") : NULL;
      OpPmsProcedure proc = { { 0 } };
      int *sites;

      if (o == NULL || !op_procedure_code_valid (member_str (o, "code")))
        {
          g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_FAILED, _("The outbox payload's procedure %u has no valid code"), i);
          return FALSE;
        }
      g_strlcpy (proc.code, member_str (o, "code"), sizeof proc.code);
      proc.description = member_str (o, "description");
      proc.n_sites = s ? json_array_get_length (s) : 0;
      sites = g_new0 (int, MAX (proc.n_sites, 1));
      for (guint k = 0; k < proc.n_sites; k++)
        sites[k] = (int) json_array_get_int_element (s, k);
      proc.sites = sites;
      proc.fee_cents = -1;
      g_ptr_array_add (p->sites, sites);
      g_array_append_val (p->procedures, proc);
    }
  return TRUE;
}

static void
count (Run   *run,
       guint *field)
{
  g_mutex_lock (&run->lock);
  (*field)++;
  g_mutex_unlock (&run->lock);
}

static gboolean
stopped (Run *run)
{
  return g_atomic_int_get (&run->aborted) || g_cancellable_is_cancelled (run->cancellable);
}

/* Waits the backoff for the @retry-th retry, in short slices so that a
 * cancel or an abort ends the wait at once. */
static void
wait_backoff (Run   *run,
              guint  retry)
{
  double delay;
  gint64 end;

  g_mutex_lock (&run->lock);
  delay = op_backoff_delay (&run->options.backoff, retry, &run->rng);
  g_mutex_unlock (&run->lock);
  end = g_get_monotonic_time () + (gint64) (delay * G_USEC_PER_SEC);
  while (!stopped (run) && g_get_monotonic_time () < end)
    g_usleep (MIN (20000, MAX (0, end - g_get_monotonic_time ())));
}

static void
needs_attention (Run         *run,
                 gint64       id,
                 const char  *reason,
                 gboolean     in_flight)
{
  g_autoptr(GError) error = NULL;

  if (stopped (run))
    return;
  if (!op__outbox_needs_attention (run->store, id, reason, in_flight, &error))
    g_warning ("Outbox %" G_GINT64_FORMAT ": recording “%s” failed: %s", id, reason, error->message);
  else
    count (run, &run->stats->needs_attention);
}

static char *
describe_candidates (GPtrArray      *cands,
                     const gboolean *flagged)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < cands->len; i++)
    {
      OpPmsPatient *c = cands->pdata[i];

      if (!flagged[i])
        continue;
      g_string_append_printf (s, "%s%s (%s, %s, born %s%s%s)", s->len ? "; " : "", c->remote_id,
                              c->family_name ? c->family_name : "?", c->given_name ? c->given_name : "?",
                              c->birth_date ? c->birth_date : "unknown", c->chart_number ? ", chart " : "",
                              c->chart_number ? c->chart_number : "");
    }
  return g_string_free (s, FALSE);
}

typedef enum {
  STEP_OK,
  STEP_RETRY,   /* a transient failure: wait and try again */
  STEP_DONE,    /* the row is settled (needs attention) or the run stopped */
} Step;

static Step
resolve_patient (Run            *run,
                 gint64          id,
                 const OpOutboxEntry *e,
                 OpPmsConnector *connector,
                 const Payload  *p,
                 gint64          location_id,
                 char          **remote_patient,
                 GError        **last_error)
{
  g_autoptr(GPtrArray) cands = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree OpMatchPerson *people = NULL;
  g_autofree gboolean *flagged = NULL;
  g_autofree char *who = NULL;
  const char *reason = NULL;
  OpMatchVerdict verdict;
  int index = -1;

  if (*remote_patient != NULL || connector->klass->find_patients == NULL)
    return STEP_OK;
  *remote_patient = op_outbox_get_patient_link (run->store, p->patient_id, location_id, NULL);
  if (*remote_patient != NULL)
    return STEP_OK;

  cands = connector->klass->find_patients (connector, &p->patient, run->cancellable, &error);
  if (cands == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return STEP_DONE;
      if (op_pms_error_is_transient (error))
        {
          g_clear_error (last_error);
          *last_error = g_steal_pointer (&error);
          return STEP_RETRY;
        }
      needs_attention (run, id, error->message, FALSE);
      return STEP_DONE;
    }

  people = g_new0 (OpMatchPerson, MAX (cands->len, 1));
  flagged = g_new0 (gboolean, MAX (cands->len, 1));
  for (guint i = 0; i < cands->len; i++)
    {
      OpPmsPatient *c = cands->pdata[i];

      people[i] = (OpMatchPerson) { c->family_name, c->given_name, c->birth_date, c->chart_number };
    }
  verdict = op_match_patient (&p->patient, people, cands->len, NULL, flagged, &index, &reason);
  who = g_strdup_printf ("%s, %s (born %s%s%s)", p->patient.family_name ? p->patient.family_name : "?",
                         p->patient.given_name ? p->patient.given_name : "?",
                         p->patient.birth_date ? p->patient.birth_date : "unknown",
                         p->patient.chart_number ? ", chart " : "", p->patient.chart_number ? p->patient.chart_number : "");
  if (verdict == OP_MATCH_ONE)
    {
      OpPmsPatient *c = cands->pdata[index];

      if (!op__outbox_store_link (run->store, p->patient_id, location_id, c->remote_id, "match", &error))
        g_warning ("Outbox %" G_GINT64_FORMAT ": remembering the patient link failed: %s", id, error->message);
      *remote_patient = g_strdup (c->remote_id);
      return STEP_OK;
    }
  if (verdict == OP_MATCH_ASK)
    {
      g_autofree char *list = describe_candidates (cands, flagged);
      g_autofree char *msg = g_strdup_printf (_("Patient %s: %s. Candidates in %s: %s. Confirm the right one with "
                                                "“orthoplan-cli pms link %" G_GINT64_FORMAT " REMOTE_ID”"),
                                              who, reason, connector->klass->name, list, e->case_id);

      needs_attention (run, id, msg, FALSE);
      return STEP_DONE;
    }
  {
    g_autofree char *msg = g_strdup_printf (_("Patient not found: no patient in %s matches %s. Add the patient there, "
                                              "or link one with “orthoplan-cli pms link %" G_GINT64_FORMAT " REMOTE_ID”"),
                                            connector->klass->name, who, e->case_id);

    needs_attention (run, id, msg, FALSE);
  }
  return STEP_DONE;
}

static Step
resolve_provider (Run            *run,
                  gint64          id,
                  OpPmsConnector *connector,
                  const char     *location,
                  const char     *npi,
                  char          **provider,
                  GError        **last_error)
{
  g_autoptr(GError) error = NULL;

  if (*provider != NULL)
    return STEP_OK;
  if (npi == NULL || npi[0] == '\0')
    {
      needs_attention (run, id, _("The approval's signer has no NPI, so the provider cannot be named in the PMS"), FALSE);
      return STEP_DONE;
    }
  *provider = op_outbox_get_provider (run->store, location, npi, NULL);
  if (*provider != NULL)
    return STEP_OK;
  if (connector->klass->map_provider == NULL)
    {
      *provider = g_strdup (npi);
      return STEP_OK;
    }
  *provider = connector->klass->map_provider (connector, npi, run->cancellable, &error);
  if (*provider != NULL)
    {
      g_autoptr(GError) store_error = NULL;

      if (!op_outbox_set_provider (run->store, location, npi, *provider, &store_error))
        g_warning ("Outbox %" G_GINT64_FORMAT ": remembering the provider id failed: %s", id, store_error->message);
      return STEP_OK;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return STEP_DONE;
  if (op_pms_error_is_transient (error))
    {
      g_clear_error (last_error);
      *last_error = g_steal_pointer (&error);
      return STEP_RETRY;
    }
  needs_attention (run, id, error->message, FALSE);
  return STEP_DONE;
}

static void
process_row (Run    *run,
             gint64  id)
{
  g_autoptr(OpOutboxEntry) e = NULL;
  g_autoptr(OpPmsConfig) config = NULL;
  g_autoptr(OpPmsConnector) connector = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) last_error = NULL;
  g_auto(Payload) p = { 0 };
  g_autofree char *remote_patient = NULL;
  g_autofree char *provider = NULL;
  g_autoptr(GPtrArray) ids_owner = NULL;
  char **ids;
  JsonObject *signer;
  OpPmsPost post = { 0 };
  gint64 location_id = 0, patient_id = 0;
  guint n, n_records, tries = 0, attempts;
  gboolean in_flight;

  e = op_outbox_get (run->store, id, &error);
  if (e == NULL || e->state != OP_OUTBOX_PENDING)
    return;
  count (run, &run->stats->rows);

  if (!parse_payload (e->payload, &p, &error))
    {
      needs_attention (run, id, error->message, e->in_flight);
      return;
    }
  if (p.problem != NULL)
    {
      needs_attention (run, id, p.problem, e->in_flight);
      return;
    }
  if (!op__outbox_row_owner (run->store, id, &location_id, &patient_id, &error))
    return;

  config = op_outbox_get_config (run->store, e->location, &error);
  if (config == NULL)
    {
      needs_attention (run, id, error->message, e->in_flight);
      return;
    }
  if (run->options.timeout_s > 0)
    config->timeout_s = run->options.timeout_s;
  connector = op_pms_connector_new (config, &error);
  if (connector == NULL)
    {
      needs_attention (run, id, error->message, e->in_flight);
      return;
    }

  /* Fees: Open Dental and the file bridge post a fee with each code; a
   * code without one at this location is a setting to fix, not a $0 post. */
  n = p.procedures->len;
  for (guint i = 0; i < n; i++)
    {
      OpPmsProcedure *proc = &g_array_index (p.procedures, OpPmsProcedure, i);

      proc->fee_cents = op_outbox_get_fee (run->store, e->location, proc->code, NULL);
      if (proc->fee_cents < 0 && config->kind != OP_PMS_CONNECTOR_FHIR)
        {
          g_autofree char *msg = g_strdup_printf (_("Location “%s” has no fee for %s; set it with "
                                                    "“orthoplan-cli pms fee %s %s AMOUNT”"),
                                                  e->location, proc->code, e->location, proc->code);

          needs_attention (run, id, msg, e->in_flight);
          return;
        }
    }

  /* A treatment plan is posted when the approval asked for one (the
   * location's switch at approval time) and the location still posts to
   * Open Dental, the only connector that has them. */
  post.n_procedures = n;
  post.treatment_plan = json_object_get_boolean_member_with_default (p.root, "treatment_plan", FALSE) &&
                        config->kind == OP_PMS_CONNECTOR_OPENDENTAL;
  n_records = op_pms_post_n_records (&post);
  /* The connectors fill a plain array of n_records entries, some NULL; the
   * pointer array owns them, so every way out of this function frees the
   * ids (a g_strfreev would stop at the first NULL). */
  ids_owner = g_ptr_array_new_full (n_records + 1, g_free);
  g_ptr_array_set_size (ids_owner, (gint) n_records + 1);
  ids = (char **) ids_owner->pdata;
  for (guint i = 0; i < n_records && e->remote_ids[i] != NULL; i++)
    if (e->remote_ids[i][0] != '\0')
      ids[i] = g_strdup (e->remote_ids[i]);
  remote_patient = g_strdup (e->remote_patient);
  in_flight = e->in_flight;
  attempts = e->attempts;

  signer = json_object_has_member (p.root, "signer") ? json_object_get_object_member (p.root, "signer") : NULL;
  post.idempotency_key = e->idempotency_key;
  post.proc_date = member_str (p.root, "proc_date");
  post.case_id = e->case_id;
  post.plan_version = (guint) json_object_get_int_member_with_default (p.root, "plan_version", 0);
  post.plan_sha256 = member_str (p.root, "plan_sha256");
  post.meaning = member_str (p.root, "meaning");
  post.signed_at = member_str (p.root, "signed_at");
  post.signer_name = member_str (signer, "name");
  post.signer_npi = member_str (signer, "npi");
  post.location = e->location;
  post.dentition = member_str (p.root, "dentition");
  post.scope = member_str (p.root, "scope");
  post.patient = &p.patient;
  post.n_procedures = n;
  post.procedures = (const OpPmsProcedure *) p.procedures->data;

  for (;;)
    {
      gboolean ok, posted = FALSE;
      Step step;

      if (stopped (run))
        return;
      if (tries > run->options.max_tries)
        {
          g_autofree char *msg = g_strdup_printf (_("Gave up after %u failed requests to %s; the last: %s. "
                                                    "Check the server and the settings, then retry"),
                                                  tries, connector->klass->name,
                                                  last_error ? last_error->message : "?");

          needs_attention (run, id, msg, in_flight);
          return;
        }
      if (tries > 0)
        wait_backoff (run, tries);
      if (stopped (run))
        return;

      /* 1. Read back whatever may have gone through. */
      if (in_flight)
        {
          guint before = 0, after = 0;

          post.remote_patient = remote_patient;
          for (guint i = 0; i < n_records; i++)
            before += ids[i] != NULL;
          g_clear_error (&error);
          ok = connector->klass->read_back (connector, &post, ids, run->cancellable, &error);
          count (run, &run->stats->read_backs);
          if (!ok)
            {
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                return;
              if (op_pms_error_is_transient (error))
                {
                  tries++;
                  g_clear_error (&last_error);
                  last_error = g_steal_pointer (&error);
                  continue;
                }
              needs_attention (run, id, error->message, TRUE);
              return;
            }
          for (guint i = 0; i < n_records; i++)
            after += ids[i] != NULL;
          g_mutex_lock (&run->lock);
          run->stats->found_by_read_back += after - before;
          g_mutex_unlock (&run->lock);
          if (stopped (run))
            return;
          if (!op__outbox_record (run->store, id, ids, n_records, FALSE, NULL, &posted, &error))
            {
              g_warning ("Outbox %" G_GINT64_FORMAT ": %s", id, error->message);
              return;
            }
          in_flight = FALSE;
          if (posted)
            {
              count (run, &run->stats->posted);
              return;
            }
        }

      /* 2. Patient and provider. */
      step = resolve_patient (run, id, e, connector, &p, location_id, &remote_patient, &last_error);
      if (step == STEP_DONE)
        return;
      if (step == STEP_RETRY)
        {
          tries++;
          continue;
        }
      step = resolve_provider (run, id, connector, e->location, post.signer_npi, &provider, &last_error);
      if (step == STEP_DONE)
        return;
      if (step == STEP_RETRY)
        {
          tries++;
          continue;
        }
      post.remote_patient = remote_patient;
      post.remote_provider = provider;

      /* 3. Send. */
      if (attempts >= run->options.backoff.max_attempts)
        {
          g_autofree char *msg = g_strdup_printf (_("Gave up after %u sends to %s; the last error: %s. "
                                                    "Check the server, then retry"),
                                                  attempts, connector->klass->name,
                                                  last_error ? last_error->message : "?");

          needs_attention (run, id, msg, in_flight);
          return;
        }
      g_clear_error (&error);
      if (!op__outbox_mark_sending (run->store, id, connector->klass->name, remote_patient, &error))
        {
          g_warning ("Outbox %" G_GINT64_FORMAT ": %s", id, error->message);
          return;
        }
      attempts++;
      in_flight = TRUE;
      count (run, &run->stats->sends);
      ok = connector->klass->post (connector, &post, ids, run->cancellable, &error);

      if (run->options.after_send != NULL && !run->options.after_send (id, run->options.user_data))
        {
          g_atomic_int_set (&run->aborted, 1);
          return;
        }
      if (stopped (run) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;   /* the row stays in flight: the next run reads back */

      if (ok)
        {
          g_autoptr(GError) rec_error = NULL;

          if (!op__outbox_record (run->store, id, ids, n_records, FALSE, NULL, &posted, &rec_error))
            g_warning ("Outbox %" G_GINT64_FORMAT ": %s", id, rec_error->message);
          else if (posted)
            count (run, &run->stats->posted);
          return;
        }
      if (op_pms_error_is_transient (error))
        {
          gboolean uncertain = op_pms_error_is_uncertain (error);
          g_autoptr(GError) rec_error = NULL;

          if (!op__outbox_record (run->store, id, ids, n_records, uncertain, error->message, &posted, &rec_error))
            {
              g_warning ("Outbox %" G_GINT64_FORMAT ": %s", id, rec_error->message);
              return;
            }
          in_flight = uncertain;
          tries++;
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&error);
          continue;
        }
      {
        g_autoptr(GError) rec_error = NULL;

        /* The PMS answered and refused: nothing of this request was stored. */
        if (!op__outbox_record (run->store, id, ids, n_records, FALSE, error->message, &posted, &rec_error))
          g_warning ("Outbox %" G_GINT64_FORMAT ": %s", id, rec_error->message);
        needs_attention (run, id, error->message, FALSE);
        return;
      }
    }
}

static void
pool_func (gpointer data,
           gpointer user_data)
{
  Run *run = user_data;

  if (!stopped (run))
    process_row (run, *(gint64 *) data);
}

/* Only one worker per database: an exclusive lock on a file beside it.  The
 * system releases the lock when the process dies, so a crashed worker never
 * blocks the next one. */
static int
take_lock (OpStore  *store,
           GError  **error)
{
  const char *db = op_store_get_path (store);
  g_autofree char *path = NULL;
  int fd;

  if (db == NULL || db[0] == '\0' || strcmp (db, ":memory:") == 0)
    return -2;   /* nothing to share with another process */
  path = g_strconcat (db, ".outbox-lock", NULL);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_OPEN, _("Opening %s failed: %s"), path, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, OP_STORE_ERROR, OP_STORE_ERROR_RETRY_LATER,
                   _("Another outbox worker is posting from this database; try again when it has finished"));
      return -1;
    }
  return fd;
}

gboolean
op_outbox_run (OpStore                  *store,
               gint64                    only_id,
               const OpOutboxRunOptions *options,
               OpOutboxRunStats         *stats,
               GCancellable             *cancellable,
               GError                  **error)
{
  g_autoptr(GArray) ids = NULL;
  OpOutboxRunStats local_stats = { 0 };
  GThreadPool *pool;
  Run run = { 0 };
  int fd;

  g_return_val_if_fail (OP_IS_STORE (store), FALSE);

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if (options != NULL)
    run.options = *options;
  if (run.options.backoff.max_attempts == 0)
    op_backoff_default (&run.options.backoff);
  if (run.options.max_tries == 0)
    run.options.max_tries = 4 * run.options.backoff.max_attempts;
  run.options.n_threads = MAX (run.options.n_threads, 1u);
  run.store = store;
  run.cancellable = cancellable;
  run.stats = stats;
  run.rng = run.options.seed;
  g_mutex_init (&run.lock);

  fd = take_lock (store, error);
  if (fd == -1)
    {
      g_mutex_clear (&run.lock);
      return FALSE;
    }

  ids = op__outbox_pending_ids (store, only_id, error);
  if (ids == NULL)
    {
      if (fd >= 0)
        close (fd);
      g_mutex_clear (&run.lock);
      return FALSE;
    }

  pool = g_thread_pool_new (pool_func, &run, (int) run.options.n_threads, TRUE, NULL);
  for (guint i = 0; i < ids->len; i++)
    g_thread_pool_push (pool, &g_array_index (ids, gint64, i), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);

  stats->aborted = g_atomic_int_get (&run.aborted) != 0;
  {
    g_autoptr(GArray) left = op__outbox_pending_ids (store, only_id, NULL);

    stats->still_pending = left ? left->len : 0;
  }
  if (fd >= 0)
    close (fd);
  g_mutex_clear (&run.lock);
  return TRUE;
}
