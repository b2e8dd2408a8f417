/* op-cli-register.c: orthoplan-cli register CASE — align the case's scans
 * with its CBCT and print how well they agree. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "op-case.h"
#include "op-cli-private.h"
#include "op-marching.h"
#include "op-mesh-io.h"
#include "op-register.h"
#include "op-volume.h"

typedef struct {
  OpScanRecord     *record;   /* borrowed */
  OpRegisterResult  result;
} Registered;

static gboolean
parse_case_id (const char *arg, gint64 *out, GError **error)
{
  char *end = NULL;
  gint64 id = g_ascii_strtoll (arg, &end, 10);

  if (end == arg || *end || id <= 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("register: “%s” is not a case id"), arg);
      return FALSE;
    }
  *out = id;
  return TRUE;
}

/* register CASE [--json] [--threshold HU] */
gboolean
op_cli_register (OpCliGlobals  *globals,
                 int            argc,
                 char         **argv,
                 GError       **error)
{
  gboolean json = FALSE;
  double threshold_hu = G_MAXDOUBLE;
  g_autoptr(OpStore) store = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) volumes = NULL;
  g_autoptr(OpVolume) volume = NULL;
  g_autoptr(OpMesh) surface = NULL;
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (Registered));
  OpVolumeRecord *vrec;
  OpIsoOptions iso = { 2, FALSE };
  double threshold_raw;
  gint64 case_id;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold_hu,
      N_("Isosurface threshold in HU (default: the volume's automatic one)"), N_("HU") },
    { NULL }
  };

  if (!op_cli_parse (_("CASE — align the case's scans with its CBCT and print the RMS error"),
                     _("Each arch scan (not the bite) is registered on its own: principal axes and a search, then "
                       "trimmed point-to-plane ICP against the CBCT's isosurface."),
                     entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE, _("register: name one case id"));
      return FALSE;
    }
  if (!parse_case_id (argv[1], &case_id, error))
    return FALSE;

  store = op_cli_open_store (globals, error);
  if (store == NULL)
    return FALSE;
  scans = op_store_list_scans (store, case_id, error);
  if (scans == NULL)
    return FALSE;
  volumes = op_store_list_volumes (store, case_id, error);
  if (volumes == NULL)
    return FALSE;
  if (volumes->len == 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   _("case %" G_GINT64_FORMAT " has no CBCT; add one with “dicom add”"), case_id);
      return FALSE;
    }

  /* The newest volume is the one a provider looks at. */
  vrec = g_ptr_array_index (volumes, volumes->len - 1);
  volume = op_store_get_volume (store, vrec->id, error);
  if (volume == NULL)
    return FALSE;
  threshold_raw = threshold_hu != G_MAXDOUBLE ? op_volume_hu_to_raw (volume, threshold_hu) : vrec->threshold;
  surface = op_volume_isosurface (volume, threshold_raw, &iso);
  if (surface == NULL || surface->n_triangles == 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   _("volume %" G_GINT64_FORMAT ": no surface at %.0f HU; try another --threshold"),
                   vrec->id, op_volume_raw_to_hu (volume, threshold_raw));
      return FALSE;
    }

  for (guint i = 0; i < scans->len; i++)
    {
      OpScanRecord *rec = g_ptr_array_index (scans, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(OpMesh) mesh = NULL;
      g_autoptr(GError) local = NULL;
      Registered r = { rec };

      if (rec->jaw == OP_JAW_BITE)
        continue;
      bytes = op_store_get_scan_bytes (store, rec->id, error);
      if (bytes == NULL)
        return FALSE;
      mesh = op_mesh_load_bytes (bytes, rec->filename, NULL, NULL, globals->cancellable, error);
      if (mesh == NULL)
        return FALSE;
      if (!op_register_meshes (mesh, surface, NULL, &r.result, &local))
        {
          g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED, "%s: %s", rec->filename, local->message);
          return FALSE;
        }
      g_array_append_val (done, r);
    }
  if (done->len == 0)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_FAILED,
                   _("case %" G_GINT64_FORMAT " has no arch scan to register; import an upper or lower scan"), case_id);
      return FALSE;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "case");
      json_builder_add_int_value (b, case_id);
      json_builder_set_member_name (b, "volume");
      json_builder_add_int_value (b, vrec->id);
      json_builder_set_member_name (b, "threshold_hu");
      json_builder_add_double_value (b, op_volume_raw_to_hu (volume, threshold_raw));
      json_builder_set_member_name (b, "surface_triangles");
      json_builder_add_int_value (b, surface->n_triangles);
      json_builder_set_member_name (b, "scans");
      json_builder_begin_array (b);
      for (guint i = 0; i < done->len; i++)
        {
          Registered *r = &g_array_index (done, Registered, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "scan");
          json_builder_add_int_value (b, r->record->id);
          json_builder_set_member_name (b, "jaw");
          json_builder_add_string_value (b, op_jaw_to_string (r->record->jaw));
          json_builder_set_member_name (b, "filename");
          json_builder_add_string_value (b, r->record->filename);
          json_builder_set_member_name (b, "rms_mm");
          json_builder_add_double_value (b, r->result.rms_mm);
          json_builder_set_member_name (b, "paired_fraction");
          json_builder_add_double_value (b, r->result.inlier_fraction);
          json_builder_set_member_name (b, "pairs");
          json_builder_add_int_value (b, r->result.n_pairs);
          json_builder_set_member_name (b, "iterations");
          json_builder_add_int_value (b, r->result.iterations);
          json_builder_set_member_name (b, "goal_met");
          json_builder_add_boolean_value (b, r->result.rms_mm <= 0.3);
          json_builder_set_member_name (b, "matrix");
          json_builder_begin_array (b);
          for (int k = 0; k < 16; k++)
            json_builder_add_double_value (b, r->result.matrix[k]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }

  printf (_("Case %" G_GINT64_FORMAT ", volume %" G_GINT64_FORMAT ": surface at %.0f HU, %" G_GSIZE_FORMAT " triangles\n"),
          case_id, vrec->id, op_volume_raw_to_hu (volume, threshold_raw), surface->n_triangles);
  for (guint i = 0; i < done->len; i++)
    {
      Registered *r = &g_array_index (done, Registered, i);

      printf (_("%s (%s): RMS error %.3f mm over %u points, %.0f%% paired (goal ≤ 0.3 mm: %s)\n"),
              r->record->filename, op_jaw_to_string (r->record->jaw), r->result.rms_mm, r->result.n_pairs,
              100 * r->result.inlier_fraction, r->result.rms_mm <= 0.3 ? _("met") : _("missed"));
    }
  return TRUE;
}
