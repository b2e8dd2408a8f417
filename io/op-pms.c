/* op-pms.c: the connector interface, its errors and the HTTP helpers the
 * Open Dental and FHIR connectors share. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "op-pms-private.h"

G_DEFINE_QUARK (op-pms-error-quark, op_pms_error)

gboolean
op_pms_error_is_uncertain (const GError *error)
{
  return error != NULL && error->domain == OP_PMS_ERROR &&
         (error->code == OP_PMS_ERROR_TIMEOUT || error->code == OP_PMS_ERROR_CONNECTION_LOST ||
          error->code == OP_PMS_ERROR_SERVER);
}

gboolean
op_pms_error_is_transient (const GError *error)
{
  return op_pms_error_is_uncertain (error) ||
         (error != NULL && error->domain == OP_PMS_ERROR && error->code == OP_PMS_ERROR_UNREACHABLE);
}

static const char *kind_names[] = { "opendental", "fhir", "file" };

const char *
op_pms_connector_kind_to_string (OpPmsConnectorKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : "unknown";
}

gboolean
op_pms_connector_kind_from_string (const char         *str,
                                   OpPmsConnectorKind *out_kind)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (str, kind_names[i]) == 0)
      {
        *out_kind = (OpPmsConnectorKind) i;
        return TRUE;
      }
  return FALSE;
}

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

void
op_pms_config_free (OpPmsConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->location);
  g_free (config->url);
  g_free (config->folder);
  wipe_free (config->developer_key);
  wipe_free (config->customer_key);
  wipe_free (config->bearer_token);
  g_free (config);
}

OpPmsConfig *
op_pms_config_copy (const OpPmsConfig *config)
{
  OpPmsConfig *copy = g_new0 (OpPmsConfig, 1);

  *copy = *config;
  copy->location = g_strdup (config->location);
  copy->url = g_strdup (config->url);
  copy->folder = g_strdup (config->folder);
  copy->developer_key = g_strdup (config->developer_key);
  copy->customer_key = g_strdup (config->customer_key);
  copy->bearer_token = g_strdup (config->bearer_token);
  return copy;
}

void
op_pms_patient_free (OpPmsPatient *patient)
{
  if (patient == NULL)
    return;
  g_free (patient->remote_id);
  g_free (patient->family_name);
  g_free (patient->given_name);
  g_free (patient->birth_date);
  g_free (patient->chart_number);
  g_free (patient);
}

OpPmsConnector *
op_pms_connector_new (const OpPmsConfig *config,
                      GError           **error)
{
  g_return_val_if_fail (config != NULL, NULL);

  switch (config->kind)
    {
    case OP_PMS_CONNECTOR_OPENDENTAL:
      return op_pms_opendental_new (config, error);
    case OP_PMS_CONNECTOR_FHIR:
      return op_pms_fhir_new (config, error);
    case OP_PMS_CONNECTOR_FILE:
      return op_pms_file_new (config, error);
    default:
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG,
                   _("Location “%s”: unknown PMS connector %d"), config->location, (int) config->kind);
      return NULL;
    }
}

void
op_pms_connector_free (OpPmsConnector *connector)
{
  if (connector == NULL)
    return;
  g_clear_pointer (&connector->config, op_pms_config_free);
  connector->klass->free (connector);
}

char *
op_pms_marker (const char *idempotency_key,
               guint       index)
{
  return g_strdup_printf ("orthoplan:%s:%u", idempotency_key, index);
}

char *
op_pms_plan_marker (const char *idempotency_key)
{
  return g_strdup_printf ("orthoplan:%s:plan", idempotency_key);
}

guint
op_pms_post_n_records (const OpPmsPost *post)
{
  return post->n_procedures + (post->treatment_plan && post->n_procedures > 0 ? post->n_procedures + 1 : 0);
}

/* HTTP. */

SoupSession *
op__pms_session_new (guint timeout_s)
{
  return soup_session_new_with_options ("timeout", MAX (timeout_s, 1u),
                                        "idle-timeout", 60u,
                                        "user-agent", "Orthoplan/" PACKAGE_VERSION " ",
                                        "proxy-resolver", NULL,
                                        NULL);
}

static void
map_transport_error (GError      *in,
                     const char  *method,
                     const char  *url,
                     GError     **error)
{
  if (g_error_matches (in, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (in));
      return;
    }
  if (g_error_matches (in, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_TIMEOUT,
                 _("%s %s: no answer in time (%s); the request may have gone through"), method, url, in->message);
  else if (in->domain == G_RESOLVER_ERROR ||
           g_error_matches (in, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
           g_error_matches (in, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (in, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (in, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_UNREACHABLE,
                 _("%s %s: the server cannot be reached (%s)"), method, url, in->message);
  else
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONNECTION_LOST,
                 _("%s %s: the connection was lost before an answer (%s); the request may have gone through"),
                 method, url, in->message);
}

GBytes *
op__pms_http (SoupSession  *session,
              const char   *method,
              const char   *url,
              const char  **headers,
              const char   *body,
              guint        *out_status,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *answer;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_CONFIG, _("“%s” is not a valid URL"), url);
      return NULL;
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  if (body != NULL)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  /* libsoup repeats a request on a dropped keep-alive connection only
   * when it is flagged idempotent, which a POST is not: whether a POST
   * that might have arrived is sent again is the outbox worker's decision,
   * after reading back. */

  answer = soup_session_send_and_read (session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      map_transport_error (local_error, method, url, error);
      return NULL;
    }
  *out_status = soup_message_get_status (msg);
  return answer;
}

char *
op__pms_body_reason (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data;
  JsonNode *root;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (len == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    {
      g_autofree char *text = g_strndup (data, MIN (len, 200));

      return g_utf8_validate (text, -1, NULL) ? g_strstrip (g_steal_pointer (&text)) : NULL;
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_VALUE (root) && json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);

      if (json_object_has_member (o, "message"))
        return g_strdup (json_object_get_string_member_with_default (o, "message", ""));
      if (json_object_has_member (o, "reason"))
        return g_strdup (json_object_get_string_member_with_default (o, "reason", ""));
      /* A FHIR OperationOutcome: the first issue's text. */
      if (json_object_has_member (o, "issue"))
        {
          JsonArray *issues = json_object_get_array_member (o, "issue");

          if (issues != NULL && json_array_get_length (issues) > 0)
            {
              JsonObject *issue = json_array_get_object_element (issues, 0);
              JsonObject *details = issue && json_object_has_member (issue, "details")
                                      ? json_object_get_object_member (issue, "details") : NULL;

              if (details != NULL && json_object_has_member (details, "text"))
                return g_strdup (json_object_get_string_member_with_default (details, "text", ""));
              if (issue != NULL && json_object_has_member (issue, "diagnostics"))
                return g_strdup (json_object_get_string_member_with_default (issue, "diagnostics", ""));
            }
        }
    }
  return NULL;
}

void
op__pms_status_error (guint        status,
                      GBytes      *body,
                      const char  *what,
                      GError     **error)
{
  g_autofree char *reason = op__pms_body_reason (body);
  const char *r = reason != NULL && reason[0] != '\0' ? reason : soup_status_get_phrase (status);

  if (status == 401 || status == 403)
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_AUTH,
                 _("%s: the PMS refused the keys (HTTP %u: %s); check the developer and customer keys "
                   "of this location"), what, status, r ? r : "");
  else if (status >= 500)
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_SERVER,
                 _("%s: the PMS failed (HTTP %u: %s); the request may have gone through"), what, status, r ? r : "");
  else
    g_set_error (error, OP_PMS_ERROR, OP_PMS_ERROR_BAD_REQUEST,
                 _("%s: the PMS refused the request (HTTP %u: %s)"), what, status, r ? r : "");
}

char *
op__pms_url (const char *base,
             const char *path)
{
  gsize n = strlen (base);

  while (n > 0 && base[n - 1] == '/')
    n--;
  return g_strdup_printf ("%.*s%s%s", (int) n, base, path[0] == '/' ? "" : "/", path);
}
