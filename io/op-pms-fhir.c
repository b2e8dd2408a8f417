/* op-pms-fhir.c: HL7 FHIR R4.
 *
 * One approval posts one ServiceRequest per code (intent "plan", the code
 * in system http://www.ada.org/cdt, the teeth as FDI body sites) and then a
 * CarePlan (intent "plan") whose activities point at them.  Every resource
 * is created conditionally, "If-None-Exist: identifier=urn:orthoplan:post|…"
 * with an identifier derived from the approval's idempotency key, so a
 * repeat finds the resource instead of making a second one.  The CarePlan
 * comes last: its presence says the whole post went through, which is what
 * read_back looks for.
 *
 * A server that wants a token gets the location's bearer token in every
 * request ("Authorization: Bearer …"); a 401 or 403 says the token is
 * wrong, in words that name the setting to fix.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "op-pms-private.h"

#define IDENT_SYSTEM "urn:orthoplan:post"
#define NPI_SYSTEM   "http://hl7.org/fhir/sid/us-npi"
#define TOOTH_SYSTEM "http://terminology.hl7.org/CodeSystem/ex-tooth"

typedef struct {
  OpPmsConnector  parent;
  SoupSession    *session;
  char           *auth;     /* "Bearer …", a secret, or NULL */
} OpPmsFhir;

/* The headers of every request: @extra_name/@extra_value (may be NULL)
 * and the token when there is one. */
static const char **
fhir_headers (OpPmsFhir  *self,
              const char *extra_name,
              const char *extra_value,
              const char *headers[7])
{
  guint n = 0;

  headers[n++] = "Accept";
  headers[n++] = "application/fhir+json";
  if (extra_name != NULL)
    {
      headers[n++] = extra_name;
      headers[n++] = extra_value;
    }
  if (self->auth != NULL)
    {
      headers[n++] = "Authorization";
      headers[n++] = self->auth;
    }
  headers[n] = NULL;
  return headers;
}

/* Sets @error from an HTTP error answer; a refused token is a wrong key
 * of this location, said so. */
static void
status_error (OpPmsFhir  *self,
              guint       status,
              GBytes     *body,
              const char *what,
              GError    **error)
{
  const char *location = self->parent.config->location;

  if (status == 401 || status == 403)
    {
      g_autofree char *reason = op__pms_body_reason (body);
      const char *r = reason != NULL && reason[0] != '\0' ? reason : soup_status_get_phrase (status);

      if (self->auth != NULL)
        g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_AUTH,
                     _("Wrong key: the FHIR server refused the bearer token of location “%s” (HTTP %u: %s) while %s; "
                       "set the right one with “orthoplan-cli pms set %s --bearer-token TOKEN”"),
                     location, status, r ? r : "", what, location);
      else
        g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_AUTH,
                     _("Wrong key: the FHIR server wants a bearer token, and location “%s” has none (HTTP %u: %s) "
                       "while %s; set it with “orthoplan-cli pms set %s --bearer-token TOKEN”"),
                     location, status, r ? r : "", what, location);
      return;
    }
  op__pms_status_error (status, body, what, error);
}

static JsonNode *
parse (GBytes  *body,
       GError **error,
       const char *what)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) len, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER, _("%s: the FHIR server answered with something other "
                                                               "than a JSON resource"), what);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* GET a search and return the Bundle's resources (JsonObject*, borrowed
 * from *@out_root). */
static GPtrArray *
search (OpPmsFhir     *self,
        const char    *path,
        const char    *what,
        JsonNode     **out_root,
        GCancellable  *cancellable,
        GError       **error)
{
  g_autofree char *url = op__pms_url (self->parent.config->url, path);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  JsonObject *bundle;
  JsonArray *entries;
  const char *headers[7];
  guint status = 0;

  body = op__pms_http (self->session, "GET", url, fhir_headers (self, NULL, NULL, headers), NULL, &status,
                       cancellable, error);
  if (body == NULL)
    return NULL;
  if (status != 200)
    {
      status_error (self, status, body, what, error);
      return NULL;
    }
  *out_root = parse (body, error, what);
  if (*out_root == NULL)
    return NULL;
  bundle = json_node_get_object (*out_root);
  entries = json_object_has_member (bundle, "entry") ? json_object_get_array_member (bundle, "entry") : NULL;
  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (e != NULL && json_object_has_member (e, "resource"))
        g_ptr_array_add (out, json_object_get_object_member (e, "resource"));
    }
  return g_steal_pointer (&out);
}

static const char *
str_member (JsonObject *o,
            const char *name)
{
  return o != NULL ? json_object_get_string_member_with_default (o, name, NULL) : NULL;
}

static OpPmsPatient *
patient_from_resource (JsonObject *r)
{
  OpPmsPatient *p = g_new0 (OpPmsPatient, 1);
  JsonArray *names = json_object_has_member (r, "name") ? json_object_get_array_member (r, "name") : NULL;
  JsonArray *idents = json_object_has_member (r, "identifier") ? json_object_get_array_member (r, "identifier") : NULL;

  p->remote_id = g_strdup (str_member (r, "id"));
  p->birth_date = g_strdup (str_member (r, "birthDate"));
  if (names != NULL && json_array_get_length (names) > 0)
    {
      JsonObject *n = json_array_get_object_element (names, 0);
      JsonArray *given = n && json_object_has_member (n, "given") ? json_object_get_array_member (n, "given") : NULL;

      p->family_name = g_strdup (str_member (n, "family"));
      if (given != NULL && json_array_get_length (given) > 0)
        p->given_name = g_strdup (json_array_get_string_element (given, 0));
    }
  /* The chart number is the identifier typed MR (medical record number). */
  for (guint i = 0; idents != NULL && i < json_array_get_length (idents); i++)
    {
      JsonObject *id = json_array_get_object_element (idents, i);
      JsonObject *type = id && json_object_has_member (id, "type") ? json_object_get_object_member (id, "type") : NULL;
      JsonArray *codings = type && json_object_has_member (type, "coding") ? json_object_get_array_member (type, "coding") : NULL;

      for (guint k = 0; codings != NULL && k < json_array_get_length (codings); k++)
        if (g_strcmp0 (str_member (json_array_get_object_element (codings, k), "code"), "MR") == 0 && p->chart_number == NULL)
          p->chart_number = g_strdup (str_member (id, "value"));
    }
  return p;
}

static GPtrArray *
fhir_find_patients (OpPmsConnector      *connector,
                    const OpMatchPerson *who,
                    GCancellable        *cancellable,
                    GError             **error)
{
  OpPmsFhir *self = (OpPmsFhir *) connector;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) op_pms_patient_free);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *path = NULL;

  if (who->birth_date != NULL && who->birth_date[0] != '\0')
    {
      g_autofree char *dob = g_uri_escape_string (who->birth_date, NULL, FALSE);

      path = g_strdup_printf ("/Patient?birthdate=%s&_count=100", dob);
    }
  else
    {
      g_autofree char *family = g_uri_escape_string (who->family_name ? who->family_name : "", NULL, FALSE);

      path = g_strdup_printf ("/Patient?family=%s&_count=100", family);
    }
  found = search (self, path, _("Finding the patient on the FHIR server"), &root, cancellable, error);
  if (found == NULL)
    return NULL;
  for (guint i = 0; i < found->len; i++)
    if (str_member (found->pdata[i], "id") != NULL)
      g_ptr_array_add (out, patient_from_resource (found->pdata[i]));
  return g_steal_pointer (&out);
}

static char *
fhir_map_provider (OpPmsConnector  *connector,
                   const char      *npi,
                   GCancellable    *cancellable,
                   GError         **error)
{
  OpPmsFhir *self = (OpPmsFhir *) connector;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *q = g_uri_escape_string (NPI_SYSTEM "|", NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/Practitioner?identifier=%s%s", q, npi);

  found = search (self, path, _("Finding the provider on the FHIR server"), &root, cancellable, error);
  if (found == NULL)
    return NULL;
  if (found->len == 0 || str_member (found->pdata[0], "id") == NULL)
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_PROVIDER_NOT_FOUND,
                   _("No Practitioner on the FHIR server has the NPI %s (identifier system %s)"), npi, NPI_SYSTEM);
      return NULL;
    }
  return g_strdup_printf ("Practitioner/%s", str_member (found->pdata[0], "id"));
}

/* Conditionally creates @resource; returns "Type/id" of the one created or
 * found. */
static char *
create_if_none (OpPmsFhir     *self,
                const char    *type,
                const char    *ident_value,
                JsonBuilder   *resource,
                const char    *what,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = json_builder_get_root (resource);
  g_autoptr(JsonNode) answer_root = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = g_strdup_printf ("/%s", type);
  g_autofree char *cond = g_strdup_printf ("identifier=%s|%s", IDENT_SYSTEM, ident_value);
  const char *headers[7];
  const char *id;
  guint status = 0;

  json_generator_set_root (gen, node);
  body = json_generator_to_data (gen, NULL);
  url = op__pms_url (self->parent.config->url, path);
  answer = op__pms_http (self->session, "POST", url, fhir_headers (self, "If-None-Exist", cond, headers), body, &status,
                         cancellable, error);
  if (answer == NULL)
    return NULL;
  if (status != 201 && status != 200)
    {
      g_autofree char *reason = op__pms_body_reason (answer);

      if ((status == 400 || status == 422) && reason != NULL && strstr (reason, "code") != NULL &&
          strstr (reason, OP_PROCEDURE_CDT_SYSTEM) != NULL)
        {
          g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_UNKNOWN_CODE, _("%s: the FHIR server does not know the code (%s)"),
                       what, reason);
          return NULL;
        }
      status_error (self, status, answer, what, error);
      return NULL;
    }
  answer_root = parse (answer, error, what);
  if (answer_root == NULL)
    return NULL;
  id = str_member (json_node_get_object (answer_root), "id");
  if (id == NULL)
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER, _("%s: the FHIR server answered %u without an id"), what, status);
      return NULL;
    }
  return g_strdup_printf ("%s/%s", type, id);
}

static void
add_identifier (JsonBuilder *b,
                const char  *value)
{
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, IDENT_SYSTEM);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, value);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
add_reference (JsonBuilder *b,
               const char  *member,
               const char  *reference)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reference");
  json_builder_add_string_value (b, reference);
  json_builder_end_object (b);
}

static gboolean
fhir_post (OpPmsConnector  *connector,
           const OpPmsPost *post,
           char           **remote_ids,
           GCancellable    *cancellable,
           GError         **error)
{
  OpPmsFhir *self = (OpPmsFhir *) connector;
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) cp = json_builder_new ();
  g_autofree char *patient_ref = g_strdup_printf ("Patient/%s", post->remote_patient);
  g_autofree char *care_plan = NULL;

  for (guint i = 0; i < post->n_procedures; i++)
    {
      const OpPmsProcedure *p = &post->procedures[i];
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *ident = g_strdup_printf ("%s-%u", post->idempotency_key, i);
      g_autofree char *marker = op_pms_marker (post->idempotency_key, i);
      g_autofree char *what = g_strdup_printf (_("Posting %s to the FHIR server"), p->code);
      char *ref;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "resourceType");
      json_builder_add_string_value (b, "ServiceRequest");
      add_identifier (b, ident);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, "active");
      json_builder_set_member_name (b, "intent");
      json_builder_add_string_value (b, "plan");
      json_builder_set_member_name (b, "code");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "coding");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "system");
      json_builder_add_string_value (b, OP_PROCEDURE_CDT_SYSTEM);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, p->code);
      if (p->description != NULL)
        {
          json_builder_set_member_name (b, "display");
          json_builder_add_string_value (b, p->description);
        }
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_end_object (b);
      add_reference (b, "subject", patient_ref);
      if (post->remote_provider != NULL)
        add_reference (b, "requester", post->remote_provider);
      json_builder_set_member_name (b, "authoredOn");
      json_builder_add_string_value (b, post->proc_date);
      if (p->n_sites > 0)
        {
          json_builder_set_member_name (b, "bodySite");
          json_builder_begin_array (b);
          for (guint k = 0; k < p->n_sites; k++)
            {
              char code[8];

              g_snprintf (code, sizeof code, "%d", p->sites[k]);
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "coding");
              json_builder_begin_array (b);
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "system");
              json_builder_add_string_value (b, TOOTH_SYSTEM);
              json_builder_set_member_name (b, "code");
              json_builder_add_string_value (b, code);
              json_builder_end_object (b);
              json_builder_end_array (b);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_set_member_name (b, "note");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, marker);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_end_object (b);

      ref = create_if_none (self, "ServiceRequest", ident, b, what, cancellable, error);
      if (ref == NULL)
        return FALSE;
      g_ptr_array_add (requests, ref);
    }

  json_builder_begin_object (cp);
  json_builder_set_member_name (cp, "resourceType");
  json_builder_add_string_value (cp, "CarePlan");
  add_identifier (cp, post->idempotency_key);
  json_builder_set_member_name (cp, "status");
  json_builder_add_string_value (cp, "active");
  json_builder_set_member_name (cp, "intent");
  json_builder_add_string_value (cp, "plan");
  json_builder_set_member_name (cp, "title");
  json_builder_add_string_value (cp, post->meaning ? post->meaning : "Orthodontic treatment plan");
  add_reference (cp, "subject", patient_ref);
  json_builder_set_member_name (cp, "created");
  json_builder_add_string_value (cp, post->proc_date);
  json_builder_set_member_name (cp, "activity");
  json_builder_begin_array (cp);
  for (guint i = 0; i < requests->len; i++)
    {
      json_builder_begin_object (cp);
      add_reference (cp, "reference", requests->pdata[i]);
      json_builder_end_object (cp);
    }
  json_builder_end_array (cp);
  json_builder_end_object (cp);

  care_plan = create_if_none (self, "CarePlan", post->idempotency_key, cp, _("Posting the CarePlan to the FHIR server"),
                              cancellable, error);
  if (care_plan == NULL)
    return FALSE;
  /* Only now is the post complete: until the CarePlan exists the ids stay
   * unset, and a repeat finds the ServiceRequests by their identifiers. */
  for (guint i = 0; i < post->n_procedures; i++)
    if (remote_ids[i] == NULL)
      remote_ids[i] = g_strdup_printf ("%s %s", care_plan, (const char *) requests->pdata[i]);
  return TRUE;
}

static gboolean
fhir_read_back (OpPmsConnector  *connector,
                const OpPmsPost *post,
                char           **remote_ids,
                GCancellable    *cancellable,
                GError         **error)
{
  OpPmsFhir *self = (OpPmsFhir *) connector;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *q = g_uri_escape_string (IDENT_SYSTEM "|", NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/CarePlan?identifier=%s%s", q, post->idempotency_key);
  JsonArray *activity;

  found = search (self, path, _("Reading back the CarePlan from the FHIR server"), &root, cancellable, error);
  if (found == NULL)
    return FALSE;
  if (found->len == 0)
    return TRUE;
  activity = json_object_has_member (found->pdata[0], "activity")
               ? json_object_get_array_member (found->pdata[0], "activity") : NULL;
  for (guint i = 0; i < post->n_procedures; i++)
    {
      JsonObject *a = activity && i < json_array_get_length (activity) ? json_array_get_object_element (activity, i) : NULL;
      JsonObject *ref = a && json_object_has_member (a, "reference") ? json_object_get_object_member (a, "reference") : NULL;

      if (remote_ids[i] == NULL)
        remote_ids[i] = g_strdup_printf ("CarePlan/%s %s", str_member (found->pdata[0], "id"),
                                         ref && str_member (ref, "reference") ? str_member (ref, "reference") : "?");
    }
  return TRUE;
}

static void
fhir_free (OpPmsConnector *connector)
{
  OpPmsFhir *self = (OpPmsFhir *) connector;

  g_clear_object (&self->session);
  if (self->auth != NULL)
    explicit_bzero (self->auth, strlen (self->auth));
  g_free (self->auth);
  g_free (self);
}

static const OpPmsConnectorClass fhir_class = {
  .name = "the FHIR server",
  .find_patients = fhir_find_patients,
  .map_provider = fhir_map_provider,
  .post = fhir_post,
  .read_back = fhir_read_back,
  .free = fhir_free,
};

OpPmsConnector *
op_pms_fhir_new (const OpPmsConfig *config,
                 GError           **error)
{
  OpPmsFhir *self;

  if (config->url == NULL || config->url[0] == '\0')
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG,
                   _("Location “%s”: the FHIR connector needs the server's base URL (--url)"), config->location);
      return NULL;
    }
  self = g_new0 (OpPmsFhir, 1);
  self->parent.klass = &fhir_class;
  self->parent.config = op_pms_config_copy (config);
  self->session = op__pms_session_new (config->timeout_s);
  if (config->bearer_token != NULL && config->bearer_token[0] != '\0')
    self->auth = g_strdup_printf ("Bearer %s", config->bearer_token);
  return &self->parent;
}
