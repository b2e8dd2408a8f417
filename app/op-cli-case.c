/* op-cli-case.c: orthoplan-cli case new | list | show. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "op-cli-private.h"
#include "op-mesh-io.h"

/* Splits "Family, Given" as written on a chart. */
gboolean
op_cli_split_patient_name (const char *text,
                           char      **family,
                           char      **given,
                           GError    **error)
{
  const char *comma = text ? strchr (text, ',') : NULL;

  if (comma == NULL)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--patient: write the name as \"Last, First\" (got “%s”)"), text ? text : "");
      return FALSE;
    }
  *family = g_strstrip (g_strndup (text, comma - text));
  *given = g_strstrip (g_strdup (comma + 1));
  return TRUE;
}

typedef struct {
  OpMesh *mesh;
  GBytes *bytes;
  char   *name;
} LoadedScan;

static void
loaded_scan_clear (LoadedScan *s)
{
  g_clear_pointer (&s->mesh, op_mesh_free);
  g_clear_pointer (&s->bytes, g_bytes_unref);
  g_clear_pointer (&s->name, g_free);
}

/* Reads a scan once and parses the same bytes, so what is stored is
 * exactly what was checked. */
static gboolean
load_scan (const char    *path,
           OpJaw          jaw,
           GCancellable  *cancellable,
           LoadedScan    *out,
           OpScanInput   *input,
           GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  OpMeshInfo info = { 0 };
  gsize len = 0;

  out->name = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, OP_MESH_IO_ERROR, OP_MESH_IO_ERROR_READ, "%s: %s", out->name, local_error->message);
      return FALSE;
    }
  out->bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  out->mesh = op_mesh_load_bytes (out->bytes, out->name, NULL, &info, cancellable, error);
  if (out->mesh == NULL)
    return FALSE;

  input->jaw = jaw;
  input->filename = out->name;
  input->format = info.format;
  input->bytes = out->bytes;
  input->n_vertices = out->mesh->n_vertices;
  input->n_triangles = out->mesh->n_triangles;
  return TRUE;
}

static gboolean
case_new (OpCliGlobals  *globals,
          int            argc,
          char         **argv,
          GError       **error)
{
  g_autofree char *patient = NULL, *dob = NULL, *chart = NULL, *location = NULL;
  g_autofree char *upper = NULL, *lower = NULL, *bite = NULL;
  g_autofree char *family = NULL, *given = NULL;
  g_autoptr(OpStore) store = NULL;
  LoadedScan loaded[3] = { { 0 } };
  OpScanInput inputs[3] = { { 0 } };
  guint n_scans = 0;
  gint64 case_id = 0;
  gboolean ok = FALSE;
  GOptionEntry entries[] = {
    { "patient", 'p', 0, G_OPTION_ARG_STRING, &patient, N_("Patient name as \"Last, First\""), N_("NAME") },
    { "dob", 0, 0, G_OPTION_ARG_STRING, &dob, N_("Date of birth"), N_("YYYY-MM-DD") },
    { "chart", 0, 0, G_OPTION_ARG_STRING, &chart, N_("Chart number"), N_("N") },
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("Practice location (default “Main office”)"), N_("NAME") },
    { "upper", 0, 0, G_OPTION_ARG_FILENAME, &upper, N_("Upper arch scan"), N_("FILE") },
    { "lower", 0, 0, G_OPTION_ARG_FILENAME, &lower, N_("Lower arch scan"), N_("FILE") },
    { "bite", 0, 0, G_OPTION_ARG_FILENAME, &bite, N_("Bite scan"), N_("FILE") },
    { NULL }
  };
  const char *paths[3];
  const OpJaw jaws[3] = { OP_JAW_UPPER, OP_JAW_LOWER, OP_JAW_BITE };

  if (!op_cli_parse (_("— create a case, with its scans"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("case new: unexpected argument “%s”"), argv[1]);
      return FALSE;
    }
  if (patient == NULL || dob == NULL)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("case new: --patient \"Last, First\" and --dob YYYY-MM-DD are required"));
      return FALSE;
    }
  if (!op_cli_split_patient_name (patient, &family, &given, error))
    return FALSE;

  /* Parse every scan before anything is written: a bad file stores nothing. */
  paths[0] = upper;
  paths[1] = lower;
  paths[2] = bite;
  for (guint i = 0; i < 3; i++)
    {
      if (paths[i] == NULL)
        continue;
      if (!load_scan (paths[i], jaws[i], globals->cancellable, &loaded[n_scans], &inputs[n_scans], error))
        goto out;
      n_scans++;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    goto out;

  {
    OpPatient p = {
      .family_name = family,
      .given_name = given,
      .birth_date = dob,
      .chart_number = chart,
    };

    case_id = op_store_create_case (store, &p, location ? location : "Main office", inputs, n_scans, error);
  }
  if (case_id <= 0)
    goto out;

  g_print ("%" G_GINT64_FORMAT "\n", case_id);
  ok = TRUE;

out:
  for (guint i = 0; i < 3; i++)
    loaded_scan_clear (&loaded[i]);
  return ok;
}

static void
add_case_members (JsonBuilder         *b,
                  const OpCaseSummary *c)
{
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, c->id);
  json_builder_set_member_name (b, "patient");
  json_builder_add_string_value (b, c->title);
  json_builder_set_member_name (b, "birth_date");
  json_builder_add_string_value (b, c->birth_date);
  json_builder_set_member_name (b, "chart_number");
  if (c->chart_number)
    json_builder_add_string_value (b, c->chart_number);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "location");
  json_builder_add_string_value (b, c->location_name);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, op_case_state_to_string (c->state));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, c->created_at);
  json_builder_set_member_name (b, "scans");
  json_builder_add_int_value (b, c->n_scans);
}

static gboolean
case_list (OpCliGlobals  *globals,
           int            argc,
           char         **argv,
           GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autofree char *search = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Only cases whose patient name, chart number or birth date contains TEXT"), N_("TEXT") },
    { NULL }
  };

  if (!op_cli_parse (_("— list cases, newest first"), NULL, entries, &argc, &argv, error))
    return FALSE;
  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  cases = op_store_list_cases (store, search, error);
  if (cases == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < cases->len; i++)
        {
          json_builder_begin_object (b);
          add_case_members (b, g_ptr_array_index (cases, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  if (cases->len == 0)
    {
      g_print ("%s\n", _("No cases."));
      return TRUE;
    }
  g_print ("%-6s %-28s %-10s %-12s %-18s %-14s %s\n", _("ID"), _("Patient"), _("Born"), _("Chart"),
           _("Location"), _("State"), _("Scans"));
  for (guint i = 0; i < cases->len; i++)
    {
      OpCaseSummary *c = g_ptr_array_index (cases, i);

      g_print ("%-6" G_GINT64_FORMAT " %-28s %-10s %-12s %-18s %-14s %u\n", c->id, c->title, c->birth_date,
               c->chart_number ? c->chart_number : "-", c->location_name,
               op_case_state_to_string (c->state), c->n_scans);
    }
  return TRUE;
}

static gboolean
case_show (OpCliGlobals  *globals,
           int            argc,
           char         **argv,
           GError       **error)
{
  g_autoptr(OpStore) store = NULL;
  g_autoptr(OpCaseSummary) c = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  gboolean json = FALSE;
  gint64 id;
  char *end = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { NULL }
  };

  if (!op_cli_parse (_("ID — show a case and its scans"), NULL, entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("case show: name one case id"));
      return FALSE;
    }
  id = g_ascii_strtoll (argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("case show: “%s” is not a case id"), argv[1]);
      return FALSE;
    }

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  c = op_store_get_case (store, id, error);
  if (c == NULL)
    return FALSE;
  scans = op_store_list_scans (store, id, error);
  if (scans == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_case_members (b, c);
      json_builder_set_member_name (b, "scan_list");
      json_builder_begin_array (b);
      for (guint i = 0; i < scans->len; i++)
        {
          OpScanRecord *s = g_ptr_array_index (scans, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, s->id);
          json_builder_set_member_name (b, "jaw");
          json_builder_add_string_value (b, op_jaw_to_string (s->jaw));
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, s->filename);
          json_builder_set_member_name (b, "format");
          json_builder_add_string_value (b, op_mesh_format_to_string (s->format));
          json_builder_set_member_name (b, "sha256");
          json_builder_add_string_value (b, s->sha256);
          json_builder_set_member_name (b, "bytes");
          json_builder_add_int_value (b, s->size);
          json_builder_set_member_name (b, "vertices");
          json_builder_add_int_value (b, s->n_vertices);
          json_builder_set_member_name (b, "triangles");
          json_builder_add_int_value (b, s->n_triangles);
          json_builder_set_member_name (b, "added_at");
          json_builder_add_string_value (b, s->created_at);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  g_print ("%s %" G_GINT64_FORMAT ": %s\n", _("Case"), c->id, c->title);
  g_print ("  %-12s %s\n", _("Born"), c->birth_date);
  g_print ("  %-12s %s\n", _("Chart"), c->chart_number ? c->chart_number : "-");
  g_print ("  %-12s %s\n", _("Location"), c->location_name);
  g_print ("  %-12s %s\n", _("State"), op_case_state_to_string (c->state));
  g_print ("  %-12s %s\n", _("Created"), c->created_at);
  g_print ("  %s (%u)\n", _("Scans"), scans->len);
  for (guint i = 0; i < scans->len; i++)
    {
      OpScanRecord *s = g_ptr_array_index (scans, i);

      g_print ("    #%-4" G_GINT64_FORMAT " %-6s %-28s %-4s %9" G_GINT64_FORMAT " %s  sha256 %.16s…\n",
               s->id, op_jaw_to_string (s->jaw), s->filename, op_mesh_format_to_string (s->format),
               s->n_triangles, _("triangles"), s->sha256);
    }
  return TRUE;
}

gboolean
op_cli_case (OpCliGlobals  *globals,
             int            argc,
             char         **argv,
             GError       **error)
{
  if (argc >= 2 && g_str_equal (argv[1], "new"))
    return case_new (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return case_list (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return case_show (globals, argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "import-teeth"))
    return op_cli_case_import_teeth (globals, argc - 1, argv + 1, error);

  g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                       _("case: use “case new”, “case list”, “case show ID” or “case import-teeth”"));
  return FALSE;
}
