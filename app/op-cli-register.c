/* op-cli-register.c: orthoplan-cli register CASE — align the case's scans
 * with its CBCT and print how well they agree. */
#include "config.h"

#include <math.h>

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
  gint64            stored;   /* the registration's id in the store */
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

/* "sx,sy,sz:cx,cy,cz": a point on the scan and the same point in the
 * CBCT, both in mm. */
static gboolean
parse_pair (const char *text,
            float       scan[3],
            float       cbct[3],
            GError    **error)
{
  g_auto(GStrv) sides = g_strsplit (text, ":", -1);

  if (g_strv_length (sides) == 2)
    {
      g_auto(GStrv) a = g_strsplit (sides[0], ",", -1);
      g_auto(GStrv) b = g_strsplit (sides[1], ",", -1);
      gboolean ok = g_strv_length (a) == 3 && g_strv_length (b) == 3;

      for (int k = 0; ok && k < 3; k++)
        {
          char *end_a = NULL, *end_b = NULL;
          double va = g_ascii_strtod (g_strstrip (a[k]), &end_a);
          double vb = g_ascii_strtod (g_strstrip (b[k]), &end_b);

          ok = end_a != a[k] && *end_a == '\0' && end_b != b[k] && *end_b == '\0' && isfinite (va) && isfinite (vb);
          scan[k] = (float) va;
          cbct[k] = (float) vb;
        }
      if (ok)
        return TRUE;
    }
  g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
               _("--pair: write SX,SY,SZ:CX,CY,CZ, a scan point and the same point in the CBCT in mm (got “%s”)"),
               text);
  return FALSE;
}

/* The fallback when the automatic alignment fails: three or more points
 * a person paired, one scan, no isosurface. */
static gboolean
register_by_points (OpStore       *store,
                    GPtrArray     *scans,
                    gint64         scan_id,
                    gint64         volume_id,
                    char         **pairs,
                    gboolean       json,
                    GError       **error)
{
  guint n = g_strv_length (pairs);
  g_autofree float *from = g_new (float, 3 * n);
  g_autofree float *to = g_new (float, 3 * n);
  OpScanRecord *scan = NULL;
  float m[16];
  double md[16], rms = 0;
  gint64 stored;

  for (guint i = 0; i < scans->len; i++)
    if (((OpScanRecord *) g_ptr_array_index (scans, i))->id == scan_id)
      scan = g_ptr_array_index (scans, i);
  if (scan == NULL || scan->jaw == OP_JAW_BITE)
    {
      g_set_error (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                   _("--scan: %" G_GINT64_FORMAT " is not an arch scan of this case"), scan_id);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (!parse_pair (pairs[i], from + 3 * i, to + 3 * i, error))
      return FALSE;
  if (!op_register_points (from, to, n, m, &rms, error))
    return FALSE;
  for (int k = 0; k < 16; k++)
    md[k] = m[k];
  stored = op_store_add_registration (store, scan_id, volume_id, md, rms, "points", error);
  if (stored == 0)
    return FALSE;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "scan");
      json_builder_add_int_value (b, scan_id);
      json_builder_set_member_name (b, "volume");
      json_builder_add_int_value (b, volume_id);
      json_builder_set_member_name (b, "registration");
      json_builder_add_int_value (b, stored);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, "points");
      json_builder_set_member_name (b, "rms_mm");
      json_builder_add_double_value (b, rms);
      json_builder_set_member_name (b, "matrix");
      json_builder_begin_array (b);
      for (int k = 0; k < 16; k++)
        json_builder_add_double_value (b, m[k]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      op_cli_print_json (root);
      return TRUE;
    }
  printf (_("%s (%s): %u point pairs, RMS error %.3f mm, stored as registration %" G_GINT64_FORMAT "\n"),
          scan->filename, op_jaw_to_string (scan->jaw), n, rms, stored);
  return TRUE;
}

/* register CASE [--json] [--threshold HU] [--scan ID --pair S:C ...] */
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
  gint64 scan_id = 0;
  g_auto(GStrv) pairs = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "scan", 0, 0, G_OPTION_ARG_INT64, &scan_id, N_("With --pair: the arch scan the points are on"), N_("ID") },
    { "pair", 0, 0, G_OPTION_ARG_STRING_ARRAY, &pairs,
      N_("A scan point and the same point in the CBCT, mm (repeat, 3 or more): the manual fallback"),
      N_("SX,SY,SZ:CX,CY,CZ") },
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
  if ((pairs != NULL) != (scan_id != 0))
    {
      g_set_error_literal (error, OP_CLI_ERROR, OP_CLI_ERROR_USAGE,
                           _("register: --pair and --scan go together (three or more --pair)"));
      return FALSE;
    }

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
  if (pairs != NULL)
    return register_by_points (store, scans, scan_id, vrec->id, pairs, json, error);
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

      /* Kept with the case: planning grows this arch's roots from the
       * volume through it. */
      {
        double m[16];

        for (int k = 0; k < 16; k++)
          m[k] = r.result.matrix[k];
        r.stored = op_store_add_registration (store, rec->id, vrec->id, m, r.result.rms_mm, "automatic", error);
        if (r.stored == 0)
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
          json_builder_set_member_name (b, "registration");
          json_builder_add_int_value (b, r->stored);
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

      printf (_("%s (%s): RMS error %.3f mm over %u points, %.0f%% paired (goal ≤ 0.3 mm: %s), "
                "stored as registration %" G_GINT64_FORMAT "\n"),
              r->record->filename, op_jaw_to_string (r->record->jaw), r->result.rms_mm, r->result.n_pairs,
              100 * r->result.inlier_fraction, r->result.rms_mm <= 0.3 ? _("met") : _("missed"), r->stored);
    }
  return TRUE;
}
