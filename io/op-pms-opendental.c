/* op-pms-opendental.c: the Open Dental REST API.
 *
 * Every request carries "Authorization: ODFHIR {DeveloperKey}/{CustomerKey}".
 * The base URL is the practice's choice: the local API
 * (http://host:30222/api/v1), the API Service (port 30223) or the remote
 * API.  Requests use libsoup's blocking API, on the outbox worker's thread.
 *
 *   patients   GET /patients/Simple?LName=&FName=&Birthdate=yyyy-mm-dd, and
 *              ?ChartNumber= when ours is known: every patient born that
 *              day, so that planner/op-match judges the names, not Open
 *              Dental's prefix search;
 *   provider   GET /providers, the one whose NationalProvID is the NPI;
 *   post       POST /procedurelogs, one per code: PatNum, ProcDate,
 *              ProcStatus "TP", procCode, ProvNum, ProcFee, ClinicNum when
 *              set, and a Note ending in the marker "[orthoplan:KEY:i]";
 *   read back  GET /procedurelogs?PatNum=, the records whose Note holds
 *              the marker.
 *
 * With the location's treatment-plan switch on, the approval's codes are
 * also filed in a treatment plan of their own, after the procedures:
 *   plan       POST /treatplans: PatNum, Heading, and a Note ending in the
 *              marker "[orthoplan:KEY:plan]" (Open Dental makes it an
 *              inactive plan, which the front desk activates on acceptance);
 *   attaches   POST /treatplanattaches: TreatPlanNum, ProcNum, one per
 *              procedure;
 *   read back  GET /treatplans?PatNum=, the plan whose Note holds the
 *              marker, then GET /treatplanattaches?TreatPlanNum=, the
 *              attach of each procedure's ProcNum.  A plan found by its
 *              marker is ours, so an attach of one of our procedures in it
 *              is one we made.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "op-fdi.h"
#include "op-pms-private.h"

typedef struct {
  OpPmsConnector  parent;
  SoupSession    *session;
  char           *auth;     /* the header value: a secret */
} OpPmsOpenDental;

static const char **
auth_headers (OpPmsOpenDental *self,
              const char      *headers[3])
{
  headers[0] = "Authorization";
  headers[1] = self->auth;
  headers[2] = NULL;
  return headers;
}

/* GET @path and parse the answer as JSON; NULL with @error otherwise. */
static JsonNode *
get_json (OpPmsOpenDental  *self,
          const char       *path,
          const char       *what,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autofree char *url = op__pms_url (self->parent.config->url, path);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *headers[3];
  guint status = 0;
  gsize len = 0;
  const char *data;

  body = op__pms_http (self->session, "GET", url, auth_headers (self, headers), NULL, &status, cancellable, error);
  if (body == NULL)
    return NULL;
  if (status != 200)
    {
      op__pms_status_error (status, body, what, error);
      return NULL;
    }
  data = g_bytes_get_data (body, &len);
  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) len, &local_error))
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER, _("%s: Open Dental answered with something other than "
                                                               "JSON (%s)"), what, local_error->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* A member as text whatever its JSON type (Open Dental writes some numbers
 * as strings). */
static char *
member_text (JsonObject *o,
             const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (n));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%.0f", json_node_get_double (n));
    default:
      return NULL;
    }
}

static void
add_patients (JsonNode  *root,
              GPtrArray *out)
{
  JsonArray *a;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return;
  a = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      g_autoptr(OpPmsPatient) p = NULL;
      gboolean dup = FALSE;

      if (o == NULL)
        continue;
      p = g_new0 (OpPmsPatient, 1);
      p->remote_id = member_text (o, "PatNum");
      if (p->remote_id == NULL)
        continue;
      p->family_name = member_text (o, "LName");
      p->given_name = member_text (o, "FName");
      p->birth_date = member_text (o, "Birthdate");
      p->chart_number = member_text (o, "ChartNumber");
      /* Open Dental writes an unknown birth date as 0001-01-01. */
      if (p->birth_date != NULL && (g_str_has_prefix (p->birth_date, "0001-") || p->birth_date[0] == '\0'))
        g_clear_pointer (&p->birth_date, g_free);
      if (p->birth_date != NULL && strlen (p->birth_date) > 10)
        p->birth_date[10] = '\0';
      if (p->chart_number != NULL && p->chart_number[0] == '\0')
        g_clear_pointer (&p->chart_number, g_free);
      for (guint k = 0; k < out->len; k++)
        if (strcmp (((OpPmsPatient *) out->pdata[k])->remote_id, p->remote_id) == 0)
          dup = TRUE;
      if (!dup)
        g_ptr_array_add (out, g_steal_pointer (&p));
    }
}

static GPtrArray *
od_find_patients (OpPmsConnector      *connector,
                  const OpMatchPerson *who,
                  GCancellable        *cancellable,
                  GError             **error)
{
  OpPmsOpenDental *self = (OpPmsOpenDental *) connector;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_pms_patient_free);
  g_autoptr(JsonNode) by_dob = NULL;
  g_autofree char *path = NULL;

  if (who->birth_date != NULL && who->birth_date[0] != '\0')
    {
      g_autofree char *dob = g_uri_escape_string (who->birth_date, NULL, FALSE);

      path = g_strdup_printf ("/patients/Simple?LName=&FName=&Birthdate=%s", dob);
    }
  else
    {
      /* No birth date: search by name; op-match will ask a person. */
      g_autofree char *l = g_uri_escape_string (who->family_name ? who->family_name : "", NULL, FALSE);
      g_autofree char *f = g_uri_escape_string (who->given_name ? who->given_name : "", NULL, FALSE);

      path = g_strdup_printf ("/patients/Simple?LName=%s&FName=%s", l, f);
    }
  by_dob = get_json (self, path, _("Finding the patient in Open Dental"), cancellable, error);
  if (by_dob == NULL)
    return NULL;
  add_patients (by_dob, out);

  if (who->chart_number != NULL && who->chart_number[0] != '\0')
    {
      g_autofree char *chart = g_uri_escape_string (who->chart_number, NULL, FALSE);
      g_autofree char *cpath = g_strdup_printf ("/patients/Simple?ChartNumber=%s", chart);
      g_autoptr(JsonNode) by_chart = get_json (self, cpath, _("Finding the patient by chart number in Open Dental"),
                                               cancellable, error);

      if (by_chart == NULL)
        return NULL;
      add_patients (by_chart, out);
    }
  return g_steal_pointer (&out);
}

static char *
od_map_provider (OpPmsConnector  *connector,
                 const char      *npi,
                 GCancellable    *cancellable,
                 GError         **error)
{
  OpPmsOpenDental *self = (OpPmsOpenDental *) connector;
  g_autoptr(JsonNode) root = get_json (self, "/providers", _("Listing the providers in Open Dental"), cancellable, error);
  JsonArray *a;

  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      a = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *o = json_array_get_object_element (a, i);
          g_autofree char *their = o ? member_text (o, "NationalProvID") : NULL;

          if (their != NULL && strcmp (g_strstrip (their), npi) == 0)
            return member_text (o, "ProvNum");
        }
    }
  g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_PROVIDER_NOT_FOUND,
               _("No provider in Open Dental has the NPI %s; enter it in the provider's NationalProvID there, or "
                 "record the ProvNum with “orthoplan-cli pms provider LOCATION %s PROVNUM”"), npi, npi);
  return NULL;
}

static char *
note_text (const OpPmsPost      *post,
           const OpPmsProcedure *p,
           guint                 index)
{
  GString *s = g_string_new (NULL);
  g_autofree char *marker = op_pms_marker (post->idempotency_key, index);

  g_string_append_printf (s, "Orthoplan %s", post->meaning ? post->meaning : "approved plan");
  if (p->n_sites > 0)
    {
      g_string_append (s, "; teeth (Universal)");
      for (guint i = 0; i < p->n_sites; i++)
        g_string_append_printf (s, " %d", op_fdi_to_universal (p->sites[i]));
    }
  g_string_append_printf (s, ". [%s]", marker);
  return g_string_free (s, FALSE);
}

static gboolean
is_unknown_code (GBytes *body)
{
  g_autofree char *reason = op__pms_body_reason (body);
  g_autofree char *low = reason ? g_ascii_strdown (reason, -1) : NULL;

  return low != NULL && strstr (low, "proccode") != NULL;
}

/* POSTs @root to @path and returns the member @id_member of the answer, or
 * NULL with @error (an answer without the id is uncertain: SERVER). */
static char *
post_json (OpPmsOpenDental  *self,
           const char       *path,
           JsonNode         *root,
           const char       *id_member,
           const char       *what,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autofree char *url = op__pms_url (self->parent.config->url, path);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *body = NULL;
  const char *headers[3];
  char *id = NULL;
  guint status = 0;

  json_generator_set_root (gen, root);
  body = json_generator_to_data (gen, NULL);
  answer = op__pms_http (self->session, "POST", url, auth_headers (self, headers), body, &status, cancellable, error);
  if (answer == NULL)
    return NULL;
  if (status != 201 && status != 200)
    {
      op__pms_status_error (status, answer, what, error);
      return NULL;
    }
  if (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    id = member_text (json_node_get_object (json_parser_get_root (parser)), id_member);
  if (id == NULL)
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER, _("%s: Open Dental answered %u without a %s"),
                 what, status, id_member);
  return id;
}

/* The treatment plan and its attaches, after every procedure has its
 * ProcNum in @remote_ids[0 .. n_procedures). */
static gboolean
od_post_treatment_plan (OpPmsOpenDental  *self,
                        const OpPmsPost  *post,
                        char            **remote_ids,
                        GCancellable     *cancellable,
                        GError          **error)
{
  guint n = post->n_procedures;

  if (remote_ids[n] == NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *marker = op_pms_plan_marker (post->idempotency_key);
      g_autofree char *heading = g_strdup_printf ("Orthoplan aligners, plan v%u", post->plan_version);
      g_autofree char *note = g_strdup_printf ("Orthoplan %s, signed by %s on %s. [%s]",
                                               post->meaning ? post->meaning : "approved plan",
                                               post->signer_name ? post->signer_name : "the provider",
                                               post->proc_date ? post->proc_date : "?", marker);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "PatNum");
      json_builder_add_int_value (b, g_ascii_strtoll (post->remote_patient, NULL, 10));
      json_builder_set_member_name (b, "Heading");
      json_builder_add_string_value (b, heading);
      json_builder_set_member_name (b, "Note");
      json_builder_add_string_value (b, note);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      remote_ids[n] = post_json (self, "/treatplans", root, "TreatPlanNum",
                                 _("Creating the treatment plan in Open Dental"), cancellable, error);
      if (remote_ids[n] == NULL)
        return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonBuilder) b = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *what = NULL;

      if (remote_ids[n + 1 + i] != NULL)
        continue;
      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "TreatPlanNum");
      json_builder_add_int_value (b, g_ascii_strtoll (remote_ids[n], NULL, 10));
      json_builder_set_member_name (b, "ProcNum");
      json_builder_add_int_value (b, g_ascii_strtoll (remote_ids[i], NULL, 10));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      what = g_strdup_printf (_("Attaching %s to the treatment plan in Open Dental"), post->procedures[i].code);
      remote_ids[n + 1 + i] = post_json (self, "/treatplanattaches", root, "TreatPlanAttachNum", what,
                                         cancellable, error);
      if (remote_ids[n + 1 + i] == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
od_post (OpPmsConnector  *connector,
         const OpPmsPost *post,
         char           **remote_ids,
         GCancellable    *cancellable,
         GError         **error)
{
  OpPmsOpenDental *self = (OpPmsOpenDental *) connector;
  g_autofree char *url = op__pms_url (connector->config->url, "/procedurelogs");
  const char *headers[3];

  for (guint i = 0; i < post->n_procedures; i++)
    {
      const OpPmsProcedure *p = &post->procedures[i];
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *body = NULL;
      g_autofree char *note = note_text (post, p, i);
      g_autofree char *what = g_strdup_printf (_("Posting %s to Open Dental"), p->code);
      guint status = 0;

      if (remote_ids[i] != NULL)
        continue;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "PatNum");
      json_builder_add_int_value (b, g_ascii_strtoll (post->remote_patient, NULL, 10));
      json_builder_set_member_name (b, "ProcDate");
      json_builder_add_string_value (b, post->proc_date);
      json_builder_set_member_name (b, "ProcStatus");
      json_builder_add_string_value (b, OP_PROCEDURE_STATUS);
      json_builder_set_member_name (b, "procCode");
      json_builder_add_string_value (b, p->code);
      json_builder_set_member_name (b, "ProvNum");
      json_builder_add_int_value (b, g_ascii_strtoll (post->remote_provider, NULL, 10));
      json_builder_set_member_name (b, "ProcFee");
      json_builder_add_double_value (b, (double) p->fee_cents / 100.0);
      if (connector->config->clinic_num > 0)
        {
          json_builder_set_member_name (b, "ClinicNum");
          json_builder_add_int_value (b, connector->config->clinic_num);
        }
      json_builder_set_member_name (b, "Note");
      json_builder_add_string_value (b, note);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      body = json_generator_to_data (gen, NULL);

      answer = op__pms_http (self->session, "POST", url, auth_headers (self, headers), body, &status, cancellable, error);
      if (answer == NULL)
        return FALSE;
      if (status == 400 && is_unknown_code (answer))
        {
          g_autofree char *reason = op__pms_body_reason (answer);

          g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_UNKNOWN_CODE,
                       _("Open Dental does not know the procedure code %s (%s); add it to Open Dental's procedure "
                         "codes, then retry"), p->code, reason);
          return FALSE;
        }
      if (status == 400 || status == 404)
        {
          g_autofree char *reason = op__pms_body_reason (answer);
          g_autofree char *low = reason ? g_ascii_strdown (reason, -1) : NULL;

          if (low != NULL && strstr (low, "patnum") != NULL)
            {
              g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_PATIENT_NOT_FOUND,
                           _("Patient not found: Open Dental has no patient %s (%s); link the right one with "
                             "“orthoplan-cli pms link %" G_GINT64_FORMAT " PATNUM”"),
                           post->remote_patient, reason, post->case_id);
              return FALSE;
            }
        }
      if (status != 201 && status != 200)
        {
          op__pms_status_error (status, answer, what, error);
          return FALSE;
        }
      if (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer), NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        remote_ids[i] = member_text (json_node_get_object (json_parser_get_root (parser)), "ProcNum");
      if (remote_ids[i] == NULL)
        {
          /* Stored (201) but no id to record: the read-back finds it by its
           * marker, so say the outcome is uncertain rather than guess. */
          g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER,
                       _("%s: Open Dental answered %u without a ProcNum"), what, status);
          return FALSE;
        }
    }
  if (post->treatment_plan && post->n_procedures > 0)
    return od_post_treatment_plan (self, post, remote_ids, cancellable, error);
  return TRUE;
}

/* Finds the post's treatment plan by its marker, then the attaches of the
 * procedures whose ProcNum is known. */
static gboolean
od_read_back_treatment_plan (OpPmsOpenDental  *self,
                             const OpPmsPost  *post,
                             char            **remote_ids,
                             GCancellable     *cancellable,
                             GError          **error)
{
  guint n = post->n_procedures;
  gboolean missing = FALSE;
  g_autofree char *pat = g_uri_escape_string (post->remote_patient, NULL, FALSE);
  g_autoptr(JsonNode) attaches = NULL;
  g_autofree char *path = NULL;
  JsonArray *a;

  if (remote_ids[n] == NULL)
    {
      g_autofree char *marker = op_pms_plan_marker (post->idempotency_key);
      g_autofree char *bracketed = g_strdup_printf ("[%s]", marker);
      g_autofree char *plans_path = g_strdup_printf ("/treatplans?PatNum=%s", pat);
      g_autoptr(JsonNode) plans = get_json (self, plans_path, _("Reading back the patient's treatment plans from Open Dental"),
                                            cancellable, error);

      if (plans == NULL)
        return FALSE;
      a = JSON_NODE_HOLDS_ARRAY (plans) ? json_node_get_array (plans) : NULL;
      for (guint k = 0; a != NULL && k < json_array_get_length (a); k++)
        {
          JsonObject *o = json_array_get_object_element (a, k);
          const char *note = o ? json_object_get_string_member_with_default (o, "Note", NULL) : NULL;

          if (note != NULL && strstr (note, bracketed) != NULL)
            {
              remote_ids[n] = member_text (o, "TreatPlanNum");
              break;
            }
        }
      if (remote_ids[n] == NULL)
        return TRUE;   /* no plan, so no attach either */
    }
  for (guint i = 0; i < n; i++)
    missing |= remote_ids[i] != NULL && remote_ids[n + 1 + i] == NULL;
  if (!missing)
    return TRUE;

  path = g_strdup_printf ("/treatplanattaches?TreatPlanNum=%s", remote_ids[n]);
  attaches = get_json (self, path, _("Reading back the treatment plan's procedures from Open Dental"), cancellable, error);
  if (attaches == NULL)
    return FALSE;
  a = JSON_NODE_HOLDS_ARRAY (attaches) ? json_node_get_array (attaches) : NULL;
  for (guint i = 0; i < n; i++)
    {
      if (remote_ids[i] == NULL || remote_ids[n + 1 + i] != NULL)
        continue;
      for (guint k = 0; a != NULL && k < json_array_get_length (a); k++)
        {
          JsonObject *o = json_array_get_object_element (a, k);
          g_autofree char *proc = o ? member_text (o, "ProcNum") : NULL;

          if (proc != NULL && strcmp (proc, remote_ids[i]) == 0)
            {
              remote_ids[n + 1 + i] = member_text (o, "TreatPlanAttachNum");
              break;
            }
        }
    }
  return TRUE;
}

static gboolean
od_read_back (OpPmsConnector  *connector,
              const OpPmsPost *post,
              char           **remote_ids,
              GCancellable    *cancellable,
              GError         **error)
{
  OpPmsOpenDental *self = (OpPmsOpenDental *) connector;
  g_autofree char *pat = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean missing = FALSE;
  JsonArray *a;

  if (post->remote_patient == NULL)
    return TRUE;   /* nothing can have been posted without a patient */
  /* Only what is not known yet is asked for: each request may fail too. */
  for (guint i = 0; i < post->n_procedures; i++)
    missing |= remote_ids[i] == NULL;
  if (!missing)
    goto plan;
  pat = g_uri_escape_string (post->remote_patient, NULL, FALSE);
  path = g_strdup_printf ("/procedurelogs?PatNum=%s", pat);
  root = get_json (self, path, _("Reading back the patient's procedures from Open Dental"), cancellable, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return TRUE;
  a = json_node_get_array (root);
  for (guint i = 0; i < post->n_procedures; i++)
    {
      g_autofree char *marker = op_pms_marker (post->idempotency_key, i);
      g_autofree char *bracketed = g_strdup_printf ("[%s]", marker);

      if (remote_ids[i] != NULL)
        continue;
      for (guint k = 0; k < json_array_get_length (a); k++)
        {
          JsonObject *o = json_array_get_object_element (a, k);
          const char *note = o ? json_object_get_string_member_with_default (o, "Note", NULL) : NULL;

          if (note != NULL && strstr (note, bracketed) != NULL)
            {
              remote_ids[i] = member_text (o, "ProcNum");
              break;
            }
        }
    }
plan:
  if (post->treatment_plan && post->n_procedures > 0)
    return od_read_back_treatment_plan (self, post, remote_ids, cancellable, error);
  return TRUE;
}

static void
od_free (OpPmsConnector *connector)
{
  OpPmsOpenDental *self = (OpPmsOpenDental *) connector;

  g_clear_object (&self->session);
  if (self->auth != NULL)
    explicit_bzero (self->auth, strlen (self->auth));
  g_free (self->auth);
  g_free (self);
}

static const OpPmsConnectorClass od_class = {
  .name = "Open Dental",
  .find_patients = od_find_patients,
  .map_provider = od_map_provider,
  .post = od_post,
  .read_back = od_read_back,
  .free = od_free,
};

OpPmsConnector *
op_pms_opendental_new (const OpPmsConfig *config,
                       GError           **error)
{
  OpPmsOpenDental *self;

  if (config->url == NULL || config->url[0] == '\0')
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG,
                   _("Location “%s”: Open Dental needs its API URL (--url, e.g. http://server:30222/api/v1)"),
                   config->location);
      return NULL;
    }
  if (config->developer_key == NULL || config->customer_key == NULL)
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG,
                   _("Location “%s”: Open Dental needs both keys (--developer-key and --customer-key)"),
                   config->location);
      return NULL;
    }
  self = g_new0 (OpPmsOpenDental, 1);
  self->parent.klass = &od_class;
  self->parent.config = op_pms_config_copy (config);
  self->session = op__pms_session_new (config->timeout_s);
  self->auth = g_strdup_printf ("ODFHIR %s/%s", config->developer_key, config->customer_key);
  return &self->parent;
}
