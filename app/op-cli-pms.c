/* op-cli-pms.c: orthoplan-cli outbox | pms.
 *
 *   outbox list [--case ID] [--json]
 *   outbox run [ID] [--threads N] [--json]
 *   outbox retry ID
 *   pms set LOCATION --connector opendental|fhir|file [--url URL] [--developer-key K]
 *       [--customer-key K] [--folder DIR] [--clinic N] [--retention yes|no] [--timeout S]
 *       [--bearer-token T] [--treatment-plan yes|no]
 *   pms fee LOCATION CODE FEE
 *   pms provider LOCATION NPI REMOTE_ID
 *   pms show LOCATION [--json]
 *   pms link CASE REMOTE_ID
 *
 * Every decision (codes, matching, retries, states) is io/'s and planner/'s;
 * this file parses, calls and prints.  Keys are never printed: `pms show`
 * says only whether each one is set.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "op-cli-private.h"
#include "op-outbox.h"

static gboolean
parse_id (const char  *what,
          const char  *text,
          gint64      *out,
          GError     **error)
{
  char *end = NULL;
  gint64 v = g_ascii_strtoll (text ? text : "", &end, 10);

  if (text == NULL || end == text || *end != '\0' || v <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("%s: “%s” is not a number"), what, text ? text : "");
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static void
add_entry_json (JsonBuilder         *b,
                const OpOutboxEntry *e)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, e->id);
  json_builder_set_member_name (b, "case");
  json_builder_add_int_value (b, e->case_id);
  json_builder_set_member_name (b, "approval");
  json_builder_add_int_value (b, e->approval_id);
  json_builder_set_member_name (b, "location");
  json_builder_add_string_value (b, e->location);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, op_outbox_state_to_string (e->state));
  json_builder_set_member_name (b, "reason");
  if (e->reason)
    json_builder_add_string_value (b, e->reason);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, e->attempts);
  json_builder_set_member_name (b, "in_flight");
  json_builder_add_boolean_value (b, e->in_flight);
  json_builder_set_member_name (b, "connector");
  if (e->connector)
    json_builder_add_string_value (b, e->connector);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "idempotency_key");
  json_builder_add_string_value (b, e->idempotency_key);
  json_builder_set_member_name (b, "remote_patient");
  if (e->remote_patient)
    json_builder_add_string_value (b, e->remote_patient);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "remote_ids");
  json_builder_begin_array (b);
  for (guint i = 0; e->remote_ids[i] != NULL; i++)
    if (e->remote_ids[i][0] != '\0')
      json_builder_add_string_value (b, e->remote_ids[i]);
    else
      json_builder_add_null_value (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "payload");
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    if (json_parser_load_from_data (parser, e->payload, -1, NULL))
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
    else
      json_builder_add_null_value (b);
  }
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, e->created_at);
  json_builder_set_member_name (b, "posted_at");
  if (e->posted_at)
    json_builder_add_string_value (b, e->posted_at);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static void
print_entry (const OpOutboxEntry *e)
{
  g_autofree char *ids = g_strjoinv (", ", e->remote_ids);

  g_print ("%-5" G_GINT64_FORMAT " case %-5" G_GINT64_FORMAT " %-16s %-16s sends %u%s%s%s\n", e->id, e->case_id,
           op_outbox_state_to_string (e->state), e->location, e->attempts, e->in_flight ? _(", in flight") : "",
           e->state == OP_OUTBOX_POSTED ? _(", records: ") : "", e->state == OP_OUTBOX_POSTED ? ids : "");
  if (e->reason != NULL && e->reason[0] != '\0')
    g_print ("      %s\n", e->reason);
}

static gboolean
outbox_list (OpCliGlobals  *globals,
             int            argc,
             char         **argv,
             GError       **error)
{
  gboolean json = FALSE;
  gint64 case_id = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "case", 0, 0, G_OPTION_ARG_INT64, &case_id, N_("Only this case's posts"), "ID" },
    { NULL }
  };
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (!op_cli_parse (_("— list the posts to the practice system"), NULL, entries, &argc, &argv, error))
    return FALSE;
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  list = op_outbox_list (store, case_id, error);
  if (list == NULL)
    return FALSE;
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        add_entry_json (b, list->pdata[i]);
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }
  if (list->len == 0)
    g_print ("%s\n", _("The outbox is empty."));
  for (guint i = 0; i < list->len; i++)
    print_entry (list->pdata[i]);
  return TRUE;
}

static gboolean
outbox_run (OpCliGlobals  *globals,
            int            argc,
            char         **argv,
            GError       **error)
{
  gboolean json = FALSE;
  int threads = 2;
  gint64 only = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Posts sent at once (default 2)"), "N" },
    { NULL }
  };
  g_autoptr(OpStore) store = NULL;
  OpOutboxRunOptions options = { 0 };
  OpOutboxRunStats stats = { 0 };

  if (!op_cli_parse (_("[ID] — post the pending entries (or entry ID) now"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc > 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("outbox run: name at most one entry"));
      return FALSE;
    }
  if (argc == 2 && !parse_id ("outbox run", argv[1], &only, error))
    return FALSE;
  if (threads < 1 || threads > 32)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--threads: %d is not 1 to 32"), threads);
      return FALSE;
    }
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  options.n_threads = (guint) threads;
  options.seed = (guint64) g_get_real_time ();
  if (!op_outbox_run (store, only, &options, &stats, globals->cancellable, error))
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
#define N(name, v) json_builder_set_member_name (b, name); json_builder_add_int_value (b, v)
      N ("rows", stats.rows);
      N ("posted", stats.posted);
      N ("needs_attention", stats.needs_attention);
      N ("still_pending", stats.still_pending);
      N ("sends", stats.sends);
      N ("read_backs", stats.read_backs);
      N ("found_by_read_back", stats.found_by_read_back);
#undef N
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
    }
  else
    g_print (_("%u looked at: %u posted, %u need attention, %u still pending (%u sends, %u read-backs)\n"),
             stats.rows, stats.posted, stats.needs_attention, stats.still_pending, stats.sends, stats.read_backs);
  return TRUE;
}

static gboolean
outbox_retry (OpCliGlobals  *globals,
              int            argc,
              char         **argv,
              GError       **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OpStore) store = NULL;
  gint64 id;

  if (!op_cli_parse (_("ID — send an entry that needs attention again"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("outbox retry: name exactly one entry"));
      return FALSE;
    }
  if (!parse_id ("outbox retry", argv[1], &id, error))
    return FALSE;
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  if (!op_outbox_retry (store, id, error))
    return FALSE;
  g_print (_("Entry %lld is pending; “orthoplan-cli outbox run” sends it.\n"), (long long) id);
  return TRUE;
}

gboolean
op_cli_outbox (OpCliGlobals  *globals,
               int            argc,
               char         **argv,
               GError       **error)
{
  if (argc >= 2 && strcmp (argv[1], "list") == 0)
    return outbox_list (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && strcmp (argv[1], "run") == 0)
    return outbox_run (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && strcmp (argv[1], "retry") == 0)
    return outbox_retry (globals, argc - 1, argv + 1, error);
  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("outbox: say list, run or retry"));
  return FALSE;
}

/* pms */

static gboolean
pms_set (OpCliGlobals  *globals,
         int            argc,
         char         **argv,
         GError       **error)
{
  g_autofree char *connector = NULL, *url = NULL, *dev = NULL, *cust = NULL, *folder = NULL, *retention = NULL;
  g_autofree char *token = NULL, *treatment_plan = NULL;
  gint64 clinic = -1;
  int timeout = -1;
  GOptionEntry entries[] = {
    { "connector", 0, 0, G_OPTION_ARG_STRING, &connector, N_("opendental, fhir or file"), "KIND" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("Base URL of the API (Open Dental, FHIR)"), "URL" },
    { "developer-key", 0, 0, G_OPTION_ARG_STRING, &dev, N_("Open Dental developer key"), "K" },
    { "customer-key", 0, 0, G_OPTION_ARG_STRING, &cust, N_("Open Dental customer key"), "K" },
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &folder, N_("Folder for the file bridge"), "DIR" },
    { "clinic", 0, 0, G_OPTION_ARG_INT64, &clinic, N_("Open Dental ClinicNum (0 for none)"), "N" },
    { "retention", 0, 0, G_OPTION_ARG_STRING, &retention, N_("Also post D8680 retention"), "yes|no" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for each answer"), "S" },
    { "bearer-token", 0, 0, G_OPTION_ARG_STRING, &token, N_("FHIR server's bearer token (\"\" removes it)"), "T" },
    { "treatment-plan", 0, 0, G_OPTION_ARG_STRING, &treatment_plan,
      N_("Also file the codes in an Open Dental treatment plan"), "yes|no" },
    { NULL }
  };
  g_autoptr(OpStore) store = NULL;
  OpPmsSettingsInput in = { 0 };
  gboolean ok;

  if (!op_cli_parse (_("LOCATION — set a location's practice system"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms set: name exactly one location"));
      return FALSE;
    }
  in.connector = connector;
  in.url = url;
  in.folder = folder;
  in.developer_key = dev;
  in.customer_key = cust;
  in.clinic_num = clinic;
  in.timeout_s = timeout;
  in.retention = -1;
  if (retention != NULL)
    {
      if (g_ascii_strcasecmp (retention, "yes") == 0)
        in.retention = 1;
      else if (g_ascii_strcasecmp (retention, "no") == 0)
        in.retention = 0;
      else
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--retention: say yes or no, not “%s”"), retention);
          return FALSE;
        }
    }
  if (treatment_plan != NULL)
    {
      if (g_ascii_strcasecmp (treatment_plan, "yes") == 0)
        in.treatment_plan = OP_PMS_SWITCH_ON;
      else if (g_ascii_strcasecmp (treatment_plan, "no") == 0)
        in.treatment_plan = OP_PMS_SWITCH_OFF;
      else
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("--treatment-plan: say yes or no, not “%s”"),
                       treatment_plan);
          return FALSE;
        }
    }
  in.bearer_token = token;
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  ok = op_outbox_set_settings (store, argv[1], &in, error);
  if (token != NULL)
    explicit_bzero (token, strlen (token));
  if (!ok)
    return FALSE;
  g_print (_("Saved the practice system settings of “%s”.\n"), argv[1]);
  return TRUE;
}

static gboolean
pms_fee (OpCliGlobals  *globals,
         int            argc,
         char         **argv,
         GError       **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OpStore) store = NULL;
  gint64 cents;

  if (!op_cli_parse (_("LOCATION CODE FEE — set the fee of a CDT code"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 4)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms fee: give LOCATION CODE FEE"));
      return FALSE;
    }
  if (!op_outbox_parse_fee (argv[3], &cents))
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("FEE: “%s” is not an amount such as 5200 or 5200.00"), argv[3]);
      return FALSE;
    }
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  if (!op_outbox_set_fee (store, argv[1], argv[2], cents, error))
    return FALSE;
  g_print (_("%s at “%s”: %lld.%02d\n"), argv[2], argv[1], (long long) (cents / 100), (int) (cents % 100));
  return TRUE;
}

static gboolean
pms_provider (OpCliGlobals  *globals,
              int            argc,
              char         **argv,
              GError       **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OpStore) store = NULL;

  if (!op_cli_parse (_("LOCATION NPI REMOTE_ID — record a provider's id in the practice system"), NULL, entries,
                     &argc, &argv, error))
    return FALSE;
  if (argc != 4)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms provider: give LOCATION NPI REMOTE_ID"));
      return FALSE;
    }
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  return op_outbox_set_provider (store, argv[1], argv[2], argv[3], error);
}

static gboolean
pms_show (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpPmsConfig) config = NULL;
  g_auto(GStrv) fees = NULL;

  if (!op_cli_parse (_("LOCATION — show a location's practice system settings"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms show: name exactly one location"));
      return FALSE;
    }
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  config = op_outbox_get_config (store, argv[1], error);
  if (config == NULL)
    return FALSE;
  fees = op_outbox_list_fees (store, argv[1], error);
  if (fees == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
#define S(name, v) G_STMT_START { json_builder_set_member_name (b, name); \
    if (v) json_builder_add_string_value (b, v); else json_builder_add_null_value (b); } G_STMT_END
      S ("location", config->location);
      S ("connector", op_pms_connector_kind_to_string (config->kind));
      S ("url", config->url);
      S ("folder", config->folder);
#undef S
      json_builder_set_member_name (b, "developer_key_set");
      json_builder_add_boolean_value (b, config->developer_key != NULL);
      json_builder_set_member_name (b, "customer_key_set");
      json_builder_add_boolean_value (b, config->customer_key != NULL);
      json_builder_set_member_name (b, "bearer_token_set");
      json_builder_add_boolean_value (b, config->bearer_token != NULL);
      json_builder_set_member_name (b, "treatment_plan");
      json_builder_add_boolean_value (b, config->treatment_plan);
      json_builder_set_member_name (b, "clinic");
      json_builder_add_int_value (b, config->clinic_num);
      json_builder_set_member_name (b, "retention");
      json_builder_add_boolean_value (b, config->retention);
      json_builder_set_member_name (b, "timeout_s");
      json_builder_add_int_value (b, config->timeout_s);
      json_builder_set_member_name (b, "fees");
      json_builder_begin_object (b);
      for (guint i = 0; fees[i] != NULL; i++)
        {
          char *eq = strchr (fees[i], '=');
          gint64 cents = g_ascii_strtoll (eq + 1, NULL, 10);
          g_autofree char *amount = g_strdup_printf ("%lld.%02d", (long long) (cents / 100), (int) (cents % 100));

          *eq = '\0';
          json_builder_set_member_name (b, fees[i]);
          json_builder_add_string_value (b, amount);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  g_print ("%s\n", config->location);
  g_print ("  %-14s %s\n", _("connector"), op_pms_connector_kind_to_string (config->kind));
  if (config->url)
    g_print ("  %-14s %s\n", _("url"), config->url);
  if (config->folder)
    g_print ("  %-14s %s\n", _("folder"), config->folder);
  if (config->kind == OP_PMS_CONNECTOR_OPENDENTAL)
    {
      g_print ("  %-14s %s\n", _("developer key"), config->developer_key ? _("set") : _("not set"));
      g_print ("  %-14s %s\n", _("customer key"), config->customer_key ? _("set") : _("not set"));
      if (config->clinic_num > 0)
        g_print ("  %-14s %lld\n", _("clinic"), (long long) config->clinic_num);
      g_print ("  %-14s %s\n", _("treatment plan"), config->treatment_plan ? _("one per approval") : _("none"));
    }
  if (config->kind == OP_PMS_CONNECTOR_FHIR)
    g_print ("  %-14s %s\n", _("bearer token"), config->bearer_token ? _("set") : _("not set"));
  g_print ("  %-14s %s\n", _("retention"), config->retention ? _("posted (D8680)") : _("not posted"));
  g_print ("  %-14s %u s\n", _("timeout"), config->timeout_s);
  for (guint i = 0; fees[i] != NULL; i++)
    {
      char *eq = strchr (fees[i], '=');
      gint64 cents = g_ascii_strtoll (eq + 1, NULL, 10);

      *eq = '\0';
      g_print ("  %-14s %s %lld.%02d\n", i == 0 ? _("fees") : "", fees[i], (long long) (cents / 100), (int) (cents % 100));
    }
  return TRUE;
}

static gboolean
pms_link (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OpStore) store = NULL;
  gint64 case_id;

  if (!op_cli_parse (_("CASE REMOTE_ID — confirm which patient in the practice system a case is for"), NULL,
                     entries, &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms link: give CASE REMOTE_ID"));
      return FALSE;
    }
  if (!parse_id ("pms link", argv[1], &case_id, error))
    return FALSE;
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  if (!op_outbox_link_patient (store, case_id, argv[2], error))
    return FALSE;
  g_print (_("Case %lld is patient %s in the practice system; its waiting posts are pending again.\n"),
           (long long) case_id, argv[2]);
  return TRUE;
}

gboolean
op_cli_pms (OpCliGlobals  *globals,
            int            argc,
            char         **argv,
            GError       **error)
{
  static const struct {
    const char *name;
    OpCliCommand fn;
  } subs[] = {
    { "set", pms_set }, { "fee", pms_fee }, { "provider", pms_provider }, { "show", pms_show }, { "link", pms_link },
  };

  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (subs); i++)
    if (strcmp (argv[1], subs[i].name) == 0)
      return subs[i].fn (globals, argc - 1, argv + 1, error);
  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("pms: say set, fee, provider, show or link"));
  return FALSE;
}
